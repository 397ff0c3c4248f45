/*
 * CUnit tests for the P2M (mm/p2m.c): add, merge, overlap and argument
 * errors, capacity, remove with trimming and splitting, lookup, iteration,
 * and a randomised comparison against a frame-by-frame model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mm/p2m.h>
#include <vmi/errno.h>

#include "unit.h"

#define CAP 8

static struct p2m_range storage[CAP];
static struct p2m p;

static void fresh(size_t cap)
{
	memset(storage, 0x5a, sizeof(storage));
	p2m_init(&p, storage, cap);
}

/* Sorted, non-overlapping, well-formed, and no two ranges mergeable. */
static bool well_formed(const struct p2m *m)
{
	size_t i;

	for (i = 0; i < m->nr; i++) {
		const struct p2m_range *r = &m->ranges[i];

		if (p2m_range_valid(r->gfn, r->count, r->mfn, r->type,
				    r->perms))
			return false;
		if (r->type == P2M_MMIO && r->mfn != P2M_MFN_NONE)
			return false;
		if (i > 0) {
			const struct p2m_range *q = &m->ranges[i - 1];

			if (q->gfn + q->count > r->gfn)
				return false;
			if (q->gfn + q->count == r->gfn &&
			    q->type == r->type && q->perms == r->perms &&
			    (r->type == P2M_MMIO ||
			     q->mfn + q->count == r->mfn))
				return false;
		}
	}
	return m->nr <= m->cap;
}

static void test_add_lookup(void)
{
	uint64_t mfn;
	unsigned int perms;

	fresh(CAP);
	CU_ASSERT_EQUAL(p2m_add(&p, 0, 0xa0, 0x1000, P2M_RAM, P2M_RWX), 0);
	CU_ASSERT_EQUAL(p2m_add(&p, 0xfee00, 1, 0x1234, P2M_MMIO,
				P2M_R | P2M_W),
			0);
	CU_ASSERT_EQUAL(p2m_add(&p, 0xc0, 8, 0x2000, P2M_ROM, P2M_R | P2M_X),
			0);
	CU_ASSERT_EQUAL(p.nr, 3);
	CU_ASSERT_TRUE(well_formed(&p));

	CU_ASSERT_EQUAL(p2m_lookup(&p, 0x9f, &mfn, &perms), P2M_RAM);
	CU_ASSERT_EQUAL(mfn, 0x109f);
	CU_ASSERT_EQUAL(perms, P2M_RWX);
	CU_ASSERT_EQUAL(p2m_lookup(&p, 0xa0, &mfn, &perms), P2M_INVALID);
	CU_ASSERT_EQUAL(mfn, P2M_MFN_NONE);
	CU_ASSERT_EQUAL(perms, 0);
	CU_ASSERT_EQUAL(p2m_lookup(&p, 0xc7, &mfn, &perms), P2M_ROM);
	CU_ASSERT_EQUAL(mfn, 0x2007);
	CU_ASSERT_EQUAL(perms, P2M_R | P2M_X);
	/* MMIO has no machine frames, whatever the caller passed. */
	CU_ASSERT_EQUAL(p2m_lookup(&p, 0xfee00, &mfn, NULL), P2M_MMIO);
	CU_ASSERT_EQUAL(mfn, P2M_MFN_NONE);
	CU_ASSERT_EQUAL(p2m_lookup(&p, 0xfee01, NULL, NULL), P2M_INVALID);
	CU_ASSERT_EQUAL(p2m_lookup(&p, ~0ull, NULL, NULL), P2M_INVALID);
	CU_ASSERT_PTR_EQUAL(p2m_find(&p, 0xc3), &p.ranges[1]);
	CU_ASSERT_PTR_NULL(p2m_find(&p, 0xbf));

	CU_ASSERT_EQUAL(p2m_ram_frames(&p), 0xa0);
}

static void test_merge(void)
{
	fresh(CAP);
	CU_ASSERT_EQUAL(p2m_add(&p, 0x100, 0x100, 0x1100, P2M_RAM, P2M_RWX),
			0);
	/* Continues it: merged after. */
	CU_ASSERT_EQUAL(p2m_add(&p, 0x200, 0x10, 0x1200, P2M_RAM, P2M_RWX), 0);
	/* Precedes it: merged before. */
	CU_ASSERT_EQUAL(p2m_add(&p, 0xf0, 0x10, 0x10f0, P2M_RAM, P2M_RWX), 0);
	CU_ASSERT_EQUAL(p.nr, 1);
	CU_ASSERT_EQUAL(p.ranges[0].gfn, 0xf0);
	CU_ASSERT_EQUAL(p.ranges[0].count, 0x120);
	CU_ASSERT_EQUAL(p.ranges[0].mfn, 0x10f0);
	/* Not machine-contiguous, other perms, other type: separate. */
	CU_ASSERT_EQUAL(p2m_add(&p, 0x210, 1, 0x9999, P2M_RAM, P2M_RWX), 0);
	CU_ASSERT_EQUAL(p2m_add(&p, 0x211, 1, 0x9999 + 1, P2M_RAM, P2M_R), 0);
	CU_ASSERT_EQUAL(p2m_add(&p, 0xef, 1, 0x10ef, P2M_ROM, P2M_R), 0);
	CU_ASSERT_EQUAL(p.nr, 4);
	/* MMIO merges on gfn alone; filling a gap joins both sides. */
	CU_ASSERT_EQUAL(p2m_add(&p, 0x1000, 4, 0, P2M_MMIO, 0), 0);
	CU_ASSERT_EQUAL(p2m_add(&p, 0x1008, 4, 0, P2M_MMIO, 0), 0);
	CU_ASSERT_EQUAL(p.nr, 6);
	CU_ASSERT_EQUAL(p2m_add(&p, 0x1004, 4, 77, P2M_MMIO, 0), 0);
	CU_ASSERT_EQUAL(p.nr, 5);
	CU_ASSERT_EQUAL(p.ranges[4].count, 12);
	CU_ASSERT_TRUE(well_formed(&p));
}

static void test_overlap(void)
{
	fresh(CAP);
	CU_ASSERT_EQUAL(p2m_add(&p, 0x100, 0x100, 0x1000, P2M_RAM, P2M_RWX),
			0);
	CU_ASSERT_EQUAL(p2m_add(&p, 0x100, 0x100, 0x1000, P2M_RAM, P2M_RWX),
			-VMI_EEXIST);
	CU_ASSERT_EQUAL(p2m_add(&p, 0xff, 2, 0x5000, P2M_RAM, P2M_RWX),
			-VMI_EEXIST);
	CU_ASSERT_EQUAL(p2m_add(&p, 0x1ff, 2, 0x5000, P2M_RAM, P2M_RWX),
			-VMI_EEXIST);
	CU_ASSERT_EQUAL(p2m_add(&p, 0x150, 1, 0x5000, P2M_MMIO, 0),
			-VMI_EEXIST);
	CU_ASSERT_EQUAL(p2m_add(&p, 0x0, 0x1000, 0x5000, P2M_RAM, P2M_RWX),
			-VMI_EEXIST);
	CU_ASSERT_EQUAL(p.nr, 1);
	CU_ASSERT_EQUAL(p.ranges[0].count, 0x100);
	/* Touching is not overlapping. */
	CU_ASSERT_EQUAL(p2m_add(&p, 0xff, 1, 0x5000, P2M_RAM, P2M_RWX), 0);
	CU_ASSERT_EQUAL(p2m_add(&p, 0x200, 1, 0x5000, P2M_RAM, P2M_RWX), 0);
	CU_ASSERT_TRUE(well_formed(&p));
}

static void test_invalid(void)
{
	fresh(CAP);
	CU_ASSERT_EQUAL(p2m_add(&p, 0, 0, 0, P2M_RAM, P2M_RWX), -VMI_EINVAL);
	CU_ASSERT_EQUAL(p2m_add(&p, ~0ull, 2, 0, P2M_RAM, P2M_RWX),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(p2m_add(&p, P2M_GFN_LIMIT - 1, 2, 0, P2M_RAM,
				P2M_RWX),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(p2m_add(&p, 0, 2, ~0ull, P2M_RAM, P2M_RWX),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(p2m_add(&p, 0, 2, P2M_MFN_LIMIT - 1, P2M_RAM,
				P2M_RWX),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(p2m_add(&p, 0, 1, 0, P2M_INVALID, P2M_RWX),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(p2m_add(&p, 0, 1, 0, 4, P2M_RWX), -VMI_EINVAL);
	CU_ASSERT_EQUAL(p2m_add(&p, 0, 1, 0, P2M_ROM, P2M_R | P2M_W),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(p2m_add(&p, 0, 1, 0, P2M_RAM, P2M_X), -VMI_EINVAL);
	CU_ASSERT_EQUAL(p2m_add(&p, 0, 1, 0, P2M_MMIO, P2M_W), -VMI_EINVAL);
	CU_ASSERT_EQUAL(p2m_add(&p, 0, 1, 0, P2M_RAM, 0x8 | P2M_R),
			-VMI_EINVAL);
	/* MMIO ignores the machine frame, even an impossible one. */
	CU_ASSERT_EQUAL(p2m_add(&p, P2M_GFN_LIMIT - 1, 1, ~0ull, P2M_MMIO, 0),
			0);
	CU_ASSERT_EQUAL(p.nr, 1);
}

static void test_capacity(void)
{
	unsigned int i;

	fresh(4);
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(p2m_add(&p, i * 0x100, 0x10, i * 0x1000,
					P2M_RAM, P2M_RWX),
				0);
	CU_ASSERT_EQUAL(p2m_add(&p, 0x1000, 1, 0, P2M_RAM, P2M_RWX),
			-VMI_ENOSPC);
	CU_ASSERT_EQUAL(p2m_add(&p, 0x80, 1, 0, P2M_RAM, P2M_RWX),
			-VMI_ENOSPC);
	CU_ASSERT_EQUAL(p.nr, 4);
	/* An overlap is reported as such, even when full. */
	CU_ASSERT_EQUAL(p2m_add(&p, 0x105, 1, 0, P2M_RAM, P2M_RWX),
			-VMI_EEXIST);
	/* Merging needs no slot. */
	CU_ASSERT_EQUAL(p2m_add(&p, 0x110, 0x10, 0x1010, P2M_RAM, P2M_RWX),
			0);
	/* Splitting one does, and fails cleanly. */
	CU_ASSERT_EQUAL(p2m_remove(&p, 0x105, 1), -VMI_ENOSPC);
	CU_ASSERT_EQUAL(p2m_lookup(&p, 0x105, NULL, NULL), P2M_RAM);
	/* Trimming does not. */
	CU_ASSERT_EQUAL(p2m_remove(&p, 0x100, 1), 0);
	CU_ASSERT_EQUAL(p.nr, 4);
	CU_ASSERT_EQUAL(p2m_ram_frames(&p), 0x10 * 3 + 0x1f);
	CU_ASSERT_TRUE(well_formed(&p));
}

static void test_remove(void)
{
	uint64_t mfn;

	fresh(CAP);
	CU_ASSERT_EQUAL(p2m_add(&p, 0x100, 0x100, 0x1000, P2M_RAM, P2M_RWX),
			0);
	CU_ASSERT_EQUAL(p2m_add(&p, 0x300, 0x100, 0, P2M_MMIO, 0), 0);
	CU_ASSERT_EQUAL(p2m_add(&p, 0x500, 0x100, 0x5000, P2M_ROM, P2M_R), 0);

	CU_ASSERT_EQUAL(p2m_remove(&p, 0, 0), -VMI_EINVAL);
	CU_ASSERT_EQUAL(p2m_remove(&p, ~0ull, 2), -VMI_EINVAL);
	CU_ASSERT_EQUAL(p2m_remove(&p, 0x200, 0x100), -VMI_ENOENT);
	CU_ASSERT_EQUAL(p2m_remove(&p, 0, 0x100), -VMI_ENOENT);

	/* Split in the middle: the tail keeps its machine frames. */
	CU_ASSERT_EQUAL(p2m_remove(&p, 0x140, 0x10), 0);
	CU_ASSERT_EQUAL(p.nr, 4);
	CU_ASSERT_EQUAL(p2m_lookup(&p, 0x13f, &mfn, NULL), P2M_RAM);
	CU_ASSERT_EQUAL(mfn, 0x103f);
	CU_ASSERT_EQUAL(p2m_lookup(&p, 0x140, NULL, NULL), P2M_INVALID);
	CU_ASSERT_EQUAL(p2m_lookup(&p, 0x14f, NULL, NULL), P2M_INVALID);
	CU_ASSERT_EQUAL(p2m_lookup(&p, 0x150, &mfn, NULL), P2M_RAM);
	CU_ASSERT_EQUAL(mfn, 0x1050);

	/* Across holes: trims the RAM tail, drops MMIO, trims ROM head. */
	CU_ASSERT_EQUAL(p2m_remove(&p, 0x1f0, 0x320), 0);
	CU_ASSERT_EQUAL(p.nr, 3);
	CU_ASSERT_EQUAL(p2m_lookup(&p, 0x1ef, NULL, NULL), P2M_RAM);
	CU_ASSERT_EQUAL(p2m_lookup(&p, 0x1f0, NULL, NULL), P2M_INVALID);
	CU_ASSERT_EQUAL(p2m_lookup(&p, 0x350, NULL, NULL), P2M_INVALID);
	CU_ASSERT_EQUAL(p2m_lookup(&p, 0x50f, NULL, NULL), P2M_INVALID);
	CU_ASSERT_EQUAL(p2m_lookup(&p, 0x510, &mfn, NULL), P2M_ROM);
	CU_ASSERT_EQUAL(mfn, 0x5010);
	CU_ASSERT_TRUE(well_formed(&p));

	/* Everything. */
	CU_ASSERT_EQUAL(p2m_remove(&p, 0, P2M_GFN_LIMIT), 0);
	CU_ASSERT_EQUAL(p.nr, 0);
	CU_ASSERT_EQUAL(p2m_remove(&p, 0, P2M_GFN_LIMIT), -VMI_ENOENT);
}

/*
 * Ballooning's use of the P2M: single frames leave a 2 MiB run until the
 * array is full (-ENOSPC, nothing changed), the same frame put back
 * merges and frees the slot, a new frame (BALLOON_IN) is a range of its
 * own, and the RAM count follows.
 */
static void test_balloon_pages(void)
{
	uint64_t mfn, i;

	fresh(4);
	CU_ASSERT_EQUAL(p2m_add(&p, 0x200, 0x200, 0x4000, P2M_RAM, P2M_RWX),
			0);
	CU_ASSERT_EQUAL(p2m_remove(&p, 0x210, 1), 0);
	CU_ASSERT_EQUAL(p2m_remove(&p, 0x220, 1), 0);
	CU_ASSERT_EQUAL(p2m_remove(&p, 0x230, 1), 0);
	CU_ASSERT_EQUAL(p.nr, 4);
	CU_ASSERT_EQUAL(p2m_ram_frames(&p), 0x200 - 3);
	/* Full: another hole inside a range cannot be made. */
	CU_ASSERT_EQUAL(p2m_remove(&p, 0x240, 1), -VMI_ENOSPC);
	CU_ASSERT_EQUAL(p2m_lookup(&p, 0x240, &mfn, NULL), P2M_RAM);
	CU_ASSERT_EQUAL(mfn, 0x4040);
	/* At a range's edge no slot is needed. */
	CU_ASSERT_EQUAL(p2m_remove(&p, 0x211, 1), 0);
	CU_ASSERT_EQUAL(p.nr, 4);
	/* The old frame back: the ranges join again. */
	CU_ASSERT_EQUAL(p2m_add(&p, 0x220, 1, 0x4020, P2M_RAM, P2M_RWX), 0);
	CU_ASSERT_EQUAL(p.nr, 3);
	/* A new frame where a page was given back: a range of its own. */
	CU_ASSERT_EQUAL(p2m_add(&p, 0x230, 1, 0x9999, P2M_RAM, P2M_RWX), 0);
	CU_ASSERT_EQUAL(p.nr, 4);
	CU_ASSERT_EQUAL(p2m_lookup(&p, 0x230, &mfn, NULL), P2M_RAM);
	CU_ASSERT_EQUAL(mfn, 0x9999);
	CU_ASSERT_EQUAL(p2m_lookup(&p, 0x231, &mfn, NULL), P2M_RAM);
	CU_ASSERT_EQUAL(mfn, 0x4031);
	CU_ASSERT_EQUAL(p2m_add(&p, 0x230, 1, 0x9999, P2M_RAM, P2M_RWX),
			-VMI_EEXIST);
	CU_ASSERT_EQUAL(p2m_ram_frames(&p), 0x200 - 2);
	CU_ASSERT_TRUE(well_formed(&p));
	/* Frame by frame, every frame stays where it was. */
	for (i = 0x200; i < 0x400; i++) {
		unsigned int t = p2m_lookup(&p, i, &mfn, NULL);

		if (i == 0x210 || i == 0x211) {
			CU_ASSERT_EQUAL(t, P2M_INVALID);
		} else {
			CU_ASSERT_EQUAL(t, P2M_RAM);
			CU_ASSERT_EQUAL(mfn, i == 0x230 ? 0x9999
						       : 0x4000 + i - 0x200);
		}
	}
}

struct iter {
	uint64_t last;
	int calls;
	int stop_at;
};

static int iter_fn(void *arg, const struct p2m_range *r)
{
	struct iter *it = arg;

	CU_ASSERT(it->calls == 0 || r->gfn > it->last);
	it->last = r->gfn;
	return ++it->calls == it->stop_at ? 42 : 0;
}

static void test_for_each(void)
{
	struct iter it = { 0, 0, 0 };

	fresh(CAP);
	CU_ASSERT_EQUAL(p2m_for_each(&p, iter_fn, &it), 0);
	CU_ASSERT_EQUAL(it.calls, 0);
	CU_ASSERT_EQUAL(p2m_add(&p, 0x500, 1, 0, P2M_RAM, P2M_RWX), 0);
	CU_ASSERT_EQUAL(p2m_add(&p, 0x100, 1, 0, P2M_MMIO, 0), 0);
	CU_ASSERT_EQUAL(p2m_add(&p, 0x300, 1, 0, P2M_ROM, P2M_R), 0);
	CU_ASSERT_EQUAL(p2m_for_each(&p, iter_fn, &it), 0);
	CU_ASSERT_EQUAL(it.calls, 3);
	it.calls = 0;
	it.stop_at = 2;
	CU_ASSERT_EQUAL(p2m_for_each(&p, iter_fn, &it), 42);
	CU_ASSERT_EQUAL(it.calls, 2);
	CU_ASSERT_EQUAL(p2m_ram_frames(&p), 1);
}

/* ---- randomised, against a frame-by-frame model ----------------------- */

#define SPACE 512
#define RCAP 24

struct frame {
	unsigned int type, perms;
	uint64_t mfn;
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

static void test_random(void)
{
	static struct p2m_range st[RCAP];
	static const unsigned int perms_of[] = { P2M_RWX, P2M_R | P2M_X,
						 P2M_R, P2M_R | P2M_W };
	struct frame model[SPACE];
	struct p2m m;
	unsigned int bad = 0, ops = 0;
	int i;

	memset(model, 0, sizeof(model));
	p2m_init(&m, st, RCAP);
	for (i = 0; i < 20000; i++) {
		uint64_t gfn = rnd(SPACE), count = 1 + rnd(40), g, mfn;
		unsigned int type = 1 + (unsigned int)rnd(3);
		unsigned int perms = perms_of[rnd(4)];
		bool overlap = false;
		uint64_t ram = 0;
		int rc;

		if (gfn + count > SPACE)
			count = SPACE - gfn;
		if (type == P2M_ROM)
			perms &= ~P2M_W;
		/* Few distinct machine offsets, so that merges happen. */
		mfn = gfn + 0x1000 * rnd(2);
		for (g = gfn; g < gfn + count; g++)
			overlap |= model[g].type != P2M_INVALID;

		if (rnd(3)) {
			size_t before = m.nr;

			rc = p2m_add(&m, gfn, count, mfn, type, perms);
			if (overlap) {
				bad += rc != -VMI_EEXIST;
			} else if (rc == -VMI_ENOSPC) {
				bad += before != RCAP;
			} else {
				bad += rc != 0;
				for (g = gfn; !rc && g < gfn + count; g++) {
					model[g].type = type;
					model[g].perms = perms;
					model[g].mfn = type == P2M_MMIO ?
							       P2M_MFN_NONE :
							       mfn + (g - gfn);
				}
			}
		} else {
			rc = p2m_remove(&m, gfn, count);
			if (!overlap) {
				bad += rc != -VMI_ENOENT;
			} else if (rc == -VMI_ENOSPC) {
				bad += m.nr != RCAP;
			} else {
				bad += rc != 0;
				for (g = gfn; !rc && g < gfn + count; g++)
					model[g].type = P2M_INVALID;
			}
		}
		ops += rc == 0;

		bad += !well_formed(&m);
		for (g = 0; g < SPACE; g++) {
			unsigned int t, pr;

			t = p2m_lookup(&m, g, &mfn, &pr);
			if (t != model[g].type ||
			    (t != P2M_INVALID &&
			     (pr != model[g].perms || mfn != model[g].mfn)))
				bad++;
			ram += model[g].type == P2M_RAM;
		}
		bad += p2m_ram_frames(&m) != ram;
		if (bad) {
			fprintf(stderr, "random: mismatch at step %d\n", i);
			break;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(ops > 5000);
}

void unit_register(void)
{
	CU_pSuite s = CU_add_suite("p2m", NULL, NULL);

	CU_add_test(s, "add and lookup", test_add_lookup);
	CU_add_test(s, "adjacent ranges merge", test_merge);
	CU_add_test(s, "overlaps rejected", test_overlap);
	CU_add_test(s, "malformed ranges rejected", test_invalid);
	CU_add_test(s, "capacity", test_capacity);
	CU_add_test(s, "remove trims and splits", test_remove);
	CU_add_test(s, "iteration", test_for_each);
	CU_add_test(s, "single pages out and in (ballooning)",
		    test_balloon_pages);
	CU_add_test(s, "random against a model", test_random);
}

UNIT_MAIN
