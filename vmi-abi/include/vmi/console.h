/* SPDX-License-Identifier: MIT */
/*
 * vmi/console.h - the early console.  Section "console", version 1.0.
 *
 * Bytes written reach the domain's console as its serial port's output
 * does (the hypervisor log, the toolstack's console); bytes typed at the
 * toolstack's console are read here, and VIRQ VMI_VIRQ_CONSOLE says when
 * some are waiting.
 */
#ifndef VMI_CONSOLE_H
#define VMI_CONSOLE_H

#include <stdint.h>
#include "version.h"

#define VMI_CONSOLE_MAX 4096u

/* Call numbers 96-111. */
/* (buf_gpa, len) -> len written.  -VMI_EFAULT, -VMI_E2BIG above
 * VMI_CONSOLE_MAX. */
#define VMI_CALL_CONSOLE_WRITE 96u
/* (buf_gpa, len) -> bytes read, 0 when none are waiting. */
#define VMI_CALL_CONSOLE_READ 97u
/* 98-111: reserved.  112-127: reserved for future sections. */

#endif /* VMI_CONSOLE_H */
