/*
 * What tvctl's parts share (tools/tvctl/tvctl.c: the channel and the
 * commands; show.c: the read commands list, info, top and version;
 * console.c: the console).
 */
#ifndef TVCTL_H
#define TVCTL_H

#include <mgmt/proto.h>
#include <stdbool.h>
#include <stddef.h>

#define TVCTL_VERSION "0.1.0"

/* --json was given. */
extern bool json;

/* The last reply's payload, and a failed one's message. */
extern uint8_t reply[MGMT_MAX_PAYLOAD];
extern uint32_t reply_len;
extern char errmsg[1100];

/*
 * Send a request, wait for its response.  Returns the status (0 or a
 * negative VMI error); the payload is in reply/reply_len, a failure's
 * message in errmsg.  Exits on a dead channel or a timeout.
 */
int request(uint8_t type, const struct mgmt_tlv_writer *w);
/* A fresh request payload. */
struct mgmt_tlv_writer *new_req(void);
/* DOM as an id (all digits) or a name. */
void name_domain(struct mgmt_tlv_writer *w, const char *dom);
/* Print "tvctl WHAT: errmsg"; the exit status for @st (3: no such domain). */
int fail(const char *what, int st);

/* @n bytes of @s as the inside of a JSON string. */
void json_chars(const char *s, size_t n);

int cmd_version(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_top(int argc, char **argv);

/* Attach to DOM's console until a detach (0) or its end (1); 3: no such
 * domain. */
int console_attach(const char *dom);
int cmd_console(int argc, char **argv);

#endif
