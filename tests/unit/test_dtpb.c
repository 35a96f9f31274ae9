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
#include "front/front.h"
#include "resolve/resolve.h"
#include "roundtrip.h"

static uint8_t *fx_blob(struct fx *f, size_t *n)
{
    assert_int_equal(fx_place(f), 0);
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
                lower_place(&ctx) == 0) {
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
    };
    return cmocka_run_group_tests_name("dtpb", tests, NULL, NULL);
}
