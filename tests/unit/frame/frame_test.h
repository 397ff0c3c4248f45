/*
 * Shared helpers for the frame allocator suites: a zone with malloc'ed
 * metadata, snapshots to prove that failed calls change nothing, an
 * independent oracle for the buddy layout, and a fixed-seed PRNG.
 */
#ifndef TESTS_UNIT_FRAME_TEST_H
#define TESTS_UNIT_FRAME_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <CUnit/CUnit.h>
#include <mm/frame.h>
#include <vmi/errno.h>

struct tzone {
	struct frame_zone z;
	struct frame_info *meta;
	uint64_t base, nr;
};

/* A zone spanning [base, base + nr) with every frame still reserved. */
void tz_init(struct tzone *t, uint64_t base, uint64_t nr);
/* The same, with the whole span released to the allocator. */
void tz_init_free(struct tzone *t, uint64_t base, uint64_t nr);
void tz_fini(struct tzone *t);

/* A byte-exact copy of a zone and its metadata. */
struct snap {
	struct frame_zone z;
	struct frame_info *meta;
	uint64_t nr;
};
void snap_take(struct snap *s, const struct tzone *t);
bool snap_same(const struct snap *s, const struct tzone *t);
void snap_drop(struct snap *s);

/*
 * Expected number of free blocks of each order, computed from a per-frame
 * "is free" array without looking at the allocator: block (m, k) is free
 * exactly when all its frames are free, it lies inside the zone, and its
 * parent (m rounded down to k + 1) is not wholly free and inside the zone
 * (or k is FRAME_MAX_ORDER).  That layout is unique, so it is what the
 * buddy invariant must produce.
 */
void oracle_blocks(uint64_t base, uint64_t nr, const bool *free_map,
		   uint64_t out[FRAME_NR_ORDERS]);

/* Compare the zone's per-order counts with @want; report the first miss. */
bool orders_match(const struct frame_zone *z,
		  const uint64_t want[FRAME_NR_ORDERS]);

/* Fill free_map from the allocator's metadata (owner == FREE). */
void free_map_from_zone(const struct tzone *t, bool *free_map);

/* xorshift64*: deterministic across libcs, unlike rand(). */
uint64_t rng_next(uint64_t *state);
uint64_t rng_below(uint64_t *state, uint64_t n);
void rng_shuffle_u64(uint64_t *state, uint64_t *a, size_t n);

/* frame_zone_check() must pass; print the reason before failing. */
#define CHECK_ZONE(zp)                                                       \
	do {                                                                 \
		const char *why_ = NULL;                                     \
		int rc_ = frame_zone_check((zp), &why_);                     \
		if (rc_)                                                     \
			fprintf(stderr, "\n  frame_zone_check: %s\n", why_); \
		CU_ASSERT_EQUAL_FATAL(rc_, 0);                               \
	} while (0)

/* Suites, one per file. */
void frame_basic_register(void);
void frame_errors_register(void);
void frame_stress_register(void);

#endif
