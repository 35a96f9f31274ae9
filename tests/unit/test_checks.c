/* Unit tests for checks/: the interval sweep and stream-ID matching against
 * brute force, the check table's shape, the prerequisite rule, and
 * diag_report_sev (the unsafe-no-iommu downgrade). */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "checks/internal.h"

/* ---- sweep ---- */

struct pairs {
    size_t n;
    uint32_t later[64], earlier[64];
};

static void collect(void *arg, const struct ck_ival *a, const struct ck_ival *b)
{
    struct pairs *p = arg;
    assert_true(p->n < 64);
    p->earlier[p->n] = a->idx;
    p->later[p->n++] = b->idx;
    /* The pair really conflicts. */
    assert_true(a->lo <= b->hi && b->lo <= a->hi);
    assert_false(a->owner == b->owner && a->kind == b->kind);
}

static void test_checks_sweep_basic(void **state)
{
    (void)state;
    struct ck_ival v[] = {
        {0x1000, 0x1fff, 1, 0, 0}, /* owner 1 */
        {0x2000, 0x2fff, 2, 0, 1}, /* touches, does not overlap */
        {0x2800, 0x3fff, 1, 0, 2}, /* overlaps idx 1 */
        {0x3000, 0x30ff, 1, 0, 3}, /* same owner as 2: fine */
    };
    struct pairs p = {0};
    assert_int_equal(ck_sweep(v, 4, collect, &p), 1);
    assert_int_equal(p.later[0], 2);
    assert_int_equal(p.earlier[0], 1);
}

/* top1 has the same owner as the new interval: the witness is top2. */
static void test_checks_sweep_second_witness(void **state)
{
    (void)state;
    struct ck_ival v[] = {
        {0, 100, 1, 0, 0},
        {10, 50, 2, 0, 1},  /* inside 0: conflict */
        {20, 30, 1, 0, 2},  /* owner 1 again, but 1 (owner 2) still reaches it */
        {60, 70, 1, 0, 3},  /* owner 2's interval ended at 50: no conflict */
    };
    struct pairs p = {0};
    assert_int_equal(ck_sweep(v, 4, collect, &p), 2);
    assert_int_equal(p.later[0], 1);
    assert_int_equal(p.later[1], 2);
    assert_int_equal(p.earlier[1], 1);
}

/* kind distinguishes owners with the same number (a shared region 0 is not
 * guest 0). */
static void test_checks_sweep_kind(void **state)
{
    (void)state;
    struct ck_ival v[] = {{0, 10, 0, 0, 0}, {5, 15, 0, 1, 1}};
    struct pairs p = {0};
    assert_int_equal(ck_sweep(v, 2, collect, &p), 1);
}

/* Random intervals: an interval is reported iff some interval of another
 * owner sorted before it (by the sweep's order) intersects it. */
static void test_checks_sweep_random(void **state)
{
    (void)state;
    srand(12345);
    for (int round = 0; round < 300; round++) {
        struct ck_ival v[40], sorted[40];
        size_t n = 1 + (size_t)(rand() % 40);
        for (size_t i = 0; i < n; i++) {
            uint64_t lo = (uint64_t)(rand() % 200), len = (uint64_t)(rand() % 30);
            v[i] = (struct ck_ival){lo, lo + len, (uint64_t)(rand() % 4), 0, (uint32_t)i};
        }
        struct pairs p = {0};
        ck_sweep(v, n, collect, &p); /* sorts v in place */
        memcpy(sorted, v, sizeof(v));
        bool expect[40] = {false};
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < i; j++)
                if (sorted[j].owner != sorted[i].owner && sorted[j].hi >= sorted[i].lo)
                    expect[sorted[i].idx] = true;
        bool got[40] = {false};
        for (size_t k = 0; k < p.n; k++) {
            assert_false(got[p.later[k]]); /* each interval at most once */
            got[p.later[k]] = true;
        }
        for (size_t i = 0; i < n; i++)
            assert_int_equal(got[i], expect[i]);
    }
}

/* ---- stream IDs ---- */

static bool in_set(uint64_t s, struct ck_sidset a)
{
    if (a.mask)
        return (s & ~(uint64_t)a.mask) == (a.sid & ~(uint64_t)a.mask);
    return s >= a.sid && s < (uint64_t)a.sid + (a.count ? a.count : 1);
}

static void test_checks_sid_next_match(void **state)
{
    (void)state;
    /* Exhaustive over 9-bit patterns, masks and starting points. */
    for (uint32_t mask = 0; mask < 512; mask += 7)
        for (uint32_t pat = 0; pat < 512; pat += 13)
            for (uint64_t lo = 0; lo < 520; lo += 3) {
                uint64_t want = UINT64_MAX;
                for (uint64_t s = lo; s < 1024; s++)
                    if ((s & ~(uint64_t)mask) == (pat & ~(uint64_t)mask)) {
                        want = s;
                        break;
                    }
                uint64_t got = ck_sid_next_match(lo, pat, mask);
                if (want == UINT64_MAX)
                    assert_true(got >= 1024);
                else
                    assert_int_equal(got, want);
            }
}

/* The SMMUv2 rule of SPEC §4 and the range cases, against enumeration. */
static void test_checks_sid_intersect(void **state)
{
    (void)state;
    srand(777);
    for (int round = 0; round < 20000; round++) {
        struct ck_sidset a = {(uint32_t)(rand() % 256), 0, 1}, b = {(uint32_t)(rand() % 256), 0, 1};
        int kind = rand() % 3;
        if (kind == 0) {
            a.mask = (uint32_t)(rand() % 256);
            b.mask = (uint32_t)(rand() % 256);
        } else if (kind == 1) {
            a.mask = (uint32_t)(rand() % 256);
            b.count = 1 + (uint32_t)(rand() % 40);
        } else {
            a.count = 1 + (uint32_t)(rand() % 40);
            b.count = 1 + (uint32_t)(rand() % 40);
        }
        bool want = false;
        for (uint64_t s = 0; s < 512 && !want; s++)
            want = in_set(s, a) && in_set(s, b);
        assert_int_equal(ck_sid_intersect(a, b), want);
        assert_int_equal(ck_sid_intersect(b, a), want);
        for (uint64_t s = 0; s < 512; s++)
            if (in_set(s, a)) {
                assert_true(s >= ck_sid_lo(a));
                assert_true(s <= ck_sid_hi(a));
            }
    }
    /* The examples of docs/checks.md#sid-owner. */
    assert_true(ck_sid_intersect((struct ck_sidset){0x140, 0x3f, 1}, (struct ck_sidset){0x150, 0, 1}));
    assert_false(ck_sid_intersect((struct ck_sidset){0x140, 0x3f, 1}, (struct ck_sidset){0x180, 0, 1}));
    assert_true(ck_sid_intersect((struct ck_sidset){0x200, 0x100, 1}, (struct ck_sidset){0x300, 0, 1}));
    assert_false(ck_sid_intersect((struct ck_sidset){0x200, 0x100, 1}, (struct ck_sidset){0x280, 0, 1}));
    assert_true(ck_sid_intersect((struct ck_sidset){0x0, 0, 0x10000}, (struct ck_sidset){0xffff, 0, 1}));
}

/* ---- the table ---- */

static void test_checks_table_shape(void **state)
{
    (void)state;
    /* Every ISOLATION id has a function and runs exactly once, after its
     * prerequisites; no other id has a function. */
    uint64_t seen = 0;
    for (size_t i = 0; i < check_order_len; i++) {
        enum check_id id = check_order[i];
        assert_true(id < CK_COUNT);
        assert_int_equal(check_table[id].family, CKF_ISOLATION);
        assert_non_null(check_defs[id].fn);
        assert_int_equal(check_defs[id].prereqs & ~seen, 0); /* prerequisites run first */
        assert_false((seen >> id) & 1); /* listed once */
        seen |= UINT64_C(1) << id;
    }
    for (size_t i = 0; i < CK_COUNT; i++) {
        bool isolation = check_table[i].family == CKF_ISOLATION;
        assert_int_equal(isolation, (seen >> i) & 1);
        assert_int_equal(isolation, check_defs[i].fn != NULL);
        assert_true(check_lookup(check_table[i].id) == &check_table[i]); /* ids unique */
        assert_non_null(check_table[i].summary);
        assert_non_null(check_table[i].help);
    }
}

/* The naming rule of diag/checks.def: "dep-unowned" is CK_DEP_UNOWNED. */
static void test_checks_id_names(void **state)
{
    (void)state;
    static const char *const names[CK_COUNT] = {
#define CHECK(name, id, sev, family, fn, prereqs, summary, help) [CK_##name] = #name,
#include "diag/checks.def"
#undef CHECK
    };
    for (size_t i = 0; i < CK_COUNT; i++) {
        char want[64];
        const char *id = check_table[i].id;
        size_t n = strlen(id);
        assert_true(n < sizeof(want));
        for (size_t k = 0; k <= n; k++)
            want[k] = id[k] == '-' ? '_' : (char)toupper((unsigned char)id[k]);
        assert_string_equal(names[i], want);
    }
    assert_string_equal(check_table[CK_DEP_UNOWNED].id, "dep-unowned");
}

/* ---- checks_run on a hand-built model ---- */

static struct dtpass_ctx *ctx_new(void)
{
    struct dtpass_ctx *ctx = xcalloc(1, sizeof(*ctx));
    diag_init(&ctx->diag);
    system_init(&ctx->sys);
    static struct board_range ram = {0x40000000, 0x40000000};
    ctx->board.ram = &ram;
    ctx->board.nram = 1;
    return ctx;
}

static void ctx_free(struct dtpass_ctx *ctx)
{
    system_free(&ctx->sys);
    diag_free(&ctx->diag);
    free(ctx);
}

static struct sys_guest *guest(struct dtpass_ctx *ctx, const char *name, uint32_t vmid)
{
    struct sys_guest *g = VEC_ADD(&ctx->sys.guests);
    g->name = xstrdup(name);
    g->vmid = vmid;
    g->has_vmid = true;
    return g;
}

static void mem(struct sys_guest *g, uint64_t base, uint64_t size)
{
    struct sys_mem *m = VEC_ADD(&g->memory);
    m->base = m->ipa = base;
    m->size = size;
    m->pos = (struct srcpos){"sys.yaml", (uint32_t)g->memory.n, 1};
}

static size_t count(const struct diag_sink *s, const char *id)
{
    size_t n = 0;
    for (size_t i = 0; i < s->diags.n; i++)
        if (s->diags.v[i]->check && !strcmp(s->diags.v[i]->check, id))
            n++;
    return n;
}

static void test_checks_run_overlap(void **state)
{
    (void)state;
    struct dtpass_ctx *ctx = ctx_new();
    mem(guest(ctx, "a", 1), 0x40000000, 0x10000000);
    mem(guest(ctx, "b", 2), 0x48000000, 0x10000000);
    assert_int_equal(checks_run(ctx), 1);
    assert_int_equal(count(&ctx->diag, "mem-overlap"), 1);
    ctx_free(ctx);
}

/* A wrapping range makes range-wrap fail, so the overlap checks that need
 * sane ranges are skipped rather than run on garbage. */
static void test_checks_run_prerequisite_skips(void **state)
{
    (void)state;
    struct dtpass_ctx *ctx = ctx_new();
    struct sys_guest *a = guest(ctx, "a", 1);
    mem(a, 0x40000000, 0x10000000);
    mem(a, 0xfffffffffffff000, 0x2000); /* wraps */
    mem(guest(ctx, "b", 2), 0x48000000, 0x10000000);
    checks_run(ctx);
    assert_int_equal(count(&ctx->diag, "range-wrap"), 1);
    assert_int_equal(count(&ctx->diag, "mem-overlap"), 0);
    assert_int_equal(count(&ctx->diag, "mem-not-ram"), 0);
    ctx_free(ctx);
}

/* -Wno-range-wrap silences the finding but the prerequisite still holds. */
static void test_checks_run_prerequisite_disabled(void **state)
{
    (void)state;
    struct dtpass_ctx *ctx = ctx_new();
    assert_int_equal(diag_option(&ctx->diag, "-Wno-range-wrap"), 0);
    struct sys_guest *a = guest(ctx, "a", 1);
    mem(a, 0xfffffffffffff000, 0x2000);
    mem(guest(ctx, "b", 2), 0x48000000, 0x10000000);
    checks_run(ctx);
    assert_int_equal(ctx->diag.diags.n, 0);
    ctx_free(ctx);
}

static void test_checks_run_vmid_cpu(void **state)
{
    (void)state;
    struct dtpass_ctx *ctx = ctx_new();
    guest(ctx, "a", 3);
    guest(ctx, "b", 3); /* may move guest a: take both pointers after */
    VEC_ADD(&ctx->sys.guests.v[0].cpus)->index = 1;
    VEC_ADD(&ctx->sys.guests.v[1].cpus)->index = 1;
    checks_run(ctx);
    assert_int_equal(count(&ctx->diag, "vmid"), 1);
    assert_int_equal(count(&ctx->diag, "cpu-owner"), 1);
    ctx_free(ctx);
}

/* ---- diag_report_sev ---- */

static void test_checks_report_sev(void **state)
{
    (void)state;
    struct diag_sink s;
    diag_init(&s);
    assert_non_null(diag_report_sev(&s, CK_DMA_NO_IOMMU, SEV_WARNING, NOPOS, "x"));
    assert_int_equal(s.diags.v[0]->sev, SEV_WARNING);
    assert_int_equal(s.nwarnings, 1);
    assert_int_equal(diag_exit_status(&s), 0);
    /* -Werror=<id> promotes the downgraded finding back to an error. */
    assert_int_equal(diag_option(&s, "-Werror=dma-no-iommu"), 0);
    diag_report_sev(&s, CK_DMA_NO_IOMMU, SEV_WARNING, NOPOS, "y");
    assert_int_equal(s.diags.v[1]->sev, SEV_ERROR);
    /* -Wno-<id> silences it; a warning check is never raised to an error. */
    assert_int_equal(diag_option(&s, "-Wno-dma-no-iommu"), 0);
    assert_null(diag_report_sev(&s, CK_DMA_NO_IOMMU, SEV_WARNING, NOPOS, "z"));
    diag_report_sev(&s, CK_DMA_RESET, SEV_ERROR, NOPOS, "w");
    assert_int_equal(s.diags.v[2]->sev, SEV_WARNING);
    diag_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checks_sweep_basic),
        cmocka_unit_test(test_checks_sweep_second_witness),
        cmocka_unit_test(test_checks_sweep_kind),
        cmocka_unit_test(test_checks_sweep_random),
        cmocka_unit_test(test_checks_sid_next_match),
        cmocka_unit_test(test_checks_sid_intersect),
        cmocka_unit_test(test_checks_table_shape),
        cmocka_unit_test(test_checks_id_names),
        cmocka_unit_test(test_checks_run_overlap),
        cmocka_unit_test(test_checks_run_prerequisite_skips),
        cmocka_unit_test(test_checks_run_prerequisite_disabled),
        cmocka_unit_test(test_checks_run_vmid_cpu),
        cmocka_unit_test(test_checks_report_sev),
    };
    return cmocka_run_group_tests_name("checks", tests, NULL, NULL);
}
