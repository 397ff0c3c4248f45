/*
 * console_flood - a guest that floods its console, and one beside it that
 * must not notice (docs/console.md).
 *
 * role=flood (a pv domain): for secs=S seconds (default 3), over and over,
 * a VMI multicall of VMI_MULTICALL_MAX CONSOLE_WRITEs of VMI_CONSOLE_MAX
 * newlines each, then a `rep outsb` of as many newlines to COM1.  Every
 * write must return its full length: output the hypervisor cannot keep
 * is dropped, not refused, and the call never waits for the UART.  With
 * the hypervisor's old console, which wrote each line to the UART with
 * interrupts off and the log lock held, one multicall took minutes.
 *
 * role=romflood (pv): the VMI ROM MSR written 2000 times, half of them
 * refused; the hypervisor logs those writes within a budget.
 *
 * role=steady: the LAPIC timer ticks at 100 Hz for secs=S seconds
 * (default 4) while the CPU waits in hlt, and a line goes to COM1 every
 * 100 ms.  Proves it was not held up: the ticks counted are at least half
 * of what the TSC says were due, no gap between two ticks is longer than
 * MAX_GAP_MS, and writing a report line never took longer than
 * MAX_GAP_MS either (the old console held a writer on the log lock for
 * as long as the flood kept it).
 */
#include "guest.h"
#include <vmi/vmi.h>
#include "vmi-call.h"

GUEST_TEST("console_flood");

#define VEC_TIMER 0x40
#define HZ 100
#define MAX_GAP_MS 500

static uint32_t cmdline_num(const char *key, uint32_t dflt)
{
	char buf[12];
	const char *s = cmdline_get(key, buf, sizeof(buf));
	uint32_t n = 0;

	if (!s || !*s)
		return dflt;
	for (; *s >= '0' && *s <= '9'; s++)
		n = n * 10 + (uint32_t)(*s - '0');
	return n;
}

/* ------------------------------------------------------------------ */
/* role=flood                                                           */

static char newlines[VMI_CONSOLE_MAX];
static struct vmi_multicall mc[VMI_MULTICALL_MAX] __attribute__((aligned(8)));

static void flood(void)
{
	uint64_t t0, end, longest = 0;
	uint32_t secs = cmdline_num("secs", 3), rounds = 0;
	uint32_t ways = cmdline_num("ways", 3); /* 1: multicall, 2: outsb */

	CHECK(cpuid(VMI_CPUID_VERSION).eax != 0,
	      "VMI hidden: run role=flood as type=pv");
	CHECK(wrmsr_safe(VMI_MSR_ROM, (uintptr_t)vmi_rom | VMI_ROM_ENABLE) < 0,
	      "the ROM MSR refused a page of RAM");
	EXPECT(vmi_call(VMI_CALL_DECLARE, VMI_SECTION_CONSOLE,
			VMI_SECTION_VERSION(1u, 0u), 0), 0);
	memset(newlines, '\n', sizeof(newlines));
	printf("console_flood: flooding for %u s\n", secs);
	t0 = now_us();
	end = t0 + secs * 1000000ull;
	while (now_us() < end) {
		const char *s = newlines;
		uint32_t n = sizeof(newlines);
		uint64_t t = now_us();

		if (!(ways & 1))
			goto outs;
		memset(mc, 0, sizeof(mc));
		for (unsigned int i = 0; i < VMI_MULTICALL_MAX; i++) {
			mc[i].call = VMI_CALL_CONSOLE_WRITE;
			mc[i].args[0] = (uintptr_t)newlines;
			mc[i].args[1] = sizeof(newlines);
		}
		EXPECT(vmi_call(VMI_CALL_MULTICALL, (uintptr_t)mc,
				VMI_MULTICALL_MAX, 0), VMI_MULTICALL_MAX);
		for (unsigned int i = 0; i < VMI_MULTICALL_MAX; i++)
			CHECK(mc[i].result == (int64_t)sizeof(newlines),
			      "CONSOLE_WRITE %u of round %u returned %lld", i,
			      rounds, mc[i].result);
	outs:
		if (!(ways & 2))
			goto done;
		asm volatile("rep outsb"
			     : "+S"(s), "+c"(n)
			     : "d"(0x3f8)
			     : "memory");
		CHECK(n == 0, "rep outsb left ecx %u", n);
	done:
		t = now_us() - t;
		if (t > longest)
			longest = t;
		rounds++;
	}
	printf("console_flood: flood: %u rounds of %u x %u newlines through "
	       "CONSOLE_WRITE and %u through rep outsb in %llu ms, longest "
	       "round %llu ms\n", rounds, VMI_MULTICALL_MAX, VMI_CONSOLE_MAX,
	       VMI_CONSOLE_MAX, udiv64(now_us() - t0, 1000),
	       udiv64(longest, 1000));
	CHECK(rounds > 1, "only %u rounds in %u s", rounds, secs);
}

/* ------------------------------------------------------------------ */
/* role=steady                                                          */

static volatile uint32_t ticks;
static volatile uint64_t last_tick, max_gap;

static void timer_irq(struct trap_frame *f)
{
	uint64_t now = rdtsc();

	(void)f;
	if (ticks && now - last_tick > max_gap)
		max_gap = now - last_tick;
	last_tick = now;
	ticks++;
}

static void steady(void)
{
	uint32_t secs = cmdline_num("secs", 4), reports = 0;
	uint64_t hz = lapic_timer_calibrate(), t0, end, us, want, slow = 0;

	irq_set_handler(VEC_TIMER, timer_irq);
	t0 = rdtsc();
	end = t0 + us_to_tsc(secs * 1000000ull);
	lapic_timer_periodic(VEC_TIMER, (uint32_t)udiv64(hz, HZ));
	sti();
	while (rdtsc() < end) {
		uint64_t t;

		idle_for(100000);
		t = rdtsc();
		printf("console_flood: steady: %u ticks after %llu ms\n", ticks,
		       udiv64(tsc_to_us(t - t0), 1000));
		t = rdtsc() - t;
		if (t > slow)
			slow = t;
		reports++;
	}
	lapic_timer_stop();
	us = tsc_to_us(rdtsc() - t0);
	want = udiv64(us * HZ, 1000000);
	printf("console_flood: steady: %u ticks in %llu ms (%llu due), longest "
	       "gap %llu ms, %u reports, longest report %llu ms\n", ticks,
	       udiv64(us, 1000), want, udiv64(tsc_to_us(max_gap), 1000),
	       reports, udiv64(tsc_to_us(slow), 1000));
	CHECK(ticks * 2 >= want, "%u ticks of %llu due", ticks, want);
	CHECK(tsc_to_us(max_gap) <= MAX_GAP_MS * 1000ull,
	      "the timer stopped for %llu ms", udiv64(tsc_to_us(max_gap), 1000));
	CHECK(tsc_to_us(slow) <= MAX_GAP_MS * 1000ull,
	      "a report line took %llu ms to write",
	      udiv64(tsc_to_us(slow), 1000));
}

/* ------------------------------------------------------------------ */
/* role=romflood                                                        */

/* The VMI ROM MSR written 1000 times with a page outside RAM (#GP each
 * time) and 1000 times with the ROM page: each write is logged, but only
 * within the domain's VMI log budget. */
static void romflood(void)
{
	unsigned int bad = 0;

	CHECK(cpuid(VMI_CPUID_VERSION).eax != 0,
	      "VMI hidden: run role=romflood as type=pv");
	for (unsigned int i = 0; i < 1000; i++) {
		bad += wrmsr_safe(VMI_MSR_ROM, 0xfee00000ull | VMI_ROM_ENABLE) ==
		       VEC_GP;
		CHECK(wrmsr_safe(VMI_MSR_ROM,
				 (uintptr_t)vmi_rom | VMI_ROM_ENABLE) < 0,
		      "the ROM MSR refused a page of RAM");
	}
	CHECK(bad == 1000, "%u of 1000 bad ROM addresses refused", bad);
	printf("console_flood: romflood: 1000 refused and 1000 accepted ROM "
	       "MSR writes\n");
}

void test_main(void)
{
	char role[16];
	const char *r = cmdline_get("role", role, sizeof(role));

	if (r && !strcmp(r, "flood"))
		flood();
	else if (r && !strcmp(r, "steady"))
		steady();
	else if (r && !strcmp(r, "romflood"))
		romflood();
	else
		guest_fail(guest_name, "role=flood, steady or romflood, please");
	guest_pass(guest_name);
}
