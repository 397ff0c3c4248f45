/*
 * MSR policy for hv guests.  The guest owns the MSRs that VMLOAD/VMSAVE
 * switch (the backend passes them through) and EFER/PAT (in the VMCB or
 * VMCS, validated with hvm_pat_valid() and HVM_EFER_GUEST_BITS);
 * the platform owns the APIC MSRs; this file answers the few others a
 * guest kernel reads, and raises #GP for everything else, as a CPU
 * without that MSR would.  Each unknown MSR is logged once per domain.
 */
#include <hvm/run.h>
#include <hvm/platform.h>
#include <hvm/vmi.h>
#include <trivisor/time.h>
#include <trivisor/domain.h>
#include <trivisor/cpu.h>
#include <trivisor/log.h>

#define MSR_TSC 0x10
#define MSR_PLATFORM_ID 0x17
#define MSR_FEATURE_CONTROL 0x3a
#define MSR_BIOS_SIGN_ID 0x8b /* microcode revision */
#define MSR_MISC_ENABLE 0x1a0
/*
 * AMD family 0Fh "Interrupt Pending Message" register (BKDG for AMD
 * family 0Fh processors): the CPUID policy passes the host's family
 * through, and on family 0Fh Linux reads this MSR without a fault
 * handler to decide whether C1E (erratum 400) is active.  Reads 0: no
 * C1E; writes are ignored.
 */
#define MSR_K8_INT_PENDING_MSG 0xc0010055

struct msr_seen {
	uint32_t msr[32];
	unsigned int nr;
};

static struct msr_seen seen[MAX_DOMAINS];

static void log_once(struct vcpu *v, uint32_t msr, bool write)
{
	struct msr_seen *s = &seen[v->dom->id];

	for (unsigned int i = 0; i < s->nr; i++)
		if (s->msr[i] == msr)
			return;
	if (s->nr < 32)
		s->msr[s->nr++] = msr;
	log_dom(LOG_INFO, v->dom, "%s of unknown MSR %#x at rip %#lx: #GP",
		write ? "wrmsr" : "rdmsr", msr, v->regs.rip);
}

int hvm_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	int ret = hvm_platform_msr(v, msr, write, val);

	if (ret)
		return ret < 0 ? ret : 0;
	ret = vmi_msr(v, msr, write, val);
	if (ret)
		return ret < 0 ? ret : 0;
	switch (msr) {
	case MSR_TSC:
		if (write)
			return 0; /* the guest TSC is tied to time: ignored */
		*val = rdtsc() - time_tsc_origin();
		return 0;
	case MSR_PLATFORM_ID:
	case MSR_BIOS_SIGN_ID:
		if (!write)
			*val = 0;
		return 0;
	case MSR_FEATURE_CONTROL:
		if (write)
			break;
		*val = 1; /* locked, VMX off: no nested VT-x */
		return 0;
	case MSR_MISC_ENABLE:
		if (write)
			return 0;
		*val = 1; /* fast strings */
		return 0;
	case MSR_K8_INT_PENDING_MSG:
		if (!write)
			*val = 0;
		return 0;
	default:
		break;
	}
	log_once(v, msr, write);
	return -1;
}

/* Each PAT entry must be a defined memory type: 0, 1, 4, 5, 6 or 7
 * (SDM vol. 3A, 13.12.2); anything else is #GP. */
bool hvm_pat_valid(uint64_t pat)
{
	for (int i = 0; i < 8; i++) {
		uint8_t t = (uint8_t)(pat >> (i * 8));

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

void hvm_msr_forget(unsigned int domid)
{
	if (domid < MAX_DOMAINS)
		seen[domid].nr = 0;
}
