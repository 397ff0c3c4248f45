/*
 * Domains and vCPUs.
 *
 * A domain owns its memory (2 MiB blocks from the frame allocator, owner =
 * domain id, scrubbed before use, all returned by domain_destroy()), its
 * P2M and nested page tables, its virtual platform and its vCPUs.  Each
 * vCPU is pinned to one physical CPU for its life (round-robin at
 * creation) and runs from that CPU's scheduler loop (sched.c).
 *
 * Locking: dom->lock guards the domain's state and its device models;
 * vCPU run state is changed by the owning physical CPU, other CPUs only
 * set pending flags and kick.  The state only moves forward once the
 * domain has ended (DOM_ENDED, then DOM_DEAD, set under dom->lock by the
 * CPU that reaps it); code on another CPU that uses the vCPUs or the
 * platform holds dom->lock while it sees the domain alive, or runs
 * inside domain_call_live().
 */
#ifndef TRIVISOR_DOMAIN_H
#define TRIVISOR_DOMAIN_H

#include <stdint.h>
#include <stdbool.h>
#include <trivisor/fpu.h>
#include <trivisor/spinlock.h>
#include <hvm/hvm.h>
#include <mm/p2m.h>
#include <mm/nested.h>
#include <hvm/vmi.h>

#define MAX_DOMAINS 16
#define MAX_VCPUS 8
#define DOMAIN_NAME_MAX 32

struct vcpu_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
};

#define VCPU_RUNNABLE 0
#define VCPU_BLOCKED 1 /* HLT: waits for an interrupt */
#define VCPU_WAIT_SIPI 2 /* an AP before INIT-SIPI */
#define VCPU_STOPPED 3 /* domain ended or paused */

struct domain;

struct vcpu {
	struct domain *dom;
	unsigned int id;
	unsigned int pcpu;
	volatile int state;
	volatile bool kicked; /* something changed: look before re-entering */
	struct vcpu_regs regs; /* backend syncs rax/rsp/rip/rflags */
	void *vendor; /* backend state (struct svm_vcpu, ...) */
	uint64_t exits[HVM_EXIT_NR];
	uint64_t run_tsc; /* TSC ticks spent in guest mode */
	/*
	 * TLB flushes asked by other vCPUs (hvm_flush_vcpus()): HVM_FLUSH_*
	 * bits, taken by the run loop before the next entry.  guest_seq is
	 * odd from just before that check until the vCPU has left guest mode.
	 */
	volatile uint32_t flush_req;
	volatile uint64_t guest_seq;
	uint64_t tlb_flushes; /* requests taken, for the log */
	/* x87/SSE/AVX state in XSAVE (or FXSAVE) format while the vCPU is
	 * off its CPU, and the guest's XCR0 (trivisor/fpu.h). */
	bool fpu_valid; /* false: reset state (and XCR0) at the next run */
	uint64_t xcr0;
	uint8_t fpu[FPU_AREA_SIZE] __attribute__((aligned(64)));
	struct vmi_vcpu vmi; /* pv domains: the VMI ABI (hvm/vmi-vcpu.c) */
};

#define DOM_RUNNING 0
#define DOM_PAUSED 1
#define DOM_ENDED 2 /* shut down or exited: waits to be reaped */
#define DOM_DEAD 3

/* How a domain ended. */
#define DOM_END_NONE 0
#define DOM_END_POWEROFF 1
#define DOM_END_REBOOT 2
#define DOM_END_DEBUG_EXIT 3
#define DOM_END_CRASH 4
#define DOM_END_DESTROYED 5 /* by the toolstack */

struct domain {
	uint16_t id;
	char name[DOMAIN_NAME_MAX];
	spinlock_t lock;
	volatile int state;
	int end_how; /* DOM_END_* */
	int exit_code; /* debug-exit value */
	char crash_reason[160];
	uint64_t started_ns; /* time_ns() when it was created */
	bool dump_on_stop; /* each vCPU logs its state when it stops */

	uint64_t mem_bytes;
	uint64_t host_free_at_create; /* hv_frames_free(), for the log */
	/* Guards p2m and npt once the domain runs (ballooning changes them;
	 * guest memory copies read them). */
	spinlock_t p2m_lock;
	struct p2m p2m;
	struct p2m_range *p2m_store;
	unsigned int p2m_cap;
	struct nested_pt npt;

	unsigned int nr_vcpus;
	/* Set at creation; each entry freed only by domain_destroy().
	 * Another CPU walks it under lock (domain_end() and the pause
	 * controls kick under it) or inside domain_call_live(). */
	struct vcpu *vcpus[MAX_VCPUS];
	/* vCPUs taken off their CPUs for good (sched.c drop()); the one
	 * that makes it nr_vcpus reaps the domain.  Atomic. */
	unsigned int vcpus_stopped;

	void *plat; /* virtual platform (hvm/platform.c) */
	/* Set at creation: an access to an address nothing claims crashes
	 * the domain rather than reading all ones (hvm/platform.c). */
	bool unclaimed_strict;
	struct vmi_domain vmi; /* pv domains: the VMI ABI (hvm/vmi.c) */
};

struct domain_config {
	const char *name;
	uint64_t mem_bytes;
	unsigned int vcpus;
	const void *kernel;
	uint64_t kernel_len;
	const void *ramdisk;
	uint64_t ramdisk_len;
	const char *cmdline;
	bool pv; /* type pv: the VMI ABI is advertised */
	bool unclaimed_strict; /* unclaimed=strict: stray accesses crash */
};

/*
 * Create and start an hv domain.  Returns 0 and the domain, or a negative
 * VMI error with the reason in @why (memory: says how much is free), and
 * nothing left allocated.
 */
int domain_create(const struct domain_config *cfg, struct domain **out,
		  char *why, unsigned int why_len);
/* Stop the vCPUs, free memory and tables; the slot becomes reusable. */
void domain_destroy(struct domain *d);

/* The domain ends: poweroff, reboot, debug-exit code or crash (first
 * reason wins).  Safe from any vCPU context.  False when it had ended
 * already. */
bool domain_end(struct domain *d, int how, int code, const char *reason);
__attribute__((format(printf, 2, 3))) void domain_crash(struct domain *d,
							const char *fmt, ...);

/*
 * Toolstack controls (the management agent).  Each returns 0 or a negative
 * VMI error with the reason in @why.  Pause stops the vCPUs at their next
 * exit (a kick forces one) and keeps them off their CPUs until unpause;
 * shutdown presses the domain's ACPI power button; destroy ends the domain
 * at once, and its CPUs reap it as its vCPUs stop.
 */
int domain_pause(struct domain *d, char *why, unsigned int why_len);
int domain_unpause(struct domain *d, char *why, unsigned int why_len);
int domain_shutdown(struct domain *d, char *why, unsigned int why_len);
int domain_kill(struct domain *d, char *why, unsigned int why_len);
/* A live domain by name (when @name is non-NULL) or id; NULL if none. */
struct domain *domain_find(const char *name, unsigned int id);
/*
 * Run @fn(@d, @arg) while @d cannot be destroyed (its vCPUs and platform
 * stay allocated): under the domain table's lock, and only while @d is in
 * its slot and not yet DOM_DEAD.  False (and @fn not called) otherwise.
 * For another CPU's look at a domain's vCPUs (the management agent's
 * counters, console input); @fn must be short and must not take the
 * domain table's lock (domain_find()).
 */
bool domain_call_live(struct domain *d, void (*fn)(struct domain *, void *),
		      void *arg);

/* Guest memory access through the P2M (RAM only); 0 or -VMI_EFAULT. */
/* Is all of [gpa, gpa + len) the domain's RAM?  False for len 0. */
bool domain_is_ram(struct domain *d, uint64_t gpa, uint64_t len);
int domain_read(struct domain *d, uint64_t gpa, void *buf, uint64_t len);
/* The hypervisor's mapping of [gpa, gpa + len), which must be RAM within
 * one page; NULL if it is not.  Valid while the page stays the domain's
 * RAM (pages the VMI ABI uses cannot be ballooned: vmi_page_in_use(); map
 * and publish them under d->vmi.map_lock, as BALLOON_OUT checks under
 * it). */
void *domain_map(struct domain *d, uint64_t gpa, uint64_t len);
int domain_write(struct domain *d, uint64_t gpa, const void *buf,
		 uint64_t len);

/* Serial output from the guest: lines go to the log as "[NAME] text";
 * the domain named by attach= has its output shown raw on the console. */
void domain_console(struct domain *d, const char *buf, uint64_t len);
/* CPU 0: pass console input to the attach= domain's COM1. */
void domain_console_input_poll(void);

extern struct domain *domains[MAX_DOMAINS];
unsigned int domains_alive(void);

/* Domains from the multiboot2 modules (docs/domains.md). */
int domains_boot_create(void); /* returns how many failed */

/* Scheduler (sched.c). */
void sched_add(struct vcpu *v);
void sched_remove(struct vcpu *v);
void vcpu_kick(struct vcpu *v);
__attribute__((noreturn)) void sched_loop(void);

#define log_dom(lvl, d, fmt, ...)                                            \
	log_printf(lvl, "d%u(%s): " fmt, (d)->id, (d)->name, ##__VA_ARGS__)

#endif
