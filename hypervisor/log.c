/*
 * Log lines look like
 *     [    1.234567] cpu1 warn: message
 * and go to the console UART (COM1 unless console= says otherwise).  One
 * lock serialises whole lines across CPUs; the panic
 * path writes without it.
 */
#include <trivisor/log.h>
#include <trivisor/serial.h>
#include <trivisor/spinlock.h>
#include <trivisor/percpu.h>
#include <trivisor/time.h>
#include <stdio.h>
#include <trivisor/init.h>
#include <string.h>

static spinlock_t log_lock = SPINLOCK_INIT;
static int cur_level = LOG_INFO;
static uint16_t console_port = COM1_PORT;
static bool console_enabled = true;

static const char *const level_names[] = { "err", "warn", "info", "debug" };

/*
 * The last LOG_RING_SIZE bytes of log text, for `tvctl dmesg` (the
 * management agent reads it with log_ring_read()).  ring_head counts every
 * byte ever written, so a reader's offset says whether it fell behind.
 * Guarded by log_lock.
 */
#define LOG_RING_SIZE 65536
static char ring[LOG_RING_SIZE];
static uint64_t ring_head;

static void ring_put(const char *s, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		ring[(ring_head + i) % LOG_RING_SIZE] = s[i];
	ring_head += len;
}

uint64_t log_ring_read(uint64_t *pos, char *buf, uint64_t len)
{
	uint64_t flags = spin_lock_irqsave(&log_lock), n = 0;
	uint64_t oldest = ring_head > LOG_RING_SIZE ? ring_head - LOG_RING_SIZE
						    : 0;

	if (*pos < oldest || *pos > ring_head)
		*pos = oldest;
	while (n < len && *pos < ring_head) {
		buf[n++] = ring[*pos % LOG_RING_SIZE];
		(*pos)++;
	}
	spin_unlock_irqrestore(&log_lock, flags);
	return n;
}

void console_configure(uint16_t port, bool enabled)
{
	console_port = port;
	console_enabled = enabled;
	if (enabled)
		serial_init(port, 115200);
}

static void emit(const char *s, uint64_t len)
{
	if (!console_enabled)
		return;
	for (uint64_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc(console_port, '\r');
		serial_putc(console_port, s[i]);
	}
}

void console_write(const char *s, uint64_t len)
{
	emit(s, len);
}

void console_puts_unlocked(const char *s)
{
	emit(s, strlen(s));
}

int log_set_level_name(const char *name)
{
	for (int i = 0; i < 4; i++) {
		if (!strcmp(name, level_names[i])) {
			cur_level = i;
			return 0;
		}
	}
	return -1;
}

int log_level(void)
{
	return cur_level;
}

static void log_line(int level, bool to_console, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

void log_vprintf(int level, const char *fmt, va_list ap)
{
	log_line(level, true, fmt, ap);
}

void log_ring_printf(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(level, false, fmt, ap);
	va_end(ap);
}

static void log_line(int level, bool to_console, const char *fmt, va_list ap)
{
	char line[512];
	uint64_t ns, flags;
	int n;

	if (level > cur_level)
		return;
	ns = time_ns();
	n = snprintf(line, sizeof(line), "[%5lu.%06lu] cpu%u %s: ",
		     (unsigned long)(ns / 1000000000),
		     (unsigned long)(ns / 1000 % 1000000), this_cpu_id(),
		     level_names[level < 0 ? 0 : level > 3 ? 3 : level]);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (n >= (int)sizeof(line) - 1)
		n = sizeof(line) - 2;
	if (line[n - 1] != '\n')
		line[n++] = '\n';

	flags = spin_lock_irqsave(&log_lock);
	ring_put(line, (uint64_t)n);
	if (to_console)
		emit(line, (uint64_t)n);
	spin_unlock_irqrestore(&log_lock, flags);
}

void log_printf(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprintf(level, fmt, ap);
	va_end(ap);
}

bool ratelimit_ok(struct ratelimit *rl)
{
	uint64_t now = time_ns();
	bool ok;

	if (!rl->begin_ns || now - rl->begin_ns >= rl->interval_ns) {
		if (rl->missed)
			log_warn("%u messages suppressed", rl->missed);
		rl->begin_ns = now ? now : 1;
		rl->printed = 0;
		rl->missed = 0;
	}
	ok = rl->printed < rl->burst;
	if (ok)
		rl->printed++;
	else
		rl->missed++;
	return ok;
}
