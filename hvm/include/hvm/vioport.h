/*
 * hvm/vioport.h - a domain's port-I/O dispatch table.
 *
 * Each device model registers the port ranges it decodes with a
 * vplat_io_fn handler; the run loop hands every trapped IN/OUT to
 * vioport_dispatch().  The table does what the ISA/LPC bus does on a PC:
 *
 *  - an access wider than a device's registers, or one that runs past the
 *    end of a registration, is split into naturally sized pieces, low
 *    address first, and the bytes are put together little-endian (an
 *    OUTW to two 8-bit registers writes the low byte to the lower port);
 *  - ports nobody decodes float: reads return all-ones, writes vanish.
 *    Each such port is reported once through ops->log so a guest poking
 *    at absent hardware shows up in the log without flooding it.
 *
 * Handlers are called with the absolute port number in @addr, a @size
 * (1, 2 or 4) no wider than the width they registered, and a range
 * [addr, addr + size) that lies inside their registration.  On a read
 * they store the value in the low @size bytes of *val (the table masks
 * the rest).  They return 0 or a negative VMI error; the table passes the
 * first error back and reads all-ones for the failed piece.
 *
 * Threading: called with the domain's device lock held (hvm/vplat.h);
 * registration happens while the domain is built, before any vCPU runs.
 *
 * Portable: builds freestanding in the hypervisor and on the host.
 */
#ifndef HVM_VIOPORT_H
#define HVM_VIOPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hvm/vplat.h>

/* Registrations per domain: the PC platform needs about a dozen. */
#define VIOPORT_MAX_RANGES 32
#define VIOPORT_NR_PORTS 65536u

struct vioport_range {
	uint16_t base;
	uint16_t len; /* ports, >= 1; base + len <= 0x10000 */
	uint8_t width; /* widest access the handler takes: 1, 2 or 4 */
	vplat_io_fn fn;
	void *dev;
};

struct vioport_table {
	const struct vplat_ops *ops; /* for ->log; set at init */
	unsigned int nr; /* used entries of range[], sorted by base */
	struct vioport_range range[VIOPORT_MAX_RANGES];
	/* One bit per port: an unclaimed access has been logged. */
	uint8_t reported[VIOPORT_NR_PORTS / 8];
};

/* Empty table; @ops (may be NULL) receives the unclaimed-port reports. */
void vioport_init(struct vioport_table *tab, const struct vplat_ops *ops);

/*
 * Claim ports [base, base + len) for @fn(@dev, ...).  @width is the
 * widest access @fn handles (1, 2 or 4); wider accesses are split.
 * Returns 0, -VMI_EINVAL (len 0, range past 0xffff, bad width, no fn),
 * -VMI_EEXIST (overlaps a registration) or -VMI_ENOSPC (table full).
 */
int vioport_register(struct vioport_table *tab, uint16_t base,
		     unsigned int len, unsigned int width, vplat_io_fn fn,
		     void *dev);

/* Drop the registration that starts at @base: 0 or -VMI_ENOENT. */
int vioport_unregister(struct vioport_table *tab, uint16_t base);

/*
 * One guest IN (write = false) or OUT of @size bytes (1, 2 or 4) at
 * @port, at guest time @now_ns.  *val is the value written, or receives
 * the value read (bytes of unclaimed ports read 0xff).  Returns 0, the
 * first handler error, or -VMI_EINVAL for a bad size (reads then give
 * all-ones).
 */
int vioport_dispatch(struct vioport_table *tab, uint16_t port,
		     unsigned int size, bool write, uint32_t *val,
		     uint64_t now_ns);

#endif /* HVM_VIOPORT_H */
