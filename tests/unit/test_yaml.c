/* Unit tests for front/yaml.c: every key handler with a valid snippet (the
 * model gets the value) and an invalid one (the finding's check id and
 * line:col), plus the hostile-input limits (anchors, aliases, depth). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "front_test.h"

static int parse(struct fx *f, const char *text)
{
    return front_yaml(&f->s, "t.yaml", text, strlen(text), &f->d);
}

static const char full[] =
    "dtpass: 1\n"
    "board: boards/b.dtb\n"
    "platform:\n"
    "  ipa-bits: 36\n"
    "  pa-bits: 44\n"
    "  smmus:\n"
    "    - { node: /smmu@fd800000, sid-bits: 15, smrs: 48, context-banks: 16 }\n"
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
    "        irqs: { 81: 96, 0x52: 0b1100001 }\n"
    "        dma: false\n"
    "        stream-ids: [ 0x871, 2 ]\n"
    "        smmu: /smmu@fd800000\n"
    "        drop: [ pinctrl-0, pinctrl-names ]\n"
    "        unsafe-no-iommu: \"trusted firmware\"\n"
    "    bootargs: \"console=ttyAMA0\"\n"
    "    stdout: serial1\n"
    "    boot:\n"
    "      kernel: { file: Image, load: 0x50000000 }\n"
    "      ramdisk: { file: initrd, load: 0x57000000 }\n"
    "  - name: rtos\n"
    "shared:\n"
    "  - name: ivc0\n"
    "    base: 0x50000000\n"
    "    size: 2M\n"
    "    peers:\n"
    "      - { guest: linux, ipa: 0x60000000, access: rw, doorbell: 48 }\n"
    "      - { guest: rtos, access: ro }\n";

static void test_yaml_full(void **state)
{
    struct fx *f = *state;
    int rc = parse(f, full);
    if (rc)
        fx_print(f);
    assert_int_equal(rc, 0);
    struct system *s = &f->s;
    assert_int_equal(s->version, 1);
    assert_int_equal(s->version_pos.line, 1);
    assert_int_equal(s->version_pos.col, 9);
    assert_string_equal(s->board, "boards/b.dtb");
    assert_int_equal(s->ipa_bits, 36);
    assert_int_equal(s->pa_bits, 44);
    assert_int_equal(s->smmus.n, 1);
    assert_string_equal(s->smmus.v[0].node.text, "/smmu@fd800000");
    assert_int_equal(s->smmus.v[0].sid_bits, 15);
    assert_int_equal(s->smmus.v[0].smrs, 48);
    assert_int_equal(s->smmus.v[0].context_banks, 16);
    assert_true(s->smmus.v[0].has_context_banks);
    assert_int_equal(s->hyp_memory.n, 1);
    assert_int_equal(s->hyp_memory.v[0].base, 0x40000000);
    assert_int_equal(s->hyp_memory.v[0].size, 64u << 20);
    assert_string_equal(s->hyp_devices.v[0].text, "serial0");
    assert_int_equal(s->guests.n, 2);

    struct sys_guest *g = &s->guests.v[0];
    assert_string_equal(g->name, "linux");
    assert_int_equal(g->name_pos.line, 12);
    assert_int_equal(g->name_pos.col, 11);
    assert_int_equal(g->vmid, 5);
    assert_true(g->has_vmid);
    assert_int_equal(g->cpus.n, 2);
    assert_int_equal(g->cpus.v[1].index, 2);
    assert_int_equal(g->cpus.v[1].pos.col, 16);
    assert_int_equal(g->memory.n, 2);
    assert_int_equal(g->memory.v[0].ipa, 0x48000000); /* default: identity */
    assert_false(g->memory.v[0].has_ipa);
    assert_int_equal(g->memory.v[1].base, 0x880000000ull);
    assert_int_equal(g->memory.v[1].size, 1ull << 30);
    assert_int_equal(g->memory.v[1].ipa, 0x80000000);
    assert_true(g->memory.v[1].has_ipa);
    assert_int_equal(g->devices.n, 2);
    assert_string_equal(g->devices.v[0].ref.text, "/soc/ethernet@ff0e0000");
    assert_int_equal(g->devices.v[0].ref.pos.line, 19);
    assert_int_equal(g->devices.v[0].ref.pos.col, 9);
    assert_int_equal(g->devices.v[0].dma, -1);
    struct sys_device *d = &g->devices.v[1];
    assert_string_equal(d->ref.text, "&sdhci1");
    assert_int_equal(d->ipa, 0xff170000);
    assert_true(d->has_ipa);
    assert_int_equal(d->irqs.n, 2);
    assert_int_equal(d->irqs.v[0].phys, 81);
    assert_int_equal(d->irqs.v[0].virt, 96);
    assert_int_equal(d->irqs.v[1].phys, 0x52);
    assert_int_equal(d->irqs.v[1].virt, 97);
    assert_int_equal(d->dma, 0);
    assert_int_equal(d->stream_ids.n, 2);
    assert_int_equal(d->stream_ids.v[0], 0x871);
    assert_string_equal(d->smmu.text, "/smmu@fd800000");
    assert_int_equal(d->drop.n, 2);
    assert_string_equal(d->drop.v[1], "pinctrl-names");
    assert_string_equal(d->unsafe_no_iommu, "trusted firmware");
    assert_string_equal(g->bootargs, "console=ttyAMA0");
    assert_string_equal(g->stdout_ref.text, "serial1");
    assert_string_equal(g->kernel.file, "Image");
    assert_int_equal(g->kernel.load, 0x50000000);
    assert_string_equal(g->ramdisk.file, "initrd");
    assert_int_equal(g->ramdisk.load, 0x57000000);

    assert_int_equal(s->guests.v[1].vmid, 2); /* default: position + 1 */
    assert_false(s->guests.v[1].has_vmid);

    assert_int_equal(s->shared.n, 1);
    struct sys_shared *sh = &s->shared.v[0];
    assert_string_equal(sh->name, "ivc0");
    assert_int_equal(sh->base, 0x50000000);
    assert_int_equal(sh->size, 2u << 20);
    assert_int_equal(sh->peers.n, 2);
    assert_string_equal(sh->peers.v[0].guest, "linux");
    assert_int_equal(sh->peers.v[0].ipa, 0x60000000);
    assert_int_equal(sh->peers.v[0].access, SHM_RW);
    assert_int_equal(sh->peers.v[0].doorbell, 48);
    assert_true(sh->peers.v[0].has_doorbell);
    assert_int_equal(sh->peers.v[1].access, SHM_RO);
    assert_int_equal(sh->peers.v[1].ipa, 0x50000000); /* default: region base */
    assert_false(sh->peers.v[1].has_doorbell);
    assert_int_equal(sh->peers.v[1].guest_index, -1);
}

static void test_yaml_defaults(void **state)
{
    struct fx *f = *state;
    assert_int_equal(parse(f, "dtpass: 1\nguests: []\n"), 0);
    assert_int_equal(f->s.ipa_bits, 40);
    assert_int_equal(f->s.pa_bits, 40);
    assert_null(f->s.board);
    assert_int_equal(f->s.guests.n, 0);
}

/* One invalid snippet per handler: check id and position. */
#define G "dtpass: 1\nguests:\n  - name: g\n"
static const struct bad bad_cases[] = {
    /* structure */
    {"", "schema", 1, 1},
    {"- 1\n", "schema", 1, 1},
    {"guests: []\n", "schema", 1, 1},                         /* missing dtpass */
    {"dtpass: 1\n", "schema", 1, 1},                          /* missing guests */
    {"dtpass: 2\nguests: []\n", "schema", 1, 9},
    {"dtpass: one\nguests: []\n", "schema", 1, 9},
    {"dtpass: 1\nguests: []\nguestz: []\n", "schema", 3, 1},  /* unknown key */
    {"dtpass: 1\nguests: []\nguests: []\n", "schema", 3, 1},  /* duplicate key */
    {"dtpass: 1\nguests: {}\n", "schema", 2, 9},              /* wrong kind */
    {"dtpass: 1\n[a]: 1\nguests: []\n", "schema", 2, 1},      /* non-scalar key */
    {"dtpass: 1\nboard: ''\nguests: []\n", "schema", 2, 8},
    {"dtpass: 1\nboard: [x]\nguests: []\n", "schema", 2, 8},
    /* platform */
    {"dtpass: 1\nplatform: { ipa-bits: 31 }\nguests: []\n", "schema", 2, 23},
    {"dtpass: 1\nplatform: { ipa-bits: 49 }\nguests: []\n", "schema", 2, 23},
    {"dtpass: 1\nplatform: { pa-bits: 53 }\nguests: []\n", "schema", 2, 22},
    {"dtpass: 1\nplatform: { pa-bit: 40 }\nguests: []\n", "schema", 2, 13},
    {"dtpass: 1\nplatform: { smmus: [ { sid-bits: 16 } ] }\nguests: []\n", "schema", 2, 22},
    {"dtpass: 1\nplatform: { smmus: [ { node: /s, sid-bits: 33 } ] }\nguests: []\n", "schema", 2,
     44},
    {"dtpass: 1\nplatform: { smmus: [ { node: /s, smrs: 0 } ] }\nguests: []\n", "schema", 2, 40},
    {"dtpass: 1\nplatform: { smmus: [ { node: /s, context-banks: 129 } ] }\nguests: []\n",
     "schema", 2, 49},
    {"dtpass: 1\nplatform: { smmus: [ { node: 'a b' } ] }\nguests: []\n", "schema", 2, 30},
    /* hypervisor */
    {"dtpass: 1\nhypervisor: { memory: [ { base: 0 } ] }\nguests: []\n", "schema", 2, 25},
    {"dtpass: 1\nhypervisor: { memory: [ { base: 0, size: 1M, ipa: 0 } ] }\nguests: []\n",
     "schema", 2, 46},
    {"dtpass: 1\nhypervisor: { devices: [ '&' ] }\nguests: []\n", "schema", 2, 26},
    {"dtpass: 1\nhypervisor: { devices: [ [ a ] ] }\nguests: []\n", "schema", 2, 26},
    /* guests */
    {"dtpass: 1\nguests:\n  - vmid: 1\n", "schema", 3, 5},
    {"dtpass: 1\nguests:\n  - name: Linux\n", "schema", 3, 11},
    {"dtpass: 1\nguests:\n  - name: abcdefghijabcdefghijabcdefghijabc\n", "schema", 3, 11},
    {"dtpass: 1\nguests:\n  - name: a\n  - name: a\n", "schema", 4, 11},
    {G "    vmid: 0\n", "schema", 4, 11},
    {G "    vmid: 65536\n", "schema", 4, 11},
    {G "    vmid: 1K\n", "schema", 4, 11},
    {G "    cpus: [ 0, x ]\n", "schema", 4, 16},
    {G "    cpus: 1\n", "schema", 4, 11},
    {G "    memory: [ { base: 0x1_0000_0000_0000_0000, size: 1M } ]\n", "schema", 4, 23},
    {G "    memory: [ { base: 0, size: 1Q } ]\n", "schema", 4, 32},
    {G "    memory: [ { base: 0, size: 16777216T } ]\n", "schema", 4, 32},
    {G "    memory: [ { base: 0, size: 1M, ipa: -1 } ]\n", "schema", 4, 41},
    {G "    memory: [ { base: 0, size: 1M, at: 0 } ]\n", "schema", 4, 36},
    {G "    bootargs: [ a ]\n", "schema", 4, 15},
    {G "    stdout: 'serial 0'\n", "schema", 4, 13},
    {G "    boot: { kernel: { file: Image } }\n", "schema", 4, 21},
    {G "    boot: { kernel: { file: '', load: 0 } }\n", "schema", 4, 29},
    {G "    boot: { firmware: { file: x, load: 0 } }\n", "schema", 4, 13},
    {G "    boot: { kernel: { file: x, load: 1Z } }\n", "schema", 4, 38},
    {G "    stdoot: serial0\n", "schema", 4, 5},
    /* devices */
    {G "    devices: [ [ a ] ]\n", "schema", 4, 16},
    {G "    devices: [ { ipa: 0 } ]\n", "schema", 4, 16},
    {G "    devices: [ { node: /a, ipa: 0x } ]\n", "schema", 4, 33},
    {G "    devices: [ { node: /a, irqs: { x: 1 } } ]\n", "schema", 4, 36},
    {G "    devices: [ { node: /a, irqs: { 1: 70000 } } ]\n", "schema", 4, 39},
    {G "    devices: [ { node: /a, irqs: { 1: 2, 0x1: 3 } } ]\n", "schema", 4, 42},
    {G "    devices: [ { node: /a, dma: yes } ]\n", "schema", 4, 33},
    {G "    devices: [ { node: /a, stream-ids: [ 0x1_0000_0000 ] } ]\n", "schema", 4, 42},
    {G "    devices: [ { node: /a, stream-ids: [ 1 ] } ]\n", "schema", 4, 40},  /* no smmu */
    {G "    devices: [ { node: /a, smmu: '&1x' } ]\n", "schema", 4, 34},
    {G "    devices: [ { node: /a, drop: [ 'a b' ] } ]\n", "schema", 4, 36},
    {G "    devices: [ { node: /a, unsafe-no-iommu: '' } ]\n", "schema", 4, 45},
    {G "    devices: [ { node: /a, nod: /b } ]\n", "schema", 4, 28},
    /* shared */
    {"dtpass: 1\nguests: []\nshared: [ { name: s, base: 0, size: 1M } ]\n", "schema", 3, 11},
    {"dtpass: 1\nguests: []\nshared: [ { name: S, base: 0, size: 1M, peers: [] } ]\n", "schema",
     3, 19},
    {"dtpass: 1\nguests: []\nshared:\n  - { name: s, base: 0, size: 1M, peers: [] }\n"
     "  - { name: s, base: 0, size: 1M, peers: [] }\n", "schema", 5, 5},
    {"dtpass: 1\nguests: []\nshared: [ { name: s, base: x, size: 1M, peers: [] } ]\n", "schema",
     3, 28},
    {"dtpass: 1\nguests: []\nshared: [ { name: s, base: 0, size: 1M, peers: [ { access: rw } ] } "
     "]\n", "schema", 3, 50},
    {"dtpass: 1\nguests: []\nshared: [ { name: s, base: 0, size: 1M, peers: [ { guest: a, access: "
     "wx } ] } ]\n", "schema", 3, 70},
    {"dtpass: 1\nguests: []\nshared: [ { name: s, base: 0, size: 1M, peers: [ { guest: a, "
     "doorbell: 1M } ] } ]\n", "schema", 3, 72},
    {"dtpass: 1\nguests: []\nshared: [ { name: s, base: 0, size: 1M, peers: [ { guest: A } ] } ]\n",
     "schema", 3, 59},
    /* YAML syntax and limits */
    {"dtpass: 1\nguests: [\n", "syntax", 3, 1},
    {"dtpass: 1\nguests: []\n  bad: indent\n", "syntax", 3, 3},
    {"dtpass: &v 1\nguests: []\n", "syntax", 1, 9},
    {"dtpass: 1\nguests: []\nboard: *x\n", "syntax", 3, 8},
    {"dtpass: 1\nguests: []\n---\ndtpass: 1\n", "syntax", 3, 1},
};

static void test_yaml_invalid(void **state)
{
    assert_int_equal(fx_run_bad(*state, bad_cases, ARRAY_SIZE(bad_cases), parse), 0);
}

/* Every error is reported, not just the first. */
static void test_yaml_reports_all(void **state)
{
    struct fx *f = *state;
    assert_int_equal(parse(f, "dtpass: 1\nbord: x\nguests:\n  - name: A\n    vmid: 0\n"), -1);
    assert_non_null(fx_find(f, "schema", 2, 1));
    assert_non_null(fx_find(f, "schema", 4, 11));
    assert_non_null(fx_find(f, "schema", 5, 11));
    assert_int_equal(f->d.nerrors, 3);
}

static void test_yaml_did_you_mean(void **state)
{
    struct fx *f = *state;
    parse(f, "dtpass: 1\nguests:\n  - name: a\n    bootarg: x\n");
    const struct diag *d = fx_find(f, "schema", 4, 5);
    assert_non_null(d);
    assert_non_null(strstr(d->msg, "did you mean 'bootargs'"));
}

static void test_yaml_depth_limit(void **state)
{
    struct fx *f = *state;
    char text[400];
    size_t n = (size_t)sprintf(text, "dtpass: 1\nguests: ");
    for (int i = 0; i < 100; i++)
        text[n++] = '[';
    for (int i = 0; i < 100; i++)
        text[n++] = ']';
    text[n++] = '\n';
    text[n] = '\0';
    assert_int_equal(parse(f, text), -1);
    assert_int_equal(f->d.nerrors, 1);
    assert_string_equal(f->d.diags.v[0]->check, "syntax");
    assert_non_null(strstr(f->d.diags.v[0]->msg, "nesting"));
}

/* Billion laughs: rejected at the first anchor, nothing expanded. */
static void test_yaml_billion_laughs(void **state)
{
    struct fx *f = *state;
    const char *text = "dtpass: 1\n"
                       "a: &a [x, x, x, x, x, x, x, x, x]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "guests: [*c]\n";
    assert_int_equal(parse(f, text), -1);
    assert_non_null(fx_find(f, "syntax", 2, 4));
}

static void test_yaml_quoted_numbers(void **state)
{
    struct fx *f = *state;
    assert_int_equal(parse(f, G "    memory: [ { base: '0x1000', size: \"4K\" } ]\n"), 0);
    assert_int_equal(f->s.guests.v[0].memory.v[0].base, 0x1000);
    assert_int_equal(f->s.guests.v[0].memory.v[0].size, 4096);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_yaml_full, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_yaml_defaults, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_yaml_invalid, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_yaml_reports_all, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_yaml_did_you_mean, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_yaml_depth_limit, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_yaml_billion_laughs, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_yaml_quoted_numbers, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests_name("yaml", tests, NULL, NULL);
}
