/*
 * Key fields of instructions in each mode: lengths, operand and address
 * sizes, ModRM/SIB/displacement/immediate decoding, the addressing forms
 * (16-bit bx+si..., SIB with and without index or base, RIP-relative),
 * the odd immediates (F6/F7 TEST, ENTER, far pointers, moffs, imm64,
 * 3DNow!, XOP Id) and VEX/EVEX/XOP fields.  Lengths were cross-checked
 * with GNU objdump; the fields follow SDM vol. 2, chapter 2.
 */
#include <CUnit/CUnit.h>

#include "decode-test.h"

#define MRD BT_F_MEM_R
#define MWR BT_F_MEM_W

static const struct tvec mode64[] = {
	/* MOV r/m,reg: sizes from REX.W, 66 and the byte opcode. */
	T(M64, "\x48\x89\x18", OPSZ(8), ADSZ(8), MEMSZ(8), SET(MWR),
	  CLR(MRD), REX(0x48), WRXB(8), MODRM(0x18), MOD(0), REG(3), RM(0),
	  MEMOP(0, NONE, 1, 0, DS), OFFS(1, 2, 0, 0), NODISP, NOIMM),
	T(M64, "\x89\x18", OPSZ(4), MEMSZ(4), REX(0), WRXB(0)),
	T(M64, "\x66\x89\x18", OPSZ(2), MEMSZ(2), PFX(BT_PFX_OPSIZE), NPFX(1),
	  OFFS(1, 2, 0, 0)),
	T(M64, "\x66\x48\x89\x18", OPSZ(8), MEMSZ(8)), /* REX.W wins */
	T(M64, "\x88\x18", OPSZ(1), MEMSZ(1)),
	T(M64, "\x40\x88\x30", OPSZ(1), REX(0x40), REG(6)), /* sil */
	T(M64, "\x4c\x89\x08", REG(9), RM(0), WRXB(0xc)),
	/* RIP-relative, absolute disp32 via SIB, 32-bit address size. */
	T(M64, "\x8b\x05\x78\x56\x34\x12", SET(BT_F_RIPREL | MRD),
	  MEMOP(RIP, NONE, 1, 0x12345678, DS), DISP(4, 0x12345678),
	  OFFS(0, 1, 2, 0), CLR(BT_F_SIB)),
	T(M64, "\x8b\x05\xfc\xff\xff\xff", DISP(4, -4), SET(BT_F_RIPREL)),
	T(M64, "\x67\x8b\x05\x78\x56\x34\x12", ADSZ(4), SET(BT_F_RIPREL),
	  MEMOP(RIP, NONE, 1, 0x12345678, DS), OFFS(1, 2, 3, 0)),
	T(M64, "\x8b\x04\x25\x78\x56\x34\x12", SET(BT_F_SIB), SIB(0x25),
	  MEMOP(NONE, NONE, 1, 0x12345678, DS), CLR(BT_F_RIPREL)),
	T(M64, "\x42\x8b\x04\x25\x78\x56\x34\x12", /* REX.X: r12 index */
	  MEMOP(NONE, 12, 1, 0x12345678, DS)),
	T(M64, "\x8b\x04\x24", MEMOP(4, NONE, 1, 0, SS)), /* [rsp] */
	T(M64, "\x41\x8b\x04\x24", MEMOP(12, NONE, 1, 0, DS)), /* [r12] */
	T(M64, "\x8b\x45\xf8", MEMOP(5, NONE, 1, -8, SS), DISP(1, -8)),
	T(M64, "\x41\x8b\x45\x00", MEMOP(13, NONE, 1, 0, DS), DISP(1, 0)),
	T(M64, "\x8b\x84\xc8\x00\x01\x00\x00", MEMOP(0, 1, 8, 0x100, DS),
	  DISP(4, 0x100)),
	T(M64, "\x4a\x8b\x84\xc8\x00\x01\x00\x00", OPSZ(8),
	  MEMOP(0, 9, 8, 0x100, DS)),
	T(M64, "\x43\x8b\x44\x35\x80", MEMOP(13, 14, 1, -128, DS)),
	T(M64, "\x8b\x44\x65\x00", MEMOP(5, NONE, 2, 0, SS)), /* no index */
	T(M64, "\x8b\x04\x65\x00\x00\x00\x00", MEMOP(NONE, NONE, 2, 0, DS)),
	T(M64, "\x8b\x44\x24\x08", MEMOP(4, NONE, 1, 8, SS)),
	T(M64, "\x64\x48\x8b\x04\x25\x28\x00\x00\x00", SEGOVR(FS),
	  MEMOP(NONE, NONE, 1, 0x28, FS), PFX(BT_PFX_SEG | BT_PFX_REX)),
	T(M64, "\x65\x48\x8b\x04\x25\x00\x00\x00\x00", SEGOVR(GS)),
	/* Immediates. */
	T(M64, "\x48\xb8\x88\x77\x66\x55\x44\x33\x22\x11", OPSZ(8),
	  IMM(8, 0x1122334455667788), OPREG(0), SET(BT_F_OPREG),
	  OFFS(1, 0, 0, 2)),
	T(M64, "\x49\xbb\x01\x00\x00\x00\x00\x00\x00\x80", OPREG(11),
	  IMM(8, (int64_t)0x8000000000000001ull)),
	T(M64, "\xb8\x78\x56\x34\x12", OPSZ(4), IMM(4, 0x12345678)),
	T(M64, "\x66\xb8\x34\x12", OPSZ(2), IMM(2, 0x1234)),
	T(M64, "\x41\xb0\x80", OPSZ(1), OPREG(8), IMM(1, -128)),
	T(M64, "\x48\xc7\xc0\xff\xff\xff\xff", OPSZ(8), IMM(4, -1)),
	T(M64, "\x48\x83\xc0\x80", OPSZ(8), IMM(1, -128)),
	T(M64, "\x48\x81\x00\x78\x56\x34\x12", IMM(4, 0x12345678),
	  MEMSZ(8), SET(MRD | MWR), OFFS(1, 2, 0, 3)),
	T(M64, "\x66\x81\x40\x10\x34\x12", IMM(2, 0x1234), DISP(1, 0x10),
	  OFFS(1, 2, 3, 4), MEMSZ(2)),
	T(M64, "\x80\x44\x24\x10\x7f", IMM(1, 0x7f), OFFS(0, 1, 3, 4)),
	T(M64, "\x6b\xc1\x10", IMM(1, 16)),
	T(M64, "\x69\xc1\x00\x00\x01\x00", IMM(4, 0x10000)),
	/* Group 3: only TEST (/0, /1) has an immediate. */
	T(M64, "\xf6\xc1\x01", IMM(1, 1), OPSZ(1)),
	T(M64, "\xf6\xc9\x01", IMM(1, 1)), /* /1: TEST alias */
	T(M64, "\xf7\xc1\x78\x56\x34\x12", IMM(4, 0x12345678), OPSZ(4)),
	T(M64, "\x66\xf7\xc1\x34\x12", IMM(2, 0x1234), OPSZ(2)),
	T(M64, "\x48\xf7\xc1\xff\xff\xff\xff", IMM(4, -1), OPSZ(8)),
	T(M64, "\xf7\x05\x00\x00\x00\x00\x01\x00\x00\x00", IMM(4, 1),
	  SET(BT_F_RIPREL), OFFS(0, 1, 2, 6)),
	T(M64, "\xf6\xd1", NOIMM), T(M64, "\xf7\xd9", NOIMM),
	T(M64, "\xf6\x20", NOIMM, SET(MRD)), T(M64, "\xf7\x38", NOIMM),
	/* Shifts and rotates. */
	T(M64, "\xc0\xe0\x04", IMM(1, 4), OPSZ(1)),
	T(M64, "\x48\xc1\xe8\x3f", IMM(1, 63), OPSZ(8)),
	T(M64, "\xd1\xe0", NOIMM), T(M64, "\xd3\x20", NOIMM, SET(MRD | MWR)),
	/* ENTER Iw,Ib; RET Iw. */
	T(M64, "\xc8\x10\x00\x02", IMM(2, 0x10), IMM2(1, 2), OPSZ(8)),
	T(M64, "\x66\xc8\x10\x00\x02", IMM(2, 0x10), IMM2(1, 2), OPSZ(2)),
	T(M64, "\xc2\x08\x00", IMM(2, 8), BRANCH(RET), OPSZ(8)),
	/* moffs: sized by the address size, up to 8 bytes. */
	T(M64, "\x48\xa1\x88\x77\x66\x55\x44\x33\x22\x11", OPSZ(8), MEMSZ(8),
	  SET(BT_F_MOFFS | BT_F_MEM | MRD), DISP(8, 0x1122334455667788),
	  MEMOP(NONE, NONE, 1, 0x1122334455667788, DS), OFFS(1, 0, 2, 0)),
	T(M64, "\x67\xa1\x78\x56\x34\x12", ADSZ(4), DISP(4, 0x12345678)),
	T(M64, "\x67\xa0\x00\x00\x00\x80", DISP(4, 0x80000000)), /* zx */
	T(M64, "\xa2\x00\x00\x00\x00\x00\x00\x00\x00", MEMSZ(1), SET(MWR)),
	T(M64, "\x66\xa3\x00\x00\x00\x00\x00\x00\x00\x00", MEMSZ(2)),
	T(M64, "\x65\xa1\x10\x00\x00\x00\x00\x00\x00\x00", SEGOVR(GS),
	  MEMOP(NONE, NONE, 1, 0x10, GS)),
	/* Branches: near ones are 64-bit whatever 66 says (Intel). */
	T(M64, "\xe8\x00\x00\x00\x00", OPSZ(8), BRANCH(CALL), IMM(4, 0),
	  SET(BT_F_BRANCH | BT_F_REL | BT_F_STACK), TARGET(0x1005)),
	T(M64, "\x66\xe8\x00\x00\x00\x00", OPSZ(8), IMM(4, 0)),
	T(M64, "\x48\xe8\xfa\xef\xff\xff", TARGET(0)),
	T(M64, "\x0f\x84\x10\x00\x00\x00", BRANCH(JCC), MAP(0F), OPC(0x84),
	  SET(BT_F_COND | BT_F_REL), TARGET(0x1016)),
	T(M64, "\x66\x0f\x84\x10\x00\x00\x00", OPSZ(8), TARGET(0x1017)),
	T(M64, "\xeb\xfe", IMM(1, -2), TARGET(0x1000), BRANCH(JMP)),
	T(M64, "\x75\x80", TARGET(0x1000 + 2 - 128), BRANCH(JCC)),
	T(M64, "\xe3\x00", BRANCH(LOOP), ADSZ(8)),
	T(M64, "\x67\xe3\x00", BRANCH(LOOP), ADSZ(4)), /* JECXZ */
	T(M64, "\xff\x15\x00\x00\x00\x00", BRANCH(CALL), OPSZ(8), MEMSZ(8),
	  SET(BT_F_INDIRECT | BT_F_RIPREL | MRD)),
	T(M64, "\xff\xe0", BRANCH(JMP), SET(BT_F_INDIRECT), CLR(BT_F_MEM),
	  OPSZ(8)),
	T(M64, "\x41\xff\xd3", BRANCH(CALL), RM(11)),
	/* PUSH/POP: 64-bit by default, 16-bit with 66, never 32. */
	T(M64, "\x50", OPSZ(8), OPREG(0), SET(BT_F_STACK)),
	T(M64, "\x41\x57", OPSZ(8), OPREG(15)),
	T(M64, "\x66\x50", OPSZ(2)),
	T(M64, "\x48\x50", OPSZ(8)),
	T(M64, "\x6a\x80", OPSZ(8), IMM(1, -128)),
	T(M64, "\x68\x78\x56\x34\x12", OPSZ(8), IMM(4, 0x12345678)),
	T(M64, "\x66\x68\x34\x12", OPSZ(2), IMM(2, 0x1234)),
	T(M64, "\xff\x30", OPSZ(8), MEMSZ(8), SET(MRD | BT_F_STACK)),
	T(M64, "\x8f\x00", OPSZ(8), MEMSZ(8), SET(MWR | BT_F_STACK)),
	T(M64, "\x66\x8f\x00", OPSZ(2), MEMSZ(2)),
	T(M64, "\x9c", OPSZ(8)), T(M64, "\x66\x9d", OPSZ(2)),
	T(M64, "\x0f\xa0", OPSZ(8)), T(M64, "\x0f\xa9", OPSZ(8)),
	/* Sign and zero extension, LEA, XCHG. */
	T(M64, "\x48\x63\xc1", OPSZ(8), MEMSZ(0)),
	T(M64, "\x48\x63\x01", OPSZ(8), MEMSZ(4)),
	T(M64, "\x63\x01", OPSZ(4), MEMSZ(4)),
	T(M64, "\x66\x63\x01", OPSZ(2), MEMSZ(2)),
	T(M64, "\x0f\xb6\x00", OPSZ(4), MEMSZ(1), MAP(0F)),
	T(M64, "\x48\x0f\xbf\x00", OPSZ(8), MEMSZ(2)),
	T(M64, "\x48\x8d\x04\x08", SET(BT_F_MEM), CLR(MRD | MWR), MEMSZ(0),
	  MEMOP(0, 1, 1, 0, DS)),
	T(M64, "\x90", OPREG(0)), T(M64, "\x41\x90", OPREG(8)),
	T(M64, "\xf3\x90", REP(0xf3)), /* PAUSE */
	T(M64, "\x0f\xc8", OPREG(0), OPSZ(4)),
	T(M64, "\x49\x0f\xc9", OPREG(9), OPSZ(8)),
	/* Sizes of the odd memory operands. */
	T(M64, "\x0f\xc7\x08", MEMSZ(8), SET(MRD | MWR)), /* CMPXCHG8B */
	T(M64, "\x48\x0f\xc7\x08", MEMSZ(16)), /* CMPXCHG16B */
	T(M64, "\x0f\x01\x10", MEMSZ(10), SET(BT_F_PRIV)), /* LGDT */
	T(M64, "\x0f\x01\x00", MEMSZ(10), SET(MWR)), /* SGDT */
	T(M64, "\xff\x18", MEMSZ(6), OPSZ(4)), /* CALL m16:32 */
	T(M64, "\x48\xff\x18", MEMSZ(10), OPSZ(8)), /* m16:64 (Intel) */
	T(M64 | AMD, "\x48\xff\x18", MEMSZ(6)), /* AMD: no m16:64 */
	T(M64, "\x66\xff\x28", MEMSZ(4)), /* JMP m16:16 */
	T(M64, "\x0f\xb2\x00", MEMSZ(6)), /* LSS */
	T(M64, "\x8c\x18", MEMSZ(2), SET(MWR)), /* MOV m16,DS */
	T(M64, "\x8c\xd8", OPSZ(4)), T(M64, "\x48\x8c\xd8", OPSZ(8)),
	T(M64, "\x8e\xd8", OPSZ(2)), T(M64, "\x8e\x18", MEMSZ(2)),
	/* x87 memory sizes (SDM vol. 2, Tables A-7..A-22). */
	T(M64, "\xd9\x45\x08", MEMSZ(4), SET(MRD | BT_F_X87)), /* FLD m32 */
	T(M64, "\xdd\x00", MEMSZ(8), SET(MRD)), /* FLD m64 */
	T(M64, "\xdb\x28", MEMSZ(10), SET(MRD)), /* FLD m80 */
	T(M64, "\xdb\x38", MEMSZ(10), SET(MWR)), /* FSTP m80 */
	T(M64, "\xdd\x38", MEMSZ(2), SET(MWR)), /* FNSTSW m16 */
	T(M64, "\xd9\x38", MEMSZ(2), SET(MWR)), /* FNSTCW */
	T(M64, "\xdf\x2c\x24", MEMSZ(8), SET(MRD)), /* FILD m64 */
	T(M64, "\xde\x00", MEMSZ(2), SET(MRD)), /* FIADD m16 */
	T(M64, "\xd9\x30", MEMSZ(0), SET(MWR)), /* FNSTENV */
	T(M64, "\xd8\xc1", MOD(3), CLR(BT_F_MEM), SET(BT_F_X87)),
	/* No data access: CLFLUSH, PREFETCH, NOP Ev, INVLPG. */
	T(M64, "\x0f\xae\x38", SET(BT_F_MEM), CLR(MRD | MWR), MEMSZ(0)),
	T(M64, "\x0f\x18\x08", SET(BT_F_MEM), CLR(MRD | MWR)),
	T(M64, "\x0f\x1f\x44\x00\x00", SET(BT_F_MEM), CLR(MRD | MWR)),
	T(M64, "\x66\x0f\x1f\x84\x00\x00\x00\x00\x00", DISP(4, 0)),
	T(M64, "\x0f\x01\x38", CLR(MRD | MWR), SET(BT_F_PRIV)),
	/* String instructions: rSI/rDI operand in mem, size in memsize. */
	T(M64, "\xf3\xa4", SET(BT_F_STRING | BT_F_REP), MEMSZ(1), REP(0xf3),
	  MEMOP(6, NONE, 1, 0, DS), CLR(BT_F_MEM)),
	T(M64, "\xf3\x48\xa5", OPSZ(8), MEMSZ(8), REX(0x48)),
	T(M64, "\xaa", MEMOP(7, NONE, 1, 0, ES), MEMSZ(1), CLR(BT_F_REP)),
	T(M64, "\x66\xab", MEMSZ(2), MEMOP(7, NONE, 1, 0, ES)),
	T(M64, "\x64\xac", MEMOP(6, NONE, 1, 0, FS)),
	T(M64, "\xf2\xae", REP(0xf2), SET(BT_F_REP)), /* REPNE SCASB */
	T(M64, "\x67\xf3\xa4", ADSZ(4)),
	T(M64, "\xd7", MEMOP(3, NONE, 1, 0, DS), MEMSZ(1),
	  SET(BT_F_IMPLICIT_MEM)), /* XLAT */
	/* IN/OUT: 32 bits at most. */
	T(M64, "\xe4\x60", IMM(1, 0x60), OPSZ(1), SET(BT_F_IOPL)),
	T(M64, "\xed", OPSZ(4)), T(M64, "\x48\xed", OPSZ(4)),
	T(M64, "\x66\xef", OPSZ(2)), T(M64, "\x66\x6d", OPSZ(2)),
	/* Two- and three-byte maps. */
	T(M64, "\x66\x0f\x3a\x0f\xc1\x08", MAP(0F3A), OPC(0x0f), PP(66),
	  IMM(1, 8), OFFS(3, 4, 0, 5)),
	T(M64, "\x66\x0f\x38\x00\xc1", MAP(0F38), OPC(0x00), NOIMM,
	  OFFS(3, 4, 0, 0)),
	T(M64, "\x66\x0f\x70\xc1\x1b", IMM(1, 0x1b), MAP(0F), PP(66)),
	T(M64, "\x0f\xc2\x00\x01", IMM(1, 1), PP(NONE)),
	T(M64, "\xf2\x0f\x10\x00", PP(F2), MEMSZ(8)), /* MOVSD */
	T(M64, "\xf3\x0f\x10\x00", PP(F3), MEMSZ(4)), /* MOVSS */
	T(M64, "\x0f\x10\x00", MEMSZ(16)), /* MOVUPS */
	T(M64, "\x66\x0f\x6f\x00", MEMSZ(16)), /* MOVDQA */
	T(M64, "\x0f\x6f\x00", MEMSZ(8)), /* MOVQ mm */
	T(M64, "\x66\x48\x0f\x7e\x00", MEMSZ(8), SET(MWR)), /* MOVQ r/m64 */
	T(M64, "\xf3\x0f\x7e\x00", MEMSZ(8), SET(MRD)), /* MOVQ xmm,m64 */
	T(M64, "\x66\x0f\x3a\x16\x00\x01", MEMSZ(4), SET(MWR)), /* PEXTRD */
	T(M64, "\x66\x48\x0f\x3a\x16\x00\x01", MEMSZ(8)), /* PEXTRQ */
	T(M64, "\xf2\x0f\x38\xf0\xc1", OPSZ(1)), /* CRC32 r32,r/m8 */
	T(M64, "\x0f\x38\xf1\x00", SET(MWR), MEMSZ(4)), /* MOVBE m32,r32 */
	/* 3DNow!: the opcode is the last byte. */
	T(M64, "\x0f\x0f\xc1\x9e", ENC(3DNOW), MAP(3DNOW), OPC(0x9e),
	  OFFS(3, 2, 0, 0), SET(BT_F_SIMD), NOIMM),
	T(M64, "\x0f\x0f\x44\x24\x08\xb4", OPC(0xb4), DISP(1, 8), MEMSZ(8),
	  OFFS(5, 2, 4, 0)),
	/* SSE4a EXTRQ/INSERTQ: two byte immediates. */
	T(M64, "\x66\x0f\x78\xc0\x01\x02", IMM(1, 1), IMM2(1, 2)),
	T(M64, "\xf2\x0f\x78\xc1\x01\x02", IMM(1, 1), IMM2(1, 2)),
	T(M64, "\x66\x0f\x79\xc1", NOIMM),
	T(M64, "\x0f\x78\xc0", SET(BT_F_PRIV), OPSZ(8), NOIMM), /* VMREAD */
	/* MOV CRn/DRn: mod ignored, always a register. */
	T(M64, "\x0f\x20\xc0", OPSZ(8), MOD(3), REG(0), RM(0),
	  SET(BT_F_PRIV), CLR(BT_F_MEM)),
	T(M64, "\x0f\x20\x00", MOD(3), RM(0), CLR(BT_F_MEM)),
	T(M64, "\x0f\x22\x58", MOD(3), RM(0), REG(3)), /* no disp8 */
	T(M64, "\x44\x0f\x20\xc0", REG(8)), /* CR8 */
	T(M64, "\x41\x0f\x23\xf9", REG(7), RM(9)), /* DR7 */
	/* VEX. */
	T(M64, "\xc5\xf8\x77", ENC(VEX), MAP(0F), OPC(0x77), CLR(BT_F_MODRM),
	  VL(0), VVVV(0)),
	T(M64, "\xc5\xfc\x77", VL(1)), /* VZEROALL */
	T(M64, "\xc5\xfa\x6f\x00", PP(F3), VL(0), MEMSZ(16), SET(MRD),
	  OFFS(2, 3, 0, 0)),
	T(M64, "\xc5\xfe\x7f\x00", VL(1), MEMSZ(32), SET(MWR)),
	T(M64, "\xc5\x7e\x7f\x00", REG(8), WRXB(4)), /* ymm8 */
	T(M64, "\xc5\xf0\x58\xc2", VVVV(1), REG(0), RM(2)), /* vaddps */
	T(M64, "\xc4\xc1\x7a\x6f\x00", MEMOP(8, NONE, 1, 0, DS), WRXB(1),
	  OFFS(3, 4, 0, 0)),
	T(M64, "\xc4\x41\x7a\x6f\x00", REG(8), WRXB(5)),
	T(M64, "\xc4\xe2\x7d\x18\x00", MAP(0F38), VL(1), OPC(0x18)),
	T(M64, "\xc4\xe3\x79\x14\xc0\x01", MAP(0F3A), IMM(1, 1)),
	T(M64, "\xc4\xe2\xf8\xf2\xc1", VW(1), OPSZ(8), CLR(BT_F_SIMD)),
	T(M64, "\xc4\xe2\x78\xf2\xc1", VW(0), OPSZ(4)), /* ANDN */
	T(M64, "\xc4\xe2\x71\x92\x04\x88", SET(BT_F_VSIB),
	  MEMOP(0, 1, 4, 0, DS)), /* VGATHERDPS */
	T(M64, "\xc4\x62\x15\x90\x5c\xc8\x10", SET(BT_F_VSIB),
	  MEMOP(0, 1, 8, 0x10, DS), REG(11), VVVV(13)), /* VPGATHERDD */
	/* EVEX. */
	T(M64, "\x62\xf1\x7c\x48\x10\x00", ENC(EVEX), MAP(0F), VL(2),
	  MEMSZ(64), OFFS(4, 5, 0, 0)),
	T(M64, "\x62\xf1\x7c\x48\x10\x40\x01", DISP(1, 1),
	  SET(BT_F_DISP8N), OFFS(4, 5, 6, 0)),
	T(M64, "\x62\xe1\x7c\x48\x10\x00", REG(16)),
	T(M64, "\x62\x61\x7c\x48\x10\x00", REG(24)),
	T(M64, "\x62\xb1\x7c\x48\x10\xc0", RM(16)), /* EVEX.X: zmm16 */
	T(M64, "\x62\xf1\x74\xcf\x58\xc2", VVVV(1), AAA(7), VZ(1), VL(2)),
	T(M64, "\x62\xf1\x74\x10\x58\xc2", VB(1), VL(0)), /* {rn-sae} */
	T(M64, "\x62\xf1\x74\x70\x58\xc2", VB(1), VL(3)), /* {rz-sae} */
	T(M64, "\x62\xf1\x7c\x58\x58\x00", VB(1), MEMSZ(0)), /* {1to16} */
	T(M64, "\x62\xf1\x6c\x40\x58\xc1", VVVV(18)), /* V' = 1 */
	T(M64, "\x62\xf5\x7c\x48\x58\xc1", MAP(EVEX5)), /* VADDPH */
	T(M64, "\x62\xe2\x7d\x49\x90\x0c\x8d\x00\x00\x00\x00",
	  SET(BT_F_VSIB), MEMOP(NONE, 1, 4, 0, DS), REG(17)),
	T(M64, "\x62\xf3\x7d\x48\x19\x00\x01", MAP(0F3A), IMM(1, 1),
	  SET(MWR)), /* VEXTRACTF32X4 */
	/* XOP: 8F with map >= 8. */
	T(M64, "\x8f\xe8\x78\xa2\xc0\x00", ENC(XOP), MAP(XOP8), OPC(0xa2),
	  IMM(1, 0)),
	T(M64, "\x8f\xe9\x78\x81\xc0", MAP(XOP9), NOIMM),
	T(M64, "\x8f\xea\x78\x10\xc0\x78\x56\x34\x12", MAP(XOPA),
	  IMM(4, 0x12345678)),
	T(M64, "\x8f\xe9\xf8\x01\xc8", VW(1), OPSZ(8)), /* BLCFILL r64 */
	T(M64, "\x8f\x00", ENC(LEGACY), OPSZ(8), MEMSZ(8)), /* POP m64 */
	/* Misc. */
	T(M64, "\xc6\xf8\x12", IMM(1, 0x12), BRANCH(NONE)), /* XABORT */
	T(M64, "\xc7\xf8\x00\x00\x00\x00", BRANCH(XBEGIN), IMM(4, 0),
	  OPSZ(8), TARGET(0x1006)),
	T(M64, "\x66\xc7\xf8\x00\x00", IMM(2, 0), OPSZ(2)),
	T(M64, "\x0f\x0b", SET(BT_F_UD)), T(M64, "\x0f\xb9\xc0",
					     SET(BT_F_UD)),
	T(M64, "\x0f\xff\xc0", SET(BT_F_UD | BT_F_MODRM)), /* Intel UD0 */
	T(M64 | AMD, "\x0f\xff", SET(BT_F_UD), CLR(BT_F_MODRM)),
};

static const struct tvec mode32[] = {
	T(M32, "\x89\x18", OPSZ(4), ADSZ(4), MEMOP(0, NONE, 1, 0, DS)),
	T(M32, "\x66\x89\x18", OPSZ(2)),
	T(M32, "\x8b\x05\x78\x56\x34\x12", MEMOP(NONE, NONE, 1, 0x12345678, DS),
	  CLR(BT_F_RIPREL)),
	T(M32, "\x8b\x04\x25\x78\x56\x34\x12",
	  MEMOP(NONE, NONE, 1, 0x12345678, DS)),
	T(M32, "\x8b\x44\x8d\xfc", MEMOP(5, 1, 4, -4, SS)),
	T(M32, "\x8b\x04\x8d\x00\x10\x00\x00", MEMOP(NONE, 1, 4, 0x1000, DS)),
	T(M32, "\x67\x8b\x07", ADSZ(2), MEMOP(3, NONE, 1, 0, DS)),
	T(M32, "\x67\x8b\x46\x02", MEMOP(5, NONE, 1, 2, SS)),
	T(M32, "\x67\x8b\x06\x34\x12", MEMOP(NONE, NONE, 1, 0x1234, DS),
	  DISP(2, 0x1234)),
	T(M32, "\x67\x8b\x80\x00\x80", MEMOP(3, 6, 1, -0x8000, DS)),
	T(M32, "\x66\xb8\x34\x12", OPSZ(2), IMM(2, 0x1234)),
	T(M32, "\xb8\x78\x56\x34\x12", IMM(4, 0x12345678)),
	T(M32, "\x48", OPREG(0), OPSZ(4)), /* DEC eAX, not REX */
	T(M32, "\x40", OPREG(0)), T(M32, "\x4f", OPREG(7)),
	/* Branches: rel16 with 66 outside 64-bit mode. */
	T(M32, "\xe8\x00\x00\x00\x00", OPSZ(4), TARGET(0x1005)),
	T(M32, "\x66\xe8\x00\x00", OPSZ(2), IMM(2, 0), TARGET(0x1004)),
	T(M32, "\x66\xe8\x00\xf0", TARGET(0x0004)), /* wraps in 16 bits */
	T(M32, "\x0f\x84\x00\x00\x00\x00", IMM(4, 0)),
	T(M32, "\x66\x0f\x84\x00\x00", IMM(2, 0)),
	T(M32, "\xe3\xfe", BRANCH(LOOP), ADSZ(4)),
	T(M32, "\x67\xe3\xfe", ADSZ(2)), /* JCX */
	T(M32, "\xe2\xfe", BRANCH(LOOP), SET(BT_F_COND)),
	T(M32, "\xff\x25\x78\x56\x34\x12", BRANCH(JMP), MEMSZ(4),
	  SET(BT_F_INDIRECT), MEMOP(NONE, NONE, 1, 0x12345678, DS)),
	T(M32, "\x66\xff\xe0", OPSZ(2)),
	/* moffs and far pointers. */
	T(M32, "\xa1\x78\x56\x34\x12", DISP(4, 0x12345678), MEMSZ(4)),
	T(M32, "\x67\xa1\x34\x12", DISP(2, 0x1234)),
	T(M32, "\x67\xa0\x00\x80", DISP(2, 0x8000)), /* zero-extended */
	T(M32, "\x9a\x78\x56\x34\x12\x10\x00", BRANCH(CALL_FAR),
	  IMM(4, 0x12345678), IMM2(2, 0x10), SET(BT_F_FAR | BT_F_SENSITIVE)),
	T(M32, "\x66\x9a\x34\x12\x10\x00", IMM(2, 0x1234), IMM2(2, 0x10)),
	T(M32, "\xea\x78\x56\x34\x12\x08\x00", BRANCH(JMP_FAR)),
	T(M32, "\xff\x18", MEMSZ(6), BRANCH(CALL_FAR)),
	T(M32, "\x66\xff\x28", MEMSZ(4), BRANCH(JMP_FAR)),
	/* LES/LDS and BOUND versus VEX and EVEX: ModRM.mod decides. */
	T(M32, "\xc4\x00", ENC(LEGACY), MEMSZ(6), SET(BT_F_SENSITIVE)),
	T(M32, "\xc5\x00", ENC(LEGACY), MEMSZ(6)),
	T(M32, "\x66\xc5\x00", MEMSZ(4)),
	T(M32, "\xc5\xf8\x77", ENC(VEX)),
	T(M32, "\xc4\xe2\x79\x18\x00", ENC(VEX), MAP(0F38)),
	T(M32, "\x62\x00", ENC(LEGACY), MEMSZ(8)), /* BOUND */
	T(M32, "\x66\x62\x00", MEMSZ(4)),
	T(M32, "\x62\xf1\x7c\x48\x10\x00", ENC(EVEX), VL(2)),
	T(M32, "\x8f\x00", ENC(LEGACY), MEMSZ(4), OPSZ(4)),
	T(M32, "\x8f\xe8\x78\xa2\xc0\x00", ENC(XOP)),
	/* Instructions that exist only outside 64-bit mode. */
	T(M32, "\x06", SET(BT_F_STACK | BT_F_SENSITIVE)),
	T(M32, "\x0e", SET(BT_F_SENSITIVE)), T(M32, "\x1f", OPSZ(4)),
	T(M32, "\x60", SET(BT_F_STACK)), T(M32, "\x61", OPSZ(4)),
	T(M32, "\x27"), T(M32, "\x2f"), T(M32, "\x37"), T(M32, "\x3f"),
	T(M32, "\xd4\x0a", IMM(1, 10)), T(M32, "\xd5\x0a", IMM(1, 10)),
	T(M32, "\xd6"), /* SALC */
	T(M32, "\x63\xc8", OPSZ(2), REG(1), RM(0)), /* ARPL */
	T(M32, "\xce", BRANCH(INT), SET(BT_F_COND)), /* INTO */
	T(M32, "\x82\xc0\x01", IMM(1, 1), OPSZ(1)),
	/* System. */
	T(M32, "\x0f\x20\xc0", OPSZ(4), SET(BT_F_PRIV)),
	T(M32, "\x0f\x01\x10", MEMSZ(6)), /* LGDT */
	T(M32, "\xcd\x80", BRANCH(INT), IMM(1, 0x80)),
	T(M32, "\xcf", BRANCH(IRET), OPSZ(4)),
	T(M32, "\x66\xcf", OPSZ(2)),
	T(M32, "\x6a\xff", OPSZ(4), IMM(1, -1)),
	T(M32, "\x0f\x05", BRANCH(SYSCALL)), T(M32, "\x0f\x34"),
	T(M32, "\xd8\xc1", SET(BT_F_X87)), T(M32, "\x9b", SET(BT_F_X87)),
	T(M32, "\xc8\x00\x01\x00", IMM(2, 0x100), IMM2(1, 0), OPSZ(4)),
	T(M32, "\xf3\xa5", OPSZ(4), MEMSZ(4), SET(BT_F_REP)),
	T(M32, "\x0f\x0f\xc1\x0d", OPC(0x0d)), /* PI2FD */
};

static const struct tvec mode16[] = {
	/* The 16-bit ModRM forms (SDM vol. 2, Table 2-1). */
	T(M16, "\x8b\x00", OPSZ(2), ADSZ(2), MEMOP(3, 6, 1, 0, DS)),
	T(M16, "\x8b\x01", MEMOP(3, 7, 1, 0, DS)),
	T(M16, "\x8b\x02", MEMOP(5, 6, 1, 0, SS)),
	T(M16, "\x8b\x03", MEMOP(5, 7, 1, 0, SS)),
	T(M16, "\x8b\x04", MEMOP(6, NONE, 1, 0, DS)),
	T(M16, "\x8b\x05", MEMOP(7, NONE, 1, 0, DS)),
	T(M16, "\x8b\x06\x34\x12", MEMOP(NONE, NONE, 1, 0x1234, DS),
	  DISP(2, 0x1234), OFFS(0, 1, 2, 0)),
	T(M16, "\x8b\x07", MEMOP(3, NONE, 1, 0, DS), CLR(BT_F_SIB)),
	T(M16, "\x8b\x46\x00", MEMOP(5, NONE, 1, 0, SS), DISP(1, 0)),
	T(M16, "\x8b\x47\xfe", MEMOP(3, NONE, 1, -2, DS)),
	T(M16, "\x8b\x87\x34\x12", MEMOP(3, NONE, 1, 0x1234, DS),
	  DISP(2, 0x1234)),
	T(M16, "\x8b\x82\x00\x80", MEMOP(5, 6, 1, -0x8000, SS)),
	T(M16, "\x8b\xc3", MOD(3), RM(3), CLR(BT_F_MEM)),
	T(M16, "\x26\x8b\x07", SEGOVR(ES), MEMOP(3, NONE, 1, 0, ES)),
	T(M16, "\x2e\x8b\x46\x00", MEMOP(5, NONE, 1, 0, CS)),
	T(M16, "\x36\x8b\x07", MEMOP(3, NONE, 1, 0, SS)),
	T(M16, "\x66\x8b\x07", OPSZ(4), MEMSZ(4)),
	/* 67: 32-bit addressing with SIB inside 16-bit code. */
	T(M16, "\x67\x8b\x07", ADSZ(4), MEMOP(7, NONE, 1, 0, DS)),
	T(M16, "\x67\x8b\x04\x24", SET(BT_F_SIB), MEMOP(4, NONE, 1, 0, SS)),
	T(M16, "\x67\x66\x8b\x84\x8b\x78\x56\x34\x12", OPSZ(4), ADSZ(4),
	  MEMOP(3, 1, 4, 0x12345678, DS), OFFS(2, 3, 5, 0)),
	T(M16, "\x67\x8b\x05\x78\x56\x34\x12", CLR(BT_F_RIPREL),
	  MEMOP(NONE, NONE, 1, 0x12345678, DS)),
	/* Immediates and branches. */
	T(M16, "\xb8\x34\x12", IMM(2, 0x1234), OPSZ(2)),
	T(M16, "\x66\xb8\x78\x56\x34\x12", IMM(4, 0x12345678), OPSZ(4)),
	T(M16, "\x81\xc3\x34\x12", IMM(2, 0x1234)),
	T(M16, "\xf7\xc3\x34\x12", IMM(2, 0x1234)),
	T(M16, "\xe8\x00\x00", OPSZ(2), TARGET(0xfff3)),
	T(M16, "\xe8\x20\x00", TARGET(0x0013)), /* IP wraps */
	T(M16, "\x66\xe8\x00\x00\x00\x00", OPSZ(4), TARGET(0xfff6)),
	T(M16, "\x0f\x84\x00\x00", IMM(2, 0)),
	T(M16, "\xeb\x10", TARGET(0x0002)),
	T(M16, "\xa1\x34\x12", DISP(2, 0x1234), MEMSZ(2)),
	T(M16, "\x67\xa1\x78\x56\x34\x12", DISP(4, 0x12345678)),
	T(M16, "\x9a\x34\x12\x00\xf0", IMM(2, 0x1234), IMM2(2, 0xf000),
	  BRANCH(CALL_FAR)),
	T(M16, "\xea\x5b\xe0\x00\xf0", IMM(2, 0xe05b), IMM2(2, 0xf000),
	  BRANCH(JMP_FAR)), /* the reset vector's jump */
	T(M16, "\x66\xea\x00\x00\x01\x00\x08\x00", IMM(4, 0x10000),
	  IMM2(2, 8)), /* into protected mode */
	T(M16, "\xcd\x10", IMM(1, 0x10), BRANCH(INT)),
	T(M16, "\xc4\x06\x34\x12", MEMSZ(4), DISP(2, 0x1234)), /* LES */
	T(M16, "\xc5\xf8\x77", ENC(VEX)), /* 16-bit protected mode */
	T(M16, "\x8e\xd8", SET(BT_F_SENSITIVE)),
	T(M16, "\x0f\x01\x16\x34\x12", MEMSZ(6), SET(BT_F_PRIV)),
	T(M16, "\x0f\x20\xc0", OPSZ(4)),
	T(M16, "\x6a\x01", OPSZ(2)), T(M16, "\x68\x34\x12", IMM(2, 0x1234)),
	T(M16, "\xc3", OPSZ(2)), T(M16, "\x60", OPSZ(2)),
	T(M16, "\xf3\xa5", OPSZ(2), MEMSZ(2), ADSZ(2)),
	T(M16, "\xf3\x67\xa5", ADSZ(4)),
	T(M16, "\xff\x16\x34\x12", MEMSZ(2), BRANCH(CALL)),
	T(M16, "\xff\x1e\x34\x12", MEMSZ(4), BRANCH(CALL_FAR)),
	T(M16, "\xd7", MEMOP(3, NONE, 1, 0, DS)),
	T(M16, "\xc8\x04\x00\x00", IMM(2, 4), IMM2(1, 0)),
};

static void test_fields_64(void)
{
	RUN(mode64);
}

static void test_fields_32(void)
{
	RUN(mode32);
}

static void test_fields_16(void)
{
	RUN(mode16);
}

void register_field_tests(void)
{
	CU_pSuite s = CU_add_suite("decode: fields per mode", NULL, NULL);

	CU_add_test(s, "64-bit long mode", test_fields_64);
	CU_add_test(s, "32-bit protected mode", test_fields_32);
	CU_add_test(s, "16-bit real/protected mode", test_fields_16);
}
