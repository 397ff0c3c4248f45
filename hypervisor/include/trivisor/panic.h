/* Fatal errors in the hypervisor itself (never for guest input). */
#ifndef TRIVISOR_PANIC_H
#define TRIVISOR_PANIC_H

#include <trivisor/traps.h>

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt,
							   ...);
/* Panic with the register state of a trap. */
__attribute__((noreturn, format(printf, 2, 3))) void
panic_regs(const struct cpu_regs *regs, const char *fmt, ...);

void dump_regs(const struct cpu_regs *regs);
void backtrace_from(uint64_t rbp);

#define BUG_ON(cond)                                                         \
	do {                                                                 \
		if (__builtin_expect(!!(cond), 0))                           \
			panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond);  \
	} while (0)

#ifdef NDEBUG
#define ASSERT(cond) ((void)0)
#else
#define ASSERT(cond) BUG_ON(!(cond))
#endif

#define BUILD_BUG_ON(cond) _Static_assert(!(cond), #cond)

#endif
