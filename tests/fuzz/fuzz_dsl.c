/* tests/fuzz/fuzz_dsl.c — libFuzzer target: the DSL front end (flex scanner,
 * bison parser, constant expressions, includes) on raw bytes. The DSL reads
 * files (includes are relative to the including file), so the input is
 * written to main.dtpass in a scratch directory that also holds a fixed,
 * valid include (inc.dtpass) for `include "inc.dtpass";` to find; an input
 * that includes itself exercises the cycle detection. */
#include "front/front.h"
#include "fuzz_common.h"
#include "model/model.h"

static const char include_text[] =
    "/dtpass-v1/;\n"
    "const INC_BASE = 0x48000000;\n"
    "const INC_SIZE = 256M;\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        fuzz_write("inc.dtpass", (const uint8_t *)include_text, sizeof include_text - 1);
        init = 1;
    }
    const char *path = fuzz_write("main.dtpass", data, size);
    struct diag_sink d;
    struct system sys;
    diag_init(&d);
    system_init(&sys);
    if (front_dsl(&sys, path, &d) == 0)
        model_dump(&sys, fuzz_devnull(), false);
    fuzz_render(&d);
    system_free(&sys);
    diag_free(&d);
    return 0;
}
