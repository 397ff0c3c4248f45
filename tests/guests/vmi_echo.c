/*
 * vmi_echo - a pv guest that uses only the VMI console: it binds the
 * console VIRQ, sleeps in VCPU_BLOCK until input arrives, reads it with
 * CONSOLE_READ and answers each line through CONSOLE_WRITE ("vmi_echo:
 * got 'LINE'").  The line "quit" powers the domain off through the VMI
 * SHUTDOWN call.  Driven by `tvctl console` (tests/integration/
 * cases-mgmt.sh).
 */
#include "guest.h"
#include <vmi/vmi.h>
#include "vmi-call.h"

GUEST_TEST("vmi_echo");

#define UPCALL_VECTOR 0xe1

static struct vmi_shared_info shared __attribute__((aligned(4096)));
static struct vmi_vcpu_info area __attribute__((aligned(64)));
static char in[128];

static void say(const char *s)
{
	vmi_call(VMI_CALL_CONSOLE_WRITE, (uintptr_t)s, strlen(s), 0);
}

static volatile uint32_t events;

/* The only port is the console's: acknowledge it and count. */
static void upcall(struct trap_frame *f)
{
	(void)f;
	area.upcall_pending = 0;
	__atomic_exchange_n((volatile uint32_t *)&area.pending_sel, 0,
			    __ATOMIC_SEQ_CST);
	for (unsigned int w = 0; w < 2 * VMI_EVENT_WORDS; w++)
		__atomic_store_n(&((volatile uint32_t *)shared.evtchn_pending)[w],
				 0, __ATOMIC_SEQ_CST);
	events++;
}

void test_main(void)
{
	char line[160], out[200];
	unsigned int len = 0;
	int32_t port;

	if (cpuid(VMI_CPUID_VERSION).eax == 0)
		guest_skip(guest_name, "no VMI (not a pv domain on trivisor)");
	CHECK(wrmsr_safe(VMI_MSR_ROM, (uintptr_t)vmi_rom | VMI_ROM_ENABLE) < 0,
	      "the ROM MSR refused a page of RAM");
	for (unsigned int s = VMI_SECTION_VCPU; s <= VMI_SECTION_CONSOLE; s++)
		if (s != VMI_SECTION_MMU && s != VMI_SECTION_MEMORY)
			CHECK(vmi_call(VMI_CALL_DECLARE, s,
				    VMI_SECTION_VERSION(1u, 0u), 0) == 0,
			      "section %u refused", s);
	CHECK(vmi_call(VMI_CALL_VCPU_AREA, (uintptr_t)&area, 0, 0) == 0,
	      "VCPU_AREA");
	CHECK(vmi_call(VMI_CALL_SHARED_PAGE, (uintptr_t)&shared, 0, 0) == 0,
	      "SHARED_PAGE");
	irq_set_handler(UPCALL_VECTOR, upcall);
	CHECK(vmi_call(VMI_CALL_VCPU_UPCALL, UPCALL_VECTOR, 0, 0) == 0,
	      "VCPU_UPCALL");
	port = vmi_call(VMI_CALL_EVTCHN_BIND_VIRQ, VMI_VIRQ_CONSOLE, 0, 0);
	CHECK(port > 0, "BIND_VIRQ console: %d", port);
	CHECK(vmi_call(VMI_CALL_EVTCHN_UNMASK, (uint32_t)port, 0, 0) == 0,
	      "UNMASK");
	say("vmi_echo: ready; console input comes through VMI\n");

	for (;;) {
		int32_t n;

		cli();
		n = vmi_call(VMI_CALL_CONSOLE_READ, (uintptr_t)in, sizeof(in), 0);
		CHECK(n >= 0, "CONSOLE_READ: %d", n);
		if (n == 0) {
			/* Nothing waiting: sleep until the VIRQ. */
			vmi_call(VMI_CALL_VCPU_BLOCK, 0, 0, 0);
			continue;
		}
		sti();
		for (int32_t i = 0; i < n; i++) {
			char c = in[i];

			if (c != '\r' && c != '\n') {
				if (len < sizeof(line) - 1)
					line[len++] = c;
				continue;
			}
			line[len] = '\0';
			len = 0;
			snprintf(out, sizeof(out), "vmi_echo: got '%s' (%u "
				 "events so far)\n", line, events);
			say(out);
			if (!strcmp(line, "quit")) {
				say("vmi_echo: quit: powering off through "
				    "VMI\n");
				vmi_call(VMI_CALL_SHUTDOWN, VMI_SHUTDOWN_POWEROFF,
				      0, 0);
				guest_fail(guest_name, "SHUTDOWN returned");
			}
		}
	}
}
