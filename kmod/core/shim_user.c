// SPDX-License-Identifier: GPL-2.0
/* Userspace-only definitions for the core shim (not built into the module). */
#ifndef __KERNEL__
#include "shim.h"

void *(*bt_alloc_hook)(size_t size) = NULL;
#endif /* __KERNEL__ */
