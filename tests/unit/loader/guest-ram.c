/*
 * Fake guest RAM for the loader tests (see guest-ram.h).  The fuzz
 * targets (tests/fuzz/) build it without CUnit: GRAM_NO_CUNIT turns the
 * assertions into abort().
 */
#ifdef GRAM_NO_CUNIT
#define CU_ASSERT_FATAL(x)             \
	do {                           \
		if (!(x))              \
			abort();       \
	} while (0)
#else
#include <CUnit/CUnit.h>
#endif
#include <stdlib.h>
#include <string.h>

#include <vmi/errno.h>

#include "guest-ram.h"

static struct gram_region *find(struct gram *g, uint64_t gpa, uint64_t len)
{
	int i;

	for (i = 0; i < g->nr; i++) {
		struct gram_region *r = &g->r[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->size &&
		    len <= r->size - (gpa - r->gpa))
			return r;
	}
	return NULL;
}

static int gram_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	struct gram *g = ctx;
	struct gram_region *r = find(g, gpa, len);

	if (g->fail_at >= 0 && g->writes++ == g->fail_at)
		return -VMI_EFAULT;
	if (!r)
		return -VMI_EFAULT;
	memcpy(r->mem + (gpa - r->gpa), src, len);
	return 0;
}

static int gram_read(void *ctx, uint64_t gpa, void *dst, size_t len)
{
	struct gram_region *r = find(ctx, gpa, len);

	if (!r)
		return -VMI_EFAULT;
	memcpy(dst, r->mem + (gpa - r->gpa), len);
	return 0;
}

const struct guest_mem_ops gram_ops = {
	.write = gram_write,
	.read = gram_read,
};

void gram_init(struct gram *g, uint8_t fill)
{
	memset(g, 0, sizeof(*g));
	g->fail_at = -1;
	g->fill = fill;
	g->env.ops = &gram_ops;
	g->env.ctx = g;
	g->env.ram = g->ram;
	g->env.reserved = g->reserved;
}

void gram_add(struct gram *g, uint64_t gpa, uint64_t size)
{
	struct gram_region *r = &g->r[g->nr++];

	CU_ASSERT_FATAL(g->nr <= GRAM_MAX_REGIONS);
	r->gpa = gpa;
	r->size = size;
	r->mem = malloc(size);
	CU_ASSERT_FATAL(r->mem != NULL);
	memset(r->mem, g->fill, size);
	g->ram[g->env.nr_ram++] =
		(struct guest_mem_range){ gpa, size, GUEST_MEM_RAM, 0 };
}

void gram_reserve(struct gram *g, uint64_t gpa, uint64_t size, uint32_t type)
{
	g->reserved[g->env.nr_reserved++] =
		(struct guest_mem_range){ gpa, size, type, 0 };
}

void gram_default(struct gram *g, uint64_t ram_bytes)
{
	struct guest_mem_range ram[3], res[3];
	size_t nr, nres, i;

	CU_ASSERT_FATAL(
		loader_layout_default(ram_bytes, ram, &nr, res, &nres) == 0);
	for (i = 0; i < nr; i++)
		gram_add(g, ram[i].gpa, ram[i].size);
	for (i = 0; i < nres; i++)
		gram_reserve(g, res[i].gpa, res[i].size, res[i].type);
}

void gram_free(struct gram *g)
{
	int i;

	for (i = 0; i < g->nr; i++)
		free(g->r[i].mem);
	g->nr = 0;
}

uint8_t *gram_ptr(struct gram *g, uint64_t gpa, uint64_t len)
{
	struct gram_region *r = find(g, gpa, len);

	return r ? r->mem + (gpa - r->gpa) : NULL;
}

uint8_t gram_rd8(struct gram *g, uint64_t gpa)
{
	uint8_t *p = gram_ptr(g, gpa, 1);

	CU_ASSERT_FATAL(p != NULL);
	return p[0];
}

uint16_t gram_rd16(struct gram *g, uint64_t gpa)
{
	return (uint16_t)(gram_rd8(g, gpa) | gram_rd8(g, gpa + 1) << 8);
}

uint32_t gram_rd32(struct gram *g, uint64_t gpa)
{
	return gram_rd16(g, gpa) | (uint32_t)gram_rd16(g, gpa + 2) << 16;
}

uint64_t gram_rd64(struct gram *g, uint64_t gpa)
{
	return gram_rd32(g, gpa) | (uint64_t)gram_rd32(g, gpa + 4) << 32;
}
