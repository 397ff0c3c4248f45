/*
 * VMCS field encodings, control bits and exit reasons.
 *
 * Field encodings: SDM vol. 3D, appendix B (B.1 16-bit, B.2 64-bit, B.3
 * 32-bit, B.4 natural-width).  Controls: SDM vol. 3C, 25.6 (execution),
 * 25.7 (exit), 25.8 (entry).  Exit reasons: vol. 3D, appendix C.
 */
#ifndef HVM_VMX_VMCS_H
#define HVM_VMX_VMCS_H

/* 16-bit */
#define VIRTUAL_PROCESSOR_ID 0x0000
#define GUEST_ES_SELECTOR 0x0800 /* ES CS SS DS FS GS LDTR TR, step 2 */
#define GUEST_LDTR_SELECTOR 0x080c
#define GUEST_TR_SELECTOR 0x080e
#define HOST_ES_SELECTOR 0x0c00
#define HOST_CS_SELECTOR 0x0c02
#define HOST_SS_SELECTOR 0x0c04
#define HOST_DS_SELECTOR 0x0c06
#define HOST_FS_SELECTOR 0x0c08
#define HOST_GS_SELECTOR 0x0c0a
#define HOST_TR_SELECTOR 0x0c0c

/* 64-bit */
#define IO_BITMAP_A 0x2000
#define IO_BITMAP_B 0x2002
#define MSR_BITMAP 0x2004
#define VM_EXIT_MSR_STORE_ADDR 0x2006
#define VM_ENTRY_MSR_LOAD_ADDR 0x200a
#define TSC_OFFSET 0x2010
#define VIRTUAL_APIC_PAGE_ADDR 0x2012
#define EPT_POINTER 0x201a
#define GUEST_PHYSICAL_ADDRESS 0x2400
#define VMCS_LINK_POINTER 0x2800
#define GUEST_IA32_DEBUGCTL 0x2802
#define GUEST_IA32_PAT 0x2804
#define GUEST_IA32_EFER 0x2806
#define GUEST_PDPTE0 0x280a /* PDPTE0-3, step 2 */
#define HOST_IA32_PAT 0x2c00
#define HOST_IA32_EFER 0x2c02

/* 32-bit */
#define PIN_BASED_VM_EXEC_CONTROL 0x4000
#define CPU_BASED_VM_EXEC_CONTROL 0x4002
#define EXCEPTION_BITMAP 0x4004
#define CR3_TARGET_COUNT 0x400a
#define VM_EXIT_CONTROLS 0x400c
#define VM_EXIT_MSR_STORE_COUNT 0x400e
#define VM_EXIT_MSR_LOAD_COUNT 0x4010
#define VM_ENTRY_CONTROLS 0x4012
#define VM_ENTRY_MSR_LOAD_COUNT 0x4014
#define VM_ENTRY_INTR_INFO 0x4016
#define VM_ENTRY_EXCEPTION_ERROR_CODE 0x4018
#define VM_ENTRY_INSTRUCTION_LEN 0x401a
#define TPR_THRESHOLD 0x401c
#define SECONDARY_VM_EXEC_CONTROL 0x401e
#define VM_INSTRUCTION_ERROR 0x4400
#define VM_EXIT_REASON 0x4402
#define VM_EXIT_INTR_INFO 0x4404
#define VM_EXIT_INTR_ERROR_CODE 0x4406
#define IDT_VECTORING_INFO 0x4408
#define IDT_VECTORING_ERROR_CODE 0x440a
#define VM_EXIT_INSTRUCTION_LEN 0x440c
#define GUEST_ES_LIMIT 0x4800 /* ES CS SS DS FS GS LDTR TR, step 2 */
#define GUEST_GDTR_LIMIT 0x4810
#define GUEST_IDTR_LIMIT 0x4812
#define GUEST_ES_AR 0x4814 /* ES CS SS DS FS GS LDTR TR, step 2 */
#define GUEST_INTERRUPTIBILITY 0x4824
#define GUEST_ACTIVITY_STATE 0x4826
#define GUEST_SYSENTER_CS 0x482a
#define HOST_SYSENTER_CS 0x4c00

/* Natural width */
#define CR0_GUEST_HOST_MASK 0x6000
#define CR4_GUEST_HOST_MASK 0x6002
#define CR0_READ_SHADOW 0x6004
#define CR4_READ_SHADOW 0x6006
#define EXIT_QUALIFICATION 0x6400
#define GUEST_LINEAR_ADDRESS 0x640a
#define GUEST_CR0 0x6800
#define GUEST_CR3 0x6802
#define GUEST_CR4 0x6804
#define GUEST_ES_BASE 0x6806 /* ES CS SS DS FS GS LDTR TR, step 2 */
#define GUEST_GDTR_BASE 0x6816
#define GUEST_IDTR_BASE 0x6818
#define GUEST_DR7 0x681a
#define GUEST_RSP 0x681c
#define GUEST_RIP 0x681e
#define GUEST_RFLAGS 0x6820
#define GUEST_PENDING_DBG_EXCEPTIONS 0x6822
#define GUEST_SYSENTER_ESP 0x6824
#define GUEST_SYSENTER_EIP 0x6826
#define HOST_CR0 0x6c00
#define HOST_CR3 0x6c02
#define HOST_CR4 0x6c04
#define HOST_FS_BASE 0x6c06
#define HOST_GS_BASE 0x6c08
#define HOST_TR_BASE 0x6c0a
#define HOST_GDTR_BASE 0x6c0c
#define HOST_IDTR_BASE 0x6c0e
#define HOST_SYSENTER_ESP 0x6c10
#define HOST_SYSENTER_EIP 0x6c12
#define HOST_RSP 0x6c14
#define HOST_RIP 0x6c16

/* Segment registers in the order of the VMCS (and of x86 encodings). */
#define VMX_SEG_ES 0
#define VMX_SEG_CS 1
#define VMX_SEG_SS 2
#define VMX_SEG_DS 3
#define VMX_SEG_FS 4
#define VMX_SEG_GS 5
#define VMX_SEG_LDTR 6
#define VMX_SEG_TR 7

/* Access rights (25.4.1, table 25-2). */
#define AR_L (1u << 13)
#define AR_DB (1u << 14)
#define AR_UNUSABLE (1u << 16)

/* Pin-based controls (25.6.1). */
#define PIN_EXTINT_EXITING (1u << 0)
#define PIN_NMI_EXITING (1u << 3)
#define PIN_VIRTUAL_NMIS (1u << 5)

/* Primary processor-based controls (25.6.2, table 25-6). */
#define CPU_INTR_WINDOW_EXITING (1u << 2)
#define CPU_TSC_OFFSETTING (1u << 3)
#define CPU_HLT_EXITING (1u << 7)
#define CPU_INVLPG_EXITING (1u << 9)
#define CPU_MWAIT_EXITING (1u << 10)
#define CPU_RDPMC_EXITING (1u << 11)
#define CPU_RDTSC_EXITING (1u << 12)
#define CPU_CR3_LOAD_EXITING (1u << 15)
#define CPU_CR3_STORE_EXITING (1u << 16)
#define CPU_CR8_LOAD_EXITING (1u << 19)
#define CPU_CR8_STORE_EXITING (1u << 20)
#define CPU_TPR_SHADOW (1u << 21)
#define CPU_NMI_WINDOW_EXITING (1u << 22)
#define CPU_MOV_DR_EXITING (1u << 23)
#define CPU_UNCOND_IO_EXITING (1u << 24)
#define CPU_USE_IO_BITMAPS (1u << 25)
#define CPU_USE_MSR_BITMAPS (1u << 28)
#define CPU_MONITOR_EXITING (1u << 29)
#define CPU_PAUSE_EXITING (1u << 30)
#define CPU_SECONDARY (1u << 31)

/* Secondary processor-based controls (25.6.2, table 25-7). */
#define CPU2_EPT (1u << 1)
#define CPU2_RDTSCP (1u << 3)
#define CPU2_VPID (1u << 5)
#define CPU2_WBINVD_EXITING (1u << 6)
#define CPU2_UNRESTRICTED (1u << 7)

/* VM-exit controls (25.7.1). */
#define EXIT_SAVE_DEBUG (1u << 2)
#define EXIT_HOST_ADDR_SPACE_SIZE (1u << 9)
#define EXIT_ACK_INTR (1u << 15)
#define EXIT_SAVE_PAT (1u << 18)
#define EXIT_LOAD_PAT (1u << 19)
#define EXIT_SAVE_EFER (1u << 20)
#define EXIT_LOAD_EFER (1u << 21)

/* VM-entry controls (25.8.1). */
#define ENTRY_LOAD_DEBUG (1u << 2)
#define ENTRY_IA32E_MODE (1u << 9)
#define ENTRY_LOAD_PAT (1u << 14)
#define ENTRY_LOAD_EFER (1u << 15)

/* Interruption information (25.8.3 entry, 25.9.2 exit, 25.9.3 IDT). */
#define INTR_INFO_VALID (1u << 31)
#define INTR_INFO_DELIVER_ERR (1u << 11)
#define INTR_INFO_TYPE_SHIFT 8
#define INTR_TYPE_EXTINT 0
#define INTR_TYPE_NMI 2
#define INTR_TYPE_HW_EXCEPTION 3
#define INTR_TYPE_SW_INT 4
#define INTR_TYPE_PRIV_SW_EXCEPTION 5
#define INTR_TYPE_SW_EXCEPTION 6

/* Guest interruptibility state (25.4.2, table 25-3). */
#define INTERRUPTIBILITY_STI (1u << 0)
#define INTERRUPTIBILITY_MOV_SS (1u << 1)
#define INTERRUPTIBILITY_NMI (1u << 3)

/* Basic exit reasons (appendix C); bit 31 of the field: entry failed. */
#define EXIT_REASON_EXCEPTION_NMI 0
#define EXIT_REASON_EXTINT 1
#define EXIT_REASON_TRIPLE_FAULT 2
#define EXIT_REASON_INIT 3
#define EXIT_REASON_SIPI 4
#define EXIT_REASON_SMI 6
#define EXIT_REASON_INTR_WINDOW 7
#define EXIT_REASON_NMI_WINDOW 8
#define EXIT_REASON_TASK_SWITCH 9
#define EXIT_REASON_CPUID 10
#define EXIT_REASON_GETSEC 11
#define EXIT_REASON_HLT 12
#define EXIT_REASON_INVD 13
#define EXIT_REASON_INVLPG 14
#define EXIT_REASON_RDPMC 15
#define EXIT_REASON_RDTSC 16
#define EXIT_REASON_VMCALL 18
#define EXIT_REASON_VMCLEAR 19
#define EXIT_REASON_VMXON 27
#define EXIT_REASON_CR_ACCESS 28
#define EXIT_REASON_DR_ACCESS 29
#define EXIT_REASON_IO 30
#define EXIT_REASON_RDMSR 31
#define EXIT_REASON_WRMSR 32
#define EXIT_REASON_INVALID_GUEST_STATE 33
#define EXIT_REASON_MSR_LOADING 34
#define EXIT_REASON_MWAIT 36
#define EXIT_REASON_MONITOR 39
#define EXIT_REASON_PAUSE 40
#define EXIT_REASON_MCE_DURING_ENTRY 41
#define EXIT_REASON_TPR_BELOW_THRESHOLD 43
#define EXIT_REASON_EPT_VIOLATION 48
#define EXIT_REASON_EPT_MISCONFIG 49
#define EXIT_REASON_INVEPT 50
#define EXIT_REASON_RDTSCP 51
#define EXIT_REASON_INVVPID 53
#define EXIT_REASON_WBINVD 54
#define EXIT_REASON_XSETBV 55
#define EXIT_REASON_ENTRY_FAILED (1u << 31)

#endif
