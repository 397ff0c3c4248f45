/*
 * vIOAPIC registers, redirection, masking, edge vs level and remote IRR
 * (82093AA data sheet, 3.1-3.2), wired to vLAPICs through the fake.
 */
#include "fake.h"

#define MASKED (1ull << 16)
#define LEVEL (1ull << 15)
#define LOGICAL (1ull << 11)
#define RIRR (1ull << 14)
#define DEST(d) ((uint64_t)(d) << 56)

static void setup(void)
{
	fake_setup(2, false, false, 1000000);
	fake_sw_enable(&F.vl[0]);
	fake_sw_enable(&F.vl[1]);
}

static uint64_t rte(unsigned int pin)
{
	return (uint64_t)ior(0x11 + 2 * pin) << 32 | ior(0x10 + 2 * pin);
}

static void take_and_eoi(struct vlapic *vl, uint8_t vector)
{
	CU_ASSERT_EQUAL(vlapic_pending(vl), vector);
	vlapic_ack(vl, vector);
	xw(vl, 0xb0, 0);
}

static void test_registers(void)
{
	unsigned int pin;
	uint64_t v;

	setup();
	CU_ASSERT_EQUAL(ior(0x00), 2u << 24);
	CU_ASSERT_EQUAL(ior(0x01), 0x00170011);
	CU_ASSERT_EQUAL(ior(0x02), 2u << 24);
	for (pin = 0; pin < 24; pin++)
		CU_ASSERT_EQUAL(rte(pin), MASKED);
	/* Linux's io_apic_unique_id(): rewrite the id, read it back. */
	iow(0x00, 0x0f000000 | 0xf0ffffff);
	CU_ASSERT_EQUAL(ior(0x00), 0x0f000000);
	CU_ASSERT_EQUAL(ior(0x02), 0x0f000000);
	iow(0x01, 0);
	iow(0x02, 0);
	CU_ASSERT_EQUAL(ior(0x01), 0x00170011);
	CU_ASSERT_EQUAL(ior(0x02), 0x0f000000);
	/* Read-only and reserved RTE bits do not stick. */
	io_rte(5, ~0ull);
	CU_ASSERT_EQUAL(rte(5), 0xff0000000001afffull);
	io_rte(5, MASKED | (1ull << 13) | 0x45);
	CU_ASSERT_EQUAL(rte(5), MASKED | (1ull << 13) | 0x45);
	/* IOREGSEL reads back; unknown registers read 0. */
	v = 0x3f;
	vioapic_mmio(&F.io, VIOAPIC_BASE, 4, true, &v, 0);
	v = 0;
	vioapic_mmio(&F.io, VIOAPIC_BASE, 4, false, &v, 0);
	CU_ASSERT_EQUAL(v, 0x3f);
	CU_ASSERT_EQUAL(ior(0x03), 0);
	CU_ASSERT_EQUAL(ior(0x40), 0);
	CU_ASSERT_EQUAL(ior(0xff), 0);
	iow(0x60, 0xffffffff); /* pin 40: does not exist */
	CU_ASSERT_EQUAL(ior(0x60), 0);
	/* Byte read of the version's max-entry field. */
	v = 0x01;
	vioapic_mmio(&F.io, VIOAPIC_BASE, 1, true, &v, 0);
	vioapic_mmio(&F.io, VIOAPIC_BASE + 0x12, 1, false, &v, 0);
	CU_ASSERT_EQUAL(v, 0x17);
}

static void test_edge_delivery(void)
{
	setup();
	io_rte(4, DEST(1) | 0x34);
	CU_ASSERT_EQUAL(vioapic_set_irq(&F.io, 4, true), 0);
	CU_ASSERT_EQUAL(F.nmsg, 1);
	CU_ASSERT_EQUAL(F.msg[0].dest, 1);
	CU_ASSERT_EQUAL(F.msg[0].vector, 0x34);
	CU_ASSERT_FALSE(F.msg[0].level);
	CU_ASSERT(irr(&F.vl[1], 0x34));
	CU_ASSERT_FALSE(irr(&F.vl[0], 0x34));
	/* Held high: no new edge, no new message. */
	vioapic_set_irq(&F.io, 4, true);
	CU_ASSERT_EQUAL(F.nmsg, 1);
	vioapic_set_irq(&F.io, 4, false);
	vioapic_set_irq(&F.io, 4, true);
	CU_ASSERT_EQUAL(F.nmsg, 2);
	/* Edge entries never get remote IRR. */
	CU_ASSERT_EQUAL(rte(4) & RIRR, 0);
	take_and_eoi(&F.vl[1], 0x34);
	CU_ASSERT_EQUAL(F.neoi, 0);
}

static void test_masked_edge_is_lost(void)
{
	setup();
	io_rte(3, MASKED | DEST(0) | 0x33);
	vioapic_set_irq(&F.io, 3, true);
	vioapic_set_irq(&F.io, 3, false);
	io_rte(3, DEST(0) | 0x33);
	CU_ASSERT_EQUAL(F.nmsg, 0);
	CU_ASSERT_EQUAL(vlapic_pending(&F.vl[0]), -1);
}

static void test_level_remote_irr_and_eoi(void)
{
	setup();
	io_rte(10, LEVEL | DEST(0) | 0x5a);
	vioapic_set_irq(&F.io, 10, true);
	CU_ASSERT_EQUAL(F.nmsg, 1);
	CU_ASSERT(F.msg[0].level);
	CU_ASSERT(rte(10) & RIRR);
	CU_ASSERT(tmr(&F.vl[0], 0x5a));
	/* Still asserted, remote IRR set: nothing more. */
	vioapic_set_irq(&F.io, 10, true);
	CU_ASSERT_EQUAL(F.nmsg, 1);
	/* EOI with the line still high re-delivers. */
	take_and_eoi(&F.vl[0], 0x5a);
	CU_ASSERT_EQUAL(F.neoi, 1);
	CU_ASSERT_EQUAL(F.nmsg, 2);
	CU_ASSERT(rte(10) & RIRR);
	CU_ASSERT(irr(&F.vl[0], 0x5a));
	/* Device deasserts, guest EOIs: remote IRR clears, silence. */
	vioapic_set_irq(&F.io, 10, false);
	take_and_eoi(&F.vl[0], 0x5a);
	CU_ASSERT_EQUAL(F.nmsg, 2);
	CU_ASSERT_EQUAL(rte(10) & RIRR, 0);
	CU_ASSERT_EQUAL(vlapic_pending(&F.vl[0]), -1);
	/* An EOI for another vector leaves remote IRR alone. */
	vioapic_set_irq(&F.io, 10, true);
	vioapic_eoi(&F.io, 0x5b);
	CU_ASSERT(rte(10) & RIRR);
	CU_ASSERT_EQUAL(F.nmsg, 3);
}

static void test_level_masked_then_unmasked(void)
{
	setup();
	io_rte(11, MASKED | LEVEL | DEST(1) | 0x6b);
	vioapic_set_irq(&F.io, 11, true);
	CU_ASSERT_EQUAL(F.nmsg, 0);
	io_rte(11, LEVEL | DEST(1) | 0x6b);
	CU_ASSERT_EQUAL(F.nmsg, 1);
	CU_ASSERT(irr(&F.vl[1], 0x6b));
	/* Masked while in service: EOI clears remote IRR, no message. */
	io_rte(11, MASKED | LEVEL | DEST(1) | 0x6b);
	take_and_eoi(&F.vl[1], 0x6b);
	CU_ASSERT_EQUAL(F.nmsg, 1);
	CU_ASSERT_EQUAL(rte(11) & RIRR, 0);
}

static void test_edge_switch_clears_remote_irr(void)
{
	setup();
	io_rte(9, LEVEL | DEST(0) | 0x49);
	vioapic_set_irq(&F.io, 9, true);
	CU_ASSERT(rte(9) & RIRR);
	/* Linux __eoi_ioapic_pin() for version 0x11. */
	io_rte(9, MASKED | DEST(0) | 0x49);
	CU_ASSERT_EQUAL(rte(9) & RIRR, 0);
	io_rte(9, LEVEL | DEST(0) | 0x49);
	/* The line is still high: it fires again. */
	CU_ASSERT_EQUAL(F.nmsg, 2);
	CU_ASSERT(rte(9) & RIRR);
}

static void test_destinations_and_modes(void)
{
	setup();
	xw(&F.vl[0], 0xd0, 0x01000000);
	xw(&F.vl[1], 0xd0, 0x02000000);
	io_rte(1, LOGICAL | DEST(0x02) | 0x41);
	vioapic_set_irq(&F.io, 1, true);
	CU_ASSERT(F.msg[0].logical);
	CU_ASSERT_EQUAL(F.msg[0].dest, 2);
	CU_ASSERT(irr(&F.vl[1], 0x41));
	CU_ASSERT_FALSE(irr(&F.vl[0], 0x41));
	/* 0xff is broadcast. */
	io_rte(2, DEST(0xff) | 0x42);
	vioapic_set_irq(&F.io, 2, true);
	CU_ASSERT_EQUAL(F.msg[1].dest, 0xffffffff);
	CU_ASSERT(irr(&F.vl[0], 0x42) && irr(&F.vl[1], 0x42));
	/* Lowest priority: the lowest-numbered target. */
	io_rte(6, LOGICAL | DEST(0x03) | (1ull << 8) | 0x46);
	vioapic_set_irq(&F.io, 6, true);
	CU_ASSERT(irr(&F.vl[0], 0x46));
	CU_ASSERT_FALSE(irr(&F.vl[1], 0x46));
	/* NMI: always edge, no remote IRR even if programmed level. */
	io_rte(7, LEVEL | DEST(1) | (4ull << 8));
	vioapic_set_irq(&F.io, 7, true);
	CU_ASSERT_EQUAL(rte(7) & RIRR, 0);
	CU_ASSERT_EQUAL(F.msg[3].mode, VPLAT_DM_NMI);
	CU_ASSERT_FALSE(F.msg[3].level);
	CU_ASSERT(vlapic_take_nmi(&F.vl[1]));
	/* Reserved delivery modes send nothing. */
	io_rte(8, DEST(1) | (3ull << 8) | 0x48);
	vioapic_set_irq(&F.io, 8, true);
	CU_ASSERT_EQUAL(F.nmsg, 4);
	/* Polarity is stored and read back, not applied. */
	io_rte(12, (1ull << 13) | DEST(0) | 0x4c);
	CU_ASSERT(rte(12) & (1ull << 13));
	vioapic_set_irq(&F.io, 12, true);
	CU_ASSERT(irr(&F.vl[0], 0x4c));
}

static void test_bad_gsi(void)
{
	setup();
	CU_ASSERT_EQUAL(vioapic_set_irq(&F.io, 24, true), -VMI_EINVAL);
	CU_ASSERT_EQUAL(vioapic_set_irq(&F.io, 0xffffffffu, true),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(vioapic_set_irq(&F.io, 23, true), 0);
	CU_ASSERT_EQUAL(F.nmsg, 0);
}

void register_vioapic(void)
{
	CU_pSuite s = CU_add_suite("vioapic", NULL, NULL);

	ADD(s, test_registers);
	ADD(s, test_edge_delivery);
	ADD(s, test_masked_edge_is_lost);
	ADD(s, test_level_remote_irr_and_eoi);
	ADD(s, test_level_masked_then_unmasked);
	ADD(s, test_edge_switch_clears_remote_irr);
	ADD(s, test_destinations_and_modes);
	ADD(s, test_bad_gsi);
}
