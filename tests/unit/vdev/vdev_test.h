/*
 * Shared fixture of the virtual-device suites: a fake struct vplat_ops
 * that records interrupt line changes, console output, shutdowns and log
 * lines, and one PC platform (PIT, RTC, COM1, PM) behind a port table.
 */
#ifndef VDEV_TEST_H
#define VDEV_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hvm/vioport.h>
#include <hvm/vpit.h>
#include <hvm/vplat.h>
#include <hvm/vpm.h>
#include <hvm/vrtc.h>
#include <hvm/vuart.h>

#define FAKE_NR_GSI 24
#define FAKE_MAX_LOG 64

struct fake {
	struct vplat_ops ops;
	bool level[FAKE_NR_GSI]; /* last level per line */
	unsigned int rises[FAKE_NR_GSI]; /* 0 -> 1 transitions */
	unsigned int calls[FAKE_NR_GSI]; /* set_irq calls */
	bool bad_irq; /* set_irq with a repeated level or bad gsi */
	char console[8192];
	size_t console_len;
	unsigned int nr_shutdown;
	int shutdown_reason, shutdown_code;
	unsigned int nr_log;
	char log[FAKE_MAX_LOG][96];
};

/* The platform every suite works on (reset by vdev_setup()). */
struct vdev {
	struct fake fake;
	struct vioport_table tab;
	struct vpit pit;
	struct vrtc rtc;
	struct vuart com1;
	struct vpm pm;
};

extern struct vdev vd;

/* Guest time the platform is created at (not 0, to catch offsets). */
#define T0 1000000000ull
/* RTC wall clock at T0: 2024-02-29 23:59:58 UTC, a Thursday. */
#define EPOCH0 1709251198ll

void fake_init(struct fake *f);
/* Reset the platform: all devices initialised and registered at T0. */
void vdev_setup(void);

uint32_t pin(uint16_t port, unsigned int size, uint64_t now);
void pout(uint16_t port, unsigned int size, uint32_t val, uint64_t now);
static inline uint8_t in8(uint16_t port, uint64_t now)
{
	return (uint8_t)pin(port, 1, now);
}
static inline void out8(uint16_t port, uint8_t v, uint64_t now)
{
	pout(port, 1, v, now);
}

/* Nanoseconds for @ticks of a @hz clock, rounded up (first ns the
 * device has counted them). */
uint64_t ticks_ns(uint64_t ticks, uint64_t hz);

void register_ioport_tests(void);
void register_pit_tests(void);
void register_rtc_tests(void);
void register_uart_tests(void);
void register_pm_tests(void);
void register_garbage_tests(void);

#endif
