/* Domain configuration files (tools/tvctl/config.h, docs/tvctl.md). */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include <stdbool.h>

#define KNOWN "name, type, memory, vcpus, kernel, ramdisk, cmdline"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* A quoted string; returns false on a missing quote or overflow. */
static bool take_string(const char *v, size_t vn, char *out, size_t cap)
{
	if (vn < 2 || v[0] != '"' || v[vn - 1] != '"')
		return false;
	if (vn - 2 >= cap || memchr(v + 1, '"', vn - 2))
		return false;
	memcpy(out, v + 1, vn - 2);
	out[vn - 2] = '\0';
	return true;
}

static bool take_number(const char *v, size_t vn, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;

	if (vn == 0 || vn > 12)
		return false;
	for (size_t i = 0; i < vn; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	if (n > max)
		return false;
	*out = n;
	return true;
}

static int line_error(char *err, size_t errlen, unsigned int line,
		      const char *fmt, const char *a, size_t an, const char *b,
		      size_t bn)
{
	int n = snprintf(err, errlen, "line %u: ", line);

	if (n > 0 && (size_t)n < errlen)
		snprintf(err + n, errlen - (size_t)n, fmt, (int)an, a, (int)bn,
			 b);
	return -1;
}

static int parse_line(const char *k, size_t kn, const char *v, size_t vn,
		      unsigned int line, struct tv_config *c, char *err,
		      size_t errlen)
{
	uint64_t n;

#define KEY(s) (kn == sizeof(s) - 1 && !memcmp(k, s, kn))
#define BAD(what) line_error(err, errlen, line, "%.*s = %.*s: " what, k, kn, v, vn)
	if (KEY("name")) {
		if (!take_string(v, vn, c->name, sizeof(c->name)) || !c->name[0])
			return BAD("write a quoted name of 1 to 31 characters, "
				   "e.g. name = \"web\"");
		for (const char *p = c->name; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
			      *p == '.'))
				return BAD("names use letters, digits, '-', '_' "
					   "and '.'");
	} else if (KEY("type")) {
		if (!take_string(v, vn, c->type, sizeof(c->type)) ||
		    (strcmp(c->type, "hv") && strcmp(c->type, "pv") &&
		     strcmp(c->type, "bt") && strcmp(c->type, "auto")))
			return BAD("use \"hv\", \"pv\", \"bt\" or \"auto\"");
	} else if (KEY("memory")) {
		if (!take_number(v, vn, 1 << 20, &n) || n < 4 || n % 2)
			return BAD("use MiB, an even number of at least 4, e.g. "
				   "memory = 128");
		c->memory_mib = n;
	} else if (KEY("vcpus")) {
		if (!take_number(v, vn, 8, &n) || n < 1)
			return BAD("use 1 to 8");
		c->vcpus = (unsigned int)n;
	} else if (KEY("kernel")) {
		if (!take_string(v, vn, c->kernel, sizeof(c->kernel)) ||
		    !c->kernel[0])
			return BAD("write the kernel's path in quotes");
	} else if (KEY("ramdisk")) {
		if (!take_string(v, vn, c->ramdisk, sizeof(c->ramdisk)))
			return BAD("write the ramdisk's path in quotes");
	} else if (KEY("cmdline") || KEY("extra")) {
		if (!take_string(v, vn, c->cmdline, sizeof(c->cmdline)))
			return BAD("write the command line in quotes (at most "
				   "1023 characters, no '\"')");
	} else {
		return line_error(err, errlen, line,
				  "unknown key '%.*s'%.*s (known: " KNOWN ")",
				  k, kn, "", 0);
	}
#undef KEY
#undef BAD
	return 0;
}

int tv_config_parse(const char *text, struct tv_config *c, char *err,
		    size_t errlen)
{
	unsigned int line = 0;
	const char *p = text;

	memset(c, 0, sizeof(*c));
	strcpy(c->type, "auto");
	c->memory_mib = 64;
	c->vcpus = 1;
	while (*p) {
		const char *end = strchr(p, '\n'), *k, *v, *eq, *hash;
		size_t kn, vn;
		bool quoted = false;

		if (!end)
			end = p + strlen(p);
		line++;
		/* A '#' outside quotes starts a comment. */
		hash = NULL;
		for (const char *q = p; q < end; q++) {
			if (*q == '"')
				quoted = !quoted;
			else if (*q == '#' && !quoted) {
				hash = q;
				break;
			}
		}
		if (hash)
			end = hash;
		while (p < end && is_space(*p))
			p++;
		if (p == end)
			goto next;
		eq = memchr(p, '=', (size_t)(end - p));
		if (!eq)
			return line_error(err, errlen, line,
					  "'%.*s' is not key = value%.*s",
					  p, (size_t)(end - p), "", 0);
		k = p;
		kn = (size_t)(eq - p);
		while (kn && is_space(k[kn - 1]))
			kn--;
		v = eq + 1;
		while (v < end && is_space(*v))
			v++;
		vn = (size_t)(end - v);
		while (vn && is_space(v[vn - 1]))
			vn--;
		if (parse_line(k, kn, v, vn, line, c, err, errlen))
			return -1;
next:
		p = *end ? strchr(end, '\n') : end;
		if (p && *p == '\n')
			p++;
		if (!p)
			break;
	}
	if (!c->name[0]) {
		snprintf(err, errlen, "no name: add a line name = \"...\"");
		return -1;
	}
	if (!c->kernel[0]) {
		snprintf(err, errlen, "no kernel: add a line kernel = \"PATH\"");
		return -1;
	}
	return 0;
}
