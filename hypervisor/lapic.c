/*
 * Local APIC (SDM vol. 3A, chapter 11).  x2APIC mode (11.12) when CPUID.1
 * ECX[21] says so: registers become MSRs 0x800 + offset/16 and the ICR is
 * one 64-bit write.  Otherwise xAPIC through an uncached mapping of the
 * APIC page.
 */
#include <trivisor/lapic.h>
#include <trivisor/cpu.h>
#include <trivisor/paging.h>
#include <trivisor/pit.h>
#include <trivisor/log.h>
#include <trivisor/panic.h>
#include <trivisor/io.h>

#define APIC_ID 0x020
#define APIC_VER 0x030
#define APIC_TPR 0x080
#define APIC_EOI 0x0b0
#define APIC_SVR 0x0f0
#define APIC_ESR 0x280
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TMR_INIT 0x380
#define APIC_TMR_CUR 0x390
#define APIC_TMR_DIV 0x3e0

#define APIC_BASE_X2APIC (1ul << 10)
#define APIC_BASE_ENABLE (1ul << 11)
#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define ICR_PENDING (1u << 12)
#define ICR_LEVEL_ASSERT (1u << 14)

static bool x2apic;
static volatile uint8_t *xapic_regs;
static uint64_t timer_hz; /* after the divide-by-16 */

static uint32_t apic_read(uint32_t off)
{
	if (x2apic)
		return (uint32_t)rdmsr(0x800 + (off >> 4));
	return mmio_read32(xapic_regs + off);
}

static void apic_write(uint32_t off, uint32_t v)
{
	if (x2apic)
		wrmsr(0x800 + (off >> 4), v);
	else
		mmio_write32(xapic_regs + off, v);
}

bool lapic_x2apic(void)
{
	return x2apic;
}

void lapic_init_bsp(void)
{
	struct cpuid_regs r;
	uint64_t base = rdmsr(MSR_APIC_BASE);

	cpuid_count(1, 0, &r);
	x2apic = r.ecx & (1u << 21);
	if (!x2apic) {
		xapic_regs = ioremap(base & PTE_ADDR_MASK, 4096);
		BUG_ON(!xapic_regs);
	}
	log_info("LAPIC: %s mode, base %#lx", x2apic ? "x2APIC" : "xAPIC",
		 base & PTE_ADDR_MASK);
}

void lapic_init_this_cpu(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;

	if (x2apic)
		base |= APIC_BASE_X2APIC;
	wrmsr(MSR_APIC_BASE, base);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVT_TIMER, LVT_MASKED);
	apic_write(APIC_LVT_LINT0, LVT_MASKED);
	apic_write(APIC_LVT_LINT1, LVT_MASKED);
	apic_write(APIC_LVT_ERROR, LVT_MASKED);
	apic_write(APIC_ESR, 0);
	/* Software enable (bit 8) with the spurious vector 0xff. */
	apic_write(APIC_SVR, 0x100 | 0xff);
	apic_write(APIC_EOI, 0);
}

uint32_t lapic_id(void)
{
	uint32_t id = apic_read(APIC_ID);

	return x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

void lapic_send_ipi(uint32_t apic_id, uint32_t mode, uint8_t vector)
{
	uint32_t lo = mode | vector | ICR_LEVEL_ASSERT;

	if (x2apic) {
		wrmsr(0x830, ((uint64_t)apic_id << 32) | lo);
		return;
	}
	apic_write(APIC_ICR_HI, apic_id << 24);
	apic_write(APIC_ICR_LO, lo);
	for (int i = 0; i < 1000000 && (apic_read(APIC_ICR_LO) & ICR_PENDING);
	     i++)
		cpu_relax();
}

void lapic_timer_calibrate(void)
{
	const uint16_t ticks = PIT_HZ / 20; /* 50 ms */
	uint32_t left;

	apic_write(APIC_TMR_DIV, 0x3); /* divide by 16 */
	apic_write(APIC_LVT_TIMER, LVT_MASKED);
	pit_oneshot_start(ticks);
	apic_write(APIC_TMR_INIT, 0xffffffff);
	while (!pit_oneshot_done())
		cpu_relax();
	left = apic_read(APIC_TMR_CUR);
	apic_write(APIC_TMR_INIT, 0);
	timer_hz = (uint64_t)(0xffffffffu - left) * PIT_HZ / ticks;
	log_info("LAPIC timer: %lu.%03lu MHz (bus clock / 16, PIT calibration)",
		 timer_hz / 1000000, timer_hz / 1000 % 1000);
}

uint64_t lapic_timer_hz(void)
{
	return timer_hz;
}

static uint32_t ns_to_count(uint64_t ns)
{
	uint64_t c;

	/* Keep ns * hz within 64 bits: no timer needs more than 100 s. */
	if (ns > 100000000000ul)
		ns = 100000000000ul;
	c = ns * timer_hz / 1000000000;

	if (c == 0)
		c = 1;
	return c > 0xffffffffu ? 0xffffffffu : (uint32_t)c;
}

void lapic_timer_oneshot(uint64_t ns, uint8_t vector)
{
	apic_write(APIC_TMR_DIV, 0x3);
	apic_write(APIC_LVT_TIMER, vector);
	apic_write(APIC_TMR_INIT, ns_to_count(ns));
}

void lapic_timer_periodic(uint64_t ns, uint8_t vector)
{
	apic_write(APIC_TMR_DIV, 0x3);
	apic_write(APIC_LVT_TIMER, LVT_PERIODIC | vector);
	apic_write(APIC_TMR_INIT, ns_to_count(ns));
}

void lapic_timer_stop(void)
{
	apic_write(APIC_LVT_TIMER, LVT_MASKED);
	apic_write(APIC_TMR_INIT, 0);
}
