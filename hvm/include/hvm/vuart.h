/*
 * hvm/vuart.h - a virtual NS16550A UART.
 *
 * Eight registers at @base (National Semiconductor PC16550D data sheet):
 * RBR/THR, IER, IIR/FCR, LCR, MCR, LSR, MSR, SCR, with the divisor latch
 * at offsets 0-1 while LCR.DLAB is set.  One struct per serial port; the
 * PC platform has COM1 at 0x3f8 on IRQ 4.
 *
 * Transmission is instantaneous: a byte written to THR goes straight to
 * ops->console (one byte per call; the callee may buffer lines), so LSR
 * always shows THRE and TEMT and the THR-empty interrupt comes back as
 * soon as it is cleared by a write.  Enabling ETBEI while THR is empty
 * raises it again, which Linux's 8250 driver checks at startup (else it
 * falls back to polling with UART_BUG_THRE).
 *
 * Reception: vuart_input() queues bytes in the 16-byte receive FIFO (one
 * byte with the FIFO off).  With the FIFO on, IIR reports "received data
 * available" once the trigger level is reached and "character timeout"
 * for a shorter queue at once, without the four character times the chip
 * would wait.
 *
 * Loopback (MCR bit 4) works as on the chip: THR feeds the receiver, the
 * modem inputs read DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD, and the
 * external receive input is cut off.  Outside loopback the modem inputs
 * read CTS, DSR and DCD asserted, RI not.
 *
 * Interrupt line: the chip's INTR is a level output, and on a PC it
 * reaches the ISA IRQ only through the buffer that OUT2 enables (MCR
 * bit 3; Linux sets it for ports with an IRQ).  OUT2 is forced inactive
 * in loopback.  The model drives ops->set_irq(irq, level) with that
 * gated level whenever it changes: the interrupt controller's ISA pin is
 * edge triggered and takes the rising edges, exactly as with the real
 * part (a new edge needs the previous cause cleared, e.g. by reading IIR
 * for THRE).
 *
 * Threading: the domain's device lock (hvm/vplat.h).
 * Portable: builds freestanding in the hypervisor and on the host.
 */
#ifndef HVM_VUART_H
#define HVM_VUART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hvm/vioport.h>
#include <hvm/vplat.h>

#define VUART_COM1_BASE 0x3f8
#define VUART_COM1_IRQ 4
#define VUART_COM2_BASE 0x2f8
#define VUART_COM2_IRQ 3
#define VUART_NR_REGS 8
#define VUART_FIFO_SIZE 16

/* Register offsets. */
#define VUART_RBR 0 /* read, DLAB = 0 */
#define VUART_THR 0 /* write, DLAB = 0 */
#define VUART_DLL 0 /* DLAB = 1 */
#define VUART_IER 1 /* DLAB = 0 */
#define VUART_DLM 1 /* DLAB = 1 */
#define VUART_IIR 2 /* read */
#define VUART_FCR 2 /* write */
#define VUART_LCR 3
#define VUART_MCR 4
#define VUART_LSR 5
#define VUART_MSR 6
#define VUART_SCR 7

#define VUART_IER_ERBFI 0x01 /* received data available */
#define VUART_IER_ETBEI 0x02 /* THR empty */
#define VUART_IER_ELSI 0x04 /* receiver line status */
#define VUART_IER_EDSSI 0x08 /* modem status */

#define VUART_IIR_NO_INT 0x01
#define VUART_IIR_MSI 0x00
#define VUART_IIR_THRI 0x02
#define VUART_IIR_RDI 0x04
#define VUART_IIR_RLSI 0x06
#define VUART_IIR_TIMEOUT 0x0c
#define VUART_IIR_FIFO 0xc0 /* FIFOs enabled (16550A) */

#define VUART_FCR_ENABLE 0x01
#define VUART_FCR_CLEAR_RX 0x02
#define VUART_FCR_CLEAR_TX 0x04
#define VUART_FCR_DMA 0x08
#define VUART_FCR_TRIGGER 0xc0

#define VUART_LCR_DLAB 0x80

#define VUART_MCR_DTR 0x01
#define VUART_MCR_RTS 0x02
#define VUART_MCR_OUT1 0x04
#define VUART_MCR_OUT2 0x08
#define VUART_MCR_LOOP 0x10

#define VUART_LSR_DR 0x01
#define VUART_LSR_OE 0x02
#define VUART_LSR_PE 0x04
#define VUART_LSR_FE 0x08
#define VUART_LSR_BI 0x10
#define VUART_LSR_THRE 0x20
#define VUART_LSR_TEMT 0x40
#define VUART_LSR_ERRORS 0x1e

#define VUART_MSR_DCTS 0x01
#define VUART_MSR_DDSR 0x02
#define VUART_MSR_TERI 0x04
#define VUART_MSR_DDCD 0x08
#define VUART_MSR_CTS 0x10
#define VUART_MSR_DSR 0x20
#define VUART_MSR_RI 0x40
#define VUART_MSR_DCD 0x80

struct vuart {
	const struct vplat_ops *ops;
	uint16_t base;
	unsigned int irq;

	uint8_t ier; /* bits 0-3 */
	uint8_t fcr; /* ENABLE, DMA and trigger bits as written */
	uint8_t lcr;
	uint8_t mcr; /* bits 0-4 */
	uint8_t lsr_err; /* OE/PE/FE/BI until LSR is read */
	uint8_t msr; /* status bits 4-7 and deltas 0-3 */
	uint8_t scr;
	uint16_t divisor;
	bool thr_ipending; /* the THRE interrupt is owed */
	bool irq_level; /* what set_irq last said */

	uint8_t rx[VUART_FIFO_SIZE];
	unsigned int rx_head; /* index of the oldest byte */
	unsigned int rx_count;
};

/* Reset state (data sheet, Table IV) for a UART at @base on ISA @irq. */
void vuart_init(struct vuart *u, const struct vplat_ops *ops, uint16_t base,
		unsigned int irq);

/* Claim ports [base, base + 8) in @tab: 0 or vioport_register()'s error. */
int vuart_register(struct vuart *u, struct vioport_table *tab);

/* The vplat_io_fn behind the eight registers (@dev is the vuart). */
int vuart_io(void *dev, uint64_t port, unsigned int size, bool write,
	     uint64_t *val, uint64_t now_ns);

/*
 * Console input: queue up to @n bytes for the guest to read.  Returns
 * how many were taken (less than @n when the receive FIFO is full, none
 * in loopback); the caller keeps the rest and tries again after the
 * guest reads (vuart_rx_room()).
 */
size_t vuart_input(struct vuart *u, const uint8_t *buf, size_t n);

/* Bytes vuart_input() would take now. */
size_t vuart_rx_room(const struct vuart *u);

#endif /* HVM_VUART_H */
