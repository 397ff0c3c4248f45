/*
 * The management agent's request handling (mgmt/agent.h,
 * docs/management-protocol.md).  Portable: it runs in the hypervisor
 * (hypervisor/mgmt.c gives it the UART and the domain core) and on the
 * host under the unit tests and the fuzzer.
 *
 * Requests are handled to completion one at a time; the decoder
 * (mgmt/proto.c) does framing, lengths and checksums, and every input that
 * is not a valid request is answered with an error frame.
 */
#include <mgmt/agent.h>
#include <vmi/errno.h>
#include <stdio.h>
#include <string.h>

static const char *const slot_names[MGMT_NR_SLOTS] = { "kernel", "ramdisk" };

void mgmt_agent_init(struct mgmt_agent *a, const struct mgmt_agent_ops *ops,
		     void *ctx, unsigned int max_domains,
		     unsigned int name_max)
{
	memset(a, 0, sizeof(*a));
	a->ops = ops;
	a->ctx = ctx;
	a->max_domains = max_domains;
	a->name_max = name_max < MGMT_AGENT_NAME_MAX ? name_max
						     : MGMT_AGENT_NAME_MAX;
	mgmt_dec_init(&a->dec);
}

static void agent_log(struct mgmt_agent *a, int level, const char *msg)
{
	a->ops->log(a->ctx, level, msg);
}

static void upload_free(struct mgmt_agent *a, struct mgmt_upload *u)
{
	if (u->buf)
		a->ops->upload_free(a->ctx, u->buf, u->size);
	memset(u, 0, sizeof(*u));
}

static bool upload_complete(const struct mgmt_upload *u)
{
	return u->buf && u->received == u->size && u->running_crc == u->crc;
}

static void send_frame(struct mgmt_agent *a, uint8_t type, uint32_t seq,
		       const uint8_t *p, uint32_t len)
{
	size_t n = mgmt_encode(a->tx, type, seq, p, len);

	a->ops->send(a->ctx, a->tx, n);
}

static void send_error(struct mgmt_agent *a, uint8_t type, uint32_t seq,
		       int status, const char *msg)
{
	struct mgmt_tlv_writer w;

	mgmt_tlv_init(&w, a->reply, sizeof(a->reply));
	mgmt_tlv_put_u64(&w, MGMT_F_STATUS, (uint64_t)(int64_t)status);
	mgmt_tlv_put_str(&w, MGMT_F_MESSAGE, msg);
	send_frame(a, type, seq, a->reply, (uint32_t)w.len);
}

void mgmt_con_ring_write(struct mgmt_con_ring *r, uint64_t instance,
			 const char *buf, uint64_t len)
{
	if (r->instance != instance) {
		r->instance = instance;
		r->head = 0;
	}
	if (len > MGMT_CON_RING) {
		r->head += len - MGMT_CON_RING;
		buf += len - MGMT_CON_RING;
		len = MGMT_CON_RING;
	}
	for (uint64_t i = 0; i < len; i++)
		r->buf[r->head++ % MGMT_CON_RING] = (uint8_t)buf[i];
}

size_t mgmt_con_ring_read(const struct mgmt_con_ring *r, uint64_t instance,
			  uint64_t *off, uint64_t *lost, uint8_t *out,
			  size_t cap)
{
	uint64_t head = r->instance == instance ? r->head : 0;
	uint64_t oldest = head > MGMT_CON_RING ? head - MGMT_CON_RING : 0;
	size_t n = 0;

	*lost = 0;
	if (*off < oldest) {
		*lost = oldest - *off;
		*off = oldest;
	}
	if (*off > head)
		*off = head;
	while (n < cap && *off + n < head) {
		out[n] = r->buf[(*off + n) % MGMT_CON_RING];
		n++;
	}
	return n;
}

/* The domain a request names by name or id, or an error in why. */
static struct mgmt_dom *named_domain(struct mgmt_agent *a,
				     const struct mgmt_frame *f)
{
	char name[MGMT_AGENT_NAME_MAX];
	struct mgmt_dom *d = NULL;
	uint64_t id;

	if (mgmt_tlv_str(f->payload, f->len, MGMT_F_NAME, name, a->name_max)) {
		d = a->ops->find(a->ctx, name, 0);
		if (!d)
			snprintf(a->why, sizeof(a->why), "no domain named '%s' "
				 "(see tvctl list)", name);
	} else if (mgmt_tlv_u64(f->payload, f->len, MGMT_F_ID, &id)) {
		d = id < a->max_domains
			    ? a->ops->find(a->ctx, NULL, (unsigned int)id)
			    : NULL;
		if (!d)
			snprintf(a->why, sizeof(a->why), "no domain with id %lu "
				 "(see tvctl list)", id);
	} else {
		snprintf(a->why, sizeof(a->why), "the request names no domain "
			 "(field name or id)");
	}
	return d;
}

static int do_upload_begin(struct mgmt_agent *a, const struct mgmt_frame *f)
{
	uint64_t slot, size, crc;
	struct mgmt_upload *u;
	char msg[128];

	if (!mgmt_tlv_u64(f->payload, f->len, MGMT_F_SLOT, &slot) ||
	    slot >= MGMT_NR_SLOTS ||
	    !mgmt_tlv_u64(f->payload, f->len, MGMT_F_SIZE, &size) ||
	    !mgmt_tlv_u64(f->payload, f->len, MGMT_F_CRC, &crc)) {
		snprintf(a->why, sizeof(a->why), "upload begin needs slot (0 "
			 "or 1), size and crc");
		return -VMI_EINVAL;
	}
	u = &a->slots[slot];
	if (u->buf) {
		snprintf(msg, sizeof(msg), "mgmt: %s upload of %lu of %lu "
			 "bytes discarded: a new one begins", slot_names[slot],
			 u->received, u->size);
		agent_log(a, MGMT_LOG_INFO, msg);
	}
	upload_free(a, u);
	if (size == 0 || size > MGMT_UPLOAD_MAX) {
		snprintf(a->why, sizeof(a->why), "%s: %lu bytes: images must be "
			 "1 byte to %llu MiB", slot_names[slot], size,
			 MGMT_UPLOAD_MAX >> 20);
		return -VMI_E2BIG;
	}
	u->buf = a->ops->upload_alloc(a->ctx, slot_names[slot], size, a->why,
				      sizeof(a->why));
	if (!u->buf)
		return -VMI_ENOMEM;
	u->size = size;
	u->crc = (uint32_t)crc;
	return 0;
}

static int do_upload_chunk(struct mgmt_agent *a, const struct mgmt_frame *f)
{
	uint64_t slot, off;
	const uint8_t *data;
	uint16_t len;
	struct mgmt_upload *u;

	if (!mgmt_tlv_u64(f->payload, f->len, MGMT_F_SLOT, &slot) ||
	    slot >= MGMT_NR_SLOTS ||
	    !mgmt_tlv_u64(f->payload, f->len, MGMT_F_OFFSET, &off) ||
	    !mgmt_tlv_find(f->payload, f->len, MGMT_F_DATA, &data, &len)) {
		snprintf(a->why, sizeof(a->why), "upload chunk needs slot, "
			 "offset and data");
		return -VMI_EINVAL;
	}
	u = &a->slots[slot];
	if (!u->buf) {
		snprintf(a->why, sizeof(a->why), "%s: no upload in progress: "
			 "begin one first", slot_names[slot]);
		return -VMI_EINVAL;
	}
	if (off != u->received || len > u->size - u->received) {
		snprintf(a->why, sizeof(a->why), "%s: chunk at %lu+%u does not "
			 "follow byte %lu of %lu: upload discarded, start again",
			 slot_names[slot], off, len, u->received, u->size);
		upload_free(a, u);
		return -VMI_EINVAL;
	}
	memcpy(u->buf + off, data, len);
	u->running_crc = mgmt_crc32(u->running_crc, data, len);
	u->received += len;
	return 0;
}

static int do_create(struct mgmt_agent *a, const struct mgmt_frame *f,
		     struct mgmt_tlv_writer *w)
{
	struct mgmt_create c = { 0 };
	char name[MGMT_AGENT_NAME_MAX], type[8] = "hv";
	char *cmdline = a->scratch.cmdline;
	uint64_t mem = 64ull << 20, vcpus = 1;
	unsigned int id;
	char msg[sizeof(a->why) + 8];
	int ret;

	if (!mgmt_tlv_str(f->payload, f->len, MGMT_F_NAME, name,
			  a->name_max) ||
	    !name[0]) {
		snprintf(a->why, sizeof(a->why), "create needs a name of 1 to "
			 "%u characters", a->name_max - 1);
		return -VMI_EINVAL;
	}
	mgmt_tlv_u64(f->payload, f->len, MGMT_F_MEMORY, &mem);
	mgmt_tlv_u64(f->payload, f->len, MGMT_F_VCPUS, &vcpus);
	if (!mgmt_tlv_str(f->payload, f->len, MGMT_F_CMDLINE, cmdline,
			  sizeof(a->scratch.cmdline)))
		cmdline[0] = '\0';
	mgmt_tlv_str(f->payload, f->len, MGMT_F_TYPE, type, sizeof(type));
	/* auto: hv, until there is a container that needs choosing. */
	if (strcmp(type, "hv") && strcmp(type, "pv") && strcmp(type, "auto")) {
		snprintf(a->why, sizeof(a->why), "type = \"%s\": only hv, pv "
			 "(or auto) domains exist so far", type);
		return -VMI_EOPNOTSUPP;
	}
	c.pv = !strcmp(type, "pv");
	for (int s = 0; s < MGMT_NR_SLOTS; s++) {
		struct mgmt_upload *u = &a->slots[s];

		if (!u->buf || upload_complete(u))
			continue;
		snprintf(a->why, sizeof(a->why), "%s upload incomplete or "
			 "corrupt (%lu of %lu bytes, CRC %s): discarded, upload "
			 "again", slot_names[s], u->received, u->size,
			 u->received == u->size ? "wrong" : "not checked");
		snprintf(msg, sizeof(msg), "mgmt: %s", a->why);
		agent_log(a, MGMT_LOG_WARN, msg);
		upload_free(a, &a->slots[0]);
		upload_free(a, &a->slots[1]);
		return -VMI_EINVAL;
	}
	if (!a->slots[MGMT_SLOT_KERNEL].buf) {
		snprintf(a->why, sizeof(a->why), "no kernel uploaded");
		return -VMI_EINVAL;
	}
	c.name = name;
	c.mem_bytes = mem;
	c.vcpus = vcpus;
	c.kernel = a->slots[MGMT_SLOT_KERNEL].buf;
	c.kernel_len = a->slots[MGMT_SLOT_KERNEL].size;
	if (a->slots[MGMT_SLOT_RAMDISK].buf) {
		c.ramdisk = a->slots[MGMT_SLOT_RAMDISK].buf;
		c.ramdisk_len = a->slots[MGMT_SLOT_RAMDISK].size;
	}
	c.cmdline = cmdline;
	ret = a->ops->create(a->ctx, &c, &id, a->why, sizeof(a->why));
	upload_free(a, &a->slots[0]);
	upload_free(a, &a->slots[1]);
	if (ret)
		return ret;
	mgmt_tlv_put_u64(w, MGMT_F_ID, id);
	return 0;
}

/*
 * Console requests name the domain by id or name and, once the client
 * knows it, by instance too: the run of the domain it attached to, so a
 * new domain in the same slot is never mistaken for it.
 */
static int console_target(struct mgmt_agent *a, const struct mgmt_frame *f,
			  struct mgmt_dom **live, unsigned int *id,
			  uint64_t *instance)
{
	struct mgmt_dom_desc desc;
	struct mgmt_dom *d;
	uint64_t want, n;

	if (!mgmt_tlv_u64(f->payload, f->len, MGMT_F_INSTANCE, &want)) {
		d = named_domain(a, f);
		if (!d)
			return -VMI_ESRCH;
		a->ops->describe(a->ctx, d, &desc);
		*live = d;
		*id = desc.id;
		*instance = desc.instance;
		return 0;
	}
	if (!mgmt_tlv_u64(f->payload, f->len, MGMT_F_ID, &n) ||
	    n >= a->max_domains) {
		snprintf(a->why, sizeof(a->why), "a console request with an "
			 "instance needs the domain's id (0 to %u)",
			 a->max_domains - 1);
		return -VMI_EINVAL;
	}
	d = a->ops->find(a->ctx, NULL, (unsigned int)n);
	if (d)
		a->ops->describe(a->ctx, d, &desc);
	*live = d && desc.instance == want ? d : NULL;
	*id = (unsigned int)n;
	*instance = want;
	return 0;
}

static int do_console_read(struct mgmt_agent *a, const struct mgmt_frame *f,
			   struct mgmt_tlv_writer *w)
{
	uint8_t *text = a->scratch.text;
	struct mgmt_dom_desc desc;
	struct mgmt_dom *d;
	uint64_t instance, off = 0, lost;
	unsigned int id;
	const char *state = "ended";
	size_t n;
	int ret = console_target(a, f, &d, &id, &instance);

	if (ret)
		return ret;
	mgmt_tlv_u64(f->payload, f->len, MGMT_F_OFFSET, &off);
	/* The state before the data: output that follows "ended" is none. */
	if (d) {
		a->ops->describe(a->ctx, d, &desc);
		state = desc.state;
	}
	n = a->ops->console_read(a->ctx, id, instance, &off, &lost, text,
				 sizeof(a->scratch.text));
	mgmt_tlv_put_u64(w, MGMT_F_ID, id);
	mgmt_tlv_put_u64(w, MGMT_F_INSTANCE, instance);
	mgmt_tlv_put_str(w, MGMT_F_STATE, state);
	mgmt_tlv_put(w, MGMT_F_DATA, text, n);
	mgmt_tlv_put_u64(w, MGMT_F_NEXT, off + n);
	if (lost)
		mgmt_tlv_put_u64(w, MGMT_F_LOST, lost);
	return 0;
}

static int do_console_write(struct mgmt_agent *a, const struct mgmt_frame *f,
			    struct mgmt_tlv_writer *w)
{
	const uint8_t *data;
	struct mgmt_dom *d;
	uint64_t instance;
	unsigned int id;
	uint16_t len;
	size_t taken = 0;
	bool running = false;
	int ret = console_target(a, f, &d, &id, &instance);

	if (ret)
		return ret;
	if (!mgmt_tlv_find(f->payload, f->len, MGMT_F_DATA, &data, &len) ||
	    len > MGMT_CONSOLE_IN_MAX) {
		snprintf(a->why, sizeof(a->why), "console write needs data of "
			 "at most %d bytes", MGMT_CONSOLE_IN_MAX);
		return -VMI_EINVAL;
	}
	if (d)
		running = a->ops->console_input(a->ctx, d, data, len, &taken);
	if (!running) {
		snprintf(a->why, sizeof(a->why), "domain %u has ended: its "
			 "console takes no input", id);
		return -VMI_ESRCH;
	}
	/* Fewer than sent: the guest's receive FIFO is full; the client
	 * sends the rest again later. */
	mgmt_tlv_put_u64(w, MGMT_F_SIZE, taken);
	mgmt_tlv_put_u64(w, MGMT_F_INSTANCE, instance);
	return 0;
}

static int do_domain(struct mgmt_agent *a, const struct mgmt_frame *f,
		     struct mgmt_tlv_writer *w)
{
	struct mgmt_dom *d = named_domain(a, f);
	char *why = a->why;
	size_t wl = sizeof(a->why);

	if (!d)
		return -VMI_ESRCH;
	switch (f->type) {
	case MGMT_T_PAUSE:
		return a->ops->pause(a->ctx, d, why, wl);
	case MGMT_T_UNPAUSE:
		return a->ops->unpause(a->ctx, d, why, wl);
	case MGMT_T_SHUTDOWN:
		return a->ops->shutdown(a->ctx, d, why, wl);
	case MGMT_T_DESTROY:
		return a->ops->destroy(a->ctx, d, why, wl);
	default: /* MGMT_T_INFO */
		a->ops->put_domain(a->ctx, w, d, true);
		a->ops->put_exit_names(a->ctx, w);
		a->ops->put_memory(a->ctx, w);
		return 0;
	}
}

static int dispatch(struct mgmt_agent *a, const struct mgmt_frame *f,
		    struct mgmt_tlv_writer *w)
{
	struct mgmt_dom *d;

	switch (f->type) {
	case MGMT_T_VERSION:
		a->ops->put_version(a->ctx, w);
		return 0;
	case MGMT_T_LIST:
		for (unsigned int i = 0; i < a->max_domains; i++)
			if ((d = a->ops->find(a->ctx, NULL, i)))
				a->ops->put_domain(a->ctx, w, d, false);
		a->ops->put_exit_names(a->ctx, w);
		a->ops->put_memory(a->ctx, w);
		return 0;
	case MGMT_T_DMESG: {
		char *text = (char *)a->scratch.text;
		uint64_t pos = 0, n;

		mgmt_tlv_u64(f->payload, f->len, MGMT_F_OFFSET, &pos);
		n = a->ops->dmesg(a->ctx, &pos, text, sizeof(a->scratch.text));
		mgmt_tlv_put(w, MGMT_F_DATA, text, n);
		mgmt_tlv_put_u64(w, MGMT_F_NEXT, pos);
		return 0;
	}
	case MGMT_T_UPLOAD_BEGIN:
		return do_upload_begin(a, f);
	case MGMT_T_UPLOAD_CHUNK:
		return do_upload_chunk(a, f);
	case MGMT_T_CREATE:
		return do_create(a, f, w);
	case MGMT_T_INFO:
	case MGMT_T_PAUSE:
	case MGMT_T_UNPAUSE:
	case MGMT_T_SHUTDOWN:
	case MGMT_T_DESTROY:
		return do_domain(a, f, w);
	case MGMT_T_CONSOLE_READ:
		return do_console_read(a, f, w);
	case MGMT_T_CONSOLE_WRITE:
		return do_console_write(a, f, w);
	default:
		snprintf(a->why, sizeof(a->why), "unknown request type %#x "
			 "(protocol version %d)", f->type, MGMT_VERSION);
		return -VMI_ENOSYS;
	}
}

static void handle(struct mgmt_agent *a, const struct mgmt_frame *f)
{
	struct mgmt_tlv_writer w;
	uint8_t type = f->type;
	int ret;

	if (type & MGMT_RESPONSE) {
		send_error(a, MGMT_T_ERROR, f->seq, -VMI_EINVAL,
			   "a response type sent as a request");
		return;
	}
	if (!mgmt_tlv_valid(f->payload, f->len)) {
		send_error(a, type | MGMT_RESPONSE, f->seq, -VMI_EINVAL,
			   "malformed payload: not a sequence of TLV fields");
		return;
	}
	mgmt_tlv_init(&w, a->reply, sizeof(a->reply));
	mgmt_tlv_put_u64(&w, MGMT_F_STATUS, 0); /* patched below on error */
	a->why[0] = '\0';
	ret = dispatch(a, f, &w);
	if (ret) {
		send_error(a, type | MGMT_RESPONSE, f->seq, ret,
			   a->why[0] ? a->why : "failed");
		return;
	}
	if (w.overflow) {
		send_error(a, type | MGMT_RESPONSE, f->seq, -VMI_E2BIG,
			   "the reply does not fit in one frame");
		return;
	}
	send_frame(a, type | MGMT_RESPONSE, f->seq, a->reply, (uint32_t)w.len);
}

static void event(struct mgmt_agent *a, int ev)
{
	static const char *const what[] = {
		[MGMT_DEC_BAD_VERSION] = "unsupported protocol version",
		[MGMT_DEC_TOO_BIG] = "frame longer than 8192 bytes",
		[MGMT_DEC_BAD_CRC] = "payload checksum wrong",
		[MGMT_DEC_TRUNCATED] = "truncated frame dropped (the sender "
				       "went quiet mid-frame)",
	};
	char msg[96];

	if (ev == MGMT_DEC_FRAME) {
		handle(a, &a->dec.frame);
		return;
	}
	snprintf(msg, sizeof(msg), "mgmt: %s (seq %u)", what[ev],
		 a->dec.err_seq);
	agent_log(a, MGMT_LOG_INFO, msg);
	send_error(a, MGMT_T_ERROR, a->dec.err_seq,
		   ev == MGMT_DEC_TOO_BIG ? -VMI_E2BIG : -VMI_EINVAL, what[ev]);
}

void mgmt_agent_feed(struct mgmt_agent *a, const uint8_t *p, size_t n)
{
	size_t used;
	int ev;

	do {
		ev = mgmt_dec_feed(&a->dec, p, n, &used);
		/* p may be NULL (n = 0, after a flush): NULL + 0 is not C. */
		if (used)
			p += used;
		n -= used;
		if (ev != MGMT_DEC_NONE)
			event(a, ev);
	} while (n || ev != MGMT_DEC_NONE);
}

void mgmt_agent_quiet(struct mgmt_agent *a, uint64_t quiet_ns)
{
	if (mgmt_dec_busy(&a->dec) && quiet_ns >= MGMT_QUIET_NS) {
		event(a, mgmt_dec_flush(&a->dec));
		mgmt_agent_feed(a, NULL, 0);
	}
	if (a->dec.garbage && !mgmt_dec_busy(&a->dec) &&
	    quiet_ns >= MGMT_GARBAGE_QUIET_NS) {
		char msg[80], line[88];

		snprintf(msg, sizeof(msg), "%lu bytes of garbage discarded "
			 "(no frame magic or a damaged header)",
			 a->dec.garbage);
		snprintf(line, sizeof(line), "mgmt: %s", msg);
		agent_log(a, MGMT_LOG_INFO, line);
		send_error(a, MGMT_T_ERROR, 0, -VMI_EINVAL, msg);
		a->dec.garbage = 0;
	}
}
