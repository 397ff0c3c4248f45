/*
 * insn_len - intercepted instructions with prefixes resume after their
 * last byte.
 *
 * Proves: CPUID, RDMSR (of PAT, which the AMD-V backend answers itself,
 * and of APIC_BASE, which the core's MSR policy answers), IN, OUT, INVD
 * and WBINVD, each with redundant segment-override prefixes (which the
 * CPU ignores, SDM vol. 2A, 2.1.1), leave EIP just past the instruction:
 * a marker the next instruction sets is seen, and the results are the
 * unprefixed forms'.  A hypervisor that assumed the unprefixed length (2
 * for CPUID) would resume inside the instruction; that is what an AMD
 * CPU without next-RIP save, like QEMU's, made trivisor do.
 */
#include "guest.h"

GUEST_TEST("insn_len");

#define MARK 0x5a5a1234u

/* Each runs the prefixed instruction, then "mov $MARK, %edi". */
static uint32_t cpuid_cs(uint32_t leaf, uint32_t *ebx)
{
	uint32_t a = leaf, b, c = 0, d, mark = 0;

	asm volatile(".byte 0x2e, 0x0f, 0xa2\n\t" /* cs cpuid */
		     "mov %[m], %%edi"
		     : "+a"(a), "=b"(b), "+c"(c), "=d"(d), "+D"(mark)
		     : [m] "i"(MARK));
	CHECK(mark == MARK, "cs cpuid: the next instruction did not run "
	      "(marker %#x)", mark);
	*ebx = b;
	return a;
}

static uint64_t rdmsr_ds_ds(uint32_t msr)
{
	uint32_t lo, hi, mark = 0;

	asm volatile(".byte 0x3e, 0x3e, 0x0f, 0x32\n\t" /* ds ds rdmsr */
		     "mov %[m], %%edi"
		     : "=a"(lo), "=d"(hi), "+D"(mark)
		     : "c"(msr), [m] "i"(MARK));
	CHECK(mark == MARK, "ds ds rdmsr %#x: the next instruction did not "
	      "run (marker %#x)", msr, mark);
	return (uint64_t)hi << 32 | lo;
}

static uint8_t in_es(uint16_t port)
{
	uint32_t a = 0, mark = 0;

	asm volatile(".byte 0x26, 0xec\n\t" /* es in al, dx */
		     "mov %[m], %%edi"
		     : "+a"(a), "+D"(mark)
		     : "d"(port), [m] "i"(MARK));
	CHECK(mark == MARK, "es in: the next instruction did not run");
	return (uint8_t)a;
}

static void out_ss_ss(uint16_t port, uint8_t v)
{
	uint32_t mark = 0;

	asm volatile(".byte 0x36, 0x36, 0xee\n\t" /* ss ss out dx, al */
		     "mov %[m], %%edi"
		     : "+D"(mark)
		     : "a"(v), "d"(port), [m] "i"(MARK));
	CHECK(mark == MARK, "ss ss out: the next instruction did not run");
}

static void cache_insns(void)
{
	uint32_t mark = 0;

	asm volatile(".byte 0x2e, 0x0f, 0x09\n\t" /* cs wbinvd */
		     "mov %[m], %%edi"
		     : "+D"(mark)
		     : [m] "i"(MARK)
		     : "memory");
	CHECK(mark == MARK, "cs wbinvd: the next instruction did not run");
	mark = 0;
	asm volatile(".byte 0x2e, 0x0f, 0x08\n\t" /* cs invd */
		     "mov %[m], %%edi"
		     : "+D"(mark)
		     : [m] "i"(MARK)
		     : "memory");
	CHECK(mark == MARK, "cs invd: the next instruction did not run");
}

void test_main(void)
{
	struct cpuid_regs r = cpuid(0);
	uint32_t ebx, a;
	uint64_t pat, apic;

	for (int i = 0; i < 100; i++) {
		a = cpuid_cs(0, &ebx);
		CHECK(a == r.eax && ebx == r.ebx, "cs cpuid(0) = %#x/%#x, "
		      "cpuid(0) = %#x/%#x", a, ebx, r.eax, r.ebx);
	}
	pat = rdmsr_ds_ds(MSR_PAT);
	CHECK(pat == rdmsr(MSR_PAT), "ds ds rdmsr PAT %#llx",
	      (unsigned long long)pat);
	apic = rdmsr_ds_ds(MSR_APIC_BASE);
	CHECK(apic == rdmsr(MSR_APIC_BASE), "ds ds rdmsr APIC_BASE %#llx",
	      (unsigned long long)apic);
	/* CMOS register 0x0f (shutdown status) reads back what was written
	 * (hvm/vrtc.c keeps the NVRAM bytes). */
	out_ss_ss(0x70, 0x0f);
	out_ss_ss(0x71, 0xa5);
	out_ss_ss(0x70, 0x0f);
	CHECK(in_es(0x71) == 0xa5, "CMOS 0x0f did not read back 0xa5");
	out_ss_ss(0x70, 0x0f);
	out_ss_ss(0x71, 0);
	cache_insns();
	printf("insn_len: prefixed cpuid, rdmsr, in, out, wbinvd and invd "
	       "resume after their last byte\n");
	guest_pass(guest_name);
}
