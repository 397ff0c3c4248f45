/*
 * mm/nested.c - the nested page-table builder, written once for NPT and EPT.
 *
 * Every change to the tables is one operation on a guest-frame interval:
 * "set" (map as RAM/ROM, mark as MMIO, or make a hole) or "protect"
 * (change the permissions of what is mapped).  apply() walks the entries
 * of one table that the interval touches:
 *
 *  - an entry wholly inside the interval that can take its final value at
 *    this level (a leaf, an MMIO marker, empty) gets it, and any table it
 *    referenced is freed;
 *  - otherwise the operation descends: into the table the entry references,
 *    or into a new table that first reproduces the entry (splitting a large
 *    leaf into 512 smaller ones) and is linked only once it is finished, so
 *    the CPU sees the old entry or the new table, never a half-filled one;
 *  - on the way back up, a table whose 512 entries have become uniform is
 *    replaced by one entry (a large leaf, a marker, or empty) and freed.
 *
 * This keeps the tables canonical: they depend on what is mapped, not on
 * the history of calls.  An allocation failure stops the walk where it is;
 * everything written so far is complete and every table reached is linked
 * or freed, so a guest frame is either as before or as asked.
 *
 * Levels: 4 = PML4, 3 = PDPT, 2 = PD, 1 = PT.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <mm/nested.h>
#include <mm/p2m.h>
#include <vmi/errno.h>

#include "nested-private.h"

#define ENTRIES 512u
#define TABLE_SIZE 4096u

_Static_assert(NESTED_GFN_LIMIT == P2M_GFN_LIMIT,
	       "the P2M and nested tables must cover the same guest frames");

/* Classes of entry, as the builder sees them. */
enum { E_EMPTY, E_MMIO, E_LEAF, E_TABLE, E_BAD };

/**
 * struct nested_op - one change to apply to the tables.
 * @gfn, @end: the interval [@gfn, @end) of guest frames.
 * @protect:   false: "set" every frame to @kind; true: change permissions.
 * @kind:      NESTED_HOLE, NESTED_MMIO or NESTED_MAPPED (set).
 * @mfn:       machine frame of @gfn (NESTED_MAPPED).
 * @perms:     permissions (NESTED_MAPPED).
 * @mt:        memory type (NESTED_MAPPED).
 * @clear:     permissions to remove (protect).
 * @set:       permissions to add (protect).
 */
struct nested_op {
	uint64_t gfn, end;
	bool protect;
	unsigned int kind;
	uint64_t mfn;
	unsigned int perms, mt;
	unsigned int clear, set;
};

/* Guest frames covered by one entry of a table at @level. */
static uint64_t span(unsigned int level)
{
	return (uint64_t)1 << (9 * (level - 1));
}

static bool leaf_ok(const struct nested_pt *pt, unsigned int level)
{
	return level <= NESTED_LEVEL_2M ||
	       (level == NESTED_LEVEL_1G && (pt->flags & NESTED_F_1G));
}

static uint64_t *map_table(const struct nested_pt *pt, uint64_t mfn)
{
	return pt->ops->map(pt->ctx, mfn);
}

/*
 * The CPU may walk the tables and set accessed/dirty flags at any time:
 * read and write entries in one access each, in program order.
 */
static uint64_t read_entry(const uint64_t *slot)
{
	return *(const volatile uint64_t *)slot;
}

static void write_entry(struct nested_pt *pt, uint64_t *slot, uint64_t val)
{
	uint64_t old = read_entry(slot);

	if (old == val)
		return;
	if (old & pt->fmt->present)
		pt->need_flush = true;
	/* Whatever a new table holds must be in memory before it is linked. */
	__asm__ __volatile__("" ::: "memory");
	*(volatile uint64_t *)slot = val;
}

static int classify(const struct nested_fmt *f, uint64_t pte,
		    unsigned int level)
{
	if (!(pte & f->present)) {
		if (pte == 0)
			return E_EMPTY;
		return pte == NESTED_MMIO_MARK ? E_MMIO : E_BAD;
	}
	if (level == NESTED_LEVEL_4K || (pte & NESTED_LARGE))
		return level == NESTED_LEVELS ? E_BAD : E_LEAF;
	return E_TABLE;
}

/* The table an E_TABLE entry references. */
static uint64_t table_mfn(uint64_t pte)
{
	return (pte & NESTED_ADDR_MASK) >> 12;
}

/* The first frame an E_LEAF entry at @level maps (NPT: skip PAT, bit 12). */
static uint64_t entry_mfn(uint64_t pte, unsigned int level)
{
	return table_mfn(pte) & ~(span(level) - 1);
}

static uint64_t ad_bits(const struct nested_fmt *f)
{
	return f->accessed | f->dirty;
}

/* The leaf @pte at @level with permissions @perms, flags kept. */
static uint64_t reperm(const struct nested_fmt *f, uint64_t pte,
		       unsigned int level, unsigned int perms)
{
	return f->leaf(entry_mfn(pte, level), perms, f->memtype(pte, level),
		       level) |
	       (pte & ad_bits(f));
}

static int alloc_table(struct nested_pt *pt, uint64_t *mfn, uint64_t **t)
{
	int rc = pt->ops->alloc_table(pt->ctx, mfn);

	if (rc)
		return rc < 0 ? rc : -VMI_ENOMEM;
	*t = *mfn < P2M_MFN_LIMIT ? map_table(pt, *mfn) : NULL;
	if (!*t) {
		pt->ops->free_table(pt->ctx, *mfn);
		return -VMI_ENOMEM;
	}
	memset(*t, 0, TABLE_SIZE);
	pt->nr_tables++;
	return 0;
}

static void free_table(struct nested_pt *pt, uint64_t mfn)
{
	pt->ops->free_table(pt->ctx, mfn);
	pt->nr_tables--;
}

/* Free the table @mfn at @level and every table below it. */
static void free_tree(struct nested_pt *pt, uint64_t mfn, unsigned int level)
{
	const uint64_t *t = map_table(pt, mfn);
	unsigned int i;

	for (i = 0; level > NESTED_LEVEL_4K && i < ENTRIES; i++) {
		uint64_t pte = read_entry(&t[i]);

		if (classify(pt->fmt, pte, level) == E_TABLE)
			free_tree(pt, table_mfn(pte), level - 1);
	}
	free_table(pt, mfn);
}

/* Give the entry at @slot (@level) the value @val, freeing what it held. */
static void replace(struct nested_pt *pt, uint64_t *slot, unsigned int level,
		    uint64_t val)
{
	uint64_t old = read_entry(slot);

	if (old == val)
		return;
	write_entry(pt, slot, val);
	if (classify(pt->fmt, old, level) == E_TABLE)
		free_tree(pt, table_mfn(old), level - 1);
}

/*
 * Can the table @t at @level be replaced by a single entry one level up?
 * If so, store that entry in *@val.  Accessed/dirty flags of the leaves
 * are or-ed together: coarser, but never loses a dirty page.
 */
static bool uniform(const struct nested_pt *pt, const uint64_t *t,
		    unsigned int level, uint64_t *val)
{
	const struct nested_fmt *f = pt->fmt;
	uint64_t e0 = read_entry(&t[0]), ad = 0, m0, s = span(level);
	unsigned int i, perms, mt;

	switch (classify(f, e0, level)) {
	case E_EMPTY:
	case E_MMIO:
		if (e0 && !leaf_ok(pt, level + 1))
			return false;
		for (i = 1; i < ENTRIES; i++)
			if (read_entry(&t[i]) != e0)
				return false;
		*val = e0;
		return true;
	case E_LEAF:
		if (!leaf_ok(pt, level + 1))
			return false;
		m0 = entry_mfn(e0, level);
		if (m0 & (span(level + 1) - 1))
			return false;
		perms = f->perms(e0);
		mt = f->memtype(e0, level);
		for (i = 0; i < ENTRIES; i++) {
			uint64_t e = read_entry(&t[i]);

			if ((e & ~ad_bits(f)) != f->leaf(m0 + i * s, perms, mt,
							  level))
				return false;
			ad |= e & ad_bits(f);
		}
		*val = f->leaf(m0, perms, mt, level + 1) | ad;
		return true;
	default:
		return false;
	}
}

/* Fill the fresh table @t at @level - 1 with the equivalent of @pte. */
static void split(const struct nested_pt *pt, uint64_t *t, uint64_t pte,
		  unsigned int level)
{
	const struct nested_fmt *f = pt->fmt;
	uint64_t m0, s = span(level - 1);
	unsigned int i, perms, mt;

	switch (classify(f, pte, level)) {
	case E_MMIO:
		for (i = 0; i < ENTRIES; i++)
			t[i] = NESTED_MMIO_MARK;
		break;
	case E_LEAF:
		m0 = entry_mfn(pte, level);
		perms = f->perms(pte);
		mt = f->memtype(pte, level);
		for (i = 0; i < ENTRIES; i++)
			t[i] = f->leaf(m0 + i * s, perms, mt, level - 1) |
			       (pte & ad_bits(f));
		break;
	default:
		break;
	}
}

/*
 * The value that an entry at @level covering [@eg, @eg + span) wholly
 * inside @op takes, if it can take it without a table below.
 */
static bool whole_entry(const struct nested_pt *pt, const struct nested_op *op,
			unsigned int level, uint64_t eg, uint64_t pte,
			uint64_t *val)
{
	const struct nested_fmt *f = pt->fmt;
	uint64_t m;

	if (op->protect) {
		int cls = classify(f, pte, level);

		if (cls == E_TABLE)
			return false;
		*val = cls == E_LEAF ? reperm(f, pte, level,
					      (f->perms(pte) & ~op->clear) |
						      op->set) :
				       pte;
		return true;
	}
	switch (op->kind) {
	case NESTED_HOLE:
		*val = 0;
		return true;
	case NESTED_MMIO:
		*val = NESTED_MMIO_MARK;
		return leaf_ok(pt, level);
	default:
		m = op->mfn + (eg - op->gfn);
		if (!leaf_ok(pt, level) || (m & (span(level) - 1)))
			return false;
		*val = f->leaf(m, op->perms, op->mt, level);
		return true;
	}
}

/*
 * Would @op leave the part of the non-table entry @pte (@level, starting
 * at @eg) that it touches as it is?  Then there is nothing to split.
 */
static bool unchanged(const struct nested_pt *pt, const struct nested_op *op,
		      unsigned int level, uint64_t eg, uint64_t pte)
{
	const struct nested_fmt *f = pt->fmt;
	int cls = classify(f, pte, level);
	unsigned int perms = cls == E_LEAF ? f->perms(pte) : 0;

	if (op->protect)
		return cls != E_LEAF ||
		       ((perms & ~op->clear) | op->set) == perms;
	switch (op->kind) {
	case NESTED_HOLE:
		return cls == E_EMPTY;
	case NESTED_MMIO:
		return cls == E_MMIO;
	default:
		return cls == E_LEAF && perms == op->perms &&
		       f->memtype(pte, level) == op->mt &&
		       entry_mfn(pte, level) - eg == op->mfn - op->gfn;
	}
}

static int apply(struct nested_pt *pt, const struct nested_op *op,
		 uint64_t *t, unsigned int level, uint64_t base);

/*
 * The entry at @slot (@level, covering guest frames from @eg) is only
 * partly inside @op, or cannot be a leaf: work one level down.
 */
static int descend(struct nested_pt *pt, const struct nested_op *op,
		   uint64_t *slot, unsigned int level, uint64_t eg)
{
	const struct nested_fmt *f = pt->fmt;
	uint64_t pte = read_entry(slot), mfn, val;
	uint64_t *t;
	int cls = classify(f, pte, level), rc;

	if (cls == E_BAD)
		return -VMI_EFAULT;
	if (cls == E_TABLE) {
		mfn = table_mfn(pte);
		t = map_table(pt, mfn);
		rc = apply(pt, op, t, level - 1, eg);
		if (uniform(pt, t, level - 1, &val)) {
			write_entry(pt, slot, val);
			free_table(pt, mfn);
		}
		return rc;
	}
	if (unchanged(pt, op, level, eg, pte))
		return 0;

	/* Build the replacement table off to the side, then link it. */
	rc = alloc_table(pt, &mfn, &t);
	if (rc)
		return rc;
	split(pt, t, pte, level);
	rc = apply(pt, op, t, level - 1, eg);
	if (uniform(pt, t, level - 1, &val)) {
		write_entry(pt, slot, val);
		free_table(pt, mfn);
	} else {
		write_entry(pt, slot, (mfn << 12) | f->table);
	}
	return rc;
}

/* Apply @op to the table @t at @level, which covers frames from @base. */
static int apply(struct nested_pt *pt, const struct nested_op *op,
		 uint64_t *t, unsigned int level, uint64_t base)
{
	uint64_t s = span(level), top = base + ENTRIES * s, val;
	uint64_t lo = op->gfn > base ? op->gfn : base;
	uint64_t hi = op->end < top ? op->end : top;
	uint64_t i, last;
	int rc;

	for (i = (lo - base) / s, last = (hi - 1 - base) / s; i <= last; i++) {
		uint64_t eg = base + i * s;
		uint64_t pte = read_entry(&t[i]);

		if (op->gfn <= eg && eg + s <= op->end &&
		    whole_entry(pt, op, level, eg, pte, &val)) {
			replace(pt, &t[i], level, val);
			continue;
		}
		rc = descend(pt, op, &t[i], level, eg);
		if (rc)
			return rc;
	}
	return 0;
}

static int run(struct nested_pt *pt, const struct nested_op *op)
{
	return apply(pt, op, map_table(pt, pt->root), NESTED_LEVELS, 0);
}

/* Common checks on an interval: -VMI_EINVAL or -VMI_ERANGE. */
static int check_interval(uint64_t gfn, uint64_t count)
{
	if (count == 0 || gfn + count < gfn)
		return -VMI_EINVAL;
	if (gfn >= NESTED_GFN_LIMIT || count > NESTED_GFN_LIMIT - gfn)
		return -VMI_ERANGE;
	return 0;
}

int nested_init(struct nested_pt *pt, const struct nested_fmt *fmt,
		const struct nested_mem_ops *ops, void *ctx,
		unsigned int flags)
{
	uint64_t *t, mfn;
	int rc;

	if (flags & ~NESTED_F_1G)
		return -VMI_EINVAL;
	pt->fmt = fmt;
	pt->ops = ops;
	pt->ctx = ctx;
	pt->flags = flags;
	pt->nr_tables = 0;
	pt->need_flush = false;
	pt->root = P2M_MFN_NONE;
	rc = alloc_table(pt, &mfn, &t);
	if (!rc)
		pt->root = mfn;
	return rc;
}

int nested_map(struct nested_pt *pt, uint64_t gfn, uint64_t count,
	       uint64_t mfn, unsigned int type, unsigned int perms)
{
	struct nested_op op = { .gfn = gfn, .end = gfn + count };
	int rc;

	rc = check_interval(gfn, count);
	if (!rc)
		rc = p2m_range_valid(gfn, count, mfn, type, perms);
	if (rc)
		return rc;
	if (type == P2M_MMIO) {
		op.kind = NESTED_MMIO;
	} else {
		op.kind = NESTED_MAPPED;
		op.mfn = mfn;
		op.perms = perms;
		op.mt = NESTED_MT_WB;
	}
	return run(pt, &op);
}

int nested_unmap(struct nested_pt *pt, uint64_t gfn, uint64_t count)
{
	struct nested_op op = { .gfn = gfn, .end = gfn + count,
				.kind = NESTED_HOLE };
	int rc = check_interval(gfn, count);

	return rc ? rc : run(pt, &op);
}

int nested_protect(struct nested_pt *pt, uint64_t gfn, uint64_t count,
		   unsigned int clear, unsigned int set)
{
	struct nested_op op = { .gfn = gfn, .end = gfn + count,
				.protect = true, .clear = clear, .set = set };
	int rc = check_interval(gfn, count);

	if (rc)
		return rc;
	/* Keep every leaf readable, and W only with R (see p2m_range_valid). */
	if (((clear | set) & ~P2M_RWX) || (clear & P2M_R))
		return -VMI_EINVAL;
	return run(pt, &op);
}

struct build_ctx {
	struct nested_pt *pt;
	uint64_t next; /* first gfn not yet synchronised */
};

static int build_one(void *arg, const struct p2m_range *r)
{
	struct build_ctx *b = arg;
	int rc = 0;

	if (r->gfn > b->next)
		rc = nested_unmap(b->pt, b->next, r->gfn - b->next);
	if (!rc)
		rc = nested_map(b->pt, r->gfn, r->count, r->mfn, r->type,
				r->perms);
	b->next = r->gfn + r->count;
	return rc;
}

int nested_build(struct nested_pt *pt, const struct p2m *p2m)
{
	struct build_ctx b = { .pt = pt, .next = 0 };
	int rc;

	rc = p2m_for_each(p2m, build_one, &b);
	if (!rc && b.next < NESTED_GFN_LIMIT)
		rc = nested_unmap(pt, b.next, NESTED_GFN_LIMIT - b.next);
	return rc;
}

int nested_translate(const struct nested_pt *pt, uint64_t gpa,
		     struct nested_xlat *out)
{
	const struct nested_fmt *f = pt->fmt;
	const uint64_t *t = map_table(pt, pt->root);
	unsigned int level, perms = P2M_RWX;

	memset(out, 0, sizeof(*out));
	if (gpa >> 48)
		return -VMI_ERANGE;
	for (level = NESTED_LEVELS;; level--) {
		uint64_t gfn = gpa >> 12;
		uint64_t pte = read_entry(&t[(gfn / span(level)) % ENTRIES]);

		out->level = level;
		switch (classify(f, pte, level)) {
		case E_EMPTY:
			out->kind = NESTED_HOLE;
			return 0;
		case E_MMIO:
			out->kind = NESTED_MMIO;
			return 0;
		case E_TABLE:
			perms &= f->perms(pte);
			t = map_table(pt, table_mfn(pte));
			break;
		case E_LEAF:
			out->kind = NESTED_MAPPED;
			out->perms = perms & f->perms(pte);
			out->hpa = (entry_mfn(pte, level) << 12) +
				   (gpa & ((span(level) << 12) - 1));
			out->accessed = pte & f->accessed;
			out->dirty = pte & f->dirty;
			return 0;
		default:
			return -VMI_EFAULT;
		}
	}
}

void nested_destroy(struct nested_pt *pt)
{
	if (pt->root == P2M_MFN_NONE)
		return;
	free_tree(pt, pt->root, NESTED_LEVELS);
	pt->root = P2M_MFN_NONE;
}
