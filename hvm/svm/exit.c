/*
 * Turning a #VMEXIT into struct hvm_exit (AMD APM vol. 2, 15.6 and
 * appendix C).  Exits that need no vendor-neutral decision (reflecting
 * #DB/#AC, refusing SVM instructions, EFER and PAT accesses) are handled
 * here and reported as HVM_EXIT_NONE.
 */
#include "svm.h"
#include <trivisor/cpu.h>
#include <trivisor/log.h>
#include <hvm/run.h>
#include <hvm/insnlen.h>
#include <bt/decode.h>
#include <string.h>

#define MSR_EFER_NUM 0xc0000080
#define MSR_PAT_NUM 0x277

static void inject_ud(struct vcpu *v)
{
	hvm_ops.inject_event(v, HVM_EVENT_EXCEPTION, 6, false, 0);
}

/* A base or entry-point MSR whose writes are intercepted
 * (svm_vcpu_create()) into its VMCB field. */
static void base_msr_store(struct vmcb *vmcb, uint32_t msr, uint64_t val)
{
	switch (msr) {
	case 0xc0000100: vmcb->save.fs.base = val; break;
	case 0xc0000101: vmcb->save.gs.base = val; break;
	case 0xc0000102: vmcb->save.kernel_gs_base = val; break;
	case 0xc0000082: vmcb->save.lstar = val; break;
	case 0xc0000083: vmcb->save.cstar = val; break;
	case 0x175: vmcb->save.sysenter_esp = val; break;
	case 0x176: vmcb->save.sysenter_eip = val; break;
	default: break;
	}
}

/*
 * The length of the intercepted instruction, checked against the one
 * decoded at RIP (hvm/insnlen.h): with next-RIP save (CPUID 8000_000A
 * EDX[3]) the VMCB's NextRIP says it (APM vol. 2, 15.7.1); without it
 * the decoder alone does, since an assumed unprefixed length (2 for
 * CPUID) is wrong for "2e 0f a2".
 */
static unsigned int insn_len(struct vcpu *v)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;

	return hvm_insn_len(v, svm_nrips, vmcb->ctl.next_rip - vmcb->save.rip);
}

/* EFER and PAT live in the VMCB; EFER.SVME must stay set for VMRUN but
 * is hidden from the guest, which sees no SVM (15.5.1 consistency).
 * Writes of the base MSRs go there too, once hvm_msr_base_write() has
 * refused what the CPU would. */
static bool vmcb_msr(struct vcpu *v, uint32_t msr, bool write,
		     unsigned int len)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
	int base = write ? hvm_msr_base_write(msr, &val) : 0;

	if (base < 0) {
		hvm_ops.inject_event(v, HVM_EVENT_EXCEPTION, 13, true, 0);
		return true;
	} else if (base > 0) {
		base_msr_store(vmcb, msr, val);
	} else if (msr == MSR_EFER_NUM) {
		if (!write) {
			val = vmcb->save.efer & ~(uint64_t)EFER_SVME;
		} else if ((val & ~HVM_EFER_GUEST_BITS) ||
			   !hvm_efer_write_ok(svm_features(v),
					      vmcb->save.efer, val,
					      vmcb->save.cr0)) {
			/* VMRUN would accept some of these and not others
			 * (APM vol. 2, 15.5.1): fault them all here. */
			hvm_ops.inject_event(v, HVM_EVENT_EXCEPTION, 13, true, 0);
			return true;
		} else {
			vmcb->save.efer = (val & ~HVM_EFER_LMA) |
					  (vmcb->save.efer & HVM_EFER_LMA) |
					  EFER_SVME;
		}
	} else if (msr == MSR_PAT_NUM) {
		if (!write) {
			val = vmcb->save.g_pat;
		} else if (!hvm_pat_valid(val)) {
			hvm_ops.inject_event(v, HVM_EVENT_EXCEPTION, 13, true, 0);
			return true;
		} else {
			vmcb->save.g_pat = val;
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
 * RDI R8-R15) in struct vcpu_regs. */
static uint64_t *gpr(struct vcpu *v, unsigned int n)
{
	static const uint8_t slot[8] = { 0, 2, 3, 1, 7, 6, 4, 5 };
	uint64_t *r = &v->regs.rax;

	return &r[n < 8 ? slot[n] : n];
}

/*
 * MOV to CR4 (the only CR4 write, APM vol. 3 "MOV CRn"): the source
 * register from DecodeAssists' EXITINFO1 (bit 63 valid, 3:0 the GPR;
 * APM vol. 2, 15.33) or from the decoded instruction.  The value is
 * checked against the guest's CPUID (#GP as the manual has it) and put
 * in the VMCB; a change of a paging bit flushes the guest's TLB, as the
 * write would have on the CPU (SDM vol. 3A, 4.10.4.1).
 */
static void cr4_write(struct vcpu *v, uint64_t info1)
{
	struct svm_vcpu *s = to_svm(v);
	struct vmcb *vmcb = s->vmcb;
	struct bt_insn in;
	unsigned int reg;
	uint64_t val, old = vmcb->save.cr4;

	if (hvm_decode_at_rip(v, &in) || in.map != BT_MAP_0F ||
	    in.opcode != 0x22 || in.reg != 4) {
		domain_crash(v->dom, "CR4 write intercepted at rip %#lx, but "
			     "no MOV to CR4 decodes there", v->regs.rip);
		return;
	}
	reg = (info1 >> 63) ? (unsigned int)(info1 & 15) : in.rm;
	val = *gpr(v, reg & 15);
	if (hvm_ops.guest_mode(v) != HVM_MODE_LONG64)
		val = (uint32_t)val;
	if (vmcb->save.cpl ||
	    !hvm_cr4_write_ok(svm_features(v), old, val,
			      vmcb->save.efer & HVM_EFER_LMA, vmcb->save.cr3)) {
		hvm_ops.inject_event(v, HVM_EVENT_EXCEPTION, 13, true, 0);
		return;
	}
	vmcb->save.cr4 = val;
	if ((old ^ val) & HVM_CR4_TLB_BITS)
		asid_flush(&s->asid);
	hvm_ops.skip_insn(v, in.len);
}

void svm_decode_exit(struct vcpu *v, struct hvm_exit *x)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;
	uint64_t code = vmcb->ctl.exit_code;
	uint64_t i1 = vmcb->ctl.exit_info1, i2 = vmcb->ctl.exit_info2;

	/* VMEXIT_INVALID is -1 (APM vol. 2, appendix C); QEMU stores it
	 * as a 32-bit -1. */
	if (code == 0xffffffffull)
		code = VMEXIT_INVALID;
	memset(x, 0, sizeof(*x));
	x->raw = code;
	x->raw_info.info1 = i1;
	x->raw_info.info2 = i2;

	/* An event cut short by the exit is delivered again (15.7.2). */
	if (vmcb->ctl.exit_int_info & EVTINJ_VALID)
		vmcb->ctl.event_inj = vmcb->ctl.exit_int_info;
	else
		vmcb->ctl.event_inj = 0;
	svm_nmi_exit(v);

	switch (code) {
	case VMEXIT_INTR:
	case VMEXIT_SMI:
	case VMEXIT_INIT:
		x->reason = HVM_EXIT_EXTINT;
		break;
	case VMEXIT_NMI:
		x->reason = HVM_EXIT_NMI;
		break;
	case VMEXIT_IRET:
		/* The intercept comes before the IRET runs (15.9): note where
		 * it is; the first exit elsewhere ends the NMI blocking.  An
		 * IRET that faults ends it too, at the fault handler: a guest
		 * NMI waits at most until that handler's first exit longer
		 * than a CPU would hold it.  Only the first IRET is needed. */
		to_svm(v)->iret_pending = true;
		to_svm(v)->iret_rip = vmcb->save.rip;
		vmcb->ctl.intercept1 &= ~INTERCEPT_IRET;
		x->reason = HVM_EXIT_NONE;
		break;
	case VMEXIT_VINTR:
		x->reason = HVM_EXIT_INTR_WINDOW;
		break;
	case VMEXIT_CPUID:
		x->reason = HVM_EXIT_CPUID;
		x->insn_len = (uint8_t)insn_len(v);
		break;
	case VMEXIT_XSETBV: /* the run loop checks it */
		x->reason = HVM_EXIT_XSETBV;
		x->insn_len = (uint8_t)insn_len(v);
		break;
	case VMEXIT_HLT:
		x->reason = HVM_EXIT_HLT;
		x->insn_len = (uint8_t)insn_len(v);
		break;
	case VMEXIT_PAUSE:
		x->reason = HVM_EXIT_PAUSE;
		x->insn_len = (uint8_t)insn_len(v);
		break;
	case VMEXIT_INVD:
	case VMEXIT_WBINVD:
		/*
		 * The caches are the host's, and shared with other domains:
		 * INVD would discard their dirty lines, WBINVD stall the CPU
		 * for the guest's asking.  Guest memory is write-back and
		 * every device is emulated by the CPU (no DMA that misses
		 * the caches), so neither has anything to do: a no-op,
		 * counted (APM vol. 2, 15.9 intercepts both).
		 */
		to_svm(v)->cache_insns++;
		hvm_ops.skip_insn(v, insn_len(v));
		x->reason = HVM_EXIT_NONE;
		break;
	case VMEXIT_IOIO:
		/* EXITINFO1 (15.10.2): type, STR, REP, size, port; EXITINFO2
		 * is the next RIP even without next-RIP save. */
		x->reason = HVM_EXIT_IO;
		x->io.in = i1 & 1;
		x->io.string = i1 & (1u << 2);
		x->io.rep = i1 & (1u << 3);
		x->io.size = (i1 & (1u << 4)) ? 1 : (i1 & (1u << 5)) ? 2 : 4;
		x->io.port = (uint16_t)(i1 >> 16);
		/* EXITINFO2 is the next RIP (15.10.2): checked like
		 * NextRIP; INS/OUTS are decoded by the emulator. */
		if (!x->io.string)
			x->insn_len = (uint8_t)hvm_insn_len(v, true,
							    i2 - vmcb->save.rip);
		break;
	case VMEXIT_MSR:
		x->insn_len = (uint8_t)insn_len(v);
		if (vmcb_msr(v, (uint32_t)v->regs.rcx, i1 & 1, x->insn_len)) {
			x->reason = HVM_EXIT_NONE;
			break;
		}
		x->reason = HVM_EXIT_MSR;
		x->msr.index = (uint32_t)v->regs.rcx;
		x->msr.write = i1 & 1;
		break;
	case VMEXIT_NPF:
		/* EXITINFO1 is a page-fault error code, EXITINFO2 the GPA
		 * (15.25.6). */
		x->reason = HVM_EXIT_NPF;
		x->npf.gpa = i2;
		x->npf.present = i1 & 1;
		x->npf.write = i1 & 2;
		x->npf.fetch = i1 & 16;
		break;
	case VMEXIT_VMMCALL:
		x->reason = HVM_EXIT_VMCALL;
		x->insn_len = (uint8_t)insn_len(v);
		break;
	case VMEXIT_SHUTDOWN:
		x->reason = HVM_EXIT_SHUTDOWN;
		break;
	case VMEXIT_CR4_WRITE:
		cr4_write(v, i1);
		x->reason = HVM_EXIT_NONE;
		break;
	case VMEXIT_EXCP_BASE + 1: /* #DB */
	case VMEXIT_EXCP_BASE + 17: /* #AC */
		/* Intercepted only so a guest cannot wedge the CPU in an
		 * endless exception delivery loop; give them back. */
		hvm_ops.inject_event(v, HVM_EVENT_EXCEPTION,
				     (uint8_t)(code - VMEXIT_EXCP_BASE),
				     code == VMEXIT_EXCP_BASE + 17, (uint32_t)i1);
		x->reason = HVM_EXIT_NONE;
		break;
	case VMEXIT_EXCP_BASE + 18:
		x->reason = HVM_EXIT_EXCEPTION;
		x->exc.vector = 18;
		break;
	case VMEXIT_VMRUN:
	case VMEXIT_VMLOAD:
	case VMEXIT_VMSAVE:
	case VMEXIT_STGI:
	case VMEXIT_CLGI:
	case VMEXIT_SKINIT:
	case VMEXIT_INVLPGA:
	case VMEXIT_MONITOR:
	case VMEXIT_MWAIT:
	case VMEXIT_RDTSCP:
		/* Not offered in CPUID: #UD, as on a CPU without them. */
		inject_ud(v);
		x->reason = HVM_EXIT_NONE;
		break;
	case VMEXIT_INVALID:
		x->reason = HVM_EXIT_ENTRY_FAILED;
		break;
	default:
		x->reason = HVM_EXIT_UNHANDLED;
		break;
	}
}
