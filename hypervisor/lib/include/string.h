/*
 * string.h - the part of the C library the freestanding hypervisor offers.
 *
 * Portable modules (mm/, bt-fallback/, io-rings/, ...) include <string.h>;
 * on the host they get the C library, inside the hypervisor they get these,
 * implemented in hypervisor/lib/string.c.
 */
#ifndef TRIVISOR_LIB_STRING_H
#define TRIVISOR_LIB_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strcspn(const char *s, const char *reject);

#endif
