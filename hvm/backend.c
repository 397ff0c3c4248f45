/*
 * Choosing and checking the hardware backend: the probed vendor table is
 * copied once, and a table missing a mandatory op is refused (the
 * X-macro in hvm/hvm.h marks which ones are).
 */
#include <hvm/hvm.h>
#include <trivisor/log.h>
#include <vmi/errno.h>

struct hvm_ops hvm_ops;
bool hvm_available;

static const char *const exit_names[HVM_EXIT_NR] = {
	[HVM_EXIT_NONE] = "handled", [HVM_EXIT_EXTINT] = "host-interrupt",
	[HVM_EXIT_CPUID] = "cpuid", [HVM_EXIT_MSR] = "msr",
	[HVM_EXIT_IO] = "io", [HVM_EXIT_HLT] = "hlt",
	[HVM_EXIT_NPF] = "npf", [HVM_EXIT_VMCALL] = "vmcall",
	[HVM_EXIT_SHUTDOWN] = "shutdown",
	[HVM_EXIT_INTR_WINDOW] = "intr-window", [HVM_EXIT_NMI] = "nmi",
	[HVM_EXIT_EXCEPTION] = "exception",
	[HVM_EXIT_ENTRY_FAILED] = "entry-failed",
	[HVM_EXIT_UNHANDLED] = "unhandled", [HVM_EXIT_PAUSE] = "pause",
	[HVM_EXIT_XSETBV] = "xsetbv",
};

const char *hvm_exit_name(uint32_t reason)
{
	return reason < HVM_EXIT_NR && exit_names[reason] ? exit_names[reason]
							  : "?";
}

#define CHECK_OP(kind, ret, op, args)                                        \
	if (!hvm_ops.op && HVM_OP_##kind) {                                  \
		log_err("hvm backend %s lacks mandatory op " #op, backend);  \
		missing++;                                                   \
	}
#define HVM_OP_mandatory 1
#define HVM_OP_optional 0

int hvm_backend_init(void)
{
	const struct hvm_ops *ops = svm_probe();
	const char *backend;
	int missing = 0;

	if (!ops)
		ops = vmx_probe();
	if (!ops)
		return -VMI_ENODEV;
	hvm_ops = *ops;
	backend = ops->name ? ops->name : "?";
	HVM_OPS(CHECK_OP)
	if (!hvm_ops.nested_fmt) {
		log_err("hvm backend %s names no nested page-table format",
			backend);
		missing++;
	}
	if (missing)
		return -VMI_EINVAL;
	hvm_available = true;
	return 0;
}
