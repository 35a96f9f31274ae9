/* Unit tests for the DSL (grammar/dtpass.{y,l}, front/dsl.c): valid
 * statements fill the model exactly like the YAML front end (the dumps are
 * compared), invalid ones give the check id at the asserted line:col,
 * several errors come out of one run, includes are relative and cycles and
 * runaway nesting are caught, constant expressions follow C precedence and
 * reject overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "front_test.h"

static int parse_named(struct fx *f, const char *name, const char *text)
{
    char *path = fx_write(f, name, text);
    int rc = front_dsl(&f->s, path, &f->d);
    free(path);
    return rc;
}

static int parse(struct fx *f, const char *text)
{
    return parse_named(f, "t.dtpass", text);
}

static char *dump(const struct system *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    model_dump(s, fp, false);
    fclose(fp);
    return buf;
}

static const char yaml_full[] =
    "dtpass: 1\n"
    "board: boards/b.dtb\n"
    "platform:\n"
    "  ipa-bits: 36\n"
    "  pa-bits: 44\n"
    "  smmus:\n"
    "    - { node: /smmu@fd800000, sid-bits: 15, smrs: 48, context-banks: 16 }\n"
    "    - { node: \"&smmu1\" }\n"
    "hypervisor:\n"
    "  memory: [ { base: 0x40000000, size: 64M } ]\n"
    "  devices: [ serial0 ]\n"
    "guests:\n"
    "  - name: linux\n"
    "    vmid: 5\n"
    "    cpus: [ 1, 2 ]\n"
    "    memory:\n"
    "      - { base: 0x48000000, size: 512M }\n"
    "      - { base: 0x880000000, size: 1G, ipa: 0x80000000 }\n"
    "    devices:\n"
    "      - /soc/ethernet@ff0e0000\n"
    "      - node: \"&sdhci1\"\n"
    "        ipa: 0xff170000\n"
    "        irqs: { 81: 96, 82: 97 }\n"
    "        dma: false\n"
    "        stream-ids: [ 0x871, 2 ]\n"
    "        smmu: /smmu@fd800000\n"
    "        drop: [ pinctrl-0, \"xlnx,mio-bank\" ]\n"
    "        unsafe-no-iommu: \"trusted \\\"firmware\\\"\"\n"
    "    bootargs: \"console=ttyAMA0\\tx\"\n"
    "    stdout: serial1\n"
    "    boot:\n"
    "      kernel: { file: Image, load: 0x50000000 }\n"
    "      ramdisk: { file: initrd, load: 0x57000000 }\n"
    "  - name: rtos\n"
    "    cpus: [ 3 ]\n"
    "shared:\n"
    "  - name: ivc0\n"
    "    base: 0x50000000\n"
    "    size: 2M\n"
    "    peers:\n"
    "      - { guest: linux, ipa: 0x60000000, access: rw, doorbell: 48 }\n"
    "      - { guest: rtos, access: ro }\n";

static const char dsl_full[] =
    "/dtpass-v1/;\n"
    "board \"boards/b.dtb\";\n"
    "const RAM = 0x4000_0000;   // line comment\n"
    "/* block\n"
    "   comment */\n"
    "platform {\n"
    "    ipa-bits 36; pa-bits 44;\n"
    "    smmu \"/smmu@fd800000\" { sid-bits 15; smrs 48; context-banks 16; }\n"
    "    smmu &smmu1;\n"
    "}\n"
    "hypervisor { memory RAM 64M; device serial0; }\n"
    "guest linux {\n"
    "    vmid 5;\n"
    "    cpus 1, 2;\n"
    "    memory RAM + 128M 512M;\n"
    "    memory 0x880000000 1G at 2G;\n"
    "    device \"/soc/ethernet@ff0e0000\";\n"
    "    device &sdhci1 {\n"
    "        ipa 0xff170000;\n"
    "        irq 81 -> 96, 82 -> 97;\n"
    "        dma false;\n"
    "        stream-ids 0x871, 2;\n"
    "        smmu \"/smmu@fd800000\";\n"
    "        drop pinctrl-0, \"xlnx,mio-bank\";\n"
    "        unsafe-no-iommu \"trusted \\\"firmware\\\"\";\n"
    "    };\n"
    "    bootargs \"console=ttyAMA0\\tx\";\n"
    "    stdout serial1;\n"
    "    kernel \"Image\" at 0x50000000;\n"
    "    ramdisk \"initrd\" at 0x57000000;\n"
    "};\n"
    "guest rtos { cpus 3; }\n"
    "shared ivc0 0x50000000 2M {\n"
    "    linux rw at 0x60000000 doorbell 48;\n"
    "    rtos ro;\n"
    "}\n";

/* The same system in both syntaxes gives the same model. */
static void test_dsl_same_model_as_yaml(void **state)
{
    struct fx *f = *state;
    int rc = parse(f, dsl_full);
    if (rc)
        fx_print(f);
    assert_int_equal(rc, 0);
    char *a = dump(&f->s);

    struct diag_sink d;
    struct system s;
    diag_init(&d);
    system_init(&s);
    assert_int_equal(front_yaml(&s, "t.yaml", yaml_full, strlen(yaml_full), &d), 0);
    char *b = dump(&s);
    assert_string_equal(a, b);
    free(a);
    free(b);
    system_free(&s);
    diag_free(&d);
}

static void test_dsl_values_and_positions(void **state)
{
    struct fx *f = *state;
    assert_int_equal(parse(f, dsl_full), 0);
    const struct system *s = &f->s;
    assert_int_equal(s->version, 1);
    assert_int_equal(s->guests.n, 2);
    const struct sys_guest *g = &s->guests.v[0];
    assert_int_equal(g->pos.line, 12);
    assert_int_equal(g->pos.col, 1);
    assert_int_equal(g->name_pos.line, 12);
    assert_int_equal(g->name_pos.col, 7);
    assert_int_equal(g->memory.v[0].base, 0x48000000);
    assert_int_equal(g->memory.v[0].base_pos.line, 15);
    assert_int_equal(g->memory.v[0].base_pos.col, 12);
    assert_int_equal(g->memory.v[1].ipa, 0x80000000);
    assert_true(g->memory.v[1].has_ipa);
    assert_int_equal(g->cpus.v[1].pos.col, 13);
    const struct sys_device *d = &g->devices.v[1];
    assert_string_equal(d->ref.text, "&sdhci1");
    assert_int_equal(d->ref.pos.line, 18);
    assert_int_equal(d->ref.pos.col, 12);
    assert_string_equal(d->unsafe_no_iommu, "trusted \"firmware\"");
    assert_string_equal(g->bootargs, "console=ttyAMA0\tx");
    assert_int_equal(s->guests.v[1].vmid, 2);
    assert_int_equal(s->shared.v[0].peers.v[1].ipa, 0x50000000);
    assert_int_equal(s->inputs.n, 1);
}

static uint64_t const_value(struct fx *f, const char *expr)
{
    char text[256];
    fx_reset(f);
    snprintf(text, sizeof(text), "/dtpass-v1/;\nconst A = 3;\nconst B = 0x10;\n"
                                 "hypervisor { memory %s 1; }\n", expr);
    if (parse(f, text) != 0) {
        fx_print(f);
        fail_msg("expression '%s' was rejected", expr);
    }
    return f->s.hyp_memory.v[0].base;
}

static void test_dsl_expressions(void **state)
{
    struct fx *f = *state;
    assert_int_equal(const_value(f, "1 + 2 * 3"), 7);
    assert_int_equal(const_value(f, "(1 + 2) * 3"), 9);
    assert_int_equal(const_value(f, "1 << 4 + 1"), 32);     /* + binds tighter than << */
    assert_int_equal(const_value(f, "1 | 2 << 1"), 5);      /* << binds tighter than | */
    assert_int_equal(const_value(f, "A * B - 8"), 40);
    assert_int_equal(const_value(f, "10 - 4 - 3"), 3);      /* left associative */
    assert_int_equal(const_value(f, "2G + 512M"), 0xa0000000);
    assert_int_equal(const_value(f, "0b1010 | 0x1_0"), 26);
    assert_int_equal(const_value(f, "1 << 63"), 1ull << 63);
    assert_int_equal(const_value(f, "0xffffffffffffffff"), UINT64_MAX);

    /* '-' belongs to identifiers (pinctrl-0): A-B is one (unknown) name */
    fx_reset(f);
    assert_int_equal(parse(f, "/dtpass-v1/;\nconst A = 3;\nconst B = 1;\nconst C = A-B;\n"), -1);
    assert_non_null(fx_find(f, "syntax", 4, 11));
}

#define V "/dtpass-v1/;\n"
static const struct bad bad_cases[] = {
    /* scanner */
    {V "@;\n", "syntax", 2, 1},
    {V "board \"x;\n", "syntax", 2, 7},
    {V "board \"a\\qb\";\n", "syntax", 2, 7},
    {V "board \"a\\x00\";\n", "syntax", 2, 7},
    {V "/* never closed\n", "syntax", 2, 1},
    {V "hypervisor { memory 1Q 1M; }\n", "syntax", 2, 21},
    {V "hypervisor { memory 0x1_0000_0000_0000_0000 1M; }\n", "syntax", 2, 21},
    {V "hypervisor { memory 0b2 1M; }\n", "syntax", 2, 21},
    /* parser */
    {"board \"x\";\n", "syntax", 1, 1},                               /* no version tag */
    {V "/dtpass-v1/;\n", "syntax", 2, 1},
    {V "board \"x\"\nguest a { }\n", "syntax", 3, 1},                 /* missing ; */
    {V "guest a { vmid 1 }\n", "syntax", 2, 18},
    {V "guest a { cpus 1 2; }\n", "syntax", 2, 18},
    {V "guest a { bootarg \"x\"; }\n", "syntax", 2, 11},
    {V "guest a { memory 1M; }\n", "syntax", 2, 20},
    {V "guest a { device; }\n", "syntax", 2, 17},
    {V "guest a { device /x; }\n", "syntax", 2, 18},
    {V "guest a { device \"/x\" { irq 1 => 2; } }\n", "syntax", 2, 31},
    {V "guest a { device \"/x\" { dma maybe; } }\n", "syntax", 2, 29},
    {V "shared s 0 1M { a rx; }\n", "syntax", 2, 19},
    {V "platform { smmu \"/s\" { sid-bits; } }\n", "syntax", 2, 32},
    {V "hypervisor { memory (1 + 2 1M; }\n", "syntax", 2, 28},
    {V "const X = 1\nconst Y = 2;\n", "syntax", 3, 1},
    {V "hypervisor { memory Y 1M; }\n", "syntax", 2, 21},              /* unknown constant */
    {V "include \"missing.dtpass\"\n", "syntax", 2, 25},     /* missing ; at EOF */
    /* values */
    {V "guest A { }\n", "schema", 2, 7},
    {V "guest \"a b\" { }\n", "schema", 2, 7},
    {V "guest a { } guest a { }\n", "schema", 2, 19},
    {V "guest a { vmid 0; }\n", "schema", 2, 16},
    {V "guest a { vmid 1; vmid 2; }\n", "schema", 2, 19},
    {V "guest a { cpus 65536; }\n", "schema", 2, 16},
    {V "guest a { bootargs \"x\"; bootargs \"y\"; }\n", "schema", 2, 25},
    {V "guest a { stdout \"serial 0\"; }\n", "schema", 2, 18},
    {V "guest a { kernel \"\" at 0; }\n", "schema", 2, 11},
    {V "guest a { device \"/x/\"; }\n", "schema", 2, 18},
    {V "guest a { device \"/x\" { ipa 1; ipa 2; } }\n", "schema", 2, 32},
    {V "guest a { device \"/x\" { irq 1 -> 70000; } }\n", "schema", 2, 34},
    {V "guest a { device \"/x\" { irq 1 -> 2, 1 -> 3; } }\n", "schema", 2, 37},
    {V "guest a { device \"/x\" { stream-ids 1; } }\n", "schema", 2, 36},
    {V "guest a { device \"/x\" { drop \"a b\"; } }\n", "schema", 2, 30},
    {V "guest a { device \"/x\" { unsafe-no-iommu \"\"; } }\n", "schema", 2, 41},
    {V "guest a { device \"/x\" { smmu \"&\"; } }\n", "schema", 2, 30},
    {V "platform { ipa-bits 50; }\n", "schema", 2, 21},
    {V "platform { ipa-bits 40; ipa-bits 40; }\n", "schema", 2, 25},
    {V "platform { pa-bits 31; }\n", "schema", 2, 20},
    {V "platform { smmu \"/s\" { smrs 129; } }\n", "schema", 2, 29},
    {V "shared S 0 1M { }\n", "schema", 2, 8},
    {V "shared s 0 1M { a rw ro; }\n", "schema", 2, 22},
    {V "shared s 0 1M { a doorbell 70000; }\n", "schema", 2, 28},
    {V "shared s 0 1M { } shared s 0 1M { }\n", "schema", 2, 19},
    {V "board \"a\"; board \"b\";\n", "schema", 2, 18},
    {V "const X = 1; const X = 2;\n", "schema", 2, 20},
    {V "const X = 0xffffffffffffffff + 1;\n", "schema", 2, 30},
    {V "const X = 1 << 64;\n", "schema", 2, 13},
    {V "const X = 0x8000000000000000 << 1;\n", "schema", 2, 30},
    {V "const X = 4G * 4G;\n", "schema", 2, 14},
    {V "const X = 1 - 2;\n", "schema", 2, 13},
};

static void test_dsl_invalid(void **state)
{
    assert_int_equal(fx_run_bad(*state, bad_cases, ARRAY_SIZE(bad_cases), parse), 0);
}

/* Error recovery: one run reports the errors of several statements, and
 * what is well-formed around them still reaches the model. */
static void test_dsl_several_errors(void **state)
{
    struct fx *f = *state;
    const char *text = V
        "guest a {\n"
        "    vmid ;\n"                     /* 3:10 */
        "    cpus 1;\n"
        "    bogus 1;\n"                   /* 5:5 */
        "    memory 0 1M;\n"
        "}\n"
        "guest b { memory 1 2 3; }\n"      /* 8:22 */
        "shared s 0 1M { a rw; }\n";
    assert_int_equal(parse(f, text), -1);
    assert_non_null(fx_find(f, "syntax", 3, 10));
    assert_non_null(fx_find(f, "syntax", 5, 5));
    assert_non_null(fx_find(f, "syntax", 8, 22));
    assert_int_equal(f->d.nerrors, 3);
    assert_int_equal(f->s.guests.n, 2);
    assert_int_equal(f->s.guests.v[0].cpus.n, 1);
    assert_int_equal(f->s.guests.v[0].memory.n, 1);
    assert_int_equal(f->s.shared.n, 1);
}

static void test_dsl_keyword_hint(void **state)
{
    struct fx *f = *state;
    parse(f, V "guest a { bootarg \"x\"; }\n");
    const struct diag *d = fx_find(f, "syntax", 2, 11);
    assert_non_null(d);
    assert_non_null(strstr(d->msg, "'bootarg'"));
    assert_non_null(strstr(d->msg, "did you mean 'bootargs'"));
}

static void test_dsl_include(void **state)
{
    struct fx *f = *state;
    char *sub = fx_write(f, "sub.dtpass", "");
    free(sub);
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "mkdir -p %s/inc", f->dir);
    assert_int_equal(system(cmd), 0);
    free(fx_write(f, "inc/map.dtpass", "// no version tag needed here\nconst RAM = 1G;\n"
                                       "include \"more.dtpass\";\n"));
    free(fx_write(f, "inc/more.dtpass", "const RTOS = RAM + 256M;\nguest rtos { cpus 1; }\n"));
    int rc = parse(f, V "include \"inc/map.dtpass\";\nhypervisor { memory RTOS 1M; }\n");
    if (rc)
        fx_print(f);
    assert_int_equal(rc, 0);
    assert_int_equal(f->s.hyp_memory.v[0].base, (1ull << 30) + (256ull << 20));
    assert_int_equal(f->s.guests.n, 1);
    assert_int_equal(f->s.inputs.n, 3);
    assert_non_null(strstr(f->s.inputs.v[2], "inc/more.dtpass"));
    /* positions inside an include name the included file */
    assert_non_null(strstr(f->s.guests.v[0].pos.file, "more.dtpass"));
    assert_int_equal(f->s.guests.v[0].pos.line, 2);
}

static void test_dsl_include_cycle(void **state)
{
    struct fx *f = *state;
    free(fx_write(f, "a.dtpass", "include \"b.dtpass\";\n"));
    free(fx_write(f, "b.dtpass", "const X = 1;\n  include \"a.dtpass\";\n"));
    assert_int_equal(parse_named(f, "top.dtpass", V "include \"a.dtpass\";\n"), -1);
    int found = 0;
    for (size_t i = 0; i < f->d.diags.n; i++) {
        const struct diag *d = f->d.diags.v[i];
        if (!strcmp(d->check, "syntax") && d->pos.line == 2 && d->pos.col == 11 &&
            strstr(d->pos.file, "b.dtpass") && strstr(d->msg, "cycle"))
            found++;
    }
    assert_int_equal(found, 1);
    assert_int_equal(f->d.nerrors, 1);
}

static void test_dsl_include_self(void **state)
{
    struct fx *f = *state;
    assert_int_equal(parse_named(f, "self.dtpass", V "include \"self.dtpass\";\n"), -1);
    assert_non_null(fx_find(f, "syntax", 2, 9));
}

/* A chain deeper than the limit is stopped with one error. */
static void test_dsl_include_depth(void **state)
{
    struct fx *f = *state;
    char name[32], text[64];
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof(name), "d%d.dtpass", i);
        snprintf(text, sizeof(text), "include \"d%d.dtpass\";\n", i + 1);
        free(fx_write(f, name, text));
    }
    free(fx_write(f, "d40.dtpass", "\n"));
    assert_int_equal(parse_named(f, "top.dtpass", V "include \"d0.dtpass\";\n"), -1);
    assert_int_equal(f->d.nerrors, 1);
    assert_string_equal(f->d.diags.v[0]->check, "syntax");
    assert_non_null(strstr(f->d.diags.v[0]->msg, "deeper"));
}

static void test_dsl_include_missing(void **state)
{
    struct fx *f = *state;
    assert_int_equal(parse(f, V "include \"nope.dtpass\";\n"), -1);
    assert_int_equal(f->d.nfatal, 1);
    assert_int_equal(f->d.diags.v[0]->pos.line, 2);
    assert_int_equal(f->d.diags.v[0]->pos.col, 9);
}

/* Runaway nesting of parentheses hits the parser's stack limit cleanly. */
static void test_dsl_deep_parens(void **state)
{
    struct fx *f = *state;
    size_t n = 20000;
    char *text = malloc(n * 2 + 64);
    size_t k = (size_t)sprintf(text, V "const X = ");
    for (size_t i = 0; i < n; i++)
        text[k++] = '(';
    text[k++] = '1';
    for (size_t i = 0; i < n; i++)
        text[k++] = ')';
    strcpy(text + k, ";\n");
    assert_int_equal(parse(f, text), -1);
    assert_true(f->d.nerrors >= 1);
    free(text);
}

/* Many garbage tokens: the report is capped, the run stays linear. */
static void test_dsl_error_cap(void **state)
{
    struct fx *f = *state;
    size_t n = 100000;
    char *text = malloc(n + 32);
    strcpy(text, V);
    memset(text + strlen(V), '@', n);
    text[strlen(V) + n] = '\0';
    assert_int_equal(parse(f, text), -1);
    assert_true(f->d.nerrors <= 52);
    free(text);
}

/* Columns count characters, not bytes, in both front ends (libyaml does). */
static void test_dsl_utf8_columns(void **state)
{
    struct fx *f = *state;
    assert_int_equal(parse(f, V "guest a { bootargs \"\xc3\xa9\"; vmid 0; }\n"), -1);
    assert_non_null(fx_find(f, "schema", 2, 30));
    fx_reset(f);
    const char *y = "dtpass: 1\nguests:\n  - { name: a, bootargs: \"\xc3\xa9\", vmid: 0 }\n";
    assert_int_equal(front_yaml(&f->s, "u.yaml", y, strlen(y), &f->d), -1);
    assert_non_null(fx_find(f, "schema", 3, 37));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dsl_same_model_as_yaml, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_dsl_values_and_positions, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_dsl_expressions, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_dsl_invalid, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_dsl_several_errors, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_dsl_keyword_hint, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_dsl_include, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_dsl_include_cycle, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_dsl_include_self, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_dsl_include_depth, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_dsl_include_missing, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_dsl_deep_parens, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_dsl_error_cap, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_dsl_utf8_columns, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests_name("dsl", tests, NULL, NULL);
}
