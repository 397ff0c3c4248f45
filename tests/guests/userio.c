/*
 * userio - emulated string I/O and MMIO keep the CPU's privilege checks.
 *
 * With 32-bit paging (4 KiB pages for the first 4 MiB, all supervisor
 * but this kernel's user pages and the page at 0x3ff000; 4 MiB
 * supervisor pages above; the IOAPIC's 4 MiB page user), a TSS and
 * DPL-3 segments, the kernel drops to CPL 3 with IOPL 3.  Proves:
 *  - REP INSB at CPL 3 from an unclaimed port into 0x3ffffe, ECX = 4:
 *    the two bytes in the user page land, the third (0x400000, a
 *    supervisor page) raises #PF with error code P|W|U (7) and CR2
 *    0x400000, ECX 2 and EDI 0x400000 left as the CPU leaves them, and
 *    the supervisor byte is unchanged;
 *  - REP OUTSB at CPL 3 from a supervisor page: #PF, error code P|U (5);
 *  - MMIO at CPL 3 through a user mapping works: a MOV selects the
 *    IOAPIC version register, a MOVSD copies IOWIN into a user buffer,
 *    and the value is what CPL 0 reads;
 *  - SMAP (when CPUID has it): at CPL 0 with CR4.SMAP, REP INSB into a
 *    user page raises #PF (P|W) with EFLAGS.AC clear and works after
 *    STAC;
 *  - segment limits: REP INSB through ES with a 4 KiB limit from 0xffe,
 *    ECX = 4, writes two bytes and raises #GP(0) with ECX 2.
 * Bare QEMU TCG checks no data segment limits; there the last is
 * reported, not failed.
 * Each ring-3 run ends with INT 0x80, whose gate is DPL 0: #GP with
 * error code 0x402 means the user code ran to its end.
 */
#include "guest.h"

GUEST_TEST("userio");

extern uint64_t guest_gdt[];

#define SEL_UCODE (SEL_SPARE0 | 3)
#define SEL_UDATA (SEL_SPARE1 | 3)
#define SEL_TSS SEL_PERCPU(7)
#define SEL_SMALL SEL_PERCPU(6) /* data segment, limit 4 KiB */
#define UNCLAIMED_PORT 0x2f0
#define SUPER_PAGE 0x400000u
#define INT80_GP 0x402u /* #GP error code: IDT entry 0x80 */

#define PTE_P 1u
#define PTE_W 2u
#define PTE_U 4u
#define PTE_PWT 8u
#define PTE_PCD 16u
#define PTE_PS 0x80u

static uint32_t pgdir[1024] __attribute__((aligned(4096)));
static uint32_t pt0[1024] __attribute__((aligned(4096)));
uint8_t userio_stack[4096] __attribute__((aligned(4096)));
static uint8_t user_buf[4096] __attribute__((aligned(4096)));
static uint8_t ring0_stack[8192] __attribute__((aligned(16)));

/* 32-bit TSS (SDM vol. 3A, 8.2.1): only ESP0/SS0 and no I/O bitmap. */
static struct __attribute__((packed)) {
	uint32_t link, esp0, ss0, unused[22];
	uint16_t trap, iomap;
} tss;

/* The ring-3 code: one page of its own, mapped user. */
extern const char user_page[], user_insb[], user_outsb[], user_mmio[];
asm(".pushsection .text.user, \"ax\"\n"
    ".balign 4096\n"
    "user_page:\n"
    "user_insb: rep insb\n int $0x80\n"
    "user_outsb: rep outsb\n int $0x80\n"
    "user_mmio: movl $1, 0xfec00000\n movsl\n int $0x80\n"
    ".balign 4096\n"
    ".popsection\n"
    /* enter_user(eip, ecx, edx, esi, edi): IRET to CPL 3, IOPL 3, IF 0 */
    ".text\n"
    "enter_user:\n"
    " movl 8(%esp), %ecx\n movl 12(%esp), %edx\n"
    " movl 16(%esp), %esi\n movl 20(%esp), %edi\n movl 4(%esp), %eax\n"
    " movw $0x3b, %bx\n movw %bx, %ds\n movw %bx, %es\n"
    " pushl $0x3b\n pushl $userio_stack + 4096\n pushl $0x3002\n"
    " pushl $0x33\n pushl %eax\n iretl\n");
__attribute__((noreturn)) void enter_user(uint32_t eip, uint32_t ecx,
					  uint32_t edx, uint32_t esi,
					  uint32_t edi);

static uint64_t desc(uint32_t base, uint32_t limit, uint8_t access,
		     uint8_t flags)
{
	return (limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 |
	       (uint64_t)access << 40 | (uint64_t)((limit >> 16) & 0xf) << 48 |
	       (uint64_t)(flags & 0xf) << 52 | (uint64_t)(base >> 24) << 56;
}

static void set_user(const void *p)
{
	pt0[(uint32_t)p >> 12] |= PTE_U;
}

static void setup(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint32_t base;
	} gdtr;
	uint32_t ioapic = 0xfec00000u;

	for (unsigned int i = 0; i < 1024; i++)
		pt0[i] = i << 12 | PTE_P | PTE_W;
	set_user(user_page);
	set_user(userio_stack);
	set_user(user_buf);
	pt0[1023] |= PTE_U; /* 0x3ff000: user, just below SUPER_PAGE */
	pgdir[0] = (uint32_t)pt0 | PTE_P | PTE_W | PTE_U;
	for (unsigned int i = 1; i < 8; i++)
		pgdir[i] = i << 22 | PTE_P | PTE_W | PTE_PS;
	pgdir[ioapic >> 22] = ioapic | PTE_P | PTE_W | PTE_U | PTE_PS |
			      PTE_PCD | PTE_PWT;

	guest_gdt[SEL_SPARE0 >> 3] = desc(0, 0xfffff, 0xfa, 0xc);
	guest_gdt[SEL_SPARE1 >> 3] = desc(0, 0xfffff, 0xf2, 0xc);
	guest_gdt[SEL_SMALL >> 3] = desc(0, 0xfff, 0x92, 0x4);
	tss.esp0 = (uint32_t)ring0_stack + sizeof(ring0_stack);
	tss.ss0 = SEL_DATA32;
	tss.iomap = sizeof(tss);
	guest_gdt[SEL_TSS >> 3] = desc((uint32_t)&tss, sizeof(tss) - 1, 0x89, 0);
	/* This CPU's %fs descriptor becomes DPL 3, so IRET to CPL 3 keeps
	 * it and the handlers' this_cpu() still works. */
	guest_gdt[SEL_PERCPU(0) >> 3] |= 3ull << 45;
	gdtr.limit = GDT_LIMIT;
	gdtr.base = (uint32_t)guest_gdt;
	asm volatile("lgdt %0\n\t"
		     "movw %w1, %%fs\n\t"
		     "ltr %w2"
		     :
		     : "m"(gdtr), "r"(SEL_PERCPU(0) | 3), "r"(SEL_TSS)
		     : "memory");
	asm volatile("mov %0, %%cr3\n\t"
		     "mov %%cr4, %%eax\n\t"
		     "orl $0x10, %%eax\n\t" /* PSE */
		     "mov %%eax, %%cr4\n\t"
		     "mov %%cr0, %%eax\n\t"
		     "orl $0x80010000, %%eax\n\t" /* PG, WP */
		     "mov %%eax, %%cr0"
		     :
		     : "r"(pgdir)
		     : "eax", "memory");
}

static void teardown(void)
{
	asm volatile("mov %%cr0, %%eax\n\t"
		     "andl $0x7fffffff, %%eax\n\t"
		     "mov %%eax, %%cr0"
		     :
		     :
		     : "eax", "memory");
}

static struct guest_jmpbuf ujb;
static uint32_t ucr2;

/*
 * The frame as entry.S's isr_common lays it out: PUSHAL's registers
 * (EDI lowest), then GS, ES, DS, the vector, the error code and the
 * CPU's frame.  (struct trap_frame in guest.h lists GS, ES and DS
 * first; only its fields from the vector on are where it says.)
 */
static struct {
	uint32_t edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax;
	uint32_t gs, es, ds, vector, error, eip, cs, eflags;
} ufr;

static void catch_fault(struct trap_frame *f)
{
	memcpy(&ufr, f, sizeof(ufr));
	ucr2 = read_cr2();
	guest_longjmp(&ujb, (int)ufr.vector + 1);
}

/* Run @eip at CPL 3; the vector that brought us back (its frame in ufr). */
static int run_user(const char *eip, uint32_t ecx, uint32_t edx,
		    uint32_t esi, uint32_t edi)
{
	int v;

	irq_set_handler(VEC_PF, catch_fault);
	irq_set_handler(VEC_GP, catch_fault);
	v = guest_setjmp(&ujb);
	if (v == 0)
		enter_user((uint32_t)eip, ecx, edx, esi, edi);
	irq_set_handler(VEC_PF, NULL);
	irq_set_handler(VEC_GP, NULL);
	asm volatile("movw %w0, %%gs" : : "r"(SEL_DATA32));
	return v - 1;
}

static const char *vname(int v)
{
	return v < 0 ? "nothing" : exception_name((unsigned int)v);
}

static void check_user_insb(void)
{
	volatile uint8_t *super = (volatile uint8_t *)SUPER_PAGE;
	volatile uint8_t *low = (volatile uint8_t *)(SUPER_PAGE - 2);
	int v;

	*super = 0x5a;
	low[0] = low[1] = 0;
	v = run_user(user_insb, 4, UNCLAIMED_PORT, 0, SUPER_PAGE - 2);
	printf("userio: CPL 3 rep insb across into a supervisor page: %s "
	       "error %#x cr2 %#x ecx %u edi %#x\n", vname(v), ufr.error,
	       ucr2, ufr.ecx, ufr.edi);
	CHECK(v == VEC_PF, "CPL 3 rep insb into a supervisor page raised %s "
	      "(error %#x), expected #PF", vname(v), ufr.error);
	CHECK(ufr.error == 7, "#PF error code %#x, expected 7 (P|W|U)",
	      ufr.error);
	CHECK(ucr2 == SUPER_PAGE, "#PF CR2 %#x, expected %#x", ucr2,
	      SUPER_PAGE);
	CHECK(ufr.ecx == 2 && ufr.edi == SUPER_PAGE, "at the #PF ECX %u EDI "
	      "%#x, expected 2 and %#x", ufr.ecx, ufr.edi, SUPER_PAGE);
	CHECK(low[0] == 0xff && low[1] == 0xff, "the user bytes got %#x %#x",
	      low[0], low[1]);
	CHECK(*super == 0x5a, "the supervisor byte became %#x", *super);
}

static void check_user_outsb(void)
{
	int v = run_user(user_outsb, 1, 0x80, SUPER_PAGE, 0);

	printf("userio: CPL 3 rep outsb from a supervisor page: %s error "
	       "%#x cr2 %#x\n", vname(v), ufr.error, ucr2);
	CHECK(v == VEC_PF && ufr.error == 5 && ucr2 == SUPER_PAGE,
	      "CPL 3 rep outsb from a supervisor page: %s error %#x cr2 %#x, "
	      "expected #PF 5 at %#x", vname(v), ufr.error, ucr2, SUPER_PAGE);
}

static void check_user_mmio(void)
{
	uint32_t want = ioapic_read(IOAPIC_REG_VER), got;
	int v;

	memset(user_buf, 0, 8);
	v = run_user(user_mmio, 0, 0, 0xfec00010u, (uint32_t)user_buf);
	memcpy(&got, user_buf, 4);
	CHECK(v == VEC_GP && ufr.error == INT80_GP, "CPL 3 MMIO through a "
	      "user mapping raised %s (error %#x, eip %#x)", vname(v),
	      ufr.error, ufr.eip);
	CHECK(got == want, "CPL 3 movsd from IOWIN copied %#x, CPL 0 reads "
	      "%#x", got, want);
	printf("userio: CPL 3 movsd from the IOAPIC through a user mapping "
	       "copies %#x\n", got);
}

static int insb_smap(uint8_t *dst)
{
	uint32_t n = 1;

	return guest_try(asm volatile("rep insb"
				      : "+D"(dst), "+c"(n)
				      : "d"(UNCLAIMED_PORT)
				      : "memory"));
}

static void check_smap(void)
{
	int v;

	if (!(cpuid(0).eax >= 7 && (cpuid2(7, 0).ebx & (1u << 20)))) {
		printf("userio: no SMAP in CPUID: SMAP check skipped\n");
		return;
	}
	asm volatile("mov %%cr4, %%eax\n\t"
		     "orl $0x200000, %%eax\n\t"
		     "mov %%eax, %%cr4\n\t"
		     "clac" ::: "eax", "memory");
	v = insb_smap(user_buf);
	CHECK(v == VEC_PF && this_cpu()->fault.error == 3 &&
	      this_cpu()->fault.cr2 == (uint32_t)user_buf,
	      "SMAP: CPL 0 rep insb into a user page with AC clear: %s error "
	      "%#x cr2 %#x, expected #PF 3 at %p", vname(v),
	      this_cpu()->fault.error, this_cpu()->fault.cr2, user_buf);
	asm volatile("stac" ::: "memory");
	v = insb_smap(user_buf);
	asm volatile("clac\n\t"
		     "mov %%cr4, %%eax\n\t"
		     "andl $~0x200000, %%eax\n\t"
		     "mov %%eax, %%cr4" ::: "eax", "memory");
	CHECK(v < 0, "SMAP: with AC set rep insb raised %s", vname(v));
	printf("userio: SMAP: CPL 0 rep insb into a user page: #PF with AC "
	       "clear, done with AC set\n");
}


static void check_limit(void)
{
	volatile uint8_t *p = phys_ptr(0xffe);
	uint32_t n = 4, di = 0xffe;
	int v;

	p[0] = p[1] = 0;
	memset(&ufr, 0, sizeof(ufr));
	irq_set_handler(VEC_GP, catch_fault);
	v = guest_setjmp(&ujb);
	if (v == 0)
		asm volatile("movw %w2, %%es\n\t"
			     "rep insb"
			     : "+c"(n), "+D"(di)
			     : "r"(SEL_SMALL), "d"(UNCLAIMED_PORT)
			     : "memory");
	irq_set_handler(VEC_GP, NULL);
	asm volatile("movw %w0, %%es" : : "r"(SEL_DATA32));
	v--;
	if (v < 0 && is_qemu_tcg()) {
		printf("userio: rep insb past ES's limit: no #GP (bare QEMU "
		       "TCG checks no data segment limits; tolerated)\n");
		return;
	}
	CHECK(v == VEC_GP && ufr.error == 0, "rep insb past ES's limit "
	      "raised %s error %#x, expected #GP(0)", vname(v), ufr.error);
	CHECK(ufr.ecx == 2 && ufr.edi == 0x1000 && p[0] == 0xff && p[1] == 0xff,
	      "at the #GP ECX %u EDI %#x bytes %#x %#x, expected 2, 0x1000, "
	      "0xff 0xff", ufr.ecx, ufr.edi, p[0], p[1]);
	printf("userio: rep insb past ES's limit: #GP(0) after 2 bytes\n");
}

void test_main(void)
{
	setup();
	check_user_insb();
	check_user_outsb();
	check_user_mmio();
	check_smap();
	check_limit();
	teardown();
	guest_pass(guest_name);
}
