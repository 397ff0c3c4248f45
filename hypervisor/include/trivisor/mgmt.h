/*
 * The management agent: serves the toolstack protocol
 * (docs/management-protocol.md) on a UART, from the boot CPU's scheduler
 * loop.  Everything it owns (decoder, upload slots) is touched by CPU 0
 * only, except the console rings, which guests fill from any CPU.
 */
#ifndef TRIVISOR_MGMT_H
#define TRIVISOR_MGMT_H

#include <stdint.h>

struct domain;

/* Start serving on @port (0 = off).  Logs and stays off when there is no
 * UART there or it is the console's. */
void mgmt_init(uint16_t port);
/* Take what has arrived, answer complete requests.  CPU 0 only. */
void mgmt_poll(void);
/* When CPU 0 should poll again if it has nothing else to do (time_ns()),
 * UINT64_MAX when the agent is off. */
uint64_t mgmt_poll_deadline(void);
/*
 * A domain's serial output, kept in its console ring (the last 8 KiB)
 * for `tvctl console`.  Any CPU.
 */
void mgmt_console_output(struct domain *d, const char *buf, uint64_t len);

#endif
