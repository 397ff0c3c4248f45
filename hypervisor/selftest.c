/*
 * Boot-time self-tests (see include/trivisor/selftest.h).  Each prints one
 * "selftest NAME: PASS|FAIL ..." line that the integration runner checks.
 */
#include <trivisor/selftest.h>
#include <trivisor/log.h>
#include <trivisor/memory.h>
#include <trivisor/lapic.h>
#include <trivisor/smp.h>
#include <trivisor/time.h>
#include <trivisor/traps.h>
#include <trivisor/cpu.h>
#include <trivisor/layout.h>
#include <string.h>
#include <stdio.h>
#include <trivisor/percpu.h>

struct selftest {
	const char *name;
	int (*fn)(void); /* 0 = pass */
};

static int result(const char *name, int fail, const char *detail)
{
	if (fail)
		log_err("selftest %s: FAIL %s", name, detail);
	else
		log_info("selftest %s: PASS %s", name, detail);
	return fail ? 1 : 0;
}

/* Deliberate faults: the exception report names vector and RIP. */
void selftest_ud_site(void);
static int test_ud(void)
{
	log_info("selftest ud: raising #UD at %p", (void *)selftest_ud_site);
	asm volatile(".globl selftest_ud_site\n"
		     "selftest_ud_site: ud2" ::: "memory");
	return result("ud", 1, "execution continued after ud2");
}

static int test_pf(void)
{
	/* In the hypervisor hole, never mapped (layout.h). */
	volatile uint64_t *p = (volatile uint64_t *)(IOREMAP_BASE +
						     IOREMAP_SIZE + 0x1000);

	log_info("selftest pf: reading unmapped %p", (void *)p);
	(void)*p;
	return result("pf", 1, "read of an unmapped address succeeded");
}

static int test_frames(void)
{
	enum { N = 64 };
	uint64_t mfns[N], before = hv_frames_free();
	char msg[128];
	int fail = 0, ret;

	for (int i = 0; i < N; i++) {
		ret = hv_frame_alloc((unsigned int)(i % 4),
				     FRAME_OWNER_HYPERVISOR, &mfns[i]);
		if (ret) {
			snprintf(msg, sizeof(msg), "alloc %d failed: %d", i, ret);
			return result("frames", 1, msg);
		}
		/* The frame must be real, usable memory. */
		memset(pa_to_va(mfns[i] << PAGE_SHIFT), 0xa5,
		       PAGE_SIZE << (i % 4));
	}
	/* A double free and a wrong-owner free must be refused. */
	if (hv_frame_free(mfns[0], 0, 1) == 0)
		fail = 1;
	for (int i = N - 1; i >= 0; i--)
		if (hv_frame_free(mfns[i], (unsigned int)(i % 4),
				  FRAME_OWNER_HYPERVISOR))
			fail = 1;
	if (hv_frame_free(mfns[0], 0, FRAME_OWNER_HYPERVISOR) == 0)
		fail = 1;
	snprintf(msg, sizeof(msg), "%d blocks, free %lu -> %lu frames", N,
		 before, hv_frames_free());
	return result("frames", fail || hv_frames_free() != before, msg);
}

static volatile uint64_t timer_hits;
static volatile uint64_t timer_last_ns;

static void selftest_timer_irq(struct cpu_regs *regs)
{
	(void)regs;
	timer_hits++;
	timer_last_ns = time_ns();
}

static int test_timer(void)
{
	const uint64_t ms = 1000000;
	uint64_t t0, dt, deadline;
	char msg[160];
	int fail = 0;

	irq_set_handler(VEC_SELFTEST_TIMER, selftest_timer_irq);

	/* One-shot: 20 ms requested. */
	timer_hits = 0;
	t0 = time_ns();
	lapic_timer_oneshot(20 * ms, VEC_SELFTEST_TIMER);
	deadline = t0 + 2000 * ms;
	while (!timer_hits && time_ns() < deadline)
		halt();
	dt = timer_last_ns - t0;
	if (!timer_hits || dt < 10 * ms || dt > 200 * ms)
		fail = 1;
	snprintf(msg, sizeof(msg), "one-shot 20 ms fired after %lu.%03lu ms",
		 dt / ms, dt / 1000 % 1000);
	result("timer-oneshot", fail, timer_hits ? msg : "never fired");

	/* Periodic: 5 ticks of 10 ms. */
	timer_hits = 0;
	t0 = time_ns();
	lapic_timer_periodic(10 * ms, VEC_SELFTEST_TIMER);
	while (timer_hits < 5 && time_ns() < t0 + 2000 * ms)
		halt();
	lapic_timer_stop();
	dt = timer_last_ns - t0;
	snprintf(msg, sizeof(msg), "%lu periodic 10 ms ticks in %lu.%03lu ms",
		 timer_hits, dt / ms, dt / 1000 % 1000);
	return result("timer-periodic",
		      timer_hits < 5 || dt < 25 * ms || dt > 500 * ms, msg) |
	       fail;
}

static volatile uint32_t seen_apic[MAX_CPUS];

static void record_apic_id(void *arg)
{
	seen_apic[(uint64_t)arg] = lapic_id() + 1;
}

static int test_smpcall(void)
{
	char msg[128];
	unsigned int ok = 0, n = smp_online_count();

	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
		seen_apic[cpu] = 0;
		if (smp_call_on(cpu, record_apic_id, (void *)(uint64_t)cpu,
				true))
			continue;
		if (seen_apic[cpu] == percpu[cpu].apic_id + 1)
			ok++;
	}
	snprintf(msg, sizeof(msg), "%u of %u CPUs answered a cross-CPU call "
		 "from their own APIC", ok, n);
	return result("smpcall", ok != n || n < 1, msg);
}

static const struct selftest tests[] = {
	{ "frames", test_frames },
	{ "timer", test_timer },
	{ "smpcall", test_smpcall },
	{ "ud", test_ud },
	{ "pf", test_pf },
};

int selftest_run(const char *list)
{
	int failed = 0;

	while (*list) {
		const char *end = strchr(list, ',');
		size_t n = end ? (size_t)(end - list) : strlen(list);
		bool all = n == 3 && !strncmp(list, "all", 3), found = all;

		for (unsigned int i = 0; i < sizeof(tests) / sizeof(tests[0]);
		     i++) {
			const struct selftest *t = &tests[i];

			/* "all" means every test that returns. */
			if (all ? !strcmp(t->name, "ud") || !strcmp(t->name, "pf")
				: strlen(t->name) != n ||
					  strncmp(t->name, list, n))
				continue;
			found = true;
			failed += t->fn();
		}
		if (!found) {
			log_err("selftest %.*s: unknown (known: all, frames, "
				"timer, smpcall, ud, pf)",
				(int)n, list);
			failed++;
		}
		list += n;
		if (*list == ',')
			list++;
	}
	if (failed)
		log_err("selftests: %d failed", failed);
	return failed;
}
