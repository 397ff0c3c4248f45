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

#define REPLY_TIMEOUT_MS 10000

static int sock = -1;
static const char *sock_path;
bool json;
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

/* @n bytes of @s as the inside of a JSON string. */
void json_chars(const char *s, size_t n)
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
	{ "info", "DOM", "one domain in detail, exits by reason (DOM: a name "
	  "or an id)",
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
	{ "top", "[-b] [-n COUNT] [-d SECONDS]", "CPU use, memory, exit rates "
	  "(the busiest reasons) and VMI call rates per domain, refreshed "
	  "(-b: batch, no screen clearing; --json: an object per refresh)",
	  cmd_top, true },
	{ "version", "", "tvctl's and trivisor's versions, the VMI ABI and "
	  "the hardware features found", cmd_version, true },
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
		"list, info, dmesg, top and version.\n");
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
			printf("\nColumns: MEM(MiB), CPU%% (guest time over the "
			       "interval), CPU(s) (in all),\nEXITS/s, VMI/s (pv "
			       "domains; - for hv), BUSIEST EXITS/s (the three "
			       "busiest\nexit reasons and their rates, e.g. "
			       "\"io 1200  hlt 40\").  -d SECONDS between\n"
			       "rounds (1), -n COUNT rounds (until interrupted), "
			       "-b batch output: no\nscreen clearing.\n");
		if (!strcmp(argv[1], "version"))
			printf("\nAlso, from a trivisor of protocol 1.2 on: the VMI "
			       "ABI version and its\nsections, the hv container's "
			       "backend, the hardware features it found\n(svm, "
			       "npt, vmx, ept, vpid, x2apic, invariant-tsc, ...), "
			       "ASIDs, the TSC\nfrequency and the CPUs online.\n");
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
			fprintf(stderr, "tvctl %s: no --json output (list, info, "
				"dmesg, top and version have it)\n", cmd->name);
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
