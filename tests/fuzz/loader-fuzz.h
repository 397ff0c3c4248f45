/*
 * loader-fuzz.h - what the loader fuzz targets (fuzz_bzimage, fuzz_multiboot,
 * fuzz_elf) share: one fake guest built once, with the loader-tests host
 * shim (tests/unit/loader/guest-ram.c), and checks of the loaders'
 * promises around each load.
 */
#ifndef TESTS_FUZZ_LOADER_FUZZ_H
#define TESTS_FUZZ_LOADER_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include <hvm/loader.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Fake guest i (of FUZZ_NR_GUESTS), set up on its first call: the
 * standard hv layout (loader_layout_default) of 64 MiB (guest 0) or a
 * tight 2 MiB (guest 1), with the ACPI tables at 0xE0000.  Its write op
 * aborts on a write that is not wholly inside one RAM range or that
 * touches a reserved window (hvm/loader.h: the loaders place nothing
 * there); reads may reach any backed byte (multiboot2 copies the RSDP).
 * A guest is not cleared between loads.
 */
#define FUZZ_NR_GUESTS 2
const struct loader_env *fuzz_guest(unsigned int i);

/* Host pointer to [gpa, gpa + len) of that guest, or NULL. */
uint8_t *fuzz_guest_ptr(const struct loader_env *env, uint64_t gpa,
			uint64_t len);

/*
 * After a load into env: ret is 0 with no error string, or one of the
 * codes hvm/loader.h lists with bs->error naming it; on success the
 * initrd, the boot information and a Linux kernel lie in guest RAM.
 * Aborts otherwise.
 */
void fuzz_check_load(const struct loader_env *env, int ret,
		     const struct guest_boot_state *bs);

#endif
