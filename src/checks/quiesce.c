/* checks/quiesce.c — quiesce-shared: a guest's DMA master whose reset line
 * or power domain is also another owner's, so the step of the quiesce plan
 * (lower/quiesce.h) that stops it would also reset or power off a device of
 * someone else — or, done by that someone else, stop this guest's device
 * under it. Lines are compared as the board gives them: the same provider
 * node and the same specifier cells. One sort, one sweep. */
#include <string.h>

#include "checks/internal.h"

struct line_use {
    const struct board_node *provider;
    const uint8_t *cells; /* big-endian, in the board blob */
    uint32_t ncells;
    uint32_t power;       /* 0 resets, 1 power-domains */
    uint32_t owner;
    const struct board_node *node;
    const struct sys_device *dev; /* a guest's device, NULL for the hypervisor's */
    struct srcpos pos;
    uint32_t order;
};

static int line_cmp_key(const struct line_use *a, const struct line_use *b)
{
    if (a->power != b->power)
        return a->power < b->power ? -1 : 1;
    if (a->provider->index != b->provider->index)
        return a->provider->index < b->provider->index ? -1 : 1;
    if (a->ncells != b->ncells)
        return a->ncells < b->ncells ? -1 : 1;
    return a->ncells ? memcmp(a->cells, b->cells, 4 * (size_t)a->ncells) : 0;
}

static int line_cmp(const void *pa, const void *pb)
{
    const struct line_use *a = pa, *b = pb;
    int k = line_cmp_key(a, b);
    return k ? k : a->order < b->order ? -1 : a->order > b->order;
}

typedef VEC(struct line_use) line_vec;

static void add_lines(line_vec *v, const struct board_node *n, uint32_t owner,
                      const struct sys_device *dev, struct srcpos pos, uint32_t *order)
{
    static const char *const props[2] = {"resets", "power-domains"};
    const bool has[2] = {n->has_resets, n->has_power_domains};
    for (uint32_t p = 0; p < 2; p++) {
        if (!has[p])
            continue;
        uint32_t count = board_specifiers(n, props[p], NULL, 0);
        struct board_spec *sp = xcalloc(count ? count : 1, sizeof(*sp));
        board_specifiers(n, props[p], sp, count);
        for (uint32_t k = 0; k < count; k++)
            VEC_PUSH(v, ((struct line_use){sp[k].provider, sp[k].cells, sp[k].ncells, p, owner, n,
                                           dev, pos, (*order)++}));
        free(sp);
    }
}

static void cells_str(const struct line_use *u, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = 0;
    for (uint32_t k = 0; k < u->ncells && o + 12 < len; k++) {
        const uint8_t *c = u->cells + 4 * k;
        uint32_t v = (uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 | (uint32_t)c[2] << 8 | c[3];
        o += (size_t)snprintf(buf + o, len - o, "%s0x%x", k ? " " : "", v);
    }
}

int check_quiesce_shared(struct ck *c)
{
    const struct system *s = c->sys;
    line_vec v = {0};
    uint32_t order = 0;
    for (size_t i = 0; i < s->hyp_devices.n; i++) {
        const struct board_node *n = s->hyp_devices.v[i].node;
        if (n && c->owner_ref[n->index] == &s->hyp_devices.v[i])
            add_lines(&v, n, OWNER_HYP, NULL, s->hyp_devices.v[i].pos, &order);
    }
    for (size_t g = 0; g < s->guests.n; g++)
        for (size_t i = 0; i < s->guests.v[g].devices.n; i++) {
            const struct sys_device *dev = &s->guests.v[g].devices.v[i];
            const struct board_node *n = dev->ref.node;
            if (n && c->owner_dev[n->index] == dev)
                add_lines(&v, n, owner_guest(g), dev, dev->ref.pos, &order);
        }
    ck_sort(v.v, v.n, sizeof(v.v[0]), line_cmp);
    /* In each run of one line: every guest DMA master is reported once,
     * against the first device of another owner on the line. */
    for (size_t lo = 0, hi; lo < v.n; lo = hi) {
        for (hi = lo + 1; hi < v.n && !line_cmp_key(&v.v[lo], &v.v[hi]); hi++)
            ;
        for (size_t i = lo; i < hi; i++) {
            const struct line_use *u = &v.v[i];
            if (!u->dev || !(u->dev->is_dma || u->dev->rsids.n))
                continue;
            const struct line_use *other = NULL;
            for (size_t k = lo; k < hi && !other; k++)
                if (v.v[k].owner != u->owner)
                    other = &v.v[k];
            if (!other)
                continue;
            char cells[96], who[96];
            cells_str(u, cells, sizeof(cells));
            ck_owner_str(c, other->owner, who, sizeof(who));
            const char *what = u->power ? "power domain" : "reset line";
            struct diag *d = ck_report(
                c, "quiesce-shared", u->pos,
                "the %s of DMA master %s (guest %s), %s <%s>, is also %s's (%s): quiescing "
                "one %s the other",
                what, u->node->path, ck_owner_name(c, u->owner), u->provider->path, cells, who,
                other->node->path, u->power ? "powers off" : "resets");
            ck_node(d, u->node);
            ck_note(d, other->pos, other->node, "%s is %s's", other->node->path, who);
            diag_fix(d, "give both devices to one owner, or keep the DMA master behind the SMMU so "
                        "the plan can block it without the shared %s", what);
        }
    }
    VEC_FREE(&v);
    return 0;
}
