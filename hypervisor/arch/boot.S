/*
 * Multiboot2 entry: 32-bit protected mode, paging off (Multiboot2 spec,
 * "I386 machine state").  We check that the CPU can run us, build nothing
 * at run time (the early page tables below are static), enter long mode
 * (SDM vol. 3A, 10.8.5 "Initializing IA-32e Mode") and jump to the image's
 * high virtual address.
 *
 * Early tables: one PDPT mapping 0-4 GiB with 2 MiB pages, installed at
 * PML4 slot 0 (identity, for this code and for starting the APs), slot 256
 * (the direct map) and slot 270 (the image).  hypervisor/paging.c replaces
 * them with the final tables once the memory map is known.
 */
#include <trivisor/layout.h>

#define MB2_MAGIC 0xe85250d6
#define MB2_BOOT_MAGIC 0x36d76289
#define MB2_ARCH_I386 0
#define MB2_HDR_LEN (mb2_header_end - mb2_header)

#define COM1 0x3f8

	.section .multiboot, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long MB2_HDR_LEN
	.long -(MB2_MAGIC + MB2_ARCH_I386 + MB2_HDR_LEN)
	/* Module alignment tag: modules start on page boundaries. */
	.balign 8
	.short 6, 0
	.long 8
	/* End tag. */
	.balign 8
	.short 0, 0
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	/* Keep the loader's arguments for hv_start(magic, mbi). */
	mov %eax, %edi
	mov %ebx, %esi

	mov $msg_magic, %ebp
	cmp $MB2_BOOT_MAGIC, %eax
	jne boot_fail

	/* Long mode (CPUID 0x80000001 EDX[29]) and NX (EDX[20]) required. */
	mov $msg_nolm, %ebp
	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb boot_fail
	mov $0x80000001, %eax
	cpuid
	bt $29, %edx
	jnc boot_fail
	mov $msg_nonx, %ebp
	bt $20, %edx
	jnc boot_fail

	/* CR4.PAE, then CR3, then EFER.LME|NXE, then CR0.PG (SDM 10.8.5). */
	mov %cr4, %eax
	or $(1 << 5), %eax
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx
	rdmsr
	or $((1 << 8) | (1 << 11)), %eax
	wrmsr
	mov %cr0, %eax
	or $((1 << 31) | (1 << 16) | 1), %eax
	mov %eax, %cr0

	lgdt boot_gdtr
	ljmp $GDT_CS64, $boot64

	/* Print the message at %ebp on COM1 and stop. */
boot_fail:
	mov $COM1 + 5, %dx
1:	inb %dx, %al
	test $0x20, %al
	jz 1b
	mov $COM1, %dx
	movb (%ebp), %al
	test %al, %al
	jz 2f
	outb %al, %dx
	inc %ebp
	jmp boot_fail
2:	hlt
	jmp 2b

	.code64
boot64:
	movabs $start64, %rax
	jmp *%rax

	.section .boot.data, "aw"
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.quad boot_pdpt + 3
	.fill 255, 8, 0
	.quad boot_pdpt + 3		/* 256: direct map */
	.fill 13, 8, 0
	.quad boot_pdpt + 3		/* 270: image */
	.fill 241, 8, 0
boot_pdpt:
	.quad boot_pd + 0x0000 + 3
	.quad boot_pd + 0x1000 + 3
	.quad boot_pd + 0x2000 + 3
	.quad boot_pd + 0x3000 + 3
	.fill 508, 8, 0
boot_pd:
	.set i, 0
	.rept 2048
	.quad (i << 21) | 0x83		/* present, writable, 2 MiB */
	.set i, i + 1
	.endr

	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00cf9a000000ffff	/* 0x18: 32-bit code */
boot_gdt_end:
boot_gdtr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

msg_magic:
	.asciz "trivisor: not started by a multiboot2 loader\r\n"
msg_nolm:
	.asciz "trivisor: this CPU has no long mode\r\n"
msg_nonx:
	.asciz "trivisor: this CPU has no NX bit\r\n"

	.section .text.entry, "ax"
	.code64
start64:
	mov $GDT_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	lea cpu_stacks + STACK_SIZE(%rip), %rsp
	xor %ebp, %ebp
	mov %edi, %edi
	mov %esi, %esi
	call hv_start
1:	cli
	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
