/* The machine's real-time clock, read once at boot for guests' RTCs. */
#ifndef TRIVISOR_RTC_H
#define TRIVISOR_RTC_H

#include <stdint.h>

void rtc_init(void);
/* Seconds since 1970 when rtc_init() ran (0 if the RTC was unreadable). */
int64_t rtc_epoch_at_boot(void);

#endif
