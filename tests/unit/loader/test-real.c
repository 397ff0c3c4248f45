/*
 * Optional check against a real kernel: if TRIVISOR_TEST_BZIMAGE names a
 * bzImage, or /boot holds a vmlinuz-*, parse and load it into a 256 MiB
 * fake guest and print what the loader decided.  Reported as skipped (and
 * passing) when there is none: the suite must not depend on the host.
 */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hvm/acpi-build.h>
#include <hvm/loader.h>

#include "guest-ram.h"
#include "loader-tests.h"

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

static int find_kernel(char *path, size_t size)
{
	const char *env = getenv("TRIVISOR_TEST_BZIMAGE");
	struct dirent *de;
	DIR *d;

	if (env && *env) {
		snprintf(path, size, "%s", env);
		return 1;
	}
	d = opendir("/boot");
	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "vmlinuz-", 8)) {
			snprintf(path, size, "/boot/%s", de->d_name);
			closedir(d);
			return 1;
		}
	closedir(d);
	return 0;
}

static void test_real_bzimage(void)
{
	struct acpi_build_config cfg;
	struct guest_boot_state bs;
	struct loader_linux_hdr h;
	struct loader_linux_args a = { 0 };
	static const uint8_t initrd[4096];
	struct gram g;
	char path[512];
	uint8_t *img;
	size_t len = 0;

	if (!find_kernel(path, sizeof(path)) || !(img = slurp(path, &len))) {
		printf("\n    real bzImage: skipped (none found; set "
		       "TRIVISOR_TEST_BZIMAGE)");
		return;
	}
	CU_ASSERT_EQUAL_FATAL(loader_linux_parse(img, len, &h, NULL), 0);
	printf("\n    %s: protocol %u.%02u setup_sects %u payload %u "
	       "init_size %#x pref %#llx align %#x reloc %u xlf %#x "
	       "cmdline_size %u initrd_max %#x",
	       path, h.version >> 8, h.version & 0xff, h.setup_sects,
	       h.payload_size, h.init_size, (unsigned long long)h.pref_address,
	       h.kernel_alignment, h.relocatable, h.xloadflags, h.cmdline_size,
	       h.initrd_addr_max);
	gram_init(&g, 0);
	gram_default(&g, 256ull << 20);
	acpi_build_default_config(&cfg, 2);
	CU_ASSERT_FATAL(acpi_build_tables(&gram_ops, &g, &cfg, NULL) == 0);
	g.env.rsdp_gpa = ACPI_BUILD_RSDP_GPA;
	a.kernel = img;
	a.kernel_len = len;
	a.initrd = initrd;
	a.initrd_len = sizeof(initrd);
	a.cmdline = "console=ttyS0 panic=-1";
	CU_ASSERT_EQUAL(loader_linux_load(&g.env, &a, &bs), 0);
	printf("\n    kernel %#llx+%#llx zero page %#llx cmdline %#llx "
	       "initrd %#llx e820 %u rip %#llx esi %#llx",
	       (unsigned long long)bs.placed.kernel_gpa,
	       (unsigned long long)bs.placed.kernel_size,
	       (unsigned long long)bs.placed.info_gpa,
	       (unsigned long long)bs.placed.cmdline_gpa,
	       (unsigned long long)bs.placed.initrd_gpa, bs.placed.nr_map,
	       (unsigned long long)bs.rip, (unsigned long long)bs.rsi);
	CU_ASSERT(memcmp(gram_ptr(&g, bs.rip, h.payload_size),
			 img + h.setup_size, h.payload_size) == 0);
	gram_free(&g);
	free(img);
}

void loader_real_tests(void)
{
	CU_pSuite s = CU_add_suite("loader-real", NULL, NULL);

	CU_add_test(s, "real bzImage if present", test_real_bzimage);
}
