/*
 * Per-CPU generations of ASIDs / VPIDs (see hvm/asid.h).  The scheme is
 * KVM's (arch/x86/kvm/svm/svm.c, new_asid() and pre_svm_run()).
 *
 * Why it is safe: every tag below c->next has been given to exactly one
 * vCPU since the last full flush of this CPU, and every tag from c->next
 * up has been given to none, so it holds no entries.  A vCPU may reuse
 * its tag only while it stays on the CPU and in the generation it got
 * the tag in; anything else (first run, a move from another CPU, a new
 * generation) takes a fresh one.  Without a single-tag flush, a fresh
 * tag stands in for the flush the vCPU asked for (AMD APM vol. 2,
 * 15.16.1: TLB_CONTROL 3 needs FlushByAsid, CPUID 8000_000A EDX[6];
 * otherwise only 0 and 1 are defined).
 */
#include <hvm/asid.h>

bool asid_cpu_init(struct asid_cpu *c, uint32_t nr_tags, uint32_t limit,
		   bool flush_one)
{
	if (limit && limit < nr_tags)
		nr_tags = limit;
	if (nr_tags < 2)
		return false;
	c->max = nr_tags - 1;
	c->flush_one = flush_one;
	c->wraps = 0;
	/* Start as if a generation had just ended: the first vCPU on the
	 * CPU flushes whatever an earlier user left in its TLB. */
	c->generation = 1;
	c->next = c->max + 1;
	return true;
}

int asid_assign(struct asid_cpu *c, struct asid_vcpu *v, unsigned int cpu)
{
	int tlb = ASID_TLB_NONE;
	bool keep = v->last_cpu == cpu + 1 && v->generation == c->generation;

	if (keep && v->flush && !c->flush_one)
		keep = false; /* a fresh tag is the flush */
	if (keep) {
		if (v->flush)
			tlb = ASID_TLB_FLUSH_OWN;
	} else {
		if (c->next > c->max) {
			/* Out of tags: a new generation, every tag flushed. */
			if (c->generation++ > 1) /* not the first flush */
				c->wraps++;
			c->next = 1;
			tlb = ASID_TLB_FLUSH_ALL;
			v->full_flushes++;
		}
		v->asid = c->next++;
		v->generation = c->generation;
		v->last_cpu = cpu + 1;
		v->assigned++;
	}
	v->flush = false;
	return tlb;
}

void asid_flush(struct asid_vcpu *v)
{
	v->flush = true;
}
