/*
 * Helpers shared by the nested page-table test files.
 */
#ifndef TESTS_NESTED_TEST_H
#define TESTS_NESTED_TEST_H

#include <stdint.h>

#include <mm/nested.h>
#include <mm/p2m.h>

#include "fake.h"

const struct nested_fmt *fmt_of(int fmt);
void add_ok(struct p2m *p, uint64_t gfn, uint64_t count, uint64_t mfn,
	    unsigned int type, unsigned int perms);
void std_layout(struct p2m *p);
void check_against(struct nested_pt *pt, struct fake_mem *m, int fmt,
		   const struct p2m *p, uint64_t end);
uint64_t *raw_slot(struct nested_pt *pt, struct fake_mem *m, uint64_t gfn,
		   unsigned int level);

/* nested_fail_test.c: allocation-failure suites. */
void nested_fail_register(void);

#endif
