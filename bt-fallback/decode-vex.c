/*
 * bt-fallback/decode-vex.c - VEX, EVEX and XOP encodings for the decoder.
 *
 * These prefixes replace the legacy mandatory prefix, REX and the 0F
 * escapes with one 2-4 byte prefix carrying the register extensions, an
 * extra source register, the vector length and the opcode map.  After it
 * come the opcode, ModRM and the usual operand bytes, which decode.c
 * handles.  SDM vol. 2, 2.3 (VEX) and 2.7 (EVEX); AMD APM vol. 3, 1.8
 * (XOP).
 */
#include "private.h"

/*
 * VEX (SDM vol. 2, 2.3.5), EVEX (2.7.1) and XOP (AMD APM vol. 3, 1.8)
 * prefixes.  The caller has already decided, from the byte after C4/C5/62
 * or 8F, that this is not LES/LDS/BOUND/POP.  Fills the fields and returns
 * the map; the opcode byte follows.
 */
static bool bt_vex_map_ok(unsigned int enc, unsigned int map)
{
	if (enc == BT_ENC_VEX)
		return map >= 1 && map <= 3;
	if (enc == BT_ENC_EVEX)
		return (map >= 1 && map <= 3) || map == 5 || map == 6;
	return map >= 8 && map <= 10;
}

static int bt_vex_prefix(struct bt_dec *d, uint8_t esc, unsigned int *map)
{
	struct bt_insn *in = d->in;
	unsigned int r, x = 0, b = 0, w = 0, rp = 0, vp = 0;
	uint8_t p0, p1, p2 = 0;
	int ret;

	/* 66, F2, F3, LOCK or REX before these is #UD (SDM vol. 2, 2.3.2). */
	if (in->rex || (in->prefixes & (BT_PFX_LOCK | BT_PFX_OPSIZE |
					BT_PFX_REP | BT_PFX_REPNE)))
		return -VMI_EINVAL;
	in->enc = esc == 0x62 ? BT_ENC_EVEX :
		  esc == 0x8f ? BT_ENC_XOP : BT_ENC_VEX;
	ret = bt_fetch(d, &p0);
	if (ret)
		return ret;
	in->vex.raw[0] = p0;
	r = !(p0 & 0x80);
	if (esc == 0xc5) {
		*map = BT_MAP_0F;
		p1 = p0; /* vvvv, L, pp sit where the 3-byte form has them */
	} else {
		x = !(p0 & 0x40);
		b = !(p0 & 0x20);
		/* EVEX P0 bit 3 is fixed to 0 (SDM vol. 2, Table 2-30). */
		*map = esc == 0x62 ? p0 & 0x0f : p0 & 0x1f;
		if (!bt_vex_map_ok(in->enc, *map))
			return -VMI_EINVAL;
		ret = bt_fetch(d, &p1);
		if (ret)
			return ret;
		in->vex.raw[1] = p1;
		w = p1 >> 7;
	}
	in->vex.vvvv = (~p1 >> 3) & 15;
	in->vex.l = (p1 >> 2) & 1;
	in->simd_prefix = p1 & 3;
	/* XOP.pp must be 0 (APM vol. 3, 1.8.2); EVEX P1 bit 2 is 1. */
	if ((in->enc == BT_ENC_XOP && in->simd_prefix) ||
	    (in->enc == BT_ENC_EVEX && !(p1 & 0x04)))
		return -VMI_EINVAL;
	if (in->enc == BT_ENC_EVEX) {
		ret = bt_fetch(d, &p2);
		if (ret)
			return ret;
		in->vex.raw[2] = p2;
		rp = !(p0 & 0x10);
		in->vex.z = p2 >> 7;
		in->vex.l = (p2 >> 5) & 3;
		in->vex.b = (p2 >> 4) & 1;
		vp = !(p2 & 0x08);
		in->vex.aaa = p2 & 7;
	}
	/*
	 * Outside 64-bit mode only 8 registers exist: the extension bits are
	 * ignored (R and X were forced to 1 by the mod == 3 test), but
	 * EVEX.V' must still read 1 (SDM vol. 2, Table 2-39).
	 */
	if (!bt_is64(d)) {
		if (vp)
			return -VMI_EINVAL;
		b = rp = 0;
		in->vex.vvvv &= 7;
	}
	in->vex.vvvv |= vp << 4;
	in->vex.w = w;
	in->wrxb = w << 3 | r << 2 | x << 1 | b;
	/* EVEX.R' is bit 4 of ModRM.reg; V' is bit 4 of a VSIB index. */
	in->reg = rp << 4;
	d->evex_vp = vp;
	return 0;
}

/* VEX/EVEX map 2 and 3 opcodes that store to their ModRM operand. */
static bool bt_vex_stores(const struct bt_insn *in, unsigned int map,
			  uint8_t op)
{
	if (map == BT_MAP_0F3A)
		return (op >= 0x14 && op <= 0x17) || op == 0x19 || op == 0x1b ||
		       op == 0x1d || op == 0x39 || op == 0x3b;
	if (map != BT_MAP_0F38)
		return false;
	if (in->enc == BT_ENC_VEX)
		return op == 0x2e || op == 0x2f || op == 0x8e || /* masked */
		       (op == 0x49 && in->simd_prefix == BT_PP_66) ||
		       (op == 0x4b && in->simd_prefix == BT_PP_F3); /* AMX */
	/* EVEX: VPMOV* down-conversions, compresses, scatters. */
	if (in->simd_prefix == BT_PP_F3 && (op & 0xcf) <= 0x05 && op >= 0x10 &&
	    op <= 0x35)
		return true;
	return op == 0x8a || op == 0x8b || op == 0x63 ||
	       (op >= 0xa0 && op <= 0xa3);
}

/* Descriptor for a VEX/EVEX/XOP opcode (after the bitmap check). */
static int bt_vex_desc(struct bt_dec *d, unsigned int map, uint8_t op)
{
	struct bt_insn *in = d->in;
	struct bt_opdesc *o = &d->op;

	if (in->enc == BT_ENC_XOP) {
		static const uint8_t imm[3] = { BT_IMM_B, BT_IMM_NONE,
						BT_IMM_D };
		*o = (struct bt_opdesc){ BT_F_MODRM | BT_F_MEM_R | BT_F_SIMD,
					 BT_D_VALID, imm[map - 8],
					 BT_SIZE(BT_SZ_Y, BT_MSZ_UNK), 0 };
		/* TBM/LWP (map 9 01/02/12, map A) work on GPRs. */
		if (map == BT_MAP_XOPA || op == 0x01 || op == 0x02 ||
		    op == 0x12)
			o->attr &= ~BT_F_SIMD;
		return 0;
	}
	/*
	 * Map 1 mostly repeats the SSE opcodes of 0F xx, whose rows give
	 * ModRM, immediate, direction and size; the rest (k-register ops,
	 * AVX-512 conversions at 78-7B) get the generic row below.
	 */
	if (map == BT_MAP_0F) {
		if (in->enc == BT_ENC_VEX && (op & 0xf0) == 0x90)
			*o = bt_op_vex_k[op & 15];
		else
			*o = bt_op_0f[op];
		if (o->attr & BT_F_SIMD || op == 0xae) {
			/* Groups do not apply; AE is checked after ModRM. */
			o->dec &= ~BT_D_GROUP;
			if (op >= 0x71 && op <= 0x73 && in->enc == BT_ENC_EVEX)
				o->dec &= ~BT_D_REGONLY; /* memory source */
			o->attr |= BT_F_SIMD;
			return 0;
		}
	}
	*o = (struct bt_opdesc){ BT_F_MODRM | BT_F_SIMD, BT_D_VALID,
				 map == BT_MAP_0F3A ? BT_IMM_B : BT_IMM_NONE,
				 BT_SIZE(BT_SZ_Y, BT_MSZ_UNK), 0 };
	o->attr |= bt_vex_stores(in, map, op) ? BT_F_MEM_W : BT_F_MEM_R;
	if (map == BT_MAP_0F38 &&
	    ((op >= 0x90 && op <= 0x93) ||
	     (in->enc == BT_ENC_EVEX &&
	      ((op >= 0xa0 && op <= 0xa3) || op == 0xc6 || op == 0xc7))))
		o->attr |= BT_F_VSIB;
	/* BMI1/BMI2, RORX and CMPccXADD operate on GPRs. */
	if (in->enc == BT_ENC_VEX &&
	    ((map == BT_MAP_0F38 && (op >= 0xf2 || (op & 0xf0) == 0xe0)) ||
	     (map == BT_MAP_0F3A && op == 0xf0)))
		o->attr &= ~BT_F_SIMD;
	if (in->enc == BT_ENC_VEX && map == BT_MAP_0F38 &&
	    (op & 0xf0) == 0xe0) /* CMPccXADD: locked read-modify-write */
		o->attr |= BT_F_MEM_W;
	return 0;
}

int bt_decode_vex(struct bt_dec *d, uint8_t esc)
{
	struct bt_insn *in = d->in;
	unsigned int map;
	uint8_t op;
	int ret;

	ret = bt_vex_prefix(d, esc, &map);
	if (!ret)
		ret = bt_fetch(d, &op);
	if (ret)
		return ret;
	in->map = map;
	in->opcode = op;
	in->opcode_off = d->pos - 1;
	/* Unknown opcodes fail here; a wrong VEX.pp after ModRM. */
	if (in->enc == BT_ENC_VEX ? !bt_vex_ok[map][op] :
	    in->enc == BT_ENC_EVEX ? !bt_evex_ok[map][op] :
	    !bt_bit(bt_valid_xop[map - 8], op))
		return -VMI_EINVAL;
	return bt_vex_desc(d, map, op);
}
