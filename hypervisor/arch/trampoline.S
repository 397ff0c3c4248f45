/*
 * Application processor start-up.  Copied to AP_TRAMPOLINE_PA by
 * hypervisor/smp.c; a STARTUP IPI with vector AP_TRAMPOLINE_PA >> 12 starts
 * the AP here in real mode at CS = 0x0800, IP = 0 (SDM vol. 3A, 9.4.4
 * "MP Initialization Example").  It walks real → protected → long mode on
 * the early page tables (boot_pml4, which identity-maps low memory) and
 * jumps to ap_entry(cpu) on the stack smp.c put in tramp_stack.
 */
#include <trivisor/layout.h>

#define T(sym) (AP_TRAMPOLINE_PA + (sym) - ap_tramp_start)

	.section .ap_trampoline, "a"
	.code16
	.globl ap_tramp_start
ap_tramp_start:
	cli
	cld
	xor %ax, %ax
	mov %ax, %ds
	lgdtl T(tramp_gdtr)
	mov %cr0, %eax
	or $1, %eax
	mov %eax, %cr0
	ljmpl $GDT_CS32, $T(tramp32)

	.code32
tramp32:
	mov $GDT_DS, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %cr4, %eax
	or $(1 << 5), %eax
	mov %eax, %cr4
	mov T(tramp_cr3), %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx
	rdmsr
	or $((1 << 8) | (1 << 11)), %eax
	wrmsr
	mov %cr0, %eax
	or $((1 << 31) | (1 << 16)), %eax
	mov %eax, %cr0
	ljmp $GDT_CS64, $T(tramp64)

	.code64
tramp64:
	mov $GDT_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov T(tramp_stack), %rsp
	mov T(tramp_cpu), %rdi
	mov T(tramp_entry), %rax
	xor %ebp, %ebp
	jmp *%rax

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00af9a000000ffff
	.quad 0x00cf92000000ffff
	.quad 0x00cf9a000000ffff
tramp_gdt_end:
tramp_gdtr:
	.word tramp_gdt_end - tramp_gdt - 1
	.long T(tramp_gdt)
	.balign 8
	.globl tramp_cr3, tramp_stack, tramp_cpu, tramp_entry
tramp_cr3:
	.quad 0
tramp_stack:
	.quad 0
tramp_cpu:
	.quad 0
tramp_entry:
	.quad 0

	.section .note.GNU-stack, "", @progbits
