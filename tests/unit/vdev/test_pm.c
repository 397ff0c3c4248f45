/*
 * hvm/vpm.c: ACPI poweroff and reset, PM timer rate, SCI, isa-debug-exit,
 * port 0x61 and port 0x80; the ports agree with the ACPI tables.
 */
#include "unit.h"
#include "vdev_test.h"

#include <hvm/acpi-build.h>

/* The contract with hvm/acpi-build.h (the FADT and the DSDT). */
_Static_assert(VPM_PM1A_EVT_BLK == ACPI_BUILD_PM1A_EVT_BLK, "PM1a_EVT");
_Static_assert(VPM_PM1_EVT_LEN == ACPI_BUILD_PM1_EVT_LEN, "PM1_EVT_LEN");
_Static_assert(VPM_PM1A_CNT_BLK == ACPI_BUILD_PM1A_CNT_BLK, "PM1a_CNT");
_Static_assert(VPM_PM1_CNT_LEN == ACPI_BUILD_PM1_CNT_LEN, "PM1_CNT_LEN");
_Static_assert(VPM_PM_TMR_BLK == ACPI_BUILD_PM_TMR_BLK, "PM_TMR");
_Static_assert(VPM_PM_TMR_LEN == ACPI_BUILD_PM_TMR_LEN, "PM_TMR_LEN");
_Static_assert(VPM_PM_TMR_HZ == ACPI_BUILD_PM_TMR_HZ, "PM_TMR_HZ");
_Static_assert(VPM_S5_SLP_TYP == ACPI_BUILD_S5_SLP_TYP, "S5 SLP_TYP");
_Static_assert(VPM_PM1_CNT_SLP_EN == ACPI_BUILD_PM1_CNT_SLP_EN, "SLP_EN");
_Static_assert(VPM_PM1_CNT_SLP_TYP_SHIFT == ACPI_BUILD_PM1_CNT_SLP_TYP_SHIFT,
	       "SLP_TYP");
_Static_assert(VPM_RESET_PORT == ACPI_BUILD_RESET_PORT, "RESET_REG");
_Static_assert(VPM_SCI_IRQ == ACPI_BUILD_SCI_IRQ, "SCI");

#define SEC 1000000000ull

static void test_poweroff(void)
{
	vdev_setup();
	/* ACPI is always on. */
	CU_ASSERT_EQUAL(pin(0x604, 2, T0) & 1, 1);
	/* acpi_hw_legacy_sleep(): clear status, SLP_TYP, then SLP_EN. */
	pout(0x600, 2, 0xffff, T0);
	pout(0x604, 2, 5 << 10, T0);
	CU_ASSERT_EQUAL(vd.fake.nr_shutdown, 0);
	CU_ASSERT_EQUAL(pin(0x604, 2, T0), (5 << 10) | 1);
	pout(0x604, 2, 5 << 10 | 1 << 13, T0);
	CU_ASSERT_EQUAL(vd.fake.nr_shutdown, 1);
	CU_ASSERT_EQUAL(vd.fake.shutdown_reason, VPLAT_SHUTDOWN_POWEROFF);
	/* SLP_EN is write only. */
	CU_ASSERT_EQUAL(pin(0x604, 2, T0) & (1 << 13), 0);
	/* Another sleep type is refused and logged. */
	pout(0x604, 2, 1 << 10 | 1 << 13, T0);
	CU_ASSERT_EQUAL(vd.fake.nr_shutdown, 1);
	CU_ASSERT_EQUAL(vd.fake.nr_log, 1);
	/* Byte access to the high byte does it too. */
	out8(0x605, (5 << 2) | (1 << 5), T0);
	CU_ASSERT_EQUAL(vd.fake.nr_shutdown, 2);
	/* A 32-bit write to PM1a_CNT (len 2): low half reaches it. */
	pout(0x604, 4, 5 << 10 | 1 << 13, T0);
	CU_ASSERT_EQUAL(vd.fake.nr_shutdown, 3);
}

static void test_reset(void)
{
	vdev_setup();
	out8(0xcf9, 0x02, T0); /* SYS_RST alone: arm, no reset */
	CU_ASSERT_EQUAL(vd.fake.nr_shutdown, 0);
	CU_ASSERT_EQUAL(in8(0xcf9, T0), 0x02);
	out8(0xcf9, 0x06, T0); /* the FADT's RESET_VALUE */
	CU_ASSERT_EQUAL(vd.fake.nr_shutdown, 1);
	CU_ASSERT_EQUAL(vd.fake.shutdown_reason, VPLAT_SHUTDOWN_REBOOT);
	out8(0xcf9, 0x0e, T0);
	CU_ASSERT_EQUAL(vd.fake.nr_shutdown, 2);
	CU_ASSERT_EQUAL(in8(0xcf9, T0), 0x0a);
}

/*
 * PCI mechanism #1 without devices: Linux's pci_check_type1() and a bus
 * scan.  A dword at 0xcf8 must not reach RST_CNT through its second
 * byte (0x80000400: bus 0, device 0, function 4, RST_CPU in byte 1).
 */
static void test_pci_conf1(void)
{
	vdev_setup();
	out8(0xcfb, 0x01, T0); /* pci_check_type1(): a byte write first */
	pout(0xcf8, 4, 0x80000000u, T0);
	CU_ASSERT_EQUAL(pin(0xcf8, 4, T0), 0x80000000u);
	for (uint32_t fn = 0; fn < 8; fn++) {
		pout(0xcf8, 4, 0x80000000u | fn << 8, T0);
		CU_ASSERT_EQUAL(pin(0xcf8, 4, T0), 0x80000000u | fn << 8);
		CU_ASSERT_EQUAL(pin(0xcfc, 4, T0), 0xffffffffu);
		CU_ASSERT_EQUAL(pin(0xcfe, 2, T0), 0xffff);
		CU_ASSERT_EQUAL(in8(0xcff, T0), 0xff);
		pout(0xcfc, 4, 0x12345678u, T0);
		CU_ASSERT_EQUAL(pin(0xcfc, 4, T0), 0xffffffffu);
	}
	pout(0xcf8, 4, 0x0e0e0e0eu, T0); /* every byte with RST_CPU */
	CU_ASSERT_EQUAL(pin(0xcf8, 4, T0), 0x0e0e0e0eu);
	CU_ASSERT_EQUAL(vd.fake.nr_shutdown, 0);
	/* Word accesses are not RST_CNT either, nor CONFIG_ADDRESS. */
	pout(0xcf8, 2, 0x0606, T0);
	pout(0xcf9, 2, 0x0606, T0);
	CU_ASSERT_EQUAL(vd.fake.nr_shutdown, 0);
	CU_ASSERT_EQUAL(pin(0xcf8, 2, T0), 0xffff);
	CU_ASSERT_EQUAL(pin(0xcf8, 4, T0), 0x0e0e0e0eu);
	/* The byte at 0xcf9 still is. */
	CU_ASSERT_EQUAL(in8(0xcf9, T0), 0x00);
	out8(0xcf9, 0x06, T0);
	CU_ASSERT_EQUAL(vd.fake.nr_shutdown, 1);
	CU_ASSERT_EQUAL(vd.fake.nr_log, 0);
}

static void test_debug_exit(void)
{
	vdev_setup();
	out8(0xf4, 0x10, T0);
	CU_ASSERT_EQUAL(vd.fake.nr_shutdown, 1);
	CU_ASSERT_EQUAL(vd.fake.shutdown_reason, VPLAT_SHUTDOWN_DEBUG_EXIT);
	CU_ASSERT_EQUAL(vd.fake.shutdown_code, 0x10);
	pout(0xf4, 4, 0x31, T0);
	CU_ASSERT_EQUAL(vd.fake.nr_shutdown, 2);
	CU_ASSERT_EQUAL(vd.fake.shutdown_code, 0x31);
	CU_ASSERT_EQUAL(in8(0xf4, T0), 0xff);
	CU_ASSERT_EQUAL(vd.fake.nr_shutdown, 2);
}

static void test_pm_timer(void)
{
	uint32_t a, b;

	vdev_setup();
	CU_ASSERT_EQUAL(pin(0x608, 4, T0), 0);
	CU_ASSERT_EQUAL(pin(0x608, 4, T0 + SEC), 3579545);
	CU_ASSERT_EQUAL(pin(0x608, 4, T0 + SEC / 1000), 3579);
	CU_ASSERT_EQUAL(pin(0x608, 4, T0 + 279), 0);
	CU_ASSERT_EQUAL(pin(0x608, 4, T0 + 280), 1);
	/* Rate over a long run, as clocksource verification does. */
	a = pin(0x608, 4, T0 + 7 * SEC + 123);
	b = pin(0x608, 4, T0 + 17 * SEC + 123);
	CU_ASSERT_EQUAL(b - a, 35795450);
	/* 32 bits: wraps after 2^32 ticks (about 20 minutes). */
	CU_ASSERT_EQUAL(pin(0x608, 4, T0 + 1200 * SEC),
			(uint32_t)(3579545ull * 1200));
	/* Byte and word reads see the same count. */
	CU_ASSERT_EQUAL(pin(0x609, 1, T0 + SEC), (3579545 >> 8) & 0xff);
	CU_ASSERT_EQUAL(pin(0x60a, 2, T0 + SEC), 3579545 >> 16);
	/* Read only. */
	pout(0x608, 4, 0, T0 + SEC);
	CU_ASSERT_EQUAL(pin(0x608, 4, T0 + SEC), 3579545);
	CU_ASSERT_EQUAL(vpm_timer(&vd.pm, T0 + 2 * SEC), 2 * 3579545);
}

static void test_sci(void)
{
	uint64_t d;

	vdev_setup();
	CU_ASSERT_EQUAL(vpm_next_deadline(&vd.pm), VPLAT_NO_DEADLINE);
	/* TMR_EN: SCI when bit 31 of the timer flips. */
	pout(0x602, 2, 0x0001, T0);
	CU_ASSERT_EQUAL(pin(0x602, 2, T0), 0x0001);
	d = vpm_next_deadline(&vd.pm);
	CU_ASSERT_EQUAL(d, T0 + ticks_ns(1ull << 31, 3579545));
	vpm_tick(&vd.pm, d - 1);
	CU_ASSERT_FALSE(vd.fake.level[9]);
	vpm_tick(&vd.pm, d);
	CU_ASSERT_TRUE(vd.fake.level[9]);
	CU_ASSERT_EQUAL(pin(0x600, 2, d), 0x0001);
	CU_ASSERT_EQUAL(vpm_next_deadline(&vd.pm), VPLAT_NO_DEADLINE);
	/* Write 1 to clear. */
	pout(0x600, 2, 0x0001, d);
	CU_ASSERT_FALSE(vd.fake.level[9]);
	CU_ASSERT_EQUAL(vpm_next_deadline(&vd.pm),
			T0 + ticks_ns(2ull << 31, 3579545));

	/* Power button: status always, SCI only when enabled. */
	vpm_power_button(&vd.pm, d);
	CU_ASSERT_FALSE(vd.fake.level[9]);
	CU_ASSERT_EQUAL(pin(0x600, 2, d) & 0x0100, 0x0100);
	pout(0x602, 2, 0x0100, d);
	CU_ASSERT_TRUE(vd.fake.level[9]);
	/* A 32-bit write to PM1_EVT: status (W1C) then enable. */
	pout(0x600, 4, 0x00000100, d);
	CU_ASSERT_FALSE(vd.fake.level[9]);
	CU_ASSERT_EQUAL(pin(0x600, 4, d), 0);
	CU_ASSERT_FALSE(vd.fake.bad_irq);
}

static void test_port61_and_80(void)
{
	uint8_t v;

	vdev_setup();
	v = in8(0x61, T0);
	CU_ASSERT_EQUAL(v & 0xcf, 0x00);
	/* Speaker and parity bits read back; bits 4-7 are status. */
	out8(0x61, 0xfe, T0);
	CU_ASSERT_EQUAL(in8(0x61, T0) & 0xcf, 0x0e);
	/* Refresh toggles every 15 us. */
	v = in8(0x61, T0);
	CU_ASSERT_NOT_EQUAL(in8(0x61, T0 + 15085) & 0x10, v & 0x10);
	/* Port 0x80 swallows writes (I/O delay) and reads 0xff. */
	out8(0x80, 0x42, T0);
	CU_ASSERT_EQUAL(in8(0x80, T0), 0xff);
	CU_ASSERT_EQUAL(vd.pm.post_code, 0x42);
	CU_ASSERT_EQUAL(vd.fake.nr_log, 0);
	/* No PIT attached: OUT2 reads low, GATE goes nowhere. */
	vpm_init(&vd.pm, &vd.fake.ops, NULL, T0);
	CU_ASSERT_EQUAL(vpm_io(&vd.pm, 0x61, 1, true, &(uint64_t){ 1 }, T0),
			0);
	CU_ASSERT_EQUAL(in8(0x61, T0) & 0x20, 0);
}

void register_pm_tests(void)
{
	CU_pSuite s = CU_add_suite("vpm", NULL, NULL);

	CU_add_test(s, "ACPI S5 poweroff", test_poweroff);
	CU_add_test(s, "reset register 0xcf9", test_reset);
	CU_add_test(s, "PCI mechanism #1, no devices", test_pci_conf1);
	CU_add_test(s, "isa-debug-exit", test_debug_exit);
	CU_add_test(s, "PM timer", test_pm_timer);
	CU_add_test(s, "SCI: timer and power button", test_sci);
	CU_add_test(s, "ports 0x61 and 0x80", test_port61_and_80);
}
