/*
 * Turning a VM exit into struct hvm_exit (SDM vol. 3C, chapter 27 and
 * vol. 3D, appendix C), and event injection (26.6).  Exits that need no
 * vendor-neutral decision (reflecting #DB/#AC, refusing VMX instructions,
 * CR0/CR4 writes, EFER and PAT accesses, the NMI window) are handled here
 * and reported as HVM_EXIT_NONE.
 */
#include "vmx.h"
#include <trivisor/cpu.h>
#include <trivisor/log.h>
#include <hvm/run.h>
#include <hvm/insnlen.h>
#include <string.h>

#define MSR_EFER_NUM 0xc0000080
#define MSR_PAT_NUM 0x277

/* Error codes exist for #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP. */
static bool has_error_code(uint8_t vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 ||
	       vector == 21;
}

/*
 * HVM_EVENT_* types are numbered as VMX interruption types (25.8.3):
 * external interrupt 0, NMI 2, hardware exception 3, software interrupt 4.
 */
void vmx_inject(struct vcpu *v, unsigned int type, uint8_t vector,
		bool has_err, uint32_t err)
{
	struct vmx_vcpu *s = to_vmx(v);

	if (type == HVM_EVENT_NMI) {
		/* 26.3.1.5: an NMI cannot be injected while NMIs, STI or
		 * MOV SS block it; the NMI window says when (25.6.2). */
		if (vmcs_read(GUEST_INTERRUPTIBILITY) &
		    (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS |
		     INTERRUPTIBILITY_NMI)) {
			s->nmi_pending = true;
			s->proc |= CPU_NMI_WINDOW_EXITING;
			vmcs_write(CPU_BASED_VM_EXEC_CONTROL, s->proc);
			return;
		}
		s->nmi_pending = false;
	}
	/* 26.2.1.3: no error code in real mode (unrestricted guest), and
	 * only for the vectors that have one. */
	if (!(vmcs_read(GUEST_CR0) & CR0_PE) || !has_error_code(vector) ||
	    type != HVM_EVENT_EXCEPTION)
		has_err = false;
	s->inject_info = INTR_INFO_VALID | vector |
			 (type << INTR_INFO_TYPE_SHIFT) |
			 (has_err ? INTR_INFO_DELIVER_ERR : 0);
	s->inject_err = err;
	s->inject_len = 0;
}

/*
 * VM_EXIT_INSTRUCTION_LEN (SDM vol. 3C, 28.2.5), checked against the
 * instruction decoded at RIP (hvm/insnlen.h).
 */
static unsigned int insn_len(struct vcpu *v)
{
	return hvm_insn_len(v, true, vmcs_read(VM_EXIT_INSTRUCTION_LEN));
}

static void inject_ud(struct vcpu *v)
{
	vmx_inject(v, HVM_EVENT_EXCEPTION, 6, false, 0);
}

static void inject_gp(struct vcpu *v)
{
	vmx_inject(v, HVM_EVENT_EXCEPTION, 13, true, 0);
}

/* EFER and PAT live in the VMCS guest-state area (load/save controls). */
static bool vmcs_msr(struct vcpu *v, uint32_t msr, bool write,
		     unsigned int len)
{
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;

	if (msr == MSR_EFER_NUM) {
		uint64_t cur = vmcs_read(GUEST_IA32_EFER);

		if (!write) {
			val = cur;
		} else if ((val & ~HVM_EFER_GUEST_BITS) ||
			   !hvm_efer_write_ok(vmx_features(v), cur, val,
					      vmcs_read(GUEST_CR0))) {
			/* LME changed under paging would leave LMA and the
			 * IA-32e entry control at odds and fail the next
			 * entry (26.3.1.1): #GP, as the CPU would. */
			inject_gp(v);
			return true;
		} else {
			vmcs_write(GUEST_IA32_EFER, (val & ~HVM_EFER_LMA) |
							    (cur & HVM_EFER_LMA));
		}
	} else if (msr == MSR_PAT_NUM) {
		if (!write) {
			val = vmcs_read(GUEST_IA32_PAT);
		} else if (!hvm_pat_valid(val)) {
			inject_gp(v);
			return true;
		} else {
			vmcs_write(GUEST_IA32_PAT, val);
		}
	} else {
		return false;
	}
	if (!write) {
		v->regs.rax = (uint32_t)val;
		v->regs.rdx = val >> 32;
	}
	hvm_ops.skip_insn(v, len);
	return true;
}

/* General register n as the CPU numbers it (RAX RCX RDX RBX RSP RBP RSI
 * RDI R8-R15; table 28-3) in struct vcpu_regs. */
static uint64_t *gpr(struct vcpu *v, unsigned int n)
{
	static const uint8_t slot[8] = { 0, 2, 3, 1, 7, 6, 4, 5 };
	uint64_t *r = &v->regs.rax;

	return &r[n < 8 ? slot[n] : n];
}

/* Control-register accesses (27.2.1, table 28-3): only MOV to CR0/CR4
 * exits, when it changes a bit the CR masks keep (NE, VMXE, ...). */
static bool cr_access(struct vcpu *v, uint64_t qual)
{
	unsigned int cr = qual & 15, type = (qual >> 4) & 3;
	uint64_t val;

	if (type != 0 || (cr != 0 && cr != 4))
		return false;
	val = *gpr(v, (qual >> 8) & 15);
	if (hvm_ops.guest_mode(v) != HVM_MODE_LONG64)
		val = (uint32_t)val;
	if (cr == 0 ? vmx_set_cr0(v, val) : vmx_set_cr4(v, val)) {
		inject_gp(v);
		return true;
	}
	hvm_ops.skip_insn(v, insn_len(v));
	return true;
}

/* An event cut short by the exit is delivered again (27.2.4, 26.6.1). */
static void requeue_vectoring(struct vmx_vcpu *s)
{
	uint32_t idt = (uint32_t)vmcs_read(IDT_VECTORING_INFO);
	unsigned int type = (idt >> INTR_INFO_TYPE_SHIFT) & 7;

	if (!(idt & INTR_INFO_VALID))
		return;
	s->inject_info = idt & (INTR_INFO_VALID | INTR_INFO_DELIVER_ERR |
				(7u << INTR_INFO_TYPE_SHIFT) | 0xffu);
	s->inject_err = (uint32_t)vmcs_read(IDT_VECTORING_ERROR_CODE);
	s->inject_len = type >= INTR_TYPE_SW_INT
				? (uint32_t)vmcs_read(VM_EXIT_INSTRUCTION_LEN)
				: 0;
}

static void exception_exit(struct vcpu *v, struct hvm_exit *x)
{
	uint32_t info = (uint32_t)vmcs_read(VM_EXIT_INTR_INFO);
	uint8_t vector = info & 0xff;

	if (((info >> INTR_INFO_TYPE_SHIFT) & 7) == INTR_TYPE_NMI) {
		x->reason = HVM_EXIT_NMI; /* the host's, taken in vmx.c */
		return;
	}
	/* A fault in IRET unblocked NMIs; the re-executed IRET must find
	 * them blocked again (27.2.3). */
	if ((info & (1u << 12)) && vector != 8)
		vmcs_write(GUEST_INTERRUPTIBILITY,
			   vmcs_read(GUEST_INTERRUPTIBILITY) |
				   INTERRUPTIBILITY_NMI);
	switch (vector) {
	case 1: {
		/* DR6 is the guest's on the CPU while it runs (debugreg.h):
		 * give it the bits the exit qualification reports (27.2.1,
		 * table 27-1). */
		uint64_t dr6 = 0xffff0ff0ull |
			       (vmcs_read(EXIT_QUALIFICATION) & 0x600full);

		asm volatile("mov %0, %%dr6" : : "r"(dr6));
		vmx_inject(v, HVM_EVENT_EXCEPTION, 1, false, 0);
		x->reason = HVM_EXIT_NONE;
		break;
	}
	case 17:
		/* Intercepted only so a guest cannot wedge the CPU in an
		 * endless exception delivery loop; give it back. */
		vmx_inject(v, HVM_EVENT_EXCEPTION, 17, true,
			   (uint32_t)vmcs_read(VM_EXIT_INTR_ERROR_CODE));
		x->reason = HVM_EXIT_NONE;
		break;
	case 18:
		x->reason = HVM_EXIT_EXCEPTION;
		x->exc.vector = 18;
		break;
	default:
		x->reason = HVM_EXIT_UNHANDLED;
		break;
	}
}

void vmx_decode_exit(struct vcpu *v, struct hvm_exit *x)
{
	struct vmx_vcpu *s = to_vmx(v);
	uint32_t reason = (uint32_t)vmcs_read(VM_EXIT_REASON);
	uint64_t qual = vmcs_read(EXIT_QUALIFICATION);

	memset(x, 0, sizeof(*x));
	x->raw = reason;
	x->raw_info.info1 = qual;
	x->raw_info.info2 = vmcs_read(GUEST_PHYSICAL_ADDRESS);

	if (reason & EXIT_REASON_ENTRY_FAILED) {
		/* 26.8: the guest state or MSR area was refused; the VMCS
		 * says which check, check.c says which field. */
		x->reason = HVM_EXIT_ENTRY_FAILED;
		vmx_explain_entry_failure(v->dom, v->id, 0, reason);
		return;
	}
	requeue_vectoring(s);

	switch (reason & 0xffff) {
	case EXIT_REASON_EXCEPTION_NMI:
		exception_exit(v, x);
		break;
	case EXIT_REASON_EXTINT:
	case EXIT_REASON_INIT:
	case EXIT_REASON_SMI:
		x->reason = HVM_EXIT_EXTINT;
		break;
	case EXIT_REASON_TRIPLE_FAULT:
		x->reason = HVM_EXIT_SHUTDOWN;
		break;
	case EXIT_REASON_INTR_WINDOW:
		x->reason = HVM_EXIT_INTR_WINDOW;
		break;
	case EXIT_REASON_NMI_WINDOW:
		s->proc &= ~CPU_NMI_WINDOW_EXITING;
		vmcs_write(CPU_BASED_VM_EXEC_CONTROL, s->proc);
		if (s->nmi_pending)
			vmx_inject(v, HVM_EVENT_NMI, 2, false, 0);
		x->reason = HVM_EXIT_NONE;
		break;
	case EXIT_REASON_CPUID:
		x->reason = HVM_EXIT_CPUID;
		x->insn_len = (uint8_t)insn_len(v);
		break;
	case EXIT_REASON_XSETBV: /* the run loop checks it */
		x->reason = HVM_EXIT_XSETBV;
		x->insn_len = (uint8_t)insn_len(v);
		break;
	case EXIT_REASON_HLT:
		x->reason = HVM_EXIT_HLT;
		x->insn_len = (uint8_t)insn_len(v);
		break;
	case EXIT_REASON_PAUSE:
		x->reason = HVM_EXIT_PAUSE;
		x->insn_len = (uint8_t)insn_len(v);
		break;
	case EXIT_REASON_INVD:
	case EXIT_REASON_WBINVD:
		/*
		 * The caches are the host's, and shared with other domains:
		 * INVD would discard their dirty lines, WBINVD stall the CPU
		 * for the guest's asking.  Guest memory is write-back and
		 * every device is emulated by the CPU (no DMA that misses
		 * the caches), so neither has anything to do: a no-op,
		 * counted.  INVD always exits, WBINVD with WBINVD exiting
		 * (25.1.3, 25.6.2).
		 */
		s->cache_insns++;
		hvm_ops.skip_insn(v, insn_len(v));
		x->reason = HVM_EXIT_NONE;
		break;
	case EXIT_REASON_VMCALL:
		x->reason = HVM_EXIT_VMCALL;
		x->insn_len = (uint8_t)insn_len(v);
		break;
	case EXIT_REASON_CR_ACCESS:
		x->reason = cr_access(v, qual) ? HVM_EXIT_NONE
						    : HVM_EXIT_UNHANDLED;
		break;
	case EXIT_REASON_IO:
		/* Qualification (27.2.1, table 27-5): size - 1, direction,
		 * string, REP, port. */
		x->reason = HVM_EXIT_IO;
		x->io.size = (uint8_t)((qual & 7) + 1);
		x->io.in = qual & (1u << 3);
		x->io.string = qual & (1u << 4);
		x->io.rep = qual & (1u << 5);
		x->io.port = (uint16_t)(qual >> 16);
		if (!x->io.string) /* INS/OUTS: the emulator decodes them */
			x->insn_len = (uint8_t)insn_len(v);
		break;
	case EXIT_REASON_RDMSR:
	case EXIT_REASON_WRMSR: {
		bool write = (reason & 0xffff) == EXIT_REASON_WRMSR;

		x->insn_len = (uint8_t)insn_len(v);
		if (vmcs_msr(v, (uint32_t)v->regs.rcx, write, x->insn_len)) {
			x->reason = HVM_EXIT_NONE;
			break;
		}
		x->reason = HVM_EXIT_MSR;
		x->msr.index = (uint32_t)v->regs.rcx;
		x->msr.write = write;
		break;
	}
	case EXIT_REASON_EPT_VIOLATION:
		/* Qualification (27.2.1, table 27-7): the access in 2:0,
		 * what the entry allowed in 5:3. */
		x->reason = HVM_EXIT_NPF;
		x->npf.gpa = x->raw_info.info2;
		x->npf.write = qual & 2;
		x->npf.fetch = qual & 4;
		x->npf.present = qual & 0x38;
		/* An IRET that faulted here had unblocked NMIs (bit 12;
		 * 27.2.3): block them again for its re-execution. */
		if ((qual & (1u << 12)) && !(s->inject_info & INTR_INFO_VALID))
			vmcs_write(GUEST_INTERRUPTIBILITY,
				   vmcs_read(GUEST_INTERRUPTIBILITY) |
					   INTERRUPTIBILITY_NMI);
		break;
	case EXIT_REASON_GETSEC:
	case EXIT_REASON_VMCALL + 1 ... EXIT_REASON_VMXON: /* VMCLEAR.. */
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_MWAIT:
	case EXIT_REASON_MONITOR:
	case EXIT_REASON_RDTSCP:
		/* Not offered in CPUID: #UD, as on a CPU without them. */
		inject_ud(v);
		x->reason = HVM_EXIT_NONE;
		break;
	default:
		x->reason = HVM_EXIT_UNHANDLED;
		break;
	}
}
