/*
 * The management protocol codec (mgmt/proto.c): CRC-32, frames through
 * the stream decoder whole, byte by byte, in garbage, damaged, cut off and
 * oversized; TLV writing and reading.
 */
#include "unit.h"
#include <mgmt/proto.h>
#include <string.h>

static struct mgmt_dec dec;

/* Feed all of @in; record the events and the last frame's payload. */
struct events {
	int ev[16];
	unsigned int n;
	uint32_t seq[16];
	uint8_t payload[MGMT_MAX_PAYLOAD];
	uint32_t len;
};

static void feed_all(const uint8_t *in, size_t len, size_t step,
		     struct events *e)
{
	size_t off = 0;

	while (off < len) {
		size_t n = len - off < step ? len - off : step, used;

		while (n) {
			int ev = mgmt_dec_feed(&dec, in + off, n, &used);

			off += used;
			n -= used;
			if (ev == MGMT_DEC_NONE)
				continue;
			if (e->n < 16) {
				e->seq[e->n] = ev == MGMT_DEC_FRAME ? dec.frame.seq
								    : dec.err_seq;
				e->ev[e->n++] = ev;
			}
			if (ev == MGMT_DEC_FRAME) {
				memcpy(e->payload, dec.frame.payload,
				       dec.frame.len);
				e->len = dec.frame.len;
			}
		}
	}
}

static void test_crc32(void)
{
	/* The standard check value of CRC-32/ISO-HDLC. */
	CU_ASSERT_EQUAL(mgmt_crc32(0, "123456789", 9), 0xcbf43926u);
	CU_ASSERT_EQUAL(mgmt_crc32(mgmt_crc32(0, "1234", 4), "56789", 5),
			0xcbf43926u);
	CU_ASSERT_EQUAL(mgmt_crc32(0, "", 0), 0);
}

static void test_roundtrip(void)
{
	uint8_t frame[MGMT_MAX_FRAME], payload[100];
	size_t steps[] = { 1, 3, 24, 4096 };

	for (unsigned int i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7);
	size_t n = mgmt_encode(frame, MGMT_T_LIST, 42, payload, sizeof(payload));
	CU_ASSERT_EQUAL(n, MGMT_HDR_SIZE + sizeof(payload));
	CU_ASSERT_EQUAL(memcmp(frame, "TVMP", 4), 0);
	for (unsigned int s = 0; s < 4; s++) {
		struct events e = { 0 };

		mgmt_dec_init(&dec);
		feed_all(frame, n, steps[s], &e);
		CU_ASSERT_EQUAL(e.n, 1);
		CU_ASSERT_EQUAL(e.ev[0], MGMT_DEC_FRAME);
		CU_ASSERT_EQUAL(e.seq[0], 42);
		CU_ASSERT_EQUAL(dec.frame.type, MGMT_T_LIST);
		CU_ASSERT_EQUAL(e.len, sizeof(payload));
		CU_ASSERT_EQUAL(memcmp(e.payload, payload, sizeof(payload)), 0);
		CU_ASSERT_FALSE(mgmt_dec_busy(&dec));
	}
	/* Empty payload, and two frames back to back. */
	{
		uint8_t two[2 * MGMT_HDR_SIZE];
		struct events e = { 0 };

		mgmt_encode(two, MGMT_T_VERSION, 1, NULL, 0);
		mgmt_encode(two + MGMT_HDR_SIZE, MGMT_T_VERSION, 2, NULL, 0);
		mgmt_dec_init(&dec);
		feed_all(two, sizeof(two), sizeof(two), &e);
		CU_ASSERT_EQUAL(e.n, 2);
		CU_ASSERT_EQUAL(e.seq[0], 1);
		CU_ASSERT_EQUAL(e.seq[1], 2);
	}
	CU_ASSERT_EQUAL(mgmt_encode(frame, 1, 1, payload, MGMT_MAX_PAYLOAD + 1),
			0);
}

static void test_garbage(void)
{
	uint8_t buf[300], frame[64];
	struct events e = { 0 };
	size_t n;

	for (unsigned int i = 0; i < 200; i++)
		buf[i] = (uint8_t)(i * 31 + 5);
	memcpy(buf + 50, "TVM", 3); /* a false start */
	n = mgmt_encode(frame, MGMT_T_VERSION, 7, (const uint8_t *)"ab", 2);
	memcpy(buf + 200, frame, n);
	mgmt_dec_init(&dec);
	feed_all(buf, 200 + n, 5, &e);
	CU_ASSERT_EQUAL(e.n, 1);
	CU_ASSERT_EQUAL(e.ev[0], MGMT_DEC_FRAME);
	CU_ASSERT_EQUAL(e.seq[0], 7);
	CU_ASSERT_EQUAL(dec.garbage, 200);
}

static void test_bad_crc_resyncs(void)
{
	uint8_t buf[200];
	struct events e = { 0 };
	size_t a, b;

	a = mgmt_encode(buf, MGMT_T_LIST, 1, (const uint8_t *)"hello", 5);
	buf[a - 1] ^= 1; /* damage the payload */
	b = mgmt_encode(buf + a, MGMT_T_LIST, 2, (const uint8_t *)"x", 1);
	mgmt_dec_init(&dec);
	feed_all(buf, a + b, 1, &e);
	CU_ASSERT_EQUAL(e.n, 2);
	CU_ASSERT_EQUAL(e.ev[0], MGMT_DEC_BAD_CRC);
	CU_ASSERT_EQUAL(e.seq[0], 1);
	CU_ASSERT_EQUAL(e.ev[1], MGMT_DEC_FRAME);
	CU_ASSERT_EQUAL(e.seq[1], 2);
}

static void test_damaged_header(void)
{
	uint8_t buf[200];
	struct events e = { 0 };
	size_t a, b;

	a = mgmt_encode(buf, MGMT_T_LIST, 1, (const uint8_t *)"hello", 5);
	buf[13] ^= 0x40; /* the length: the header CRC catches it */
	b = mgmt_encode(buf + a, MGMT_T_LIST, 2, NULL, 0);
	mgmt_dec_init(&dec);
	feed_all(buf, a + b, 7, &e);
	CU_ASSERT_EQUAL(e.n, 1);
	CU_ASSERT_EQUAL(e.ev[0], MGMT_DEC_FRAME);
	CU_ASSERT_EQUAL(e.seq[0], 2);
	CU_ASSERT_EQUAL(dec.garbage, a);
}

static void test_too_big_and_version(void)
{
	uint8_t buf[64];
	struct events e = { 0 };

	/* A valid header announcing too much. */
	mgmt_encode(buf, MGMT_T_LIST, 9, NULL, 0);
	buf[12] = 0xff;
	buf[13] = 0xff;
	{
		uint32_t c = mgmt_crc32(0, buf, 20);

		for (int i = 0; i < 4; i++)
			buf[20 + i] = (uint8_t)(c >> (8 * i));
	}
	mgmt_dec_init(&dec);
	feed_all(buf, MGMT_HDR_SIZE, 1, &e);
	CU_ASSERT_EQUAL(e.n, 1);
	CU_ASSERT_EQUAL(e.ev[0], MGMT_DEC_TOO_BIG);
	CU_ASSERT_EQUAL(e.seq[0], 9);

	memset(&e, 0, sizeof(e));
	mgmt_encode(buf, MGMT_T_LIST, 10, NULL, 0);
	buf[4] = 2;
	{
		uint32_t c = mgmt_crc32(0, buf, 20);

		for (int i = 0; i < 4; i++)
			buf[20 + i] = (uint8_t)(c >> (8 * i));
	}
	mgmt_dec_init(&dec);
	feed_all(buf, MGMT_HDR_SIZE, MGMT_HDR_SIZE, &e);
	CU_ASSERT_EQUAL(e.n, 1);
	CU_ASSERT_EQUAL(e.ev[0], MGMT_DEC_BAD_VERSION);
}

static void test_truncated(void)
{
	uint8_t buf[200] = { 0 };
	struct events e = { 0 };
	size_t a, b, used;

	a = mgmt_encode(buf, MGMT_T_UPLOAD_CHUNK, 3, buf + 150, 40);
	mgmt_dec_init(&dec);
	feed_all(buf, a - 30, 4, &e); /* cut off: 30 bytes missing */
	CU_ASSERT_EQUAL(e.n, 0);
	CU_ASSERT_TRUE(mgmt_dec_busy(&dec));
	/* The next request arrives before the sender's silence is noticed. */
	b = mgmt_encode(buf, MGMT_T_VERSION, 4, NULL, 0);
	feed_all(buf, b, 1, &e);
	CU_ASSERT_EQUAL(e.n, 0); /* eaten as payload so far */
	CU_ASSERT_EQUAL(mgmt_dec_flush(&dec), MGMT_DEC_TRUNCATED);
	CU_ASSERT_EQUAL(dec.err_seq, 3);
	CU_ASSERT_EQUAL(mgmt_dec_feed(&dec, NULL, 0, &used), MGMT_DEC_FRAME);
	CU_ASSERT_EQUAL(dec.frame.seq, 4);
	CU_ASSERT_EQUAL(mgmt_dec_feed(&dec, NULL, 0, &used), MGMT_DEC_NONE);
	CU_ASSERT_FALSE(mgmt_dec_busy(&dec));
	CU_ASSERT_EQUAL(mgmt_dec_flush(&dec), MGMT_DEC_NONE);
}

static void test_tlv(void)
{
	uint8_t buf[256];
	struct mgmt_tlv_writer w;
	char s[16];
	uint64_t v;
	size_t mark;
	const uint8_t *val;
	uint16_t vlen;

	mgmt_tlv_init(&w, buf, sizeof(buf));
	mgmt_tlv_put_u64(&w, MGMT_F_STATUS, (uint64_t)-22);
	mgmt_tlv_put_str(&w, MGMT_F_NAME, "web");
	mark = mgmt_tlv_begin(&w, MGMT_F_DOMAIN);
	mgmt_tlv_put_u64(&w, MGMT_F_ID, 3);
	mgmt_tlv_end(&w, mark);
	CU_ASSERT_FALSE(w.overflow);
	CU_ASSERT_TRUE(mgmt_tlv_valid(buf, w.len));
	CU_ASSERT_TRUE(mgmt_tlv_u64(buf, w.len, MGMT_F_STATUS, &v));
	CU_ASSERT_EQUAL((int64_t)v, -22);
	CU_ASSERT_TRUE(mgmt_tlv_str(buf, w.len, MGMT_F_NAME, s, sizeof(s)));
	CU_ASSERT_STRING_EQUAL(s, "web");
	CU_ASSERT_FALSE(mgmt_tlv_str(buf, w.len, MGMT_F_NAME, s, 3));
	CU_ASSERT_TRUE(mgmt_tlv_find(buf, w.len, MGMT_F_DOMAIN, &val, &vlen));
	CU_ASSERT_EQUAL(vlen, 12);
	CU_ASSERT_TRUE(mgmt_tlv_valid(val, vlen));
	CU_ASSERT_TRUE(mgmt_tlv_u64(val, vlen, MGMT_F_ID, &v));
	CU_ASSERT_EQUAL(v, 3);
	CU_ASSERT_FALSE(mgmt_tlv_u64(buf, w.len, MGMT_F_ID, &v));
	/* The name is not a u64; a cut field is invalid. */
	CU_ASSERT_FALSE(mgmt_tlv_u64(buf, w.len, MGMT_F_NAME, &v));
	CU_ASSERT_FALSE(mgmt_tlv_valid(buf, w.len - 1));
	CU_ASSERT_FALSE(mgmt_tlv_valid(buf, 3));
	/* Control characters are refused in strings. */
	mgmt_tlv_init(&w, buf, sizeof(buf));
	mgmt_tlv_put(&w, MGMT_F_NAME, "a\033b", 3);
	CU_ASSERT_FALSE(mgmt_tlv_str(buf, w.len, MGMT_F_NAME, s, sizeof(s)));
	/* Overflow is sticky. */
	mgmt_tlv_init(&w, buf, 10);
	mgmt_tlv_put_u64(&w, MGMT_F_ID, 1);
	CU_ASSERT_TRUE(w.overflow);
}

/* A repeated string field: every occurrence, in order, by iteration. */
static void test_repeated_str(void)
{
	static const char *const names[] = { "io", "hlt", "npf" };
	uint8_t buf[128];
	struct mgmt_tlv_writer w;
	size_t pos = 0;
	uint16_t tag, vlen;
	const uint8_t *val;
	char s[8];
	unsigned int n = 0;

	mgmt_tlv_init(&w, buf, sizeof(buf));
	mgmt_tlv_put_str(&w, MGMT_F_EXIT_NAME, names[0]);
	mgmt_tlv_put_u64(&w, MGMT_F_FREE, 5);
	mgmt_tlv_put_str(&w, MGMT_F_EXIT_NAME, names[1]);
	mgmt_tlv_put_str(&w, MGMT_F_EXIT_NAME, names[2]);
	while (mgmt_tlv_next(buf, w.len, &pos, &tag, &val, &vlen)) {
		if (tag != MGMT_F_EXIT_NAME)
			continue;
		CU_ASSERT_TRUE(mgmt_tlv_str_val(val, vlen, s, sizeof(s)));
		CU_ASSERT(n < 3 && !strcmp(s, names[n]));
		n++;
	}
	CU_ASSERT_EQUAL(n, 3);
	/* Too long for @cap, or a control character: refused. */
	CU_ASSERT_FALSE(mgmt_tlv_str_val((const uint8_t *)"npf", 3, s, 3));
	CU_ASSERT_TRUE(mgmt_tlv_str_val((const uint8_t *)"npf", 3, s, 4));
	CU_ASSERT_FALSE(mgmt_tlv_str_val((const uint8_t *)"a\rb", 3, s, 8));
	CU_ASSERT_FALSE(mgmt_tlv_str_val((const uint8_t *)"", 0, s, 0));
	CU_ASSERT_TRUE(mgmt_tlv_str_val((const uint8_t *)"", 0, s, 1));
	CU_ASSERT_STRING_EQUAL(s, "");
}

/* u64 arrays: counts by index, little-endian, round-trip exactly. */
static void test_u64s(void)
{
	const uint64_t in[4] = { 0, 1, 0x0102030405060708ull, UINT64_MAX };
	uint64_t out[4] = { 9, 9, 9, 9 }, one;
	uint8_t buf[64];
	struct mgmt_tlv_writer w;

	mgmt_tlv_init(&w, buf, sizeof(buf));
	mgmt_tlv_put_u64s(&w, MGMT_F_EXIT_COUNTS, in, 4);
	mgmt_tlv_put_u64(&w, MGMT_F_ID, 7);
	CU_ASSERT_FALSE(w.overflow);
	CU_ASSERT_EQUAL(w.len, 4 + 32 + 12);
	CU_ASSERT_TRUE(mgmt_tlv_valid(buf, w.len));
	/* Byte order on the wire: the third value's low byte first. */
	CU_ASSERT_EQUAL(buf[4 + 16], 0x08);
	CU_ASSERT_EQUAL(buf[4 + 23], 0x01);
	CU_ASSERT_EQUAL(mgmt_tlv_u64s(buf, w.len, MGMT_F_EXIT_COUNTS, out, 4), 4);
	CU_ASSERT_EQUAL(memcmp(in, out, sizeof(in)), 0);
	/* @max bounds what is stored. */
	memset(out, 0, sizeof(out));
	CU_ASSERT_EQUAL(mgmt_tlv_u64s(buf, w.len, MGMT_F_EXIT_COUNTS, out, 2), 2);
	CU_ASSERT_EQUAL(out[1], 1);
	CU_ASSERT_EQUAL(out[2], 0);
	/* Absent, and not a whole number of u64s: nothing. */
	CU_ASSERT_EQUAL(mgmt_tlv_u64s(buf, w.len, MGMT_F_CPUS, out, 4), 0);
	mgmt_tlv_init(&w, buf, sizeof(buf));
	mgmt_tlv_put(&w, MGMT_F_EXIT_COUNTS, "12345678901", 11);
	CU_ASSERT_EQUAL(mgmt_tlv_u64s(buf, w.len, MGMT_F_EXIT_COUNTS, out, 4), 0);
	/* A one-element array is also a u64 field; an empty one is valid. */
	mgmt_tlv_init(&w, buf, sizeof(buf));
	mgmt_tlv_put_u64s(&w, MGMT_F_COUNT, &in[2], 1);
	mgmt_tlv_put_u64s(&w, MGMT_F_EXIT_COUNTS, in, 0);
	CU_ASSERT_TRUE(mgmt_tlv_valid(buf, w.len));
	CU_ASSERT_TRUE(mgmt_tlv_u64(buf, w.len, MGMT_F_COUNT, &one));
	CU_ASSERT_EQUAL(one, in[2]);
	CU_ASSERT_EQUAL(mgmt_tlv_u64s(buf, w.len, MGMT_F_EXIT_COUNTS, out, 4), 0);
	/* What does not fit overflows, leaving the writer marked. */
	mgmt_tlv_init(&w, buf, 4 + 3 * 8);
	mgmt_tlv_put_u64s(&w, MGMT_F_EXIT_COUNTS, in, 4);
	CU_ASSERT_TRUE(w.overflow);
}

void unit_register(void)
{
	CU_pSuite s = CU_add_suite("mgmt", NULL, NULL);

	CU_add_test(s, "crc32", test_crc32);
	CU_add_test(s, "roundtrip", test_roundtrip);
	CU_add_test(s, "garbage", test_garbage);
	CU_add_test(s, "bad crc resyncs", test_bad_crc_resyncs);
	CU_add_test(s, "damaged header", test_damaged_header);
	CU_add_test(s, "too big, bad version", test_too_big_and_version);
	CU_add_test(s, "truncated", test_truncated);
	CU_add_test(s, "tlv", test_tlv);
	CU_add_test(s, "u64 arrays", test_u64s);
	CU_add_test(s, "repeated strings", test_repeated_str);
}

UNIT_MAIN
