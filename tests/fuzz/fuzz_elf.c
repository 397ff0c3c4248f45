/*
 * libFuzzer target for the ELF32/ELF64 part of the multiboot loader
 * (hvm/loader-multiboot.c, elf_image and load_segments): the input is an
 * ELF file; a valid multiboot v1 header without the a.out kludge is put
 * right after it (or over bytes 8180-8191 of a longer file, the last
 * place the spec lets it be), so every load reaches the ELF parser.
 * It is loaded into each fake guest of loader-fuzz.c; loader-fuzz.c
 * aborts on a write outside guest RAM or into a reserved window, ASan on
 * a read outside the input.
 *     make fuzz   (seeds: tests/fuzz/mkseeds.c)
 */
#include <stdlib.h>
#include <string.h>

#include <hvm/loader.h>

#include "loader-fuzz.h"

#define MB1_MAGIC 0x1BADB002u
#define MB1_SEARCH 8192
#define MB1_HDR_SIZE 12

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t at = (size + 3) & ~(size_t)3, len;
	struct guest_boot_state bs;
	struct loader_mb_args a = { .cmdline = "elf", .protocol = LOADER_MB_V1 };
	uint8_t *img;

	if (at + MB1_HDR_SIZE > MB1_SEARCH)
		at = MB1_SEARCH - MB1_HDR_SIZE;
	len = at + MB1_HDR_SIZE > size ? at + MB1_HDR_SIZE : size;
	/* Exactly len bytes, so ASan sees a read past the image. */
	img = malloc(len);
	if (!img)
		abort();
	memset(img, 0, len);
	memcpy(img, data, size);
	put32(img + at, MB1_MAGIC);
	put32(img + at + 4, 0);
	put32(img + at + 8, 0u - MB1_MAGIC);
	a.kernel = img;
	a.kernel_len = len;
	for (unsigned int i = 0; i < FUZZ_NR_GUESTS; i++) {
		const struct loader_env *env = fuzz_guest(i);

		fuzz_check_load(env, loader_multiboot_load(env, &a, &bs), &bs);
	}
	free(img);
	return 0;
}
