/*
 * The management protocol (docs/management-protocol.md): frames between
 * tvctl and the hypervisor's management agent, and the TLV fields inside
 * them.  Portable C: built into the hypervisor (mgmt/ is in HV_DIRS), into
 * tvctl, the CUnit suite tests/unit/mgmt and the fuzz target.
 *
 * Everything on the wire is little-endian and encoded byte by byte, so the
 * code does not depend on the host's byte order or alignment.
 */
#ifndef MGMT_PROTO_H
#define MGMT_PROTO_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define MGMT_MAGIC 0x504d5654u /* "TVMP" in byte order */
#define MGMT_VERSION 1
/* Revision of version 1: new request types and fields raise it (a client
 * asks `version` before it uses them); the frame header carries only
 * MGMT_VERSION. */
#define MGMT_VERSION_MINOR 2
#define MGMT_HDR_SIZE 24
#define MGMT_MAX_PAYLOAD 8192
#define MGMT_MAX_FRAME (MGMT_HDR_SIZE + MGMT_MAX_PAYLOAD)
/* Upload data per chunk: leaves room for the chunk's other fields. */
#define MGMT_CHUNK_DATA 4096
/* Console input per console write request. */
#define MGMT_CONSOLE_IN_MAX 256

/* Request types; a response has the request's type | MGMT_RESPONSE. */
#define MGMT_T_VERSION 0x01
#define MGMT_T_LIST 0x02
#define MGMT_T_INFO 0x03
#define MGMT_T_PAUSE 0x04
#define MGMT_T_UNPAUSE 0x05
#define MGMT_T_DESTROY 0x06
#define MGMT_T_SHUTDOWN 0x07
#define MGMT_T_DMESG 0x08
#define MGMT_T_UPLOAD_BEGIN 0x09
#define MGMT_T_UPLOAD_CHUNK 0x0a
#define MGMT_T_CREATE 0x0b
#define MGMT_T_CONSOLE_READ 0x0c /* since 1.1 */
#define MGMT_T_CONSOLE_WRITE 0x0d /* since 1.1 */
#define MGMT_RESPONSE 0x80
/* Sent for input that is not a valid request (no request type known). */
#define MGMT_T_ERROR 0xff

/* TLV field tags. */
#define MGMT_F_STATUS 1 /* u64: 0 or a negative VMI error, two's complement */
#define MGMT_F_MESSAGE 2 /* str: what went wrong and what to do */
#define MGMT_F_PROTO 3 /* u64: protocol version */
#define MGMT_F_HV_VERSION 4 /* str */
#define MGMT_F_DOMAIN 5 /* nested TLV: one domain's record */
#define MGMT_F_ID 6 /* u64: domain id */
#define MGMT_F_NAME 7 /* str: domain name */
#define MGMT_F_STATE 8 /* str: running, paused, ended */
#define MGMT_F_MEMORY 9 /* u64: bytes */
#define MGMT_F_VCPUS 10 /* u64 */
#define MGMT_F_CPU_NS 11 /* u64: guest-mode time of all vCPUs */
#define MGMT_F_UPTIME_NS 12 /* u64 */
#define MGMT_F_FREE 13 /* u64: free memory, bytes */
#define MGMT_F_TOTAL 14 /* u64: total memory, bytes */
#define MGMT_F_OFFSET 15 /* u64 */
#define MGMT_F_DATA 16 /* bytes */
#define MGMT_F_SLOT 17 /* u64: MGMT_SLOT_* */
#define MGMT_F_SIZE 18 /* u64: bytes */
#define MGMT_F_CRC 19 /* u64: CRC32 of a whole image */
#define MGMT_F_CMDLINE 20 /* str */
#define MGMT_F_TYPE 21 /* str: hv, pv, bt, auto */
#define MGMT_F_PCPUS 22 /* str: physical CPU of each vCPU, "0,1" */
#define MGMT_F_NEXT 23 /* u64: offset to ask for next (dmesg) */
#define MGMT_F_EXITS 24 /* u64: VM exits of all vCPUs */
/* Since 1.1: */
#define MGMT_F_VMI_CALLS 25 /* u64: VMI calls made by a pv domain, in all */
#define MGMT_F_VMI_CALL 26 /* nested: call, name, count (info) */
#define MGMT_F_CALL 27 /* u64: VMI call number */
#define MGMT_F_COUNT 28 /* u64 */
#define MGMT_F_INSTANCE 29 /* u64: which run of a domain (console) */
#define MGMT_F_PROTO_MINOR 30 /* u64: protocol revision */
#define MGMT_F_LOST 31 /* u64: console bytes no longer held */
/* Since 1.2: */
#define MGMT_F_EXIT_COUNTS 32 /* u64[]: a domain's exits by reason */
#define MGMT_F_EXIT_NAME 33 /* str, repeated: reason i's name (list, info) */
#define MGMT_F_VMI_VERSION 34 /* u64: major << 16 | minor */
#define MGMT_F_VMI_SECTION 35 /* nested: name, vmi_version (version) */
#define MGMT_F_HW_FEATURE 36 /* str, repeated: a hardware feature found */
#define MGMT_F_TSC_KHZ 37 /* u64 */
#define MGMT_F_CPUS 38 /* u64: physical CPUs online */
#define MGMT_F_ASIDS 39 /* u64: SVM address space ids */
#define MGMT_F_HV_BACKEND 40 /* str: the hv container's backend */

#define MGMT_SLOT_KERNEL 0
#define MGMT_SLOT_RAMDISK 1
#define MGMT_NR_SLOTS 2

/* Field lengths are 16-bit, strings at most this long. */
#define MGMT_STR_MAX 1024

/* CRC-32 (IEEE 802.3, reflected 0xEDB88320), chainable: start with 0. */
uint32_t mgmt_crc32(uint32_t crc, const void *buf, size_t len);

struct mgmt_frame {
	uint8_t type;
	uint32_t seq;
	uint32_t len;
	const uint8_t *payload; /* points into the decoder or the caller */
};

/*
 * Encode a frame into @out (at least MGMT_HDR_SIZE + len bytes).  Returns
 * the frame's size, or 0 when len is over MGMT_MAX_PAYLOAD.
 */
size_t mgmt_encode(uint8_t *out, uint8_t type, uint32_t seq,
		   const uint8_t *payload, uint32_t len);

/* What the stream decoder found. */
#define MGMT_DEC_NONE 0 /* needs more bytes */
#define MGMT_DEC_FRAME 1 /* a valid frame: dec->frame */
#define MGMT_DEC_BAD_VERSION 2 /* header valid, version unknown (seq set) */
#define MGMT_DEC_TOO_BIG 3 /* header valid, length over the limit */
#define MGMT_DEC_BAD_CRC 4 /* payload checksum wrong (seq set) */
#define MGMT_DEC_TRUNCATED 5 /* mgmt_dec_flush() dropped a partial frame */

/*
 * Stream decoder: bytes in, frames out.  It hunts for the magic, checks
 * the header's own CRC (so a damaged length is never trusted), bounds the
 * length, then checks the payload CRC.  After any error it resumes the
 * hunt one byte after the failed frame's start, so a real frame hidden in
 * garbage is still found.  Bytes skipped while hunting are counted in
 * @garbage for the caller to report.
 */
struct mgmt_dec {
	uint8_t buf[MGMT_MAX_FRAME];
	size_t n; /* bytes held in buf */
	size_t scan; /* of those, bytes checked so far */
	size_t need; /* bytes the current frame needs in all */
	size_t drop_next; /* bytes to forget at the next call */
	uint64_t garbage; /* bytes skipped since the caller last cleared it */
	uint32_t err_seq; /* seq of the frame an error is about */
	uint8_t err_type; /* type of that frame */
	struct mgmt_frame frame;
};

void mgmt_dec_init(struct mgmt_dec *dec);
/*
 * Feed bytes; consumes up to @len of them and sets *@used.  Returns
 * MGMT_DEC_* at the first event (call again with the rest), or
 * MGMT_DEC_NONE once all input is consumed.  A returned frame's payload is
 * valid until the next call.
 */
int mgmt_dec_feed(struct mgmt_dec *dec, const uint8_t *in, size_t len,
		  size_t *used);
/* Is a frame partly received? */
bool mgmt_dec_busy(const struct mgmt_dec *dec);
/* Drop a partial frame (the sender went quiet): MGMT_DEC_TRUNCATED, or
 * MGMT_DEC_NONE when nothing was held. */
int mgmt_dec_flush(struct mgmt_dec *dec);

/*
 * TLV payloads: tag (u16), length (u16), value.  A writer fills a buffer;
 * ->overflow records that something did not fit (the payload is then
 * unusable).
 */
struct mgmt_tlv_writer {
	uint8_t *buf;
	size_t cap, len;
	bool overflow;
};

void mgmt_tlv_init(struct mgmt_tlv_writer *w, uint8_t *buf, size_t cap);
void mgmt_tlv_put(struct mgmt_tlv_writer *w, uint16_t tag, const void *val,
		  size_t len);
void mgmt_tlv_put_u64(struct mgmt_tlv_writer *w, uint16_t tag, uint64_t v);
void mgmt_tlv_put_str(struct mgmt_tlv_writer *w, uint16_t tag, const char *s);
/* @n u64s, little-endian one after the other, as one field. */
void mgmt_tlv_put_u64s(struct mgmt_tlv_writer *w, uint16_t tag,
		       const uint64_t *v, size_t n);
/* Open a nested TLV under @tag; close it with mgmt_tlv_end(w, mark). */
size_t mgmt_tlv_begin(struct mgmt_tlv_writer *w, uint16_t tag);
void mgmt_tlv_end(struct mgmt_tlv_writer *w, size_t mark);

/* Does @buf hold whole TLV fields, exactly, and nothing else? */
bool mgmt_tlv_valid(const uint8_t *buf, size_t len);

/*
 * Iterate: start with *pos = 0; returns true and the next field until the
 * end or a malformed field.  Use on validated payloads.
 */
bool mgmt_tlv_next(const uint8_t *buf, size_t len, size_t *pos, uint16_t *tag,
		   const uint8_t **val, uint16_t *vlen);
/* The first field @tag; false when absent. */
bool mgmt_tlv_find(const uint8_t *buf, size_t len, uint16_t tag,
		   const uint8_t **val, uint16_t *vlen);
/* A u64 field (exactly 8 bytes); false when absent or malformed. */
bool mgmt_tlv_u64(const uint8_t *buf, size_t len, uint16_t tag, uint64_t *v);
/*
 * A u64 array field: the first up to @max values into @out; returns how
 * many were stored, 0 when absent or not a whole number of u64s.
 */
size_t mgmt_tlv_u64s(const uint8_t *buf, size_t len, uint16_t tag,
		     uint64_t *out, size_t max);
/*
 * A string field copied NUL-terminated into @out (@cap bytes); false when
 * absent, too long, or holding a NUL or a control character other than
 * tab and newline.
 */
bool mgmt_tlv_str(const uint8_t *buf, size_t len, uint16_t tag, char *out,
		  size_t cap);
/* The same for a value in hand (a repeated field met by mgmt_tlv_next). */
bool mgmt_tlv_str_val(const uint8_t *val, uint16_t vlen, char *out,
		      size_t cap);

#endif
