/* checks/status.c — status-disabled: a device given to a guest that the
 * board marks disabled. The guest DT keeps the board's status, so the
 * guest's kernel will not probe it; usually a board overlay was forgotten. */
#include "checks/internal.h"

int check_status_disabled(struct ck *c)
{
    const struct system *s = c->sys;
    for (size_t g = 0; g < s->guests.n; g++)
        for (size_t i = 0; i < s->guests.v[g].devices.n; i++) {
            const struct sys_device *dev = &s->guests.v[g].devices.v[i];
            const struct board_node *n = dev->ref.node;
            if (!n || !n->disabled || c->owner_dev[n->index] != dev)
                continue; /* a second claim is dev-owner's */
            struct board_prop st = board_prop(n, "status");
            struct diag *d = ck_report_sev(
                c, CK_STATUS_DISABLED, SEV_WARNING, dev->ref.pos,
                "%s is assigned to guest %s but the board has status = \"%.*s\": the guest will "
                "not probe it",
                n->path, s->guests.v[g].name,
                st.name && st.len ? (int)strnlen((const char *)st.val, st.len) : 8,
                st.name && st.len ? (const char *)st.val : "disabled");
            ck_node(d, n);
            diag_fix(d, "enable the node in the board (status = \"okay\"), or remove it from "
                        "the guest");
        }
    return 0;
}
