/*
 * Per-CPU lock bookkeeping behind trivisor/spinlock.h: how many spinlocks
 * the CPU holds (the console polls the UART only when none, and with
 * interrupts on: serial.c checks it), and the longest stretch with
 * interrupts off between a spin_lock_irqsave() that turned them off and
 * the spin_unlock_irqrestore() that turned them on again, measured with
 * the TSC.  Waiting for the lock is part of the stretch: a CPU spinning
 * on a lock held for long is as dark as the holder.
 *
 * Each CPU writes only its own slot, with interrupts off while a stretch
 * is open; other CPUs read the maxima for the report, which may be a
 * stretch behind.
 */
#include <trivisor/spinlock.h>
#include <trivisor/percpu.h>
#include <trivisor/time.h>
#include <trivisor/log.h>
#include <stdio.h>

struct lockstat {
	unsigned int held;
	uint64_t irqoff_since; /* TSC at the open stretch's start, 0: none */
	void *irqoff_site; /* where the open stretch began */
	uint64_t irqoff_max; /* TSC ticks */
	void *irqoff_max_site;
	uint64_t irqoff_count, irqoff_long; /* stretches; over LONG_US */
} __attribute__((aligned(64)));

/* A stretch this long is worth counting: a lost timer tick at 100 Hz. */
#define LONG_US 10000

static struct lockstat stats[MAX_CPUS];

void lockstat_acquired(void)
{
	stats[this_cpu_id()].held++;
}

void lockstat_released(void)
{
	struct lockstat *s = &stats[this_cpu_id()];

	if (s->held)
		s->held--;
}

unsigned int lockstat_held(void)
{
	return stats[this_cpu_id()].held;
}

__attribute__((noinline)) void lockstat_irqoff_begin(void)
{
	struct lockstat *s = &stats[this_cpu_id()];

	s->irqoff_since = rdtsc();
	/* Inlined spin_lock_irqsave() called us: this is its caller. */
	s->irqoff_site = __builtin_return_address(0);
}

void lockstat_irqoff_end(void)
{
	struct lockstat *s = &stats[this_cpu_id()];
	uint64_t t;

	if (!s->irqoff_since)
		return;
	t = rdtsc() - s->irqoff_since;
	s->irqoff_since = 0;
	s->irqoff_count++;
	if (t * 1000 >= (uint64_t)LONG_US * tsc_khz())
		s->irqoff_long++;
	if (t > s->irqoff_max) {
		s->irqoff_max = t;
		s->irqoff_max_site = s->irqoff_site;
	}
}

static uint64_t tsc_to_us(uint64_t t)
{
	uint64_t khz = tsc_khz();

	return khz ? t * 1000 / khz : 0;
}

uint64_t lockstat_irqoff_max_us(unsigned int *cpu, void **site)
{
	uint64_t max = 0;

	*cpu = 0;
	*site = NULL;
	for (unsigned int i = 0; i < MAX_CPUS; i++) {
		uint64_t m = __atomic_load_n(&stats[i].irqoff_max,
					     __ATOMIC_RELAXED);

		if (m > max) {
			max = m;
			*cpu = i;
			*site = stats[i].irqoff_max_site;
		}
	}
	return tsc_to_us(max);
}

void lockstat_report(void)
{
	char line[200];
	size_t n = 0;
	unsigned int cpu;
	void *site;
	uint64_t max = lockstat_irqoff_max_us(&cpu, &site), count = 0, lng = 0;

	for (unsigned int i = 0; i < MAX_CPUS; i++) {
		count += __atomic_load_n(&stats[i].irqoff_count,
					 __ATOMIC_RELAXED);
		lng += __atomic_load_n(&stats[i].irqoff_long, __ATOMIC_RELAXED);
	}

	for (unsigned int i = 0; i < nr_cpus && i < MAX_CPUS; i++) {
		int w = snprintf(line + n, sizeof(line) - n, "%s%lu",
				 n ? " " : "",
				 tsc_to_us(__atomic_load_n(&stats[i].irqoff_max,
							   __ATOMIC_RELAXED)));

		if (w < 0 || n + (size_t)w >= sizeof(line))
			break;
		n += (size_t)w;
	}
	log_info("irqs off: longest stretch %lu us on cpu%u (lock taken at "
		 "%p); per CPU, us: %s; %lu of %lu stretches over %u us", max,
		 cpu, site, line, lng, count, LONG_US);
}
