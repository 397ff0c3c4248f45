/*
 * hvm/vpit.c - virtual 8254 PIT, computed from guest time.
 *
 * References are to the Intel 8254 data sheet (231164-005): "Mode n"
 * sections for the counting rules, "Read Operations" for the latch and
 * read-back commands.  The model keeps, per channel, a clock that counts
 * CLK ticks while the channel counts (it stops while GATE holds modes 0
 * and 4) and the tick at which the counting sequence in progress began;
 * the counter value and OUT are functions of (mode, N, ticks since the
 * sequence began).  With d = ticks since the count was loaded:
 *
 *   mode 0, 1   count = N - d (wrapping), OUT rises when d reaches N
 *   mode 2      count = N - d mod N, OUT low while the count is 1
 *   mode 3      count falls by two per tick through each half period,
 *               OUT high for the first ceil(N/2) ticks of each period
 *   mode 4, 5   count = N - d (wrapping), OUT low for the tick at d = N
 *
 * A count of 0 means 0x10000.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <hvm/vioport.h>
#include <hvm/vpit.h>
#include <hvm/vplat.h>
#include <vmi/errno.h>

#define NSEC_PER_SEC 1000000000ull

/* Control word fields (data sheet, "Control Word Format"). */
#define PIT_CW_SC_SHIFT 6
#define PIT_CW_SC_READBACK 3
#define PIT_CW_RW_SHIFT 4
#define PIT_CW_RW_LATCH 0
#define PIT_CW_M_SHIFT 1
#define PIT_CW_BCD 0x01

/* Read-back command (data sheet, "Read-Back Command"): active low. */
#define PIT_RB_NOT_COUNT 0x20
#define PIT_RB_NOT_STATUS 0x10

/* Status byte (data sheet, "Status Byte"). */
#define PIT_ST_OUT 0x80
#define PIT_ST_NULL_COUNT 0x40

/* floor(ns * VPIT_HZ / 1e9) without overflowing 64 bits. */
static uint64_t pit_ticks(uint64_t ns)
{
	return ns / NSEC_PER_SEC * VPIT_HZ +
	       ns % NSEC_PER_SEC * VPIT_HZ / NSEC_PER_SEC;
}

/* The first nanosecond at which pit_ticks() reaches @ticks (ceiling). */
static uint64_t pit_ns(uint64_t ticks)
{
	return ticks / VPIT_HZ * NSEC_PER_SEC +
	       (ticks % VPIT_HZ * NSEC_PER_SEC + VPIT_HZ - 1) / VPIT_HZ;
}

static uint64_t ch_clock(const struct vpit_channel *c, uint64_t now)
{
	if (!c->running || now <= c->run_ns)
		return c->run_base;
	return c->run_base + pit_ticks(now - c->run_ns);
}

static void ch_run(struct vpit_channel *c, bool run, uint64_t now)
{
	if (run == c->running)
		return;
	c->run_base = ch_clock(c, now);
	c->run_ns = now;
	c->running = run;
}

/* Does the counting element decrement?  GATE only triggers modes 1, 5. */
static bool ch_counts(const struct vpit_channel *c)
{
	if (!c->armed)
		return false;
	return c->mode == 1 || c->mode == 5 || c->gate;
}

/* Modes 2/3: a count written mid-period loads when the period ends. */
static void ch_sync(struct vpit_channel *c, uint64_t now)
{
	if (c->pending && ch_clock(c, now) >= c->pending_at) {
		c->seq0 = c->pending_at;
		c->count = c->count_reg;
		c->pending = false;
		c->null_count = false;
	}
}

/*
 * Ticks since the sequence began.  Callers on different vCPUs may pass
 * times slightly out of order: never let that wrap.
 */
static uint64_t ch_elapsed(const struct vpit_channel *c, uint64_t t)
{
	return t > c->seq0 ? t - c->seq0 : 0;
}

static uint16_t ch_count_at(const struct vpit_channel *c, uint64_t t)
{
	uint64_t n = c->count, d, p, half;

	if (!c->armed)
		return c->idle_count;
	d = ch_elapsed(c, t);
	switch (c->mode) {
	case 2:
		return (uint16_t)(n - d % n);
	case 3:
		/*
		 * Mode 3: even N counts N, N-2, ..., 2 in each half.  Odd N
		 * (data sheet): the first tick after a load takes 1 off in
		 * the high half and 3 in the low half, then 2 per tick;
		 * OUT is high for (N+1)/2 ticks and low for (N-1)/2.
		 */
		p = d % n;
		if (!(n & 1)) {
			half = n / 2;
			return (uint16_t)(n - 2 * (p < half ? p : p - half));
		}
		half = (n + 1) / 2;
		if (p < half)
			return (uint16_t)(p == 0 ? n : n + 1 - 2 * p);
		p -= half;
		return (uint16_t)(p == 0 ? n : n - 1 - 2 * p);
	default:
		return (uint16_t)((n - d) & 0xffff);
	}
}

static bool ch_out_at(const struct vpit_channel *c, uint64_t t)
{
	uint64_t n = c->count, d;

	if (!c->armed)
		return c->idle_out;
	d = ch_elapsed(c, t);
	switch (c->mode) {
	case 0:
	case 1:
		return d >= n;
	case 2:
		/* GATE low forces OUT high in modes 2 and 3. */
		return !c->gate || d % n != n - 1;
	case 3:
		return !c->gate || d % n < (n + 1) / 2;
	default:
		return d != n;
	}
}

static uint16_t ch_count(struct vpit_channel *c, uint64_t now)
{
	ch_sync(c, now);
	return ch_count_at(c, ch_clock(c, now));
}

static bool ch_out(struct vpit_channel *c, uint64_t now)
{
	ch_sync(c, now);
	return ch_out_at(c, ch_clock(c, now));
}

/* Stop counting and hold the counter and OUT where they are. */
static void ch_freeze(struct vpit_channel *c, bool out, uint64_t now)
{
	c->idle_count = ch_count(c, now);
	c->idle_out = out;
	c->armed = false;
	c->pending = false;
	ch_run(c, false, now);
}

/* Load @n into the counting element and start a sequence at @now. */
static void ch_start(struct vpit *pit, struct vpit_channel *c, uint32_t n,
		     uint64_t now)
{
	c->count = n;
	c->armed = true;
	c->pending = false;
	c->null_count = false;
	c->run_base = 0;
	c->run_ns = now;
	c->seq0 = 0;
	c->running = ch_counts(c);
	if (c == &pit->ch[0])
		pit->irq_done = 0;
}

/* A complete count arrived in the count register. */
static void ch_load(struct vpit *pit, struct vpit_channel *c, uint32_t n,
		    uint64_t now)
{
	uint64_t d;

	if (n == 0)
		n = 0x10000;
	c->count_reg = n;
	c->loaded = true;
	c->null_count = true;
	switch (c->mode) {
	case 0:
	case 4:
		/* Loaded on the next CLK; counting restarts from it. */
		ch_start(pit, c, n, now);
		break;
	case 1:
	case 5:
		/* Waits for a GATE trigger; a running one-shot goes on. */
		break;
	default:
		if (!c->armed) {
			ch_start(pit, c, n, now);
			break;
		}
		ch_sync(c, now);
		if (!c->pending) {
			d = ch_elapsed(c, ch_clock(c, now));
			c->pending_at = c->seq0 + (d / c->count + 1) * c->count;
			c->pending = true;
		}
		break;
	}
}

static void pit_control(struct vpit *pit, uint8_t v, uint64_t now)
{
	unsigned int sc = v >> PIT_CW_SC_SHIFT;
	unsigned int rw = (v >> PIT_CW_RW_SHIFT) & 3;
	unsigned int i, mode;
	struct vpit_channel *c;

	if (sc == PIT_CW_SC_READBACK) {
		/* D1..D3 select counters 0..2; D4/D5 are active low. */
		for (i = 0; i < VPIT_NR_CHANNELS; i++) {
			if (!(v & (2u << i)))
				continue;
			c = &pit->ch[i];
			if (!(v & PIT_RB_NOT_COUNT) && !c->latch_left) {
				c->latch = ch_count(c, now);
				c->latch_left = c->access == 3 ? 2 : 1;
				c->latch_next = c->access == 2;
			}
			if (!(v & PIT_RB_NOT_STATUS) && !c->status_latched) {
				c->status = (uint8_t)(
					(ch_out(c, now) ? PIT_ST_OUT : 0) |
					(c->null_count ? PIT_ST_NULL_COUNT : 0) |
					c->access << PIT_CW_RW_SHIFT |
					c->mode << PIT_CW_M_SHIFT |
					(c->bcd ? PIT_CW_BCD : 0));
				c->status_latched = true;
			}
		}
		return;
	}

	c = &pit->ch[sc];
	if (rw == PIT_CW_RW_LATCH) {
		/* Counter latch command: a second one before the read is
		 * ignored. */
		if (!c->latch_left) {
			c->latch = ch_count(c, now);
			c->latch_left = c->access == 3 ? 2 : 1;
			c->latch_next = c->access == 2;
		}
		return;
	}

	/* A control word resets the counter's logic; OUT goes low in mode
	 * 0, high in the others, and the count must be written again. */
	mode = (v >> PIT_CW_M_SHIFT) & 7;
	if (mode > 5)
		mode -= 4;
	ch_freeze(c, mode != 0, now);
	c->mode = (uint8_t)mode;
	c->access = (uint8_t)rw;
	c->bcd = v & PIT_CW_BCD;
	c->loaded = false;
	c->null_count = true;
	c->wbyte = 0;
	c->rbyte = 0;
	c->latch_left = 0;
	c->status_latched = false;
}

static void ch_write(struct vpit *pit, struct vpit_channel *c, uint8_t v,
		     uint64_t now)
{
	switch (c->access) {
	case 1:
		ch_load(pit, c, v, now);
		break;
	case 2:
		ch_load(pit, c, (uint32_t)v << 8, now);
		break;
	default:
		if (!c->wbyte) {
			c->wlsb = v;
			c->wbyte = 1;
			/* Mode 0: the first byte stops the count and drops
			 * OUT at once. */
			if (c->mode == 0)
				ch_freeze(c, false, now);
			break;
		}
		c->wbyte = 0;
		ch_load(pit, c, c->wlsb | (uint32_t)v << 8, now);
		break;
	}
}

static uint8_t ch_read(struct vpit_channel *c, uint64_t now)
{
	uint16_t count;
	uint8_t v;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latch_left) {
		v = (uint8_t)(c->latch_next ? c->latch >> 8 : c->latch);
		c->latch_next ^= 1;
		c->latch_left--;
		return v;
	}
	count = ch_count(c, now);
	switch (c->access) {
	case 1:
		return (uint8_t)count;
	case 2:
		return (uint8_t)(count >> 8);
	default:
		v = (uint8_t)(c->rbyte ? count >> 8 : count);
		c->rbyte ^= 1;
		return v;
	}
}

void vpit_init(struct vpit *pit, const struct vplat_ops *ops, uint64_t now_ns)
{
	unsigned int i;

	memset(pit, 0, sizeof(*pit));
	pit->ops = ops;
	for (i = 0; i < VPIT_NR_CHANNELS; i++) {
		struct vpit_channel *c = &pit->ch[i];

		c->mode = 3;
		c->access = 3;
		c->idle_out = true;
		c->null_count = true;
		c->run_ns = now_ns;
		/* On the PC, GATE0 and GATE1 are tied high; GATE2 is
		 * port 0x61 bit 0, clear at reset. */
		c->gate = i != 2;
	}
}

int vpit_register(struct vpit *pit, struct vioport_table *tab)
{
	return vioport_register(tab, VPIT_PORT_BASE, VPIT_PORT_LEN, 1, vpit_io,
				pit);
}

int vpit_io(void *dev, uint64_t port, unsigned int size, bool write,
	    uint64_t *val, uint64_t now_ns)
{
	struct vpit *pit = dev;
	unsigned int idx = (unsigned int)(port - VPIT_PORT_BASE) & 3;

	(void)size; /* registered 1 byte wide: always 1 */
	if (idx == 3) {
		if (write)
			pit_control(pit, (uint8_t)*val, now_ns);
		else
			*val = 0xff; /* the control register is write only */
		return 0;
	}
	if (write)
		ch_write(pit, &pit->ch[idx], (uint8_t)*val, now_ns);
	else
		*val = ch_read(&pit->ch[idx], now_ns);
	return 0;
}

void vpit_set_gate(struct vpit *pit, unsigned int channel, bool level,
		   uint64_t now_ns)
{
	struct vpit_channel *c;

	if (channel >= VPIT_NR_CHANNELS)
		return;
	c = &pit->ch[channel];
	ch_sync(c, now_ns);
	if (level == c->gate)
		return;
	c->gate = level;
	switch (c->mode) {
	case 0:
	case 4:
		/* GATE low suspends counting; high resumes it. */
		ch_run(c, ch_counts(c), now_ns);
		break;
	case 1:
	case 5:
		/* A rising edge (re)triggers with the count register. */
		if (level && c->loaded)
			ch_start(pit, c, c->count_reg, now_ns);
		break;
	default:
		/* Low stops counting (OUT high); a rising edge reloads. */
		if (!level)
			ch_run(c, false, now_ns);
		else if (c->loaded)
			ch_start(pit, c, c->count_reg, now_ns);
		break;
	}
}

bool vpit_get_out(struct vpit *pit, unsigned int channel, uint64_t now_ns)
{
	if (channel >= VPIT_NR_CHANNELS)
		return false;
	return ch_out(&pit->ch[channel], now_ns);
}

/* The first rising edge of OUT after channel tick @after, if any. */
static bool ch_next_edge(const struct vpit_channel *c, uint64_t after,
			 uint64_t *edge)
{
	uint64_t n = c->count, seq0 = c->seq0, e;

	if (!c->armed)
		return false;
	switch (c->mode) {
	case 0:
	case 1:
		e = seq0 + n;
		break;
	case 4:
	case 5:
		/* OUT is low for one tick at terminal count. */
		e = seq0 + n + 1;
		break;
	default:
		/* Rising at every reload: seq0 + k * N.  A sequence that
		 * began at a mid-run reload begins with an edge. */
		if (!c->gate)
			return false;
		if (c->pending && after >= c->pending_at) {
			seq0 = c->pending_at;
			n = c->count_reg;
		}
		if (after < seq0)
			e = seq0;
		else
			e = seq0 + ((after - seq0) / n + 1) * n;
		*edge = e;
		return true;
	}
	if (e <= after)
		return false;
	*edge = e;
	return true;
}

uint64_t vpit_next_deadline(const struct vpit *pit)
{
	const struct vpit_channel *c = &pit->ch[0];
	uint64_t e, ns;

	if (!c->running || !ch_next_edge(c, pit->irq_done, &e))
		return VPLAT_NO_DEADLINE;
	if (e <= c->run_base)
		ns = c->run_ns;
	else
		ns = c->run_ns + pit_ns(e - c->run_base);
	if (pit->irq_sent && ns < pit->irq_last_ns + VPIT_MIN_IRQ_NS)
		ns = pit->irq_last_ns + VPIT_MIN_IRQ_NS;
	return ns;
}

static void pulse(struct vpit *pit)
{
	if (pit->ops && pit->ops->set_irq) {
		pit->ops->set_irq(pit->ops->ctx, VPIT_IRQ, true);
		pit->ops->set_irq(pit->ops->ctx, VPIT_IRQ, false);
	}
}

void vpit_tick(struct vpit *pit, uint64_t now_ns)
{
	struct vpit_channel *c = &pit->ch[0];
	uint64_t t, e, n = 1;

	if (pit->irq_sent && now_ns < pit->irq_last_ns + VPIT_MIN_IRQ_NS)
		return;
	ch_sync(c, now_ns);
	t = ch_clock(c, now_ns);
	if (!c->running || !ch_next_edge(c, pit->irq_done, &e) || e > t)
		return;
	/* Periodic modes: every further period up to now is one more edge. */
	if ((c->mode == 2 || c->mode == 3) && c->count)
		n += (t - e) / c->count;
	pit->irq_done = t;
	pit->irq_last_ns = now_ns;
	pit->irq_sent = true;
	pit->owed = n + pit->owed > VPIT_MAX_OWED ? VPIT_MAX_OWED
						  : (uint32_t)(n + pit->owed);
	pulse(pit);
}

void vpit_irq_taken(struct vpit *pit)
{
	if (!pit->owed)
		return;
	if (--pit->owed)
		pulse(pit);
}
