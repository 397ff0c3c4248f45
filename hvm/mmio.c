/*
 * MMIO emulation for hv guests: fetch the instruction at CS:RIP through
 * the guest's own page tables (mm/gwalk.c), decode it with the shared x86
 * decoder (bt-fallback/) and let hvm/emulate.c perform it on the device
 * at the faulting guest-physical address.
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

/*
 * A string instruction's element, or a PUSH/POP stack slot, at
 * @seg:@off: through the guest's page tables to RAM or to a device.  Elements that cross a page are refused
 * (no device register does, and RAM-to-RAM never exits here).
 */
static int dev_mem(void *ctx, unsigned int seg, uint64_t off,
		   unsigned int size, bool write, uint64_t *val)
{
	struct mmio_ctx *c = ctx;
	struct vcpu *v = c->v;
	struct gwalk_ctx g = { .read_phys = read_phys, .arg = v->dom };
	uint64_t lin, gpa;
	uint32_t err;
	bool long64 = hvm_ops.guest_mode(v) == HVM_MODE_LONG64;

	/* 64-bit mode: only FS and GS have a base (SDM vol. 3, 3.4.4). */
	lin = off + (!long64 || seg >= BT_SEG_FS ? hvm_ops.seg_base(v, seg) : 0);
	if (!long64)
		lin &= 0xffffffffull;
	hvm_ops.get_ctrl(v, &g.cr0, &g.cr3, &g.cr4, &g.efer);
	if ((lin & 0xfff) + size > 4096 ||
	    gwalk_translate(&g, lin, write ? GWALK_WRITE : 0, &gpa, &err))
		return -VMI_EFAULT;
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

	hvm_ops.get_ctrl(v, &g.cr0, &g.cr3, &g.cr4, &g.efer);
	if (hvm_ops.guest_mode(v) != HVM_MODE_LONG64)
		lin &= 0xffffffffull;
	while (got < 15) {
		unsigned int n = 4096 - ((lin + got) & 4095);
		int ret = gwalk_translate(&g, lin + got, GWALK_FETCH, &gpa,
					  pf_err);

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
	for (unsigned int i = 0; i < 16; i++)
		*gpr(v, i) = r.gpr[i];
	v->regs.rflags = r.rflags;
	if (ret != EMU_REPEAT)
		hvm_ops.skip_insn(v, in.len);
}
