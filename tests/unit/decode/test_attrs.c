/*
 * Attributes for the binary translator: branch kinds, privileged and
 * sensitive instructions for a guest kernel run at CPL 3, and the places
 * where Intel and AMD decode differently (BT_MODE_AMD).
 */
#include <CUnit/CUnit.h>

#include "decode-test.h"

#define BR_ BT_F_BRANCH
#define PRIV SET(BT_F_PRIV | BT_F_SENSITIVE)
#define IOPL SET(BT_F_IOPL | BT_F_SENSITIVE), CLR(BT_F_PRIV)
#define SENS SET(BT_F_SENSITIVE), CLR(BT_F_PRIV | BT_F_IOPL)
#define PLAIN CLR(BT_F_SENSITIVE | BT_F_PRIV | BT_F_IOPL)

static const struct tvec branches[] = {
	T(M64, "\xe8\x00\x00\x00\x00", BRANCH(CALL),
	  SET(BR_ | BT_F_REL | BT_F_STACK), CLR(BT_F_INDIRECT | BT_F_COND)),
	T(M64, "\xe9\x00\x00\x00\x00", BRANCH(JMP), SET(BR_ | BT_F_REL),
	  CLR(BT_F_STACK | BT_F_COND)),
	T(M64, "\xeb\x00", BRANCH(JMP), SET(BT_F_REL)),
	T(M64, "\x74\x00", BRANCH(JCC), SET(BT_F_REL | BT_F_COND)),
	T(M64, "\x0f\x8f\x00\x00\x00\x00", BRANCH(JCC), SET(BT_F_COND)),
	T(M64, "\xe0\x00", BRANCH(LOOP), SET(BT_F_REL | BT_F_COND)),
	T(M64, "\xe1\x00", BRANCH(LOOP)), T(M64, "\xe2\x00", BRANCH(LOOP)),
	T(M64, "\xe3\x00", BRANCH(LOOP), SET(BT_F_COND)),
	T(M64, "\xc3", BRANCH(RET), SET(BR_ | BT_F_STACK),
	  CLR(BT_F_REL | BT_F_FAR)),
	T(M64, "\xc2\x10\x00", BRANCH(RET), IMM(2, 0x10)),
	T(M64, "\xcb", BRANCH(RET_FAR), SET(BT_F_FAR), SENS),
	T(M64, "\x48\xca\x08\x00", BRANCH(RET_FAR), OPSZ(8)),
	T(M64, "\xcf", BRANCH(IRET), SET(BT_F_FAR), SENS, OPSZ(4)),
	T(M64, "\x48\xcf", BRANCH(IRET), OPSZ(8)), /* IRETQ */
	T(M64, "\xff\xd0", BRANCH(CALL), SET(BT_F_INDIRECT | BT_F_STACK),
	  CLR(BT_F_MEM | BT_F_REL)),
	T(M64, "\xff\x10", BRANCH(CALL), SET(BT_F_INDIRECT | BT_F_MEM_R)),
	T(M64, "\xff\x18", BRANCH(CALL_FAR), SET(BT_F_INDIRECT | BT_F_FAR),
	  SENS),
	T(M64, "\xff\xe0", BRANCH(JMP), SET(BT_F_INDIRECT)),
	T(M64, "\x3e\xff\xe0", BRANCH(JMP), SEGOVR(DS)), /* NOTRACK */
	T(M64, "\xf2\xff\xe0", BRANCH(JMP), REP(0xf2)), /* BND */
	T(M64, "\xff\x28", BRANCH(JMP_FAR), SET(BT_F_FAR)),
	T(M32, "\x9a\x00\x00\x00\x00\x08\x00", BRANCH(CALL_FAR),
	  SET(BT_F_FAR | BT_F_STACK)),
	T(M32, "\xea\x00\x00\x00\x00\x08\x00", BRANCH(JMP_FAR)),
	T(M64, "\xcc", BRANCH(INT), SENS), T(M64, "\xcd\x03", BRANCH(INT)),
	T(M32, "\xce", BRANCH(INT)), T(M64, "\xf1", BRANCH(INT), SENS),
	T(M64, "\x0f\x05", BRANCH(SYSCALL), SET(BT_F_FAR), SENS),
	T(M64, "\x0f\x07", BRANCH(SYSRET), PRIV),
	T(M64, "\x48\x0f\x07", BRANCH(SYSRET), OPSZ(8)),
	T(M32, "\x0f\x34", BRANCH(SYSCALL)), T(M32, "\x0f\x35", BRANCH(SYSRET)),
	T(M64, "\xc7\xf8\x00\x00\x00\x00", BRANCH(XBEGIN), SET(BT_F_REL)),
	T(M64, "\xf3\x0f\x01\xec", BRANCH(OTHER)), /* UIRET */
	/* Not branches. */
	T(M64, "\xc6\xf8\x00", BRANCH(NONE), CLR(BR_)), /* XABORT */
	T(M64, "\x0f\x0b", BRANCH(NONE), CLR(BR_), SET(BT_F_UD)),
	T(M64, "\x0f\x01\xc1", BRANCH(NONE), CLR(BR_)), /* VMCALL */
	T(M64, "\x90", BRANCH(NONE), FLAGS(BT_F_OPREG)),
	T(M64, "\x01\xc0", FLAGS(BT_F_MODRM)),
};

/*
 * The instructions a deprivileged guest kernel cannot run natively:
 * PRIV fault at CPL 3 whatever the state, IOPL fault when IOPL < 3, the
 * rest misbehave silently (DESIGN.md, "The deprivileged containers").
 */
static const struct tvec privilege[] = {
	T(M64, "\xf4", PRIV), /* HLT */
	T(M64, "\x0f\x01\x10", PRIV), T(M64, "\x0f\x01\x18", PRIV),
	T(M64, "\x0f\x00\x10", PRIV), T(M64, "\x0f\x00\x18", PRIV),
	T(M64, "\x0f\x01\x30", PRIV), T(M64, "\x0f\x01\xf0", PRIV), /* LMSW */
	T(M64, "\x0f\x20\xd8", PRIV), T(M64, "\x0f\x22\xd8", PRIV),
	T(M64, "\x0f\x21\xf8", PRIV), T(M64, "\x0f\x23\xf8", PRIV),
	T(M64, "\x0f\x06", PRIV), /* CLTS */
	T(M64, "\x0f\x08", PRIV), T(M64, "\x0f\x09", PRIV),
	T(M64, "\xf3\x0f\x09", PRIV), /* WBNOINVD */
	T(M64, "\x0f\x01\x38", PRIV), /* INVLPG */
	T(M64, "\x0f\x30", PRIV), T(M64, "\x0f\x32", PRIV),
	T(M64, "\x0f\x01\xf8", PRIV), /* SWAPGS */
	T(M64, "\x0f\x01\xd1", PRIV), /* XSETBV */
	T(M64, "\x0f\x01\xc8", PRIV), T(M64, "\x0f\x01\xc9", PRIV),
	T(M64, "\x0f\x01\xca", PRIV), T(M64, "\x0f\x01\xcb", PRIV),
	T(M64, "\x0f\x01\xc1", PRIV), T(M64, "\x0f\x01\xc2", PRIV),
	T(M64, "\x0f\x01\xc3", PRIV), T(M64, "\x0f\x01\xc4", PRIV),
	T(M64, "\x0f\x01\xd8", PRIV), T(M64, "\x0f\x01\xd9", PRIV),
	T(M64, "\x0f\x01\xda", PRIV), T(M64, "\x0f\x01\xdb", PRIV),
	T(M64, "\x0f\x01\xdc", PRIV), T(M64, "\x0f\x01\xdd", PRIV),
	T(M64, "\x0f\x01\xde", PRIV), T(M64, "\x0f\x01\xdf", PRIV),
	T(M64, "\x0f\xc7\x30", PRIV), /* VMPTRLD */
	T(M64, "\x66\x0f\xc7\x30", PRIV), /* VMCLEAR */
	T(M64, "\xf3\x0f\xc7\x30", PRIV), /* VMXON */
	T(M64, "\x0f\xc7\x38", PRIV), /* VMPTRST */
	T(M64, "\x0f\x78\xc8", PRIV), T(M64, "\x0f\x79\xc8", PRIV),
	T(M64, "\x66\x0f\x38\x80\x08", PRIV), /* INVEPT */
	T(M64, "\x66\x0f\x38\x81\x08", PRIV), /* INVVPID */
	T(M64, "\x66\x0f\x38\x82\x08", PRIV), /* INVPCID */
	T(M64, "\x0f\xc7\x18", PRIV), T(M64, "\x0f\xc7\x28", PRIV),
	T(M64, "\x0f\xaa", PRIV), /* RSM */
	T(M32, "\x0f\x35", PRIV), /* SYSEXIT */
	T(M64, "\x0f\x37", PRIV), /* GETSEC */
	/* IOPL-sensitive. */
	T(M64, "\xfa", IOPL), T(M64, "\xfb", IOPL),
	T(M64, "\xe4\x60", IOPL), T(M64, "\xe7\x80", IOPL),
	T(M64, "\xec", IOPL), T(M64, "\xef", IOPL),
	T(M64, "\x6c", IOPL), T(M64, "\x6f", IOPL),
	T(M64, "\xf3\x6d", IOPL, SET(BT_F_STRING | BT_F_REP)),
	/* Sensitive without faulting. */
	T(M64, "\x9c", SENS), T(M64, "\x9d", SENS), /* PUSHF, POPF */
	T(M64, "\x0f\x01\x00", SENS), T(M64, "\x0f\x01\x08", SENS),
	T(M64, "\x0f\x00\x00", SENS), T(M64, "\x0f\x00\x08", SENS),
	T(M64, "\x0f\x00\xc0", SENS), /* SLDT reg */
	T(M64, "\x0f\x01\x20", SENS), T(M64, "\x0f\x01\xe0", SENS), /* SMSW */
	T(M64, "\x8c\xd8", SENS), T(M64, "\x8c\xc8", SENS), /* MOV r,Sreg */
	T(M64, "\x8e\xd8", SENS), T(M64, "\x8e\x10", SENS), /* MOV Sreg,r/m */
	T(M64, "\x0f\x02\xc0", SENS), T(M64, "\x0f\x03\xc0", SENS),
	T(M64, "\x0f\x00\xe0", SENS), T(M64, "\x0f\x00\xe8", SENS),
	T(M64, "\x0f\xa2", SENS), /* CPUID */
	T(M64, "\x0f\x31", SENS), T(M64, "\x0f\x01\xf9", SENS),
	T(M64, "\x0f\x33", SENS), /* RDTSC, RDTSCP, RDPMC */
	T(M64, "\xcd\x80", SENS), T(M64, "\xcc", SENS),
	T(M64, "\xcf", SENS), T(M64, "\xcb", SENS),
	T(M64, "\x0f\xa0", SENS), T(M64, "\x0f\xa9", SENS), /* PUSH FS.. */
	T(M64, "\x0f\xb2\x00", SENS), /* LSS */
	T(M64, "\x0f\x05", SENS), T(M64, "\x0f\x34", SENS),
	T(M32, "\x0e", SENS), T(M32, "\x16", SENS), T(M32, "\x17", SENS),
	T(M32, "\x1f", SENS), T(M32, "\xc4\x00", SENS), /* LES */
	T(M32, "\x9a\x00\x00\x00\x00\x08\x00", SENS),
	T(M32, "\xce", SENS),
	/* Plain instructions. */
	T(M64, "\x90", PLAIN), T(M64, "\x01\xc0", PLAIN),
	T(M64, "\x0f\x01\xd0", PLAIN), /* XGETBV */
	T(M64, "\x0f\xae\xe8", PLAIN), T(M64, "\x0f\xa3\x00", PLAIN),
	T(M64, "\xe8\x00\x00\x00\x00", PLAIN), T(M64, "\xc3", PLAIN),
	T(M64, "\x0f\x0b", PLAIN), T(M64, "\xf3\x0f\xae\xc0", PLAIN),
	T(M64, "\x0f\x01\xee", PLAIN), /* RDPKRU */
	T(M64, "\x0f\xc7\xf0", PLAIN), /* RDRAND */
	T(M64, "\xc5\xf8\x77", PLAIN),
};

/* Intel (default) and AMD (BT_MODE_AMD) differ here. */
static const struct tvec vendors[] = {
	/* 66 on near branches in 64-bit mode: Intel ignores, AMD obeys. */
	T(M64, "\x66\xe8\x10\x00\x00\x00", OPSZ(8), IMM(4, 0x10),
	  TARGET(0x1016)),
	T(M64 | AMD, "\x66\xe8\x10\x00", OPSZ(2), IMM(2, 0x10),
	  TARGET(0x1014)),
	T(M64 | AMD, "\x66\xe8\x00\xf0", TARGET(0x0004)), /* IP wraps */
	T(M64, "\x66\xe9\x00\x00\x00\x00", OPSZ(8)),
	T(M64 | AMD, "\x66\xe9\x00\x00", OPSZ(2)),
	T(M64, "\x66\x0f\x84\x00\x00\x00\x00", OPSZ(8)),
	T(M64 | AMD, "\x66\x0f\x84\x00\x00", OPSZ(2)),
	T(M64, "\x66\xeb\x00", OPSZ(8)),
	T(M64 | AMD, "\x66\xeb\x00", OPSZ(2)),
	T(M64, "\x66\xc3", OPSZ(8)), T(M64 | AMD, "\x66\xc3", OPSZ(2)),
	T(M64, "\x66\xff\xd0", OPSZ(8)),
	T(M64 | AMD, "\x66\xff\xd0", OPSZ(2)),
	T(M64 | AMD, "\x66\xff\x10", OPSZ(2), MEMSZ(2)),
	/* Both push 64 bits unless 66 (D64 is the same on both). */
	T(M64 | AMD, "\x66\x50", OPSZ(2)), T(M64 | AMD, "\x50", OPSZ(8)),
	/* REX.W far pointer: m16:64 on Intel only. */
	T(M64, "\x48\xff\x28", MEMSZ(10)), T(M64 | AMD, "\x48\xff\x28",
					     MEMSZ(6)),
	/* UD0: ModRM on Intel, none on AMD. */
	T(M64, "\x0f\xff\x00", SET(BT_F_MODRM)),
	T(M64 | AMD, "\x0f\xff", CLR(BT_F_MODRM)),
	/* LOCK MOV CR0 is MOV CR8 on AMD (CR8 without REX.R). */
	T(M32 | AMD, "\xf0\x0f\x20\xc0", REG(8), SET(BT_F_PRIV)),
	T(M32 | AMD, "\xf0\x0f\x22\xc0", REG(8)),
	T(M32, "\xf0\x0f\x20\xc0", INVALID),
	/* Otherwise the same: 32-bit mode branches honour 66 on both. */
	T(M32 | AMD, "\x66\xe8\x00\x00", OPSZ(2)),
	T(M32, "\x66\xe8\x00\x00", OPSZ(2)),
};

/* bt_branch_target() truncates to the operand size like the CPU. */
static const struct tvec targets[] = {
	T(M64, "\xe9\xfb\xdf\xff\xff", TARGET(0xfffffffffffff000ll)),
	T(M32, "\xe9\xfb\xdf\xff\xff", TARGET(0xfffff000)),
	T(M32, "\x66\xe9\xfc\xdf", TARGET(0xf000)),
	T(M16, "\xe9\x0d\x00", TARGET(0x0000)), /* 0xfff0 + 3 + 0xd */
	T(M16, "\x66\xe9\x10\x00\x00\x00", TARGET(0x10006)),
	T(M64, "\x7f\x80", TARGET(0x1000 + 2 - 0x80)),
	T(M64, "\xe3\x7f", TARGET(0x1000 + 2 + 0x7f)),
};

static void test_branches(void)
{
	RUN(branches);
	RUN(targets);
}

static void test_privilege(void)
{
	RUN(privilege);
}

static void test_vendors(void)
{
	RUN(vendors);
}

void register_attr_tests(void)
{
	CU_pSuite s = CU_add_suite("decode: attributes", NULL, NULL);

	CU_add_test(s, "branch kinds and targets", test_branches);
	CU_add_test(s, "privileged and sensitive", test_privilege);
	CU_add_test(s, "Intel vs AMD", test_vendors);
}
