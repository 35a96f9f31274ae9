/* targets/qnx/qnx.h — target `qnx` (docs/qnx.md): the QNX Hypervisor. */
#ifndef DTPASS_TARGETS_QNX_H
#define DTPASS_TARGETS_QNX_H

#include "targets/target.h"

extern const struct hv_target qnx_target;

#endif
