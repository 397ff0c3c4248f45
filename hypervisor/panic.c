/*
 * panic(): report and stop.  Only for the hypervisor's own broken
 * invariants; guest misbehaviour is handled by crashing the domain.
 */
#include <trivisor/panic.h>
#include <trivisor/log.h>
#include <trivisor/cpu.h>
#include <trivisor/percpu.h>
#include <trivisor/platform.h>
#include <trivisor/smp.h>
#include <trivisor/layout.h>
#include <stdio.h>
#include <stdarg.h>

static volatile int panicking;

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_puts_unlocked(buf);
}

void dump_regs(const struct cpu_regs *r)
{
	out("  rip %016lx  cs %04lx  rflags %016lx\n", r->rip, r->cs,
	    r->rflags);
	out("  rsp %016lx  ss %04lx  cr2 %016lx  cr3 %016lx\n", r->rsp, r->ss,
	    read_cr2(), read_cr3());
	out("  rax %016lx  rbx %016lx  rcx %016lx\n", r->rax, r->rbx, r->rcx);
	out("  rdx %016lx  rsi %016lx  rdi %016lx\n", r->rdx, r->rsi, r->rdi);
	out("  rbp %016lx  r8  %016lx  r9  %016lx\n", r->rbp, r->r8, r->r9);
	out("  r10 %016lx  r11 %016lx  r12 %016lx\n", r->r10, r->r11, r->r12);
	out("  r13 %016lx  r14 %016lx  r15 %016lx\n", r->r13, r->r14, r->r15);
}

static bool frame_ok(uint64_t rbp)
{
	return rbp >= HV_AREA_START && rbp < HV_AREA_END - 16 &&
	       !(rbp & 7);
}

/*
 * Walk the frame-pointer chain (the hypervisor is built with
 * -fno-omit-frame-pointer): [rbp] = caller's rbp, [rbp + 8] = return rip.
 * Resolve addresses with `addr2line -e build/trivisor.elf`.
 */
void backtrace_from(uint64_t rbp)
{
	out("  backtrace:");
	for (int depth = 0; depth < 24 && frame_ok(rbp); depth++) {
		const uint64_t *f = (const uint64_t *)rbp;

		out(" %016lx", f[1]);
		if (f[0] <= rbp)
			break;
		rbp = f[0];
	}
	out("\n");
}

static __attribute__((noreturn)) void panic_finish(void)
{
	if (platform_exit_on_panic)
		platform_exit(false);
	smp_stop_others();
	out("trivisor: halted\n");
	for (;;) {
		irq_disable();
		halt();
	}
}

static void panic_begin(void)
{
	irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST)) {
		/* Another CPU is already panicking: just stop here. */
		for (;;)
			halt();
	}
}

void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	panic_begin();
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	out("\nPANIC on cpu%u: %s\n", this_cpu_id(), buf);
	backtrace_from((uint64_t)__builtin_frame_address(0));
	panic_finish();
}

void panic_regs(const struct cpu_regs *regs, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	panic_begin();
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	out("\nPANIC on cpu%u: %s\n", this_cpu_id(), buf);
	dump_regs(regs);
	out("  backtrace: %016lx (faulting rip)\n", regs->rip);
	backtrace_from(regs->rbp);
	panic_finish();
}
