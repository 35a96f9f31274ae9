/* targets/jailhouse/emit.c — the files of target jailhouse (jailhouse/ in
 * the output directory, docs/jailhouse.md): <system>.cell and <system>.c
 * (the system configuration with the root cell), <guest>.cell and
 * <guest>.c per non-root cell, and <guest>.dtb/.dts, the inmate device
 * tree: the guest tree dtpass makes, with what a Jailhouse cell differs in
 * (physical MPIDRs, PSCI through SMC, the GIC's whole redistributor range,
 * the `jailhouse,cell` marker, the virtual PCI host of the ivshmem
 * devices). */
#include <inttypes.h>

#include "emit/emit.h"
#include "emit/guest_dt.h"
#include "lower/guest_tree.h"
#include "targets/jailhouse/jailhouse.h"

static struct gt_node *child(struct gt_node *n, const char *name)
{
    for (size_t i = 0; i < n->children.n; i++)
        if (!strcmp(n->children.v[i]->name, name))
            return n->children.v[i];
    return NULL;
}

static void cells_u64(uint32_t *c, uint64_t v)
{
    c[0] = (uint32_t)(v >> 32);
    c[1] = (uint32_t)v;
}

/* The virtual PCI host Jailhouse emulates for the cell's ivshmem devices,
 * as its inmate DTs describe it (configs/arm64/dts/inmate-*.dts): ECAM for
 * bus 0 at pci_mmconfig_base, INTx pins 1..4 at SPIs vpci_irq_base + 0..3,
 * a 32-bit memory window for the BARs right after the ECAM window. */
static void add_vpci(struct guest_tree *t, const struct jh_config *cfg, const struct jh_cell *c)
{
    uint64_t base = cfg->sys.platform_info.pci_mmconfig_base;
    char *name = xasprintf("pci@%" PRIx64, base);
    struct gt_node *p = gt_node_add(t, t->root, gt_strdup(t, name), GT_SYNTH, NULL);
    free(name);
    gt_prop_str(t, p, "compatible", "pci-host-ecam-generic");
    gt_prop_str(t, p, "device_type", "pci");
    gt_prop_cells(t, p, "bus-range", (uint32_t[]){0, 0}, 2);
    gt_prop_cells(t, p, "#address-cells", (uint32_t[]){3}, 1);
    gt_prop_cells(t, p, "#size-cells", (uint32_t[]){2}, 1);
    gt_prop_cells(t, p, "#interrupt-cells", (uint32_t[]){1}, 1);
    gt_prop_cells(t, p, "interrupt-map-mask", (uint32_t[]){0, 0, 0, 7}, 4);
    /* <0 0 0 pin> -> <&gic GIC_SPI n IRQ_TYPE_EDGE_RISING>; the GIC node
     * has #address-cells = 0, so no parent unit address. */
    uint32_t full[4 * 8];
    for (uint32_t pin = 0; pin < 4; pin++) {
        uint32_t *e = &full[pin * 8];
        e[0] = e[1] = e[2] = 0;
        e[3] = pin + 1;
        e[4] = t->opt.gic_phandle;
        e[5] = 0;
        e[6] = c->desc.vpci_irq_base + pin;
        e[7] = 1;
    }
    gt_prop_cells(t, p, "interrupt-map", full, ARRAY_SIZE(full));
    uint32_t reg[4];
    cells_u64(reg, base);
    cells_u64(reg + 2, 1ull << 20);
    gt_prop_cells(t, p, "reg", reg, 4);
    uint64_t win = base + (1ull << 20), wsize = 0;
    for (size_t i = 0; i < c->pci.n; i++)
        wsize += 2 * 0x1000;
    uint32_t ranges[7] = {0x02000000, (uint32_t)(win >> 32), (uint32_t)win, 0, 0, 0, 0};
    cells_u64(ranges + 3, win);
    cells_u64(ranges + 5, wsize);
    gt_prop_cells(t, p, "ranges", ranges, 7);
}

static bool cpu_in(const struct jh_cell *c, uint32_t cpu)
{
    return cpu / 64 < c->cpus.n && (c->cpus.v[cpu / 64] >> (cpu % 64) & 1);
}

/* A CPU node at its physical MPIDR, sorted among its siblings by the
 * board's CPU index. */
static void set_cpu(struct guest_tree *t, struct gt_node *cn, uint64_t mpidr, uint32_t index,
                    bool wide)
{
    char *nm = xasprintf("cpu@%" PRIx64, mpidr);
    cn->name = gt_strdup(t, nm);
    free(nm);
    cn->order = index;
    uint32_t reg[2];
    cells_u64(reg, mpidr);
    gt_prop_cells(t, cn, "reg", wide ? reg : reg + 1, wide ? 2 : 1);
}

static struct guest_tree *inmate_tree(struct dtpass_ctx *ctx, const struct jh_config *cfg,
                                      const struct jh_cell *c)
{
    const struct board *b = &ctx->board;
    const struct sys_guest *g = &ctx->sys.guests.v[c->guest];
    struct guest_tree *t = gt_build_guest(ctx, ctx->owners, c->guest);
    if (!t)
        return NULL;
    struct gt_node *root = t->root;

    /* Jailhouse does not virtualise MPIDR: a cell's CPUs are its physical
     * ones, listed in board order (the root's Linux numbers them in that
     * order, and the CPU sets are by that number). The root cell lists
     * every CPU of its set: Jailhouse is enabled only with all of them
     * online. */
    struct gt_node *cpus = child(root, "cpus");
    bool wide = false;
    for (uint32_t pi = 0; pi < b->ncpus; pi++)
        if (cpu_in(c, pi) && b->cpus[pi].mpidr >> 32)
            wide = true;
    if (cpus) {
        if (wide)
            gt_prop_cells(t, cpus, "#address-cells", (uint32_t[]){2}, 1);
        size_t k = 0;
        bool *have = xcalloc(b->ncpus + 1, sizeof(*have));
        for (size_t i = 0; i < cpus->children.n && k < g->cpus.n; i++) {
            struct gt_node *cn = cpus->children.v[i];
            if (strncmp(cn->name, "cpu@", 4))
                continue;
            uint32_t pi = g->cpus.v[k++].index;
            if (pi < b->ncpus)
                have[pi] = true;
            set_cpu(t, cn, pi < b->ncpus ? b->cpus[pi].mpidr : pi, pi, wide);
        }
        for (uint32_t pi = 0; pi < b->ncpus; pi++) {
            if (have[pi] || !cpu_in(c, pi))
                continue;
            const struct board_node *bc = b->cpus[pi].node;
            struct gt_node *cn = gt_node_add(t, cpus, "cpu", GT_SYNTH, NULL);
            gt_prop_str(t, cn, "device_type", "cpu");
            struct board_prop compat = board_prop(bc, "compatible");
            if (compat.name)
                gt_prop_set(t, cn, "compatible", compat.val, compat.len);
            else
                gt_prop_str(t, cn, "compatible", "arm,armv8");
            gt_prop_str(t, cn, "enable-method", "psci");
            if (bc->phandle) {
                cn->phandle = bc->phandle;
                gt_prop_cells(t, cn, "phandle", &bc->phandle, 1);
            }
            set_cpu(t, cn, b->cpus[pi].mpidr, pi, wide);
        }
        free(have);
    }
    /* Jailhouse handles PSCI calls made with SMC. */
    struct gt_node *psci = child(root, "psci");
    if (psci)
        gt_prop_str(t, psci, "method", "smc");
    /* The GIC: the inmate programs the physical distributor and its CPUs'
     * redistributors, which Jailhouse traps and filters, at their board
     * addresses; the redistributor range is the board's whole one. */
    for (size_t i = 0; i < root->children.n; i++) {
        struct gt_node *n = root->children.v[i];
        if (n->phandle != t->opt.gic_phandle || !b->gic.node || b->gic.node->nmmio < 2)
            continue;
        uint32_t reg[8];
        cells_u64(reg, b->gic.node->mmio[0].base);
        cells_u64(reg + 2, b->gic.node->mmio[0].size);
        cells_u64(reg + 4, b->gic.node->mmio[1].base);
        cells_u64(reg + 6, b->gic.node->mmio[1].size);
        gt_prop_cells(t, n, "reg", reg, 8);
    }
    /* Doorbells arrive as ivshmem INTx through the virtual PCI host, not
     * as dtpass's own shared-memory nodes. */
    for (size_t i = root->children.n; i-- > 0;) {
        struct gt_node *n = root->children.v[i];
        const struct gt_prop *cp = gt_prop_get(n, "compatible");
        if (cp && cp->len == sizeof("dtpass,shmem") && !memcmp(cp->val, "dtpass,shmem", cp->len))
            gt_node_remove(n);
    }
    /* The root's Linux boots before Jailhouse; Jailhouse's driver adds the
     * virtual PCI host to it when it enables the hypervisor. */
    if (!c->root) {
        struct gt_node *hv = gt_node_add(t, root, "hypervisor", GT_SYNTH, NULL);
        gt_prop_str(t, hv, "compatible", "jailhouse,cell");
        if (c->pci.n)
            add_vpci(t, cfg, c);
    }
    gt_sort(root);
    return t;
}

static int emit_buf(struct dtpass_ctx *ctx, const char *file, const char *ext, struct strbuf *sb)
{
    char *name = xasprintf("jailhouse/%s.%s", file, ext);
    int rc = emit_file(ctx, name, sb->s ? sb->s : "", sb->len);
    free(name);
    sb->len = 0;
    if (sb->s)
        sb->s[0] = '\0';
    return rc;
}

static int emit_jailhouse(struct dtpass_ctx *ctx)
{
    struct jh_config cfg;
    /* The target's check ran first and reported every finding; a failure
     * now would be dtpass's own. */
    if (jh_map(ctx, &cfg, true)) {
        diag_fatal(&ctx->diag, NOPOS, "internal error: the Jailhouse mapping failed after its check");
        jh_config_free(&cfg);
        return -1;
    }
    if (!ctx->owners) {
        diag_fatal(&ctx->diag, NOPOS, "internal error: guest trees were not prepared");
        jh_config_free(&cfg);
        return -1;
    }
    const char *src = ctx->sys.file ? strrchr(ctx->sys.file, '/') : NULL;
    cfg.source = src ? src + 1 : ctx->sys.file ? ctx->sys.file : "the system description";
    int rc = 0;
    struct strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < cfg.ncells && !rc; i++) {
        const struct jh_cell *c = &cfg.cells[i];
        jh_write_binary(&cfg, c, &sb);
        rc = emit_buf(ctx, c->file, "cell", &sb);
        if (rc)
            break;
        jh_write_c(&cfg, c, &sb);
        rc = emit_buf(ctx, c->file, "c", &sb);
        if (rc)
            continue;
        struct guest_tree *t = inmate_tree(ctx, &cfg, c);
        if (!t) {
            rc = -1;
            break;
        }
        /* Trees are named after the guest (the root's too). */
        char *base = xasprintf("jailhouse/%s", c->desc.name);
        rc = gt_emit(ctx, t, base, T_DTB | T_DTS, "jailhouse: ");
        free(base);
        gt_free(t);
    }
    sb_free(&sb);
    jh_config_free(&cfg);
    return rc;
}

/* Everything the mapping cannot express, reported once: in `build` before
 * any lowering, and in `check --target jailhouse`. */
static void jh_check(struct dtpass_ctx *ctx)
{
    struct jh_config cfg;
    jh_map(ctx, &cfg, false);
    jh_config_free(&cfg);
}

const struct hv_target jailhouse_target = {
    .name = "jailhouse",
    .summary = "Jailhouse: system and cell configurations (.cell and C), inmate DTBs (docs/jailhouse.md)",
    .outdir = "jailhouse",
    .outputs = (const char *const[]){"<system>.cell", "<system>.c", "<guest>.cell", "<guest>.c",
                                     "<guest>.dtb", "<guest>.dts", NULL},
    .needs = HV_NEEDS_GUEST_TREES,
    .check = jh_check,
    .emit = emit_jailhouse,
};
