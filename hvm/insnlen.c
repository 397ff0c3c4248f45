/*
 * Choosing the length of an intercepted instruction (hvm/insnlen.h).
 * Portable: the bytes come from the caller.  An instruction is 1 to 15
 * bytes (SDM vol. 2A, 2.3.11; AMD APM vol. 3, 1.1), so a length outside
 * that cannot be the CPU's honest report.
 */
#include <hvm/insnlen.h>
#include <bt/decode.h>

int hvm_insn_len_pick(const uint8_t *buf, size_t n, unsigned int mode,
		      bool have, uint64_t hw_len, unsigned int *len)
{
	struct bt_insn in;
	bool hw_ok = have && hw_len >= 1 && hw_len <= BT_INSN_MAX_LEN;

	if (bt_decode(buf, n, mode, &in)) {
		*len = hw_ok ? (unsigned int)hw_len : 0;
		return HVM_LEN_UNDECODED;
	}
	*len = in.len;
	if (!have)
		return HVM_LEN_NONE;
	if (!hw_ok)
		return HVM_LEN_RANGE;
	return hw_len == in.len ? HVM_LEN_OK : HVM_LEN_MISMATCH;
}
