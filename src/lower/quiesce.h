/* lower/quiesce.h — the quiesce plan: per guest, what a hypervisor must do
 * to stop every DMA master of the guest before the guest's memory is
 * scrubbed and reused (a crash, a reboot, a shutdown). Computed once by
 * lower_quiesce() from the resolved model, the board and the placement; the
 * blob (emit/blob.c, docs/dtpb.md sections 15 and 16), the report and
 * every hypervisor target read this structure and decide nothing again.
 *
 * A guest's steps are in the order they must be performed:
 *   1. QS_ABORT_STE / QS_FAULT_S2CR  block the master's DMA at the SMMU
 *      (SMMUv3: make the STEs of its stream IDs abort; SMMUv2: make the
 *      S2CRs of its SMRs fault), so nothing it still has in flight lands;
 *   2. QS_RESET        assert its reset lines (provider + cells),
 *      QS_POWER_OFF    switch off its power domains;
 *   3. QS_HAZARD       a master with none of the above: nothing stops it
 *      (the dma-reset finding), listed so a target can refuse or warn;
 *   4. QS_SCRUB        one per guest: the guest's RAM may now be scrubbed
 *      and the guest restarted (or the RAM given to another owner).
 * Within a kind, steps follow the placement's device order. */
#ifndef DTPASS_QUIESCE_H
#define DTPASS_QUIESCE_H

#include <stddef.h>
#include <stdint.h>

#include "board/board.h"
#include "model/model.h"
#include "util/util.h"

struct dtpass_ctx;

enum qs_kind {
    QS_ABORT_STE = 1,  /* SMMUv3: STEs sid..sid+count-1 -> V=1, Config=abort */
    QS_FAULT_S2CR = 2, /* SMMUv2: S2CR[smr] -> TYPE=fault */
    QS_RESET = 3,      /* assert the reset line provider/cells */
    QS_POWER_OFF = 4,  /* switch off the power domain provider/cells */
    QS_HAZARD = 5,     /* a DMA master nothing above can stop */
    QS_SCRUB = 6,      /* the guest's RAM may be scrubbed and reused */
};

/* Who holds a reset or power provider (a guest index otherwise). */
#define QS_HOLDER_HYP 0xffffffffu    /* the hypervisor keeps it (`hypervisor: devices:`) */
#define QS_HOLDER_NOBODY 0xfffffffeu /* assigned to no one: firmware's, or the hypervisor's to take */
#define QS_NONE 0xffffffffu

struct qs_step {
    enum qs_kind kind;
    uint32_t guest;  /* index in place->guests */
    uint32_t device; /* index in place->devices (the blob's device index); QS_NONE for QS_SCRUB */
    const struct sys_device *dev; /* NULL for QS_SCRUB */
    /* QS_ABORT_STE / QS_FAULT_S2CR */
    uint32_t smmu;   /* index in place->smmus (= board.smmus) */
    uint32_t sid;    /* ABORT_STE: first stream ID; FAULT_S2CR: the SMR/S2CR index */
    uint32_t count;  /* ABORT_STE: stream IDs; FAULT_S2CR: 1 */
    /* QS_RESET / QS_POWER_OFF */
    const struct board_node *provider;
    uint32_t holder;           /* guest index, QS_HOLDER_HYP or QS_HOLDER_NOBODY */
    uint64_t reg_base, reg_size; /* the provider's first register range, 0/0 when it has none */
    uint32_t first_cell, ncells; /* its specifier cells: plan->cells.v[first_cell..] */
};

/* A guest's steps: plan->steps.v[first .. first + n). */
struct qs_guest {
    size_t first, n;
    size_t nmasters;   /* DMA masters of the guest */
    size_t nhazards;   /* of which nothing stops */
};

struct quiesce_plan {
    VEC(struct qs_step) steps; /* guest order, then the step order above */
    VEC(uint32_t) cells;       /* specifier cells of the reset/power steps */
    struct qs_guest *guests;   /* place->nguests */
    size_t nguests;
};

/* Builds ctx->quiesce from ctx->sys, ctx->board and ctx->place (which must
 * exist). Returns 0; the plan reports nothing (the checks did). */
int lower_quiesce(struct dtpass_ctx *ctx);
void quiesce_free(struct quiesce_plan *q);
/* "abort-ste", "fault-s2cr", "reset", "power-off", "hazard", "scrub". */
const char *qs_kind_name(enum qs_kind k);

#endif
