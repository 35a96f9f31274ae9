/* emit/stage2.c — s2-<guest>.bin: a guest's stage-2 translation tables
 * (VMSAv8-64, 4 KiB granule) exactly as they sit in hvdata.bin: the
 * contiguous span from the root table (VTTBR_EL2 / STE S2TTB / SMMUv2
 * TTBR0) to the last next-level table, little-endian descriptors. The
 * tables themselves are built by lower/s2build.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emit/emit.h"
#include "emit/tables.h"

void stage2_write(const struct placement *p, const struct guest_place *gp, uint8_t *image)
{
    uint8_t *dst = image + (gp->pa - p->load_pa);
    for (size_t i = 0; i < gp->ntables * 512; i++)
        put_le64(dst + i * 8, gp->tables[i]);
}

int emit_stage2(struct dtpass_ctx *ctx)
{
    if (hvdata_build(ctx))
        return -1;
    const struct placement *p = ctx->place;
    for (size_t i = 0; i < p->nguests; i++) {
        const struct guest_place *gp = &p->guests[i];
        char *name = xasprintf("s2-%s.bin", gp->g->name);
        int rc = emit_file(ctx, name, p->image + (gp->pa - p->load_pa), (size_t)gp->size);
        free(name);
        if (rc)
            return -1;
    }
    return 0;
}
