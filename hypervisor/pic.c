/*
 * The legacy 8259A pair.  The BIOS leaves it delivering IRQ 0-7 at vectors
 * 0x08-0x0f, on top of the exception vectors, so a PIT tick would look like
 * a double fault.  We remap it to 0x20-0x2f (ICW1-ICW4, 8259A data sheet)
 * and mask every line: the hypervisor uses the LAPIC and I/O APIC only.
 */
#include <trivisor/io.h>
#include <trivisor/init.h>

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1

void pic_disable(void)
{
	outb(PIC1_CMD, 0x11); /* ICW1: edge, cascade, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, 0x20); /* ICW2: vector base */
	outb(PIC2_DATA, 0x28);
	outb(PIC1_DATA, 0x04); /* ICW3: slave on IRQ 2 */
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01); /* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xff); /* mask everything */
	outb(PIC2_DATA, 0xff);
}
