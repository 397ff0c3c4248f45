/*
 * libFuzzer target for the multiboot loader (hvm/loader-multiboot.c): the
 * input is a whole kernel image (ELF or a.out kludge, with a multiboot or
 * multiboot2 header).  It is probed and loaded into each fake guest of
 * loader-fuzz.c with two modules and a command line, as LOADER_MB_AUTO,
 * V1 and V2;
 * loader-fuzz.c aborts on a write outside guest RAM or into a reserved
 * window, ASan on a read outside the input.
 *     make fuzz   (seeds: tests/fuzz/mkseeds.c)
 */
#include <hvm/loader.h>

#include "loader-fuzz.h"

static const uint8_t mod0[300] = { 'm', 'o', 'd' };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t protos[] = { LOADER_MB_AUTO, LOADER_MB_V1,
					   LOADER_MB_V2 };
	const struct loader_module mods[2] = {
		{ mod0, sizeof(mod0), "first module" },
		{ "", 0, NULL },
	};
	struct guest_boot_state bs;

	(void)loader_probe(data, size);
	for (unsigned int i = 0; i < 3 * FUZZ_NR_GUESTS; i++) {
		const struct loader_env *env = fuzz_guest(i / 3);
		struct loader_mb_args a = {
			.kernel = data,
			.kernel_len = size,
			.cmdline = "kernel console=ttyS0",
			.mods = mods,
			.nr_mods = 2,
			.protocol = protos[i % 3],
		};

		fuzz_check_load(env, loader_multiboot_load(env, &a, &bs), &bs);
	}
	return 0;
}
