/* Unit tests for the U-Boot script image writer (emit/uimage.c,
 * docs/xen.md "boot.scr"): the bytes of two scripts against what
 * `SOURCE_DATE_EPOCH=0 mkimage -A arm64 -T script -C none -d FILE` wrote for
 * them (u-boot-tools 2023.01), one of a length that is a multiple of 4 and
 * one that is not (the last file is not padded). suite-xen-uboot.sh makes
 * the same comparison on real boot scripts when mkimage is installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "emit/uimage.h"

/* mkimage's output for "echo hi\n", whole. */
static const unsigned char echo_hi[] = {
    0x27, 0x05, 0x19, 0x56, 0xa5, 0x2b, 0x4f, 0xa3, 0x00, 0x00, 0x00, 0x00, /* magic hcrc tm */
    0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* size, load, ep */
    0xd9, 0x34, 0x01, 0x62, 0x05, 0x16, 0x06, 0x00,                         /* dcrc, os... */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                         /* name */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00,                         /* length list */
    'e', 'c', 'h', 'o', ' ', 'h', 'i', '\n'};

static void test_uimage_matches_mkimage(void **state)
{
    (void)state;
    struct strbuf sb;
    sb_init(&sb);
    assert_int_equal(uimage_script(&sb, "echo hi\n", 8), 0);
    assert_int_equal(sb.len, sizeof(echo_hi));
    assert_memory_equal(sb.s, echo_hi, sizeof(echo_hi));
    sb_free(&sb);
}

static void test_uimage_unpadded_last_file(void **state)
{
    (void)state;
    /* "boot\n": 5 bytes, so the image is 64 + 8 + 5 = 77 bytes; header CRC
     * b5deb9cb, data size 0x0d, data CRC 81e7974f as mkimage wrote them. */
    static const unsigned char head[] = {0x27, 0x05, 0x19, 0x56, 0xb5, 0xde, 0xb9, 0xcb,
                                         0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0d};
    static const unsigned char dcrc[] = {0x81, 0xe7, 0x97, 0x4f, 0x05, 0x16, 0x06, 0x00};
    static const unsigned char tail[] = {0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00,
                                         'b', 'o', 'o', 't', '\n'};
    struct strbuf sb;
    sb_init(&sb);
    assert_int_equal(uimage_script(&sb, "boot\n", 5), 0);
    assert_int_equal(sb.len, 77);
    assert_memory_equal(sb.s, head, sizeof(head));
    assert_memory_equal(sb.s + 24, dcrc, sizeof(dcrc));
    assert_memory_equal(sb.s + UIMAGE_HEADER_SIZE, tail, sizeof(tail));
    sb_free(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uimage_matches_mkimage),
        cmocka_unit_test(test_uimage_unpadded_last_file),
    };
    return cmocka_run_group_tests_name("uimage", tests, NULL, NULL);
}
