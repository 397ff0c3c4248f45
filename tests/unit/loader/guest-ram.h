/*
 * guest-ram.h - a fake guest-physical address space for the loader tests:
 * a few malloc'd RAM regions reached through struct guest_mem_ops, with
 * fault injection.
 */
#ifndef TESTS_LOADER_GUEST_RAM_H
#define TESTS_LOADER_GUEST_RAM_H

#include <stddef.h>
#include <stdint.h>

#include <hvm/loader.h>

#define GRAM_MAX_REGIONS 8

struct gram_region {
	uint64_t gpa, size;
	uint8_t *mem;
};

struct gram {
	struct gram_region r[GRAM_MAX_REGIONS];
	int nr;
	long writes; /* write calls so far */
	long fail_at; /* fail the write call with this index (-1: never) */
	uint8_t fill; /* initial content of new regions */
	struct guest_mem_range ram[GRAM_MAX_REGIONS + 160];
	struct guest_mem_range reserved[160];
	struct loader_env env;
};

extern const struct guest_mem_ops gram_ops;

/* Empty address space; regions start filled with fill. */
void gram_init(struct gram *g, uint8_t fill);
/* Back [gpa, gpa + size) and list it as RAM in g->env. */
void gram_add(struct gram *g, uint64_t gpa, uint64_t size);
/* Add a reserved window to g->env (not backed unless also added). */
void gram_reserve(struct gram *g, uint64_t gpa, uint64_t size, uint32_t type);
/* Back the standard layout for ram_bytes (loader_layout_default). */
void gram_default(struct gram *g, uint64_t ram_bytes);
void gram_free(struct gram *g);
/* Host pointer to [gpa, gpa + len), or NULL if not backed. */
uint8_t *gram_ptr(struct gram *g, uint64_t gpa, uint64_t len);
uint32_t gram_rd32(struct gram *g, uint64_t gpa);
uint64_t gram_rd64(struct gram *g, uint64_t gpa);
uint16_t gram_rd16(struct gram *g, uint64_t gpa);
uint8_t gram_rd8(struct gram *g, uint64_t gpa);

#endif
