/*
 * The hypervisor's vsnprintf() against the C library's, format by format.
 * The hypervisor copy is compiled here under other names so both exist.
 */
#include "unit.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define vsnprintf hv_vsnprintf
#define snprintf hv_snprintf
int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int hv_snprintf(char *buf, size_t size, const char *fmt, ...);
#include "../../../hypervisor/lib/vsnprintf.c"
#undef vsnprintf
#undef snprintf

#define SAME(...)                                                            \
	do {                                                                 \
		char a[256], b[256];                                         \
		int na = hv_snprintf(a, sizeof(a), __VA_ARGS__);             \
		int nb = snprintf(b, sizeof(b), __VA_ARGS__);                \
		CU_ASSERT_STRING_EQUAL(a, b);                                \
		CU_ASSERT_EQUAL(na, nb);                                     \
	} while (0)

static void test_integers(void)
{
	SAME("%d %i %u", 0, -1, 4000000000u);
	SAME("%d", INT32_MIN);
	SAME("%ld %lu", (long)INT64_MIN, (unsigned long)UINT64_MAX);
	SAME("%x %X %#x %#X %#x", 0xbeefu, 0xbeefu, 0xbeefu, 0xbeefu, 0u);
	SAME("%o %#o", 8u, 8u);
	SAME("%5d|%-5d|%05d|%+d|% d", 42, 42, 42, 42, 42);
	SAME("%016lx %-16lx|", 0xffff870000001000ul, 0x10ul);
	SAME("%.3d %.0d %5.3d", 7, 0, -7);
	SAME("%hhd %hd %hhu %hu", 300, 70000, 300, 70000);
	SAME("%zu %zx", (size_t)12345, (size_t)0xabc);
	SAME("%*d %-*d %.*d", 6, 1, 6, 2, 4, 3);
}

static void test_strings(void)
{
	SAME("%s|%10s|%-10s|%.2s|%c|%3c|%-3c|", "abc", "abc", "abc", "abc",
	     'x', 'y', 'z');
	SAME("100%% %s", "");
	SAME("%p", (void *)0xffff800000001000ul);
}

static void test_truncation(void)
{
	char buf[8];
	int n;

	memset(buf, 'x', sizeof(buf));
	n = hv_snprintf(buf, sizeof(buf), "%s", "hello, world");
	CU_ASSERT_EQUAL(n, 12);
	CU_ASSERT_STRING_EQUAL(buf, "hello, ");
	/* size 0 writes nothing and still counts. */
	CU_ASSERT_EQUAL(hv_snprintf(NULL, 0, "%d", 12345), 5);
	CU_ASSERT_EQUAL(hv_snprintf(buf, 1, "%d", 12345), 5);
	CU_ASSERT_EQUAL(buf[0], '\0');
}

static void test_null_and_unknown(void)
{
	char buf[32];

	hv_snprintf(buf, sizeof(buf), "%s", (char *)NULL);
	CU_ASSERT_STRING_EQUAL(buf, "(null)");
	/* An unknown conversion shows up instead of vanishing. */
	hv_snprintf(buf, sizeof(buf), "a%qb");
	CU_ASSERT_STRING_EQUAL(buf, "a%qb");
}

void unit_register(void)
{
	CU_pSuite s = CU_add_suite("vsnprintf", NULL, NULL);

	CU_add_test(s, "integers match the C library", test_integers);
	CU_add_test(s, "strings, chars and pointers", test_strings);
	CU_add_test(s, "truncation and return value", test_truncation);
	CU_add_test(s, "NULL string, unknown conversion", test_null_and_unknown);
}

UNIT_MAIN
