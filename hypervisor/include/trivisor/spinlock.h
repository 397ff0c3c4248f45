/*
 * Ticket spinlocks.  Each CPU counts the locks it holds, and the
 * irqsave/irqrestore pair that turns interrupts off and on again is timed
 * with the TSC (hypervisor/lockstat.c): the console never polls the UART
 * while either says it must not (docs/console.md).
 */
#ifndef TRIVISOR_SPINLOCK_H
#define TRIVISOR_SPINLOCK_H

#include <stdint.h>
#include <stdbool.h>
#include <trivisor/cpu.h>

/* Bookkeeping of hypervisor/lockstat.c, called by the functions below. */
void lockstat_acquired(void);
void lockstat_released(void);
void lockstat_irqoff_begin(void);
void lockstat_irqoff_end(void);
/* Spinlocks this CPU holds now. */
unsigned int lockstat_held(void);
/* The longest interrupts-off stretch so far on any CPU, in us; the CPU
 * and the code address of the spin_lock_irqsave() that began it. */
uint64_t lockstat_irqoff_max_us(unsigned int *cpu, void **site);
/* Log it, and each CPU's longest. */
void lockstat_report(void);

typedef struct {
	volatile uint16_t next;
	volatile uint16_t owner;
} spinlock_t;

#define SPINLOCK_INIT { 0, 0 }

static inline void spin_lock(spinlock_t *l)
{
	uint16_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
		cpu_relax();
	lockstat_acquired();
}

static inline void spin_unlock(spinlock_t *l)
{
	lockstat_released();
	__atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
}

static inline bool spin_trylock(spinlock_t *l)
{
	uint16_t me = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	uint16_t want = me;

	if (__atomic_load_n(&l->next, __ATOMIC_RELAXED) != me)
		return false;
	if (!__atomic_compare_exchange_n(&l->next, &want, (uint16_t)(me + 1),
					 false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return false;
	lockstat_acquired();
	return true;
}

static inline uint64_t spin_lock_irqsave(spinlock_t *l)
{
	uint64_t f = irq_save();

	/* Timed from here: spinning for the lock counts too. */
	if (f & RFLAGS_IF)
		lockstat_irqoff_begin();
	spin_lock(l);
	return f;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, uint64_t f)
{
	spin_unlock(l);
	if (f & RFLAGS_IF)
		lockstat_irqoff_end();
	irq_restore(f);
}

#endif
