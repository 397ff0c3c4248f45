/*
 * Domain configuration files for `tvctl create`: xl.cfg style, one
 * `key = value` per line, `#` starts a comment, strings in double quotes,
 * numbers bare.  Portable; unit-tested in tests/unit/tvconfig.
 */
#ifndef TVCTL_CONFIG_H
#define TVCTL_CONFIG_H

#include <stddef.h>
#include <stdint.h>

struct tv_config {
	char name[32];
	char type[8]; /* hv, pv, bt, auto */
	uint64_t memory_mib;
	unsigned int vcpus;
	char kernel[512];
	char ramdisk[512];
	char cmdline[1024];
};

/*
 * Parse @text into @c (defaults: type auto, memory 64, vcpus 1).  Returns
 * 0, or -1 with a message in @err naming the line, the key, the value and
 * what to write instead.  name and kernel are required.
 */
int tv_config_parse(const char *text, struct tv_config *c, char *err,
		    size_t errlen);

#endif
