/*
 * Decoding virtualization capabilities.
 *
 * AMD-V: CPUID Fn8000_0001 ECX[2] (SVM), Fn8000_000A (revision, ASIDs,
 * feature bits), MSR VM_CR C001_0114 bit 4 (SVMDIS); AMD APM vol. 2,
 * 15.4 "Enabling SVM" and vol. 3, appendix E.4.9.
 * VT-x: CPUID.1 ECX[5], IA32_FEATURE_CONTROL (3AH), IA32_VMX_BASIC (480H),
 * the (true) control MSRs and IA32_VMX_EPT_VPID_CAP (48CH); SDM vol. 3D,
 * appendix A.
 */
#include <hvm/caps.h>
#include <stdio.h>
#include <string.h>

#define MSR_FEATURE_CONTROL 0x3a
#define MSR_VMX_BASIC 0x480
#define MSR_VMX_PINBASED 0x481
#define MSR_VMX_PROCBASED 0x482
#define MSR_VMX_PROCBASED2 0x48b
#define MSR_VMX_EPT_VPID_CAP 0x48c
#define MSR_VMX_TRUE_PINBASED 0x48d
#define MSR_VMX_TRUE_PROCBASED 0x48e
#define MSR_VM_CR 0xc0010114

static uint64_t msr(const struct hvm_cpu_io *io, uint32_t m)
{
	uint64_t v = 0;

	if (io->rdmsr(io->ctx, m, &v))
		return 0;
	return v;
}

/* Allowed-1 settings live in the high half (SDM vol. 3D, A.3.1). */
static bool allowed1(uint64_t ctl_msr, unsigned int bit)
{
	return (ctl_msr >> 32) & (1u << bit);
}

static void probe_svm(const struct hvm_cpu_io *io, struct hvm_svm_caps *s)
{
	uint32_t r[4];

	io->cpuid(io->ctx, 0x80000000, 0, r);
	if (r[0] < 0x80000001)
		return;
	io->cpuid(io->ctx, 0x80000001, 0, r);
	s->present = r[2] & (1u << 2);
	if (!s->present)
		return;
	s->disabled = msr(io, MSR_VM_CR) & (1u << 4);
	io->cpuid(io->ctx, 0x80000000, 0, r);
	if (r[0] < 0x8000000a)
		return;
	io->cpuid(io->ctx, 0x8000000a, 0, r);
	s->revision = r[0] & 0xff;
	s->nr_asids = r[1];
	s->npt = r[3] & (1u << 0);
	s->lbrv = r[3] & (1u << 1);
	s->svml = r[3] & (1u << 2);
	s->nrips = r[3] & (1u << 3);
	s->tsc_scale = r[3] & (1u << 4);
	s->vmcb_clean = r[3] & (1u << 5);
	s->flush_by_asid = r[3] & (1u << 6);
	s->decode_assists = r[3] & (1u << 7);
	s->pause_filter = r[3] & (1u << 10);
	s->avic = r[3] & (1u << 13);
	s->vmsave_virt = r[3] & (1u << 15);
	s->vgif = r[3] & (1u << 16);
}

static void probe_vmx(const struct hvm_cpu_io *io, struct hvm_vmx_caps *v)
{
	uint32_t r[4];
	uint64_t fc, basic, proc, pin, ept;

	io->cpuid(io->ctx, 1, 0, r);
	v->present = r[2] & (1u << 5);
	if (!v->present)
		return;
	fc = msr(io, MSR_FEATURE_CONTROL);
	v->feature_control_locked = fc & 1;
	/* Locked without "VMX outside SMX" (bit 2): VMXON would #GP. */
	v->disabled = (fc & 1) && !(fc & (1u << 2));

	basic = msr(io, MSR_VMX_BASIC);
	v->vmcs_revision = basic & 0x7fffffff;
	v->vmcs_size = (basic >> 32) & 0x1fff;
	v->true_ctls = basic & (1ull << 55);

	proc = msr(io, v->true_ctls ? MSR_VMX_TRUE_PROCBASED
				    : MSR_VMX_PROCBASED);
	pin = msr(io, v->true_ctls ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED);
	v->preemption_timer = allowed1(pin, 6);
	v->secondary = allowed1(proc, 31);
	if (v->secondary) {
		uint64_t proc2 = msr(io, MSR_VMX_PROCBASED2);

		v->ept = allowed1(proc2, 1);
		v->vpid = allowed1(proc2, 5);
		v->unrestricted_guest = allowed1(proc2, 7);
	}
	if (v->ept || v->vpid) {
		ept = msr(io, MSR_VMX_EPT_VPID_CAP);
		v->ept_4level = ept & (1u << 6);
		v->ept_wb = ept & (1u << 14);
		v->ept_2m = ept & (1u << 16);
		v->ept_1g = ept & (1u << 17);
		v->invept = ept & (1u << 20);
		v->ept_ad = ept & (1u << 21);
		v->invvpid = ept & (1ull << 32);
	}
}

void hvm_caps_probe(const struct hvm_cpu_io *io, struct hvm_caps *caps)
{
	uint32_t r[4];

	memset(caps, 0, sizeof(*caps));
	io->cpuid(io->ctx, 0, 0, r);
	memcpy(caps->vendor_string, &r[1], 4);
	memcpy(caps->vendor_string + 4, &r[3], 4);
	memcpy(caps->vendor_string + 8, &r[2], 4);
	probe_svm(io, &caps->svm);
	probe_vmx(io, &caps->vmx);
	if (caps->vmx.present && !caps->vmx.disabled)
		caps->usable = HVM_VENDOR_VMX;
	else if (caps->svm.present && !caps->svm.disabled)
		caps->usable = HVM_VENDOR_SVM;
}

struct buf {
	char *p;
	size_t len, used;
};

static void add(struct buf *b, const char *s)
{
	size_t room = b->used < b->len ? b->len - b->used : 0;

	b->used += (size_t)snprintf(room ? b->p + b->used : NULL, room, "%s",
				    s);
}

static void flag(struct buf *b, bool on, const char *name, bool *first)
{
	if (!on)
		return;
	add(b, *first ? ": " : ", ");
	add(b, name);
	*first = false;
}

int hvm_caps_describe(const struct hvm_caps *c, char *out, size_t len)
{
	struct buf b = { out, len, 0 };
	char tmp[64];
	bool first = true;

	if (len)
		out[0] = '\0';
	if (c->svm.present) {
		snprintf(tmp, sizeof(tmp), "SVM rev %u, %u ASIDs%s",
			 c->svm.revision, c->svm.nr_asids,
			 c->svm.disabled ? " (disabled by firmware)" : "");
		add(&b, tmp);
		flag(&b, c->svm.npt, "NPT", &first);
		flag(&b, c->svm.nrips, "next-RIP save", &first);
		flag(&b, c->svm.vmcb_clean, "VMCB clean bits", &first);
		flag(&b, c->svm.flush_by_asid, "flush by ASID", &first);
		flag(&b, c->svm.decode_assists, "decode assists", &first);
		flag(&b, c->svm.tsc_scale, "TSC scaling", &first);
		flag(&b, c->svm.pause_filter, "pause filter", &first);
		flag(&b, c->svm.lbrv, "LBR virtualization", &first);
		flag(&b, c->svm.avic, "AVIC", &first);
		flag(&b, c->svm.vgif, "vGIF", &first);
		if (!c->svm.npt)
			add(&b, "; no NPT: shadow paging only");
	} else if (c->vmx.present) {
		snprintf(tmp, sizeof(tmp), "VMX, VMCS rev %#x, %u bytes%s",
			 c->vmx.vmcs_revision, c->vmx.vmcs_size,
			 c->vmx.disabled ? " (disabled by firmware)" : "");
		add(&b, tmp);
		flag(&b, c->vmx.ept, "EPT", &first);
		flag(&b, c->vmx.ept && c->vmx.ept_4level, "4-level walk",
		     &first);
		flag(&b, c->vmx.ept && c->vmx.ept_wb, "WB tables", &first);
		flag(&b, c->vmx.ept && c->vmx.ept_2m, "2M pages", &first);
		flag(&b, c->vmx.ept && c->vmx.ept_1g, "1G pages", &first);
		flag(&b, c->vmx.ept && c->vmx.ept_ad, "A/D bits", &first);
		flag(&b, c->vmx.vpid, "VPID", &first);
		flag(&b, c->vmx.unrestricted_guest, "unrestricted guest",
		     &first);
		flag(&b, c->vmx.true_ctls, "true controls", &first);
		flag(&b, c->vmx.preemption_timer, "preemption timer", &first);
		if (!c->vmx.ept)
			add(&b, "; no EPT: shadow paging only");
	} else {
		add(&b, "no hardware virtualization (no VMX, no SVM)");
	}
	return (int)b.used;
}

unsigned int hvm_caps_features(const struct hvm_caps *c, const char **out,
			       unsigned int max)
{
	const struct {
		bool on;
		const char *name;
	} f[] = {
		{ c->svm.present && !c->svm.disabled, "svm" },
		{ c->svm.present && c->svm.disabled, "svm-disabled" },
		{ c->svm.present && c->svm.npt, "npt" },
		{ c->svm.present && c->svm.nrips, "nrips" },
		{ c->svm.present && c->svm.vmcb_clean, "vmcb-clean" },
		{ c->svm.present && c->svm.flush_by_asid, "flush-by-asid" },
		{ c->svm.present && c->svm.decode_assists, "decode-assists" },
		{ c->svm.present && c->svm.tsc_scale, "tsc-scaling" },
		{ c->svm.present && c->svm.pause_filter, "pause-filter" },
		{ c->svm.present && c->svm.lbrv, "lbrv" },
		{ c->svm.present && c->svm.avic, "avic" },
		{ c->svm.present && c->svm.vgif, "vgif" },
		{ c->vmx.present && !c->vmx.disabled, "vmx" },
		{ c->vmx.present && c->vmx.disabled, "vmx-disabled" },
		{ c->vmx.present && c->vmx.ept, "ept" },
		{ c->vmx.present && c->vmx.ept && c->vmx.ept_2m, "ept-2m" },
		{ c->vmx.present && c->vmx.ept && c->vmx.ept_1g, "ept-1g" },
		{ c->vmx.present && c->vmx.ept && c->vmx.ept_ad, "ept-ad" },
		{ c->vmx.present && c->vmx.vpid, "vpid" },
		{ c->vmx.present && c->vmx.unrestricted_guest,
		  "unrestricted-guest" },
		{ c->vmx.present && c->vmx.preemption_timer,
		  "preemption-timer" },
	};
	unsigned int n = 0;

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (!f[i].on)
			continue;
		if (n < max)
			out[n] = f[i].name;
		n++;
	}
	return n;
}

const char *hvm_caps_unusable_reason(const struct hvm_caps *c)
{
	if (c->usable)
		return NULL;
	if (c->vmx.present && c->vmx.disabled)
		return "VMX is locked off in IA32_FEATURE_CONTROL by firmware";
	if (c->svm.present && c->svm.disabled)
		return "SVM is disabled in VM_CR by firmware";
	return "the CPU has neither VMX nor SVM: only the bt and pv "
	       "containers can run";
}

uint32_t hvm_vmx_ctl(uint64_t cap, uint32_t need, uint32_t want,
		     uint32_t *out)
{
	uint32_t must = (uint32_t)cap, may = (uint32_t)(cap >> 32);

	if (need & ~may)
		return need & ~may;
	*out = (must | need | (want & may)) & may;
	return 0;
}
