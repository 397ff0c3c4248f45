/* The local APIC, in x2APIC mode when the CPU has it, else xAPIC (MMIO). */
#ifndef TRIVISOR_LAPIC_H
#define TRIVISOR_LAPIC_H

#include <stdint.h>
#include <stdbool.h>

void lapic_init_bsp(void); /* maps the APIC, picks the mode */
void lapic_init_this_cpu(void); /* enables it on the calling CPU */
uint32_t lapic_id(void);
bool lapic_x2apic(void);
void lapic_eoi(void);

/* Delivery modes for lapic_send_ipi (SDM vol. 3A, 11.6.1). */
#define APIC_DM_FIXED 0x000
#define APIC_DM_NMI 0x400
#define APIC_DM_INIT 0x500
#define APIC_DM_STARTUP 0x600

void lapic_send_ipi(uint32_t apic_id, uint32_t mode, uint8_t vector);

/* Timer: calibrated once against the PIT, then per-CPU one-shot. */
void lapic_timer_calibrate(void);
uint64_t lapic_timer_hz(void);
void lapic_timer_oneshot(uint64_t ns, uint8_t vector);
void lapic_timer_periodic(uint64_t ns, uint8_t vector);
void lapic_timer_stop(void);

#endif
