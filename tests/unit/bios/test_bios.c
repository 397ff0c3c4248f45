/*
 * The real-mode IVT every domain starts with (hvm/bios-stub.c): each of
 * the 256 vectors points into segment F000 at the handler its kind needs,
 * and the handlers are the instructions bios-stub.h describes.
 */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <string.h>

#include <hvm/bios-stub.h>

static uint8_t mem[0x100000];
static unsigned int writes;

static int fake_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	(void)ctx;
	if (gpa > sizeof(mem) || len > sizeof(mem) - gpa)
		return -1;
	memcpy(mem + gpa, src, len);
	writes++;
	return 0;
}

static int fake_read(void *ctx, uint64_t gpa, void *dst, size_t len)
{
	(void)ctx;
	memcpy(dst, mem + gpa, len);
	return 0;
}

static const struct guest_mem_ops ops = { fake_write, fake_read };

static void test_ivt(void)
{
	memset(mem, 0, sizeof(mem));
	CU_ASSERT_EQUAL(bios_stub_build(&ops, NULL), 0);
	for (unsigned int v = 0; v < 256; v++) {
		uint16_t ip = (uint16_t)(mem[4 * v] | mem[4 * v + 1] << 8);
		uint16_t cs = (uint16_t)(mem[4 * v + 2] | mem[4 * v + 3] << 8);
		uint16_t want = v >= 8 && v <= 15	    ? BIOS_STUB_IRQ_MASTER
				: v >= 0x70 && v <= 0x77 ? BIOS_STUB_IRQ_SLAVE
							 : BIOS_STUB_UNSUPPORTED;

		CU_ASSERT_EQUAL(cs, BIOS_STUB_SEG);
		CU_ASSERT_EQUAL(ip, want);
	}
	/* Nothing past the IVT in page 0 (the BDA stays zero). */
	for (unsigned int i = 0x400; i < 0x1000; i++)
		CU_ASSERT_EQUAL_FATAL(mem[i], 0);
}

static void test_handlers(void)
{
	const uint8_t *u = mem + BIOS_STUB_GPA + BIOS_STUB_UNSUPPORTED;
	const uint8_t *m = mem + BIOS_STUB_GPA + BIOS_STUB_IRQ_MASTER;
	const uint8_t *s = mem + BIOS_STUB_GPA + BIOS_STUB_IRQ_SLAVE;
	static const uint8_t set_cf[] = { 0x83, 0x4e, 0x06, 0x01 };
	static const uint8_t ah_86[] = { 0xb4, 0x86, 0xcf };
	static const uint8_t eoi_master[] = { 0xb0, 0x20, 0xe6, 0x20 };
	static const uint8_t eoi_slave[] = { 0xe6, 0xa0, 0xe6, 0x20 };

	memset(mem, 0, sizeof(mem));
	CU_ASSERT_EQUAL(bios_stub_build(&ops, NULL), 0);
	/* push bp; mov bp, sp; or word [bp+6], 1; pop bp; mov ah, 86h;
	 * iret: FLAGS is at [bp+6] above BP, IP and CS. */
	CU_ASSERT_EQUAL(u[0], 0x55);
	CU_ASSERT(memcmp(u + 3, set_cf, sizeof(set_cf)) == 0);
	CU_ASSERT(memcmp(u + 8, ah_86, sizeof(ah_86)) == 0);
	CU_ASSERT(memcmp(m + 1, eoi_master, sizeof(eoi_master)) == 0);
	CU_ASSERT_EQUAL(m[6], 0xcf);
	CU_ASSERT(memcmp(s + 3, eoi_slave, sizeof(eoi_slave)) == 0);
	CU_ASSERT_EQUAL(s[8], 0xcf);
}

static int fail_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	(void)ctx, (void)gpa, (void)src, (void)len;
	return -5;
}

static void test_error(void)
{
	const struct guest_mem_ops bad = { fail_write, fake_read };

	CU_ASSERT_EQUAL(bios_stub_build(&bad, NULL), -5);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("bios-stub", NULL, NULL);
	CU_add_test(s, "every vector reaches its handler", test_ivt);
	CU_add_test(s, "the handlers' instructions", test_handlers);
	CU_add_test(s, "a failed write is returned", test_error);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned int f = CU_get_number_of_failures();
	CU_cleanup_registry();
	return f ? 1 : 0;
}
