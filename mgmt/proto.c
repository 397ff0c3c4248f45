/*
 * Management protocol codec: CRC-32, frame encoding, the stream decoder
 * and TLV fields (docs/management-protocol.md).  Portable: no allocation,
 * no I/O, only memcpy/memmove/memcmp/strlen.
 *
 * Header, 24 bytes, little-endian:
 *     0 magic "TVMP"   4 version   5 type   6 flags (0)
 *     8 seq           12 length   16 payload CRC   20 header CRC
 * The header CRC covers bytes 0-19, so a damaged length or seq is caught
 * before it is believed.
 */
#include <mgmt/proto.h>
#include <string.h>

static const uint32_t crc_nibble[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
	0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

uint32_t mgmt_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ crc_nibble[crc & 15];
		crc = (crc >> 4) ^ crc_nibble[crc & 15];
	}
	return ~crc;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

size_t mgmt_encode(uint8_t *out, uint8_t type, uint32_t seq,
		   const uint8_t *payload, uint32_t len)
{
	if (len > MGMT_MAX_PAYLOAD)
		return 0;
	put32(out, MGMT_MAGIC);
	out[4] = MGMT_VERSION;
	out[5] = type;
	out[6] = 0;
	out[7] = 0;
	put32(out + 8, seq);
	put32(out + 12, len);
	put32(out + 16, mgmt_crc32(0, payload, len));
	put32(out + 20, mgmt_crc32(0, out, 20));
	if (len)
		memmove(out + MGMT_HDR_SIZE, payload, len);
	return MGMT_HDR_SIZE + (size_t)len;
}

void mgmt_dec_init(struct mgmt_dec *dec)
{
	dec->n = 0;
	dec->scan = 0;
	dec->need = MGMT_HDR_SIZE;
	dec->drop_next = 0;
	dec->garbage = 0;
	dec->err_seq = 0;
	dec->err_type = 0;
}

/* Forget the first @k bytes held; the rest are scanned again. */
static void drop(struct mgmt_dec *dec, size_t k, bool garbage)
{
	if (k > dec->n)
		k = dec->n;
	memmove(dec->buf, dec->buf + k, dec->n - k);
	dec->n -= k;
	dec->scan = 0;
	dec->need = MGMT_HDR_SIZE;
	if (garbage)
		dec->garbage += k;
}

/* Check held bytes up to dec->n; returns an event or MGMT_DEC_NONE. */
static int process(struct mgmt_dec *dec)
{
	static const uint8_t magic[4] = { 'T', 'V', 'M', 'P' };
	const uint8_t *b = dec->buf;

	while (dec->scan < dec->n) {
		size_t i = dec->scan;

		if (i < 4 && b[i] != magic[i]) {
			drop(dec, 1, true);
			continue;
		}
		dec->scan++;
		if (dec->scan == MGMT_HDR_SIZE) {
			uint32_t len = get32(b + 12);

			if (get32(b + 20) != mgmt_crc32(0, b, 20)) {
				drop(dec, 1, true);
				continue;
			}
			dec->err_seq = get32(b + 8);
			dec->err_type = b[5];
			if (b[4] != MGMT_VERSION) {
				dec->drop_next = MGMT_HDR_SIZE;
				return MGMT_DEC_BAD_VERSION;
			}
			if (len > MGMT_MAX_PAYLOAD) {
				dec->drop_next = MGMT_HDR_SIZE;
				return MGMT_DEC_TOO_BIG;
			}
			dec->need = MGMT_HDR_SIZE + (size_t)len;
		}
		if (dec->scan >= MGMT_HDR_SIZE && dec->scan == dec->need) {
			size_t len = dec->need - MGMT_HDR_SIZE;

			if (get32(b + 16) !=
			    mgmt_crc32(0, b + MGMT_HDR_SIZE, len)) {
				/* Hunt again from the next byte: a frame
				 * cut off and followed by a new one still
				 * yields the new one. */
				dec->drop_next = 1;
				return MGMT_DEC_BAD_CRC;
			}
			dec->frame.type = b[5];
			dec->frame.seq = get32(b + 8);
			dec->frame.len = (uint32_t)len;
			dec->frame.payload = b + MGMT_HDR_SIZE;
			dec->drop_next = dec->need;
			return MGMT_DEC_FRAME;
		}
	}
	return MGMT_DEC_NONE;
}

int mgmt_dec_feed(struct mgmt_dec *dec, const uint8_t *in, size_t len,
		  size_t *used)
{
	int ev;

	*used = 0;
	if (dec->drop_next) {
		drop(dec, dec->drop_next, false);
		dec->drop_next = 0;
	}
	ev = process(dec);
	if (ev != MGMT_DEC_NONE)
		return ev;
	while (*used < len) {
		/* All held bytes are scanned and short of dec->need, which
		 * is at most MGMT_MAX_FRAME: there is room. */
		dec->buf[dec->n++] = in[(*used)++];
		ev = process(dec);
		if (ev != MGMT_DEC_NONE)
			return ev;
	}
	return MGMT_DEC_NONE;
}

bool mgmt_dec_busy(const struct mgmt_dec *dec)
{
	return dec->n > (dec->drop_next < dec->n ? dec->drop_next : dec->n);
}

int mgmt_dec_flush(struct mgmt_dec *dec)
{
	if (dec->drop_next) {
		drop(dec, dec->drop_next, false);
		dec->drop_next = 0;
	}
	if (!dec->n)
		return MGMT_DEC_NONE;
	dec->err_seq = dec->scan >= MGMT_HDR_SIZE ? get32(dec->buf + 8) : 0;
	dec->err_type = dec->scan >= MGMT_HDR_SIZE ? dec->buf[5] : 0;
	/* What follows the partial frame's first byte may hold a complete
	 * frame: mgmt_dec_feed(dec, NULL, 0, ...) finds it. */
	dec->drop_next = 1;
	return MGMT_DEC_TRUNCATED;
}

void mgmt_tlv_init(struct mgmt_tlv_writer *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->overflow = false;
}

void mgmt_tlv_put(struct mgmt_tlv_writer *w, uint16_t tag, const void *val,
		  size_t len)
{
	if (w->overflow || len > 0xffff || w->cap - w->len < 4 + len) {
		w->overflow = true;
		return;
	}
	w->buf[w->len] = (uint8_t)tag;
	w->buf[w->len + 1] = (uint8_t)(tag >> 8);
	w->buf[w->len + 2] = (uint8_t)len;
	w->buf[w->len + 3] = (uint8_t)(len >> 8);
	if (len)
		memcpy(w->buf + w->len + 4, val, len);
	w->len += 4 + len;
}

void mgmt_tlv_put_u64(struct mgmt_tlv_writer *w, uint16_t tag, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	mgmt_tlv_put(w, tag, b, 8);
}

void mgmt_tlv_put_str(struct mgmt_tlv_writer *w, uint16_t tag, const char *s)
{
	size_t n = strlen(s);

	mgmt_tlv_put(w, tag, s, n > MGMT_STR_MAX ? MGMT_STR_MAX : n);
}

size_t mgmt_tlv_begin(struct mgmt_tlv_writer *w, uint16_t tag)
{
	size_t mark = w->len;

	mgmt_tlv_put(w, tag, NULL, 0);
	return mark;
}

void mgmt_tlv_end(struct mgmt_tlv_writer *w, size_t mark)
{
	size_t len = w->len - mark - 4;

	if (w->overflow)
		return;
	if (len > 0xffff) {
		w->overflow = true;
		return;
	}
	w->buf[mark + 2] = (uint8_t)len;
	w->buf[mark + 3] = (uint8_t)(len >> 8);
}

bool mgmt_tlv_next(const uint8_t *buf, size_t len, size_t *pos, uint16_t *tag,
		   const uint8_t **val, uint16_t *vlen)
{
	size_t p = *pos, l;

	if (p >= len || len - p < 4)
		return false;
	l = (size_t)buf[p + 2] | (size_t)buf[p + 3] << 8;
	if (len - p - 4 < l)
		return false;
	*tag = (uint16_t)(buf[p] | buf[p + 1] << 8);
	*vlen = (uint16_t)l;
	*val = buf + p + 4;
	*pos = p + 4 + l;
	return true;
}

bool mgmt_tlv_valid(const uint8_t *buf, size_t len)
{
	size_t pos = 0;
	uint16_t tag, vlen;
	const uint8_t *val;

	while (mgmt_tlv_next(buf, len, &pos, &tag, &val, &vlen))
		;
	return pos == len;
}

bool mgmt_tlv_find(const uint8_t *buf, size_t len, uint16_t tag,
		   const uint8_t **val, uint16_t *vlen)
{
	size_t pos = 0;
	uint16_t t;

	while (mgmt_tlv_next(buf, len, &pos, &t, val, vlen))
		if (t == tag)
			return true;
	return false;
}

void mgmt_tlv_put_u64s(struct mgmt_tlv_writer *w, uint16_t tag,
		       const uint64_t *v, size_t n)
{
	size_t mark = mgmt_tlv_begin(w, tag);

	for (size_t i = 0; i < n; i++) {
		uint8_t b[8];

		for (int j = 0; j < 8; j++)
			b[j] = (uint8_t)(v[i] >> (8 * j));
		if (w->overflow || w->cap - w->len < 8) {
			w->overflow = true;
			break;
		}
		memcpy(w->buf + w->len, b, 8);
		w->len += 8;
	}
	mgmt_tlv_end(w, mark);
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

size_t mgmt_tlv_u64s(const uint8_t *buf, size_t len, uint16_t tag,
		     uint64_t *out, size_t max)
{
	const uint8_t *val;
	uint16_t vlen;
	size_t n = 0;

	if (!mgmt_tlv_find(buf, len, tag, &val, &vlen) || vlen % 8)
		return 0;
	for (; n < max && n < vlen / 8u; n++)
		out[n] = get_le64(val + 8 * n);
	return n;
}

bool mgmt_tlv_u64(const uint8_t *buf, size_t len, uint16_t tag, uint64_t *v)
{
	const uint8_t *val;
	uint16_t vlen;

	if (!mgmt_tlv_find(buf, len, tag, &val, &vlen) || vlen != 8)
		return false;
	*v = get_le64(val);
	return true;
}

bool mgmt_tlv_str_val(const uint8_t *val, uint16_t vlen, char *out,
		      size_t cap)
{
	if (!cap || vlen >= cap)
		return false;
	for (uint16_t i = 0; i < vlen; i++)
		if (val[i] < 32 && val[i] != '\t' && val[i] != '\n')
			return false;
	memcpy(out, val, vlen);
	out[vlen] = '\0';
	return true;
}

bool mgmt_tlv_str(const uint8_t *buf, size_t len, uint16_t tag, char *out,
		  size_t cap)
{
	const uint8_t *val;
	uint16_t vlen;

	return mgmt_tlv_find(buf, len, tag, &val, &vlen) &&
	       mgmt_tlv_str_val(val, vlen, out, cap);
}
