/* SPDX-License-Identifier: MIT */
/*
 * vmi/vcpu.h - vCPU control: start and stop vCPUs, block, yield, the
 * per-vCPU area and the event upcall.  Section "vcpu", version 1.0.
 */
#ifndef VMI_VCPU_H
#define VMI_VCPU_H

#include <stdint.h>
#include <stddef.h>
#include "version.h"
#include "time.h"

/*
 * The per-vCPU area, registered by VMI_CALL_VCPU_AREA; 64 bytes, 64-byte
 * aligned, within one page of guest RAM.
 *
 * upcall_pending: set by the hypervisor when an event for this vCPU is
 * pending (see vmi/event.h), cleared by the guest.  upcall_mask: non-zero
 * holds upcalls back (the guest's "interrupts off" for events); when the
 * guest clears it with upcall_pending set it must deliver the pending
 * events itself (or call VMI_CALL_VCPU_BLOCK/YIELD, which deliver).
 * pending_sel: bit w set = word w of evtchn_pending may hold events for
 * this vCPU; the guest clears it with an atomic exchange before scanning.
 */
struct vmi_vcpu_info {
	uint8_t upcall_pending; /* OUT, guest clears */
	uint8_t upcall_mask; /* IN */
	uint8_t pad[6];
	uint64_t pending_sel; /* OUT, guest clears */
	struct vmi_pvclock time; /* OUT */
	uint64_t stolen_ns; /* OUT: time runnable but not running */
	uint64_t reserved; /* zero */
};
VMI_STATIC_ASSERT(sizeof(struct vmi_vcpu_info) == 64, vcpu_info_size);
VMI_STATIC_ASSERT(offsetof(struct vmi_vcpu_info, time) == 16,
		  vcpu_info_time);

/*
 * The state a vCPU starts in (VMI_CALL_VCPU_UP): 64-bit mode, paging on
 * with @cr3, interrupts and events masked (RFLAGS = 2, upcall_mask set),
 * the given GDT loaded and the segment registers holding the given
 * selectors with flat 64-bit (CS) or data (the others) descriptors, RDI =
 * @arg, every other general register 0.
 */
struct vmi_vcpu_start {
	uint64_t rip; /* IN */
	uint64_t rsp; /* IN */
	uint64_t cr3; /* IN */
	uint64_t arg; /* IN: passed in RDI */
	uint64_t gdt_base; /* IN */
	uint16_t gdt_limit; /* IN */
	uint16_t cs; /* IN: a 64-bit code selector of that GDT */
	uint16_t ds; /* IN: used for DS, ES, SS; FS and GS get 0 */
	uint16_t reserved0; /* zero */
	uint64_t reserved[2]; /* zero */
};
VMI_STATIC_ASSERT(sizeof(struct vmi_vcpu_start) == 64, vcpu_start_size);

/* Call numbers 16-31. */
/* (vcpu, start_gpa) -> 0: vCPU @vcpu (0 .. nr-1), now down, starts in
 * the struct vmi_vcpu_start at @start_gpa.  -VMI_ESRCH no such vCPU,
 * -VMI_EBUSY it is up, -VMI_EFAULT, -VMI_EINVAL bad fields. */
#define VMI_CALL_VCPU_UP 16u
/* (vcpu) -> 0: vCPU @vcpu stops (when it is the caller, the call does
 * not return); it can be started again with VCPU_UP.  -VMI_ESRCH. */
#define VMI_CALL_VCPU_DOWN 17u
/* () -> 0: clears upcall_mask, sets RFLAGS.IF (a paravirtual "sti; hlt")
 * and waits until an event or interrupt is pending for this vCPU
 * (returns at once if one is); the upcall then arrives. */
#define VMI_CALL_VCPU_BLOCK 18u
/* () -> 0: gives up the physical CPU for a moment. */
#define VMI_CALL_VCPU_YIELD 19u
/* (gpa) -> 0: this vCPU's struct vmi_vcpu_info is at @gpa (64-byte
 * aligned guest RAM); 0 detaches it.  -VMI_EINVAL, -VMI_EFAULT. */
#define VMI_CALL_VCPU_AREA 20u
/* (vector) -> 0: events reach this vCPU as interrupt @vector (32-255);
 * 0 turns upcalls off.  -VMI_EINVAL. */
#define VMI_CALL_VCPU_UPCALL 21u
/* () -> the caller's vCPU number. */
#define VMI_CALL_VCPU_ID 22u
/* 23-31: reserved. */

#endif /* VMI_VCPU_H */
