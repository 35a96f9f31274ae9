/* emit/xen.c — target `xen`: the system compiled for Xen on Arm in dom0less
 * mode (SPEC §5, docs/xen.md), following Xen's
 * docs/misc/arm/device-tree/booting.txt and docs/misc/arm/passthrough.txt.
 * Owns, in DIR/xen/:
 *   host.dtb/.dts              the board tree with /chosen xen,xen-bootargs and
 *                              one xen,domain node per guest (memory, cpus,
 *                              vpl011, kernel/ramdisk/device-tree modules)
 *   <guest>-passthrough.dtb/.dts  the partial DT Xen merges into the guest: a
 *                              /gic placeholder and /passthrough with the
 *                              devices (xen,reg, xen,path) and their
 *                              resource-free providers
 *   boot.scr.txt               U-Boot commands loading every image and booting Xen
 *   boot.scr                   the same as a U-Boot script image (emit/uimage.c)
 *   qemu-loader.args           the same layout as QEMU -device loader arguments
 *
 * Xen decides more than the system description says, and the build Debian
 * ships (4.17, no CONFIG_STATIC_MEMORY, CONFIG_STATIC_SHM or
 * CONFIG_BOOT_TIME_CPUPOOLS) cannot be told otherwise: it allocates guest RAM
 * itself at its own guest layout, runs vCPUs on any physical CPU, routes
 * passthrough interrupts 1:1 and has no static shared memory. Each such gap
 * is a `xen-unenforced` warning at the system-file position it concerns,
 * never a silent difference. Where Xen's fixed guest layout collides with
 * the system (a device window over Xen's vGIC, RAM or vPL011, a device on the
 * vPL011's SPI) it is an error.
 *
 * The placement of what dtpass itself generates (docs/xen.md): in the first
 * hypervisor memory region, Xen's image at base + 2 MiB and a 2 MiB boot area
 * at the end of the region holding the passthrough DTBs and then the host
 * DTB, each 4 KiB aligned. Kernels and ramdisks go where `boot:` says. */
#include <errno.h>
#include <libfdt.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "emit/emit.h"
#include "emit/guest_dt.h"
#include "emit/uimage.h"
#include "lower/guest_tree.h"
#include "lower/quiesce.h"
#include "targets/xen/xen.h"

#define KiB 1024ull
#define MiB (1024ull * 1024)
#define XEN_PAGE 4096ull
/* The /gic placeholder's phandle: Xen takes the guest GIC's phandle from it
 * (GUEST_PHANDLE_GIC in xen/include/public/arch-arm.h). */
#define XEN_GIC_PHANDLE 65000u
/* Xen's fixed guest layout (xen/include/public/arch-arm.h, Xen 4.17). */
#define XEN_GICV2_BASE 0x03001000ull
#define XEN_GICV2_SIZE 0x00003000ull  /* GICD page + GICC 0x03002000..0x03004000 */
#define XEN_GICV3_BASE 0x03001000ull
#define XEN_GICV3_SIZE 0x0101f000ull  /* GICD 0x03001000 .. GICR0 end 0x04020000 */
#define XEN_VPL011_BASE 0x22000000ull
#define XEN_GNTTAB_BASE 0x38000000ull /* grant table + magic pages, 32 MiB */
#define XEN_GNTTAB_SIZE 0x02000000ull
#define XEN_RAM0_BASE 0x40000000ull
#define XEN_RAM0_SIZE 0xc0000000ull
#define XEN_RAM1_BASE 0x0200000000ull
#define XEN_VPL011_INTID 32u          /* GUEST_VPL011_SPI */

/* One file loaded into memory before Xen starts. */
struct ximage {
    const char *what; /* "Xen", "host DTB", "kernel", "ramdisk", "passthrough DTB" */
    int guest;        /* guest index, -1 for the hypervisor's */
    char *src;        /* where QEMU loads it from; NULL for Xen itself */
    char *name;       /* its name in the boot directory (U-Boot) */
    uint64_t addr, size;
    struct srcpos pos;
};

struct xguest {
    uint64_t mem_kib;
    bool vpl011;
    int kernel, ramdisk, pt; /* image indices, -1 when absent */
    void *pt_fdt;
    size_t pt_size;
};

struct xen_ctx {
    struct dtpass_ctx *ctx;
    VEC(struct ximage) img;
    struct xguest *xg;
    const char *uart; /* Xen's console: board path, or NULL */
    bool *passthrough; /* per board node: assigned to a guest */
    uint64_t hyp_base, hyp_end, area, area_end;
};

/* ------------------------------------------------------------------ DTS */

static bool prop_is_strings(const uint8_t *v, uint32_t len)
{
    if (len == 0 || v[len - 1] != '\0' || v[0] == '\0')
        return false;
    for (uint32_t i = 0; i < len; i++) {
        if (v[i] == '\0') {
            if (i + 1 < len && v[i + 1] == '\0')
                return false;
        } else if (v[i] < 0x20 || v[i] > 0x7e) {
            return false;
        }
    }
    return true;
}

static void dts_prop(struct strbuf *sb, int depth, const char *name, const uint8_t *v, uint32_t len)
{
    for (int i = 0; i < depth; i++)
        sb_putc(sb, '\t');
    sb_puts(sb, name);
    if (len == 0) {
        sb_puts(sb, ";\n");
        return;
    }
    sb_puts(sb, " = ");
    if (prop_is_strings(v, len)) {
        sb_putc(sb, '"');
        for (uint32_t i = 0; i + 1 < len; i++) {
            if (v[i] == '\0')
                sb_puts(sb, "\", \"");
            else if (v[i] == '"' || v[i] == '\\')
                sb_printf(sb, "\\%c", v[i]);
            else
                sb_putc(sb, (char)v[i]);
        }
        sb_putc(sb, '"');
    } else if (len % 4 == 0) {
        sb_putc(sb, '<');
        for (uint32_t i = 0; i < len; i += 4)
            sb_printf(sb, "%s0x%x", i ? " " : "", get_be32(v + i));
        sb_putc(sb, '>');
    } else {
        sb_putc(sb, '[');
        for (uint32_t i = 0; i < len; i++)
            sb_printf(sb, "%s%02x", i ? " " : "", v[i]);
        sb_putc(sb, ']');
    }
    sb_puts(sb, ";\n");
}

/* Source form of a blob dtpass built (so it is well-formed): what
 * `dtc -I dtb -O dts` prints, without labels. */
static void fdt_to_dts(const void *fdt, struct strbuf *sb)
{
    sb_puts(sb, "// Xen host DT: generated by dtpass " DTPASS_VERSION ". Do not edit.\n");
    sb_puts(sb, "/dts-v1/;\n");
    for (int i = 0; i < fdt_num_mem_rsv(fdt); i++) {
        uint64_t a, s;
        if (fdt_get_mem_rsv(fdt, i, &a, &s) == 0)
            sb_printf(sb, "/memreserve/ 0x%llx 0x%llx;\n", (unsigned long long)a,
                      (unsigned long long)s);
    }
    sb_putc(sb, '\n');
    int depth = 0, prev = -1;
    for (int off = 0; off >= 0 && depth >= 0; off = fdt_next_node(fdt, off, &depth)) {
        for (int d = prev; d >= depth; d--) {
            for (int i = 0; i < d; i++)
                sb_putc(sb, '\t');
            sb_puts(sb, "};\n");
        }
        for (int i = 0; i < depth; i++)
            sb_putc(sb, '\t');
        const char *name = fdt_get_name(fdt, off, NULL);
        sb_printf(sb, "%s {\n", depth == 0 ? "/" : name ? name : "?");
        int p;
        fdt_for_each_property_offset(p, fdt, off)
        {
            const char *pname;
            int len;
            const void *v = fdt_getprop_by_offset(fdt, p, &pname, &len);
            if (v && len >= 0)
                dts_prop(sb, depth + 1, pname, v, (uint32_t)len);
        }
        prev = depth;
    }
    for (int d = prev; d >= 0; d--) {
        for (int i = 0; i < d; i++)
            sb_putc(sb, '\t');
        sb_puts(sb, "};\n");
    }
}

/* -------------------------------------------------------- staging helpers */

static int stage(struct xen_ctx *x, const char *name, const void *data, size_t len)
{
    char *path = xasprintf("xen/%s", name);
    int rc = emit_file(x->ctx, path, data, len);
    free(path);
    return rc;
}

/* xen/<base>.dtb and xen/<base>.dts of one blob, the DTS from `dts`. */
static int stage_dt(struct xen_ctx *x, const char *base, const void *fdt, size_t len,
                    const struct strbuf *dts)
{
    char *path = xasprintf("xen/%s", base);
    int rc = emit_dt_pair(x->ctx, path, fdt, len, dts);
    free(path);
    return rc;
}

/* Runs a sequential-write builder, growing the buffer while libfdt says it
 * is too small. Returns the finished blob or NULL (reported). */
typedef int (*fdt_builder)(struct xen_ctx *x, void *arg, void *buf, int size);
static void *fdt_build(struct xen_ctx *x, fdt_builder fn, void *arg, size_t hint)
{
    size_t size = hint < 4096 ? 4096 : hint;
    for (;;) {
        if (size > (size_t)INT32_MAX / 2) {
            diag_fatal(&x->ctx->diag, NOPOS, "xen: device tree too large");
            return NULL;
        }
        void *buf = xcalloc(1, size);
        int err = fn(x, arg, buf, (int)size);
        if (err == 0)
            return buf;
        free(buf);
        if (err != -FDT_ERR_NOSPACE) {
            diag_fatal(&x->ctx->diag, NOPOS, "xen: building a device tree failed: %s",
                       fdt_strerror(err));
            return NULL;
        }
        size *= 2;
    }
}

#define TRY(e)                                                                \
    do {                                                                      \
        int err_ = (e);                                                       \
        if (err_)                                                             \
            return err_;                                                      \
    } while (0)

static int fdt_cells(void *fdt, const char *name, const uint32_t *cells, size_t n)
{
    uint8_t buf[64];
    if (n > sizeof(buf) / 4)
        return -FDT_ERR_INTERNAL;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cells[i];
        buf[4 * i] = (uint8_t)(c >> 24);
        buf[4 * i + 1] = (uint8_t)(c >> 16);
        buf[4 * i + 2] = (uint8_t)(c >> 8);
        buf[4 * i + 3] = (uint8_t)c;
    }
    return fdt_property(fdt, name, buf, (int)(4 * n));
}

/* "a\0b\0" for string lists. */
static int fdt_strings(void *fdt, const char *name, const char *const *s, size_t n)
{
    struct strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < n; i++)
        sb_putn(&sb, s[i], strlen(s[i]) + 1);
    int rc = fdt_property(fdt, name, sb.s, (int)sb.len);
    sb_free(&sb);
    return rc;
}

/* ------------------------------------------------------------- host DTB */

static bool is_chosen(const struct board_node *n)
{
    return n->depth == 1 && !strcmp(n->name, "chosen");
}

/* Properties of the board's /chosen that would mislead Xen: its own
 * command lines and a Linux initrd it would take for a boot module. */
static bool chosen_prop_dropped(const char *name)
{
    static const char *const drop[] = {"xen,xen-bootargs", "xen,dom0-bootargs",
                                       "linux,initrd-start", "linux,initrd-end"};
    for (size_t i = 0; i < ARRAY_SIZE(drop); i++)
        if (!strcmp(name, drop[i]))
            return true;
    return false;
}

/* A boot-module or domain node already under the board's /chosen: replaced
 * by the ones dtpass writes. */
static bool chosen_child_dropped(const struct board_node *n)
{
    struct board_prop c = board_prop(n, "compatible");
    return c.name && c.len >= 4 &&
           (!strncmp((const char *)c.val, "xen,", 4) ||
            !strncmp((const char *)c.val, "multiboot,", 10));
}

static int module_node(void *fdt, const struct ximage *im, const char *kind, const char *bootargs)
{
    char name[40];
    snprintf(name, sizeof(name), "module@%llx", (unsigned long long)im->addr);
    TRY(fdt_begin_node(fdt, name));
    const char *compat[] = {kind, "multiboot,module"};
    TRY(fdt_strings(fdt, "compatible", compat, 2));
    uint32_t reg[4] = {(uint32_t)(im->addr >> 32), (uint32_t)im->addr,
                       (uint32_t)(im->size >> 32), (uint32_t)im->size};
    TRY(fdt_cells(fdt, "reg", reg, 4));
    if (bootargs)
        TRY(fdt_property_string(fdt, "bootargs", bootargs));
    return fdt_end_node(fdt);
}

static int chosen_additions(struct xen_ctx *x, void *fdt)
{
    const struct system *sys = &x->ctx->sys;
    struct strbuf sb;
    sb_init(&sb);
    /* bootscrub=0: no scrubbing of all free RAM at boot, which dominates
     * boot time under emulation; the trade-off (stale boot-loader contents
     * may reach a guest) is documented in docs/xen.md. */
    if (x->uart)
        sb_printf(&sb, "console=dtuart dtuart=%s ", x->uart);
    sb_puts(&sb, "bootscrub=0");
    int rc = fdt_property_string(fdt, "xen,xen-bootargs", sb.s);
    sb_free(&sb);
    TRY(rc);
    for (size_t g = 0; g < sys->guests.n; g++) {
        const struct sys_guest *sg = &sys->guests.v[g];
        const struct xguest *xg = &x->xg[g];
        char name[24];
        snprintf(name, sizeof(name), "domU%u", sg->vmid);
        TRY(fdt_begin_node(fdt, name));
        TRY(fdt_property_string(fdt, "compatible", "xen,domain"));
        TRY(fdt_property_u32(fdt, "#address-cells", 2));
        TRY(fdt_property_u32(fdt, "#size-cells", 2));
        uint32_t mem[2] = {(uint32_t)(xg->mem_kib >> 32), (uint32_t)xg->mem_kib};
        TRY(fdt_cells(fdt, "memory", mem, 2));
        TRY(fdt_property_u32(fdt, "cpus", (uint32_t)sg->cpus.n));
        if (xg->vpl011)
            TRY(fdt_property(fdt, "vpl011", NULL, 0));
        if (xg->kernel >= 0)
            TRY(module_node(fdt, &x->img.v[xg->kernel], "multiboot,kernel", sg->bootargs));
        if (xg->ramdisk >= 0)
            TRY(module_node(fdt, &x->img.v[xg->ramdisk], "multiboot,ramdisk", NULL));
        if (xg->pt >= 0)
            TRY(module_node(fdt, &x->img.v[xg->pt], "multiboot,device-tree", NULL));
        TRY(fdt_end_node(fdt));
    }
    return 0;
}

/* The board tree, node by node in blob order, with the additions. Built
 * with the sequential-write API from the board's live tree: the board
 * blob itself is never modified. */
static int build_host(struct xen_ctx *x, void *arg, void *buf, int size)
{
    (void)arg;
    const struct board *b = &x->ctx->board;
    TRY(fdt_create(buf, size));
    for (int i = 0; i < fdt_num_mem_rsv(b->fdt); i++) {
        uint64_t a, s;
        if (fdt_get_mem_rsv(b->fdt, i, &a, &s) == 0)
            TRY(fdt_add_reservemap_entry(buf, a, s));
    }
    TRY(fdt_finish_reservemap(buf));

    const struct board_node **open = xcalloc(b->nnodes + 1, sizeof(*open));
    size_t nopen = 0;
    bool have_chosen = false;
    int skip_depth = -1; /* inside a dropped subtree deeper than this */
    int rc = 0;
    for (uint32_t i = 0; i < b->nnodes && !rc; i++) {
        const struct board_node *n = b->nodes[i];
        if (skip_depth >= 0) {
            if (n->depth > skip_depth)
                continue;
            skip_depth = -1;
        }
        while (nopen && open[nopen - 1]->depth >= n->depth && !rc) {
            const struct board_node *c = open[--nopen];
            if (is_chosen(c))
                rc = chosen_additions(x, buf);
            if (!rc)
                rc = fdt_end_node(buf);
        }
        if (rc)
            break;
        if (n->parent && is_chosen(n->parent) && chosen_child_dropped(n)) {
            skip_depth = n->depth;
            continue;
        }
        if ((rc = fdt_begin_node(buf, n->depth == 0 ? "" : n->name)))
            break;
        open[nopen++] = n;
        bool chosen = is_chosen(n);
        have_chosen |= chosen;
        for (struct board_prop pv = board_prop_first(n); pv.name && !rc; pv = board_prop_next(n, pv)) {
            const struct board_prop *bp = &pv;
            if (chosen && chosen_prop_dropped(bp->name))
                continue;
            if (!strcmp(bp->name, "xen,passthrough"))
                continue;
            rc = fdt_property(buf, bp->name, bp->val, (int)bp->len);
        }
        /* Xen's booting.txt: a device given to a domU is marked so that Xen
         * never gives it to a dom0 as well. */
        if (!rc && x->passthrough[n->index])
            rc = fdt_property(buf, "xen,passthrough", NULL, 0);
    }
    while (nopen && !rc) {
        const struct board_node *c = open[--nopen];
        if (is_chosen(c))
            rc = chosen_additions(x, buf);
        else if (c->depth == 0 && !have_chosen) {
            if (!(rc = fdt_begin_node(buf, "chosen")) && !(rc = chosen_additions(x, buf)))
                rc = fdt_end_node(buf);
        }
        if (!rc)
            rc = fdt_end_node(buf);
    }
    free(open);
    TRY(rc);
    return fdt_finish(buf);
}

/* ------------------------------------------------------ passthrough DTBs */

static void put_cells64(uint32_t *c, uint64_t v)
{
    c[0] = (uint32_t)(v >> 32);
    c[1] = (uint32_t)v;
}

/* xen,reg: <PA size guest-address> per region, whole pages (Xen maps
 * pages and rejects unaligned regions). */
static bool xen_reg(struct guest_tree *t, struct gt_node *n, const struct sys_device *dev)
{
    VEC(uint32_t) cells = {0};
    bool ok = true;
    for (size_t i = 0; i < dev->regs.n; i++) {
        const struct res_reg *r = &dev->regs.v[i];
        uint64_t off = r->pa & (XEN_PAGE - 1), last, end;
        if ((r->ipa & (XEN_PAGE - 1)) != off || !range_end(r->pa, r->size, &last) ||
            !u64_add(last | (XEN_PAGE - 1), 1, &end)) {
            ok = false;
            continue;
        }
        uint32_t c[6];
        put_cells64(c, r->pa - off);
        put_cells64(c + 2, end - (r->pa - off));
        put_cells64(c + 4, r->ipa - off);
        for (int k = 0; k < 6; k++)
            VEC_PUSH(&cells, c[k]);
    }
    gt_prop_cells(t, n, "xen,reg", cells.v, cells.n);
    VEC_FREE(&cells);
    return ok;
}

/* The GIC placeholder's phandle: 65000 as in Xen's docs unless the board
 * already uses it (a copied provider could keep it). */
static uint32_t gic_phandle(const struct board *b)
{
    if (!board_by_phandle(b, XEN_GIC_PHANDLE))
        return XEN_GIC_PHANDLE;
    uint32_t max = 0;
    for (uint32_t i = 0; i < b->nnodes; i++)
        if (b->nodes[i]->phandle > max)
            max = b->nodes[i]->phandle;
    return max + 1;
}

static struct guest_tree *build_passthrough(struct xen_ctx *x, const struct gt_owners *owners,
                                            uint32_t gi)
{
    struct dtpass_ctx *ctx = x->ctx;
    const struct sys_guest *g = &ctx->sys.guests.v[gi];
    struct guest_tree *t = gt_new(ctx, gi);
    struct gt_node *root = t->root;
    uint32_t ph = gic_phandle(&ctx->board);
    gt_prop_cells(t, root, "#address-cells", (uint32_t[]){2}, 1);
    gt_prop_cells(t, root, "#size-cells", (uint32_t[]){2}, 1);

    struct gt_node *gic = gt_node_add(t, root, "gic", GT_SYNTH, NULL);
    gt_prop_cells(t, gic, "#interrupt-cells", (uint32_t[]){3}, 1);
    gt_prop_cells(t, gic, "#address-cells", (uint32_t[]){0}, 1);
    gt_prop_empty(t, gic, "interrupt-controller");
    gt_prop_cells(t, gic, "phandle", &ph, 1);
    gic->phandle = ph;

    struct gt_node *aliases = NULL;
    const struct board_node *balias = board_lookup(&ctx->board, "/aliases");
    if (balias)
        aliases = gt_node_add(t, root, "aliases", GT_SYNTH, NULL);

    struct gt_node *pt = gt_node_add(t, root, "passthrough", GT_SYNTH, NULL);
    gt_prop_str(t, pt, "compatible", "simple-bus");
    gt_prop_empty(t, pt, "ranges");
    gt_prop_cells(t, pt, "#address-cells", (uint32_t[]){2}, 1);
    gt_prop_cells(t, pt, "#size-cells", (uint32_t[]){2}, 1);

    t->opt.gic_phandle = ph;
    t->opt.flat_parent = pt;
    /* Xen 4.17 routes a passthrough device's interrupts 1:1 (virtual =
     * physical); the guest must be told the numbers it will see. */
    for (size_t i = 0; i < t->nirqmap; i++)
        t->irqmap[i].vintid = t->irqmap[i].pintid;

    for (size_t d = 0; d < g->devices.n; d++) {
        const struct sys_device *dev = &g->devices.v[d];
        struct gt_node *n = gt_copy_device(ctx, t, owners, dev);
        if (!n)
            continue;
        if (!xen_reg(t, n, dev))
            diag_report(&ctx->diag, CK_ALIGN, dev->ref.pos,
                        "Xen maps whole pages: a register region of %s is not at the same "
                        "offset within its page in the guest as on the board",
                        dev->ref.node->path);
        gt_prop_str(t, n, "xen,path", dev->ref.node->path);
        /* Only where the checks accept the device without an IOMMU: not a
         * DMA master, or one the user accepted with unsafe-no-iommu. A DMA
         * master behind an SMMU goes through Xen's IOMMU driver. */
        if (!dev->is_dma || dev->unsafe_no_iommu)
            gt_prop_empty(t, n, "xen,force-assign-without-iommu");
    }
    gt_copy_providers(ctx, t, owners);
    for (size_t k = 0; k < t->lost.n; k++) /* never a silently lossy fragment */
        diag_report(&ctx->diag, CK_DEP_UNOWNED, NOPOS, "guest %s: %s (not carried into the guest tree)",
                    g->name, t->lost.v[k]);

    /* Board aliases of the nodes the guest got, at their guest paths. */
    if (aliases) {
        for (struct board_prop pv = board_prop_first(balias); pv.name; pv = board_prop_next(balias, pv)) {
            const struct board_prop *bp = &pv;
            if (!strcmp(bp->name, "phandle") || !strcmp(bp->name, "name") || bp->len == 0 ||
                bp->val[bp->len - 1] != '\0')
                continue;
            const struct gt_node *gn = strmap_get(&t->by_board_path, (const char *)bp->val);
            if (!gn)
                continue;
            char *path = gt_path(gn);
            gt_prop_str(t, aliases, bp->name, path);
            free(path);
        }
        if (aliases->props.n == 0)
            gt_node_remove(aliases);
    }
    gt_sort(root);
    return t;
}

/* ------------------------------------------------------------- checks */

static void warn_unenforced(struct xen_ctx *x)
{
    struct dtpass_ctx *ctx = x->ctx;
    const struct system *sys = &ctx->sys;
    for (size_t g = 0; g < sys->guests.n; g++) {
        const struct sys_guest *sg = &sys->guests.v[g];
        if (sg->memory.n) {
            const struct sys_mem *m = &sg->memory.v[0];
            struct diag *d = diag_report(
                &ctx->diag, CK_XEN_UNENFORCED, m->pos,
                "Xen allocates guest '%s' RAM itself: physical address 0x%llx is not used, "
                "and the guest sees its RAM at IPA 0x%llx (Xen's guest layout)%s",
                sg->name, (unsigned long long)m->base, (unsigned long long)XEN_RAM0_BASE,
                m->ipa != XEN_RAM0_BASE || sg->memory.n > 1 ? ", not as written" : "");
            diag_note(d, NOPOS, NULL,
                      "xen,static-mem needs a Xen built with CONFIG_STATIC_MEMORY; "
                      "Debian's Xen 4.17 is not");
        }
        if (sg->cpus.n)
            diag_report(&ctx->diag, CK_XEN_UNENFORCED, sg->cpus.v[0].pos,
                        "guest '%s' gets %zu vCPU%s, but Xen's scheduler runs %s on any "
                        "physical CPU: the CPU list is not enforced (no boot-time cpupools "
                        "in Debian's Xen 4.17)",
                        sg->name, sg->cpus.n, sg->cpus.n == 1 ? "" : "s",
                        sg->cpus.n == 1 ? "it" : "them");
        for (size_t d = 0; d < sg->devices.n; d++) {
            const struct sys_device *dev = &sg->devices.v[d];
            /* Such a device goes to Xen's IOMMU driver (no
             * xen,force-assign-without-iommu), and Debian's build has
             * none for SMMUv3: Xen would fail to build the guest. */
            for (size_t i = 0; dev->is_dma && !dev->unsafe_no_iommu && i < dev->rsids.n; i++)
                if (dev->rsids.v[i].smmu && dev->rsids.v[i].smmu->version == SMMU_V3) {
                    diag_report(&ctx->diag, CK_XEN_UNENFORCED, dev->ref.pos,
                                "%s is a DMA master behind the SMMUv3 %s, and Debian's Xen "
                                "4.17 has no SMMUv3 driver: it cannot assign the device "
                                "(a Xen built with CONFIG_ARM_SMMU_V3 can)",
                                dev->ref.node->path, dev->rsids.v[i].smmu->node->path);
                    break;
                }
            /* Xen routes what `interrupts` lists (xen,path); a host bridge's
             * INTx come through interrupt-map and its MSIs need an ITS. */
            if (dev->ref.node && dev->ref.node->pci_host)
                diag_report(&ctx->diag, CK_XEN_UNENFORCED, dev->ref.pos,
                            "Xen 4.17 passes no PCI to a dom0less guest: %s gets its "
                            "windows mapped, but neither its INTx (interrupt-map) nor MSIs",
                            dev->ref.node->path);
            for (size_t i = 0; i < dev->irqs.n; i++)
                if (dev->irqs.v[i].phys != dev->irqs.v[i].virt)
                    diag_report(&ctx->diag, CK_XEN_UNENFORCED, dev->irqs.v[i].pos,
                                "Xen routes passthrough interrupts 1:1: SPI %u stays SPI %u "
                                "in guest '%s', not SPI %u",
                                dev->irqs.v[i].phys, dev->irqs.v[i].phys, sg->name,
                                dev->irqs.v[i].virt);
        }
    }
    /* On domain destroy Xen de-assigns the domain's devices from its IOMMU
     * contexts (docs/xen.md#guest-reboot) but asserts no reset and switches
     * off no power domain: a master whose plan stops it only that way keeps
     * running. Stream steps come first in a guest's plan. */
    const struct quiesce_plan *q = ctx->quiesce;
    for (size_t i = 0, blocked = SIZE_MAX, told = SIZE_MAX; q && i < q->steps.n; i++) {
        const struct qs_step *st = &q->steps.v[i];
        if (st->kind == QS_ABORT_STE || st->kind == QS_FAULT_S2CR)
            blocked = st->device;
        else if ((st->kind == QS_RESET || st->kind == QS_POWER_OFF) && st->device != blocked &&
                 st->device != told) {
            told = st->device;
            diag_report(&ctx->diag, CK_XEN_UNENFORCED, st->dev->ref.pos,
                        "%s of guest '%s' is stopped on a reboot only by its %s (%s), which "
                        "Xen does not drive when it destroys the domain: its DMA may outlive "
                        "the guest",
                        st->dev->ref.node->path, sys->guests.v[st->guest].name,
                        st->kind == QS_RESET ? "reset line" : "power domain", st->provider->path);
        }
    }
    for (size_t s = 0; s < sys->shared.n; s++)
        diag_report(&ctx->diag, CK_XEN_UNENFORCED, sys->shared.v[s].pos,
                    "shared region '%s' is not set up: it needs xen,shared-mem (Xen built "
                    "with CONFIG_STATIC_SHM), which Debian's Xen 4.17 lacks",
                    sys->shared.v[s].name);
}

struct win {
    uint64_t base, size;
    const char *what;
    struct srcpos pos;
    bool xen;
};

static int win_cmp(const void *a, const void *b)
{
    const struct win *x = a, *y = b;
    if (x->base != y->base)
        return x->base < y->base ? -1 : 1;
    return x->xen == y->xen ? 0 : x->xen ? -1 : 1;
}

/* Device windows against Xen's fixed guest layout (sort and sweep), and a
 * device on the vPL011's SPI. */
static void check_guest_layout(struct xen_ctx *x, uint32_t gi)
{
    struct dtpass_ctx *ctx = x->ctx;
    const struct sys_guest *g = &ctx->sys.guests.v[gi];
    const struct xguest *xg = &x->xg[gi];
    VEC(struct win) w = {0};
    bool v3 = ctx->board.gic.version != 2;
    VEC_PUSH(&w, ((struct win){v3 ? XEN_GICV3_BASE : XEN_GICV2_BASE,
                               v3 ? XEN_GICV3_SIZE : XEN_GICV2_SIZE, "Xen's virtual GIC", NOPOS,
                               true}));
    VEC_PUSH(&w, ((struct win){XEN_GNTTAB_BASE, XEN_GNTTAB_SIZE,
                               "Xen's grant-table and magic pages", NOPOS, true}));
    uint64_t bytes = xg->mem_kib * KiB;
    VEC_PUSH(&w, ((struct win){XEN_RAM0_BASE, bytes < XEN_RAM0_SIZE ? bytes : XEN_RAM0_SIZE,
                               "the guest RAM Xen allocates", NOPOS, true}));
    if (bytes > XEN_RAM0_SIZE)
        VEC_PUSH(&w, ((struct win){XEN_RAM1_BASE, bytes - XEN_RAM0_SIZE,
                                   "the guest RAM Xen allocates", NOPOS, true}));
    if (xg->vpl011)
        VEC_PUSH(&w, ((struct win){XEN_VPL011_BASE, XEN_PAGE, "Xen's virtual PL011", NOPOS,
                                   true}));
    for (size_t d = 0; d < g->devices.n; d++) {
        const struct sys_device *dev = &g->devices.v[d];
        for (size_t i = 0; i < dev->regs.n; i++)
            if (dev->regs.v[i].size)
                VEC_PUSH(&w, ((struct win){dev->regs.v[i].ipa, dev->regs.v[i].size,
                                           dev->ref.node->path, dev->ref.pos, false}));
        for (size_t i = 0; xg->vpl011 && i < dev->rirqs.n; i++)
            if (dev->rirqs.v[i].pintid == XEN_VPL011_INTID)
                diag_report(&ctx->diag, CK_VIRQ_CONFLICT, dev->ref.pos,
                            "%s uses SPI 0, which Xen gives to guest '%s''s virtual PL011 "
                            "(passthrough interrupts are routed 1:1)",
                            dev->ref.node->path, g->name);
    }
    qsort(w.v, w.n, sizeof(*w.v), win_cmp);
    /* Sweep: the window reaching furthest so far against each next one. */
    size_t far = 0;
    uint64_t far_end = 0;
    for (size_t i = 0; i < w.n; i++) {
        uint64_t end;
        if (!u64_add(w.v[i].base, w.v[i].size, &end))
            end = UINT64_MAX;
        if (i && w.v[i].base < far_end && (w.v[i].xen != w.v[far].xen)) {
            const struct win *dev = w.v[i].xen ? &w.v[far] : &w.v[i];
            const struct win *xen = w.v[i].xen ? &w.v[i] : &w.v[far];
            struct diag *dg = diag_report(
                &ctx->diag, CK_IPA_OVERLAP, dev->pos,
                "%s at IPA 0x%llx in guest '%s' overlaps %s (0x%llx..0x%llx) under Xen",
                dev->what, (unsigned long long)dev->base, g->name, xen->what,
                (unsigned long long)xen->base, (unsigned long long)(xen->base + xen->size - 1));
            diag_fix(dg, "give the device another guest address with `ipa:`");
        }
        if (i == 0 || end > far_end) {
            far = i;
            far_end = end;
        }
    }
    VEC_FREE(&w);
}

static int img_cmp(const void *a, const void *b)
{
    const struct ximage *x = *(const struct ximage *const *)a, *y = *(const struct ximage *const *)b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static const char *img_owner(const struct xen_ctx *x, const struct ximage *im)
{
    return im->guest < 0 ? "the hypervisor" : x->ctx->sys.guests.v[im->guest].name;
}

/* Every image in board RAM, and no two overlapping (sort and sweep). */
static void check_images(struct xen_ctx *x)
{
    struct dtpass_ctx *ctx = x->ctx;
    const struct board *b = &ctx->board;
    size_t n = x->img.n;
    const struct ximage **v = xcalloc(n ? n : 1, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = &x->img.v[i];
    qsort(v, n, sizeof(*v), img_cmp);
    const struct ximage *far = NULL;
    uint64_t far_end = 0, r = 0;
    for (size_t i = 0; i < n; i++) {
        const struct ximage *im = v[i];
        uint64_t last;
        if (!range_end(im->addr, im->size ? im->size : 1, &last)) {
            diag_report(&ctx->diag, CK_RANGE_WRAP, im->pos, "the %s of %s at 0x%llx wraps",
                        im->what, img_owner(x, im), (unsigned long long)im->addr);
            continue;
        }
        while (r < b->nram && b->ram[r].base + b->ram[r].size <= im->addr)
            r++;
        if (r >= b->nram || im->addr < b->ram[r].base ||
            last > b->ram[r].base + b->ram[r].size - 1)
            diag_report(&ctx->diag, CK_MEM_NOT_RAM, im->pos,
                        "the %s of %s (0x%llx..0x%llx) is not in board RAM", im->what,
                        img_owner(x, im), (unsigned long long)im->addr,
                        (unsigned long long)last);
        if (far && im->addr <= far_end) {
            struct diag *d = diag_report(
                &ctx->diag, CK_MEM_OVERLAP, im->pos,
                "the %s of %s (0x%llx..0x%llx) overlaps the %s of %s (0x%llx..0x%llx)",
                im->what, img_owner(x, im), (unsigned long long)im->addr,
                (unsigned long long)last, far->what, img_owner(x, far),
                (unsigned long long)far->addr, (unsigned long long)far_end);
            if (d && far->pos.line)
                diag_note(d, far->pos, NULL, "the %s is loaded here", far->what);
        }
        if (!far || last > far_end) {
            far = im;
            far_end = last;
        }
    }
    free(v);
}

/* ----------------------------------------------------------- the images */

static int add_image(struct xen_ctx *x, const char *what, int guest, char *src, char *name,
                     uint64_t addr, uint64_t size, struct srcpos pos)
{
    *VEC_ADD(&x->img) = (struct ximage){.what = what, .guest = guest, .src = src, .name = name,
                                        .addr = addr, .size = size, .pos = pos};
    return (int)(x->img.n - 1);
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* A `boot:` file: its size now (so the module node can say it), its path
 * for QEMU, its name for U-Boot. A missing file is an I/O error. */
static int file_image(struct xen_ctx *x, const char *what, int guest, const struct sys_image *si)
{
    struct dtpass_ctx *ctx = x->ctx;
    const char *sysfile = ctx->sys.file && strcmp(ctx->sys.file, "<stdin>") ? ctx->sys.file : ".";
    char *dir = path_dirname(sysfile);
    char *path = path_join(dir, si->file);
    free(dir);
    struct stat st;
    int serr = stat(path, &st) ? errno : 0;
    if (serr || !S_ISREG(st.st_mode)) {
        diag_fatal(&ctx->diag, si->pos, "cannot read the %s %s: %s", what, path,
                   serr ? strerror(serr) : "not a regular file");
        free(path);
        return -2;
    }
    if (st.st_size == 0 || (uint64_t)st.st_size > UINT32_MAX) {
        diag_fatal(&ctx->diag, si->pos, "the %s %s is %s", what, path,
                   st.st_size ? "larger than 4 GiB" : "empty");
        free(path);
        return -2;
    }
    VEC_PUSH(&ctx->sys.inputs, xstrdup(path));
    return add_image(x, what, guest, path, xstrdup(base_name(si->file)), si->load,
                     (uint64_t)st.st_size, si->pos);
}

/* Xen's console: the first hypervisor device Xen has a serial driver for
 * (CONFIG_HAS_* in Debian's build), else the board's stdout-path. */
static const char *find_uart(const struct dtpass_ctx *ctx)
{
    static const char *const drivers[] = {
        "arm,pl011",        "arm,sbsa-uart",      "ns16550",         "snps,dw-apb-uart",
        "cdns,uart-r1p8",   "cdns,uart-r1p12",    "xlnx,xuartps",    "fsl,imx8qm-lpuart",
        "marvell,armada-3700-uart", "amlogic,meson-uart", "renesas,scif", "renesas,rcar-gen3-scif",
    };
    for (size_t i = 0; i < ctx->sys.hyp_devices.n; i++) {
        const struct board_node *n = ctx->sys.hyp_devices.v[i].node;
        struct board_prop c = n ? board_prop(n, "compatible") : (struct board_prop){0};
        if (!c.name)
            continue;
        for (uint32_t o = 0; o < c.len;) {
            const char *s = (const char *)c.val + o;
            size_t l = strnlen(s, c.len - o);
            for (size_t k = 0; k < ARRAY_SIZE(drivers); k++)
                if (!strncmp(s, drivers[k], l) && drivers[k][l] == '\0')
                    return n->path;
            o += (uint32_t)l + 1;
        }
    }
    return NULL;
}

/* Xen's console, or the reason there is none. Without a hypervisor UART
 * Xen falls back to the board's stdout-path, and a UART a guest owns cannot
 * be Xen's console too: Xen would keep its interrupt and refuse to build
 * the guest. */
static void choose_console(struct xen_ctx *x, bool report)
{
    struct dtpass_ctx *ctx = x->ctx;
    const struct system *sys = &ctx->sys;
    if ((x->uart = find_uart(ctx)))
        return;
    const struct board_node *ch = board_lookup(&ctx->board, "/chosen");
    struct board_prop sp = ch ? board_prop(ch, "stdout-path") : (struct board_prop){0};
    const struct board_node *n = NULL;
    if (sp.name && sp.len > 1 && sp.val[sp.len - 1] == '\0') {
        /* "serial0:115200n8": the reference ends at the options. */
        char *ref = xstrndup((const char *)sp.val, strcspn((const char *)sp.val, ":"));
        n = board_lookup(&ctx->board, ref);
        free(ref);
    }
    if (!n) {
        if (report)
            diag_report(&ctx->diag, CK_XEN_UNENFORCED, sys->version_pos,
                    "no hypervisor device is a UART Xen has a driver for, and the board has no "
                    "usable stdout-path: Xen runs without a console (give it one in "
                    "`hypervisor: devices:`)");
        return;
    }
    if (!x->passthrough[n->index]) {
        x->uart = n->path;
        return;
    }
    for (size_t g = 0; report && g < sys->guests.n; g++)
        for (size_t d = 0; d < sys->guests.v[g].devices.n; d++) {
            const struct sys_device *dev = &sys->guests.v[g].devices.v[d];
            if (dev->ref.node != n)
                continue;
            struct diag *dg = diag_report(
                &ctx->diag, CK_DEV_OWNER, dev->ref.pos,
                "Xen takes the board's stdout-path %s as its console, but guest '%s' owns it",
                n->path, sys->guests.v[g].name);
            diag_fix(dg, "keep a UART for Xen in `hypervisor: devices:`; the guest gets a "
                         "virtual PL011 (vpl011) for its console");
            return;
        }
}

/* A guest needs Xen's virtual PL011 unless its console is a device it owns. */
static bool needs_vpl011(const struct sys_guest *g)
{
    if (!g->stdout_ref.text || !g->stdout_ref.node)
        return true;
    for (size_t d = 0; d < g->devices.n; d++)
        if (g->devices.v[d].ref.node == g->stdout_ref.node)
            return false;
    return true;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* The boot script's first step: every device passed through must exist on
 * the machine as it runs, which U-Boot's own device tree (its control DT,
 * ${fdtcontroladdr}) tells; on QEMU that tree is the one the machine
 * generated for its options. A device the host DTB describes but the
 * machine lacks (QEMU virt replaces its PL061 by an ACPI GED when firmware
 * runs with ACPI on) is mapped into its guest all the same, and the guest
 * dies of an external abort on the first access, before its console is up
 * (docs/xen.md, "When a guest's device is not there"). The script then
 * stops in U-Boot naming the missing paths; `setenv dtpass_devcheck off`
 * skips the step where U-Boot's tree legitimately differs from the board's.
 * A node is asked for `compatible` (else `reg`), which every device node
 * has; one with neither is not checked. U-Boot 2023.01's `exit` does not
 * end a sourced script, so the loads and `booti` sit in the `else` branch.
 * Returns whether the script has the step (and so an open `if`). */
static bool write_devcheck(struct xen_ctx *x, struct strbuf *scr)
{
    const struct board *b = &x->ctx->board;
    bool any = false;
    for (uint32_t i = 0; i < b->nnodes; i++) {
        const struct board_node *n = b->nodes[i];
        if (!x->passthrough[i] || (!n->compatible && n->nmmio == 0))
            continue;
        if (!any)
            sb_puts(scr, "setenv dtpass_missing\n"
                         "if test -n \"${fdtcontroladdr}\" && test \"${dtpass_devcheck}\" != off"
                         " && fdt addr -q ${fdtcontroladdr}; then\n");
        any = true;
        sb_printf(scr,
                  "  fdt get value dtpass_v %s %s"
                  " || setenv dtpass_missing \"${dtpass_missing} %s\"\n",
                  n->path, n->compatible ? "compatible" : "reg", n->path);
    }
    if (any)
        sb_puts(scr, "fi\n"
                     "if test -n \"${dtpass_missing}\"; then\n"
                     "  echo \"dtpass: this machine has no${dtpass_missing}: a guest would fault"
                     " on it; the host DTB must describe the machine as it runs (docs/xen.md)\"\n"
                     "else\n");
    return any;
}

static void write_scripts(struct xen_ctx *x, struct strbuf *scr, struct strbuf *args)
{
    const struct system *sys = &x->ctx->sys;
    const struct ximage *xen = &x->img.v[0], *host = NULL;
    for (size_t i = 0; i < x->img.n; i++)
        if (!strcmp(x->img.v[i].what, "host DTB"))
            host = &x->img.v[i];
    sb_printf(scr,
              "# U-Boot script generated by dtpass: Xen on Arm, dom0less, %zu guest%s.\n"
              "# Every file is loaded from where the script is (${prefix}, set by distro\n"
              "# boot; the partition's root when unset); put Xen there as `xen`.\n"
              "# boot.scr is this script as U-Boot's `source` runs it (docs/xen.md).\n"
              "setenv bootdev \"${devtype} ${devnum}:${distro_bootpart}\"\n",
              sys->guests.n, sys->guests.n == 1 ? "" : "s");
    bool checked = write_devcheck(x, scr);
    const char *ind = checked ? "  " : "";
    for (size_t i = 0; i < x->img.n; i++) {
        const struct ximage *im = &x->img.v[i];
        sb_printf(scr, "%sload ${bootdev} 0x%llx ${prefix}%s\n", ind, (unsigned long long)im->addr,
                  im->name);
        if (!im->src || im == host)
            continue; /* QEMU takes Xen as -kernel and the host DTB as -dtb */
        sb_puts(args, "-device loader,file=");
        for (const char *c = im->src; *c; c++) {
            if (*c == ',')
                sb_putc(args, ','); /* QEMU option syntax: ",," is a literal comma */
            sb_putc(args, *c);
        }
        sb_printf(args, ",addr=0x%llx,force-raw=on\n", (unsigned long long)im->addr);
    }
    sb_printf(scr, "%sbooti 0x%llx - 0x%llx\n", ind, (unsigned long long)xen->addr,
              (unsigned long long)(host ? host->addr : 0));
    if (checked)
        sb_puts(scr, "fi\n");
}

static void free_images(struct xen_ctx *x)
{
    for (size_t i = 0; i < x->img.n; i++) {
        free(x->img.v[i].src);
        free(x->img.v[i].name);
    }
    VEC_FREE(&x->img);
}

/* The per-guest facts checks and emitter share (RAM size, vPL011, which
 * board nodes are passed through); the caller frees x->xg and
 * x->passthrough. */
static void xen_prepare(struct xen_ctx *x, struct dtpass_ctx *ctx)
{
    const struct system *sys = &ctx->sys;
    x->ctx = ctx;
    x->xg = xcalloc(sys->guests.n + 1, sizeof(*x->xg));
    x->passthrough = xcalloc(ctx->board.nnodes + 1, sizeof(*x->passthrough));
    for (size_t g = 0; g < sys->guests.n; g++) {
        const struct sys_guest *sg = &sys->guests.v[g];
        struct xguest *xg = &x->xg[g];
        xg->kernel = xg->ramdisk = xg->pt = -1;
        uint64_t bytes = 0;
        for (size_t m = 0; m < sg->memory.n; m++)
            if (!u64_add(bytes, sg->memory.v[m].size, &bytes))
                bytes = UINT64_MAX;
        xg->mem_kib = bytes / KiB;
        xg->vpl011 = needs_vpl011(sg);
        for (size_t d = 0; d < sg->devices.n; d++)
            if (sg->devices.v[d].ref.node)
                x->passthrough[sg->devices.v[d].ref.node->index] = true;
    }
}

/* The first hypervisor memory region's end, or false when the region
 * cannot hold Xen and the boot area. */
static bool hyp_region(const struct system *sys, uint64_t *end)
{
    const struct sys_mem *hm = sys->hyp_memory.n ? &sys->hyp_memory.v[0] : NULL;
    return hm && u64_add(hm->base, hm->size, end) && hm->size >= 8 * MiB;
}

/* The target's checks (targets/target.h): what Xen cannot be told, what
 * collides with Xen's fixed guest layout, and what the emitter needs from
 * the system file. Also run by `dtpass check --target xen`. */
static void xen_check(struct dtpass_ctx *ctx)
{
    const struct system *sys = &ctx->sys;
    struct xen_ctx x = {0};
    uint64_t end;
    if (sys->hyp_memory.n == 0) {
        diag_report(&ctx->diag, CK_HV_MEMORY, sys->version_pos,
                    "the xen target places Xen, the host DTB and the passthrough DTBs in "
                    "hypervisor memory: give `hypervisor: memory:`");
        return;
    }
    if (!hyp_region(sys, &end)) {
        diag_report(&ctx->diag, CK_HV_MEMORY, sys->hyp_memory.v[0].pos,
                    "the xen target needs at least 8 MiB in the first hypervisor memory region "
                    "(Xen at +2 MiB, a 2 MiB boot area at the end)");
        return;
    }
    xen_prepare(&x, ctx);
    for (size_t g = 0; g < sys->guests.n; g++)
        if (!sys->guests.v[g].kernel.file)
            diag_report(&ctx->diag, CK_SCHEMA, sys->guests.v[g].pos,
                        "the xen target needs a kernel for guest '%s': give `boot: kernel: "
                        "{ file, load }`",
                        sys->guests.v[g].name);
    choose_console(&x, true);
    warn_unenforced(&x);
    for (size_t g = 0; g < sys->guests.n; g++)
        check_guest_layout(&x, (uint32_t)g);
    free(x.xg);
    free(x.passthrough);
}

/* The emitter: runs after xen_check found no error, so hypervisor memory
 * holds Xen and the boot area and every guest has a kernel. What only the
 * images show (a missing file, images overlapping or outside RAM, a boot
 * area too small) is reported here. */
static int emit_xen(struct dtpass_ctx *ctx)
{
    const struct system *sys = &ctx->sys;
    struct xen_ctx x = {0};
    int rc = -1;
    xen_prepare(&x, ctx);
    struct guest_tree **trees = xcalloc(sys->guests.n + 1, sizeof(*trees));
    if (!ctx->owners || !hyp_region(sys, &x.hyp_end)) {
        diag_fatal(&ctx->diag, NOPOS, "internal error: the xen target's checks or guest trees "
                                      "did not run");
        goto out;
    }
    const struct sys_mem *hm = &sys->hyp_memory.v[0];
    x.hyp_base = hm->base;
    x.area = x.hyp_end - 2 * MiB;
    x.area_end = x.hyp_end;
    /* Image 0 is Xen: the room from base + 2 MiB to the boot area. */
    add_image(&x, "Xen", -1, NULL, xstrdup("xen"), x.hyp_base + 2 * MiB,
              x.area - (x.hyp_base + 2 * MiB), hm->pos);

    for (size_t g = 0; g < sys->guests.n; g++) {
        const struct sys_guest *sg = &sys->guests.v[g];
        struct xguest *xg = &x.xg[g];
        if (!sg->kernel.file)
            continue;
        if ((xg->kernel = file_image(&x, "kernel", (int)g, &sg->kernel)) < 0)
            goto out;
        if (sg->ramdisk.file && (xg->ramdisk = file_image(&x, "ramdisk", (int)g, &sg->ramdisk)) < 0)
            goto out;
    }
    choose_console(&x, false);
    /* Passthrough DTBs first in the boot area, then the host DTB that
     * points at them. */
    uint64_t cur = x.area;
    for (size_t g = 0; g < sys->guests.n; g++) {
        if (sys->guests.v[g].devices.n == 0)
            continue;
        trees[g] = build_passthrough(&x, ctx->owners, (uint32_t)g);
        int err = gt_to_dtb(trees[g], &x.xg[g].pt_fdt, &x.xg[g].pt_size);
        if (err) {
            diag_fatal(&ctx->diag, NOPOS, "xen: building the passthrough DTB of '%s' failed: %s",
                       sys->guests.v[g].name, fdt_strerror(err));
            goto out;
        }
        char *name = xasprintf("%s-passthrough.dtb", sys->guests.v[g].name);
        x.xg[g].pt = add_image(&x, "passthrough DTB", (int)g,
                               xasprintf("%s/xen/%s", ctx->opt.outdir, name), name, cur,
                               x.xg[g].pt_size, hm->pos);
        cur = align_up(cur + x.xg[g].pt_size, XEN_PAGE);
    }
    if (diag_errors(&ctx->diag))
        goto out;
    void *host = fdt_build(&x, build_host, NULL, ctx->board.fdt_size + 16384);
    if (!host)
        goto out;
    add_image(&x, "host DTB", -1, xasprintf("%s/xen/host.dtb", ctx->opt.outdir),
              xstrdup("host.dtb"), cur, fdt_totalsize(host), hm->pos);
    if (cur + fdt_totalsize(host) > x.area_end)
        diag_report(&ctx->diag, CK_HV_MEMORY, hm->pos,
                    "the host DTB and the passthrough DTBs (%llu bytes) do not fit in the 2 MiB "
                    "boot area at the end of hypervisor memory",
                    (unsigned long long)(cur + fdt_totalsize(host) - x.area));
    check_images(&x);
    if (diag_errors(&ctx->diag)) {
        free(host);
        goto out;
    }

    struct strbuf dts;
    sb_init(&dts);
    fdt_to_dts(host, &dts);
    rc = stage_dt(&x, "host", host, fdt_totalsize(host), &dts);
    sb_free(&dts);
    free(host);
    for (size_t g = 0; !rc && g < sys->guests.n; g++)
        if (x.xg[g].pt_fdt) {
            sb_init(&dts);
            gt_to_dts(trees[g], &dts);
            char *base = xasprintf("%s-passthrough", sys->guests.v[g].name);
            rc = stage_dt(&x, base, x.xg[g].pt_fdt, x.xg[g].pt_size, &dts);
            free(base);
            sb_free(&dts);
        }
    if (!rc) {
        struct strbuf scr, args;
        sb_init(&scr);
        sb_init(&args);
        write_scripts(&x, &scr, &args);
        rc = stage(&x, "boot.scr.txt", scr.s, scr.len);
        struct strbuf img;
        sb_init(&img);
        if (!rc && uimage_script(&img, scr.s, scr.len)) {
            diag_fatal(&ctx->diag, NOPOS,
                       "xen: the boot script is too large for U-Boot's image format");
            rc = -1;
        }
        if (!rc)
            rc = stage(&x, "boot.scr", img.s, img.len);
        sb_free(&img);
        if (!rc)
            rc = stage(&x, "qemu-loader.args", args.s, args.len);
        sb_free(&scr);
        sb_free(&args);
    }
out:
    for (size_t g = 0; g < sys->guests.n; g++) {
        free(x.xg[g].pt_fdt);
        if (trees[g])
            gt_free(trees[g]);
    }
    free(trees);
    free(x.xg);
    free(x.passthrough);
    free_images(&x);
    return rc || diag_errors(&ctx->diag) ? -1 : 0;
}

static const char *const xen_outputs[] = {
    "host.dtb", "host.dts", "<guest>-passthrough.dtb", "<guest>-passthrough.dts",
    "boot.scr.txt", "qemu-loader.args", NULL,
};

const struct hv_target xen_target = {
    .name = "xen",
    .summary = "Xen on Arm, dom0less: host DTB, passthrough DTBs, U-Boot script (docs/xen.md)",
    .outdir = "xen",
    .outputs = xen_outputs,
    .needs = HV_NEEDS_GUEST_TREES | HV_NEEDS_PLACE,
    .check = xen_check,
    .emit = emit_xen,
};
