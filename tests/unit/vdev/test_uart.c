/*
 * hvm/vuart.c: Linux 8250 autoconfig (scratch, IER, loopback and FIFO
 * probes), output, divisor latch, THRE and receive interrupts on IRQ 4,
 * loopback data and modem lines.
 */
#include "unit.h"
#include "vdev_test.h"

#include <string.h>

#define COM1 VUART_COM1_BASE

static uint8_t rd(unsigned int reg)
{
	return in8((uint16_t)(COM1 + reg), T0);
}

static void wr(unsigned int reg, uint8_t v)
{
	out8((uint16_t)(COM1 + reg), v, T0);
}

/* drivers/tty/serial/8250/8250_port.c autoconfig() for a 16550A. */
static void test_linux_autoconfig(void)
{
	uint8_t scratch, scratch2, scratch3, save_mcr, save_lcr, st1, st2;

	vdev_setup();
	/* Scratch register (autoconfig_8250 and friends). */
	wr(7, 0xa5);
	CU_ASSERT_EQUAL(rd(7), 0xa5);
	wr(7, 0x5a);
	CU_ASSERT_EQUAL(rd(7), 0x5a);
	/* IER existence test. */
	scratch = rd(1);
	wr(1, 0);
	scratch2 = rd(1) & 0x0f;
	wr(1, 0x0f);
	scratch3 = rd(1) & 0x0f;
	wr(1, scratch);
	CU_ASSERT_EQUAL(scratch2, 0);
	CU_ASSERT_EQUAL(scratch3, 0x0f);
	/* Loopback test: MCR = LOOP | OUT2 | RTS -> MSR[7:4] = 0x90. */
	save_mcr = rd(4);
	save_lcr = rd(3);
	wr(4, 0x10 | 0x0a);
	st1 = rd(6) & 0xf0;
	wr(4, save_mcr);
	CU_ASSERT_EQUAL(st1, 0x90);
	/* EFR at LCR = 0xbf is the FCR here; then FIFO detection. */
	wr(3, 0xbf);
	wr(2, 0);
	wr(3, 0);
	wr(2, 0x01);
	CU_ASSERT_EQUAL(rd(2) >> 6, 3);
	/* autoconfig_16550a(): no EFR with DLAB or with LCR = 0xbf. */
	wr(3, 0x80);
	CU_ASSERT_NOT_EQUAL(rd(2), 0);
	wr(3, 0xbf);
	CU_ASSERT_NOT_EQUAL(rd(2), 0);
	/* No NS SuperIO: offset 2 with LCR = 0xe0 does not follow LOOP. */
	wr(3, 0);
	st1 = rd(4);
	wr(3, 0xe0);
	st2 = rd(2);
	CU_ASSERT_EQUAL((st1 ^ st2) & 0x10, 0);
	wr(3, 0);
	wr(4, st1 ^ 0x10);
	wr(3, 0xe0);
	st2 = rd(2);
	wr(3, 0);
	wr(4, st1);
	CU_ASSERT_EQUAL(st2 & 0x10, 0); /* IIR bit 4 never follows LOOP */
	/* Not a 16750: 64-byte FIFO bit ignored with and without DLAB. */
	wr(2, 0x21);
	st1 = rd(2) >> 5;
	wr(2, 0x01);
	wr(3, 0x80);
	wr(2, 0x21);
	st2 = rd(2) >> 5;
	wr(2, 0x01);
	wr(3, 0);
	CU_ASSERT_EQUAL(st1, 6);
	CU_ASSERT_EQUAL(st2, 6);
	/* Not an XScale: IER bit 6 (UUE) does not stick. */
	wr(1, 0x40);
	CU_ASSERT_EQUAL(rd(1) & 0x40, 0);
	wr(1, 0);
	wr(3, save_lcr);
	CU_ASSERT_EQUAL(rd(3), save_lcr);
	/* Nothing went to the console during the probe. */
	CU_ASSERT_EQUAL(vd.fake.console_len, 0);
}

static void test_output_and_divisor(void)
{
	const char *msg = "Linux version 6.1.0-18-amd64\r\n";
	size_t i;

	vdev_setup();
	/* 115200 8N1. */
	wr(3, 0x80);
	wr(0, 0x01);
	wr(1, 0x00);
	CU_ASSERT_EQUAL(rd(0), 0x01);
	CU_ASSERT_EQUAL(rd(1), 0x00);
	wr(3, 0x03);
	CU_ASSERT_EQUAL(vd.com1.divisor, 1);
	CU_ASSERT_EQUAL(rd(1), 0x00); /* IER, not DLM */
	wr(2, 0xc7);
	for (i = 0; i < strlen(msg); i++) {
		/* serial8250_console_putchar: wait for THRE. */
		CU_ASSERT_EQUAL(rd(5) & 0x60, 0x60);
		wr(0, (uint8_t)msg[i]);
	}
	CU_ASSERT_EQUAL(vd.fake.console_len, strlen(msg));
	CU_ASSERT_EQUAL(memcmp(vd.fake.console, msg, strlen(msg)), 0);
	CU_ASSERT_EQUAL(rd(5), 0x60);
	CU_ASSERT_EQUAL(rd(2), 0xc1); /* FIFOs on, no interrupt */
	/* 16-bit access splits into THR then IER. */
	pout(COM1, 2, 0x0041, T0);
	CU_ASSERT_EQUAL(vd.fake.console[vd.fake.console_len - 1], 'A');
	CU_ASSERT_EQUAL(vd.fake.calls[4], 0);
}

static void test_thre_irq(void)
{
	uint8_t iir1, iir;

	vdev_setup();
	wr(3, 0x03);
	wr(2, 0x07);
	wr(4, 0x0b); /* DTR RTS OUT2: IRQ enabled on the PC */
	CU_ASSERT_EQUAL(vd.fake.calls[4], 0);
	/* serial8250_do_startup()'s THRE re-assert test. */
	wr(1, 0x02);
	CU_ASSERT_TRUE(vd.fake.level[4]);
	iir1 = rd(2);
	CU_ASSERT_FALSE(vd.fake.level[4]);
	wr(1, 0);
	wr(1, 0x02);
	CU_ASSERT_TRUE(vd.fake.level[4]);
	iir = rd(2);
	wr(1, 0);
	CU_ASSERT_FALSE(iir1 & 0x01);
	CU_ASSERT_FALSE(iir & 0x01);
	CU_ASSERT_EQUAL(iir1, 0xc2);
	CU_ASSERT_EQUAL(iir, 0xc2);
	CU_ASSERT_FALSE(vd.fake.level[4]);
	CU_ASSERT_EQUAL(vd.fake.rises[4], 2);

	/* Interrupt-driven transmit: IIR says THRE (line drops), the
	 * handler writes a FIFO's worth (line rises again: a new edge),
	 * then stops TX by clearing ETBEI. */
	wr(1, 0x02);
	CU_ASSERT_EQUAL(vd.fake.rises[4], 3);
	CU_ASSERT_EQUAL(rd(2), 0xc2);
	CU_ASSERT_FALSE(vd.fake.level[4]);
	wr(0, 'o');
	wr(0, 'k');
	CU_ASSERT_TRUE(vd.fake.level[4]);
	CU_ASSERT_EQUAL(vd.fake.rises[4], 4);
	wr(1, 0x00);
	CU_ASSERT_FALSE(vd.fake.level[4]);
	CU_ASSERT_EQUAL(rd(2), 0xc1);
	CU_ASSERT_EQUAL(vd.fake.console_len, 2);

	/* OUT2 gates the line: pending but not driven without it. */
	wr(4, 0x03);
	wr(1, 0x02);
	CU_ASSERT_FALSE(vd.fake.level[4]);
	CU_ASSERT_EQUAL(rd(2) & 0x0f, 0x02);
	wr(1, 0x02);
	CU_ASSERT_FALSE(vd.fake.bad_irq);
}

static void test_receive(void)
{
	uint8_t buf[20];
	unsigned int i;

	vdev_setup();
	wr(2, 0xc7); /* FIFO, trigger 14 */
	wr(4, 0x08);
	wr(1, 0x01); /* ERBFI */
	CU_ASSERT_EQUAL(vuart_input(&vd.com1, (const uint8_t *)"abc", 3), 3);
	CU_ASSERT_EQUAL(rd(5), 0x61);
	CU_ASSERT_TRUE(vd.fake.level[4]);
	CU_ASSERT_EQUAL(rd(2), 0xcc); /* timeout: below the trigger */
	CU_ASSERT_EQUAL(rd(0), 'a');
	CU_ASSERT_EQUAL(rd(0), 'b');
	CU_ASSERT_EQUAL(rd(0), 'c');
	CU_ASSERT_EQUAL(rd(5), 0x60);
	CU_ASSERT_FALSE(vd.fake.level[4]);
	CU_ASSERT_EQUAL(rd(2), 0xc1);
	CU_ASSERT_EQUAL(rd(0), 0); /* empty */

	/* The FIFO holds 16; the rest stays with the caller. */
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	CU_ASSERT_EQUAL(vuart_input(&vd.com1, buf, sizeof(buf)), 16);
	CU_ASSERT_EQUAL(vuart_rx_room(&vd.com1), 0);
	CU_ASSERT_EQUAL(vuart_input(&vd.com1, buf, 1), 0);
	CU_ASSERT_EQUAL(rd(2), 0xc4); /* at or over the trigger level */
	CU_ASSERT_EQUAL(rd(5) & 0x02, 0); /* no overrun */
	for (i = 0; i < 16; i++)
		CU_ASSERT_EQUAL(rd(0), i);
	/* Trigger level 1 reports "data available" for one byte. */
	wr(2, 0x07);
	CU_ASSERT_EQUAL(vuart_input(&vd.com1, buf, 1), 1);
	CU_ASSERT_EQUAL(rd(2), 0xc4);
	/* FCR clears the receive FIFO. */
	wr(2, 0x03);
	CU_ASSERT_EQUAL(rd(5) & 0x01, 0);
	/* Without FIFO: one byte of holding register. */
	wr(2, 0x00);
	CU_ASSERT_EQUAL(vuart_input(&vd.com1, buf, 5), 1);
	CU_ASSERT_EQUAL(rd(2), 0x04);
	CU_ASSERT_EQUAL(rd(0), 0);
	CU_ASSERT_FALSE(vd.fake.level[4]);
	CU_ASSERT_FALSE(vd.fake.bad_irq);
}

static void test_loopback(void)
{
	vdev_setup();
	wr(2, 0x01);
	wr(1, 0x0f);
	wr(4, 0x1b); /* LOOP with DTR RTS OUT2 */
	/* Modem inputs follow the outputs; deltas latched. */
	CU_ASSERT_EQUAL(rd(6), 0xb0 | 0x00); /* CTS DSR DCD, as before */
	wr(4, 0x14); /* LOOP | OUT1: RI only */
	CU_ASSERT_EQUAL(rd(6), 0x40 | 0x0b);
	CU_ASSERT_EQUAL(rd(6), 0x40);
	wr(4, 0x10);
	CU_ASSERT_EQUAL(rd(6), 0x04); /* trailing edge of RI */
	/* Data comes back; nothing reaches the console or the line. */
	wr(0, 'x');
	wr(0, 'y');
	CU_ASSERT_EQUAL(vd.fake.console_len, 0);
	CU_ASSERT_EQUAL(rd(5) & 0x01, 0x01);
	CU_ASSERT_EQUAL(rd(2), 0xc4); /* trigger level 1 */
	CU_ASSERT_EQUAL(rd(0), 'x');
	CU_ASSERT_EQUAL(rd(0), 'y');
	CU_ASSERT_FALSE(vd.fake.level[4]);
	/* Console input is cut off in loopback. */
	CU_ASSERT_EQUAL(vuart_input(&vd.com1, (const uint8_t *)"z", 1), 0);
	/* Overrun: 17 bytes into a 16-byte FIFO. */
	for (int i = 0; i < 17; i++)
		wr(0, (uint8_t)('A' + i));
	CU_ASSERT_EQUAL(rd(2), 0xc6); /* line status first */
	CU_ASSERT_EQUAL(rd(5), 0x63);
	CU_ASSERT_EQUAL(rd(5), 0x61);
	CU_ASSERT_EQUAL(rd(2), 0xc4);
	/* Leaving loopback: modem inputs back to CTS DSR DCD. */
	wr(4, 0x08);
	CU_ASSERT_EQUAL(rd(6), 0xb0 | 0x0b);
	CU_ASSERT_TRUE(vd.fake.level[4]); /* data still queued */
	CU_ASSERT_FALSE(vd.fake.bad_irq);
}

void register_uart_tests(void)
{
	CU_pSuite s = CU_add_suite("vuart", NULL, NULL);

	CU_add_test(s, "Linux 8250 autoconfig", test_linux_autoconfig);
	CU_add_test(s, "output and divisor latch", test_output_and_divisor);
	CU_add_test(s, "THRE interrupt", test_thre_irq);
	CU_add_test(s, "receive FIFO and interrupts", test_receive);
	CU_add_test(s, "loopback and modem status", test_loopback);
}
