/*
 * vmi-call.h - calling the VMI ROM from a 32-bit guest test kernel
 * (docs/vmi-abi.md section 3: arguments in EBX, ECX, EDX, ESI, EDI, the
 * result in EAX).  Each test kernel that includes it gets its own ROM
 * page, vmi_rom, which it names to the hypervisor through VMI_MSR_ROM.
 */
#ifndef GUEST_VMI_CALL_H
#define GUEST_VMI_CALL_H

#include "guest.h"
#include <vmi/vmi.h>

static uint8_t vmi_rom[4096] __attribute__((aligned(4096)));

/* A call with up to three arguments. */
static inline int32_t vmi_call(uint32_t call, uint32_t a0, uint32_t a1,
			       uint32_t a2)
{
	uintptr_t entry = (uintptr_t)vmi_rom + VMI_ROM_ENTRY(call);
	int32_t ret;

	asm volatile("call *%[entry]"
		     : "=a"(ret), "+b"(a0), "+c"(a1), "+d"(a2)
		     : [entry] "r"(entry)
		     : "memory", "cc");
	return ret;
}

/* Fail the test unless @call_expr returns @want. */
#define EXPECT(call_expr, want)                                             \
	do {                                                                \
		int32_t got_ = (call_expr);                                 \
		CHECK(got_ == (int32_t)(want), "%s returned %d, expected %d", \
		      #call_expr, got_, (int32_t)(want));                  \
	} while (0)

#endif
