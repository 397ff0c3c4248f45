/*
 * bt-fallback/decode-tables.c - opcode tables of the x86 decoder.
 *
 * Transcribed from Intel SDM vol. 2, appendix A "Opcode Map" (tables A-2
 * one-byte, A-3 two-byte, A-4/A-5 three-byte, A-6 groups, A-7..A-22 x87)
 * and AMD APM vol. 3, appendix A (3DNow!, XOP, SVM, SSE4a), and
 * cross-checked against GNU binutils 2.40 (see
 * tests/unit/decode/gen/).  Only defined opcodes are listed: an all-zero
 * entry is #UD.
 *
 * Only what decoding needs is recorded: ModRM presence, immediate kind,
 * operand/memory size kind, memory direction, branch kind, privilege and
 * the decode rules.  Whether a SIMD opcode exists with a given mandatory
 * prefix is not recorded (the CPU checks it when executing; the length
 * does not depend on it).
 */
#include "private.h"

/* Entry builders. */
#define OP(a, d, i, s)                                                       \
	{                                                                    \
		.attr = (a), .dec = BT_D_VALID | (d), .imm = (i), .size = (s) \
	}
#define GRP(a, d, i, s, g)                                                   \
	{                                                                    \
		.attr = (a), .dec = BT_D_VALID | BT_D_GROUP | (d), .imm = (i), \
		.size = (s), .grp = (g)                                      \
	}

/* Attribute shorthands. */
#define MO BT_F_MODRM
#define RD BT_F_MEM_R
#define WR BT_F_MEM_W
#define RW (BT_F_MEM_R | BT_F_MEM_W)
#define MR (MO | RD)
#define MW (MO | WR)
#define MRW (MO | RW)
#define STK BT_F_STACK
#define STR (BT_F_STRING | BT_F_IMPLICIT_MEM)
#define OPR BT_F_OPREG
#define SNS BT_F_SENSITIVE
#define PRV (BT_F_PRIV | BT_F_SENSITIVE)
#define IOP (BT_F_IOPL | BT_F_SENSITIVE)
#define SIMD BT_F_SIMD
#define BR(k) (BT_F_BRANCH | BT_OPD_BR(BT_BR_##k))
#define JREL(k) (BR(k) | BT_F_REL)
#define JCND(k) (JREL(k) | BT_F_COND)

/* Decode-rule shorthands. */
#define LK BT_D_LOCK
#define I64 BT_D_I64
#define MEM BT_D_MEMONLY
#define REG BT_D_REGONLY

/* Size shorthands: operand size kind, memory size = operand size. */
#define SV BT_SIZE(BT_SZ_V, BT_MSZ_OP)
#define SB BT_SIZE(BT_SZ_B, BT_MSZ_OP)
#define SW BT_SIZE(BT_SZ_W, BT_MSZ_OP)
#define SZ BT_SIZE(BT_SZ_Z, BT_MSZ_OP)
#define SY BT_SIZE(BT_SZ_Y, BT_MSZ_OP)
#define SD64 BT_SIZE(BT_SZ_D64, BT_MSZ_OP)
#define SF64 BT_SIZE(BT_SZ_F64, BT_MSZ_OP)
#define SNAT BT_SIZE(BT_SZ_NAT, BT_MSZ_OP)
/* Vector operands: the operand-size attribute is meaningless, memory is. */
#define XVL BT_SIZE(BT_SZ_V, BT_MSZ_VL)
#define XMMX BT_SIZE(BT_SZ_V, BT_MSZ_MMX)
#define XPS BT_SIZE(BT_SZ_V, BT_MSZ_PS)
#define XUNK BT_SIZE(BT_SZ_V, BT_MSZ_UNK)
#define XB BT_SIZE(BT_SZ_V, BT_MSZ_B)
#define XW BT_SIZE(BT_SZ_V, BT_MSZ_W)
#define XD BT_SIZE(BT_SZ_V, BT_MSZ_D)
#define XQ BT_SIZE(BT_SZ_V, BT_MSZ_Q)
#define XY BT_SIZE(BT_SZ_V, BT_MSZ_Y)

/* The six ALU forms at op+0..op+5: Eb,Gb Ev,Gv Gb,Eb Gv,Ev AL,Ib rAX,Iz. */
#define ALU(op, dst, lk)                                                     \
	[(op) + 0] = OP(MO | (dst), lk, 0, SB),                              \
	[(op) + 1] = OP(MO | (dst), lk, 0, SV),                              \
	[(op) + 2] = OP(MR, 0, 0, SB), [(op) + 3] = OP(MR, 0, 0, SV),        \
	[(op) + 4] = OP(0, 0, BT_IMM_B, SB), [(op) + 5] = OP(0, 0, BT_IMM_Z, SV)

/* SDM vol. 2, Table A-2: one-byte opcode map. */
const struct bt_opdesc bt_op_1byte[256] = {
	ALU(0x00, RW, LK), /* ADD */
	[0x06] = OP(STK | SNS, I64, 0, SV), /* PUSH ES: selector RPL */
	[0x07] = OP(STK | SNS, I64, 0, SV), /* POP ES: segment load */
	ALU(0x08, RW, LK), /* OR */
	[0x0e] = OP(STK | SNS, I64, 0, SV), /* PUSH CS: reveals CPL */
	/* 0x0f: two-byte escape, handled by the decoder. */
	ALU(0x10, RW, LK), /* ADC */
	[0x16] = OP(STK | SNS, I64, 0, SV), /* PUSH SS */
	[0x17] = OP(STK | SNS, I64, 0, SV), /* POP SS */
	ALU(0x18, RW, LK), /* SBB */
	[0x1e] = OP(STK | SNS, I64, 0, SV), /* PUSH DS */
	[0x1f] = OP(STK | SNS, I64, 0, SV), /* POP DS */
	ALU(0x20, RW, LK), /* AND */
	[0x27] = OP(0, I64, 0, SB), /* DAA */
	ALU(0x28, RW, LK), /* SUB */
	[0x2f] = OP(0, I64, 0, SB), /* DAS */
	ALU(0x30, RW, LK), /* XOR */
	[0x37] = OP(0, I64, 0, SB), /* AAA */
	ALU(0x38, RD, 0), /* CMP: reads its destination only */
	[0x3f] = OP(0, I64, 0, SB), /* AAS */
	/* INC/DEC r: REX prefixes in 64-bit mode, never reach the table. */
	[0x40 ... 0x4f] = OP(OPR, I64, 0, SV),
	[0x50 ... 0x57] = OP(OPR | STK, 0, 0, SD64), /* PUSH r */
	[0x58 ... 0x5f] = OP(OPR | STK, 0, 0, SD64), /* POP r */
	[0x60] = OP(STK, I64, 0, SV), /* PUSHA */
	[0x61] = OP(STK, I64, 0, SV), /* POPA */
	/* BOUND Gv,Ma (62 with mod == 3 is EVEX, also in 32-bit mode). */
	[0x62] = OP(MR, I64 | MEM, 0, BT_SIZE(BT_SZ_V, BT_MSZ_2V)),
	/* ARPL Ew,Gw; MOVSXD in 64-bit mode (bt_op_movsxd). */
	[0x63] = OP(MRW, 0, 0, SW),
	/* 0x64-0x67: prefixes. */
	[0x68] = OP(STK, 0, BT_IMM_Z, SD64), /* PUSH Iz */
	[0x69] = OP(MR, 0, BT_IMM_Z, SV), /* IMUL Gv,Ev,Iz */
	[0x6a] = OP(STK, 0, BT_IMM_B, SD64), /* PUSH Ib */
	[0x6b] = OP(MR, 0, BT_IMM_B, SV), /* IMUL Gv,Ev,Ib */
	[0x6c] = OP(STR | IOP, 0, 0, SB), /* INSB */
	[0x6d] = OP(STR | IOP, 0, 0, SZ), /* INSW/INSD */
	[0x6e] = OP(STR | IOP, 0, 0, SB), /* OUTSB */
	[0x6f] = OP(STR | IOP, 0, 0, SZ), /* OUTSW/OUTSD */
	[0x70 ... 0x7f] = OP(JCND(JCC), 0, BT_IMM_JB, SF64), /* Jcc Jb */
	[0x80] = GRP(MO, 0, BT_IMM_B, SB, BT_GRP_1),
	[0x81] = GRP(MO, 0, BT_IMM_Z, SV, BT_GRP_1),
	[0x82] = GRP(MO, I64, BT_IMM_B, SB, BT_GRP_1), /* alias of 80 */
	[0x83] = GRP(MO, 0, BT_IMM_B, SV, BT_GRP_1),
	[0x84] = OP(MR, 0, 0, SB), /* TEST Eb,Gb */
	[0x85] = OP(MR, 0, 0, SV),
	[0x86] = OP(MRW, LK, 0, SB), /* XCHG Eb,Gb */
	[0x87] = OP(MRW, LK, 0, SV),
	[0x88] = OP(MW, 0, 0, SB), /* MOV Eb,Gb */
	[0x89] = OP(MW, 0, 0, SV),
	[0x8a] = OP(MR, 0, 0, SB), /* MOV Gb,Eb */
	[0x8b] = OP(MR, 0, 0, SV),
	/* MOV Ev,Sw: a memory destination is always 16 bits (SDM MOV). */
	[0x8c] = OP(MW | SNS, 0, 0, BT_SIZE(BT_SZ_V, BT_MSZ_W)),
	[0x8d] = OP(MO, MEM, 0, SV), /* LEA: no memory access */
	[0x8e] = OP(MR | SNS, 0, 0, SW), /* MOV Sw,Ew */
	[0x8f] = GRP(MO, 0, 0, SD64, BT_GRP_1A), /* POP Ev (or XOP) */
	[0x90 ... 0x97] = OP(OPR, 0, 0, SV), /* NOP/PAUSE, XCHG r,rAX */
	[0x98] = OP(0, 0, 0, SV), /* CBW/CWDE/CDQE */
	[0x99] = OP(0, 0, 0, SV), /* CWD/CDQ/CQO */
	[0x9a] = OP(BR(CALL_FAR) | BT_F_FAR | STK | SNS, I64, BT_IMM_AP, SV),
	[0x9b] = OP(BT_F_X87, 0, 0, SV), /* FWAIT */
	[0x9c] = OP(STK | SNS, 0, 0, SD64), /* PUSHF: IF, IOPL visible */
	[0x9d] = OP(STK | SNS, 0, 0, SD64), /* POPF: IF silently kept */
	[0x9e] = OP(0, 0, 0, SB), /* SAHF */
	[0x9f] = OP(0, 0, 0, SB), /* LAHF */
	[0xa0] = OP(RD, 0, BT_IMM_MOFFS, SB), /* MOV AL,Ob */
	[0xa1] = OP(RD, 0, BT_IMM_MOFFS, SV), /* MOV rAX,Ov */
	[0xa2] = OP(WR, 0, BT_IMM_MOFFS, SB), /* MOV Ob,AL */
	[0xa3] = OP(WR, 0, BT_IMM_MOFFS, SV), /* MOV Ov,rAX */
	[0xa4] = OP(STR, 0, 0, SB), /* MOVSB */
	[0xa5] = OP(STR, 0, 0, SV),
	[0xa6] = OP(STR, 0, 0, SB), /* CMPSB */
	[0xa7] = OP(STR, 0, 0, SV),
	[0xa8] = OP(0, 0, BT_IMM_B, SB), /* TEST AL,Ib */
	[0xa9] = OP(0, 0, BT_IMM_Z, SV),
	[0xaa] = OP(STR, 0, 0, SB), /* STOSB */
	[0xab] = OP(STR, 0, 0, SV),
	[0xac] = OP(STR, 0, 0, SB), /* LODSB */
	[0xad] = OP(STR, 0, 0, SV),
	[0xae] = OP(STR, 0, 0, SB), /* SCASB */
	[0xaf] = OP(STR, 0, 0, SV),
	[0xb0 ... 0xb7] = OP(OPR, 0, BT_IMM_B, SB), /* MOV r8,Ib */
	[0xb8 ... 0xbf] = OP(OPR, 0, BT_IMM_V, SV), /* MOV r,Iv (imm64) */
	[0xc0] = GRP(MO, 0, BT_IMM_B, SB, BT_GRP_2),
	[0xc1] = GRP(MO, 0, BT_IMM_B, SV, BT_GRP_2),
	[0xc2] = OP(BR(RET) | STK, 0, BT_IMM_W, SF64), /* RET Iw */
	[0xc3] = OP(BR(RET) | STK, 0, 0, SF64),
	/* LES/LDS (C4/C5 with mod == 3, or in 64-bit mode, are VEX). */
	[0xc4] = OP(MR | SNS, I64 | MEM, 0, BT_SIZE(BT_SZ_V, BT_MSZ_P)),
	[0xc5] = OP(MR | SNS, I64 | MEM, 0, BT_SIZE(BT_SZ_V, BT_MSZ_P)),
	[0xc6] = GRP(MO, 0, BT_IMM_B, SB, BT_GRP_11),
	[0xc7] = GRP(MO, 0, BT_IMM_Z, SV, BT_GRP_11),
	[0xc8] = OP(STK, 0, BT_IMM_WB, SD64), /* ENTER Iw,Ib */
	[0xc9] = OP(STK, 0, 0, SD64), /* LEAVE */
	[0xca] = OP(BR(RET_FAR) | BT_F_FAR | STK | SNS, 0, BT_IMM_W, SV),
	[0xcb] = OP(BR(RET_FAR) | BT_F_FAR | STK | SNS, 0, 0, SV),
	[0xcc] = OP(BR(INT) | SNS, 0, 0, SV), /* INT3 */
	[0xcd] = OP(BR(INT) | SNS, 0, BT_IMM_UB, SV), /* INT Ib */
	[0xce] = OP(BR(INT) | BT_F_COND | SNS, I64, 0, SV), /* INTO */
	[0xcf] = OP(BR(IRET) | BT_F_FAR | STK | SNS, 0, 0, SV), /* IRET */
	[0xd0] = GRP(MO, 0, 0, SB, BT_GRP_2), /* shift Eb,1 */
	[0xd1] = GRP(MO, 0, 0, SV, BT_GRP_2),
	[0xd2] = GRP(MO, 0, 0, SB, BT_GRP_2), /* shift Eb,CL */
	[0xd3] = GRP(MO, 0, 0, SV, BT_GRP_2),
	[0xd4] = OP(0, I64, BT_IMM_UB, SB), /* AAM */
	[0xd5] = OP(0, I64, BT_IMM_UB, SB), /* AAD */
	/* SALC: blank in the SDM map but executed by every CPU outside
	 * 64-bit mode (AMD APM vol. 3, A.1 lists it as invalid in 64-bit). */
	[0xd6] = OP(0, I64, 0, SB),
	[0xd7] = OP(BT_F_IMPLICIT_MEM, 0, 0, SB), /* XLAT: [rBX + AL] */
	[0xd8] = GRP(MO | BT_F_X87, 0, 0, SV, BT_GRP_X87 + 0),
	[0xd9] = GRP(MO | BT_F_X87, 0, 0, SV, BT_GRP_X87 + 1),
	[0xda] = GRP(MO | BT_F_X87, 0, 0, SV, BT_GRP_X87 + 2),
	[0xdb] = GRP(MO | BT_F_X87, 0, 0, SV, BT_GRP_X87 + 3),
	[0xdc] = GRP(MO | BT_F_X87, 0, 0, SV, BT_GRP_X87 + 4),
	[0xdd] = GRP(MO | BT_F_X87, 0, 0, SV, BT_GRP_X87 + 5),
	[0xde] = GRP(MO | BT_F_X87, 0, 0, SV, BT_GRP_X87 + 6),
	[0xdf] = GRP(MO | BT_F_X87, 0, 0, SV, BT_GRP_X87 + 7),
	[0xe0 ... 0xe2] = OP(JCND(LOOP), 0, BT_IMM_JB, SF64), /* LOOPcc */
	[0xe3] = OP(JCND(LOOP), 0, BT_IMM_JB, SF64), /* JrCXZ */
	[0xe4] = OP(IOP, 0, BT_IMM_UB, SB), /* IN AL,Ib */
	[0xe5] = OP(IOP, 0, BT_IMM_UB, SZ),
	[0xe6] = OP(IOP, 0, BT_IMM_UB, SB), /* OUT Ib,AL */
	[0xe7] = OP(IOP, 0, BT_IMM_UB, SZ),
	[0xe8] = OP(JREL(CALL) | STK, 0, BT_IMM_JZ, SF64), /* CALL Jz */
	[0xe9] = OP(JREL(JMP), 0, BT_IMM_JZ, SF64), /* JMP Jz */
	[0xea] = OP(BR(JMP_FAR) | BT_F_FAR | SNS, I64, BT_IMM_AP, SV),
	[0xeb] = OP(JREL(JMP), 0, BT_IMM_JB, SF64), /* JMP Jb */
	[0xec] = OP(IOP, 0, 0, SB), /* IN AL,DX */
	[0xed] = OP(IOP, 0, 0, SZ),
	[0xee] = OP(IOP, 0, 0, SB), /* OUT DX,AL */
	[0xef] = OP(IOP, 0, 0, SZ),
	/* 0xf0: LOCK; 0xf2, 0xf3: REPNE, REP. */
	[0xf1] = OP(BR(INT) | SNS, 0, 0, SV), /* INT1 (ICEBP) */
	[0xf4] = OP(PRV, 0, 0, SV), /* HLT */
	[0xf5] = OP(0, 0, 0, SV), /* CMC */
	[0xf6] = GRP(MO, 0, 0, SB, BT_GRP_3),
	[0xf7] = GRP(MO, 0, 0, SV, BT_GRP_3),
	[0xf8 ... 0xf9] = OP(0, 0, 0, SV), /* CLC, STC */
	[0xfa ... 0xfb] = OP(IOP, 0, 0, SV), /* CLI, STI */
	[0xfc ... 0xfd] = OP(0, 0, 0, SV), /* CLD, STD */
	[0xfe] = GRP(MO, 0, 0, SB, BT_GRP_4),
	[0xff] = GRP(MO, 0, 0, SV, BT_GRP_5),
};

/* 63 in 64-bit mode: MOVSXD Gv,Ez (SDM vol. 2, Table A-2 note). */
const struct bt_opdesc bt_op_movsxd =
	OP(MR, 0, 0, BT_SIZE(BT_SZ_V, BT_MSZ_Z));

/* SDM vol. 2, Table A-3: two-byte opcode map (0F xx). */
const struct bt_opdesc bt_op_0f[256] = {
	[0x00] = GRP(MO, 0, 0, SV, BT_GRP_6),
	[0x01] = GRP(MO, 0, 0, SV, BT_GRP_7),
	[0x02] = OP(MR | SNS, 0, 0, BT_SIZE(BT_SZ_V, BT_MSZ_W)), /* LAR */
	[0x03] = OP(MR | SNS, 0, 0, BT_SIZE(BT_SZ_V, BT_MSZ_W)), /* LSL */
	[0x05] = OP(BR(SYSCALL) | BT_F_FAR | SNS, 0, 0, SV),
	[0x06] = OP(PRV, 0, 0, SV), /* CLTS */
	[0x07] = OP(BR(SYSRET) | BT_F_FAR | PRV, 0, 0, SV),
	[0x08] = OP(PRV, 0, 0, SV), /* INVD */
	[0x09] = OP(PRV, 0, 0, SV), /* WBINVD, F3: WBNOINVD */
	[0x0b] = OP(BT_F_UD, 0, 0, SV), /* UD2 */
	[0x0d] = GRP(MO, MEM, 0, SV, BT_GRP_P), /* PREFETCH/PREFETCHW */
	[0x0e] = OP(SIMD, 0, 0, SV), /* FEMMS */
	/* 0x0f: 3DNow! escape, handled by the decoder. */
	[0x10] = OP(MR | SIMD, 0, 0, XPS), /* MOVUPS/MOVSS/MOVUPD/MOVSD */
	[0x11] = OP(MW | SIMD, 0, 0, XPS),
	[0x12] = OP(MR | SIMD, 0, 0, XUNK), /* MOVLPS/MOVHLPS/MOVDDUP.. */
	[0x13] = OP(MW | SIMD, MEM, 0, XQ), /* MOVLPS/MOVLPD store */
	[0x14 ... 0x15] = OP(MR | SIMD, 0, 0, XVL), /* UNPCKxPx */
	[0x16] = OP(MR | SIMD, 0, 0, XUNK), /* MOVHPS/MOVLHPS/MOVSHDUP */
	[0x17] = OP(MW | SIMD, MEM, 0, XQ), /* MOVHPS/MOVHPD store */
	[0x18] = GRP(MO, 0, 0, SV, BT_GRP_16), /* PREFETCHh, hint NOPs */
	/* Reserved hint NOPs, MPX, CLDEMOTE, ENDBR, NOP Ev: no data access
	 * we need to emulate. */
	[0x19 ... 0x1f] = OP(MO, 0, 0, SV),
	/* MOV to/from CRn/DRn: mod is ignored (SDM vol. 2, MOV CRn). */
	[0x20 ... 0x23] = OP(MO | PRV, BT_D_FORCEREG, 0, SNAT),
	[0x28] = OP(MR | SIMD, 0, 0, XVL), /* MOVAPS/MOVAPD */
	[0x29] = OP(MW | SIMD, 0, 0, XVL),
	[0x2a] = OP(MR | SIMD, 0, 0, XUNK), /* CVTPI2PS.. */
	[0x2b] = OP(MW | SIMD, MEM, 0, XVL), /* MOVNTPS/MOVNTPD */
	[0x2c ... 0x2f] = OP(MR | SIMD, 0, 0, XUNK), /* CVTT.., UCOMIS.. */
	[0x30] = OP(PRV, 0, 0, SV), /* WRMSR */
	[0x31] = OP(SNS, 0, 0, SV), /* RDTSC: CR4.TSD, virtual TSC */
	[0x32] = OP(PRV, 0, 0, SV), /* RDMSR */
	[0x33] = OP(SNS, 0, 0, SV), /* RDPMC: CR4.PCE */
	[0x34] = OP(BR(SYSCALL) | BT_F_FAR | SNS, 0, 0, SV), /* SYSENTER */
	[0x35] = OP(BR(SYSRET) | BT_F_FAR | PRV, 0, 0, SV), /* SYSEXIT */
	[0x37] = OP(PRV, 0, 0, SV), /* GETSEC */
	/* 0x38, 0x3a: three-byte escapes, handled by the decoder. */
	[0x40 ... 0x4f] = OP(MR, 0, 0, SV), /* CMOVcc */
	[0x50] = OP(MO | SIMD, REG, 0, XVL), /* MOVMSKPS/PD */
	[0x51 ... 0x59] = OP(MR | SIMD, 0, 0, XPS), /* SQRT..MUL */
	[0x5a ... 0x5b] = OP(MR | SIMD, 0, 0, XUNK), /* CVT.. */
	[0x5c ... 0x5f] = OP(MR | SIMD, 0, 0, XPS), /* SUB, MIN, DIV, MAX */
	[0x60 ... 0x6d] = OP(MR | SIMD, 0, 0, XMMX), /* PUNPCK, PCMPGT.. */
	[0x6e] = OP(MR | SIMD, 0, 0, XY), /* MOVD/MOVQ Pd/Vd,Ey */
	[0x6f] = OP(MR | SIMD, 0, 0, XMMX), /* MOVQ/MOVDQA/MOVDQU */
	[0x70] = OP(MR | SIMD, 0, BT_IMM_B, XMMX), /* PSHUFW/D/HW/LW */
	[0x71] = GRP(MO | SIMD, REG, BT_IMM_B, XMMX, BT_GRP_12),
	[0x72] = GRP(MO | SIMD, REG, BT_IMM_B, XMMX, BT_GRP_13),
	[0x73] = GRP(MO | SIMD, REG, BT_IMM_B, XMMX, BT_GRP_14),
	[0x74 ... 0x76] = OP(MR | SIMD, 0, 0, XMMX), /* PCMPEQx */
	[0x77] = OP(SIMD, 0, 0, SV), /* EMMS */
	/* VMREAD Ey,Gy / VMWRITE Gy,Ey; 66/F2: SSE4a EXTRQ/INSERTQ. */
	[0x78] = OP(MW | PRV, 0, 0, SNAT),
	[0x79] = OP(MR | PRV, 0, 0, SNAT),
	[0x7c ... 0x7d] = OP(MR | SIMD, 0, 0, XVL), /* HADDPx, HSUBPx */
	[0x7e] = OP(MW | SIMD, 0, 0, XY), /* MOVD/MOVQ Ey,Pd; F3: MOVQ */
	[0x7f] = OP(MW | SIMD, 0, 0, XMMX), /* MOVQ/MOVDQA/MOVDQU store */
	[0x80 ... 0x8f] = OP(JCND(JCC), 0, BT_IMM_JZ, SF64), /* Jcc Jz */
	[0x90 ... 0x9f] = OP(MW, 0, 0, SB), /* SETcc Eb */
	[0xa0] = OP(STK | SNS, 0, 0, SD64), /* PUSH FS */
	[0xa1] = OP(STK | SNS, 0, 0, SD64), /* POP FS */
	[0xa2] = OP(SNS, 0, 0, SV), /* CPUID: must be virtualised */
	[0xa3] = OP(MR, 0, 0, SV), /* BT Ev,Gv */
	[0xa4] = OP(MRW, 0, BT_IMM_B, SV), /* SHLD Ev,Gv,Ib */
	[0xa5] = OP(MRW, 0, 0, SV), /* SHLD Ev,Gv,CL */
	/* VIA PadLock (ModRM C0, C8...; rm = 0): work on ES:rDI, DS:rSI. */
	[0xa6 ... 0xa7] = OP(MO | BT_F_IMPLICIT_MEM, REG, 0, SV),
	[0xa8] = OP(STK | SNS, 0, 0, SD64), /* PUSH GS */
	[0xa9] = OP(STK | SNS, 0, 0, SD64), /* POP GS */
	[0xaa] = OP(PRV, 0, 0, SV), /* RSM: #UD outside SMM */
	[0xab] = OP(MRW, LK, 0, SV), /* BTS */
	[0xac] = OP(MRW, 0, BT_IMM_B, SV), /* SHRD Ev,Gv,Ib */
	[0xad] = OP(MRW, 0, 0, SV), /* SHRD Ev,Gv,CL */
	[0xae] = GRP(MO, 0, 0, SV, BT_GRP_15),
	[0xaf] = OP(MR, 0, 0, SV), /* IMUL Gv,Ev */
	[0xb0] = OP(MRW, LK, 0, SB), /* CMPXCHG Eb,Gb: always writes */
	[0xb1] = OP(MRW, LK, 0, SV),
	[0xb2] = OP(MR | SNS, MEM, 0, BT_SIZE(BT_SZ_V, BT_MSZ_P)), /* LSS */
	[0xb3] = OP(MRW, LK, 0, SV), /* BTR */
	[0xb4] = OP(MR | SNS, MEM, 0, BT_SIZE(BT_SZ_V, BT_MSZ_P)), /* LFS */
	[0xb5] = OP(MR | SNS, MEM, 0, BT_SIZE(BT_SZ_V, BT_MSZ_P)), /* LGS */
	[0xb6] = OP(MR, 0, 0, BT_SIZE(BT_SZ_V, BT_MSZ_B)), /* MOVZX Gv,Eb */
	[0xb7] = OP(MR, 0, 0, BT_SIZE(BT_SZ_V, BT_MSZ_W)), /* MOVZX Gv,Ew */
	[0xb8] = OP(MR, 0, 0, SV), /* F3: POPCNT; else JMPE (#UD) */
	[0xb9] = GRP(MO | BT_F_UD, 0, 0, SV, BT_GRP_10), /* UD1 */
	[0xba] = GRP(MO, 0, BT_IMM_B, SV, BT_GRP_8),
	[0xbb] = OP(MRW, LK, 0, SV), /* BTC */
	[0xbc ... 0xbd] = OP(MR, 0, 0, SV), /* BSF/TZCNT, BSR/LZCNT */
	[0xbe] = OP(MR, 0, 0, BT_SIZE(BT_SZ_V, BT_MSZ_B)), /* MOVSX Gv,Eb */
	[0xbf] = OP(MR, 0, 0, BT_SIZE(BT_SZ_V, BT_MSZ_W)), /* MOVSX Gv,Ew */
	[0xc0] = OP(MRW, LK, 0, SB), /* XADD */
	[0xc1] = OP(MRW, LK, 0, SV),
	[0xc2] = OP(MR | SIMD, 0, BT_IMM_B, XPS), /* CMPccPS.. */
	[0xc3] = OP(MW, MEM, 0, SY), /* MOVNTI My,Gy */
	[0xc4] = OP(MR | SIMD, 0, BT_IMM_B, XW), /* PINSRW */
	[0xc5] = OP(MO | SIMD, REG, BT_IMM_B, SV), /* PEXTRW Gd,Nq,Ib */
	[0xc6] = OP(MR | SIMD, 0, BT_IMM_B, XVL), /* SHUFPS/PD */
	[0xc7] = GRP(MO, 0, 0, SV, BT_GRP_9),
	[0xc8 ... 0xcf] = OP(OPR, 0, 0, SV), /* BSWAP */
	[0xd0 ... 0xd5] = OP(MR | SIMD, 0, 0, XMMX),
	[0xd6] = OP(MW | SIMD, 0, 0, XQ), /* MOVQ Wq,Vq (F3/F2: reg) */
	[0xd7] = OP(MO | SIMD, REG, 0, SV), /* PMOVMSKB */
	[0xd8 ... 0xe5] = OP(MR | SIMD, 0, 0, XMMX),
	[0xe6] = OP(MR | SIMD, 0, 0, XUNK), /* CVTxPD2DQ, CVTDQ2PD */
	[0xe7] = OP(MW | SIMD, MEM, 0, XMMX), /* MOVNTQ/MOVNTDQ */
	[0xe8 ... 0xf6] = OP(MR | SIMD, 0, 0, XMMX),
	/* MASKMOVQ/MASKMOVDQU: stores through DS:rDI. */
	[0xf7] = OP(MO | SIMD | BT_F_IMPLICIT_MEM, REG, 0, XMMX),
	[0xf8 ... 0xfe] = OP(MR | SIMD, 0, 0, XMMX),
	[0xff] = OP(MO | BT_F_UD, 0, 0, SV), /* UD0 (Intel: with ModRM) */
};

/*
 * SDM vol. 2, Table A-4: three-byte map 0F 38 (no immediate).  F0/F1/F6
 * change meaning with the mandatory prefix; the decoder adjusts them.
 */
const struct bt_opdesc bt_op_0f38[256] = {
	[0x00 ... 0x0b] = OP(MR | SIMD, 0, 0, XMMX), /* SSSE3 */
	[0x10] = OP(MR | SIMD, 0, 0, XVL), /* PBLENDVB */
	[0x14 ... 0x15] = OP(MR | SIMD, 0, 0, XVL), /* BLENDVPS/PD */
	[0x17] = OP(MR | SIMD, 0, 0, XVL), /* PTEST */
	[0x1c ... 0x1e] = OP(MR | SIMD, 0, 0, XMMX), /* PABSx */
	[0x20 ... 0x25] = OP(MR | SIMD, 0, 0, XUNK), /* PMOVSXxx */
	[0x28 ... 0x29] = OP(MR | SIMD, 0, 0, XVL),
	[0x2a] = OP(MR | SIMD, MEM, 0, XVL), /* MOVNTDQA */
	[0x2b] = OP(MR | SIMD, 0, 0, XVL),
	[0x30 ... 0x35] = OP(MR | SIMD, 0, 0, XUNK), /* PMOVZXxx */
	[0x37 ... 0x41] = OP(MR | SIMD, 0, 0, XVL),
	/* INVEPT, INVVPID, INVPCID Gy,Mdq. */
	[0x80 ... 0x82] = OP(MR | PRV, MEM, 0, BT_SIZE(BT_SZ_NAT, BT_MSZ_VL)),
	[0xc8 ... 0xcd] = OP(MR | SIMD, 0, 0, XVL), /* SHA */
	[0xcf] = OP(MR | SIMD, 0, 0, XVL), /* GF2P8MULB */
	[0xd8] = OP(MR | SIMD, MEM, 0, XUNK), /* AESENC/DECWIDE (Key Locker) */
	[0xdb ... 0xdf] = OP(MR | SIMD, 0, 0, XVL), /* AES, Key Locker */
	[0xf0] = OP(MR, MEM, 0, SV), /* MOVBE Gv,Mv; F2: CRC32 Gd,Eb */
	[0xf1] = OP(MW, MEM, 0, SV), /* MOVBE Mv,Gv; F2: CRC32 Gd,Ev */
	[0xf5] = OP(MW | PRV, MEM, 0, SY), /* 66: WRUSS */
	[0xf6] = OP(MR, 0, 0, SY), /* ADCX/ADOX; no prefix: WRSS */
	/* MOVDIR64B, ENQCMD, ENQCMDS: read 64 bytes at Ev, store to ES:Gv. */
	[0xf8] = OP(MR | BT_F_IMPLICIT_MEM, MEM, 0, XUNK),
	[0xf9] = OP(MW, MEM, 0, SY), /* MOVDIRI */
	[0xfa ... 0xfb] = OP(MO, REG, 0, SV), /* ENCODEKEY128/256 */
	[0xfc] = OP(MRW, MEM, 0, SY), /* AADD/AAND/AOR/AXOR */
};

/* SDM vol. 2, Table A-5: three-byte map 0F 3A (all take an Ib). */
const struct bt_opdesc bt_op_0f3a[256] = {
	[0x08 ... 0x09] = OP(MR | SIMD, 0, BT_IMM_B, XVL), /* ROUNDPS/PD */
	[0x0a ... 0x0b] = OP(MR | SIMD, 0, BT_IMM_B, XUNK), /* ROUNDSS/SD */
	[0x0c ... 0x0e] = OP(MR | SIMD, 0, BT_IMM_B, XVL), /* BLENDx */
	[0x0f] = OP(MR | SIMD, 0, BT_IMM_B, XMMX), /* PALIGNR */
	[0x14] = OP(MW | SIMD, 0, BT_IMM_B, XB), /* PEXTRB */
	[0x15] = OP(MW | SIMD, 0, BT_IMM_B, XW), /* PEXTRW */
	[0x16] = OP(MW | SIMD, 0, BT_IMM_B, XY), /* PEXTRD/Q */
	[0x17] = OP(MW | SIMD, 0, BT_IMM_B, XD), /* EXTRACTPS */
	[0x20] = OP(MR | SIMD, 0, BT_IMM_B, XB), /* PINSRB */
	[0x21] = OP(MR | SIMD, 0, BT_IMM_B, XD), /* INSERTPS */
	[0x22] = OP(MR | SIMD, 0, BT_IMM_B, XY), /* PINSRD/Q */
	[0x40 ... 0x42] = OP(MR | SIMD, 0, BT_IMM_B, XVL), /* DPPS.. */
	[0x44] = OP(MR | SIMD, 0, BT_IMM_B, XVL), /* PCLMULQDQ */
	[0x60 ... 0x63] = OP(MR | SIMD, 0, BT_IMM_B, XVL), /* PCMPxSTRx */
	[0xcc] = OP(MR | SIMD, 0, BT_IMM_B, XVL), /* SHA1RNDS4 */
	[0xce ... 0xcf] = OP(MR | SIMD, 0, BT_IMM_B, XVL), /* GF2P8AFFINE */
	[0xdf] = OP(MR | SIMD, 0, BT_IMM_B, XVL), /* AESKEYGENASSIST */
	[0xf0] = OP(MO, REG, BT_IMM_B, SV), /* F3: HRESET */
};

/* Group entries valid for both mod != 3 and mod == 3. */
#define BOTH(r, e) [(r)] = e, [(r) + 8] = e

/* x87 register forms: undefined ones are in bt_x87_reg_undef. */
#define X87REG                                                               \
	[8 ... 15] = OP(0, 0, 0, 0)
#define XM(a, msz) OP(a, 0, 0, BT_SIZE(BT_SZ_V, msz))

/* SDM vol. 2, Table A-6 (groups) and A-7..A-22 (x87 escapes). */
const struct bt_opdesc bt_grp[BT_GRP_COUNT][16] = {
	[BT_GRP_1] = {
		/* ADD, OR, ADC, SBB, AND, SUB, XOR; CMP only reads. */
		[0 ... 6] = OP(RW, LK, 0, 0),
		[7] = OP(RD, 0, 0, 0),
		[8 ... 15] = OP(0, 0, 0, 0),
	},
	[BT_GRP_1A] = {
		BOTH(0, OP(WR | STK, 0, 0, 0)), /* POP Ev */
	},
	[BT_GRP_2] = {
		/* ROL, ROR, RCL, RCR, SHL, SHR, SAL (alias), SAR */
		[0 ... 7] = OP(RW, 0, 0, 0),
		[8 ... 15] = OP(0, 0, 0, 0),
	},
	[BT_GRP_3] = {
		/* TEST Ib/Iz (/1 an alias), NOT, NEG, MUL, IMUL, DIV, IDIV */
		BOTH(0, OP(RD, 0, BT_IMM_BZ, 0)),
		BOTH(1, OP(RD, 0, BT_IMM_BZ, 0)),
		BOTH(2, OP(RW, LK, 0, 0)),
		BOTH(3, OP(RW, LK, 0, 0)),
		BOTH(4, OP(RD, 0, 0, 0)),
		BOTH(5, OP(RD, 0, 0, 0)),
		BOTH(6, OP(RD, 0, 0, 0)),
		BOTH(7, OP(RD, 0, 0, 0)),
	},
	[BT_GRP_4] = {
		BOTH(0, OP(RW, LK, 0, 0)), /* INC Eb */
		BOTH(1, OP(RW, LK, 0, 0)), /* DEC Eb */
	},
	[BT_GRP_5] = {
		BOTH(0, OP(RW, LK, 0, 0)), /* INC Ev */
		BOTH(1, OP(RW, LK, 0, 0)), /* DEC Ev */
		BOTH(2, OP(RD | BR(CALL) | BT_F_INDIRECT | STK, 0, 0,
			   BT_SIZE(BT_SZ_F64, 0))),
		BOTH(3, OP(RD | BR(CALL_FAR) | BT_F_INDIRECT | BT_F_FAR | STK |
				   SNS, MEM, 0, BT_SIZE(0, BT_MSZ_P))),
		BOTH(4, OP(RD | BR(JMP) | BT_F_INDIRECT, 0, 0,
			   BT_SIZE(BT_SZ_F64, 0))),
		BOTH(5, OP(RD | BR(JMP_FAR) | BT_F_INDIRECT | BT_F_FAR | SNS,
			   MEM, 0, BT_SIZE(0, BT_MSZ_P))),
		BOTH(6, OP(RD | STK, 0, 0, BT_SIZE(BT_SZ_D64, 0))), /* PUSH */
	},
	[BT_GRP_11] = {
		BOTH(0, OP(WR, 0, 0, 0)), /* MOV Eb,Ib / Ev,Iz */
		/* /7 with ModRM F8 (XABORT, XBEGIN): see the decoder. */
	},
	[BT_GRP_6] = {
		BOTH(0, OP(WR | SNS, 0, 0, BT_SIZE(0, BT_MSZ_W))), /* SLDT */
		BOTH(1, OP(WR | SNS, 0, 0, BT_SIZE(0, BT_MSZ_W))), /* STR */
		BOTH(2, OP(RD | PRV, 0, 0, SW)), /* LLDT */
		BOTH(3, OP(RD | PRV, 0, 0, SW)), /* LTR */
		BOTH(4, OP(RD | SNS, 0, 0, SW)), /* VERR */
		BOTH(5, OP(RD | SNS, 0, 0, SW)), /* VERW */
	},
	[BT_GRP_7] = {
		/* Memory forms; mod == 3 is bt_op_0f01_reg. */
		[0] = OP(WR | SNS, 0, 0, BT_SIZE(0, BT_MSZ_DT)), /* SGDT */
		[1] = OP(WR | SNS, 0, 0, BT_SIZE(0, BT_MSZ_DT)), /* SIDT */
		[2] = OP(RD | PRV, 0, 0, BT_SIZE(0, BT_MSZ_DT)), /* LGDT */
		[3] = OP(RD | PRV, 0, 0, BT_SIZE(0, BT_MSZ_DT)), /* LIDT */
		[4] = OP(WR | SNS, 0, 0, BT_SIZE(0, BT_MSZ_W)), /* SMSW */
		/* /5: F3 RSTORSSK, see the decoder. */
		[6] = OP(RD | PRV, 0, 0, SW), /* LMSW */
		[7] = OP(PRV, 0, 0, 0), /* INVLPG: no data access */
	},
	[BT_GRP_8] = {
		BOTH(4, OP(RD, 0, 0, 0)), /* BT */
		BOTH(5, OP(RW, LK, 0, 0)), /* BTS */
		BOTH(6, OP(RW, LK, 0, 0)), /* BTR */
		BOTH(7, OP(RW, LK, 0, 0)), /* BTC */
	},
	[BT_GRP_9] = {
		[1] = OP(RW, LK, 0, BT_SIZE(0, BT_MSZ_CX)), /* CMPXCHG8B/16B */
		[3] = OP(RD | PRV, 0, 0, BT_SIZE(0, BT_MSZ_UNK)), /* XRSTORS */
		[4] = OP(WR, 0, 0, BT_SIZE(0, BT_MSZ_UNK)), /* XSAVEC */
		[5] = OP(WR | PRV, 0, 0, BT_SIZE(0, BT_MSZ_UNK)), /* XSAVES */
		/* VMPTRLD, 66: VMCLEAR, F3: VMXON; VMPTRST */
		[6] = OP(RD | PRV, 0, 0, BT_SIZE(0, BT_MSZ_Q)),
		[7] = OP(WR | PRV, 0, 0, BT_SIZE(0, BT_MSZ_Q)),
		[14] = OP(0, 0, 0, 0), /* RDRAND; F3: SENDUIPI */
		[15] = OP(0, 0, 0, 0), /* RDSEED; F3: RDPID */
	},
	[BT_GRP_10] = {
		[0 ... 15] = OP(0, 0, 0, 0), /* UD1 Gv,Ev */
	},
	[BT_GRP_12] = {
		[10] = OP(0, 0, 0, 0), /* PSRLW */
		[12] = OP(0, 0, 0, 0), /* PSRAW */
		[14] = OP(0, 0, 0, 0), /* PSLLW */
	},
	[BT_GRP_13] = {
		[10] = OP(0, 0, 0, 0), /* PSRLD */
		[12] = OP(0, 0, 0, 0), /* PSRAD */
		[14] = OP(0, 0, 0, 0), /* PSLLD */
	},
	[BT_GRP_14] = {
		[10] = OP(0, 0, 0, 0), /* PSRLQ */
		[11] = OP(0, 0, 0, 0), /* 66: PSRLDQ */
		[14] = OP(0, 0, 0, 0), /* PSLLQ */
		[15] = OP(0, 0, 0, 0), /* 66: PSLLDQ */
	},
	[BT_GRP_15] = {
		[0] = OP(WR, 0, 0, BT_SIZE(0, BT_MSZ_UNK)), /* FXSAVE */
		[1] = OP(RD, 0, 0, BT_SIZE(0, BT_MSZ_UNK)), /* FXRSTOR */
		[2] = OP(RD | SIMD, 0, 0, BT_SIZE(0, BT_MSZ_D)), /* LDMXCSR */
		[3] = OP(WR | SIMD, 0, 0, BT_SIZE(0, BT_MSZ_D)), /* STMXCSR */
		[4] = OP(WR, 0, 0, BT_SIZE(0, BT_MSZ_UNK)), /* XSAVE */
		[5] = OP(RD, 0, 0, BT_SIZE(0, BT_MSZ_UNK)), /* XRSTOR */
		[6] = OP(WR, 0, 0, BT_SIZE(0, BT_MSZ_UNK)), /* XSAVEOPT */
		[7] = OP(0, 0, 0, 0), /* CLFLUSH: no data access */
		/* F3: RDFSBASE, RDGSBASE, WRFSBASE, WRGSBASE, INCSSP. */
		[8 ... 12] = OP(0, 0, 0, BT_SIZE(BT_SZ_Y, 0)),
		[13 ... 15] = OP(0, 0, 0, 0), /* LFENCE, MFENCE, SFENCE */
	},
	[BT_GRP_16] = {
		[0 ... 15] = OP(0, 0, 0, 0), /* PREFETCHh; hint NOPs */
	},
	[BT_GRP_P] = {
		[0 ... 7] = OP(0, 0, 0, 0), /* PREFETCH, PREFETCHW, aliases */
	},
	[BT_GRP_X87 + 0] = { /* D8: m32fp arithmetic */
		[0 ... 7] = XM(RD, BT_MSZ_D), X87REG,
	},
	[BT_GRP_X87 + 1] = { /* D9 */
		[0] = XM(RD, BT_MSZ_D), /* FLD m32fp */
		[2] = XM(WR, BT_MSZ_D), /* FST */
		[3] = XM(WR, BT_MSZ_D), /* FSTP */
		[4] = XM(RD, BT_MSZ_UNK), /* FLDENV */
		[5] = XM(RD, BT_MSZ_W), /* FLDCW */
		[6] = XM(WR, BT_MSZ_UNK), /* FNSTENV */
		[7] = XM(WR, BT_MSZ_W), /* FNSTCW */
		X87REG,
	},
	[BT_GRP_X87 + 2] = { /* DA: m32int arithmetic */
		[0 ... 7] = XM(RD, BT_MSZ_D), X87REG,
	},
	[BT_GRP_X87 + 3] = { /* DB */
		[0] = XM(RD, BT_MSZ_D), /* FILD m32int */
		[1 ... 3] = XM(WR, BT_MSZ_D), /* FISTTP, FIST, FISTP */
		[5] = XM(RD, BT_MSZ_T), /* FLD m80fp */
		[7] = XM(WR, BT_MSZ_T), /* FSTP m80fp */
		X87REG,
	},
	[BT_GRP_X87 + 4] = { /* DC: m64fp arithmetic */
		[0 ... 7] = XM(RD, BT_MSZ_Q), X87REG,
	},
	[BT_GRP_X87 + 5] = { /* DD */
		[0] = XM(RD, BT_MSZ_Q), /* FLD m64fp */
		[1 ... 3] = XM(WR, BT_MSZ_Q), /* FISTTP m64int, FST, FSTP */
		[4] = XM(RD, BT_MSZ_UNK), /* FRSTOR */
		[6] = XM(WR, BT_MSZ_UNK), /* FNSAVE */
		[7] = XM(WR, BT_MSZ_W), /* FNSTSW */
		X87REG,
	},
	[BT_GRP_X87 + 6] = { /* DE: m16int arithmetic */
		[0 ... 7] = XM(RD, BT_MSZ_W), X87REG,
	},
	[BT_GRP_X87 + 7] = { /* DF */
		[0] = XM(RD, BT_MSZ_W), /* FILD m16int */
		[1 ... 3] = XM(WR, BT_MSZ_W), /* FISTTP, FIST, FISTP */
		[4] = XM(RD, BT_MSZ_T), /* FBLD m80bcd */
		[5] = XM(RD, BT_MSZ_Q), /* FILD m64int */
		[6] = XM(WR, BT_MSZ_T), /* FBSTP */
		[7] = XM(WR, BT_MSZ_Q), /* FISTP m64int */
		X87REG,
	},
};

/*
 * SDM vol. 2, Table A-6 group 7 with mod == 3, indexed by ModRM - 0xc0,
 * plus AMD APM vol. 3, appendix A, group 7 (SVM, RDTSCP, CLZERO...).  The
 * grp field holds the mandatory prefixes (bit pp) of the forms that exist
 * only with one; the others ignore prefixes.
 */
#define ONLY(a, pp)                                                          \
	{                                                                    \
		.attr = (a), .dec = BT_D_VALID, .size = SV, .grp = 1 << (pp) \
	}

const struct bt_opdesc bt_op_0f01_reg[64] = {
	[0x00 ... 0x06] = OP(PRV, 0, 0, SV), /* ENCLV, VMCALL..WRMSRNS */
	[0x08 ... 0x0b] = OP(PRV, 0, 0, SV), /* MONITOR, MWAIT, CLAC, STAC */
	[0x0c ... 0x0e] = ONLY(PRV, BT_PP_66), /* SEAMRET, SEAMOPS, SEAMCALL */
	[0x0f] = OP(PRV, 0, 0, SV), /* ENCLS */
	[0x10] = OP(0, 0, 0, SV), /* XGETBV */
	[0x11] = OP(PRV, 0, 0, SV), /* XSETBV */
	[0x14] = OP(SNS, 0, 0, SV), /* VMFUNC */
	[0x15 ... 0x16] = OP(0, 0, 0, SV), /* XEND, XTEST */
	[0x17] = OP(0, 0, 0, SV), /* ENCLU */
	/* VMRUN, VMMCALL, VMLOAD, VMSAVE, STGI, CLGI, SKINIT, INVLPGA */
	[0x18 ... 0x1f] = OP(PRV, 0, 0, SV),
	[0x20 ... 0x27] = OP(SNS, 0, 0, SV), /* SMSW Rv */
	[0x28] = OP(0, 0, 0, SV), /* SERIALIZE, F3 SETSSBSY, F2 XSUSLDTRK */
	[0x29] = ONLY(0, BT_PP_F2), /* XRESLDTRK */
	[0x2a] = ONLY(0, BT_PP_F3), /* SAVEPREVSSP */
	[0x2c] = ONLY(BR(OTHER) | BT_F_FAR | STK, BT_PP_F3), /* UIRET */
	[0x2d] = ONLY(0, BT_PP_F3), /* TESTUI */
	[0x2e ... 0x2f] = OP(0, 0, 0, SV), /* RDPKRU, WRPKRU */
	[0x30 ... 0x37] = OP(PRV, 0, 0, SW), /* LMSW Rw */
	[0x38] = OP(PRV, BT_D_O64, 0, SV), /* SWAPGS */
	[0x39] = OP(SNS, 0, 0, SV), /* RDTSCP */
	[0x3a ... 0x3b] = OP(0, 0, 0, SV), /* MONITORX, MWAITX */
	[0x3c] = OP(0, 0, 0, SV), /* CLZERO */
	[0x3d] = OP(SNS, 0, 0, SV), /* RDPRU */
	[0x3e ... 0x3f] = OP(PRV, 0, 0, SV), /* INVLPGB, TLBSYNC */
};

/* VEX 0F 90-9F: the AVX-512 mask-register moves and tests. */
const struct bt_opdesc bt_op_vex_k[16] = {
	[0x0] = OP(MR | SIMD, 0, 0, XUNK), /* KMOVx k,k/m */
	[0x1] = OP(MW | SIMD, MEM, 0, XUNK), /* KMOVx m,k */
	[0x2 ... 0x3] = OP(MO | SIMD, REG, 0, SV), /* KMOVx k,r / r,k */
	[0x8 ... 0x9] = OP(MO | SIMD, REG, 0, SV), /* KORTESTx, KTESTx */
};

/*
 * Defined XOP opcodes per map (AMD APM vol. 4, appendix A), bit (op & 31)
 * of word op >> 5; XOP.pp must be 0.  VEX and EVEX: decode-masks.c.
 */
const uint32_t bt_valid_xop[3][8] = {
	/* map 8: 85-87 8e-8f 95-97 9e-9f a2-a3 a6 b6 c0-c3 cc-cf ec-ef */
	{ 0x00000000, 0x00000000, 0x00000000, 0x00000000,
	  0xc0e0c0e0, 0x0040004c, 0x0000f00f, 0x0000f000 },
	/* map 9: 01-02 12 80-83 90-9b c1-c3 c6-c7 cb d1-d3 d6-d7 db e1-e3 */
	{ 0x00040006, 0x00000000, 0x00000000, 0x00000000,
	  0x0fff000f, 0x00000000, 0x08ce08ce, 0x0000000e },
	/* map A: 10 12 (BEXTR, LWPINS/LWPVAL: Id) */
	{ 0x00050000, 0x00000000, 0x00000000, 0x00000000,
	  0x00000000, 0x00000000, 0x00000000, 0x00000000 },
};

/* AMD APM vol. 3, Table A-16: 3DNow! suffixes 0c 0d 1c 1d 8a 8e 90 94 96
 * 97 9a 9e a0 a4 a6 a7 aa ae b0 b4 b6 b7 bb bf. */
const uint32_t bt_valid_3dnow[8] = {
	0x30003000, 0x00000000, 0x00000000, 0x00000000,
	0x44d14400, 0x88d144d1, 0x00000000, 0x00000000,
};

/*
 * x87 register forms left blank in SDM vol. 2, Tables A-8..A-22 (for
 * ModRM c0-ff: word 0 is c0-df, word 1 e0-ff).  Some of them are
 * undocumented aliases on real CPUs (FXCH4, FSTP1...); like binutils we
 * follow the manual.
 */
const uint32_t bt_x87_reg_undef[8][2] = {
	{ 0x00000000, 0x00000000 }, /* D8 */
	{ 0xfffe0000, 0x000080cc }, /* D9: d1-df e2 e3 e6 e7 ef */
	{ 0x00000000, 0xfffffdff }, /* DA: e0-e8 ea-ff */
	{ 0x00000000, 0xff0000c0 }, /* DB: e6 e7 f8-ff */
	{ 0xffff0000, 0x00000000 }, /* DC: d0-df */
	{ 0x0000ff00, 0xffff0000 }, /* DD: c8-cf f0-ff */
	{ 0xfdff0000, 0x00000000 }, /* DE: d0-d8 da-df */
	{ 0xffffff00, 0xff0000fe }, /* DF: c8-df e1-e7 f8-ff */
};
