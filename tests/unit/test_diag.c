/* Unit tests for diag/: severities and -W options, exit status, and the
 * three renderers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "diag/diag.h"

static char *render(struct diag_sink *s, enum diag_format f)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    diag_render(s, out, f, false);
    fclose(out);
    return buf;
}

static int setup(void **state)
{
    struct diag_sink *s = xcalloc(1, sizeof(*s));
    diag_init(s);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    diag_free(*state);
    free(*state);
    return 0;
}

static void test_diag_text_caret_and_notes(void **state)
{
    struct diag_sink *s = *state;
    const char *src = "guests:\n  - name: linux\n    cpus: [ 1, 1 ]\n";
    diag_add_source(s, "sys.yaml", src, strlen(src));
    struct srcpos pos = {diag_intern(s, "sys.yaml"), 3, 16};
    struct diag *d = diag_report(s, CK_CPU_OWNER, pos, "CPU %d given twice", 1);
    diag_note(d, (struct srcpos){pos.file, 3, 13}, NULL, "first given here");
    diag_node(d, "/cpus/cpu@1");
    diag_fix(d, "remove one");
    char *text = render(s, DIAG_TEXT);
    assert_non_null(strstr(text, "sys.yaml:3:16: error: CPU 1 given twice [cpu-owner]\n"));
    assert_non_null(strstr(text, "    3 |     cpus: [ 1, 1 ]\n      |                ^\n"));
    assert_non_null(strstr(text, "sys.yaml:3:13: note: first given here\n"));
    assert_non_null(strstr(text, "note: board node /cpus/cpu@1\n"));
    assert_non_null(strstr(text, "fix: remove one\n"));
    assert_non_null(strstr(text, "1 error, 0 warnings"));
    assert_int_equal(diag_exit_status(s), 1);
    free(text);
}

static void test_diag_options(void **state)
{
    struct diag_sink *s = *state;
    assert_int_equal(diag_severity(s, CK_DMA_RESET), SEV_WARNING);
    assert_int_equal(diag_option(s, "-Wno-dma-reset"), 0);
    assert_null(diag_report(s, CK_DMA_RESET, NOPOS, "x"));
    assert_int_equal(diag_exit_status(s), 0);
    assert_int_equal(diag_option(s, "-Wdma-reset"), 0);
    assert_int_equal(diag_severity(s, CK_DMA_RESET), SEV_WARNING);
    assert_int_equal(diag_option(s, "-Werror=status-disabled"), 0);
    assert_int_equal(diag_severity(s, CK_STATUS_DISABLED), SEV_ERROR);
    assert_int_equal(diag_option(s, "-Wnope"), -1);
    assert_int_equal(diag_option(s, "-Wno-syntax"), -1); /* cannot silence parse errors */
    diag_report(s, CK_DMA_RESET, NOPOS, "warn");
    assert_int_equal(diag_exit_status(s), 0);
    assert_int_equal(diag_option(s, "-Werror"), 0);
    assert_int_equal(diag_severity(s, CK_DMA_RESET), SEV_ERROR);
    diag_fatal(s, NOPOS, "cannot open");
    assert_int_equal(diag_exit_status(s), 2);
}

static void test_diag_json(void **state)
{
    struct diag_sink *s = *state;
    struct srcpos pos = {diag_intern(s, "a \"b\".yaml"), 2, 5};
    struct diag *d = diag_report(s, CK_MEM_OVERLAP, pos, "overlap");
    diag_note(d, pos, "/memory", "other");
    char *json = render(s, DIAG_JSON);
    assert_non_null(strstr(json, "\"severity\":\"error\",\"check\":\"mem-overlap\""));
    assert_non_null(strstr(json, "\"file\":\"a \\\"b\\\".yaml\",\"line\":2,\"column\":5"));
    assert_non_null(strstr(json, "\"node\":\"/memory\""));
    assert_non_null(strstr(json, "\"errors\":1,\"warnings\":0}"));
    free(json);
}

static void test_diag_sarif(void **state)
{
    struct diag_sink *s = *state;
    struct srcpos pos = {diag_intern(s, "sys.yaml"), 4, 7};
    diag_report(s, CK_IRQ_OWNER, pos, "shared line");
    char *sarif = render(s, DIAG_SARIF);
    assert_non_null(strstr(sarif, "\"version\":\"2.1.0\""));
    assert_non_null(strstr(sarif, "\"ruleId\":\"irq-owner\""));
    assert_non_null(strstr(sarif, "\"region\":{\"startLine\":4,\"startColumn\":7}"));
    assert_non_null(strstr(sarif, "checks.md#irq-owner"));
    assert_non_null(strstr(sarif, "\"executionSuccessful\":true"));
    free(sarif);
}

/* Columns count characters: the caret skips UTF-8 continuation bytes and
 * copies tabs. */
static void test_diag_text_caret_utf8_tab(void **state)
{
    struct diag_sink *s = *state;
    const char *src = "a: \"\xc3\xa9\xc3\xa9\", b: [ 0, 0 ]\n\tx: 1\n";
    diag_add_source(s, "u.yaml", src, strlen(src));
    const char *f = diag_intern(s, "u.yaml");
    diag_report(s, CK_CPU_OWNER, (struct srcpos){f, 1, 18}, "twice");
    diag_report(s, CK_CPU_OWNER, (struct srcpos){f, 2, 2}, "tab");
    char *text = render(s, DIAG_TEXT);
    assert_non_null(strstr(text, "      |                  ^\n"));
    assert_non_null(strstr(text, "    2 | \tx: 1\n      | \t^\n"));
    free(text);
}

/* File names become RFC 3986 URI references; the rules carry help. */
static void test_diag_sarif_uri_and_rules(void **state)
{
    struct diag_sink *s = *state;
    struct srcpos pos = {diag_intern(s, "my dir/s#1.yaml"), 1, 1};
    struct diag *d = diag_report(s, CK_VMID, pos, "dup");
    diag_fix(d, "renumber");
    char *sarif = render(s, DIAG_SARIF);
    assert_non_null(strstr(sarif, "\"uri\":\"my%20dir/s%231.yaml\""));
    assert_non_null(strstr(sarif, "\"help\":{\"text\":"));
    assert_non_null(strstr(sarif, "\"properties\":{\"fix\":\"renumber\"}"));
    assert_non_null(strstr(sarif, "\"partialFingerprints\":{\"dtpassFinding/v1\":\""));
    free(sarif);
}

static void test_diag_quiet_text_shows_errors_only(void **state)
{
    struct diag_sink *s = *state;
    s->quiet = true;
    diag_report(s, CK_STATUS_DISABLED, NOPOS, "just a warning");
    char *text = render(s, DIAG_TEXT);
    assert_string_equal(text, ""); /* no warning, no summary line */
    free(text);
    diag_report(s, CK_CPU_OWNER, NOPOS, "an error");
    text = render(s, DIAG_TEXT);
    assert_null(strstr(text, "just a warning"));
    assert_non_null(strstr(text, "an error [cpu-owner]"));
    assert_non_null(strstr(text, "1 error, 1 warning"));
    free(text);
    char *json = render(s, DIAG_JSON); /* machine formats stay complete */
    assert_non_null(strstr(json, "just a warning"));
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_diag_text_caret_and_notes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_diag_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_diag_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_diag_quiet_text_shows_errors_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_diag_sarif, setup, teardown),
        cmocka_unit_test_setup_teardown(test_diag_text_caret_utf8_tab, setup, teardown),
        cmocka_unit_test_setup_teardown(test_diag_sarif_uri_and_rules, setup, teardown),
    };
    return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
