/* SPDX-License-Identifier: MIT */
/*
 * vmi/event.h - event channels.  Section "events", version 1.0.
 *
 * An event channel is a port (1 .. VMI_NR_EVENTS-1) bound to a source: a
 * virtual IRQ of a vCPU (its timer, the console), an IPI to a vCPU, or a
 * device interrupt line (GSI).  When the source fires, the hypervisor sets
 * the port's bit in evtchn_pending of the shared page (vmi/core.h); if the
 * port is not masked it sets bit (port / 64) in the target vCPU's
 * pending_sel and its upcall_pending, and, unless upcall_mask is set,
 * interrupts the vCPU with its upcall vector (vmi/vcpu.h).  The guest's
 * handler clears upcall_pending, exchanges pending_sel with 0, and for
 * each word it names takes pending & ~mask, clearing the bits it handles.
 * Events are edge-like: an event on a pending port is merged.
 */
#ifndef VMI_EVENT_H
#define VMI_EVENT_H

#include <stdint.h>
#include <stddef.h>
#include "version.h"

/* Virtual IRQs, per vCPU. */
#define VMI_VIRQ_TIMER 0u /* the one-shot timer of vmi/time.h */
#define VMI_VIRQ_CONSOLE 1u /* console input is ready (vmi/console.h) */
#define VMI_NR_VIRQS 2u

/* struct vmi_evtchn_status.state */
#define VMI_EVTCHN_FREE 0u
#define VMI_EVTCHN_VIRQ 1u
#define VMI_EVTCHN_IPI 2u
#define VMI_EVTCHN_IRQ 3u

struct vmi_evtchn_status {
	uint32_t state; /* OUT: VMI_EVTCHN_* */
	uint32_t vcpu; /* OUT: the vCPU it notifies */
	uint32_t source; /* OUT: VIRQ number or GSI; 0 for IPI */
	uint32_t reserved; /* zero */
};
VMI_STATIC_ASSERT(sizeof(struct vmi_evtchn_status) == 16, evtchn_status);

/* Call numbers 48-63.  Binding calls return the new port. */
/* (virq, vcpu) -> port.  -VMI_EINVAL bad VIRQ, -VMI_ESRCH bad vCPU,
 * -VMI_EEXIST already bound, -VMI_ENOSPC no free port. */
#define VMI_CALL_EVTCHN_BIND_VIRQ 48u
/* (vcpu) -> port: VMI_CALL_EVTCHN_SEND on it interrupts @vcpu. */
#define VMI_CALL_EVTCHN_BIND_IPI 49u
/* (gsi, vcpu) -> port: the device line @gsi (edge) notifies @vcpu.
 * -VMI_EINVAL no such line, -VMI_EBUSY bound already. */
#define VMI_CALL_EVTCHN_BIND_IRQ 50u
/* (port) -> 0: raise an IPI port.  -VMI_EBADF not an IPI port. */
#define VMI_CALL_EVTCHN_SEND 51u
/* (port) -> 0: unbind; its pending bit is cleared.  -VMI_EBADF. */
#define VMI_CALL_EVTCHN_CLOSE 52u
/* (port) -> 0: clear the mask bit; a pending event is delivered. */
#define VMI_CALL_EVTCHN_UNMASK 53u
/* (port, status_gpa) -> 0: fills a struct vmi_evtchn_status. */
#define VMI_CALL_EVTCHN_STATUS 54u
/* 55-63: reserved. */

#endif /* VMI_EVENT_H */
