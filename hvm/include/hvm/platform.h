/*
 * A domain's virtual platform: its device models and how exits reach
 * them.  The run loop (hvm/run.c) calls these with no lock held; they
 * take the domain's device lock themselves.
 */
#ifndef HVM_PLATFORM_H
#define HVM_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

struct domain;
struct vcpu;

int hvm_platform_create(struct domain *d, char *why, unsigned int why_len);
void hvm_platform_destroy(struct domain *d);

/* Port I/O of @size bytes; *val in/out. */
void hvm_platform_pio(struct vcpu *v, uint16_t port, unsigned int size,
		      bool in, uint32_t *val);
/* Is @gpa emulated MMIO?  Then hvm_platform_mmio() handles accesses. */
bool hvm_platform_is_mmio(struct domain *d, uint64_t gpa);
void hvm_platform_mmio(struct vcpu *v, uint64_t gpa, unsigned int size,
		       bool write, uint64_t *val);
/* MSRs the platform owns (APIC base, x2APIC, TSC deadline): 1 handled,
 * 0 not ours, negative = #GP. */
int hvm_platform_msr(struct vcpu *v, uint32_t msr, bool write,
		     uint64_t *val);

/* Advance the device timers to now; returns the next deadline (ns). */
uint64_t hvm_platform_tick(struct vcpu *v, uint64_t now);
/* Highest-priority interrupt for @v: vector or -1; NMI through *nmi. */
int hvm_platform_pending(struct vcpu *v, bool *nmi);
void hvm_platform_ack(struct vcpu *v, int vector);
/* Does @v have anything that should wake it from HLT? */
bool hvm_platform_wake(struct vcpu *v);
/* Log @v's interrupt state: LAPIC registers, timer, PIC, PIT. */
void hvm_platform_dump(struct vcpu *v);
/* INIT/SIPI for an AP waiting to start: true with *vector on SIPI. */
bool hvm_platform_take_sipi(struct vcpu *v, uint8_t *vector);

/* The vLAPIC features offered through CPUID. */
/* Queue bytes for the guest's COM1 (at most what its FIFO has room for);
 * returns how many were taken. */
size_t hvm_platform_console_input(struct domain *d, const uint8_t *buf,
				  size_t n);
/* Bytes hvm_platform_console_input() would take now. */
size_t hvm_platform_console_room(struct domain *d);
/* Press the ACPI power button (PWRBTN_STS, raises the SCI if enabled). */
void hvm_platform_power_button(struct domain *d);
bool hvm_platform_x2apic(void);
bool hvm_platform_tsc_deadline(void);
uint32_t hvm_platform_apic_bus_khz(void);

#endif
