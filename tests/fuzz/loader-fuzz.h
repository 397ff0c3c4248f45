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
 * The standard 64 MiB hv layout (loader_layout_default) with the ACPI
 * tables at 0xE0000, set up on the first call.  Its write op aborts on a
 * write that is not wholly inside one RAM range or that touches a
 * reserved window (hvm/loader.h: the loaders place nothing there); reads
 * may reach any backed byte (multiboot2 copies the RSDP).
 */
const struct loader_env *fuzz_guest(void);

/* Host pointer to [gpa, gpa + len) of that guest, or NULL. */
uint8_t *fuzz_guest_ptr(uint64_t gpa, uint64_t len);

/*
 * After a load: ret is 0 with no error string, or one of the codes
 * hvm/loader.h lists with bs->error naming it; on success the initrd,
 * the boot information and a Linux kernel lie in guest RAM.  Aborts otherwise.
 */
void fuzz_check_load(int ret, const struct guest_boot_state *bs);

#endif
