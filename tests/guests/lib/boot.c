/*
 * boot.c - from the multiboot entry to test_main().
 *
 * Order matters: the GDT/IDT and %fs first (printf and the fault handlers
 * use this_cpu()), then COM1, then the multiboot information is copied
 * (the loader may have put it anywhere, including memory a test later
 * overwrites), then the 8259s, ACPI, the IOAPIC (all pins masked), the
 * TSC calibration and the boot CPU's LAPIC.  test_main() runs with
 * interrupts enabled; nothing is unmasked yet, so only IPIs arrive.
 */
#include "private.h"

#define MB1_BOOT_MAGIC 0x2BADB002u
#define MBI_F_MEM (1u << 0)
#define MBI_F_CMDLINE (1u << 2)
#define MBI_F_MMAP (1u << 6)

/* Multiboot information (Multiboot 0.6.96, 3.3), the fields used. */
struct __attribute__((packed)) mbi {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4];
	uint32_t mmap_length, mmap_addr;
};

struct __attribute__((packed)) mb_mmap {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
};

struct guest_platform guest_plat;
extern char __image_start[], __image_end[], bsp_stack_top[];


const char *cmdline_get(const char *key, char *buf, size_t size)
{
	const char *p = guest_plat.cmdline;
	size_t klen = strlen(key);

	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			size_t n = 0;

			p += klen + 1;
			while (p[n] && p[n] != ' ' && n + 1 < size) {
				buf[n] = p[n];
				n++;
			}
			buf[n] = '\0';
			return buf;
		}
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

static void copy_multiboot(uint32_t mbi_addr)
{
	const struct mbi *m = (const void *)mbi_addr;
	struct guest_platform *p = &guest_plat;

	if (m->flags & MBI_F_MEM) {
		p->mem_lower_kib = m->mem_lower;
		p->mem_upper_kib = m->mem_upper;
	}
	if ((m->flags & MBI_F_CMDLINE) && m->cmdline) {
		const char *s = (const char *)m->cmdline;
		size_t n = 0;

		while (s[n] && n + 1 < sizeof(p->cmdline)) {
			p->cmdline[n] = s[n];
			n++;
		}
		p->cmdline[n] = '\0';
	}
	if (m->flags & MBI_F_MMAP) {
		uint32_t a = m->mmap_addr, end = a + m->mmap_length;

		while (a + sizeof(struct mb_mmap) <= end &&
		       p->nr_mem < GUEST_MAX_MEM) {
			const struct mb_mmap *e = (const void *)a;

			if (e->len) {
				p->mem[p->nr_mem].base = e->addr;
				p->mem[p->nr_mem].len = e->len;
				p->mem[p->nr_mem].type = e->type;
				p->nr_mem++;
			}
			a += e->size + 4;
		}
	} else if (m->flags & MBI_F_MEM) {
		/* No map: the two mem_* ranges are all we know. */
		p->mem[0] = (struct mem_range){ 0, KIB(p->mem_lower_kib),
						MEM_AVAILABLE };
		p->mem[1] = (struct mem_range){ MIB(1), KIB(p->mem_upper_kib),
						MEM_AVAILABLE };
		p->nr_mem = 2;
	}
}

static void report_platform(void)
{
	struct guest_platform *p = &guest_plat;

	printf("cmdline: \"%s\"\n", p->cmdline);
	printf("image: [%#x - %#x)\n", p->image_start, p->image_end);
	printf("memory map (%u entries):\n", p->nr_mem);
	for (unsigned int i = 0; i < p->nr_mem; i++)
		printf("  [%010llx - %010llx) type %u\n", p->mem[i].base,
		       p->mem[i].base + p->mem[i].len, p->mem[i].type);
	if (!p->acpi) {
		printf("ACPI: no RSDP/MADT found; assuming LAPIC %#x, "
		       "IOAPIC %#x, 1 CPU\n",
		       p->lapic_addr, p->ioapic_addr);
		return;
	}
	printf("ACPI: RSDP at %#x, MADT at %#x: %u CPU(s), LAPIC %#x%s\n",
	       p->rsdp_addr, p->madt_addr, p->nr_cpus, p->lapic_addr,
	       p->pcat_compat ? ", PCAT_COMPAT (8259s present)" : "");
	if (p->have_ioapic)
		printf("ACPI: IOAPIC id %u at %#x, GSI base %u; ISA IRQ 0 -> "
		       "GSI %u\n",
		       p->ioapic_id, p->ioapic_addr, p->ioapic_gsi_base,
		       p->isa_gsi[0]);
}

void guest_boot(uint32_t magic, uint32_t mbi_addr)
{
	struct guest_platform *p = &guest_plat;

	trap_init();
	trap_load(0);
	guest_cpus[0].online = true;
	guest_cpus[0].stack_top = (uint32_t)bsp_stack_top;
	uart_init();
	printf("\n%s: trivisor guest test kernel\n", guest_name);
	if (magic != MB1_BOOT_MAGIC)
		guest_fail(guest_name,
			   "not started by a multiboot v1 loader (eax=%#x)",
			   magic);
	p->image_start = (uint32_t)__image_start;
	p->image_end = (uint32_t)__image_end;
	copy_multiboot(mbi_addr);

	pic_init();
	if (acpi_init() < 0) {
		p->nr_cpus = 0;
		p->ioapic_addr = 0xfec00000u;
		p->have_ioapic = true;
	}
	report_platform();
	if (p->have_ioapic)
		ioapic_mask_all();
	tsc_calibrate();
	printf("TSC: %llu kHz (calibrated against the PIT)\n",
	       udiv64(tsc_hz, 1000));
	lapic_init();
	if (!p->nr_cpus) {
		p->apic_ids[0] = lapic_id();
		p->nr_cpus = 1;
	}
	printf("LAPIC: %s mode, id %u, version %#x\n",
	       lapic_x2apic ? "x2APIC" : "xAPIC", lapic_id(),
	       lapic_read(LAPIC_VERSION));
	sti();
	test_main();
	guest_fail(guest_name, "test_main() returned without a result");
}
