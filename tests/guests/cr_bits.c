/*
 * cr_bits - control-register writes fault as the guest's CPUID
 * says, not as the host CPU's features would let them pass.
 *
 * Proves: MOV to CR4 that sets a bit whose CPUID flag this guest does not
 * see (OSXSAVE, UMIP, LA57, PKE, VMXE, SMXE, CET, MCE, FSGSBASE, SMEP,
 * SMAP, as CPUID reports them) or a reserved bit raises #GP(0) and leaves
 * CR4 as it was, and the bits it does see can be set and cleared (SDM
 * vol. 3A, 2.5; vol. 2B, MOV CR).  MOV to CR0 of PG without PE, or NW
 * without CD, raises #GP rather than reaching VM entry, which would
 * refuse it and end the domain (SDM vol. 3C, 26.3.1.1); each is tried
 * together with a flip of CR0.NE, which the VT-x backend intercepts,
 * so that the write exits (on Intel CPUs only: elsewhere the CPU alone
 * checks CR0).
 * Setting EFER.LME with paging on raises #GP instead of reaching the
 * VMCB or VMCS.  Runs in 32-bit protected mode, without paging but for
 * that last check (the rest of the EFER checks are host-tested,
 * tests/unit/crcheck/).
 */
#include "guest.h"

GUEST_TEST("cr_bits");

#define CR0_PE (1u << 0)
#define CR4_PSE (1u << 4)
#define EFER_LME (1u << 8)
#define CR0_NE (1u << 5)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)

static void write_cr4(uint32_t v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static void write_cr0(uint32_t v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

/* guest_try() in a function of its own: no locals of the caller live
 * across its setjmp. */
static __attribute__((noinline)) int try_cr4(uint32_t v)
{
	return guest_try(write_cr4(v));
}

static __attribute__((noinline)) int try_cr0(uint32_t v)
{
	return guest_try(write_cr0(v));
}

static __attribute__((noinline)) int try_wrmsr(uint32_t msr, uint64_t v)
{
	return wrmsr_safe(msr, v);
}

/* 4 GiB identity-mapped with 4 MiB pages (SDM vol. 3A, 4.3). */
static uint32_t pd[1024] __attribute__((aligned(4096)));

static void paging(bool on, uint32_t cr0, uint32_t cr4)
{
	if (on) {
		for (unsigned int i = 0; i < 1024; i++)
			pd[i] = (i << 22) | 0x83; /* P, RW, PS */
		asm volatile("mov %0, %%cr3" : : "r"(pd) : "memory");
		write_cr4(cr4 | CR4_PSE);
		write_cr0(cr0 | CR0_PG);
	} else {
		write_cr0(cr0);
		write_cr4(cr4);
	}
}

struct bit {
	const char *name;
	unsigned int bit;
	int word; /* 0 l1 ecx, 1 l1 edx, 2 l7 ebx, 3 l7 ecx, 4 l7 edx, -1 none */
	unsigned int flag;
};

static const struct bit bits[] = {
	{ "MCE", 6, 1, 7 },	    { "UMIP", 11, 3, 2 },
	{ "LA57", 12, 3, 16 },	    { "VMXE", 13, 0, 5 },
	{ "SMXE", 14, 0, 6 },	    { "reserved 15", 15, -1, 0 },
	{ "FSGSBASE", 16, 2, 0 },   { "OSXSAVE", 18, 0, 26 },
	{ "SMEP", 20, 2, 7 },	    { "SMAP", 21, 2, 20 },
	{ "PKE", 22, 3, 3 },	    { "reserved 31", 31, -1, 0 },
};

static bool is_intel(void)
{
	struct cpuid_regs r = cpuid(0);

	return r.ebx == 0x756e6547 && r.edx == 0x49656e69 &&
	       r.ecx == 0x6c65746e; /* "GenuineIntel" */
}

void test_main(void)
{
	struct cpuid_regs l1 = cpuid(1), l7 = { 0, 0, 0, 0 };
	uint32_t words[5], cr4 = read_cr4(), cr0 = read_cr0();
	unsigned int hidden = 0, shown = 0;

	if (cpuid(0).eax >= 7)
		l7 = cpuid2(7, 0);
	words[0] = l1.ecx, words[1] = l1.edx;
	words[2] = l7.ebx, words[3] = l7.ecx, words[4] = l7.edx;

	for (unsigned int i = 0; i < ARRAY_SIZE(bits); i++) {
		const struct bit *b = &bits[i];
		uint32_t m = 1u << b->bit;
		bool has = b->word >= 0 && (words[b->word] >> b->flag & 1);
		int vec = try_cr4(cr4 | m);

		if (has) {
			CHECK(vec < 0, "CR4.%s: CPUID shows it, the write took "
			      "vector %d", b->name, vec);
			CHECK(read_cr4() == (cr4 | m), "CR4.%s did not stick",
			      b->name);
			write_cr4(cr4);
			shown++;
		} else {
			CHECK(vec == VEC_GP, "CR4.%s: CPUID hides it, yet the "
			      "write %s", b->name,
			      vec < 0 ? "was accepted" : "took another fault");
			CHECK(this_cpu()->fault.error == 0, "CR4.%s: #GP(%u)",
			      b->name, this_cpu()->fault.error);
			CHECK(read_cr4() == cr4, "CR4 changed to %#x by a "
			      "faulting write of %s", read_cr4(), b->name);
			hidden++;
		}
	}
	printf("cr_bits: %u CR4 bits hidden and refused with #GP, %u shown "
	       "and accepted\n", hidden, shown);

	CHECK(!(cr0 & CR0_PG), "paging is on at start");
	/* Only where the hypervisor sees these writes (VT-x exits on a
	 * change of NE, against the value the guest reads); on AMD-V they are the CPU's alone, and QEMU's TCG
	 * does not fault PG without PE (the guest triple-faults). */
	if (!is_intel())
		goto skip_cr0;
	CHECK(try_cr0(((cr0 ^ CR0_NE) | CR0_PG) & ~CR0_PE) ==
		      VEC_GP,
	      "CR0.PG without PE was not refused with #GP");
	CHECK(try_cr0(((cr0 ^ CR0_NE) | CR0_NW) & ~CR0_CD) ==
		      VEC_GP,
	      "CR0.NW without CD was not refused with #GP");
	CHECK(read_cr0() == cr0, "CR0 changed to %#x by faulting writes",
	      read_cr0());
	printf("cr_bits: CR0 with PG but not PE, or NW but not CD: #GP\n");
skip_cr0:

	/* EFER.LME cannot change under paging (SDM vol. 4, IA32_EFER): on
	 * AMD-V it would reach the VMCB, and LME with PG but not PAE fails
	 * VMRUN (APM vol. 2, 15.5.1); on VT-x, LME != LMA fails VM entry. */
	if (cpuid(0x80000000).eax >= 0x80000001 &&
	    (cpuid(0x80000001).edx & CPUID80000001_EDX_LM)) {
		uint64_t efer = rdmsr(MSR_EFER);
		int vec;

		paging(true, read_cr0(), read_cr4());
		vec = try_wrmsr(MSR_EFER, efer | EFER_LME);
		paging(false, cr0, cr4);
		CHECK(vec == VEC_GP, "EFER.LME under 32-bit paging: %s",
		      vec < 0 ? "accepted" : "another fault");
		CHECK(rdmsr(MSR_EFER) == efer, "EFER changed to %#llx",
		      (unsigned long long)rdmsr(MSR_EFER));
		printf("cr_bits: EFER.LME under paging: #GP\n");
	}
	guest_pass(guest_name);
}
