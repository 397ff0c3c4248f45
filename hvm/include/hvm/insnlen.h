/*
 * Lengths of intercepted instructions.  The CPU reports them (SVM: next
 * RIP, or EXITINFO2 of an I/O exit, AMD APM vol. 2, 15.7.1 and 15.10.2;
 * VMX: VM_EXIT_INSTRUCTION_LEN, SDM vol. 3C, 28.2.5), or the backend
 * assumed the length of an unprefixed encoding.  A length off by even
 * one byte resumes the guest in the middle of an instruction, so each
 * one is checked against the instruction decoded at RIP.
 */
#ifndef HVM_INSNLEN_H
#define HVM_INSNLEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vcpu;

/* hvm_insn_len_pick() verdicts. */
#define HVM_LEN_OK 0 /* the CPU's length is the decoded one */
#define HVM_LEN_NONE 1 /* no length from the CPU: the decoded one */
#define HVM_LEN_RANGE 2 /* the CPU's is not 1-15: the decoded one */
#define HVM_LEN_MISMATCH 3 /* they differ: the decoded one */
#define HVM_LEN_UNDECODED 4 /* no decode: the CPU's if 1-15, else 0 */

/*
 * Portable: decode @n bytes at @buf in bt_decode() @mode and choose the
 * length to skip given the CPU's @hw_len (@have: the CPU gave one; it
 * is taken whole, so a wrapped difference of two RIPs is not mistaken
 * for a short length).  *@len is 0 when neither is usable.  Returns
 * HVM_LEN_*.
 */
int hvm_insn_len_pick(const uint8_t *buf, size_t n, unsigned int mode,
		      bool have, uint64_t hw_len, unsigned int *len);

/*
 * Hypervisor glue: the length of the instruction at the vCPU's CS:RIP,
 * fetched through its page tables and checked against @hw_len when
 * @have (the CPU gave one).  A disagreement is logged, rate-limited, and the
 * decoded length wins.  Returns 0, with the domain crashed, when no
 * length is usable.
 */
unsigned int hvm_insn_len(struct vcpu *v, bool have, uint64_t hw_len);

/* Hypervisor glue: decode the instruction at the vCPU's CS:RIP into
 * @in; 0, or a negative VMI error when it cannot be fetched or decoded. */
struct bt_insn;
int hvm_decode_at_rip(struct vcpu *v, struct bt_insn *in);

#endif
