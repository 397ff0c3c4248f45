/* tvctl's domain configuration parser (tools/tvctl/config.c). */
#include "unit.h"
#include "../../../tools/tvctl/config.h"
#include <string.h>

static struct tv_config c;
static char err[256];

static void test_full(void)
{
	const char *t = "# a domain\n"
			"name = \"web-1\"\n"
			"type = \"hv\"   # comment\n"
			"memory = 128\n"
			"vcpus = 2\n"
			"\n"
			"kernel = \"/boot/vmlinuz\"\n"
			"ramdisk = \"initrd.cpio.gz\"\n"
			"cmdline = \"console=ttyS0 tvtest=shell # not a comment\"\n";

	CU_ASSERT_EQUAL(tv_config_parse(t, &c, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(c.name, "web-1");
	CU_ASSERT_STRING_EQUAL(c.type, "hv");
	CU_ASSERT_EQUAL(c.memory_mib, 128);
	CU_ASSERT_EQUAL(c.vcpus, 2);
	CU_ASSERT_STRING_EQUAL(c.kernel, "/boot/vmlinuz");
	CU_ASSERT_STRING_EQUAL(c.ramdisk, "initrd.cpio.gz");
	CU_ASSERT_STRING_EQUAL(c.cmdline,
			       "console=ttyS0 tvtest=shell # not a comment");
}

static void test_defaults(void)
{
	CU_ASSERT_EQUAL(tv_config_parse("name=\"a\"\nkernel=\"k\"", &c, err,
					sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(c.type, "auto");
	CU_ASSERT_EQUAL(c.memory_mib, 64);
	CU_ASSERT_EQUAL(c.vcpus, 1);
	CU_ASSERT_STRING_EQUAL(c.ramdisk, "");
}

#define REFUSED(text, msg)                                                   \
	do {                                                                 \
		CU_ASSERT_EQUAL(tv_config_parse(text, &c, err, sizeof(err)), -1); \
		CU_ASSERT_PTR_NOT_NULL(strstr(err, msg));                    \
		if (!strstr(err, msg))                                       \
			fprintf(stderr, "\n  got: %s\n", err);               \
	} while (0)

static void test_errors(void)
{
	REFUSED("name = \"a\"\nkernel = \"k\"\ncolour = 3\n",
		"line 3: unknown key 'colour' (known: name,");
	REFUSED("name = \"a\"\nmemory = lots\n",
		"line 2: memory = lots: use MiB");
	REFUSED("memory = 7\n", "line 1: memory = 7:");
	REFUSED("vcpus = 9\n", "line 1: vcpus = 9: use 1 to 8");
	REFUSED("type = \"xen\"\n", "use \"hv\", \"pv\", \"bt\" or \"auto\"");
	REFUSED("name = web\n", "line 1: name = web: write a quoted name");
	REFUSED("name = \"a b\"\n", "names use letters");
	REFUSED("\n\njust words\n", "line 3: 'just words' is not key = value");
	REFUSED("kernel = \"k\"\n", "no name");
	REFUSED("name = \"a\"\n", "no kernel");
	REFUSED("name = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n", "line 1");
}

void unit_register(void)
{
	CU_pSuite s = CU_add_suite("tvconfig", NULL, NULL);

	CU_add_test(s, "full", test_full);
	CU_add_test(s, "defaults", test_defaults);
	CU_add_test(s, "errors", test_errors);
}

UNIT_MAIN
