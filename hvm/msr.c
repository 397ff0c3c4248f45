/*
 * MSR policy for hv guests.  The guest owns the MSRs that VMLOAD/VMSAVE
 * switch (the backend passes them through) and EFER/PAT (in the VMCB or
 * VMCS, validated with hvm_pat_valid() and HVM_EFER_GUEST_BITS);
 * the platform owns the APIC MSRs; this file answers the few others a
 * guest kernel reads, and raises #GP for everything else, as a CPU
 * without that MSR would.  Each unknown MSR is logged once per domain,
 * and all such lines together at most UNKNOWN_LOG_BURST a second.
 *
 * Performance counters: the CPUID policy (hvm/cpuid-policy.c) passes the
 * host's vendor through and offers no PMU: leaf 0xA reads 0 (no Intel
 * architectural PMU, so IA32_PMCx, IA32_PERFEVTSELx and the fixed and
 * global counter MSRs raise #GP as on a CPU without them, SDM vol. 3B,
 * 20.2.1) and 0x80000001 ECX has no PerfCtrExtCore (so 0xc0010200-
 * 0xc001020b raise #GP).  But the four legacy AMD counters,
 * PerfEvtSel0-3 and PerfCtr0-3 at 0xc0010000-0xc0010007, exist on every
 * AMD64 CPU without a CPUID bit (AMD APM vol. 2, 13.2.1), and a guest
 * told it runs on an AMD CPU may touch them at any time: for such a guest
 * they read 0 and ignore writes, counters that never count, as KVM does
 * with its PMU off.  Linux's check_hw_exists() then reports a broken PMU
 * and uses software events.  An Intel guest gets #GP there.
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
#define MSR_K7_EVNTSEL0 0xc0010000 /* PerfEvtSel0-3, then PerfCtr0-3 */
#define MSR_K7_PERFCTR3 0xc0010007

#define SEEN_MAX 32
#define UNKNOWN_LOG_BURST 8 /* lines a second, per domain */

struct msr_seen {
	uint32_t msr[SEEN_MAX];
	unsigned int nr;
	struct ratelimit rl;
};

static struct msr_seen seen[MAX_DOMAINS];
static spinlock_t seen_lock;

/*
 * Each unknown MSR once per domain; past SEEN_MAX distinct ones (or a
 * guest walking the MSR space) the rate limit still bounds the lines.
 */
static void log_once(struct vcpu *v, uint32_t msr, bool write)
{
	struct msr_seen *s = &seen[v->dom->id];
	uint64_t f = spin_lock_irqsave(&seen_lock);
	bool show = true;

	for (unsigned int i = 0; i < s->nr && show; i++)
		show = s->msr[i] != msr;
	if (show && s->nr < SEEN_MAX)
		s->msr[s->nr++] = msr;
	if (show) {
		if (!s->rl.interval_ns)
			s->rl = (struct ratelimit)RATELIMIT_INIT(
				1000, UNKNOWN_LOG_BURST);
		show = ratelimit_ok(&s->rl);
	}
	spin_unlock_irqrestore(&seen_lock, f);
	if (show)
		log_dom(LOG_INFO, v->dom, "%s of unknown MSR %#x at rip "
			"%#lx: #GP", write ? "wrmsr" : "rdmsr", msr,
			v->regs.rip);
}

/* The guest's CPUID vendor: the host's (hvm/cpuid-policy.c, leaf 0),
 * AuthenticAMD or HygonGenuine. */
static bool guest_vendor_amd(void)
{
	static int amd = -1;
	struct cpuid_regs r;

	if (amd < 0) {
		cpuid_count(0, 0, &r);
		amd = (r.ebx == 0x68747541 && r.edx == 0x69746e65 &&
		       r.ecx == 0x444d4163) || /* "AuthenticAMD" */
		      (r.ebx == 0x6f677948 && r.edx == 0x6e65476e &&
		       r.ecx == 0x656e6975); /* "HygonGenuine" */
	}
	return amd;
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
	case MSR_K7_EVNTSEL0 ... MSR_K7_PERFCTR3:
		if (!guest_vendor_amd())
			break;
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

/*
 * Canonical: bits 63:47 all equal (48-bit linear addresses; the CPUID
 * policy offers no LA57).  WRMSR raises #GP(0) for a non-canonical value
 * in FS_BASE, GS_BASE, KERNEL_GS_BASE, LSTAR and CSTAR on AMD (APM vol.
 * 3, "WRMSR"; vol. 2, 4.8.2 and 6.1.1) and in all but CSTAR plus
 * SYSENTER_ESP/EIP on Intel (SDM vol. 2B, "WRMSR"; CSTAR is refused too,
 * as KVM and Bochs do).  An AMD CPU keeps only the low 32 bits of
 * SYSENTER_ESP/EIP and raises nothing (APM vol. 2, 6.1.1, SYSENTER is
 * legacy-mode only).
 *
 * Where these MSRs are passed through, the CPU in guest mode decides; a
 * real CPU makes the checks, but QEMU TCG (7.2) makes none of them,
 * neither bare nor for a nested SVM guest, and Bochs's "ryzen" model
 * raises Intel's #GP for SYSENTER_ESP/EIP.  So the SVM backend intercepts
 * these writes and asks here (hvm/svm/exit.c).  Bochs's Intel models
 * check as Intel CPUs do: the VMX backend keeps them passed through.
 */
int hvm_msr_base_write(uint32_t msr, uint64_t *val)
{
	int64_t top = (int64_t)*val >> 47;
	bool canonical = top == 0 || top == -1;

	switch (msr) {
	case 0x174 + 1: /* SYSENTER_ESP */
	case 0x174 + 2: /* SYSENTER_EIP */
		if (guest_vendor_amd()) {
			*val &= 0xffffffffull;
			return 1;
		}
		return canonical ? 1 : -1;
	case 0xc0000082: /* LSTAR */
	case 0xc0000083: /* CSTAR */
	case 0xc0000100: /* FS_BASE */
	case 0xc0000101: /* GS_BASE */
	case 0xc0000102: /* KERNEL_GS_BASE */
		return canonical ? 1 : -1;
	default:
		return 0;
	}
}

void hvm_msr_forget(unsigned int domid)
{
	if (domid < MAX_DOMAINS) {
		uint64_t f = spin_lock_irqsave(&seen_lock);

		seen[domid].nr = 0;
		seen[domid].rl.interval_ns = 0;
		spin_unlock_irqrestore(&seen_lock, f);
	}
}
