/*
 * Error paths of the frame allocator.  Every failing call is made between
 * a snapshot and a byte-for-byte comparison of the zone and its metadata:
 * an error must change nothing.
 */
#include <limits.h>
#include <string.h>

#include "frame_test.h"

/* Run @call, expect @want, and prove the zone did not change. */
#define EXPECT_NOCHANGE(t, call, want)                                       \
	do {                                                                 \
		struct snap s_;                                              \
		snap_take(&s_, (t));                                         \
		CU_ASSERT_EQUAL((call), (want));                             \
		CU_ASSERT(snap_same(&s_, (t)));                              \
		snap_drop(&s_);                                              \
		CHECK_ZONE(&(t)->z);                                         \
	} while (0)

#define ZBASE 0x100000ull
#define ZNR 1024ull

static void test_free_double(void)
{
	struct tzone t;
	uint64_t a, b;

	tz_init_free(&t, ZBASE, ZNR);
	CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 2, 1, &a), 0);
	CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 0, 1, &b), 0);
	CU_ASSERT_EQUAL_FATAL(frame_free(&t.z, a, 2, 1), 0);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a, 2, 1), -VMI_ENOENT);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a, 0, 1), -VMI_ENOENT);
	/* Never allocated: the tail of the big free block. */
	EXPECT_NOCHANGE(&t, frame_free(&t.z, ZBASE + ZNR - 1, 0, 1),
			-VMI_ENOENT);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, ZBASE + 512, 9, 1), -VMI_ENOENT);
	CU_ASSERT_EQUAL(frame_free(&t.z, b, 0, 1), 0);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, b, 0, 1), -VMI_ENOENT);
	CU_ASSERT_EQUAL(frame_free_count(&t.z), ZNR);
	tz_fini(&t);
}

static void test_free_wrong_owner(void)
{
	struct tzone t;
	uint64_t a, h;

	tz_init_free(&t, ZBASE, ZNR);
	CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 3, 4, &a), 0);
	CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 1, FRAME_OWNER_HYPERVISOR,
					  &h), 0);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a, 3, 5), -VMI_EPERM);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a, 3, FRAME_OWNER_HYPERVISOR),
			-VMI_EPERM);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, h, 1, 4), -VMI_EPERM);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a, 3, FRAME_OWNER_FREE),
			-VMI_EPERM);

	/* One frame of the block has been transferred to domain 6. */
	frame_info(&t.z, a + 5)->owner = 6;
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a, 3, 4), -VMI_EPERM);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a, 3, 6), -VMI_EPERM);
	frame_info(&t.z, a + 5)->owner = 4;

	CU_ASSERT_EQUAL(frame_free(&t.z, a, 3, 4), 0);
	CU_ASSERT_EQUAL(frame_free(&t.z, h, 1, FRAME_OWNER_HYPERVISOR), 0);
	CU_ASSERT_EQUAL(frame_free_blocks(&t.z, 10), 1);
	CHECK_ZONE(&t.z);
	tz_fini(&t);
}

static void test_free_wrong_order(void)
{
	struct tzone t;
	uint64_t a;

	tz_init_free(&t, ZBASE, ZNR);
	CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 2, 1, &a), 0);
	/* The lower half is kept when splitting, so a is 1024-aligned. */
	CU_ASSERT_EQUAL_FATAL(a, ZBASE);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a, 0, 1), -VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a, 1, 1), -VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a, 3, 1), -VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a, 10, 1), -VMI_EINVAL);
	/* Tail frames are not blocks of their own. */
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a + 1, 0, 1), -VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a + 2, 1, 1), -VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a + 3, 0, 1), -VMI_EINVAL);
	CU_ASSERT_EQUAL(frame_free(&t.z, a, 2, 1), 0);
	CHECK_ZONE(&t.z);
	tz_fini(&t);
}

static void test_free_misaligned(void)
{
	struct tzone t;
	uint64_t a;

	tz_init_free(&t, ZBASE, ZNR);
	CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 4, 1, &a), 0);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a + 1, 4, 1), -VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a + 8, 4, 1), -VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a + 2, 2, 1), -VMI_EINVAL);
	CU_ASSERT_EQUAL(frame_free(&t.z, a, 4, 1), 0);
	tz_fini(&t);
}

static void test_free_out_of_zone(void)
{
	struct tzone t;
	uint64_t a;

	tz_init_free(&t, ZBASE, ZNR);
	CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 0, 1, &a), 0);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, ZBASE - 1, 0, 1), -VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, ZBASE + ZNR, 0, 1), -VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, 0, 0, 1), -VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, UINT64_MAX, 0, 1), -VMI_EINVAL);
	/* Aligned, starts inside, ends past the zone. */
	EXPECT_NOCHANGE(&t, frame_free(&t.z, ZBASE, 11, 1), -VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, ZBASE, FRAME_MAX_ORDER, 1),
			-VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, ZBASE, FRAME_MAX_ORDER + 1, 1),
			-VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a, FRAME_MAX_ORDER + 1, 1),
			-VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a, UINT_MAX, 1), -VMI_EINVAL);
	CU_ASSERT_EQUAL(frame_free(&t.z, a, 0, 1), 0);
	tz_fini(&t);
}

static void test_free_reserved(void)
{
	struct tzone t;

	tz_init(&t, ZBASE, ZNR);
	CU_ASSERT_EQUAL_FATAL(frame_zone_add_free(&t.z, ZBASE, 512), 0);
	CU_ASSERT_EQUAL_FATAL(frame_zone_reserve(&t.z, ZBASE + 16, 16,
						 FRAME_OWNER_HYPERVISOR), 0);
	/* A hole that was never released. */
	EXPECT_NOCHANGE(&t, frame_free(&t.z, ZBASE + 512, 0, 1), -VMI_EPERM);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, ZBASE + 512, 9,
				       FRAME_OWNER_RESERVED), -VMI_EPERM);
	/* Taken back by the hypervisor: not freeable, not even by it. */
	EXPECT_NOCHANGE(&t, frame_free(&t.z, ZBASE + 16, 4,
				       FRAME_OWNER_HYPERVISOR), -VMI_EPERM);
	EXPECT_NOCHANGE(&t, frame_free(&t.z, ZBASE + 20, 0,
				       FRAME_OWNER_HYPERVISOR), -VMI_EPERM);
	tz_fini(&t);
}

static void test_free_busy(void)
{
	struct tzone t;
	uint64_t a;

	tz_init_free(&t, ZBASE, ZNR);
	CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 1, 2, &a), 0);

	frame_info(&t.z, a + 1)->refcount = 1;
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a, 1, 2), -VMI_EBUSY);
	/* A foreign domain is told EPERM, not that the block is busy. */
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a, 1, 3), -VMI_EPERM);
	frame_info(&t.z, a + 1)->refcount = 0;

	frame_info(&t.z, a)->type = FRAME_TYPE_L1;
	frame_info(&t.z, a)->type_count = 1;
	EXPECT_NOCHANGE(&t, frame_free(&t.z, a, 1, 2), -VMI_EBUSY);
	frame_info(&t.z, a)->type_count = 0;

	/* A stale type without references does not block; it is reset. */
	CU_ASSERT_EQUAL(frame_free(&t.z, a, 1, 2), 0);
	CU_ASSERT_EQUAL(frame_info(&t.z, a)->type, FRAME_TYPE_NONE);
	CU_ASSERT_EQUAL(frame_free_blocks(&t.z, 10), 1);
	CHECK_ZONE(&t.z);
	tz_fini(&t);
}

static void test_alloc_errors(void)
{
	struct tzone t;
	uint64_t mfn = 0x77;

	tz_init_free(&t, ZBASE, ZNR);
	EXPECT_NOCHANGE(&t, frame_alloc(&t.z, FRAME_MAX_ORDER + 1, 1, &mfn),
			-VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_alloc(&t.z, UINT_MAX, 1, &mfn), -VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_alloc(&t.z, 0, FRAME_OWNER_FREE, &mfn),
			-VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_alloc(&t.z, 0, FRAME_OWNER_RESERVED, &mfn),
			-VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_alloc(&t.z, 0, FRAME_DOMID_MAX + 1, &mfn),
			-VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_alloc(&t.z, 0, 1, NULL), -VMI_EINVAL);
	/* Larger than anything free. */
	EXPECT_NOCHANGE(&t, frame_alloc(&t.z, 11, 1, &mfn), -VMI_ENOMEM);
	CU_ASSERT_EQUAL(mfn, 0x77);
	CU_ASSERT_EQUAL(frame_alloc(&t.z, 0, FRAME_DOMID_MAX, &mfn), 0);
	CU_ASSERT_EQUAL(frame_free(&t.z, mfn, 0, FRAME_DOMID_MAX), 0);
	tz_fini(&t);
}

static void test_init_errors(void)
{
	struct frame_zone z, ref;
	struct frame_info meta[4];

	memset(&z, 0xa5, sizeof(z));
	memset(&ref, 0xa5, sizeof(ref));
	CU_ASSERT_EQUAL(frame_zone_init(NULL, meta, 0, 4), -VMI_EINVAL);
	CU_ASSERT_EQUAL(frame_zone_init(&z, NULL, 0, 4), -VMI_EINVAL);
	CU_ASSERT_EQUAL(frame_zone_init(&z, meta, 0, 0), -VMI_EINVAL);
	CU_ASSERT_EQUAL(frame_zone_init(&z, meta, 0, 1ull << 32),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(frame_zone_init(&z, meta, FRAME_MFN_LIMIT, 1),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(frame_zone_init(&z, meta, FRAME_MFN_LIMIT - 2, 4),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(frame_zone_init(&z, meta, UINT64_MAX - 1, 4),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(memcmp(&z, &ref, sizeof(z)), 0);
	/* The highest possible frames are fine. */
	CU_ASSERT_EQUAL(frame_zone_init(&z, meta, FRAME_MFN_LIMIT - 4, 4), 0);
	CU_ASSERT_EQUAL(frame_zone_add_free(&z, FRAME_MFN_LIMIT - 4, 4), 0);
	CU_ASSERT_EQUAL(frame_free_blocks(&z, 2), 1);
	CHECK_ZONE(&z);
}

static void test_add_free_errors(void)
{
	struct tzone t;
	uint64_t a;

	tz_init(&t, ZBASE, ZNR);
	CU_ASSERT_EQUAL_FATAL(frame_zone_add_free(&t.z, ZBASE + 100, 100), 0);
	CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 0, 1, &a), 0);
	EXPECT_NOCHANGE(&t, frame_zone_add_free(&t.z, ZBASE, 0), -VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_zone_add_free(&t.z, ZBASE - 1, 2),
			-VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_zone_add_free(&t.z, ZBASE + ZNR - 1, 2),
			-VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_zone_add_free(&t.z, ZBASE, UINT64_MAX),
			-VMI_EINVAL);
	/* Overlaps the tail of the free range. */
	EXPECT_NOCHANGE(&t, frame_zone_add_free(&t.z, ZBASE + 150, 100),
			-VMI_EEXIST);
	EXPECT_NOCHANGE(&t, frame_zone_add_free(&t.z, a, 1), -VMI_EBUSY);
	frame_info(&t.z, ZBASE + 500)->refcount = 1;
	EXPECT_NOCHANGE(&t, frame_zone_add_free(&t.z, ZBASE + 400, 200),
			-VMI_EBUSY);
	frame_info(&t.z, ZBASE + 500)->refcount = 0;
	CU_ASSERT_EQUAL(frame_zone_add_free(&t.z, ZBASE + 400, 200), 0);
	CHECK_ZONE(&t.z);
	tz_fini(&t);
}

static void test_reserve_errors(void)
{
	struct tzone t;
	uint64_t a;

	tz_init_free(&t, ZBASE, ZNR);
	CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 0, 1, &a), 0);
	EXPECT_NOCHANGE(&t, frame_zone_reserve(&t.z, ZBASE + 8, 0,
					       FRAME_OWNER_HYPERVISOR),
			-VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_zone_reserve(&t.z, ZBASE + ZNR, 1,
					       FRAME_OWNER_HYPERVISOR),
			-VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_zone_reserve(&t.z, ZBASE + 8, 1, 3),
			-VMI_EINVAL);
	EXPECT_NOCHANGE(&t, frame_zone_reserve(&t.z, ZBASE + 8, 1,
					       FRAME_OWNER_FREE),
			-VMI_EINVAL);
	/* Range includes the allocated frame. */
	EXPECT_NOCHANGE(&t, frame_zone_reserve(&t.z, a, 16,
					       FRAME_OWNER_HYPERVISOR),
			-VMI_EBUSY);
	tz_fini(&t);
}

/* The checker has to be able to fail, or the other tests prove nothing. */
static void expect_corrupt(struct tzone *t, const char *what)
{
	const char *why = NULL;

	CU_ASSERT_EQUAL(frame_zone_check(&t->z, &why), -VMI_EINVAL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(why);
	if (!strstr(why, what))
		fprintf(stderr, "\n  checker said \"%s\", expected \"%s\"\n",
			why, what);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, what));
}

static void test_check_detects_corruption(void)
{
	struct tzone t;
	struct snap s;
	uint64_t a;
	uint32_t i0;

	tz_init_free(&t, 0x1000, 16);
	CU_ASSERT_EQUAL_FATAL(frame_alloc(&t.z, 1, 1, &a), 0);
	CU_ASSERT_EQUAL_FATAL(a, 0x1000);
	CHECK_ZONE(&t.z);
	snap_take(&s, &t);

	t.z.nr_free++;
	expect_corrupt(&t, "free frame count");
	t.z = s.z;

	t.z.free_blocks[3]++;
	expect_corrupt(&t, "per-order");
	t.z = s.z;

	t.meta[15].owner = 2; /* tail of the free order-3 block at 0x1008 */
	expect_corrupt(&t, "has an owner");
	t.meta[15].owner = FRAME_OWNER_FREE;

	t.meta[9].refcount = 1;
	expect_corrupt(&t, "references");
	t.meta[9].refcount = 0;

	t.meta[1].owner = FRAME_OWNER_FREE; /* allocated frame marked free */
	expect_corrupt(&t, "bad owner");
	t.meta[1].owner = 1;

	t.meta[8].next = 8; /* list loops back on itself */
	expect_corrupt(&t, "prev link");
	t.meta[8].next = FRAME_IDX_NONE;

	t.meta[12].flags = FRAME_F_FREE_HEAD; /* head inside a free block */
	t.meta[12].order = 2;
	expect_corrupt(&t, "overlaps");
	t.meta[12].flags = 0;
	t.meta[12].order = 0;
	CU_ASSERT(snap_same(&s, &t));
	CHECK_ZONE(&t.z);

	/*
	 * Forge the allocated pair at 0x1000 into two free order-0 buddies
	 * with every counter adjusted: only the buddy invariant is broken.
	 */
	i0 = 0;
	t.meta[i0].flags = FRAME_F_FREE_HEAD;
	t.meta[i0].order = 0;
	t.meta[i0].owner = FRAME_OWNER_FREE;
	t.meta[i0].prev = FRAME_IDX_NONE;
	t.meta[i0].next = i0 + 1;
	t.meta[i0 + 1].flags = FRAME_F_FREE_HEAD;
	t.meta[i0 + 1].order = 0;
	t.meta[i0 + 1].owner = FRAME_OWNER_FREE;
	t.meta[i0 + 1].prev = i0;
	t.meta[i0 + 1].next = FRAME_IDX_NONE;
	CU_ASSERT_EQUAL_FATAL(t.z.free_head[0], FRAME_IDX_NONE);
	t.z.free_head[0] = i0;
	t.z.free_blocks[0] = 2;
	t.z.nr_free += 2;
	expect_corrupt(&t, "buddies");

	snap_drop(&s);
	tz_fini(&t);
}

void frame_errors_register(void)
{
	CU_pSuite s = CU_add_suite("frame_errors", NULL, NULL);

	CU_add_test(s, "double free -> ENOENT", test_free_double);
	CU_add_test(s, "wrong owner -> EPERM", test_free_wrong_owner);
	CU_add_test(s, "wrong order -> EINVAL", test_free_wrong_order);
	CU_add_test(s, "misaligned -> EINVAL", test_free_misaligned);
	CU_add_test(s, "outside the zone -> EINVAL", test_free_out_of_zone);
	CU_add_test(s, "reserved frame -> EPERM", test_free_reserved);
	CU_add_test(s, "non-zero refcount -> EBUSY", test_free_busy);
	CU_add_test(s, "alloc errors", test_alloc_errors);
	CU_add_test(s, "zone init errors", test_init_errors);
	CU_add_test(s, "add_free errors", test_add_free_errors);
	CU_add_test(s, "reserve errors", test_reserve_errors);
	CU_add_test(s, "checker detects corruption",
		    test_check_detects_corruption);
}
