/*
 * mm/gwalk.c against page tables built by hand in a fake guest memory,
 * in each paging mode.
 */
#include "unit.h"
#include <mm/gwalk.h>
#include <vmi/errno.h>
#include <string.h>

#define MEM (8u << 20)
static uint8_t mem[MEM];

static int rd(void *arg, uint64_t gpa, void *buf, unsigned int len)
{
	(void)arg;
	if (gpa + len > MEM)
		return -VMI_EFAULT;
	memcpy(buf, mem + gpa, len);
	return 0;
}

static void put64(uint64_t gpa, uint64_t v)
{
	memcpy(mem + gpa, &v, 8);
}

static void put32(uint64_t gpa, uint32_t v)
{
	memcpy(mem + gpa, &v, 4);
}

static struct gwalk_ctx long_mode(void)
{
	struct gwalk_ctx c = { .cr0 = (1ull << 31) | (1 << 16) | 1,
			       .cr3 = 0x1000, .cr4 = 1 << 5,
			       .efer = (1 << 8) | (1 << 10) | (1 << 11),
			       .read_phys = rd };
	return c;
}

static void test_no_paging(void)
{
	struct gwalk_ctx c = { .cr0 = 1, .read_phys = rd };
	uint64_t gpa;
	uint32_t err;

	CU_ASSERT_EQUAL(gwalk_translate(&c, 0x12345678, 0, &gpa, &err), 0);
	CU_ASSERT_EQUAL(gpa, 0x12345678);
}

static void test_long_mode(void)
{
	struct gwalk_ctx c = long_mode();
	uint64_t gpa;
	uint32_t err;

	memset(mem, 0, MEM);
	/* 0xffff800000000000 + 0x201000 -> 4K page at 0x345000;
	 * 0xffff800000400000 -> 2M page at 0x600000;
	 * 0xffff808000000000 -> 1G page at 0x40000000 (RO, NX). */
	put64(0x1000 + 256 * 8, 0x2000 | 7);
	put64(0x1000 + 257 * 8, 0x5000 | 7);
	put64(0x2000 + 0 * 8, 0x3000 | 7);
	put64(0x3000 + 1 * 8, 0x4000 | 7);
	put64(0x4000 + 1 * 8, 0x345000 | 3);
	put64(0x3000 + 2 * 8, 0x600000 | 0x83);
	put64(0x5000, 0x40000000 | 0x81 | (1ull << 63));

	CU_ASSERT_EQUAL(gwalk_translate(&c, 0xffff800000201abcull, 0, &gpa,
					&err), 0);
	CU_ASSERT_EQUAL(gpa, 0x345abc);
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0xffff800000412345ull, GWALK_WRITE,
					&gpa, &err), 0);
	CU_ASSERT_EQUAL(gpa, 0x612345);
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0xffff808000123456ull, 0, &gpa,
					&err), 0);
	CU_ASSERT_EQUAL(gpa, 0x40123456);
	/* Read-only and no-execute 1G page. */
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0xffff808000000000ull, GWALK_WRITE,
					&gpa, &err), -VMI_ENOENT);
	CU_ASSERT_EQUAL(err, 3u);
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0xffff808000000000ull, GWALK_FETCH,
					&gpa, &err), -VMI_ENOENT);
	CU_ASSERT_EQUAL(err, 0x11u);
	/* Supervisor page from user mode (the 4K leaf lacks U). */
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0xffff800000201000ull, GWALK_USER,
					&gpa, &err), -VMI_ENOENT);
	CU_ASSERT_EQUAL(err, 5u);
	/* Not present. */
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0x1000, 0, &gpa, &err),
			-VMI_ENOENT);
	CU_ASSERT_EQUAL(err, 0u);
	/* A table pointing outside guest memory. */
	put64(0x1000 + 3 * 8, 0x7fff000000ull | 7);
	CU_ASSERT_EQUAL(gwalk_translate(&c, 3ull << 39, 0, &gpa, &err),
			-VMI_EFAULT);
}

static void test_pae(void)
{
	struct gwalk_ctx c = { .cr0 = (1ull << 31) | 1, .cr3 = 0x1020,
			       .cr4 = 1 << 5, .read_phys = rd };
	uint64_t gpa;
	uint32_t err;

	memset(mem, 0, MEM);
	put64(0x1020 + 3 * 8, 0x2000 | 1); /* PDPTE 3: 0xc0000000 */
	put64(0x2000 + 1 * 8, 0x3000 | 3); /* 0xc0200000 */
	put64(0x3000 + 5 * 8, 0x777000 | 3);
	put64(0x2000 + 2 * 8, 0x400000 | 0x83); /* 2M at 0xc0400000 */
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0xc0205010, 0, &gpa, &err), 0);
	CU_ASSERT_EQUAL(gpa, 0x777010);
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0xc0512345, 0, &gpa, &err), 0);
	CU_ASSERT_EQUAL(gpa, 0x512345);
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0x10000000, 0, &gpa, &err),
			-VMI_ENOENT);
}

static void test_32bit(void)
{
	struct gwalk_ctx c = { .cr0 = (1ull << 31) | 1, .cr3 = 0x1000,
			       .cr4 = 1 << 4, .read_phys = rd };
	uint64_t gpa;
	uint32_t err;

	memset(mem, 0, MEM);
	put32(0x1000 + 0x300 * 4, 0x2000 | 3); /* 0xc0000000 */
	put32(0x2000 + 2 * 4, 0x5000 | 3);
	put32(0x1000 + 0x301 * 4, 0x400000 | 0x83); /* 4M at 0xc0400000 */
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0xc0002abc, 0, &gpa, &err), 0);
	CU_ASSERT_EQUAL(gpa, 0x5abc);
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0xc0456789, 0, &gpa, &err), 0);
	CU_ASSERT_EQUAL(gpa, 0x456789);
	/* Without CR4.PSE the PS bit is ignored: a table at 0x400000. */
	c.cr4 = 0;
	put32(0x400000 + 0x56 * 4, 0x9000 | 3);
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0xc0456789, 0, &gpa, &err), 0);
	CU_ASSERT_EQUAL(gpa, 0x9789);
}

/* U/S from CPL 3 at every level, CR0.WP, SMEP and SMAP (SDM 4.6). */
static void test_user_smep_smap(void)
{
	struct gwalk_ctx c = long_mode();
	uint64_t gpa;
	uint32_t err;

	memset(mem, 0, MEM);
	/* 0x200000: user RW page; 0x201000: supervisor page; 0x202000:
	 * user read-only; 0x40000000 (PML4 slot 0, PDPT slot 1): a 1 GiB
	 * user page under a supervisor PDPTE -> supervisor. */
	put64(0x1000, 0x2000 | 7);
	put64(0x2000, 0x3000 | 7);
	put64(0x2000 + 8, 0x40000000 | 0x83); /* U clear at the leaf */
	put64(0x3000 + 1 * 8, 0x4000 | 7);
	put64(0x4000 + 0 * 8, 0x500000 | 7);
	put64(0x4000 + 1 * 8, 0x501000 | 3);
	put64(0x4000 + 2 * 8, 0x502000 | 5);

	/* User mode: U page fine, supervisor page #PF with U|P (|W). */
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0x200010, GWALK_USER | GWALK_WRITE,
					&gpa, &err), 0);
	CU_ASSERT_EQUAL(gpa, 0x500010);
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0x201000, GWALK_USER | GWALK_WRITE,
					&gpa, &err), -VMI_ENOENT);
	CU_ASSERT_EQUAL(err, 7u);
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0x201000, GWALK_USER, &gpa, &err),
			-VMI_ENOENT);
	CU_ASSERT_EQUAL(err, 5u);
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0x40000000, GWALK_USER, &gpa,
					&err), -VMI_ENOENT);
	/* Read-only user page: user write faults; supervisor write only
	 * with CR0.WP. */
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0x202000, GWALK_USER | GWALK_WRITE,
					&gpa, &err), -VMI_ENOENT);
	CU_ASSERT_EQUAL(err, 7u);
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0x202000, GWALK_WRITE, &gpa, &err),
			-VMI_ENOENT);
	CU_ASSERT_EQUAL(err, 3u);
	c.cr0 &= ~(1ull << 16);
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0x202000, GWALK_WRITE, &gpa, &err),
			0);
	c.cr0 |= 1ull << 16;

	/* Without SMEP/SMAP the supervisor reaches user pages. */
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0x200000, GWALK_FETCH, &gpa, &err),
			0);
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0x200000, GWALK_WRITE, &gpa, &err),
			0);
	/* SMEP: no supervisor fetch from a user page (error P|I). */
	c.cr4 |= 1ull << 20;
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0x200000, GWALK_FETCH, &gpa, &err),
			-VMI_ENOENT);
	CU_ASSERT_EQUAL(err, 0x11u);
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0x200000, GWALK_WRITE, &gpa, &err),
			0);
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0x201000, GWALK_FETCH, &gpa, &err),
			0);
	/* SMAP: no supervisor data access to a user page unless AC. */
	c.cr4 |= 1ull << 21;
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0x200000, GWALK_WRITE, &gpa, &err),
			-VMI_ENOENT);
	CU_ASSERT_EQUAL(err, 3u);
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0x200000, 0, &gpa, &err),
			-VMI_ENOENT);
	CU_ASSERT_EQUAL(err, 1u);
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0x200000, GWALK_WRITE | GWALK_AC,
					&gpa, &err), 0);
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0x201000, GWALK_WRITE, &gpa, &err),
			0);
	/* User mode is not subject to SMAP. */
	CU_ASSERT_EQUAL(gwalk_translate(&c, 0x200000, GWALK_USER, &gpa, &err),
			0);
}

void unit_register(void)
{
	CU_pSuite s = CU_add_suite("gwalk", NULL, NULL);

	CU_add_test(s, "paging off", test_no_paging);
	CU_add_test(s, "4-level with 4K/2M/1G, rights, faults", test_long_mode);
	CU_add_test(s, "PAE with 2M", test_pae);
	CU_add_test(s, "32-bit with PSE", test_32bit);
	CU_add_test(s, "U/S, WP, SMEP, SMAP", test_user_smep_smap);
}

UNIT_MAIN
