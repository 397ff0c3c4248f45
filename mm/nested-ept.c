/*
 * mm/nested-ept.c - Intel extended page table (EPT) entry encoding.
 *
 * EPT entries (SDM vol. 3C, 29.3.2, tables 29-1 to 29-6):
 *
 *   bits 2:0  R, W, X.  All clear: not present, bits 62:3 ignored.
 *             W without R is a misconfiguration (29.3.3.1); never written.
 *   bits 5:3  memory type of a leaf (29.3.7): 6 = WB, 0 = UC.  Reserved
 *             (zero) in an entry that references a table.
 *   bit 6     ignore PAT in a leaf.  Left clear so that the effective type
 *             combines the EPT type with the guest's PAT, as the guest
 *             expects of its own MMIO-like RAM mappings (29.3.7.2).
 *   bit 7     leaf at the PDPTE (1 GiB) or PDE (2 MiB) level.
 *   bit 8, 9  accessed and dirty, only if enabled in the EPTP (29.3.5);
 *             ignored otherwise, so the builder may preserve them blindly.
 *   bit 10    user-mode execute, only with mode-based execute control,
 *             which trivisor leaves disabled.
 *   bit 63    suppress #VE; left clear (#VE is not enabled).
 */
#include <stdbool.h>
#include <stdint.h>

#include <mm/nested.h>

#include "nested-private.h"

#define EPT_R (1ull << 0)
#define EPT_W (1ull << 1)
#define EPT_X (1ull << 2)
#define EPT_MT_SHIFT 3
#define EPT_MT_MASK (7ull << EPT_MT_SHIFT)
#define EPT_A (1ull << 8)
#define EPT_D (1ull << 9)

/* EPTP fields (SDM vol. 3C, 25.6.11). */
#define EPTP_WB 6ull
#define EPTP_WALK_4 (3ull << 3)
#define EPTP_AD (1ull << 6)

static uint64_t ept_leaf(uint64_t mfn, unsigned int perms, unsigned int mt,
			 unsigned int level)
{
	uint64_t pte = (mfn << 12) & NESTED_ADDR_MASK;

	if (perms & P2M_R)
		pte |= EPT_R;
	if (perms & P2M_W)
		pte |= EPT_W;
	if (perms & P2M_X)
		pte |= EPT_X;
	pte |= ((uint64_t)mt << EPT_MT_SHIFT) & EPT_MT_MASK;
	if (level > NESTED_LEVEL_4K)
		pte |= NESTED_LARGE;
	return pte;
}

static unsigned int ept_perms(uint64_t pte)
{
	unsigned int perms = 0;

	if (pte & EPT_R)
		perms |= P2M_R;
	if (pte & EPT_W)
		perms |= P2M_W;
	if (pte & EPT_X)
		perms |= P2M_X;
	return perms;
}

static unsigned int ept_memtype(uint64_t pte, unsigned int level)
{
	(void)level;
	return (unsigned int)((pte & EPT_MT_MASK) >> EPT_MT_SHIFT);
}

const struct nested_fmt ept_fmt = {
	.name = "ept",
	.present = EPT_R | EPT_W | EPT_X,
	.table = EPT_R | EPT_W | EPT_X,
	.accessed = EPT_A,
	.dirty = EPT_D,
	.leaf = ept_leaf,
	.perms = ept_perms,
	.memtype = ept_memtype,
};

uint64_t ept_pointer(const struct nested_pt *pt, bool ad)
{
	return (pt->root << 12) | EPTP_WB | EPTP_WALK_4 | (ad ? EPTP_AD : 0);
}
