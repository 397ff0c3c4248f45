/*
 * hvm/acpi-build.h - the ACPI tables an hv guest boots with.
 *
 * acpi_build_tables() writes, through struct guest_mem_ops, a minimal but
 * complete ACPI 6.3 table set describing the virtual platform:
 *
 *   RSDP (rev 2) -> XSDT / RSDT -> FADT (rev 6) -> DSDT, FACS
 *                               -> MADT (LAPICs, IOAPIC, overrides, NMI)
 *
 * The DSDT holds only the \_S5_ sleep package (enough for Linux's
 * poweroff); no PCI bus is described yet.  There is no SMI_CMD port: the
 * platform is always in ACPI mode, so the virtual PM device must read back
 * SCI_EN = 1 in PM1a_CNT (ACPI 6.3, 4.8.2.5 and 5.2.9).
 *
 * The constants below are the contract with the virtual PM device and the
 * interrupt controllers: they must use the same ports and numbers.
 *
 * Portable: builds freestanding in the hypervisor and on the host.
 */
#ifndef HVM_ACPI_BUILD_H
#define HVM_ACPI_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hvm/loader.h>

/* Fixed-hardware I/O ports (FADT PM1a_EVT_BLK, PM1a_CNT_BLK, PM_TMR_BLK). */
#define ACPI_BUILD_PM1A_EVT_BLK 0x600 /* PM1_STS at +0, PM1_EN at +2 */
#define ACPI_BUILD_PM1A_STS ACPI_BUILD_PM1A_EVT_BLK /* 16 bit */
#define ACPI_BUILD_PM1A_EN (ACPI_BUILD_PM1A_EVT_BLK + 2) /* 16 bit */
#define ACPI_BUILD_PM1A_CNT_BLK 0x604 /* 16 bit */
#define ACPI_BUILD_PM_TMR_BLK 0x608 /* 32 bit, read only */
#define ACPI_BUILD_PM1_EVT_LEN 4
#define ACPI_BUILD_PM1_CNT_LEN 2
#define ACPI_BUILD_PM_TMR_LEN 4
#define ACPI_BUILD_PM_TMR_HZ 3579545 /* ACPI 6.3, 4.8.2.1 */
#define ACPI_BUILD_PM_TMR_MASK 0xffffffffu /* TMR_VAL_EXT: 32 bits */

/* PM1 status bits the device may raise (ACPI 6.3, Table 4-16). */
#define ACPI_BUILD_PM1_STS_TMR (1u << 0)
#define ACPI_BUILD_PM1_STS_WAK (1u << 15)

/* PM1 control register (ACPI 6.3, Table 4-18). */
#define ACPI_BUILD_PM1_CNT_SCI_EN (1u << 0) /* reads as 1: always ACPI */
#define ACPI_BUILD_PM1_CNT_SLP_TYP_SHIFT 10
#define ACPI_BUILD_PM1_CNT_SLP_TYP_MASK (7u << 10)
#define ACPI_BUILD_PM1_CNT_SLP_EN (1u << 13) /* write-only */

/*
 * SLP_TYP for S5 (soft off), as the DSDT's \_S5_ package says: the guest
 * writes (ACPI_BUILD_S5_SLP_TYP << SHIFT) | SLP_EN to PM1a_CNT to power
 * off.
 */
#define ACPI_BUILD_S5_SLP_TYP 5

/* Reset (FADT RESET_REG, ACPI 6.3, 4.8.3.6): write this byte to the port. */
#define ACPI_BUILD_RESET_PORT 0xcf9
#define ACPI_BUILD_RESET_VALUE 0x06 /* SYS_RST | RST_CPU: hard reset */

/* Interrupts. */
#define ACPI_BUILD_SCI_IRQ 9 /* ISA IRQ 9 -> GSI 9, level, active high */
#define ACPI_BUILD_PIT_GSI 2 /* ISA IRQ 0 -> GSI 2, edge, active high */
#define ACPI_BUILD_LAPIC_ADDR 0xfee00000u
#define ACPI_BUILD_IOAPIC_ADDR 0xfec00000u
#define ACPI_BUILD_MAX_CPUS 255 /* xAPIC IDs 0..254 (0xff is broadcast) */

/* Default placement: the RSDP where a legacy scan finds it (ACPI 6.3,
 * 5.2.5.1), the other tables right after it in the reserved BIOS area. */
#define ACPI_BUILD_RSDP_GPA 0xe0000ull
#define ACPI_BUILD_TABLES_GPA 0xe0040ull
#define ACPI_BUILD_AREA_END 0x100000ull

/* Table sizes, for callers that reserve room. */
#define ACPI_BUILD_RSDP_LEN 36
#define ACPI_BUILD_FADT_LEN 276
#define ACPI_BUILD_FACS_LEN 64

/*
 * What to describe.  IN fields; acpi_build_default_config() fills the
 * standard platform.
 */
struct acpi_build_config {
	uint32_t nr_cpus; /* 1..ACPI_BUILD_MAX_CPUS; APIC IDs 0..n-1 */
	uint32_t lapic_addr; /* MADT local APIC address */
	uint32_t ioapic_addr;
	uint32_t ioapic_gsi_base;
	uint8_t ioapic_id;
	bool pcat_compat; /* MADT PCAT_COMPAT: a dual 8259 is emulated */
	uint64_t rsdp_gpa; /* 16-aligned, inside 0xE0000-0xFFFFF */
	uint64_t tables_gpa; /* the other tables, below 4 GiB */
	uint64_t tables_size; /* room at tables_gpa */
};

/* Where everything went (OUT). */
struct acpi_build_info {
	uint64_t rsdp_gpa;
	uint64_t xsdt_gpa, rsdt_gpa, fadt_gpa, madt_gpa, dsdt_gpa, facs_gpa;
	uint64_t tables_end; /* first byte after the last table */
	uint8_t rsdp[ACPI_BUILD_RSDP_LEN]; /* copy, for multiboot2 tags */
};

/* Standard platform: the defaults above, nr_cpus CPUs, IOAPIC id 0,
 * no 8259. */
void acpi_build_default_config(struct acpi_build_config *cfg, uint32_t nr_cpus);

/* Bytes of table space (from tables_gpa) a config needs. */
uint64_t acpi_build_tables_size(const struct acpi_build_config *cfg);

/*
 * Write the tables.  Returns 0, -VMI_EINVAL (bad config: CPU count, RSDP
 * address or alignment, tables above 4 GiB or over the RSDP),
 * -VMI_ENOSPC (tables_size too small) or the error of ops->write.  info
 * may be NULL.
 */
int acpi_build_tables(const struct guest_mem_ops *ops, void *ctx,
		      const struct acpi_build_config *cfg,
		      struct acpi_build_info *info);

#endif /* HVM_ACPI_BUILD_H */
