/* SPDX-License-Identifier: MIT */
/*
 * vmi/memory.h - giving memory back (ballooning), taking it again, and
 * reading the memory map.  Section "memory", version 1.0.
 */
#ifndef VMI_MEMORY_H
#define VMI_MEMORY_H

#include <stdint.h>
#include <stddef.h>
#include "version.h"

/* struct vmi_memory_range.type */
#define VMI_MEM_RAM 1u
#define VMI_MEM_RESERVED 2u
#define VMI_MEM_ACPI 3u
#define VMI_MEM_BALLOONED 4u /* RAM given back: access is an error */

struct vmi_memory_range {
	uint64_t base; /* OUT: guest-physical */
	uint64_t length; /* OUT: bytes */
	uint32_t type; /* OUT: VMI_MEM_* */
	uint32_t reserved; /* zero */
};
VMI_STATIC_ASSERT(sizeof(struct vmi_memory_range) == 24, memory_range);

#define VMI_BALLOON_BATCH_MAX 512u

/* Call numbers 80-95.  Page lists are arrays of uint64_t frame numbers
 * (guest-physical address >> 12) in guest RAM. */
/* (list_gpa, count) -> count given back: the pages are no longer the
 * guest's (their contents are lost).  Stops at the first page that is not
 * populated RAM. */
#define VMI_CALL_BALLOON_OUT 80u
/* (list_gpa, count) -> count populated again (zeroed).  Stops when the
 * domain's memory target is reached (-VMI_ENOMEM if at none). */
#define VMI_CALL_BALLOON_IN 81u
/* (ranges_gpa, max) -> number of ranges in the map; writes up to @max
 * struct vmi_memory_range entries. */
#define VMI_CALL_MEMORY_MAP 82u
/* 83-95: reserved. */

#endif /* VMI_MEMORY_H */
