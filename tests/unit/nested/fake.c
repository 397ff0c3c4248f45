/*
 * Fake machine memory and an independent nested page-table walker.
 *
 * The walker decodes entries from the bit layouts in the manuals (AMD APM
 * vol. 2, 5.4 and 15.25.5; SDM vol. 3C, 29.3.2), not through mm/'s format
 * tables, so a wrong encoder shows up as a mismatch here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmi/errno.h>

#include "fake.h"

#define PAGE 4096u
#define MMIO_MARK (1ull << 62)
#define ADDR_MASK 0x000ffffffffff000ull

/* ---- fake machine memory ---------------------------------------------- */

static int fake_alloc(void *ctx, uint64_t *mfn)
{
	struct fake_mem *m = ctx;
	size_t i, n;

	if (m->nr_allocs++ == m->fail_at)
		return -VMI_ENOMEM;
	/* Round-robin, so a freed page is not handed out again at once and
	 * a use after free hits a page that is not live. */
	for (n = 0; n < m->npages; n++) {
		i = (m->cursor + n) % m->npages;
		if (!m->in_use[i]) {
			m->in_use[i] = true;
			m->cursor = i + 1;
			m->live++;
			/* Garbage: the builder must zero it. */
			memset(m->mem + i * PAGE, 0xa5, PAGE);
			*mfn = FAKE_MFN0 + i;
			return 0;
		}
	}
	return -VMI_ENOMEM;
}

static bool fake_valid(struct fake_mem *m, uint64_t mfn)
{
	if (mfn < FAKE_MFN0 || mfn - FAKE_MFN0 >= m->npages ||
	    !m->in_use[mfn - FAKE_MFN0]) {
		m->errors++;
		return false;
	}
	return true;
}

static void fake_free(void *ctx, uint64_t mfn)
{
	struct fake_mem *m = ctx;

	if (!fake_valid(m, mfn))
		return;
	memset(m->mem + (mfn - FAKE_MFN0) * PAGE, 0x5a, PAGE);
	m->in_use[mfn - FAKE_MFN0] = false;
	m->live--;
}

static void *fake_map(void *ctx, uint64_t mfn)
{
	struct fake_mem *m = ctx;

	if (!fake_valid(m, mfn))
		return NULL;
	return m->mem + (mfn - FAKE_MFN0) * PAGE;
}

const struct nested_mem_ops fake_ops = {
	.alloc_table = fake_alloc,
	.free_table = fake_free,
	.map = fake_map,
};

void fake_init(struct fake_mem *m, size_t npages)
{
	memset(m, 0, sizeof(*m));
	m->npages = npages;
	m->mem = malloc(npages * PAGE);
	m->in_use = calloc(npages, sizeof(bool));
	m->fail_at = -1;
	if (!m->mem || !m->in_use)
		abort();
}

void fake_fini(struct fake_mem *m)
{
	free(m->mem);
	free(m->in_use);
}

/* ---- the walker --------------------------------------------------------- */

static uint64_t span(unsigned int level)
{
	return 1ull << (9 * (level - 1));
}

static bool leaf_allowed(const struct tw *w, unsigned int level)
{
	return level <= 2 || (level == 3 && w->allow_1g);
}

static const uint64_t *table_of(struct tw *w, uint64_t mfn)
{
	if (mfn < FAKE_MFN0 || mfn - FAKE_MFN0 >= w->m->npages ||
	    !w->m->in_use[mfn - FAKE_MFN0]) {
		w->errors++;
		return NULL;
	}
	return (const uint64_t *)(w->m->mem + (mfn - FAKE_MFN0) * PAGE);
}

void tw_init(struct tw *w, struct fake_mem *m, const struct nested_pt *pt,
	     int fmt)
{
	memset(w, 0, sizeof(*w));
	w->m = m;
	w->fmt = fmt;
	w->root = pt->root;
	w->allow_1g = pt->flags & NESTED_F_1G;
}

/* Kinds of raw entry, decoded straight from the manuals. */
enum { K_HOLE, K_MMIO, K_LEAF, K_TABLE, K_BAD };

struct raw {
	int kind;
	uint64_t mfn;
	unsigned int perms;
	bool uc;
};

static void decode_npt(uint64_t pte, unsigned int level, struct raw *r)
{
	bool large = level == 1 || (level < 4 && (pte & 0x80));
	uint64_t align = (span(level) << 12) - 1;

	if (!(pte & 1)) {
		r->kind = pte == 0 ? K_HOLE : pte == MMIO_MARK ? K_MMIO : K_BAD;
		return;
	}
	r->mfn = (pte & ADDR_MASK) >> 12;
	/* Bits 62:52 are never used by the builder. */
	if (pte & 0x7ff0000000000000ull) {
		r->kind = K_BAD;
		return;
	}
	if (!large) {
		/* P, R/W, U/S and nothing else: every access allowed. */
		r->kind = (pte & 0x80000000000001ffull) == 0x7 ? K_TABLE :
								  K_BAD;
		return;
	}
	r->kind = K_LEAF;
	/* 15.25.5: nested walks are user accesses, U/S must be set. */
	if (!(pte & 4))
		r->kind = K_BAD;
	r->perms = P2M_R | ((pte & 2) ? P2M_W : 0) |
		   ((pte & (1ull << 63)) ? 0 : P2M_X);
	/* PWT (3) and PCD (4) both or neither; PAT bit never. */
	if (((pte >> 3) & 3) == 1 || ((pte >> 3) & 3) == 2)
		r->kind = K_BAD;
	r->uc = ((pte >> 3) & 3) == 3;
	if (level == 1 && (pte & 0x80))
		r->kind = K_BAD;
	if (level > 1 && (pte & ADDR_MASK & align))
		r->kind = K_BAD; /* PAT (bit 12) or misaligned frame */
}

static void decode_ept(uint64_t pte, unsigned int level, struct raw *r)
{
	bool large = level == 1 || (level < 4 && (pte & 0x80));
	uint64_t align = (span(level) << 12) - 1;
	unsigned int mt = (pte >> 3) & 7;

	if (!(pte & 7)) {
		r->kind = pte == 0 ? K_HOLE : pte == MMIO_MARK ? K_MMIO : K_BAD;
		return;
	}
	r->mfn = (pte & ADDR_MASK) >> 12;
	if (pte & 0xfff0000000000000ull) {
		r->kind = K_BAD;
		return;
	}
	if (!large) {
		/* R, W, X; bits 7:3 reserved. */
		r->kind = (pte & 0xfff) == 0x7 ? K_TABLE : K_BAD;
		return;
	}
	r->kind = K_LEAF;
	r->perms = ((pte & 1) ? P2M_R : 0) | ((pte & 2) ? P2M_W : 0) |
		   ((pte & 4) ? P2M_X : 0);
	/* W without R is a misconfiguration (29.3.3.1). */
	if ((pte & 3) == 2)
		r->kind = K_BAD;
	if (mt != 6 && mt != 0)
		r->kind = K_BAD;
	r->uc = mt == 0;
	if (pte & 0x40) /* ignore-PAT: never set */
		r->kind = K_BAD;
	if (level == 1 && (pte & 0x80))
		r->kind = K_BAD;
	if (level > 1 && (pte & ADDR_MASK & align))
		r->kind = K_BAD;
}

static void decode(const struct tw *w, uint64_t pte, unsigned int level,
		   struct raw *r)
{
	memset(r, 0, sizeof(*r));
	if (w->fmt == TW_NPT)
		decode_npt(pte, level, r);
	else
		decode_ept(pte, level, r);
	if (level == 4 && r->kind == K_LEAF)
		r->kind = K_BAD;
}

void tw_lookup(struct tw *w, uint64_t gfn, struct tw_entry *e)
{
	const uint64_t *t = table_of(w, w->root);
	unsigned int level;
	struct raw r;

	memset(e, 0, sizeof(*e));
	for (level = 4; t; level--) {
		decode(w, t[(gfn / span(level)) % 512], level, &r);
		e->level = level;
		switch (r.kind) {
		case K_TABLE:
			t = table_of(w, r.mfn);
			continue;
		case K_LEAF:
			e->kind = NESTED_MAPPED;
			e->mfn = r.mfn + gfn % span(level);
			e->perms = r.perms;
			e->uc = r.uc;
			return;
		case K_MMIO:
			e->kind = NESTED_MMIO;
			return;
		case K_HOLE:
			e->kind = NESTED_HOLE;
			return;
		default:
			w->errors++;
			e->kind = 99;
			return;
		}
	}
	e->kind = 99;
}

/* Could the table @t at @level have been one entry one level up? */
static bool collapsible(const struct tw *w, const uint64_t *t,
			unsigned int level)
{
	struct raw r0, r;
	unsigned int i;

	decode(w, t[0], level, &r0);
	if (r0.kind == K_TABLE || r0.kind == K_BAD)
		return false;
	if (r0.kind != K_HOLE && !leaf_allowed(w, level + 1))
		return false;
	if (r0.kind == K_LEAF && r0.mfn % span(level + 1))
		return false;
	for (i = 0; i < 512; i++) {
		decode(w, t[i], level, &r);
		if (r.kind != r0.kind)
			return false;
		if (r.kind == K_LEAF &&
		    (r.perms != r0.perms || r.uc != r0.uc ||
		     r.mfn != r0.mfn + i * span(level)))
			return false;
	}
	return true;
}

static void scan(struct tw *w, uint64_t mfn, unsigned int level,
		 bool *seen, bool is_root)
{
	const uint64_t *t = table_of(w, mfn);
	unsigned int i;
	struct raw r;

	if (!t)
		return;
	if (seen[mfn - FAKE_MFN0]) {
		w->errors++; /* a table linked twice */
		return;
	}
	seen[mfn - FAKE_MFN0] = true;
	w->tables++;
	if (!is_root && collapsible(w, t, level)) {
		fprintf(stderr, "non-canonical table at level %u\n", level);
		w->errors++;
	}
	for (i = 0; i < 512; i++) {
		decode(w, t[i], level, &r);
		switch (r.kind) {
		case K_TABLE:
			scan(w, r.mfn, level - 1, seen, false);
			break;
		case K_LEAF:
			w->leaves[level]++;
			w->mapped_frames += span(level);
			break;
		case K_MMIO:
			w->mmio[level]++;
			w->mmio_frames += span(level);
			break;
		case K_HOLE:
			break;
		default:
			w->errors++;
		}
	}
}

void tw_scan(struct tw *w)
{
	bool *seen = calloc(w->m->npages, sizeof(bool));

	memset(w->leaves, 0, sizeof(w->leaves));
	memset(w->mmio, 0, sizeof(w->mmio));
	w->tables = w->mapped_frames = w->mmio_frames = 0;
	scan(w, w->root, 4, seen, true);
	free(seen);
}

bool tw_matches(const struct tw_entry *e, const struct p2m *p, uint64_t gfn)
{
	uint64_t mfn;
	unsigned int perms;

	switch (p2m_lookup(p, gfn, &mfn, &perms)) {
	case P2M_RAM:
	case P2M_ROM:
		return e->kind == NESTED_MAPPED && e->mfn == mfn &&
		       e->perms == perms && !e->uc;
	case P2M_MMIO:
		return e->kind == NESTED_MMIO;
	default:
		return e->kind == NESTED_HOLE;
	}
}

uint64_t tw_mismatches(struct tw *w, const struct p2m *a, const struct p2m *b,
		       uint64_t lo, uint64_t hi)
{
	uint64_t gfn, bad = 0;
	struct tw_entry e;

	for (gfn = lo; gfn < hi; gfn++) {
		tw_lookup(w, gfn, &e);
		if (tw_matches(&e, a, gfn) || tw_matches(&e, b, gfn))
			continue;
		if (bad++ < 5)
			fprintf(stderr,
				"gfn %#llx: kind %u level %u mfn %#llx "
				"perms %u\n",
				(unsigned long long)gfn, e.kind, e.level,
				(unsigned long long)e.mfn, e.perms);
	}
	return bad;
}

/* ---- expectations from the P2M alone ----------------------------------- */

/* The range containing every frame of [base, base + n), or NULL. */
static const struct p2m_range *covering(const struct p2m *p, uint64_t base,
					uint64_t n)
{
	const struct p2m_range *r = p2m_find(p, base);

	return r && r->gfn + r->count >= base + n ? r : NULL;
}

static bool empty(const struct p2m *p, uint64_t base, uint64_t n)
{
	size_t i;

	for (i = 0; i < p->nr; i++)
		if (p->ranges[i].gfn < base + n &&
		    p->ranges[i].gfn + p->ranges[i].count > base)
			return false;
	return true;
}

static void expect(const struct p2m *p, bool g1, unsigned int level,
		   uint64_t base, uint64_t *leaves, uint64_t *mmio,
		   uint64_t *tables)
{
	uint64_t s = span(level);
	const struct p2m_range *r = covering(p, base, s);
	unsigned int i;

	if (empty(p, base, s))
		return;
	if (r && (level == 1 || level == 2 || (level == 3 && g1))) {
		if (r->type == P2M_MMIO) {
			mmio[level]++;
			return;
		}
		if ((r->mfn + (base - r->gfn)) % s == 0) {
			leaves[level]++;
			return;
		}
	}
	(*tables)++;
	for (i = 0; i < 512; i++)
		expect(p, g1, level - 1, base + i * (s / 512), leaves, mmio,
		       tables);
}

void tw_expect(const struct p2m *p, bool allow_1g, uint64_t *leaves,
	       uint64_t *mmio, uint64_t *tables)
{
	unsigned int i;

	memset(leaves, 0, (NESTED_LEVELS + 1) * sizeof(*leaves));
	memset(mmio, 0, (NESTED_LEVELS + 1) * sizeof(*mmio));
	*tables = 1;
	for (i = 0; i < 512; i++)
		expect(p, allow_1g, 4, i * span(4), leaves, mmio, tables);
}
