/* Unit tests for the hypervisor tables (lower/place.c, lower/s2build.c,
 * emit/smmuv3.c, smmuv2.c, stage2.c, hvdata.c): hand-built systems are
 * placed and emitted, then checked by the independent walker (walker.h)
 * through the blob, plus geometry, determinism and the hv-memory /
 * smmu-capacity diagnostics.
 *
 * With arguments, `test_tables DIR...` walks the outputs of a real build
 * (DIR/system.dtpb + DIR/hvdata.bin) and prints TAP lines instead: the
 * end-to-end half used by tests/suite-tables.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dtpass/dtpb.h"
#include "emit/tables.h"
#include "fixture.h"
#include "walker.h"

/* Places, builds hvdata and the blob, and walks them; returns failures.
 * The hvdata image is handed back in *img_out, or freed. */
static unsigned place_and_walk(struct fx *f, uint8_t **blob_out, size_t *blob_len,
                               uint8_t **img_out)
{
    int rc = fx_place(f);
    if (rc)
        diag_render_text(&f->ctx.diag, stderr, false);
    assert_int_equal(rc, 0);
    assert_int_equal(diag_errors(&f->ctx.diag), 0);
    assert_int_equal(lower_quiesce(&f->ctx), 0);
    uint8_t *img;
    assert_int_equal(hvdata_image(&f->ctx, &img), 0);
    uint8_t *blob;
    size_t n = blob_serialise(&f->ctx, &blob);
    struct dtpb b;
    assert_int_equal(dtpb_open(&b, blob, n), 0);
    unsigned long checks = 0;
    unsigned fails = walk_all(&b, img, (size_t)f->ctx.place->size, &checks);
    assert_true(checks > 1000);
    unsigned long qchecks = 0;
    fails += walk_quiesce(&b, img, (size_t)f->ctx.place->size, &qchecks);
    assert_true(qchecks > 0 || !dtpb_count(&b, DTPB_SEC_SMMUS));
    if (img_out)
        *img_out = img;
    else
        free(img);
    if (blob_out) {
        *blob_out = blob;
        *blob_len = n;
    } else {
        free(blob);
    }
    return fails;
}

static void test_tables_s2_geometry(void **state)
{
    (void)state;
    for (uint32_t ipa = 32; ipa <= 48; ipa++) {
        int level;
        uint32_t nroot;
        s2_geometry(ipa, &level, &nroot);
        unsigned shift = 12 + 9 * (unsigned)(3 - level);
        /* Arm ARM: 4 KiB granule stage 2 — start level 0 for T0SZ 16..24,
         * level 1 for 21..33, level 2 for 30..39; at most 16 tables. */
        unsigned t0sz = 64 - ipa;
        if (level == 0)
            assert_true(t0sz >= 16 && t0sz <= 24);
        else if (level == 1)
            assert_true(t0sz >= 21 && t0sz <= 33);
        else
            assert_true(level == 2 && t0sz >= 30 && t0sz <= 39);
        assert_true(nroot >= 1 && nroot <= 16);
        /* The root covers the IPA space exactly (or one table suffices). */
        if (nroot > 1)
            assert_int_equal((uint64_t)nroot * 512 << shift, 1ull << ipa);
        else
            assert_true((512ull << shift) >= (1ull << ipa));
    }
    int level;
    uint32_t nroot;
    s2_geometry(40, &level, &nroot);
    assert_int_equal(level, 1);
    assert_int_equal(nroot, 2);
    s2_geometry(48, &level, &nroot);
    assert_int_equal(level, 0);
    assert_int_equal(nroot, 1);
    s2_geometry(32, &level, &nroot);
    assert_int_equal(level, 2);
    assert_int_equal(nroot, 4);
    /* VTCR for 40/40: T0SZ 24, SL0 1, IRGN0 ORGN0 WB, SH0 inner, PS 40-bit */
    assert_int_equal(s2_vtcr(40, 40, 1, false), 0x80023558u);
}

static void test_tables_smmuv3_walk(void **state)
{
    (void)state;
    struct fx f;
    fx_smmuv3_system(&f);
    uint8_t *img;
    assert_int_equal(place_and_walk(&f, NULL, NULL, &img), 0);
    const struct placement *p = f.ctx.place;
    const struct smmu_place *sp = &p->smmus[0];
    assert_true(sp->two_level);
    assert_int_equal(sp->strtab_base_cfg, (1u << 16) | (8u << 6) | 16u);
    /* SIDs 0x10/0x11, 0x100..0x1ff and 0x300: three L2 tables. */
    assert_int_equal(sp->l2.n, 3);
    assert_int_equal(p->load_pa, 0x40000000);
    /* Everything inside the hypervisor range and aligned. */
    assert_true(p->size <= 64u << 20);
    assert_int_equal(sp->span_pa % 16384, 0);
    for (size_t i = 0; i < p->nguests; i++)
        assert_int_equal(p->guests[i].pa % ((uint64_t)p->guests[i].nroot * 4096), 0);
    /* The 1 GiB region at a 1 GiB aligned IPA/PA is one level-1 block. */
    struct wk w = {.img = img, .pa = p->load_pa, .len = p->size};
    struct wk_xlat x;
    assert_int_equal(wk_s2(&w, p->guests[0].pa, p->guests[0].vtcr, 0x80000000 + 12345, &x), 0);
    assert_int_equal(x.level, 1);
    assert_int_equal(x.bsize, 1ull << 30);
    assert_int_equal(x.pa, 0x880000000ull + 12345);
    /* 512 MiB at 0x48000000: 2 MiB blocks. */
    assert_int_equal(wk_s2(&w, p->guests[0].pa, p->guests[0].vtcr, 0x48000000, &x), 0);
    assert_int_equal(x.level, 2);
    /* Device MMIO: pages, Device-nGnRE, XN; the shared window RO for rtos. */
    assert_int_equal(wk_s2(&w, p->guests[0].pa, p->guests[0].vtcr, 0x9001104, &x), 0);
    assert_int_equal(x.level, 3);
    assert_int_equal((x.attrs >> 2) & 0xf, 0x1);
    assert_int_equal((x.attrs >> 53) & 3, 2);
    assert_int_equal(wk_s2(&w, p->guests[1].pa, p->guests[1].vtcr, 0x20000000, &x), 0);
    assert_int_equal((x.attrs >> 6) & 3, 1);
    /* Outside the map: faults, for both guests. */
    assert_int_equal(wk_s2(&w, p->guests[0].pa, p->guests[0].vtcr, 0x9002000, &x), -1);
    assert_int_equal(wk_s2(&w, p->guests[1].pa, p->guests[1].vtcr, 0x48000000, &x), -1);
    assert_int_equal(wk_s2(&w, p->guests[1].pa, p->guests[1].vtcr, 1ull << 40, &x), -1);
    /* Few tables: linear in blocks, not pages. */
    assert_true(p->guests[0].ntables < 12);
    free(img);
    fx_free(&f);
}

static void test_tables_smmuv3_linear(void **state)
{
    (void)state;
    struct fx f;
    fx_smmuv3_system(&f);
    struct sys_smmu_param *prm = VEC_ADD(&f.ctx.sys.smmus);
    prm->node.text = xstrdup("/smmuv3@9050000");
    prm->node.node = &f.nodes[0];
    prm->sid_bits = 10; /* 1024 * 64 = 64 KiB: the largest linear table */
    prm->has_sid_bits = true;
    assert_int_equal(place_and_walk(&f, NULL, NULL, NULL), 0);
    const struct smmu_place *sp = &f.ctx.place->smmus[0];
    assert_false(sp->two_level);
    assert_int_equal(sp->span_size, 65536);
    assert_int_equal(sp->span_pa % 65536, 0);
    assert_int_equal(sp->strtab_base_cfg, 10);
    fx_free(&f);
}

static void test_tables_deterministic(void **state)
{
    (void)state;
    struct fx a, b;
    uint8_t *ba, *bb, *ia, *ib;
    size_t na, nb;
    fx_smmuv3_system(&a);
    fx_smmuv3_system(&b);
    assert_int_equal(place_and_walk(&a, &ba, &na, &ia), 0);
    assert_int_equal(place_and_walk(&b, &bb, &nb, &ib), 0);
    assert_int_equal(a.ctx.place->size, b.ctx.place->size);
    assert_memory_equal(ia, ib, (size_t)a.ctx.place->size);
    free(ia);
    free(ib);
    assert_int_equal(na, nb);
    assert_memory_equal(ba, bb, na);
    free(ba);
    free(bb);
    fx_free(&a);
    fx_free(&b);
}

static void test_tables_smmuv2_walk(void **state)
{
    (void)state;
    struct fx f;
    fx_smmuv2_system(&f);
    assert_int_equal(place_and_walk(&f, NULL, NULL, NULL), 0);
    const struct smmu_place *sp = &f.ctx.place->smmus[0];
    /* 0x860-0x863, 0x865, 0x866-0x867, {0x870,0xc70} for linux; 0x864 and
     * 0x100 for rtos: six SMRs, two context banks. */
    assert_int_equal(sp->smrs.n, 6);
    assert_int_equal(sp->cbs.n, 2);
    assert_int_equal(sp->cbs.v[1].vmid, 300);
    assert_true(sp->cr0 & (1u << 31)); /* VMID16EN for VMID 300 */
    assert_int_equal(sp->cbs.v[1].cba2r >> 16, 300);
    /* The programming list: header + 5 records per bank + 2 per SMR + sCR0. */
    uint8_t *pl;
    size_t n = smmuv2_program(sp, &pl);
    assert_int_equal(n, 16 + 16 * (5 * 2 + 2 * 6 + 1));
    assert_memory_equal(pl, "DTS2", 4);
    free(pl);
    fx_free(&f);
}

/* Scattered IDs that differ in bits outside a common mask share an SMR:
 * {0x10,0x11,0x30,0x31,0x50,0x51,0x70,0x71} is id 0x10 mask 0x61. */
static void test_tables_smmuv2_merge(void **state)
{
    (void)state;
    struct fx f;
    fx_smmuv2_system(&f);
    struct sys_device *eth = &f.ctx.sys.guests.v[0].devices.v[0];
    static const uint32_t ids[] = {0x10, 0x11, 0x30, 0x31, 0x50, 0x51, 0x70, 0x71};
    for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
        fx_sid(eth, &f.smmus[0], ids[i], 0, 1);
    assert_int_equal(place_and_walk(&f, NULL, NULL, NULL), 0);
    const struct smmu_place *sp = &f.ctx.place->smmus[0];
    assert_int_equal(sp->smrs.n, 7);
    bool found = false;
    for (size_t i = 0; i < sp->smrs.n; i++)
        found |= sp->smrs.v[i].id == 0x10 && sp->smrs.v[i].mask == 0x61;
    assert_true(found);
    fx_free(&f);
}

/* Random ID sets for two guests: the cover stays exact (the walker checks
 * every one of the 2^15 IDs) and never needs more SMRs than IDs. */
static void test_tables_smmuv2_random(void **state)
{
    (void)state;
    uint64_t seed = 12345;
    for (int round = 0; round < 12; round++) {
        struct fx f;
        fx_smmuv2_system(&f);
        struct sys_smmu_param *prm = VEC_ADD(&f.ctx.sys.smmus);
        prm->node.text = xstrdup("/smmu@fd800000");
        prm->node.node = &f.nodes[0];
        prm->smrs = 1024;
        prm->has_smrs = true;
        uint8_t used[0x400] = {0};
        used[0x100] = 1;
        size_t nids = 0;
        for (int k = 0; k < 200; k++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            uint32_t id = (uint32_t)(seed >> 33) & 0x3ff;
            if (used[id])
                continue;
            used[id] = 1;
            nids++;
            int g = (int)((seed >> 20) & 1);
            fx_sid(&f.ctx.sys.guests.v[g].devices.v[0], &f.smmus[0], id, 0, 1);
        }
        assert_int_equal(place_and_walk(&f, NULL, NULL, NULL), 0);
        assert_true(f.ctx.place->smmus[0].smrs.n <= nids + 6);
        fx_free(&f);
    }
}

static void test_tables_smmu_capacity(void **state)
{
    (void)state;
    struct fx f;
    fx_smmuv2_system(&f);
    struct sys_smmu_param *prm = VEC_ADD(&f.ctx.sys.smmus);
    prm->node.text = xstrdup("/smmu@fd800000");
    prm->node.node = &f.nodes[0];
    prm->smrs = 5;
    prm->has_smrs = true;
    assert_int_not_equal(fx_place(&f), 0);
    assert_true(fx_reported(&f, "smmu-capacity"));
    fx_free(&f);
    fx_smmuv2_system(&f);
    prm = VEC_ADD(&f.ctx.sys.smmus);
    prm->node.text = xstrdup("/smmu@fd800000");
    prm->node.node = &f.nodes[0];
    prm->context_banks = 1;
    prm->has_context_banks = true;
    assert_int_not_equal(fx_place(&f), 0);
    assert_true(fx_reported(&f, "smmu-capacity"));
    fx_free(&f);
}

static void test_tables_hv_memory(void **state)
{
    (void)state;
    struct fx f;
    fx_smmuv3_system(&f);
    f.ctx.sys.hyp_memory.v[0].size = 16384;
    assert_int_not_equal(fx_place(&f), 0);
    assert_true(fx_reported(&f, "hv-memory"));
    fx_free(&f);
    fx_smmuv3_system(&f);
    f.ctx.sys.hyp_memory.n = 0;
    assert_int_not_equal(fx_place(&f), 0);
    assert_true(fx_reported(&f, "hv-memory"));
    fx_free(&f);
}

static void test_tables_ipa_widths(void **state)
{
    (void)state;
    static const uint32_t widths[] = {32, 36, 39, 42, 44, 48};
    for (size_t i = 0; i < ARRAY_SIZE(widths); i++) {
        struct fx f;
        fx_smmuv3_system(&f);
        f.ctx.sys.ipa_bits = widths[i];
        f.ctx.sys.pa_bits = 44;
        if (widths[i] < 36) { /* the 1 GiB window at 0x80000000 needs 34 bits */
            f.ctx.sys.guests.v[0].memory.v[1].ipa = 0xc0000000;
        }
        assert_int_equal(place_and_walk(&f, NULL, NULL, NULL), 0);
        fx_free(&f);
    }
}

static void test_tables_refused_maps(void **state)
{
    (void)state;
    struct fx f;
    /* Beyond ipa-bits: would alias low IPAs, so it is refused. */
    fx_smmuv3_system(&f);
    f.ctx.sys.ipa_bits = 32;
    f.ctx.sys.guests.v[0].memory.v[1].ipa = 0x100000000ull;
    assert_int_not_equal(fx_place(&f), 0);
    assert_true(fx_reported(&f, "range-wrap"));
    fx_free(&f);
    /* Two RAM ranges of one guest at the same IPA, different PAs. */
    fx_smmuv3_system(&f);
    fx_mem(&f.ctx.sys.guests.v[1], 0x78000000, 1 << 20, 0x0);
    assert_int_not_equal(fx_place(&f), 0);
    assert_true(fx_reported(&f, "ipa-overlap"));
    fx_free(&f);
    /* A device whose guest address has another offset in its page. */
    fx_smmuv3_system(&f);
    f.ctx.sys.guests.v[1].devices.v[0].regs.v[0].ipa = 0x10000800;
    assert_int_not_equal(fx_place(&f), 0);
    assert_true(fx_reported(&f, "align"));
    fx_free(&f);
}

/* Linear, not quadratic: 256 guests x 64 devices (each one page, one
 * stream ID) place, build and serialise quickly; one is walked in full. */
static void test_tables_scale(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 3);
    fx_hyp(&f, 0x40000000, 256ull << 20);
    for (uint32_t gi = 0; gi < 256; gi++) {
        char name[16];
        snprintf(name, sizeof(name), "g%u", gi);
        struct sys_guest *g = fx_guest(&f, name, gi + 1);
        fx_cpu(g, gi % 4);
        fx_mem(g, 0x100000000ull + (uint64_t)gi * (16u << 20), 16u << 20, 0x40000000);
        for (uint32_t d = 0; d < 64; d++) {
            struct sys_device *dev = fx_dev(&f, g, 1);
            uint64_t pa = 0x10000000ull + ((uint64_t)gi * 64 + d) * 4096;
            fx_reg(dev, pa, 0x1000, 0x9000000 + (uint64_t)d * 4096);
            fx_sid(dev, &f.smmus[0], gi * 64 + d, 0, 1);
        }
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(fx_place(&f), 0);
    assert_int_equal(lower_quiesce(&f.ctx), 0);
    uint8_t *img;
    assert_int_equal(hvdata_image(&f.ctx, &img), 0);
    free(img);
    uint8_t *blob;
    size_t n = blob_serialise(&f.ctx, &blob);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(s < 5.0);
    struct dtpb b;
    assert_int_equal(dtpb_open(&b, blob, n), 0);
    assert_int_equal(dtpb_count(&b, DTPB_SEC_DEVICES), 256 * 64);
    /* 16384 SIDs 0..0x3fff: 64 L2 tables. */
    assert_int_equal(f.ctx.place->smmus[0].l2.n, 64);
    free(blob);
    fx_free(&f);
}

/* Hostile sizes are refused before allocating without bound: a huge
 * window mapped with pages only, and a stream-ID range needing more than
 * HVDATA_MAX of L2 tables. */
static void test_tables_limits(void **state)
{
    (void)state;
    struct fx f;
    fx_smmuv3_system(&f);
    f.ctx.sys.ipa_bits = 48;
    f.ctx.sys.pa_bits = 48;
    f.ctx.sys.hyp_memory.v[0].size = 1ull << 40;
    /* 128 GiB at IPA = PA + 4 KiB: no block fits, 2^25 pages. */
    fx_reg(&f.ctx.sys.guests.v[1].devices.v[0], 0x10000000000ull, 128ull << 30,
           0x20000001000ull);
    assert_int_not_equal(fx_place(&f), 0);
    assert_true(fx_reported(&f, "hv-memory"));
    fx_free(&f);

    fx_smmuv3_system(&f);
    struct sys_smmu_param *prm = VEC_ADD(&f.ctx.sys.smmus);
    prm->node.text = xstrdup("/smmuv3@9050000");
    prm->node.node = &f.nodes[0];
    prm->sid_bits = 32;
    prm->has_sid_bits = true;
    f.ctx.sys.hyp_memory.v[0].size = 1ull << 40;
    fx_sid(&f.ctx.sys.guests.v[1].devices.v[0], &f.smmus[0], 0x1000000, 0, 0x80000000u);
    assert_int_not_equal(fx_place(&f), 0);
    assert_true(fx_reported(&f, "hv-memory"));
    assert_int_equal(f.ctx.place->smmus[0].l2.n, 0);
    fx_free(&f);
}

static int walk_dir(const char *dir)
{
    char *bp = path_join(dir, "system.dtpb"), *hp = path_join(dir, "hvdata.bin");
    size_t bn = 0, hn = 0;
    uint8_t *blob = (uint8_t *)read_file(bp, 1u << 30, &bn);
    uint8_t *hv = (uint8_t *)read_file(hp, 1u << 30, &hn);
    int rc = 1;
    struct dtpb b;
    int err = blob ? dtpb_open(&b, blob, bn) : -100;
    if (!blob || !hv || err) {
        printf("not ok - %s: cannot read outputs (%s)\n", dir, blob ? dtpb_strerror(err) : "no blob");
    } else {
        unsigned long checks = 0;
        unsigned fails = walk_all(&b, hv, hn, &checks);
        printf("%s - %s: %lu translations and stream lookups, %u failures\n",
               fails ? "not ok" : "ok", dir, checks, fails);
        unsigned long qchecks = 0;
        unsigned qfails = walk_quiesce(&b, hv, hn, &qchecks);
        printf("%s - %s: quiesce plan applied guest by guest: %lu stream lookups, %u failures\n",
               qfails ? "not ok" : "ok", dir, qchecks, qfails);
        rc = fails != 0 || qfails != 0;
    }
    free(blob);
    free(hv);
    free(bp);
    free(hp);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        int rc = 0;
        for (int i = 1; i < argc; i++)
            rc |= walk_dir(argv[i]);
        return rc;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables_s2_geometry),
        cmocka_unit_test(test_tables_smmuv3_walk),
        cmocka_unit_test(test_tables_smmuv3_linear),
        cmocka_unit_test(test_tables_deterministic),
        cmocka_unit_test(test_tables_smmuv2_walk),
        cmocka_unit_test(test_tables_smmuv2_merge),
        cmocka_unit_test(test_tables_smmuv2_random),
        cmocka_unit_test(test_tables_smmu_capacity),
        cmocka_unit_test(test_tables_hv_memory),
        cmocka_unit_test(test_tables_ipa_widths),
        cmocka_unit_test(test_tables_refused_maps),
        cmocka_unit_test(test_tables_scale),
        cmocka_unit_test(test_tables_limits),
    };
    return cmocka_run_group_tests_name("tables", tests, NULL, NULL);
}
