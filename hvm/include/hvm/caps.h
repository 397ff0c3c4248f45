/*
 * What virtualization hardware the CPU offers, decoded from CPUID and the
 * capability MSRs.  Portable: the CPUID/MSR reads come through a seam, so
 * the decoding is unit-tested on the host with recorded values.
 */
#ifndef HVM_CAPS_H
#define HVM_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hvm_cpu_io {
	void *ctx;
	void (*cpuid)(void *ctx, uint32_t leaf, uint32_t subleaf,
		      uint32_t out[4]);
	/* 0, or negative when the MSR does not exist (#GP). */
	int (*rdmsr)(void *ctx, uint32_t msr, uint64_t *val);
};

#define HVM_VENDOR_NONE 0
#define HVM_VENDOR_SVM 1
#define HVM_VENDOR_VMX 2

struct hvm_svm_caps {
	bool present; /* CPUID 0x80000001 ECX[2] */
	bool disabled; /* VM_CR.SVMDIS: firmware turned it off */
	uint32_t revision;
	uint32_t nr_asids;
	bool npt, lbrv, svml, nrips, tsc_scale, vmcb_clean, flush_by_asid,
		decode_assists, pause_filter, avic, vmsave_virt, vgif;
};

struct hvm_vmx_caps {
	bool present; /* CPUID.1 ECX[5] */
	bool disabled; /* IA32_FEATURE_CONTROL locked with VMX off */
	bool feature_control_locked;
	uint32_t vmcs_revision;
	uint32_t vmcs_size;
	bool true_ctls, secondary, preemption_timer;
	bool ept, vpid, unrestricted_guest;
	bool ept_4level, ept_wb, ept_2m, ept_1g, ept_ad, invept, invvpid;
};

struct hvm_caps {
	char vendor_string[13];
	int usable; /* HVM_VENDOR_*: the backend that can run */
	struct hvm_svm_caps svm;
	struct hvm_vmx_caps vmx;
};

/* The boot CPU's, probed once at boot (hypervisor/main.c). */
extern struct hvm_caps hvm_caps;

/* Read and decode everything; never fails (absent features read false). */
void hvm_caps_probe(const struct hvm_cpu_io *io, struct hvm_caps *caps);

/*
 * One-line summary, e.g. "SVM rev 1, 16 ASIDs: NPT, NRIPS ..." or
 * "VMX: EPT (4-level, WB, 2M), VPID, unrestricted guest".  Returns the
 * length snprintf would have produced.
 */
int hvm_caps_describe(const struct hvm_caps *caps, char *buf, size_t len);

/*
 * The features found, as short lowercase names ("svm", "npt", "nrips",
 * "vmx", "ept", "vpid", ...; "svm-disabled" or "vmx-disabled" when
 * firmware turned it off), at most @max into @out.  Returns how many
 * there are (may be more than @max).  The names are part of the
 * management protocol's version reply (docs/management-protocol.md).
 */
unsigned int hvm_caps_features(const struct hvm_caps *caps, const char **out,
			       unsigned int max);

/* Why no backend is usable, or NULL when one is. */
const char *hvm_caps_unusable_reason(const struct hvm_caps *caps);

/*
 * VT-x: a VM-execution, exit or entry control value from its capability
 * MSR @cap (SDM vol. 3D, A.3-A.5: bits 31:0 are the allowed-0 settings, a
 * 1 there must be 1; bits 63:32 the allowed-1 settings, a 0 there must be
 * 0).  Every bit of @need must be allowed; bits of @want are taken where
 * allowed.  Returns the bits of @need the CPU does not allow (0: *@out is
 * set).
 */
uint32_t hvm_vmx_ctl(uint64_t cap, uint32_t need, uint32_t want,
		     uint32_t *out);


#endif
