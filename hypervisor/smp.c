/*
 * Bringing up the application processors and talking to them.
 *
 * Start-up follows the INIT-SIPI-SIPI sequence (SDM vol. 3A, 9.4.4.1):
 * INIT, 10 ms, STARTUP, 200 us, STARTUP, then wait for the AP to report.
 * APs are started one at a time because they share the trampoline.
 */
#include <trivisor/smp.h>
#include <trivisor/percpu.h>
#include <trivisor/acpi.h>
#include <trivisor/lapic.h>
#include <trivisor/paging.h>
#include <trivisor/traps.h>
#include <trivisor/time.h>
#include <trivisor/log.h>
#include <trivisor/cpu.h>
#include <trivisor/fpu.h>
#include <trivisor/panic.h>
#include <trivisor/spinlock.h>
#include <trivisor/init.h>
#include <trivisor/domain.h>
#include <vmi/errno.h>
#include <string.h>

struct percpu percpu[MAX_CPUS];
unsigned int nr_cpus = 1;
uint8_t cpu_stacks[MAX_CPUS][STACK_SIZE] __attribute__((aligned(4096)));

extern const char __ap_trampoline_start[], __ap_trampoline_end[];
extern const char ap_tramp_start[], tramp_cr3[], tramp_stack[], tramp_cpu[],
	tramp_entry[];

static spinlock_t call_lock = SPINLOCK_INIT;


/* Set once the boot CPU's GS base points at its struct percpu. */
static bool gs_ready;

unsigned int this_cpu_id(void)
{
	/* Before that (very early boot) this is CPU 0. */
	if (!gs_ready)
		return 0;
	return this_cpu()->cpu;
}

unsigned int smp_online_count(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < nr_cpus; i++)
		n += percpu[i].online;
	return n;
}

static void call_function_irq(struct cpu_regs *regs)
{
	struct percpu *pc = this_cpu();
	uint32_t seq = pc->call_seq;
	smp_call_fn fn = pc->call_fn;

	(void)regs;
	if (fn && pc->call_done != seq) {
		fn(pc->call_arg);
		__atomic_store_n(&pc->call_done, seq, __ATOMIC_RELEASE);
	}
}

/* Everything a CPU sets up for itself, the boot CPU included. */
void cpu_init_common(unsigned int cpu)
{
	struct percpu *pc = &percpu[cpu];

	pc->self = pc;
	pc->cpu = cpu;
	wrmsr(MSR_GS_BASE, (uint64_t)pc);
	gs_ready = true;
	gdt_load_this_cpu(pc);
	idt_load();
	/*
	 * The hypervisor itself never touches the FPU (-mgeneral-regs-only),
	 * but it keeps each vCPU's x87/SSE/AVX state with XSAVE/XRSTOR (or
	 * FXSAVE/FXRSTOR), which include the XMM registers only with
	 * CR4.OSFXSR (SDM vol. 2, FXSAVE; APM vol. 2, 11.4.4); fpu_cpu_init()
	 * sets CR4.OSXSAVE and the host XCR0 (hypervisor/fpu.c).
	 */
	write_cr0((read_cr0() | CR0_MP) & ~(CR0_EM | CR0_TS));
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	fpu_cpu_init();
}

void ap_entry(unsigned int cpu)
{
	struct percpu *pc = &percpu[cpu];

	write_cr3(paging_root());
	write_cr4(read_cr4() | CR4_PGE);
	cpu_init_common(cpu);
	lapic_init_this_cpu();
	pc->apic_id = lapic_id();
	__atomic_store_n(&pc->online, true, __ATOMIC_RELEASE);
	log_info("CPU %u online (APIC id %u)", cpu, pc->apic_id);
	irq_enable();
	sched_loop();
}

static void write_tramp(const char *field, uint64_t v)
{
	uint64_t off = (uint64_t)(field - ap_tramp_start);

	memcpy(pa_to_va(AP_TRAMPOLINE_PA + off), &v, sizeof(v));
}

static bool start_ap(unsigned int cpu, uint32_t apic_id)
{
	struct percpu *pc = &percpu[cpu];
	uint64_t deadline;

	pc->cpu = cpu;
	pc->apic_id = apic_id;
	write_tramp(tramp_cr3, SYM_VALUE(boot_pml4)); /* physical, < 4 GiB */
	write_tramp(tramp_stack, (uint64_t)&cpu_stacks[cpu][STACK_SIZE]);
	write_tramp(tramp_cpu, cpu);
	write_tramp(tramp_entry, (uint64_t)ap_entry);

	lapic_send_ipi(apic_id, APIC_DM_INIT, 0);
	mdelay(10);
	for (int i = 0; i < 2; i++) {
		lapic_send_ipi(apic_id, APIC_DM_STARTUP,
			       AP_TRAMPOLINE_PA >> PAGE_SHIFT);
		udelay(200);
	}
	deadline = time_ns() + 2000000000ul;
	while (!__atomic_load_n(&pc->online, __ATOMIC_ACQUIRE)) {
		if (time_ns() > deadline)
			return false;
		cpu_relax();
	}
	return true;
}

unsigned int smp_boot_aps(void)
{
	uint32_t self = lapic_id();
	uint64_t len = (uint64_t)(__ap_trampoline_end - __ap_trampoline_start);

	irq_set_handler(VEC_CALL_FUNCTION, call_function_irq);
	BUG_ON(len > PAGE_SIZE);
	memcpy(pa_to_va(AP_TRAMPOLINE_PA), __ap_trampoline_start, len);

	percpu[0].apic_id = self;
	percpu[0].online = true;
	for (unsigned int i = 0; i < acpi_madt.nr_cpus; i++) {
		uint32_t id = acpi_madt.apic_ids[i];

		if (id == self)
			continue;
		if (nr_cpus >= MAX_CPUS) {
			log_warn("more than %d CPUs: APIC id %u not started",
				 MAX_CPUS, id);
			continue;
		}
		if (!start_ap(nr_cpus, id)) {
			log_err("CPU with APIC id %u did not come online", id);
			continue;
		}
		nr_cpus++;
	}
	log_info("SMP: %u CPU(s) online", smp_online_count());
	return smp_online_count();
}

int smp_call_on(unsigned int cpu, smp_call_fn fn, void *arg, bool wait)
{
	struct percpu *pc;
	uint64_t deadline;
	uint32_t seq;
	int ret = 0;

	if (cpu >= nr_cpus || !percpu[cpu].online)
		return -VMI_EINVAL;
	if (cpu == this_cpu_id()) {
		uint64_t f = irq_save();

		fn(arg);
		irq_restore(f);
		return 0;
	}
	pc = &percpu[cpu];
	deadline = time_ns() + 1000000000ul;
	spin_lock(&call_lock);
	/* The mailbox is free once the previous call has run. */
	while (__atomic_load_n(&pc->call_done, __ATOMIC_ACQUIRE) !=
	       pc->call_seq) {
		if (time_ns() > deadline) {
			ret = -VMI_ETIMEDOUT;
			goto out;
		}
		cpu_relax();
	}
	pc->call_fn = fn;
	pc->call_arg = arg;
	seq = pc->call_seq + 1;
	__atomic_store_n(&pc->call_seq, seq, __ATOMIC_RELEASE);
	lapic_send_ipi(pc->apic_id, APIC_DM_FIXED, VEC_CALL_FUNCTION);
	while (wait && __atomic_load_n(&pc->call_done, __ATOMIC_ACQUIRE) != seq) {
		if (time_ns() > deadline) {
			ret = -VMI_ETIMEDOUT;
			break;
		}
		cpu_relax();
	}
out:
	spin_unlock(&call_lock);
	return ret;
}

void smp_stop_others(void)
{
	unsigned int me = this_cpu_id();

	for (unsigned int i = 0; i < nr_cpus; i++) {
		if (i == me || !percpu[i].online)
			continue;
		percpu[i].stopped = true;
		lapic_send_ipi(percpu[i].apic_id, APIC_DM_NMI, 0);
	}
}
