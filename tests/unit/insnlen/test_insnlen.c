/*
 * hvm/insnlen.c: the length skipped after an intercepted instruction is
 * the decoded one, whatever the CPU (or a nested hypervisor under us)
 * reported; the CPU's is used only when the bytes do not decode.
 */
#include "unit.h"
#include <hvm/insnlen.h>
#include <bt/decode.h>

static int pick(const uint8_t *b, size_t n, unsigned int mode, bool have,
		uint64_t hw, unsigned int *len)
{
	*len = 99;
	return hvm_insn_len_pick(b, n, mode, have, hw, len);
}

/* The report that started it: a 1-byte "in al, dx" and 8 from the CPU. */
static void test_in_reported_8(void)
{
	static const uint8_t in_al_dx[15] = { 0xec, 0x90, 0x90 };
	unsigned int len;

	CU_ASSERT_EQUAL(pick(in_al_dx, 15, BT_MODE_64, true, 8, &len),
			HVM_LEN_MISMATCH);
	CU_ASSERT_EQUAL(len, 1);
	CU_ASSERT_EQUAL(pick(in_al_dx, 15, BT_MODE_32, true, 1, &len),
			HVM_LEN_OK);
	CU_ASSERT_EQUAL(len, 1);
}

static void test_range(void)
{
	static const uint8_t cpuid[] = { 0x0f, 0xa2 };
	unsigned int len;

	CU_ASSERT_EQUAL(pick(cpuid, 2, BT_MODE_32, true, 0, &len),
			HVM_LEN_RANGE);
	CU_ASSERT_EQUAL(len, 2);
	CU_ASSERT_EQUAL(pick(cpuid, 2, BT_MODE_32, true, 16, &len),
			HVM_LEN_RANGE);
	CU_ASSERT_EQUAL(len, 2);
	/* A wrapped RIP difference whose low bits look like a length. */
	CU_ASSERT_EQUAL(pick(cpuid, 2, BT_MODE_32, true, 0x100000002ull,
			     &len),
			HVM_LEN_RANGE);
	CU_ASSERT_EQUAL(len, 2);
	CU_ASSERT_EQUAL(pick(cpuid, 2, BT_MODE_32, true, (uint64_t)-1, &len),
			HVM_LEN_RANGE);
}

/* No length from the CPU (SVM without next-RIP save): prefixes count. */
static void test_prefixed_without_report(void)
{
	static const uint8_t cs_cpuid[] = { 0x2e, 0x0f, 0xa2 };
	static const uint8_t ds_ds_rdmsr[] = { 0x3e, 0x3e, 0x0f, 0x32 };
	static const uint8_t vmmcall[] = { 0x0f, 0x01, 0xd9 };
	static const uint8_t out_dx_ax[] = { 0x66, 0xef };
	unsigned int len;

	CU_ASSERT_EQUAL(pick(cs_cpuid, 3, BT_MODE_32, false, 0, &len),
			HVM_LEN_NONE);
	CU_ASSERT_EQUAL(len, 3);
	CU_ASSERT_EQUAL(pick(ds_ds_rdmsr, 4, BT_MODE_64, false, 0, &len),
			HVM_LEN_NONE);
	CU_ASSERT_EQUAL(len, 4);
	CU_ASSERT_EQUAL(pick(vmmcall, 3, BT_MODE_64 | BT_MODE_AMD, false, 0,
			     &len),
			HVM_LEN_NONE);
	CU_ASSERT_EQUAL(len, 3);
	CU_ASSERT_EQUAL(pick(out_dx_ax, 2, BT_MODE_16, true, 2, &len),
			HVM_LEN_OK);
	CU_ASSERT_EQUAL(len, 2);
}

/* Bytes that do not decode (or could not be fetched): the CPU's length
 * if it is one, else none at all. */
static void test_undecodable(void)
{
	static const uint8_t ud[] = { 0x0f, 0xff };
	unsigned int len;

	CU_ASSERT_EQUAL(pick(ud, 2, BT_MODE_32, true, 2, &len),
			HVM_LEN_UNDECODED);
	CU_ASSERT_EQUAL(len, 2);
	CU_ASSERT_EQUAL(pick(ud, 2, BT_MODE_32, true, 40, &len),
			HVM_LEN_UNDECODED);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_EQUAL(pick(ud, 0, BT_MODE_32, false, 0, &len),
			HVM_LEN_UNDECODED);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_EQUAL(pick(ud, 0, BT_MODE_32, true, 3, &len),
			HVM_LEN_UNDECODED);
	CU_ASSERT_EQUAL(len, 3);
}

void unit_register(void)
{
	CU_pSuite s = CU_add_suite("insnlen", NULL, NULL);

	CU_add_test(s, "in al,dx reported as 8 bytes", test_in_reported_8);
	CU_add_test(s, "lengths outside 1-15", test_range);
	CU_add_test(s, "prefixed, no report", test_prefixed_without_report);
	CU_add_test(s, "undecodable", test_undecodable);
}

UNIT_MAIN
