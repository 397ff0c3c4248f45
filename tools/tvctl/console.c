/*
 * tvctl console (docs/tvctl.md, "The console").
 */
#define _GNU_SOURCE
#include "tvctl.h"
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/*
 * The console: poll the domain's console ring (console read), forward
 * stdin to its COM1 (console write).  Ctrl-] (0x1d) detaches, and so does
 * the end of stdin when it is not a terminal.  A terminal is in raw mode
 * meanwhile and restored on every way out.
 */
#define CONSOLE_POLL_MS 30
#define DETACH_BYTE 0x1d
#define DETACH_WAIT_MS 3000 /* for the guest to take input before a detach */

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static struct termios saved_tio;
static bool tio_saved;

static void restore_tty(void)
{
	if (tio_saved)
		tcsetattr(0, TCSAFLUSH, &saved_tio);
	tio_saved = false;
}

static void raw_tty(void)
{
	struct termios t;

	if (!isatty(0) || tcgetattr(0, &saved_tio))
		return;
	t = saved_tio;
	cfmakeraw(&t);
	if (tcsetattr(0, TCSAFLUSH, &t))
		return;
	tio_saved = true;
	atexit(restore_tty);
}

static bool proto_has_console(void)
{
	uint64_t minor = 0;

	if (request(MGMT_T_VERSION, NULL))
		return false;
	mgmt_tlv_u64(reply, reply_len, MGMT_F_PROTO_MINOR, &minor);
	return minor >= 1;
}

/* Where the console stands: the domain's run, the next byte wanted. */
struct con {
	uint64_t id, instance, next;
	bool ended;
};

/* Read console output from con->next and write it out; returns the
 * number of bytes, or -1 after a failure (reported). */
static long console_read(const char *dom, struct con *c, bool first)
{
	struct mgmt_tlv_writer *w = new_req();
	const uint8_t *data;
	uint16_t len = 0;
	char state[16] = "";
	uint64_t lost = 0;
	int st;

	if (first) {
		name_domain(w, dom);
	} else {
		mgmt_tlv_put_u64(w, MGMT_F_ID, c->id);
		mgmt_tlv_put_u64(w, MGMT_F_INSTANCE, c->instance);
	}
	mgmt_tlv_put_u64(w, MGMT_F_OFFSET, c->next);
	st = request(MGMT_T_CONSOLE_READ, w);
	if (st) {
		restore_tty();
		fail("console", st);
		return st == -3 ? -3 : -1;
	}
	mgmt_tlv_u64(reply, reply_len, MGMT_F_ID, &c->id);
	mgmt_tlv_u64(reply, reply_len, MGMT_F_INSTANCE, &c->instance);
	mgmt_tlv_u64(reply, reply_len, MGMT_F_NEXT, &c->next);
	mgmt_tlv_u64(reply, reply_len, MGMT_F_LOST, &lost);
	mgmt_tlv_str(reply, reply_len, MGMT_F_STATE, state, sizeof(state));
	c->ended = !strcmp(state, "ended");
	if (lost && !first)
		fprintf(stderr, "\r\n[tvctl: %lu bytes of console output "
			"overwritten before they were read]\r\n", lost);
	mgmt_tlv_find(reply, reply_len, MGMT_F_DATA, &data, &len);
	if (len && fwrite(data, 1, len, stdout) != len) {
		restore_tty();
		fprintf(stderr, "tvctl console: writing output: %s\n",
			strerror(errno));
		return -1;
	}
	fflush(stdout);
	return len;
}

/*
 * Send up to @n bytes of input; returns how many the guest took (0 when
 * its receive FIFO is full: the caller tries again), -1 when the domain
 * has ended (the caller reads its last output).
 */
static long console_write(const struct con *c, const uint8_t *buf, size_t n)
{
	struct mgmt_tlv_writer *w = new_req();
	uint64_t taken = 0;
	int st;

	if (n > MGMT_CONSOLE_IN_MAX)
		n = MGMT_CONSOLE_IN_MAX;
	mgmt_tlv_put_u64(w, MGMT_F_ID, c->id);
	mgmt_tlv_put_u64(w, MGMT_F_INSTANCE, c->instance);
	mgmt_tlv_put(w, MGMT_F_DATA, buf, n);
	st = request(MGMT_T_CONSOLE_WRITE, w);
	if (st == -3)
		return -1;
	if (st) {
		restore_tty();
		fail("console", st);
		exit(1);
	}
	mgmt_tlv_u64(reply, reply_len, MGMT_F_SIZE, &taken);
	return taken > n ? (long)n : (long)taken;
}

int console_attach(const char *dom)
{
	static uint8_t pend[4096];
	size_t npend = 0;
	bool detach = false, in_open = true;
	struct timespec detach_t = { 0 };
	struct con c = { 0 };
	long got;

	/* Raw at once: keys typed while tvctl attaches reach the guest as
	 * they are (a Ctrl-C among them does not kill tvctl). */
	raw_tty();
	if (!proto_has_console()) {
		restore_tty();
		fprintf(stderr, "tvctl console: this trivisor's protocol has "
			"no console (it needs 1.1; see tvctl version)\n");
		return 1;
	}
	got = console_read(dom, &c, true);
	if (got < 0)
		return got == -3 ? 3 : 1;
	fprintf(stderr, "[tvctl: attached to domain %s (id %lu); Ctrl-] "
		"detaches]\r\n", dom, c.id);
	for (;;) {
		struct pollfd p = { 0, POLLIN, 0 };
		int wait_ms = got > 0 ? 0 : CONSOLE_POLL_MS;

		if (c.ended && got == 0) {
			restore_tty();
			fprintf(stderr, "\n[tvctl: domain %s ended]\n", dom);
			return 1;
		}
		/* A guest that reads no more input cannot hold a detach up
		 * for long; what it did not take is counted, not lost
		 * silently. */
		if (detach && npend && ms_since(&detach_t) > DETACH_WAIT_MS) {
			fprintf(stderr, "\r\n[tvctl: %zu bytes of input not "
				"taken by the guest]", npend);
			npend = 0;
		}
		if (detach && npend == 0) {
			/* What the guest said meanwhile, then go. */
			while ((got = console_read(dom, &c, false)) > 0)
				;
			restore_tty();
			fprintf(stderr, "\r\n[tvctl: detached from %s]\n", dom);
			return got < 0 ? 1 : 0;
		}
		if (in_open && !detach && npend < sizeof(pend) &&
		    poll(&p, 1, wait_ms) > 0) {
			ssize_t r = read(0, pend + npend, sizeof(pend) - npend);
			uint8_t *stop;

			if (r <= 0) {
				in_open = false;
				detach = true; /* end of input */
				clock_gettime(CLOCK_MONOTONIC, &detach_t);
			} else {
				stop = memchr(pend + npend, DETACH_BYTE,
					      (size_t)r);
				if (stop) {
					r = stop - (pend + npend);
					detach = true;
					clock_gettime(CLOCK_MONOTONIC,
						      &detach_t);
				}
				npend += (size_t)r;
			}
		} else if (wait_ms && (!in_open || detach ||
				       npend == sizeof(pend))) {
			poll(NULL, 0, wait_ms);
		}
		if (npend) {
			long taken = console_write(&c, pend, npend);

			if (taken < 0) {
				/* Ended: show its last output, then say so. */
				npend = 0;
				detach = false;
				in_open = false;
			} else {
				memmove(pend, pend + taken, npend - (size_t)taken);
				npend -= (size_t)taken;
				/* FIFO full: the guest has not read yet; try
				 * again after the next poll. */
				if (!taken)
					poll(NULL, 0, CONSOLE_POLL_MS);
			}
		}
		got = console_read(dom, &c, false);
		if (got < 0)
			return 1;
	}
}

int cmd_console(int argc, char **argv)
{
	(void)argc;
	return console_attach(argv[1]);
}
