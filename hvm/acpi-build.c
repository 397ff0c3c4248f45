/*
 * acpi-build.c - build the guest's ACPI tables (ACPI 6.3 specification,
 * chapter 5.2 "ACPI System Description Tables").
 *
 * Fixed-size tables are assembled in small buffers on the stack and written
 * once; the MADT, whose size depends on the CPU count, is streamed entry by
 * entry with a running checksum and its header written last.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <hvm/acpi-build.h>
#include <vmi/errno.h>

#define ACPI_OEM_ID "TRIVSR" /* 6 bytes */
#define ACPI_OEM_TABLE_ID "TRIVISOR" /* 8 bytes */
#define ACPI_OEM_REVISION 1
#define ACPI_CREATOR_ID "TRIV"
#define ACPI_CREATOR_REVISION 1

/* System description table header (5.2.6, Table 5-29). */
#define HDR_SIGNATURE 0
#define HDR_LENGTH 4
#define HDR_REVISION 8
#define HDR_CHECKSUM 9
#define HDR_OEM_ID 10
#define HDR_OEM_TABLE_ID 16
#define HDR_OEM_REVISION 24
#define HDR_CREATOR_ID 28
#define HDR_CREATOR_REVISION 32
#define HDR_LEN 36

/* RSDP (5.2.5.3, Table 5-27). */
#define RSDP_CHECKSUM 8
#define RSDP_OEM_ID 9
#define RSDP_REVISION 15
#define RSDP_RSDT 16
#define RSDP_LENGTH 20
#define RSDP_XSDT 24
#define RSDP_EXT_CHECKSUM 32
#define RSDP_V1_LEN 20

/* FADT (5.2.9, Table 5-34), revision 6. */
#define FADT_REVISION 6
#define FADT_MINOR_REVISION 3
#define FADT_FIRMWARE_CTRL 36
#define FADT_DSDT 40
#define FADT_PM_PROFILE 45
#define FADT_SCI_INT 46
#define FADT_SMI_CMD 48
#define FADT_PM1A_EVT_BLK 56
#define FADT_PM1A_CNT_BLK 64
#define FADT_PM_TMR_BLK 76
#define FADT_PM1_EVT_LEN 88
#define FADT_PM1_CNT_LEN 89
#define FADT_PM_TMR_LEN 91
#define FADT_P_LVL2_LAT 96
#define FADT_P_LVL3_LAT 98
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_MINOR_VERSION 131
#define FADT_X_FIRMWARE_CTRL 132
#define FADT_X_DSDT 140
#define FADT_X_PM1A_EVT_BLK 148
#define FADT_X_PM1A_CNT_BLK 172
#define FADT_X_PM_TMR_BLK 208
#define FADT_HYPERVISOR_ID 268
#define GAS_LEN 12

_Static_assert(FADT_X_DSDT == FADT_X_FIRMWARE_CTRL + 8, "FADT X_DSDT");
_Static_assert(FADT_X_PM1A_CNT_BLK == FADT_X_PM1A_EVT_BLK + 2 * GAS_LEN,
	       "FADT X_PM1a_CNT_BLK");
_Static_assert(FADT_X_PM_TMR_BLK == FADT_X_PM1A_CNT_BLK + 3 * GAS_LEN,
	       "FADT X_PM_TMR_BLK");
_Static_assert(FADT_HYPERVISOR_ID == FADT_X_PM_TMR_BLK + 5 * GAS_LEN,
	       "FADT hypervisor vendor identity");
_Static_assert(FADT_HYPERVISOR_ID + 8 == ACPI_BUILD_FADT_LEN, "FADT length");
_Static_assert(FADT_RESET_VALUE == FADT_RESET_REG + GAS_LEN, "RESET_VALUE");

/* IAPC_BOOT_ARCH (Table 5-35): ISA devices (UART, RTC, PIT), no VGA; no
 * 8042 bit, so Linux does not probe a keyboard controller. */
#define IAPC_LEGACY_DEVICES (1u << 0)
#define IAPC_VGA_NOT_PRESENT (1u << 2)

/* FADT flags (Table 5-35). */
#define FADT_F_WBINVD (1u << 0)
#define FADT_F_PROC_C1 (1u << 2)
/* PWR_BUTTON set would mean "the power button is a control-method device,
 * or there is none".  It stays clear: the power button is the fixed-feature
 * one, PWRBTN_STS/PWRBTN_EN in PM1 (4.8.3.1.1), which vpm_power_button()
 * raises and Linux binds as LNXPWRBN; with the bit set Linux never looks
 * at PWRBTN_STS and `tvctl shutdown` does nothing. */
#define FADT_F_PWR_BUTTON (1u << 4)
#define FADT_F_SLP_BUTTON (1u << 5) /* no fixed-feature sleep button */
#define FADT_F_FIX_RTC (1u << 6) /* no RTC_STS in PM1 */
#define FADT_F_TMR_VAL_EXT (1u << 8) /* 32-bit PM timer */
#define FADT_F_RESET_REG_SUP (1u << 10)

/* Generic address structure (5.2.3.2). */
#define GAS_SYSTEM_IO 1
#define GAS_ACCESS_BYTE 1
#define GAS_ACCESS_WORD 2
#define GAS_ACCESS_DWORD 3

/* FACS (5.2.10, Table 5-37). */
#define FACS_LENGTH 4
#define FACS_VERSION 32
#define FACS_VERSION_VALUE 2
#define FACS_ALIGN 64

/* MADT (5.2.12, Table 5-43 and following). */
#define MADT_REVISION 5
#define MADT_LAPIC_ADDR 36
#define MADT_FLAGS 40
#define MADT_HDR_LEN 44
#define MADT_PCAT_COMPAT (1u << 0)
#define MADT_TYPE_LAPIC 0
#define MADT_TYPE_IOAPIC 1
#define MADT_TYPE_ISO 2
#define MADT_TYPE_LAPIC_NMI 4
#define MADT_LAPIC_LEN 8
#define MADT_IOAPIC_LEN 12
#define MADT_ISO_LEN 10
#define MADT_LAPIC_NMI_LEN 6
#define MADT_LAPIC_ENABLED (1u << 0)
/* MPS INTI flags (Table 5-50). */
#define MPS_POLARITY_HIGH 0x1
#define MPS_TRIGGER_EDGE (0x1 << 2)
#define MPS_TRIGGER_LEVEL (0x3 << 2)
#define MADT_ALL_PROCESSORS 0xff

#define XSDT_REVISION 1
#define RSDT_REVISION 1
#define DSDT_REVISION 2 /* 64-bit AML integers */

#define TABLE_ALIGN 16

/*
 * DSDT body: Name (\_S5_, Package (4) { SLP_TYP, SLP_TYP, 0, 0 }) in AML
 * (ACPI 6.3, 20.2.5.1 NameOp, 20.2.5.4 PackageOp, 20.2.3 ByteConst,
 * 20.2.4 PkgLength; 7.4.2 for the \_Sx objects).  SLP_TYPb repeats SLP_TYPa
 * though there is no PM1b block.
 */
_Static_assert(ACPI_BUILD_S5_SLP_TYP > 1 && ACPI_BUILD_S5_SLP_TYP <= 7,
	       "SLP_TYP is 3 bits and encoded as a ByteConst");
/* clang-format off */
static const uint8_t dsdt_aml[] = {
	0x08, /* NameOp */
	'\\', '_', 'S', '5', '_', /* RootChar NameSeg */
	0x12, /* PackageOp */
	0x08, /* PkgLength: itself and the 7 bytes that follow */
	0x04, /* NumElements */
	0x0a, ACPI_BUILD_S5_SLP_TYP, /* BytePrefix SLP_TYPa */
	0x0a, ACPI_BUILD_S5_SLP_TYP, /* BytePrefix SLP_TYPb */
	0x00, /* ZeroOp (reserved) */
	0x00, /* ZeroOp (reserved) */
};
/* clang-format on */

#define DSDT_LEN (HDR_LEN + sizeof(dsdt_aml))
#define XSDT_LEN (HDR_LEN + 2 * 8)
#define RSDT_LEN (HDR_LEN + 2 * 4)

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* Header with a zero checksum; the caller fixes it up (5.2.6). */
static void put_header(uint8_t *p, const char *sig, uint32_t len, uint8_t rev)
{
	memset(p, 0, HDR_LEN);
	memcpy(p + HDR_SIGNATURE, sig, 4);
	put32(p + HDR_LENGTH, len);
	p[HDR_REVISION] = rev;
	memcpy(p + HDR_OEM_ID, ACPI_OEM_ID, 6);
	memcpy(p + HDR_OEM_TABLE_ID, ACPI_OEM_TABLE_ID, 8);
	put32(p + HDR_OEM_REVISION, ACPI_OEM_REVISION);
	memcpy(p + HDR_CREATOR_ID, ACPI_CREATOR_ID, 4);
	put32(p + HDR_CREATOR_REVISION, ACPI_CREATOR_REVISION);
}

/* 5.2.3.2: an I/O port register of bits wide, accessed access units. */
static void put_gas_io(uint8_t *p, uint8_t bits, uint8_t access, uint16_t port)
{
	p[0] = GAS_SYSTEM_IO;
	p[1] = bits;
	p[2] = 0;
	p[3] = access;
	put64(p + 4, port);
}

struct acpi_out {
	const struct guest_mem_ops *ops;
	void *ctx;
};

/* Checksum a whole table in buf and write it. */
static int write_table(const struct acpi_out *o, uint64_t gpa, uint8_t *buf,
		       size_t len)
{
	buf[HDR_CHECKSUM] = 0;
	buf[HDR_CHECKSUM] = (uint8_t)(0 - sum8(buf, len));
	return o->ops->write(o->ctx, gpa, buf, len);
}

static int build_facs(const struct acpi_out *o, uint64_t gpa)
{
	uint8_t t[ACPI_BUILD_FACS_LEN];

	/* No checksum: the FACS lives in read/write memory (5.2.10). */
	memset(t, 0, sizeof(t));
	memcpy(t, "FACS", 4);
	put32(t + FACS_LENGTH, sizeof(t));
	t[FACS_VERSION] = FACS_VERSION_VALUE;
	return o->ops->write(o->ctx, gpa, t, sizeof(t));
}

static int build_dsdt(const struct acpi_out *o, uint64_t gpa)
{
	uint8_t t[DSDT_LEN];

	put_header(t, "DSDT", DSDT_LEN, DSDT_REVISION);
	memcpy(t + HDR_LEN, dsdt_aml, sizeof(dsdt_aml));
	return write_table(o, gpa, t, sizeof(t));
}

static int build_fadt(const struct acpi_out *o, uint64_t gpa, uint64_t dsdt,
		      uint64_t facs)
{
	uint8_t t[ACPI_BUILD_FADT_LEN];

	memset(t, 0, sizeof(t));
	put_header(t, "FACP", sizeof(t), FADT_REVISION);
	put32(t + FADT_FIRMWARE_CTRL, (uint32_t)facs);
	put32(t + FADT_DSDT, (uint32_t)dsdt);
	t[FADT_PM_PROFILE] = 0; /* unspecified */
	put16(t + FADT_SCI_INT, ACPI_BUILD_SCI_IRQ);
	/* SMI_CMD = 0: no transition, the platform is always in ACPI mode. */
	put32(t + FADT_SMI_CMD, 0);
	put32(t + FADT_PM1A_EVT_BLK, ACPI_BUILD_PM1A_EVT_BLK);
	put32(t + FADT_PM1A_CNT_BLK, ACPI_BUILD_PM1A_CNT_BLK);
	put32(t + FADT_PM_TMR_BLK, ACPI_BUILD_PM_TMR_BLK);
	t[FADT_PM1_EVT_LEN] = ACPI_BUILD_PM1_EVT_LEN;
	t[FADT_PM1_CNT_LEN] = ACPI_BUILD_PM1_CNT_LEN;
	t[FADT_PM_TMR_LEN] = ACPI_BUILD_PM_TMR_LEN;
	/* > 100 and > 1000 us: C2 and C3 not supported (Table 5-34). */
	put16(t + FADT_P_LVL2_LAT, 101);
	put16(t + FADT_P_LVL3_LAT, 1001);
	put16(t + FADT_IAPC_BOOT_ARCH,
	      IAPC_LEGACY_DEVICES | IAPC_VGA_NOT_PRESENT);
	put32(t + FADT_FLAGS, FADT_F_WBINVD | FADT_F_PROC_C1 |
				      FADT_F_SLP_BUTTON | FADT_F_FIX_RTC |
				      FADT_F_TMR_VAL_EXT | FADT_F_RESET_REG_SUP);
	put_gas_io(t + FADT_RESET_REG, 8, GAS_ACCESS_BYTE,
		   ACPI_BUILD_RESET_PORT);
	t[FADT_RESET_VALUE] = ACPI_BUILD_RESET_VALUE;
	t[FADT_MINOR_VERSION] = FADT_MINOR_REVISION;
	/*
	 * The FACS is below 4 GiB: FIRMWARE_CTRL alone names it and
	 * X_FIRMWARE_CTRL stays 0 (Table 5-34 lets either be used; with
	 * both set ACPICA installs the FACS twice).  X_DSDT repeats DSDT,
	 * which ACPICA accepts when the two agree.
	 */
	put64(t + FADT_X_FIRMWARE_CTRL, 0);
	put64(t + FADT_X_DSDT, dsdt);
	put_gas_io(t + FADT_X_PM1A_EVT_BLK, ACPI_BUILD_PM1_EVT_LEN * 8,
		   GAS_ACCESS_WORD, ACPI_BUILD_PM1A_EVT_BLK);
	put_gas_io(t + FADT_X_PM1A_CNT_BLK, ACPI_BUILD_PM1_CNT_LEN * 8,
		   GAS_ACCESS_WORD, ACPI_BUILD_PM1A_CNT_BLK);
	put_gas_io(t + FADT_X_PM_TMR_BLK, ACPI_BUILD_PM_TMR_LEN * 8,
		   GAS_ACCESS_DWORD, ACPI_BUILD_PM_TMR_BLK);
	memcpy(t + FADT_HYPERVISOR_ID, "trivisor", 8);
	return write_table(o, gpa, t, sizeof(t));
}

static uint32_t madt_len(uint32_t nr_cpus)
{
	return MADT_HDR_LEN + MADT_LAPIC_LEN * nr_cpus + MADT_IOAPIC_LEN +
	       2 * MADT_ISO_LEN + MADT_LAPIC_NMI_LEN;
}

/* Streams MADT entries after the header, summing as it goes. */
struct madt_writer {
	const struct acpi_out *o;
	uint64_t gpa;
	uint8_t sum;
	int err;
};

static void madt_entry(struct madt_writer *w, const uint8_t *e, size_t len)
{
	if (w->err)
		return;
	w->sum = (uint8_t)(w->sum + sum8(e, len));
	w->err = w->o->ops->write(w->o->ctx, w->gpa, e, len);
	w->gpa += len;
}

/* 5.2.12.5 Interrupt Source Override, ISA bus. */
static void madt_iso(struct madt_writer *w, uint8_t irq, uint32_t gsi,
		     uint16_t flags)
{
	uint8_t e[MADT_ISO_LEN] = { MADT_TYPE_ISO, MADT_ISO_LEN, 0, irq };

	put32(e + 4, gsi);
	put16(e + 8, flags);
	madt_entry(w, e, sizeof(e));
}

static int build_madt(const struct acpi_out *o, uint64_t gpa,
		      const struct acpi_build_config *cfg)
{
	struct madt_writer w = { o, gpa + MADT_HDR_LEN, 0, 0 };
	uint8_t h[MADT_HDR_LEN], e[MADT_IOAPIC_LEN];
	uint32_t i;

	/* 5.2.12.2 Processor Local APIC: UID i, APIC ID i, enabled. */
	for (i = 0; i < cfg->nr_cpus; i++) {
		memset(e, 0, sizeof(e));
		e[0] = MADT_TYPE_LAPIC;
		e[1] = MADT_LAPIC_LEN;
		e[2] = (uint8_t)i;
		e[3] = (uint8_t)i;
		put32(e + 4, MADT_LAPIC_ENABLED);
		madt_entry(&w, e, MADT_LAPIC_LEN);
	}
	/* 5.2.12.3 I/O APIC. */
	memset(e, 0, sizeof(e));
	e[0] = MADT_TYPE_IOAPIC;
	e[1] = MADT_IOAPIC_LEN;
	e[2] = cfg->ioapic_id;
	put32(e + 4, cfg->ioapic_addr);
	put32(e + 8, cfg->ioapic_gsi_base);
	madt_entry(&w, e, MADT_IOAPIC_LEN);
	/* The PIT is wired to pin 2; the SCI is level, active high (5.2.12.5:
	 * an SCI not conforming to ISA needs an override). */
	madt_iso(&w, 0, cfg->ioapic_gsi_base + ACPI_BUILD_PIT_GSI,
		 MPS_POLARITY_HIGH | MPS_TRIGGER_EDGE);
	madt_iso(&w, ACPI_BUILD_SCI_IRQ,
		 cfg->ioapic_gsi_base + ACPI_BUILD_SCI_IRQ,
		 MPS_POLARITY_HIGH | MPS_TRIGGER_LEVEL);
	/* 5.2.12.7 Local APIC NMI: LINT1 of every processor. */
	memset(e, 0, sizeof(e));
	e[0] = MADT_TYPE_LAPIC_NMI;
	e[1] = MADT_LAPIC_NMI_LEN;
	e[2] = MADT_ALL_PROCESSORS;
	put16(e + 3, 0); /* flags: conforms to the bus */
	e[5] = 1; /* LINT1 */
	madt_entry(&w, e, MADT_LAPIC_NMI_LEN);
	if (w.err)
		return w.err;

	put_header(h, "APIC", madt_len(cfg->nr_cpus), MADT_REVISION);
	put32(h + MADT_LAPIC_ADDR, cfg->lapic_addr);
	put32(h + MADT_FLAGS, cfg->pcat_compat ? MADT_PCAT_COMPAT : 0);
	h[HDR_CHECKSUM] = (uint8_t)(0 - (uint8_t)(sum8(h, sizeof(h)) + w.sum));
	return o->ops->write(o->ctx, gpa, h, sizeof(h));
}

/* XSDT (5.2.8) and RSDT (5.2.7): FADT then MADT. */
static int build_xsdt(const struct acpi_out *o, uint64_t gpa, uint64_t fadt,
		      uint64_t madt)
{
	uint8_t t[XSDT_LEN];

	put_header(t, "XSDT", XSDT_LEN, XSDT_REVISION);
	put64(t + HDR_LEN, fadt);
	put64(t + HDR_LEN + 8, madt);
	return write_table(o, gpa, t, sizeof(t));
}

static int build_rsdt(const struct acpi_out *o, uint64_t gpa, uint64_t fadt,
		      uint64_t madt)
{
	uint8_t t[RSDT_LEN];

	put_header(t, "RSDT", RSDT_LEN, RSDT_REVISION);
	put32(t + HDR_LEN, (uint32_t)fadt);
	put32(t + HDR_LEN + 4, (uint32_t)madt);
	return write_table(o, gpa, t, sizeof(t));
}

/* 5.2.5.3: checksum over the first 20 bytes, extended over all 36. */
static void build_rsdp(uint8_t *r, uint64_t rsdt, uint64_t xsdt)
{
	memset(r, 0, ACPI_BUILD_RSDP_LEN);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + RSDP_OEM_ID, ACPI_OEM_ID, 6);
	r[RSDP_REVISION] = 2;
	put32(r + RSDP_RSDT, (uint32_t)rsdt);
	put32(r + RSDP_LENGTH, ACPI_BUILD_RSDP_LEN);
	put64(r + RSDP_XSDT, xsdt);
	r[RSDP_CHECKSUM] = (uint8_t)(0 - sum8(r, RSDP_V1_LEN));
	r[RSDP_EXT_CHECKSUM] = (uint8_t)(0 - sum8(r, ACPI_BUILD_RSDP_LEN));
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Table addresses from tables_gpa on: FACS (64-aligned, 5.2.10) first. */
static void layout(const struct acpi_build_config *cfg,
		   struct acpi_build_info *in)
{
	in->facs_gpa = align_up(cfg->tables_gpa, FACS_ALIGN);
	in->dsdt_gpa =
		align_up(in->facs_gpa + ACPI_BUILD_FACS_LEN, TABLE_ALIGN);
	in->fadt_gpa = align_up(in->dsdt_gpa + DSDT_LEN, TABLE_ALIGN);
	in->madt_gpa =
		align_up(in->fadt_gpa + ACPI_BUILD_FADT_LEN, TABLE_ALIGN);
	in->xsdt_gpa =
		align_up(in->madt_gpa + madt_len(cfg->nr_cpus), TABLE_ALIGN);
	in->rsdt_gpa = align_up(in->xsdt_gpa + XSDT_LEN, TABLE_ALIGN);
	in->tables_end = in->rsdt_gpa + RSDT_LEN;
}

void acpi_build_default_config(struct acpi_build_config *cfg, uint32_t nr_cpus)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nr_cpus = nr_cpus;
	cfg->lapic_addr = ACPI_BUILD_LAPIC_ADDR;
	cfg->ioapic_addr = ACPI_BUILD_IOAPIC_ADDR;
	cfg->ioapic_gsi_base = 0;
	cfg->ioapic_id = 0;
	cfg->pcat_compat = false;
	cfg->rsdp_gpa = ACPI_BUILD_RSDP_GPA;
	cfg->tables_gpa = ACPI_BUILD_TABLES_GPA;
	cfg->tables_size = ACPI_BUILD_AREA_END - ACPI_BUILD_TABLES_GPA;
}

uint64_t acpi_build_tables_size(const struct acpi_build_config *cfg)
{
	struct acpi_build_info in;

	layout(cfg, &in);
	return in.tables_end - cfg->tables_gpa;
}

int acpi_build_tables(const struct guest_mem_ops *ops, void *ctx,
		      const struct acpi_build_config *cfg,
		      struct acpi_build_info *info)
{
	const struct acpi_out o = { ops, ctx };
	struct acpi_build_info in;
	int ret;

	if (!ops || !ops->write || !cfg || cfg->nr_cpus == 0 ||
	    cfg->nr_cpus > ACPI_BUILD_MAX_CPUS)
		return -VMI_EINVAL;
	/* 5.2.5.1: the legacy scan looks at 16-byte boundaries of the BIOS
	 * read-only area 0xE0000-0xFFFFF. */
	if ((cfg->rsdp_gpa & 15) || cfg->rsdp_gpa < 0xe0000 ||
	    cfg->rsdp_gpa > ACPI_BUILD_AREA_END - ACPI_BUILD_RSDP_LEN)
		return -VMI_EINVAL;
	/* RSDT and FADT hold 32-bit pointers: everything below 4 GiB. */
	if (cfg->tables_gpa >= 0xffff0000ull)
		return -VMI_EINVAL;
	memset(&in, 0, sizeof(in));
	layout(cfg, &in);
	if (in.tables_end > 0x100000000ull)
		return -VMI_EINVAL;
	if (in.tables_end - cfg->tables_gpa > cfg->tables_size)
		return -VMI_ENOSPC;
	if (cfg->rsdp_gpa < in.tables_end &&
	    cfg->tables_gpa < cfg->rsdp_gpa + ACPI_BUILD_RSDP_LEN)
		return -VMI_EINVAL;

	ret = build_facs(&o, in.facs_gpa);
	if (!ret)
		ret = build_dsdt(&o, in.dsdt_gpa);
	if (!ret)
		ret = build_fadt(&o, in.fadt_gpa, in.dsdt_gpa, in.facs_gpa);
	if (!ret)
		ret = build_madt(&o, in.madt_gpa, cfg);
	if (!ret)
		ret = build_xsdt(&o, in.xsdt_gpa, in.fadt_gpa, in.madt_gpa);
	if (!ret)
		ret = build_rsdt(&o, in.rsdt_gpa, in.fadt_gpa, in.madt_gpa);
	if (ret)
		return ret;
	in.rsdp_gpa = cfg->rsdp_gpa;
	build_rsdp(in.rsdp, in.rsdt_gpa, in.xsdt_gpa);
	ret = ops->write(ctx, in.rsdp_gpa, in.rsdp, ACPI_BUILD_RSDP_LEN);
	if (ret)
		return ret;
	if (info)
		*info = in;
	return 0;
}
