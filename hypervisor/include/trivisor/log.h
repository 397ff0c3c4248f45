/*
 * The hypervisor log: levelled lines stamped with time and CPU, written to
 * the serial console.
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

/* A log line that goes to the ring only (an attached domain's console
 * output, which the console shows raw). */
void log_ring_printf(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Raw console output, no prefix, no lock (panic path). */
void console_write(const char *s, uint64_t len);
void console_puts_unlocked(const char *s);

#endif
