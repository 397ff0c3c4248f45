/*
 * Multiboot v1 / multiboot2 loader tests: ELF32, ELF64 and a.out-kludge
 * images built as byte arrays, loaded into fake guest RAM.
 */
#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <hvm/acpi-build.h>
#include <hvm/loader.h>
#include <vmi/errno.h>

#include "guest-ram.h"
#include "loader-tests.h"

#define MiB (1024ull * 1024)
#define MB1_MAGIC 0x1BADB002u
#define MB2_MAGIC 0xE85250D6u
#define MB_HDR_OFF 0x800 /* where the tests put the multiboot header */

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	le16(p, (uint16_t)v);
	le16(p + 2, (uint16_t)(v >> 16));
}

static void le64(uint8_t *p, uint64_t v)
{
	le32(p, (uint32_t)v);
	le32(p + 4, (uint32_t)(v >> 32));
}

struct tseg {
	uint64_t paddr, vaddr;
	uint32_t filesz, memsz;
};

/*
 * An ELF executable: headers at 0, the multiboot header at MB_HDR_OFF,
 * segment i's file bytes at 0x1000 * (i + 1).
 */
static uint8_t *elf_build(bool is64, const struct tseg *s, int n,
			  uint64_t entry, const uint8_t *mb, size_t mblen,
			  size_t *len)
{
	size_t total = 0x1000 * (size_t)(n + 1), i;
	uint8_t *b = calloc(1, total), *ph;
	int k;

	CU_ASSERT_FATAL(b != NULL);
	memcpy(b, "\177ELF", 4);
	b[4] = is64 ? 2 : 1;
	b[5] = 1;
	b[6] = 1;
	le16(b + 16, 2);
	le16(b + 18, is64 ? 62 : 3);
	le32(b + 20, 1);
	if (is64) {
		le64(b + 24, entry);
		le64(b + 32, 64);
		le16(b + 52, 64);
		le16(b + 54, 56);
		le16(b + 56, (uint16_t)n);
	} else {
		le32(b + 24, (uint32_t)entry);
		le32(b + 28, 52);
		le16(b + 40, 52);
		le16(b + 42, 32);
		le16(b + 44, (uint16_t)n);
	}
	for (k = 0; k < n; k++) {
		size_t off = 0x1000 * (size_t)(k + 1);

		if (is64) {
			ph = b + 64 + 56 * k;
			le32(ph, 1);
			le64(ph + 8, off);
			le64(ph + 16, s[k].vaddr);
			le64(ph + 24, s[k].paddr);
			le64(ph + 32, s[k].filesz);
			le64(ph + 40, s[k].memsz);
		} else {
			ph = b + 52 + 32 * k;
			le32(ph, 1);
			le32(ph + 4, (uint32_t)off);
			le32(ph + 8, (uint32_t)s[k].vaddr);
			le32(ph + 12, (uint32_t)s[k].paddr);
			le32(ph + 16, s[k].filesz);
			le32(ph + 20, s[k].memsz);
		}
		for (i = 0; i < s[k].filesz && i < 0x1000; i++)
			b[off + i] = (uint8_t)(k * 31 + i * 3 + 1);
	}
	memcpy(b + MB_HDR_OFF, mb, mblen);
	*len = total;
	return b;
}

/* Multiboot v1 header; aout (5 words) only if flags bit 16 is set. */
static size_t mb1_hdr(uint8_t *h, uint32_t flags, const uint32_t *aout)
{
	int i;

	le32(h, MB1_MAGIC);
	le32(h + 4, flags);
	le32(h + 8, 0u - MB1_MAGIC - flags);
	if (!aout)
		return 12;
	for (i = 0; i < 5; i++)
		le32(h + 12 + 4 * i, aout[i]);
	return 32;
}

/* Multiboot2 header builder. */
struct mb2b {
	uint8_t b[512];
	size_t len;
};

static void mb2_begin(struct mb2b *h)
{
	memset(h, 0, sizeof(*h));
	h->len = 16;
}

static void mb2_tag(struct mb2b *h, uint16_t type, uint16_t flags,
		    const uint32_t *w, int n)
{
	uint8_t *t = h->b + h->len;
	int i;

	le16(t, type);
	le16(t + 2, flags);
	le32(t + 4, 8 + 4 * (uint32_t)n);
	for (i = 0; i < n; i++)
		le32(t + 8 + 4 * i, w[i]);
	h->len += (8 + 4 * (size_t)n + 7) & ~(size_t)7;
}

static size_t mb2_end(struct mb2b *h, uint32_t arch, bool end_tag)
{
	if (end_tag)
		mb2_tag(h, 0, 0, NULL, 0);
	le32(h->b, MB2_MAGIC);
	le32(h->b + 4, arch);
	le32(h->b + 8, (uint32_t)h->len);
	le32(h->b + 12, 0u - MB2_MAGIC - arch - (uint32_t)h->len);
	return h->len;
}

static void guest64(struct gram *g, struct acpi_build_info *acpi)
{
	struct acpi_build_config cfg;

	gram_init(g, 0xaa);
	gram_default(g, 64 * MiB);
	acpi_build_default_config(&cfg, 4);
	CU_ASSERT_FATAL(acpi_build_tables(&gram_ops, g, &cfg, acpi) == 0);
	g->env.rsdp_gpa = ACPI_BUILD_RSDP_GPA;
}

static int load(struct gram *g, const uint8_t *img, size_t len, uint32_t proto,
		const char *cmdline, const struct loader_module *mods,
		size_t nr_mods, struct guest_boot_state *bs)
{
	struct loader_mb_args a = {
		.kernel = img,
		.kernel_len = len,
		.cmdline = cmdline,
		.mods = mods,
		.nr_mods = nr_mods,
		.protocol = proto,
	};

	return loader_multiboot_load(&g->env, &a, bs);
}

static const struct tseg elf32_segs[] = {
	{ 0x100000, 0xc0100000, 0x800, 0x1800 },
	{ 0x200000, 0xc0200000, 0x100, 0x100 },
};

static bool zeroes(struct gram *g, uint64_t gpa, uint64_t len)
{
	uint8_t *p = gram_ptr(g, gpa, len);
	uint64_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static void check_string(struct gram *g, uint64_t gpa, const char *s)
{
	CU_ASSERT(memcmp(gram_ptr(g, gpa, strlen(s) + 1), s, strlen(s) + 1) ==
		  0);
}

static void test_v1_elf32(void)
{
	static const uint32_t types[] = { 1, 2, 1, 2, 2 };
	static const uint64_t bases[] = { 0, 0xe0000, 0x100000, 0xfec00000,
					  0xfee00000 };
	uint8_t hdr[48], moda[5000], modb[10];
	struct loader_module mods[2] = {
		{ moda, sizeof(moda), "modA arg" },
		{ modb, sizeof(modb), NULL },
	};
	struct guest_boot_state bs;
	struct gram g;
	uint64_t info, m, e;
	size_t len, hl = mb1_hdr(hdr, 0x3, NULL);
	uint8_t *img =
		elf_build(false, elf32_segs, 2, 0xc0100010, hdr, hl, &len);
	int i;

	memset(moda, 0x11, sizeof(moda));
	memset(modb, 0x22, sizeof(modb));
	guest64(&g, NULL);
	CU_ASSERT_EQUAL_FATAL(load(&g, img, len, LOADER_MB_AUTO, "kernel args",
				   mods, 2, &bs),
			      0);
	CU_ASSERT_PTR_NULL(bs.error);
	CU_ASSERT_EQUAL(bs.placed.kind, LOADER_KIND_MULTIBOOT1);
	CU_ASSERT_EQUAL(bs.mode, GUEST_BOOT_MODE_PROT32);
	CU_ASSERT_EQUAL(bs.rax, 0x2BADB002);
	CU_ASSERT_EQUAL(bs.rip, 0x100010); /* e_entry translated to p_paddr */
	CU_ASSERT_EQUAL(bs.cs.sel, 0x10);
	CU_ASSERT_EQUAL(bs.fs.sel, 0x18);
	CU_ASSERT_EQUAL(bs.gs.sel, 0x18);
	CU_ASSERT_EQUAL(bs.rflags & (1u << 9), 0);
	CU_ASSERT_EQUAL(bs.placed.kernel_gpa, 0x100000);
	CU_ASSERT_EQUAL(bs.placed.kernel_size, 0x100100);
	CU_ASSERT_EQUAL(bs.placed.gdt_gpa, 0x1000);

	/* Segments: file part copied, bss cleared. */
	CU_ASSERT(memcmp(gram_ptr(&g, 0x100000, 0x800), img + 0x1000, 0x800) ==
		  0);
	CU_ASSERT(zeroes(&g, 0x100800, 0x1000));
	CU_ASSERT_EQUAL(gram_rd8(&g, 0x101800), 0xaa);
	CU_ASSERT(memcmp(gram_ptr(&g, 0x200000, 0x100), img + 0x2000, 0x100) ==
		  0);

	/* Boot information (0.6.96, 3.3). */
	info = bs.rbx;
	CU_ASSERT_EQUAL(info, 0x2000);
	CU_ASSERT_EQUAL(gram_rd32(&g, info), (1u << 0) | (1u << 2) | (1u << 3) |
						     (1u << 6) | (1u << 9));
	CU_ASSERT_EQUAL(gram_rd32(&g, info + 4), 640);
	CU_ASSERT_EQUAL(gram_rd32(&g, info + 8), 63 * 1024);
	check_string(&g, gram_rd32(&g, info + 16), "kernel args");
	check_string(&g, gram_rd32(&g, info + 64), "trivisor");
	CU_ASSERT_EQUAL(gram_rd32(&g, info + 20), 2);
	m = gram_rd32(&g, info + 24);
	CU_ASSERT_EQUAL(gram_rd32(&g, m), 0x201000);
	CU_ASSERT_EQUAL(gram_rd32(&g, m + 4), 0x201000 + sizeof(moda));
	check_string(&g, gram_rd32(&g, m + 8), "modA arg");
	CU_ASSERT_EQUAL(gram_rd32(&g, m + 16), 0x203000);
	CU_ASSERT_EQUAL(gram_rd32(&g, m + 20), 0x203000 + sizeof(modb));
	check_string(&g, gram_rd32(&g, m + 24), "");
	CU_ASSERT(memcmp(gram_ptr(&g, 0x201000, sizeof(moda)), moda,
			 sizeof(moda)) == 0);
	CU_ASSERT(memcmp(gram_ptr(&g, 0x203000, sizeof(modb)), modb,
			 sizeof(modb)) == 0);
	CU_ASSERT_EQUAL(gram_rd32(&g, info + 44), 5 * 24);
	e = gram_rd32(&g, info + 48);
	for (i = 0; i < 5; i++, e += 24) {
		CU_ASSERT_EQUAL(gram_rd32(&g, e), 20);
		CU_ASSERT_EQUAL(gram_rd64(&g, e + 4), bases[i]);
		CU_ASSERT_EQUAL(gram_rd32(&g, e + 20), types[i]);
	}
	e = gram_rd32(&g, info + 48) + 24 * 2; /* [1M, 64M) */
	CU_ASSERT_EQUAL(gram_rd64(&g, e + 12), 63 * MiB);
	gram_free(&g);
	free(img);
}

static void test_v1_aout(void)
{
	uint32_t aout[5] = { 0x100040, 0x100000, 0x102000, 0x104000, 0x100080 };
	struct guest_boot_state bs;
	struct gram g;
	uint8_t *img = calloc(1, 0x3000);
	size_t i;

	for (i = 0x100; i < 0x3000; i++)
		img[i] = (uint8_t)(i * 5);
	mb1_hdr(img + 0x40, 1u << 16, aout);
	guest64(&g, NULL);
	CU_ASSERT_EQUAL_FATAL(
		load(&g, img, 0x3000, LOADER_MB_V1, NULL, NULL, 0, &bs), 0);
	CU_ASSERT_EQUAL(bs.rip, 0x100080);
	CU_ASSERT(memcmp(gram_ptr(&g, 0x100000, 0x2000), img, 0x2000) == 0);
	CU_ASSERT(zeroes(&g, 0x102000, 0x2000));
	CU_ASSERT_EQUAL(gram_rd8(&g, 0x104000), 0xaa);
	CU_ASSERT_EQUAL(bs.placed.kernel_size, 0x4000);
	check_string(&g, gram_rd32(&g, bs.rbx + 16), "");

	/* load_end_addr 0: the rest of the file; bss_end_addr 0: no bss.
	 * header_addr - load_addr = 0x20: loading starts at file 0x20. */
	aout[1] = 0x100020;
	aout[2] = 0;
	aout[3] = 0;
	mb1_hdr(img + 0x40, 1u << 16, aout);
	CU_ASSERT_EQUAL(load(&g, img, 0x3000, LOADER_MB_V1, NULL, NULL, 0, &bs),
			0);
	CU_ASSERT(memcmp(gram_ptr(&g, 0x100020, 0x3000 - 0x20), img + 0x20,
			 0x3000 - 0x20) == 0);
	CU_ASSERT_EQUAL(bs.placed.kernel_size, 0x3000 - 0x20);

	/* Inconsistent address fields. */
	aout[1] = 0x100041; /* load_addr above header_addr */
	mb1_hdr(img + 0x40, 1u << 16, aout);
	CU_ASSERT_EQUAL(load(&g, img, 0x3000, 1, NULL, NULL, 0, &bs),
			-VMI_EINVAL);
	aout[1] = 0xff000; /* before the start of the file */
	mb1_hdr(img + 0x40, 1u << 16, aout);
	CU_ASSERT_EQUAL(load(&g, img, 0x3000, 1, NULL, NULL, 0, &bs),
			-VMI_EINVAL);
	aout[1] = 0x100000;
	aout[2] = 0x104000; /* beyond the file */
	mb1_hdr(img + 0x40, 1u << 16, aout);
	CU_ASSERT_EQUAL(load(&g, img, 0x3000, 1, NULL, NULL, 0, &bs),
			-VMI_EINVAL);
	aout[2] = 0xfffff; /* below load_addr */
	mb1_hdr(img + 0x40, 1u << 16, aout);
	CU_ASSERT_EQUAL(load(&g, img, 0x3000, 1, NULL, NULL, 0, &bs),
			-VMI_EINVAL);
	aout[2] = 0x102000;
	aout[3] = 0x101000; /* bss ends before the loaded part */
	mb1_hdr(img + 0x40, 1u << 16, aout);
	CU_ASSERT_EQUAL(load(&g, img, 0x3000, 1, NULL, NULL, 0, &bs),
			-VMI_EINVAL);
	CU_ASSERT_STRING_EQUAL(bs.error, "bad bss_end_addr");
	/* Address fields cut off by the end of the file. */
	CU_ASSERT_EQUAL(load(&g, img, 0x58, 1, NULL, NULL, 0, &bs),
			-VMI_EINVAL);
	gram_free(&g);
	free(img);
}

static void test_v1_header_errors(void)
{
	struct guest_boot_state bs;
	struct gram g;
	uint8_t hdr[48];
	size_t len, hl = mb1_hdr(hdr, 0, NULL);
	uint8_t *img =
		elf_build(false, elf32_segs, 2, 0xc0100010, hdr, hl, &len);

	guest64(&g, NULL);
	CU_ASSERT_EQUAL(load(&g, img, len, 1, NULL, NULL, 0, &bs), 0);

	img[MB_HDR_OFF + 8]++; /* checksum */
	CU_ASSERT_EQUAL(load(&g, img, len, 1, NULL, NULL, 0, &bs), -VMI_EINVAL);
	CU_ASSERT_STRING_EQUAL(bs.error, "bad multiboot header checksum");
	CU_ASSERT_EQUAL(loader_probe(img, len), -VMI_EINVAL);
	img[MB_HDR_OFF + 8]--;
	CU_ASSERT_EQUAL(loader_probe(img, len), LOADER_KIND_MULTIBOOT1);

	/* Unaligned, so not found. */
	memmove(img + MB_HDR_OFF + 2, img + MB_HDR_OFF, 12);
	memset(img + MB_HDR_OFF, 0, 2);
	CU_ASSERT_EQUAL(load(&g, img, len, 1, NULL, NULL, 0, &bs), -VMI_EINVAL);
	CU_ASSERT_STRING_EQUAL(bs.error, "no multiboot header");
	free(img);

	/* Beyond the first 8192 bytes. */
	img = calloc(1, 0x4000);
	mb1_hdr(img + 8192, 0, NULL);
	CU_ASSERT_EQUAL(load(&g, img, 0x4000, 1, NULL, NULL, 0, &bs),
			-VMI_EINVAL);
	CU_ASSERT_STRING_EQUAL(bs.error, "no multiboot header");
	/* Right at the end of the window it is found (and is not ELF). */
	mb1_hdr(img + 8192 - 12, 0, NULL);
	CU_ASSERT_EQUAL(load(&g, img, 0x4000, 1, NULL, NULL, 0, &bs),
			-VMI_EINVAL);
	CU_ASSERT_STRING_EQUAL(bs.error, "not an ELF image");
	free(img);

	/* Required flags: video (bit 2) and unknown ones refused; unknown
	 * optional ones (bits 16-31) ignored. */
	hl = mb1_hdr(hdr, 1u << 2, NULL);
	img = elf_build(false, elf32_segs, 2, 0xc0100010, hdr, hl, &len);
	CU_ASSERT_EQUAL(load(&g, img, len, 1, NULL, NULL, 0, &bs),
			-VMI_EOPNOTSUPP);
	free(img);
	hl = mb1_hdr(hdr, 1u << 5, NULL);
	img = elf_build(false, elf32_segs, 2, 0xc0100010, hdr, hl, &len);
	CU_ASSERT_EQUAL(load(&g, img, len, 1, NULL, NULL, 0, &bs),
			-VMI_EOPNOTSUPP);
	free(img);
	hl = mb1_hdr(hdr, 1u << 20, NULL);
	img = elf_build(false, elf32_segs, 2, 0xc0100010, hdr, hl, &len);
	CU_ASSERT_EQUAL(load(&g, img, len, 1, NULL, NULL, 0, &bs), 0);
	free(img);
	gram_free(&g);
}

/* The gpa of the first multiboot2 info tag of this type, or 0. */
static uint64_t mbi2_find(struct gram *g, uint64_t info, uint32_t type)
{
	uint32_t total = gram_rd32(g, info), size;
	uint64_t t = info + 8;

	while (t < info + total) {
		size = gram_rd32(g, t + 4);
		CU_ASSERT_FATAL(size >= 8);
		if (gram_rd32(g, t) == type)
			return t;
		if (gram_rd32(g, t) == 0)
			break;
		t += (size + 7) & ~7u;
	}
	return 0;
}

static const struct tseg elf64_segs[] = {
	{ 0x100000, 0xffffffff80100000ull, 0x1000, 0x3000 },
	{ 0x400000, 0xffffffff80400000ull, 0x200, 0x200 },
};

static uint8_t *mb2_image(size_t *len, bool entry_tag)
{
	static const uint32_t req[] = { 1, 4, 6, 15 };
	uint32_t entry = 0x100040;
	struct mb2b h;

	mb2_begin(&h);
	mb2_tag(&h, 1, 0, req, 4);
	if (entry_tag)
		mb2_tag(&h, 3, 0, &entry, 1);
	mb2_tag(&h, 6, 0, NULL, 0); /* module alignment */
	mb2_end(&h, 0, true);
	return elf_build(true, elf64_segs, 2, 0xffffffff80100020ull, h.b, h.len,
			 len);
}

static void test_v2_elf64(void)
{
	struct loader_module mod = { "module!", 7, "the module" };
	struct acpi_build_info acpi;
	struct guest_boot_state bs;
	struct gram g;
	uint64_t info, t, end;
	size_t len;
	uint8_t *img = mb2_image(&len, true);
	int i;

	guest64(&g, &acpi);
	CU_ASSERT_EQUAL_FATAL(
		load(&g, img, len, LOADER_MB_AUTO, "root=x", &mod, 1, &bs), 0);
	CU_ASSERT_EQUAL(bs.placed.kind, LOADER_KIND_MULTIBOOT2);
	CU_ASSERT_EQUAL(bs.rax, 0x36d76289);
	CU_ASSERT_EQUAL(bs.rip, 0x100040); /* the entry tag wins */
	CU_ASSERT(memcmp(gram_ptr(&g, 0x100000, 0x1000), img + 0x1000,
			 0x1000) == 0);
	CU_ASSERT(zeroes(&g, 0x101000, 0x2000));
	CU_ASSERT(memcmp(gram_ptr(&g, 0x400000, 0x200), img + 0x2000, 0x200) ==
		  0);

	info = bs.rbx;
	CU_ASSERT_EQUAL(info, 0x2000);
	CU_ASSERT_EQUAL(info & 7, 0);
	CU_ASSERT_EQUAL(gram_rd32(&g, info + 4), 0);
	CU_ASSERT_EQUAL(bs.placed.info_size, gram_rd32(&g, info));

	t = mbi2_find(&g, info, 1);
	CU_ASSERT_FATAL(t != 0);
	CU_ASSERT_EQUAL(gram_rd32(&g, t + 4), 8 + 7);
	check_string(&g, t + 8, "root=x");
	t = mbi2_find(&g, info, 2);
	CU_ASSERT_FATAL(t != 0);
	check_string(&g, t + 8, "trivisor");
	t = mbi2_find(&g, info, 3);
	CU_ASSERT_FATAL(t != 0);
	CU_ASSERT_EQUAL(gram_rd32(&g, t + 8), 0x401000);
	CU_ASSERT_EQUAL(gram_rd32(&g, t + 12), 0x401007);
	check_string(&g, t + 16, "the module");
	CU_ASSERT(memcmp(gram_ptr(&g, 0x401000, 7), "module!", 7) == 0);
	t = mbi2_find(&g, info, 4);
	CU_ASSERT_FATAL(t != 0);
	CU_ASSERT_EQUAL(gram_rd32(&g, t + 4), 16);
	CU_ASSERT_EQUAL(gram_rd32(&g, t + 8), 640);
	CU_ASSERT_EQUAL(gram_rd32(&g, t + 12), 63 * 1024);
	t = mbi2_find(&g, info, 6);
	CU_ASSERT_FATAL(t != 0);
	CU_ASSERT_EQUAL(gram_rd32(&g, t + 4), 16 + 5 * 24);
	CU_ASSERT_EQUAL(gram_rd32(&g, t + 8), 24);
	CU_ASSERT_EQUAL(gram_rd32(&g, t + 12), 0);
	for (i = 0; i < 5; i++) {
		uint64_t e = t + 16 + 24 * (uint64_t)i;

		CU_ASSERT_EQUAL(gram_rd32(&g, e + 16),
				i == 0 || i == 2 ? 1 : 2);
		CU_ASSERT_EQUAL(gram_rd32(&g, e + 20), 0);
	}
	CU_ASSERT_EQUAL(gram_rd64(&g, t + 16 + 24 * 2), 0x100000);
	CU_ASSERT_EQUAL(gram_rd64(&g, t + 16 + 24 * 2 + 8), 63 * MiB);
	t = mbi2_find(&g, info, 14);
	CU_ASSERT_FATAL(t != 0);
	CU_ASSERT_EQUAL(gram_rd32(&g, t + 4), 8 + 20);
	CU_ASSERT(memcmp(gram_ptr(&g, t + 8, 20), acpi.rsdp, 20) == 0);
	t = mbi2_find(&g, info, 15);
	CU_ASSERT_FATAL(t != 0);
	CU_ASSERT_EQUAL(gram_rd32(&g, t + 4), 8 + 36);
	CU_ASSERT(memcmp(gram_ptr(&g, t + 8, 36), acpi.rsdp, 36) == 0);
	t = mbi2_find(&g, info, 0);
	CU_ASSERT_FATAL(t != 0);
	CU_ASSERT_EQUAL(gram_rd32(&g, t + 4), 8);
	end = t + 8;
	CU_ASSERT_EQUAL(end - info, gram_rd32(&g, info));

	/* Without the entry tag, e_entry translated by its segment. */
	free(img);
	img = mb2_image(&len, false);
	CU_ASSERT_EQUAL(load(&g, img, len, LOADER_MB_V2, NULL, NULL, 0, &bs),
			0);
	CU_ASSERT_EQUAL(bs.rip, 0x100020);
	gram_free(&g);

	/* No ACPI: no ACPI tags, and a required request for one fails. */
	gram_init(&g, 0);
	gram_default(&g, 64 * MiB);
	CU_ASSERT_EQUAL(load(&g, img, len, LOADER_MB_V2, NULL, NULL, 0, &bs),
			-VMI_EOPNOTSUPP);
	CU_ASSERT_STRING_EQUAL(bs.error,
			       "required multiboot2 info not supported");
	gram_free(&g);
	free(img);
}

/* Build a v2 ELF64 image around a header made by the caller. */
static int v2_try(struct gram *g, struct mb2b *h, struct guest_boot_state *bs)
{
	size_t len;
	uint8_t *img = elf_build(true, elf64_segs, 2, 0xffffffff80100020ull,
				 h->b, h->len, &len);
	int ret = load(g, img, len, LOADER_MB_V2, NULL, NULL, 0, bs);

	free(img);
	return ret;
}

static void test_v2_header_errors(void)
{
	uint32_t w[4] = { 0 };
	struct guest_boot_state bs;
	struct gram g;
	struct mb2b h;

	guest64(&g, NULL);
	mb2_begin(&h);
	mb2_end(&h, 0, true);
	CU_ASSERT_EQUAL(v2_try(&g, &h, &bs), 0);
	h.b[12]++;
	CU_ASSERT_EQUAL(v2_try(&g, &h, &bs), -VMI_EINVAL);
	CU_ASSERT_STRING_EQUAL(bs.error, "bad multiboot2 header checksum");

	mb2_begin(&h);
	mb2_end(&h, 4, true); /* MIPS */
	CU_ASSERT_EQUAL(v2_try(&g, &h, &bs), -VMI_EOPNOTSUPP);

	mb2_begin(&h);
	mb2_tag(&h, 6, 0, NULL, 0);
	mb2_end(&h, 0, false);
	CU_ASSERT_EQUAL(v2_try(&g, &h, &bs), -VMI_EINVAL);
	CU_ASSERT_STRING_EQUAL(bs.error, "multiboot2 header without end tag");
	/* A last tag whose padding would run past header_length. */
	mb2_begin(&h);
	mb2_tag(&h, 6, 0, NULL, 0);
	mb2_tag(&h, 1, 1, w, 1);
	h.len -= 4;
	mb2_end(&h, 0, false);
	CU_ASSERT_EQUAL(v2_try(&g, &h, &bs), -VMI_EINVAL);
	CU_ASSERT_STRING_EQUAL(bs.error, "multiboot2 header without end tag");

	/* A tag of size 4, and one running past header_length. */
	mb2_begin(&h);
	mb2_tag(&h, 6, 0, NULL, 0);
	le32(h.b + 16 + 4, 4);
	mb2_end(&h, 0, true);
	CU_ASSERT_EQUAL(v2_try(&g, &h, &bs), -VMI_EINVAL);
	CU_ASSERT_STRING_EQUAL(bs.error, "bad multiboot2 tag size");
	mb2_begin(&h);
	mb2_tag(&h, 6, 0, NULL, 0);
	le32(h.b + 16 + 4, 200);
	mb2_end(&h, 0, true);
	CU_ASSERT_EQUAL(v2_try(&g, &h, &bs), -VMI_EINVAL);
	/* header_length shorter than the fixed part plus an end tag. */
	mb2_begin(&h);
	h.len = 16;
	mb2_end(&h, 0, false);
	CU_ASSERT_EQUAL(v2_try(&g, &h, &bs), -VMI_EINVAL);

	/* Framebuffer: required refused, optional ignored. */
	w[0] = 1024;
	w[1] = 768;
	w[2] = 32;
	mb2_begin(&h);
	mb2_tag(&h, 5, 0, w, 3);
	mb2_end(&h, 0, true);
	CU_ASSERT_EQUAL(v2_try(&g, &h, &bs), -VMI_EOPNOTSUPP);
	mb2_begin(&h);
	mb2_tag(&h, 5, 1, w, 3);
	mb2_end(&h, 0, true);
	CU_ASSERT_EQUAL(v2_try(&g, &h, &bs), 0);

	/* Unknown tags likewise; unknown info requests likewise. */
	mb2_begin(&h);
	mb2_tag(&h, 77, 0, NULL, 0);
	mb2_end(&h, 0, true);
	CU_ASSERT_EQUAL(v2_try(&g, &h, &bs), -VMI_EOPNOTSUPP);
	mb2_begin(&h);
	mb2_tag(&h, 77, 1, NULL, 0);
	mb2_end(&h, 0, true);
	CU_ASSERT_EQUAL(v2_try(&g, &h, &bs), 0);
	w[0] = 8; /* framebuffer info */
	mb2_begin(&h);
	mb2_tag(&h, 1, 0, w, 1);
	mb2_end(&h, 0, true);
	CU_ASSERT_EQUAL(v2_try(&g, &h, &bs), -VMI_EOPNOTSUPP);
	mb2_begin(&h);
	mb2_tag(&h, 1, 1, w, 1);
	mb2_end(&h, 0, true);
	CU_ASSERT_EQUAL(v2_try(&g, &h, &bs), 0);

	/* Console required: refused unless the tag is optional. */
	w[0] = 1;
	mb2_begin(&h);
	mb2_tag(&h, 4, 0, w, 1);
	mb2_end(&h, 0, true);
	CU_ASSERT_EQUAL(v2_try(&g, &h, &bs), -VMI_EOPNOTSUPP);
	w[0] = 2;
	mb2_begin(&h);
	mb2_tag(&h, 4, 0, w, 1);
	mb2_tag(&h, 7, 0, NULL, 0);
	mb2_tag(&h, 10, 0, w, 4);
	mb2_end(&h, 0, true);
	CU_ASSERT_EQUAL(v2_try(&g, &h, &bs), 0);

	/* Address tag without an entry tag; tags with bad sizes. */
	w[0] = 0x100000;
	w[1] = 0x100000;
	w[2] = 0;
	w[3] = 0;
	mb2_begin(&h);
	mb2_tag(&h, 2, 0, w, 4);
	mb2_end(&h, 0, true);
	CU_ASSERT_EQUAL(v2_try(&g, &h, &bs), -VMI_EINVAL);
	CU_ASSERT_STRING_EQUAL(bs.error, "address tag without entry tag");
	mb2_begin(&h);
	mb2_tag(&h, 2, 0, w, 3);
	mb2_end(&h, 0, true);
	CU_ASSERT_EQUAL(v2_try(&g, &h, &bs), -VMI_EINVAL);
	mb2_begin(&h);
	mb2_tag(&h, 3, 0, NULL, 0);
	mb2_end(&h, 0, true);
	CU_ASSERT_EQUAL(v2_try(&g, &h, &bs), -VMI_EINVAL);
	mb2_begin(&h);
	mb2_tag(&h, 1, 0, w, 1);
	le32(h.b + 16 + 4, 10); /* not a whole number of requests */
	mb2_end(&h, 0, true);
	CU_ASSERT_EQUAL(v2_try(&g, &h, &bs), -VMI_EINVAL);
	gram_free(&g);
}

/* Multiboot2 address tag with load_addr = -1: the file from its start. */
static void test_v2_address_tag(void)
{
	struct guest_boot_state bs;
	struct gram g;
	uint32_t w[4] = { 0x200100, 0xffffffff, 0, 0x208000 }, entry = 0x200200;
	uint8_t *img = calloc(1, 0x6000);
	struct mb2b h;
	size_t i;

	for (i = 0x200; i < 0x6000; i++)
		img[i] = (uint8_t)(i * 13);
	mb2_begin(&h);
	mb2_tag(&h, 2, 0, w, 4);
	mb2_tag(&h, 3, 0, &entry, 1);
	mb2_end(&h, 0, true);
	memcpy(img + 0x100, h.b, h.len);
	guest64(&g, NULL);
	CU_ASSERT_EQUAL_FATAL(
		load(&g, img, 0x6000, LOADER_MB_AUTO, NULL, NULL, 0, &bs), 0);
	CU_ASSERT_EQUAL(bs.placed.kind, LOADER_KIND_MULTIBOOT2);
	CU_ASSERT_EQUAL(bs.rip, 0x200200);
	CU_ASSERT_EQUAL(bs.placed.kernel_gpa, 0x200000);
	CU_ASSERT(memcmp(gram_ptr(&g, 0x200000, 0x6000), img, 0x6000) == 0);
	CU_ASSERT(zeroes(&g, 0x206000, 0x2000));
	CU_ASSERT_EQUAL(gram_rd8(&g, 0x208000), 0xaa);

	/* -1 with header_addr below the header's file offset. */
	w[0] = 0x80;
	mb2_begin(&h);
	mb2_tag(&h, 2, 0, w, 4);
	mb2_tag(&h, 3, 0, &entry, 1);
	mb2_end(&h, 0, true);
	memcpy(img + 0x100, h.b, h.len);
	CU_ASSERT_EQUAL(load(&g, img, 0x6000, 0, NULL, NULL, 0, &bs),
			-VMI_EINVAL);
	gram_free(&g);
	free(img);
}

static int seg_try(struct gram *g, bool is64, const struct tseg *s, int n,
		   uint64_t entry, struct guest_boot_state *bs)
{
	uint8_t hdr[16];
	size_t len, hl = mb1_hdr(hdr, 0, NULL);
	uint8_t *img = elf_build(is64, s, n, entry, hdr, hl, &len);
	int ret = load(g, img, len, LOADER_MB_V1, NULL, NULL, 0, bs);

	free(img);
	return ret;
}

static void test_segment_errors(void)
{
	struct tseg s[LOADER_MAX_SEGMENTS + 1];
	struct guest_boot_state bs;
	struct gram g;
	int i;

	guest64(&g, NULL);
	/* In the 640K-0xE0000 hole, past the end of RAM, over the BIOS
	 * window, over the LAPIC page. */
	s[0] = (struct tseg){ 0xa0000, 0xa0000, 0x100, 0x100 };
	CU_ASSERT_EQUAL(seg_try(&g, false, s, 1, 0xa0000, &bs), -VMI_ERANGE);
	CU_ASSERT_STRING_EQUAL(bs.error, "segment outside guest RAM");
	s[0] = (struct tseg){ 64 * MiB - 0x100, 64 * MiB - 0x100, 0x100,
			      0x200 };
	CU_ASSERT_EQUAL(seg_try(&g, false, s, 1, 64 * MiB - 0x100, &bs),
			-VMI_ERANGE);
	s[0] = (struct tseg){ 0xdf000, 0xdf000, 0x100, 0x2000 };
	CU_ASSERT_EQUAL(seg_try(&g, false, s, 1, 0xdf000, &bs), -VMI_ERANGE);
	CU_ASSERT_STRING_EQUAL(bs.error, "segment outside guest RAM");
	s[0] = (struct tseg){ 0xf0000, 0xf0000, 0x100, 0x100 };
	CU_ASSERT_EQUAL(seg_try(&g, false, s, 1, 0xf0000, &bs), -VMI_ERANGE);
	CU_ASSERT_STRING_EQUAL(bs.error, "segment overlaps a reserved window");
	/* ELF64 above 4 GiB. */
	s[0] = (struct tseg){ 0x100000000ull, 0x100000000ull, 0x100, 0x100 };
	CU_ASSERT_EQUAL(seg_try(&g, true, s, 1, 0x100000000ull, &bs),
			-VMI_ERANGE);
	CU_ASSERT_STRING_EQUAL(bs.error, "segment above 4 GiB");
	/* Overlapping segments. */
	s[0] = (struct tseg){ 0x100000, 0x100000, 0x100, 0x2000 };
	s[1] = (struct tseg){ 0x101000, 0x101000, 0x100, 0x100 };
	CU_ASSERT_EQUAL(seg_try(&g, false, s, 2, 0x100000, &bs), -VMI_EINVAL);
	CU_ASSERT_STRING_EQUAL(bs.error, "overlapping segments");
	/* p_filesz > p_memsz. */
	s[0] = (struct tseg){ 0x100000, 0x100000, 0x200, 0x100 };
	CU_ASSERT_EQUAL(seg_try(&g, false, s, 1, 0x100000, &bs), -VMI_EINVAL);
	/* Entry outside every segment. */
	s[0] = (struct tseg){ 0x100000, 0x100000, 0x100, 0x100 };
	CU_ASSERT_EQUAL(seg_try(&g, false, s, 1, 0x100100, &bs), -VMI_EINVAL);
	CU_ASSERT_STRING_EQUAL(bs.error,
			       "ELF entry point outside the segments");
	/* Too many segments. */
	for (i = 0; i <= LOADER_MAX_SEGMENTS; i++)
		s[i] = (struct tseg){ 0x100000 + 0x1000 * (uint64_t)i,
				      0x100000 + 0x1000 * (uint64_t)i, 0x10,
				      0x10 };
	CU_ASSERT_EQUAL(
		seg_try(&g, true, s, LOADER_MAX_SEGMENTS, 0x100000, &bs), 0);
	CU_ASSERT_EQUAL(seg_try(&g, true, s, LOADER_MAX_SEGMENTS + 1, 0x100000,
				&bs),
			-VMI_E2BIG);
	gram_free(&g);
}

static void test_elf_errors(void)
{
	struct guest_boot_state bs;
	struct gram g;
	uint8_t hdr[16];
	size_t len, hl = mb1_hdr(hdr, 0, NULL);
	uint8_t *img =
		elf_build(false, elf32_segs, 2, 0xc0100010, hdr, hl, &len);
	uint8_t *img64;
	size_t len64;

	guest64(&g, NULL);
#define TRY(ret) CU_ASSERT_EQUAL(load(&g, img, len, 1, NULL, NULL, 0, &bs), ret)
	TRY(0);
	img[4] = 3; /* class */
	TRY(-VMI_EINVAL);
	img[4] = 1;
	img[5] = 2; /* big endian */
	TRY(-VMI_EINVAL);
	img[5] = 1;
	img[16] = 3; /* ET_DYN */
	TRY(-VMI_EINVAL);
	img[16] = 2;
	img[18] = 40; /* ARM */
	TRY(-VMI_EINVAL);
	img[18] = 3;
	le16(img + 44, 0); /* no program headers */
	TRY(-VMI_EINVAL);
	le16(img + 44, 200); /* table past the end of the file */
	le32(img + 28, (uint32_t)len - 0x100);
	TRY(-VMI_EINVAL);
	le32(img + 28, 52);
	le16(img + 44, 2);
	le16(img + 42, 16); /* phentsize too small */
	TRY(-VMI_EINVAL);
	le16(img + 42, 32);
	le32(img + 52 + 4, (uint32_t)len - 0x10); /* p_offset + p_filesz */
	TRY(-VMI_EINVAL);
	le32(img + 52 + 4, 0xfffffff0u);
	TRY(-VMI_EINVAL);
	le32(img + 52 + 4, 0x1000);
	le32(img + 52, 0); /* first segment not PT_LOAD: entry outside */
	TRY(-VMI_EINVAL);
	le32(img + 52, 1);
	TRY(0);
#undef TRY
	/* Truncated ELF64 header. */
	img64 = elf_build(true, elf64_segs, 2, 0xffffffff80100020ull, hdr, hl,
			  &len64);
	CU_ASSERT_EQUAL(load(&g, img64, len64, 1, NULL, NULL, 0, &bs), 0);
	memcpy(img, img64, 60);
	memcpy(img + 0x40, hdr, hl);
	CU_ASSERT_EQUAL(load(&g, img, 60, 1, NULL, NULL, 0, &bs), -VMI_EINVAL);
	free(img64);
	free(img);
	gram_free(&g);
}

static void test_args(void)
{
	struct loader_module mods[LOADER_MAX_MODULES + 1];
	struct guest_boot_state bs;
	struct gram g;
	uint8_t hdr[16];
	size_t len, hl = mb1_hdr(hdr, 0, NULL), i;
	uint8_t *img =
		elf_build(false, elf32_segs, 2, 0xc0100010, hdr, hl, &len);
	char *big = malloc(LOADER_CMDLINE_MAX + 2);

	memset(big, 'x', LOADER_CMDLINE_MAX + 1);
	big[LOADER_CMDLINE_MAX + 1] = 0;
	for (i = 0; i <= LOADER_MAX_MODULES; i++)
		mods[i] = (struct loader_module){ "m", 1, NULL };
	guest64(&g, NULL);
	CU_ASSERT_EQUAL(
		load(&g, img, len, 1, NULL, mods, LOADER_MAX_MODULES, &bs), 0);
	CU_ASSERT_EQUAL(gram_rd32(&g, bs.rbx + 20), LOADER_MAX_MODULES);
	CU_ASSERT_EQUAL(load(&g, img, len, 1, NULL, mods,
			     LOADER_MAX_MODULES + 1, &bs),
			-VMI_E2BIG);
	CU_ASSERT_EQUAL(load(&g, img, len, 1, big, NULL, 0, &bs), -VMI_E2BIG);
	big[LOADER_CMDLINE_MAX] = 0;
	CU_ASSERT_EQUAL(load(&g, img, len, 1, big, NULL, 0, &bs), 0);
	check_string(&g, gram_rd32(&g, bs.rbx + 16), big);
	big[LOADER_CMDLINE_MAX] = 'x';
	mods[0].cmdline = big;
	CU_ASSERT_EQUAL(load(&g, img, len, 1, NULL, mods, 1, &bs), -VMI_E2BIG);
	mods[0] = (struct loader_module){ NULL, 5, NULL };
	CU_ASSERT_EQUAL(load(&g, img, len, 1, NULL, mods, 1, &bs), -VMI_EINVAL);
	CU_ASSERT_EQUAL(load(&g, img, len, 1, NULL, NULL, 1, &bs), -VMI_EINVAL);
	CU_ASSERT_EQUAL(load(&g, img, len, 3, NULL, NULL, 0, &bs), -VMI_EINVAL);
	CU_ASSERT_EQUAL(load(&g, NULL, len, 1, NULL, NULL, 0, &bs),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(loader_multiboot_load(&g.env, NULL, &bs), -VMI_EINVAL);
	/* A module that does not fit below 4 GiB. */
	mods[0] = (struct loader_module){ "m", 80 * MiB, NULL };
	CU_ASSERT_EQUAL(load(&g, img, len, 1, NULL, mods, 1, &bs), -VMI_ENOMEM);
	CU_ASSERT_STRING_EQUAL(bs.error, "no room for a module");
	/* Zero-length module. */
	mods[0] = (struct loader_module){ NULL, 0, "empty" };
	CU_ASSERT_EQUAL(load(&g, img, len, 1, NULL, mods, 1, &bs), 0);
	CU_ASSERT_EQUAL(gram_rd32(&g, gram_rd32(&g, bs.rbx + 24)),
			gram_rd32(&g, gram_rd32(&g, bs.rbx + 24) + 4));
	gram_free(&g);
	free(big);
	free(img);
}

/* An image with both headers: AUTO and V2 take v2, V1 takes v1. */
static void test_both_headers(void)
{
	struct guest_boot_state bs;
	struct gram g;
	struct mb2b h;
	size_t len;
	uint8_t *img;

	mb2_begin(&h);
	mb2_end(&h, 0, true);
	mb1_hdr(h.b + h.len, 0, NULL);
	h.len += 16;
	img = elf_build(false, elf32_segs, 2, 0xc0100010, h.b, h.len, &len);
	guest64(&g, NULL);
	CU_ASSERT_EQUAL(loader_probe(img, len), LOADER_KIND_MULTIBOOT2);
	CU_ASSERT_EQUAL(load(&g, img, len, LOADER_MB_AUTO, NULL, NULL, 0, &bs),
			0);
	CU_ASSERT_EQUAL(bs.rax, 0x36d76289);
	CU_ASSERT_EQUAL(load(&g, img, len, LOADER_MB_V1, NULL, NULL, 0, &bs),
			0);
	CU_ASSERT_EQUAL(bs.rax, 0x2badb002);
	/* A broken v2 header next to a good v1 one: AUTO falls back. */
	img[MB_HDR_OFF + 12]++;
	CU_ASSERT_EQUAL(load(&g, img, len, LOADER_MB_AUTO, NULL, NULL, 0, &bs),
			0);
	CU_ASSERT_EQUAL(bs.rax, 0x2badb002);
	CU_ASSERT_EQUAL(load(&g, img, len, LOADER_MB_V2, NULL, NULL, 0, &bs),
			-VMI_EINVAL);
	free(img);
	/* Only a broken v2 header: AUTO reports its checksum. */
	mb2_begin(&h);
	mb2_end(&h, 0, true);
	h.b[12]++;
	img = elf_build(false, elf32_segs, 2, 0xc0100010, h.b, h.len, &len);
	CU_ASSERT_EQUAL(load(&g, img, len, LOADER_MB_AUTO, NULL, NULL, 0, &bs),
			-VMI_EINVAL);
	CU_ASSERT_STRING_EQUAL(bs.error, "bad multiboot2 header checksum");
	free(img);
	gram_free(&g);
}

static void test_write_faults(void)
{
	struct loader_module mod = { "abc", 3, "m" };
	struct guest_boot_state bs;
	struct gram g;
	size_t len;
	uint8_t *img[2];
	long n;
	int k, ret;

	uint8_t hdr[16];
	size_t hl = mb1_hdr(hdr, 0, NULL), len1;

	img[0] = elf_build(false, elf32_segs, 2, 0xc0100010, hdr, hl, &len1);
	img[1] = mb2_image(&len, true);
	guest64(&g, NULL);
	for (k = 0; k < 2; k++) {
		for (n = 0;; n++) {
			g.writes = 0;
			g.fail_at = n;
			ret = load(&g, img[k], k ? len : len1, LOADER_MB_AUTO,
				   "c", &mod, 1, &bs);
			if (ret == 0)
				break;
			CU_ASSERT_EQUAL(ret, -VMI_EFAULT);
		}
		CU_ASSERT(n > 20);
	}
	gram_free(&g);
	free(img[0]);
	free(img[1]);
}

/* Random corruption of headers, tags and program headers. */
static void test_fuzz(void)
{
	struct guest_boot_state bs;
	struct gram g;
	size_t len[2], cut, off;
	uint8_t *img[2], *copy;
	unsigned int seed = 777, i, k, which;
	uint8_t hdr[16];
	size_t hl = mb1_hdr(hdr, 0, NULL);
	int ok = 0;

	img[0] = elf_build(false, elf32_segs, 2, 0xc0100010, hdr, hl, &len[0]);
	img[1] = mb2_image(&len[1], true);
	gram_init(&g, 0);
	gram_default(&g, 16 * MiB);
	for (i = 0; i < 4000; i++) {
		which = i & 1;
		copy = malloc(len[which]);
		memcpy(copy, img[which], len[which]);
		for (k = 0; k < 3; k++) {
			seed = seed * 1103515245 + 12345;
			off = (seed >> 8) % 3 == 0
				      ? (seed >> 12) % 0x100
				      : MB_HDR_OFF + (seed >> 12) % 0x60;
			seed = seed * 1103515245 + 12345;
			copy[off] = (uint8_t)(seed >> 16);
		}
		seed = seed * 1103515245 + 12345;
		cut = (seed >> 4) % 8 ? len[which] : (seed >> 8) % len[which];
		{
			uint8_t *exact = malloc(cut ? cut : 1);

			memcpy(exact, copy, cut);
			if (load(&g, exact, cut, LOADER_MB_AUTO, "c", NULL, 0,
				 &bs) == 0)
				ok++;
			else
				CU_ASSERT_PTR_NOT_NULL(bs.error);
			free(exact);
		}
		free(copy);
	}
	CU_ASSERT(ok > 0);
	gram_free(&g);
	free(img[0]);
	free(img[1]);
}

void loader_multiboot_tests(void)
{
	CU_pSuite s = CU_add_suite("loader-multiboot", NULL, NULL);

	CU_add_test(s, "v1 ELF32 with modules", test_v1_elf32);
	CU_add_test(s, "v1 a.out kludge", test_v1_aout);
	CU_add_test(s, "v1 header errors", test_v1_header_errors);
	CU_add_test(s, "v2 ELF64 and info tags", test_v2_elf64);
	CU_add_test(s, "v2 header errors", test_v2_header_errors);
	CU_add_test(s, "v2 address tag", test_v2_address_tag);
	CU_add_test(s, "segment errors", test_segment_errors);
	CU_add_test(s, "ELF errors", test_elf_errors);
	CU_add_test(s, "arguments", test_args);
	CU_add_test(s, "v1 and v2 headers", test_both_headers);
	CU_add_test(s, "guest write faults", test_write_faults);
	CU_add_test(s, "header fuzz", test_fuzz);
}
