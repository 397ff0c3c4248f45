/*
 * trap.c - GDT, IDT, per-CPU areas, interrupt dispatch and fault catching.
 *
 * One GDT serves every CPU: flat 32-bit code and data, 16-bit and 64-bit
 * code for tests that change mode, two spare data descriptors, and one
 * per-CPU data descriptor whose base is that CPU's struct cpu, loaded in
 * %fs (so this_cpu() is one load).  Every IDT entry is a 32-bit interrupt
 * gate (IF cleared on entry) to a stub in entry.S.
 */
#include "private.h"

struct cpu guest_cpus[GUEST_MAX_CPUS];

uint64_t guest_gdt[GDT_ENTRIES] __attribute__((aligned(16)));
static uint64_t idt[256] __attribute__((aligned(16)));
static irq_handler_t handlers[256];

extern const char isr_stubs[];

struct __attribute__((packed)) desc_ptr {
	uint16_t limit;
	uint32_t base;
};

/* Segment descriptor (SDM vol. 3A, 3.4.5). @flags: G, D/B, L in 7..5 of
 * the high nibble; @access: P, DPL, S, type. */
static uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access,
			 uint8_t flags)
{
	uint64_t d;

	if (limit > 0xfffff) {
		limit >>= 12;
		flags |= 0x8; /* G: limit in 4 KiB units */
	}
	d = limit & 0xffff;
	d |= (uint64_t)(base & 0xffffff) << 16;
	d |= (uint64_t)access << 40;
	d |= (uint64_t)((limit >> 16) & 0xf) << 48;
	d |= (uint64_t)(flags & 0xf) << 52;
	d |= (uint64_t)(base >> 24) << 56;
	return d;
}

#define ACC_CODE 0x9a /* present, DPL 0, code, readable */
#define ACC_DATA 0x92 /* present, DPL 0, data, writable */
#define FL_32 0x4 /* D/B */
#define FL_64 0x2 /* L */

void gdt_set_data_segment(uint16_t sel, uint32_t base, uint32_t limit)
{
	guest_gdt[sel >> 3] = seg_desc(base, limit ? limit - 1 : 0, ACC_DATA,
				       FL_32);
}

static void load_gdt_and_segments(unsigned int cpu)
{
	struct desc_ptr p = { GDT_LIMIT, (uint32_t)guest_gdt };

	asm volatile("lgdt %0\n\t"
		     "ljmp %1, $1f\n"
		     "1:\n\t"
		     "movw %w2, %%ds\n\t"
		     "movw %w2, %%es\n\t"
		     "movw %w2, %%ss\n\t"
		     "movw %w2, %%gs\n\t"
		     "movw %w3, %%fs"
		     :
		     : "m"(p), "i"(SEL_CODE32), "r"(SEL_DATA32),
		       "r"(SEL_PERCPU(cpu))
		     : "memory");
}

static void load_idt(void)
{
	struct desc_ptr p = { sizeof(idt) - 1, (uint32_t)idt };

	asm volatile("lidt %0" : : "m"(p));
}

/* Build the GDT and IDT (boot CPU, once). */
void trap_init(void)
{
	unsigned int i;

	guest_gdt[0] = 0;
	guest_gdt[SEL_CODE32 >> 3] = seg_desc(0, 0xffffffff, ACC_CODE, FL_32);
	guest_gdt[SEL_DATA32 >> 3] = seg_desc(0, 0xffffffff, ACC_DATA, FL_32);
	guest_gdt[SEL_CODE16 >> 3] = seg_desc(0, 0xffff, ACC_CODE, 0);
	guest_gdt[SEL_DATA16 >> 3] = seg_desc(0, 0xffff, ACC_DATA, 0);
	guest_gdt[SEL_CODE64 >> 3] = seg_desc(0, 0xfffff, ACC_CODE, FL_64);
	for (i = 0; i < GUEST_MAX_CPUS; i++) {
		guest_cpus[i].self = &guest_cpus[i];
		guest_cpus[i].index = i;
		guest_gdt[SEL_PERCPU(i) >> 3] =
			seg_desc((uint32_t)&guest_cpus[i],
				 sizeof(struct cpu) - 1, ACC_DATA, FL_32);
	}
	/* Interrupt gates (SDM vol. 3A, 6.11): present, DPL 0, type 0xe. */
	for (i = 0; i < 256; i++) {
		uint32_t off = (uint32_t)isr_stubs + 16 * i;

		idt[i] = (off & 0xffff) | ((uint64_t)SEL_CODE32 << 16) |
			 ((uint64_t)0x8e << 40) |
			 ((uint64_t)(off >> 16) << 48);
	}
}

/* Load the GDT, segments and IDT on CPU @index (boot CPU and APs). */
void trap_load(unsigned int index)
{
	load_gdt_and_segments(index);
	load_idt();
}

void irq_set_handler(unsigned int vector, irq_handler_t h)
{
	if (vector < 256)
		__atomic_store_n(&handlers[vector], h, __ATOMIC_RELEASE);
}

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
	"#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

const char *exception_name(unsigned int vector)
{
	return vector < 32 ? exc_names[vector] : "irq";
}

int rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint64_t v = 0;
	int r;

	r = guest_try(v = rdmsr(msr));
	if (r < 0)
		*val = v;
	return r;
}

int wrmsr_safe(uint32_t msr, uint64_t val)
{
	return guest_try(wrmsr(msr, val));
}


int read32_safe(uintptr_t addr, uint32_t *val)
{
	uint32_t v = 0;
	int r;

	r = guest_try(v = mmio_read32(addr));
	if (r < 0)
		*val = v;
	return r;
}

int write32_safe(uintptr_t addr, uint32_t val)
{
	return guest_try(mmio_write32(addr, val));
}

void trap_dispatch(struct trap_frame *f)
{
	struct cpu *c = this_cpu();
	unsigned int v = f->vector;
	irq_handler_t h = __atomic_load_n(&handlers[v], __ATOMIC_ACQUIRE);

	if (v >= 32)
		c->irqs++;
	if (h) {
		h(f);
		if (v >= 32 && v != VEC_SPURIOUS)
			lapic_eoi();
		return;
	}
	if (v < 32 && v != VEC_NMI && c->fault_armed) {
		c->fault_armed = false;
		c->fault.vector = v;
		c->fault.error = f->error;
		c->fault.eip = f->eip;
		c->fault.cr2 = v == VEC_PF ? read_cr2() : 0;
		guest_longjmp(&c->fault_jb, (int)v + 1);
	}
	if (v == VEC_SPURIOUS) {
		c->spurious++;
		return;
	}
	/* 8259 spurious IRQ 7 / 15 (the PICs are masked, but a masked PIC
	 * can still raise these); nothing to acknowledge at the LAPIC. */
	if (v == VEC_PIC_BASE + 7 || v == VEC_PIC_BASE + 15) {
		c->spurious++;
		return;
	}
	if (v < 32)
		guest_fail(guest_name,
			   "unexpected exception %s (vector %u) error=%#x at "
			   "eip=%#x cr2=%#x on CPU %u",
			   exc_names[v], v, f->error, f->eip,
			   v == VEC_PF ? read_cr2() : 0, c->index);
	guest_fail(guest_name,
		   "unexpected interrupt vector %#x at eip=%#x on CPU %u", v,
		   f->eip, c->index);
}
