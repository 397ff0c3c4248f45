/*
 * Virtual 8259A programmable interrupt controller pair.
 *
 * References are to the Intel 8259A data sheet (231468): "Initialization
 * Command Words" (ICW1-4), "Operation Command Words" (OCW1-3), "Interrupt
 * Sequence", "The Special Fully Nested Mode", "Poll Command" and "Edge and
 * Level Triggered Modes"; the ELCR is the PIIX/ICH's (one bit per IRQ,
 * IRQ 0, 1, 2, 8 and 13 always edge).
 *
 * Priorities rotate: chip->top is the IR with the highest priority, and
 * the priority rank of IR n is (n - top) mod 8.  Every index into the chip
 * array is masked to 0 or 1 and every IR to 0-7.
 */
#include <hvm/vpic.h>
#include <string.h>
#include <vmi/errno.h>

#define CASCADE_IR 2

static void plog(const struct vpic *pic, const char *msg)
{
	if (pic->ops && pic->ops->log)
		pic->ops->log(pic->ops->ctx, msg);
}

void vpic_init(struct vpic *pic, const struct vplat_ops *ops)
{
	memset(pic, 0, sizeof(*pic));
	pic->ops = ops;
	pic->chip[0].imr = 0xff;
	pic->chip[1].imr = 0xff;
	pic->chip[0].base = 0x08;
	pic->chip[1].base = 0x70;
	pic->chip[0].icw3 = 1u << CASCADE_IR;
	pic->chip[1].icw3 = CASCADE_IR;
	pic->chip[0].elcr_mask = 0xf8;
	pic->chip[1].elcr_mask = 0xde;
}

static bool is_level(const struct vpic_chip *c, unsigned int ir)
{
	return c->ltim || ((c->elcr >> ir) & 1);
}

static unsigned int rank(const struct vpic_chip *c, unsigned int ir)
{
	return (ir - c->top) & 7;
}

/* The IR of highest priority among @bits, or -1. */
static int highest(const struct vpic_chip *c, uint8_t bits)
{
	unsigned int i, ir;

	for (i = 0; i < 8; i++) {
		ir = (c->top + i) & 7;
		if (bits & (1u << ir))
			return (int)ir;
	}
	return -1;
}

/*
 * The priority resolver: the unmasked request that would raise INT now, or
 * -1.  A request must outrank every level in service; in special mask mode
 * (OCW3) masked levels in service do not count, and in special fully
 * nested mode (ICW4) the master lets the slave's IR2 through again.
 */
static int chip_irq(const struct vpic_chip *c, bool master)
{
	int ir = highest(c, c->irr & ~c->imr), cur;
	uint8_t serv = c->isr;

	if (ir < 0)
		return -1;
	if (c->smm)
		serv &= ~c->imr;
	if (master && c->sfnm && ir == CASCADE_IR)
		serv &= ~(1u << CASCADE_IR);
	cur = highest(c, serv);
	if (cur >= 0 && rank(c, (unsigned int)cur) <= rank(c, (unsigned int)ir))
		return -1;
	return ir;
}

/*
 * Propagate: the slave's INT drives the master's IR2.  The cascade is
 * sampled as a level (it is internal to the PIIX/ICH), so a slave that
 * still has requests after an INTA is not lost for want of a new edge.
 * Kick vCPU 0 when the master's INT rises.
 */
static void update(struct vpic *pic)
{
	struct vpic_chip *m = &pic->chip[0];
	bool out;

	if (chip_irq(&pic->chip[1], false) >= 0) {
		m->irr |= 1u << CASCADE_IR;
		m->line |= 1u << CASCADE_IR;
	} else {
		m->irr &= ~(1u << CASCADE_IR);
		m->line &= ~(1u << CASCADE_IR);
	}
	out = chip_irq(m, true) >= 0;
	if (out && !pic->output && pic->ops && pic->ops->kick)
		pic->ops->kick(pic->ops->ctx, 0);
	pic->output = out;
}

int vpic_set_irq(struct vpic *pic, unsigned int irq, bool level)
{
	struct vpic_chip *c;
	unsigned int ir;
	uint8_t bit;

	if (irq > 15 || irq == CASCADE_IR)
		return -VMI_EINVAL;
	c = &pic->chip[irq >> 3];
	ir = irq & 7;
	bit = (uint8_t)(1u << ir);
	/*
	 * Edge mode latches a rising edge in IRR until INTA.  (The data
	 * sheet wants the line held until then, else IR7 is returned; our
	 * devices pulse their lines, vplat.h.)  Level mode follows the line.
	 */
	if (level) {
		if (is_level(c, ir) || !(c->line & bit))
			c->irr |= bit;
		c->line |= bit;
	} else {
		c->line &= (uint8_t)~bit;
		if (is_level(c, ir))
			c->irr &= (uint8_t)~bit;
	}
	update(pic);
	return 0;
}

bool vpic_output(const struct vpic *pic)
{
	return pic->output;
}

/* The INTA (or poll) side of one chip: IRR -> ISR, or AEOI. */
static void intack(struct vpic_chip *c, unsigned int ir)
{
	uint8_t bit = (uint8_t)(1u << ir);

	if (!is_level(c, ir))
		c->irr &= (uint8_t)~bit;
	if (c->aeoi) {
		if (c->rotate_aeoi)
			c->top = (ir + 1) & 7;
	} else {
		c->isr |= bit;
	}
}

int vpic_pending_vector(const struct vpic *pic)
{
	const struct vpic_chip *m = &pic->chip[0], *s = &pic->chip[1];
	int ir = chip_irq(m, true), sir;

	if (ir < 0)
		return -1;
	if (ir != CASCADE_IR)
		return m->base | ir;
	sir = chip_irq(s, false);
	return s->base | (sir < 0 ? 7 : sir);
}

uint8_t vpic_ack(struct vpic *pic)
{
	struct vpic_chip *m = &pic->chip[0], *s = &pic->chip[1];
	int ir = chip_irq(m, true), sir;
	uint8_t vec;

	if (ir < 0) {
		/* "Interrupt Sequence": no request at INTA gives IR7. */
		vec = m->base | 7;
	} else if (ir == CASCADE_IR) {
		intack(m, CASCADE_IR);
		sir = chip_irq(s, false);
		if (sir < 0) {
			vec = s->base | 7; /* spurious on the slave */
		} else {
			intack(s, (unsigned int)sir);
			vec = (uint8_t)(s->base | sir);
		}
	} else {
		intack(m, (unsigned int)ir);
		vec = (uint8_t)(m->base | ir);
	}
	update(pic);
	return vec;
}

/* "Poll Command": the read acts as INTA and returns I (bit 7) and W2-0. */
static uint8_t poll_read(struct vpic *pic, unsigned int idx)
{
	struct vpic_chip *c = &pic->chip[idx];
	int ir = chip_irq(c, idx == 0);

	if (ir < 0)
		return 0;
	intack(c, (unsigned int)ir);
	update(pic);
	return (uint8_t)(0x80 | ir);
}

/*
 * ICW1 (data sheet "Initialization Command Words"): edge detectors reset,
 * IMR cleared, IR7 lowest priority, special mask mode off, status read
 * set to IRR, ICW4 functions zeroed when IC4 is 0.  The data sheet is
 * silent on ISR; we clear it, so an interrupt left in service before the
 * re-initialisation cannot lock out its level forever.
 */
static void icw1(struct vpic_chip *c, uint8_t v)
{
	unsigned int ir;

	c->init_step = 2;
	c->icw4_needed = v & 0x01;
	c->single = v & 0x02;
	c->ltim = v & 0x08;
	c->imr = 0;
	c->isr = 0;
	c->top = 0;
	c->smm = false;
	c->read_isr = false;
	c->poll = false;
	c->rotate_aeoi = false;
	if (!c->icw4_needed) {
		c->aeoi = false;
		c->sfnm = false;
	}
	/* Edge requests are forgotten; level ones still stand. */
	c->irr = 0;
	for (ir = 0; ir < 8; ir++)
		if (is_level(c, ir))
			c->irr |= c->line & (1u << ir);
}

/* OCW2: EOI and priority rotation commands, selected by R, SL, EOI. */
static void ocw2(struct vpic_chip *c, uint8_t v)
{
	unsigned int ir = v & 7;
	int h;

	switch (v >> 5) {
	case 0: /* clear rotate in AEOI mode */
		c->rotate_aeoi = false;
		break;
	case 4: /* set rotate in AEOI mode */
		c->rotate_aeoi = true;
		break;
	case 1: /* non-specific EOI */
	case 5: /* rotate on non-specific EOI */
		/* In special mask mode masked IS bits are not cleared. */
		h = highest(c, c->smm ? c->isr & ~c->imr : c->isr);
		if (h < 0)
			break;
		c->isr &= (uint8_t)~(1u << h);
		if (v >> 5 == 5)
			c->top = (h + 1) & 7;
		break;
	case 3: /* specific EOI */
		c->isr &= (uint8_t)~(1u << ir);
		break;
	case 7: /* rotate on specific EOI */
		c->isr &= (uint8_t)~(1u << ir);
		c->top = (ir + 1) & 7;
		break;
	case 6: /* set priority: IR becomes the lowest */
		c->top = (ir + 1) & 7;
		break;
	default: /* 2: no operation */
		break;
	}
}

/* OCW3: poll, read register select, special mask mode. */
static void ocw3(struct vpic_chip *c, uint8_t v)
{
	if (v & 0x04)
		c->poll = true;
	if (v & 0x02)
		c->read_isr = v & 0x01;
	if (v & 0x40)
		c->smm = v & 0x20;
}

static void write_cmd(struct vpic *pic, unsigned int idx, uint8_t v)
{
	struct vpic_chip *c = &pic->chip[idx];

	if (v & 0x10)
		icw1(c, v);
	else if (v & 0x08)
		ocw3(c, v);
	else
		ocw2(c, v);
}

/* A0 = 1: ICW2-4 during initialisation, OCW1 (the mask) otherwise. */
static void write_data(struct vpic *pic, unsigned int idx, uint8_t v)
{
	struct vpic_chip *c = &pic->chip[idx];

	switch (c->init_step) {
	case 2:
		c->base = v & 0xf8; /* 8086 mode: T7-T3 */
		if (!c->single)
			c->init_step = 3;
		else
			c->init_step = c->icw4_needed ? 4 : 0;
		break;
	case 3:
		c->icw3 = v;
		c->init_step = c->icw4_needed ? 4 : 0;
		break;
	case 4:
		if (!(v & 0x01))
			plog(pic, "vpic: MCS-80/85 mode not supported");
		c->aeoi = v & 0x02;
		c->sfnm = v & 0x10;
		c->init_step = 0;
		break;
	default:
		c->imr = v;
		break;
	}
}

static void write_elcr(struct vpic *pic, unsigned int idx, uint8_t v)
{
	struct vpic_chip *c = &pic->chip[idx];
	uint8_t now_level = v & c->elcr_mask & ~c->elcr;

	c->elcr = v & c->elcr_mask;
	/* An input turned level-triggered requests while it is high. */
	c->irr = (c->irr & ~now_level) | (c->line & now_level);
}

static uint8_t read_byte(struct vpic *pic, uint16_t port)
{
	struct vpic_chip *c;
	unsigned int idx;

	switch (port) {
	case 0x20:
	case 0x21:
	case 0xa0:
	case 0xa1:
		idx = (port >> 7) & 1;
		c = &pic->chip[idx];
		/* A poll command makes the next read a poll, either port. */
		if (c->poll) {
			c->poll = false;
			return poll_read(pic, idx);
		}
		if (port & 1)
			return c->imr;
		return c->read_isr ? c->isr : c->irr;
	case 0x4d0:
	case 0x4d1:
		return pic->chip[port & 1].elcr;
	}
	return 0xff;
}

static void write_byte(struct vpic *pic, uint16_t port, uint8_t v)
{
	switch (port) {
	case 0x20:
	case 0xa0:
		write_cmd(pic, (port >> 7) & 1, v);
		break;
	case 0x21:
	case 0xa1:
		write_data(pic, (port >> 7) & 1, v);
		break;
	case 0x4d0:
	case 0x4d1:
		write_elcr(pic, port & 1, v);
		break;
	default:
		return;
	}
	update(pic);
}

int vpic_io(void *dev, uint64_t port, unsigned int size, bool write,
	    uint64_t *val, uint64_t now_ns)
{
	struct vpic *pic = dev;
	uint64_t r = 0;
	unsigned int i;

	(void)now_ns;
	if (!pic || !val)
		return 0;
	if (size != 1 && size != 2 && size != 4)
		size = 1;
	for (i = 0; i < size; i++) {
		uint16_t p = (uint16_t)(port + i);

		if (write)
			write_byte(pic, p, (uint8_t)(*val >> (8 * i)));
		else
			r |= (uint64_t)read_byte(pic, p) << (8 * i);
	}
	if (!write)
		*val = r;
	return 0;
}
