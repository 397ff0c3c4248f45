/*
 * hvm/bios-stub.c - the real-mode IVT and its handlers (bios-stub.h).
 * Real-mode interrupts: SDM vol. 3A, 20.1.4 (the IVT, 4-byte IP:CS
 * entries, FLAGS/CS/IP pushed); 8259A EOI: Intel 8259A data sheet, OCW2.
 */
#include <stddef.h>
#include <string.h>

#include <hvm/bios-stub.h>

/*
 * F000:0000, a service nobody provides:
 *	push bp; mov bp, sp; or word [bp+6], 1 (CF in the pushed FLAGS);
 *	pop bp; mov ah, 86h; iret
 * F000:0010, IRQ 0-7:  push ax; mov al, 20h; out 20h, al; pop ax; iret
 * F000:0020, IRQ 8-15: push ax; mov al, 20h; out 0A0h, al; out 20h, al;
 *	pop ax; iret
 */
static const uint8_t unsupported[] = { 0x55, 0x89, 0xe5, 0x83, 0x4e, 0x06,
				       0x01, 0x5d, 0xb4, 0x86, 0xcf };
static const uint8_t irq_master[] = { 0x50, 0xb0, 0x20, 0xe6,
				      0x20, 0x58, 0xcf };
static const uint8_t irq_slave[] = { 0x50, 0xb0, 0x20, 0xe6, 0xa0,
				     0xe6, 0x20, 0x58, 0xcf };

_Static_assert(sizeof(unsupported) <= BIOS_STUB_IRQ_MASTER, "stub size");
_Static_assert(BIOS_STUB_IRQ_MASTER + sizeof(irq_master) <=
		       BIOS_STUB_IRQ_SLAVE, "stub size");
_Static_assert(BIOS_STUB_IRQ_SLAVE + sizeof(irq_slave) <= BIOS_STUB_CODE_LEN,
	       "stub size");

int bios_stub_build(const struct guest_mem_ops *mem, void *ctx)
{
	uint8_t code[BIOS_STUB_CODE_LEN], ivt[256 * 4];
	unsigned int v;
	int ret;

	memset(code, 0xcc, sizeof(code));
	memcpy(code + BIOS_STUB_UNSUPPORTED, unsupported, sizeof(unsupported));
	memcpy(code + BIOS_STUB_IRQ_MASTER, irq_master, sizeof(irq_master));
	memcpy(code + BIOS_STUB_IRQ_SLAVE, irq_slave, sizeof(irq_slave));
	for (v = 0; v < 256; v++) {
		uint16_t ip = BIOS_STUB_UNSUPPORTED;

		if (v >= 0x08 && v <= 0x0f)
			ip = BIOS_STUB_IRQ_MASTER;
		else if (v >= 0x70 && v <= 0x77)
			ip = BIOS_STUB_IRQ_SLAVE;
		ivt[4 * v] = (uint8_t)ip;
		ivt[4 * v + 1] = (uint8_t)(ip >> 8);
		ivt[4 * v + 2] = (uint8_t)BIOS_STUB_SEG;
		ivt[4 * v + 3] = (uint8_t)(BIOS_STUB_SEG >> 8);
	}
	ret = mem->write(ctx, BIOS_STUB_GPA, code, sizeof(code));
	if (!ret)
		ret = mem->write(ctx, 0, ivt, sizeof(ivt));
	return ret;
}
