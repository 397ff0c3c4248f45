/*
 * CUnit suites of the portable x86 decoder (bt-fallback/decode*.c): the
 * runner and the helpers the suites share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "decode-test.h"

int decode_exact(const void *bytes, size_t n, unsigned int mode,
		 struct bt_insn *out)
{
	/* malloc(0) may return NULL: still give a unique, unreadable block. */
	uint8_t *buf = malloc(n ? n : 1);
	int ret;

	if (!buf)
		abort();
	memcpy(buf, bytes, n);
	ret = bt_decode(buf, n, mode, out);
	free(buf);
	return ret;
}

int first_bad_cut(const void *bytes, size_t n, unsigned int mode)
{
	struct bt_insn in;
	size_t k;

	for (k = 0; k < n; k++)
		if (decode_exact(bytes, k, mode, &in) != -VMI_EAGAIN)
			return (int)k;
	return -1;
}

unsigned int mode_of(unsigned int bits)
{
	return bits == 16 ? BT_MODE_16 : bits == 32 ? BT_MODE_32 : BT_MODE_64;
}

const char *hexstr(const void *bytes, size_t n)
{
	static char buf[3 * 32 + 1];
	const uint8_t *b = bytes;
	size_t i;

	buf[0] = 0;
	for (i = 0; i < n && i < 32; i++)
		sprintf(buf + 3 * i, "%02x ", b[i]);
	return buf;
}

static const char *const chk_name[C_COUNT] = {
	"ret", "len", "opsize", "addrsize", "memsize", "flags set",
	"flags clear", "flags", "branch", "enc", "map", "opcode",
	"simd_prefix", "rex", "wrxb", "prefixes", "nprefixes", "rep",
	"seg_override", "modrm", "mod", "reg", "rm", "sib", "opreg",
	"disp_size", "disp", "imm_size", "imm", "imm2_size", "imm2",
	"mem.base", "mem.index", "mem.scale", "mem.seg", "vex.vvvv", "vex.l",
	"vex.w", "vex.aaa", "vex.z", "vex.b", "opcode_off", "modrm_off",
	"disp_off", "imm_off", "target",
};

/* The value of field @kind in @in, for comparison with the vector. */
static int64_t field(const struct bt_insn *in, int kind, int64_t want)
{
	switch (kind) {
	case C_LEN: return in->len;
	case C_OPSIZE: return in->opsize;
	case C_ADDRSIZE: return in->addrsize;
	case C_MEMSIZE: return in->memsize;
	case C_SET: return in->flags & want;
	case C_CLEAR: return in->flags & want;
	case C_FLAGS: return in->flags;
	case C_BRANCH: return in->branch;
	case C_ENC: return in->enc;
	case C_MAP: return in->map;
	case C_OPCODE: return in->opcode;
	case C_PP: return in->simd_prefix;
	case C_REX: return in->rex;
	case C_WRXB: return in->wrxb;
	case C_PFX: return in->prefixes;
	case C_NPFX: return in->nprefixes;
	case C_REP: return in->rep;
	case C_SEGOVR: return in->seg_override;
	case C_MODRM: return in->modrm;
	case C_MOD: return in->mod;
	case C_REG: return in->reg;
	case C_RM: return in->rm;
	case C_SIB: return in->sib;
	case C_OPREG: return in->opreg;
	case C_DISPSZ: return in->disp_size;
	case C_DISP: return in->mem.disp;
	case C_IMMSZ: return in->imm_size;
	case C_IMM: return in->imm;
	case C_IMM2SZ: return in->imm2_size;
	case C_IMM2: return in->imm2;
	case C_BASE: return in->mem.base;
	case C_INDEX: return in->mem.index;
	case C_SCALE: return in->mem.scale;
	case C_SEG: return in->mem.seg;
	case C_VVVV: return in->vex.vvvv;
	case C_VL: return in->vex.l;
	case C_VW: return in->vex.w;
	case C_AAA: return in->vex.aaa;
	case C_Z: return in->vex.z;
	case C_VB: return in->vex.b;
	case C_OPOFF: return in->opcode_off;
	case C_MODRMOFF: return in->modrm_off;
	case C_DISPOFF: return in->disp_off;
	case C_IMMOFF: return in->imm_off;
	case C_TARGET:
		return (int64_t)bt_branch_target(in, in->mode == BT_MODE_16 ?
							 0xfff0 : 0x1000);
	default: return -1;
	}
}

static void fail(const struct tvec *v, const char *what, long long got,
		 long long want)
{
	static char msg[256];

	snprintf(msg, sizeof(msg), "[%s] %s = %#llx, want %#llx",
		 hexstr(v->bytes, v->n), what, got, want);
	CU_assertImplementation(CU_FALSE, v->line, msg, v->file, "",
				CU_FALSE);
}

void run_vectors(const struct tvec *v, size_t n)
{
	struct bt_insn in, in2;
	uint8_t buf[32];
	size_t i, j;
	int want, ret, cut;

	for (i = 0; i < n; i++, v++) {
		want = 0;
		for (j = 0; j < v->nchk; j++)
			if (v->chk[j].kind == C_RET)
				want = (int)v->chk[j].val;
		ret = decode_exact(v->bytes, v->n, v->mode, &in);
		if (ret != want) {
			fail(v, "ret", ret, want);
			continue;
		}
		/* More bytes after it never change the answer. */
		memset(buf, 0xc4, sizeof(buf));
		memcpy(buf, v->bytes, v->n);
		if (want != -VMI_EAGAIN) {
			ret = bt_decode(buf, sizeof(buf), v->mode, &in2);
			if (ret != want ||
			    (!ret && memcmp(&in, &in2, sizeof(in))))
				fail(v, "with trailing bytes: ret", ret, want);
		}
		if (want) {
			CU_PASS("");
			continue;
		}
		cut = first_bad_cut(v->bytes, v->n, v->mode);
		if (cut >= 0)
			fail(v, "truncated decode does not ask for more at",
			     cut, -1);
		for (j = 0; j < v->nchk; j++) {
			const struct chk *c = &v->chk[j];
			int64_t got = field(&in, c->kind, c->val);
			int64_t expect = c->kind == C_CLEAR ? 0 : c->val;

			if (c->kind == C_RET)
				continue;
			if (got != expect)
				fail(v, chk_name[c->kind], got, expect);
			else
				CU_PASS("");
		}
	}
}

void unit_register(void)
{
	register_field_tests();
	register_prefix_tests();
	register_mmio_tests();
	register_attr_tests();
	register_corpus_tests();
}

UNIT_MAIN
