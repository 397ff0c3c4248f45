/*
 * npt - every page of guest RAM is there, distinct, and keeps what is
 * written; an address beyond RAM is harmless.
 *
 * Under a hypervisor this exercises the nested (or shadow) page tables:
 * every page faults in at first touch, 2 MiB boundaries cross large-page
 * mappings, and the hole beyond RAM must neither alias RAM nor kill the
 * guest.  Proves:
 *  - multiboot mem_upper agrees with the memory map's range at 1 MiB;
 *  - sparse pass: each 4 KiB page of available RAM below 4 GiB (except
 *    page 0 and this image) gets a tag unique to its address in its first
 *    and last dword; all tags are written first and checked after, so two
 *    addresses sharing a frame are caught;
 *  - 2 MiB strides: at every 2 MiB boundary inside RAM, an unaligned dword
 *    and word straddling the boundary read back whole and byte by byte;
 *  - dense pass: 4 MiB of RAM written and checked dword by dword, twice
 *    (pattern and complement);
 *  - the hole: HOLE_GAP beyond the end of RAM, outside every memory map
 *    entry, a write is dropped and a read returns all ones (8, 16 and 32
 *    bit), as an unclaimed bus does.  All zeros, or an exception (#GP,
 *    #PF, #MC), are reported and tolerated: what matters is that the read
 *    neither returns what was written (aliasing RAM) nor stops the guest.
 *    RAM is re-checked afterwards.
 * RAM above 4 GiB is out of reach of this unpaged 32-bit kernel; its size
 * is reported and it is skipped.
 */
#include "guest.h"

GUEST_TEST("npt");

#define PAGE 4096u
#define LARGE MIB(2)
#define DENSE MIB(4)
#define HOLE_GAP MIB(16)
#define FOUR_G 0x100000000ull

struct span {
	uint32_t base, end; /* [base, end), page aligned */
};

static struct span spans[GUEST_MAX_MEM * 2];
static unsigned int nr_spans;
static uint32_t ram_pages;

static void add_span(uint32_t base, uint32_t end)
{
	if (end > base && nr_spans < ARRAY_SIZE(spans)) {
		spans[nr_spans++] = (struct span){ base, end };
		ram_pages += (end - base) / PAGE;
	}
}

/* Available RAM below 4 GiB, minus page 0 and this image. */
static void collect(void)
{
	uint64_t above = 0;
	uint32_t is = guest_plat.image_start, ie = guest_plat.image_end;

	for (unsigned int i = 0; i < guest_plat.nr_mem; i++) {
		const struct mem_range *r = &guest_plat.mem[i];
		uint64_t b = ALIGN_UP(r->base, PAGE), e = r->base + r->len;

		if (r->type != MEM_AVAILABLE)
			continue;
		e &= ~(uint64_t)(PAGE - 1);
		if (e > FOUR_G) {
			above += e - (b > FOUR_G ? b : FOUR_G);
			e = FOUR_G;
		}
		if (b < PAGE)
			b = PAGE;
		if (b >= e)
			continue;
		if (b < ie && e > is) {
			add_span((uint32_t)b, is);
			add_span(ie, (uint32_t)e);
		} else {
			add_span((uint32_t)b, (uint32_t)e);
		}
	}
	printf("npt: %u KiB of RAM below 4 GiB to test in %u spans\n",
	       ram_pages * 4, nr_spans);
	if (above)
		printf("npt: %llu MiB of RAM above 4 GiB skipped (no paging)\n",
		       above >> 20);
	CHECK(ram_pages > 256, "only %u pages of RAM in the memory map",
	      ram_pages);
}

static void check_mem_upper(void)
{
	for (unsigned int i = 0; i < guest_plat.nr_mem; i++) {
		const struct mem_range *r = &guest_plat.mem[i];

		if (r->type == MEM_AVAILABLE && r->base == MIB(1)) {
			CHECK(guest_plat.mem_upper_kib == r->len >> 10,
			      "mem_upper %u KiB but the map's range at 1 MiB "
			      "is %llu KiB",
			      guest_plat.mem_upper_kib, r->len >> 10);
			return;
		}
	}
	guest_fail(guest_name, "no available range starts at 1 MiB");
}

static inline uint32_t tag(uint32_t a)
{
	return (a * 0x9e3779b1u) ^ 0x5a5aa5a5u;
}

static volatile uint32_t *w32(uint32_t a)
{
	return phys_ptr(a);
}

static void sparse_pass(void)
{
	uint64_t t0 = rdtsc();

	for (unsigned int s = 0; s < nr_spans; s++)
		for (uint32_t a = spans[s].base; a < spans[s].end; a += PAGE) {
			*w32(a) = tag(a);
			*w32(a + PAGE - 4) = ~tag(a);
		}
	for (unsigned int s = 0; s < nr_spans; s++)
		for (uint32_t a = spans[s].base; a < spans[s].end; a += PAGE) {
			uint32_t x = *w32(a), y = *w32(a + PAGE - 4);

			CHECK(x == tag(a) && y == ~tag(a),
			      "page %#x reads %#x/%#x, expected %#x/%#x "
			      "(lost write or aliased frame)",
			      a, x, y, tag(a), ~tag(a));
		}
	printf("npt: sparse pass: %u pages tagged and checked in %llu ms\n",
	       ram_pages, tsc_to_us(rdtsc() - t0) / 1000);
}

static bool in_ram(uint32_t a, uint32_t len)
{
	for (unsigned int s = 0; s < nr_spans; s++)
		if (a >= spans[s].base && a + len <= spans[s].end)
			return true;
	return false;
}

static void stride_pass(void)
{
	unsigned int n = 0;

	for (uint32_t x = LARGE; x != 0 && x < 0xfe000000u; x += LARGE) {
		volatile uint8_t *b;
		uint32_t v = tag(x);
		uint16_t h = (uint16_t)(v >> 7);

		if (!in_ram(x - 8, 16))
			continue;
		b = phys_ptr(x - 2);
		*(volatile uint32_t *)b = v; /* bytes x-2 .. x+1 */
		CHECK(*(volatile uint32_t *)b == v &&
			      b[0] == (uint8_t)v && b[1] == (uint8_t)(v >> 8) &&
			      b[2] == (uint8_t)(v >> 16) &&
			      b[3] == (uint8_t)(v >> 24),
		      "dword straddling %#x read back wrong", x);
		b = phys_ptr(x - 1);
		*(volatile uint16_t *)b = h;
		CHECK(*(volatile uint16_t *)b == h && b[0] == (uint8_t)h &&
			      b[1] == (uint8_t)(h >> 8),
		      "word straddling %#x read back wrong", x);
		n++;
	}
	printf("npt: 2 MiB strides: %u boundaries crossed by unaligned "
	       "accesses\n",
	       n);
	CHECK(n > 0, "no 2 MiB boundary inside RAM");
}

static void dense_pass(void)
{
	struct span best = { 0, 0 };
	uint32_t base, end;
	uint64_t t0 = rdtsc();

	for (unsigned int s = 0; s < nr_spans; s++)
		if (spans[s].end - spans[s].base > best.end - best.base)
			best = spans[s];
	base = best.base;
	end = best.end - base > DENSE ? base + DENSE : best.end;
	for (int round = 0; round < 2; round++) {
		uint32_t inv = round ? ~0u : 0;

		for (uint32_t a = base; a < end; a += 4)
			*w32(a) = tag(a) ^ inv;
		for (uint32_t a = base; a < end; a += 4)
			CHECK(*w32(a) == (tag(a) ^ inv),
			      "dense pass: %#x reads %#x, expected %#x", a,
			      *w32(a), tag(a) ^ inv);
	}
	printf("npt: dense pass: [%#x - %#x) written and checked twice in "
	       "%llu ms\n",
	       base, end, tsc_to_us(rdtsc() - t0) / 1000);
}

static uint32_t find_hole(void)
{
	uint64_t top = 0, hole;

	for (unsigned int i = 0; i < guest_plat.nr_mem; i++) {
		const struct mem_range *r = &guest_plat.mem[i];

		if (r->type == MEM_AVAILABLE && r->base < FOUR_G &&
		    r->base + r->len > top)
			top = r->base + r->len;
	}
	hole = ALIGN_UP(top, HOLE_GAP) + HOLE_GAP;
	for (unsigned int i = 0; i < guest_plat.nr_mem; i++) {
		const struct mem_range *r = &guest_plat.mem[i];

		if (hole < r->base + r->len && hole + PAGE > r->base)
			return 0;
	}
	return hole < 0xc0000000u ? (uint32_t)hole : 0;
}

static void hole_pass(void)
{
	uint32_t hole = find_hole(), v32 = 0;
	uint16_t v16 = 0;
	uint8_t v8 = 0;
	int vec;

	if (!hole) {
		printf("npt: no address beyond RAM below 3 GiB outside the "
		       "memory map: hole check skipped\n");
		return;
	}
	vec = write32_safe(hole, 0x12345678u);
	if (vec >= 0)
		printf("npt: write to hole %#x raised %s (tolerated)\n", hole,
		       exception_name((unsigned int)vec));
	vec = read32_safe(hole, &v32);
	if (vec >= 0) {
		CHECK(vec == VEC_GP || vec == VEC_PF || vec == VEC_MC,
		      "read of hole %#x raised %s (vector %d)", hole,
		      exception_name((unsigned int)vec), vec);
		printf("npt: read of hole %#x raised %s (tolerated)\n", hole,
		       exception_name((unsigned int)vec));
		return;
	}
	v16 = *(volatile uint16_t *)phys_ptr(hole + 2);
	v8 = *(volatile uint8_t *)phys_ptr(hole + 1);
	printf("npt: hole %#x reads %#x / %#x / %#x (32/16/8 bit)\n", hole,
	       v32, v16, v8);
	CHECK(v32 != 0x12345678u, "hole %#x kept a write: RAM where the "
	      "memory map has none", hole);
	if (v32 == 0xffffffffu) {
		CHECK(v16 == 0xffff && v8 == 0xff,
		      "hole reads all ones at 32 bits but %#x/%#x narrower",
		      v16, v8);
		printf("npt: hole reads all ones\n");
	} else {
		CHECK(v32 == 0 && v16 == 0 && v8 == 0,
		      "hole %#x reads %#x: neither all ones nor all zeros",
		      hole, v32);
		printf("npt: hole reads all zeros (tolerated; all ones "
		       "expected on a PC bus)\n");
	}
}

void test_main(void)
{
	check_mem_upper();
	collect();
	sparse_pass();
	stride_pass();
	dense_pass();
	hole_pass();
	/* The guest still runs and RAM still holds: check the tags again
	 * (the dense pass rewrote part of one span, so re-tag first). */
	sparse_pass();
	guest_pass(guest_name);
}
