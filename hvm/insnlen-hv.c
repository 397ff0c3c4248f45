/*
 * hvm_insn_len(): the instruction at CS:RIP, fetched through the guest's
 * page tables (mm/gwalk.c) as the MMIO path fetches it (hvm/mmio.c), and
 * its length checked (hvm/insnlen.c).
 */
#include <hvm/insnlen.h>
#include <hvm/hvm.h>
#include <bt/decode.h>
#include <mm/gwalk.h>
#include <trivisor/domain.h>
#include <trivisor/log.h>
#include <vmi/core.h>
#include <vmi/errno.h>

static int read_phys(void *arg, uint64_t gpa, void *buf, unsigned int len)
{
	return domain_read(arg, gpa, buf, len);
}

/* Up to 15 bytes at CS:RIP: the count fetched, 0 if none. */
static unsigned int fetch(struct vcpu *v, uint8_t *buf)
{
	struct gwalk_ctx g = { .read_phys = read_phys, .arg = v->dom };
	uint64_t lin = hvm_ops.seg_base(v, BT_SEG_CS) + v->regs.rip, gpa;
	unsigned int got = 0;
	uint32_t pf_err;
	/* The fetch the CPU made: from CPL 3 a user access, or SMEP would
	 * refuse the user page a user-mode CPUID sits on. */
	unsigned int flags = GWALK_FETCH |
			     (hvm_ops.cpl(v) == 3 ? GWALK_USER : 0);

	hvm_ops.get_ctrl(v, &g.cr0, &g.cr3, &g.cr4, &g.efer);
	if (hvm_ops.guest_mode(v) != HVM_MODE_LONG64)
		lin &= 0xffffffffull;
	while (got < BT_INSN_MAX_LEN) {
		unsigned int n = 4096 - ((lin + got) & 4095);

		if (gwalk_translate(&g, lin + got, flags, &gpa, &pf_err))
			break;
		if (n > BT_INSN_MAX_LEN - got)
			n = BT_INSN_MAX_LEN - got;
		if (domain_read(v->dom, gpa, buf + got, n))
			break;
		got += n;
	}
	return got;
}

static unsigned int decode_mode(struct vcpu *v)
{
	static const unsigned int modes[] = {
		[HVM_MODE_REAL] = BT_MODE_16, [HVM_MODE_PROT16] = BT_MODE_16,
		[HVM_MODE_PROT32] = BT_MODE_32, [HVM_MODE_LONG64] = BT_MODE_64,
	};
	unsigned int mode = modes[hvm_ops.guest_mode(v)];

	if (hvm_ops.vmi_container == VMI_CONTAINER_HV_SVM)
		mode |= BT_MODE_AMD;
	return mode;
}

int hvm_decode_at_rip(struct vcpu *v, struct bt_insn *in)
{
	uint8_t buf[BT_INSN_MAX_LEN];
	unsigned int n = fetch(v, buf);

	if (!n)
		return -VMI_EFAULT;
	return bt_decode(buf, n, decode_mode(v), in);
}

unsigned int hvm_insn_len(struct vcpu *v, bool have, uint64_t hw_len)
{
	/* Shared by all domains: a guest can only make it drop lines. */
	static struct ratelimit rl = RATELIMIT_INIT(1000, 10);
	uint8_t buf[BT_INSN_MAX_LEN];
	unsigned int n = fetch(v, buf), len;
	int verdict;

	verdict = hvm_insn_len_pick(buf, n, decode_mode(v), have, hw_len, &len);
	if ((verdict == HVM_LEN_RANGE || verdict == HVM_LEN_MISMATCH) &&
	    ratelimit_ok(&rl))
		log_dom(LOG_WARN, v->dom, "vCPU %u: the CPU reported a %lu-byte "
			"instruction at rip %#lx, decoded %u bytes: using %u",
			v->id, hw_len, v->regs.rip, len, len);
	if (!len)
		domain_crash(v->dom, "no length for the intercepted "
			     "instruction at rip %#lx (CPU said %lu, %u bytes "
			     "fetched, undecodable)", v->regs.rip,
			     have ? hw_len : 0, n);
	return len;
}
