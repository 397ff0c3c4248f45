/*
 * Time since boot from the TSC.  The TSC frequency comes from CPUID leaf
 * 0x15 when it states it (SDM vol. 2A, CPUID leaf 15H), else from counting
 * TSC ticks across a 50 ms PIT interval.  We rely on an invariant TSC
 * (CPUID 0x80000007 EDX[8]) and say so when it is missing.
 *
 * ns = (tsc - tsc0) * mult >> 32, with mult = 10^9 * 2^32 / tsc_hz; the
 * product is done in 128 bits (a multiply, no division) so it never
 * overflows.
 */
#include <trivisor/time.h>
#include <trivisor/pit.h>
#include <trivisor/cpu.h>
#include <trivisor/io.h>
#include <trivisor/log.h>

#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PORT_61 0x61

static uint64_t tsc0;
static bool tsc_invariant;
static uint64_t tsc_mult; /* ns per tick, 32.32 fixed point */
static uint64_t tsc_hz;

void pit_oneshot_start(uint16_t ticks)
{
	/* Gate high, speaker off; channel 2, lobyte/hibyte, mode 0. */
	outb(PORT_61, (inb(PORT_61) & ~0x02) | 0x01);
	outb(PIT_CMD, 0xb0);
	outb(PIT_CH2, ticks & 0xff);
	outb(PIT_CH2, ticks >> 8);
}

int pit_oneshot_done(void)
{
	return inb(PORT_61) & 0x20; /* OUT2 goes high at terminal count */
}

static uint64_t calibrate_tsc_pit(void)
{
	const uint16_t ticks = PIT_HZ / 20; /* 50 ms */
	uint64_t t0, t1;

	pit_oneshot_start(ticks);
	t0 = rdtsc();
	while (!pit_oneshot_done())
		cpu_relax();
	t1 = rdtsc();
	return (t1 - t0) * PIT_HZ / ticks;
}

static uint64_t tsc_hz_from_cpuid(void)
{
	struct cpuid_regs r;

	cpuid_count(0, 0, &r);
	if (r.eax < 0x15)
		return 0;
	cpuid_count(0x15, 0, &r);
	if (!r.eax || !r.ebx || !r.ecx)
		return 0;
	return (uint64_t)r.ecx * r.ebx / r.eax;
}

void time_init(void)
{
	struct cpuid_regs r;
	const char *how = "CPUID leaf 0x15";

	tsc_hz = tsc_hz_from_cpuid();
	if (!tsc_hz) {
		tsc_hz = calibrate_tsc_pit();
		how = "PIT calibration";
	}
	tsc_mult = (1000000000ul << 32) / tsc_hz; /* fits: 2^62 > 10^9 * 2^32 */
	tsc0 = rdtsc();
	cpuid_count(0x80000007, 0, &r);
	tsc_invariant = r.edx & (1u << 8);
	log_info("TSC: %lu.%03lu MHz (%s)%s", tsc_hz / 1000000,
		 tsc_hz / 1000 % 1000, how,
		 (r.edx & (1u << 8)) ? ", invariant"
				     : ", not invariant: clock may drift");
}

uint64_t time_ns(void)
{
	if (!tsc_mult)
		return 0;
	return (uint64_t)(((unsigned __int128)(rdtsc() - tsc0) * tsc_mult) >>
			  32);
}

uint64_t time_tsc_ns(uint64_t tsc)
{
	return (uint64_t)(((unsigned __int128)(tsc - tsc0) * tsc_mult) >> 32);
}

uint64_t time_tsc_mult(void)
{
	return tsc_mult;
}

bool time_tsc_invariant(void)
{
	return tsc_invariant;
}

uint64_t time_tsc_origin(void)
{
	return tsc0;
}

uint64_t tsc_khz(void)
{
	return tsc_hz / 1000;
}

void udelay(uint64_t us)
{
	uint64_t end = rdtsc() + us * tsc_hz / 1000000;

	while ((int64_t)(rdtsc() - end) < 0)
		cpu_relax();
}

void mdelay(uint64_t ms)
{
	udelay(ms * 1000);
}
