/*
 * Per-CPU descriptor tables: a GDT with the flat selectors of layout.h and
 * a TSS whose IST stacks catch NMI, #DF and #MC.
 */
#include <trivisor/percpu.h>
#include <trivisor/traps.h>
#include <trivisor/cpu.h>
#include <trivisor/init.h>
#include <string.h>

static uint8_t ist_stacks[MAX_CPUS][3][IST_STACK_SIZE]
	__attribute__((aligned(4096)));

void gdt_load_this_cpu(struct percpu *pc)
{
	uint64_t tss = (uint64_t)&pc->tss;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr;

	memset(&pc->tss, 0, sizeof(pc->tss));
	for (int i = 0; i < 3; i++)
		pc->tss.ist[i] = (uint64_t)&ist_stacks[pc->cpu][i][IST_STACK_SIZE];
	pc->tss.iomap_base = sizeof(pc->tss); /* no I/O bitmap */

	pc->gdt[0] = 0;
	pc->gdt[GDT_CS64 >> 3] = 0x00af9a000000ffff;
	pc->gdt[GDT_DS >> 3] = 0x00cf92000000ffff;
	pc->gdt[GDT_CS32 >> 3] = 0x00cf9a000000ffff;
	/* 64-bit TSS descriptor, 16 bytes (SDM vol. 3A, 8.2.3). */
	pc->gdt[GDT_TSS >> 3] = (sizeof(pc->tss) - 1) | ((tss & 0xffffff) << 16) |
				(0x89ul << 40) | (((tss >> 24) & 0xff) << 56);
	pc->gdt[(GDT_TSS >> 3) + 1] = tss >> 32;

	gdtr.limit = sizeof(pc->gdt) - 1;
	gdtr.base = (uint64_t)pc->gdt;
	asm volatile("lgdt %0\n\t"
		     "pushq %[cs]\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "mov %[ds], %%eax\n\t"
		     "mov %%eax, %%ds\n\t"
		     "mov %%eax, %%es\n\t"
		     "mov %%eax, %%ss\n\t"
		     "ltr %w[tr]"
		     :
		     : "m"(gdtr), [cs] "i"(GDT_CS64), [ds] "i"(GDT_DS),
		       [tr] "r"(GDT_TSS)
		     : "rax", "memory");
}
