/*
 * bt-fallback/private.h - environment and internals shared by the
 * bt-fallback sources.
 *
 * The portable files (decoder, translator core) build both freestanding in
 * the hypervisor (-ffreestanding -nostdinc, where <string.h> is
 * hypervisor/lib's) and on the host for the CUnit suites, so this header
 * pulls in only the freestanding C headers, <string.h> and the VMI error
 * codes.  Nothing here is part of the module's interface.
 */
#ifndef BT_PRIVATE_H
#define BT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vmi/errno.h>
#include <bt/decode.h>

/*
 * Decoder tables (decode-tables.c).
 *
 * Each opcode of a map is described by a struct bt_opdesc: whether it has
 * ModRM, which immediate follows, how its operand and memory sizes are
 * derived, its public BT_F_* attributes and branch kind, and decode rules
 * (valid, invalid in 64-bit mode, lockable, ModRM must be memory or
 * register...).  Opcodes whose meaning depends on ModRM.reg point to a
 * group: 16 entries, [0..7] for mod != 3 and [8..15] for mod == 3, merged
 * over the opcode's own entry (a zero group field inherits it).
 *
 * An all-zero entry is an undefined opcode, so the tables list only the
 * defined ones.
 */
struct bt_opdesc {
	uint32_t attr; /* BT_F_* attributes | BT_OPD_BR(branch kind) */
	uint8_t dec; /* BT_D_* */
	uint8_t imm; /* BT_IMM_* */
	uint8_t size; /* BT_SZ_* | BT_MSZ_* << 4 */
	/* BT_GRP_* when BT_D_GROUP; in bt_op_0f01_reg the mandatory
	 * prefixes (bit pp) a form needs, 0 for any. */
	uint8_t grp;
};

/* Branch kind (BT_BR_*) lives in the top bits of attr, above BT_F_*. */
#define BT_OPD_BR_SHIFT 27
#define BT_OPD_BR(k) ((uint32_t)(k) << BT_OPD_BR_SHIFT)
#define BT_OPD_ATTR_MASK ((1u << BT_OPD_BR_SHIFT) - 1)

/* Decode rules (bt_opdesc.dec). */
#define BT_D_VALID 0x01 /* a defined opcode (zero entries are #UD) */
#define BT_D_GROUP 0x02 /* ModRM.reg selects bt_grp[grp][] */
#define BT_D_I64 0x04 /* #UD in 64-bit mode */
#define BT_D_O64 0x08 /* #UD outside 64-bit mode */
#define BT_D_LOCK 0x10 /* LOCK allowed (memory destination only) */
#define BT_D_MEMONLY 0x20 /* ModRM.mod == 3 is #UD */
#define BT_D_REGONLY 0x40 /* ModRM.mod != 3 is #UD */
#define BT_D_FORCEREG 0x80 /* mod ignored, always a register (MOV CRn) */

/* Immediate kinds (SDM vol. 2, A.2.2 operand codes). */
enum {
	BT_IMM_NONE,
	BT_IMM_B, /* Ib */
	BT_IMM_W, /* Iw */
	BT_IMM_Z, /* Iz: 16 or 32 bits by operand size */
	BT_IMM_V, /* Iv: 16, 32 or 64 bits (B8+r) */
	BT_IMM_D, /* Id (XOP map 0Ah) */
	BT_IMM_WB, /* Iw, Ib (ENTER) */
	BT_IMM_BB, /* Ib, Ib (EXTRQ/INSERTQ) */
	BT_IMM_AP, /* Ap: ptr16:16 / ptr16:32 */
	BT_IMM_MOFFS, /* Ob/Ov: offset sized by address size */
	BT_IMM_JB, /* Jb: rel8 */
	BT_IMM_JZ, /* Jz: rel16/rel32 */
	BT_IMM_BZ, /* group 3 TEST: Ib for F6, Iz for F7 */
	BT_IMM_UB, /* Ib that is unsigned: port, vector, AAM/AAD base */
};

/* Operand-size kinds (low nibble of bt_opdesc.size). */
enum {
	BT_SZ_V, /* operand-size attribute: 2, 4 or 8 */
	BT_SZ_B, /* byte */
	BT_SZ_W, /* word */
	BT_SZ_D, /* doubleword */
	BT_SZ_Q, /* quadword */
	BT_SZ_Z, /* 2 or 4: 32 bits even with REX.W (IN, OUT...) */
	BT_SZ_D64, /* 64-bit mode: 8, or 2 with 66; never 4 */
	BT_SZ_F64, /* 64-bit mode: 8 whatever 66 says (AMD: as D64) */
	BT_SZ_Y, /* 8 with REX.W in 64-bit mode, else 4 */
	BT_SZ_NAT, /* 8 in 64-bit mode, else 4 (MOV CRn/DRn, VMREAD) */
};

/* Memory-size kinds (high nibble of bt_opdesc.size). */
enum {
	BT_MSZ_OP, /* = opsize (when the insn reads or writes memory) */
	BT_MSZ_B,
	BT_MSZ_W,
	BT_MSZ_D,
	BT_MSZ_Q,
	BT_MSZ_Z, /* min(operand size, 4): MOVSXD */
	BT_MSZ_P, /* far pointer: operand size + 2 */
	BT_MSZ_2V, /* BOUND: two operands */
	BT_MSZ_DT, /* descriptor-table register: 6, or 10 in 64-bit mode */
	BT_MSZ_CX, /* CMPXCHG8B / CMPXCHG16B */
	BT_MSZ_VL, /* vector length: 16, or 16/32/64 by VEX.L / EVEX.L'L */
	BT_MSZ_MMX, /* 8 without a mandatory prefix (MMX), else VL */
	BT_MSZ_PS, /* packed (VL) / F3 scalar single (4) / F2 double (8) */
	BT_MSZ_Y, /* 8 with REX.W / VEX.W in 64-bit mode, else 4 */
	BT_MSZ_T, /* 10: x87 m80 */
	BT_MSZ_UNK, /* not described by the tables: memsize 0 */
};

#define BT_SIZE(osz, msz) ((uint8_t)((osz) | (msz) << 4))

/* Groups: SDM vol. 2, Table A-6 and the x87 maps. */
enum {
	BT_GRP_NONE,
	BT_GRP_1, /* 80-83 */
	BT_GRP_1A, /* 8F */
	BT_GRP_2, /* C0, C1, D0-D3 */
	BT_GRP_3, /* F6, F7 */
	BT_GRP_4, /* FE */
	BT_GRP_5, /* FF */
	BT_GRP_11, /* C6, C7 */
	BT_GRP_6, /* 0F 00 */
	BT_GRP_7, /* 0F 01 (mod == 3: bt_op_0f01_reg) */
	BT_GRP_8, /* 0F BA */
	BT_GRP_9, /* 0F C7 */
	BT_GRP_10, /* 0F B9 (UD1) */
	BT_GRP_12, /* 0F 71 */
	BT_GRP_13, /* 0F 72 */
	BT_GRP_14, /* 0F 73 */
	BT_GRP_15, /* 0F AE */
	BT_GRP_16, /* 0F 18 */
	BT_GRP_P, /* 0F 0D (AMD PREFETCH/PREFETCHW) */
	BT_GRP_X87, /* D8 .. DF: BT_GRP_X87 + (opcode - 0xd8) */
	BT_GRP_COUNT = BT_GRP_X87 + 8,
};

extern const struct bt_opdesc bt_op_1byte[256];
extern const struct bt_opdesc bt_op_0f[256];
extern const struct bt_opdesc bt_op_0f38[256];
extern const struct bt_opdesc bt_op_0f3a[256];
extern const struct bt_opdesc bt_grp[BT_GRP_COUNT][16];
extern const struct bt_opdesc bt_op_0f01_reg[64];
extern const struct bt_opdesc bt_op_movsxd;
extern const struct bt_opdesc bt_op_vex_k[16];

/*
 * Bitmaps of defined opcodes, bit (op & 31) of word op >> 5: XOP maps
 * 8-10 (index map - 8) and the 3DNow! suffixes.
 */
extern const uint32_t bt_valid_xop[3][8];
extern const uint32_t bt_valid_3dnow[8];
/*
 * Mandatory prefixes (legacy) or VEX.pp values an opcode exists with, per
 * map: bit pp (BT_PP_*) for a memory ModRM, bit 4 + pp for a register one
 * (decode-masks.c).  Legacy opcodes not selected by a prefix are 0xff;
 * VEX/EVEX opcodes that do not exist are 0.
 */
extern const uint8_t bt_pfx_ok[4][256];
extern const uint8_t bt_vex_ok[4][256];
extern const uint8_t bt_evex_ok[7][256];
/* x87 register forms (mod == 3) that are undefined, per D8..DF. */
extern const uint32_t bt_x87_reg_undef[8][2];

static inline bool bt_bit(const uint32_t *map, unsigned int n)
{
	return (map[n >> 5] >> (n & 31)) & 1;
}

/*
 * Decoder state, shared by decode.c and decode-vex.c.  Every byte is
 * fetched through bt_fetch(), which enforces both the caller's buffer
 * bound and the 15-byte architectural limit.
 */
struct bt_dec {
	const uint8_t *buf;
	size_t avail;
	unsigned int pos; /* next byte to fetch */
	unsigned int mode; /* BT_MODE_16/32/64 */
	bool amd; /* BT_MODE_AMD */
	struct bt_insn *in;
	struct bt_opdesc op; /* descriptor after group merge and fix-ups */
	uint8_t osize; /* operand-size attribute: 2, 4 or 8 */
	uint8_t evex_vp; /* EVEX.V': bit 4 of a VSIB index */
};

static inline int bt_fetch(struct bt_dec *d, uint8_t *b)
{
	/* The 16th byte would make the instruction #GP: it is never read. */
	if (d->pos >= BT_INSN_MAX_LEN)
		return -VMI_E2BIG;
	if (d->pos >= d->avail)
		return -VMI_EAGAIN;
	*b = d->buf[d->pos++];
	return 0;
}

static inline bool bt_is64(const struct bt_dec *d)
{
	return d->mode == BT_MODE_64;
}

/* VEX/EVEX/XOP prefix and opcode after @esc (C4, C5, 62 or 8F). */
int bt_decode_vex(struct bt_dec *d, uint8_t esc);

#endif /* BT_PRIVATE_H */
