/* tests/unit/test_board.c — the board model on hand-written fixtures
 * (the DTS files in tests/fixtures/boards, compiled through the real dtc by
 * board_load): address translation, interrupts, IOMMU masters, dependencies,
 * DMA classification, lookups, RAM, the cpp path, and broken boards —
 * including every truncation and many corruptions of a real blob, which
 * must be refused or loaded, never crash (run under ASan by SANITIZE=1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libfdt.h>

#include "board/board.h"
#include "diag/diag.h"

#define FIXDIR "tests/fixtures/boards/"

struct bfx {
    struct board b;
    struct diag_sink d;
    int rc;
};

static struct bfx *load_opt(const char *name, const char *classes)
{
    struct bfx *f = calloc(1, sizeof(*f));
    diag_init(&f->d);
    char *path = xasprintf(FIXDIR "%s", name);
    char *cls = classes ? xasprintf(FIXDIR "%s", classes) : NULL;
    struct board_options opt = {.classes_file = cls};
    f->rc = board_load(&f->b, path, &opt, &f->d);
    free(path);
    free(cls);
    return f;
}

static struct bfx *load(const char *name)
{
    struct bfx *f = load_opt(name, NULL);
    assert_int_equal(f->rc, 0);
    return f;
}

static void unload(struct bfx *f)
{
    if (f->rc == 0)
        board_free(&f->b);
    diag_free(&f->d);
    free(f);
}

static struct board_node *node(struct bfx *f, const char *path)
{
    struct board_node *n = board_lookup(&f->b, path);
    if (!n)
        fail_msg("no node %s", path);
    return n;
}

/* Findings of check `check` whose message contains `needle`. */
static size_t findings(struct bfx *f, const char *check, enum severity sev, const char *needle)
{
    size_t k = 0;
    for (size_t i = 0; i < f->d.diags.n; i++) {
        const struct diag *d = f->d.diags.v[i];
        if (d->check && !strcmp(d->check, check) && d->sev == sev && (!needle || strstr(d->msg, needle)))
            k++;
    }
    return k;
}

static void assert_mmio(const struct board_node *n, uint32_t i, uint64_t base, uint64_t size)
{
    assert_true(i < n->nmmio);
    assert_int_equal(n->mmio[i].base, base);
    assert_int_equal(n->mmio[i].size, size);
}

static bool has_dep(const struct board_node *n, const char *prop, const char *provider)
{
    for (uint32_t i = 0; i < n->ndeps; i++)
        if (!strcmp(n->deps[i].prop, prop) && !strcmp(board_dep_provider(n, &n->deps[i])->path, provider))
            return true;
    return false;
}

/* ---- address translation ---- */

static void test_board_translate_levels(void **state)
{
    (void)state;
    struct bfx *f = load("translate.dts");
    assert_true(f->b.from_dts);
    assert_mmio(node(f, "/soc/uart@1000"), 0, 0xf0001000, 0x100);
    struct board_node *t = node(f, "/soc/bus@2000000/timer@300");
    assert_int_equal(t->nmmio, 2);
    assert_mmio(t, 0, 0xf2000300, 0x20);
    assert_mmio(t, 1, 0xf2000400, 0x10);
    /* An empty ranges is the identity. */
    assert_mmio(node(f, "/soc/bus@2000000/identity/dev@10"), 0, 0xf2000010, 0x10);
    /* Two-cell addresses and sizes. */
    assert_mmio(node(f, "/wide/big@10000000"), 0, 0x8010000000ull, 0x20000000);
    unload(f);
}

static void test_board_translate_private_spaces(void **state)
{
    (void)state;
    struct bfx *f = load("translate.dts");
    /* I2C addresses (#size-cells 0) and flash partitions (a parent without
     * ranges that is not a memory-mapped bus) are not MMIO and not errors. */
    struct board_node *e = node(f, "/soc/i2c@3000/eeprom@50");
    assert_int_equal(e->nmmio, 0);
    assert_null(e->defect);
    struct board_node *p = node(f, "/soc/flash@4000/partitions/part@0");
    assert_int_equal(p->nmmio, 0);
    assert_null(p->defect);
    assert_false(p->untranslatable);
    unload(f);
}

static void test_board_translate_untranslatable(void **state)
{
    (void)state;
    struct bfx *f = load("translate.dts");
    struct board_node *o = node(f, "/soc/outside@20000000");
    assert_true(o->untranslatable);
    assert_int_equal(o->nmmio, 0);
    assert_non_null(o->defect);
    struct board_node *nb = node(f, "/nobus/dev@100");
    assert_true(nb->untranslatable);
    assert_non_null(strstr(nb->defect, "no `ranges`"));
    /* Node-local defects are warnings: the board still loads. */
    assert_int_equal(findings(f, "board-invalid", SEV_WARNING, "untranslatable"), 2);
    assert_int_equal(findings(f, "board-invalid", SEV_ERROR, NULL), 0);
    unload(f);
}

static void test_board_translate_pci(void **state)
{
    (void)state;
    struct bfx *f = load("translate.dts");
    struct board_node *h = node(f, "/pcie@40000000");
    assert_true(h->pci_host);
    /* ECAM reg, then the outbound windows: I/O, 32-bit and 64-bit memory. */
    assert_int_equal(h->nmmio, 4);
    assert_mmio(h, 0, 0x40000000, 0x1000000);
    assert_mmio(h, 1, 0x3eff0000, 0x10000);
    assert_mmio(h, 2, 0x10000000, 0x2eff0000);
    assert_mmio(h, 3, 0x8000000000ull, 0x8000000000ull);
    /* INTx through interrupt-map: SPIs 3 and 4, deduplicated. */
    assert_int_equal(h->nirqs, 2);
    assert_int_equal(h->irqs[0].intid, 35);
    assert_int_equal(h->irqs[1].intid, 36);
    assert_true(has_dep(h, "interrupt-map", "/interrupt-controller@8000000"));
    /* A PCI device: config space and relocatable BARs skipped, fixed
     * (n-bit) BARs translated; 64-bit memory matches a prefetchable window. */
    struct board_node *d = node(f, "/pcie@40000000/dev@1,0");
    assert_false(d->pci_host);
    /* Its INTA goes through the host's interrupt-map, matched on the
     * device number under interrupt-map-mask: SPI 4. */
    assert_int_equal(d->nirqs, 1);
    assert_true(d->irqs[0].gic);
    assert_int_equal(d->irqs[0].intid, 36);
    assert_true(has_dep(d, "interrupt-parent", "/pcie@40000000"));
    assert_int_equal(d->nmmio, 2);
    assert_mmio(d, 0, 0x10001000, 0x1000);
    assert_mmio(d, 1, 0x8000001000ull, 0x1000);
    unload(f);
}

/* ---- interrupts ---- */

static void test_board_irqs_inherit_and_decode(void **state)
{
    (void)state;
    struct bfx *f = load("irqs.dts");
    assert_int_equal(f->b.gic.version, 3);
    assert_string_equal(f->b.gic.node->path, "/interrupt-controller@1000");
    struct board_node *u = node(f, "/uart@3000");
    assert_int_equal(u->nirqs, 1);
    assert_true(u->irqs[0].gic);
    assert_int_equal(u->irqs[0].intid, 37); /* SPI 5 */
    assert_int_equal(u->irqs[0].flags, 4);
    assert_ptr_equal(u->irqs[0].parent, f->b.gic.node);
    struct board_node *t = f->b.timer;
    assert_non_null(t);
    assert_int_equal(t->nirqs, 4);
    assert_int_equal(t->irqs[0].intid, 29); /* PPI 13 */
    assert_int_equal(t->irqs[3].intid, 26);
    assert_int_equal(t->irqs[0].flags, 8);
    assert_int_equal(node(f, "/espi@6000")->irqs[0].intid, 4096 + 5);
    assert_true(node(f, "/gpio@2000")->interrupt_controller);
    unload(f);
}

static void test_board_irqs_parent_override_and_extended(void **state)
{
    (void)state;
    struct bfx *f = load("irqs.dts");
    struct board_node *gpio = node(f, "/gpio@2000");
    struct board_node *k = node(f, "/bus/key@4000");
    assert_int_equal(k->nirqs, 1);
    assert_false(k->irqs[0].gic);
    assert_ptr_equal(k->irqs[0].parent, gpio);
    assert_int_equal(k->irqs[0].intid, 7);
    assert_int_equal(k->irqs[0].flags, 2);
    assert_true(has_dep(k, "interrupt-parent", "/gpio@2000"));
    struct board_node *e = node(f, "/bus/ext@5000");
    assert_int_equal(e->nirqs, 2);
    assert_true(e->irqs[0].gic);
    assert_int_equal(e->irqs[0].intid, 52);
    assert_ptr_equal(e->irqs[1].parent, gpio);
    assert_int_equal(e->irqs[1].intid, 3);
    assert_true(has_dep(e, "interrupts-extended", "/gpio@2000"));
    assert_true(has_dep(e, "interrupts-extended", "/interrupt-controller@1000"));
    unload(f);
}

static void test_board_irqs_nexus(void **state)
{
    (void)state;
    struct bfx *f = load("irqs.dts");
    struct board_node *b = node(f, "/behind@a000");
    /* Two specifiers map (to the GIC and to the GPIO controller); the third
     * matches no entry: a defect. */
    assert_int_equal(b->nirqs, 2);
    assert_true(b->irqs[0].gic);
    assert_int_equal(b->irqs[0].intid, 72);
    assert_ptr_equal(b->irqs[1].parent, node(f, "/gpio@2000"));
    assert_int_equal(b->irqs[1].intid, 9);
    assert_non_null(b->defect);
    assert_non_null(strstr(b->defect, "no interrupt-map entry of /connector matches"));
    assert_true(has_dep(b, "interrupt-parent", "/connector"));
    unload(f);
}

static void test_board_irqs_bad_specifiers(void **state)
{
    (void)state;
    struct bfx *f = load("irqs.dts");
    assert_non_null(node(f, "/badppi@7000")->defect);
    assert_int_equal(node(f, "/badppi@7000")->nirqs, 0);
    assert_non_null(node(f, "/badlen@8000")->defect);
    assert_non_null(node(f, "/badspi@9000")->defect);
    assert_null(node(f, "/uart@3000")->defect);
    assert_int_equal(findings(f, "board-invalid", SEV_WARNING, NULL), 4); /* and /behind@a000 */
    unload(f);
}

static void test_board_irqs_gicv2(void **state)
{
    (void)state;
    struct bfx *f = load("gicv2.dts");
    assert_int_equal(f->b.gic.version, 2);
    assert_int_equal(node(f, "/uart@1c090000")->irqs[0].intid, 32);
    /* Extended SPIs do not exist on GICv2. */
    assert_non_null(node(f, "/espi@1c0a0000")->defect);
    unload(f);
}

static void test_board_irqs_gic_four_cells(void **state)
{
    (void)state;
    struct bfx *f = load("gic4.dts");
    assert_int_equal(node(f, "/pmu")->irqs[0].intid, 23);
    assert_int_equal(node(f, "/uart@2000")->irqs[0].intid, 35);
    assert_null(node(f, "/pmu")->defect);
    unload(f);
}

/* ---- IOMMU ---- */

static void test_board_iommus(void **state)
{
    (void)state;
    struct bfx *f = load("iommu.dts");
    assert_int_equal(f->b.nsmmus, 3);
    const struct board_smmu *s3 = board_smmu_of(&f->b, node(f, "/iommu@9050000"));
    assert_non_null(s3);
    assert_int_equal(s3->version, SMMU_V3);
    assert_string_equal(s3->name, "iommu-9050000");
    assert_int_equal(board_smmu_of(&f->b, node(f, "/iommu@fd800000"))->version, SMMU_V2);
    assert_int_equal(board_smmu_of(&f->b, node(f, "/iommu@15000000"))->iommu_cells, 2);
    assert_null(board_smmu_of(&f->b, node(f, "/iommu@ff000000")));

    struct board_node *e = node(f, "/eth@1000");
    assert_int_equal(e->nsids, 2);
    assert_int_equal(e->sids[0].sid, 0x10);
    assert_int_equal(e->sids[1].sid, 0x11);
    assert_int_equal(e->sids[0].count, 1);
    assert_false(e->sids[0].from_map);
    assert_ptr_equal(e->sids[0].smmu, s3->node);
    assert_true(e->dma_master);
    assert_string_equal(e->dma_reason, "iommus");
    /* SMMUv2 one cell: the mask comes from stream-match-mask. */
    struct board_node *g = node(f, "/gem@2000");
    assert_int_equal(g->sids[0].sid, 0x874);
    assert_int_equal(g->sids[0].mask, 0x7c00);
    /* SMMUv2 two cells: SID and mask. */
    struct board_node *u = node(f, "/ufs@3000");
    assert_int_equal(u->sids[0].sid, 0x100);
    assert_int_equal(u->sids[0].mask, 0x3);
    /* A non-SMMU IOMMU: a DMA master and a dependency, no stream IDs. */
    struct board_node *v = node(f, "/vop@4000");
    assert_int_equal(v->nsids, 0);
    assert_true(v->dma_master);
    assert_true(has_dep(v, "iommus", "/iommu@ff000000"));
    /* A cut-short specifier is a defect. */
    assert_non_null(node(f, "/short@5000")->defect);
    unload(f);
}

static void test_board_iommu_map(void **state)
{
    (void)state;
    struct bfx *f = load("iommu.dts");
    struct board_node *p = node(f, "/pcie@40000000");
    assert_true(p->pci_host);
    assert_int_equal(p->nsids, 2);
    assert_true(p->sids[0].from_map);
    assert_int_equal(p->sids[0].rid_base, 0);
    assert_int_equal(p->sids[0].sid, 0x10000);
    assert_int_equal(p->sids[0].count, 0x100);
    assert_int_equal(p->sids[1].rid_base, 0x100);
    assert_int_equal(p->sids[1].sid, 0x20000);
    assert_int_equal(p->sids[0].map_mask, 0xff00);
    assert_string_equal(p->dma_reason, "iommu-map");
    assert_int_equal(p->ndeps, 1); /* one SMMU, named twice */
    /* iommu-map entries are four cells even when #iommu-cells is 2. */
    struct board_node *q = node(f, "/pcie@50000000");
    assert_int_equal(q->nsids, 2);
    assert_int_equal(q->sids[1].sid, 0x1c01);
    assert_int_equal(q->sids[1].rid_base, 0x100);
    assert_int_equal(q->sids[1].map_mask, 0xffffffff);
    assert_null(q->defect);
    unload(f);
}

/* ---- dependencies, lookups, RAM ---- */

/* The binding table: what is a reference, what only looks like one. */
static void test_board_ref_rules(void **state)
{
    (void)state;
    const struct board_ref_rule *r = board_ref_rule("clocks");
    assert_non_null(r);
    assert_string_equal(r->cells, "#clock-cells");
    assert_string_equal(r->names, "clock-names");
    assert_int_equal(board_ref_rule("pwms")->kind, BREF_ARGS);
    assert_string_equal(board_ref_rule("pwms")->cells, "#pwm-cells");
    assert_string_equal(board_ref_rule("shutdown-gpios")->cells, "#gpio-cells");
    assert_string_equal(board_ref_rule("enable-gpio")->cells, "#gpio-cells");
    assert_int_equal(board_ref_rule("pinctrl-3")->kind, BREF_PINCTRL);
    assert_null(board_ref_rule("pinctrl-names"));
    assert_int_equal(board_ref_rule("vmmc-supply")->kind, BREF_LIST);
    assert_int_equal(board_ref_rule("remote-endpoint")->kind, BREF_LINK);
    assert_int_equal(board_ref_rule("gpio-ranges")->fixed, 3);
    assert_int_equal(board_ref_rule("interrupts-extended")->kind, BREF_IRQ);
    /* Counts, not references. */
    assert_null(board_ref_rule("nr-gpios"));
    assert_null(board_ref_rule("snps,nr-gpios"));
    assert_null(board_ref_rule("apm,nr-gpios"));
    assert_null(board_ref_rule("ngpios"));
    assert_null(board_ref_rule("#gpio-cells"));
    /* The general rule: "foos"/"foo" -> "#foo-cells"; never for the
     * numeric standard properties or vendor names. */
    char buf[64];
    assert_string_equal(board_ref_general_cells("trigger-sources", buf, sizeof(buf)), "#trigger-source-cells");
    assert_string_equal(board_ref_general_cells("frob", buf, sizeof(buf)), "#frob-cells");
    assert_null(board_ref_general_cells("interrupts", buf, sizeof(buf)));
    assert_null(board_ref_general_cells("address", buf, sizeof(buf)));
    assert_null(board_ref_general_cells("vendor,things", buf, sizeof(buf)));
}

static void test_board_deps(void **state)
{
    (void)state;
    struct bfx *f = load("deps.dts");
    struct board_node *u = node(f, "/soc/serial@18000");
    assert_true(has_dep(u, "interrupt-parent", "/interrupt-controller@1000"));
    assert_true(has_dep(u, "clocks", "/soc/clock-controller@10000"));
    assert_true(has_dep(u, "clocks", "/clk24"));
    assert_true(has_dep(u, "resets", "/soc/clock-controller@10000"));
    assert_true(has_dep(u, "power-domains", "/soc/clock-controller@10000"));
    /* pinctrl-0 names a config node; the provider is the pin controller. */
    assert_true(has_dep(u, "pinctrl-0", "/soc/pinctrl@11000"));
    assert_true(has_dep(u, "dmas", "/soc/dma@14000"));
    assert_int_equal(u->ndeps, 7); /* two dmas entries, one provider */
    assert_true(u->has_resets);
    assert_true(u->has_power_domains);

    struct board_node *e = node(f, "/soc/ethernet@3000");
    assert_true(has_dep(e, "phys", "/soc/phy@16000"));
    assert_true(has_dep(e, "mboxes", "/soc/mailbox@15000"));
    assert_true(has_dep(e, "phy-supply", "/regulator-1v8"));
    assert_true(has_dep(e, "reset-gpios", "/soc/gpio@12000"));
    assert_true(has_dep(e, "nvmem-cells", "/soc/efuse@17000"));
    assert_true(has_dep(e, "memory-region", "/reserved-memory/fw@30000000"));
    assert_true(has_dep(e, "clocks", "/clk24")); /* after an empty (0) entry */
    assert_int_equal(e->ndeps, 7);               /* snps,nr-gpios is a count */
    assert_false(e->has_resets);

    /* A gpio hog's gpios are line numbers, not references. */
    assert_int_equal(node(f, "/soc/gpio@12000/hog")->ndeps, 0);
    assert_null(node(f, "/soc/gpio@12000/hog")->defect);

    assert_true(node(f, "/clk24")->resource_free);
    assert_true(node(f, "/regulator-1v8")->resource_free);
    assert_false(node(f, "/soc/clock-controller@10000")->resource_free);
    assert_false(node(f, "/soc/dma@14000")->resource_free);
    assert_int_equal(findings(f, "board-invalid", SEV_WARNING, NULL), 0);
    unload(f);
}

static void test_board_lookup(void **state)
{
    (void)state;
    struct bfx *f = load("deps.dts");
    struct board_node *u = node(f, "/soc/serial@18000");
    assert_ptr_equal(board_lookup(&f->b, "&uart0"), u);
    assert_ptr_equal(board_lookup(&f->b, "serial0"), u);
    assert_ptr_equal(board_lookup(&f->b, "&{/soc/serial@18000}"), u);
    assert_string_equal(board_node_label(u), "uart0");
    assert_ptr_equal(board_lookup(&f->b, "ethernet0"), node(f, "/soc/ethernet@3000"));
    assert_null(board_lookup(&f->b, "missing"));
    assert_null(board_lookup(&f->b, "&nolabel"));
    assert_null(board_lookup(&f->b, "/soc/nope"));
    assert_null(board_lookup(&f->b, ""));
    assert_ptr_equal(board_lookup(&f->b, "/"), f->b.root);
    struct board_node *crg = node(f, "/soc/clock-controller@10000");
    assert_int_not_equal(crg->phandle, 0);
    assert_ptr_equal(board_by_phandle(&f->b, crg->phandle), crg);
    assert_null(board_by_phandle(&f->b, 0xdead));
    struct board_prop p = board_prop(crg, "#clock-cells");
    assert_non_null(p.name);
    assert_int_equal(p.len, 4);
    assert_false(board_has_prop(crg, "nope"));
    assert_string_equal(f->b.model, "Test deps board");
    unload(f);
}

static void test_board_cpus_and_ram(void **state)
{
    (void)state;
    struct bfx *f = load("deps.dts");
    assert_int_equal(f->b.ncpus, 2); /* cpu-map is not a CPU */
    assert_int_equal(f->b.cpus[1].mpidr, 0x100);
    assert_int_equal(board_cpu_index(&f->b, 0x100), 1);
    assert_int_equal(board_cpu_index(&f->b, 0x1), -1);
    /* Two adjacent banks merged, minus the no-map firmware region; the
     * reserved pool without no-map stays RAM. */
    assert_int_equal(f->b.nram, 3);
    assert_int_equal(f->b.ram[0].base, 0x20000000);
    assert_int_equal(f->b.ram[0].size, 0x10000000);
    assert_int_equal(f->b.ram[1].base, 0x30100000);
    assert_int_equal(f->b.ram[1].size, 0xff00000);
    assert_int_equal(f->b.ram[2].base, 0x60000000);
    assert_int_equal(f->b.nnomap, 1);
    assert_int_equal(f->b.nomap[0].base, 0x30000000);
    /* /memreserve/ entries, sorted; they stay RAM. */
    assert_int_equal(f->b.nmemrsv, 2);
    assert_int_equal(f->b.memrsv[0].base, 0x21000000);
    assert_int_equal(f->b.memrsv[0].size, 0x2000);
    assert_int_equal(f->b.memrsv[1].base, 0x3f000000);
    assert_int_equal(f->b.gic.version, 2);
    unload(f);
}

/* ---- DMA classes ---- */

static void test_board_dma_classes(void **state)
{
    (void)state;
    struct bfx *f = load("dma.dts");
    assert_string_equal(node(f, "/gem@1000")->dma_reason, "device class ethernet (cdns,zynqmp-gem)");
    assert_false(node(f, "/mdio@2000")->dma_master);
    assert_string_equal(node(f, "/coherent@3000")->dma_reason, "dma-coherent");
    assert_string_equal(node(f, "/dma@4000")->dma_reason, "#dma-cells (a DMA controller)");
    assert_false(node(f, "/uart@5000")->dma_master);
    assert_false(node(f, "/frob@6000")->dma_master);
    assert_string_equal(node(f, "/usb@7000")->dma_reason, "device class usb (rockchip,rk3399-dwc3)");
    assert_true(node(f, "/gem@8000")->dma_master);
    unload(f);
}

static void test_board_dma_user_classes(void **state)
{
    (void)state;
    struct bfx *f = load_opt("dma.dts", "classes-user.yaml");
    assert_int_equal(f->rc, 0);
    assert_string_equal(node(f, "/frob@6000")->dma_reason, "device class frob (acme,frobnicator)");
    /* A user class with dma-master: false wins over the built-in data. */
    assert_false(node(f, "/gem@8000")->dma_master);
    assert_true(node(f, "/gem@1000")->dma_master);
    bool listed = false;
    for (size_t i = 0; i < f->b.inputs.n; i++)
        listed |= strstr(f->b.inputs.v[i], "classes-user.yaml") != NULL;
    assert_true(listed);
    unload(f);
}

static void test_board_dma_bad_classes(void **state)
{
    (void)state;
    struct bfx *f = load_opt("dma.dts", "classes-bad.yaml");
    assert_int_equal(f->rc, -1);
    assert_int_equal(findings(f, "schema", SEV_ERROR, "unknown key 'compatibles'"), 1);
    assert_int_equal(findings(f, "schema", SEV_ERROR, "duplicate key 'name'"), 1);
    unload(f);
}

/* ---- DTS through cpp, inputs ---- */

static void test_board_cpp_include(void **state)
{
    (void)state;
    struct bfx *f = load("include.dts");
    assert_mmio(node(f, "/uart@9000000"), 0, 0x9000000, 0x1000);
    assert_string_equal(f->b.model, "included model");
    bool defs = false, part = false, board = false;
    for (size_t i = 0; i < f->b.inputs.n; i++) {
        defs |= strstr(f->b.inputs.v[i], "include-defs.h") != NULL;
        part |= strstr(f->b.inputs.v[i], "include-part.dtsi") != NULL;
        board |= strstr(f->b.inputs.v[i], "include.dts") != NULL;
        assert_null(strstr(f->b.inputs.v[i], "dtpass-")); /* no temporaries */
    }
    assert_true(defs && part && board);
    unload(f);
}

static void test_board_dts_positions(void **state)
{
    (void)state;
    struct bfx *f = load("translate.dts");
    struct board_node *o = node(f, "/soc/outside@20000000");
    assert_non_null(board_node_pos(o).file);
    assert_non_null(strstr(board_node_pos(o).file, "translate.dts"));
    assert_int_equal(board_node_pos(o).line, 46);
    assert_int_equal(board_node_pos(node(f, "/pcie@40000000/dev@1,0")).line, 108);
    /* The defect warning points at the node's line. */
    size_t at46 = 0;
    for (size_t i = 0; i < f->d.diags.n; i++)
        at46 += f->d.diags.v[i]->pos.line == 46;
    assert_int_equal(at46, 1);
    unload(f);

    f = load("include.dts"); /* through cpp: positions survive the line markers */
    struct board_node *u = node(f, "/uart@9000000");
    assert_non_null(strstr(board_node_pos(u).file, "include.dts"));
    assert_int_equal(board_node_pos(u).line, 10);
    unload(f);
}

/* ---- broken boards ---- */

static void test_board_bad_dts(void **state)
{
    (void)state;
    struct bfx *f = load_opt("syntax.dts", NULL);
    assert_int_equal(f->rc, -1);
    assert_int_equal(findings(f, "board-invalid", SEV_ERROR, "syntax error"), 1);
    const struct diag *d = f->d.diags.v[0];
    assert_int_equal(d->pos.line, 4);
    assert_non_null(strstr(d->pos.file, "syntax.dts"));
    unload(f);

    f = load_opt("dup-mpidr.dts", NULL);
    assert_int_equal(f->rc, -1);
    assert_int_equal(findings(f, "board-invalid", SEV_ERROR, "MPIDR 0x0 also belongs"), 1);
    unload(f);

    /* A dtc that hangs is killed at the deadline. */
    setenv("DTPASS_DTC", FIXDIR "slow-dtc.sh", 1);
    setenv("DTPASS_TOOL_TIMEOUT", "1", 1);
    f = load_opt("deps.dts", NULL);
    unsetenv("DTPASS_DTC");
    unsetenv("DTPASS_TOOL_TIMEOUT");
    assert_int_equal(f->rc, -1);
    assert_int_equal(findings(f, "board-invalid", SEV_ERROR, "did not finish within 1 s"), 1);
    unload(f);

    f = load_opt("no-such-board.dtb", NULL);
    assert_int_equal(f->rc, -1);
    assert_int_equal(f->d.nfatal, 1);
    unload(f);
}

static char *tmpfile_with(const void *data, size_t len)
{
    char *path = xstrdup("/tmp/dtpass-test-board-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

static int load_blob(const void *data, size_t len)
{
    char *path = tmpfile_with(data, len);
    struct board b;
    struct diag_sink d;
    diag_init(&d);
    int rc = board_load(&b, path, NULL, &d);
    if (rc == 0) {
        /* Whatever loaded must be walkable and describable. */
        FILE *null = fopen("/dev/null", "w");
        board_describe(&b, null, true);
        board_describe(&b, null, false);
        fclose(null);
        board_free(&b);
    } else {
        assert_true(diag_errors(&d) > 0);
    }
    diag_free(&d);
    unlink(path);
    free(path);
    return rc;
}

/* A blob built with libfdt's sequential writer: dtc would refuse it. */
static void *dup_phandle_blob(size_t *len)
{
    size_t cap = 4096;
    void *fdt = calloc(1, cap);
    assert_int_equal(fdt_create(fdt, (int)cap), 0);
    assert_int_equal(fdt_finish_reservemap(fdt), 0);
    assert_int_equal(fdt_begin_node(fdt, ""), 0);
    assert_int_equal(fdt_property_u32(fdt, "#address-cells", 1), 0);
    assert_int_equal(fdt_property_u32(fdt, "#size-cells", 1), 0);
    assert_int_equal(fdt_begin_node(fdt, "a"), 0);
    assert_int_equal(fdt_property_u32(fdt, "phandle", 5), 0);
    assert_int_equal(fdt_end_node(fdt), 0);
    assert_int_equal(fdt_begin_node(fdt, "b"), 0);
    assert_int_equal(fdt_property_u32(fdt, "phandle", 5), 0);
    assert_int_equal(fdt_end_node(fdt), 0);
    assert_int_equal(fdt_begin_node(fdt, "a"), 0); /* a second /a */
    assert_int_equal(fdt_end_node(fdt), 0);
    assert_int_equal(fdt_begin_node(fdt, "c"), 0);
    assert_int_equal(fdt_property_u32(fdt, "#address-cells", 0xffffffff), 0);
    uint32_t reg[3] = {0};
    assert_int_equal(fdt_property(fdt, "reg", reg, sizeof(reg)), 0);
    assert_int_equal(fdt_end_node(fdt), 0);
    assert_int_equal(fdt_end_node(fdt), 0);
    assert_int_equal(fdt_finish(fdt), 0);
    *len = fdt_totalsize(fdt);
    return fdt;
}

static void test_board_bad_dtb(void **state)
{
    (void)state;
    size_t len;
    void *fdt = dup_phandle_blob(&len);
    char *path = tmpfile_with(fdt, len);
    struct board b;
    struct diag_sink d;
    diag_init(&d);
    assert_int_equal(board_load(&b, path, NULL, &d), -1);
    size_t dup = 0;
    for (size_t i = 0; i < d.diags.n; i++)
        dup += d.diags.v[i]->sev == SEV_ERROR && strstr(d.diags.v[i]->msg, "duplicate phandle 0x5") != NULL;
    assert_int_equal(dup, 1);
    size_t twice = 0;
    for (size_t i = 0; i < d.diags.n; i++)
        twice += d.diags.v[i]->sev == SEV_ERROR && strstr(d.diags.v[i]->msg, "two nodes have the path /a") != NULL;
    assert_int_equal(twice, 1);
    diag_free(&d);
    unlink(path);
    free(path);
    free(fdt);

    /* Empty, garbage and a magic number alone. */
    static const uint8_t magic[] = {0xd0, 0x0d, 0xfe, 0xed, 0, 0, 0, 0};
    assert_int_equal(load_blob(magic, sizeof(magic)), -1);
    assert_int_equal(load_blob(magic, 4), -1);
}

/* Properties are compared as pointers into the strings block only while
 * every property names its string by one offset (dtc's blobs). A blob that
 * names "compatible" by two offsets — here one points into the middle of
 * "xcompatible" — must still be read by name; a version 15 blob (full-path
 * node names) is refused. */
static void test_board_blob_names(void **state)
{
    (void)state;
    size_t cap = 4096;
    uint8_t *fdt = calloc(1, cap);
    assert_int_equal(fdt_create(fdt, (int)cap), 0);
    assert_int_equal(fdt_finish_reservemap(fdt), 0);
    assert_int_equal(fdt_begin_node(fdt, ""), 0);
    assert_int_equal(fdt_begin_node(fdt, "a"), 0);
    assert_int_equal(fdt_property_string(fdt, "compatible", "vendor,a"), 0);
    assert_int_equal(fdt_end_node(fdt), 0);
    assert_int_equal(fdt_begin_node(fdt, "b"), 0);
    assert_int_equal(fdt_property_string(fdt, "xcompatible", "vendor,b"), 0);
    assert_int_equal(fdt_property_u32(fdt, "phandle", 7), 0);
    assert_int_equal(fdt_end_node(fdt), 0);
    assert_int_equal(fdt_end_node(fdt), 0);
    assert_int_equal(fdt_finish(fdt), 0);
    /* b's first property: its nameoff + 1 names "compatible" */
    int b = fdt_path_offset(fdt, "/b"), prop = fdt_first_property_offset(fdt, b);
    assert_true(prop > 0);
    uint8_t *nameoff = fdt + fdt_off_dt_struct(fdt) + prop + 8;
    uint32_t no = get_be32(nameoff) + 1;
    memcpy(nameoff, &(uint32_t){cpu_to_fdt32(no)}, 4);
    assert_int_equal(fdt_check_full(fdt, fdt_totalsize(fdt)), 0);

    char *path = tmpfile_with(fdt, fdt_totalsize(fdt));
    struct board bd;
    struct diag_sink d;
    diag_init(&d);
    assert_int_equal(board_load(&bd, path, NULL, &d), 0);
    assert_false(bd.names_unique);
    const struct board_node *nb = board_lookup(&bd, "/b"), *na = board_lookup(&bd, "/a");
    assert_non_null(nb);
    assert_string_equal(board_prop_str(nb, "compatible"), "vendor,b");
    assert_string_equal(nb->compatible, "vendor,b");
    assert_string_equal(board_prop_str(na, "compatible"), "vendor,a");
    assert_int_equal(nb->phandle, 7);
    assert_false(board_has_prop(nb, "xcompatible"));
    board_free(&bd);
    diag_free(&d);
    unlink(path);
    free(path);

    fdt_set_version(fdt, 15);
    fdt_set_last_comp_version(fdt, 15);
    assert_int_equal(load_blob(fdt, fdt_totalsize(fdt)), -1);
    free(fdt);
}

/* Long names nested deep: paths would be quadratic in the blob. */
static void test_board_long_paths(void **state)
{
    (void)state;
    size_t cap = 8u << 20, nl = 65536;
    void *fdt = calloc(1, cap);
    char *name = malloc(nl + 1);
    memset(name, 'n', nl);
    name[nl] = '\0';
    assert_int_equal(fdt_create(fdt, (int)cap), 0);
    assert_int_equal(fdt_finish_reservemap(fdt), 0);
    assert_int_equal(fdt_begin_node(fdt, ""), 0);
    for (int i = 0; i < 60; i++)
        assert_int_equal(fdt_begin_node(fdt, name), 0);
    for (int i = 0; i < 61; i++)
        assert_int_equal(fdt_end_node(fdt), 0);
    assert_int_equal(fdt_finish(fdt), 0);
    assert_int_equal(load_blob(fdt, fdt_totalsize(fdt)), -1);
    free(name);
    free(fdt);
}

/* Every truncation and a few thousand byte corruptions of a real blob: each
 * is refused with a diagnostic or loads; none crashes or leaks. */
static void test_board_mutations(void **state)
{
    (void)state;
    struct bfx *f = load("iommu.dts");
    size_t len = f->b.fdt_size;
    uint8_t *orig = malloc(len), *buf = malloc(len);
    memcpy(orig, f->b.fdt, len);
    unload(f);

    for (size_t cut = 0; cut < len; cut += 7)
        assert_int_equal(load_blob(orig, cut), -1);
    unsigned seed = 12345, loaded = 0, runs = 1500;
    for (unsigned i = 0; i < runs; i++) {
        memcpy(buf, orig, len);
        for (int k = 0; k < 1 + (int)(i % 3); k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % len;
            seed = seed * 1103515245u + 12345u;
            buf[at] ^= (uint8_t)(1u << ((seed >> 16) % 8));
        }
        loaded += load_blob(buf, len) == 0;
    }
    /* Flips in property values keep the blob valid: both paths ran. */
    assert_true(loaded > 0 && loaded < runs);
    free(orig);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_board_translate_levels),
        cmocka_unit_test(test_board_translate_private_spaces),
        cmocka_unit_test(test_board_translate_untranslatable),
        cmocka_unit_test(test_board_translate_pci),
        cmocka_unit_test(test_board_irqs_inherit_and_decode),
        cmocka_unit_test(test_board_irqs_parent_override_and_extended),
        cmocka_unit_test(test_board_irqs_nexus),
        cmocka_unit_test(test_board_irqs_bad_specifiers),
        cmocka_unit_test(test_board_irqs_gicv2),
        cmocka_unit_test(test_board_irqs_gic_four_cells),
        cmocka_unit_test(test_board_iommus),
        cmocka_unit_test(test_board_iommu_map),
        cmocka_unit_test(test_board_ref_rules),
        cmocka_unit_test(test_board_deps),
        cmocka_unit_test(test_board_lookup),
        cmocka_unit_test(test_board_cpus_and_ram),
        cmocka_unit_test(test_board_dma_classes),
        cmocka_unit_test(test_board_dma_user_classes),
        cmocka_unit_test(test_board_dma_bad_classes),
        cmocka_unit_test(test_board_cpp_include),
        cmocka_unit_test(test_board_dts_positions),
        cmocka_unit_test(test_board_bad_dts),
        cmocka_unit_test(test_board_bad_dtb),
        cmocka_unit_test(test_board_blob_names),
        cmocka_unit_test(test_board_long_paths),
        cmocka_unit_test(test_board_mutations),
    };
    return cmocka_run_group_tests_name("board", tests, NULL, NULL);
}
