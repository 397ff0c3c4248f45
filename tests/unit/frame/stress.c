/*
 * Randomized stress: a fixed-seed mix of allocations, frees and
 * deliberately bad calls on a zone with holes and unaligned edges.  Every
 * frame's owner is mirrored in a shadow table, and every few hundred steps
 * the allocator is compared with the shadow and with the buddy oracle.
 */
#include <stdlib.h>
#include <string.h>

#include "frame_test.h"

#define S_BASE 0x123457ull /* deliberately unaligned */
#define S_NR 20000ull
#define S_STEPS 200000
#define S_CHECK_EVERY 500
#define S_SEED 0x7269766973u /* "trivis" */

struct live {
	uint64_t mfn;
	unsigned int order;
	uint16_t owner;
};

struct stress {
	struct tzone t;
	uint16_t *shadow; /* expected owner of each frame */
	struct live *live;
	size_t nr_live;
	uint64_t shadow_free;
	uint64_t seed;
};

/* Small orders mostly, the odd big one that usually cannot be met. */
static unsigned int pick_order(uint64_t *seed)
{
	uint64_t r = rng_below(seed, 100);

	if (r < 40)
		return 0;
	if (r < 60)
		return 1;
	if (r < 95)
		return 2 + (unsigned int)rng_below(seed, 7);
	return 9 + (unsigned int)rng_below(seed, FRAME_MAX_ORDER - 8);
}

static uint16_t pick_owner(uint64_t *seed)
{
	uint64_t r = rng_below(seed, 7);

	return r == 6 ? FRAME_OWNER_HYPERVISOR : (uint16_t)r;
}

static void verify(struct stress *st)
{
	uint64_t want[FRAME_NR_ORDERS], i;
	bool *map = malloc(S_NR * sizeof(*map));

	CU_ASSERT_PTR_NOT_NULL_FATAL(map);
	CHECK_ZONE(&st->t.z);
	CU_ASSERT_EQUAL_FATAL(frame_free_count(&st->t.z), st->shadow_free);
	for (i = 0; i < S_NR; i++) {
		CU_ASSERT_EQUAL_FATAL(st->t.meta[i].owner, st->shadow[i]);
		map[i] = st->shadow[i] == FRAME_OWNER_FREE;
	}
	oracle_blocks(S_BASE, S_NR, map, want);
	CU_ASSERT_FATAL(orders_match(&st->t.z, want));
	free(map);
}

static void do_alloc(struct stress *st)
{
	unsigned int order = pick_order(&st->seed), k;
	uint16_t owner = pick_owner(&st->seed);
	uint64_t mfn = 0, n = 1ull << order, i;
	int rc = frame_alloc(&st->t.z, order, owner, &mfn);

	if (rc == -VMI_ENOMEM) {
		for (k = order; k <= FRAME_MAX_ORDER; k++)
			CU_ASSERT_EQUAL_FATAL(frame_free_blocks(&st->t.z, k),
					      0);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL_FATAL(mfn & (n - 1), 0);
	CU_ASSERT_FATAL(mfn >= S_BASE && mfn + n <= S_BASE + S_NR);
	for (i = mfn - S_BASE; i < mfn - S_BASE + n; i++) {
		/* Not a hole, not anyone else's. */
		CU_ASSERT_EQUAL_FATAL(st->shadow[i], FRAME_OWNER_FREE);
		st->shadow[i] = owner;
	}
	st->shadow_free -= n;
	st->live[st->nr_live].mfn = mfn;
	st->live[st->nr_live].order = order;
	st->live[st->nr_live].owner = owner;
	st->nr_live++;
}

static void do_free(struct stress *st)
{
	size_t j = rng_below(&st->seed, st->nr_live);
	struct live l = st->live[j];
	uint64_t n = 1ull << l.order, i;

	CU_ASSERT_EQUAL_FATAL(frame_free(&st->t.z, l.mfn, l.order, l.owner),
			      0);
	for (i = l.mfn - S_BASE; i < l.mfn - S_BASE + n; i++)
		st->shadow[i] = FRAME_OWNER_FREE;
	st->shadow_free += n;
	st->live[j] = st->live[--st->nr_live];
}

/* A wrong call on a live block or a random frame; nothing may change. */
static void do_bad(struct stress *st)
{
	struct frame_zone before = st->t.z;
	struct live l = st->live[rng_below(&st->seed, st->nr_live)];
	uint64_t mfn = S_BASE + rng_below(&st->seed, S_NR);
	struct frame_info *fi = frame_info(&st->t.z, l.mfn);
	int rc;

	switch (rng_below(&st->seed, 5)) {
	case 0: /* wrong owner */
		rc = frame_free(&st->t.z, l.mfn, l.order,
				(uint16_t)(l.owner ^ 8));
		CU_ASSERT_EQUAL_FATAL(rc, -VMI_EPERM);
		break;
	case 1: /* wrong order */
		rc = frame_free(&st->t.z, l.mfn, l.order + 1, l.owner);
		CU_ASSERT_EQUAL_FATAL(rc, -VMI_EINVAL);
		break;
	case 2: /* busy */
		fi->refcount = 1;
		rc = frame_free(&st->t.z, l.mfn, l.order, l.owner);
		fi->refcount = 0;
		CU_ASSERT_EQUAL_FATAL(rc, -VMI_EBUSY);
		break;
	case 3: /* a random single frame, judged by the shadow */
		rc = frame_free(&st->t.z, mfn, 0, 0);
		if (st->shadow[mfn - S_BASE] == FRAME_OWNER_FREE) {
			CU_ASSERT_EQUAL_FATAL(rc, -VMI_ENOENT);
		} else if (st->shadow[mfn - S_BASE] == FRAME_OWNER_RESERVED) {
			CU_ASSERT_EQUAL_FATAL(rc, -VMI_EPERM);
		} else {
			/* Live: a head of order > 0, a tail, or owner != 0. */
			CU_ASSERT_FATAL(rc == -VMI_EINVAL ||
					rc == -VMI_EPERM || rc == 0);
		}
		if (rc == 0) {
			/* It was domain 0's single frame: keep books. */
			size_t j;

			for (j = 0; j < st->nr_live; j++)
				if (st->live[j].mfn == mfn)
					break;
			CU_ASSERT_FATAL(j < st->nr_live);
			CU_ASSERT_FATAL(st->live[j].order == 0 &&
					st->live[j].owner == 0);
			st->shadow[mfn - S_BASE] = FRAME_OWNER_FREE;
			st->shadow_free++;
			st->live[j] = st->live[--st->nr_live];
			return;
		}
		break;
	default: /* misaligned */
		if (l.order == 0)
			return;
		rc = frame_free(&st->t.z, l.mfn + 1, l.order, l.owner);
		CU_ASSERT_EQUAL_FATAL(rc, -VMI_EINVAL);
		break;
	}
	CU_ASSERT_EQUAL_FATAL(memcmp(before.free_blocks, st->t.z.free_blocks,
				     sizeof(before.free_blocks)), 0);
	CU_ASSERT_EQUAL_FATAL(before.nr_free, st->t.z.nr_free);
}

static void test_stress(void)
{
	struct stress st;
	uint64_t initial[FRAME_NR_ORDERS], i;
	unsigned int k;
	long step;

	memset(&st, 0, sizeof(st));
	st.seed = S_SEED;
	st.shadow = malloc(S_NR * sizeof(*st.shadow));
	st.live = malloc(S_NR * sizeof(*st.live));
	CU_ASSERT_FATAL(st.shadow && st.live);
	for (i = 0; i < S_NR; i++)
		st.shadow[i] = FRAME_OWNER_RESERVED;

	/* Three usable ranges around two holes, as a firmware map would. */
	tz_init(&st.t, S_BASE, S_NR);
	CU_ASSERT_EQUAL_FATAL(frame_zone_add_free(&st.t.z, S_BASE, 3000), 0);
	CU_ASSERT_EQUAL_FATAL(
		frame_zone_add_free(&st.t.z, S_BASE + 3500, 9000), 0);
	CU_ASSERT_EQUAL_FATAL(frame_zone_add_free(&st.t.z, S_BASE + 13001,
						  S_NR - 13001 - 7), 0);
	for (i = 0; i < S_NR; i++)
		if (i < 3000 || (i >= 3500 && i < 12500) ||
		    (i >= 13001 && i < S_NR - 7)) {
			st.shadow[i] = FRAME_OWNER_FREE;
			st.shadow_free++;
		}
	verify(&st);
	for (k = 0; k <= FRAME_MAX_ORDER; k++)
		initial[k] = frame_free_blocks(&st.t.z, k);

	for (step = 0; step < S_STEPS; step++) {
		uint64_t r = rng_below(&st.seed, 100);

		/* Drift between nearly full and nearly empty. */
		if (st.nr_live == 0 || r < 50)
			do_alloc(&st);
		else if (r < 90)
			do_free(&st);
		else
			do_bad(&st);
		if (step % S_CHECK_EVERY == 0)
			verify(&st);
	}
	verify(&st);
	CU_ASSERT(st.nr_live > 0);

	while (st.nr_live)
		do_free(&st);
	verify(&st);
	CU_ASSERT_FATAL(orders_match(&st.t.z, initial));

	tz_fini(&st.t);
	free(st.live);
	free(st.shadow);
}

void frame_stress_register(void)
{
	CU_pSuite s = CU_add_suite("frame_stress", NULL, NULL);

	CU_add_test(s, "randomized alloc/free against a shadow", test_stress);
}
