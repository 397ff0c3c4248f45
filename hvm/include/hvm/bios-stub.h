/*
 * hvm/bios-stub.h - the real-mode interrupt vector table a domain starts
 * with.
 *
 * Multiboot and Linux domains boot without a BIOS, yet a kernel may drop
 * back to real mode and call BIOS-style services (INT 10h, 13h, 15h, ...)
 * or take a hardware interrupt there.  On a PC those land in the BIOS; in
 * an empty IVT they jump to 0000:0000 and the guest runs off into its own
 * memory.  bios_stub_build() fills the IVT (0-0x3FF) so that every
 * vector reaches a handler in the BIOS area at F000:0000: software
 * services return with CF set and AH = 86h ("function not supported",
 * the BIOS convention, e.g. Ralf Brown's list for INT 15h), IRQ 0-7
 * (vectors 08h-0Fh) and IRQ 8-15 (70h-77h) send a non-specific EOI to
 * the 8259(s) and return.  It is not a BIOS: a guest that needs real
 * services needs the SeaBIOS boot path.
 */
#ifndef HVM_BIOS_STUB_H
#define HVM_BIOS_STUB_H

#include <stdint.h>

#include <hvm/loader.h>

#define BIOS_STUB_SEG 0xF000u
#define BIOS_STUB_GPA 0xF0000ull
/* Handler offsets in segment F000. */
#define BIOS_STUB_UNSUPPORTED 0x0000u
#define BIOS_STUB_IRQ_MASTER 0x0010u
#define BIOS_STUB_IRQ_SLAVE 0x0020u
#define BIOS_STUB_CODE_LEN 0x30u

/* Write the IVT and the handlers; 0 or a negative error from @mem. */
int bios_stub_build(const struct guest_mem_ops *mem, void *ctx);

#endif
