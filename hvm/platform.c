/*
 * The virtual PC of an hv domain.  This first version offers the console
 * UART's transmit side (COM1), the isa-debug-exit port and all-ones for
 * every other port; the interrupt controllers and timers plug in here.
 */
#include <hvm/platform.h>
#include <hvm/loader.h>
#include <trivisor/domain.h>
#include <trivisor/log.h>
#include <vplat-ports.h>

int hvm_platform_create(struct domain *d, char *why, unsigned int why_len)
{
	(void)d, (void)why, (void)why_len;
	return 0;
}

void hvm_platform_destroy(struct domain *d)
{
	(void)d;
}

void hvm_platform_pio(struct vcpu *v, uint16_t port, unsigned int size,
		      bool in, uint32_t *val)
{
	struct domain *d = v->dom;

	if (port == PORT_DEBUG_EXIT && !in) {
		domain_end(d, DOM_END_DEBUG_EXIT, (int)(*val & 0xff), NULL);
		return;
	}
	if (port == PORT_COM1 && !in) {
		char c = (char)*val;

		domain_console(d, &c, 1);
		return;
	}
	if (port == PORT_COM1 + 5 && in) {
		*val = 0x60; /* LSR: transmitter empty */
		return;
	}
	if (in)
		*val = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

bool hvm_platform_is_mmio(struct domain *d, uint64_t gpa)
{
	(void)d;
	return (gpa >> 12) == (LOADER_LAPIC_BASE >> 12) ||
	       (gpa >> 12) == (LOADER_IOAPIC_BASE >> 12);
}

void hvm_platform_mmio(struct vcpu *v, uint64_t gpa, unsigned int size,
		       bool write, uint64_t *val)
{
	(void)v, (void)gpa, (void)size;
	if (!write)
		*val = ~0ull;
}

int hvm_platform_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	(void)v, (void)msr, (void)write, (void)val;
	return 0;
}

uint64_t hvm_platform_tick(struct vcpu *v, uint64_t now)
{
	(void)v, (void)now;
	return UINT64_MAX;
}

int hvm_platform_pending(struct vcpu *v, bool *nmi)
{
	(void)v;
	*nmi = false;
	return -1;
}

void hvm_platform_ack(struct vcpu *v, int vector)
{
	(void)v, (void)vector;
}

bool hvm_platform_wake(struct vcpu *v)
{
	return v->kicked;
}

bool hvm_platform_take_sipi(struct vcpu *v, uint8_t *vector)
{
	(void)v, (void)vector;
	return false;
}

bool hvm_platform_x2apic(void)
{
	return false;
}

bool hvm_platform_tsc_deadline(void)
{
	return false;
}

uint32_t hvm_platform_apic_bus_khz(void)
{
	return 0;
}
