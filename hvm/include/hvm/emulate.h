/*
 * Emulating one instruction whose memory operand is emulated MMIO.  The
 * CPU already told us the operand's guest-physical address (the nested
 * fault), so only the operation itself is emulated: loads, stores,
 * MOVZX/MOVSX, XCHG, INC/DEC, and the ALU forms with a memory operand
 * (ADD/OR/ADC/SBB/AND/SUB/XOR/CMP/TEST) with their flags.  Portable.
 */
#ifndef HVM_EMULATE_H
#define HVM_EMULATE_H

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
};

/*
 * Perform @insn on the MMIO operand.  Returns 0 (the caller advances RIP
 * by insn->len), or -VMI_EOPNOTSUPP for an instruction this emulator does
 * not handle (the caller crashes the domain with the opcode in the log).
 */
int emu_mmio_insn(const struct bt_insn *insn, struct emu_regs *r,
		  const struct emu_mmio *m);

#endif
