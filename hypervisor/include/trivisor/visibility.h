/*
 * Included first in every hypervisor translation unit (-include).
 *
 * The image is compiled -fpie but linked static: marking every symbol
 * hidden tells the compiler that nothing is interposed, so it addresses
 * all of them RIP-relative instead of through a GOT.
 */
#pragma GCC visibility push(hidden)
