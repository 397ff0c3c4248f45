/*
 * The vLAPIC timer: one-shot, periodic, TSC-deadline, divide values, the
 * current-count register and the guest TSC conversion (SDM vol. 3A 11.5.4).
 * One count is div ns (1 GHz bus clock).
 */
#include "fake.h"

static struct vlapic *vl;

static void setup(uint32_t tsc_khz)
{
	fake_setup(1, false, true, tsc_khz);
	vl = &F.vl[0];
	fake_sw_enable(vl);
}

/* Take and end the pending interrupt, as the core and guest would. */
static int service(void)
{
	int v = vlapic_pending(vl);

	if (v >= 0) {
		vlapic_ack(vl, (uint8_t)v);
		xw(vl, 0xb0, 0);
	}
	return v;
}

static void test_oneshot(void)
{
	setup(1000000);
	xw(vl, 0x3e0, 0xb); /* divide by 1 */
	xw(vl, 0x320, 0x00031); /* one-shot, vector 0x31 */
	xw_at(vl, 0x380, 1000, 5000);
	CU_ASSERT_EQUAL(xr(vl, 0x380), 1000);
	CU_ASSERT_EQUAL(vlapic_next_deadline(vl), 6000);
	CU_ASSERT_EQUAL(xr_at(vl, 0x390, 5000), 1000);
	CU_ASSERT_EQUAL(xr_at(vl, 0x390, 5250), 750);
	CU_ASSERT_EQUAL(xr_at(vl, 0x390, 5999), 1);
	CU_ASSERT_EQUAL(vlapic_tick(vl, 5999), 0);
	CU_ASSERT_EQUAL(vlapic_pending(vl), -1);
	CU_ASSERT_EQUAL(vlapic_tick(vl, 6000), 1);
	CU_ASSERT_EQUAL(vlapic_pending(vl), 0x31);
	CU_ASSERT_EQUAL(xr_at(vl, 0x390, 6000), 0);
	CU_ASSERT_EQUAL(vlapic_next_deadline(vl), VPLAT_NO_DEADLINE);
	CU_ASSERT_EQUAL(vlapic_tick(vl, 100000), 0);
	/* Re-arming restarts the count. */
	xw_at(vl, 0x380, 10, 200000);
	CU_ASSERT_EQUAL(vlapic_next_deadline(vl), 200010);
	/* Writing zero stops it. */
	xw_at(vl, 0x380, 0, 200005);
	CU_ASSERT_EQUAL(vlapic_next_deadline(vl), VPLAT_NO_DEADLINE);
	CU_ASSERT_EQUAL(xr_at(vl, 0x390, 200006), 0);
}

static void test_divide_values(void)
{
	static const struct {
		uint32_t tdcr;
		unsigned int div;
	} t[] = { { 0x0, 2 },  { 0x1, 4 },  { 0x2, 8 },	 { 0x3, 16 },
		  { 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 } };
	unsigned int i;

	setup(1000000);
	xw(vl, 0x320, 0x00031);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		xw_at(vl, 0x3e0, t[i].tdcr, 0);
		CU_ASSERT_EQUAL(xr(vl, 0x3e0), t[i].tdcr);
		xw_at(vl, 0x380, 100, 0);
		CU_ASSERT_EQUAL(vlapic_next_deadline(vl), 100ull * t[i].div);
		CU_ASSERT_EQUAL(xr_at(vl, 0x390, t[i].div * 40), 60);
		CU_ASSERT_EQUAL(xr_at(vl, 0x390, t[i].div * 40 + 1),
				t[i].div == 1 ? 59 : 60);
	}
	/* Only bits 0, 1 and 3 exist. */
	xw(vl, 0x3e0, 0xffffffff);
	CU_ASSERT_EQUAL(xr(vl, 0x3e0), 0xb);
	xw(vl, 0x3e0, 0x4);
	CU_ASSERT_EQUAL(xr(vl, 0x3e0), 0x0);
}

static void test_divide_change_mid_count(void)
{
	setup(1000000);
	xw(vl, 0x320, 0x00031);
	xw(vl, 0x3e0, 0xb);
	xw_at(vl, 0x380, 1000, 0);
	/* 400 counts left at t=600; now at 2 ns per count. */
	xw_at(vl, 0x3e0, 0x0, 600);
	CU_ASSERT_EQUAL(xr_at(vl, 0x390, 600), 400);
	CU_ASSERT_EQUAL(vlapic_next_deadline(vl), 600 + 800);
	CU_ASSERT_EQUAL(xr_at(vl, 0x390, 1000), 200);
}

static void test_periodic_no_drift(void)
{
	const uint64_t period = 1000000; /* 1 ms: 10^6 counts, divide by 1 */
	const uint64_t start = 123457;
	uint64_t next, now;
	unsigned int k, fired = 0;

	setup(1000000);
	xw(vl, 0x3e0, 0xb);
	xw(vl, 0x320, 0x20032); /* periodic, vector 0x32 */
	xw_at(vl, 0x380, (uint32_t)period, start);
	for (k = 1; k <= 1000; k++) {
		next = vlapic_next_deadline(vl);
		CU_ASSERT_EQUAL_FATAL(next, start + k * period);
		/* The host timer fires late by a varying amount. */
		now = next + (k * 7919) % 300000;
		CU_ASSERT_EQUAL(xr_at(vl, 0x390, now),
				period - (now - next));
		fired += (unsigned int)vlapic_tick(vl, now);
		CU_ASSERT_EQUAL(service(), 0x32);
	}
	CU_ASSERT_EQUAL(fired, 1000);
	CU_ASSERT_EQUAL(vlapic_next_deadline(vl), start + 1001 * period);
}

static void test_periodic_missed_periods(void)
{
	setup(1000000);
	xw(vl, 0x3e0, 0xb);
	xw(vl, 0x320, 0x20032);
	xw_at(vl, 0x380, 1000000, 0);
	/* 5.5 periods late: one interrupt, phase kept. */
	CU_ASSERT_EQUAL(vlapic_tick(vl, 5500000), 1);
	CU_ASSERT_EQUAL(vlapic_next_deadline(vl), 6000000);
	CU_ASSERT_EQUAL(service(), 0x32);
	CU_ASSERT_EQUAL(service(), -1);
	/* Switching to one-shot: counts out this period, then stops. */
	xw_at(vl, 0x320, 0x00032, 5600000);
	CU_ASSERT_EQUAL(vlapic_tick(vl, 6000000), 1);
	CU_ASSERT_EQUAL(vlapic_next_deadline(vl), VPLAT_NO_DEADLINE);
}

static void test_periodic_min_period(void)
{
	setup(1000000);
	xw(vl, 0x3e0, 0xb);
	xw(vl, 0x320, 0x20032);
	xw_at(vl, 0x380, 1, 0);
	CU_ASSERT_EQUAL(vlapic_next_deadline(vl), VLAPIC_MIN_PERIOD_NS);
	CU_ASSERT(xr_at(vl, 0x390, 10) <= 1);
}

static void test_masked_timer(void)
{
	setup(1000000);
	xw(vl, 0x3e0, 0xb);
	xw(vl, 0x320, 0x10031); /* masked one-shot */
	xw_at(vl, 0x380, 1000, 0);
	CU_ASSERT_EQUAL(vlapic_next_deadline(vl), 1000);
	CU_ASSERT_EQUAL(vlapic_tick(vl, 1000), 0);
	CU_ASSERT_EQUAL(vlapic_pending(vl), -1);
	/* Unmasking later does not resurrect it. */
	xw_at(vl, 0x320, 0x00031, 2000);
	CU_ASSERT_EQUAL(vlapic_tick(vl, 3000), 0);
	/* Masked periodic: no wake-ups, count keeps its phase. */
	xw(vl, 0x320, 0x30031);
	xw_at(vl, 0x380, 100000, 0);
	CU_ASSERT_EQUAL(vlapic_next_deadline(vl), VPLAT_NO_DEADLINE);
	CU_ASSERT_EQUAL(xr_at(vl, 0x390, 1234567), 100000 - 34567);
	/* Unmasking resumes at the next zero, without a stale interrupt. */
	xw_at(vl, 0x320, 0x20031, 1234567);
	CU_ASSERT_EQUAL(vlapic_pending(vl), -1);
	CU_ASSERT_EQUAL(vlapic_next_deadline(vl), 1300000);
	CU_ASSERT_EQUAL(vlapic_tick(vl, 1300000), 1);
	CU_ASSERT_EQUAL(vlapic_pending(vl), 0x31);
}

static void test_tsc_deadline(void)
{
	uint64_t v;

	setup(2000000); /* 2 GHz guest TSC */
	CU_ASSERT_EQUAL(vlapic_guest_tsc(vl, 1000), 2000);
	/* Outside TSC-deadline mode the MSR reads 0 and ignores writes. */
	CU_ASSERT_EQUAL(vlapic_msr_write(vl, 0x6e0, 5000, 0), 0);
	CU_ASSERT_EQUAL(vlapic_msr_read(vl, 0x6e0, &v, 0), 0);
	CU_ASSERT_EQUAL(v, 0);
	xw(vl, 0x320, 0x40033);
	CU_ASSERT_EQUAL(xr(vl, 0x320), 0x40033);
	CU_ASSERT_EQUAL(vlapic_msr_write(vl, 0x6e0, 10000, 0), 0);
	CU_ASSERT_EQUAL(vlapic_msr_read(vl, 0x6e0, &v, 0), 0);
	CU_ASSERT_EQUAL(v, 10000);
	CU_ASSERT_EQUAL(vlapic_next_deadline(vl), 5000);
	/* TMICT is ignored, TMCCT reads 0. */
	xw(vl, 0x380, 77);
	CU_ASSERT_EQUAL(xr(vl, 0x380), 0);
	CU_ASSERT_EQUAL(xr(vl, 0x390), 0);
	CU_ASSERT_EQUAL(vlapic_tick(vl, 4999), 0);
	CU_ASSERT_EQUAL(vlapic_tick(vl, 5000), 1);
	CU_ASSERT_EQUAL(vlapic_pending(vl), 0x33);
	CU_ASSERT_EQUAL(vlapic_msr_read(vl, 0x6e0, &v, 0), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(vlapic_next_deadline(vl), VPLAT_NO_DEADLINE);
	/* A deadline in the past fires at once; zero disarms. */
	service();
	vlapic_msr_write(vl, 0x6e0, 1, 9000);
	CU_ASSERT(vlapic_next_deadline(vl) <= 9000);
	CU_ASSERT_EQUAL(vlapic_tick(vl, 9000), 1);
	vlapic_msr_write(vl, 0x6e0, 100000, 9000);
	vlapic_msr_write(vl, 0x6e0, 0, 9000);
	CU_ASSERT_EQUAL(vlapic_next_deadline(vl), VPLAT_NO_DEADLINE);
	/* Leaving TSC-deadline mode disarms. */
	vlapic_msr_write(vl, 0x6e0, 100000, 9000);
	xw(vl, 0x320, 0x00033);
	CU_ASSERT_EQUAL(vlapic_next_deadline(vl), VPLAT_NO_DEADLINE);
	xw(vl, 0x320, 0x40033);
	CU_ASSERT_EQUAL(vlapic_msr_read(vl, 0x6e0, &v, 0), 0);
	CU_ASSERT_EQUAL(v, 0);
	/* Entering it stops a one-shot count. */
	xw(vl, 0x320, 0x00033);
	xw(vl, 0x380, 500);
	xw(vl, 0x320, 0x40033);
	CU_ASSERT_EQUAL(vlapic_next_deadline(vl), VPLAT_NO_DEADLINE);
}

static void test_tsc_conversion_rounding(void)
{
	static const uint32_t khz[] = { 1, 999, 3333333, 2100000, 4294967 };
	unsigned int i, k;
	uint64_t v;

	for (i = 0; i < sizeof(khz) / sizeof(khz[0]); i++) {
		setup(khz[i]);
		xw(vl, 0x320, 0x40033);
		for (k = 1; k < 200; k++) {
			uint64_t d = (uint64_t)k * 1234567 + k * k;
			uint64_t ns;

			vlapic_msr_write(vl, 0x6e0, d, 0);
			ns = vlapic_next_deadline(vl);
			/* The first ns at which the guest TSC reaches d. */
			CU_ASSERT(vlapic_guest_tsc(vl, ns) >= d);
			CU_ASSERT(ns == 0 || vlapic_guest_tsc(vl, ns - 1) < d);
		}
	}
	/* Large times: no 64-bit overflow in the product. */
	setup(3000000);
	v = 1000000000000000000ull; /* 10^18 ns, ~31.7 years */
	CU_ASSERT_EQUAL(vlapic_guest_tsc(vl, v),
			(uint64_t)((unsigned __int128)v * 3000000 / 1000000));
	xw(vl, 0x320, 0x40033);
	vlapic_msr_write(vl, 0x6e0, ~0ull, 0);
	CU_ASSERT(vlapic_next_deadline(vl) > v);
	CU_ASSERT(vlapic_next_deadline(vl) != VPLAT_NO_DEADLINE);
	CU_ASSERT_EQUAL(vlapic_tick(vl, v), 0);
}

static void test_tsc_deadline_not_advertised(void)
{
	uint64_t v;

	fake_setup(1, false, false, 1000000);
	vl = &F.vl[0];
	CU_ASSERT_EQUAL(vlapic_msr_read(vl, 0x6e0, &v, 0), -VMI_EINVAL);
	CU_ASSERT_EQUAL(vlapic_msr_write(vl, 0x6e0, 1, 0), -VMI_EINVAL);
	fake_sw_enable(vl);
	xw(vl, 0x320, 0x40033); /* bit 18 reserved: one-shot */
	CU_ASSERT_EQUAL(xr(vl, 0x320), 0x00033);
}

static void test_timer_lost_on_disable(void)
{
	setup(1000000);
	xw(vl, 0x3e0, 0xb);
	xw(vl, 0x320, 0x20031);
	xw(vl, 0x380, 1000);
	CU_ASSERT_EQUAL(vlapic_msr_write(vl, 0x1b, VLAPIC_DEFAULT_BASE, 0), 0);
	CU_ASSERT_EQUAL(vlapic_next_deadline(vl), VPLAT_NO_DEADLINE);
	CU_ASSERT_EQUAL(vlapic_tick(vl, 5000), 0);
}

void register_vlapic_timer(void)
{
	CU_pSuite s = CU_add_suite("vlapic timer", NULL, NULL);

	ADD(s, test_oneshot);
	ADD(s, test_divide_values);
	ADD(s, test_divide_change_mid_count);
	ADD(s, test_periodic_no_drift);
	ADD(s, test_periodic_missed_periods);
	ADD(s, test_periodic_min_period);
	ADD(s, test_masked_timer);
	ADD(s, test_tsc_deadline);
	ADD(s, test_tsc_conversion_rounding);
	ADD(s, test_tsc_deadline_not_advertised);
	ADD(s, test_timer_lost_on_disable);
}
