/*
 * Command line: space-separated `key=value` words.  See docs/cmdline.md.
 * Parsing happens before the console is configured, so complaints are
 * kept and logged once the console is up.
 */
#include <trivisor/cmdline.h>
#include <trivisor/serial.h>
#include <trivisor/platform.h>
#include <trivisor/log.h>
#include <trivisor/init.h>
#include <string.h>
#include <stdio.h>
#include <stdarg.h>

struct hv_config hv_config = {
	.console_port = COM1_PORT,
	.mgmt_port = COM2_PORT,
};

static char complaints[4][160];
static int nr_complaints;

static void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void complain(const char *fmt, ...)
{
	va_list ap;

	if (nr_complaints >= 4)
		return;
	va_start(ap, fmt);
	vsnprintf(complaints[nr_complaints++], sizeof(complaints[0]), fmt, ap);
	va_end(ap);
}

static bool eq(const char *v, size_t n, const char *s)
{
	return strlen(s) == n && !strncmp(v, s, n);
}

/* V (VN bytes) is a decimal number from LO to HI: true, with it in *OUT. */
static bool number(const char *v, size_t vn, uint32_t lo, uint32_t hi,
		   uint32_t *out)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < vn && v[i] >= '0' && v[i] <= '9' && n <= hi; i++)
		n = n * 10 + (uint64_t)(v[i] - '0');
	if (!vn || i != vn || n < lo || n > hi)
		return false;
	*out = (uint32_t)n;
	return true;
}

static void option(const char *k, size_t kn, const char *v, size_t vn)
{
	char tmp[32];

	if (eq(k, kn, "loglevel")) {
		snprintf(tmp, sizeof(tmp), "%.*s", (int)vn, v);
		if (log_set_level_name(tmp) < 0)
			complain("loglevel=%.*s: use err, warn, info or debug",
				 (int)vn, v);
	} else if (eq(k, kn, "console")) {
		if (eq(v, vn, "com1"))
			hv_config.console_port = COM1_PORT;
		else if (eq(v, vn, "com2"))
			hv_config.console_port = COM2_PORT;
		else if (eq(v, vn, "none"))
			hv_config.console_port = 0;
		else
			complain("console=%.*s: use com1, com2 or none",
				 (int)vn, v);
	} else if (eq(k, kn, "mgmt")) {
		if (eq(v, vn, "com1"))
			hv_config.mgmt_port = COM1_PORT;
		else if (eq(v, vn, "com2"))
			hv_config.mgmt_port = COM2_PORT;
		else if (eq(v, vn, "none"))
			hv_config.mgmt_port = 0;
		else
			complain("mgmt=%.*s: use com1, com2 or none", (int)vn,
				 v);
	} else if (eq(k, kn, "attach")) {
		if (vn == 0 || vn >= sizeof(hv_config.attach))
			complain("attach=%.*s: name a domain (1 to %zu "
				 "characters)", (int)vn, v,
				 sizeof(hv_config.attach) - 1);
		else
			snprintf(hv_config.attach, sizeof(hv_config.attach),
				 "%.*s", (int)vn, v);
	} else if (eq(k, kn, "onpanic")) {
		if (eq(v, vn, "exit"))
			platform_exit_on_panic = true;
		else if (eq(v, vn, "halt"))
			platform_exit_on_panic = false;
		else
			complain("onpanic=%.*s: use exit or halt", (int)vn, v);
	} else if (eq(k, kn, "exit")) {
		if (eq(v, vn, "done"))
			hv_config.exit_when_done = true;
		else if (eq(v, vn, "never"))
			hv_config.exit_when_done = false;
		else
			complain("exit=%.*s: use done or never", (int)vn, v);
	} else if (eq(k, kn, "watchdog")) {
		uint32_t n;

		if (!number(v, vn, 0, 999999, &n))
			complain("watchdog=%.*s: use a number of seconds below "
				 "1000000 (0 = off)", (int)vn, v);
		else
			hv_config.watchdog_s = n;
	} else if (eq(k, kn, "selftest")) {
		if (vn >= sizeof(hv_config.selftests))
			complain("selftest=: list longer than %zu characters",
				 sizeof(hv_config.selftests) - 1);
		else
			snprintf(hv_config.selftests,
				 sizeof(hv_config.selftests), "%.*s", (int)vn,
				 v);
	} else if (eq(k, kn, "badentry")) {
		if (!vn || vn >= sizeof(hv_config.bad_entry))
			complain("badentry=%.*s: name a domain (at most %zu "
				 "characters)", (int)vn, v,
				 sizeof(hv_config.bad_entry) - 1);
		else
			snprintf(hv_config.bad_entry,
				 sizeof(hv_config.bad_entry), "%.*s", (int)vn,
				 v);
	} else if (eq(k, kn, "asids")) {
		uint32_t n;

		if (!number(v, vn, 2, 65536, &n))
			complain("asids=%.*s: use a number of TLB tags from 2 "
				 "to 65536, tag 0 included", (int)vn, v);
		else
			hv_config.asids = n;
	} else if (eq(k, kn, "xsave")) {
		if (eq(v, vn, "on"))
			hv_config.no_guest_xsave = false;
		else if (eq(v, vn, "off"))
			hv_config.no_guest_xsave = true;
		else
			complain("xsave=%.*s: use on or off", (int)vn, v);
	} else if (eq(k, kn, "serial_delay_us")) {
		uint32_t n;

		if (!number(v, vn, 0, 999999, &n))
			complain("serial_delay_us=%.*s: use a number of "
				 "microseconds below 1000000 (0 = off)",
				 (int)vn, v);
		else
			serial_delay_us = n;
	} else {
		complain("unknown option '%.*s' ignored (known: loglevel, "
			 "console, mgmt, attach, onpanic, exit, selftest, watchdog, "
			 "badentry, asids, xsave, serial_delay_us)",
			 (int)kn, k);
	}
}

int cmdline_parse(const char *s)
{
	while (*s) {
		const char *k, *v = NULL;
		size_t kn, vn = 0;

		while (*s == ' ')
			s++;
		if (!*s)
			break;
		k = s;
		while (*s && *s != ' ' && *s != '=')
			s++;
		kn = (size_t)(s - k);
		if (*s == '=') {
			v = ++s;
			while (*s && *s != ' ')
				s++;
			vn = (size_t)(s - v);
		}
		if (!v)
			complain("option '%.*s' needs a value (%.*s=VALUE)",
				 (int)kn, k, (int)kn, k);
		else
			option(k, kn, v, vn);
	}
	return nr_complaints;
}

void cmdline_report(void)
{
	for (int i = 0; i < nr_complaints; i++)
		log_warn("command line: %s", complaints[i]);
}
