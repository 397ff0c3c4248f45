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
	/* The count is loaded on the next CLK pulse; wait for it to move. */
	pc->last = pit_read_counter(0);
	pc->ticks = 0;
}

uint64_t pit_clock_poll(struct pit_clock *pc)
{
	uint16_t now = pit_read_counter(0);

	/* Mode 2 counts down; modulo 65536 the distance is the time. */
	pc->ticks += (uint16_t)(pc->last - now);
	pc->last = now;
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

/* Count TSC ticks over 50 ms of PIT time (boot CPU, interrupts off). */

void tsc_calibrate(void)
{
	struct pit_clock pc;
	uint64_t t0, t1, ticks;
	const uint64_t want = PIT_HZ / 20;

	tsc_boot = rdtsc();
	pit_clock_start(&pc);
	/* Start on a count change so the first partial tick is not lost. */
	while (pit_clock_poll(&pc) == 0)
		;
	ticks = pc.ticks;
	t0 = rdtsc();
	while (pit_clock_poll(&pc) - ticks < want)
		;
	t1 = rdtsc();
	ticks = pc.ticks - ticks;
	tsc_hz = udiv64((t1 - t0) * PIT_HZ, ticks);
	if (!tsc_hz)
		tsc_hz = 1;
}
