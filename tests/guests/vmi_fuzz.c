/*
 * vmi_fuzz - a hostile pv guest: for a fixed time it makes VMI calls with
 * random numbers and random arguments, directly and in multicalls, after
 * declaring every section the hypervisor offers.  Run it beside a
 * well-behaved domain: the hypervisor must stay up, this domain must
 * still be alive at the end, and the other domain must finish correctly.
 *
 * Command line: seconds=N (default 3), seed=N (default from the TSC; the
 * seed is printed so a run can be repeated).
 *
 * What it leaves out, to stay alive: SHUTDOWN, VCPU_DOWN and VCPU_BLOCK
 * of itself (they end or park the only vCPU: not an error of the
 * hypervisor's), and arguments that point into its own image, stack or
 * page tables.  Addresses it passes are random values outside its RAM,
 * in the MMIO holes, misaligned, or inside a scratch area it never reads
 * or writes itself (the hypervisor may write there or take its pages).
 * Interrupts stay off: random upcall vectors cannot reach it.
 *
 * With 2 vCPUs (and x2APIC) both vCPUs are hostile at once.  vCPU 0 fuzzes
 * in 32-bit mode; vCPU 1 first fuzzes in 32-bit mode too (started by
 * INIT-SIPI), then takes itself down and from then on is started again
 * and again with VCPU_UP in 64-bit mode, where it runs a table of random
 * calls (a quarter of them EVTCHN_SEND to the first ports) with the
 * 64-bit convention until one of them takes it down.  Lists in the
 * scratch area are not passed to MULTICALL, MMU_UPDATE and BALLOON_OUT
 * then (see allowed()); balloon lists name scratch pages.  VCPU_BLOCK is made
 * too (each vCPU's LAPIC timer, every 2 ms, wakes it; every interrupt
 * handler returns with interrupts off), VCPU_DOWN of vCPU 1 from either
 * vCPU, and each round vCPU 0 moves its vCPU area between two pages and
 * gives the old page back and takes it again while vCPU 1 sends.  At the
 * end vCPU 0 powers the domain off with SHUTDOWN while vCPU 1 still
 * makes calls: the domain must end "powered off".
 */
#include "guest.h"
#include <vmi/vmi.h>

GUEST_TEST("vmi_fuzz");
/* The 64-bit code of vCPU 1 sends its LAPIC EOI through the x2APIC MSR. */
const enum lapic_mode guest_lapic_pref = LAPIC_X2APIC;

#define SCRATCH_BYTES (256u * 1024)
/* Addresses passed point into the first part of the scratch area only:
 * a call writes up to a count (at most 1100 here) of records there, and
 * one that started near the end would run on into the shared page and
 * the ROM behind it (the hypervisor doing exactly what was asked: a
 * triple fault of this domain, seed 1474980063). */
#define SCRATCH_REACH (SCRATCH_BYTES - 64u * 1024)

static uint8_t rom[4096] __attribute__((aligned(4096)));
static struct vmi_shared_info shared_page __attribute__((aligned(4096)));
static uint8_t scratch[SCRATCH_BYTES] __attribute__((aligned(4096)));

/* Each 32-bit CPU has its own generator (CPU 1's from the seed too). */
static uint64_t rngs[2];
static bool two; /* both vCPUs hostile */

static unsigned int me(void)
{
	return this_cpu()->index ? 1 : 0;
}

static uint64_t rnd(void)
{
	uint64_t *rng = &rngs[me()];

	*rng ^= *rng << 13;
	*rng ^= *rng >> 7;
	*rng ^= *rng << 17;
	return *rng;
}

static uint32_t ram_top;

/* An argument: a small number, a port, a random value, or an address. */
static uint64_t arg(void)
{
	uint64_t r = rnd(), v;

	switch (r % 10) {
	case 0:
		return 0;
	case 1:
		return (r >> 8) % 64; /* counts, vCPUs, VIRQs, levels */
	case 2:
		return (r >> 8) % 1100; /* ports, vectors */
	case 3:
		return r >> 4; /* a huge value */
	case 4:
		/* A 32-bit value that does not land in our RAM. */
		v = (uint32_t)(r >> 16);
		return v < ram_top ? v + ram_top : v;
	case 5:
		return 0xfee00000u + ((r >> 8) & 0xfff); /* the LAPIC page */
	case 6:
		return 0xfec00000u; /* the I/O APIC */
	case 7:
		/* Anywhere in the scratch area, often misaligned. */
		return (uintptr_t)scratch + (r >> 8) % SCRATCH_REACH;
	case 8:
		/* Page-aligned scratch: a shared page, a balloon. */
		return (uintptr_t)scratch +
		       (((r >> 8) % (SCRATCH_REACH / 4096)) << 12);
	default:
		/* Frame numbers of scratch pages (balloon lists, pins). */
		return ((uintptr_t)scratch >> 12) +
		       (r >> 8) % (SCRATCH_BYTES / 4096);
	}
}

/* May CPU @cpu make @call directly (@batch: in a multicall)? */
static bool allowed(uint64_t call, const uint64_t a[5], unsigned int cpu,
		    bool batch)
{
	switch (call) {
	case VMI_CALL_SHUTDOWN:
		return false;
	case VMI_CALL_VCPU_BLOCK:
		/* The LAPIC timer wakes it; in a batch it would end the
		 * batch early. */
		return two && !batch;
	case VMI_CALL_VCPU_DOWN:
		/* vCPU 0 never; vCPU 1 only when vCPU 0 restarts it. */
		return a[0] != 0 && (two || a[0] != cpu) &&
		       !(batch && a[0] == cpu);
	case VMI_CALL_VCPU_UP:
		/* A start state made of random scratch data could start
		 * vCPU 1 at a random address. */
		return !two || a[0] != 1;
	case VMI_CALL_MULTICALL:
	case VMI_CALL_MMU_UPDATE:
	case VMI_CALL_BALLOON_OUT:
		/* A list in the scratch area holds what the hypervisor
		 * wrote there (memory maps, pvclocks): as calls, SHUTDOWN
		 * or VCPU_DOWN of vCPU 0; as page-table updates, writes to
		 * this kernel's image.  Two vCPUs make many more calls than
		 * one: such a list comes up.  one_batch() makes sane
		 * multicalls. */
		return !two || a[0] < (uintptr_t)scratch ||
		       a[0] >= (uintptr_t)scratch + SCRATCH_BYTES;
	default:
		return true;
	}
}

/* Where vcall() calls: in memory, as all six other registers are used;
 * one per CPU. */
static uintptr_t target[2];

/* A direct call with the 32-bit convention (EBX, ECX, EDX, ESI, EDI).
 * Numbers beyond the ROM go to the hypercall instruction of entry 0 (5
 * bytes in) with the number in EAX. */
static int32_t vcall(uint32_t call, const uint64_t a[5])
{
	uint32_t b = (uint32_t)a[0], c = (uint32_t)a[1], d = (uint32_t)a[2];
	uint32_t s = (uint32_t)a[3], di = (uint32_t)a[4];
	int32_t ret;

	unsigned int cpu = me();
	uintptr_t entry = call < VMI_NR_CALLS
				  ? (uintptr_t)rom + VMI_ROM_ENTRY(call)
				  : (uintptr_t)rom + VMI_ROM_ENTRY(0) + 5;

	/* A fixed address each: no register is left to hold one. */
#define VCALL_ON(n)                                                       \
	do {                                                              \
		target[n] = entry;                                        \
		asm volatile("call *%[entry]"                             \
			     : "=a"(ret), "+b"(b), "+c"(c), "+d"(d),      \
			       "+S"(s), "+D"(di)                          \
			     : [entry] "m"(target[n]), "a"(call)          \
			     : "memory", "cc");                           \
	} while (0)
	if (cpu)
		VCALL_ON(1);
	else
		VCALL_ON(0);
#undef VCALL_ON
	/* VCPU_BLOCK turned interrupts on. */
	cli();
	return ret;
}

static uint32_t n_calls[2], n_ok[2], n_refused[2], n_batches[2];
static struct vmi_multicall batches[2][8] __attribute__((aligned(8)));

/*
 * Balloon lists: with two vCPUs a list in the scratch area could hold a
 * pvclock's version or a port number that is the frame of this kernel's
 * code or stack; these name random scratch pages instead (a third of the
 * time, the list stays random).
 */
static uint64_t blists[3][8] __attribute__((aligned(8)));

static void balloon_args(uint64_t call, uint64_t a[5], uint64_t *list)
{
	if (!two || (call != VMI_CALL_BALLOON_OUT &&
		     call != VMI_CALL_BALLOON_IN) || rnd() % 3 == 0)
		return;
	for (unsigned int i = 0; i < 8; i++)
		list[i] = ((uintptr_t)scratch >> 12) +
			  rnd() % (SCRATCH_BYTES / 4096);
	a[0] = (uintptr_t)list;
	a[1] = 1 + rnd() % 8;
}

static void one_call(void)
{
	unsigned int cpu = me();
	uint64_t a[5];
	uint64_t call = rnd() % 16 == 0 ? (uint32_t)rnd()
					: rnd() % VMI_NR_CALLS;

	for (unsigned int i = 0; i < 5; i++)
		a[i] = arg();
	balloon_args(call, a, blists[cpu]);
	if (!allowed(call, a, cpu, false))
		return;
	if (vcall((uint32_t)call, a) < 0)
		n_refused[cpu]++;
	else
		n_ok[cpu]++;
	n_calls[cpu]++;
}

static void one_batch(void)
{
	unsigned int cpu = me(), n = 1 + rnd() % 8;
	struct vmi_multicall *batch = batches[cpu];

	for (unsigned int i = 0; i < n; i++) {
		batch[i].call = (uint32_t)(rnd() % VMI_NR_CALLS);
		batch[i].flags = rnd() % 8 == 0 ? (uint32_t)rnd() : 0;
		for (unsigned int k = 0; k < 5; k++)
			batch[i].args[k] = arg();
		balloon_args(batch[i].call, batch[i].args, blists[cpu]);
		if (!allowed(batch[i].call, batch[i].args, cpu, true))
			batch[i].call = VMI_CALL_VERSION;
	}
	uint64_t a[5] = { (uintptr_t)batch, n, 0, 0, 0 };

	CHECK(vcall(VMI_CALL_MULTICALL, a) == (int32_t)n,
	      "a multicall of %u entries failed", n);
	n_batches[cpu]++;
	n_calls[cpu] += n;
}

static uint64_t number(const char *p)
{
	uint64_t v = 0;

	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	return v;
}

/* ------------------------------------------------------------------ */
/* Two hostile vCPUs                                                    */

#define TICK_VECTOR 0xe8 /* each vCPU's LAPIC timer: wakes VCPU_BLOCK */
#define TABLE 4096 /* random calls for vCPU 1 in 64-bit mode */

/*
 * Every interrupt (the tick, upcalls at random vectors, the smp wake-up):
 * taken, and returned from with interrupts off.  A pending upcall is
 * never cleared here, so with interrupts left on it would come back at
 * once, for ever.
 */
static void quiet(struct trap_frame *f)
{
	f->eflags &= ~0x200u;
}

static uint64_t tick_count;

static void tick_on(void)
{
	lapic_timer_periodic(TICK_VECTOR, (uint32_t)(tick_count));
}

/* vCPU 1's 64-bit world: an identity map of 0-1 GiB and 3-4 GiB in
 * 2 MiB pages, a GDT, an IDT whose every gate goes to isr64, a stack. */
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd0[512] __attribute__((aligned(4096)));
static uint64_t pd3[512] __attribute__((aligned(4096)));
static const uint64_t gdt64[3] __attribute__((aligned(8))) = {
	0, 0x00af9a000000ffffull, 0x00cf92000000ffffull
};
static uint64_t idt64[512] __attribute__((aligned(16)));
static uint8_t stack64[8192] __attribute__((aligned(16)));
static struct vmi_vcpu_start start __attribute__((aligned(64)));

/* The calls vCPU 1 makes in 64-bit mode (call, then five arguments) and
 * what it shares with vCPU 0; names used by the assembly below. */
struct call64 {
	uint64_t call, a[5];
};
struct call64 table64[TABLE] __attribute__((aligned(8)));
volatile uint64_t rom64, calls64, runs64, tick64;
volatile uint32_t stop64;
struct {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed)) idtr64;
_Static_assert(sizeof(struct call64) == 48, "isr64/ap64 index by 48");

/*
 * vCPU 1 in 64-bit mode: RDI = where in the table to begin.  Loads the
 * IDT, starts its LAPIC timer (x2APIC MSRs: LVT timer periodic, divide
 * by 16, initial count; SDM vol. 3A, 10.5.4 and 10.12.1.2) and then makes
 * the table's calls in turn, for ever: a VCPU_DOWN of itself among them
 * ends the run.  isr64 returns from any interrupt with IF clear and
 * sends the EOI (x2APIC EOI MSR 0x80b).
 */
void ap64_entry(void);
void isr64(void);
asm(".pushsection .text\n"
    ".code64\n"
    ".globl isr64\n"
    "isr64:\n"
    "	andq $~0x200, 16(%rsp)\n" /* RFLAGS of the interrupted code */
    "	pushq %rax\n"
    "	pushq %rcx\n"
    "	pushq %rdx\n"
    "	movl $0x80b, %ecx\n"
    "	xorl %eax, %eax\n"
    "	xorl %edx, %edx\n"
    "	wrmsr\n"
    "	lock incq tick64(%rip)\n"
    "	popq %rdx\n"
    "	popq %rcx\n"
    "	popq %rax\n"
    "	iretq\n"
    ".globl ap64_entry\n"
    "ap64_entry:\n"
    "	lidt idtr64(%rip)\n"
    "	movq %rdi, %r12\n"
    "	lock incq runs64(%rip)\n"
    "	movl $0x83e, %ecx\n" /* divide configuration: by 16 */
    "	movl $3, %eax\n"
    "	xorl %edx, %edx\n"
    "	wrmsr\n"
    "	movl $0x832, %ecx\n" /* LVT timer: periodic, TICK_VECTOR */
    "	movl $0x200e8, %eax\n"
    "	wrmsr\n"
    "	movl $0x838, %ecx\n" /* initial count */
    "	movl tick_count(%rip), %eax\n"
    "	wrmsr\n"
    "1:	cmpl $0, stop64(%rip)\n" /* vCPU 0 is printing: wait */
    "	je 2f\n"
    "	pause\n"
    "	jmp 1b\n"
    "2:	andq $4095, %r12\n"
    "	imulq $48, %r12, %r13\n"
    "	leaq table64(%rip), %r14\n"
    "	addq %r13, %r14\n"
    "	movq 8(%r14), %rdi\n"
    "	movq 16(%r14), %rsi\n"
    "	movq 24(%r14), %rdx\n"
    "	movq 32(%r14), %rcx\n"
    "	movq 40(%r14), %r8\n"
    "	movq (%r14), %rax\n"
    "	movq rom64(%rip), %rbx\n"
    "	addq $69, %rbx\n" /* entry 0's hypercall: 64 + 5 */
    "	call *%rbx\n"
    "	cli\n" /* VCPU_BLOCK turned interrupts on */
    "	lock incq calls64(%rip)\n"
    "	incq %r12\n"
    "	jmp 1b\n"
    ".code32\n"
    ".popsection\n");
_Static_assert(TICK_VECTOR == 0xe8 && TABLE == 4096 &&
		       VMI_ROM_ENTRY(0) == 64,
	       "constants in the assembly");

/* What vCPU 1 may do in 64-bit mode. */
static void table_fill(void)
{
	for (unsigned int i = 0; i < TABLE; i++) {
		struct call64 *c = &table64[i];

		do {
			c->call = rnd() % 16 == 0 ? (uint32_t)rnd()
						  : rnd() % VMI_NR_CALLS;
			for (unsigned int k = 0; k < 5; k++)
				c->a[k] = arg();
			balloon_args(c->call, c->a, blists[2]);
			if (rnd() % 4 == 0) {
				c->call = VMI_CALL_EVTCHN_SEND;
				c->a[0] = 1 + rnd() % 8;
			}
		} while (!allowed(c->call, c->a, 1, false) ||
			 (c->call == VMI_CALL_VCPU_DOWN && c->a[0] == 1 &&
			  rnd() % 8)); /* runs of a useful length */
	}
}

static void world64_build(void)
{
	uint64_t isr = (uintptr_t)isr64;

	for (unsigned int i = 0; i < 512; i++) {
		pd0[i] = ((uint64_t)i << 21) | 0x83; /* P, RW, PS */
		pd3[i] = (0xc0000000ull + ((uint64_t)i << 21)) | 0x83;
	}
	pdpt[0] = (uintptr_t)pd0 | 3;
	pdpt[3] = (uintptr_t)pd3 | 3;
	pml4[0] = (uintptr_t)pdpt | 3;
	/* Interrupt gates, selector 8, DPL 0 (SDM vol. 3A, 6.14.1). */
	for (unsigned int v = 0; v < 256; v++) {
		idt64[2 * v] = (isr & 0xffff) | (8ull << 16) |
			       (0x8eull << 40) | ((isr >> 16) << 48);
		idt64[2 * v + 1] = isr >> 32;
	}
	idtr64.limit = sizeof(idt64) - 1;
	idtr64.base = (uintptr_t)idt64;
	rom64 = (uintptr_t)rom;
	table_fill();
	memset(&start, 0, sizeof(start));
	start.rip = (uintptr_t)ap64_entry;
	start.rsp = (uintptr_t)stack64 + sizeof(stack64);
	start.cr3 = (uintptr_t)pml4;
	start.gdt_base = (uintptr_t)gdt64;
	start.gdt_limit = sizeof(gdt64) - 1;
	start.cs = 8;
	start.ds = 16;
}

/* vCPU 1's 32-bit phase (the library's AP): fuzz until @arg's time, then
 * go down; vCPU 0 starts it again in 64-bit mode. */
static volatile uint32_t ap32_done;

static void ap32(void *arg)
{
	uint64_t end = *(const uint64_t *)arg;
	uint64_t a[5] = { 1, 0, 0, 0, 0 };

	cli();
	tick_on();
	while (now_us() < end) {
		for (unsigned int i = 0; i < 64; i++)
			one_call();
		one_batch();
	}
	ap32_done = 1;
	vcall(VMI_CALL_VCPU_DOWN, a); /* may have happened already */
	for (;;)
		cpu_relax();
}

/* Ports vCPU 0 binds before the fuzz begins: an IPI to each vCPU. */
static int32_t port_to[2];
static uint8_t areas[2][4096] __attribute__((aligned(4096)));
static uint64_t list_one[1] __attribute__((aligned(8)));

/* vCPU 0, every round: start vCPU 1 if it is down, wake it, and move the
 * vCPU area, giving the old page back and taking it again while vCPU 1
 * sends. */
static uint32_t ups, moves;

static void round_duties(bool phase64, unsigned int k)
{
	uint64_t a[5] = { 0 };

	if (phase64 && k % 16 == 8) {
		a[0] = 1; /* from outside, whatever vCPU 1 is doing */
		vcall(VMI_CALL_VCPU_DOWN, a);
	}
	if (phase64) {
		start.arg = rnd();
		a[0] = 1, a[1] = (uintptr_t)&start;
		if (vcall(VMI_CALL_VCPU_UP, a) == 0)
			ups++;
	}
	if (port_to[1] > 0) {
		a[0] = (uint64_t)port_to[1];
		vcall(VMI_CALL_EVTCHN_SEND, a);
	}
	a[0] = (uintptr_t)areas[k & 1];
	if (vcall(VMI_CALL_VCPU_AREA, a) == 0) {
		list_one[0] = (uintptr_t)areas[(k & 1) ^ 1] >> 12;
		a[0] = (uintptr_t)list_one, a[1] = 1;
		if (vcall(VMI_CALL_BALLOON_OUT, a) == 1)
			vcall(VMI_CALL_BALLOON_IN, a);
		moves++;
	}
}

static void two_vcpus(uint64_t end, uint64_t seconds)
{
	uint64_t a[5] = { 0 }, end32 = now_us() + seconds * 1000000 / 4;
	unsigned int k = 0;

	for (unsigned int v = 32; v < 255; v++)
		irq_set_handler(v, quiet);
	tick_count = lapic_timer_calibrate() / 500;
	if (!tick_count)
		tick_count = 1000;
	world64_build();
	/* A shared page and a port to each vCPU to start with (the fuzz
	 * may move or close them). */
	a[0] = (uintptr_t)&shared_page;
	vcall(VMI_CALL_SHARED_PAGE, a);
	for (unsigned int i = 0; i < 2; i++) {
		a[0] = i;
		port_to[i] = vcall(VMI_CALL_EVTCHN_BIND_IPI, a);
		a[0] = (uint64_t)port_to[i];
		vcall(VMI_CALL_EVTCHN_UNMASK, a);
	}
	a[0] = 0xe0;
	vcall(VMI_CALL_VCPU_UPCALL, a);
	/* The library gives an AP a few seconds of our TSC time to come up;
	 * a pause by the toolstack can outlast that.  Then vCPU 1 skips its
	 * 32-bit phase: VCPU_DOWN and VCPU_UP bring it to 64-bit mode. */
	if (smp_start_aps() >= 2 && smp_call(1, ap32, &end32, false))
		printf("vmi_fuzz: vCPU 1 up in 32-bit mode\n");
	else
		ap32_done = 1;
	tick_on();
	while (now_us() < end) {
		for (unsigned int i = 0; i < 64; i++)
			one_call();
		one_batch();
		round_duties(ap32_done || now_us() >= end32, k++);
	}
	/* vCPU 1 holds still while the results are printed: its random
	 * CONSOLE_WRITEs would cut into the lines. */
	stop64 = 1;
	for (uint64_t was = ~0ull, t = now_us() + 2000000;
	     was != calls64 && now_us() < t;) {
		was = calls64;
		delay_us(50000);
	}
	printf("\nvmi_fuzz: vCPU 0: %u calls (%u in %u multicalls): %u "
	       "succeeded, %u refused\n", n_calls[0],
	       n_calls[0] - n_ok[0] - n_refused[0], n_batches[0], n_ok[0],
	       n_refused[0]);
	printf("vmi_fuzz: vCPU 1: %u calls in 32-bit mode, then %llu in "
	       "64-bit mode over %llu starts (%u by VCPU_UP); %u area moves\n",
	       n_calls[1], calls64, runs64, ups, moves);
	/* How far vCPU 1 got is for the case to judge: a domain paused by
	 * the toolstack for most of its run may never reach 64-bit mode. */
	printf("vmi_fuzz: still alive; powering off with SHUTDOWN while "
	       "vCPU 1 makes calls\n");
	stop64 = 0;
	a[0] = 1, a[1] = (uintptr_t)&start;
	vcall(VMI_CALL_VCPU_UP, a); /* in case it is down */
	delay_us(20000);
	a[0] = VMI_SHUTDOWN_POWEROFF;
	vcall(VMI_CALL_SHUTDOWN, a);
	guest_fail(guest_name, "SHUTDOWN returned");
}

void test_main(void)
{
	char buf[32];
	uint64_t seconds = 3, end;
	struct cpuid_regs r = cpuid(1);

	if (!(r.ecx & (1u << 31)) ||
	    cpuid(VMI_CPUID_BASE).ebx != VMI_SIGNATURE_EBX ||
	    cpuid(VMI_CPUID_VERSION).eax == 0)
		guest_skip(guest_name, "no VMI (not a pv domain on trivisor)");
	if (cmdline_get("seconds", buf, sizeof(buf)))
		seconds = number(buf);
	rngs[0] = rdtsc() | 1;
	if (cmdline_get("seed", buf, sizeof(buf)))
		rngs[0] = number(buf) | 1;
	rngs[1] = (rngs[0] * 0x9e3779b97f4a7c15ull) | 1;
	for (unsigned int i = 0; i < guest_plat.nr_mem; i++)
		if (guest_plat.mem[i].type == MEM_AVAILABLE &&
		    guest_plat.mem[i].base + guest_plat.mem[i].len > ram_top)
			ram_top = (uint32_t)(guest_plat.mem[i].base +
					     guest_plat.mem[i].len);
	two = guest_plat.nr_cpus >= 2 && lapic_x2apic;
	printf("vmi_fuzz: seed %llu, %llu s, RAM up to %#x, %s\n", rngs[0],
	       seconds, ram_top, two ? "2 hostile vCPUs" : "1 hostile vCPU");
	cli();
	CHECK(wrmsr_safe(VMI_MSR_ROM, (uintptr_t)rom | VMI_ROM_ENABLE) < 0,
	      "the ROM MSR refused a page of RAM");
	for (unsigned int s = 0; s < VMI_NR_SECTIONS; s++) {
		uint64_t a[5] = { s, VMI_SECTION_VERSION(1u, 0u), 0, 0, 0 };

		vcall(VMI_CALL_DECLARE, a);
	}
	end = now_us() + seconds * 1000000;
	if (two) {
		two_vcpus(end, seconds);
		return; /* not reached: SHUTDOWN powered the domain off */
	}
	while (now_us() < end) {
		for (unsigned int i = 0; i < 64; i++)
			one_call();
		one_batch();
	}
	/* A newline first: random CONSOLE_WRITEs may have left half a line. */
	printf("\nvmi_fuzz: %u calls (%u in %u multicalls): %u succeeded, %u "
	       "refused; still alive\n", n_calls[0],
	       n_calls[0] - n_ok[0] - n_refused[0], n_batches[0], n_ok[0],
	       n_refused[0]);
	guest_pass(guest_name);
}
