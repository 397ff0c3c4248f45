/*
 * The architectural checks on CR0, CR4 and EFER writes, against the
 * guest's CPUID (hvm/crcheck.h).  Portable.
 */
#include <hvm/crcheck.h>

#define B(n) (1u << (n))

uint64_t hvm_cr4_allowed(const struct hvm_cr_features *f)
{
	/* Each bit with the CPUID flag that defines it (SDM vol. 3A, 2.5;
	 * vol. 2A, CPUID tables 3-10, 3-11 and 3-8 leaf 7). */
	static const struct {
		uint64_t bit;
		uint8_t word, flag; /* word: 0 l1_ecx 1 l1_edx 2-4 l7 5 e1 */
	} defs[] = {
		{ HVM_CR4_VME, 1, 1 },	     { HVM_CR4_PVI, 1, 1 },
		{ HVM_CR4_TSD, 1, 4 },	     { HVM_CR4_DE, 1, 2 },
		{ HVM_CR4_PSE, 1, 3 },	     { HVM_CR4_PAE, 1, 6 },
		{ HVM_CR4_MCE, 1, 7 },	     { HVM_CR4_PGE, 1, 13 },
		{ HVM_CR4_OSFXSR, 1, 24 },   { HVM_CR4_OSXMMEXCPT, 1, 25 },
		{ HVM_CR4_UMIP, 3, 2 },	     { HVM_CR4_LA57, 3, 16 },
		{ HVM_CR4_VMXE, 0, 5 },	     { HVM_CR4_SMXE, 0, 6 },
		{ HVM_CR4_FSGSBASE, 2, 0 },  { HVM_CR4_PCIDE, 0, 17 },
		{ HVM_CR4_OSXSAVE, 0, 26 },  { HVM_CR4_SMEP, 2, 7 },
		{ HVM_CR4_SMAP, 2, 20 },     { HVM_CR4_PKE, 3, 3 },
		{ HVM_CR4_CET, 3, 7 },	     { HVM_CR4_CET, 4, 20 },
	};
	const uint32_t words[] = { f->l1_ecx, f->l1_edx, f->l7_ebx,
				   f->l7_ecx, f->l7_edx, f->e1_edx };
	/* PCE has no flag: RDPMC is architectural since the P6. */
	uint64_t ok = HVM_CR4_PCE;

	for (unsigned int i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
		if (words[defs[i].word] & B(defs[i].flag))
			ok |= defs[i].bit;
	return ok;
}

bool hvm_cr4_write_ok(const struct hvm_cr_features *f, uint64_t old,
		      uint64_t val, bool lma, uint64_t cr3)
{
	if (val & ~hvm_cr4_allowed(f))
		return false;
	if (lma && (!(val & HVM_CR4_PAE) || ((old ^ val) & HVM_CR4_LA57)))
		return false;
	if ((val & HVM_CR4_PCIDE) && !(old & HVM_CR4_PCIDE) &&
	    (!lma || (cr3 & 0xfff)))
		return false;
	return true;
}

bool hvm_cr0_write_ok(uint64_t old, uint64_t val, uint64_t cr4,
		      uint64_t efer, bool cs_l)
{
	if (val >> 32)
		return false;
	if ((val & HVM_CR0_PG) && !(val & HVM_CR0_PE))
		return false;
	if ((val & HVM_CR0_NW) && !(val & HVM_CR0_CD))
		return false;
	if ((val & HVM_CR0_PG) && !(old & HVM_CR0_PG) &&
	    (efer & HVM_EFER_LME_BIT) && !(cr4 & HVM_CR4_PAE))
		return false;
	if (!(val & HVM_CR0_PG) && (old & HVM_CR0_PG) && cs_l &&
	    (efer & HVM_EFER_LMA_BIT))
		return false;
	return true;
}

bool hvm_efer_write_ok(const struct hvm_cr_features *f, uint64_t old,
		       uint64_t val, uint64_t cr0)
{
	if ((val & HVM_EFER_LME_BIT) && !(f->e1_edx & B(29)))
		return false;
	if ((val & HVM_EFER_NXE_BIT) && !(f->e1_edx & B(20)))
		return false;
	if (((old ^ val) & HVM_EFER_LME_BIT) && (cr0 & HVM_CR0_PG))
		return false;
	return true;
}
