/*
 * Virtual local APIC of the hardware-assisted container, one per vCPU.
 *
 * Models the xAPIC register page (SDM vol. 3A, 11.4) and the x2APIC MSRs
 * (11.12), the local vector table and timer (11.5), interrupt acceptance,
 * priority and EOI (11.8), and the IPI sender (11.6).  Portable C: the
 * structure is embedded in the vCPU, time arrives as an argument, and
 * everything that leaves the vCPU goes through struct vplat_ops.
 *
 * What the core calls, and when (all with the domain's device lock held):
 *
 *   vlapic_init()            once, when the vCPU is created
 *   vlapic_mmio()            every guest access to vlapic_mmio_base() +
 *                            0..0xfff (nothing is mapped there)
 *   vlapic_msr_read/write()  RDMSR/WRMSR of 0x1b, 0x6e0 and 0x800-0x8ff
 *                            (vlapic_msr_owned()); a negative return means
 *                            "inject #GP(0)"
 *   vlapic_next_deadline()   after any of the above and after vlapic_tick(),
 *                            to (re)arm the vCPU's host timer
 *   vlapic_tick()            when that timer fires (harmless at other times)
 *   vlapic_take_init/sipi/nmi(), vlapic_pending(), vlapic_ack()
 *                            before each VM entry, in that order of
 *                            precedence; vlapic_extint_ok() to decide
 *                            whether the 8259's output reaches vCPU 0
 *   vlapic_route()           from ops->deliver, to hand a message to the
 *                            domain's vLAPICs (it calls vlapic_deliver())
 *
 * Timer clock: the APIC timer counts a 1 GHz "bus clock" divided by the
 * divide configuration register, so one count is 1..128 ns.  CPUID leaf
 * 0x40000010 EBX reports VLAPIC_BUS_KHZ.  TSC-deadline mode compares with
 * the guest TSC, defined as tsc = now_ns * tsc_khz / 10^6; the backends
 * set the hardware TSC offset so that the guest's RDTSC agrees.
 */
#ifndef HVM_VLAPIC_H
#define HVM_VLAPIC_H

#include <hvm/vplat.h>

#define VLAPIC_DEFAULT_BASE 0xfee00000ULL
/* Returned by vlapic_mmio_base() when the page is not decoded. */
#define VLAPIC_NO_MMIO UINT64_MAX

/* Timer input clock before the divider (the "bus clock"): 1 GHz. */
#define VLAPIC_BUS_KHZ 1000000u

/*
 * Version register (SDM 11.4.8): version 0x14 (integrated xAPIC), max LVT
 * entry 5, i.e. six LVTs: timer, thermal, performance counter, LINT0, LINT1
 * and error (no CMCI); bit 24 clear: no EOI-broadcast suppression, so every
 * level-triggered EOI reaches the vIOAPIC.
 */
#define VLAPIC_VERSION 0x00050014u

/* IA32_APIC_BASE (MSR 0x1b) bits, SDM 11.4.4 and 11.12.1. */
#define VLAPIC_BASE_BSP (1ULL << 8)
#define VLAPIC_BASE_EXTD (1ULL << 10)
#define VLAPIC_BASE_EN (1ULL << 11)

#define VLAPIC_MSR_APIC_BASE 0x1bu
#define VLAPIC_MSR_TSC_DEADLINE 0x6e0u
#define VLAPIC_MSR_X2APIC_FIRST 0x800u
#define VLAPIC_MSR_X2APIC_LAST 0x8ffu

/* Local vector table, in register order (offsets 0x320..0x370). */
#define VLAPIC_LVT_TIMER 0
#define VLAPIC_LVT_THERMAL 1
#define VLAPIC_LVT_PERF 2
#define VLAPIC_LVT_LINT0 3
#define VLAPIC_LVT_LINT1 4
#define VLAPIC_LVT_ERROR 5
#define VLAPIC_NR_LVT 6

/* Periodic timer periods shorter than this are stretched (guest DoS). */
#define VLAPIC_MIN_PERIOD_NS 50000u

/* Level-triggered EOI broadcast (SDM 11.8.5), e.g. vioapic_eoi_hook(). */
typedef void (*vlapic_eoi_fn)(void *ctx, uint8_t vector);

struct vlapic_config {
	unsigned int vcpu; /* index handed to ops->kick */
	uint32_t apic_id; /* initial (x2)APIC id */
	bool bsp; /* IA32_APIC_BASE.BSP; APs start in wait-for-SIPI */
	bool x2apic; /* the core advertises x2APIC (CPUID.1:ECX[21]) */
	bool tsc_deadline; /* ... and TSC-deadline (CPUID.1:ECX[24]) */
	uint32_t tsc_khz; /* guest TSC frequency; must be non-zero */
	unsigned int phys_bits; /* guest MAXPHYADDR; 0 means 36 */
	vlapic_eoi_fn eoi; /* may be NULL */
	void *eoi_ctx;
};

/*
 * Per-vCPU state.  Guarded by the domain's device lock; set up by
 * vlapic_init() and thereafter changed only through the functions below.
 */
struct vlapic {
	const struct vplat_ops *ops;
	struct vlapic_config cfg;

	uint64_t apic_base; /* IA32_APIC_BASE */
	uint32_t tpr; /* task priority, bits 7:0 */
	uint32_t ldr; /* xAPIC logical destination (bits 31:24) */
	uint32_t dfr; /* xAPIC destination format (bits 31:28) */
	uint32_t svr; /* spurious-interrupt vector register */
	uint32_t isr[8], tmr[8], irr[8]; /* 256-bit registers, 32 per word */
	uint32_t esr; /* error status as last latched by a write */
	uint32_t esr_pending; /* errors seen since then */
	uint32_t icr_lo, icr_hi;
	uint32_t lvt[VLAPIC_NR_LVT];

	/* Timer (SDM 11.5.4). */
	uint32_t tmict; /* initial count */
	uint32_t tdcr; /* divide configuration */
	bool tmr_armed; /* one-shot/periodic count running */
	uint64_t tmr_next; /* ns when the count next reaches zero */
	uint64_t tsc_deadline; /* IA32_TSC_DEADLINE, 0 = disarmed */

	/* Events the core consumes with vlapic_take_*(). */
	bool nmi_pending, init_pending, sipi_pending, wait_sipi;
	uint8_t sipi_vector;

	bool in_error; /* delivering the LVT error interrupt */
	bool skip_self; /* sending an all-excluding-self IPI */
};

/*
 * Set up @vl in its power-on state (SDM 11.4.7.1): enabled in xAPIC mode at
 * 0xfee00000, software-disabled, all LVTs masked.  Returns -VMI_EINVAL if
 * @cfg is unusable (tsc_khz == 0).
 */
int vlapic_init(struct vlapic *vl, const struct vplat_ops *ops,
		const struct vlapic_config *cfg);

/* Power-on/RESET state again (a domain reset), keeping the configuration. */
void vlapic_reset(struct vlapic *vl);

/*
 * Program what PC firmware leaves behind for a direct kernel boot (MP spec
 * 1.4, 3.6.2.2 "virtual wire mode"): software-enabled, LINT0 = ExtINT,
 * LINT1 = NMI, so the 8259 reaches the BSP before the guest sets up APICs.
 */
void vlapic_virtual_wire(struct vlapic *vl);

/* Guest-physical base of the xAPIC page, or VLAPIC_NO_MMIO (disabled or
 * in x2APIC mode: SDM 11.12.1.2 says the page is then not decoded). */
uint64_t vlapic_mmio_base(const struct vlapic *vl);

/*
 * xAPIC register access, with the vplat_io_fn shape (@dev is the vlapic).
 * Only the low 12 bits of @addr are used.  Registers are 32 bits at 16-byte
 * strides (SDM 11.4.1): narrower reads return the addressed bytes, writes
 * other than a 4- or 8-byte store to the start of a register are dropped.
 * Always returns 0: the guest cannot make an MMIO access fault.
 */
int vlapic_mmio(void *dev, uint64_t addr, unsigned int size, bool write,
		uint64_t *val, uint64_t now_ns);

/* True for the MSRs vlapic_msr_read/write handle. */
bool vlapic_msr_owned(uint32_t msr);

/*
 * RDMSR/WRMSR of IA32_APIC_BASE, IA32_TSC_DEADLINE and the x2APIC range.
 * 0 on success, -VMI_EINVAL when the instruction must raise #GP(0): x2APIC
 * MSRs outside x2APIC mode, reserved/read-only/write-only violations and
 * illegal APIC_BASE transitions (SDM 11.12.1.2, 11.12.5).
 */
int vlapic_msr_read(struct vlapic *vl, uint32_t msr, uint64_t *val,
		    uint64_t now_ns);
int vlapic_msr_write(struct vlapic *vl, uint32_t msr, uint64_t val,
		     uint64_t now_ns);

/* TPR for CR8 (CR8 = TPR[7:4], SDM 11.8.6) and virtual-TPR sync. */
uint8_t vlapic_get_tpr(const struct vlapic *vl);
void vlapic_set_tpr(struct vlapic *vl, uint8_t tpr);

/* Guest TSC at @now_ns as the vLAPIC sees it (see the file comment). */
uint64_t vlapic_guest_tsc(const struct vlapic *vl, uint64_t now_ns);

/* Next timer expiry in ns, or VPLAT_NO_DEADLINE. */
uint64_t vlapic_next_deadline(const struct vlapic *vl);

/*
 * Fire the timer if it is due at @now_ns: one-shot and TSC-deadline timers
 * disarm, periodic ones reload at exact multiples of the period from the
 * start (missed periods are coalesced into one interrupt, as IRR would).
 * Returns the number of timer interrupts raised (0 or 1).
 */
int vlapic_tick(struct vlapic *vl, uint64_t now_ns);

/*
 * Accept a fixed interrupt into IRR (SDM 11.8.1); @level_trig sets its TMR
 * bit.  Vectors 0-15 are refused with "received illegal vector" (ESR bit
 * 6).  Returns true if the IRR bit was newly set (false: coalesced, refused,
 * or the APIC is disabled).  Kicks the vCPU.
 */
bool vlapic_accept(struct vlapic *vl, uint8_t vector, bool level_trig);

/*
 * Hand @vl a message of any delivery mode (VPLAT_DM_*): fixed and lowest
 * go to vlapic_accept(), NMI/INIT/STARTUP set the pending flags below, SMI
 * and ExtINT messages are logged and dropped.
 */
void vlapic_deliver(struct vlapic *vl, uint8_t vector, uint32_t mode,
		    bool level_trig);

/*
 * Does @vl accept a message for @dest?  @dest is an 8-bit xAPIC or 32-bit
 * x2APIC id (physical) or logical MDA (@logical), 0xffffffff = broadcast.
 * Flat and cluster logical models in xAPIC mode (DFR), x2APIC cluster
 * addressing from the derived LDR in x2APIC mode (SDM 11.6.2, 11.12.10).
 */
bool vlapic_match_dest(const struct vlapic *vl, uint32_t dest, bool logical);

/*
 * Platform helper for ops->deliver: offer a message to @n vLAPICs (array
 * index = vCPU number).  Lowest-priority messages go, as fixed, to the
 * lowest-numbered vCPU that matches.  Returns the number of targets.  The
 * platform must route through this (or vlapic_match_dest()) synchronously:
 * an all-excluding-self IPI relies on it to skip the sender.
 */
unsigned int vlapic_route(struct vlapic *const *vls, unsigned int n,
			  uint32_t dest, bool logical, uint8_t vector,
			  uint32_t mode, bool level_trig);

/*
 * Highest-priority vector the vCPU may take now (IRR above PPR, SDM
 * 11.8.3), or -1.  The core injects it when the guest can take interrupts
 * and then calls vlapic_ack() with it, which moves it IRR -> ISR.
 */
int vlapic_pending(const struct vlapic *vl);
void vlapic_ack(struct vlapic *vl, uint8_t vector);

/* NMI: returns and clears the pending flag. */
bool vlapic_take_nmi(struct vlapic *vl);

/*
 * INIT: returns and clears the flag; when true the vLAPIC has already done
 * its INIT reset (SDM 11.4.7.3) and the core must reset the vCPU.  An AP
 * then waits for SIPI; the BSP restarts at the reset vector.
 */
bool vlapic_take_init(struct vlapic *vl);

/* STARTUP: true with the vector (start at vector << 12) once per wait. */
bool vlapic_take_sipi(struct vlapic *vl, uint8_t *vector);

/*
 * Does the 8259's INTR reach this vCPU?  True while the APIC is globally
 * disabled (11.4.3: LINT0 is then the processor's INTR pin) or LINT0 is
 * unmasked in ExtINT mode.  The core then injects vpic_ack()'s vector,
 * outside the APIC's priority scheme.
 */
bool vlapic_extint_ok(const struct vlapic *vl);

#endif /* HVM_VLAPIC_H */
