/* SPDX-License-Identifier: MIT */
/*
 * vmi/mmu.h - page-table updates, pinning, base loads and TLB flushes.
 * Section "mmu", version 1.0.
 *
 * A container that shadows guest page tables needs to see every update;
 * under nested paging (VMI_F_HW_MMU) the guest's tables are used as they
 * are, MMU_UPDATE only writes the entries (validated as guest RAM) and
 * PIN/UNPIN/LOAD_BASE change nothing in how they are used (their
 * arguments are still checked, and pins are counted).  The flush calls are
 * useful everywhere: one call replaces an IPI to each vCPU.
 *
 * Addresses are guest-physical; page-table entries are in the x86-64
 * 4-level format.  Cross-vCPU calls take a vCPU set: a 64-bit bitmap
 * (vCPU n = bit n) in guest RAM at mask_gpa.
 */
#ifndef VMI_MMU_H
#define VMI_MMU_H

#include <stdint.h>
#include <stddef.h>
#include "version.h"

/* One update: write @val to the 8-byte page-table entry at @ptr. */
struct vmi_mmu_update {
	uint64_t ptr; /* IN: guest-physical, 8-byte aligned */
	uint64_t val; /* IN */
};
VMI_STATIC_ASSERT(sizeof(struct vmi_mmu_update) == 16, mmu_update_size);

#define VMI_MMU_BATCH_MAX 512u

/* Flush scopes. */
#define VMI_FLUSH_LOCAL 0u /* this vCPU */
#define VMI_FLUSH_ALL 1u /* every vCPU of the domain */
#define VMI_FLUSH_MASK 2u /* the vCPUs in the bitmap at mask_gpa */

/* Call numbers 64-79. */
/* (updates_gpa, count) -> count done.  Stops at the first bad entry and
 * returns -VMI_EACCES (not the guest's RAM) or -VMI_EINVAL (misaligned)
 * if none was done, else the number done.  -VMI_E2BIG above
 * VMI_MMU_BATCH_MAX. */
#define VMI_CALL_MMU_UPDATE 64u
/* (level, gfn) -> 0: the page at @gfn is a page table of @level (1-4)
 * from now on.  -VMI_EINVAL, -VMI_EACCES, -VMI_EBUSY already pinned. */
#define VMI_CALL_MMU_PIN 65u
/* (gfn) -> 0.  -VMI_ENOENT not pinned. */
#define VMI_CALL_MMU_UNPIN 66u
/* (gfn) -> 0: this vCPU's top-level table is @gfn (a CR3 load). */
#define VMI_CALL_MMU_LOAD_BASE 67u
/* (scope, mask_gpa) -> 0: flush whole TLBs (global entries too). */
#define VMI_CALL_MMU_FLUSH 68u
/* (va, scope, mask_gpa) -> 0: invalidate one linear address. */
#define VMI_CALL_MMU_INVLPG 69u
/* 70-79: reserved. */

#endif /* VMI_MMU_H */
