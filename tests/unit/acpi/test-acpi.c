/*
 * ACPI table builder tests: checksums, lengths, signatures, the pointer
 * chain RSDP -> XSDT/RSDT -> FADT -> DSDT/FACS and MADT, the MADT entries
 * and the \_S5_ package.  If iasl (Debian acpica-tools) is installed, the
 * tables are also disassembled by it; otherwise that check says skipped.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hvm/acpi-build.h>
#include <vmi/errno.h>

#include "unit.h"

#define MEM_SIZE 0x100000 /* guest [0, 1 MiB) */

struct mem {
	uint8_t *b;
	long writes, fail_at;
};

static int mem_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	struct mem *m = ctx;

	if (m->fail_at >= 0 && m->writes++ == m->fail_at)
		return -VMI_EFAULT;
	if (gpa > MEM_SIZE || len > MEM_SIZE - gpa)
		return -VMI_EFAULT;
	memcpy(m->b + gpa, src, len);
	return 0;
}

static int mem_read(void *ctx, uint64_t gpa, void *dst, size_t len)
{
	struct mem *m = ctx;

	if (gpa > MEM_SIZE || len > MEM_SIZE - gpa)
		return -VMI_EFAULT;
	memcpy(dst, m->b + gpa, len);
	return 0;
}

static const struct guest_mem_ops mem_ops = { mem_write, mem_read };

static struct mem *mem_new(void)
{
	struct mem *m = calloc(1, sizeof(*m));

	m->b = malloc(MEM_SIZE);
	memset(m->b, 0xcc, MEM_SIZE);
	m->fail_at = -1;
	return m;
}

static void mem_free(struct mem *m)
{
	free(m->b);
	free(m);
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* A table at gpa: signature, length within memory, checksum zero. */
static const uint8_t *table(struct mem *m, uint64_t gpa, const char *sig,
			    uint32_t *len)
{
	const uint8_t *t;

	CU_ASSERT_FATAL(gpa > 0 && gpa + 36 <= MEM_SIZE);
	t = m->b + gpa;
	CU_ASSERT(memcmp(t, sig, 4) == 0);
	*len = rd32(t + 4);
	CU_ASSERT_FATAL(*len >= 36 && gpa + *len <= MEM_SIZE);
	CU_ASSERT_EQUAL(sum(t, *len), 0);
	CU_ASSERT(memcmp(t + 10, "TRIVSR", 6) == 0);
	return t;
}

static void check_gas(const uint8_t *g, uint8_t bits, uint8_t access,
		      uint64_t port)
{
	CU_ASSERT_EQUAL(g[0], 1); /* system I/O */
	CU_ASSERT_EQUAL(g[1], bits);
	CU_ASSERT_EQUAL(g[2], 0);
	CU_ASSERT_EQUAL(g[3], access);
	CU_ASSERT_EQUAL(rd64(g + 4), port);
}

static void check_madt(const uint8_t *t, uint32_t len, uint32_t nr_cpus)
{
	uint32_t off = 44, cpus = 0, ioapics = 0, isos = 0, nmis = 0;

	CU_ASSERT_EQUAL(len, 44 + 8 * nr_cpus + 12 + 2 * 10 + 6);
	CU_ASSERT_EQUAL(t[8], 5);
	CU_ASSERT_EQUAL(rd32(t + 36), 0xfee00000);
	CU_ASSERT_EQUAL(rd32(t + 40), 0);
	while (off < len) {
		const uint8_t *e = t + off;

		CU_ASSERT_FATAL(e[1] >= 2 && off + e[1] <= len);
		switch (e[0]) {
		case 0:
			CU_ASSERT_EQUAL(e[1], 8);
			CU_ASSERT_EQUAL(e[2], cpus); /* processor UID */
			CU_ASSERT_EQUAL(e[3], cpus); /* APIC ID */
			CU_ASSERT_EQUAL(rd32(e + 4), 1); /* enabled */
			cpus++;
			break;
		case 1:
			CU_ASSERT_EQUAL(e[1], 12);
			CU_ASSERT_EQUAL(e[2], 0);
			CU_ASSERT_EQUAL(rd32(e + 4), 0xfec00000);
			CU_ASSERT_EQUAL(rd32(e + 8), 0);
			ioapics++;
			break;
		case 2:
			CU_ASSERT_EQUAL(e[1], 10);
			CU_ASSERT_EQUAL(e[2], 0); /* ISA */
			if (e[3] == 0) {
				CU_ASSERT_EQUAL(rd32(e + 4), 2);
				CU_ASSERT_EQUAL(rd16(e + 8), 0x5);
			} else {
				CU_ASSERT_EQUAL(e[3], 9);
				CU_ASSERT_EQUAL(rd32(e + 4), 9);
				CU_ASSERT_EQUAL(rd16(e + 8), 0xd);
			}
			isos++;
			break;
		case 4:
			CU_ASSERT_EQUAL(e[1], 6);
			CU_ASSERT_EQUAL(e[2], 0xff);
			CU_ASSERT_EQUAL(e[5], 1);
			nmis++;
			break;
		default:
			CU_FAIL("unexpected MADT entry");
		}
		off += e[1];
	}
	CU_ASSERT_EQUAL(off, len);
	CU_ASSERT_EQUAL(cpus, nr_cpus);
	CU_ASSERT_EQUAL(ioapics, 1);
	CU_ASSERT_EQUAL(isos, 2);
	CU_ASSERT_EQUAL(nmis, 1);
}

static void check_all(struct mem *m, const struct acpi_build_info *in,
		      uint32_t nr_cpus)
{
	static const uint8_t s5[] = { 0x08,
				      '\\',
				      '_',
				      'S',
				      '5',
				      '_',
				      0x12,
				      0x08,
				      0x04,
				      0x0a,
				      ACPI_BUILD_S5_SLP_TYP,
				      0x0a,
				      ACPI_BUILD_S5_SLP_TYP,
				      0,
				      0 };
	const uint8_t *r = m->b + in->rsdp_gpa, *x, *rs, *f, *d, *fa, *ma;
	uint32_t xl, rl, fl, dl, ml;

	/* RSDP (5.2.5.3). */
	CU_ASSERT_EQUAL(in->rsdp_gpa & 15, 0);
	CU_ASSERT(memcmp(r, "RSD PTR ", 8) == 0);
	CU_ASSERT_EQUAL(sum(r, 20), 0);
	CU_ASSERT_EQUAL(sum(r, 36), 0);
	CU_ASSERT_EQUAL(r[15], 2);
	CU_ASSERT_EQUAL(rd32(r + 20), 36);
	CU_ASSERT(memcmp(r, in->rsdp, 36) == 0);
	CU_ASSERT_EQUAL(rd64(r + 24), in->xsdt_gpa);
	CU_ASSERT_EQUAL(rd32(r + 16), in->rsdt_gpa);

	/* XSDT and RSDT: FADT, MADT. */
	x = table(m, rd64(r + 24), "XSDT", &xl);
	CU_ASSERT_EQUAL(xl, 36 + 16);
	CU_ASSERT_EQUAL(rd64(x + 36), in->fadt_gpa);
	CU_ASSERT_EQUAL(rd64(x + 44), in->madt_gpa);
	rs = table(m, rd32(r + 16), "RSDT", &rl);
	CU_ASSERT_EQUAL(rl, 36 + 8);
	CU_ASSERT_EQUAL(rd32(rs + 36), in->fadt_gpa);
	CU_ASSERT_EQUAL(rd32(rs + 40), in->madt_gpa);

	/* FADT (5.2.9). */
	f = table(m, rd64(x + 36), "FACP", &fl);
	CU_ASSERT_EQUAL(fl, 276);
	CU_ASSERT_EQUAL(f[8], 6);
	CU_ASSERT_EQUAL(f[131], 3);
	CU_ASSERT_EQUAL(rd32(f + 40), rd64(f + 140));
	CU_ASSERT_EQUAL(rd64(f + 132), 0); /* X_FIRMWARE_CTRL: FACS < 4G */
	CU_ASSERT_EQUAL(rd16(f + 46), ACPI_BUILD_SCI_IRQ);
	CU_ASSERT_EQUAL(rd32(f + 48), 0); /* no SMI_CMD */
	CU_ASSERT_EQUAL(rd32(f + 56), ACPI_BUILD_PM1A_EVT_BLK);
	CU_ASSERT_EQUAL(rd32(f + 64), ACPI_BUILD_PM1A_CNT_BLK);
	CU_ASSERT_EQUAL(rd32(f + 76), ACPI_BUILD_PM_TMR_BLK);
	CU_ASSERT_EQUAL(rd32(f + 80), 0); /* no GPE0 */
	CU_ASSERT_EQUAL(f[88], 4);
	CU_ASSERT_EQUAL(f[89], 2);
	CU_ASSERT_EQUAL(f[91], 4);
	CU_ASSERT_EQUAL(rd16(f + 109) & 0x2, 0); /* no 8042 */
	CU_ASSERT_EQUAL(rd16(f + 109) & 0x4, 0x4); /* no VGA */
	CU_ASSERT_EQUAL(rd32(f + 112) & (1u << 8), 1u << 8); /* TMR_VAL_EXT */
	CU_ASSERT_EQUAL(rd32(f + 112) & (1u << 10), 1u << 10); /* RESET_REG */
	CU_ASSERT_EQUAL(rd32(f + 112) & (1u << 20), 0); /* not HW-reduced */
	/* PWR_BUTTON clear: the fixed-feature power button (PWRBTN_STS) is
	 * the one tvctl shutdown presses. */
	CU_ASSERT_EQUAL(rd32(f + 112) & (1u << 4), 0);
	check_gas(f + 116, 8, 1, ACPI_BUILD_RESET_PORT);
	CU_ASSERT_EQUAL(f[128], ACPI_BUILD_RESET_VALUE);
	check_gas(f + 148, 32, 2, ACPI_BUILD_PM1A_EVT_BLK);
	check_gas(f + 172, 16, 2, ACPI_BUILD_PM1A_CNT_BLK);
	check_gas(f + 208, 32, 3, ACPI_BUILD_PM_TMR_BLK);
	CU_ASSERT_EQUAL(rd64(f + 160 + 4), 0); /* no PM1b */
	CU_ASSERT(memcmp(f + 268, "trivisor", 8) == 0);

	/* DSDT with \_S5_, FACS. */
	d = table(m, rd64(f + 140), "DSDT", &dl);
	CU_ASSERT_EQUAL(rd64(f + 140), in->dsdt_gpa);
	CU_ASSERT_EQUAL(dl, 36 + sizeof(s5));
	CU_ASSERT_EQUAL(d[8], 2);
	CU_ASSERT(memcmp(d + 36, s5, sizeof(s5)) == 0);
	fa = m->b + rd32(f + 36);
	CU_ASSERT_EQUAL(rd32(f + 36), in->facs_gpa);
	CU_ASSERT_EQUAL(in->facs_gpa & 63, 0);
	CU_ASSERT(memcmp(fa, "FACS", 4) == 0);
	CU_ASSERT_EQUAL(rd32(fa + 4), 64);
	CU_ASSERT_EQUAL(fa[32], 2);

	/* MADT (5.2.12). */
	ma = table(m, rd64(x + 44), "APIC", &ml);
	check_madt(ma, ml, nr_cpus);
}

static void test_default(void)
{
	struct acpi_build_config cfg;
	struct acpi_build_info in;
	struct mem *m = mem_new();

	acpi_build_default_config(&cfg, 2);
	CU_ASSERT_EQUAL(cfg.rsdp_gpa, 0xe0000);
	CU_ASSERT_EQUAL(cfg.lapic_addr, 0xfee00000);
	CU_ASSERT_EQUAL(cfg.ioapic_addr, 0xfec00000);
	CU_ASSERT_EQUAL_FATAL(acpi_build_tables(&mem_ops, m, &cfg, &in), 0);
	CU_ASSERT_EQUAL(in.rsdp_gpa, 0xe0000);
	CU_ASSERT(in.tables_end <= 0x100000);
	CU_ASSERT_EQUAL(acpi_build_tables_size(&cfg),
			in.tables_end - cfg.tables_gpa);
	check_all(m, &in, 2);
	/* Nothing written past the end. */
	CU_ASSERT_EQUAL(m->b[in.tables_end], 0xcc);
	CU_ASSERT_EQUAL(acpi_build_tables(&mem_ops, m, &cfg, NULL), 0);
	mem_free(m);
}

static void test_cpu_counts(void)
{
	static const uint32_t n[] = { 1, 3, 64, 255 };
	struct acpi_build_config cfg;
	struct acpi_build_info in;
	struct mem *m = mem_new();
	size_t i;

	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		acpi_build_default_config(&cfg, n[i]);
		CU_ASSERT_EQUAL_FATAL(acpi_build_tables(&mem_ops, m, &cfg, &in),
				      0);
		check_all(m, &in, n[i]);
	}
	acpi_build_default_config(&cfg, 0);
	CU_ASSERT_EQUAL(acpi_build_tables(&mem_ops, m, &cfg, &in), -VMI_EINVAL);
	acpi_build_default_config(&cfg, 256);
	CU_ASSERT_EQUAL(acpi_build_tables(&mem_ops, m, &cfg, &in), -VMI_EINVAL);
	mem_free(m);
}

/* Other placements and the MADT knobs. */
static void test_placement(void)
{
	struct acpi_build_config cfg;
	struct acpi_build_info in;
	struct mem *m = mem_new();

	acpi_build_default_config(&cfg, 4);
	cfg.rsdp_gpa = 0xf0010;
	cfg.tables_gpa = 0x9f008; /* FACS rounds up to 64 */
	cfg.tables_size = 0x1000 - 8;
	cfg.pcat_compat = true;
	CU_ASSERT_EQUAL_FATAL(acpi_build_tables(&mem_ops, m, &cfg, &in), 0);
	CU_ASSERT_EQUAL(in.facs_gpa, 0x9f040);
	CU_ASSERT_EQUAL(rd32(m->b + in.madt_gpa + 40), 1);
	CU_ASSERT_EQUAL(in.rsdp_gpa, 0xf0010);
	/* The RSDP is the one thing written in the BIOS area. */
	CU_ASSERT_EQUAL(m->b[0xf0000], 0xcc);
	CU_ASSERT_EQUAL(m->b[0xf0010 + 36], 0xcc);
	mem_free(m);
}

static void test_bad_config(void)
{
	struct acpi_build_config cfg;
	struct mem *m = mem_new();

	acpi_build_default_config(&cfg, 2);
	CU_ASSERT_EQUAL(acpi_build_tables(NULL, m, &cfg, NULL), -VMI_EINVAL);
	CU_ASSERT_EQUAL(acpi_build_tables(&mem_ops, m, NULL, NULL),
			-VMI_EINVAL);
	cfg.rsdp_gpa = 0xe0008; /* not 16-aligned */
	CU_ASSERT_EQUAL(acpi_build_tables(&mem_ops, m, &cfg, NULL),
			-VMI_EINVAL);
	cfg.rsdp_gpa = 0xd0000; /* below the scanned area */
	CU_ASSERT_EQUAL(acpi_build_tables(&mem_ops, m, &cfg, NULL),
			-VMI_EINVAL);
	cfg.rsdp_gpa = 0xffff0; /* runs past 1 MiB */
	CU_ASSERT_EQUAL(acpi_build_tables(&mem_ops, m, &cfg, NULL),
			-VMI_EINVAL);
	cfg.rsdp_gpa = 0xfffd0;
	CU_ASSERT_EQUAL(acpi_build_tables(&mem_ops, m, &cfg, NULL), 0);
	cfg.rsdp_gpa = 0xe0100; /* inside the tables */
	CU_ASSERT_EQUAL(acpi_build_tables(&mem_ops, m, &cfg, NULL),
			-VMI_EINVAL);
	cfg.rsdp_gpa = 0xe0000;
	cfg.tables_size = acpi_build_tables_size(&cfg) - 1;
	CU_ASSERT_EQUAL(acpi_build_tables(&mem_ops, m, &cfg, NULL),
			-VMI_ENOSPC);
	cfg.tables_size = acpi_build_tables_size(&cfg);
	CU_ASSERT_EQUAL(acpi_build_tables(&mem_ops, m, &cfg, NULL), 0);
	cfg.tables_gpa = 0xfffff000; /* would cross 4 GiB */
	cfg.tables_size = 0x10000;
	CU_ASSERT_EQUAL(acpi_build_tables(&mem_ops, m, &cfg, NULL),
			-VMI_EINVAL);
	cfg.tables_gpa = 0xfffff800;
	CU_ASSERT_EQUAL(acpi_build_tables(&mem_ops, m, &cfg, NULL),
			-VMI_EINVAL);
	mem_free(m);
}

static void test_write_faults(void)
{
	struct acpi_build_config cfg;
	struct mem *m = mem_new();
	long n;
	int ret;

	acpi_build_default_config(&cfg, 3);
	for (n = 0;; n++) {
		m->writes = 0;
		m->fail_at = n;
		ret = acpi_build_tables(&mem_ops, m, &cfg, NULL);
		if (!ret)
			break;
		CU_ASSERT_EQUAL(ret, -VMI_EFAULT);
	}
	CU_ASSERT(n >= 7);
	mem_free(m);
}

static int dump(const char *dir, const char *name, const uint8_t *t, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	fwrite(t, 1, len, f);
	fclose(f);
	return 0;
}

/*
 * iasl -d on every table; the disassembly must not report errors or bad
 * checksums.  Optional: skipped where acpica-tools is not installed.
 */
static void test_iasl(void)
{
	static const char *names[] = { "dsdt", "facp", "apic",
				       "xsdt", "rsdt", "facs" };
	struct acpi_build_config cfg;
	struct acpi_build_info in;
	struct mem *m = mem_new();
	char dir[] = "/tmp/acpi-test-XXXXXX", cmd[1024];
	uint64_t gpa[6];
	size_t i;
	int ret;

	if (system("command -v iasl >/dev/null 2>&1") != 0) {
		printf("\n    iasl: skipped (acpica-tools not installed)");
		mem_free(m);
		return;
	}
	acpi_build_default_config(&cfg, 4);
	CU_ASSERT_FATAL(acpi_build_tables(&mem_ops, m, &cfg, &in) == 0);
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	gpa[0] = in.dsdt_gpa;
	gpa[1] = in.fadt_gpa;
	gpa[2] = in.madt_gpa;
	gpa[3] = in.xsdt_gpa;
	gpa[4] = in.rsdt_gpa;
	gpa[5] = in.facs_gpa;
	for (i = 0; i < 6; i++)
		CU_ASSERT(dump(dir, names[i], m->b + gpa[i],
			       rd32(m->b + gpa[i] + 4)) == 0);
	/*
	 * Fail on any error, warning or checksum complaint in the
	 * disassembly (iasl cannot disassemble a lone RSDP), and the DSDT
	 * must compile back from its disassembly.
	 */
	snprintf(cmd, sizeof(cmd),
		 "cd %s && for t in dsdt facp apic xsdt rsdt facs; do "
		 "iasl -d $t.dat >$t.log 2>&1 || exit 1; done; "
		 "! grep -il 'error\\|warning\\|invalid\\|incorrect' "
		 "*.log *.dsl && iasl -p dsdt-rt dsdt.dsl >compile.txt 2>&1",
		 dir);
	ret = system(cmd);
	CU_ASSERT_EQUAL(ret, 0);
	if (ret)
		printf("\n    iasl complained: see %s", dir);
	else {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CU_ASSERT(system(cmd) == 0);
		printf("\n    iasl: disassembled cleanly");
	}
	mem_free(m);
}

void unit_register(void)
{
	CU_pSuite s = CU_add_suite("acpi-build", NULL, NULL);

	CU_add_test(s, "default tables", test_default);
	CU_add_test(s, "CPU counts", test_cpu_counts);
	CU_add_test(s, "placement and flags", test_placement);
	CU_add_test(s, "bad configuration", test_bad_config);
	CU_add_test(s, "guest write faults", test_write_faults);
	CU_add_test(s, "iasl -d (optional)", test_iasl);
}

UNIT_MAIN
