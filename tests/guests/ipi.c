/*
 * ipi - inter-processor interrupts between two vCPUs, both ways.
 *
 * Proves: CPU 1 starts with INIT-SIPI-SIPI and runs the library's code in
 * protected mode; 1000 fixed-IPI round trips started by CPU 0 (ping on
 * CPU 1, whose handler pongs back) all complete, as do 1000 started by
 * CPU 1; every handler runs on the CPU the IPI was addressed to; NMI IPIs
 * arrive on vector 2 in both directions (one at a time, as NMIs do not
 * queue); a self-IPI (shorthand "self"), an NMI to the sender's own APIC
 * id and an all-excluding-self IPI arrive exactly once each where they
 * should.  Prints the round trips per
 * second.
 *
 * With one CPU (MADT lists a single enabled LAPIC) only the self-IPI part
 * runs and the test passes with "ipi: skipped: 1 CPU".
 */
#include "guest.h"

GUEST_TEST("ipi");

#define VEC_PING 0x50 /* CPU 0 -> CPU 1 */
#define VEC_PONG 0x51 /* CPU 1 -> CPU 0 */
#define VEC_PING2 0x52 /* CPU 1 -> CPU 0 */
#define VEC_PONG2 0x53 /* CPU 0 -> CPU 1 */
#define VEC_SELF 0x54
#define VEC_BCAST 0x55

#define ROUND_TRIPS 1000
#define NMIS 10
#define TIMEOUT_US 2000000 /* per round trip: generous for a loaded host */

static volatile uint32_t rx[2][256]; /* [cpu][vector] */
static volatile uint32_t nmis[2];
static uint32_t apic_of[2];

static void count(struct trap_frame *f)
{
	unsigned int cpu = this_cpu()->index;

	if (cpu < 2)
		rx[cpu][f->vector]++;
}

static void on_ping(struct trap_frame *f)
{
	CHECK(this_cpu()->index == 1, "ping (CPU 0 -> 1) ran on CPU %u",
	      this_cpu()->index);
	count(f);
	lapic_send_ipi(apic_of[0], ICR_FIXED | VEC_PONG);
}

static void on_ping2(struct trap_frame *f)
{
	CHECK(this_cpu()->index == 0, "ping (CPU 1 -> 0) ran on CPU %u",
	      this_cpu()->index);
	count(f);
	lapic_send_ipi(apic_of[1], ICR_FIXED | VEC_PONG2);
}

static void on_nmi(struct trap_frame *f)
{
	(void)f;
	nmis[this_cpu()->index & 1]++;
}

/*
 * Wait until *p reaches @want or fail after TIMEOUT_US.  CPU 0 waits in
 * hlt (idle_until()), so that only one vCPU spins at a time: with both
 * spinning, a loaded host needs a scheduler slice per round trip.
 */
static void wait_for(volatile uint32_t *p, uint32_t want, const char *what)
{
	uint64_t end = rdtsc() + us_to_tsc(TIMEOUT_US);

	if (this_cpu()->index == 0) {
		CHECK(idle_until(p, want, TIMEOUT_US),
		      "%s: stuck at %u of %u after %u ms", what, *p, want,
		      TIMEOUT_US / 1000);
		return;
	}
	while (*p < want) {
		CHECK(rdtsc() < end, "%s: stuck at %u of %u after %u ms", what,
		      *p, want, TIMEOUT_US / 1000);
		cpu_relax();
	}
}

/* @from sends ROUND_TRIPS pings, waiting for each pong; returns us. */
static uint64_t round_trips(unsigned int to, uint8_t ping, uint8_t pong,
			    const char *what)
{
	unsigned int me = this_cpu()->index;
	uint32_t base = rx[me][pong];
	uint64_t t0, us;

	if (me == 0)
		idle_tick_begin();
	t0 = rdtsc();
	for (uint32_t i = 1; i <= ROUND_TRIPS; i++) {
		lapic_send_ipi(apic_of[to], ICR_FIXED | ping);
		wait_for(&rx[me][pong], base + i, what);
	}
	us = tsc_to_us(rdtsc() - t0);
	if (me == 0)
		idle_tick_end();
	return us;
}

static void send_nmis(unsigned int to, const char *what)
{
	uint32_t base = nmis[to];

	for (uint32_t i = 1; i <= NMIS; i++) {
		lapic_send_ipi(apic_of[to], ICR_NMI);
		wait_for(&nmis[to], base + i, what);
	}
}

static volatile uint64_t ap_us;

static void ap_side(void *arg)
{
	(void)arg;
	ap_us = round_trips(0, VEC_PING2, VEC_PONG2, "CPU 1 -> 0 round trips");
	send_nmis(0, "NMIs CPU 1 -> 0");
}

/* CPU 1's APIC ID three ways: the LAPIC (x2APIC MSR or xAPIC MMIO),
 * CPUID.1:EBX[31:24] and, where offered, CPUID.0BH:EDX. */
static volatile uint32_t ap_ids[3];

static void ap_ids_side(void *arg)
{
	(void)arg;
	ap_ids[0] = lapic_id();
	ap_ids[1] = cpuid(1).ebx >> 24;
	/* A CPU that offers x2APIC has leaf 0BH, whose EDX is the x2APIC
	 * ID (SDM vol. 2A, CPUID leaf 0BH; vol. 3A, 10.12.8). */
	ap_ids[2] = cpuid(1).ecx & CPUID1_ECX_X2APIC || cpuid2(0xb, 0).ebx ?
			    cpuid2(0xb, 0).edx : ap_ids[0];
}

static void check_self(void)
{
	uint32_t n = rx[0][VEC_SELF], m = nmis[0];

	lapic_send_ipi(0, ICR_SELF | ICR_FIXED | VEC_SELF);
	wait_for(&rx[0][VEC_SELF], n + 1, "self-IPI");
	delay_us(1000);
	CHECK(rx[0][VEC_SELF] == n + 1, "self-IPI arrived %u times",
	      rx[0][VEC_SELF] - n);
	/* The "self" shorthand is valid with fixed delivery only (SDM vol.
	 * 3A, 10.6.1, Table 10-3): an NMI to self names our own APIC id. */
	lapic_send_ipi(apic_of[0], ICR_NMI);
	wait_for(&nmis[0], m + 1, "self NMI");
	printf("ipi: self-IPI and self NMI delivered once each\n");
}

static uint32_t per_s(uint64_t us)
{
	return (uint32_t)udiv64((uint64_t)ROUND_TRIPS * 1000000, us ? us : 1);
}

void test_main(void)
{
	unsigned int n;
	uint64_t us;

	irq_set_handler(VEC_PING, on_ping);
	irq_set_handler(VEC_PONG, count);
	irq_set_handler(VEC_PING2, on_ping2);
	irq_set_handler(VEC_PONG2, count);
	irq_set_handler(VEC_SELF, count);
	irq_set_handler(VEC_BCAST, count);
	irq_set_handler(VEC_NMI, on_nmi);
	apic_of[0] = lapic_id();

	check_self();
	if (guest_plat.nr_cpus < 2)
		guest_skip(guest_name, "1 CPU");

	n = smp_start_aps();
	CHECK(n >= 2, "the MADT lists %u CPUs but only %u came online",
	      guest_plat.nr_cpus, n);
	apic_of[1] = guest_cpus[1].apic_id;
	CHECK(guest_cpus[1].apic_id != apic_of[0],
	      "CPU 1 reports the boot CPU's APIC id %u", apic_of[0]);

	CHECK(smp_call(1, ap_ids_side, NULL, true), "CPU 1 did not report "
	      "its APIC IDs");
	CHECK(ap_ids[0] == apic_of[1] && ap_ids[1] == ap_ids[0] &&
		      ap_ids[2] == ap_ids[0],
	      "CPU 1: LAPIC ID %u, CPUID.1 initial APIC ID %u, CPUID.0BH "
	      "x2APIC ID %u", ap_ids[0], ap_ids[1], ap_ids[2]);
	printf("ipi: CPU 1's APIC ID %u agrees with CPUID leaves 1 and 0xb\n",
	       ap_ids[0]);

	us = round_trips(1, VEC_PING, VEC_PONG, "CPU 0 -> 1 round trips");
	printf("ipi: %u round trips CPU 0 -> 1 in %llu us: %u per second\n",
	       ROUND_TRIPS, us, per_s(us));
	CHECK(rx[1][VEC_PING] == ROUND_TRIPS, "CPU 1 took %u pings",
	      rx[1][VEC_PING]);

	CHECK(smp_call(1, ap_side, NULL, true), "CPU 1 did not finish its "
	      "round trips");
	printf("ipi: %u round trips CPU 1 -> 0 in %llu us: %u per second\n",
	       ROUND_TRIPS, ap_us, per_s(ap_us));
	CHECK(rx[0][VEC_PING2] == ROUND_TRIPS, "CPU 0 took %u pings",
	      rx[0][VEC_PING2]);
	printf("ipi: %u NMIs CPU 1 -> 0 delivered\n", NMIS);

	send_nmis(1, "NMIs CPU 0 -> 1");
	printf("ipi: %u NMIs CPU 0 -> 1 delivered\n", NMIS);

	lapic_send_ipi(0, ICR_ALL_BUT_SELF | ICR_FIXED | VEC_BCAST);
	wait_for(&rx[1][VEC_BCAST], 1, "all-but-self IPI");
	delay_us(2000);
	CHECK(rx[1][VEC_BCAST] == 1 && rx[0][VEC_BCAST] == 0,
	      "all-but-self IPI arrived %u times on CPU 1, %u on CPU 0",
	      rx[1][VEC_BCAST], rx[0][VEC_BCAST]);
	printf("ipi: all-excluding-self IPI reached CPU 1 only\n");
	guest_pass(guest_name);
}
