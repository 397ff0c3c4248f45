/*
 * fpu - the x87/SSE registers belong to this CPU alone.
 *
 * Proves: the CPU starts with MXCSR at its reset value 0x1f80 and XMM0
 * clear (SDM vol. 3, Table 9-1); with SSE enabled (CR4.OSFXSR), values
 * put in XMM0-XMM7, MXCSR and the x87 stack survive 1.5 s of exits
 * (CPUID) and of whatever else shares the physical CPU.  Under trivisor
 * run several of these at once so that two domains share a physical CPU:
 * each loads a pattern from its own TSC at start, so a leak between them
 * shows up as a wrong value.
 */
#include "guest.h"

GUEST_TEST("fpu");

#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define MXCSR_OFF 24
#define ST0_OFF 32
#define XMM_OFF 160

static uint8_t area[512] __attribute__((aligned(16)));
static uint32_t want[8][4] __attribute__((aligned(16)));

static void fxsave(void)
{
	asm volatile("fxsave %0" : "=m"(area));
}

static void write_cr0(uint32_t v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static void write_cr4(uint32_t v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/* Load want[] into XMM0-7, MXCSR = 0x1f80 with RC = toward zero, and
 * push @seed onto the x87 stack. */
static void load(uint32_t seed)
{
	static uint32_t mxcsr = 0x1f80 | (3u << 13);
	static volatile uint32_t x87;

	x87 = seed;
	asm volatile("movdqa 0(%0), %%xmm0\n\tmovdqa 16(%0), %%xmm1\n\t"
		     "movdqa 32(%0), %%xmm2\n\tmovdqa 48(%0), %%xmm3\n\t"
		     "movdqa 64(%0), %%xmm4\n\tmovdqa 80(%0), %%xmm5\n\t"
		     "movdqa 96(%0), %%xmm6\n\tmovdqa 112(%0), %%xmm7\n\t"
		     "ldmxcsr %1\n\tfninit\n\tfildl %2"
		     : : "r"(want), "m"(mxcsr), "m"(x87) : "memory");
}

/* The x87 ST0 as an integer (it was loaded from one): the 80-bit value
 * in the FXSAVE image, mantissa and exponent. */
static uint32_t st0_int(void)
{
	uint64_t m;
	uint16_t e;

	memcpy(&m, area + ST0_OFF, 8);
	memcpy(&e, area + ST0_OFF + 8, 2);
	if (!m)
		return 0;
	e &= 0x7fff;
	if (e < 16383 || e > 16383 + 31)
		return 0xffffffffu;
	return (uint32_t)(m >> (63 - (e - 16383)));
}

void test_main(void)
{
	uint32_t seed = (uint32_t)rdtsc() | 1, mx, x = seed;
	uint64_t end, checks = 0, exits = 0;
	int i, j;

	write_cr0((read_cr0() | CR0_MP) & ~(CR0_EM | CR0_TS));
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);

	fxsave();
	memcpy(&mx, area + MXCSR_OFF, 4);
	CHECK(mx == 0x1f80, "MXCSR is %#x at start, not 0x1f80", mx);
	for (i = 0; i < 16; i++)
		CHECK(!area[XMM_OFF + i], "XMM0 is not clear at start");

	for (i = 0; i < 8; i++)
		for (j = 0; j < 4; j++) {
			x ^= x << 13; /* xorshift32 */
			x ^= x >> 17;
			x ^= x << 5;
			want[i][j] = x;
		}
	seed &= 0x7fffffff;
	load(seed);
	printf("fpu: pattern %08x loaded into XMM0-7, MXCSR %#x, ST0 %u\n",
	       want[0][0], 0x1f80 | (3u << 13), seed);

	end = now_us() + 1500000;
	while (now_us() < end) {
		for (i = 0; i < 20; i++, exits++)
			(void)cpuid(0);
		fxsave();
		memcpy(&mx, area + MXCSR_OFF, 4);
		CHECK(mx == (0x1f80 | (3u << 13)),
		      "MXCSR changed to %#x after %llu exits", mx, exits);
		CHECK(st0_int() == seed, "x87 ST0 changed from %u to %u after "
		      "%llu exits", seed, st0_int(), exits);
		for (i = 0; i < 8; i++)
			CHECK(!memcmp(area + XMM_OFF + 16 * i, want[i], 16),
			      "XMM%d changed after %llu exits: %08x, expected "
			      "%08x", i, exits,
			      *(uint32_t *)(area + XMM_OFF + 16 * i),
			      want[i][0]);
		checks++;
	}
	printf("fpu: %llu checks over 1.5 s and %llu exits: state intact\n",
	       checks, exits);
	guest_pass(guest_name);
}
