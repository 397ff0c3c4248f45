/*
 * Explaining a failed VM entry.
 *
 * The CPU says only which class of check failed: VM_INSTRUCTION_ERROR 7
 * or 8 for the control and host-state checks (SDM vol. 3C, 26.2), exit
 * reason 33 or 34 with a qualification for the guest-state and MSR-load
 * checks (26.3, 26.4, 26.8).  To name the field, the current VMCS is run
 * through the checks trivisor's own state could plausibly break, each
 * reported with the field, its value and the section; a report that names
 * nothing still gives the class and the qualification.
 */
#include "vmx.h"
#include <trivisor/cpu.h>
#include <trivisor/log.h>
#include <hvm/run.h>

static const char *const insn_errors[] = {
	[1] = "VMCALL in VMX root operation",
	[2] = "VMCLEAR with an invalid address",
	[3] = "VMCLEAR with the VMXON pointer",
	[4] = "VMLAUNCH with a non-clear VMCS",
	[5] = "VMRESUME with a non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control fields",
	[8] = "VM entry with invalid host-state fields",
	[9] = "VMPTRLD with an invalid address",
	[10] = "VMPTRLD with the VMXON pointer",
	[11] = "VMPTRLD with an incorrect VMCS revision",
	[12] = "VMREAD/VMWRITE of an unsupported field",
	[13] = "VMWRITE to a read-only field",
	[15] = "VMXON in VMX root operation",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

/* SDM vol. 3C, 31.4, table 31-1. */
const char *vmx_insn_error_name(uint32_t err)
{
	if (err < sizeof(insn_errors) / sizeof(insn_errors[0]) &&
	    insn_errors[err])
		return insn_errors[err];
	return "VM-instruction error (see SDM vol. 3C, 31.4)";
}

struct report {
	struct domain *d;
	unsigned int vcpu;
	unsigned int found;
};

#define BAD(r, fmt, ...)                                                     \
	do {                                                                 \
		log_dom(LOG_ERR, (r)->d, "vCPU %u: VMCS " fmt, (r)->vcpu,    \
			##__VA_ARGS__);                                      \
		(r)->found++;                                                \
	} while (0)

static void check_ctl(struct report *r, const char *name, uint32_t field,
		      uint64_t cap)
{
	uint32_t val = (uint32_t)vmcs_read(field);
	uint32_t must = (uint32_t)cap, may = (uint32_t)(cap >> 32);

	if ((val & must) != must || (val & ~may))
		BAD(r, "%s = %#x: the CPU requires bits %#x and allows only "
		    "%#x (26.2.1.1, A.3-A.5)", name, val, must, may);
}

static void check_controls(struct report *r)
{
	check_ctl(r, "PIN_BASED_VM_EXEC_CONTROL", PIN_BASED_VM_EXEC_CONTROL,
		  vmx_caps.pin_cap);
	check_ctl(r, "CPU_BASED_VM_EXEC_CONTROL", CPU_BASED_VM_EXEC_CONTROL,
		  vmx_caps.proc_cap);
	check_ctl(r, "SECONDARY_VM_EXEC_CONTROL", SECONDARY_VM_EXEC_CONTROL,
		  vmx_caps.proc2_cap);
	check_ctl(r, "VM_EXIT_CONTROLS", VM_EXIT_CONTROLS, vmx_caps.exit_cap);
	check_ctl(r, "VM_ENTRY_CONTROLS", VM_ENTRY_CONTROLS,
		  vmx_caps.entry_cap);
	if (vmcs_read(CR3_TARGET_COUNT) > 4)
		BAD(r, "CR3_TARGET_COUNT > 4 (26.2.1.1)");
	if ((vmcs_read(EPT_POINTER) & 0x38) != 0x18)
		BAD(r, "EPT_POINTER = %#lx: walk length is not 4 (26.2.1.1)",
		    vmcs_read(EPT_POINTER));
	if (vmx_caps.vpid && !vmcs_read(VIRTUAL_PROCESSOR_ID))
		BAD(r, "VIRTUAL_PROCESSOR_ID is 0 with VPIDs on (26.2.1.1)");
	if (vmcs_read(VM_ENTRY_INTR_INFO) & INTR_INFO_VALID) {
		uint64_t info = vmcs_read(VM_ENTRY_INTR_INFO);
		unsigned int type = (info >> INTR_INFO_TYPE_SHIFT) & 7;

		if (type == 1 || (type == INTR_TYPE_NMI && (info & 0xff) != 2))
			BAD(r, "VM_ENTRY_INTR_INFO = %#lx: bad type/vector "
			    "(26.2.1.3)", info);
		if ((info & INTR_INFO_DELIVER_ERR) &&
		    !(vmcs_read(GUEST_CR0) & CR0_PE))
			BAD(r, "VM_ENTRY_INTR_INFO = %#lx: error code in real "
			    "mode (26.2.1.3)", info);
	}
}

static void check_host(struct report *r)
{
	uint64_t cr0 = vmcs_read(HOST_CR0), cr4 = vmcs_read(HOST_CR4);

	if ((cr0 & vmx_caps.cr0_fixed0) != vmx_caps.cr0_fixed0 ||
	    (cr0 & ~vmx_caps.cr0_fixed1))
		BAD(r, "HOST_CR0 = %#lx breaks IA32_VMX_CR0_FIXED0/1 "
		    "(26.2.2)", cr0);
	if ((cr4 & vmx_caps.cr4_fixed0) != vmx_caps.cr4_fixed0 ||
	    (cr4 & ~vmx_caps.cr4_fixed1))
		BAD(r, "HOST_CR4 = %#lx breaks IA32_VMX_CR4_FIXED0/1 "
		    "(26.2.2)", cr4);
	for (uint32_t f = HOST_ES_SELECTOR; f <= HOST_TR_SELECTOR; f += 2)
		if (vmcs_read(f) & 7)
			BAD(r, "host selector field %#x = %#lx has RPL/TI set "
			    "(26.2.3)", f, vmcs_read(f));
	if (!vmcs_read(HOST_CS_SELECTOR) || !vmcs_read(HOST_TR_SELECTOR))
		BAD(r, "HOST_CS_SELECTOR or HOST_TR_SELECTOR is null "
		    "(26.2.3)");
	if (!(vmcs_read(VM_EXIT_CONTROLS) & EXIT_HOST_ADDR_SPACE_SIZE))
		BAD(r, "VM_EXIT_CONTROLS lacks host address-space size "
		    "(26.2.4)");
}

static void check_seg(struct report *r, const char *name, unsigned int seg,
		      bool unrestricted)
{
	uint32_t ar = (uint32_t)vmcs_read(GUEST_ES_AR + 2 * seg);
	uint32_t limit = (uint32_t)vmcs_read(GUEST_ES_LIMIT + 2 * seg);

	if (ar & AR_UNUSABLE) {
		if (seg == VMX_SEG_TR || seg == VMX_SEG_CS)
			BAD(r, "GUEST_%s_AR = %#x: %s cannot be unusable "
			    "(26.3.1.2)", name, ar, name);
		return;
	}
	if (ar & 0xfffe0f00u)
		BAD(r, "GUEST_%s_AR = %#x: reserved bits set (26.3.1.2)", name,
		    ar);
	if (!(ar & 0x80))
		BAD(r, "GUEST_%s_AR = %#x: not present (26.3.1.2)", name, ar);
	if ((limit & 0xfff) != 0xfff && (ar & (1u << 15)))
		BAD(r, "GUEST_%s_LIMIT = %#x with G set (26.3.1.2)", name,
		    limit);
	if ((limit >> 20) && !(ar & (1u << 15)))
		BAD(r, "GUEST_%s_LIMIT = %#x with G clear (26.3.1.2)", name,
		    limit);
	if (seg == VMX_SEG_TR && (ar & 0x1f) != 0x0b && (ar & 0x1f) != 0x03)
		BAD(r, "GUEST_TR_AR = %#x: not a busy TSS (26.3.1.2)", ar);
	if (seg == VMX_SEG_LDTR && (ar & 0x1f) != 0x02)
		BAD(r, "GUEST_LDTR_AR = %#x: not an LDT (26.3.1.2)", ar);
	if (seg < VMX_SEG_LDTR && !(ar & 1))
		BAD(r, "GUEST_%s_AR = %#x: accessed bit clear (26.3.1.2)",
		    name, ar);
	if (seg == VMX_SEG_CS && !unrestricted && !(ar & 8))
		BAD(r, "GUEST_CS_AR = %#x: not a code segment (26.3.1.2)", ar);
}

static void check_guest(struct report *r)
{
	static const char *const names[8] = { "ES", "CS",   "SS", "DS",
					      "FS", "GS", "LDTR", "TR" };
	uint64_t cr0 = vmcs_read(GUEST_CR0), cr4 = vmcs_read(GUEST_CR4);
	uint64_t efer = vmcs_read(GUEST_IA32_EFER);
	uint64_t rflags = vmcs_read(GUEST_RFLAGS);
	uint64_t entry = vmcs_read(VM_ENTRY_CONTROLS);
	uint64_t st = vmcs_read(GUEST_INTERRUPTIBILITY);
	bool unrestricted =
		vmcs_read(SECONDARY_VM_EXEC_CONTROL) & CPU2_UNRESTRICTED;
	uint64_t fixed0 = vmx_caps.cr0_fixed0;

	if (unrestricted)
		fixed0 &= ~(CR0_PE | CR0_PG);
	if ((cr0 & fixed0) != fixed0 || (cr0 & ~vmx_caps.cr0_fixed1))
		BAD(r, "GUEST_CR0 = %#lx breaks IA32_VMX_CR0_FIXED0/1 "
		    "(26.3.1.1)", cr0);
	if ((cr0 & CR0_PG) && !(cr0 & CR0_PE))
		BAD(r, "GUEST_CR0 = %#lx: PG without PE (26.3.1.1)", cr0);
	if ((cr4 & vmx_caps.cr4_fixed0) != vmx_caps.cr4_fixed0 ||
	    (cr4 & ~vmx_caps.cr4_fixed1))
		BAD(r, "GUEST_CR4 = %#lx breaks IA32_VMX_CR4_FIXED0/1 "
		    "(26.3.1.1)", cr4);
	if (!!(entry & ENTRY_IA32E_MODE) != !!(efer & HVM_EFER_LMA))
		BAD(r, "GUEST_IA32_EFER = %#lx: LMA differs from the IA-32e "
		    "mode guest entry control (26.3.1.1)", efer);
	if ((cr0 & CR0_PG) && !!(efer & EFER_LME) != !!(efer & HVM_EFER_LMA))
		BAD(r, "GUEST_IA32_EFER = %#lx: LME differs from LMA with "
		    "paging on (26.3.1.1)", efer);
	if ((entry & ENTRY_IA32E_MODE) && !(cr4 & CR4_PAE))
		BAD(r, "GUEST_CR4 = %#lx: IA-32e mode without PAE (26.3.1.1)",
		    cr4);
	if (!(rflags & 2) || (rflags & 0xffffffffffc08028ull))
		BAD(r, "GUEST_RFLAGS = %#lx: bit 1 clear or reserved bits set "
		    "(26.3.1.4)", rflags);
	if ((st & INTERRUPTIBILITY_STI) && !(rflags & RFLAGS_IF))
		BAD(r, "GUEST_INTERRUPTIBILITY = %#lx: STI blocking with IF "
		    "clear (26.3.1.5)", st);
	if ((st & 3) == 3)
		BAD(r, "GUEST_INTERRUPTIBILITY = %#lx: STI and MOV SS "
		    "blocking both set (26.3.1.5)", st);
	if (vmcs_read(GUEST_ACTIVITY_STATE) > 3)
		BAD(r, "GUEST_ACTIVITY_STATE = %lu (26.3.1.5)",
		    vmcs_read(GUEST_ACTIVITY_STATE));
	if (vmcs_read(VMCS_LINK_POINTER) != ~0ull)
		BAD(r, "VMCS_LINK_POINTER = %#lx, not ~0 (26.3.1.5)",
		    vmcs_read(VMCS_LINK_POINTER));
	if (vmcs_read(GUEST_GDTR_LIMIT) > 0xffff ||
	    vmcs_read(GUEST_IDTR_LIMIT) > 0xffff)
		BAD(r, "GUEST_GDTR_LIMIT/GUEST_IDTR_LIMIT above 0xffff "
		    "(26.3.1.3)");
	if (vmcs_read(GUEST_DR7) >> 32)
		BAD(r, "GUEST_DR7 = %#lx: high bits set (26.3.1.1)",
		    vmcs_read(GUEST_DR7));
	for (unsigned int seg = 0; seg < 8; seg++)
		check_seg(r, names[seg], seg, unrestricted);
}

void vmx_explain_entry_failure(struct domain *d, unsigned int vcpu_id,
			       uint32_t insn_error, uint32_t reason)
{
	struct report r = { d, vcpu_id, 0 };
	uint64_t qual = vmcs_read(EXIT_QUALIFICATION);

	if (!reason) {
		log_dom(LOG_ERR, d, "vCPU %u: VM entry failed: VM-instruction "
			"error %u (%s)", vcpu_id, insn_error,
			insn_error ? vmx_insn_error_name(insn_error)
				   : "VMfailInvalid: no current VMCS");
		if (insn_error == 7)
			check_controls(&r);
		else if (insn_error == 8)
			check_host(&r);
	} else {
		static const char *const quals[] = {
			"no detail", "?", "loading the PDPTEs failed",
			"NMI injection while NMIs are blocked",
			"invalid VMCS link pointer",
		};
		uint32_t basic = reason & 0xffff;

		log_dom(LOG_ERR, d, "vCPU %u: VM entry failed: exit reason %u "
			"(%s), exit qualification %#lx (%s)", vcpu_id, basic,
			basic == EXIT_REASON_INVALID_GUEST_STATE
				? "invalid guest state"
			: basic == EXIT_REASON_MSR_LOADING
				? "MSR loading"
				: "machine-check during entry",
			qual,
			basic == EXIT_REASON_MSR_LOADING
				? "index of the failing MSR-area entry"
			: qual < 5 ? quals[qual]
				   : "?");
		if (basic == EXIT_REASON_INVALID_GUEST_STATE)
			check_guest(&r);
	}
	if (!r.found && (insn_error == 7 || insn_error == 8 ||
			 (reason & 0xffff) == EXIT_REASON_INVALID_GUEST_STATE))
		log_dom(LOG_ERR, d, "vCPU %u: no field found at fault by the "
			"checks trivisor knows; see the dump", vcpu_id);
}
