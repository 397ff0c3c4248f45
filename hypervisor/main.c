/*
 * hv_start(): the boot CPU's path from the multiboot2 hand-off to a
 * running hypervisor.  The order matters: the console before anything can
 * complain, the memory map before the page tables, the page tables before
 * any device is mapped, the LAPIC before the other CPUs.
 */
#include <trivisor/bootinfo.h>
#include <trivisor/cmdline.h>
#include <trivisor/log.h>
#include <trivisor/serial.h>
#include <trivisor/percpu.h>
#include <trivisor/traps.h>
#include <trivisor/memory.h>
#include <trivisor/paging.h>
#include <trivisor/time.h>
#include <trivisor/acpi.h>
#include <trivisor/lapic.h>
#include <trivisor/smp.h>
#include <trivisor/panic.h>
#include <trivisor/platform.h>
#include <trivisor/selftest.h>
#include <trivisor/version.h>
#include <trivisor/init.h>
#include <trivisor/cpu.h>
#include <hvm/caps.h>
#include <hvm/hvm.h>
#include <trivisor/domain.h>
#include <trivisor/sched.h>
#include <trivisor/rtc.h>
#include <trivisor/mgmt.h>


struct hvm_caps hvm_caps;

static void cpuid_seam(void *ctx, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	struct cpuid_regs r;

	(void)ctx;
	cpuid_count(leaf, sub, &r);
	out[0] = r.eax;
	out[1] = r.ebx;
	out[2] = r.ecx;
	out[3] = r.edx;
}

static int rdmsr_seam(void *ctx, uint32_t msr, uint64_t *val)
{
	(void)ctx;
	return rdmsr_safe(msr, val);
}

static void report_virt_hardware(void)
{
	const struct hvm_cpu_io io = { NULL, cpuid_seam, rdmsr_seam };
	const char *why;
	char line[400];

	hvm_caps_probe(&io, &hvm_caps);
	hvm_caps_describe(&hvm_caps, line, sizeof(line));
	log_info("CPU vendor %s", hvm_caps.vendor_string);
	log_info("virtualization: %s", line);
	why = hvm_caps_unusable_reason(&hvm_caps);
	if (why)
		log_warn("hardware containers unavailable: %s", why);
}

static void enable_on_cpu(void *arg)
{
	int *failed = arg;

	if (hvm_ops.cpu_enable())
		__atomic_fetch_add(failed, 1, __ATOMIC_RELAXED);
}

/* Pick the backend and switch it on on every CPU. */
static void start_hvm(void)
{
	int failed = 0, ret;

	sched_init();
	ret = hvm_backend_init();
	if (ret) {
		log_warn("hv container unavailable (%d): no usable VT-x/AMD-V "
			 "backend", ret);
		return;
	}
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++)
		if (percpu[cpu].online)
			smp_call_on(cpu, enable_on_cpu, &failed, true);
	if (failed) {
		log_err("%s could not be enabled on %d CPU(s)", hvm_ops.name,
			failed);
		hvm_available = false;
		return;
	}
	log_info("hv container: %s backend enabled on %u CPU(s)",
		 hvm_ops.name, smp_online_count());
}

void hv_start(uint32_t magic, uint32_t mbi_pa)
{
	int bad, st;

	(void)magic; /* checked in boot.S */
	cpu_init_common(0);
	idt_init();
	console_configure(COM1_PORT, true);

	st = multiboot2_parse(mbi_pa);
	bad = cmdline_parse(boot_info.cmdline);
	if (hv_config.console_port != COM1_PORT)
		console_configure(hv_config.console_port,
				  hv_config.console_port != 0);
	log_info("trivisor %s (VMI ABI %u.%u) starting", TRIVISOR_VERSION,
		 VMI_ABI_MAJOR, VMI_ABI_MINOR);
	if (st)
		panic("unusable multiboot2 information");
	if (bad)
		cmdline_report();
	bootinfo_log();

	memory_init();
	paging_init();
	memory_add_high();
	time_init();
	rtc_init();

	if (acpi_init())
		log_warn("ACPI unusable: running on the boot CPU only");
	pic_disable();
	lapic_init_bsp();
	lapic_init_this_cpu();
	percpu[0].apic_id = lapic_id();
	lapic_timer_calibrate();
	irq_enable();

	report_virt_hardware();
	smp_boot_aps();
	log_info("boot complete in %lu ms: %u CPU(s), %lu MiB free",
		 time_ns() / 1000000, smp_online_count(),
		 hv_frames_free() >> 8);

	st = selftest_run(hv_config.selftests);
	start_hvm();
	st += domains_boot_create();
	mgmt_init(hv_config.mgmt_port);
	if (hv_config.exit_when_done && (st || domains_alive() == 0))
		platform_exit(st == 0);
	sched_loop();
}
