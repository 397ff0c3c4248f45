/*
 * The vendor-neutral face of the hardware-assisted container.
 *
 * A backend (hvm/svm/, hvm/vmx/) turns the CPU's VM exits into struct
 * hvm_exit and leaves every decision that is not vendor-specific to the
 * core (hvm/run.c): CPUID policy, MSR policy, port and MMIO dispatch,
 * HLT, interrupt delivery.  The ops table is declared once as an X-macro
 * with each op marked mandatory or optional; hvm_backend_init() copies the
 * probed backend's table and refuses one that lacks a mandatory op.
 */
#ifndef HVM_HVM_H
#define HVM_HVM_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;
struct guest_boot_state;
struct nested_fmt;

/* Generic exit reasons. */
#define HVM_EXIT_NONE 0 /* handled inside the backend; just re-enter */
#define HVM_EXIT_EXTINT 1 /* a host interrupt arrived */
#define HVM_EXIT_CPUID 2
#define HVM_EXIT_MSR 3
#define HVM_EXIT_IO 4
#define HVM_EXIT_HLT 5
#define HVM_EXIT_NPF 6 /* nested/EPT fault: MMIO or a hole */
#define HVM_EXIT_VMCALL 7
#define HVM_EXIT_SHUTDOWN 8 /* triple fault */
#define HVM_EXIT_INTR_WINDOW 9
#define HVM_EXIT_NMI 10
#define HVM_EXIT_EXCEPTION 11
#define HVM_EXIT_ENTRY_FAILED 12 /* the CPU refused the guest state */
#define HVM_EXIT_UNHANDLED 13 /* an exit the backend does not know */
#define HVM_EXIT_PAUSE 14
#define HVM_EXIT_XSETBV 15
#define HVM_EXIT_NR 16

/* What the core needs to know about an exit; filled by the backend. */
struct hvm_exit {
	uint32_t reason; /* HVM_EXIT_* */
	uint64_t raw; /* vendor exit code, for logs */
	union {
		struct {
			uint16_t port;
			uint8_t size; /* 1, 2 or 4 */
			bool in;
			bool string, rep;
		} io;
		struct {
			uint32_t index;
			bool write;
		} msr;
		struct {
			uint64_t gpa;
			bool write, fetch, present;
		} npf;
		struct {
			uint8_t vector;
			bool has_error;
			uint32_t error;
		} exc;
		struct {
			uint64_t info1, info2;
		} raw_info;
	};
	/* Length of the exiting instruction if the CPU told us, else 0. */
	uint8_t insn_len;
};

/* An event to inject. */
#define HVM_EVENT_EXTINT 0
#define HVM_EVENT_NMI 2
#define HVM_EVENT_EXCEPTION 3
#define HVM_EVENT_SOFTINT 4

/*
 * What flush_tlb() must drop before the vCPU's next entry: its linear
 * (guest-virtual) translations, and with HVM_FLUSH_NESTED also those
 * derived from the domain's nested tables.  Called on the vCPU's CPU,
 * with its hardware state current, just before an entry.
 */
#define HVM_FLUSH_GUEST 0x1u
#define HVM_FLUSH_NESTED 0x2u

/* Guest execution modes, for the instruction decoder. */
#define HVM_MODE_REAL 0
#define HVM_MODE_PROT16 1
#define HVM_MODE_PROT32 2
#define HVM_MODE_LONG64 3

/*
 * OP(kind, ret, name, args): kind is mandatory or optional.
 *
 * vcpu_set_state loads a whole register state (a VMI VCPU_UP); like
 * vcpu_start_ap it runs on the vCPU's own CPU between vcpu_load/put.
 *
 * seg_limit gives a segment register's byte-granular limit and its
 * attributes in the VMCB's 12-bit form (type 3:0, S 4, DPL 6:5, P 7,
 * AVL 8, L 9, D/B 10, G 11; P clear for an unusable segment), for the
 * emulator's limit checks; set_cr2 sets the guest's CR2 for a #PF the
 * emulator injects.  Without them the emulator skips the limit checks
 * and crashes the domain instead of injecting #PF.
 *
 * vcpu_load/vcpu_put bracket each hvm_vcpu_run() on the vCPU's CPU: a
 * backend whose per-vCPU hardware state must be made current on a CPU
 * (a VMCS) does that there, so that between runs no CPU holds it.
 */
#define HVM_OPS(OP)                                                          \
	OP(mandatory, int, cpu_enable, (void))                               \
	OP(mandatory, int, vcpu_create,                                      \
	   (struct vcpu * v, const struct guest_boot_state *bs))              \
	OP(mandatory, void, vcpu_destroy, (struct vcpu * v))                 \
	OP(optional, void, vcpu_load, (struct vcpu * v))                     \
	OP(optional, void, vcpu_put, (struct vcpu * v))                      \
	OP(mandatory, void, vcpu_enter, (struct vcpu * v, struct hvm_exit *x)) \
	OP(mandatory, void, skip_insn, (struct vcpu * v, unsigned int len))  \
	OP(mandatory, void, vcpu_start_ap, (struct vcpu * v, uint8_t vector)) \
	OP(mandatory, void, vcpu_set_state,                                  \
	   (struct vcpu * v, const struct guest_boot_state *bs))              \
	OP(mandatory, bool, event_pending, (struct vcpu * v))                \
	OP(mandatory, bool, intr_allowed, (struct vcpu * v))                 \
	OP(mandatory, void, inject_event,                                    \
	   (struct vcpu * v, unsigned int type, uint8_t vector, bool has_err, \
	    uint32_t err))                                                   \
	OP(mandatory, void, set_intr_window, (struct vcpu * v, bool on))     \
	OP(mandatory, int, guest_mode, (struct vcpu * v))                    \
	OP(mandatory, uint64_t, seg_base, (struct vcpu * v, unsigned int seg)) \
	OP(mandatory, void, get_ctrl,                                        \
	   (struct vcpu * v, uint64_t * cr0, uint64_t * cr3, uint64_t * cr4,  \
	    uint64_t * efer))                                                \
	OP(mandatory, unsigned int, cpl, (struct vcpu * v))                  \
	OP(optional, void, seg_limit,                                        \
	   (struct vcpu * v, unsigned int seg, uint32_t * limit,              \
	    uint32_t * attr))                                                \
	OP(optional, void, set_cr2, (struct vcpu * v, uint64_t cr2))         \
	OP(mandatory, void, flush_tlb, (struct vcpu * v, uint32_t what))     \
	OP(optional, void, dump, (struct vcpu * v))

#define HVM_OP_FIELD(kind, ret, name, args) ret(*name) args;
struct hvm_ops {
	const char *name;
	/* The VMI ROM's hypercall instruction (vmmcall, vmcall) and the
	 * container number CPUID 0x40000001 reports (VMI_CONTAINER_*). */
	uint8_t hypercall[3];
	uint32_t vmi_container;
	/* Entry encoding of the nested tables: npt_fmt or ept_fmt. */
	const struct nested_fmt *nested_fmt;
	HVM_OPS(HVM_OP_FIELD)
};
#undef HVM_OP_FIELD

/* The backend in use, copied at boot; NULL fields only for optional ops. */
extern struct hvm_ops hvm_ops;
extern bool hvm_available;

/* Probe the backends; 0 with hvm_ops filled, or a negative VMI error. */
int hvm_backend_init(void);

const struct hvm_ops *svm_probe(void);
const struct hvm_ops *vmx_probe(void);

const char *hvm_exit_name(uint32_t reason);

#endif
