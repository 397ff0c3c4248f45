/*
 * libFuzzer target for the Linux boot protocol loader (hvm/loader-linux.c):
 * the input is a bzImage file.  It is parsed, probed and loaded into each
 * fake guest of loader-fuzz.c twice, once with an initrd and a command
 * line and once without; loader-fuzz.c aborts on a write outside guest RAM or into a
 * reserved window, ASan on a read outside the input.  A successful load
 * must have copied the protected-mode kernel whole.
 *     make fuzz   (seeds: tests/fuzz/mkseeds.c)
 */
#include <stdlib.h>
#include <string.h>

#include <hvm/loader.h>

#include "loader-fuzz.h"

static const uint8_t initrd[4096] = { 0x30, 0x37, 0x30, 0x37, 0x30, 0x31 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct loader_linux_hdr hdr;
	struct guest_boot_state bs;
	const char *why = NULL;
	int parsed, ret, pass;

	parsed = loader_linux_parse(data, size, &hdr, &why);
	if (parsed && !why)
		abort();
	(void)loader_probe(data, size);
	for (pass = 0; pass < 2 * FUZZ_NR_GUESTS; pass++) {
		const struct loader_env *env = fuzz_guest(pass / 2);
		struct loader_linux_args a = {
			.kernel = data,
			.kernel_len = size,
			.initrd = pass & 1 ? NULL : initrd,
			.initrd_len = pass & 1 ? 0 : sizeof(initrd),
			.cmdline = pass & 1 ? NULL : "console=ttyS0 root=/dev/vda",
		};
		const uint8_t *k;

		ret = loader_linux_load(env, &a, &bs);
		fuzz_check_load(env, ret, &bs);
		/* The loader parses the same way the parser alone does. */
		if (!ret && parsed)
			abort();
		if (ret)
			continue;
		k = fuzz_guest_ptr(env, bs.placed.kernel_gpa,
				   hdr.payload_size);
		if (!k || memcmp(k, data + hdr.setup_size, hdr.payload_size))
			abort();
	}
	return 0;
}
