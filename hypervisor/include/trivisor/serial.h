/* 16550 UART driver for the hypervisor console and management line. */
#ifndef TRIVISOR_SERIAL_H
#define TRIVISOR_SERIAL_H

#include <stdint.h>
#include <stdbool.h>

#define COM1_PORT 0x3f8
#define COM2_PORT 0x2f8

void serial_init(uint16_t port, uint32_t baud);
/* Write a byte, waiting for the transmitter (and serial_delay_us). */
void serial_putc(uint16_t port, char c);
/* Without waiting: how many bytes the transmitter takes now (room in its
 * FIFO), write one of them, and about how long until it is empty. */
unsigned int serial_tx_room(uint16_t port);
void serial_tx_byte(uint16_t port, char c);
uint64_t serial_tx_busy_ns(uint16_t port);
/* Returns -1 when no byte is waiting. */
int serial_getc(uint16_t port);

/* serial_delay_us= (docs/cmdline.md): at least this long between two
 * bytes on a port; 0 = as fast as the UART takes them. */
extern uint32_t serial_delay_us;
/* Count (and ASSERT) serial_putc() with interrupts off or a spinlock held
 * from now on; off again for the synchronous panic and exit paths. */
void serial_check_waits(bool on);
/* How many such waits there were. */
uint64_t serial_bad_waits(void);

#endif
