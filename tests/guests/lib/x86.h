/*
 * x86.h - inline helpers for the guest test kernels: port I/O, MMIO,
 * CPUID, MSRs, control registers, the TSC and the interrupt flag.
 *
 * Everything here is one instruction (or a fixed short sequence) with no
 * policy; the fault-catching variants (rdmsr_safe() and friends) live in
 * guest.h because they need the per-CPU fault state.
 */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define barrier() asm volatile("" ::: "memory")

/* Port I/O (SDM vol. 1, 18.2). */
static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* A write to port 0x80 (POST code), the classic ~1 us I/O delay. */
static inline void io_delay(void)
{
	outb(0x80, 0);
}

/*
 * A pointer to physical address @a (paging is off).  The empty asm hides
 * the constant from gcc, whose -Warray-bounds rejects dereferencing small
 * literal addresses such as the BIOS data area.
 */
static inline void *phys_ptr(uintptr_t a)
{
	asm("" : "+r"(a));
	return (void *)a;
}

/* MMIO: plain volatile accesses, one instruction each. */
static inline uint8_t mmio_read8(uintptr_t a)
{
	return *(volatile uint8_t *)a;
}

static inline uint16_t mmio_read16(uintptr_t a)
{
	return *(volatile uint16_t *)a;
}

static inline uint32_t mmio_read32(uintptr_t a)
{
	return *(volatile uint32_t *)a;
}

static inline void mmio_write8(uintptr_t a, uint8_t v)
{
	*(volatile uint8_t *)a = v;
}

static inline void mmio_write16(uintptr_t a, uint16_t v)
{
	*(volatile uint16_t *)a = v;
}

static inline void mmio_write32(uintptr_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

/* CPUID (SDM vol. 2A, CPUID). */
struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid2(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	asm volatile("cpuid"
		     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline struct cpuid_regs cpuid(uint32_t leaf)
{
	return cpuid2(leaf, 0);
}

/* CPUID.1 feature bits used by the library and the tests. */
#define CPUID1_ECX_X2APIC (1u << 21)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID1_EDX_TSC (1u << 4)
#define CPUID1_EDX_MSR (1u << 5)
#define CPUID1_EDX_APIC (1u << 9)
#define CPUID1_EDX_PAT (1u << 16)
#define CPUID80000001_EDX_NX (1u << 20)
#define CPUID80000001_EDX_LM (1u << 29)

/* Bare QEMU TCG (its hypervisor leaf reads "TCGTCGTCGTCG"): the tests
 * that meet TCG's known gaps say so instead of failing. */
static inline bool is_qemu_tcg(void)
{
	struct cpuid_regs h;

	if (!(cpuid(1).ecx & CPUID1_ECX_HYPERVISOR))
		return false;
	h = cpuid(0x40000000);
	return h.ebx == 0x54474354 && h.ecx == 0x43544743 &&
	       h.edx == 0x47435447;
}

/* MSRs (SDM vol. 4). */
#define MSR_TSC 0x10
#define MSR_APIC_BASE 0x1b
#define MSR_PAT 0x277
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_X2APIC_BASE 0x800
#define MSR_EFER 0xc0000080

#define APIC_BASE_BSP (1u << 8)
#define APIC_BASE_EXTD (1u << 10)
#define APIC_BASE_EN (1u << 11)

#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr"
		     :
		     : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
		     : "memory");
}

/* RDTSC is not serializing; the lfence orders it after earlier loads
 * (enough for the millisecond-scale measurements the tests make). */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* Control registers and flags. */
#define X86_EFLAGS_IF (1u << 9)
#define X86_EFLAGS_DF (1u << 10)
#define X86_CR0_PE (1u << 0)
#define X86_CR0_PG (1u << 31)
#define X86_CR4_PAE (1u << 5)

static inline uint32_t read_cr0(void)
{
	uint32_t v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline uint32_t read_cr2(void)
{
	uint32_t v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint32_t read_cr4(void)
{
	uint32_t v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline uint32_t read_eflags(void)
{
	uint32_t v;

	asm volatile("pushfl; popl %0" : "=r"(v));
	return v;
}

static inline void cli(void)
{
	asm volatile("cli" ::: "memory");
}

static inline void sti(void)
{
	asm volatile("sti" ::: "memory");
}

/* sti's one-instruction shadow makes "sti; hlt" race-free: an interrupt
 * that is already pending wakes the hlt (SDM vol. 2B, STI). */
static inline void sti_hlt(void)
{
	asm volatile("sti; hlt" ::: "memory");
}

static inline void hlt(void)
{
	asm volatile("hlt" ::: "memory");
}

static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

static inline bool irqs_enabled(void)
{
	return read_eflags() & X86_EFLAGS_IF;
}

/* Save the interrupt flag and disable interrupts. */
static inline uint32_t irq_save(void)
{
	uint32_t f = read_eflags();

	cli();
	return f;
}

static inline void irq_restore(uint32_t flags)
{
	if (flags & X86_EFLAGS_IF)
		sti();
}

#endif /* GUEST_X86_H */
