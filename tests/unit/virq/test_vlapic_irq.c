/*
 * vLAPIC interrupt acceptance, priority, EOI, IPIs and INIT/SIPI (SDM vol.
 * 3A 11.6, 11.8).
 */
#include "fake.h"

static void setup_enabled(unsigned int nr)
{
	unsigned int i;

	fake_setup(nr, true, true, 1000000);
	for (i = 0; i < nr; i++)
		fake_sw_enable(&F.vl[i]);
}

static void test_accept_and_pending(void)
{
	struct vlapic *vl;

	setup_enabled(1);
	vl = &F.vl[0];
	CU_ASSERT_EQUAL(vlapic_pending(vl), -1);
	CU_ASSERT(vlapic_accept(vl, 0x41, false));
	CU_ASSERT_EQUAL(F.kicks[0], 1);
	CU_ASSERT_FALSE(vlapic_accept(vl, 0x41, false)); /* coalesced */
	CU_ASSERT(vlapic_accept(vl, 0xe0, false));
	CU_ASSERT(vlapic_accept(vl, 0x20, false));
	CU_ASSERT_EQUAL(vlapic_pending(vl), 0xe0);
	CU_ASSERT_EQUAL(xr(vl, 0x200 + 0x10 * (0xe0 / 32)), 1u << 0);
	CU_ASSERT_EQUAL(xr(vl, 0x200 + 0x10 * (0x41 / 32)), 1u << 1);
	CU_ASSERT_EQUAL(xr(vl, 0x200 + 0x10 * (0x20 / 32)), 1u << 0);
	vlapic_ack(vl, 0xe0);
	CU_ASSERT(isr(vl, 0xe0));
	CU_ASSERT_FALSE(irr(vl, 0xe0));
	CU_ASSERT_EQUAL(xr(vl, 0x100 + 0x10 * 7), 1u << 0);
	CU_ASSERT_EQUAL(xr(vl, 0xa0), 0xe0);
	/* Acking something not in IRR changes nothing. */
	vlapic_ack(vl, 0x99);
	CU_ASSERT_FALSE(isr(vl, 0x99));
}

static void test_illegal_vectors_refused(void)
{
	unsigned int v;

	setup_enabled(1);
	for (v = 0; v < 16; v++)
		CU_ASSERT_FALSE(vlapic_accept(&F.vl[0], (uint8_t)v, false));
	CU_ASSERT_EQUAL(vlapic_pending(&F.vl[0]), -1);
	CU_ASSERT(vlapic_accept(&F.vl[0], 16, false));
	CU_ASSERT_EQUAL(vlapic_pending(&F.vl[0]), 16);
}

static void test_tpr_masks_classes(void)
{
	struct vlapic *vl;

	setup_enabled(1);
	vl = &F.vl[0];
	vlapic_accept(vl, 0x55, false);
	xw(vl, 0x80, 0x50);
	CU_ASSERT_EQUAL(vlapic_pending(vl), -1); /* same class */
	xw(vl, 0x80, 0x4f);
	CU_ASSERT_EQUAL(vlapic_pending(vl), 0x55);
	xw(vl, 0x80, 0xf0);
	CU_ASSERT_EQUAL(vlapic_pending(vl), -1);
	vlapic_accept(vl, 0xff, false);
	CU_ASSERT_EQUAL(vlapic_pending(vl), -1); /* 0xf class never above */
	xw(vl, 0x80, 0);
	CU_ASSERT_EQUAL(vlapic_pending(vl), 0xff);
}

static void test_isr_nesting_and_eoi(void)
{
	struct vlapic *vl;

	setup_enabled(1);
	vl = &F.vl[0];
	vlapic_accept(vl, 0x30, false);
	vlapic_ack(vl, 0x30);
	vlapic_accept(vl, 0x35, false);
	CU_ASSERT_EQUAL(vlapic_pending(vl), -1); /* same class in service */
	vlapic_accept(vl, 0x50, false);
	CU_ASSERT_EQUAL(vlapic_pending(vl), 0x50);
	vlapic_ack(vl, 0x50);
	CU_ASSERT_EQUAL(xr(vl, 0xa0), 0x50);
	vlapic_accept(vl, 0x40, false);
	CU_ASSERT_EQUAL(vlapic_pending(vl), -1);
	/* TPR above the ISR class wins in PPR. */
	xw(vl, 0x80, 0x61);
	CU_ASSERT_EQUAL(xr(vl, 0xa0), 0x61);
	xw(vl, 0x80, 0);
	/* EOI ends the highest in service: 0x50. */
	xw(vl, 0xb0, 0);
	CU_ASSERT_FALSE(isr(vl, 0x50));
	CU_ASSERT(isr(vl, 0x30));
	CU_ASSERT_EQUAL(xr(vl, 0xa0), 0x30);
	CU_ASSERT_EQUAL(vlapic_pending(vl), 0x40);
	vlapic_ack(vl, 0x40);
	xw(vl, 0xb0, 0);
	xw(vl, 0xb0, 0);
	CU_ASSERT_EQUAL(vlapic_pending(vl), 0x35);
	/* Edge interrupts broadcast no EOI. */
	CU_ASSERT_EQUAL(F.neoi, 0);
	/* EOI with nothing in service is harmless. */
	vlapic_ack(vl, 0x35);
	xw(vl, 0xb0, 0);
	xw(vl, 0xb0, 0);
	CU_ASSERT_EQUAL(xr(vl, 0xa0), 0);
}

static void test_level_eoi_broadcast(void)
{
	struct vlapic *vl;

	setup_enabled(1);
	vl = &F.vl[0];
	vlapic_accept(vl, 0x61, true);
	CU_ASSERT(tmr(vl, 0x61));
	CU_ASSERT_EQUAL(xr(vl, 0x180 + 0x10 * 3), 1u << 1);
	vlapic_ack(vl, 0x61);
	xw(vl, 0xb0, 0);
	CU_ASSERT_EQUAL(F.neoi, 1);
	CU_ASSERT_EQUAL(F.eoi[0], 0x61);
	/* Accepted as edge later: TMR clears, no broadcast. */
	vlapic_accept(vl, 0x61, false);
	CU_ASSERT_FALSE(tmr(vl, 0x61));
	vlapic_ack(vl, 0x61);
	xw(vl, 0xb0, 0);
	CU_ASSERT_EQUAL(F.neoi, 1);
}

static void test_sw_disabled_refuses_fixed(void)
{
	fake_setup(1, false, false, 1000000);
	CU_ASSERT_FALSE(vlapic_accept(&F.vl[0], 0x40, false));
	vlapic_deliver(&F.vl[0], 0, VPLAT_DM_NMI, false);
	CU_ASSERT(vlapic_take_nmi(&F.vl[0]));
	CU_ASSERT_FALSE(vlapic_take_nmi(&F.vl[0]));
	/* Held IRR bits stay deliverable after software disable. */
	fake_sw_enable(&F.vl[0]);
	vlapic_accept(&F.vl[0], 0x40, false);
	xw(&F.vl[0], 0xf0, 0xff);
	CU_ASSERT_EQUAL(vlapic_pending(&F.vl[0]), 0x40);
}

static void test_ipi_physical_fixed(void)
{
	setup_enabled(3);
	xw(&F.vl[0], 0x310, 2u << 24);
	xw(&F.vl[0], 0x300, 0x00004042); /* fixed, assert, vector 0x42 */
	CU_ASSERT(irr(&F.vl[2], 0x42));
	CU_ASSERT_FALSE(irr(&F.vl[0], 0x42) || irr(&F.vl[1], 0x42));
	CU_ASSERT_EQUAL(F.nmsg, 1);
	CU_ASSERT_EQUAL(F.msg[0].dest, 2);
	CU_ASSERT_FALSE(F.msg[0].logical);
	CU_ASSERT_EQUAL(F.msg[0].mode, VPLAT_DM_FIXED);
	CU_ASSERT(F.kicks[2] >= 1);
	/* Level trigger is overridden to edge (11.6.1). */
	xw(&F.vl[0], 0x300, 0x0000c043);
	CU_ASSERT(irr(&F.vl[2], 0x43));
	CU_ASSERT_FALSE(tmr(&F.vl[2], 0x43));
	/* Physical 0xff is broadcast. */
	xw(&F.vl[0], 0x310, 0xffu << 24);
	xw(&F.vl[0], 0x300, 0x44);
	CU_ASSERT(irr(&F.vl[0], 0x44) && irr(&F.vl[1], 0x44) &&
		  irr(&F.vl[2], 0x44));
	/* An absent id reaches nobody. */
	xw(&F.vl[0], 0x310, 7u << 24);
	xw(&F.vl[0], 0x300, 0x45);
	CU_ASSERT_FALSE(irr(&F.vl[0], 0x45) || irr(&F.vl[1], 0x45) ||
			irr(&F.vl[2], 0x45));
}

static void test_ipi_shorthands(void)
{
	setup_enabled(3);
	xw(&F.vl[1], 0x310, 2u << 24); /* ignored by shorthands */
	xw(&F.vl[1], 0x300, 0x00040051); /* self */
	CU_ASSERT(irr(&F.vl[1], 0x51));
	CU_ASSERT_FALSE(irr(&F.vl[0], 0x51) || irr(&F.vl[2], 0x51));
	CU_ASSERT_EQUAL(F.nmsg, 0);
	xw(&F.vl[1], 0x300, 0x00080052); /* all including self */
	CU_ASSERT(irr(&F.vl[0], 0x52) && irr(&F.vl[1], 0x52) &&
		  irr(&F.vl[2], 0x52));
	xw(&F.vl[1], 0x300, 0x000c0053); /* all excluding self */
	CU_ASSERT(irr(&F.vl[0], 0x53) && irr(&F.vl[2], 0x53));
	CU_ASSERT_FALSE(irr(&F.vl[1], 0x53));
	/* Self with NMI and all-including-self with INIT are invalid. */
	xw(&F.vl[1], 0x300, 0x00040400);
	CU_ASSERT_FALSE(vlapic_take_nmi(&F.vl[1]));
	xw(&F.vl[1], 0x300, 0x00084500);
	CU_ASSERT_FALSE(F.vl[0].init_pending);
	/* NMI to all excluding self. */
	xw(&F.vl[1], 0x300, 0x000c0400);
	CU_ASSERT(vlapic_take_nmi(&F.vl[0]));
	CU_ASSERT(vlapic_take_nmi(&F.vl[2]));
	CU_ASSERT_FALSE(vlapic_take_nmi(&F.vl[1]));
	/* Lowest priority to all but self: lowest-numbered other. */
	xw(&F.vl[0], 0x300, 0x000c0154);
	CU_ASSERT(irr(&F.vl[1], 0x54));
	CU_ASSERT_FALSE(irr(&F.vl[2], 0x54) || irr(&F.vl[0], 0x54));
	/* The exclusion ends with the send. */
	CU_ASSERT(vlapic_match_dest(&F.vl[0], 0xffffffff, false));
}

static void test_ipi_logical_flat(void)
{
	unsigned int i;

	setup_enabled(4);
	for (i = 0; i < 4; i++)
		xw(&F.vl[i], 0xd0, (1u << i) << 24);
	xw(&F.vl[3], 0x310, 0x05u << 24);
	xw(&F.vl[3], 0x300, 0x00000861); /* logical */
	CU_ASSERT(irr(&F.vl[0], 0x61) && irr(&F.vl[2], 0x61));
	CU_ASSERT_FALSE(irr(&F.vl[1], 0x61) || irr(&F.vl[3], 0x61));
	CU_ASSERT(F.msg[0].logical);
	CU_ASSERT_EQUAL(F.msg[0].dest, 5);
	/* Lowest priority: the lowest-numbered match only. */
	xw(&F.vl[3], 0x310, 0x0cu << 24);
	xw(&F.vl[3], 0x300, 0x00000962);
	CU_ASSERT(irr(&F.vl[2], 0x62));
	CU_ASSERT_FALSE(irr(&F.vl[3], 0x62));
	CU_ASSERT(vlapic_match_dest(&F.vl[1], 0xff, true));
	CU_ASSERT_FALSE(vlapic_match_dest(&F.vl[1], 0x00, true));
}

static void test_ipi_logical_cluster(void)
{
	setup_enabled(4);
	xw(&F.vl[0], 0xe0, 0x0fffffff);
	xw(&F.vl[1], 0xe0, 0x0fffffff);
	xw(&F.vl[2], 0xe0, 0x0fffffff);
	xw(&F.vl[3], 0xe0, 0x0fffffff);
	xw(&F.vl[0], 0xd0, 0x11u << 24); /* cluster 1, unit 0 */
	xw(&F.vl[1], 0xd0, 0x12u << 24); /* cluster 1, unit 1 */
	xw(&F.vl[2], 0xd0, 0x21u << 24); /* cluster 2, unit 0 */
	xw(&F.vl[3], 0xd0, 0x22u << 24);
	xw(&F.vl[0], 0x310, 0x13u << 24);
	xw(&F.vl[0], 0x300, 0x00000870);
	CU_ASSERT(irr(&F.vl[0], 0x70) && irr(&F.vl[1], 0x70));
	CU_ASSERT_FALSE(irr(&F.vl[2], 0x70) || irr(&F.vl[3], 0x70));
	CU_ASSERT(vlapic_match_dest(&F.vl[3], 0x22, true));
	CU_ASSERT_FALSE(vlapic_match_dest(&F.vl[3], 0x12, true));
	CU_ASSERT(vlapic_match_dest(&F.vl[3], 0xff, true));
	/* Reserved DFR model: matches nothing logical. */
	xw(&F.vl[3], 0xe0, 0x5fffffff);
	CU_ASSERT_FALSE(vlapic_match_dest(&F.vl[3], 0x22, true));
}

static void test_x2apic_destinations(void)
{
	unsigned int i;

	fake_setup(4, true, false, 1000000);
	for (i = 0; i < 4; i++) {
		F.vl[i].cfg.apic_id = i == 3 ? 0x11 : i;
		CU_ASSERT_EQUAL(vlapic_msr_write(&F.vl[i], 0x1b,
						 0xfee00c00ull, 0), 0);
		CU_ASSERT_EQUAL(vlapic_msr_write(&F.vl[i], 0x80f, 0x1ff, 0), 0);
	}
	/* Physical: full 32-bit ids. */
	CU_ASSERT(vlapic_match_dest(&F.vl[3], 0x11, false));
	CU_ASSERT_FALSE(vlapic_match_dest(&F.vl[3], 0x111, false));
	/* Logical: cluster 0 bits 0 and 2; cluster 1 bit 1. */
	vlapic_msr_write(&F.vl[0], 0x830, 0x0000000500000881ull, 0);
	CU_ASSERT(irr(&F.vl[0], 0x81) && irr(&F.vl[2], 0x81));
	CU_ASSERT_FALSE(irr(&F.vl[1], 0x81) || irr(&F.vl[3], 0x81));
	vlapic_msr_write(&F.vl[0], 0x830, 0x0001000200000882ull, 0);
	CU_ASSERT(irr(&F.vl[3], 0x82));
	CU_ASSERT_FALSE(irr(&F.vl[1], 0x82));
}

static void test_init_sipi_linux(void)
{
	struct vlapic *ap;
	uint8_t vec = 0;

	setup_enabled(2);
	ap = &F.vl[1];
	/* The AP is in wait-for-SIPI from power-up; Linux sends INIT. */
	xw(ap, 0x320, 0x20030);
	xw(ap, 0x380, 1000);
	xw(&F.vl[0], 0x280, 0);
	xw(&F.vl[0], 0x310, 1u << 24);
	xw(&F.vl[0], 0x300, 0x0000c500); /* INIT, level, assert */
	xw(&F.vl[0], 0x300, 0x00008500); /* INIT de-assert: no message */
	CU_ASSERT_EQUAL(F.nmsg, 1);
	CU_ASSERT_EQUAL(F.msg[0].mode, VPLAT_DM_INIT);
	xw(&F.vl[0], 0x300, 0x0000069a); /* STARTUP, page 0x9a */
	xw(&F.vl[0], 0x300, 0x0000069b); /* second SIPI */
	CU_ASSERT_FALSE(vlapic_take_sipi(ap, &vec)); /* INIT first */
	CU_ASSERT(vlapic_take_init(ap));
	CU_ASSERT_FALSE(vlapic_take_init(ap));
	/* INIT reset: software-disabled, LVTs masked, timer stopped. */
	CU_ASSERT_EQUAL(xr(ap, 0xf0), 0xff);
	CU_ASSERT_EQUAL(xr(ap, 0x320), 0x10000);
	CU_ASSERT_EQUAL(xr(ap, 0x380), 0);
	CU_ASSERT_EQUAL(xr(ap, 0x20), 1u << 24);
	CU_ASSERT(vlapic_take_sipi(ap, &vec));
	CU_ASSERT_EQUAL(vec, 0x9a);
	CU_ASSERT_FALSE(vlapic_take_sipi(ap, &vec));
	/* A running CPU ignores SIPI. */
	xw(&F.vl[0], 0x300, 0x0000069c);
	CU_ASSERT_FALSE(vlapic_take_sipi(ap, &vec));
	/* The BSP restarts after INIT without waiting for SIPI. */
	vlapic_deliver(&F.vl[0], 0, VPLAT_DM_INIT, false);
	vlapic_deliver(&F.vl[0], 0x10, VPLAT_DM_STARTUP, false);
	CU_ASSERT(vlapic_take_init(&F.vl[0]));
	CU_ASSERT_FALSE(vlapic_take_sipi(&F.vl[0], &vec));
	CU_ASSERT(F.kicks[1] >= 2);
}

static void test_reserved_icr_modes(void)
{
	setup_enabled(2);
	xw(&F.vl[0], 0x310, 1u << 24);
	xw(&F.vl[0], 0x300, 0x00000340); /* mode 011 */
	xw(&F.vl[0], 0x300, 0x00000740); /* ExtINT */
	CU_ASSERT_EQUAL(F.nmsg, 0);
	xw(&F.vl[0], 0x300, 0x00000240); /* SMI: sent, dropped at target */
	CU_ASSERT_EQUAL(F.nmsg, 1);
	CU_ASSERT_FALSE(irr(&F.vl[1], 0x40));
	CU_ASSERT(F.nlog >= 3);
}

static void test_extint_and_virtual_wire(void)
{
	fake_setup(2, false, false, 1000000);
	CU_ASSERT_FALSE(vlapic_extint_ok(&F.vl[0]));
	vlapic_virtual_wire(&F.vl[0]);
	CU_ASSERT(vlapic_extint_ok(&F.vl[0]));
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0xf0), 0x1ff);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0x360), 0x400);
	/* Linux masks LINT0 when it switches to the I/O APIC. */
	xw(&F.vl[0], 0x350, 0x10700);
	CU_ASSERT_FALSE(vlapic_extint_ok(&F.vl[0]));
	/* LINT0 in fixed mode is not ExtINT. */
	xw(&F.vl[0], 0x350, 0x00031);
	CU_ASSERT_FALSE(vlapic_extint_ok(&F.vl[0]));
}

static void test_route_helper(void)
{
	struct vlapic *holes[3];

	setup_enabled(2);
	holes[0] = NULL;
	holes[1] = &F.vl[1];
	holes[2] = &F.vl[0];
	CU_ASSERT_EQUAL(vlapic_route(holes, 3, 0xffffffff, false, 0x66,
				     VPLAT_DM_FIXED, false), 2);
	CU_ASSERT_EQUAL(vlapic_route(holes, 3, 0xffffffff, false, 0x67,
				     VPLAT_DM_LOWEST, false), 1);
	CU_ASSERT(irr(&F.vl[1], 0x67));
	CU_ASSERT_FALSE(irr(&F.vl[0], 0x67));
	CU_ASSERT_EQUAL(vlapic_route(holes, 3, 9, false, 0x68,
				     VPLAT_DM_FIXED, false), 0);
}

void register_vlapic_irq(void)
{
	CU_pSuite s = CU_add_suite("vlapic interrupts and IPIs", NULL, NULL);

	ADD(s, test_accept_and_pending);
	ADD(s, test_illegal_vectors_refused);
	ADD(s, test_tpr_masks_classes);
	ADD(s, test_isr_nesting_and_eoi);
	ADD(s, test_level_eoi_broadcast);
	ADD(s, test_sw_disabled_refuses_fixed);
	ADD(s, test_ipi_physical_fixed);
	ADD(s, test_ipi_shorthands);
	ADD(s, test_ipi_logical_flat);
	ADD(s, test_ipi_logical_cluster);
	ADD(s, test_x2apic_destinations);
	ADD(s, test_init_sipi_linux);
	ADD(s, test_reserved_icr_modes);
	ADD(s, test_extint_and_virtual_wire);
	ADD(s, test_route_helper);
}
