/*
 * The portable parts of the VMI ABI's hypervisor side: time scaling for
 * the pvclock, event-channel delivery on the shared bitmaps, multicall
 * decoding and the vCPU start state.  They build inside the hypervisor
 * and on the host, where tests/unit/vmi checks them.
 *
 * Event delivery works on guest memory that the guest changes at the
 * same time (it clears pending bits, flips mask bits and upcall flags
 * from any of its vCPUs), so every access to it is atomic.
 */
#ifndef HVM_VMI_LIB_H
#define HVM_VMI_LIB_H

#include <stdbool.h>
#include <stdint.h>
#include <vmi/vmi.h>

struct guest_boot_state;

/*
 * Express a clock of @mult nanoseconds per tick in 32.32 fixed point as
 * the pvclock's (shift, mul) pair: ns = ((ticks << shift) * mul) >> 32,
 * with a negative shift meaning a right shift.
 */
void vmi_time_scale(uint64_t mult, int8_t *shift, uint32_t *mul);
/* Nanoseconds @ticks TSC ticks after @t's timestamp, by the formula of
 * vmi/time.h (plus t->system_time). */
uint64_t vmi_pvclock_ns(const struct vmi_pvclock *t, uint64_t tsc);
/*
 * The version protocol of the pvclock and the wall clock, for their one
 * writer: begin makes *@version odd and returns the even value it had
 * (rounded up); end makes it even again, past that value.
 */
uint32_t vmi_version_begin(uint32_t *version);
void vmi_version_end(uint32_t *version, uint32_t v);
/*
 * The host time (time_ns() terms) at which a TIMER_SET deadline of
 * @deadline ns of system time falls, for a domain whose system time began
 * at host time @origin: saturated at UINT64_MAX ("never") where the sum
 * would wrap, so a far deadline is never taken for one long past.
 */
uint64_t vmi_timer_host_deadline(uint64_t deadline, uint64_t origin);
/* Write a pvclock with the version protocol (odd while writing). */
void vmi_pvclock_write(struct vmi_pvclock *t, uint64_t tsc,
		       uint64_t system_ns, int8_t shift, uint32_t mul,
		       uint8_t flags);

/*
 * Raise event port @port (1..VMI_NR_EVENTS-1) on the shared bitmaps and
 * the target vCPU's area @vi (may be NULL: the event only stays pending).
 * Returns true when the vCPU must be told: the port was not pending, is
 * unmasked, and upcall_pending went from 0 to 1.
 */
bool vmi_evtchn_raise(struct vmi_shared_info *s, struct vmi_vcpu_info *vi,
		      unsigned int port);
/* Clear @port's mask bit; a pending event is then delivered as above. */
bool vmi_evtchn_unmask(struct vmi_shared_info *s, struct vmi_vcpu_info *vi,
		       unsigned int port);
/* Would an upcall be taken now (pending, not masked)? */
bool vmi_upcall_ready(const struct vmi_vcpu_info *vi);

/*
 * A multicall: @count entries at @gpa, each read, performed and its result
 * written back through @env.  Returns @count, or a negative VMI error
 * (nothing done) for a bad count, alignment or address.
 */
struct vmi_multicall_env {
	void *ctx;
	/* 0 or -VMI_EFAULT; @gpa..@gpa+len must be the guest's RAM. */
	int (*read)(void *ctx, uint64_t gpa, void *buf, uint64_t len);
	int (*write)(void *ctx, uint64_t gpa, const void *buf, uint64_t len);
	bool (*is_ram)(void *ctx, uint64_t gpa, uint64_t len);
	/* One entry's call; its result. */
	long (*call)(void *ctx, uint32_t call, const uint64_t args[5]);
	/* True when the batch must stop (the domain or the vCPU ended). */
	bool (*stop)(void *ctx);
	/* A refused entry or batch: log @why, return @err. */
	long (*refuse)(void *ctx, long err, const char *why);
};
long vmi_multicall_run(const struct vmi_multicall_env *env, uint64_t gpa,
		       uint64_t count);

/*
 * Check a VCPU_UP start state: reserved fields zero, canonical RIP, RSP
 * and GDT base, a page-aligned CR3 below @max_gpa, selectors of the GDT
 * (TI = 0, RPL = 0, inside the limit, not null).  0 or -VMI_EINVAL with
 * the reason in *why.
 */
int vmi_vcpu_start_check(const struct vmi_vcpu_start *st, uint64_t max_gpa,
			 const char **why);
/* The boot state for a checked start: 64-bit mode, paging on with
 * st->cr3 (CR0 PE|PG|ET|NE|WP, CR4 PAE, EFER LME|LMA|NXE), flat
 * descriptors for the selectors, RFLAGS 2, RDI = st->arg. */
void vmi_vcpu_start_state(const struct vmi_vcpu_start *st,
			  struct guest_boot_state *bs);

#endif
