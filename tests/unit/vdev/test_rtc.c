/*
 * hvm/vrtc.c: time of day in BCD and binary, 12/24 hours, UIP, setting
 * the clock, register C, periodic / update / alarm interrupts on IRQ 8,
 * CMOS RAM contents.
 */
#include "unit.h"
#include "vdev_test.h"

#define SEC 1000000000ull

static uint8_t cmos(unsigned int reg, uint64_t now)
{
	out8(0x70, (uint8_t)reg, now);
	return in8(0x71, now);
}

static void cmos_w(unsigned int reg, uint8_t v, uint64_t now)
{
	out8(0x70, (uint8_t)reg, now);
	out8(0x71, v, now);
}

static void test_bcd_time(void)
{
	uint64_t t = T0 + SEC / 2;

	vdev_setup();
	/* 2024-02-29 23:59:58, Thursday (day 5 with Sunday = 1). */
	CU_ASSERT_EQUAL(cmos(0x00, t), 0x58);
	CU_ASSERT_EQUAL(cmos(0x02, t), 0x59);
	CU_ASSERT_EQUAL(cmos(0x04, t), 0x23);
	CU_ASSERT_EQUAL(cmos(0x06, t), 0x05);
	CU_ASSERT_EQUAL(cmos(0x07, t), 0x29);
	CU_ASSERT_EQUAL(cmos(0x08, t), 0x02);
	CU_ASSERT_EQUAL(cmos(0x09, t), 0x24);
	CU_ASSERT_EQUAL(cmos(0x32, t), 0x20);
	CU_ASSERT_EQUAL(cmos(0x0d, t), 0x80);
	/* One second later, then past midnight into March 1st, Friday. */
	CU_ASSERT_EQUAL(cmos(0x00, T0 + SEC), 0x59);
	t = T0 + 2 * SEC;
	CU_ASSERT_EQUAL(cmos(0x00, t), 0x00);
	CU_ASSERT_EQUAL(cmos(0x02, t), 0x00);
	CU_ASSERT_EQUAL(cmos(0x04, t), 0x00);
	CU_ASSERT_EQUAL(cmos(0x06, t), 0x06);
	CU_ASSERT_EQUAL(cmos(0x07, t), 0x01);
	CU_ASSERT_EQUAL(cmos(0x08, t), 0x03);
	/* The update happens exactly on the second. */
	CU_ASSERT_EQUAL(cmos(0x00, T0 + 3 * SEC - 1), 0x00);
	CU_ASSERT_EQUAL(cmos(0x00, T0 + 3 * SEC), 0x01);
	CU_ASSERT_EQUAL(vrtc_get_time(&vd.rtc, T0 + 3 * SEC), EPOCH0 + 3);
	/* NMI mask bit in the index is ignored. */
	out8(0x70, 0x80 | 0x09, t);
	CU_ASSERT_EQUAL(in8(0x71, t), 0x24);
}

static void test_binary_12h(void)
{
	uint64_t t = T0 + SEC / 2;

	vdev_setup();
	cmos_w(0x0b, 0x06, t); /* binary, 24 h */
	CU_ASSERT_EQUAL(cmos(0x00, t), 58);
	CU_ASSERT_EQUAL(cmos(0x04, t), 23);
	CU_ASSERT_EQUAL(cmos(0x09, t), 24);
	CU_ASSERT_EQUAL(cmos(0x32, t), 20);
	cmos_w(0x0b, 0x04, t); /* binary, 12 h: 11 PM */
	CU_ASSERT_EQUAL(cmos(0x04, t), 0x80 | 11);
	cmos_w(0x0b, 0x00, t); /* BCD, 12 h */
	CU_ASSERT_EQUAL(cmos(0x04, t), 0x91);
	/* Midnight is 12 AM, noon 12 PM. */
	CU_ASSERT_EQUAL(cmos(0x04, T0 + 2 * SEC), 0x12);
	cmos_w(0x04, 0x92, T0 + 2 * SEC); /* set 12 PM */
	cmos_w(0x0b, 0x02, T0 + 2 * SEC);
	CU_ASSERT_EQUAL(cmos(0x04, T0 + 2 * SEC), 0x12);
}

static void test_uip(void)
{
	vdev_setup();
	/* UIP covers the 244 us before each update. */
	CU_ASSERT_EQUAL(cmos(0x0a, T0), 0x26);
	CU_ASSERT_EQUAL(cmos(0x0a, T0 + SEC - 244001), 0x26);
	CU_ASSERT_EQUAL(cmos(0x0a, T0 + SEC - 244000), 0xa6);
	CU_ASSERT_EQUAL(cmos(0x0a, T0 + SEC - 1), 0xa6);
	CU_ASSERT_EQUAL(cmos(0x0a, T0 + SEC), 0x26);
	/* UIP is read only. */
	cmos_w(0x0a, 0xa6, T0 + SEC);
	CU_ASSERT_EQUAL(cmos(0x0a, T0 + SEC), 0x26);
	/* SET stops updates: no UIP. */
	cmos_w(0x0b, 0x82, T0 + SEC);
	CU_ASSERT_EQUAL(cmos(0x0a, T0 + 2 * SEC - 1), 0x26);
}

/*
 * drivers/rtc/rtc-mc146818-lib.c: read seconds, check UIP, read the
 * rest, check UIP and seconds again; every attempt here starts 100 us
 * into the UIP window.
 */
static void test_linux_read(void)
{
	uint64_t now = T0 + 5 * SEC - 100000;
	unsigned int tries = 0;
	uint8_t sec, min;

	vdev_setup();
	for (;;) {
		tries++;
		sec = cmos(0x00, now);
		if (cmos(0x0a, now += 1000) & 0x80) {
			now += 1000000; /* mdelay(1) */
			continue;
		}
		min = cmos(0x02, now += 1000);
		if (cmos(0x0a, now += 1000) & 0x80 ||
		    sec != cmos(0x00, now))
			continue;
		break;
	}
	CU_ASSERT_EQUAL(tries, 2);
	CU_ASSERT_EQUAL(sec, 0x03);
	CU_ASSERT_EQUAL(min, 0x00);
}

static void test_set_time(void)
{
	uint64_t t = T0 + SEC / 4;

	vdev_setup();
	/* Linux mc146818_set_time(): SET, divider reset, write, restore. */
	cmos_w(0x0b, 0x82, t);
	cmos_w(0x0a, 0x76, t);
	cmos_w(0x09, 0x99, t);
	cmos_w(0x08, 0x12, t);
	cmos_w(0x07, 0x31, t);
	cmos_w(0x04, 0x23, t);
	cmos_w(0x02, 0x59, t);
	cmos_w(0x00, 0x59, t);
	cmos_w(0x32, 0x19, t);
	/* Frozen while SET. */
	CU_ASSERT_EQUAL(cmos(0x00, t + 5 * SEC), 0x59);
	CU_ASSERT_EQUAL(vrtc_get_time(&vd.rtc, t + 5 * SEC), 946684799);
	t += 5 * SEC;
	cmos_w(0x0b, 0x02, t);
	cmos_w(0x0a, 0x26, t);
	/* Out of divider reset the first update is 500 ms later. */
	CU_ASSERT_EQUAL(cmos(0x00, t + SEC / 2 - 1), 0x59);
	CU_ASSERT_EQUAL(cmos(0x00, t + SEC / 2), 0x00);
	CU_ASSERT_EQUAL(cmos(0x09, t + SEC / 2), 0x00);
	CU_ASSERT_EQUAL(cmos(0x32, t + SEC / 2), 0x20);
	CU_ASSERT_EQUAL(cmos(0x08, t + SEC / 2), 0x01);
	CU_ASSERT_EQUAL(cmos(0x06, t + SEC / 2), 0x07); /* Saturday */

	/* A write without SET keeps the update phase (updates at
	 * t + 0.5 s + n). */
	t += SEC / 2 + SEC / 4;
	cmos_w(0x00, 0x30, t);
	CU_ASSERT_EQUAL(cmos(0x00, t + 3 * SEC / 4 - 1), 0x30);
	CU_ASSERT_EQUAL(cmos(0x00, t + 3 * SEC / 4), 0x31);

	/* 31 January -> 28 February, written year, month, day: the month
	 * write must not normalise "31 February" into March. */
	t += SEC;
	cmos_w(0x0b, 0x82, t);
	cmos_w(0x08, 0x01, t);
	cmos_w(0x07, 0x31, t);
	cmos_w(0x0b, 0x02, t);
	t += 3 * SEC;
	cmos_w(0x0b, 0x82, t);
	cmos_w(0x09, 0x25, t);
	cmos_w(0x08, 0x02, t);
	cmos_w(0x07, 0x28, t);
	cmos_w(0x0b, 0x02, t);
	CU_ASSERT_EQUAL(cmos(0x08, t), 0x02);
	CU_ASSERT_EQUAL(cmos(0x07, t), 0x28);
	CU_ASSERT_EQUAL(cmos(0x09, t), 0x25);

	/* Garbage never crashes: bad BCD, month 0, day 0xff. */
	cmos_w(0x08, 0x00, t);
	cmos_w(0x07, 0xff, t);
	cmos_w(0x04, 0xff, t);
	cmos_w(0x06, 0x09, t);
	(void)cmos(0x07, t);
	(void)cmos(0x06, t);
}

static void test_periodic_irq(void)
{
	uint64_t t = T0, d = 0;
	unsigned int k;

	vdev_setup();
	CU_ASSERT_EQUAL(vrtc_next_deadline(&vd.rtc), VPLAT_NO_DEADLINE);
	/* PF sets at 1024 Hz even without PIE; reading C clears. */
	CU_ASSERT_EQUAL(cmos(0x0c, T0 + 2 * ticks_ns(32, 32768)), 0x40);
	CU_ASSERT_EQUAL(cmos(0x0c, T0 + 2 * ticks_ns(32, 32768)), 0x00);
	CU_ASSERT_EQUAL(vd.fake.calls[8], 0);

	/* Enable PIE at 1024 Hz the way rtc-cmos does (read C first):
	 * IRQ 8 every 976.5625 us, exactly. */
	t = T0 + 3 * ticks_ns(32, 32768) + 100;
	CU_ASSERT_EQUAL(cmos(0x0c, t), 0x40);
	cmos_w(0x0b, 0x42, t);
	for (k = 4; k < 4 + 300; k++) {
		d = vrtc_next_deadline(&vd.rtc);
		CU_ASSERT_EQUAL(d, T0 + ticks_ns(32ull * k, 32768));
		vrtc_tick(&vd.rtc, d + 20000);
		CU_ASSERT_TRUE(vd.fake.level[8]);
		/* Nothing more to do until C is read. */
		CU_ASSERT_EQUAL(vrtc_next_deadline(&vd.rtc),
				VPLAT_NO_DEADLINE);
		CU_ASSERT_EQUAL(cmos(0x0c, d + 30000), 0xc0);
		CU_ASSERT_FALSE(vd.fake.level[8]);
	}
	CU_ASSERT_EQUAL(vd.fake.rises[8], 300);
	/* A slower rate: 2 Hz (RS = 15). */
	cmos_w(0x0a, 0x2f, d + 30000);
	CU_ASSERT_EQUAL(vrtc_next_deadline(&vd.rtc), T0 + SEC / 2);
	/* PIE off: no deadline, and pending PF does not assert. */
	cmos_w(0x0b, 0x02, d + 30000);
	CU_ASSERT_EQUAL(vrtc_next_deadline(&vd.rtc), VPLAT_NO_DEADLINE);
	CU_ASSERT_FALSE(vd.fake.bad_irq);
}

static void test_update_and_alarm_irq(void)
{
	uint64_t t = T0 + SEC / 10;

	vdev_setup();
	cmos_w(0x0a, 0x20, t); /* no periodic rate */
	/* PF from the default 1024 Hz rate is pending: flush it. */
	CU_ASSERT_EQUAL(cmos(0x0c, t), 0x40);
	cmos_w(0x0b, 0x12, t); /* UIE */
	CU_ASSERT_EQUAL(vrtc_next_deadline(&vd.rtc), T0 + SEC);
	vrtc_tick(&vd.rtc, T0 + SEC);
	CU_ASSERT_TRUE(vd.fake.level[8]);
	CU_ASSERT_EQUAL(cmos(0x0c, T0 + SEC + 1), 0x90);
	CU_ASSERT_FALSE(vd.fake.level[8]);
	CU_ASSERT_EQUAL(vrtc_next_deadline(&vd.rtc), T0 + 2 * SEC);

	/* Alarm at 00:00:10 (BCD) on March 1st, i.e. 12 s after T0. */
	t = T0 + SEC + 2;
	cmos_w(0x0b, 0x22, t); /* AIE only */
	cmos_w(0x01, 0x10, t);
	cmos_w(0x03, 0x00, t);
	cmos_w(0x05, 0x00, t);
	CU_ASSERT_EQUAL(vrtc_next_deadline(&vd.rtc), T0 + 12 * SEC);
	vrtc_tick(&vd.rtc, T0 + 12 * SEC - 1);
	CU_ASSERT_FALSE(vd.fake.level[8]);
	vrtc_tick(&vd.rtc, T0 + 12 * SEC);
	CU_ASSERT_TRUE(vd.fake.level[8]);
	CU_ASSERT_EQUAL(cmos(0x0c, T0 + 12 * SEC), 0xb0); /* IRQF AF UF */
	/* Next match is a day later. */
	CU_ASSERT_EQUAL(vrtc_next_deadline(&vd.rtc),
			T0 + 12 * SEC + 86400 * SEC);
	/* Don't-care in all three: every second. */
	cmos_w(0x01, 0xc0, T0 + 12 * SEC);
	cmos_w(0x03, 0xff, T0 + 12 * SEC);
	cmos_w(0x05, 0xc0, T0 + 12 * SEC);
	CU_ASSERT_EQUAL(vrtc_next_deadline(&vd.rtc), T0 + 13 * SEC);
	/* Minutes don't care, seconds 5: at 00:01:05. */
	cmos_w(0x01, 0x05, T0 + 12 * SEC);
	CU_ASSERT_EQUAL(vrtc_next_deadline(&vd.rtc), T0 + 67 * SEC);
	/* An impossible alarm never fires. */
	cmos_w(0x01, 0x75, T0 + 12 * SEC);
	CU_ASSERT_EQUAL(vrtc_next_deadline(&vd.rtc), VPLAT_NO_DEADLINE);
	/* SET clears UIE. */
	cmos_w(0x0b, 0x92, T0 + 12 * SEC);
	CU_ASSERT_EQUAL(cmos(0x0b, T0 + 12 * SEC), 0x82);
	CU_ASSERT_FALSE(vd.fake.bad_irq);
}

static void test_cmos_ram(void)
{
	unsigned int i, sum = 0;

	vdev_setup();
	/* 3 GiB below 4 GiB, 5 GiB above, 4 CPUs. */
	vrtc_set_config(&vd.rtc, 3ull << 30, 5ull << 30, 4);
	CU_ASSERT_EQUAL(cmos(0x15, T0) | cmos(0x16, T0) << 8, 640);
	CU_ASSERT_EQUAL(cmos(0x17, T0) | cmos(0x18, T0) << 8, 0xffff);
	CU_ASSERT_EQUAL(cmos(0x30, T0) | cmos(0x31, T0) << 8, 0xffff);
	CU_ASSERT_EQUAL(cmos(0x34, T0) | cmos(0x35, T0) << 8,
			((3u << 30) - (16u << 20)) >> 16);
	CU_ASSERT_EQUAL(cmos(0x5b, T0) | cmos(0x5c, T0) << 8 |
				cmos(0x5d, T0) << 16,
			5u << 14);
	CU_ASSERT_EQUAL(cmos(0x5f, T0), 3);
	CU_ASSERT_EQUAL(cmos(0x14, T0), 0x02);
	for (i = 0x10; i < 0x2e; i++)
		sum += cmos(i, T0);
	CU_ASSERT_EQUAL(cmos(0x2e, T0) << 8 | cmos(0x2f, T0), sum);
	/* 8 MiB guest: extended memory in KiB, nothing above 16 MiB. */
	vrtc_set_config(&vd.rtc, 8u << 20, 0, 1);
	CU_ASSERT_EQUAL(cmos(0x17, T0) | cmos(0x18, T0) << 8, 7168);
	CU_ASSERT_EQUAL(cmos(0x34, T0) | cmos(0x35, T0) << 8, 0);
	/* Plain RAM, all of it addressable; C and D read only. */
	for (i = 0x0e; i < 0x80; i++) {
		if (i == 0x32)
			continue;
		cmos_w(i, (uint8_t)(i ^ 0x5a), T0);
		CU_ASSERT_EQUAL(cmos(i, T0), (uint8_t)(i ^ 0x5a));
	}
	cmos_w(0x0d, 0x00, T0);
	CU_ASSERT_EQUAL(cmos(0x0d, T0), 0x80);
	vrtc_cmos_set(&vd.rtc, 0x40, 0x77);
	vrtc_cmos_set(&vd.rtc, 0x200, 0x77); /* ignored */
	CU_ASSERT_EQUAL(cmos(0x40, T0), 0x77);
	/* The index port floats on reads. */
	CU_ASSERT_EQUAL(in8(0x70, T0), 0xff);
}

void register_rtc_tests(void)
{
	CU_pSuite s = CU_add_suite("vrtc", NULL, NULL);

	CU_add_test(s, "BCD time and rollover", test_bcd_time);
	CU_add_test(s, "binary and 12-hour modes", test_binary_12h);
	CU_add_test(s, "UIP window", test_uip);
	CU_add_test(s, "Linux read protocol", test_linux_read);
	CU_add_test(s, "setting the clock", test_set_time);
	CU_add_test(s, "periodic IRQ 8 and register C", test_periodic_irq);
	CU_add_test(s, "update-ended and alarm IRQs",
		    test_update_and_alarm_irq);
	CU_add_test(s, "CMOS RAM fields", test_cmos_ram);
}
