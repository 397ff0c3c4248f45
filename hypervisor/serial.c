/*
 * 16550-compatible UART, polled.  Register map: PC16550D data sheet
 * (THR/RBR +0, IER +1, FCR +2, LCR +3, MCR +4, LSR +5).
 */
#include <trivisor/serial.h>
#include <trivisor/io.h>

#define UART_THR 0
#define UART_RBR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20

void serial_init(uint16_t port, uint32_t baud)
{
	uint16_t div = (uint16_t)(115200 / (baud ? baud : 115200));

	outb(port + UART_IER, 0x00);
	outb(port + UART_LCR, 0x80); /* DLAB */
	outb(port + UART_DLL, div & 0xff);
	outb(port + UART_DLM, div >> 8);
	outb(port + UART_LCR, 0x03); /* 8N1 */
	outb(port + UART_FCR, 0xc7); /* FIFOs on, cleared, 14-byte trigger */
	outb(port + UART_MCR, 0x03); /* DTR, RTS */
}

void serial_putc(uint16_t port, char c)
{
	/* Bounded wait: a missing UART must not hang the log forever. */
	for (unsigned int i = 0; i < 100000; i++)
		if (inb(port + UART_LSR) & LSR_THRE)
			break;
	outb(port + UART_THR, (uint8_t)c);
}

int serial_getc(uint16_t port)
{
	if (!(inb(port + UART_LSR) & LSR_DR))
		return -1;
	return inb(port + UART_RBR);
}
