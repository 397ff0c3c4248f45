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
};

void hvm_cpuid_policy(const struct hvm_cpu_io *host,
		      const struct cpuid_guest *g, uint32_t leaf,
		      uint32_t subleaf, uint32_t out[4]);

#endif
