/*
 * pic.c - the 8259A pair: remapped away from the exception vectors and
 * fully masked.  The tests route interrupts through the IOAPIC; the PICs
 * are only silenced (the BIOS leaves IRQ 0 on vector 8, and the LAPIC's
 * LINT0 in virtual-wire mode would deliver it).  On a platform without
 * 8259s (MADT PCAT_COMPAT clear) these writes go to unclaimed ports.
 *
 * Initialisation sequence: 8259A datasheet, ICW1-ICW4.
 */
#include "guest.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1

void pic_init(void)
{
	outb(PIC1_CMD, 0x11); /* ICW1: edge, cascade, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, VEC_PIC_BASE); /* ICW2: vector base */
	outb(PIC2_DATA, VEC_PIC_BASE + 8);
	outb(PIC1_DATA, 0x04); /* ICW3: slave on IRQ 2 */
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01); /* ICW4: 8086 mode, normal EOI */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xff); /* OCW1: mask everything */
	outb(PIC2_DATA, 0xff);
}
