/*
 * hvm/emulate.c on instructions decoded by the real decoder, against a
 * fake MMIO register that records every access.
 */
#include "unit.h"
#include <hvm/emulate.h>
#include <vmi/errno.h>
#include <string.h>

struct dev {
	uint64_t value;
	unsigned int reads, writes, last_size;
};

static void dread(void *ctx, unsigned int size, uint64_t *val)
{
	struct dev *d = ctx;

	d->reads++;
	d->last_size = size;
	*val = d->value;
}

static void dwrite(void *ctx, unsigned int size, uint64_t val)
{
	struct dev *d = ctx;

	d->writes++;
	d->last_size = size;
	d->value = val;
}

static int run(const uint8_t *bytes, size_t n, unsigned int mode,
	       struct emu_regs *r, struct dev *d)
{
	struct emu_mmio m = { d, dread, dwrite, NULL, NULL, NULL, NULL };
	struct bt_insn in;
	int ret = bt_decode(bytes, n, mode, &in);

	CU_ASSERT_EQUAL_FATAL(ret, 0);
	CU_ASSERT_EQUAL(in.len, n);
	return emu_mmio_insn(&in, r, &m);
}

#define RUN(mode, r, d, ...)                                                 \
	({                                                                   \
		static const uint8_t b_[] = { __VA_ARGS__ };                 \
		run(b_, sizeof(b_), mode, r, d);                             \
	})

static void test_mov(void)
{
	struct emu_regs r = { 0 };
	struct dev d = { 0 };

	/* mov %eax, 0xb0(%rbx)  (89 83 b0 00 00 00) */
	r.gpr[0] = 0x1122334455667788ull;
	CU_ASSERT_EQUAL(RUN(BT_MODE_64, &r, &d, 0x89, 0x83, 0xb0, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(d.value, 0x55667788);
	CU_ASSERT_EQUAL(d.last_size, 4);
	/* mov 0x20(%rdx,%rcx,4), %r9d  (44 8b 4c 8a 20): zero-extends */
	r.gpr[9] = ~0ull;
	d.value = 0xdeadbeef;
	CU_ASSERT_EQUAL(RUN(BT_MODE_64, &r, &d, 0x44, 0x8b, 0x4c, 0x8a, 0x20),
			0);
	CU_ASSERT_EQUAL(r.gpr[9], 0xdeadbeefull);
	/* movb $0x5a, (%rdi) and mov %ah, (%rdi) */
	CU_ASSERT_EQUAL(RUN(BT_MODE_64, &r, &d, 0xc6, 0x07, 0x5a), 0);
	CU_ASSERT_EQUAL(d.value, 0x5a);
	CU_ASSERT_EQUAL(d.last_size, 1);
	r.gpr[0] = 0xab00;
	CU_ASSERT_EQUAL(RUN(BT_MODE_64, &r, &d, 0x88, 0x27), 0);
	CU_ASSERT_EQUAL(d.value, 0xab);
	/* 16-bit load keeps the upper bits: mov (%esi), %cx in 32-bit mode */
	r.gpr[1] = 0xffff0000;
	d.value = 0x1234;
	CU_ASSERT_EQUAL(RUN(BT_MODE_32, &r, &d, 0x66, 0x8b, 0x0e), 0);
	CU_ASSERT_EQUAL(r.gpr[1], 0xffff1234);
	/* mov 0xfee000b0, %eax as moffs in 32-bit mode */
	d.value = 7;
	CU_ASSERT_EQUAL(RUN(BT_MODE_32, &r, &d, 0xa1, 0xb0, 0, 0xe0, 0xfe), 0);
	CU_ASSERT_EQUAL(r.gpr[0], 7);
}

static void test_extend_xchg(void)
{
	struct emu_regs r = { 0 };
	struct dev d = { .value = 0x80 };

	/* movzbl (%rax), %edx ; movsbl (%rax), %edx */
	CU_ASSERT_EQUAL(RUN(BT_MODE_64, &r, &d, 0x0f, 0xb6, 0x10), 0);
	CU_ASSERT_EQUAL(r.gpr[2], 0x80);
	CU_ASSERT_EQUAL(d.last_size, 1);
	CU_ASSERT_EQUAL(RUN(BT_MODE_64, &r, &d, 0x0f, 0xbe, 0x10), 0);
	CU_ASSERT_EQUAL(r.gpr[2], 0xffffff80);
	/* xchg %ecx, (%rax) */
	r.gpr[1] = 0x42;
	d.value = 0x99;
	CU_ASSERT_EQUAL(RUN(BT_MODE_64, &r, &d, 0x87, 0x08), 0);
	CU_ASSERT_EQUAL(r.gpr[1], 0x99);
	CU_ASSERT_EQUAL(d.value, 0x42);
}

static void test_alu_flags(void)
{
	struct emu_regs r = { .rflags = 2 };
	struct dev d = { .value = 0x10 };

	/* orl $0x100, (%rax): 81 08 00 01 00 00 */
	CU_ASSERT_EQUAL(RUN(BT_MODE_64, &r, &d, 0x81, 0x08, 0, 1, 0, 0), 0);
	CU_ASSERT_EQUAL(d.value, 0x110);
	CU_ASSERT_EQUAL(d.reads, 1);
	CU_ASSERT_EQUAL(d.writes, 1);
	/* andl $~0x10, (%rax) with 83 /4 ib sign-extended */
	CU_ASSERT_EQUAL(RUN(BT_MODE_64, &r, &d, 0x83, 0x20, 0xef), 0);
	CU_ASSERT_EQUAL(d.value, 0x100);
	/* cmpl $0x100, (%rax): ZF set, no write */
	CU_ASSERT_EQUAL(RUN(BT_MODE_64, &r, &d, 0x81, 0x38, 0, 1, 0, 0), 0);
	CU_ASSERT(r.rflags & (1u << 6));
	CU_ASSERT_EQUAL(d.writes, 2);
	/* sub (%rax), %ecx with borrow: 0 - 0x100 sets CF and SF */
	r.gpr[1] = 0;
	CU_ASSERT_EQUAL(RUN(BT_MODE_64, &r, &d, 0x2b, 0x08), 0);
	CU_ASSERT_EQUAL(r.gpr[1], 0xffffff00);
	CU_ASSERT(r.rflags & 1);
	CU_ASSERT(r.rflags & (1u << 7));
	CU_ASSERT(!(r.rflags & (1u << 6)));
	/* testl $0x1000, (%rax): ZF */
	CU_ASSERT_EQUAL(RUN(BT_MODE_64, &r, &d, 0xf7, 0x00, 0, 0x10, 0, 0), 0);
	CU_ASSERT(r.rflags & (1u << 6));
	/* add %edx, (%rax) signed overflow: 0x7fffffff + 1 */
	d.value = 0x7fffffff;
	r.gpr[2] = 1;
	CU_ASSERT_EQUAL(RUN(BT_MODE_64, &r, &d, 0x01, 0x10), 0);
	CU_ASSERT_EQUAL(d.value, 0x80000000);
	CU_ASSERT(r.rflags & (1u << 11));
	CU_ASSERT(!(r.rflags & 1));
}

static void test_refused(void)
{
	struct emu_regs r = { 0 };
	struct dev d = { 0 };

	/* incl (%rbx) keeps CF; decb (%rbx) to zero sets ZF */
	r.rflags = 1;
	d.value = 41;
	CU_ASSERT_EQUAL(RUN(BT_MODE_64, &r, &d, 0xff, 0x03), 0);
	CU_ASSERT_EQUAL(d.value, 42);
	CU_ASSERT(r.rflags & 1);
	d.value = 1;
	CU_ASSERT_EQUAL(RUN(BT_MODE_64, &r, &d, 0xfe, 0x0b), 0);
	CU_ASSERT_EQUAL(d.value, 0);
	CU_ASSERT(r.rflags & (1u << 6));
	d.reads = d.writes = 0;
	/* rep movsl without a memory callback, a register-only op, and
	 * push (%rax) are not emulated */
	CU_ASSERT_EQUAL(RUN(BT_MODE_64, &r, &d, 0xf3, 0xa5), -VMI_EOPNOTSUPP);
	CU_ASSERT_EQUAL(RUN(BT_MODE_64, &r, &d, 0x89, 0xc3), -VMI_EOPNOTSUPP);
	CU_ASSERT_EQUAL(d.reads + d.writes, 0);
	/* push (%rax) needs a stack callback: without one it fails cleanly */
	CU_ASSERT_EQUAL(RUN(BT_MODE_64, &r, &d, 0xff, 0x30), -VMI_EFAULT);
	CU_ASSERT_EQUAL(r.gpr[4], 0);
}

/*
 * String instructions: a flat 256-byte "memory" where offsets 0x80-0x8f
 * are a device register file; every access is logged by segment.
 */
struct flat {
	uint8_t ram[256];
	unsigned int accesses, es_writes, bad_seg;
	bool guard; /* 0xc0-0xff fault (EMU_FAULT), as a supervisor page */
	unsigned int faults;
};

static int fmem(void *ctx, unsigned int seg, uint64_t off, unsigned int size,
		bool write, uint64_t *val)
{
	struct flat *f = ctx;

	if (off + size > sizeof(f->ram))
		return -VMI_EFAULT;
	if (f->guard && off + size > 0xc0) {
		f->faults++;
		return EMU_FAULT;
	}
	if (!val)
		return 0; /* a check only */
	f->accesses++;
	if (write && seg == BT_SEG_ES)
		f->es_writes++;
	if (seg != BT_SEG_ES && seg != BT_SEG_DS && seg != BT_SEG_FS)
		f->bad_seg++;
	if (write)
		memcpy(f->ram + off, val, size);
	else {
		*val = 0;
		memcpy(val, f->ram + off, size);
	}
	return 0;
}

/* A port file: reads return 0x40 + port's low byte + a count; writes are
 * logged. */
static unsigned int pio_reads, pio_writes;
static uint32_t pio_last;
static uint16_t pio_port;

static void fpio(void *ctx, uint16_t port, unsigned int size, bool in,
		 uint32_t *val)
{
	(void)ctx;
	(void)size;
	pio_port = port;
	if (in)
		*val = 0x40u + (port & 0xff) + pio_reads++;
	else {
		pio_writes++;
		pio_last = *val;
	}
}

static int run_str(const uint8_t *bytes, size_t n, unsigned int mode,
		   struct emu_regs *r, struct flat *f)
{
	struct emu_mmio m = { f, NULL, NULL, NULL, NULL, fmem, fpio };
	struct bt_insn in;

	CU_ASSERT_EQUAL_FATAL(bt_decode(bytes, n, mode, &in), 0);
	return emu_mmio_insn(&in, r, &m);
}

#define STR(mode, r, f, ...)                                                 \
	({                                                                   \
		static const uint8_t b_[] = { __VA_ARGS__ };                 \
		run_str(b_, sizeof(b_), mode, r, f);                         \
	})

static void test_string(void)
{
	struct emu_regs r = { 0 };
	struct flat f = { 0 };
	uint32_t w;

	/* movsl: (%rsi) -> (%rdi), both advance by 4 */
	memcpy(f.ram, "\x11\x22\x33\x44", 4);
	r.gpr[6] = 0;
	r.gpr[7] = 0x80;
	CU_ASSERT_EQUAL(STR(BT_MODE_64, &r, &f, 0xa5), 0);
	CU_ASSERT_EQUAL(memcmp(f.ram + 0x80, "\x11\x22\x33\x44", 4), 0);
	CU_ASSERT_EQUAL(r.gpr[6], 4);
	CU_ASSERT_EQUAL(r.gpr[7], 0x84);
	/* rep stosl with ecx = 3 in 32-bit mode: 12 bytes, ecx ends 0 */
	r.gpr[0] = 0xa5a5a5a5;
	r.gpr[1] = 3;
	r.gpr[7] = 0x40;
	f.accesses = 0;
	CU_ASSERT_EQUAL(STR(BT_MODE_32, &r, &f, 0xf3, 0xab), 0);
	CU_ASSERT_EQUAL(f.accesses, 3);
	CU_ASSERT_EQUAL(r.gpr[1], 0);
	CU_ASSERT_EQUAL(r.gpr[7], 0x4c);
	memcpy(&w, f.ram + 0x48, 4);
	CU_ASSERT_EQUAL(w, 0xa5a5a5a5);
	/* rep with rcx = 0 touches nothing */
	f.accesses = 0;
	CU_ASSERT_EQUAL(STR(BT_MODE_64, &r, &f, 0xf3, 0xa4), 0);
	CU_ASSERT_EQUAL(f.accesses, 0);
	/* DF set: lodsw steps backwards, loads into ax only */
	r.rflags = 1u << 10;
	r.gpr[0] = 0xffffffffffff0000ull;
	r.gpr[6] = 0x80;
	CU_ASSERT_EQUAL(STR(BT_MODE_64, &r, &f, 0x66, 0xad), 0);
	CU_ASSERT_EQUAL(r.gpr[0], 0xffffffffffff2211ull);
	CU_ASSERT_EQUAL(r.gpr[6], 0x7e);
	r.rflags = 0;
	/* fs-overridden movsb reads through FS, writes through ES */
	f.accesses = f.es_writes = 0;
	r.gpr[6] = 1;
	r.gpr[7] = 0x90;
	CU_ASSERT_EQUAL(STR(BT_MODE_64, &r, &f, 0x64, 0xa4), 0);
	CU_ASSERT_EQUAL(f.ram[0x90], 0x22);
	CU_ASSERT_EQUAL(f.es_writes, 1);
	CU_ASSERT_EQUAL(f.bad_seg, 0);
	/* a long rep stops after a batch and asks to be re-executed */
	r.gpr[1] = EMU_STRING_BATCH + 5;
	r.gpr[7] = 0;
	CU_ASSERT_EQUAL(STR(BT_MODE_64, &r, &f, 0xf3, 0xaa), EMU_REPEAT);
	CU_ASSERT_EQUAL(r.gpr[1], 5);
	CU_ASSERT_EQUAL(STR(BT_MODE_64, &r, &f, 0xf3, 0xaa), 0);
	CU_ASSERT_EQUAL(r.gpr[1], 0);
	CU_ASSERT_EQUAL(r.gpr[7], EMU_STRING_BATCH + 5);
	/* 16-bit addressing wraps di within 64 KiB, keeping the bits above */
	r.gpr[7] = 0x1234ffffull;
	CU_ASSERT_EQUAL(STR(BT_MODE_32, &r, &f, 0x67, 0xaa), -VMI_EFAULT);
	r.gpr[7] = 0x12340000ull | 0xff;
	CU_ASSERT_EQUAL(STR(BT_MODE_32, &r, &f, 0x67, 0xaa), 0);
	CU_ASSERT_EQUAL(r.gpr[7], 0x12340100ull);
	/* an unusable address fails with nothing changed */
	r.gpr[6] = 0x1000;
	r.gpr[7] = 0;
	CU_ASSERT_EQUAL(STR(BT_MODE_64, &r, &f, 0xa5), -VMI_EFAULT);
	CU_ASSERT_EQUAL(r.gpr[6], 0x1000);
	/* rep insb from port 0x10 into (%edi): 3 bytes, rdi += 3, rsi kept */
	pio_reads = pio_writes = 0;
	r.gpr[2] = 0x10;
	r.gpr[1] = 3;
	r.gpr[6] = 0x55;
	r.gpr[7] = 0x20;
	CU_ASSERT_EQUAL(STR(BT_MODE_32, &r, &f, 0xf3, 0x6c), 0);
	CU_ASSERT_EQUAL(memcmp(f.ram + 0x20, "\x50\x51\x52", 3), 0);
	CU_ASSERT_EQUAL(r.gpr[7], 0x23);
	CU_ASSERT_EQUAL(r.gpr[6], 0x55);
	CU_ASSERT_EQUAL(r.gpr[1], 0);
	/* outsw from (%esi) to port 0x3f8: one word, rsi += 2 */
	memcpy(f.ram + 0x30, "\x34\x12", 2);
	r.gpr[2] = 0x3f8;
	r.gpr[6] = 0x30;
	CU_ASSERT_EQUAL(STR(BT_MODE_32, &r, &f, 0x66, 0x6f), 0);
	CU_ASSERT_EQUAL(pio_writes, 1);
	CU_ASSERT_EQUAL(pio_last, 0x1234);
	CU_ASSERT_EQUAL(pio_port, 0x3f8);
	CU_ASSERT_EQUAL(r.gpr[6], 0x32);
	/* cmps and scas compare: not emulated */
	CU_ASSERT_EQUAL(STR(BT_MODE_64, &r, &f, 0xa6), -VMI_EOPNOTSUPP);
	CU_ASSERT_EQUAL(STR(BT_MODE_64, &r, &f, 0xae), -VMI_EOPNOTSUPP);
}

/*
 * A fault on an element (EMU_FAULT) stops a REP string instruction there:
 * the elements before it done and counted in rCX/rSI/rDI, no port read
 * lost to the faulting INS element, the fault passed up.
 */
static void test_string_fault(void)
{
	struct emu_regs r = { 0 };
	struct flat f = { 0 };

	f.guard = true;
	/* rep insb, 8 bytes from 0xbc: 4 land, the 5th faults before the
	 * port is read */
	pio_reads = 0;
	r.gpr[2] = 0x10;
	r.gpr[1] = 8;
	r.gpr[7] = 0xbc;
	CU_ASSERT_EQUAL(STR(BT_MODE_32, &r, &f, 0xf3, 0x6c), EMU_FAULT);
	CU_ASSERT_EQUAL(pio_reads, 4);
	CU_ASSERT_EQUAL(r.gpr[7], 0xc0);
	CU_ASSERT_EQUAL(r.gpr[1], 4);
	CU_ASSERT_EQUAL(memcmp(f.ram + 0xbc, "\x50\x51\x52\x53", 4), 0);
	CU_ASSERT_EQUAL(f.faults, 1);
	/* rep outsb from 0xbe: 2 out, then the read faults */
	pio_writes = 0;
	r.gpr[1] = 4;
	r.gpr[6] = 0xbe;
	CU_ASSERT_EQUAL(STR(BT_MODE_32, &r, &f, 0xf3, 0x6e), EMU_FAULT);
	CU_ASSERT_EQUAL(pio_writes, 2);
	CU_ASSERT_EQUAL(r.gpr[6], 0xc0);
	CU_ASSERT_EQUAL(r.gpr[1], 2);
	/* a single movsb into the guard: nothing moves */
	r.gpr[6] = 0;
	r.gpr[7] = 0xc8;
	CU_ASSERT_EQUAL(STR(BT_MODE_64, &r, &f, 0xa4), EMU_FAULT);
	CU_ASSERT_EQUAL(r.gpr[6], 0);
	CU_ASSERT_EQUAL(r.gpr[7], 0xc8);
}

void unit_register(void)
{
	CU_pSuite s = CU_add_suite("emulate", NULL, NULL);

	CU_add_test(s, "mov forms and sizes", test_mov);
	CU_add_test(s, "movzx, movsx, xchg", test_extend_xchg);
	CU_add_test(s, "ALU to memory and flags", test_alu_flags);
	CU_add_test(s, "unsupported forms are refused", test_refused);
	CU_add_test(s, "movs, stos, lods, ins, outs with rep and DF",
		    test_string);
	CU_add_test(s, "a fault stops a string instruction precisely",
		    test_string_fault);
}

UNIT_MAIN
