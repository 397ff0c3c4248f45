/*
 * hvm/vrtc.h - the virtual MC146818 real-time clock and CMOS RAM.
 *
 * Index port 0x70 (bit 7, the PC's NMI mask, is accepted and ignored),
 * data port 0x71; 128 bytes: the clock registers 0x00-0x0D and 114 bytes
 * of RAM, as in the Motorola MC146818A data sheet.
 *
 * The clock is a count of seconds (since 1970, UTC) that advances with
 * guest time from the wall-clock value given at init.  The time and date
 * registers are computed from it on every read, in BCD or binary and in
 * 12- or 24-hour form as register B says, so changing DM or 24/12 shows
 * the same time in the new format (the chip would not convert).  Writes
 * to them set the clock; the day of week is derived from the date.  The
 * century (0x32) belongs to the clock too.
 *
 * Updates happen at whole seconds of a phase fixed at init (and at the
 * end of a divider reset, after which the first update comes 500 ms
 * later, as on the chip).  UIP in register A reads 1 during the 244 us
 * before each update and the registers change exactly at the update, so
 * a reader that sees UIP = 0 has 244 us of stable registers (data sheet,
 * "Update Cycle").  SET in register B stops updates and clears UIE.
 *
 * Register C's flags are worked out when needed: PF from the periodic
 * rate in register A (even with PIE clear), UF at each update, AF when an
 * update matches the alarm bytes (0xC0-0xFF = don't care).  IRQ 8 follows
 * IRQF: the chip's IRQ pin is a level that stays asserted until register
 * C is read, so the line is driven with set_irq(8, 1) when IRQF sets and
 * set_irq(8, 0) when reading C (or clearing the enables) drops it; an
 * edge-triggered interrupt controller pin sees one rising edge per
 * interrupt, as on a PC.
 *
 * Threading: the domain's device lock (hvm/vplat.h).
 * Portable: builds freestanding in the hypervisor and on the host.
 */
#ifndef HVM_VRTC_H
#define HVM_VRTC_H

#include <stdbool.h>
#include <stdint.h>

#include <hvm/vioport.h>
#include <hvm/vplat.h>

#define VRTC_PORT_INDEX 0x70
#define VRTC_PORT_DATA 0x71
#define VRTC_IRQ 8
#define VRTC_CMOS_SIZE 128

/* Clock registers (MC146818A, "Address Map"). */
#define VRTC_SEC 0x00
#define VRTC_SEC_ALARM 0x01
#define VRTC_MIN 0x02
#define VRTC_MIN_ALARM 0x03
#define VRTC_HOUR 0x04
#define VRTC_HOUR_ALARM 0x05
#define VRTC_WDAY 0x06
#define VRTC_MDAY 0x07
#define VRTC_MONTH 0x08
#define VRTC_YEAR 0x09
#define VRTC_REG_A 0x0a
#define VRTC_REG_B 0x0b
#define VRTC_REG_C 0x0c
#define VRTC_REG_D 0x0d

#define VRTC_A_UIP 0x80
#define VRTC_A_DV_MASK 0x70
#define VRTC_A_DV_32KHZ 0x20
#define VRTC_A_DV_RESET 0x60 /* DV2..1 = 11: divider chain held */
#define VRTC_A_RS_MASK 0x0f
#define VRTC_B_SET 0x80
#define VRTC_B_PIE 0x40
#define VRTC_B_AIE 0x20
#define VRTC_B_UIE 0x10
#define VRTC_B_SQWE 0x08
#define VRTC_B_DM_BINARY 0x04
#define VRTC_B_24H 0x02
#define VRTC_B_DSE 0x01
#define VRTC_C_IRQF 0x80
#define VRTC_C_PF 0x40
#define VRTC_C_AF 0x20
#define VRTC_C_UF 0x10
#define VRTC_D_VRT 0x80

/* PC/AT CMOS RAM layout (IBM AT Technical Reference; QEMU and SeaBIOS
 * use the same bytes). */
#define VRTC_CMOS_EQUIPMENT 0x14
#define VRTC_CMOS_BASE_MEM_LO 0x15 /* KiB below 1 MiB: 640 */
#define VRTC_CMOS_BASE_MEM_HI 0x16
#define VRTC_CMOS_EXT_MEM_LO 0x17 /* KiB from 1 MiB, at most 0xffff */
#define VRTC_CMOS_EXT_MEM_HI 0x18
#define VRTC_CMOS_CSUM_HI 0x2e /* sum of 0x10-0x2d, big-endian */
#define VRTC_CMOS_CSUM_LO 0x2f
#define VRTC_CMOS_EXT_MEM2_LO 0x30 /* copy of 0x17-0x18 */
#define VRTC_CMOS_EXT_MEM2_HI 0x31
#define VRTC_CMOS_CENTURY 0x32 /* part of the clock here */
#define VRTC_CMOS_MEM16M_LO 0x34 /* 64 KiB units from 16 MiB to 4 GiB */
#define VRTC_CMOS_MEM16M_HI 0x35
#define VRTC_CMOS_MEM4G_0 0x5b /* 64 KiB units above 4 GiB, 24 bits */
#define VRTC_CMOS_MEM4G_1 0x5c
#define VRTC_CMOS_MEM4G_2 0x5d
#define VRTC_CMOS_NR_CPUS 0x5f /* CPUs - 1 (SeaBIOS convention) */

/* Broken-down time (proleptic Gregorian, UTC). */
struct vrtc_tm {
	int64_t year;
	unsigned int mon, mday, hour, min, sec; /* as written: unchecked */
	unsigned int wday; /* 0 = Sunday */
};

struct vrtc {
	const struct vplat_ops *ops;
	uint8_t index; /* selected by port 0x70 */
	/* Registers A, B, the alarm bytes and the RAM; the time bytes,
	 * C, D and the century are computed. */
	uint8_t cmos[VRTC_CMOS_SIZE];
	/* The clock: ref_sec at guest time ref_ns (an update instant),
	 * advancing one second per second unless halted (SET, divider
	 * reset). */
	int64_t ref_ns;
	int64_t ref_sec;
	/*
	 * The fields written last, unnormalised, while the clock still
	 * reads wr_sec: a run of writes (year, month, day, ...) is applied
	 * as a whole, so 31 January -> 28 February does not pass through
	 * "31 February" = 3 March.
	 */
	struct vrtc_tm wr_tm;
	int64_t wr_sec;
	bool wr_valid;
	/* Register C flags gathered up to flags_ns. */
	int64_t flags_ns;
	uint8_t flags;
	bool irq_level;
};

/*
 * Power-on state: the clock reads @epoch_sec (UTC seconds since 1970) at
 * guest time @now_ns; register A 0x26 (32.768 kHz, 1024 Hz periodic
 * rate), B 0x02 (24-hour BCD, no interrupts), D VRT; equipment byte says
 * "maths coprocessor"; base memory 640 KiB; checksum valid.
 */
void vrtc_init(struct vrtc *rtc, const struct vplat_ops *ops,
	       int64_t epoch_sec, uint64_t now_ns);

/*
 * Fill the memory-size bytes (0x15-0x18, 0x30-0x31, 0x34-0x35,
 * 0x5b-0x5d) from the guest RAM below and above 4 GiB, in bytes, and
 * the CPU count byte (0x5f) from @nr_cpus.  Call after vrtc_init().
 */
void vrtc_set_config(struct vrtc *rtc, uint64_t ram_below_4g,
		     uint64_t ram_above_4g, unsigned int nr_cpus);

/* Set a RAM byte (0x0e-0x7f except 0x32) and refresh the checksum. */
void vrtc_cmos_set(struct vrtc *rtc, unsigned int index, uint8_t val);

/* The clock's time (UTC seconds since 1970) at @now_ns. */
int64_t vrtc_get_time(const struct vrtc *rtc, uint64_t now_ns);

/* Claim ports 0x70-0x71 in @tab: 0 or vioport_register()'s error. */
int vrtc_register(struct vrtc *rtc, struct vioport_table *tab);

/* The vplat_io_fn behind 0x70-0x71 (byte access; @dev is the vrtc). */
int vrtc_io(void *dev, uint64_t port, unsigned int size, bool write,
	    uint64_t *val, uint64_t now_ns);

/*
 * Guest time at which IRQF would next be set (a periodic, alarm or
 * update-ended event with its enable bit on), or VPLAT_NO_DEADLINE if
 * none is enabled or IRQ 8 is already asserted (nothing can happen
 * before the guest reads register C).  Ask again after vrtc_tick() and
 * after every access to the RTC's ports.
 */
uint64_t vrtc_next_deadline(const struct vrtc *rtc);

/* Bring the flags up to @now_ns and raise IRQ 8 if IRQF sets. */
void vrtc_tick(struct vrtc *rtc, uint64_t now_ns);

#endif /* HVM_VRTC_H */
