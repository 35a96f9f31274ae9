/* tests/unit/test_guest_dt.c — the guest device trees (SPEC §5), checked on
 * the blobs with libfdt, independently of the lowering code: every golden
 * case's input (tests/golden/<case>/input/system.yaml: each example through
 * its link, and the rewrite fixture tests/golden/rewrites/), and
 * the boot-test systems on the cached QEMU boards go through the whole
 * pipeline in process, and each guest DTB must
 *   - pass fdt_check_full;
 *   - have unique phandles, and every phandle reference dtpass knows about
 *     (clocks, resets, power-domains, *-gpios, *-supply, pinctrl-N, ...)
 *     resolve to a node with the right #...-cells, the cell counts adding up;
 *   - route every interrupt to the vGIC (3 cells, SPI < 988) or to an
 *     interrupt controller in the guest; the root's interrupt-parent is the
 *     vGIC, which sits at the board GIC's address;
 *   - carry no iommus / iommu-map, and msi-parent / msi-map only to an MSI
 *     controller the guest has (never the GIC's ITS);
 *   - place every device reg inside one of the guest's device windows (the
 *     resolved IPAs), and only there;
 *   - describe exactly the guest's RAM in /memory and its shared windows in
 *     /reserved-memory (no-map, read-only for ro peers);
 *   - have /cpus with one node per vCPU, and aliases and stdout-path that
 *     resolve.
 * And a sweep over every board of Debian's kernel package (the board cache):
 * a guest given every top-level MMIO device of the board (the checks are
 * bypassed: this is about the carving, not about isolation) gets a DTB that
 * passes the same checks and draws no dtc warning the board itself does not
 * draw. */
#include <glob.h>
#include <unistd.h>
#include <libfdt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "board/board.h"
#include "checks/checks.h"
#include "dtpass.h"
#include "emit/guest_dt.h"
#include "front/front.h"
#include "lower/guest_tree.h"
#include "lower/lower.h"
#include "resolve/resolve.h"

struct built {
    struct dtpass_ctx ctx;
};

static int build(struct built *b, const char *sys, const char *board_override)
{
    struct dtpass_ctx *ctx = &b->ctx;
    memset(b, 0, sizeof(*b));
    diag_init(&ctx->diag);
    system_init(&ctx->sys);
    outputs_init(&ctx->out);
    ctx->opt.outdir = "/nonexistent";
    ctx->opt.targets = T_DTS | T_DTB;
    if (front_load(&ctx->sys, sys, &ctx->diag))
        return -1;
    char *board;
    if (board_override) {
        board = xstrdup(board_override);
    } else {
        char *dir = path_dirname(sys);
        board = path_join(dir, ctx->sys.board);
        free(dir);
    }
    struct board_options bo = {0};
    int rc = board_load(&ctx->board, board, &bo, &ctx->diag);
    free(board);
    if (rc)
        return -1;
    ctx->board_loaded = true;
    if (resolve(ctx) || checks_run(ctx) || diag_errors(&ctx->diag))
        return -1;
    return lower_guest_trees(ctx);
}

static void unbuild(struct built *b)
{
    struct dtpass_ctx *ctx = &b->ctx;
    if (diag_errors(&ctx->diag))
        diag_render_text(&ctx->diag, stderr, false);
    lower_free(ctx);
    if (ctx->board_loaded)
        board_free(&ctx->board);
    system_free(&ctx->sys);
    outputs_abort(&ctx->out);
    diag_free(&ctx->diag);
}

/* --- the blob checker --- */

struct ix_node {
    int off, parent;
};
struct ix_ph {
    uint32_t ph;
    int off;
};

struct chk {
    const void *fdt;
    const char *what; /* "<system>:<guest>" for messages */
    const struct dtpass_ctx *ctx;
    const struct sys_guest *g;
    int gic;          /* offset of the vGIC */
    int failures;
    /* One pass over the blob: every node's offset and parent (libfdt's
     * fdt_parent_offset and fdt_node_offset_by_phandle walk the whole blob
     * each time), and the phandles sorted. */
    VEC(struct ix_node) nodes;
    VEC(struct ix_ph) phs;
};

static int ph_cmp(const void *a, const void *b)
{
    const uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void index_blob(struct chk *c)
{
    int stack[256], depth = 0, node = 0;
    for (; node >= 0 && depth >= 0; node = fdt_next_node(c->fdt, node, &depth)) {
        assert_true(depth < 256);
        stack[depth] = node;
        VEC_ADD(&c->nodes)->off = node;
        c->nodes.v[c->nodes.n - 1].parent = depth ? stack[depth - 1] : -1;
        int len;
        const fdt32_t *p = fdt_getprop(c->fdt, node, "phandle", &len);
        if (p && len == 4) {
            VEC_ADD(&c->phs)->ph = fdt32_to_cpu(*p);
            c->phs.v[c->phs.n - 1].off = node;
        }
    }
    if (c->phs.n > 1)
        qsort(c->phs.v, c->phs.n, sizeof(c->phs.v[0]), ph_cmp);
}

static int par(const struct chk *c, int off)
{
    size_t lo = 0, hi = c->nodes.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->nodes.v[mid].off == off)
            return c->nodes.v[mid].parent;
        if (c->nodes.v[mid].off < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static int byph(const struct chk *c, uint32_t ph)
{
    size_t lo = 0, hi = c->phs.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->phs.v[mid].ph == ph)
            return c->phs.v[mid].off;
        if (c->phs.v[mid].ph < ph)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static void bad(struct chk *c, int node, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void bad(struct chk *c, int node, const char *fmt, ...)
{
    char path[512] = "?";
    if (node >= 0)
        fdt_get_path(c->fdt, node, path, sizeof(path));
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: %s: ", c->what, path);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    c->failures++;
}

static bool u32prop(const void *fdt, int node, const char *name, uint32_t *v)
{
    int len;
    const fdt32_t *p = fdt_getprop(fdt, node, name, &len);
    if (!p || len != 4)
        return false;
    *v = fdt32_to_cpu(*p);
    return true;
}

static bool has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

/* Reference properties with a cells property (NULL: phandles only). */
static const char *ref_cells(const char *name, bool *is_ref)
{
    static const struct { const char *prop, *cells; } spec[] = {
        {"clocks", "#clock-cells"}, {"assigned-clocks", "#clock-cells"},
        {"resets", "#reset-cells"}, {"power-domains", "#power-domain-cells"},
        {"phys", "#phy-cells"}, {"dmas", "#dma-cells"}, {"mboxes", "#mbox-cells"},
        {"pwms", "#pwm-cells"}, {"io-channels", "#io-channel-cells"},
        {"interconnects", "#interconnect-cells"}, {"memory-region", NULL},
        {"phy-handle", NULL}, {"nvmem-cells", NULL}, {"interrupt-parent", NULL},
    };
    *is_ref = true;
    if (strstr(name, "nr-gpio")) { /* snps,nr-gpios = <32>: a count, kept as it is */
        *is_ref = false;
        return NULL;
    }
    for (size_t i = 0; i < ARRAY_SIZE(spec); i++)
        if (!strcmp(name, spec[i].prop))
            return spec[i].cells;
    if (!strcmp(name, "gpios") || !strcmp(name, "gpio") || has_suffix(name, "-gpios"))
        return "#gpio-cells";
    if (has_suffix(name, "-supply") || (!strncmp(name, "pinctrl-", 8) && name[8] >= '0' && name[8] <= '9'))
        return NULL;
    *is_ref = false;
    return NULL;
}

static void check_refs(struct chk *c, int node, const char *name, const fdt32_t *v, int len)
{
    bool is_ref;
    const char *cells = ref_cells(name, &is_ref);
    if (!is_ref)
        return;
    if (cells && !strcmp(cells, "#gpio-cells") && fdt_getprop(c->fdt, node, "gpio-hog", NULL))
        return; /* a hog's gpios are line numbers of its parent */
    if (len % 4) {
        bad(c, node, "%s: length %d is not a multiple of 4", name, len);
        return;
    }
    for (int i = 0; i < len / 4;) {
        uint32_t ph = fdt32_to_cpu(v[i++]);
        if (ph == 0)
            continue;
        int prov = byph(c, ph);
        if (prov < 0) {
            bad(c, node, "%s: phandle 0x%x does not resolve", name, ph);
            return;
        }
        uint32_t n = 0;
        if (cells && !u32prop(c->fdt, prov, cells, &n)) {
            bad(c, node, "%s: provider has no %s", name, cells);
            return;
        }
        if (n > (uint32_t)(len / 4 - i)) {
            bad(c, node, "%s: specifier runs past the end", name);
            return;
        }
        i += (int)n;
    }
}

/* The effective interrupt parent (Linux's rules). */
static int irq_parent(const struct chk *c, int node)
{
    const void *fdt = c->fdt;
    for (int guard = 0; node >= 0 && guard < 64; guard++) {
        uint32_t ph;
        if (u32prop(fdt, node, "interrupt-parent", &ph))
            node = byph(c, ph);
        else
            node = par(c, node);
        if (node >= 0 && fdt_getprop(fdt, node, "#interrupt-cells", NULL))
            return node;
    }
    return -1;
}

static void check_spec(struct chk *c, int node, int parent, const fdt32_t *cells, uint32_t n)
{
    if (parent == c->gic) {
        if (n != 3) {
            bad(c, node, "GIC specifier with %u cells", n);
            return;
        }
        uint32_t type = fdt32_to_cpu(cells[0]), num = fdt32_to_cpu(cells[1]);
        if (type > 1 || (type == 0 && num >= 988) || (type == 1 && num >= 16))
            bad(c, node, "bad GIC specifier <%u %u>", type, num);
    } else if (!fdt_getprop(c->fdt, parent, "interrupt-controller", NULL)) {
        bad(c, node, "interrupt parent is not an interrupt controller");
    }
}

static void check_interrupts(struct chk *c, int node)
{
    int len;
    const fdt32_t *v = fdt_getprop(c->fdt, node, "interrupts", &len);
    if (v) {
        int par = irq_parent(c, node);
        uint32_t ic;
        if (par < 0 || !u32prop(c->fdt, par, "#interrupt-cells", &ic) || !ic || len % (4 * ic)) {
            bad(c, node, "interrupts without a usable interrupt parent");
        } else {
            for (int i = 0; i < len / 4; i += (int)ic)
                check_spec(c, node, par, v + i, ic);
        }
    }
    v = fdt_getprop(c->fdt, node, "interrupts-extended", &len);
    for (int i = 0; v && i < len / 4;) {
        int par = byph(c, fdt32_to_cpu(v[i++]));
        uint32_t ic;
        if (par < 0 || !u32prop(c->fdt, par, "#interrupt-cells", &ic) || ic > (uint32_t)(len / 4 - i)) {
            bad(c, node, "interrupts-extended: bad entry");
            break;
        }
        check_spec(c, node, par, v + i, ic);
        i += (int)ic;
    }
}

static uint64_t rd64(const fdt32_t *p) { return ((uint64_t)fdt32_to_cpu(p[0]) << 32) | fdt32_to_cpu(p[1]); }

/* A device window of the guest (resolved regs) containing [a, a+s). */
static bool in_device_window(const struct sys_guest *g, uint64_t a, uint64_t s)
{
    for (size_t d = 0; d < g->devices.n; d++)
        for (size_t r = 0; r < g->devices.v[d].regs.n; r++) {
            const struct res_reg *rr = &g->devices.v[d].regs.v[r];
            if (a >= rr->ipa && s <= rr->size && a - rr->ipa <= rr->size - s)
                return true;
        }
    return false;
}

static uint64_t rdn(const fdt32_t *p, uint32_t n)
{
    uint64_t v = 0;
    for (uint32_t i = 0; i < n; i++)
        v = (v << 32) | fdt32_to_cpu(p[i]);
    return v;
}

/* An address in the child space of `bus`, translated to the root's through
 * the guest DT's `ranges`; false when there is no translation (not MMIO). */
static bool to_root(const struct chk *c, int bus, uint64_t addr, uint64_t *out)
{
    const void *fdt = c->fdt;
    while (bus > 0) {
        int len, up = par(c, bus);
        const fdt32_t *r = fdt_getprop(fdt, bus, "ranges", &len);
        if (!r || up < 0)
            return false;
        if (len) {
            uint32_t ca = 2, pa = 2, sc = 1;
            u32prop(fdt, bus, "#address-cells", &ca);
            u32prop(fdt, bus, "#size-cells", &sc);
            u32prop(fdt, up, "#address-cells", &pa);
            if (ca < 1 || ca > 2 || pa < 1 || pa > 2 || sc < 1 || sc > 2 || len % (4 * (int)(ca + pa + sc)))
                return false;
            bool found = false;
            for (int i = 0; i < len / 4 && !found; i += (int)(ca + pa + sc)) {
                uint64_t ch = rdn(r + i, ca), pr = rdn(r + i + ca, pa), sz = rdn(r + i + ca + pa, sc);
                if (addr >= ch && addr - ch < sz) {
                    addr = pr + (addr - ch);
                    found = true;
                }
            }
            if (!found)
                return false;
        }
        bus = up;
    }
    *out = addr;
    return true;
}

static void check_node(struct chk *c, int node)
{
    static const char *const banned[] = {"iommus", "iommu-map", "iommu-map-mask"};
    int off;
    fdt_for_each_property_offset(off, c->fdt, node)
    {
        const char *name;
        int len;
        const fdt32_t *v = fdt_getprop_by_offset(c->fdt, off, &name, &len);
        for (size_t i = 0; i < ARRAY_SIZE(banned); i++)
            if (!strcmp(name, banned[i]))
                bad(c, node, "%s is still there", name);
        /* msi-parent / msi-map stay when they name an MSI controller the
         * guest has (a TI INTA, a PCIe host's own MSI block); never the
         * GIC's ITS, which the vGIC lacks: every one must resolve, and not
         * to the vGIC. */
        bool msi_map = !strcmp(name, "msi-map");
        if (msi_map || !strcmp(name, "msi-parent")) {
            if (len < 4 || len % 4 || (msi_map && len % 16)) {
                bad(c, node, "%s: length %d", name, len);
                continue;
            }
            for (int i = msi_map ? 1 : 0; i < len / 4; i += msi_map ? 4 : len / 4) {
                int prov = byph(c, fdt32_to_cpu(v[i]));
                if (prov < 0 || prov == c->gic)
                    bad(c, node, "%s names %s", name, prov < 0 ? "no node of the guest" : "the vGIC");
            }
        }
        check_refs(c, node, name, v, len);
    }
    check_interrupts(c, node);

    /* Device regs: every MMIO reg, translated through the guest DT's own
     * `ranges` as Linux does, lies inside one of the guest's device windows
     * (what dtpass makes itself is checked below). */
    int parent = par(c, node);
    const char *nm = fdt_get_name(c->fdt, node, NULL);
    int len;
    const fdt32_t *reg = fdt_getprop(c->fdt, node, "reg", &len);
    uint32_t ac = 2, sc = 1;
    if (parent >= 0) {
        u32prop(c->fdt, parent, "#address-cells", &ac);
        u32prop(c->fdt, parent, "#size-cells", &sc);
    }
    if (!reg || parent < 0 || node == c->gic || !strncmp(nm, "memory@", 7) || ac < 1 || ac > 2 ||
        sc < 1 || sc > 2 || len % (4 * (int)(ac + sc)))
        return;
    const char *pn = fdt_get_name(c->fdt, parent, NULL);
    if (!strcmp(pn, "reserved-memory") || !strcmp(pn, "cpus"))
        return;
    for (int i = 0; i < len / 4; i += (int)(ac + sc)) {
        uint64_t a = rdn(reg + i, ac), s = rdn(reg + i + ac, sc), cpu;
        if (!s || !to_root(c, parent, a, &cpu))
            continue;
        if (!in_device_window(c->g, cpu, s))
            bad(c, node, "reg 0x%llx+0x%llx is outside every device window of the guest",
                (unsigned long long)cpu, (unsigned long long)s);
    }
}

static void check_blob(struct chk *c)
{
    const void *fdt = c->fdt;
    const struct sys_guest *g = c->g;
    assert_int_equal(fdt_check_full(fdt, fdt_totalsize(fdt)), 0);
    index_blob(c);

    /* The vGIC: the root's interrupt parent, at the board GIC's address. */
    uint32_t ph = 0;
    assert_true(u32prop(fdt, 0, "interrupt-parent", &ph));
    c->gic = byph(c, ph);
    assert_true(c->gic > 0);
    assert_non_null(fdt_getprop(fdt, c->gic, "interrupt-controller", NULL));
    int len;
    const fdt32_t *reg = fdt_getprop(fdt, c->gic, "reg", &len);
    assert_non_null(reg);
    assert_int_equal(rd64(reg), c->ctx->board.gic.node->mmio[0].base);
    if (c->ctx->board.gic.version == 3) {
        assert_int_equal(fdt_node_check_compatible(fdt, c->gic, "arm,gic-v3"), 0);
        assert_int_equal(len, 32);
        assert_int_equal(rd64(reg + 6), 0x20000ull * g->cpus.n);
    }

    /* Unique phandles, and every node's rules. */
    for (size_t i = 1; i < c->phs.n; i++)
        if (c->phs.v[i].ph == c->phs.v[i - 1].ph)
            bad(c, c->phs.v[i].off, "phandle 0x%x used twice", c->phs.v[i].ph);
    int node;
    for (size_t i = 0; i < c->nodes.n; i++)
        check_node(c, c->nodes.v[i].off);

    /* Every device window holds a node: nothing assigned is missing. */
    for (size_t d = 0; d < g->devices.n; d++) {
        const struct sys_device *dev = &g->devices.v[d];
        if (!dev->regs.n)
            continue;
        bool found = false;
        for (size_t k = 1; k < c->nodes.n && !found; k++) {
            /* The first reg entry, in its parent's cells (a bus kept as on
             * the board has its own), translated to a guest address. */
            int parent = par(c, c->nodes.v[k].off);
            uint32_t ac = 2, sc = 1;
            if (parent >= 0) {
                u32prop(fdt, parent, "#address-cells", &ac);
                u32prop(fdt, parent, "#size-cells", &sc);
            }
            reg = fdt_getprop(fdt, c->nodes.v[k].off, "reg", &len);
            uint64_t cpu;
            found = reg && ac >= 1 && ac <= 2 && sc >= 1 && sc <= 2 && len >= 4 * (int)(ac + sc) &&
                    to_root(c, parent, rdn(reg, ac), &cpu) && cpu == dev->regs.v[0].ipa &&
                    rdn(reg + ac, sc) == dev->regs.v[0].size;
        }
        if (!found)
            bad(c, -1, "no node for %s at 0x%llx", dev->ref.text, (unsigned long long)dev->regs.v[0].ipa);
    }

    /* /cpus: one node per vCPU. */
    int cpus = fdt_path_offset(fdt, "/cpus"), ncpu = 0;
    assert_true(cpus > 0);
    fdt_for_each_subnode(node, fdt, cpus) ncpu++;
    assert_int_equal(ncpu, g->cpus.n);

    /* /memory: exactly the guest's RAM. */
    size_t nmem = 0;
    fdt_for_each_subnode(node, fdt, 0)
    {
        const char *dt = fdt_getprop(fdt, node, "device_type", NULL);
        if (!dt || strcmp(dt, "memory"))
            continue;
        reg = fdt_getprop(fdt, node, "reg", &len);
        assert_int_equal(len, 16);
        bool match = false;
        for (size_t m = 0; m < g->memory.n; m++)
            match |= g->memory.v[m].ipa == rd64(reg) && g->memory.v[m].size == rd64(reg + 2);
        if (!match)
            bad(c, node, "memory not in the model");
        nmem++;
    }
    assert_int_equal(nmem, g->memory.n);

    /* /reserved-memory: the shared windows. */
    size_t nwin = 0;
    for (size_t s = 0; s < c->ctx->sys.shared.n; s++) {
        const struct sys_shared *sh = &c->ctx->sys.shared.v[s];
        for (size_t p = 0; p < sh->peers.n; p++) {
            const struct sys_peer *peer = &sh->peers.v[p];
            if (peer->guest_index != (int)(g - c->ctx->sys.guests.v))
                continue;
            char path[128];
            snprintf(path, sizeof(path), "/reserved-memory/%s@%llx", sh->name, (unsigned long long)peer->ipa);
            int w = fdt_path_offset(fdt, path);
            if (w < 0) {
                bad(c, -1, "%s missing", path);
                continue;
            }
            nwin++;
            reg = fdt_getprop(fdt, w, "reg", &len);
            assert_int_equal(len, 16);
            assert_int_equal(rd64(reg), peer->ipa);
            assert_int_equal(rd64(reg + 2), sh->size);
            assert_non_null(fdt_getprop(fdt, w, "no-map", NULL));
            assert_int_equal(fdt_getprop(fdt, w, "read-only", NULL) != NULL, peer->access == SHM_RO);
        }
    }
    /* ... and the board regions a device names through memory-region,
     * copied with their board name (the unit address is the guest's). */
    int rm = fdt_path_offset(fdt, "/reserved-memory");
    size_t nrm = 0;
    const struct board_node *brm = board_lookup(&c->ctx->board, "/reserved-memory");
    if (rm >= 0)
        fdt_for_each_subnode(node, fdt, rm) {
            const char *nm = fdt_get_name(fdt, node, NULL);
            size_t base = strcspn(nm, "@");
            bool board_region = false;
            for (const struct board_node *r = brm ? brm->first_child : NULL; r && !board_region;
                 r = r->next_sibling)
                board_region = strcspn(r->name, "@") == base && !strncmp(r->name, nm, base);
            if (!board_region)
                nrm++;
        }
    assert_int_equal(nrm, nwin);

    /* aliases and stdout-path resolve. */
    int al = fdt_path_offset(fdt, "/aliases"), off;
    if (al >= 0)
        fdt_for_each_property_offset(off, fdt, al)
        {
            const char *name, *val = fdt_getprop_by_offset(fdt, off, &name, &len);
            if (fdt_path_offset(fdt, val) < 0)
                bad(c, al, "alias %s -> %s does not resolve", name, val);
        }
    int ch = fdt_path_offset(fdt, "/chosen");
    assert_true(ch > 0);
    const char *so = fdt_getprop(fdt, ch, "stdout-path", NULL);
    if (so) {
        const char *colon = strchr(so, ':');
        char *p = colon ? xstrndup(so, (size_t)(colon - so)) : xstrdup(so);
        if (fdt_path_offset(fdt, p) < 0)
            bad(c, ch, "stdout-path %s does not resolve", so);
        free(p);
    }
    if (g->bootargs) {
        const char *ba = fdt_getprop(fdt, ch, "bootargs", NULL);
        assert_non_null(ba);
        assert_string_equal(ba, g->bootargs);
    }
}

static int check_system(const char *sys, const char *board)
{
    struct built b;
    int failures = 0;
    if (build(&b, sys, board)) {
        fprintf(stderr, "%s: the pipeline failed\n", sys);
        unbuild(&b);
        return 1;
    }
    for (size_t i = 0; i < b.ctx.sys.guests.n; i++) {
        void *blob;
        size_t len;
        struct guest_tree *t = lower_guest_tree(&b.ctx, (uint32_t)i);
        assert_int_equal(gt_to_dtb(t, &blob, &len), 0);
        gt_free(t);
        char what[512];
        snprintf(what, sizeof(what), "%s:%s", sys, b.ctx.sys.guests.v[i].name);
        struct chk c = {.fdt = blob, .what = what, .ctx = &b.ctx, .g = &b.ctx.sys.guests.v[i]};
        check_blob(&c);
        VEC_FREE(&c.nodes);
        VEC_FREE(&c.phs);
        failures += c.failures;
        free(blob);
    }
    unbuild(&b);
    return failures;
}

static void test_guest_dt_examples(void **state)
{
    (void)state;
    glob_t gl;
    int n = 0;
    /* Every golden case: each example through its input link, and the
     * test-only systems (tests/golden.sh). */
    assert_int_equal(glob("tests/golden/*/input/system.yaml", 0, NULL, &gl), 0);
    /* Every system is tried (check_system names a failing one) and the
     * glob freed before the verdict: a failed assert longjmps past
     * globfree, and LSan would add a leak report to the failure. */
    int bad = 0;
    for (size_t i = 0; i < gl.gl_pathc; i++, n++)
        bad += check_system(gl.gl_pathv[i], NULL) != 0;
    globfree(&gl);
    assert_int_equal(bad, 0);
    assert_true(n >= 3);
}

static void test_guest_dt_qemu_boards(void **state)
{
    (void)state;
    const char *cache = getenv("DTPASS_CACHE");
    assert_non_null(cache); /* tests/run sets it: boards are never skipped silently */
    char *v2 = xasprintf("%s/qemu/virt-gicv2.dtb", cache), *v3 = xasprintf("%s/qemu/virt-gicv3-smmuv3.dtb", cache);
    assert_int_equal(check_system("tests/boot/gicv2.yaml", v2), 0);
    assert_int_equal(check_system("examples/qemu-virt/system.yaml", v3), 0);
    free(v2);
    free(v3);
}

/* The checker itself must catch a dangling reference and a leftover iommus. */
static void test_guest_dt_checker_catches(void **state)
{
    (void)state;
    struct built b;
    assert_int_equal(build(&b, "tests/golden/rewrites/input/system.yaml", NULL), 0);
    struct guest_tree *t = lower_guest_tree(&b.ctx, 0);
    struct gt_node *n = gt_node_add(t, t->root, "bad", GT_SYNTH, NULL);
    uint32_t cells[] = {0xdead};
    gt_prop_cells(t, n, "clocks", cells, 1);
    gt_prop_cells(t, n, "iommus", cells, 1);
    void *blob;
    size_t len;
    assert_int_equal(gt_to_dtb(t, &blob, &len), 0);
    gt_free(t);
    struct chk c = {.fdt = blob, .what = "negative", .ctx = &b.ctx, .g = &b.ctx.sys.guests.v[0]};
    check_blob(&c);
    VEC_FREE(&c.nodes);
    VEC_FREE(&c.phs);
    assert_int_equal(c.failures, 2);
    free(blob);
    unbuild(&b);
}

/* Machine nodes (they would clash with what dtpass writes) are told apart
 * from devices: /cpus, the timer, the GIC's children, the root. Resolve
 * refuses them as devices (tests/invalid/schema-machine-node.yaml). */
static void test_guest_dt_machine_nodes(void **state)
{
    (void)state;
    static const char *const refs[] = {"/", "/cpus", "/cpus/cpu@1", "/timer", "/chosen",
                                       "/interrupt-controller@1000000"};
    struct built b;
    assert_int_equal(build(&b, "tests/golden/rewrites/input/system.yaml", NULL), 0);
    for (size_t i = 0; i < ARRAY_SIZE(refs); i++) {
        const struct board_node *n = board_lookup(&b.ctx.board, refs[i]);
        assert_non_null(n);
        assert_true(board_machine_node(&b.ctx.board, n));
    }
    const struct sys_guest *g = &b.ctx.sys.guests.v[0];
    for (size_t d = 0; d < g->devices.n; d++)
        assert_false(board_machine_node(&b.ctx.board, g->devices.v[d].ref.node));
    unbuild(&b);
}

/* Specific rewrites of the fixture (docs/guest-dt.md), read from the blob. */
static void test_guest_dt_rewrites(void **state)
{
    (void)state;
    struct built b;
    assert_int_equal(build(&b, "tests/golden/rewrites/input/system.yaml", NULL), 0);
    void *fdt;
    size_t len;
    struct guest_tree *t = lower_guest_tree(&b.ctx, 0);
    assert_int_equal(gt_to_dtb(t, &fdt, &len), 0);
    gt_free(t);
    int l;
    /* i2c SPI 30 remapped to 100; the nested bus renamed after its window. */
    int i2c = fdt_path_offset(fdt, "/soc/bus@14010000/i2c@14010000");
    assert_true(i2c > 0);
    const fdt32_t *v = fdt_getprop(fdt, i2c, "interrupts", &l);
    assert_int_equal(l, 12);
    assert_int_equal(fdt32_to_cpu(v[1]), 100);
    /* The relocated mmc keeps its second reg's offset; iommus is gone. */
    int mmc = fdt_path_offset(fdt, "/soc/bus@14010000/mmc@30000000");
    assert_true(mmc > 0);
    v = fdt_getprop(fdt, mmc, "reg", &l);
    assert_int_equal(l, 32);
    assert_int_equal(rd64(v + 4), 0x30001000);
    assert_null(fdt_getprop(fdt, mmc, "iommus", NULL));
    /* The copied regulator keeps its enable GPIO (on the guest's own GPIO
     * block: a reference is never removed; one to a GPIO the guest lacks is
     * refused by dep-unowned, tests/invalid/checks/dep-unowned-hyp.yaml);
     * the fixed-factor clock pulled in its parent fixed clock. */
    int reg = fdt_path_offset(fdt, "/regulators/regulator-sd");
    assert_true(reg > 0);
    assert_non_null(fdt_getprop(fdt, reg, "gpio", NULL));
    assert_true(fdt_path_offset(fdt, "/oscillator") > 0);
    /* Mixed parents: interrupts-extended; the DSP's ranges point at the IPA. */
    int dsp = fdt_path_offset(fdt, "/soc/bus@14010000/dsp@14040000");
    assert_true(dsp > 0);
    assert_non_null(fdt_getprop(fdt, dsp, "interrupts-extended", NULL));
    v = fdt_getprop(fdt, dsp, "ranges", &l);
    assert_int_equal(l, 16);
    assert_int_equal(rd64(v + 1), 0x14048000);
    /* pinctrl dropped by the system file; the console path follows the renames. */
    int uart = fdt_path_offset(fdt, "/soc/serial@11000000");
    assert_null(fdt_getprop(fdt, uart, "pinctrl-0", NULL));
    assert_null(fdt_getprop(fdt, uart, "pinctrl-names", NULL));
    assert_string_equal(fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "stdout-path", NULL),
                        "/soc/serial@11000000");
    free(fdt);
    /* The RTOS gets the board's console with its options, and no GPIO. */
    t = lower_guest_tree(&b.ctx, 1);
    assert_int_equal(gt_to_dtb(t, &fdt, &len), 0);
    gt_free(t);
    /* Its devices sit at their board addresses: /soc is kept as on the
     * board (1+1 cells, its offset ranges), the UART under its board name. */
    assert_string_equal(fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "stdout-path", NULL),
                        "/soc/serial@1001000:115200n8");
    int soc = fdt_path_offset(fdt, "/soc");
    assert_true(soc > 0);
    v = fdt_getprop(fdt, soc, "#address-cells", &l);
    assert_int_equal(l, 4);
    assert_int_equal(fdt32_to_cpu(v[0]), 1);
    v = fdt_getprop(fdt, soc, "ranges", &l);
    assert_int_equal(l, 16);
    assert_int_equal(fdt32_to_cpu(v[2]), 0x10000000);
    assert_true(fdt_path_offset(fdt, "/soc/gpio@2000000") < 0);
    free(fdt);
    unbuild(&b);
}

struct wcount {
    char name[64];
    unsigned n;
};
typedef VEC(struct wcount) wcounts;

/* dtc's warnings on a blob, counted per check name ("unique_unit_address"). */
static void dtc_warnings(const void *blob, size_t len, const char *tmp, wcounts *counts)
{
    FILE *f = fopen(tmp, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(blob, 1, len, f), len);
    fclose(f);
    char *cmd = xasprintf("dtc -I dtb -O dtb -o /dev/null '%s' 2>&1", tmp);
    FILE *p = popen(cmd, "r");
    free(cmd);
    assert_non_null(p);
    char line[1024];
    while (fgets(line, sizeof(line), p)) {
        char *a = strstr(line, ": Warning ("), *e = a ? strchr(a + 11, ')') : NULL;
        if (!a)
            a = strstr(line, ": ERROR ("), e = a ? strchr(a + 9, ')') : NULL;
        if (!a || !e)
            continue;
        char *open = strchr(a, '(') + 1;
        size_t k = (size_t)(e - open);
        if (k >= 64)
            k = 63;
        size_t i;
        for (i = 0; i < counts->n; i++)
            if (strlen(counts->v[i].name) == k && !strncmp(counts->v[i].name, open, k))
                break;
        if (i == counts->n) {
            struct wcount *w = VEC_ADD(counts);
            memcpy(w->name, open, k);
        }
        counts->v[i].n++;
    }
    pclose(p);
}

static unsigned wcount_of(const wcounts *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->v[i].name, name))
            return c->v[i].n;
    return 0;
}

static int sweep_board(const char *file, const char *tmp, bool with_dtc)
{
    struct dtpass_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    diag_init(&ctx.diag);
    system_init(&ctx.sys);
    struct board_options bo = {0};
    int failures = 0;
    if (board_load(&ctx.board, file, &bo, &ctx.diag)) {
        diag_free(&ctx.diag);
        system_free(&ctx.sys);
        return 0; /* the board reader's business (its own tests) */
    }
    ctx.board_loaded = true;
    const struct board *b = &ctx.board;
    if (!b->gic.node || !b->gic.node->nmmio)
        goto out; /* no GIC (Raspberry Pi 3): no guest DT to make */
    struct sys_guest *g = VEC_ADD(&ctx.sys.guests);
    g->name = xstrdup("all");
    for (uint32_t c = 0; c < b->ncpus; c++)
        VEC_ADD(&g->cpus)->index = c;
    struct sys_mem *m = VEC_ADD(&g->memory);
    m->base = m->ipa = b->nram ? b->ram[0].base : 0x40000000;
    m->size = 0x1000000;
    for (uint32_t i = 0; i < b->nnodes; i++) {
        struct board_node *n = b->nodes[i];
        if (!n->nmmio || n->untranslatable || n == b->gic.node || board_smmu_of(b, n))
            continue;
        struct board_prop dt = board_prop(n, "device_type");
        if (dt.name && dt.len && !strcmp((const char *)dt.val, "memory"))
            continue;
        bool skip = false; /* only the top-most MMIO nodes, outside what dtpass makes */
        for (struct board_node *p = n->parent; p && !skip; p = p->parent)
            skip = p == b->gic.node || !strcmp(p->path, "/reserved-memory") ||
                   !strcmp(p->path, "/cpus") || (p->nmmio && !p->untranslatable && p->parent);
        /* A node whose subtree the board describes wrongly cannot be
         * assigned (resolve says board-invalid): leave those out. */
        for (uint32_t k = i; k < b->nnodes && !skip && (k == i || b->nodes[k]->depth > n->depth); k++)
            skip = b->nodes[k]->defect != NULL;
        if (skip)
            continue;
        struct sys_device *d = VEC_ADD(&g->devices);
        d->ref.text = xstrdup(n->path);
        d->dma = -1;
    }
    if (resolve(&ctx) || lower_guest_trees(&ctx)) {
        fprintf(stderr, "%s: resolve or lowering failed\n", file);
        diag_render_text(&ctx.diag, stderr, false);
        failures++;
        goto out;
    }
    void *blob;
    size_t len;
    struct guest_tree *t = lower_guest_tree(&ctx, 0);
    if (t->lost.n) {
        /* Without the checks, the carving meets references it cannot
         * carry: the build refuses such a tree (emit_guest_dt), so there is
         * no blob to check. What matters is that it says so. */
        gt_free(t);
        goto out;
    }
    assert_int_equal(gt_to_dtb(t, &blob, &len), 0);
    gt_free(t);
    struct chk c = {.fdt = blob, .what = file, .ctx = &ctx, .g = g};
    check_blob(&c);
    VEC_FREE(&c.nodes);
    VEC_FREE(&c.phs);
    failures += c.failures;
    /* dtc: nothing the board does not already draw. */
    wcounts ours = {0}, theirs = {0};
    if (with_dtc)
        dtc_warnings(blob, len, tmp, &ours);
    if (ours.n)
        dtc_warnings(b->fdt, b->fdt_size, tmp, &theirs);
    for (size_t i = 0; i < ours.n; i++) {
        unsigned th = wcount_of(&theirs, ours.v[i].name);
        if (ours.v[i].n > th && th == 0) {
            fprintf(stderr, "%s: dtc warns (%s) %u times on the guest DT, never on the board\n", file,
                    ours.v[i].name, ours.v[i].n);
            failures++;
        }
    }
    VEC_FREE(&ours);
    VEC_FREE(&theirs);
    free(blob);
out:
    lower_free(&ctx);
    board_free(&ctx.board);
    system_free(&ctx.sys);
    diag_free(&ctx.diag);
    return failures;
}

static void test_guest_dt_debian_boards(void **state)
{
    (void)state;
    const char *cache = getenv("DTPASS_CACHE");
    assert_non_null(cache);
    char *pat = xasprintf("%s/debian/*/*.dtb", cache);
    glob_t gl;
    assert_int_equal(glob(pat, 0, NULL, &gl), 0);
    free(pat);
    assert_true(gl.gl_pathc > 500); /* the whole package, not a stray file */
    char tmp[] = "/tmp/dtpass-sweep-XXXXXX";
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    close(fd);
    /* Every board through the blob checks; dtc (a process per blob, the
     * slow part) on every DTPASS_SWEEP_DTC-th board (default 8; 1 = all). */
    const char *every = getenv("DTPASS_SWEEP_DTC");
    size_t step = every && atoi(every) > 0 ? (size_t)atoi(every) : 8;
    int failures = 0;
    for (size_t i = 0; i < gl.gl_pathc; i++)
        failures += sweep_board(gl.gl_pathv[i], tmp, i % step == 0);
    unlink(tmp);
    globfree(&gl);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guest_dt_examples),
        cmocka_unit_test(test_guest_dt_qemu_boards),
        cmocka_unit_test(test_guest_dt_checker_catches),
        cmocka_unit_test(test_guest_dt_rewrites),
        cmocka_unit_test(test_guest_dt_machine_nodes),
        cmocka_unit_test(test_guest_dt_debian_boards),
    };
    return cmocka_run_group_tests_name("guest_dt", tests, NULL, NULL);
}
