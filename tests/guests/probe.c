/*
 * probe - what a kernel's hardware probes find on a PC without those
 * devices: PCI configuration mechanism #1 with no devices, and physical
 * addresses nothing decodes.
 *
 * Proves:
 *  - PCI: a dword written to CONFIG_ADDRESS (0xcf8) reads back, as
 *    Linux's pci_check_type1() requires; a scan of bus 0, every device
 *    and function, reads vendor ID 0xffff from CONFIG_DATA (0xcfc) at 8,
 *    16 and 32 bits and a write there is dropped.  Functions 2, 4 and 6
 *    put RST_CPU (bit 2) into the second byte of CONFIG_ADDRESS: a
 *    platform that takes the dword for a byte write to the reset
 *    register at 0xcf9 reboots here.  Bus 0 device 0 function 0 is a
 *    host bridge on QEMU and Bochs, so bare metal runs report it instead.
 *  - Unclaimed addresses below 4 GiB: the HPET's usual base 0xfed00000
 *    (when no ACPI HPET table names one) and 0xff000000 below the BIOS
 *    flash read all ones at 8, 16 and 32 bits, and a write there is dropped.  A fault, or any other
 *    value, is a failure (HOLE_ANY=1 on the command line tolerates a
 *    value other than all ones, for emulators that read 0).
 *  - REP MOVSD from unclaimed space into RAM copies all ones.
 *  - Unclaimed ports (0x2f0, 0xcfc with mechanism #1 disabled) read all
 *    ones.
 */
#include "guest.h"

GUEST_TEST("probe");

#define PCI_ADDR 0xcf8
#define PCI_DATA 0xcfc
#define PCI_ENABLE 0x80000000u

static uint32_t pci_addr(unsigned int bus, unsigned int dev, unsigned int fn,
			 unsigned int reg)
{
	return PCI_ENABLE | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc);
}

static void check_pci(void)
{
	unsigned int found = 0, dev, fn;

	/* pci_check_type1(): the byte write to 0xcfb, then the dword. */
	outb(0xcfb, 0x01);
	outl(PCI_ADDR, PCI_ENABLE);
	CHECK(inl(PCI_ADDR) == PCI_ENABLE, "CONFIG_ADDRESS reads %#x after "
	      "%#x was written", inl(PCI_ADDR), PCI_ENABLE);
	printf("probe: PCI mechanism #1: CONFIG_ADDRESS reads back\n");

	for (dev = 0; dev < 32; dev++) {
		for (fn = 0; fn < 8; fn++) {
			uint32_t a = pci_addr(0, dev, fn, 0), id;

			outl(PCI_ADDR, a);
			CHECK(inl(PCI_ADDR) == a, "CONFIG_ADDRESS %#x reads "
			      "back %#x", a, inl(PCI_ADDR));
			id = inl(PCI_DATA);
			if (id != 0xffffffffu) {
				printf("probe: PCI 00:%02x.%u: id %08x\n", dev,
				       fn, id);
				found++;
				continue;
			}
			CHECK(inw(PCI_DATA) == 0xffff && inw(PCI_DATA + 2) ==
			      0xffff && inb(PCI_DATA + 1) == 0xff,
			      "PCI 00:%02x.%u: narrow reads not all ones", dev,
			      fn);
			outl(PCI_DATA, 0);
			CHECK(inl(PCI_DATA) == 0xffffffffu,
			      "PCI 00:%02x.%u: a write to CONFIG_DATA stayed",
			      dev, fn);
		}
	}
	outl(PCI_ADDR, 0);
	CHECK(inl(PCI_DATA) == 0xffffffffu, "0xcfc with mechanism #1 "
	      "disabled reads %#x", inl(PCI_DATA));
	printf("probe: PCI bus 0: 256 functions scanned, %u present\n", found);
}

static bool hole_any;

static void check_hole(uint32_t pa, const char *what)
{
	uint32_t v32 = 0, v16, v8;
	int vec;

	vec = write32_safe(pa, 0x12345678u);
	CHECK(vec < 0, "%s %#x: a write raised %s", what, pa,
	      exception_name((unsigned int)vec));
	vec = read32_safe(pa, &v32);
	CHECK(vec < 0, "%s %#x: a read raised %s", what, pa,
	      exception_name((unsigned int)vec));
	v16 = *(volatile uint16_t *)phys_ptr(pa + 2);
	v8 = *(volatile uint8_t *)phys_ptr(pa + 1);
	printf("probe: %s %#x reads %#x / %#x / %#x (32/16/8 bit)\n", what,
	       pa, v32, v16, v8);
	CHECK(v32 != 0x12345678u, "%s %#x kept a write", what, pa);
	if (hole_any)
		return;
	CHECK(v32 == 0xffffffffu && v16 == 0xffff && v8 == 0xff,
	      "%s %#x: not all ones", what, pa);
}

/* REP MOVSD with the source in unclaimed space, the destination RAM. */
static void check_string_copy(uint32_t pa)
{
	static uint32_t buf[8];
	const void *src = phys_ptr(pa);
	void *dst = buf;
	uint32_t n = ARRAY_SIZE(buf);

	memset(buf, 0, sizeof(buf));
	asm volatile("cld; rep movsl"
		     : "+S"(src), "+D"(dst), "+c"(n)
		     :
		     : "memory");
	for (unsigned int i = 0; i < ARRAY_SIZE(buf); i++)
		CHECK(hole_any || buf[i] == 0xffffffffu, "rep movsd from %#x: "
		      "dword %u is %#x", pa, i, buf[i]);
	printf("probe: rep movsd from %#x copies all ones\n", pa);
}

void test_main(void)
{
	char arg[8];

	hole_any = cmdline_get("HOLE_ANY", arg, sizeof(arg)) && arg[0] == '1';
	check_pci();
	CHECK(inb(0x2f0) == 0xff && inw(0x2f0) == 0xffff &&
	      inl(0x2f0) == 0xffffffffu, "unclaimed port 0x2f0 not all ones");
	printf("probe: unclaimed port 0x2f0 reads all ones\n");

	if (acpi_find_table("HPET"))
		printf("probe: an ACPI HPET table: 0xfed00000 not probed\n");
	else
		check_hole(0xfed00000u, "HPET base");
	check_hole(0xff000000u, "below the flash");
	check_string_copy(0xff000000u);
	guest_pass(guest_name);
}
