/*
 * platform_exit(): tell the host a run's result, then stop.
 *
 * QEMU: a write of v to the isa-debug-exit port (0xf4 here) ends QEMU with
 * exit status (v << 1) | 1.  Bochs: `xchg bx, bx` stops in the debugger
 * when magic_break is enabled (the runner's command file then quits with
 * status 0), and the string "Shutdown" written to port 0x8900 ends Bochs
 * with status 1.  On real hardware all three are harmless, and we halt.
 */
#include <trivisor/platform.h>
#include <trivisor/io.h>
#include <trivisor/cpu.h>
#include <trivisor/log.h>
#include <trivisor/smp.h>

#define DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900

bool platform_exit_on_panic;

void platform_exit(bool pass)
{
	irq_disable();
	console_puts_unlocked(pass ? "trivisor: run ended: PASS\n"
				   : "trivisor: run ended: FAIL\n");
	smp_stop_others();
	outb(DEBUG_EXIT_PORT, pass ? PLATFORM_EXIT_PASS : PLATFORM_EXIT_FAIL);
	if (pass) {
		asm volatile("xchg %%bx, %%bx" ::: "memory");
	} else {
		for (const char *s = "Shutdown"; *s; s++)
			outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
	}
	for (;;)
		halt();
}
