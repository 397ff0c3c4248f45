/*
 * A fake platform for the virtual interrupt controllers: up to four vCPUs
 * with vLAPICs, one vIOAPIC and one vPIC, wired as the core wires them,
 * with every message, kick, EOI broadcast and log line recorded.
 */
#ifndef VIRQ_FAKE_H
#define VIRQ_FAKE_H

#include "unit.h"
#include <hvm/vioapic.h>
#include <hvm/vlapic.h>
#include <hvm/vpic.h>
#include <vmi/errno.h>

#define FAKE_VCPUS 4
#define FAKE_LOG 64

struct fake_msg {
	uint32_t dest;
	bool logical;
	uint8_t vector;
	uint32_t mode;
	bool level;
};

struct fake {
	struct vplat_ops ops;
	unsigned int nr;
	struct vlapic vl[FAKE_VCPUS];
	struct vlapic *vls[FAKE_VCPUS];
	struct vioapic io;
	struct vpic pic;
	bool route; /* ops->deliver hands messages to the vLAPICs */
	struct fake_msg msg[FAKE_LOG];
	unsigned int nmsg;
	unsigned int kicks[FAKE_VCPUS];
	uint8_t eoi[FAKE_LOG];
	unsigned int neoi;
	unsigned int nlog;
};

extern struct fake F;

/* Fresh platform: @nr vCPUs with APIC ids 0..nr-1, vCPU 0 the BSP. */
void fake_setup(unsigned int nr, bool x2apic, bool tsc_deadline,
		uint32_t tsc_khz);
/* Software-enable a vLAPIC (SVR = 0x1ff). */
void fake_sw_enable(struct vlapic *vl);

/* xAPIC register read/write (4 bytes) at time 0. */
uint32_t xr(struct vlapic *vl, unsigned int off);
void xw(struct vlapic *vl, unsigned int off, uint32_t val);
uint32_t xr_at(struct vlapic *vl, unsigned int off, uint64_t now);
void xw_at(struct vlapic *vl, unsigned int off, uint32_t val, uint64_t now);

/* IRR/ISR/TMR bit tests. */
bool irr(const struct vlapic *vl, unsigned int v);
bool isr(const struct vlapic *vl, unsigned int v);
bool tmr(const struct vlapic *vl, unsigned int v);

/* vIOAPIC register access through IOREGSEL/IOWIN. */
uint32_t ior(unsigned int reg);
void iow(unsigned int reg, uint32_t val);
/* Program redirection entry @pin. */
void io_rte(unsigned int pin, uint64_t rte);

/* vPIC ports. */
uint8_t pin8(uint16_t port);
void pout8(uint16_t port, uint8_t val);

/* Linux 6.1 init_8259A(0) followed by the given masks. */
void linux_init_8259a(uint8_t master_mask, uint8_t slave_mask);

/* Suite registration, one per file. */
void register_vlapic_regs(void);
void register_vlapic_irq(void);
void register_vlapic_timer(void);
void register_vioapic(void);
void register_vpic(void);
void register_garbage(void);

#define ADD(s, t) CU_add_test((s), #t, (t))

#endif
