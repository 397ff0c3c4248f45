/*
 * Interrupt and exception entry.  Every vector has a stub that makes the
 * stack look the same (an error code, real or zero, then the vector) and
 * jumps to trap_common, which saves the general registers as a
 * struct cpu_regs (include/trivisor/traps.h) and calls trap_dispatch().
 * Vectors that push an error code: SDM vol. 3A, 6.13 and table 6-1.
 */
#include <trivisor/layout.h>

	.section .text, "ax"
	.code64
	.altmacro

	.macro STUB vec
	.balign 16
trap_stub_\vec:
	.if (\vec == 8) || (\vec == 10) || (\vec == 11) || (\vec == 12) || \
	    (\vec == 13) || (\vec == 14) || (\vec == 17) || (\vec == 21) || \
	    (\vec == 29) || (\vec == 30)
	.else
	pushq $0
	.endif
	pushq $\vec
	jmp trap_common
	.endm

	.set v, 0
	.rept 256
	STUB %v
	.set v, v + 1
	.endr

	.macro STUBADDR vec
	.quad trap_stub_\vec
	.endm

trap_common:
	/* Build struct cpu_regs: r15 at the lowest address. */
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	/* Came from CPL 3: swap to the hypervisor's GS base. */
	testb $3, 18*8(%rsp)
	jz 1f
	swapgs
1:	mov %rsp, %rdi
	cld
	call trap_dispatch
	testb $3, 18*8(%rsp)
	jz 2f
	swapgs
2:	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp
	iretq

	/* Addresses of the stubs, for building the IDT. */
	.section .rodata
	.balign 8
	.globl trap_stub_table
trap_stub_table:
	.set v, 0
	.rept 256
	STUBADDR %v
	.set v, v + 1
	.endr

	.section .note.GNU-stack, "", @progbits
