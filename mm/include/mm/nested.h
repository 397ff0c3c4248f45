/*
 * mm/nested.h - nested page tables (AMD NPT, Intel EPT) built from a P2M.
 *
 * One generic builder walks and creates the four levels of a nested page
 * table; how an entry is encoded comes from a format table, npt_fmt or
 * ept_fmt.  The builder keeps the tables in a canonical form: a 2 MiB (or,
 * with NESTED_F_1G, 1 GiB) leaf wherever the guest range under an entry is
 * uniform, aligned and machine-contiguous, and no table that could be
 * replaced by a single entry.  So the tables depend only on what is
 * mapped, not on the order of the calls that mapped it.
 *
 * Guest memory types map as:
 *   RAM  - present leaf, permissions from the P2M, write-back.
 *   ROM  - present leaf, read+execute.
 *   MMIO - not present, so every access exits (NPT #NPF, EPT violation)
 *          and reports the guest-physical address; the entry carries a
 *          software marker so that nested_translate() tells MMIO from a
 *          hole.
 *   hole - not present, entry zero.
 *
 * Table pages are reached only through struct nested_mem_ops; the builder
 * zeroes every page it allocates.  After any call that reports
 * need_flush, the caller must invalidate the TLBs of every CPU that may
 * use the tables (INVEPT / a new ASID or TLB_CONTROL) before the change is
 * relied upon; pages given to free_table() may still be in a CPU's
 * paging-structure cache until then, so the free_table() implementation
 * must not reuse them before that flush.
 *
 * Locking: struct nested_pt has no lock of its own; the owning domain's
 * P2M lock serialises every call, including nested_translate().
 */
#ifndef MM_NESTED_H
#define MM_NESTED_H

#include <stdbool.h>
#include <stdint.h>

#include <mm/p2m.h>

/**
 * struct nested_mem_ops - how the builder reaches table pages.
 * @alloc_table: allocate one 4 KiB page for a table and store its machine
 *               frame in *@mfn; return 0 or a negative error.  The content
 *               does not matter: the builder zeroes it.
 * @free_table:  give back a page obtained from @alloc_table.
 * @map:         return a pointer through which the page @mfn can be read
 *               and written (the direct map in the hypervisor).
 */
struct nested_mem_ops {
	int (*alloc_table)(void *ctx, uint64_t *mfn);
	void (*free_table)(void *ctx, uint64_t mfn);
	void *(*map)(void *ctx, uint64_t mfn);
};

/* An entry encoding; the definition is private to mm/. */
struct nested_fmt;

/* AMD-V nested page tables: long-mode entries (AMD APM vol. 2, 15.25.5). */
extern const struct nested_fmt npt_fmt;
/* Intel VT-x extended page tables (SDM vol. 3C, 29.3.2). */
extern const struct nested_fmt ept_fmt;

/* nested_init() flags. */
#define NESTED_F_1G 0x1u /* the CPU supports 1 GiB leaves: use them */

/* Levels, as reported by nested_translate(). */
#define NESTED_LEVEL_4K 1
#define NESTED_LEVEL_2M 2
#define NESTED_LEVEL_1G 3
#define NESTED_LEVELS 4

/* Number of guest frames that nested tables can reach (48-bit GPA). */
#define NESTED_GFN_LIMIT ((uint64_t)1 << 36)

/**
 * struct nested_pt - one set of nested page tables.
 * @fmt:        entry encoding; set by nested_init().
 * @ops, @ctx:  table-page callbacks and their argument.
 * @root:       machine frame of the top-level (PML4) table.
 * @flags:      NESTED_F_* given to nested_init().
 * @nr_tables:  table pages currently owned, the root included.
 * @need_flush: set when an entry that the CPU may have cached was changed;
 *              the caller flushes and clears it.
 *
 * All fields are guarded by the domain's P2M lock.
 */
struct nested_pt {
	const struct nested_fmt *fmt;
	const struct nested_mem_ops *ops;
	void *ctx;
	uint64_t root;
	unsigned int flags;
	uint64_t nr_tables;
	bool need_flush;
};

/**
 * nested_init() - allocate an empty top-level table.
 *
 * Return: 0, -VMI_EINVAL for unknown @flags, or the allocator's error
 * (-VMI_ENOMEM).
 */
int nested_init(struct nested_pt *pt, const struct nested_fmt *fmt,
		const struct nested_mem_ops *ops, void *ctx,
		unsigned int flags);

/**
 * nested_build() - make the tables describe exactly @p2m.
 *
 * Every P2M range is mapped and everything between them unmapped, so this
 * also resynchronises tables that have drifted (for example after dirty
 * logging write-protected RAM).
 *
 * Return: 0 or an error from nested_map()/nested_unmap().  After an error
 * every guest frame is either as before or as in @p2m, and the call can be
 * repeated.
 */
int nested_build(struct nested_pt *pt, const struct p2m *p2m);

/**
 * nested_map() - map [@gfn, @gfn + @count) as in a P2M range.
 *
 * @type, @perms and @mfn follow p2m_range_valid(); @mfn is ignored for
 * MMIO.  Whatever was mapped there before is replaced.
 *
 * Return: 0; -VMI_EINVAL for a malformed range; -VMI_ERANGE beyond
 * NESTED_GFN_LIMIT; -VMI_ENOMEM (or the allocator's error) if a table page
 * could not be had, in which case every frame in the range is mapped
 * either as before or as asked, nothing leaks and the call can be
 * repeated.
 */
int nested_map(struct nested_pt *pt, uint64_t gfn, uint64_t count,
	       uint64_t mfn, unsigned int type, unsigned int perms);

/**
 * nested_unmap() - make [@gfn, @gfn + @count) a hole.
 *
 * A large leaf only partly inside the range is split, which needs table
 * pages; tables left empty are freed.
 *
 * Return: 0, -VMI_EINVAL, -VMI_ERANGE or -VMI_ENOMEM, with the same
 * guarantees as nested_map().
 */
int nested_unmap(struct nested_pt *pt, uint64_t gfn, uint64_t count);

/**
 * nested_protect() - change the permissions of mapped frames.
 *
 * Every RAM/ROM frame in the range gets (old & ~@clear) | @set; MMIO and
 * holes are left alone.  Read permission cannot be cleared, and W may be
 * set only together with R.  To undo write protection on a domain that has
 * ROM, rebuild from the P2M rather than setting W.
 *
 * Return: 0, -VMI_EINVAL, -VMI_ERANGE or -VMI_ENOMEM (splitting a large
 * leaf), with the same guarantees as nested_map().
 */
int nested_protect(struct nested_pt *pt, uint64_t gfn, uint64_t count,
		   unsigned int clear, unsigned int set);

/* Kinds of guest-physical address, from nested_translate(). */
#define NESTED_HOLE 0
#define NESTED_MAPPED 1
#define NESTED_MMIO 2

/**
 * struct nested_xlat - result of nested_translate().
 * @kind:     NESTED_HOLE, NESTED_MAPPED or NESTED_MMIO.
 * @level:    level of the entry that decided (NESTED_LEVEL_4K for a 4 KiB
 *            leaf, _2M, _1G; 4 for an empty top-level entry).
 * @hpa:      host-physical address (NESTED_MAPPED only).
 * @perms:    P2M_R/W/X allowed by the whole walk (0 unless mapped).
 * @accessed: accessed flag of the leaf (EPT: only if the EPTP enables it).
 * @dirty:    dirty flag of the leaf (idem).
 */
struct nested_xlat {
	unsigned int kind;
	unsigned int level;
	uint64_t hpa;
	unsigned int perms;
	bool accessed;
	bool dirty;
};

/**
 * nested_translate() - software walk of the tables for @gpa.
 *
 * Used by the tests and by the nested-fault path to tell an access to an
 * MMIO page from one to a hole.
 *
 * Return: 0 and *@out filled, -VMI_ERANGE if @gpa is beyond 48 bits, or
 * -VMI_EFAULT if the walk met an entry the builder never writes.
 */
int nested_translate(const struct nested_pt *pt, uint64_t gpa,
		     struct nested_xlat *out);

/**
 * nested_destroy() - free every table page, the root included.
 *
 * @pt must be re-initialised before further use.
 */
void nested_destroy(struct nested_pt *pt);

/**
 * npt_ncr3() - value for the VMCB N_CR3 field (AMD APM vol. 2, 15.25 and
 * appendix B): the root's address, PWT and PCD clear (write-back walks).
 */
uint64_t npt_ncr3(const struct nested_pt *pt);

/**
 * ept_pointer() - value for the EPTP VM-execution control field (SDM vol.
 * 3C, 25.6.11): write-back paging structures, 4-level walk, and accessed
 * and dirty flags enabled if @ad (the CPU must report support in
 * IA32_VMX_EPT_VPID_CAP).
 */
uint64_t ept_pointer(const struct nested_pt *pt, bool ad);

#endif /* MM_NESTED_H */
