/* Unit tests for resolve/: binding a parsed system to the real boards the
 * examples ship (QEMU virt, Xilinx ZCU102) and checking the resolved
 * resources — identity and relocated regs, remapped interrupts, stream IDs
 * from the board and from `stream-ids:`, the DMA decision — and the
 * findings for what cannot be bound. Run from the top of the tree (tests/run
 * does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dtpass.h"
#include "front/front.h"
#include "resolve/resolve.h"

#define VIRT "examples/qemu-virt/board/virt.dts"
#define ZCU "examples/zcu102/board/zynqmp-zcu102-rev1.0.dts"

struct rfx {
    struct dtpass_ctx ctx;
    int rc;
};

/* Parses the YAML text, loads the board and resolves. */
static struct rfx *run(const char *board, const char *yaml)
{
    struct rfx *f = calloc(1, sizeof(*f));
    diag_init(&f->ctx.diag);
    system_init(&f->ctx.sys);
    if (front_yaml(&f->ctx.sys, "r.yaml", yaml, strlen(yaml), &f->ctx.diag)) {
        fail_msg("the test system does not parse");
    }
    struct board_options bo = {0};
    if (board_load(&f->ctx.board, board, &bo, &f->ctx.diag)) {
        diag_render_text(&f->ctx.diag, stderr, false);
        fail_msg("cannot load %s (run from the top of the tree)", board);
    }
    f->ctx.board_loaded = true;
    f->rc = resolve(&f->ctx);
    return f;
}

static void done(struct rfx *f)
{
    board_free(&f->ctx.board);
    system_free(&f->ctx.sys);
    diag_free(&f->ctx.diag);
    free(f);
}

static const struct diag *find(const struct rfx *f, const char *check, uint32_t line, uint32_t col)
{
    for (size_t i = 0; i < f->ctx.diag.diags.n; i++) {
        const struct diag *d = f->ctx.diag.diags.v[i];
        if (d->check && !strcmp(d->check, check) && d->pos.line == line && d->pos.col == col)
            return d;
    }
    diag_render_text(&f->ctx.diag, stderr, false);
    return NULL;
}

static void test_resolve_identity(void **state)
{
    (void)state;
    struct rfx *f = run(VIRT, "dtpass: 1\n"
                              "guests:\n"
                              "  - name: linux\n"
                              "    cpus: [ 0, 3 ]\n"
                              "    devices: [ /pl011@9000000 ]\n"
                              "    stdout: /pl011@9000000\n");
    assert_int_equal(f->rc, 0);
    assert_int_equal(f->ctx.diag.nerrors, 0);
    struct sys_guest *g = &f->ctx.sys.guests.v[0];
    assert_int_equal(g->vmid, 1);
    struct sys_device *d = &g->devices.v[0];
    assert_non_null(d->ref.node);
    assert_string_equal(d->ref.node->path, "/pl011@9000000");
    assert_int_equal(d->regs.n, 1);
    assert_int_equal(d->regs.v[0].pa, 0x9000000);
    assert_int_equal(d->regs.v[0].size, 0x1000);
    assert_int_equal(d->regs.v[0].ipa, 0x9000000);
    assert_int_equal(d->rirqs.n, 1);
    assert_int_equal(d->rirqs.v[0].pintid, 33); /* SPI 1 */
    assert_int_equal(d->rirqs.v[0].vintid, 33);
    assert_int_equal(d->rirqs.v[0].flags, 4);
    assert_int_equal(d->rsids.n, 0);
    assert_false(d->is_dma);
    assert_ptr_equal(g->stdout_ref.node, d->ref.node);
    done(f);
}

/* ipa: moves the first reg region; the others keep their offset. */
static void test_resolve_ipa_moves_all_regs(void **state)
{
    (void)state;
    struct rfx *f = run(VIRT, "dtpass: 1\n"
                              "guests:\n"
                              "  - name: a\n"
                              "    devices:\n"
                              "      - { node: /flash@0, ipa: 0x10000000 }\n");
    assert_int_equal(f->rc, 0);
    struct sys_device *flash = &f->ctx.sys.guests.v[0].devices.v[0];
    assert_int_equal(flash->regs.n, 2);
    assert_int_equal(flash->regs.v[0].pa, 0x0);
    assert_int_equal(flash->regs.v[0].ipa, 0x10000000);
    assert_int_equal(flash->regs.v[1].pa, 0x4000000);
    assert_int_equal(flash->regs.v[1].ipa, 0x14000000);
    done(f);
}

static void test_resolve_ipa_wraps(void **state)
{
    (void)state;
    struct rfx *f = run(VIRT, "dtpass: 1\n"
                              "guests:\n"
                              "  - name: a\n"
                              "    devices:\n"
                              "      - { node: /flash@0, ipa: 0xfffffffffc000000 }\n");
    assert_non_null(find(f, "range-wrap", 5, 32));
    done(f);
}

static void test_resolve_irq_remap(void **state)
{
    (void)state;
    struct rfx *f = run(VIRT, "dtpass: 1\n"
                              "guests:\n"
                              "  - name: a\n"
                              "    devices:\n"
                              "      - { node: /pl031@9010000, irqs: { 2: 10 } }\n"
                              "      - { node: /pl011@9000000, irqs: { 5: 10 } }\n");
    assert_int_equal(f->rc, 0); /* an unmatched remap is a finding, not a failure */
    struct sys_device *rtc = &f->ctx.sys.guests.v[0].devices.v[0];
    assert_int_equal(rtc->rirqs.n, 1);
    assert_int_equal(rtc->rirqs.v[0].pintid, 34);
    assert_int_equal(rtc->rirqs.v[0].vintid, 42);
    /* the UART has no SPI 5: reported at the remap's key */
    assert_non_null(find(f, "ref-unknown", 6, 41));
    struct sys_device *uart = &f->ctx.sys.guests.v[0].devices.v[1];
    assert_int_equal(uart->rirqs.v[0].vintid, 33);
    done(f);
}

static void test_resolve_stream_ids_and_dma_override(void **state)
{
    (void)state;
    struct rfx *f = run(VIRT, "dtpass: 1\n"
                              "guests:\n"
                              "  - name: a\n"
                              "    devices:\n"
                              "      - node: /pl061@9030000\n"
                              "        stream-ids: [ 5, 0x6 ]\n"
                              "        smmu: /smmuv3@9050000\n"
                              "        dma: true\n"
                              "      - { node: /fw-cfg@9020000, dma: false }\n");
    assert_int_equal(f->rc, 0);
    struct sys_device *d = &f->ctx.sys.guests.v[0].devices.v[0];
    assert_int_equal(d->rsids.n, 2);
    assert_non_null(d->rsids.v[0].smmu);
    assert_string_equal(d->rsids.v[0].smmu->node->path, "/smmuv3@9050000");
    assert_int_equal(d->rsids.v[1].sid, 6);
    assert_int_equal(d->rsids.v[1].count, 1);
    assert_true(d->is_dma);
    /* fw-cfg is dma-coherent on the board: the system file overrides it */
    struct sys_device *fw = &f->ctx.sys.guests.v[0].devices.v[1];
    assert_true(fw->ref.node->dma_master);
    assert_false(fw->is_dma);
    done(f);
}

/* ZCU102: aliases, stream IDs from `iommus` on the MMU-500, DMA from the
 * board, and a line listed twice in `interrupts` routed once. */
static void test_resolve_zcu102_board_sids(void **state)
{
    (void)state;
    struct rfx *f = run(ZCU, "dtpass: 1\n"
                             "guests:\n"
                             "  - name: linux\n"
                             "    devices: [ ethernet0, mmc0, /axi/serial@ff010000 ]\n");
    assert_int_equal(f->rc, 0);
    struct sys_device *gem = &f->ctx.sys.guests.v[0].devices.v[0];
    assert_string_equal(gem->ref.node->path, "/axi/ethernet@ff0e0000");
    assert_int_equal(gem->rsids.n, 1);
    assert_int_equal(gem->rsids.v[0].sid, 0x877);
    assert_string_equal(gem->rsids.v[0].smmu->node->path, "/axi/iommu@fd800000");
    assert_true(gem->is_dma);
    assert_int_equal(gem->rirqs.n, 1); /* <0 63 4 0 63 4> */
    assert_int_equal(gem->rirqs.v[0].pintid, 95);
    struct sys_device *mmc = &f->ctx.sys.guests.v[0].devices.v[1];
    assert_int_equal(mmc->rsids.v[0].sid, 0x871);
    struct sys_device *uart = &f->ctx.sys.guests.v[0].devices.v[2];
    assert_false(uart->is_dma);
    assert_int_equal(uart->rsids.n, 0);
    done(f);
}

/* Assigning a glue node assigns its core: the ZynqMP USB wrapper's DWC3
 * child brings its registers, interrupts, stream ID and DMA mastering. */
static void test_resolve_subtree_resources(void **state)
{
    (void)state;
    struct rfx *f = run(ZCU, "dtpass: 1\n"
                             "guests:\n"
                             "  - name: linux\n"
                             "    devices: [ /axi/usb@ff9d0000 ]\n");
    assert_int_equal(f->rc, 0);
    struct sys_device *usb = &f->ctx.sys.guests.v[0].devices.v[0];
    assert_int_equal(usb->regs.n, 2);
    assert_int_equal(usb->regs.v[0].pa, 0xff9d0000);
    assert_int_equal(usb->regs.v[1].pa, 0xfe200000);
    assert_int_equal(usb->regs.v[1].size, 0x40000);
    assert_int_equal(usb->rirqs.n, 2);
    assert_int_equal(usb->rsids.n, 1);
    assert_int_equal(usb->rsids.v[0].sid, 0x860);
    assert_true(usb->is_dma);
    done(f);
}

static void test_resolve_unknown_refs(void **state)
{
    (void)state;
    struct rfx *f = run(VIRT, "dtpass: 1\n"
                              "platform:\n"
                              "  smmus: [ { node: /pl011@9000000 } ]\n"
                              "hypervisor:\n"
                              "  devices: [ \"&uart0\" ]\n"
                              "guests:\n"
                              "  - name: linux\n"
                              "    cpus: [ 1, 4 ]\n"
                              "    devices: [ /pl011@9001000 ]\n"
                              "    stdout: serial0\n"
                              "shared:\n"
                              "  - name: s\n"
                              "    base: 0x70000000\n"
                              "    size: 1M\n"
                              "    peers: [ { guest: linus } ]\n");
    assert_int_equal(f->rc, -1);
    assert_non_null(find(f, "ref-unknown", 3, 20));  /* not an SMMU */
    assert_non_null(find(f, "ref-unknown", 5, 14));  /* no labels on this board */
    assert_non_null(find(f, "ref-unknown", 8, 16));  /* CPU 4 of 0..3 */
    const struct diag *d = find(f, "ref-unknown", 9, 16);
    assert_non_null(d);
    assert_non_null(d->fix);
    assert_non_null(strstr(d->fix, "/pl011@9000000"));
    assert_non_null(find(f, "ref-unknown", 10, 13)); /* no /aliases */
    d = find(f, "shm-peer", 15, 14);
    assert_non_null(d);
    assert_non_null(strstr(d->fix, "linux"));
    assert_int_equal(f->ctx.diag.nerrors, 6);
    done(f);
}

static void test_resolve_peers_and_vmids(void **state)
{
    (void)state;
    struct rfx *f = run(VIRT, "dtpass: 1\n"
                              "guests:\n"
                              "  - { name: a, vmid: 9 }\n"
                              "  - { name: b }\n"
                              "shared:\n"
                              "  - { name: s, base: 0x70000000, size: 1M,\n"
                              "      peers: [ { guest: b }, { guest: a, ipa: 0x1000 } ] }\n");
    assert_int_equal(f->rc, 0);
    assert_int_equal(f->ctx.sys.guests.v[0].vmid, 9);
    assert_int_equal(f->ctx.sys.guests.v[1].vmid, 2);
    struct sys_shared *sh = &f->ctx.sys.shared.v[0];
    assert_int_equal(sh->peers.v[0].guest_index, 1);
    assert_int_equal(sh->peers.v[0].ipa, 0x70000000);
    assert_int_equal(sh->peers.v[1].guest_index, 0);
    done(f);
}

/* The boards are found relative to the top of the tree: go up to it when
 * run from elsewhere (a build directory, tests/). */
static void find_top(void)
{
    for (int i = 0; i < 6 && access(VIRT, R_OK) != 0; i++)
        if (chdir("..") != 0)
            break;
}

int main(void)
{
    find_top();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve_identity),
        cmocka_unit_test(test_resolve_ipa_moves_all_regs),
        cmocka_unit_test(test_resolve_ipa_wraps),
        cmocka_unit_test(test_resolve_irq_remap),
        cmocka_unit_test(test_resolve_stream_ids_and_dma_override),
        cmocka_unit_test(test_resolve_zcu102_board_sids),
        cmocka_unit_test(test_resolve_subtree_resources),
        cmocka_unit_test(test_resolve_unknown_refs),
        cmocka_unit_test(test_resolve_peers_and_vmids),
    };
    return cmocka_run_group_tests_name("resolve", tests, NULL, NULL);
}
