/* Private to the AMD-V backend. */
#ifndef HVM_SVM_PRIVATE_H
#define HVM_SVM_PRIVATE_H

#include <hvm/hvm.h>
#include <trivisor/domain.h>
#include <hvm/asid.h>
#include <hvm/crcheck.h>
#include "vmcb.h"

/* Per-vCPU state; v->vendor points here.  Touched only by the CPU the
 * vCPU is pinned to. */
struct svm_vcpu {
	struct vmcb *vmcb;
	uint64_t vmcb_pa;
	uint8_t *iopm;
	uint64_t iopm_pa;
	uint8_t *msrpm;
	uint64_t msrpm_pa;
	struct asid_vcpu asid; /* its ASID on the CPU it last ran on */
	uint64_t dr[4]; /* DR0-DR3 while off the CPU (hvm/debugreg.h) */
	uint64_t cache_insns; /* WBINVD and INVD, emulated as no-ops */
	struct hvm_cr_features feat; /* the guest's CPUID, for CR4/EFER */
	bool feat_valid; /* feat filled (at the first check) */
	/*
	 * Virtual NMI blocking (without vNMI the VMCB keeps none, so the
	 * hypervisor tracks it, as KVM does): set when an NMI is injected,
	 * cleared once the guest's IRET has retired (the IRET intercept
	 * records its RIP; the first exit at another RIP means it ran).  An
	 * NMI raised meanwhile waits in nmi_pending.  APM vol. 2, 15.20 and
	 * 8.2.2; SDM vol. 3A, 6.7.1.
	 */
	bool nmi_masked;
	bool nmi_pending;
	bool iret_pending;
	uint64_t iret_rip;
};

static inline struct svm_vcpu *to_svm(struct vcpu *v)
{
	return v->vendor;
}

/* CPUID 8000_000A EDX[3]: the VMCB's NextRIP is written on exits. */
extern bool svm_nrips;

/* The guest's CPUID words that decide CR4 and EFER bits (crcheck.h). */
const struct hvm_cr_features *svm_features(struct vcpu *v);

void svm_enter(struct vcpu_regs *regs, uint64_t vmcb_pa, uint64_t host_pa);
void svm_decode_exit(struct vcpu *v, struct hvm_exit *x);
void svm_reset_to_real_mode(struct vcpu *v, uint8_t sipi_vector);
/* After each exit: NMI blocking ends once the guest's IRET has run. */
void svm_nmi_exit(struct vcpu *v);

#endif
