/* The hypervisor's own page tables (not guests'). */
#ifndef TRIVISOR_PAGING_H
#define TRIVISOR_PAGING_H

#include <stdint.h>

#define PTE_P (1ul << 0)
#define PTE_W (1ul << 1)
#define PTE_U (1ul << 2)
#define PTE_PWT (1ul << 3)
#define PTE_PCD (1ul << 4)
#define PTE_A (1ul << 5)
#define PTE_D (1ul << 6)
#define PTE_PS (1ul << 7)
#define PTE_G (1ul << 8)
#define PTE_NX (1ul << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ul

/*
 * Build the final tables (direct map of all RAM in the memory map, image
 * mapped with per-section permissions, ioremap window) and switch to them.
 */
void paging_init(void);
/* The CR3 value of the hypervisor's tables, for APs. */
uint64_t paging_root(void);
/* Map @size bytes of device memory at @pa uncached; NULL if out of space. */
void *ioremap(uint64_t pa, uint64_t size);

#endif
