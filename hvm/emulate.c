/*
 * The MMIO instruction emulator (see hvm/include/hvm/emulate.h).
 * Operand and flag semantics: Intel SDM vol. 2 for each instruction and
 * vol. 1, 3.4.3.1 for the status flags.
 */
#include <hvm/emulate.h>
#include <vmi/errno.h>

#define FL_CF (1u << 0)
#define FL_PF (1u << 2)
#define FL_AF (1u << 4)
#define FL_ZF (1u << 6)
#define FL_SF (1u << 7)
#define FL_OF (1u << 11)
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

static uint64_t mask_of(unsigned int size)
{
	return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

/* Register operand of @size; byte registers 4-7 are AH..BH without REX. */
static uint64_t reg_get(const struct bt_insn *in, const struct emu_regs *r,
			unsigned int reg, unsigned int size)
{
	if (size == 1 && !in->rex && reg >= 4 && reg < 8)
		return (r->gpr[reg - 4] >> 8) & 0xff;
	return r->gpr[reg & 15] & mask_of(size);
}

static void reg_set(const struct bt_insn *in, struct emu_regs *r,
		    unsigned int reg, unsigned int size, uint64_t v)
{
	uint64_t *p;

	if (size == 1 && !in->rex && reg >= 4 && reg < 8) {
		p = &r->gpr[reg - 4];
		*p = (*p & ~0xff00ull) | ((v & 0xff) << 8);
		return;
	}
	p = &r->gpr[reg & 15];
	if (size == 4)
		*p = v & 0xffffffffull; /* 32-bit writes zero-extend */
	else if (size == 8)
		*p = v;
	else
		*p = (*p & ~mask_of(size)) | (v & mask_of(size));
}

static int64_t sext(uint64_t v, unsigned int size)
{
	unsigned int sh = 64 - size * 8;

	return size >= 8 ? (int64_t)v : (int64_t)(v << sh) >> sh;
}

static unsigned int parity(uint64_t v)
{
	return !__builtin_parity((unsigned int)(v & 0xff)) ? FL_PF : 0;
}

enum alu_op { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR,
	      ALU_CMP, ALU_TEST };

/* Compute dst OP src, set the flags, return the result. */
static uint64_t alu(enum alu_op op, uint64_t a, uint64_t b, unsigned int size,
		    uint64_t *rflags)
{
	uint64_t m = mask_of(size), sign = 1ull << (size * 8 - 1), res;
	uint64_t carry_in = (*rflags & FL_CF) ? 1 : 0;
	unsigned int fl = 0;

	a &= m;
	b &= m;
	switch (op) {
	case ALU_ADD:
	case ALU_ADC: {
		uint64_t c = op == ALU_ADC ? carry_in : 0;

		res = (a + b + c) & m;
		if (res < a || (c && res == a))
			fl |= FL_CF;
		if (~(a ^ b) & (a ^ res) & sign)
			fl |= FL_OF;
		fl |= (a ^ b ^ res) & 0x10 ? FL_AF : 0;
		break;
	}
	case ALU_SUB:
	case ALU_SBB:
	case ALU_CMP: {
		uint64_t c = op == ALU_SBB ? carry_in : 0;

		res = (a - b - c) & m;
		if (a < b + c || (c && b == m))
			fl |= FL_CF;
		if ((a ^ b) & (a ^ res) & sign)
			fl |= FL_OF;
		fl |= (a ^ b ^ res) & 0x10 ? FL_AF : 0;
		break;
	}
	case ALU_OR:
		res = a | b;
		break;
	case ALU_XOR:
		res = a ^ b;
		break;
	default: /* AND, TEST */
		res = a & b;
		break;
	}
	fl |= res == 0 ? FL_ZF : 0;
	fl |= (res & sign) ? FL_SF : 0;
	fl |= parity(res);
	*rflags = (*rflags & ~(uint64_t)FL_ARITH) | fl;
	return res;
}

static uint64_t mmio_read(const struct emu_mmio *m, unsigned int size)
{
	uint64_t v = 0;

	m->read(m->ctx, size, &v);
	return v & mask_of(size);
}

/* ADD..CMP r/m, reg / reg, r/m: opcode bits 5:3 pick the operation. */
static int alu_modrm(const struct bt_insn *in, struct emu_regs *r,
		     const struct emu_mmio *m)
{
	enum alu_op op = (enum alu_op)((in->opcode >> 3) & 7);
	unsigned int size = in->opsize;
	uint64_t memv = mmio_read(m, size), regv = reg_get(in, r, in->reg, size);
	bool to_reg = in->opcode & 2;
	uint64_t res;

	if (to_reg) {
		res = alu(op, regv, memv, size, &r->rflags);
		if (op != ALU_CMP)
			reg_set(in, r, in->reg, size, res);
	} else {
		res = alu(op, memv, regv, size, &r->rflags);
		if (op != ALU_CMP)
			m->write(m->ctx, size, res);
	}
	return 0;
}

static int push(const struct bt_insn *in, struct emu_regs *r,
		const struct emu_mmio *m)
{
	unsigned int size = in->opsize;
	uint64_t smask = in->mode == BT_MODE_64 ? ~0ull : 0xffffffffull;
	uint64_t rsp = (r->gpr[4] - size) & smask;
	int ret;

	if (!m->push)
		return -VMI_EFAULT;
	ret = m->push(m->ctx, rsp, size, mmio_read(m, size));
	if (ret)
		return ret == EMU_FAULT ? ret : -VMI_EFAULT;
	r->gpr[4] = (r->gpr[4] & ~smask) | rsp;
	return 0;
}

static int pop(const struct bt_insn *in, struct emu_regs *r,
	       const struct emu_mmio *m)
{
	unsigned int size = in->opsize;
	uint64_t smask = in->mode == BT_MODE_64 ? ~0ull : 0xffffffffull;
	uint64_t rsp = r->gpr[4] & smask, v = 0;
	int ret;

	if (!m->pop)
		return -VMI_EFAULT;
	ret = m->pop(m->ctx, rsp, size, &v);
	if (ret)
		return ret == EMU_FAULT ? ret : -VMI_EFAULT;
	m->write(m->ctx, size, v & mask_of(size));
	r->gpr[4] = (r->gpr[4] & ~smask) | ((rsp + size) & smask);
	return 0;
}

/* rSI/rDI/rCX as the address size sees them; updates keep the bits above. */
static uint64_t areg(const struct bt_insn *in, const struct emu_regs *r,
		     unsigned int n)
{
	return r->gpr[n] & mask_of(in->addrsize);
}

static void areg_add(const struct bt_insn *in, struct emu_regs *r,
		     unsigned int n, int64_t delta)
{
	uint64_t m = mask_of(in->addrsize);

	r->gpr[n] = (r->gpr[n] & ~m) | ((r->gpr[n] + (uint64_t)delta) & m);
}

/*
 * MOVS, STOS, LODS, INS, OUTS (SDM vol. 2: "MOVS/MOVSB...", "INS/INSB...",
 * "OUTS/OUTSB...", "REP/REPE..."): the memory source is seg:rSI (DS unless
 * overridden), the memory destination ES:rDI, both stepped by the element
 * size, backwards when RFLAGS.DF is set; the port is DX.  With REP rCX
 * counts the elements; a count of zero does nothing.  A fault on an
 * element (EMU_FAULT from m->mem) stops the instruction there with the
 * registers of the elements done, as the CPU leaves them; INS checks its
 * destination before it reads the port, so the read is not lost.
 */
static int string_insn(const struct bt_insn *in, struct emu_regs *r,
		       const struct emu_mmio *m)
{
	enum { RAX = 0, RCX = 1, RSI = 6, RDI = 7 };
	enum { RDX = 2 };
	unsigned int op = in->opcode & ~1u, n;
	bool port_io = op == 0x6c || op == 0x6e;
	/* INS/OUTS move at most a dword, whatever REX.W says. */
	unsigned int size = port_io && in->opsize > 4 ? 4 : in->opsize;
	int64_t step = (r->rflags & (1u << 10)) ? -(int64_t)size : size;
	bool rep = in->flags & BT_F_REP;
	uint16_t port = (uint16_t)r->gpr[RDX];
	uint64_t v;
	uint32_t pv;
	int ret;

	if (in->map != BT_MAP_1BYTE || !m->mem || (port_io && !m->pio) ||
	    (op != 0xa4 && op != 0xaa && op != 0xac && !port_io))
		return -VMI_EOPNOTSUPP;
	for (n = 0; n < EMU_STRING_BATCH; n++) {
		if (rep && !areg(in, r, RCX))
			return 0;
		if (op == 0xaa) {
			v = r->gpr[RAX] & mask_of(size);
		} else if (op == 0x6c) {
			ret = m->mem(m->ctx, BT_SEG_ES, areg(in, r, RDI), size,
				     true, NULL);
			if (ret)
				return ret;
			pv = 0;
			m->pio(m->ctx, port, size, true, &pv);
			v = pv & mask_of(size);
		} else {
			ret = m->mem(m->ctx, in->mem.seg, areg(in, r, RSI),
				     size, false, &v);
			if (ret)
				return ret;
		}
		if (op == 0xac) {
			reg_set(in, r, RAX, size, v);
		} else if (op == 0x6e) {
			pv = (uint32_t)(v & mask_of(size));
			m->pio(m->ctx, port, size, false, &pv);
		} else {
			ret = m->mem(m->ctx, BT_SEG_ES, areg(in, r, RDI), size,
				     true, &v);
			if (ret)
				return ret;
		}
		if (op != 0xaa && op != 0x6c)
			areg_add(in, r, RSI, step);
		if (op != 0xac && op != 0x6e)
			areg_add(in, r, RDI, step);
		if (!rep)
			return 0;
		areg_add(in, r, RCX, -1);
	}
	return areg(in, r, RCX) ? EMU_REPEAT : 0;
}

int emu_mmio_insn(const struct bt_insn *in, struct emu_regs *r,
		  const struct emu_mmio *m)
{
	unsigned int size = in->opsize;
	uint64_t v;

	if (in->enc != BT_ENC_LEGACY)
		return -VMI_EOPNOTSUPP;
	if (in->flags & BT_F_STRING)
		return string_insn(in, r, m);
	if (!(in->flags & BT_F_MEM))
		return -VMI_EOPNOTSUPP;

	if (in->map == BT_MAP_1BYTE) {
		switch (in->opcode) {
		case 0x88:
		case 0x89: /* mov r/m, reg */
			m->write(m->ctx, size, reg_get(in, r, in->reg, size));
			return 0;
		case 0x8a:
		case 0x8b: /* mov reg, r/m */
			reg_set(in, r, in->reg, size, mmio_read(m, size));
			return 0;
		case 0xa0:
		case 0xa1: /* mov rAX, moffs */
			reg_set(in, r, 0, size, mmio_read(m, size));
			return 0;
		case 0xa2:
		case 0xa3: /* mov moffs, rAX */
			m->write(m->ctx, size, reg_get(in, r, 0, size));
			return 0;
		case 0xc6:
		case 0xc7: /* mov r/m, imm */
			m->write(m->ctx, size, (uint64_t)in->imm & mask_of(size));
			return 0;
		case 0x86:
		case 0x87: /* xchg r/m, reg: a locked read-modify-write */
			v = mmio_read(m, size);
			m->write(m->ctx, size, reg_get(in, r, in->reg, size));
			reg_set(in, r, in->reg, size, v);
			return 0;
		case 0x84:
		case 0x85: /* test r/m, reg */
			alu(ALU_TEST, mmio_read(m, size),
			    reg_get(in, r, in->reg, size), size, &r->rflags);
			return 0;
		case 0x80:
		case 0x81:
		case 0x83: { /* group 1: op r/m, imm */
			enum alu_op op = (enum alu_op)(in->modrm >> 3 & 7);
			uint64_t res = alu(op, mmio_read(m, size),
					   (uint64_t)in->imm, size, &r->rflags);

			if (op != ALU_CMP)
				m->write(m->ctx, size, res);
			return 0;
		}
		case 0xfe:
		case 0xff: { /* groups 4/5 /0 /1: inc, dec; CF is kept */
			unsigned int sub = in->modrm >> 3 & 7;
			uint64_t cf = r->rflags & FL_CF, res;

			if (in->opcode == 0xff && sub == 6) /* push r/m */
				return push(in, r, m);
			if (sub > 1)
				return -VMI_EOPNOTSUPP;
			res = alu(sub ? ALU_SUB : ALU_ADD, mmio_read(m, size), 1,
				  size, &r->rflags);
			r->rflags = (r->rflags & ~(uint64_t)FL_CF) | cf;
			m->write(m->ctx, size, res);
			return 0;
		}
		case 0x8f: /* pop r/m */
			if (in->modrm >> 3 & 7)
				return -VMI_EOPNOTSUPP;
			return pop(in, r, m);
		case 0xf6:
		case 0xf7: /* group 3 /0 /1: test r/m, imm */
			if ((in->modrm >> 3 & 7) > 1)
				return -VMI_EOPNOTSUPP;
			alu(ALU_TEST, mmio_read(m, size), (uint64_t)in->imm, size,
			    &r->rflags);
			return 0;
		default:
			if (in->opcode < 0x40 && (in->opcode & 7) < 4)
				return alu_modrm(in, r, m);
			return -VMI_EOPNOTSUPP;
		}
	}
	if (in->map == BT_MAP_0F) {
		switch (in->opcode) {
		case 0xb6:
		case 0xb7: /* movzx */
			v = mmio_read(m, in->opcode == 0xb6 ? 1 : 2);
			reg_set(in, r, in->reg, size, v);
			return 0;
		case 0xbe:
		case 0xbf: /* movsx */
			v = mmio_read(m, in->opcode == 0xbe ? 1 : 2);
			reg_set(in, r, in->reg, size,
				(uint64_t)sext(v, in->opcode == 0xbe ? 1 : 2));
			return 0;
		default:
			break;
		}
	}
	return -VMI_EOPNOTSUPP;
}
