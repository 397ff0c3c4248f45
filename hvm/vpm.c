/*
 * hvm/vpm.c - ACPI PM1a blocks, PM timer, reset register, debug exit,
 * port 0x61 and port 0x80.
 *
 * ACPI references are to ACPI 6.3, section 4.8 (fixed hardware
 * registers); RST_CNT is described in every Intel ICH/PCH data sheet
 * ("Reset Control Register (I/O) 0xCF9"); port 0x61 in the IBM PC/AT
 * Technical Reference ("System Control Port B").
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <hvm/vioport.h>
#include <hvm/vpit.h>
#include <hvm/vplat.h>
#include <hvm/vpm.h>
#include <vmi/errno.h>

#define NSEC_PER_SEC 1000000000ull

/* Status bits that can raise SCI (each has an enable at the same bit). */
#define PM1_SCI_BITS \
	(VPM_PM1_TMR | VPM_PM1_GBL | VPM_PM1_PWRBTN | VPM_PM1_SLPBTN | \
	 VPM_PM1_RTC)
/* Status bits the guest can clear by writing 1. */
#define PM1_STS_BITS (PM1_SCI_BITS | VPM_PM1_BM_STS | VPM_PM1_WAK_STS)

static uint64_t pm_ticks(uint64_t ns)
{
	return ns / NSEC_PER_SEC * VPM_PM_TMR_HZ +
	       ns % NSEC_PER_SEC * VPM_PM_TMR_HZ / NSEC_PER_SEC;
}

static uint64_t pm_ns(uint64_t ticks)
{
	return ticks / VPM_PM_TMR_HZ * NSEC_PER_SEC +
	       (ticks % VPM_PM_TMR_HZ * NSEC_PER_SEC + VPM_PM_TMR_HZ - 1) /
		       VPM_PM_TMR_HZ;
}

static uint64_t pm_timer_ticks(const struct vpm *pm, uint64_t now)
{
	return now > pm->tmr_origin_ns ? pm_ticks(now - pm->tmr_origin_ns) : 0;
}

uint32_t vpm_timer(const struct vpm *pm, uint64_t now_ns)
{
	return (uint32_t)pm_timer_ticks(pm, now_ns);
}

static void pm_update_sci(struct vpm *pm)
{
	bool level = pm->pm1_sts & pm->pm1_en & PM1_SCI_BITS;

	if (level == pm->sci_level)
		return;
	pm->sci_level = level;
	if (pm->ops && pm->ops->set_irq)
		pm->ops->set_irq(pm->ops->ctx, VPM_SCI_IRQ, level);
}

/* TMR_STS: set whenever bit 31 of the timer changes (4.8.2.1). */
static void pm_sync(struct vpm *pm, uint64_t now)
{
	uint64_t flips = pm_timer_ticks(pm, now) >> 31;

	if (flips > pm->tmr_flips) {
		pm->tmr_flips = flips;
		pm->pm1_sts |= VPM_PM1_TMR;
	}
}

static void pm_log(struct vpm *pm, const char *msg)
{
	if (pm->ops && pm->ops->log)
		pm->ops->log(pm->ops->ctx, msg);
}

static void pm_shutdown(struct vpm *pm, int reason, int code)
{
	if (pm->ops && pm->ops->shutdown)
		pm->ops->shutdown(pm->ops->ctx, reason, code);
}

/* PM1_CNT high byte: SLP_TYP and the write-only SLP_EN (4.8.3.2.1). */
static void pm_write_cnt(struct vpm *pm, unsigned int byte, uint8_t v)
{
	unsigned int typ;

	if (byte == 0) {
		/* SCI_EN is fixed at 1; GBL_RLS has no BIOS to tell. */
		pm->pm1_cnt = (uint16_t)((pm->pm1_cnt & 0xff00) |
					 (v & VPM_PM1_CNT_BM_RLD));
		return;
	}
	pm->pm1_cnt = (uint16_t)((pm->pm1_cnt & 0x00ff) |
				 ((v << 8) & VPM_PM1_CNT_SLP_TYP_MASK));
	if (!((v << 8) & VPM_PM1_CNT_SLP_EN))
		return;
	typ = (pm->pm1_cnt & VPM_PM1_CNT_SLP_TYP_MASK) >>
	      VPM_PM1_CNT_SLP_TYP_SHIFT;
	if (typ == VPM_S5_SLP_TYP)
		pm_shutdown(pm, VPLAT_SHUTDOWN_POWEROFF, 0);
	else
		pm_log(pm, "vpm: sleep state other than S5 requested, ignored");
}

static uint8_t pm_read_byte(struct vpm *pm, unsigned int port, uint64_t now)
{
	unsigned int off;
	uint16_t v;

	if (port >= VPM_PM_TMR_BLK && port < VPM_PM_TMR_BLK + VPM_PM_TMR_LEN) {
		off = port - VPM_PM_TMR_BLK;
		return (uint8_t)(vpm_timer(pm, now) >> (8 * off));
	}
	if (port >= VPM_PM1A_CNT_BLK &&
	    port < VPM_PM1A_CNT_BLK + VPM_PM1_CNT_LEN) {
		v = pm->pm1_cnt | VPM_PM1_CNT_SCI_EN;
		return (uint8_t)(v >> (8 * (port - VPM_PM1A_CNT_BLK)));
	}
	off = port - VPM_PM1A_EVT_BLK; /* 0..3 */
	v = off < 2 ? pm->pm1_sts : pm->pm1_en;
	return (uint8_t)(v >> (8 * (off & 1)));
}

static void pm_write_byte(struct vpm *pm, unsigned int port, uint8_t v)
{
	unsigned int off;
	uint16_t mask;

	if (port >= VPM_PM_TMR_BLK && port < VPM_PM_TMR_BLK + VPM_PM_TMR_LEN)
		return; /* read only */
	if (port >= VPM_PM1A_CNT_BLK &&
	    port < VPM_PM1A_CNT_BLK + VPM_PM1_CNT_LEN) {
		pm_write_cnt(pm, port - VPM_PM1A_CNT_BLK, v);
		return;
	}
	off = port - VPM_PM1A_EVT_BLK;
	mask = (uint16_t)(v << (8 * (off & 1)));
	if (off < 2) /* status: write 1 to clear */
		pm->pm1_sts &= (uint16_t)~(mask & PM1_STS_BITS);
	else
		pm->pm1_en = (uint16_t)((pm->pm1_en & ~(0xff << (8 * (off & 1)))) |
					(mask & PM1_SCI_BITS));
}

static uint8_t pm_read_sysctl(struct vpm *pm, uint64_t now)
{
	uint8_t v = pm->sysctl;

	if ((now / VPM_REFRESH_NS) & 1)
		v |= VPM_SYSCTL_REFRESH;
	if (pm->pit && vpit_get_out(pm->pit, 2, now))
		v |= VPM_SYSCTL_OUT2;
	return v;
}

static void pm_write_sysctl(struct vpm *pm, uint8_t v, uint64_t now)
{
	pm->sysctl = v & VPM_SYSCTL_RW_MASK;
	if (pm->pit)
		vpit_set_gate(pm->pit, 2, v & VPM_SYSCTL_GATE2, now);
}

/*
 * 0xcf8-0xcff: PCI configuration mechanism #1 (PCI Local Bus 3.0,
 * 3.2.2.3.2) with no bus behind it, sharing its ports with RST_CNT the
 * way an Intel ICH/PCH or AMD FCH does.  Only a dword access to 0xcf8 is
 * CONFIG_ADDRESS (it reads back what was written); only a byte access to
 * 0xcf9 is RST_CNT.  Everything else, and CONFIG_DATA at 0xcfc-0xcff
 * whatever CONFIG_ADDRESS says, finds no device: reads all ones, writes
 * dropped.  So Linux's pci_check_type1() sees mechanism #1 and its bus
 * scan finds every vendor ID 0xffff, and a dword probe of 0xcf8 no
 * longer reaches the reset register through its second byte.
 */
static int pm_conf1(struct vpm *pm, unsigned int p, unsigned int size,
		    bool write, uint64_t *val)
{
	if (p == VPM_PCI_CONF1_PORT && size == 4) {
		if (write)
			pm->pci_addr = (uint32_t)*val;
		else
			*val = pm->pci_addr;
		return 0;
	}
	if (p == VPM_RESET_PORT && size == 1) {
		if (!write) {
			*val = pm->rst_cnt;
			return 0;
		}
		pm->rst_cnt = (uint8_t)(*val & (VPM_RST_SYS_RST |
						VPM_RST_FULL_RST));
		/* RST_CPU going to 1 resets; it always reads back 0. */
		if (*val & VPM_RST_RST_CPU)
			pm_shutdown(pm, VPLAT_SHUTDOWN_REBOOT, 0);
		return 0;
	}
	if (!write)
		*val = ~0ull;
	return 0;
}

int vpm_io(void *dev, uint64_t port, unsigned int size, bool write,
	   uint64_t *val, uint64_t now_ns)
{
	struct vpm *pm = dev;
	unsigned int p = (unsigned int)port, i;
	uint64_t v = 0;

	switch (p) {
	case VPM_SYSCTL_PORT:
		if (write)
			pm_write_sysctl(pm, (uint8_t)*val, now_ns);
		else
			*val = pm_read_sysctl(pm, now_ns);
		return 0;
	case VPM_POST_PORT:
		if (write)
			pm->post_code = (uint8_t)*val;
		else
			*val = 0xff;
		return 0;
	default:
		break;
	}

	if (p >= VPM_PCI_CONF1_PORT && p < VPM_PCI_CONF1_PORT + VPM_PCI_CONF1_LEN)
		return pm_conf1(pm, p, size, write, val);

	if (p >= VPM_DEBUG_EXIT_PORT &&
	    p < VPM_DEBUG_EXIT_PORT + VPM_DEBUG_EXIT_LEN) {
		if (write)
			pm_shutdown(pm, VPLAT_SHUTDOWN_DEBUG_EXIT, (int)*val);
		else
			*val = ~0ull;
		return 0;
	}

	/* The ACPI blocks: byte lanes, little-endian. */
	pm_sync(pm, now_ns);
	for (i = 0; i < size && i < 4; i++) {
		if (write)
			pm_write_byte(pm, p + i, (uint8_t)(*val >> (8 * i)));
		else
			v |= (uint64_t)pm_read_byte(pm, p + i, now_ns) << (8 * i);
	}
	if (!write)
		*val = v;
	pm_update_sci(pm);
	return 0;
}

void vpm_init(struct vpm *pm, const struct vplat_ops *ops, struct vpit *pit,
	      uint64_t now_ns)
{
	memset(pm, 0, sizeof(*pm));
	pm->ops = ops;
	pm->pit = pit;
	pm->tmr_origin_ns = now_ns;
	pm->post_code = 0xff;
}

int vpm_register(struct vpm *pm, struct vioport_table *tab)
{
	static const struct {
		uint16_t base, len, width;
	} r[] = {
		{ VPM_PM1A_EVT_BLK, VPM_PM1_EVT_LEN, 2 },
		{ VPM_PM1A_CNT_BLK, VPM_PM1_CNT_LEN, 2 },
		{ VPM_PM_TMR_BLK, VPM_PM_TMR_LEN, 4 },
		{ VPM_PCI_CONF1_PORT, VPM_PCI_CONF1_LEN, 4 }, /* and 0xcf9 */
		{ VPM_DEBUG_EXIT_PORT, VPM_DEBUG_EXIT_LEN, 4 },
		{ VPM_SYSCTL_PORT, 1, 1 },
		{ VPM_POST_PORT, 1, 1 },
	};
	unsigned int i;
	int rc;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		rc = vioport_register(tab, r[i].base, r[i].len, r[i].width,
				      vpm_io, pm);
		if (rc)
			goto undo;
	}
	return 0;

undo:
	while (i--)
		vioport_unregister(tab, r[i].base);
	return rc;
}

void vpm_power_button(struct vpm *pm, uint64_t now_ns)
{
	pm_sync(pm, now_ns);
	pm->pm1_sts |= VPM_PM1_PWRBTN;
	pm_update_sci(pm);
}

uint64_t vpm_next_deadline(const struct vpm *pm)
{
	if (!(pm->pm1_en & VPM_PM1_TMR) || pm->pm1_sts & VPM_PM1_TMR)
		return VPLAT_NO_DEADLINE;
	return pm->tmr_origin_ns + pm_ns((pm->tmr_flips + 1) << 31);
}

void vpm_tick(struct vpm *pm, uint64_t now_ns)
{
	pm_sync(pm, now_ns);
	pm_update_sci(pm);
}
