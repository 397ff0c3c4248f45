/*
 * mm/p2m.h - a domain's guest-physical to machine map (P2M).
 *
 * The P2M is the authoritative description of a domain's guest-physical
 * address space: a sorted set of non-overlapping ranges, each mapping a
 * run of guest frames (gfn) to a run of machine frames (mfn) with a type
 * and access permissions.  Everything else that translates guest-physical
 * addresses (nested page tables, shadow page tables, the MMIO path) is
 * derived from it.
 *
 * Storage is a fixed-capacity array provided by the caller, so this file
 * allocates nothing and builds both inside the hypervisor and on the host.
 *
 * Locking: struct p2m has no lock of its own; the owning domain's P2M
 * lock guards every field, for readers and writers alike.
 */
#ifndef MM_P2M_H
#define MM_P2M_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Range types.  Stored in a uint8_t; the values are not an ABI. */
enum p2m_type {
	P2M_INVALID = 0, /* a hole: nothing there, never stored in a range */
	P2M_RAM = 1, /* ordinary memory backed by machine frames */
	P2M_ROM = 2, /* machine frames, never writable by the guest */
	P2M_MMIO = 3, /* emulated device: no machine frames; every guest
		       * access must exit to the instruction emulator */
};

/* Permission bits, also used by the nested page-table builder. */
#define P2M_R 0x1u
#define P2M_W 0x2u
#define P2M_X 0x4u
#define P2M_RWX (P2M_R | P2M_W | P2M_X)

/* The mfn reported for MMIO ranges and holes. */
#define P2M_MFN_NONE (~(uint64_t)0)

/*
 * Guest frames are limited to 48-bit guest-physical addresses, the reach of
 * the 4-level nested page tables and of long-mode shadow page tables.
 * Machine frames are limited to the architectural 52-bit physical-address
 * maximum (SDM vol. 3A, 4.1.4).
 */
#define P2M_GFN_LIMIT ((uint64_t)1 << 36)
#define P2M_MFN_LIMIT ((uint64_t)1 << 40)

/**
 * struct p2m_range - one run of guest frames.
 * @gfn:   first guest frame.
 * @count: number of frames, at least 1.
 * @mfn:   first machine frame (RAM, ROM); P2M_MFN_NONE for MMIO.
 * @type:  an enum p2m_type other than P2M_INVALID.
 * @perms: P2M_R/P2M_W/P2M_X bits.
 */
struct p2m_range {
	uint64_t gfn;
	uint64_t count;
	uint64_t mfn;
	uint8_t type;
	uint8_t perms;
};

/**
 * struct p2m - the map itself.
 * @ranges: caller-provided storage, sorted by gfn, @nr entries in use.
 * @nr:     ranges in use.
 * @cap:    capacity of @ranges.
 *
 * Initialised by p2m_init(); guarded by the domain's P2M lock.
 */
struct p2m {
	struct p2m_range *ranges;
	size_t nr;
	size_t cap;
};

/**
 * p2m_init() - start an empty P2M.
 * @p:        the map.
 * @storage:  array of @capacity ranges, owned by the caller for the life
 *            of @p.
 * @capacity: number of ranges the map can ever hold.
 */
void p2m_init(struct p2m *p, struct p2m_range *storage, size_t capacity);

/**
 * p2m_range_valid() - check one range description without adding it.
 *
 * @count must be non-zero; neither the guest nor (for RAM and ROM) the
 * machine run may wrap or pass P2M_GFN_LIMIT / P2M_MFN_LIMIT; @type must
 * be RAM, ROM or MMIO; @perms must lie within P2M_RWX, include P2M_R for
 * RAM and ROM, never have W without R (EPT cannot express it, SDM vol. 3C,
 * 29.3.3.1), and ROM is never writable.  @mfn is ignored for MMIO.
 *
 * Return: 0 or -VMI_EINVAL.
 */
int p2m_range_valid(uint64_t gfn, uint64_t count, uint64_t mfn,
		    unsigned int type, unsigned int perms);

/**
 * p2m_add() - map @count guest frames from @gfn.
 *
 * A range that continues a neighbour exactly (contiguous guest and machine
 * frames, same type and permissions) is merged into it, so adding may
 * succeed on a full map.
 *
 * Return: 0; -VMI_EINVAL for a malformed range (see p2m_range_valid());
 * -VMI_EEXIST if any frame is already mapped; -VMI_ENOSPC if the storage
 * is full.  On error the map is unchanged.
 */
int p2m_add(struct p2m *p, uint64_t gfn, uint64_t count, uint64_t mfn,
	    unsigned int type, unsigned int perms);

/**
 * p2m_remove() - unmap every mapped frame in [@gfn, @gfn + @count).
 *
 * Holes inside the interval are allowed; ranges that straddle its edges
 * are trimmed, and a range that contains it is split in two.
 *
 * Return: 0; -VMI_EINVAL for an empty or wrapping interval; -VMI_ENOENT if
 * nothing in the interval was mapped; -VMI_ENOSPC if a split needs a slot
 * and the storage is full.  On error the map is unchanged.
 */
int p2m_remove(struct p2m *p, uint64_t gfn, uint64_t count);

/**
 * p2m_find() - the range containing @gfn, or NULL for a hole.
 *
 * The pointer is valid until the next p2m_add() or p2m_remove().
 */
const struct p2m_range *p2m_find(const struct p2m *p, uint64_t gfn);

/**
 * p2m_lookup() - translate one guest frame.
 * @mfn:   if non-NULL, receives the machine frame (P2M_MFN_NONE for MMIO
 *         and holes).
 * @perms: if non-NULL, receives the permissions (0 for holes).
 *
 * Return: the enum p2m_type of @gfn, P2M_INVALID for a hole.
 */
unsigned int p2m_lookup(const struct p2m *p, uint64_t gfn, uint64_t *mfn,
			unsigned int *perms);

/* Callback for p2m_for_each(); a non-zero return stops the walk. */
typedef int (*p2m_iter_fn)(void *arg, const struct p2m_range *r);

/**
 * p2m_for_each() - call @fn for every range, in increasing gfn order.
 *
 * @fn must not modify @p.
 *
 * Return: 0, or the first non-zero value returned by @fn.
 */
int p2m_for_each(const struct p2m *p, p2m_iter_fn fn, void *arg);

/** p2m_ram_frames() - number of P2M_RAM frames (ROM and MMIO excluded). */
uint64_t p2m_ram_frames(const struct p2m *p);

#endif /* MM_P2M_H */
