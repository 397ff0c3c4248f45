/* Scheduler internals shared with the run loop. */
#ifndef TRIVISOR_SCHED_H
#define TRIVISOR_SCHED_H

#include <stdint.h>

void sched_init(void);
/* Make the LAPIC timer interrupt this CPU at @deadline_ns (time_ns()). */
void sched_arm_timer(uint64_t deadline_ns);

#endif
