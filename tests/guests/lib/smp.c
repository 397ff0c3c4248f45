/*
 * smp.c - starting the other CPUs and running work on them.
 *
 * The boot CPU copies the real-mode trampoline (entry.S) to AP_TRAMPOLINE
 * and wakes each CPU the MADT lists with INIT, a 10 ms wait, and up to two
 * STARTUP IPIs 200 us apart (SDM vol. 3A, 8.4.4.1, "Typical BSP
 * Initialization Sequence").  CPUs start one at a time because they share
 * ap_boot_esp.  An AP loads the library's GDT/IDT, enables its LAPIC and
 * then idles in "sti; hlt", waking for the VEC_WAKE IPI that smp_call()
 * sends after posting work.
 */
#include "private.h"

extern const char ap_tramp_start[], ap_tramp_end[];

#define SMP_CALL_TIMEOUT_US 20000000

volatile uint32_t ap_boot_esp;
static volatile unsigned int ap_boot_index;
static volatile unsigned int nr_online = 1;
static uint8_t ap_stacks[GUEST_MAX_CPUS][STACK_SIZE]
	__attribute__((aligned(16)));

void ap_entry(void)
{
	unsigned int idx = ap_boot_index;
	struct cpu *c;

	trap_load(idx);
	c = this_cpu();
	lapic_init();
	c->stack_top = ap_boot_esp;
	c->online = true;
	__atomic_add_fetch(&nr_online, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		void (*fn)(void *);

		cli();
		fn = c->work_fn;
		if (fn) {
			void *arg = c->work_arg;

			c->work_fn = NULL;
			sti();
			fn(arg);
			__atomic_add_fetch(&c->work_done, 1, __ATOMIC_SEQ_CST);
			continue;
		}
		sti_hlt();
	}
}

static void wake_handler(struct trap_frame *f)
{
	(void)f;
}

static bool trampoline_in_ram(void)
{
	for (unsigned int i = 0; i < guest_plat.nr_mem; i++) {
		const struct mem_range *r = &guest_plat.mem[i];

		if (r->type == MEM_AVAILABLE && r->base <= AP_TRAMPOLINE &&
		    r->base + r->len >= AP_TRAMPOLINE + 4096)
			return true;
	}
	return false;
}

static bool wait_online(struct cpu *c, uint64_t us)
{
	uint64_t end = now_us() + us;

	while (now_us() < end)
		if (c->online)
			return true;
	return c->online;
}

unsigned int smp_start_aps(void)
{
	uint32_t self = lapic_id();
	unsigned int next = 1;

	if (nr_online > 1)
		return nr_online;
	if (!trampoline_in_ram())
		printf("smp: warning: %#x is not available RAM in the memory "
		       "map; using it anyway\n",
		       AP_TRAMPOLINE);
	memcpy((void *)AP_TRAMPOLINE, ap_tramp_start,
	       (size_t)(ap_tramp_end - ap_tramp_start));
	irq_set_handler(VEC_WAKE, wake_handler);

	for (unsigned int i = 0; i < guest_plat.nr_cpus; i++) {
		uint32_t id = guest_plat.apic_ids[i];
		struct cpu *c;
		uint64_t t0;

		if (id == self || next >= GUEST_MAX_CPUS)
			continue;
		c = &guest_cpus[next];
		ap_boot_index = next;
		ap_boot_esp = (uint32_t)&ap_stacks[next][STACK_SIZE];
		c->apic_id = id;
		t0 = now_us();
		lapic_send_ipi(id, ICR_INIT | ICR_ASSERT);
		delay_us(10000);
		for (int sipi = 0; sipi < 2 && !c->online; sipi++) {
			lapic_send_ipi(id, ICR_STARTUP |
						   (AP_TRAMPOLINE >> 12));
			delay_us(200);
		}
		if (!wait_online(c, 1000000)) {
			/* It might still wake later and reuse ap_boot_esp:
			 * start no further CPUs. */
			printf("smp: CPU with APIC id %u did not start\n", id);
			break;
		}
		printf("smp: CPU %u online (APIC id %u) after %u us\n", next,
		       c->apic_id, (uint32_t)(now_us() - t0));
		next++;
	}
	return nr_online;
}

unsigned int smp_online(void)
{
	return nr_online;
}

bool smp_call(unsigned int index, void (*fn)(void *), void *arg, bool wait)
{
	struct cpu *c;
	uint32_t done;
	uint64_t end;

	if (index >= GUEST_MAX_CPUS)
		return false;
	c = &guest_cpus[index];
	if (!c->online || c == this_cpu())
		return false;
	end = now_us() + SMP_CALL_TIMEOUT_US;
	while (c->work_fn)
		if (now_us() > end)
			return false;
	done = c->work_done;
	c->work_arg = arg;
	__atomic_store_n(&c->work_fn, fn, __ATOMIC_RELEASE);
	lapic_send_ipi(c->apic_id, ICR_FIXED | VEC_WAKE);
	if (!wait)
		return true;
	/* The boot CPU waits in hlt, leaving the host's cores to the CPU
	 * doing the work (see idle_until()); the others spin. */
	if (this_cpu()->index == 0 && irqs_enabled())
		return idle_until(&c->work_done, done + 1, SMP_CALL_TIMEOUT_US);
	while (c->work_done == done)
		if (now_us() > end)
			return false;
	return true;
}
