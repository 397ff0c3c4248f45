/*
 * Control registers of a VT-x guest (SDM vol. 3C, 25.6.6): the bits the
 * CR0/CR4 guest/host masks keep are ours, the guest reads them from the
 * read shadows and its writes that change them exit to vmx_set_cr0() and
 * vmx_set_cr4(), which check them as the CPU would (hvm/crcheck.h) and
 * keep EFER.LMA, the IA-32e entry control and the PDPTEs in step.
 */
#include "vmx.h"
#include <trivisor/cpu.h>
#include <hvm/run.h>

uint64_t vmx_cr0_actual(uint64_t cr0)
{
	/* Unrestricted guest lifts the PE and PG requirements (26.3.1.1). */
	uint64_t fixed0 = vmx_caps.cr0_fixed0 & ~(CR0_PE | CR0_PG);

	return (cr0 | fixed0) & vmx_caps.cr0_fixed1;
}

void vmx_set_entry_ia32e(bool on)
{
	uint64_t e = vmcs_read(VM_ENTRY_CONTROLS);

	vmcs_write(VM_ENTRY_CONTROLS,
		   on ? e | ENTRY_IA32E_MODE : e & ~(uint64_t)ENTRY_IA32E_MODE);
}

/* With EPT and PAE paging outside long mode, VM entry loads the PDPTEs
 * from the VMCS, not from guest memory (26.3.2.4; 28.4.1): after an
 * emulated CR0/CR4 write that enters PAE paging, fetch them. */
static void load_pdptes(struct vcpu *v)
{
	uint64_t pdpte[4] = { 0, 0, 0, 0 };
	uint64_t cr3 = vmcs_read(GUEST_CR3) & 0xffffffe0ull;

	if (domain_read(v->dom, cr3, pdpte, sizeof(pdpte)))
		domain_crash(v->dom, "PAE PDPT at %#lx is not in RAM", cr3);
	for (int i = 0; i < 4; i++)
		vmcs_write(GUEST_PDPTE0 + 2 * i, pdpte[i]);
}

static bool pae_legacy(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
	return (cr0 & CR0_PG) && (cr4 & CR4_PAE) && !(efer & HVM_EFER_LMA);
}

const struct hvm_cr_features *vmx_features(struct vcpu *v)
{
	struct vmx_vcpu *s = to_vmx(v);

	if (!s->feat_valid) {
		hvm_cr_features(v, &s->feat);
		s->feat_valid = true;
	}
	return &s->feat;
}

/* CR0 or CR4 as the guest sees it: its own bits from the register, the
 * masked ones from the read shadow (SDM vol. 3C, 25.6.6). */
static uint64_t guest_view(uint64_t actual, uint64_t shadow, uint64_t mask)
{
	return (actual & ~mask) | (shadow & mask);
}

/*
 * An exiting MOV to CR0.  Its value goes into the VMCS without the
 * CPU's own checks, so they are made here: a CR0 the manual faults (PG
 * without PE, say) would otherwise fail the next VM entry (26.3.1.1)
 * and kill the domain.  -1: #GP.
 */
int vmx_set_cr0(struct vcpu *v, uint64_t val)
{
	struct vmx_vcpu *s = to_vmx(v);
	uint64_t old = vmcs_read(GUEST_CR0);
	uint64_t efer = vmcs_read(GUEST_IA32_EFER);
	bool cs_l = vmcs_read(GUEST_ES_AR + 2 * VMX_SEG_CS) & AR_L;

	if (!hvm_cr0_write_ok(guest_view(old, s->cr0_shadow, s->cr0_mask), val,
			      guest_view(vmcs_read(GUEST_CR4), s->cr4_shadow,
					 s->cr4_mask),
			      efer, cs_l))
		return -1;
	s->cr0_shadow = val;
	vmcs_write(CR0_READ_SHADOW, val);
	vmcs_write(GUEST_CR0, vmx_cr0_actual(val));
	/* Paging on with LME activates long mode, off leaves it (SDM vol.
	 * 3A, 10.8.5); the entry control follows EFER.LMA (26.3.1.1). */
	if (!(old & CR0_PG) && (val & CR0_PG) && (efer & EFER_LME))
		efer |= HVM_EFER_LMA;
	else if ((old & CR0_PG) && !(val & CR0_PG))
		efer &= ~HVM_EFER_LMA;
	vmcs_write(GUEST_IA32_EFER, efer);
	vmx_set_entry_ia32e(efer & HVM_EFER_LMA);
	if (pae_legacy(val, vmcs_read(GUEST_CR4), efer))
		load_pdptes(v);
	return 0;
}

int vmx_set_cr4(struct vcpu *v, uint64_t val)
{
	struct vmx_vcpu *s = to_vmx(v);

	uint64_t old = guest_view(vmcs_read(GUEST_CR4), s->cr4_shadow,
				  s->cr4_mask);

	/* VMXE is hidden from the guest (no nested VT-x); bits the CPU does
	 * not allow in VMX operation are refused as reserved, and so are
	 * those the guest's CPUID does not define (hvm/crcheck.h). */
	if ((val & (CR4_VMXE | ~vmx_caps.cr4_fixed1)) ||
	    !hvm_cr4_write_ok(vmx_features(v), old, val,
			      vmcs_read(GUEST_IA32_EFER) & HVM_EFER_LMA,
			      vmcs_read(GUEST_CR3)))
		return -1;
	/* A paging bit changed: the write flushes the TLB on the CPU (SDM
	 * vol. 3A, 4.10.4.1), so the emulated one flushes the VPID. */
	if (((old ^ val) & HVM_CR4_TLB_BITS) && vmx_caps.vpid)
		asid_flush(&s->vpid);
	s->cr4_shadow = val;
	vmcs_write(CR4_READ_SHADOW, val);
	vmcs_write(GUEST_CR4, val | vmx_caps.cr4_fixed0);
	if (pae_legacy(vmcs_read(GUEST_CR0), val, vmcs_read(GUEST_IA32_EFER)))
		load_pdptes(v);
	return 0;
}
