/*
 * The vendor-neutral half of running an hv vCPU: inject what is due,
 * enter the guest through the backend, act on the exit.  One call of
 * hvm_vcpu_run() runs until the vCPU blocks, its domain stops, it is
 * kicked or its time slice ends, so the scheduler can look elsewhere.
 */
#include <hvm/hvm.h>
#include <hvm/platform.h>
#include <hvm/cpuid-policy.h>
#include <hvm/crcheck.h>
#include <hvm/run.h>
#include <hvm/loader.h>
#include <hvm/vmi.h>
#include <trivisor/domain.h>
#include <trivisor/cpu.h>
#include <trivisor/log.h>
#include <trivisor/time.h>
#include <trivisor/sched.h>
#include <vmi/errno.h>
#include <vmi/core.h>
#include <string.h>

#define SLICE_NS 10000000ul /* 10 ms */

static void host_cpuid(void *ctx, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	struct cpuid_regs r;

	(void)ctx;
	cpuid_count(leaf, sub, &r);
	out[0] = r.eax;
	out[1] = r.ebx;
	out[2] = r.ecx;
	out[3] = r.edx;
}

/* What CPUID @leaf/@sub returns to the vCPU (hvm/cpuid-policy.c). */
static void guest_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub,
			uint32_t out[4])
{
	static const struct hvm_cpu_io io = { NULL, host_cpuid, NULL };
	struct cpuid_guest g = {
		.vcpu_id = v->id,
		.nr_vcpus = v->dom->nr_vcpus,
		.x2apic = hvm_platform_x2apic(),
		.tsc_deadline = hvm_platform_tsc_deadline(),
		.tsc_khz = (uint32_t)tsc_khz(),
		.apic_bus_khz = hvm_platform_apic_bus_khz(),
		.vmi = v->dom->vmi.enabled,
		.vmi_container = hvm_ops.vmi_container,
		.vmi_features = vmi_features(),
		.xcr0_max = fpu_guest_xcr0_max(),
		.xcr0 = v->xcr0,
	};
	uint64_t cr0, cr3, cr4, efer;

	/* CPUID.1:ECX.OSXSAVE mirrors the guest's CR4.OSXSAVE. */
	hvm_ops.get_ctrl(v, &cr0, &cr3, &cr4, &efer);
	g.osxsave = cr4 & CR4_OSXSAVE;

	if (leaf == VMI_CPUID_SECTIONS)
		vmi_cpuid_sections(g.vmi_sections);
	hvm_cpuid_policy(&io, &g, leaf, sub, out);
}

static void do_cpuid(struct vcpu *v)
{
	uint32_t out[4];

	guest_cpuid(v, (uint32_t)v->regs.rax, (uint32_t)v->regs.rcx, out);
	v->regs.rax = out[0];
	v->regs.rbx = out[1];
	v->regs.rcx = out[2];
	v->regs.rdx = out[3];
}

void hvm_cr_features(struct vcpu *v, struct hvm_cr_features *f)
{
	uint32_t r[4];

	guest_cpuid(v, 1, 0, r);
	f->l1_ecx = r[2];
	f->l1_edx = r[3];
	guest_cpuid(v, 7, 0, r);
	f->l7_ebx = r[1];
	f->l7_ecx = r[2];
	f->l7_edx = r[3];
	guest_cpuid(v, 0x80000001u, 0, r);
	f->e1_edx = r[3];
}

void hvm_boot_regs(struct vcpu *v, const struct guest_boot_state *bs)
{
	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.rip = bs->rip;
	v->regs.rsp = bs->rsp;
	v->regs.rflags = bs->rflags | 2; /* bit 1 is always set */
	v->regs.rax = bs->rax;
	v->regs.rbx = bs->rbx;
	v->regs.rcx = bs->rcx;
	v->regs.rdx = bs->rdx;
	v->regs.rsi = bs->rsi;
	v->regs.rdi = bs->rdi;
	v->regs.rbp = bs->rbp;
}

static void inject_gp(struct vcpu *v)
{
	hvm_ops.inject_event(v, HVM_EVENT_EXCEPTION, 13, true, 0);
}

static void do_msr(struct vcpu *v, const struct hvm_exit *x)
{
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
	int ret = hvm_msr(v, x->msr.index, x->msr.write, &val);

	if (ret < 0) {
		inject_gp(v);
		return; /* a faulting instruction does not retire */
	}
	if (!x->msr.write) {
		v->regs.rax = (uint32_t)val;
		v->regs.rdx = val >> 32;
	}
	hvm_ops.skip_insn(v, x->insn_len);
}

static void do_io(struct vcpu *v, const struct hvm_exit *x)
{
	uint32_t val, mask = x->io.size == 4 ? 0xffffffffu
					     : (1u << (8 * x->io.size)) - 1;

	if (x->io.string) {
		/* INS/OUTS: decoded and emulated like string MMIO. */
		hvm_emulate_mmio(v, 0);
		return;
	}
	val = (uint32_t)v->regs.rax & mask;
	hvm_platform_pio(v, x->io.port, x->io.size, x->io.in, &val);
	if (x->io.in)
		v->regs.rax = (v->regs.rax & ~(uint64_t)mask) | (val & mask);
	hvm_ops.skip_insn(v, x->insn_len);
}

static void do_npf(struct vcpu *v, const struct hvm_exit *x)
{
	if (hvm_platform_is_mmio(v->dom, x->npf.gpa)) {
		hvm_emulate_mmio(v, x->npf.gpa);
		return;
	}
	domain_crash(v->dom, "%s of guest-physical %#lx at rip %#lx: outside "
		     "the domain's memory",
		     x->npf.fetch ? "fetch" : x->npf.write ? "write" : "read",
		     x->npf.gpa, v->regs.rip);
}

/* Deliver the highest pending interrupt, or ask for a window. */
static void deliver_interrupts(struct vcpu *v)
{
	bool nmi = false;
	int vec, up;

	if (hvm_ops.event_pending(v))
		return;
	vec = hvm_platform_pending(v, &nmi);
	if (nmi) {
		hvm_ops.inject_event(v, HVM_EVENT_NMI, 2, false, 0);
		return;
	}
	/* A VMI upcall competes with the LAPIC by priority class; it has no
	 * ISR bit and no EOI (docs/vmi-abi.md section 5). */
	up = vmi_upcall_pending(v);
	if (up >= 0 && (vec < 0 || (up >> 4) >= (vec >> 4))) {
		if (hvm_ops.intr_allowed(v)) {
			hvm_ops.inject_event(v, HVM_EVENT_EXTINT, (uint8_t)up,
					     false, 0);
			hvm_ops.set_intr_window(v, false);
		} else {
			hvm_ops.set_intr_window(v, true);
		}
		return;
	}
	if (vec < 0) {
		hvm_ops.set_intr_window(v, false);
		return;
	}
	if (hvm_ops.intr_allowed(v)) {
		hvm_platform_ack(v, vec);
		hvm_ops.inject_event(v, HVM_EVENT_EXTINT, (uint8_t)vec, false, 0);
		hvm_ops.set_intr_window(v, false);
	} else {
		hvm_ops.set_intr_window(v, true);
	}
}

/*
 * x87/SSE/AVX state: the vCPU's is loaded while it runs and saved when it
 * leaves its CPU, so vCPUs sharing a CPU never see each other's
 * registers.  Neither VMRUN (APM vol. 2, 15.5.1) nor VM entry/exit (SDM
 * vol. 3C, 27.5) switches any of it, XCR0 included: the guest's XCR0 is
 * loaded just before entry and the host's (every component guests may
 * use) just after exit, so the save and restore under the host's XCR0
 * cover whatever the guest enabled (hypervisor/fpu.c).  A reset (INIT,
 * VCPU_UP) gives the state of SDM vol. 3A, Table 9-1, and XCR0 = 1.
 */
static void fpu_load(struct vcpu *v)
{
	if (!v->fpu_valid) {
		fpu_area_reset(v->fpu);
		v->xcr0 = XCR0_X87;
		v->fpu_valid = true;
	}
	fpu_area_load(v->fpu);
}

static void fpu_save(struct vcpu *v)
{
	fpu_area_save(v->fpu);
}

/*
 * XSETBV (SDM vol. 2, XSETBV; vol. 1, 13.3): #UD without CR4.OSXSAVE,
 * #GP(0) at CPL > 0, for ECX != 0 (only XCR0 exists), or for a value the
 * CPU refuses: x87 clear, AVX without SSE, AVX-512 parts not all together
 * or without AVX, or a component this guest is not offered.
 */
static void do_xsetbv(struct vcpu *v, unsigned int insn_len)
{
	uint64_t cr0, cr3, cr4, efer;
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;

	hvm_ops.get_ctrl(v, &cr0, &cr3, &cr4, &efer);
	if (!(cr4 & CR4_OSXSAVE)) {
		hvm_ops.inject_event(v, HVM_EVENT_EXCEPTION, 6, false, 0);
		return;
	}
	if (hvm_ops.cpl(v) != 0 || (uint32_t)v->regs.rcx != 0 ||
	    !hvm_xcr0_valid(fpu_guest_xcr0_max(), val)) {
		inject_gp(v);
		return;
	}
	v->xcr0 = val;
	hvm_ops.skip_insn(v, insn_len);
}

/*
 * The guest changed XCR0 without an XSETBV exit: the CPU let the
 * instruction through (QEMU TCG does for SVM guests), so its own checks
 * were the only ones.  Keep what the guest set, as hardware accepted it,
 * but only the components the save area covers; say so (rate-limited).
 */
static void xcr0_unchecked(struct vcpu *v, uint64_t xcr0)
{
	static struct ratelimit rl = RATELIMIT_INIT(1000, 4);
	uint64_t max = fpu_guest_xcr0_max();

	if (ratelimit_ok(&rl))
		log_dom(LOG_WARN, v->dom,
			"vCPU %u: XCR0 %#lx set without an XSETBV exit (the "
			"CPU did not intercept it)%s", v->id, xcr0,
			xcr0 & ~max ? "; components not offered dropped" : "");
	v->xcr0 = hvm_xcr0_valid(max, xcr0 & max) ? xcr0 & max : XCR0_X87;
}

static int run_loop(struct vcpu *v);

int hvm_flush_vcpus(struct domain *d, uint64_t mask, uint32_t what,
		    struct vcpu *self)
{
	uint64_t seq[MAX_VCPUS], start = time_ns();
	uint64_t wait = 0;
	int ret = 0, waited = 0;

	/*
	 * Dekker-style: the request is published before guest_seq is read
	 * here, and the run loop makes guest_seq odd before it reads the
	 * request.  So a vCPU either sees the request at its next entry or
	 * is seen in guest mode here, and then its exit is waited for.
	 */
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *t = d->vcpus[i];

		if (!(mask >> i & 1) || !t)
			continue;
		__atomic_fetch_or(&t->flush_req, what, __ATOMIC_SEQ_CST);
		if (t == self)
			continue;
		seq[i] = __atomic_load_n(&t->guest_seq, __ATOMIC_SEQ_CST);
		if (seq[i] & 1) {
			wait |= 1ull << i;
			vcpu_kick(t);
		}
	}
	for (uint64_t w = wait; w; w &= w - 1)
		waited++; /* no libgcc: count the bits by hand */
	while (wait) {
		for (unsigned int i = 0; i < d->nr_vcpus; i++)
			if ((wait >> i & 1) &&
			    __atomic_load_n(&d->vcpus[i]->guest_seq,
					    __ATOMIC_SEQ_CST) != seq[i])
				wait &= ~(1ull << i);
		if (!wait)
			break;
		if (time_ns() - start > HVM_FLUSH_WAIT_NS) {
			ret = -VMI_ETIMEDOUT;
			break;
		}
		cpu_relax();
	}
	return ret ? ret : waited;
}

int hvm_vcpu_run(struct vcpu *v)
{
	int ret;

	if (hvm_ops.vcpu_load)
		hvm_ops.vcpu_load(v);
	vmi_vcpu_scheduled(v, time_ns());
	fpu_load(v);
	ret = run_loop(v);
	fpu_save(v);
	vmi_vcpu_descheduled(v, time_ns());
	if (hvm_ops.vcpu_put)
		hvm_ops.vcpu_put(v);
	return ret;
}

static int run_loop(struct vcpu *v)
{
	struct domain *d = v->dom;
	uint64_t start = time_ns();
	struct hvm_exit x;

	for (;;) {
		uint64_t now = time_ns(), deadline;

		if (d->state != DOM_RUNNING)
			return HVM_RUN_STOPPED;
		/* VMI VCPU_UP/VCPU_DOWN requests from other vCPUs. */
		if (vmi_vcpu_take_requests(v))
			fpu_load(v);
		if (v->state == VCPU_WAIT_SIPI) {
			uint8_t vec;

			if (!hvm_platform_take_sipi(v, &vec))
				return HVM_RUN_BLOCKED;
			hvm_ops.vcpu_start_ap(v, vec);
			v->fpu_valid = false; /* INIT resets the FPU */
			fpu_load(v);
			v->state = VCPU_RUNNABLE;
		}
		v->kicked = false;
		deadline = hvm_platform_tick(v, now);
		deliver_interrupts(v);

		/*
		 * A kick whose IPI the host took after the loop's start but
		 * before this point would otherwise wait for the next exit
		 * (up to a slice): look with interrupts off.  From here the
		 * IPI stays pending until the guest runs, and the backends
		 * turn a pending host interrupt into an immediate exit
		 * (SVM: GIF = 0 then INTR intercept, APM vol. 2 15.17;
		 * VMX: external-interrupt exiting, SDM vol. 3C 25.2).
		 *
		 * The timer is armed with interrupts off for the same reason:
		 * sched_arm_timer() leaves an armed timer alone, and one that
		 * fired between that check and here would leave the guest
		 * running with no timer at all until its next exit (a guest
		 * spinning on its own clock then never sees its tick).
		 */
		irq_disable();
		/* Exit in time for the next device event or the slice end. */
		sched_arm_timer(deadline < start + SLICE_NS ? deadline
							    : start + SLICE_NS);
		if (v->kicked) {
			irq_enable();
			return HVM_RUN_YIELD;
		}
		/* In guest mode from here (see hvm_flush_vcpus()): the odd
		 * count is published before the request is read. */
		__atomic_fetch_add(&v->guest_seq, 1, __ATOMIC_SEQ_CST);
		{
			uint32_t what = __atomic_exchange_n(&v->flush_req, 0,
							    __ATOMIC_SEQ_CST);

			if (what) {
				hvm_ops.flush_tlb(v, what);
				v->tlb_flushes++;
			}
		}
		fpu_xcr0_enter(v->xcr0);
		hvm_ops.vcpu_enter(v, &x);
		{
			uint64_t xcr0 = fpu_xcr0_exit(v->xcr0);

			if (xcr0 != v->xcr0)
				xcr0_unchecked(v, xcr0);
		}
		__atomic_fetch_add(&v->guest_seq, 1, __ATOMIC_SEQ_CST);
		/* Stored whole: the management agent reads it from CPU 0. */
		__atomic_store_n(&v->exits[x.reason], v->exits[x.reason] + 1,
				 __ATOMIC_RELAXED);

		switch (x.reason) {
		case HVM_EXIT_NONE:
		case HVM_EXIT_EXTINT:
		case HVM_EXIT_NMI:
		case HVM_EXIT_INTR_WINDOW:
			break;
		case HVM_EXIT_PAUSE:
			hvm_ops.skip_insn(v, x.insn_len);
			return HVM_RUN_YIELD;
		case HVM_EXIT_CPUID:
			do_cpuid(v);
			hvm_ops.skip_insn(v, x.insn_len);
			break;
		case HVM_EXIT_XSETBV:
			do_xsetbv(v, x.insn_len);
			break;
		case HVM_EXIT_MSR:
			do_msr(v, &x);
			break;
		case HVM_EXIT_IO:
			do_io(v, &x);
			break;
		case HVM_EXIT_HLT:
			hvm_ops.skip_insn(v, x.insn_len);
			if (!hvm_platform_wake(v)) {
				v->state = VCPU_BLOCKED;
				return HVM_RUN_BLOCKED;
			}
			break;
		case HVM_EXIT_NPF:
			do_npf(v, &x);
			break;
		case HVM_EXIT_VMCALL:
			/* The VMI ROM's call; #UD where VMI is hidden. */
			vmi_hypercall(v, x.insn_len);
			/* VCPU_BLOCK, VCPU_DOWN: off the CPU until woken. */
			if (v->state != VCPU_RUNNABLE)
				return HVM_RUN_BLOCKED;
			if (v->vmi.yield) {
				v->vmi.yield = false;
				return HVM_RUN_YIELD;
			}
			break;
		case HVM_EXIT_SHUTDOWN:
			domain_end(d, DOM_END_CRASH, -1,
				   "triple fault (shutdown)");
			log_dom(LOG_ERR, d, "vCPU %u triple-faulted at rip %#lx",
				v->id, v->regs.rip);
			if (hvm_ops.dump)
				hvm_ops.dump(v);
			break;
		case HVM_EXIT_ENTRY_FAILED:
			log_dom(LOG_ERR, d, "vCPU %u: %s refused to enter the "
				"guest (code %#lx, info %#lx)", v->id,
				hvm_ops.name, x.raw, x.raw_info.info1);
			if (hvm_ops.dump)
				hvm_ops.dump(v);
			domain_crash(d, "invalid guest state on entry");
			break;
		default:
			log_dom(LOG_ERR, d, "vCPU %u: exit %s (code %#lx, info "
				"%#lx %#lx)", v->id, hvm_exit_name(x.reason),
				x.raw, x.raw_info.info1, x.raw_info.info2);
			if (hvm_ops.dump)
				hvm_ops.dump(v);
			domain_crash(d, "unhandled exit %#lx", x.raw);
			break;
		}
		if (v->kicked || time_ns() - start > SLICE_NS)
			return HVM_RUN_YIELD;
	}
}
