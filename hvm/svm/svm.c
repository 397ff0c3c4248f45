/*
 * The AMD-V backend (AMD APM vol. 2, chapter 15 "Secure Virtual Machine").
 *
 * Per physical CPU: EFER.SVME and a host save area (VM_HSAVE_PA, 15.30.4)
 * plus a page for the host state VMSAVE keeps.  Per vCPU: a VMCB, an I/O
 * permission map and an MSR permission map (15.10, 15.11).  Every port
 * and every MSR is intercepted except the ones VMLOAD/VMSAVE switch
 * anyway (FS/GS/KernelGS base, SYSCALL and SYSENTER MSRs), which the guest
 * owns outright.  Nested paging is always on (15.25).
 */
#include "svm.h"
#include <trivisor/cpu.h>
#include <trivisor/memory.h>
#include <trivisor/layout.h>
#include <trivisor/percpu.h>
#include <trivisor/log.h>
#include <trivisor/panic.h>
#include <vmi/core.h>
#include <trivisor/time.h>
#include <trivisor/cmdline.h>
#include <hvm/loader.h>
#include <hvm/run.h>
#include <hvm/debugreg.h>
#include <vmi/errno.h>
#include <string.h>

#define MSR_VM_CR 0xc0010114
#define MSR_VM_HSAVE_PA 0xc0010117

static uint64_t hsave_pa[MAX_CPUS];
static uint64_t host_vmsave_pa[MAX_CPUS];
static uint32_t nr_asids;
static bool flush_by_asid; /* CPUID 8000_000A EDX bit 6 */
bool svm_nrips; /* CPUID 8000_000A EDX bit 3 */
/* Each CPU's ASID generations (hvm/asid.h); touched only by that CPU. */
static struct asid_cpu asids[MAX_CPUS];

static void clgi(void)
{
	asm volatile("clgi" ::: "memory");
}

static void stgi(void)
{
	asm volatile("stgi" ::: "memory");
}

static int svm_cpu_enable(void)
{
	unsigned int cpu = this_cpu_id();
	uint64_t mfn;

	if (rdmsr(MSR_VM_CR) & (1u << 4))
		return -VMI_EPERM; /* SVMDIS */
	if (!hsave_pa[cpu]) {
		if (hv_frame_alloc(0, FRAME_OWNER_HYPERVISOR, &mfn))
			return -VMI_ENOMEM;
		hsave_pa[cpu] = mfn << PAGE_SHIFT;
		if (hv_frame_alloc(0, FRAME_OWNER_HYPERVISOR, &mfn))
			return -VMI_ENOMEM;
		host_vmsave_pa[cpu] = mfn << PAGE_SHIFT;
		memset(pa_to_va(hsave_pa[cpu]), 0, PAGE_SIZE);
		memset(pa_to_va(host_vmsave_pa[cpu]), 0, PAGE_SIZE);
	}
	if (!asids[cpu].max &&
	    !asid_cpu_init(&asids[cpu], nr_asids, hv_config.asids,
			   flush_by_asid))
		return -VMI_EINVAL; /* svm_probe() saw at least 2 */
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, hsave_pa[cpu]);
	return 0;
}

/*
 * MSR permission map (APM 15.11): 2 bits per MSR (read, write) in three
 * 2 KiB vectors for 0-0x1fff, 0xc0000000-0xc0001fff, 0xc0010000-0xc0011fff.
 */
static void msrpm_allow(uint8_t *pm, uint32_t msr)
{
	uint32_t base, idx;

	if (msr < 0x2000)
		base = 0, idx = msr;
	else if (msr - 0xc0000000u < 0x2000)
		base = 0x800, idx = msr - 0xc0000000u;
	else if (msr - 0xc0010000u < 0x2000)
		base = 0x1000, idx = msr - 0xc0010000u;
	else
		return;
	pm[base + idx / 4] &= (uint8_t)~(3u << ((idx % 4) * 2));
}

/* Intercept writes of @msr again (the read stays passed through). */
static void msrpm_trap_write(uint8_t *pm, uint32_t msr)
{
	uint32_t base = msr < 0x2000 ? 0 : 0x800, idx = msr & 0x1fff;

	pm[base + idx / 4] |= (uint8_t)(2u << ((idx % 4) * 2));
}

static void set_seg(struct vmcb_seg *s, const struct guest_seg *g)
{
	s->sel = g->sel;
	s->attr = g->attr;
	s->limit = g->limit;
	s->base = g->base;
}

/* Load a whole register state (the boot vCPU's, a VMI vCPU start). */
static void nmi_reset(struct svm_vcpu *s);
static void nmi_deliver(struct svm_vcpu *s);

static void svm_vcpu_set_state(struct vcpu *v, const struct guest_boot_state *bs)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;

	nmi_reset(to_svm(v));

	set_seg(&vmcb->save.cs, &bs->cs);
	set_seg(&vmcb->save.ds, &bs->ds);
	set_seg(&vmcb->save.es, &bs->es);
	set_seg(&vmcb->save.fs, &bs->fs);
	set_seg(&vmcb->save.gs, &bs->gs);
	set_seg(&vmcb->save.ss, &bs->ss);
	set_seg(&vmcb->save.tr, &bs->tr);
	set_seg(&vmcb->save.ldtr, &bs->ldtr);
	vmcb->save.gdtr.base = bs->gdtr.base;
	vmcb->save.gdtr.limit = bs->gdtr.limit;
	vmcb->save.idtr.base = bs->idtr.base;
	vmcb->save.idtr.limit = bs->idtr.limit;
	vmcb->save.cr0 = bs->cr0;
	vmcb->save.cr3 = bs->cr3;
	vmcb->save.cr4 = bs->cr4;
	vmcb->save.efer = bs->efer | EFER_SVME;
	vmcb->save.rip = bs->rip;
	vmcb->save.rsp = bs->rsp;
	vmcb->save.rflags = bs->rflags | 2;
	hvm_boot_regs(v, bs);
	vmcb->save.cpl = 0;
	vmcb->ctl.event_inj = 0;
}

static int svm_vcpu_create(struct vcpu *v, const struct guest_boot_state *bs)
{
	struct svm_vcpu *s;
	struct vmcb *vmcb;
	uint64_t pa;
	uint8_t *msrpm;
	static const uint32_t owned_msrs[] = {
		MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR,
		MSR_LSTAR, 0xc0000083 /* CSTAR */, 0xc0000084 /* SFMASK */,
		0x174, 0x175, 0x176 /* SYSENTER_CS/ESP/EIP */,
	};
	static const uint32_t checked_msrs[] = {
		MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_LSTAR,
		0xc0000083, 0x175, 0x176,
	};

	BUILD_BUG_ON(sizeof(struct svm_vcpu) > PAGE_SIZE);
	s = hv_pages_alloc(0, &pa, 0);
	if (!s)
		return -VMI_ENOMEM;
	s->vmcb = hv_pages_alloc(0, &s->vmcb_pa, 0);
	if (!s->vmcb)
		goto undo_vcpu;
	s->iopm = hv_pages_alloc(2, &s->iopm_pa, 0xff);
	if (!s->iopm)
		goto undo_vmcb;
	msrpm = hv_pages_alloc(1, &s->msrpm_pa, 0xff);
	if (!msrpm)
		goto undo_iopm;
	s->msrpm = msrpm;
	v->vendor = s; /* from here svm_vcpu_destroy() undoes it all */
	for (unsigned int i = 0; i < sizeof(owned_msrs) / sizeof(owned_msrs[0]);
	     i++)
		msrpm_allow(msrpm, owned_msrs[i]);
	/* Base and entry-point MSR writes are checked (hvm_msr_base_write():
	 * QEMU TCG drops the CPU's canonical #GP). */
	for (unsigned int i = 0; i < sizeof(checked_msrs) /
					     sizeof(checked_msrs[0]); i++)
		msrpm_trap_write(msrpm, checked_msrs[i]);

	vmcb = s->vmcb;
	/* CR4 writes, checked against the guest's CPUID and not only the
	 * host's, which the CPU alone would do (hvm/crcheck.h). */
	vmcb->ctl.intercept_cr = INTERCEPT_CR4_WRITE;
	vmcb->ctl.intercept_exc = (1u << 1) | (1u << 17) | (1u << 18);
	vmcb->ctl.intercept1 = INTERCEPT_INTR | INTERCEPT_NMI | INTERCEPT_SMI |
			       INTERCEPT_INIT | INTERCEPT_CPUID | INTERCEPT_INVD |
			       INTERCEPT_HLT | INTERCEPT_INVLPGA |
			       INTERCEPT_IOIO | INTERCEPT_MSR |
			       INTERCEPT_TASK_SWITCH | INTERCEPT_SHUTDOWN;
	vmcb->ctl.intercept2 = INTERCEPT_VMRUN | INTERCEPT_VMMCALL |
			       INTERCEPT_VMLOAD | INTERCEPT_VMSAVE |
			       INTERCEPT_STGI | INTERCEPT_CLGI |
			       INTERCEPT_SKINIT | INTERCEPT_MONITOR |
			       INTERCEPT_MWAIT | INTERCEPT_XSETBV |
			       INTERCEPT_WBINVD;
	/* APM 15.30.5: the guest reads TSC + offset (see time_tsc_origin). */
	vmcb->ctl.tsc_offset = -time_tsc_origin();
	vmcb->ctl.iopm_pa = s->iopm_pa;
	vmcb->ctl.msrpm_pa = s->msrpm_pa;
	/* The ASID and TLB_CONTROL are set at each VMRUN (hvm/asid.c). */
	vmcb->ctl.vintr = V_INTR_MASKING;
	vmcb->ctl.np_enable = 1;
	vmcb->ctl.ncr3 = npt_ncr3(&v->dom->npt);

	if (v->id == 0)
		svm_vcpu_set_state(v, bs);
	else
		svm_reset_to_real_mode(v, 0);
	vmcb->save.dr6 = HVM_DR6_RESET;
	vmcb->save.dr7 = HVM_DR7_RESET;
	vmcb->save.g_pat = 0x0007040600070406ull; /* power-on PAT */
	return 0;

	/* v->vendor is still NULL: the caller will not call destroy. */
undo_iopm:
	hv_frame_free(s->iopm_pa >> PAGE_SHIFT, 2, FRAME_OWNER_HYPERVISOR);
undo_vmcb:
	hv_frame_free(s->vmcb_pa >> PAGE_SHIFT, 0, FRAME_OWNER_HYPERVISOR);
undo_vcpu:
	hv_frame_free(pa >> PAGE_SHIFT, 0, FRAME_OWNER_HYPERVISOR);
	return -VMI_ENOMEM;
}

/* INIT, or a fresh start: no NMI blocking, none waiting. */
static void nmi_reset(struct svm_vcpu *s)
{
	s->nmi_masked = s->nmi_pending = s->iret_pending = false;
	s->vmcb->ctl.intercept1 &= ~INTERCEPT_IRET;
}

void svm_reset_to_real_mode(struct vcpu *v, uint8_t sipi_vector)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;

	nmi_reset(to_svm(v));
	struct vmcb_seg data = { 0, 0x93, 0xffff, 0 };

	/* State after INIT then SIPI (SDM vol. 3A, 9.1.1 table 9-1; the
	 * SIPI vector VV starts the AP at VV00:0000). */
	vmcb->save.cs = (struct vmcb_seg){ (uint16_t)(sipi_vector << 8), 0x9b,
					   0xffff,
					   (uint64_t)sipi_vector << 12 };
	vmcb->save.ds = vmcb->save.es = vmcb->save.fs = vmcb->save.gs =
		vmcb->save.ss = data;
	vmcb->save.tr = (struct vmcb_seg){ 0, 0x8b, 0xffff, 0 };
	vmcb->save.ldtr = (struct vmcb_seg){ 0, 0x82, 0xffff, 0 };
	vmcb->save.gdtr = (struct vmcb_seg){ 0, 0, 0xffff, 0 };
	vmcb->save.idtr = (struct vmcb_seg){ 0, 0, 0xffff, 0 };
	vmcb->save.cr0 = 0x60000010; /* CD, NW, ET */
	vmcb->save.cr3 = 0;
	vmcb->save.cr4 = 0;
	vmcb->save.efer = EFER_SVME;
	vmcb->save.rip = 0;
	vmcb->save.rsp = 0;
	vmcb->save.rflags = 2;
	vmcb->save.cpl = 0;
	vmcb->ctl.event_inj = 0;
	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.rflags = 2;
	v->regs.rdx = 0x600; /* family/model/stepping, like a reset */
}

static void svm_vcpu_destroy(struct vcpu *v)
{
	struct svm_vcpu *s = to_svm(v);

	if (!s)
		return;
	log_dom(LOG_INFO, v->dom, "vCPU %u: %lu ASIDs taken, %lu full TLB "
		"flushes on ASID wrap (%u ASIDs per CPU)", v->id,
		s->asid.assigned, s->asid.full_flushes, asids[0].max);
	if (s->cache_insns)
		log_dom(LOG_INFO, v->dom, "vCPU %u: %lu WBINVD/INVD ignored",
			v->id, s->cache_insns);
	if (s->vmcb)
		hv_frame_free(s->vmcb_pa >> PAGE_SHIFT, 0, FRAME_OWNER_HYPERVISOR);
	if (s->iopm)
		hv_frame_free(s->iopm_pa >> PAGE_SHIFT, 2, FRAME_OWNER_HYPERVISOR);
	if (s->msrpm)
		hv_frame_free(s->msrpm_pa >> PAGE_SHIFT, 1,
			      FRAME_OWNER_HYPERVISOR);
	hv_frame_free(va_to_pa(s) >> PAGE_SHIFT, 0, FRAME_OWNER_HYPERVISOR);
	v->vendor = NULL;
}

const struct hvm_cr_features *svm_features(struct vcpu *v)
{
	struct svm_vcpu *s = to_svm(v);

	if (!s->feat_valid) {
		hvm_cr_features(v, &s->feat);
		s->feat_valid = true;
	}
	return &s->feat;
}

/* DR0-DR3 are the vCPU's between load and put (hvm/debugreg.h). */
static void svm_vcpu_load(struct vcpu *v)
{
	hvm_dr_load(to_svm(v)->dr);
}

static void svm_vcpu_put(struct vcpu *v)
{
	hvm_dr_save(to_svm(v)->dr);
}

/* INIT then SIPI: the debug registers are reset too (SDM vol. 3A, 9.1.1
 * table 9-1), the live DR0-DR3 included. */
static void svm_start_ap(struct vcpu *v, uint8_t sipi_vector)
{
	static const uint64_t zero[4];
	struct vmcb *vmcb = to_svm(v)->vmcb;

	svm_reset_to_real_mode(v, sipi_vector);
	vmcb->save.dr6 = HVM_DR6_RESET;
	vmcb->save.dr7 = HVM_DR7_RESET;
	hvm_dr_load(zero);
}

static void svm_vcpu_enter(struct vcpu *v, struct hvm_exit *x)
{
	struct svm_vcpu *s = to_svm(v);
	struct vmcb *vmcb = s->vmcb;
	unsigned int cpu = this_cpu_id();
	uint64_t t0;

	/*
	 * TLB entries are tagged with the ASID alone (APM vol. 2, 15.16), so
	 * an ASID must never carry another vCPU's entries on this CPU: take
	 * one from this CPU's current generation, or a new generation with
	 * TLB_CONTROL 1 (flush all ASIDs) when they run out.  TLB_CONTROL 3
	 * (this ASID) only with FlushByAsid (15.16.1).
	 */
	vmcb->ctl.tlb_control =
		(uint8_t)asid_assign(&asids[cpu], &s->asid, cpu);
	vmcb->ctl.asid = s->asid.asid;
	if (v->dom->npt.need_flush) {
		vmcb->ctl.tlb_control = 1;
		v->dom->npt.need_flush = false;
	}
	vmcb->save.rax = v->regs.rax;
	vmcb->save.rsp = v->regs.rsp;
	vmcb->save.rip = v->regs.rip;
	vmcb->save.rflags = v->regs.rflags;
	/* A waiting NMI goes in as soon as nothing else is being injected
	 * and neither NMI blocking nor an interrupt shadow holds it. */
	if (s->nmi_pending && !s->nmi_masked &&
	    !(vmcb->ctl.event_inj & EVTINJ_VALID) && !(vmcb->ctl.int_state & 1))
		nmi_deliver(s);

	irq_disable();
	clgi();
	irq_enable(); /* held by GIF = 0 until stgi; INTR exits meanwhile */
	t0 = rdtsc();
	svm_enter(&v->regs, s->vmcb_pa, host_vmsave_pa[cpu]);
	/* Stored whole: the management agent reads it from CPU 0. */
	__atomic_store_n(&v->run_tsc, v->run_tsc + rdtsc() - t0,
			 __ATOMIC_RELAXED);
	irq_disable();
	stgi();
	irq_enable(); /* a pending host interrupt is taken here */

	vmcb->ctl.tlb_control = 0;
	v->regs.rax = vmcb->save.rax;
	v->regs.rsp = vmcb->save.rsp;
	v->regs.rip = vmcb->save.rip;
	v->regs.rflags = vmcb->save.rflags;
	svm_decode_exit(v, x);
}

static void svm_skip_insn(struct vcpu *v, unsigned int len)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;

	v->regs.rip += len;
	vmcb->ctl.int_state &= ~1ull; /* an instruction retired: no shadow */
}

static bool svm_event_pending(struct vcpu *v)
{
	return to_svm(v)->vmcb->ctl.event_inj & EVTINJ_VALID;
}

static bool svm_intr_allowed(struct vcpu *v)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;

	return (v->regs.rflags & RFLAGS_IF) && !(vmcb->ctl.int_state & 1) &&
	       !(vmcb->ctl.event_inj & EVTINJ_VALID);
}

/* Inject the NMI now: the guest is NMI-blocked until its IRET retires,
 * which the IRET intercept tells (svm_nmi_exit()). */
static void nmi_deliver(struct svm_vcpu *s)
{
	s->vmcb->ctl.event_inj = EVTINJ_VALID | 2 |
				 ((uint64_t)HVM_EVENT_NMI << EVTINJ_TYPE_SHIFT);
	s->nmi_masked = true;
	s->nmi_pending = false;
	s->iret_pending = false;
	s->vmcb->ctl.intercept1 |= INTERCEPT_IRET;
}

void svm_nmi_exit(struct vcpu *v)
{
	struct svm_vcpu *s = to_svm(v);

	if (s->iret_pending && s->vmcb->save.rip != s->iret_rip) {
		s->iret_pending = false;
		s->nmi_masked = false;
	}
}

/* Error codes exist for #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP. */
static bool has_error_code(uint8_t vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 ||
	       vector == 21;
}

static void svm_inject_event(struct vcpu *v, unsigned int type, uint8_t vector,
			     bool has_err, uint32_t err)
{
	struct svm_vcpu *s = to_svm(v);
	struct vmcb *vmcb = s->vmcb;

	if (type == HVM_EVENT_NMI) {
		/* Blocked by an NMI in progress or by an STI/MOV SS shadow:
		 * keep it for when that ends (svm_vcpu_enter()). */
		if (s->nmi_masked || (vmcb->ctl.int_state & 1)) {
			s->nmi_pending = true;
			return;
		}
		nmi_deliver(s);
		return;
	}

	/* Real mode pushes no error code, and only exceptions that have one
	 * take it (APM vol. 2, 8.4.2 and 15.20; the same rule as VT-x's
	 * entry check, SDM vol. 3C 26.2.1.3), so a #GP injected into a
	 * real-mode AP is delivered as the CPU would deliver it. */
	if (type != HVM_EVENT_EXCEPTION || !(vmcb->save.cr0 & CR0_PE) ||
	    !has_error_code(vector))
		has_err = false;

	vmcb->ctl.event_inj = EVTINJ_VALID | vector |
			      ((uint64_t)type << EVTINJ_TYPE_SHIFT) |
			      (has_err ? EVTINJ_EV | ((uint64_t)err << 32) : 0);
}

/*
 * Interrupt window (APM 15.21.4): ask for a virtual interrupt with V_IGN_TPR
 * and intercept VINTR; the exit comes as soon as the guest can take one.
 */
static void svm_set_intr_window(struct vcpu *v, bool on)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;

	if (on) {
		vmcb->ctl.vintr |= V_IRQ | V_IGN_TPR |
				   (0xfull << V_INTR_PRIO_SHIFT);
		vmcb->ctl.intercept1 |= INTERCEPT_VINTR;
	} else {
		vmcb->ctl.vintr &= ~(V_IRQ | V_IGN_TPR |
				     (0xfull << V_INTR_PRIO_SHIFT));
		vmcb->ctl.intercept1 &= ~INTERCEPT_VINTR;
	}
}

static int svm_guest_mode(struct vcpu *v)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;

	if (!(vmcb->save.cr0 & CR0_PE))
		return HVM_MODE_REAL;
	if ((vmcb->save.efer & EFER_LME) && (vmcb->save.cr0 & CR0_PG) &&
	    (vmcb->save.cs.attr & (1u << 9)))
		return HVM_MODE_LONG64;
	return (vmcb->save.cs.attr & (1u << 10)) ? HVM_MODE_PROT32
						 : HVM_MODE_PROT16;
}

/* @seg in x86 order (ES CS SS DS FS GS); the VMCB keeps them in it too. */
static uint64_t svm_seg_base(struct vcpu *v, unsigned int seg)
{
	const struct vmcb_seg *segs = &to_svm(v)->vmcb->save.es;

	return seg < 6 ? segs[seg].base : 0;
}

static void svm_seg_limit(struct vcpu *v, unsigned int seg, uint32_t *limit,
			  uint32_t *attr)
{
	const struct vmcb_seg *segs = &to_svm(v)->vmcb->save.es;

	*limit = seg < 6 ? segs[seg].limit : 0;
	*attr = seg < 6 ? segs[seg].attr : 0;
}

static void svm_set_cr2(struct vcpu *v, uint64_t cr2)
{
	to_svm(v)->vmcb->save.cr2 = cr2;
}

static void svm_get_ctrl(struct vcpu *v, uint64_t *cr0, uint64_t *cr3,
			 uint64_t *cr4, uint64_t *efer)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;

	*cr0 = vmcb->save.cr0;
	*cr3 = vmcb->save.cr3;
	*cr4 = vmcb->save.cr4;
	*efer = vmcb->save.efer & ~(uint64_t)EFER_SVME;
}

static void svm_dump(struct vcpu *v)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;

	/* v->regs holds RIP, RSP and RFLAGS between runs. */
	log_err("  rip %016lx rsp %016lx rflags %08lx cpl %u", v->regs.rip,
		v->regs.rsp, v->regs.rflags, vmcb->save.cpl);
	log_err("  cr0 %08lx cr3 %08lx cr4 %08lx efer %lx", vmcb->save.cr0,
		vmcb->save.cr3, vmcb->save.cr4, vmcb->save.efer);
	log_err("  cs %04x/%03x base %lx limit %x, exit %lx info %lx %lx "
		"intinfo %lx",
		vmcb->save.cs.sel, vmcb->save.cs.attr, vmcb->save.cs.base,
		vmcb->save.cs.limit, vmcb->ctl.exit_code, vmcb->ctl.exit_info1,
		vmcb->ctl.exit_info2, vmcb->ctl.exit_int_info);
}

static unsigned int svm_cpl(struct vcpu *v)
{
	return to_svm(v)->vmcb->save.cpl;
}

/*
 * Drop the vCPU's cached translations at its next VMRUN.  TLB entries,
 * nested ones included, are tagged with the ASID, so flushing this
 * guest's ASID (TLB_CONTROL 3) covers both kinds; without flush-by-ASID
 * the vCPU takes a fresh ASID, which holds no entries.  APM vol. 2,
 * 15.16.1 and 15.16.2.
 */
static void svm_flush_tlb(struct vcpu *v, uint32_t what)
{
	(void)what;
	/* TLB_CONTROL 3 at the next VMRUN, or a fresh ASID without
	 * FlushByAsid (hvm/asid.c). */
	asid_flush(&to_svm(v)->asid);
}

static const struct hvm_ops svm_ops = {
	.name = "AMD-V",
	.hypercall = { 0x0f, 0x01, 0xd9 }, /* VMMCALL, APM vol. 3 */
	.vmi_container = VMI_CONTAINER_HV_SVM,
	.nested_fmt = &npt_fmt,
	.cpu_enable = svm_cpu_enable,
	.vcpu_create = svm_vcpu_create,
	.vcpu_destroy = svm_vcpu_destroy,
	.vcpu_load = svm_vcpu_load,
	.vcpu_put = svm_vcpu_put,
	.vcpu_enter = svm_vcpu_enter,
	.skip_insn = svm_skip_insn,
	.vcpu_start_ap = svm_start_ap,
	.vcpu_set_state = svm_vcpu_set_state,
	.event_pending = svm_event_pending,
	.intr_allowed = svm_intr_allowed,
	.inject_event = svm_inject_event,
	.set_intr_window = svm_set_intr_window,
	.guest_mode = svm_guest_mode,
	.seg_base = svm_seg_base,
	.get_ctrl = svm_get_ctrl,
	.cpl = svm_cpl,
	.seg_limit = svm_seg_limit,
	.set_cr2 = svm_set_cr2,
	.flush_tlb = svm_flush_tlb,
	.dump = svm_dump,
};

const struct hvm_ops *svm_probe(void)
{
	struct cpuid_regs r;

	cpuid_count(0x80000001, 0, &r);
	if (!(r.ecx & (1u << 2)))
		return NULL;
	cpuid_count(0x8000000a, 0, &r);
	if (!(r.edx & 1)) {
		log_warn("SVM without nested paging: the hv container needs "
			 "NPT (shadow paging is not implemented)");
		return NULL;
	}
	nr_asids = r.ebx;
	flush_by_asid = r.edx & (1u << 6);
	svm_nrips = r.edx & (1u << 3);
	if (nr_asids < 2)
		return NULL;
	return &svm_ops;
}
