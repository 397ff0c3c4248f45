/*
 * vLAPIC register semantics in xAPIC (MMIO) and x2APIC (MSR) form, and the
 * IA32_APIC_BASE state machine (SDM vol. 3A 11.4, 11.12).
 */
#include "fake.h"

#define GP (-VMI_EINVAL)

static uint64_t mr(struct vlapic *vl, uint32_t msr, int expect)
{
	uint64_t v = 0x5a5a;

	CU_ASSERT_EQUAL(vlapic_msr_read(vl, msr, &v, 0), expect);
	return v;
}

static int mw(struct vlapic *vl, uint32_t msr, uint64_t val)
{
	return vlapic_msr_write(vl, msr, val, 0);
}

static void to_x2apic(struct vlapic *vl)
{
	CU_ASSERT_EQUAL(mw(vl, VLAPIC_MSR_APIC_BASE,
			   VLAPIC_DEFAULT_BASE | VLAPIC_BASE_EN |
				   VLAPIC_BASE_EXTD),
			0);
}

static void test_reset_state(void)
{
	fake_setup(2, false, false, 1000000);
	CU_ASSERT_EQUAL(xr(&F.vl[1], 0x20), 1u << 24);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0x30), 0x00050014);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0x80), 0);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0xa0), 0);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0xd0), 0);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0xe0), 0xffffffff);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0xf0), 0xff);
	for (unsigned int off = 0x320; off <= 0x370; off += 0x10)
		CU_ASSERT_EQUAL(xr(&F.vl[0], off), 0x10000);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0x380), 0);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0x390), 0);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0x3e0), 0);
	CU_ASSERT_EQUAL(mr(&F.vl[0], VLAPIC_MSR_APIC_BASE, 0), 0xfee00900);
	CU_ASSERT_EQUAL(mr(&F.vl[1], VLAPIC_MSR_APIC_BASE, 0), 0xfee00800);
	CU_ASSERT_EQUAL(vlapic_mmio_base(&F.vl[0]), 0xfee00000);
	CU_ASSERT_FALSE(vlapic_extint_ok(&F.vl[0]));
	CU_ASSERT_EQUAL(vlapic_next_deadline(&F.vl[0]), VPLAT_NO_DEADLINE);
}

static void test_init_config(void)
{
	struct vlapic vl;
	struct vlapic_config cfg = { .apic_id = 3 };

	CU_ASSERT_EQUAL(vlapic_init(&vl, NULL, &cfg), -VMI_EINVAL);
	cfg.tsc_khz = 1;
	CU_ASSERT_EQUAL(vlapic_init(&vl, NULL, &cfg), 0);
	/* No ops at all: everything still works, nothing is called. */
	fake_sw_enable(&vl);
	CU_ASSERT(vlapic_accept(&vl, 0x40, false));
	xw(&vl, 0x300, 0x000c4040);
	xw(&vl, 0x300, 0x00000001); /* illegal vector: error path */
	CU_ASSERT_EQUAL(vlapic_pending(&vl), 0x40);
}

static void test_readonly_regs(void)
{
	fake_setup(2, false, false, 1000000);
	fake_sw_enable(&F.vl[1]);
	xw(&F.vl[1], 0x20, 0x05000000);
	CU_ASSERT_EQUAL(xr(&F.vl[1], 0x20), 0x01000000);
	xw(&F.vl[1], 0x30, 0);
	CU_ASSERT_EQUAL(xr(&F.vl[1], 0x30), 0x00050014);
	xw(&F.vl[1], 0xa0, 0xff);
	CU_ASSERT_EQUAL(xr(&F.vl[1], 0xa0), 0);
	xw(&F.vl[1], 0x200, 0xffffffff);
	CU_ASSERT_EQUAL(xr(&F.vl[1], 0x200), 0);
	xw(&F.vl[1], 0x390, 1234);
	CU_ASSERT_EQUAL(xr(&F.vl[1], 0x390), 0);
	/* Read-only writes are not "illegal register address". */
	xw(&F.vl[1], 0x280, 0);
	CU_ASSERT_EQUAL(xr(&F.vl[1], 0x280), 0);
}

static void test_tpr_ldr_dfr_svr(void)
{
	fake_setup(1, false, false, 1000000);
	xw(&F.vl[0], 0x80, 0xffffff45);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0x80), 0x45);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0xa0), 0x45);
	CU_ASSERT_EQUAL(vlapic_get_tpr(&F.vl[0]), 0x45);
	vlapic_set_tpr(&F.vl[0], 0x20);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0x80), 0x20);
	xw(&F.vl[0], 0xd0, 0x12345678);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0xd0), 0x12000000);
	xw(&F.vl[0], 0xe0, 0x00000000);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0xe0), 0x0fffffff);
	xw(&F.vl[0], 0xe0, 0xf0000000);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0xe0), 0xffffffff);
	xw(&F.vl[0], 0xf0, 0xffffffff);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0xf0), 0x3ff);
}

static void test_svr_masks_lvts(void)
{
	fake_setup(1, false, true, 1000000);
	/* Software-disabled: the mask bit sticks. */
	xw(&F.vl[0], 0x350, 0x700);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0x350), 0x10700);
	fake_sw_enable(&F.vl[0]);
	xw(&F.vl[0], 0x350, 0x700);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0x350), 0x700);
	CU_ASSERT(vlapic_extint_ok(&F.vl[0]));
	xw(&F.vl[0], 0x320, 0x20030);
	/* Disabling sets every mask bit, keeping the rest. */
	xw(&F.vl[0], 0xf0, 0xff);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0x350), 0x10700);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0x320), 0x30030);
	CU_ASSERT_FALSE(vlapic_extint_ok(&F.vl[0]));
}

static void test_lvt_write_masks(void)
{
	static const uint32_t want[6] = { 0x700ff, 0x107ff, 0x107ff,
					  0x1a7ff, 0x1a7ff, 0x100ff };
	unsigned int i;

	fake_setup(1, false, true, 1000000);
	fake_sw_enable(&F.vl[0]);
	for (i = 0; i < 6; i++) {
		xw(&F.vl[0], 0x320 + 0x10 * i, 0xffffffff);
		CU_ASSERT_EQUAL(xr(&F.vl[0], 0x320 + 0x10 * i), want[i]);
	}
	/* Without TSC-deadline support, timer bit 18 is reserved. */
	fake_setup(1, false, false, 1000000);
	fake_sw_enable(&F.vl[0]);
	xw(&F.vl[0], 0x320, 0xffffffff);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0x320), 0x300ff);
}

static void test_narrow_and_unaligned(void)
{
	uint64_t v;

	fake_setup(2, false, false, 1000000);
	xw(&F.vl[1], 0x80, 0x000000a5);
	v = 0;
	vlapic_mmio(&F.vl[1], VLAPIC_DEFAULT_BASE + 0x23, 1, false, &v, 0);
	CU_ASSERT_EQUAL(v, 0x01);
	vlapic_mmio(&F.vl[1], VLAPIC_DEFAULT_BASE + 0x30, 2, false, &v, 0);
	CU_ASSERT_EQUAL(v, 0x0014);
	vlapic_mmio(&F.vl[1], VLAPIC_DEFAULT_BASE + 0x32, 2, false, &v, 0);
	CU_ASSERT_EQUAL(v, 0x0005);
	vlapic_mmio(&F.vl[1], VLAPIC_DEFAULT_BASE + 0x34, 4, false, &v, 0);
	CU_ASSERT_EQUAL(v, 0);
	vlapic_mmio(&F.vl[1], VLAPIC_DEFAULT_BASE + 0x80, 8, false, &v, 0);
	CU_ASSERT_EQUAL(v, 0xa5);
	/* Narrow or unaligned stores are dropped. */
	v = 0x11;
	vlapic_mmio(&F.vl[1], VLAPIC_DEFAULT_BASE + 0x80, 1, true, &v, 0);
	vlapic_mmio(&F.vl[1], VLAPIC_DEFAULT_BASE + 0x84, 4, true, &v, 0);
	CU_ASSERT_EQUAL(xr(&F.vl[1], 0x80), 0xa5);
	CU_ASSERT(F.nlog >= 2);
	/* 8-byte stores write the low dword. */
	v = 0xffffffff00000033ull;
	vlapic_mmio(&F.vl[1], VLAPIC_DEFAULT_BASE + 0x80, 8, true, &v, 0);
	CU_ASSERT_EQUAL(xr(&F.vl[1], 0x80), 0x33);
}

static void test_esr_and_error_lvt(void)
{
	struct vlapic *vl;

	fake_setup(1, false, false, 1000000);
	vl = &F.vl[0];
	fake_sw_enable(vl);
	xw(vl, 0x370, 0xfe); /* error LVT, vector 0xfe */
	/* Reserved offset: "illegal register address" (bit 7). */
	CU_ASSERT_EQUAL(xr(vl, 0x400), 0);
	CU_ASSERT_EQUAL(xr(vl, 0x280), 0); /* not latched yet */
	CU_ASSERT(irr(vl, 0xfe));
	xw(vl, 0x280, 0);
	CU_ASSERT_EQUAL(xr(vl, 0x280), 0x80);
	xw(vl, 0x280, 0);
	CU_ASSERT_EQUAL(xr(vl, 0x280), 0);
	/* Sending an illegal vector: bit 5. */
	xw(vl, 0x300, 0x00040005);
	xw(vl, 0x280, 0);
	CU_ASSERT_EQUAL(xr(vl, 0x280), 0x20);
	/* Receiving one: bit 6. */
	CU_ASSERT_FALSE(vlapic_accept(vl, 7, false));
	xw(vl, 0x280, 0);
	CU_ASSERT_EQUAL(xr(vl, 0x280), 0x40);
	/* An error LVT with an illegal vector does not recurse. */
	xw(vl, 0x370, 0x03);
	CU_ASSERT_FALSE(vlapic_accept(vl, 7, false));
	xw(vl, 0x280, 0);
	CU_ASSERT_EQUAL(xr(vl, 0x280), 0x40);
	/* 0x2f0 (CMCI) is absent with max LVT 5; the error interrupt's
	 * own illegal vector 3 adds "received illegal vector". */
	xw(vl, 0x2f0, 0x30);
	xw(vl, 0x280, 0);
	CU_ASSERT_EQUAL(xr(vl, 0x280), 0xc0);
	CU_ASSERT_FALSE(irr(vl, 3));
}

static void test_icr_fields(void)
{
	fake_setup(2, false, false, 1000000);
	fake_sw_enable(&F.vl[0]);
	fake_sw_enable(&F.vl[1]);
	xw(&F.vl[0], 0x310, 0xffffffff);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0x310), 0xff000000);
	xw(&F.vl[0], 0x310, 0x01000000);
	xw(&F.vl[0], 0x300, 0xfff3ff41);
	/* Delivery status (bit 12) reads idle; reserved bits read 0. */
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0x300), 0xfff3ff41 & 0x000ccfff);
	CU_ASSERT_EQUAL(xr(&F.vl[0], 0x300) & (1u << 12), 0);
}

static void test_x2apic_enable_and_regs(void)
{
	struct vlapic *vl;

	fake_setup(1, true, false, 1000000);
	vl = &F.vl[0];
	vl->cfg.apic_id = 0x23;
	/* x2APIC MSRs #GP in xAPIC mode. */
	mr(vl, 0x802, GP);
	CU_ASSERT_EQUAL(mw(vl, 0x808, 0), GP);
	to_x2apic(vl);
	CU_ASSERT_EQUAL(mr(vl, VLAPIC_MSR_APIC_BASE, 0), 0xfee00d00);
	CU_ASSERT_EQUAL(vlapic_mmio_base(vl), VLAPIC_NO_MMIO);
	CU_ASSERT_EQUAL(xr(vl, 0x30), 0xffffffff); /* page not decoded */
	CU_ASSERT_EQUAL(mr(vl, 0x802, 0), 0x23);
	CU_ASSERT_EQUAL(mr(vl, 0x803, 0), 0x00050014);
	/* 11.12.10.2: cluster 2, bit 3. */
	CU_ASSERT_EQUAL(mr(vl, 0x80d, 0), 0x00020008);
	CU_ASSERT_EQUAL(mw(vl, 0x80f, 0x1ff), 0);
	CU_ASSERT_EQUAL(mr(vl, 0x80f, 0), 0x1ff);
	CU_ASSERT_EQUAL(mw(vl, 0x808, 0x30), 0);
	CU_ASSERT_EQUAL(mr(vl, 0x808, 0), 0x30);
	CU_ASSERT_EQUAL(mr(vl, 0x80a, 0), 0x30);
	CU_ASSERT_EQUAL(mw(vl, 0x835, 0x700), 0);
	CU_ASSERT_EQUAL(mr(vl, 0x835, 0), 0x700);
	CU_ASSERT_EQUAL(mw(vl, 0x83e, 0xb), 0);
	CU_ASSERT_EQUAL(mr(vl, 0x83e, 0), 0xb);
}

static void test_x2apic_gp_rules(void)
{
	struct vlapic *vl;

	fake_setup(1, true, false, 1000000);
	vl = &F.vl[0];
	to_x2apic(vl);
	mw(vl, 0x80f, 0x1ff);
	/* Read-only registers. */
	CU_ASSERT_EQUAL(mw(vl, 0x802, 0), GP);
	CU_ASSERT_EQUAL(mw(vl, 0x803, 0), GP);
	CU_ASSERT_EQUAL(mw(vl, 0x80a, 0), GP);
	CU_ASSERT_EQUAL(mw(vl, 0x80d, 0), GP);
	CU_ASSERT_EQUAL(mw(vl, 0x810, 0), GP);
	CU_ASSERT_EQUAL(mw(vl, 0x820, 0), GP);
	CU_ASSERT_EQUAL(mw(vl, 0x839, 0), GP);
	/* Write-only registers. */
	mr(vl, 0x80b, GP);
	mr(vl, 0x83f, GP);
	/* Absent: APR, RRD, DFR, ICR high, CMCI, unassigned. */
	mr(vl, 0x809, GP);
	mr(vl, 0x80c, GP);
	mr(vl, 0x80e, GP);
	CU_ASSERT_EQUAL(mw(vl, 0x80e, 0), GP);
	mr(vl, 0x831, GP);
	CU_ASSERT_EQUAL(mw(vl, 0x831, 0), GP);
	mr(vl, 0x82f, GP);
	mr(vl, 0x840, GP);
	mr(vl, 0x8ff, GP);
	CU_ASSERT_EQUAL(mw(vl, 0x8ff, 0), GP);
	/* EOI and ESR take only zero; reserved high halves #GP. */
	CU_ASSERT_EQUAL(mw(vl, 0x80b, 1), GP);
	CU_ASSERT_EQUAL(mw(vl, 0x80b, 0), 0);
	CU_ASSERT_EQUAL(mw(vl, 0x828, 1), GP);
	CU_ASSERT_EQUAL(mw(vl, 0x828, 0), 0);
	CU_ASSERT_EQUAL(mw(vl, 0x808, 1ull << 32), GP);
	CU_ASSERT_EQUAL(mw(vl, 0x83f, 0x100), GP);
	/* Not an APIC MSR at all. */
	mr(vl, 0x1c, GP);
	CU_ASSERT_EQUAL(mw(vl, 0x7ff, 0), GP);
	CU_ASSERT(vlapic_msr_owned(0x1b));
	CU_ASSERT(vlapic_msr_owned(0x6e0));
	CU_ASSERT(vlapic_msr_owned(0x800));
	CU_ASSERT(vlapic_msr_owned(0x8ff));
	CU_ASSERT_FALSE(vlapic_msr_owned(0x900));
	CU_ASSERT_FALSE(vlapic_msr_owned(0x7ff));
}

static void test_x2apic_icr_and_self_ipi(void)
{
	struct vlapic *vl;

	fake_setup(2, true, false, 1000000);
	to_x2apic(&F.vl[0]);
	to_x2apic(&F.vl[1]);
	mw(&F.vl[0], 0x80f, 0x1ff);
	mw(&F.vl[1], 0x80f, 0x1ff);
	vl = &F.vl[0];
	CU_ASSERT_EQUAL(mw(vl, 0x830, 0x0000000100000061ull), 0);
	CU_ASSERT_EQUAL(mr(vl, 0x830, 0), 0x0000000100000061ull);
	CU_ASSERT(irr(&F.vl[1], 0x61));
	CU_ASSERT_FALSE(irr(vl, 0x61));
	CU_ASSERT_EQUAL(F.msg[0].dest, 1);
	CU_ASSERT_EQUAL(mw(vl, 0x83f, 0x52), 0);
	CU_ASSERT(irr(vl, 0x52));
	/* Self IPI with an illegal vector: send illegal vector. */
	CU_ASSERT_EQUAL(mw(vl, 0x83f, 0x05), 0);
	CU_ASSERT_EQUAL(mw(vl, 0x828, 0), 0);
	CU_ASSERT_EQUAL(mr(vl, 0x828, 0), 0x20);
	/* x2APIC broadcast. */
	F.nmsg = 0;
	mw(vl, 0x830, 0xffffffff00000071ull);
	CU_ASSERT_EQUAL(F.msg[0].dest, 0xffffffff);
	CU_ASSERT(irr(&F.vl[0], 0x71) && irr(&F.vl[1], 0x71));
}

static void test_apic_base_transitions(void)
{
	struct vlapic *vl;
	const uint64_t B = VLAPIC_DEFAULT_BASE;
	const uint64_t EN = VLAPIC_BASE_EN, X = VLAPIC_BASE_EXTD;

	fake_setup(1, true, false, 1000000);
	vl = &F.vl[0];
	/* EXTD without EN is invalid; reserved bits #GP. */
	CU_ASSERT_EQUAL(mw(vl, 0x1b, B | X), GP);
	CU_ASSERT_EQUAL(mw(vl, 0x1b, B | EN | 1), GP);
	CU_ASSERT_EQUAL(mw(vl, 0x1b, B | EN | (1ull << 9)), GP);
	CU_ASSERT_EQUAL(mw(vl, 0x1b, B | EN | (1ull << 40)), GP);
	CU_ASSERT_EQUAL(mr(vl, 0x1b, 0), B | EN | VLAPIC_BASE_BSP);
	/* BSP is read-only. */
	CU_ASSERT_EQUAL(mw(vl, 0x1b, B | EN), 0);
	CU_ASSERT_EQUAL(mr(vl, 0x1b, 0), B | EN | VLAPIC_BASE_BSP);
	fake_sw_enable(vl);
	xw(vl, 0x80, 0x40);
	to_x2apic(vl);
	/* x2APIC -> xAPIC is illegal; state survives the attempt. */
	CU_ASSERT_EQUAL(mw(vl, 0x1b, B | EN), GP);
	CU_ASSERT_EQUAL(mr(vl, 0x808, 0), 0x40);
	/* x2APIC -> disabled resets; disabled -> x2APIC is illegal. */
	CU_ASSERT_EQUAL(mw(vl, 0x1b, B), 0);
	CU_ASSERT_EQUAL(vlapic_mmio_base(vl), VLAPIC_NO_MMIO);
	CU_ASSERT_FALSE(vlapic_accept(vl, 0x40, false));
	CU_ASSERT(vlapic_extint_ok(vl));
	CU_ASSERT_EQUAL(mw(vl, 0x1b, B | EN | X), GP);
	/* disabled -> xAPIC, relocated: power-up register state. */
	CU_ASSERT_EQUAL(mw(vl, 0x1b, 0xfed00000ull | EN), 0);
	CU_ASSERT_EQUAL(vlapic_mmio_base(vl), 0xfed00000ull);
	CU_ASSERT_EQUAL(xr(vl, 0x80), 0);
	CU_ASSERT_EQUAL(xr(vl, 0xf0), 0xff);
	/* No x2APIC advertised: EXTD is reserved. */
	fake_setup(1, false, false, 1000000);
	CU_ASSERT_EQUAL(mw(&F.vl[0], 0x1b, B | EN | X), GP);
}

static void test_disabled_apic_mmio(void)
{
	uint64_t v = 0;

	fake_setup(1, false, false, 1000000);
	CU_ASSERT_EQUAL(mw(&F.vl[0], 0x1b, VLAPIC_DEFAULT_BASE), 0);
	vlapic_mmio(&F.vl[0], VLAPIC_DEFAULT_BASE + 0x30, 2, false, &v, 0);
	CU_ASSERT_EQUAL(v, 0xffff);
	xw(&F.vl[0], 0xf0, 0x1ff);
	CU_ASSERT_EQUAL(F.vl[0].svr, 0xff);
	CU_ASSERT_EQUAL(vlapic_pending(&F.vl[0]), -1);
	CU_ASSERT_EQUAL(vlapic_tick(&F.vl[0], 1000), 0);
}

void register_vlapic_regs(void)
{
	CU_pSuite s = CU_add_suite("vlapic registers", NULL, NULL);

	ADD(s, test_reset_state);
	ADD(s, test_init_config);
	ADD(s, test_readonly_regs);
	ADD(s, test_tpr_ldr_dfr_svr);
	ADD(s, test_svr_masks_lvts);
	ADD(s, test_lvt_write_masks);
	ADD(s, test_narrow_and_unaligned);
	ADD(s, test_esr_and_error_lvt);
	ADD(s, test_icr_fields);
	ADD(s, test_x2apic_enable_and_regs);
	ADD(s, test_x2apic_gp_rules);
	ADD(s, test_x2apic_icr_and_self_ipi);
	ADD(s, test_apic_base_transitions);
	ADD(s, test_disabled_apic_mmio);
}
