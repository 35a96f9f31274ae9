/* tests/fuzz/fuzz_board.c — libFuzzer target: the board reader on DTB bytes
 * (fdt_check_full, the live tree, lookups, every DT rule of derive.c), then
 * `dtpass board` in text and JSON. The reader takes a file name, so the
 * bytes go to a scratch file. Inputs without the FDT magic are skipped: the
 * reader would hand them to the real dtc as DTS source, which is dtc's
 * parser, not ours, and a process spawn per input. */
#include "fuzz_board.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4 || get_be32(data) != 0xd00dfeedu)
        return 0;
    fuzz_board_blob("board.dtb", data, size);
    return 0;
}
