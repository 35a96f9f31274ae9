/* front/dsl.c — the DSL front end (`.dtpass`, docs/dsl.md): drives the
 * reentrant scanner and pure parser generated from grammar/, once per file
 * (includes get their own scanner and share the constants and the model),
 * and implements the grammar's semantic actions, which build exactly the
 * model the YAML front end builds: same defaults, same ranges, same
 * messages where the two syntaxes can make the same mistake.
 *
 * Check ids: `syntax` for what the scanner and parser reject (bad tokens,
 * unexpected tokens, unknown constants, include cycles), `schema` for
 * well-formed statements with bad values (out of range, overflow in a
 * constant expression, a singleton given twice, bad names). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "front/dsl_actions.h"
#include "front/front.h"
#include "front/front_util.h"

#include "dtpass.tab.h"
#include "dtpass.lex.h"

/* --- positions and errors ----------------------------------------------- */

struct srcpos dsl_pos(const struct dsl_state *st, const dsl_loc *loc)
{
    return (struct srcpos){st->file, (uint32_t)loc->first_line, (uint32_t)loc->first_column};
}

/* Called by the scanner for every match: the token starts where the last
 * one ended; newlines inside it (comments) move the line. */
void dsl_step(struct dsl_state *st, dsl_loc *loc, const char *text, size_t len)
{
    loc->first_line = st->line;
    loc->first_column = st->col;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n') {
            if (st->line < INT_MAX)
                st->line++;
            st->col = 1;
        } else if (((unsigned char)text[i] & 0xc0) != 0x80 && st->col < INT_MAX) {
            st->col++; /* columns count characters, as libyaml does */
        }
    }
    loc->last_line = st->line;
    loc->last_column = st->col;
}

static void vreport(struct dsl_state *st, enum check_id check, const dsl_loc *loc, const char *fmt,
                    va_list ap)
{
    char *msg = xvasprintf(fmt, ap);
    diag_report(st->sh->d, check, dsl_pos(st, loc), "%s", msg);
    free(msg);
}

void dsl_error_at(struct dsl_state *st, const dsl_loc *loc, const char *fmt, ...)
{
    st->nsyntax++;
    if (st->nsyntax > DSL_MAX_SYNTAX_ERRORS) {
        if (st->nsyntax == DSL_MAX_SYNTAX_ERRORS + 1)
            diag_report(st->sh->d, CK_SYNTAX, dsl_pos(st, loc),
                        "too many syntax errors in this file; not reporting more");
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vreport(st, CK_SYNTAX, loc, fmt, ap);
    va_end(ap);
}

static struct diag *schema_at(struct dsl_state *st, const dsl_loc *loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static struct diag *schema_at(struct dsl_state *st, const dsl_loc *loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    struct diag *dg = diag_report(st->sh->d, CK_SCHEMA, dsl_pos(st, loc), "%s", msg);
    free(msg);
    return dg;
}

/* Every keyword, for "did you mean" on a misspelt statement. */
static const char *const keywords[] = {
    "board", "include", "const", "platform", "ipa-bits", "pa-bits", "smmu", "sid-bits",
    "smrs", "context-banks", "hypervisor", "memory", "device", "guest", "vmid", "cpus", "at",
    "ipa", "irq", "dma", "stream-ids", "drop", "unsafe-no-iommu", "bootargs", "stdout",
    "kernel", "ramdisk", "shared", "rw", "ro", "doorbell", "true", "false", "root-cell",
};

/* Token names as bison gives them ("cpus", "';'", "number") in gcc's
 * style: keywords quoted with '', classes of tokens bare. */
static void put_token(struct strbuf *sb, const char *name)
{
    static const char *const classes[] = {"number", "identifier", "label", "string",
                                          "end of file", "invalid token"};
    for (size_t i = 0; i < ARRAY_SIZE(classes); i++)
        if (!strcmp(name, classes[i])) {
            sb_puts(sb, name);
            return;
        }
    if (name[0] == '\'')
        sb_puts(sb, name);
    else
        sb_printf(sb, "'%s'", name);
}

void dsl_syntax_error(struct dsl_state *st, const dsl_loc *loc, const char *unexpected,
                      const char *ident, const char *const *expected, size_t nexpected,
                      bool partial)
{
    struct strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, "unexpected ");
    put_token(&sb, unexpected);
    if (ident) {
        /* a misspelt statement keyword gets a suggestion */
        const char *best = front_closest(ident, keywords, ARRAY_SIZE(keywords));
        sb_printf(&sb, " '%.64s'", ident);
        if (best)
            sb_printf(&sb, " (did you mean '%s'?)", best);
    }
    for (size_t i = 0; i < nexpected; i++) {
        sb_puts(&sb, i == 0 ? ", expecting " : i + 1 == nexpected && !partial ? " or " : ", ");
        put_token(&sb, expected[i]);
    }
    if (partial && nexpected)
        sb_puts(&sb, " or another token");
    dsl_error_at(st, loc, "%s", sb.s);
    sb_free(&sb);
}

/* Only reached for bison's internal errors ("memory exhausted"): syntax
 * errors go through dsl_syntax_error. */
void yyerror(YYLTYPE *loc, yyscan_t scanner, struct dsl_state *st, const char *msg)
{
    (void)scanner;
    dsl_error_at(st, loc, "%s", msg);
}

char *dsl_unescape(struct dsl_state *st, const dsl_loc *loc, const char *s, size_t len)
{
    struct strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\\') {
            sb_putc(&sb, s[i]);
            continue;
        }
        if (++i >= len)
            break;
        switch (s[i]) {
        case 'n': sb_putc(&sb, '\n'); break;
        case 't': sb_putc(&sb, '\t'); break;
        case 'r': sb_putc(&sb, '\r'); break;
        case '\\': sb_putc(&sb, '\\'); break;
        case '"': sb_putc(&sb, '"'); break;
        case '\'': sb_putc(&sb, '\''); break;
        case 'x': {
            unsigned v = 0, k = 0;
            while (k < 2 && i + 1 < len) {
                char c = s[i + 1];
                unsigned dgt;
                if (c >= '0' && c <= '9') dgt = (unsigned)(c - '0');
                else if (c >= 'a' && c <= 'f') dgt = (unsigned)(c - 'a' + 10);
                else if (c >= 'A' && c <= 'F') dgt = (unsigned)(c - 'A' + 10);
                else break;
                v = v * 16 + dgt;
                k++;
                i++;
            }
            if (k == 0 || v == 0)
                dsl_error_at(st, loc, k ? "\\x00 is not allowed in a string"
                                        : "\\x needs one or two hex digits");
            else
                sb_putc(&sb, (char)v);
            break;
        }
        default:
            dsl_error_at(st, loc, "unknown escape '\\%c' in string", s[i]);
        }
    }
    return sb_take(&sb);
}

/* --- values ------------------------------------------------------------- */

struct dsl_val dsl_val_num(uint64_t n, const dsl_loc *loc)
{
    return (struct dsl_val){.v = n, .ok = true, .loc = *loc};
}

struct dsl_val dsl_val_const(struct dsl_state *st, char *name, const dsl_loc *loc)
{
    struct dsl_val r = {.loc = *loc};
    struct dsl_const *c = strmap_get(&st->sh->consts, name);
    if (c) {
        r.v = c->value;
        r.ok = true;
    } else {
        const char **names = xmalloc((st->sh->const_list.n + 1) * sizeof(*names));
        for (size_t i = 0; i < st->sh->const_list.n; i++)
            names[i] = st->sh->const_list.v[i]->name;
        const char *best = front_closest(name, names, st->sh->const_list.n);
        if (best)
            dsl_error_at(st, loc, "unknown constant '%s'; did you mean '%s'?", name, best);
        else
            dsl_error_at(st, loc, "unknown constant '%s' (define it with `const %s = ...;`)",
                         name, name);
        free(names);
    }
    free(name);
    return r;
}

struct dsl_val dsl_val_bin(struct dsl_state *st, int op, struct dsl_val a, struct dsl_val b,
                           const dsl_loc *oploc)
{
    struct dsl_val r = {.loc = a.loc};
    if (!a.ok || !b.ok)
        return r;
    bool ok = true;
    switch (op) {
    case '+': ok = u64_add(a.v, b.v, &r.v); break;
    case '*': ok = u64_mul(a.v, b.v, &r.v); break;
    case '|': r.v = a.v | b.v; break;
    case '-':
        ok = a.v >= b.v;
        r.v = a.v - b.v;
        break;
    case '<':
        ok = b.v < 64 && ((a.v << b.v) >> b.v) == a.v;
        r.v = ok ? a.v << b.v : 0;
        break;
    }
    if (!ok) {
        if (op == '-')
            schema_at(st, oploc, "constant expression goes below zero (0x%llx - 0x%llx)",
                      (unsigned long long)a.v, (unsigned long long)b.v);
        else
            schema_at(st, oploc, "constant expression overflows 64 bits");
        return r;
    }
    r.ok = true;
    return r;
}

static bool val_u32(struct dsl_state *st, struct dsl_val v, const char *what, uint64_t min,
                    uint64_t max, uint32_t *out)
{
    if (!v.ok)
        return false;
    if (v.v < min || v.v > max) {
        schema_at(st, &v.loc, "%s %llu is out of range %llu..%llu", what, (unsigned long long)v.v,
                  (unsigned long long)min, (unsigned long long)max);
        return false;
    }
    *out = (uint32_t)v.v;
    return true;
}

/* A statement that may appear once per block: remembers where. */
static bool once(struct dsl_state *st, struct srcpos *seen, const dsl_loc *kw, const char *what)
{
    if (seen->line) {
        struct diag *dg = schema_at(st, kw, "%s is given twice", what);
        diag_note(dg, *seen, NULL, "first given here");
        return false;
    }
    *seen = dsl_pos(st, kw);
    return true;
}

static bool check_ref(struct dsl_state *st, const char *ref, const dsl_loc *loc, const char *what)
{
    return front_valid_ref(st->sh->d, dsl_pos(st, loc), ref, strlen(ref), what);
}

static void set_ref(struct dsl_state *st, struct sys_ref *r, char *text, const dsl_loc *loc,
                    const char *what)
{
    if (!check_ref(st, text, loc, what)) {
        free(text);
        return;
    }
    free(r->text);
    r->text = text;
    r->pos = dsl_pos(st, loc);
}

/* --- top level ---------------------------------------------------------- */

void dsl_version(struct dsl_state *st, const dsl_loc *loc)
{
    if (st->depth == 0) {
        st->sh->sys->version = MODEL_VERSION;
        st->sh->sys->version_pos = dsl_pos(st, loc);
    }
}

void dsl_no_version(struct dsl_state *st)
{
    if (st->depth == 0) {
        dsl_loc l = {1, 1, 1, 1};
        dsl_error_at(st, &l, "a .dtpass file starts with the version tag `/dtpass-v1/;`");
    }
}

void dsl_board(struct dsl_state *st, char *file, const dsl_loc *loc)
{
    struct system *sys = st->sh->sys;
    if (!*file) {
        schema_at(st, loc, "board must name a file");
        free(file);
        return;
    }
    if (st->sh->board_seen) {
        struct diag *dg = schema_at(st, loc, "board is given twice");
        diag_note(dg, st->sh->board_pos, NULL, "first given here");
        free(file);
        return;
    }
    st->sh->board_seen = true;
    st->sh->board_pos = dsl_pos(st, loc);
    sys->board = file;
    sys->board_pos = st->sh->board_pos;
}

void dsl_const(struct dsl_state *st, char *name, const dsl_loc *loc, struct dsl_val v)
{
    struct dsl_const *prev = strmap_get(&st->sh->consts, name);
    if (prev) {
        struct diag *dg = schema_at(st, loc, "constant '%s' is defined twice", name);
        diag_note(dg, prev->pos, NULL, "first defined here");
        free(name);
        return;
    }
    if (!v.ok) { /* already reported; later uses would only repeat it */
        v.v = 0;
    }
    struct dsl_const *c = xcalloc(1, sizeof(*c));
    c->name = name;
    c->value = v.v;
    c->pos = dsl_pos(st, loc);
    VEC_PUSH(&st->sh->const_list, c);
    strmap_put(&st->sh->consts, c->name, c);
}

void dsl_close_all(struct dsl_state *st)
{
    st->in_guest = st->in_device = st->in_shared = st->in_smmu = st->in_peer = false;
}

void dsl_include(struct dsl_state *st, char *file, const dsl_loc *loc)
{
    struct dsl_shared *sh = st->sh;
    if (!*file) {
        schema_at(st, loc, "include needs a file name");
        free(file);
        return;
    }
    if (st->depth + 1 > DSL_MAX_INCLUDE_DEPTH) {
        dsl_error_at(st, loc, "includes nested deeper than %d levels", DSL_MAX_INCLUDE_DEPTH);
        free(file);
        return;
    }
    char *path = path_join(st->dir, file);
    char *canon = realpath(path, NULL);
    if (!canon) {
        diag_fatal(sh->d, dsl_pos(st, loc), "cannot include %s: %s", path, strerror(errno));
        free(path);
        free(file);
        return;
    }
    for (size_t i = 0; i < sh->stack.n; i++) {
        if (!strcmp(sh->stack.v[i], canon)) {
            dsl_error_at(st, loc, "include cycle: %s includes itself (through %zu file%s)", file,
                         sh->stack.n - i, sh->stack.n - i == 1 ? "" : "s");
            free(canon);
            free(path);
            free(file);
            return;
        }
    }
    free(canon);
    /* The included file gets its own scanner and state; only the model and
     * the constants are shared (includes are top-level statements). */
    dsl_parse_file(sh, path, st->depth + 1);
    free(path);
    free(file);
}

/* --- platform ----------------------------------------------------------- */

void dsl_ipa_bits(struct dsl_state *st, struct dsl_val v, const dsl_loc *kw)
{
    struct system *sys = st->sh->sys;
    if (!once(st, &st->sh->seen_ipa_bits, kw, "ipa-bits"))
        return;
    sys->ipa_bits_pos = dsl_pos(st, &v.loc);
    val_u32(st, v, "ipa-bits", FRONT_IPA_BITS_MIN, FRONT_IPA_BITS_MAX, &sys->ipa_bits);
}

void dsl_pa_bits(struct dsl_state *st, struct dsl_val v, const dsl_loc *kw)
{
    struct system *sys = st->sh->sys;
    if (!once(st, &st->sh->seen_pa_bits, kw, "pa-bits"))
        return;
    sys->pa_bits_pos = dsl_pos(st, &v.loc);
    val_u32(st, v, "pa-bits", FRONT_PA_BITS_MIN, FRONT_PA_BITS_MAX, &sys->pa_bits);
}

void dsl_smmu_begin(struct dsl_state *st, char *ref, const dsl_loc *kw, const dsl_loc *loc)
{
    struct system *sys = st->sh->sys;
    struct sys_smmu_param *p = VEC_ADD(&sys->smmus);
    p->pos = dsl_pos(st, kw);
    set_ref(st, &p->node, ref, loc, "smmu");
    st->smmu = sys->smmus.n - 1;
    st->in_smmu = true;
    st->seen_sid_bits = st->seen_smrs = st->seen_cbs = NOPOS;
}

void dsl_smmu_param(struct dsl_state *st, enum dsl_smmu_param which, struct dsl_val v,
                    const dsl_loc *kw)
{
    if (!st->in_smmu)
        return;
    struct sys_smmu_param *p = &st->sh->sys->smmus.v[st->smmu];
    switch (which) {
    case DSL_SID_BITS:
        if (once(st, &st->seen_sid_bits, kw, "sid-bits"))
            p->has_sid_bits = val_u32(st, v, "sid-bits", 1, 32, &p->sid_bits);
        break;
    case DSL_SMRS:
        if (once(st, &st->seen_smrs, kw, "smrs"))
            p->has_smrs = val_u32(st, v, "smrs", 1, 128, &p->smrs);
        break;
    case DSL_CONTEXT_BANKS:
        if (once(st, &st->seen_cbs, kw, "context-banks"))
            p->has_context_banks = val_u32(st, v, "context-banks", 1, 128, &p->context_banks);
        break;
    }
}

void dsl_smmu_end(struct dsl_state *st)
{
    st->in_smmu = false;
}

/* --- hypervisor --------------------------------------------------------- */

void dsl_hyp_memory(struct dsl_state *st, struct dsl_val base, struct dsl_val size,
                    const dsl_loc *kw)
{
    struct sys_mem *m = VEC_ADD(&st->sh->sys->hyp_memory);
    m->pos = dsl_pos(st, kw);
    m->base = base.v;
    m->size = size.v;
    m->base_pos = dsl_pos(st, &base.loc);
    m->size_pos = dsl_pos(st, &size.loc);
}

void dsl_hyp_device(struct dsl_state *st, char *ref, const dsl_loc *loc)
{
    struct sys_ref r = {0};
    set_ref(st, &r, ref, loc, "a hypervisor device");
    if (r.text)
        VEC_PUSH(&st->sh->sys->hyp_devices, r);
}

void dsl_hyp_root_cell(struct dsl_state *st, char *guest, const dsl_loc *loc)
{
    struct system *s = st->sh->sys;
    if (s->root_cell) {
        struct diag *dg = schema_at(st, loc, "root-cell is given twice");
        diag_note(dg, s->root_cell_pos, NULL, "first given here");
        free(guest);
        return;
    }
    s->root_cell_pos = dsl_pos(st, loc);
    if (!model_valid_name(guest)) {
        schema_at(st, loc, "invalid guest name '%s' for root-cell", guest);
        free(guest);
        return;
    }
    s->root_cell = guest;
}

void dsl_qnx_version(struct dsl_state *st, char *text, const dsl_loc *kw, const dsl_loc *loc)
{
    struct system *sys = st->sh->sys;
    if (once(st, &st->sh->seen_qnx_version, kw, "qnx-version")) {
        sys->qnx_version_pos = dsl_pos(st, loc);
        if (!model_qnx_version(text, &sys->qnx_version))
            schema_at(st, loc, "qnx-version must be \"7.1\" or \"8.0\", not '%s'", text);
    }
    free(text);
}

/* --- guests ------------------------------------------------------------- */

static struct sys_guest *cur_guest(struct dsl_state *st)
{
    return st->in_guest ? &st->sh->sys->guests.v[st->guest] : NULL;
}

void dsl_guest_begin(struct dsl_state *st, char *name, const dsl_loc *kw, const dsl_loc *loc)
{
    struct system *sys = st->sh->sys;
    struct sys_guest *g = VEC_ADD(&sys->guests);
    g->pos = dsl_pos(st, kw);
    g->name_pos = dsl_pos(st, loc);
    if (model_valid_name(name)) {
        g->name = name;
    } else {
        schema_at(st, loc, "invalid guest name '%s': use " MODEL_NAME_RULE, name);
        free(name);
    }
    st->guest = sys->guests.n - 1;
    st->in_guest = true;
    st->in_device = false;
    st->seen_vmid = st->seen_bootargs = st->seen_stdout = st->seen_kernel = st->seen_ramdisk =
        NOPOS;
}

void dsl_guest_end(struct dsl_state *st)
{
    st->in_guest = st->in_device = false;
}

void dsl_vmid(struct dsl_state *st, struct dsl_val v, const dsl_loc *kw)
{
    struct sys_guest *g = cur_guest(st);
    if (!g || !once(st, &st->seen_vmid, kw, "vmid"))
        return;
    g->vmid_pos = dsl_pos(st, &v.loc);
    g->has_vmid = val_u32(st, v, "vmid", FRONT_VMID_MIN, FRONT_VMID_MAX, &g->vmid);
}

void dsl_cpu(struct dsl_state *st, struct dsl_val v)
{
    struct sys_guest *g = cur_guest(st);
    struct sys_cpu c = {.pos = dsl_pos(st, &v.loc)};
    if (g && val_u32(st, v, "CPU index", 0, FRONT_CPU_MAX, &c.index))
        VEC_PUSH(&g->cpus, c);
}

void dsl_guest_memory(struct dsl_state *st, struct dsl_val base, struct dsl_val size,
                      const struct dsl_val *ipa, const dsl_loc *kw)
{
    struct sys_guest *g = cur_guest(st);
    if (!g)
        return;
    struct sys_mem *m = VEC_ADD(&g->memory);
    m->pos = dsl_pos(st, kw);
    m->base = base.v;
    m->size = size.v;
    m->base_pos = dsl_pos(st, &base.loc);
    m->size_pos = dsl_pos(st, &size.loc);
    if (ipa && ipa->ok) {
        m->has_ipa = true;
        m->ipa = ipa->v;
        m->ipa_pos = dsl_pos(st, &ipa->loc);
    }
}

void dsl_bootargs(struct dsl_state *st, char *s, const dsl_loc *kw)
{
    struct sys_guest *g = cur_guest(st);
    if (!g || !once(st, &st->seen_bootargs, kw, "bootargs")) {
        free(s);
        return;
    }
    g->bootargs_pos = dsl_pos(st, kw);
    g->bootargs = s;
}

void dsl_stdout(struct dsl_state *st, char *ref, const dsl_loc *loc)
{
    struct sys_guest *g = cur_guest(st);
    if (!g || !once(st, &st->seen_stdout, loc, "stdout")) {
        free(ref);
        return;
    }
    set_ref(st, &g->stdout_ref, ref, loc, "stdout");
}

void dsl_image(struct dsl_state *st, enum dsl_image which, char *file, struct dsl_val load,
               const dsl_loc *kw)
{
    struct sys_guest *g = cur_guest(st);
    const char *what = which == DSL_KERNEL ? "kernel" : "ramdisk";
    struct srcpos *seen = which == DSL_KERNEL ? &st->seen_kernel : &st->seen_ramdisk;
    if (!g || !once(st, seen, kw, what)) {
        free(file);
        return;
    }
    if (!*file) {
        schema_at(st, kw, "%s: file must not be empty", what);
        free(file);
        return;
    }
    struct sys_image *im = which == DSL_KERNEL ? &g->kernel : &g->ramdisk;
    im->file = file;
    im->load = load.v;
    im->pos = dsl_pos(st, kw);
}

/* --- devices ------------------------------------------------------------ */

static struct sys_device *cur_dev(struct dsl_state *st)
{
    struct sys_guest *g = cur_guest(st);
    return g && st->in_device ? &g->devices.v[st->device] : NULL;
}

void dsl_dev_begin(struct dsl_state *st, char *ref, const dsl_loc *loc)
{
    struct sys_guest *g = cur_guest(st);
    if (!g) {
        free(ref);
        return;
    }
    struct sys_device *d = VEC_ADD(&g->devices);
    d->dma = -1;
    d->ref.pos = dsl_pos(st, loc);
    set_ref(st, &d->ref, ref, loc, "a device");
    st->device = g->devices.n - 1;
    st->in_device = true;
    st->seen_ipa = st->seen_dma = st->seen_smmu_ref = st->seen_unsafe = NOPOS;
}

void dsl_dev_end(struct dsl_state *st)
{
    st->in_device = false;
}

void dsl_dev_ipa(struct dsl_state *st, struct dsl_val v, const dsl_loc *kw)
{
    struct sys_device *d = cur_dev(st);
    if (!d || !once(st, &st->seen_ipa, kw, "ipa") || !v.ok)
        return;
    d->ipa = v.v;
    d->has_ipa = true;
    d->ipa_pos = dsl_pos(st, &v.loc);
}

void dsl_dev_irq(struct dsl_state *st, struct dsl_val phys, struct dsl_val virt)
{
    struct sys_device *d = cur_dev(st);
    struct sys_irqmap m = {.pos = dsl_pos(st, &phys.loc)};
    if (!d)
        return;
    bool ok = val_u32(st, phys, "physical SPI", 0, FRONT_SPI_MAX, &m.phys);
    ok &= val_u32(st, virt, "guest SPI", 0, FRONT_SPI_MAX, &m.virt);
    if (ok)
        VEC_PUSH(&d->irqs, m);
}

void dsl_dev_dma(struct dsl_state *st, bool dma, const dsl_loc *kw)
{
    struct sys_device *d = cur_dev(st);
    if (!d || !once(st, &st->seen_dma, kw, "dma"))
        return;
    d->dma = dma;
    d->dma_pos = dsl_pos(st, kw);
}

void dsl_dev_sid(struct dsl_state *st, struct dsl_val v, const dsl_loc *loc)
{
    struct sys_device *d = cur_dev(st);
    uint32_t sid;
    if (!d)
        return;
    if (!d->sids_pos.line)
        d->sids_pos = dsl_pos(st, loc);
    if (val_u32(st, v, "stream ID", 0, UINT32_MAX, &sid))
        VEC_PUSH(&d->stream_ids, sid);
}

void dsl_dev_smmu(struct dsl_state *st, char *ref, const dsl_loc *loc)
{
    struct sys_device *d = cur_dev(st);
    if (!d || !once(st, &st->seen_smmu_ref, loc, "smmu")) {
        free(ref);
        return;
    }
    set_ref(st, &d->smmu, ref, loc, "smmu");
}

void dsl_dev_drop(struct dsl_state *st, char *prop, const dsl_loc *loc)
{
    struct sys_device *d = cur_dev(st);
    if (!d || !front_valid_propname(st->sh->d, dsl_pos(st, loc), prop, strlen(prop))) {
        free(prop);
        return;
    }
    if (!d->drop_pos.line)
        d->drop_pos = dsl_pos(st, loc);
    VEC_PUSH(&d->drop, prop);
}

void dsl_dev_unsafe(struct dsl_state *st, char *reason, const dsl_loc *kw, const dsl_loc *loc)
{
    struct sys_device *d = cur_dev(st);
    if (!d || !once(st, &st->seen_unsafe, kw, "unsafe-no-iommu")) {
        free(reason);
        return;
    }
    if (!*reason) {
        schema_at(st, loc, "unsafe-no-iommu must give a reason");
        free(reason);
        return;
    }
    d->unsafe_no_iommu = reason;
    d->unsafe_pos = dsl_pos(st, loc);
}

/* --- shared regions ----------------------------------------------------- */

void dsl_shared_begin(struct dsl_state *st, char *name, const dsl_loc *kw, const dsl_loc *loc,
                      struct dsl_val base, struct dsl_val size)
{
    struct system *sys = st->sh->sys;
    struct sys_shared *sh = VEC_ADD(&sys->shared);
    sh->pos = dsl_pos(st, kw);
    if (model_valid_name(name)) {
        sh->name = name;
    } else {
        schema_at(st, loc, "invalid shared region name '%s': use " MODEL_NAME_RULE, name);
        free(name);
    }
    sh->base = base.v;
    sh->size = size.v;
    sh->base_pos = dsl_pos(st, &base.loc);
    sh->size_pos = dsl_pos(st, &size.loc);
    st->shared = sys->shared.n - 1;
    st->in_shared = true;
}

void dsl_shared_end(struct dsl_state *st)
{
    st->in_shared = st->in_peer = false;
}

static struct sys_peer *cur_peer(struct dsl_state *st)
{
    if (!st->in_shared || !st->in_peer)
        return NULL;
    return &st->sh->sys->shared.v[st->shared].peers.v[st->peer];
}

void dsl_peer_begin(struct dsl_state *st, char *guest, const dsl_loc *loc)
{
    if (!st->in_shared) {
        free(guest);
        return;
    }
    struct sys_shared *sh = &st->sh->sys->shared.v[st->shared];
    struct sys_peer *p = VEC_ADD(&sh->peers);
    p->pos = dsl_pos(st, loc);
    p->guest_index = -1;
    if (model_valid_name(guest)) {
        p->guest = guest;
    } else {
        schema_at(st, loc, "invalid guest name '%s'", guest);
        free(guest);
    }
    st->peer = sh->peers.n - 1;
    st->in_peer = true;
    st->seen_access = st->seen_at = st->seen_doorbell = NOPOS;
}

void dsl_peer_access(struct dsl_state *st, int access, const dsl_loc *loc)
{
    struct sys_peer *p = cur_peer(st);
    if (p && once(st, &st->seen_access, loc, "the access (rw or ro)"))
        p->access = access == SHM_RO ? SHM_RO : SHM_RW;
}

void dsl_peer_ipa(struct dsl_state *st, struct dsl_val v, const dsl_loc *kw)
{
    struct sys_peer *p = cur_peer(st);
    if (p && once(st, &st->seen_at, kw, "at") && v.ok) {
        p->ipa = v.v;
        p->has_ipa = true;
    }
}

void dsl_peer_doorbell(struct dsl_state *st, struct dsl_val v, const dsl_loc *kw)
{
    struct sys_peer *p = cur_peer(st);
    if (p && once(st, &st->seen_doorbell, kw, "doorbell")) {
        p->doorbell_pos = dsl_pos(st, &v.loc);
        p->has_doorbell = val_u32(st, v, "doorbell", 0, FRONT_SPI_MAX, &p->doorbell);
    }
}

void dsl_peer_end(struct dsl_state *st)
{
    st->in_peer = false;
}

/* --- driver ------------------------------------------------------------- */

int dsl_parse_file(struct dsl_shared *sh, const char *path, int depth)
{
    struct diag_sink *d = sh->d;
    size_t len = 0;
    const char *file = diag_intern(d, path);
    char *text = read_file(path, FRONT_MAX_FILE, &len);
    if (!text) {
        if (errno == EFBIG)
            diag_fatal(d, (struct srcpos){file, 0, 0}, "%s is larger than %u MiB", path,
                       FRONT_MAX_FILE >> 20);
        else
            diag_fatal(d, (struct srcpos){file, 0, 0}, "cannot read %s: %s", path,
                       strerror(errno));
        return -1;
    }
    diag_add_source(d, file, text, len);
    VEC_PUSH(&sh->sys->inputs, xstrdup(path));
    char *canon = realpath(path, NULL);
    VEC_PUSH(&sh->stack, canon ? canon : xstrdup(path));

    struct dsl_state st = {
        .sh = sh,
        .file = file,
        .dir = path_dirname(path),
        .depth = depth,
        .line = 1,
        .col = 1,
    };
    yyscan_t scanner;
    int rc = -1;
    if (yylex_init_extra(&st, &scanner) == 0) {
        YY_BUFFER_STATE buf = yy_scan_bytes(text, (int)len, scanner);
        rc = yyparse(scanner, &st) == 0 ? 0 : -1;
        yy_delete_buffer(buf, scanner);
        yylex_destroy(scanner);
    } else {
        diag_fatal(d, NOPOS, "cannot initialise the DSL scanner");
    }
    free((char *)st.dir);
    free(sh->stack.v[--sh->stack.n]);
    free(text);
    return rc;
}

int front_dsl(struct system *sys, const char *file, struct diag_sink *d)
{
    struct dsl_shared sh = {.sys = sys, .d = d};
    size_t before = diag_errors(d);
    strmap_init(&sh.consts);
    if (!sys->file)
        sys->file = diag_intern(d, file);
    dsl_parse_file(&sh, file, 0);
    for (size_t i = 0; i < sh.const_list.n; i++) {
        free(sh.const_list.v[i]->name);
        free(sh.const_list.v[i]);
    }
    VEC_FREE(&sh.const_list);
    strmap_free(&sh.consts);
    VEC_FREE(&sh.stack);
    if (diag_errors(d) > before && sys->version == 0 && sys->guests.n == 0)
        return -1;
    model_finish(sys, d);
    return diag_errors(d) > before ? -1 : 0;
}
