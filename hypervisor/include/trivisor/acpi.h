/* The machine's ACPI tables: just what the hypervisor needs (the MADT). */
#ifndef TRIVISOR_ACPI_H
#define TRIVISOR_ACPI_H

#include <stdint.h>

#define ACPI_MAX_IOAPICS 8

struct acpi_madt_info {
	uint64_t lapic_pa;
	unsigned int nr_cpus; /* enabled or online-capable */
	uint32_t apic_ids[64];
	unsigned int nr_ioapics;
	struct {
		uint8_t id;
		uint32_t pa;
		uint32_t gsi_base;
	} ioapics[ACPI_MAX_IOAPICS];
};

extern struct acpi_madt_info acpi_madt;

/* Find and parse the MADT; 0 or a negative VMI error (logged). */
int acpi_init(void);

#endif
