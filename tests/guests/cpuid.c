/*
 * cpuid - what CPUID reports is sane and self-consistent.
 *
 * Proves: leaf 0 gives a printable 12-byte vendor and a max basic leaf
 * >= 1; leaf 1 reports FPU, TSC, MSR and APIC (the platform has a LAPIC)
 * and an initial APIC id equal to the LAPIC's own ID register; every
 * basic leaf up to the max answers the same twice; the extended range has
 * a max leaf in 0x80000001..0x8000ffff and, when it reaches 0x80000004, a
 * printable brand string.  If CPUID.1:ECX[31] (hypervisor present) is set,
 * the hypervisor leaf 0x40000000 is read and its signature printed (it
 * must be printable and its max leaf >= 0x40000000); under trivisor it is
 * "TrivisorVMI ".  Bare hardware or QEMU TCG without the bit passes too:
 * the test reports what it sees, it does not demand a hypervisor.
 */
#include "guest.h"

GUEST_TEST("cpuid");

static void regs_str(char *out, uint32_t a, uint32_t b, uint32_t c)
{
	memcpy(out, &a, 4);
	memcpy(out + 4, &b, 4);
	memcpy(out + 8, &c, 4);
	out[12] = '\0';
}

static bool same(struct cpuid_regs x, struct cpuid_regs y)
{
	return x.eax == y.eax && x.ebx == y.ebx && x.ecx == y.ecx &&
	       x.edx == y.edx;
}

static void check_basic(void)
{
	struct cpuid_regs r0 = cpuid(0), r1;
	char vendor[13];
	uint32_t need = CPUID1_EDX_TSC | CPUID1_EDX_MSR | CPUID1_EDX_APIC | 1;
	uint32_t fam, model, initial_id;

	regs_str(vendor, r0.ebx, r0.edx, r0.ecx);
	printf("cpuid: leaf 0: max basic leaf %#x, vendor \"%s\"\n", r0.eax,
	       vendor);
	CHECK(is_printable(vendor, 12), "vendor string is not printable");
	CHECK(r0.eax >= 1 && r0.eax < 0x100,
	      "max basic leaf %#x is implausible", r0.eax);

	r1 = cpuid(1);
	fam = (r1.eax >> 8) & 0xf;
	model = (r1.eax >> 4) & 0xf;
	if (fam == 0xf)
		fam += (r1.eax >> 20) & 0xff;
	if (fam >= 6)
		model |= ((r1.eax >> 16) & 0xf) << 4;
	initial_id = r1.ebx >> 24;
	printf("cpuid: leaf 1: family %#x model %#x stepping %u, ecx %08x "
	       "edx %08x, initial APIC id %u, %u logical CPU(s)/package\n",
	       fam, model, r1.eax & 0xf, r1.ecx, r1.edx, initial_id,
	       (r1.ebx >> 16) & 0xff);
	CHECK((r1.edx & need) == need,
	      "leaf 1 EDX %08x lacks one of FPU, TSC, MSR, APIC", r1.edx);
	/* In x2APIC mode too: the 32-bit x2APIC ID of a CPU below 255 is
	 * its initial APIC ID (SDM vol. 3A, 10.12.5.1). */
	CHECK(initial_id == lapic_id(),
	      "CPUID.1:EBX[31:24] = %u but the %s ID is %u", initial_id,
	      lapic_x2apic ? "x2APIC" : "LAPIC", lapic_id());
	printf("cpuid: features:%s%s%s%s%s\n",
	       r1.ecx & CPUID1_ECX_X2APIC ? " x2apic" : "",
	       r1.ecx & CPUID1_ECX_TSC_DEADLINE ? " tsc-deadline" : "",
	       r1.ecx & (1u << 5) ? " vmx" : "",
	       r1.edx & CPUID1_EDX_PAT ? " pat" : "",
	       r1.ecx & CPUID1_ECX_HYPERVISOR ? " hypervisor" : "");

	/* Deterministic leaves: everything but leaf 1's EBX (initial APIC
	 * id varies per CPU, not per call) must read the same twice. */
	for (uint32_t leaf = 0; leaf <= r0.eax; leaf++) {
		struct cpuid_regs a = cpuid2(leaf, 0), b = cpuid2(leaf, 0);

		CHECK(same(a, b), "leaf %#x changed between two reads", leaf);
	}
	if (r0.eax >= 0xb) {
		struct cpuid_regs b = cpuid2(0xb, 0);

		/* Leaf 0BH EDX is the x2APIC ID at every level (SDM vol. 2A,
		 * CPUID leaf 0BH); a valid leaf has EBX != 0 at subleaf 0. */
		if (b.ebx || (r1.ecx & CPUID1_ECX_X2APIC)) {
			printf("cpuid: leaf 0xb: x2APIC id %u\n", b.edx);
			CHECK(b.ebx != 0, "leaf 0xb is empty but x2APIC is "
			      "offered");
			CHECK(b.edx == lapic_id(),
			      "CPUID.0BH:EDX = %u but the LAPIC ID is %u",
			      b.edx, lapic_id());
			b = cpuid2(0xb, 1);
			CHECK(b.edx == lapic_id(),
			      "CPUID.0BH.1:EDX = %u but the LAPIC ID is %u",
			      b.edx, lapic_id());
		}
	}
}

static void check_extended(void)
{
	struct cpuid_regs e = cpuid(0x80000000);
	char brand[49];

	printf("cpuid: max extended leaf %#x\n", e.eax);
	CHECK(e.eax >= 0x80000001 && e.eax <= 0x8000ffff,
	      "max extended leaf %#x out of range", e.eax);
	if (e.eax >= 0x80000001) {
		struct cpuid_regs x = cpuid(0x80000001);

		printf("cpuid: 0x80000001: ecx %08x edx %08x:%s%s%s\n", x.ecx,
		       x.edx, x.edx & CPUID80000001_EDX_LM ? " lm" : "",
		       x.edx & CPUID80000001_EDX_NX ? " nx" : "",
		       x.ecx & (1u << 2) ? " svm" : "");
	}
	if (e.eax >= 0x80000004) {
		size_t n;

		for (uint32_t i = 0; i < 3; i++) {
			struct cpuid_regs b = cpuid(0x80000002 + i);

			memcpy(brand + 16 * i, &b, 16);
		}
		brand[48] = '\0';
		n = strlen(brand);
		printf("cpuid: brand \"%s\"\n", brand);
		CHECK(n > 0 && is_printable(brand, n),
		      "brand string is empty or not printable");
	}
	if (e.eax >= 0x80000008) {
		struct cpuid_regs a = cpuid(0x80000008);

		printf("cpuid: physical address bits %u, linear %u\n",
		       a.eax & 0xff, (a.eax >> 8) & 0xff);
		CHECK((a.eax & 0xff) >= 32 && (a.eax & 0xff) <= 52,
		      "MAXPHYADDR %u out of range", a.eax & 0xff);
	}
}

static void check_hypervisor(void)
{
	struct cpuid_regs h;
	char sig[13];

	if (!(cpuid(1).ecx & CPUID1_ECX_HYPERVISOR)) {
		printf("cpuid: hypervisor bit clear: no hypervisor leaves "
		       "(bare hardware or an emulator that does not set it)\n");
		return;
	}
	h = cpuid(0x40000000);
	regs_str(sig, h.ebx, h.ecx, h.edx);
	printf("cpuid: hypervisor leaf 0x40000000: max %#x, signature "
	       "\"%s\"\n",
	       h.eax, sig);
	CHECK(is_printable(sig, 12), "hypervisor signature not printable");
	/* Some hypervisors (older KVM) report 0 as "0x40000001". */
	CHECK(h.eax == 0 || (h.eax >= 0x40000000 && h.eax <= 0x400000ff),
	      "hypervisor max leaf %#x out of range", h.eax);
	if (!memcmp(sig, "TrivisorVMI ", 12))
		printf("cpuid: running under trivisor\n");
}

void test_main(void)
{
	check_basic();
	check_extended();
	check_hypervisor();
	guest_pass(guest_name);
}
