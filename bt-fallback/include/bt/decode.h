/*
 * bt/decode.h - portable x86 instruction decoder.
 *
 * Decodes one instruction of any x86 mode a guest can be in (16-bit real or
 * protected, 32-bit, 64-bit long mode) into its length, prefixes, opcode,
 * ModRM/SIB memory operand, displacement and immediates, plus the attributes
 * the MMIO emulator (hvm/) and the binary translator (bt-fallback/) need:
 * memory access direction and width, branch kind, and whether the
 * instruction is privileged or sensitive for a guest kernel deprivileged to
 * CPL 3.  It never touches guest memory itself: the caller hands it the
 * bytes it has fetched and fetches more when told to.
 *
 * Reference: Intel SDM vol. 2, chapter 2 (instruction format) and
 * appendix A (opcode maps); AMD APM vol. 3, chapter 1 and appendix A.
 * docs/decoder.md gives a short tour.
 *
 * Portable: builds freestanding in the hypervisor and on the host.
 */
#ifndef BT_DECODE_H
#define BT_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Architectural limit: longer raises #GP (SDM vol. 2, 2.3.11). */
#define BT_INSN_MAX_LEN 15

/*
 * The mode argument of bt_decode(): one of BT_MODE_16/32/64 (the default
 * operand and address size, i.e. CS.D / CS.L, or real mode), optionally
 * or'ed with BT_MODE_AMD.
 *
 * BT_MODE_16 covers real mode, virtual-8086 mode and 16-bit protected mode.
 * VEX/EVEX/XOP are decoded in it as in 16-bit protected mode; in real and
 * virtual-8086 mode the CPU raises #UD for them, which the caller checks
 * with insn->enc.
 *
 * BT_MODE_AMD selects the AMD behaviour where the vendors differ in
 * instruction length or operand size: in 64-bit mode AMD honours a 66
 * prefix on near branches (E8/E9/Jcc become rel16, RET/CALL/JMP use a
 * 16-bit IP), Intel ignores it (SDM vol. 2, 2.2.1.7 vs. APM vol. 3, 1.2.5);
 * AMD's 0F FF (UD0) has no ModRM; AMD accepts LOCK MOV CR0 as the
 * 32-bit-mode alias of CR8 (APM vol. 3, MOV CRn).
 */
#define BT_MODE_16 0u
#define BT_MODE_32 1u
#define BT_MODE_64 2u
#define BT_MODE_MASK 3u
#define BT_MODE_AMD 0x100u

/* insn->enc: how the opcode was encoded. */
#define BT_ENC_LEGACY 0 /* legacy / REX encoding */
#define BT_ENC_VEX 1 /* C5 (2-byte) or C4 (3-byte) VEX */
#define BT_ENC_EVEX 2 /* 62 EVEX (AVX-512) */
#define BT_ENC_XOP 3 /* AMD 8F XOP */
#define BT_ENC_3DNOW 4 /* AMD 0F 0F 3DNow!, opcode is the suffix byte */

/*
 * insn->map: opcode map.  The numbers of the 0F, 0F38 and 0F3A maps equal
 * the VEX/EVEX "mmmmm" map select, and the XOP ones its map select.
 */
#define BT_MAP_1BYTE 0
#define BT_MAP_0F 1
#define BT_MAP_0F38 2
#define BT_MAP_0F3A 3
#define BT_MAP_EVEX5 5 /* EVEX map 5 (AVX512-FP16) */
#define BT_MAP_EVEX6 6 /* EVEX map 6 (AVX512-FP16) */
#define BT_MAP_XOP8 8
#define BT_MAP_XOP9 9
#define BT_MAP_XOPA 10
#define BT_MAP_3DNOW 15 /* 0F 0F /r ib: opcode is the trailing byte */

/* insn->prefixes: legacy prefixes and REX seen, in any order and number. */
#define BT_PFX_LOCK 0x01 /* F0 */
#define BT_PFX_REP 0x02 /* F3 (REP/REPE, XRELEASE, mandatory F3) */
#define BT_PFX_REPNE 0x04 /* F2 (REPNE, XACQUIRE, mandatory F2) */
#define BT_PFX_OPSIZE 0x08 /* 66 */
#define BT_PFX_ADDRSIZE 0x10 /* 67 */
#define BT_PFX_SEG 0x20 /* 26/2E/36/3E/64/65: see insn->seg_override */
#define BT_PFX_REX 0x40 /* REX in effect (directly before the opcode) */
#define BT_PFX_REX_IGNORED 0x80 /* a REX followed by another prefix: ignored */

/* insn->simd_prefix: mandatory prefix (VEX.pp encoding for all encodings). */
#define BT_PP_NONE 0
#define BT_PP_66 1
#define BT_PP_F3 2
#define BT_PP_F2 3

/* Segment registers, in ModRM.reg encoding order (SDM vol. 2, 3.1.1.3). */
#define BT_SEG_ES 0
#define BT_SEG_CS 1
#define BT_SEG_SS 2
#define BT_SEG_DS 3
#define BT_SEG_FS 4
#define BT_SEG_GS 5
#define BT_SEG_NONE 0xff

/*
 * Register numbers: general-purpose registers 0-15 in encoding order (rAX,
 * rCX, rDX, rBX, rSP, rBP, rSI, rDI, r8-r15); vector registers 0-31.
 * Without REX, byte-register numbers 4-7 mean AH, CH, DH, BH.
 */
#define BT_REG_RIP 0xfe /* memory base: RIP/EIP-relative */
#define BT_REG_NONE 0xff

/* insn->branch: kind of control transfer. */
#define BT_BR_NONE 0
#define BT_BR_JMP 1 /* near JMP (EB, E9, FF /4) */
#define BT_BR_JCC 2 /* Jcc */
#define BT_BR_LOOP 3 /* LOOP, LOOPE, LOOPNE, JCXZ/JECXZ/JRCXZ */
#define BT_BR_CALL 4 /* near CALL (E8, FF /2) */
#define BT_BR_RET 5 /* near RET (C2, C3) */
#define BT_BR_JMP_FAR 6 /* EA, FF /5 */
#define BT_BR_CALL_FAR 7 /* 9A, FF /3 */
#define BT_BR_RET_FAR 8 /* CA, CB */
#define BT_BR_IRET 9 /* CF (IRET/IRETD/IRETQ) */
#define BT_BR_INT 10 /* INT n, INT3, INTO, INT1 */
#define BT_BR_SYSCALL 11 /* SYSCALL, SYSENTER */
#define BT_BR_SYSRET 12 /* SYSRET, SYSEXIT */
#define BT_BR_XBEGIN 13 /* XBEGIN: branches to the abort handler */
#define BT_BR_OTHER 14 /* UIRET, ERETU/ERETS-like, JMPE: rare transfers */

/*
 * insn->flags: attributes.  "Memory through ModRM" means the operand that
 * ModRM (with mod != 3) or a moffs encodes; implicit operands (stack,
 * string, XLAT) have their own bits.
 */
#define BT_F_MODRM (1u << 0) /* has a ModRM byte */
#define BT_F_SIB (1u << 1) /* has a SIB byte */
#define BT_F_MEM (1u << 2) /* has a ModRM (mod != 3) or moffs memory operand */
#define BT_F_MEM_R (1u << 3) /* reads that memory operand */
#define BT_F_MEM_W (1u << 4) /* writes that memory operand */
#define BT_F_RIPREL (1u << 5) /* memory operand is RIP/EIP-relative */
#define BT_F_MOFFS (1u << 6) /* A0-A3: memory offset is in insn->mem.disp */
#define BT_F_STRING (1u << 7) /* MOVS/CMPS/STOS/LODS/SCAS/INS/OUTS */
#define BT_F_IMPLICIT_MEM (1u << 8) /* memory via rSI/rDI/rBX: string, XLAT.. */
#define BT_F_STACK (1u << 9) /* pushes or pops: PUSH, CALL, RET, ENTER.. */
#define BT_F_BRANCH (1u << 10) /* transfers control: see insn->branch */
#define BT_F_REL (1u << 11) /* relative branch: displacement in insn->imm */
#define BT_F_INDIRECT (1u << 12) /* branch target in a register or memory */
#define BT_F_COND (1u << 13) /* conditional branch */
#define BT_F_FAR (1u << 14) /* far transfer (changes CS) */
#define BT_F_PRIV (1u << 15) /* #GP/#UD at CPL 3: must be emulated */
#define BT_F_IOPL (1u << 16) /* faults at CPL 3 when IOPL < 3 (CLI, IN...) */
#define BT_F_SENSITIVE (1u << 17) /* CPL-3 guest kernel can't run it as is */
#define BT_F_LOCK (1u << 18) /* carries a (valid) LOCK prefix */
#define BT_F_VSIB (1u << 19) /* SIB index is a vector register (gather) */
#define BT_F_DISP8N (1u << 20) /* EVEX disp8: scale mem.disp by N (tuple) */
#define BT_F_UD (1u << 21) /* defined to raise #UD (UD0, UD1, UD2) */
#define BT_F_X87 (1u << 22) /* x87 FPU instruction (D8-DF) */
#define BT_F_SIMD (1u << 23) /* MMX/SSE/AVX/3DNow! instruction */
#define BT_F_REP (1u << 24) /* string insn with an effective REP/REPE/REPNE */
#define BT_F_OPREG (1u << 25) /* register in opcode low bits: insn->opreg */

/*
 * Memory operand: the ModRM/SIB or moffs one when BT_F_MEM.  For string
 * instructions (BT_F_STRING) it is the DS:rSI source (segment overridable)
 * or, for STOS/SCAS/INS, the ES:rDI destination; for XLAT DS:rBX.
 *
 * The effective address is seg:(base + index * scale + disp), truncated
 * to insn->addrsize; in 64-bit mode only FS and GS have a base.
 */
struct bt_mem {
	uint8_t base; /* GPR number, BT_REG_RIP or BT_REG_NONE */
	uint8_t index; /* GPR (vector register if VSIB) or BT_REG_NONE */
	uint8_t scale; /* 1, 2, 4 or 8 (SIB.scale even without index) */
	uint8_t seg; /* effective segment: override, else DS or SS */
	int64_t disp; /* displacement, sign-extended; moffs zero-extended */
};

/* VEX / EVEX / XOP fields, decoded (inverted fields already un-inverted). */
struct bt_vex {
	uint8_t vvvv; /* extra source register, 0-31 (with EVEX.V') */
	uint8_t l; /* length: 0 = 128, 1 = 256, 2 = 512 bits; EVEX.RC */
	uint8_t w; /* VEX.W / EVEX.W / XOP.W */
	uint8_t aaa; /* EVEX opmask register */
	uint8_t z; /* EVEX zeroing-masking */
	uint8_t b; /* EVEX broadcast / rounding control / SAE */
	uint8_t raw[3]; /* payload bytes after C5/C4/62/8F (1, 2 or 3 used) */
};

/* One decoded instruction.  All fields are filled on success only. */
struct bt_insn {
	uint8_t len; /* total length in bytes, 1..15 */
	uint8_t mode; /* BT_MODE_16/32/64 it was decoded in */
	uint8_t enc; /* BT_ENC_* */
	uint8_t map; /* BT_MAP_* */
	uint8_t opcode; /* opcode byte within the map */
	uint8_t branch; /* BT_BR_* */

	/*
	 * Effective sizes in bytes.  opsize is the size of the instruction's
	 * general-purpose operand: 1 for byte forms, else 2, 4 or 8 from the
	 * operand-size attribute (66, REX.W and the 64-bit-mode defaults:
	 * 64-bit for PUSH/POP/near branches...), or the fixed size of
	 * fixed-size instructions.  memsize is the number of bytes accessed
	 * through the memory operand when the decoder knows it (all
	 * general-purpose instructions and the common SIMD data moves), 0 when
	 * unknown or when there is no memory operand.
	 */
	uint8_t opsize;
	uint8_t addrsize; /* 2, 4 or 8 */
	uint8_t memsize;

	/* Prefixes. */
	uint8_t prefixes; /* BT_PFX_* */
	uint8_t nprefixes; /* legacy prefix bytes (REX not counted) */
	uint8_t rep; /* last of F2/F3 seen (0xf2, 0xf3) or 0 */
	uint8_t seg_override; /* last segment prefix: BT_SEG_* or BT_SEG_NONE */
	uint8_t simd_prefix; /* BT_PP_*: mandatory prefix or VEX.pp */
	uint8_t rex; /* REX byte in effect (0x40-0x4f) or 0 */
	uint8_t wrxb; /* W/R/X/B from REX, VEX, EVEX or XOP: W=8 R=4 X=2 B=1 */

	/* ModRM / SIB.  reg and rm are extended by REX/VEX/EVEX. */
	uint8_t modrm; /* raw byte (BT_F_MODRM) */
	uint8_t mod; /* ModRM.mod (3 = register operand) */
	uint8_t reg; /* ModRM.reg with REX.R (and EVEX.R'): 0-31 */
	uint8_t rm; /* ModRM.rm with REX.B (and EVEX.X when mod == 3) */
	uint8_t sib; /* raw byte (BT_F_SIB) */
	uint8_t opreg; /* register encoded in the opcode (BT_F_OPREG) */

	/*
	 * Displacement (in mem.disp) and immediates.  An immediate is
	 * sign-extended to 64 bits where the CPU sign-extends it (Ib/Iz
	 * arithmetic, PUSH, relative branches) and zero-extended where it
	 * is an unsigned quantity: I/O ports, interrupt vectors, far
	 * pointers, ENTER/RET sizes, SIMD selector bytes.  EVEX disp8 is
	 * not scaled (BT_F_DISP8N).
	 */
	uint8_t disp_size; /* 0, 1, 2, 4 or 8 (moffs64) */
	uint8_t imm_size; /* 0, 1, 2, 4 or 8 */
	uint8_t imm2_size; /* 2nd immediate: ENTER ib, far selector, EXTRQ */
	int64_t imm; /* immediate, rel8/16/32, or a far pointer's offset */
	int64_t imm2; /* second immediate (see imm2_size) */

	/* Byte offsets in the instruction, for patching (0 if absent). */
	uint8_t opcode_off;
	uint8_t modrm_off;
	uint8_t disp_off;
	uint8_t imm_off;

	uint32_t flags; /* BT_F_* */
	struct bt_mem mem; /* memory operand (BT_F_MEM / BT_F_STRING) */
	struct bt_vex vex; /* BT_ENC_VEX / EVEX / XOP only */
};

/**
 * bt_decode() - decode one x86 instruction.
 * @buf:   instruction bytes (at least @avail readable)
 * @avail: number of valid bytes at @buf; never read beyond
 * @mode:  BT_MODE_16, BT_MODE_32 or BT_MODE_64, optionally | BT_MODE_AMD
 * @out:   result, filled on success (contents unspecified on error)
 *
 * Return: 0 on success;
 *  -VMI_EAGAIN when the first @avail bytes are a valid prefix of an
 *   instruction that needs more bytes: fetch more and call again;
 *  -VMI_E2BIG when the instruction would be longer than 15 bytes (#GP);
 *  -VMI_EINVAL for an undefined encoding (#UD), including opcodes invalid
 *   in the mode, LOCK on a non-lockable instruction or a register
 *   destination, and prefixes illegal before VEX/EVEX/XOP; also for a bad
 *   @mode.
 * Errors are reported as soon as the bytes seen decide them, so a
 * truncated invalid instruction may already return -VMI_EINVAL.
 */
int bt_decode(const uint8_t *buf, size_t avail, unsigned int mode,
	      struct bt_insn *out);

/**
 * bt_branch_target() - target of a relative branch (BT_F_REL).
 * @insn: a decoded relative branch
 * @ip:   address (rIP/EIP/IP) of the instruction's first byte
 *
 * Return: ip + len + displacement, truncated to the operand size as the CPU
 * does (16 bits for a 16-bit operand size, 32 outside 64-bit mode).
 */
uint64_t bt_branch_target(const struct bt_insn *insn, uint64_t ip);

#endif /* BT_DECODE_H */
