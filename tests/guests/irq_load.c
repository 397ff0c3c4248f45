/*
 * irq_load - interrupts from two sources under a CPU-bound, exit-heavy
 * load: none lost beyond a tolerance, none taken with interrupts off.
 *
 * For LOAD_US (2 s) the boot CPU runs CPUID in a loop (every CPUID exits
 * to a hypervisor) while the PIT, routed ISA IRQ 0 -> IOAPIC (through the
 * MADT override, GSI 2 on a PC) -> vector 0x30, interrupts at 1 kHz and
 * the LAPIC timer, periodic, at 400 Hz on vector 0x40.  Every ~5 ms the
 * loop closes a cli window of ~300 us.  Proves:
 *  - each source delivered at least 90% of the interrupts due in the time
 *    the CPU was running (stolen time, see gap_meter, is not charged), and
 *    no more than 102% + 2 of those due in the elapsed time;
 *  - no handler ran inside a cli window (a flag set inside the window,
 *    and the counters unchanged across it), and every interrupted frame
 *    had EFLAGS.IF set;
 *  - interrupts that fell due inside a window were held, not dropped:
 *    some were taken right after the sti that closed it.
 * The cli windows are shorter than the shortest period, so they cannot
 * make an edge-triggered interrupt coalesce.
 */
#include "guest.h"

GUEST_TEST("irq_load");

#define VEC_PIT 0x30
#define VEC_LAPIC 0x40
#define PIT_RELOAD 1193 /* 1193182 / 1193 = 1000.15 Hz */
#define LAPIC_RATE 400
#define LOAD_US 2000000
#define WINDOW_US 300
#define WINDOW_EVERY_US 5000
#define GAP_US 250

static volatile uint32_t n_pit, n_lapic, in_cli, in_cli_hits, if_clear;

static void check_frame(struct trap_frame *f)
{
	if (in_cli)
		in_cli_hits++;
	if (!(f->eflags & X86_EFLAGS_IF))
		if_clear++;
}

static void on_pit(struct trap_frame *f)
{
	check_frame(f);
	n_pit++;
}

static void on_lapic(struct trap_frame *f)
{
	check_frame(f);
	n_lapic++;
}

static void judge(const char *what, uint32_t n, uint64_t rate_mhz,
		  uint64_t us, uint64_t stolen)
{
	/* rate_mhz: in mHz, to keep the PIT's 1000.15 Hz. */
	uint64_t due = udiv64(rate_mhz * us, 1000000000ull);
	uint64_t due_run = udiv64(rate_mhz * (us - stolen), 1000000000ull);

	printf("irq_load: %s: %u interrupts, %llu due (%llu while running): "
	       "%llu%%\n",
	       what, n, due, due_run,
	       udiv64((uint64_t)n * 100, due_run ? due_run : 1));
	CHECK(n * 10ull >= due_run * 9,
	      "%s: %u interrupts, fewer than 90%% of the %llu due", what, n,
	      due_run);
	CHECK(n * 100ull <= due * 102 + 200,
	      "%s: %u interrupts, more than the %llu due", what, n, due);
}

void test_main(void)
{
	uint64_t hz = lapic_timer_calibrate(), t0, end, next_window, us;
	uint64_t stolen, cpuids = 0;
	uint32_t windows = 0, deferred = 0, changed = 0;
	struct gap_meter g;
	int pin;

	irq_set_handler(VEC_PIT, on_pit);
	irq_set_handler(VEC_LAPIC, on_lapic);
	CHECK(guest_plat.have_ioapic, "no IOAPIC");

	cli();
	pit_set_periodic(PIT_RELOAD);
	pin = ioapic_route_isa(0, VEC_PIT, lapic_id());
	CHECK(pin >= 0, "ISA IRQ 0 (GSI %u) has no IOAPIC pin",
	      guest_plat.isa_gsi[0]);
	printf("irq_load: PIT at %u Hz on IOAPIC pin %d, LAPIC timer at %u "
	       "Hz, %u ms of CPUID load\n",
	       PIT_HZ / PIT_RELOAD, pin, LAPIC_RATE, LOAD_US / 1000);
	lapic_timer_periodic(VEC_LAPIC, (uint32_t)udiv64(hz, LAPIC_RATE));
	gap_meter_start(&g, GAP_US);
	t0 = rdtsc();
	end = t0 + us_to_tsc(LOAD_US);
	next_window = t0 + us_to_tsc(WINDOW_EVERY_US);
	sti();

	while (gap_meter_poll(&g) < end) {
		cpuid(0);
		cpuid(1);
		cpuids += 2;
		if (g.last < next_window)
			continue;
		/* A cli window: nothing may be taken until the sti. */
		{
			uint64_t wend;
			uint32_t before;

			cli();
			in_cli = 1;
			before = n_pit + n_lapic;
			wend = rdtsc() + us_to_tsc(WINDOW_US);
			while (gap_meter_poll(&g) < wend) {
				cpuid(0);
				cpuids++;
			}
			if (n_pit + n_lapic != before)
				changed++;
			in_cli = 0;
			before = n_pit + n_lapic;
			asm volatile("sti; nop" ::: "memory");
			if (n_pit + n_lapic != before)
				deferred++;
			windows++;
			next_window = g.last + us_to_tsc(WINDOW_EVERY_US);
		}
	}

	cli();
	us = tsc_to_us(rdtsc() - t0);
	ioapic_mask_isa(0);
	lapic_timer_stop();
	sti();
	stolen = gap_meter_stolen_us(&g);
	printf("irq_load: %llu us elapsed, %llu us stolen (longest gap %llu "
	       "us), %llu CPUIDs, %u cli windows, %u interrupts held to the "
	       "sti\n",
	       us, stolen, gap_meter_max_gap_us(&g), cpuids, windows,
	       deferred);
	CHECK(!in_cli_hits, "%u interrupts taken inside cli windows",
	      in_cli_hits);
	CHECK(!changed, "counters moved inside %u cli windows", changed);
	CHECK(!if_clear, "%u interrupts interrupted code with EFLAGS.IF "
	      "clear", if_clear);
	CHECK(deferred > 0, "no interrupt was held across a cli window and "
	      "taken at the sti (%u windows)", windows);
	judge("PIT", n_pit, udiv64(PIT_HZ * 1000ull, PIT_RELOAD), us,
	      stolen);
	judge("LAPIC timer", n_lapic, LAPIC_RATE * 1000ull, us, stolen);
	guest_pass(guest_name);
}
