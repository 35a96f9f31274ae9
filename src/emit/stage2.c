/* emit/stage2.c — s2-<guest>.bin: a guest's stage-2 translation tables
 * (VMSAv8-64, 4 KiB granule) exactly as they sit in hvdata.bin: the
 * contiguous span from the root table (VTTBR_EL2 / STE S2TTB / SMMUv2
 * TTBR0) to the last next-level table, little-endian descriptors. The
 * tables themselves are built by lower/s2build.c — again here, one guest
 * at a time, since lower_place keeps only their count; emit_tables
 * (hvdata.c) writes the span to this file and to hvdata.bin at once. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emit/emit.h"
#include "emit/tables.h"

int stage2_stream(struct dtpass_ctx *ctx, const struct guest_place *gp, struct s2_tables *t,
                  struct tab_writer *w)
{
    const char *why = NULL;
    uint64_t where = 0;
    s2_reserve(t, gp->ntables);
    if (s2_build(gp, t, &why, &where) || t->n != gp->ntables) {
        diag_fatal(&ctx->diag, NOPOS,
                   "internal error: the stage-2 tables of guest '%s' changed after placement",
                   gp->g->name);
        return -1;
    }
    s2_finalize(gp, t);
    uint8_t page[4096];
    for (size_t k = 0; k < t->n; k++) {
        const uint64_t *e = &t->desc[k * 512];
        for (size_t i = 0; i < 512; i++)
            put_le64(page + i * 8, e[i]);
        if (tab_write(w, page, sizeof(page)))
            return -1;
    }
    return 0;
}
