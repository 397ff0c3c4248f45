/*
 * The seam between the virtual platform's device models (hvm/vdev-*.c,
 * portable) and the hypervisor that runs them.
 *
 * Device models never read the clock, touch hardware or allocate: they get
 * the guest-visible time as an argument, raise interrupt lines through
 * struct vplat_ops, and report their next deadline so the run loop can arm
 * the real timer.  Time is nanoseconds of the domain's monotonic clock.
 *
 * Threading: a device model is called with its domain's device lock held
 * (one lock for all devices of a domain); models do no locking of their
 * own.  vLAPIC state is per vCPU and may be touched only with that lock.
 */
#ifndef HVM_VPLAT_H
#define HVM_VPLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* No deadline pending. */
#define VPLAT_NO_DEADLINE UINT64_MAX

struct vplat_ops {
	void *ctx;
	/* ISA IRQ / GSI line level change (edge devices pulse 1 then 0). */
	void (*set_irq)(void *ctx, unsigned int gsi, bool level);
	/* Deliver a fixed or NMI/INIT/SIPI interrupt to a vCPU's vLAPIC
	 * (used by the IOAPIC and by IPIs).  @dest is an APIC id, or
	 * 0xffffffff for broadcast. */
	void (*deliver)(void *ctx, uint32_t dest, bool logical, uint8_t vector,
			uint32_t delivery_mode, bool level_trig);
	/* A vCPU has a new pending interrupt: make it look (IPI/kick). */
	void (*kick)(void *ctx, unsigned int vcpu);
	/* Guest output from an emulated UART. */
	void (*console)(void *ctx, const char *buf, size_t len);
	/* The guest asked for power off (ACPI S5) or reset, or wrote the
	 * isa-debug-exit port: @code is the exit code. */
	void (*shutdown)(void *ctx, int reason, int code);
	/* Log a guest-triggered oddity; the caller rate-limits. */
	void (*log)(void *ctx, const char *msg);
};

#define VPLAT_SHUTDOWN_POWEROFF 0
#define VPLAT_SHUTDOWN_REBOOT 1
#define VPLAT_SHUTDOWN_DEBUG_EXIT 2
#define VPLAT_SHUTDOWN_TRIPLE_FAULT 3

/* Delivery modes (SDM vol. 3A, 11.6.1), shared by vLAPIC and vIOAPIC. */
#define VPLAT_DM_FIXED 0
#define VPLAT_DM_LOWEST 1
#define VPLAT_DM_SMI 2
#define VPLAT_DM_NMI 4
#define VPLAT_DM_INIT 5
#define VPLAT_DM_STARTUP 6
#define VPLAT_DM_EXTINT 7

/* Port I/O and MMIO handlers share one shape: @size is 1, 2, 4 or 8. */
typedef int (*vplat_io_fn)(void *dev, uint64_t addr, unsigned int size,
			   bool write, uint64_t *val, uint64_t now_ns);

#endif
