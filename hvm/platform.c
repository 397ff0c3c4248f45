/*
 * The virtual PC of an hv domain: the device models of hvm/v*.c wired to
 * the run loop.  One lock per domain (plat->lock) guards every device;
 * the vplat_ops callbacks below run with it held.
 *
 * Interrupt routing follows the ACPI tables hvm/acpi-build.c writes: ISA
 * IRQ n reaches the 8259 pair on line n and the I/O APIC on GSI n, except
 * IRQ 0 (the PIT), which the MADT overrides to GSI 2.  The 8259 output
 * reaches vCPU 0 through LINT0 when that is in ExtINT mode.
 */
#include <hvm/platform.h>
#include <hvm/loader.h>
#include <hvm/vlapic.h>
#include <hvm/vioapic.h>
#include <hvm/vpic.h>
#include <hvm/vpit.h>
#include <hvm/vrtc.h>
#include <hvm/vuart.h>
#include <hvm/vpm.h>
#include <hvm/vioport.h>
#include <hvm/vmi.h>
#include <trivisor/domain.h>
#include <trivisor/memory.h>
#include <trivisor/layout.h>
#include <trivisor/time.h>
#include <trivisor/log.h>
#include <trivisor/rtc.h>
#include <vmi/errno.h>
#include <string.h>
#include <stdio.h>

struct hvm_plat {
	struct domain *d;
	spinlock_t lock;
	struct vplat_ops ops;
	struct vioport_table io;
	struct vpic pic;
	struct vioapic ioapic;
	struct vpit pit;
	struct vrtc rtc;
	struct vuart com1;
	struct vpm pm;
	struct vlapic lapic[MAX_VCPUS];
	/* Per vCPU: the injected vector came from the 8259 (ack there). */
	bool from_pic[MAX_VCPUS];
	bool nmi[MAX_VCPUS];
	int sipi[MAX_VCPUS]; /* pending SIPI vector or -1 */
	struct ratelimit log_rl;
	struct ratelimit unclaimed_rl; /* accesses to unclaimed addresses */
	unsigned int order; /* of the allocation holding this struct */
};

static struct hvm_plat *plat_of(struct domain *d)
{
	return d->plat;
}

static void p_kick(void *ctx, unsigned int vcpu)
{
	struct hvm_plat *p = ctx;

	if (vcpu < p->d->nr_vcpus && p->d->vcpus[vcpu])
		vcpu_kick(p->d->vcpus[vcpu]);
}

#define PIT_GSI 2 /* ISA IRQ 0 on the I/O APIC (the MADT override) */

static void p_set_irq(void *ctx, unsigned int irq, bool level)
{
	struct hvm_plat *p = ctx;

	/* A line bound to a VMI event channel reaches only that. */
	if (vmi_gsi_set(p->d, irq == 0 ? PIT_GSI : irq, level))
		return;
	if (irq < 16)
		vpic_set_irq(&p->pic, irq, level);
	vioapic_set_irq(&p->ioapic, irq == 0 ? PIT_GSI : irq, level);
	if (vpic_output(&p->pic))
		p_kick(p, 0);
}

static void p_deliver(void *ctx, uint32_t dest, bool logical, uint8_t vector,
		      uint32_t mode, bool level)
{
	struct hvm_plat *p = ctx;

	/* vlapic_match_dest() knows broadcast and the sender's skip_self. */
	for (unsigned int i = 0; i < p->d->nr_vcpus; i++) {
		if (!vlapic_match_dest(&p->lapic[i], dest, logical))
			continue;
		/* Lowest priority: fixed, to the lowest-numbered target. */
		vlapic_deliver(&p->lapic[i], vector,
			       mode == VPLAT_DM_LOWEST ? VPLAT_DM_FIXED : mode,
			       level);
		p_kick(p, i);
		if (mode == VPLAT_DM_LOWEST)
			break;
	}
}

static void p_console(void *ctx, const char *buf, size_t len)
{
	struct hvm_plat *p = ctx;

	domain_console(p->d, buf, len);
}

static void p_shutdown(void *ctx, int reason, int code)
{
	struct hvm_plat *p = ctx;

	switch (reason) {
	case VPLAT_SHUTDOWN_POWEROFF:
		domain_end(p->d, DOM_END_POWEROFF, 0, NULL);
		break;
	case VPLAT_SHUTDOWN_REBOOT:
		domain_end(p->d, DOM_END_REBOOT, 0, NULL);
		break;
	case VPLAT_SHUTDOWN_DEBUG_EXIT:
		domain_end(p->d, DOM_END_DEBUG_EXIT, code, NULL);
		break;
	default:
		domain_end(p->d, DOM_END_CRASH, code, "triple fault");
		break;
	}
}

static void p_log(void *ctx, const char *msg)
{
	struct hvm_plat *p = ctx;

	if (ratelimit_ok(&p->log_rl))
		log_dom(LOG_INFO, p->d, "%s", msg);
}

int hvm_platform_create(struct domain *d, char *why, unsigned int why_len)
{
	unsigned int order = 0;
	uint64_t mfn, now = time_ns();
	struct hvm_plat *p;
	int ret = 0;

	while ((PAGE_SIZE << order) < sizeof(*p))
		order++;
	if (hv_frame_alloc(order, FRAME_OWNER_HYPERVISOR, &mfn)) {
		snprintf(why, why_len, "out of memory for the virtual platform");
		return -VMI_ENOMEM;
	}
	p = pa_to_va(mfn << PAGE_SHIFT);
	memset(p, 0, sizeof(*p));
	p->order = order;
	p->d = d;
	p->log_rl = (struct ratelimit)RATELIMIT_INIT(1000, 10);
	p->unclaimed_rl = (struct ratelimit)RATELIMIT_INIT(1000, 4);
	p->ops = (struct vplat_ops){ p, p_set_irq, p_deliver, p_kick,
				     p_console, p_shutdown, p_log };
	vioport_init(&p->io, &p->ops);
	vpic_init(&p->pic, &p->ops);
	vioapic_init(&p->ioapic, &p->ops, 0);
	vpit_init(&p->pit, &p->ops, now);
	vrtc_init(&p->rtc, &p->ops, rtc_epoch_at_boot() +
				 (int64_t)(now / 1000000000ul), now);
	vrtc_set_config(&p->rtc,
			d->mem_bytes < LOADER_LOWMEM_MAX ? d->mem_bytes
							 : LOADER_LOWMEM_MAX,
			d->mem_bytes > LOADER_LOWMEM_MAX
				? d->mem_bytes - LOADER_LOWMEM_MAX
				: 0,
			d->nr_vcpus);
	vuart_init(&p->com1, &p->ops, 0x3f8, 4);
	vpm_init(&p->pm, &p->ops, &p->pit, now);
	ret |= vioport_register(&p->io, 0x20, 2, 1, vpic_io, &p->pic);
	ret |= vioport_register(&p->io, 0xa0, 2, 1, vpic_io, &p->pic);
	ret |= vioport_register(&p->io, 0x4d0, 2, 1, vpic_io, &p->pic);
	ret |= vpit_register(&p->pit, &p->io);
	ret |= vrtc_register(&p->rtc, &p->io);
	ret |= vuart_register(&p->com1, &p->io);
	ret |= vpm_register(&p->pm, &p->io);
	for (unsigned int i = 0; i < d->nr_vcpus && !ret; i++) {
		struct vlapic_config c = {
			.vcpu = i, .apic_id = i, .bsp = i == 0,
			.x2apic = true, .tsc_deadline = true,
			.tsc_khz = (uint32_t)tsc_khz(),
			.eoi = vioapic_eoi_hook, .eoi_ctx = &p->ioapic,
		};

		ret = vlapic_init(&p->lapic[i], &p->ops, &c);
		p->sipi[i] = -1;
	}
	/* What PC firmware leaves for a directly booted kernel: LINT0 in
	 * ExtINT mode so the 8259 reaches the boot vCPU, LINT1 as NMI. */
	if (!ret)
		vlapic_virtual_wire(&p->lapic[0]);
	if (ret) {
		snprintf(why, why_len, "virtual platform set-up failed (%d)", ret);
		hv_frame_free(mfn, order, FRAME_OWNER_HYPERVISOR);
		return -VMI_EINVAL;
	}
	d->plat = p;
	return 0;
}

void hvm_platform_destroy(struct domain *d)
{
	struct hvm_plat *p = plat_of(d);

	if (!p)
		return;
	hv_frame_free(va_to_pa(p) >> PAGE_SHIFT, p->order,
		      FRAME_OWNER_HYPERVISOR);
	d->plat = NULL;
}

void hvm_platform_pio(struct vcpu *v, uint16_t port, unsigned int size,
		      bool in, uint32_t *val)
{
	struct hvm_plat *p = plat_of(v->dom);
	uint64_t f = spin_lock_irqsave(&p->lock);

	vioport_dispatch(&p->io, port, size, !in, val, time_ns());
	spin_unlock_irqrestore(&p->lock, f);
}

static bool is_device_page(uint64_t gpa)
{
	return (gpa >> 12) == (LOADER_LAPIC_BASE >> 12) ||
	       (gpa >> 12) == (LOADER_IOAPIC_BASE >> 12);
}

#define FOUR_G 0x100000000ull

/*
 * Where the domain's RAM is (docs/guest-boot.md; the 640 KiB-1 MiB window
 * is backed too), whether or not a page is there now: a page a pv guest
 * gave back stays the guest's mistake to touch.
 */
static bool in_ram_span(const struct domain *d, uint64_t gpa)
{
	uint64_t low = d->mem_bytes < LOADER_LOWMEM_MAX ? d->mem_bytes
							 : LOADER_LOWMEM_MAX;
	uint64_t high = d->mem_bytes - low;

	return gpa < low || (gpa >= FOUR_G && gpa - FOUR_G < high);
}

/*
 * An address no device and no RAM decodes.  On a PC such a read ends in
 * a master abort and returns all ones, and a write is dropped (PCI Local
 * Bus 3.0, 3.7.3.1; the chipset's subtractive decode sends it nowhere),
 * which is how kernels probe for the HPET at 0xfed00000 or walk the
 * flash below 4 GiB.  A domain created with unclaimed=strict crashes
 * instead (docs/domains.md), for tests that want every stray access to
 * stop the guest.
 */
static bool is_unclaimed(struct domain *d, uint64_t gpa)
{
	return !d->unclaimed_strict && !in_ram_span(d, gpa) &&
	       !domain_is_ram(d, gpa, 1);
}

bool hvm_platform_is_mmio(struct domain *d, uint64_t gpa)
{
	return is_device_page(gpa) || is_unclaimed(d, gpa);
}

void hvm_platform_mmio(struct vcpu *v, uint64_t gpa, unsigned int size,
		       bool write, uint64_t *val)
{
	struct hvm_plat *p = plat_of(v->dom);
	uint64_t f = spin_lock_irqsave(&p->lock);

	if ((gpa >> 12) == (LOADER_LAPIC_BASE >> 12)) {
		vlapic_mmio(&p->lapic[v->id], gpa, size, write, val, time_ns());
	} else if ((gpa >> 12) == (LOADER_IOAPIC_BASE >> 12)) {
		vioapic_mmio(&p->ioapic, gpa, size, write, val, time_ns());
	} else {
		if (!write)
			*val = size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
		if (ratelimit_ok(&p->unclaimed_rl))
			log_dom(LOG_INFO, v->dom, "%u-byte %s unclaimed "
				"guest-physical %#lx at rip %#lx: %s", size,
				write ? "write to" : "read of", gpa,
				v->regs.rip,
				write ? "dropped" : "all ones");
	}
	spin_unlock_irqrestore(&p->lock, f);
}

int hvm_platform_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	struct hvm_plat *p = plat_of(v->dom);
	uint64_t f;
	int ret;

	if (!vlapic_msr_owned(msr))
		return 0;
	f = spin_lock_irqsave(&p->lock);
	if (write)
		ret = vlapic_msr_write(&p->lapic[v->id], msr, *val, time_ns());
	else
		ret = vlapic_msr_read(&p->lapic[v->id], msr, val, time_ns());
	spin_unlock_irqrestore(&p->lock, f);
	return ret < 0 ? -1 : 1;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t hvm_platform_tick(struct vcpu *v, uint64_t now)
{
	struct hvm_plat *p = plat_of(v->dom);
	struct vlapic *vl = &p->lapic[v->id];
	uint64_t f = spin_lock_irqsave(&p->lock), dl;
	uint8_t vec;

	vpit_tick(&p->pit, now);
	vrtc_tick(&p->rtc, now);
	vpm_tick(&p->pm, now);
	vlapic_tick(vl, now);
	/* INIT and SIPI are taken here so wake and start-up see them. */
	if (vlapic_take_init(vl) && v->id != 0) {
		v->state = VCPU_WAIT_SIPI;
		p->sipi[v->id] = -1;
	}
	if (vlapic_take_sipi(vl, &vec))
		p->sipi[v->id] = vec;
	if (vlapic_take_nmi(vl))
		p->nmi[v->id] = true;
	dl = min64(min64(vpit_next_deadline(&p->pit),
			 vrtc_next_deadline(&p->rtc)),
		   min64(vpm_next_deadline(&p->pm), vlapic_next_deadline(vl)));
	spin_unlock_irqrestore(&p->lock, f);
	return min64(dl, vmi_vcpu_tick(v, now));
}

int hvm_platform_pending(struct vcpu *v, bool *nmi)
{
	struct hvm_plat *p = plat_of(v->dom);
	uint64_t f = spin_lock_irqsave(&p->lock);
	int vec;

	*nmi = p->nmi[v->id];
	p->nmi[v->id] = false;
	vec = vlapic_pending(&p->lapic[v->id]);
	p->from_pic[v->id] = false;
	if (vec < 0 && v->id == 0 && vlapic_extint_ok(&p->lapic[0]) &&
	    vpic_output(&p->pic)) {
		vec = vpic_pending_vector(&p->pic);
		p->from_pic[v->id] = vec >= 0;
	}
	spin_unlock_irqrestore(&p->lock, f);
	return vec;
}

void hvm_platform_ack(struct vcpu *v, int vector)
{
	struct hvm_plat *p = plat_of(v->dom);
	uint64_t f = spin_lock_irqsave(&p->lock);

	uint64_t pit_rte = p->ioapic.rte[PIT_GSI];

	if (p->from_pic[v->id]) {
		if (vpic_ack(&p->pic) == p->pic.chip[0].base + VPIT_IRQ)
			vpit_irq_taken(&p->pit);
	} else {
		vlapic_ack(&p->lapic[v->id], (uint8_t)vector);
		if (!(pit_rte & (1u << 16)) && (uint8_t)pit_rte == vector)
			vpit_irq_taken(&p->pit);
	}
	spin_unlock_irqrestore(&p->lock, f);
}

/* Highest set bit of a 256-bit LAPIC register, or -1. */
static int top_vector(const uint32_t *r)
{
	for (int w = 7; w >= 0; w--)
		if (r[w])
			return w * 32 + 31 - __builtin_clz(r[w]);
	return -1;
}

void hvm_platform_dump(struct vcpu *v)
{
	struct hvm_plat *p = plat_of(v->dom);
	const struct vlapic *vl = &p->lapic[v->id];
	uint64_t now = time_ns();

	log_dom(LOG_ERR, v->dom, "  rflags.IF %u, LAPIC svr %x tpr %x, top "
		"irr %d isr %d, lvt timer %x, tmict %u, next %ld ns, "
		"tsc deadline %lx", (unsigned int)(v->regs.rflags >> 9) & 1,
		vl->svr, vl->tpr, top_vector(vl->irr), top_vector(vl->isr),
		vl->lvt[VLAPIC_LVT_TIMER], vl->tmict,
		vl->tmr_armed ? (long)(vl->tmr_next - now) : -1L,
		vl->tsc_deadline);
	if (v->id == 0)
		log_dom(LOG_ERR, v->dom, "  PIC irr/isr/imr %02x/%02x/%02x "
			"%02x/%02x/%02x, output %u; PIT owed %u; IOAPIC pin 2 "
			"%lx", p->pic.chip[0].irr, p->pic.chip[0].isr,
			p->pic.chip[0].imr, p->pic.chip[1].irr,
			p->pic.chip[1].isr, p->pic.chip[1].imr,
			vpic_output(&p->pic), p->pit.owed,
			p->ioapic.rte[PIT_GSI]);
}

bool hvm_platform_wake(struct vcpu *v)
{
	struct hvm_plat *p = plat_of(v->dom);
	uint64_t f = spin_lock_irqsave(&p->lock);
	bool wake;

	if (v->state == VCPU_WAIT_SIPI) {
		wake = p->sipi[v->id] >= 0 || vmi_vcpu_request_waiting(v);
	} else {
		wake = p->nmi[v->id] || vmi_vcpu_request_waiting(v) ||
		       ((v->regs.rflags & (1u << 9)) &&
			(vlapic_pending(&p->lapic[v->id]) >= 0 ||
			 vmi_upcall_pending(v) >= 0 ||
			 (v->id == 0 && vlapic_extint_ok(&p->lapic[0]) &&
			  vpic_output(&p->pic))));
	}
	spin_unlock_irqrestore(&p->lock, f);
	return wake;
}

bool hvm_platform_take_sipi(struct vcpu *v, uint8_t *vector)
{
	struct hvm_plat *p = plat_of(v->dom);
	uint64_t f = spin_lock_irqsave(&p->lock);
	bool got = p->sipi[v->id] >= 0;

	if (got)
		*vector = (uint8_t)p->sipi[v->id];
	p->sipi[v->id] = -1;
	spin_unlock_irqrestore(&p->lock, f);
	return got;
}

size_t hvm_platform_console_room(struct domain *d)
{
	struct hvm_plat *p = plat_of(d);
	uint64_t f;

	if (vmi_console_takes_input(d))
		return vmi_console_room(d);
	f = spin_lock_irqsave(&p->lock);
	size_t n = vuart_rx_room(&p->com1);

	spin_unlock_irqrestore(&p->lock, f);
	return n;
}

size_t hvm_platform_console_input(struct domain *d, const uint8_t *buf,
				  size_t n)
{
	struct hvm_plat *p = plat_of(d);
	uint64_t f;

	/* A pv guest that bound VIRQ_CONSOLE reads its input through VMI. */
	if (vmi_console_takes_input(d))
		return vmi_console_input(d, buf, n);
	f = spin_lock_irqsave(&p->lock);
	n = vuart_input(&p->com1, buf, n);
	spin_unlock_irqrestore(&p->lock, f);
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i])
			vcpu_kick(d->vcpus[i]);
	return n;
}

void hvm_platform_power_button(struct domain *d)
{
	struct hvm_plat *p = plat_of(d);
	uint64_t f = spin_lock_irqsave(&p->lock);

	vpm_power_button(&p->pm, time_ns());
	spin_unlock_irqrestore(&p->lock, f);
	if (d->vcpus[0])
		vcpu_kick(d->vcpus[0]);
}

bool hvm_platform_x2apic(void)
{
	return true;
}

bool hvm_platform_tsc_deadline(void)
{
	return true;
}

uint32_t hvm_platform_apic_bus_khz(void)
{
	return VLAPIC_BUS_KHZ;
}
