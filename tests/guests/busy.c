/*
 * busy - a domain that runs until it is told to stop: the guest the
 * toolstack tests (tests/integration/cases-mgmt.sh) pause, unpause,
 * destroy and shut down.
 *
 * It spins (so its vCPU time grows while it may run), prints a heartbeat
 * about once a second of its own TSC time, and polls PM1 status for the
 * power button (PWRBTN_STS, ACPI 6.3 4.8.3.1.1; the port comes from the
 * FADT's PM1a_EVT_BLK).  On a press it says so and powers off through
 * PM1a_CNT with the DSDT's S5 type, as an OS's ACPI code would.
 *
 * It also reads its console (COM1, polled: LSR bit 0 says a byte is in
 * the receive buffer) and answers each line with "busy: got 'LINE'"; the
 * line "quit" powers it off the same way.  `tvctl console` is tested so.
 */
#include "guest.h"

GUEST_TEST("busy");

#define PM1_PWRBTN_STS 0x0100
#define PM1_SLP_EN 0x2000
#define S5_SLP_TYP 5 /* hvm/acpi-build.c's \_S5_ */
#define COM1_RBR 0x3f8
#define COM1_LSR 0x3fd
#define LSR_DR 0x01

static char line[80];
static unsigned int line_len;

/* A byte from COM1, when one is there; true at the end of a line. */
static bool console_poll(void)
{
	char c;

	if (!(inb(COM1_LSR) & LSR_DR))
		return false;
	c = (char)inb(COM1_RBR);
	if (c == '\r' || c == '\n') {
		line[line_len] = '\0';
		return line_len > 0;
	}
	if (line_len < sizeof(line) - 1)
		line[line_len++] = c >= 32 && c < 127 ? c : '?';
	return false;
}

static void power_off(uint16_t cnt)
{
	outw(cnt, S5_SLP_TYP << 10 | PM1_SLP_EN);
	guest_fail(guest_name, "still running after S5");
}

void test_main(void)
{
	uint32_t fadt = acpi_find_table("FACP");
	uint16_t evt, cnt;
	uint64_t next = rdtsc() + tsc_hz;
	unsigned int beats = 0;

	CHECK(fadt, "no FADT");
	evt = (uint16_t)*(volatile uint32_t *)(fadt + 56); /* PM1a_EVT_BLK */
	cnt = (uint16_t)*(volatile uint32_t *)(fadt + 64); /* PM1a_CNT_BLK */
	printf("busy: running; PM1a_EVT_BLK %#x, PM1a_CNT_BLK %#x\n", evt, cnt);
	for (;;) {
		if (inw(evt) & PM1_PWRBTN_STS) {
			printf("busy: power button pressed: powering off\n");
			outw(evt, PM1_PWRBTN_STS); /* write 1 to clear */
			power_off(cnt);
		}
		while (console_poll()) {
			printf("busy: got '%s'\n", line);
			if (!strcmp(line, "quit")) {
				printf("busy: quit: powering off\n");
				power_off(cnt);
			}
			line_len = 0;
		}
		if (rdtsc() >= next) {
			next += 2 * tsc_hz;
			printf("busy: heartbeat %u\n", ++beats);
		}
		for (int i = 0; i < 1000; i++)
			cpu_relax();
	}
}
