/*
 * loader-common.c - guest RAM bookkeeping shared by the guest loaders:
 * layout checks, a first-fit allocator over guest-physical memory, the
 * memory-map walk behind E820 and the multiboot mmap, and the flat 32-bit
 * entry state all three boot protocols start from.
 */
#include "loader-private.h"

/* Bounds the quadratic walks below; real layouts have a handful. */
#define LOADER_MAX_RANGES 256

/* Segment attributes, VMCB packing (AMD APM vol. 2, 15.5.1). */
#define SEG_ATTR_CODE32 0xc9b /* G, D, P, S, type 0xb: exec/read, accessed */
#define SEG_ATTR_DATA32 0xc93 /* G, B, P, S, type 0x3: read/write, accessed */
#define SEG_ATTR_TSS32_BUSY 0x08b /* P, type 0xb (SDM vol. 3C, 26.3.1.2) */
#define SEG_ATTR_LDT 0x082 /* P, type 0x2 */

#define X86_CR0_PE (1u << 0)
#define X86_CR0_ET (1u << 4)
#define X86_RFLAGS_FIXED (1u << 1)

/*
 * The boot GDT: null, unused, then flat 4 GiB code and data at the
 * selectors the Linux 32-bit boot protocol names (__BOOT_CS = 0x10,
 * __BOOT_DS = 0x18; boot.rst, "32-bit BOOT PROTOCOL").  Access bytes have
 * the accessed bit set to match the descriptor caches in guest_boot_state
 * (VM entry requires it, SDM vol. 3C, 26.3.1.2).
 */
static const uint64_t loader_boot_gdt[4] = {
	0,
	0,
	0x00cf9b000000ffffull,
	0x00cf93000000ffffull,
};

_Static_assert(LOADER_BOOT_CS == 2 * 8, "boot CS is GDT entry 2");
_Static_assert(LOADER_BOOT_DS == 3 * 8, "boot DS is GDT entry 3");

static int check_ranges(const struct guest_mem_range *r, size_t n, bool ram)
{
	size_t i, j;

	if (n > LOADER_MAX_RANGES)
		return -VMI_E2BIG;
	if (n && !r)
		return -VMI_EINVAL;
	for (i = 0; i < n; i++) {
		if (r[i].size == 0 || r[i].pad != 0 ||
		    r[i].gpa >= GUEST_MEM_MAX_GPA ||
		    r[i].size > GUEST_MEM_MAX_GPA - r[i].gpa)
			return -VMI_EINVAL;
		if (ram ? r[i].type != GUEST_MEM_RAM
			: (r[i].type < GUEST_MEM_RESERVED ||
			   r[i].type > GUEST_MEM_UNUSABLE))
			return -VMI_EINVAL;
		if (!ram)
			continue;
		for (j = 0; j < i; j++)
			if (r[i].gpa < r[j].gpa + r[j].size &&
			    r[j].gpa < r[i].gpa + r[i].size)
				return -VMI_EINVAL;
	}
	return 0;
}

int loader_ctx_init(struct loader_ctx *lc, const struct loader_env *env,
		    struct guest_boot_state *bs, uint32_t kind)
{
	int ret;

	memset(bs, 0, sizeof(*bs));
	lc->env = env;
	lc->bs = bs;
	lc->nr_used = 0;
	bs->placed.kind = kind;
	if (!env || !env->ops || !env->ops->write || !env->ops->read)
		return loader_fail(lc, -VMI_EINVAL, "no guest memory access");
	if (env->nr_ram == 0)
		return loader_fail(lc, -VMI_EINVAL, "no guest RAM");
	ret = check_ranges(env->ram, env->nr_ram, true);
	if (ret)
		return loader_fail(lc, ret, "bad guest RAM range");
	ret = check_ranges(env->reserved, env->nr_reserved, false);
	if (ret)
		return loader_fail(lc, ret, "bad reserved window");
	return 0;
}

int loader_fail(struct loader_ctx *lc, int err, const char *why)
{
	if (!lc->bs->error)
		lc->bs->error = why;
	return err;
}

int loader_write(struct loader_ctx *lc, uint64_t gpa, const void *src,
		 size_t len)
{
	int ret;

	if (!len)
		return 0;
	ret = lc->env->ops->write(lc->env->ctx, gpa, src, len);
	return ret ? loader_fail(lc, ret, "guest memory write failed") : 0;
}

int loader_read(struct loader_ctx *lc, uint64_t gpa, void *dst, size_t len)
{
	int ret;

	if (!len)
		return 0;
	ret = lc->env->ops->read(lc->env->ctx, gpa, dst, len);
	return ret ? loader_fail(lc, ret, "guest memory read failed") : 0;
}

int loader_zero(struct loader_ctx *lc, uint64_t gpa, uint64_t len)
{
	static const uint8_t zeroes[512];
	size_t n;
	int ret;

	while (len) {
		n = len < sizeof(zeroes) ? (size_t)len : sizeof(zeroes);
		ret = loader_write(lc, gpa, zeroes, n);
		if (ret)
			return ret;
		gpa += n;
		len -= n;
	}
	return 0;
}

/* Guest memory is little-endian whatever the host is. */
static int put_le(struct loader_ctx *lc, uint64_t gpa, uint64_t v, size_t n)
{
	uint8_t b[8];
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return loader_write(lc, gpa, b, n);
}

int loader_put8(struct loader_ctx *lc, uint64_t gpa, uint8_t v)
{
	return put_le(lc, gpa, v, 1);
}

int loader_put16(struct loader_ctx *lc, uint64_t gpa, uint16_t v)
{
	return put_le(lc, gpa, v, 2);
}

int loader_put32(struct loader_ctx *lc, uint64_t gpa, uint32_t v)
{
	return put_le(lc, gpa, v, 4);
}

int loader_put64(struct loader_ctx *lc, uint64_t gpa, uint64_t v)
{
	return put_le(lc, gpa, v, 8);
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

bool loader_in_ram(const struct loader_env *env, uint64_t base, uint64_t size)
{
	uint64_t p = base, end;
	size_t i;

	if (size == 0 || size > GUEST_MEM_MAX_GPA ||
	    base > GUEST_MEM_MAX_GPA - size)
		return false;
	end = base + size;
	/* RAM ranges may abut: follow them until end is reached. */
	while (p < end) {
		for (i = 0; i < env->nr_ram; i++)
			if (p >= env->ram[i].gpa &&
			    p - env->ram[i].gpa < env->ram[i].size)
				break;
		if (i == env->nr_ram)
			return false;
		p = env->ram[i].gpa + env->ram[i].size;
	}
	return true;
}

bool loader_hits_reserved(const struct loader_env *env, uint64_t base,
			  uint64_t size)
{
	size_t i;

	for (i = 0; i < env->nr_reserved; i++)
		if (overlaps(base, size, env->reserved[i].gpa,
			     env->reserved[i].size))
			return true;
	return false;
}

bool loader_hits_used(const struct loader_ctx *lc, uint64_t base, uint64_t size)
{
	unsigned int i;

	for (i = 0; i < lc->nr_used; i++)
		if (overlaps(base, size, lc->used[i].base,
			     lc->used[i].end - lc->used[i].base))
			return true;
	return false;
}

int loader_claim(struct loader_ctx *lc, uint64_t base, uint64_t size)
{
	if (lc->nr_used == LOADER_MAX_USED)
		return loader_fail(lc, -VMI_E2BIG, "too many regions to place");
	lc->used[lc->nr_used].base = base;
	lc->used[lc->nr_used].end = base + size;
	lc->nr_used++;
	return 0;
}

struct alloc_search {
	struct loader_ctx *lc;
	uint64_t size, align, lo, hi;
	bool top_down, found;
	uint64_t best;
};

static void alloc_try(struct alloc_search *s, uint64_t a)
{
	if (a < s->lo || a > s->hi - s->size)
		return;
	if (s->found && (s->top_down ? a <= s->best : a >= s->best))
		return;
	if (!loader_in_ram(s->lc->env, a, s->size) ||
	    loader_hits_reserved(s->lc->env, a, s->size) ||
	    loader_hits_used(s->lc, a, s->size))
		return;
	s->found = true;
	s->best = a;
}

/*
 * The best fit, if any, starts at an edge of the window or is pushed there
 * by some range boundary: top-down, its end meets an obstacle's start or a
 * RAM range's end; bottom-up, its start meets an obstacle's end or a RAM
 * range's start.  Trying the aligned candidates next to every boundary is
 * therefore exhaustive.
 */
static void alloc_boundary(struct alloc_search *s, uint64_t b)
{
	if (s->top_down) {
		if (b >= s->size)
			alloc_try(s, loader_align_down(b - s->size, s->align));
	} else {
		alloc_try(s, loader_align_up(b, s->align));
	}
}

int loader_alloc(struct loader_ctx *lc, uint64_t size, uint64_t align,
		 uint64_t lo, uint64_t hi, bool top_down, uint64_t *gpa)
{
	const struct loader_env *env = lc->env;
	struct alloc_search s = {
		.lc = lc,
		.size = size,
		.align = align,
		.lo = lo,
		.hi = hi,
		.top_down = top_down,
	};
	size_t i;

	if (hi > GUEST_MEM_MAX_GPA)
		s.hi = hi = GUEST_MEM_MAX_GPA;
	if (!size || !align || (align & (align - 1)) || hi <= lo ||
	    size > hi - lo)
		return -VMI_ENOMEM;
	alloc_try(&s, top_down ? loader_align_down(hi - size, align)
			       : loader_align_up(lo, align));
	for (i = 0; i < env->nr_ram; i++) {
		alloc_boundary(&s, env->ram[i].gpa);
		alloc_boundary(&s, env->ram[i].gpa + env->ram[i].size);
	}
	for (i = 0; i < env->nr_reserved; i++) {
		alloc_boundary(&s, env->reserved[i].gpa);
		alloc_boundary(&s,
			       env->reserved[i].gpa + env->reserved[i].size);
	}
	for (i = 0; i < lc->nr_used; i++) {
		alloc_boundary(&s, lc->used[i].base);
		alloc_boundary(&s, lc->used[i].end);
	}
	if (!s.found)
		return -VMI_ENOMEM;
	*gpa = s.best;
	return loader_claim(lc, s.best, size);
}

/* Type of the map at p: the first reserved window covering it, else RAM. */
static uint32_t map_type_at(const struct loader_env *env, uint64_t p)
{
	size_t i;

	for (i = 0; i < env->nr_reserved; i++)
		if (p >= env->reserved[i].gpa &&
		    p - env->reserved[i].gpa < env->reserved[i].size)
			return env->reserved[i].type;
	for (i = 0; i < env->nr_ram; i++)
		if (p >= env->ram[i].gpa &&
		    p - env->ram[i].gpa < env->ram[i].size)
			return GUEST_MEM_RAM;
	return 0;
}

static void next_edge(const struct guest_mem_range *r, size_t n, uint64_t pos,
		      uint64_t *next, bool *found)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t e[2] = { r[i].gpa, r[i].gpa + r[i].size };
		int k;

		for (k = 0; k < 2; k++)
			if (e[k] > pos && (!*found || e[k] < *next)) {
				*next = e[k];
				*found = true;
			}
	}
}

/* The smallest range boundary above pos; false if there is none. */
static bool next_boundary(const struct loader_env *env, uint64_t pos,
			  uint64_t *next)
{
	bool found = false;

	next_edge(env->ram, env->nr_ram, pos, next, &found);
	next_edge(env->reserved, env->nr_reserved, pos, next, &found);
	return found;
}

int loader_map_walk(const struct loader_env *env, loader_map_fn fn, void *arg)
{
	uint64_t pos = UINT64_MAX, next, base = 0, end = 0;
	uint32_t type = 0, t;
	int n = 0, ret;
	size_t i;

	for (i = 0; i < env->nr_ram; i++)
		if (env->ram[i].gpa < pos)
			pos = env->ram[i].gpa;
	for (i = 0; i < env->nr_reserved; i++)
		if (env->reserved[i].gpa < pos)
			pos = env->reserved[i].gpa;
	while (next_boundary(env, pos, &next)) {
		t = map_type_at(env, pos);
		if (t && t == type && end == pos) {
			end = next;
		} else {
			if (type) {
				ret = fn(arg, base, end - base, type);
				if (ret < 0)
					return ret;
				n++;
			}
			type = t;
			base = pos;
			end = next;
		}
		pos = next;
	}
	if (type) {
		ret = fn(arg, base, end - base, type);
		if (ret < 0)
			return ret;
		n++;
	}
	return n;
}

/* End of the run of free RAM (RAM, not reserved) that starts at p. */
static uint64_t free_run_end(const struct loader_env *env, uint64_t p)
{
	uint64_t next;

	while (map_type_at(env, p) == GUEST_MEM_RAM) {
		if (!next_boundary(env, p, &next))
			break;
		p = next;
	}
	return p;
}

uint32_t loader_mem_lower_kb(const struct loader_env *env)
{
	uint64_t end = free_run_end(env, 0);

	if (end > LOADER_LOW_RAM_END)
		end = LOADER_LOW_RAM_END;
	return (uint32_t)(end >> 10);
}

uint32_t loader_mem_upper_kb(const struct loader_env *env)
{
	uint64_t kb = (free_run_end(env, LOADER_1M) - LOADER_1M) >> 10;

	return kb > UINT32_MAX ? UINT32_MAX : (uint32_t)kb;
}

static void set_seg(struct guest_seg *s, uint16_t sel, uint16_t attr,
		    uint32_t limit)
{
	s->sel = sel;
	s->attr = attr;
	s->limit = limit;
	s->base = 0;
}

int loader_enter_prot32(struct loader_ctx *lc, uint32_t entry)
{
	struct guest_boot_state *bs = lc->bs;
	uint64_t gdt;
	size_t i;
	int ret;

	/* Anywhere 32-bit addressable; a page of its own below 1 MiB first. */
	ret = loader_alloc(lc, sizeof(loader_boot_gdt), LOADER_PAGE_SIZE,
			   LOADER_PAGE_SIZE, LOADER_1M, false, &gdt);
	if (ret == -VMI_ENOMEM)
		ret = loader_alloc(lc, sizeof(loader_boot_gdt), 16, LOADER_1M,
				   LOADER_4G, false, &gdt);
	if (ret)
		return loader_fail(lc, ret, "no room for the boot GDT");
	for (i = 0; i < 4; i++) {
		ret = loader_put64(lc, gdt + 8 * i, loader_boot_gdt[i]);
		if (ret)
			return ret;
	}
	bs->placed.gdt_gpa = gdt;
	bs->gdtr.base = gdt;
	bs->gdtr.limit = sizeof(loader_boot_gdt) - 1;
	bs->idtr.base = 0;
	bs->idtr.limit = 0;

	bs->mode = GUEST_BOOT_MODE_PROT32;
	bs->rip = entry;
	bs->rflags = X86_RFLAGS_FIXED; /* IF = 0, VM = 0 */
	bs->cr0 = X86_CR0_PE | X86_CR0_ET; /* PG = 0 */
	set_seg(&bs->cs, LOADER_BOOT_CS, SEG_ATTR_CODE32, 0xffffffff);
	set_seg(&bs->ds, LOADER_BOOT_DS, SEG_ATTR_DATA32, 0xffffffff);
	bs->es = bs->ds;
	bs->fs = bs->ds;
	bs->gs = bs->ds;
	bs->ss = bs->ds;
	set_seg(&bs->tr, 0, SEG_ATTR_TSS32_BUSY, 0xffff);
	set_seg(&bs->ldtr, 0, SEG_ATTR_LDT, 0xffff);
	return 0;
}

int loader_layout_default(uint64_t ram_bytes, struct guest_mem_range *ram,
			  size_t *nr_ram, struct guest_mem_range *reserved,
			  size_t *nr_reserved)
{
	uint64_t low_end;

	if (ram_bytes < 2 * LOADER_1M || (ram_bytes & (LOADER_PAGE_SIZE - 1)) ||
	    ram_bytes > GUEST_MEM_MAX_GPA - LOADER_4G)
		return -VMI_EINVAL;
	low_end = ram_bytes < LOADER_LOWMEM_MAX ? ram_bytes : LOADER_LOWMEM_MAX;
	memset(ram, 0, 3 * sizeof(*ram));
	memset(reserved, 0, 3 * sizeof(*reserved));
	ram[0] = (struct guest_mem_range){ 0, LOADER_LOW_RAM_END, GUEST_MEM_RAM,
					   0 };
	ram[1] = (struct guest_mem_range){ LOADER_BIOS_AREA,
					   low_end - LOADER_BIOS_AREA,
					   GUEST_MEM_RAM, 0 };
	*nr_ram = 2;
	if (ram_bytes > low_end) {
		ram[2] = (struct guest_mem_range){ LOADER_HIGHMEM_BASE,
						   ram_bytes - low_end,
						   GUEST_MEM_RAM, 0 };
		*nr_ram = 3;
	}
	reserved[0] = (struct guest_mem_range){ LOADER_BIOS_AREA,
						LOADER_BIOS_AREA_END -
							LOADER_BIOS_AREA,
						GUEST_MEM_RESERVED, 0 };
	reserved[1] = (struct guest_mem_range){ LOADER_IOAPIC_BASE,
						LOADER_PAGE_SIZE,
						GUEST_MEM_RESERVED, 0 };
	reserved[2] = (struct guest_mem_range){ LOADER_LAPIC_BASE,
						LOADER_PAGE_SIZE,
						GUEST_MEM_RESERVED, 0 };
	*nr_reserved = 3;
	return 0;
}
