/*
 * Allocation failure injected at every allocation of an operation: the
 * tables must stay well-formed, own exactly the pages still allocated, map
 * every frame either as before or as asked, and reach the full result when
 * the operation is repeated.
 */
#include <stdio.h>
#include <string.h>

#include <mm/nested.h>
#include <mm/p2m.h>
#include <vmi/errno.h>

#include "fake.h"
#include "nested_test.h"
#include "unit.h"

#define NR 32

/* RAM, ROM, MMIO, 2 MiB- and 1 GiB-eligible RAM, and RAM past 512 GiB
 * (its own PML4 entry). */
static void small_layout(struct p2m *p)
{
	add_ok(p, 0x0, 0xa0, 0x10000, P2M_RAM, P2M_RWX);
	add_ok(p, 0xc0, 1, 0x30000, P2M_ROM, P2M_R | P2M_X);
	add_ok(p, 0x100, 0x2937, 0x40100, P2M_RAM, P2M_RWX);
	add_ok(p, 0x3000, 0x345, 0x77777, P2M_RAM, P2M_RWX);
	add_ok(p, 0x4000, 0x600, 0, P2M_MMIO, P2M_R | P2M_W);
	add_ok(p, 0x100000, 0x40a00, 0x300000, P2M_RAM, P2M_RWX);
	add_ok(p, 0x8000000, 0x201, 0x500000, P2M_RAM, P2M_RWX);
}

static void empty_layout(struct p2m *p)
{
	(void)p;
}

/* Pieces the change operations work on. */
static const uint64_t pieces[][2] = {
	{ 0x345, 1 },	   /* inside a 2 MiB leaf */
	{ 0x1ff0, 0x20 },  /* across two 2 MiB leaves */
	{ 0x1001ff, 3 },   /* across two 2 MiB parts of a 1 GiB leaf */
	{ 0x4100, 1 },	   /* inside an MMIO marker */
	{ 0x8000100, 0x80 }, /* beyond 512 GiB */
};
#define NR_PIECES (sizeof(pieces) / sizeof(pieces[0]))

static void unmapped_layout(struct p2m *p)
{
	size_t i;

	small_layout(p);
	for (i = 0; i < NR_PIECES; i++)
		CU_ASSERT_EQUAL(p2m_remove(p, pieces[i][0], pieces[i][1]), 0);
}

static int op_build(struct nested_pt *pt, const struct p2m *after)
{
	return nested_build(pt, after);
}

static int op_unmap(struct nested_pt *pt, const struct p2m *after)
{
	size_t i;
	int rc;

	(void)after;
	for (i = 0; i < NR_PIECES; i++) {
		rc = nested_unmap(pt, pieces[i][0], pieces[i][1]);
		if (rc)
			return rc;
	}
	return 0;
}

/* RAM pieces write-protected (MMIO ignores protection). */
static void protected_layout(struct p2m *p)
{
	size_t i;

	small_layout(p);
	for (i = 0; i < NR_PIECES; i++) {
		uint64_t mfn;

		if (p2m_lookup(p, pieces[i][0], &mfn, NULL) != P2M_RAM)
			continue;
		CU_ASSERT_EQUAL(p2m_remove(p, pieces[i][0], pieces[i][1]), 0);
		add_ok(p, pieces[i][0], pieces[i][1], mfn, P2M_RAM,
		       P2M_R | P2M_X);
	}
}

static int op_protect(struct nested_pt *pt, const struct p2m *after)
{
	size_t i;
	int rc;

	(void)after;
	for (i = 0; i < NR_PIECES; i++) {
		rc = nested_protect(pt, pieces[i][0], pieces[i][1], P2M_W, 0);
		if (rc)
			return rc;
	}
	return 0;
}

/* Pieces remapped elsewhere, as MMIO, and as ROM. */
static void remapped_layout(struct p2m *p)
{
	unmapped_layout(p);
	add_ok(p, 0x345, 1, 0x99999, P2M_RAM, P2M_R | P2M_W);
	add_ok(p, 0x1ff0, 0x20, 0, P2M_MMIO, 0);
	add_ok(p, 0x1001ff, 3, 0x600000, P2M_ROM, P2M_R);
	add_ok(p, 0x4100, 1, 0x1234, P2M_RAM, P2M_RWX);
	add_ok(p, 0x8000100, 0x80, 0x500100, P2M_RAM, P2M_R);
}

static int op_remap(struct nested_pt *pt, const struct p2m *after)
{
	size_t i;
	int rc;

	for (i = 0; i < NR_PIECES; i++) {
		const struct p2m_range *r = p2m_find(after, pieces[i][0]);
		uint64_t mfn = r->mfn + (pieces[i][0] - r->gfn);

		rc = nested_map(pt, pieces[i][0], pieces[i][1],
				r->type == P2M_MMIO ? 0 : mfn, r->type,
				r->perms);
		if (rc)
			return rc;
	}
	return 0;
}

/* New RAM in an empty 512 GiB region, needing several page tables under
 * one new directory, machine frames not 2 MiB-congruent. */
static void fresh_layout(struct p2m *p)
{
	small_layout(p);
	add_ok(p, 0x9000100, 0x600, 0x123457, P2M_RAM, P2M_RWX);
}

static int op_fresh(struct nested_pt *pt, const struct p2m *after)
{
	(void)after;
	return nested_map(pt, 0x9000100, 0x600, 0x123457, P2M_RAM, P2M_RWX);
}

struct scenario {
	const char *name;
	void (*before)(struct p2m *p);
	void (*after)(struct p2m *p);
	int (*op)(struct nested_pt *pt, const struct p2m *after);
};

static const struct scenario scenarios[] = {
	{ "build", empty_layout, small_layout, op_build },
	{ "unmap", small_layout, unmapped_layout, op_unmap },
	{ "protect", small_layout, protected_layout, op_protect },
	{ "remap", small_layout, remapped_layout, op_remap },
	{ "fresh", small_layout, fresh_layout, op_fresh },
};

/* Where to compare frame by frame: all edits, and samples elsewhere. */
static const uint64_t windows[][3] = {
	{ 0x0, 0x5000, 1 },
	{ 0xffe00, 0x100800, 1 },
	{ 0x13fe00, 0x140c00, 1 },
	{ 0x100000, 0x141000, 0x3f },
	{ 0x7fffe00, 0x8000400, 1 },
	{ 0x9000000, 0x9000800, 1 },
};

static uint64_t mismatches(struct nested_pt *pt, struct fake_mem *m, int fmt,
			   const struct p2m *a, const struct p2m *b)
{
	uint64_t bad = 0, g;
	struct tw_entry e;
	struct tw w;
	size_t i;

	tw_init(&w, m, pt, fmt);
	for (i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
		for (g = windows[i][0]; g < windows[i][1]; g += windows[i][2]) {
			tw_lookup(&w, g, &e);
			if (!tw_matches(&e, a, g) && !tw_matches(&e, b, g))
				bad++;
		}
	}
	return bad + w.errors;
}

/* Structure and counts of @pt equal the canonical tables for @p. */
static void check_final(struct nested_pt *pt, struct fake_mem *m, int fmt,
			const struct p2m *p)
{
	uint64_t leaves[NESTED_LEVELS + 1], mmio[NESTED_LEVELS + 1], tables;
	struct tw w;

	tw_init(&w, m, pt, fmt);
	tw_scan(&w);
	tw_expect(p, pt->flags & NESTED_F_1G, leaves, mmio, &tables);
	CU_ASSERT_EQUAL(w.errors, 0);
	CU_ASSERT_EQUAL(memcmp(w.leaves, leaves, sizeof(leaves)), 0);
	CU_ASSERT_EQUAL(memcmp(w.mmio, mmio, sizeof(mmio)), 0);
	CU_ASSERT_EQUAL(w.tables, tables);
	CU_ASSERT_EQUAL(m->live, tables);
	CU_ASSERT_EQUAL(pt->nr_tables, tables);
	CU_ASSERT_EQUAL(mismatches(pt, m, fmt, p, p), 0);
}

static void run(const struct scenario *sc, int fmt, unsigned int flags)
{
	struct p2m_range sb[NR], sa[NR];
	struct p2m before, after;
	struct nested_pt pt;
	struct fake_mem m;
	long k;
	int rc;

	p2m_init(&before, sb, NR);
	p2m_init(&after, sa, NR);
	sc->before(&before);
	sc->after(&after);

	for (k = 0; k < 1000; k++) {
		struct tw w;

		fake_init(&m, 256);
		CU_ASSERT_EQUAL_FATAL(nested_init(&pt, fmt_of(fmt), &fake_ops,
						  &m, flags),
				      0);
		CU_ASSERT_EQUAL_FATAL(nested_build(&pt, &before), 0);
		m.nr_allocs = 0;
		m.fail_at = k;
		rc = sc->op(&pt, &after);
		if (rc == 0) {
			/* Fewer than k + 1 allocations: every one was hit. */
			CU_ASSERT_EQUAL(m.nr_allocs, k);
			check_final(&pt, &m, fmt, &after);
			nested_destroy(&pt);
			CU_ASSERT_EQUAL(m.live, 0);
			fake_fini(&m);
			break;
		}
		CU_ASSERT_EQUAL(rc, -VMI_ENOMEM);

		/* Consistent and leak-free after the failure... */
		tw_init(&w, &m, &pt, fmt);
		tw_scan(&w);
		CU_ASSERT_EQUAL(w.errors, 0);
		CU_ASSERT_EQUAL(w.tables, m.live);
		CU_ASSERT_EQUAL(pt.nr_tables, m.live);
		CU_ASSERT_EQUAL(m.errors, 0);
		CU_ASSERT_EQUAL(mismatches(&pt, &m, fmt, &before, &after), 0);

		/* ...and the same call completes it. */
		m.fail_at = -1;
		CU_ASSERT_EQUAL(sc->op(&pt, &after), 0);
		check_final(&pt, &m, fmt, &after);

		nested_destroy(&pt);
		CU_ASSERT_EQUAL(m.live, 0);
		CU_ASSERT_EQUAL(m.errors, 0);
		fake_fini(&m);
	}
	/* Every scenario allocates somewhere. */
	CU_ASSERT(k > 0 && k < 1000);
	fprintf(stderr, "  [%s %s%s: %ld allocation points] ", sc->name,
		fmt == TW_NPT ? "npt" : "ept", flags ? " 1G" : "", k);
}

static void run_all(int fmt)
{
	size_t i;

	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		run(&scenarios[i], fmt, 0);
		run(&scenarios[i], fmt, NESTED_F_1G);
	}
}

static void test_fail_npt(void)
{
	run_all(TW_NPT);
}

static void test_fail_ept(void)
{
	run_all(TW_EPT);
}

static void test_fail_init(void)
{
	struct nested_pt pt;
	struct fake_mem m;

	fake_init(&m, 4);
	m.fail_at = 0;
	CU_ASSERT_EQUAL(nested_init(&pt, &ept_fmt, &fake_ops, &m, 0),
			-VMI_ENOMEM);
	CU_ASSERT_EQUAL(m.live, 0);
	nested_destroy(&pt); /* harmless on a failed init */
	CU_ASSERT_EQUAL(m.errors, 0);
	fake_fini(&m);
}

/* Destroy frees every page of a large structure. */
static void test_destroy_all(void)
{
	struct p2m_range st[NR];
	struct nested_pt pt;
	struct fake_mem m;
	struct p2m p;
	int fmt;

	for (fmt = TW_NPT; fmt <= TW_EPT; fmt++) {
		fake_init(&m, 1024);
		p2m_init(&p, st, NR);
		std_layout(&p);
		CU_ASSERT_EQUAL_FATAL(nested_init(&pt, fmt_of(fmt), &fake_ops,
						  &m, 0),
				      0);
		CU_ASSERT_EQUAL(nested_build(&pt, &p), 0);
		CU_ASSERT(m.live > 10);
		nested_destroy(&pt);
		CU_ASSERT_EQUAL(m.live, 0);
		CU_ASSERT_EQUAL(pt.nr_tables, 0);
		CU_ASSERT_EQUAL(m.errors, 0);
		fake_fini(&m);
	}
}

void nested_fail_register(void)
{
	CU_pSuite s = CU_add_suite("nested-alloc-failure", NULL, NULL);

	CU_add_test(s, "init", test_fail_init);
	CU_add_test(s, "npt, every allocation", test_fail_npt);
	CU_add_test(s, "ept, every allocation", test_fail_ept);
	CU_add_test(s, "destroy frees all", test_destroy_all);
}
