/* 16550 UART driver for the hypervisor console and management line. */
#ifndef TRIVISOR_SERIAL_H
#define TRIVISOR_SERIAL_H

#include <stdint.h>
#include <stdbool.h>

#define COM1_PORT 0x3f8
#define COM2_PORT 0x2f8

void serial_init(uint16_t port, uint32_t baud);
void serial_putc(uint16_t port, char c);
/* Returns -1 when no byte is waiting. */
int serial_getc(uint16_t port);

#endif
