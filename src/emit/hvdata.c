/* emit/hvdata.c — hvdata.bin: one image holding every SMMUv3 stream table
 * and every guest's stage-2 tables at the physical addresses lower_place
 * chose, to be loaded at place->load_pa (the start of the first hypervisor
 * memory range). Bytes not covered by a table are zero padding. Every
 * pointer inside (S2TTB, L1 stream descriptors, table descriptors) is final
 * (docs/tables.md). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emit/emit.h"
#include "emit/tables.h"

int hvdata_build(struct dtpass_ctx *ctx)
{
    struct placement *p = ctx->place;
    if (!p) {
        diag_fatal(&ctx->diag, NOPOS, "internal error: tables were not placed");
        return -1;
    }
    if (p->image)
        return 0;
    if (p->size > SIZE_MAX) {
        diag_fatal(&ctx->diag, NOPOS, "hvdata image of %llu bytes is too large for this host",
                   (unsigned long long)p->size);
        return -1;
    }
    p->image = xcalloc(p->size ? (size_t)p->size : 1, 1);
    for (size_t i = 0; i < p->nsmmus; i++)
        if (p->smmus[i].version == 3)
            smmuv3_write(p, &p->smmus[i], p->image);
    for (size_t i = 0; i < p->nguests; i++)
        stage2_write(p, &p->guests[i], p->image);
    return 0;
}

int emit_hvdata(struct dtpass_ctx *ctx)
{
    if (hvdata_build(ctx))
        return -1;
    return emit_file(ctx, "hvdata.bin", ctx->place->image, (size_t)ctx->place->size);
}
