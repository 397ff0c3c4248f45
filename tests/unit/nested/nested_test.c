/*
 * CUnit tests for the nested page-table builder (mm/nested*.c): encoders,
 * building from a P2M, large-page choice, splitting, protection, errors.
 * Allocation-failure tests are in nested_fail_test.c.
 */
#include <stdio.h>
#include <string.h>

#include <mm/nested.h>
#include <mm/p2m.h>
#include <vmi/errno.h>

#include "../../../mm/nested-private.h"
#include "fake.h"
#include "nested_test.h"
#include "unit.h"

/* ---- shared helpers ----------------------------------------------------- */

const struct nested_fmt *fmt_of(int fmt)
{
	return fmt == TW_NPT ? &npt_fmt : &ept_fmt;
}

void add_ok(struct p2m *p, uint64_t gfn, uint64_t count, uint64_t mfn,
	    unsigned int type, unsigned int perms)
{
	int rc = p2m_add(p, gfn, count, mfn, type, perms);

	if (rc)
		fprintf(stderr, "p2m_add(%#llx, %#llx): %d\n",
			(unsigned long long)gfn, (unsigned long long)count, rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
}

/*
 * A q35-like domain with 6 GiB of RAM:
 *   RAM  0-640 KiB; a one-page option ROM at 0xc0000;
 *   RAM  1 MiB to just below 3 GiB, odd end, machine-congruent mod 2 MiB;
 *   RAM  10 MiB at 3 GiB, odd size, machine frames not 2 MiB-congruent;
 *   MMIO 16 MiB PCI window at 3.5 GiB; IOAPIC and LAPIC pages;
 *   RAM  2 GiB + 291 frames from 4 GiB.
 */
void std_layout(struct p2m *p)
{
	add_ok(p, 0x0, 0xa0, 0x10000, P2M_RAM, P2M_RWX);
	add_ok(p, 0xc0, 1, 0x30000, P2M_ROM, P2M_R | P2M_X);
	add_ok(p, 0x100, 0xbfdfd, 0x40100, P2M_RAM, P2M_RWX);
	add_ok(p, 0xc0000, 0xa37, 0x123457, P2M_RAM, P2M_RWX);
	add_ok(p, 0xe0000, 0x1000, 0, P2M_MMIO, P2M_R | P2M_W);
	add_ok(p, 0xfec00, 1, 0, P2M_MMIO, P2M_R | P2M_W);
	add_ok(p, 0xfee00, 1, 0, P2M_MMIO, P2M_R | P2M_W);
	add_ok(p, 0x100000, 0x80123, 0x200000, P2M_RAM, P2M_RWX);
}

/* Everything std_layout() touches, and a little beyond. */
#define STD_END 0x180400ull

/*
 * Check @pt against @p: structure, counts, every frame in [0, @end), and
 * agreement of nested_translate() with the independent walker.
 */
void check_against(struct nested_pt *pt, struct fake_mem *m, int fmt,
		   const struct p2m *p, uint64_t end)
{
	uint64_t leaves[NESTED_LEVELS + 1], mmio[NESTED_LEVELS + 1], tables;
	uint64_t gfn, frames = 0, mmio_frames = 0, bad = 0;
	struct nested_xlat x;
	struct tw_entry e;
	struct tw w;
	unsigned int l;
	size_t i;

	tw_init(&w, m, pt, fmt);
	tw_scan(&w);
	CU_ASSERT_EQUAL(w.errors, 0);
	CU_ASSERT_EQUAL(w.tables, m->live);
	CU_ASSERT_EQUAL(pt->nr_tables, m->live);
	CU_ASSERT_EQUAL(m->errors, 0);

	tw_expect(p, pt->flags & NESTED_F_1G, leaves, mmio, &tables);
	for (l = 1; l <= 3; l++) {
		CU_ASSERT_EQUAL(w.leaves[l], leaves[l]);
		CU_ASSERT_EQUAL(w.mmio[l], mmio[l]);
	}
	CU_ASSERT_EQUAL(w.tables, tables);

	for (i = 0; i < p->nr; i++) {
		if (p->ranges[i].type == P2M_MMIO)
			mmio_frames += p->ranges[i].count;
		else
			frames += p->ranges[i].count;
	}
	CU_ASSERT_EQUAL(w.mapped_frames, frames);
	CU_ASSERT_EQUAL(w.mmio_frames, mmio_frames);
	CU_ASSERT_EQUAL(tw_mismatches(&w, p, p, 0, end), 0);

	/* The builder's own walker agrees with the independent one. */
	for (gfn = 0; gfn < end; gfn += gfn < 0x1000 ? 1 : 0x3f1) {
		tw_lookup(&w, gfn, &e);
		if (nested_translate(pt, (gfn << 12) | 0x123, &x) ||
		    x.kind != e.kind || x.level != e.level ||
		    (e.kind == NESTED_MAPPED &&
		     (x.hpa != ((e.mfn << 12) | 0x123) || x.perms != e.perms)))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* Walk @pt's raw tables to the entry for @gfn at @level. */
uint64_t *raw_slot(struct nested_pt *pt, struct fake_mem *m, uint64_t gfn,
		   unsigned int level)
{
	uint64_t *t = fake_ops.map(m, pt->root);
	unsigned int l;

	for (l = NESTED_LEVELS; l > level; l--)
		t = fake_ops.map(m, (t[(gfn >> (9 * (l - 1))) % 512] &
				     0x000ffffffffff000ull) >> 12);
	return &t[(gfn >> (9 * (level - 1))) % 512];
}

/* ---- encoders ----------------------------------------------------------- */

static void test_npt_encoding(void)
{
	const struct nested_fmt *f = &npt_fmt;

	/* 4 KiB RAM: P, R/W, U/S; executable; WB. */
	CU_ASSERT_EQUAL(f->leaf(0x1234, P2M_RWX, NESTED_MT_WB, 1),
			0x1234007ull);
	/* ROM: no R/W; U/S still set (15.25.5). */
	CU_ASSERT_EQUAL(f->leaf(0x1234, P2M_R | P2M_X, NESTED_MT_WB, 1),
			0x1234005ull);
	/* No execute: NX (bit 63). */
	CU_ASSERT_EQUAL(f->leaf(0x1234, P2M_R | P2M_W, NESTED_MT_WB, 1),
			0x8000000001234007ull);
	/* 2 MiB leaf: PS; UC: PCD|PWT. */
	CU_ASSERT_EQUAL(f->leaf(0x200, P2M_RWX, NESTED_MT_WB, 2), 0x200087ull);
	CU_ASSERT_EQUAL(f->leaf(0x200, P2M_RWX, NESTED_MT_UC, 2), 0x20009full);
	CU_ASSERT_EQUAL(f->memtype(0x20009full, 2), NESTED_MT_UC);
	CU_ASSERT_EQUAL(f->memtype(0x200087ull, 2), NESTED_MT_WB);
	CU_ASSERT_EQUAL(f->perms(0x8000000001234005ull), P2M_R);
	CU_ASSERT_EQUAL(f->perms(0x1234006ull), 0);
	CU_ASSERT_EQUAL(f->table, 0x7ull);
}

static void test_ept_encoding(void)
{
	const struct nested_fmt *f = &ept_fmt;

	/* R/W/X in bits 2:0, WB (6) in bits 5:3, ignore-PAT clear. */
	CU_ASSERT_EQUAL(f->leaf(0x1234, P2M_RWX, NESTED_MT_WB, 1),
			0x1234037ull);
	CU_ASSERT_EQUAL(f->leaf(0x1234, P2M_R | P2M_X, NESTED_MT_WB, 1),
			0x1234035ull);
	CU_ASSERT_EQUAL(f->leaf(0x1234, P2M_R | P2M_W, NESTED_MT_WB, 1),
			0x1234033ull);
	/* Bit 7: large page; UC is type 0. */
	CU_ASSERT_EQUAL(f->leaf(0x40000, P2M_RWX, NESTED_MT_WB, 3),
			0x400000b7ull);
	CU_ASSERT_EQUAL(f->leaf(0x200, P2M_RWX, NESTED_MT_UC, 2), 0x200087ull);
	CU_ASSERT_EQUAL(f->memtype(0x200087ull, 2), NESTED_MT_UC);
	CU_ASSERT_EQUAL(f->perms(0x1234035ull), P2M_R | P2M_X);
	CU_ASSERT_EQUAL(f->table, 0x7ull);
	CU_ASSERT_EQUAL(f->accessed, 1ull << 8);
	CU_ASSERT_EQUAL(f->dirty, 1ull << 9);
}

static void test_root_pointers(void)
{
	struct nested_pt pt;
	struct fake_mem m;

	fake_init(&m, 16);
	CU_ASSERT_EQUAL_FATAL(nested_init(&pt, &ept_fmt, &fake_ops, &m, 0), 0);
	CU_ASSERT_EQUAL(pt.root, FAKE_MFN0);
	CU_ASSERT_EQUAL(ept_pointer(&pt, false), (FAKE_MFN0 << 12) | 0x1e);
	CU_ASSERT_EQUAL(ept_pointer(&pt, true), (FAKE_MFN0 << 12) | 0x5e);
	CU_ASSERT_EQUAL(npt_ncr3(&pt), FAKE_MFN0 << 12);
	/* The builder zeroed the poisoned page. */
	CU_ASSERT_EQUAL(*(uint64_t *)fake_ops.map(&m, pt.root), 0);
	nested_destroy(&pt);
	CU_ASSERT_EQUAL(m.live, 0);
	fake_fini(&m);
}

/* ---- building from a P2M ------------------------------------------------ */

static void build_std(int fmt, unsigned int flags)
{
	struct p2m_range st[16];
	struct nested_pt pt;
	struct fake_mem m;
	struct p2m p;
	struct tw w;

	fake_init(&m, 1024);
	p2m_init(&p, st, 16);
	std_layout(&p);
	CU_ASSERT_EQUAL_FATAL(nested_init(&pt, fmt_of(fmt), &fake_ops, &m,
					  flags), 0);
	CU_ASSERT_EQUAL(nested_build(&pt, &p), 0);
	/* Nothing the CPU could have cached was touched. */
	CU_ASSERT_FALSE(pt.need_flush);
	check_against(&pt, &m, fmt, &p, STD_END);

	/* Counted by hand from std_layout(). */
	tw_init(&w, &m, &pt, fmt);
	tw_scan(&w);
	CU_ASSERT_EQUAL(w.leaves[1], 160 + 1 + 256 + 253 + 0xa37 + 0x123);
	CU_ASSERT_EQUAL(w.mmio[1], 2);
	CU_ASSERT_EQUAL(w.mmio[2], 8);
	if (flags & NESTED_F_1G) {
		CU_ASSERT_EQUAL(w.leaves[3], 3);
		CU_ASSERT_EQUAL(w.leaves[2], 1534 - 512);
	} else {
		CU_ASSERT_EQUAL(w.leaves[3], 0);
		CU_ASSERT_EQUAL(w.leaves[2], 1534 + 1024);
	}

	nested_destroy(&pt);
	CU_ASSERT_EQUAL(m.live, 0);
	CU_ASSERT_EQUAL(m.errors, 0);
	fake_fini(&m);
}

static void test_build_npt(void)
{
	build_std(TW_NPT, 0);
}

static void test_build_ept(void)
{
	build_std(TW_EPT, 0);
}

static void test_build_npt_1g(void)
{
	build_std(TW_NPT, NESTED_F_1G);
}

static void test_build_ept_1g(void)
{
	build_std(TW_EPT, NESTED_F_1G);
}

/*
 * The same map reached piecemeal, in reverse, over stale mappings, gives
 * the same tables: they depend on the mapping, not on the history.
 */
static void order_independent(int fmt)
{
	struct p2m_range st[16];
	struct nested_pt pt;
	struct fake_mem m;
	struct p2m p;
	uint64_t g;
	size_t i;

	fake_init(&m, 1024);
	p2m_init(&p, st, 16);
	std_layout(&p);
	CU_ASSERT_EQUAL_FATAL(nested_init(&pt, fmt_of(fmt), &fake_ops, &m, 0),
			      0);
	/* Stale mappings that nested_build() must remove. */
	CU_ASSERT_EQUAL(nested_map(&pt, 0xa0, 0x20, 0x777, P2M_RAM, P2M_RWX),
			0);
	CU_ASSERT_EQUAL(nested_map(&pt, 0x7000000, 0x400, 0, P2M_MMIO, 0), 0);
	CU_ASSERT_EQUAL(nested_map(&pt, 0x400, 0x1000, 0x9000, P2M_ROM,
				   P2M_R),
			0);
	for (i = p.nr; i-- > 0;) {
		const struct p2m_range *r = &p.ranges[i];

		/* In odd-sized chunks, last chunk first. */
		for (g = r->gfn + r->count; g > r->gfn;) {
			uint64_t n = g - r->gfn < 0x1235 ? g - r->gfn : 0x1235;

			g -= n;
			CU_ASSERT_EQUAL_FATAL(
				nested_map(&pt, g, n,
					   r->type == P2M_MMIO ?
						   0 :
						   r->mfn + (g - r->gfn),
					   r->type, r->perms),
				0);
		}
	}
	CU_ASSERT_EQUAL(nested_unmap(&pt, 0xa0, 0x20), 0);
	CU_ASSERT_EQUAL(nested_unmap(&pt, 0x7000000, 0x400), 0);
	/* 0x400-0x13ff was ROM, now RAM from std_layout(): nothing left. */
	check_against(&pt, &m, fmt, &p, STD_END);

	/* Rebuilding from the P2M changes nothing. */
	pt.need_flush = false;
	CU_ASSERT_EQUAL(nested_build(&pt, &p), 0);
	CU_ASSERT_FALSE(pt.need_flush);
	check_against(&pt, &m, fmt, &p, STD_END);

	nested_destroy(&pt);
	CU_ASSERT_EQUAL(m.live, 0);
	fake_fini(&m);
}

static void test_order_npt(void)
{
	order_independent(TW_NPT);
}

static void test_order_ept(void)
{
	order_independent(TW_EPT);
}

/* A page-by-page fill of a 2 MiB block collapses into one leaf. */
static void test_collapse_pagewise(void)
{
	struct nested_pt pt;
	struct fake_mem m;
	struct tw w;
	uint64_t g;

	fake_init(&m, 64);
	CU_ASSERT_EQUAL_FATAL(nested_init(&pt, &ept_fmt, &fake_ops, &m, 0), 0);
	for (g = 0x400; g < 0x600; g++)
		CU_ASSERT_EQUAL(nested_map(&pt, g, 1, 0x1000 + g, P2M_RAM,
					   P2M_RWX),
				0);
	tw_init(&w, &m, &pt, TW_EPT);
	tw_scan(&w);
	CU_ASSERT_EQUAL(w.errors, 0);
	CU_ASSERT_EQUAL(w.leaves[2], 1);
	CU_ASSERT_EQUAL(w.leaves[1], 0);
	CU_ASSERT_EQUAL(m.live, 3);
	nested_destroy(&pt);
	CU_ASSERT_EQUAL(m.live, 0);
	fake_fini(&m);
}

/* ---- unmap, protect, MMIO ---------------------------------------------- */

static void unmap_split(int fmt)
{
	struct p2m_range st[16];
	struct nested_pt pt;
	struct fake_mem m;
	struct p2m p;
	struct tw w;

	fake_init(&m, 64);
	p2m_init(&p, st, 16);
	add_ok(&p, 0x200, 0x400, 0x10200, P2M_RAM, P2M_RWX);
	CU_ASSERT_EQUAL_FATAL(nested_init(&pt, fmt_of(fmt), &fake_ops, &m, 0),
			      0);
	CU_ASSERT_EQUAL(nested_build(&pt, &p), 0);
	tw_init(&w, &m, &pt, fmt);
	tw_scan(&w);
	CU_ASSERT_EQUAL(w.leaves[2], 2);
	CU_ASSERT_EQUAL(m.live, 3);

	/* One page out of the first 2 MiB leaf. */
	CU_ASSERT_EQUAL(nested_unmap(&pt, 0x345, 1), 0);
	CU_ASSERT_EQUAL(p2m_remove(&p, 0x345, 1), 0);
	CU_ASSERT_TRUE(pt.need_flush);
	tw_scan(&w);
	CU_ASSERT_EQUAL(w.leaves[2], 1);
	CU_ASSERT_EQUAL(w.leaves[1], 511);
	CU_ASSERT_EQUAL(m.live, 4);
	check_against(&pt, &m, fmt, &p, 0x1000);

	/* Across the boundary of the two leaves. */
	CU_ASSERT_EQUAL(nested_unmap(&pt, 0x3f0, 0x20), 0);
	CU_ASSERT_EQUAL(p2m_remove(&p, 0x3f0, 0x20), 0);
	tw_scan(&w);
	CU_ASSERT_EQUAL(w.leaves[2], 0);
	CU_ASSERT_EQUAL(w.leaves[1], 511 - 0x10 + 512 - 0x10);
	CU_ASSERT_EQUAL(m.live, 5);
	check_against(&pt, &m, fmt, &p, 0x1000);

	/* Mapping the holes again restores the 2 MiB leaves. */
	CU_ASSERT_EQUAL(nested_map(&pt, 0x345, 1, 0x10345, P2M_RAM, P2M_RWX),
			0);
	CU_ASSERT_EQUAL(nested_map(&pt, 0x3f0, 0x20, 0x103f0, P2M_RAM,
				   P2M_RWX),
			0);
	tw_scan(&w);
	CU_ASSERT_EQUAL(w.leaves[2], 2);
	CU_ASSERT_EQUAL(w.leaves[1], 0);
	CU_ASSERT_EQUAL(m.live, 3);

	/* Unmapping everything frees every table but the root. */
	CU_ASSERT_EQUAL(nested_unmap(&pt, 0, NESTED_GFN_LIMIT), 0);
	CU_ASSERT_EQUAL(m.live, 1);
	CU_ASSERT_EQUAL(pt.nr_tables, 1);
	nested_destroy(&pt);
	CU_ASSERT_EQUAL(m.live, 0);
	CU_ASSERT_EQUAL(m.errors, 0);
	fake_fini(&m);
}

static void test_unmap_split_npt(void)
{
	unmap_split(TW_NPT);
}

static void test_unmap_split_ept(void)
{
	unmap_split(TW_EPT);
}

static void protect(int fmt)
{
	struct p2m_range st[16];
	struct nested_pt pt;
	struct fake_mem m;
	struct nested_xlat x;
	struct p2m p, ro;
	struct p2m_range rost[16];
	struct tw w;
	long allocs;

	fake_init(&m, 64);
	p2m_init(&p, st, 16);
	add_ok(&p, 0xc0, 1, 0x30000, P2M_ROM, P2M_R | P2M_X);
	add_ok(&p, 0x200, 0x400, 0x10200, P2M_RAM, P2M_RWX);
	add_ok(&p, 0x800, 0x200, 0, P2M_MMIO, P2M_R | P2M_W);
	CU_ASSERT_EQUAL_FATAL(nested_init(&pt, fmt_of(fmt), &fake_ops, &m, 0),
			      0);
	CU_ASSERT_EQUAL(nested_build(&pt, &p), 0);
	tw_init(&w, &m, &pt, fmt);

	/* Write-protect one page: its 2 MiB leaf is split. */
	CU_ASSERT_EQUAL(nested_protect(&pt, 0x345, 1, P2M_W, 0), 0);
	CU_ASSERT_EQUAL(nested_translate(&pt, 0x345000, &x), 0);
	CU_ASSERT_EQUAL(x.perms, P2M_R | P2M_X);
	CU_ASSERT_EQUAL(x.level, 1);
	CU_ASSERT_EQUAL(nested_translate(&pt, 0x346000, &x), 0);
	CU_ASSERT_EQUAL(x.perms, P2M_RWX);
	tw_scan(&w);
	CU_ASSERT_EQUAL(w.errors, 0);
	CU_ASSERT_EQUAL(w.leaves[2], 1);
	CU_ASSERT_EQUAL(w.leaves[1], 512 + 1);

	/* Write-protect everything (dirty logging): one leaf per 2 MiB
	 * again; ROM and MMIO untouched. */
	CU_ASSERT_EQUAL(nested_protect(&pt, 0, 0x100000, P2M_W, 0), 0);
	p2m_init(&ro, rost, 16);
	add_ok(&ro, 0xc0, 1, 0x30000, P2M_ROM, P2M_R | P2M_X);
	add_ok(&ro, 0x200, 0x400, 0x10200, P2M_RAM, P2M_R | P2M_X);
	add_ok(&ro, 0x800, 0x200, 0, P2M_MMIO, P2M_R | P2M_W);
	check_against(&pt, &m, fmt, &ro, 0x2000);
	tw_scan(&w);
	CU_ASSERT_EQUAL(w.leaves[2], 2);

	/* Nothing to split where nothing changes, nor in holes and MMIO. */
	allocs = m.nr_allocs;
	CU_ASSERT_EQUAL(nested_protect(&pt, 0x301, 7, P2M_W, 0), 0);
	CU_ASSERT_EQUAL(nested_protect(&pt, 0x801, 7, P2M_W, P2M_X), 0);
	CU_ASSERT_EQUAL(nested_protect(&pt, 0x5000001, 7, P2M_W, 0), 0);
	CU_ASSERT_EQUAL(m.nr_allocs, allocs);
	check_against(&pt, &m, fmt, &ro, 0x2000);

	/* Remove execute from part of a leaf: NX / X clear. */
	CU_ASSERT_EQUAL(nested_protect(&pt, 0x400, 0x10, P2M_X, 0), 0);
	CU_ASSERT_EQUAL(nested_translate(&pt, 0x40f000, &x), 0);
	CU_ASSERT_EQUAL(x.perms, P2M_R);
	CU_ASSERT_EQUAL(nested_protect(&pt, 0x400, 0x10, 0, P2M_X), 0);

	/* Write access back (RAM only): the P2M's permissions again. */
	CU_ASSERT_EQUAL(nested_protect(&pt, 0x200, 0x400, 0, P2M_W), 0);
	check_against(&pt, &m, fmt, &p, 0x2000);

	/* Read cannot go; nor unknown bits. */
	CU_ASSERT_EQUAL(nested_protect(&pt, 0x200, 1, P2M_R, 0), -VMI_EINVAL);
	CU_ASSERT_EQUAL(nested_protect(&pt, 0x200, 1, 0, 8), -VMI_EINVAL);
	CU_ASSERT_EQUAL(nested_protect(&pt, 0x200, 0, P2M_W, 0), -VMI_EINVAL);

	nested_destroy(&pt);
	CU_ASSERT_EQUAL(m.live, 0);
	CU_ASSERT_EQUAL(m.errors, 0);
	fake_fini(&m);
}

static void test_protect_npt(void)
{
	protect(TW_NPT);
}

static void test_protect_ept(void)
{
	protect(TW_EPT);
}

/* MMIO and holes are not present; translate tells them apart. */
static void test_mmio_vs_hole(void)
{
	struct nested_pt pt;
	struct fake_mem m;
	struct nested_xlat x;
	int f;

	for (f = TW_NPT; f <= TW_EPT; f++) {
		fake_init(&m, 64);
		CU_ASSERT_EQUAL_FATAL(
			nested_init(&pt, fmt_of(f), &fake_ops, &m, 0), 0);
		CU_ASSERT_EQUAL(nested_map(&pt, 0xfee00, 1, 0, P2M_MMIO,
					   P2M_R | P2M_W),
				0);
		CU_ASSERT_EQUAL(nested_translate(&pt, 0xfee00030, &x), 0);
		CU_ASSERT_EQUAL(x.kind, NESTED_MMIO);
		CU_ASSERT_EQUAL(x.level, 1);
		CU_ASSERT_EQUAL(x.perms, 0);
		/* Not present to the CPU. */
		CU_ASSERT_EQUAL(*raw_slot(&pt, &m, 0xfee00, 1) &
					fmt_of(f)->present,
				0);
		CU_ASSERT_EQUAL(nested_translate(&pt, 0xfee01000, &x), 0);
		CU_ASSERT_EQUAL(x.kind, NESTED_HOLE);
		CU_ASSERT_EQUAL(x.level, 1);
		CU_ASSERT_EQUAL(nested_translate(&pt, 0x7f0000000000ull, &x),
				0);
		CU_ASSERT_EQUAL(x.kind, NESTED_HOLE);
		CU_ASSERT_EQUAL(x.level, 4);
		CU_ASSERT_EQUAL(nested_translate(&pt, 1ull << 48, &x),
				-VMI_ERANGE);
		nested_destroy(&pt);
		CU_ASSERT_EQUAL(m.live, 0);
		fake_fini(&m);
	}
}

/* A 1 GiB MMIO window: 512 2 MiB markers, or one 1 GiB marker. */
static void test_mmio_1g(void)
{
	struct nested_pt pt;
	struct fake_mem m;
	struct tw w;
	unsigned int flags;

	for (flags = 0; flags <= NESTED_F_1G; flags += NESTED_F_1G) {
		fake_init(&m, 16);
		CU_ASSERT_EQUAL_FATAL(nested_init(&pt, &npt_fmt, &fake_ops, &m,
						  flags),
				      0);
		CU_ASSERT_EQUAL(nested_map(&pt, 0xc0000, 0x40000, 0, P2M_MMIO,
					   P2M_R | P2M_W),
				0);
		tw_init(&w, &m, &pt, TW_NPT);
		tw_scan(&w);
		CU_ASSERT_EQUAL(w.errors, 0);
		CU_ASSERT_EQUAL(w.mmio[3], flags ? 1 : 0);
		CU_ASSERT_EQUAL(w.mmio[2], flags ? 0 : 512);
		CU_ASSERT_EQUAL(m.live, flags ? 2 : 3);
		nested_destroy(&pt);
		CU_ASSERT_EQUAL(m.live, 0);
		fake_fini(&m);
	}
}

/* Accessed/dirty flags survive a split and a merge (or-ed). */
static void test_accessed_dirty(void)
{
	struct nested_pt pt;
	struct fake_mem m;
	struct nested_xlat x;
	int f;

	for (f = TW_NPT; f <= TW_EPT; f++) {
		const struct nested_fmt *fmt = fmt_of(f);

		fake_init(&m, 64);
		CU_ASSERT_EQUAL_FATAL(nested_init(&pt, fmt, &fake_ops, &m, 0),
				      0);
		CU_ASSERT_EQUAL(nested_map(&pt, 0x200, 0x200, 0x800, P2M_RAM,
					   P2M_RWX),
				0);
		/* As the CPU would. */
		*raw_slot(&pt, &m, 0x200, 2) |= fmt->accessed | fmt->dirty;
		CU_ASSERT_EQUAL(nested_protect(&pt, 0x210, 1, P2M_W, 0), 0);
		CU_ASSERT_EQUAL(nested_translate(&pt, 0x3ff000, &x), 0);
		CU_ASSERT_EQUAL(x.level, 1);
		CU_ASSERT_TRUE(x.accessed && x.dirty);
		CU_ASSERT_EQUAL(nested_protect(&pt, 0x210, 1, 0, P2M_W), 0);
		CU_ASSERT_EQUAL(nested_translate(&pt, 0x3ff000, &x), 0);
		CU_ASSERT_EQUAL(x.level, 2);
		CU_ASSERT_TRUE(x.accessed && x.dirty);
		nested_destroy(&pt);
		CU_ASSERT_EQUAL(m.live, 0);
		fake_fini(&m);
	}
}

static void test_errors(void)
{
	struct nested_pt pt;
	struct fake_mem m;

	fake_init(&m, 16);
	CU_ASSERT_EQUAL(nested_init(&pt, &npt_fmt, &fake_ops, &m, 0x80),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(m.live, 0);
	CU_ASSERT_EQUAL_FATAL(nested_init(&pt, &npt_fmt, &fake_ops, &m, 0), 0);
	CU_ASSERT_EQUAL(nested_map(&pt, 0, 0, 0, P2M_RAM, P2M_RWX),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(nested_map(&pt, ~0ull, 2, 0, P2M_RAM, P2M_RWX),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(nested_map(&pt, NESTED_GFN_LIMIT, 1, 0, P2M_RAM,
				   P2M_RWX),
			-VMI_ERANGE);
	CU_ASSERT_EQUAL(nested_map(&pt, NESTED_GFN_LIMIT - 1, 2, 0, P2M_RAM,
				   P2M_RWX),
			-VMI_ERANGE);
	CU_ASSERT_EQUAL(nested_map(&pt, 0, 1, 0, P2M_INVALID, P2M_RWX),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(nested_map(&pt, 0, 1, 0, P2M_ROM, P2M_RWX),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(nested_map(&pt, 0, 1, 0, P2M_RAM, P2M_X), -VMI_EINVAL);
	CU_ASSERT_EQUAL(nested_map(&pt, 0, 1, P2M_MFN_LIMIT, P2M_RAM, P2M_R),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(nested_unmap(&pt, 5, 0), -VMI_EINVAL);
	CU_ASSERT_EQUAL(nested_unmap(&pt, NESTED_GFN_LIMIT, 1), -VMI_ERANGE);
	CU_ASSERT_EQUAL(nested_protect(&pt, NESTED_GFN_LIMIT, 1, P2M_W, 0),
			-VMI_ERANGE);
	/* Nothing was allocated by the failed calls. */
	CU_ASSERT_EQUAL(m.live, 1);
	nested_destroy(&pt);
	nested_destroy(&pt); /* idempotent */
	CU_ASSERT_EQUAL(m.live, 0);
	CU_ASSERT_EQUAL(m.errors, 0);
	fake_fini(&m);
}

void unit_register(void)
{
	CU_pSuite s;

	s = CU_add_suite("nested-encoding", NULL, NULL);
	CU_add_test(s, "npt entry bits", test_npt_encoding);
	CU_add_test(s, "ept entry bits", test_ept_encoding);
	CU_add_test(s, "eptp and ncr3", test_root_pointers);

	s = CU_add_suite("nested-build", NULL, NULL);
	CU_add_test(s, "npt from p2m", test_build_npt);
	CU_add_test(s, "ept from p2m", test_build_ept);
	CU_add_test(s, "npt from p2m, 1 GiB leaves", test_build_npt_1g);
	CU_add_test(s, "ept from p2m, 1 GiB leaves", test_build_ept_1g);
	CU_add_test(s, "npt order independent", test_order_npt);
	CU_add_test(s, "ept order independent", test_order_ept);
	CU_add_test(s, "page-wise fill collapses", test_collapse_pagewise);

	s = CU_add_suite("nested-change", NULL, NULL);
	CU_add_test(s, "npt unmap splits", test_unmap_split_npt);
	CU_add_test(s, "ept unmap splits", test_unmap_split_ept);
	CU_add_test(s, "npt protect", test_protect_npt);
	CU_add_test(s, "ept protect", test_protect_ept);
	CU_add_test(s, "mmio versus hole", test_mmio_vs_hole);
	CU_add_test(s, "1 GiB mmio window", test_mmio_1g);
	CU_add_test(s, "accessed and dirty kept", test_accessed_dirty);
	CU_add_test(s, "argument errors", test_errors);

	nested_fail_register();
}

UNIT_MAIN
