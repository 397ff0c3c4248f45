/*
 * nmi_iret - NMI blocking lasts until the handler's IRET, and an IRET
 * that faults neither loses the NMI that waits nor lets it in early.
 *
 * Proves (SDM vol. 3A, 6.7.1 "Handling Multiple NMIs"; APM vol. 2, 8.2.2):
 *   - round "plain": an NMI handler sends itself a second NMI (to its
 *     own APIC ID: the self shorthand takes fixed delivery only) and
 *     waits 2 ms: the second NMI is not taken inside the handler; it is
 *     taken once, after the handler's IRET;
 *   - round "faulting IRET": the same, but the handler makes its own
 *     IRET fault (a CS selector beyond the GDT limit: #GP).  The #GP
 *     handler repairs the NMI frame and returns to the IRET, which then
 *     completes.  The second NMI must still run exactly once, never
 *     nested in the first handler's body; where it lands (in the #GP
 *     handler or after the repaired IRET) is printed, not judged.
 * Each round runs ROUNDS times.
 */
#include "guest.h"

GUEST_TEST("nmi_iret");

#define ROUNDS 20
#define BAD_CS 0xfff8 /* beyond any GDT limit this library builds */

static volatile int runs, depth, max_depth, gp_runs, gp_saw;
static volatile bool faulting;
static uint32_t self_id;

static void on_nmi(struct trap_frame *f)
{
	int seen;

	depth++;
	if (depth > max_depth)
		max_depth = depth;
	runs++;
	if (runs == 1) {
		lapic_send_ipi(self_id, ICR_NMI);
		delay_us(2000);
		seen = runs;
		CHECK(seen == 1, "a second NMI ran inside the first handler "
		      "(%d runs)", seen);
		if (faulting)
			f->cs = BAD_CS; /* its IRET raises #GP(BAD_CS) */
	}
	depth--;
}

/* The IRET at the end of the NMI stub faulted: its frame (EIP, CS,
 * EFLAGS) sits just above this #GP frame.  Repair its CS and return to
 * the IRET, which then completes. */
static void on_gp(struct trap_frame *f)
{
	uint32_t *nmi_frame = &f->eflags + 1;

	CHECK(faulting && (f->error & 0xfff8) == BAD_CS &&
		      nmi_frame[1] == BAD_CS,
	      "unexpected #GP (error %#x) at eip %#x", f->error, f->eip);
	gp_runs++;
	delay_us(2000);
	gp_saw = runs;
	nmi_frame[1] = SEL_CODE32;
}

static void round_trip(bool fault, unsigned int i)
{
	uint64_t end;

	runs = depth = max_depth = gp_runs = gp_saw = 0;
	faulting = fault;
	lapic_send_ipi(self_id, ICR_NMI);
	end = now_us() + 200000;
	while (runs < 2 && now_us() < end)
		cpu_relax();
	delay_us(2000); /* a third would come now */
	CHECK(runs == 2, "%s round %u: the NMI handler ran %d times, not 2",
	      fault ? "faulting-IRET" : "plain", i, runs);
	CHECK(max_depth == 1, "%s round %u: NMI handlers nested %d deep",
	      fault ? "faulting-IRET" : "plain", i, max_depth);
	CHECK(gp_runs == (fault ? 1 : 0), "%s round %u: %d #GP(s) from the "
	      "IRET", fault ? "faulting-IRET" : "plain", i, gp_runs);
}

void test_main(void)
{
	unsigned int i, in_gp = 0;

	self_id = lapic_id();
	irq_set_handler(VEC_NMI, on_nmi);
	irq_set_handler(VEC_GP, on_gp);
	for (i = 0; i < ROUNDS; i++)
		round_trip(false, i);
	printf("nmi_iret: %u plain rounds: the second NMI ran once, after "
	       "the handler's IRET\n", ROUNDS);
	for (i = 0; i < ROUNDS; i++) {
		round_trip(true, i);
		in_gp += gp_saw == 2;
	}
	printf("nmi_iret: %u faulting-IRET rounds: the second NMI ran once, "
	       "never nested (in the #GP handler %u times, after the "
	       "repaired IRET %u times)\n", ROUNDS, in_gp, ROUNDS - in_gp);
	guest_pass(guest_name);
}
