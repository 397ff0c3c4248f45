/*
 * guest.h - the freestanding library every guest test kernel links with.
 *
 * A test kernel is a multiboot v1 ELF32 that runs in 32-bit protected mode
 * with paging off (flat segments, identity addressing of the low 4 GiB).
 * The library's entry (entry.S) sets up a stack, the GDT and IDT, COM1,
 * the 8259s (remapped and masked), the ACPI MADT, the TSC calibration and
 * the boot CPU's LAPIC, then calls the test's
 *
 *	void test_main(void);
 *
 * The test ends with guest_pass() or guest_fail(): a line
 * "GUEST-RESULT: PASS name" or "GUEST-RESULT: FAIL name: reason" on COM1,
 * then 0x10 (pass) or 0x11 (fail) written to the isa-debug-exit port 0xf4.
 * An unexpected exception, or test_main returning, is a FAIL.
 *
 * Each test kernel defines its name once:  GUEST_TEST("cpuid");
 *
 * See docs/guest-tests.md.
 */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "x86.h"

#define GUEST_MAX_MEM 32 /* memory map entries kept */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* The mask takes @x's type: a 32-bit @a must not clear a 64-bit @x's
 * upper half. */
#define ALIGN_UP(x, a) (((x) + ((a)-1)) & ~(__typeof__(x))((a)-1))
#define KIB(x) ((uint32_t)(x) << 10)
#define MIB(x) ((uint32_t)(x) << 20)

/* ------------------------------------------------------------------ */
/* Results and console                                                 */

/* The name of the running test, from GUEST_TEST(). */
extern const char guest_name[];
#define GUEST_TEST(name) const char guest_name[] = name

/* The test's entry point (defined by each test kernel). */
void test_main(void);

/* Print "GUEST-RESULT: PASS name" and end the run with 0x10 on port 0xf4. */
__attribute__((noreturn)) void guest_pass(const char *name);

/* Print "GUEST-RESULT: FAIL name: reason" and end with 0x11. */
__attribute__((noreturn, format(printf, 2, 3))) void
guest_fail(const char *name, const char *fmt, ...);

/* A pass that did not test anything: prints "name: skipped: reason", then
 * the PASS line.  Used where the platform lacks what the test needs. */
__attribute__((noreturn, format(printf, 2, 3))) void
guest_skip(const char *name, const char *fmt, ...);

/* Fail the running test with the given message unless @cond holds. */
#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond))                                                 \
			guest_fail(guest_name, __VA_ARGS__);                 \
	} while (0)

/* Polled printf to COM1; "\n" becomes "\r\n".  Safe on any CPU and in
 * interrupt handlers (one lock, re-entered by the CPU that holds it). */
__attribute__((format(printf, 1, 2))) int printf(const char *fmt, ...);
int vprintf(const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4))) int snprintf(char *buf, size_t size,
						   const char *fmt, ...);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
void console_write(const char *s, size_t len);

/* ------------------------------------------------------------------ */
/* Strings and memory (runtime.c)                                      */

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
bool is_printable(const char *s, size_t n);

/* ------------------------------------------------------------------ */
/* Spinlocks                                                           */

struct spinlock {
	volatile uint32_t locked;
};

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			cpu_relax();
}

static inline bool spin_trylock(struct spinlock *l)
{
	return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------------------ */
/* CPUs, traps and fault catching (trap.c)                             */

/* setjmp-like context (entry.S); restores EFLAGS too. */
struct guest_jmpbuf {
	uint32_t ebx, esi, edi, ebp, esp, eip, eflags;
};
__attribute__((returns_twice)) int guest_setjmp(struct guest_jmpbuf *jb);
__attribute__((noreturn)) void guest_longjmp(struct guest_jmpbuf *jb, int v);

/* What the last caught exception was. */
struct fault_info {
	uint32_t vector, error, eip, cr2;
};

/* Per-CPU state; %fs:0 points at the CPU's own struct cpu. */
struct cpu {
	struct cpu *self; /* must stay first */
	unsigned int index; /* 0 = boot CPU */
	uint32_t apic_id;
	volatile bool online;
	uint32_t stack_top;
	/* Fault catching: armed only inside guest_try(). */
	struct guest_jmpbuf fault_jb;
	volatile bool fault_armed;
	struct fault_info fault;
	/* Work posted by smp_call(); the owner CPU clears work_fn. */
	void (*volatile work_fn)(void *);
	void *volatile work_arg;
	volatile uint32_t work_done;
	/* Interrupts taken on this CPU (all vectors >= 32) and spurious. */
	volatile uint32_t irqs, spurious;
	/* Depth of the console lock held by this CPU. */
	unsigned int console_depth;
};

extern struct cpu guest_cpus[GUEST_MAX_CPUS];

/* Volatile with a memory clobber: gcc must not hoist the %fs load above
 * the code that sets %fs up (an AP's first instructions). */
static inline struct cpu *this_cpu(void)
{
	struct cpu *c;

	asm volatile("movl %%fs:0, %0" : "=r"(c) : : "memory");
	return c;
}

/* Register frame of an exception or interrupt (entry.S isr_common). */
struct trap_frame {
	uint32_t gs, es, ds;
	uint32_t edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
};

typedef void (*irq_handler_t)(struct trap_frame *f);

/*
 * Install a handler for @vector (any of 0..255; 2 = NMI).  For vectors
 * >= 32 the library sends the LAPIC EOI after the handler returns, except
 * for the spurious vector.  Handlers run with interrupts disabled.
 */
void irq_set_handler(unsigned int vector, irq_handler_t h);

#define VEC_SPURIOUS 0xff /* LAPIC spurious-interrupt vector */
#define VEC_WAKE 0xf0 /* smp_call() wake-up IPI */
#define VEC_PIC_BASE 0x20 /* 8259 master after remap (slave 0x28) */

/* Name of an exception vector ("#GP"), or "irq" for >= 32. */
const char *exception_name(unsigned int vector);

/* Load a 32-bit data segment with @base and @limit (bytes) into GDT
 * selector @sel (SEL_SPARE0/1).  The caller loads it into a register. */
void gdt_set_data_segment(uint16_t sel, uint32_t base, uint32_t limit);

/*
 * Run @stmt; if it raises an exception on this CPU, the handler abandons
 * it and execution resumes after the guest_try().  Evaluates to -1 if
 * @stmt completed, else the vector; this_cpu()->fault has the details.
 * EFLAGS (and so IF) is restored to its value at the guest_try().
 * Locals assigned inside @stmt are indeterminate after a fault: keep the
 * body a single access or call.
 */
#define guest_try(...)                                                       \
	({                                                                   \
		int gt_v_ = guest_setjmp(&this_cpu()->fault_jb);             \
		if (gt_v_ == 0) {                                            \
			this_cpu()->fault_armed = true;                      \
			barrier();                                           \
			__VA_ARGS__;                                         \
			barrier();                                           \
			this_cpu()->fault_armed = false;                     \
			gt_v_ = -1;                                          \
		} else {                                                     \
			gt_v_ -= 1;                                          \
		}                                                            \
		gt_v_;                                                       \
	})

/* True if @stmt raised exactly exception @vector (and was resumed). */
#define expect_fault(vector, ...) (guest_try(__VA_ARGS__) == (int)(vector))

#define VEC_DE 0
#define VEC_NMI 2
#define VEC_UD 6
#define VEC_GP 13
#define VEC_PF 14
#define VEC_MC 18

/* MSR access that catches the fault: -1 on success, else the vector. */
int rdmsr_safe(uint32_t msr, uint64_t *val);
int wrmsr_safe(uint32_t msr, uint64_t val);
/* One 32-bit load/store of physical @addr that catches the fault. */
int read32_safe(uintptr_t addr, uint32_t *val);
int write32_safe(uintptr_t addr, uint32_t val);

/* ------------------------------------------------------------------ */
/* Platform description: multiboot, ACPI MADT (boot.c, acpi.c)         */

#define MEM_AVAILABLE 1 /* multiboot / E820 type 1 */

struct mem_range {
	uint64_t base, len;
	uint32_t type;
};

struct guest_platform {
	/* From the multiboot information (copied at boot). */
	uint32_t mem_lower_kib, mem_upper_kib;
	unsigned int nr_mem;
	struct mem_range mem[GUEST_MAX_MEM];
	char cmdline[256];
	/* From ACPI (or defaults when there is no RSDP). */
	bool acpi; /* an RSDP and a MADT were found */
	uint32_t rsdp_addr, madt_addr;
	uint32_t lapic_addr;
	bool pcat_compat; /* MADT: dual 8259 present */
	unsigned int nr_cpus; /* enabled LAPICs in the MADT */
	uint32_t apic_ids[GUEST_MAX_CPUS];
	bool have_ioapic;
	uint32_t ioapic_addr, ioapic_gsi_base;
	uint8_t ioapic_id;
	uint32_t isa_gsi[16]; /* ISA IRQ -> GSI */
	uint16_t isa_flags[16]; /* MPS INTI flags from overrides */
	/* Image placement (linker script). */
	uint32_t image_start, image_end;
};

extern struct guest_platform guest_plat;

/* The value of "key=" on the multiboot command line, or NULL. */
const char *cmdline_get(const char *key, char *buf, size_t size);

/* Find the RSDP and parse the MADT into guest_plat (boot calls it). */
int acpi_init(void);
/* A table by signature (checksum checked), or 0. */
uint32_t acpi_find_table(const char sig[4]);

/* ------------------------------------------------------------------ */
/* Time: PIT, TSC, delays (timer.c)                                     */

#define PIT_HZ 1193182u
#define PIT_CH0 0x40
#define PIT_CMD 0x43

/* A polled clock on PIT channel 0 in mode 2 with a 65536 reload (one wrap
 * every 54.9 ms).  Poll it more often than that; once the TSC is
 * calibrated, whole wraps missed during a longer stall are recovered from
 * the TSC. */
struct pit_clock {
	uint16_t last;
	uint64_t last_tsc;
	uint64_t ticks;
};
void pit_clock_start(struct pit_clock *pc);
uint64_t pit_clock_poll(struct pit_clock *pc);
uint16_t pit_read_counter(unsigned int channel);
/* Read-back status byte (8254 datasheet): OUT, null count, mode bits. */
uint8_t pit_status(unsigned int channel);
#define PIT_STATUS_OUT 0x80
#define PIT_STATUS_NULL_COUNT 0x40
/* Program channel 0 in mode 2 (rate generator) with @reload (0 = 65536). */
void pit_set_periodic(uint16_t reload);

extern uint64_t tsc_hz; /* calibrated against the PIT at boot */
uint64_t tsc_to_us(uint64_t ticks);
uint64_t us_to_tsc(uint64_t us);
uint64_t now_us(void); /* TSC time since boot */
void delay_us(uint64_t us);

/*
 * Stolen-time meter for busy loops.  An emulated or virtual CPU can stop
 * running for milliseconds when its host is loaded (QEMU TCG on a busy
 * machine, a vCPU descheduled by a hypervisor); timer interrupts that fall
 * due meanwhile coalesce, and rate checks must not charge that time to
 * the interrupt source.  A loop calls gap_meter_poll() on every
 * iteration; any gap longer than @threshold_us between two polls counts
 * as stolen.
 */
struct gap_meter {
	uint64_t last, threshold, stolen, max_gap;
};
void gap_meter_start(struct gap_meter *g, uint64_t threshold_us);
uint64_t gap_meter_poll(struct gap_meter *g); /* returns rdtsc() */
uint64_t gap_meter_stolen_us(const struct gap_meter *g);
uint64_t gap_meter_max_gap_us(const struct gap_meter *g);
/* Busy-wait @us of TSC time while metering gaps. */
void spin_us(uint64_t us, struct gap_meter *g);

/*
 * Waiting the way an OS idles: in hlt.  On a host that runs a vCPU and
 * the emulator's timer thread on the same core (QEMU TCG on a loaded
 * machine), a spinning guest delays its own timer interrupts by a
 * scheduler slice (2-3 ms measured); a halted one does not.  While
 * waiting, PIT channel 0 ticks at 100 Hz through the IOAPIC (ISA IRQ 0,
 * VEC_IDLE_TICK) so that a missing interrupt ends in a timeout rather
 * than a hang.  One CPU at a time (the tick goes to the caller),
 * interrupts enabled; the PIT is reprogrammed.
 */
#define VEC_IDLE_TICK 0xef
/* Keep the tick running across many waits (nests; returns false when
 * there is no IOAPIC to route it, and the waits then spin). */
bool idle_tick_begin(void);
void idle_tick_end(void);
/* Halt until *p >= want or @timeout_us passes; returns whether it did. */
bool idle_until(volatile uint32_t *p, uint32_t want, uint64_t timeout_us);
/* Halt for @us of TSC time. */
void idle_for(uint64_t us);

/* 64-bit helpers that need no libgcc (runtime.c provides __udivdi3 too). */
uint64_t udiv64(uint64_t n, uint64_t d);

/* ------------------------------------------------------------------ */
/* Interrupt controllers (lapic.c, ioapic.c, pic.c)                    */

/* xAPIC register offsets (SDM vol. 3A, Table 11-1); in x2APIC mode the
 * library maps them to MSR 0x800 + (offset >> 4). */
#define LAPIC_ID 0x020
#define LAPIC_VERSION 0x030
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_LDR 0x0d0
#define LAPIC_SVR 0x0f0
#define LAPIC_ISR0 0x100
#define LAPIC_IRR0 0x200
#define LAPIC_ESR 0x280
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_THERMAL 0x330
#define LAPIC_LVT_PERF 0x340
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0

#define LAPIC_SVR_ENABLE (1u << 8)
#define LVT_MASKED (1u << 16)
#define LVT_TIMER_ONESHOT (0u << 17)
#define LVT_TIMER_PERIODIC (1u << 17)
#define LVT_TIMER_TSC_DEADLINE (2u << 17)
#define ICR_FIXED (0u << 8)
#define ICR_NMI (4u << 8)
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_PENDING (1u << 12)
#define ICR_ASSERT (1u << 14)
#define ICR_LEVEL (1u << 15)
#define ICR_SELF (1u << 18)
#define ICR_ALL_BUT_SELF (3u << 18)

enum lapic_mode { LAPIC_AUTO, LAPIC_XAPIC, LAPIC_X2APIC };

/* The mode a test asks for (weak default LAPIC_AUTO: x2APIC when CPUID
 * offers it); "apic=xapic|x2apic|auto" on the command line overrides. */
extern const enum lapic_mode guest_lapic_pref;

extern bool lapic_x2apic; /* the mode in use */
void lapic_init(void); /* this CPU: enable, TPR 0, LVTs masked */
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t v);
uint32_t lapic_id(void);
void lapic_eoi(void);
/* Send an IPI: @icr_lo holds mode/vector/shorthand bits. */
void lapic_send_ipi(uint32_t apic_id, uint32_t icr_lo);
uint32_t lapic_xapic_base(void); /* MMIO base for xAPIC mode */

/* Timer (divide by 16 throughout).  lapic_timer_hz: timer ticks per
 * second, calibrated against the TSC on first use. */
uint64_t lapic_timer_calibrate(void);
void lapic_timer_oneshot(uint8_t vector, uint32_t count);
void lapic_timer_periodic(uint8_t vector, uint32_t count);
void lapic_timer_stop(void);

/* IOAPIC (82093AA datasheet, 3.0). */
#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN 0x10
#define IOAPIC_REG_ID 0x00
#define IOAPIC_REG_VER 0x01
#define IOAPIC_REG_REDIR(pin) (0x10 + 2 * (pin))
#define IOREDIR_MASKED (1u << 16)
#define IOREDIR_LEVEL (1u << 15)
#define IOREDIR_ACTIVE_LOW (1u << 13)

uint32_t ioapic_read(uint32_t reg);
void ioapic_write(uint32_t reg, uint32_t v);
unsigned int ioapic_pins(void);
void ioapic_mask_all(void);
/* Route ISA @irq (through the MADT overrides) to @vector on @apic_id,
 * unmasked.  Returns the IOAPIC pin used, or -1. */
int ioapic_route_isa(unsigned int irq, uint8_t vector, uint32_t apic_id);
void ioapic_mask_isa(unsigned int irq);

/* 8259 pair: remap to 0x20/0x28 and mask every line. */
void pic_init(void);

/* ------------------------------------------------------------------ */
/* SMP (smp.c)                                                         */

/* Start every CPU the MADT lists (INIT-SIPI-SIPI, SDM vol. 3A, 8.4.4.1).
 * Returns the number of CPUs online, the boot CPU included. */
unsigned int smp_start_aps(void);
unsigned int smp_online(void);
/* Run fn(arg) on CPU @index (not the caller's); waits for it to finish
 * when @wait (up to 20 s; the boot CPU waits in hlt).  Returns false if
 * the CPU is not online or the call timed out. */
bool smp_call(unsigned int index, void (*fn)(void *), void *arg, bool wait);

#endif /* GUEST_GUEST_H */
