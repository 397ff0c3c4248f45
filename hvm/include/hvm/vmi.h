/*
 * The hypervisor side of the VMI ABI (docs/vmi-abi.md) for domains of
 * type pv in the hardware container: discovery values, the ROM MSR, and
 * the call dispatch behind the ROM's hypercall instruction.
 */
#ifndef HVM_VMI_H
#define HVM_VMI_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;
struct domain;
struct vmi_mm;

/* Per-domain VMI state; guarded by the domain's lock where noted. */
struct vmi_domain {
	bool enabled; /* a pv domain: VMI advertised */
	uint32_t declared; /* bit per VMI_SECTION_*: declared by the guest */
	uint64_t rom_msr; /* last value written to VMI_MSR_ROM */
	uint64_t shared_gpa; /* the shared page, 0 = none */
	unsigned int bad_calls; /* refused calls, for rate-limited logging */
	uint64_t calls[128]; /* calls made, per call number (VMI_NR_CALLS) */
	struct vmi_mm *mm; /* pins and ballooning (hvm/vmi-mm.c), or NULL */
};

/* Free what the mmu and memory sections hold for @d (domain teardown,
 * before its RAM is freed). */
void vmi_mm_release(struct domain *d);

/*
 * Is guest frame @gfn in use by the VMI ABI (the ROM, the shared page, a
 * vCPU area)?  Such a page cannot be given back (ballooned).
 */
bool vmi_page_in_use(struct domain *d, uint64_t gfn);

/* Feature word 0 this hypervisor offers a pv domain. */
uint32_t vmi_features(void);
/* Section versions for CPUID 0x40000003, major << 8 | minor, 0 = absent. */
uint16_t vmi_section_version(unsigned int section);
/* CPUID 0x40000003 EAX..EDX: the section versions, two per register. */
void vmi_cpuid_sections(uint32_t out[4]);

/*
 * VMI_MSR_ROM.  Returns 0 when @msr is not VMI's, 1 when handled, -1 for
 * #GP (not a pv domain, a misaligned or non-RAM address).
 */
int vmi_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val);

/*
 * The guest executed the ROM's hypercall instruction (@len bytes): do the
 * call in RAX with the arguments of its mode, put the result in RAX and
 * step over the instruction.  In a domain without VMI: #UD.
 */
void vmi_hypercall(struct vcpu *v, unsigned int len);

#endif
