/*
 * Guest-controlled input never crashes a model: random accesses of every
 * size to every device port at times that mostly advance but sometimes
 * step back (vCPUs disagree a little), with ticks at the deadlines.
 * ASan and UBSan do the checking; the asserts check the invariants the
 * run loop relies on.
 */
#include "unit.h"
#include "vdev_test.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const uint16_t ports[] = {
	0x40, 0x41, 0x42, 0x43, 0x61, 0x70, 0x71, 0x80, 0xf4, 0xf7,
	0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff,
	0x600, 0x601, 0x602, 0x603, 0x604, 0x605, 0x608, 0x60b, 0xcf9,
};

static void test_garbage(void)
{
	static const unsigned int sizes[] = { 1, 2, 4 };
	uint64_t now = T0, d;
	unsigned int i, size;
	uint32_t v;
	uint16_t port;

	vdev_setup();
	for (i = 0; i < 200000; i++) {
		uint64_t r = rnd();

		port = ports[r % (sizeof(ports) / sizeof(ports[0]))];
		size = sizes[(r >> 8) % 3];
		v = (uint32_t)(r >> 16);
		/* Steer the RTC index to the interesting registers. */
		if (port == 0x70 && (r >> 48) & 1)
			v &= 0x0f;
		if ((r >> 40) % 16 == 0 && now > T0 + 5000)
			now -= (r >> 20) % 5000; /* a step back */
		else
			now += (r >> 24) % 200000;
		if (port == 0xf4 || port == 0xcf9 || port == 0x604 ||
		    port == 0x605)
			v &= ~0x2004u; /* mostly stay alive */
		vioport_dispatch(&vd.tab, port, size, (r >> 60) & 1, &v, now);

		d = vpit_next_deadline(&vd.pit);
		if (d != VPLAT_NO_DEADLINE && d <= now)
			vpit_tick(&vd.pit, now);
		d = vrtc_next_deadline(&vd.rtc);
		if (d != VPLAT_NO_DEADLINE && d <= now)
			vrtc_tick(&vd.rtc, now);
		d = vpm_next_deadline(&vd.pm);
		if (d != VPLAT_NO_DEADLINE && d <= now)
			vpm_tick(&vd.pm, now);
		if ((r >> 32) % 64 == 0)
			vuart_input(&vd.com1, (const uint8_t *)"in", 2);
	}
	/* Lines only ever change (never a repeated level), all in range. */
	CU_ASSERT_FALSE(vd.fake.bad_irq);
	CU_ASSERT(vd.com1.rx_count <= VUART_FIFO_SIZE);
	CU_ASSERT(vd.rtc.index < VRTC_CMOS_SIZE);
}

void register_garbage_tests(void)
{
	CU_pSuite s = CU_add_suite("vdev garbage", NULL, NULL);

	CU_add_test(s, "random port I/O", test_garbage);
}
