/*
 * bt-fallback/decode.c - portable x86 instruction decoder.
 *
 * The instruction format (SDM vol. 2, chapter 2; AMD APM vol. 3, chapter 1):
 *
 *   legacy prefixes, REX | VEX | EVEX | XOP, opcode (1-3 bytes),
 *   ModRM, SIB, displacement, immediate(s)
 *
 * Decoding walks it left to right.  Everything that varies per opcode
 * (ModRM presence, immediate kind, operand size kind, attributes) comes
 * from the tables in decode-tables.c; this file holds only the rules of
 * the format and the handful of opcodes whose shape depends on a prefix or
 * on ModRM in a way a table row cannot say.
 *
 * Every byte is fetched through bt_fetch(), which enforces both the
 * caller's buffer bound and the 15-byte architectural limit, so no path
 * can read past either.
 */
#include "private.h"

/* Look at the next byte without consuming it; same bounds as bt_fetch(). */
static int bt_peek(struct bt_dec *d, uint8_t *b)
{
	int ret = bt_fetch(d, b);

	if (!ret)
		d->pos--;
	return ret;
}

/*
 * Fetch a little-endian field of @size bytes, sign-extended to 64 bits
 * when @sext (displacements, immediates), else zero-extended (moffs).
 */
static int bt_fetch_le(struct bt_dec *d, unsigned int size, bool sext,
		       int64_t *val)
{
	uint64_t v = 0, sign;
	unsigned int i;
	uint8_t b;
	int ret;

	for (i = 0; i < size; i++) {
		ret = bt_fetch(d, &b);
		if (ret)
			return ret;
		v |= (uint64_t)b << (8 * i);
	}
	if (sext && size && size < 8) {
		sign = 1ull << (8 * size - 1);
		v = (v ^ sign) - sign;
	}
	*val = (int64_t)v;
	return 0;
}

/*
 * Legacy prefixes and REX (SDM vol. 2, 2.1.1 and 2.2.1).  Any number, in
 * any order; for a repeated group the last one counts.  A REX only counts
 * when it is the last prefix: one followed by a legacy prefix is ignored,
 * as the CPU does.  Returns the first byte that is not a prefix.
 */
static int bt_prefixes(struct bt_dec *d, uint8_t *first)
{
	struct bt_insn *in = d->in;
	uint8_t b;
	int ret;

	for (;;) {
		ret = bt_fetch(d, &b);
		if (ret)
			return ret;
		switch (b) {
		case 0xf0:
			in->prefixes |= BT_PFX_LOCK;
			break;
		case 0xf2:
			in->prefixes |= BT_PFX_REPNE;
			in->rep = b;
			break;
		case 0xf3:
			in->prefixes |= BT_PFX_REP;
			in->rep = b;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			in->prefixes |= BT_PFX_SEG;
			in->seg_override = (b >> 3) & 3; /* ES CS SS DS */
			break;
		case 0x64: case 0x65:
			in->prefixes |= BT_PFX_SEG;
			in->seg_override = BT_SEG_FS + (b & 1);
			break;
		case 0x66:
			in->prefixes |= BT_PFX_OPSIZE;
			break;
		case 0x67:
			in->prefixes |= BT_PFX_ADDRSIZE;
			break;
		default:
			if (bt_is64(d) && (b & 0xf0) == 0x40) {
				if (in->rex)
					in->prefixes |= BT_PFX_REX_IGNORED;
				in->rex = b;
				continue;
			}
			*first = b;
			return 0;
		}
		in->nprefixes++;
		if (in->rex) {
			in->rex = 0;
			in->prefixes |= BT_PFX_REX_IGNORED;
		}
	}
}

/* Operand-size attribute (SDM vol. 2, 2.2.1.2 and Table 2-4). */
static uint8_t bt_osize_attr(const struct bt_dec *d, unsigned int kind)
{
	const struct bt_insn *in = d->in;
	bool o16 = in->prefixes & BT_PFX_OPSIZE;

	if (in->enc != BT_ENC_LEGACY && in->enc != BT_ENC_3DNOW)
		return bt_is64(d) && (in->wrxb & 8) ? 8 : 4;
	if (bt_is64(d)) {
		if (in->wrxb & 8)
			return 8;
		/* Near branches: Intel ignores 66, AMD honours it. */
		if (kind == BT_SZ_F64 && !d->amd)
			return 8;
		if (kind == BT_SZ_D64 || kind == BT_SZ_F64)
			return o16 ? 2 : 8;
		return o16 ? 2 : 4;
	}
	if (d->mode == BT_MODE_16)
		return o16 ? 4 : 2;
	return o16 ? 2 : 4;
}

static uint8_t bt_opsize(const struct bt_dec *d, unsigned int kind)
{
	bool w64 = bt_is64(d) && (d->in->wrxb & 8);

	switch (kind) {
	case BT_SZ_B:
		return 1;
	case BT_SZ_W:
		return 2;
	case BT_SZ_D:
		return 4;
	case BT_SZ_Q:
		return 8;
	case BT_SZ_Z:
		return d->osize == 2 ? 2 : 4;
	case BT_SZ_Y:
		return w64 ? 8 : 4;
	case BT_SZ_NAT:
		return bt_is64(d) ? 8 : 4;
	default:
		return d->osize;
	}
}

/* Vector length in bytes for BT_MSZ_VL. */
static uint8_t bt_vlen(const struct bt_insn *in)
{
	if (in->enc == BT_ENC_EVEX)
		return in->vex.b ? 0 : 16 << in->vex.l; /* broadcast: element */
	if (in->enc == BT_ENC_VEX || in->enc == BT_ENC_XOP)
		return in->vex.l ? 32 : 16;
	return 16;
}

static uint8_t bt_memsize(const struct bt_dec *d, unsigned int kind)
{
	const struct bt_insn *in = d->in;

	switch (kind) {
	case BT_MSZ_B:
		return 1;
	case BT_MSZ_W:
		return 2;
	case BT_MSZ_D:
		return 4;
	case BT_MSZ_Q:
		return 8;
	case BT_MSZ_Z:
		return d->osize == 2 ? 2 : 4;
	case BT_MSZ_P:
		/* AMD has no m16:64 far pointer: REX.W is ignored there. */
		return (d->amd && d->osize == 8 ? 4 : d->osize) + 2;
	case BT_MSZ_2V:
		return 2 * d->osize;
	case BT_MSZ_DT:
		return bt_is64(d) ? 10 : 6;
	case BT_MSZ_CX:
		return in->wrxb & 8 ? 16 : 8;
	case BT_MSZ_VL:
		return bt_vlen(in);
	case BT_MSZ_MMX:
		if (in->enc == BT_ENC_LEGACY && in->simd_prefix == BT_PP_NONE)
			return 8;
		return bt_vlen(in);
	case BT_MSZ_PS:
		if (in->simd_prefix == BT_PP_F3)
			return 4;
		if (in->simd_prefix == BT_PP_F2)
			return 8;
		return bt_vlen(in);
	case BT_MSZ_Y:
		return bt_is64(d) && (in->wrxb & 8) ? 8 : 4;
	case BT_MSZ_T:
		return 10;
	case BT_MSZ_UNK:
		return 0;
	default:
		return in->opsize;
	}
}

/* Two- and three-byte legacy maps (0F, 0F 38, 0F 3A, 0F 0F). */
static int bt_escape_0f(struct bt_dec *d)
{
	struct bt_insn *in = d->in;
	uint8_t b;
	int ret;

	ret = bt_fetch(d, &b);
	if (ret)
		return ret;
	if (b == 0x38 || b == 0x3a) {
		in->map = b == 0x38 ? BT_MAP_0F38 : BT_MAP_0F3A;
		ret = bt_fetch(d, &b);
		if (ret)
			return ret;
		d->op = in->map == BT_MAP_0F38 ? bt_op_0f38[b] : bt_op_0f3a[b];
	} else if (b == 0x0f) {
		/* 3DNow!: 0F 0F /r ib, the "ib" being the opcode. */
		in->map = BT_MAP_3DNOW;
		in->enc = BT_ENC_3DNOW;
		d->op = (struct bt_opdesc){ BT_F_MODRM | BT_F_MEM_R | BT_F_SIMD,
					    BT_D_VALID, BT_IMM_NONE,
					    BT_SIZE(BT_SZ_V, BT_MSZ_Q), 0 };
	} else {
		in->map = BT_MAP_0F;
		d->op = bt_op_0f[b];
		if (b == 0xff && d->amd)
			d->op.attr &= ~BT_F_MODRM; /* AMD's UD0 is 2 bytes */
	}
	in->opcode = b;
	in->opcode_off = d->pos - 1;
	return 0;
}

/*
 * Group 15 (0F AE) by mandatory prefix, bit per ModRM.reg, for memory and
 * register forms (SDM vol. 2, Table A-6).  A prefix that selects nothing
 * is ignored for the plain forms (FXSAVE..STMXCSR, SFENCE).
 */
static const uint8_t bt_grp15_pp[2][4] = {
	{ 0xff, 0xcf, 0x5f, 0x0f }, /* mem: 66 CLWB.., F3 PTWRITE.. */
	{ 0xe0, 0xc0, 0xff, 0xc0 }, /* reg: fences, TPAUSE, RDFSBASE.. */
};

/*
 * Opcodes whose shape depends on the mandatory prefix, the vendor or the
 * whole ModRM byte, which the tables cannot express.  Runs after the
 * group merge, before the operand bytes are fetched.
 */
static int bt_fixup(struct bt_dec *d)
{
	struct bt_insn *in = d->in;
	struct bt_opdesc *o = &d->op;
	unsigned int reg = (in->modrm >> 3) & 7, pp = in->simd_prefix;
	bool mem = in->mod != 3;
	uint8_t op = in->opcode;

	if (in->enc != BT_ENC_LEGACY) {
		/* VEX 0F AE: only VLDMXCSR /2 and VSTMXCSR /3 (memory). */
		if (in->map == BT_MAP_0F && op == 0xae &&
		    (!mem || (reg != 2 && reg != 3)))
			return -VMI_EINVAL;
		if (in->map == BT_MAP_0F && op == 0xae) {
			*o = bt_grp[BT_GRP_15][reg];
			o->attr |= BT_F_MODRM | BT_F_SIMD;
		}
		return 0;
	}
	if (in->map == BT_MAP_1BYTE) {
		switch (op) {
		case 0x8c: /* MOV Ev,Sw: ES..GS only */
		case 0x8e: /* MOV Sw,Ew: and never CS (SDM vol. 2, MOV) */
			if (reg > 5 || (op == 0x8e && reg == BT_SEG_CS))
				return -VMI_EINVAL;
			break;
		case 0xc6: /* XABORT Ib: C6 F8 */
		case 0xc7: /* XBEGIN Jz: C7 F8 */
			if (reg != 7)
				break;
			if (in->modrm != 0xf8)
				return -VMI_EINVAL;
			o->dec |= BT_D_VALID;
			o->attr &= ~BT_F_MEM_W;
			if (op == 0xc7) {
				o->attr |= BT_F_BRANCH | BT_F_REL |
					   BT_OPD_BR(BT_BR_XBEGIN);
				o->size = BT_SIZE(BT_SZ_D64, 0);
			}
			break;
		default: /* x87 register forms left blank in the maps */
			if (op >= 0xd8 && op <= 0xdf && !mem &&
			    bt_bit(bt_x87_reg_undef[op - 0xd8],
				   in->modrm - 0xc0))
				return -VMI_EINVAL;
		}
		return 0;
	}
	if (in->map == BT_MAP_0F3A && op == 0xf0 &&
	    (in->modrm != 0xc0 || pp != BT_PP_F3))
		return -VMI_EINVAL; /* HRESET: F3 0F 3A F0 C0 ib */
	if (in->map == BT_MAP_0F38) {
		if (op == 0xd8 && reg > 3)
			return -VMI_EINVAL; /* Key Locker AESxxxWIDE /0-/3 */
		if ((op == 0xf0 || op == 0xf1) && pp == BT_PP_F2) {
			/* CRC32 Gd,Eb / Gd,Ev */
			*o = (struct bt_opdesc){
				BT_F_MODRM | BT_F_MEM_R, BT_D_VALID, 0,
				BT_SIZE(op == 0xf0 ? BT_SZ_B : BT_SZ_V, 0), 0
			};
		} else if (op == 0xf6 && pp == BT_PP_NONE) {
			o->attr = BT_F_MODRM | BT_F_MEM_W; /* WRSS My,Gy */
			o->dec |= BT_D_MEMONLY;
		}
		return 0;
	}
	if (in->map != BT_MAP_0F)
		return 0;
	switch (op) {
	case 0x01: /* group 7 /5 memory: F3 RSTORSSK */
		if (mem && reg == 5 && pp == BT_PP_F3)
			*o = (struct bt_opdesc){ BT_F_MODRM | BT_F_MEM_R |
						 BT_F_MEM_W, BT_D_VALID, 0,
						 BT_SIZE(0, BT_MSZ_Q), 0 };
		else if (!mem)
			*o = bt_op_0f01_reg[in->modrm - 0xc0];
		/* Register forms that exist only with one prefix. */
		if (!mem && o->grp && !((o->grp >> pp) & 1))
			return -VMI_EINVAL;
		o->attr |= BT_F_MODRM;
		break;
	case 0x20: case 0x22: /* CR0, CR2-CR4, CR8 (SDM vol. 3A, 2.5) */
		if (in->reg > 15 || !((0x11du >> in->reg) & 1))
			return -VMI_EINVAL;
		break;
	case 0x21: case 0x23: /* DR0-DR7 */
		if (in->reg > 7)
			return -VMI_EINVAL;
		break;
	case 0x78: case 0x79: /* 66/F2: SSE4a EXTRQ/INSERTQ (AMD) */
		if (pp == BT_PP_66 || pp == BT_PP_F2)
			*o = (struct bt_opdesc){ BT_F_MODRM | BT_F_SIMD,
						 BT_D_VALID | BT_D_REGONLY,
						 op == 0x78 ? BT_IMM_BB : 0, 0,
						 0 };
		break;
	case 0x7e: /* F3: MOVQ Vq,Wq is a load */
		if (pp == BT_PP_F3) {
			o->attr ^= BT_F_MEM_R | BT_F_MEM_W;
			o->size = BT_SIZE(0, BT_MSZ_Q);
		}
		break;
	case 0x73: /* PSRLDQ /3, PSLLDQ /7: 66 only */
		if ((reg == 3 || reg == 7) && pp != BT_PP_66)
			return -VMI_EINVAL;
		break;
	case 0xae: /* group 15: each prefix selects different /reg */
		if (!((bt_grp15_pp[!mem][pp] >> reg) & 1))
			return -VMI_EINVAL;
		/* CLWB, CLFLUSHOPT: no data access */
		if (mem && reg >= 6 && pp == BT_PP_66)
			o->attr &= ~(BT_F_MEM_R | BT_F_MEM_W);
		break;
	case 0xa6: /* VIA PadLock: MONTMUL, XSHA1, XSHA256 */
	case 0xa7: /* XSTORE, XCRYPTECB..XCRYPTOFB */
		if ((in->modrm & 7) || reg > (op == 0xa6 ? 2 : 5))
			return -VMI_EINVAL;
		break;
	case 0xb8: /* F3: POPCNT; without it JMPE, #UD outside IA-64 */
		if (pp != BT_PP_F3)
			return -VMI_EINVAL;
		break;
	}
	return 0;
}

/* SIB, displacement and effective-address parts of a memory operand. */
static int bt_modrm_mem(struct bt_dec *d)
{
	/* 16-bit forms (SDM vol. 2, Table 2-1): rm -> base, index. */
	static const uint8_t base16[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };
	static const uint8_t index16[8] = { 6, 7, 6, 7, BT_REG_NONE,
					    BT_REG_NONE, BT_REG_NONE,
					    BT_REG_NONE };
	struct bt_insn *in = d->in;
	struct bt_mem *m = &in->mem;
	unsigned int rm = in->modrm & 7, dsize = 0;
	bool ss = false, vsib = d->op.attr & BT_F_VSIB;
	uint8_t sib;
	int ret;

	in->flags |= BT_F_MEM;
	m->scale = 1;
	if (in->addrsize == 2) {
		/* No SIB, so no VSIB either. */
		if (vsib)
			return -VMI_EINVAL;
		if (in->mod == 0 && rm == 6) {
			dsize = 2;
		} else {
			m->base = base16[rm];
			m->index = index16[rm];
			ss = m->base == 5; /* BP: SS (SDM vol. 1, 3.7.5) */
			dsize = in->mod == 1 ? 1 : in->mod == 2 ? 2 : 0;
		}
	} else {
		if (vsib && rm != 4)
			return -VMI_EINVAL;
		if (rm == 4) {
			ret = bt_fetch(d, &sib);
			if (ret)
				return ret;
			in->sib = sib;
			in->flags |= BT_F_SIB;
			m->scale = 1 << (sib >> 6);
			m->index = ((sib >> 3) & 7) | (in->wrxb & 2) << 2;
			if (vsib)
				m->index |= d->evex_vp << 4;
			else if (m->index == 4)
				m->index = BT_REG_NONE; /* no index */
			if ((sib & 7) == 5 && in->mod == 0) {
				dsize = 4; /* disp32, no base */
			} else {
				m->base = (sib & 7) | (in->wrxb & 1) << 3;
			}
		} else if (rm == 5 && in->mod == 0) {
			dsize = 4;
			/* RIP-relative in 64-bit mode (SDM vol. 2, 2.2.1.6). */
			if (bt_is64(d)) {
				m->base = BT_REG_RIP;
				in->flags |= BT_F_RIPREL;
			}
		} else {
			m->base = rm | (in->wrxb & 1) << 3;
		}
		if (in->mod == 1)
			dsize = 1;
		else if (in->mod == 2)
			dsize = 4;
		ss = m->base == 4 || m->base == 5; /* rSP, rBP: SS */
	}
	m->seg = in->seg_override != BT_SEG_NONE ? in->seg_override :
		 ss ? BT_SEG_SS : BT_SEG_DS;
	if (!dsize)
		return 0;
	in->disp_size = dsize;
	in->disp_off = d->pos;
	if (in->enc == BT_ENC_EVEX && dsize == 1)
		in->flags |= BT_F_DISP8N; /* SDM vol. 2, 2.7.5 */
	return bt_fetch_le(d, dsize, true, &m->disp);
}

/* ModRM byte, group resolution and the rules that depend on it. */
static int bt_modrm(struct bt_dec *d)
{
	struct bt_insn *in = d->in;
	struct bt_opdesc *o = &d->op;
	const struct bt_opdesc *g;
	unsigned int reg;
	uint8_t modrm;
	int ret;

	ret = bt_fetch(d, &modrm);
	if (ret)
		return ret;
	in->modrm = modrm;
	in->modrm_off = d->pos - 1;
	in->mod = modrm >> 6;
	reg = (modrm >> 3) & 7;
	in->reg |= reg | (in->wrxb & 4) << 1;
	if (o->dec & BT_D_FORCEREG)
		in->mod = 3;
	if (o->dec & BT_D_GROUP) {
		g = &bt_grp[o->grp][reg + (in->mod == 3 ? 8 : 0)];
		o->attr |= g->attr;
		o->dec = (o->dec & ~(BT_D_GROUP | BT_D_VALID)) | g->dec;
		if (g->imm)
			o->imm = g->imm;
		if (g->size & 0x0f)
			o->size = (o->size & 0xf0) | (g->size & 0x0f);
		if (g->size & 0xf0)
			o->size = (o->size & 0x0f) | (g->size & 0xf0);
	}
	ret = bt_fixup(d);
	if (ret)
		return ret;
	if (!(o->dec & BT_D_VALID))
		return -VMI_EINVAL;
	if ((o->dec & BT_D_MEMONLY) && in->mod == 3)
		return -VMI_EINVAL;
	if ((o->dec & BT_D_REGONLY) && in->mod != 3)
		return -VMI_EINVAL;
	if (in->mod == 3) {
		in->rm = (modrm & 7) | (in->wrxb & 1) << 3;
		if (in->enc == BT_ENC_EVEX)
			in->rm |= (in->wrxb & 2) << 3; /* EVEX.X: zmm16-31 */
		o->attr &= ~(BT_F_MEM_R | BT_F_MEM_W | BT_F_VSIB);
		return 0;
	}
	in->rm = (modrm & 7) | (in->wrxb & 1) << 3;
	return bt_modrm_mem(d);
}

/*
 * Immediates, moffs and relative displacements (SDM vol. 2, A.2.2).  An
 * immediate is sign-extended where the CPU extends it that way (Ib/Iz
 * arithmetic, PUSH, rel8/16/32) and zero-extended where it is an unsigned
 * quantity: ports, vectors, far pointers, ENTER/RET sizes, moffs, and the
 * selector/predicate byte of SIMD instructions.
 */
static int bt_immediates(struct bt_dec *d)
{
	struct bt_insn *in = d->in;
	unsigned int size = 0, size2 = 0;
	bool sext = true;
	int ret;

	switch (d->op.imm) {
	case BT_IMM_B:
		sext = !(d->op.attr & BT_F_SIMD);
		/* fall through */
	case BT_IMM_JB:
		size = 1;
		break;
	case BT_IMM_UB:
		size = 1;
		sext = false;
		break;
	case BT_IMM_W:
		size = 2;
		sext = false;
		break;
	case BT_IMM_Z:
	case BT_IMM_JZ:
		size = d->osize == 2 ? 2 : 4;
		break;
	case BT_IMM_BZ: /* TEST: Ib for byte operands, else Iz */
		size = in->opsize == 1 ? 1 : d->osize == 2 ? 2 : 4;
		break;
	case BT_IMM_V:
		size = d->osize;
		break;
	case BT_IMM_D:
		size = 4;
		sext = false;
		break;
	case BT_IMM_WB:
		size = 2;
		size2 = 1;
		sext = false;
		break;
	case BT_IMM_BB:
		size = 1;
		size2 = 1;
		sext = false;
		break;
	case BT_IMM_AP: /* offset first, then the 16-bit selector */
		size = d->osize == 2 ? 2 : 4;
		size2 = 2;
		sext = false;
		break;
	case BT_IMM_MOFFS:
		in->flags |= BT_F_MEM | BT_F_MOFFS;
		in->mem.seg = in->seg_override != BT_SEG_NONE ?
				      in->seg_override : BT_SEG_DS;
		in->mem.scale = 1;
		in->disp_size = in->addrsize;
		in->disp_off = d->pos;
		return bt_fetch_le(d, in->addrsize, false, &in->mem.disp);
	default:
		return 0;
	}
	in->imm_size = size;
	in->imm_off = d->pos;
	ret = bt_fetch_le(d, size, sext, &in->imm);
	if (ret || !size2)
		return ret;
	in->imm2_size = size2;
	return bt_fetch_le(d, size2, sext, &in->imm2);
}

/* Operand sizes, memory size and the attributes implied by them. */
static void bt_finish(struct bt_dec *d)
{
	struct bt_insn *in = d->in;
	struct bt_opdesc *o = &d->op;

	in->flags |= o->attr & BT_OPD_ATTR_MASK;
	in->branch = o->attr >> BT_OPD_BR_SHIFT;
	if (!(in->flags & BT_F_MEM))
		in->flags &= ~(BT_F_MEM_R | BT_F_MEM_W);
	if (in->flags & (BT_F_MEM_R | BT_F_MEM_W))
		in->memsize = bt_memsize(d, o->size >> 4);
	if (in->flags & BT_F_OPREG)
		in->opreg = (in->opcode & 7) | (in->wrxb & 1) << 3;
	else
		in->opreg = BT_REG_NONE;
	if (in->flags & BT_F_STRING) {
		/* Source DS:rSI (overridable), else destination ES:rDI. */
		bool src = (in->opcode & 0xfe) == 0xa4 ||
			   (in->opcode & 0xfe) == 0xa6 ||
			   (in->opcode & 0xfe) == 0xac ||
			   (in->opcode & 0xfe) == 0x6e;
		in->mem.base = src ? 6 : 7;
		in->mem.scale = 1;
		in->mem.seg = !src ? BT_SEG_ES :
			      in->seg_override != BT_SEG_NONE ?
			      in->seg_override : BT_SEG_DS;
		in->memsize = in->opsize;
		if (in->rep)
			in->flags |= BT_F_REP;
	} else if (in->opcode == 0xd7 && in->map == BT_MAP_1BYTE) {
		in->mem.base = 3; /* XLAT: DS:[rBX + AL] */
		in->mem.scale = 1;
		in->mem.seg = in->seg_override != BT_SEG_NONE ?
				      in->seg_override : BT_SEG_DS;
		in->memsize = 1;
	}
	if (in->prefixes & BT_PFX_LOCK)
		in->flags |= BT_F_LOCK;
	if (in->rex)
		in->prefixes |= BT_PFX_REX;
}

/* Does the opcode exist with this mandatory prefix and ModRM form? */
static bool bt_pp_ok(const struct bt_insn *in)
{
	unsigned int bit = in->simd_prefix + (in->mod == 3 ? 4 : 0);
	uint8_t mask;

	if (in->enc == BT_ENC_LEGACY && in->map != BT_MAP_1BYTE)
		mask = bt_pfx_ok[in->map][in->opcode];
	else if (in->enc == BT_ENC_VEX)
		mask = bt_vex_ok[in->map][in->opcode];
	else if (in->enc == BT_ENC_EVEX)
		mask = bt_evex_ok[in->map][in->opcode];
	else
		return true;
	return (mask >> bit) & 1;
}

/* Mandatory-prefix view of the legacy prefixes: F2/F3 beat 66. */
static uint8_t bt_legacy_pp(const struct bt_insn *in)
{
	if (in->rep)
		return in->rep == 0xf3 ? BT_PP_F3 : BT_PP_F2;
	return in->prefixes & BT_PFX_OPSIZE ? BT_PP_66 : BT_PP_NONE;
}

/* Opcode bytes up to ModRM: maps, VEX/EVEX/XOP and their ambiguities. */
static int bt_opcode(struct bt_dec *d, uint8_t b)
{
	struct bt_insn *in = d->in;
	uint8_t next;
	int ret;

	in->simd_prefix = bt_legacy_pp(in);
	in->opcode = b;
	in->opcode_off = d->pos - 1;
	if (b == 0x0f)
		return bt_escape_0f(d);
	if (b == 0xc4 || b == 0xc5 || b == 0x62 || b == 0x8f) {
		/*
		 * Outside 64-bit mode C4/C5 (LES/LDS) and 62 (BOUND) take a
		 * memory operand, so mod == 3 is free for VEX/EVEX (SDM vol.
		 * 2, 2.3.5); 8F is XOP when its map field is >= 8, where POP
		 * would need ModRM.reg = 0 (AMD APM vol. 3, 1.8.1).
		 */
		ret = bt_peek(d, &next);
		if (ret)
			return ret;
		if (b == 0x8f ? (next & 0x1f) >= 8 :
				bt_is64(d) || (next & 0xc0) == 0xc0)
			return bt_decode_vex(d, b);
	}
	if (b == 0x63 && bt_is64(d))
		d->op = bt_op_movsxd;
	else
		d->op = bt_op_1byte[b];
	return 0;
}

static int bt_decode_one(struct bt_dec *d)
{
	struct bt_insn *in = d->in;
	uint8_t b;
	int ret;

	ret = bt_prefixes(d, &b);
	if (ret)
		return ret;
	if (in->rex)
		in->wrxb = in->rex & 15;
	if (bt_is64(d))
		in->addrsize = in->prefixes & BT_PFX_ADDRSIZE ? 4 : 8;
	else if (d->mode == BT_MODE_32)
		in->addrsize = in->prefixes & BT_PFX_ADDRSIZE ? 2 : 4;
	else
		in->addrsize = in->prefixes & BT_PFX_ADDRSIZE ? 4 : 2;

	ret = bt_opcode(d, b);
	if (ret)
		return ret;
	if (!(d->op.dec & BT_D_VALID))
		return -VMI_EINVAL;
	if ((d->op.dec & BT_D_I64) && bt_is64(d))
		return -VMI_EINVAL;
	d->osize = bt_osize_attr(d, d->op.size & 0x0f);

	if (d->op.attr & BT_F_MODRM) {
		ret = bt_modrm(d);
	} else {
		ret = bt_fixup(d);
		if (!ret && !(d->op.dec & BT_D_VALID))
			ret = -VMI_EINVAL;
	}
	if (ret)
		return ret;
	if ((d->op.dec & BT_D_O64) && !bt_is64(d))
		return -VMI_EINVAL;
	/* SSE, AVX: is this mandatory prefix / VEX.pp one of the opcode's? */
	if (!bt_pp_ok(in))
		return -VMI_EINVAL;
	/* Group entries may change the operand-size kind (FF /2 F64...). */
	d->osize = bt_osize_attr(d, d->op.size & 0x0f);

	/*
	 * LOCK: only the listed read-modify-write instructions with a
	 * memory destination (SDM vol. 2, LOCK).  AMD also takes
	 * LOCK MOV CR0 as MOV CR8 (APM vol. 3, MOV CRn).
	 */
	if (in->prefixes & BT_PFX_LOCK) {
		if (d->amd && in->map == BT_MAP_0F &&
		    (in->opcode == 0x20 || in->opcode == 0x22) &&
		    in->reg == 0)
			in->reg = 8;
		else if (!(d->op.dec & BT_D_LOCK) || !(in->flags & BT_F_MEM))
			return -VMI_EINVAL;
	}
	if (in->enc == BT_ENC_EVEX && in->vex.l == 3 &&
	    !(in->vex.b && in->mod == 3))
		return -VMI_EINVAL; /* L'L = 11b is reserved (SDM 2.7.10) */
	if (in->enc == BT_ENC_3DNOW) {
		ret = bt_fetch(d, &b);
		if (ret)
			return ret;
		in->opcode = b;
		in->opcode_off = d->pos - 1;
		if (!bt_bit(bt_valid_3dnow, b))
			return -VMI_EINVAL;
	}
	in->opsize = bt_opsize(d, d->op.size & 0x0f);
	ret = bt_immediates(d);
	if (ret)
		return ret;
	bt_finish(d);
	in->len = d->pos;
	return 0;
}

int bt_decode(const uint8_t *buf, size_t avail, unsigned int mode,
	      struct bt_insn *out)
{
	struct bt_dec d = {
		.buf = buf,
		.avail = buf ? avail : 0,
		.mode = mode & BT_MODE_MASK,
		.amd = mode & BT_MODE_AMD,
		.in = out,
	};

	if (!out || d.mode > BT_MODE_64 ||
	    (mode & ~(BT_MODE_MASK | BT_MODE_AMD)))
		return -VMI_EINVAL;
	memset(out, 0, sizeof(*out));
	out->mode = d.mode;
	out->seg_override = BT_SEG_NONE;
	out->mem.base = BT_REG_NONE;
	out->mem.index = BT_REG_NONE;
	out->mem.seg = BT_SEG_NONE;
	return bt_decode_one(&d);
}

uint64_t bt_branch_target(const struct bt_insn *insn, uint64_t ip)
{
	uint64_t t = ip + insn->len + (uint64_t)insn->imm;

	if (insn->opsize == 2)
		return t & 0xffff;
	if (insn->mode != BT_MODE_64)
		return t & 0xffffffff;
	return t;
}
