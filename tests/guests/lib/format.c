/*
 * format.c - vsnprintf for the guest kernels.
 *
 * Conversions: d i u x X o p s c %, flags - 0 + space #, width and
 * precision (also *), length hh h l ll z j t.  64-bit values are divided
 * with udiv64() (no libgcc needed).
 */
#include "guest.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, uint64_t v, bool neg, unsigned int base,
		    bool upper, int width, int prec, bool left, bool zero,
		    char sign, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, pad, plen = prefix ? (int)strlen(prefix) : 0;

	while (v) {
		uint64_t q = udiv64(v, base);

		tmp[n++] = digits[v - q * base];
		v = q;
	}
	if (prec < 0 && n == 0)
		tmp[n++] = '0';
	while (n < prec)
		tmp[n++] = '0';
	if (neg)
		sign = '-';
	pad = width - n - plen - (sign ? 1 : 0);
	if (!left && !(zero && prec < 0))
		for (; pad > 0; pad--)
			put(o, ' ');
	if (sign)
		put(o, sign);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	if (!left && zero && prec < 0)
		for (; pad > 0; pad--)
			put(o, '0');
	while (n)
		put(o, tmp[--n]);
	for (; pad > 0; pad--)
		put(o, ' ');
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		bool left = false, zero = false, alt = false;
		char sign = 0;
		int width = 0, prec = -1, lng = 0;
		unsigned int base = 10;
		bool upper = false, is_signed = false;
		uint64_t v;
		bool neg = false;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		for (;;) {
			char f = *++fmt;

			if (f == '-')
				left = true;
			else if (f == '0')
				zero = true;
			else if (f == '+')
				sign = '+';
			else if (f == ' ')
				sign = sign ? sign : ' ';
			else if (f == '#')
				alt = true;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = true;
				width = -width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					prec = prec * 10 + (*fmt++ - '0');
			}
		}
		for (;; fmt++) {
			if (*fmt == 'l')
				lng++;
			else if (*fmt == 'j')
				lng = 2;
			else if (*fmt == 'h' || *fmt == 'z' || *fmt == 't')
				;
			else
				break;
		}
		switch (*fmt) {
		case 'c':
			for (; !left && width > 1; width--)
				put(&o, ' ');
			put(&o, (char)va_arg(ap, int));
			for (; left && width > 1; width--)
				put(&o, ' ');
			continue;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int n;

			if (!s)
				s = "(null)";
			for (n = 0; s[n] && (prec < 0 || n < prec); n++)
				;
			for (; !left && width > n; width--)
				put(&o, ' ');
			for (int i = 0; i < n; i++)
				put(&o, s[i]);
			for (; left && width > n; width--)
				put(&o, ' ');
			continue;
		}
		case '%':
			put(&o, '%');
			continue;
		case 'd':
		case 'i':
			is_signed = true;
			break;
		case 'u':
			break;
		case 'X':
			upper = true;
			/* fall through */
		case 'x':
			base = 16;
			break;
		case 'o':
			base = 8;
			break;
		case 'p':
			base = 16;
			alt = true;
			lng = 0;
			break;
		case '\0':
			fmt--;
			continue;
		default:
			put(&o, '%');
			put(&o, *fmt);
			continue;
		}
		if (lng >= 2) {
			v = va_arg(ap, uint64_t);
			if (is_signed && (int64_t)v < 0) {
				neg = true;
				v = -v;
			}
		} else if (*fmt == 'p') {
			v = (uintptr_t)va_arg(ap, void *);
		} else {
			uint32_t w = va_arg(ap, uint32_t);

			v = w;
			if (is_signed && (int32_t)w < 0) {
				neg = true;
				v = (uint32_t)-w;
			}
		}
		if (!is_signed)
			sign = 0;
		put_num(&o, v, neg, base, upper, width, prec, left, zero, sign,
			alt && base == 16 ? (upper ? "0X" : "0x")
			: alt && base == 8 ? "0"
					   : NULL);
	}
	if (o.size)
		o.buf[o.len < o.size ? o.len : o.size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
