/*
 * Portable parts of the VMI ABI's hypervisor side (hvm/include/hvm/
 * vmi-lib.h).  No hypervisor headers beyond the loader's state type:
 * tests/unit/vmi builds this file on the host.
 */
#include <hvm/vmi-lib.h>
#include <hvm/loader.h>
#include <stddef.h>
#include <string.h>

uint64_t vmi_timer_host_deadline(uint64_t deadline, uint64_t origin)
{
	/* Both are nanoseconds: UINT64_MAX is 584 years away. */
	return deadline > UINT64_MAX - origin ? UINT64_MAX : deadline + origin;
}

void vmi_time_scale(uint64_t mult, int8_t *shift, uint32_t *mul)
{
	int8_t s = 0;

	/* A clock slower than 1 GHz has mult >= 2^32: move the excess
	 * into a left shift of the tick count (the low bits lost are
	 * below 2^-32 ns per tick of relative error). */
	while (mult > 0xffffffffull) {
		mult >>= 1;
		s++;
	}
	/* A fast clock keeps as many significant bits as fit. */
	while (mult && !(mult & 0x80000000ull) && s > -31) {
		mult <<= 1;
		s--;
	}
	*shift = s;
	*mul = (uint32_t)mult;
}

uint64_t vmi_pvclock_ns(const struct vmi_pvclock *t, uint64_t tsc)
{
	uint64_t d = tsc - t->tsc_timestamp;

	if (t->tsc_shift >= 0)
		d <<= t->tsc_shift;
	else
		d >>= -t->tsc_shift;
	return t->system_time +
	       (uint64_t)(((unsigned __int128)d * t->tsc_to_system_mul) >> 32);
}

uint32_t vmi_version_begin(uint32_t *version)
{
	/* From even v (an odd one left by a writer that stopped is rounded
	 * up) to odd while the fields change: a reader retries. */
	uint32_t v = (__atomic_load_n(version, __ATOMIC_RELAXED) + 1) & ~1u;

	__atomic_store_n(version, v + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return v;
}

void vmi_version_end(uint32_t *version, uint32_t v)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(version, v + 2, __ATOMIC_RELAXED);
}

void vmi_pvclock_write(struct vmi_pvclock *t, uint64_t tsc,
		       uint64_t system_ns, int8_t shift, uint32_t mul,
		       uint8_t flags)
{
	/* Only the vCPU's own CPU writes its clock. */
	uint32_t v = vmi_version_begin(&t->version);

	t->tsc_timestamp = tsc;
	t->system_time = system_ns;
	t->tsc_to_system_mul = mul;
	t->tsc_shift = shift;
	t->flags = flags;
	vmi_version_end(&t->version, v);
}

/* Tell @vi about word @w of the pending bitmap; true if it must be told
 * by an interrupt (upcall_pending was clear). */
static bool flag_vcpu(struct vmi_vcpu_info *vi, unsigned int w)
{
	if (!vi)
		return false;
	__atomic_fetch_or(&vi->pending_sel, 1ull << w, __ATOMIC_SEQ_CST);
	return !__atomic_exchange_n(&vi->upcall_pending, 1, __ATOMIC_SEQ_CST);
}

bool vmi_evtchn_raise(struct vmi_shared_info *s, struct vmi_vcpu_info *vi,
		      unsigned int port)
{
	unsigned int w = port / 64;
	uint64_t bit = 1ull << (port % 64);

	if (!port || port >= VMI_NR_EVENTS)
		return false;
	/* Merged with an event already pending on the port. */
	if (__atomic_fetch_or(&s->evtchn_pending[w], bit, __ATOMIC_SEQ_CST) &
	    bit)
		return false;
	if (__atomic_load_n(&s->evtchn_mask[w], __ATOMIC_SEQ_CST) & bit)
		return false;
	return flag_vcpu(vi, w);
}

bool vmi_evtchn_unmask(struct vmi_shared_info *s, struct vmi_vcpu_info *vi,
		       unsigned int port)
{
	unsigned int w = port / 64;
	uint64_t bit = 1ull << (port % 64);

	if (!port || port >= VMI_NR_EVENTS)
		return false;
	__atomic_fetch_and(&s->evtchn_mask[w], ~bit, __ATOMIC_SEQ_CST);
	if (!(__atomic_load_n(&s->evtchn_pending[w], __ATOMIC_SEQ_CST) & bit))
		return false;
	return flag_vcpu(vi, w);
}

bool vmi_upcall_ready(const struct vmi_vcpu_info *vi)
{
	return vi && __atomic_load_n(&vi->upcall_pending, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&vi->upcall_mask, __ATOMIC_ACQUIRE);
}

long vmi_multicall_run(const struct vmi_multicall_env *env, uint64_t gpa,
		       uint64_t count)
{
	struct vmi_multicall mc;

	if (count > VMI_MULTICALL_MAX)
		return env->refuse(env->ctx, -VMI_E2BIG,
				   "more than VMI_MULTICALL_MAX entries");
	if (gpa & 7)
		return env->refuse(env->ctx, -VMI_EINVAL,
				   "entries not 8-byte aligned");
	if (count && !env->is_ram(env->ctx, gpa, count * sizeof(mc)))
		return env->refuse(env->ctx, -VMI_EFAULT,
				   "entries outside the domain's RAM");
	for (uint64_t i = 0; i < count; i++) {
		uint64_t at = gpa + i * sizeof(mc);

		if (env->read(env->ctx, at, &mc, sizeof(mc)))
			return -VMI_EFAULT;
		if (mc.flags)
			mc.result = env->refuse(env->ctx, -VMI_EINVAL,
						"entry with non-zero flags");
		else if (mc.call == VMI_CALL_MULTICALL)
			mc.result = env->refuse(env->ctx, -VMI_EINVAL,
						"nested multicall");
		else
			mc.result = env->call(env->ctx, mc.call, mc.args);
		if (env->write(env->ctx,
			       at + offsetof(struct vmi_multicall, result),
			       &mc.result, sizeof(mc.result)))
			return -VMI_EFAULT;
		/* A call that ends the domain or the vCPU ends the batch. */
		if (env->stop(env->ctx))
			break;
	}
	return (long)count;
}

/* Canonical with 48-bit linear addresses (SDM vol. 1, 3.3.7.1). */
static bool canonical(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

static bool selector_ok(uint16_t sel, uint16_t gdt_limit)
{
	return (sel & ~7u) && !(sel & 7u) && (uint32_t)sel + 7 <= gdt_limit;
}

int vmi_vcpu_start_check(const struct vmi_vcpu_start *st, uint64_t max_gpa,
			 const char **why)
{
	if (st->reserved0 || st->reserved[0] || st->reserved[1])
		*why = "reserved fields not zero";
	else if (!canonical(st->rip) || !canonical(st->rsp))
		*why = "rip or rsp not canonical";
	else if (!canonical(st->gdt_base))
		*why = "gdt_base not canonical";
	else if ((st->cr3 & 0xfff) || st->cr3 >= max_gpa)
		*why = "cr3 not a page-aligned guest-physical address";
	else if (!selector_ok(st->cs, st->gdt_limit) ||
		 !selector_ok(st->ds, st->gdt_limit))
		*why = "cs or ds not a GDT selector with RPL 0 within the limit";
	else
		return 0;
	return -VMI_EINVAL;
}

void vmi_vcpu_start_state(const struct vmi_vcpu_start *st,
			  struct guest_boot_state *bs)
{
	/* Segment attributes in the VMCB packing (loader.h): access byte,
	 * then AVL, L, D/B, G.  64-bit code: L = 1, D = 0 (SDM vol. 3A,
	 * 5.2.1); data: writable, D/B = 1; both G = 1, flat. */
	const struct guest_seg code = { st->cs, 0xa9b, 0xffffffffu, 0 };
	const struct guest_seg data = { st->ds, 0xc93, 0xffffffffu, 0 };

	memset(bs, 0, sizeof(*bs));
	bs->cs = code;
	bs->ds = bs->es = bs->ss = data;
	bs->fs = bs->gs = (struct guest_seg){ 0, 0, 0, 0 }; /* null */
	/* A busy 64-bit TSS and an LDT of nothing, as entry checks want
	 * (SDM vol. 3C, 26.3.1.2; APM vol. 2, 15.5). */
	bs->tr = (struct guest_seg){ 0, 0x8b, 0xffff, 0 };
	bs->ldtr = (struct guest_seg){ 0, 0x82, 0xffff, 0 };
	bs->gdtr.base = st->gdt_base;
	bs->gdtr.limit = st->gdt_limit;
	bs->idtr.limit = 0xffff;
	bs->cr0 = (1u << 0) | (1u << 4) | (1u << 5) | (1u << 16) |
		  (1u << 31); /* PE, ET, NE, WP, PG */
	bs->cr3 = st->cr3;
	bs->cr4 = 1u << 5; /* PAE */
	bs->efer = (1u << 8) | (1u << 10) | (1u << 11); /* LME, LMA, NXE */
	bs->rip = st->rip;
	bs->rsp = st->rsp;
	bs->rflags = 2;
	bs->rdi = st->arg;
}
