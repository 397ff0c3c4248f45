/*
 * loader-private.h - helpers shared by the guest loaders (loader-*.c).
 *
 * Portable: the same includes serve the freestanding hypervisor (whose
 * <string.h> is hypervisor/lib) and the host unit tests.
 */
#ifndef HVM_LOADER_PRIVATE_H
#define HVM_LOADER_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <hvm/loader.h>
#include <vmi/errno.h>

#define LOADER_PAGE_SIZE 0x1000ull
#define LOADER_1M 0x100000ull
#define LOADER_4G 0x100000000ull

/* Room for everything one load claims: segments, modules, info, GDT... */
#define LOADER_MAX_USED (LOADER_MAX_SEGMENTS + LOADER_MAX_MODULES + 8)

/* A claimed [base, end) range of guest-physical memory. */
struct loader_region {
	uint64_t base;
	uint64_t end;
};

/*
 * State of one load.  Lives on the caller's stack for the duration of a
 * loader_*_load() call; used[] lists what has been placed so far so that
 * later allocations avoid it.
 */
struct loader_ctx {
	const struct loader_env *env;
	struct guest_boot_state *bs;
	struct loader_region used[LOADER_MAX_USED];
	unsigned int nr_used;
};

/* Little-endian reads from a buffer the caller has bounds-checked. */
static inline uint16_t loader_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t loader_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static inline uint64_t loader_le64(const uint8_t *p)
{
	return (uint64_t)loader_le32(p) | ((uint64_t)loader_le32(p + 4) << 32);
}

/* True if [off, off + n) lies inside a buffer of len bytes (no overflow). */
static inline bool loader_in_buf(size_t len, uint64_t off, uint64_t n)
{
	return off <= len && n <= len - off;
}

/* align must be a power of two; the result saturates instead of wrapping. */
static inline uint64_t loader_align_up(uint64_t v, uint64_t align)
{
	if (v > UINT64_MAX - (align - 1))
		return UINT64_MAX & ~(align - 1);
	return (v + align - 1) & ~(align - 1);
}

static inline uint64_t loader_align_down(uint64_t v, uint64_t align)
{
	return v & ~(align - 1);
}

/*
 * Start a load: check the environment's layout, clear *bs and record the
 * kind.  Returns 0 or -VMI_EINVAL (with bs->error set).
 */
int loader_ctx_init(struct loader_ctx *lc, const struct loader_env *env,
		    struct guest_boot_state *bs, uint32_t kind);

/* Record why the load failed (first reason wins) and return err. */
int loader_fail(struct loader_ctx *lc, int err, const char *why);

/* Guest memory access through env->ops; failures recorded in bs->error. */
int loader_write(struct loader_ctx *lc, uint64_t gpa, const void *src,
		 size_t len);
int loader_read(struct loader_ctx *lc, uint64_t gpa, void *dst, size_t len);
int loader_zero(struct loader_ctx *lc, uint64_t gpa, uint64_t len);
int loader_put8(struct loader_ctx *lc, uint64_t gpa, uint8_t v);
int loader_put16(struct loader_ctx *lc, uint64_t gpa, uint16_t v);
int loader_put32(struct loader_ctx *lc, uint64_t gpa, uint32_t v);
int loader_put64(struct loader_ctx *lc, uint64_t gpa, uint64_t v);

/* True if [base, base + size) is entirely backed by the env's RAM ranges. */
bool loader_in_ram(const struct loader_env *env, uint64_t base, uint64_t size);
/* True if [base, base + size) touches a reserved window. */
bool loader_hits_reserved(const struct loader_env *env, uint64_t base,
			  uint64_t size);
/* True if [base, base + size) touches a region claimed in this load. */
bool loader_hits_used(const struct loader_ctx *lc, uint64_t base,
		      uint64_t size);

/*
 * Claim [base, base + size) so later allocations avoid it.  The caller has
 * checked it is free.  Returns 0 or -VMI_E2BIG.
 */
int loader_claim(struct loader_ctx *lc, uint64_t base, uint64_t size);

/*
 * Find size bytes aligned to align (a power of two) inside [lo, hi) that are
 * RAM, not reserved and not yet claimed; the highest such address if
 * top_down, else the lowest.  Claims it and stores it in *gpa.  Returns 0
 * or -VMI_ENOMEM (bs->error not set: the caller names what did not fit).
 */
int loader_alloc(struct loader_ctx *lc, uint64_t size, uint64_t align,
		 uint64_t lo, uint64_t hi, bool top_down, uint64_t *gpa);

/*
 * Walk the guest memory map in ascending order: RAM ranges with the
 * reserved windows cut out of them and the windows themselves, adjacent
 * entries of one type merged, holes left out.  fn is called once per entry
 * and may return a negative error to stop the walk.  Returns the number of
 * entries or fn's error.
 */
typedef int (*loader_map_fn)(void *arg, uint64_t base, uint64_t len,
			     uint32_t type);
int loader_map_walk(const struct loader_env *env, loader_map_fn fn, void *arg);

/* KiB of free RAM from 0 (at most 640) and from 1 MiB up to the first hole
 * (multiboot mem_lower / mem_upper). */
uint32_t loader_mem_lower_kb(const struct loader_env *env);
uint32_t loader_mem_upper_kb(const struct loader_env *env);

/*
 * Allocate and write the flat boot GDT below 1 MiB and fill *bs for 32-bit
 * protected mode, paging off, interrupts off, EIP = entry.
 */
int loader_enter_prot32(struct loader_ctx *lc, uint32_t entry);

#endif /* HVM_LOADER_PRIVATE_H */
