/* checks/mmio.c — device registers: mmio-page-shared (devices of different
 * owners inside one 4 KiB page, the stage-2 granule) and mmio-in-ram
 * (device registers inside memory given to a guest). Both sort and sweep. */
#include <inttypes.h>

#include "checks/internal.h"

/* The GIC and the SMMUs are the hypervisor's even when the system does not
 * say so: it programs them to enforce the partition. */
static uint32_t implicit_owner(const struct ck *c, const struct board_node *n)
{
    if (c->owner[n->index] != OWNER_NONE)
        return c->owner[n->index];
    if (n == c->b->gic.node || board_smmu_of(c->b, n))
        return OWNER_HYP;
    return OWNER_NONE;
}

struct page_arg {
    struct ck *c;
    const struct board_node **nodes; /* by ival idx */
};

static struct srcpos claim_pos(const struct ck *c, const struct board_node *n)
{
    const struct sys_ref *r = c->owner_ref[n->index];
    return r ? r->pos : NOPOS;
}

static void page_pair(void *arg, const struct ck_ival *a, const struct ck_ival *b)
{
    struct page_arg *pa = arg;
    struct ck *c = pa->c;
    const struct board_node *x = pa->nodes[b->idx], *y = pa->nodes[a->idx];
    uint32_t ox = (uint32_t)b->owner, oy = (uint32_t)a->owner;
    if (!c->owner_ref[x->index] && c->owner_ref[y->index]) { /* point at a written claim */
        const struct board_node *t = x;
        x = y;
        y = t;
        uint32_t to = ox;
        ox = oy;
        oy = to;
    }
    uint64_t page = (a->lo > b->lo ? a->lo : b->lo);
    char ownx[64], owny[64];
    ck_owner_str(c, ox, ownx, sizeof(ownx));
    ck_owner_str(c, oy, owny, sizeof(owny));
    struct diag *d = ck_report(c, "mmio-page-shared", claim_pos(c, x),
                               "%s (%s) and %s (%s) share the 4 KiB page 0x%" PRIx64
                               ": stage 2 cannot give them to different owners",
                               x->path, ownx, y->path, owny, page);
    ck_node(d, x);
    ck_node(d, y);
    if (c->owner_ref[y->index])
        ck_note(d, claim_pos(c, y), y, "%s is given to %s here", y->path, owny);
    diag_fix(d, "give every device of page 0x%" PRIx64 " to one owner", page);
}

size_t ck_page_ivals(const struct ck *c, struct ck_ival **iv_out, const struct board_node ***nodes_out)
{
    const struct board *b = c->b;
    VEC(struct ck_ival) iv = {0};
    VEC(const struct board_node *) nv = {0};
    for (uint32_t i = 0; i < b->nnodes; i++) {
        const struct board_node *n = b->nodes[i];
        uint32_t o = implicit_owner(c, n);
        if (o == OWNER_NONE)
            continue;
        for (uint32_t r = 0; r < n->nmmio; r++) {
            uint64_t hi;
            if (!range_end(n->mmio[r].base, n->mmio[r].size, &hi))
                continue;
            VEC_PUSH(&iv, ((struct ck_ival){n->mmio[r].base & ~(CK_PAGE - 1), hi | (CK_PAGE - 1),
                                            o, 0, (uint32_t)nv.n}));
        }
        VEC_PUSH(&nv, n);
    }
    *iv_out = iv.v;
    *nodes_out = nv.v;
    return iv.n;
}

int check_mmio_page_shared(struct ck *c)
{
    struct ck_ival *iv;
    const struct board_node **nodes;
    size_t n = ck_page_ivals(c, &iv, &nodes);
    struct page_arg pa = {c, nodes};
    ck_sweep(iv, n, page_pair, &pa);
    free(iv);
    free(nodes);
    return 0;
}

/* --- mmio-in-ram ------------------------------------------------------------ */

/* Guest memory and shared regions (a few hundred ranges) are sorted and
 * merged by owner-free position; every device range (tens of thousands) is
 * then looked up by binary search: O(n log m), no big sort. */
struct ram_item {
    uint64_t lo, hi;
    struct srcpos pos;
    const char *owner; /* guest or shared region name */
    bool shared;
};

static int ram_cmp(const void *pa, const void *pb)
{
    const struct ram_item *a = pa, *b = pb;
    return a->lo < b->lo ? -1 : a->lo > b->lo;
}

int check_mmio_in_ram(struct ck *c)
{
    const struct system *s = c->sys;
    const struct board *b = c->b;
    VEC(struct ram_item) items = {0};
    for (size_t g = 0; g < s->guests.n; g++)
        for (size_t i = 0; i < s->guests.v[g].memory.n; i++) {
            const struct sys_mem *m = &s->guests.v[g].memory.v[i];
            uint64_t hi;
            if (range_end(m->base, m->size, &hi))
                VEC_PUSH(&items, ((struct ram_item){m->base, hi, m->pos, s->guests.v[g].name, false}));
        }
    for (size_t i = 0; i < s->shared.n; i++) {
        const struct sys_shared *sh = &s->shared.v[i];
        uint64_t hi;
        if (range_end(sh->base, sh->size, &hi))
            VEC_PUSH(&items, ((struct ram_item){sh->base, hi, sh->pos, sh->name, true}));
    }
    ck_sort(items.v, items.n, sizeof(*items.v), ram_cmp);
    /* maxhi[k]: the furthest end among items 0..k, so one binary search
     * finds whether any item starting at or before a range's end reaches
     * back to its start. */
    uint64_t *maxhi = xmalloc((items.n ? items.n : 1) * sizeof(*maxhi));
    for (size_t k = 0; k < items.n; k++)
        maxhi[k] = k && maxhi[k - 1] > items.v[k].hi ? maxhi[k - 1] : items.v[k].hi;
    for (uint32_t i = 0; items.n && i < b->nnodes; i++) {
        const struct board_node *n = b->nodes[i];
        if (!n->nmmio || board_memory_node(b, n))
            continue;
        for (uint32_t r = 0; r < n->nmmio; r++) {
            uint64_t lo = n->mmio[r].base, hi;
            if (!range_end(lo, n->mmio[r].size, &hi))
                continue;
            /* Items starting at or before hi: [0, cnt). */
            size_t l = 0, h = items.n;
            while (l < h) {
                size_t mid = l + (h - l) / 2;
                if (items.v[mid].lo <= hi)
                    l = mid + 1;
                else
                    h = mid;
            }
            if (!l || maxhi[l - 1] < lo)
                continue;
            /* Report against the first such item that reaches lo. */
            size_t k = 0;
            while (k < l && items.v[k].hi < lo)
                k++;
            const struct ram_item *m = &items.v[k];
            uint64_t olo = lo > m->lo ? lo : m->lo, ohi = hi < m->hi ? hi : m->hi;
            struct diag *d = ck_report(c, "mmio-in-ram", m->pos,
                                       "%s %s [0x%" PRIx64 "-0x%" PRIx64 "] covers the registers of "
                                       "%s at [0x%" PRIx64 "-0x%" PRIx64 "]",
                                       m->shared ? "shared region" : "memory of guest", m->owner,
                                       m->lo, m->hi, n->path, olo, ohi);
            ck_node(d, n);
            diag_fix(d, "keep guest memory out of device registers; assign the device instead");
            break; /* one finding per device */
        }
    }
    free(maxhi);
    VEC_FREE(&items);
    return 0;
}
