/*
 * Normal operation of the frame allocator: round trips, coalescing,
 * fragmentation, exhaustion, zones with holes and odd edges, reservation.
 */
#include <stdlib.h>
#include <string.h>

#include "frame_test.h"

#define MiB_FRAMES(n) ((uint64_t)(n) << 8) /* 4 KiB frames in n MiB */

struct blk {
	uint64_t mfn;
	unsigned int order;
	uint16_t owner;
};

/* Oracle check of the whole zone against its own metadata. */
static void check_layout(const struct tzone *t)
{
	uint64_t want[FRAME_NR_ORDERS];
	bool *map = calloc(t->nr, sizeof(*map));

	CU_ASSERT_PTR_NOT_NULL_FATAL(map);
	free_map_from_zone(t, map);
	oracle_blocks(t->base, t->nr, map, want);
	free(map);
	CU_ASSERT_FATAL(orders_match(&t->z, want));
}

static void test_meta_size(void)
{
	CU_ASSERT_EQUAL(sizeof(struct frame_info), 24);
	CU_ASSERT_EQUAL(frame_meta_bytes(0), 0);
	CU_ASSERT_EQUAL(frame_meta_bytes(1000), 24000);
	CU_ASSERT_EQUAL(frame_meta_bytes(1ull << 18), 24ull << 18);
}

static void test_init_all_reserved(void)
{
	struct tzone t;
	uint64_t mfn = 0, i;

	tz_init(&t, 0x100000, 64);
	CU_ASSERT_EQUAL(frame_free_count(&t.z), 0);
	CU_ASSERT_EQUAL(frame_total_count(&t.z), 0);
	for (i = 0; i < FRAME_NR_ORDERS; i++)
		CU_ASSERT_EQUAL(frame_free_blocks(&t.z, i), 0);
	CU_ASSERT_EQUAL(frame_free_blocks(&t.z, FRAME_MAX_ORDER + 1), 0);
	for (i = 0; i < t.nr; i++) {
		CU_ASSERT_EQUAL(t.meta[i].owner, FRAME_OWNER_RESERVED);
		CU_ASSERT_EQUAL(t.meta[i].flags, FRAME_F_RESERVED);
	}
	CU_ASSERT_EQUAL(frame_alloc(&t.z, 0, 1, &mfn), -VMI_ENOMEM);
	CHECK_ZONE(&t.z);
	tz_fini(&t);
}

/* 2 GiB at 4 GiB: two 1 GiB blocks; every order splits and merges back. */
static void test_round_trip_every_order(void)
{
	struct tzone t;
	unsigned int k, j;

	tz_init_free(&t, 0x100000, 2 * (1ull << FRAME_MAX_ORDER));
	CU_ASSERT_EQUAL(frame_free_blocks(&t.z, FRAME_MAX_ORDER), 2);

	for (k = 0; k <= FRAME_MAX_ORDER; k++) {
		uint16_t owner = k % 2 ? FRAME_OWNER_HYPERVISOR : (uint16_t)k;
		uint64_t mfn = 0, n = 1ull << k, i;
		struct frame_info *fi;

		CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, k, owner, &mfn), 0);
		CU_ASSERT_EQUAL(mfn & (n - 1), 0);
		CU_ASSERT(mfn >= t.base && mfn + n <= t.base + t.nr);
		CU_ASSERT_EQUAL(frame_free_count(&t.z), t.nr - n);
		CU_ASSERT_EQUAL(frame_total_count(&t.z), t.nr);
		/* One 1 GiB block untouched, the other split down to k. */
		for (j = 0; j <= FRAME_MAX_ORDER; j++)
			CU_ASSERT_EQUAL(frame_free_blocks(&t.z, j),
					j == FRAME_MAX_ORDER ? 1 : j >= k);

		fi = frame_info(&t.z, mfn);
		CU_ASSERT_EQUAL(fi->flags, FRAME_F_ALLOC_HEAD);
		CU_ASSERT_EQUAL(fi->order, k);
		for (i = 0; i < n; i++) {
			fi = frame_info(&t.z, mfn + i);
			CU_ASSERT_EQUAL_FATAL(fi->owner, owner);
			CU_ASSERT_EQUAL(fi->type, FRAME_TYPE_NONE);
			CU_ASSERT_EQUAL(fi->refcount, 0);
		}
		fi = frame_info(&t.z, mfn + n);
		if (fi)
			CU_ASSERT_EQUAL(fi->owner, FRAME_OWNER_FREE);
		CHECK_ZONE(&t.z);

		CU_ASSERT_EQUAL_FATAL(frame_free(&t.z, mfn, k, owner), 0);
		CU_ASSERT_EQUAL(frame_free_count(&t.z), t.nr);
		for (j = 0; j <= FRAME_MAX_ORDER; j++)
			CU_ASSERT_EQUAL(frame_free_blocks(&t.z, j),
					j == FRAME_MAX_ORDER ? 2 : 0);
		CHECK_ZONE(&t.z);
	}
	tz_fini(&t);
}

/* 128 MiB of single frames freed in random order merge to one block. */
static void test_coalesce_order0_random(void)
{
	uint64_t n = MiB_FRAMES(128), seed = 0x5eed0001, mfn, i;
	uint64_t *got = malloc(n * sizeof(*got));
	struct tzone t;
	unsigned int k;

	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	tz_init_free(&t, 0x100000, n);
	CU_ASSERT_EQUAL(frame_free_blocks(&t.z, 15), 1);

	for (i = 0; i < n; i++) {
		CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 0, 7, &got[i]), 0);
		CU_ASSERT_EQUAL_FATAL(frame_info(&t.z, got[i])->owner, 7);
	}
	CU_ASSERT_EQUAL(frame_alloc(&t.z, 0, 7, &mfn), -VMI_ENOMEM);
	CU_ASSERT_EQUAL(frame_free_count(&t.z), 0);
	CHECK_ZONE(&t.z);

	rng_shuffle_u64(&seed, got, n);
	for (i = 0; i < n; i++) {
		CU_ASSERT_EQUAL_FATAL(frame_free(&t.z, got[i], 0, 7), 0);
		if (i % (n / 8) == n / 8 - 1) {
			CHECK_ZONE(&t.z);
			check_layout(&t);
		}
	}
	for (k = 0; k <= FRAME_MAX_ORDER; k++)
		CU_ASSERT_EQUAL(frame_free_blocks(&t.z, k), k == 15);
	CU_ASSERT_EQUAL(frame_free_count(&t.z), n);
	tz_fini(&t);
	free(got);
}

/* Fill the zone with random orders, free in random order: one block. */
static void test_coalesce_mixed_random(void)
{
	uint64_t n = MiB_FRAMES(64), seed = 0x5eed0002, nb = 0, i;
	struct blk *b = malloc(n * sizeof(*b));
	uint64_t *perm = malloc(n * sizeof(*perm));
	struct tzone t;
	unsigned int k;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(perm);
	tz_init_free(&t, 0x300000, n);

	while (frame_free_count(&t.z)) {
		unsigned int order = (unsigned int)rng_below(&seed, 8);
		uint16_t owner = (uint16_t)rng_below(&seed, 4);
		uint64_t mfn;
		int rc = frame_alloc(&t.z, order, owner, &mfn);

		if (rc == -VMI_ENOMEM) {
			/* Only right if nothing big enough is free. */
			for (k = order; k <= FRAME_MAX_ORDER; k++)
				CU_ASSERT_EQUAL_FATAL(
					frame_free_blocks(&t.z, k), 0);
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(rc, 0);
		b[nb].mfn = mfn;
		b[nb].order = order;
		b[nb].owner = owner;
		nb++;
	}
	CHECK_ZONE(&t.z);

	for (i = 0; i < nb; i++)
		perm[i] = i;
	rng_shuffle_u64(&seed, perm, nb);
	for (i = 0; i < nb; i++) {
		const struct blk *p = &b[perm[i]];

		CU_ASSERT_EQUAL_FATAL(
			frame_free(&t.z, p->mfn, p->order, p->owner), 0);
		if (i % 1000 == 999) {
			CHECK_ZONE(&t.z);
			check_layout(&t);
		}
	}
	for (k = 0; k <= FRAME_MAX_ORDER; k++)
		CU_ASSERT_EQUAL(frame_free_blocks(&t.z, k), k == 14);
	CHECK_ZONE(&t.z);
	tz_fini(&t);
	free(perm);
	free(b);
}

static void test_fragmentation(void)
{
	uint64_t n = 1024, got[1024], mfn = 0xdead, i;
	struct tzone t;

	tz_init_free(&t, 0x100000, n);
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 0, 3, &got[i]), 0);
	for (i = 0; i < n; i += 2)
		CU_ASSERT_EQUAL_FATAL(frame_free(&t.z, got[i], 0, 3), 0);

	CU_ASSERT_EQUAL(frame_free_count(&t.z), n / 2);
	CU_ASSERT_EQUAL(frame_free_blocks(&t.z, 0), n / 2);
	CU_ASSERT_EQUAL(frame_alloc(&t.z, 1, 3, &mfn), -VMI_ENOMEM);
	CU_ASSERT_EQUAL(mfn, 0xdead);
	CU_ASSERT_EQUAL(frame_free_count(&t.z), n / 2);
	CHECK_ZONE(&t.z);

	/* Single frames are still there, and each is an even one. */
	CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 0, 3, &mfn), 0);
	CU_ASSERT_EQUAL(mfn % 2, 0);
	CU_ASSERT_EQUAL_FATAL(frame_free(&t.z, mfn, 0, 3), 0);

	for (i = 1; i < n; i += 2)
		CU_ASSERT_EQUAL_FATAL(frame_free(&t.z, got[i], 0, 3), 0);
	CU_ASSERT_EQUAL(frame_free_blocks(&t.z, 10), 1);
	CU_ASSERT_EQUAL(frame_free_blocks(&t.z, 0), 0);
	CHECK_ZONE(&t.z);
	tz_fini(&t);
}

static void test_exhaustion_recovery(void)
{
	uint64_t n = 4096, got[512], mfn, i;
	struct tzone t;
	struct snap s;
	unsigned int k;

	tz_init_free(&t, 0x200000, n);
	for (i = 0; i < n / 8; i++)
		CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 3, 9, &got[i]), 0);
	CU_ASSERT_EQUAL(frame_free_count(&t.z), 0);

	snap_take(&s, &t);
	for (k = 0; k <= FRAME_MAX_ORDER; k++) {
		mfn = 0x1234;
		CU_ASSERT_EQUAL(frame_alloc(&t.z, k, 9, &mfn), -VMI_ENOMEM);
		CU_ASSERT_EQUAL(mfn, 0x1234);
	}
	CU_ASSERT(snap_same(&s, &t));
	snap_drop(&s);
	CHECK_ZONE(&t.z);

	/* One block back: a single frame comes from it, then the rest. */
	CU_ASSERT_EQUAL_FATAL(frame_free(&t.z, got[100], 3, 9), 0);
	CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 0, 9, &mfn), 0);
	CU_ASSERT_EQUAL(mfn, got[100]);
	CU_ASSERT_EQUAL(frame_free_count(&t.z), 7);
	CU_ASSERT_EQUAL(frame_alloc(&t.z, 3, 9, &mfn), -VMI_ENOMEM);
	CU_ASSERT_EQUAL_FATAL(frame_free(&t.z, got[100], 0, 9), 0);
	CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 3, 9, &mfn), 0);
	CU_ASSERT_EQUAL(mfn, got[100]);

	for (i = 0; i < n / 8; i++)
		CU_ASSERT_EQUAL_FATAL(frame_free(&t.z, got[i], 3, 9), 0);
	CU_ASSERT_EQUAL(frame_free_count(&t.z), n);
	CU_ASSERT_EQUAL(frame_free_blocks(&t.z, 12), 1);
	CHECK_ZONE(&t.z);
	tz_fini(&t);
}

/* A firmware-style map: unaligned zone, three usable ranges, holes. */
static void test_holes_unaligned(void)
{
	const uint64_t base = 0x100003, nr = 5000;
	const uint64_t ranges[3][2] = {
		{ 0x100003, 200 }, { 0x100400, 1000 }, { 0x100900, 0 } };
	uint64_t want[FRAME_NR_ORDERS], usable = 0, i, mfn;
	bool *map = calloc(nr, sizeof(*map));
	bool *seen = calloc(nr, sizeof(*seen));
	uint64_t *got = malloc(nr * sizeof(*got));
	struct tzone t;
	unsigned int r;

	CU_ASSERT_FATAL(map && seen && got);
	tz_init(&t, base, nr);
	for (r = 0; r < 3; r++) {
		uint64_t count = ranges[r][1] ? ranges[r][1] :
						base + nr - ranges[r][0];

		CU_ASSERT_EQUAL_FATAL(
			frame_zone_add_free(&t.z, ranges[r][0], count), 0);
		for (i = 0; i < count; i++)
			map[ranges[r][0] - base + i] = true;
		usable += count;
	}
	CU_ASSERT_EQUAL(frame_free_count(&t.z), usable);
	CU_ASSERT_EQUAL(frame_total_count(&t.z), usable);
	oracle_blocks(base, nr, map, want);
	CU_ASSERT_FATAL(orders_match(&t.z, want));
	for (i = 0; i < nr; i++)
		CU_ASSERT_EQUAL_FATAL(t.meta[i].owner == FRAME_OWNER_FREE,
				      map[i]);
	CHECK_ZONE(&t.z);

	/* Every single frame handed out is usable and handed out once. */
	for (i = 0; i < usable; i++) {
		CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 0, 2, &got[i]), 0);
		CU_ASSERT_FATAL(got[i] >= base && got[i] < base + nr);
		CU_ASSERT_FATAL(map[got[i] - base]);
		CU_ASSERT_FATAL(!seen[got[i] - base]);
		seen[got[i] - base] = true;
	}
	CU_ASSERT_EQUAL(frame_alloc(&t.z, 0, 2, &mfn), -VMI_ENOMEM);
	for (i = 0; i < usable; i++)
		CU_ASSERT_EQUAL_FATAL(frame_free(&t.z, got[i], 0, 2), 0);
	CU_ASSERT_FATAL(orders_match(&t.z, want));
	CHECK_ZONE(&t.z);

	tz_fini(&t);
	free(got);
	free(seen);
	free(map);
}

/* Ranges released in pieces, in any order, end up as one block. */
static void test_add_free_merges(void)
{
	uint64_t seed = 0x5eed0003, idx[4096], i;
	struct tzone t;

	tz_init(&t, 0x1000, 0x1000);
	CU_ASSERT_EQUAL(frame_zone_add_free(&t.z, 0x1800, 0x800), 0);
	CU_ASSERT_EQUAL(frame_free_blocks(&t.z, 11), 1);
	CU_ASSERT_EQUAL(frame_zone_add_free(&t.z, 0x1000, 0x800), 0);
	CU_ASSERT_EQUAL(frame_free_blocks(&t.z, 11), 0);
	CU_ASSERT_EQUAL(frame_free_blocks(&t.z, 12), 1);
	CHECK_ZONE(&t.z);
	tz_fini(&t);

	tz_init(&t, 0x1000, 0x1000);
	for (i = 0; i < 0x1000; i++)
		idx[i] = i;
	rng_shuffle_u64(&seed, idx, 0x1000);
	for (i = 0; i < 0x1000; i++) {
		CU_ASSERT_EQUAL_FATAL(
			frame_zone_add_free(&t.z, 0x1000 + idx[i], 1), 0);
		if (i % 512 == 0) {
			CHECK_ZONE(&t.z);
			check_layout(&t);
		}
	}
	CU_ASSERT_EQUAL(frame_free_blocks(&t.z, 12), 1);
	CU_ASSERT_EQUAL(frame_free_count(&t.z), 0x1000);
	CHECK_ZONE(&t.z);
	tz_fini(&t);
}

/*
 * Both ends unaligned: the buddies of the edge blocks straddle the zone
 * boundary and must never be looked at (ASan sees the exact array).
 */
static void test_unaligned_zone_edges(void)
{
	const uint64_t base = 0x1001, nr = 0x1ffe;
	struct blk got[64];
	uint64_t mfn, n = 0, i;
	struct tzone t;
	int k;

	tz_init_free(&t, base, nr);
	check_layout(&t);
	/* 0x1001, 0x1002, ... 0x1800 and 0x2000, 0x2800, ... 0x2ffe */
	for (k = 0; k <= FRAME_MAX_ORDER; k++)
		CU_ASSERT_EQUAL(frame_free_blocks(&t.z, (unsigned int)k),
				k < 12 ? 2 : 0);
	CHECK_ZONE(&t.z);

	/* Drain largest-first; the zone's first and last frames go too. */
	for (k = FRAME_MAX_ORDER; k >= 0; k--)
		while (frame_alloc(&t.z, (unsigned int)k, 1, &mfn) == 0) {
			CU_ASSERT_FATAL(n < 64);
			got[n].mfn = mfn;
			got[n++].order = (unsigned int)k;
		}
	CU_ASSERT_EQUAL(frame_free_count(&t.z), 0);
	CU_ASSERT_EQUAL(frame_info(&t.z, base)->owner, 1);
	CU_ASSERT_EQUAL(frame_info(&t.z, base + nr - 1)->owner, 1);
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL_FATAL(
			frame_free(&t.z, got[i].mfn, got[i].order, 1), 0);
	check_layout(&t);
	CU_ASSERT_EQUAL(frame_free_count(&t.z), nr);
	CHECK_ZONE(&t.z);
	tz_fini(&t);
}

static void test_single_frame_zone(void)
{
	struct tzone t;
	uint64_t mfn;

	tz_init_free(&t, 0xfffff, 1);
	CU_ASSERT_EQUAL(frame_free_blocks(&t.z, 0), 1);
	CU_ASSERT_EQUAL(frame_alloc(&t.z, 1, 0, &mfn), -VMI_ENOMEM);
	CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 0, 0, &mfn), 0);
	CU_ASSERT_EQUAL(mfn, 0xfffff);
	CU_ASSERT_EQUAL(frame_alloc(&t.z, 0, 0, &mfn), -VMI_ENOMEM);
	CU_ASSERT_EQUAL(frame_free(&t.z, 0xfffff, 0, 0), 0);
	CHECK_ZONE(&t.z);
	tz_fini(&t);
}

/* A smaller free block is used before a larger one is split. */
static void test_alloc_prefers_smallest(void)
{
	struct tzone t;
	uint64_t mfn;

	tz_init(&t, 0x4000, 64);
	CU_ASSERT_EQUAL(frame_zone_add_free(&t.z, 0x4020, 32), 0);
	CU_ASSERT_EQUAL(frame_zone_add_free(&t.z, 0x4005, 1), 0);
	CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 0, 4, &mfn), 0);
	CU_ASSERT_EQUAL(mfn, 0x4005);
	CU_ASSERT_EQUAL(frame_free_blocks(&t.z, 5), 1);
	CHECK_ZONE(&t.z);
	tz_fini(&t);
}

static void test_reserve_carve_and_release(void)
{
	struct tzone t;
	uint64_t i, mfn;

	tz_init_free(&t, 0x40000, 0x1000);
	CU_ASSERT_EQUAL(frame_zone_reserve(&t.z, 0x40123, 0x10,
					   FRAME_OWNER_HYPERVISOR),
			0);
	CU_ASSERT_EQUAL(frame_free_count(&t.z), 0x1000 - 0x10);
	CU_ASSERT_EQUAL(frame_total_count(&t.z), 0x1000 - 0x10);
	for (i = 0x40123; i < 0x40133; i++) {
		CU_ASSERT_EQUAL(frame_info(&t.z, i)->owner,
				FRAME_OWNER_HYPERVISOR);
		CU_ASSERT_EQUAL(frame_info(&t.z, i)->flags, FRAME_F_RESERVED);
	}
	CU_ASSERT_EQUAL(frame_info(&t.z, 0x40122)->owner, FRAME_OWNER_FREE);
	CU_ASSERT_EQUAL(frame_info(&t.z, 0x40133)->owner, FRAME_OWNER_FREE);
	CU_ASSERT_EQUAL(frame_free_blocks(&t.z, 12), 0);
	check_layout(&t);
	CHECK_ZONE(&t.z);

	/* Reserved frames are never handed out. */
	while (frame_alloc(&t.z, 0, 1, &mfn) == 0)
		CU_ASSERT_FATAL(mfn < 0x40123 || mfn >= 0x40133);
	CU_ASSERT_EQUAL(frame_free_count(&t.z), 0);
	for (i = 0x40000; i < 0x41000; i++)
		if (i < 0x40123 || i >= 0x40133)
			CU_ASSERT_EQUAL_FATAL(frame_free(&t.z, i, 0, 1), 0);

	/* Retag as firmware, then give everything back: one block again. */
	CU_ASSERT_EQUAL(frame_zone_reserve(&t.z, 0x40120, 0x20,
					   FRAME_OWNER_RESERVED),
			0);
	CU_ASSERT_EQUAL(frame_info(&t.z, 0x40125)->owner,
			FRAME_OWNER_RESERVED);
	CU_ASSERT_EQUAL(frame_total_count(&t.z), 0x1000 - 0x20);
	CHECK_ZONE(&t.z);
	CU_ASSERT_EQUAL(frame_zone_add_free(&t.z, 0x40120, 0x20), 0);
	CU_ASSERT_EQUAL(frame_free_blocks(&t.z, 12), 1);
	CU_ASSERT_EQUAL(frame_total_count(&t.z), 0x1000);
	CHECK_ZONE(&t.z);
	tz_fini(&t);
}

static void test_frame_info_lookup(void)
{
	struct tzone t;
	struct frame_info *fi;

	tz_init(&t, 0x100, 0x80);
	CU_ASSERT_PTR_NULL(frame_info(&t.z, 0xff));
	CU_ASSERT_PTR_NULL(frame_info(&t.z, 0x180));
	CU_ASSERT_PTR_NULL(frame_info(&t.z, UINT64_MAX));
	fi = frame_info(&t.z, 0x100);
	CU_ASSERT_PTR_EQUAL(fi, &t.meta[0]);
	CU_ASSERT_EQUAL(frame_info_mfn(&t.z, fi), 0x100);
	fi = frame_info(&t.z, 0x17f);
	CU_ASSERT_PTR_EQUAL(fi, &t.meta[0x7f]);
	CU_ASSERT_EQUAL(frame_info_mfn(&t.z, fi), 0x17f);
	tz_fini(&t);
}

/* The header promises owners may use next/prev of allocated frames. */
static void test_owner_may_use_links(void)
{
	struct tzone t;
	uint64_t a, b;

	tz_init_free(&t, 0x8000, 256);
	CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 2, 5, &a), 0);
	CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 0, 5, &b), 0);
	frame_info(&t.z, a)->next = 0x12345678;
	frame_info(&t.z, a)->prev = 0;
	frame_info(&t.z, b)->next = 3;
	frame_info(&t.z, a + 1)->prev = 0xabcdef;
	CHECK_ZONE(&t.z);
	CU_ASSERT_EQUAL(frame_free(&t.z, a, 2, 5), 0);
	CU_ASSERT_EQUAL(frame_free(&t.z, b, 0, 5), 0);
	CU_ASSERT_EQUAL(frame_free_blocks(&t.z, 8), 1);
	CHECK_ZONE(&t.z);
	tz_fini(&t);
}

/*
 * A 2 MiB block split into single frames: each can be freed alone, the
 * block reappears when all are back, and bad splits change nothing.
 */
static void test_split_block(void)
{
	struct tzone t;
	struct snap sn;
	uint64_t mfn = 0, i;

	tz_init_free(&t, 0x100000, 1ull << 10);
	CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 9, 7, &mfn), 0);
	snap_take(&sn, &t);
	CU_ASSERT_EQUAL(frame_split(&t.z, mfn + 1, 9, 7), -VMI_EINVAL);
	CU_ASSERT_EQUAL(frame_split(&t.z, mfn, 8, 7), -VMI_EINVAL);
	CU_ASSERT_EQUAL(frame_split(&t.z, mfn, 9, 8), -VMI_EPERM);
	CU_ASSERT_EQUAL(frame_split(&t.z, mfn ^ 512, 9, 7), -VMI_ENOENT);
	CU_ASSERT(snap_same(&sn, &t));
	snap_drop(&sn);
	/* Not split yet: a single frame of it cannot be freed. */
	CU_ASSERT_EQUAL(frame_free(&t.z, mfn + 3, 0, 7), -VMI_EINVAL);
	CU_ASSERT_EQUAL_FATAL(frame_split(&t.z, mfn, 9, 7), 0);
	CHECK_ZONE(&t.z);
	/* Split already: a second split and the old order fail. */
	CU_ASSERT_EQUAL(frame_split(&t.z, mfn, 9, 7), -VMI_EINVAL);
	CU_ASSERT_EQUAL(frame_free(&t.z, mfn, 9, 7), -VMI_EINVAL);
	CU_ASSERT_EQUAL(frame_free(&t.z, mfn + 3, 0, 7), 0);
	CU_ASSERT_EQUAL(frame_free_count(&t.z), 512 + 1);
	CU_ASSERT_EQUAL(frame_free(&t.z, mfn + 3, 0, 7), -VMI_ENOENT);
	CHECK_ZONE(&t.z);
	for (i = 0; i < 512; i++)
		if (i != 3)
			CU_ASSERT_EQUAL(frame_free(&t.z, mfn + i, 0, 7), 0);
	CU_ASSERT_EQUAL(frame_free_count(&t.z), 1024);
	CU_ASSERT_EQUAL(frame_free_blocks(&t.z, 10), 1);
	CHECK_ZONE(&t.z);
	tz_fini(&t);
}

void frame_basic_register(void)
{
	CU_pSuite s = CU_add_suite("frame_basic", NULL, NULL);

	CU_add_test(s, "metadata size", test_meta_size);
	CU_add_test(s, "new zone is all reserved", test_init_all_reserved);
	CU_add_test(s, "round trip of every order",
		    test_round_trip_every_order);
	CU_add_test(s, "order-0 frees in random order coalesce",
		    test_coalesce_order0_random);
	CU_add_test(s, "mixed orders freed in random order coalesce",
		    test_coalesce_mixed_random);
	CU_add_test(s, "fragmentation", test_fragmentation);
	CU_add_test(s, "exhaustion and recovery", test_exhaustion_recovery);
	CU_add_test(s, "holes and unaligned ranges", test_holes_unaligned);
	CU_add_test(s, "add_free pieces merge", test_add_free_merges);
	CU_add_test(s, "unaligned zone edges", test_unaligned_zone_edges);
	CU_add_test(s, "single-frame zone", test_single_frame_zone);
	CU_add_test(s, "smallest free block used first",
		    test_alloc_prefers_smallest);
	CU_add_test(s, "reserve carves and add_free releases",
		    test_reserve_carve_and_release);
	CU_add_test(s, "frame_info lookup", test_frame_info_lookup);
	CU_add_test(s, "owner may use links of allocated frames",
		    test_owner_may_use_links);
	CU_add_test(s, "split a block into single frames", test_split_block);
}
