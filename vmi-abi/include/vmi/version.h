/* SPDX-License-Identifier: MIT */
/*
 * vmi/version.h - the VMI ABI version and the hypervisor's CPUID signature.
 *
 * A guest discovers trivisor through CPUID leaf 0x40000000 (EAX = highest
 * hypervisor leaf, EBX:ECX:EDX = "TrivisorVMI "), then reads the ABI
 * version from leaf 0x40000001 (EAX = major << 16 | minor).  A change of
 * major version is incompatible; minor versions only add.  The whole
 * discovery protocol is in vmi/core.h and docs/vmi-abi.md.
 *
 * Interface versions: a guest defines VMI_INTERFACE_VERSION to the
 * (major << 16 | minor) it was written against before including any VMI
 * header; it gets the definitions of that version.  Asking for a version
 * newer than these headers know is an error at compile time.  Without a
 * definition a guest gets VMI_LATEST_INTERFACE_VERSION.
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

#define VMI_VERSION(major, minor) (((major) << 16) | (minor))
#define VMI_LATEST_INTERFACE_VERSION VMI_VERSION(1u, 0u)

#ifndef VMI_INTERFACE_VERSION
#define VMI_INTERFACE_VERSION VMI_LATEST_INTERFACE_VERSION
#endif
#if VMI_INTERFACE_VERSION > VMI_LATEST_INTERFACE_VERSION
#error "VMI_INTERFACE_VERSION is newer than these headers (vmi/version.h)"
#endif

/*
 * Compile-time layout checks that work in C89, C99 and C++: a negative
 * array size when @cond is false.
 */
#define VMI_CHECK_CAT2(a, b) a##b
#define VMI_CHECK_CAT(a, b) VMI_CHECK_CAT2(a, b)
#define VMI_STATIC_ASSERT(cond, name) \
	typedef char VMI_CHECK_CAT(vmi_check_, name)[(cond) ? 1 : -1]

#endif /* VMI_VERSION_H */
