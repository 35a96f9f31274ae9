/* resolve/resolve.h — binds the system model to the board: node references
 * (ref-unknown), guest CPU indices, per-device resources (regs as PA and
 * IPA, interrupts as physical -> virtual INTIDs, stream IDs, the DMA-master
 * decision) and shared-region peers. Fills the "resolved" fields of the
 * model; reports only what makes binding impossible. */
#ifndef DTPASS_RESOLVE_H
#define DTPASS_RESOLVE_H

#include "dtpass.h"

int resolve(struct dtpass_ctx *ctx);

/* Fills sys->smmu_limits for every board SMMU (model.h): part of resolve,
 * exported for tests that build a system by hand. */
void resolve_smmu_limits(struct system *sys, const struct board *b);

#endif
