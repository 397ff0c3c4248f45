/*
 * tvctl: manage the domains of a running trivisor over its management
 * channel (docs/tvctl.md, docs/management-protocol.md).
 */
#define _GNU_SOURCE
#include "config.h"
#include "tvctl.h"
#include <mgmt/proto.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <libgen.h>

#define TVCTL_VERSION "0.1.0"
#define REPLY_TIMEOUT_MS 10000

static int sock = -1;
static const char *sock_path;
static bool json;
static uint32_t next_seq;
static struct mgmt_dec dec;
uint8_t reply[MGMT_MAX_PAYLOAD];
uint32_t reply_len;
char errmsg[1100];

struct command {
	const char *name;
	const char *args;
	const char *help;
	int (*fn)(int argc, char **argv);
	bool json;
};

static void die_connect(void)
{
	fprintf(stderr, "tvctl: cannot connect to %s: %s\n"
		"  Is trivisor running with its management socket there?  Start "
		"it with `make run`,\n  or name the socket with -s PATH or "
		"TVCTL_SOCKET.\n", sock_path, strerror(errno));
	exit(2);
}

static void connect_channel(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	if (sock >= 0)
		return;
	if (strlen(sock_path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "tvctl: socket path too long: %s\n", sock_path);
		exit(2);
	}
	strcpy(a.sun_path, sock_path);
	sock = socket(AF_UNIX, SOCK_STREAM, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&a, sizeof(a)))
		die_connect();
	mgmt_dec_init(&dec);
	next_seq = (uint32_t)time(NULL) * 2654435761u | 1;
}

static void write_all(const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(sock, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			fprintf(stderr, "tvctl: write to %s: %s\n", sock_path,
				strerror(errno));
			exit(2);
		}
		p += w;
		n -= (size_t)w;
	}
}

/*
 * Send a request, wait for its response.  Returns the status (0 or a
 * negative VMI error); the payload is in reply/reply_len, a failure's
 * message in errmsg.  Exits on a dead channel or a timeout.
 */
int request(uint8_t type, const struct mgmt_tlv_writer *w)
{
	static uint8_t frame[MGMT_MAX_FRAME];
	static uint8_t in[4096];
	static size_t in_n, in_off;
	uint32_t seq = next_seq++;
	size_t n;
	struct timespec t0, t;

	connect_channel();
	n = mgmt_encode(frame, type, seq, w ? w->buf : NULL,
			w ? (uint32_t)w->len : 0);
	write_all(frame, n);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		while (in_off < in_n) {
			size_t used;
			int ev = mgmt_dec_feed(&dec, in + in_off, in_n - in_off,
					       &used);
			struct mgmt_frame *f = &dec.frame;
			uint64_t st;

			in_off += used;
			if (ev != MGMT_DEC_FRAME || f->seq != seq ||
			    (f->type != (type | MGMT_RESPONSE) &&
			     f->type != MGMT_T_ERROR))
				continue;
			if (!mgmt_tlv_valid(f->payload, f->len) ||
			    !mgmt_tlv_u64(f->payload, f->len, MGMT_F_STATUS, &st)) {
				fprintf(stderr, "tvctl: malformed reply\n");
				exit(2);
			}
			memcpy(reply, f->payload, f->len);
			reply_len = f->len;
			if (!mgmt_tlv_str(reply, reply_len, MGMT_F_MESSAGE,
					  errmsg, sizeof(errmsg)))
				snprintf(errmsg, sizeof(errmsg), "error %d",
					 (int)(int64_t)st);
			return (int)(int64_t)st;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		long left = REPLY_TIMEOUT_MS - ((t.tv_sec - t0.tv_sec) * 1000 +
						(t.tv_nsec - t0.tv_nsec) / 1000000);
		struct pollfd p = { sock, POLLIN, 0 };

		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			fprintf(stderr, "tvctl: no reply from trivisor within "
				"%d s on %s\n", REPLY_TIMEOUT_MS / 1000, sock_path);
			exit(2);
		}
		ssize_t r = read(sock, in, sizeof(in));

		if (r <= 0) {
			fprintf(stderr, "tvctl: %s closed\n", sock_path);
			exit(2);
		}
		in_n = (size_t)r;
		in_off = 0;
	}
}

static uint8_t req_buf[MGMT_MAX_PAYLOAD];

struct mgmt_tlv_writer *new_req(void)
{
	static struct mgmt_tlv_writer w;

	mgmt_tlv_init(&w, req_buf, sizeof(req_buf));
	return &w;
}

void name_domain(struct mgmt_tlv_writer *w, const char *dom)
{
	char *end;
	unsigned long id = strtoul(dom, &end, 10);

	if (*dom && !*end)
		mgmt_tlv_put_u64(w, MGMT_F_ID, id);
	else
		mgmt_tlv_put_str(w, MGMT_F_NAME, dom);
}

int fail(const char *what, int st)
{
	fprintf(stderr, "tvctl %s: %s\n", what, errmsg);
	return st == -3 ? 3 : 1;
}

/* One domain record, decoded. */
struct dom {
	uint64_t id, memory, vcpus, cpu_ns, uptime_ns, exits, vmi_calls;
	bool pv; /* has VMI counters */
	char name[64], state[16], pcpus[64], type[8];
};

static void get_dom(const uint8_t *p, size_t n, struct dom *d)
{
	memset(d, 0, sizeof(*d));
	mgmt_tlv_u64(p, n, MGMT_F_ID, &d->id);
	mgmt_tlv_u64(p, n, MGMT_F_MEMORY, &d->memory);
	mgmt_tlv_u64(p, n, MGMT_F_VCPUS, &d->vcpus);
	mgmt_tlv_u64(p, n, MGMT_F_CPU_NS, &d->cpu_ns);
	mgmt_tlv_u64(p, n, MGMT_F_UPTIME_NS, &d->uptime_ns);
	mgmt_tlv_u64(p, n, MGMT_F_EXITS, &d->exits);
	mgmt_tlv_str(p, n, MGMT_F_NAME, d->name, sizeof(d->name));
	mgmt_tlv_str(p, n, MGMT_F_STATE, d->state, sizeof(d->state));
	mgmt_tlv_str(p, n, MGMT_F_PCPUS, d->pcpus, sizeof(d->pcpus));
	mgmt_tlv_str(p, n, MGMT_F_TYPE, d->type, sizeof(d->type));
	d->pv = mgmt_tlv_u64(p, n, MGMT_F_VMI_CALLS, &d->vmi_calls);
}

/* The first domain record of the reply (info). */
static bool first_dom(const uint8_t **p, uint16_t *n)
{
	return mgmt_tlv_find(reply, reply_len, MGMT_F_DOMAIN, p, n) &&
	       mgmt_tlv_valid(*p, *n);
}

static unsigned int get_doms(struct dom *out, unsigned int max)
{
	size_t pos = 0;
	uint16_t tag, vlen;
	const uint8_t *val;
	unsigned int n = 0;

	while (n < max &&
	       mgmt_tlv_next(reply, reply_len, &pos, &tag, &val, &vlen))
		if (tag == MGMT_F_DOMAIN && mgmt_tlv_valid(val, vlen))
			get_dom(val, vlen, &out[n++]);
	return n;
}

/* @n bytes of @s as the inside of a JSON string. */
static void json_chars(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			printf("\\n");
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c); /* bytes as Latin-1 */
		else
			putchar(c);
	}
}

static void json_dom(const struct dom *d)
{
	printf("{\"id\": %lu, \"name\": \"%s\", \"state\": \"%s\", "
	       "\"type\": \"%s\", "
	       "\"memory_mib\": %lu, \"vcpus\": %lu, \"pcpus\": [%s], "
	       "\"cpu_ns\": %lu, \"uptime_ns\": %lu, \"exits\": %lu",
	       d->id, d->name, d->state, d->type, d->memory >> 20, d->vcpus,
	       d->pcpus, d->cpu_ns, d->uptime_ns, d->exits);
	if (d->pv)
		printf(", \"vmi_calls\": %lu", d->vmi_calls);
}

static int cmd_version(int argc, char **argv)
{
	char hv[64] = "?";
	uint64_t proto = 0, minor = 0;
	int st;

	(void)argc;
	(void)argv;
	st = request(MGMT_T_VERSION, NULL);
	if (st)
		return fail("version", st);
	mgmt_tlv_str(reply, reply_len, MGMT_F_HV_VERSION, hv, sizeof(hv));
	mgmt_tlv_u64(reply, reply_len, MGMT_F_PROTO, &proto);
	mgmt_tlv_u64(reply, reply_len, MGMT_F_PROTO_MINOR, &minor);
	if (json)
		printf("{\"tvctl\": \"%s\", \"trivisor\": \"%s\", "
		       "\"protocol\": %lu, \"protocol_minor\": %lu}\n",
		       TVCTL_VERSION, hv, proto, minor);
	else
		printf("tvctl %s, protocol %d.%d\ntrivisor %s, protocol %lu.%lu\n",
		       TVCTL_VERSION, MGMT_VERSION, MGMT_VERSION_MINOR, hv, proto,
		       minor);
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	struct dom d[64];
	uint64_t free_b = 0, total = 0;
	unsigned int n;
	int st;

	(void)argc;
	(void)argv;
	st = request(MGMT_T_LIST, NULL);
	if (st)
		return fail("list", st);
	n = get_doms(d, 64);
	mgmt_tlv_u64(reply, reply_len, MGMT_F_FREE, &free_b);
	mgmt_tlv_u64(reply, reply_len, MGMT_F_TOTAL, &total);
	if (json) {
		printf("{\"domains\": [");
		for (unsigned int i = 0; i < n; i++) {
			printf(i ? ", " : "");
			json_dom(&d[i]);
			printf("}");
		}
		printf("], \"free_mib\": %lu, \"total_mib\": %lu}\n",
		       free_b >> 20, total >> 20);
		return 0;
	}
	int w = 4;

	for (unsigned int i = 0; i < n; i++)
		if ((int)strlen(d[i].name) > w)
			w = (int)strlen(d[i].name);
	printf("%3s  %-*s  %-8s  %8s  %5s  %-7s  %10s  %9s\n", "ID", w, "NAME",
	       "STATE", "MEM(MiB)", "VCPUS", "CPUS", "CPU(s)", "UPTIME(s)");
	for (unsigned int i = 0; i < n; i++)
		printf("%3lu  %-*s  %-8s  %8lu  %5lu  %-7s  %10.2f  %9.1f\n",
		       d[i].id, w, d[i].name, d[i].state, d[i].memory >> 20,
		       d[i].vcpus, d[i].pcpus, d[i].cpu_ns / 1e9,
		       d[i].uptime_ns / 1e9);
	printf("memory: %lu MiB free of %lu MiB\n", free_b >> 20, total >> 20);
	return 0;
}

static int cmd_info(int argc, char **argv)
{
	struct mgmt_tlv_writer *w = new_req();
	const uint8_t *rec, *val;
	uint16_t rlen, tag, vlen;
	size_t pos = 0;
	unsigned int nc = 0;
	struct dom d;
	int st;

	(void)argc;
	name_domain(w, argv[1]);
	st = request(MGMT_T_INFO, w);
	if (st)
		return fail("info", st);
	if (!first_dom(&rec, &rlen)) {
		fprintf(stderr, "tvctl info: the reply holds no domain\n");
		return 2;
	}
	get_dom(rec, rlen, &d);
	if (json)
		json_dom(&d);
	else
		printf("id:        %lu\nname:      %s\ntype:      %s\n"
		       "state:     %s\nmemory:    %lu MiB\n"
		       "vcpus:     %lu (on CPU %s)\ncpu time:  %.3f s\n"
		       "uptime:    %.1f s\nexits:     %lu\n",
		       d.id, d.name, d.type, d.state, d.memory >> 20, d.vcpus,
		       d.pcpus, d.cpu_ns / 1e9, d.uptime_ns / 1e9, d.exits);
	if (d.pv && !json)
		printf("vmi calls: %lu\n", d.vmi_calls);
	/* The VMI calls made, by number (nonzero counts only). */
	while (mgmt_tlv_next(rec, rlen, &pos, &tag, &val, &vlen)) {
		char name[40] = "";
		uint64_t call = 0, count = 0;

		if (tag != MGMT_F_VMI_CALL || !mgmt_tlv_valid(val, vlen))
			continue;
		mgmt_tlv_u64(val, vlen, MGMT_F_CALL, &call);
		mgmt_tlv_u64(val, vlen, MGMT_F_COUNT, &count);
		mgmt_tlv_str(val, vlen, MGMT_F_NAME, name, sizeof(name));
		if (json)
			printf("%s{\"call\": %lu, \"name\": %s%s%s, "
			       "\"count\": %lu}", nc ? ", " : ", \"vmi\": [",
			       call, name[0] ? "\"" : "",
			       name[0] ? name : "null", name[0] ? "\"" : "",
			       count);
		else
			printf("%s  %5lu  %-20s %12lu\n",
			       nc ? "" : "  CALL  NAME                        COUNT\n",
			       call, name[0] ? name : "(unknown)", count);
		nc++;
	}
	if (json)
		printf("%s}\n", nc ? "]" : d.pv ? ", \"vmi\": []" : "");
	return 0;
}

static int simple(uint8_t type, const char *what, const char *dom,
		  const char *done)
{
	struct mgmt_tlv_writer *w = new_req();
	int st;

	name_domain(w, dom);
	st = request(type, w);
	if (st)
		return fail(what, st);
	printf("%s: %s\n", dom, done);
	return 0;
}

static int cmd_pause(int argc, char **argv)
{
	(void)argc;
	return simple(MGMT_T_PAUSE, "pause", argv[1], "paused");
}

static int cmd_unpause(int argc, char **argv)
{
	(void)argc;
	return simple(MGMT_T_UNPAUSE, "unpause", argv[1], "running");
}

static int cmd_destroy(int argc, char **argv)
{
	(void)argc;
	return simple(MGMT_T_DESTROY, "destroy", argv[1], "destroyed");
}

static int cmd_shutdown(int argc, char **argv)
{
	(void)argc;
	return simple(MGMT_T_SHUTDOWN, "shutdown", argv[1],
		      "power button pressed; the guest shuts itself down");
}

static int cmd_dmesg(int argc, char **argv)
{
	uint64_t pos = 0;
	bool started = false;

	(void)argc;
	(void)argv;
	for (;;) {
		struct mgmt_tlv_writer *w = new_req();
		const uint8_t *data;
		uint16_t len = 0;
		int st;

		mgmt_tlv_put_u64(w, MGMT_F_OFFSET, pos);
		st = request(MGMT_T_DMESG, w);
		if (st)
			return fail("dmesg", st);
		mgmt_tlv_find(reply, reply_len, MGMT_F_DATA, &data, &len);
		mgmt_tlv_u64(reply, reply_len, MGMT_F_NEXT, &pos);
		if (json && !started)
			printf("{\"log\": \"");
		started = true;
		if (!len) {
			if (json)
				printf("\"}\n");
			return 0;
		}
		if (json)
			json_chars((const char *)data, len);
		else
			fwrite(data, 1, len, stdout);
	}
}

/* @d's CPU use (%), exits and VMI calls per second since its row in
 * @prev, @delay seconds ago; 0 for a domain that was not there. */
static void rates(const struct dom *d, const struct dom *prev,
		  unsigned int nprev, int delay, double *pct, double *eps,
		  double *vps)
{
	*pct = *eps = *vps = 0;
	for (unsigned int j = 0; j < nprev; j++) {
		if (prev[j].id != d->id || strcmp(prev[j].name, d->name))
			continue;
		*pct = (double)(d->cpu_ns - prev[j].cpu_ns) /
		       ((double)delay * 1e7);
		*eps = (double)(d->exits - prev[j].exits) / delay;
		*vps = (double)(d->vmi_calls - prev[j].vmi_calls) / delay;
	}
}

static int cmd_top(int argc, char **argv)
{
	int iters = 0, delay = 1;
	bool batch = false;
	static struct dom prev[64], d[64];
	unsigned int nprev = 0;

	for (int i = 1; i < argc; i++) {
		char *end = NULL;

		if (!strcmp(argv[i], "-b")) {
			batch = true;
			continue;
		}
		if ((!strcmp(argv[i], "-n") || !strcmp(argv[i], "-d")) &&
		    i + 1 < argc) {
			long v = strtol(argv[i + 1], &end, 10);

			if (*end || v < 1 || v > 100000) {
				fprintf(stderr, "tvctl top: %s %s: use a whole "
					"number from 1\n", argv[i], argv[i + 1]);
				return 2;
			}
			if (argv[i][1] == 'n')
				iters = (int)v;
			else
				delay = (int)v;
			i++;
			continue;
		}
		fprintf(stderr, "tvctl top: unknown option %s (use -b, -n "
			"COUNT, -d SECONDS)\n", argv[i]);
		return 2;
	}
	for (int it = 0; !iters || it <= iters; it++) {
		unsigned int n;
		int st = request(MGMT_T_LIST, NULL);

		if (st)
			return fail("top", st);
		n = get_doms(d, 64);
		if (it && json) {
			/* One object per refresh, one per line. */
			printf("{\"interval_s\": %d, \"domains\": [", delay);
			for (unsigned int i = 0; i < n; i++) {
				double pct, eps, vps;

				rates(&d[i], prev, nprev, delay, &pct, &eps, &vps);
				printf("%s{\"id\": %lu, \"name\": \"%s\", "
				       "\"state\": \"%s\", \"type\": \"%s\", "
				       "\"cpu_percent\": %.1f, \"exits_per_s\": "
				       "%.0f, \"vmi_calls_per_s\": %.0f}",
				       i ? ", " : "", d[i].id, d[i].name,
				       d[i].state, d[i].type, pct, eps,
				       d[i].pv ? vps : 0.0);
			}
			printf("]}\n");
			fflush(stdout);
		} else if (it) {
			if (!batch && isatty(1))
				printf("\033[H\033[2J");
			printf("%3s  %-16s  %-8s  %-4s  %6s  %10s  %10s  %10s\n",
			       "ID", "NAME", "STATE", "TYPE", "CPU%", "CPU(s)",
			       "EXITS/s", "VMI/s");
			for (unsigned int i = 0; i < n; i++) {
				double pct, eps, vps;
				char vmi[24] = "-";

				rates(&d[i], prev, nprev, delay, &pct, &eps, &vps);
				if (d[i].pv)
					snprintf(vmi, sizeof(vmi), "%.0f", vps);
				printf("%3lu  %-16s  %-8s  %-4s  %6.1f  %10.2f  "
				       "%10.0f  %10s\n", d[i].id, d[i].name,
				       d[i].state, d[i].type, pct,
				       d[i].cpu_ns / 1e9, eps, vmi);
			}
			if (batch)
				printf("\n");
			fflush(stdout);
		}
		memcpy(prev, d, sizeof(d));
		nprev = n;
		if (!iters || it < iters)
			sleep((unsigned int)delay);
	}
	return 0;
}

/* Testing aids (documented in docs/tvctl.md): cut an upload short or
 * corrupt it. */
static long cut_after = -1;
static bool corrupt_upload;

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* Uploads above this many bytes show progress (about 5 s under QEMU). */
#define PROGRESS_MIN (256u * 1024)

static void progress(const char *what, size_t done, size_t total)
{
	unsigned int width = 40, fill = (unsigned int)(done * width / total);

	fprintf(stderr, "\r%-8s [", what);
	for (unsigned int i = 0; i < width; i++)
		fputc(i < fill ? '#' : ' ', stderr);
	fprintf(stderr, "] %3u%% %zu/%zu KiB", (unsigned int)(done * 100 / total),
		done >> 10, total >> 10);
	fflush(stderr);
}

static int upload(unsigned int slot, const char *path)
{
	static const char *const names[] = { "kernel", "ramdisk" };
	size_t len, off;
	bool bar;
	uint8_t *img = read_file(path, &len);
	struct mgmt_tlv_writer *w;
	int st;

	if (!img) {
		fprintf(stderr, "tvctl create: %s \"%s\": %s\n", names[slot],
			path, strerror(errno));
		return 1;
	}
	if (!len) {
		fprintf(stderr, "tvctl create: %s \"%s\" is empty\n",
			names[slot], path);
		free(img);
		return 1;
	}
	w = new_req();
	mgmt_tlv_put_u64(w, MGMT_F_SLOT, slot);
	mgmt_tlv_put_u64(w, MGMT_F_SIZE, len);
	mgmt_tlv_put_u64(w, MGMT_F_CRC, mgmt_crc32(0, img, len));
	st = request(MGMT_T_UPLOAD_BEGIN, w);
	if (st) {
		free(img);
		return fail("create", st);
	}
	if (corrupt_upload)
		img[len / 2] ^= 0x55;
	/* A bar for uploads that take more than a moment, on a terminal. */
	bar = isatty(2) && len > PROGRESS_MIN;
	for (off = 0; off < len; off += MGMT_CHUNK_DATA) {
		size_t n = len - off < MGMT_CHUNK_DATA ? len - off
						       : MGMT_CHUNK_DATA;

		w = new_req();
		mgmt_tlv_put_u64(w, MGMT_F_SLOT, slot);
		mgmt_tlv_put_u64(w, MGMT_F_OFFSET, off);
		mgmt_tlv_put(w, MGMT_F_DATA, img + off, n);
		if (cut_after >= 0 && (long)(off + n) > cut_after) {
			static uint8_t frame[MGMT_MAX_FRAME];
			size_t fl = mgmt_encode(frame, MGMT_T_UPLOAD_CHUNK,
						next_seq++, w->buf,
						(uint32_t)w->len);

			connect_channel();
			write_all(frame, fl / 2);
			fprintf(stderr, "tvctl create: upload cut off after "
				"%zu bytes (--cut-upload)\n", off + n / 2);
			exit(4);
		}
		st = request(MGMT_T_UPLOAD_CHUNK, w);
		if (st) {
			if (bar)
				fputc('\n', stderr);
			free(img);
			return fail("create", st);
		}
		if (bar)
			progress(names[slot], off + n, len);
	}
	if (bar)
		fputc('\n', stderr);
	free(img);
	return 0;
}

/* Relative image paths are relative to the config file. */
static void resolve(const char *cfg, const struct tv_config *c, char *kernel,
		    char *ramdisk, size_t cap)
{
	char *copy = strdup(cfg), *dir = dirname(copy);

	snprintf(kernel, cap, "%s%s%s", c->kernel[0] == '/' ? "" : dir,
		 c->kernel[0] == '/' ? "" : "/", c->kernel);
	snprintf(ramdisk, cap, "%s%s%s", c->ramdisk[0] == '/' ? "" : dir,
		 c->ramdisk[0] == '/' ? "" : "/", c->ramdisk);
	free(copy);
}

static int load_config(const char *cmd, const char *cfg, struct tv_config *c)
{
	char err[1200], *text;
	size_t len;

	text = (char *)read_file(cfg, &len);
	if (!text) {
		fprintf(stderr, "tvctl %s: %s: %s\n", cmd, cfg, strerror(errno));
		return 1;
	}
	if (tv_config_parse(text, c, err, sizeof(err))) {
		fprintf(stderr, "tvctl %s: %s: %s\n", cmd, cfg, err);
		free(text);
		return 1;
	}
	free(text);
	return 0;
}

/*
 * The config as multiboot2 module specs for tools/mkiso.sh -m, one per
 * line (docs/domains.md): how `make run` boots its default domain without
 * uploading a distribution kernel over the slow channel.
 */
static int cmd_modules(int argc, char **argv)
{
	char kernel[1100], ramdisk[1100];
	struct tv_config c;

	(void)argc;
	if (load_config("modules", argv[1], &c))
		return 1;
	if (strcmp(c.type, "hv") && strcmp(c.type, "auto")) {
		fprintf(stderr, "tvctl modules: %s: type = \"%s\": only hv (or "
			"auto) domains exist so far\n", argv[1], c.type);
		return 1;
	}
	resolve(argv[1], &c, kernel, ramdisk, sizeof(kernel));
	printf("%s=kernel %s memory=%lu vcpus=%u", kernel, c.name,
	       c.memory_mib, c.vcpus);
	if (c.ramdisk[0])
		printf(" ramdisk=%s-ramdisk", c.name);
	if (c.cmdline[0])
		printf(" cmdline=%s", c.cmdline);
	printf("\n");
	if (c.ramdisk[0])
		printf("%s=ramdisk %s-ramdisk\n", ramdisk, c.name);
	return 0;
}

static int cmd_create(int argc, char **argv)
{
	char kernel[1100], ramdisk[1100];
	struct tv_config c;
	struct mgmt_tlv_writer *w;
	const char *cfg = NULL;
	bool attach = false;
	uint64_t id = 0;
	int st;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-c"))
			attach = true;
		else if (!strncmp(argv[i], "--cut-upload=", 13))
			cut_after = atol(argv[i] + 13);
		else if (!strcmp(argv[i], "--corrupt-upload"))
			corrupt_upload = true;
		else if (argv[i][0] == '-') {
			fprintf(stderr, "tvctl create: unknown option %s\n",
				argv[i]);
			return 2;
		} else
			cfg = argv[i];
	}
	if (!cfg) {
		fprintf(stderr, "tvctl create: name a config file\n");
		return 2;
	}
	if (load_config("create", cfg, &c))
		return 1;
	resolve(cfg, &c, kernel, ramdisk, sizeof(kernel));
	st = upload(0, kernel);
	if (!st && c.ramdisk[0])
		st = upload(1, ramdisk);
	if (st)
		return st;
	w = new_req();
	mgmt_tlv_put_str(w, MGMT_F_NAME, c.name);
	mgmt_tlv_put_str(w, MGMT_F_TYPE, c.type);
	mgmt_tlv_put_u64(w, MGMT_F_MEMORY, c.memory_mib << 20);
	mgmt_tlv_put_u64(w, MGMT_F_VCPUS, c.vcpus);
	mgmt_tlv_put_str(w, MGMT_F_CMDLINE, c.cmdline);
	st = request(MGMT_T_CREATE, w);
	if (st) {
		fprintf(stderr, "tvctl create: %s: domain %s not created: %s\n",
			cfg, c.name, errmsg);
		return 1;
	}
	mgmt_tlv_u64(reply, reply_len, MGMT_F_ID, &id);
	printf("created domain %s (id %lu)\n", c.name, id);
	if (!attach)
		return 0;
	fflush(stdout);
	return console_attach(c.name);
}

/* Testing aid: send stdin's bytes as they are, print the replies that
 * come within two seconds. */
static int cmd_raw(int argc, char **argv)
{
	static uint8_t buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf), stdin);
	struct pollfd p;
	int replies = 0;

	(void)argc;
	(void)argv;
	connect_channel();
	write_all(buf, n);
	p.fd = sock;
	p.events = POLLIN;
	while (poll(&p, 1, 2000) > 0) {
		ssize_t r = read(sock, buf, sizeof(buf));
		size_t off = 0, used;

		if (r <= 0)
			break;
		while (off < (size_t)r) {
			int ev = mgmt_dec_feed(&dec, buf + off, (size_t)r - off,
					       &used);
			char msg[1100] = "";
			uint64_t st = 0;

			off += used;
			if (ev != MGMT_DEC_FRAME)
				continue;
			mgmt_tlv_u64(dec.frame.payload, dec.frame.len,
				     MGMT_F_STATUS, &st);
			mgmt_tlv_str(dec.frame.payload, dec.frame.len,
				     MGMT_F_MESSAGE, msg, sizeof(msg));
			printf("reply type %#x seq %u status %d: %s\n",
			       dec.frame.type, dec.frame.seq, (int)(int64_t)st,
			       msg);
			replies++;
		}
	}
	return replies ? 0 : 1;
}

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{ "create", "[-c] CONFIG", "upload the kernel and ramdisk a config "
	  "file names and start the domain; -c: then attach its console",
	  cmd_create, false },
	{ "console", "DOM", "attach to a domain's console (Ctrl-] detaches)",
	  cmd_console, false },
	{ "list", "", "the domains, their state, memory, vCPUs and CPU time; "
	  "free memory", cmd_list, true },
	{ "info", "DOM", "one domain in detail (DOM: a name or an id)",
	  cmd_info, true },
	{ "pause", "DOM", "stop a domain's vCPUs until unpause", cmd_pause,
	  false },
	{ "unpause", "DOM", "let a paused domain run again", cmd_unpause,
	  false },
	{ "shutdown", "DOM", "press the domain's ACPI power button",
	  cmd_shutdown, false },
	{ "destroy", "DOM", "end a domain at once and free its memory",
	  cmd_destroy, false },
	{ "dmesg", "", "the hypervisor's log (the last 64 KiB)", cmd_dmesg,
	  true },
	{ "top", "[-b] [-n COUNT] [-d SECONDS]", "CPU use, exit and VMI call "
	  "rates per domain, refreshed (-b: batch, no screen clearing; "
	  "--json: an object per refresh)", cmd_top, true },
	{ "version", "", "tvctl's and trivisor's versions", cmd_version, true },
	{ "help", "[COMMAND]", "this text, or one command's", cmd_help, false },
	{ "modules", "CONFIG", "print a config as multiboot2 module specs for "
	  "tools/mkiso.sh -m (used by make run)", cmd_modules, false },
	{ "raw", "< BYTES", "testing aid: send stdin as it is, print the "
	  "replies", cmd_raw, false },
};
#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static int usage(FILE *f)
{
	fprintf(f, "usage: tvctl [-s SOCKET] [--json] COMMAND [ARGS]\n\n"
		"commands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-9s %-28s %s\n", commands[i].name,
			commands[i].args, commands[i].help);
	fprintf(f, "\nSOCKET: -s, else $TVCTL_SOCKET, else build/mgmt.sock "
		"(what `make run` uses).\n--json: machine-readable output for "
		"list, info and version.\n");
	return f == stderr ? 2 : 0;
}

static int cmd_help(int argc, char **argv)
{
	if (argc < 2)
		return usage(stdout);
	if (!strcmp(argv[1], "--commands")) {
		for (size_t i = 0; i < NR_COMMANDS; i++)
			printf("%s\n", commands[i].name);
		return 0;
	}
	for (size_t i = 0; i < NR_COMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		printf("usage: tvctl %s%s%s%s\n  %s\n", commands[i].json ?
		       "[--json] " : "", commands[i].name,
		       commands[i].args[0] ? " " : "", commands[i].args,
		       commands[i].help);
		if (!strcmp(argv[1], "create"))
			printf("\nCONFIG (xl.cfg style; see docs/tvctl.md):\n"
			       "  name = \"web\"        required\n"
			       "  type = \"hv\"         hv, pv (VMI), bt or auto "
			       "(= hv); bt does not run yet\n"
			       "  memory = 128        MiB, even, >= 4\n"
			       "  vcpus = 2           1 to 8\n"
			       "  kernel = \"vmlinuz\"  required; relative to "
			       "the config file\n"
			       "  ramdisk = \"initrd\"\n"
			       "  cmdline = \"console=ttyS0\"\n"
			       "-c attaches the console once the domain runs "
			       "(see tvctl help console).\n"
			       "Testing aids: --cut-upload=BYTES stops mid-"
			       "frame; --corrupt-upload flips a byte.\n");
		if (!strcmp(argv[1], "console"))
			printf("\nFirst the recent output (the last 8 KiB), then "
			       "the output as it comes; stdin goes\nto the "
			       "guest's COM1 (a terminal in raw mode).  Ctrl-] "
			       "(byte 0x1d) detaches, and so\ndoes the end of "
			       "stdin when it is not a terminal.  Exit status: 0 "
			       "detached,\n1 the domain ended, 3 no such "
			       "domain.\n");
		if (!strcmp(argv[1], "top"))
			printf("\nColumns: CPU%% (guest time over the interval), "
			       "EXITS/s, VMI/s (pv domains;\n- for hv).  -d "
			       "SECONDS between rounds (1), -n COUNT rounds "
			       "(until interrupted),\n-b batch output: no "
			       "screen clearing.\n");
		return 0;
	}
	fprintf(stderr, "tvctl help: no command '%s' (see tvctl help)\n",
		argv[1]);
	return 2;
}

static unsigned int needs_arg(const struct command *c)
{
	return !strcmp(c->args, "DOM") || !strcmp(c->args, "CONFIG") ||
	       !strcmp(c->args, "[-c] CONFIG");
}

int main(int argc, char **argv)
{
	int i = 1;

	sock_path = getenv("TVCTL_SOCKET");
	if (!sock_path)
		sock_path = "build/mgmt.sock";
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "-s") && i + 1 < argc)
			sock_path = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage(stdout);
		else {
			fprintf(stderr, "tvctl: unknown option %s\n", argv[i]);
			return usage(stderr);
		}
	}
	if (i >= argc)
		return usage(stderr);
	for (size_t c = 0; c < NR_COMMANDS; c++) {
		const struct command *cmd = &commands[c];
		int j;

		if (strcmp(argv[i], cmd->name))
			continue;
		/* --json may also follow the command. */
		for (j = i + 1; j < argc; j++) {
			if (!strcmp(argv[j], "--json")) {
				json = true;
				memmove(&argv[j], &argv[j + 1],
					(size_t)(argc - j - 1) * sizeof(*argv));
				argc--;
				j--;
			}
		}
		if (json && !cmd->json) {
			fprintf(stderr, "tvctl %s: no --json output (list, info "
				"and version have it)\n", cmd->name);
			return 2;
		}
		if (needs_arg(cmd) && argc - i < 2) {
			fprintf(stderr, "usage: tvctl %s %s\n", cmd->name,
				cmd->args);
			return 2;
		}
		return cmd->fn(argc - i, argv + i);
	}
	fprintf(stderr, "tvctl: unknown command '%s' (see tvctl help)\n",
		argv[i]);
	return 2;
}
