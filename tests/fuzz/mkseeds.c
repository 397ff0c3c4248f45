/*
 * mkseeds - write the seed corpus of a fuzz target: a few small valid
 * inputs, made at build time so no binary file lives in the tree.
 *     mkseeds TARGET DIR   (TARGET: bzimage, multiboot, elf, mgmt, agent)
 * The images follow the shapes of the loader unit tests
 * (tests/unit/loader/): Linux boot protocol 2.06 to 2.15 (boot.rst),
 * multiboot 0.6.96 ELF and a.out kludge, multiboot2 with info-request,
 * entry and address tags, ELF32 and ELF64 executables; for the
 * management targets, request sessions as tvctl sends them (see
 * fuzz_mgmt.c and fuzz_mgmt_agent.c for how each reads its input).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mgmt/proto.h>

static const char *dir;
static int nr_written;

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

static void emit(const char *name, const uint8_t *b, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(b, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
	nr_written++;
}

/* A bzImage: (setup_sects + 1) sectors of setup, then the payload. */
static void bzimage(const char *name, uint16_t version, uint8_t sects,
		    uint8_t reloc, uint64_t pref)
{
	size_t setup = ((sects ? sects : 4) + 1) * 512, len = setup + 0x1000;
	uint8_t *b = calloc(1, len);

	for (size_t i = setup; i < len; i++)
		b[i] = (uint8_t)(i * 7 + 3);
	b[0x1f1] = sects;
	le32(b + 0x1f4, 0x1000 / 16); /* syssize */
	le16(b + 0x1fa, 0xffff);
	le16(b + 0x1fe, 0xaa55);
	b[0x200] = 0xeb;
	b[0x201] = version >= 0x020a ? 0x6a : 0x3a;
	memcpy(b + 0x202, "HdrS", 4);
	le16(b + 0x206, version);
	b[0x211] = 0x01; /* LOADED_HIGH */
	le32(b + 0x214, 0x100000);
	le32(b + 0x22c, 0x7fffffff); /* initrd_addr_max */
	le32(b + 0x230, 0x200000); /* kernel_alignment */
	b[0x234] = reloc;
	le16(b + 0x236, 0x03);
	le32(b + 0x238, 255); /* cmdline_size */
	if (version >= 0x020a) {
		le64(b + 0x258, pref);
		le32(b + 0x260, 0x100000); /* init_size */
	}
	emit(name, b, len);
	free(b);
}

struct seg {
	uint64_t paddr, vaddr;
	uint32_t filesz, memsz;
};

#define HDR_AT 0x180 /* multiboot header, past the program headers */
#define DATA_AT 0x200 /* segment k's bytes at DATA_AT + 0x100 * k */

/* An ELF executable with n PT_LOAD segments (and a PT_NOTE first). */
static size_t elf(uint8_t *b, bool is64, const struct seg *s, int n,
		  uint64_t entry)
{
	int nph = n + 1;
	uint8_t *ph;

	memcpy(b, "\177ELF", 4);
	b[4] = is64 ? 2 : 1;
	b[5] = 1;
	b[6] = 1;
	le16(b + 16, 2); /* ET_EXEC */
	le16(b + 18, is64 ? 62 : 3);
	le32(b + 20, 1);
	if (is64) {
		le64(b + 24, entry);
		le64(b + 32, 64);
		le16(b + 52, 64);
		le16(b + 54, 56);
		le16(b + 56, (uint16_t)nph);
	} else {
		le32(b + 24, (uint32_t)entry);
		le32(b + 28, 52);
		le16(b + 40, 52);
		le16(b + 42, 32);
		le16(b + 44, (uint16_t)nph);
	}
	for (int k = 0; k < nph; k++) {
		const struct seg *g = k ? &s[k - 1] : NULL;
		uint32_t type = k ? 1 : 4; /* PT_LOAD, PT_NOTE */
		uint64_t off = DATA_AT + 0x100 * (uint64_t)(k ? k - 1 : 0);
		uint64_t pa = g ? g->paddr : 0, va = g ? g->vaddr : 0;
		uint64_t fs = g ? g->filesz : 0x10, ms = g ? g->memsz : 0;

		ph = is64 ? b + 64 + 56 * k : b + 52 + 32 * k;
		le32(ph, type);
		if (is64) {
			le64(ph + 8, off);
			le64(ph + 16, va);
			le64(ph + 24, pa);
			le64(ph + 32, fs);
			le64(ph + 40, ms);
		} else {
			le32(ph + 4, (uint32_t)off);
			le32(ph + 8, (uint32_t)va);
			le32(ph + 12, (uint32_t)pa);
			le32(ph + 16, (uint32_t)fs);
			le32(ph + 20, (uint32_t)ms);
		}
		for (uint32_t i = 0; g && i < g->filesz && i < 0x100; i++)
			b[off + i] = (uint8_t)(k * 31 + i * 3 + 1);
	}
	return DATA_AT + 0x100 * (size_t)n;
}

static const struct seg elf32_segs[] = {
	{ 0x100000, 0xc0100000, 0x80, 0x1800 },
	{ 0x200000, 0xc0200000, 0x40, 0x40 },
};
static const struct seg elf64_segs[] = {
	{ 0x100000, 0xffffffff80100000ull, 0x100, 0x3000 },
	{ 0x400000, 0xffffffff80400000ull, 0x20, 0x20 },
};

static void mb1(uint8_t *h, uint32_t flags)
{
	le32(h, 0x1BADB002u);
	le32(h + 4, flags);
	le32(h + 8, 0u - 0x1BADB002u - flags);
}

/* Multiboot2 header of the given tags (type, words...) and an end tag. */
struct mb2 {
	uint8_t *b;
	size_t len;
};

static void mb2_tag(struct mb2 *h, uint16_t type, const uint32_t *w, int n)
{
	uint8_t *t = h->b + h->len;

	le16(t, type);
	le16(t + 2, 0);
	le32(t + 4, 8 + 4 * (uint32_t)n);
	for (int i = 0; i < n; i++)
		le32(t + 8 + 4 * i, w[i]);
	h->len += (8 + 4 * (size_t)n + 7) & ~(size_t)7;
}

static void mb2_end(struct mb2 *h)
{
	mb2_tag(h, 0, NULL, 0);
	le32(h->b, 0xE85250D6u);
	le32(h->b + 4, 0);
	le32(h->b + 8, (uint32_t)h->len);
	le32(h->b + 12, 0u - 0xE85250D6u - (uint32_t)h->len);
}

static void seeds_multiboot(void)
{
	static const uint32_t req[] = { 1, 4, 6, 14, 15 };
	uint8_t b[0x1000];
	struct mb2 h;
	size_t len;

	memset(b, 0, sizeof(b));
	len = elf(b, false, elf32_segs, 2, 0xc0100010);
	mb1(b + HDR_AT, 0x3); /* page align, meminfo */
	emit("mb1-elf32", b, len);

	/* a.out kludge: the file from 0 loads at 1 MiB, bss after it. */
	memset(b, 0, sizeof(b));
	mb1(b + HDR_AT, 0x10003);
	le32(b + HDR_AT + 12, 0x100000 + HDR_AT); /* header_addr */
	le32(b + HDR_AT + 16, 0x100000); /* load_addr */
	le32(b + HDR_AT + 20, 0x100400); /* load_end_addr */
	le32(b + HDR_AT + 24, 0x102000); /* bss_end_addr */
	le32(b + HDR_AT + 28, 0x100200); /* entry_addr */
	emit("mb1-aout", b, 0x400);

	memset(b, 0, sizeof(b));
	len = elf(b, true, elf64_segs, 2, 0xffffffff80100020ull);
	h = (struct mb2){ b + HDR_AT, 16 };
	mb2_tag(&h, 1, req, 5); /* information request */
	mb2_tag(&h, 3, (const uint32_t[]){ 0x100040 }, 1); /* entry */
	mb2_tag(&h, 6, NULL, 0); /* module alignment */
	mb2_tag(&h, 4, (const uint32_t[]){ 0 }, 1); /* console flags */
	mb2_end(&h);
	emit("mb2-elf64", b, len);

	/* Address tag: load_addr -1 means "from the file's start". */
	memset(b, 0, sizeof(b));
	h = (struct mb2){ b + HDR_AT, 16 };
	mb2_tag(&h, 2,
		(const uint32_t[]){ 0x200000 + HDR_AT, 0xffffffffu, 0, 0x204000 },
		4);
	mb2_tag(&h, 3, (const uint32_t[]){ 0x200300 }, 1);
	mb2_end(&h);
	emit("mb2-address", b, 0x400);

	/* Both headers: AUTO takes v2, V1 the other. */
	memset(b, 0, sizeof(b));
	len = elf(b, false, elf32_segs, 2, 0xc0100010);
	h = (struct mb2){ b + HDR_AT, 16 };
	mb2_end(&h);
	mb1(b + HDR_AT + 0x20, 0);
	emit("mb-both", b, len);
}

static void seeds_elf(void)
{
	static const struct seg bss_only[] = {
		{ 0x300000, 0x300000, 0, 0x4000 },
		{ 0x100000, 0x100000, 0x100, 0x100 },
	};
	uint8_t b[0x1000];
	size_t len;

	memset(b, 0, sizeof(b));
	len = elf(b, false, elf32_segs, 2, 0xc0100010);
	emit("elf32", b, len);
	memset(b, 0, sizeof(b));
	len = elf(b, true, elf64_segs, 2, 0xffffffff80100020ull);
	emit("elf64", b, len);
	memset(b, 0, sizeof(b));
	len = elf(b, false, bss_only, 2, 0x100010);
	emit("elf32-bss", b, len);
}

/* A management session: the script fuzz_mgmt_agent reads (opcodes 0-3). */
struct script {
	uint8_t b[32768];
	size_t len;
	struct mgmt_tlv_writer w;
	uint8_t pl[MGMT_MAX_PAYLOAD];
};

static struct mgmt_tlv_writer *rq(struct script *s)
{
	mgmt_tlv_init(&s->w, s->pl, sizeof(s->pl));
	return &s->w;
}

/* Opcode 0: the request in s->w as type. */
static void send_rq(struct script *s, uint8_t type)
{
	uint8_t *p = s->b + s->len;

	p[0] = 0;
	p[1] = type;
	p[2] = (uint8_t)s->w.len;
	p[3] = (uint8_t)(s->w.len >> 8);
	memcpy(p + 4, s->pl, s->w.len);
	s->len += 4 + s->w.len;
}

static void by_name(struct script *s, uint8_t type, const char *name)
{
	mgmt_tlv_put_str(rq(s), MGMT_F_NAME, name);
	send_rq(s, type);
}

static void op_raw(struct script *s, const void *p, uint8_t n)
{
	s->b[s->len++] = 1;
	s->b[s->len++] = n;
	memcpy(s->b + s->len, p, n);
	s->len += n;
}

static void op_quiet(struct script *s, uint8_t q)
{
	s->b[s->len++] = 2;
	s->b[s->len++] = q;
}

static void op_console(struct script *s, uint8_t id, uint8_t times,
		       const char *text)
{
	size_t n = strlen(text);

	s->b[s->len++] = 3;
	s->b[s->len++] = id;
	s->b[s->len++] = (uint8_t)(times - 1);
	s->b[s->len++] = (uint8_t)n;
	memcpy(s->b + s->len, text, n);
	s->len += n;
}

static void upload(struct script *s, uint64_t slot, const uint8_t *img,
		   size_t n, size_t chunk)
{
	struct mgmt_tlv_writer *w = rq(s);

	mgmt_tlv_put_u64(w, MGMT_F_SLOT, slot);
	mgmt_tlv_put_u64(w, MGMT_F_SIZE, n);
	mgmt_tlv_put_u64(w, MGMT_F_CRC, mgmt_crc32(0, img, n));
	send_rq(s, MGMT_T_UPLOAD_BEGIN);
	for (size_t off = 0; off < n; off += chunk) {
		w = rq(s);
		mgmt_tlv_put_u64(w, MGMT_F_SLOT, slot);
		mgmt_tlv_put_u64(w, MGMT_F_OFFSET, off);
		mgmt_tlv_put(w, MGMT_F_DATA, img + off,
			     n - off < chunk ? n - off : chunk);
		send_rq(s, MGMT_T_UPLOAD_CHUNK);
	}
}

static void seeds_agent(void)
{
	static struct script s;
	struct mgmt_tlv_writer *w;
	uint8_t img[600], partial[MGMT_HDR_SIZE];

	for (size_t i = 0; i < sizeof(img); i++)
		img[i] = (uint8_t)(i * 5 + 1);

	s.len = 0;
	rq(&s);
	send_rq(&s, MGMT_T_VERSION);
	rq(&s);
	send_rq(&s, MGMT_T_LIST);
	mgmt_tlv_put_u64(rq(&s), MGMT_F_OFFSET, 10);
	send_rq(&s, MGMT_T_DMESG);
	emit("agent-query", s.b, s.len);

	s.len = 0;
	upload(&s, MGMT_SLOT_KERNEL, img, sizeof(img), 256);
	upload(&s, MGMT_SLOT_RAMDISK, img, 100, 100);
	w = rq(&s);
	mgmt_tlv_put_str(w, MGMT_F_NAME, "web");
	mgmt_tlv_put_u64(w, MGMT_F_MEMORY, 128 << 20);
	mgmt_tlv_put_u64(w, MGMT_F_VCPUS, 2);
	mgmt_tlv_put_str(w, MGMT_F_TYPE, "pv");
	mgmt_tlv_put_str(w, MGMT_F_CMDLINE, "console=ttyS0");
	send_rq(&s, MGMT_T_CREATE);
	by_name(&s, MGMT_T_INFO, "web");
	by_name(&s, MGMT_T_PAUSE, "web");
	by_name(&s, MGMT_T_UNPAUSE, "web");
	mgmt_tlv_put_u64(rq(&s), MGMT_F_ID, 2);
	send_rq(&s, MGMT_T_SHUTDOWN);
	by_name(&s, MGMT_T_DESTROY, "web");
	emit("agent-create", s.b, s.len);

	/* alpha is domain 0, instance 1000 (fake-core.c). */
	s.len = 0;
	op_console(&s, 0, 1, "alpha: boot\n");
	by_name(&s, MGMT_T_CONSOLE_READ, "alpha");
	w = rq(&s);
	mgmt_tlv_put_u64(w, MGMT_F_ID, 0);
	mgmt_tlv_put_u64(w, MGMT_F_INSTANCE, 1000);
	mgmt_tlv_put_u64(w, MGMT_F_OFFSET, 3);
	send_rq(&s, MGMT_T_CONSOLE_READ);
	w = rq(&s);
	mgmt_tlv_put_u64(w, MGMT_F_ID, 0);
	mgmt_tlv_put_u64(w, MGMT_F_INSTANCE, 1000);
	mgmt_tlv_put(w, MGMT_F_DATA, "ls\n", 3);
	send_rq(&s, MGMT_T_CONSOLE_WRITE);
	by_name(&s, MGMT_T_DESTROY, "alpha");
	w = rq(&s);
	mgmt_tlv_put_u64(w, MGMT_F_ID, 0);
	mgmt_tlv_put_u64(w, MGMT_F_INSTANCE, 1000);
	send_rq(&s, MGMT_T_CONSOLE_READ);
	emit("agent-console", s.b, s.len);

	/* More output than the ring holds: a read from 0 loses some. */
	s.len = 0;
	op_console(&s, 1, 250, "beta: a line of console output, again\n");
	w = rq(&s);
	mgmt_tlv_put_u64(w, MGMT_F_ID, 1);
	mgmt_tlv_put_u64(w, MGMT_F_OFFSET, 0);
	send_rq(&s, MGMT_T_CONSOLE_READ);
	emit("agent-console-wrap", s.b, s.len);

	/* Line trouble: garbage, a partial frame, silence. */
	s.len = 0;
	op_raw(&s, "garbage!", 8);
	op_quiet(&s, 20);
	mgmt_encode(partial, MGMT_T_LIST, 99, NULL, 0);
	op_raw(&s, partial, MGMT_HDR_SIZE - 5);
	op_quiet(&s, 110);
	rq(&s);
	send_rq(&s, MGMT_T_LIST | MGMT_RESPONSE);
	mgmt_tlv_put_u64(rq(&s), MGMT_F_SLOT, 0);
	send_rq(&s, MGMT_T_UPLOAD_CHUNK);
	emit("agent-errors", s.b, s.len);
}

/* fuzz_mgmt reads a piece size (byte % 64, 0: flush) before each piece. */
static void seeds_mgmt(void)
{
	static uint8_t stream[8192], seed[8192 + 8192 / 63 + 2];
	uint8_t pl[256];
	struct mgmt_tlv_writer w;
	size_t n = 0, k = 0;

	mgmt_tlv_init(&w, pl, sizeof(pl));
	mgmt_tlv_put_str(&w, MGMT_F_NAME, "web");
	mgmt_tlv_put_u64(&w, MGMT_F_ID, 3);
	n += mgmt_encode(stream + n, MGMT_T_INFO, 1, pl, (uint32_t)w.len);
	n += mgmt_encode(stream + n, MGMT_T_LIST, 2, NULL, 0);
	memcpy(stream + n, "junk", 4);
	n += 4;
	n += mgmt_encode(stream + n, MGMT_T_VERSION | MGMT_RESPONSE, 3, pl,
			 (uint32_t)w.len);
	for (size_t off = 0; off < n; off += 63) {
		size_t piece = n - off < 63 ? n - off : 63;

		seed[k++] = 63;
		memcpy(seed + k, stream + off, piece);
		k += piece;
	}
	emit("mgmt-frames", seed, k);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: mkseeds bzimage|multiboot|elf|mgmt|agent DIR\n");
		return 2;
	}
	dir = argv[2];
	if (!strcmp(argv[1], "bzimage")) {
		bzimage("215-reloc", 0x020f, 4, 1, 0x1000000);
		bzimage("215-fixed", 0x020f, 8, 0, 0x1000000);
		bzimage("20a-sects0", 0x020a, 0, 1, 0x400000);
		bzimage("206", 0x0206, 4, 1, 0);
	} else if (!strcmp(argv[1], "multiboot")) {
		seeds_multiboot();
	} else if (!strcmp(argv[1], "elf")) {
		seeds_elf();
	} else if (!strcmp(argv[1], "agent")) {
		seeds_agent();
	} else if (!strcmp(argv[1], "mgmt")) {
		seeds_mgmt();
	} else {
		fprintf(stderr, "mkseeds: no seeds for %s\n", argv[1]);
		return 2;
	}
	printf("mkseeds: %d %s seeds in %s\n", nr_written, argv[1], dir);
	return 0;
}
