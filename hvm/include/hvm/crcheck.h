/*
 * Control-register and EFER writes checked against the guest's CPUID,
 * not the host's.  The CPU checks MOV to CR4 against its own features,
 * so a bit CPUID hides from the guest (OSXSAVE without XSAVE, LA57, PKE,
 * UMIP, ...) would be accepted where the guest runs; and values written
 * into the VMCB or VMCS by an emulated write skip the CPU's checks
 * altogether, which lets a guest build a state VM entry refuses (the
 * domain is then killed) instead of taking the #GP the manual
 * prescribes.  Portable: the features come from the caller.
 */
#ifndef HVM_CRCHECK_H
#define HVM_CRCHECK_H

#include <stdbool.h>
#include <stdint.h>

#define HVM_CR0_PE (1ull << 0)
#define HVM_CR0_NW (1ull << 29)
#define HVM_CR0_CD (1ull << 30)
#define HVM_CR0_PG (1ull << 31)

#define HVM_CR4_VME (1ull << 0)
#define HVM_CR4_PVI (1ull << 1)
#define HVM_CR4_TSD (1ull << 2)
#define HVM_CR4_DE (1ull << 3)
#define HVM_CR4_PSE (1ull << 4)
#define HVM_CR4_PAE (1ull << 5)
#define HVM_CR4_MCE (1ull << 6)
#define HVM_CR4_PGE (1ull << 7)
#define HVM_CR4_PCE (1ull << 8)
#define HVM_CR4_OSFXSR (1ull << 9)
#define HVM_CR4_OSXMMEXCPT (1ull << 10)
#define HVM_CR4_UMIP (1ull << 11)
#define HVM_CR4_LA57 (1ull << 12)
#define HVM_CR4_VMXE (1ull << 13)
#define HVM_CR4_SMXE (1ull << 14)
#define HVM_CR4_FSGSBASE (1ull << 16)
#define HVM_CR4_PCIDE (1ull << 17)
#define HVM_CR4_OSXSAVE (1ull << 18)
#define HVM_CR4_SMEP (1ull << 20)
#define HVM_CR4_SMAP (1ull << 21)
#define HVM_CR4_PKE (1ull << 22)
#define HVM_CR4_CET (1ull << 23)

/* CR4 bits whose change flushes the TLB, global entries included (SDM
 * vol. 3A, 4.10.4.1): an emulated write must flush the guest's tag. */
#define HVM_CR4_TLB_BITS                                                     \
	(HVM_CR4_PSE | HVM_CR4_PAE | HVM_CR4_PGE | HVM_CR4_PCIDE |           \
	 HVM_CR4_SMEP | HVM_CR4_SMAP | HVM_CR4_PKE | HVM_CR4_LA57)

#define HVM_EFER_LME_BIT (1ull << 8)
#define HVM_EFER_LMA_BIT (1ull << 10)
#define HVM_EFER_NXE_BIT (1ull << 11)

/* The CPUID words the guest sees (hvm/cpuid-policy.c) that decide. */
struct hvm_cr_features {
	uint32_t l1_ecx, l1_edx; /* leaf 1 */
	uint32_t l7_ebx, l7_ecx, l7_edx; /* leaf 7 subleaf 0 */
	uint32_t e1_edx; /* leaf 0x80000001 */
};

/* The CR4 bits the guest's CPUID defines (SDM vol. 3A, 2.5, table 2-2;
 * AMD APM vol. 2, 3.1.3); the rest are reserved for it. */
uint64_t hvm_cr4_allowed(const struct hvm_cr_features *f);

/*
 * MOV to CR4 of @val over @old, EFER.LMA @lma: true if it is allowed,
 * false for #GP (reserved or hidden bit, PAE cleared or LA57 changed in
 * IA-32e mode, PCIDE set outside it or with CR3[11:0] != 0).
 */
bool hvm_cr4_write_ok(const struct hvm_cr_features *f, uint64_t old,
		      uint64_t val, bool lma, uint64_t cr3);

/*
 * MOV to CR0 of @val (SDM vol. 2B, MOV CR; vol. 3A, 10.8.5): false for
 * #GP on bits 63:32, PG without PE, NW without CD, paging enabled with
 * EFER.LME but not CR4.PAE, or paging disabled in 64-bit code (@cs_l:
 * CS.L with EFER.LMA).
 */
bool hvm_cr0_write_ok(uint64_t old, uint64_t val, uint64_t cr4,
		      uint64_t efer, bool cs_l);

/*
 * WRMSR to EFER of @val over @old (SDM vol. 4, IA32_EFER; vol. 3A,
 * 10.8.5): false for #GP on LME without long mode or NXE without NX in
 * the guest's CPUID, or a change of LME while CR0.PG is set.  Bits
 * outside what the hypervisor lets guests have are the caller's check.
 */
bool hvm_efer_write_ok(const struct hvm_cr_features *f, uint64_t old,
		       uint64_t val, uint64_t cr0);

/* Hypervisor glue (hvm/run.c): the words above as the vCPU's CPUID
 * policy reports them. */
struct vcpu;
void hvm_cr_features(struct vcpu *v, struct hvm_cr_features *f);

#endif
