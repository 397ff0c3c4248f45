/*
 * The VT-x backend (SDM vol. 3C, chapters 24-31).
 *
 * Per physical CPU: CR4.VMXE and a VMXON region (31.5).  Per vCPU: a VMCS,
 * I/O bitmaps, an MSR bitmap, a guest MSR area and a virtual-APIC page
 * for the TPR shadow.  Every port and every MSR is intercepted except the
 * ones the guest owns outright (FS/GS base and the SYSENTER MSRs, which
 * the VMCS guest-state area switches, and the SYSCALL MSRs and
 * KernelGSbase, which the MSR area switches).  EPT is always on and
 * unrestricted guest is required: guests start in 32-bit protected mode
 * without paging, and APs in real mode (26.3.1.1).
 *
 * Every control is derived from the capability MSRs (appendix A.3-A.5;
 * the TRUE_* MSRs when IA32_VMX_BASIC[55] says they exist): bits the CPU
 * requires are set, bits it forbids are refused at probe time with the
 * control named.
 *
 * A VMCS is current on its vCPU's CPU only between vcpu_load and
 * vcpu_put (each hvm_vcpu_run()); vcpu_put VMCLEARs it, so it is never
 * cached in a CPU when the vCPU is destroyed (31.6, 31.10.3).
 * Emulated CR0/CR4 writes are in cr.c, exit decoding in exit.c.
 */
#include "vmx.h"
#include <trivisor/cpu.h>
#include <trivisor/memory.h>
#include <trivisor/layout.h>
#include <trivisor/percpu.h>
#include <trivisor/log.h>
#include <hvm/run.h>
#include <trivisor/panic.h>
#include <trivisor/time.h>
#include <trivisor/cmdline.h>
#include <hvm/caps.h>
#include <hvm/debugreg.h>
#include <vmi/errno.h>
#include <vmi/core.h>
#include <string.h>

#define MSR_FEATURE_CONTROL 0x3a
#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_VMX_BASIC 0x480
#define MSR_VMX_PINBASED 0x481
#define MSR_VMX_PROCBASED 0x482
#define MSR_VMX_EXIT 0x483
#define MSR_VMX_ENTRY 0x484
#define MSR_VMX_CR0_FIXED0 0x486
#define MSR_VMX_CR0_FIXED1 0x487
#define MSR_VMX_CR4_FIXED0 0x488
#define MSR_VMX_CR4_FIXED1 0x489
#define MSR_VMX_PROCBASED2 0x48b
#define MSR_VMX_EPT_VPID_CAP 0x48c
#define MSR_VMX_TRUE_PINBASED 0x48d
#define MSR_VMX_TRUE_PROCBASED 0x48e
#define MSR_VMX_TRUE_EXIT 0x48f
#define MSR_VMX_TRUE_ENTRY 0x490

#define FC_LOCK (1u << 0)
#define FC_VMX_OUTSIDE_SMX (1u << 2)

#define CR0_NE (1ul << 5)
#define CR0_ET (1ul << 4)

/* IA32_VMX_EPT_VPID_CAP (A.10). */
#define CAP_INVEPT (1ull << 20)
#define CAP_INVEPT_ALL (1ull << 26)
#define CAP_INVVPID (1ull << 32)
#define CAP_INVVPID_SINGLE (1ull << 41)
#define CAP_INVVPID_ALL (1ull << 42)

struct vmx_caps vmx_caps;
static uint32_t pin_ctl, proc_ctl, proc2_ctl, exit_ctl, entry_ctl;
static uint64_t vmxon_pa[MAX_CPUS];
/* Each CPU's VPID generations (hvm/asid.h); touched only by that CPU. */
static struct asid_cpu vpids[MAX_CPUS];

extern char vmx_exit_point[];

void vmcs_write_named(uint32_t field, uint64_t val, const char *name)
{
	bool fail;

	asm volatile("vmwrite %1, %2; setna %0"
		     : "=qm"(fail)
		     : "r"(val), "r"((uint64_t)field)
		     : "cc", "memory");
	if (fail)
		panic("VMWRITE %s (field %#x) = %#lx failed: %s", name, field,
		      val, vmx_insn_error_name((uint32_t)vmcs_read(
				   VM_INSTRUCTION_ERROR)));
}

/* VMCLEAR, VMPTRLD, VMXON, INVEPT, INVVPID: CF or ZF set on failure. */
#define VMX_INSN_MEM(insn, pa)                                               \
	({                                                                   \
		bool fail_;                                                  \
		asm volatile(insn " %1; setna %0"                            \
			     : "=qm"(fail_)                                  \
			     : "m"(pa)                                       \
			     : "cc", "memory");                              \
		fail_;                                                       \
	})

static void invept_all(void)
{
	struct {
		uint64_t eptp, zero;
	} desc = { 0, 0 };

	/* Type 2: all contexts (30.3, INVEPT). */
	asm volatile("invept %0, %1" : : "m"(desc), "r"(2ul) : "cc", "memory");
}

static void invvpid_all(void)
{
	struct {
		uint64_t vpid, addr;
	} desc = { 0, 0 };

	if (vmx_caps.vpid)
		asm volatile("invvpid %0, %1"
			     :
			     : "m"(desc), "r"(2ul)
			     : "cc", "memory");
}

/*
 * Drop the translations of one VPID: INVVPID type 1, single context (SDM
 * vol. 3C, 28.3.3.3, and the INVVPID reference in vol. 2), or type 2,
 * all contexts, where the CPU lacks type 1.  Without VPIDs every VM entry
 * and exit drops the linear and combined mappings anyway (28.3.3.1).
 */
static void invvpid_one(uint16_t vpid)
{
	struct {
		uint64_t vpid, addr;
	} desc = { vpid, 0 };

	if (!vmx_caps.vpid)
		return;
	if (vmx_caps.ept_vpid & CAP_INVVPID_SINGLE)
		asm volatile("invvpid %0, %1"
			     :
			     : "m"(desc), "r"(1ul)
			     : "cc", "memory");
	else
		invvpid_all();
}

/* The control fields, for messages. */
enum { CTL_PIN, CTL_PROC, CTL_PROC2, CTL_EXIT, CTL_ENTRY };
static const char *const ctl_fields[] = {
	"pin-based", "primary processor-based", "secondary processor-based",
	"VM-exit", "VM-entry",
};

/* Names of the control bits trivisor cannot do without (25.6-25.8). */
static const char *ctl_name(int ctl, int bit)
{
	static const struct {
		int ctl, bit;
		const char *name;
	} names[] = {
		{ CTL_PIN, 0, "external-interrupt exiting" },
		{ CTL_PIN, 3, "NMI exiting" },
		{ CTL_PIN, 5, "virtual NMIs" },
		{ CTL_PROC, 3, "TSC offsetting" },
		{ CTL_PROC, 7, "HLT exiting" },
		{ CTL_PROC, 10, "MWAIT exiting" },
		{ CTL_PROC, 21, "TPR shadow" },
		{ CTL_PROC, 25, "I/O bitmaps" },
		{ CTL_PROC, 28, "MSR bitmaps" },
		{ CTL_PROC, 29, "MONITOR exiting" },
		{ CTL_PROC, 31, "secondary controls" },
		{ CTL_PROC2, 1, "EPT" },
		{ CTL_PROC2, 7, "unrestricted guest" },
		{ CTL_EXIT, 2, "save debug controls" },
		{ CTL_EXIT, 9, "host address-space size" },
		{ CTL_EXIT, 18, "save IA32_PAT" },
		{ CTL_EXIT, 19, "load IA32_PAT" },
		{ CTL_EXIT, 20, "save IA32_EFER" },
		{ CTL_EXIT, 21, "load IA32_EFER" },
		{ CTL_ENTRY, 2, "load debug controls" },
		{ CTL_ENTRY, 14, "load IA32_PAT" },
		{ CTL_ENTRY, 15, "load IA32_EFER" },
	};

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].ctl == ctl && names[i].bit == bit)
			return names[i].name;
	return "?";
}

/* A control value from its capability MSR (hvm_vmx_ctl(), A.3-A.5);
 * false, naming the first missing bit, if a needed one is not allowed. */
static bool derive(int ctl, uint64_t cap, uint32_t need, uint32_t want,
		   uint32_t *out)
{
	uint32_t missing = hvm_vmx_ctl(cap, need, want, out);
	int bit = missing ? __builtin_ctz(missing) : 0;

	if (missing)
		log_warn("VT-x unusable: the CPU does not allow %s control "
			 "bit %d (%s)", ctl_fields[ctl], bit,
			 ctl_name(ctl, bit));
	return !missing;
}

static int vmx_cpu_enable(void)
{
	unsigned int cpu = this_cpu_id();
	uint64_t fc = rdmsr(MSR_FEATURE_CONTROL), mfn;

	/* 23.7: VMXON needs FEATURE_CONTROL locked with VMX outside SMX
	 * enabled; firmware that left it unlocked lets us lock it. */
	if (!(fc & FC_LOCK))
		wrmsr(MSR_FEATURE_CONTROL, fc | FC_LOCK | FC_VMX_OUTSIDE_SMX);
	else if (!(fc & FC_VMX_OUTSIDE_SMX))
		return -VMI_EPERM;
	if (!vmxon_pa[cpu]) {
		if (hv_frame_alloc(0, FRAME_OWNER_HYPERVISOR, &mfn))
			return -VMI_ENOMEM;
		vmxon_pa[cpu] = mfn << PAGE_SHIFT;
		memset(pa_to_va(vmxon_pa[cpu]), 0, PAGE_SIZE);
		*(uint32_t *)pa_to_va(vmxon_pa[cpu]) = vmx_caps.revision;
	}
	/* 23.8: CR0 and CR4 must respect the fixed bits (NE, VMXE). */
	write_cr0((read_cr0() | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1);
	write_cr4((read_cr4() | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1);
	if (VMX_INSN_MEM("vmxon", vmxon_pa[cpu])) {
		log_err("VMXON failed on CPU %u", cpu);
		return -VMI_EIO;
	}
	invept_all();
	invvpid_all();
	/* 16-bit VPIDs, 0 being the host's (28.1). */
	if (vmx_caps.vpid && !vpids[cpu].max &&
	    !asid_cpu_init(&vpids[cpu], 0x10000, hv_config.asids,
			   vmx_caps.ept_vpid & CAP_INVVPID_SINGLE))
		return -VMI_EINVAL;
	return 0;
}

/* MSR bitmap (25.6.9): read-low, read-high, write-low, write-high, 1 KiB
 * each; low = 0-0x1fff, high = 0xc0000000-0xc0001fff. */
static void msr_bitmap_allow(uint8_t *bm, uint32_t msr)
{
	uint32_t base;

	if (msr < 0x2000)
		base = 0;
	else if (msr - 0xc0000000u < 0x2000)
		base = 1024, msr -= 0xc0000000u;
	else
		return;
	bm[base + msr / 8] &= (uint8_t)~(1u << (msr % 8));
	bm[base + 2048 + msr / 8] &= (uint8_t)~(1u << (msr % 8));
}

/* The pages of a vCPU, freed by vmx_vcpu_destroy(): VMCS, I/O bitmaps
 * (2 pages), MSR bitmap, MSR area, virtual-APIC page. */
struct vmx_pages {
	uint64_t io_pa, msr_bm_pa;
};

static int vmx_vcpu_create(struct vcpu *v, const struct guest_boot_state *bs)
{
	static const uint32_t owned_msrs[] = {
		MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR,
		MSR_LSTAR, 0xc0000083 /* CSTAR */, 0xc0000084 /* SFMASK */,
		MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP,
	};
	static const uint32_t area_msrs[VMX_NR_GUEST_MSRS] = {
		MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, 0xc0000083,
		0xc0000084,
	};
	struct vmx_vcpu *s;
	uint64_t pa, io_pa, bm_pa;
	uint8_t *bm;

	BUILD_BUG_ON(sizeof(struct vmx_vcpu) + sizeof(struct vmx_pages) >
		     PAGE_SIZE);
	s = hv_pages_alloc(0, &pa, 0);
	if (!s)
		return -VMI_ENOMEM;
	v->vendor = s;
	s->vmcs = hv_pages_alloc(0, &s->vmcs_pa, 0);
	s->msr_area = hv_pages_alloc(0, &s->msr_area_pa, 0);
	if (!s->vmcs || !s->msr_area ||
	    !hv_pages_alloc(0, &s->vapic_pa, 0) ||
	    !hv_pages_alloc(1, &io_pa, 0xff))
		return -VMI_ENOMEM; /* vmx_vcpu_destroy() frees what exists */
	((struct vmx_pages *)(s + 1))->io_pa = io_pa;
	bm = hv_pages_alloc(0, &bm_pa, 0xff);
	if (!bm)
		return -VMI_ENOMEM;
	((struct vmx_pages *)(s + 1))->msr_bm_pa = bm_pa;
	for (unsigned int i = 0; i < sizeof(owned_msrs) / sizeof(owned_msrs[0]);
	     i++)
		msr_bitmap_allow(bm, owned_msrs[i]);
	for (unsigned int i = 0; i < VMX_NR_GUEST_MSRS; i++)
		s->msr_area[i].index = area_msrs[i];
	*(uint32_t *)s->vmcs = vmx_caps.revision; /* 24.2 */
	if (v->id == 0)
		s->boot = *bs;
	s->dr6 = HVM_DR6_RESET;
	return 0;
}

static void free_page_pa(uint64_t pa, unsigned int order)
{
	if (pa)
		hv_frame_free(pa >> PAGE_SHIFT, order, FRAME_OWNER_HYPERVISOR);
}

static void vmx_vcpu_destroy(struct vcpu *v)
{
	struct vmx_vcpu *s = to_vmx(v);
	struct vmx_pages *p;

	if (!s)
		return;
	BUG_ON(s->loaded);
	if (vmx_caps.vpid)
		log_dom(LOG_INFO, v->dom, "vCPU %u: %lu VPIDs taken, %lu full "
			"TLB flushes on VPID wrap (%u VPIDs per CPU)", v->id,
			s->vpid.assigned, s->vpid.full_flushes, vpids[0].max);
	if (s->cache_insns)
		log_dom(LOG_INFO, v->dom, "vCPU %u: %lu WBINVD/INVD ignored",
			v->id, s->cache_insns);
	p = (struct vmx_pages *)(s + 1);
	free_page_pa(s->vmcs_pa, 0);
	free_page_pa(s->msr_area_pa, 0);
	free_page_pa(s->vapic_pa, 0);
	free_page_pa(p->io_pa, 1);
	free_page_pa(p->msr_bm_pa, 0);
	hv_frame_free(va_to_pa(s) >> PAGE_SHIFT, 0, FRAME_OWNER_HYPERVISOR);
	v->vendor = NULL;
}

/* loader_seg_attr_vmx() converts the VMCB packing of struct guest_seg;
 * a segment that is not present is "unusable" to VM entry (25.4.1). */
static uint32_t seg_ar(uint16_t attr)
{
	return (attr & 0x80) ? loader_seg_attr_vmx(attr) : AR_UNUSABLE;
}

static void write_seg(unsigned int seg, const struct guest_seg *g)
{
	vmcs_write(GUEST_ES_SELECTOR + 2 * seg, g->sel);
	vmcs_write(GUEST_ES_BASE + 2 * seg, g->base);
	vmcs_write(GUEST_ES_LIMIT + 2 * seg, g->limit);
	vmcs_write(GUEST_ES_AR + 2 * seg, seg_ar(g->attr));
}

/* Control registers, EFER, flags and segments from a boot state. */
static void load_guest_state(struct vcpu *v, const struct guest_boot_state *bs)
{
	struct vmx_vcpu *s = to_vmx(v);
	uint64_t efer = bs->efer & HVM_EFER_GUEST_BITS;
	bool lma = (efer & EFER_LME) && (bs->cr0 & CR0_PG);

	write_seg(VMX_SEG_ES, &bs->es);
	write_seg(VMX_SEG_CS, &bs->cs);
	write_seg(VMX_SEG_SS, &bs->ss);
	write_seg(VMX_SEG_DS, &bs->ds);
	write_seg(VMX_SEG_FS, &bs->fs);
	write_seg(VMX_SEG_GS, &bs->gs);
	write_seg(VMX_SEG_LDTR, &bs->ldtr);
	write_seg(VMX_SEG_TR, &bs->tr);
	vmcs_write(GUEST_GDTR_BASE, bs->gdtr.base);
	vmcs_write(GUEST_GDTR_LIMIT, bs->gdtr.limit);
	vmcs_write(GUEST_IDTR_BASE, bs->idtr.base);
	vmcs_write(GUEST_IDTR_LIMIT, bs->idtr.limit);
	s->cr0_shadow = bs->cr0;
	s->cr4_shadow = bs->cr4;
	vmcs_write(GUEST_CR0, vmx_cr0_actual(bs->cr0));
	vmcs_write(CR0_READ_SHADOW, bs->cr0);
	vmcs_write(GUEST_CR3, bs->cr3);
	vmcs_write(GUEST_CR4, (bs->cr4 | vmx_caps.cr4_fixed0) &
				      vmx_caps.cr4_fixed1);
	vmcs_write(CR4_READ_SHADOW, bs->cr4);
	vmcs_write(GUEST_IA32_EFER, lma ? efer | HVM_EFER_LMA
					: efer & ~HVM_EFER_LMA);
	vmx_set_entry_ia32e(lma);
	vmcs_write(GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	s->inject_info = 0;
	s->nmi_pending = false;
	hvm_boot_regs(v, bs);
}

/* State after INIT then SIPI (SDM vol. 3A, 9.1.1 table 9-1; the SIPI
 * vector VV starts the AP at VV00:0000).  Unrestricted guest lets it run
 * in real mode as it is (26.3.1.2). */
static void vmx_start_ap(struct vcpu *v, uint8_t sipi_vector)
{
	struct guest_boot_state bs;
	const struct guest_seg data = { 0, 0x93, 0xffff, 0 };

	memset(&bs, 0, sizeof(bs));
	bs.cs = (struct guest_seg){ (uint16_t)(sipi_vector << 8), 0x9b, 0xffff,
				    (uint64_t)sipi_vector << 12 };
	bs.ds = bs.es = bs.fs = bs.gs = bs.ss = data;
	bs.tr = (struct guest_seg){ 0, 0x8b, 0xffff, 0 };
	bs.ldtr = (struct guest_seg){ 0, 0x82, 0xffff, 0 };
	bs.gdtr.limit = 0xffff;
	bs.idtr.limit = 0xffff;
	bs.cr0 = 0x60000010; /* CD, NW, ET */
	bs.rflags = 2;
	load_guest_state(v, &bs);
	v->regs.rdx = 0x600; /* family/model/stepping, like a reset */
	/* The debug registers too, the live DR0-DR3 and DR6 included: this
	 * runs between vcpu_load and vcpu_put. */
	{
		static const uint64_t zero[4];

		to_vmx(v)->dr6 = HVM_DR6_RESET;
		hvm_dr_load(zero);
		hvm_dr6_write(HVM_DR6_RESET);
		vmcs_write(GUEST_DR7, HVM_DR7_RESET);
	}
}

static uint16_t read_sel(int which)
{
	uint16_t sel;

	if (which == 0)
		asm volatile("mov %%fs, %0" : "=r"(sel));
	else
		asm volatile("mov %%gs, %0" : "=r"(sel));
	return sel & ~7u; /* 26.2.3: RPL and TI must be 0 */
}

/* Host state (25.5, checked by 26.2.2-26.2.4): what VM exit restores. */
static void write_host_state(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr, idtr;

	asm volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
	vmcs_write(HOST_CR0, read_cr0());
	vmcs_write(HOST_CR3, read_cr3());
	vmcs_write(HOST_CR4, read_cr4());
	vmcs_write(HOST_CS_SELECTOR, GDT_CS64);
	vmcs_write(HOST_SS_SELECTOR, GDT_DS);
	vmcs_write(HOST_DS_SELECTOR, GDT_DS);
	vmcs_write(HOST_ES_SELECTOR, GDT_DS);
	vmcs_write(HOST_FS_SELECTOR, read_sel(0));
	vmcs_write(HOST_GS_SELECTOR, read_sel(1));
	vmcs_write(HOST_TR_SELECTOR, GDT_TSS);
	vmcs_write(HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	/* Per-CPU data lives at the GS base (percpu.h). */
	vmcs_write(HOST_GS_BASE, rdmsr(MSR_GS_BASE));
	vmcs_write(HOST_TR_BASE, (uint64_t)&this_cpu()->tss);
	vmcs_write(HOST_GDTR_BASE, gdtr.base);
	vmcs_write(HOST_IDTR_BASE, idtr.base);
	vmcs_write(HOST_SYSENTER_CS, 0);
	vmcs_write(HOST_SYSENTER_ESP, 0);
	vmcs_write(HOST_SYSENTER_EIP, 0);
	if (exit_ctl & EXIT_LOAD_PAT)
		vmcs_write(HOST_IA32_PAT, rdmsr(MSR_PAT));
	if (exit_ctl & EXIT_LOAD_EFER)
		vmcs_write(HOST_IA32_EFER, rdmsr(MSR_EFER));
	vmcs_write(HOST_RIP, (uint64_t)vmx_exit_point);
	/* HOST_RSP is written by vmx_enter() on each entry. */
}

static void setup_vmcs(struct vcpu *v)
{
	struct vmx_vcpu *s = to_vmx(v);
	struct vmx_pages *p = (struct vmx_pages *)(s + 1);
	uint64_t cr0_mask, cr4_mask;

	write_host_state();

	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, pin_ctl);
	s->proc = proc_ctl;
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, s->proc);
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, proc2_ctl);
	vmcs_write(VM_EXIT_CONTROLS, exit_ctl);
	vmcs_write(VM_ENTRY_CONTROLS, entry_ctl);
	/* #DB and #AC, so a guest cannot wedge the CPU in an endless
	 * delivery loop (the erratum class behind CVE-2015-5307/8104);
	 * #MC, which belongs to the host. */
	vmcs_write(EXCEPTION_BITMAP, (1u << 1) | (1u << 17) | (1u << 18));
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(IO_BITMAP_A, p->io_pa);
	vmcs_write(IO_BITMAP_B, p->io_pa + PAGE_SIZE);
	vmcs_write(MSR_BITMAP, p->msr_bm_pa);
	vmcs_write(VM_ENTRY_MSR_LOAD_ADDR, s->msr_area_pa);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, VMX_NR_GUEST_MSRS);
	vmcs_write(VM_EXIT_MSR_STORE_ADDR, s->msr_area_pa);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, VMX_NR_GUEST_MSRS);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	/* 25.6.5: the guest reads TSC + offset (see time_tsc_origin). */
	vmcs_write(TSC_OFFSET, -time_tsc_origin());
	/* The TPR shadow keeps MOV CR8 off the real TPR (29.3). */
	vmcs_write(VIRTUAL_APIC_PAGE_ADDR, s->vapic_pa);
	vmcs_write(TPR_THRESHOLD, 0);
	vmcs_write(EPT_POINTER, ept_pointer(&v->dom->npt, false));
	/* VIRTUAL_PROCESSOR_ID is written before each entry (hvm/asid.c). */
	s->vpid_in_vmcs = 0;
	vmcs_write(VMCS_LINK_POINTER, ~0ull);
	/* CR bits the CPU forces (NE, VMXE) or forbids are owned by us: the
	 * guest reads its own value from the shadow; writes that change
	 * them exit (25.6.6). */
	cr0_mask = ((vmx_caps.cr0_fixed0 & ~(CR0_PE | CR0_PG)) |
		    ~vmx_caps.cr0_fixed1) & 0xffffffffull;
	cr4_mask = vmx_caps.cr4_fixed0 | ~vmx_caps.cr4_fixed1;
	/* And the CR4 bits the guest's CPUID does not define, so writes
	 * setting them exit and take a #GP (hvm/crcheck.h). */
	cr4_mask |= ~hvm_cr4_allowed(vmx_features(v));
	s->cr0_mask = cr0_mask;
	s->cr4_mask = cr4_mask;
	vmcs_write(CR0_GUEST_HOST_MASK, cr0_mask);
	vmcs_write(CR4_GUEST_HOST_MASK, cr4_mask);

	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_DR7, 0x400);
	vmcs_write(GUEST_IA32_PAT, 0x0007040600070406ull); /* power-on */
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	if (v->id == 0)
		load_guest_state(v, &s->boot);
	else
		vmx_start_ap(v, 0);
	if (v->id == 0 && !strcmp(hv_config.bad_entry, v->dom->name)) {
		/* Test hook (docs/cmdline.md): CR0.NE is fixed to 1 in VMX
		 * operation (A.7), so this entry must fail. */
		log_dom(LOG_WARN, v->dom, "badentry: vCPU 0 gets CR0.NE clear");
		vmcs_write(GUEST_CR0, vmcs_read(GUEST_CR0) & ~CR0_NE);
	}
	/* An EPT root reused from an earlier domain may still have
	 * translations cached on this CPU. */
	invept_all();
	invvpid_all();
}

static void vmx_vcpu_load(struct vcpu *v)
{
	struct vmx_vcpu *s = to_vmx(v);

	if (!s->set_up && VMX_INSN_MEM("vmclear", s->vmcs_pa))
		panic("VMCLEAR of a new VMCS failed");
	if (VMX_INSN_MEM("vmptrld", s->vmcs_pa))
		panic("VMPTRLD %#lx failed: %s", s->vmcs_pa,
		      vmx_insn_error_name((uint32_t)vmcs_read(
			      VM_INSTRUCTION_ERROR)));
	s->loaded = true;
	if (!s->set_up) {
		setup_vmcs(v);
		s->set_up = true;
	}
	s->launched = false;
	/* DR0-DR3 and DR6 are the vCPU's until vcpu_put (debugreg.h). */
	hvm_dr_load(s->dr);
	hvm_dr6_write(s->dr6);
}

static void vmx_vcpu_put(struct vcpu *v)
{
	struct vmx_vcpu *s = to_vmx(v);

	hvm_dr_save(s->dr);
	s->dr6 = hvm_dr6_read();
	if (VMX_INSN_MEM("vmclear", s->vmcs_pa))
		panic("VMCLEAR %#lx failed", s->vmcs_pa);
	s->loaded = false;
	s->launched = false;
}

static void vmx_vcpu_enter(struct vcpu *v, struct hvm_exit *x)
{
	struct vmx_vcpu *s = to_vmx(v);
	uint64_t t0;
	int ret;

	if (v->dom->npt.need_flush) {
		invept_all();
		v->dom->npt.need_flush = false;
	}
	if (vmx_caps.vpid) {
		/*
		 * Linear and combined mappings are tagged with the VPID (SDM
		 * vol. 3C, 28.3.1): one must never carry another vCPU's
		 * entries on this CPU, nor this vCPU's from before it last
		 * left the CPU (hvm/asid.c).  A new generation flushes all
		 * VPIDs, a flush request the vCPU's own (28.3.3.3).
		 */
		unsigned int cpu = this_cpu_id();
		int tlb = asid_assign(&vpids[cpu], &s->vpid, cpu);

		if (s->vpid.asid != s->vpid_in_vmcs) {
			vmcs_write(VIRTUAL_PROCESSOR_ID, s->vpid.asid);
			s->vpid_in_vmcs = s->vpid.asid;
		}
		if (tlb == ASID_TLB_FLUSH_ALL)
			invvpid_all();
		else if (tlb == ASID_TLB_FLUSH_OWN)
			invvpid_one((uint16_t)s->vpid.asid);
	}
	vmcs_write(GUEST_RSP, v->regs.rsp);
	vmcs_write(GUEST_RIP, v->regs.rip);
	vmcs_write(GUEST_RFLAGS, v->regs.rflags);
	if (s->inject_info) {
		vmcs_write(VM_ENTRY_INTR_INFO, s->inject_info);
		if (s->inject_info & INTR_INFO_DELIVER_ERR)
			vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, s->inject_err);
		vmcs_write(VM_ENTRY_INSTRUCTION_LEN, s->inject_len);
	}

	irq_disable();
	if (read_cr2() != s->cr2)
		write_cr2(s->cr2);
	t0 = rdtsc();
	ret = vmx_enter(&v->regs, s->launched);
	s->cr2 = read_cr2();
	/* Stored whole: the management agent reads it from CPU 0. */
	__atomic_store_n(&v->run_tsc, v->run_tsc + rdtsc() - t0,
			 __ATOMIC_RELAXED);
	if (ret) {
		uint32_t err = ret == 2 ? (uint32_t)vmcs_read(VM_INSTRUCTION_ERROR)
					: 0;

		irq_enable();
		memset(x, 0, sizeof(*x));
		x->reason = HVM_EXIT_ENTRY_FAILED;
		x->raw = err;
		vmx_explain_entry_failure(v->dom, v->id, err, 0);
		return;
	}
	s->launched = true;
	/* An NMI that arrived in the guest was consumed by the exit (NMI
	 * exiting): hand it to the host's own handler (27.2.2). */
	if ((vmcs_read(VM_EXIT_REASON) & 0xffff) == EXIT_REASON_EXCEPTION_NMI &&
	    ((vmcs_read(VM_EXIT_INTR_INFO) >> INTR_INFO_TYPE_SHIFT) & 7) ==
		    INTR_TYPE_NMI)
		asm volatile("int $2");
	irq_enable(); /* a pending host interrupt is taken here */

	s->inject_info = 0;
	v->regs.rsp = vmcs_read(GUEST_RSP);
	v->regs.rip = vmcs_read(GUEST_RIP);
	v->regs.rflags = vmcs_read(GUEST_RFLAGS);
	vmx_decode_exit(v, x);
}

static void vmx_skip_insn(struct vcpu *v, unsigned int len)
{
	uint64_t st = vmcs_read(GUEST_INTERRUPTIBILITY);

	v->regs.rip += len;
	/* An instruction retired: no STI or MOV SS shadow (25.4.2). */
	if (st & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
		vmcs_write(GUEST_INTERRUPTIBILITY,
			   st & ~(uint64_t)(INTERRUPTIBILITY_STI |
					    INTERRUPTIBILITY_MOV_SS));
}

static bool vmx_event_pending(struct vcpu *v)
{
	struct vmx_vcpu *s = to_vmx(v);

	return (s->inject_info & INTR_INFO_VALID) || s->nmi_pending;
}

static bool vmx_intr_allowed(struct vcpu *v)
{
	return (v->regs.rflags & RFLAGS_IF) &&
	       !(vmcs_read(GUEST_INTERRUPTIBILITY) &
		 (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) &&
	       !vmx_event_pending(v);
}

/* Interrupt window (25.6.2): exit as soon as the guest can take one. */
static void vmx_set_intr_window(struct vcpu *v, bool on)
{
	struct vmx_vcpu *s = to_vmx(v);
	uint32_t proc = on ? s->proc | CPU_INTR_WINDOW_EXITING
			   : s->proc & ~CPU_INTR_WINDOW_EXITING;

	if (proc != s->proc) {
		s->proc = proc;
		vmcs_write(CPU_BASED_VM_EXEC_CONTROL, proc);
	}
}

static int vmx_guest_mode(struct vcpu *v)
{
	uint64_t ar = vmcs_read(GUEST_ES_AR + 2 * VMX_SEG_CS);

	(void)v;
	if (!(vmcs_read(GUEST_CR0) & CR0_PE))
		return HVM_MODE_REAL;
	if ((vmcs_read(GUEST_IA32_EFER) & HVM_EFER_LMA) && (ar & AR_L))
		return HVM_MODE_LONG64;
	return (ar & AR_DB) ? HVM_MODE_PROT32 : HVM_MODE_PROT16;
}

/* @seg in x86 order (ES CS SS DS FS GS); the VMCS numbers them so too. */
static uint64_t vmx_seg_base(struct vcpu *v, unsigned int seg)
{
	(void)v;
	return seg < 6 ? vmcs_read(GUEST_ES_BASE + 2 * seg) : 0;
}

/* CPL is SS.DPL, access-rights bits 6:5 (SDM vol. 3C, 26.3.1.5). */
static unsigned int vmx_cpl(struct vcpu *v)
{
	(void)v;
	return (vmcs_read(GUEST_ES_AR + 2 * VMX_SEG_SS) >> 5) & 3;
}

/* Access rights (24.4.1) folded to the VMCB's 12-bit attributes;
 * "unusable" (bit 16) clears P. */
static void vmx_seg_limit(struct vcpu *v, unsigned int seg, uint32_t *limit,
			  uint32_t *attr)
{
	uint32_t ar = seg < 6 ? (uint32_t)vmcs_read(GUEST_ES_AR + 2 * seg) : 0;

	(void)v;
	*limit = seg < 6 ? (uint32_t)vmcs_read(GUEST_ES_LIMIT + 2 * seg) : 0;
	*attr = (ar & 0xff) | ((ar >> 4) & 0xf00);
	if (ar & (1u << 16))
		*attr &= ~0x80u;
}

/* The guest's CR2 is the CPU's while it runs (the VMCS has none): the
 * emulator sets it on the vCPU's CPU just before the entry. */
static void vmx_set_cr2(struct vcpu *v, uint64_t cr2)
{
	to_vmx(v)->cr2 = cr2; /* loaded at the next entry */
}

static void vmx_get_ctrl(struct vcpu *v, uint64_t *cr0, uint64_t *cr3,
			 uint64_t *cr4, uint64_t *efer)
{
	(void)v;
	*cr0 = vmcs_read(GUEST_CR0);
	*cr3 = vmcs_read(GUEST_CR3);
	*cr4 = vmcs_read(GUEST_CR4);
	*efer = vmcs_read(GUEST_IA32_EFER);
}

static void seg_line(const char *name, unsigned int seg)
{
	log_err("  %s %04lx ar %05lx base %lx limit %lx", name,
		vmcs_read(GUEST_ES_SELECTOR + 2 * seg),
		vmcs_read(GUEST_ES_AR + 2 * seg),
		vmcs_read(GUEST_ES_BASE + 2 * seg),
		vmcs_read(GUEST_ES_LIMIT + 2 * seg));
}

static void vmx_dump(struct vcpu *v)
{
	struct vmx_vcpu *s = to_vmx(v);
	bool was_loaded = s->loaded;

	if (!s->set_up) {
		log_err("  (VMCS never set up: the vCPU has not run)");
		return;
	}
	if (!was_loaded && VMX_INSN_MEM("vmptrld", s->vmcs_pa))
		return;
	/* v->regs holds RIP, RSP and RFLAGS between runs. */
	log_err("  rip %016lx rsp %016lx rflags %08lx", v->regs.rip,
		v->regs.rsp, v->regs.rflags);
	log_err("  cr0 %08lx (guest sees %08lx) cr3 %08lx cr4 %08lx (guest "
		"sees %08lx) efer %lx",
		vmcs_read(GUEST_CR0), s->cr0_shadow, vmcs_read(GUEST_CR3),
		vmcs_read(GUEST_CR4), s->cr4_shadow, vmcs_read(GUEST_IA32_EFER));
	seg_line("cs", VMX_SEG_CS);
	seg_line("ss", VMX_SEG_SS);
	log_err("  exit reason %#lx qual %#lx intr-info %#lx idt-vectoring "
		"%#lx interruptibility %#lx activity %lu",
		vmcs_read(VM_EXIT_REASON), vmcs_read(EXIT_QUALIFICATION),
		vmcs_read(VM_EXIT_INTR_INFO), vmcs_read(IDT_VECTORING_INFO),
		vmcs_read(GUEST_INTERRUPTIBILITY),
		vmcs_read(GUEST_ACTIVITY_STATE));
	if (!was_loaded)
		VMX_INSN_MEM("vmclear", s->vmcs_pa);
}

/*
 * Before the vCPU's next entry: its linear and combined mappings (its
 * VPID), and with HVM_FLUSH_NESTED the guest-physical ones derived from
 * the EPT (INVEPT, all contexts).
 */
static void vmx_flush_tlb(struct vcpu *v, uint32_t what)
{
	if (what & HVM_FLUSH_NESTED)
		invept_all();
	/* INVVPID single-context at the entry, or a fresh VPID. */
	if (vmx_caps.vpid)
		asid_flush(&to_vmx(v)->vpid);
}

static const struct hvm_ops vmx_ops = {
	.name = "VT-x",
	.hypercall = { 0x0f, 0x01, 0xc1 }, /* VMCALL, SDM vol. 2 */
	.vmi_container = VMI_CONTAINER_HV_VMX,
	.nested_fmt = &ept_fmt,
	.cpu_enable = vmx_cpu_enable,
	.vcpu_create = vmx_vcpu_create,
	.vcpu_destroy = vmx_vcpu_destroy,
	.vcpu_load = vmx_vcpu_load,
	.vcpu_put = vmx_vcpu_put,
	.vcpu_enter = vmx_vcpu_enter,
	.skip_insn = vmx_skip_insn,
	.vcpu_start_ap = vmx_start_ap,
	.vcpu_set_state = load_guest_state,
	.event_pending = vmx_event_pending,
	.intr_allowed = vmx_intr_allowed,
	.inject_event = vmx_inject,
	.set_intr_window = vmx_set_intr_window,
	.guest_mode = vmx_guest_mode,
	.seg_base = vmx_seg_base,
	.get_ctrl = vmx_get_ctrl,
	.cpl = vmx_cpl,
	.seg_limit = vmx_seg_limit,
	.set_cr2 = vmx_set_cr2,
	.flush_tlb = vmx_flush_tlb,
	.dump = vmx_dump,
};

const struct hvm_ops *vmx_probe(void)
{
	struct cpuid_regs r;
	uint64_t basic, fc, p2 = 0;
	bool tru;

	cpuid_count(1, 0, &r);
	if (!(r.ecx & (1u << 5)))
		return NULL;
	if (rdmsr_safe(MSR_FEATURE_CONTROL, &fc))
		return NULL;
	if ((fc & FC_LOCK) && !(fc & FC_VMX_OUTSIDE_SMX))
		return NULL; /* reported by the capability probe */
	basic = rdmsr(MSR_VMX_BASIC);
	vmx_caps.revision = basic & 0x7fffffff;
	tru = basic & (1ull << 55); /* A.1: TRUE_* control MSRs exist */
	vmx_caps.cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	vmx_caps.cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	vmx_caps.cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	vmx_caps.cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);

	if (!derive(CTL_PIN,
		    rdmsr(tru ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED),
		    PIN_EXTINT_EXITING | PIN_NMI_EXITING | PIN_VIRTUAL_NMIS, 0,
		    &pin_ctl) ||
	    !derive(CTL_PROC,
		    rdmsr(tru ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED),
		    CPU_HLT_EXITING | CPU_TSC_OFFSETTING | CPU_USE_IO_BITMAPS |
			    CPU_USE_MSR_BITMAPS | CPU_TPR_SHADOW |
			    CPU_MWAIT_EXITING | CPU_MONITOR_EXITING |
			    CPU_SECONDARY,
		    0, &proc_ctl))
		return NULL;
	/* CR3, CR8, INVLPG and RDTSC exiting stay 0 unless the CPU
	 * insists (allowed-0 settings): EPT gives the guest CR3, the TPR
	 * shadow CR8 (25.6.2, A.3.2). */
	p2 = rdmsr(MSR_VMX_PROCBASED2);
	vmx_caps.vpid = (p2 >> 32) & CPU2_VPID;
	/* WBINVD exiting where offered (without it WBINVD runs, which
	 * costs time but loses nothing); the debug controls switch DR7 and
	 * IA32_DEBUGCTL (25.7.1, 25.8.1; default1 bits every CPU has). */
	if (!derive(CTL_PROC2, p2, CPU2_EPT | CPU2_UNRESTRICTED,
		    CPU2_VPID | CPU2_WBINVD_EXITING, &proc2_ctl) ||
	    !derive(CTL_EXIT, rdmsr(tru ? MSR_VMX_TRUE_EXIT : MSR_VMX_EXIT),
		    EXIT_HOST_ADDR_SPACE_SIZE | EXIT_SAVE_EFER |
			    EXIT_LOAD_EFER | EXIT_SAVE_PAT | EXIT_LOAD_PAT |
			    EXIT_SAVE_DEBUG,
		    0, &exit_ctl) ||
	    !derive(CTL_ENTRY, rdmsr(tru ? MSR_VMX_TRUE_ENTRY : MSR_VMX_ENTRY),
		    ENTRY_LOAD_EFER | ENTRY_LOAD_PAT | ENTRY_LOAD_DEBUG, 0,
		    &entry_ctl))
		return NULL;
	vmx_caps.ept_vpid = rdmsr(MSR_VMX_EPT_VPID_CAP);
	if (!(vmx_caps.ept_vpid & CAP_INVEPT) ||
	    !(vmx_caps.ept_vpid & CAP_INVEPT_ALL) ||
	    !(vmx_caps.ept_vpid & (1u << 6)) /* 4-level walk */ ||
	    !(vmx_caps.ept_vpid & (1u << 14)) /* WB tables */) {
		log_warn("VT-x unusable: EPT lacks INVEPT all-context, a "
			 "4-level walk or write-back tables");
		return NULL;
	}
	if (vmx_caps.vpid && (!(vmx_caps.ept_vpid & CAP_INVVPID) ||
			      !(vmx_caps.ept_vpid & CAP_INVVPID_ALL))) {
		vmx_caps.vpid = false; /* cannot flush it: do without */
		proc2_ctl &= ~CPU2_VPID;
	}
	vmx_caps.pin_cap = rdmsr(tru ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED);
	vmx_caps.proc_cap = rdmsr(tru ? MSR_VMX_TRUE_PROCBASED
				      : MSR_VMX_PROCBASED);
	vmx_caps.proc2_cap = p2;
	vmx_caps.exit_cap = rdmsr(tru ? MSR_VMX_TRUE_EXIT : MSR_VMX_EXIT);
	vmx_caps.entry_cap = rdmsr(tru ? MSR_VMX_TRUE_ENTRY : MSR_VMX_ENTRY);
	return &vmx_ops;
}
