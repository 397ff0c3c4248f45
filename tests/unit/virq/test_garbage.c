/*
 * Garbage in: random register, MSR, port and line traffic from a fixed
 * seed, under ASan and UBSan.  Nothing may crash, read or write out of
 * bounds, or break the invariants checked here.
 */
#include "fake.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static unsigned int rsize(void)
{
	static const unsigned int sz[] = { 1, 2, 4, 8, 0, 3, 16 };

	return sz[rnd() % 7];
}

static void check_invariants(void)
{
	unsigned int i;

	for (i = 0; i < F.nr; i++) {
		int p = vlapic_pending(&F.vl[i]);

		CU_ASSERT_FATAL(p >= -1 && p <= 255);
		CU_ASSERT_FATAL(p == -1 || p >= 16);
		CU_ASSERT_FATAL((F.vl[i].irr[0] & 0xffff) == 0);
	}
	CU_ASSERT_FATAL(vpic_pending_vector(&F.pic) >= -1);
	CU_ASSERT_FATAL(vpic_pending_vector(&F.pic) <= 255);
}

/* One random operation at time @now. */
static void poke(uint64_t now)
{
	struct vlapic *vl = &F.vl[rnd() % F.nr];
	uint64_t v = rnd(), r = rnd();
	uint8_t vec;

	switch (rnd() % 16) {
	case 0:
	case 1:
	case 2:
		vlapic_mmio(vl, VLAPIC_DEFAULT_BASE + (r & 0xfff), rsize(),
			    r & (1ull << 20), &v, now);
		break;
	case 3:
		/* Aligned register writes, the interesting ones. */
		vlapic_mmio(vl, VLAPIC_DEFAULT_BASE + (r & 0x3f0), 4, true,
			    &v, now);
		break;
	case 4:
		vlapic_msr_write(vl, 0x800 + (uint32_t)(r & 0xff),
				 r & 1 ? v : (uint32_t)v, now);
		vlapic_msr_read(vl, 0x800 + (uint32_t)((r >> 8) & 0xff), &v,
				now);
		break;
	case 5:
		if (r & 1)
			vlapic_msr_write(vl, 0x1b, v, now);
		else
			vlapic_msr_write(vl, 0x1b, 0xfee00000 | (r & 0xd00),
					 now);
		vlapic_msr_write(vl, 0x6e0, v >> (r & 63), now);
		break;
	case 6:
		vlapic_deliver(vl, (uint8_t)v, (uint32_t)r % 9, r & 2);
		break;
	case 7:
		vec = (uint8_t)v;
		vlapic_accept(vl, vec, r & 1);
		vlapic_ack(vl, (uint8_t)r);
		break;
	case 8:
		vlapic_tick(vl, now);
		vlapic_next_deadline(vl);
		break;
	case 9:
		vioapic_mmio(&F.io, VIOAPIC_BASE + (r & 0xff), rsize(),
			     r & (1ull << 9), &v, now);
		break;
	case 10:
		vioapic_set_irq(&F.io, (unsigned int)(r % 30), v & 1);
		break;
	case 11:
		vioapic_eoi(&F.io, (uint8_t)v);
		break;
	case 12: {
		static const uint16_t ports[] = { 0x20, 0x21, 0xa0, 0xa1,
						  0x4d0, 0x4d1, 0x22, 0xff };

		vpic_io(&F.pic, ports[r % 8], rsize(), (r >> 8) & 1, &v, now);
		break;
	}
	case 13:
		vpic_set_irq(&F.pic, (unsigned int)(r % 20), v & 1);
		break;
	case 14:
		if (vpic_pending_vector(&F.pic) >= 0 || (r & 1))
			vpic_ack(&F.pic);
		break;
	default: {
		int p = vlapic_pending(vl);
		uint8_t sv;

		if (p >= 0)
			vlapic_ack(vl, (uint8_t)p);
		vlapic_take_nmi(vl);
		vlapic_take_init(vl);
		vlapic_take_sipi(vl, &sv);
		vlapic_extint_ok(vl);
		vlapic_match_dest(vl, (uint32_t)v, r & 1);
		break;
	}
	}
}

static void run(unsigned int iterations, bool x2apic)
{
	uint64_t now = 0;
	unsigned int i;

	fake_setup(FAKE_VCPUS, x2apic, true, 2500000);
	for (i = 0; i < iterations; i++) {
		now += rnd() % 100000;
		poke(now);
		if ((i & 255) == 0)
			check_invariants();
	}
	check_invariants();
}

static void test_random_traffic_xapic(void)
{
	run(200000, false);
}

static void test_random_traffic_x2apic(void)
{
	run(200000, true);
}

/* Every register offset and width, read and written with all ones. */
static void test_exhaustive_offsets(void)
{
	unsigned int off, s, msr;
	static const unsigned int sizes[] = { 1, 2, 4, 8 };
	uint64_t v;

	fake_setup(2, true, true, 1000000);
	fake_sw_enable(&F.vl[0]);
	for (off = 0; off < 0x1000; off++)
		for (s = 0; s < 4; s++) {
			v = ~0ull;
			vlapic_mmio(&F.vl[0], VLAPIC_DEFAULT_BASE + off,
				    sizes[s], true, &v, off);
			vlapic_mmio(&F.vl[0], VLAPIC_DEFAULT_BASE + off,
				    sizes[s], false, &v, off);
			CU_ASSERT(sizes[s] == 8 ||
				  v < (1ull << (8 * sizes[s])));
		}
	vlapic_msr_write(&F.vl[1], 0x1b, 0xfee00c00ull, 0);
	for (msr = 0x7f0; msr < 0x910; msr++) {
		vlapic_msr_write(&F.vl[1], msr, ~0ull, msr);
		vlapic_msr_write(&F.vl[1], msr, 0xffffffffull, msr);
		vlapic_msr_read(&F.vl[1], msr, &v, msr);
	}
	for (off = 0; off < 0x100; off++) {
		v = off;
		vioapic_mmio(&F.io, VIOAPIC_BASE, 1, true, &v, 0);
		v = ~0ull;
		vioapic_mmio(&F.io, VIOAPIC_BASE + 0x10, 4, true, &v, 0);
		vioapic_mmio(&F.io, VIOAPIC_BASE + 0x10, 4, false, &v, 0);
	}
	for (off = 0; off < 24; off++)
		vioapic_set_irq(&F.io, off, true);
	for (off = 0; off < 0x10000; off++) {
		v = ~0ull;
		vpic_io(&F.pic, off, 1, true, &v, 0);
		vpic_io(&F.pic, off, 1, false, &v, 0);
	}
	for (off = 0; off < 16; off++)
		vpic_set_irq(&F.pic, off, true);
	check_invariants();
}

/* NULL pointers and odd sizes from a confused caller. */
static void test_defensive_entry_points(void)
{
	fake_setup(1, false, false, 1000000);
	CU_ASSERT_EQUAL(vlapic_mmio(NULL, 0, 4, false, NULL, 0), 0);
	CU_ASSERT_EQUAL(vlapic_mmio(&F.vl[0], 0, 4, false, NULL, 0), 0);
	CU_ASSERT_EQUAL(vioapic_mmio(NULL, 0, 4, false, NULL, 0), 0);
	CU_ASSERT_EQUAL(vpic_io(NULL, 0x20, 1, false, NULL, 0), 0);
	CU_ASSERT_EQUAL(vlapic_init(NULL, &F.ops, NULL), -VMI_EINVAL);
	CU_ASSERT_FALSE(vlapic_take_sipi(&F.vl[0], NULL));
	vlapic_deliver(&F.vl[0], 0x12, VPLAT_DM_INIT, false);
	vlapic_deliver(&F.vl[0], 0x12, VPLAT_DM_STARTUP, false);
	CU_ASSERT(vlapic_take_init(&F.vl[0]));
	vlapic_deliver(&F.vl[0], 0, 0xffffffffu, true);
	CU_ASSERT(F.nlog >= 1);
}

void register_garbage(void)
{
	CU_pSuite s = CU_add_suite("garbage", NULL, NULL);

	ADD(s, test_random_traffic_xapic);
	ADD(s, test_random_traffic_x2apic);
	ADD(s, test_exhaustive_offsets);
	ADD(s, test_defensive_entry_points);
}
