/*
 * MMIO emulation for hv guests: fetch the instruction at CS:RIP through
 * the guest's own page tables (mm/gwalk.c), decode it with the shared x86
 * decoder (bt-fallback/) and let hvm/emulate.c perform it on the device
 * at the faulting guest-physical address.  Memory operands the CPU has
 * not checked (string and stack operands) are checked here with the
 * guest's privilege, as the CPU would (dev_mem()).
 */
#include <hvm/run.h>
#include <hvm/hvm.h>
#include <hvm/emulate.h>
#include <hvm/platform.h>
#include <mm/gwalk.h>
#include <trivisor/domain.h>
#include <trivisor/log.h>
#include <vmi/errno.h>
#include <string.h>

struct mmio_ctx {
	struct vcpu *v;
	uint64_t gpa;
};

static int read_phys(void *arg, uint64_t gpa, void *buf, unsigned int len)
{
	return domain_read(arg, gpa, buf, len);
}

static void dev_read(void *ctx, unsigned int size, uint64_t *val)
{
	struct mmio_ctx *c = ctx;

	hvm_platform_mmio(c->v, c->gpa, size, false, val);
}

static void dev_write(void *ctx, unsigned int size, uint64_t val)
{
	struct mmio_ctx *c = ctx;

	hvm_platform_mmio(c->v, c->gpa, size, true, &val);
}

#define RFLAGS_AC (1ull << 18)
#define VEC_SS 12
#define VEC_GP 13
#define VEC_PF 14

/* Give the guest the fault the CPU raises for this element (its error
 * code 0 for #GP/#SS); the instruction does not retire. */
static int raise_fault(struct vcpu *v, unsigned int vec, uint32_t err)
{
	hvm_ops.inject_event(v, HVM_EVENT_EXCEPTION, (uint8_t)vec, true, err);
	return EMU_FAULT;
}

static bool canonical(uint64_t lin)
{
	int64_t top = (int64_t)lin >> 47;

	return top == 0 || top == -1;
}

/*
 * Outside 64-bit mode: the segment checks of SDM vol. 3A, 5.3 and 5.4
 * (AMD APM vol. 2, 4.12): a null or unusable segment, a write to a code
 * or read-only data segment, a read of an execute-only code segment, or
 * an offset outside the limit (above it, or for an expand-down segment
 * at or below it and above 0xffff or 4 GiB - 1 as D/B says) raise #GP(0),
 * #SS(0) for SS.  Real mode has only the limit.
 */
static bool seg_ok(struct vcpu *v, unsigned int seg, uint64_t off,
		   unsigned int size, bool write, bool real)
{
	uint32_t limit, attr, type;
	uint64_t last = off + size - 1, top;

	if (!hvm_ops.seg_limit)
		return true;
	hvm_ops.seg_limit(v, seg, &limit, &attr);
	type = attr & 0xf;
	if (!real) {
		if (!(attr & 0x80) || !(attr & 0x10))
			return false; /* null, unusable or a system segment */
		if (type & 8) { /* code: never writable; readable if R */
			if (write || !(type & 2))
				return false;
		} else if (write && !(type & 2)) {
			return false;
		}
	}
	if (!(type & 8) && (type & 4) && !real) { /* expand-down data */
		top = (attr & 0x400) ? 0xffffffffull : 0xffffull;
		return off > limit && last <= top;
	}
	return last <= limit;
}

/*
 * A string instruction's element, or a PUSH/POP stack slot, at
 * @seg:@off, checked as the CPU checks it and then accessed through the
 * guest's page tables, RAM or a device alike (@val NULL: only checked).
 * The CPU raised none of these faults before the exit: the MMIO fault is
 * taken on the other operand, and INS/OUTS exit before their memory
 * operand is touched.  So: the segment (limits outside 64-bit mode, a
 * canonical address in it), then the page walk with the vCPU's CPL
 * (U/S), CR0.WP, SMEP, and SMAP with EFLAGS.AC, each failure the fault
 * the CPU would raise (#GP(0), #SS(0), #PF with its error code and
 * CR2).  Elements that cross a page are refused (no device register
 * does, and RAM-to-RAM never exits here).
 */
static int dev_mem(void *ctx, unsigned int seg, uint64_t off,
		   unsigned int size, bool write, uint64_t *val)
{
	struct mmio_ctx *c = ctx;
	struct vcpu *v = c->v;
	struct gwalk_ctx g = { .read_phys = read_phys, .arg = v->dom };
	uint64_t lin, gpa;
	uint32_t err;
	int mode = hvm_ops.guest_mode(v);
	bool long64 = mode == HVM_MODE_LONG64;
	unsigned int cpl = hvm_ops.cpl(v), acc = write ? GWALK_WRITE : 0;
	int ret;

	/* 64-bit mode: only FS and GS have a base (SDM vol. 3, 3.4.4). */
	lin = off + (!long64 || seg >= BT_SEG_FS ? hvm_ops.seg_base(v, seg) : 0);
	if (long64 && (!canonical(lin) || !canonical(lin + size - 1)))
		return raise_fault(v, seg == BT_SEG_SS ? VEC_SS : VEC_GP, 0);
	if (!long64) {
		if (!seg_ok(v, seg, off, size, write, mode == HVM_MODE_REAL))
			return raise_fault(v, seg == BT_SEG_SS ? VEC_SS : VEC_GP,
					   0);
		lin &= 0xffffffffull;
	}
	if (cpl == 3)
		acc |= GWALK_USER;
	else if (v->regs.rflags & RFLAGS_AC)
		acc |= GWALK_AC;
	hvm_ops.get_ctrl(v, &g.cr0, &g.cr3, &g.cr4, &g.efer);
	if ((lin & 0xfff) + size > 4096)
		return -VMI_EFAULT;
	ret = gwalk_translate(&g, lin, acc, &gpa, &err);
	if (ret == -VMI_ENOENT && hvm_ops.set_cr2) {
		hvm_ops.set_cr2(v, lin);
		return raise_fault(v, VEC_PF, err);
	}
	if (ret)
		return -VMI_EFAULT;
	if (!val)
		return 0;
	if (hvm_platform_is_mmio(v->dom, gpa)) {
		if (!write)
			*val = 0;
		hvm_platform_mmio(v, gpa, size, write, val);
		return 0;
	}
	if (!write)
		*val = 0;
	return write ? domain_write(v->dom, gpa, val, size)
		     : domain_read(v->dom, gpa, val, size);
}

/* PUSH/POP r/m: the stack slot at SS:rSP, through dev_mem. */
static int dev_push(void *ctx, uint64_t rsp, unsigned int size, uint64_t val)
{
	return dev_mem(ctx, BT_SEG_SS, rsp, size, true, &val);
}

static int dev_pop(void *ctx, uint64_t rsp, unsigned int size, uint64_t *val)
{
	return dev_mem(ctx, BT_SEG_SS, rsp, size, false, val);
}

static void dev_pio(void *ctx, uint16_t port, unsigned int size, bool in,
		    uint32_t *val)
{
	struct mmio_ctx *c = ctx;

	hvm_platform_pio(c->v, port, size, in, val);
}

/* vcpu_regs order <-> x86 register numbers. */
static uint64_t *gpr(struct vcpu *v, unsigned int n)
{
	struct vcpu_regs *r = &v->regs;
	uint64_t *const map[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx,
				    &r->rsp, &r->rbp, &r->rsi, &r->rdi,
				    &r->r8,  &r->r9,  &r->r10, &r->r11,
				    &r->r12, &r->r13, &r->r14, &r->r15 };
	return map[n];
}

/* Fetch up to 15 bytes at CS:RIP; returns the count or a negative error. */
static int fetch(struct vcpu *v, uint8_t *buf, uint32_t *pf_err)
{
	struct gwalk_ctx g = { .read_phys = read_phys, .arg = v->dom };
	uint64_t lin = hvm_ops.seg_base(v, BT_SEG_CS) + v->regs.rip, gpa;
	unsigned int got = 0;
	unsigned int acc = GWALK_FETCH | (hvm_ops.cpl(v) == 3 ? GWALK_USER : 0);

	hvm_ops.get_ctrl(v, &g.cr0, &g.cr3, &g.cr4, &g.efer);
	if (hvm_ops.guest_mode(v) != HVM_MODE_LONG64)
		lin &= 0xffffffffull;
	while (got < 15) {
		unsigned int n = 4096 - ((lin + got) & 4095);
		int ret = gwalk_translate(&g, lin + got, acc, &gpa, pf_err);

		if (ret)
			return got ? (int)got : ret;
		if (n > 15 - got)
			n = 15 - got;
		if (domain_read(v->dom, gpa, buf + got, n))
			return got ? (int)got : -VMI_EFAULT;
		got += n;
	}
	return (int)got;
}

void hvm_emulate_mmio(struct vcpu *v, uint64_t gpa)
{
	static const unsigned int modes[] = {
		[HVM_MODE_REAL] = BT_MODE_16, [HVM_MODE_PROT16] = BT_MODE_16,
		[HVM_MODE_PROT32] = BT_MODE_32, [HVM_MODE_LONG64] = BT_MODE_64,
	};
	struct mmio_ctx c = { v, gpa };
	struct emu_mmio m = { &c, dev_read, dev_write, dev_push, dev_pop,
			      dev_mem, dev_pio };
	struct emu_regs r;
	struct bt_insn in;
	uint8_t buf[15];
	uint32_t pf_err = 0;
	int n, ret;

	n = fetch(v, buf, &pf_err);
	if (n < 0) {
		domain_crash(v->dom, "MMIO at %#lx: cannot fetch the instruction "
			     "at rip %#lx (%d)", gpa, v->regs.rip, n);
		return;
	}
	ret = bt_decode(buf, (size_t)n, modes[hvm_ops.guest_mode(v)] |
					       BT_MODE_AMD, &in);
	if (ret) {
		domain_crash(v->dom, "MMIO at %#lx: undecodable instruction at "
			     "rip %#lx (%d)", gpa, v->regs.rip, ret);
		return;
	}
	for (unsigned int i = 0; i < 16; i++)
		r.gpr[i] = *gpr(v, i);
	r.rflags = v->regs.rflags;
	ret = emu_mmio_insn(&in, &r, &m);
	if (ret < 0) {
		domain_crash(v->dom, "MMIO at %#lx: instruction %02x %02x %02x "
			     "%02x at rip %#lx %s", gpa, buf[0], buf[1], buf[2],
			     buf[3], v->regs.rip,
			     ret == -VMI_EFAULT ? "has an unusable memory operand"
						: "is not emulated");
		return;
	}
	/* EMU_FAULT: the elements before the fault are done; RIP stays on
	 * the instruction the guest's handler returns to. */
	for (unsigned int i = 0; i < 16; i++)
		*gpr(v, i) = r.gpr[i];
	v->regs.rflags = r.rflags;
	if (ret == 0)
		hvm_ops.skip_insn(v, in.len);
}
