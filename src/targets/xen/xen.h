/* targets/xen/xen.h — target `xen` (docs/xen.md): Xen on Arm, dom0less. */
#ifndef DTPASS_TARGETS_XEN_H
#define DTPASS_TARGETS_XEN_H

#include "targets/target.h"

extern const struct hv_target xen_target;

#endif
