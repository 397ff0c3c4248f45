/*
 * CUnit runner and shared helpers for the machine-frame allocator
 * (mm/frame.c).
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "frame_test.h"

void tz_init(struct tzone *t, uint64_t base, uint64_t nr)
{
	t->base = base;
	t->nr = nr;
	t->meta = malloc(frame_meta_bytes(nr));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->meta);
	CU_ASSERT_EQUAL_FATAL(frame_zone_init(&t->z, t->meta, base, nr), 0);
}

void tz_init_free(struct tzone *t, uint64_t base, uint64_t nr)
{
	tz_init(t, base, nr);
	CU_ASSERT_EQUAL_FATAL(frame_zone_add_free(&t->z, base, nr), 0);
	CU_ASSERT_EQUAL_FATAL(frame_free_count(&t->z), nr);
	CU_ASSERT_EQUAL_FATAL(frame_total_count(&t->z), nr);
}

void tz_fini(struct tzone *t)
{
	free(t->meta);
	t->meta = NULL;
}

void snap_take(struct snap *s, const struct tzone *t)
{
	s->z = t->z;
	s->nr = t->nr;
	s->meta = malloc(frame_meta_bytes(t->nr));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s->meta);
	memcpy(s->meta, t->meta, frame_meta_bytes(t->nr));
}

/* Field by field: struct frame_zone has padding, frame_info has none. */
bool snap_same(const struct snap *s, const struct tzone *t)
{
	const struct frame_zone *a = &s->z, *b = &t->z;
	unsigned int k;

	if (a->meta != b->meta || a->base_mfn != b->base_mfn ||
	    a->nr_frames != b->nr_frames || a->nr_free != b->nr_free ||
	    a->nr_managed != b->nr_managed)
		return false;
	for (k = 0; k <= FRAME_MAX_ORDER; k++)
		if (a->free_head[k] != b->free_head[k] ||
		    a->free_blocks[k] != b->free_blocks[k])
			return false;
	return memcmp(s->meta, t->meta, frame_meta_bytes(s->nr)) == 0;
}

void snap_drop(struct snap *s)
{
	free(s->meta);
	s->meta = NULL;
}

void oracle_blocks(uint64_t base, uint64_t nr, const bool *free_map,
		   uint64_t out[FRAME_NR_ORDERS])
{
	uint64_t *pre = malloc((nr + 1) * sizeof(*pre));
	uint64_t end = base + nr, i;
	unsigned int k;

	CU_ASSERT_PTR_NOT_NULL_FATAL(pre);
	pre[0] = 0;
	for (i = 0; i < nr; i++)
		pre[i + 1] = pre[i] + (free_map[i] ? 1 : 0);

	for (k = 0; k <= FRAME_MAX_ORDER; k++) {
		uint64_t size = 1ull << k, m;

		out[k] = 0;
		for (m = (base + size - 1) & ~(size - 1); m + size <= end;
		     m += size) {
			uint64_t p = m & ~(2 * size - 1), ps = 2 * size;
			bool whole, pwhole = false;

			whole = pre[m + size - base] - pre[m - base] == size;
			if (!whole)
				continue;
			if (k < FRAME_MAX_ORDER && p >= base && p + ps <= end)
				pwhole = pre[p + ps - base] - pre[p - base] ==
					 ps;
			if (!pwhole)
				out[k]++;
		}
	}
	free(pre);
}

bool orders_match(const struct frame_zone *z,
		  const uint64_t want[FRAME_NR_ORDERS])
{
	unsigned int k;

	for (k = 0; k <= FRAME_MAX_ORDER; k++) {
		if (frame_free_blocks(z, k) != want[k]) {
			fprintf(stderr,
				"\n  order %u: %llu free blocks, want %llu\n",
				k, (unsigned long long)frame_free_blocks(z, k),
				(unsigned long long)want[k]);
			return false;
		}
	}
	return true;
}

void free_map_from_zone(const struct tzone *t, bool *free_map)
{
	uint64_t i;

	for (i = 0; i < t->nr; i++)
		free_map[i] = t->meta[i].owner == FRAME_OWNER_FREE;
}

uint64_t rng_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

uint64_t rng_below(uint64_t *state, uint64_t n)
{
	return rng_next(state) % n;
}

void rng_shuffle_u64(uint64_t *state, uint64_t *a, size_t n)
{
	size_t i;

	for (i = n; i > 1; i--) {
		size_t j = rng_below(state, i);
		uint64_t tmp = a[i - 1];

		a[i - 1] = a[j];
		a[j] = tmp;
	}
}

void unit_register(void)
{
	frame_basic_register();
	frame_errors_register();
	frame_stress_register();
}

UNIT_MAIN
