/*
 * hvm/vpit.h - the virtual 8254 programmable interval timer.
 *
 * Three channels at ports 0x40-0x42 and the control word at 0x43, as in
 * the Intel 8254 data sheet (order no. 231164): modes 0-5, LSB / MSB /
 * LSB-then-MSB access, the counter latch and read-back commands.  The
 * BCD bit is stored and reported in the status byte but counting is
 * always binary.
 *
 * Nothing runs in the background.  A channel remembers when its count
 * started and computes the counter and OUT from the guest time it is
 * given (1.193182 MHz ticks).  Channel 0 drives ISA IRQ 0: the platform
 * asks vpit_next_deadline() when OUT0 next rises, arms its timer, and
 * calls vpit_tick() then, which pulses the line (set_irq(0, 1) then
 * set_irq(0, 0)).  Periodic edges (modes 2 and 3) are computed from the
 * time the count was loaded, so late ticks never accumulate into drift;
 * edges missed by a late tick are coalesced into one pulse, as the
 * interrupt controller's single request latch would.
 *
 * Channel 1 (DRAM refresh on the PC) has nothing attached.  Channel 2's
 * gate and OUT belong to port 0x61, which the PM device owns (hvm/vpm.h):
 * it calls vpit_set_gate() and vpit_get_out().
 *
 * Deviations from the chip, none visible to a driver that follows the
 * data sheet: the count is loaded at the write instead of on the next
 * CLK edge (a 838 ns difference); OUT transitions caused by writing a
 * control word do not pulse IRQ 0; a new count written in mode 3 loads
 * at the end of the period rather than the half period.
 *
 * Threading: the domain's device lock (hvm/vplat.h).
 * Portable: builds freestanding in the hypervisor and on the host.
 */
#ifndef HVM_VPIT_H
#define HVM_VPIT_H

#include <stdbool.h>
#include <stdint.h>

#include <hvm/vioport.h>
#include <hvm/vplat.h>

#define VPIT_PORT_BASE 0x40 /* counter 0; 0x41, 0x42 counters 1, 2 */
#define VPIT_PORT_CTRL 0x43 /* control word, write only */
#define VPIT_PORT_LEN 4
#define VPIT_HZ 1193182u /* CLK input of all three counters on a PC */
#define VPIT_IRQ 0 /* ISA IRQ of OUT0 */
#define VPIT_NR_CHANNELS 3

/*
 * Shortest spacing of IRQ 0 pulses.  A guest that programs a period
 * below this gets its edges coalesced instead of one VM exit every
 * 838 ns; periods at or above it are delivered exactly.
 */
#define VPIT_MIN_IRQ_NS 100000u

/* Missed edges kept for reinjection; older ones are dropped. */
#define VPIT_MAX_OWED 64u

struct vpit_channel {
	/* Programming: the last control word. */
	uint8_t mode; /* 0..5 (6 and 7 are stored as 2 and 3) */
	uint8_t access; /* 1 LSB, 2 MSB, 3 LSB then MSB */
	bool bcd; /* accepted and reported; counting stays binary */
	bool gate; /* GATE input level */

	/* Count register and counting element. */
	uint32_t count_reg; /* last count written, 1..0x10000 */
	bool loaded; /* count_reg written since the control word */
	bool armed; /* counting sequence in progress */
	uint32_t count; /* N of the sequence in progress */
	bool pending; /* modes 2/3: count_reg loads at pending_at */
	uint64_t pending_at; /* tick (channel clock) of that reload */
	uint16_t idle_count; /* counter value while not armed */
	bool idle_out; /* OUT while not armed */
	bool null_count; /* count written but not yet in the CE */

	/*
	 * The channel clock: CLK ticks counted while the channel counts.
	 * ticks(now) = run_base + (running ? ticks(now - run_ns) : 0);
	 * the sequence in progress started at tick seq0.
	 */
	bool running;
	uint64_t run_ns;
	uint64_t run_base;
	uint64_t seq0;

	/* Bus interface. */
	uint8_t wbyte; /* access 3: 0 = next write is LSB, 1 = MSB */
	uint8_t wlsb; /* the LSB written, waiting for the MSB */
	uint8_t rbyte; /* access 3: 0 = next read is LSB, 1 = MSB */
	uint8_t latch_left; /* bytes of latched count still to read */
	uint8_t latch_next; /* 0 LSB next, 1 MSB next */
	uint16_t latch;
	bool status_latched;
	uint8_t status;
};

struct vpit {
	const struct vplat_ops *ops;
	struct vpit_channel ch[VPIT_NR_CHANNELS];
	uint64_t irq_done; /* channel-0 tick up to which edges are sent */
	uint64_t irq_last_ns; /* when the last IRQ 0 pulse was sent */
	bool irq_sent; /* irq_last_ns is valid */
	uint32_t owed; /* edges not yet taken by the guest */
};

/*
 * Power-on state at guest time @now_ns: every channel unprogrammed, OUT
 * high, channels 0 and 1 gated on, channel 2 gated off (port 0x61 bit 0
 * is 0 at reset).  No IRQ 0 until the guest programs channel 0.
 */
void vpit_init(struct vpit *pit, const struct vplat_ops *ops, uint64_t now_ns);

/* Claim ports 0x40-0x43 in @tab: 0 or vioport_register()'s error. */
int vpit_register(struct vpit *pit, struct vioport_table *tab);

/* The vplat_io_fn behind 0x40-0x43 (byte access; @dev is the vpit). */
int vpit_io(void *dev, uint64_t port, unsigned int size, bool write,
	    uint64_t *val, uint64_t now_ns);

/* Drive GATE of @channel (0..2); used for channel 2 by port 0x61. */
void vpit_set_gate(struct vpit *pit, unsigned int channel, bool level,
		   uint64_t now_ns);

/* OUT of @channel (0..2) at @now_ns; channel 2's is port 0x61 bit 5. */
bool vpit_get_out(struct vpit *pit, unsigned int channel, uint64_t now_ns);

/*
 * Guest time at which IRQ 0 should next be pulsed, or VPLAT_NO_DEADLINE.
 * Ask again after vpit_tick() and after every access to the PIT's ports
 * (a new count or mode moves it).
 */
uint64_t vpit_next_deadline(const struct vpit *pit);

/* Pulse IRQ 0 if OUT0 rose since the last pulse; call at the deadline. */
void vpit_tick(struct vpit *pit, uint64_t now_ns);

/*
 * The guest took the IRQ 0 interrupt (the platform saw the vector of ISA
 * IRQ 0 acknowledged at the PIC or the vector of its IOAPIC pin injected):
 * one owed edge is paid; if more are owed, pulse the line again.
 */
void vpit_irq_taken(struct vpit *pit);

#endif /* HVM_VPIT_H */
