/*
 * vmi - the VMI ABI's discovery, ROM and core calls (docs/vmi-abi.md),
 * from 32-bit protected mode, with their error paths.
 *
 * Proves: CPUID 0x40000000-3 describe ABI 1.0 with the ROM MSR and the
 * section versions; the ROM MSR refuses a misaligned address and one
 * outside RAM with #GP, and fills a page of RAM with the ROM header and
 * entries; VERSION, FEATURES, DECLARE (and its refusals), MULTICALL (with
 * a nested multicall, bad flags, too many entries, a bad address), an
 * unknown call number (-ENOSYS), an undeclared section (-EPERM),
 * CONSOLE_WRITE (text reaches the console; a buffer outside RAM gives
 * -EFAULT, a long one -E2BIG), SHARED_PAGE (masks every port), a bad
 * SHUTDOWN reason, and that sections CPUID reports absent cannot be
 * declared or called.
 *
 * In an hv domain (VMI hidden: version 0) it checks that the ROM MSR and
 * the hypercall instruction fault; off trivisor it has nothing to test.
 * Run it as `type=pv` under trivisor for the calls.  With linger=S on its
 * command line it then goes on calling VERSION about a hundred times a
 * second for S seconds before it passes: a pv domain whose VMI call
 * counters the toolstack test (tests/integration/cases-mgmt.sh) watches.
 */
#include "guest.h"
#include <vmi/vmi.h>
#include "vmi-call.h"

GUEST_TEST("vmi");

static struct vmi_shared_info shared __attribute__((aligned(4096)));
static struct vmi_multicall mc[VMI_MULTICALL_MAX + 1]
	__attribute__((aligned(8)));

static void discovery(void)
{
	struct cpuid_regs r = cpuid(VMI_CPUID_BASE);

	CHECK(r.ebx == VMI_SIGNATURE_EBX && r.ecx == VMI_SIGNATURE_ECX &&
	      r.edx == VMI_SIGNATURE_EDX, "no trivisor signature at %#x",
	      VMI_CPUID_BASE);
	r = cpuid(VMI_CPUID_VERSION);
	CHECK(r.eax == VMI_VERSION(1u, 0u), "ABI version %#x, expected 1.0",
	      r.eax);
	CHECK(r.ebx == VMI_CONTAINER_HV_SVM || r.ebx == VMI_CONTAINER_HV_VMX,
	      "container %u", r.ebx);
	r = cpuid(VMI_CPUID_ROM);
	CHECK(r.eax == VMI_MSR_ROM && r.ebx == 1 && (r.ecx & VMI_F_ROM),
	      "ROM leaf %#x %#x %#x", r.eax, r.ebx, r.ecx);
	r = cpuid(VMI_CPUID_SECTIONS);
	CHECK((r.eax & 0xffff) == VMI_SECTION_VERSION(1u, 0u),
	      "core section version %#x", r.eax & 0xffff);
	CHECK((r.edx & 0xffff) == VMI_SECTION_VERSION(1u, 0u),
	      "console section version %#x", r.edx & 0xffff);
	printf("vmi: ABI 1.0, container %u, features %#x, sections %08x "
	       "%08x %08x %08x\n", cpuid(VMI_CPUID_VERSION).ebx,
	       cpuid(VMI_CPUID_ROM).ecx, r.eax, r.ebx, r.ecx, r.edx);
}

static void rom_msr(void)
{
	const struct vmi_rom_header *h = (const void *)vmi_rom;
	uint64_t v;

	CHECK(wrmsr_safe(VMI_MSR_ROM, (uintptr_t)vmi_rom + 8 + VMI_ROM_ENABLE) ==
	      VEC_GP, "a misaligned ROM address was accepted");
	CHECK(wrmsr_safe(VMI_MSR_ROM, 0xfee00000ull | VMI_ROM_ENABLE) ==
	      VEC_GP,
	      "a ROM address outside RAM (the LAPIC page) was accepted");
	CHECK(wrmsr_safe(VMI_MSR_ROM, (uintptr_t)vmi_rom | VMI_ROM_ENABLE) < 0,
	      "the ROM MSR refused a page of RAM");
	CHECK(rdmsr_safe(VMI_MSR_ROM, &v) < 0 &&
	      v == ((uintptr_t)vmi_rom | VMI_ROM_ENABLE),
	      "the ROM MSR reads back %#llx", v);
	CHECK(h->magic == VMI_ROM_MAGIC && h->nr_calls == VMI_NR_CALLS &&
	      h->entry_size == VMI_ROM_ENTRY_SIZE &&
	      h->version == VMI_VERSION(1u, 0u),
	      "ROM header: magic %#llx, %u calls of %u bytes, version %#x",
	      h->magic, h->nr_calls, h->entry_size, h->version);
	printf("vmi: ROM at %p: %u entries of %u bytes\n", (void *)vmi_rom,
	       h->nr_calls, h->entry_size);
	/* A flood of ROM MSR writes, taken and refused: each behaves, and
	 * the hypervisor's log lines about them stay rate-limited. */
	for (unsigned int i = 0; i < 500; i++) {
		CHECK(wrmsr_safe(VMI_MSR_ROM, (uintptr_t)vmi_rom |
						      VMI_ROM_ENABLE) < 0,
		      "ROM MSR write %u refused", i);
		CHECK(wrmsr_safe(VMI_MSR_ROM, 0xfee00000ull | VMI_ROM_ENABLE) ==
			      VEC_GP,
		      "ROM MSR write %u outside RAM accepted", i);
	}
	printf("vmi: 1000 ROM MSR writes behave\n");
}

static void core_calls(void)
{
	static const char hello[] = "vmi: hello through CONSOLE_WRITE\n";
	EXPECT(vmi_call(VMI_CALL_VERSION, 0, 0, 0), VMI_VERSION(1u, 0u));
	EXPECT(vmi_call(VMI_CALL_FEATURES, 0, 0, 0),
	       cpuid(VMI_CPUID_ROM).ecx);
	EXPECT(vmi_call(VMI_CALL_FEATURES, 1, 0, 0), 0);
	EXPECT(vmi_call(VMI_CALL_FEATURES, 2, 0, 0), -VMI_EINVAL);
	EXPECT(vmi_call(120, 0, 0, 0), -VMI_ENOSYS);
	EXPECT(vmi_call(VMI_NR_CALLS - 1, 0, 0, 0), -VMI_ENOSYS);

	/* Sections must be declared, at a version that is provided. */
	EXPECT(vmi_call(VMI_CALL_CONSOLE_WRITE, (uintptr_t)hello, 5, 0),
	       -VMI_EPERM);
	EXPECT(vmi_call(VMI_CALL_DECLARE, VMI_SECTION_CONSOLE,
			VMI_SECTION_VERSION(2u, 0u), 0), -VMI_EOPNOTSUPP);
	EXPECT(vmi_call(VMI_CALL_DECLARE, VMI_SECTION_CONSOLE,
			VMI_SECTION_VERSION(1u, 5u), 0), -VMI_EOPNOTSUPP);
	EXPECT(vmi_call(VMI_CALL_DECLARE, 99, VMI_SECTION_VERSION(1u, 0u), 0),
	       -VMI_EINVAL);
	EXPECT(vmi_call(VMI_CALL_DECLARE, VMI_SECTION_CONSOLE,
			VMI_SECTION_VERSION(1u, 0u), 0), 0);
	/* Sections not provided (CPUID 0x40000003 says 0) cannot be
	 * declared and their calls do not exist. */
	if (!(cpuid(VMI_CPUID_SECTIONS).eax >> 16)) {
		EXPECT(vmi_call(VMI_CALL_DECLARE, VMI_SECTION_VCPU,
				VMI_SECTION_VERSION(1u, 0u), 0),
		       -VMI_EOPNOTSUPP);
		EXPECT(vmi_call(VMI_CALL_VCPU_ID, 0, 0, 0), -VMI_ENOSYS);
	}

	EXPECT(vmi_call(VMI_CALL_CONSOLE_WRITE, (uintptr_t)hello,
			sizeof(hello) - 1, 0), sizeof(hello) - 1);
	EXPECT(vmi_call(VMI_CALL_CONSOLE_WRITE, 0xfee00000u, 4, 0),
	       -VMI_EFAULT);
	EXPECT(vmi_call(VMI_CALL_CONSOLE_WRITE, (uintptr_t)hello,
			VMI_CONSOLE_MAX + 1, 0), -VMI_E2BIG);
	EXPECT(vmi_call(VMI_CALL_CONSOLE_READ, (uintptr_t)vmi_rom + 4095, 1, 0),
	       0);


	EXPECT(vmi_call(VMI_CALL_SHARED_PAGE, (uintptr_t)&shared + 4, 0, 0),
	       -VMI_EINVAL);
	EXPECT(vmi_call(VMI_CALL_SHARED_PAGE, 0xfee00000u, 0, 0),
	       -VMI_EFAULT);
	EXPECT(vmi_call(VMI_CALL_SHARED_PAGE, (uintptr_t)&shared, 0, 0), 0);
	CHECK(shared.evtchn_mask[0] == ~0ull &&
	      shared.evtchn_mask[VMI_EVENT_WORDS - 1] == ~0ull &&
	      shared.evtchn_pending[3] == 0,
	      "shared page not initialised: mask %#llx pending %#llx",
	      shared.evtchn_mask[0], shared.evtchn_pending[3]);

	EXPECT(vmi_call(VMI_CALL_SHUTDOWN, 9, 0, 0), -VMI_EINVAL);
	printf("vmi: core and console calls and their errors behave\n");
}

static void multicall(void)
{
	static const char line[] = "vmi: hello from a multicall\n";

	memset(mc, 0, sizeof(mc));
	mc[0].call = VMI_CALL_VERSION;
	mc[1].call = VMI_CALL_CONSOLE_WRITE;
	mc[1].args[0] = (uintptr_t)line;
	mc[1].args[1] = sizeof(line) - 1;
	mc[2].call = 120; /* a number of no section */
	mc[3].call = VMI_CALL_MULTICALL; /* nested */
	mc[4].call = VMI_CALL_VERSION;
	mc[4].flags = 1;
	mc[5].call = VMI_CALL_FEATURES;
	mc[5].args[0] = 1;
	EXPECT(vmi_call(VMI_CALL_MULTICALL, (uintptr_t)mc, 6, 0), 6);
	CHECK(mc[0].result == VMI_VERSION(1u, 0u) &&
	      mc[1].result == (int64_t)sizeof(line) - 1 &&
	      mc[2].result == -VMI_ENOSYS && mc[3].result == -VMI_EINVAL &&
	      mc[4].result == -VMI_EINVAL && mc[5].result == 0,
	      "multicall results %lld %lld %lld %lld %lld %lld",
	      mc[0].result, mc[1].result, mc[2].result, mc[3].result,
	      mc[4].result, mc[5].result);
	EXPECT(vmi_call(VMI_CALL_MULTICALL, (uintptr_t)mc,
			VMI_MULTICALL_MAX + 1, 0), -VMI_E2BIG);
	EXPECT(vmi_call(VMI_CALL_MULTICALL, (uintptr_t)mc + 4, 1, 0),
	       -VMI_EINVAL);
	EXPECT(vmi_call(VMI_CALL_MULTICALL, 0xfee00000u, 2, 0), -VMI_EFAULT);
	EXPECT(vmi_call(VMI_CALL_MULTICALL, (uintptr_t)mc, 0, 0), 0);
	printf("vmi: multicall results and refusals behave\n");
}

static void linger(void)
{
	char buf[12];
	const char *s = cmdline_get("linger", buf, sizeof(buf));
	uint64_t secs = 0, end;

	for (; s && *s >= '0' && *s <= '9'; s++)
		secs = secs * 10 + (uint64_t)(*s - '0');
	if (!secs)
		return;
	printf("vmi: lingering %llu s, calling VERSION every 10 ms\n",
	       (unsigned long long)secs);
	end = now_us() + secs * 1000000;
	while (now_us() < end) {
		EXPECT(vmi_call(VMI_CALL_VERSION, 0, 0, 0),
		       (int32_t)VMI_VERSION(1u, 0u));
		delay_us(10000);
	}
}

void test_main(void)
{
	struct cpuid_regs r = cpuid(1);
	uint64_t v;

	if (!(r.ecx & (1u << 31)) ||
	    cpuid(VMI_CPUID_BASE).ebx != VMI_SIGNATURE_EBX)
		guest_skip(guest_name, "not running on trivisor");
	if (cpuid(VMI_CPUID_VERSION).eax == 0) {
		/* An hv domain: VMI hidden, its MSR and call absent. */
		CHECK(rdmsr_safe(VMI_MSR_ROM, &v) == VEC_GP,
		      "VMI is hidden but its ROM MSR can be read");
		/* Each is the container's own on one vendor (and #UD
		 * natively on the other): both must fault. */
		CHECK(expect_fault(VEC_UD, asm volatile("vmmcall" ::: "memory")),
		      "VMI is hidden but VMMCALL does not raise #UD");
		CHECK(expect_fault(VEC_UD, asm volatile("vmcall" ::: "memory")),
		      "VMI is hidden but VMCALL does not raise #UD");
		printf("vmi: hidden (ABI version 0 in CPUID): the ROM MSR and "
		       "the hypercall instruction fault\n");
		guest_pass(guest_name);
	}
	discovery();
	rom_msr();
	core_calls();
	multicall();
	linger();
	guest_pass(guest_name);
}
