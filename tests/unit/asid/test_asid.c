/*
 * hvm/asid.c against a model TLB that never forgets on its own: each
 * entry a vCPU makes is kept, tagged (CPU, ASID), until the allocator's
 * answer flushes it.  That is what real AMD and Intel parts may do, and
 * what QEMU, which flushes its whole TLB on every VMRUN, does not.  At
 * every entry the vCPU must find, under its tag on that CPU, no entry of
 * another vCPU and none of its own made before a flush it asked for.
 */
#include "unit.h"
#include <hvm/asid.h>
#include <string.h>

#define NCPU 3
#define NVCPU 12
#define MAXTAG 64

/* tlb[cpu][tag]: bit per vCPU that has live entries there; stale[...]:
 * those of them made before the vCPU's last flush request. */
static uint32_t tlb[NCPU][MAXTAG], stale[NCPU][MAXTAG];
static struct asid_cpu cpus[NCPU];
static struct asid_vcpu vcpus[NVCPU];

static void reset(uint32_t nr_tags, uint32_t limit, bool flush_one)
{
	memset(tlb, 0, sizeof(tlb));
	memset(stale, 0, sizeof(stale));
	memset(vcpus, 0, sizeof(vcpus));
	for (int c = 0; c < NCPU; c++) {
		CU_ASSERT_TRUE(asid_cpu_init(&cpus[c], nr_tags, limit,
					     flush_one));
		/* Whatever ran before: entries under every tag. */
		for (int t = 0; t < MAXTAG; t++)
			tlb[c][t] = 1u << 31;
	}
}

static void request_flush(int v)
{
	asid_flush(&vcpus[v]);
	for (int c = 0; c < NCPU; c++)
		for (int t = 0; t < MAXTAG; t++)
			stale[c][t] |= tlb[c][t] & (1u << v);
}

/* vCPU v enters on CPU c: apply the answer, check, leave an entry. */
static int run(int v, int c)
{
	int what = asid_assign(&cpus[c], &vcpus[v], (unsigned int)c);
	uint32_t tag = vcpus[v].asid;

	CU_ASSERT(tag >= 1 && tag <= cpus[c].max && tag < MAXTAG);
	if (tag < 1 || tag >= MAXTAG)
		return what;
	if (what == ASID_TLB_FLUSH_ALL) {
		memset(tlb[c], 0, sizeof(tlb[c]));
		memset(stale[c], 0, sizeof(stale[c]));
	} else if (what == ASID_TLB_FLUSH_OWN) {
		CU_ASSERT_TRUE(cpus[c].flush_one);
		tlb[c][tag] = stale[c][tag] = 0;
	} else {
		CU_ASSERT_EQUAL(what, ASID_TLB_NONE);
	}
	CU_ASSERT_EQUAL(tlb[c][tag] & ~(1u << v), 0); /* nobody else's */
	CU_ASSERT_EQUAL(stale[c][tag], 0); /* nothing flushed survives */
	tlb[c][tag] |= 1u << v;
	return what;
}

static uint32_t rng = 12345;
static uint32_t rnd(uint32_t n)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 8) % n;
}

/* Random schedules: vCPUs move between CPUs and ask for flushes. */
static void soak(uint32_t nr_tags, bool flush_one, int moves)
{
	int home[NVCPU];

	reset(nr_tags, 0, flush_one);
	for (int v = 0; v < NVCPU; v++)
		home[v] = v % NCPU;
	for (int i = 0; i < 20000; i++) {
		int v = (int)rnd(NVCPU);

		if (moves && rnd(100) < (uint32_t)moves)
			home[v] = (int)rnd(NCPU);
		if (rnd(10) == 0)
			request_flush(v);
		run(v, home[v]);
	}
}

static void test_soak_two_tags(void)
{
	soak(2, true, 0);
	soak(2, false, 5);
}

static void test_soak_few_tags(void)
{
	soak(5, true, 10);
	soak(5, false, 10);
	soak(9, false, 1);
}

static void test_soak_many_tags(void)
{
	soak(64, true, 2);
	soak(64, false, 2);
}

/* The first entry on a CPU flushes all; a vCPU alone keeps its tag. */
static void test_first_entry_and_reuse(void)
{
	reset(16, 0, true);
	CU_ASSERT_EQUAL(run(0, 0), ASID_TLB_FLUSH_ALL);
	CU_ASSERT_EQUAL(vcpus[0].asid, 1);
	CU_ASSERT_EQUAL(run(0, 0), ASID_TLB_NONE);
	CU_ASSERT_EQUAL(run(1, 0), ASID_TLB_NONE);
	CU_ASSERT_EQUAL(vcpus[1].asid, 2);
	CU_ASSERT_EQUAL(run(0, 0), ASID_TLB_NONE);
	CU_ASSERT_EQUAL(vcpus[0].asid, 1);
	CU_ASSERT_EQUAL(cpus[0].wraps, 0);
}

/* Two vCPUs and one tag: every switch ends a generation. */
static void test_wrap_flushes_all(void)
{
	reset(64, 2, true);
	CU_ASSERT_EQUAL(cpus[0].max, 1);
	run(0, 0);
	for (int i = 0; i < 10; i++) {
		CU_ASSERT_EQUAL(run(1, 0), ASID_TLB_FLUSH_ALL);
		CU_ASSERT_EQUAL(run(0, 0), ASID_TLB_FLUSH_ALL);
	}
	CU_ASSERT_EQUAL(cpus[0].wraps, 20);
	CU_ASSERT_EQUAL(vcpus[0].full_flushes, 11);
	CU_ASSERT_EQUAL(vcpus[1].full_flushes, 10);
}

/* The old scheme's case: domains whose tags coincide modulo the count. */
static void test_no_alias_with_eight_tags(void)
{
	reset(8, 0, true);
	for (int round = 0; round < 4; round++)
		for (int v = 0; v < NVCPU; v++)
			run(v, 0);
	CU_ASSERT(cpus[0].wraps >= 5);
}

/* Flush requests: one tag when the CPU can, a new tag when it cannot. */
static void test_flush_request(void)
{
	uint32_t tag;

	reset(16, 0, true);
	run(0, 0);
	tag = vcpus[0].asid;
	request_flush(0);
	CU_ASSERT_EQUAL(run(0, 0), ASID_TLB_FLUSH_OWN);
	CU_ASSERT_EQUAL(vcpus[0].asid, tag);
	CU_ASSERT_EQUAL(run(0, 0), ASID_TLB_NONE);

	reset(16, 0, false);
	run(0, 0);
	tag = vcpus[0].asid;
	request_flush(0);
	CU_ASSERT_EQUAL(run(0, 0), ASID_TLB_NONE);
	CU_ASSERT_NOT_EQUAL(vcpus[0].asid, tag);
}

/* A vCPU that moves takes a tag of its new CPU, and one again when it
 * comes back, even if that CPU's generation number happens to match. */
static void test_move(void)
{
	reset(16, 0, true);
	run(0, 0);
	run(1, 1);
	run(1, 0);
	CU_ASSERT_EQUAL(vcpus[1].asid, 2);
	CU_ASSERT_EQUAL(vcpus[1].last_cpu, 1);
	run(1, 1);
	CU_ASSERT_EQUAL(vcpus[1].last_cpu, 2);
	CU_ASSERT_EQUAL(vcpus[1].assigned, 3);
}

static void test_limits(void)
{
	struct asid_cpu c;

	CU_ASSERT_FALSE(asid_cpu_init(&c, 1, 0, true));
	CU_ASSERT_FALSE(asid_cpu_init(&c, 64, 1, true));
	CU_ASSERT_TRUE(asid_cpu_init(&c, 2, 0, false));
	CU_ASSERT_EQUAL(c.max, 1);
	CU_ASSERT_TRUE(asid_cpu_init(&c, 65536, 0, false));
	CU_ASSERT_EQUAL(c.max, 65535);
	CU_ASSERT_TRUE(asid_cpu_init(&c, 16, 100, false));
	CU_ASSERT_EQUAL(c.max, 15);
}

void unit_register(void)
{
	CU_pSuite s = CU_add_suite("asid", NULL, NULL);

	CU_add_test(s, "first entry flushes, tags are kept", test_first_entry_and_reuse);
	CU_add_test(s, "wrap flushes all", test_wrap_flushes_all);
	CU_add_test(s, "no alias with 8 tags", test_no_alias_with_eight_tags);
	CU_add_test(s, "flush request", test_flush_request);
	CU_add_test(s, "vCPU moves", test_move);
	CU_add_test(s, "limits", test_limits);
	CU_add_test(s, "soak, 2 tags", test_soak_two_tags);
	CU_add_test(s, "soak, few tags", test_soak_few_tags);
	CU_add_test(s, "soak, 64 tags", test_soak_many_tags);
}

UNIT_MAIN
