/*
 * Walking a guest's own page tables in software: guest-virtual to
 * guest-physical, for fetching the instruction that caused an MMIO exit
 * and for reading its memory operands.  Portable; guest memory is read
 * through a callback.  Written once for the three x86 paging modes
 * (SDM vol. 3A, 4.3 32-bit, 4.4 PAE, 4.5 4-level).
 */
#ifndef MM_GWALK_H
#define MM_GWALK_H

#include <stdbool.h>
#include <stdint.h>

struct gwalk_ctx {
	uint64_t cr0, cr3, cr4, efer;
	/* Read @len (4 or 8) bytes of guest-physical memory; 0 or < 0. */
	int (*read_phys)(void *arg, uint64_t gpa, void *buf, unsigned int len);
	void *arg;
};

#define GWALK_WRITE 1u /* the access writes */
#define GWALK_USER 2u /* the access is from CPL 3 */
#define GWALK_FETCH 4u /* instruction fetch */
/* A supervisor data access SMAP lets through: EFLAGS.AC is set and the
 * access is explicit (an operand, not a descriptor table). */
#define GWALK_AC 8u

/*
 * Translate @gva with the rights of U/S, R/W (CR0.WP), NX (EFER.NXE), and
 * SMEP and SMAP as CR4 enables them.  Returns 0 with *gpa set, -VMI_EFAULT when a table
 * cannot be read, or -VMI_ENOENT for a not-present or forbidden mapping
 * (the caller injects #PF with the error code in *pf_error).
 */
int gwalk_translate(const struct gwalk_ctx *c, uint64_t gva, unsigned int acc,
		    uint64_t *gpa, uint32_t *pf_error);

#endif
