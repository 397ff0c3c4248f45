/*
 * The VMI ABI in the hardware container (docs/vmi-abi.md): the ROM MSR,
 * the ROM itself, and the calls behind it.  Every argument is checked
 * before use; a refused call returns its error to the guest and is logged
 * (the first few per domain), and never touches memory outside the
 * domain.
 *
 * Implemented so far: the core section (version, features, declare,
 * multicall, shutdown, shared page) and the console section.  Every call
 * of another section returns -VMI_ENOSYS, and CPUID reports those
 * sections absent.
 */
#include <hvm/vmi.h>
#include "vmi-private.h"
#include <hvm/hvm.h>
#include <hvm/run.h>
#include <trivisor/domain.h>
#include <trivisor/log.h>
#include <hvm/vmi-lib.h>
#include <trivisor/rtc.h>
#include <vmi/vmi.h>
#include <stdio.h>
#include <string.h>

_Static_assert(sizeof(((struct vmi_domain *)0)->calls) ==
		       VMI_NR_CALLS * sizeof(uint64_t), "a counter per call");

/* Serialises the ROM's bounce buffer between CPUs. */
static spinlock_t bounce_lock;

static long core_call(struct vcpu *v, uint32_t call, const uint64_t a[5]);
static long console_call(struct vcpu *v, uint32_t call, const uint64_t a[5]);

/* The sections this hypervisor provides; a NULL call means absent. */
static const struct vmi_section *const sections[VMI_NR_SECTIONS] = {
	[VMI_SECTION_CORE] = &(const struct vmi_section){
		VMI_SECTION_VERSION(1, 0), VMI_F_ROM, core_call },
	[VMI_SECTION_CONSOLE] = &(const struct vmi_section){
		VMI_SECTION_VERSION(1, 0), 0, console_call },
	[VMI_SECTION_MMU] = &vmi_mmu_section,
	[VMI_SECTION_MEMORY] = &vmi_memory_section,
	[VMI_SECTION_VCPU] = &vmi_vcpu_section,
	[VMI_SECTION_TIME] = &vmi_time_section,
	[VMI_SECTION_EVENTS] = &vmi_event_section,
};

uint32_t vmi_features(void)
{
	uint32_t f = VMI_F_HW_MMU; /* the hardware container: nested paging */

	for (unsigned int s = 0; s < VMI_NR_SECTIONS; s++)
		if (sections[s] && sections[s]->call)
			f |= sections[s]->features;
	return f;
}

uint16_t vmi_section_version(unsigned int section)
{
	if (section >= VMI_NR_SECTIONS || !sections[section] ||
	    !sections[section]->call)
		return 0;
	return sections[section]->version;
}

void vmi_cpuid_sections(uint32_t out[4])
{
	memset(out, 0, 16);
	for (unsigned int s = 0; s < VMI_NR_SECTIONS; s++)
		out[s / 2] |= (uint32_t)vmi_section_version(s) << (16 * (s % 2));
}

/* Write the ROM for this container into the guest page at @gpa. */
static int rom_fill(struct domain *d, uint64_t gpa)
{
	static uint8_t rom[4096];
	struct vmi_rom_header h;
	uint64_t f;
	int ret;

	memset(&h, 0, sizeof(h));
	h.magic = VMI_ROM_MAGIC;
	h.version = VMI_VERSION(VMI_ABI_MAJOR, VMI_ABI_MINOR);
	h.container = hvm_ops.vmi_container;
	h.nr_calls = VMI_NR_CALLS;
	h.entry_size = VMI_ROM_ENTRY_SIZE;
	h.features[0] = vmi_features();
	f = spin_lock_irqsave(&bounce_lock);
	memset(rom, 0xcc, sizeof(rom)); /* int3 between entries */
	memcpy(rom, &h, sizeof(h));
	/*
	 * Each entry: mov $call, %eax; <hypercall>; ret.  The same bytes
	 * mean the same in 32-bit and 64-bit mode (a 32-bit MOV to EAX
	 * zero-extends into RAX).
	 */
	for (uint32_t call = 0; call < VMI_NR_CALLS; call++) {
		uint8_t *e = rom + VMI_ROM_ENTRY(call);

		e[0] = 0xb8;
		memcpy(e + 1, &call, 4);
		memcpy(e + 5, hvm_ops.hypercall, 3);
		e[8] = 0xc3;
	}
	ret = domain_write(d, gpa, rom, sizeof(rom));
	spin_unlock_irqrestore(&bounce_lock, f);
	return ret;
}

int vmi_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	struct domain *d = v->dom;
	uint64_t gpa;

	if (msr != VMI_MSR_ROM)
		return 0;
	if (!d->vmi.enabled)
		return -1;
	if (!write) {
		*val = d->vmi.rom_msr;
		return 1;
	}
	gpa = *val & ~(uint64_t)VMI_ROM_ENABLE;
	if (*val & VMI_ROM_ENABLE) {
		/* A guest may write the MSR in a loop: 8 lines a second. */
		if ((gpa & 0xfff) || !domain_is_ram(d, gpa, 4096)) {
			if (ratelimit_ok(&d->vmi.rom_rl))
				log_dom(LOG_INFO, d, "VMI ROM at %#lx refused: "
					"not a page of the domain's RAM: #GP",
					gpa);
			return -1;
		}
		if (rom_fill(d, gpa))
			return -1;
		if (ratelimit_ok(&d->vmi.rom_rl))
			log_dom(LOG_INFO, d, "VMI ROM at %#lx", gpa);
	} else if (*val) {
		return -1; /* address bits without the enable bit */
	}
	d->vmi.rom_msr = *val;
	return 1;
}

bool vmi_page_in_use(struct domain *d, uint64_t gfn)
{
	if ((d->vmi.rom_msr & VMI_ROM_ENABLE) && d->vmi.rom_msr >> 12 == gfn)
		return true;
	if (d->vmi.shared_gpa && d->vmi.shared_gpa >> 12 == gfn)
		return true;
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i]->vmi.area &&
		    d->vcpus[i]->vmi.area_gpa >> 12 == gfn)
			return true;
	return false;
}

void vmi_domain_destroy(struct domain *d)
{
	vmi_events_reset(d, NULL);
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i])
			d->vcpus[i]->vmi.area = NULL;
}

long vmi_refuse(struct vcpu *v, uint32_t call, long err, const char *why)
{
	struct domain *d = v->dom;

	__atomic_fetch_add(&d->vmi.bad_calls, 1, __ATOMIC_RELAXED);
	if (ratelimit_ok(&d->vmi.log_rl))
		log_dom(LOG_INFO, d, "VMI call %u from vCPU %u: %s (%ld)", call,
			v->id, why, err);
	else if (d->vmi.log_rl.missed == 1)
		log_dom(LOG_INFO, d, "VMI: more than %u refused calls in %lu "
			"ms; further refusals not logged for now",
			d->vmi.log_rl.burst,
			d->vmi.log_rl.interval_ns / 1000000);
	return err;
}

static long do_declare(struct vcpu *v, uint64_t section, uint64_t version)
{
	uint16_t have;

	if (section >= VMI_NR_SECTIONS)
		return vmi_refuse(v, VMI_CALL_DECLARE, -VMI_EINVAL,
			      "unknown section");
	have = vmi_section_version((unsigned int)section);
	if (!have || version > 0xffff || (version >> 8) != (have >> 8u) ||
	    (version & 0xff) > (have & 0xffu))
		return vmi_refuse(v, VMI_CALL_DECLARE, -VMI_EOPNOTSUPP,
			      "section version not provided");
	__atomic_fetch_or(&v->dom->vmi.declared, 1u << section,
			  __ATOMIC_RELAXED);
	return 0;
}

/*
 * The text goes to the domain's console buffer a piece at a time, through
 * a buffer on this CPU's stack: no lock is held while it is copied, and
 * nothing here waits for the UART (hypervisor/log.c).
 */
static long do_console_write(struct vcpu *v, uint64_t gpa, uint64_t len)
{
	char buf[256];
	struct domain *d = v->dom;

	if (len > VMI_CONSOLE_MAX)
		return vmi_refuse(v, VMI_CALL_CONSOLE_WRITE, -VMI_E2BIG,
			      "longer than VMI_CONSOLE_MAX");
	if (!len)
		return 0;
	if (!domain_is_ram(d, gpa, len))
		return vmi_refuse(v, VMI_CALL_CONSOLE_WRITE, -VMI_EFAULT,
			      "buffer outside the domain's RAM");
	for (uint64_t done = 0; done < len;) {
		uint64_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);

		/* Ballooned out meanwhile by another vCPU. */
		if (domain_read(d, gpa + done, buf, n))
			return done ? (long)done : -VMI_EFAULT;
		domain_console(d, buf, n);
		done += n;
	}
	return (long)len;
}

/* The wall clock at system time 0 (docs/vmi-abi.md section 4). */
static void wallclock_write(struct domain *d, struct vmi_shared_info *s)
{
	struct vmi_wallclock *w = &s->wallclock;
	/* time_ns() counts from the hypervisor's boot, when the RTC was
	 * read; the domain's system time counts from its creation. */
	uint64_t at0 = (uint64_t)rtc_epoch_at_boot() * 1000000000ull +
		       d->started_ns;
	uint32_t v = vmi_version_begin(&w->version);

	w->sec = (uint32_t)(at0 / 1000000000ull);
	w->nsec = (uint32_t)(at0 % 1000000000ull);
	w->reserved = 0;
	vmi_version_end(&w->version, v);
}

static long do_console_read(struct vcpu *v, uint64_t gpa, uint64_t len)
{
	uint8_t buf[256];
	struct domain *d = v->dom;
	size_t n;

	if (len > VMI_CONSOLE_MAX)
		return vmi_refuse(v, VMI_CALL_CONSOLE_READ, -VMI_E2BIG,
				  "longer than VMI_CONSOLE_MAX");
	if (!len)
		return 0;
	if (!domain_is_ram(d, gpa, len))
		return vmi_refuse(v, VMI_CALL_CONSOLE_READ, -VMI_EFAULT,
				  "buffer outside the domain's RAM");
	/* The ring holds at most sizeof(buf): one take empties it. */
	n = vmi_console_take(d, buf, len < sizeof(buf) ? len : sizeof(buf));
	if (n && domain_write(d, gpa, buf, n))
		return -VMI_EFAULT;
	return (long)n;
}

static long do_shared_page(struct vcpu *v, uint64_t gpa)
{
	struct domain *d = v->dom;
	struct vmi_shared_info *s;
	uint64_t f;

	if (!gpa) {
		/* Under map_lock like an attach: a detach racing another
		 * vCPU's attach must not leave the new page mapped with
		 * shared_gpa 0, which BALLOON_OUT would then give back while
		 * events are still delivered into it. */
		f = spin_lock_irqsave(&d->vmi.map_lock);
		vmi_events_reset(d, NULL);
		d->vmi.shared_gpa = 0;
		spin_unlock_irqrestore(&d->vmi.map_lock, f);
		return 0;
	}
	if (gpa & 0xfff)
		return vmi_refuse(v, VMI_CALL_SHARED_PAGE, -VMI_EINVAL,
				  "shared page not page-aligned");
	/* Held until the page is published: it cannot be ballooned
	 * meanwhile (hvm/vmi-mm.c). */
	f = spin_lock_irqsave(&d->vmi.map_lock);
	s = domain_map(d, gpa, sizeof(*s));
	if (!s) {
		spin_unlock_irqrestore(&d->vmi.map_lock, f);
		return vmi_refuse(v, VMI_CALL_SHARED_PAGE, -VMI_EFAULT,
				  "shared page outside the domain's RAM");
	}
	/* Detach first: no event is delivered into a half-set page. */
	vmi_events_reset(d, NULL);
	/* Cleared, every port masked, the wall clock written. */
	memset(s, 0, sizeof(*s));
	memset(s->evtchn_mask, 0xff, sizeof(s->evtchn_mask));
	wallclock_write(d, s);
	d->vmi.shared_gpa = gpa;
	vmi_events_reset(d, s);
	spin_unlock_irqrestore(&d->vmi.map_lock, f);
	return 0;
}

static long dispatch(struct vcpu *v, uint32_t call, const uint64_t a[5]);

static int mc_read(void *ctx, uint64_t gpa, void *buf, uint64_t len)
{
	return domain_read(((struct vcpu *)ctx)->dom, gpa, buf, len);
}

static int mc_write(void *ctx, uint64_t gpa, const void *buf, uint64_t len)
{
	return domain_write(((struct vcpu *)ctx)->dom, gpa, buf, len);
}

static bool mc_is_ram(void *ctx, uint64_t gpa, uint64_t len)
{
	return domain_is_ram(((struct vcpu *)ctx)->dom, gpa, len);
}

static long mc_call(void *ctx, uint32_t call, const uint64_t args[5])
{
	return dispatch(ctx, call, args);
}

static bool mc_stop(void *ctx)
{
	struct vcpu *v = ctx;

	/* The domain ended, or this vCPU went down or to sleep. */
	return v->dom->state != DOM_RUNNING || v->state != VCPU_RUNNABLE;
}

static long mc_refuse(void *ctx, long err, const char *why)
{
	return vmi_refuse(ctx, VMI_CALL_MULTICALL, err, why);
}

static long do_multicall(struct vcpu *v, uint64_t gpa, uint64_t count)
{
	const struct vmi_multicall_env env = {
		v, mc_read, mc_write, mc_is_ram, mc_call, mc_stop, mc_refuse,
	};

	return vmi_multicall_run(&env, gpa, count);
}

static long dispatch(struct vcpu *v, uint32_t call, const uint64_t a[5])
{
	struct domain *d = v->dom;
	unsigned int section = call < VMI_NR_CALLS ? VMI_CALL_SECTION(call) : 0;

	if (call < VMI_NR_CALLS)
		__atomic_fetch_add(&d->vmi.calls[call], 1, __ATOMIC_RELAXED);
	/* A domain that has ended (crashed by another vCPU, destroyed)
	 * makes no more calls: its vCPUs stop at their next exit, and
	 * nothing it asks now could be finished or undone. */
	if (d->state != DOM_RUNNING && d->state != DOM_PAUSED)
		return vmi_refuse(v, call, -VMI_ESRCH, "the domain is ending");
	if (call >= VMI_NR_CALLS || !vmi_section_version(section))
		return vmi_refuse(v, call, -VMI_ENOSYS, "not implemented");
	if (section != VMI_SECTION_CORE &&
	    !(__atomic_load_n(&d->vmi.declared, __ATOMIC_RELAXED) &
	      (1u << section)))
		return vmi_refuse(v, call, -VMI_EPERM, "section not declared");
	/* vmi_multicall_run() refuses a MULTICALL entry itself. */
	if (call == VMI_CALL_MULTICALL)
		return do_multicall(v, a[0], a[1]);
	return sections[section]->call(v, call, a);
}

static long core_call(struct vcpu *v, uint32_t call, const uint64_t a[5])
{
	struct domain *d = v->dom;

	switch (call) {
	case VMI_CALL_VERSION:
		return (long)VMI_VERSION(VMI_ABI_MAJOR, VMI_ABI_MINOR);
	case VMI_CALL_FEATURES:
		if (a[0] == 0)
			return (long)vmi_features();
		if (a[0] == 1)
			return 0;
		return vmi_refuse(v, call, -VMI_EINVAL, "no such feature word");
	case VMI_CALL_DECLARE:
		return do_declare(v, a[0], a[1]);
	case VMI_CALL_SHUTDOWN:
		switch (a[0]) {
		case VMI_SHUTDOWN_POWEROFF:
			domain_end(d, DOM_END_POWEROFF, 0, NULL);
			return 0;
		case VMI_SHUTDOWN_REBOOT:
			domain_end(d, DOM_END_REBOOT, 0, NULL);
			return 0;
		case VMI_SHUTDOWN_CRASH:
			domain_crash(d, "the guest reported a crash (VMI "
				     "shutdown)");
			return 0;
		default:
			return vmi_refuse(v, call, -VMI_EINVAL,
					  "unknown shutdown reason");
		}
	case VMI_CALL_SHARED_PAGE:
		return do_shared_page(v, a[0]);
	default:
		return vmi_refuse(v, call, -VMI_ENOSYS, "not implemented");
	}
}

static long console_call(struct vcpu *v, uint32_t call, const uint64_t a[5])
{
	switch (call) {
	case VMI_CALL_CONSOLE_WRITE:
		return do_console_write(v, a[0], a[1]);
	case VMI_CALL_CONSOLE_READ:
		return do_console_read(v, a[0], a[1]);
	default:
		return vmi_refuse(v, call, -VMI_ENOSYS, "not implemented");
	}
}

void vmi_hypercall(struct vcpu *v, unsigned int len)
{
	struct vcpu_regs *r = &v->regs;
	int mode = hvm_ops.guest_mode(v);
	uint64_t a[5];
	uint32_t call = (uint32_t)r->rax;
	long ret;

	if (!v->dom->vmi.enabled || !(v->dom->vmi.rom_msr & VMI_ROM_ENABLE) ||
	    (mode != HVM_MODE_LONG64 && mode != HVM_MODE_PROT32)) {
		hvm_ops.inject_event(v, HVM_EVENT_EXCEPTION, 6, false, 0);
		return; /* #UD: as on a CPU without this instruction */
	}
	if (mode == HVM_MODE_LONG64) {
		a[0] = r->rdi, a[1] = r->rsi, a[2] = r->rdx, a[3] = r->rcx;
		a[4] = r->r8;
	} else {
		a[0] = (uint32_t)r->rbx, a[1] = (uint32_t)r->rcx;
		a[2] = (uint32_t)r->rdx, a[3] = (uint32_t)r->rsi;
		a[4] = (uint32_t)r->rdi;
		/* 64-bit arguments come in two registers, low half first. */
		if (call == VMI_CALL_TIMER_SET)
			a[0] |= a[1] << 32;
	}
	if (hvm_ops.cpl(v))
		ret = vmi_refuse(v, call, -VMI_EPERM, "called from CPL > 0");
	else
		ret = dispatch(v, call, a);
	r->rax = mode == HVM_MODE_LONG64 ? (uint64_t)ret : (uint32_t)ret;
	hvm_ops.skip_insn(v, len);
}

/* VMI call names, from the ABI headers' VMI_CALL_* (vmi-abi/include/vmi). */
#define CALL(n) [VMI_CALL_##n] = #n
static const char *const call_names[VMI_NR_CALLS] = {
	CALL(VERSION), CALL(FEATURES), CALL(DECLARE), CALL(MULTICALL),
	CALL(SHUTDOWN), CALL(SHARED_PAGE),
	CALL(VCPU_UP), CALL(VCPU_DOWN), CALL(VCPU_BLOCK), CALL(VCPU_YIELD),
	CALL(VCPU_AREA), CALL(VCPU_UPCALL), CALL(VCPU_ID),
	CALL(TIMER_SET), CALL(TIME_NOW),
	CALL(EVTCHN_BIND_VIRQ), CALL(EVTCHN_BIND_IPI), CALL(EVTCHN_BIND_IRQ),
	CALL(EVTCHN_SEND), CALL(EVTCHN_CLOSE), CALL(EVTCHN_UNMASK),
	CALL(EVTCHN_STATUS),
	CALL(MMU_UPDATE), CALL(MMU_PIN), CALL(MMU_UNPIN), CALL(MMU_LOAD_BASE),
	CALL(MMU_FLUSH), CALL(MMU_INVLPG),
	CALL(BALLOON_OUT), CALL(BALLOON_IN), CALL(MEMORY_MAP),
	CALL(CONSOLE_WRITE), CALL(CONSOLE_READ),
};
#undef CALL

const char *vmi_call_name(unsigned int call)
{
	return call < VMI_NR_CALLS ? call_names[call] : NULL;
}

void vmi_report(struct domain *d)
{
	char line[160];
	size_t n = 0;

	if (!d->vmi.enabled)
		return;
	for (unsigned int c = 0; c < VMI_NR_CALLS; c++) {
		uint64_t k = __atomic_load_n(&d->vmi.calls[c], __ATOMIC_RELAXED);
		int w;

		if (!k)
			continue;
		if (n > sizeof(line) - 40) {
			log_dom(LOG_INFO, d, "VMI calls: %s", line);
			n = 0;
		}
		w = snprintf(line + n, sizeof(line) - n, "%s%s %lu", n ? ", " : "",
			     call_names[c] ? call_names[c] : "?", k);
		/* An entry is under 40 bytes; never step past the end. */
		n = w < 0 ? n : n + (size_t)w < sizeof(line) ? n + (size_t)w
							      : sizeof(line) - 1;
	}
	if (n)
		log_dom(LOG_INFO, d, "VMI calls: %s", line);
}
