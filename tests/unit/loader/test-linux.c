/*
 * Linux boot protocol loader tests: synthetic bzImages with crafted setup
 * headers, loaded into fake guest RAM.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include <hvm/acpi-build.h>
#include <hvm/loader.h>
#include <vmi/errno.h>

#include "guest-ram.h"
#include "loader-tests.h"

#define MiB (1024ull * 1024)

/* The knobs of a synthetic bzImage. */
struct bzp {
	uint16_t version;
	uint8_t setup_sects; /* as stored: 0 means 4 */
	uint8_t loadflags;
	uint8_t reloc;
	uint16_t xlf;
	uint32_t payload; /* multiple of 16 */
	uint32_t init_size;
	uint32_t align;
	uint32_t initrd_max;
	uint32_t cmdline_size;
	uint64_t pref;
};

static struct bzp bz_defaults(void)
{
	return (struct bzp){
		.version = 0x020f,
		.setup_sects = 4,
		.loadflags = 0x01, /* LOADED_HIGH */
		.reloc = 1,
		.xlf = 0x03, /* XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G */
		.payload = 0x3000,
		.init_size = 0x100000,
		.align = 0x200000,
		.initrd_max = 0x7fffffff,
		.cmdline_size = 255,
		.pref = 0x1000000,
	};
}

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

uint8_t *test_bz_build(const void *params, size_t *len)
{
	const struct bzp *p = params;
	unsigned int sects = p->setup_sects ? p->setup_sects : 4;
	size_t setup = (sects + 1) * 512, i;
	uint8_t *b;

	*len = setup + p->payload;
	b = calloc(1, *len);
	CU_ASSERT_FATAL(b != NULL);
	for (i = setup; i < *len; i++)
		b[i] = (uint8_t)(i * 7 + 3);
	b[0x1f1] = p->setup_sects;
	le32(b + 0x1f4, p->payload / 16);
	le16(b + 0x1fa, 0xffff); /* vid_mode */
	le16(b + 0x1fe, 0xaa55);
	b[0x200] = 0xeb;
	/* Header end: 0x26c for 2.10+, 0x23c (after cmdline_size) before. */
	b[0x201] = p->version >= 0x020a ? 0x6a : 0x3a;
	memcpy(b + 0x202, "HdrS", 4);
	le16(b + 0x206, p->version);
	le16(b + 0x20e, 0x1234); /* kernel_version: checked in the copy */
	b[0x211] = p->loadflags;
	le32(b + 0x214, 0x100000);
	le32(b + 0x22c, p->initrd_max);
	le32(b + 0x230, p->align);
	b[0x234] = p->reloc;
	b[0x235] = 21;
	le16(b + 0x236, p->xlf);
	le32(b + 0x238, p->cmdline_size);
	if (p->version >= 0x020a) {
		le64(b + 0x258, p->pref);
		le32(b + 0x260, p->init_size);
		le32(b + 0x264, 0xdeadbeef); /* handover_offset */
	}
	b[0x26c] = 0x5a; /* past the header: must not be copied */
	return b;
}

static uint8_t *bz_default_image(size_t *len)
{
	struct bzp p = bz_defaults();

	return test_bz_build(&p, len);
}

/* Standard 64 MiB guest with ACPI tables at 0xE0000. */
static void guest64(struct gram *g)
{
	struct acpi_build_config cfg;

	gram_init(g, 0xaa);
	gram_default(g, 64 * MiB);
	acpi_build_default_config(&cfg, 2);
	CU_ASSERT_FATAL(acpi_build_tables(&gram_ops, g, &cfg, NULL) == 0);
	g->env.rsdp_gpa = ACPI_BUILD_RSDP_GPA;
}

static int load(struct gram *g, const uint8_t *img, size_t len,
		const void *initrd, size_t ilen, const char *cmdline,
		struct guest_boot_state *bs)
{
	struct loader_linux_args a = {
		.kernel = img,
		.kernel_len = len,
		.initrd = initrd,
		.initrd_len = ilen,
		.cmdline = cmdline,
	};

	return loader_linux_load(&g->env, &a, bs);
}

static void test_basic(void)
{
	static const char cmdline[] = "console=ttyS0 rdinit=/init";
	struct guest_boot_state bs;
	struct gram g;
	size_t len, ilen = 10000, i;
	uint8_t *img = bz_default_image(&len), *initrd = malloc(ilen);
	uint64_t zp, rd, e;
	static const uint64_t e820[][3] = {
		{ 0, 0xa0000, 1 },	   { 0xe0000, 0x20000, 2 },
		{ 0x100000, 63 * MiB, 1 }, { 0xfec00000, 0x1000, 2 },
		{ 0xfee00000, 0x1000, 2 },
	};

	for (i = 0; i < ilen; i++)
		initrd[i] = (uint8_t)(i ^ 0x5c);
	guest64(&g);
	CU_ASSERT_EQUAL_FATAL(load(&g, img, len, initrd, ilen, cmdline, &bs),
			      0);
	CU_ASSERT_PTR_NULL(bs.error);

	/* Placement: kernel at pref_address, low pages from 0x1000 on. */
	CU_ASSERT_EQUAL(bs.placed.kind, LOADER_KIND_LINUX);
	CU_ASSERT_EQUAL(bs.placed.protocol, 0x020f);
	CU_ASSERT_EQUAL(bs.placed.kernel_gpa, 0x1000000);
	CU_ASSERT_EQUAL(bs.placed.kernel_size, 0x100000);
	CU_ASSERT_EQUAL(bs.placed.gdt_gpa, 0x1000);
	CU_ASSERT_EQUAL(bs.placed.info_gpa, 0x2000);
	CU_ASSERT_EQUAL(bs.placed.cmdline_gpa, 0x3000);
	rd = (64 * MiB - ilen) & ~0xfffull;
	CU_ASSERT_EQUAL(bs.placed.initrd_gpa, rd);
	CU_ASSERT_EQUAL(bs.placed.initrd_size, ilen);
	CU_ASSERT_EQUAL(bs.placed.nr_map, 5);

	/* Entry state (boot.rst, 32-bit boot protocol). */
	zp = bs.placed.info_gpa;
	CU_ASSERT_EQUAL(bs.mode, GUEST_BOOT_MODE_PROT32);
	CU_ASSERT_EQUAL(bs.rip, 0x1000000);
	CU_ASSERT_EQUAL(bs.rsi, zp);
	CU_ASSERT_EQUAL(bs.rbx, 0);
	CU_ASSERT_EQUAL(bs.rdi, 0);
	CU_ASSERT_EQUAL(bs.rbp, 0);
	CU_ASSERT_EQUAL(bs.rflags & (1u << 9), 0); /* IF */
	CU_ASSERT_EQUAL(bs.cr0 & 0x80000001u, 1); /* PE, no PG */
	CU_ASSERT_EQUAL(bs.cs.sel, 0x10);
	CU_ASSERT_EQUAL(bs.ds.sel, 0x18);
	CU_ASSERT_EQUAL(bs.es.sel, 0x18);
	CU_ASSERT_EQUAL(bs.ss.sel, 0x18);
	CU_ASSERT_EQUAL(bs.cs.limit, 0xffffffffu);
	CU_ASSERT_EQUAL(bs.cs.base, 0);
	CU_ASSERT_EQUAL(bs.cs.attr, 0xc9b);
	CU_ASSERT_EQUAL(bs.ds.attr, 0xc93);
	CU_ASSERT_EQUAL(loader_seg_attr_vmx(bs.cs.attr), 0xc09b);
	CU_ASSERT_EQUAL(bs.gdtr.base, 0x1000);
	CU_ASSERT_EQUAL(bs.gdtr.limit, 31);
	CU_ASSERT_EQUAL(gram_rd64(&g, 0x1000 + 0x10), 0x00cf9b000000ffffull);
	CU_ASSERT_EQUAL(gram_rd64(&g, 0x1000 + 0x18), 0x00cf93000000ffffull);

	/* Images in place. */
	CU_ASSERT(memcmp(gram_ptr(&g, 0x1000000, 0x3000), img + 5 * 512,
			 0x3000) == 0);
	CU_ASSERT(memcmp(gram_ptr(&g, rd, ilen), initrd, ilen) == 0);
	CU_ASSERT(memcmp(gram_ptr(&g, 0x3000, sizeof(cmdline)), cmdline,
			 sizeof(cmdline)) == 0);

	/* Zero page: header copied to 0x26c, loader fields written. */
	CU_ASSERT(memcmp(gram_ptr(&g, zp + 0x1f1, 0x1f), img + 0x1f1, 0x1f) ==
		  0);
	CU_ASSERT_EQUAL(gram_rd16(&g, zp + 0x20e), 0x1234);
	CU_ASSERT_EQUAL(gram_rd32(&g, zp + 0x264), 0xdeadbeef);
	CU_ASSERT_EQUAL(gram_rd8(&g, zp + 0x26c), 0);
	CU_ASSERT_EQUAL(gram_rd8(&g, zp + 0x1ef), 0); /* sentinel */
	CU_ASSERT_EQUAL(gram_rd8(&g, zp + 0x000), 0); /* page cleared */
	CU_ASSERT_EQUAL(gram_rd8(&g, zp + 0xfff), 0);
	CU_ASSERT_EQUAL(gram_rd8(&g, zp + 0x210), 0xff);
	CU_ASSERT_EQUAL(gram_rd8(&g, zp + 0x211), 0x01);
	CU_ASSERT_EQUAL(gram_rd32(&g, zp + 0x214), 0x1000000);
	CU_ASSERT_EQUAL(gram_rd32(&g, zp + 0x218), rd);
	CU_ASSERT_EQUAL(gram_rd32(&g, zp + 0x21c), ilen);
	CU_ASSERT_EQUAL(gram_rd16(&g, zp + 0x224), 0);
	CU_ASSERT_EQUAL(gram_rd32(&g, zp + 0x228), 0x3000);
	CU_ASSERT_EQUAL(gram_rd32(&g, zp + 0x0c0), 0);
	CU_ASSERT_EQUAL(gram_rd32(&g, zp + 0x0c4), 0);
	CU_ASSERT_EQUAL(gram_rd32(&g, zp + 0x0c8), 0);
	CU_ASSERT_EQUAL(gram_rd64(&g, zp + 0x070), ACPI_BUILD_RSDP_GPA);
	CU_ASSERT_EQUAL(gram_rd8(&g, zp + 0x1e8), 5);
	for (i = 0; i < 5; i++) {
		e = zp + 0x2d0 + 20 * i;
		CU_ASSERT_EQUAL(gram_rd64(&g, e), e820[i][0]);
		CU_ASSERT_EQUAL(gram_rd64(&g, e + 8), e820[i][1]);
		CU_ASSERT_EQUAL(gram_rd32(&g, e + 16), e820[i][2]);
	}
	CU_ASSERT_EQUAL(gram_rd64(&g, zp + 0x2d0 + 20 * 5), 0);
	gram_free(&g);
	free(img);
	free(initrd);
}

/* Protocol 2.13: no acpi_rsdp_addr; no initrd and no command line. */
static void test_no_rsdp_before_214(void)
{
	struct bzp p = bz_defaults();
	struct guest_boot_state bs;
	struct gram g;
	size_t len;
	uint8_t *img;

	p.version = 0x020d;
	img = test_bz_build(&p, &len);
	guest64(&g);
	CU_ASSERT_EQUAL(load(&g, img, len, NULL, 0, NULL, &bs), 0);
	CU_ASSERT_EQUAL(gram_rd64(&g, bs.rsi + 0x070), 0);
	CU_ASSERT_EQUAL(gram_rd32(&g, bs.rsi + 0x218), 0);
	CU_ASSERT_EQUAL(gram_rd32(&g, bs.rsi + 0x21c), 0);
	CU_ASSERT_EQUAL(gram_rd8(&g, gram_rd32(&g, bs.rsi + 0x228)), 0);
	gram_free(&g);
	free(img);
}

/* setup_sects = 0 means 4: the kernel starts at 5 * 512. */
static void test_setup_sects_zero(void)
{
	struct bzp p = bz_defaults();
	struct guest_boot_state bs;
	struct gram g;
	size_t len;
	uint8_t *img;

	p.setup_sects = 0;
	img = test_bz_build(&p, &len);
	CU_ASSERT_EQUAL(len, 5 * 512 + p.payload);
	guest64(&g);
	CU_ASSERT_EQUAL(load(&g, img, len, NULL, 0, NULL, &bs), 0);
	CU_ASSERT(memcmp(gram_ptr(&g, bs.rip, p.payload), img + 5 * 512,
			 p.payload) == 0);
	gram_free(&g);
	free(img);

	/* And 10 sectors means 11 * 512. */
	p.setup_sects = 10;
	img = test_bz_build(&p, &len);
	guest64(&g);
	CU_ASSERT_EQUAL(load(&g, img, len, NULL, 0, NULL, &bs), 0);
	CU_ASSERT(memcmp(gram_ptr(&g, bs.rip, p.payload), img + 11 * 512,
			 p.payload) == 0);
	gram_free(&g);
	free(img);
}

/* pref_address taken: a relocatable kernel moves up by kernel_alignment. */
static void test_relocate(void)
{
	struct bzp p = bz_defaults();
	struct guest_boot_state bs;
	struct gram g;
	size_t len;
	uint8_t *img;

	img = test_bz_build(&p, &len);
	guest64(&g);
	gram_reserve(&g, 0x1080000, 0x1000, GUEST_MEM_RESERVED);
	CU_ASSERT_EQUAL(load(&g, img, len, NULL, 0, NULL, &bs), 0);
	CU_ASSERT_EQUAL(bs.rip, 0x1200000);
	CU_ASSERT_EQUAL(gram_rd32(&g, bs.rsi + 0x214), 0x1200000);
	gram_free(&g);
	free(img);

	/* Not relocatable: nowhere else to go. */
	p.reloc = 0;
	img = test_bz_build(&p, &len);
	guest64(&g);
	gram_reserve(&g, 0x1080000, 0x1000, GUEST_MEM_RESERVED);
	CU_ASSERT_EQUAL(load(&g, img, len, NULL, 0, NULL, &bs), -VMI_ENOMEM);
	CU_ASSERT_PTR_NOT_NULL(bs.error);
	gram_free(&g);
	free(img);
}

/* init_size does not fit in RAM from pref_address on. */
static void test_kernel_too_big(void)
{
	struct bzp p = bz_defaults();
	struct guest_boot_state bs;
	struct gram g;
	size_t len;
	uint8_t *img;

	p.init_size = 60 * MiB;
	img = test_bz_build(&p, &len);
	guest64(&g);
	CU_ASSERT_EQUAL(load(&g, img, len, NULL, 0, NULL, &bs), -VMI_ENOMEM);
	CU_ASSERT_STRING_EQUAL(bs.error, "no room for the kernel's init_size");
	gram_free(&g);
	free(img);
}

/* 2.06-2.09: no pref_address/init_size; loaded at 1 MiB. */
static void test_old_protocols(void)
{
	struct bzp p = bz_defaults();
	struct guest_boot_state bs;
	struct loader_linux_hdr h;
	struct gram g;
	size_t len;
	uint8_t *img;

	p.version = 0x0206;
	img = test_bz_build(&p, &len);
	CU_ASSERT_EQUAL(loader_linux_parse(img, len, &h, NULL), 0);
	CU_ASSERT_EQUAL(h.pref_address, 0x200000);
	CU_ASSERT_EQUAL(h.init_size, 4 * p.payload);
	CU_ASSERT_EQUAL(h.xloadflags, 0);
	guest64(&g);
	/* Relocatable: the first kernel_alignment boundary above 1 MiB. */
	CU_ASSERT_EQUAL(load(&g, img, len, NULL, 0, "x", &bs), 0);
	CU_ASSERT_EQUAL(bs.rip, 0x200000);
	CU_ASSERT_EQUAL(gram_rd64(&g, bs.rsi + 0x070), 0);
	free(img);
	p.reloc = 0;
	p.version = 0x0209;
	img = test_bz_build(&p, &len);
	CU_ASSERT_EQUAL(load(&g, img, len, NULL, 0, "x", &bs), 0);
	CU_ASSERT_EQUAL(bs.rip, 0x100000);
	gram_free(&g);
	free(img);

	p.version = 0x0205;
	img = test_bz_build(&p, &len);
	guest64(&g);
	CU_ASSERT_EQUAL(load(&g, img, len, NULL, 0, NULL, &bs),
			-VMI_EOPNOTSUPP);
	CU_ASSERT_STRING_EQUAL(bs.error, "Linux boot protocol older than 2.06");
	gram_free(&g);
	free(img);
}

static int parse_err(const uint8_t *img, size_t len)
{
	struct loader_linux_hdr h;
	const char *why = NULL;
	int ret = loader_linux_parse(img, len, &h, &why);

	if (ret)
		CU_ASSERT_PTR_NOT_NULL(why);
	return ret;
}

static void test_bad_headers(void)
{
	struct bzp p = bz_defaults();
	size_t len, setup = 5 * 512;
	uint8_t *img = test_bz_build(&p, &len);

	CU_ASSERT_EQUAL(parse_err(img, len), 0);
	/* Truncated before, inside the header, in the setup code, in the
	 * protected-mode kernel. */
	CU_ASSERT_EQUAL(parse_err(img, 0), -VMI_EINVAL);
	CU_ASSERT_EQUAL(parse_err(img, 0x100), -VMI_EINVAL);
	CU_ASSERT_EQUAL(parse_err(img, 0x207), -VMI_EINVAL);
	CU_ASSERT_EQUAL(parse_err(img, 0x250), -VMI_EINVAL);
	CU_ASSERT_EQUAL(parse_err(img, setup - 1), -VMI_EINVAL);
	CU_ASSERT_EQUAL(parse_err(img, len - 16), -VMI_EINVAL);
	CU_ASSERT_EQUAL(parse_err(NULL, len), -VMI_EINVAL);

	/* Magic numbers. */
	img[0x202] = 'h';
	CU_ASSERT_EQUAL(parse_err(img, len), -VMI_EINVAL);
	img[0x202] = 'H';
	img[0x1fe] = 0;
	CU_ASSERT_EQUAL(parse_err(img, len), -VMI_EINVAL);
	img[0x1fe] = 0x55;

	/* A 2.10 header whose jump says it ends before init_size. */
	img[0x201] = 0x50;
	CU_ASSERT_EQUAL(parse_err(img, len), -VMI_EINVAL);
	img[0x201] = 0x6a;

	/* zImage. */
	img[0x211] = 0;
	CU_ASSERT_EQUAL(parse_err(img, len), -VMI_EOPNOTSUPP);
	img[0x211] = 1;

	/* No protected-mode code. */
	le32(img + 0x1f4, 0);
	CU_ASSERT_EQUAL(parse_err(img, len), -VMI_EINVAL);
	le32(img + 0x1f4, 0xffffffff);
	CU_ASSERT_EQUAL(parse_err(img, len), -VMI_EINVAL);
	le32(img + 0x1f4, p.payload / 16);

	/* kernel_alignment not a power of two, pref_address off. */
	le32(img + 0x230, 0x300000);
	CU_ASSERT_EQUAL(parse_err(img, len), -VMI_EINVAL);
	le32(img + 0x230, 0x200000);
	le64(img + 0x258, 0x1100000);
	CU_ASSERT_EQUAL(parse_err(img, len), -VMI_EINVAL);
	le64(img + 0x258, 0x100000000ull);
	CU_ASSERT_EQUAL(parse_err(img, len), -VMI_EINVAL);
	le64(img + 0x258, 0x1000000);
	CU_ASSERT_EQUAL(parse_err(img, len), 0);
	free(img);
}

/* The load path reports parse errors with a reason, too. */
static void test_load_rejects(void)
{
	struct loader_linux_args a = { 0 };
	struct guest_boot_state bs;
	struct gram g;
	size_t len;
	uint8_t *img = bz_default_image(&len);

	guest64(&g);
	img[0x203] = 0;
	CU_ASSERT_EQUAL(load(&g, img, len, NULL, 0, NULL, &bs), -VMI_EINVAL);
	CU_ASSERT_STRING_EQUAL(bs.error, "not a bzImage (no HdrS / 0xAA55)");
	CU_ASSERT_EQUAL(loader_linux_load(&g.env, NULL, &bs), -VMI_EINVAL);
	CU_ASSERT_EQUAL(loader_linux_load(&g.env, &a, &bs), -VMI_EINVAL);
	a.kernel = img;
	a.kernel_len = len;
	a.initrd_len = 5;
	CU_ASSERT_EQUAL(loader_linux_load(&g.env, &a, &bs), -VMI_EINVAL);
	gram_free(&g);
	free(img);
}

static void test_initrd_placement(void)
{
	struct bzp p = bz_defaults();
	struct guest_boot_state bs;
	struct gram g;
	size_t len, ilen = 3 * MiB;
	uint8_t *img, *initrd = calloc(1, ilen);

	/* Highest under initrd_addr_max (the last byte it may use). */
	p.initrd_max = 32 * MiB - 1;
	img = test_bz_build(&p, &len);
	guest64(&g);
	CU_ASSERT_EQUAL(load(&g, img, len, initrd, ilen, NULL, &bs), 0);
	CU_ASSERT_EQUAL(bs.placed.initrd_gpa, 29 * MiB);
	gram_free(&g);

	/* Too large for the guest. */
	guest64(&g);
	CU_ASSERT_EQUAL(load(&g, img, len, initrd, 80 * MiB, NULL, &bs),
			-VMI_ENOMEM);
	CU_ASSERT_STRING_EQUAL(bs.error, "initrd does not fit in guest RAM");
	gram_free(&g);
	free(img);

	/* Not below initrd_addr_max: above 4 GiB only with the XLF bit. */
	p.initrd_max = 2 * MiB - 1;
	img = test_bz_build(&p, &len);
	guest64(&g);
	gram_add(&g, 0x100000000ull, 16 * MiB);
	CU_ASSERT_EQUAL(load(&g, img, len, initrd, ilen, NULL, &bs), 0);
	CU_ASSERT_EQUAL(bs.placed.initrd_gpa, 0x100000000ull + 13 * MiB);
	CU_ASSERT_EQUAL(gram_rd32(&g, bs.rsi + 0x218), 13 * MiB);
	CU_ASSERT_EQUAL(gram_rd32(&g, bs.rsi + 0x0c0), 1);
	CU_ASSERT_EQUAL(gram_rd32(&g, bs.rsi + 0x21c), ilen);
	CU_ASSERT_EQUAL(gram_rd32(&g, bs.rsi + 0x0c4), 0);
	CU_ASSERT_EQUAL(bs.placed.nr_map, 6);
	gram_free(&g);
	free(img);

	p.xlf = 0x01;
	img = test_bz_build(&p, &len);
	guest64(&g);
	gram_add(&g, 0x100000000ull, 16 * MiB);
	CU_ASSERT_EQUAL(load(&g, img, len, initrd, ilen, NULL, &bs),
			-VMI_ENOMEM);
	gram_free(&g);
	free(img);
	free(initrd);
}

static void test_cmdline_size(void)
{
	struct bzp p = bz_defaults();
	struct guest_boot_state bs;
	struct gram g;
	char cl[40];
	size_t len;
	uint8_t *img;

	p.cmdline_size = 16;
	img = test_bz_build(&p, &len);
	memset(cl, 'a', sizeof(cl));
	cl[16] = 0;
	guest64(&g);
	CU_ASSERT_EQUAL(load(&g, img, len, NULL, 0, cl, &bs), 0);
	CU_ASSERT_EQUAL(gram_rd8(&g, bs.placed.cmdline_gpa + 15), 'a');
	CU_ASSERT_EQUAL(gram_rd8(&g, bs.placed.cmdline_gpa + 16), 0);
	cl[16] = 'a';
	cl[17] = 0;
	CU_ASSERT_EQUAL(load(&g, img, len, NULL, 0, cl, &bs), -VMI_E2BIG);
	gram_free(&g);
	free(img);
}

static void test_too_many_e820(void)
{
	struct guest_boot_state bs;
	struct gram g;
	size_t len;
	uint8_t *img = bz_default_image(&len);
	int i;

	guest64(&g);
	/* 5 entries + 2 per window inside RAM: 61 windows give 127. */
	for (i = 0; i < 61; i++)
		gram_reserve(&g, 40 * MiB + 0x2000 * (uint64_t)i, 0x1000,
			     GUEST_MEM_RESERVED);
	CU_ASSERT_EQUAL(load(&g, img, len, NULL, 0, NULL, &bs), 0);
	CU_ASSERT_EQUAL(bs.placed.nr_map, 127);
	CU_ASSERT_EQUAL(gram_rd8(&g, bs.rsi + 0x1e8), 127);
	/* One at the end of RAM adds one entry: exactly 128 fit. */
	gram_reserve(&g, 64 * MiB - 0x1000, 0x1000, GUEST_MEM_ACPI);
	CU_ASSERT_EQUAL(load(&g, img, len, NULL, 0, NULL, &bs), 0);
	CU_ASSERT_EQUAL(bs.placed.nr_map, 128);
	CU_ASSERT_EQUAL(gram_rd32(&g, bs.rsi + 0x2d0 + 20 * 127 + 16), 2);
	CU_ASSERT_EQUAL(gram_rd32(&g, bs.rsi + 0x2d0 + 20 * 125 + 16),
			GUEST_MEM_ACPI);
	gram_reserve(&g, 38 * MiB, 0x1000, GUEST_MEM_RESERVED);
	CU_ASSERT_EQUAL(load(&g, img, len, NULL, 0, NULL, &bs), -VMI_E2BIG);
	CU_ASSERT_STRING_EQUAL(bs.error, "too many E820 entries");
	gram_free(&g);
	free(img);
}

/* Every failing guest write is reported, whichever it is. */
static void test_write_faults(void)
{
	struct guest_boot_state bs;
	struct gram g;
	size_t len;
	uint8_t *img = bz_default_image(&len), initrd[100] = { 1 };
	long n;
	int ret;

	guest64(&g);
	for (n = 0;; n++) {
		g.writes = 0;
		g.fail_at = n;
		ret = load(&g, img, len, initrd, sizeof(initrd), "c", &bs);
		if (ret == 0)
			break;
		CU_ASSERT_EQUAL(ret, -VMI_EFAULT);
		CU_ASSERT_PTR_NOT_NULL(bs.error);
	}
	CU_ASSERT(n > 10);
	gram_free(&g);
	free(img);
}

/* Random header corruption: never a crash or an out-of-bounds read. */
static void test_fuzz_header(void)
{
	struct guest_boot_state bs;
	struct gram g;
	size_t len, cut;
	uint8_t *img = bz_default_image(&len), *copy = malloc(len);
	unsigned int seed = 12345, i, k;
	int ok = 0;

	guest64(&g);
	for (i = 0; i < 3000; i++) {
		memcpy(copy, img, len);
		for (k = 0; k < 4; k++) {
			seed = seed * 1103515245 + 12345;
			copy[0x1f1 + (seed >> 8) % 0x80] =
				(uint8_t)(seed >> 20);
		}
		seed = seed * 1103515245 + 12345;
		cut = (seed >> 4) % 8 ? len : (seed >> 8) % len;
		/* An exact-size heap copy so ASan sees any overrun. */
		{
			uint8_t *exact = malloc(cut ? cut : 1);

			memcpy(exact, copy, cut);
			if (load(&g, exact, cut, "abc", 3, "c", &bs) == 0)
				ok++;
			else
				CU_ASSERT_PTR_NOT_NULL(bs.error);
			free(exact);
		}
	}
	CU_ASSERT(ok > 0);
	gram_free(&g);
	free(copy);
	free(img);
}

static void test_probe(void)
{
	size_t len;
	uint8_t *img = bz_default_image(&len);

	CU_ASSERT_EQUAL(loader_probe(img, len), LOADER_KIND_LINUX);
	img[0x206] = 0x01; /* protocol 2.01: still a Linux kernel */
	CU_ASSERT_EQUAL(loader_probe(img, len), LOADER_KIND_LINUX);
	CU_ASSERT_EQUAL(loader_probe(img, 0x100), -VMI_EINVAL);
	CU_ASSERT_EQUAL(loader_probe(NULL, 0), -VMI_EINVAL);
	free(img);
}

void loader_linux_tests(void)
{
	CU_pSuite s = CU_add_suite("loader-linux", NULL, NULL);

	CU_add_test(s, "basic load and zero page", test_basic);
	CU_add_test(s, "no acpi_rsdp_addr before 2.14",
		    test_no_rsdp_before_214);
	CU_add_test(s, "setup_sects 0 means 4", test_setup_sects_zero);
	CU_add_test(s, "relocation", test_relocate);
	CU_add_test(s, "kernel does not fit", test_kernel_too_big);
	CU_add_test(s, "protocols 2.05 / 2.06", test_old_protocols);
	CU_add_test(s, "bad and truncated headers", test_bad_headers);
	CU_add_test(s, "load rejects", test_load_rejects);
	CU_add_test(s, "initrd placement", test_initrd_placement);
	CU_add_test(s, "cmdline_size", test_cmdline_size);
	CU_add_test(s, "too many e820 entries", test_too_many_e820);
	CU_add_test(s, "guest write faults", test_write_faults);
	CU_add_test(s, "header fuzz", test_fuzz_header);
	CU_add_test(s, "probe", test_probe);
}
