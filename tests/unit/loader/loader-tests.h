/* Suites of the loader unit test binary. */
#ifndef TESTS_LOADER_TESTS_H
#define TESTS_LOADER_TESTS_H

#include <stddef.h>
#include <stdint.h>

void loader_common_tests(void);
void loader_linux_tests(void);
void loader_multiboot_tests(void);
void loader_real_tests(void);

/* A synthetic bzImage (test-linux.c); params is a struct bzp. */
uint8_t *test_bz_build(const void *params, size_t *len);

#endif
