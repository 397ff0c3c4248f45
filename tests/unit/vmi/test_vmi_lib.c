/*
 * hvm/vmi-lib.c: pvclock scaling against exact arithmetic, event-channel
 * delivery on the shared bitmaps, multicall decoding against a fake guest
 * memory, and the VCPU_UP start-state checks.
 */
#include "unit.h"
#include <hvm/vmi-lib.h>
#include <hvm/loader.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Time                                                                */

/* mult as time_init() computes it: 10^9 * 2^32 / tsc_hz. */
static uint64_t mult_for(uint64_t hz)
{
	return (1000000000ull << 32) / hz;
}

/* Exact nanoseconds for @ticks at @hz. */
static uint64_t exact_ns(uint64_t ticks, uint64_t hz)
{
	return (uint64_t)((unsigned __int128)ticks * 1000000000ull / hz);
}

static void test_scale(void)
{
	static const uint64_t hz[] = { 1000000ull, 32768ull, 999999999ull,
				       1000000000ull, 2946740000ull,
				       3999999999ull, 5000000000ull };
	static const uint64_t ticks[] = { 0, 1, 1000, 123456789ull,
					  (1ull << 32) + 17, 1ull << 40 };

	for (unsigned int i = 0; i < sizeof(hz) / sizeof(hz[0]); i++) {
		struct vmi_pvclock t = { 0 };
		uint32_t mul;
		int8_t shift;

		vmi_time_scale(mult_for(hz[i]), &shift, &mul);
		/* mul is normalised: its top bit set. */
		CU_ASSERT(mul & 0x80000000u);
		t.tsc_to_system_mul = mul;
		t.tsc_shift = shift;
		for (unsigned int k = 0; k < sizeof(ticks) / sizeof(ticks[0]);
		     k++) {
			uint64_t want = exact_ns(ticks[k], hz[i]);
			uint64_t got = vmi_pvclock_ns(&t, ticks[k]);
			uint64_t err = got > want ? got - want : want - got;

			/* Truncations: a few parts in 2^31, plus 2 ns. */
			CU_ASSERT(err <= 2 + want / (1ull << 30));
		}
	}
}

static void test_pvclock_write(void)
{
	struct vmi_pvclock t = { 0 };
	uint32_t mul;
	int8_t shift;

	vmi_time_scale(mult_for(2000000000ull), &shift, &mul);
	vmi_pvclock_write(&t, 1000, 5000, shift, mul, VMI_PVCLOCK_TSC_STABLE);
	CU_ASSERT_EQUAL(t.version, 2);
	CU_ASSERT_EQUAL(t.tsc_timestamp, 1000);
	CU_ASSERT_EQUAL(t.system_time, 5000);
	CU_ASSERT_EQUAL(t.flags, VMI_PVCLOCK_TSC_STABLE);
	/* 2 GHz: 2000 ticks later is 1000 ns later. */
	CU_ASSERT_EQUAL(vmi_pvclock_ns(&t, 3000), 6000);
	/* A version left odd (a writer that never finished) ends even. */
	t.version = 7;
	vmi_pvclock_write(&t, 0, 0, shift, mul, 0);
	CU_ASSERT_EQUAL(t.version % 2, 0);
	CU_ASSERT(t.version > 7);
}

/* ------------------------------------------------------------------ */
/* Events                                                              */

static struct vmi_shared_info sh;
static struct vmi_vcpu_info vi;

static void events_reset(void)
{
	memset(&sh, 0, sizeof(sh));
	memset(&vi, 0, sizeof(vi));
	memset(sh.evtchn_mask, 0xff, sizeof(sh.evtchn_mask));
}

static void test_raise(void)
{
	events_reset();
	/* Masked: pending only. */
	CU_ASSERT_FALSE(vmi_evtchn_raise(&sh, &vi, 70));
	CU_ASSERT_EQUAL(sh.evtchn_pending[1], 1ull << 6);
	CU_ASSERT_EQUAL(vi.pending_sel, 0);
	CU_ASSERT_EQUAL(vi.upcall_pending, 0);
	/* Unmask delivers it: selector bit 1, upcall pending, tell. */
	CU_ASSERT_TRUE(vmi_evtchn_unmask(&sh, &vi, 70));
	CU_ASSERT_EQUAL(sh.evtchn_mask[1], ~(1ull << 6));
	CU_ASSERT_EQUAL(vi.pending_sel, 1ull << 1);
	CU_ASSERT_EQUAL(vi.upcall_pending, 1);
	CU_ASSERT_TRUE(vmi_upcall_ready(&vi));
	/* A second event on the pending port is merged. */
	CU_ASSERT_FALSE(vmi_evtchn_raise(&sh, &vi, 70));
	/* Another unmasked port while upcall_pending is set: flagged in
	 * the selector, but no second interrupt. */
	sh.evtchn_mask[15] = 0;
	CU_ASSERT_FALSE(vmi_evtchn_raise(&sh, &vi, 1023));
	CU_ASSERT_EQUAL(vi.pending_sel, (1ull << 1) | (1ull << 15));
	/* The guest handled everything: the next event interrupts again. */
	vi.upcall_pending = 0;
	vi.pending_sel = 0;
	sh.evtchn_pending[1] = 0;
	sh.evtchn_pending[15] = 0;
	CU_ASSERT_TRUE(vmi_evtchn_raise(&sh, &vi, 70));
	/* upcall_mask holds the interrupt back, not the flags. */
	vi.upcall_mask = 1;
	CU_ASSERT_FALSE(vmi_upcall_ready(&vi));
	CU_ASSERT_FALSE(vmi_upcall_ready(NULL));
	/* Unmasking a port with nothing pending tells nobody. */
	CU_ASSERT_FALSE(vmi_evtchn_unmask(&sh, &vi, 5));
	CU_ASSERT_EQUAL(sh.evtchn_mask[0], ~(1ull << 5));
}

static void test_raise_bounds(void)
{
	events_reset();
	memset(sh.evtchn_mask, 0, sizeof(sh.evtchn_mask));
	CU_ASSERT_FALSE(vmi_evtchn_raise(&sh, &vi, 0));
	CU_ASSERT_FALSE(vmi_evtchn_raise(&sh, &vi, VMI_NR_EVENTS));
	CU_ASSERT_FALSE(vmi_evtchn_unmask(&sh, &vi, 0));
	for (unsigned int w = 0; w < VMI_EVENT_WORDS; w++)
		CU_ASSERT_EQUAL(sh.evtchn_pending[w], 0);
	/* No vCPU area: the event stays pending in the bitmap. */
	CU_ASSERT_FALSE(vmi_evtchn_raise(&sh, NULL, 3));
	CU_ASSERT_EQUAL(sh.evtchn_pending[0], 1ull << 3);
}

/* ------------------------------------------------------------------ */
/* Multicall                                                           */

#define MEM_BASE 0x10000u
static uint8_t mem[2048] __attribute__((aligned(8)));
static unsigned int calls_made, refusals;
static uint32_t stop_after_call = ~0u;

static bool in_mem(uint64_t gpa, uint64_t len)
{
	return gpa >= MEM_BASE && len <= sizeof(mem) &&
	       gpa - MEM_BASE <= sizeof(mem) - len;
}

static int m_read(void *ctx, uint64_t gpa, void *buf, uint64_t len)
{
	(void)ctx;
	if (!in_mem(gpa, len))
		return -VMI_EFAULT;
	memcpy(buf, mem + (gpa - MEM_BASE), len);
	return 0;
}

static int m_write(void *ctx, uint64_t gpa, const void *buf, uint64_t len)
{
	(void)ctx;
	if (!in_mem(gpa, len))
		return -VMI_EFAULT;
	memcpy(mem + (gpa - MEM_BASE), buf, len);
	return 0;
}

static bool m_is_ram(void *ctx, uint64_t gpa, uint64_t len)
{
	(void)ctx;
	return in_mem(gpa, len);
}

static uint32_t last_call;

static long m_call(void *ctx, uint32_t call, const uint64_t a[5])
{
	(void)ctx;
	calls_made++;
	last_call = call;
	return (long)(call * 1000 + a[0] + a[4]);
}

static bool m_stop(void *ctx)
{
	(void)ctx;
	return last_call == stop_after_call;
}

static long m_refuse(void *ctx, long err, const char *why)
{
	(void)ctx;
	(void)why;
	refusals++;
	return err;
}

static const struct vmi_multicall_env env = {
	NULL, m_read, m_write, m_is_ram, m_call, m_stop, m_refuse,
};

static struct vmi_multicall *entry(unsigned int i)
{
	return (struct vmi_multicall *)mem + i;
}

static void mc_reset(void)
{
	memset(mem, 0, sizeof(mem));
	calls_made = refusals = 0;
	last_call = 0;
	stop_after_call = ~0u;
}

static void test_multicall(void)
{
	mc_reset();
	for (unsigned int i = 0; i < 4; i++) {
		entry(i)->call = 10 + i;
		entry(i)->args[0] = i;
		entry(i)->args[4] = 100;
		entry(i)->result = -1;
	}
	entry(1)->flags = 1; /* refused alone */
	entry(2)->call = VMI_CALL_MULTICALL; /* nested: refused alone */
	CU_ASSERT_EQUAL(vmi_multicall_run(&env, MEM_BASE, 4), 4);
	CU_ASSERT_EQUAL(calls_made, 2);
	CU_ASSERT_EQUAL(entry(0)->result, 10000 + 0 + 100);
	CU_ASSERT_EQUAL(entry(1)->result, -VMI_EINVAL);
	CU_ASSERT_EQUAL(entry(2)->result, -VMI_EINVAL);
	CU_ASSERT_EQUAL(entry(3)->result, 13000 + 3 + 100);
	CU_ASSERT_EQUAL(refusals, 2);
}

static void test_multicall_refused(void)
{
	mc_reset();
	CU_ASSERT_EQUAL(vmi_multicall_run(&env, MEM_BASE, VMI_MULTICALL_MAX + 1),
			-VMI_E2BIG);
	CU_ASSERT_EQUAL(vmi_multicall_run(&env, MEM_BASE + 4, 1), -VMI_EINVAL);
	/* The array must lie wholly in RAM: the last entry sticks out. */
	CU_ASSERT_EQUAL(vmi_multicall_run(&env, MEM_BASE + sizeof(mem) - 48, 1),
			-VMI_EFAULT);
	CU_ASSERT_EQUAL(vmi_multicall_run(&env, 0x1000, 1), -VMI_EFAULT);
	/* Wrapping around the address space. */
	CU_ASSERT_EQUAL(vmi_multicall_run(&env, ~0ull - 15, 2), -VMI_EFAULT);
	CU_ASSERT_EQUAL(calls_made, 0);
	/* Zero entries: nothing to do, not an error. */
	CU_ASSERT_EQUAL(vmi_multicall_run(&env, 0x1000, 0), 0);
}

static void test_multicall_stop(void)
{
	mc_reset();
	for (unsigned int i = 0; i < 5; i++)
		entry(i)->call = 20 + i;
	stop_after_call = 22; /* e.g. SHUTDOWN: the batch ends there */
	CU_ASSERT_EQUAL(vmi_multicall_run(&env, MEM_BASE, 5), 5);
	CU_ASSERT_EQUAL(calls_made, 3);
	CU_ASSERT_EQUAL(entry(2)->result, 22000);
	CU_ASSERT_EQUAL(entry(3)->result, 0); /* not run */
}

/* ------------------------------------------------------------------ */
/* VCPU_UP start state                                                 */

static struct vmi_vcpu_start good(void)
{
	struct vmi_vcpu_start st;

	memset(&st, 0, sizeof(st));
	st.rip = 0xffffffff81000000ull;
	st.rsp = 0xffff888000100000ull;
	st.cr3 = 0x200000;
	st.arg = 42;
	st.gdt_base = 0xffff888000010000ull;
	st.gdt_limit = 0x7f;
	st.cs = 0x10;
	st.ds = 0x18;
	return st;
}

static void test_start(void)
{
	struct vmi_vcpu_start st = good();
	struct guest_boot_state bs;
	const char *why = NULL;

	CU_ASSERT_EQUAL(vmi_vcpu_start_check(&st, 1ull << 30, &why), 0);
	vmi_vcpu_start_state(&st, &bs);
	CU_ASSERT_EQUAL(bs.rip, st.rip);
	CU_ASSERT_EQUAL(bs.rsp, st.rsp);
	CU_ASSERT_EQUAL(bs.rdi, 42);
	CU_ASSERT_EQUAL(bs.cr3, 0x200000);
	CU_ASSERT_EQUAL(bs.rflags, 2);
	CU_ASSERT_EQUAL(bs.cs.sel, 0x10);
	CU_ASSERT_EQUAL(bs.cs.attr & 0x200, 0x200); /* L */
	CU_ASSERT_EQUAL(bs.cs.attr & 0x400, 0); /* not D */
	CU_ASSERT_EQUAL(bs.ss.sel, 0x18);
	CU_ASSERT_EQUAL(bs.fs.sel, 0);
	CU_ASSERT_EQUAL(bs.efer & 0x500, 0x500); /* LME, LMA */
	CU_ASSERT(bs.cr0 & 0x80000001u); /* PG, PE */
	CU_ASSERT(bs.cr4 & 0x20); /* PAE */
	CU_ASSERT_EQUAL(bs.gdtr.base, st.gdt_base);
	CU_ASSERT_EQUAL(bs.gdtr.limit, 0x7f);
}

static void test_start_refused(void)
{
	struct vmi_vcpu_start st;
	const char *why;

#define BAD(field, value)                                                    \
	do {                                                                 \
		st = good();                                                 \
		st.field = value;                                            \
		why = NULL;                                                  \
		CU_ASSERT_EQUAL(vmi_vcpu_start_check(&st, 1ull << 30, &why), \
				-VMI_EINVAL);                                \
		CU_ASSERT_PTR_NOT_NULL(why);                                 \
	} while (0)
	BAD(reserved0, 1);
	BAD(reserved[1], 1);
	BAD(rip, 0x0000800000000000ull);
	BAD(rsp, 0xffff7fffffffffffull);
	BAD(gdt_base, 0x00f0000000000000ull);
	BAD(cr3, 0x200010);
	BAD(cr3, 1ull << 30);
	BAD(cs, 0);
	BAD(cs, 0x13); /* RPL 3 */
	BAD(cs, 0x14); /* LDT */
	BAD(ds, 0x80); /* beyond the limit */
#undef BAD
}

/* TIMER_SET's deadline in host time: exact below the top, saturated at
 * it (a wrapped sum would be a deadline long past: a timer storm). */
static void test_timer_deadline(void)
{
	CU_ASSERT_EQUAL(vmi_timer_host_deadline(5000000, 1000), 5001000);
	CU_ASSERT_EQUAL(vmi_timer_host_deadline(1, 0), 1);
	CU_ASSERT_EQUAL(vmi_timer_host_deadline(UINT64_MAX - 1000, 1000),
			UINT64_MAX);
	CU_ASSERT_EQUAL(vmi_timer_host_deadline(UINT64_MAX - 999, 1000),
			UINT64_MAX);
	CU_ASSERT_EQUAL(vmi_timer_host_deadline(UINT64_MAX, 1), UINT64_MAX);
	CU_ASSERT_EQUAL(vmi_timer_host_deadline(UINT64_MAX, 123456789ull),
			UINT64_MAX);
	CU_ASSERT_EQUAL(vmi_timer_host_deadline(1ull << 63, 1ull << 63),
			UINT64_MAX);
	CU_ASSERT_EQUAL(vmi_timer_host_deadline((1ull << 63) - 1, 1ull << 63),
			UINT64_MAX);
	/* Never earlier than the deadline itself. */
	for (uint64_t o = 1; o < (1ull << 62); o = o * 7 + 3)
		CU_ASSERT(vmi_timer_host_deadline(UINT64_MAX - o / 2, o) >=
			  UINT64_MAX - o / 2);
}

void unit_register(void)
{
	CU_pSuite s = CU_add_suite("vmi-time", NULL, NULL);

	CU_add_test(s, "pvclock scale matches exact ns at many rates",
		    test_scale);
	CU_add_test(s, "pvclock writes use the version protocol",
		    test_pvclock_write);
	CU_add_test(s, "TIMER_SET deadlines saturate, never wrap",
		    test_timer_deadline);
	s = CU_add_suite("vmi-events", NULL, NULL);
	CU_add_test(s, "raise, mask, unmask, merge, selector", test_raise);
	CU_add_test(s, "bad ports and no vCPU area", test_raise_bounds);
	s = CU_add_suite("vmi-multicall", NULL, NULL);
	CU_add_test(s, "entries run in order, bad ones refused alone",
		    test_multicall);
	CU_add_test(s, "bad batches refused whole", test_multicall_refused);
	CU_add_test(s, "a call that ends the vCPU ends the batch",
		    test_multicall_stop);
	s = CU_add_suite("vmi-vcpu-start", NULL, NULL);
	CU_add_test(s, "start state from VCPU_UP", test_start);
	CU_add_test(s, "bad start states refused", test_start_refused);
}

UNIT_MAIN
