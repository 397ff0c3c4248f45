/*
 * libFuzzer target for the management protocol codec: arbitrary bytes
 * through the stream decoder in arbitrary pieces, with flushes, and every
 * decoded payload through the TLV reader.  Checks the decoder's own
 * invariants; ASan/UBSan catch the rest.
 *     make fuzz   (clang; runs FUZZ_SECONDS, default 30)
 */
#include <mgmt/proto.h>
#include <stdlib.h>
#include <string.h>

static struct mgmt_dec dec;

static void check_payload(const uint8_t *p, size_t len)
{
	size_t pos = 0;
	uint16_t tag, vlen;
	const uint8_t *val;
	char s[64];
	uint64_t v, arr[16];

	if (!mgmt_tlv_valid(p, len))
		return;
	while (mgmt_tlv_next(p, len, &pos, &tag, &val, &vlen)) {
		if (tag == MGMT_F_DOMAIN)
			(void)mgmt_tlv_valid(val, vlen);
		if (tag == MGMT_F_EXIT_NAME)
			(void)mgmt_tlv_str_val(val, vlen, s, sizeof(s));
	}
	if (mgmt_tlv_u64s(p, len, MGMT_F_EXIT_COUNTS, arr, 16) > 16)
		abort();
	(void)mgmt_tlv_u64(p, len, MGMT_F_ID, &v);
	(void)mgmt_tlv_str(p, len, MGMT_F_NAME, s, sizeof(s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0, used;

	mgmt_dec_init(&dec);
	/* The first byte picks the piece size; 0 means "flush here". */
	while (off < size) {
		size_t piece = data[off++] % 64, n;
		int ev;

		if (piece == 0) {
			if (mgmt_dec_flush(&dec) == MGMT_DEC_NONE &&
			    mgmt_dec_busy(&dec))
				abort();
			piece = 1;
		}
		n = size - off < piece ? size - off : piece;
		for (;;) {
			ev = mgmt_dec_feed(&dec, data + off, n, &used);
			if (used > n || dec.n > sizeof(dec.buf))
				abort();
			off += used;
			n -= used;
			if (ev == MGMT_DEC_FRAME) {
				uint8_t re[MGMT_MAX_FRAME];

				if (dec.frame.len > MGMT_MAX_PAYLOAD)
					abort();
				check_payload(dec.frame.payload, dec.frame.len);
				/* Re-encoding gives back the same bytes. */
				if (mgmt_encode(re, dec.frame.type, dec.frame.seq,
						dec.frame.payload, dec.frame.len) !=
					    MGMT_HDR_SIZE + dec.frame.len ||
				    memcmp(re, dec.frame.payload - MGMT_HDR_SIZE,
					   MGMT_HDR_SIZE + dec.frame.len))
					abort();
			}
			if (ev == MGMT_DEC_NONE && !n)
				break;
		}
	}
	return 0;
}
