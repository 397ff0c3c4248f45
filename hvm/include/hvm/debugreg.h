/*
 * The guest's DR0-DR3 (and, on VT-x, DR6) live in the hardware registers
 * while its vCPU runs: neither VMRUN/#VMEXIT (AMD APM vol. 2, 15.5.1:
 * only DR6 and DR7 are in the VMCB) nor VM entry/exit (SDM vol. 3C,
 * 26.3.2.1 and 27.3.1: DR7 only) switches them.  The backends load them
 * in vcpu_load and save them in vcpu_put, so vCPUs sharing a CPU never
 * see each other's.  The hypervisor itself sets no breakpoints, so the
 * values a guest leaves behind are never armed on the host: its DR7 is
 * the host's (0x400) from the exit on.
 */
#ifndef HVM_DEBUGREG_H
#define HVM_DEBUGREG_H

#include <stdint.h>

#define HVM_DR6_RESET 0xffff0ff0ull /* SDM vol. 3A, 18.2.3; APM 13.1.1.3 */
#define HVM_DR7_RESET 0x400ull

static inline void hvm_dr_load(const uint64_t dr[4])
{
	asm volatile("mov %0, %%dr0\n\tmov %1, %%dr1\n\t"
		     "mov %2, %%dr2\n\tmov %3, %%dr3"
		     :
		     : "r"(dr[0]), "r"(dr[1]), "r"(dr[2]), "r"(dr[3]));
}

static inline void hvm_dr_save(uint64_t dr[4])
{
	asm volatile("mov %%dr0, %0" : "=r"(dr[0]));
	asm volatile("mov %%dr1, %0" : "=r"(dr[1]));
	asm volatile("mov %%dr2, %0" : "=r"(dr[2]));
	asm volatile("mov %%dr3, %0" : "=r"(dr[3]));
}

static inline uint64_t hvm_dr6_read(void)
{
	uint64_t v;

	asm volatile("mov %%dr6, %0" : "=r"(v));
	return v;
}

static inline void hvm_dr6_write(uint64_t v)
{
	asm volatile("mov %0, %%dr6" : : "r"(v));
}

#endif
