/*
 * lapic.c - the local APIC in xAPIC (MMIO) or x2APIC (MSR) mode.
 *
 * SDM vol. 3A, chapter 10 (11 in newer editions): registers in Table 10-1,
 * x2APIC MSRs at 0x800 + (xAPIC offset >> 4) (10.12.1.2), the ICR as one
 * 64-bit MSR 0x830 in x2APIC mode (10.12.9), mode transitions through the
 * disabled state only (10.12.5, Figure 10-27).
 */
#include "guest.h"

__attribute__((weak)) const enum lapic_mode guest_lapic_pref = LAPIC_AUTO;

bool lapic_x2apic;
static uint32_t xapic_base = 0xfee00000;
static bool mode_chosen;
static uint64_t timer_hz;

#define X2APIC_ICR 0x830
#define TIMER_DIV16 0x3

uint32_t lapic_xapic_base(void)
{
	return xapic_base;
}

uint32_t lapic_read(uint32_t reg)
{
	if (lapic_x2apic)
		return (uint32_t)rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	return mmio_read32(xapic_base + reg);
}

void lapic_write(uint32_t reg, uint32_t v)
{
	if (lapic_x2apic)
		wrmsr(MSR_X2APIC_BASE + (reg >> 4), v);
	else
		mmio_write32(xapic_base + reg, v);
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(LAPIC_ID);

	return lapic_x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

void lapic_send_ipi(uint32_t apic_id, uint32_t icr_lo)
{
	uint32_t flags;

	if (lapic_x2apic) {
		wrmsr(X2APIC_ICR, ((uint64_t)apic_id << 32) | icr_lo);
		return;
	}
	/* ICR_HI then ICR_LO (the write that sends) with no interrupt in
	 * between that could send an IPI of its own. */
	flags = irq_save();
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, icr_lo);
	for (int i = 0; i < 1000000; i++)
		if (!(lapic_read(LAPIC_ICR_LO) & ICR_PENDING))
			break;
	irq_restore(flags);
}

/* Decide xAPIC or x2APIC once (boot CPU), from the test's preference and
 * "apic=" on the command line. */
static void choose_mode(void)
{
	/* A volatile read: gcc folds a weak const's default value into
	 * this file otherwise, and a test's override would be ignored. */
	enum lapic_mode want =
		*(const volatile enum lapic_mode *)&guest_lapic_pref;
	bool have_x2 = cpuid(1).ecx & CPUID1_ECX_X2APIC;
	uint64_t base = rdmsr(MSR_APIC_BASE);
	char buf[16];

	if (cmdline_get("apic", buf, sizeof(buf))) {
		if (!strcmp(buf, "xapic"))
			want = LAPIC_XAPIC;
		else if (!strcmp(buf, "x2apic"))
			want = LAPIC_X2APIC;
		else if (!strcmp(buf, "auto"))
			want = LAPIC_AUTO;
		else
			printf("apic=%s: use xapic, x2apic or auto\n", buf);
	}
	if (want == LAPIC_X2APIC && !have_x2)
		printf("LAPIC: x2APIC asked for but CPUID.1:ECX[21] is clear; "
		       "using xAPIC\n");
	/* Handed over in x2APIC mode with xAPIC wanted, lapic_init() goes
	 * through the disabled state. */
	lapic_x2apic = have_x2 && want != LAPIC_XAPIC;
	if ((base & APIC_BASE_EXTD) && want != LAPIC_XAPIC)
		lapic_x2apic = true;
	xapic_base = (uint32_t)base & 0xfffff000u;
	mode_chosen = true;
}

void lapic_init(void)
{
	uint64_t base;
	uint32_t maxlvt;

	if (!mode_chosen)
		choose_mode();
	base = rdmsr(MSR_APIC_BASE);
	if ((base & APIC_BASE_EXTD) && !lapic_x2apic) {
		base &= ~(uint64_t)(APIC_BASE_EN | APIC_BASE_EXTD);
		wrmsr(MSR_APIC_BASE, base);
	}
	base |= APIC_BASE_EN;
	if (lapic_x2apic)
		base |= APIC_BASE_EXTD;
	wrmsr(MSR_APIC_BASE, base);

	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | VEC_SPURIOUS);
	lapic_write(LAPIC_TPR, 0);
	maxlvt = (lapic_read(LAPIC_VERSION) >> 16) & 0xff;
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED | 0xfe);
	if (maxlvt >= 4)
		lapic_write(LAPIC_LVT_PERF, LVT_MASKED);
	if (maxlvt >= 5)
		lapic_write(LAPIC_LVT_THERMAL, LVT_MASKED);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV16);
	lapic_write(LAPIC_TIMER_INIT, 0);
	this_cpu()->apic_id = lapic_id();
}

uint64_t lapic_timer_calibrate(void)
{
	uint32_t c0, c1, flags;
	uint64_t t0, t1;

	if (timer_hz)
		return timer_hz;
	flags = irq_save();
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LVT_TIMER_ONESHOT);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);
	c0 = lapic_read(LAPIC_TIMER_CUR);
	t0 = rdtsc();
	delay_us(20000);
	c1 = lapic_read(LAPIC_TIMER_CUR);
	t1 = rdtsc();
	lapic_write(LAPIC_TIMER_INIT, 0);
	irq_restore(flags);
	timer_hz = udiv64((uint64_t)(c0 - c1) * tsc_hz, t1 - t0);
	return timer_hz;
}

void lapic_timer_oneshot(uint8_t vector, uint32_t count)
{
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV16);
	lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_ONESHOT | vector);
	lapic_write(LAPIC_TIMER_INIT, count);
}

void lapic_timer_periodic(uint8_t vector, uint32_t count)
{
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV16);
	lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | vector);
	lapic_write(LAPIC_TIMER_INIT, count);
}

void lapic_timer_stop(void)
{
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, 0);
}
