/*
 * xsave - XSAVE, XCR0 and the AVX registers belong to this vCPU alone.
 *
 * Proves, against SDM vol. 1, 13.3 and vol. 2 (CPUID leaf 0DH, XSETBV,
 * XGETBV):
 *   - XSAVE is offered; CPUID.1:ECX.OSXSAVE follows CR4.OSXSAVE; XSETBV
 *     without CR4.OSXSAVE raises #UD;
 *   - XCR0 starts at 1; XSETBV refuses, with #GP, x87 clear, AVX without
 *     SSE, AVX-512 opmask alone, ECX != 0 and (with xsetbv=exits on the
 *     command line) a component not offered (PKRU), and leaves XCR0
 *     alone; it takes x87|SSE|AVX, which XGETBV reads back;
 *   - leaf 0DH subleaf 0 gives the area size for the current XCR0 in EBX
 *     (576 for x87 only, at least 832 with AVX);
 *   - values put in YMM0-7 (both halves; ZMM0-7 whole where AVX-512 is
 *     offered, as on Bochs corei7_skylake_x) survive 1.5 s of exits (CPUID)
 *     and whatever shares the physical CPU.  Run several at once under
 *     trivisor so that domains share a CPU; each pattern comes from its
 *     own TSC, so a leak between them shows up as a wrong value.
 */
#include "guest.h"

GUEST_TEST("xsave");

#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_OSXSAVE (1u << 18)
#define CPUID1_XSAVE (1u << 26)
#define CPUID1_OSXSAVE (1u << 27)
#define CPUID1_AVX (1u << 28)

/* YMM0-7 or, with AVX-512, ZMM0-7: 8 or 16 words each. */
static uint32_t want[8][16] __attribute__((aligned(64)));
static uint32_t got[8][16] __attribute__((aligned(64)));
static bool zmm;

static void write_cr0(uint32_t v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static void write_cr4(uint32_t v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static void xsetbv(uint32_t reg, uint64_t v)
{
	asm volatile("xsetbv"
		     :
		     : "c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
		     : "memory");
}

static uint64_t xgetbv(uint32_t reg)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(reg));
	return (uint64_t)hi << 32 | lo;
}

static void load_regs(void)
{
	if (zmm) {
		asm volatile("vmovdqa64 0(%0), %%zmm0\n\t"
			     "vmovdqa64 64(%0), %%zmm1\n\t"
			     "vmovdqa64 128(%0), %%zmm2\n\t"
			     "vmovdqa64 192(%0), %%zmm3\n\t"
			     "vmovdqa64 256(%0), %%zmm4\n\t"
			     "vmovdqa64 320(%0), %%zmm5\n\t"
			     "vmovdqa64 384(%0), %%zmm6\n\t"
			     "vmovdqa64 448(%0), %%zmm7"
			     : : "r"(want) : "memory");
		return;
	}
	asm volatile("vmovdqa 0(%0), %%ymm0\n\tvmovdqa 64(%0), %%ymm1\n\t"
		     "vmovdqa 128(%0), %%ymm2\n\tvmovdqa 192(%0), %%ymm3\n\t"
		     "vmovdqa 256(%0), %%ymm4\n\tvmovdqa 320(%0), %%ymm5\n\t"
		     "vmovdqa 384(%0), %%ymm6\n\tvmovdqa 448(%0), %%ymm7"
		     : : "r"(want) : "memory");
}

static void store_regs(void)
{
	if (zmm) {
		asm volatile("vmovdqa64 %%zmm0, 0(%0)\n\t"
			     "vmovdqa64 %%zmm1, 64(%0)\n\t"
			     "vmovdqa64 %%zmm2, 128(%0)\n\t"
			     "vmovdqa64 %%zmm3, 192(%0)\n\t"
			     "vmovdqa64 %%zmm4, 256(%0)\n\t"
			     "vmovdqa64 %%zmm5, 320(%0)\n\t"
			     "vmovdqa64 %%zmm6, 384(%0)\n\t"
			     "vmovdqa64 %%zmm7, 448(%0)"
			     : : "r"(got) : "memory");
		return;
	}
	asm volatile("vmovdqa %%ymm0, 0(%0)\n\tvmovdqa %%ymm1, 64(%0)\n\t"
		     "vmovdqa %%ymm2, 128(%0)\n\tvmovdqa %%ymm3, 192(%0)\n\t"
		     "vmovdqa %%ymm4, 256(%0)\n\tvmovdqa %%ymm5, 320(%0)\n\t"
		     "vmovdqa %%ymm6, 384(%0)\n\tvmovdqa %%ymm7, 448(%0)"
		     : : "r"(got) : "memory");
}

/* XSETBV VAL must raise #GP(0) and leave XCR0 at BEFORE. */
static void refused(uint32_t reg, uint64_t val, uint64_t before,
		    const char *what)
{
	CHECK(expect_fault(VEC_GP, xsetbv(reg, val)),
	      "XSETBV(%u, %#llx) (%s) did not raise #GP", reg, val, what);
	CHECK(xgetbv(0) == before, "XCR0 is %#llx after the refused %s",
	      xgetbv(0), what);
}

/* The pattern in want[] must stay in the registers for 1.5 s of exits. */
static void check_regs(uint64_t xcr0, unsigned int words)
{
	uint64_t end, checks = 0, exits = 0;
	int i;

	end = now_us() + 1500000;
	while (now_us() < end) {
		for (i = 0; i < 20; i++, exits++)
			(void)cpuid(0);
		store_regs();
		for (i = 0; i < 8; i++)
			CHECK(!memcmp(got[i], want[i], words * 4),
			      "%s%d changed after %llu exits: %08x..%08x, "
			      "expected %08x..%08x", zmm ? "ZMM" : "YMM", i,
			      exits, got[i][0], got[i][words - 1], want[i][0],
			      want[i][words - 1]);
		CHECK(xgetbv(0) == xcr0, "XCR0 changed to %#llx after %llu "
		      "exits", xgetbv(0), exits);
		checks++;
	}
	printf("xsave: %llu checks over 1.5 s and %llu exits: %s0-7 and "
	       "XCR0 %#llx intact\n", checks, exits, zmm ? "ZMM" : "YMM", xcr0);
}

void test_main(void)
{
	struct cpuid_regs r1 = cpuid(1), d;
	uint32_t x = (uint32_t)rdtsc() | 1;
	uint64_t max;
	char arg[16];
	int i, j;

	if (!(r1.ecx & CPUID1_XSAVE))
		guest_skip(guest_name, "no XSAVE in CPUID.1:ECX");
	CHECK(!(r1.ecx & CPUID1_OSXSAVE), "CPUID.1:ECX.OSXSAVE set while "
	      "CR4.OSXSAVE is clear");
	CHECK(expect_fault(VEC_UD, xsetbv(0, 1)),
	      "XSETBV without CR4.OSXSAVE did not raise #UD");

	write_cr0((read_cr0() | CR0_MP) & ~(CR0_EM | CR0_TS));
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE);
	CHECK(cpuid(1).ecx & CPUID1_OSXSAVE, "CPUID.1:ECX.OSXSAVE clear "
	      "with CR4.OSXSAVE set");
	CHECK(xgetbv(0) == 1, "XCR0 is %#llx at start, not 1", xgetbv(0));

	d = cpuid2(0xd, 0);
	max = (uint64_t)d.edx << 32 | d.eax;
	printf("xsave: XCR0 may hold %#llx; area %u bytes now, %u at most\n",
	       max, d.ebx, d.ecx);
	CHECK((max & 3) == 3, "leaf 0xd offers XCR0 %#llx without x87 and "
	      "SSE", max);
	CHECK(d.ebx == 576, "leaf 0xd EBX is %u for XCR0 = 1, not 576", d.ebx);
	if (!(max & 4) || !(r1.ecx & CPUID1_AVX))
		guest_skip(guest_name, "no AVX (XCR0 %#llx)", max);
	CHECK(d.ecx >= 832, "leaf 0xd ECX %u is too small for AVX", d.ecx);

	refused(0, 0, 1, "x87 clear");
	refused(0, 5, 1, "AVX without SSE");
	/* PKRU (bit 9) is valid with x87 alone on a CPU that has it, and
	 * trivisor never offers it: only the hypervisor's XSETBV check can
	 * refuse it.  With "xsetbv=exits" on the command line (the CPU
	 * intercepts XSETBV: VT-x always does); QEMU 7.2 TCG runs an SVM
	 * guest's XSETBV without the intercept, so there the CPU decides. */
	if (!(max & 0x200) &&
	    cmdline_get("xsetbv", arg, sizeof(arg)) && !strcmp(arg, "exits"))
		refused(0, 1 | 0x200, 1, "PKRU, not offered");
	refused(1, 1, 1, "XCR1");
	xsetbv(0, 7);
	CHECK(xgetbv(0) == 7, "XCR0 is %#llx after XSETBV(7)", xgetbv(0));
	d = cpuid2(0xd, 0);
	CHECK(d.ebx >= 832, "leaf 0xd EBX is %u with AVX enabled", d.ebx);
	refused(0, 7 | 0x20, 7, "AVX-512 opmask alone");
	/* AVX-512 (opmask, ZMM_Hi256, Hi16_ZMM) where it is offered: then
	 * the whole ZMM0-7 is checked, not only the YMM halves. */
	zmm = (max & 0xe0) == 0xe0 && cpuid2(7, 0).ebx & (1u << 16);
	if (zmm) {
		xsetbv(0, 0xe7);
		CHECK(xgetbv(0) == 0xe7, "XCR0 is %#llx after XSETBV(0xe7)",
		      xgetbv(0));
	}
	uint64_t xcr0 = xgetbv(0);
	unsigned int words = zmm ? 16 : 8;

	for (i = 0; i < 8; i++)
		for (j = 0; j < 16; j++) {
			x ^= x << 13; /* xorshift32 */
			x ^= x >> 17;
			x ^= x << 5;
			want[i][j] = x;
		}
	load_regs();
	printf("xsave: pattern %08x.. loaded into %s0-7\n", want[0][0],
	       zmm ? "ZMM" : "YMM");

	check_regs(xcr0, words);
	guest_pass(guest_name);
}
