/*
 * dr_iso - the debug registers belong to this vCPU alone.
 *
 * Proves: DR0-DR3, DR6 (B0-B3) and DR7 (L0-L3, and the R/W and LEN
 * fields) keep the values this guest gave them over 1.5 s of exits
 * (CPUID) and of whatever else shares the physical CPU.  Neither VMRUN
 * nor VM entry switches DR0-DR3 (AMD APM vol. 2, 15.5.1; SDM vol. 3C,
 * 26.3.2.1 loads only DR7), and VM entry leaves DR6 alone too.  Under
 * trivisor run several of these at once so that two domains share a
 * physical CPU: each takes its pattern from its own TSC, so a leak
 * between them shows up as a wrong value.
 *
 * CR2 too: VM entry and exit switch it on neither vendor's VMX (SDM vol.
 * 3C, 25.4, no CR2 field), so the hypervisor must (AMD-V keeps it in the
 * VMCB); this guest sets its own and checks it stays.
 *
 * The breakpoints are armed as instruction breakpoints (R/W 00, LEN 00)
 * on addresses from 0xf0000000 up, where this guest never executes, so
 * they never fire; a #DB fails the test through the default handler.
 */
#include "guest.h"

GUEST_TEST("dr_iso");

#define DR6_B_MASK 0xfu

static uint32_t want_dr[4], want_dr6_b, want_dr7, want_cr2;

static void write_drs(void)
{
	uint32_t dr6 = 0xffff0ff0u | want_dr6_b;

	asm volatile("mov %0, %%dr0\n\tmov %1, %%dr1\n\t"
		     "mov %2, %%dr2\n\tmov %3, %%dr3\n\t"
		     "mov %4, %%dr6\n\tmov %5, %%dr7"
		     :
		     : "r"(want_dr[0]), "r"(want_dr[1]), "r"(want_dr[2]),
		       "r"(want_dr[3]), "r"(dr6), "r"(want_dr7));
}

static void read_drs(uint32_t dr[4], uint32_t *dr6, uint32_t *dr7)
{
	asm volatile("mov %%dr0, %0" : "=r"(dr[0]));
	asm volatile("mov %%dr1, %0" : "=r"(dr[1]));
	asm volatile("mov %%dr2, %0" : "=r"(dr[2]));
	asm volatile("mov %%dr3, %0" : "=r"(dr[3]));
	asm volatile("mov %%dr6, %0" : "=r"(*dr6));
	asm volatile("mov %%dr7, %0" : "=r"(*dr7));
}

void test_main(void)
{
	uint32_t x = (uint32_t)rdtsc() | 1, dr[4], dr6, dr7;
	uint64_t end, checks = 0, exits = 0;
	int i;

	read_drs(dr, &dr6, &dr7);
	CHECK(!dr[0] && !dr[1] && !dr[2] && !dr[3], "DR0-3 not 0 at start: "
	      "%#x %#x %#x %#x", dr[0], dr[1], dr[2], dr[3]);
	CHECK((dr7 & 0xff) == 0, "DR7 is %#x at start: breakpoints enabled",
	      dr7);

	for (i = 0; i < 4; i++) {
		x ^= x << 13; /* xorshift32 */
		x ^= x >> 17;
		x ^= x << 5;
		want_dr[i] = 0xf0000000u | (x & 0x0ffffff0u);
	}
	want_dr6_b = x >> 28 & DR6_B_MASK;
	/* L0-L3 from the pattern (at least one), each R/W 00, LEN 00. */
	want_dr7 = 0x400u;
	for (i = 0; i < 4; i++)
		if (((x >> 8 & 0xf) | 1) >> i & 1)
			want_dr7 |= 1u << (2 * i);
	write_drs();
	want_cr2 = x * 2654435761u | 0x1000u;
	asm volatile("mov %0, %%cr2" : : "r"(want_cr2));
	printf("dr_iso: CR2 %08x\n", want_cr2);
	printf("dr_iso: DR0-3 %08x %08x %08x %08x, DR6 B0-3 %x, DR7 %#x\n",
	       want_dr[0], want_dr[1], want_dr[2], want_dr[3], want_dr6_b,
	       want_dr7);

	end = now_us() + 1500000;
	while (now_us() < end) {
		for (i = 0; i < 20; i++, exits++)
			(void)cpuid(0);
		read_drs(dr, &dr6, &dr7);
		for (i = 0; i < 4; i++)
			CHECK(dr[i] == want_dr[i], "DR%d changed to %#x (was "
			      "%#x) after %llu exits", i, dr[i], want_dr[i],
			      exits);
		CHECK((dr6 & DR6_B_MASK) == want_dr6_b, "DR6 B0-3 changed to "
		      "%x (was %x) after %llu exits", dr6 & DR6_B_MASK,
		      want_dr6_b, exits);
		/* Bits 15:8 are reserved or GE/LE/GD, as the CPU keeps them. */
		CHECK((dr7 & 0xffff00ffu) == (want_dr7 & 0xffff00ffu), "DR7 changed to %#x "
		      "(was %#x) after %llu exits", dr7, want_dr7, exits);
		{
			uint32_t cr2;

			asm volatile("mov %%cr2, %0" : "=r"(cr2));
			CHECK(cr2 == want_cr2, "CR2 changed to %#x (was %#x) "
			      "after %llu exits", cr2, want_cr2, exits);
		}
		checks++;
	}
	/* Leave nothing armed. */
	asm volatile("mov %0, %%dr7" : : "r"(0x400u));
	printf("dr_iso: %llu checks over 1.5 s and %llu exits: debug "
	       "registers intact\n", checks, exits);
	printf("dr_iso: CR2 intact\n");
	guest_pass(guest_name);
}
