/*
 * The hypervisor's final page tables (SDM vol. 3A, 4.5 "4-level paging").
 *
 * - Direct map: every range the memory map lists (any type: ACPI tables
 *   sit in "reserved" RAM) plus the first MiB, at DIRECTMAP_BASE + PA,
 *   with 1 GiB or 2 MiB pages where alignment allows, global, no-execute.
 *   Holes the map does not list (the PCI window) are not mapped.
 * - The image at IMAGE_VBASE + PA with 4 KiB pages: text read-only and
 *   executable, rodata read-only, data and bss writable, both no-execute.
 * - Device MMIO through ioremap(), uncached (PCD|PWT).
 * Nothing is mapped in the lower half: guests own it.
 */
#include <trivisor/paging.h>
#include <trivisor/memory.h>
#include <trivisor/bootinfo.h>
#include <trivisor/layout.h>
#include <trivisor/cpu.h>
#include <trivisor/panic.h>
#include <trivisor/log.h>
#include <trivisor/spinlock.h>

extern char _text[], _rodata[], _data[], _end[];

static uint64_t root_pa;
static bool gbpages;
static uint64_t ioremap_next = IOREMAP_BASE;
static spinlock_t ioremap_lock = SPINLOCK_INIT;
static uint64_t nr_1g, nr_2m, nr_4k;

static uint64_t *table(uint64_t pa)
{
	return pa_to_va(pa & PTE_ADDR_MASK);
}

/* The table one level down from entry @idx of @t, created if missing. */
static uint64_t *next_level(uint64_t *t, unsigned int idx)
{
	if (!(t[idx] & PTE_P))
		t[idx] = hv_alloc_page_boot() | PTE_P | PTE_W;
	BUG_ON(t[idx] & PTE_PS);
	return table(t[idx]);
}

static void map_range(uint64_t va, uint64_t pa, uint64_t size, uint64_t flags,
		      bool large)
{
	uint64_t end = va + size;

	while (va < end) {
		uint64_t *l4 = table(root_pa);
		uint64_t *l3 = next_level(l4, (va >> 39) & 511);
		uint64_t left = end - va;
		uint64_t *l2, *l1;

		if (large && gbpages && !((va | pa) & ((1ul << 30) - 1)) &&
		    left >= (1ul << 30)) {
			l3[(va >> 30) & 511] = pa | flags | PTE_PS;
			va += 1ul << 30, pa += 1ul << 30, nr_1g++;
			continue;
		}
		l2 = next_level(l3, (va >> 30) & 511);
		if (large && !((va | pa) & (LARGE_PAGE_SIZE - 1)) &&
		    left >= LARGE_PAGE_SIZE) {
			l2[(va >> 21) & 511] = pa | flags | PTE_PS;
			va += LARGE_PAGE_SIZE, pa += LARGE_PAGE_SIZE, nr_2m++;
			continue;
		}
		l1 = next_level(l2, (va >> 21) & 511);
		l1[(va >> 12) & 511] = pa | flags;
		va += PAGE_SIZE, pa += PAGE_SIZE, nr_4k++;
	}
}

static void map_image(uint64_t start, uint64_t end, uint64_t flags)
{
	map_range(start, start - IMAGE_VBASE, end - start, flags, false);
}

void paging_init(void)
{
	struct cpuid_regs r;
	uint64_t mapped = 0;

	cpuid_count(0x80000001, 0, &r);
	gbpages = r.edx & (1u << 26); /* Page1GB */
	root_pa = hv_alloc_page_boot();

	/* Direct map: the first MiB, then every memory map entry. */
	map_range(DIRECTMAP_BASE, 0, 1ul << 20, PTE_P | PTE_W | PTE_G | PTE_NX,
		  false);
	for (unsigned int i = 0; i < boot_info.nr_mmap; i++) {
		const struct boot_mmap_entry *e = &boot_info.mmap[i];
		uint64_t s = e->base & ~(PAGE_SIZE - 1);
		uint64_t end = (e->base + e->len + PAGE_SIZE - 1) &
			       ~(PAGE_SIZE - 1);

		if (s < (1ul << 20))
			s = 1ul << 20;
		if (end <= s || end > DIRECTMAP_SIZE)
			continue;
		/* Reserved ranges above 4 GiB are address-space holes (the
		 * HyperTransport window on AMD), never RAM we need to read. */
		if (e->type == MMAP_RESERVED && s >= (4ul << 30))
			continue;
		map_range(DIRECTMAP_BASE + s, s, end - s,
			  PTE_P | PTE_W | PTE_G | PTE_NX, true);
		mapped += end - s;
	}

	map_image((uint64_t)_text, (uint64_t)_rodata, PTE_P | PTE_G);
	map_image((uint64_t)_rodata, (uint64_t)_data, PTE_P | PTE_G | PTE_NX);
	map_image((uint64_t)_data, (uint64_t)_end,
		  PTE_P | PTE_W | PTE_G | PTE_NX);

	write_cr3(root_pa);
	write_cr4(read_cr4() | CR4_PGE);
	log_info("paging: direct map of %lu MiB (%lu x 1G, %lu x 2M, %lu x 4K "
		 "pages), image text %lu KiB",
		 mapped >> 20, nr_1g, nr_2m, nr_4k,
		 ((uint64_t)_rodata - (uint64_t)_text) >> 10);
}

uint64_t paging_root(void)
{
	return root_pa;
}

void *ioremap(uint64_t pa, uint64_t size)
{
	uint64_t off = pa & (PAGE_SIZE - 1);
	uint64_t len = (off + size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	uint64_t f = spin_lock_irqsave(&ioremap_lock);
	uint64_t va = ioremap_next;

	if (va + len > IOREMAP_BASE + IOREMAP_SIZE) {
		spin_unlock_irqrestore(&ioremap_lock, f);
		return NULL;
	}
	ioremap_next += len;
	map_range(va, pa - off, len,
		  PTE_P | PTE_W | PTE_PCD | PTE_PWT | PTE_G | PTE_NX, false);
	spin_unlock_irqrestore(&ioremap_lock, f);
	return (void *)(va + off);
}
