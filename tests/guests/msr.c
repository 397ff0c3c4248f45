/*
 * msr - RDMSR/WRMSR of architectural MSRs behave, unknown MSRs fault.
 *
 * Proves: IA32_TIME_STAMP_COUNTER (0x10) read by RDMSR lies between two
 * RDTSCs and never goes backwards; IA32_APIC_BASE (0x1b) has the enable
 * and BSP bits set on the boot CPU, the base the MADT names, the x2APIC
 * bit matching the mode in use and no reserved bits; IA32_EFER reads with
 * LME = LMA = 0 (we are in 32-bit protected mode) and, when NX exists,
 * NXE round-trips; IA32_PAT holds only valid memory types and a new value
 * round-trips exactly (then is restored); RDMSR and WRMSR of MSR
 * 0xdeadbeef (in no vendor's MSR ranges) raise #GP(0), as does a PAT
 * write with an undefined memory type (SDM vol. 3A, 11.12.2) and, in
 * xAPIC mode, RDMSR of the x2APIC ID register 0x802 (10.12.1.2).
 *
 * QEMU TCG itself (hypervisor signature "TCGTCGTCGTCG") returns 0 for
 * unknown MSRs and ignores the writes instead of raising #GP, and has no
 * RDMSR of the TSC (it reads 0); there these are reported, not failed.
 * Anywhere else, including under trivisor, a missing #GP is a failure.
 */
#include "guest.h"

GUEST_TEST("msr");

#define MSR_BOGUS 0xdeadbeefu

static bool on_tcg;


/* A fault that must happen: fail, or only report it on QEMU TCG. */
static void want_gp(int vec, const char *what)
{
	if (vec == VEC_GP) {
		CHECK(this_cpu()->fault.error == 0,
		      "%s: #GP with error code %#x, expected 0", what,
		      this_cpu()->fault.error);
		printf("msr: %s: #GP(0) as expected\n", what);
		return;
	}
	if (vec >= 0)
		guest_fail(guest_name, "%s: %s (vector %d), expected #GP",
			   what, exception_name((unsigned int)vec), vec);
	if (on_tcg) {
		printf("msr: %s: no #GP (known QEMU TCG behaviour; tolerated "
		       "only on bare TCG)\n",
		       what);
		return;
	}
	guest_fail(guest_name, "%s: no #GP", what);
}

static void check_tsc(void)
{
	uint64_t prev = 0;

	if (on_tcg && rdmsr(MSR_TSC) == 0) {
		printf("msr: TSC: RDMSR(0x10) returns 0 (QEMU TCG does not "
		       "implement it; tolerated only on bare TCG)\n");
		return;
	}
	for (int i = 0; i < 1000; i++) {
		uint64_t a = rdtsc(), m = rdmsr(MSR_TSC), b = rdtsc();

		CHECK(a <= m && m <= b,
		      "RDMSR(0x10) = %llu not between RDTSC %llu and %llu", m,
		      a, b);
		CHECK(m > prev, "RDMSR(0x10) went backwards: %llu after %llu",
		      m, prev);
		prev = m;
	}
	printf("msr: TSC: 1000 RDMSR(0x10) reads between RDTSCs, "
	       "monotonic\n");
}

static void check_apic_base(void)
{
	uint64_t v = rdmsr(MSR_APIC_BASE);
	unsigned int maxphys = 36;
	uint64_t base = v & ~0xfffull;

	if (cpuid(0x80000000).eax >= 0x80000008)
		maxphys = cpuid(0x80000008).eax & 0xff;
	printf("msr: IA32_APIC_BASE = %#llx\n", v);
	CHECK(v & APIC_BASE_EN, "APIC global enable bit clear");
	CHECK(v & APIC_BASE_BSP, "BSP bit clear on the boot CPU");
	CHECK(!!(v & APIC_BASE_EXTD) == lapic_x2apic,
	      "EXTD bit %u but the library uses %s", !!(v & APIC_BASE_EXTD),
	      lapic_x2apic ? "x2APIC" : "xAPIC");
	CHECK(!(v & 0x2ff), "reserved bits 0-7/9 set");
	CHECK(!(base >> maxphys), "base %#llx beyond MAXPHYADDR %u", base,
	      maxphys);
	CHECK(base == guest_plat.lapic_addr,
	      "base %#llx but the MADT says %#x", base, guest_plat.lapic_addr);
}

static void check_efer(void)
{
	uint64_t v = rdmsr(MSR_EFER), w;

	printf("msr: IA32_EFER = %#llx\n", v);
	CHECK(!(v & (EFER_LME | EFER_LMA)),
	      "LME/LMA set in 32-bit protected mode");
	if (!(cpuid(0x80000001).edx & CPUID80000001_EDX_NX))
		return;
	wrmsr(MSR_EFER, v ^ EFER_NXE);
	w = rdmsr(MSR_EFER);
	wrmsr(MSR_EFER, v);
	CHECK(w == (v ^ EFER_NXE), "EFER.NXE toggle read back %#llx", w);
	CHECK(rdmsr(MSR_EFER) == v, "EFER not restored");
	printf("msr: EFER.NXE round trip ok\n");
}

static bool pat_valid(uint64_t pat)
{
	for (int i = 0; i < 8; i++) {
		unsigned int t = (pat >> (8 * i)) & 0xff;

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

static void check_pat(void)
{
	uint64_t old, rot, got, bad;

	if (!(cpuid(1).edx & CPUID1_EDX_PAT)) {
		printf("msr: no PAT (CPUID.1:EDX[16] clear)\n");
		return;
	}
	old = rdmsr(MSR_PAT);
	printf("msr: IA32_PAT = %#llx\n", old);
	CHECK(pat_valid(old), "PAT %#llx holds an invalid memory type", old);
	/* Rotate the eight entries by one: still all valid, all moved. */
	rot = (old << 8) | (old >> 56);
	if (rot == old)
		rot = 0x0001040506070001ull;
	wrmsr(MSR_PAT, rot);
	got = rdmsr(MSR_PAT);
	wrmsr(MSR_PAT, old);
	CHECK(got == rot, "PAT wrote %#llx, read back %#llx", rot, got);
	CHECK(rdmsr(MSR_PAT) == old, "PAT not restored");
	printf("msr: PAT round trip ok (%#llx)\n", rot);
	bad = (old & ~0xffull) | 2; /* type 2 is reserved */
	want_gp(wrmsr_safe(MSR_PAT, bad), "WRMSR(PAT) with memory type 2");
	wrmsr(MSR_PAT, old);
}

static void check_bogus(void)
{
	uint64_t v = 0x1234;
	int vec;

	vec = rdmsr_safe(MSR_BOGUS, &v);
	if (vec < 0)
		printf("msr: RDMSR(%#x) returned %#llx\n", MSR_BOGUS, v);
	want_gp(vec, "RDMSR(0xdeadbeef)");
	want_gp(wrmsr_safe(MSR_BOGUS, 0x5a5a5a5a5a5a5a5aull),
		"WRMSR(0xdeadbeef)");
	/* x2APIC MSRs exist only in x2APIC mode (SDM vol. 3A, 10.12.1.2):
	 * in xAPIC mode RDMSR of the ID register faults, TCG included. */
	if (!lapic_x2apic) {
		vec = rdmsr_safe(MSR_X2APIC_BASE + (LAPIC_ID >> 4), &v);
		want_gp(vec, "RDMSR(0x802) in xAPIC mode");
	}
	/* The fault path must leave the CPU usable: a normal MSR again. */
	CHECK(rdmsr_safe(MSR_EFER, &v) < 0, "RDMSR(EFER) faulted after #GP");
}

/*
 * The library's fault catching itself, with faults every emulator raises:
 * #UD from ud2, #GP(selector) from loading a selector beyond the GDT
 * limit.  Without this, a platform that never faults MSRs (QEMU TCG)
 * would leave the #GP path of rdmsr_safe() untested.
 */
static void check_fault_catching(void)
{
	int vec;

	vec = guest_try(asm volatile("ud2"));
	CHECK(vec == VEC_UD, "ud2 gave %d, expected #UD", vec);
	vec = guest_try(asm volatile("movw %w0, %%es" : : "r"(0xfff8)));
	CHECK(vec == VEC_GP && this_cpu()->fault.error == 0xfff8,
	      "loading selector 0xfff8 gave vector %d error %#x, expected "
	      "#GP(0xfff8)",
	      vec, this_cpu()->fault.error);
	asm volatile("movw %w0, %%es" : : "r"(SEL_DATA32));
	CHECK(irqs_enabled(), "EFLAGS.IF not restored after a caught fault");
	printf("msr: fault catching: #UD and #GP(0xfff8) caught and "
	       "resumed\n");
}

void test_main(void)
{
	on_tcg = is_qemu_tcg();
	if (on_tcg)
		printf("msr: running directly on QEMU TCG\n");
	check_fault_catching();
	check_tsc();
	check_apic_base();
	check_efer();
	check_pat();
	check_bogus();
	guest_pass(guest_name);
}
