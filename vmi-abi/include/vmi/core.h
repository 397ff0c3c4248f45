/* SPDX-License-Identifier: MIT */
/*
 * vmi/core.h - discovery, the ROM, the calling convention, the core calls
 * (version, features, declare, multicall, shutdown).  Section "core",
 * version 1.0.  docs/vmi-abi.md is the full description.
 *
 * Discovery (CPUID, all leaves answered only when leaf 0x40000000 carries
 * the signature of vmi/version.h):
 *
 *   0x40000001  EAX  ABI version, major << 16 | minor
 *               EBX  container: VMI_CONTAINER_*
 *   0x40000002  EAX  MSR index that takes the ROM's address (VMI_MSR_ROM)
 *               EBX  ROM size in 4 KiB pages (1 in v1)
 *               ECX  feature word 0 (VMI_F_*)
 *               EDX  feature word 1 (none defined in v1: 0)
 *   0x40000003  EAX  versions of sections core (bits 15:0) and vcpu (31:16)
 *               EBX  time (15:0) and events (31:16)
 *               ECX  mmu (15:0) and memory (31:16)
 *               EDX  console (15:0); each as major << 8 | minor, 0 = absent
 *   0x40000010  EAX  TSC frequency in kHz, EBX  LAPIC bus frequency in kHz
 *
 * The ROM: the guest writes (guest-physical address | VMI_ROM_ENABLE) to
 * VMI_MSR_ROM; the address must be 4 KiB aligned and in the guest's RAM,
 * else the write raises #GP.  The hypervisor then fills that page with a
 * struct vmi_rom_header followed by one entry point per call number, each
 * VMI_ROM_ENTRY_SIZE bytes, at VMI_ROM_ENTRY(call).  The guest maps the
 * page executable and calls an entry; it never issues a hypercall
 * instruction of its own.  Writing 0 detaches the ROM (its page is left as
 * it is; calls through it then fail with #UD).  Reads return the value
 * last written.
 *
 * Calling convention (64-bit mode): the entry is a function of up to five
 * arguments in RDI, RSI, RDX, RCX, R8 (the System V order, so a C
 * prototype works); the result is in RAX.  All other registers, including
 * R9-R11, are preserved; RFLAGS.CF/ZF/SF/OF/AF/PF are undefined.
 * In 32-bit protected mode: arguments in EBX, ECX, EDX, ESI, EDI, result
 * in EAX (64-bit arguments do not fit: calls that take one say how to
 * split it), other registers preserved.  Real and 16-bit modes: #UD.
 *
 * Results: >= 0 on success (0 unless the call says otherwise), or a
 * negative VMI_E* code from vmi/errno.h.  An unknown call number returns
 * -VMI_ENOSYS; a call of a section the guest has not declared returns
 * -VMI_EPERM; any call from CPL > 0 returns -VMI_EPERM.
 */
#ifndef VMI_CORE_H
#define VMI_CORE_H

#include <stdint.h>
#include <stddef.h>
#include "version.h"
#include "errno.h"

#define VMI_CPUID_ROM 0x40000002u
#define VMI_CPUID_SECTIONS 0x40000003u
#define VMI_CPUID_TIMING 0x40000010u

/* CPUID 0x40000001 EBX: the container the guest runs in. */
#define VMI_CONTAINER_HV_SVM 1u /* AMD-V with nested paging */
#define VMI_CONTAINER_HV_VMX 2u /* VT-x with EPT */
#define VMI_CONTAINER_DEPRIV 3u /* deprivileged / binary translation */

/* CPUID 0x40000002 ECX: feature word 0. */
#define VMI_F_ROM (1u << 0) /* the ROM MSR works */
#define VMI_F_HW_MMU (1u << 1) /* guest page tables are used as they are:
				 * MMU updates, pinning and base loads are
				 * not needed (they still work) */
#define VMI_F_TIMER (1u << 2) /* per-vCPU one-shot timer */
#define VMI_F_EVENTS (1u << 3) /* event channels */
#define VMI_F_STOLEN (1u << 4) /* stolen time in the vCPU area */
#define VMI_F_BALLOON (1u << 5) /* memory can be given back and taken */

/* The ROM MSR, in trivisor's MSR range 0x54560000-0x545600ff ("TV"). */
#define VMI_MSR_ROM 0x54560000u
#define VMI_ROM_ENABLE ((uint64_t)1)

/* Sections, for VMI_CALL_DECLARE and CPUID 0x40000003. */
#define VMI_SECTION_CORE 0u
#define VMI_SECTION_VCPU 1u
#define VMI_SECTION_TIME 2u
#define VMI_SECTION_EVENTS 3u
#define VMI_SECTION_MMU 4u
#define VMI_SECTION_MEMORY 5u
#define VMI_SECTION_CONSOLE 6u
#define VMI_NR_SECTIONS 7u

/* Section versions in this header set, major << 8 | minor. */
#define VMI_SECTION_VERSION(major, minor) (((major) << 8) | (minor))

/* Call numbers: each section owns a block of 16. */
#define VMI_NR_CALLS 128u
#define VMI_CALL_SECTION(call) ((call) >> 4)

/* --- core calls (section 0) --- */

/* () -> ABI version, major << 16 | minor. */
#define VMI_CALL_VERSION 0u
/* (word) -> feature word @word (0 or 1); -VMI_EINVAL for others. */
#define VMI_CALL_FEATURES 1u
/*
 * (section, version) -> 0: the guest uses @section at @version (major << 8
 * | minor).  -VMI_EOPNOTSUPP when the major differs from the hypervisor's
 * or the minor is newer; -VMI_EINVAL for an unknown section.  Calls of a
 * section other than core return -VMI_EPERM until it is declared.
 * Declaring again with a compatible version is harmless.
 */
#define VMI_CALL_DECLARE 2u
/*
 * (entries_gpa, count) -> count: performs @count struct vmi_multicall
 * entries in order, each result in its own entry.  -VMI_E2BIG above
 * VMI_MULTICALL_MAX, -VMI_EFAULT when the array is not in the guest's
 * RAM (nothing done then).  A nested multicall gets -VMI_EINVAL in its
 * entry; an entry with non-zero flags gets -VMI_EINVAL.
 */
#define VMI_CALL_MULTICALL 3u
/* (reason) -> does not return on success; -VMI_EINVAL for an unknown
 * reason.  The domain ends; the toolstack sees the reason. */
#define VMI_CALL_SHUTDOWN 4u
/*
 * (gpa) -> 0: the shared page (struct vmi_shared_info) is the 4 KiB
 * aligned page of guest RAM at @gpa from now on; the hypervisor clears it
 * (events all pending-clear and masked) and keeps the wall clock in it.
 * 0 detaches it.  -VMI_EINVAL misaligned, -VMI_EFAULT not guest RAM.
 */
#define VMI_CALL_SHARED_PAGE 5u
/* 6-15: reserved. */

#define VMI_SHUTDOWN_POWEROFF 0u
#define VMI_SHUTDOWN_REBOOT 1u
#define VMI_SHUTDOWN_CRASH 2u

#define VMI_MULTICALL_MAX 64u

/* One multicall entry.  IN: call, flags (must be 0), args; OUT: result. */
struct vmi_multicall {
	uint32_t call;
	uint32_t flags;
	uint64_t args[5];
	int64_t result;
};
VMI_STATIC_ASSERT(sizeof(struct vmi_multicall) == 56, multicall_size);
VMI_STATIC_ASSERT(offsetof(struct vmi_multicall, args) == 8,
		  multicall_args);
VMI_STATIC_ASSERT(offsetof(struct vmi_multicall, result) == 48,
		  multicall_result);

/*
 * Wall-clock time at system time 0 (the pvclock convention): the current
 * time of day is this plus the system time of vmi/time.h.  The hypervisor
 * makes @version odd while it writes, even after; a reader retries while
 * it is odd or changed.
 */
struct vmi_wallclock {
	uint32_t version;
	uint32_t sec; /* seconds since 1970-01-01 00:00 UTC */
	uint32_t nsec;
	uint32_t reserved; /* zero */
};
VMI_STATIC_ASSERT(sizeof(struct vmi_wallclock) == 16, wallclock_size);

/* Event channel ports: 0 is never valid; 1..VMI_NR_EVENTS-1. */
#define VMI_NR_EVENTS 1024u
#define VMI_EVENT_WORDS (VMI_NR_EVENTS / 64u)

/*
 * The shared page.  evtchn_pending: bit p set = port p has an event (the
 * hypervisor sets, the guest clears with an atomic AND); evtchn_mask: bit
 * p set = port p is masked (the guest sets and clears; VMI_CALL_EVTCHN_
 * UNMASK clears and re-raises a pending event).  All bits are little-
 * endian 64-bit words, bit p in word p / 64, bit p % 64.
 */
struct vmi_shared_info {
	uint64_t evtchn_pending[VMI_EVENT_WORDS]; /* OUT, guest clears */
	uint64_t evtchn_mask[VMI_EVENT_WORDS]; /* IN */
	struct vmi_wallclock wallclock; /* OUT */
	uint8_t reserved[4096 - 2 * 8 * VMI_EVENT_WORDS - 16];
};
VMI_STATIC_ASSERT(sizeof(struct vmi_shared_info) == 4096, shared_size);
VMI_STATIC_ASSERT(offsetof(struct vmi_shared_info, evtchn_mask) == 128,
		  shared_mask);
VMI_STATIC_ASSERT(offsetof(struct vmi_shared_info, wallclock) == 256,
		  shared_wallclock);

/* The ROM page. */
/* "VMIROM\0\0" as a little-endian 64-bit word. */
#define VMI_ROM_MAGIC (((uint64_t)0x00004d4fu << 32) | 0x52494d56u)
#define VMI_ROM_ENTRY_SIZE 16u
#define VMI_ROM_ENTRIES_OFFSET 64u
#define VMI_ROM_ENTRY(call) \
	(VMI_ROM_ENTRIES_OFFSET + (call) * VMI_ROM_ENTRY_SIZE)

struct vmi_rom_header {
	uint64_t magic; /* VMI_ROM_MAGIC */
	uint32_t version; /* ABI version, as VMI_CALL_VERSION returns */
	uint32_t container; /* VMI_CONTAINER_* */
	uint32_t nr_calls; /* VMI_NR_CALLS: entries that follow */
	uint32_t entry_size; /* VMI_ROM_ENTRY_SIZE */
	uint32_t features[2]; /* as VMI_CALL_FEATURES returns */
	uint8_t reserved[32]; /* zero */
};
VMI_STATIC_ASSERT(sizeof(struct vmi_rom_header) == VMI_ROM_ENTRIES_OFFSET,
		  rom_header_size);
VMI_STATIC_ASSERT(VMI_ROM_ENTRY(VMI_NR_CALLS) <= 4096u, rom_fits_page);

#endif /* VMI_CORE_H */
