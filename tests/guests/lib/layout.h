/*
 * layout.h - constants shared by the assembly and C parts of the library.
 */
#ifndef GUEST_LAYOUT_H
#define GUEST_LAYOUT_H

#define GUEST_MAX_CPUS 8

/* Selectors of the library's GDT (trap.c builds it). */
#define SEL_CODE32 0x08
#define SEL_DATA32 0x10
#define SEL_CODE16 0x18
#define SEL_DATA16 0x20
#define SEL_CODE64 0x28
#define SEL_SPARE0 0x30 /* free for tests: gdt_set_data_segment() */
#define SEL_SPARE1 0x38
#define SEL_PERCPU(i) (0x40 + 8 * (i)) /* %fs of CPU i */
#define GDT_ENTRIES (8 + GUEST_MAX_CPUS)
#define GDT_LIMIT (8 * GDT_ENTRIES - 1)

/* Real-mode start page for the APs (STARTUP IPI vector 0x08). */
#define AP_TRAMPOLINE 0x8000

#define STACK_SIZE 16384

#endif /* GUEST_LAYOUT_H */
