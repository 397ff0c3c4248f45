/*
 * entry.S - multiboot v1 header, 32-bit entry, interrupt stubs, the AP
 * real-mode trampoline and guest_setjmp/guest_longjmp.
 *
 * Machine state on entry (Multiboot Specification 0.6.96, 3.2): 32-bit
 * protected mode, paging off, flat CS/DS, EAX = 0x2BADB002, EBX = the
 * physical address of the multiboot information, interrupts disabled, the
 * stack and the GDT undefined.
 */
#include "layout.h"

#define MB1_MAGIC 0x1BADB002
#define MB1_FLAGS 0x00000003 /* page-align modules, want mem_* and mmap */

	.section .multiboot, "a"
	.align 4
	.long MB1_MAGIC
	.long MB1_FLAGS
	.long -(MB1_MAGIC + MB1_FLAGS)

	.section .text.boot, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	/* The BSS holds the stack: clear it before the first push, keeping
	 * the loader's EAX/EBX in ESI/EBP. */
	movl %eax, %esi
	movl %ebx, %ebp
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $bsp_stack_top, %esp
	pushl $0
	popfl
	pushl %ebp
	pushl %esi
	call guest_boot /* (magic, mbi); does not return */
1:	cli
	hlt
	jmp 1b

	.text
/*
 * Interrupt and exception stubs, 16 bytes each, stub N at isr_stubs + 16*N.
 * Vectors whose exceptions push an error code (SDM vol. 3A, Table 6-1:
 * 8, 10-14, 17, 21, 29, 30) skip the dummy push so every frame has one.
 */
	.align 16
	.globl isr_stubs
isr_stubs:
	.set vec, 0
	.rept 256
	.align 16
	.if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || \
	    (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushl $0
	.endif
	pushl $vec
	jmp isr_common
	.set vec, vec + 1
	.endr

/* Builds struct trap_frame (guest.h) and calls trap_dispatch(frame). */
isr_common:
	pushl %ds
	pushl %es
	pushl %gs
	pushal
	cld
	movl $SEL_DATA32, %eax
	movw %ax, %ds
	movw %ax, %es
	movl %esp, %eax
	pushl %eax
	call trap_dispatch
	addl $4, %esp
	popal
	popl %gs
	popl %es
	popl %ds
	addl $8, %esp /* vector, error code */
	iretl

/* int guest_setjmp(struct guest_jmpbuf *jb) */
	.globl guest_setjmp
guest_setjmp:
	movl 4(%esp), %eax
	movl %ebx, 0(%eax)
	movl %esi, 4(%eax)
	movl %edi, 8(%eax)
	movl %ebp, 12(%eax)
	leal 4(%esp), %ecx /* the caller's ESP after our return */
	movl %ecx, 16(%eax)
	movl (%esp), %ecx
	movl %ecx, 20(%eax)
	pushfl
	popl 24(%eax)
	xorl %eax, %eax
	ret

/* void guest_longjmp(struct guest_jmpbuf *jb, int v): v must be != 0. */
	.globl guest_longjmp
guest_longjmp:
	movl 4(%esp), %edx
	movl 8(%esp), %eax
	movl 0(%edx), %ebx
	movl 4(%edx), %esi
	movl 8(%edx), %edi
	movl 12(%edx), %ebp
	movl 16(%edx), %esp
	pushl 24(%edx)
	popfl
	jmpl *20(%edx)

/*
 * AP start-up trampoline, copied to AP_TRAMPOLINE (page aligned, below
 * 1 MiB) and entered in real mode at CS:IP = (AP_TRAMPOLINE >> 4):0 by the
 * STARTUP IPI (SDM vol. 3A, 8.4.4.1 and 10.6.1).  It loads the library's
 * GDT, enters protected mode and jumps to ap_entry with the stack the boot
 * CPU left in ap_boot_esp.  Position-independent except for the absolute
 * far jump, which is computed for the copy's address.
 */
	.section .rodata
	.align 16
	.globl ap_tramp_start, ap_tramp_end
	.code16
ap_tramp_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl (ap_tramp_gdtr - ap_tramp_start)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $SEL_CODE32, $(AP_TRAMPOLINE + ap_tramp_pm - ap_tramp_start)
	.code32
ap_tramp_pm:
	movl $SEL_DATA32, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorl %eax, %eax
	movw %ax, %fs
	movw %ax, %gs
	movl ap_boot_esp, %esp
	pushl $0
	popfl
	movl $ap_entry, %eax
	jmp *%eax
	.align 4
ap_tramp_gdtr:
	.word GDT_LIMIT
	.long guest_gdt
ap_tramp_end:

	.bss
	.align 16
	.globl bsp_stack_top
bsp_stack:
	.skip STACK_SIZE
bsp_stack_top:

	.section .note.GNU-stack, "", @progbits
