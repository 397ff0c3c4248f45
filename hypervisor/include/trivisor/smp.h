/* Application processors and cross-CPU calls. */
#ifndef TRIVISOR_SMP_H
#define TRIVISOR_SMP_H

#include <stdbool.h>
#include <trivisor/percpu.h>

/* Start every AP the MADT lists; returns how many came online. */
unsigned int smp_boot_aps(void);
unsigned int smp_online_count(void);

/*
 * Run @fn(@arg) on @cpu from its interrupt handler.  With @wait, return
 * only once it has run.  Returns 0, -VMI_EINVAL for a CPU that is not
 * online, -VMI_ETIMEDOUT if the target did not answer within a second.
 * Must not be called with interrupts disabled while waiting on a CPU that
 * might be calling us.
 */
int smp_call_on(unsigned int cpu, smp_call_fn fn, void *arg, bool wait);

/* Halt every other CPU (panic, platform_exit). */
void smp_stop_others(void);

#endif
