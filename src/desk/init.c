/* desk/init.c — `dtpass init --board FILE [--guests N] [-o FILE]`: a starter
 * system written from the board: the format version, the board, hypervisor
 * memory, N guests with the CPUs and the rest of one RAM bank split between
 * them, the board's console kept by the hypervisor, and every assignable
 * unit (checks/units.c) as a commented-out device entry with its reasons and
 * needs. YAML, or the DSL for a `.dtpass` name. The file as written passes
 * `dtpass check`; docs/desk.md says where everything is placed and why. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "desk/desk.h"

#define MIB (1ull << 20)
#define HYP_SIZE (64 * MIB)
#define ALIGN (2 * MIB) /* a stage-2 block: guests get whole 2 MiB blocks */

struct plan {
    uint64_t hyp_base;
    uint64_t guest_base[DESK_GUESTS_MAX], guest_size;
    uint32_t guests, cpus_per_guest;
    bool wide; /* RAM above 1 TiB: ipa-bits/pa-bits 48 */
    const struct unit *console; /* the unit of /chosen stdout-path, kept by the hypervisor */
};

static int range_cmp(const void *pa, const void *pb)
{
    const struct board_range *a = pa, *b = pb;
    return a->base < b->base ? -1 : a->base > b->base;
}

/* RAM that nothing else claims: board RAM (no-map regions already out)
 * minus /memreserve/, every /reserved-memory region, mapped or not, and
 * device registers a sloppy /memory covers (mmio-in-ram would refuse
 * them). The largest such range, 2 MiB aligned inwards. Holes are sorted,
 * so each bank is one sweep. */
static bool largest_free(const struct board *b, uint64_t *base, uint64_t *size)
{
    VEC(struct board_range) holes = {0};
    for (uint32_t i = 0; i < b->nmemrsv; i++)
        VEC_PUSH(&holes, b->memrsv[i]);
    const struct board_node *rm = board_lookup(b, "/reserved-memory");
    for (const struct board_node *r = rm ? rm->first_child : NULL; r; r = r->next_sibling)
        for (uint32_t k = 0; k < r->nmmio; k++)
            VEC_PUSH(&holes, r->mmio[k]);
    for (uint32_t i = 0; i < b->nnodes; i++)
        if (b->nodes[i]->nmmio && !board_memory_node(b, b->nodes[i]))
            for (uint32_t k = 0; k < b->nodes[i]->nmmio; k++)
                VEC_PUSH(&holes, b->nodes[i]->mmio[k]);
    if (holes.n > 1)
        qsort(holes.v, holes.n, sizeof(*holes.v), range_cmp);
    uint64_t best = 0, best_base = 0;
    for (uint32_t i = 0; i < b->nram; i++) {
        uint64_t lo = b->ram[i].base, end = b->ram[i].base + b->ram[i].size;
        for (size_t h = 0; h <= holes.n && lo < end; h++) {
            uint64_t hlo = h < holes.n ? holes.v[h].base : end;
            uint64_t hhi = h < holes.n ? holes.v[h].base + holes.v[h].size : end;
            if (hhi <= lo)
                continue;
            uint64_t hi = hlo < end ? hlo : end;
            uint64_t alo = (lo + ALIGN - 1) & ~(ALIGN - 1), ahi = hi & ~(ALIGN - 1);
            if (hi > lo && ahi > alo && ahi - alo > best) {
                best = ahi - alo;
                best_base = alo;
            }
            if (hhi > lo)
                lo = hhi;
        }
    }
    VEC_FREE(&holes);
    *base = best_base;
    *size = best;
    return best > 0;
}

/* The node /chosen stdout-path names ("serial0:115200n8" or a path). */
static const struct board_node *console_node(const struct board *b)
{
    const struct board_node *ch = board_lookup(b, "/chosen");
    const char *sp = ch ? board_prop_str(ch, "stdout-path") : NULL;
    if (!sp)
        return NULL;
    char ref[256];
    size_t n = strcspn(sp, ":");
    if (n >= sizeof(ref))
        return NULL;
    memcpy(ref, sp, n);
    ref[n] = '\0';
    return board_lookup(b, ref);
}

static int make_plan(struct dtpass_ctx *ctx, const struct units *us, struct plan *p)
{
    const struct board *b = &ctx->board;
    memset(p, 0, sizeof(*p));
    p->guests = ctx->opt.guests ? ctx->opt.guests : 2;
    if (b->ncpus < p->guests) {
        diag_fatal(&ctx->diag, NOPOS, "%s has %" PRIu32 " CPUs: not enough for %" PRIu32 " guests",
                   b->file, b->ncpus, p->guests);
        return -1;
    }
    p->cpus_per_guest = b->ncpus / p->guests;
    uint64_t base, size;
    if (!b->nram) {
        diag_fatal(&ctx->diag, NOPOS,
                   "%s describes no RAM (no /memory reg with a size: a bootloader fills it in at "
                   "boot); write its RAM into the board's /memory node first",
                   b->file);
        return -1;
    }
    if (!largest_free(b, &base, &size) || size < HYP_SIZE + p->guests * ALIGN) {
        diag_fatal(&ctx->diag, NOPOS,
                   "%s has no RAM range of 64 MiB + %" PRIu32 " x 2 MiB free of reserved memory",
                   b->file, p->guests);
        return -1;
    }
    p->hyp_base = base;
    p->guest_size = ((size - HYP_SIZE) / p->guests) & ~(ALIGN - 1);
    for (uint32_t g = 0; g < p->guests; g++)
        p->guest_base[g] = base + HYP_SIZE + g * p->guest_size;
    p->wide = base + size > (1ull << 40);
    const struct board_node *con = console_node(b);
    for (size_t i = 0; con && i < us->n; i++)
        for (size_t k = 0; k < us->v[i].devices.n; k++)
            for (const struct board_node *a = con; a; a = a->parent)
                if (a == us->v[i].devices.v[k])
                    p->console = &us->v[i];
    if (p->console && p->console->hypervisor)
        p->console = NULL; /* already the hypervisor's: nothing to write */
    return 0;
}

struct syntax {
    const char *comment;                                     /* line comment */
    const char *unsafe_key;                                  /* how the override is spelled */
    void (*entry)(struct strbuf *sb, const char *path, const char *indent);
};

static void yaml_entry(struct strbuf *sb, const char *path, const char *indent)
{
    sb_printf(sb, "%s# ", indent);
    sb_json_str(sb, path);
    sb_puts(sb, ",\n");
}

static void dsl_entry(struct strbuf *sb, const char *path, const char *indent)
{
    sb_printf(sb, "%s// device ", indent);
    sb_json_str(sb, path);
    sb_puts(sb, ";\n");
}

/* A unit as comments: what it is, why its devices go together, what it
 * needs, then its entries ready to uncomment. */
static void unit_block(struct strbuf *sb, const struct syntax *sy, const struct unit *u,
                       const char *indent)
{
    sb_printf(sb, "%s%s unit %" PRIu32 ":", indent, sy->comment, u->id);
    for (size_t k = 0; k < u->devices.n; k++)
        sb_printf(sb, " %s%s", u->devices.v[k]->path, u->devices.v[k]->disabled ? " (disabled)" : "");
    sb_puts(sb, "\n");
    struct strbuf d;
    sb_init(&d);
    char ind[64];
    snprintf(ind, sizeof(ind), "%s%s   ", indent, sy->comment);
    unit_describe(&d, u, ind);
    if (d.len)
        sb_putn(sb, d.s, d.len);
    sb_free(&d);
    if (u->hypervisor)
        return;
    if (u->dma && !u->smmu)
        sb_printf(sb, "%s   no IOMMU: dma-no-iommu refuses it unless %s says why that is safe\n", ind,
                  sy->unsafe_key);
    for (size_t k = 0; k < u->devices.n; k++)
        sy->entry(sb, u->devices.v[k]->path, indent);
}

static void write_yaml(struct strbuf *sb, const struct plan *p, const struct units *us,
                       const char *board)
{
    static const struct syntax sy = {"#", "`unsafe-no-iommu: \"reason\"`", yaml_entry};
    sb_puts(sb, "dtpass: 1\nboard: ");
    sb_json_str(sb, board);
    sb_puts(sb, "\n");
    if (p->wide)
        sb_puts(sb, "platform: { ipa-bits: 48, pa-bits: 48 }\n");
    sb_printf(sb, "hypervisor:\n  memory: [ { base: 0x%" PRIx64 ", size: 64M } ]   # the hypervisor and "
                  "its tables\n", p->hyp_base);
    if (p->console) {
        sb_puts(sb, "  devices: [ ");
        for (size_t k = 0; k < p->console->devices.n; k++) {
            if (k)
                sb_puts(sb, ", ");
            sb_json_str(sb, p->console->devices.v[k]->path);
        }
        sb_puts(sb, " ]   # the board's console (/chosen stdout-path)\n");
    }
    sb_puts(sb, "guests:\n");
    for (uint32_t g = 0; g < p->guests; g++) {
        sb_printf(sb, "  - name: guest%" PRIu32 "\n    cpus: [ ", g);
        for (uint32_t c = 0; c < p->cpus_per_guest; c++)
            sb_printf(sb, "%s%" PRIu32, c ? ", " : "", g * p->cpus_per_guest + c);
        sb_printf(sb, " ]\n    memory: [ { base: 0x%" PRIx64 ", size: 0x%" PRIx64 " } ]\n",
                  p->guest_base[g], p->guest_size);
        if (g) {
            sb_puts(sb, "    devices: [ ]\n");
            continue;
        }
        sb_puts(sb, "    devices: [\n");
        sb_puts(sb, "      # Every assignable unit of the board (dtpass board --groups): uncomment\n"
                    "      # a unit's entries here or under another guest; a unit's devices go\n"
                    "      # together.\n");
        for (size_t i = 0; i < us->n; i++)
            if (&us->v[i] != p->console)
                unit_block(sb, &sy, &us->v[i], "      ");
        sb_puts(sb, "    ]\n");
    }
}

static void write_dsl(struct strbuf *sb, const struct plan *p, const struct units *us,
                      const char *board)
{
    static const struct syntax sy = {"//", "`unsafe-no-iommu \"reason\";`", dsl_entry};
    sb_puts(sb, "/dtpass-v1/;\nboard ");
    sb_json_str(sb, board);
    sb_puts(sb, ";\n");
    if (p->wide)
        sb_puts(sb, "platform { ipa-bits 48; pa-bits 48; }\n");
    sb_printf(sb, "hypervisor {\n    memory 0x%" PRIx64 " 64M;   // the hypervisor and its tables\n",
              p->hyp_base);
    for (size_t k = 0; p->console && k < p->console->devices.n; k++) {
        sb_puts(sb, "    device ");
        sb_json_str(sb, p->console->devices.v[k]->path);
        sb_puts(sb, ";   // the board's console (/chosen stdout-path)\n");
    }
    sb_puts(sb, "}\n");
    for (uint32_t g = 0; g < p->guests; g++) {
        sb_printf(sb, "guest guest%" PRIu32 " {\n    cpus ", g);
        for (uint32_t c = 0; c < p->cpus_per_guest; c++)
            sb_printf(sb, "%s%" PRIu32, c ? ", " : "", g * p->cpus_per_guest + c);
        sb_printf(sb, ";\n    memory 0x%" PRIx64 " 0x%" PRIx64 ";\n", p->guest_base[g], p->guest_size);
        if (!g) {
            sb_puts(sb, "    // Every assignable unit of the board (dtpass board --groups): uncomment\n"
                        "    // a unit's entries here or in another guest; a unit's devices go\n"
                        "    // together.\n");
            for (size_t i = 0; i < us->n; i++)
                if (&us->v[i] != p->console)
                    unit_block(sb, &sy, &us->v[i], "    ");
        }
        sb_puts(sb, "}\n");
    }
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* The board as the system file names it: relative to the file's directory
 * (`board:` is read relative to the system file), else as given. */
static char *board_for(const char *board, const char *out)
{
    char bdir[PATH_MAX], odir[PATH_MAX];
    if (!out || !realpath(board, bdir))
        return xstrdup(board);
    char *o = xstrdup(out), *slash = strrchr(o, '/');
    if (slash)
        *slash = '\0';
    bool ok = realpath(slash ? (*o ? o : "/") : ".", odir) != NULL;
    free(o);
    if (!ok)
        return xstrdup(board);
    /* Common prefix by whole components, then one "../" per remaining
     * component of the output's directory. */
    size_t i = 0, last = 0;
    while (bdir[i] && odir[i] && bdir[i] == odir[i]) {
        if (bdir[i] == '/')
            last = i;
        i++;
    }
    if (!odir[i] && bdir[i] == '/')
        last = i;
    struct strbuf sb;
    sb_init(&sb);
    for (const char *q = odir + last; *q; q++)
        if (*q == '/' && q[1])
            sb_puts(&sb, "../");
    sb_puts(&sb, bdir + last + 1);
    return sb.s;
}

int desk_init(struct dtpass_ctx *ctx)
{
    const char *out = ctx->opt.init_out;
    struct units us;
    board_units(&ctx->board, &us);
    struct plan p;
    int rc = make_plan(ctx, &us, &p);
    if (rc == 0) {
        char *board = board_for(ctx->opt.board, out);
        struct strbuf sb;
        sb_init(&sb);
        sb_printf(&sb, "%s Starter system for %s, written by `dtpass init`: edit, then `dtpass check`.\n",
                  out && ends_with(out, ".dtpass") ? "//" : "#",
                  ctx->board.model ? ctx->board.model : board);
        if (out && ends_with(out, ".dtpass"))
            write_dsl(&sb, &p, &us, board);
        else
            write_yaml(&sb, &p, &us, board);
        if (!out) {
            fwrite(sb.s, 1, sb.len, stdout);
        } else if (write_new_file(out, sb.s, sb.len)) {
            if (errno == EEXIST)
                diag_fatal(&ctx->diag, NOPOS, "%s exists: dtpass init never overwrites a file", out);
            else
                diag_fatal(&ctx->diag, NOPOS, "cannot write %s: %s", out, strerror(errno));
            rc = -1;
        }
        sb_free(&sb);
        free(board);
    }
    units_free(&us);
    return rc;
}
