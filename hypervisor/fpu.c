/*
 * Host side of guest FPU state (see trivisor/fpu.h): CR4.OSXSAVE, the
 * host XCR0, and XSAVE/XRSTOR (or FXSAVE/FXRSTOR) of vCPU state.
 * Instruction facts: SDM vol. 1, chapter 13 ("Managing State Using the
 * XSAVE Feature Set"), vol. 2 XSAVE/XRSTOR/XSETBV; APM vol. 2, 11.5.
 */
#include <stddef.h>
#include <string.h>

#include <trivisor/cmdline.h>
#include <trivisor/cpu.h>
#include <trivisor/fpu.h>
#include <trivisor/log.h>

#define CPUID1_ECX_XSAVE (1u << 26)

/* Set by the boot CPU before any other CPU starts; read-only after. */
static bool have_xsave;
static uint64_t host_xcr0;

static inline void xsetbv(uint32_t reg, uint64_t val)
{
	asm volatile("xsetbv"
		     :
		     : "c"(reg), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
		     : "memory");
}

uint32_t fpu_xsave_size(uint64_t mask)
{
	struct cpuid_regs r;
	uint32_t size = 512 + 64; /* legacy area and XSAVE header */

	/* Components 2 and up: size in EAX, offset in EBX of subleaf i. */
	for (unsigned int i = 2; i < 64; i++) {
		if (!(mask >> i & 1))
			continue;
		cpuid_count(0xd, i, &r);
		if (r.eax + r.ebx > size)
			size = r.eax + r.ebx;
	}
	return size;
}

void fpu_cpu_init(void)
{
	struct cpuid_regs r;

	cpuid_count(1, 0, &r);
	if (!(r.ecx & CPUID1_ECX_XSAVE))
		return;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	if (!host_xcr0) {
		uint64_t mask;

		cpuid_count(0xd, 0, &r);
		mask = (((uint64_t)r.edx << 32) | r.eax) & XCR0_GUEST_MAX;
		/* AVX needs SSE, AVX-512 needs all three of its parts and
		 * AVX (SDM vol. 1, 13.3): offer only whole sets. */
		if (!(mask & XCR0_SSE))
			mask &= ~(XCR0_AVX | XCR0_AVX512);
		if ((mask & XCR0_AVX512) != XCR0_AVX512 || !(mask & XCR0_AVX))
			mask &= ~XCR0_AVX512;
		if (fpu_xsave_size(mask) > FPU_AREA_SIZE)
			mask &= ~XCR0_AVX512;
		if (fpu_xsave_size(mask) > FPU_AREA_SIZE)
			mask &= ~XCR0_AVX;
		host_xcr0 = mask | XCR0_X87;
		have_xsave = true;
		log_info("fpu: XSAVE, host XCR0 %#lx (%u-byte area), offered "
			 "to guests unless xsave=off", host_xcr0,
			 fpu_xsave_size(host_xcr0));
	}
	xsetbv(0, host_xcr0);
}

uint64_t fpu_guest_xcr0_max(void)
{
	return have_xsave && !hv_config.no_guest_xsave ? host_xcr0 : 0;
}

void fpu_area_reset(uint8_t *area)
{
	memset(area, 0, FPU_AREA_SIZE);
	area[0] = 0x7f; /* FCW */
	area[1] = 0x03;
	area[24] = 0x80; /* MXCSR */
	area[25] = 0x1f;
	/* XSTATE_BV = 0 in the header: XRSTOR puts every component in its
	 * initial configuration (MXCSR still comes from the legacy area). */
}

void fpu_area_load(const uint8_t *area)
{
	if (have_xsave)
		asm volatile("xrstor64 %0"
			     :
			     : "m"(*(const uint8_t(*)[FPU_AREA_SIZE])area),
			       "a"((uint32_t)host_xcr0),
			       "d"((uint32_t)(host_xcr0 >> 32)));
	else
		asm volatile("fxrstor64 %0"
			     :
			     : "m"(*(const uint8_t(*)[512])area));
}

void fpu_area_save(uint8_t *area)
{
	if (have_xsave)
		asm volatile("xsave64 %0"
			     : "+m"(*(uint8_t(*)[FPU_AREA_SIZE])area)
			     : "a"((uint32_t)host_xcr0),
			       "d"((uint32_t)(host_xcr0 >> 32)));
	else
		asm volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[512])area));
}

static inline uint64_t xgetbv(uint32_t reg)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(reg));
	return (uint64_t)hi << 32 | lo;
}

void fpu_xcr0_enter(uint64_t guest_xcr0)
{
	if (have_xsave && guest_xcr0 != host_xcr0)
		xsetbv(0, guest_xcr0);
}

uint64_t fpu_xcr0_exit(uint64_t guest_xcr0)
{
	uint64_t hw;

	if (!have_xsave)
		return guest_xcr0;
	/* XSETBV exits on both vendors (SDM vol. 3C, 25.1.2; APM vol. 2,
	 * 15.9 with the XSETBV intercept), so XCR0 is normally still what
	 * entry loaded; reading it back costs little and catches a CPU that
	 * lost the intercept (QEMU 7.2 TCG runs an SVM guest's XSETBV
	 * without an exit). */
	hw = xgetbv(0);
	if (hw != host_xcr0)
		xsetbv(0, host_xcr0);
	return hw;
}
