/*
 * console.c - COM1 output and the run's result.
 *
 * The UART is a 16550 at 0x3f8, driven polled at 115200 8N1 (no interrupts:
 * IER = 0, OUT2 clear).  One lock serialises lines from several CPUs; the
 * CPU holding it may re-enter (an NMI or exception handler that prints).
 *
 * The result goes out as a "GUEST-RESULT:" line and then a write to the
 * isa-debug-exit port 0xf4: QEMU exits with (v << 1) | 1, so 0x10 -> 33
 * (pass), 0x11 -> 35 (fail).  For Bochs the same pair as trivisor's
 * platform_exit() follows (magic breakpoint for pass, "Shutdown" to port
 * 0x8900 for fail); under a hypervisor these are ordinary instructions and
 * an unclaimed port, and the CPU then halts with interrupts off.
 */
#include "private.h"

#define COM1 0x3f8
#define UART_THR 0
#define UART_IER 1
#define UART_DLL 0
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_LSR_THRE 0x20
#define UART_LCR_DLAB 0x80

#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_PASS 0x10
#define DEBUG_EXIT_FAIL 0x11
#define BOCHS_SHUTDOWN_PORT 0x8900

static struct spinlock console_lock;
static volatile uint32_t console_owner = ~0u; /* CPU index holding it */
static volatile uint32_t result_claimed;


void uart_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, UART_LCR_DLAB);
	outb(COM1 + UART_DLL, 1); /* 115200 baud */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, 0x03); /* 8N1 */
	outb(COM1 + UART_FCR, 0x07); /* FIFO on, both cleared */
	outb(COM1 + UART_MCR, 0x03); /* DTR, RTS */
}

static void uart_putc(char c)
{
	/* Bounded: a missing UART must not hang the test. */
	for (int i = 0; i < 100000; i++)
		if (inb(COM1 + UART_LSR) & UART_LSR_THRE)
			break;
	outb(COM1 + UART_THR, (uint8_t)c);
}

static uint32_t console_lock_get(void)
{
	uint32_t flags = irq_save();
	struct cpu *c = this_cpu();

	if (console_owner != c->index) {
		spin_lock(&console_lock);
		console_owner = c->index;
	}
	c->console_depth++;
	return flags;
}

static void console_lock_put(uint32_t flags)
{
	struct cpu *c = this_cpu();

	if (--c->console_depth == 0) {
		console_owner = ~0u;
		spin_unlock(&console_lock);
	}
	irq_restore(flags);
}

void console_write(const char *s, size_t len)
{
	uint32_t flags = console_lock_get();

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
	console_lock_put(flags);
}

int vprintf(const char *fmt, va_list ap)
{
	char buf[256];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	console_write(buf, (size_t)n < sizeof(buf) ? (size_t)n
						   : sizeof(buf) - 1);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

__attribute__((noreturn)) static void finish(bool pass)
{
	cli();
	outb(DEBUG_EXIT_PORT, pass ? DEBUG_EXIT_PASS : DEBUG_EXIT_FAIL);
	if (pass) {
		asm volatile("xchg %%bx, %%bx" ::: "memory");
	} else {
		for (const char *s = "Shutdown"; *s; s++)
			outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
	}
	for (;;)
		hlt();
}

/* Only the first result of a run is reported; a second CPU that fails
 * at the same time just stops. */
static void claim_result(void)
{
	if (__atomic_exchange_n(&result_claimed, 1, __ATOMIC_ACQ_REL)) {
		cli();
		for (;;)
			hlt();
	}
}

void guest_pass(const char *name)
{
	claim_result();
	printf("GUEST-RESULT: PASS %s\n", name);
	finish(true);
}

void guest_skip(const char *name, const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	claim_result();
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("%s: skipped: %s\n", name, buf);
	printf("GUEST-RESULT: PASS %s\n", name);
	finish(true);
}

void guest_fail(const char *name, const char *fmt, ...)
{
	char buf[200];
	va_list ap;

	claim_result();
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("GUEST-RESULT: FAIL %s: %s\n", name, buf);
	finish(false);
}
