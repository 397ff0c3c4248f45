/*
 * Tests of the loaders' shared bookkeeping (loader-common.c): the default
 * layout, layout checks, the memory-map walk and the allocator.
 */
#include <CUnit/CUnit.h>
#include <string.h>

#include "../../../hvm/loader-private.h"
#include "guest-ram.h"
#include "loader-tests.h"

#define MiB (1024ull * 1024)
#define GiB (1024ull * MiB)

static void test_layout_default(void)
{
	struct guest_mem_range ram[3], res[3];
	size_t nr, nres;

	CU_ASSERT_EQUAL(loader_layout_default(256 * MiB, ram, &nr, res, &nres),
			0);
	CU_ASSERT_EQUAL(nr, 2);
	CU_ASSERT_EQUAL(ram[0].gpa, 0);
	CU_ASSERT_EQUAL(ram[0].size, 0xa0000);
	CU_ASSERT_EQUAL(ram[1].gpa, 0xe0000);
	CU_ASSERT_EQUAL(ram[1].size, 256 * MiB - 0xe0000);
	CU_ASSERT_EQUAL(ram[1].type, GUEST_MEM_RAM);
	CU_ASSERT_EQUAL(nres, 3);
	CU_ASSERT_EQUAL(res[0].gpa, 0xe0000);
	CU_ASSERT_EQUAL(res[0].size, 0x20000);
	CU_ASSERT_EQUAL(res[1].gpa, 0xfec00000);
	CU_ASSERT_EQUAL(res[2].gpa, 0xfee00000);

	CU_ASSERT_EQUAL(loader_layout_default(5 * GiB, ram, &nr, res, &nres),
			0);
	CU_ASSERT_EQUAL(nr, 3);
	CU_ASSERT_EQUAL(ram[1].gpa + ram[1].size, 3 * GiB);
	CU_ASSERT_EQUAL(ram[2].gpa, 4 * GiB);
	CU_ASSERT_EQUAL(ram[2].size, 2 * GiB);

	CU_ASSERT_EQUAL(loader_layout_default(1 * MiB, ram, &nr, res, &nres),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(loader_layout_default(64 * MiB + 1, ram, &nr, res,
					      &nres),
			-VMI_EINVAL);
}

static int ctx_init(struct gram *g, struct loader_ctx *lc,
		    struct guest_boot_state *bs)
{
	return loader_ctx_init(lc, &g->env, bs, LOADER_KIND_LINUX);
}

static void test_layout_checks(void)
{
	struct guest_boot_state bs;
	struct loader_ctx lc;
	struct gram g;

	gram_init(&g, 0);
	CU_ASSERT_EQUAL(ctx_init(&g, &lc, &bs), -VMI_EINVAL); /* no RAM */
	CU_ASSERT_STRING_EQUAL(bs.error, "no guest RAM");
	g.ram[0] = (struct guest_mem_range){ 0, 16 * MiB, GUEST_MEM_RAM, 0 };
	g.env.nr_ram = 1;
	CU_ASSERT_EQUAL(ctx_init(&g, &lc, &bs), 0);
	CU_ASSERT_EQUAL(bs.placed.kind, LOADER_KIND_LINUX);

	/* Overlapping RAM ranges, empty ones, bad types, past 2^52. */
	g.ram[1] =
		(struct guest_mem_range){ 15 * MiB, 2 * MiB, GUEST_MEM_RAM, 0 };
	g.env.nr_ram = 2;
	CU_ASSERT_EQUAL(ctx_init(&g, &lc, &bs), -VMI_EINVAL);
	CU_ASSERT_STRING_EQUAL(bs.error, "bad guest RAM range");
	g.ram[1] = (struct guest_mem_range){ 16 * MiB, 0, GUEST_MEM_RAM, 0 };
	CU_ASSERT_EQUAL(ctx_init(&g, &lc, &bs), -VMI_EINVAL);
	g.ram[1] = (struct guest_mem_range){ 16 * MiB, MiB, GUEST_MEM_ACPI, 0 };
	CU_ASSERT_EQUAL(ctx_init(&g, &lc, &bs), -VMI_EINVAL);
	g.ram[1] = (struct guest_mem_range){ 16 * MiB, MiB, GUEST_MEM_RAM, 1 };
	CU_ASSERT_EQUAL(ctx_init(&g, &lc, &bs), -VMI_EINVAL);
	g.ram[1] = (struct guest_mem_range){ GUEST_MEM_MAX_GPA - MiB, 2 * MiB,
					     GUEST_MEM_RAM, 0 };
	CU_ASSERT_EQUAL(ctx_init(&g, &lc, &bs), -VMI_EINVAL);
	g.ram[1] = (struct guest_mem_range){ 16 * MiB, MiB, GUEST_MEM_RAM, 0 };
	CU_ASSERT_EQUAL(ctx_init(&g, &lc, &bs), 0);

	g.reserved[0] = (struct guest_mem_range){ 0, 4096, GUEST_MEM_RAM, 0 };
	g.env.nr_reserved = 1;
	CU_ASSERT_EQUAL(ctx_init(&g, &lc, &bs), -VMI_EINVAL);
	CU_ASSERT_STRING_EQUAL(bs.error, "bad reserved window");
	g.reserved[0].type = 6;
	CU_ASSERT_EQUAL(ctx_init(&g, &lc, &bs), -VMI_EINVAL);
	g.reserved[0].type = GUEST_MEM_NVS;
	CU_ASSERT_EQUAL(ctx_init(&g, &lc, &bs), 0);
	g.env.reserved = NULL;
	CU_ASSERT_EQUAL(ctx_init(&g, &lc, &bs), -VMI_EINVAL);
	g.env.reserved = g.reserved;

	g.env.ops = NULL;
	CU_ASSERT_EQUAL(ctx_init(&g, &lc, &bs), -VMI_EINVAL);
	CU_ASSERT_STRING_EQUAL(bs.error, "no guest memory access");
	CU_ASSERT_EQUAL(loader_ctx_init(&lc, NULL, &bs, 1), -VMI_EINVAL);
}

struct walk {
	int n;
	uint64_t e[16][3];
};

static int walk_fn(void *arg, uint64_t base, uint64_t len, uint32_t type)
{
	struct walk *w = arg;

	if (w->n == 16)
		return -VMI_E2BIG;
	w->e[w->n][0] = base;
	w->e[w->n][1] = len;
	w->e[w->n][2] = type;
	w->n++;
	return 0;
}

static void test_map_walk(void)
{
	static const uint64_t want[][3] = {
		{ 0x0, 0x2000, 1 }, /* two abutting RAM ranges merged */
		{ 0x2000, 0x1000, 4 }, /* NVS window (listed first) */
		{ 0x3000, 0x1000, 2 },	{ 0x4000, 0x4000, 1 },
		{ 0x10000, 0x1000, 2 }, /* window in a hole */
		{ 0x20000, 0x8000, 1 },
	};
	struct gram g;
	struct walk w = { 0 };
	int ret, i;

	gram_init(&g, 0);
	g.ram[0] = (struct guest_mem_range){ 0x1000, 0x3000, GUEST_MEM_RAM, 0 };
	g.ram[1] = (struct guest_mem_range){ 0x0, 0x1000, GUEST_MEM_RAM, 0 };
	g.ram[2] = (struct guest_mem_range){ 0x4000, 0x4000, GUEST_MEM_RAM, 0 };
	g.ram[3] =
		(struct guest_mem_range){ 0x20000, 0x8000, GUEST_MEM_RAM, 0 };
	g.env.nr_ram = 4;
	gram_reserve(&g, 0x2000, 0x1000, GUEST_MEM_NVS);
	gram_reserve(&g, 0x2000, 0x2000, GUEST_MEM_RESERVED);
	gram_reserve(&g, 0x10000, 0x1000, GUEST_MEM_RESERVED);
	ret = loader_map_walk(&g.env, walk_fn, &w);
	CU_ASSERT_EQUAL(ret, 6);
	CU_ASSERT_EQUAL_FATAL(w.n, 6);
	for (i = 0; i < 6; i++) {
		CU_ASSERT_EQUAL(w.e[i][0], want[i][0]);
		CU_ASSERT_EQUAL(w.e[i][1], want[i][1]);
		CU_ASSERT_EQUAL(w.e[i][2], want[i][2]);
	}
	CU_ASSERT(loader_in_ram(&g.env, 0x0, 0x4000));
	CU_ASSERT(loader_in_ram(&g.env, 0x800, 0x7800));
	CU_ASSERT(!loader_in_ram(&g.env, 0x800, 0x8000));
	CU_ASSERT(!loader_in_ram(&g.env, 0x0, 0));
	CU_ASSERT(!loader_in_ram(&g.env, UINT64_MAX, 2));
	CU_ASSERT_EQUAL(loader_mem_lower_kb(&g.env), 8);
	CU_ASSERT_EQUAL(loader_mem_upper_kb(&g.env), 0);
}

static void test_alloc(void)
{
	struct guest_boot_state bs;
	struct loader_ctx lc;
	struct gram g;
	uint64_t a;

	gram_init(&g, 0);
	g.ram[0] = (struct guest_mem_range){ 0, 0xa0000, GUEST_MEM_RAM, 0 };
	g.ram[1] = (struct guest_mem_range){ 0x100000, 0x700000, GUEST_MEM_RAM,
					     0 };
	g.env.nr_ram = 2;
	gram_reserve(&g, 0x200000, 0x1000, GUEST_MEM_RESERVED);
	CU_ASSERT_FATAL(ctx_init(&g, &lc, &bs) == 0);

	CU_ASSERT_EQUAL(loader_alloc(&lc, 0x1000, 0x1000, 0x1000, 0x100000,
				     false, &a),
			0);
	CU_ASSERT_EQUAL(a, 0x1000);
	CU_ASSERT_EQUAL(loader_alloc(&lc, 0x1000, 0x1000, 0x1000, 0x100000,
				     false, &a),
			0);
	CU_ASSERT_EQUAL(a, 0x2000);
	CU_ASSERT_EQUAL(
		loader_alloc(&lc, 0x1000, 0x1000, 0, 0x100000, true, &a), 0);
	CU_ASSERT_EQUAL(a, 0x9f000);
	/* Does not straddle the hole or the reserved page. */
	CU_ASSERT_EQUAL(loader_alloc(&lc, 0x2000, 0x1000, 0x9e000, 0x200000,
				     false, &a),
			0);
	CU_ASSERT_EQUAL(a, 0x100000);
	CU_ASSERT_EQUAL(loader_alloc(&lc, 0x100000, 0x100000, 0x100000,
				     0x800000, false, &a),
			0);
	CU_ASSERT_EQUAL(a, 0x300000);
	/* Top-down: pushed below the reserved page. */
	CU_ASSERT_EQUAL(loader_alloc(&lc, 0x10000, 0x1000, 0x100000, 0x201000,
				     true, &a),
			0);
	CU_ASSERT_EQUAL(a, 0x1f0000);
	/* Too big, bad alignment, empty window. */
	CU_ASSERT_EQUAL(loader_alloc(&lc, 0x800000, 0x1000, 0, UINT64_MAX,
				     false, &a),
			-VMI_ENOMEM);
	CU_ASSERT_EQUAL(loader_alloc(&lc, 0x1000, 0x3000, 0, 0x800000, false,
				     &a),
			-VMI_ENOMEM);
	CU_ASSERT_EQUAL(loader_alloc(&lc, 0x1000, 0x1000, 0x5000, 0x5000, false,
				     &a),
			-VMI_ENOMEM);
	CU_ASSERT_EQUAL(loader_alloc(&lc, 0, 0x1000, 0, 0x5000, false, &a),
			-VMI_ENOMEM);
}

void loader_common_tests(void)
{
	CU_pSuite s = CU_add_suite("loader-common", NULL, NULL);

	CU_add_test(s, "default layout", test_layout_default);
	CU_add_test(s, "layout checks", test_layout_checks);
	CU_add_test(s, "memory map walk", test_map_walk);
	CU_add_test(s, "allocator", test_alloc);
}
