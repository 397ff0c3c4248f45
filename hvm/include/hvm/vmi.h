/*
 * The hypervisor side of the VMI ABI (docs/vmi-abi.md) for domains of
 * type pv in the hardware container: discovery values, the ROM MSR, and
 * the call dispatch behind the ROM's hypercall instruction.
 */
#ifndef HVM_VMI_H
#define HVM_VMI_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <trivisor/spinlock.h>
#include <trivisor/log.h>
#include <vmi/vmi.h>

struct vcpu;
struct domain;
struct vmi_mm;

/* Device lines (GSIs) an event channel can be bound to: the I/O APIC's. */
#define VMI_NR_GSIS 24

/* One event channel port's binding (hvm/vmi-event.c). */
struct vmi_port {
	uint8_t state; /* VMI_EVTCHN_* */
	uint8_t vcpu; /* the vCPU it notifies */
	uint8_t source; /* VIRQ number or GSI */
};

/*
 * Per-domain VMI state.  The port table, the GSI map and the shared-page
 * pointer are guarded by evt_lock (taken inside the platform lock when a
 * device line fires, never the other way round).
 */
struct vmi_domain {
	bool enabled; /* a pv domain: VMI advertised */
	uint32_t declared; /* bit per VMI_SECTION_*: declared by the guest */
	uint64_t rom_msr; /* last value written to VMI_MSR_ROM */
	uint64_t shared_gpa; /* the shared page, 0 = none */
	struct vmi_shared_info *shared; /* its hypervisor mapping */
	spinlock_t evt_lock;
	struct vmi_port ports[VMI_NR_EVENTS];
	uint16_t gsi_port[VMI_NR_GSIS]; /* 0 = not bound */
	/* Console input waiting for CONSOLE_READ (a ring; under evt_lock). */
	uint8_t con_in[256];
	uint32_t con_head, con_tail; /* free-running: tail - head bytes */
	uint32_t gsi_level; /* bit per GSI: the line's last level */
	uint64_t bad_calls; /* refused calls */
	struct ratelimit log_rl; /* their log lines */
	struct ratelimit rom_rl; /* ROM MSR log lines (hvm/vmi.c) */
	uint64_t calls[128]; /* calls made, per call number (VMI_NR_CALLS) */
	struct vmi_mm *mm; /* pins and ballooning (hvm/vmi-mm.c), or NULL */
	/*
	 * Held while a page is mapped for the ABI and published (shared_gpa,
	 * a vCPU's area_gpa) and while BALLOON_OUT checks and removes a page,
	 * so a page cannot be given back between the two.  Outside the
	 * event, P2M and frame locks.
	 */
	spinlock_t map_lock;
};

/* Free what the mmu and memory sections hold for @d (domain teardown,
 * before its RAM is freed). */
void vmi_mm_release(struct domain *d);
/* A nested-table page @mfn is no longer used: true when a balloon call
 * of @d is under way and frees it after every vCPU has flushed. */
bool vmi_mm_defer_table(struct domain *d, uint64_t mfn);

/*
 * Per-vCPU VMI state (hvm/vmi-vcpu.c).  Changed by the vCPU's own CPU,
 * except where noted.
 */
struct vmi_vcpu {
	/* VCPU_AREA, 0 = none, and its hypervisor mapping: set by the
	 * vCPU's own CPU holding map_lock and evt_lock, so delivery from
	 * another CPU (under evt_lock) and BALLOON_OUT's in-use check
	 * (under map_lock) each see one consistent area. */
	uint64_t area_gpa;
	struct vmi_vcpu_info *area;
	uint8_t upcall_vector; /* 0 = no upcalls */
	uint16_t virq_port[VMI_NR_VIRQS]; /* under evt_lock */
	uint64_t timer_deadline; /* system time, ns; 0 = not armed */
	uint64_t clock_ns; /* time_ns() of the last pvclock update */
	uint64_t stolen_ns;
	uint64_t off_ns; /* when it last left its CPU */
	bool off_runnable; /* and whether it was still runnable then */
	bool yield; /* VCPU_YIELD: give up the CPU after this exit */
	/* VCPU_UP/VCPU_DOWN from another vCPU (set there, taken here). */
	volatile bool start_pending, down_pending;
	struct vmi_vcpu_start start;
};

/* Is guest frame @gfn in use by the VMI ABI (the ROM, the shared page, a
 * vCPU area)?  Such a page cannot be given back (ballooned).
 */
bool vmi_page_in_use(struct domain *d, uint64_t gfn);

/* Feature word 0 this hypervisor offers a pv domain. */
uint32_t vmi_features(void);
/* Section versions for CPUID 0x40000003, major << 8 | minor, 0 = absent. */
uint16_t vmi_section_version(unsigned int section);
/* CPUID 0x40000003 EAX..EDX: the section versions, two per register. */
void vmi_cpuid_sections(uint32_t out[4]);

/*
 * Hooks for the run loop (hvm/run.c), the platform and the scheduler; all
 * do nothing for a domain without VMI.
 */
/* @v is about to run on its CPU / has left it (scheduling, stolen time,
 * the pvclock). */
void vmi_vcpu_scheduled(struct vcpu *v, uint64_t now);
void vmi_vcpu_descheduled(struct vcpu *v, uint64_t now);
/* Fire @v's timer if due; the next deadline in time_ns() terms. */
uint64_t vmi_vcpu_tick(struct vcpu *v, uint64_t now);
/* The upcall vector to inject now, or -1; a halted or blocked @v with
 * RFLAGS.IF set wakes when there is one. */
int vmi_upcall_pending(struct vcpu *v);
/* A VCPU_UP or VCPU_DOWN from another vCPU is waiting: wake @v to take
 * it. */
bool vmi_vcpu_request_waiting(struct vcpu *v);
/* Take a pending VCPU_UP or VCPU_DOWN on the vCPU's own CPU; true when
 * the vCPU's run state changed. */
bool vmi_vcpu_take_requests(struct vcpu *v);
/* A device line changed level: true when an event channel took it (the
 * I/O APIC and 8259 then do not see it).  Platform lock held. */
bool vmi_gsi_set(struct domain *d, unsigned int gsi, bool level);
/*
 * Console input for a domain.  Once a vCPU has bound VIRQ_CONSOLE, input
 * goes to the VMI console (CONSOLE_READ) instead of the serial port; each
 * arrival raises the VIRQ.  Returns the bytes taken.
 */
bool vmi_console_takes_input(struct domain *d);
size_t vmi_console_input(struct domain *d, const uint8_t *buf, size_t n);
size_t vmi_console_room(struct domain *d);
/* Forget the domain's VMI mappings (the domain is going away). */
void vmi_domain_destroy(struct domain *d);
/* The ABI's name of call @call (VMI_CALL_*), NULL for an undefined one. */
const char *vmi_call_name(unsigned int call);
/* Logs the domain's VMI calls by name (at its end). */
void vmi_report(struct domain *d);

/*
 * VMI_MSR_ROM.  Returns 0 when @msr is not VMI's, 1 when handled, -1 for
 * #GP (not a pv domain, a misaligned or non-RAM address).
 */
int vmi_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val);

/*
 * The guest executed the ROM's hypercall instruction (@len bytes): do the
 * call in RAX with the arguments of its mode, put the result in RAX and
 * step over the instruction.  In a domain without VMI: #UD.
 */
void vmi_hypercall(struct vcpu *v, unsigned int len);

#endif
