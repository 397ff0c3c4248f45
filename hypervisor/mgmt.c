/*
 * The management agent (docs/management-protocol.md).
 *
 * CPU 0 calls mgmt_poll() from its scheduler loop: between vCPU runs (so
 * at least once per 10 ms slice when it runs a guest) and every
 * millisecond while idle.  A poll drains the UART and, while bytes keep
 * coming, waits briefly for more (up to POLL_BUDGET_NS), so an upload
 * moves at the line's pace without keeping guests off CPU 0 for long.
 * The polled UART loses nothing: QEMU, like a real 16550 with flow
 * control, holds bytes until the FIFO has room.
 *
 * Requests are handled to completion one at a time; the decoder
 * (mgmt/proto.c) does framing, lengths and checksums, and every input that
 * is not a valid request is answered with an error frame.
 */
#include <trivisor/mgmt.h>
#include <trivisor/cmdline.h>
#include <trivisor/domain.h>
#include <trivisor/io.h>
#include <trivisor/lapic.h>
#include <trivisor/log.h>
#include <trivisor/memory.h>
#include <trivisor/layout.h>
#include <trivisor/serial.h>
#include <trivisor/smp.h>
#include <trivisor/time.h>
#include <trivisor/version.h>
#include <trivisor/spinlock.h>
#include <hvm/caps.h>
#include <hvm/hvm.h>
#include <hvm/platform.h>
#include <hvm/vmi.h>
#include <mgmt/proto.h>
#include <vmi/vmi.h>
#include <string.h>
#include <stdio.h>

#define POLL_IDLE_NS 1000000ull /* 1 ms between polls on an idle CPU 0 */
#define POLL_BUDGET_NS 10000000ull /* at most 3 ms of draining per poll */
#define BYTE_WAIT_NS 3000000ull /* a gap this long ends a burst */
#define REPOLL_NS 50000ull /* between looks at an empty UART mid-burst */
#define QUIET_NS 500000000ull /* mid-frame silence that drops the frame */
#define GARBAGE_QUIET_NS 50000000ull /* report garbage after this */
#define UPLOAD_MAX (64ull << 20)

static uint16_t port;
static struct mgmt_dec dec;
static uint64_t last_rx_ns;
static uint8_t tx[MGMT_MAX_FRAME];
static uint8_t reply_buf[MGMT_MAX_PAYLOAD];
static char why[256];

/* An image being uploaded: contiguous frames, so the loader sees one
 * buffer. */
struct upload {
	uint8_t *buf;
	uint64_t mfn;
	unsigned int order;
	uint64_t size, received;
	uint32_t crc, running_crc;
};

static struct upload slots[MGMT_NR_SLOTS];
static const char *const slot_names[MGMT_NR_SLOTS] = { "kernel", "ramdisk" };

static void upload_free(struct upload *u)
{
	if (u->buf)
		hv_frame_free(u->mfn, u->order, FRAME_OWNER_HYPERVISOR);
	memset(u, 0, sizeof(*u));
}

static bool upload_complete(const struct upload *u)
{
	return u->buf && u->received == u->size && u->running_crc == u->crc;
}

static void send_frame(uint8_t type, uint32_t seq, const uint8_t *p,
		       uint32_t len)
{
	size_t n = mgmt_encode(tx, type, seq, p, len);

	for (size_t i = 0; i < n; i++)
		serial_putc(port, (char)tx[i]);
}

static void send_error(uint8_t type, uint32_t seq, int status,
		       const char *msg)
{
	struct mgmt_tlv_writer w;

	mgmt_tlv_init(&w, reply_buf, sizeof(reply_buf));
	mgmt_tlv_put_u64(&w, MGMT_F_STATUS, (uint64_t)(int64_t)status);
	mgmt_tlv_put_str(&w, MGMT_F_MESSAGE, msg);
	send_frame(type, seq, reply_buf, (uint32_t)w.len);
}

/*
 * Console rings: the last MGMT_CON_RING bytes each domain wrote to its
 * serial console (COM1 or VMI CONSOLE_WRITE), by slot.  A ring belongs to
 * one run of a domain, its instance (started_ns); the first output of the
 * next domain in the slot resets it.  After a domain ends its ring stays
 * readable by instance until then, so an attached client gets the last
 * words.  Guests write from any CPU, the agent reads on CPU 0: each ring
 * has its lock.
 */
#define MGMT_CON_RING 8192

struct con_ring {
	spinlock_t lock;
	uint64_t instance; /* the started_ns of the domain it holds */
	uint64_t head; /* bytes written in all; buf holds the last ones */
	uint8_t buf[MGMT_CON_RING];
};

static struct con_ring rings[MAX_DOMAINS];

void mgmt_console_output(struct domain *d, const char *buf, uint64_t len)
{
	struct con_ring *r = &rings[d->id];
	uint64_t f = spin_lock_irqsave(&r->lock);

	if (r->instance != d->started_ns) {
		r->instance = d->started_ns;
		r->head = 0;
	}
	if (len > MGMT_CON_RING) {
		r->head += len - MGMT_CON_RING;
		buf += len - MGMT_CON_RING;
		len = MGMT_CON_RING;
	}
	for (uint64_t i = 0; i < len; i++)
		r->buf[r->head++ % MGMT_CON_RING] = (uint8_t)buf[i];
	spin_unlock_irqrestore(&r->lock, f);
}

/*
 * Copy what ring @id holds of @instance from *@off, at most @cap bytes;
 * *@off moves to where the data starts (later than asked when older bytes
 * are gone, their count in *@lost).  A ring that holds another instance
 * (or none yet) has nothing.
 */
static size_t con_ring_read(unsigned int id, uint64_t instance, uint64_t *off,
			    uint64_t *lost, uint8_t *out, size_t cap)
{
	struct con_ring *r = &rings[id];
	uint64_t f = spin_lock_irqsave(&r->lock);
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
	spin_unlock_irqrestore(&r->lock, f);
	return n;
}

/* VMI section names, from the ABI headers' VMI_SECTION_* (vmi/core.h). */
#define SECTION(n) [VMI_SECTION_##n] = #n
static const char *const vmi_section_names[VMI_NR_SECTIONS] = {
	SECTION(CORE), SECTION(VCPU), SECTION(TIME), SECTION(EVENTS),
	SECTION(MMU), SECTION(MEMORY), SECTION(CONSOLE),
};
#undef SECTION

static const char *state_name(const struct domain *d)
{
	switch (d->state) {
	case DOM_RUNNING:
		return "running";
	case DOM_PAUSED:
		return "paused";
	default:
		return "ended";
	}
}

/*
 * A domain's counters.  Each is read with one atomic 64-bit load (its
 * writer, the vCPU's CPU or a VMI call, stores it whole), under
 * domain_call_live() so the vCPUs cannot be freed meanwhile.  They are
 * not one instant's snapshot: each is exact as of its own load, and they
 * may be apart by the exits and calls in flight while they are summed.
 */
struct dom_stats {
	uint64_t tsc, exits, vmi_calls;
	uint64_t by_reason[HVM_EXIT_NR];
	uint64_t calls[VMI_NR_CALLS];
	char pcpus[MAX_VCPUS * 4 + 1];
};

static void read_stats(struct domain *d, void *arg)
{
	struct dom_stats *s = arg;
	size_t len = 0;

	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];

		if (!v)
			continue;
		s->tsc += __atomic_load_n(&v->run_tsc, __ATOMIC_RELAXED);
		for (unsigned int r = 0; r < HVM_EXIT_NR; r++) {
			uint64_t n = __atomic_load_n(&v->exits[r],
						     __ATOMIC_RELAXED);

			s->by_reason[r] += n;
			s->exits += n;
		}
		len += (size_t)snprintf(s->pcpus + len, sizeof(s->pcpus) - len,
					"%s%u", i ? "," : "", v->pcpu);
	}
	for (unsigned int c = 0; c < VMI_NR_CALLS; c++) {
		s->calls[c] = __atomic_load_n(&d->vmi.calls[c],
					      __ATOMIC_RELAXED);
		s->vmi_calls += s->calls[c];
	}
}

/* @calls: also each VMI call number's count (info). */
static void put_domain(struct mgmt_tlv_writer *w, struct domain *d,
		       bool calls)
{
	static struct dom_stats s;
	uint64_t khz = tsc_khz() ? tsc_khz() : 1;
	size_t mark = mgmt_tlv_begin(w, MGMT_F_DOMAIN);

	memset(&s, 0, sizeof(s));
	/* A domain being destroyed has no counters left: zeros. */
	domain_call_live(d, read_stats, &s);
	mgmt_tlv_put_u64(w, MGMT_F_ID, d->id);
	mgmt_tlv_put_str(w, MGMT_F_NAME, d->name);
	mgmt_tlv_put_str(w, MGMT_F_STATE, state_name(d));
	mgmt_tlv_put_str(w, MGMT_F_TYPE, d->vmi.enabled ? "pv" : "hv");
	mgmt_tlv_put_u64(w, MGMT_F_MEMORY, d->mem_bytes);
	mgmt_tlv_put_u64(w, MGMT_F_VCPUS, d->nr_vcpus);
	/* ticks / kHz = ms; keep the precision in ns. */
	mgmt_tlv_put_u64(w, MGMT_F_CPU_NS, s.tsc / khz * 1000000 +
						   s.tsc % khz * 1000000 / khz);
	mgmt_tlv_put_u64(w, MGMT_F_UPTIME_NS, time_ns() - d->started_ns);
	mgmt_tlv_put_u64(w, MGMT_F_EXITS, s.exits);
	mgmt_tlv_put_u64s(w, MGMT_F_EXIT_COUNTS, s.by_reason, HVM_EXIT_NR);
	mgmt_tlv_put_str(w, MGMT_F_PCPUS, s.pcpus);
	if (d->vmi.enabled)
		mgmt_tlv_put_u64(w, MGMT_F_VMI_CALLS, s.vmi_calls);
	for (unsigned int c = 0; calls && d->vmi.enabled && c < VMI_NR_CALLS;
	     c++) {
		size_t m;

		if (!s.calls[c])
			continue;
		m = mgmt_tlv_begin(w, MGMT_F_VMI_CALL);
		mgmt_tlv_put_u64(w, MGMT_F_CALL, c);
		if (vmi_call_name(c))
			mgmt_tlv_put_str(w, MGMT_F_NAME, vmi_call_name(c));
		mgmt_tlv_put_u64(w, MGMT_F_COUNT, s.calls[c]);
		mgmt_tlv_end(w, m);
	}
	mgmt_tlv_end(w, mark);
}

/*
 * The names of the exit reasons, in the order of every domain's
 * exit_counts: hvm_exit_name() is the one table, so a client learns them
 * from each reply and the reason numbers stay the hypervisor's own.
 */
static void put_exit_names(struct mgmt_tlv_writer *w)
{
	for (unsigned int r = 0; r < HVM_EXIT_NR; r++)
		mgmt_tlv_put_str(w, MGMT_F_EXIT_NAME, hvm_exit_name(r));
}

/*
 * What the version request reports besides the versions: the VMI ABI and
 * its sections as guests see them (CPUID 0x40000001 and the section
 * leaves), and the hardware the hypervisor found at boot, only what it
 * detected (hvm_caps, the TSC, the LAPIC mode, the CPUs that came up).
 */
static void put_version(struct mgmt_tlv_writer *w)
{
	const char *feat[32];
	unsigned int n = hvm_caps_features(&hvm_caps, feat, 32);

	mgmt_tlv_put_u64(w, MGMT_F_PROTO, MGMT_VERSION);
	mgmt_tlv_put_u64(w, MGMT_F_PROTO_MINOR, MGMT_VERSION_MINOR);
	mgmt_tlv_put_str(w, MGMT_F_HV_VERSION, TRIVISOR_VERSION);
	mgmt_tlv_put_u64(w, MGMT_F_VMI_VERSION,
			 VMI_VERSION(VMI_ABI_MAJOR, VMI_ABI_MINOR));
	for (unsigned int s = 0; s < VMI_NR_SECTIONS; s++) {
		uint16_t v = vmi_section_version(s);
		size_t m;

		if (!v)
			continue;
		m = mgmt_tlv_begin(w, MGMT_F_VMI_SECTION);
		mgmt_tlv_put_str(w, MGMT_F_NAME, vmi_section_names[s]);
		mgmt_tlv_put_u64(w, MGMT_F_VMI_VERSION,
				 VMI_VERSION((uint32_t)v >> 8, v & 0xffu));
		mgmt_tlv_end(w, m);
	}
	if (hvm_available)
		mgmt_tlv_put_str(w, MGMT_F_HV_BACKEND, hvm_ops.name);
	for (unsigned int i = 0; i < n && i < 32; i++)
		mgmt_tlv_put_str(w, MGMT_F_HW_FEATURE, feat[i]);
	if (lapic_x2apic())
		mgmt_tlv_put_str(w, MGMT_F_HW_FEATURE, "x2apic");
	if (time_tsc_invariant())
		mgmt_tlv_put_str(w, MGMT_F_HW_FEATURE, "invariant-tsc");
	if (hvm_caps.svm.present)
		mgmt_tlv_put_u64(w, MGMT_F_ASIDS, hvm_caps.svm.nr_asids);
	mgmt_tlv_put_u64(w, MGMT_F_TSC_KHZ, tsc_khz());
	mgmt_tlv_put_u64(w, MGMT_F_CPUS, smp_online_count());
}

static void put_memory(struct mgmt_tlv_writer *w)
{
	mgmt_tlv_put_u64(w, MGMT_F_FREE, hv_frames_free() << PAGE_SHIFT);
	mgmt_tlv_put_u64(w, MGMT_F_TOTAL, hv_frames_total() << PAGE_SHIFT);
}

/* The domain a request names by name or id, or an error in why. */
static struct domain *named_domain(const struct mgmt_frame *f)
{
	char name[DOMAIN_NAME_MAX];
	struct domain *d = NULL;
	uint64_t id;

	if (mgmt_tlv_str(f->payload, f->len, MGMT_F_NAME, name, sizeof(name))) {
		d = domain_find(name, 0);
		if (!d)
			snprintf(why, sizeof(why), "no domain named '%s' (see "
				 "tvctl list)", name);
	} else if (mgmt_tlv_u64(f->payload, f->len, MGMT_F_ID, &id)) {
		d = id < MAX_DOMAINS ? domain_find(NULL, (unsigned int)id)
				     : NULL;
		if (!d)
			snprintf(why, sizeof(why), "no domain with id %lu (see "
				 "tvctl list)", id);
	} else {
		snprintf(why, sizeof(why), "the request names no domain "
			 "(field name or id)");
	}
	return d;
}

static int do_upload_begin(const struct mgmt_frame *f)
{
	uint64_t slot, size, crc, mfn;
	unsigned int order = 0;
	struct upload *u;
	int ret;

	if (!mgmt_tlv_u64(f->payload, f->len, MGMT_F_SLOT, &slot) ||
	    slot >= MGMT_NR_SLOTS ||
	    !mgmt_tlv_u64(f->payload, f->len, MGMT_F_SIZE, &size) ||
	    !mgmt_tlv_u64(f->payload, f->len, MGMT_F_CRC, &crc)) {
		snprintf(why, sizeof(why), "upload begin needs slot (0 or 1), "
			 "size and crc");
		return -VMI_EINVAL;
	}
	u = &slots[slot];
	if (u->buf)
		log_info("mgmt: %s upload of %lu of %lu bytes discarded: a new "
			 "one begins", slot_names[slot], u->received, u->size);
	upload_free(u);
	if (size == 0 || size > UPLOAD_MAX) {
		snprintf(why, sizeof(why), "%s: %lu bytes: images must be 1 "
			 "byte to %llu MiB", slot_names[slot], size,
			 UPLOAD_MAX >> 20);
		return -VMI_E2BIG;
	}
	while ((PAGE_SIZE << order) < size)
		order++;
	ret = hv_frame_alloc(order, FRAME_OWNER_HYPERVISOR, &mfn);
	if (ret) {
		snprintf(why, sizeof(why), "%s: no %lu KiB of contiguous memory "
			 "for the upload (%lu MiB free)", slot_names[slot],
			 (PAGE_SIZE << order) >> 10, hv_frames_free() >> 8);
		return -VMI_ENOMEM;
	}
	u->buf = pa_to_va(mfn << PAGE_SHIFT);
	u->mfn = mfn;
	u->order = order;
	u->size = size;
	u->crc = (uint32_t)crc;
	return 0;
}

static int do_upload_chunk(const struct mgmt_frame *f)
{
	uint64_t slot, off;
	const uint8_t *data;
	uint16_t len;
	struct upload *u;

	if (!mgmt_tlv_u64(f->payload, f->len, MGMT_F_SLOT, &slot) ||
	    slot >= MGMT_NR_SLOTS ||
	    !mgmt_tlv_u64(f->payload, f->len, MGMT_F_OFFSET, &off) ||
	    !mgmt_tlv_find(f->payload, f->len, MGMT_F_DATA, &data, &len)) {
		snprintf(why, sizeof(why), "upload chunk needs slot, offset and "
			 "data");
		return -VMI_EINVAL;
	}
	u = &slots[slot];
	if (!u->buf) {
		snprintf(why, sizeof(why), "%s: no upload in progress: begin "
			 "one first", slot_names[slot]);
		return -VMI_EINVAL;
	}
	if (off != u->received || len > u->size - u->received) {
		snprintf(why, sizeof(why), "%s: chunk at %lu+%u does not follow "
			 "byte %lu of %lu: upload discarded, start again",
			 slot_names[slot], off, len, u->received, u->size);
		upload_free(u);
		return -VMI_EINVAL;
	}
	memcpy(u->buf + off, data, len);
	u->running_crc = mgmt_crc32(u->running_crc, data, len);
	u->received += len;
	return 0;
}

static int do_create(const struct mgmt_frame *f, struct mgmt_tlv_writer *w)
{
	struct domain_config cfg = { 0 };
	char name[DOMAIN_NAME_MAX], type[8] = "hv";
	static char cmdline[MGMT_STR_MAX + 1];
	uint64_t mem = 64ull << 20, vcpus = 1;
	struct domain *d;
	int ret;

	if (!mgmt_tlv_str(f->payload, f->len, MGMT_F_NAME, name, sizeof(name)) ||
	    !name[0]) {
		snprintf(why, sizeof(why), "create needs a name of 1 to %d "
			 "characters", DOMAIN_NAME_MAX - 1);
		return -VMI_EINVAL;
	}
	mgmt_tlv_u64(f->payload, f->len, MGMT_F_MEMORY, &mem);
	mgmt_tlv_u64(f->payload, f->len, MGMT_F_VCPUS, &vcpus);
	if (!mgmt_tlv_str(f->payload, f->len, MGMT_F_CMDLINE, cmdline,
			  sizeof(cmdline)))
		cmdline[0] = '\0';
	mgmt_tlv_str(f->payload, f->len, MGMT_F_TYPE, type, sizeof(type));
	/* auto: hv, until there is a container that needs choosing. */
	if (strcmp(type, "hv") && strcmp(type, "pv") && strcmp(type, "auto")) {
		snprintf(why, sizeof(why), "type = \"%s\": only hv, pv (or "
			 "auto) domains exist so far", type);
		return -VMI_EOPNOTSUPP;
	}
	cfg.pv = !strcmp(type, "pv");
	for (int s = 0; s < MGMT_NR_SLOTS; s++) {
		struct upload *u = &slots[s];

		if (!u->buf || upload_complete(u))
			continue;
		snprintf(why, sizeof(why), "%s upload incomplete or corrupt "
			 "(%lu of %lu bytes, CRC %s): discarded, upload again",
			 slot_names[s], u->received, u->size,
			 u->received == u->size ? "wrong" : "not checked");
		log_warn("mgmt: %s", why);
		upload_free(&slots[0]);
		upload_free(&slots[1]);
		return -VMI_EINVAL;
	}
	if (!slots[MGMT_SLOT_KERNEL].buf) {
		snprintf(why, sizeof(why), "no kernel uploaded");
		return -VMI_EINVAL;
	}
	cfg.name = name;
	cfg.mem_bytes = mem;
	cfg.vcpus = vcpus > MAX_VCPUS ? MAX_VCPUS + 1 : (unsigned int)vcpus;
	cfg.kernel = slots[MGMT_SLOT_KERNEL].buf;
	cfg.kernel_len = slots[MGMT_SLOT_KERNEL].size;
	if (slots[MGMT_SLOT_RAMDISK].buf) {
		cfg.ramdisk = slots[MGMT_SLOT_RAMDISK].buf;
		cfg.ramdisk_len = slots[MGMT_SLOT_RAMDISK].size;
	}
	cfg.cmdline = cmdline;
	ret = domain_create(&cfg, &d, why, sizeof(why));
	upload_free(&slots[0]);
	upload_free(&slots[1]);
	if (ret)
		return ret;
	mgmt_tlv_put_u64(w, MGMT_F_ID, d->id);
	return 0;
}

/*
 * Console requests name the domain by id or name and, once the client
 * knows it, by instance too: the run of the domain it attached to, so a
 * new domain in the same slot is never mistaken for it.
 */
static int console_target(const struct mgmt_frame *f, struct domain **live,
			  unsigned int *id, uint64_t *instance)
{
	struct domain *d;
	uint64_t want, n;

	if (!mgmt_tlv_u64(f->payload, f->len, MGMT_F_INSTANCE, &want)) {
		d = named_domain(f);
		if (!d)
			return -VMI_ESRCH;
		*live = d;
		*id = d->id;
		*instance = d->started_ns;
		return 0;
	}
	if (!mgmt_tlv_u64(f->payload, f->len, MGMT_F_ID, &n) ||
	    n >= MAX_DOMAINS) {
		snprintf(why, sizeof(why), "a console request with an instance "
			 "needs the domain's id (0 to %d)", MAX_DOMAINS - 1);
		return -VMI_EINVAL;
	}
	d = domain_find(NULL, (unsigned int)n);
	*live = d && d->started_ns == want ? d : NULL;
	*id = (unsigned int)n;
	*instance = want;
	return 0;
}

static int do_console_read(const struct mgmt_frame *f,
			   struct mgmt_tlv_writer *w)
{
	static uint8_t text[MGMT_CHUNK_DATA];
	struct domain *d;
	uint64_t instance, off = 0, lost;
	unsigned int id;
	const char *state;
	size_t n;
	int ret = console_target(f, &d, &id, &instance);

	if (ret)
		return ret;
	mgmt_tlv_u64(f->payload, f->len, MGMT_F_OFFSET, &off);
	/* The state before the data: output that follows "ended" is none. */
	state = d ? state_name(d) : "ended";
	n = con_ring_read(id, instance, &off, &lost, text, sizeof(text));
	mgmt_tlv_put_u64(w, MGMT_F_ID, id);
	mgmt_tlv_put_u64(w, MGMT_F_INSTANCE, instance);
	mgmt_tlv_put_str(w, MGMT_F_STATE, state);
	mgmt_tlv_put(w, MGMT_F_DATA, text, n);
	mgmt_tlv_put_u64(w, MGMT_F_NEXT, off + n);
	if (lost)
		mgmt_tlv_put_u64(w, MGMT_F_LOST, lost);
	return 0;
}

struct con_input {
	const uint8_t *data;
	size_t len, taken;
	bool running;
};

static void con_input(struct domain *d, void *arg)
{
	struct con_input *in = arg;
	size_t room;

	in->running = d->state == DOM_RUNNING || d->state == DOM_PAUSED;
	if (!in->running)
		return;
	room = hvm_platform_console_room(d);
	in->taken = hvm_platform_console_input(d, in->data,
					       in->len < room ? in->len : room);
}

static int do_console_write(const struct mgmt_frame *f,
			    struct mgmt_tlv_writer *w)
{
	struct con_input in = { 0 };
	struct domain *d;
	uint64_t instance;
	unsigned int id;
	uint16_t len;
	int ret = console_target(f, &d, &id, &instance);

	if (ret)
		return ret;
	if (!mgmt_tlv_find(f->payload, f->len, MGMT_F_DATA, &in.data, &len) ||
	    len > MGMT_CONSOLE_IN_MAX) {
		snprintf(why, sizeof(why), "console write needs data of at "
			 "most %d bytes", MGMT_CONSOLE_IN_MAX);
		return -VMI_EINVAL;
	}
	in.len = len;
	if (d)
		domain_call_live(d, con_input, &in);
	if (!in.running) {
		snprintf(why, sizeof(why), "domain %u has ended: its console "
			 "takes no input", id);
		return -VMI_ESRCH;
	}
	/* Fewer than sent: the guest's receive FIFO is full; the client
	 * sends the rest again later. */
	mgmt_tlv_put_u64(w, MGMT_F_SIZE, in.taken);
	mgmt_tlv_put_u64(w, MGMT_F_INSTANCE, instance);
	return 0;
}

static int dispatch(const struct mgmt_frame *f, struct mgmt_tlv_writer *w)
{
	struct domain *d;

	switch (f->type) {
	case MGMT_T_VERSION:
		put_version(w);
		return 0;
	case MGMT_T_LIST:
		for (unsigned int i = 0; i < MAX_DOMAINS; i++)
			if ((d = domain_find(NULL, i)))
				put_domain(w, d, false);
		put_exit_names(w);
		put_memory(w);
		return 0;
	case MGMT_T_DMESG: {
		static char text[MGMT_CHUNK_DATA];
		uint64_t pos = 0, n;

		mgmt_tlv_u64(f->payload, f->len, MGMT_F_OFFSET, &pos);
		n = log_ring_read(&pos, text, sizeof(text));
		mgmt_tlv_put(w, MGMT_F_DATA, text, n);
		mgmt_tlv_put_u64(w, MGMT_F_NEXT, pos);
		return 0;
	}
	case MGMT_T_UPLOAD_BEGIN:
		return do_upload_begin(f);
	case MGMT_T_UPLOAD_CHUNK:
		return do_upload_chunk(f);
	case MGMT_T_CREATE:
		return do_create(f, w);
	case MGMT_T_INFO:
	case MGMT_T_PAUSE:
	case MGMT_T_UNPAUSE:
	case MGMT_T_SHUTDOWN:
	case MGMT_T_DESTROY:
		d = named_domain(f);
		if (!d)
			return -VMI_ESRCH;
		if (f->type == MGMT_T_PAUSE)
			return domain_pause(d, why, sizeof(why));
		if (f->type == MGMT_T_UNPAUSE)
			return domain_unpause(d, why, sizeof(why));
		if (f->type == MGMT_T_SHUTDOWN)
			return domain_shutdown(d, why, sizeof(why));
		if (f->type == MGMT_T_DESTROY)
			return domain_kill(d, why, sizeof(why));
		put_domain(w, d, true);
		put_exit_names(w);
		put_memory(w);
		return 0;
	case MGMT_T_CONSOLE_READ:
		return do_console_read(f, w);
	case MGMT_T_CONSOLE_WRITE:
		return do_console_write(f, w);
	default:
		snprintf(why, sizeof(why), "unknown request type %#x (protocol "
			 "version %d)", f->type, MGMT_VERSION);
		return -VMI_ENOSYS;
	}
}

static void handle(const struct mgmt_frame *f)
{
	struct mgmt_tlv_writer w;
	uint8_t type = f->type;
	int ret;

	if (type & MGMT_RESPONSE) {
		send_error(MGMT_T_ERROR, f->seq, -VMI_EINVAL,
			   "a response type sent as a request");
		return;
	}
	if (!mgmt_tlv_valid(f->payload, f->len)) {
		send_error(type | MGMT_RESPONSE, f->seq, -VMI_EINVAL,
			   "malformed payload: not a sequence of TLV fields");
		return;
	}
	mgmt_tlv_init(&w, reply_buf, sizeof(reply_buf));
	mgmt_tlv_put_u64(&w, MGMT_F_STATUS, 0); /* patched below on error */
	why[0] = '\0';
	ret = dispatch(f, &w);
	if (ret) {
		send_error(type | MGMT_RESPONSE, f->seq, ret,
			   why[0] ? why : "failed");
		return;
	}
	if (w.overflow) {
		send_error(type | MGMT_RESPONSE, f->seq, -VMI_E2BIG,
			   "the reply does not fit in one frame");
		return;
	}
	send_frame(type | MGMT_RESPONSE, f->seq, reply_buf, (uint32_t)w.len);
}

static void event(int ev)
{
	static const char *const what[] = {
		[MGMT_DEC_BAD_VERSION] = "unsupported protocol version",
		[MGMT_DEC_TOO_BIG] = "frame longer than 8192 bytes",
		[MGMT_DEC_BAD_CRC] = "payload checksum wrong",
		[MGMT_DEC_TRUNCATED] = "truncated frame dropped (the sender "
				       "went quiet mid-frame)",
	};

	if (ev == MGMT_DEC_FRAME) {
		handle(&dec.frame);
		return;
	}
	log_info("mgmt: %s (seq %u)", what[ev], dec.err_seq);
	send_error(MGMT_T_ERROR, dec.err_seq,
		   ev == MGMT_DEC_TOO_BIG ? -VMI_E2BIG : -VMI_EINVAL, what[ev]);
}

static void feed(const uint8_t *p, size_t n)
{
	size_t used;
	int ev;

	do {
		ev = mgmt_dec_feed(&dec, p, n, &used);
		p += used;
		n -= used;
		if (ev != MGMT_DEC_NONE)
			event(ev);
	} while (n || ev != MGMT_DEC_NONE);
}

void mgmt_poll(void)
{
	uint64_t start, now, last;
	uint8_t buf[64];
	size_t n = 0;

	if (!port)
		return;
	start = last = time_ns();
	for (;;) {
		int c = serial_getc(port);

		now = time_ns();
		if (c >= 0) {
			buf[n++] = (uint8_t)c;
			last = now;
			if (n == sizeof(buf)) {
				feed(buf, n);
				n = 0;
			}
			continue;
		}
		/* Nothing now: wait a little for more only mid-burst. */
		if (now - last >= BYTE_WAIT_NS || now - start >= POLL_BUDGET_NS ||
		    (last == start && n == 0))
			break;
		/* Under QEMU every UART access takes the lock the thread
		 * that refills the FIFO needs: leave it alone a while. */
		while (time_ns() - now < REPOLL_NS)
			asm volatile("pause");
	}
	if (n)
		feed(buf, n);
	if (last != start)
		last_rx_ns = last;
	now = time_ns();
	if (mgmt_dec_busy(&dec) && now - last_rx_ns >= QUIET_NS) {
		event(mgmt_dec_flush(&dec));
		feed(NULL, 0);
	}
	if (dec.garbage && !mgmt_dec_busy(&dec) &&
	    now - last_rx_ns >= GARBAGE_QUIET_NS) {
		char msg[80];

		snprintf(msg, sizeof(msg), "%lu bytes of garbage discarded "
			 "(no frame magic or a damaged header)", dec.garbage);
		log_info("mgmt: %s", msg);
		send_error(MGMT_T_ERROR, 0, -VMI_EINVAL, msg);
		dec.garbage = 0;
	}
}

uint64_t mgmt_poll_deadline(void)
{
	return port ? time_ns() + POLL_IDLE_NS : UINT64_MAX;
}

void mgmt_init(uint16_t p)
{
	if (!p)
		return;
	if (p == hv_config.console_port) {
		log_warn("mgmt: port %#x is the console: management agent off",
			 p);
		return;
	}
	/* A UART keeps what is written to its scratch register (PC16550D,
	 * SCR at +7); where none is, reads float to 0xff. */
	outb(p + 7, 0x5a);
	if (inb(p + 7) != 0x5a) {
		log_info("mgmt: no UART at %#x: management agent off", p);
		return;
	}
	serial_init(p, 115200);
	while (serial_getc(p) >= 0)
		;
	mgmt_dec_init(&dec);
	port = p;
	log_info("mgmt: serving protocol %d on the UART at %#x", MGMT_VERSION,
		 p);
}
