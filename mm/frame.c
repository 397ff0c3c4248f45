// SPDX-License-Identifier: GPL-2.0
/*
 * mm/frame.c - the machine-frame buddy allocator.
 *
 * Portable C: builds into the hypervisor and into the host unit tests.
 * Only struct frame_info entries are touched, never the frames themselves.
 *
 * A free block of order k is a naturally aligned run of 2^k frames whose
 * first frame ("head") carries FRAME_F_FREE_HEAD and order k and sits on
 * free list k; all its frames have owner FRAME_OWNER_FREE.  Its buddy is
 * the block at mfn ^ 2^k.  The invariant that makes the allocator a buddy
 * allocator is that no free block has a free buddy of the same order: they
 * are merged the moment the second one is freed.  See
 * docs/frame-allocator.md for the tour.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <mm/frame.h>
#include <vmi/errno.h>

#include "private.h"

BUILD_BUG_ON(FRAME_MAX_ORDER < 18);
/* frame_info.order holds an order, free_head[] indexes by one. */
BUILD_BUG_ON(FRAME_MAX_ORDER > 31);
BUILD_BUG_ON(FRAME_TYPE_MAX > 0xff);
/* The distinguished owners must never collide with a domain id. */
BUILD_BUG_ON(FRAME_DOMID_MAX >= FRAME_OWNER_HYPERVISOR);

static inline uint64_t order_frames(unsigned int order)
{
	return 1ull << order;
}

static inline struct frame_info *idx_info(const struct frame_zone *z,
					  uint32_t idx)
{
	ASSERT(idx < z->nr_frames);
	return &z->meta[idx];
}

static inline uint32_t mfn_idx(const struct frame_zone *z, uint64_t mfn)
{
	return (uint32_t)(mfn - z->base_mfn);
}

static inline uint64_t idx_mfn(const struct frame_zone *z, uint32_t idx)
{
	return z->base_mfn + idx;
}

/* Is [mfn, mfn + count) inside the zone?  Careful about wrap-around. */
static bool range_in_zone(const struct frame_zone *z, uint64_t mfn,
			  uint64_t count)
{
	if (mfn < z->base_mfn)
		return false;
	if (mfn - z->base_mfn >= z->nr_frames)
		return false;
	return count <= z->nr_frames - (mfn - z->base_mfn);
}

static bool owner_can_allocate(uint16_t owner)
{
	return owner <= FRAME_DOMID_MAX || owner == FRAME_OWNER_HYPERVISOR;
}

static bool frame_is_free(const struct frame_info *fi)
{
	return fi->owner == FRAME_OWNER_FREE;
}

static bool frame_is_reserved(const struct frame_info *fi)
{
	return fi->flags & FRAME_F_RESERVED;
}

/* --- free lists ------------------------------------------------------ */

static void list_add(struct frame_zone *z, uint32_t idx, unsigned int order)
{
	struct frame_info *fi = idx_info(z, idx);
	uint32_t old = z->free_head[order];

	fi->flags = FRAME_F_FREE_HEAD;
	fi->order = (uint8_t)order;
	fi->prev = FRAME_IDX_NONE;
	fi->next = old;
	if (old != FRAME_IDX_NONE)
		idx_info(z, old)->prev = idx;
	z->free_head[order] = idx;
	z->free_blocks[order]++;
	z->nr_free += order_frames(order);
}

static void list_del(struct frame_zone *z, uint32_t idx)
{
	struct frame_info *fi = idx_info(z, idx);
	unsigned int order = fi->order;

	ASSERT(fi->flags == FRAME_F_FREE_HEAD);
	if (fi->prev != FRAME_IDX_NONE)
		idx_info(z, fi->prev)->next = fi->next;
	else
		z->free_head[order] = fi->next;
	if (fi->next != FRAME_IDX_NONE)
		idx_info(z, fi->next)->prev = fi->prev;
	fi->flags = 0;
	fi->order = 0;
	fi->next = FRAME_IDX_NONE;
	fi->prev = FRAME_IDX_NONE;
	z->free_blocks[order]--;
	z->nr_free -= order_frames(order);
}

/*
 * The free block of exactly @order at @mfn, if there is one.  The block
 * must lie wholly inside the zone: with an unaligned base or end, a buddy
 * can straddle the zone boundary, and such a buddy never exists.
 */
static bool free_block_at(const struct frame_zone *z, uint64_t mfn,
			  unsigned int order)
{
	const struct frame_info *fi;

	if (!range_in_zone(z, mfn, order_frames(order)))
		return false;
	fi = idx_info(z, mfn_idx(z, mfn));
	return fi->flags == FRAME_F_FREE_HEAD && fi->order == order;
}

/*
 * Put a block whose frames are already marked free on the free lists,
 * merging with its buddy for as long as the buddy is free too.  Every
 * path that frees frames ends here, which is what keeps the invariant.
 */
static void merge_and_insert(struct frame_zone *z, uint64_t mfn,
			     unsigned int order)
{
	while (order < FRAME_MAX_ORDER) {
		uint64_t buddy = mfn ^ order_frames(order);

		if (!free_block_at(z, buddy, order))
			break;
		list_del(z, mfn_idx(z, buddy));
		mfn &= ~order_frames(order);
		order++;
	}
	list_add(z, mfn_idx(z, mfn), order);
}

/* Mark frames as free (not yet on a list) and return them to the lists. */
static void release_range(struct frame_zone *z, uint64_t mfn, uint64_t count)
{
	uint64_t end = mfn + count;
	uint32_t i;

	for (i = mfn_idx(z, mfn); i < mfn_idx(z, mfn) + count; i++) {
		struct frame_info *fi = idx_info(z, i);

		fi->owner = FRAME_OWNER_FREE;
		fi->type = FRAME_TYPE_NONE;
		fi->flags = 0;
		fi->order = 0;
	}

	/* Largest aligned block that still fits, so buddies line up. */
	while (mfn < end) {
		unsigned int order = 0;

		while (order < FRAME_MAX_ORDER &&
		       !(mfn & order_frames(order)) &&
		       order_frames(order + 1) <= end - mfn)
			order++;
		merge_and_insert(z, mfn, order);
		mfn += order_frames(order);
	}
}

/*
 * The head of the free block containing a free frame.  Blocks are aligned,
 * so it is at @mfn rounded down to some order; the first candidate that is
 * a free head of exactly that order is it (a smaller head would be inside
 * the block, and blocks do not overlap).
 */
static uint64_t free_block_containing(const struct frame_zone *z,
				      uint64_t mfn, unsigned int *order)
{
	unsigned int k;

	for (k = 0; k <= FRAME_MAX_ORDER; k++) {
		uint64_t head = mfn & ~(order_frames(k) - 1);

		if (free_block_at(z, head, k)) {
			*order = k;
			return head;
		}
	}
	ASSERT(!"free frame outside any free block");
	*order = 0;
	return mfn;
}

/* --- the API --------------------------------------------------------- */

size_t frame_meta_bytes(uint64_t nr_frames)
{
	return (size_t)nr_frames * sizeof(struct frame_info);
}

int frame_zone_init(struct frame_zone *z, struct frame_info *meta,
		    uint64_t base_mfn, uint64_t nr_frames)
{
	unsigned int k;
	uint64_t i;

	if (!z || !meta || nr_frames == 0 ||
	    nr_frames > FRAME_ZONE_MAX_FRAMES || base_mfn >= FRAME_MFN_LIMIT ||
	    nr_frames > FRAME_MFN_LIMIT - base_mfn)
		return -VMI_EINVAL;

	z->meta = meta;
	z->base_mfn = base_mfn;
	z->nr_frames = nr_frames;
	z->nr_free = 0;
	z->nr_managed = 0;
	for (k = 0; k <= FRAME_MAX_ORDER; k++) {
		z->free_head[k] = FRAME_IDX_NONE;
		z->free_blocks[k] = 0;
	}

	memset(meta, 0, frame_meta_bytes(nr_frames));
	for (i = 0; i < nr_frames; i++) {
		meta[i].next = FRAME_IDX_NONE;
		meta[i].prev = FRAME_IDX_NONE;
		meta[i].owner = FRAME_OWNER_RESERVED;
		meta[i].flags = FRAME_F_RESERVED;
	}
	return 0;
}

int frame_zone_add_free(struct frame_zone *z, uint64_t mfn, uint64_t count)
{
	uint32_t i, first;

	if (count == 0 || !range_in_zone(z, mfn, count))
		return -VMI_EINVAL;

	/* Check everything before touching anything. */
	first = mfn_idx(z, mfn);
	for (i = first; i < first + count; i++) {
		const struct frame_info *fi = idx_info(z, i);

		if (frame_is_free(fi))
			return -VMI_EEXIST;
		if (!frame_is_reserved(fi) || fi->refcount || fi->type_count)
			return -VMI_EBUSY;
	}

	release_range(z, mfn, count);
	z->nr_managed += count;
	return 0;
}

int frame_zone_reserve(struct frame_zone *z, uint64_t mfn, uint64_t count,
		       uint16_t owner)
{
	uint64_t end = mfn + count;
	uint32_t i, first;

	if (count == 0 || !range_in_zone(z, mfn, count))
		return -VMI_EINVAL;
	if (owner != FRAME_OWNER_HYPERVISOR && owner != FRAME_OWNER_RESERVED)
		return -VMI_EINVAL;

	first = mfn_idx(z, mfn);
	for (i = first; i < first + count; i++) {
		const struct frame_info *fi = idx_info(z, i);

		if (!frame_is_free(fi) && !frame_is_reserved(fi))
			return -VMI_EBUSY;
	}

	while (mfn < end) {
		struct frame_info *fi = idx_info(z, mfn_idx(z, mfn));
		uint64_t head, block_end, cut_end;
		unsigned int order;

		if (!frame_is_free(fi)) {
			fi->owner = owner;
			mfn++;
			continue;
		}

		/*
		 * Pull the whole containing block off its list, keep the part
		 * inside the range and give back what lies either side.  The
		 * pieces cannot re-merge into the block: half of it is now
		 * reserved.
		 */
		head = free_block_containing(z, mfn, &order);
		block_end = head + order_frames(order);
		cut_end = block_end < end ? block_end : end;
		list_del(z, mfn_idx(z, head));
		for (i = mfn_idx(z, mfn); i < mfn_idx(z, cut_end); i++) {
			struct frame_info *r = idx_info(z, i);

			r->owner = owner;
			r->flags = FRAME_F_RESERVED;
		}
		z->nr_managed -= cut_end - mfn;
		if (head < mfn)
			release_range(z, head, mfn - head);
		if (cut_end < block_end)
			release_range(z, cut_end, block_end - cut_end);
		mfn = cut_end;
	}
	return 0;
}

int frame_alloc(struct frame_zone *z, unsigned int order, uint16_t owner,
		uint64_t *mfn)
{
	struct frame_info *head;
	unsigned int k;
	uint32_t idx, i;

	if (order > FRAME_MAX_ORDER || !owner_can_allocate(owner) || !mfn)
		return -VMI_EINVAL;

	for (k = order; k <= FRAME_MAX_ORDER; k++)
		if (z->free_head[k] != FRAME_IDX_NONE)
			break;
	if (k > FRAME_MAX_ORDER)
		return -VMI_ENOMEM;

	idx = z->free_head[k];
	list_del(z, idx);

	/* Split: keep the lower half, give the upper half back each time. */
	while (k > order) {
		k--;
		list_add(z, idx + (uint32_t)order_frames(k), k);
	}

	for (i = idx; i < idx + order_frames(order); i++) {
		struct frame_info *fi = idx_info(z, i);

		ASSERT(frame_is_free(fi) && !fi->refcount && !fi->type_count);
		fi->owner = owner;
		fi->type = FRAME_TYPE_NONE;
		fi->flags = 0;
		fi->order = 0;
	}
	head = idx_info(z, idx);
	head->flags = FRAME_F_ALLOC_HEAD;
	head->order = (uint8_t)order;

	*mfn = idx_mfn(z, idx);
	return 0;
}

int frame_free(struct frame_zone *z, uint64_t mfn, unsigned int order,
	       uint16_t owner)
{
	const struct frame_info *head;
	uint32_t i, first;
	bool busy = false;

	if (order > FRAME_MAX_ORDER ||
	    !range_in_zone(z, mfn, order_frames(order)) ||
	    (mfn & (order_frames(order) - 1)))
		return -VMI_EINVAL;

	first = mfn_idx(z, mfn);
	head = idx_info(z, first);
	if (frame_is_free(head))
		return -VMI_ENOENT;
	if (frame_is_reserved(head))
		return -VMI_EPERM;
	/* A tail frame, or a block allocated with another order. */
	if (!(head->flags & FRAME_F_ALLOC_HEAD) || head->order != order)
		return -VMI_EINVAL;

	/*
	 * Ownership of single frames may have moved since the allocation
	 * (page transfer between domains), so check every frame, and report
	 * a foreign frame before a busy one: a non-owner learns nothing
	 * about another domain's reference counts.
	 */
	for (i = first; i < first + order_frames(order); i++) {
		const struct frame_info *fi = idx_info(z, i);

		if (fi->owner != owner)
			return -VMI_EPERM;
		if (fi->refcount || fi->type_count)
			busy = true;
	}
	if (busy)
		return -VMI_EBUSY;

	release_range(z, mfn, order_frames(order));
	return 0;
}

int frame_split(struct frame_zone *z, uint64_t mfn, unsigned int order,
		uint16_t owner)
{
	const struct frame_info *head;
	uint32_t i, first;

	if (order > FRAME_MAX_ORDER ||
	    !range_in_zone(z, mfn, order_frames(order)) ||
	    (mfn & (order_frames(order) - 1)))
		return -VMI_EINVAL;
	first = mfn_idx(z, mfn);
	head = idx_info(z, first);
	if (frame_is_free(head))
		return -VMI_ENOENT;
	if (frame_is_reserved(head))
		return -VMI_EPERM;
	if (!(head->flags & FRAME_F_ALLOC_HEAD) || head->order != order)
		return -VMI_EINVAL;
	for (i = first; i < first + order_frames(order); i++)
		if (idx_info(z, i)->owner != owner)
			return -VMI_EPERM;
	for (i = first; i < first + order_frames(order); i++) {
		struct frame_info *fi = idx_info(z, i);

		fi->flags |= FRAME_F_ALLOC_HEAD;
		fi->order = 0;
	}
	return 0;
}

struct frame_info *frame_info(const struct frame_zone *z, uint64_t mfn)
{
	if (!range_in_zone(z, mfn, 1))
		return NULL;
	return idx_info(z, mfn_idx(z, mfn));
}

uint64_t frame_info_mfn(const struct frame_zone *z,
			const struct frame_info *fi)
{
	ASSERT(fi >= z->meta && fi < z->meta + z->nr_frames);
	return idx_mfn(z, (uint32_t)(fi - z->meta));
}

uint64_t frame_free_count(const struct frame_zone *z)
{
	return z->nr_free;
}

uint64_t frame_total_count(const struct frame_zone *z)
{
	return z->nr_managed;
}

uint64_t frame_free_blocks(const struct frame_zone *z, unsigned int order)
{
	if (order > FRAME_MAX_ORDER)
		return 0;
	return z->free_blocks[order];
}

/* --- consistency checker --------------------------------------------- */

/*
 * Walk every free list.  Prev links must mirror next links, which also
 * rules out cycles and a block sitting on two lists; the step bound is
 * only a guard against a corrupted head index.
 */
static const char *check_lists(const struct frame_zone *z, uint64_t *heads)
{
	uint64_t frames = 0;
	unsigned int k;

	*heads = 0;
	for (k = 0; k <= FRAME_MAX_ORDER; k++) {
		uint32_t idx = z->free_head[k], prev = FRAME_IDX_NONE;
		uint64_t n = 0;

		while (idx != FRAME_IDX_NONE) {
			const struct frame_info *fi;
			uint64_t mfn;

			if (idx >= z->nr_frames)
				return "free-list link outside the zone";
			if (++n > z->nr_frames)
				return "free list does not end";
			fi = idx_info(z, idx);
			mfn = idx_mfn(z, idx);
			if (fi->flags != FRAME_F_FREE_HEAD)
				return "listed frame is not a free head";
			if (fi->order != k)
				return "free block on the wrong list";
			if (fi->prev != prev)
				return "free-list prev link broken";
			if (mfn & (order_frames(k) - 1))
				return "free block misaligned";
			if (!range_in_zone(z, mfn, order_frames(k)))
				return "free block crosses the zone end";
			if (k < FRAME_MAX_ORDER &&
			    free_block_at(z, mfn ^ order_frames(k), k))
				return "free buddies of one order not merged";
			prev = idx;
			idx = fi->next;
		}
		if (n != z->free_blocks[k])
			return "per-order free block count wrong";
		*heads += n;
		frames += n * order_frames(k);
	}
	if (frames != z->nr_free)
		return "free frame count wrong";
	return NULL;
}

/* One pass over the metadata: each frame in exactly one state. */
static const char *check_frames(const struct frame_zone *z, uint64_t heads)
{
	uint64_t free_end = 0, alloc_end = 0, nr_alloc = 0, seen = 0;
	uint32_t i;

	for (i = 0; i < z->nr_frames; i++) {
		const struct frame_info *fi = idx_info(z, i);
		uint8_t head = fi->flags &
			       (FRAME_F_FREE_HEAD | FRAME_F_ALLOC_HEAD);

		if (fi->flags & ~(FRAME_F_FREE_HEAD | FRAME_F_ALLOC_HEAD |
				  FRAME_F_RESERVED))
			return "unknown frame flags";
		if (fi->type > FRAME_TYPE_MAX)
			return "unknown frame type";
		if (head) {
			if (fi->flags != head)
				return "frame has more than one state flag";
			if (i < free_end || i < alloc_end)
				return "block overlaps another block";
			if (fi->order > FRAME_MAX_ORDER ||
			    i + order_frames(fi->order) > z->nr_frames)
				return "block order out of range";
			if (head == FRAME_F_FREE_HEAD) {
				free_end = i + order_frames(fi->order);
				seen++;
			} else {
				alloc_end = i + order_frames(fi->order);
			}
		}

		if (i < free_end) {
			if (fi->owner != FRAME_OWNER_FREE)
				return "frame in a free block has an owner";
			if (!head && fi->flags)
				return "flags on a free tail frame";
			if (fi->refcount || fi->type_count ||
			    fi->type != FRAME_TYPE_NONE)
				return "free frame has references or a type";
		} else if (i < alloc_end) {
			if (fi->flags & FRAME_F_RESERVED)
				return "reserved frame inside an allocation";
			if (!owner_can_allocate(fi->owner))
				return "allocated frame has a bad owner";
			nr_alloc++;
		} else {
			if (fi->flags != FRAME_F_RESERVED)
				return "frame outside any block not reserved";
			if (fi->owner != FRAME_OWNER_RESERVED &&
			    fi->owner != FRAME_OWNER_HYPERVISOR)
				return "reserved frame has a bad owner";
		}
	}
	if (seen != heads)
		return "free block head not on any list";
	if (z->nr_free + nr_alloc != z->nr_managed)
		return "managed frame count wrong";
	return NULL;
}

int frame_zone_check(const struct frame_zone *z, const char **why)
{
	const char *msg;
	uint64_t heads;

	msg = check_lists(z, &heads);
	if (!msg)
		msg = check_frames(z, heads);
	if (why)
		*why = msg;
	return msg ? -VMI_EINVAL : 0;
}
