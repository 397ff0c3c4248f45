/*
 * Reading the MC146818-compatible CMOS clock once at boot: wait for the
 * end of an update cycle (register A bit 7, UIP), read the time twice
 * until both reads agree, decode BCD/12-hour formats from register B.
 */
#include <trivisor/rtc.h>
#include <trivisor/io.h>
#include <trivisor/log.h>

static int64_t epoch;

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static int64_t days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	/* Proleptic Gregorian calendar, days since 1970-01-01. */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned int yoe = (unsigned int)(y - era * 400);
	unsigned int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

void rtc_init(void)
{
	uint8_t t[6], u[6], b;
	unsigned int h;
	int tries = 0;

	do {
		for (int i = 0; i < 100000 && (cmos(0x0a) & 0x80); i++)
			;
		t[0] = cmos(0x00), t[1] = cmos(0x02), t[2] = cmos(0x04);
		t[3] = cmos(0x07), t[4] = cmos(0x08), t[5] = cmos(0x09);
		u[0] = cmos(0x00), u[1] = cmos(0x02), u[2] = cmos(0x04);
		u[3] = cmos(0x07), u[4] = cmos(0x08), u[5] = cmos(0x09);
	} while (__builtin_memcmp(t, u, 6) && ++tries < 5);
	b = cmos(0x0b);
	h = t[2] & 0x7f;
	if (!(b & 0x04)) { /* BCD */
		for (int i = 0; i < 6; i++)
			if (i != 2)
				t[i] = (uint8_t)((t[i] & 15) + (t[i] >> 4) * 10);
		h = (h & 15) + (h >> 4) * 10;
	}
	if (!(b & 0x02) && (t[2] & 0x80)) /* 12-hour clock, PM */
		h = (h % 12) + 12;
	if (t[4] < 1 || t[4] > 12 || t[3] < 1 || t[3] > 31) {
		log_warn("RTC: unreadable date; guests' clocks start at 1970");
		return;
	}
	epoch = days_from_civil(2000 + t[5], t[4], t[3]) * 86400 + h * 3600 +
		t[1] * 60 + t[0];
	log_info("RTC: 20%02u-%02u-%02u %02u:%02u:%02u UTC", t[5], t[4], t[3],
		 h, t[1], t[0]);
}

int64_t rtc_epoch_at_boot(void)
{
	return epoch;
}
