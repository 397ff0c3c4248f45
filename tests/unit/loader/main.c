/* Loader unit tests: Linux boot protocol, multiboot v1/v2, shared code. */
#include "unit.h"

#include "loader-tests.h"

void unit_register(void)
{
	loader_common_tests();
	loader_linux_tests();
	loader_multiboot_tests();
	loader_real_tests();
}

UNIT_MAIN
