/*
 * Time: a monotonic clock in nanoseconds since boot derived from the TSC,
 * and the calibration that gives the TSC and LAPIC timer frequencies.
 */
#ifndef TRIVISOR_TIME_H
#define TRIVISOR_TIME_H

#include <stdbool.h>
#include <stdint.h>

/* Nanoseconds since time_init(); 0 before it. */
uint64_t time_ns(void);
void time_init(void);
uint64_t tsc_khz(void);
/*
 * The TSC value at which time_ns() was 0.  Guests see TSC - origin, so
 * that their TSC and the platform clock they are timed by agree:
 * guest_tsc = time_ns() * tsc_khz() / 10^6 (hvm/include/hvm/vlapic.h).
 */
uint64_t time_tsc_origin(void);
/* time_ns() at host TSC value @tsc. */
uint64_t time_tsc_ns(uint64_t tsc);
/* The scale time_ns() uses: ns per TSC tick, 32.32 fixed point. */
uint64_t time_tsc_mult(void);
/* CPUID 0x80000007 EDX[8]: the TSC runs at a constant rate. */
bool time_tsc_invariant(void);
void udelay(uint64_t us);
void mdelay(uint64_t ms);

#endif
