/*
 * Domain life cycle: memory, P2M, nested tables, loading, vCPUs, end.
 *
 * Guest RAM comes in 2 MiB blocks (order 9) so the nested tables can use
 * 2 MiB leaves; each block is scrubbed before the guest sees it, owned by
 * the domain id, and freed by domain_destroy().  The guest-physical layout
 * is the loader's standard one (docs/guest-boot.md): RAM from 0 up to
 * min(memory, 3 GiB), the rest above 4 GiB, MMIO pages for the LAPIC and
 * IOAPIC, and ACPI tables in 0xE0000-0xFFFFF.
 */
#include <trivisor/domain.h>
#include <trivisor/memory.h>
#include <trivisor/layout.h>
#include <trivisor/log.h>
#include <trivisor/panic.h>
#include <trivisor/percpu.h>
#include <trivisor/smp.h>
#include <trivisor/time.h>
#include <trivisor/cmdline.h>
#include <trivisor/serial.h>
#include <trivisor/mgmt.h>
#include <hvm/loader.h>
#include <hvm/acpi-build.h>
#include <hvm/bios-stub.h>
#include <hvm/platform.h>
#include <hvm/run.h>
#include <vmi/errno.h>
#include <string.h>
#include <stdio.h>
#include <stdarg.h>

#define BLOCK_ORDER 9
#define BLOCK_FRAMES (1ul << BLOCK_ORDER)
#define BLOCK_BYTES (BLOCK_FRAMES << PAGE_SHIFT)
/* The P2M's array: 4 pages, 512 ranges.  A domain needs a handful; each
 * run of pages given back (VMI ballooning) costs one more. */
#define P2M_STORE_ORDER 2

struct domain *domains[MAX_DOMAINS];
static struct domain domain_slots[MAX_DOMAINS];
static spinlock_t domains_lock = SPINLOCK_INIT;
static unsigned int next_pcpu;

/* Nested table pages (NPT or EPT, as the backend says) come from the frame allocator, owned by the domain's
 * hypervisor side (FRAME_OWNER_HYPERVISOR). */
static int npt_alloc(void *ctx, uint64_t *mfn)
{
	(void)ctx;
	return hv_frame_alloc(0, FRAME_OWNER_HYPERVISOR, mfn);
}

static void npt_free(void *ctx, uint64_t mfn)
{
	/* While the domain runs, a table page may still sit in a CPU's
	 * paging-structure cache: ballooning frees it after its flush. */
	if (vmi_mm_defer_table(ctx, mfn))
		return;
	BUG_ON(hv_frame_free(mfn, 0, FRAME_OWNER_HYPERVISOR));
}

static void *npt_map(void *ctx, uint64_t mfn)
{
	(void)ctx;
	return pa_to_va(mfn << PAGE_SHIFT);
}

static const struct nested_mem_ops npt_ops = { npt_alloc, npt_free, npt_map };

/* Copy to/from guest RAM page by page through the P2M. */
static int guest_copy(struct domain *d, uint64_t gpa, void *buf, uint64_t len,
		      bool write)
{
	uint8_t *p = buf;
	uint64_t f = spin_lock_irqsave(&d->p2m_lock);
	int ret = 0;

	/* Under the P2M lock: a page cannot be given back (ballooned) and
	 * its frame reused while it is copied. */
	while (len) {
		uint64_t mfn, off = gpa & (PAGE_SIZE - 1);
		uint64_t n = PAGE_SIZE - off;
		unsigned int perms;

		if (n > len)
			n = len;
		if (p2m_lookup(&d->p2m, gpa >> PAGE_SHIFT, &mfn, &perms) !=
		    P2M_RAM) {
			ret = -VMI_EFAULT;
			break;
		}
		if (write)
			memcpy((uint8_t *)pa_to_va(mfn << PAGE_SHIFT) + off, p, n);
		else
			memcpy(p, (uint8_t *)pa_to_va(mfn << PAGE_SHIFT) + off, n);
		gpa += n;
		p += n;
		len -= n;
	}
	spin_unlock_irqrestore(&d->p2m_lock, f);
	return ret;
}

bool domain_is_ram(struct domain *d, uint64_t gpa, uint64_t len)
{
	uint64_t mfn, pfn, last;
	unsigned int perms;
	bool ram = true;
	uint64_t f;

	if (!len || gpa + len < gpa)
		return false;
	last = (gpa + len - 1) >> PAGE_SHIFT;
	f = spin_lock_irqsave(&d->p2m_lock);
	for (pfn = gpa >> PAGE_SHIFT; pfn <= last && ram; pfn++)
		ram = p2m_lookup(&d->p2m, pfn, &mfn, &perms) == P2M_RAM;
	spin_unlock_irqrestore(&d->p2m_lock, f);
	return ram;
}

void *domain_map(struct domain *d, uint64_t gpa, uint64_t len)
{
	uint64_t mfn, f;
	unsigned int perms, type;

	if (!len || (gpa & (PAGE_SIZE - 1)) + len > PAGE_SIZE)
		return NULL;
	f = spin_lock_irqsave(&d->p2m_lock);
	type = p2m_lookup(&d->p2m, gpa >> PAGE_SHIFT, &mfn, &perms);
	spin_unlock_irqrestore(&d->p2m_lock, f);
	if (type != P2M_RAM)
		return NULL;
	return pa_to_va((mfn << PAGE_SHIFT) | (gpa & (PAGE_SIZE - 1)));
}

int domain_read(struct domain *d, uint64_t gpa, void *buf, uint64_t len)
{
	return guest_copy(d, gpa, buf, len, false);
}

int domain_write(struct domain *d, uint64_t gpa, const void *buf,
		 uint64_t len)
{
	return guest_copy(d, gpa, (void *)buf, len, true);
}

static int mem_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	return domain_write(ctx, gpa, src, len);
}

static int mem_read(void *ctx, uint64_t gpa, void *dst, size_t len)
{
	return domain_read(ctx, gpa, dst, len);
}

static const struct guest_mem_ops guest_ops = { mem_write, mem_read };

static int free_ram_range(void *arg, const struct p2m_range *r)
{
	struct domain *d = arg;

	if (r->type != P2M_RAM)
		return 0;
	/*
	 * Whole 2 MiB blocks as allocated; frames of a block split for
	 * ballooning (hv_frame_split()) and frames taken back one by one
	 * (BALLOON_IN) are allocations of order 0 each.
	 */
	for (uint64_t f = 0; f < r->count;) {
		uint64_t mfn = r->mfn + f;

		if (!(mfn & (BLOCK_FRAMES - 1)) && r->count - f >= BLOCK_FRAMES &&
		    !hv_frame_free(mfn, BLOCK_ORDER, d->id)) {
			f += BLOCK_FRAMES;
			continue;
		}
		BUG_ON(hv_frame_free(mfn, 0, d->id));
		f++;
	}
	return 0;
}

/* Back [gpa, gpa + bytes) with scrubbed 2 MiB blocks. */
static int populate(struct domain *d, uint64_t gpa, uint64_t bytes)
{
	for (uint64_t off = 0; off < bytes; off += BLOCK_BYTES) {
		uint64_t mfn;
		int ret = hv_frame_alloc(BLOCK_ORDER, d->id, &mfn);

		if (ret)
			return ret;
		memset(pa_to_va(mfn << PAGE_SHIFT), 0, BLOCK_BYTES);
		ret = p2m_add(&d->p2m, (gpa + off) >> PAGE_SHIFT, BLOCK_FRAMES,
			      mfn, P2M_RAM, P2M_R | P2M_W | P2M_X);
		if (ret) {
			BUG_ON(hv_frame_free(mfn, BLOCK_ORDER, d->id));
			return ret;
		}
	}
	return 0;
}

static void release_memory(struct domain *d)
{
	vmi_mm_release(d);
	if (d->npt.root)
		nested_destroy(&d->npt);
	if (d->p2m_store) {
		p2m_for_each(&d->p2m, free_ram_range, d);
		hv_frame_free(va_to_pa(d->p2m_store) >> PAGE_SHIFT,
			      P2M_STORE_ORDER,
			      FRAME_OWNER_HYPERVISOR);
		d->p2m_store = NULL;
	}
}

/* hv_frames_free() when the first of the domains now alive was created
 * (under domains_lock). */
static uint64_t free_before_first;

static struct domain *slot_alloc(const char *name, char *why, unsigned int n)
{
	struct domain *d = NULL;
	uint64_t f = spin_lock_irqsave(&domains_lock);
	bool none = true;

	for (unsigned int i = 0; i < MAX_DOMAINS; i++)
		none = none && !domains[i];
	if (none)
		free_before_first = hv_frames_free();

	for (unsigned int i = 0; i < MAX_DOMAINS; i++) {
		if (domains[i] && !strcmp(domains[i]->name, name)) {
			snprintf(why, n, "a domain named '%s' exists already "
				 "(id %u): pick another name", name, i);
			goto out;
		}
	}
	for (unsigned int i = 0; i < MAX_DOMAINS; i++) {
		if (!domains[i]) {
			d = &domain_slots[i];
			memset(d, 0, sizeof(*d));
			d->id = (uint16_t)i;
			snprintf(d->name, sizeof(d->name), "%s", name);
			d->state = DOM_PAUSED;
			domains[i] = d;
			break;
		}
	}
	if (!d)
		snprintf(why, n, "all %d domain slots are in use: destroy one "
			 "first", MAX_DOMAINS);
out:
	spin_unlock_irqrestore(&domains_lock, f);
	return d;
}

/* Free @d's slot; true when it was the last domain alive. */
static bool slot_free(struct domain *d)
{
	uint64_t f = spin_lock_irqsave(&domains_lock);
	bool none = true;

	domains[d->id] = NULL;
	d->state = DOM_DEAD;
	for (unsigned int i = 0; i < MAX_DOMAINS; i++)
		none = none && !domains[i];
	spin_unlock_irqrestore(&domains_lock, f);
	return none;
}

static int build_memory(struct domain *d, char *why, unsigned int n)
{
	struct guest_mem_range ram[3], rsv[3];
	size_t nr_ram, nr_rsv;
	uint64_t need = d->mem_bytes >> PAGE_SHIFT, store;
	int ret;

	ret = loader_layout_default(d->mem_bytes, ram, &nr_ram, rsv, &nr_rsv);
	if (ret) {
		snprintf(why, n, "memory = %lu MiB is not a usable size",
			 d->mem_bytes >> 20);
		return ret;
	}
	if (hv_frames_free() < need + 64) {
		snprintf(why, n, "memory = %lu MiB asked, only %lu MiB free",
			 d->mem_bytes >> 20, hv_frames_free() >> 8);
		return -VMI_ENOMEM;
	}
	ret = hv_frame_alloc(P2M_STORE_ORDER, FRAME_OWNER_HYPERVISOR, &store);
	if (ret)
		goto nomem;
	d->p2m_store = pa_to_va(store << PAGE_SHIFT);
	d->p2m_cap = (PAGE_SIZE << P2M_STORE_ORDER) / sizeof(struct p2m_range);
	p2m_init(&d->p2m, d->p2m_store, d->p2m_cap);

	/* RAM: [0, low_end) as one run (the 640K-1M window is backed too;
	 * the e820 map marks it reserved) and the high part at 4 GiB. */
	{
		uint64_t low = d->mem_bytes < LOADER_LOWMEM_MAX ? d->mem_bytes
							       : LOADER_LOWMEM_MAX;

		ret = populate(d, 0, (low + BLOCK_BYTES - 1) & ~(BLOCK_BYTES - 1));
		if (!ret && d->mem_bytes > low)
			ret = populate(d, LOADER_HIGHMEM_BASE,
				       (d->mem_bytes - low + BLOCK_BYTES - 1) &
					       ~(BLOCK_BYTES - 1));
	}
	if (ret)
		goto nomem;
	ret = p2m_add(&d->p2m, LOADER_IOAPIC_BASE >> PAGE_SHIFT, 1,
		      P2M_MFN_NONE, P2M_MMIO, P2M_R | P2M_W);
	if (!ret)
		ret = p2m_add(&d->p2m, LOADER_LAPIC_BASE >> PAGE_SHIFT, 1,
			      P2M_MFN_NONE, P2M_MMIO, P2M_R | P2M_W);
	if (ret) {
		snprintf(why, n, "P2M: %d", ret);
		return ret;
	}
	ret = nested_init(&d->npt, hvm_ops.nested_fmt, &npt_ops, d, 0);
	if (!ret)
		ret = nested_build(&d->npt, &d->p2m);
	if (ret)
		goto nomem;
	return 0;
nomem:
	snprintf(why, n, "out of memory building %lu MiB of guest RAM (%lu MiB "
		 "free)", d->mem_bytes >> 20, hv_frames_free() >> 8);
	return -VMI_ENOMEM;
}

static int load_images(struct domain *d, const struct domain_config *cfg,
		       struct guest_boot_state *bs, char *why, unsigned int n)
{
	struct guest_mem_range ram[3], rsv[3];
	size_t nr_ram, nr_rsv;
	struct acpi_build_config acfg;
	struct acpi_build_info ainfo;
	struct loader_env env;
	int kind, ret;

	loader_layout_default(d->mem_bytes, ram, &nr_ram, rsv, &nr_rsv);
	acpi_build_default_config(&acfg, d->nr_vcpus);
	acfg.pcat_compat = true;
	ret = acpi_build_tables(&guest_ops, d, &acfg, &ainfo);
	if (ret) {
		snprintf(why, n, "ACPI tables: error %d", ret);
		return ret;
	}
	ret = bios_stub_build(&guest_ops, d);
	if (ret) {
		snprintf(why, n, "real-mode IVT: error %d", ret);
		return ret;
	}
	env = (struct loader_env){ &guest_ops, d, ram, nr_ram, rsv, nr_rsv,
				   ainfo.rsdp_gpa };
	memset(bs, 0, sizeof(*bs));
	kind = loader_probe(cfg->kernel, cfg->kernel_len);
	if (kind == LOADER_KIND_LINUX) {
		struct loader_linux_args la = { cfg->kernel, cfg->kernel_len,
						cfg->ramdisk, cfg->ramdisk_len,
						cfg->cmdline };

		ret = loader_linux_load(&env, &la, bs);
	} else if (kind > 0) {
		struct loader_module mod = { cfg->ramdisk, cfg->ramdisk_len,
					     "ramdisk" };
		struct loader_mb_args ma = { cfg->kernel, cfg->kernel_len,
					     cfg->cmdline, &mod,
					     cfg->ramdisk ? 1 : 0,
					     LOADER_MB_AUTO };

		ret = loader_multiboot_load(&env, &ma, bs);
	} else {
		snprintf(why, n, "kernel: neither a bzImage nor a multiboot "
			 "kernel");
		return -VMI_EINVAL;
	}
	if (ret) {
		snprintf(why, n, "kernel: %s (error %d)",
			 bs->error ? bs->error : "load failed", ret);
		return ret;
	}
	log_dom(LOG_INFO, d, "%s kernel at %#lx, %lu KiB%s, entry %#lx",
		kind == LOADER_KIND_LINUX ? "Linux" : "multiboot",
		bs->placed.kernel_gpa, bs->placed.kernel_size >> 10,
		bs->placed.initrd_size ? ", with initrd" : "", bs->rip);
	return 0;
}

static void free_vcpus(struct domain *d)
{
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];

		if (!v)
			continue;
		if (v->vendor)
			hvm_ops.vcpu_destroy(v);
		hv_frame_free(va_to_pa(v) >> PAGE_SHIFT, 0,
			      FRAME_OWNER_HYPERVISOR);
		d->vcpus[i] = NULL;
	}
}

int domain_create(const struct domain_config *cfg, struct domain **out,
		  char *why, unsigned int n)
{
	struct guest_boot_state bs;
	struct domain *d;
	int ret;

	if (!hvm_available) {
		snprintf(why, n, "no usable VT-x or AMD-V: hv domains cannot run");
		return -VMI_EOPNOTSUPP;
	}
	if (cfg->vcpus < 1 || cfg->vcpus > MAX_VCPUS) {
		snprintf(why, n, "vcpus = %u: use 1 to %d", cfg->vcpus,
			 MAX_VCPUS);
		return -VMI_EINVAL;
	}
	if (cfg->mem_bytes < (4ul << 20) || (cfg->mem_bytes & (BLOCK_BYTES - 1))) {
		snprintf(why, n, "memory = %lu KiB: use a multiple of 2 MiB, "
			 "at least 4 MiB", cfg->mem_bytes >> 10);
		return -VMI_EINVAL;
	}
	d = slot_alloc(cfg->name, why, n);
	if (!d)
		return -VMI_EEXIST;
	d->host_free_at_create = hv_frames_free();
	d->mem_bytes = cfg->mem_bytes;
	d->nr_vcpus = cfg->vcpus;

	ret = build_memory(d, why, n);
	if (ret)
		goto undo_memory;
	d->unclaimed_strict = cfg->unclaimed_strict;
	ret = hvm_platform_create(d, why, n);
	if (ret)
		goto undo_memory;
	ret = load_images(d, cfg, &bs, why, n);
	if (ret)
		goto undo_platform;

	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v;
		uint64_t mfn;

		BUILD_BUG_ON(sizeof(struct vcpu) > PAGE_SIZE);
		ret = hv_frame_alloc(0, FRAME_OWNER_HYPERVISOR, &mfn);
		if (ret) {
			snprintf(why, n, "out of memory for vCPU %u", i);
			goto undo_vcpus;
		}
		v = pa_to_va(mfn << PAGE_SHIFT);
		memset(v, 0, sizeof(*v));
		v->dom = d;
		v->id = i;
		v->pcpu = __atomic_fetch_add(&next_pcpu, 1, __ATOMIC_RELAXED) %
			  smp_online_count();
		v->state = i == 0 ? VCPU_RUNNABLE : VCPU_WAIT_SIPI;
		d->vcpus[i] = v;
		ret = hvm_ops.vcpu_create(v, &bs);
		if (ret) {
			snprintf(why, n, "vCPU %u: backend error %d", i, ret);
			goto undo_vcpus;
		}
	}
	d->vmi.enabled = cfg->pv;
	/* Refused VMI calls: 16 log lines a second at most. */
	d->vmi.log_rl = (struct ratelimit)RATELIMIT_INIT(1000, 16);
	d->vmi.rom_rl = (struct ratelimit)RATELIMIT_INIT(1000, 8);
	d->started_ns = time_ns();
	d->state = DOM_RUNNING;
	{
		char cpus[MAX_VCPUS * 4 + 1] = "";
		size_t len = 0;

		for (unsigned int i = 0; i < d->nr_vcpus; i++)
			len += (size_t)snprintf(cpus + len, sizeof(cpus) - len,
						"%s%u", i ? "," : "",
						d->vcpus[i]->pcpu);
		log_dom(LOG_INFO, d, "created: %lu MiB, %u vCPU(s) on CPU(s) %s",
			d->mem_bytes >> 20, d->nr_vcpus, cpus);
	}
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		sched_add(d->vcpus[i]);
	*out = d;
	return 0;

undo_vcpus:
	free_vcpus(d);
undo_platform:
	hvm_platform_destroy(d);
undo_memory:
	release_memory(d);
	slot_free(d);
	return ret;
}

/* Kick every vCPU of @d; d->lock held and @d not yet DOM_DEAD. */
static void kick_all(struct domain *d)
{
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i])
			vcpu_kick(d->vcpus[i]);
}

bool domain_end(struct domain *d, int how, int code, const char *reason)
{
	uint64_t f = spin_lock_irqsave(&d->lock);

	if (d->state != DOM_RUNNING && d->state != DOM_PAUSED) {
		spin_unlock_irqrestore(&d->lock, f);
		return false;
	}
	d->state = DOM_ENDED;
	d->end_how = how;
	d->exit_code = code;
	if (reason)
		snprintf(d->crash_reason, sizeof(d->crash_reason), "%s", reason);
	/* Kicked under the lock: the CPU that reaps the domain takes it
	 * before it frees the vCPUs (sched.c drop()). */
	kick_all(d);
	spin_unlock_irqrestore(&d->lock, f);
	return true;
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (domain_end(d, DOM_END_CRASH, -1, buf))
		log_dom(LOG_ERR, d, "crashed: %s", buf);
}

void domain_destroy(struct domain *d)
{
	uint64_t f;

	/* @d is DOM_DEAD.  A domain_call_live() that saw it otherwise holds
	 * domains_lock: once we have had the lock, none is left reading the
	 * vCPUs and the platform freed below. */
	f = spin_lock_irqsave(&domains_lock);
	spin_unlock_irqrestore(&domains_lock, f);
	hvm_msr_forget(d->id);
	vmi_mm_release(d); /* reads the vCPUs' counters: before they go */
	vmi_domain_destroy(d);
	free_vcpus(d);
	hvm_platform_destroy(d);
	release_memory(d);
	/* With no other domain coming or going meanwhile the two counts
	 * match: everything the domain held went back exactly once. */
	log_dom(LOG_INFO, d, "memory released: host free frames %lu, %lu "
		"before it was created", hv_frames_free(),
		d->host_free_at_create);
	/* With no domain left every frame any of them held is back: the
	 * count is where it was before the first of them (a leak of any
	 * domain, however many came and went, shows here). */
	if (slot_free(d))
		log_info("domains: none left; host free frames %lu, %lu "
			 "before the first was created", hv_frames_free(),
			 free_before_first);
}

static bool attached(const struct domain *d)
{
	return hv_config.attach[0] && !strcmp(d->name, hv_config.attach);
}

void domain_console(struct domain *d, const char *buf, uint64_t len)
{
	/* Kept for `tvctl console`, whether or not anyone is attached. */
	mgmt_console_output(d, buf, len);
	/* Into the domain's console buffer: lines to the log as "[NAME]
	 * text", the attached domain's bytes to the console as they come
	 * (prompts have no newline).  Nothing waits for the UART here. */
	console_guest_output(d, attached(d), buf, len);
}

static int set_state(struct domain *d, int from, int to, const char *verb,
		     char *why, unsigned int n)
{
	uint64_t f = spin_lock_irqsave(&d->lock);
	int ret = 0;

	if (d->state == from) {
		d->state = to;
		kick_all(d); /* alive, under the lock: see domain_end() */
	} else {
		snprintf(why, n, "domain %s is %s: cannot %s it", d->name,
			 d->state == DOM_RUNNING  ? "running" :
			 d->state == DOM_PAUSED ? "paused" :
						  "ending",
			 verb);
		ret = -VMI_EINVAL;
	}
	spin_unlock_irqrestore(&d->lock, f);
	if (ret)
		return ret;
	log_dom(LOG_INFO, d, "%sd", verb);
	return 0;
}

int domain_pause(struct domain *d, char *why, unsigned int n)
{
	return set_state(d, DOM_RUNNING, DOM_PAUSED, "pause", why, n);
}

int domain_unpause(struct domain *d, char *why, unsigned int n)
{
	return set_state(d, DOM_PAUSED, DOM_RUNNING, "unpause", why, n);
}

struct shutdown_req {
	char *why;
	unsigned int n;
	int ret;
};

/* Inside domain_call_live(): the platform cannot be freed meanwhile. */
static void press_power_button(struct domain *d, void *arg)
{
	struct shutdown_req *r = arg;
	int st = __atomic_load_n(&d->state, __ATOMIC_ACQUIRE);

	if (st != DOM_RUNNING) {
		snprintf(r->why, r->n, "domain %s is %s", d->name,
			 st == DOM_PAUSED ? "not running: unpause it first"
					  : "ending already");
		r->ret = -VMI_EINVAL;
		return;
	}
	log_dom(LOG_INFO, d, "power button pressed (shutdown requested)");
	hvm_platform_power_button(d);
	r->ret = 0;
}

int domain_shutdown(struct domain *d, char *why, unsigned int n)
{
	struct shutdown_req r = { why, n, 0 };

	/* A look at the state outside domain_call_live() would race with
	 * the domain ending on another CPU and being reaped, its platform
	 * freed under the button press. */
	if (!domain_call_live(d, press_power_button, &r)) {
		snprintf(why, n, "domain %s is ending already", d->name);
		return -VMI_EINVAL;
	}
	return r.ret;
}

int domain_kill(struct domain *d, char *why, unsigned int n)
{
	if (!domain_end(d, DOM_END_DESTROYED, 0, NULL)) {
		snprintf(why, n, "domain %s is ending already", d->name);
		return -VMI_EINVAL;
	}
	log_dom(LOG_INFO, d, "destroyed by the toolstack");
	return 0;
}

struct domain *domain_find(const char *name, unsigned int id)
{
	struct domain *d = NULL;
	uint64_t f = spin_lock_irqsave(&domains_lock);

	for (unsigned int i = 0; i < MAX_DOMAINS && !d; i++) {
		if (!domains[i])
			continue;
		if (name ? !strcmp(domains[i]->name, name) : i == id)
			d = domains[i];
	}
	spin_unlock_irqrestore(&domains_lock, f);
	return d;
}

struct console_in {
	size_t n;
	uint8_t buf[16];
};

static void console_room(struct domain *d, void *arg)
{
	struct console_in *in = arg;

	in->n = d->state == DOM_RUNNING ? hvm_platform_console_room(d) : 0;
}

static void console_give(struct domain *d, void *arg)
{
	struct console_in *in = arg;

	if (d->state == DOM_RUNNING)
		hvm_platform_console_input(d, in->buf, in->n);
}

/*
 * Take only what the guest's FIFO can hold: the console UART keeps the
 * rest.  The UART is read with no lock held (docs/console.md): the room
 * is asked for, and the bytes handed over, under the domain table's lock,
 * which keeps the platform from being freed meanwhile; only this CPU
 * fills the FIFO, so the room can only grow in between.
 */
void domain_console_input_poll(void)
{
	struct console_in in;
	struct domain *d;
	size_t room;

	if (!hv_config.attach[0] || !hv_config.console_port)
		return;
	d = domain_find(hv_config.attach, 0);
	if (!d || !domain_call_live(d, console_room, &in) || !in.n)
		return;
	room = in.n < sizeof(in.buf) ? in.n : sizeof(in.buf);
	for (in.n = 0; in.n < room; in.n++) {
		int c = serial_getc(hv_config.console_port);

		if (c < 0)
			break;
		in.buf[in.n] = (uint8_t)c;
	}
	if (in.n)
		domain_call_live(d, console_give, &in);
}

bool domain_call_live(struct domain *d, void (*fn)(struct domain *, void *),
		      void *arg)
{
	uint64_t f = spin_lock_irqsave(&domains_lock);
	bool live = domains[d->id] == d && d->state != DOM_DEAD;

	if (live)
		fn(d, arg);
	spin_unlock_irqrestore(&domains_lock, f);
	return live;
}

unsigned int domains_alive(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < MAX_DOMAINS; i++)
		n += domains[i] != NULL;
	return n;
}
