/*
 * Virtual PC devices (hvm/vioport.c, vpit.c, vrtc.c, vuart.c, vpm.c):
 * the fake platform ops and the suite list.
 */
#include "unit.h"
#include "vdev_test.h"

#include <string.h>

struct vdev vd;

static void fake_set_irq(void *ctx, unsigned int gsi, bool level)
{
	struct fake *f = ctx;

	if (gsi >= FAKE_NR_GSI) {
		f->bad_irq = true;
		return;
	}
	/* Devices report changes only: a repeat is a model bug. */
	if (level == f->level[gsi])
		f->bad_irq = true;
	if (level && !f->level[gsi])
		f->rises[gsi]++;
	f->level[gsi] = level;
	f->calls[gsi]++;
}

static void fake_console(void *ctx, const char *buf, size_t len)
{
	struct fake *f = ctx;

	if (f->console_len + len > sizeof(f->console))
		len = sizeof(f->console) - f->console_len;
	memcpy(f->console + f->console_len, buf, len);
	f->console_len += len;
}

static void fake_shutdown(void *ctx, int reason, int code)
{
	struct fake *f = ctx;

	f->nr_shutdown++;
	f->shutdown_reason = reason;
	f->shutdown_code = code;
}

static void fake_log(void *ctx, const char *msg)
{
	struct fake *f = ctx;

	if (f->nr_log < FAKE_MAX_LOG)
		snprintf(f->log[f->nr_log], sizeof(f->log[0]), "%s", msg);
	f->nr_log++;
}

void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->ops.ctx = f;
	f->ops.set_irq = fake_set_irq;
	f->ops.console = fake_console;
	f->ops.shutdown = fake_shutdown;
	f->ops.log = fake_log;
}

void vdev_setup(void)
{
	memset(&vd, 0, sizeof(vd));
	fake_init(&vd.fake);
	vioport_init(&vd.tab, &vd.fake.ops);
	vpit_init(&vd.pit, &vd.fake.ops, T0);
	vrtc_init(&vd.rtc, &vd.fake.ops, EPOCH0, T0);
	vuart_init(&vd.com1, &vd.fake.ops, VUART_COM1_BASE, VUART_COM1_IRQ);
	vpm_init(&vd.pm, &vd.fake.ops, &vd.pit, T0);
	CU_ASSERT_EQUAL(vpit_register(&vd.pit, &vd.tab), 0);
	CU_ASSERT_EQUAL(vrtc_register(&vd.rtc, &vd.tab), 0);
	CU_ASSERT_EQUAL(vuart_register(&vd.com1, &vd.tab), 0);
	CU_ASSERT_EQUAL(vpm_register(&vd.pm, &vd.tab), 0);
}

uint32_t pin(uint16_t port, unsigned int size, uint64_t now)
{
	uint32_t v = 0x5a5a5a5a;

	CU_ASSERT_EQUAL(vioport_dispatch(&vd.tab, port, size, false, &v, now),
			0);
	return v;
}

void pout(uint16_t port, unsigned int size, uint32_t val, uint64_t now)
{
	CU_ASSERT_EQUAL(vioport_dispatch(&vd.tab, port, size, true, &val, now),
			0);
}

uint64_t ticks_ns(uint64_t ticks, uint64_t hz)
{
	return (ticks * 1000000000ull + hz - 1) / hz;
}

void unit_register(void)
{
	register_ioport_tests();
	register_pit_tests();
	register_rtc_tests();
	register_uart_tests();
	register_pm_tests();
	register_garbage_tests();
}

UNIT_MAIN
