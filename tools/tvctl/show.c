/*
 * The read commands: list, info, top and version (docs/tvctl.md), each
 * as a table or, with --json, as JSON.
 *
 * Exit counts by reason come as one array per domain (exit_counts) and
 * the reasons' names once per reply (exit_name, in array order): the
 * hypervisor's hvm_exit_name() is the only table, so tvctl knows no
 * reason numbers and shows whatever reasons an agent reports.
 */
#include "tvctl.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DOMS 64
#define MAX_REASONS 32
/* Reasons shown per row of top: the busiest. */
#define TOP_REASONS 3

/* One domain record, decoded. */
struct dom {
	uint64_t id, memory, vcpus, cpu_ns, uptime_ns, exits, vmi_calls;
	uint64_t by_reason[MAX_REASONS];
	size_t nr_reasons; /* 0: an agent older than protocol 1.2 */
	bool pv; /* has VMI counters */
	char name[64], state[16], pcpus[64], type[8];
};

/* The reply's exit reason names; "?" for one that is not a clean string. */
static char reason_names[MAX_REASONS][24];
static unsigned int nr_reason_names;

static void get_reason_names(void)
{
	size_t pos = 0;
	uint16_t tag, vlen;
	const uint8_t *val;

	nr_reason_names = 0;
	while (nr_reason_names < MAX_REASONS &&
	       mgmt_tlv_next(reply, reply_len, &pos, &tag, &val, &vlen)) {
		char *s = reason_names[nr_reason_names];

		if (tag != MGMT_F_EXIT_NAME)
			continue;
		if (!mgmt_tlv_str_val(val, vlen, s, sizeof(reason_names[0])) ||
		    !s[0])
			strcpy(s, "?");
		nr_reason_names++;
	}
}

static const char *reason_name(unsigned int r)
{
	return r < nr_reason_names ? reason_names[r] : "?";
}

static void get_dom(const uint8_t *p, size_t n, struct dom *d)
{
	memset(d, 0, sizeof(*d));
	mgmt_tlv_u64(p, n, MGMT_F_ID, &d->id);
	mgmt_tlv_u64(p, n, MGMT_F_MEMORY, &d->memory);
	mgmt_tlv_u64(p, n, MGMT_F_VCPUS, &d->vcpus);
	mgmt_tlv_u64(p, n, MGMT_F_CPU_NS, &d->cpu_ns);
	mgmt_tlv_u64(p, n, MGMT_F_UPTIME_NS, &d->uptime_ns);
	mgmt_tlv_u64(p, n, MGMT_F_EXITS, &d->exits);
	mgmt_tlv_str(p, n, MGMT_F_NAME, d->name, sizeof(d->name));
	mgmt_tlv_str(p, n, MGMT_F_STATE, d->state, sizeof(d->state));
	mgmt_tlv_str(p, n, MGMT_F_PCPUS, d->pcpus, sizeof(d->pcpus));
	mgmt_tlv_str(p, n, MGMT_F_TYPE, d->type, sizeof(d->type));
	d->pv = mgmt_tlv_u64(p, n, MGMT_F_VMI_CALLS, &d->vmi_calls);
	d->nr_reasons = mgmt_tlv_u64s(p, n, MGMT_F_EXIT_COUNTS, d->by_reason,
				      MAX_REASONS);
}

/* The first domain record of the reply (info). */
static bool first_dom(const uint8_t **p, uint16_t *n)
{
	return mgmt_tlv_find(reply, reply_len, MGMT_F_DOMAIN, p, n) &&
	       mgmt_tlv_valid(*p, *n);
}

static unsigned int get_doms(struct dom *out, unsigned int max)
{
	size_t pos = 0;
	uint16_t tag, vlen;
	const uint8_t *val;
	unsigned int n = 0;

	while (n < max &&
	       mgmt_tlv_next(reply, reply_len, &pos, &tag, &val, &vlen))
		if (tag == MGMT_F_DOMAIN && mgmt_tlv_valid(val, vlen))
			get_dom(val, vlen, &out[n++]);
	get_reason_names();
	return n;
}

/*
 * The reasons with a nonzero value in @v (@n of them), busiest first (ties
 * in reason order), into @idx; returns how many.
 */
static unsigned int busiest(const double *v, size_t n, unsigned int *idx)
{
	unsigned int k = 0;

	for (unsigned int r = 0; r < n; r++) {
		unsigned int j;

		if (v[r] <= 0)
			continue;
		/* Insertion: after every reason at least as busy. */
		for (j = k++; j && v[idx[j - 1]] < v[r]; j--)
			idx[j] = idx[j - 1];
		idx[j] = r;
	}
	return k;
}

/* `"KEY": {"name": value, ...}` of the nonzero values, busiest first. */
static void json_reasons(const char *key, const double *v, size_t n,
			 const char *fmt)
{
	unsigned int idx[MAX_REASONS], k = busiest(v, n, idx);

	printf(", \"%s\": {", key);
	for (unsigned int i = 0; i < k; i++) {
		const char *name = reason_name(idx[i]);

		printf("%s\"", i ? ", " : "");
		json_chars(name, strlen(name));
		printf("\": ");
		printf(fmt, v[idx[i]]);
	}
	printf("}");
}

static void counts(const struct dom *d, double *v)
{
	for (size_t r = 0; r < d->nr_reasons; r++)
		v[r] = (double)d->by_reason[r];
}

static void json_dom(const struct dom *d)
{
	printf("{\"id\": %lu, \"name\": \"%s\", \"state\": \"%s\", "
	       "\"type\": \"%s\", "
	       "\"memory_mib\": %lu, \"vcpus\": %lu, \"pcpus\": [%s], "
	       "\"cpu_ns\": %lu, \"uptime_ns\": %lu, \"exits\": %lu",
	       d->id, d->name, d->state, d->type, d->memory >> 20, d->vcpus,
	       d->pcpus, d->cpu_ns, d->uptime_ns, d->exits);
	if (d->nr_reasons) {
		double v[MAX_REASONS];

		counts(d, v);
		json_reasons("exits_by_reason", v, d->nr_reasons, "%.0f");
	}
	if (d->pv)
		printf(", \"vmi_calls\": %lu", d->vmi_calls);
}

static void print_json_str(const char *s)
{
	if (!s) {
		printf("null");
		return;
	}
	putchar('"');
	json_chars(s, strlen(s));
	putchar('"');
}

/* What a version reply says about the hypervisor's VMI ABI and hardware
 * (protocol 1.2); has_vmi is false for an older agent. */
struct hv_info {
	bool has_vmi, has_khz, has_cpus, has_asids;
	uint64_t vmi, khz, cpus, asids;
	char backend[32];
	char feat[32][40];
	unsigned int nr_feat;
	struct {
		char name[40];
		uint64_t version; /* major << 16 | minor */
	} sect[16];
	unsigned int nr_sect;
};

static void get_hv_info(struct hv_info *h)
{
	size_t pos = 0;
	uint16_t tag, vlen;
	const uint8_t *val;

	memset(h, 0, sizeof(*h));
	h->has_vmi = mgmt_tlv_u64(reply, reply_len, MGMT_F_VMI_VERSION, &h->vmi);
	h->has_khz = mgmt_tlv_u64(reply, reply_len, MGMT_F_TSC_KHZ, &h->khz);
	h->has_cpus = mgmt_tlv_u64(reply, reply_len, MGMT_F_CPUS, &h->cpus);
	h->has_asids = mgmt_tlv_u64(reply, reply_len, MGMT_F_ASIDS, &h->asids);
	mgmt_tlv_str(reply, reply_len, MGMT_F_HV_BACKEND, h->backend,
		     sizeof(h->backend));
	/* Features are repeated strings, sections nested records. */
	while (mgmt_tlv_next(reply, reply_len, &pos, &tag, &val, &vlen)) {
		if (tag == MGMT_F_HW_FEATURE && h->nr_feat < 32 &&
		    mgmt_tlv_str_val(val, vlen, h->feat[h->nr_feat],
				     sizeof(h->feat[0])))
			h->nr_feat++;
		if (tag == MGMT_F_VMI_SECTION && h->nr_sect < 16 &&
		    mgmt_tlv_valid(val, vlen) &&
		    mgmt_tlv_str(val, vlen, MGMT_F_NAME,
				 h->sect[h->nr_sect].name,
				 sizeof(h->sect[0].name)) &&
		    mgmt_tlv_u64(val, vlen, MGMT_F_VMI_VERSION,
				 &h->sect[h->nr_sect].version))
			h->nr_sect++;
	}
}

static void version_json(const char *hv, uint64_t proto, uint64_t minor,
			 const struct hv_info *h)
{
	printf("{\"tvctl\": \"%s\", \"trivisor\": ", TVCTL_VERSION);
	print_json_str(hv);
	printf(", \"protocol\": %lu, \"protocol_minor\": %lu", proto, minor);
	if (!h->has_vmi) {
		printf("}\n");
		return;
	}
	printf(", \"vmi_abi\": {\"major\": %lu, \"minor\": %lu}, "
	       "\"vmi_sections\": [", h->vmi >> 16, h->vmi & 0xffff);
	for (unsigned int i = 0; i < h->nr_sect; i++) {
		printf("%s{\"name\": ", i ? ", " : "");
		print_json_str(h->sect[i].name);
		printf(", \"major\": %lu, \"minor\": %lu}",
		       h->sect[i].version >> 16, h->sect[i].version & 0xffff);
	}
	printf("], \"hv_backend\": ");
	print_json_str(h->backend[0] ? h->backend : NULL);
	printf(", \"hw_features\": [");
	for (unsigned int i = 0; i < h->nr_feat; i++) {
		printf(i ? ", " : "");
		print_json_str(h->feat[i]);
	}
	printf("]");
	if (h->has_asids)
		printf(", \"asids\": %lu", h->asids);
	if (h->has_khz)
		printf(", \"tsc_khz\": %lu", h->khz);
	if (h->has_cpus)
		printf(", \"cpus\": %lu", h->cpus);
	printf("}\n");
}

int cmd_version(int argc, char **argv)
{
	static struct hv_info h;
	char hv[64] = "?";
	uint64_t proto = 0, minor = 0;
	int st;

	(void)argc;
	(void)argv;
	st = request(MGMT_T_VERSION, NULL);
	if (st)
		return fail("version", st);
	mgmt_tlv_str(reply, reply_len, MGMT_F_HV_VERSION, hv, sizeof(hv));
	mgmt_tlv_u64(reply, reply_len, MGMT_F_PROTO, &proto);
	mgmt_tlv_u64(reply, reply_len, MGMT_F_PROTO_MINOR, &minor);
	get_hv_info(&h);
	if (json) {
		version_json(hv, proto, minor, &h);
		return 0;
	}
	printf("tvctl %s, protocol %d.%d\ntrivisor %s, protocol %lu.%lu\n",
	       TVCTL_VERSION, MGMT_VERSION, MGMT_VERSION_MINOR, hv, proto,
	       minor);
	if (!h.has_vmi)
		return 0; /* an agent older than 1.2 says no more */
	printf("VMI ABI:   %lu.%lu; sections:", h.vmi >> 16, h.vmi & 0xffff);
	for (unsigned int i = 0; i < h.nr_sect; i++)
		printf("%s %s %lu.%lu", i ? "," : "", h.sect[i].name,
		       h.sect[i].version >> 16, h.sect[i].version & 0xffff);
	printf("%s\nbackend:   %s\nhardware: ", h.nr_sect ? "" : " none",
	       h.backend[0] ? h.backend : "none (no usable VT-x or AMD-V)");
	for (unsigned int i = 0; i < h.nr_feat; i++)
		printf(" %s", h.feat[i]);
	printf("%s\n", h.nr_feat ? "" : " no virtualization features");
	if (h.has_asids)
		printf("ASIDs:     %lu\n", h.asids);
	if (h.has_khz)
		printf("TSC:       %.3f MHz\n", (double)h.khz / 1000);
	if (h.has_cpus)
		printf("CPUs:      %lu online\n", h.cpus);
	return 0;
}

int cmd_list(int argc, char **argv)
{
	static struct dom d[MAX_DOMS];
	uint64_t free_b = 0, total = 0;
	unsigned int n;
	int st;

	(void)argc;
	(void)argv;
	st = request(MGMT_T_LIST, NULL);
	if (st)
		return fail("list", st);
	n = get_doms(d, MAX_DOMS);
	mgmt_tlv_u64(reply, reply_len, MGMT_F_FREE, &free_b);
	mgmt_tlv_u64(reply, reply_len, MGMT_F_TOTAL, &total);
	if (json) {
		printf("{\"domains\": [");
		for (unsigned int i = 0; i < n; i++) {
			printf(i ? ", " : "");
			json_dom(&d[i]);
			printf("}");
		}
		printf("], \"free_mib\": %lu, \"total_mib\": %lu}\n",
		       free_b >> 20, total >> 20);
		return 0;
	}
	int w = 4;

	for (unsigned int i = 0; i < n; i++)
		if ((int)strlen(d[i].name) > w)
			w = (int)strlen(d[i].name);
	printf("%3s  %-*s  %-8s  %8s  %5s  %-7s  %10s  %9s\n", "ID", w, "NAME",
	       "STATE", "MEM(MiB)", "VCPUS", "CPUS", "CPU(s)", "UPTIME(s)");
	for (unsigned int i = 0; i < n; i++)
		printf("%3lu  %-*s  %-8s  %8lu  %5lu  %-7s  %10.2f  %9.1f\n",
		       d[i].id, w, d[i].name, d[i].state, d[i].memory >> 20,
		       d[i].vcpus, d[i].pcpus, d[i].cpu_ns / 1e9,
		       d[i].uptime_ns / 1e9);
	printf("memory: %lu MiB free of %lu MiB\n", free_b >> 20, total >> 20);
	return 0;
}

int cmd_info(int argc, char **argv)
{
	struct mgmt_tlv_writer *w = new_req();
	const uint8_t *rec, *val;
	uint16_t rlen, tag, vlen;
	size_t pos = 0;
	unsigned int nc = 0;
	struct dom d;
	int st;

	(void)argc;
	name_domain(w, argv[1]);
	st = request(MGMT_T_INFO, w);
	if (st)
		return fail("info", st);
	if (!first_dom(&rec, &rlen)) {
		fprintf(stderr, "tvctl info: the reply holds no domain\n");
		return 2;
	}
	get_dom(rec, rlen, &d);
	get_reason_names();
	if (json) {
		json_dom(&d);
	} else {
		double v[MAX_REASONS];
		unsigned int idx[MAX_REASONS], k;

		printf("id:        %lu\nname:      %s\ntype:      %s\n"
		       "state:     %s\nmemory:    %lu MiB\n"
		       "vcpus:     %lu (on CPU %s)\ncpu time:  %.3f s\n"
		       "uptime:    %.1f s\nexits:     %lu\n",
		       d.id, d.name, d.type, d.state, d.memory >> 20, d.vcpus,
		       d.pcpus, d.cpu_ns / 1e9, d.uptime_ns / 1e9, d.exits);
		/* By reason, busiest first (nonzero counts only). */
		counts(&d, v);
		k = busiest(v, d.nr_reasons, idx);
		for (unsigned int i = 0; i < k; i++)
			printf("%s  %-16s %12lu\n",
			       i ? "" : "  EXIT REASON             COUNT\n",
			       reason_name(idx[i]), d.by_reason[idx[i]]);
		if (d.pv)
			printf("vmi calls: %lu\n", d.vmi_calls);
	}
	/* The VMI calls made, by number (nonzero counts only). */
	while (mgmt_tlv_next(rec, rlen, &pos, &tag, &val, &vlen)) {
		char name[40] = "";
		uint64_t call = 0, count = 0;

		if (tag != MGMT_F_VMI_CALL || !mgmt_tlv_valid(val, vlen))
			continue;
		mgmt_tlv_u64(val, vlen, MGMT_F_CALL, &call);
		mgmt_tlv_u64(val, vlen, MGMT_F_COUNT, &count);
		mgmt_tlv_str(val, vlen, MGMT_F_NAME, name, sizeof(name));
		if (json)
			printf("%s{\"call\": %lu, \"name\": %s%s%s, "
			       "\"count\": %lu}", nc ? ", " : ", \"vmi\": [",
			       call, name[0] ? "\"" : "",
			       name[0] ? name : "null", name[0] ? "\"" : "",
			       count);
		else
			printf("%s  %5lu  %-20s %12lu\n",
			       nc ? "" : "  CALL  NAME                        COUNT\n",
			       call, name[0] ? name : "(unknown)", count);
		nc++;
	}
	if (json)
		printf("%s}\n", nc ? "]" : d.pv ? ", \"vmi\": []" : "");
	return 0;
}

/* What top shows of a domain over one interval. */
struct rate {
	double pct, eps, vps;
	double by_reason[MAX_REASONS]; /* exits per second */
};

/* @d's rates since its row in @prev, @delay seconds ago; zeros for a
 * domain that was not there. */
static void rates(const struct dom *d, const struct dom *prev,
		  unsigned int nprev, int delay, struct rate *r)
{
	memset(r, 0, sizeof(*r));
	for (unsigned int j = 0; j < nprev; j++) {
		const struct dom *p = &prev[j];

		if (p->id != d->id || strcmp(p->name, d->name))
			continue;
		r->pct = (double)(d->cpu_ns - p->cpu_ns) / ((double)delay * 1e7);
		r->eps = (double)(d->exits - p->exits) / delay;
		r->vps = (double)(d->vmi_calls - p->vmi_calls) / delay;
		for (size_t k = 0; k < d->nr_reasons && k < p->nr_reasons; k++)
			r->by_reason[k] = (double)(d->by_reason[k] -
						   p->by_reason[k]) / delay;
	}
}

static void top_json(const struct dom *d, unsigned int n,
		     const struct dom *prev, unsigned int nprev, int delay)
{
	printf("{\"interval_s\": %d, \"domains\": [", delay);
	for (unsigned int i = 0; i < n; i++) {
		struct rate r;

		rates(&d[i], prev, nprev, delay, &r);
		printf("%s{\"id\": %lu, \"name\": \"%s\", \"state\": \"%s\", "
		       "\"type\": \"%s\", \"memory_mib\": %lu, "
		       "\"cpu_percent\": %.1f, \"exits_per_s\": %.0f, "
		       "\"vmi_calls_per_s\": %.0f",
		       i ? ", " : "", d[i].id, d[i].name, d[i].state,
		       d[i].type, d[i].memory >> 20, r.pct, r.eps,
		       d[i].pv ? r.vps : 0.0);
		if (d[i].nr_reasons)
			json_reasons("exits_per_s_by_reason", r.by_reason,
				     d[i].nr_reasons, "%.0f");
		printf("}");
	}
	printf("]}\n");
}

static void top_table(const struct dom *d, unsigned int n,
		      const struct dom *prev, unsigned int nprev, int delay)
{
	printf("%3s  %-16s  %-8s  %-4s  %8s  %6s  %10s  %10s  %10s  %s\n",
	       "ID", "NAME", "STATE", "TYPE", "MEM(MiB)", "CPU%", "CPU(s)",
	       "EXITS/s", "VMI/s", "BUSIEST EXITS/s");
	for (unsigned int i = 0; i < n; i++) {
		unsigned int idx[MAX_REASONS], k;
		char vmi[24] = "-", top[128] = "";
		size_t tl = 0;
		struct rate r;

		rates(&d[i], prev, nprev, delay, &r);
		if (d[i].pv)
			snprintf(vmi, sizeof(vmi), "%.0f", r.vps);
		k = busiest(r.by_reason, d[i].nr_reasons, idx);
		for (unsigned int j = 0; j < k && j < TOP_REASONS; j++)
			tl += (size_t)snprintf(top + tl, sizeof(top) - tl,
					       "%s%s %.0f", j ? "  " : "",
					       reason_name(idx[j]),
					       r.by_reason[idx[j]]);
		printf("%3lu  %-16s  %-8s  %-4s  %8lu  %6.1f  %10.2f  %10.0f  "
		       "%10s  %s\n", d[i].id, d[i].name, d[i].state, d[i].type,
		       d[i].memory >> 20, r.pct, d[i].cpu_ns / 1e9, r.eps, vmi,
		       k ? top : "-");
	}
}

int cmd_top(int argc, char **argv)
{
	int iters = 0, delay = 1;
	bool batch = false;
	static struct dom prev[MAX_DOMS], d[MAX_DOMS];
	unsigned int nprev = 0;

	for (int i = 1; i < argc; i++) {
		char *end = NULL;

		if (!strcmp(argv[i], "-b")) {
			batch = true;
			continue;
		}
		if ((!strcmp(argv[i], "-n") || !strcmp(argv[i], "-d")) &&
		    i + 1 < argc) {
			long v = strtol(argv[i + 1], &end, 10);

			if (*end || v < 1 || v > 100000) {
				fprintf(stderr, "tvctl top: %s %s: use a whole "
					"number from 1\n", argv[i], argv[i + 1]);
				return 2;
			}
			if (argv[i][1] == 'n')
				iters = (int)v;
			else
				delay = (int)v;
			i++;
			continue;
		}
		fprintf(stderr, "tvctl top: unknown option %s (use -b, -n "
			"COUNT, -d SECONDS)\n", argv[i]);
		return 2;
	}
	for (int it = 0; !iters || it <= iters; it++) {
		unsigned int n;
		int st = request(MGMT_T_LIST, NULL);

		if (st)
			return fail("top", st);
		n = get_doms(d, MAX_DOMS);
		if (it && json) {
			/* One object per refresh, one per line. */
			top_json(d, n, prev, nprev, delay);
			fflush(stdout);
		} else if (it) {
			if (!batch && isatty(1))
				printf("\033[H\033[2J");
			top_table(d, n, prev, nprev, delay);
			if (batch)
				printf("\n");
			fflush(stdout);
		}
		memcpy(prev, d, sizeof(d));
		nprev = n;
		if (!iters || it < iters)
			sleep((unsigned int)delay);
	}
	return 0;
}
