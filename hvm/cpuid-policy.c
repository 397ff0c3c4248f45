/*
 * CPUID policy for hv guests.  Bits are whitelisted, not blacklisted, so a
 * newer host CPU never leaks a feature trivisor does not handle (XSAVE
 * state, MCE MSRs, performance counters, nested virtualization, ...).
 * Leaf numbers and bits: Intel SDM vol. 2A "CPUID"; AMD APM vol. 3,
 * appendix E.
 */
#include <hvm/cpuid-policy.h>
#include <vmi/version.h>
#include <vmi/core.h>
#include <string.h>

#define BIT(n) (1u << (n))

/* Leaf 1 EDX: FPU VME DE PSE TSC MSR PAE CX8 APIC SEP PGE CMOV PAT PSE36
 * CLFSH MMX FXSR SSE SSE2 HTT.  MCE/MCA/MTRR/DS/ACPI/TM/PBE are left out:
 * their MSRs are not emulated. */
#define L1_EDX                                                               \
	(BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) |      \
	 BIT(8) | BIT(9) | BIT(11) | BIT(13) | BIT(15) | BIT(16) | BIT(17) |  \
	 BIT(19) | BIT(23) | BIT(24) | BIT(25) | BIT(26) | BIT(28))
/* Leaf 1 ECX: SSE3 PCLMUL SSSE3 FMA? no (VEX needs XSAVE) CX16 SSE4.1
 * SSE4.2 MOVBE POPCNT AES RDRAND. */
#define L1_ECX                                                               \
	(BIT(0) | BIT(1) | BIT(9) | BIT(13) | BIT(19) | BIT(20) | BIT(22) |  \
	 BIT(23) | BIT(25) | BIT(30))
/* Leaf 7.0 EBX: FSGSBASE BMI1 SMEP BMI2 ERMS ADX SMAP CLFLUSHOPT. */
#define L7_EBX                                                               \
	(BIT(0) | BIT(3) | BIT(7) | BIT(8) | BIT(9) | BIT(19) | BIT(20) |    \
	 BIT(23))
/* 0x80000001 ECX: LAHF CmpLegacy ABM SSE4A MisAlignSse 3DNowPrefetch. */
#define E1_ECX (BIT(0) | BIT(1) | BIT(5) | BIT(6) | BIT(7) | BIT(8))
/* 0x80000001 EDX: the leaf-1 subset AMD repeats, SYSCALL NX MMXExt
 * Page1GB LM 3DNowExt 3DNow.  RDTSCP is intercepted and refused. */
#define E1_EDX                                                               \
	((L1_EDX & ~(BIT(28) | BIT(19) | BIT(25) | BIT(26))) | BIT(11) |     \
	 BIT(20) | BIT(22) | BIT(26) | BIT(29) | BIT(30) | BIT(31))

/* Leaf 1 ECX bits that come with XSAVE: XSAVE itself, and with AVX state
 * FMA, AVX and F16C.  OSXSAVE (27) mirrors the guest's CR4. */
#define L1_ECX_XSAVE BIT(26)
#define L1_ECX_OSXSAVE BIT(27)
#define L1_ECX_AVX (BIT(12) | BIT(28) | BIT(29))
/* Leaf 7.0 EBX: AVX2 with AVX state; AVX512F, DQ, CD, BW, VL with
 * AVX-512 state. */
#define L7_EBX_AVX BIT(5)
#define L7_EBX_AVX512 (BIT(16) | BIT(17) | BIT(28) | BIT(30) | BIT(31))
#define XCR0_X87 1ull
#define XCR0_SSE 2ull
#define XCR0_AVX 4ull
#define XCR0_AVX512 0xe0ull

bool hvm_xcr0_valid(uint64_t max, uint64_t val)
{
	if (val & ~max || !(val & XCR0_X87))
		return false;
	if (val & XCR0_AVX && !(val & XCR0_SSE))
		return false;
	if (val & XCR0_AVX512 &&
	    ((val & XCR0_AVX512) != XCR0_AVX512 || !(val & XCR0_AVX)))
		return false;
	return true;
}

/* Bytes of an XSAVE area for the components in MASK: the legacy area and
 * header, then each extended component at its host offset (leaf 0DH
 * subleaf i: EAX size, EBX offset). */
static uint32_t xsave_size(const struct hvm_cpu_io *host, uint64_t mask)
{
	uint32_t size = 512 + 64, r[4];

	for (unsigned int i = 2; i < 64; i++) {
		if (!(mask >> i & 1))
			continue;
		host->cpuid(host->ctx, 0xd, i, r);
		if (r[0] + r[1] > size)
			size = r[0] + r[1];
	}
	return size;
}

void hvm_cpuid_policy(const struct hvm_cpu_io *host,
		      const struct cpuid_guest *g, uint32_t leaf,
		      uint32_t subleaf, uint32_t out[4])
{
	uint32_t h[4], max;

	memset(out, 0, 16);
	if (leaf >= VMI_CPUID_BASE && leaf < VMI_CPUID_BASE + 0x100) {
		switch (leaf - VMI_CPUID_BASE) {
		case 0:
			out[0] = VMI_CPUID_BASE + 0x10;
			out[1] = VMI_SIGNATURE_EBX;
			out[2] = VMI_SIGNATURE_ECX;
			out[3] = VMI_SIGNATURE_EDX;
			break;
		case 1: /* version 0: VMI hidden (an hv domain) */
			if (!g->vmi)
				break;
			out[0] = (VMI_ABI_MAJOR << 16) | VMI_ABI_MINOR;
			out[1] = g->vmi_container;
			break;
		case 2: /* the ROM MSR, its size, the feature words */
			if (!g->vmi)
				break;
			out[0] = VMI_MSR_ROM;
			out[1] = 1;
			out[2] = g->vmi_features;
			break;
		case 3: /* section versions, two per register */
			if (!g->vmi)
				break;
			memcpy(out, g->vmi_sections, 16);
			break;
		case 0x10: /* TSC and LAPIC timer frequencies in kHz */
			out[0] = g->tsc_khz;
			out[1] = g->apic_bus_khz;
			break;
		}
		return;
	}

	host->cpuid(host->ctx, leaf & 0x80000000u, 0, h);
	max = h[0];
	if (leaf > max || (leaf < 0x80000000u && leaf > 0xd) ||
	    (leaf >= 0x80000000u && leaf > 0x80000008u))
		return;
	host->cpuid(host->ctx, leaf, subleaf, h);

	switch (leaf) {
	case 0:
		out[0] = max < 0xd ? max : 0xd;
		out[1] = h[1], out[2] = h[2], out[3] = h[3];
		break;
	case 1:
		out[0] = h[0];
		/* EBX: initial APIC id, logical processor count, CLFLUSH. */
		out[1] = (h[1] & 0xff00u) | ((uint32_t)g->vcpu_id << 24) |
			 ((g->nr_vcpus & 0xffu) << 16);
		out[2] = (h[2] & L1_ECX) | BIT(31) /* hypervisor */;
		if (g->x2apic)
			out[2] |= BIT(21);
		if (g->tsc_deadline)
			out[2] |= BIT(24);
		if (g->xcr0_max) {
			out[2] |= L1_ECX_XSAVE;
			if (g->osxsave)
				out[2] |= L1_ECX_OSXSAVE;
			if (g->xcr0_max & XCR0_AVX)
				out[2] |= h[2] & L1_ECX_AVX;
		}
		out[3] = h[3] & L1_EDX;
		break;
	case 7:
		if (subleaf == 0) {
			out[1] = h[1] & L7_EBX;
			if (g->xcr0_max & XCR0_AVX)
				out[1] |= h[1] & L7_EBX_AVX;
			if (g->xcr0_max & XCR0_AVX512)
				out[1] |= h[1] & L7_EBX_AVX512;
		}
		break;
	case 0xd:
		/* XSAVE (SDM vol. 2A, CPUID leaf 0DH): subleaf 0 the XCR0
		 * components offered and the area sizes for the current and
		 * the largest XCR0; subleaf 1 only XSAVEOPT (XSAVEC, XGETBV1
		 * and XSAVES are not offered); subleaf i of each offered
		 * component its host size and offset. */
		if (!g->xcr0_max)
			break;
		if (subleaf == 0) {
			out[0] = (uint32_t)g->xcr0_max;
			out[1] = xsave_size(host, g->xcr0);
			out[2] = xsave_size(host, g->xcr0_max);
			out[3] = (uint32_t)(g->xcr0_max >> 32);
		} else if (subleaf == 1) {
			out[0] = h[0] & BIT(0);
		} else if (subleaf < 64 && (g->xcr0_max >> subleaf & 1)) {
			out[0] = h[0];
			out[1] = h[1];
		}
		break;
	case 0xb:
		/* Extended topology (SDM vol. 2A, CPUID leaf 0BH): EDX is the
		 * x2APIC ID at every subleaf, so it must be the ID the vLAPIC
		 * reports (vcpu_id); an all-zero leaf would give every vCPU
		 * x2APIC ID 0.  One thread per core, nr_vcpus cores in one
		 * package: level 0 (SMT) has 1 logical processor and shift 0,
		 * level 1 (core) shifts past the vCPU numbers; subleaf 2 and
		 * up are invalid (type 0, ECX[7:0] the subleaf). */
		out[3] = g->vcpu_id;
		if (subleaf == 0) {
			out[0] = 0;
			out[1] = 1;
			out[2] = 1u << 8;
		} else if (subleaf == 1) {
			unsigned int shift = 0;

			while ((1u << shift) < g->nr_vcpus && shift < 31)
				shift++;
			out[0] = shift;
			out[1] = g->nr_vcpus & 0xffffu;
			out[2] = 2u << 8 | 1;
		} else {
			out[2] = subleaf & 0xffu;
		}
		break;
	case 0x80000000u:
		out[0] = max < 0x80000008u ? max : 0x80000008u;
		out[1] = h[1], out[2] = h[2], out[3] = h[3];
		break;
	case 0x80000001u:
		out[0] = h[0];
		out[2] = h[2] & E1_ECX;
		out[3] = h[3] & E1_EDX;
		break;
	case 0x80000002u:
	case 0x80000003u:
	case 0x80000004u:
	case 0x80000005u:
	case 0x80000006u:
		memcpy(out, h, 16); /* brand string, caches */
		break;
	case 0x80000007u:
		out[3] = h[3] & BIT(8); /* invariant TSC, if the host has it */
		break;
	case 0x80000008u:
		out[0] = h[0] & 0xffffu; /* physical/virtual address sizes */
		out[2] = (g->nr_vcpus - 1) & 0xffu;
		break;
	default:
		break; /* 2-6, 8-0xa, 0xc: nothing offered */
	}
}
