/* Ticket spinlocks. */
#ifndef TRIVISOR_SPINLOCK_H
#define TRIVISOR_SPINLOCK_H

#include <stdint.h>
#include <trivisor/cpu.h>

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
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
}

static inline bool spin_trylock(spinlock_t *l)
{
	uint16_t me = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	uint16_t want = me;

	if (__atomic_load_n(&l->next, __ATOMIC_RELAXED) != me)
		return false;
	return __atomic_compare_exchange_n(&l->next, &want, (uint16_t)(me + 1),
					   false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static inline uint64_t spin_lock_irqsave(spinlock_t *l)
{
	uint64_t f = irq_save();

	spin_lock(l);
	return f;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, uint64_t f)
{
	spin_unlock(l);
	irq_restore(f);
}

#endif
