/*
 * hvm/crcheck.c: CR4 bits follow the guest's CPUID; CR0 and EFER writes
 * that the manual faults are refused, so a guest cannot put them into
 * the VMCB or VMCS and have VM entry fail.
 */
#include "unit.h"
#include <hvm/crcheck.h>

/* A guest as trivisor's policy shows it on QEMU -cpu max: no XSAVE,
 * PCID, VMX, leaf-7 ECX/EDX, or MCE; FSGSBASE, SMEP, SMAP, LM, NX. */
static const struct hvm_cr_features guest = {
	.l1_ecx = 0,
	.l1_edx = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 6) |
		  (1u << 13) | (1u << 24) | (1u << 25),
	.l7_ebx = (1u << 0) | (1u << 7) | (1u << 20),
	.e1_edx = (1u << 20) | (1u << 29),
};
static const struct hvm_cr_features none;

static void test_hidden_bits(void)
{
	static const uint64_t hidden[] = {
		HVM_CR4_OSXSAVE, HVM_CR4_LA57, HVM_CR4_PKE, HVM_CR4_UMIP,
		HVM_CR4_VMXE,	 HVM_CR4_SMXE, HVM_CR4_PCIDE, HVM_CR4_CET,
		HVM_CR4_MCE,	 1ull << 15,   1ull << 19,    1ull << 24,
		1ull << 32,	 1ull << 63,
	};
	uint64_t base = HVM_CR4_PAE | HVM_CR4_PGE | HVM_CR4_OSFXSR;

	CU_ASSERT_TRUE(hvm_cr4_write_ok(&guest, 0, base, false, 0));
	CU_ASSERT_TRUE(hvm_cr4_write_ok(&guest, 0, base | HVM_CR4_SMEP |
					HVM_CR4_SMAP | HVM_CR4_FSGSBASE |
					HVM_CR4_PCE | HVM_CR4_VME |
					HVM_CR4_PVI | HVM_CR4_TSD |
					HVM_CR4_DE | HVM_CR4_PSE |
					HVM_CR4_OSXMMEXCPT,
					false, 0));
	for (unsigned int i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		CU_ASSERT_FALSE(hvm_cr4_write_ok(&guest, base, base | hidden[i],
						 false, 0));
	/* With the features shown, the same bits are fine. */
	{
		struct hvm_cr_features all = guest;

		all.l1_ecx |= (1u << 26) | (1u << 5);
		all.l7_ecx |= (1u << 2) | (1u << 3) | (1u << 16);
		CU_ASSERT_TRUE(hvm_cr4_write_ok(&all, 0, HVM_CR4_OSXSAVE |
						HVM_CR4_PKE | HVM_CR4_UMIP |
						HVM_CR4_LA57 | HVM_CR4_VMXE,
						false, 0));
	}
	CU_ASSERT_EQUAL(hvm_cr4_allowed(&none), HVM_CR4_PCE);
}

static void test_cr4_long_mode(void)
{
	struct hvm_cr_features f = guest;
	uint64_t lm = HVM_CR4_PAE | HVM_CR4_PGE;

	f.l1_ecx |= 1u << 17; /* PCID */
	f.l7_ecx |= 1u << 16; /* LA57 */
	CU_ASSERT_FALSE(hvm_cr4_write_ok(&f, lm, lm & ~HVM_CR4_PAE, true, 0));
	CU_ASSERT_TRUE(hvm_cr4_write_ok(&f, lm, lm & ~HVM_CR4_PGE, true, 0));
	CU_ASSERT_FALSE(hvm_cr4_write_ok(&f, lm, lm | HVM_CR4_LA57, true, 0));
	CU_ASSERT_TRUE(hvm_cr4_write_ok(&f, 0, HVM_CR4_LA57, false, 0));
	CU_ASSERT_FALSE(hvm_cr4_write_ok(&f, lm, lm | HVM_CR4_PCIDE, false, 0));
	CU_ASSERT_FALSE(hvm_cr4_write_ok(&f, lm, lm | HVM_CR4_PCIDE, true,
					 0x1001));
	CU_ASSERT_TRUE(hvm_cr4_write_ok(&f, lm, lm | HVM_CR4_PCIDE, true,
					0x1000));
}

static void test_cr0(void)
{
	uint64_t pe = HVM_CR0_PE | (1u << 4) | (1u << 5);

	CU_ASSERT_TRUE(hvm_cr0_write_ok(pe, pe | HVM_CR0_PG, 0, 0, false));
	CU_ASSERT_FALSE(hvm_cr0_write_ok(pe, (pe | HVM_CR0_PG) & ~HVM_CR0_PE,
					 0, 0, false));
	CU_ASSERT_FALSE(hvm_cr0_write_ok(pe, pe | HVM_CR0_NW, 0, 0, false));
	CU_ASSERT_TRUE(hvm_cr0_write_ok(pe, pe | HVM_CR0_NW | HVM_CR0_CD, 0,
					0, false));
	CU_ASSERT_FALSE(hvm_cr0_write_ok(pe, pe | (1ull << 32), 0, 0, false));
	/* Entering long mode needs PAE; leaving it from 64-bit code #GPs. */
	CU_ASSERT_FALSE(hvm_cr0_write_ok(pe, pe | HVM_CR0_PG, 0,
					 HVM_EFER_LME_BIT, false));
	CU_ASSERT_TRUE(hvm_cr0_write_ok(pe, pe | HVM_CR0_PG, HVM_CR4_PAE,
					HVM_EFER_LME_BIT, false));
	CU_ASSERT_FALSE(hvm_cr0_write_ok(pe | HVM_CR0_PG, pe, HVM_CR4_PAE,
					 HVM_EFER_LME_BIT | HVM_EFER_LMA_BIT,
					 true));
	CU_ASSERT_TRUE(hvm_cr0_write_ok(pe | HVM_CR0_PG, pe, HVM_CR4_PAE,
					HVM_EFER_LME_BIT | HVM_EFER_LMA_BIT,
					false));
}

static void test_efer(void)
{
	CU_ASSERT_TRUE(hvm_efer_write_ok(&guest, 0, HVM_EFER_LME_BIT, 0));
	CU_ASSERT_FALSE(hvm_efer_write_ok(&none, 0, HVM_EFER_LME_BIT, 0));
	CU_ASSERT_FALSE(hvm_efer_write_ok(&none, 0, HVM_EFER_NXE_BIT, 0));
	CU_ASSERT_FALSE(hvm_efer_write_ok(&guest, 0, HVM_EFER_LME_BIT,
					  HVM_CR0_PG | HVM_CR0_PE));
	CU_ASSERT_TRUE(hvm_efer_write_ok(&guest, HVM_EFER_LME_BIT,
					 HVM_EFER_LME_BIT | HVM_EFER_NXE_BIT,
					 HVM_CR0_PG | HVM_CR0_PE));
	CU_ASSERT_FALSE(hvm_efer_write_ok(&guest, HVM_EFER_LME_BIT, 0,
					  HVM_CR0_PG | HVM_CR0_PE));
}

void unit_register(void)
{
	CU_pSuite s = CU_add_suite("crcheck", NULL, NULL);

	CU_add_test(s, "CR4 bits the guest's CPUID hides", test_hidden_bits);
	CU_add_test(s, "CR4 in IA-32e mode", test_cr4_long_mode);
	CU_add_test(s, "CR0", test_cr0);
	CU_add_test(s, "EFER", test_efer);
}

UNIT_MAIN
