/*
 * hvm/loader.h - portable guest image loaders for the hv container.
 *
 * The hv container starts an unmodified guest the way a boot loader would:
 * it places the images in guest RAM, writes the boot information the
 * guest's boot protocol defines and hands back the register state the
 * first vCPU starts with.  Three protocols are supported:
 *
 *   - the Linux x86 32-bit boot protocol for bzImage kernels
 *     (Documentation/arch/x86/boot.rst in the Linux tree), protocol 2.06+;
 *   - Multiboot 0.6.96 ("v1") for ELF32/ELF64 or a.out-kludge kernels;
 *   - Multiboot2 1.0 ("v2") for ELF32/ELF64 or address-tag kernels.
 *
 * All three start the guest in 32-bit flat protected mode with paging off,
 * which is what struct guest_boot_state describes.
 *
 * This code is portable: it runs inside the hypervisor and in the host unit
 * tests.  Guest memory is reached only through struct guest_mem_ops; the
 * images are plain (pointer, length) buffers in hypervisor memory and are
 * treated as hostile: every field is checked before it is used, and a
 * malformed image yields -VMI_EINVAL, never an out-of-bounds access.
 *
 * Errors (negated vmi/errno.h codes) common to the loaders:
 *   -VMI_EINVAL      malformed image, bad layout or bad argument
 *   -VMI_EOPNOTSUPP  well-formed image asking for something unsupported
 *                    (Linux boot protocol < 2.06, a multiboot video mode...)
 *   -VMI_ENOMEM      no room in guest RAM for the kernel, initrd or info
 *   -VMI_ERANGE      a fixed-address segment lies outside guest RAM or
 *                    overlaps a reserved window
 *   -VMI_E2BIG       too many memory-map entries, segments or modules;
 *                    command line longer than the kernel accepts
 *   -VMI_EFAULT      (or any other code) passed on from guest_mem_ops
 * On failure guest_boot_state.error names the reason; guest memory may have
 * been partly written.
 */
#ifndef HVM_LOADER_H
#define HVM_LOADER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Access to guest-physical memory.  Both return 0 or a negated vmi/errno.h
 * code (-VMI_EFAULT for an address that is not guest RAM).  A call may span
 * pages but never wraps around the address space.
 */
struct guest_mem_ops {
	int (*write)(void *ctx, uint64_t gpa, const void *src, size_t len);
	int (*read)(void *ctx, uint64_t gpa, void *dst, size_t len);
};

/* Range types; the values are the E820 (and multiboot memory map) types. */
#define GUEST_MEM_RAM 1 /* usable RAM */
#define GUEST_MEM_RESERVED 2 /* MMIO, firmware area: never touched */
#define GUEST_MEM_ACPI 3 /* ACPI tables, reclaimable once parsed */
#define GUEST_MEM_NVS 4 /* ACPI NVS */
#define GUEST_MEM_UNUSABLE 5 /* bad memory */

/* Highest guest-physical address a range may end at (52-bit). */
#define GUEST_MEM_MAX_GPA (1ull << 52)

/*
 * One range of the guest's physical address space.  In loader_env.ram the
 * type must be GUEST_MEM_RAM: the range is backed by memory that
 * guest_mem_ops can write.  In loader_env.reserved the type is one of
 * GUEST_MEM_RESERVED..GUEST_MEM_UNUSABLE: the loaders place nothing there
 * and the memory map reports the window with that type even where it
 * overlaps RAM (the ACPI tables at 0xE0000 are such a window).  pad must be
 * zero.
 */
struct guest_mem_range {
	uint64_t gpa;
	uint64_t size;
	uint32_t type;
	uint32_t pad;
};

/*
 * Where the loaders work.  ram ranges must not overlap one another;
 * reserved windows may overlap RAM and each other (the first window listed
 * that covers an address gives its type).  rsdp_gpa is the guest-physical
 * address of the ACPI RSDP (see hvm/acpi-build.h), or 0 for none: Linux
 * gets it in boot_params.acpi_rsdp_addr, multiboot2 a copy in the ACPI
 * tags (read back through ops->read).
 */
struct loader_env {
	const struct guest_mem_ops *ops;
	void *ctx;
	const struct guest_mem_range *ram;
	size_t nr_ram;
	const struct guest_mem_range *reserved;
	size_t nr_reserved;
	uint64_t rsdp_gpa;
};

/*
 * Segment register as the vCPU should hold it, descriptor cache included.
 * attr uses the 12-bit packing of the AMD VMCB segment attributes (AMD APM
 * vol. 2, 15.5.1): bits 0-7 = descriptor access byte (type, S, DPL, P),
 * bits 8-11 = AVL, L, D/B, G.  loader_seg_attr_vmx() converts to the VMX
 * access-rights format.
 */
struct guest_seg {
	uint16_t sel;
	uint16_t attr;
	uint32_t limit; /* byte granular */
	uint64_t base;
};

/* GDTR / IDTR. */
struct guest_dtable {
	uint64_t base;
	uint16_t limit;
};

/* SDM vol. 3C, 24.4.1: access byte in bits 0-7, AVL/L/D/G in bits 12-15. */
static inline uint32_t loader_seg_attr_vmx(uint16_t attr)
{
	return (uint32_t)(attr & 0xff) | ((uint32_t)(attr & 0xf00) << 4);
}

/* guest_boot_state.mode */
#define GUEST_BOOT_MODE_PROT32 1 /* 32-bit protected mode, paging off */

/* guest_boot_state.placed.kind */
#define LOADER_KIND_LINUX 1
#define LOADER_KIND_MULTIBOOT1 2
#define LOADER_KIND_MULTIBOOT2 3

/* What went where (for logs and tests).  0 = not present. */
struct loader_placement {
	uint32_t kind; /* LOADER_KIND_* */
	uint32_t protocol; /* Linux: boot protocol (0x020f); MB: 1 or 2 */
	uint64_t kernel_gpa; /* lowest byte of the kernel */
	uint64_t kernel_size; /* Linux: init_size room; MB: span loaded */
	uint64_t initrd_gpa; /* Linux initrd */
	uint64_t initrd_size;
	uint64_t info_gpa; /* boot_params (zero page) or multiboot info */
	uint64_t info_size;
	uint64_t cmdline_gpa;
	uint64_t gdt_gpa;
	uint32_t nr_map; /* memory map (E820 / mmap) entries written */
	uint32_t nr_mods; /* multiboot modules */
};

/*
 * Initial state of the boot vCPU.  Registers not listed are zero.  The GDT
 * at gdtr holds the flat selectors used below (0x10 code, 0x18 data), so a
 * guest that reloads a segment register before its own lgdt still works.
 * tr and ldtr are given in a state VMX and SVM entry checks accept.
 */
struct guest_boot_state {
	uint32_t mode; /* GUEST_BOOT_MODE_* */
	uint32_t pad;
	uint64_t rip, rsp, rflags;
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t cr0, cr3, cr4, efer;
	struct guest_seg cs, ds, es, fs, gs, ss, tr, ldtr;
	struct guest_dtable gdtr, idtr;
	struct loader_placement placed;
	const char *error; /* static string naming the failure, or NULL */
};

/* Selectors in the loader's boot GDT (Linux __BOOT_CS / __BOOT_DS). */
#define LOADER_BOOT_CS 0x10
#define LOADER_BOOT_DS 0x18

/* A multiboot module: an image in hypervisor memory and its string. */
struct loader_module {
	const void *data;
	size_t len;
	const char *cmdline; /* may be NULL */
};

/* Arguments of loader_linux_load(). */
struct loader_linux_args {
	const void *kernel; /* the whole bzImage file */
	size_t kernel_len;
	const void *initrd; /* may be NULL */
	size_t initrd_len;
	const char *cmdline; /* may be NULL */
};

/* loader_mb_args.protocol */
#define LOADER_MB_AUTO 0 /* multiboot2 if its header is found, else v1 */
#define LOADER_MB_V1 1
#define LOADER_MB_V2 2

/* Arguments of loader_multiboot_load(). */
struct loader_mb_args {
	const void *kernel; /* ELF32/ELF64 or a.out-kludge image */
	size_t kernel_len;
	const char *cmdline; /* may be NULL */
	const struct loader_module *mods;
	size_t nr_mods;
	uint32_t protocol; /* LOADER_MB_* */
};

/* Limits (the loaders keep their bookkeeping on the stack). */
#define LOADER_MAX_SEGMENTS 16 /* PT_LOAD segments with p_memsz != 0 */
#define LOADER_MAX_MODULES 16
#define LOADER_CMDLINE_MAX 4096 /* multiboot strings, NUL excluded */
#define LOADER_E820_MAX 128 /* boot_params.e820_table entries */
#define LOADER_MB_MMAP_MAX 128 /* multiboot memory map entries */

/*
 * The setup header fields of a bzImage the loader decides with, as parsed
 * and checked by loader_linux_parse().  Sizes in bytes.
 */
struct loader_linux_hdr {
	uint16_t version; /* boot protocol, 0x0206 = 2.06 */
	uint8_t setup_sects; /* effective (0 in the image means 4) */
	uint8_t loadflags;
	uint16_t xloadflags; /* 0 before protocol 2.12 */
	uint8_t relocatable;
	uint8_t pad;
	uint32_t setup_size; /* (setup_sects + 1) * 512: offset of pm code */
	uint32_t payload_size; /* syssize * 16: protected-mode kernel */
	uint32_t hdr_end; /* end of the setup header: 0x202 + byte 0x201 */
	uint32_t kernel_alignment;
	uint32_t init_size; /* room needed from the load address */
	uint32_t cmdline_size; /* longest command line, NUL excluded */
	uint32_t initrd_addr_max; /* highest byte the initrd may occupy */
	uint64_t pref_address;
};

/*
 * Check and decode the setup header of a bzImage (boot.rst, "THE REAL-MODE
 * KERNEL HEADER").  Returns 0, -VMI_EINVAL (not a bzImage, truncated,
 * inconsistent fields) or -VMI_EOPNOTSUPP (protocol < 2.06).  *why, if not
 * NULL, is set to a static string describing a failure.
 */
int loader_linux_parse(const void *image, size_t len,
		       struct loader_linux_hdr *hdr, const char **why);

/*
 * Load a bzImage for the 32-bit boot protocol: the protected-mode kernel at
 * pref_address (or the lowest kernel_alignment-aligned address above it
 * with init_size bytes free, if relocatable), the initrd as high as
 * initrd_addr_max and RAM allow, the zero page, GDT and command line below
 * 1 MiB.  On success *bs holds the entry state: EIP = kernel, ESI = zero
 * page, EBP = EDI = EBX = 0, CS = 0x10, DS = ES = SS = 0x18, IF = 0.
 */
int loader_linux_load(const struct loader_env *env,
		      const struct loader_linux_args *args,
		      struct guest_boot_state *bs);

/*
 * Load a multiboot (v1) or multiboot2 kernel at its physical addresses and
 * its modules page-aligned above it, and build the boot information.  On
 * success *bs holds EIP = entry, EAX = 0x2BADB002 (v1) or 0x36D76289 (v2),
 * EBX = info address, flat CS/DS/ES/FS/GS/SS, IF = 0.
 */
int loader_multiboot_load(const struct loader_env *env,
			  const struct loader_mb_args *args,
			  struct guest_boot_state *bs);

/*
 * Tell what kind of kernel an image is: LOADER_KIND_LINUX for a bzImage
 * with "HdrS", else LOADER_KIND_MULTIBOOT2 / LOADER_KIND_MULTIBOOT1 if a
 * header with a valid checksum is found where the spec says, else
 * -VMI_EINVAL.  Only a first guess: the load functions check everything.
 */
int loader_probe(const void *image, size_t len);

/*
 * Fill the standard hv guest layout for ram_bytes of guest RAM (see
 * docs/guest-boot.md): guest-physical [0, ram_bytes) with a hole at
 * [640K, 0xE0000) and everything above 3 GiB moved to 4 GiB, i.e. RAM
 * ranges [0, 640K), [0xE0000, low_end) and [4G, 4G + ram_bytes - low_end)
 * with low_end = min(ram_bytes, 3 GiB); reserved windows for the BIOS
 * area 0xE0000-0xFFFFF (ACPI tables; backed, but not free RAM), the IOAPIC
 * and the LAPIC pages.
 * ram[] needs 3 entries and reserved[] 3; the counts are returned in
 * *nr_ram and *nr_reserved.  ram_bytes must be at least 2 MiB and a
 * multiple of 4 KiB (-VMI_EINVAL otherwise).
 */
int loader_layout_default(uint64_t ram_bytes, struct guest_mem_range *ram,
			  size_t *nr_ram, struct guest_mem_range *reserved,
			  size_t *nr_reserved);

/* Standard layout constants (see docs/guest-boot.md). */
#define LOADER_LOW_RAM_END 0xA0000ull /* end of conventional memory */
#define LOADER_BIOS_AREA 0xE0000ull /* ACPI tables, reserved, backed */
#define LOADER_BIOS_AREA_END 0x100000ull
#define LOADER_LOWMEM_MAX 0xC0000000ull /* RAM below 4G ends here at most */
#define LOADER_HIGHMEM_BASE 0x100000000ull
#define LOADER_IOAPIC_BASE 0xFEC00000ull
#define LOADER_LAPIC_BASE 0xFEE00000ull

#endif /* HVM_LOADER_H */
