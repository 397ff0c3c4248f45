/*
 * hvm/vrtc.c - virtual MC146818A RTC and CMOS RAM.
 *
 * Section names refer to the Motorola MC146818A data sheet ("Address
 * Map", "Update Cycle", "Registers", "Interrupts").  The clock is held as
 * seconds since 1970 plus the guest time of an update; registers are
 * converted on access with the proleptic Gregorian calendar (days_from_
 * civil() and civil_from_days(), after H. Hinnant's public-domain
 * algorithms).  Register C is computed lazily: every access and every
 * tick first folds the events since the last one into rtc->flags.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <hvm/vioport.h>
#include <hvm/vplat.h>
#include <hvm/vrtc.h>
#include <vmi/errno.h>

#define NSEC_PER_SEC 1000000000ll
#define RTC_DIV_HZ 32768 /* the divider chain's time base */
#define RTC_UIP_NS 244000 /* UIP leads the update by 244 us */
#define RTC_NO_ALARM INT64_MAX

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	return a - floor_div(a, b) * b;
}

static int64_t days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	int64_t era;
	unsigned int yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = (unsigned int)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void rtc_to_tm(int64_t t, struct vrtc_tm *tm)
{
	int64_t days = floor_div(t, 86400), z, era;
	unsigned int sod = (unsigned int)floor_mod(t, 86400);
	unsigned int doe, yoe, doy, mp;

	tm->sec = sod % 60;
	tm->min = sod / 60 % 60;
	tm->hour = sod / 3600;
	tm->wday = (unsigned int)floor_mod(days + 4, 7); /* 1970-01-01: Thu */

	z = days + 719468;
	era = floor_div(z, 146097);
	doe = (unsigned int)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	tm->mday = doy - (153 * mp + 2) / 5 + 1;
	tm->mon = mp < 10 ? mp + 3 : mp - 9;
	tm->year = (int64_t)yoe + era * 400 + (tm->mon <= 2);
}

/* Out-of-range fields carry over as they would in arithmetic. */
static int64_t rtc_from_tm(const struct vrtc_tm *tm)
{
	unsigned int mon = tm->mon < 1 ? 1 : tm->mon > 12 ? 12 : tm->mon;
	unsigned int mday = tm->mday < 1 ? 1 : tm->mday > 31 ? 31 : tm->mday;

	return days_from_civil(tm->year, mon, mday) * 86400 +
	       tm->hour * 3600 + tm->min * 60 + tm->sec;
}

static bool rtc_binary(const struct vrtc *rtc)
{
	return rtc->cmos[VRTC_REG_B] & VRTC_B_DM_BINARY;
}

static uint8_t rtc_enc(const struct vrtc *rtc, unsigned int v)
{
	v %= 100;
	return (uint8_t)(rtc_binary(rtc) ? v : (v / 10) << 4 | v % 10);
}

static unsigned int rtc_dec(const struct vrtc *rtc, uint8_t v)
{
	return rtc_binary(rtc) ? v : (v >> 4) * 10u + (v & 0xf);
}

static uint8_t rtc_enc_hour(const struct vrtc *rtc, unsigned int h)
{
	if (rtc->cmos[VRTC_REG_B] & VRTC_B_24H)
		return rtc_enc(rtc, h);
	/* 12-hour form: 12, 1..11; bit 7 = PM. */
	return (uint8_t)(rtc_enc(rtc, h % 12 ? h % 12 : 12) |
			 (h >= 12 ? 0x80 : 0));
}

static unsigned int rtc_dec_hour(const struct vrtc *rtc, uint8_t v)
{
	if (rtc->cmos[VRTC_REG_B] & VRTC_B_24H)
		return rtc_dec(rtc, v);
	return rtc_dec(rtc, v & 0x7f) % 12 + (v & 0x80 ? 12 : 0);
}

static bool rtc_div_reset(const struct vrtc *rtc)
{
	return (rtc->cmos[VRTC_REG_A] & VRTC_A_DV_RESET) == VRTC_A_DV_RESET;
}

/* Do updates happen?  Not with SET, nor with the divider held. */
static bool rtc_running(const struct vrtc *rtc)
{
	return !(rtc->cmos[VRTC_REG_B] & VRTC_B_SET) && !rtc_div_reset(rtc);
}

static int64_t rtc_sec_at(const struct vrtc *rtc, int64_t now)
{
	if (!rtc_running(rtc))
		return rtc->ref_sec;
	return rtc->ref_sec + floor_div(now - rtc->ref_ns, NSEC_PER_SEC);
}

/* Move the reference to the last update at or before @now. */
static void rtc_rebase(struct vrtc *rtc, int64_t now)
{
	int64_t s = floor_div(now - rtc->ref_ns, NSEC_PER_SEC);

	if (rtc_running(rtc))
		rtc->ref_sec += s;
	rtc->ref_ns += s * NSEC_PER_SEC;
}

/* Periodic interval in 32.768 kHz ticks (data sheet, Table 3). */
static int64_t rtc_period(const struct vrtc *rtc)
{
	unsigned int rs = rtc->cmos[VRTC_REG_A] & VRTC_A_RS_MASK;

	if (rs == 0 || rtc_div_reset(rtc))
		return 0;
	return rs <= 2 ? 1ll << (rs + 6) : 1ll << (rs - 1);
}

/* Divider ticks since the reference, floored (ns may be negative). */
static int64_t rtc_ticks(const struct vrtc *rtc, int64_t now)
{
	int64_t d = now - rtc->ref_ns;

	return floor_div(d, NSEC_PER_SEC) * RTC_DIV_HZ +
	       floor_mod(d, NSEC_PER_SEC) * RTC_DIV_HZ / NSEC_PER_SEC;
}

/* Decoded alarm field, or -1 for "don't care" (0xC0-0xFF). */
static int rtc_alarm_field(const struct vrtc *rtc, unsigned int reg)
{
	uint8_t v = rtc->cmos[reg];

	if ((v & 0xc0) == 0xc0)
		return -1;
	if (reg == VRTC_HOUR_ALARM)
		return (int)rtc_dec_hour(rtc, v);
	return (int)rtc_dec(rtc, v);
}

/* The first clock value after @s whose time of day matches the alarm. */
static int64_t rtc_next_alarm(const struct vrtc *rtc, int64_t s)
{
	int ah = rtc_alarm_field(rtc, VRTC_HOUR_ALARM);
	int am = rtc_alarm_field(rtc, VRTC_MIN_ALARM);
	int as = rtc_alarm_field(rtc, VRTC_SEC_ALARM);
	int64_t day = s - floor_mod(s, 86400), m0 = floor_mod(s, 86400) / 60;
	int64_t i, mm, base, cand;

	if (ah > 23 || am > 59 || as > 59)
		return RTC_NO_ALARM; /* can never match */
	/* At most a day of minutes: walk them. */
	for (i = 0; i <= 1440; i++) {
		mm = m0 + i;
		if (ah >= 0 && mm / 60 % 24 != ah)
			continue;
		if (am >= 0 && mm % 60 != am)
			continue;
		base = day + mm * 60;
		cand = as >= 0 ? base + as : (s + 1 > base ? s + 1 : base);
		if (cand > s && cand < base + 60)
			return cand;
	}
	return RTC_NO_ALARM;
}

/* IRQF = PF.PIE + AF.AIE + UF.UIE (data sheet, "Register C"). */
static bool rtc_irqf(const struct vrtc *rtc)
{
	uint8_t b = rtc->cmos[VRTC_REG_B];

	return (rtc->flags & VRTC_C_PF && b & VRTC_B_PIE) ||
	       (rtc->flags & VRTC_C_AF && b & VRTC_B_AIE) ||
	       (rtc->flags & VRTC_C_UF && b & VRTC_B_UIE);
}

static void rtc_update_irq(struct vrtc *rtc)
{
	bool irqf = rtc_irqf(rtc);

	if (irqf == rtc->irq_level)
		return;
	rtc->irq_level = irqf;
	if (rtc->ops && rtc->ops->set_irq)
		rtc->ops->set_irq(rtc->ops->ctx, VRTC_IRQ, irqf);
}

/* Fold the PF/UF/AF events of (flags_ns, now] into the flags. */
static void rtc_sync(struct vrtc *rtc, int64_t now)
{
	int64_t a = rtc->flags_ns, p = rtc_period(rtc);

	if (now <= a)
		return;
	if (p && floor_div(rtc_ticks(rtc, now), p) >
			 floor_div(rtc_ticks(rtc, a), p))
		rtc->flags |= VRTC_C_PF;
	if (rtc_running(rtc) && rtc_sec_at(rtc, now) > rtc_sec_at(rtc, a)) {
		rtc->flags |= VRTC_C_UF;
		if (rtc_next_alarm(rtc, rtc_sec_at(rtc, a)) <=
		    rtc_sec_at(rtc, now))
			rtc->flags |= VRTC_C_AF;
	}
	rtc->flags_ns = now;
}

/* Set the time and date fields that @reg names to the guest's @v. */
static void rtc_write_time(struct vrtc *rtc, unsigned int reg, uint8_t v,
			   int64_t now)
{
	struct vrtc_tm tm;
	int64_t century;

	rtc_rebase(rtc, now);
	if (rtc->wr_valid && rtc->wr_sec == rtc->ref_sec)
		tm = rtc->wr_tm;
	else
		rtc_to_tm(rtc->ref_sec, &tm);
	century = floor_div(tm.year, 100);
	switch (reg) {
	case VRTC_SEC:
		tm.sec = rtc_dec(rtc, v);
		break;
	case VRTC_MIN:
		tm.min = rtc_dec(rtc, v);
		break;
	case VRTC_HOUR:
		tm.hour = rtc_dec_hour(rtc, v);
		break;
	case VRTC_MDAY:
		tm.mday = rtc_dec(rtc, v);
		break;
	case VRTC_MONTH:
		tm.mon = rtc_dec(rtc, v);
		break;
	case VRTC_YEAR:
		tm.year = century * 100 + rtc_dec(rtc, v);
		break;
	case VRTC_CMOS_CENTURY:
		tm.year = rtc_dec(rtc, v) * 100ll + floor_mod(tm.year, 100);
		break;
	default: /* the day of week follows the date */
		return;
	}
	rtc->ref_sec = rtc_from_tm(&tm);
	rtc->wr_tm = tm;
	rtc->wr_sec = rtc->ref_sec;
	rtc->wr_valid = true;
}

static uint8_t rtc_read_time(const struct vrtc *rtc, unsigned int reg,
			     int64_t now)
{
	struct vrtc_tm tm;

	rtc_to_tm(rtc_sec_at(rtc, now), &tm);
	switch (reg) {
	case VRTC_SEC:
		return rtc_enc(rtc, tm.sec);
	case VRTC_MIN:
		return rtc_enc(rtc, tm.min);
	case VRTC_HOUR:
		return rtc_enc_hour(rtc, tm.hour);
	case VRTC_WDAY:
		return rtc_enc(rtc, tm.wday + 1); /* 1 = Sunday */
	case VRTC_MDAY:
		return rtc_enc(rtc, tm.mday);
	case VRTC_MONTH:
		return rtc_enc(rtc, tm.mon);
	case VRTC_YEAR:
		return rtc_enc(rtc, (unsigned int)floor_mod(tm.year, 100));
	default: /* century */
		return rtc_enc(rtc, (unsigned int)floor_mod(
					    floor_div(tm.year, 100), 100));
	}
}

/* Registers A and B change together here: the clock must be rebased
 * with the old settings before the new ones apply. */
static void rtc_write_ab(struct vrtc *rtc, uint8_t a, uint8_t b, int64_t now)
{
	bool was_reset = rtc_div_reset(rtc);

	rtc_rebase(rtc, now);
	/* UIE is cleared when SET goes to 1 (data sheet, "Register B"). */
	if (b & VRTC_B_SET && !(rtc->cmos[VRTC_REG_B] & VRTC_B_SET))
		b &= (uint8_t)~VRTC_B_UIE;
	rtc->cmos[VRTC_REG_A] = a & (uint8_t)~VRTC_A_UIP;
	rtc->cmos[VRTC_REG_B] = b;
	/* Out of divider reset, the first update is 500 ms later. */
	if (was_reset && !rtc_div_reset(rtc))
		rtc->ref_ns = now - NSEC_PER_SEC / 2;
	rtc_update_irq(rtc);
}

static uint8_t rtc_read(struct vrtc *rtc, int64_t now)
{
	unsigned int reg = rtc->index;
	uint8_t v;

	switch (reg) {
	case VRTC_SEC:
	case VRTC_MIN:
	case VRTC_HOUR:
	case VRTC_WDAY:
	case VRTC_MDAY:
	case VRTC_MONTH:
	case VRTC_YEAR:
	case VRTC_CMOS_CENTURY:
		return rtc_read_time(rtc, reg, now);
	case VRTC_REG_A:
		v = rtc->cmos[VRTC_REG_A];
		if (rtc_running(rtc) &&
		    floor_mod(now - rtc->ref_ns, NSEC_PER_SEC) >=
			    NSEC_PER_SEC - RTC_UIP_NS)
			v |= VRTC_A_UIP;
		return v;
	case VRTC_REG_C:
		/* Read to clear; the IRQ pin goes inactive. */
		v = rtc->flags;
		if (rtc_irqf(rtc))
			v |= VRTC_C_IRQF;
		rtc->flags = 0;
		rtc_update_irq(rtc);
		return v;
	case VRTC_REG_D:
		return VRTC_D_VRT; /* the battery is fine */
	default:
		return rtc->cmos[reg & (VRTC_CMOS_SIZE - 1)];
	}
}

static void rtc_write(struct vrtc *rtc, uint8_t v, int64_t now)
{
	unsigned int reg = rtc->index;

	switch (reg) {
	case VRTC_SEC:
	case VRTC_MIN:
	case VRTC_HOUR:
	case VRTC_WDAY:
	case VRTC_MDAY:
	case VRTC_MONTH:
	case VRTC_YEAR:
	case VRTC_CMOS_CENTURY:
		rtc_write_time(rtc, reg, v, now);
		break;
	case VRTC_REG_A:
		rtc_write_ab(rtc, v, rtc->cmos[VRTC_REG_B], now);
		break;
	case VRTC_REG_B:
		rtc_write_ab(rtc, rtc->cmos[VRTC_REG_A], v, now);
		break;
	case VRTC_REG_C:
	case VRTC_REG_D:
		break; /* read only */
	default:
		rtc->cmos[reg & (VRTC_CMOS_SIZE - 1)] = v;
		break;
	}
}

int vrtc_io(void *dev, uint64_t port, unsigned int size, bool write,
	    uint64_t *val, uint64_t now_ns)
{
	struct vrtc *rtc = dev;
	int64_t now = (int64_t)now_ns;

	(void)size; /* registered 1 byte wide */
	if (port == VRTC_PORT_INDEX) {
		/* Bit 7 masks NMI on the PC: accepted, not modelled. */
		if (write)
			rtc->index = (uint8_t)(*val & (VRTC_CMOS_SIZE - 1));
		else
			*val = 0xff; /* write-only on the PC */
		return 0;
	}
	rtc_sync(rtc, now);
	if (write)
		rtc_write(rtc, (uint8_t)*val, now);
	else
		*val = rtc_read(rtc, now);
	rtc_update_irq(rtc);
	return 0;
}

static void rtc_checksum(struct vrtc *rtc)
{
	unsigned int i, sum = 0;

	for (i = 0x10; i < VRTC_CMOS_CSUM_HI; i++)
		sum += rtc->cmos[i];
	rtc->cmos[VRTC_CMOS_CSUM_HI] = (uint8_t)(sum >> 8);
	rtc->cmos[VRTC_CMOS_CSUM_LO] = (uint8_t)sum;
}

void vrtc_init(struct vrtc *rtc, const struct vplat_ops *ops,
	       int64_t epoch_sec, uint64_t now_ns)
{
	memset(rtc, 0, sizeof(*rtc));
	rtc->ops = ops;
	rtc->ref_ns = (int64_t)now_ns;
	rtc->ref_sec = epoch_sec;
	rtc->flags_ns = (int64_t)now_ns;
	rtc->cmos[VRTC_REG_A] = VRTC_A_DV_32KHZ | 0x06;
	rtc->cmos[VRTC_REG_B] = VRTC_B_24H;
	rtc->cmos[VRTC_CMOS_EQUIPMENT] = 0x02; /* FPU, no floppy */
	rtc->cmos[VRTC_CMOS_BASE_MEM_LO] = 640 & 0xff;
	rtc->cmos[VRTC_CMOS_BASE_MEM_HI] = 640 >> 8;
	rtc_checksum(rtc);
}

void vrtc_set_config(struct vrtc *rtc, uint64_t ram_below_4g,
		     uint64_t ram_above_4g, unsigned int nr_cpus)
{
	uint64_t ext = ram_below_4g / 1024, m16 = 0, m4g;

	ext = ext > 1024 ? ext - 1024 : 0;
	if (ext > 0xffff)
		ext = 0xffff;
	if (ram_below_4g > (16ull << 20))
		m16 = (ram_below_4g - (16ull << 20)) >> 16;
	if (m16 > 0xffff)
		m16 = 0xffff;
	m4g = ram_above_4g >> 16;
	if (m4g > 0xffffff)
		m4g = 0xffffff;
	rtc->cmos[VRTC_CMOS_EXT_MEM_LO] = (uint8_t)ext;
	rtc->cmos[VRTC_CMOS_EXT_MEM_HI] = (uint8_t)(ext >> 8);
	rtc->cmos[VRTC_CMOS_EXT_MEM2_LO] = (uint8_t)ext;
	rtc->cmos[VRTC_CMOS_EXT_MEM2_HI] = (uint8_t)(ext >> 8);
	rtc->cmos[VRTC_CMOS_MEM16M_LO] = (uint8_t)m16;
	rtc->cmos[VRTC_CMOS_MEM16M_HI] = (uint8_t)(m16 >> 8);
	rtc->cmos[VRTC_CMOS_MEM4G_0] = (uint8_t)m4g;
	rtc->cmos[VRTC_CMOS_MEM4G_1] = (uint8_t)(m4g >> 8);
	rtc->cmos[VRTC_CMOS_MEM4G_2] = (uint8_t)(m4g >> 16);
	rtc->cmos[VRTC_CMOS_NR_CPUS] =
		(uint8_t)(nr_cpus == 0 ? 0 : nr_cpus > 256 ? 255 : nr_cpus - 1);
	rtc_checksum(rtc);
}

void vrtc_cmos_set(struct vrtc *rtc, unsigned int index, uint8_t val)
{
	if (index <= VRTC_REG_D || index >= VRTC_CMOS_SIZE ||
	    index == VRTC_CMOS_CENTURY)
		return;
	rtc->cmos[index] = val;
	rtc_checksum(rtc);
}

int64_t vrtc_get_time(const struct vrtc *rtc, uint64_t now_ns)
{
	return rtc_sec_at(rtc, (int64_t)now_ns);
}

int vrtc_register(struct vrtc *rtc, struct vioport_table *tab)
{
	return vioport_register(tab, VRTC_PORT_INDEX, 2, 1, vrtc_io, rtc);
}

uint64_t vrtc_next_deadline(const struct vrtc *rtc)
{
	uint8_t b = rtc->cmos[VRTC_REG_B];
	int64_t a = rtc->flags_ns, best = INT64_MAX, t, p, k, s;

	if (rtc->irq_level)
		return VPLAT_NO_DEADLINE;
	p = rtc_period(rtc);
	if (b & VRTC_B_PIE && p) {
		/* The first divider tick that is a multiple of p after a,
		 * converted back with a ceiling. */
		k = (floor_div(rtc_ticks(rtc, a), p) + 1) * p;
		t = rtc->ref_ns + floor_div(k, RTC_DIV_HZ) * NSEC_PER_SEC +
		    (floor_mod(k, RTC_DIV_HZ) * NSEC_PER_SEC + RTC_DIV_HZ - 1) /
			    RTC_DIV_HZ;
		best = t;
	}
	if (rtc_running(rtc) && b & VRTC_B_UIE) {
		t = rtc->ref_ns +
		    (floor_div(a - rtc->ref_ns, NSEC_PER_SEC) + 1) * NSEC_PER_SEC;
		if (t < best)
			best = t;
	}
	if (rtc_running(rtc) && b & VRTC_B_AIE) {
		s = rtc_next_alarm(rtc, rtc_sec_at(rtc, a));
		if (s != RTC_NO_ALARM) {
			t = rtc->ref_ns + (s - rtc->ref_sec) * NSEC_PER_SEC;
			if (t < best)
				best = t;
		}
	}
	if (best == INT64_MAX)
		return VPLAT_NO_DEADLINE;
	return best < 0 ? 0 : (uint64_t)best;
}

void vrtc_tick(struct vrtc *rtc, uint64_t now_ns)
{
	rtc_sync(rtc, (int64_t)now_ns);
	rtc_update_irq(rtc);
}
