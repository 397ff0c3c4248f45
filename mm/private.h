/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mm/private.h - environment for the portable files of mm/.
 *
 * The portable files build twice: into the freestanding hypervisor
 * (__TRIVISOR__ is defined by the hypervisor's CFLAGS) and into host unit
 * tests.  This header is the only place that knows the difference, so the
 * .c files stay free of #ifdefs.
 */
#ifndef MM_PRIVATE_H
#define MM_PRIVATE_H

#ifdef __TRIVISOR__

/*
 * Debug builds turn a failed assertion into ud2, which the hypervisor's #UD
 * handler reports as a BUG with the faulting RIP (the same trick as Linux's
 * BUG()).  Release builds drop the check but keep the expression compiled,
 * so a variable used only in an assertion does not trigger -Wunused.
 */
#ifdef CONFIG_DEBUG
#define ASSERT(x)                                                            \
	do {                                                                 \
		if (!(x))                                                    \
			__builtin_trap();                                    \
	} while (0)
#else
#define ASSERT(x) ((void)sizeof(!(x)))
#endif

#else /* host */

#include <assert.h>
#define ASSERT(x) assert(x)

#endif /* __TRIVISOR__ */

#define BUILD_BUG_ON(cond) _Static_assert(!(cond), #cond)

#endif /* MM_PRIVATE_H */
