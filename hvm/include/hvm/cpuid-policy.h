/*
 * The CPUID a guest of the hardware container sees: the host's, filtered
 * to what trivisor emulates or passes through safely, plus the hypervisor
 * leaves at 0x40000000 (vmi/version.h).  Portable; host values come
 * through the hvm_cpu_io seam so the policy is unit-tested on recorded
 * CPUs.
 */
#ifndef HVM_CPUID_POLICY_H
#define HVM_CPUID_POLICY_H

#include <hvm/caps.h>

struct cpuid_guest {
	unsigned int vcpu_id; /* becomes the initial APIC id */
	unsigned int nr_vcpus;
	bool x2apic; /* the vLAPIC offers x2APIC mode */
	bool tsc_deadline; /* the vLAPIC offers TSC-deadline mode */
	uint32_t tsc_khz; /* reported in leaf 0x40000010 */
	uint32_t apic_bus_khz;
	bool vmi; /* a pv domain: leaves 0x40000001-3 describe the VMI ABI */
	uint32_t vmi_container; /* VMI_CONTAINER_* */
	uint32_t vmi_features; /* feature word 0 */
	uint32_t vmi_sections[4]; /* leaf 0x40000003 EAX..EDX */
	/* XSAVE: the XCR0 components offered (0: no XSAVE), the guest's
	 * XCR0 now, and its CR4.OSXSAVE (mirrored in leaf 1 ECX). */
	uint64_t xcr0_max;
	uint64_t xcr0;
	bool osxsave;
};

/* A value XSETBV may put in XCR0 for a guest offered MAX (SDM vol. 1,
 * 13.3): x87 set, AVX only with SSE, the AVX-512 parts together and only
 * with AVX, nothing outside MAX. */
bool hvm_xcr0_valid(uint64_t max, uint64_t val);

void hvm_cpuid_policy(const struct hvm_cpu_io *host,
		      const struct cpuid_guest *g, uint32_t leaf,
		      uint32_t subleaf, uint32_t out[4]);

#endif
