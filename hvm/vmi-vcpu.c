/*
 * The VMI ABI's vcpu and time sections (docs/vmi-abi.md sections 5 and
 * 6): starting and stopping vCPUs, blocking, the vCPU area with its
 * pvclock and stolen time, and the per-vCPU one-shot timer.
 *
 * System time is time_ns() - started_ns of the domain.  The guest's TSC
 * is the host's minus time_tsc_origin() (the TSC offset both backends
 * program), so the pvclock can give the very scale time_ns() uses: both
 * clocks agree to the nanosecond and never drift apart.
 *
 * A vCPU's own CPU does everything to it, except VCPU_UP and VCPU_DOWN
 * of another vCPU: those leave a request and a kick, and the target
 * takes them before its next entry (vmi_vcpu_take_requests()).
 */
#include <hvm/vmi.h>
#include <hvm/vmi-lib.h>
#include <hvm/hvm.h>
#include <hvm/loader.h>
#include <hvm/platform.h>
#include <trivisor/domain.h>
#include <trivisor/cpu.h>
#include <trivisor/log.h>
#include <trivisor/time.h>
#include "vmi-private.h"
#include <string.h>

/* The pvclock is refreshed at least this often while a vCPU runs. */
#define CLOCK_REFRESH_NS 1000000000ull

static uint64_t system_ns(const struct domain *d, uint64_t now)
{
	return now - d->started_ns;
}

/* Rewrite @v's pvclock and stolen time from one TSC reading. */
static void clock_update(struct vcpu *v)
{
	struct vmi_vcpu_info *vi = v->vmi.area;
	uint64_t tsc = rdtsc(), now = time_tsc_ns(tsc);
	uint8_t flags = time_tsc_invariant() ? VMI_PVCLOCK_TSC_STABLE : 0;
	uint32_t mul;
	int8_t shift;

	if (!vi)
		return;
	vmi_time_scale(time_tsc_mult(), &shift, &mul);
	vmi_pvclock_write(&vi->time, tsc - time_tsc_origin(),
			  system_ns(v->dom, now), shift, mul, flags);
	__atomic_store_n(&vi->stolen_ns, v->vmi.stolen_ns, __ATOMIC_RELAXED);
	v->vmi.clock_ns = now;
}

void vmi_vcpu_scheduled(struct vcpu *v, uint64_t now)
{
	if (!v->dom->vmi.enabled)
		return;
	if (v->vmi.off_runnable && now > v->vmi.off_ns)
		v->vmi.stolen_ns += now - v->vmi.off_ns;
	v->vmi.off_runnable = false;
	clock_update(v);
}

void vmi_vcpu_descheduled(struct vcpu *v, uint64_t now)
{
	v->vmi.off_ns = now;
	v->vmi.off_runnable = v->state == VCPU_RUNNABLE;
}

uint64_t vmi_vcpu_tick(struct vcpu *v, uint64_t now)
{
	struct domain *d = v->dom;
	uint64_t dl = v->vmi.timer_deadline;

	if (!d->vmi.enabled)
		return UINT64_MAX;
	if (v->vmi.area && now - v->vmi.clock_ns >= CLOCK_REFRESH_NS &&
	    v->state == VCPU_RUNNABLE)
		clock_update(v);
	if (!dl)
		return UINT64_MAX;
	if (system_ns(d, now) >= dl) {
		v->vmi.timer_deadline = 0;
		vmi_raise_virq(v, VMI_VIRQ_TIMER);
		return UINT64_MAX;
	}
	/* Saturated: a deadline near 2^64 would wrap into the past and
	 * re-arm the CPU's timer every microsecond. */
	return vmi_timer_host_deadline(dl, d->started_ns);
}

int vmi_upcall_pending(struct vcpu *v)
{
	if (!v->vmi.upcall_vector || !vmi_upcall_ready(v->vmi.area))
		return -1;
	return v->vmi.upcall_vector;
}

bool vmi_vcpu_request_waiting(struct vcpu *v)
{
	return v->vmi.start_pending || v->vmi.down_pending;
}

/* "vCPU up" lines, per domain slot: VCPU_DOWN and VCPU_UP may come in
 * any number. */
static struct ratelimit up_rl[MAX_DOMAINS] = {
	[0 ... MAX_DOMAINS - 1] = RATELIMIT_INIT(1000, 8),
};

bool vmi_vcpu_take_requests(struct vcpu *v)
{
	struct guest_boot_state bs;

	if (v->vmi.down_pending) {
		v->vmi.down_pending = false;
		v->vmi.timer_deadline = 0;
		v->state = VCPU_WAIT_SIPI;
		return true;
	}
	if (!v->vmi.start_pending || v->state != VCPU_WAIT_SIPI)
		return false;
	vmi_vcpu_start_state(&v->vmi.start, &bs);
	hvm_ops.vcpu_set_state(v, &bs);
	v->fpu_valid = false; /* starts from the reset FPU state */
	if (v->vmi.area)
		__atomic_store_n(&v->vmi.area->upcall_mask, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&v->vmi.start_pending, false, __ATOMIC_RELEASE);
	v->state = VCPU_RUNNABLE;
	if (log_level() >= LOG_DEBUG && ratelimit_ok(&up_rl[v->dom->id]))
		log_dom(LOG_DEBUG, v->dom, "vCPU %u up at rip %#lx (VMI)", v->id,
			bs.rip);
	return true;
}

static long vcpu_up(struct vcpu *v, uint64_t id, uint64_t gpa)
{
	struct domain *d = v->dom;
	struct vmi_vcpu_start st;
	struct vcpu *t;
	const char *why;
	uint64_t f;

	if (id >= d->nr_vcpus)
		return vmi_refuse(v, VMI_CALL_VCPU_UP, -VMI_ESRCH,
				  "no such vCPU");
	t = d->vcpus[id];
	if ((gpa & 7) || !domain_is_ram(d, gpa, sizeof(st)))
		return vmi_refuse(v, VMI_CALL_VCPU_UP, (gpa & 7) ? -VMI_EINVAL
								 : -VMI_EFAULT,
				  "start state not aligned guest RAM");
	if (domain_read(d, gpa, &st, sizeof(st)))
		return -VMI_EFAULT;
	if (vmi_vcpu_start_check(&st, d->mem_bytes, &why))
		return vmi_refuse(v, VMI_CALL_VCPU_UP, -VMI_EINVAL, why);
	if (!domain_is_ram(d, st.cr3, 4096))
		return vmi_refuse(v, VMI_CALL_VCPU_UP, -VMI_EINVAL,
				  "cr3 not in the domain's RAM");
	/* One request at a time: the lock makes "is it down" and "claim
	 * it" one step against a racing VCPU_UP from another vCPU. */
	f = spin_lock_irqsave(&d->vmi.evt_lock);

	if (t->state != VCPU_WAIT_SIPI || t->vmi.start_pending) {
		spin_unlock_irqrestore(&d->vmi.evt_lock, f);
		return vmi_refuse(v, VMI_CALL_VCPU_UP, -VMI_EBUSY,
				  "the vCPU is up");
	}
	t->vmi.start = st;
	__atomic_store_n(&t->vmi.start_pending, true, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&d->vmi.evt_lock, f);
	vcpu_kick(t);
	return 0;
}

static long vcpu_down(struct vcpu *v, uint64_t id)
{
	struct domain *d = v->dom;
	struct vcpu *t;

	if (id >= d->nr_vcpus)
		return vmi_refuse(v, VMI_CALL_VCPU_DOWN, -VMI_ESRCH,
				  "no such vCPU");
	t = d->vcpus[id];
	if (t == v) {
		v->vmi.timer_deadline = 0;
		v->state = VCPU_WAIT_SIPI; /* the run loop returns */
		return 0;
	}
	t->vmi.down_pending = true;
	vcpu_kick(t);
	return 0;
}

/*
 * VCPU_BLOCK: upcalls and interrupts are enabled (upcall_mask cleared,
 * RFLAGS.IF set, as "sti; hlt" does) and the vCPU sleeps unless an event
 * is already waiting.  The scheduler's wake test reads upcall_pending
 * after the state changed, so an event raised on another CPU in between
 * is seen there.
 */
static long vcpu_block(struct vcpu *v)
{
	if (v->vmi.area)
		__atomic_store_n(&v->vmi.area->upcall_mask, 0, __ATOMIC_SEQ_CST);
	v->regs.rflags |= RFLAGS_IF;
	if (!hvm_platform_wake(v))
		v->state = VCPU_BLOCKED;
	return 0;
}

/*
 * Publish @v's new area (NULL and 0: none).  EVTCHN_SEND and UNMASK on
 * other CPUs write into the area they find under evt_lock, and
 * BALLOON_OUT only takes a page no area names under map_lock: with both
 * held here, a sender either finished with the old area before it was
 * replaced, or sees the new one, and the old page can be given back only
 * once no sender can still be writing into it.  The caller holds
 * map_lock (outside evt_lock, as everywhere).
 */
static void area_publish(struct vcpu *v, uint64_t gpa,
			 struct vmi_vcpu_info *vi)
{
	uint64_t f = spin_lock_irqsave(&v->dom->vmi.evt_lock);

	v->vmi.area_gpa = gpa;
	v->vmi.area = vi;
	spin_unlock_irqrestore(&v->dom->vmi.evt_lock, f);
}

static long vcpu_area(struct vcpu *v, uint64_t gpa)
{
	struct vmi_vcpu_info *vi = NULL;
	uint64_t f;

	if (gpa & 63)
		return vmi_refuse(v, VMI_CALL_VCPU_AREA, -VMI_EINVAL,
				  "vCPU area not 64-byte aligned");
	f = spin_lock_irqsave(&v->dom->vmi.map_lock); /* vs. ballooning */
	if (gpa)
		vi = domain_map(v->dom, gpa, sizeof(*vi));
	if (vi || !gpa)
		area_publish(v, gpa, vi);
	spin_unlock_irqrestore(&v->dom->vmi.map_lock, f);
	if (!gpa)
		return 0;
	if (!vi)
		return vmi_refuse(v, VMI_CALL_VCPU_AREA, -VMI_EFAULT,
				  "vCPU area outside the domain's RAM");
	__atomic_store_n(&vi->reserved, 0, __ATOMIC_RELAXED);
	clock_update(v);
	return 0;
}

static long vcpu_call(struct vcpu *v, uint32_t call, const uint64_t a[5])
{
	switch (call) {
	case VMI_CALL_VCPU_UP:
		return vcpu_up(v, a[0], a[1]);
	case VMI_CALL_VCPU_DOWN:
		return vcpu_down(v, a[0]);
	case VMI_CALL_VCPU_BLOCK:
		return vcpu_block(v);
	case VMI_CALL_VCPU_YIELD:
		v->vmi.yield = true;
		return 0;
	case VMI_CALL_VCPU_AREA:
		return vcpu_area(v, a[0]);
	case VMI_CALL_VCPU_UPCALL:
		if (a[0] && (a[0] < 32 || a[0] > 255))
			return vmi_refuse(v, call, -VMI_EINVAL,
					  "upcall vector not 32-255");
		v->vmi.upcall_vector = (uint8_t)a[0];
		return 0;
	case VMI_CALL_VCPU_ID:
		return v->id;
	default:
		return vmi_refuse(v, call, -VMI_ENOSYS, "not implemented");
	}
}

static long time_call(struct vcpu *v, uint32_t call, const uint64_t a[5])
{
	switch (call) {
	case VMI_CALL_TIMER_SET:
		/* A past deadline fires at the next tick, before entry. */
		v->vmi.timer_deadline = a[0];
		return 0;
	case VMI_CALL_TIME_NOW:
		return (long)system_ns(v->dom, time_ns());
	default:
		return vmi_refuse(v, call, -VMI_ENOSYS, "not implemented");
	}
}

const struct vmi_section vmi_vcpu_section = {
	VMI_SECTION_VERSION(1, 0), 0, vcpu_call
};
const struct vmi_section vmi_time_section = {
	VMI_SECTION_VERSION(1, 0), VMI_F_TIMER | VMI_F_STOLEN, time_call
};
