/*
 * ioapic.c - the (first) IOAPIC the MADT lists: indirect registers through
 * IOREGSEL/IOWIN (82093AA datasheet, 3.1), redirection entries (3.2.4),
 * ISA IRQs mapped to GSIs by the MADT interrupt source overrides with
 * their MPS INTI polarity/trigger flags (ACPI 6.3, 5.2.12.5).
 */
#include "guest.h"

static struct spinlock ioapic_lock;

static uint32_t base(void)
{
	return guest_plat.ioapic_addr ? guest_plat.ioapic_addr : 0xfec00000u;
}

uint32_t ioapic_read(uint32_t reg)
{
	uint32_t flags = irq_save(), v;

	spin_lock(&ioapic_lock);
	mmio_write32(base() + IOAPIC_IOREGSEL, reg);
	v = mmio_read32(base() + IOAPIC_IOWIN);
	spin_unlock(&ioapic_lock);
	irq_restore(flags);
	return v;
}

void ioapic_write(uint32_t reg, uint32_t v)
{
	uint32_t flags = irq_save();

	spin_lock(&ioapic_lock);
	mmio_write32(base() + IOAPIC_IOREGSEL, reg);
	mmio_write32(base() + IOAPIC_IOWIN, v);
	spin_unlock(&ioapic_lock);
	irq_restore(flags);
}

unsigned int ioapic_pins(void)
{
	return ((ioapic_read(IOAPIC_REG_VER) >> 16) & 0xff) + 1;
}

void ioapic_mask_all(void)
{
	unsigned int n = ioapic_pins();

	for (unsigned int pin = 0; pin < n; pin++)
		ioapic_write(IOAPIC_REG_REDIR(pin), IOREDIR_MASKED);
}

static int isa_pin(unsigned int irq)
{
	uint32_t gsi;

	if (irq >= 16)
		return -1;
	gsi = guest_plat.isa_gsi[irq];
	if (gsi < guest_plat.ioapic_gsi_base ||
	    gsi - guest_plat.ioapic_gsi_base >= ioapic_pins())
		return -1;
	return (int)(gsi - guest_plat.ioapic_gsi_base);
}

int ioapic_route_isa(unsigned int irq, uint8_t vector, uint32_t apic_id)
{
	int pin = isa_pin(irq);
	uint16_t fl;
	uint32_t lo = vector; /* fixed delivery, physical destination */

	if (pin < 0)
		return -1;
	fl = guest_plat.isa_flags[irq];
	/* INTI polarity 11 = active low, trigger 11 = level; 00 is the ISA
	 * default: active high, edge. */
	if ((fl & 3) == 3)
		lo |= IOREDIR_ACTIVE_LOW;
	if (((fl >> 2) & 3) == 3)
		lo |= IOREDIR_LEVEL;
	ioapic_write(IOAPIC_REG_REDIR(pin), IOREDIR_MASKED);
	ioapic_write(IOAPIC_REG_REDIR(pin) + 1, apic_id << 24);
	ioapic_write(IOAPIC_REG_REDIR(pin), lo);
	return pin;
}

void ioapic_mask_isa(unsigned int irq)
{
	int pin = isa_pin(irq);

	if (pin >= 0)
		ioapic_write(IOAPIC_REG_REDIR(pin), IOREDIR_MASKED);
}
