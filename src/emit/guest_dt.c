/* emit/guest_dt.c — `<guest>.dtb` and `<guest>.dts` from the lowered guest
 * tree (lower/guest_tree.h): the DTB is built once with libfdt's
 * sequential-write API, the DTS is written from the same tree in dtc's
 * style, so `dtc -I dts -O dtb` of the DTS gives the same tree as the DTB
 * (tests/suite-guest-dt.sh proves it on every example). The trees are
 * carved, written and freed one guest at a time. */
#include <ctype.h>
#include <inttypes.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "emit/emit.h"
#include "emit/guest_dt.h"
#include "lower/guest_tree.h"
#include "lower/lower.h"

/* --- DTB --- */

static int sw_node(void *fdt, const struct gt_node *n)
{
    int err = fdt_begin_node(fdt, n->name);
    for (size_t i = 0; !err && i < n->props.n; i++)
        err = fdt_property(fdt, n->props.v[i].name, n->props.v[i].val, (int)n->props.v[i].len);
    for (size_t i = 0; !err && i < n->children.n; i++)
        err = sw_node(fdt, n->children.v[i]);
    return err ? err : fdt_end_node(fdt);
}

int gt_to_dtb(const struct guest_tree *t, void **blob, size_t *len)
{
    /* Grow and start over on -FDT_ERR_NOSPACE: building once is simpler
     * and cheaper than estimating. */
    for (size_t size = 4096; size <= (size_t)INT32_MAX; size *= 2) {
        void *fdt = xmalloc(size);
        int err = fdt_create(fdt, (int)size);
        if (!err)
            err = fdt_finish_reservemap(fdt);
        if (!err)
            err = sw_node(fdt, t->root);
        if (!err)
            err = fdt_finish(fdt);
        if (!err) {
            *blob = fdt;
            *len = fdt_totalsize(fdt);
            return 0;
        }
        free(fdt);
        if (err != -FDT_ERR_NOSPACE)
            return err;
    }
    return -FDT_ERR_NOSPACE;
}

/* --- DTS --- */

/* Labels for every node with a phandle, so the DTS reads `<&apb_pclk>`
 * instead of `<0x8000>`: the board's label when it has one, else the node
 * name made into an identifier; unique within the tree. The explicit
 * `phandle` properties stay, so dtc gives the same values as the DTB. */
struct labeled {
    uint32_t phandle;
    const struct gt_node *node;
    char *label;
};
struct dts_ctx {
    struct strbuf *sb;
    VEC(struct labeled) by_ph; /* sorted by phandle */
    struct strmap used;
};

static int labeled_cmp(const void *a, const void *b)
{
    const struct labeled *x = a, *y = b;
    return x->phandle < y->phandle ? -1 : x->phandle > y->phandle;
}

static void collect(struct dts_ctx *c, const struct gt_node *n)
{
    const struct gt_prop *p = gt_prop_get(n, "phandle");
    if (p && p->len == 4) {
        struct labeled l = {.phandle = get_be32(p->val), .node = n};
        VEC_PUSH(&c->by_ph, l);
    }
    for (size_t i = 0; i < n->children.n; i++)
        collect(c, n->children.v[i]);
}

static char *make_label(struct dts_ctx *c, const char *want)
{
    struct strbuf sb;
    sb_init(&sb);
    if (!(isalpha((unsigned char)want[0]) || want[0] == '_'))
        sb_putc(&sb, '_');
    for (const char *s = want; *s; s++)
        sb_putc(&sb, isalnum((unsigned char)*s) ? *s : '_');
    char *base = sb_take(&sb), *l = xstrdup(base);
    for (unsigned k = 2; strmap_get(&c->used, l); k++) {
        free(l);
        l = xasprintf("%s_%u", base, k);
    }
    free(base);
    strmap_put(&c->used, l, l);
    return l;
}

static const struct gt_node *dts_lookup(void *arg, uint32_t ph)
{
    struct dts_ctx *c = arg;
    struct labeled key = {.phandle = ph};
    const struct labeled *l =
        c->by_ph.n ? bsearch(&key, c->by_ph.v, c->by_ph.n, sizeof(key), labeled_cmp) : NULL;
    return l ? l->node : NULL;
}

static const char *label_of(const struct dts_ctx *c, uint32_t ph)
{
    struct labeled key = {.phandle = ph};
    const struct labeled *l =
        c->by_ph.n ? bsearch(&key, c->by_ph.v, c->by_ph.n, sizeof(key), labeled_cmp) : NULL;
    return l ? l->label : NULL;
}

static const char *node_label(const struct dts_ctx *c, const struct gt_node *n)
{
    const struct gt_prop *p = gt_prop_get(n, "phandle");
    return p && p->len == 4 ? label_of(c, get_be32(p->val)) : NULL;
}

/* dtc's guess (treesource.c): a string list when every byte is printable
 * or NUL, it ends in NUL and no string is empty; cells when the length is a
 * multiple of 4; bytes otherwise. */
static bool is_strings(const uint8_t *v, uint32_t len)
{
    if (!len || v[len - 1])
        return false;
    for (uint32_t i = 0; i < len; i++) {
        if (v[i] == 0) {
            if (i == 0 || v[i - 1] == 0)
                return false;
        } else if (!isprint(v[i]) && !strchr("\a\b\t\n\v\f\r", v[i])) {
            return false;
        }
    }
    return true;
}

static void put_string(struct strbuf *sb, const uint8_t *s, size_t n)
{
    sb_putc(sb, '"');
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        switch (c) {
        case '"': sb_puts(sb, "\\\""); break;
        case '\\': sb_puts(sb, "\\\\"); break;
        case '\a': sb_puts(sb, "\\a"); break;
        case '\b': sb_puts(sb, "\\b"); break;
        case '\t': sb_puts(sb, "\\t"); break;
        case '\n': sb_puts(sb, "\\n"); break;
        case '\v': sb_puts(sb, "\\v"); break;
        case '\f': sb_puts(sb, "\\f"); break;
        case '\r': sb_puts(sb, "\\r"); break;
        default:
            if (isprint(c))
                sb_putc(sb, (char)c);
            else
                sb_printf(sb, "\\x%02x", c);
        }
    }
    sb_putc(sb, '"');
}

static void put_prop(struct dts_ctx *c, const struct gt_node *n, const struct gt_prop *p, int depth)
{
    struct strbuf *sb = c->sb;
    for (int i = 0; i < depth; i++)
        sb_putc(sb, '\t');
    sb_puts(sb, p->name);
    if (!p->len) {
        sb_puts(sb, ";\n");
        return;
    }
    sb_puts(sb, " = ");
    if (is_strings(p->val, p->len)) {
        size_t start = 0;
        for (size_t i = 0; i < p->len; i++)
            if (!p->val[i]) {
                if (start)
                    sb_puts(sb, ", ");
                put_string(sb, p->val + start, i - start);
                start = i + 1;
            }
    } else if (p->len % 4 == 0) {
        bool *isph = xcalloc(p->len / 4, sizeof(*isph));
        bool refs = strcmp(p->name, "phandle") && gt_prop_phandles(n, p, dts_lookup, c, isph);
        sb_putc(sb, '<');
        for (uint32_t i = 0; i < p->len; i += 4) {
            uint32_t v = get_be32(p->val + i);
            const char *l = refs && isph[i / 4] ? label_of(c, v) : NULL;
            if (l)
                sb_printf(sb, "%s&%s", i ? " " : "", l);
            else
                sb_printf(sb, "%s0x%" PRIx32, i ? " " : "", v);
        }
        sb_putc(sb, '>');
        free(isph);
    } else {
        sb_putc(sb, '[');
        for (uint32_t i = 0; i < p->len; i++)
            sb_printf(sb, "%s%02x", i ? " " : "", p->val[i]);
        sb_putc(sb, ']');
    }
    sb_puts(sb, ";\n");
}

static void put_node(struct dts_ctx *c, const struct gt_node *n, int depth)
{
    struct strbuf *sb = c->sb;
    for (int i = 0; i < depth; i++)
        sb_putc(sb, '\t');
    const char *label = node_label(c, n);
    if (label)
        sb_printf(sb, "%s: ", label);
    sb_puts(sb, n->parent ? n->name : "/");
    sb_puts(sb, " {\n");
    for (size_t i = 0; i < n->props.n; i++)
        put_prop(c, n, &n->props.v[i], depth + 1);
    for (size_t i = 0; i < n->children.n; i++) {
        if (i || n->props.n)
            sb_putc(sb, '\n');
        put_node(c, n->children.v[i], depth + 1);
    }
    for (int i = 0; i < depth; i++)
        sb_putc(sb, '\t');
    sb_puts(sb, "};\n");
}

void gt_to_dts(const struct guest_tree *t, struct strbuf *sb)
{
    sb_printf(sb, "// Guest \"%s\": generated by dtpass " DTPASS_VERSION ". Do not edit.\n",
              t->g->name);
    sb_puts(sb, "/dts-v1/;\n\n");
    struct dts_ctx c = {.sb = sb};
    strmap_init(&c.used);
    collect(&c, t->root);
    if (c.by_ph.n > 1)
        qsort(c.by_ph.v, c.by_ph.n, sizeof(c.by_ph.v[0]), labeled_cmp);
    /* Labels in tree order (not phandle order) would depend on nothing
     * else either; phandle order is simply the sorted array's. */
    for (size_t i = 0; i < c.by_ph.n; i++) {
        struct labeled *l = &c.by_ph.v[i];
        if (i && l->phandle == c.by_ph.v[i - 1].phandle)
            continue; /* a duplicate phandle: the DTB has it too; label the first */
        const char *want = l->phandle == t->opt.gic_phandle ? "gic"
                           : l->node->bn && board_node_label(l->node->bn) ? board_node_label(l->node->bn)
                                                               : l->node->name;
        l->label = make_label(&c, want);
    }
    put_node(&c, t->root, 0);
    for (size_t i = 0; i < c.by_ph.n; i++)
        free(c.by_ph.v[i].label);
    VEC_FREE(&c.by_ph);
    strmap_free(&c.used);
}

/* --- the target --- */

int gt_emit(struct dtpass_ctx *ctx, const struct guest_tree *t, const char *base, unsigned which,
            const char *who)
{
    void *blob = NULL;
    size_t len = 0;
    if (which & T_DTB) {
        int err = gt_to_dtb(t, &blob, &len);
        if (!err && (err = fdt_check_full(blob, len)))
            free(blob);
        if (err) {
            diag_fatal(&ctx->diag, NOPOS, "%scannot build the device tree of guest %s: %s", who,
                       t->g->name, fdt_strerror(err));
            return -1;
        }
    }
    struct strbuf sb;
    sb_init(&sb);
    if (which & T_DTS)
        gt_to_dts(t, &sb);
    int rc = emit_dt_pair(ctx, base, blob, len, which & T_DTS ? &sb : NULL);
    free(blob);
    sb_free(&sb);
    return rc;
}

static int emit_one(struct dtpass_ctx *ctx, const struct guest_tree *t)
{
    return gt_emit(ctx, t, t->g->name, ctx->opt.targets & (T_DTB | T_DTS), "");
}

/* Carve, write, free: memory holds one guest's tree whatever the number
 * of guests (256 trees at once were ~6 MiB of the 100k-node build). */
int emit_guest_dt(struct dtpass_ctx *ctx)
{
    if (!ctx->owners) {
        diag_fatal(&ctx->diag, NOPOS, "internal error: guest trees were not prepared");
        return -1;
    }
    for (size_t i = 0; i < ctx->sys.guests.n; i++) {
        struct guest_tree *t = lower_guest_tree(ctx, (uint32_t)i);
        /* The carving could not carry something as the board has it: the
         * checks should have refused the system; never write a lossy tree. */
        for (size_t k = 0; k < t->lost.n; k++)
            diag_report(&ctx->diag, CK_DEP_UNOWNED, NOPOS, "guest %s: %s (not carried into the guest tree)",
                        t->g->name, t->lost.v[k]);
        int rc = t->lost.n ? -1 : emit_one(ctx, t);
        gt_free(t);
        if (rc)
            return -1;
    }
    return 0;
}
