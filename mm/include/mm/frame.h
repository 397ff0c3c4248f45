/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mm/frame.h - the machine-frame allocator.
 *
 * A binary buddy allocator over 4 KiB machine frames (mfn = physical
 * address >> 12).  One struct frame_zone covers the frames
 * [base_mfn, base_mfn + nr_frames), which may contain holes.  Every frame
 * of the zone has a struct frame_info in an array the caller provides
 * (inside the hypervisor it is carved out of RAM at boot), and that array
 * is all the allocator ever touches: the frames themselves are never read
 * or written, so the code runs unchanged on the host with made-up mfns.
 *
 * Each frame is in exactly one of three states:
 *
 *   free       part of a block on a free list; owner FRAME_OWNER_FREE.
 *   allocated  part of a block handed out by frame_alloc(); owner is a
 *              domain id or FRAME_OWNER_HYPERVISOR; the first frame of the
 *              block carries FRAME_F_ALLOC_HEAD and the block's order.
 *   reserved   never released to the allocator (holes, firmware, the
 *              hypervisor image) or taken back by frame_zone_reserve();
 *              carries FRAME_F_RESERVED; owner FRAME_OWNER_RESERVED or
 *              FRAME_OWNER_HYPERVISOR.
 *
 * Blocks are aligned on absolute mfns, not on offsets from base_mfn, so a
 * free order-9 block is always a 2 MiB-aligned machine range and can back
 * a superpage mapping directly.
 *
 * Locking: none inside.  A zone and its metadata are guarded by one lock
 * that the caller holds across every call here (the hypervisor wraps them
 * with a spinlock).  The reference counts and type in struct frame_info
 * belong to the page-ownership layer above, which has its own rules.
 *
 * All functions return 0 or a negated VMI error code (vmi/errno.h), and a
 * call that fails changes no state at all.
 */
#ifndef MM_FRAME_H
#define MM_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest block: 2^18 frames = 1 GiB, the largest x86-64 page size. */
#define FRAME_MAX_ORDER 18
#define FRAME_NR_ORDERS (FRAME_MAX_ORDER + 1)

/* A zone spans at most 2^32 - 1 frames (16 TiB) so links fit in 32 bits. */
#define FRAME_IDX_NONE 0xffffffffu
#define FRAME_ZONE_MAX_FRAMES 0xffffffffull
/* x86-64 physical addresses have at most 52 bits (SDM vol. 3A, 4.1.4). */
#define FRAME_MFN_LIMIT (1ull << 40)

/*
 * Owners.  Domain ids run from 0 to FRAME_DOMID_MAX; the values above are
 * distinguished owners that no domain can have (the split follows Xen's
 * DOMID_FIRST_RESERVED, so domain ids can travel in the same 16 bits).
 */
#define FRAME_DOMID_MAX 0x7fefu
#define FRAME_OWNER_HYPERVISOR 0xfffdu /* the hypervisor's own frames */
#define FRAME_OWNER_RESERVED 0xfffeu /* firmware, MMIO holes, unusable */
#define FRAME_OWNER_FREE 0xffffu /* on a free list */

/*
 * Usage types for PV page typing.  A frame has one type at a time while
 * type_count is non-zero (a frame mapped as an L1 table cannot also be
 * mapped writable); the ownership layer enforces that, the allocator only
 * resets the type to FRAME_TYPE_NONE when a block changes hands.
 */
#define FRAME_TYPE_NONE 0 /* no type pinned */
#define FRAME_TYPE_L1 1 /* validated L1 page table (PTEs) */
#define FRAME_TYPE_L2 2 /* validated L2 page table (PDEs) */
#define FRAME_TYPE_L3 3 /* validated L3 page table (PDPTEs) */
#define FRAME_TYPE_L4 4 /* validated L4 page table (PML4Es) */
#define FRAME_TYPE_SEG_DESC 5 /* GDT or LDT page (SDM vol. 3A, 3.5.1) */
#define FRAME_TYPE_WRITABLE 6 /* mapped writable by its owner */
#define FRAME_TYPE_SHARED 7 /* shared with another domain (grant) */
#define FRAME_TYPE_MAX FRAME_TYPE_SHARED

/* frame_info.flags: which state a frame is in, see the top of the file. */
#define FRAME_F_FREE_HEAD 0x01u /* first frame of a free block */
#define FRAME_F_ALLOC_HEAD 0x02u /* first frame of an allocated block */
#define FRAME_F_RESERVED 0x04u /* not managed by the allocator */

/*
 * Per-frame metadata, 24 bytes: an array of these, one per frame of the
 * zone, lives in memory the caller provides.  Links are 32-bit frame
 * indices relative to the zone base, not pointers, to keep it compact.
 */
struct frame_info {
	/*
	 * Free-list links (index of the next/previous free block head of the
	 * same order, or FRAME_IDX_NONE).  Meaningful only on a frame with
	 * FRAME_F_FREE_HEAD; the allocator ignores them otherwise, so the
	 * owner of an allocated frame may thread its own list through them.
	 */
	uint32_t next;
	uint32_t prev;
	/* General references (mappings, grants, I/O); 0 to be freed. */
	uint32_t refcount;
	/* References that pin @type; 0 to be freed. */
	uint32_t type_count;
	/* Domain id or FRAME_OWNER_*. */
	uint16_t owner;
	/* FRAME_TYPE_*. */
	uint8_t type;
	/* Order of the block this frame heads (FRAME_F_*_HEAD only). */
	uint8_t order;
	/* FRAME_F_*. */
	uint8_t flags;
	uint8_t reserved[3];
};
_Static_assert(sizeof(struct frame_info) == 24, "frame_info is 24 bytes");

/*
 * One allocator instance.  All fields are private to mm/frame.c; read them
 * through the accessors below.  Initialised by frame_zone_init(), guarded
 * by the caller's lock.
 */
struct frame_zone {
	struct frame_info *meta; /* nr_frames entries, caller's memory */
	uint64_t base_mfn;
	uint64_t nr_frames;
	uint64_t nr_free; /* frames on the free lists */
	uint64_t nr_managed; /* free + allocated frames */
	uint32_t free_head[FRAME_NR_ORDERS]; /* list heads, frame indices */
	uint64_t free_blocks[FRAME_NR_ORDERS]; /* blocks on each list */
};

/**
 * frame_meta_bytes() - size of the metadata array for a zone.
 * @nr_frames: number of frames the zone will span, holes included.
 *
 * Return: bytes the caller must provide to frame_zone_init().
 */
size_t frame_meta_bytes(uint64_t nr_frames);

/**
 * frame_zone_init() - set up an empty zone.
 * @z:         the zone.
 * @meta:      frame_meta_bytes(@nr_frames) bytes, suitably aligned for
 *             struct frame_info; owned by the zone from now on.
 * @base_mfn:  first frame of the zone; need not be aligned.
 * @nr_frames: frames spanned, 1 .. FRAME_ZONE_MAX_FRAMES.
 *
 * Every frame starts reserved (owner FRAME_OWNER_RESERVED); release usable
 * RAM with frame_zone_add_free().
 *
 * Return: 0, or -VMI_EINVAL for a NULL pointer, an empty or too large
 * zone, or a range reaching past FRAME_MFN_LIMIT.
 */
int frame_zone_init(struct frame_zone *z, struct frame_info *meta,
		    uint64_t base_mfn, uint64_t nr_frames);

/**
 * frame_zone_add_free() - hand reserved frames to the allocator.
 * @z:     the zone.
 * @mfn:   first frame to release.
 * @count: number of frames, at least 1.
 *
 * Used at boot for each usable range of the firmware memory map (the caller
 * cuts out the image and modules), and later to give back frames taken with
 * frame_zone_reserve().  The range is split into the largest aligned
 * blocks, which coalesce with free neighbours.
 *
 * Return: 0; -VMI_EINVAL if the range is empty or not inside the zone;
 * -VMI_EEXIST if a frame is already free; -VMI_EBUSY if a frame is
 * allocated or still has a non-zero reference count.
 */
int frame_zone_add_free(struct frame_zone *z, uint64_t mfn, uint64_t count);

/**
 * frame_zone_reserve() - take frames out of the allocator's hands.
 * @z:     the zone.
 * @mfn:   first frame.
 * @count: number of frames, at least 1.
 * @owner: FRAME_OWNER_HYPERVISOR or FRAME_OWNER_RESERVED.
 *
 * Free frames in the range are carved out of their buddy blocks (the rest
 * of each block goes back on the free lists); frames already reserved just
 * get the new owner.  Reserved frames cannot be freed with frame_free().
 *
 * Return: 0; -VMI_EINVAL for a bad range or owner; -VMI_EBUSY if a frame
 * in the range is allocated.
 */
int frame_zone_reserve(struct frame_zone *z, uint64_t mfn, uint64_t count,
		       uint16_t owner);

/**
 * frame_alloc() - allocate 2^@order contiguous, naturally aligned frames.
 * @z:     the zone.
 * @order: 0 .. FRAME_MAX_ORDER.
 * @owner: a domain id (<= FRAME_DOMID_MAX) or FRAME_OWNER_HYPERVISOR.
 * @mfn:   OUT: first frame of the block; untouched on failure.
 *
 * Every frame of the block gets @owner, FRAME_TYPE_NONE and zero counts.
 * The frames' contents are not cleared: the caller scrubs them if they
 * go to a domain.
 *
 * Return: 0; -VMI_EINVAL for a bad order, owner or NULL @mfn;
 * -VMI_ENOMEM if no free block of @order or larger exists.
 */
int frame_alloc(struct frame_zone *z, unsigned int order, uint16_t owner,
		uint64_t *mfn);

/**
 * frame_free() - return a block obtained from frame_alloc().
 * @z:     the zone.
 * @mfn:   first frame of the block.
 * @order: the order it was allocated with.
 * @owner: who frees it; must own every frame of the block.
 *
 * The block merges with free buddies up to FRAME_MAX_ORDER.
 *
 * Return: 0, or (checked in this order):
 *   -VMI_EINVAL  @order out of range, block not inside the zone, @mfn not
 *                aligned to @order;
 *   -VMI_ENOENT  the frame is already free (double free);
 *   -VMI_EPERM   the frame is reserved;
 *   -VMI_EINVAL  @mfn does not start a block allocated with @order;
 *   -VMI_EPERM   @owner does not own every frame of the block;
 *   -VMI_EBUSY   a frame still has a non-zero refcount or type_count.
 */
int frame_free(struct frame_zone *z, uint64_t mfn, unsigned int order,
	       uint16_t owner);

/**
 * frame_split() - turn an allocated block into 2^@order single frames.
 * @z:     the zone.
 * @mfn:   first frame of the block.
 * @order: the order it was allocated with.
 * @owner: who owns it; must own every frame of the block.
 *
 * Afterwards each frame is an allocation of order 0 of its own, so single
 * frames of the block can be freed (a domain giving back 4 KiB of a
 * 2 MiB block).  Nothing changes on error.
 *
 * Return: 0, or -VMI_EINVAL (@order out of range, @mfn not aligned or not
 * the head of a block of @order: already split, or a tail frame),
 * -VMI_ENOENT (free), -VMI_EPERM (reserved, or a frame not @owner's).
 */
int frame_split(struct frame_zone *z, uint64_t mfn, unsigned int order,
		uint16_t owner);

/**
 * frame_info() - metadata of one frame.
 * @z:   the zone.
 * @mfn: the frame.
 *
 * Return: the frame's struct frame_info, or NULL if @mfn is outside the
 * zone.  The caller may update refcount, type_count and type under the
 * zone lock; owner, order and flags belong to the allocator.
 */
struct frame_info *frame_info(const struct frame_zone *z, uint64_t mfn);

/**
 * frame_info_mfn() - the frame a metadata entry describes.
 * @z:  the zone.
 * @fi: an entry obtained from frame_info().
 *
 * Return: its mfn.
 */
uint64_t frame_info_mfn(const struct frame_zone *z,
			const struct frame_info *fi);

/** frame_free_count() - frames currently on the free lists. */
uint64_t frame_free_count(const struct frame_zone *z);

/** frame_total_count() - frames the allocator manages (free + allocated). */
uint64_t frame_total_count(const struct frame_zone *z);

/**
 * frame_free_blocks() - free blocks of exactly one order.
 * @z:     the zone.
 * @order: 0 .. FRAME_MAX_ORDER; anything else gives 0.
 */
uint64_t frame_free_blocks(const struct frame_zone *z, unsigned int order);

/**
 * frame_zone_check() - verify every invariant of the zone.
 * @z:   the zone.
 * @why: if not NULL, set to a short description of the first problem.
 *
 * Walks all free lists and all metadata: links are consistent, every free
 * block is aligned, inside the zone, not overlapping another, and has no
 * free buddy of its order; every frame is in exactly one state with the
 * owner and flags that state requires; the counters add up.  Cost is
 * linear in the zone size: for tests and debug builds.
 *
 * Return: 0 if consistent, -VMI_EINVAL otherwise.
 */
int frame_zone_check(const struct frame_zone *z, const char **why);

#endif /* MM_FRAME_H */
