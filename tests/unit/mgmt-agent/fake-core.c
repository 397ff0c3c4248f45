/* A pretend domain core for the management agent (fake-core.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmi/errno.h>

#include "fake-core.h"

static const char *const state_names[] = { "running", "paused", "ended" };
static const char fake_log_text[] = "[0.000] trivisor booting\n"
				    "[0.001] mgmt: serving protocol 1\n";

void fake_init(struct fake_core *fc)
{
	memset(fc, 0, sizeof(*fc));
	fc->clock = 1000;
	fc->alloc_limit = 1 << 20;
}

static struct fake_dom *slot_for(struct fake_core *fc, const char *name)
{
	for (unsigned int i = 0; i < FAKE_MAX_DOMAINS; i++) {
		struct fake_dom *d = &fc->dom[i];

		if (d->used)
			continue;
		/* A new run in the slot: its ring is reset by its first
		 * output, as in the hypervisor. */
		d->used = true;
		d->id = i;
		snprintf(d->name, sizeof(d->name), "%s", name);
		d->state = FAKE_RUNNING;
		d->started_ns = fc->clock++;
		d->fifo_room = 16;
		return d;
	}
	return NULL;
}

struct fake_dom *fake_add(struct fake_core *fc, const char *name)
{
	return slot_for(fc, name);
}

void fake_console(struct fake_core *fc, unsigned int id, const char *s,
		  size_t len)
{
	struct fake_dom *d = &fc->dom[id % FAKE_MAX_DOMAINS];

	if (d->used)
		mgmt_con_ring_write(&d->ring, d->started_ns, s, len);
}

static void f_send(void *ctx, const uint8_t *buf, size_t len)
{
	struct fake_core *fc = ctx;
	size_t n = len < FAKE_SENT_MAX - fc->sent_len
			   ? len
			   : FAKE_SENT_MAX - fc->sent_len;

	memcpy(fc->sent + fc->sent_len, buf, n);
	fc->sent_len += n;
	fc->nr_sends++;
	if (fc->on_send)
		fc->on_send(fc, buf, len);
}

static void f_log(void *ctx, int level, const char *msg)
{
	struct fake_core *fc = ctx;

	fc->nr_logs++;
	fc->last_log_level = level;
	snprintf(fc->last_log, sizeof(fc->last_log), "%s", msg);
}

static struct mgmt_dom *f_find(void *ctx, const char *name, unsigned int id)
{
	struct fake_core *fc = ctx;

	if (!name)
		return id < FAKE_MAX_DOMAINS && fc->dom[id].used
			       ? (struct mgmt_dom *)&fc->dom[id]
			       : NULL;
	for (unsigned int i = 0; i < FAKE_MAX_DOMAINS; i++)
		if (fc->dom[i].used && !strcmp(fc->dom[i].name, name))
			return (struct mgmt_dom *)&fc->dom[i];
	return NULL;
}

static void f_describe(void *ctx, struct mgmt_dom *md,
		       struct mgmt_dom_desc *out)
{
	struct fake_dom *d = (struct fake_dom *)md;

	(void)ctx;
	out->id = d->id;
	out->instance = d->started_ns;
	out->state = state_names[d->state];
}

static void f_put_domain(void *ctx, struct mgmt_tlv_writer *w,
			 struct mgmt_dom *md, bool calls)
{
	struct fake_dom *d = (struct fake_dom *)md;
	size_t m = mgmt_tlv_begin(w, MGMT_F_DOMAIN);

	(void)ctx;
	mgmt_tlv_put_u64(w, MGMT_F_ID, d->id);
	mgmt_tlv_put_str(w, MGMT_F_NAME, d->name);
	mgmt_tlv_put_str(w, MGMT_F_STATE, state_names[d->state]);
	if (calls)
		mgmt_tlv_put_u64(w, MGMT_F_VMI_CALLS, 0);
	mgmt_tlv_end(w, m);
}

static void f_put_exit_names(void *ctx, struct mgmt_tlv_writer *w)
{
	(void)ctx;
	mgmt_tlv_put_str(w, MGMT_F_EXIT_NAME, "io");
	mgmt_tlv_put_str(w, MGMT_F_EXIT_NAME, "hlt");
}

static void f_put_memory(void *ctx, struct mgmt_tlv_writer *w)
{
	(void)ctx;
	mgmt_tlv_put_u64(w, MGMT_F_FREE, 1 << 30);
	mgmt_tlv_put_u64(w, MGMT_F_TOTAL, 2u << 30);
}

static void f_put_version(void *ctx, struct mgmt_tlv_writer *w)
{
	(void)ctx;
	mgmt_tlv_put_u64(w, MGMT_F_PROTO, MGMT_VERSION);
	mgmt_tlv_put_u64(w, MGMT_F_PROTO_MINOR, MGMT_VERSION_MINOR);
	mgmt_tlv_put_str(w, MGMT_F_HV_VERSION, "fake");
}

static size_t f_dmesg(void *ctx, uint64_t *pos, char *buf, size_t len)
{
	size_t total = sizeof(fake_log_text) - 1, n;

	(void)ctx;
	if (*pos > total)
		*pos = total;
	n = total - *pos < len ? total - *pos : len;
	memcpy(buf, fake_log_text + *pos, n);
	*pos += n;
	return n;
}

static int f_state(struct mgmt_dom *md, int from, int to, char *why,
		   size_t len)
{
	struct fake_dom *d = (struct fake_dom *)md;

	if (from >= 0 && d->state != from) {
		snprintf(why, len, "%s is %s", d->name, state_names[d->state]);
		return -VMI_EINVAL;
	}
	d->state = to;
	return 0;
}

static int f_pause(void *ctx, struct mgmt_dom *d, char *why, size_t len)
{
	(void)ctx;
	return f_state(d, FAKE_RUNNING, FAKE_PAUSED, why, len);
}

static int f_unpause(void *ctx, struct mgmt_dom *d, char *why, size_t len)
{
	(void)ctx;
	return f_state(d, FAKE_PAUSED, FAKE_RUNNING, why, len);
}

static int f_shutdown(void *ctx, struct mgmt_dom *d, char *why, size_t len)
{
	(void)ctx;
	return f_state(d, -1, FAKE_ENDED, why, len);
}

static int f_destroy(void *ctx, struct mgmt_dom *md, char *why, size_t len)
{
	struct fake_dom *d = (struct fake_dom *)md;

	(void)ctx;
	(void)why;
	(void)len;
	/* The slot is free; its ring stays readable by instance. */
	d->used = false;
	d->state = FAKE_ENDED;
	return 0;
}

static int f_create(void *ctx, const struct mgmt_create *c, unsigned int *id,
		    char *why, size_t why_len)
{
	struct fake_core *fc = ctx;
	struct fake_dom *d;

	if (f_find(ctx, c->name, 0)) {
		snprintf(why, why_len, "a domain named '%s' exists", c->name);
		return -VMI_EEXIST;
	}
	if (!c->vcpus || c->vcpus > FAKE_MAX_VCPUS) {
		snprintf(why, why_len, "vcpus = %lu: 1 to %d", c->vcpus,
			 FAKE_MAX_VCPUS);
		return -VMI_EINVAL;
	}
	d = slot_for(fc, c->name);
	if (!d) {
		snprintf(why, why_len, "no free domain slot");
		return -VMI_ENOSPC;
	}
	fc->nr_creates++;
	fc->created = *c;
	snprintf(fc->created_name, sizeof(fc->created_name), "%s", c->name);
	snprintf(fc->created_cmdline, sizeof(fc->created_cmdline), "%s",
		 c->cmdline);
	fc->created.name = fc->created_name;
	fc->created.cmdline = fc->created_cmdline;
	fc->created.kernel = fc->created.ramdisk = NULL;
	fc->created_kernel_crc = mgmt_crc32(0, c->kernel, c->kernel_len);
	fc->created_ramdisk_crc =
		c->ramdisk ? mgmt_crc32(0, c->ramdisk, c->ramdisk_len) : 0;
	*id = d->id;
	return 0;
}

static size_t f_console_read(void *ctx, unsigned int id, uint64_t instance,
			     uint64_t *off, uint64_t *lost, uint8_t *out,
			     size_t cap)
{
	struct fake_core *fc = ctx;

	if (id >= FAKE_MAX_DOMAINS)
		abort();
	return mgmt_con_ring_read(&fc->dom[id].ring, instance, off, lost, out,
				  cap);
}

static bool f_console_input(void *ctx, struct mgmt_dom *md,
			    const uint8_t *data, size_t len, size_t *taken)
{
	struct fake_dom *d = (struct fake_dom *)md;

	(void)ctx;
	(void)data;
	if (d->state == FAKE_ENDED)
		return false;
	*taken = len < d->fifo_room ? len : d->fifo_room;
	d->fifo_room -= *taken;
	return true;
}

static void *f_upload_alloc(void *ctx, const char *what, uint64_t size,
			    char *why, size_t why_len)
{
	struct fake_core *fc = ctx;
	void *p;

	if (!size || size > MGMT_UPLOAD_MAX || fc->nr_uploads >= MGMT_NR_SLOTS)
		abort(); /* the agent checks these first */
	if (size > fc->alloc_limit) {
		snprintf(why, why_len, "%s: no %lu bytes", what, size);
		return NULL;
	}
	p = malloc(size);
	if (!p)
		abort();
	fc->nr_uploads++;
	return p;
}

static void f_upload_free(void *ctx, void *buf, uint64_t size)
{
	struct fake_core *fc = ctx;

	(void)size;
	if (!buf || fc->nr_uploads <= 0)
		abort();
	free(buf);
	fc->nr_uploads--;
}

const struct mgmt_agent_ops fake_ops = {
	.send = f_send,
	.log = f_log,
	.find = f_find,
	.describe = f_describe,
	.put_domain = f_put_domain,
	.put_exit_names = f_put_exit_names,
	.put_memory = f_put_memory,
	.put_version = f_put_version,
	.dmesg = f_dmesg,
	.pause = f_pause,
	.unpause = f_unpause,
	.shutdown = f_shutdown,
	.destroy = f_destroy,
	.create = f_create,
	.console_read = f_console_read,
	.console_input = f_console_input,
	.upload_alloc = f_upload_alloc,
	.upload_free = f_upload_free,
};
