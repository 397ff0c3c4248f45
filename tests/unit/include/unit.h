/*
 * Common main() for CUnit suites: every test binary registers its suites
 * through unit_register() and gets the same runner and exit status.
 */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

/* Defined by each test binary: add its suites to the registry. */
void unit_register(void);

#define UNIT_MAIN                                                            \
	int main(void)                                                       \
	{                                                                    \
		unsigned int failed;                                         \
		if (CU_initialize_registry() != CUE_SUCCESS)                 \
			return 2;                                            \
		unit_register();                                             \
		if (CU_get_error() != CUE_SUCCESS) {                         \
			fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());  \
			return 2;                                            \
		}                                                            \
		CU_basic_set_mode(CU_BRM_VERBOSE);                           \
		CU_basic_run_tests();                                        \
		failed = CU_get_number_of_tests_failed();                    \
		CU_cleanup_registry();                                       \
		return failed ? 1 : 0;                                       \
	}

#endif
