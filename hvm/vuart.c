/*
 * hvm/vuart.c - virtual NS16550A.
 *
 * Section names refer to the National Semiconductor PC16550D data sheet
 * (June 1995): "Registers", Table II (register summary), Table IV
 * (interrupt control functions: priorities and reset conditions).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <hvm/vioport.h>
#include <hvm/vplat.h>
#include <hvm/vuart.h>
#include <vmi/errno.h>

static bool uart_fifo(const struct vuart *u)
{
	return u->fcr & VUART_FCR_ENABLE;
}

static bool uart_loop(const struct vuart *u)
{
	return u->mcr & VUART_MCR_LOOP;
}

static unsigned int uart_rx_cap(const struct vuart *u)
{
	return uart_fifo(u) ? VUART_FIFO_SIZE : 1;
}

/* RCVR trigger level from FCR bits 7-6: 1, 4, 8 or 14 bytes. */
static unsigned int uart_trigger(const struct vuart *u)
{
	static const uint8_t level[4] = { 1, 4, 8, 14 };

	return level[u->fcr >> 6];
}

/* Table IV: the pending interrupt of highest priority. */
static uint8_t uart_iir_id(const struct vuart *u)
{
	if (u->ier & VUART_IER_ELSI && u->lsr_err)
		return VUART_IIR_RLSI;
	if (u->ier & VUART_IER_ERBFI && u->rx_count) {
		if (uart_fifo(u) && u->rx_count < uart_trigger(u))
			return VUART_IIR_TIMEOUT;
		return VUART_IIR_RDI;
	}
	if (u->ier & VUART_IER_ETBEI && u->thr_ipending)
		return VUART_IIR_THRI;
	if (u->ier & VUART_IER_EDSSI && u->msr & 0x0f)
		return VUART_IIR_MSI;
	return VUART_IIR_NO_INT;
}

/* INTR, gated by the OUT2 pin (inactive in loopback) as on a PC. */
static void uart_update_irq(struct vuart *u)
{
	bool level = uart_iir_id(u) != VUART_IIR_NO_INT &&
		     (u->mcr & (VUART_MCR_OUT2 | VUART_MCR_LOOP)) ==
			     VUART_MCR_OUT2;

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	if (u->ops && u->ops->set_irq)
		u->ops->set_irq(u->ops->ctx, u->irq, level);
}

/* The modem inputs as the MSR sees them, in MSR bit positions. */
static uint8_t uart_modem_inputs(const struct vuart *u)
{
	uint8_t m = u->mcr, v = 0;

	if (!uart_loop(u))
		return VUART_MSR_CTS | VUART_MSR_DSR | VUART_MSR_DCD;
	if (m & VUART_MCR_DTR)
		v |= VUART_MSR_DSR;
	if (m & VUART_MCR_RTS)
		v |= VUART_MSR_CTS;
	if (m & VUART_MCR_OUT1)
		v |= VUART_MSR_RI;
	if (m & VUART_MCR_OUT2)
		v |= VUART_MSR_DCD;
	return v;
}

/* Latch new modem inputs and their delta bits (TERI: RI 1 -> 0). */
static void uart_set_modem(struct vuart *u)
{
	uint8_t old = u->msr & 0xf0, now = uart_modem_inputs(u);
	uint8_t chg = old ^ now, delta = 0;

	if (chg & VUART_MSR_CTS)
		delta |= VUART_MSR_DCTS;
	if (chg & VUART_MSR_DSR)
		delta |= VUART_MSR_DDSR;
	if (chg & VUART_MSR_RI && !(now & VUART_MSR_RI))
		delta |= VUART_MSR_TERI;
	if (chg & VUART_MSR_DCD)
		delta |= VUART_MSR_DDCD;
	u->msr = (uint8_t)(now | ((u->msr | delta) & 0x0f));
}

static void uart_rx_push(struct vuart *u, uint8_t c)
{
	if (u->rx_count < uart_rx_cap(u)) {
		u->rx[(u->rx_head + u->rx_count) % VUART_FIFO_SIZE] = c;
		u->rx_count++;
		return;
	}
	/* Overrun: with the FIFO on, the new character is lost; without
	 * it, RBR is overwritten (data sheet, LSR bit 1). */
	u->lsr_err |= VUART_LSR_OE;
	if (!uart_fifo(u))
		u->rx[u->rx_head] = c;
}

static uint8_t uart_rx_pop(struct vuart *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % VUART_FIFO_SIZE;
	u->rx_count--;
	return c;
}

static void uart_rx_clear(struct vuart *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

static void uart_transmit(struct vuart *u, uint8_t c)
{
	if (uart_loop(u))
		uart_rx_push(u, c);
	else if (u->ops && u->ops->console)
		u->ops->console(u->ops->ctx, (const char *)&c, 1);
	/* The byte is gone at once: THR is empty again. */
	u->thr_ipending = true;
}

static void uart_write_fcr(struct vuart *u, uint8_t v)
{
	/* Toggling FIFO enable clears both FIFOs; the other bits are
	 * only programmed with FCR0 set. */
	if ((v ^ u->fcr) & VUART_FCR_ENABLE)
		uart_rx_clear(u);
	if (!(v & VUART_FCR_ENABLE)) {
		u->fcr = 0;
		return;
	}
	if (v & VUART_FCR_CLEAR_RX)
		uart_rx_clear(u);
	u->fcr = v & (VUART_FCR_ENABLE | VUART_FCR_DMA | VUART_FCR_TRIGGER);
}

static void uart_write(struct vuart *u, unsigned int reg, uint8_t v)
{
	uint8_t chg;

	switch (reg) {
	case VUART_THR:
		if (u->lcr & VUART_LCR_DLAB) {
			u->divisor = (uint16_t)((u->divisor & 0xff00) | v);
			break;
		}
		u->thr_ipending = false;
		uart_transmit(u, v);
		break;
	case VUART_IER:
		if (u->lcr & VUART_LCR_DLAB) {
			u->divisor = (uint16_t)((u->divisor & 0xff) | v << 8);
			break;
		}
		chg = (u->ier ^ v) & 0x0f;
		u->ier = v & 0x0f;
		/* Setting ETBEI with THR empty (always, here) raises the
		 * THRE interrupt again; clearing it drops it. */
		if (chg & VUART_IER_ETBEI)
			u->thr_ipending = u->ier & VUART_IER_ETBEI;
		break;
	case VUART_FCR:
		uart_write_fcr(u, v);
		break;
	case VUART_LCR:
		u->lcr = v;
		break;
	case VUART_MCR:
		u->mcr = v & 0x1f;
		uart_set_modem(u);
		break;
	case VUART_SCR:
		u->scr = v;
		break;
	default: /* LSR, MSR: factory test writes, ignored */
		break;
	}
}

static uint8_t uart_read(struct vuart *u, unsigned int reg)
{
	uint8_t v;

	switch (reg) {
	case VUART_RBR:
		if (u->lcr & VUART_LCR_DLAB)
			return (uint8_t)u->divisor;
		return uart_rx_pop(u);
	case VUART_IER:
		if (u->lcr & VUART_LCR_DLAB)
			return (uint8_t)(u->divisor >> 8);
		return u->ier;
	case VUART_IIR:
		v = uart_iir_id(u);
		/* Reading IIR while it shows THRE clears that source. */
		if (v == VUART_IIR_THRI)
			u->thr_ipending = false;
		return (uint8_t)(v | (uart_fifo(u) ? VUART_IIR_FIFO : 0));
	case VUART_LCR:
		return u->lcr;
	case VUART_MCR:
		return u->mcr;
	case VUART_LSR:
		v = u->lsr_err | VUART_LSR_THRE | VUART_LSR_TEMT;
		if (u->rx_count)
			v |= VUART_LSR_DR;
		u->lsr_err = 0;
		return v;
	case VUART_MSR:
		v = u->msr;
		u->msr &= 0xf0;
		return v;
	default:
		return u->scr;
	}
}

void vuart_init(struct vuart *u, const struct vplat_ops *ops, uint16_t base,
		unsigned int irq)
{
	memset(u, 0, sizeof(*u));
	u->ops = ops;
	u->base = base;
	u->irq = irq;
	u->divisor = 12; /* 9600 baud from 1.8432 MHz, like a BIOS leaves */
	u->msr = uart_modem_inputs(u);
}

int vuart_register(struct vuart *u, struct vioport_table *tab)
{
	return vioport_register(tab, u->base, VUART_NR_REGS, 1, vuart_io, u);
}

int vuart_io(void *dev, uint64_t port, unsigned int size, bool write,
	     uint64_t *val, uint64_t now_ns)
{
	struct vuart *u = dev;
	unsigned int reg = (unsigned int)(port - u->base) & (VUART_NR_REGS - 1);

	(void)size; /* registered 1 byte wide */
	(void)now_ns; /* transmission takes no time */
	if (write)
		uart_write(u, reg, (uint8_t)*val);
	else
		*val = uart_read(u, reg);
	uart_update_irq(u);
	return 0;
}

size_t vuart_rx_room(const struct vuart *u)
{
	if (uart_loop(u))
		return 0;
	return uart_rx_cap(u) - u->rx_count;
}

size_t vuart_input(struct vuart *u, const uint8_t *buf, size_t n)
{
	size_t i, room = vuart_rx_room(u);

	if (n > room)
		n = room;
	for (i = 0; i < n; i++)
		uart_rx_push(u, buf[i]);
	if (n)
		uart_update_irq(u);
	return n;
}
