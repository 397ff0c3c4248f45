/*
 * The VMI ABI's mmu and memory sections in the hardware container
 * (docs/vmi-abi.md, sections 8 and 9).
 *
 * MMU: the container uses nested paging (VMI_F_HW_MMU), so the guest's
 * page tables are used as they are.  MMU_UPDATE checks and writes each
 * entry; PIN and UNPIN keep a bounded per-domain record of pinned tables
 * (a pinned page cannot be given back); LOAD_BASE checks its frame and
 * has no further effect (the guest's own CR3 load is what counts).  The
 * flush calls ask each target vCPU to flush its TLB before its next entry
 * and wait for those in guest mode (hvm_flush_vcpus(), hvm/run.c).
 *
 * Memory: BALLOON_OUT takes single pages out of the P2M and the nested
 * tables (a 2 MiB block and its large mapping are split where needed),
 * flushes every vCPU and returns the frames to the frame allocator.
 * BALLOON_IN gives a ballooned page back, zeroed, up to the domain's
 * memory size.  MEMORY_MAP is the map the loader gave the guest (e820 /
 * multiboot) with ballooned pages cut out of its RAM.
 */
#include <hvm/vmi.h>
#include "vmi-private.h"
#include "loader-private.h"
#include <hvm/hvm.h>
#include <hvm/loader.h>
#include <hvm/run.h>
#include <trivisor/domain.h>
#include <trivisor/layout.h>
#include <trivisor/log.h>
#include <trivisor/memory.h>
#include <trivisor/panic.h>
#include <vmi/vmi.h>
#include <stdio.h>
#include <string.h>

#define MM_BLOCK_ORDER 9 /* guest RAM comes in 2 MiB blocks (domain.c) */
#define MM_PINS 64 /* pinned tables per domain */
#define MM_LOG_LIMIT 16 /* balloon calls logged per domain */
/* Table pages a balloon call can free: at most one per level above a
 * page for each page of the batch; beyond that they are freed at once. */
#define MM_TABLES (2 * VMI_BALLOON_BATCH_MAX)
#define MM_ORDER 2 /* struct vmi_mm: 16 KiB */
/* MEMORY_MAP: more entries than any map can have; bounds the RAM check. */
#define MM_MAP_MAX 4096u

/* Per-domain state, one order-1 allocation made at the first need. */
struct vmi_mm {
	spinlock_t lock; /* pins; serialises balloon calls */
	unsigned int nr_pins;
	unsigned int logged; /* balloon calls logged */
	uint64_t flushes, waited; /* flush calls; vCPUs waited for */
	struct {
		uint64_t gfn;
		uint32_t level;
	} pins[MM_PINS];
	/* Frames taken out of the P2M, freed once every vCPU has flushed. */
	unsigned int nr_limbo;
	uint64_t limbo[VMI_BALLOON_BATCH_MAX];
	/* Nested-table pages freed by a balloon call (deferring while set),
	 * freed after the same flush. */
	bool deferring;
	unsigned int nr_tables;
	uint64_t tables[MM_TABLES];
};
_Static_assert(sizeof(struct vmi_mm) <= (PAGE_SIZE << MM_ORDER), "fits");

static struct vmi_mm *mm_state(struct domain *d)
{
	struct vmi_mm *mm = __atomic_load_n(&d->vmi.mm, __ATOMIC_ACQUIRE);
	struct vmi_mm *none = NULL;
	uint64_t pa;

	if (mm)
		return mm;
	mm = hv_pages_alloc(MM_ORDER, &pa, 0);
	if (!mm)
		return NULL;
	if (!__atomic_compare_exchange_n(&d->vmi.mm, &none, mm, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		hv_frame_free(pa >> PAGE_SHIFT, MM_ORDER,
			      FRAME_OWNER_HYPERVISOR);
		return none; /* another vCPU was first */
	}
	return mm;
}

static void free_tables(struct domain *d, struct vmi_mm *mm)
{
	for (unsigned int i = 0; i < mm->nr_tables; i++)
		if (hv_frame_free(mm->tables[i], 0, FRAME_OWNER_HYPERVISOR))
			log_dom(LOG_ERR, d, "nested table %#lx: cannot free",
				mm->tables[i]);
	mm->nr_tables = 0;
}

void vmi_mm_release(struct domain *d)
{
	struct vmi_mm *mm = d->vmi.mm;

	if (!mm)
		return;
	if (mm->flushes) {
		char buf[MAX_VCPUS * 24] = "";
		size_t len = 0;

		for (unsigned int i = 0; i < d->nr_vcpus && d->vcpus[i]; i++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						"%s%lu", i ? ", " : "",
						d->vcpus[i]->tlb_flushes);
		log_dom(LOG_INFO, d, "mmu: %lu flush call(s) waited for %lu "
			"vCPU(s) in guest mode; TLB flushes per vCPU: %s",
			mm->flushes, mm->waited, buf);
	}
	/* Frames whose flush never completed (the domain was crashed). */
	for (unsigned int i = 0; i < mm->nr_limbo; i++)
		if (hv_frame_free(mm->limbo[i], 0, d->id))
			log_dom(LOG_ERR, d, "ballooned frame %#lx: cannot free",
				mm->limbo[i]);
	free_tables(d, mm);
	hv_frame_free(va_to_pa(mm) >> PAGE_SHIFT, MM_ORDER,
		      FRAME_OWNER_HYPERVISOR);
	d->vmi.mm = NULL;
}

bool vmi_mm_defer_table(struct domain *d, uint64_t mfn)
{
	struct vmi_mm *mm = d->vmi.mm;

	/* Called with the P2M lock held by a balloon call of this domain,
	 * which holds mm->lock and set deferring. */
	if (!mm || !mm->deferring || mm->nr_tables == MM_TABLES)
		return false;
	mm->tables[mm->nr_tables++] = mfn;
	return true;
}

/* --- the domain's memory map --- */

struct map_find {
	uint64_t gpa;
	uint32_t type;
};

static int map_find_fn(void *arg, uint64_t base, uint64_t len, uint32_t type)
{
	struct map_find *f = arg;

	if (f->gpa >= base && f->gpa - base < len)
		f->type = type;
	return 0;
}

static void layout_env(struct domain *d, struct loader_env *env,
		       struct guest_mem_range ram[3],
		       struct guest_mem_range rsv[3])
{
	memset(env, 0, sizeof(*env));
	loader_layout_default(d->mem_bytes, ram, &env->nr_ram, rsv,
			      &env->nr_reserved);
	env->ram = ram;
	env->reserved = rsv;
}

/* The type the guest's memory map gives @gfn (GUEST_MEM_*), 0 = hole. */
static uint32_t map_type(struct domain *d, uint64_t gfn)
{
	struct guest_mem_range ram[3], rsv[3];
	struct loader_env env;
	struct map_find f = { gfn << PAGE_SHIFT, 0 };

	if (gfn >= NESTED_GFN_LIMIT)
		return 0;
	layout_env(d, &env, ram, rsv);
	loader_map_walk(&env, map_find_fn, &f);
	return f.type;
}

/* Is @gfn populated RAM in the P2M?  *@mfn its frame. */
static bool populated(struct domain *d, uint64_t gfn, uint64_t *mfn)
{
	uint64_t f = spin_lock_irqsave(&d->p2m_lock);
	bool ram = p2m_lookup(&d->p2m, gfn, mfn, NULL) == P2M_RAM;

	spin_unlock_irqrestore(&d->p2m_lock, f);
	return ram;
}

/* Has @d ended (crashed, say) while the caller was on its way here? */
static bool ending(struct domain *d)
{
	int st = __atomic_load_n(&d->state, __ATOMIC_ACQUIRE);

	return st != DOM_RUNNING && st != DOM_PAUSED;
}

static uint64_t all_vcpus(struct domain *d)
{
	return d->nr_vcpus >= 64 ? ~0ull : (1ull << d->nr_vcpus) - 1;
}

/* --- MMU --- */

static long mmu_update(struct vcpu *v, uint64_t gpa, uint64_t count)
{
	struct domain *d = v->dom;
	uint64_t i;

	if (count > VMI_MMU_BATCH_MAX)
		return vmi_refuse(v, VMI_CALL_MMU_UPDATE, -VMI_E2BIG,
				  "more than VMI_MMU_BATCH_MAX updates");
	if (!count)
		return 0;
	if (gpa & 7)
		return vmi_refuse(v, VMI_CALL_MMU_UPDATE, -VMI_EINVAL,
				  "updates not 8-byte aligned");
	if (!domain_is_ram(d, gpa, count * sizeof(struct vmi_mmu_update)))
		return vmi_refuse(v, VMI_CALL_MMU_UPDATE, -VMI_EFAULT,
				  "updates outside the domain's RAM");
	for (i = 0; i < count; i++) {
		struct vmi_mmu_update u;
		const char *why = NULL;
		long err = 0;

		if (domain_read(d, gpa + i * sizeof(u), &u, sizeof(u))) {
			err = -VMI_EFAULT, why = "updates outside the RAM";
		} else if (u.ptr & 7) {
			err = -VMI_EINVAL, why = "entry pointer misaligned";
		} else if (!domain_is_ram(d, u.ptr, 8) ||
			   domain_write(d, u.ptr, &u.val, sizeof(u.val))) {
			err = -VMI_EACCES;
			why = "entry pointer outside the domain's RAM";
		}
		if (err) {
			vmi_refuse(v, VMI_CALL_MMU_UPDATE, err, why);
			return i ? (long)i : err;
		}
	}
	return (long)count;
}

/* Index of @gfn's pin or -1; mm->lock held. */
static int pin_find(const struct vmi_mm *mm, uint64_t gfn)
{
	for (unsigned int i = 0; i < mm->nr_pins; i++)
		if (mm->pins[i].gfn == gfn)
			return (int)i;
	return -1;
}

static bool page_is_ram(struct domain *d, uint64_t gfn)
{
	return gfn < NESTED_GFN_LIMIT &&
	       domain_is_ram(d, gfn << PAGE_SHIFT, PAGE_SIZE);
}

static long mmu_pin(struct vcpu *v, uint64_t level, uint64_t gfn)
{
	struct domain *d = v->dom;
	struct vmi_mm *mm;
	long ret = 0;

	if (level < 1 || level > 4)
		return vmi_refuse(v, VMI_CALL_MMU_PIN, -VMI_EINVAL,
				  "level not 1-4");
	if (!page_is_ram(d, gfn))
		return vmi_refuse(v, VMI_CALL_MMU_PIN, -VMI_EACCES,
				  "frame not the domain's RAM");
	mm = mm_state(d);
	if (!mm)
		return -VMI_ENOMEM;
	spin_lock(&mm->lock);
	if (pin_find(mm, gfn) >= 0) {
		ret = -VMI_EBUSY;
	} else if (mm->nr_pins == MM_PINS) {
		ret = -VMI_ENOSPC;
	} else {
		mm->pins[mm->nr_pins].gfn = gfn;
		mm->pins[mm->nr_pins].level = (uint32_t)level;
		mm->nr_pins++;
	}
	spin_unlock(&mm->lock);
	if (ret)
		return vmi_refuse(v, VMI_CALL_MMU_PIN, ret,
				  ret == -VMI_EBUSY ? "pinned already"
						    : "pin table full");
	return 0;
}

static long mmu_unpin(struct vcpu *v, uint64_t gfn)
{
	struct vmi_mm *mm = v->dom->vmi.mm;
	int i = -1;

	if (mm) {
		spin_lock(&mm->lock);
		i = pin_find(mm, gfn);
		if (i >= 0)
			mm->pins[i] = mm->pins[--mm->nr_pins];
		spin_unlock(&mm->lock);
	}
	if (i < 0)
		return vmi_refuse(v, VMI_CALL_MMU_UNPIN, -VMI_ENOENT,
				  "not pinned");
	return 0;
}

/*
 * The vCPUs a flush call names: -VMI_EINVAL for an unknown scope or a
 * misaligned bitmap, -VMI_EFAULT for a bitmap outside RAM, -VMI_ESRCH for
 * a bit of a vCPU the domain does not have.
 */
static long flush_targets(struct vcpu *v, uint32_t call, uint64_t scope,
			  uint64_t mask_gpa, uint64_t *mask)
{
	struct domain *d = v->dom;

	switch (scope) {
	case VMI_FLUSH_LOCAL:
		*mask = 1ull << v->id;
		return 0;
	case VMI_FLUSH_ALL:
		*mask = all_vcpus(d);
		return 0;
	case VMI_FLUSH_MASK:
		if (mask_gpa & 7)
			return vmi_refuse(v, call, -VMI_EINVAL,
					  "vCPU bitmap not 8-byte aligned");
		if (!domain_is_ram(d, mask_gpa, 8) ||
		    domain_read(d, mask_gpa, mask, 8))
			return vmi_refuse(v, call, -VMI_EFAULT,
					  "vCPU bitmap outside the RAM");
		if (*mask & ~all_vcpus(d))
			return vmi_refuse(v, call, -VMI_ESRCH,
					  "bitmap names a vCPU that does not "
					  "exist");
		return 0;
	default:
		return vmi_refuse(v, call, -VMI_EINVAL, "unknown scope");
	}
}

static long mmu_flush(struct vcpu *v, uint32_t call, uint64_t scope,
		      uint64_t mask_gpa)
{
	struct vmi_mm *mm;
	uint64_t mask;
	long ret = flush_targets(v, call, scope, mask_gpa, &mask);

	if (ret)
		return ret;
	/* INVLPG flushes the whole TLB of each target: a superset. */
	ret = hvm_flush_vcpus(v->dom, mask, HVM_FLUSH_GUEST, v);
	if (ret < 0)
		return vmi_refuse(v, call, ret, "a vCPU did not leave guest "
				  "mode in time");
	mm = mm_state(v->dom);
	if (mm) {
		__atomic_fetch_add(&mm->flushes, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&mm->waited, (uint64_t)ret,
				   __ATOMIC_RELAXED);
	}
	return 0;
}

static long mmu_call(struct vcpu *v, uint32_t call, const uint64_t a[5])
{
	switch (call) {
	case VMI_CALL_MMU_UPDATE:
		return mmu_update(v, a[0], a[1]);
	case VMI_CALL_MMU_PIN:
		return mmu_pin(v, a[0], a[1]);
	case VMI_CALL_MMU_UNPIN:
		return mmu_unpin(v, a[0]);
	case VMI_CALL_MMU_LOAD_BASE:
		/* Nested paging: the guest loads CR3 itself; only checked. */
		if (!page_is_ram(v->dom, a[0]))
			return vmi_refuse(v, call, -VMI_EACCES,
					  "frame not the domain's RAM");
		return 0;
	case VMI_CALL_MMU_FLUSH:
		return mmu_flush(v, call, a[0], a[1]);
	case VMI_CALL_MMU_INVLPG:
		return mmu_flush(v, call, a[1], a[2]);
	default:
		return vmi_refuse(v, call, -VMI_ENOSYS, "not implemented");
	}
}

const struct vmi_section vmi_mmu_section = { VMI_SECTION_VERSION(1, 0), 0,
					     mmu_call };

/* --- memory --- */

static long list_check(struct vcpu *v, uint32_t call, uint64_t gpa,
		       uint64_t count)
{
	if (count > VMI_BALLOON_BATCH_MAX)
		return vmi_refuse(v, call, -VMI_E2BIG,
				  "more than VMI_BALLOON_BATCH_MAX pages");
	if (gpa & 7)
		return vmi_refuse(v, call, -VMI_EINVAL,
				  "page list not 8-byte aligned");
	if (count && !domain_is_ram(v->dom, gpa, count * 8))
		return vmi_refuse(v, call, -VMI_EFAULT,
				  "page list outside the domain's RAM");
	return 0;
}

static uint64_t target_frames(struct domain *d)
{
	return d->mem_bytes >> PAGE_SHIFT;
}

/*
 * Take @gfn out of the P2M and the nested tables; its frame goes to
 * mm->limbo.  0 or the error that refuses the page.
 */
static long balloon_out_one(struct vcpu *v, struct vmi_mm *mm, uint64_t gfn,
			    const char **why)
{
	struct domain *d = v->dom;
	uint64_t mfn, f, g;
	long ret;

	if (gfn >= NESTED_GFN_LIMIT || map_type(d, gfn) != GUEST_MEM_RAM) {
		*why = "not RAM in the domain's memory map";
		return -VMI_EINVAL;
	}
	if (pin_find(mm, gfn) >= 0) {
		*why = "the page is a pinned page table";
		return -VMI_EBUSY;
	}
	/* Never past the end of limbo[]: frames of an earlier call whose
	 * flush timed out stay there until the domain ends. */
	if (mm->nr_limbo >= VMI_BALLOON_BATCH_MAX) {
		*why = "frames of an earlier call still wait for a TLB flush";
		return -VMI_EBUSY;
	}
	/* The ABI maps its pages under map_lock: checked and removed
	 * under it, a page is either in use or gone, never both. */
	g = spin_lock_irqsave(&d->vmi.map_lock);
	if (vmi_page_in_use(d, gfn)) {
		spin_unlock_irqrestore(&d->vmi.map_lock, g);
		*why = "the page is in use by the VMI ABI";
		return -VMI_EBUSY;
	}
	f = spin_lock_irqsave(&d->p2m_lock);
	if (p2m_lookup(&d->p2m, gfn, &mfn, NULL) != P2M_RAM) {
		spin_unlock_irqrestore(&d->p2m_lock, f);
		spin_unlock_irqrestore(&d->vmi.map_lock, g);
		*why = "the page is ballooned already";
		return -VMI_ENOENT;
	}
	ret = p2m_remove(&d->p2m, gfn, 1);
	/*
	 * Keep room to take every ballooned page back: each may come back
	 * as a frame that joins no neighbour, a range of its own.
	 */
	if (!ret && d->p2m.nr + (target_frames(d) - p2m_ram_frames(&d->p2m)) >
			    d->p2m.cap) {
		BUG_ON(p2m_add(&d->p2m, gfn, 1, mfn, P2M_RAM,
			       P2M_R | P2M_W | P2M_X));
		ret = -VMI_ENOSPC;
	}
	if (!ret) {
		ret = nested_unmap(&d->npt, gfn, 1);
		if (ret)
			BUG_ON(p2m_add(&d->p2m, gfn, 1, mfn, P2M_RAM,
				       P2M_R | P2M_W | P2M_X));
	}
	if (!ret) {
		/* A 2 MiB block becomes 512 single frames (no-op when it is
		 * split already or the frame came from BALLOON_IN). */
		hv_frame_split(mfn & ~((1ull << MM_BLOCK_ORDER) - 1),
			       MM_BLOCK_ORDER, d->id);
		mm->limbo[mm->nr_limbo++] = mfn;
	}
	spin_unlock_irqrestore(&d->p2m_lock, f);
	spin_unlock_irqrestore(&d->vmi.map_lock, g);
	if (ret)
		*why = ret == -VMI_ENOSPC ? "the P2M would have no room to "
					    "take the pages back"
					  : "no memory to split the mapping";
	return ret;
}

/* Every vCPU drops what it cached of the nested tables; 0 or -ETIMEDOUT. */
static long flush_nested(struct vcpu *v)
{
	return hvm_flush_vcpus(v->dom, all_vcpus(v->dom),
			       HVM_FLUSH_GUEST | HVM_FLUSH_NESTED, v);
}

static uint64_t ram_frames(struct domain *d)
{
	uint64_t f = spin_lock_irqsave(&d->p2m_lock);
	uint64_t n = p2m_ram_frames(&d->p2m);

	spin_unlock_irqrestore(&d->p2m_lock, f);
	return n;
}

static long balloon_out(struct vcpu *v, uint64_t gpa, uint64_t count)
{
	struct domain *d = v->dom;
	struct vmi_mm *mm;
	uint64_t i, free_before, free_after;
	const char *why = NULL;
	long ret = list_check(v, VMI_CALL_BALLOON_OUT, gpa, count), err = 0;

	if (ret || !count)
		return ret;
	mm = mm_state(d);
	if (!mm)
		return -VMI_ENOMEM;
	spin_lock(&mm->lock);
	/* A balloon call of another vCPU may have crashed the domain while
	 * this one waited for the lock, leaving its frames in limbo. */
	if (ending(d)) {
		spin_unlock(&mm->lock);
		return vmi_refuse(v, VMI_CALL_BALLOON_OUT, -VMI_ESRCH,
				  "the domain is ending");
	}
	mm->deferring = true;
	for (i = 0; i < count; i++) {
		uint64_t gfn;

		if (domain_read(d, gpa + i * 8, &gfn, 8)) {
			err = -VMI_EFAULT, why = "page list given back";
			break;
		}
		err = balloon_out_one(v, mm, gfn, &why);
		if (err)
			break;
	}
	mm->deferring = false;
	if (!mm->nr_limbo && !mm->nr_tables)
		goto out;
	/* No vCPU may reach the frames once they are freed. */
	if (flush_nested(v) < 0) {
		domain_crash(d, "balloon: a vCPU did not flush its TLB in "
			     "time; %u frame(s) kept until the domain ends",
			     mm->nr_limbo);
		goto out;
	}
	free_tables(d, mm);
	free_before = hv_frames_free();
	for (unsigned int k = 0; k < mm->nr_limbo; k++)
		if (hv_frame_free(mm->limbo[k], 0, d->id))
			log_dom(LOG_ERR, d, "ballooned frame %#lx: cannot free",
				mm->limbo[k]);
	free_after = hv_frames_free();
	mm->nr_limbo = 0;
	if (mm->logged < MM_LOG_LIMIT) {
		mm->logged++;
		log_dom(LOG_INFO, d, "balloon out: %lu page(s) given back, "
			"%lu of %lu pages populated, host free frames %lu -> "
			"%lu", i, ram_frames(d), target_frames(d), free_before,
			free_after);
	}
out:
	spin_unlock(&mm->lock);
	if (err) {
		vmi_refuse(v, VMI_CALL_BALLOON_OUT, err, why);
		return i ? (long)i : err;
	}
	return (long)count;
}

/* Give ballooned @gfn a new zeroed frame; 0 or the refusal. */
static long balloon_in_one(struct vcpu *v, uint64_t gfn, const char **why)
{
	struct domain *d = v->dom;
	uint64_t mfn, old, f;
	long ret;

	if (gfn >= NESTED_GFN_LIMIT || map_type(d, gfn) != GUEST_MEM_RAM) {
		*why = "not RAM in the domain's memory map";
		return -VMI_EINVAL;
	}
	if (ram_frames(d) >= target_frames(d)) {
		*why = "the domain is at its memory size";
		return -VMI_ENOMEM;
	}
	if (populated(d, gfn, &old)) {
		*why = "the page is populated already";
		return -VMI_EEXIST;
	}
	if (hv_frame_alloc(0, d->id, &mfn)) {
		*why = "the host is out of memory";
		return -VMI_ENOMEM;
	}
	memset(pa_to_va(mfn << PAGE_SHIFT), 0, PAGE_SIZE);
	f = spin_lock_irqsave(&d->p2m_lock);
	ret = p2m_add(&d->p2m, gfn, 1, mfn, P2M_RAM, P2M_R | P2M_W | P2M_X);
	if (!ret) {
		ret = nested_map(&d->npt, gfn, 1, mfn, P2M_RAM,
				 P2M_R | P2M_W | P2M_X);
		if (ret)
			BUG_ON(p2m_remove(&d->p2m, gfn, 1));
	}
	spin_unlock_irqrestore(&d->p2m_lock, f);
	if (ret) {
		BUG_ON(hv_frame_free(mfn, 0, d->id));
		*why = ret == -VMI_EEXIST ? "the page is populated already"
		       : ret == -VMI_ENOSPC ? "the P2M has no room for another "
					      "range"
					    : "no memory for the mapping";
	}
	return ret;
}

static long balloon_in(struct vcpu *v, uint64_t gpa, uint64_t count)
{
	struct domain *d = v->dom;
	struct vmi_mm *mm;
	const char *why = NULL;
	long ret = list_check(v, VMI_CALL_BALLOON_IN, gpa, count), err = 0;
	uint64_t i;

	if (ret || !count)
		return ret;
	mm = mm_state(d);
	if (!mm)
		return -VMI_ENOMEM;
	spin_lock(&mm->lock);
	if (ending(d)) {
		spin_unlock(&mm->lock);
		return vmi_refuse(v, VMI_CALL_BALLOON_IN, -VMI_ESRCH,
				  "the domain is ending");
	}
	mm->deferring = true;
	for (i = 0; i < count; i++) {
		uint64_t gfn;

		if (domain_read(d, gpa + i * 8, &gfn, 8)) {
			err = -VMI_EFAULT, why = "page list unreadable";
			break;
		}
		err = balloon_in_one(v, gfn, &why);
		if (err)
			break;
	}
	mm->deferring = false;
	/* Mapping may have merged a table into a large leaf: its page is
	 * freed once no vCPU can have it cached. */
	if (i || mm->nr_tables) {
		if (flush_nested(v) < 0)
			domain_crash(d, "balloon: a vCPU did not flush its TLB "
				     "in time; %u table page(s) kept until the "
				     "domain ends", mm->nr_tables);
		else
			free_tables(d, mm);
	}
	if (i && mm->logged < MM_LOG_LIMIT) {
		mm->logged++;
		log_dom(LOG_INFO, d, "balloon in: %lu page(s) taken back, %lu "
			"of %lu pages populated", i, ram_frames(d),
			target_frames(d));
	}
	spin_unlock(&mm->lock);
	if (err) {
		vmi_refuse(v, VMI_CALL_BALLOON_IN, err, why);
		return i ? (long)i : err;
	}
	return (long)count;
}

struct map_out {
	struct vcpu *v;
	uint64_t gpa, max, n;
	struct vmi_memory_range last; /* not yet written; length 0 = none */
	int err;
};

static void map_put(struct map_out *o, uint64_t base, uint64_t len,
		    uint32_t type)
{
	struct vmi_memory_range *l = &o->last;

	if (l->length && l->type == type && l->base + l->length == base) {
		l->length += len;
		return;
	}
	if (l->length) {
		if (o->n < o->max && !o->err &&
		    domain_write(o->v->dom, o->gpa + o->n * sizeof(*l), l,
				 sizeof(*l)))
			o->err = -VMI_EFAULT;
		o->n++;
	}
	memset(l, 0, sizeof(*l));
	l->base = base, l->length = len, l->type = type;
}

static int map_out_fn(void *arg, uint64_t base, uint64_t len, uint32_t type)
{
	struct map_out *o = arg;
	struct domain *d = o->v->dom;
	uint64_t gfn = base >> PAGE_SHIFT, end = (base + len) >> PAGE_SHIFT;

	if (type != GUEST_MEM_RAM) {
		map_put(o, base, len, type == GUEST_MEM_ACPI ? VMI_MEM_ACPI
							     : VMI_MEM_RESERVED);
		return 0;
	}
	/* RAM: populated runs and ballooned pages. */
	while (gfn < end) {
		uint64_t f = spin_lock_irqsave(&d->p2m_lock);
		const struct p2m_range *r = p2m_find(&d->p2m, gfn);
		uint64_t next;
		uint32_t t;

		if (r && r->type == P2M_RAM) {
			next = r->gfn + r->count;
			t = VMI_MEM_RAM;
		} else {
			next = gfn + 1;
			t = VMI_MEM_BALLOONED;
		}
		spin_unlock_irqrestore(&d->p2m_lock, f);
		if (next > end)
			next = end;
		map_put(o, gfn << PAGE_SHIFT, (next - gfn) << PAGE_SHIFT, t);
		gfn = next;
	}
	return 0;
}

static long memory_map(struct vcpu *v, uint64_t gpa, uint64_t max)
{
	struct domain *d = v->dom;
	struct guest_mem_range ram[3], rsv[3];
	struct loader_env env;
	struct map_out o = { v, gpa, max, 0, { 0, 0, 0, 0 }, 0 };

	if (max > MM_MAP_MAX)
		max = o.max = MM_MAP_MAX; /* no map is that long */
	if (gpa & 7)
		return vmi_refuse(v, VMI_CALL_MEMORY_MAP, -VMI_EINVAL,
				  "ranges not 8-byte aligned");
	if (max && !domain_is_ram(d, gpa, max *
					  sizeof(struct vmi_memory_range)))
		return vmi_refuse(v, VMI_CALL_MEMORY_MAP, -VMI_EFAULT,
				  "ranges outside the domain's RAM");
	layout_env(d, &env, ram, rsv);
	loader_map_walk(&env, map_out_fn, &o);
	map_put(&o, 0, 0, 0); /* write the last one */
	if (o.err)
		return -VMI_EFAULT;
	return (long)o.n;
}

static long memory_call(struct vcpu *v, uint32_t call, const uint64_t a[5])
{
	switch (call) {
	case VMI_CALL_BALLOON_OUT:
		return balloon_out(v, a[0], a[1]);
	case VMI_CALL_BALLOON_IN:
		return balloon_in(v, a[0], a[1]);
	case VMI_CALL_MEMORY_MAP:
		return memory_map(v, a[0], a[1]);
	default:
		return vmi_refuse(v, call, -VMI_ENOSYS, "not implemented");
	}
}

const struct vmi_section vmi_memory_section = { VMI_SECTION_VERSION(1, 0),
						VMI_F_BALLOON, memory_call };
