/*
 * The hypervisor's virtual address space.
 *
 * Everything lives in 0xffff8000'00000000 - 0xffff87ff'ffffffff, the 8 TiB
 * that the x86-64 Linux layout leaves to a hypervisor, so the deprivileged
 * containers can keep these mappings (supervisor-only) in every guest
 * address space.  See docs/address-space.md.
 *
 *   0xffff8000'00000000  direct map of machine memory (4 TiB, PML4 256-263)
 *   0xffff8400'00000000  ioremap window for device MMIO, uncached (PML4 264)
 *   0xffff8700'00000000  the hypervisor image: VA = IMAGE_VBASE + PA (270)
 *
 * Included from assembly as well as C.
 */
#ifndef TRIVISOR_LAYOUT_H
#define TRIVISOR_LAYOUT_H

#ifdef __ASSEMBLY__
#define _UL(x) x
#else
#define _UL(x) x##UL
#endif

#define HV_AREA_START _UL(0xffff800000000000)
#define HV_AREA_END _UL(0xffff880000000000)

#define DIRECTMAP_BASE _UL(0xffff800000000000)
#define DIRECTMAP_SIZE _UL(0x0000040000000000) /* 4 TiB */
#define IOREMAP_BASE _UL(0xffff840000000000)
#define IOREMAP_SIZE _UL(0x0000008000000000) /* 512 GiB */
#define IMAGE_VBASE _UL(0xffff870000000000)

/* Physical load address of the image (2 MiB aligned). */
#define IMAGE_PBASE _UL(0x200000)

/* Low-memory page the application processors start in (SIPI vector 0x08). */
#define AP_TRAMPOLINE_PA _UL(0x8000)

#define PAGE_SHIFT 12
#define PAGE_SIZE (_UL(1) << PAGE_SHIFT)
#define LARGE_PAGE_SIZE (_UL(1) << 21)

#define MAX_CPUS 64
#define STACK_SIZE (4 * PAGE_SIZE)
#define IST_STACK_SIZE (2 * PAGE_SIZE)

/* GDT selectors, the same on every CPU (hypervisor/gdt.c). */
#define GDT_CS64 0x08
#define GDT_DS 0x10
#define GDT_CS32 0x18
#define GDT_TSS 0x20

#ifndef __ASSEMBLY__
#include <stdint.h>

/*
 * The value of a link-time symbol that lives outside the image's high
 * mapping (the .boot section, linker-script constants): RIP-relative
 * addressing cannot reach those from the high half, so load it absolute.
 */
#define SYM_VALUE(sym)                                                       \
	({                                                                   \
		uint64_t v_;                                                 \
		asm("movabs $" #sym ", %0" : "=r"(v_));                      \
		v_;                                                          \
	})

static inline void *pa_to_va(uint64_t pa)
{
	return (void *)(pa + DIRECTMAP_BASE);
}

static inline uint64_t va_to_pa(const void *va)
{
	uint64_t v = (uint64_t)va;

	if (v >= IMAGE_VBASE)
		return v - IMAGE_VBASE;
	return v - DIRECTMAP_BASE;
}
#endif

#endif
