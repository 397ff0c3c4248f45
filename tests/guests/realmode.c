/*
 * realmode - the boot CPU drops back from protected to real mode and
 * returns, as code that calls BIOS-style services or an AP trampoline
 * does.
 *
 * Proves: a 32-bit protected-mode kernel can go through 16-bit protected
 * mode to real mode (CR0.PE cleared, a far jump to a real-mode CS: SDM
 * vol. 3A, 9.9.2), run there with its own interrupt vector table at 0
 * (IDTR base 0, limit 0x3ff: two software interrupts through vector
 * 0x40 and their IRETs), execute CPUID and port I/O (both exits under
 * trivisor), call a BIOS-style service (INT 15h E801h: with "bios=stub"
 * it must answer CF set, AH 86h, as trivisor's IVT does for every
 * service), and return to protected mode (SDM vol. 3A, 9.9.1), 200
 * times in a row, with its GDT, IDT, %fs and stack intact afterwards.
 */
#include "guest.h"
#include "layout.h"

GUEST_TEST("realmode");

#define RM_BASE 0x7000 /* the copy's address: below 64 KiB, in RAM */
#define __stringify_1(x) #x
#define __stringify(x) __stringify_1(x)
#define ROUNDS 200

/* In the copy: the interrupt count, CPUID(0).EBX seen in real mode, and
 * the GDTR to load on the way back (the library's). */
extern const uint8_t rm_start[], rm_end[], rm_pm16[], rm_count[],
	rm_cpuid_ebx[], rm_gdtr[], rm_bios_flags[], rm_bios_ax[];
void rm_call(void);

asm(".section .rodata\n"
    ".align 16\n"
    ".globl rm_start, rm_end, rm_pm16, rm_count, rm_cpuid_ebx, rm_gdtr\n"
    ".globl rm_bios_flags, rm_bios_ax\n"
    ".code16\n"
    "rm_start:\n"
    /* 16-bit protected mode (SEL_CODE16: base 0, limit 0xffff). */
    "rm_pm16:\n"
    "	movw $" __stringify(SEL_DATA16) ", %ax\n"
    "	movw %ax, %ds\n"
    "	movw %ax, %es\n"
    "	movw %ax, %ss\n"
    "	movw %ax, %fs\n"
    "	movw %ax, %gs\n"
    "	movl %cr0, %eax\n"
    "	andl $0xfffffffe, %eax\n"
    "	movl %eax, %cr0\n"
    "	ljmp $(" __stringify(RM_BASE) " >> 4), $(rm_real - rm_start)\n"
    /* Real mode: CS = RM_BASE >> 4. */
    "rm_real:\n"
    "	movw %cs, %ax\n"
    "	movw %ax, %ds\n"
    "	movw %ax, %ss\n"
    "	movw $0xff0, %sp\n"
    "	xorw %ax, %ax\n"
    "	movw %ax, %es\n"
    "	lidt (rm_ivt - rm_start)\n"
    "	movw $(rm_isr - rm_start), %es:(0x40 * 4)\n"
    "	movw %cs, %es:(0x40 * 4 + 2)\n"
    "	movw $0, (rm_count - rm_start)\n"
    "	int $0x40\n"
    "	int $0x40\n"
    "	xorl %eax, %eax\n"
    "	cpuid\n"
    "	movl %ebx, (rm_cpuid_ebx - rm_start)\n"
    "	movb $0x55, %al\n"
    "	outb %al, $0x80\n"
    /* A BIOS-style service (INT 15h AX=E801h, memory size): it must
     * return; its CF and AX are kept for the C side. */
    "	movw $0xe801, %ax\n"
    "	clc\n"
    "	int $0x15\n"
    "	pushfw\n"
    "	popw (rm_bios_flags - rm_start)\n"
    "	movw %ax, (rm_bios_ax - rm_start)\n"
    "	inb $0x61, %al\n"
    "	cli\n"
    "	lgdtl (rm_gdtr - rm_start)\n"
    "	movl %cr0, %eax\n"
    "	orl $1, %eax\n"
    "	movl %eax, %cr0\n"
    "	ljmpl $" __stringify(SEL_CODE32) ", $rm_back32\n"
    "rm_isr:\n"
    "	incw %cs:(rm_count - rm_start)\n"
    "	iret\n"
    ".align 4\n"
    "rm_ivt:\n"
    "	.word 0x3ff\n"
    "	.long 0\n"
    ".align 4\n"
    "rm_count:\n"
    "	.word 0, 0\n"
    "rm_cpuid_ebx:\n"
    "	.long 0\n"
    "rm_bios_flags:\n"
    "	.word 0\n"
    "rm_bios_ax:\n"
    "	.word 0\n"
    "rm_gdtr:\n"
    "	.word 0\n"
    "	.long 0\n"
    "rm_end:\n"
    ".code32\n"
    /* rm_call: enter the copy's 16-bit protected-mode code; back at
     * rm_back32 with the library's segments and IDT restored. */
    ".text\n"
    ".globl rm_call\n"
    "rm_call:\n"
    "	pushl %ebx\n"
    "	pushl %esi\n"
    "	pushl %edi\n"
    "	pushl %ebp\n"
    "	movw %fs, %ax\n"
    "	movw %ax, rm_saved_fs\n"
    "	sidt rm_saved_idt\n"
    "	movl %esp, rm_saved_esp\n"
    "	cli\n"
    "	ljmp $" __stringify(SEL_CODE16) ", $(" __stringify(RM_BASE) " + rm_pm16 - rm_start)\n"
    "rm_back32:\n"
    "	movl $" __stringify(SEL_DATA32) ", %eax\n"
    "	movw %ax, %ds\n"
    "	movw %ax, %es\n"
    "	movw %ax, %ss\n"
    "	xorl %eax, %eax\n"
    "	movw %ax, %gs\n"
    "	movw rm_saved_fs, %ax\n"
    "	movw %ax, %fs\n"
    "	movl rm_saved_esp, %esp\n"
    "	lidt rm_saved_idt\n"
    "	popl %ebp\n"
    "	popl %edi\n"
    "	popl %esi\n"
    "	popl %ebx\n"
    "	ret\n"
    ".data\n"
    ".align 4\n"
    "rm_saved_esp: .long 0\n"
    "rm_saved_fs: .word 0\n"
    "rm_saved_idt: .word 0\n"
    "	.long 0\n"
    ".text\n");

struct __attribute__((packed)) gdtr {
	uint16_t limit;
	uint32_t base;
};

void test_main(void)
{
	uint8_t *copy = (uint8_t *)RM_BASE;
	uint32_t n = (uint32_t)(rm_end - rm_start), ebx0 = cpuid(0).ebx;
	struct gdtr g;
	uint16_t count, flags = 0, ax = 0;
	uint32_t ebx;
	char arg[8];
	bool stub;
	unsigned int i;

	CHECK(n < 0xff0 - 64, "the real-mode code is %u bytes", n);
	asm volatile("sgdt %0" : "=m"(g));
	memcpy(copy, rm_start, n);
	memcpy(copy + (rm_gdtr - rm_start), &g, sizeof(g));
	printf("realmode: %u bytes of 16-bit code at %#x; GDT at %#x\n", n,
	       RM_BASE, g.base);

	/* bios=stub: the domain has no BIOS, only trivisor's IVT, whose
	 * services all answer "not supported" (CF set, AH = 86h). */
	stub = cmdline_get("bios", arg, sizeof(arg)) && !strcmp(arg, "stub");
	for (i = 0; i < ROUNDS; i++) {
		rm_call();
		memcpy(&count, copy + (rm_count - rm_start), 2);
		memcpy(&ebx, copy + (rm_cpuid_ebx - rm_start), 4);
		CHECK(count == 2, "round %u: %u software interrupts in real "
		      "mode, not 2", i, count);
		CHECK(ebx == ebx0, "round %u: CPUID(0).EBX %08x in real mode, "
		      "%08x in protected mode", i, ebx, ebx0);
		memcpy(&flags, copy + (rm_bios_flags - rm_start), 2);
		memcpy(&ax, copy + (rm_bios_ax - rm_start), 2);
		CHECK(!stub || ((flags & 1) && (ax >> 8) == 0x86),
		      "round %u: INT 15h E801h returned FLAGS %04x AX %04x, "
		      "not CF set and AH 86h", i, flags, ax);
	}
	printf("realmode: INT 15h E801h returned CF=%u AX=%04x\n", flags & 1,
	       ax);
	CHECK(this_cpu()->index == 0, "%%fs no longer reaches CPU 0's data");
	CHECK(expect_fault(VEC_UD, asm volatile("ud2")),
	      "the IDT does not catch #UD after the round trips");
	printf("realmode: %u round trips protected -> real -> protected "
	       "mode: 2 INTs, CPUID and port I/O in real mode each\n", ROUNDS);
	guest_pass(guest_name);
}
