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
    if (n == c->b->gic.node || ck_smmu_of_node(c, n))
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

int check_mmio_page_shared(struct ck *c)
{
    const struct board *b = c->b;
    VEC(struct ck_ival) iv = {0};
    const struct board_node **nodes = NULL;
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
    nodes = nv.v;
    struct page_arg pa = {c, nodes};
    ck_sweep(iv.v, iv.n, page_pair, &pa);
    VEC_FREE(&iv);
    VEC_FREE(&nv);
    return 0;
}

/* --- mmio-in-ram ------------------------------------------------------------ */

/* Nodes whose reg is memory, not device registers. */
static bool is_memory_node(const struct board *b, const struct board_node *n)
{
    if (n == b->root)
        return true;
    if (!strncmp(n->name, "memory", 6) && (n->name[6] == '\0' || n->name[6] == '@'))
        return true;
    const struct board_prop *dt = ck_prop(n, "device_type");
    if (dt && dt->len >= 6 && !memcmp(dt->val, "memory", 6))
        return true;
    for (const struct board_node *p = n->parent; p; p = p->parent)
        if (!strcmp(p->name, "reserved-memory") || !strcmp(p->name, "cpus"))
            return true;
    return false;
}

struct ram_item {
    struct srcpos pos;
    const char *owner; /* guest or shared region name */
    bool shared;
    const struct board_node *node;
};

struct ram_arg {
    struct ck *c;
    const struct ram_item *items;
};

static void ram_pair(void *arg, const struct ck_ival *a, const struct ck_ival *b)
{
    struct ram_arg *ra = arg;
    const struct ck_ival *mem = a->kind == 0 ? a : b, *dev = a->kind == 0 ? b : a;
    const struct ram_item *m = &ra->items[mem->idx], *dv = &ra->items[dev->idx];
    uint64_t lo = a->lo > b->lo ? a->lo : b->lo, hi = a->hi < b->hi ? a->hi : b->hi;
    struct diag *d = ck_report(ra->c, "mmio-in-ram", m->pos,
                               "%s %s [0x%" PRIx64 "-0x%" PRIx64 "] covers the registers of %s at "
                               "[0x%" PRIx64 "-0x%" PRIx64 "]",
                               m->shared ? "shared region" : "memory of guest", m->owner, mem->lo,
                               mem->hi, dv->node->path, lo, hi);
    ck_node(d, dv->node);
    diag_fix(d, "keep guest memory out of device registers; assign the device instead");
}

int check_mmio_in_ram(struct ck *c)
{
    const struct system *s = c->sys;
    const struct board *b = c->b;
    VEC(struct ck_ival) iv = {0};
    VEC(struct ram_item) items = {0};
    for (size_t g = 0; g < s->guests.n; g++)
        for (size_t i = 0; i < s->guests.v[g].memory.n; i++) {
            const struct sys_mem *m = &s->guests.v[g].memory.v[i];
            uint64_t hi;
            if (!range_end(m->base, m->size, &hi))
                continue;
            VEC_PUSH(&items, ((struct ram_item){m->pos, s->guests.v[g].name, false, NULL}));
            VEC_PUSH(&iv, ((struct ck_ival){m->base, hi, 0, 0, (uint32_t)items.n - 1}));
        }
    for (size_t i = 0; i < s->shared.n; i++) {
        const struct sys_shared *sh = &s->shared.v[i];
        uint64_t hi;
        if (!range_end(sh->base, sh->size, &hi))
            continue;
        VEC_PUSH(&items, ((struct ram_item){sh->pos, sh->name, true, NULL}));
        VEC_PUSH(&iv, ((struct ck_ival){sh->base, hi, 0, 0, (uint32_t)items.n - 1}));
    }
    if (iv.n) {
        for (uint32_t i = 0; i < b->nnodes; i++) {
            const struct board_node *n = b->nodes[i];
            if (!n->nmmio || is_memory_node(b, n))
                continue;
            VEC_PUSH(&items, ((struct ram_item){NOPOS, NULL, false, n}));
            for (uint32_t r = 0; r < n->nmmio; r++) {
                uint64_t hi;
                if (range_end(n->mmio[r].base, n->mmio[r].size, &hi))
                    VEC_PUSH(&iv, ((struct ck_ival){n->mmio[r].base, hi, 0, 1,
                                                    (uint32_t)items.n - 1}));
            }
        }
        struct ram_arg ra = {c, items.v};
        ck_sweep(iv.v, iv.n, ram_pair, &ra);
    }
    VEC_FREE(&iv);
    VEC_FREE(&items);
    return 0;
}
