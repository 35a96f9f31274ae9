/* Unit tests for the number syntax (parse_u64) as both front ends use it:
 * every literal gives the same value through parse_u64, the YAML front end
 * and the DSL front end, and every bad literal is rejected by all three. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "front_test.h"

static const struct {
    const char *text;
    uint64_t value;
} good[] = {
    {"0", 0},
    {"7", 7},
    {"4096", 4096},
    {"0x0", 0},
    {"0x1000", 0x1000},
    {"0XABCdef", 0xabcdef},
    {"0b0", 0},
    {"0b1011", 11},
    {"0B11", 3},
    {"1_000", 1000},
    {"0x4000_0000", 0x40000000},
    {"0b1_0000", 16},
    {"18446744073709551615", UINT64_MAX},
    {"0xffff_ffff_ffff_ffff", UINT64_MAX},
    {"4K", 4096},
    {"64M", 64ull << 20},
    {"2G", 2ull << 30},
    {"1T", 1ull << 40},
    {"0x10M", 16ull << 20},
    {"0b1G", 1ull << 30},
    {"1_024K", 1ull << 20},
    {"16777215T", 16777215ull << 40},
};

static const char *const bad[] = {
    "x",          /* not a number */
    "0x",         /* no digits */
    "0b",
    "0b2",        /* binary digit */
    "12a",        /* junk */
    "0xfg",
    "_1",         /* misplaced separators */
    "1_",
    "1__0",
    "0x_1",
    "1Q",         /* unknown suffix */
    "1KB",        /* one suffix letter only */
    "1k",         /* suffixes are upper case */
    "18446744073709551616",   /* 2^64 */
    "0x1_0000_0000_0000_0000",
    "16777216T",  /* 2^64 after the suffix */
    "0x8000000000000000K",
};

static void test_number_parse_u64(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        uint64_t v = 1;
        const char *err = parse_u64(good[i].text, strlen(good[i].text), true, &v);
        if (err)
            fail_msg("'%s': %s", good[i].text, err);
        if (v != good[i].value)
            fail_msg("'%s' gave 0x%llx", good[i].text, (unsigned long long)v);
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        uint64_t v = 0;
        if (!parse_u64(bad[i], strlen(bad[i]), true, &v))
            fail_msg("'%s' was accepted as 0x%llx", bad[i], (unsigned long long)v);
    }
}

/* Without allow_suffix, sizes are refused: vmid 1K is not 1024. */
static void test_number_no_suffix(void **state)
{
    (void)state;
    uint64_t v;
    assert_non_null(parse_u64("1K", 2, false, &v));
    assert_null(parse_u64("0x1000", 6, false, &v));
    assert_int_equal(v, 0x1000);
}

static void test_number_yaml_agrees(void **state)
{
    struct fx *f = *state;
    char text[256];
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        fx_reset(f);
        snprintf(text, sizeof(text),
                 "dtpass: 1\nguests: []\nhypervisor: { memory: [ { base: %s, size: 1 } ] }\n",
                 good[i].text);
        if (front_yaml(&f->s, "n.yaml", text, strlen(text), &f->d)) {
            fx_print(f);
            fail_msg("YAML rejected '%s'", good[i].text);
        }
        assert_int_equal(f->s.hyp_memory.v[0].base, good[i].value);
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        fx_reset(f);
        snprintf(text, sizeof(text),
                 "dtpass: 1\nguests: []\nhypervisor: { memory: [ { base: %s, size: 1 } ] }\n",
                 bad[i]);
        assert_int_equal(front_yaml(&f->s, "n.yaml", text, strlen(text), &f->d), -1);
        if (!fx_find(f, "schema", 3, 33)) {
            fx_print(f);
            fail_msg("YAML: no finding for '%s'", bad[i]);
        }
    }
}

static void test_number_dsl_agrees(void **state)
{
    struct fx *f = *state;
    char text[256];
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        fx_reset(f);
        snprintf(text, sizeof(text), "/dtpass-v1/;\nhypervisor { memory %s 1; }\n", good[i].text);
        char *path = fx_write(f, "n.dtpass", text);
        int rc = front_dsl(&f->s, path, &f->d);
        free(path);
        if (rc) {
            fx_print(f);
            fail_msg("DSL rejected '%s'", good[i].text);
        }
        assert_int_equal(f->s.hyp_memory.v[0].base, good[i].value);
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        if (bad[i][0] == '_' || (bad[i][0] >= 'a' && bad[i][0] <= 'z'))
            continue; /* an identifier in the DSL: an unknown constant, tested in test_dsl */
        fx_reset(f);
        snprintf(text, sizeof(text), "/dtpass-v1/;\nhypervisor { memory %s 1; }\n", bad[i]);
        char *path = fx_write(f, "n.dtpass", text);
        int rc = front_dsl(&f->s, path, &f->d);
        free(path);
        if (rc != -1 || !fx_find(f, "syntax", 2, 21)) {
            fx_print(f);
            fail_msg("DSL accepted '%s'", bad[i]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_number_parse_u64),
        cmocka_unit_test(test_number_no_suffix),
        cmocka_unit_test_setup_teardown(test_number_yaml_agrees, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_number_dsl_agrees, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests_name("number", tests, NULL, NULL);
}
