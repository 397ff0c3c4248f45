/*
 * hvm/caps.c decodes recorded CPUID/MSR values: an AMD CPU like QEMU's
 * "max" model, an Intel one like Bochs's Skylake-X, firmware-disabled
 * variants and a CPU with neither.
 */
#include "unit.h"
#include <hvm/caps.h>
#include <string.h>

struct fake_cpu {
	const char *vendor; /* 12 chars */
	uint32_t ecx1, ecx_ext1, max_ext;
	uint32_t svm_eax, svm_ebx, svm_edx;
	uint64_t vm_cr, feature_control, vmx_basic, true_proc, proc2,
		true_pin, ept_cap;
	bool has_vmx_msrs;
};

static void fake_cpuid(void *ctx, uint32_t leaf, uint32_t sub, uint32_t o[4])
{
	const struct fake_cpu *c = ctx;

	(void)sub;
	memset(o, 0, 16);
	switch (leaf) {
	case 0:
		o[0] = 0xd;
		memcpy(&o[1], c->vendor, 4);
		memcpy(&o[3], c->vendor + 4, 4);
		memcpy(&o[2], c->vendor + 8, 4);
		break;
	case 1:
		o[2] = c->ecx1;
		break;
	case 0x80000000:
		o[0] = c->max_ext;
		break;
	case 0x80000001:
		o[2] = c->ecx_ext1;
		break;
	case 0x8000000a:
		o[0] = c->svm_eax;
		o[1] = c->svm_ebx;
		o[3] = c->svm_edx;
		break;
	}
}

static int fake_rdmsr(void *ctx, uint32_t msr, uint64_t *v)
{
	const struct fake_cpu *c = ctx;

	switch (msr) {
	case 0xc0010114:
		*v = c->vm_cr;
		return 0;
	case 0x3a:
		*v = c->feature_control;
		return 0;
	}
	if (!c->has_vmx_msrs)
		return -5;
	switch (msr) {
	case 0x480:
		*v = c->vmx_basic;
		return 0;
	case 0x48e:
		*v = c->true_proc;
		return 0;
	case 0x48d:
		*v = c->true_pin;
		return 0;
	case 0x48b:
		*v = c->proc2;
		return 0;
	case 0x48c:
		*v = c->ept_cap;
		return 0;
	}
	return -5;
}

static const struct fake_cpu qemu_max = {
	.vendor = "AuthenticAMD", .ecx_ext1 = 1u << 2, .max_ext = 0x8000001f,
	.svm_eax = 1, .svm_ebx = 16, .svm_edx = (1u << 0) | (1u << 16),
};

static const struct fake_cpu skylake = {
	.vendor = "GenuineIntel", .ecx1 = 1u << 5, .max_ext = 0x80000008,
	.feature_control = 0x5, .has_vmx_msrs = true,
	.vmx_basic = (1ull << 55) | (4096ull << 32) | 0x2b,
	.true_proc = (1ull << (32 + 31)),
	.true_pin = (1ull << (32 + 6)),
	.proc2 = (1ull << (32 + 1)) | (1ull << (32 + 5)) | (1ull << (32 + 7)),
	.ept_cap = (1u << 6) | (1u << 14) | (1u << 16) | (1u << 20) |
		   (1ull << 32),
};

static void probe(const struct fake_cpu *c, struct hvm_caps *caps)
{
	struct hvm_cpu_io io = { (void *)c, fake_cpuid, fake_rdmsr };

	hvm_caps_probe(&io, caps);
}

static void test_amd_npt(void)
{
	struct hvm_caps c;
	char buf[256];

	probe(&qemu_max, &c);
	CU_ASSERT_STRING_EQUAL(c.vendor_string, "AuthenticAMD");
	CU_ASSERT_EQUAL(c.usable, HVM_VENDOR_SVM);
	CU_ASSERT(c.svm.present && c.svm.npt && c.svm.vgif);
	CU_ASSERT(!c.svm.nrips && !c.svm.vmcb_clean && !c.svm.decode_assists);
	CU_ASSERT_EQUAL(c.svm.nr_asids, 16);
	CU_ASSERT(!c.vmx.present);
	hvm_caps_describe(&c, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "SVM rev 1, 16 ASIDs: NPT, vGIF");
	CU_ASSERT_PTR_NULL(hvm_caps_unusable_reason(&c));
}

static void test_amd_disabled(void)
{
	struct fake_cpu f = qemu_max;
	struct hvm_caps c;

	f.vm_cr = 1u << 4;
	probe(&f, &c);
	CU_ASSERT(c.svm.present && c.svm.disabled);
	CU_ASSERT_EQUAL(c.usable, HVM_VENDOR_NONE);
	CU_ASSERT_PTR_NOT_NULL(strstr(hvm_caps_unusable_reason(&c), "VM_CR"));
}

static void test_intel_ept(void)
{
	struct hvm_caps c;
	char buf[512];

	probe(&skylake, &c);
	CU_ASSERT_EQUAL(c.usable, HVM_VENDOR_VMX);
	CU_ASSERT(c.vmx.ept && c.vmx.vpid && c.vmx.unrestricted_guest);
	CU_ASSERT(c.vmx.ept_4level && c.vmx.ept_wb && c.vmx.ept_2m);
	CU_ASSERT(!c.vmx.ept_1g && !c.vmx.ept_ad);
	CU_ASSERT(c.vmx.invept && c.vmx.invvpid && c.vmx.true_ctls);
	CU_ASSERT_EQUAL(c.vmx.vmcs_revision, 0x2b);
	CU_ASSERT_EQUAL(c.vmx.vmcs_size, 4096);
	hvm_caps_describe(&c, buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "VMX, VMCS rev 0x2b, 4096 bytes: EPT"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "VPID, unrestricted guest"));
	CU_ASSERT_PTR_NULL(strstr(buf, "1G pages"));
}

static void test_intel_no_secondary(void)
{
	struct fake_cpu f = skylake;
	struct hvm_caps c;
	char buf[512];

	f.true_proc = 0; /* no secondary controls: no EPT, VPID, UG */
	probe(&f, &c);
	CU_ASSERT(!c.vmx.secondary && !c.vmx.ept && !c.vmx.vpid);
	hvm_caps_describe(&c, buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "no EPT: shadow paging only"));
}

static void test_intel_locked_off(void)
{
	struct fake_cpu f = skylake;
	struct hvm_caps c;

	f.feature_control = 0x1; /* locked, VMX outside SMX off */
	probe(&f, &c);
	CU_ASSERT(c.vmx.disabled);
	CU_ASSERT_EQUAL(c.usable, HVM_VENDOR_NONE);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(hvm_caps_unusable_reason(&c), "IA32_FEATURE_CONTROL"));
	/* Unlocked: the hypervisor may enable it itself. */
	f.feature_control = 0;
	probe(&f, &c);
	CU_ASSERT(!c.vmx.disabled);
	CU_ASSERT_EQUAL(c.usable, HVM_VENDOR_VMX);
}

static void test_none(void)
{
	struct fake_cpu f = { .vendor = "GenuineIntel", .max_ext = 0x80000008 };
	struct hvm_caps c;
	char small[8];

	probe(&f, &c);
	CU_ASSERT_EQUAL(c.usable, HVM_VENDOR_NONE);
	CU_ASSERT_PTR_NOT_NULL(strstr(hvm_caps_unusable_reason(&c), "neither"));
	/* Truncation: NUL-terminated, full length returned. */
	CU_ASSERT(hvm_caps_describe(&c, small, sizeof(small)) > 8);
	CU_ASSERT_EQUAL(strlen(small), 7);
}

/* The feature names: exactly what was decoded, in a fixed order. */
static void test_features(void)
{
	struct fake_cpu f = qemu_max;
	struct hvm_caps c;
	const char *names[32], *few[1];
	char all[256] = "";
	unsigned int n;

	probe(&qemu_max, &c);
	n = hvm_caps_features(&c, names, 32);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_STRING_EQUAL(names[0], "svm");
	CU_ASSERT_STRING_EQUAL(names[1], "npt");
	CU_ASSERT_STRING_EQUAL(names[2], "vgif");
	/* @max bounds what is stored, not the count. */
	CU_ASSERT_EQUAL(hvm_caps_features(&c, few, 1), 3);
	CU_ASSERT_STRING_EQUAL(few[0], "svm");
	f.vm_cr = 1u << 4;
	probe(&f, &c);
	n = hvm_caps_features(&c, names, 32);
	CU_ASSERT(n >= 1 && !strcmp(names[0], "svm-disabled"));
	probe(&skylake, &c);
	n = hvm_caps_features(&c, names, 32);
	for (unsigned int i = 0; i < n && i < 32; i++) {
		strcat(all, " ");
		strcat(all, names[i]);
	}
	CU_ASSERT_STRING_EQUAL(all, " vmx ept ept-2m vpid unrestricted-guest "
				    "preemption-timer");
	f = skylake;
	f.true_proc = 0;
	probe(&f, &c);
	n = hvm_caps_features(&c, names, 32);
	CU_ASSERT_EQUAL(n, 1 + c.vmx.preemption_timer);
	CU_ASSERT_STRING_EQUAL(names[0], "vmx");
	probe(&(struct fake_cpu){ .vendor = "GenuineIntel",
				  .max_ext = 0x80000008 }, &c);
	CU_ASSERT_EQUAL(hvm_caps_features(&c, names, 32), 0);
}

/* Control derivation from a capability MSR (SDM vol. 3D, A.3). */
static void test_vmx_ctl(void)
{
	/* Must be 1: bits 1, 2, 4; may be 1: bits 0-15. */
	const uint64_t cap = 0x0000ffff00000016ull;
	uint32_t out = 0xdead;

	CU_ASSERT_EQUAL(hvm_vmx_ctl(cap, 1u << 0, 1u << 31, &out), 0);
	CU_ASSERT_EQUAL(out, 0x17); /* required bits kept, want dropped */
	CU_ASSERT_EQUAL(hvm_vmx_ctl(cap, 0, 1u << 8, &out), 0);
	CU_ASSERT_EQUAL(out, 0x116);
	out = 0xdead;
	CU_ASSERT_EQUAL(hvm_vmx_ctl(cap, (1u << 3) | (1u << 20), 0, &out),
			1u << 20);
	CU_ASSERT_EQUAL(out, 0xdead); /* untouched on refusal */
}

void unit_register(void)
{
	CU_pSuite s = CU_add_suite("hvm_caps", NULL, NULL);

	CU_add_test(s, "AMD with NPT (QEMU max)", test_amd_npt);
	CU_add_test(s, "AMD disabled in VM_CR", test_amd_disabled);
	CU_add_test(s, "Intel with EPT (Skylake-X)", test_intel_ept);
	CU_add_test(s, "Intel without secondary controls", test_intel_no_secondary);
	CU_add_test(s, "Intel locked off by firmware", test_intel_locked_off);
	CU_add_test(s, "no virtualization", test_none);
	CU_add_test(s, "VT-x control derivation", test_vmx_ctl);
	CU_add_test(s, "feature names", test_features);
}

UNIT_MAIN
