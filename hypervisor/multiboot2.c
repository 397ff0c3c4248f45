/*
 * Multiboot2 information structure parser (Multiboot2 specification,
 * section 3.6 "Boot information format").  Every tag's size is checked
 * against the total size before it is read.
 */
#include <trivisor/bootinfo.h>
#include <trivisor/layout.h>
#include <trivisor/log.h>
#include <vmi/errno.h>
#include <string.h>

#define TAG_END 0
#define TAG_CMDLINE 1
#define TAG_LOADER 2
#define TAG_MODULE 3
#define TAG_MMAP 6
#define TAG_ACPI_OLD 14
#define TAG_ACPI_NEW 15

struct boot_info boot_info;

static void copy_str(char *dst, size_t cap, const char *src, size_t avail)
{
	size_t n = strnlen(src, avail);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void add_module(const uint8_t *t, uint32_t size)
{
	struct boot_module *m;
	uint32_t start, end;

	if (size < 16 || boot_info.nr_modules >= BOOT_MAX_MODULES) {
		log_warn("multiboot2: module tag ignored (size %u, %u modules)",
			 size, boot_info.nr_modules);
		return;
	}
	memcpy(&start, t + 8, 4);
	memcpy(&end, t + 12, 4);
	if (end < start) {
		log_warn("multiboot2: module with end %#x < start %#x ignored",
			 end, start);
		return;
	}
	m = &boot_info.modules[boot_info.nr_modules++];
	m->start = start;
	m->end = end;
	copy_str(m->cmdline, sizeof(m->cmdline), (const char *)t + 16,
		 size - 16);
}

static void add_mmap(const uint8_t *t, uint32_t size)
{
	uint32_t esize;

	if (size < 16)
		return;
	memcpy(&esize, t + 8, 4);
	if (esize < 24) {
		log_warn("multiboot2: memory map entry size %u too small", esize);
		return;
	}
	for (uint32_t off = 16; off + esize <= size; off += esize) {
		struct boot_mmap_entry *e;

		if (boot_info.nr_mmap >= BOOT_MAX_MMAP) {
			log_warn("multiboot2: more than %d memory map entries",
				 BOOT_MAX_MMAP);
			return;
		}
		e = &boot_info.mmap[boot_info.nr_mmap++];
		memcpy(&e->base, t + off, 8);
		memcpy(&e->len, t + off + 8, 8);
		memcpy(&e->type, t + off + 16, 4);
	}
}

int multiboot2_parse(uint64_t mbi_pa)
{
	const uint8_t *mbi = pa_to_va(mbi_pa);
	uint32_t total;

	memcpy(&total, mbi, 4);
	if (total < 16 || total > (1u << 20)) {
		log_err("multiboot2: implausible info size %u", total);
		return -VMI_EINVAL;
	}
	boot_info.mbi_pa = mbi_pa;
	boot_info.mbi_size = total;

	for (uint32_t off = 8; off + 8 <= total;) {
		const uint8_t *t = mbi + off;
		uint32_t type, size;

		memcpy(&type, t, 4);
		memcpy(&size, t + 4, 4);
		if (size < 8 || off + size > total) {
			log_err("multiboot2: tag %u at offset %u has bad size %u",
				type, off, size);
			return -VMI_EINVAL;
		}
		switch (type) {
		case TAG_END:
			return 0;
		case TAG_CMDLINE:
			copy_str(boot_info.cmdline, sizeof(boot_info.cmdline),
				 (const char *)t + 8, size - 8);
			break;
		case TAG_LOADER:
			copy_str(boot_info.loader, sizeof(boot_info.loader),
				 (const char *)t + 8, size - 8);
			break;
		case TAG_MODULE:
			add_module(t, size);
			break;
		case TAG_MMAP:
			add_mmap(t, size);
			break;
		case TAG_ACPI_OLD:
		case TAG_ACPI_NEW:
			/* Prefer the ACPI 2.0+ RSDP when both are given. */
			if (boot_info.rsdp_len == 0 || type == TAG_ACPI_NEW) {
				uint32_t n = size - 8;

				if (n > sizeof(boot_info.rsdp_copy))
					n = sizeof(boot_info.rsdp_copy);
				memcpy(boot_info.rsdp_copy, t + 8, n);
				boot_info.rsdp_len = n;
			}
			break;
		default:
			break;
		}
		off += (size + 7) & ~7u;
	}
	log_err("multiboot2: no end tag");
	return -VMI_EINVAL;
}

static const char *mmap_type_name(uint32_t type)
{
	switch (type) {
	case MMAP_AVAILABLE:
		return "available";
	case MMAP_RESERVED:
		return "reserved";
	case MMAP_ACPI_RECLAIM:
		return "ACPI reclaimable";
	case MMAP_NVS:
		return "ACPI NVS";
	case MMAP_BADRAM:
		return "bad RAM";
	default:
		return "unknown";
	}
}

void bootinfo_log(void)
{
	uint64_t avail = 0;

	log_info("boot loader: %s", boot_info.loader[0] ? boot_info.loader
							 : "(unnamed)");
	log_info("command line: \"%s\"", boot_info.cmdline);
	log_info("memory map (%u entries):", boot_info.nr_mmap);
	for (unsigned int i = 0; i < boot_info.nr_mmap; i++) {
		const struct boot_mmap_entry *e = &boot_info.mmap[i];

		log_info("  [%016lx - %016lx] %s", e->base, e->base + e->len - 1,
			 mmap_type_name(e->type));
		if (e->type == MMAP_AVAILABLE)
			avail += e->len;
	}
	log_info("usable RAM: %lu MiB", avail >> 20);
	for (unsigned int i = 0; i < boot_info.nr_modules; i++)
		log_info("module %u: [%08lx - %08lx) %lu KiB \"%s\"", i,
			 boot_info.modules[i].start, boot_info.modules[i].end,
			 (boot_info.modules[i].end - boot_info.modules[i].start)
				 >> 10,
			 boot_info.modules[i].cmdline);
}
