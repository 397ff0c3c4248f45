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
 */
#include "guest.h"
#include <vmi/vmi.h>

GUEST_TEST("vmi_fuzz");

#define SCRATCH_BYTES (256u * 1024)

static uint8_t rom[4096] __attribute__((aligned(4096)));
static uint8_t scratch[SCRATCH_BYTES] __attribute__((aligned(4096)));
static struct vmi_multicall batch[8] __attribute__((aligned(8)));

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
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
		return (uintptr_t)scratch + (r >> 8) % SCRATCH_BYTES;
	case 8:
		/* Page-aligned scratch: a shared page, a balloon. */
		return (uintptr_t)scratch +
		       (((r >> 8) % (SCRATCH_BYTES / 4096)) << 12);
	default:
		/* Frame numbers of scratch pages (balloon lists, pins). */
		return ((uintptr_t)scratch >> 12) +
		       (r >> 8) % (SCRATCH_BYTES / 4096);
	}
}

static bool allowed(uint64_t call, const uint64_t a[5])
{
	switch (call) {
	case VMI_CALL_SHUTDOWN:
	case VMI_CALL_VCPU_BLOCK:
		return false;
	case VMI_CALL_VCPU_DOWN:
		return a[0] != 0;
	default:
		return true;
	}
}

/* Where vcall() calls: in memory, as all six other registers are used. */
static uintptr_t target;

/* A direct call with the 32-bit convention (EBX, ECX, EDX, ESI, EDI).
 * Numbers beyond the ROM go to the hypercall instruction of entry 0 (5
 * bytes in) with the number in EAX. */
static int32_t vcall(uint32_t call, const uint64_t a[5])
{
	uint32_t b = (uint32_t)a[0], c = (uint32_t)a[1], d = (uint32_t)a[2];
	uint32_t s = (uint32_t)a[3], di = (uint32_t)a[4];
	int32_t ret;

	target = call < VMI_NR_CALLS ? (uintptr_t)rom + VMI_ROM_ENTRY(call)
				     : (uintptr_t)rom + VMI_ROM_ENTRY(0) + 5;
	asm volatile("call *%[entry]"
		     : "=a"(ret), "+b"(b), "+c"(c), "+d"(d), "+S"(s), "+D"(di)
		     : [entry] "m"(target), "a"(call)
		     : "memory", "cc");
	return ret;
}

static uint32_t n_calls, n_ok, n_refused, n_batches;

static void one_call(void)
{
	uint64_t a[5];
	uint64_t call = rnd() % 16 == 0 ? (uint32_t)rnd()
					: rnd() % VMI_NR_CALLS;

	for (unsigned int i = 0; i < 5; i++)
		a[i] = arg();
	if (!allowed(call, a))
		return;
	if (vcall((uint32_t)call, a) < 0)
		n_refused++;
	else
		n_ok++;
	n_calls++;
}

static void one_batch(void)
{
	unsigned int n = 1 + rnd() % 8;

	for (unsigned int i = 0; i < n; i++) {
		batch[i].call = (uint32_t)(rnd() % VMI_NR_CALLS);
		batch[i].flags = rnd() % 8 == 0 ? (uint32_t)rnd() : 0;
		for (unsigned int k = 0; k < 5; k++)
			batch[i].args[k] = arg();
		if (!allowed(batch[i].call, batch[i].args))
			batch[i].call = VMI_CALL_VERSION;
	}
	uint64_t a[5] = { (uintptr_t)batch, n, 0, 0, 0 };

	CHECK(vcall(VMI_CALL_MULTICALL, a) == (int32_t)n,
	      "a multicall of %u entries failed", n);
	n_batches++;
	n_calls += n;
}

static uint64_t number(const char *p)
{
	uint64_t v = 0;

	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	return v;
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
	rng = rdtsc() | 1;
	if (cmdline_get("seed", buf, sizeof(buf)))
		rng = number(buf) | 1;
	for (unsigned int i = 0; i < guest_plat.nr_mem; i++)
		if (guest_plat.mem[i].type == MEM_AVAILABLE &&
		    guest_plat.mem[i].base + guest_plat.mem[i].len > ram_top)
			ram_top = (uint32_t)(guest_plat.mem[i].base +
					     guest_plat.mem[i].len);
	printf("vmi_fuzz: seed %llu, %llu s, RAM up to %#x\n", rng, seconds,
	       ram_top);
	cli();
	CHECK(wrmsr_safe(VMI_MSR_ROM, (uintptr_t)rom | VMI_ROM_ENABLE) < 0,
	      "the ROM MSR refused a page of RAM");
	for (unsigned int s = 0; s < VMI_NR_SECTIONS; s++) {
		uint64_t a[5] = { s, VMI_SECTION_VERSION(1u, 0u), 0, 0, 0 };

		vcall(VMI_CALL_DECLARE, a);
	}
	end = now_us() + seconds * 1000000;
	while (now_us() < end) {
		for (unsigned int i = 0; i < 64; i++)
			one_call();
		one_batch();
	}
	/* A newline first: random CONSOLE_WRITEs may have left half a line. */
	printf("\nvmi_fuzz: %u calls (%u in %u multicalls): %u succeeded, %u "
	       "refused; still alive\n", n_calls, n_calls - n_ok - n_refused,
	       n_batches, n_ok, n_refused);
	guest_pass(guest_name);
}
