/*
 * vmi_mm - the VMI ABI's mmu and memory sections (docs/vmi-abi.md,
 * sections 8 and 9) from 32-bit protected mode, with their error paths.
 *
 * Proves: CPUID 0x40000003 reports mmu and memory 1.0 and the feature
 * word VMI_F_BALLOON; calls need DECLARE; MMU_UPDATE writes the entries
 * (a PAE page-table entry this kernel then uses) and refuses long batches,
 * misaligned or non-RAM lists and entry pointers, stopping at the first
 * bad entry; PIN/UNPIN/LOAD_BASE with bad levels, non-RAM frames, double
 * pins, a full pin table and unpinned pages; FLUSH and INVLPG with bad
 * scopes and bitmaps; with two vCPUs, a flush makes the other vCPU, which
 * keeps reading through a stale translation in guest mode, see a changed
 * mapping, and both vCPUs flushing each other at once do not deadlock;
 * MEMORY_MAP agrees with the multiboot map and shows ballooned pages;
 * BALLOON_OUT refuses non-RAM, reserved, the ROM, the shared page, a
 * pinned page and pages given back already; BALLOON_IN returns zeroed
 * pages and stops at the domain's memory size; scattered pages can be
 * given back until the hypervisor's P2M bound (-ENOSPC) and all come
 * back.  Under emulators a stale translation is rarely observable (every
 * VM exit reloads CR3 there), so the cross-vCPU part proves that the
 * call returns with the change visible and prints what it saw before.
 *
 * With `touch` on the command line it finally reads a page it gave back,
 * which must end the domain.  With `race` it only moves its vCPU area
 * and gives the old one back, again and again, while CPU 1 sends events
 * (area_race()).  Run it as `type=pv`, vcpus=2.
 */
#include "guest.h"
#include <vmi/vmi.h>
#include "vmi-call.h"

GUEST_TEST("vmi_mm");

#define POOL 8
#define MARK 0x5a17c0deu
#define TEST_VA 0x40000000u /* mapped through pt[0] */

static struct vmi_shared_info shared __attribute__((aligned(4096)));
static uint8_t pool[POOL][4096] __attribute__((aligned(4096)));
static uint8_t big[64][4096] __attribute__((aligned(4096)));
static uint8_t sparse[1100][4096] __attribute__((aligned(4096)));
static struct vmi_mmu_update upd[VMI_MMU_BATCH_MAX + 1]
	__attribute__((aligned(8)));
static uint64_t list[VMI_BALLOON_BATCH_MAX + 1] __attribute__((aligned(8)));
static struct vmi_memory_range map[64] __attribute__((aligned(8)));
static uint64_t scratch[8] __attribute__((aligned(8)));
static uint64_t vcpu_mask __attribute__((aligned(8)));

/* PAE paging: 0-1 GiB and 3-4 GiB identity in 2 MiB pages, TEST_VA in a
 * 4 KiB table whose entry the test changes. */
static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd0[512] __attribute__((aligned(4096)));
static uint64_t pd1[512] __attribute__((aligned(4096)));
static uint64_t pd3[512] __attribute__((aligned(4096)));
static uint64_t pt[512] __attribute__((aligned(4096)));

#define PTE_P 0x1ull
#define PTE_RW 0x2ull
#define PTE_PS 0x80ull

static uint32_t gfn_of(const void *p)
{
	return (uint32_t)(uintptr_t)p >> 12;
}

static void build_tables(void)
{
	for (unsigned int i = 0; i < 512; i++) {
		pd0[i] = ((uint64_t)i << 21) | PTE_P | PTE_RW | PTE_PS;
		pd3[i] = (0xc0000000ull + ((uint64_t)i << 21)) | PTE_P |
			 PTE_RW | PTE_PS;
	}
	pd1[0] = (uintptr_t)pt | PTE_P | PTE_RW;
	pt[0] = (uintptr_t)pool[0] | PTE_P | PTE_RW;
	pdpt[0] = (uintptr_t)pd0 | PTE_P;
	pdpt[1] = (uintptr_t)pd1 | PTE_P;
	pdpt[3] = (uintptr_t)pd3 | PTE_P;
}

/* On each CPU: PAE paging on these tables (CR4.PAE, CR3, CR0.PG). */
static void paging_on(void *arg)
{
	uint32_t cr0, cr4;

	(void)arg;
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	asm volatile("mov %0, %%cr4" : : "r"(cr4 | (1u << 5)));
	asm volatile("mov %0, %%cr3" : : "r"((uint32_t)(uintptr_t)pdpt)
		     : "memory");
	asm volatile("mov %%cr0, %0" : "=r"(cr0));
	asm volatile("mov %0, %%cr0" : : "r"(cr0 | (1u << 31)) : "memory");
}

static void setup(void)
{
	struct cpuid_regs r;

	CHECK(wrmsr_safe(VMI_MSR_ROM, (uintptr_t)vmi_rom | VMI_ROM_ENABLE) < 0,
	      "the ROM MSR refused a page of RAM");
	r = cpuid(VMI_CPUID_SECTIONS);
	CHECK(r.ecx == (VMI_SECTION_VERSION(1u, 0u) |
			(VMI_SECTION_VERSION(1u, 0u) << 16)),
	      "mmu/memory section versions %#x, expected 0x01000100", r.ecx);
	r = cpuid(VMI_CPUID_ROM);
	CHECK((r.ecx & (VMI_F_BALLOON | VMI_F_HW_MMU)) ==
	      (VMI_F_BALLOON | VMI_F_HW_MMU), "features %#x", r.ecx);
	EXPECT(vmi_call(VMI_CALL_MMU_FLUSH, VMI_FLUSH_LOCAL, 0, 0),
	       -VMI_EPERM);
	EXPECT(vmi_call(VMI_CALL_MEMORY_MAP, 0, 0, 0), -VMI_EPERM);
	EXPECT(vmi_call(VMI_CALL_DECLARE, VMI_SECTION_MMU,
			VMI_SECTION_VERSION(1u, 0u), 0), 0);
	EXPECT(vmi_call(VMI_CALL_DECLARE, VMI_SECTION_MEMORY,
			VMI_SECTION_VERSION(1u, 0u), 0), 0);
	EXPECT(vmi_call(VMI_CALL_SHARED_PAGE, (uintptr_t)&shared, 0, 0), 0);
	printf("vmi_mm: features %#x, sections mmu and memory 1.0\n", r.ecx);
}

static void mmu_update(void)
{
	volatile uint32_t *va = (volatile uint32_t *)TEST_VA;

	*(volatile uint32_t *)pool[0] = MARK;
	*(volatile uint32_t *)pool[1] = MARK + 1;
	CHECK(*va == MARK, "TEST_VA reads %#x before the update", *va);

	/* One update: pt[0] -> pool[1]; the entry is really written. */
	upd[0].ptr = (uintptr_t)&pt[0];
	upd[0].val = (uintptr_t)pool[1] | PTE_P | PTE_RW;
	EXPECT(vmi_call(VMI_CALL_MMU_UPDATE, (uintptr_t)upd, 1, 0), 1);
	CHECK(pt[0] == ((uintptr_t)pool[1] | PTE_P | PTE_RW),
	      "MMU_UPDATE did not write the entry: %#llx", pt[0]);
	EXPECT(vmi_call(VMI_CALL_MMU_INVLPG, TEST_VA, VMI_FLUSH_LOCAL, 0), 0);
	CHECK(*va == MARK + 1, "TEST_VA reads %#x after update + INVLPG", *va);

	/* Errors. */
	EXPECT(vmi_call(VMI_CALL_MMU_UPDATE, (uintptr_t)upd,
			VMI_MMU_BATCH_MAX + 1, 0), -VMI_E2BIG);
	EXPECT(vmi_call(VMI_CALL_MMU_UPDATE, (uintptr_t)upd + 4, 1, 0),
	       -VMI_EINVAL);
	EXPECT(vmi_call(VMI_CALL_MMU_UPDATE, 0xfee00000u, 1, 0), -VMI_EFAULT);
	EXPECT(vmi_call(VMI_CALL_MMU_UPDATE, (uintptr_t)upd, 0, 0), 0);
	upd[0].ptr = 0xfee00000u; /* the LAPIC page: not RAM */
	EXPECT(vmi_call(VMI_CALL_MMU_UPDATE, (uintptr_t)upd, 1, 0),
	       -VMI_EACCES);
	upd[0].ptr = 0x200000000ull; /* 8 GiB: beyond the domain */
	EXPECT(vmi_call(VMI_CALL_MMU_UPDATE, (uintptr_t)upd, 1, 0),
	       -VMI_EACCES);
	upd[0].ptr = (uintptr_t)&scratch[0] + 4;
	EXPECT(vmi_call(VMI_CALL_MMU_UPDATE, (uintptr_t)upd, 1, 0),
	       -VMI_EINVAL);
	/* A batch stops at its first bad entry, the good ones done. */
	memset(scratch, 0, sizeof(scratch));
	for (unsigned int i = 0; i < 3; i++) {
		upd[i].ptr = (uintptr_t)&scratch[i];
		upd[i].val = 0x1111111100000000ull + i;
	}
	upd[2].ptr = 0xfec00000u; /* the IOAPIC */
	upd[3].ptr = (uintptr_t)&scratch[3];
	upd[3].val = 7;
	EXPECT(vmi_call(VMI_CALL_MMU_UPDATE, (uintptr_t)upd, 4, 0), 2);
	CHECK(scratch[0] == 0x1111111100000000ull &&
	      scratch[1] == 0x1111111100000001ull && scratch[3] == 0,
	      "batch wrote %#llx %#llx %#llx", scratch[0], scratch[1],
	      scratch[3]);
	printf("vmi_mm: MMU_UPDATE writes entries and stops at the first "
	       "bad one\n");
}

static void mmu_pin(void)
{
	EXPECT(vmi_call(VMI_CALL_MMU_PIN, 0, gfn_of(pt), 0), -VMI_EINVAL);
	EXPECT(vmi_call(VMI_CALL_MMU_PIN, 5, gfn_of(pt), 0), -VMI_EINVAL);
	EXPECT(vmi_call(VMI_CALL_MMU_PIN, 1, 0xfee00, 0), -VMI_EACCES);
	EXPECT(vmi_call(VMI_CALL_MMU_PIN, 1, gfn_of(pt), 0), 0);
	EXPECT(vmi_call(VMI_CALL_MMU_PIN, 1, gfn_of(pt), 0), -VMI_EBUSY);
	EXPECT(vmi_call(VMI_CALL_MMU_PIN, 2, gfn_of(pd1), 0), 0);
	EXPECT(vmi_call(VMI_CALL_MMU_UNPIN, gfn_of(pool[2]), 0, 0),
	       -VMI_ENOENT);
	/* The table is bounded: fill it with pages of the image. */
	{
		uint32_t base = guest_plat.image_start >> 12, n = 0;
		int32_t r;

		while ((r = vmi_call(VMI_CALL_MMU_PIN, 1, base + n, 0)) == 0 ||
		       r == -VMI_EBUSY)
			if (++n > 1000)
				break;
		CHECK(r == -VMI_ENOSPC, "pinning %u pages ended with %d", n, r);
		printf("vmi_mm: the pin table took %u more pages, then "
		       "-ENOSPC\n", n);
		for (uint32_t i = 0; i < n; i++)
			if (base + i != gfn_of(pt) && base + i != gfn_of(pd1))
				vmi_call(VMI_CALL_MMU_UNPIN, base + i, 0, 0);
		EXPECT(vmi_call(VMI_CALL_MMU_PIN, 1, gfn_of(pool[7]), 0), 0);
		EXPECT(vmi_call(VMI_CALL_MMU_UNPIN, gfn_of(pool[7]), 0, 0), 0);
	}
	EXPECT(vmi_call(VMI_CALL_MMU_LOAD_BASE, gfn_of(pdpt), 0, 0), 0);
	EXPECT(vmi_call(VMI_CALL_MMU_LOAD_BASE, 0xfee00, 0, 0), -VMI_EACCES);
	printf("vmi_mm: PIN, UNPIN and LOAD_BASE and their refusals behave\n");
}

static void flush_errors(void)
{
	EXPECT(vmi_call(VMI_CALL_MMU_FLUSH, VMI_FLUSH_LOCAL, 0, 0), 0);
	EXPECT(vmi_call(VMI_CALL_MMU_FLUSH, VMI_FLUSH_ALL, 0, 0), 0);
	EXPECT(vmi_call(VMI_CALL_MMU_FLUSH, 3, 0, 0), -VMI_EINVAL);
	EXPECT(vmi_call(VMI_CALL_MMU_INVLPG, TEST_VA, 7, 0), -VMI_EINVAL);
	vcpu_mask = 1;
	EXPECT(vmi_call(VMI_CALL_MMU_FLUSH, VMI_FLUSH_MASK,
			(uintptr_t)&vcpu_mask, 0), 0);
	EXPECT(vmi_call(VMI_CALL_MMU_FLUSH, VMI_FLUSH_MASK,
			(uintptr_t)&vcpu_mask + 4, 0), -VMI_EINVAL);
	EXPECT(vmi_call(VMI_CALL_MMU_FLUSH, VMI_FLUSH_MASK, 0xfee00000u, 0),
	       -VMI_EFAULT);
	EXPECT(vmi_call(VMI_CALL_MMU_INVLPG, TEST_VA, VMI_FLUSH_MASK,
			0xfee00000u), -VMI_EFAULT);
	vcpu_mask = 1ull << 40;
	EXPECT(vmi_call(VMI_CALL_MMU_FLUSH, VMI_FLUSH_MASK,
			(uintptr_t)&vcpu_mask, 0), -VMI_ESRCH);
	EXPECT(vmi_call(VMI_CALL_MMU_INVLPG, TEST_VA, VMI_FLUSH_MASK,
			(uintptr_t)&vcpu_mask), -VMI_ESRCH);
	printf("vmi_mm: FLUSH and INVLPG refuse bad scopes and bitmaps\n");
}

/* --- two vCPUs --- */

static volatile uint32_t ap_seen, ap_reads, ap_stop;
static volatile uint32_t storm_go, storm_done[2];

/* CPU 1: read TEST_VA until it shows @want (or a long time passes). */
static void ap_watch(void *arg)
{
	uint32_t want = (uint32_t)(uintptr_t)arg;
	uint64_t end = now_us() + 20000000;

	ap_reads = 0;
	for (;;) {
		uint32_t v = *(volatile uint32_t *)TEST_VA;

		ap_reads++;
		if (v == want || now_us() > end || ap_stop) {
			ap_seen = v;
			return;
		}
	}
}

static void ap_storm(void *arg)
{
	unsigned int me = (unsigned int)(uintptr_t)arg;

	while (!storm_go)
		cpu_relax();
	for (unsigned int i = 0; i < 200; i++)
		EXPECT(vmi_call(VMI_CALL_MMU_FLUSH, VMI_FLUSH_ALL, 0, 0), 0);
	storm_done[me] = 1;
}

static void cross_flush(void)
{
	uint64_t t0;
	unsigned int n;

	if (guest_plat.nr_cpus < 2) {
		printf("vmi_mm: 1 vCPU: no cross-vCPU flush\n");
		return;
	}
	n = smp_start_aps();
	CHECK(n >= 2, "only %u CPUs came online", n);
	CHECK(smp_call(1, paging_on, NULL, true), "CPU 1: paging");
	/* CPU 1 caches TEST_VA -> pool[1] (MARK + 1). */
	ap_stop = 0;
	*(volatile uint32_t *)pool[2] = MARK + 2;
	CHECK(smp_call(1, ap_watch, (void *)(uintptr_t)(MARK + 1), true) &&
	      ap_seen == MARK + 1, "CPU 1 reads %#x at TEST_VA", ap_seen);
	/* CPU 1 spins on TEST_VA in guest mode; the entry changes under it
	 * (a plain store: the hypervisor never sees it). */
	ap_seen = 0;
	CHECK(smp_call(1, ap_watch, (void *)(uintptr_t)(MARK + 2), false),
	      "CPU 1: watch");
	delay_us(20000);
	pt[0] = (uintptr_t)pool[2] | PTE_P | PTE_RW;
	delay_us(50000);
	printf("vmi_mm: before the flush CPU 1 read %s (%u reads)\n",
	       ap_seen == MARK + 2 ? "the new mapping already" :
				     "through its stale translation",
	       ap_reads);
	vcpu_mask = 2;
	t0 = now_us();
	EXPECT(vmi_call(VMI_CALL_MMU_INVLPG, TEST_VA, VMI_FLUSH_MASK,
			(uintptr_t)&vcpu_mask), 0);
	t0 = now_us() - t0;
	{
		uint64_t end = now_us() + 5000000;

		while (!ap_seen && now_us() < end)
			cpu_relax();
	}
	ap_stop = 1;
	CHECK(ap_seen == MARK + 2, "after a cross-vCPU INVLPG CPU 1 reads "
	      "%#x at TEST_VA, expected %#x", ap_seen, MARK + 2);
	printf("vmi_mm: cross-vCPU INVLPG took %llu us; CPU 1 sees the new "
	       "mapping\n", t0);
	/* Both flush each other at once, many times: no deadlock. */
	storm_go = 0;
	storm_done[0] = storm_done[1] = 0;
	CHECK(smp_call(1, ap_storm, (void *)1, false), "CPU 1: storm");
	storm_go = 1;
	ap_storm((void *)0);
	{
		uint64_t end = now_us() + 20000000;

		while (!storm_done[1] && now_us() < end)
			cpu_relax();
	}
	CHECK(storm_done[1], "CPU 1 did not finish its flushes");
	printf("vmi_mm: two vCPUs flushing each other 200 times: no "
	       "deadlock\n");
}

/* --- memory --- */

static int32_t read_map(void)
{
	int32_t n = vmi_call(VMI_CALL_MEMORY_MAP, (uintptr_t)map, 64, 0);

	CHECK(n > 0 && n <= 64, "MEMORY_MAP returned %d", n);
	return n;
}

static void memory_map(void)
{
	int32_t n = vmi_call(VMI_CALL_MEMORY_MAP, 0, 0, 0);

	CHECK(n == (int32_t)guest_plat.nr_mem,
	      "MEMORY_MAP counts %d ranges, multiboot gave %u", n,
	      guest_plat.nr_mem);
	EXPECT(read_map(), n);
	for (int32_t i = 0; i < n; i++) {
		const struct mem_range *m = &guest_plat.mem[i];

		CHECK(map[i].base == m->base && map[i].length == m->len &&
		      map[i].type == m->type && map[i].reserved == 0,
		      "range %d: MEMORY_MAP %#llx+%#llx type %u, multiboot "
		      "%#llx+%#llx type %u", i, map[i].base, map[i].length,
		      map[i].type, m->base, m->len, m->type);
	}
	EXPECT(vmi_call(VMI_CALL_MEMORY_MAP, (uintptr_t)map + 4, 4, 0),
	       -VMI_EINVAL);
	EXPECT(vmi_call(VMI_CALL_MEMORY_MAP, 0xfee00000u, 4, 0), -VMI_EFAULT);
	/* A short buffer gets the first ranges and the full count. */
	memset(map, 0xff, sizeof(map));
	EXPECT(vmi_call(VMI_CALL_MEMORY_MAP, (uintptr_t)map, 1, 0), n);
	CHECK(map[0].base == guest_plat.mem[0].base &&
	      map[1].base == ~0ull, "a 1-entry MEMORY_MAP wrote more");
	printf("vmi_mm: MEMORY_MAP matches the %d multiboot ranges\n", n);
}

static bool ballooned_in_map(uint64_t gpa, int32_t n)
{
	for (int32_t i = 0; i < n; i++)
		if (map[i].type == VMI_MEM_BALLOONED && map[i].base <= gpa &&
		    gpa - map[i].base < map[i].length)
			return true;
	return false;
}

static void balloon(void)
{
	uint64_t pa = (uintptr_t)pool[4], pb = (uintptr_t)pool[6];
	int32_t n;

	*(volatile uint32_t *)pool[4] = MARK;
	*(volatile uint32_t *)pool[6] = MARK;
	/* Refusals. */
	list[0] = 0xfee00; /* the LAPIC */
	EXPECT(vmi_call(VMI_CALL_BALLOON_OUT, (uintptr_t)list, 1, 0),
	       -VMI_EINVAL);
	list[0] = 0xf0; /* 0xF0000: the reserved BIOS/ACPI area */
	EXPECT(vmi_call(VMI_CALL_BALLOON_OUT, (uintptr_t)list, 1, 0),
	       -VMI_EINVAL);
	list[0] = 0x100000; /* 4 GiB: beyond a 32 MiB domain */
	EXPECT(vmi_call(VMI_CALL_BALLOON_OUT, (uintptr_t)list, 1, 0),
	       -VMI_EINVAL);
	list[0] = gfn_of(vmi_rom);
	EXPECT(vmi_call(VMI_CALL_BALLOON_OUT, (uintptr_t)list, 1, 0),
	       -VMI_EBUSY);
	list[0] = gfn_of(&shared);
	EXPECT(vmi_call(VMI_CALL_BALLOON_OUT, (uintptr_t)list, 1, 0),
	       -VMI_EBUSY);
	list[0] = gfn_of(pt); /* pinned */
	EXPECT(vmi_call(VMI_CALL_BALLOON_OUT, (uintptr_t)list, 1, 0),
	       -VMI_EBUSY);
	EXPECT(vmi_call(VMI_CALL_BALLOON_OUT, (uintptr_t)list,
			VMI_BALLOON_BATCH_MAX + 1, 0), -VMI_E2BIG);
	EXPECT(vmi_call(VMI_CALL_BALLOON_OUT, (uintptr_t)list + 4, 1, 0),
	       -VMI_EINVAL);
	EXPECT(vmi_call(VMI_CALL_BALLOON_OUT, 0xfee00000u, 1, 0), -VMI_EFAULT);
	EXPECT(vmi_call(VMI_CALL_BALLOON_IN, 0xfee00000u, 1, 0), -VMI_EFAULT);
	/* At the memory size: nothing to take back. */
	list[0] = pa >> 12;
	EXPECT(vmi_call(VMI_CALL_BALLOON_IN, (uintptr_t)list, 1, 0),
	       -VMI_ENOMEM);

	/* Give back pool[4], pool[6] and 64 more pages. */
	list[0] = pa >> 12;
	list[1] = pb >> 12;
	EXPECT(vmi_call(VMI_CALL_BALLOON_OUT, (uintptr_t)list, 2, 0), 2);
	EXPECT(vmi_call(VMI_CALL_BALLOON_OUT, (uintptr_t)list, 1, 0),
	       -VMI_ENOENT);
	/* A batch stops at the page given back already. */
	list[0] = gfn_of(pool[5]);
	list[1] = pb >> 12;
	EXPECT(vmi_call(VMI_CALL_BALLOON_OUT, (uintptr_t)list, 2, 0), 1);
	n = read_map();
	CHECK(ballooned_in_map(pa, n) && ballooned_in_map(pb, n) &&
	      ballooned_in_map((uintptr_t)pool[5], n) &&
	      !ballooned_in_map((uintptr_t)pool[3], n),
	      "MEMORY_MAP does not show the ballooned pages");
	CHECK(n == (int32_t)guest_plat.nr_mem + 2,
	      "MEMORY_MAP with 1 ballooned run has %d ranges", n);
	{
		for (unsigned int i = 0; i < 64; i++) {
			big[i][0] = 1;
			list[i] = gfn_of(big[i]);
		}
		EXPECT(vmi_call(VMI_CALL_BALLOON_OUT, (uintptr_t)list, 64, 0),
		       64);
		printf("vmi_mm: BALLOON_OUT gave back 67 pages\n");
	}
	/* Take back pool[4] and pool[5], then the 64: they come back
	 * zeroed, and a batch stops at the memory size. */
	list[0] = pa >> 12;
	list[1] = gfn_of(pool[5]);
	list[2] = pa >> 12; /* populated again by then */
	EXPECT(vmi_call(VMI_CALL_BALLOON_IN, (uintptr_t)list, 3, 0), 2);
	CHECK(*(volatile uint32_t *)pool[4] == 0 &&
	      *(volatile uint32_t *)(pool[5] + 4092) == 0,
	      "a page taken back is not zeroed: %#x",
	      *(volatile uint32_t *)pool[4]);
	for (unsigned int i = 0; i < 64; i++)
		list[i] = gfn_of(big[i]);
	list[64] = pb >> 12;
	list[65] = gfn_of(pool[3]); /* beyond the memory size */
	EXPECT(vmi_call(VMI_CALL_BALLOON_IN, (uintptr_t)list, 66, 0), 65);
	CHECK(*(volatile uint32_t *)pool[6] == 0, "pool[6] not zeroed");
	for (unsigned int i = 0; i < 64; i++)
		CHECK(big[i][0] == 0, "page %u of 64 taken back not zeroed", i);
	list[0] = pa >> 12;
	EXPECT(vmi_call(VMI_CALL_BALLOON_IN, (uintptr_t)list, 1, 0),
	       -VMI_ENOMEM);
	n = read_map();
	CHECK(n == (int32_t)guest_plat.nr_mem && !ballooned_in_map(pa, n),
	      "MEMORY_MAP after BALLOON_IN has %d ranges", n);
	/* Pages taken back work. */
	*(volatile uint32_t *)pool[4] = MARK;
	CHECK(*(volatile uint32_t *)pool[4] == MARK, "pool[4] not writable");
	printf("vmi_mm: BALLOON_IN returned 67 zeroed pages and stopped at "
	       "the memory size\n");
}

/*
 * Every other page of a 4 MiB pool: each is a hole of its own in the
 * hypervisor's P2M, which is bounded, so a batch stops with the P2M full
 * and a further page is refused with -ENOSPC.  Then all come back.
 */
static void balloon_sparse(void)
{
	int32_t n, m;

	for (unsigned int i = 0; i < VMI_BALLOON_BATCH_MAX; i++)
		list[i] = gfn_of(sparse[2 * i + 1]);
	n = vmi_call(VMI_CALL_BALLOON_OUT, (uintptr_t)list,
		     VMI_BALLOON_BATCH_MAX, 0);
	CHECK(n > 0 && n < (int32_t)VMI_BALLOON_BATCH_MAX,
	      "512 scattered pages: BALLOON_OUT returned %d", n);
	EXPECT(vmi_call(VMI_CALL_BALLOON_OUT, (uintptr_t)&list[n], 1, 0),
	       -VMI_ENOSPC);
	m = vmi_call(VMI_CALL_MEMORY_MAP, 0, 0, 0);
	CHECK(m == (int32_t)guest_plat.nr_mem + 2 * n,
	      "MEMORY_MAP has %d ranges with %d scattered holes", m, n);
	EXPECT(vmi_call(VMI_CALL_BALLOON_IN, (uintptr_t)list, n, 0), n);
	EXPECT(vmi_call(VMI_CALL_MEMORY_MAP, 0, 0, 0), guest_plat.nr_mem);
	printf("vmi_mm: %d scattered pages given back until the P2M was "
	       "full (-ENOSPC), all taken back\n", n);
}

/*
 * The vCPU area moves and the old one is given back at once, again and
 * again, while CPU 1 keeps sending events to vCPU 0: every send writes
 * into whichever area is vCPU 0's.  Once VCPU_AREA has returned no send
 * may write into the old area, so each old area page, given back and
 * taken again (zeroed, most often the very frame it had), must still be
 * all zero when it comes back.
 */
static uint8_t arena[2][4096] __attribute__((aligned(4096)));
static volatile uint32_t race_stop, race_sends, race_port;

static void ap_send(void *arg)
{
	volatile uint32_t *pend = (volatile uint32_t *)shared.evtchn_pending;
	uint32_t port = race_port;

	(void)arg;
	while (!race_stop) {
		/* Not pending: the send reaches the area. */
		__atomic_fetch_and(&pend[port / 32], ~(1u << (port % 32)),
				   __ATOMIC_SEQ_CST);
		EXPECT(vmi_call(VMI_CALL_EVTCHN_SEND, port, 0, 0), 0);
		race_sends++;
	}
}

static void area_race(void)
{
	uint64_t end;
	uint32_t moves = 0, dirty = 0, k = 0;
	int32_t port;

	EXPECT(vmi_call(VMI_CALL_DECLARE, VMI_SECTION_VCPU,
			VMI_SECTION_VERSION(1u, 0u), 0), 0);
	EXPECT(vmi_call(VMI_CALL_DECLARE, VMI_SECTION_EVENTS,
			VMI_SECTION_VERSION(1u, 0u), 0), 0);
	port = vmi_call(VMI_CALL_EVTCHN_BIND_IPI, 0, 0, 0);
	CHECK(port > 0, "BIND_IPI returned %d", port);
	race_port = (uint32_t)port;
	EXPECT(vmi_call(VMI_CALL_EVTCHN_UNMASK, race_port, 0, 0), 0);
	EXPECT(vmi_call(VMI_CALL_VCPU_AREA, (uintptr_t)arena[0], 0, 0), 0);
	race_stop = 0;
	CHECK(smp_call(1, ap_send, NULL, false), "CPU 1: send");
	end = now_us() + 3000000;
	while (now_us() < end) {
		uint32_t nonzero = 0;

		EXPECT(vmi_call(VMI_CALL_VCPU_AREA, (uintptr_t)arena[k ^ 1], 0,
				0), 0);
		list[0] = gfn_of(arena[k]);
		EXPECT(vmi_call(VMI_CALL_BALLOON_OUT, (uintptr_t)list, 1, 0), 1);
		EXPECT(vmi_call(VMI_CALL_BALLOON_IN, (uintptr_t)list, 1, 0), 1);
		for (unsigned int i = 0; i < 4096 / 4; i++)
			nonzero |= ((volatile uint32_t *)arena[k])[i];
		dirty += nonzero != 0;
		moves++;
		k ^= 1;
	}
	race_stop = 1;
	delay_us(10000);
	EXPECT(vmi_call(VMI_CALL_VCPU_AREA, 0, 0, 0), 0);
	EXPECT(vmi_call(VMI_CALL_EVTCHN_CLOSE, race_port, 0, 0), 0);
	CHECK(race_sends > 0, "CPU 1 sent no event");
	CHECK(!dirty, "%u of %u old vCPU areas given back were written after "
	      "VCPU_AREA moved away from them", dirty, moves);
	printf("vmi_mm: %u vCPU area moves, each old area given back and "
	       "taken back clean, while CPU 1 sent %u events\n", moves,
	       race_sends);
}

/*
 * SHARED_PAGE attach on vCPU 0 races detach on vCPU 1, which then gives
 * the page back: once that succeeded no shared page may be attached (the
 * page is gone, so vCPU 0 cannot attach it again), so BIND_IPI must fail.
 * A detach that lost the race and left the page mapped with no address
 * recorded would let the page go while events still reach it.
 */
static volatile uint32_t sp_stop, sp_given, sp_bad;

static void ap_detach(void *arg)
{
	(void)arg;
	while (!sp_stop) {
		EXPECT(vmi_call(VMI_CALL_SHARED_PAGE, 0, 0, 0), 0);
		list[1] = gfn_of(arena[1]);
		if (vmi_call(VMI_CALL_BALLOON_OUT, (uintptr_t)&list[1], 1, 0) !=
		    1)
			continue;
		sp_given++;
		if (vmi_call(VMI_CALL_EVTCHN_BIND_IPI, 0, 0, 0) != -VMI_EFAULT)
			sp_bad++;
		EXPECT(vmi_call(VMI_CALL_BALLOON_IN, (uintptr_t)&list[1], 1, 0),
		       1);
	}
	sp_stop = 2;
}

static void shared_race(void)
{
	uint64_t end = now_us() + 2000000;
	uint32_t attached = 0;

	sp_stop = 0;
	CHECK(smp_call(1, ap_detach, NULL, false), "CPU 1: detach");
	while (now_us() < end)
		attached += vmi_call(VMI_CALL_SHARED_PAGE,
				     (uintptr_t)arena[1], 0, 0) == 0;
	sp_stop = 1;
	while (sp_stop != 2)
		cpu_relax();
	CHECK(!sp_bad, "%u of %u times a shared page stayed attached after "
	      "its page was given back", sp_bad, sp_given);
	CHECK(sp_given && attached, "no race: %u attaches, %u pages given "
	      "back", attached, sp_given);
	printf("vmi_mm: %u shared-page attaches raced detaches: the page "
	       "given back %u times, never while attached\n", attached,
	       sp_given);
}

void test_main(void)
{
	char buf[8];

	if (cpuid(VMI_CPUID_BASE).ebx != VMI_SIGNATURE_EBX ||
	    cpuid(VMI_CPUID_VERSION).eax == 0)
		guest_skip(guest_name, "no VMI ABI");
	build_tables();
	paging_on(NULL);
	setup();
	mmu_update();
	mmu_pin();
	if (cmdline_get("race", buf, sizeof(buf))) {
		CHECK(guest_plat.nr_cpus >= 2 && smp_start_aps() >= 2,
		      "race needs 2 vCPUs");
		area_race();
		shared_race();
		guest_pass(guest_name);
	}
	flush_errors();
	cross_flush();
	memory_map();
	balloon();
	if (!cmdline_get("touch", buf, sizeof(buf))) {
		balloon_sparse();
	}
	if (cmdline_get("touch", buf, sizeof(buf))) {
		list[0] = gfn_of(pool[7]);
		EXPECT(vmi_call(VMI_CALL_BALLOON_OUT, (uintptr_t)list, 1, 0),
		       1);
		printf("vmi_mm: reading a page given back\n");
		printf("vmi_mm: read %#x: the domain is still alive\n",
		       *(volatile uint32_t *)pool[7]);
		guest_fail(guest_name, "a ballooned page could be read");
	}
	guest_pass(guest_name);
}
