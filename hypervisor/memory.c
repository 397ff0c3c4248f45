/*
 * Glue between the boot memory map and mm/frame.c.
 *
 * One zone spans frame 0 up to the end of the highest usable RAM.  Usable
 * ranges are released to it; then the parts the hypervisor or the firmware
 * still need are taken back with frame_zone_reserve(): the first MiB (BIOS
 * data, the AP trampoline), the image, the multiboot information, the
 * modules and the frame metadata array itself.
 */
#include <trivisor/memory.h>
#include <trivisor/bootinfo.h>
#include <trivisor/layout.h>
#include <trivisor/spinlock.h>
#include <trivisor/panic.h>
#include <trivisor/log.h>
#include <string.h>

#define LOW_LIMIT (4ul << 30)


static struct frame_zone zone;
static spinlock_t zone_lock = SPINLOCK_INIT;
uint64_t phys_top;

struct range {
	uint64_t start, end;
};

static struct range busy[BOOT_MAX_MODULES + 8];
static unsigned int nr_busy;

static void add_busy(uint64_t start, uint64_t end)
{
	BUG_ON(nr_busy >= sizeof(busy) / sizeof(busy[0]));
	busy[nr_busy].start = start & ~(PAGE_SIZE - 1);
	busy[nr_busy].end = (end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	nr_busy++;
}

static bool overlaps_busy(uint64_t start, uint64_t end)
{
	for (unsigned int i = 0; i < nr_busy; i++)
		if (start < busy[i].end && busy[i].start < end)
			return true;
	return false;
}

/* First page-aligned spot of @bytes in usable RAM below 4 GiB. */
static uint64_t find_spot(uint64_t bytes)
{
	for (unsigned int i = 0; i < boot_info.nr_mmap; i++) {
		const struct boot_mmap_entry *e = &boot_info.mmap[i];
		uint64_t s = (e->base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		uint64_t end = e->base + e->len;

		if (e->type != MMAP_AVAILABLE)
			continue;
		while (s + bytes <= end && s + bytes <= LOW_LIMIT) {
			if (!overlaps_busy(s, s + bytes))
				return s;
			s += PAGE_SIZE;
		}
	}
	return 0;
}

static void release(uint64_t lo_limit, uint64_t hi_limit)
{
	for (unsigned int i = 0; i < boot_info.nr_mmap; i++) {
		const struct boot_mmap_entry *e = &boot_info.mmap[i];
		uint64_t s = (e->base + PAGE_SIZE - 1) >> PAGE_SHIFT;
		uint64_t end = (e->base + e->len) >> PAGE_SHIFT;
		int ret;

		if (e->type != MMAP_AVAILABLE)
			continue;
		if (s < lo_limit >> PAGE_SHIFT)
			s = lo_limit >> PAGE_SHIFT;
		if (end > hi_limit >> PAGE_SHIFT)
			end = hi_limit >> PAGE_SHIFT;
		if (end <= s)
			continue;
		ret = frame_zone_add_free(&zone, s, end - s);
		if (ret)
			panic("frame allocator: cannot add [%lx, %lx): %d", s, end,
			      ret);
	}
	/* Take back what is in use; frames outside RAM stay reserved. */
	for (unsigned int i = 0; i < nr_busy; i++) {
		uint64_t s = busy[i].start, end = busy[i].end;

		if (s < lo_limit)
			s = lo_limit;
		if (end > hi_limit)
			end = hi_limit;
		if (end > phys_top)
			end = phys_top;
		if (end <= s)
			continue;
		frame_zone_reserve(&zone, s >> PAGE_SHIFT,
				   (end - s) >> PAGE_SHIFT,
				   FRAME_OWNER_HYPERVISOR);
	}
}

void memory_init(void)
{
	uint64_t meta_bytes, meta_pa;
	const char *why;
	int ret;

	for (unsigned int i = 0; i < boot_info.nr_mmap; i++) {
		const struct boot_mmap_entry *e = &boot_info.mmap[i];

		if (e->type == MMAP_AVAILABLE && e->base + e->len > phys_top)
			phys_top = (e->base + e->len) & ~(PAGE_SIZE - 1);
	}
	if (!phys_top)
		panic("the memory map lists no usable RAM");

	add_busy(0, 1ul << 20);
	add_busy(SYM_VALUE(_image_pstart), SYM_VALUE(_image_pend));
	add_busy(boot_info.mbi_pa, boot_info.mbi_pa + boot_info.mbi_size);
	for (unsigned int i = 0; i < boot_info.nr_modules; i++)
		add_busy(boot_info.modules[i].start, boot_info.modules[i].end);

	meta_bytes = frame_meta_bytes(phys_top >> PAGE_SHIFT);
	meta_pa = find_spot(meta_bytes);
	if (!meta_pa)
		panic("no room below 4 GiB for %lu KiB of frame metadata",
		      meta_bytes >> 10);
	add_busy(meta_pa, meta_pa + meta_bytes);

	ret = frame_zone_init(&zone, pa_to_va(meta_pa), 0,
			      phys_top >> PAGE_SHIFT);
	if (ret)
		panic("frame_zone_init: %d", ret);
	release(0, phys_top < LOW_LIMIT ? phys_top : LOW_LIMIT);
	if (frame_zone_check(&zone, &why))
		panic("frame allocator inconsistent after boot: %s", why);
	log_info("frames: %lu MiB free of %lu MiB managed, metadata %lu KiB "
		 "at %#lx",
		 frame_free_count(&zone) >> 8, frame_total_count(&zone) >> 8,
		 meta_bytes >> 10, meta_pa);
}

void memory_add_high(void)
{
	uint64_t before = frame_free_count(&zone);

	if (phys_top <= LOW_LIMIT)
		return;
	release(LOW_LIMIT, phys_top);
	log_info("frames: %lu MiB above 4 GiB added",
		 (frame_free_count(&zone) - before) >> 8);
}

int hv_frame_alloc(unsigned int order, uint16_t owner, uint64_t *mfn)
{
	uint64_t f = spin_lock_irqsave(&zone_lock);
	int ret = frame_alloc(&zone, order, owner, mfn);

	spin_unlock_irqrestore(&zone_lock, f);
	return ret;
}

void *hv_pages_alloc(unsigned int order, uint64_t *pa, int fill)
{
	uint64_t mfn;

	if (hv_frame_alloc(order, FRAME_OWNER_HYPERVISOR, &mfn))
		return NULL;
	*pa = mfn << PAGE_SHIFT;
	memset(pa_to_va(*pa), fill, PAGE_SIZE << order);
	return pa_to_va(*pa);
}

int hv_frame_free(uint64_t mfn, unsigned int order, uint16_t owner)
{
	uint64_t f = spin_lock_irqsave(&zone_lock);
	int ret = frame_free(&zone, mfn, order, owner);

	spin_unlock_irqrestore(&zone_lock, f);
	return ret;
}

int hv_frame_split(uint64_t mfn, unsigned int order, uint16_t owner)
{
	uint64_t f = spin_lock_irqsave(&zone_lock);
	int ret = frame_split(&zone, mfn, order, owner);

	spin_unlock_irqrestore(&zone_lock, f);
	return ret;
}

uint64_t hv_frames_free(void)
{
	return frame_free_count(&zone);
}

uint64_t hv_frames_total(void)
{
	return frame_total_count(&zone);
}

uint64_t hv_alloc_page_boot(void)
{
	uint64_t mfn;

	if (hv_frame_alloc(0, FRAME_OWNER_HYPERVISOR, &mfn))
		panic("out of memory during boot");
	memset(pa_to_va(mfn << PAGE_SHIFT), 0, PAGE_SIZE);
	return mfn << PAGE_SHIFT;
}
