/*
 * Address-space tags for guest TLB entries: SVM ASIDs (AMD APM vol. 2,
 * 15.16) and VMX VPIDs (SDM vol. 3C, 28.1).  Portable; the backends call
 * it just before each entry, on the vCPU's current CPU.
 *
 * Tags are handed out per physical CPU in generations, as KVM does: a
 * CPU gives each vCPU that runs on it the next unused tag of the current
 * generation; when the tags run out, the generation ends, the whole TLB
 * of that CPU is flushed (all tags) and numbering starts again.  A vCPU
 * keeps its tag while it stays on the CPU and the generation lasts.  So
 * no two vCPUs ever use one tag on one CPU with entries of the other
 * still cached, however few tags the CPU has, and a tag left behind by a
 * vCPU that moved or was destroyed is not reused before that flush.
 */
#ifndef HVM_ASID_H
#define HVM_ASID_H

#include <stdbool.h>
#include <stdint.h>

/* What the backend must do at this entry before running the vCPU. */
#define ASID_TLB_NONE 0 /* the tag's entries are the vCPU's own and valid */
#define ASID_TLB_FLUSH_ALL 1 /* every tag on this CPU (SVM TLB_CONTROL 1) */
#define ASID_TLB_FLUSH_OWN 3 /* this tag only (SVM TLB_CONTROL 3) */

/* One physical CPU's allocator.  Touched only by that CPU. */
struct asid_cpu {
	uint64_t generation; /* starts at 1; 0 never matches a vCPU */
	uint32_t next; /* next tag to hand out; > max: generation over */
	uint32_t max; /* highest usable tag (0 is the host's) */
	bool flush_one; /* the CPU can flush a single tag */
	uint64_t wraps; /* generations ended, each with a full flush */
};

/* One vCPU's tag.  Zeroed at creation; touched by the CPU it runs on. */
struct asid_vcpu {
	uint64_t generation; /* of last_cpu when the tag was given */
	uint32_t asid;
	uint32_t last_cpu; /* CPU + 1 of the last entry; 0 = never ran */
	bool flush; /* its own cached translations must go */
	uint64_t assigned; /* tags taken, for the log */
	uint64_t full_flushes; /* entries that flushed all tags */
};

/*
 * Set up a CPU with @nr_tags tags, tag 0 included (CPUID 8000_000A EBX
 * on AMD; 65536 VPIDs on Intel), at most @limit of them when @limit is
 * not 0.  @flush_one: the CPU can flush one tag (SVM FlushByAsid, CPUID
 * 8000_000A EDX[6]; VMX INVVPID single-context).  Returns false when
 * fewer than two tags remain (no tag for guests).  The first entry on
 * the CPU flushes everything: its TLB may hold entries of any tag.
 */
bool asid_cpu_init(struct asid_cpu *c, uint32_t nr_tags, uint32_t limit,
		   bool flush_one);

/*
 * The vCPU @v is about to enter on CPU @cpu, whose allocator is @c:
 * give it a tag valid there and say what to flush (ASID_TLB_*).  Never
 * ASID_TLB_FLUSH_OWN on a CPU that cannot flush one tag: a fresh tag is
 * taken instead.  The tag is in v->asid afterwards.
 */
int asid_assign(struct asid_cpu *c, struct asid_vcpu *v, unsigned int cpu);

/* The vCPU's own translations must not survive to its next entry. */
void asid_flush(struct asid_vcpu *v);

#endif
