/*
 * mgmt/agent.h - the management agent's request handling
 * (docs/management-protocol.md), portable.
 *
 * Everything between the UART and the domain core that needs no hardware
 * lives in mgmt/agent.c: the byte stream through the decoder
 * (mgmt/proto.c), request decoding and validation, the upload state
 * machine of the image slots, error replies, the quiet-line rules, and
 * the per-domain console rings.  It reaches the rest of the hypervisor
 * only through struct mgmt_agent_ops, as the x86 decoder reaches guest
 * memory through its callbacks: hypervisor/mgmt.c supplies the real ops,
 * tests/unit/mgmt-agent/ and tests/fuzz/fuzz_mgmt_agent.c fakes.
 *
 * One agent handles one request to completion at a time; its functions
 * are not reentrant and are called from one CPU (CPU 0's poll).
 */
#ifndef MGMT_AGENT_H
#define MGMT_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mgmt/proto.h>

/* A domain of the domain core; never dereferenced here. */
struct mgmt_dom;

/* What a request needs to know of a domain (mgmt_agent_ops.describe). */
struct mgmt_dom_desc {
	unsigned int id;
	uint64_t instance; /* which run of the domain: its start time */
	const char *state; /* "running", "paused" or "ended" */
};

/* A create request, checked; the ops decide the rest. */
struct mgmt_create {
	const char *name; /* 1 to name_max - 1 characters */
	uint64_t mem_bytes; /* as asked (default 64 MiB) */
	uint64_t vcpus; /* as asked (default 1), not bounded yet */
	bool pv;
	const void *kernel; /* the completed kernel upload */
	size_t kernel_len;
	const void *ramdisk; /* NULL when none was uploaded */
	size_t ramdisk_len;
	const char *cmdline; /* "" when none */
};

#define MGMT_LOG_INFO 0
#define MGMT_LOG_WARN 1

/*
 * The hypervisor side.  ctx is mgmt_agent.ctx.  Ops that can fail return
 * 0 or a negative vmi/errno.h code and write the reason for the client
 * into why (why_len bytes, NUL-terminated); the agent sends it back.
 */
struct mgmt_agent_ops {
	/* The bytes of one encoded frame, to the client. */
	void (*send)(void *ctx, const uint8_t *buf, size_t len);
	/* A line for the hypervisor log (the host can make this happen as
	 * often as it sends frames, a guest never). */
	void (*log)(void *ctx, int level, const char *msg);
	/* The domain called name, or (name NULL) with this id (below
	 * max_domains); NULL if none. */
	struct mgmt_dom *(*find)(void *ctx, const char *name, unsigned int id);
	void (*describe)(void *ctx, struct mgmt_dom *d,
			 struct mgmt_dom_desc *out);
	/* Reply fields: a domain's record (calls: with its VMI call
	 * counts), the exit reason names, the memory totals, what the
	 * version request reports. */
	void (*put_domain)(void *ctx, struct mgmt_tlv_writer *w,
			   struct mgmt_dom *d, bool calls);
	void (*put_exit_names)(void *ctx, struct mgmt_tlv_writer *w);
	void (*put_memory)(void *ctx, struct mgmt_tlv_writer *w);
	void (*put_version)(void *ctx, struct mgmt_tlv_writer *w);
	/* The hypervisor log from *pos: up to len bytes into buf, *pos
	 * moved on; returns the count. */
	size_t (*dmesg)(void *ctx, uint64_t *pos, char *buf, size_t len);
	int (*pause)(void *ctx, struct mgmt_dom *d, char *why, size_t why_len);
	int (*unpause)(void *ctx, struct mgmt_dom *d, char *why,
		       size_t why_len);
	int (*shutdown)(void *ctx, struct mgmt_dom *d, char *why,
			size_t why_len);
	int (*destroy)(void *ctx, struct mgmt_dom *d, char *why,
		       size_t why_len);
	/* Create and start a domain; *id is its id. */
	int (*create)(void *ctx, const struct mgmt_create *c, unsigned int *id,
		      char *why, size_t why_len);
	/* mgmt_con_ring_read() on domain id's ring, under its lock. */
	size_t (*console_read)(void *ctx, unsigned int id, uint64_t instance,
			       uint64_t *off, uint64_t *lost, uint8_t *out,
			       size_t cap);
	/* Offer len bytes to a domain's console input: false if it is no
	 * longer running or paused, else *taken = what its receive FIFO
	 * took (at most len). */
	bool (*console_input)(void *ctx, struct mgmt_dom *d,
			      const uint8_t *data, size_t len, size_t *taken);
	/* size bytes (1 to MGMT_UPLOAD_MAX) of contiguous memory for the
	 * upload of slot what ("kernel", "ramdisk"), or NULL with why. */
	void *(*upload_alloc)(void *ctx, const char *what, uint64_t size,
			      char *why, size_t why_len);
	void (*upload_free)(void *ctx, void *buf, uint64_t size);
};

/* Largest image an upload slot takes. */
#define MGMT_UPLOAD_MAX (64ull << 20)
/* Longest domain name buffer the agent handles (NUL included). */
#define MGMT_AGENT_NAME_MAX 64

/* An image being uploaded: contiguous frames, so the loader sees one
 * buffer. */
struct mgmt_upload {
	uint8_t *buf;
	uint64_t size, received;
	uint32_t crc, running_crc;
};

struct mgmt_agent {
	const struct mgmt_agent_ops *ops;
	void *ctx;
	unsigned int max_domains; /* ids are 0 to max_domains - 1 */
	unsigned int name_max; /* name buffer size, NUL included */
	struct mgmt_dec dec;
	struct mgmt_upload slots[MGMT_NR_SLOTS];
	char why[256];
	uint8_t tx[MGMT_MAX_FRAME];
	uint8_t reply[MGMT_MAX_PAYLOAD];
	union {
		char cmdline[MGMT_STR_MAX + 1];
		uint8_t text[MGMT_CHUNK_DATA];
	} scratch;
};

/* Set up an agent; name_max at most MGMT_AGENT_NAME_MAX. */
void mgmt_agent_init(struct mgmt_agent *a, const struct mgmt_agent_ops *ops,
		     void *ctx, unsigned int max_domains,
		     unsigned int name_max);

/* Bytes from the client: every whole frame in them is handled and
 * answered, every error in the stream reported. */
void mgmt_agent_feed(struct mgmt_agent *a, const uint8_t *p, size_t n);

/*
 * The line has been quiet for quiet_ns: after MGMT_QUIET_NS a partial
 * frame is dropped (and reported), after MGMT_GARBAGE_QUIET_NS bytes
 * skipped as garbage are reported.
 */
#define MGMT_QUIET_NS 500000000ull
#define MGMT_GARBAGE_QUIET_NS 50000000ull
void mgmt_agent_quiet(struct mgmt_agent *a, uint64_t quiet_ns);

/*
 * Console rings: the last MGMT_CON_RING bytes a domain wrote to its
 * console.  A ring belongs to one run of a domain, its instance; the
 * first output of another instance resets it.  No locking here: the
 * caller serialises writers and readers of one ring.
 */
#define MGMT_CON_RING 8192

struct mgmt_con_ring {
	uint64_t instance; /* the run it holds (0: none yet) */
	uint64_t head; /* bytes written in all; buf holds the last ones */
	uint8_t buf[MGMT_CON_RING];
};

void mgmt_con_ring_write(struct mgmt_con_ring *r, uint64_t instance,
			 const char *buf, uint64_t len);
/*
 * Copy what the ring holds of instance from *off, at most cap bytes;
 * *off moves to where the data starts (later than asked when older bytes
 * are gone, their count in *lost).  A ring that holds another instance
 * (or none yet) has nothing.  Returns the count copied.
 */
size_t mgmt_con_ring_read(const struct mgmt_con_ring *r, uint64_t instance,
			  uint64_t *off, uint64_t *lost, uint8_t *out,
			  size_t cap);

#endif /* MGMT_AGENT_H */
