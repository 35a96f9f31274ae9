/* Unit tests for system.dtpb (emit/blob.c) and the freestanding reader
 * (src/dtpb/reader.c): model -> blob -> reader -> the same facts on
 * hand-built systems; the reader rejects every truncation, every single
 * bit flip, and crafted blobs with a valid CRC but a broken structure,
 * each with its own error code.
 *
 * With arguments, `test_dtpb SYSTEM...` runs the real pipeline (front end,
 * board, resolve, checks, placement) on each system file and checks the
 * round trip on it, printing TAP lines (tests/suite-tables.sh runs it on
 * every example). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "checks/checks.h"
#include "dtpass/dtpb.h"
#include "emit/tables.h"
#include "fixture.h"
#include "lower/quiesce.h"
#include "front/front.h"
#include "resolve/resolve.h"
#include "roundtrip.h"

static uint8_t *fx_blob(struct fx *f, size_t *n)
{
    assert_int_equal(fx_place(f), 0);
    assert_int_equal(lower_quiesce(&f->ctx), 0);
    uint8_t *blob;
    *n = blob_serialise(&f->ctx, &blob);
    return blob;
}

static void test_dtpb_roundtrip(void **state)
{
    (void)state;
    for (int v = 2; v <= 3; v++) {
        struct fx f;
        size_t n;
        if (v == 3)
            fx_smmuv3_system(&f);
        else
            fx_smmuv2_system(&f);
        uint8_t *blob = fx_blob(&f, &n);
        assert_int_equal(rt_compare(&f.ctx, blob, n), 0);
        struct dtpb b;
        assert_int_equal(dtpb_open(&b, blob, n), 0);
        /* Facts only the placement knows. */
        struct dtpb_smmu sm;
        assert_int_equal(dtpb_smmu(&b, 0, &sm), 0);
        if (v == 3) {
            assert_int_equal(sm.strtab_base, f.ctx.place->smmus[0].strtab_base);
            assert_int_equal(sm.strtab_base_cfg, 0x10210);
            assert_int_equal(sm.cr0, 0xd);
        } else {
            assert_int_equal(dtpb_count(&b, DTPB_SEC_SMRS), f.ctx.place->smmus[0].smrs.n);
            assert_int_equal(dtpb_count(&b, DTPB_SEC_CBS), 2);
            assert_true(sm.cr0 & (1u << 10));
        }
        struct dtpb_guest g;
        assert_int_equal(dtpb_guest(&b, 0, &g), 0);
        assert_int_equal(g.s2_root, f.ctx.place->guests[0].pa);
        assert_int_equal(dtpb_guest(&b, 99, &g), DTPB_ERR_RANGE);
        assert_int_equal(dtpb_guest(&b, 0, NULL), DTPB_ERR_BADARG);
        /* Deterministic and 8-byte aligned. */
        assert_int_equal(n % 8, 0);
        uint8_t *again;
        size_t n2 = blob_serialise(&f.ctx, &again);
        assert_int_equal(n2, n);
        assert_memory_equal(again, blob, n);
        free(again);
        free(blob);
        fx_free(&f);
    }
}

static void test_dtpb_crc(void **state)
{
    (void)state;
    /* The IEEE check value of "123456789". */
    assert_int_equal(dtpb_crc32(0, "123456789", 9), 0xCBF43926u);
    assert_int_equal(dtpb_crc32(dtpb_crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
}

static void test_dtpb_truncated_and_flipped(void **state)
{
    (void)state;
    struct fx f;
    size_t n;
    fx_smmuv3_system(&f);
    uint8_t *blob = fx_blob(&f, &n);
    struct dtpb b;
    for (size_t len = 0; len < n; len++)
        assert_int_not_equal(dtpb_open(&b, blob, len), 0);
    assert_int_equal(dtpb_open(&b, blob, n), 0);
    uint8_t *copy = malloc(n);
    for (size_t bit = 0; bit < n * 8; bit++) {
        memcpy(copy, blob, n);
        copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        int err = dtpb_open(&b, copy, n);
        if (err == 0)
            fail_msg("bit %zu flipped is accepted", bit);
    }
    free(copy);
    assert_int_equal(dtpb_open(NULL, blob, n), DTPB_ERR_BADARG);
    assert_int_equal(dtpb_open(&b, NULL, n), DTPB_ERR_BADARG);
    free(blob);
    fx_free(&f);
}

/* Re-seals a modified blob so the structural checks, not the CRC, see it. */
static void reseal(uint8_t *d, size_t n)
{
    uint32_t total = get_le32(d + DTPB_H_TOTAL);
    if (total > n)
        total = (uint32_t)n; /* a lying total_size: seal what exists */
    put_le32(d + DTPB_H_CRC, 0);
    put_le32(d + DTPB_H_CRC, dtpb_crc32(0, d, total));
}

static uint8_t *secent(uint8_t *d, unsigned id)
{
    return d + DTPB_HEADER_SIZE + (id - 1) * DTPB_SECENT_SIZE;
}

static void test_dtpb_structure_errors(void **state)
{
    (void)state;
    struct fx f;
    size_t n;
    fx_smmuv3_system(&f);
    uint8_t *blob = fx_blob(&f, &n);
    uint8_t *d = malloc(n);
    struct dtpb b;
#define CASE(expect, mutate)                                                  \
    do {                                                                      \
        memcpy(d, blob, n);                                                   \
        mutate;                                                               \
        reseal(d, n);                                                         \
        assert_int_equal(dtpb_open(&b, d, n), expect);                        \
    } while (0)
    CASE(0, (void)0);
    memcpy(d, blob, n);
    d[0] = 'X';
    assert_int_equal(dtpb_open(&b, d, n), DTPB_ERR_BADMAGIC);
    CASE(DTPB_ERR_BADVERSION, put_le16(d + DTPB_H_MAJOR, 2));
    CASE(0, put_le16(d + DTPB_H_MINOR, 7)); /* a newer minor version is fine */
    CASE(DTPB_ERR_TRUNCATED, put_le32(d + DTPB_H_TOTAL, (uint32_t)n + 8));
    CASE(DTPB_ERR_BADHEADER, put_le32(d + DTPB_H_HSIZE, 12));
    CASE(DTPB_ERR_BADHEADER, put_le32(d + DTPB_H_FLAGS, 1));
    memcpy(d, blob, n);
    d[n - 1] ^= 1;
    assert_int_equal(dtpb_open(&b, d, n), DTPB_ERR_BADCRC);
    CASE(DTPB_ERR_BADSECTAB, put_le32(d + DTPB_H_NSEC, 1000));
    CASE(DTPB_ERR_BADSECTAB, put_le32(d + DTPB_H_SECOFF, 4));
    CASE(DTPB_ERR_BADSECTION, put_le32(secent(d, DTPB_SEC_GUESTS) + 4, (uint32_t)n));
    CASE(DTPB_ERR_BADSECTION, put_le32(secent(d, DTPB_SEC_GUESTS) + 8, 0x10000000));
    CASE(DTPB_ERR_BADSECTION, put_le32(secent(d, DTPB_SEC_GUESTS) + 4,
                                       get_le32(secent(d, DTPB_SEC_GUESTS) + 4) + 4));
    CASE(DTPB_ERR_BADENTSIZE, put_le32(secent(d, DTPB_SEC_GUESTS) + 12, 8));
    CASE(DTPB_ERR_DUPSECTION, put_le32(secent(d, DTPB_SEC_VCPUS), DTPB_SEC_GUESTS));
    CASE(DTPB_ERR_MISSING, put_le32(secent(d, DTPB_SEC_LOADMAP), 99)); /* unknown id: skipped */
    uint32_t stroff = get_le32(secent(blob, DTPB_SEC_STRINGS) + 4);
    uint32_t strn = get_le32(secent(blob, DTPB_SEC_STRINGS) + 8);
    CASE(DTPB_ERR_BADSTRINGS, d[stroff] = 'x');
    CASE(DTPB_ERR_BADSTRINGS, d[stroff + strn - 1] = 'x');
    uint32_t goff = get_le32(secent(blob, DTPB_SEC_GUESTS) + 4);
    CASE(DTPB_ERR_BADSTRREF, put_le32(d + goff, strn));
    CASE(DTPB_ERR_BADREF, put_le32(d + goff + 12, 1000)); /* first_vcpu */
    uint32_t voff = get_le32(secent(blob, DTPB_SEC_VCPUS) + 4);
    CASE(DTPB_ERR_BADREF, put_le32(d + voff + 4, 5)); /* vcpu number out of sequence */
    uint32_t moff = get_le32(secent(blob, DTPB_SEC_MEMMAP) + 4);
    CASE(DTPB_ERR_BADREF, put_le32(d + moff, 7)); /* memmap guest */
    CASE(DTPB_ERR_BADVALUE, put_le32(d + moff + 4, 9)); /* memmap kind */
    uint32_t soff = get_le32(secent(blob, DTPB_SEC_SMMUS) + 4);
    CASE(DTPB_ERR_BADVALUE, put_le32(d + soff + 8, 4)); /* SMMU version */
    uint32_t poff = get_le32(secent(blob, DTPB_SEC_PEERS) + 4);
    CASE(DTPB_ERR_BADVALUE, put_le32(d + poff + 8, 2)); /* peer access */
    CASE(DTPB_ERR_BADREF, put_le32(d + poff, 5));       /* peer shared */
#undef CASE
    /* Every code has a distinct message. */
    for (int e = -1; e >= -16; e--)
        for (int k = e - 1; k >= -16; k--)
            assert_string_not_equal(dtpb_strerror(e), dtpb_strerror(k));
    free(d);
    free(blob);
    fx_free(&f);
}

/* ---- the quiesce plan (sections 15, 16; version 1.1) ---- */

static uint32_t sec_field(const uint8_t *d, unsigned id, unsigned field)
{
    return get_le32(secent((uint8_t *)d, id) + field);
}

static void test_dtpb_quiesce_section(void **state)
{
    (void)state;
    struct fx f;
    size_t n;
    fx_smmuv3_system(&f);
    uint8_t *blob = fx_blob(&f, &n);
    struct dtpb b;
    assert_int_equal(dtpb_open(&b, blob, n), 0);
    assert_int_equal(b.minor, 1);
    /* linux: two STE runs of eth then scrub; rtos: two of the dma engine
     * then scrub. */
    assert_int_equal(dtpb_count(&b, DTPB_SEC_QUIESCE), 6);
    static const struct { uint32_t guest, kind, sid, count; } want[] = {
        {0, DTPB_Q_ABORT_STE, 0x10, 1}, {0, DTPB_Q_ABORT_STE, 0x100, 0x100}, {0, DTPB_Q_SCRUB, 0, 0},
        {1, DTPB_Q_ABORT_STE, 0x11, 1}, {1, DTPB_Q_ABORT_STE, 0x300, 1}, {1, DTPB_Q_SCRUB, 0, 0}};
    for (uint32_t i = 0; i < 6; i++) {
        struct dtpb_qstep q;
        assert_int_equal(dtpb_qstep(&b, i, &q), 0);
        assert_int_equal(q.guest, want[i].guest);
        assert_int_equal(q.kind, want[i].kind);
        assert_int_equal(q.sid, want[i].sid);
        assert_int_equal(q.count, want[i].count);
        assert_int_equal(q.smmu, q.kind == DTPB_Q_SCRUB ? DTPB_NONE : 0);
    }
    struct dtpb_qstep q;
    assert_int_equal(dtpb_qstep(&b, 6, &q), DTPB_ERR_RANGE);
    assert_int_equal(dtpb_qstep(&b, 0, NULL), DTPB_ERR_BADARG);
    assert_int_equal(dtpb_qcell(&b, 0, &(struct dtpb_qcell){0}), DTPB_ERR_RANGE);

    /* A 1.0 reader does not know ids 15 and 16: with them renamed to ids
     * this reader does not know, the blob opens with every 1.0 section as
     * before and no plan. */
    uint8_t *d = malloc(n);
    memcpy(d, blob, n);
    put_le32(secent(d, DTPB_SEC_QUIESCE), 200);
    put_le32(secent(d, DTPB_SEC_QCELLS), 201);
    reseal(d, n);
    struct dtpb old;
    assert_int_equal(dtpb_open(&old, d, n), 0);
    for (unsigned id = DTPB_SEC_GUESTS; id <= DTPB_SEC_LOADMAP; id++)
        assert_int_equal(dtpb_count(&old, id), dtpb_count(&b, id));
    assert_int_equal(dtpb_count(&old, DTPB_SEC_QUIESCE), 0);

    /* Malformed plans, each rejected with its code. */
    uint32_t qoff = sec_field(blob, DTPB_SEC_QUIESCE, 4);
    uint32_t qent = sec_field(blob, DTPB_SEC_QUIESCE, 12);
#define QCASE(expect, mutate)                                                 \
    do {                                                                      \
        memcpy(d, blob, n);                                                   \
        mutate;                                                               \
        reseal(d, n);                                                         \
        assert_int_equal(dtpb_open(&b, d, n), expect);                        \
    } while (0)
#define Q(i, off) (d + qoff + (i) * qent + (off))
    QCASE(0, (void)0);
    QCASE(DTPB_ERR_BADVALUE, put_le32(Q(0, 4), 9));             /* kind */
    QCASE(DTPB_ERR_BADREF, put_le32(Q(0, 0), 7));               /* guest */
    QCASE(DTPB_ERR_BADREF, put_le32(Q(0, 8), DTPB_NONE));       /* abort without a device */
    QCASE(DTPB_ERR_BADREF, put_le32(Q(0, 8), 1));               /* another guest's device */
    QCASE(DTPB_ERR_BADREF, put_le32(Q(0, 12), DTPB_NONE));      /* abort without an SMMU */
    QCASE(DTPB_ERR_BADREF, put_le32(Q(0, 4), DTPB_Q_FAULT_S2CR)); /* S2CR on an SMMUv3 */
    QCASE(DTPB_ERR_BADVALUE, put_le32(Q(0, 20), 0));            /* no stream IDs */
    QCASE(DTPB_ERR_BADVALUE, put_le32(Q(0, 16), 0xffffff00));   /* IDs past sid_bits */
    QCASE(DTPB_ERR_BADREF, put_le32(Q(2, 8), 0));               /* scrub with a device */
    QCASE(DTPB_ERR_BADSTRREF, put_le32(Q(2, 24), (uint32_t)n)); /* provider string */
    /* Step 1 made a reset step naming a provider (any valid string: the
     * path of device 0), first as valid, then broken one field at a time. */
    uint32_t path = get_le32(blob + sec_field(blob, DTPB_SEC_DEVICES, 4) + 4);
#define RESET1 (put_le32(Q(1, 4), DTPB_Q_RESET), put_le32(Q(1, 12), DTPB_NONE), \
                put_le32(Q(1, 24), path), put_le32(Q(1, 16), 0), put_le32(Q(1, 20), 0))
    QCASE(0, RESET1);
    QCASE(DTPB_ERR_BADREF, (RESET1, put_le32(Q(1, 52), 3)));       /* cells past section 16 */
    QCASE(DTPB_ERR_BADREF, (RESET1, put_le32(Q(1, 28), 5)));       /* holder not a guest */
    QCASE(DTPB_ERR_BADREF, (RESET1, put_le32(Q(1, 24), 0)));       /* no provider */
    QCASE(DTPB_ERR_BADREF, (RESET1, put_le32(Q(1, 12), 0)));       /* a reset with an SMMU */
#undef RESET1
    QCASE(DTPB_ERR_BADREF, put_le32(Q(0, 52), 1000));           /* an abort step's cells too */
    QCASE(DTPB_ERR_BADREF, put_le32(Q(2, 48), 1));              /* a scrub step's first cell */
    QCASE(DTPB_ERR_BADVALUE, (memcpy(Q(2, 0), Q(1, 0), qent))); /* linux has no scrub step */
    QCASE(DTPB_ERR_BADVALUE, (put_le32(Q(1, 4), DTPB_Q_SCRUB), put_le32(Q(1, 8), DTPB_NONE),
                              put_le32(Q(1, 12), DTPB_NONE))); /* a step after the scrub */
    uint8_t tmp[3 * DTPB_ENT_QSTEP];
    assert_int_equal(qent, DTPB_ENT_QSTEP);
    QCASE(DTPB_ERR_BADVALUE, (memcpy(tmp, Q(0, 0), 3 * qent), memmove(Q(0, 0), Q(3, 0), 3 * qent),
                              memcpy(Q(3, 0), tmp, 3 * qent))); /* rtos's steps before linux's */
    QCASE(DTPB_ERR_BADENTSIZE, put_le32(secent(d, DTPB_SEC_QUIESCE) + 12, 48));
#undef Q
#undef QCASE
    free(d);
    free(blob);
    fx_free(&f);
}

/* ---- the field tables of dtpb.h against docs/dtpb.md ---- */

struct lfield {
    unsigned off, width;
    const char *doc;
};
struct lsec {
    unsigned id;
    const char *title;
    uint32_t ent;
    const struct lfield *f;
    size_t n;
};
#define LF_F(name, off, width, check, arg, doc) {off, width, doc},
#define LF_R(off, width) {off, width, "reserved"},
#define LF_SEC(ID, rec, REC, title) static const struct lfield lf_##rec[] = {DTPB_##REC##_FIELDS(LF_F, LF_R)};
DTPB_SECTIONS(LF_SEC)
#define LS_SEC(ID, rec, REC, title) {DTPB_SEC_##ID, title, DTPB_ENT_##REC, lf_##rec, ARRAY_SIZE(lf_##rec)},
static const struct lsec layout[] = {DTPB_SECTIONS(LS_SEC)};

/* The line after the one starting with want, from *pos on, or NULL. */
static const char *find_line(const char *text, const char *want)
{
    const char *p = strstr(text, want);
    return p && (p == text || p[-1] == '\n') ? p : NULL;
}

static char *next_line(const char **p)
{
    const char *e = strchr(*p, '\n');
    size_t n = e ? (size_t)(e - *p) : strlen(*p);
    char *l = xasprintf("%.*s", (int)n, *p);
    *p = e ? e + 1 : *p + n;
    return l;
}

static void test_dtpb_layout_matches_doc(void **state)
{
    (void)state;
    size_t len;
    char *doc = read_file("docs/dtpb.md", 1 << 20, &len);
    assert_non_null(doc);
    for (size_t s = 0; s < ARRAY_SIZE(layout); s++) {
        const struct lsec *ls = &layout[s];
        /* The fields tile the record in offset order, no gap, no overlap. */
        unsigned at = 0;
        for (size_t k = 0; k < ls->n; k++) {
            if (ls->f[k].off != at)
                fail_msg("section %u: field %zu at %u, expected %u", ls->id, k, ls->f[k].off, at);
            assert_true(ls->f[k].width == 4 || ls->f[k].width == 8);
            at += ls->f[k].width;
        }
        assert_int_equal(at, ls->ent);
        /* The summary row and the section's own table, row by row. */
        char *row = xasprintf("| %u | %s | %u |\n", ls->id, ls->title, ls->ent);
        if (!strstr(doc, row))
            fail_msg("docs/dtpb.md lacks the summary row %s", row);
        free(row);
        char *head = xasprintf("### %u %s (%u bytes)\n", ls->id, ls->title, ls->ent);
        const char *p = find_line(doc, head);
        if (!p)
            fail_msg("docs/dtpb.md lacks the heading %s", head);
        free(head);
        p = find_line(p, "| off | size | field |\n");
        assert_non_null(p);
        free(next_line(&p));
        free(next_line(&p)); /* |---|---|---| */
        for (size_t k = 0; k < ls->n; k++) {
            char *got = next_line(&p);
            char *want = xasprintf("| %u | %u | %s |", ls->f[k].off, ls->f[k].width, ls->f[k].doc);
            if (strcmp(got, want))
                fail_msg("section %u (%s) row %zu:\n  doc:    %s\n  header: %s", ls->id,
                         ls->title, k, got, want);
            free(got);
            free(want);
        }
        char *after = next_line(&p);
        if (after[0] == '|')
            fail_msg("section %u (%s): docs/dtpb.md has more rows than the header: %s", ls->id,
                     ls->title, after);
        free(after);
    }
    free(doc);
}

/* ---- end to end on a real system file ---- */

static int roundtrip_system(const char *file)
{
    struct dtpass_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    diag_init(&ctx.diag);
    system_init(&ctx.sys);
    outputs_init(&ctx.out);
    ctx.opt.outdir = "out";
    int rc = 1;
    const char *stage = "front end";
    if (front_load(&ctx.sys, file, &ctx.diag) == 0 && ctx.sys.board) {
        char *dir = path_dirname(file);
        char *board = path_join(dir, ctx.sys.board);
        struct board_options bo = {0};
        stage = "board";
        if (board_load(&ctx.board, board, &bo, &ctx.diag) == 0) {
            ctx.board_loaded = true;
            stage = "resolve/checks/placement";
            if (resolve(&ctx) == 0 && checks_run(&ctx) == 0 && !diag_errors(&ctx.diag) &&
                lower_place(&ctx) == 0 && lower_quiesce(&ctx) == 0) {
                uint8_t *blob;
                size_t n = blob_serialise(&ctx, &blob);
                unsigned fails = rt_compare(&ctx, blob, n);
                printf("%s - %s: model -> blob -> reader (%zu bytes), %u mismatches\n",
                       fails ? "not ok" : "ok", file, n, fails);
                rc = fails != 0;
                stage = NULL;
                free(blob);
            }
        }
        free(board);
        free(dir);
    }
    if (stage) {
        printf("not ok - %s: %s failed\n", file, stage);
        diag_render_text(&ctx.diag, stderr, false);
    }
    place_free(ctx.place);
    quiesce_free(ctx.quiesce);
    if (ctx.board_loaded)
        board_free(&ctx.board);
    system_free(&ctx.sys);
    diag_free(&ctx.diag);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        int rc = 0;
        for (int i = 1; i < argc; i++)
            rc |= roundtrip_system(argv[i]);
        return rc;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dtpb_roundtrip),
        cmocka_unit_test(test_dtpb_crc),
        cmocka_unit_test(test_dtpb_truncated_and_flipped),
        cmocka_unit_test(test_dtpb_structure_errors),
        cmocka_unit_test(test_dtpb_layout_matches_doc),
        cmocka_unit_test(test_dtpb_quiesce_section),
    };
    return cmocka_run_group_tests_name("dtpb", tests, NULL, NULL);
}
