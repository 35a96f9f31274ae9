/* targets/registry.c — every hypervisor target dtpass knows, as data
 * (targets/target.h). Adding a target is one line here plus its own
 * directory under src/targets/; main.c, --help and `dtpass check --target`
 * take the list from this table. */
#include <string.h>

#include "targets/target.h"
#include "targets/jailhouse/jailhouse.h"
#include "targets/qnx/qnx.h"
#include "targets/xen/xen.h"
#include "util/util.h"

const struct hv_target *const hv_targets[] = {
    &xen_target,
    &qnx_target,
    &jailhouse_target,
};
const size_t hv_targets_len = ARRAY_SIZE(hv_targets);

const struct hv_target *hv_target_find(const char *name, size_t *index)
{
    for (size_t i = 0; i < hv_targets_len; i++)
        if (!strcmp(hv_targets[i]->name, name)) {
            if (index)
                *index = i;
            return hv_targets[i];
        }
    return NULL;
}
