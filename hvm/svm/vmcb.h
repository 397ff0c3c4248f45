/*
 * The VMCB (AMD APM vol. 2, appendix B "Layout of VMCB"): a control area
 * at offset 0 and the state save area at 0x400.  Offsets are checked with
 * static asserts against table B-1 and B-2.
 */
#ifndef HVM_SVM_VMCB_H
#define HVM_SVM_VMCB_H

#include <stdint.h>
#include <stddef.h>

struct vmcb_seg {
	uint16_t sel;
	uint16_t attr; /* access byte in 7:0, AVL/L/D/G in 11:8 */
	uint32_t limit;
	uint64_t base;
} __attribute__((packed));

struct vmcb_control {
	uint32_t intercept_cr; /* reads 15:0, writes 31:16 */
	uint32_t intercept_dr;
	uint32_t intercept_exc;
	uint32_t intercept1;
	uint32_t intercept2;
	uint32_t intercept3;
	uint8_t reserved_18[0x3c - 0x18];
	uint16_t pause_thresh;
	uint16_t pause_count;
	uint64_t iopm_pa; /* 0x40 */
	uint64_t msrpm_pa; /* 0x48 */
	uint64_t tsc_offset; /* 0x50 */
	uint32_t asid; /* 0x58 */
	uint8_t tlb_control; /* 0x5c */
	uint8_t reserved_5d[3];
	uint64_t vintr; /* 0x60: V_TPR, V_IRQ, V_INTR_MASKING, vector ... */
	uint64_t int_state; /* 0x68: interrupt shadow */
	uint64_t exit_code; /* 0x70 */
	uint64_t exit_info1; /* 0x78 */
	uint64_t exit_info2; /* 0x80 */
	uint64_t exit_int_info; /* 0x88 */
	uint64_t np_enable; /* 0x90 */
	uint64_t avic_apic_bar; /* 0x98 */
	uint64_t ghcb_pa; /* 0xa0 */
	uint64_t event_inj; /* 0xa8 */
	uint64_t ncr3; /* 0xb0 */
	uint64_t virt_ext; /* 0xb8 */
	uint32_t clean; /* 0xc0 */
	uint32_t reserved_c4;
	uint64_t next_rip; /* 0xc8 */
	uint8_t insn_len; /* 0xd0 */
	uint8_t insn_bytes[15];
	uint8_t reserved_e0[0x400 - 0xe0];
} __attribute__((packed));

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 0x400 */
	uint8_t reserved_4a0[0x4cb - 0x4a0];
	uint8_t cpl; /* 0x4cb */
	uint32_t reserved_4cc;
	uint64_t efer; /* 0x4d0 */
	uint8_t reserved_4d8[0x548 - 0x4d8];
	uint64_t cr4; /* 0x548 */
	uint64_t cr3;
	uint64_t cr0;
	uint64_t dr7;
	uint64_t dr6;
	uint64_t rflags;
	uint64_t rip; /* 0x578 */
	uint8_t reserved_580[0x5d8 - 0x580];
	uint64_t rsp; /* 0x5d8 */
	uint8_t reserved_5e0[0x5f8 - 0x5e0];
	uint64_t rax; /* 0x5f8 */
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base; /* 0x600 */
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip; /* 0x628 */
	uint64_t cr2; /* 0x640 */
	uint8_t reserved_648[0x668 - 0x648];
	uint64_t g_pat; /* 0x668 */
	uint64_t dbgctl;
	uint64_t br_from, br_to, last_excp_from, last_excp_to;
} __attribute__((packed));

struct vmcb {
	struct vmcb_control ctl;
	struct vmcb_save save;
} __attribute__((packed));

_Static_assert(offsetof(struct vmcb_control, iopm_pa) == 0x40, "APM B-1");
_Static_assert(offsetof(struct vmcb_control, exit_code) == 0x70, "APM B-1");
_Static_assert(offsetof(struct vmcb_control, event_inj) == 0xa8, "APM B-1");
_Static_assert(offsetof(struct vmcb_control, ncr3) == 0xb0, "APM B-1");
_Static_assert(offsetof(struct vmcb_control, next_rip) == 0xc8, "APM B-1");
_Static_assert(sizeof(struct vmcb_control) == 0x400, "APM B-1");
_Static_assert(offsetof(struct vmcb, save.cpl) == 0x4cb, "APM B-2");
_Static_assert(offsetof(struct vmcb, save.efer) == 0x4d0, "APM B-2");
_Static_assert(offsetof(struct vmcb, save.cr4) == 0x548, "APM B-2");
_Static_assert(offsetof(struct vmcb, save.rip) == 0x578, "APM B-2");
_Static_assert(offsetof(struct vmcb, save.rsp) == 0x5d8, "APM B-2");
_Static_assert(offsetof(struct vmcb, save.rax) == 0x5f8, "APM B-2");
_Static_assert(offsetof(struct vmcb, save.cr2) == 0x640, "APM B-2");
_Static_assert(offsetof(struct vmcb, save.g_pat) == 0x668, "APM B-2");

/* intercept_cr (vector 0, offset 0): writes of CRn in bit 16 + n */
#define INTERCEPT_CR4_WRITE (1u << (16 + 4))

/* intercept1 (vector 3, offset 0x0c) */
#define INTERCEPT_INTR (1u << 0)
#define INTERCEPT_NMI (1u << 1)
#define INTERCEPT_SMI (1u << 2)
#define INTERCEPT_INIT (1u << 3)
#define INTERCEPT_VINTR (1u << 4)
#define INTERCEPT_CPUID (1u << 18)
#define INTERCEPT_INVD (1u << 22)
#define INTERCEPT_IRET (1u << 20)
#define INTERCEPT_PAUSE (1u << 23)
#define INTERCEPT_HLT (1u << 24)
#define INTERCEPT_INVLPGA (1u << 26)
#define INTERCEPT_IOIO (1u << 27)
#define INTERCEPT_MSR (1u << 28)
#define INTERCEPT_TASK_SWITCH (1u << 29)
#define INTERCEPT_SHUTDOWN (1u << 31)
/* intercept2 (vector 4, offset 0x10) */
#define INTERCEPT_VMRUN (1u << 0)
#define INTERCEPT_VMMCALL (1u << 1)
#define INTERCEPT_VMLOAD (1u << 2)
#define INTERCEPT_VMSAVE (1u << 3)
#define INTERCEPT_STGI (1u << 4)
#define INTERCEPT_CLGI (1u << 5)
#define INTERCEPT_SKINIT (1u << 6)
#define INTERCEPT_RDTSCP (1u << 7)
#define INTERCEPT_WBINVD (1u << 9)
#define INTERCEPT_MONITOR (1u << 10)
#define INTERCEPT_MWAIT (1u << 11)
#define INTERCEPT_XSETBV (1u << 13)

/* vintr (offset 0x60) */
#define V_IRQ (1ull << 8)
#define V_INTR_PRIO_SHIFT 16
#define V_IGN_TPR (1ull << 20)
#define V_INTR_MASKING (1ull << 24)

/* Exit codes (APM vol. 2, appendix C). */
#define VMEXIT_CR4_WRITE 0x14
#define VMEXIT_EXCP_BASE 0x40
#define VMEXIT_INTR 0x60
#define VMEXIT_NMI 0x61
#define VMEXIT_SMI 0x62
#define VMEXIT_INIT 0x63
#define VMEXIT_VINTR 0x64
#define VMEXIT_CPUID 0x72
#define VMEXIT_INVD 0x76
#define VMEXIT_PAUSE 0x77
#define VMEXIT_HLT 0x78
#define VMEXIT_INVLPGA 0x7a
#define VMEXIT_IOIO 0x7b
#define VMEXIT_MSR 0x7c
#define VMEXIT_TASK_SWITCH 0x7d
#define VMEXIT_SHUTDOWN 0x7f
#define VMEXIT_VMRUN 0x80
#define VMEXIT_VMMCALL 0x81
#define VMEXIT_VMLOAD 0x82
#define VMEXIT_VMSAVE 0x83
#define VMEXIT_STGI 0x84
#define VMEXIT_CLGI 0x85
#define VMEXIT_SKINIT 0x86
#define VMEXIT_RDTSCP 0x87
#define VMEXIT_WBINVD 0x89
#define VMEXIT_MONITOR 0x8a
#define VMEXIT_MWAIT 0x8b
#define VMEXIT_XSETBV 0x8d
#define VMEXIT_IRET 0x74
#define VMEXIT_NPF 0x400
#define VMEXIT_INVALID ((uint64_t)-1)

/* EVENTINJ / EXITINTINFO (APM vol. 2, 15.20). */
#define EVTINJ_VALID (1ull << 31)
#define EVTINJ_EV (1ull << 11)
#define EVTINJ_TYPE_SHIFT 8

#endif
