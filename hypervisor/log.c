/*
 * The log and the console (docs/console.md).
 *
 * Log lines look like
 *     [    1.234567] cpu1 warn: message
 * and go to two places: the log ring, which `tvctl dmesg` reads, and the
 * console queue, which the drainer writes to the console UART (COM1
 * unless console= says otherwise).  Both are filled under log_lock, a
 * line at a time, which is a copy and nothing more: no CPU ever waits
 * for the UART while holding a lock or with interrupts off.  The drainer
 * polls the UART with interrupts on and no lock held; one CPU drains at a
 * time (drain_busy), for a bounded time, from the scheduler loop of every
 * CPU and after a log line written where waiting is allowed.  A line that
 * finds the queue full reaches the ring only; the console says how much
 * it missed.
 *
 * Guest console output (COM1 and VMI CONSOLE_WRITE) first goes into a
 * bounded buffer of its domain.  The pump turns those bytes into lines
 * "[NAME] text" for the ring and the queue, visiting the domains in turn
 * a line at a time, each within its byte rate, and only while the queue
 * has room for guests: a domain that writes faster than that fills its
 * own buffer, and what does not fit is dropped and counted, without
 * delaying anyone else's lines.
 *
 * Until interrupts are first seen on (early boot, one CPU), and again
 * once panic() or platform_exit() writes, output is synchronous.
 */
#include <trivisor/log.h>
#include <trivisor/serial.h>
#include <trivisor/spinlock.h>
#include <trivisor/percpu.h>
#include <trivisor/time.h>
#include <trivisor/domain.h>
#include <trivisor/cpu.h>
#include <stdio.h>
#include <trivisor/init.h>
#include <string.h>

/* Guards the log ring, the producer side of the console queue, and the
 * lost-byte counters. */
static spinlock_t log_lock = SPINLOCK_INIT;
static int cur_level = LOG_INFO;
static uint16_t console_port = COM1_PORT;
static bool console_enabled = true;

static const char *const level_names[] = { "err", "warn", "info", "debug" };

enum { MODE_EARLY, MODE_ASYNC, MODE_FINAL };
static int mode = MODE_EARLY;

/*
 * The last LOG_RING_SIZE bytes of log text, for `tvctl dmesg` (the
 * management agent reads it with log_ring_read()).  ring_head counts every
 * byte ever written, so a reader's offset says whether it fell behind.
 * Guarded by log_lock.
 */
#define LOG_RING_SIZE 65536
static char ring[LOG_RING_SIZE];
static uint64_t ring_head;

/*
 * The console queue: bytes not yet written to the UART.  Producers append
 * under log_lock and publish tx_head; the drainer (holding drain_busy)
 * writes tx[tx_tail..tx_head) and publishes tx_tail.  A producer never
 * overwrites what the drainer has not taken, so neither needs the other's
 * lock.  Guests' lines may fill it only to TX_GUEST_MAX, so that the
 * hypervisor's own lines find room behind a flood.
 */
#define TX_SIZE 16384
#define TX_GUEST_MAX 4096
#define TX_HV_RESERVE 2048 /* not for a domain's last words either */
static char tx[TX_SIZE];
static uint64_t tx_head, tx_tail;
static bool drain_busy;
/* Log bytes the queue had no room for, and how many of them the console
 * has been told about. */
static uint64_t tx_lost, tx_lost_noted;

/* How long the drain after a log line may go on (the scheduler loop
 * gives its own bounds). */
#define DRAIN_KICK_NS 500000ull

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

/* Under log_lock: queue @len bytes for the UART if the queue holds no
 * more than @limit bytes with them. */
static bool tx_put(const char *s, uint64_t len, uint64_t limit)
{
	uint64_t used = tx_head - __atomic_load_n(&tx_tail, __ATOMIC_ACQUIRE);

	if (!console_enabled)
		return true;
	if (used + len > limit)
		return false;
	for (uint64_t i = 0; i < len; i++)
		tx[(tx_head + i) % TX_SIZE] = s[i];
	__atomic_store_n(&tx_head, tx_head + len, __ATOMIC_RELEASE);
	return true;
}

/* Under log_lock: a hypervisor line for the UART, or counted as lost. */
static void tx_put_line(const char *s, uint64_t len)
{
	if (tx_lost != tx_lost_noted) {
		char note[128];
		int n = snprintf(note, sizeof(note), "trivisor: console: %lu "
				 "bytes of log not shown: the UART is behind "
				 "(tvctl dmesg has them)\n",
				 tx_lost - tx_lost_noted);

		if (n > 0 && tx_put(note, (uint64_t)n, TX_SIZE))
			tx_lost_noted = tx_lost;
	}
	if (!tx_put(s, len, TX_SIZE))
		tx_lost += len;
}

static void uart_write(const char *s, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc(console_port, '\r');
		serial_putc(console_port, s[i]);
	}
}

/* The drainer's: the '\r' that goes before the '\n' at tx_tail is out. */
static bool cr_sent;

/*
 * Write queued bytes to the UART until the queue is empty or, unless
 * @sync, the transmitter has no room or time_ns() reaches @until.  Only
 * @sync waits for the UART.  Another CPU draining already is enough: it
 * goes on until it has to stop itself.  Returns whether the transmitter
 * was full.
 */
static bool drain(uint64_t until, bool sync)
{
	unsigned int room = 0;
	bool full = false;
	uint64_t tail;

	if (__atomic_load_n(&tx_tail, __ATOMIC_RELAXED) ==
		    __atomic_load_n(&tx_head, __ATOMIC_RELAXED) ||
	    __atomic_exchange_n(&drain_busy, true, __ATOMIC_ACQUIRE))
		return false;
	tail = tx_tail;
	while (tail != __atomic_load_n(&tx_head, __ATOMIC_ACQUIRE)) {
		char c = tx[tail % TX_SIZE];

		if (!sync && (__atomic_load_n(&mode, __ATOMIC_RELAXED) ==
				      MODE_FINAL ||
			      time_ns() >= until))
			break;
		if (!console_enabled) {
			/* nothing to write to */
		} else if (sync) {
			if (c == '\n' && !cr_sent)
				serial_putc(console_port, '\r');
			serial_putc(console_port, c);
		} else {
			if (!room && !(room = serial_tx_room(console_port))) {
				full = true;
				break;
			}
			if (c == '\n' && !cr_sent) {
				serial_tx_byte(console_port, '\r');
				cr_sent = true;
				if (!--room)
					continue;
			}
			serial_tx_byte(console_port, c);
			room--;
		}
		cr_sent = false;
		__atomic_store_n(&tx_tail, ++tail, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&drain_busy, false, __ATOMIC_RELEASE);
	return full;
}

/* Interrupts on and no spinlock held: this CPU may wait for the UART. */
static bool may_wait(void)
{
	return (read_rflags() & RFLAGS_IF) && !lockstat_held();
}

/* After something was queued: write it now where that is allowed. */
static void kick(void)
{
	int m = __atomic_load_n(&mode, __ATOMIC_RELAXED);

	if (m == MODE_EARLY && (read_rflags() & RFLAGS_IF)) {
		/* Interrupts are on: boot has other CPUs and guests to
		 * come, and from now on nobody waits with them off. */
		__atomic_store_n(&mode, MODE_ASYNC, __ATOMIC_RELAXED);
		serial_check_waits(true);
		m = MODE_ASYNC;
	}
	if (m != MODE_ASYNC)
		drain(0, true);
	else if (may_wait())
		drain(time_ns() + DRAIN_KICK_NS, false);
}

/*
 * The panic and exit paths: everything synchronous from now on.  The
 * queue is written out first, so the last lines before the end are
 * seen; a drainer on another CPU stops at its next byte, and one that
 * does not (this CPU's own, or a stuck one) is not waited for long.
 */
static void console_final(void)
{
	uint64_t start = rdtsc(), khz = tsc_khz();

	__atomic_store_n(&mode, MODE_FINAL, __ATOMIC_RELAXED);
	serial_check_waits(false);
	while (__atomic_load_n(&drain_busy, __ATOMIC_ACQUIRE) &&
	       rdtsc() - start < (khz ? khz * 50 : 100000000ull))
		cpu_relax();
	__atomic_store_n(&drain_busy, false, __ATOMIC_RELEASE);
	drain(0, true);
}

void console_write(const char *s, uint64_t len)
{
	console_final();
	if (console_enabled)
		uart_write(s, len);
}

void console_puts_unlocked(const char *s)
{
	console_write(s, strlen(s));
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

static int line_prefix(char *buf, size_t n, int level)
{
	uint64_t ns = time_ns();

	return snprintf(buf, n, "[%5lu.%06lu] cpu%u %s: ",
			(unsigned long)(ns / 1000000000),
			(unsigned long)(ns / 1000 % 1000000), this_cpu_id(),
			level_names[level < 0 ? 0 : level > 3 ? 3 : level]);
}

void log_vprintf(int level, const char *fmt, va_list ap)
{
	char line[512];
	uint64_t flags;
	int n;

	if (level > cur_level)
		return;
	n = line_prefix(line, sizeof(line), level);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (n >= (int)sizeof(line) - 1)
		n = sizeof(line) - 2;
	if (line[n - 1] != '\n')
		line[n++] = '\n';

	flags = spin_lock_irqsave(&log_lock);
	ring_put(line, (uint64_t)n);
	tx_put_line(line, (uint64_t)n);
	spin_unlock_irqrestore(&log_lock, flags);
	kick();
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

/* ------------------------------------------------------------------ */
/* Guest consoles                                                       */

/*
 * One per domain slot.  A buffer belongs to one run of a domain (its
 * started_ns, as the management agent's console rings do); the first
 * output of the next domain in the slot resets it.  Guarded by its lock;
 * live and waiting may be read without it as hints.
 */
#define GCON_SIZE 16384
#define GCON_LINE 160
/* What a domain's output may put into the log, in bytes of log text
 * (prefix included) per second, with this much saved up. */
#define GCON_RATE 16384
#define GCON_BURST 32768
/* A domain's last words, when it ends, within its rate or not. */
#define GCON_FINAL 2048

struct gcon {
	spinlock_t lock;
	bool live; /* written to since the domain started, until it ended */
	uint64_t instance; /* started_ns of that domain */
	unsigned int id;
	char name[DOMAIN_NAME_MAX];
	bool raw; /* attach=: bytes to the UART as they come */
	uint64_t head, tail; /* bytes ever put into / taken from buf */
	char buf[GCON_SIZE];
	char line[GCON_LINE]; /* the line being put together */
	unsigned int len;
	bool ready; /* line is complete and waits for room */
	int64_t tokens; /* log bytes it may write now */
	uint64_t refill_ns;
	uint64_t total, dropped; /* bytes written by the guest, dropped */
	uint64_t dropped_noted, noted_ns; /* the last drop report */
};

static struct gcon gcons[MAX_DOMAINS];
static unsigned int pump_next;

static void gcon_refill(struct gcon *g, uint64_t now)
{
	uint64_t dt = now - g->refill_ns;

	if (dt < 1000000)
		return; /* a millisecond's worth at least */
	g->tokens += (int64_t)(dt / 1000 * GCON_RATE / 1000000);
	if (g->tokens > GCON_BURST)
		g->tokens = GCON_BURST;
	g->refill_ns = now;
}

enum { STEP_IDLE, STEP_MOVED, STEP_BLOCKED };

/*
 * Move one line of @g's output (and, for the attached domain, the raw
 * bytes up to it) into the log.  @final: the domain has ended; its last
 * words go out, a line without its newline too, past the guests' share of
 * the queue (console_domain_end() gives it GCON_FINAL to spend).  Returns
 * STEP_MOVED if anything moved, STEP_BLOCKED if a line waits for room in
 * the queue, STEP_IDLE if there is no line yet or its rate is spent.
 */
static int gcon_step(struct gcon *g, uint64_t now, bool final)
{
	uint64_t f = spin_lock_irqsave(&g->lock), limit;
	bool moved = false, blocked = false;
	char text[GCON_LINE + DOMAIN_NAME_MAX + 64];
	int n;

	if (!g->live || (!g->ready && g->tail == g->head &&
			 !(final && g->len)))
		goto out;
	gcon_refill(g, now);
	if (g->tokens <= 0)
		goto out;
	limit = final ? TX_SIZE - TX_HV_RESERVE : TX_GUEST_MAX;
	spin_lock(&log_lock);
	while (!g->ready && g->tail != g->head) {
		char c = g->buf[g->tail % GCON_SIZE];

		if (g->raw && !tx_put(&c, 1, limit)) {
			blocked = true;
			break;
		}
		g->tail++;
		g->tokens -= g->raw; /* a line costs what it writes */
		moved = true;
		if (c == '\r')
			continue;
		if (c == '\n') {
			g->ready = true;
			break;
		}
		/* Keep the log printable whatever the guest sends. */
		if (!((c >= 32 && c < 127) || c == '\t'))
			c = '?';
		g->line[g->len++] = c;
		if (g->len == GCON_LINE - 1)
			g->ready = true;
	}
	if (final && g->len && g->tail == g->head)
		g->ready = true; /* no newline came */
	if (g->ready) {
		n = line_prefix(text, sizeof(text), LOG_INFO);
		n += snprintf(text + n, sizeof(text) - (size_t)n, "[%s] %.*s\n",
			      g->name, (int)g->len, g->line);
		if (n >= (int)sizeof(text))
			n = sizeof(text) - 1;
		/* The attached domain's text is on the console already. */
		if (LOG_INFO > cur_level) {
			g->ready = false;
		} else if (g->raw || tx_put(text, (uint64_t)n, limit)) {
			ring_put(text, (uint64_t)n);
			g->ready = false;
		} else if (final) {
			ring_put(text, (uint64_t)n);
			tx_lost += (uint64_t)n;
			g->ready = false;
		}
		if (!g->ready) {
			g->len = 0;
			g->tokens -= n;
			moved = true;
		} else {
			blocked = true;
		}
	}
	spin_unlock(&log_lock);
out:
	spin_unlock_irqrestore(&g->lock, f);
	return blocked ? STEP_BLOCKED : moved ? STEP_MOVED : STEP_IDLE;
}

/* Report drops at most once a second per domain. */
static void gcon_note(struct gcon *g, uint64_t now)
{
	uint64_t f, n = 0, total = 0;
	unsigned int id = 0;
	char name[DOMAIN_NAME_MAX];

	if (__atomic_load_n(&g->dropped, __ATOMIC_RELAXED) == g->dropped_noted)
		return;
	f = spin_lock_irqsave(&g->lock);
	if (g->live && g->dropped != g->dropped_noted &&
	    now - g->noted_ns >= 1000000000ull) {
		n = g->dropped - g->dropped_noted;
		total = g->dropped;
		g->dropped_noted = g->dropped;
		g->noted_ns = now;
		id = g->id;
		memcpy(name, g->name, sizeof(name));
	}
	spin_unlock_irqrestore(&g->lock, f);
	if (n)
		log_info("d%u(%s): console: %lu bytes of output dropped (%lu "
			 "so far): the guest writes faster than its console "
			 "is drained", id, name, n, total);
}

/*
 * Move up to @budget lines into the log, a line per domain in turn.  The
 * turn passes on only when its holder has no line ready (or no rate left):
 * one whose line waits for room in the queue keeps it, so a flood of
 * short lines cannot take every byte the drainer frees.
 */
static void pump(unsigned int budget, bool notes)
{
	unsigned int turn = __atomic_load_n(&pump_next, __ATOMIC_RELAXED);
	uint64_t now = time_ns();
	bool progress = true;

	while (progress && budget) {
		progress = false;
		for (unsigned int k = 0; k < MAX_DOMAINS; k++) {
			unsigned int i = (turn + k) % MAX_DOMAINS;
			int r;

			/* Hints, read without the lock: nothing to move
			 * costs no lock (the scheduler loop asks often). */
			if (!__atomic_load_n(&gcons[i].live, __ATOMIC_RELAXED) ||
			    (!gcons[i].ready &&
			     __atomic_load_n(&gcons[i].head, __ATOMIC_RELAXED) ==
				     gcons[i].tail))
				continue;
			r = gcon_step(&gcons[i], now, false);
			if (r == STEP_BLOCKED)
				goto noted;
			if (r == STEP_MOVED) {
				progress = true;
				budget--;
				turn = i + 1;
				__atomic_store_n(&pump_next, turn,
						 __ATOMIC_RELAXED);
				break;
			}
		}
	}
noted:
	for (unsigned int i = 0; notes && i < MAX_DOMAINS; i++)
		if (__atomic_load_n(&gcons[i].live, __ATOMIC_RELAXED))
			gcon_note(&gcons[i], now);
}

void console_guest_output(struct domain *d, bool raw, const char *buf,
			  uint64_t len)
{
	struct gcon *g = &gcons[d->id];
	uint64_t f, room, n;
	bool line = false;

	/* Full: dropped without the lock, which the pump needs to make
	 * room (the writer of this domain's output is its vCPU; tail only
	 * grows, so a stale look says full only too early). */
	if (__atomic_load_n(&g->live, __ATOMIC_ACQUIRE) &&
	    g->instance == d->started_ns &&
	    g->head - __atomic_load_n(&g->tail, __ATOMIC_RELAXED) >=
		    GCON_SIZE) {
		__atomic_fetch_add(&g->total, len, __ATOMIC_RELAXED);
		__atomic_fetch_add(&g->dropped, len, __ATOMIC_RELAXED);
		return;
	}
	f = spin_lock_irqsave(&g->lock);

	if (!g->live || g->instance != d->started_ns) {
		g->live = true;
		g->instance = d->started_ns;
		g->id = d->id;
		memcpy(g->name, d->name, sizeof(g->name));
		g->name[sizeof(g->name) - 1] = '\0';
		g->head = g->tail = 0;
		g->len = 0;
		g->ready = false;
		g->tokens = GCON_BURST;
		g->refill_ns = time_ns();
		g->total = g->dropped = g->dropped_noted = 0;
		g->noted_ns = 0;
	}
	g->raw = raw;
	room = GCON_SIZE - (g->head - g->tail);
	n = len < room ? len : room;
	for (uint64_t i = 0; i < n; i++) {
		g->buf[(g->head + i) % GCON_SIZE] = buf[i];
		line |= buf[i] == '\n';
	}
	g->head += n;
	__atomic_fetch_add(&g->total, len, __ATOMIC_RELAXED);
	__atomic_fetch_add(&g->dropped, len - n, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&g->lock, f);
	/*
	 * A line is complete: into the log with it, if it is this domain's
	 * turn and the queue has room for guests' lines (only a copy; the
	 * UART waits for the drainer).  Otherwise the scheduler loop's pump
	 * takes it: a flooding guest must not keep taking the locks that
	 * every other domain's output needs.
	 */
	if ((line || raw) && n &&
	    __atomic_load_n(&pump_next, __ATOMIC_RELAXED) % MAX_DOMAINS ==
		    d->id &&
	    __atomic_load_n(&tx_head, __ATOMIC_RELAXED) -
			    __atomic_load_n(&tx_tail, __ATOMIC_RELAXED) <
		    TX_GUEST_MAX &&
	    gcon_step(g, time_ns(), false) == STEP_MOVED)
		__atomic_store_n(&pump_next, d->id + 1, __ATOMIC_RELAXED);
}

void console_domain_end(struct domain *d)
{
	struct gcon *g = &gcons[d->id];
	uint64_t now = time_ns(), f, total, dropped;

	if (!g->live || g->instance != d->started_ns)
		return;
	f = spin_lock_irqsave(&g->lock);
	/* What it has saved up, but no more than GCON_FINAL: a domain that
	 * flooded until its end has saved up plenty of lines nobody
	 * needs. */
	gcon_refill(g, now);
	g->tokens = GCON_FINAL;
	spin_unlock_irqrestore(&g->lock, f);
	while (gcon_step(g, now, true) == STEP_MOVED)
		;
	f = spin_lock_irqsave(&g->lock);
	__atomic_fetch_add(&g->dropped, (g->head - g->tail) + g->len,
			   __ATOMIC_RELAXED);
	g->tail = g->head;
	g->len = 0;
	g->ready = false;
	g->live = false;
	total = g->total;
	dropped = g->dropped;
	spin_unlock_irqrestore(&g->lock, f);
	if (dropped)
		log_dom(LOG_INFO, d, "console: %lu of %lu bytes of output "
			"dropped", dropped, total);
}

void console_report(void)
{
	uint64_t f = spin_lock_irqsave(&log_lock), lost = tx_lost;

	spin_unlock_irqrestore(&log_lock, f);
	log_info("console: %lu bytes of log not shown on the UART; %lu UART "
		 "waits with interrupts off or a spinlock held", lost,
		 serial_bad_waits());
	lockstat_report();
}

uint64_t console_service(uint64_t until)
{
	uint64_t now, busy;
	bool waiting = false, full = false;

	pump(64, true);
	if (may_wait())
		full = drain(until, false);
	now = time_ns();
	if (__atomic_load_n(&tx_tail, __ATOMIC_ACQUIRE) !=
	    __atomic_load_n(&tx_head, __ATOMIC_ACQUIRE)) {
		if (!full)
			return __atomic_load_n(&drain_busy, __ATOMIC_RELAXED)
				       ? now + 1000000
				       : now;
		/* Back when the transmitter's FIFO is empty again. */
		busy = serial_tx_busy_ns(console_port);
		return now + (busy < 20000 ? 20000 : busy > 2000000 ? 2000000
								      : busy);
	}
	for (unsigned int i = 0; i < MAX_DOMAINS && !waiting; i++) {
		struct gcon *g = &gcons[i];

		waiting = __atomic_load_n(&g->live, __ATOMIC_RELAXED) &&
			  (g->head != g->tail || g->ready ||
			   g->dropped != g->dropped_noted);
	}
	/* Lines waiting for their domain's rate: the next refill. */
	return waiting ? now + 10000000 : UINT64_MAX;
}
