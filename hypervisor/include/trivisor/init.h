/* Boot-time entry points that tie the hypervisor's pieces together. */
#ifndef TRIVISOR_INIT_H
#define TRIVISOR_INIT_H

#include <stdint.h>
#include <stdbool.h>

struct percpu;

void hv_start(uint32_t magic, uint32_t mbi_pa);
void ap_entry(unsigned int cpu);
/* GS base, GDT, TSS and IDT of the calling CPU. */
void cpu_init_common(unsigned int cpu);
void gdt_load_this_cpu(struct percpu *pc);
/* Route the log to @port, or nowhere when !@enabled. */
void console_configure(uint16_t port, bool enabled);
/* Log what cmdline_parse() rejected, once the console is up. */
void cmdline_report(void);
/* Remap the 8259A PICs away from the exception vectors and mask them. */
void pic_disable(void);

#endif
