/*
 * vmi_vcpu - the VMI ABI's vcpu, time and events sections
 * (docs/vmi-abi.md sections 5-7), from 32-bit protected mode, with every
 * error path.  Run as a pv domain with 2 vCPUs.
 *
 * Proves: CPUID reports the three sections at 1.0 with their feature
 * bits; VCPU_AREA (alignment, RAM) fills a pvclock that agrees with
 * TIME_NOW and never goes back; VCPU_UPCALL's range; binding without a
 * shared page, binding VIRQs, IPIs and device lines with their refusals;
 * STATUS; a masked port stays pending and UNMASK delivers it; upcall_mask
 * holds the upcall back until YIELD; SEND and CLOSE refusals; the one-shot
 * timer (fires no earlier than its deadline, while blocked in VCPU_BLOCK;
 * a past deadline fires at once; zero cancels); the PIT's line reaches a
 * bound port instead of the I/O APIC; VCPU_UP starts vCPU 1 in 64-bit
 * mode on our page tables with the argument in RDI, and vCPU 1 calls the
 * ROM with the 64-bit convention, sends an IPI event to vCPU 0 and takes
 * itself down, after which it can be started again; VCPU_UP/DOWN
 * refusals.
 */
#include "guest.h"
#include <vmi/vmi.h>
#include "vmi-call.h"

GUEST_TEST("vmi_vcpu");

#define UPCALL_VECTOR 0xe0
static struct vmi_shared_info shared __attribute__((aligned(4096)));
static struct vmi_vcpu_info area[2] __attribute__((aligned(64)));
static struct vmi_evtchn_status est __attribute__((aligned(8)));
static struct vmi_vcpu_start start __attribute__((aligned(64)));

/* ------------------------------------------------------------------ */
/* Time                                                                */

/* ((d << shift) * mul) >> 32 without 128-bit arithmetic. */
static uint64_t scale(uint64_t d, int8_t shift, uint32_t mul)
{
	d = shift >= 0 ? d << shift : d >> -shift;
	return (uint64_t)(uint32_t)(d >> 32) * mul +
	       (((uint64_t)(uint32_t)d * mul) >> 32);
}

static uint64_t clock_now(const struct vmi_pvclock *t)
{
	uint32_t v;
	uint64_t now;

	do {
		v = __atomic_load_n(&t->version, __ATOMIC_ACQUIRE);
		now = t->system_time + scale(rdtsc() - t->tsc_timestamp,
					     t->tsc_shift, t->tsc_to_system_mul);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((v & 1) || v != __atomic_load_n(&t->version,
						  __ATOMIC_ACQUIRE));
	return now;
}

static uint64_t now_ns(void)
{
	return clock_now(&area[0].time);
}

/* ------------------------------------------------------------------ */
/* Events                                                              */

static volatile uint32_t hits[VMI_NR_EVENTS];
static volatile uint32_t upcalls;

/* The upcall handler of docs/vmi-abi.md section 7, on 32-bit words. */
static void upcall(struct trap_frame *f)
{
	struct vmi_vcpu_info *vi = &area[0];
	volatile uint32_t *pend = (volatile uint32_t *)shared.evtchn_pending;
	volatile uint32_t *mask = (volatile uint32_t *)shared.evtchn_mask;
	uint32_t sel;

	(void)f;
	__atomic_store_n(&vi->upcall_pending, 0, __ATOMIC_SEQ_CST);
	/* Only words 0-15 exist: the low half holds the whole selector. */
	sel = __atomic_exchange_n((volatile uint32_t *)&vi->pending_sel, 0,
				  __ATOMIC_SEQ_CST);
	while (sel) {
		unsigned int w = (unsigned int)__builtin_ctz(sel);

		sel &= sel - 1;
		for (unsigned int h = 0; h < 2; h++) {
			uint32_t bits = pend[2 * w + h] & ~mask[2 * w + h];

			while (bits) {
				unsigned int b = (unsigned int)__builtin_ctz(bits);

				bits &= bits - 1;
				__atomic_fetch_and(&pend[2 * w + h], ~(1u << b),
						   __ATOMIC_SEQ_CST);
				hits[w * 64 + h * 32 + b]++;
			}
		}
	}
	upcalls++;
}

static bool pending(unsigned int port)
{
	return ((volatile uint32_t *)shared.evtchn_pending)[port / 32] &
	       (1u << (port % 32));
}

static void mask_port(unsigned int port, bool on)
{
	volatile uint32_t *m = (volatile uint32_t *)shared.evtchn_mask;

	if (on)
		__atomic_fetch_or(&m[port / 32], 1u << (port % 32),
				  __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(&m[port / 32], ~(1u << (port % 32)),
				   __ATOMIC_SEQ_CST);
}

/* Wait (interrupts on) until hits[port] reaches @want; false on timeout,
 * with the event state printed for the failure that follows. */
static bool wait_hits_how(unsigned int port, uint32_t want, uint64_t ms,
			  bool quiet)
{
	uint64_t end = now_ns() + ms * 1000000ull;

	while (hits[port] < want) {
		if (now_ns() > end) {
			if (quiet)
				return false;
			printf("vmi_vcpu: port %u: %u hits of %u; pending %d, "
			       "masked %d, upcall_pending %u, upcall_mask %u, "
			       "sel %#llx, %u upcalls, IF %d\n", port,
			       hits[port], want, pending(port),
			       !!(((volatile uint32_t *)shared.evtchn_mask)
				  [port / 32] & (1u << (port % 32))),
			       area[0].upcall_pending, area[0].upcall_mask,
			       area[0].pending_sel, upcalls, irqs_enabled());
			return false;
		}
	}
	return true;
}

static bool wait_hits(unsigned int port, uint32_t want, uint64_t ms)
{
	return wait_hits_how(port, want, ms, false);
}

/* ------------------------------------------------------------------ */
/* vCPU 1 in 64-bit mode                                               */

/* Identity map of the low 1 GiB with 2 MiB pages. */
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));
/* Null, 64-bit code (selector 8), data (16). */
static const uint64_t gdt64[3] __attribute__((aligned(8))) = {
	0, 0x00af9a000000ffffull, 0x00cf92000000ffffull
};
static uint8_t ap_stack[4096] __attribute__((aligned(16)));

/* Written by vCPU 1: the argument it got, its VMI_CALL_VCPU_ID, the
 * result of its EVTCHN_SEND, and how many times it ran. */
volatile uint64_t ap_arg;
volatile uint64_t ap_id = ~0ull, ap_send = ~0ull;
volatile uint32_t ap_runs;
/* The ROM and the IPI port, for vCPU 1; run N goes down only once
 * ap_release reaches N, so vCPU 0 can see it up. */
volatile uint64_t ap_rom, ap_port;
volatile uint32_t ap_release;
/* vCPU 1 registers ap_area (result in ap_area_ret), then reads its TSC
 * into ap_tsc once ap_ping is set, and sets it to 2: the guest TSCs of both vCPUs and
 * both pvclocks must agree. */
volatile uint64_t ap_area, ap_area_ret = ~0ull, ap_tsc;
volatile uint32_t ap_ping;
_Static_assert(sizeof(ap_release) == 4, "ap64_entry compares 32 bits");

/*
 * vCPU 1's entry, in 64-bit mode: RDI = argument.  Calls through the ROM
 * with the 64-bit convention (arguments in RDI, RSI, ...; result in RAX),
 * then VCPU_DOWN on itself, which does not return.
 */
void ap64_entry(void);
asm(".pushsection .text\n"
    ".code64\n"
    ".globl ap64_entry\n"
    "ap64_entry:\n"
    "	movq %rdi, ap_arg(%rip)\n"
    "	movq ap_rom(%rip), %rbx\n"
    "	movq ap_area(%rip), %rdi\n"
    "	leaq 64+16*20(%rbx), %rax\n" /* VMI_CALL_VCPU_AREA */
    "	call *%rax\n"
    "	movq %rax, ap_area_ret(%rip)\n"
    "3:	pause\n"
    "	cmpl $0, ap_ping(%rip)\n"
    "	je 3b\n"
    "	rdtsc\n"
    "	shlq $32, %rdx\n"
    "	orq %rdx, %rax\n"
    "	movq %rax, ap_tsc(%rip)\n"
    "	movl $2, ap_ping(%rip)\n"
    "	leaq 64+16*22(%rbx), %rax\n" /* VMI_CALL_VCPU_ID */
    "	call *%rax\n"
    "	movq %rax, ap_id(%rip)\n"
    "	movq %rax, %r12\n" /* kept: vCPU 0 resets ap_id for the next run */
    "	movq ap_port(%rip), %rdi\n"
    "	leaq 64+16*51(%rbx), %rax\n" /* VMI_CALL_EVTCHN_SEND */
    "	call *%rax\n"
    "	movq %rax, ap_send(%rip)\n"
    "	lock incl ap_runs(%rip)\n"
    "2:	pause\n" /* until vCPU 0 releases this run */
    "	movl ap_release(%rip), %eax\n"
    "	cmpl ap_runs(%rip), %eax\n"
    "	jb 2b\n"
    "	movq %r12, %rdi\n"
    "	leaq 64+16*17(%rbx), %rax\n" /* VMI_CALL_VCPU_DOWN */
    "	call *%rax\n"
    "1:	movl $0xdead, ap_runs(%rip)\n" /* it returned: an error */
    "	hlt\n"
    "	jmp 1b\n"
    ".code32\n"
    ".popsection\n");

_Static_assert(VMI_CALL_VCPU_AREA == 20 && VMI_CALL_VCPU_ID == 22 && VMI_CALL_EVTCHN_SEND == 51 &&
		       VMI_CALL_VCPU_DOWN == 17,
	       "call numbers used by ap64_entry");

static void start_fill(void)
{
	memset(&start, 0, sizeof(start));
	start.rip = (uintptr_t)ap64_entry;
	start.rsp = (uintptr_t)ap_stack + sizeof(ap_stack);
	start.cr3 = (uintptr_t)pml4;
	start.arg = 0x1234567890abcdefull;
	start.gdt_base = (uintptr_t)gdt64;
	start.gdt_limit = sizeof(gdt64) - 1;
	start.cs = 8;
	start.ds = 16;
}

/* ------------------------------------------------------------------ */

static void discovery(void)
{
	struct cpuid_regs r = cpuid(VMI_CPUID_SECTIONS);
	uint32_t f = cpuid(VMI_CPUID_ROM).ecx;

	CHECK((r.eax >> 16) == VMI_SECTION_VERSION(1u, 0u) &&
	      (r.ebx & 0xffff) == VMI_SECTION_VERSION(1u, 0u) &&
	      (r.ebx >> 16) == VMI_SECTION_VERSION(1u, 0u),
	      "vcpu/time/events section versions %#x %#x %#x", r.eax >> 16,
	      r.ebx & 0xffff, r.ebx >> 16);
	CHECK((f & (VMI_F_ROM | VMI_F_TIMER | VMI_F_EVENTS | VMI_F_STOLEN)) ==
	      (VMI_F_ROM | VMI_F_TIMER | VMI_F_EVENTS | VMI_F_STOLEN),
	      "features %#x lack ROM, TIMER, EVENTS or STOLEN", f);
	CHECK(wrmsr_safe(VMI_MSR_ROM, (uintptr_t)vmi_rom | VMI_ROM_ENABLE) < 0,
	      "the ROM MSR refused a page of RAM");
	/* Undeclared sections are refused. */
	EXPECT(vmi_call(VMI_CALL_VCPU_ID, 0, 0, 0), -VMI_EPERM);
	EXPECT(vmi_call(VMI_CALL_DECLARE, VMI_SECTION_VCPU,
		     VMI_SECTION_VERSION(1u, 0u), 0), 0);
	EXPECT(vmi_call(VMI_CALL_DECLARE, VMI_SECTION_TIME,
		     VMI_SECTION_VERSION(1u, 0u), 0), 0);
	EXPECT(vmi_call(VMI_CALL_DECLARE, VMI_SECTION_EVENTS,
		     VMI_SECTION_VERSION(1u, 0u), 0), 0);
	printf("vmi_vcpu: sections vcpu, time, events 1.0; features %#x\n", f);
}

static void vcpu_and_time(void)
{
	uint64_t a, b, prev;
	uint32_t n;

	EXPECT(vmi_call(VMI_CALL_VCPU_ID, 0, 0, 0), 0);
	EXPECT(vmi_call(VMI_CALL_VCPU_AREA, (uintptr_t)&area[0] + 8, 0, 0),
	       -VMI_EINVAL);
	EXPECT(vmi_call(VMI_CALL_VCPU_AREA, 0xfee00000u, 0, 0), -VMI_EFAULT);
	area[0].upcall_mask = 1;
	EXPECT(vmi_call(VMI_CALL_VCPU_AREA, (uintptr_t)&area[0], 0, 0), 0);
	CHECK(area[0].time.version && !(area[0].time.version & 1) &&
	      area[0].time.tsc_to_system_mul,
	      "pvclock not filled: version %u mul %u", area[0].time.version,
	      area[0].time.tsc_to_system_mul);
	CHECK(area[0].upcall_mask == 1, "VCPU_AREA changed upcall_mask");

	/* The pvclock and TIME_NOW (low 32 bits here) agree. */
	a = now_ns();
	n = (uint32_t)vmi_call(VMI_CALL_TIME_NOW, 0, 0, 0);
	b = now_ns();
	CHECK((int32_t)(n - (uint32_t)a) >= -2000 &&
	      (int32_t)((uint32_t)b - n) >= -2000,
	      "TIME_NOW %u outside the pvclock's [%llu, %llu]", n, a, b);
	prev = now_ns();
	for (unsigned int i = 0; i < 20000; i++) {
		uint64_t t = now_ns();

		CHECK(t >= prev, "the pvclock went back: %llu after %llu", t,
		      prev);
		prev = t;
	}
	EXPECT(vmi_call(VMI_CALL_VCPU_UPCALL, 31, 0, 0), -VMI_EINVAL);
	EXPECT(vmi_call(VMI_CALL_VCPU_UPCALL, 256, 0, 0), -VMI_EINVAL);
	EXPECT(vmi_call(VMI_CALL_VCPU_UPCALL, UPCALL_VECTOR, 0, 0), 0);
	printf("vmi_vcpu: pvclock at %llu ns agrees with TIME_NOW; stolen "
	       "%llu ns\n", prev, area[0].stolen_ns);
}

static unsigned int port_ipi, port_timer, port_pit;

static void binding(void)
{
	EXPECT(vmi_call(VMI_CALL_EVTCHN_BIND_IPI, 0, 0, 0), -VMI_EFAULT);
	EXPECT(vmi_call(VMI_CALL_SHARED_PAGE, (uintptr_t)&shared, 0, 0), 0);
	CHECK(shared.wallclock.sec > 1600000000u && !(shared.wallclock.version & 1),
	      "wall clock %u s (version %u)", shared.wallclock.sec,
	      shared.wallclock.version);

	EXPECT(vmi_call(VMI_CALL_EVTCHN_BIND_VIRQ, VMI_NR_VIRQS, 0, 0),
	       -VMI_EINVAL);
	EXPECT(vmi_call(VMI_CALL_EVTCHN_BIND_VIRQ, VMI_VIRQ_TIMER, 7, 0),
	       -VMI_ESRCH);
	port_timer = (unsigned int)vmi_call(VMI_CALL_EVTCHN_BIND_VIRQ,
					 VMI_VIRQ_TIMER, 0, 0);
	CHECK(port_timer >= 1 && port_timer < VMI_NR_EVENTS,
	      "BIND_VIRQ gave port %d", (int)port_timer);
	EXPECT(vmi_call(VMI_CALL_EVTCHN_BIND_VIRQ, VMI_VIRQ_TIMER, 0, 0),
	       -VMI_EEXIST);
	port_ipi = (unsigned int)vmi_call(VMI_CALL_EVTCHN_BIND_IPI, 0, 0, 0);
	CHECK(port_ipi >= 1 && port_ipi < VMI_NR_EVENTS &&
	      port_ipi != port_timer, "BIND_IPI gave port %d", (int)port_ipi);
	EXPECT(vmi_call(VMI_CALL_EVTCHN_BIND_IPI, 5, 0, 0), -VMI_ESRCH);
	EXPECT(vmi_call(VMI_CALL_EVTCHN_BIND_IRQ, 99, 0, 0), -VMI_EINVAL);
	port_pit = (unsigned int)vmi_call(VMI_CALL_EVTCHN_BIND_IRQ, 2, 0, 0);
	CHECK((int)port_pit > 0, "BIND_IRQ gave port %d", (int)port_pit);
	EXPECT(vmi_call(VMI_CALL_EVTCHN_BIND_IRQ, 2, 0, 0), -VMI_EBUSY);

	EXPECT(vmi_call(VMI_CALL_EVTCHN_STATUS, port_timer, (uintptr_t)&est, 0),
	       0);
	CHECK(est.state == VMI_EVTCHN_VIRQ && est.vcpu == 0 &&
	      est.source == VMI_VIRQ_TIMER, "timer port status %u %u %u",
	      est.state, est.vcpu, est.source);
	EXPECT(vmi_call(VMI_CALL_EVTCHN_STATUS, port_pit, (uintptr_t)&est, 0), 0);
	CHECK(est.state == VMI_EVTCHN_IRQ && est.source == 2,
	      "PIT port status %u source %u", est.state, est.source);
	EXPECT(vmi_call(VMI_CALL_EVTCHN_STATUS, 1000, (uintptr_t)&est, 0), 0);
	CHECK(est.state == VMI_EVTCHN_FREE, "port 1000 is %u", est.state);
	EXPECT(vmi_call(VMI_CALL_EVTCHN_STATUS, 0, (uintptr_t)&est, 0),
	       -VMI_EINVAL);
	EXPECT(vmi_call(VMI_CALL_EVTCHN_STATUS, VMI_NR_EVENTS, (uintptr_t)&est, 0),
	       -VMI_EINVAL);
	EXPECT(vmi_call(VMI_CALL_EVTCHN_STATUS, port_ipi, (uintptr_t)&est + 4, 0),
	       -VMI_EINVAL);
	EXPECT(vmi_call(VMI_CALL_EVTCHN_STATUS, port_ipi, 0xfee00000u, 0),
	       -VMI_EFAULT);
	printf("vmi_vcpu: ports timer %u, ipi %u, pit %u bound\n", port_timer,
	       port_ipi, port_pit);
}

static void delivery(void)
{
	irq_set_handler(UPCALL_VECTOR, upcall);
	area[0].upcall_mask = 0;
	sti();

	/* Masked (every port starts masked): pending, no upcall. */
	EXPECT(vmi_call(VMI_CALL_EVTCHN_SEND, port_ipi, 0, 0), 0);
	delay_us(2000);
	CHECK(hits[port_ipi] == 0 && pending(port_ipi),
	      "a masked port: %u hits, pending %d", hits[port_ipi],
	      pending(port_ipi));
	EXPECT(vmi_call(VMI_CALL_EVTCHN_UNMASK, port_ipi, 0, 0), 0);
	CHECK(wait_hits(port_ipi, 1, 1000), "UNMASK did not deliver");

	/* Unmasked: straight through. */
	EXPECT(vmi_call(VMI_CALL_EVTCHN_SEND, port_ipi, 0, 0), 0);
	CHECK(wait_hits(port_ipi, 2, 1000), "SEND did not deliver");

	/* upcall_mask holds it back; YIELD delivers it. */
	area[0].upcall_mask = 1;
	EXPECT(vmi_call(VMI_CALL_EVTCHN_SEND, port_ipi, 0, 0), 0);
	delay_us(2000);
	CHECK(hits[port_ipi] == 2 && area[0].upcall_pending,
	      "upcall_mask: %u hits, upcall_pending %u", hits[port_ipi],
	      area[0].upcall_pending);
	area[0].upcall_mask = 0;
	EXPECT(vmi_call(VMI_CALL_VCPU_YIELD, 0, 0, 0), 0);
	CHECK(wait_hits(port_ipi, 3, 1000), "YIELD did not deliver");

	EXPECT(vmi_call(VMI_CALL_EVTCHN_SEND, port_timer, 0, 0), -VMI_EBADF);
	EXPECT(vmi_call(VMI_CALL_EVTCHN_SEND, 0, 0, 0), -VMI_EINVAL);
	EXPECT(vmi_call(VMI_CALL_EVTCHN_UNMASK, VMI_NR_EVENTS, 0, 0),
	       -VMI_EINVAL);
	printf("vmi_vcpu: masking, UNMASK, upcall_mask and YIELD behave\n");
}

/* Loop iterations in @ms of pvclock time: how much the vCPU gets done. */
static uint32_t work_rate(uint64_t ms)
{
	uint64_t end = now_ns() + ms * 1000000ull;
	uint32_t n = 0;

	while (now_ns() < end)
		n++;
	return n;
}

/*
 * A deadline at the end of time (2^64 - 1 ns) is armed like any other:
 * the call returns 0, the timer does not fire, and the vCPU keeps its
 * speed (a deadline that wrapped in the hypervisor's arithmetic would
 * re-arm its CPU's timer every microsecond and stall it with exits).
 */
static void far_deadline(void)
{
	uint32_t before = 0, after = 0, fired = hits[port_timer];

	/* Interleaved, so other domains sharing the CPU weigh on both. */
	for (unsigned int i = 0; i < 8; i++) {
		before += work_rate(10);
		EXPECT(vmi_call(VMI_CALL_TIMER_SET, 0xffffffffu, 0xffffffffu,
				0), 0);
		after += work_rate(10);
		EXPECT(vmi_call(VMI_CALL_TIMER_SET, 0, 0, 0), 0);
	}
	CHECK(hits[port_timer] == fired, "TIMER_SET(~0) fired the timer");
	CHECK(after >= before / 2, "TIMER_SET(~0) slowed the vCPU from %u to "
	      "%u loops in 80 ms", before, after);
	printf("vmi_vcpu: TIMER_SET(~0) returned 0, never fired, and the "
	       "vCPU kept its speed (%u then %u loops in 80 ms)\n", before,
	       after);
}

static void timer(void)
{
	uint64_t t0, dl, woke;
	uint32_t before;

	mask_port(port_timer, false);
	/* Blocked until a 5 ms deadline. */
	cli();
	t0 = now_ns();
	dl = t0 + 5000000;
	EXPECT(vmi_call(VMI_CALL_TIMER_SET, (uint32_t)dl, (uint32_t)(dl >> 32), 0),
	       0);
	EXPECT(vmi_call(VMI_CALL_VCPU_BLOCK, 0, 0, 0), 0);
	CHECK(irqs_enabled(), "VCPU_BLOCK left interrupts off");
	CHECK(wait_hits(port_timer, 1, 2000), "the timer did not fire");
	woke = now_ns();
	CHECK(woke >= dl, "woke at %llu, before the deadline %llu", woke, dl);
	CHECK(woke - t0 < 1000000000ull, "the 5 ms timer took %llu ns",
	      woke - t0);
	printf("vmi_vcpu: a 5 ms timer woke VCPU_BLOCK after %llu us\n",
	       (woke - t0) / 1000);

	/* A deadline in the past fires at once. */
	EXPECT(vmi_call(VMI_CALL_TIMER_SET, 1, 0, 0), 0);
	CHECK(wait_hits(port_timer, 2, 1000), "a past deadline did not fire");

	/* Zero cancels.  Only a cancel that returned before the deadline
	 * counts: beside a busy domain the vCPU may lose its CPU for a slice
	 * between the two calls, and then the timer fires first, rightly. */
	for (unsigned int tries = 0;; tries++) {
		before = hits[port_timer];
		dl = now_ns() + 3000000;
		EXPECT(vmi_call(VMI_CALL_TIMER_SET, (uint32_t)dl,
				(uint32_t)(dl >> 32), 0), 0);
		EXPECT(vmi_call(VMI_CALL_TIMER_SET, 0, 0, 0), 0);
		if (now_ns() < dl)
			break;
		CHECK(tries < 20, "20 cancels came after their deadline");
		delay_us(10000); /* the event of the late cancel */
	}
	CHECK(!wait_hits_how(port_timer, before + 1, 20, true),
	      "a cancelled timer fired");
	printf("vmi_vcpu: past deadlines fire at once, zero cancels\n");
	far_deadline();
}

static void device_line(void)
{
	uint64_t t0;

	/* The PIT at 1 kHz on a line bound to a port: events, not I/O APIC
	 * interrupts. */
	/* The PIT ran before the port was unmasked: an event is pending
	 * already, and only UNMASK (not clearing the bit alone) delivers
	 * it. */
	EXPECT(vmi_call(VMI_CALL_EVTCHN_UNMASK, port_pit, 0, 0), 0);
	pit_set_periodic((uint16_t)(PIT_HZ / 1000));
	t0 = now_ns();
	CHECK(wait_hits(port_pit, 5, 5000), "the PIT line gave %u events",
	      hits[port_pit]);
	outb(PIT_CMD, 0x30); /* channel 0, mode 0: stops after one count */
	outb(PIT_CH0, 1);
	outb(PIT_CH0, 0);
	printf("vmi_vcpu: 5 PIT events through port %u in %llu us\n",
	       port_pit, (now_ns() - t0) / 1000);
	EXPECT(vmi_call(VMI_CALL_EVTCHN_CLOSE, port_pit, 0, 0), 0);
	EXPECT(vmi_call(VMI_CALL_EVTCHN_STATUS, port_pit, (uintptr_t)&est, 0), 0);
	CHECK(est.state == VMI_EVTCHN_FREE, "closed port is %u", est.state);
}

/*
 * With vCPU 1 up and its area registered: its TSC read between two of
 * vCPU 0's lies between them, and its pvclock gives the time vCPU 0's
 * does (both are one clock, docs/vmi-abi.md section 6).
 */
static void cross_clock(void)
{
	uint64_t t0, t1, a, b, c;

	t0 = rdtsc();
	__atomic_store_n(&ap_ping, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&ap_ping, __ATOMIC_SEQ_CST) != 2)
		cpu_relax();
	t1 = rdtsc();
	CHECK(ap_area_ret == 0, "vCPU 1's VCPU_AREA returned %lld",
	      (long long)ap_area_ret);
	CHECK(area[1].time.version && !(area[1].time.version & 1) &&
	      area[1].time.tsc_to_system_mul,
	      "vCPU 1's pvclock not filled: version %u mul %u",
	      area[1].time.version, area[1].time.tsc_to_system_mul);
	CHECK(t0 <= ap_tsc && ap_tsc <= t1,
	      "vCPU 1's TSC %llu outside vCPU 0's [%llu, %llu]", ap_tsc, t0,
	      t1);
	a = clock_now(&area[0].time);
	b = clock_now(&area[1].time);
	c = clock_now(&area[0].time);
	CHECK(a <= b && b <= c,
	      "vCPU 1's pvclock %llu ns outside vCPU 0's [%llu, %llu]", b, a,
	      c);
	printf("vmi_vcpu: vCPU 1's TSC and pvclock agree with vCPU 0's "
	       "(%llu ns apart)\n", c - a);
}

static void vcpu_up(void)
{
	uint64_t end;

	for (unsigned int i = 0; i < 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83; /* P, RW, PS */
	pdpt[0] = (uintptr_t)pd | 3;
	pml4[0] = (uintptr_t)pdpt | 3;
	ap_rom = (uintptr_t)vmi_rom;
	ap_port = port_ipi;
	ap_area = (uintptr_t)&area[1];

	start_fill();
	EXPECT(vmi_call(VMI_CALL_VCPU_UP, 9, (uintptr_t)&start, 0), -VMI_ESRCH);
	EXPECT(vmi_call(VMI_CALL_VCPU_UP, 0, (uintptr_t)&start, 0), -VMI_EBUSY);
	EXPECT(vmi_call(VMI_CALL_VCPU_UP, 1, (uintptr_t)&start + 4, 0),
	       -VMI_EINVAL);
	EXPECT(vmi_call(VMI_CALL_VCPU_UP, 1, 0xfee00000u, 0), -VMI_EFAULT);
	start.reserved[1] = 1;
	EXPECT(vmi_call(VMI_CALL_VCPU_UP, 1, (uintptr_t)&start, 0), -VMI_EINVAL);
	start_fill();
	start.cs = 0;
	EXPECT(vmi_call(VMI_CALL_VCPU_UP, 1, (uintptr_t)&start, 0), -VMI_EINVAL);
	start_fill();
	start.cs = 24; /* beyond the limit */
	EXPECT(vmi_call(VMI_CALL_VCPU_UP, 1, (uintptr_t)&start, 0), -VMI_EINVAL);
	start_fill();
	start.rip = 0x0000800000000000ull; /* not canonical */
	EXPECT(vmi_call(VMI_CALL_VCPU_UP, 1, (uintptr_t)&start, 0), -VMI_EINVAL);
	start_fill();
	start.cr3 = 0x7fff0000000ull; /* beyond RAM */
	EXPECT(vmi_call(VMI_CALL_VCPU_UP, 1, (uintptr_t)&start, 0), -VMI_EINVAL);
	start_fill();
	EXPECT(vmi_call(VMI_CALL_VCPU_DOWN, 7, 0, 0), -VMI_ESRCH);

	for (uint32_t run = 1; run <= 2; run++) {
		int32_t r;

		ap_id = ~0ull;
		/* The second start waits until vCPU 1 is down again. */
		end = now_ns() + 2000000000ull;
		while ((r = vmi_call(VMI_CALL_VCPU_UP, 1, (uintptr_t)&start, 0)) ==
		       -VMI_EBUSY && now_ns() < end)
			delay_us(100);
		CHECK(r == 0, "VCPU_UP of vCPU 1 (run %u) returned %d (it ran "
		      "%#x times, released %u)", run, r, ap_runs, ap_release);
		if (run == 1)
			cross_clock();
		CHECK(wait_hits(port_ipi, 3 + run, 3000),
		      "no IPI event from vCPU 1 (run %u; it ran %u times)", run,
		      ap_runs);
		end = now_ns() + 2000000000ull;
		while (ap_runs < run && now_ns() < end)
			cpu_relax();
		CHECK(ap_runs == run, "vCPU 1 ran %#x times, expected %u",
		      ap_runs, run);
		CHECK(ap_arg == start.arg && ap_id == 1 && ap_send == 0,
		      "vCPU 1 got arg %#llx, VCPU_ID %lld, SEND %lld", ap_arg,
		      (long long)ap_id, (long long)ap_send);
		/* Up and waiting for release: it cannot be started again. */
		EXPECT(vmi_call(VMI_CALL_VCPU_UP, 1, (uintptr_t)&start, 0),
		       -VMI_EBUSY);
		ap_release = run;
	}
	printf("vmi_vcpu: vCPU 1 started twice in 64-bit mode, called the "
	       "ROM, sent an IPI event and took itself down\n");
}

static void closing(void)
{
	EXPECT(vmi_call(VMI_CALL_EVTCHN_CLOSE, port_ipi, 0, 0), 0);
	EXPECT(vmi_call(VMI_CALL_EVTCHN_SEND, port_ipi, 0, 0), -VMI_EBADF);
	EXPECT(vmi_call(VMI_CALL_EVTCHN_CLOSE, port_ipi, 0, 0), -VMI_EBADF);
	EXPECT(vmi_call(VMI_CALL_EVTCHN_CLOSE, 0, 0, 0), -VMI_EINVAL);
	/* The VIRQ is free again once its port is closed. */
	EXPECT(vmi_call(VMI_CALL_EVTCHN_CLOSE, port_timer, 0, 0), 0);
	CHECK(vmi_call(VMI_CALL_EVTCHN_BIND_VIRQ, VMI_VIRQ_TIMER, 0, 0) > 0,
	      "the timer VIRQ could not be bound again");
	printf("vmi_vcpu: CLOSE and its refusals behave\n");
}

void test_main(void)
{
	struct cpuid_regs r = cpuid(1);

	if (!(r.ecx & (1u << 31)) ||
	    cpuid(VMI_CPUID_BASE).ebx != VMI_SIGNATURE_EBX ||
	    cpuid(VMI_CPUID_VERSION).eax == 0)
		guest_skip(guest_name, "no VMI (not a pv domain on trivisor)");
	CHECK(guest_plat.nr_cpus >= 2, "needs 2 vCPUs, has %u",
	      guest_plat.nr_cpus);
	discovery();
	vcpu_and_time();
	binding();
	delivery();
	timer();
	device_line();
	vcpu_up();
	closing();
	guest_pass(guest_name);
}
