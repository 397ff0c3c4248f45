/* SPDX-License-Identifier: MIT */
/*
 * vmi/time.h - system time, the per-vCPU one-shot timer, stolen time.
 * Section "time", version 1.0.
 *
 * System time is nanoseconds since the domain was created, the same on
 * every vCPU.  A vCPU reads it from the struct vmi_pvclock in its vCPU
 * area (vmi/vcpu.h) without a call:
 *
 *   do {
 *           v = t->version;          (odd: being written, retry)
 *           read barrier;
 *           d = rdtsc() - t->tsc_timestamp;
 *           d = t->tsc_shift >= 0 ? d << t->tsc_shift : d >> -t->tsc_shift;
 *           now = t->system_time + ((d * t->tsc_to_system_mul) >> 32);
 *           read barrier;
 *   } while ((v & 1) || v != t->version);
 *
 * This is the layout and arithmetic Linux's pvclock code already uses
 * (struct pvclock_vcpu_time_info), so a Linux guest can hand the area to
 * it unchanged.  VMI_PVCLOCK_TSC_STABLE in flags: the TSC is the same on
 * every vCPU, so readings from different vCPUs are ordered.
 */
#ifndef VMI_TIME_H
#define VMI_TIME_H

#include <stdint.h>
#include <stddef.h>
#include "version.h"

struct vmi_pvclock {
	uint32_t version; /* OUT */
	uint32_t pad0;
	uint64_t tsc_timestamp; /* OUT: guest TSC at system_time */
	uint64_t system_time; /* OUT: ns */
	uint32_t tsc_to_system_mul; /* OUT: 32.32 fixed point ns per tick */
	int8_t tsc_shift; /* OUT */
	uint8_t flags; /* OUT: VMI_PVCLOCK_* */
	uint8_t pad[2];
};
VMI_STATIC_ASSERT(sizeof(struct vmi_pvclock) == 32, pvclock_size);
VMI_STATIC_ASSERT(offsetof(struct vmi_pvclock, tsc_to_system_mul) == 24,
		  pvclock_mul);

#define VMI_PVCLOCK_TSC_STABLE (1u << 0)

/* Call numbers 32-47. */
/*
 * (deadline_ns) -> 0: this vCPU's one-shot timer fires when system time
 * reaches @deadline_ns, raising VIRQ VMI_VIRQ_TIMER (vmi/event.h) on this
 * vCPU.  A deadline already past fires at once; 0 cancels.  One timer per
 * vCPU: a new deadline replaces the old.  32-bit callers pass the low
 * half in EBX and the high half in ECX.
 */
#define VMI_CALL_TIMER_SET 32u
/* () -> system time in ns (for guests that cannot read the TSC). 32-bit
 * callers get the low 32 bits. */
#define VMI_CALL_TIME_NOW 33u
/* 34-47: reserved. */

#endif /* VMI_TIME_H */
