/*
 * Virtual local APIC: one per vCPU of the hardware-assisted container.
 *
 * References are to the Intel SDM vol. 3A, chapter 11 "Advanced
 * Programmable Interrupt Controller (APIC)".  The register file is kept as
 * separate fields rather than a 4 KiB page image; xAPIC MMIO offsets and
 * x2APIC MSRs (MSR = 0x800 + offset / 16, 11.12.1.2) share one decoder.
 *
 * Guest-controlled values only ever index the 256-bit registers through
 * an 8-bit vector or a masked offset, so no write can reach outside the
 * structure; what the hardware would refuse is refused or ignored here.
 */
#include <hvm/vlapic.h>
#include <string.h>
#include <vmi/errno.h>

/* Register offsets, SDM Table 11-1. */
#define REG_ID 0x020
#define REG_VER 0x030
#define REG_TPR 0x080
#define REG_APR 0x090
#define REG_PPR 0x0a0
#define REG_EOI 0x0b0
#define REG_RRD 0x0c0
#define REG_LDR 0x0d0
#define REG_DFR 0x0e0
#define REG_SVR 0x0f0
#define REG_ISR 0x100
#define REG_TMR 0x180
#define REG_IRR 0x200
#define REG_ESR 0x280
#define REG_ICR_LO 0x300
#define REG_ICR_HI 0x310
#define REG_LVT 0x320
#define REG_TMICT 0x380
#define REG_TMCCT 0x390
#define REG_TDCR 0x3e0
#define REG_SELF_IPI 0x3f0 /* x2APIC only */

#define SVR_ENABLE (1u << 8)
#define SVR_MASK 0x3ffu /* vector, enable, focus; no EOI suppression */

#define LVT_MASKED (1u << 16)
#define LVT_DM(v) (((v) >> 8) & 7)

#define TIMER_ONESHOT 0
#define TIMER_PERIODIC 1
#define TIMER_TSC 2

/* ESR bits, SDM 11.5.3. */
#define ESR_SEND_ILLEGAL (1u << 5)
#define ESR_RECV_ILLEGAL (1u << 6)
#define ESR_ILLEGAL_REG (1u << 7)

/* ICR fields, SDM 11.6.1. */
#define ICR_LOGICAL (1u << 11)
#define ICR_ASSERT (1u << 14)
#define ICR_LEVEL (1u << 15)
#define ICR_SHORTHAND(v) (((v) >> 18) & 3)
#define ICR_LO_MASK 0x000ccfffu /* delivery status (bit 12) reads idle */
#define SH_SELF 1
#define SH_ALL 2
#define SH_OTHERS 3

#define BROADCAST 0xffffffffu
#define NS_PER_MS 1000000ull

/*
 * Writable bits of each LVT entry (SDM Figure 11-8): vector, delivery mode
 * where the entry has one, polarity/trigger for LINT0/1, mask; timer mode
 * bit 18 only with TSC-deadline support.
 */
static const uint32_t lvt_wmask[VLAPIC_NR_LVT] = {
	[VLAPIC_LVT_TIMER] = 0x000700ff, [VLAPIC_LVT_THERMAL] = 0x000107ff,
	[VLAPIC_LVT_PERF] = 0x000107ff,	 [VLAPIC_LVT_LINT0] = 0x0001a7ff,
	[VLAPIC_LVT_LINT1] = 0x0001a7ff, [VLAPIC_LVT_ERROR] = 0x000100ff,
};

/* --- small helpers --- */

static void vlog(const struct vlapic *vl, const char *msg)
{
	if (vl->ops && vl->ops->log)
		vl->ops->log(vl->ops->ctx, msg);
}

static void kick(const struct vlapic *vl)
{
	if (vl->ops && vl->ops->kick)
		vl->ops->kick(vl->ops->ctx, vl->cfg.vcpu);
}

static bool hw_enabled(const struct vlapic *vl)
{
	return vl->apic_base & VLAPIC_BASE_EN;
}

static bool x2apic_mode(const struct vlapic *vl)
{
	return hw_enabled(vl) && (vl->apic_base & VLAPIC_BASE_EXTD);
}

static bool sw_enabled(const struct vlapic *vl)
{
	return vl->svr & SVR_ENABLE;
}

static bool bit_test(const uint32_t *r, unsigned int v)
{
	return (r[(v >> 5) & 7] >> (v & 31)) & 1;
}

static void bit_set(uint32_t *r, unsigned int v)
{
	r[(v >> 5) & 7] |= 1u << (v & 31);
}

static void bit_clear(uint32_t *r, unsigned int v)
{
	r[(v >> 5) & 7] &= ~(1u << (v & 31));
}

/* Highest set bit of a 256-bit register, or -1. */
static int bit_highest(const uint32_t *r)
{
	int i;

	for (i = 7; i >= 0; i--)
		if (r[i])
			return i * 32 + 31 - __builtin_clz(r[i]);
	return -1;
}

/* x2APIC logical id, derived from the x2APIC id (SDM 11.12.10.2). */
static uint32_t x2apic_ldr(const struct vlapic *vl)
{
	uint32_t id = vl->cfg.apic_id;

	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

/* Processor priority, SDM 11.8.3.1. */
static uint32_t ppr(const struct vlapic *vl)
{
	int isrv = bit_highest(vl->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

	if ((vl->tpr & 0xf0) >= isr_class)
		return vl->tpr & 0xff;
	return isr_class;
}

/* --- errors (SDM 11.5.3) --- */

static void lvt_fire(struct vlapic *vl, unsigned int idx);

/*
 * Record an error and raise the LVT error interrupt.  An illegal vector in
 * the error LVT itself would report another error: in_error stops that.
 */
static void record_error(struct vlapic *vl, uint32_t bits)
{
	vl->esr_pending |= bits;
	if (vl->in_error)
		return;
	vl->in_error = true;
	lvt_fire(vl, VLAPIC_LVT_ERROR);
	vl->in_error = false;
}

/* --- reset --- */

/* Register state after RESET or INIT (SDM 11.4.7.1, 11.4.7.3). */
static void reset_regs(struct vlapic *vl)
{
	unsigned int i;

	vl->tpr = 0;
	vl->ldr = 0;
	vl->dfr = 0xffffffff;
	vl->svr = 0xff;
	memset(vl->isr, 0, sizeof(vl->isr));
	memset(vl->tmr, 0, sizeof(vl->tmr));
	memset(vl->irr, 0, sizeof(vl->irr));
	vl->esr = 0;
	vl->esr_pending = 0;
	vl->icr_lo = 0;
	vl->icr_hi = 0;
	for (i = 0; i < VLAPIC_NR_LVT; i++)
		vl->lvt[i] = LVT_MASKED;
	vl->tmict = 0;
	vl->tdcr = 0;
	vl->tmr_armed = false;
	vl->tmr_next = 0;
	vl->tsc_deadline = 0;
}

void vlapic_reset(struct vlapic *vl)
{
	/* IA32_APIC_BASE after RESET: 0xfee00000, enabled, xAPIC (11.4.4). */
	vl->apic_base = VLAPIC_DEFAULT_BASE | VLAPIC_BASE_EN;
	if (vl->cfg.bsp)
		vl->apic_base |= VLAPIC_BASE_BSP;
	reset_regs(vl);
	vl->nmi_pending = false;
	vl->init_pending = false;
	vl->sipi_pending = false;
	vl->sipi_vector = 0;
	vl->wait_sipi = !vl->cfg.bsp;
	vl->in_error = false;
	vl->skip_self = false;
}

int vlapic_init(struct vlapic *vl, const struct vplat_ops *ops,
		const struct vlapic_config *cfg)
{
	if (!vl || !cfg || !cfg->tsc_khz)
		return -VMI_EINVAL;
	memset(vl, 0, sizeof(*vl));
	vl->ops = ops;
	vl->cfg = *cfg;
	if (!vl->cfg.phys_bits || vl->cfg.phys_bits > 52)
		vl->cfg.phys_bits = vl->cfg.phys_bits ? 52 : 36;
	vlapic_reset(vl);
	return 0;
}

void vlapic_virtual_wire(struct vlapic *vl)
{
	vl->svr = SVR_ENABLE | 0xff;
	vl->lvt[VLAPIC_LVT_LINT0] = 0x8700; /* ExtINT, level */
	vl->lvt[VLAPIC_LVT_LINT1] = 0x0400; /* NMI, edge */
}

/* --- acceptance, priority and EOI (SDM 11.8) --- */

bool vlapic_accept(struct vlapic *vl, uint8_t vector, bool level_trig)
{
	if (!hw_enabled(vl))
		return false;
	/* 11.5.3: the APIC never sets IRR bits 0-15. */
	if (vector < 16) {
		record_error(vl, ESR_RECV_ILLEGAL);
		return false;
	}
	/*
	 * A software-disabled APIC holds what is already in IRR/ISR
	 * (11.4.7.2) but takes no new fixed interrupts, as KVM does.
	 */
	if (!sw_enabled(vl))
		return false;
	/* 11.8.4: TMR follows the trigger mode of the accepted interrupt. */
	if (level_trig)
		bit_set(vl->tmr, vector);
	else
		bit_clear(vl->tmr, vector);
	if (bit_test(vl->irr, vector))
		return false;
	bit_set(vl->irr, vector);
	kick(vl);
	return true;
}

int vlapic_pending(const struct vlapic *vl)
{
	int v;

	if (!hw_enabled(vl))
		return -1;
	v = bit_highest(vl->irr);
	if (v < 0)
		return -1;
	/* 11.8.3: only a priority class above PPR[7:4] is dispatched. */
	if (((uint32_t)v & 0xf0) <= (ppr(vl) & 0xf0))
		return -1;
	return v;
}

void vlapic_ack(struct vlapic *vl, uint8_t vector)
{
	if (!bit_test(vl->irr, vector)) {
		vlog(vl, "vlapic: ack of a vector not in IRR");
		return;
	}
	bit_clear(vl->irr, vector);
	bit_set(vl->isr, vector);
}

/*
 * 11.8.5: EOI clears the highest ISR bit; a level-triggered vector (TMR)
 * is broadcast to the I/O APICs.  The broadcast comes last, as the vIOAPIC
 * may re-deliver into this very vLAPIC.
 */
static void eoi(struct vlapic *vl)
{
	int v = bit_highest(vl->isr);

	if (v < 0)
		return;
	bit_clear(vl->isr, (unsigned int)v);
	if (bit_test(vl->tmr, (unsigned int)v) && vl->cfg.eoi)
		vl->cfg.eoi(vl->cfg.eoi_ctx, (uint8_t)v);
}

uint8_t vlapic_get_tpr(const struct vlapic *vl)
{
	return (uint8_t)vl->tpr;
}

void vlapic_set_tpr(struct vlapic *vl, uint8_t tpr)
{
	vl->tpr = tpr;
}

/* --- events --- */

void vlapic_deliver(struct vlapic *vl, uint8_t vector, uint32_t mode,
		    bool level_trig)
{
	switch (mode) {
	case VPLAT_DM_FIXED:
	case VPLAT_DM_LOWEST:
		vlapic_accept(vl, vector, level_trig);
		break;
	case VPLAT_DM_NMI:
		vl->nmi_pending = true;
		kick(vl);
		break;
	case VPLAT_DM_INIT:
		vl->init_pending = true;
		kick(vl);
		break;
	case VPLAT_DM_STARTUP:
		/*
		 * SIPI is honoured only in wait-for-SIPI (SDM vol. 3A, 9.4.4);
		 * an INIT not yet taken by the core counts, because Linux
		 * sends INIT and SIPI back to back under a hypervisor.  The
		 * second SIPI of the MP protocol is thus ignored.
		 */
		if (vl->sipi_pending ||
		    !(vl->wait_sipi || (vl->init_pending && !vl->cfg.bsp)))
			break;
		vl->sipi_pending = true;
		vl->sipi_vector = vector;
		kick(vl);
		break;
	default:
		vlog(vl, "vlapic: SMI/ExtINT/reserved message dropped");
		break;
	}
}

bool vlapic_take_nmi(struct vlapic *vl)
{
	bool r = vl->nmi_pending;

	vl->nmi_pending = false;
	return r;
}

bool vlapic_take_init(struct vlapic *vl)
{
	if (!vl->init_pending)
		return false;
	vl->init_pending = false;
	/* 11.4.7.3: as RESET, but APIC id and IA32_APIC_BASE are kept. */
	reset_regs(vl);
	vl->nmi_pending = false;
	vl->wait_sipi = !vl->cfg.bsp;
	return true;
}

bool vlapic_take_sipi(struct vlapic *vl, uint8_t *vector)
{
	if (!vl->sipi_pending || vl->init_pending)
		return false;
	vl->sipi_pending = false;
	vl->wait_sipi = false;
	if (vector)
		*vector = vl->sipi_vector;
	return true;
}

bool vlapic_extint_ok(const struct vlapic *vl)
{
	uint32_t lvt = vl->lvt[VLAPIC_LVT_LINT0];

	if (!hw_enabled(vl))
		return true;
	return !(lvt & LVT_MASKED) && LVT_DM(lvt) == VPLAT_DM_EXTINT;
}

/*
 * The timer and error LVTs raise fixed interrupts (Figure 11-8: they have
 * no delivery-mode field); the other sources are not modelled.
 */
static void lvt_fire(struct vlapic *vl, unsigned int idx)
{
	uint32_t lvt = vl->lvt[idx];

	if (!(lvt & LVT_MASKED))
		vlapic_accept(vl, (uint8_t)lvt, false);
}

/* --- destinations and IPIs (SDM 11.6) --- */

bool vlapic_match_dest(const struct vlapic *vl, uint32_t dest, bool logical)
{
	uint32_t mda, lid;

	if (vl->skip_self || !hw_enabled(vl))
		return false;
	if (dest == BROADCAST)
		return true;
	if (x2apic_mode(vl)) {
		uint32_t ldr = x2apic_ldr(vl);

		/* 11.12.10.2: cluster in 31:16, bit map in 15:0. */
		if (!logical)
			return dest == vl->cfg.apic_id;
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	}
	if (dest > 0xff)
		return false;
	if (!logical)
		return dest == 0xff || dest == (vl->cfg.apic_id & 0xff);
	/* 11.6.2.2: the DFR model selects flat or cluster decoding. */
	mda = dest;
	lid = vl->ldr >> 24;
	switch (vl->dfr >> 28) {
	case 0xf:
		return mda & lid;
	case 0x0:
		if (mda == 0xff)
			return true;
		return (mda >> 4) == (lid >> 4) && (mda & lid & 0xf);
	default:
		return false;
	}
}

unsigned int vlapic_route(struct vlapic *const *vls, unsigned int n,
			  uint32_t dest, bool logical, uint8_t vector,
			  uint32_t mode, bool level_trig)
{
	unsigned int i, hits = 0;

	for (i = 0; i < n; i++) {
		if (!vls[i] || !vlapic_match_dest(vls[i], dest, logical))
			continue;
		/* Lowest priority: fixed, to the lowest-numbered target. */
		if (mode == VPLAT_DM_LOWEST) {
			vlapic_deliver(vls[i], vector, VPLAT_DM_FIXED,
				       level_trig);
			return 1;
		}
		vlapic_deliver(vls[i], vector, mode, level_trig);
		hits++;
	}
	return hits;
}

static void send_out(struct vlapic *vl, uint32_t dest, bool logical,
		     uint8_t vector, uint32_t dm, bool level_trig)
{
	if (vl->ops && vl->ops->deliver)
		vl->ops->deliver(vl->ops->ctx, dest, logical, vector, dm,
				 level_trig);
}

/*
 * Send the IPI the ICR describes (11.6.1).  Shorthand/mode combinations
 * follow the table of valid combinations for the Pentium 4 and Xeon xAPIC
 * ICR there: "self" and "all including self" take only fixed, and a
 * level trigger mode is overridden to edge, so IPIs never set TMR.
 */
static void send_ipi(struct vlapic *vl, uint32_t lo, uint32_t hi)
{
	uint8_t vector = (uint8_t)lo;
	uint32_t dm = LVT_DM(lo);
	bool logical = lo & ICR_LOGICAL;
	bool fixed = dm == VPLAT_DM_FIXED || dm == VPLAT_DM_LOWEST;
	uint32_t dest;

	if (dm == 3 || dm == VPLAT_DM_EXTINT) {
		vlog(vl, "vlapic: reserved ICR delivery mode");
		return;
	}
	/*
	 * INIT level de-assert (trigger level, level 0) is "not supported in
	 * the Pentium 4 and Xeon" (11.6.1): no message.  Linux still sends it.
	 */
	if (dm == VPLAT_DM_INIT && (lo & ICR_LEVEL) && !(lo & ICR_ASSERT))
		return;
	if (fixed && vector < 16) {
		record_error(vl, ESR_SEND_ILLEGAL);
		return;
	}
	if (x2apic_mode(vl))
		dest = hi;
	else
		dest = (hi >> 24) == 0xff ? BROADCAST : hi >> 24;

	switch (ICR_SHORTHAND(lo)) {
	case SH_SELF:
		if (dm != VPLAT_DM_FIXED)
			goto invalid;
		vlapic_accept(vl, vector, false);
		break;
	case SH_ALL:
		if (dm != VPLAT_DM_FIXED)
			goto invalid;
		send_out(vl, BROADCAST, false, vector, dm, false);
		break;
	case SH_OTHERS:
		/* vlapic_match_dest() declines while skip_self is set. */
		vl->skip_self = true;
		send_out(vl, BROADCAST, false, vector, dm, false);
		vl->skip_self = false;
		break;
	default:
		send_out(vl, dest, logical, vector, dm, false);
		break;
	}
	return;
invalid:
	vlog(vl, "vlapic: invalid ICR shorthand/delivery mode combination");
}

/* --- timer (SDM 11.5.4) --- */

/*
 * Guest TSC from domain time: tsc = now_ns * tsc_khz / 10^6, split so the
 * product cannot overflow 64 bits (now_ns alone may use them all).
 */
static uint64_t ns_to_tsc(uint32_t khz, uint64_t ns)
{
	return (ns / NS_PER_MS) * khz + (ns % NS_PER_MS) * khz / NS_PER_MS;
}

/* First ns at which the guest TSC has reached @tsc (rounded up). */
static uint64_t tsc_to_ns(uint32_t khz, uint64_t tsc)
{
	uint64_t q = tsc / khz, r = tsc % khz;

	if (q > (VPLAT_NO_DEADLINE - 2 * NS_PER_MS) / NS_PER_MS)
		return VPLAT_NO_DEADLINE - 1; /* centuries away */
	return q * NS_PER_MS + (r * NS_PER_MS + khz - 1) / khz;
}

uint64_t vlapic_guest_tsc(const struct vlapic *vl, uint64_t now_ns)
{
	return ns_to_tsc(vl->cfg.tsc_khz, now_ns);
}

/* Timer mode, LVT bits 18:17 (Figure 11-8); 3 is reserved: one-shot. */
static unsigned int timer_mode(const struct vlapic *vl)
{
	unsigned int m = (vl->lvt[VLAPIC_LVT_TIMER] >> 17) & 3;

	return m == 3 ? TIMER_ONESHOT : m;
}

/* Divide configuration, bits 0, 1 and 3 (Figure 11-10): 2..128, or 1. */
static unsigned int timer_div(const struct vlapic *vl)
{
	unsigned int v = (vl->tdcr & 3) | ((vl->tdcr >> 1) & 4);

	return v == 7 ? 1 : 2u << v;
}

/* ns from a count of @tmict to zero: one count is div ns at 1 GHz. */
static uint64_t timer_period(const struct vlapic *vl)
{
	uint64_t p = (uint64_t)vl->tmict * timer_div(vl);

	if (timer_mode(vl) == TIMER_PERIODIC && p < VLAPIC_MIN_PERIOD_NS)
		p = VLAPIC_MIN_PERIOD_NS;
	return p;
}

/* Current count register (11.5.4): counts down to zero at 1 GHz / div. */
static uint32_t timer_count(const struct vlapic *vl, uint64_t now)
{
	uint64_t rem, per, count, div = timer_div(vl);

	if (!vl->tmr_armed || timer_mode(vl) == TIMER_TSC)
		return 0;
	if (now < vl->tmr_next) {
		rem = vl->tmr_next - now;
	} else if (timer_mode(vl) == TIMER_PERIODIC) {
		per = timer_period(vl);
		rem = per - (now - vl->tmr_next) % per;
	} else {
		return 0;
	}
	count = (rem + div - 1) / div;
	return count > vl->tmict ? vl->tmict : (uint32_t)count;
}

uint64_t vlapic_next_deadline(const struct vlapic *vl)
{
	if (!hw_enabled(vl))
		return VPLAT_NO_DEADLINE;
	if (timer_mode(vl) == TIMER_TSC) {
		if (!vl->tsc_deadline)
			return VPLAT_NO_DEADLINE;
		return tsc_to_ns(vl->cfg.tsc_khz, vl->tsc_deadline);
	}
	if (!vl->tmr_armed)
		return VPLAT_NO_DEADLINE;
	/* A masked periodic timer needs no wake-ups: its phase is computed. */
	if (timer_mode(vl) == TIMER_PERIODIC &&
	    (vl->lvt[VLAPIC_LVT_TIMER] & LVT_MASKED))
		return VPLAT_NO_DEADLINE;
	return vl->tmr_next;
}

int vlapic_tick(struct vlapic *vl, uint64_t now)
{
	uint64_t per;

	if (!hw_enabled(vl))
		return 0;
	if (timer_mode(vl) == TIMER_TSC) {
		/* 11.5.4.1: on expiry the deadline MSR is reset to zero. */
		if (!vl->tsc_deadline ||
		    now < tsc_to_ns(vl->cfg.tsc_khz, vl->tsc_deadline))
			return 0;
		vl->tsc_deadline = 0;
	} else {
		if (!vl->tmr_armed || now < vl->tmr_next)
			return 0;
		if (timer_mode(vl) == TIMER_PERIODIC) {
			/* Reload from the previous zero, not from now. */
			per = timer_period(vl);
			vl->tmr_next += per * ((now - vl->tmr_next) / per + 1);
		} else {
			vl->tmr_armed = false;
		}
	}
	if (vl->lvt[VLAPIC_LVT_TIMER] & LVT_MASKED)
		return 0;
	lvt_fire(vl, VLAPIC_LVT_TIMER);
	return 1;
}

static void timer_start(struct vlapic *vl, uint64_t now)
{
	vl->tmr_armed = vl->tmict != 0;
	vl->tmr_next = now + timer_period(vl);
}

static void write_lvt_timer(struct vlapic *vl, uint32_t val, uint64_t now)
{
	bool was_tsc = timer_mode(vl) == TIMER_TSC;

	/* Deliver what is due under the old settings first. */
	vlapic_tick(vl, now);
	vl->lvt[VLAPIC_LVT_TIMER] = val;
	/*
	 * 11.5.4.1: switching to or from TSC-deadline mode disarms the
	 * timer.  One-shot <-> periodic keeps counting (as KVM does).
	 */
	if (was_tsc != (timer_mode(vl) == TIMER_TSC)) {
		vl->tmr_armed = false;
		vl->tmict = 0;
		vl->tsc_deadline = 0;
	}
}

static void write_tdcr(struct vlapic *vl, uint32_t val, uint64_t now)
{
	uint32_t count;

	vlapic_tick(vl, now);
	count = timer_count(vl, now);
	vl->tdcr = val & 0xb;
	/* The rest of the count runs at the new rate. */
	if (vl->tmr_armed)
		vl->tmr_next = now + (uint64_t)count * timer_div(vl);
}

/* --- register file --- */

/*
 * Read the register at @off (16-byte aligned).  False when the register
 * does not exist in the current mode (x2APIC: #GP, 11.12.1.2; xAPIC:
 * "illegal register address").  Write-only registers exist for writes only.
 */
static bool reg_read(struct vlapic *vl, unsigned int off, uint64_t now,
		     uint32_t *val)
{
	bool x2 = x2apic_mode(vl);

	switch (off) {
	case REG_ID:
		*val = x2 ? vl->cfg.apic_id : vl->cfg.apic_id << 24;
		return true;
	case REG_VER:
		*val = VLAPIC_VERSION;
		return true;
	case REG_TPR:
		*val = vl->tpr;
		return true;
	case REG_APR:
	case REG_RRD:
	case REG_EOI:
		/* Read as zero in xAPIC mode; absent or write-only in x2. */
		*val = 0;
		return !x2;
	case REG_PPR:
		*val = ppr(vl);
		return true;
	case REG_LDR:
		*val = x2 ? x2apic_ldr(vl) : vl->ldr;
		return true;
	case REG_DFR:
		*val = vl->dfr;
		return !x2;
	case REG_SVR:
		*val = vl->svr;
		return true;
	case REG_ESR:
		*val = vl->esr;
		return true;
	case REG_ICR_LO:
		*val = vl->icr_lo;
		return true;
	case REG_ICR_HI:
		*val = vl->icr_hi;
		return !x2;
	case REG_TMICT:
		*val = vl->tmict;
		return true;
	case REG_TMCCT:
		*val = timer_count(vl, now);
		return true;
	case REG_TDCR:
		*val = vl->tdcr;
		return true;
	}
	if (off >= REG_ISR && off < REG_ISR + 0x80) {
		*val = vl->isr[(off - REG_ISR) >> 4];
		return true;
	}
	if (off >= REG_TMR && off < REG_TMR + 0x80) {
		*val = vl->tmr[(off - REG_TMR) >> 4];
		return true;
	}
	if (off >= REG_IRR && off < REG_IRR + 0x80) {
		*val = vl->irr[(off - REG_IRR) >> 4];
		return true;
	}
	if (off >= REG_LVT && off < REG_LVT + 0x10 * VLAPIC_NR_LVT) {
		*val = vl->lvt[(off - REG_LVT) >> 4];
		return true;
	}
	*val = 0;
	return false;
}

static void write_svr(struct vlapic *vl, uint32_t val)
{
	unsigned int i;

	vl->svr = val & SVR_MASK;
	/* 11.4.7.2: software disable masks every LVT entry. */
	if (!sw_enabled(vl))
		for (i = 0; i < VLAPIC_NR_LVT; i++)
			vl->lvt[i] |= LVT_MASKED;
}

static void write_lvt(struct vlapic *vl, unsigned int idx, uint32_t val,
		      uint64_t now)
{
	uint32_t wmask = lvt_wmask[idx];

	if (idx == VLAPIC_LVT_TIMER && !vl->cfg.tsc_deadline)
		wmask &= ~(1u << 18);
	val &= wmask;
	/* 11.4.7.2: masks cannot be cleared while software-disabled. */
	if (!sw_enabled(vl))
		val |= LVT_MASKED;
	if (idx == VLAPIC_LVT_TIMER)
		write_lvt_timer(vl, val, now);
	else
		vl->lvt[idx] = val;
}

/*
 * Write the register at @off.  -VMI_EINVAL where x2APIC mode raises #GP
 * (read-only, absent, or non-zero EOI/ESR writes, 11.12.1.2); in xAPIC mode
 * the caller ignores it, as writes to read-only registers are ignored.
 */
static int reg_write(struct vlapic *vl, unsigned int off, uint32_t val,
		     uint64_t now)
{
	bool x2 = x2apic_mode(vl);

	switch (off) {
	case REG_TPR:
		vl->tpr = val & 0xff;
		return 0;
	case REG_EOI:
		if (x2 && val)
			return -VMI_EINVAL;
		eoi(vl);
		return 0;
	case REG_LDR:
		if (x2)
			return -VMI_EINVAL;
		vl->ldr = val & 0xff000000;
		return 0;
	case REG_DFR:
		if (x2)
			return -VMI_EINVAL;
		vl->dfr = val | 0x0fffffff;
		return 0;
	case REG_SVR:
		write_svr(vl, val);
		return 0;
	case REG_ESR:
		if (x2 && val)
			return -VMI_EINVAL;
		/* 11.5.3: a write latches the errors seen since the last. */
		vl->esr = vl->esr_pending;
		vl->esr_pending = 0;
		return 0;
	case REG_ICR_LO:
		vl->icr_lo = val & ICR_LO_MASK;
		send_ipi(vl, vl->icr_lo, vl->icr_hi);
		return 0;
	case REG_ICR_HI:
		if (x2)
			return -VMI_EINVAL;
		vl->icr_hi = val & 0xff000000;
		return 0;
	case REG_TMICT:
		/* 11.5.4.1: ignored in TSC-deadline mode. */
		if (timer_mode(vl) == TIMER_TSC)
			return 0;
		vl->tmict = val;
		timer_start(vl, now);
		return 0;
	case REG_TDCR:
		write_tdcr(vl, val, now);
		return 0;
	case REG_SELF_IPI:
		if (!x2)
			return -VMI_EINVAL;
		if ((uint8_t)val < 16)
			record_error(vl, ESR_SEND_ILLEGAL);
		else
			vlapic_accept(vl, (uint8_t)val, false);
		return 0;
	}
	if (off >= REG_LVT && off < REG_LVT + 0x10 * VLAPIC_NR_LVT) {
		write_lvt(vl, (off - REG_LVT) >> 4, val, now);
		return 0;
	}
	/*
	 * Read-only: ID (software should not write it, 11.4.6, and routing
	 * relies on it), version, PPR, ISR/TMR/IRR, current count.  Ignored
	 * in xAPIC mode; #GP in x2APIC mode.
	 */
	return -VMI_EINVAL;
}

/* Registers of the xAPIC page (Table 11-1); the rest is reserved. */
static bool xapic_reg_exists(unsigned int off)
{
	return off == REG_ID || off == REG_VER ||
	       (off >= REG_TPR && off <= REG_ESR) ||
	       (off >= REG_ICR_LO && off <= REG_TMCCT) || off == REG_TDCR;
}

uint64_t vlapic_mmio_base(const struct vlapic *vl)
{
	if (!hw_enabled(vl) || x2apic_mode(vl))
		return VLAPIC_NO_MMIO;
	return vl->apic_base & ~0xfffull & ((1ull << vl->cfg.phys_bits) - 1);
}

int vlapic_mmio(void *dev, uint64_t addr, unsigned int size, bool write,
		uint64_t *val, uint64_t now_ns)
{
	struct vlapic *vl = dev;
	unsigned int off = addr & 0xfff, reg = off & ~0xfu, byte = off & 0xf;
	uint64_t size_mask;
	uint32_t r = 0;

	if (!vl || !val)
		return 0;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		size = 4;
	size_mask = size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
	/* Not decoded: reads float high, writes go nowhere (11.4.3). */
	if (vlapic_mmio_base(vl) == VLAPIC_NO_MMIO) {
		if (!write)
			*val = size_mask;
		return 0;
	}
	if (!write) {
		*val = 0;
		if (byte >= 4)
			return 0; /* bytes 4-15 of a slot are reserved */
		if (!xapic_reg_exists(reg))
			record_error(vl, ESR_ILLEGAL_REG);
		else
			reg_read(vl, reg, now_ns, &r);
		*val = ((uint64_t)r >> (byte * 8)) & size_mask;
		return 0;
	}
	/* 11.4.1: registers take aligned 32-bit stores. */
	if (byte || size < 4) {
		vlog(vl, "vlapic: narrow or unaligned register write dropped");
		return 0;
	}
	if (!xapic_reg_exists(reg)) {
		record_error(vl, ESR_ILLEGAL_REG);
		return 0;
	}
	reg_write(vl, reg, (uint32_t)*val, now_ns);
	return 0;
}

/* --- MSRs --- */

bool vlapic_msr_owned(uint32_t msr)
{
	if (msr >= VLAPIC_MSR_X2APIC_FIRST && msr <= VLAPIC_MSR_X2APIC_LAST)
		return true;
	return msr == VLAPIC_MSR_APIC_BASE || msr == VLAPIC_MSR_TSC_DEADLINE;
}

/*
 * IA32_APIC_BASE writes (11.4.4, 11.12.5): the legal transitions are
 * disabled <-> xAPIC, xAPIC -> x2APIC, x2APIC -> disabled; EXTD without EN
 * is invalid, and so are x2APIC -> xAPIC and disabled -> x2APIC.  BSP is
 * read-only here.  Disabling resets the register state (11.4.3: the APIC
 * comes back in its power-up state).
 */
static int write_apic_base(struct vlapic *vl, uint64_t val)
{
	uint64_t ok = ((1ull << vl->cfg.phys_bits) - 1) & ~0xfffull;
	bool en = val & VLAPIC_BASE_EN, extd = val & VLAPIC_BASE_EXTD;
	bool was_en = hw_enabled(vl), was_x2 = x2apic_mode(vl);

	ok |= VLAPIC_BASE_BSP | VLAPIC_BASE_EN;
	if (vl->cfg.x2apic)
		ok |= VLAPIC_BASE_EXTD;
	if (val & ~ok)
		return -VMI_EINVAL;
	if (extd && !en)
		return -VMI_EINVAL;
	if (was_x2 && en && !extd)
		return -VMI_EINVAL;
	if (!was_en && extd)
		return -VMI_EINVAL;
	val = (val & ~VLAPIC_BASE_BSP) | (vl->apic_base & VLAPIC_BASE_BSP);
	vl->apic_base = val;
	if (!en)
		reset_regs(vl);
	return 0;
}

int vlapic_msr_read(struct vlapic *vl, uint32_t msr, uint64_t *val,
		    uint64_t now_ns)
{
	uint32_t r, off;

	*val = 0;
	if (msr == VLAPIC_MSR_APIC_BASE) {
		*val = vl->apic_base;
		return 0;
	}
	if (msr == VLAPIC_MSR_TSC_DEADLINE) {
		if (!vl->cfg.tsc_deadline)
			return -VMI_EINVAL;
		/* 11.5.4.1: reads zero outside TSC-deadline mode. */
		if (hw_enabled(vl) && timer_mode(vl) == TIMER_TSC)
			*val = vl->tsc_deadline;
		return 0;
	}
	if (msr < VLAPIC_MSR_X2APIC_FIRST || msr > VLAPIC_MSR_X2APIC_LAST ||
	    !x2apic_mode(vl))
		return -VMI_EINVAL;
	off = (msr - VLAPIC_MSR_X2APIC_FIRST) << 4;
	if (off == REG_ICR_LO) {
		*val = (uint64_t)vl->icr_hi << 32 | vl->icr_lo;
		return 0;
	}
	if (!reg_read(vl, off, now_ns, &r))
		return -VMI_EINVAL;
	*val = r;
	return 0;
}

int vlapic_msr_write(struct vlapic *vl, uint32_t msr, uint64_t val,
		     uint64_t now_ns)
{
	uint32_t off;

	if (msr == VLAPIC_MSR_APIC_BASE)
		return write_apic_base(vl, val);
	if (msr == VLAPIC_MSR_TSC_DEADLINE) {
		if (!vl->cfg.tsc_deadline)
			return -VMI_EINVAL;
		/* 11.5.4.1: writes are ignored outside TSC-deadline mode. */
		if (hw_enabled(vl) && timer_mode(vl) == TIMER_TSC)
			vl->tsc_deadline = val;
		return 0;
	}
	if (msr < VLAPIC_MSR_X2APIC_FIRST || msr > VLAPIC_MSR_X2APIC_LAST ||
	    !x2apic_mode(vl))
		return -VMI_EINVAL;
	off = (msr - VLAPIC_MSR_X2APIC_FIRST) << 4;
	if (off == REG_ICR_LO) {
		/* 11.12.9: one 64-bit write, destination in 63:32. */
		vl->icr_lo = (uint32_t)val & ICR_LO_MASK;
		vl->icr_hi = (uint32_t)(val >> 32);
		send_ipi(vl, vl->icr_lo, vl->icr_hi);
		return 0;
	}
	/* Bits 63:32 of every other x2APIC MSR are reserved. */
	if (val >> 32)
		return -VMI_EINVAL;
	if (off == REG_SELF_IPI && (val & ~0xffull))
		return -VMI_EINVAL;
	return reg_write(vl, off, (uint32_t)val, now_ns);
}
