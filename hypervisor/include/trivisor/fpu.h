/*
 * Guest x87/SSE/AVX state: the host side of XSAVE (hypervisor/fpu.c).
 *
 * The hypervisor never uses the FPU itself (-mgeneral-regs-only); it only
 * keeps each vCPU's state while the vCPU is off its CPU.  With XSAVE the
 * host XCR0 is every component guests may use (x87, SSE, AVX, and the
 * AVX-512 state where the CPU has it and it fits FPU_AREA_SIZE), so one
 * XSAVE/XRSTOR under the host XCR0 saves or restores all of a guest's
 * state whatever its own XCR0; the guest's XCR0 is loaded only around VM
 * entry (neither VMRUN nor VM entry switches XCR0: APM vol. 2, 15.5.1;
 * SDM vol. 3C, 27.3 lists no XCR0).  Without XSAVE, FXSAVE/FXRSTOR.
 */
#ifndef TRIVISOR_FPU_H
#define TRIVISOR_FPU_H

#include <stdbool.h>
#include <stdint.h>

/* XCR0 bits (SDM vol. 1, 13.1). */
#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)
#define XCR0_OPMASK (1ull << 5)
#define XCR0_ZMM_HI256 (1ull << 6)
#define XCR0_HI16_ZMM (1ull << 7)
#define XCR0_AVX512 (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)
/* What guests may be given: no MPX, PKRU, AMX or supervisor state. */
#define XCR0_GUEST_MAX (XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512)

#define CR4_OSXSAVE (1ul << 18)

/* A vCPU's save area (legacy 512 bytes, header, extended components);
 * the AVX-512 layout ends at 2688 bytes (SDM vol. 1, 13.4, and CPUID
 * leaf 0DH), so 3 KiB holds all of XCR0_GUEST_MAX. */
#define FPU_AREA_SIZE 3072

/* Once per CPU (boot CPU first): CR4.OSXSAVE and the host XCR0. */
void fpu_cpu_init(void);
/* The components guests may enable (0 without XSAVE). */
uint64_t fpu_guest_xcr0_max(void);
/* Bytes an XSAVE of the components in MASK needs (standard format). */
uint32_t fpu_xsave_size(uint64_t mask);
/* The reset state (SDM vol. 3A, Table 9-1: FCW 0x037f, MXCSR 0x1f80, all
 * tags empty; every extended component in its initial configuration). */
void fpu_area_reset(uint8_t *area);
void fpu_area_load(const uint8_t *area);
void fpu_area_save(uint8_t *area);
/* Around VM entry: load the guest's XCR0, then the host's again; exit
 * returns the XCR0 the guest left (its own, unless the CPU let an XSETBV
 * through without an exit). */
void fpu_xcr0_enter(uint64_t guest_xcr0);
uint64_t fpu_xcr0_exit(uint64_t guest_xcr0);

#endif
