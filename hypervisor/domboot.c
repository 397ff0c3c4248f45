/*
 * Domains named by multiboot2 modules at boot (docs/domains.md).
 *
 * A module whose string starts with "kernel" is a domain's kernel:
 *     kernel NAME [memory=MiB] [vcpus=N] [type=hv|pv] [ramdisk=MODULE]
 *            [unclaimed=float|strict] [cmdline=...]
 * and "cmdline=" takes the rest of the string.  A module whose string is
 * "ramdisk MODULE" is found by that name.
 */
#include <trivisor/domain.h>
#include <trivisor/bootinfo.h>
#include <trivisor/layout.h>
#include <trivisor/log.h>
#include <string.h>
#include <stdio.h>

static const struct boot_module *find_ramdisk(const char *name, size_t n)
{
	for (unsigned int i = 0; i < boot_info.nr_modules; i++) {
		const char *s = boot_info.modules[i].cmdline;

		if (!strncmp(s, "ramdisk ", 8) && strlen(s + 8) == n &&
		    !strncmp(s + 8, name, n))
			return &boot_info.modules[i];
	}
	return NULL;
}

static unsigned long parse_num(const char *s, size_t n, bool *ok)
{
	unsigned long v = 0;

	*ok = n > 0 && n < 10;
	for (size_t i = 0; i < n && *ok; i++) {
		if (s[i] < '0' || s[i] > '9')
			*ok = false;
		else
			v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return v;
}

static int create_from(const struct boot_module *m)
{
	struct domain_config cfg = { .mem_bytes = 64ul << 20, .vcpus = 1 };
	char name[DOMAIN_NAME_MAX], why[200];
	const char *s = m->cmdline + 7, *cmdline = "";
	const struct boot_module *rd = NULL;
	struct domain *d;
	size_t n;
	int ret;

	n = strcspn(s, " ");
	if (n == 0 || n >= sizeof(name)) {
		log_err("module \"%s\": name the domain: kernel NAME [memory=MiB] "
			"[vcpus=N] [type=hv|pv] [ramdisk=MODULE] "
			"[unclaimed=float|strict] [cmdline=...]", m->cmdline);
		return -1;
	}
	memcpy(name, s, n);
	name[n] = '\0';
	s += n;
	while (*s == ' ')
		s++;
	while (*s) {
		const char *eq = strchr(s, '=');
		size_t kn, vn;
		bool ok = true;

		if (!strncmp(s, "cmdline=", 8)) {
			cmdline = s + 8;
			break;
		}
		n = strcspn(s, " ");
		if (!eq || eq > s + n) {
			log_err("domain %s: \"%.*s\" is not key=value", name,
				(int)n, s);
			return -1;
		}
		kn = (size_t)(eq - s);
		vn = n - kn - 1;
		if (kn == 6 && !strncmp(s, "memory", 6)) {
			cfg.mem_bytes = parse_num(eq + 1, vn, &ok) << 20;
		} else if (kn == 5 && !strncmp(s, "vcpus", 5)) {
			cfg.vcpus = (unsigned int)parse_num(eq + 1, vn, &ok);
		} else if (kn == 7 && !strncmp(s, "ramdisk", 7)) {
			rd = find_ramdisk(eq + 1, vn);
			if (!rd) {
				log_err("domain %s: no module \"ramdisk %.*s\"",
					name, (int)vn, eq + 1);
				return -1;
			}
		} else if (kn == 4 && !strncmp(s, "type", 4)) {
			if (vn == 2 && !strncmp(eq + 1, "hv", 2)) {
				cfg.pv = false;
			} else if (vn == 2 && !strncmp(eq + 1, "pv", 2)) {
				cfg.pv = true;
			} else {
				log_err("domain %s: type = %.*s: use hv (unmodified "
					"guest) or pv (VMI guest)", name, (int)vn,
					eq + 1);
				return -1;
			}
		} else if (kn == 9 && !strncmp(s, "unclaimed", 9)) {
			if (vn == 5 && !strncmp(eq + 1, "float", 5)) {
				cfg.unclaimed_strict = false;
			} else if (vn == 6 && !strncmp(eq + 1, "strict", 6)) {
				cfg.unclaimed_strict = true;
			} else {
				log_err("domain %s: unclaimed = %.*s: use float "
					"(all ones, writes dropped) or strict "
					"(crash)", name, (int)vn, eq + 1);
				return -1;
			}
		} else {
			log_err("domain %s: unknown key \"%.*s\" (known: memory, "
				"vcpus, type, ramdisk, unclaimed, cmdline)", name,
				(int)kn, s);
			return -1;
		}
		if (!ok) {
			log_err("domain %s: %.*s: not a number", name, (int)n, s);
			return -1;
		}
		s += n;
		while (*s == ' ')
			s++;
	}
	cfg.name = name;
	cfg.kernel = pa_to_va(m->start);
	cfg.kernel_len = m->end - m->start;
	if (rd) {
		cfg.ramdisk = pa_to_va(rd->start);
		cfg.ramdisk_len = rd->end - rd->start;
	}
	cfg.cmdline = cmdline;
	ret = domain_create(&cfg, &d, why, sizeof(why));
	if (ret)
		log_err("domain %s not created: %s", name, why);
	return ret;
}

int domains_boot_create(void)
{
	int failed = 0;

	for (unsigned int i = 0; i < boot_info.nr_modules; i++)
		if (!strncmp(boot_info.modules[i].cmdline, "kernel ", 7))
			failed += create_from(&boot_info.modules[i]) != 0;
	return failed;
}
