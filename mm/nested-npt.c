/*
 * mm/nested-npt.c - AMD-V nested page table (NPT) entry encoding.
 *
 * Nested page tables are ordinary long-mode page tables walked with the
 * host's paging mode, and every nested walk is treated as a user access
 * (AMD APM vol. 2, 15.25.5), so every entry sets U/S.  Entries follow the
 * long-mode formats of AMD APM vol. 2, 5.4:
 *
 *   bit 0  P     present (we set it for every readable leaf)
 *   bit 1  R/W   writable
 *   bit 2  U/S   user: required on every nested entry
 *   bit 3  PWT, bit 4 PCD: memory type, a PAT index (AMD APM vol. 2, 7.8)
 *   bit 5  A, bit 6 D (leaf): set by the CPU
 *   bit 7  PS in a PDE/PDPE: 2 MiB / 1 GiB leaf; PAT in a 4 KiB PTE
 *   bit 12 PAT in a 2 MiB / 1 GiB leaf (never set here)
 *   bit 63 NX: no execute.  Reserved unless the host runs with EFER.NXE,
 *          which the hypervisor must therefore enable.
 *
 * NPT cannot express "present but not readable": every present entry is
 * readable, which is why P2M ranges always include P2M_R.
 *
 * Memory types combine with the guest's own (AMD APM vol. 2, 15.25, on
 * combining nested and guest memory types): the nested PTE selects a host
 * PAT entry, and with the power-on PAT (entry 0 = WB, entry 3 = UC)
 * PWT=PCD=0 gives WB and PWT=PCD=1 gives UC.
 */
#include <stdint.h>

#include <mm/nested.h>

#include "nested-private.h"

#define NPT_P (1ull << 0)
#define NPT_RW (1ull << 1)
#define NPT_US (1ull << 2)
#define NPT_PWT (1ull << 3)
#define NPT_PCD (1ull << 4)
#define NPT_A (1ull << 5)
#define NPT_D (1ull << 6)
#define NPT_NX (1ull << 63)

static uint64_t npt_leaf(uint64_t mfn, unsigned int perms, unsigned int mt,
			 unsigned int level)
{
	uint64_t pte = (mfn << 12) & NESTED_ADDR_MASK;

	if (perms & P2M_R)
		pte |= NPT_P | NPT_US;
	if (perms & P2M_W)
		pte |= NPT_RW;
	if (!(perms & P2M_X))
		pte |= NPT_NX;
	if (mt == NESTED_MT_UC)
		pte |= NPT_PCD | NPT_PWT;
	if (level > NESTED_LEVEL_4K)
		pte |= NESTED_LARGE;
	return pte;
}

static unsigned int npt_perms(uint64_t pte)
{
	unsigned int perms = 0;

	if (pte & NPT_P) {
		perms |= P2M_R;
		if (pte & NPT_RW)
			perms |= P2M_W;
		if (!(pte & NPT_NX))
			perms |= P2M_X;
	}
	return perms;
}

static unsigned int npt_memtype(uint64_t pte, unsigned int level)
{
	(void)level;
	return (pte & (NPT_PCD | NPT_PWT)) == (NPT_PCD | NPT_PWT) ?
		       NESTED_MT_UC :
		       NESTED_MT_WB;
}

const struct nested_fmt npt_fmt = {
	.name = "npt",
	.present = NPT_P,
	/* A non-leaf entry grants everything; NX clear, PWT/PCD clear so
	 * the walk itself reads the tables write-back. */
	.table = NPT_P | NPT_RW | NPT_US,
	.accessed = NPT_A,
	.dirty = NPT_D,
	.leaf = npt_leaf,
	.perms = npt_perms,
	.memtype = npt_memtype,
};

uint64_t npt_ncr3(const struct nested_pt *pt)
{
	return pt->root << 12;
}
