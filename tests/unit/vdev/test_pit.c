/*
 * hvm/vpit.c: counter values at simulated times in every mode, latch and
 * read-back, channel 2 through port 0x61 the way Linux calibrates the
 * TSC, and IRQ 0 edges without drift.
 */
#include "unit.h"
#include "vdev_test.h"

#define PIT_HZ 1193182ull
#define CH0 0x40
#define CH2 0x42
#define CTRL 0x43

/* Guest time at which @ticks have elapsed since @start. */
static uint64_t at(uint64_t start, uint64_t ticks)
{
	return start + ticks_ns(ticks, PIT_HZ);
}

/* Latch channel @ch and read the 16-bit count (access mode 3). */
static unsigned int latch_read(unsigned int ch, uint64_t now)
{
	unsigned int lo, hi;

	out8(CTRL, (uint8_t)(ch << 6), now);
	lo = in8((uint16_t)(CH0 + ch), now);
	hi = in8((uint16_t)(CH0 + ch), now);
	return lo | hi << 8;
}

static void program(unsigned int ch, unsigned int mode, unsigned int count,
		    uint64_t now)
{
	out8(CTRL, (uint8_t)(ch << 6 | 3 << 4 | mode << 1), now);
	out8((uint16_t)(CH0 + ch), (uint8_t)count, now);
	out8((uint16_t)(CH0 + ch), (uint8_t)(count >> 8), now);
}

static void test_mode0(void)
{
	uint64_t t = T0 + 5000;

	vdev_setup();
	CU_ASSERT_EQUAL(vpit_next_deadline(&vd.pit), VPLAT_NO_DEADLINE);
	program(0, 0, 1000, t);
	CU_ASSERT_EQUAL(latch_read(0, t), 1000);
	CU_ASSERT_EQUAL(latch_read(0, at(t, 1)), 999);
	CU_ASSERT_EQUAL(latch_read(0, at(t, 1) - 1), 1000);
	CU_ASSERT_EQUAL(latch_read(0, at(t, 600)), 400);
	CU_ASSERT_FALSE(vpit_get_out(&vd.pit, 0, at(t, 999)));
	CU_ASSERT_TRUE(vpit_get_out(&vd.pit, 0, at(t, 1000)));
	/* After terminal count the counter wraps on through 0xffff. */
	CU_ASSERT_EQUAL(latch_read(0, at(t, 1001)), 0xffff);
	CU_ASSERT_TRUE(vpit_get_out(&vd.pit, 0, at(t, 5000)));

	/* IRQ 0 once, at the rising edge of OUT0. */
	CU_ASSERT_EQUAL(vpit_next_deadline(&vd.pit), at(t, 1000));
	vpit_tick(&vd.pit, at(t, 1000) - 1);
	CU_ASSERT_EQUAL(vd.fake.rises[0], 0);
	vpit_tick(&vd.pit, at(t, 1000));
	CU_ASSERT_EQUAL(vd.fake.rises[0], 1);
	CU_ASSERT_FALSE(vd.fake.level[0]); /* pulsed: 1 then 0 */
	CU_ASSERT_EQUAL(vd.fake.calls[0], 2);
	CU_ASSERT_EQUAL(vpit_next_deadline(&vd.pit), VPLAT_NO_DEADLINE);
	vpit_tick(&vd.pit, at(t, 90000));
	CU_ASSERT_EQUAL(vd.fake.rises[0], 1);
	CU_ASSERT_FALSE(vd.fake.bad_irq);
}

static void test_mode0_first_byte_stops(void)
{
	uint64_t t = T0;

	vdev_setup();
	program(0, 0, 100, t);
	CU_ASSERT_TRUE(vpit_get_out(&vd.pit, 0, at(t, 200)));
	/* Writing the LSB alone stops counting and drops OUT. */
	out8(CH0, 0x10, at(t, 200));
	CU_ASSERT_FALSE(vpit_get_out(&vd.pit, 0, at(t, 300)));
	CU_ASSERT_EQUAL(latch_read(0, at(t, 300)), latch_read(0, at(t, 200)));
	CU_ASSERT_EQUAL(vpit_next_deadline(&vd.pit), VPLAT_NO_DEADLINE);
	/* The MSB loads 0x0010 and counts again from there. */
	t = at(t, 400);
	out8(CH0, 0x00, t);
	CU_ASSERT_EQUAL(latch_read(0, at(t, 5)), 11);
	CU_ASSERT_EQUAL(vpit_next_deadline(&vd.pit), at(t, 16));
}

static void test_access_modes(void)
{
	uint64_t t = T0;

	vdev_setup();
	/* LSB only, mode 0. */
	out8(CTRL, 0x10, t);
	out8(CH0, 0x50, t);
	CU_ASSERT_EQUAL(in8(CH0, at(t, 0x10)), 0x40);
	CU_ASSERT_EQUAL(in8(CH0, at(t, 0x10)), 0x40); /* no flip-flop */
	/* MSB only, mode 0. */
	out8(CTRL, 0x20, t);
	out8(CH0, 0x12, t);
	CU_ASSERT_EQUAL(in8(CH0, at(t, 0x100)), 0x11);
	out8(CTRL, 0x00, at(t, 0x180)); /* latch: 0x1080, reads MSB */
	CU_ASSERT_EQUAL(in8(CH0, at(t, 0x300)), 0x10);
	CU_ASSERT_EQUAL(in8(CH0, at(t, 0x300)), 0x0f);
	/* Count 0 is 0x10000: LSB and MSB 0 counts a full 65536. */
	program(0, 0, 0, t);
	CU_ASSERT_EQUAL(latch_read(0, at(t, 1)), 0xffff);
	CU_ASSERT_EQUAL(vpit_next_deadline(&vd.pit), at(t, 0x10000));
	/* Without a latch, LSB and MSB alternate and are read live. */
	CU_ASSERT_EQUAL(in8(CH0, at(t, 0x101)), 0xff);
	CU_ASSERT_EQUAL(in8(CH0, at(t, 0x201)), 0xfd);
	/* The control port reads as a floating bus. */
	CU_ASSERT_EQUAL(in8(CTRL, t), 0xff);
}

static void test_latch_and_readback(void)
{
	uint64_t t = T0;

	vdev_setup();
	out8(0x61, 0x01, t); /* GATE2 on */
	program(2, 0, 5000, t);
	/* A latched count stays while time passes, until read. */
	out8(CTRL, 0x80, at(t, 100));
	out8(CTRL, 0x80, at(t, 200)); /* ignored: already latched */
	CU_ASSERT_EQUAL(in8(CH2, at(t, 900)), (4900 & 0xff));
	CU_ASSERT_EQUAL(in8(CH2, at(t, 900)), 4900 >> 8);
	CU_ASSERT_EQUAL(latch_read(2, at(t, 1000)), 4000);

	/* Read-back status of counter 2: OUT low, count loaded, access
	 * LSB/MSB, mode 0, binary. */
	out8(CTRL, 0xe8, at(t, 1000)); /* 11 1 0 100 0: status only */
	CU_ASSERT_EQUAL(in8(CH2, at(t, 1000)), 0x30);
	CU_ASSERT_EQUAL(latch_read(2, at(t, 1500)), 3500);
	/* Count and status: status first, then the count bytes. */
	out8(CTRL, 0xc8, at(t, 6000));
	CU_ASSERT_EQUAL(in8(CH2, at(t, 7000)), 0xb0); /* OUT high now */
	CU_ASSERT_EQUAL(in8(CH2, at(t, 7000)), (uint8_t)(5000 - 6000));
	CU_ASSERT_EQUAL(in8(CH2, at(t, 7000)), (uint8_t)((5000 - 6000) >> 8));
	/* Status right after a control word: null count set. */
	out8(CTRL, 0xb1, at(t, 7000)); /* counter 2, mode 0, BCD */
	out8(CTRL, 0xe8, at(t, 7000));
	CU_ASSERT_EQUAL(in8(CH2, at(t, 7000)), 0x71);
	/* Read-back of several counters at once. */
	program(0, 2, 100, t);
	out8(CTRL, 0xd6, at(t, 10)); /* count of 0 and 1 */
	CU_ASSERT_EQUAL(in8(CH0, at(t, 50)), 90);
	CU_ASSERT_EQUAL(in8(CH0, at(t, 50)), 0);
}

static void test_mode2_and_drift(void)
{
	const unsigned int latch = 1193; /* Linux, HZ = 1000 */
	uint64_t t = T0 + 12345, d, jitter = 0;
	unsigned int k;

	vdev_setup();
	program(0, 2, latch, t);
	CU_ASSERT_EQUAL(latch_read(0, t), latch);
	CU_ASSERT_EQUAL(latch_read(0, at(t, 1192)), 1);
	CU_ASSERT_EQUAL(latch_read(0, at(t, 1193)), latch);
	CU_ASSERT_TRUE(vpit_get_out(&vd.pit, 0, at(t, 1191)));
	CU_ASSERT_FALSE(vpit_get_out(&vd.pit, 0, at(t, 1192)));
	CU_ASSERT_TRUE(vpit_get_out(&vd.pit, 0, at(t, 1193)));

	/* 1000 periods, the platform timer firing late by up to 600 us:
	 * each edge is still due at exactly start + k * N ticks. */
	for (k = 1; k <= 1000; k++) {
		d = vpit_next_deadline(&vd.pit);
		CU_ASSERT_EQUAL(d, at(t, (uint64_t)k * latch));
		jitter = (jitter * 1103515245 + 12345) % 600000;
		vpit_tick(&vd.pit, d + jitter);
		CU_ASSERT_EQUAL(vd.fake.rises[0], k);
	}
	CU_ASSERT_EQUAL(vd.fake.rises[0], 1000);
	CU_ASSERT_EQUAL(vpit_next_deadline(&vd.pit), at(t, 1001ull * latch));
	CU_ASSERT_FALSE(vd.fake.bad_irq);

	/* A tick that misses periods sends one pulse now; the rest wait. */
	vpit_tick(&vd.pit, at(t, 1005ull * latch) + 10);
	CU_ASSERT_EQUAL(vd.fake.rises[0], 1001);
	CU_ASSERT_EQUAL(vpit_next_deadline(&vd.pit), at(t, 1006ull * latch));
}

/* Missed edges are re-sent one per interrupt the guest takes. */
static void test_mode2_reinject(void)
{
	const unsigned int latch = 4773; /* HZ = 250 */
	uint64_t t = T0;
	unsigned int i;

	vdev_setup();
	program(0, 2, latch, t);
	vpit_tick(&vd.pit, at(t, latch));
	CU_ASSERT_EQUAL(vd.fake.rises[0], 1);
	vpit_irq_taken(&vd.pit);
	CU_ASSERT_EQUAL(vd.fake.rises[0], 1); /* nothing owed */
	/* Late by 4 periods: edges 2..6 are due, one pulse now. */
	vpit_tick(&vd.pit, at(t, 6ull * latch) + 7);
	CU_ASSERT_EQUAL(vd.fake.rises[0], 2);
	for (i = 0; i < 4; i++) {
		vpit_irq_taken(&vd.pit);
		CU_ASSERT_EQUAL(vd.fake.rises[0], 3 + i);
	}
	vpit_irq_taken(&vd.pit);
	CU_ASSERT_EQUAL(vd.fake.rises[0], 6);
	CU_ASSERT_EQUAL(vpit_next_deadline(&vd.pit), at(t, 7ull * latch));
	/* A long stall owes at most VPIT_MAX_OWED edges. */
	vpit_tick(&vd.pit, at(t, 5000ull * latch));
	CU_ASSERT_EQUAL(vd.fake.rises[0], 7);
	for (i = 0; i < 2 * VPIT_MAX_OWED; i++)
		vpit_irq_taken(&vd.pit);
	CU_ASSERT_EQUAL(vd.fake.rises[0], 7 + VPIT_MAX_OWED - 1);
	CU_ASSERT_FALSE(vd.fake.bad_irq);
}

static void test_mode2_new_count(void)
{
	uint64_t t = T0, t2;

	vdev_setup();
	program(0, 2, 1000, t);
	vpit_tick(&vd.pit, at(t, 1000));
	CU_ASSERT_EQUAL(vd.fake.rises[0], 1);
	/* A new count in mid-period loads at the end of the period. */
	t2 = at(t, 2000);
	program(0, 2, 1000, t2); /* restart by a control word */
	out8(CH0, 500 & 0xff, at(t2, 300));
	out8(CH0, 500 >> 8, at(t2, 300));
	CU_ASSERT_EQUAL(latch_read(0, at(t2, 400)), 600);
	CU_ASSERT_EQUAL(vpit_next_deadline(&vd.pit), at(t2, 1000));
	vpit_tick(&vd.pit, at(t2, 1000));
	CU_ASSERT_EQUAL(vd.fake.rises[0], 2);
	CU_ASSERT_EQUAL(latch_read(0, at(t2, 1100)), 400);
	CU_ASSERT_EQUAL(vpit_next_deadline(&vd.pit), at(t2, 1500));
	vpit_tick(&vd.pit, at(t2, 1500));
	CU_ASSERT_EQUAL(vd.fake.rises[0], 3);
	CU_ASSERT_EQUAL(vpit_next_deadline(&vd.pit), at(t2, 2000));
}

static void test_mode3(void)
{
	uint64_t t = T0;

	vdev_setup();
	program(0, 3, 1000, t);
	CU_ASSERT_EQUAL(latch_read(0, t), 1000);
	CU_ASSERT_EQUAL(latch_read(0, at(t, 100)), 800);
	CU_ASSERT_EQUAL(latch_read(0, at(t, 499)), 2);
	CU_ASSERT_TRUE(vpit_get_out(&vd.pit, 0, at(t, 499)));
	CU_ASSERT_EQUAL(latch_read(0, at(t, 500)), 1000);
	CU_ASSERT_FALSE(vpit_get_out(&vd.pit, 0, at(t, 500)));
	CU_ASSERT_FALSE(vpit_get_out(&vd.pit, 0, at(t, 999)));
	CU_ASSERT_TRUE(vpit_get_out(&vd.pit, 0, at(t, 1000)));
	CU_ASSERT_EQUAL(vpit_next_deadline(&vd.pit), at(t, 1000));

	/* Odd count: high (N+1)/2, low (N-1)/2; 5, 4, 2 | 5, 2. */
	program(0, 3, 5, t);
	CU_ASSERT_EQUAL(latch_read(0, at(t, 0)), 5);
	CU_ASSERT_EQUAL(latch_read(0, at(t, 1)), 4);
	CU_ASSERT_EQUAL(latch_read(0, at(t, 2)), 2);
	CU_ASSERT_TRUE(vpit_get_out(&vd.pit, 0, at(t, 2)));
	CU_ASSERT_EQUAL(latch_read(0, at(t, 3)), 5);
	CU_ASSERT_FALSE(vpit_get_out(&vd.pit, 0, at(t, 3)));
	CU_ASSERT_EQUAL(latch_read(0, at(t, 4)), 2);
	CU_ASSERT_TRUE(vpit_get_out(&vd.pit, 0, at(t, 5)));

	/* Control word with mode 7 is mode 3 (data sheet: X11). */
	out8(CTRL, 0x3e, t);
	out8(CTRL, 0xe2, t);
	CU_ASSERT_EQUAL(in8(CH0, t) & 0x0e, 3 << 1);
}

static void test_mode4_and_gated_modes(void)
{
	uint64_t t = T0, r;

	vdev_setup();
	/* Mode 4 (Linux's one-shot clockevent): OUT low for one tick at
	 * terminal count, the IRQ on its rising edge. */
	program(0, 4, 100, t);
	CU_ASSERT_TRUE(vpit_get_out(&vd.pit, 0, at(t, 99)));
	CU_ASSERT_FALSE(vpit_get_out(&vd.pit, 0, at(t, 100)));
	CU_ASSERT_TRUE(vpit_get_out(&vd.pit, 0, at(t, 101)));
	CU_ASSERT_EQUAL(vpit_next_deadline(&vd.pit), at(t, 101));

	/* Mode 1 on channel 2: nothing until GATE rises. */
	program(2, 1, 300, t);
	CU_ASSERT_TRUE(vpit_get_out(&vd.pit, 2, at(t, 1000)));
	r = at(t, 1000);
	out8(0x61, 0x01, r);
	CU_ASSERT_EQUAL(latch_read(2, at(r, 100)), 200);
	CU_ASSERT_FALSE(vpit_get_out(&vd.pit, 2, at(r, 299)));
	CU_ASSERT_TRUE(vpit_get_out(&vd.pit, 2, at(r, 300)));
	/* Retrigger. */
	out8(0x61, 0x00, at(r, 400));
	r = at(r, 500);
	out8(0x61, 0x01, r);
	CU_ASSERT_FALSE(vpit_get_out(&vd.pit, 2, at(r, 200)));
	CU_ASSERT_TRUE(vpit_get_out(&vd.pit, 2, at(r, 300)));

	/* Mode 5: a one-tick strobe 300 ticks after the trigger. */
	r = at(r, 1000);
	program(2, 5, 300, r);
	out8(0x61, 0x00, r);
	r = at(r, 10);
	out8(0x61, 0x01, r);
	CU_ASSERT_TRUE(vpit_get_out(&vd.pit, 2, at(r, 299)));
	CU_ASSERT_FALSE(vpit_get_out(&vd.pit, 2, at(r, 300)));
	CU_ASSERT_TRUE(vpit_get_out(&vd.pit, 2, at(r, 301)));

	/* Mode 0: GATE low suspends counting. */
	r = at(r, 1000);
	program(2, 0, 1000, r);
	CU_ASSERT_EQUAL(latch_read(2, at(r, 100)), 900);
	out8(0x61, 0x00, at(r, 100));
	CU_ASSERT_EQUAL(latch_read(2, at(r, 600)), 900);
	r = at(r, 600);
	out8(0x61, 0x01, r);
	CU_ASSERT_EQUAL(latch_read(2, at(r, 100)), 800);

	/* Mode 2: GATE low forces OUT high, high reloads. */
	r = at(r, 1000);
	program(2, 2, 100, r);
	CU_ASSERT_FALSE(vpit_get_out(&vd.pit, 2, at(r, 99)));
	out8(0x61, 0x00, at(r, 99));
	CU_ASSERT_TRUE(vpit_get_out(&vd.pit, 2, at(r, 99)));
	r = at(r, 150);
	out8(0x61, 0x01, r);
	CU_ASSERT_EQUAL(latch_read(2, r), 100);
	CU_ASSERT_EQUAL(latch_read(2, at(r, 10)), 90);
}

/*
 * arch/x86/kernel/tsc.c quick_pit_calibrate(): GATE2 on, speaker off;
 * channel 2 mode 0 with 0xffff; then pit_expect_msb() loops reading LSB
 * and MSB until the MSB changes.  Each read costs the guest 1.5 us here.
 */
static void test_quick_pit_calibrate(void)
{
	const uint64_t step = 1500;
	uint64_t t = T0 + 777, start, now, changed_at[20];
	unsigned int i, count, msb;

	vdev_setup();
	out8(0x61, (uint8_t)((in8(0x61, t) & ~0x02) | 0x01), t);
	out8(CTRL, 0xb0, t);
	out8(CH2, 0xff, t);
	out8(CH2, 0xff, t);
	start = t;
	now = t;
	/* pit_verify_msb(0): one LSB/MSB pair as a delay. */
	in8(CH2, now += step);
	in8(CH2, now += step);
	for (i = 0; i < 20; i++) {
		for (count = 0; count < 50000; count++) {
			in8(CH2, now += step); /* LSB, ignored */
			msb = in8(CH2, now += step);
			if (msb != 0xff - i)
				break;
		}
		/* More than 5 good reads per MSB value, and then the
		 * next value. */
		CU_ASSERT(count > 5);
		CU_ASSERT_EQUAL(msb, 0xfe - i);
		changed_at[i] = now;
	}
	/* MSB 0xff - i lasts while d < 256 * (i + 1) (count 0xffff - d):
	 * each change is seen within one read of the true edge. */
	for (i = 0; i < 20; i++) {
		uint64_t edge = at(start, 256ull * (i + 1));

		CU_ASSERT(changed_at[i] >= edge);
		CU_ASSERT(changed_at[i] < edge + 2 * step + 1);
	}
	/* OUT2 (0x61 bit 5) stays low until 0xffff ticks. */
	CU_ASSERT_EQUAL(in8(0x61, now) & 0x20, 0);
	CU_ASSERT_EQUAL(in8(0x61, at(start, 0xfffe)) & 0x20, 0);
	CU_ASSERT_EQUAL(in8(0x61, at(start, 0xffff)) & 0x20, 0x20);
	/* Channel 2 has no IRQ. */
	CU_ASSERT_EQUAL(vd.fake.calls[0], 0);
}

/* tsc.c pit_calibrate_tsc(): poll 0x61 bit 5 for a 50 ms mode 0. */
static void test_pit_calibrate_tsc(void)
{
	const unsigned int latch = 1193182 / (1000 / 50);
	uint64_t t = T0, now = t;
	unsigned int loops = 0;

	vdev_setup();
	out8(0x61, (uint8_t)((in8(0x61, t) & ~0x02) | 0x01), t);
	out8(CTRL, 0xb0, t);
	out8(CH2, latch & 0xff, t);
	out8(CH2, latch >> 8, t);
	while (!(in8(0x61, now += 2000) & 0x20) && loops < 100000)
		loops++;
	/* 50 ms of 2 us polls. */
	CU_ASSERT(now >= at(t, latch));
	CU_ASSERT(now < at(t, latch) + 2000);
	CU_ASSERT(loops >= 24990 && loops <= 25000);
}

static void test_min_irq_spacing(void)
{
	uint64_t t = T0, d, last = 0;
	unsigned int k;

	vdev_setup();
	program(0, 2, 2, t); /* 1.7 us: far too fast */
	for (k = 0; k < 100; k++) {
		d = vpit_next_deadline(&vd.pit);
		if (k)
			CU_ASSERT(d >= last + VPIT_MIN_IRQ_NS);
		vpit_tick(&vd.pit, d);
		last = d;
	}
	CU_ASSERT_EQUAL(vd.fake.rises[0], 100);
}

void register_pit_tests(void)
{
	CU_pSuite s = CU_add_suite("vpit", NULL, NULL);

	CU_add_test(s, "mode 0 count and IRQ 0", test_mode0);
	CU_add_test(s, "mode 0 first byte stops", test_mode0_first_byte_stops);
	CU_add_test(s, "LSB/MSB access modes", test_access_modes);
	CU_add_test(s, "latch and read-back", test_latch_and_readback);
	CU_add_test(s, "mode 2: 1000 periods, no drift", test_mode2_and_drift);
	CU_add_test(s, "mode 2: missed edges reinjected as taken",
		    test_mode2_reinject);
	CU_add_test(s, "mode 2: new count at period end",
		    test_mode2_new_count);
	CU_add_test(s, "mode 3 square wave", test_mode3);
	CU_add_test(s, "modes 1, 4, 5 and GATE", test_mode4_and_gated_modes);
	CU_add_test(s, "Linux quick_pit_calibrate", test_quick_pit_calibrate);
	CU_add_test(s, "Linux pit_calibrate_tsc", test_pit_calibrate_tsc);
	CU_add_test(s, "IRQ 0 rate limit", test_min_irq_spacing);
}
