/* SPDX-License-Identifier: MIT */
/*
 * vmi/version.h - the VMI ABI version and the hypervisor's CPUID signature.
 *
 * A guest discovers trivisor through CPUID leaf 0x40000000 (EAX = highest
 * hypervisor leaf, EBX:ECX:EDX = "TrivisorVMI "), then reads the ABI
 * version from leaf 0x40000001 (EAX = major << 16 | minor).  A change of
 * major version is incompatible; minor versions only add.
 */
#ifndef VMI_VERSION_H
#define VMI_VERSION_H

#define VMI_CPUID_BASE 0x40000000u
#define VMI_CPUID_VERSION 0x40000001u

/* "TrivisorVMI " as three little-endian 32-bit words (EBX, ECX, EDX). */
#define VMI_SIGNATURE_EBX 0x76697254u /* "Triv" */
#define VMI_SIGNATURE_ECX 0x726f7369u /* "isor" */
#define VMI_SIGNATURE_EDX 0x20494d56u /* "VMI " */

#define VMI_ABI_MAJOR 1u
#define VMI_ABI_MINOR 0u

#endif /* VMI_VERSION_H */
