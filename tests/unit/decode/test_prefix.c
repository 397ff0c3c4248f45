/*
 * Prefixes, the 15-byte limit and invalid encodings.
 *
 * Prefix classes (SDM vol. 2, 2.1.1): each legacy group alone, repeated
 * (last one wins), mixed, with REX (which must come last: a REX followed
 * by anything but the opcode is ignored, 2.2.1), with mandatory-prefix
 * opcodes, and before VEX/EVEX/XOP (where 66/F2/F3/LOCK/REX are #UD).
 */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "decode-test.h"

#define P_LOCK BT_PFX_LOCK
#define P_REP BT_PFX_REP
#define P_REPNE BT_PFX_REPNE
#define P_OSZ BT_PFX_OPSIZE
#define P_ASZ BT_PFX_ADDRSIZE
#define P_SEG BT_PFX_SEG
#define P_REX BT_PFX_REX
#define P_REXI BT_PFX_REX_IGNORED

static const struct tvec prefix_classes[] = {
	/* Each legacy prefix alone. */
	T(M64, "\xf0\x01\x00", PFX(P_LOCK), NPFX(1), SET(BT_F_LOCK)),
	T(M64, "\xf3\xa4", PFX(P_REP), REP(0xf3), PP(F3)),
	T(M64, "\xf2\xa6", PFX(P_REPNE), REP(0xf2), PP(F2)),
	T(M64, "\x2e\x8b\x00", PFX(P_SEG), SEGOVR(CS), SEG(BT_SEG_CS)),
	T(M64, "\x36\x8b\x00", SEGOVR(SS)), T(M64, "\x3e\x8b\x00", SEGOVR(DS)),
	T(M64, "\x26\x8b\x00", SEGOVR(ES)), T(M64, "\x64\x8b\x00", SEGOVR(FS)),
	T(M64, "\x65\x8b\x00", SEGOVR(GS)),
	T(M64, "\x66\x8b\x00", PFX(P_OSZ), OPSZ(2), ADSZ(8), PP(66)),
	T(M64, "\x67\x8b\x00", PFX(P_ASZ), OPSZ(4), ADSZ(4)),
	T(M32, "\x66\x8b\x00", OPSZ(2), ADSZ(4)),
	T(M32, "\x67\x8b\x00", OPSZ(4), ADSZ(2)),
	T(M16, "\x66\x8b\x00", OPSZ(4), ADSZ(2)),
	T(M16, "\x67\x8b\x00", OPSZ(2), ADSZ(4)),
	T(M64, "\x8b\x00", PFX(0), NPFX(0), SEGOVR(NONE), REP(0), PP(NONE)),
	/* Same group repeated: the last one counts. */
	T(M64, "\x2e\x3e\x26\x8b\x00", SEGOVR(ES), NPFX(3), SEG(BT_SEG_ES)),
	T(M32, "\x64\x65\x8b\x00", SEGOVR(GS)),
	T(M64, "\xf2\xf3\xa4", REP(0xf3), PFX(P_REP | P_REPNE), PP(F3)),
	T(M64, "\xf3\xf2\xa4", REP(0xf2), PP(F2)),
	T(M64, "\x66\x66\x66\x8b\x00", OPSZ(2), NPFX(3)),
	T(M32, "\x67\x67\x8b\x00", ADSZ(2)),
	/* Groups mixed, any order. */
	T(M64, "\x66\x67\x8b\x00", OPSZ(2), ADSZ(4), PFX(P_OSZ | P_ASZ)),
	T(M64, "\x67\x66\x8b\x00", OPSZ(2), ADSZ(4)),
	T(M64, "\xf0\x2e\x66\x67\x01\x00", OPSZ(2), ADSZ(4), NPFX(4),
	  PFX(P_LOCK | P_SEG | P_OSZ | P_ASZ), SEGOVR(CS), SET(BT_F_LOCK)),
	T(M64, "\x67\x66\x2e\xf0\x01\x00", NPFX(4), SET(BT_F_LOCK)),
	T(M16, "\x66\x67\x26\xf3\xa5", OPSZ(4), ADSZ(4), SEGOVR(ES),
	  MEMOP(6, NONE, 1, 0, ES), SET(BT_F_REP)),
	/* REX: only directly before the opcode (SDM vol. 2, 2.2.1). */
	T(M64, "\x48\x89\x18", PFX(P_REX), REX(0x48), WRXB(8), OPSZ(8)),
	T(M64, "\x66\x48\x89\x18", PFX(P_OSZ | P_REX), OPSZ(8)),
	T(M64, "\x48\x66\x89\x18", PFX(P_OSZ | P_REXI), REX(0), WRXB(0),
	  OPSZ(2)), /* REX then 66: REX ignored */
	T(M64, "\x41\x2e\x8b\x00", REX(0), MEMOP(0, NONE, 1, 0, CS),
	  PFX(P_SEG | P_REXI)),
	T(M64, "\x48\x40\x89\x18", REX(0x40), OPSZ(4), PFX(P_REX | P_REXI)),
	T(M64, "\x40\x48\x89\x18", REX(0x48), OPSZ(8)),
	T(M64, "\x40\x88\xe0", REX(0x40), RM(0), REG(4)), /* spl, not ah */
	T(M64, "\x88\xe0", REX(0), RM(0), REG(4)), /* ah */
	T(M64, "\x4f\x8b\x84\xc8\x00\x00\x00\x00", REG(8),
	  MEMOP(8, 9, 8, 0, DS), WRXB(15)),
	T(M32, "\x48", OPREG(0), REX(0)), /* DEC eAX outside 64-bit */
	/* Mandatory prefixes: F2/F3 win over 66, which sizes the operand. */
	T(M64, "\x66\xf3\x0f\xb8\xc1", PP(F3), OPSZ(2)), /* POPCNT r16 */
	T(M64, "\xf3\x66\x0f\xb8\xc1", PP(F3), OPSZ(2)),
	T(M64, "\xf3\x48\x0f\xb8\xc1", PP(F3), OPSZ(8)),
	T(M64, "\x66\x0f\x58\xc1", PP(66)), /* ADDPD */
	T(M64, "\x66\xf2\x0f\x58\xc1", PP(F2)), /* ADDSD */
	T(M64, "\x66\xf2\x0f\x38\xf1\xc1", PP(F2), OPSZ(2)), /* CRC32 r/m16 */
	T(M64, "\xf3\x0f\xae\xc0", PP(F3)), /* RDFSBASE */
	T(M64, "\xf3\x0f\x1e\xfa", PP(F3)), /* ENDBR64 */
	/* Segment and 67 before VEX/EVEX/XOP are fine. */
	T(M64, "\x2e\xc5\xf8\x77", ENC(VEX), SEGOVR(CS)),
	T(M64, "\x67\xc4\xe2\x79\x18\x00", ENC(VEX), ADSZ(4)),
	T(M64, "\x64\x62\xf1\x7c\x48\x10\x00", ENC(EVEX), SEG(BT_SEG_FS)),
	T(M64, "\x67\x8f\xe8\x78\xa2\x00\x00", ENC(XOP), ADSZ(4)),
	T(M32, "\x26\xc5\xf8\x77", ENC(VEX)),
};

static const struct tvec prefix_invalid[] = {
	/* 66, F2, F3, LOCK, REX before VEX/EVEX/XOP: #UD (2.3.2). */
	T(M64, "\x66\xc5\xf8\x77", INVALID),
	T(M64, "\xf3\xc5\xf8\x77", INVALID),
	T(M64, "\xf2\xc4\xe2\x79\x18\x00", INVALID),
	T(M64, "\xf0\xc5\xf8\x77", INVALID),
	T(M64, "\x48\xc5\xf8\x77", INVALID),
	T(M64, "\x40\xc4\xe2\x79\x18\x00", INVALID),
	T(M64, "\x66\x62\xf1\x7c\x48\x10\x00", INVALID),
	T(M64, "\x41\x62\xf1\x7c\x48\x10\x00", INVALID),
	T(M64, "\x66\x8f\xe8\x78\xa2\xc0\x00", INVALID),
	T(M32, "\x66\xc5\xf8\x77", INVALID), /* mod = 3: VEX */
	T(M32, "\xf3\xc4\xe2\x79\x18\x00", INVALID),
	/* LOCK: only RMW instructions with a memory destination. */
	T(M64, "\xf0\x01\xc0", INVALID), /* register destination */
	T(M64, "\xf0\x03\x00", INVALID), /* ADD r,m: destination is a reg */
	T(M64, "\xf0\x89\x00", INVALID), /* MOV */
	T(M64, "\xf0\x8b\x00", INVALID),
	T(M64, "\xf0\x90", INVALID),
	T(M64, "\xf0\x39\x00", INVALID), /* CMP */
	T(M64, "\xf0\x80\x38\x01", INVALID), /* CMP imm */
	T(M64, "\xf0\x85\x00", INVALID), /* TEST */
	T(M64, "\xf0\xf6\x00\x01", INVALID), /* TEST imm */
	T(M64, "\xf0\xf7\x20", INVALID), /* MUL */
	T(M64, "\xf0\xff\x10", INVALID), /* CALL */
	T(M64, "\xf0\xff\x30", INVALID), /* PUSH */
	T(M64, "\xf0\x0f\xba\x20\x01", INVALID), /* BT */
	T(M64, "\xf0\x0f\xa3\x00", INVALID), /* BT */
	T(M64, "\xf0\x0f\xc7\xf0", INVALID), /* RDRAND */
	T(M64, "\xf0\x0f\xb6\x00", INVALID), /* MOVZX */
	T(M64, "\xf0\x0f\x20\xc0", INVALID), /* Intel: no CR8 alias */
	T(M64, "\xf0\xc6\x00\x01", INVALID), /* MOV imm */
	T(M64, "\xf0\xd1\x20", INVALID), /* SHL */
	T(M64, "\xf0\xa4", INVALID), /* MOVS */
	T(M64, "\xf0\x0f\x0f\x00\x9e", INVALID), /* 3DNow! */
	T(M64, "\xf0\x66\x0f\x58\x00", INVALID), /* SSE */
	/* One-byte opcodes that are #UD in 64-bit mode (Table A-2 "i64"). */
	T(M64, "\x06", INVALID), T(M64, "\x07", INVALID),
	T(M64, "\x0e", INVALID), T(M64, "\x16", INVALID),
	T(M64, "\x17", INVALID), T(M64, "\x1e", INVALID),
	T(M64, "\x1f", INVALID), T(M64, "\x27", INVALID),
	T(M64, "\x2f", INVALID), T(M64, "\x37", INVALID),
	T(M64, "\x3f", INVALID), T(M64, "\x60", INVALID),
	T(M64, "\x61", INVALID), T(M64, "\x82", INVALID),
	T(M64, "\x9a", INVALID), T(M64, "\xce", INVALID),
	T(M64, "\xd4", INVALID), T(M64, "\xd5", INVALID),
	T(M64, "\xd6", INVALID), T(M64, "\xea", INVALID),
	/* Undefined opcodes and group members. */
	T(M64, "\x0f\x04", INVALID), T(M64, "\x0f\x0a", INVALID),
	T(M64, "\x0f\x0c", INVALID), T(M64, "\x0f\x24\xc0", INVALID),
	T(M64, "\x0f\x36", INVALID), T(M64, "\x0f\x39", INVALID),
	T(M64, "\x0f\x3b", INVALID), T(M64, "\x0f\x7a", INVALID),
	T(M64, "\x0f\xa6\x00", INVALID), /* PadLock needs mod = 3 */
	T(M64, "\xfe\x10", INVALID), /* FE /2 */
	T(M64, "\xff\x38", INVALID), /* FF /7 */
	T(M64, "\xff\xd8", INVALID), /* CALL far with a register */
	T(M64, "\xff\xe8", INVALID),
	T(M64, "\x8d\xc0", INVALID), /* LEA reg */
	T(M64, "\xc4\x00", INVALID), /* VEX (never LES here), map 0 */
	T(M64, "\x62\xf8", INVALID), /* EVEX P0 bit 3 */
	T(M64, "\x8f\xe8\x79", INVALID), /* XOP.pp != 0 */
	T(M32, "\xc4\xc0\x78\x10\xc0", INVALID), /* VEX map 0 */
	T(M64, "\x8f\x20", INVALID), /* 8F /4 with map < 8 */
	T(M64, "\xc6\x08", INVALID), T(M64, "\xc7\xc8", INVALID),
	T(M64, "\xc6\xf9", INVALID), /* XABORT needs ModRM F8 */
	T(M64, "\xc7\x38", INVALID),
	T(M64, "\x0f\x00\x30", INVALID), T(M64, "\x0f\x00\x38", INVALID),
	T(M64, "\x0f\xba\x00", INVALID), /* BT group /0 */
	T(M64, "\x0f\xc7\x00", INVALID),
	T(M64, "\x0f\xc7\xc8", INVALID), /* CMPXCHG8B with a register */
	T(M64, "\x0f\x01\xc7", INVALID), T(M64, "\x0f\x01\xd2", INVALID),
	T(M64, "\x0f\x01\x28", INVALID), /* /5 memory without F3 */
	T(M64, "\x0f\x01\xe9", INVALID), /* F2 only (XRESLDTRK) */
	T(M32, "\x0f\x01\xf8", INVALID), /* SWAPGS outside 64-bit */
	T(M64, "\x8c\x30", INVALID), /* segment register 6 */
	T(M64, "\x8e\x08", INVALID), /* MOV CS,r/m */
	T(M64, "\x8e\xf8", INVALID),
	T(M64, "\x0f\x20\xc8", INVALID), /* CR1 */
	T(M64, "\x0f\x22\xe8", INVALID), /* CR5 */
	T(M64, "\x44\x0f\x22\xc8", INVALID), /* CR9 */
	T(M64, "\x44\x0f\x21\xc0", INVALID), /* DR8 */
	T(M64, "\xd9\xd8", INVALID), T(M64, "\xdf\xf8", INVALID), /* x87 */
	T(M64, "\x0f\x38\xff\x00", INVALID),
	T(M64, "\x0f\x3a\xff\x00", INVALID),
	T(M64, "\x0f\x0f\xc1\x00", INVALID), /* 3DNow! suffix */
	T(M64, "\x0f\xb8\xc1", INVALID), /* JMPE */
	T(M64, "\x0f\xae\xc0", INVALID), /* RDFSBASE without F3 */
	T(M64, "\x0f\x13\xc0", INVALID), /* MOVLPS needs memory */
	T(M64, "\xf3\x0f\x28\xc1", INVALID), /* MOVAPS is NP */
	T(M64, "\x66\x0f\x77", INVALID), /* EMMS is NP */
	T(M64, "\x0f\x38\x10\xc1", INVALID), /* PBLENDVB needs 66 */
	T(M64, "\x0f\x73\xd8\x01", INVALID), /* PSRLDQ needs 66 */
	/* VEX: undefined map, opcode or VEX.pp. */
	T(M64, "\xc4\xe0\x78\x10\xc0", INVALID), /* map 0 */
	T(M64, "\xc4\xe4\x78\x10\xc0", INVALID), /* map 4 */
	T(M64, "\xc5\xf8\x05", INVALID),
	T(M64, "\xc4\xe2\x79\xff\xc0", INVALID),
	T(M64, "\xc5\xf8\xe4\xc1", INVALID), /* VPMULHUW without 66 */
	T(M64, "\xc5\xf8\xae\x00", INVALID), /* VEX FXSAVE */
	T(M64, "\xc5\xf8\xae\xd0", INVALID), /* VLDMXCSR with a register */
	/* EVEX: fixed bits, maps, L'L = 3, V' outside 64-bit. */
	T(M64, "\x62\xf9\x7c\x48\x10\xc0", INVALID), /* P0 bit 3 */
	T(M64, "\x62\xf1\x78\x48\x10\xc0", INVALID), /* P1 bit 2 */
	T(M64, "\x62\xf4\x7c\x48\x10\xc0", INVALID), /* map 4 */
	T(M64, "\x62\xf7\x7c\x48\x10\xc0", INVALID), /* map 7 */
	T(M64, "\x62\xf1\x7c\x68\x10\x00", INVALID), /* L'L = 3 */
	T(M32, "\x62\xf1\x7c\x40\x10\xc0", INVALID), /* V' */
	/* XOP: pp must be 0; maps 8-10 only; undefined opcodes. */
	T(M64, "\x8f\xe8\x79\xa2\xc0\x00", INVALID),
	T(M64, "\x8f\xeb\x78\xa2\xc0\x00", INVALID),
	T(M64, "\x8f\xe8\x78\x00\xc0", INVALID),
};

static void test_prefix_classes(void)
{
	RUN(prefix_classes);
}

static void test_invalid(void)
{
	RUN(prefix_invalid);
}

/* 15 bytes is the most an instruction may have (SDM vol. 2, 2.3.11). */
static const struct tvec limit[] = {
	/* 14 prefixes + NOP: 15 bytes, fine. */
	T(M64, "\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x90",
	  NPFX(14)),
	/* 15 prefixes: the opcode would be byte 16. */
	T(M64, "\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66",
	  TOOLONG),
	T(M64, "\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66"
	       "\x90",
	  TOOLONG),
	/* LOCK ADD QWORD CS:[rax+rcx*4+disp32], imm32: exactly 15. */
	T(M64, "\xf0\x2e\x2e\x48\x81\x84\x88\x78\x56\x34\x12\x78\x56\x34\x12",
	  SET(BT_F_LOCK), IMM(4, 0x12345678), DISP(4, 0x12345678),
	  OFFS(4, 5, 7, 11)),
	/* ...and with one more prefix the immediate's last byte is #16. */
	T(M64, "\xf0\x2e\x2e\x2e\x48\x81\x84\x88\x78\x56\x34\x12\x78\x56\x34"
	       "\x12",
	  TOOLONG),
	T(M16, "\x66\x67\xf0\x2e\x81\x84\x8b\x78\x56\x34\x12\x78\x56\x34\x12",
	  OPSZ(4), ADSZ(4), MEMOP(3, 1, 4, 0x12345678, CS)),
	T(M16, "\x26\x66\x67\xf0\x2e\x81\x84\x8b\x78\x56\x34\x12\x78\x56\x34"
	       "\x12",
	  TOOLONG),
	/* Longest VEX/EVEX forms. */
	T(M64, "\x2e\x67\x62\xf3\x7d\x48\x19\x84\x88\x78\x56\x34\x12\x01",
	  ENC(EVEX), IMM(1, 1)),
	T(M64, "\x26\x26\x26\x26\x2e\x67\x62\xf3\x7d\x48\x19\x84\x88\x78\x56"
	       "\x34",
	  TOOLONG),
	T(M64, "\x67\x67\x67\x67\x8f\xea\x78\x10\x84\x88\x78\x56\x34\x12\x01",
	  TOOLONG), /* 16th byte would be the last of XOP's imm32 */
	T(M64, "\x67\x67\x67\x8f\xea\x78\x10\x84\x88\x78\x56\x34\x12\x01\x02"
	       "\x03\x04", RET(-VMI_E2BIG)),
};

static void test_limit(void)
{
	RUN(limit);
}

/* Not enough bytes: "need more", never a read past the buffer. */
static void test_short_input(void)
{
	static const struct {
		unsigned int mode;
		const char *b;
		size_t n;
	} heads[] = {
		{ M64, "", 0 },
		{ M64, "\x66", 1 },
		{ M64, "\x48", 1 },
		{ M64, "\xf0\x2e\x48", 3 },
		{ M64, "\x0f", 1 },
		{ M64, "\x0f\x38", 2 },
		{ M64, "\x0f\x3a\x0f", 3 },
		{ M64, "\x0f\x0f\xc1", 3 }, /* 3DNow! suffix missing */
		{ M32, "\xc4", 1 }, /* LES or VEX? */
		{ M32, "\xc5", 1 },
		{ M32, "\x62", 1 }, /* BOUND or EVEX? */
		{ M32, "\x8f", 1 }, /* POP or XOP? */
		{ M64, "\xc4\xe2", 2 },
		{ M64, "\x62\xf1\x7c", 3 },
		{ M64, "\x62\xf1\x7c\x48", 4 },
		{ M64, "\x62\xf1\x7c\x48\x10\x44", 6 }, /* SIB missing */
		{ M64, "\x8b\x04", 2 },
		{ M64, "\x8b\x04\x25\x78\x56", 5 },
		{ M64, "\xe8\x00\x00\x00", 4 },
		{ M16, "\xea\x5b\xe0\x00", 4 },
		{ M64, "\x48\xb8\x01\x02\x03\x04\x05\x06\x07", 9 },
		{ M64, "\xc8\x10\x00", 3 },
	};
	struct bt_insn in;
	size_t i;

	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		CU_ASSERT_EQUAL(decode_exact(heads[i].b, heads[i].n,
					     heads[i].mode, &in),
				-VMI_EAGAIN);
	/* A NULL buffer is an empty one. */
	CU_ASSERT_EQUAL(bt_decode(NULL, 0, BT_MODE_64, &in), -VMI_EAGAIN);
	CU_ASSERT_EQUAL(bt_decode(NULL, 16, BT_MODE_64, &in), -VMI_EAGAIN);
}

/* The caller's loop: fetch byte by byte until the decoder is satisfied. */
static void test_incremental_fetch(void)
{
	static const uint8_t stream[] =
		"\x48\x8b\x05\x78\x56\x34\x12" /* mov rax,[rip+...] */
		"\xc5\xfe\x7f\x00" /* vmovdqu [rax],ymm0 */
		"\xf3\x48\xa5" /* rep movsq */
		"\x0f\x0f\xc1\x9e" /* pfadd */
		"\xe9\x00\x00\x00\x00"; /* jmp */
	static const uint8_t lens[] = { 7, 4, 3, 4, 5 };
	size_t pos = 0, have, k = 0;
	struct bt_insn in;
	int ret;

	while (pos < sizeof(stream) - 1) {
		have = 0;
		do
			ret = decode_exact(stream + pos, ++have, BT_MODE_64,
					   &in);
		while (ret == -VMI_EAGAIN && have < 15);
		CU_ASSERT_EQUAL_FATAL(ret, 0);
		CU_ASSERT_EQUAL(in.len, have);
		CU_ASSERT_EQUAL(in.len, lens[k]);
		pos += in.len;
		k++;
	}
	CU_ASSERT_EQUAL(k, 5);
}

static void test_bad_mode(void)
{
	struct bt_insn in;

	CU_ASSERT_EQUAL(bt_decode((const uint8_t *)"\x90", 1, 3, &in),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(bt_decode((const uint8_t *)"\x90", 1, 0x200, &in),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(bt_decode((const uint8_t *)"\x90", 1, BT_MODE_64,
				  NULL), -VMI_EINVAL);
	CU_ASSERT_EQUAL(bt_decode((const uint8_t *)"\x90", 1,
				  BT_MODE_32 | BT_MODE_AMD, &in), 0);
}

void register_prefix_tests(void)
{
	CU_pSuite s = CU_add_suite("decode: prefixes, limits, invalid", NULL,
				   NULL);

	CU_add_test(s, "prefix classes and REX placement",
		    test_prefix_classes);
	CU_add_test(s, "15-byte limit", test_limit);
	CU_add_test(s, "invalid encodings (#UD)", test_invalid);
	CU_add_test(s, "short input asks for more", test_short_input);
	CU_add_test(s, "incremental fetch loop", test_incremental_fetch);
	CU_add_test(s, "bad arguments", test_bad_mode);
}
