/* Running hv vCPUs (hvm/run.c, hvm/msr.c, hvm/mmio.c). */
#ifndef HVM_RUN_H
#define HVM_RUN_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;
struct domain;

#define HVM_RUN_YIELD 0 /* runnable: slice over or kicked */
#define HVM_RUN_BLOCKED 1 /* HLT or waiting for SIPI */
#define HVM_RUN_STOPPED 2 /* domain no longer running */

int hvm_vcpu_run(struct vcpu *v);

struct guest_boot_state;
/* The general registers of a boot state (the others zero), for the
 * backends' vcpu_create and vcpu_set_state. */
void hvm_boot_regs(struct vcpu *v, const struct guest_boot_state *bs);

/* MSR policy: 0 handled (*val for reads), negative = #GP. */
int hvm_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val);

/*
 * EFER bits a guest may set (SCE, LME, LMA, NXE); a write of any other is
 * #GP.  LMA is read-only to the guest: the CPU sets it when paging turns
 * on with LME (APM vol. 2, 14.6.1; SDM vol. 3A, 10.8.5).
 */
#define HVM_EFER_GUEST_BITS ((1ull << 0) | (1ull << 8) | (1ull << 10) | (1ull << 11))
#define HVM_EFER_LMA (1ull << 10)

/* A PAT value a guest may write: every entry a defined memory type. */
bool hvm_pat_valid(uint64_t pat);

/*
 * A write of @*val to a segment-base or entry-point MSR (FS_BASE, GS_BASE,
 * KERNEL_GS_BASE, LSTAR, CSTAR, SYSENTER_ESP/EIP) as the guest's CPUID
 * vendor's CPU takes it: -1 where that CPU raises #GP (a non-canonical
 * address), else 1 with *@val as the MSR keeps it (an AMD CPU keeps only
 * the low 32 bits of SYSENTER_ESP/EIP); 0 for any other @msr.  For a
 * backend that has these writes intercepted.
 */
int hvm_msr_base_write(uint32_t msr, uint64_t *val);

/* Forget which unknown MSRs a domain slot has been told about. */
void hvm_msr_forget(unsigned int domid);

/* Emulate the instruction that faulted on MMIO at @gpa, or (gpa unused)
 * the string port I/O instruction that exited. */
void hvm_emulate_mmio(struct vcpu *v, uint64_t gpa);

/*
 * Make every vCPU of @d named in @mask (bit n = vCPU n) flush @what
 * (HVM_FLUSH_*) before it next runs guest code.  The caller, vCPU @self
 * (NULL if none), flushes at its own next entry; for the others this
 * returns once each has either flushed or is out of guest mode and will
 * flush before it enters again.  vCPUs that flush each other at the same
 * time do not wait for each other (neither is in guest mode).  Returns
 * the number of vCPUs it waited for, or -VMI_ETIMEDOUT when a vCPU did
 * not leave guest mode within HVM_FLUSH_WAIT_NS (its request stays
 * pending).
 */
int hvm_flush_vcpus(struct domain *d, uint64_t mask, uint32_t what,
		    struct vcpu *self);
#define HVM_FLUSH_WAIT_NS 2000000000ull /* 2 s: generous under emulation */

#endif
