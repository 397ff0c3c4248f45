/*
 * int vmx_enter(struct vcpu_regs *regs, int launched): one trip into the
 * guest through the current VMCS.
 *
 * VM entry loads RSP, RIP and RFLAGS from the VMCS; the other general
 * registers are ours to switch (SDM vol. 3C, 26.3.2 and 27.5: VM exit
 * loads the host RSP and RIP from HOST_RSP/HOST_RIP and leaves the rest).
 * HOST_RSP is written here because it is this call's stack pointer;
 * HOST_RIP points at vmx_exit_point (written once per VMCS).
 *
 * Returns 0 after a VM exit, 1 for VMfailInvalid (CF), 2 for VMfailValid
 * (ZF: the error number is in VM_INSTRUCTION_ERROR; 31.2, 31.4).  Called
 * with interrupts disabled; the exit leaves them disabled (RFLAGS = 2).
 */
#define HOST_RSP 0x6c14

	.text
	.globl vmx_enter
	.globl vmx_exit_point
vmx_enter:
	push %rbp
	mov %rsp, %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi		/* regs, found again at (%rsp) on exit */

	mov $HOST_RSP, %rax
	vmwrite %rsp, %rax
	jbe .Lfail

	test %esi, %esi		/* flags survive the moves below */
	mov (%rdi), %rax
	mov 8(%rdi), %rbx
	mov 16(%rdi), %rcx
	mov 24(%rdi), %rdx
	mov 32(%rdi), %rsi
	mov 48(%rdi), %rbp
	mov 64(%rdi), %r8
	mov 72(%rdi), %r9
	mov 80(%rdi), %r10
	mov 88(%rdi), %r11
	mov 96(%rdi), %r12
	mov 104(%rdi), %r13
	mov 112(%rdi), %r14
	mov 120(%rdi), %r15
	mov 40(%rdi), %rdi
	jnz 1f
	vmlaunch
	jmp .Lfail
1:	vmresume

.Lfail:
	/* Still in the host: CF = VMfailInvalid, ZF = VMfailValid. */
	mov $1, %eax
	jc 2f
	mov $2, %eax
2:	add $8, %rsp
	jmp .Lout

vmx_exit_point:
	push %rax
	mov 8(%rsp), %rax	/* regs */
	popq (%rax)
	mov %rbx, 8(%rax)
	mov %rcx, 16(%rax)
	mov %rdx, 24(%rax)
	mov %rsi, 32(%rax)
	mov %rdi, 40(%rax)
	mov %rbp, 48(%rax)
	mov %r8, 64(%rax)
	mov %r9, 72(%rax)
	mov %r10, 80(%rax)
	mov %r11, 88(%rax)
	mov %r12, 96(%rax)
	mov %r13, 104(%rax)
	mov %r14, 112(%rax)
	mov %r15, 120(%rax)
	add $8, %rsp
	xor %eax, %eax
.Lout:
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret

	.section .note.GNU-stack, "", @progbits
