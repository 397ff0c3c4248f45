/* The 8254 PIT, used only to calibrate the TSC and the LAPIC timer. */
#ifndef TRIVISOR_PIT_H
#define TRIVISOR_PIT_H

#include <stdint.h>

#define PIT_HZ 1193182u

/* Start a one-shot count of @ticks on channel 2 (gate through port 0x61). */
void pit_oneshot_start(uint16_t ticks);
/* True once the count started by pit_oneshot_start() has run out. */
int pit_oneshot_done(void);

#endif
