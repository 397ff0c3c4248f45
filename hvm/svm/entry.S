/*
 * svm_enter(regs, vmcb_pa, host_save_pa): one trip into the guest.
 *
 * VMRUN saves and restores only part of the host state (AMD APM vol. 2,
 * 15.5.1); FS, GS, TR, LDTR, KernelGsBase, STAR/LSTAR/CSTAR/SFMASK and the
 * SYSENTER MSRs are switched with VMSAVE/VMLOAD (15.5.2): host values to
 * host_save_pa, guest values from and to the VMCB.  RAX, RSP, RIP and
 * RFLAGS live in the VMCB; the other general registers in *regs
 * (struct vcpu_regs: rax rbx rcx rdx rsi rdi rbp rsp r8-r15).
 * Called with GIF = 0 (clgi) and host RFLAGS.IF = 1.
 */
	.text
	.globl svm_enter
svm_enter:
	push %rbp
	mov %rsp, %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi		/* regs */
	push %rdx		/* host save area */
	push %rsi		/* vmcb */

	mov %rdx, %rax
	vmsave %rax

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

	mov (%rsp), %rax	/* vmcb */
	vmload %rax
	vmrun %rax
	vmsave %rax

	mov 16(%rsp), %rax	/* regs */
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

	mov 8(%rsp), %rax	/* host save area */
	vmload %rax
	add $24, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret

	.section .note.GNU-stack, "", @progbits
