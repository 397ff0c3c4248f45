/*
 * The fake platform and the runner: one binary for all virq suites.
 */
#include "fake.h"
#include <string.h>

struct fake F;

static void fake_deliver(void *ctx, uint32_t dest, bool logical,
			 uint8_t vector, uint32_t mode, bool level_trig)
{
	struct fake *f = ctx;

	if (f->nmsg < FAKE_LOG)
		f->msg[f->nmsg++] = (struct fake_msg){ dest, logical, vector,
						       mode, level_trig };
	if (f->route)
		vlapic_route(f->vls, f->nr, dest, logical, vector, mode,
			     level_trig);
}

static void fake_kick(void *ctx, unsigned int vcpu)
{
	struct fake *f = ctx;

	CU_ASSERT_FATAL(vcpu < FAKE_VCPUS);
	f->kicks[vcpu]++;
}

static void fake_log(void *ctx, const char *msg)
{
	struct fake *f = ctx;

	CU_ASSERT_PTR_NOT_NULL(msg);
	f->nlog++;
}

static void fake_set_irq(void *ctx, unsigned int gsi, bool level)
{
	(void)ctx;
	(void)gsi;
	(void)level;
}

static void fake_eoi(void *ctx, uint8_t vector)
{
	struct fake *f = ctx;

	if (f->neoi < FAKE_LOG)
		f->eoi[f->neoi++] = vector;
	vioapic_eoi(&f->io, vector);
}

void fake_setup(unsigned int nr, bool x2apic, bool tsc_deadline,
		uint32_t tsc_khz)
{
	unsigned int i;

	memset(&F, 0, sizeof(F));
	F.ops.ctx = &F;
	F.ops.deliver = fake_deliver;
	F.ops.kick = fake_kick;
	F.ops.log = fake_log;
	F.ops.set_irq = fake_set_irq;
	F.nr = nr;
	F.route = true;
	for (i = 0; i < nr; i++) {
		struct vlapic_config cfg = {
			.vcpu = i,
			.apic_id = i,
			.bsp = i == 0,
			.x2apic = x2apic,
			.tsc_deadline = tsc_deadline,
			.tsc_khz = tsc_khz,
			.eoi = fake_eoi,
			.eoi_ctx = &F,
		};
		CU_ASSERT_FATAL(vlapic_init(&F.vl[i], &F.ops, &cfg) == 0);
		F.vls[i] = &F.vl[i];
	}
	vioapic_init(&F.io, &F.ops, (uint8_t)nr);
	vpic_init(&F.pic, &F.ops);
}

void fake_sw_enable(struct vlapic *vl)
{
	xw(vl, 0xf0, 0x1ff);
}

uint32_t xr_at(struct vlapic *vl, unsigned int off, uint64_t now)
{
	uint64_t v = 0xdeadbeefdeadbeefull;

	CU_ASSERT(vlapic_mmio(vl, VLAPIC_DEFAULT_BASE + off, 4, false, &v,
			      now) == 0);
	CU_ASSERT(v <= 0xffffffffull);
	return (uint32_t)v;
}

void xw_at(struct vlapic *vl, unsigned int off, uint32_t val, uint64_t now)
{
	uint64_t v = val;

	CU_ASSERT(vlapic_mmio(vl, VLAPIC_DEFAULT_BASE + off, 4, true, &v,
			      now) == 0);
}

uint32_t xr(struct vlapic *vl, unsigned int off)
{
	return xr_at(vl, off, 0);
}

void xw(struct vlapic *vl, unsigned int off, uint32_t val)
{
	xw_at(vl, off, val, 0);
}

bool irr(const struct vlapic *vl, unsigned int v)
{
	return (vl->irr[v / 32] >> (v % 32)) & 1;
}

bool isr(const struct vlapic *vl, unsigned int v)
{
	return (vl->isr[v / 32] >> (v % 32)) & 1;
}

bool tmr(const struct vlapic *vl, unsigned int v)
{
	return (vl->tmr[v / 32] >> (v % 32)) & 1;
}

uint32_t ior(unsigned int reg)
{
	uint64_t v = reg;

	vioapic_mmio(&F.io, VIOAPIC_BASE, 4, true, &v, 0);
	v = 0xdeadbeef00000000ull;
	vioapic_mmio(&F.io, VIOAPIC_BASE + 0x10, 4, false, &v, 0);
	CU_ASSERT(v <= 0xffffffffull);
	return (uint32_t)v;
}

void iow(unsigned int reg, uint32_t val)
{
	uint64_t v = reg;

	vioapic_mmio(&F.io, VIOAPIC_BASE, 4, true, &v, 0);
	v = val;
	vioapic_mmio(&F.io, VIOAPIC_BASE + 0x10, 4, true, &v, 0);
}

void io_rte(unsigned int pin, uint64_t rte)
{
	/* Linux's order: high half first, so unmasking comes last. */
	iow(0x11 + 2 * pin, (uint32_t)(rte >> 32));
	iow(0x10 + 2 * pin, (uint32_t)rte);
}

uint8_t pin8(uint16_t port)
{
	uint64_t v = 0x1234;

	CU_ASSERT(vpic_io(&F.pic, port, 1, false, &v, 0) == 0);
	CU_ASSERT(v <= 0xff);
	return (uint8_t)v;
}

void pout8(uint16_t port, uint8_t val)
{
	uint64_t v = val;

	CU_ASSERT(vpic_io(&F.pic, port, 1, true, &v, 0) == 0);
}

void linux_init_8259a(uint8_t master_mask, uint8_t slave_mask)
{
	/* arch/x86/kernel/i8259.c, init_8259A(auto_eoi = 0). */
	pout8(0x21, 0xff);
	pout8(0x20, 0x11); /* ICW1: edge, cascade, ICW4 */
	pout8(0x21, 0x30); /* ICW2: ISA_IRQ_VECTOR(0) */
	pout8(0x21, 0x04); /* ICW3: slave on IR2 */
	pout8(0x21, 0x01); /* ICW4: 8086, normal EOI */
	pout8(0xa0, 0x11);
	pout8(0xa1, 0x38);
	pout8(0xa1, 0x02); /* slave id 2 */
	pout8(0xa1, 0x01);
	pout8(0x21, master_mask);
	pout8(0xa1, slave_mask);
}

void unit_register(void)
{
	register_vlapic_regs();
	register_vlapic_irq();
	register_vlapic_timer();
	register_vioapic();
	register_vpic();
	register_garbage();
}

UNIT_MAIN
