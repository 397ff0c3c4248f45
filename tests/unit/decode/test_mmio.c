/*
 * The forms the MMIO emulator meets when a guest touches a device page:
 * what it needs is the direction (MEM_R / MEM_W), the width (memsize),
 * the register (reg / opreg) or immediate on the other side, and the
 * address (base, index, scale, disp, segment).
 */
#include <CUnit/CUnit.h>

#include "decode-test.h"

#define R BT_F_MEM_R
#define W BT_F_MEM_W
#define RW (BT_F_MEM_R | BT_F_MEM_W)
#define ONLY_R SET(R), CLR(W)
#define ONLY_W SET(W), CLR(R)
#define BOTH SET(RW)

static const struct tvec mmio64[] = {
	/* MOV r/m,reg and reg,r/m: every size, both directions. */
	T(M64, "\x88\x07", ONLY_W, MEMSZ(1), REG(0), MEMOP(7, NONE, 1, 0, DS)),
	T(M64, "\x89\x07", ONLY_W, MEMSZ(4), REG(0)),
	T(M64, "\x66\x89\x07", ONLY_W, MEMSZ(2)),
	T(M64, "\x48\x89\x07", ONLY_W, MEMSZ(8)),
	T(M64, "\x44\x89\x47\x10", ONLY_W, MEMSZ(4), REG(8),
	  MEMOP(7, NONE, 1, 0x10, DS)),
	T(M64, "\x41\x89\x07", MEMOP(15, NONE, 1, 0, DS)),
	T(M64, "\x8a\x07", ONLY_R, MEMSZ(1), REG(0)),
	T(M64, "\x8a\x27", ONLY_R, MEMSZ(1), REG(4), REX(0)), /* AH */
	T(M64, "\x40\x8a\x37", ONLY_R, MEMSZ(1), REG(6), REX(0x40)), /* SIL */
	T(M64, "\x8b\x07", ONLY_R, MEMSZ(4)),
	T(M64, "\x66\x8b\x07", ONLY_R, MEMSZ(2)),
	T(M64, "\x48\x8b\x87\x00\x01\x00\x00", ONLY_R, MEMSZ(8),
	  MEMOP(7, NONE, 1, 0x100, DS)),
	T(M64, "\x4c\x8b\x0c\xca", ONLY_R, MEMSZ(8), REG(9),
	  MEMOP(2, 1, 8, 0, DS)),
	/* MOV r/m,imm. */
	T(M64, "\xc6\x07\x12", ONLY_W, MEMSZ(1), IMM(1, 0x12)),
	T(M64, "\x66\xc7\x07\x34\x12", ONLY_W, MEMSZ(2), IMM(2, 0x1234)),
	T(M64, "\xc7\x07\x78\x56\x34\x12", ONLY_W, MEMSZ(4),
	  IMM(4, 0x12345678)),
	T(M64, "\x48\xc7\x07\x00\x00\x00\x80", ONLY_W, MEMSZ(8),
	  IMM(4, -0x80000000LL)), /* sign-extended to 64 */
	/* MOV with moffs. */
	T(M64, "\xa0\x00\x00\xe0\xfe\x00\x00\x00\x00", ONLY_R, MEMSZ(1),
	  MEMOP(NONE, NONE, 1, 0xfee00000, DS), SET(BT_F_MOFFS)),
	T(M64, "\x48\xa3\x00\x00\xe0\xfe\x00\x00\x00\x00", ONLY_W, MEMSZ(8)),
	/* MOVZX, MOVSX, MOVSXD: memory width differs from the register. */
	T(M64, "\x0f\xb6\x07", ONLY_R, MEMSZ(1), OPSZ(4)),
	T(M64, "\x0f\xb7\x07", ONLY_R, MEMSZ(2), OPSZ(4)),
	T(M64, "\x66\x0f\xb6\x07", MEMSZ(1), OPSZ(2)),
	T(M64, "\x48\x0f\xbe\x07", ONLY_R, MEMSZ(1), OPSZ(8)),
	T(M64, "\x48\x0f\xbf\x07", ONLY_R, MEMSZ(2), OPSZ(8)),
	T(M64, "\x48\x63\x07", ONLY_R, MEMSZ(4), OPSZ(8)),
	/* MOVS/STOS (REP): implicit rSI/rDI operands. */
	T(M64, "\xf3\xa4", MEMSZ(1), SET(BT_F_STRING | BT_F_REP),
	  MEMOP(6, NONE, 1, 0, DS), ADSZ(8)),
	T(M64, "\xf3\xa5", MEMSZ(4), OPSZ(4)),
	T(M64, "\xf3\x66\xa5", MEMSZ(2)),
	T(M64, "\xf3\x48\xa5", MEMSZ(8)),
	T(M64, "\xf3\x67\xa5", ADSZ(4)),
	T(M64, "\xf3\xaa", MEMSZ(1), MEMOP(7, NONE, 1, 0, ES)),
	T(M64, "\xf3\x48\xab", MEMSZ(8), MEMOP(7, NONE, 1, 0, ES)),
	T(M64, "\xab", MEMSZ(4), CLR(BT_F_REP)),
	T(M64, "\x65\xf3\xa4", MEMOP(6, NONE, 1, 0, GS)),
	T(M64, "\xad", MEMSZ(4), MEMOP(6, NONE, 1, 0, DS)), /* LODS */
	/* ALU to memory: read-modify-write; CMP and TEST only read. */
	T(M64, "\x01\x07", BOTH, MEMSZ(4)),
	T(M64, "\x09\x07", BOTH), T(M64, "\x11\x07", BOTH),
	T(M64, "\x19\x07", BOTH), T(M64, "\x21\x07", BOTH),
	T(M64, "\x29\x07", BOTH), T(M64, "\x31\x07", BOTH),
	T(M64, "\x39\x07", ONLY_R, MEMSZ(4)),
	T(M64, "\x3b\x07", ONLY_R), /* CMP r,m */
	T(M64, "\x03\x07", ONLY_R), /* ADD r,m: memory is the source */
	T(M64, "\x85\x07", ONLY_R, MEMSZ(4)),
	T(M64, "\x84\x07", ONLY_R, MEMSZ(1)),
	T(M64, "\x83\x07\x01", BOTH, MEMSZ(4), IMM(1, 1)),
	T(M64, "\x48\x83\x2f\xff", BOTH, MEMSZ(8), IMM(1, -1)),
	T(M64, "\x81\x37\x78\x56\x34\x12", BOTH, IMM(4, 0x12345678)),
	T(M64, "\x80\x0f\x80", BOTH, MEMSZ(1), IMM(1, -128)),
	T(M64, "\x66\x81\x27\xff\x00", BOTH, MEMSZ(2), IMM(2, 0xff)),
	T(M64, "\x83\x3f\x00", ONLY_R), /* CMP m,imm */
	T(M64, "\xf6\x07\x01", ONLY_R, MEMSZ(1), IMM(1, 1)), /* TEST */
	T(M64, "\xf7\x07\x00\x01\x00\x00", ONLY_R, IMM(4, 0x100)),
	T(M64, "\xf7\x17", BOTH, NOIMM), /* NOT */
	T(M64, "\xf7\x1f", BOTH), /* NEG */
	T(M64, "\xfe\x07", BOTH, MEMSZ(1)), /* INC */
	T(M64, "\xff\x0f", BOTH, MEMSZ(4)), /* DEC */
	T(M64, "\xf0\x83\x07\x01", BOTH, SET(BT_F_LOCK)),
	T(M64, "\xd1\x27", BOTH, MEMSZ(4)), /* SHL m,1 */
	/* XCHG, CMPXCHG, XADD: always read and write. */
	T(M64, "\x87\x07", BOTH, MEMSZ(4), REG(0)),
	T(M64, "\x86\x0f", BOTH, MEMSZ(1), REG(1)),
	T(M64, "\x48\x87\x07", MEMSZ(8)),
	T(M64, "\x0f\xb1\x0f", BOTH, MEMSZ(4), REG(1)),
	T(M64, "\xf0\x0f\xb1\x0f", BOTH, SET(BT_F_LOCK)),
	T(M64, "\x0f\xb0\x0f", BOTH, MEMSZ(1)),
	T(M64, "\xf0\x48\x0f\xc7\x0f", BOTH, MEMSZ(16)),
	T(M64, "\xf0\x0f\xc1\x07", BOTH, MEMSZ(4)),
	/* BT family. */
	T(M64, "\x0f\xa3\x07", ONLY_R, MEMSZ(4)),
	T(M64, "\x48\x0f\xab\x07", BOTH, MEMSZ(8)),
	T(M64, "\x0f\xb3\x07", BOTH), T(M64, "\x0f\xbb\x07", BOTH),
	T(M64, "\x0f\xba\x27\x03", ONLY_R, IMM(1, 3)),
	T(M64, "\xf0\x0f\xba\x2f\x05", BOTH, IMM(1, 5)),
	T(M64, "\x66\x0f\xba\x37\x0f", BOTH, MEMSZ(2)),
	/* SETcc, CMOVcc, MOVBE, MOVNTI, MOVDIRI. */
	T(M64, "\x0f\x94\x07", ONLY_W, MEMSZ(1)),
	T(M64, "\x0f\x44\x07", ONLY_R, MEMSZ(4)),
	T(M64, "\x0f\x38\xf0\x07", ONLY_R, MEMSZ(4)),
	T(M64, "\x66\x0f\x38\xf1\x07", ONLY_W, MEMSZ(2)),
	T(M64, "\x0f\xc3\x07", ONLY_W, MEMSZ(4)),
	T(M64, "\x48\x0f\xc3\x07", ONLY_W, MEMSZ(8)),
	T(M64, "\x0f\x38\xf9\x07", ONLY_W, MEMSZ(4)),
	T(M64, "\x48\x0f\x38\xf9\x07", ONLY_W, MEMSZ(8)),
	/* PUSH/POP with a memory operand. */
	T(M64, "\xff\x37", ONLY_R, MEMSZ(8), SET(BT_F_STACK)),
	T(M64, "\x8f\x07", ONLY_W, MEMSZ(8)),
	/* SSE and AVX data moves. */
	T(M64, "\x66\x0f\x6f\x07", ONLY_R, MEMSZ(16)), /* MOVDQA */
	T(M64, "\xf3\x0f\x6f\x07", ONLY_R, MEMSZ(16)), /* MOVDQU */
	T(M64, "\x66\x0f\x7f\x07", ONLY_W, MEMSZ(16)),
	T(M64, "\x0f\x11\x07", ONLY_W, MEMSZ(16)), /* MOVUPS */
	T(M64, "\x0f\x29\x07", ONLY_W, MEMSZ(16)), /* MOVAPS */
	T(M64, "\xf3\x0f\x11\x07", ONLY_W, MEMSZ(4)), /* MOVSS */
	T(M64, "\xf2\x0f\x11\x07", ONLY_W, MEMSZ(8)), /* MOVSD */
	T(M64, "\x66\x0f\xd6\x07", ONLY_W, MEMSZ(8)), /* MOVQ */
	T(M64, "\x66\x0f\x6e\x07", ONLY_R, MEMSZ(4)), /* MOVD xmm,m32 */
	T(M64, "\x66\x48\x0f\x6e\x07", ONLY_R, MEMSZ(8)),
	T(M64, "\x66\x0f\x7e\x07", ONLY_W, MEMSZ(4)), /* MOVD m32,xmm */
	T(M64, "\x0f\x7f\x07", ONLY_W, MEMSZ(8)), /* MOVQ m64,mm */
	T(M64, "\x0f\x2b\x07", ONLY_W, MEMSZ(16)), /* MOVNTPS */
	T(M64, "\x66\x0f\xe7\x07", ONLY_W, MEMSZ(16)), /* MOVNTDQ */
	T(M64, "\x66\x0f\x38\x2a\x07", ONLY_R, MEMSZ(16)), /* MOVNTDQA */
	T(M64, "\xc5\xfe\x6f\x07", ONLY_R, MEMSZ(32), ENC(VEX)),
	T(M64, "\xc5\xfe\x7f\x07", ONLY_W, MEMSZ(32)),
	T(M64, "\xc5\xfa\x6f\x07", ONLY_R, MEMSZ(16)),
	T(M64, "\xc5\xfa\x7f\x47\x20", ONLY_W, MEMSZ(16),
	  MEMOP(7, NONE, 1, 0x20, DS)),
	T(M64, "\xc5\xfd\xe7\x07", ONLY_W, MEMSZ(32)), /* VMOVNTDQ */
	T(M64, "\xc5\xf9\xd6\x07", ONLY_W, MEMSZ(8)), /* VMOVQ */
	T(M64, "\xc5\xf9\x7e\x07", ONLY_W, MEMSZ(4)), /* VMOVD m32 */
	T(M64, "\xc4\xe1\xf9\x7e\x07", ONLY_W, MEMSZ(8)), /* VMOVQ m64 */
	T(M64, "\xc5\xf9\x6e\x07", ONLY_R, MEMSZ(4)),
	T(M64, "\xc5\xfc\x11\x07", ONLY_W, MEMSZ(32)), /* VMOVUPS */
	T(M64, "\xc5\xfa\x10\x07", ONLY_R, MEMSZ(4)), /* VMOVSS */
	T(M64, "\x62\xf1\x7e\x48\x6f\x07", ONLY_R, MEMSZ(64), ENC(EVEX)),
	T(M64, "\x62\xf1\x7e\x48\x7f\x07", ONLY_W, MEMSZ(64)),
	T(M64, "\x62\xf1\x7e\x28\x7f\x07", ONLY_W, MEMSZ(32)),
	T(M64, "\xc4\xe3\x7d\x19\x07\x01", ONLY_W), /* VEXTRACTF128 */
	T(M64, "\xc4\xe2\x7d\x8e\x07", ONLY_W), /* VPMASKMOVD store */
	T(M64, "\xc4\xe2\x7d\x8c\x07", ONLY_R), /* VPMASKMOVD load */
	/* Segment overrides and absolute addresses. */
	T(M64, "\x65\x89\x04\x25\x10\x00\x00\x00", ONLY_W,
	  MEMOP(NONE, NONE, 1, 0x10, GS)),
	T(M64, "\x89\x05\x00\x10\x00\x00", ONLY_W, SET(BT_F_RIPREL),
	  MEMOP(RIP, NONE, 1, 0x1000, DS)),
};

static const struct tvec mmio32[] = {
	/* The local APIC at 0xfee00000: EOI and friends. */
	T(M32, "\xa3\xb0\x00\xe0\xfe", ONLY_W, MEMSZ(4),
	  MEMOP(NONE, NONE, 1, 0xfee000b0, DS), SET(BT_F_MOFFS)),
	T(M32, "\xa1\x20\x00\xe0\xfe", ONLY_R, MEMSZ(4)),
	T(M32, "\x8b\x15\x20\x00\xc0\xfe", ONLY_R, MEMSZ(4), REG(2),
	  MEMOP(NONE, NONE, 1, (int32_t)0xfec00020, DS)),
	T(M32, "\x89\x43\x10", ONLY_W, MEMOP(3, NONE, 1, 0x10, DS)),
	T(M32, "\x89\x44\x24\x04", MEMOP(4, NONE, 1, 4, SS)),
	T(M32, "\x66\x89\x0c\x85\x00\x00\x00\xfe", ONLY_W, MEMSZ(2), REG(1),
	  MEMOP(NONE, 0, 4, (int32_t)0xfe000000, DS)),
	T(M32, "\x88\x45\xff", ONLY_W, MEMSZ(1), MEMOP(5, NONE, 1, -1, SS)),
	T(M32, "\xc7\x05\xb0\x00\xe0\xfe\x00\x00\x00\x00", ONLY_W,
	  MEMSZ(4), IMM(4, 0), DISP(4, (int32_t)0xfee000b0)),
	T(M32, "\x0f\xb6\x06", ONLY_R, MEMSZ(1)),
	T(M32, "\xf3\xa5", MEMSZ(4), ADSZ(4)),
	T(M32, "\xf3\x66\xab", MEMSZ(2), MEMOP(7, NONE, 1, 0, ES)),
	T(M32, "\x67\xf3\xa4", ADSZ(2)),
	T(M32, "\xf0\x09\x03", BOTH, SET(BT_F_LOCK)),
	T(M32, "\x87\x03", BOTH),
	T(M32, "\x0f\xc7\x0e", BOTH, MEMSZ(8)), /* CMPXCHG8B */
	T(M32, "\x64\xa1\x00\x00\x00\x00", MEMOP(NONE, NONE, 1, 0, FS)),
	T(M32, "\xc5\xfe\x6f\x06", ONLY_R, MEMSZ(32)),
	T(M32, "\x8c\x18", ONLY_W, MEMSZ(2)), /* MOV m16,DS */
};

static const struct tvec mmio16[] = {
	T(M16, "\x89\x00", ONLY_W, MEMSZ(2), MEMOP(3, 6, 1, 0, DS)),
	T(M16, "\x66\x89\x00", ONLY_W, MEMSZ(4)),
	T(M16, "\x26\x88\x05", ONLY_W, MEMSZ(1), MEMOP(7, NONE, 1, 0, ES)),
	T(M16, "\x8b\x46\x04", ONLY_R, MEMOP(5, NONE, 1, 4, SS)),
	T(M16, "\xa1\x00\xb8", ONLY_R, MEMOP(NONE, NONE, 1, 0xb800, DS)),
	T(M16, "\xc6\x06\x00\x80\x41", ONLY_W, MEMSZ(1), IMM(1, 0x41),
	  DISP(2, -0x8000)),
	T(M16, "\xf3\xab", MEMSZ(2), MEMOP(7, NONE, 1, 0, ES)),
	T(M16, "\x67\x66\x89\x04\x8b", ONLY_W, MEMSZ(4), ADSZ(4),
	  MEMOP(3, 1, 4, 0, DS)),
};

static void test_mmio_64(void)
{
	RUN(mmio64);
}

static void test_mmio_32(void)
{
	RUN(mmio32);
}

static void test_mmio_16(void)
{
	RUN(mmio16);
}

void register_mmio_tests(void)
{
	CU_pSuite s = CU_add_suite("decode: MMIO forms", NULL, NULL);

	CU_add_test(s, "64-bit memory operands", test_mmio_64);
	CU_add_test(s, "32-bit memory operands", test_mmio_32);
	CU_add_test(s, "16-bit memory operands", test_mmio_16);
}
