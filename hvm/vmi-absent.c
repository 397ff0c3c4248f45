/*
 * Sections of the VMI ABI this hypervisor does not provide yet: CPUID
 * 0x40000003 reports them as version 0, DECLARE refuses them and their
 * calls return -VMI_ENOSYS.
 */
#include "vmi-private.h"

const struct vmi_section vmi_mmu_section = { 0, 0, 0 };
const struct vmi_section vmi_memory_section = { 0, 0, 0 };
