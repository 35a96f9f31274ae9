/* resolve/resolve.h — binds the system model to the board: node references
 * (ref-unknown), guest CPU indices, per-device resources (regs as PA and
 * IPA, interrupts as physical -> virtual INTIDs, stream IDs, the DMA-master
 * decision) and shared-region peers. Fills the "resolved" fields of the
 * model; reports only what makes binding impossible. */
#ifndef DTPASS_RESOLVE_H
#define DTPASS_RESOLVE_H

#include "dtpass.h"

int resolve(struct dtpass_ctx *ctx);

#endif
