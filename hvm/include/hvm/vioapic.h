/*
 * Virtual I/O APIC, one per domain, after the Intel 82093AA data sheet
 * (order no. 290566): 24 redirection entries, version 0x11, at 0xfec00000.
 *
 * What the core calls, and when (domain device lock held):
 *
 *   vioapic_init()      once, when the domain is built
 *   vioapic_mmio()      every guest access to VIOAPIC_BASE + 0..0xfff
 *   vioapic_set_irq()   from ops->set_irq when a GSI line changes level
 *                       (the platform also feeds ISA IRQs to the vPIC)
 *   vioapic_eoi()       on a level-triggered EOI broadcast from a vLAPIC:
 *                       pass vioapic_eoi_hook as vlapic_config.eoi
 *
 * Interrupt messages leave through ops->deliver (destination 0xffffffff
 * for the 8-bit broadcast id 0xff).
 *
 * Line levels are given as asserted (true) or not: the platform already
 * knows each line's polarity, so the polarity bit the guest programs
 * (INTPOL, 3.2.4) is kept and read back but not applied a second time, as
 * QEMU and KVM do.
 */
#ifndef HVM_VIOAPIC_H
#define HVM_VIOAPIC_H

#include <hvm/vplat.h>

#define VIOAPIC_BASE 0xfec00000ULL
#define VIOAPIC_PINS 24
#define VIOAPIC_VERSION 0x11

/* Per-domain state, guarded by the domain's device lock. */
struct vioapic {
	const struct vplat_ops *ops;
	uint8_t id; /* IOAPICID bits 27:24 */
	uint8_t arb; /* IOAPICARB bits 27:24 */
	uint8_t ioregsel;
	uint32_t line; /* asserted input lines, bit per pin */
	uint64_t rte[VIOAPIC_PINS]; /* redirection table */
};

/*
 * Reset state (data sheet 3.0): every entry masked, id @id (the MADT's;
 * only 4 bits are kept).
 */
void vioapic_init(struct vioapic *io, const struct vplat_ops *ops,
		  uint8_t id);

/*
 * IOREGSEL (offset 0x00) and IOWIN (0x10), vplat_io_fn shape, @dev is the
 * vioapic.  Only the low 8 bits of @addr are decoded.  IOWIN takes 32-bit
 * (or wider) stores only; narrower ones are dropped.  Always returns 0.
 */
int vioapic_mmio(void *dev, uint64_t addr, unsigned int size, bool write,
		 uint64_t *val, uint64_t now_ns);

/*
 * Input @gsi changes level.  Edge entries send a message on a rising edge
 * while unmasked; level entries while asserted, unmasked and with remote
 * IRR clear.  Returns -VMI_EINVAL for a GSI beyond the last pin.
 */
int vioapic_set_irq(struct vioapic *io, unsigned int gsi, bool level);

/*
 * EOI broadcast for @vector (SDM vol. 3A 11.8.5): clears remote IRR of the
 * level entries with that vector and re-sends those whose line is still
 * asserted.
 */
void vioapic_eoi(struct vioapic *io, uint8_t vector);

/* vioapic_eoi() with the vlapic_eoi_fn shape; @ctx is the vioapic. */
void vioapic_eoi_hook(void *ctx, uint8_t vector);

#endif /* HVM_VIOAPIC_H */
