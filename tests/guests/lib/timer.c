/*
 * timer.c - the PIT (8254) as the reference clock, the TSC calibrated
 * against it, and TSC-based delays.
 *
 * The PIT is the one time source every PC has at a known rate (1.193182
 * MHz).  Channel 0 is read by latching its count (counter latch command,
 * 8254 datasheet "Read Operations"), so no gate (port 0x61) is needed.
 */
#include "private.h"

uint64_t tsc_hz;
static uint64_t tsc_boot;

uint16_t pit_read_counter(unsigned int channel)
{
	uint8_t lo, hi;

	outb(PIT_CMD, (uint8_t)(channel << 6)); /* latch, RW bits 00 */
	lo = inb((uint16_t)(PIT_CH0 + channel));
	hi = inb((uint16_t)(PIT_CH0 + channel));
	return (uint16_t)(lo | (hi << 8));
}

void pit_set_periodic(uint16_t reload)
{
	outb(PIT_CMD, 0x34); /* channel 0, lobyte/hibyte, mode 2, binary */
	outb(PIT_CH0, (uint8_t)reload);
	outb(PIT_CH0, (uint8_t)(reload >> 8));
}

void pit_clock_start(struct pit_clock *pc)
{
	pit_set_periodic(0); /* 65536: wraps every 54.9 ms */
	pc->last = pit_read_counter(0);
	pc->last_tsc = rdtsc();
	pc->ticks = 0;
}

uint64_t pit_clock_poll(struct pit_clock *pc)
{
	uint16_t now = pit_read_counter(0);
	uint64_t t = rdtsc();
	/* Mode 2 counts down; modulo 65536 the distance is the time. */
	uint64_t d = (uint16_t)(pc->last - now);

	/*
	 * A poll that came more than 45 ms after the last one (the CPU was
	 * descheduled) may have missed whole wraps: count those the TSC
	 * says passed.  Only whole wraps come from the TSC, and only after
	 * such a stall, so a stopped or slow PIT still shows.
	 */
	if (tsc_hz) {
		uint64_t est = udiv64((t - pc->last_tsc) * PIT_HZ, tsc_hz);

		if (est > 0xc000 && est + 0x8000 > d)
			d += (est + 0x8000 - d) & ~0xffffull;
	}
	pc->ticks += d;
	pc->last = now;
	pc->last_tsc = t;
	return pc->ticks;
}

uint64_t tsc_to_us(uint64_t ticks)
{
	return udiv64(ticks * 1000000ull, tsc_hz);
}

uint64_t us_to_tsc(uint64_t us)
{
	return udiv64(us * tsc_hz, 1000000ull);
}

uint64_t now_us(void)
{
	return tsc_to_us(rdtsc() - tsc_boot);
}

void delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + us_to_tsc(us);

	while (rdtsc() < end)
		cpu_relax();
}

void gap_meter_start(struct gap_meter *g, uint64_t threshold_us)
{
	g->threshold = us_to_tsc(threshold_us);
	g->stolen = 0;
	g->max_gap = 0;
	g->last = rdtsc();
}

uint64_t gap_meter_poll(struct gap_meter *g)
{
	uint64_t t = rdtsc(), d = t - g->last;

	if (d > g->threshold)
		g->stolen += d;
	if (d > g->max_gap)
		g->max_gap = d;
	g->last = t;
	return t;
}

uint64_t gap_meter_stolen_us(const struct gap_meter *g)
{
	return tsc_to_us(g->stolen);
}

uint64_t gap_meter_max_gap_us(const struct gap_meter *g)
{
	return tsc_to_us(g->max_gap);
}

void spin_us(uint64_t us, struct gap_meter *g)
{
	uint64_t end = rdtsc() + us_to_tsc(us);

	while (gap_meter_poll(g) < end)
		cpu_relax();
}

static void idle_tick(struct trap_frame *f)
{
	(void)f;
}

static unsigned int idle_tick_depth;
static bool idle_tick_on;

bool idle_tick_begin(void)
{
	if (idle_tick_depth++)
		return idle_tick_on;
	irq_set_handler(VEC_IDLE_TICK, idle_tick);
	idle_tick_on = false;
	if (guest_plat.have_ioapic) {
		pit_set_periodic((uint16_t)(PIT_HZ / 100));
		idle_tick_on =
			ioapic_route_isa(0, VEC_IDLE_TICK, lapic_id()) >= 0;
	}
	return idle_tick_on;
}

void idle_tick_end(void)
{
	if (--idle_tick_depth == 0)
		ioapic_mask_isa(0);
}

/* One step of a wait (interrupts enabled on entry and exit): halt unless
 * @done, with no lost wake-up, since the check runs with interrupts off
 * and "sti; hlt" is atomic.  Without the tick, spin instead. */
static void idle_step(bool ticking, bool (*done)(void *), void *arg)
{
	cli();
	if (done(arg)) {
		sti();
		return;
	}
	if (ticking) {
		sti_hlt();
	} else {
		sti();
		cpu_relax();
	}
}

struct until_arg {
	volatile uint32_t *p;
	uint32_t want;
	uint64_t end;
};

static bool until_done(void *a)
{
	struct until_arg *u = a;

	return *u->p >= u->want || rdtsc() >= u->end;
}

bool idle_until(volatile uint32_t *p, uint32_t want, uint64_t timeout_us)
{
	struct until_arg u = { p, want, rdtsc() + us_to_tsc(timeout_us) };
	bool ticking = idle_tick_begin();

	while (!until_done(&u))
		idle_step(ticking, until_done, &u);
	idle_tick_end();
	return *p >= want;
}

static bool past(void *a)
{
	return rdtsc() >= *(uint64_t *)a;
}

void idle_for(uint64_t us)
{
	uint64_t end = rdtsc() + us_to_tsc(us);
	bool ticking = idle_tick_begin();

	while (!past(&end))
		idle_step(ticking, past, &end);
	idle_tick_end();
}

uint8_t pit_status(unsigned int channel)
{
	/* Read-back: latch status only (bit 5 = don't latch the count). */
	outb(PIT_CMD, (uint8_t)(0xe0 | (2u << channel)));
	return inb((uint16_t)(PIT_CH0 + channel));
}

/*
 * One calibration window: channel 0 in mode 0 counts 0xffff down to 0,
 * raises OUT (seen in the read-back status) and keeps counting from
 * 0xffff.  OUT cannot be missed the way a wrap of a free-running count
 * can when the CPU is descheduled for more than its 54.9 ms period, and
 * the count read after OUT rose says how far past the terminal count the
 * poll came.  Returns TSC ticks per second.
 */
static uint64_t calibrate_once(void)
{
	uint16_t c0, c1;
	uint64_t t0, t1, ticks;

	outb(PIT_CMD, 0x30); /* channel 0, lobyte/hibyte, mode 0, binary */
	outb(PIT_CH0, 0xff);
	outb(PIT_CH0, 0xff);
	while (pit_status(0) & PIT_STATUS_NULL_COUNT)
		;
	c0 = pit_read_counter(0);
	t0 = rdtsc();
	while (!(pit_status(0) & PIT_STATUS_OUT))
		;
	t1 = rdtsc();
	c1 = pit_read_counter(0);
	ticks = c0 + ((0x10000u - c1) & 0xffffu);
	return udiv64((t1 - t0) * PIT_HZ, ticks ? ticks : 1);
}

/* The median of three windows (about 165 ms; boot CPU, interrupts off). */
void tsc_calibrate(void)
{
	uint64_t r[3], t;

	tsc_boot = rdtsc();
	for (int i = 0; i < 3; i++)
		r[i] = calibrate_once();
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2 - i; j++)
			if (r[j] > r[j + 1]) {
				t = r[j];
				r[j] = r[j + 1];
				r[j + 1] = t;
			}
	tsc_hz = r[1] ? r[1] : 1;
	pit_set_periodic(0);
}
