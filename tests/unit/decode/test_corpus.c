/*
 * Differential self-test against GNU binutils, and robustness.
 *
 * corpus.c holds some 5000 instructions that GNU as assembled in 16-, 32-
 * and 64-bit mode, with the length and operands GNU objdump gave them
 * (gen/corpus.py).  Every one must decode to that length from an
 * exact-size buffer, with the same immediate, branch target and memory
 * operand, and every shorter prefix of it must ask for more bytes.
 *
 * The random tests feed the decoder garbage and check the properties any
 * answer must have, whatever the bytes: no read past the buffer (ASan), a
 * length of 1-15, the same answer from a longer buffer, and "need more"
 * for every cut of a decodable instruction.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "decode-test.h"

static char msg[512];

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		bool ok_ = (cond);                                           \
		if (!ok_) {                                                  \
			snprintf(msg, sizeof(msg), __VA_ARGS__);             \
			CU_assertImplementation(CU_FALSE, __LINE__, msg,     \
						__FILE__, "", CU_FALSE);     \
			failures++;                                          \
		} else {                                                     \
			CU_PASS("");                                         \
		}                                                            \
	} while (0)

static uint64_t low_bytes(uint64_t v, unsigned int n)
{
	return n >= 8 ? v : v & ((1ull << (8 * n)) - 1);
}

static void test_corpus_lengths(void)
{
	unsigned int failures = 0;
	struct bt_insn in, in2;
	uint8_t buf[32];
	size_t i;
	int ret;

	for (i = 0; i < corpus_len && failures < 20; i++) {
		const struct corpus_vec *v = &corpus[i];
		unsigned int mode = mode_of(v->mode);

		ret = decode_exact(v->bytes, v->len, mode, &in);
		CHECK(ret == 0 && in.len == v->len,
		      "%u-bit %s(%s): ret %d len %u, want len %u", v->mode,
		      hexstr(v->bytes, v->len), v->text, ret, in.len, v->len);
		/* Trailing bytes must not change anything. */
		memset(buf, 0x0f, sizeof(buf));
		memcpy(buf, v->bytes, v->len);
		ret = bt_decode(buf, sizeof(buf), mode, &in2);
		CHECK(ret == 0 && !memcmp(&in, &in2, sizeof(in)),
		      "%u-bit %s(%s): differs with trailing bytes", v->mode,
		      hexstr(v->bytes, v->len), v->text);
	}
}

static void test_corpus_operands(void)
{
	unsigned int failures = 0;
	struct bt_insn in;
	size_t i;

	for (i = 0; i < corpus_len && failures < 20; i++) {
		const struct corpus_vec *v = &corpus[i];
		const char *h = hexstr(v->bytes, v->len);

		if (decode_exact(v->bytes, v->len, mode_of(v->mode), &in))
			continue; /* reported by test_corpus_lengths */
		if (v->has & CV_IMM)
			CHECK(in.imm_size &&
			      low_bytes((uint64_t)in.imm, in.imm_size) ==
				      low_bytes(v->imm, in.imm_size),
			      "%s(%s): imm %#llx/%u, want %#llx", h, v->text,
			      (unsigned long long)in.imm, in.imm_size,
			      (unsigned long long)v->imm);
		if (v->has & CV_TARGET)
			CHECK((in.flags & BT_F_REL) &&
			      bt_branch_target(&in, v->ip) == v->target,
			      "%s(%s): target %#llx, want %#llx", h, v->text,
			      (unsigned long long)bt_branch_target(&in, v->ip),
			      (unsigned long long)v->target);
		if (!(v->has & CV_MEM))
			continue;
		CHECK((in.flags & BT_F_MEM) && in.mem.base == v->base &&
		      in.mem.index == v->index && in.mem.scale == v->scale,
		      "%s(%s): mem %#x,%#x,%u flags %#x, want %#x,%#x,%u", h,
		      v->text, in.mem.base, in.mem.index, in.mem.scale,
		      in.flags, v->base, v->index, v->scale);
		/* objdump shows EVEX disp8 already multiplied by N. */
		if (!(in.flags & BT_F_DISP8N))
			CHECK(low_bytes((uint64_t)in.mem.disp, in.disp_size) ==
				      low_bytes(v->disp, in.disp_size),
			      "%s(%s): disp %#llx/%u, want %#llx", h, v->text,
			      (unsigned long long)in.mem.disp, in.disp_size,
			      (unsigned long long)v->disp);
		if (v->seg != 0xff)
			CHECK(in.seg_override == v->seg && in.mem.seg == v->seg,
			      "%s(%s): seg %u/%u, want %u", h, v->text,
			      in.seg_override, in.mem.seg, v->seg);
	}
}

static void test_corpus_truncated(void)
{
	unsigned int failures = 0;
	size_t i;
	int cut;

	for (i = 0; i < corpus_len && failures < 20; i++) {
		const struct corpus_vec *v = &corpus[i];

		cut = first_bad_cut(v->bytes, v->len, mode_of(v->mode));
		CHECK(cut < 0, "%u-bit %s(%s): %d bytes do not ask for more",
		      v->mode, hexstr(v->bytes, v->len), v->text, cut);
	}
}

/* A fixed generator: the test must fail the same way every run. */
static uint32_t rng_state = 0x2545f491;

static uint8_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return (uint8_t)rng_state;
}

static const uint8_t prefix_bytes[] = { 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e,
					0x3e, 0x26, 0x64, 0x65, 0x36, 0x48,
					0x41, 0x4c, 0x40 };

/* Garbage with some structure: prefixes, escapes and VEX-like heads. */
static void random_insn(uint8_t *b, size_t n)
{
	size_t i, p = 0;
	uint8_t r = rng();

	for (i = 0; i < n; i++)
		b[i] = rng();
	while (p < 4 && (rng() & 1))
		b[p++] = prefix_bytes[rng() % sizeof(prefix_bytes)];
	switch (r & 7) {
	case 0:
		b[p] = 0x0f;
		break;
	case 1:
		b[p] = 0x0f;
		b[p + 1] = r & 8 ? 0x38 : 0x3a;
		break;
	case 2:
		b[p] = 0xc4 + (r >> 7);
		b[p + 1] |= 0xc0;
		break;
	case 3:
		b[p] = 0x62;
		b[p + 1] |= 0xc0;
		b[p + 2] |= 0x04;
		break;
	case 4:
		b[p] = 0x8f;
		break;
	default:
		break;
	}
}

static void check_random(unsigned int mode, unsigned int iterations)
{
	unsigned int failures = 0, it;
	struct bt_insn in, in2;
	uint8_t b[16];
	size_t k;
	int ret, r2;

	for (it = 0; it < iterations && failures < 20; it++) {
		random_insn(b, sizeof(b));
		ret = decode_exact(b, sizeof(b), mode, &in);
		/* 16 bytes always suffice to decide. */
		CHECK(ret == 0 || ret == -VMI_EINVAL || ret == -VMI_E2BIG,
		      "mode %#x %s: ret %d", mode, hexstr(b, 16), ret);
		if (ret == 0) {
			CHECK(in.len >= 1 && in.len <= 15, "mode %#x %s: len %u",
			      mode, hexstr(b, 16), in.len);
			r2 = decode_exact(b, in.len, mode, &in2);
			CHECK(r2 == 0 && !memcmp(&in, &in2, sizeof(in)),
			      "mode %#x %s: differs from exact-size decode",
			      mode, hexstr(b, in.len));
			CHECK(first_bad_cut(b, in.len, mode) < 0,
			      "mode %#x %s: a cut does not ask for more", mode,
			      hexstr(b, in.len));
			continue;
		}
		/* Any cut either needs more or already fails the same way. */
		for (k = 0; k < 15; k++) {
			r2 = decode_exact(b, k, mode, &in2);
			CHECK(r2 == -VMI_EAGAIN || r2 == ret,
			      "mode %#x %s: cut %zu gives %d, full %d", mode,
			      hexstr(b, 16), k, r2, ret);
		}
	}
}

static void test_random_16(void)
{
	check_random(BT_MODE_16, 100000);
}

static void test_random_32(void)
{
	check_random(BT_MODE_32, 100000);
}

static void test_random_64(void)
{
	check_random(BT_MODE_64, 150000);
	check_random(BT_MODE_64 | BT_MODE_AMD, 50000);
}

void register_corpus_tests(void)
{
	CU_pSuite s = CU_add_suite("decode: binutils corpus and robustness",
				   NULL, NULL);

	CU_add_test(s, "corpus lengths, exact-size buffers", test_corpus_lengths);
	CU_add_test(s, "corpus operands vs objdump", test_corpus_operands);
	CU_add_test(s, "corpus truncated at every cut", test_corpus_truncated);
	CU_add_test(s, "random bytes, 16-bit", test_random_16);
	CU_add_test(s, "random bytes, 32-bit", test_random_32);
	CU_add_test(s, "random bytes, 64-bit (Intel, AMD)", test_random_64);
}
