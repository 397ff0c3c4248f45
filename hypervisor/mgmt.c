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
 * What the bytes mean is mgmt/agent.c's business (portable, so the unit
 * tests and the fuzzer run it on the host); this file is its hypervisor
 * side: the UART, the timing, and the ops that reach the domain core.
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
#include <mgmt/agent.h>
#include <mgmt/proto.h>
#include <vmi/vmi.h>
#include <string.h>
#include <stdio.h>

#define POLL_IDLE_NS 1000000ull /* 1 ms between polls on an idle CPU 0 */
#define POLL_BUDGET_NS 10000000ull /* at most 3 ms of draining per poll */
#define BYTE_WAIT_NS 3000000ull /* a gap this long ends a burst */
#define REPOLL_NS 50000ull /* between looks at an empty UART mid-burst */

static uint16_t port;
static uint64_t last_rx_ns;
static struct mgmt_agent agent; /* set up by mgmt_init() once port is */

_Static_assert(DOMAIN_NAME_MAX <= MGMT_AGENT_NAME_MAX,
	       "the agent's name buffers hold a domain name");

/*
 * Console rings (mgmt_con_ring, mgmt/agent.h), one per domain slot.
 * Guests write from any CPU, the agent reads on CPU 0: each ring has its
 * lock.  After a domain ends its ring stays readable by instance until
 * the next domain in the slot writes, so an attached client gets the last
 * words.
 */
struct con_ring {
	spinlock_t lock;
	struct mgmt_con_ring ring;
};

static struct con_ring rings[MAX_DOMAINS];

void mgmt_console_output(struct domain *d, const char *buf, uint64_t len)
{
	struct con_ring *r = &rings[d->id];
	uint64_t f = spin_lock_irqsave(&r->lock);

	mgmt_con_ring_write(&r->ring, d->started_ns, buf, len);
	spin_unlock_irqrestore(&r->lock, f);
}

static size_t op_console_read(void *ctx, unsigned int id, uint64_t instance,
			      uint64_t *off, uint64_t *lost, uint8_t *out,
			      size_t cap)
{
	struct con_ring *r = &rings[id];
	uint64_t f = spin_lock_irqsave(&r->lock);
	size_t n = mgmt_con_ring_read(&r->ring, instance, off, lost, out, cap);

	(void)ctx;
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

static void op_put_exit_names(void *ctx, struct mgmt_tlv_writer *w)
{
	(void)ctx;
	put_exit_names(w);
}

static void op_put_memory(void *ctx, struct mgmt_tlv_writer *w)
{
	(void)ctx;
	put_memory(w);
}

static void op_put_version(void *ctx, struct mgmt_tlv_writer *w)
{
	(void)ctx;
	put_version(w);
}

static void op_put_domain(void *ctx, struct mgmt_tlv_writer *w,
			  struct mgmt_dom *d, bool calls)
{
	(void)ctx;
	put_domain(w, (struct domain *)d, calls);
}

static void op_send(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++)
		serial_putc(port, (char)buf[i]);
}

static void op_log(void *ctx, int level, const char *msg)
{
	(void)ctx;
	if (level == MGMT_LOG_WARN)
		log_warn("%s", msg);
	else
		log_info("%s", msg);
}

static struct mgmt_dom *op_find(void *ctx, const char *name, unsigned int id)
{
	(void)ctx;
	return (struct mgmt_dom *)domain_find(name, id);
}

static void op_describe(void *ctx, struct mgmt_dom *md,
			struct mgmt_dom_desc *out)
{
	struct domain *d = (struct domain *)md;

	(void)ctx;
	out->id = d->id;
	out->instance = d->started_ns;
	out->state = state_name(d);
}

static size_t op_dmesg(void *ctx, uint64_t *pos, char *buf, size_t len)
{
	(void)ctx;
	return log_ring_read(pos, buf, len);
}

static int op_pause(void *ctx, struct mgmt_dom *d, char *why, size_t len)
{
	(void)ctx;
	return domain_pause((struct domain *)d, why, (unsigned int)len);
}

static int op_unpause(void *ctx, struct mgmt_dom *d, char *why, size_t len)
{
	(void)ctx;
	return domain_unpause((struct domain *)d, why, (unsigned int)len);
}

static int op_shutdown(void *ctx, struct mgmt_dom *d, char *why, size_t len)
{
	(void)ctx;
	return domain_shutdown((struct domain *)d, why, (unsigned int)len);
}

static int op_destroy(void *ctx, struct mgmt_dom *d, char *why, size_t len)
{
	(void)ctx;
	return domain_kill((struct domain *)d, why, (unsigned int)len);
}

static int op_create(void *ctx, const struct mgmt_create *c, unsigned int *id,
		     char *why, size_t why_len)
{
	struct domain_config cfg = { 0 };
	struct domain *d;
	int ret;

	(void)ctx;
	cfg.name = c->name;
	cfg.mem_bytes = c->mem_bytes;
	/* One over the limit: domain_create() says what the limit is. */
	cfg.vcpus = c->vcpus > MAX_VCPUS ? MAX_VCPUS + 1
					 : (unsigned int)c->vcpus;
	cfg.pv = c->pv;
	cfg.kernel = c->kernel;
	cfg.kernel_len = c->kernel_len;
	cfg.ramdisk = c->ramdisk;
	cfg.ramdisk_len = c->ramdisk_len;
	cfg.cmdline = c->cmdline;
	ret = domain_create(&cfg, &d, why, (unsigned int)why_len);
	if (!ret)
		*id = d->id;
	return ret;
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

static bool op_console_input(void *ctx, struct mgmt_dom *d,
			     const uint8_t *data, size_t len, size_t *taken)
{
	struct con_input in = { .data = data, .len = len };

	(void)ctx;
	/* A domain being destroyed takes nothing: not running. */
	domain_call_live((struct domain *)d, con_input, &in);
	*taken = in.taken;
	return in.running;
}

/* Uploads are contiguous hypervisor frames, so the loader sees one
 * buffer. */
static unsigned int upload_order(uint64_t size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

static void *op_upload_alloc(void *ctx, const char *what, uint64_t size,
			     char *why, size_t why_len)
{
	unsigned int order = upload_order(size);
	uint64_t mfn;

	(void)ctx;
	if (hv_frame_alloc(order, FRAME_OWNER_HYPERVISOR, &mfn)) {
		snprintf(why, why_len, "%s: no %lu KiB of contiguous memory "
			 "for the upload (%lu MiB free)", what,
			 (PAGE_SIZE << order) >> 10, hv_frames_free() >> 8);
		return NULL;
	}
	return pa_to_va(mfn << PAGE_SHIFT);
}

static void op_upload_free(void *ctx, void *buf, uint64_t size)
{
	(void)ctx;
	hv_frame_free(va_to_pa(buf) >> PAGE_SHIFT, upload_order(size),
		      FRAME_OWNER_HYPERVISOR);
}

static const struct mgmt_agent_ops agent_ops = {
	.send = op_send,
	.log = op_log,
	.find = op_find,
	.describe = op_describe,
	.put_domain = op_put_domain,
	.put_exit_names = op_put_exit_names,
	.put_memory = op_put_memory,
	.put_version = op_put_version,
	.dmesg = op_dmesg,
	.pause = op_pause,
	.unpause = op_unpause,
	.shutdown = op_shutdown,
	.destroy = op_destroy,
	.create = op_create,
	.console_read = op_console_read,
	.console_input = op_console_input,
	.upload_alloc = op_upload_alloc,
	.upload_free = op_upload_free,
};

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
				mgmt_agent_feed(&agent, buf, n);
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
		mgmt_agent_feed(&agent, buf, n);
	if (last != start)
		last_rx_ns = last;
	mgmt_agent_quiet(&agent, time_ns() - last_rx_ns);
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
	mgmt_agent_init(&agent, &agent_ops, NULL, MAX_DOMAINS,
			DOMAIN_NAME_MAX);
	port = p;
	log_info("mgmt: serving protocol %d on the UART at %#x", MGMT_VERSION,
		 p);
}
