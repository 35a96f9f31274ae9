/* lower/lower.h — from the checked model to what the emitters write:
 * per-guest device trees carved from the board (guest_tree.c) and the
 * placement of every table inside hypervisor memory (place.c). */
#ifndef DTPASS_LOWER_H
#define DTPASS_LOWER_H

#include "dtpass.h"

int lower_guest_trees(struct dtpass_ctx *ctx);
int lower_place(struct dtpass_ctx *ctx);
void lower_free(struct dtpass_ctx *ctx);

#endif
