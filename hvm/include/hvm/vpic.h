/*
 * Virtual 8259A pair (master at 0x20/0x21, slave at 0xa0/0xa1 cascaded on
 * the master's IR2) with the PIIX/ICH edge/level control registers (ELCR)
 * at 0x4d0/0x4d1.  After the Intel 8259A data sheet (order no. 231468).
 *
 * What the core calls, and when (domain device lock held):
 *
 *   vpic_init()             once, when the domain is built
 *   vpic_io()               guest IN/OUT to 0x20, 0x21, 0xa0, 0xa1, 0x4d0,
 *                           0x4d1 (vplat_io_fn shape, @dev is the vpic)
 *   vpic_set_irq()          from ops->set_irq for ISA IRQs 0-15
 *   vpic_pending_vector()   before entering vCPU 0 when
 *                           vlapic_extint_ok(vCPU 0): if >= 0 and the guest
 *                           can take an interrupt, inject vpic_ack()'s
 *                           vector (the INTA cycle).  The vPIC kicks vCPU 0
 *                           whenever its INT output rises.
 *
 * Linux probes the PIC, then either uses it or masks everything and uses
 * the I/O APIC; both work.
 */
#ifndef HVM_VPIC_H
#define HVM_VPIC_H

#include <hvm/vplat.h>

/* One 8259A; state guarded by the domain's device lock. */
struct vpic_chip {
	uint8_t irr; /* interrupt request register */
	uint8_t isr; /* in-service register */
	uint8_t imr; /* interrupt mask register (OCW1) */
	uint8_t line; /* current input levels, for edge detection */
	uint8_t elcr; /* 1 = level-triggered input (ELCR) */
	uint8_t elcr_mask; /* ELCR bits that exist */
	uint8_t base; /* ICW2: vector of IR0, bits 7:3 */
	uint8_t top; /* IR with the highest priority (rotation) */
	uint8_t icw3; /* cascade configuration, kept for read-back */
	uint8_t init_step; /* 0: ready; 2, 3, 4: expecting ICW2/3/4 */
	bool icw4_needed; /* ICW1 IC4 */
	bool single; /* ICW1 SNGL: no ICW3 */
	bool ltim; /* ICW1 LTIM: all inputs level-triggered */
	bool aeoi; /* ICW4 AEOI */
	bool sfnm; /* ICW4 special fully nested mode */
	bool rotate_aeoi; /* OCW2 rotate in automatic EOI mode */
	bool smm; /* OCW3 special mask mode */
	bool read_isr; /* OCW3 RR/RIS: read ISR instead of IRR */
	bool poll; /* OCW3 P: next read is a poll */
};

struct vpic {
	const struct vplat_ops *ops;
	struct vpic_chip chip[2]; /* master, slave */
	bool output; /* master INT, as last computed */
};

/*
 * Power-on state.  The data sheet leaves it undefined until ICW1; we mimic
 * what PC firmware leaves (vectors 0x08 and 0x70) but with every input
 * masked, so nothing is delivered until the guest programs the pair.
 */
void vpic_init(struct vpic *pic, const struct vplat_ops *ops);

/*
 * Port I/O.  Wider accesses are split into byte accesses at consecutive
 * ports; ports that are not the PIC's read as 0xff.  Always returns 0.
 */
int vpic_io(void *dev, uint64_t port, unsigned int size, bool write,
	    uint64_t *val, uint64_t now_ns);

/*
 * ISA IRQ @irq (0-15) changes level.  IRQ 2 is the cascade and cannot be
 * raised from outside.  Returns -VMI_EINVAL for other numbers.
 */
int vpic_set_irq(struct vpic *pic, unsigned int irq, bool level);

/* Is the master's INT output asserted? */
bool vpic_output(const struct vpic *pic);

/*
 * The vector the next INTA would return, or -1 if INT is not asserted.
 * No side effects.
 */
int vpic_pending_vector(const struct vpic *pic);

/*
 * The INTA cycle: returns the vector and moves the request into ISR (or,
 * in AEOI mode, ends it).  With nothing to acknowledge it returns the IR7
 * vector (a spurious interrupt, data sheet "Interrupt Sequence").
 */
uint8_t vpic_ack(struct vpic *pic);

#endif /* HVM_VPIC_H */
