/* tests/fuzz/fuzz_board.c — libFuzzer target: the board reader on DTB bytes
 * (fdt_check_full, the live tree, lookups, every DT rule of derive.c), then
 * `dtpass board` in text and JSON. The reader takes a file name, so the
 * bytes go to a scratch file. Inputs without the FDT magic are skipped: the
 * reader would hand them to the real dtc as DTS source, which is dtc's
 * parser, not ours, and a process spawn per input. */
#include "board/board.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4 || get_be32(data) != 0xd00dfeedu)
        return 0;
    const char *path = fuzz_write("board.dtb", data, size);
    struct diag_sink d;
    struct board b;
    diag_init(&d);
    if (board_load(&b, path, NULL, &d) == 0) {
        board_describe(&b, fuzz_devnull(), false);
        board_describe(&b, fuzz_devnull(), true);
        /* the lookups resolve uses, on names the blob itself offers */
        for (uint32_t i = 0; i < b.nnodes && i < 64; i++) {
            (void)board_lookup(&b, b.nodes[i]->path);
            if (board_node_label(b.nodes[i])) {
                char ref[256];
                snprintf(ref, sizeof ref, "&%s", board_node_label(b.nodes[i]));
                (void)board_lookup(&b, ref);
            }
            (void)board_by_phandle(&b, b.nodes[i]->phandle);
        }
        (void)board_lookup(&b, "&{/}");
        (void)board_lookup(&b, "serial0");
        board_free(&b);
    }
    fuzz_render(&d);
    diag_free(&d);
    return 0;
}
