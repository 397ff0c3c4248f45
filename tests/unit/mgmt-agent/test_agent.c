/*
 * Management agent tests (mgmt/agent.c): requests as the client sends
 * them, framed and checksummed, through a fake domain core
 * (fake-core.c); every reply decoded and checked.
 */
#include <string.h>

#include <mgmt/agent.h>
#include <mgmt/proto.h>
#include <vmi/errno.h>

#include "fake-core.h"
#include "unit.h"

static struct fake_core fc;
static struct mgmt_agent ag;
static uint8_t pl[MGMT_MAX_PAYLOAD];
static struct mgmt_tlv_writer w;
static uint32_t seq;

/* The last reply. */
static struct {
	uint8_t type;
	uint32_t seq;
	uint8_t p[MGMT_MAX_PAYLOAD];
	uint32_t len;
	int64_t status;
	char msg[512];
} rep;

static void setup(void)
{
	fake_init(&fc);
	mgmt_agent_init(&ag, &fake_ops, &fc, FAKE_MAX_DOMAINS, FAKE_NAME_MAX);
	seq = 0;
}

/* Start a request payload in w. */
static void req(void)
{
	mgmt_tlv_init(&w, pl, sizeof(pl));
}

/* Decode the first frame in buf into rep; it must be all of buf if
 * exact. */
static void decode_first(const uint8_t *buf, size_t len, bool exact)
{
	static struct mgmt_dec dec;
	uint64_t st = 1;
	size_t used;

	mgmt_dec_init(&dec);
	CU_ASSERT_EQUAL_FATAL(mgmt_dec_feed(&dec, buf, len, &used),
			      MGMT_DEC_FRAME);
	if (exact)
		CU_ASSERT_EQUAL(used, len);
	rep.type = dec.frame.type;
	rep.seq = dec.frame.seq;
	rep.len = dec.frame.len;
	memcpy(rep.p, dec.frame.payload, dec.frame.len);
	CU_ASSERT_FATAL(mgmt_tlv_valid(rep.p, rep.len));
	CU_ASSERT_FATAL(mgmt_tlv_u64(rep.p, rep.len, MGMT_F_STATUS, &st));
	rep.status = (int64_t)st;
	rep.msg[0] = '\0';
	mgmt_tlv_str(rep.p, rep.len, MGMT_F_MESSAGE, rep.msg, sizeof(rep.msg));
	if (rep.status)
		CU_ASSERT(rep.msg[0] != '\0');
}

static void decode_one(const uint8_t *buf, size_t len)
{
	decode_first(buf, len, true);
}

/* Send raw bytes; returns how many frames came back (the last in rep). */
static unsigned int feed(const uint8_t *b, size_t n)
{
	size_t before = fc.sent_len;
	unsigned int sends = fc.nr_sends;

	mgmt_agent_feed(&ag, b, n);
	if (fc.nr_sends > sends)
		decode_one(fc.sent + before, fc.sent_len - before);
	return fc.nr_sends - sends;
}

/* Send the request in w as type; one reply; returns its status. */
static int64_t call(uint8_t type)
{
	uint8_t frame[MGMT_MAX_FRAME];
	size_t n = mgmt_encode(frame, type, ++seq, pl, (uint32_t)w.len);

	CU_ASSERT_EQUAL_FATAL(feed(frame, n), 1);
	CU_ASSERT_EQUAL(rep.type, type | MGMT_RESPONSE);
	CU_ASSERT_EQUAL(rep.seq, seq);
	return rep.status;
}

static uint64_t rep_u64(uint16_t tag)
{
	uint64_t v = ~0ull;

	CU_ASSERT(mgmt_tlv_u64(rep.p, rep.len, tag, &v));
	return v;
}

static bool msg_has(const char *s)
{
	return strstr(rep.msg, s) != NULL;
}

static int64_t upload_begin(uint64_t slot, uint64_t size, uint32_t crc)
{
	req();
	mgmt_tlv_put_u64(&w, MGMT_F_SLOT, slot);
	mgmt_tlv_put_u64(&w, MGMT_F_SIZE, size);
	mgmt_tlv_put_u64(&w, MGMT_F_CRC, crc);
	return call(MGMT_T_UPLOAD_BEGIN);
}

static int64_t upload_chunk(uint64_t slot, uint64_t off, const void *d,
			    size_t n)
{
	req();
	mgmt_tlv_put_u64(&w, MGMT_F_SLOT, slot);
	mgmt_tlv_put_u64(&w, MGMT_F_OFFSET, off);
	mgmt_tlv_put(&w, MGMT_F_DATA, d, n);
	return call(MGMT_T_UPLOAD_CHUNK);
}

static int64_t upload(uint64_t slot, const uint8_t *d, size_t n)
{
	int64_t st = upload_begin(slot, n, mgmt_crc32(0, d, n));

	for (size_t off = 0; !st && off < n; off += MGMT_CHUNK_DATA)
		st = upload_chunk(slot, off, d + off,
				  n - off < MGMT_CHUNK_DATA ? n - off
							    : MGMT_CHUNK_DATA);
	return st;
}

static int64_t create(const char *name, const char *type)
{
	req();
	if (name)
		mgmt_tlv_put_str(&w, MGMT_F_NAME, name);
	if (type)
		mgmt_tlv_put_str(&w, MGMT_F_TYPE, type);
	mgmt_tlv_put_str(&w, MGMT_F_CMDLINE, "console=ttyS0");
	return call(MGMT_T_CREATE);
}

static uint8_t image[3 * MGMT_CHUNK_DATA + 100];

static void fill_image(void)
{
	for (size_t i = 0; i < sizeof(image); i++)
		image[i] = (uint8_t)(i * 13 + 7);
}

static void test_version_list(void)
{
	size_t pos = 0;
	uint16_t tag, vlen;
	const uint8_t *val;
	unsigned int doms = 0;

	setup();
	req();
	CU_ASSERT_EQUAL(call(MGMT_T_VERSION), 0);
	CU_ASSERT_EQUAL(rep_u64(MGMT_F_PROTO), MGMT_VERSION);
	fake_add(&fc, "a");
	fake_add(&fc, "b");
	req();
	CU_ASSERT_EQUAL(call(MGMT_T_LIST), 0);
	while (mgmt_tlv_next(rep.p, rep.len, &pos, &tag, &val, &vlen))
		doms += tag == MGMT_F_DOMAIN;
	CU_ASSERT_EQUAL(doms, 2);
	CU_ASSERT_EQUAL(rep_u64(MGMT_F_TOTAL), 2u << 30);
	/* dmesg from an offset: the rest and where to go on. */
	req();
	mgmt_tlv_put_u64(&w, MGMT_F_OFFSET, 8);
	CU_ASSERT_EQUAL(call(MGMT_T_DMESG), 0);
	CU_ASSERT(rep_u64(MGMT_F_NEXT) > 8);
}

static void test_upload_create(void)
{
	setup();
	fill_image();
	CU_ASSERT_EQUAL(upload(MGMT_SLOT_KERNEL, image, sizeof(image)), 0);
	CU_ASSERT_EQUAL(upload(MGMT_SLOT_RAMDISK, image, 1000), 0);
	CU_ASSERT_EQUAL(fc.nr_uploads, 2);
	req();
	mgmt_tlv_put_str(&w, MGMT_F_NAME, "web");
	mgmt_tlv_put_u64(&w, MGMT_F_MEMORY, 128ull << 20);
	mgmt_tlv_put_u64(&w, MGMT_F_VCPUS, 2);
	mgmt_tlv_put_str(&w, MGMT_F_TYPE, "pv");
	mgmt_tlv_put_str(&w, MGMT_F_CMDLINE, "console=hvc0");
	CU_ASSERT_EQUAL(call(MGMT_T_CREATE), 0);
	CU_ASSERT_EQUAL(rep_u64(MGMT_F_ID), 0);
	CU_ASSERT_EQUAL(fc.nr_creates, 1);
	CU_ASSERT_STRING_EQUAL(fc.created.name, "web");
	CU_ASSERT_STRING_EQUAL(fc.created.cmdline, "console=hvc0");
	CU_ASSERT_EQUAL(fc.created.mem_bytes, 128ull << 20);
	CU_ASSERT_EQUAL(fc.created.vcpus, 2);
	CU_ASSERT(fc.created.pv);
	CU_ASSERT_EQUAL(fc.created.kernel_len, sizeof(image));
	CU_ASSERT_EQUAL(fc.created_kernel_crc,
			mgmt_crc32(0, image, sizeof(image)));
	CU_ASSERT_EQUAL(fc.created.ramdisk_len, 1000);
	CU_ASSERT_EQUAL(fc.created_ramdisk_crc, mgmt_crc32(0, image, 1000));
	/* Both slots are spent by the create. */
	CU_ASSERT_EQUAL(fc.nr_uploads, 0);
	CU_ASSERT_EQUAL(create("web2", NULL), -VMI_EINVAL);
	CU_ASSERT(msg_has("no kernel uploaded"));

	/* Defaults: 64 MiB, one vCPU, hv, no ramdisk; failures of the
	 * core come back with its reason and free the uploads too. */
	CU_ASSERT_EQUAL(upload(MGMT_SLOT_KERNEL, image, 10), 0);
	CU_ASSERT_EQUAL(create("web", "auto"), -VMI_EEXIST);
	CU_ASSERT(msg_has("exists"));
	CU_ASSERT_EQUAL(fc.nr_uploads, 0);
	CU_ASSERT_EQUAL(upload(MGMT_SLOT_KERNEL, image, 10), 0);
	CU_ASSERT_EQUAL(create("db", "hv"), 0);
	CU_ASSERT_EQUAL(fc.created.mem_bytes, 64ull << 20);
	CU_ASSERT_EQUAL(fc.created.vcpus, 1);
	CU_ASSERT(!fc.created.pv);
	CU_ASSERT_PTR_NULL(fc.created.ramdisk);
}

static void test_upload_errors(void)
{
	setup();
	fill_image();
	req();
	mgmt_tlv_put_u64(&w, MGMT_F_SLOT, 2);
	mgmt_tlv_put_u64(&w, MGMT_F_SIZE, 10);
	mgmt_tlv_put_u64(&w, MGMT_F_CRC, 0);
	CU_ASSERT_EQUAL(call(MGMT_T_UPLOAD_BEGIN), -VMI_EINVAL);
	CU_ASSERT(msg_has("slot (0 or 1)"));
	CU_ASSERT_EQUAL(upload_begin(0, 0, 0), -VMI_E2BIG);
	CU_ASSERT_EQUAL(upload_begin(0, MGMT_UPLOAD_MAX + 1, 0), -VMI_E2BIG);
	CU_ASSERT(msg_has("64 MiB"));
	CU_ASSERT_EQUAL(upload_begin(1, fc.alloc_limit + 1, 0), -VMI_ENOMEM);
	CU_ASSERT(msg_has("ramdisk: no"));
	CU_ASSERT_EQUAL(fc.nr_uploads, 0);

	CU_ASSERT_EQUAL(upload_chunk(0, 0, image, 10), -VMI_EINVAL);
	CU_ASSERT(msg_has("no upload in progress"));
	req();
	mgmt_tlv_put_u64(&w, MGMT_F_SLOT, 0);
	mgmt_tlv_put_u64(&w, MGMT_F_OFFSET, 0);
	CU_ASSERT_EQUAL(call(MGMT_T_UPLOAD_CHUNK), -VMI_EINVAL);
	CU_ASSERT(msg_has("slot, offset and data"));

	/* A chunk out of order or past the end discards the upload. */
	CU_ASSERT_EQUAL(upload_begin(0, 100, 0), 0);
	CU_ASSERT_EQUAL(upload_chunk(0, 0, image, 50), 0);
	CU_ASSERT_EQUAL(upload_chunk(0, 60, image, 10), -VMI_EINVAL);
	CU_ASSERT(msg_has("does not follow byte 50 of 100"));
	CU_ASSERT_EQUAL(fc.nr_uploads, 0);
	CU_ASSERT_EQUAL(upload_chunk(0, 50, image, 10), -VMI_EINVAL);
	CU_ASSERT_EQUAL(upload_begin(0, 100, 0), 0);
	CU_ASSERT_EQUAL(upload_chunk(0, 0, image, 101), -VMI_EINVAL);
	CU_ASSERT_EQUAL(fc.nr_uploads, 0);

	/* A new begin replaces an upload in progress (and says so). */
	CU_ASSERT_EQUAL(upload_begin(0, 100, 0), 0);
	CU_ASSERT_EQUAL(upload_begin(0, 200, 0), 0);
	CU_ASSERT_EQUAL(fc.nr_uploads, 1);
	CU_ASSERT(strstr(fc.last_log, "discarded: a new one begins") != NULL);

	/* create with an incomplete or corrupt upload: both discarded. */
	CU_ASSERT_EQUAL(upload(1, image, 20), 0);
	CU_ASSERT_EQUAL(fc.nr_uploads, 2);
	CU_ASSERT_EQUAL(create("x", NULL), -VMI_EINVAL);
	CU_ASSERT(msg_has("kernel upload incomplete or corrupt (0 of 200 "
			  "bytes, CRC not checked)"));
	CU_ASSERT_EQUAL(fc.last_log_level, MGMT_LOG_WARN);
	CU_ASSERT_EQUAL(fc.nr_uploads, 0);
	CU_ASSERT_EQUAL(upload_begin(0, 10, 1234), 0);
	CU_ASSERT_EQUAL(upload_chunk(0, 0, image, 10), 0);
	CU_ASSERT_EQUAL(create("x", NULL), -VMI_EINVAL);
	CU_ASSERT(msg_has("CRC wrong"));
	CU_ASSERT_EQUAL(fc.nr_creates, 0);
}

static void test_create_args(void)
{
	char longname[FAKE_NAME_MAX + 1];

	setup();
	fill_image();
	CU_ASSERT_EQUAL(upload(0, image, 10), 0);
	CU_ASSERT_EQUAL(create(NULL, NULL), -VMI_EINVAL);
	CU_ASSERT(msg_has("a name of 1 to 31 characters"));
	CU_ASSERT_EQUAL(create("", NULL), -VMI_EINVAL);
	memset(longname, 'n', FAKE_NAME_MAX);
	longname[FAKE_NAME_MAX] = '\0';
	CU_ASSERT_EQUAL(create(longname, NULL), -VMI_EINVAL);
	longname[FAKE_NAME_MAX - 1] = '\0';
	CU_ASSERT_EQUAL(create("x", "bt"), -VMI_EOPNOTSUPP);
	CU_ASSERT(msg_has("only hv, pv (or auto)"));
	/* None of these spent the upload; a 31-character name is fine. */
	CU_ASSERT_EQUAL(fc.nr_uploads, 1);
	CU_ASSERT_EQUAL(create(longname, NULL), 0);
	/* vcpus passed on whole, the core bounds them. */
	CU_ASSERT_EQUAL(upload(0, image, 10), 0);
	req();
	mgmt_tlv_put_str(&w, MGMT_F_NAME, "many");
	mgmt_tlv_put_u64(&w, MGMT_F_VCPUS, 1ull << 40);
	CU_ASSERT_EQUAL(call(MGMT_T_CREATE), -VMI_EINVAL);
	CU_ASSERT(msg_has("vcpus = 1099511627776"));
}

static void test_domain_requests(void)
{
	struct fake_dom *a, *b;

	setup();
	a = fake_add(&fc, "alpha");
	b = fake_add(&fc, "beta");
	req();
	mgmt_tlv_put_str(&w, MGMT_F_NAME, "alpha");
	CU_ASSERT_EQUAL(call(MGMT_T_PAUSE), 0);
	CU_ASSERT_EQUAL(a->state, FAKE_PAUSED);
	CU_ASSERT_EQUAL(call(MGMT_T_PAUSE), -VMI_EINVAL);
	CU_ASSERT(msg_has("alpha is paused"));
	CU_ASSERT_EQUAL(call(MGMT_T_UNPAUSE), 0);
	CU_ASSERT_EQUAL(a->state, FAKE_RUNNING);
	req();
	mgmt_tlv_put_u64(&w, MGMT_F_ID, b->id);
	CU_ASSERT_EQUAL(call(MGMT_T_INFO), 0);
	CU_ASSERT_EQUAL(rep_u64(MGMT_F_FREE), 1 << 30);
	CU_ASSERT_EQUAL(call(MGMT_T_SHUTDOWN), 0);
	CU_ASSERT_EQUAL(b->state, FAKE_ENDED);
	CU_ASSERT_EQUAL(call(MGMT_T_DESTROY), 0);
	CU_ASSERT(!b->used);
	CU_ASSERT_EQUAL(call(MGMT_T_INFO), -VMI_ESRCH);
	CU_ASSERT(msg_has("no domain with id 1"));
	req();
	mgmt_tlv_put_u64(&w, MGMT_F_ID, 1ull << 40);
	CU_ASSERT_EQUAL(call(MGMT_T_PAUSE), -VMI_ESRCH);
	req();
	mgmt_tlv_put_str(&w, MGMT_F_NAME, "gamma");
	CU_ASSERT_EQUAL(call(MGMT_T_DESTROY), -VMI_ESRCH);
	CU_ASSERT(msg_has("no domain named 'gamma'"));
	req();
	CU_ASSERT_EQUAL(call(MGMT_T_PAUSE), -VMI_ESRCH);
	CU_ASSERT(msg_has("names no domain"));
	CU_ASSERT_EQUAL(a->state, FAKE_RUNNING);
}

static void test_con_ring(void)
{
	static struct mgmt_con_ring r;
	static char big[MGMT_CON_RING + 100];
	uint8_t out[64];
	uint64_t off = 0, lost;

	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(mgmt_con_ring_read(&r, 5, &off, &lost, out, 64), 0);
	mgmt_con_ring_write(&r, 5, "hello", 5);
	CU_ASSERT_EQUAL(mgmt_con_ring_read(&r, 5, &off, &lost, out, 64), 5);
	CU_ASSERT(!memcmp(out, "hello", 5) && off == 0 && lost == 0);
	off = 3;
	CU_ASSERT_EQUAL(mgmt_con_ring_read(&r, 5, &off, &lost, out, 64), 2);
	/* Another instance holds nothing; its first write resets. */
	off = 0;
	CU_ASSERT_EQUAL(mgmt_con_ring_read(&r, 6, &off, &lost, out, 64), 0);
	mgmt_con_ring_write(&r, 6, "x", 1);
	CU_ASSERT_EQUAL(r.head, 1);
	/* Past the end: clamped to the head. */
	off = 1000;
	CU_ASSERT_EQUAL(mgmt_con_ring_read(&r, 6, &off, &lost, out, 64), 0);
	CU_ASSERT_EQUAL(off, 1);
	/* More than the ring in one write: the last MGMT_CON_RING bytes. */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	mgmt_con_ring_write(&r, 6, big, sizeof(big));
	CU_ASSERT_EQUAL(r.head, 1 + sizeof(big));
	off = 0;
	CU_ASSERT_EQUAL(mgmt_con_ring_read(&r, 6, &off, &lost, out, 64), 64);
	CU_ASSERT_EQUAL(lost, 1 + sizeof(big) - MGMT_CON_RING);
	CU_ASSERT_EQUAL(off, lost);
	CU_ASSERT(!memcmp(out, big + sizeof(big) - MGMT_CON_RING, 64));
}

static void test_console(void)
{
	static uint8_t text[MGMT_CONSOLE_IN_MAX + 1];
	struct fake_dom *d;
	uint64_t inst;
	const uint8_t *val;
	uint16_t vlen;
	char state[16];

	setup();
	d = fake_add(&fc, "con");
	fake_console(&fc, d->id, "boot ok\n", 8);
	req();
	mgmt_tlv_put_str(&w, MGMT_F_NAME, "con");
	CU_ASSERT_EQUAL(call(MGMT_T_CONSOLE_READ), 0);
	inst = rep_u64(MGMT_F_INSTANCE);
	CU_ASSERT_EQUAL(inst, d->started_ns);
	CU_ASSERT_EQUAL(rep_u64(MGMT_F_NEXT), 8);
	CU_ASSERT(mgmt_tlv_find(rep.p, rep.len, MGMT_F_DATA, &val, &vlen));
	CU_ASSERT(vlen == 8 && !memcmp(val, "boot ok\n", 8));
	CU_ASSERT(mgmt_tlv_str(rep.p, rep.len, MGMT_F_STATE, state,
			       sizeof(state)));
	CU_ASSERT_STRING_EQUAL(state, "running");

	/* Input: what the FIFO takes, then nothing more (room 16). */
	req();
	mgmt_tlv_put_u64(&w, MGMT_F_ID, d->id);
	mgmt_tlv_put_u64(&w, MGMT_F_INSTANCE, inst);
	mgmt_tlv_put(&w, MGMT_F_DATA, text, 10);
	CU_ASSERT_EQUAL(call(MGMT_T_CONSOLE_WRITE), 0);
	CU_ASSERT_EQUAL(rep_u64(MGMT_F_SIZE), 10);
	CU_ASSERT_EQUAL(call(MGMT_T_CONSOLE_WRITE), 0);
	CU_ASSERT_EQUAL(rep_u64(MGMT_F_SIZE), 6);
	req();
	mgmt_tlv_put_u64(&w, MGMT_F_ID, d->id);
	mgmt_tlv_put(&w, MGMT_F_DATA, text, sizeof(text));
	CU_ASSERT_EQUAL(call(MGMT_T_CONSOLE_WRITE), -VMI_EINVAL);
	CU_ASSERT(msg_has("at most 256 bytes"));

	/* After the domain is gone its last words stay readable by
	 * instance, as "ended", until another domain's output. */
	d->used = false;
	req();
	mgmt_tlv_put_u64(&w, MGMT_F_ID, d->id);
	mgmt_tlv_put_u64(&w, MGMT_F_INSTANCE, inst);
	mgmt_tlv_put_u64(&w, MGMT_F_OFFSET, 5);
	CU_ASSERT_EQUAL(call(MGMT_T_CONSOLE_READ), 0);
	CU_ASSERT(mgmt_tlv_str(rep.p, rep.len, MGMT_F_STATE, state,
			       sizeof(state)));
	CU_ASSERT_STRING_EQUAL(state, "ended");
	CU_ASSERT(mgmt_tlv_find(rep.p, rep.len, MGMT_F_DATA, &val, &vlen));
	CU_ASSERT(vlen == 3 && !memcmp(val, "ok\n", 3));
	req();
	mgmt_tlv_put_u64(&w, MGMT_F_ID, d->id);
	mgmt_tlv_put_u64(&w, MGMT_F_INSTANCE, inst);
	mgmt_tlv_put(&w, MGMT_F_DATA, text, 1);
	CU_ASSERT_EQUAL(call(MGMT_T_CONSOLE_WRITE), -VMI_ESRCH);
	CU_ASSERT(msg_has("has ended"));
	/* A new domain in the slot is not the instance asked for. */
	fake_add(&fc, "new");
	CU_ASSERT_EQUAL(call(MGMT_T_CONSOLE_WRITE), -VMI_ESRCH);
	req();
	mgmt_tlv_put_u64(&w, MGMT_F_INSTANCE, inst);
	mgmt_tlv_put_u64(&w, MGMT_F_ID, FAKE_MAX_DOMAINS);
	CU_ASSERT_EQUAL(call(MGMT_T_CONSOLE_READ), -VMI_EINVAL);
	CU_ASSERT(msg_has("(0 to 15)"));
}

static void test_stream_errors(void)
{
	uint8_t frame[MGMT_MAX_FRAME], junk[40];
	size_t n;

	setup();
	/* A response type as a request. */
	n = mgmt_encode(frame, MGMT_T_LIST | MGMT_RESPONSE, 7, NULL, 0);
	CU_ASSERT_EQUAL(feed(frame, n), 1);
	CU_ASSERT(rep.type == MGMT_T_ERROR && rep.seq == 7);
	CU_ASSERT(msg_has("response type"));
	/* A payload that is not TLV. */
	n = mgmt_encode(frame, MGMT_T_LIST, 8, (const uint8_t *)"abc", 3);
	CU_ASSERT_EQUAL(feed(frame, n), 1);
	CU_ASSERT(rep.type == (MGMT_T_LIST | MGMT_RESPONSE));
	CU_ASSERT_EQUAL(rep.status, -VMI_EINVAL);
	CU_ASSERT(msg_has("malformed payload"));
	/* Unknown type. */
	n = mgmt_encode(frame, 0x70, 9, NULL, 0);
	CU_ASSERT_EQUAL(feed(frame, n), 1);
	CU_ASSERT_EQUAL(rep.status, -VMI_ENOSYS);
	/* A payload byte damaged: an error frame, logged. */
	req();
	mgmt_tlv_put_u64(&w, MGMT_F_OFFSET, 0);
	n = mgmt_encode(frame, MGMT_T_DMESG, 10, pl, (uint32_t)w.len);
	frame[n - 1] ^= 1;
	CU_ASSERT_EQUAL(feed(frame, n), 1);
	CU_ASSERT(rep.type == MGMT_T_ERROR && rep.seq == 10);
	CU_ASSERT(msg_has("checksum"));
	CU_ASSERT(strstr(fc.last_log, "(seq 10)") != NULL);

	/* Garbage is reported once the line is quiet, and only then (the
	 * damaged frame's bytes after its first were garbage too). */
	CU_ASSERT_EQUAL(ag.dec.garbage, n - 1);
	setup();
	memset(junk, 'j', sizeof(junk));
	CU_ASSERT_EQUAL(feed(junk, sizeof(junk)), 0);
	mgmt_agent_quiet(&ag, MGMT_GARBAGE_QUIET_NS - 1);
	CU_ASSERT_EQUAL(fc.nr_sends, 0);
	n = fc.sent_len;
	mgmt_agent_quiet(&ag, MGMT_GARBAGE_QUIET_NS);
	CU_ASSERT_EQUAL_FATAL(fc.nr_sends, 1);
	decode_one(fc.sent + n, fc.sent_len - n);
	CU_ASSERT(rep.type == MGMT_T_ERROR);
	CU_ASSERT(msg_has("40 bytes of garbage"));
	mgmt_agent_quiet(&ag, MGMT_QUIET_NS);
	CU_ASSERT_EQUAL(fc.nr_sends, 1);

	/* Half a frame, then silence: dropped and reported; the next
	 * frame is served. */
	n = mgmt_encode(frame, MGMT_T_VERSION, 11, NULL, 0);
	CU_ASSERT_EQUAL(feed(frame, MGMT_HDR_SIZE - 4), 0);
	mgmt_agent_quiet(&ag, MGMT_QUIET_NS - 1);
	CU_ASSERT_EQUAL(fc.nr_sends, 1);
	n = fc.sent_len;
	mgmt_agent_quiet(&ag, MGMT_QUIET_NS);
	/* The dropped frame's other bytes are garbage, reported at once
	 * (the line has been quiet long enough for both). */
	CU_ASSERT_EQUAL_FATAL(fc.nr_sends, 3);
	decode_first(fc.sent + n, fc.sent_len - n, false);
	CU_ASSERT(rep.type == MGMT_T_ERROR);
	CU_ASSERT(msg_has("truncated frame dropped"));
	req();
	CU_ASSERT_EQUAL(call(MGMT_T_VERSION), 0);
}

static void test_reply_overflow(void)
{
	setup();
	fill_image();
	/* 16 domains with 31-character names still fit one frame. */
	for (int i = 0; i < FAKE_MAX_DOMAINS; i++) {
		char name[FAKE_NAME_MAX];

		snprintf(name, sizeof(name), "%030d%c", i, 'x');
		fake_add(&fc, name);
	}
	req();
	CU_ASSERT_EQUAL(call(MGMT_T_LIST), 0);
	/* dmesg's chunk is bounded by the scratch text. */
	req();
	CU_ASSERT_EQUAL(call(MGMT_T_DMESG), 0);
	CU_ASSERT(rep.len < MGMT_MAX_PAYLOAD);
}

void unit_register(void)
{
	CU_pSuite s = CU_add_suite("mgmt-agent", NULL, NULL);

	CU_add_test(s, "version, list, dmesg", test_version_list);
	CU_add_test(s, "upload and create", test_upload_create);
	CU_add_test(s, "upload errors", test_upload_errors);
	CU_add_test(s, "create arguments", test_create_args);
	CU_add_test(s, "domain requests", test_domain_requests);
	CU_add_test(s, "console ring", test_con_ring);
	CU_add_test(s, "console requests", test_console);
	CU_add_test(s, "stream errors and quiet line", test_stream_errors);
	CU_add_test(s, "big replies", test_reply_overflow);
}

UNIT_MAIN
