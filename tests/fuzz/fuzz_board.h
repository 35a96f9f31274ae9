/* tests/fuzz/fuzz_board.h — what the two board targets (fuzz_board,
 * fuzz_boardgen) do with a blob: load it through a scratch file, describe
 * the board as text and JSON, run the lookups resolve uses on the names the
 * blob itself offers, and render every finding. */
#ifndef DTPASS_FUZZ_BOARD_H
#define DTPASS_FUZZ_BOARD_H

#include "board/board.h"
#include "fuzz_common.h"

static void fuzz_board_blob(const char *name, const uint8_t *blob, size_t size)
{
    const char *path = fuzz_write(name, blob, size);
    struct diag_sink d;
    struct board b;
    diag_init(&d);
    if (board_load(&b, path, NULL, &d) == 0) {
        board_describe(&b, fuzz_devnull(), false);
        board_describe(&b, fuzz_devnull(), true);
        for (uint32_t i = 0; i < b.nnodes; i++) {
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
}

#endif
