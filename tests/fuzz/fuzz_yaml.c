/* tests/fuzz/fuzz_yaml.c — libFuzzer target: the YAML front end on raw
 * bytes (libyaml events -> tree -> table-driven keys -> model), then the
 * model dump and every diagnostic renderer. */
#include "front/front.h"
#include "fuzz_common.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag_sink d;
    struct system sys;
    diag_init(&d);
    system_init(&sys);
    const char *file = diag_intern(&d, "fuzz.yaml");
    diag_add_source(&d, file, (const char *)data, size);
    if (front_yaml(&sys, file, (const char *)data, size, &d) == 0)
        model_dump(&sys, fuzz_devnull(), false);
    fuzz_render(&d);
    system_free(&sys);
    diag_free(&d);
    return 0;
}
