/*
 * Reading the platform's ACPI tables (ACPI 6.5, 5.2): RSDP → XSDT (or RSDT
 * for revision 0) → MADT ("APIC", 5.2.12).  Every table's length is
 * bounded and its checksum verified before it is used.
 */
#include <trivisor/acpi.h>
#include <trivisor/bootinfo.h>
#include <trivisor/layout.h>
#include <trivisor/log.h>
#include <vmi/errno.h>
#include <string.h>

struct acpi_rsdp {
	char sig[8];
	uint8_t checksum;
	char oem[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t xchecksum;
	uint8_t reserved[3];
} __attribute__((packed));

struct acpi_header {
	char sig[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem[6];
	char oem_table[8];
	uint32_t oem_rev;
	uint32_t creator;
	uint32_t creator_rev;
} __attribute__((packed));

#define ACPI_TABLE_MAX (1u << 20)

struct acpi_madt_info acpi_madt;

static uint8_t sum(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	for (uint32_t i = 0; i < len; i++)
		s += b[i];
	return s;
}

/* Map a table and check it: NULL with a log line if it is unusable. */
static const struct acpi_header *table_at(uint64_t pa, const char *want)
{
	const struct acpi_header *h;

	if (!pa || pa >= (1ul << 32) * 4) {
		log_warn("ACPI: table %s at bad address %#lx", want, pa);
		return NULL;
	}
	h = pa_to_va(pa);
	if (h->length < sizeof(*h) || h->length > ACPI_TABLE_MAX) {
		log_warn("ACPI: table %.4s has bad length %u", h->sig, h->length);
		return NULL;
	}
	if (sum(h, h->length)) {
		log_warn("ACPI: table %.4s has a bad checksum", h->sig);
		return NULL;
	}
	if (want && memcmp(h->sig, want, 4))
		return NULL;
	return h;
}

static const struct acpi_rsdp *scan_rsdp(uint64_t start, uint64_t end)
{
	for (uint64_t pa = start; pa + 20 <= end; pa += 16) {
		const struct acpi_rsdp *r = pa_to_va(pa);

		if (!memcmp(r->sig, "RSD PTR ", 8) && !sum(r, 20))
			return r;
	}
	return NULL;
}

static const struct acpi_rsdp *find_rsdp(void)
{
	const struct acpi_rsdp *r;
	uint16_t ebda_seg;

	if (boot_info.rsdp_len >= 20) {
		r = (const struct acpi_rsdp *)boot_info.rsdp_copy;
		if (!memcmp(r->sig, "RSD PTR ", 8) && !sum(r, 20))
			return r;
		log_warn("ACPI: RSDP from the boot loader is invalid");
	}
	/* Legacy search (ACPI 6.5, 5.2.5.1): EBDA, then 0xE0000-0xFFFFF. */
	memcpy(&ebda_seg, pa_to_va(0x40e), 2);
	r = scan_rsdp((uint64_t)ebda_seg << 4, ((uint64_t)ebda_seg << 4) + 1024);
	return r ? r : scan_rsdp(0xe0000, 0x100000);
}

static void parse_madt(const struct acpi_header *h)
{
	const uint8_t *p = (const uint8_t *)h + sizeof(*h) + 8;
	const uint8_t *end = (const uint8_t *)h + h->length;
	uint32_t lapic32;

	memcpy(&lapic32, (const uint8_t *)h + sizeof(*h), 4);
	acpi_madt.lapic_pa = lapic32;

	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		uint32_t flags;

		switch (p[0]) {
		case 0: /* Processor Local APIC */
			if (p[1] < 8)
				break;
			memcpy(&flags, p + 4, 4);
			/* Enabled (bit 0) or online capable (bit 1). */
			if ((flags & 3) && acpi_madt.nr_cpus < 64)
				acpi_madt.apic_ids[acpi_madt.nr_cpus++] = p[3];
			break;
		case 9: /* Processor Local x2APIC */
			if (p[1] < 16)
				break;
			memcpy(&flags, p + 8, 4);
			if ((flags & 3) && acpi_madt.nr_cpus < 64)
				memcpy(&acpi_madt.apic_ids[acpi_madt.nr_cpus++],
				       p + 4, 4);
			break;
		case 1: /* I/O APIC */
			if (p[1] < 12 || acpi_madt.nr_ioapics >= ACPI_MAX_IOAPICS)
				break;
			acpi_madt.ioapics[acpi_madt.nr_ioapics].id = p[2];
			memcpy(&acpi_madt.ioapics[acpi_madt.nr_ioapics].pa, p + 4,
			       4);
			memcpy(&acpi_madt.ioapics[acpi_madt.nr_ioapics].gsi_base,
			       p + 8, 4);
			acpi_madt.nr_ioapics++;
			break;
		case 5: /* Local APIC address override */
			if (p[1] >= 12)
				memcpy(&acpi_madt.lapic_pa, p + 4, 8);
			break;
		default:
			break;
		}
		p += p[1];
	}
}

int acpi_init(void)
{
	const struct acpi_rsdp *rsdp = find_rsdp();
	const struct acpi_header *root, *madt = NULL;
	bool xsdt;
	unsigned int n, entry_size;

	if (!rsdp) {
		log_err("ACPI: no RSDP found");
		return -VMI_ENOENT;
	}
	xsdt = rsdp->revision >= 2 && rsdp->xsdt;
	root = table_at(xsdt ? rsdp->xsdt : rsdp->rsdt, xsdt ? "XSDT" : "RSDT");
	if (!root) {
		log_err("ACPI: no usable %s", xsdt ? "XSDT" : "RSDT");
		return -VMI_EINVAL;
	}
	log_info("ACPI: RSDP rev %u, %s at %#lx, OEM \"%.6s\"", rsdp->revision,
		 xsdt ? "XSDT" : "RSDT", xsdt ? rsdp->xsdt : rsdp->rsdt,
		 rsdp->oem);

	entry_size = xsdt ? 8 : 4;
	n = (root->length - sizeof(*root)) / entry_size;
	for (unsigned int i = 0; i < n && !madt; i++) {
		uint64_t pa = 0;

		memcpy(&pa, (const uint8_t *)root + sizeof(*root) + i * entry_size,
		       entry_size);
		madt = table_at(pa, "APIC");
	}
	if (!madt) {
		log_err("ACPI: no MADT: cannot find the other CPUs");
		return -VMI_ENOENT;
	}
	parse_madt(madt);
	log_info("ACPI: MADT lists %u CPU(s), %u I/O APIC(s), LAPIC at %#lx",
		 acpi_madt.nr_cpus, acpi_madt.nr_ioapics, acpi_madt.lapic_pa);
	for (unsigned int i = 0; i < acpi_madt.nr_ioapics; i++)
		log_info("ACPI: I/O APIC id %u at %#x, GSI base %u",
			 acpi_madt.ioapics[i].id, acpi_madt.ioapics[i].pa,
			 acpi_madt.ioapics[i].gsi_base);
	return 0;
}
