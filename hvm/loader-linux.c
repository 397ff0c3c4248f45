/*
 * loader-linux.c - load a bzImage for the Linux x86 32-bit boot protocol.
 *
 * Reference: Documentation/arch/x86/boot.rst in the Linux tree ("THE
 * REAL-MODE KERNEL HEADER", "DETAILS OF HEADER FIELDS", "32-bit BOOT
 * PROTOCOL") and Documentation/arch/x86/zero-page.rst for struct
 * boot_params.  The real-mode setup code is never run: the loader fills the
 * zero page itself and enters the protected-mode kernel directly, so the
 * setup heap (heap_end_ptr, CAN_USE_HEAP) does not apply.
 *
 * Offsets are spelled out here rather than taken from Linux headers.  The
 * setup header sits at the same offsets in the image's boot sector and in
 * struct boot_params.
 */
#include "loader-private.h"

/* Setup header (boot.rst, "THE REAL-MODE KERNEL HEADER"). */
#define SH_START 0x1f1 /* first byte copied into boot_params */
#define SH_SETUP_SECTS 0x1f1 /* u8, 0 means 4 */
#define SH_SYSSIZE 0x1f4 /* u32, 16-byte paragraphs, 2.04+ */
#define SH_BOOT_FLAG 0x1fe /* u16, 0xAA55 */
#define SH_JUMP 0x200 /* u16: jmp rel8; the rel8 gives the header end */
#define SH_HEADER 0x202 /* u32, "HdrS" */
#define SH_VERSION 0x206 /* u16 */
#define SH_TYPE_OF_LOADER 0x210 /* u8, write */
#define SH_LOADFLAGS 0x211 /* u8, modify */
#define SH_CODE32_START 0x214 /* u32, modify */
#define SH_RAMDISK_IMAGE 0x218 /* u32, write */
#define SH_RAMDISK_SIZE 0x21c /* u32, write */
#define SH_HEAP_END_PTR 0x224 /* u16, write */
#define SH_CMD_LINE_PTR 0x228 /* u32, write, 2.02+ */
#define SH_INITRD_ADDR_MAX 0x22c /* u32, 2.03+ */
#define SH_KERNEL_ALIGNMENT 0x230 /* u32, 2.05+ */
#define SH_RELOCATABLE 0x234 /* u8, 2.05+ */
#define SH_XLOADFLAGS 0x236 /* u16, 2.12+ */
#define SH_CMDLINE_SIZE 0x238 /* u32, 2.06+ */
#define SH_PREF_ADDRESS 0x258 /* u64, 2.10+ */
#define SH_INIT_SIZE 0x260 /* u32, 2.10+ */
#define SH_END_MAX 0x290 /* boot_params.hdr ends before edd_mbr_sig_buffer */

#define SH_MAGIC 0x53726448u /* "HdrS" */
#define SH_BOOT_FLAG_MAGIC 0xaa55

#define LOADED_HIGH (1u << 0)
#define KEEP_SEGMENTS (1u << 6)
#define CAN_USE_HEAP (1u << 7)
#define XLF_CAN_BE_LOADED_ABOVE_4G (1u << 1)

#define TYPE_OF_LOADER_UNDEFINED 0xff

/* struct boot_params (zero-page.rst). */
#define BP_SIZE 0x1000
#define BP_ACPI_RSDP_ADDR 0x070 /* u64, 2.14+ */
#define BP_EXT_RAMDISK_IMAGE 0x0c0 /* u32 */
#define BP_EXT_RAMDISK_SIZE 0x0c4 /* u32 */
#define BP_EXT_CMD_LINE_PTR 0x0c8 /* u32 */
#define BP_E820_ENTRIES 0x1e8 /* u8 */
#define BP_SENTINEL 0x1ef /* u8, must stay 0 */
#define BP_E820_TABLE 0x2d0 /* struct boot_e820_entry[128] */
#define BP_E820_TABLE_END 0xcd0 /* followed by padding up to eddbuf */
#define BP_EDDBUF 0xd00
#define E820_ENTRY_SIZE 20 /* u64 addr, u64 size, u32 type, packed */

_Static_assert(SH_START > BP_SENTINEL && SH_START > BP_E820_ENTRIES,
	       "setup header follows the zero-page scalars");
_Static_assert(SH_INIT_SIZE + 4 <= SH_END_MAX, "init_size inside hdr");
_Static_assert(SH_END_MAX <= BP_E820_TABLE, "hdr ends before e820 table");
_Static_assert(BP_E820_TABLE + LOADER_E820_MAX * E820_ENTRY_SIZE ==
		       BP_E820_TABLE_END,
	       "e820_table is 128 entries of 20 bytes");
_Static_assert(BP_E820_TABLE_END <= BP_EDDBUF, "e820_table before eddbuf");
_Static_assert(BP_EXT_CMD_LINE_PTR + 4 <= SH_START, "ext fields before hdr");
_Static_assert(BP_EDDBUF < BP_SIZE, "zero page is one page");

#define PROTO_MIN 0x0206 /* cmdline_size, the last field we must have */
#define PROTO_PREF_INIT 0x020a /* pref_address, init_size, min_alignment */
#define PROTO_XLOADFLAGS 0x020c
#define PROTO_RSDP 0x020e /* boot_params.acpi_rsdp_addr */
#define PROTO_PRE_210_LOAD 0x100000ull /* LOADED_HIGH address before 2.10 */

static int parse_fail(const char **why, const char *msg, int err)
{
	if (why)
		*why = msg;
	return err;
}

int loader_linux_parse(const void *image, size_t len,
		       struct loader_linux_hdr *hdr, const char **why)
{
	const uint8_t *p = image;
	uint64_t payload, init_size;
	uint32_t need;
	uint8_t sects;

	memset(hdr, 0, sizeof(*hdr));
	if (!p || len < SH_VERSION + 2)
		return parse_fail(why,
				  "bzImage truncated before the setup header",
				  -VMI_EINVAL);
	if (loader_le16(p + SH_BOOT_FLAG) != SH_BOOT_FLAG_MAGIC ||
	    loader_le32(p + SH_HEADER) != SH_MAGIC)
		return parse_fail(why, "not a bzImage (no HdrS / 0xAA55)",
				  -VMI_EINVAL);
	hdr->version = loader_le16(p + SH_VERSION);
	if (hdr->version < PROTO_MIN)
		return parse_fail(why, "Linux boot protocol older than 2.06",
				  -VMI_EOPNOTSUPP);

	/* boot.rst: the header ends at 0x202 + the byte at 0x201. */
	hdr->hdr_end = SH_HEADER + p[SH_JUMP + 1];
	if (hdr->hdr_end > SH_END_MAX)
		hdr->hdr_end = SH_END_MAX;
	need = hdr->version >= PROTO_PREF_INIT ? SH_INIT_SIZE + 4
					       : SH_CMDLINE_SIZE + 4;
	if (hdr->hdr_end < need)
		return parse_fail(why, "setup header shorter than its version",
				  -VMI_EINVAL);
	if (len < hdr->hdr_end)
		return parse_fail(why, "bzImage truncated in the setup header",
				  -VMI_EINVAL);

	sects = p[SH_SETUP_SECTS];
	hdr->setup_sects = sects ? sects : 4;
	hdr->setup_size = (hdr->setup_sects + 1u) * 512u;
	hdr->loadflags = p[SH_LOADFLAGS];
	hdr->relocatable = p[SH_RELOCATABLE];
	hdr->kernel_alignment = loader_le32(p + SH_KERNEL_ALIGNMENT);
	hdr->cmdline_size = loader_le32(p + SH_CMDLINE_SIZE);
	hdr->initrd_addr_max = loader_le32(p + SH_INITRD_ADDR_MAX);
	if (hdr->version >= PROTO_XLOADFLAGS)
		hdr->xloadflags = loader_le16(p + SH_XLOADFLAGS);

	if (hdr->setup_size < hdr->hdr_end || hdr->setup_size > len)
		return parse_fail(why, "bzImage truncated in the setup code",
				  -VMI_EINVAL);
	if (!(hdr->loadflags & LOADED_HIGH))
		return parse_fail(why, "zImage (not LOADED_HIGH) unsupported",
				  -VMI_EOPNOTSUPP);

	payload = (uint64_t)loader_le32(p + SH_SYSSIZE) * 16;
	if (payload == 0)
		return parse_fail(why, "bzImage has no protected-mode kernel",
				  -VMI_EINVAL);
	if (payload > len - hdr->setup_size || payload > UINT32_MAX)
		return parse_fail(why, "bzImage shorter than syssize says",
				  -VMI_EINVAL);
	hdr->payload_size = (uint32_t)payload;

	if (hdr->relocatable &&
	    (hdr->kernel_alignment < LOADER_PAGE_SIZE ||
	     (hdr->kernel_alignment & (hdr->kernel_alignment - 1))))
		return parse_fail(why, "kernel_alignment not a power of two",
				  -VMI_EINVAL);

	if (hdr->version >= PROTO_PREF_INIT) {
		hdr->pref_address = loader_le64(p + SH_PREF_ADDRESS);
		init_size = loader_le32(p + SH_INIT_SIZE);
	} else {
		/*
		 * Before 2.10 there is no pref_address: the bzImage default
		 * of 1 MiB, rounded up to kernel_alignment for a relocatable
		 * kernel.  No init_size either: assume the kernel
		 * decompresses into four times its compressed size (a
		 * heuristic).
		 */
		hdr->pref_address = PROTO_PRE_210_LOAD;
		if (hdr->relocatable)
			hdr->pref_address = loader_align_up(
				PROTO_PRE_210_LOAD, hdr->kernel_alignment);
		init_size = payload * 4;
	}
	if (init_size < payload)
		init_size = payload;
	if (init_size > UINT32_MAX)
		return parse_fail(why, "kernel too large", -VMI_EINVAL);
	hdr->init_size = (uint32_t)init_size;
	if (hdr->pref_address < LOADER_1M || hdr->pref_address >= LOADER_4G ||
	    (hdr->relocatable &&
	     (hdr->pref_address & (hdr->kernel_alignment - 1))))
		return parse_fail(why, "bad pref_address", -VMI_EINVAL);
	return 0;
}

/*
 * Where the protected-mode kernel goes.  A relocatable kernel whose
 * aligned load address is below LOAD_PHYSICAL_ADDR (= pref_address)
 * decompresses at LOAD_PHYSICAL_ADDR anyway (startup_32 in
 * arch/x86/boot/compressed/head_64.S compares against it), so loading it
 * lower would not spare [pref_address, +init_size): the search therefore
 * starts at pref_address, which is itself above 1 MiB.
 */
static int place_kernel(struct loader_ctx *lc,
			const struct loader_linux_hdr *hdr, uint64_t *gpa)
{
	uint64_t base = hdr->pref_address, room = hdr->init_size;
	int ret;

	if (loader_in_ram(lc->env, base, room) && base + room <= LOADER_4G &&
	    !loader_hits_reserved(lc->env, base, room) &&
	    !loader_hits_used(lc, base, room)) {
		*gpa = base;
		return loader_claim(lc, base, room);
	}
	if (!hdr->relocatable)
		return loader_fail(lc, -VMI_ENOMEM,
				   "no room for the kernel at pref_address");
	/* boot.rst, "32-bit BOOT PROTOCOL": paging is off, so below 4 GiB. */
	ret = loader_alloc(lc, room, hdr->kernel_alignment, base, LOADER_4G,
			   false, gpa);
	if (ret)
		return loader_fail(lc, ret,
				   "no room for the kernel's init_size");
	return 0;
}

/* Below 1 MiB if possible (a page of its own), else anywhere 32-bit. */
static int alloc_low(struct loader_ctx *lc, uint64_t size, uint64_t *gpa)
{
	int ret;

	ret = loader_alloc(lc, size, LOADER_PAGE_SIZE, LOADER_PAGE_SIZE,
			   LOADER_1M, false, gpa);
	if (ret == -VMI_ENOMEM)
		ret = loader_alloc(lc, size, LOADER_PAGE_SIZE, LOADER_1M,
				   LOADER_4G, false, gpa);
	return ret;
}

/*
 * The initrd goes as high as initrd_addr_max (the highest byte it may
 * occupy) and RAM allow; above 4 GiB only if the kernel says it copes
 * (XLF_CAN_BE_LOADED_ABOVE_4G) and nothing fits below.
 */
static int place_initrd(struct loader_ctx *lc,
			const struct loader_linux_hdr *hdr, uint64_t size,
			uint64_t *gpa)
{
	uint64_t limit = (uint64_t)hdr->initrd_addr_max + 1;
	int ret;

	if (limit > LOADER_4G)
		limit = LOADER_4G;
	ret = loader_alloc(lc, size, LOADER_PAGE_SIZE, LOADER_1M, limit, true,
			   gpa);
	if (ret == -VMI_ENOMEM &&
	    (hdr->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G))
		ret = loader_alloc(lc, size, LOADER_PAGE_SIZE, LOADER_4G,
				   GUEST_MEM_MAX_GPA, true, gpa);
	if (ret)
		return loader_fail(lc, ret, "initrd does not fit in guest RAM");
	return 0;
}

struct e820_writer {
	struct loader_ctx *lc;
	uint64_t table;
	unsigned int n;
};

static int e820_emit(void *arg, uint64_t base, uint64_t len, uint32_t type)
{
	struct e820_writer *w = arg;
	uint64_t e = w->table + (uint64_t)w->n * E820_ENTRY_SIZE;
	int ret;

	if (w->n == LOADER_E820_MAX)
		return loader_fail(w->lc, -VMI_E2BIG, "too many E820 entries");
	ret = loader_put64(w->lc, e, base);
	if (!ret)
		ret = loader_put64(w->lc, e + 8, len);
	if (!ret)
		ret = loader_put32(w->lc, e + 16, type);
	if (!ret)
		w->n++;
	return ret;
}

/*
 * The zero page: cleared, the image's setup header copied in at 0x1f1
 * (boot.rst, "32-bit BOOT PROTOCOL"), then the fields a boot loader
 * writes.
 */
static int write_zero_page(struct loader_ctx *lc, const uint8_t *image,
			   const struct loader_linux_hdr *hdr, uint64_t zp)
{
	const struct loader_placement *pl = &lc->bs->placed;
	struct e820_writer w = { lc, zp + BP_E820_TABLE, 0 };
	uint8_t loadflags;
	int ret;

	ret = loader_zero(lc, zp, BP_SIZE);
	if (!ret)
		ret = loader_write(lc, zp + SH_START, image + SH_START,
				   hdr->hdr_end - SH_START);
	if (ret)
		return ret;

	loadflags = (hdr->loadflags & ~(CAN_USE_HEAP | KEEP_SEGMENTS));
	ret = loader_put8(lc, zp + SH_TYPE_OF_LOADER, TYPE_OF_LOADER_UNDEFINED);
	if (!ret)
		ret = loader_put8(lc, zp + SH_LOADFLAGS, loadflags);
	if (!ret)
		ret = loader_put32(lc, zp + SH_CODE32_START,
				   (uint32_t)pl->kernel_gpa);
	if (!ret)
		ret = loader_put16(lc, zp + SH_HEAP_END_PTR, 0);
	if (!ret)
		ret = loader_put32(lc, zp + SH_RAMDISK_IMAGE,
				   (uint32_t)pl->initrd_gpa);
	if (!ret)
		ret = loader_put32(lc, zp + SH_RAMDISK_SIZE,
				   (uint32_t)pl->initrd_size);
	if (!ret)
		ret = loader_put32(lc, zp + BP_EXT_RAMDISK_IMAGE,
				   (uint32_t)(pl->initrd_gpa >> 32));
	if (!ret)
		ret = loader_put32(lc, zp + BP_EXT_RAMDISK_SIZE,
				   (uint32_t)(pl->initrd_size >> 32));
	if (!ret)
		ret = loader_put32(lc, zp + SH_CMD_LINE_PTR,
				   (uint32_t)pl->cmdline_gpa);
	if (!ret)
		ret = loader_put32(lc, zp + BP_EXT_CMD_LINE_PTR,
				   (uint32_t)(pl->cmdline_gpa >> 32));
	if (!ret && hdr->version >= PROTO_RSDP && lc->env->rsdp_gpa)
		ret = loader_put64(lc, zp + BP_ACPI_RSDP_ADDR,
				   lc->env->rsdp_gpa);
	if (ret)
		return ret;

	ret = loader_map_walk(lc->env, e820_emit, &w);
	if (ret < 0)
		return ret;
	lc->bs->placed.nr_map = w.n;
	return loader_put8(lc, zp + BP_E820_ENTRIES, (uint8_t)w.n);
}

int loader_linux_load(const struct loader_env *env,
		      const struct loader_linux_args *args,
		      struct guest_boot_state *bs)
{
	struct loader_linux_hdr hdr;
	struct loader_ctx lc;
	struct loader_placement *pl = &bs->placed;
	const uint8_t *image;
	const char *cmdline, *why = NULL;
	uint64_t kernel, zp, cl, rd = 0;
	size_t cl_len;
	int ret;

	ret = loader_ctx_init(&lc, env, bs, LOADER_KIND_LINUX);
	if (ret)
		return ret;
	if (!args || (args->initrd_len && !args->initrd))
		return loader_fail(&lc, -VMI_EINVAL, "bad loader arguments");
	image = args->kernel;
	ret = loader_linux_parse(image, args->kernel_len, &hdr, &why);
	if (ret)
		return loader_fail(&lc, ret, why);
	pl->protocol = hdr.version;

	cmdline = args->cmdline ? args->cmdline : "";
	cl_len = strnlen(cmdline, (size_t)hdr.cmdline_size + 1);
	if (cl_len > hdr.cmdline_size)
		return loader_fail(&lc, -VMI_E2BIG,
				   "command line longer than cmdline_size");

	ret = place_kernel(&lc, &hdr, &kernel);
	if (ret)
		return ret;
	pl->kernel_gpa = kernel;
	pl->kernel_size = hdr.init_size;
	ret = loader_write(&lc, kernel, image + hdr.setup_size,
			   hdr.payload_size);
	if (ret)
		return ret;

	/* boot.rst: EIP = start of the loaded protected-mode kernel. */
	ret = loader_enter_prot32(&lc, (uint32_t)kernel);
	if (ret)
		return ret;

	ret = alloc_low(&lc, BP_SIZE, &zp);
	if (ret)
		return loader_fail(&lc, ret, "no room for the zero page");
	ret = alloc_low(&lc, cl_len + 1, &cl);
	if (ret)
		return loader_fail(&lc, ret, "no room for the command line");
	ret = loader_write(&lc, cl, cmdline, cl_len);
	if (!ret)
		ret = loader_put8(&lc, cl + cl_len, 0);
	if (ret)
		return ret;
	pl->info_gpa = zp;
	pl->info_size = BP_SIZE;
	pl->cmdline_gpa = cl;

	if (args->initrd_len) {
		ret = place_initrd(&lc, &hdr, args->initrd_len, &rd);
		if (ret)
			return ret;
		ret = loader_write(&lc, rd, args->initrd, args->initrd_len);
		if (ret)
			return ret;
		pl->initrd_gpa = rd;
		pl->initrd_size = args->initrd_len;
	}

	ret = write_zero_page(&lc, image, &hdr, zp);
	if (ret)
		return ret;

	/* boot.rst, "32-bit BOOT PROTOCOL": ESI = zero page, EBP/EDI/EBX 0. */
	bs->rsi = zp;
	bs->rbp = 0;
	bs->rdi = 0;
	bs->rbx = 0;
	return 0;
}
