/* The hypervisor command line (docs/cmdline.md). */
#ifndef TRIVISOR_CMDLINE_H
#define TRIVISOR_CMDLINE_H

#include <stdbool.h>
#include <stdint.h>

struct hv_config {
	uint16_t console_port; /* 0 = no console */
	uint16_t mgmt_port; /* management channel UART; 0 = none */
	char attach[32]; /* domain whose serial is the console's; "" = none */
	bool exit_when_done; /* end the platform run after boot + self-tests */
	char selftests[128]; /* comma-separated names, "" = none */
	uint32_t watchdog_s; /* crash domains running longer; 0 = never */
	/* Test hook: the backend hands the domain of this name a guest state
	 * the CPU must refuse, to prove entry failures are reported and
	 * contained.  "" = off. */
	char bad_entry[32];
	/* Test limit on the guest TLB tags (SVM ASIDs, VMX VPIDs) each CPU
	 * hands out, tag 0 included; 0 = what the CPU has. */
	uint32_t asids;
	/* Offer XSAVE (and AVX) to guests; the host uses XSAVE either way. */
	bool no_guest_xsave;
};

extern struct hv_config hv_config;

/*
 * Parse the command line into hv_config (and the log level).  Unknown
 * options and bad values are logged, naming the option and the accepted
 * values, and otherwise ignored; returns how many were rejected.
 */
int cmdline_parse(const char *cmdline);

#endif
