/*
 * The hypervisor log: levelled lines stamped with time and CPU, kept in a
 * ring for `tvctl dmesg` and queued for the serial console, which is
 * written with interrupts on and no lock held (docs/console.md).
 */
#ifndef TRIVISOR_LOG_H
#define TRIVISOR_LOG_H

#include <stdarg.h>
#include <stdint.h>
#include <stdbool.h>

#define LOG_ERR 0
#define LOG_WARN 1
#define LOG_INFO 2
#define LOG_DEBUG 3

void log_printf(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vprintf(int level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#define log_err(...) log_printf(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_printf(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_printf(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

/* Set the most verbose level printed; -1 on an unknown name. */
int log_set_level_name(const char *name);
int log_level(void);

/*
 * Rate limiting for anything a guest can trigger: at most @burst messages
 * per @interval_ns; the next allowed message reports how many were missed.
 */
struct ratelimit {
	uint64_t interval_ns;
	uint32_t burst;
	uint32_t printed;
	uint32_t missed;
	uint64_t begin_ns;
};

#define RATELIMIT_INIT(interval_ms, burst_)                                  \
	{ .interval_ns = (uint64_t)(interval_ms) * 1000000, .burst = (burst_) }

bool ratelimit_ok(struct ratelimit *rl);

/*
 * Copy log text from offset *@pos (bytes since boot) into @buf; advances
 * *@pos and returns the bytes copied.  An offset older than the ring holds
 * moves to the oldest byte held.
 */
uint64_t log_ring_read(uint64_t *pos, char *buf, uint64_t len);

/* Raw console output, no prefix, no lock (the panic and exit paths): from
 * here on the console writes synchronously, what is queued first. */
void console_write(const char *s, uint64_t len);
void console_puts_unlocked(const char *s);

struct domain;
/*
 * Serial output of @d (COM1 or VMI CONSOLE_WRITE) into its console buffer
 * (docs/console.md); @raw: it is the attach= domain, whose bytes go to the
 * console as they come.  Any context: nothing here waits for the UART.
 * What does not fit is dropped and counted.
 */
void console_guest_output(struct domain *d, bool raw, const char *buf,
			  uint64_t len);
/* @d has ended: its last output into the log, and what was dropped
 * reported.  Interrupts on, no lock held. */
void console_domain_end(struct domain *d);
/* Log the console's loss and check counters, and the longest stretch with
 * interrupts off (trivisor/spinlock.h). */
void console_report(void);
/*
 * For every CPU's scheduler loop (interrupts on, no lock held): guest
 * output into the log, the console queue to the UART until time_ns()
 * reaches @until.  Returns when it wants to run again (UINT64_MAX: when
 * more comes).
 */
uint64_t console_service(uint64_t until);

#endif
