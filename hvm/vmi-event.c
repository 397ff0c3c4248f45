/*
 * The VMI ABI's event channels (docs/vmi-abi.md section 7).
 *
 * The bindings live here, in the port table of struct vmi_domain; the
 * pending and mask bitmaps live in the guest's shared page and the
 * per-vCPU flags in its vCPU area, both changed by the guest at the same
 * time, so delivery (hvm/vmi-lib.c) only uses atomic operations on them.
 * A raised event that needs the vCPU's attention kicks it: the run loop
 * injects the upcall vector (vmi_upcall_pending()) and the scheduler
 * wakes a blocked vCPU (the same test in hvm_platform_wake()).
 */
#include <hvm/vmi.h>
#include <hvm/vmi-lib.h>
#include <trivisor/domain.h>
#include <trivisor/log.h>
#include "vmi-private.h"
#include <string.h>

/* Deliver @port to its vCPU; evt_lock held. */
static void raise_locked(struct domain *d, unsigned int port)
{
	struct vmi_port *p = &d->vmi.ports[port];
	struct vcpu *t;

	if (!d->vmi.shared || p->state == VMI_EVTCHN_FREE)
		return;
	t = d->vcpus[p->vcpu];
	if (vmi_evtchn_raise(d->vmi.shared, t->vmi.area, port))
		vcpu_kick(t);
}

void vmi_raise_virq(struct vcpu *v, unsigned int virq)
{
	struct domain *d = v->dom;
	uint64_t f = spin_lock_irqsave(&d->vmi.evt_lock);

	if (v->vmi.virq_port[virq])
		raise_locked(d, v->vmi.virq_port[virq]);
	spin_unlock_irqrestore(&d->vmi.evt_lock, f);
}

/* The vCPU whose VIRQ_CONSOLE has a port, or NULL; evt_lock held. */
static struct vcpu *console_vcpu(struct domain *d)
{
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i] && d->vcpus[i]->vmi.virq_port[VMI_VIRQ_CONSOLE])
			return d->vcpus[i];
	return NULL;
}

bool vmi_console_takes_input(struct domain *d)
{
	uint64_t f;
	bool bound;

	if (!d->vmi.enabled)
		return false;
	f = spin_lock_irqsave(&d->vmi.evt_lock);
	bound = console_vcpu(d) != NULL;
	spin_unlock_irqrestore(&d->vmi.evt_lock, f);
	return bound;
}

size_t vmi_console_room(struct domain *d)
{
	uint64_t f = spin_lock_irqsave(&d->vmi.evt_lock);
	size_t room = sizeof(d->vmi.con_in) -
		      (d->vmi.con_tail - d->vmi.con_head);

	spin_unlock_irqrestore(&d->vmi.evt_lock, f);
	return room;
}

size_t vmi_console_input(struct domain *d, const uint8_t *buf, size_t n)
{
	uint64_t f = spin_lock_irqsave(&d->vmi.evt_lock);
	struct vmi_domain *m = &d->vmi;
	struct vcpu *v = console_vcpu(d);
	size_t i;

	for (i = 0; i < n && m->con_tail - m->con_head < sizeof(m->con_in);
	     i++)
		m->con_in[m->con_tail++ % sizeof(m->con_in)] = buf[i];
	if (i && v)
		raise_locked(d, v->vmi.virq_port[VMI_VIRQ_CONSOLE]);
	spin_unlock_irqrestore(&d->vmi.evt_lock, f);
	return i;
}

size_t vmi_console_take(struct domain *d, uint8_t *buf, size_t n)
{
	uint64_t f = spin_lock_irqsave(&d->vmi.evt_lock);
	struct vmi_domain *m = &d->vmi;
	size_t i;

	for (i = 0; i < n && m->con_head != m->con_tail; i++)
		buf[i] = m->con_in[m->con_head++ % sizeof(m->con_in)];
	spin_unlock_irqrestore(&d->vmi.evt_lock, f);
	return i;
}

bool vmi_gsi_set(struct domain *d, unsigned int gsi, bool level)
{
	uint32_t bit = 1u << gsi;
	bool bound, rising;
	uint64_t f;

	if (!d->vmi.enabled || gsi >= VMI_NR_GSIS)
		return false;
	f = spin_lock_irqsave(&d->vmi.evt_lock);
	bound = d->vmi.gsi_port[gsi] != 0;
	rising = level && !(d->vmi.gsi_level & bit);
	d->vmi.gsi_level = level ? d->vmi.gsi_level | bit
				 : d->vmi.gsi_level & ~bit;
	/* Edge-triggered: a rising level is one event. */
	if (bound && rising)
		raise_locked(d, d->vmi.gsi_port[gsi]);
	spin_unlock_irqrestore(&d->vmi.evt_lock, f);
	return bound;
}

/* The lowest free port, or 0; evt_lock held. */
static unsigned int port_alloc(struct domain *d)
{
	for (unsigned int p = 1; p < VMI_NR_EVENTS; p++)
		if (d->vmi.ports[p].state == VMI_EVTCHN_FREE)
			return p;
	return 0;
}

static long bind(struct vcpu *v, uint32_t call, uint64_t state,
		 uint64_t source, uint64_t vcpu)
{
	struct domain *d = v->dom;
	unsigned int port;
	uint64_t f;
	long ret;

	if (vcpu >= d->nr_vcpus)
		return vmi_refuse(v, call, -VMI_ESRCH, "no such vCPU");
	if (state == VMI_EVTCHN_VIRQ && source >= VMI_NR_VIRQS)
		return vmi_refuse(v, call, -VMI_EINVAL, "no such VIRQ");
	if (state == VMI_EVTCHN_IRQ && source >= VMI_NR_GSIS)
		return vmi_refuse(v, call, -VMI_EINVAL, "no such GSI");
	f = spin_lock_irqsave(&d->vmi.evt_lock);
	if (!d->vmi.shared) {
		ret = -VMI_EFAULT;
		goto out;
	}
	if (state == VMI_EVTCHN_VIRQ &&
	    d->vcpus[vcpu]->vmi.virq_port[source]) {
		ret = -VMI_EEXIST;
		goto out;
	}
	if (state == VMI_EVTCHN_IRQ && d->vmi.gsi_port[source]) {
		ret = -VMI_EBUSY;
		goto out;
	}
	port = port_alloc(d);
	if (!port) {
		ret = -VMI_ENOSPC;
		goto out;
	}
	d->vmi.ports[port] = (struct vmi_port){ (uint8_t)state, (uint8_t)vcpu,
						(uint8_t)source };
	if (state == VMI_EVTCHN_VIRQ)
		d->vcpus[vcpu]->vmi.virq_port[source] = (uint16_t)port;
	else if (state == VMI_EVTCHN_IRQ)
		d->vmi.gsi_port[source] = (uint16_t)port;
	ret = port;
out:
	spin_unlock_irqrestore(&d->vmi.evt_lock, f);
	if (ret < 0)
		return vmi_refuse(v, call, ret,
				  ret == -VMI_EFAULT ? "no shared page"
				  : ret == -VMI_ENOSPC ? "no free port"
						       : "source bound already");
	return ret;
}

static bool port_valid(uint64_t port)
{
	return port && port < VMI_NR_EVENTS;
}

static long send(struct vcpu *v, uint64_t port)
{
	struct domain *d = v->dom;
	uint64_t f;
	bool ipi;

	if (!port_valid(port))
		return vmi_refuse(v, VMI_CALL_EVTCHN_SEND, -VMI_EINVAL,
				  "no such port");
	f = spin_lock_irqsave(&d->vmi.evt_lock);
	ipi = d->vmi.ports[port].state == VMI_EVTCHN_IPI;
	if (ipi)
		raise_locked(d, (unsigned int)port);
	spin_unlock_irqrestore(&d->vmi.evt_lock, f);
	if (!ipi)
		return vmi_refuse(v, VMI_CALL_EVTCHN_SEND, -VMI_EBADF,
				  "not an IPI port");
	return 0;
}

static long close(struct vcpu *v, uint64_t port)
{
	struct domain *d = v->dom;
	struct vmi_port *p;
	uint64_t f;

	if (!port_valid(port))
		return vmi_refuse(v, VMI_CALL_EVTCHN_CLOSE, -VMI_EINVAL,
				  "no such port");
	f = spin_lock_irqsave(&d->vmi.evt_lock);
	p = &d->vmi.ports[port];
	if (p->state == VMI_EVTCHN_FREE) {
		spin_unlock_irqrestore(&d->vmi.evt_lock, f);
		return vmi_refuse(v, VMI_CALL_EVTCHN_CLOSE, -VMI_EBADF,
				  "port not bound");
	}
	if (p->state == VMI_EVTCHN_VIRQ)
		d->vcpus[p->vcpu]->vmi.virq_port[p->source] = 0;
	else if (p->state == VMI_EVTCHN_IRQ)
		d->vmi.gsi_port[p->source] = 0;
	memset(p, 0, sizeof(*p));
	if (d->vmi.shared)
		__atomic_fetch_and(&d->vmi.shared->evtchn_pending[port / 64],
				   ~(1ull << (port % 64)), __ATOMIC_SEQ_CST);
	spin_unlock_irqrestore(&d->vmi.evt_lock, f);
	return 0;
}

static long unmask(struct vcpu *v, uint64_t port)
{
	struct domain *d = v->dom;
	struct vmi_port *p;
	struct vcpu *t;
	uint64_t f;
	long ret = 0;

	if (!port_valid(port))
		return vmi_refuse(v, VMI_CALL_EVTCHN_UNMASK, -VMI_EINVAL,
				  "no such port");
	f = spin_lock_irqsave(&d->vmi.evt_lock);
	p = &d->vmi.ports[port];
	if (!d->vmi.shared) {
		ret = -VMI_EFAULT;
	} else if (p->state == VMI_EVTCHN_FREE) {
		/* Unbound: only the bit changes. */
		__atomic_fetch_and(&d->vmi.shared->evtchn_mask[port / 64],
				   ~(1ull << (port % 64)), __ATOMIC_SEQ_CST);
	} else {
		t = d->vcpus[p->vcpu];
		if (vmi_evtchn_unmask(d->vmi.shared, t->vmi.area,
				      (unsigned int)port))
			vcpu_kick(t);
	}
	spin_unlock_irqrestore(&d->vmi.evt_lock, f);
	if (ret)
		return vmi_refuse(v, VMI_CALL_EVTCHN_UNMASK, ret,
				  "no shared page");
	return 0;
}

static long status(struct vcpu *v, uint64_t port, uint64_t gpa)
{
	struct domain *d = v->dom;
	struct vmi_evtchn_status st;
	uint64_t f;

	if (!port_valid(port))
		return vmi_refuse(v, VMI_CALL_EVTCHN_STATUS, -VMI_EINVAL,
				  "no such port");
	if (gpa & 7)
		return vmi_refuse(v, VMI_CALL_EVTCHN_STATUS, -VMI_EINVAL,
				  "status not 8-byte aligned");
	if (!domain_is_ram(d, gpa, sizeof(st)))
		return vmi_refuse(v, VMI_CALL_EVTCHN_STATUS, -VMI_EFAULT,
				  "status outside the domain's RAM");
	f = spin_lock_irqsave(&d->vmi.evt_lock);
	st.state = d->vmi.ports[port].state;
	st.vcpu = d->vmi.ports[port].vcpu;
	st.source = st.state == VMI_EVTCHN_IPI ? 0 : d->vmi.ports[port].source;
	st.reserved = 0;
	spin_unlock_irqrestore(&d->vmi.evt_lock, f);
	return domain_write(d, gpa, &st, sizeof(st)) ? -VMI_EFAULT : 0;
}

void vmi_events_reset(struct domain *d, struct vmi_shared_info *shared)
{
	uint64_t f = spin_lock_irqsave(&d->vmi.evt_lock);

	d->vmi.shared = shared;
	if (!shared) {
		/* Without bitmaps there is nothing to deliver to: every
		 * binding goes. */
		memset(d->vmi.ports, 0, sizeof(d->vmi.ports));
		memset(d->vmi.gsi_port, 0, sizeof(d->vmi.gsi_port));
		for (unsigned int i = 0; i < d->nr_vcpus; i++)
			memset(d->vcpus[i]->vmi.virq_port, 0,
			       sizeof(d->vcpus[i]->vmi.virq_port));
	}
	spin_unlock_irqrestore(&d->vmi.evt_lock, f);
}

static long event_call(struct vcpu *v, uint32_t call, const uint64_t a[5])
{
	switch (call) {
	case VMI_CALL_EVTCHN_BIND_VIRQ:
		return bind(v, call, VMI_EVTCHN_VIRQ, a[0], a[1]);
	case VMI_CALL_EVTCHN_BIND_IPI:
		return bind(v, call, VMI_EVTCHN_IPI, 0, a[0]);
	case VMI_CALL_EVTCHN_BIND_IRQ:
		return bind(v, call, VMI_EVTCHN_IRQ, a[0], a[1]);
	case VMI_CALL_EVTCHN_SEND:
		return send(v, a[0]);
	case VMI_CALL_EVTCHN_CLOSE:
		return close(v, a[0]);
	case VMI_CALL_EVTCHN_UNMASK:
		return unmask(v, a[0]);
	case VMI_CALL_EVTCHN_STATUS:
		return status(v, a[0], a[1]);
	default:
		return vmi_refuse(v, call, -VMI_ENOSYS, "not implemented");
	}
}

const struct vmi_section vmi_event_section = {
	VMI_SECTION_VERSION(1, 0), VMI_F_EVENTS, event_call
};
