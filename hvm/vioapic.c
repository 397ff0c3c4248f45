/*
 * Virtual I/O APIC.
 *
 * References are to the Intel 82093AA I/O APIC data sheet: 3.1 (IOREGSEL
 * and IOWIN), 3.2.1-3.2.3 (ID, version, arbitration) and 3.2.4 (the
 * redirection table).  The pin index always comes from a bounded check,
 * never straight from IOREGSEL, so no guest value reaches past rte[].
 */
#include <hvm/vioapic.h>
#include <string.h>
#include <vmi/errno.h>

#define IOREGSEL 0x00
#define IOWIN 0x10

#define REG_ID 0x00
#define REG_VER 0x01
#define REG_ARB 0x02
#define REG_RTE 0x10

/* Redirection entry fields, 3.2.4. */
#define RTE_VECTOR 0xffull
#define RTE_DM(e) (((e) >> 8) & 7)
#define RTE_LOGICAL (1ull << 11)
#define RTE_DELIVS (1ull << 12) /* delivery status, RO */
#define RTE_POLARITY (1ull << 13)
#define RTE_REMOTE_IRR (1ull << 14) /* RO */
#define RTE_LEVEL (1ull << 15)
#define RTE_MASKED (1ull << 16)
#define RTE_DEST(e) ((uint32_t)((e) >> 56))
/* Writable bits: everything above but the two read-only ones, and the
 * destination field 63:56 (bits 55:17 are reserved). */
#define RTE_WMASK 0xff0000000001afffull

#define BROADCAST 0xffffffffu

static void iolog(const struct vioapic *io, const char *msg)
{
	if (io->ops && io->ops->log)
		io->ops->log(io->ops->ctx, msg);
}

void vioapic_init(struct vioapic *io, const struct vplat_ops *ops, uint8_t id)
{
	unsigned int i;

	memset(io, 0, sizeof(*io));
	io->ops = ops;
	io->id = id & 0xf;
	io->arb = io->id;
	/* 3.2.4: the mask bit is set after reset. */
	for (i = 0; i < VIOAPIC_PINS; i++)
		io->rte[i] = RTE_MASKED;
}

/*
 * Only fixed and lowest-priority messages use remote IRR; SMI, NMI, INIT
 * and ExtINT are always edge (3.2.4, delivery mode), whatever bit 15 says.
 */
static bool rte_is_level(uint64_t e)
{
	uint32_t dm = RTE_DM(e);

	return (e & RTE_LEVEL) &&
	       (dm == VPLAT_DM_FIXED || dm == VPLAT_DM_LOWEST);
}

/* Send pin @pin's message; for level entries set remote IRR. */
static void service(struct vioapic *io, unsigned int pin)
{
	uint64_t e = io->rte[pin];
	uint32_t dm = RTE_DM(e), dest = RTE_DEST(e);
	bool level = rte_is_level(e);

	if (dm == 3 || dm == 6) {
		iolog(io, "vioapic: reserved delivery mode, message dropped");
		return;
	}
	if (level)
		io->rte[pin] |= RTE_REMOTE_IRR;
	/* 0xff is the broadcast id in both destination modes. */
	if (dest == 0xff)
		dest = BROADCAST;
	if (io->ops && io->ops->deliver)
		io->ops->deliver(io->ops->ctx, dest, e & RTE_LOGICAL,
				 (uint8_t)(e & RTE_VECTOR), dm, level);
}

/* Level entries fire while asserted, unmasked and not awaiting EOI. */
static void check_level(struct vioapic *io, unsigned int pin)
{
	uint64_t e = io->rte[pin];

	if (!rte_is_level(e) || (e & (RTE_MASKED | RTE_REMOTE_IRR)))
		return;
	if (io->line & (1u << pin))
		service(io, pin);
}

int vioapic_set_irq(struct vioapic *io, unsigned int gsi, bool level)
{
	uint32_t bit;
	bool was;
	uint64_t e;

	if (gsi >= VIOAPIC_PINS)
		return -VMI_EINVAL;
	bit = 1u << gsi;
	was = io->line & bit;
	if (level)
		io->line |= bit;
	else
		io->line &= ~bit;
	e = io->rte[gsi];
	if (rte_is_level(e)) {
		check_level(io, gsi);
		return 0;
	}
	/* 3.2.4 mask bit: edges on a masked pin are lost, not held. */
	if (level && !was && !(e & RTE_MASKED))
		service(io, gsi);
	return 0;
}

void vioapic_eoi(struct vioapic *io, uint8_t vector)
{
	unsigned int pin;

	for (pin = 0; pin < VIOAPIC_PINS; pin++) {
		uint64_t e = io->rte[pin];

		if ((e & RTE_VECTOR) != vector || !(e & RTE_REMOTE_IRR))
			continue;
		/* 3.2.4 bit 14: cleared by an EOI with a matching vector. */
		io->rte[pin] &= ~RTE_REMOTE_IRR;
		check_level(io, pin);
	}
}

void vioapic_eoi_hook(void *ctx, uint8_t vector)
{
	vioapic_eoi(ctx, vector);
}

static uint32_t reg_read(const struct vioapic *io, uint8_t reg)
{
	unsigned int pin;

	switch (reg) {
	case REG_ID:
		return (uint32_t)io->id << 24;
	case REG_VER:
		/* 3.2.2: version in 7:0, maximum redirection entry in 23:16. */
		return VIOAPIC_VERSION | (VIOAPIC_PINS - 1) << 16;
	case REG_ARB:
		return (uint32_t)io->arb << 24;
	}
	if (reg < REG_RTE || reg >= REG_RTE + 2 * VIOAPIC_PINS)
		return 0;
	pin = (reg - REG_RTE) / 2;
	if (reg & 1)
		return (uint32_t)(io->rte[pin] >> 32);
	return (uint32_t)io->rte[pin];
}

static void rte_write(struct vioapic *io, unsigned int pin, bool high,
		      uint32_t val)
{
	uint64_t old = io->rte[pin], e;

	if (high)
		e = (old & 0xffffffffull) | (uint64_t)val << 32;
	else
		e = (old & ~0xffffffffull) | val;
	e = (e & RTE_WMASK) | (old & (RTE_DELIVS | RTE_REMOTE_IRR));
	/*
	 * An edge entry has no remote IRR (3.2.4 bit 14 is "undefined for
	 * edge"): switching to edge clears it.  Linux relies on this to end
	 * a level interrupt on I/O APICs older than version 0x20, which have
	 * no EOI register (__eoi_ioapic_pin()).
	 */
	if (!(e & RTE_LEVEL))
		e &= ~RTE_REMOTE_IRR;
	io->rte[pin] = e;
	/* A level line still asserted fires once it is unmasked. */
	check_level(io, pin);
}

static void reg_write(struct vioapic *io, uint8_t reg, uint32_t val)
{
	switch (reg) {
	case REG_ID:
		/* 3.2.1/3.2.3: 4-bit id; the arbitration id follows it. */
		io->id = (val >> 24) & 0xf;
		io->arb = io->id;
		return;
	case REG_VER:
	case REG_ARB:
		return; /* read-only */
	}
	if (reg < REG_RTE || reg >= REG_RTE + 2 * VIOAPIC_PINS) {
		iolog(io, "vioapic: write to a reserved register");
		return;
	}
	rte_write(io, (reg - REG_RTE) / 2, reg & 1, val);
}

int vioapic_mmio(void *dev, uint64_t addr, unsigned int size, bool write,
		 uint64_t *val, uint64_t now_ns)
{
	struct vioapic *io = dev;
	unsigned int off = addr & 0xff, byte = off & 3;
	uint64_t size_mask;
	uint32_t r = 0;

	(void)now_ns;
	if (!io || !val)
		return 0;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		size = 4;
	size_mask = size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
	if (!write) {
		if ((off & ~3u) == IOREGSEL)
			r = io->ioregsel;
		else if ((off & ~3u) == IOWIN)
			r = reg_read(io, io->ioregsel);
		*val = ((uint64_t)r >> (byte * 8)) & size_mask;
		return 0;
	}
	/* 3.1.1: IOREGSEL bits 7:0 select the register; any width works. */
	if (off == IOREGSEL) {
		io->ioregsel = (uint8_t)*val;
		return 0;
	}
	/* 3.1.2: IOWIN is accessed as a dword. */
	if (off == IOWIN && size >= 4) {
		reg_write(io, io->ioregsel, (uint32_t)*val);
		return 0;
	}
	iolog(io, "vioapic: unsupported MMIO write dropped");
	return 0;
}
