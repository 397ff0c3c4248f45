/*
 * loader-multiboot.c - load multiboot (v1) and multiboot2 kernels.
 *
 * References: "Multiboot Specification version 0.6.96" (v1: 3.1 OS image
 * format, 3.2 machine state, 3.3 boot information format) and "Multiboot2
 * Specification version 2.0" (3.1 OS image format, 3.2 machine state, 3.6
 * boot information), both from the GNU GRUB project; the System V ABI ELF
 * chapter for the ELF32/ELF64 headers.
 *
 * The kernel is ELF (PT_LOAD segments at p_paddr) unless its header carries
 * load addresses (v1 flag bit 16, the "a.out kludge"; v2 address tag), in
 * which case those are used.  Segments are fixed addresses chosen by the
 * image: one outside guest RAM or over a reserved window is -VMI_ERANGE,
 * two overlapping segments -VMI_EINVAL.  Everything else (GDT, boot
 * information, modules) goes where the allocator finds room.
 */
#include "loader-private.h"

/* Multiboot v1 header (0.6.96, 3.1.1). */
#define MB1_MAGIC 0x1BADB002u
#define MB1_BOOT_MAGIC 0x2BADB002u
#define MB1_SEARCH 8192
#define MB1_ALIGN 4
#define MB1_HDR_FLAGS 4
#define MB1_HDR_CHECKSUM 8
#define MB1_HDR_HEADER_ADDR 12
#define MB1_HDR_LOAD_ADDR 16
#define MB1_HDR_LOAD_END_ADDR 20
#define MB1_HDR_BSS_END_ADDR 24
#define MB1_HDR_ENTRY_ADDR 28
#define MB1_HDR_SIZE 12
#define MB1_HDR_SIZE_AOUT 32
#define MB1_F_PAGE_ALIGN (1u << 0)
#define MB1_F_MEMINFO (1u << 1)
#define MB1_F_VIDEO (1u << 2)
#define MB1_F_AOUT (1u << 16)
#define MB1_F_REQUIRED 0xffffu /* bits the loader must understand */

/* Multiboot v1 boot information (0.6.96, 3.3). */
#define MBI_F_MEMORY (1u << 0)
#define MBI_F_CMDLINE (1u << 2)
#define MBI_F_MODS (1u << 3)
#define MBI_F_MMAP (1u << 6)
#define MBI_F_LOADER_NAME (1u << 9)
#define MBI_FLAGS 0
#define MBI_MEM_LOWER 4
#define MBI_MEM_UPPER 8
#define MBI_CMDLINE 16
#define MBI_MODS_COUNT 20
#define MBI_MODS_ADDR 24
#define MBI_MMAP_LENGTH 44
#define MBI_MMAP_ADDR 48
#define MBI_LOADER_NAME 64
#define MBI_SIZE 120 /* 116 bytes up to color_info, rounded to 8 */
#define MBI_MOD_SIZE 16 /* mod_start, mod_end, string, reserved */
#define MBI_MMAP_ENTRY 24 /* u32 size (20: the rest), addr, len, type */

_Static_assert(MBI_LOADER_NAME + 4 <= MBI_SIZE, "mbi fields fit");
_Static_assert(MBI_MMAP_ENTRY == 4 + 8 + 8 + 4, "mmap entry layout");

/* Multiboot2 header (2.0, 3.1.1-3.1.3). */
#define MB2_MAGIC 0xE85250D6u
#define MB2_BOOT_MAGIC 0x36D76289u
#define MB2_SEARCH 32768
#define MB2_ALIGN 8
#define MB2_ARCH_I386 0
#define MB2_HDR_SIZE 16 /* magic, architecture, header_length, checksum */
#define MB2_TAG_OPTIONAL 1u

#define MB2_HT_END 0
#define MB2_HT_INFO_REQ 1
#define MB2_HT_ADDRESS 2
#define MB2_HT_ENTRY 3
#define MB2_HT_CONSOLE 4
#define MB2_HT_FRAMEBUFFER 5
#define MB2_HT_MODULE_ALIGN 6
#define MB2_HT_EFI_BS 7
#define MB2_HT_ENTRY_EFI32 8
#define MB2_HT_ENTRY_EFI64 9
#define MB2_HT_RELOCATABLE 10
#define MB2_CONSOLE_REQUIRED (1u << 0)

/* Multiboot2 boot information tags (2.0, 3.6). */
#define MB2_IT_END 0
#define MB2_IT_CMDLINE 1
#define MB2_IT_LOADER_NAME 2
#define MB2_IT_MODULE 3
#define MB2_IT_BASIC_MEMINFO 4
#define MB2_IT_MMAP 6
#define MB2_IT_ACPI_OLD 14
#define MB2_IT_ACPI_NEW 15
#define MB2_MMAP_ENTRY 24 /* u64 base, u64 length, u32 type, u32 reserved */

/* ELF (System V ABI, "ELF Header" and "Program Header"). */
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_386 3
#define EM_X86_64 62
#define PT_LOAD 1
#define ELF32_EHDR_SIZE 52
#define ELF64_EHDR_SIZE 64
#define ELF32_PHDR_SIZE 32
#define ELF64_PHDR_SIZE 56

#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36

static const char loader_name[] = "trivisor";
static const char mb2_unsupported[] = "required multiboot2 info not supported";

/* A span of the image to place at a fixed guest-physical address. */
struct mb_seg {
	uint64_t off, filesz, paddr, memsz;
};

struct mb_image {
	struct mb_seg seg[LOADER_MAX_SEGMENTS];
	unsigned int nr;
	uint64_t entry;
};

/* Header fields that override the ELF headers (v1 bit 16, v2 tags). */
struct mb_addr {
	bool aout, have_entry;
	uint32_t hdr_off; /* where the multiboot header is in the file */
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry;
};

/*
 * Find a header: magic at an aligned offset within the first search bytes,
 * with its checksum right.  Returns the offset, -VMI_ENOENT if no magic is
 * there, -VMI_EINVAL if only headers with a bad checksum are.
 */
static long find_header(const uint8_t *p, size_t len, uint32_t magic,
			size_t search, size_t align, size_t hdr_len, bool v2)
{
	size_t off, end = len < search ? len : search;
	bool bad = false;
	uint32_t sum;

	for (off = 0; off + hdr_len <= end; off += align) {
		if (loader_le32(p + off) != magic)
			continue;
		sum = loader_le32(p + off) + loader_le32(p + off + 4) +
		      loader_le32(p + off + 8);
		if (v2)
			sum += loader_le32(p + off + 12);
		if (sum == 0)
			return (long)off;
		bad = true;
	}
	return bad ? -VMI_EINVAL : -VMI_ENOENT;
}

/* Multiboot v1 header: flags and, with bit 16, the load addresses. */
static int mb1_header(struct loader_ctx *lc, const uint8_t *p, size_t len,
		      struct mb_addr *a)
{
	size_t end = len < MB1_SEARCH ? len : MB1_SEARCH;
	long off = find_header(p, len, MB1_MAGIC, MB1_SEARCH, MB1_ALIGN,
			       MB1_HDR_SIZE, false);
	uint32_t flags;

	if (off == -VMI_EINVAL)
		return loader_fail(lc, off, "bad multiboot header checksum");
	if (off < 0)
		return loader_fail(lc, -VMI_EINVAL, "no multiboot header");
	flags = loader_le32(p + off + MB1_HDR_FLAGS);
	if (flags & MB1_F_VIDEO)
		return loader_fail(lc, -VMI_EOPNOTSUPP,
				   "multiboot video mode not supported");
	if (flags & MB1_F_REQUIRED & ~(MB1_F_PAGE_ALIGN | MB1_F_MEMINFO))
		return loader_fail(lc, -VMI_EOPNOTSUPP,
				   "unknown required multiboot flag");
	a->hdr_off = (uint32_t)off;
	if (!(flags & MB1_F_AOUT))
		return 0;
	/* 3.1.1: the whole header lies within the first 8192 bytes. */
	if ((size_t)off + MB1_HDR_SIZE_AOUT > end)
		return loader_fail(lc, -VMI_EINVAL,
				   "multiboot header truncated");
	a->aout = true;
	a->have_entry = true;
	a->header_addr = loader_le32(p + off + MB1_HDR_HEADER_ADDR);
	a->load_addr = loader_le32(p + off + MB1_HDR_LOAD_ADDR);
	a->load_end_addr = loader_le32(p + off + MB1_HDR_LOAD_END_ADDR);
	a->bss_end_addr = loader_le32(p + off + MB1_HDR_BSS_END_ADDR);
	a->entry = loader_le32(p + off + MB1_HDR_ENTRY_ADDR);
	return 0;
}

static bool mb2_info_supported(const struct loader_env *env, uint32_t type)
{
	switch (type) {
	case MB2_IT_END:
	case MB2_IT_CMDLINE:
	case MB2_IT_LOADER_NAME:
	case MB2_IT_MODULE:
	case MB2_IT_BASIC_MEMINFO:
	case MB2_IT_MMAP:
		return true;
	case MB2_IT_ACPI_OLD:
	case MB2_IT_ACPI_NEW:
		return env->rsdp_gpa != 0;
	default:
		return false;
	}
}

/* One multiboot2 header tag (2.0, 3.1.4-3.1.13). */
static int mb2_tag(struct loader_ctx *lc, const uint8_t *t, uint32_t size,
		   struct mb_addr *a)
{
	uint16_t type = loader_le16(t);
	bool optional = loader_le16(t + 2) & MB2_TAG_OPTIONAL;
	uint32_t i;

	switch (type) {
	case MB2_HT_INFO_REQ:
		if ((size - 8) % 4)
			return loader_fail(lc, -VMI_EINVAL,
					   "bad multiboot2 tag");
		for (i = 8; i < size && !optional; i += 4)
			if (!mb2_info_supported(lc->env, loader_le32(t + i)))
				break;
		if (i < size && !optional)
			return loader_fail(lc, -VMI_EOPNOTSUPP,
					   mb2_unsupported);
		return 0;
	case MB2_HT_ADDRESS:
		if (size != 24)
			return loader_fail(lc, -VMI_EINVAL,
					   "bad multiboot2 tag");
		a->aout = true;
		a->header_addr = loader_le32(t + 8);
		a->load_addr = loader_le32(t + 12);
		a->load_end_addr = loader_le32(t + 16);
		a->bss_end_addr = loader_le32(t + 20);
		return 0;
	case MB2_HT_ENTRY:
		if (size < 12)
			return loader_fail(lc, -VMI_EINVAL,
					   "bad multiboot2 tag");
		a->have_entry = true;
		a->entry = loader_le32(t + 8);
		return 0;
	case MB2_HT_CONSOLE:
		if (size < 12)
			return loader_fail(lc, -VMI_EINVAL,
					   "bad multiboot2 tag");
		/* No EGA text console to describe. */
		if (!optional && (loader_le32(t + 8) & MB2_CONSOLE_REQUIRED))
			return loader_fail(lc, -VMI_EOPNOTSUPP,
					   "multiboot2 console not supported");
		return 0;
	case MB2_HT_MODULE_ALIGN: /* modules are always page aligned */
	case MB2_HT_EFI_BS: /* not an EFI loader: these do not apply */
	case MB2_HT_ENTRY_EFI32:
	case MB2_HT_ENTRY_EFI64:
	case MB2_HT_RELOCATABLE: /* loading at the link address is allowed */
		return 0;
	case MB2_HT_FRAMEBUFFER:
	default:
		if (optional)
			return 0;
		return loader_fail(
			lc, -VMI_EOPNOTSUPP,
			type == MB2_HT_FRAMEBUFFER
				? "multiboot2 framebuffer not supported"
				: "unknown required multiboot2 tag");
	}
}

static int mb2_header(struct loader_ctx *lc, const uint8_t *p, size_t len,
		      struct mb_addr *a)
{
	size_t end = len < MB2_SEARCH ? len : MB2_SEARCH;
	long off = find_header(p, len, MB2_MAGIC, MB2_SEARCH, MB2_ALIGN,
			       MB2_HDR_SIZE, true);
	uint32_t hlen, pos, size;
	int ret;

	if (off == -VMI_EINVAL)
		return loader_fail(lc, off, "bad multiboot2 header checksum");
	if (off < 0)
		return loader_fail(lc, -VMI_EINVAL, "no multiboot2 header");
	if (loader_le32(p + off + 4) != MB2_ARCH_I386)
		return loader_fail(lc, -VMI_EOPNOTSUPP,
				   "multiboot2 architecture not i386");
	hlen = loader_le32(p + off + 8);
	if (hlen < MB2_HDR_SIZE + 8 || hlen > end - (size_t)off)
		return loader_fail(lc, -VMI_EINVAL,
				   "bad multiboot2 header length");
	a->hdr_off = (uint32_t)off;
	p += off;
	for (pos = MB2_HDR_SIZE; hlen - pos >= 8; pos += (size + 7) & ~7u) {
		size = loader_le32(p + pos + 4);
		if (size < 8 || size > hlen - pos)
			return loader_fail(lc, -VMI_EINVAL,
					   "bad multiboot2 tag size");
		if (loader_le16(p + pos) == MB2_HT_END && a->aout &&
		    !a->have_entry)
			return loader_fail(lc, -VMI_EINVAL,
					   "address tag without entry tag");
		if (loader_le16(p + pos) == MB2_HT_END)
			return 0;
		ret = mb2_tag(lc, p + pos, size, a);
		if (ret)
			return ret;
		/* Tags are 8-aligned: the next one must still start inside. */
		if (((size + 7) & ~7u) > hlen - pos)
			break;
	}
	return loader_fail(lc, -VMI_EINVAL,
			   "multiboot2 header without end tag");
}

/* The a.out-kludge layout: one segment described by the header. */
static int kludge_image(struct loader_ctx *lc, size_t len,
			const struct mb_addr *a, struct mb_image *img)
{
	uint64_t load = a->load_addr, skip, off, filesz, memsz;

	if (load == 0xffffffffu) {
		/* v2, 3.1.5: -1 means "load the file from its beginning". */
		if (a->header_addr < a->hdr_off)
			return loader_fail(lc, -VMI_EINVAL, "bad load address");
		load = a->header_addr - a->hdr_off;
	}
	if (load > a->header_addr)
		return loader_fail(lc, -VMI_EINVAL,
				   "load_addr above header_addr");
	skip = a->header_addr - load;
	if (skip > a->hdr_off)
		return loader_fail(lc, -VMI_EINVAL,
				   "load_addr before the file");
	off = a->hdr_off - skip;
	if (a->load_end_addr == 0) {
		filesz = len - off;
	} else {
		if (a->load_end_addr < load)
			return loader_fail(lc, -VMI_EINVAL,
					   "bad load_end_addr");
		filesz = a->load_end_addr - load;
		if (!loader_in_buf(len, off, filesz))
			return loader_fail(lc, -VMI_EINVAL,
					   "load_end_addr beyond the file");
	}
	memsz = filesz;
	if (a->bss_end_addr) {
		if (a->bss_end_addr < load + filesz)
			return loader_fail(lc, -VMI_EINVAL, "bad bss_end_addr");
		memsz = a->bss_end_addr - load;
	}
	if (!memsz)
		return loader_fail(lc, -VMI_EINVAL, "empty kernel image");
	img->seg[0] = (struct mb_seg){ off, filesz, load, memsz };
	img->nr = 1;
	img->entry = a->entry;
	return 0;
}

static int elf_image(struct loader_ctx *lc, const uint8_t *p, size_t len,
		     struct mb_image *img)
{
	uint64_t entry, phoff, phentsize, phnum, i, vaddr, paddr;
	bool is64, entry_found = false;
	const uint8_t *ph;
	struct mb_seg s;

	if (len < ELF32_EHDR_SIZE || memcmp(p, "\177ELF", 4))
		return loader_fail(lc, -VMI_EINVAL, "not an ELF image");
	is64 = p[EI_CLASS] == ELFCLASS64;
	if ((p[EI_CLASS] != ELFCLASS32 && !is64) || p[EI_DATA] != ELFDATA2LSB ||
	    p[EI_VERSION] != 1 || (is64 && len < ELF64_EHDR_SIZE))
		return loader_fail(lc, -VMI_EINVAL, "bad ELF identification");
	if (loader_le16(p + 16) != ET_EXEC ||
	    (loader_le16(p + 18) != EM_386 && loader_le16(p + 18) != EM_X86_64))
		return loader_fail(lc, -VMI_EINVAL,
				   "not an x86 ELF executable");
	entry = is64 ? loader_le64(p + 24) : loader_le32(p + 24);
	phoff = is64 ? loader_le64(p + 32) : loader_le32(p + 28);
	phentsize = loader_le16(p + (is64 ? 54 : 42));
	phnum = loader_le16(p + (is64 ? 56 : 44));
	if (!phnum || phentsize < (is64 ? ELF64_PHDR_SIZE : ELF32_PHDR_SIZE) ||
	    !loader_in_buf(len, phoff, phnum * phentsize))
		return loader_fail(lc, -VMI_EINVAL, "bad ELF program headers");

	img->nr = 0;
	for (i = 0; i < phnum; i++) {
		ph = p + phoff + i * phentsize;
		if (loader_le32(ph) != PT_LOAD)
			continue;
		if (is64) {
			s.off = loader_le64(ph + 8);
			vaddr = loader_le64(ph + 16);
			paddr = loader_le64(ph + 24);
			s.filesz = loader_le64(ph + 32);
			s.memsz = loader_le64(ph + 40);
		} else {
			s.off = loader_le32(ph + 4);
			vaddr = loader_le32(ph + 8);
			paddr = loader_le32(ph + 12);
			s.filesz = loader_le32(ph + 16);
			s.memsz = loader_le32(ph + 20);
		}
		s.paddr = paddr;
		if (s.filesz > s.memsz || !loader_in_buf(len, s.off, s.filesz))
			return loader_fail(lc, -VMI_EINVAL, "bad ELF segment");
		if (!s.memsz)
			continue;
		if (img->nr == LOADER_MAX_SEGMENTS)
			return loader_fail(lc, -VMI_E2BIG,
					   "too many ELF segments");
		img->seg[img->nr++] = s;
		/* GRUB's rule: e_entry is virtual; translate it by the
		 * segment that holds it. */
		if (!entry_found && entry >= vaddr && entry - vaddr < s.memsz) {
			img->entry = paddr + (entry - vaddr);
			entry_found = true;
		}
	}
	if (!img->nr)
		return loader_fail(lc, -VMI_EINVAL, "no loadable ELF segment");
	if (!entry_found)
		return loader_fail(lc, -VMI_EINVAL,
				   "ELF entry point outside the segments");
	return 0;
}

/* Check every segment against RAM, the reserved windows and each other,
 * then copy the file part and clear the rest. */
static int load_segments(struct loader_ctx *lc, const uint8_t *p,
			 const struct mb_image *img)
{
	struct loader_placement *pl = &lc->bs->placed;
	uint64_t lo = UINT64_MAX, hi = 0;
	const struct mb_seg *s;
	unsigned int i;
	int ret;

	for (i = 0; i < img->nr; i++) {
		s = &img->seg[i];
		if (s->paddr >= LOADER_4G || s->memsz > LOADER_4G - s->paddr)
			return loader_fail(lc, -VMI_ERANGE,
					   "segment above 4 GiB");
		if (!loader_in_ram(lc->env, s->paddr, s->memsz))
			return loader_fail(lc, -VMI_ERANGE,
					   "segment outside guest RAM");
		if (loader_hits_reserved(lc->env, s->paddr, s->memsz))
			return loader_fail(
				lc, -VMI_ERANGE,
				"segment overlaps a reserved window");
		if (loader_hits_used(lc, s->paddr, s->memsz))
			return loader_fail(lc, -VMI_EINVAL,
					   "overlapping segments");
		ret = loader_claim(lc, s->paddr, s->memsz);
		if (ret)
			return ret;
		if (s->paddr < lo)
			lo = s->paddr;
		if (s->paddr + s->memsz > hi)
			hi = s->paddr + s->memsz;
	}
	for (i = 0; i < img->nr; i++) {
		s = &img->seg[i];
		ret = loader_write(lc, s->paddr, p + s->off, s->filesz);
		if (!ret)
			ret = loader_zero(lc, s->paddr + s->filesz,
					  s->memsz - s->filesz);
		if (ret)
			return ret;
	}
	if (img->entry >= LOADER_4G)
		return loader_fail(lc, -VMI_ERANGE, "entry point above 4 GiB");
	pl->kernel_gpa = lo;
	pl->kernel_size = hi - lo;
	return 0;
}

/* Length of a boot string including its NUL, or -VMI_E2BIG. */
static long str_size(const char *s)
{
	size_t n;

	if (!s)
		return 1;
	n = strnlen(s, LOADER_CMDLINE_MAX + 1);
	return n > LOADER_CMDLINE_MAX ? -VMI_E2BIG : (long)n + 1;
}

static int put_str(struct loader_ctx *lc, uint64_t gpa, const char *s,
		   long size)
{
	int ret = loader_write(lc, gpa, s ? s : "", (size_t)size - 1);

	return ret ? ret : loader_put8(lc, gpa + (uint64_t)size - 1, 0);
}

/* Modules: page aligned (v1 flag bit 0, v2 tag 6), below 4 GiB, first
 * fit above the kernel. */
static int load_modules(struct loader_ctx *lc,
			const struct loader_mb_args *args, uint64_t *mod_gpa)
{
	uint64_t lo = lc->bs->placed.kernel_gpa + lc->bs->placed.kernel_size;
	size_t i;
	int ret;

	if (lo < LOADER_1M)
		lo = LOADER_1M;
	for (i = 0; i < args->nr_mods; i++) {
		const struct loader_module *m = &args->mods[i];
		uint64_t size = m->len ? m->len : 1;

		ret = loader_alloc(lc, size, LOADER_PAGE_SIZE, lo, LOADER_4G,
				   false, &mod_gpa[i]);
		if (ret == -VMI_ENOMEM)
			ret = loader_alloc(lc, size, LOADER_PAGE_SIZE,
					   LOADER_1M, LOADER_4G, false,
					   &mod_gpa[i]);
		if (ret)
			return loader_fail(lc, ret, "no room for a module");
		ret = loader_write(lc, mod_gpa[i], m->data, m->len);
		if (ret)
			return ret;
	}
	return 0;
}

/* The boot information block: below 1 MiB if it fits, else below 4 GiB. */
static int alloc_info(struct loader_ctx *lc, uint64_t size, uint64_t *gpa)
{
	int ret;

	ret = loader_alloc(lc, size, LOADER_PAGE_SIZE, LOADER_PAGE_SIZE,
			   LOADER_1M, false, gpa);
	if (ret == -VMI_ENOMEM)
		ret = loader_alloc(lc, size, LOADER_PAGE_SIZE, LOADER_1M,
				   LOADER_4G, false, gpa);
	if (ret)
		return loader_fail(lc, ret, "no room for the boot information");
	lc->bs->placed.info_gpa = *gpa;
	lc->bs->placed.info_size = size;
	return 0;
}

static int count_entry(void *arg, uint64_t base, uint64_t len, uint32_t type)
{
	(void)arg;
	(void)base;
	(void)len;
	(void)type;
	return 0;
}

static int count_map(struct loader_ctx *lc, uint32_t *n)
{
	int ret = loader_map_walk(lc->env, count_entry, NULL);

	*n = 0;
	if (ret < 0)
		return ret;
	if (ret > LOADER_MB_MMAP_MAX)
		return loader_fail(lc, -VMI_E2BIG,
				   "too many memory map entries");
	*n = (uint32_t)ret;
	lc->bs->placed.nr_map = *n;
	return 0;
}

struct mmap_writer {
	struct loader_ctx *lc;
	uint64_t gpa;
	bool v2;
};

/* v1 entries carry their own size first; v2 entries a reserved word last. */
static int mmap_emit(void *arg, uint64_t base, uint64_t len, uint32_t type)
{
	struct mmap_writer *w = arg;
	uint64_t e = w->gpa;
	int ret = 0;

	if (!w->v2) {
		ret = loader_put32(w->lc, e, MBI_MMAP_ENTRY - 4);
		e += 4;
	}
	if (!ret)
		ret = loader_put64(w->lc, e, base);
	if (!ret)
		ret = loader_put64(w->lc, e + 8, len);
	if (!ret)
		ret = loader_put32(w->lc, e + 16, type);
	if (!ret && w->v2)
		ret = loader_put32(w->lc, e + 20, 0);
	w->gpa += MBI_MMAP_ENTRY;
	return ret;
}

static int write_mmap(struct loader_ctx *lc, uint64_t gpa, bool v2)
{
	struct mmap_writer w = { lc, gpa, v2 };
	int ret = loader_map_walk(lc->env, mmap_emit, &w);

	return ret < 0 ? ret : 0;
}

/* Sizes of every string the info block carries, checked up front. */
struct mb_strings {
	long cmdline;
	long mod[LOADER_MAX_MODULES];
};

static int check_args(struct loader_ctx *lc, const struct loader_mb_args *args,
		      struct mb_strings *st)
{
	size_t i;

	if (!args || !args->kernel || args->protocol > LOADER_MB_V2 ||
	    (args->nr_mods && !args->mods))
		return loader_fail(lc, -VMI_EINVAL, "bad loader arguments");
	if (args->nr_mods > LOADER_MAX_MODULES)
		return loader_fail(lc, -VMI_E2BIG, "too many modules");
	st->cmdline = str_size(args->cmdline);
	if (st->cmdline < 0)
		return loader_fail(lc, -VMI_E2BIG, "command line too long");
	for (i = 0; i < args->nr_mods; i++) {
		if (args->mods[i].len && !args->mods[i].data)
			return loader_fail(lc, -VMI_EINVAL, "bad module");
		if (args->mods[i].len > LOADER_4G)
			return loader_fail(lc, -VMI_ENOMEM, "module too large");
		st->mod[i] = str_size(args->mods[i].cmdline);
		if (st->mod[i] < 0)
			return loader_fail(lc, -VMI_E2BIG,
					   "module string too long");
	}
	return 0;
}

static uint64_t align8(uint64_t v)
{
	return (v + 7) & ~7ull;
}

/* Multiboot v1 information (0.6.96, 3.3): fixed part, module list, memory
 * map, strings, in one block. */
static int mb1_info(struct loader_ctx *lc, const struct loader_mb_args *args,
		    const struct mb_strings *st, uint64_t *info)
{
	uint64_t mod_gpa[LOADER_MAX_MODULES], mods, mmap, str, size;
	uint32_t nr_map, flags;
	size_t i;
	int ret;

	ret = count_map(lc, &nr_map);
	if (ret)
		return ret;
	size = MBI_SIZE + MBI_MOD_SIZE * args->nr_mods +
	       (uint64_t)MBI_MMAP_ENTRY * nr_map + (uint64_t)st->cmdline +
	       sizeof(loader_name);
	for (i = 0; i < args->nr_mods; i++)
		size += (uint64_t)st->mod[i];
	ret = alloc_info(lc, size, info);
	if (!ret)
		ret = load_modules(lc, args, mod_gpa);
	if (!ret)
		ret = loader_zero(lc, *info, MBI_SIZE);
	if (ret)
		return ret;
	mods = *info + MBI_SIZE;
	mmap = mods + MBI_MOD_SIZE * args->nr_mods;
	str = mmap + (uint64_t)MBI_MMAP_ENTRY * nr_map;

	flags = MBI_F_MEMORY | MBI_F_CMDLINE | MBI_F_MODS | MBI_F_MMAP |
		MBI_F_LOADER_NAME;
	ret = loader_put32(lc, *info + MBI_FLAGS, flags);
	if (!ret)
		ret = loader_put32(lc, *info + MBI_MEM_LOWER,
				   loader_mem_lower_kb(lc->env));
	if (!ret)
		ret = loader_put32(lc, *info + MBI_MEM_UPPER,
				   loader_mem_upper_kb(lc->env));
	if (!ret)
		ret = loader_put32(lc, *info + MBI_CMDLINE, (uint32_t)str);
	if (!ret)
		ret = put_str(lc, str, args->cmdline, st->cmdline);
	str += (uint64_t)st->cmdline;
	if (!ret)
		ret = loader_put32(lc, *info + MBI_LOADER_NAME, (uint32_t)str);
	if (!ret)
		ret = put_str(lc, str, loader_name, sizeof(loader_name));
	str += sizeof(loader_name);
	if (!ret)
		ret = loader_put32(lc, *info + MBI_MODS_COUNT,
				   (uint32_t)args->nr_mods);
	if (!ret)
		ret = loader_put32(lc, *info + MBI_MODS_ADDR, (uint32_t)mods);
	if (!ret)
		ret = loader_put32(lc, *info + MBI_MMAP_LENGTH,
				   MBI_MMAP_ENTRY * nr_map);
	if (!ret)
		ret = loader_put32(lc, *info + MBI_MMAP_ADDR, (uint32_t)mmap);
	if (!ret)
		ret = write_mmap(lc, mmap, false);
	for (i = 0; !ret && i < args->nr_mods; i++) {
		uint64_t m = mods + MBI_MOD_SIZE * i;

		ret = loader_put32(lc, m, (uint32_t)mod_gpa[i]);
		if (!ret)
			ret = loader_put32(
				lc, m + 4,
				(uint32_t)(mod_gpa[i] + args->mods[i].len));
		if (!ret)
			ret = loader_put32(lc, m + 8, (uint32_t)str);
		if (!ret)
			ret = put_str(lc, str, args->mods[i].cmdline,
				      st->mod[i]);
		str += (uint64_t)st->mod[i];
	}
	lc->bs->placed.cmdline_gpa = mmap + (uint64_t)MBI_MMAP_ENTRY * nr_map;
	return ret;
}

/* A multiboot2 information tag header; returns the next 8-aligned slot. */
static int mb2_put_tag(struct loader_ctx *lc, uint64_t *cur, uint32_t type,
		       uint64_t size)
{
	int ret = loader_put32(lc, *cur, type);

	if (!ret)
		ret = loader_put32(lc, *cur + 4, (uint32_t)size);
	*cur += 8;
	return ret;
}

/* Multiboot2 information (2.0, 3.6): fixed part, then 8-aligned tags. */
static int mb2_info(struct loader_ctx *lc, const struct loader_mb_args *args,
		    const struct mb_strings *st, const uint8_t *rsdp,
		    uint64_t *info)
{
	uint64_t mod_gpa[LOADER_MAX_MODULES], size, cur, next;
	bool acpi_new = rsdp && rsdp[15] >= 2;
	uint32_t nr_map;
	size_t i;
	int ret;

	ret = count_map(lc, &nr_map);
	if (ret)
		return ret;
	size = 8 + align8(8 + (uint64_t)st->cmdline) +
	       align8(8 + sizeof(loader_name)) + 16 + 16 +
	       (uint64_t)MB2_MMAP_ENTRY * nr_map + 8;
	for (i = 0; i < args->nr_mods; i++)
		size += align8(16 + (uint64_t)st->mod[i]);
	if (rsdp)
		size += align8(8 + RSDP_V1_LEN);
	if (acpi_new)
		size += align8(8 + RSDP_V2_LEN);
	ret = alloc_info(lc, size, info);
	if (!ret)
		ret = load_modules(lc, args, mod_gpa);
	if (!ret)
		ret = loader_zero(lc, *info, size);
	if (!ret)
		ret = loader_put32(lc, *info, (uint32_t)size);
	cur = *info + 8;

	next = cur + align8(8 + (uint64_t)st->cmdline);
	if (!ret)
		ret = mb2_put_tag(lc, &cur, MB2_IT_CMDLINE, 8 + st->cmdline);
	lc->bs->placed.cmdline_gpa = cur;
	if (!ret)
		ret = put_str(lc, cur, args->cmdline, st->cmdline);
	cur = next;

	next = cur + align8(8 + sizeof(loader_name));
	if (!ret)
		ret = mb2_put_tag(lc, &cur, MB2_IT_LOADER_NAME,
				  8 + sizeof(loader_name));
	if (!ret)
		ret = put_str(lc, cur, loader_name, sizeof(loader_name));
	cur = next;

	for (i = 0; !ret && i < args->nr_mods; i++) {
		next = cur + align8(16 + (uint64_t)st->mod[i]);
		ret = mb2_put_tag(lc, &cur, MB2_IT_MODULE, 16 + st->mod[i]);
		if (!ret)
			ret = loader_put32(lc, cur, (uint32_t)mod_gpa[i]);
		if (!ret)
			ret = loader_put32(
				lc, cur + 4,
				(uint32_t)(mod_gpa[i] + args->mods[i].len));
		if (!ret)
			ret = put_str(lc, cur + 8, args->mods[i].cmdline,
				      st->mod[i]);
		cur = next;
	}

	if (!ret)
		ret = mb2_put_tag(lc, &cur, MB2_IT_BASIC_MEMINFO, 16);
	if (!ret)
		ret = loader_put32(lc, cur, loader_mem_lower_kb(lc->env));
	if (!ret)
		ret = loader_put32(lc, cur + 4, loader_mem_upper_kb(lc->env));
	cur += 8;

	if (!ret)
		ret = mb2_put_tag(lc, &cur, MB2_IT_MMAP,
				  16 + (uint64_t)MB2_MMAP_ENTRY * nr_map);
	if (!ret)
		ret = loader_put32(lc, cur, MB2_MMAP_ENTRY); /* entry_size */
	if (!ret)
		ret = loader_put32(lc, cur + 4, 0); /* entry_version */
	if (!ret)
		ret = write_mmap(lc, cur + 8, true);
	cur += 8 + (uint64_t)MB2_MMAP_ENTRY * nr_map;

	if (!ret && rsdp) {
		next = cur + align8(8 + RSDP_V1_LEN);
		ret = mb2_put_tag(lc, &cur, MB2_IT_ACPI_OLD, 8 + RSDP_V1_LEN);
		if (!ret)
			ret = loader_write(lc, cur, rsdp, RSDP_V1_LEN);
		cur = next;
	}
	if (!ret && acpi_new) {
		next = cur + align8(8 + RSDP_V2_LEN);
		ret = mb2_put_tag(lc, &cur, MB2_IT_ACPI_NEW, 8 + RSDP_V2_LEN);
		if (!ret)
			ret = loader_write(lc, cur, rsdp, RSDP_V2_LEN);
		cur = next;
	}
	if (!ret)
		ret = mb2_put_tag(lc, &cur, MB2_IT_END, 8);
	return ret;
}

/* The RSDP the multiboot2 ACPI tags copy, read back from guest memory. */
static int read_rsdp(struct loader_ctx *lc, uint8_t *rsdp)
{
	int ret = loader_read(lc, lc->env->rsdp_gpa, rsdp, RSDP_V2_LEN);

	if (ret)
		return ret;
	if (memcmp(rsdp, "RSD PTR ", 8))
		return loader_fail(lc, -VMI_EINVAL, "no RSDP at rsdp_gpa");
	return 0;
}

/* Which protocol: the caller's choice, or v2 when its header is there. */
static bool want_v2(const struct loader_mb_args *args, const uint8_t *p)
{
	long v2, v1;

	if (args->protocol != LOADER_MB_AUTO)
		return args->protocol == LOADER_MB_V2;
	v2 = find_header(p, args->kernel_len, MB2_MAGIC, MB2_SEARCH, MB2_ALIGN,
			 MB2_HDR_SIZE, true);
	if (v2 >= 0)
		return true;
	v1 = find_header(p, args->kernel_len, MB1_MAGIC, MB1_SEARCH, MB1_ALIGN,
			 MB1_HDR_SIZE, false);
	return v1 == -VMI_ENOENT && v2 == -VMI_EINVAL;
}

int loader_multiboot_load(const struct loader_env *env,
			  const struct loader_mb_args *args,
			  struct guest_boot_state *bs)
{
	struct loader_ctx lc;
	struct mb_strings st = { 0 };
	struct mb_image img = { 0 };
	struct mb_addr a = { 0 };
	uint8_t rsdp[RSDP_V2_LEN];
	const uint8_t *p;
	uint64_t info;
	bool v2;
	int ret;

	ret = loader_ctx_init(&lc, env, bs, LOADER_KIND_MULTIBOOT1);
	if (!ret)
		ret = check_args(&lc, args, &st);
	if (ret)
		return ret;
	p = args->kernel;
	v2 = want_v2(args, p);
	bs->placed.kind = v2 ? LOADER_KIND_MULTIBOOT2 : LOADER_KIND_MULTIBOOT1;
	bs->placed.protocol = v2 ? 2 : 1;
	bs->placed.nr_mods = (uint32_t)args->nr_mods;

	ret = v2 ? mb2_header(&lc, p, args->kernel_len, &a)
		 : mb1_header(&lc, p, args->kernel_len, &a);
	if (ret)
		return ret;
	if (v2 && env->rsdp_gpa) {
		ret = read_rsdp(&lc, rsdp);
		if (ret)
			return ret;
	}
	ret = a.aout ? kludge_image(&lc, args->kernel_len, &a, &img)
		     : elf_image(&lc, p, args->kernel_len, &img);
	if (ret)
		return ret;
	if (v2 && a.have_entry)
		img.entry = a.entry; /* 3.1.6: the entry tag wins */
	ret = load_segments(&lc, p, &img);
	if (!ret)
		ret = loader_enter_prot32(&lc, (uint32_t)img.entry);
	if (ret)
		return ret;

	if (v2)
		ret = mb2_info(&lc, args, &st, env->rsdp_gpa ? rsdp : NULL,
			       &info);
	else
		ret = mb1_info(&lc, args, &st, &info);
	if (ret)
		return ret;
	/* 0.6.96 3.2 / 2.0 3.2: magic in EAX, information in EBX. */
	bs->rax = v2 ? MB2_BOOT_MAGIC : MB1_BOOT_MAGIC;
	bs->rbx = info;
	return 0;
}

int loader_probe(const void *image, size_t len)
{
	struct loader_linux_hdr hdr;
	const uint8_t *p = image;
	int ret;

	if (!p)
		return -VMI_EINVAL;
	ret = loader_linux_parse(image, len, &hdr, NULL);
	if (ret == 0 || ret == -VMI_EOPNOTSUPP ||
	    (len >= 0x206 && loader_le32(p + 0x202) == 0x53726448u))
		return LOADER_KIND_LINUX;
	if (find_header(p, len, MB2_MAGIC, MB2_SEARCH, MB2_ALIGN, MB2_HDR_SIZE,
			true) >= 0)
		return LOADER_KIND_MULTIBOOT2;
	if (find_header(p, len, MB1_MAGIC, MB1_SEARCH, MB1_ALIGN, MB1_HDR_SIZE,
			false) >= 0)
		return LOADER_KIND_MULTIBOOT1;
	return -VMI_EINVAL;
}
