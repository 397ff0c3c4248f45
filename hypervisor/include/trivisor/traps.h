/* Exceptions and interrupts. */
#ifndef TRIVISOR_TRAPS_H
#define TRIVISOR_TRAPS_H

#include <stdint.h>

/* What arch/entry.S saves; the order is fixed by its pushes. */
struct cpu_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	/* Pushed by the CPU. */
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct cpu_regs) == 22 * 8, "entry.S layout");

/* Vectors the hypervisor uses for its own interrupts. */
#define VEC_FIRST_IRQ 0x20
#define VEC_LAPIC_TIMER 0xef /* the scheduler's timer */
#define VEC_SELFTEST_TIMER 0xee /* the timer self-test's own */
#define VEC_CALL_FUNCTION 0xf0
#define VEC_KICK 0xf2
#define VEC_SPURIOUS 0xff

typedef void (*irq_handler_t)(struct cpu_regs *regs);

/* Install the IDT on this CPU (the table itself is shared). */
void idt_init(void);
void idt_load(void);

/* Route an interrupt vector (>= 32) to a handler. */
void irq_set_handler(unsigned int vector, irq_handler_t fn);

void trap_dispatch(struct cpu_regs *regs);

/* Name of an exception vector ("#PF"), or "IRQ". */
const char *trap_name(unsigned int vector);

/*
 * Exception fixups: an instruction that may fault (rdmsr on an MSR that
 * may not exist) records (faulting rip, continuation rip) in __ex_table;
 * a fault there resumes at the continuation instead of panicking.
 */
struct extable_entry {
	uint64_t insn, fixup;
};

#define EXTABLE(from, to)                                                    \
	".pushsection __ex_table, \"a\"\n\t.balign 8\n\t.quad " #from        \
	", " #to "\n\t.popsection\n\t"

#endif
