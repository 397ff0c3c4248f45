/*
 * The IDT and trap dispatch.  Exceptions in the hypervisor are fatal
 * unless the faulting instruction has an exception-table fixup; interrupt
 * vectors go to the handler registered with irq_set_handler().
 */
#include <trivisor/traps.h>
#include <trivisor/panic.h>
#include <trivisor/log.h>
#include <trivisor/cpu.h>
#include <trivisor/percpu.h>
#include <trivisor/lapic.h>
#include <trivisor/layout.h>
#include <vmi/errno.h>

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type; /* P, DPL, type 0xE = 64-bit interrupt gate */
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "SDM vol. 3A, 6.14.1");

static struct idt_gate idt[256] __attribute__((aligned(16)));
static irq_handler_t irq_handlers[256];
extern const uint64_t trap_stub_table[256];
extern const struct extable_entry __ex_table_start[], __ex_table_end[];

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
	"#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

const char *trap_name(unsigned int vector)
{
	return vector < 32 ? exc_names[vector] : "IRQ";
}

static void set_gate(unsigned int vec, uint64_t addr, unsigned int ist)
{
	struct idt_gate *g = &idt[vec];

	g->off_lo = addr & 0xffff;
	g->sel = GDT_CS64;
	g->ist = ist & 7;
	g->type = 0x8e;
	g->off_mid = (addr >> 16) & 0xffff;
	g->off_hi = (uint32_t)(addr >> 32);
	g->reserved = 0;
}

void idt_init(void)
{
	for (unsigned int v = 0; v < 256; v++)
		set_gate(v, trap_stub_table[v], 0);
	/* NMI, #DF and #MC can arrive on a broken stack: give them their own
	 * (SDM vol. 3A, 6.14.5 "Interrupt Stack Table"). */
	set_gate(2, trap_stub_table[2], IST_NMI);
	set_gate(8, trap_stub_table[8], IST_DF);
	set_gate(18, trap_stub_table[18], IST_MC);
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };

	asm volatile("lidt %0" : : "m"(idtr));
}

void irq_set_handler(unsigned int vector, irq_handler_t fn)
{
	BUG_ON(vector < 32 || vector > 255);
	irq_handlers[vector] = fn;
}

static bool fixup(struct cpu_regs *regs)
{
	for (const struct extable_entry *e = __ex_table_start;
	     e < __ex_table_end; e++) {
		if (e->insn == regs->rip) {
			regs->rip = e->fixup;
			return true;
		}
	}
	return false;
}

int rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;
	int ret = 0;

	asm volatile("1: rdmsr\n\t"
		     "jmp 3f\n\t"
		     "2: mov %[err], %[ret]\n\t"
		     "3:\n\t" EXTABLE(1b, 2b)
		     : "+a"(lo), "+d"(hi), [ret] "+r"(ret)
		     : "c"(msr), [err] "i"(-VMI_EIO));
	*val = ((uint64_t)hi << 32) | lo;
	return ret;
}

static void exception(struct cpu_regs *regs)
{
	unsigned int v = (unsigned int)regs->vector;

	if (fixup(regs))
		return;
	if (v == 2 && this_cpu()->stopped) {
		/* smp_stop_others() sends an NMI: stop here for good. */
		for (;;) {
			irq_disable();
			halt();
		}
	}
	if (v == 14)
		panic_regs(regs,
			   "exception %s (vector %u) at rip=%016lx error=%04lx "
			   "cr2=%016lx",
			   trap_name(v), v, regs->rip, regs->error_code,
			   read_cr2());
	panic_regs(regs, "exception %s (vector %u) at rip=%016lx error=%04lx",
		   trap_name(v), v, regs->rip, regs->error_code);
}

void trap_dispatch(struct cpu_regs *regs)
{
	unsigned int v = (unsigned int)regs->vector;
	irq_handler_t fn;

	if (v < 32) {
		exception(regs);
		return;
	}
	this_cpu()->irq_count++;
	if (v == VEC_SPURIOUS)
		return; /* no EOI for spurious (SDM vol. 3A, 11.9) */
	fn = irq_handlers[v];
	if (fn) {
		fn(regs);
	} else {
		/* Shared by every CPU: a racy count may let a line or two
		 * more through, never a flood. */
		static struct ratelimit rl = RATELIMIT_INIT(1000, 10);

		if (ratelimit_ok(&rl))
			log_warn("unexpected interrupt vector %u", v);
	}
	lapic_eoi();
}
