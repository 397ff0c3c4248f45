/*
 * Test scaffolding for the nested page-table builder: a fake machine
 * memory that backs struct nested_mem_ops, and a page-table walker written
 * from the manuals, independent of mm/nested*.c, that decodes raw entries.
 */
#ifndef TESTS_NESTED_FAKE_H
#define TESTS_NESTED_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mm/nested.h>
#include <mm/p2m.h>

/* Fake machine frames start here, so that mfn 0 is never a table. */
#define FAKE_MFN0 0x800u

/**
 * struct fake_mem - machine memory for table pages.
 * @nr_allocs:  allocation attempts so far (failed ones included).
 * @fail_at:    index of the attempt to fail with -VMI_ENOMEM, -1 for none.
 * @live:       pages currently allocated.
 * @errors:     map/free of a page that is not allocated.
 */
struct fake_mem {
	size_t npages;
	uint8_t *mem;
	bool *in_use;
	size_t cursor;
	long nr_allocs;
	long fail_at;
	size_t live;
	unsigned int errors;
};

extern const struct nested_mem_ops fake_ops;

void fake_init(struct fake_mem *m, size_t npages);
void fake_fini(struct fake_mem *m);

/* Formats the walker knows. */
#define TW_NPT 0
#define TW_EPT 1

/**
 * struct tw_entry - what the walker found for one guest frame.
 * @kind:  NESTED_HOLE, NESTED_MAPPED or NESTED_MMIO.
 * @level: level of the deciding entry.
 * @mfn:   machine frame (mapped).
 * @perms: P2M_R/W/X (mapped).
 * @uc:    the leaf is uncacheable (otherwise write-back).
 */
struct tw_entry {
	unsigned int kind, level;
	uint64_t mfn;
	unsigned int perms;
	bool uc;
};

/**
 * struct tw - the independent walker.
 * @leaves, @mmio: present leaves and MMIO markers per level (1..3), as
 *                 counted by tw_scan().
 * @tables:        table pages reachable from the root.
 * @errors:        malformed entries, shared or dead table pages, tables
 *                 that could have been a single entry.
 */
struct tw {
	struct fake_mem *m;
	int fmt;
	bool allow_1g;
	uint64_t root;
	uint64_t leaves[NESTED_LEVELS + 1];
	uint64_t mmio[NESTED_LEVELS + 1];
	uint64_t tables;
	uint64_t mapped_frames, mmio_frames;
	unsigned int errors;
};

void tw_init(struct tw *w, struct fake_mem *m, const struct nested_pt *pt,
	     int fmt);
void tw_lookup(struct tw *w, uint64_t gfn, struct tw_entry *e);
/* Walk the whole tree: counts, structure and canonical form. */
void tw_scan(struct tw *w);

/* Does @e agree with what @p says about @gfn? */
bool tw_matches(const struct tw_entry *e, const struct p2m *p, uint64_t gfn);

/*
 * Number of frames in [lo, hi) whose translation matches neither @a nor @b
 * (pass @b = @a to check one map).  Prints the first few to stderr.
 */
uint64_t tw_mismatches(struct tw *w, const struct p2m *a, const struct p2m *b,
		       uint64_t lo, uint64_t hi);

/*
 * From @p alone: the leaves, markers and tables a canonical nested table
 * holds (counted as in struct tw).
 */
void tw_expect(const struct p2m *p, bool allow_1g, uint64_t *leaves,
	       uint64_t *mmio, uint64_t *tables);

#endif
