/*
 * Emulating one instruction whose memory operand is emulated MMIO.  The
 * CPU already told us the operand's guest-physical address (the nested
 * fault), so only the operation itself is emulated: loads, stores,
 * MOVZX/MOVSX, XCHG, INC/DEC, and the ALU forms with a memory operand
 * (ADD/OR/ADC/SBB/AND/SUB/XOR/CMP/TEST) with their flags.  Portable.
 *
 * String instructions (MOVS, STOS, LODS, INS, OUTS, with or without REP)
 * are the exception: either side may be MMIO or RAM, so memory is accessed
 * through its segment:offset with emu_mmio.mem (and ports with
 * emu_mmio.pio), a batch of elements per call.
 */
#ifndef HVM_EMULATE_H
#define HVM_EMULATE_H

#include <stdbool.h>
#include <stdint.h>
#include <bt/decode.h>

/* General registers in x86 encoding order: rax rcx rdx rbx rsp rbp rsi rdi
 * r8-r15. */
struct emu_regs {
	uint64_t gpr[16];
	uint64_t rflags;
};

struct emu_mmio {
	void *ctx;
	void (*read)(void *ctx, unsigned int size, uint64_t *val);
	void (*write)(void *ctx, unsigned int size, uint64_t val);
	/* PUSH r/m: store @size bytes at the new stack top rSP - size.
	 * 0, or negative when the stack is not writable (then nothing
	 * changed and the caller crashes or faults the guest). */
	int (*push)(void *ctx, uint64_t new_rsp, unsigned int size,
		    uint64_t val);
	/* POP r/m: load @size bytes at rSP; 0 or negative as above. */
	int (*pop)(void *ctx, uint64_t rsp, unsigned int size, uint64_t *val);
	/* String instructions: read or write @size bytes at @seg:@off
	 * (BT_SEG_*), RAM or MMIO alike; with @val NULL only check that the
	 * access would succeed.  0; EMU_FAULT when the guest has been given
	 * the fault the CPU raises there (#PF, #GP, #SS); or negative when
	 * the address is unusable (nothing was accessed).  PUSH and POP
	 * return the same. */
	int (*mem)(void *ctx, unsigned int seg, uint64_t off, unsigned int size,
		   bool write, uint64_t *val);
	/* INS/OUTS: one port access of @size (1, 2, 4) bytes. */
	void (*pio)(void *ctx, uint16_t port, unsigned int size, bool in,
		    uint32_t *val);
};

/* A REP string instruction stopped after EMU_STRING_BATCH elements with
 * elements left: RIP stays, the guest re-executes it (interrupts may be
 * taken in between, as between iterations on hardware). */
#define EMU_STRING_BATCH 64
#define EMU_REPEAT 1
/* A callback injected a fault: RIP stays, the registers reflect the
 * elements done before it (the caller still writes them back). */
#define EMU_FAULT 2

/*
 * Perform @insn on the MMIO operand.  Returns 0 (the caller advances RIP
 * by insn->len), EMU_REPEAT or EMU_FAULT (RIP stays), -VMI_EFAULT when a stack or
 * string operand is unusable, or -VMI_EOPNOTSUPP for an instruction this emulator does
 * not handle (the caller crashes the domain with the opcode in the log).
 */
int emu_mmio_insn(const struct bt_insn *insn, struct emu_regs *r,
		  const struct emu_mmio *m);

#endif
