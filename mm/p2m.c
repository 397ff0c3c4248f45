/*
 * mm/p2m.c - a domain's guest-physical to machine map.
 *
 * A sorted array of non-overlapping ranges in caller-provided storage.
 * Lookups are binary searches; insertions and removals move the tail of the
 * array, which is fine for the few dozen ranges a domain has (RAM below
 * the PCI hole, device windows, RAM above 4 GiB, option ROMs).
 *
 * Portable: built into the hypervisor and into the host unit tests.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <mm/p2m.h>
#include <vmi/errno.h>

void p2m_init(struct p2m *p, struct p2m_range *storage, size_t capacity)
{
	p->ranges = storage;
	p->nr = 0;
	p->cap = capacity;
}

int p2m_range_valid(uint64_t gfn, uint64_t count, uint64_t mfn,
		    unsigned int type, unsigned int perms)
{
	if (count == 0 || gfn >= P2M_GFN_LIMIT ||
	    count > P2M_GFN_LIMIT - gfn)
		return -VMI_EINVAL;
	if (perms & ~P2M_RWX)
		return -VMI_EINVAL;
	/* Write without read is an EPT misconfiguration (SDM vol. 3C,
	 * 29.3.3.1) and cannot be expressed in NPT at all. */
	if ((perms & P2M_W) && !(perms & P2M_R))
		return -VMI_EINVAL;

	switch (type) {
	case P2M_ROM:
		if (perms & P2M_W)
			return -VMI_EINVAL;
		/* fall through */
	case P2M_RAM:
		/* NPT has no present-but-unreadable leaf. */
		if (!(perms & P2M_R))
			return -VMI_EINVAL;
		if (mfn >= P2M_MFN_LIMIT || count > P2M_MFN_LIMIT - mfn)
			return -VMI_EINVAL;
		return 0;
	case P2M_MMIO:
		return 0;
	default:
		return -VMI_EINVAL;
	}
}

static uint64_t range_end(const struct p2m_range *r)
{
	return r->gfn + r->count;
}

/* Index of the first range that ends after @gfn (p->nr if none). */
static size_t first_ending_after(const struct p2m *p, uint64_t gfn)
{
	size_t lo = 0, hi = p->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (range_end(&p->ranges[mid]) <= gfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Does @b continue @a exactly, so that the two can be one range? */
static bool joins(const struct p2m_range *a, const struct p2m_range *b)
{
	if (range_end(a) != b->gfn || a->type != b->type ||
	    a->perms != b->perms)
		return false;
	return a->type == P2M_MMIO || a->mfn + a->count == b->mfn;
}

static void delete_ranges(struct p2m *p, size_t from, size_t to)
{
	memmove(&p->ranges[from], &p->ranges[to],
		(p->nr - to) * sizeof(p->ranges[0]));
	p->nr -= to - from;
}

static void insert_range(struct p2m *p, size_t at, const struct p2m_range *r)
{
	memmove(&p->ranges[at + 1], &p->ranges[at],
		(p->nr - at) * sizeof(p->ranges[0]));
	p->ranges[at] = *r;
	p->nr++;
}

int p2m_add(struct p2m *p, uint64_t gfn, uint64_t count, uint64_t mfn,
	    unsigned int type, unsigned int perms)
{
	struct p2m_range n;
	struct p2m_range *prev, *next;
	bool with_prev, with_next;
	size_t i;
	int rc;

	rc = p2m_range_valid(gfn, count, mfn, type, perms);
	if (rc)
		return rc;

	n.gfn = gfn;
	n.count = count;
	n.mfn = type == P2M_MMIO ? P2M_MFN_NONE : mfn;
	n.type = (uint8_t)type;
	n.perms = (uint8_t)perms;

	i = first_ending_after(p, gfn);
	if (i < p->nr && p->ranges[i].gfn < range_end(&n))
		return -VMI_EEXIST;

	prev = i > 0 ? &p->ranges[i - 1] : NULL;
	next = i < p->nr ? &p->ranges[i] : NULL;
	with_prev = prev && joins(prev, &n);
	with_next = next && joins(&n, next);

	if (with_prev && with_next) {
		prev->count += n.count + next->count;
		delete_ranges(p, i, i + 1);
	} else if (with_prev) {
		prev->count += n.count;
	} else if (with_next) {
		next->gfn = n.gfn;
		next->mfn = n.mfn;
		next->count += n.count;
	} else {
		if (p->nr == p->cap)
			return -VMI_ENOSPC;
		insert_range(p, i, &n);
	}
	return 0;
}

/* Drop the first @n frames of @r. */
static void trim_front(struct p2m_range *r, uint64_t n)
{
	r->gfn += n;
	r->count -= n;
	if (r->type != P2M_MMIO)
		r->mfn += n;
}

int p2m_remove(struct p2m *p, uint64_t gfn, uint64_t count)
{
	uint64_t end = gfn + count;
	struct p2m_range *r;
	size_t i, j;

	if (count == 0 || end < gfn)
		return -VMI_EINVAL;

	i = first_ending_after(p, gfn);
	if (i == p->nr || p->ranges[i].gfn >= end)
		return -VMI_ENOENT;

	r = &p->ranges[i];
	if (r->gfn < gfn && range_end(r) > end) {
		/* The interval is strictly inside one range: split it. */
		struct p2m_range tail = *r;

		if (p->nr == p->cap)
			return -VMI_ENOSPC;
		trim_front(&tail, end - r->gfn);
		r->count = gfn - r->gfn;
		insert_range(p, i + 1, &tail);
		return 0;
	}

	if (r->gfn < gfn) {
		r->count = gfn - r->gfn;
		i++;
	}
	for (j = i; j < p->nr && range_end(&p->ranges[j]) <= end; j++)
		;
	if (j < p->nr && p->ranges[j].gfn < end)
		trim_front(&p->ranges[j], end - p->ranges[j].gfn);
	delete_ranges(p, i, j);
	return 0;
}

const struct p2m_range *p2m_find(const struct p2m *p, uint64_t gfn)
{
	size_t i = first_ending_after(p, gfn);

	if (i < p->nr && p->ranges[i].gfn <= gfn)
		return &p->ranges[i];
	return NULL;
}

unsigned int p2m_lookup(const struct p2m *p, uint64_t gfn, uint64_t *mfn,
			unsigned int *perms)
{
	const struct p2m_range *r = p2m_find(p, gfn);

	if (mfn)
		*mfn = r && r->type != P2M_MMIO ? r->mfn + (gfn - r->gfn) :
						  P2M_MFN_NONE;
	if (perms)
		*perms = r ? r->perms : 0;
	return r ? r->type : P2M_INVALID;
}

int p2m_for_each(const struct p2m *p, p2m_iter_fn fn, void *arg)
{
	size_t i;
	int rc;

	for (i = 0; i < p->nr; i++) {
		rc = fn(arg, &p->ranges[i]);
		if (rc)
			return rc;
	}
	return 0;
}

uint64_t p2m_ram_frames(const struct p2m *p)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < p->nr; i++)
		if (p->ranges[i].type == P2M_RAM)
			n += p->ranges[i].count;
	return n;
}
