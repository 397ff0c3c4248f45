/*
 * CPUID policy (hvm/cpuid-policy.c): the APIC IDs a guest finds in CPUID
 * agree with each other and with the vLAPIC (which reports vcpu_id), and
 * the extended topology leaf 0BH is well formed (SDM vol. 2A, CPUID).
 */
#include <CUnit/Basic.h>
#include <string.h>

#include <hvm/caps.h>
#include <hvm/cpuid-policy.h>

/* A host with max basic leaf 0x16 and max extended 0x80000008 whose every
 * other leaf reads a recognisable pattern. */
static void fake_cpuid(void *ctx, uint32_t leaf, uint32_t subleaf,
		       uint32_t out[4])
{
	(void)ctx;
	if (leaf == 0) {
		out[0] = 0x16, out[1] = 0x68747541, out[2] = 0x444d4163,
		out[3] = 0x69746e65;
		return;
	}
	if (leaf == 0x80000000u) {
		out[0] = 0x80000008u, out[1] = out[2] = out[3] = 0;
		return;
	}
	out[0] = 0xa5a5a5a5u ^ leaf;
	out[1] = 0x5a5a5a5au ^ subleaf;
	out[2] = 0xffffffffu;
	out[3] = 0xffffffffu;
}

static const struct hvm_cpu_io host = { .cpuid = fake_cpuid };

static void get(unsigned int vcpu, unsigned int nr, uint32_t leaf,
		uint32_t sub, uint32_t out[4])
{
	struct cpuid_guest g = { .vcpu_id = vcpu, .nr_vcpus = nr,
				 .x2apic = true };

	hvm_cpuid_policy(&host, &g, leaf, sub, out);
}

static void test_apic_ids_agree(void)
{
	uint32_t r[4];
	unsigned int nr, v, sub;

	for (nr = 1; nr <= 8; nr++) {
		for (v = 0; v < nr; v++) {
			get(v, nr, 1, 0, r);
			CU_ASSERT_EQUAL(r[1] >> 24, v);
			CU_ASSERT_EQUAL((r[1] >> 16) & 0xff, nr);
			for (sub = 0; sub < 4; sub++) {
				get(v, nr, 0xb, sub, r);
				CU_ASSERT_EQUAL(r[3], v); /* x2APIC ID */
				CU_ASSERT_EQUAL(r[2] & 0xff, sub);
			}
		}
	}
}

static void test_topology_levels(void)
{
	uint32_t r[4];
	unsigned int nr;

	for (nr = 1; nr <= 9; nr++) {
		get(0, nr, 0xb, 0, r); /* SMT: 1 thread, shift 0 */
		CU_ASSERT_EQUAL(r[0] & 0x1f, 0);
		CU_ASSERT_EQUAL(r[1] & 0xffff, 1);
		CU_ASSERT_EQUAL((r[2] >> 8) & 0xff, 1);
		get(0, nr, 0xb, 1, r); /* core: all vCPUs, IDs fit the shift */
		CU_ASSERT_EQUAL(r[1] & 0xffff, nr);
		CU_ASSERT_EQUAL((r[2] >> 8) & 0xff, 2);
		CU_ASSERT((1u << (r[0] & 0x1f)) >= nr);
		CU_ASSERT(nr == 1 || ((r[0] & 0x1f) > 0 &&
				      (1u << ((r[0] & 0x1f) - 1)) < nr));
		get(0, nr, 0xb, 2, r); /* invalid level: type 0, EBX 0 */
		CU_ASSERT_EQUAL((r[2] >> 8) & 0xff, 0);
		CU_ASSERT_EQUAL(r[1], 0);
	}
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("cpuid", NULL, NULL);
	CU_add_test(s, "APIC IDs agree across leaves 1 and 0BH",
		    test_apic_ids_agree);
	CU_add_test(s, "leaf 0BH topology levels", test_topology_levels);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned int f = CU_get_number_of_failures();
	CU_cleanup_registry();
	return f ? 1 : 0;
}
