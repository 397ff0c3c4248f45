/*
 * libFuzzer target for the management request handlers (mgmt/agent.c)
 * behind the fake domain core of the unit tests
 * (tests/unit/mgmt-agent/fake-core.c).  Random bytes rarely carry a right
 * CRC, so the input is a script the target frames itself:
 *
 *   0 type len_lo len_hi payload...   a request, framed and checksummed
 *   1 n bytes...                      n raw bytes on the line
 *   2 q                               the line quiet for q * 5 ms
 *   3 id r n bytes...                 guest output to domain id's console,
 *                                     the n bytes r + 1 times
 *   (other opcodes are taken modulo 4; a short record ends the script)
 *
 * Every frame the agent sends must decode as exactly one valid frame
 * with a TLV payload led by a status, and a failure status must come
 * with a message; uploads must never outlive their slots.
 *     make fuzz   (seeds: tests/fuzz/mkseeds.c)
 */
#include <stdlib.h>
#include <string.h>

#include <mgmt/agent.h>
#include <mgmt/proto.h>

#include "../unit/mgmt-agent/fake-core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fake_core fc;
static struct mgmt_agent ag;
static struct mgmt_dec check;
static uint8_t frame[MGMT_MAX_FRAME];

static void check_reply(struct fake_core *f, const uint8_t *buf, size_t len)
{
	uint64_t status;
	size_t used;
	char msg[300];

	(void)f;
	mgmt_dec_init(&check);
	if (mgmt_dec_feed(&check, buf, len, &used) != MGMT_DEC_FRAME ||
	    used != len)
		abort();
	if (check.frame.type != MGMT_T_ERROR &&
	    !(check.frame.type & MGMT_RESPONSE))
		abort();
	if (!mgmt_tlv_valid(check.frame.payload, check.frame.len) ||
	    check.frame.len < 12 ||
	    check.frame.payload[0] != MGMT_F_STATUS ||
	    !mgmt_tlv_u64(check.frame.payload, check.frame.len, MGMT_F_STATUS,
			  &status))
		abort();
	if (status && (!mgmt_tlv_str(check.frame.payload, check.frame.len,
				     MGMT_F_MESSAGE, msg, sizeof(msg)) ||
		       !msg[0]))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pos = 0;
	uint32_t seq = 0;

	fake_init(&fc);
	fc.on_send = check_reply;
	fake_add(&fc, "alpha");
	fake_add(&fc, "beta");
	fake_console(&fc, 1, "beta console\n", 13);
	mgmt_agent_init(&ag, &fake_ops, &fc, FAKE_MAX_DOMAINS, FAKE_NAME_MAX);
	while (pos < size) {
		uint8_t op = data[pos++] % 4;
		size_t n;

		if (op == 0) {
			if (size - pos < 3)
				break;
			n = data[pos + 1] | (size_t)data[pos + 2] << 8;
			if (n > size - pos - 3)
				n = size - pos - 3;
			if (n > MGMT_MAX_PAYLOAD)
				n = MGMT_MAX_PAYLOAD;
			mgmt_encode(frame, data[pos], ++seq, data + pos + 3,
				    (uint32_t)n);
			mgmt_agent_feed(&ag, frame, MGMT_HDR_SIZE + n);
			pos += 3 + n;
		} else if (op == 1) {
			if (pos == size)
				break;
			n = data[pos++];
			if (n > size - pos)
				n = size - pos;
			mgmt_agent_feed(&ag, data + pos, n);
			pos += n;
		} else if (op == 2) {
			if (pos == size)
				break;
			mgmt_agent_quiet(&ag, data[pos++] * 5000000ull);
		} else {
			if (size - pos < 3)
				break;
			n = data[pos + 2];
			if (n > size - pos - 3)
				n = size - pos - 3;
			for (unsigned int r = 0; r <= data[pos + 1]; r++)
				fake_console(&fc, data[pos],
					     (const char *)data + pos + 3, n);
			pos += 3 + n;
		}
		if (fc.nr_uploads > MGMT_NR_SLOTS)
			abort();
	}
	/* What is still being uploaded is all the fake has handed out. */
	for (int s = 0; s < MGMT_NR_SLOTS; s++)
		if (ag.slots[s].buf) {
			fake_ops.upload_free(&fc, ag.slots[s].buf,
					     ag.slots[s].size);
			ag.slots[s].buf = NULL;
		}
	if (fc.nr_uploads)
		abort();
	return 0;
}
