/*
 * runtime.c - what a freestanding C program still needs: the mem* and
 * str* functions (gcc may emit calls to memset/memcpy/memmove/memcmp), and
 * 64-bit division for -m32 without libgcc (__udivdi3 and friends: Debian's
 * gcc has no 32-bit libgcc unless gcc-multilib is installed).
 */
#include "guest.h"

void *memset(void *d, int c, size_t n)
{
	void *ret = d;

	asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return ret;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *ret = d;

	asm volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return ret;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	if (dp <= sp || dp >= sp + n)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i])
			return (unsigned char)a[i] < (unsigned char)b[i] ? -1
									 : 1;
		if (!a[i])
			return 0;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, ~(size_t)0);
}

/* Printable ASCII, 0x20..0x7e, for all @n bytes. */
bool is_printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

static uint64_t divmod64(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint64_t q = 0;
	int shift;

	if (!(d >> 32)) {
		/* Two 64/32 divides: high word, then remainder:low word. */
		uint32_t dd = (uint32_t)d, hi = (uint32_t)(n >> 32);
		uint32_t qhi = hi / dd, r = hi % dd, qlo;

		asm("divl %4"
		    : "=a"(qlo), "=d"(r)
		    : "a"((uint32_t)n), "d"(r), "rm"(dd));
		if (rem)
			*rem = r;
		return ((uint64_t)qhi << 32) | qlo;
	}
	/* d >= 2^32: quotient < 2^32, plain shift-and-subtract. */
	shift = __builtin_clz((uint32_t)(d >> 32)) -
		(n >> 32 ? __builtin_clz((uint32_t)(n >> 32)) : 32);
	if (shift < 0) {
		if (rem)
			*rem = n;
		return 0;
	}
	d <<= shift;
	for (; shift >= 0; shift--) {
		q <<= 1;
		if (n >= d) {
			n -= d;
			q |= 1;
		}
		d >>= 1;
	}
	if (rem)
		*rem = n;
	return q;
}

uint64_t udiv64(uint64_t n, uint64_t d)
{
	return divmod64(n, d, NULL);
}

uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
	return divmod64(n, d, NULL);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
	uint64_t r;

	divmod64(n, d, &r);
	return r;
}

int64_t __divdi3(int64_t n, int64_t d)
{
	bool neg = (n < 0) != (d < 0);
	uint64_t q = divmod64(n < 0 ? -(uint64_t)n : (uint64_t)n,
			      d < 0 ? -(uint64_t)d : (uint64_t)d, NULL);

	return neg ? -(int64_t)q : (int64_t)q;
}

int64_t __moddi3(int64_t n, int64_t d)
{
	uint64_t r;

	divmod64(n < 0 ? -(uint64_t)n : (uint64_t)n,
		 d < 0 ? -(uint64_t)d : (uint64_t)d, &r);
	return n < 0 ? -(int64_t)r : (int64_t)r;
}
