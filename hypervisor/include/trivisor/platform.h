/*
 * Ending a run with a result the host can read: QEMU's isa-debug-exit
 * device and Bochs's debugger hooks (see docs/testing.md).
 */
#ifndef TRIVISOR_PLATFORM_H
#define TRIVISOR_PLATFORM_H

#include <stdbool.h>

/* Values written to the isa-debug-exit port; QEMU exits (v << 1) | 1. */
#define PLATFORM_EXIT_PASS 0x10 /* QEMU status 33 */
#define PLATFORM_EXIT_FAIL 0x11 /* QEMU status 35 */

__attribute__((noreturn)) void platform_exit(bool pass);

/* Whether the command line asked to end the platform run on panic. */
extern bool platform_exit_on_panic;

#endif
