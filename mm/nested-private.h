/*
 * mm/nested-private.h - entry encodings for the nested page-table builder.
 *
 * The builder (nested.c) knows the shape shared by NPT and EPT: four
 * levels of 512 eight-byte entries, bits 51:12 holding the next table or
 * the page frame, bit 7 marking a large leaf at levels 2 and 3.  Everything
 * else about an entry comes from a struct nested_fmt, instantiated once per
 * format in nested-npt.c and nested-ept.c.
 *
 * Only <stdint.h>-level headers here: this is included by portable code
 * and by the host unit tests.
 */
#ifndef MM_NESTED_PRIVATE_H
#define MM_NESTED_PRIVATE_H

#include <stdint.h>

#include <mm/nested.h>

/* Memory types, numbered as in the MTRRs, the PAT and EPT leaves. */
#define NESTED_MT_UC 0u
#define NESTED_MT_WB 6u

/* Bits 51:12: the address of a table or page (4 KiB granule). */
#define NESTED_ADDR_MASK 0x000ffffffffff000ull
/* Bit 7 in a level-2 or level-3 entry: this entry is a leaf. */
#define NESTED_LARGE (1ull << 7)
/*
 * Software marker of an MMIO entry.  The entry is not present, so the CPU
 * ignores the rest of it: NPT entries with P=0 (AMD APM vol. 2, 5.4.1),
 * EPT entries with bits 2:0 clear ignore bits 62:3 (SDM vol. 3C, 29.3.2;
 * bit 63 is left clear so it never suppresses a #VE).
 */
#define NESTED_MMIO_MARK (1ull << 62)

/**
 * struct nested_fmt - how one nested paging format encodes its entries.
 * @name:     for logs.
 * @present:  bits of which any one set makes an entry present.
 * @table:    bits besides the address in an entry that references a table;
 *            they grant every access so that leaves alone decide.
 * @accessed: accessed flag in a leaf (set by the CPU), 0 if none.
 * @dirty:    dirty flag in a leaf (set by the CPU), 0 if none.
 * @leaf:     encode a present leaf at @level (1 = 4 KiB, 2 = 2 MiB, 3 =
 *            1 GiB) mapping @mfn (aligned to the level) with @perms
 *            (P2M_R set) and memory type @mt.
 * @perms:    P2M_R/W/X granted by a present entry, leaf or table.
 * @memtype:  NESTED_MT_* of a present leaf at @level.
 */
struct nested_fmt {
	const char *name;
	uint64_t present;
	uint64_t table;
	uint64_t accessed;
	uint64_t dirty;
	uint64_t (*leaf)(uint64_t mfn, unsigned int perms, unsigned int mt,
			 unsigned int level);
	unsigned int (*perms)(uint64_t pte);
	unsigned int (*memtype)(uint64_t pte, unsigned int level);
};

#endif /* MM_NESTED_PRIVATE_H */
