/* front/yaml.c — the YAML front end (SPEC §3.1, format version 1).
 *
 * Two steps. First libyaml's event stream is turned into a small tree of
 * scalars, sequences and mappings, each with its 1-based line:col; this is
 * where the hostile-input limits live: anchors and aliases are rejected
 * (no billion laughs), nesting is bounded (YAML_MAX_DEPTH) and so is the
 * number of nodes (YAML_MAX_NODES). Then the tree is walked with
 * table-driven key handlers, one table per kind of mapping
 * ({key, value kind, handler, required}, after netplan's parse.c): unknown
 * keys (with a "did you mean"), duplicate keys, wrong kinds, missing keys
 * and bad values are all reported — every one of them, not just the first —
 * with the check id `schema`; libyaml's own errors are `syntax`. */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "front/front.h"
#include "front/front_util.h"
#include "model/model.h"

#define YAML_MAX_DEPTH 64
#define YAML_MAX_NODES (1u << 20)

enum ykind { Y_SCALAR, Y_SEQ, Y_MAP, Y_ANY };

struct ynode {
    enum ykind kind;
    struct srcpos pos;
    char *str; /* scalars */
    size_t len;
    bool plain;
    struct ynode **items; /* sequences: items; mappings: key, value, key, value... */
    size_t n, cap;
};

struct yctx {
    struct system *sys;
    struct diag_sink *d;
    const char *file;
    size_t nnodes;
};

static const char *kind_name(enum ykind k)
{
    switch (k) {
    case Y_SCALAR: return "a scalar";
    case Y_SEQ: return "a sequence";
    case Y_MAP: return "a mapping";
    default: return "a value";
    }
}

static void ynode_free(struct ynode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++)
        ynode_free(n->items[i]);
    free(n->items);
    free(n->str);
    free(n);
}

static void ynode_add(struct ynode *parent, struct ynode *child)
{
    if (parent->n == parent->cap) {
        parent->cap = parent->cap ? parent->cap * 2 : 4;
        parent->items = xrealloc(parent->items, parent->cap * sizeof(*parent->items));
    }
    parent->items[parent->n++] = child;
}

static struct srcpos mark_pos(struct yctx *c, yaml_mark_t m)
{
    return (struct srcpos){c->file, (uint32_t)m.line + 1, (uint32_t)m.column + 1};
}

/* --- events -> tree ----------------------------------------------------- */

static struct ynode *build_tree(struct yctx *c, const char *text, size_t len)
{
    yaml_parser_t p;
    yaml_event_t ev;
    struct ynode *stack[YAML_MAX_DEPTH + 1];
    int depth = 0;
    struct ynode *root = NULL;
    bool failed = false, done = false;
    int docs = 0;

    if (!yaml_parser_initialize(&p)) {
        diag_fatal(c->d, NOPOS, "cannot initialise the YAML parser");
        return NULL;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    while (!done && !failed) {
        if (!yaml_parser_parse(&p, &ev)) {
            struct srcpos pos = {c->file, (uint32_t)p.problem_mark.line + 1,
                                 (uint32_t)p.problem_mark.column + 1};
            if (p.context)
                diag_report(c->d, CK_SYNTAX, pos, "YAML: %s %s", p.problem ? p.problem : "error",
                            p.context);
            else
                diag_report(c->d, CK_SYNTAX, pos, "YAML: %s", p.problem ? p.problem : "error");
            failed = true;
            break;
        }
        struct srcpos pos = mark_pos(c, ev.start_mark);
        struct ynode *n = NULL;
        const unsigned char *anchor = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                diag_report(c->d, CK_SYNTAX, pos,
                            "a system file holds one YAML document; remove the second");
                failed = true;
            }
            break;
        case YAML_ALIAS_EVENT:
            diag_report(c->d, CK_SYNTAX, pos,
                        "YAML aliases (*%s) are not supported: write the value out",
                        (const char *)ev.data.alias.anchor);
            failed = true;
            break;
        case YAML_SCALAR_EVENT:
            anchor = ev.data.scalar.anchor;
            n = xcalloc(1, sizeof(*n));
            n->kind = Y_SCALAR;
            n->len = ev.data.scalar.length;
            n->str = xstrndup((const char *)ev.data.scalar.value, n->len);
            n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            break;
        case YAML_SEQUENCE_START_EVENT:
            anchor = ev.data.sequence_start.anchor;
            n = xcalloc(1, sizeof(*n));
            n->kind = Y_SEQ;
            break;
        case YAML_MAPPING_START_EVENT:
            anchor = ev.data.mapping_start.anchor;
            n = xcalloc(1, sizeof(*n));
            n->kind = Y_MAP;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth > 0)
                depth--;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (!n)
            continue;
        n->pos = pos;
        if (anchor) {
            diag_report(c->d, CK_SYNTAX, pos,
                        "YAML anchors (&) are not supported: write the value out");
            ynode_free(n);
            failed = true;
            break;
        }
        if (++c->nnodes > YAML_MAX_NODES) {
            diag_report(c->d, CK_SYNTAX, pos, "too many YAML nodes (limit %u)", YAML_MAX_NODES);
            ynode_free(n);
            failed = true;
            break;
        }
        if (depth == 0) {
            if (root) /* cannot happen with one document; be safe */
                ynode_free(root);
            root = n;
        } else {
            ynode_add(stack[depth - 1], n);
        }
        if (n->kind != Y_SCALAR) {
            if (depth >= YAML_MAX_DEPTH) {
                diag_report(c->d, CK_SYNTAX, pos, "YAML nesting deeper than %d levels",
                            YAML_MAX_DEPTH);
                failed = true;
                break;
            }
            stack[depth++] = n;
        }
    }
    yaml_parser_delete(&p);
    if (failed) {
        ynode_free(root);
        return NULL;
    }
    return root;
}

/* --- value helpers ------------------------------------------------------ */

static bool want_scalar(struct yctx *c, const struct ynode *v, const char *what)
{
    if (v->kind == Y_SCALAR)
        return true;
    diag_report(c->d, CK_SCHEMA, v->pos, "%s must be a scalar, not %s", what, kind_name(v->kind));
    return false;
}

static bool get_u64(struct yctx *c, const struct ynode *v, const char *what, bool suffix,
                    uint64_t *out)
{
    if (!want_scalar(c, v, what))
        return false;
    const char *err = parse_u64(v->str, v->len, suffix, out);
    if (err) {
        diag_report(c->d, CK_SCHEMA, v->pos, "%s: invalid number '%s': %s", what, v->str, err);
        return false;
    }
    return true;
}

static bool get_u32(struct yctx *c, const struct ynode *v, const char *what, uint64_t min,
                    uint64_t max, uint32_t *out)
{
    uint64_t x;
    if (!get_u64(c, v, what, false, &x))
        return false;
    if (x < min || x > max) {
        diag_report(c->d, CK_SCHEMA, v->pos, "%s %s is out of range %llu..%llu", what, v->str,
                    (unsigned long long)min, (unsigned long long)max);
        return false;
    }
    *out = (uint32_t)x;
    return true;
}

static bool get_bool(struct yctx *c, const struct ynode *v, const char *what, bool *out)
{
    if (!want_scalar(c, v, what))
        return false;
    if (v->plain && !strcmp(v->str, "true")) {
        *out = true;
        return true;
    }
    if (v->plain && !strcmp(v->str, "false")) {
        *out = false;
        return true;
    }
    diag_report(c->d, CK_SCHEMA, v->pos, "%s must be true or false, not '%s'", what, v->str);
    return false;
}

static char *get_str(struct yctx *c, const struct ynode *v, const char *what)
{
    if (!want_scalar(c, v, what))
        return NULL;
    if (memchr(v->str, '\0', v->len)) {
        diag_report(c->d, CK_SCHEMA, v->pos, "%s contains a NUL character", what);
        return NULL;
    }
    return xstrdup(v->str);
}

static void get_ref(struct yctx *c, const struct ynode *v, const char *what, struct sys_ref *r)
{
    if (!want_scalar(c, v, what))
        return;
    if (!front_valid_ref(c->d, v->pos, v->str, v->len, what))
        return;
    free(r->text);
    r->text = xstrdup(v->str);
    r->pos = v->pos;
}

/* --- table-driven mappings ---------------------------------------------- */

typedef void (*yhandler)(struct yctx *c, const struct ynode *key, const struct ynode *val,
                         void *obj);

struct ykey {
    const char *key;
    enum ykind kind; /* the value's kind; Y_ANY: the handler checks */
    yhandler fn;
    bool required;
};

#define YKEYS_MAX 16

static void walk_map(struct yctx *c, const struct ynode *map, const struct ykey *tab, size_t ntab,
                     void *obj, const char *what)
{
    const struct ynode *seen[YKEYS_MAX] = {0};
    if (map->kind != Y_MAP) {
        diag_report(c->d, CK_SCHEMA, map->pos, "%s must be a mapping, not %s", what,
                    kind_name(map->kind));
        return;
    }
    for (size_t i = 0; i + 1 < map->n; i += 2) {
        const struct ynode *k = map->items[i], *v = map->items[i + 1];
        if (k->kind != Y_SCALAR) {
            diag_report(c->d, CK_SCHEMA, k->pos, "keys of %s must be scalars", what);
            continue;
        }
        size_t t;
        for (t = 0; t < ntab; t++)
            if (!strcmp(tab[t].key, k->str))
                break;
        if (t == ntab) {
            const char *cands[YKEYS_MAX];
            for (size_t j = 0; j < ntab; j++)
                cands[j] = tab[j].key;
            const char *best = front_closest(k->str, cands, ntab);
            struct diag *dg;
            if (best)
                dg = diag_report(c->d, CK_SCHEMA, k->pos,
                                 "unknown key '%s' in %s; did you mean '%s'?", k->str, what, best);
            else
                dg = diag_report(c->d, CK_SCHEMA, k->pos, "unknown key '%s' in %s", k->str, what);
            if (best)
                diag_fix(dg, "replace '%s' with '%s'", k->str, best);
            continue;
        }
        if (seen[t]) {
            struct diag *dg = diag_report(c->d, CK_SCHEMA, k->pos, "duplicate key '%s' in %s",
                                          k->str, what);
            diag_note(dg, seen[t]->pos, NULL, "first given here");
            continue;
        }
        seen[t] = k;
        if (tab[t].kind != Y_ANY && v->kind != tab[t].kind) {
            diag_report(c->d, CK_SCHEMA, v->pos, "'%s' must be %s, not %s", k->str,
                        kind_name(tab[t].kind), kind_name(v->kind));
            continue;
        }
        tab[t].fn(c, k, v, obj);
    }
    for (size_t t = 0; t < ntab; t++)
        if (tab[t].required && !seen[t])
            diag_report(c->d, CK_SCHEMA, map->pos, "%s lacks the required key '%s'", what,
                        tab[t].key);
}

#define WALK(c, map, tab, obj, what)                                                   \
    do {                                                                               \
        _Static_assert(ARRAY_SIZE(tab) <= YKEYS_MAX, "raise YKEYS_MAX");               \
        walk_map(c, map, tab, ARRAY_SIZE(tab), obj, what);                             \
    } while (0)

/* --- memory ranges ------------------------------------------------------ */

static void mem_base(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_mem *m = o;
    (void)k;
    m->base_pos = v->pos;
    get_u64(c, v, "base", true, &m->base);
}
static void mem_size(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_mem *m = o;
    (void)k;
    m->size_pos = v->pos;
    get_u64(c, v, "size", true, &m->size);
}
static void mem_ipa(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_mem *m = o;
    (void)k;
    m->ipa_pos = v->pos;
    m->has_ipa = get_u64(c, v, "ipa", true, &m->ipa);
}

static const struct ykey hyp_mem_keys[] = {
    {"base", Y_SCALAR, mem_base, true},
    {"size", Y_SCALAR, mem_size, true},
};
static const struct ykey guest_mem_keys[] = {
    {"base", Y_SCALAR, mem_base, true},
    {"size", Y_SCALAR, mem_size, true},
    {"ipa", Y_SCALAR, mem_ipa, false},
};

static void parse_mem_list(struct yctx *c, const struct ynode *v, bool guest, void *vec_)
{
    VEC(struct sys_mem) *vec = vec_;
    for (size_t i = 0; i < v->n; i++) {
        struct sys_mem *m = VEC_ADD(vec);
        m->pos = v->items[i]->pos;
        if (guest)
            WALK(c, v->items[i], guest_mem_keys, m, "a guest memory range");
        else
            WALK(c, v->items[i], hyp_mem_keys, m, "a hypervisor memory range");
    }
}

/* --- platform ----------------------------------------------------------- */

static void smmu_node(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    (void)k;
    get_ref(c, v, "node", &((struct sys_smmu_param *)o)->node);
}
static void smmu_sid_bits(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_smmu_param *p = o;
    (void)k;
    p->has_sid_bits = get_u32(c, v, "sid-bits", 1, 32, &p->sid_bits);
}
static void smmu_smrs(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_smmu_param *p = o;
    (void)k;
    p->has_smrs = get_u32(c, v, "smrs", 1, 128, &p->smrs);
}
static void smmu_cbs(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_smmu_param *p = o;
    (void)k;
    p->has_context_banks = get_u32(c, v, "context-banks", 1, 128, &p->context_banks);
}
static const struct ykey smmu_keys[] = {
    {"node", Y_SCALAR, smmu_node, true},
    {"sid-bits", Y_SCALAR, smmu_sid_bits, false},
    {"smrs", Y_SCALAR, smmu_smrs, false},
    {"context-banks", Y_SCALAR, smmu_cbs, false},
};

static void plat_ipa_bits(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct system *s = o;
    (void)k;
    s->ipa_bits_pos = v->pos;
    get_u32(c, v, "ipa-bits", FRONT_IPA_BITS_MIN, FRONT_IPA_BITS_MAX, &s->ipa_bits);
}
static void plat_pa_bits(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct system *s = o;
    (void)k;
    s->pa_bits_pos = v->pos;
    get_u32(c, v, "pa-bits", FRONT_PA_BITS_MIN, FRONT_PA_BITS_MAX, &s->pa_bits);
}
static void plat_smmus(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct system *s = o;
    (void)k;
    for (size_t i = 0; i < v->n; i++) {
        struct sys_smmu_param *p = VEC_ADD(&s->smmus);
        p->pos = v->items[i]->pos;
        WALK(c, v->items[i], smmu_keys, p, "an smmus entry");
    }
}
static const struct ykey platform_keys[] = {
    {"ipa-bits", Y_SCALAR, plat_ipa_bits, false},
    {"pa-bits", Y_SCALAR, plat_pa_bits, false},
    {"smmus", Y_SEQ, plat_smmus, false},
};

/* --- hypervisor --------------------------------------------------------- */

static void hyp_memory(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    (void)k;
    parse_mem_list(c, v, false, &((struct system *)o)->hyp_memory);
}
static void hyp_devices(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct system *s = o;
    (void)k;
    for (size_t i = 0; i < v->n; i++) {
        struct sys_ref r = {0};
        get_ref(c, v->items[i], "a hypervisor device", &r);
        if (r.text)
            VEC_PUSH(&s->hyp_devices, r);
    }
}
static void hyp_root_cell(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct system *s = o;
    (void)k;
    s->root_cell_pos = v->pos;
    if (!want_scalar(c, v, "root-cell"))
        return;
    if (!model_valid_name(v->str)) {
        diag_report(c->d, CK_SCHEMA, v->pos,
                    "invalid guest name '%s' for root-cell: use " MODEL_NAME_RULE, v->str);
        return;
    }
    s->root_cell = xstrdup(v->str);
}
static void hyp_qnx_version(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct system *s = o;
    (void)k;
    char *t = get_str(c, v, "qnx-version");
    if (!t)
        return;
    s->qnx_version_pos = v->pos;
    if (!model_qnx_version(t, &s->qnx_version))
        diag_report(c->d, CK_SCHEMA, v->pos, "qnx-version must be \"7.1\" or \"8.0\", not '%s'", t);
    free(t);
}
static const struct ykey hyp_keys[] = {
    {"memory", Y_SEQ, hyp_memory, false},
    {"devices", Y_SEQ, hyp_devices, false},
    {"root-cell", Y_SCALAR, hyp_root_cell, false},
    {"qnx-version", Y_SCALAR, hyp_qnx_version, false},
};

/* --- devices ------------------------------------------------------------ */

static void dev_node(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    (void)k;
    get_ref(c, v, "node", &((struct sys_device *)o)->ref);
}
static void dev_ipa(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_device *d = o;
    (void)k;
    d->ipa_pos = v->pos;
    d->has_ipa = get_u64(c, v, "ipa", true, &d->ipa);
}
static void dev_irqs(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_device *d = o;
    (void)k;
    for (size_t i = 0; i + 1 < v->n; i += 2) {
        struct sys_irqmap m = {.pos = v->items[i]->pos};
        bool ok = get_u32(c, v->items[i], "a physical SPI number", 0, FRONT_SPI_MAX, &m.phys);
        ok &= get_u32(c, v->items[i + 1], "a guest SPI number", 0, FRONT_SPI_MAX, &m.virt);
        if (ok)
            VEC_PUSH(&d->irqs, m);
    }
}
static void dev_dma(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_device *d = o;
    bool b;
    (void)k;
    d->dma_pos = v->pos;
    if (get_bool(c, v, "dma", &b))
        d->dma = b;
}
static void dev_sids(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_device *d = o;
    (void)k;
    d->sids_pos = v->pos;
    for (size_t i = 0; i < v->n; i++) {
        uint32_t sid;
        if (get_u32(c, v->items[i], "a stream ID", 0, UINT32_MAX, &sid))
            VEC_PUSH(&d->stream_ids, sid);
    }
}
static void dev_smmu(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    (void)k;
    get_ref(c, v, "smmu", &((struct sys_device *)o)->smmu);
}
static void dev_drop(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_device *d = o;
    (void)k;
    d->drop_pos = v->pos;
    for (size_t i = 0; i < v->n; i++) {
        const struct ynode *it = v->items[i];
        if (!want_scalar(c, it, "a dropped property"))
            continue;
        if (!front_valid_propname(c->d, it->pos, it->str, it->len))
            continue;
        VEC_PUSH(&d->drop, xstrdup(it->str));
    }
}
static void dev_unsafe(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_device *d = o;
    (void)k;
    d->unsafe_pos = v->pos;
    char *s = get_str(c, v, "unsafe-no-iommu");
    if (s && !*s) {
        diag_report(c->d, CK_SCHEMA, v->pos, "unsafe-no-iommu must give a reason");
        free(s);
        s = NULL;
    }
    if (s) {
        free(d->unsafe_no_iommu);
        d->unsafe_no_iommu = s;
    }
}
static const struct ykey device_keys[] = {
    {"node", Y_SCALAR, dev_node, true},
    {"ipa", Y_SCALAR, dev_ipa, false},
    {"irqs", Y_MAP, dev_irqs, false},
    {"dma", Y_SCALAR, dev_dma, false},
    {"stream-ids", Y_SEQ, dev_sids, false},
    {"smmu", Y_SCALAR, dev_smmu, false},
    {"drop", Y_SEQ, dev_drop, false},
    {"unsafe-no-iommu", Y_SCALAR, dev_unsafe, false},
};

/* --- guests ------------------------------------------------------------- */

static void g_name(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_guest *g = o;
    (void)k;
    g->name_pos = v->pos;
    if (!want_scalar(c, v, "name"))
        return;
    if (!model_valid_name(v->str)) {
        diag_report(c->d, CK_SCHEMA, v->pos,
                    "invalid guest name '%s': use " MODEL_NAME_RULE, v->str);
        return;
    }
    g->name = xstrdup(v->str);
}
static void g_vmid(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_guest *g = o;
    (void)k;
    g->vmid_pos = v->pos;
    g->has_vmid = get_u32(c, v, "vmid", FRONT_VMID_MIN, FRONT_VMID_MAX, &g->vmid);
}
static void g_cpus(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_guest *g = o;
    (void)k;
    for (size_t i = 0; i < v->n; i++) {
        struct sys_cpu cpu = {.pos = v->items[i]->pos};
        if (get_u32(c, v->items[i], "a CPU index", 0, FRONT_CPU_MAX, &cpu.index))
            VEC_PUSH(&g->cpus, cpu);
    }
}
static void g_memory(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    (void)k;
    parse_mem_list(c, v, true, &((struct sys_guest *)o)->memory);
}
static void g_devices(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_guest *g = o;
    (void)k;
    /* Exactly as many as listed: the device array is the model's largest
     * (~340 bytes a device) and lives to the end of the build; doubling
     * would leave up to half of it unused. */
    if (!g->devices.cap && v->n) {
        g->devices.v = xcalloc(v->n, sizeof(*g->devices.v));
        g->devices.cap = v->n;
    }
    for (size_t i = 0; i < v->n; i++) {
        const struct ynode *it = v->items[i];
        struct sys_device *d = VEC_ADD(&g->devices);
        d->dma = -1;
        d->ref.pos = it->pos;
        if (it->kind == Y_SCALAR)
            get_ref(c, it, "a device", &d->ref);
        else if (it->kind == Y_MAP)
            WALK(c, it, device_keys, d, "a device");
        else
            diag_report(c->d, CK_SCHEMA, it->pos,
                        "a device is a node reference or a mapping, not a sequence");
    }
}
static void g_bootargs(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_guest *g = o;
    (void)k;
    g->bootargs_pos = v->pos;
    char *s = get_str(c, v, "bootargs");
    if (s) {
        free(g->bootargs);
        g->bootargs = s;
    }
}
static void g_stdout(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    (void)k;
    get_ref(c, v, "stdout", &((struct sys_guest *)o)->stdout_ref);
}

static void img_file(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_image *im = o;
    (void)k;
    char *s = get_str(c, v, "file");
    if (s && !*s) {
        diag_report(c->d, CK_SCHEMA, v->pos, "file must not be empty");
        free(s);
        s = NULL;
    }
    if (s) {
        free(im->file);
        im->file = s;
    }
}
static void img_load(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    (void)k;
    get_u64(c, v, "load", true, &((struct sys_image *)o)->load);
}
static const struct ykey image_keys[] = {
    {"file", Y_SCALAR, img_file, true},
    {"load", Y_SCALAR, img_load, true},
};
static void boot_kernel(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_guest *g = o;
    (void)k;
    g->kernel.pos = v->pos;
    WALK(c, v, image_keys, &g->kernel, "boot.kernel");
}
static void boot_ramdisk(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_guest *g = o;
    (void)k;
    g->ramdisk.pos = v->pos;
    WALK(c, v, image_keys, &g->ramdisk, "boot.ramdisk");
}
static const struct ykey boot_keys[] = {
    {"kernel", Y_MAP, boot_kernel, false},
    {"ramdisk", Y_MAP, boot_ramdisk, false},
};
static void g_boot(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    (void)k;
    WALK(c, v, boot_keys, o, "boot");
}

static const struct ykey guest_keys[] = {
    {"name", Y_SCALAR, g_name, true},
    {"vmid", Y_SCALAR, g_vmid, false},
    {"cpus", Y_SEQ, g_cpus, false},
    {"memory", Y_SEQ, g_memory, false},
    {"devices", Y_SEQ, g_devices, false},
    {"bootargs", Y_SCALAR, g_bootargs, false},
    {"stdout", Y_SCALAR, g_stdout, false},
    {"boot", Y_MAP, g_boot, false},
};

/* --- shared regions ----------------------------------------------------- */

static void p_guest(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_peer *p = o;
    (void)k;
    if (!want_scalar(c, v, "guest"))
        return;
    if (!model_valid_name(v->str)) {
        diag_report(c->d, CK_SCHEMA, v->pos, "invalid guest name '%s'", v->str);
        return;
    }
    p->guest = xstrdup(v->str);
}
static void p_ipa(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_peer *p = o;
    (void)k;
    p->has_ipa = get_u64(c, v, "ipa", true, &p->ipa);
}
static void p_access(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_peer *p = o;
    (void)k;
    if (!want_scalar(c, v, "access"))
        return;
    if (!strcmp(v->str, "rw"))
        p->access = SHM_RW;
    else if (!strcmp(v->str, "ro"))
        p->access = SHM_RO;
    else
        diag_report(c->d, CK_SCHEMA, v->pos, "access must be rw or ro, not '%s'", v->str);
}
static void p_doorbell(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_peer *p = o;
    (void)k;
    p->doorbell_pos = v->pos;
    p->has_doorbell = get_u32(c, v, "doorbell", 0, FRONT_SPI_MAX, &p->doorbell);
}
static const struct ykey peer_keys[] = {
    {"guest", Y_SCALAR, p_guest, true},
    {"ipa", Y_SCALAR, p_ipa, false},
    {"access", Y_SCALAR, p_access, false},
    {"doorbell", Y_SCALAR, p_doorbell, false},
};

static void sh_name(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_shared *sh = o;
    (void)k;
    if (!want_scalar(c, v, "name"))
        return;
    if (!model_valid_name(v->str)) {
        diag_report(c->d, CK_SCHEMA, v->pos,
                    "invalid shared region name '%s': use " MODEL_NAME_RULE, v->str);
        return;
    }
    sh->name = xstrdup(v->str);
}
static void sh_base(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_shared *sh = o;
    (void)k;
    sh->base_pos = v->pos;
    get_u64(c, v, "base", true, &sh->base);
}
static void sh_size(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_shared *sh = o;
    (void)k;
    sh->size_pos = v->pos;
    get_u64(c, v, "size", true, &sh->size);
}
static void sh_peers(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct sys_shared *sh = o;
    (void)k;
    for (size_t i = 0; i < v->n; i++) {
        struct sys_peer *p = VEC_ADD(&sh->peers);
        p->pos = v->items[i]->pos;
        p->guest_index = -1;
        WALK(c, v->items[i], peer_keys, p, "a shared-region peer");
    }
}
static const struct ykey shared_keys[] = {
    {"name", Y_SCALAR, sh_name, true},
    {"base", Y_SCALAR, sh_base, true},
    {"size", Y_SCALAR, sh_size, true},
    {"peers", Y_SEQ, sh_peers, true},
};

/* --- top level ---------------------------------------------------------- */

static void top_version(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct system *s = o;
    uint64_t x;
    (void)k;
    s->version_pos = v->pos;
    if (!get_u64(c, v, "dtpass", false, &x))
        return;
    if (x != MODEL_VERSION) {
        diag_report(c->d, CK_SCHEMA, v->pos,
                    "unsupported format version %llu: this dtpass reads version %d",
                    (unsigned long long)x, MODEL_VERSION);
        return;
    }
    s->version = (uint32_t)x;
}
static void top_board(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct system *s = o;
    (void)k;
    s->board_pos = v->pos;
    char *b = get_str(c, v, "board");
    if (b && !*b) {
        diag_report(c->d, CK_SCHEMA, v->pos, "board must name a file");
        free(b);
        b = NULL;
    }
    if (b) {
        free(s->board);
        s->board = b;
    }
}
static void top_platform(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    (void)k;
    WALK(c, v, platform_keys, o, "platform");
}
static void top_hypervisor(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    (void)k;
    WALK(c, v, hyp_keys, o, "hypervisor");
}
static void top_guests(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct system *s = o;
    (void)k;
    for (size_t i = 0; i < v->n; i++) {
        struct sys_guest *g = VEC_ADD(&s->guests);
        g->pos = v->items[i]->pos;
        g->name_pos = g->pos;
        WALK(c, v->items[i], guest_keys, g, "a guest");
    }
}
static void top_shared(struct yctx *c, const struct ynode *k, const struct ynode *v, void *o)
{
    struct system *s = o;
    (void)k;
    for (size_t i = 0; i < v->n; i++) {
        struct sys_shared *sh = VEC_ADD(&s->shared);
        sh->pos = v->items[i]->pos;
        WALK(c, v->items[i], shared_keys, sh, "a shared region");
    }
}
static const struct ykey top_keys[] = {
    {"dtpass", Y_SCALAR, top_version, true},
    {"board", Y_SCALAR, top_board, false},
    {"platform", Y_MAP, top_platform, false},
    {"hypervisor", Y_MAP, top_hypervisor, false},
    {"guests", Y_SEQ, top_guests, true},
    {"shared", Y_SEQ, top_shared, false},
};

int front_yaml(struct system *sys, const char *file, const char *text, size_t len,
               struct diag_sink *d)
{
    struct yctx c = {.sys = sys, .d = d, .file = diag_intern(d, file)};
    size_t before = diag_errors(d);
    if (!sys->file)
        sys->file = c.file;
    struct ynode *root = build_tree(&c, text, len);
    if (!root) {
        if (diag_errors(d) == before)
            diag_report(d, CK_SCHEMA, (struct srcpos){c.file, 1, 1},
                        "the system file is empty: it needs at least `dtpass: 1` and `guests:`");
        return -1;
    }
    if (root->kind == Y_SCALAR && root->plain && root->len == 0)
        diag_report(d, CK_SCHEMA, root->pos,
                    "the system file is empty: it needs at least `dtpass: 1` and `guests:`");
    else
        WALK(&c, root, top_keys, sys, "the system description");
    ynode_free(root);
    model_finish(sys, d);
    return diag_errors(d) > before ? -1 : 0;
}
