/*
 * hvm/vpm.h - ACPI fixed hardware and the PC's odd system ports.
 *
 * One device for the small ports that end a guest's life or time its
 * loops:
 *
 *   0x600-0x603  PM1a_EVT_BLK: PM1_STS (+0), PM1_EN (+2), 16 bit each
 *   0x604-0x605  PM1a_CNT_BLK: SCI_EN reads 1 (the platform is always in
 *                ACPI mode, there is no SMI_CMD); SLP_EN with SLP_TYP =
 *                5 (\_S5_) calls ops->shutdown(POWEROFF, 0)
 *   0x608-0x60b  PM_TMR_BLK: 32-bit timer (FADT TMR_VAL_EXT) at
 *                3.579545 MHz, from guest time
 *   0xcf9        reset control (Intel ICH RST_CNT), byte accesses only:
 *                a write with RST_CPU (bit 2) set, e.g. 0x06 or 0x0e,
 *                calls ops->shutdown(REBOOT, 0); SYS_RST / FULL_RST
 *                read back
 *   0xcf8-0xcff  PCI configuration mechanism #1 with no devices:
 *                CONFIG_ADDRESS (a dword at 0xcf8) reads back what was
 *                written, CONFIG_DATA (0xcfc-0xcff) and every other
 *                access reads all ones and drops writes
 *   0xf4-0xf7    QEMU's isa-debug-exit: any write of v calls
 *                ops->shutdown(DEBUG_EXIT, v), v being the domain's
 *                exit code; reads float
 *   0x61         PC/AT system control port B (below)
 *   0x80         POST code / I/O delay port: writes are kept in
 *                post_code for diagnostics, reads return 0xff
 *
 * Port 0x61 is owned here and shares state with the PIT through its
 * API: bit 0 drives PIT channel 2's GATE (vpit_set_gate()), bit 1 is the
 * speaker data enable (no sound), bits 2-3 the parity and channel check
 * enables; reads add bit 4, the DRAM refresh toggle (flips every
 * 15.085 us of guest time), and bit 5, PIT OUT2 (vpit_get_out()).  Bits
 * 6-7 (IOCHK, SERR) never set.
 *
 * The port numbers and the S5 value are the contract with the ACPI tables
 * (hvm/acpi-build.h); they are repeated here so that this device depends
 * only on vplat.h, and the unit tests check the two agree.
 *
 * SCI (ISA IRQ 9, level, active high in the MADT) follows
 * PM1_STS & PM1_EN through ops->set_irq(9, level).  Status bits raised
 * here: TMR_STS when bit 31 of the PM timer flips (with a deadline while
 * TMR_EN is set) and PWRBTN_STS from vpm_power_button().
 *
 * Threading: the domain's device lock (hvm/vplat.h).
 * Portable: builds freestanding in the hypervisor and on the host.
 */
#ifndef HVM_VPM_H
#define HVM_VPM_H

#include <stdbool.h>
#include <stdint.h>

#include <hvm/vioport.h>
#include <hvm/vpit.h>
#include <hvm/vplat.h>

#define VPM_PM1A_EVT_BLK 0x600
#define VPM_PM1_EVT_LEN 4
#define VPM_PM1A_CNT_BLK 0x604
#define VPM_PM1_CNT_LEN 2
#define VPM_PM_TMR_BLK 0x608
#define VPM_PM_TMR_LEN 4
#define VPM_PM_TMR_HZ 3579545u /* ACPI 6.3, 4.8.2.1 */
#define VPM_RESET_PORT 0xcf9
#define VPM_PCI_CONF1_PORT 0xcf8 /* CONFIG_ADDRESS; CONFIG_DATA at +4 */
#define VPM_PCI_CONF1_LEN 8
#define VPM_DEBUG_EXIT_PORT 0xf4
#define VPM_DEBUG_EXIT_LEN 4
#define VPM_SYSCTL_PORT 0x61
#define VPM_POST_PORT 0x80
#define VPM_SCI_IRQ 9
#define VPM_S5_SLP_TYP 5 /* the DSDT's \_S5_ package */

/* PM1_STS / PM1_EN bits (ACPI 6.3, Tables 4-16 and 4-17). */
#define VPM_PM1_TMR 0x0001
#define VPM_PM1_BM_STS 0x0010
#define VPM_PM1_GBL 0x0020
#define VPM_PM1_PWRBTN 0x0100
#define VPM_PM1_SLPBTN 0x0200
#define VPM_PM1_RTC 0x0400
#define VPM_PM1_WAK_STS 0x8000

/* PM1_CNT bits (ACPI 6.3, Table 4-18). */
#define VPM_PM1_CNT_SCI_EN 0x0001
#define VPM_PM1_CNT_BM_RLD 0x0002
#define VPM_PM1_CNT_GBL_RLS 0x0004
#define VPM_PM1_CNT_SLP_TYP_SHIFT 10
#define VPM_PM1_CNT_SLP_TYP_MASK 0x1c00
#define VPM_PM1_CNT_SLP_EN 0x2000

/* Reset control register bits (Intel ICH/PCH RST_CNT). */
#define VPM_RST_SYS_RST 0x02
#define VPM_RST_RST_CPU 0x04
#define VPM_RST_FULL_RST 0x08

/* Port 0x61 bits. */
#define VPM_SYSCTL_GATE2 0x01
#define VPM_SYSCTL_SPKR 0x02
#define VPM_SYSCTL_RW_MASK 0x0f
#define VPM_SYSCTL_REFRESH 0x10
#define VPM_SYSCTL_OUT2 0x20
#define VPM_REFRESH_NS 15085 /* DRAM refresh request period */

struct vpm {
	const struct vplat_ops *ops;
	struct vpit *pit; /* for port 0x61; may be NULL */
	uint16_t pm1_sts;
	uint16_t pm1_en;
	uint16_t pm1_cnt; /* SLP_TYP and BM_RLD as written */
	uint64_t tmr_origin_ns; /* the PM timer reads 0 here */
	uint64_t tmr_flips; /* bit-31 flips already folded into TMR_STS */
	bool sci_level;
	uint8_t sysctl; /* port 0x61 bits 0-3 */
	uint8_t rst_cnt; /* 0xcf9: SYS_RST and FULL_RST */
	uint32_t pci_addr; /* 0xcf8: CONFIG_ADDRESS as last written */
	uint8_t post_code; /* last byte written to port 0x80 */
};

/*
 * Reset state at guest time @now_ns: PM timer 0, all status and enables
 * clear, port 0x61 = 0 (channel 2 gated off; the PIT must be initialised
 * to match, as vpit_init() does).  @pit may be NULL: then 0x61 reads OUT2
 * low.
 */
void vpm_init(struct vpm *pm, const struct vplat_ops *ops, struct vpit *pit,
	      uint64_t now_ns);

/* Claim all the ports listed above: 0 or vioport_register()'s error. */
int vpm_register(struct vpm *pm, struct vioport_table *tab);

/* The vplat_io_fn behind every range above (@dev is the vpm). */
int vpm_io(void *dev, uint64_t port, unsigned int size, bool write,
	   uint64_t *val, uint64_t now_ns);

/* The PM timer's count at @now_ns (32 bits). */
uint32_t vpm_timer(const struct vpm *pm, uint64_t now_ns);

/* A press of the ACPI power button (the toolstack's "shutdown"): sets
 * PWRBTN_STS, which raises SCI if the guest enabled it. */
void vpm_power_button(struct vpm *pm, uint64_t now_ns);

/*
 * When TMR_STS next sets while TMR_EN is on (bit 31 of the PM timer
 * flips every 2^31 ticks, ten minutes), else VPLAT_NO_DEADLINE.  Ask
 * again after vpm_tick() and after accesses to the PM ports.
 */
uint64_t vpm_next_deadline(const struct vpm *pm);

/* Fold timer flips up to @now_ns into TMR_STS and update SCI. */
void vpm_tick(struct vpm *pm, uint64_t now_ns);

#endif /* HVM_VPM_H */
