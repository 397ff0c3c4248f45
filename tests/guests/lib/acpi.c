/*
 * acpi.c - find the RSDP by the legacy scan and read the MADT.
 *
 * ACPI 6.3, 5.2.5.1: the RSDP sits on a 16-byte boundary in the first KiB
 * of the EBDA or in 0xE0000-0xFFFFF.  The RSDT holds 32-bit table
 * pointers, the XSDT (revision >= 2) 64-bit ones; this 32-bit, unpaged
 * library can only follow pointers below 4 GiB.  MADT (5.2.12): local
 * APICs (type 0), IOAPICs (1), interrupt source overrides (2), x2APICs (9).
 */
#include "guest.h"

struct __attribute__((packed)) rsdp {
	char sig[8];
	uint8_t checksum;
	char oem[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum;
	uint8_t reserved[3];
};

struct __attribute__((packed)) sdt_header {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
};

struct __attribute__((packed)) madt {
	struct sdt_header h;
	uint32_t lapic_addr;
	uint32_t flags;
};

#define MADT_PCAT_COMPAT 1u
#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_ISO 2
#define MADT_X2APIC 9
#define LAPIC_ENABLED 1u
#define LAPIC_ONLINE_CAPABLE 2u

static uint8_t sum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (n--)
		s += *b++;
	return s;
}

static uint32_t scan_rsdp(uint32_t start, uint32_t end)
{
	for (uint32_t a = start; a + 20 <= end; a += 16) {
		const struct rsdp *r = (const void *)a;

		if (memcmp(r->sig, "RSD PTR ", 8) || sum(r, 20))
			continue;
		if (r->revision >= 2 && (r->length < 36 || r->length > 4096 ||
					 sum(r, r->length)))
			continue;
		return a;
	}
	return 0;
}

static uint32_t find_rsdp(void)
{
	/* BDA 0x40e: real-mode segment of the EBDA; believe it only when it
	 * points into 512-640 KiB where an EBDA lives. */
	uint32_t ebda = (uint32_t)*(volatile uint16_t *)phys_ptr(0x40e) << 4;
	uint32_t r = 0;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		r = scan_rsdp(ebda, ebda + 1024);
	return r ? r : scan_rsdp(0xe0000, 0x100000);
}

static bool table_ok(uint64_t addr)
{
	const struct sdt_header *h;

	if (!addr || addr >= 0x100000000ull - sizeof(*h))
		return false;
	h = (const void *)(uint32_t)addr;
	return h->length >= sizeof(*h) && h->length < MIB(1) &&
	       sum(h, h->length) == 0;
}

uint32_t acpi_find_table(const char sig[4])
{
	const struct rsdp *r = (const void *)guest_plat.rsdp_addr;
	const struct sdt_header *root;
	unsigned int n, esz;
	bool x;

	if (!r)
		return 0;
	x = r->revision >= 2 && r->xsdt && table_ok(r->xsdt);
	if (!x && !table_ok(r->rsdt))
		return 0;
	root = (const void *)(x ? (uint32_t)r->xsdt : r->rsdt);
	esz = x ? 8 : 4;
	n = (root->length - sizeof(*root)) / esz;
	for (unsigned int i = 0; i < n; i++) {
		const uint8_t *e = (const uint8_t *)(root + 1) + i * esz;
		uint64_t a = x ? *(const uint64_t *)e : *(const uint32_t *)e;

		if (table_ok(a) &&
		    !memcmp(((const struct sdt_header *)(uint32_t)a)->sig, sig,
			    4))
			return (uint32_t)a;
	}
	return 0;
}

static void add_cpu(uint32_t apic_id, uint32_t flags)
{
	struct guest_platform *p = &guest_plat;

	if (!(flags & LAPIC_ENABLED))
		return; /* online-capable CPUs are not started */
	for (unsigned int i = 0; i < p->nr_cpus; i++)
		if (p->apic_ids[i] == apic_id)
			return;
	if (p->nr_cpus < GUEST_MAX_CPUS)
		p->apic_ids[p->nr_cpus++] = apic_id;
}

int acpi_init(void)
{
	struct guest_platform *p = &guest_plat;
	const struct madt *m;
	const uint8_t *e, *end;

	p->lapic_addr = 0xfee00000;
	for (unsigned int i = 0; i < 16; i++)
		p->isa_gsi[i] = i;
	p->rsdp_addr = find_rsdp();
	if (!p->rsdp_addr)
		return -1;
	p->madt_addr = acpi_find_table("APIC");
	if (!p->madt_addr)
		return -1;
	m = (const void *)p->madt_addr;
	p->lapic_addr = m->lapic_addr;
	p->pcat_compat = m->flags & MADT_PCAT_COMPAT;
	e = (const uint8_t *)(m + 1);
	end = (const uint8_t *)m + m->h.length;
	for (; e + 2 <= end && e[1] >= 2 && e + e[1] <= end; e += e[1]) {
		switch (e[0]) {
		case MADT_LAPIC:
			add_cpu(e[3], *(const uint32_t *)(e + 4));
			break;
		case MADT_X2APIC:
			add_cpu(*(const uint32_t *)(e + 4),
				*(const uint32_t *)(e + 8));
			break;
		case MADT_IOAPIC:
			if (!p->have_ioapic) {
				p->have_ioapic = true;
				p->ioapic_id = e[2];
				p->ioapic_addr = *(const uint32_t *)(e + 4);
				p->ioapic_gsi_base =
					*(const uint32_t *)(e + 8);
			}
			break;
		case MADT_ISO:
			if (e[2] == 0 && e[3] < 16) { /* bus 0 = ISA */
				p->isa_gsi[e[3]] = *(const uint32_t *)(e + 4);
				p->isa_flags[e[3]] =
					*(const uint16_t *)(e + 8);
			}
			break;
		}
	}
	p->acpi = true;
	return 0;
}
