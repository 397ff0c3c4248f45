/* The hypervisor's instance of the frame allocator (mm/frame.c). */
#ifndef TRIVISOR_MEMORY_H
#define TRIVISOR_MEMORY_H

#include <stdint.h>
#include <mm/frame.h>

/*
 * Set up the frame allocator from the boot memory map.  Frames below
 * 4 GiB are released first (the boot page tables reach only those); the
 * rest once paging_init() has mapped them: memory_add_high().
 */
void memory_init(void);
void memory_add_high(void);

/* Locked wrappers around frame_alloc()/frame_free(). */
int hv_frame_alloc(unsigned int order, uint16_t owner, uint64_t *mfn);
int hv_frame_free(uint64_t mfn, unsigned int order, uint16_t owner);
int hv_frame_split(uint64_t mfn, unsigned int order, uint16_t owner);
/* 2^@order hypervisor-owned pages filled with @fill: their address
 * through the direct map (NULL when memory is short), the physical one in
 * *@pa.  Free with hv_frame_free(*pa >> PAGE_SHIFT, order,
 * FRAME_OWNER_HYPERVISOR). */
void *hv_pages_alloc(unsigned int order, uint64_t *pa, int fill);
uint64_t hv_frames_free(void);
uint64_t hv_frames_total(void);

/* A zeroed page owned by the hypervisor; panics when memory runs out at
 * boot (there is nothing to unwind to). */
uint64_t hv_alloc_page_boot(void);

/* Highest physical address the memory map reports, exclusive. */
extern uint64_t phys_top;

#endif
