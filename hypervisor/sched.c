/*
 * The scheduler: each physical CPU round-robins over the vCPUs pinned to
 * it.  A vCPU runs until it blocks (HLT, waiting for SIPI), its slice of
 * 10 ms ends or it is kicked.  With nothing runnable the CPU halts with
 * its LAPIC timer armed for the earliest device deadline of its blocked
 * vCPUs; a kick from another CPU is an IPI.
 *
 * A vCPU whose domain has ended is dropped from the run queue; the CPU
 * that drops a domain's last vCPU (d->vcpus_stopped counts them) reaps
 * the domain: reports how it ended and destroys it.
 */
#include <trivisor/domain.h>
#include <trivisor/percpu.h>
#include <trivisor/lapic.h>
#include <trivisor/traps.h>
#include <trivisor/time.h>
#include <trivisor/log.h>
#include <trivisor/panic.h>
#include <trivisor/platform.h>
#include <trivisor/cmdline.h>
#include <trivisor/sched.h>
#include <trivisor/mgmt.h>
#include <hvm/hvm.h>
#include <hvm/run.h>
#include <hvm/platform.h>
#include <hvm/vmi.h>

/* Enough for every vCPU of every domain on one CPU: domain creation
 * limits cannot make sched_add() overflow. */
#define RUNQ_MAX (MAX_DOMAINS * MAX_VCPUS)

struct runq {
	spinlock_t lock;
	struct vcpu *v[RUNQ_MAX];
	unsigned int n, next;
};

static struct runq runqs[MAX_CPUS];
static unsigned int domains_passed, domains_failed;
static volatile bool any_domain_started;

/*
 * The deadline each CPU's LAPIC timer is armed for (time_ns()), 0 once it
 * has fired: the timer runs on its own calibrated clock and may fire a
 * little before time_ns() reaches the deadline, and then it must be armed
 * again, or the CPU would run a guest with no timer at all.
 */
static uint64_t armed[MAX_CPUS];

static void kick_irq(struct cpu_regs *regs)
{
	(void)regs; /* the interrupt itself is the point: exit or wake */
}

static void timer_irq(struct cpu_regs *regs)
{
	(void)regs;
	armed[this_cpu_id()] = 0;
}

void sched_init(void)
{
	irq_set_handler(VEC_KICK, kick_irq);
	irq_set_handler(VEC_LAPIC_TIMER, timer_irq);
}

void sched_add(struct vcpu *v)
{
	struct runq *rq = &runqs[v->pcpu];
	uint64_t f = spin_lock_irqsave(&rq->lock);

	BUG_ON(rq->n >= RUNQ_MAX);
	rq->v[rq->n++] = v;
	spin_unlock_irqrestore(&rq->lock, f);
	any_domain_started = true;
	vcpu_kick(v);
}

void sched_remove(struct vcpu *v)
{
	struct runq *rq = &runqs[v->pcpu];
	uint64_t f = spin_lock_irqsave(&rq->lock);

	for (unsigned int i = 0; i < rq->n; i++) {
		if (rq->v[i] == v) {
			rq->v[i] = rq->v[--rq->n];
			break;
		}
	}
	spin_unlock_irqrestore(&rq->lock, f);
}

void vcpu_kick(struct vcpu *v)
{
	v->kicked = true;
	if (v->pcpu != this_cpu_id() && percpu[v->pcpu].online)
		lapic_send_ipi(percpu[v->pcpu].apic_id, APIC_DM_FIXED, VEC_KICK);
}

void sched_arm_timer(uint64_t deadline_ns)
{
	unsigned int cpu = this_cpu_id();
	uint64_t now = time_ns();

	if (deadline_ns == UINT64_MAX)
		return;
	/* The run loop asks before every entry; most exits change nothing,
	 * and reprogramming costs three MMIO writes in xAPIC mode. */
	if (deadline_ns == armed[cpu] && deadline_ns > now)
		return;
	armed[cpu] = deadline_ns;
	lapic_timer_oneshot(deadline_ns > now ? deadline_ns - now : 1000,
			    VEC_LAPIC_TIMER);
}

static void report(struct domain *d)
{
	static const char *const how[] = { "running", "powered off",
					    "rebooted", "exited", "crashed",
					    "destroyed" };
	bool pass = d->end_how == DOM_END_POWEROFF ||
		    (d->end_how == DOM_END_DEBUG_EXIT &&
		     d->exit_code == PLATFORM_EXIT_PASS);
	uint64_t total[HVM_EXIT_NR] = { 0 }, run_tsc = 0;

	console_domain_end(d); /* its last lines before the verdict */
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		for (unsigned int r = 0; r < HVM_EXIT_NR; r++)
			total[r] += d->vcpus[i]->exits[r];
		run_tsc += d->vcpus[i]->run_tsc;
	}
	if (d->end_how == DOM_END_DEBUG_EXIT)
		log_dom(LOG_INFO, d, "ended: exited with code %#x (%s)",
			d->exit_code, pass ? "pass" : "fail");
	else
		log_dom(LOG_INFO, d, "ended: %s%s%s", how[d->end_how],
			d->end_how == DOM_END_CRASH ? ": " : "",
			d->end_how == DOM_END_CRASH ? d->crash_reason : "");
	log_dom(LOG_INFO, d, "guest time %lu ms; exits: cpuid %lu, msr %lu, "
		"io %lu, hlt %lu, npf %lu, host-interrupt %lu, intr-window %lu",
		run_tsc / (tsc_khz() ? tsc_khz() : 1), total[HVM_EXIT_CPUID], total[HVM_EXIT_MSR],
		total[HVM_EXIT_IO], total[HVM_EXIT_HLT], total[HVM_EXIT_NPF],
		total[HVM_EXIT_EXTINT], total[HVM_EXIT_INTR_WINDOW]);
	vmi_report(d);
	console_report();
	if (pass)
		__atomic_fetch_add(&domains_passed, 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&domains_failed, 1, __ATOMIC_RELAXED);
}

/*
 * @v's domain has ended (DOM_ENDED or DOM_DEAD: never back to running):
 * take @v off its CPU for good.  The CPU that stops the domain's last
 * vCPU reaps it.  Which one that is, a locked count decides: each drop
 * adds one, exactly one of them reaches nr_vcpus, whatever the timing (a
 * look at the other vCPUs' states could have two CPUs both see the
 * other still running, and a trylock that failed against a management
 * call holding the lock left the domain and its memory behind).
 */
static void drop(struct vcpu *v)
{
	struct domain *d = v->dom;
	uint64_t f;

	sched_remove(v);
	if (d->dump_on_stop) {
		log_dom(LOG_ERR, d, "vCPU %u stopped (%s):", v->id,
			v->state == VCPU_BLOCKED ? "halted" :
			v->state == VCPU_WAIT_SIPI ? "waiting for SIPI" : "running");
		if (hvm_ops.dump)
			hvm_ops.dump(v);
		hvm_platform_dump(v);
	}
	v->state = VCPU_STOPPED;
	if (__atomic_add_fetch(&d->vcpus_stopped, 1, __ATOMIC_ACQ_REL) !=
	    d->nr_vcpus)
		return;
	/* Waits for whoever holds the lock (domain_end(), a pause): they
	 * kick the vCPUs under it, so none is still reading d->vcpus[]
	 * once the domain is DOM_DEAD. */
	f = spin_lock_irqsave(&d->lock);
	BUG_ON(d->state != DOM_ENDED);
	d->state = DOM_DEAD;
	spin_unlock_irqrestore(&d->lock, f);
	report(d);
	domain_destroy(d);
	if (hv_config.exit_when_done && domains_alive() == 0)
		platform_exit(domains_failed == 0 && domains_passed > 0);
}

/* When the watchdog (hv_config.watchdog_s) crashes @d; never if off. */
static uint64_t watchdog_at(const struct domain *d)
{
	if (!hv_config.watchdog_s)
		return UINT64_MAX;
	return d->started_ns + hv_config.watchdog_s * 1000000000ull;
}

static bool watchdog_expired(const struct domain *d)
{
	return hv_config.watchdog_s && time_ns() >= watchdog_at(d);
}

static struct vcpu *pick(struct runq *rq, uint64_t *deadline)
{
	uint64_t f = spin_lock_irqsave(&rq->lock);
	struct vcpu *found = NULL;

	*deadline = UINT64_MAX;
	for (unsigned int k = 0; k < rq->n && !found; k++) {
		unsigned int i = (rq->next + k) % rq->n;
		struct vcpu *v = rq->v[i];

		if (v->dom->state != DOM_RUNNING && v->dom->state != DOM_PAUSED) {
			found = v; /* to be dropped */
		} else if (watchdog_expired(v->dom)) {
			found = v; /* to be crashed, then dropped */
		} else if (v->dom->state == DOM_PAUSED) {
			continue;
		} else if (v->state == VCPU_BLOCKED ||
			   v->state == VCPU_WAIT_SIPI) {
			uint64_t dl;

			/* Looked at now: a kick from here on means look
			 * again before halting (sched_loop). */
			v->kicked = false;
			dl = hvm_platform_tick(v, time_ns());

			/* For an AP waiting to start, "wake" means a SIPI. */
			if (hvm_platform_wake(v)) {
				if (v->state == VCPU_BLOCKED)
					v->state = VCPU_RUNNABLE;
				found = v;
			} else {
				if (watchdog_at(v->dom) < dl)
					dl = watchdog_at(v->dom);
				if (dl < *deadline)
					*deadline = dl;
			}
		} else {
			found = v;
		}
		if (found)
			rq->next = i + 1;
	}
	spin_unlock_irqrestore(&rq->lock, f);
	return found;
}

static bool kicked_since_pick(struct runq *rq)
{
	uint64_t f = spin_lock_irqsave(&rq->lock);
	bool kicked = false;

	for (unsigned int i = 0; i < rq->n && !kicked; i++)
		kicked = rq->v[i]->kicked;
	spin_unlock_irqrestore(&rq->lock, f);
	return kicked;
}

void sched_loop(void)
{
	struct runq *rq = &runqs[this_cpu_id()];

	for (;;) {
		uint64_t deadline;
		struct vcpu *v = pick(rq, &deadline);
		uint64_t now = time_ns(), con;
		int st;

		/* Guest output into the log, the log to the UART: briefly
		 * with a vCPU waiting, else until there is one. */
		con = console_service(v ? now + 500000
				      : deadline < now + 2000000 ? deadline
								 : now + 2000000);
		if (con < deadline)
			deadline = con;

		/* The boot CPU serves the management channel between vCPU
		 * runs (at least every slice) and while it is idle. */
		if (this_cpu_id() == 0) {
			mgmt_poll();
			domain_console_input_poll();
			if (mgmt_poll_deadline() < deadline)
				deadline = mgmt_poll_deadline();
			/* Console input for an attached domain, likewise. */
			if (hv_config.attach[0] &&
			    time_ns() + 1000000 < deadline)
				deadline = time_ns() + 1000000;
		}
		/* @v is on this run queue, so its domain cannot go away here. */
		if (v && (v->dom->state == DOM_RUNNING ||
			  v->dom->state == DOM_PAUSED) &&
		    watchdog_expired(v->dom)) {
			v->dom->dump_on_stop = true;
			domain_crash(v->dom, "watchdog: still running after %u s",
				     hv_config.watchdog_s);
		}
		/* One look at the state: a pause between two looks would
		 * have a running domain's vCPU dropped for good.  Paused after
		 * pick() chose it: leave it on the queue. */
		st = v ? __atomic_load_n(&v->dom->state, __ATOMIC_ACQUIRE)
		       : DOM_RUNNING;
		if (v && st == DOM_PAUSED)
			continue;
		if (v && st != DOM_RUNNING) {
			drop(v);
			continue;
		}
		if (v) {
			hvm_vcpu_run(v);
			continue;
		}
		/* Nothing to run: sleep until a deadline or a kick.  A kick
		 * that came after pick() looked at its vCPU, and whose IPI
		 * was taken before the interrupts went off here, would
		 * otherwise be lost until the deadline. */
		irq_disable();
		if (kicked_since_pick(rq)) {
			irq_enable();
			continue;
		}
		sched_arm_timer(deadline);
		asm volatile("sti; hlt" ::: "memory");
	}
}
