/*
 * private.h - library-internal entry points (not for test kernels).
 */
#ifndef GUEST_PRIVATE_H
#define GUEST_PRIVATE_H

#include "guest.h"

/* trap.c */
void trap_init(void);
void trap_load(unsigned int index);
void trap_dispatch(struct trap_frame *f);

/* console.c */
void uart_init(void);

/* timer.c: the median of three 54.9 ms PIT windows */
void tsc_calibrate(void);

/* boot.c, smp.c: entered from entry.S */
__attribute__((noreturn)) void guest_boot(uint32_t magic, uint32_t mbi_addr);
__attribute__((noreturn)) void ap_entry(void);

#endif /* GUEST_PRIVATE_H */
