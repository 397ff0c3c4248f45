/* Shared fake guests and checks of the loader fuzz targets (loader-fuzz.h). */
#include <stdio.h>
#include <stdlib.h>

#include <hvm/acpi-build.h>
#include <vmi/errno.h>

#include "../unit/loader/guest-ram.h"
#include "loader-fuzz.h"

struct fuzz_guest {
	struct gram g;
	struct loader_env env;
};

static const uint64_t guest_ram[FUZZ_NR_GUESTS] = { 64ull << 20, 2ull << 20 };
static struct fuzz_guest guests[FUZZ_NR_GUESTS];
static struct fuzz_guest *cur; /* the guest of the load being checked */

static void fail(const char *what, uint64_t gpa, uint64_t len)
{
	fprintf(stderr, "loader fuzz: %s at %#llx+%#llx (guest %d)\n", what,
		(unsigned long long)gpa, (unsigned long long)len,
		cur ? (int)(cur - guests) : -1);
	abort();
}

static bool in_one_ram_range(const struct loader_env *env, uint64_t gpa,
			     uint64_t len)
{
	for (size_t i = 0; i < env->nr_ram; i++) {
		const struct guest_mem_range *r = &env->ram[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->size &&
		    len <= r->size - (gpa - r->gpa))
			return true;
	}
	return false;
}

static bool hits_reserved(const struct loader_env *env, uint64_t gpa,
			  uint64_t len)
{
	for (size_t i = 0; i < env->nr_reserved; i++) {
		const struct guest_mem_range *r = &env->reserved[i];

		if (len && gpa < r->gpa + r->size && r->gpa < gpa + len)
			return true;
	}
	return false;
}

static int strict_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	struct fuzz_guest *fg = ctx;

	cur = fg;
	if (gpa + len < gpa || !in_one_ram_range(&fg->env, gpa, len))
		fail("write outside guest RAM", gpa, len);
	if (hits_reserved(&fg->env, gpa, len))
		fail("write into a reserved window", gpa, len);
	return gram_ops.write(&fg->g, gpa, src, len);
}

static int any_read(void *ctx, uint64_t gpa, void *dst, size_t len)
{
	struct fuzz_guest *fg = ctx;

	return gram_ops.read(&fg->g, gpa, dst, len);
}

static const struct guest_mem_ops strict_ops = {
	.write = strict_write,
	.read = any_read,
};

const struct loader_env *fuzz_guest(unsigned int i)
{
	struct fuzz_guest *fg = &guests[i % FUZZ_NR_GUESTS];
	struct acpi_build_config cfg;

	cur = fg;
	if (fg->env.ops)
		return &fg->env;
	gram_init(&fg->g, 0xaa);
	gram_default(&fg->g, guest_ram[i % FUZZ_NR_GUESTS]);
	acpi_build_default_config(&cfg, 2);
	if (acpi_build_tables(&gram_ops, &fg->g, &cfg, NULL))
		abort();
	fg->env = fg->g.env;
	fg->env.ops = &strict_ops;
	fg->env.ctx = fg;
	fg->env.rsdp_gpa = ACPI_BUILD_RSDP_GPA;
	return &fg->env;
}

uint8_t *fuzz_guest_ptr(const struct loader_env *env, uint64_t gpa,
			uint64_t len)
{
	struct fuzz_guest *fg = env->ctx;

	return gram_ptr(&fg->g, gpa, len);
}

static void check_placed(const struct loader_env *env, const char *what,
			 uint64_t gpa, uint64_t len)
{
	uint64_t i, off;

	if (!len)
		return;
	/* RAM ranges may be several: check page by page. */
	for (i = 0; i < len; i += off) {
		off = 0x1000 - ((gpa + i) & 0xfff);
		if (off > len - i)
			off = len - i;
		if (!in_one_ram_range(env, gpa + i, off))
			fail(what, gpa, len);
	}
}

void fuzz_check_load(const struct loader_env *env, int ret,
		     const struct guest_boot_state *bs)
{
	const struct loader_placement *pl = &bs->placed;

	cur = env->ctx;
	switch (ret) {
	case 0:
		if (bs->error)
			fail("success with an error string", 0, 0);
		/* A multiboot kernel_size spans all segments, holes
		 * between them included; Linux's is one range. */
		if (pl->kind == LOADER_KIND_LINUX)
			check_placed(env, "kernel placed outside RAM",
				     pl->kernel_gpa, pl->kernel_size);
		check_placed(env, "initrd placed outside RAM", pl->initrd_gpa,
			     pl->initrd_size);
		check_placed(env, "boot info placed outside RAM", pl->info_gpa,
			     pl->info_size);
		if (bs->mode != GUEST_BOOT_MODE_PROT32 || bs->rip >> 32)
			fail("bad entry state", bs->rip, 0);
		return;
	case -VMI_EINVAL:
	case -VMI_EOPNOTSUPP:
	case -VMI_ENOMEM:
	case -VMI_ERANGE:
	case -VMI_E2BIG:
		if (!bs->error)
			fail("failure without a reason", 0, (uint64_t)-ret);
		return;
	default:
		/* -VMI_EFAULT cannot come from strict_write: it aborts. */
		fail("unexpected error code", 0, (uint64_t)-ret);
	}
}
