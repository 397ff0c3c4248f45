/*
 * portio - the legacy port-I/O devices every PC has behave like hardware.
 *
 * Proves: PIT channel 0 counts down at its rate (the read-back command
 * reports the programmed mode, the count moves, 1 s of PIT ticks is 1 s
 * of TSC time within 2%, the TSC having been calibrated on 3 x 55 ms of
 * PIT time at boot); the RTC/CMOS has valid time (register D VRT
 * set, register A divider 010 = 32.768 kHz, fields in range for the
 * BCD/binary and 12/24-hour modes register B selects) and its seconds
 * advance once per PIT-measured second (an edge-to-edge interval of
 * 0.8-1.25 s); the 16550's scratch register round-trips; with 8259s
 * present (MADT PCAT_COMPAT) the master's IMR reads back what was
 * written; reads of a port nothing decodes (UNDECODED_PORT) give all ones
 * at 8, 16 and 32 bits; writes to the POST port 0x80 are harmless (the
 * PIT and UART still work afterwards); string port I/O works: REP OUTSB
 * into the scratch register leaves the last byte there and advances ESI,
 * REP INSB from it fills a buffer and advances EDI, OUTSW/INSB to an
 * undecoded port read all ones, and DF = 1 steps backwards.
 */
#include "guest.h"

GUEST_TEST("portio");

/*
 * A port in the gap between COM4 (0x2e8) and COM2 (0x2f8) that no PC
 * device decodes: unassigned on QEMU q35 ("info mtree": 0x1d2-0x377),
 * on Bochs 2.7 (which does claim 0x2e0-0x2ef, so not COM4's base), and on
 * trivisor's virtual platform.  Unclaimed port reads float high.
 */
#define UNDECODED_PORT 0x2f0
#define COM1_SCR 0x3ff
#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71

/*
 * The PIT clock and the TSC read together: the TSC on both sides of the
 * PIT read, again until the pair was not split by a stall (200 us).
 */
static uint64_t pit_tsc_sample(struct pit_clock *pc, uint64_t *tsc)
{
	for (;;) {
		uint64_t a = rdtsc(), t = pit_clock_poll(pc), b = rdtsc();

		if (b - a < us_to_tsc(200)) {
			*tsc = a + (b - a) / 2;
			return t;
		}
	}
}

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static void check_pit(void)
{
	struct pit_clock pc;
	uint8_t status;
	uint16_t a, b;
	uint64_t t0, t1, us, ticks0, ticks1;

	pit_clock_start(&pc);
	/* Read-back command, latch status of channel 0 (8254 datasheet). */
	outb(PIT_CMD, 0xe2);
	status = inb(PIT_CH0);
	printf("portio: PIT channel 0 status %#x\n", status);
	CHECK(((status >> 4) & 3) == 3, "PIT status RW bits %u, expected 3 "
	      "(lobyte/hibyte)", (status >> 4) & 3);
	CHECK(((status >> 1) & 7) == 2 || ((status >> 1) & 7) == 6,
	      "PIT status mode %u, expected 2", (status >> 1) & 7);
	CHECK(!(status & 1), "PIT status says BCD counting");
	a = pit_read_counter(0);
	delay_us(1000);
	b = pit_read_counter(0);
	CHECK(a != b, "PIT channel 0 count stuck at %u", a);

	/* One second of PIT ticks against the TSC. */
	pit_clock_start(&pc);
	while (pit_clock_poll(&pc) == 0)
		;
	ticks0 = pit_tsc_sample(&pc, &t0);
	while (pit_clock_poll(&pc) - ticks0 < PIT_HZ)
		;
	ticks1 = pit_tsc_sample(&pc, &t1);
	/* TSC time per 1193182 PIT ticks. */
	us = udiv64(tsc_to_us(t1 - t0) * PIT_HZ, ticks1 - ticks0);
	printf("portio: %u PIT ticks took %llu us of TSC time\n", PIT_HZ, us);
	CHECK(us > 980000 && us < 1020000,
	      "1 s of PIT ticks took %llu us by the TSC", us);
}

static unsigned int from_bcd(uint8_t v, bool bcd)
{
	return bcd ? (v >> 4) * 10 + (v & 0xf) : v;
}

static bool bcd_ok(uint8_t v)
{
	return (v & 0xf) < 10 && (v >> 4) < 10;
}

/* Seconds register, read outside an update cycle (MC146818: UIP in A). */
static uint8_t rtc_seconds(void)
{
	while (cmos_read(0x0a) & 0x80)
		;
	return cmos_read(0x00);
}

static void check_rtc(void)
{
	uint8_t a = cmos_read(0x0a), b = cmos_read(0x0b), d = cmos_read(0x0d);
	bool bcd = !(b & 0x04), h24 = b & 0x02;
	uint8_t f[6];
	static const uint8_t regs[6] = { 0, 2, 4, 7, 8, 9 };
	static const unsigned int lo[6] = { 0, 0, 0, 1, 1, 0 };
	static const unsigned int hi[6] = { 59, 59, 23, 31, 12, 99 };
	struct pit_clock pc;
	uint8_t s0, s1;
	uint64_t ticks, us;

	printf("portio: RTC A=%#x B=%#x D=%#x (%s, %s)\n", a, b, d,
	       bcd ? "BCD" : "binary", h24 ? "24h" : "12h");
	CHECK(d & 0x80, "RTC register D: VRT clear (time not valid)");
	CHECK(((a >> 4) & 7) == 2, "RTC divider %u, expected 2 (32.768 kHz)",
	      (a >> 4) & 7);
	while (cmos_read(0x0a) & 0x80)
		;
	for (int i = 0; i < 6; i++)
		f[i] = cmos_read(regs[i]);
	printf("portio: RTC %02x-%02x-%02x %02x:%02x:%02x\n", f[5], f[4], f[3],
	       f[2], f[1], f[0]);
	for (int i = 0; i < 6; i++) {
		uint8_t v = f[i];
		unsigned int max = hi[i], min = lo[i];

		if (regs[i] == 4 && !h24) { /* 12h: bit 7 = PM, 1..12 */
			v &= 0x7f;
			min = 1;
			max = 12;
		}
		CHECK(!bcd || bcd_ok(v), "RTC register %u = %#x is not BCD",
		      regs[i], f[i]);
		CHECK(from_bcd(v, bcd) >= min && from_bcd(v, bcd) <= max,
		      "RTC register %u = %#x out of range", regs[i], f[i]);
	}

	/* Find a seconds edge, then time the next one with the PIT. */
	pit_clock_start(&pc);
	s0 = rtc_seconds();
	while ((s1 = rtc_seconds()) == s0)
		CHECK(pit_clock_poll(&pc) < 2 * PIT_HZ,
		      "RTC seconds stuck at %#x for 2 s", s0);
	pc.ticks = 0;
	s0 = s1;
	while ((s1 = rtc_seconds()) == s0)
		CHECK(pit_clock_poll(&pc) < 2 * PIT_HZ,
		      "RTC seconds stuck at %#x for 2 s", s0);
	ticks = pit_clock_poll(&pc);
	us = udiv64(ticks * 1000000, PIT_HZ);
	printf("portio: RTC seconds %#x -> %#x after %llu us of PIT time\n",
	       s0, s1, us);
	CHECK(us > 800000 && us < 1250000,
	      "RTC second lasted %llu us by the PIT", us);
	CHECK((from_bcd(s1, bcd) + 60 - from_bcd(s0, bcd)) % 60 == 1,
	      "RTC seconds jumped from %#x to %#x", s0, s1);

	/* CMOS RAM bytes (after the clock registers) read stably. */
	for (uint8_t r = 0x0e; r < 0x40; r++) {
		uint8_t x = cmos_read(r), y = cmos_read(r);

		CHECK(x == y, "CMOS byte %#x read %#x then %#x", r, x, y);
	}
}

static void check_undecoded(void)
{
	uint8_t b = inb(UNDECODED_PORT);
	uint16_t w = inw(UNDECODED_PORT);
	uint32_t l = inl(UNDECODED_PORT);

	printf("portio: port %#x reads %#x / %#x / %#x\n", UNDECODED_PORT, b,
	       w, l);
	CHECK(b == 0xff, "inb(%#x) = %#x, expected 0xff", UNDECODED_PORT, b);
	CHECK(w == 0xffff, "inw(%#x) = %#x, expected 0xffff", UNDECODED_PORT,
	      w);
	CHECK(l == 0xffffffffu, "inl(%#x) = %#x, expected 0xffffffff",
	      UNDECODED_PORT, l);
	/* A write there goes nowhere and changes nothing. */
	outb(UNDECODED_PORT, 0x5a);
	CHECK(inb(UNDECODED_PORT) == 0xff, "write to port %#x stuck",
	      UNDECODED_PORT);
}

static void check_uart_and_pic(void)
{
	static const uint8_t pat[] = { 0x00, 0xff, 0x5a, 0xa5 };

	for (unsigned int i = 0; i < sizeof(pat); i++) {
		outb(COM1_SCR, pat[i]);
		CHECK(inb(COM1_SCR) == pat[i],
		      "UART scratch wrote %#x read %#x", pat[i],
		      inb(COM1_SCR));
	}
	if (!guest_plat.pcat_compat) {
		printf("portio: no 8259s (PCAT_COMPAT clear)\n");
		return;
	}
	outb(0x21, 0xfb);
	CHECK(inb(0x21) == 0xfb, "8259 IMR wrote 0xfb read %#x", inb(0x21));
	outb(0x21, 0xff);
	CHECK(inb(0x21) == 0xff, "8259 IMR wrote 0xff read %#x", inb(0x21));
}

static void check_string_io(void)
{
	static const uint8_t src[4] = { 0x11, 0x22, 0x33, 0x44 };
	static uint8_t dst[6];
	const uint8_t *s = src;
	uint8_t *d = dst;
	uint32_t n = 4;

	asm volatile("rep outsb" : "+S"(s), "+c"(n) : "d"(COM1_SCR) : "memory");
	CHECK(n == 0 && s == src + 4, "rep outsb left ecx %u, esi +%d", n,
	      (int)(s - src));
	CHECK(inb(COM1_SCR) == 0x44, "rep outsb: scratch holds %#x, not 0x44",
	      inb(COM1_SCR));
	n = 3;
	memset(dst, 0, sizeof(dst));
	asm volatile("rep insb" : "+D"(d), "+c"(n) : "d"(COM1_SCR) : "memory");
	CHECK(n == 0 && d == dst + 3, "rep insb left ecx %u, edi +%d", n,
	      (int)(d - dst));
	CHECK(dst[0] == 0x44 && dst[2] == 0x44 && dst[3] == 0,
	      "rep insb read %02x %02x %02x %02x", dst[0], dst[1], dst[2],
	      dst[3]);
	/* Backwards, one element, from an undecoded port: all ones. */
	d = dst + 5;
	asm volatile("std; insb; cld" : "+D"(d) : "d"(UNDECODED_PORT) : "memory");
	CHECK(d == dst + 4 && dst[5] == 0xff,
	      "std; insb: edi moved %d, byte %#x", (int)(d - (dst + 5)), dst[5]);
	printf("portio: rep outsb, rep insb and std; insb behave\n");
}

static void check_port80(void)
{
	uint16_t a, b;

	for (unsigned int i = 0; i < 4096; i++)
		outb(0x80, (uint8_t)i);
	a = pit_read_counter(0);
	delay_us(500);
	b = pit_read_counter(0);
	CHECK(a != b, "PIT stopped after writes to port 0x80");
	outb(COM1_SCR, 0x3c);
	CHECK(inb(COM1_SCR) == 0x3c, "UART broken after writes to port 0x80");
	printf("portio: 4096 writes to port 0x80 harmless\n");
}

void test_main(void)
{
	check_pit();
	check_rtc();
	check_undecoded();
	check_uart_and_pic();
	check_string_io();
	check_port80();
	guest_pass(guest_name);
}
