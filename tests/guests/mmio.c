/*
 * mmio - the instruction forms an MMIO emulator must decode, against the
 * LAPIC (xAPIC page) and the IOAPIC.
 *
 * Under a hypervisor with nested paging every access here traps and the
 * hypervisor has to decode the instruction to find the operand size, the
 * register or immediate, the direction and the addressing mode.  Each
 * form writes a value that a different form reads back:
 *
 *  - 32-bit mov to/from ModRM+SIB with disp8 and disp32, SIB without base
 *    (index*scale+disp32), an absolute disp32 (ModRM and the A1/A3 moffs
 *    opcodes), mov of an immediate, a %gs override with a segment base of
 *    the LAPIC page, and 16-bit addressing (0x67 prefix, %gs:(%bx));
 *  - read-modify-write: or/and/add/sub/xor with immediates and registers,
 *    inc/dec, xchg; cmp and test (read only); push from and pop to memory;
 *    movs with and without rep (dword and byte), and rep stos;
 *  - 8- and 16-bit forms (mov, mov immediate, movzx, movsx, or/and, xchg)
 *    on the IOAPIC's IOREGSEL, whose index byte is a real 8-bit register.
 *
 * Only architecturally safe registers are touched: the LAPIC TPR (0x80,
 * bits 7:0 read/write; restored to 0), the LAPIC timer initial count with
 * the timer masked, the LAPIC ID (read only), IOREGSEL, and IOWIN on the
 * IOAPIC's last redirection entry with its mask bit always set (restored
 * at the end).  The LAPIC is only accessed with aligned 32-bit operations
 * (SDM vol. 3A, 10.4.1); 64-bit forms need long mode and are not covered.
 * String instructions move one element: every register here is followed
 * by undecoded space (Bochs even stops on a write to IOAPIC+4), so a
 * multi-element rep into these devices is not architecturally safe.
 */
#include "guest.h"

GUEST_TEST("mmio");

/* This test needs the xAPIC MMIO page: ask the library not to enable
 * x2APIC. */
const enum lapic_mode guest_lapic_pref = LAPIC_XAPIC;

#define XAPIC_DEFAULT 0xfee00000u
#define TPR_ABS 0xfee00080u /* absolute forms need the default base */

static uint32_t lb; /* LAPIC base */
static uint32_t iob; /* IOAPIC base */
static unsigned int forms;

static uint32_t tpr(void)
{
	return mmio_read32(lb + LAPIC_TPR) & 0xff;
}

static void set_tpr(uint32_t v)
{
	mmio_write32(lb + LAPIC_TPR, v);
}

static void expect_tpr(uint32_t want, const char *form)
{
	uint32_t got = tpr();

	CHECK(got == want, "%s: TPR reads %#x, expected %#x", form, got, want);
	forms++;
}

static void expect_val(uint32_t got, uint32_t want, const char *form)
{
	CHECK(got == want, "%s: read %#x, expected %#x", form, got, want);
	forms++;
}

/* ---- 32-bit writes and reads of the TPR --------------------------- */

static void lapic_mov_forms(void)
{
	uint32_t v, idx;

	asm volatile("movl %0, 0x40(%1,%2,4)"
		     : : "r"(0x11u), "r"(lb), "r"(0x10u) : "memory");
	expect_tpr(0x11, "mov r32 -> [base+index*4+disp8]");

	asm volatile("movl %0, 0x10060(%1,%2,1)"
		     : : "r"(0x22u), "r"(lb - 0x10000), "r"(0x20u) : "memory");
	expect_tpr(0x22, "mov r32 -> [base+index+disp32]");

	idx = (lb + LAPIC_TPR - 0x100) / 8;
	asm volatile("movl %0, 0x100(,%1,8)"
		     : : "r"(0x33u), "r"(idx) : "memory");
	expect_tpr(0x33, "mov r32 -> [index*8+disp32] (SIB, no base)");

	asm volatile("movl $0x44, 0x7f(%0)" : : "r"(lb + 1) : "memory");
	expect_tpr(0x44, "mov imm32 -> [base+disp8]");

	asm volatile("movl %%esi, 0x80(%%edi)" : : "S"(0x55u), "D"(lb)
		     : "memory");
	expect_tpr(0x55, "mov esi -> [edi+disp32]");

	set_tpr(0x66);
	asm volatile("movl 0x40(%1,%2,4), %0"
		     : "=r"(v) : "r"(lb), "r"(0x10u) : "memory");
	expect_val(v & 0xff, 0x66, "mov [base+index*4+disp8] -> r32");

	set_tpr(0x77);
	asm volatile("movl 0x10060(%1,%2,1), %0"
		     : "=r"(v) : "r"(lb - 0x10000), "r"(0x20u) : "memory");
	expect_val(v & 0xff, 0x77, "mov [base+index+disp32] -> r32");

	set_tpr(0x88);
	asm volatile("movl 0x100(,%1,8), %0"
		     : "=r"(v) : "r"(idx) : "memory");
	expect_val(v & 0xff, 0x88, "mov [index*8+disp32] -> r32");

	/* %ebp base: ModRM mod=01 with rm=101 means [ebp+disp8]. */
	set_tpr(0x99);
	asm volatile("pushl %%ebp\n\t"
		     "movl %1, %%ebp\n\t"
		     "movl 0x7c(%%ebp), %0\n\t"
		     "popl %%ebp"
		     : "=r"(v) : "r"(lb + 4) : "memory");
	expect_val(v & 0xff, 0x99, "mov [ebp+disp8] -> r32");

	/* %esp as base needs a SIB byte; point esp at the page briefly
	 * with interrupts off (nothing is pushed meanwhile). */
	set_tpr(0xaa);
	cli();
	asm volatile("movl %%esp, %%edx\n\t"
		     "movl %1, %%esp\n\t"
		     "movl 0x80(%%esp), %0\n\t"
		     "movl %%edx, %%esp"
		     : "=&a"(v) : "r"(lb) : "edx", "memory");
	sti();
	expect_val(v & 0xff, 0xaa, "mov [esp+disp32] -> r32");
}

static void lapic_absolute_forms(void)
{
	uint32_t v;

	if (lb != XAPIC_DEFAULT) {
		printf("mmio: LAPIC base %#x is not the default: absolute "
		       "forms skipped\n",
		       lb);
		return;
	}
	asm volatile("movl %%eax, 0xfee00080" : : "a"(0x12u) : "memory");
	expect_tpr(0x12, "mov eax -> moffs32 (A3)");
	asm volatile("movl %%ecx, 0xfee00080" : : "c"(0x23u) : "memory");
	expect_tpr(0x23, "mov ecx -> [disp32] (89 /r)");
	set_tpr(0x34);
	asm volatile("movl 0xfee00080, %%eax" : "=a"(v) : : "memory");
	expect_val(v & 0xff, 0x34, "mov moffs32 -> eax (A1)");
	set_tpr(0x45);
	asm volatile("movl 0xfee00080, %%edx" : "=d"(v) : : "memory");
	expect_val(v & 0xff, 0x45, "mov [disp32] -> edx (8B /r)");
	asm volatile("movl $0x56, 0xfee00080" : : : "memory");
	expect_tpr(0x56, "mov imm32 -> [disp32]");
}

static void lapic_segment_forms(void)
{
	uint32_t v;

	gdt_set_data_segment(SEL_SPARE0, lb, 4096);
	asm volatile("movw %w1, %%gs\n\t"
		     "movl %0, %%gs:0x80\n\t"
		     "movw %w2, %%gs"
		     : : "r"(0x67u), "r"(SEL_SPARE0), "r"(SEL_DATA32)
		     : "memory");
	expect_tpr(0x67, "mov r32 -> gs:disp32 (segment base = LAPIC)");
	set_tpr(0x78);
	asm volatile("movw %w1, %%gs\n\t"
		     "movl %%gs:0x80, %0\n\t"
		     "movw %w2, %%gs"
		     : "=r"(v) : "r"(SEL_SPARE0), "r"(SEL_DATA32) : "memory");
	expect_val(v & 0xff, 0x78, "mov gs:disp32 -> r32");
	/* 16-bit addressing in 32-bit code: 0x67 prefix, [bx] then
	 * [bx+si+disp8]. */
	asm volatile("movw %w1, %%gs\n\t"
		     "movl %0, %%gs:(%%bx)\n\t"
		     "movw %w2, %%gs"
		     : : "a"(0x89u), "r"(SEL_SPARE0), "r"(SEL_DATA32),
		       "b"(0x80u)
		     : "memory");
	expect_tpr(0x89, "addr16 mov eax -> gs:[bx]");
	set_tpr(0x9a);
	asm volatile("movw %w1, %%gs\n\t"
		     "movl %%gs:0x10(%%bx,%%si), %0\n\t"
		     "movw %w2, %%gs"
		     : "=a"(v) : "r"(SEL_SPARE0), "r"(SEL_DATA32), "b"(0x60u),
		       "S"(0x10u)
		     : "memory");
	expect_val(v & 0xff, 0x9a, "addr16 mov gs:[bx+si+disp8] -> eax");
	gdt_set_data_segment(SEL_SPARE0, 0, 0);
}

static void lapic_rmw_forms(void)
{
	uint32_t v, old;
	uint8_t eq;
	uint32_t t = lb + LAPIC_TPR;

	set_tpr(0x30);
	asm volatile("orl $0x0c, (%0)" : : "r"(t) : "memory");
	expect_tpr(0x3c, "or imm8 -> [mem]");
	asm volatile("andl $0xf3, (%0)" : : "r"(t) : "memory");
	expect_tpr(0x30, "and imm8 -> [mem] (sign-extended 0xf3)");
	asm volatile("andl $0x000000f0, 0x40(%0,%1,4)"
		     : : "r"(lb), "r"(0x10u) : "memory");
	expect_tpr(0x30, "and imm32 -> [sib]");
	asm volatile("orl %0, (%1)" : : "r"(0x41u), "r"(t) : "memory");
	expect_tpr(0x71, "or r32 -> [mem]");
	asm volatile("andl %0, (%1)" : : "r"(0x0fu), "r"(t) : "memory");
	expect_tpr(0x01, "and r32 -> [mem]");
	asm volatile("addl $0x20, (%0)" : : "r"(t) : "memory");
	expect_tpr(0x21, "add imm8 -> [mem]");
	asm volatile("subl %0, (%1)" : : "r"(0x10u), "r"(t) : "memory");
	expect_tpr(0x11, "sub r32 -> [mem]");
	asm volatile("xorl $0xff, (%0)" : : "r"(t) : "memory");
	expect_tpr(0xee, "xor imm32 -> [mem]");
	asm volatile("incl (%0)" : : "r"(t) : "memory");
	expect_tpr(0xef, "inc [mem]");
	asm volatile("decl 0x80(%0)" : : "r"(lb) : "memory");
	expect_tpr(0xee, "dec [mem+disp32]");

	old = 0x5c;
	asm volatile("xchgl %0, (%1)" : "+r"(old) : "r"(t) : "memory");
	expect_val(old & 0xff, 0xee, "xchg [mem], r32 (old value)");
	expect_tpr(0x5c, "xchg [mem], r32 (new value)");

	asm volatile("cmpl $0x5c, (%1)\n\tsete %0"
		     : "=q"(eq) : "r"(t) : "memory", "cc");
	expect_val(eq, 1, "cmp imm8, [mem] (equal)");
	asm volatile("cmpl %2, (%1)\n\tsete %0"
		     : "=q"(eq) : "r"(t), "r"(0x5du) : "memory", "cc");
	expect_val(eq, 0, "cmp r32, [mem] (not equal)");
	asm volatile("testl $0x40, (%1)\n\tsetnz %0"
		     : "=q"(eq) : "r"(t) : "memory", "cc");
	expect_val(eq, 1, "test imm32, [mem]");

	set_tpr(0x6d);
	asm volatile("pushl (%1)\n\tpopl %0" : "=r"(v) : "r"(t) : "memory");
	expect_val(v & 0xff, 0x6d, "push [mem]");
	asm volatile("pushl %0\n\tpopl (%1)" : : "r"(0x7eu), "r"(t)
		     : "memory");
	expect_tpr(0x7e, "pop [mem]");
}

static void lapic_string_forms(void)
{
	uint32_t src = 0x4b, dst = 0, n;
	const void *s;
	void *d;

	s = &src;
	d = (void *)(lb + LAPIC_TPR);
	asm volatile("movsl" : "+S"(s), "+D"(d) : : "memory");
	expect_tpr(0x4b, "movsd RAM -> MMIO");
	set_tpr(0x5b);
	s = (const void *)(lb + LAPIC_TPR);
	d = &dst;
	asm volatile("movsl" : "+S"(s), "+D"(d) : : "memory");
	expect_val(dst & 0xff, 0x5b, "movsd MMIO -> RAM");
	CHECK((uint32_t)s == lb + LAPIC_TPR + 4 && d == &dst + 1,
	      "movsd did not advance esi/edi by 4");

	/* The timer's initial count, with the timer masked. */
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	d = (void *)(lb + LAPIC_TIMER_INIT);
	n = 1;
	asm volatile("rep stosl"
		     : "+D"(d), "+c"(n) : "a"(0x7fffffffu) : "memory");
	CHECK(n == 0, "rep stosd left ecx = %u", n);
	s = (const void *)(lb + LAPIC_TIMER_INIT);
	d = &dst;
	n = 1;
	asm volatile("rep movsl" : "+S"(s), "+D"(d), "+c"(n) : : "memory");
	expect_val(dst, 0x7fffffffu, "rep stosd / rep movsd timer count");
	dst = lapic_read(LAPIC_TIMER_CUR);
	CHECK(dst > 0 && dst <= 0x7fffffffu,
	      "timer current count %#x after initial count 0x7fffffff", dst);
	asm volatile("movl $0, (%0)" : : "r"(lb + LAPIC_TIMER_INIT) : "memory");
	expect_val(lapic_read(LAPIC_TIMER_INIT), 0, "mov imm32 0 -> count");
}

/* ---- IOAPIC: 8/16-bit IOREGSEL, 32-bit IOWIN ----------------------- */

static uint8_t ioregsel8(void)
{
	return mmio_read8(iob + IOAPIC_IOREGSEL);
}

static void ioapic_forms(void)
{
	unsigned int pin = ioapic_pins() - 1;
	uint8_t lo_idx = (uint8_t)IOAPIC_REG_REDIR(pin);
	uint32_t save_lo = ioapic_read(lo_idx);
	uint32_t save_hi = ioapic_read(lo_idx + 1);
	uint32_t v, ver = ioapic_read(IOAPIC_REG_VER);
	uint32_t buf[2] = { lo_idx, 0 };
	uint8_t b;
	uint16_t w;
	int32_t sv;
	const void *s;
	void *d;
	uint32_t n;
	uint32_t flags = irq_save(); /* nothing else uses IOREGSEL meanwhile */

	printf("mmio: IOAPIC at %#x, %u pins, using pin %u (masked)\n", iob,
	       pin + 1, pin);

	/* 8-bit index, 32-bit data: the version register. */
	asm volatile("movb %0, (%1)" : : "q"((uint8_t)IOAPIC_REG_VER), "r"(iob)
		     : "memory");
	expect_val(mmio_read32(iob + IOAPIC_IOWIN), ver,
		   "mov r8 -> IOREGSEL, read version");
	asm volatile("movzbl (%1), %0" : "=r"(v) : "r"(iob) : "memory");
	expect_val(v, IOAPIC_REG_VER, "movzx r32, byte [IOREGSEL]");
	asm volatile("movb $0x10, 0x0(%0)" : : "r"(iob) : "memory");
	expect_val(ioregsel8(), 0x10, "mov imm8 -> [IOREGSEL]");
	asm volatile("movw %0, (%1)" : : "r"((uint16_t)lo_idx), "r"(iob)
		     : "memory");
	asm volatile("movzwl (%1), %0" : "=r"(v) : "r"(iob) : "memory");
	expect_val(v & 0xff, lo_idx, "mov r16 -> / movzx r32, word [IOREGSEL]");
	asm volatile("movw $0x11, (%0)" : : "r"(iob) : "memory");
	asm volatile("movw (%1), %0" : "=r"(w) : "r"(iob) : "memory");
	expect_val(w & 0xff, 0x11, "mov imm16 -> / mov r16 <- [IOREGSEL]");
	asm volatile("movb $0x7e, (%0)" : : "r"(iob) : "memory");
	asm volatile("movsbl (%1), %0" : "=r"(sv) : "r"(iob) : "memory");
	expect_val((uint32_t)sv, 0x7e, "movsx r32, byte [IOREGSEL]");
	asm volatile("movb %0, (%1)" : : "q"(lo_idx), "r"(iob) : "memory");
	asm volatile("orb $1, (%0)" : : "r"(iob) : "memory");
	expect_val(ioregsel8(), lo_idx | 1, "or imm8 -> byte [IOREGSEL]");
	asm volatile("andb $0xfe, (%0)" : : "r"(iob) : "memory");
	expect_val(ioregsel8(), lo_idx, "and imm8 -> byte [IOREGSEL]");
	b = (uint8_t)(lo_idx + 1);
	asm volatile("xchgb %0, (%1)" : "+q"(b) : "r"(iob) : "memory");
	expect_val(b, lo_idx, "xchg r8, [IOREGSEL] (old)");
	expect_val(ioregsel8(), lo_idx + 1u, "xchg r8, [IOREGSEL] (new)");

	/* IOWIN on the redirection entry, mask bit always set. */
	asm volatile("movb %0, (%1)" : : "q"(lo_idx), "r"(iob) : "memory");
	asm volatile("movl %0, 0x8(%1,%2,2)"
		     : : "r"(IOREDIR_MASKED | 0x61u), "r"(iob), "r"(4u)
		     : "memory");
	expect_val(ioapic_read(lo_idx), IOREDIR_MASKED | 0x61,
		   "mov r32 -> [base+index*2+disp8] (IOWIN)");
	asm volatile("movb %0, (%1)" : : "q"(lo_idx), "r"(iob) : "memory");
	asm volatile("movl 0x8(%1,%2,2), %0" : "=r"(v) : "r"(iob), "r"(4u)
		     : "memory");
	expect_val(v, IOREDIR_MASKED | 0x61, "mov [base+index*2+disp8] -> r32");
	asm volatile("movb %0, (%1)" : : "q"((uint8_t)(lo_idx + 1)), "r"(iob)
		     : "memory");
	asm volatile("movl $0x03000000, 0x10(%0)" : : "r"(iob) : "memory");
	expect_val(ioapic_read(lo_idx + 1) & 0xff000000u, 0x03000000,
		   "mov imm32 -> IOWIN (destination field)");

	/* String forms, one element each: the registers are 16 bytes apart
	 * and the dwords between them are not decoded (Bochs stops on a write
	 * to IOAPIC+4), so a longer rep would not be architecturally safe. */
	asm volatile("movb $0, (%0)" : : "r"(iob) : "memory");
	s = buf;
	d = (void *)iob;
	n = 1;
	asm volatile("rep movsb" : "+S"(s), "+D"(d), "+c"(n) : : "memory");
	expect_val(ioregsel8(), lo_idx, "rep movsb RAM -> IOREGSEL");
	asm volatile("movb $0, (%0)" : : "r"(iob) : "memory");
	s = buf;
	d = (void *)iob;
	n = 1;
	asm volatile("rep movsl" : "+S"(s), "+D"(d), "+c"(n) : : "memory");
	expect_val(ioregsel8(), lo_idx, "rep movsd RAM -> IOREGSEL");
	d = (void *)(iob + IOAPIC_IOWIN);
	n = 1;
	asm volatile("rep stosl" : "+D"(d), "+c"(n)
		     : "a"(IOREDIR_MASKED | 0x72u) : "memory");
	s = (const void *)(iob + IOAPIC_IOWIN);
	d = &buf[1];
	n = 1;
	asm volatile("rep movsl" : "+S"(s), "+D"(d), "+c"(n) : : "memory");
	expect_val(buf[1], IOREDIR_MASKED | 0x72,
		   "rep stosd -> IOWIN, rep movsd IOWIN -> RAM");
	v = IOREDIR_MASKED | 0x83;
	asm volatile("xchgl %0, 0x10(%1)" : "+r"(v) : "r"(iob) : "memory");
	expect_val(v, IOREDIR_MASKED | 0x72, "xchg r32, [IOWIN] (old)");
	expect_val(ioapic_read(lo_idx), IOREDIR_MASKED | 0x83,
		   "xchg r32, [IOWIN] (new)");

	ioapic_write(lo_idx + 1, save_hi);
	ioapic_write(lo_idx, save_lo | IOREDIR_MASKED);
	irq_restore(flags);
}

void test_main(void)
{
	CHECK(!lapic_x2apic, "the LAPIC is in x2APIC mode (apic= on the "
	      "command line?); this test needs the xAPIC MMIO page");
	lb = lapic_xapic_base();
	iob = guest_plat.ioapic_addr;
	printf("mmio: LAPIC at %#x\n", lb);

	/* TPR 0xff would hold off every interrupt; none is expected, but
	 * keep the window short and restore TPR 0. */
	lapic_mov_forms();
	lapic_absolute_forms();
	lapic_segment_forms();
	lapic_rmw_forms();
	lapic_string_forms();
	set_tpr(0);
	expect_val(lapic_read(LAPIC_ID) >> 24, this_cpu()->apic_id,
		   "LAPIC ID after all the forms");
	ioapic_forms();
	printf("mmio: %u instruction forms read back correctly\n", forms);
	guest_pass(guest_name);
}
