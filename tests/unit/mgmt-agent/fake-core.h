/*
 * fake-core.h - a pretend domain core behind struct mgmt_agent_ops, for
 * the agent's unit tests and its fuzz target (tests/fuzz/fuzz_mgmt_agent.c,
 * which builds this file without CUnit).  Domains are table entries with
 * a state and a console ring; uploads are malloc'd, counted, and refused
 * above a size limit.
 */
#ifndef TESTS_MGMT_AGENT_FAKE_CORE_H
#define TESTS_MGMT_AGENT_FAKE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mgmt/agent.h>

#define FAKE_MAX_DOMAINS 16
#define FAKE_NAME_MAX 32
#define FAKE_MAX_VCPUS 8
#define FAKE_SENT_MAX (64 * 1024)

#define FAKE_RUNNING 0
#define FAKE_PAUSED 1
#define FAKE_ENDED 2

struct fake_dom {
	bool used;
	unsigned int id;
	char name[FAKE_NAME_MAX];
	int state;
	uint64_t started_ns;
	size_t fifo_room; /* console input the guest still takes */
	struct mgmt_con_ring ring;
};

struct fake_core {
	struct fake_dom dom[FAKE_MAX_DOMAINS];
	uint64_t clock; /* instance of the next domain created */
	/* Frames sent, back to back (the first FAKE_SENT_MAX bytes). */
	uint8_t sent[FAKE_SENT_MAX];
	size_t sent_len;
	unsigned int nr_sends;
	/* Called with each frame sent, if set. */
	void (*on_send)(struct fake_core *fc, const uint8_t *buf, size_t len);
	unsigned int nr_logs;
	char last_log[512];
	int last_log_level;
	/* Uploads. */
	uint64_t alloc_limit; /* larger requests fail */
	int nr_uploads; /* outstanding */
	/* The last successful create, its images copied. */
	unsigned int nr_creates;
	struct mgmt_create created;
	char created_name[FAKE_NAME_MAX], created_cmdline[MGMT_STR_MAX + 1];
	uint32_t created_kernel_crc, created_ramdisk_crc;
};

extern const struct mgmt_agent_ops fake_ops;

void fake_init(struct fake_core *fc);
/* Add a running domain; returns it. */
struct fake_dom *fake_add(struct fake_core *fc, const char *name);
/* Guest output to a domain's console ring. */
void fake_console(struct fake_core *fc, unsigned int id, const char *s,
		  size_t len);

#endif
