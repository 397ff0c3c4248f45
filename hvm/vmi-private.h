/*
 * Inside the VMI implementation (hvm/vmi*.c): each section of the ABI is
 * a struct vmi_section; hvm/vmi.c dispatches to it once the call number
 * is known, the section provided and declared by the guest.
 */
#ifndef HVM_VMI_PRIVATE_H
#define HVM_VMI_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

struct vcpu;

struct vmi_section {
	uint16_t version; /* major << 8 | minor */
	uint32_t features; /* feature word 0 bits it brings */
	/* NULL: the section is not provided (CPUID reports 0). */
	long (*call)(struct vcpu *v, uint32_t call, const uint64_t a[5]);
};

extern const struct vmi_section vmi_vcpu_section, vmi_time_section,
	vmi_event_section, vmi_mmu_section, vmi_memory_section;

struct domain;
struct vmi_shared_info;

/* Raise @v's VIRQ @virq if a port is bound to it. */
void vmi_raise_virq(struct vcpu *v, unsigned int virq);
/* The shared page changed to @shared (NULL: detached, every binding is
 * dropped). */
void vmi_events_reset(struct domain *d, struct vmi_shared_info *shared);

/* Take up to @n bytes of console input (CONSOLE_READ). */
size_t vmi_console_take(struct domain *d, uint8_t *buf, size_t n);

/* Log a refused call (rate-limited per domain) and return @err. */
long vmi_refuse(struct vcpu *v, uint32_t call, long err, const char *why);

#endif
