/* SPDX-License-Identifier: MIT */
/* vmi/vmi.h - every section of the VMI ABI at once. */
#ifndef VMI_VMI_H
#define VMI_VMI_H

#include "version.h"
#include "errno.h"
#include "core.h"
#include "time.h"
#include "vcpu.h"
#include "event.h"
#include "mmu.h"
#include "memory.h"
#include "console.h"

#endif /* VMI_VMI_H */
