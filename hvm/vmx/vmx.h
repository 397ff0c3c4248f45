/* Private to the VT-x backend. */
#ifndef HVM_VMX_PRIVATE_H
#define HVM_VMX_PRIVATE_H

#include <hvm/hvm.h>
#include <hvm/loader.h>
#include <hvm/asid.h>
#include <hvm/crcheck.h>
#include <trivisor/domain.h>
#include "vmcs.h"

/* Guest MSRs that VM entry loads and VM exit stores (SDM vol. 3C, 25.7.2,
 * 25.8.2): the SYSCALL MSRs and KernelGSbase.  The hypervisor never uses
 * SYSCALL or SWAPGS in ring 0, so their host values do not matter and are
 * not reloaded on exit. */
#define VMX_NR_GUEST_MSRS 5

struct vmx_msr_entry {
	uint32_t index;
	uint32_t reserved;
	uint64_t value;
};

/*
 * Per-vCPU state; v->vendor points here.  Touched only by the CPU the
 * vCPU is pinned to.  The VMCS is current on that CPU only between
 * vcpu_load and vcpu_put, so no other CPU can hold it cached.
 */
struct vmx_vcpu {
	void *vmcs;
	uint64_t vmcs_pa;
	uint64_t msr_area_pa;
	struct vmx_msr_entry *msr_area; /* 16-byte aligned (25.7.2) */
	uint64_t vapic_pa; /* TPR shadow page */
	bool set_up; /* the VMCS holds the vCPU's state */
	bool loaded; /* current on this CPU */
	bool launched; /* VMRESUME, not VMLAUNCH */
	bool nmi_pending; /* waits for NMI blocking to end */
	uint32_t proc; /* cached primary processor-based controls */
	uint32_t inject_info; /* VM_ENTRY_INTR_INFO for the next entry */
	uint32_t inject_err;
	uint32_t inject_len;
	uint64_t cr0_shadow, cr4_shadow; /* what the guest believes */
	struct asid_vcpu vpid; /* its VPID on the CPU it last ran on */
	uint32_t vpid_in_vmcs; /* VIRTUAL_PROCESSOR_ID as written; 0 = not */
	uint64_t dr[4], dr6; /* DR0-DR3, DR6 while off the CPU (debugreg.h) */
	/* The guest's CR2: the VMCS has no field for it (SDM vol. 3C, 25.4
	 * lists none), so it is loaded before each entry and read back after
	 * the exit, or another vCPU's page fault on this CPU would show. */
	uint64_t cr2;
	uint64_t cache_insns; /* WBINVD and INVD, emulated as no-ops */
	uint64_t cr0_mask, cr4_mask; /* CR guest/host masks as written */
	struct hvm_cr_features feat; /* the guest's CPUID, for CR4/EFER */
	bool feat_valid; /* feat filled (at set-up) */
	struct guest_boot_state boot; /* vCPU 0's entry state */
};

static inline struct vmx_vcpu *to_vmx(struct vcpu *v)
{
	return v->vendor;
}

/* VMREAD/VMWRITE on the current VMCS (SDM vol. 3C, 31.3).  A failing
 * VMWRITE is a hypervisor bug: vmcs_write() names the field and panics. */
static inline uint64_t vmcs_read(uint32_t field)
{
	uint64_t v;

	asm volatile("vmread %1, %0" : "=rm"(v) : "r"((uint64_t)field) : "cc");
	return v;
}

void vmcs_write_named(uint32_t field, uint64_t val, const char *name);
#define vmcs_write(f, v) vmcs_write_named(f, v, #f)

/* Capability-derived values, set by vmx_probe(). */
struct vmx_caps {
	/* Capability MSRs (A.3-A.5): allowed-0 in 31:0, allowed-1 in 63:32. */
	uint64_t pin_cap, proc_cap, proc2_cap, exit_cap, entry_cap;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint64_t ept_vpid;
	uint32_t revision;
	bool vpid;
};
extern struct vmx_caps vmx_caps;

/* exit.c */
void vmx_decode_exit(struct vcpu *v, struct hvm_exit *x);
void vmx_inject(struct vcpu *v, unsigned int type, uint8_t vector,
		bool has_err, uint32_t err);
/* cr.c: exiting MOV to CR0/CR4; 0, or -1 for #GP. */
int vmx_set_cr0(struct vcpu *v, uint64_t val);
int vmx_set_cr4(struct vcpu *v, uint64_t val);
/* The guest's CPUID words that decide CR4 and EFER bits (crcheck.h). */
const struct hvm_cr_features *vmx_features(struct vcpu *v);
/* CR0 as VMX operation needs it (fixed bits, unrestricted guest). */
uint64_t vmx_cr0_actual(uint64_t cr0);
/* The "IA-32e mode guest" entry control, following EFER.LMA. */
void vmx_set_entry_ia32e(bool on);
/* check.c: explain a failed VM entry, naming the fields at fault. */
void vmx_explain_entry_failure(struct domain *d, unsigned int vcpu_id,
			       uint32_t insn_error, uint32_t reason);
const char *vmx_insn_error_name(uint32_t err);

/* entry.S: 0 after a VM exit, 1 VMfailInvalid, 2 VMfailValid. */
int vmx_enter(struct vcpu_regs *regs, int launched);

#endif
