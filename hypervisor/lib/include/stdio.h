/*
 * stdio.h - formatted output into buffers (hypervisor/lib/vsnprintf.c).
 * The subset of C99 conversions the hypervisor uses: %d %i %u %x %X %o %c
 * %s %p %%, flags '-' '0' '+' ' ' '#', width and precision (also '*'),
 * length modifiers hh h l ll z t j.
 */
#ifndef TRIVISOR_LIB_STDIO_H
#define TRIVISOR_LIB_STDIO_H

#include <stdarg.h>
#include <stddef.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
