/* lower/s2build.c — builds one guest's stage-2 translation tables
 * (VMSAv8-64, 4 KiB granule) from its sorted mappings: the start level and
 * root concatenation from ipa-bits, the largest block that fits at each
 * level (1 GiB at level 1, 2 MiB at level 2, 4 KiB pages at level 3), and
 * next-level tables only where a mapping needs them. The cost is linear in
 * the number of descriptors written: a 1 GiB aligned region is one block.
 *
 * Tables are numbered within the guest's span (root tables first); a table
 * descriptor holds its child's number until s2_finalize() turns it into a
 * physical address, once lower_place has put the span in hypervisor memory.
 * The build is deterministic, so the tables need not be kept: lower_place
 * builds them to count them, the emitter builds them again to write them. */
#include <stdlib.h>
#include <string.h>

#include "lower/place.h"

/* Address bits resolved below a level: level 3 -> 12, level 0 -> 39. */
static unsigned level_shift(int level) { return 12u + 9u * (unsigned)(3 - level); }

void s2_geometry(uint32_t ipa_bits, int *start_level, uint32_t *nroot)
{
    /* The root may be up to 16 concatenated tables: ipa_bits - shift <= 13
     * (Arm ARM, "Concatenating translation tables at the initial stage 2
     * lookup"). Prefer the latest start level, i.e. the fewest walks. */
    int level = 2;
    while (level > 0 && ipa_bits > level_shift(level) + 13)
        level--;
    unsigned bits = ipa_bits > level_shift(level) ? ipa_bits - level_shift(level) : 0;
    *start_level = level;
    *nroot = bits > 9 ? 1u << (bits - 9) : 1u;
}

uint32_t s2_ps(uint32_t pa_bits)
{
    static const uint32_t widths[] = {32, 36, 40, 42, 44, 48, 52};
    for (uint32_t i = 0; i < ARRAY_SIZE(widths); i++)
        if (pa_bits <= widths[i])
            return i;
    return 6;
}

uint64_t s2_vtcr(uint32_t ipa_bits, uint32_t pa_bits, int start_level, bool vmid16)
{
    /* VTCR_EL2 (Arm ARM D23): T0SZ [5:0], SL0 [7:6] (4K: 0 = level 2,
     * 1 = level 1, 2 = level 0), IRGN0 [9:8] and ORGN0 [11:10] = 0b01
     * (write-back write-allocate), SH0 [13:12] = 0b11 (inner shareable),
     * TG0 [15:14] = 0b00 (4 KiB), PS [18:16], VS [19] (16-bit VMID),
     * bit 31 RES1. The low 19 bits are also the SMMUv3 STE VTCR field and
     * the SMMUv2 stage-2 context bank TCR. */
    uint64_t v = 0;
    v |= (uint64_t)(64 - ipa_bits) & 0x3f;
    v |= (uint64_t)(2 - start_level) << 6;
    v |= 1ull << 8;
    v |= 1ull << 10;
    v |= 3ull << 12;
    v |= 0ull << 14;
    v |= (uint64_t)s2_ps(pa_bits) << 16;
    if (vmid16)
        v |= 1ull << 19;
    v |= 1ull << 31;
    return v;
}

static uint64_t leaf_attrs(const struct s2_map *m)
{
    uint64_t a = S2_AF;
    if (m->perm & MAP_DEV)
        a |= S2_MEMATTR(S2_MEMATTR_DEVICE_nGnRE);
    else
        a |= S2_MEMATTR(S2_MEMATTR_NORMAL_WB) | S2_SH(S2_SH_INNER);
    a |= S2_AP((m->perm & MAP_W) ? S2_AP_RW : S2_AP_RO);
    if (!(m->perm & MAP_X))
        a |= S2_XN;
    return a;
}

void s2_reserve(struct s2_tables *t, size_t n)
{
    if (t->cap >= n)
        return;
    t->desc = xrealloc(t->desc, n * 512 * sizeof(uint64_t));
    t->levels = xrealloc(t->levels, n);
    t->cap = n;
}

void s2_tables_free(struct s2_tables *t)
{
    free(t->desc);
    free(t->levels);
    memset(t, 0, sizeof(*t));
}

/* A new zeroed 4 KiB table at `level`; returns its number. */
static size_t new_table(struct s2_tables *t, int level)
{
    if (t->n == t->cap)
        s2_reserve(t, t->cap ? t->cap * 2 : 16);
    memset(&t->desc[t->n * 512], 0, 512 * sizeof(uint64_t));
    t->levels[t->n] = (uint8_t)level;
    return t->n++;
}

struct mapper {
    bool limit; /* failed on S2_MAX_TABLES rather than a conflict */
    struct s2_tables *t;
    uint64_t attrs;
    const char *why;
    uint64_t where;
};
/* Maps [ipa, ipa+size) -> pa into the table(s) starting at descriptor
 * `first` (nent descriptors) at `level`. */
static int map_level(struct mapper *mp, size_t first, size_t nent, int level, uint64_t ipa,
                     uint64_t pa, uint64_t size)
{
    struct s2_tables *t = mp->t;
    unsigned shift = level_shift(level);
    uint64_t bsz = 1ull << shift;
    while (size) {
        size_t idx = (size_t)(ipa >> shift) & (nent - 1);
        uint64_t chunk = bsz - (ipa & (bsz - 1));
        if (chunk > size)
            chunk = size;
        uint64_t cur = t->desc[first + idx];
        if (level == 3) {
            uint64_t d = (pa & S2_OA_MASK) | mp->attrs | S2_TABLE | S2_VALID;
            if (cur && cur != d) {
                mp->why = "two mappings of one page differ";
                mp->where = ipa;
                return -1;
            }
            t->desc[first + idx] = d;
        } else if (level >= 1 && chunk == bsz && !(pa & (bsz - 1)) &&
                   (!cur || (cur & (S2_TABLE | S2_VALID)) == S2_VALID)) {
            uint64_t d = (pa & S2_OA_MASK) | mp->attrs | S2_VALID;
            if (cur && cur != d) {
                mp->why = "two mappings of one block differ";
                mp->where = ipa;
                return -1;
            }
            t->desc[first + idx] = d;
        } else {
            if (!cur) {
                if (t->n >= S2_MAX_TABLES) {
                    mp->why = "the stage-2 tables would exceed 128 MiB (S2_MAX_TABLES)";
                    mp->where = ipa;
                    mp->limit = true;
                    return -1;
                }
                size_t nt = new_table(t, level + 1);
                cur = ((uint64_t)nt << 12) | S2_TABLE | S2_VALID;
                t->desc[first + idx] = cur;
            } else if ((cur & (S2_TABLE | S2_VALID)) != (S2_TABLE | S2_VALID)) {
                mp->why = "a mapping overlaps a block of another mapping";
                mp->where = ipa;
                return -1;
            }
            size_t child = (size_t)((cur & S2_OA_MASK) >> 12);
            if (map_level(mp, child * 512, 512, level + 1, ipa, pa, chunk))
                return -1;
        }
        ipa += chunk;
        pa += chunk;
        size -= chunk;
    }
    return 0;
}

int s2_build(const struct guest_place *gp, struct s2_tables *t, const char **why,
             uint64_t *where)
{
    t->n = 0;
    for (uint32_t i = 0; i < gp->nroot; i++)
        new_table(t, gp->start_level);
    struct mapper mp = {.t = t};
    uint64_t ipa_limit = ((uint64_t)gp->nroot * 512) << level_shift(gp->start_level);
    for (size_t i = 0; i < gp->maps.n; i++) {
        const struct s2_map *m = &gp->maps.v[i];
        /* Out-of-range addresses would alias lower entries: refuse them
         * (range-wrap reports them first when the checks run). */
        if (m->ipa >= ipa_limit || m->size > ipa_limit - m->ipa) {
            *why = "a mapping lies beyond the guest address space (ipa-bits)";
            *where = m->ipa;
            return -2;
        }
        if (m->pa > S2_OA_MASK || m->size > (S2_OA_MASK | 0xfff) - m->pa + 1) {
            *why = "a mapping's physical address does not fit 48 bits";
            *where = m->ipa;
            return -2;
        }
        mp.attrs = leaf_attrs(m);
        if (map_level(&mp, 0, (size_t)gp->nroot * 512, gp->start_level, m->ipa, m->pa, m->size)) {
            *why = mp.why;
            *where = mp.where;
            return mp.limit ? -3 : -1;
        }
    }
    return 0;
}

void s2_finalize(const struct guest_place *gp, struct s2_tables *t)
{
    for (size_t k = 0; k < t->n; k++) {
        if (t->levels[k] == 3)
            continue;
        uint64_t *e = &t->desc[k * 512];
        for (size_t i = 0; i < 512; i++) {
            if ((e[i] & (S2_TABLE | S2_VALID)) != (S2_TABLE | S2_VALID))
                continue;
            uint64_t child = (e[i] & S2_OA_MASK) >> 12;
            e[i] = (e[i] & ~S2_OA_MASK) | ((gp->pa + child * 4096) & S2_OA_MASK);
        }
    }
}
