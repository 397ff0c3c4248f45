/*
 * What the boot loader told us, copied out of the multiboot2 information
 * structure early so that its memory can be reused.
 */
#ifndef TRIVISOR_BOOTINFO_H
#define TRIVISOR_BOOTINFO_H

#include <stdint.h>

#define BOOT_MAX_MMAP 128
#define BOOT_MAX_MODULES 16
#define BOOT_CMDLINE_MAX 1024
#define BOOT_MODNAME_MAX 256

/* Memory map types (multiboot2 spec 3.6.8, same as ACPI / e820). */
#define MMAP_AVAILABLE 1
#define MMAP_RESERVED 2
#define MMAP_ACPI_RECLAIM 3
#define MMAP_NVS 4
#define MMAP_BADRAM 5

struct boot_mmap_entry {
	uint64_t base;
	uint64_t len;
	uint32_t type;
};

struct boot_module {
	uint64_t start; /* physical */
	uint64_t end; /* exclusive */
	char cmdline[BOOT_MODNAME_MAX];
};

struct boot_info {
	uint64_t mbi_pa, mbi_size;
	char cmdline[BOOT_CMDLINE_MAX];
	char loader[64];
	unsigned int nr_mmap;
	struct boot_mmap_entry mmap[BOOT_MAX_MMAP];
	unsigned int nr_modules;
	struct boot_module modules[BOOT_MAX_MODULES];
	uint8_t rsdp_copy[36]; /* the RSDP as the loader gave it */
	unsigned int rsdp_len;
};

extern struct boot_info boot_info;

/*
 * Parse the multiboot2 information at physical @mbi_pa into boot_info.
 * Returns 0 or a negative VMI error for a malformed structure (the reason
 * is logged).
 */
int multiboot2_parse(uint64_t mbi_pa);
void bootinfo_log(void);

#endif
