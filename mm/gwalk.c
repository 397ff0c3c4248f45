/*
 * Software walk of guest page tables (SDM vol. 3A, chapter 4).  One
 * loop serves all modes: it is parameterised by the entry size, the
 * number of levels and the index width of each level.
 */
#include <mm/gwalk.h>
#include <vmi/errno.h>

#define CR0_PG (1ull << 31)
#define CR0_WP (1ull << 16)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

#define PTE_P 1ull
#define PTE_W 2ull
#define PTE_U 4ull
#define PTE_PS 0x80ull
#define PTE_NX (1ull << 63)

/* #PF error code bits (SDM vol. 3A, 4.7). */
#define PF_P 1u
#define PF_W 2u
#define PF_U 4u
#define PF_I 16u

int gwalk_translate(const struct gwalk_ctx *c, uint64_t gva, unsigned int acc,
		    uint64_t *gpa, uint32_t *pf_error)
{
	unsigned int levels, shift, entry_size;
	uint64_t table, addr_mask, allowed_w = 1, allowed_u = 1, nx = 0;
	uint32_t err = ((acc & GWALK_WRITE) ? PF_W : 0) |
		       ((acc & GWALK_USER) ? PF_U : 0) |
		       ((acc & GWALK_FETCH) ? PF_I : 0);

	if (!(c->cr0 & CR0_PG)) {
		*gpa = gva & 0xffffffffull; /* no paging: 32-bit physical */
		if (c->efer & EFER_LMA)
			*gpa = gva;
		return 0;
	}
	if (c->efer & EFER_LMA) {
		levels = 4, shift = 39, entry_size = 8;
		table = c->cr3 & 0x000ffffffffff000ull;
	} else if (c->cr4 & CR4_PAE) {
		/* The four PDPTEs sit at CR3[31:5] (SDM 4.4.1). */
		levels = 3, shift = 30, entry_size = 8;
		table = c->cr3 & 0xffffffe0ull;
		gva &= 0xffffffffull;
	} else {
		levels = 2, shift = 22, entry_size = 4;
		table = c->cr3 & 0xfffff000ull;
		gva &= 0xffffffffull;
	}
	addr_mask = entry_size == 8 ? 0x000ffffffffff000ull : 0xfffff000ull;

	for (unsigned int lvl = levels; lvl >= 1; lvl--) {
		unsigned int bits = entry_size == 8 ? 9 : 10;
		uint64_t idx, e = 0;
		bool pdpte = levels == 3 && lvl == 3;

		if (pdpte)
			bits = 2;
		idx = (gva >> shift) & ((1ull << bits) - 1);
		if (c->read_phys(c->arg, table + idx * entry_size, &e,
				 entry_size))
			return -VMI_EFAULT;
		if (!(e & PTE_P)) {
			*pf_error = err;
			return -VMI_ENOENT;
		}
		if (!pdpte) { /* PAE PDPTEs carry no access rights */
			allowed_w &= !!(e & PTE_W);
			allowed_u &= !!(e & PTE_U);
			if (entry_size == 8 && (c->efer & EFER_NXE))
				nx |= !!(e & PTE_NX);
		}
		/* A leaf: the last level, or PS at 1 GiB / 2-4 MiB. */
		if (lvl == 1 ||
		    (!pdpte && (e & PTE_PS) && lvl <= 3 &&
		     (entry_size == 8 || (c->cr4 & CR4_PSE)))) {
			uint64_t page_mask = (1ull << shift) - 1;
			uint64_t base;

			if (lvl == 1)
				base = e & addr_mask;
			else if (entry_size == 4)
				/* 4 MiB page: bits 31:22, plus PSE-36 high
				 * bits 20:13 -> 39:32 (SDM 4.3). */
				base = (e & 0xffc00000ull) |
				       ((e & 0x1fe000ull) << 19);
			else
				base = e & addr_mask & ~page_mask;
			*pf_error = err | PF_P;
			if ((acc & GWALK_USER) && !allowed_u)
				return -VMI_ENOENT;
			if ((acc & GWALK_WRITE) && !allowed_w &&
			    ((acc & GWALK_USER) || (c->cr0 & CR0_WP)))
				return -VMI_ENOENT;
			if ((acc & GWALK_FETCH) && nx)
				return -VMI_ENOENT;
			/* SMEP and SMAP: a supervisor fetch from, or data
			 * access with EFLAGS.AC clear to, a page user mode
			 * may reach (SDM vol. 3A, 4.6.1). */
			if (!(acc & GWALK_USER) && allowed_u) {
				if ((acc & GWALK_FETCH) && (c->cr4 & CR4_SMEP))
					return -VMI_ENOENT;
				if (!(acc & (GWALK_FETCH | GWALK_AC)) &&
				    (c->cr4 & CR4_SMAP))
					return -VMI_ENOENT;
			}
			*gpa = base | (gva & page_mask);
			return 0;
		}
		table = e & addr_mask;
		shift -= entry_size == 8 ? 9 : 10;
		if (pdpte)
			shift = 21;
	}
	return -VMI_EFAULT; /* not reached */
}
