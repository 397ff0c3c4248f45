/*
 * Per-CPU data, reached through the GS base (MSR_GS_BASE points at the
 * CPU's struct percpu, whose first field points at itself).
 */
#ifndef TRIVISOR_PERCPU_H
#define TRIVISOR_PERCPU_H

#include <stdint.h>
#include <stdbool.h>
#include <trivisor/layout.h>

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "SDM vol. 3A, 8.7");

/* IST slots (1-based, as in the IDT gate). */
#define IST_NMI 1
#define IST_DF 2
#define IST_MC 3

typedef void (*smp_call_fn)(void *arg);

struct percpu {
	struct percpu *self; /* must stay first: this_cpu() reads %gs:0 */
	unsigned int cpu; /* logical index, 0 = boot CPU */
	uint32_t apic_id;
	volatile bool online; /* set by the CPU itself, read by others */
	volatile bool stopped;

	/* Cross-CPU call mailbox; guarded by call_lock in smp.c. */
	volatile smp_call_fn call_fn;
	void *volatile call_arg;
	volatile uint32_t call_seq; /* bumped by the sender */
	volatile uint32_t call_done; /* set to call_seq by the target */

	uint64_t gdt[8] __attribute__((aligned(16)));
	struct tss64 tss __attribute__((aligned(16)));

	uint64_t irq_count;
	uint64_t timer_ticks;
};

extern struct percpu percpu[MAX_CPUS];
extern unsigned int nr_cpus; /* CPUs found in the MADT */

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	asm volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}

unsigned int this_cpu_id(void);

#endif
