/* tests/fuzz/fuzz_common.h — what every libFuzzer target shares: a private
 * scratch directory for inputs the code under test insists on reading from
 * a file (the board reader, the DSL with its includes), and a sink that
 * renders every finding in all three formats to /dev/null so the renderers
 * see hostile strings too. Test code: the process-wide statics below are the
 * fuzzer's, not the product's. */
#ifndef DTPASS_FUZZ_COMMON_H
#define DTPASS_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag/diag.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *fuzz_dir_path;
static FILE *fuzz_null;

static void fuzz_cleanup(void)
{
    if (fuzz_dir_path)
        rmdir(fuzz_dir_path);
}

/* The scratch directory (created on first use, under $TMPDIR). */
static const char *fuzz_dir(void)
{
    if (!fuzz_dir_path) {
        const char *t = getenv("TMPDIR");
        char tmpl[4096];
        snprintf(tmpl, sizeof tmpl, "%s/dtpass-fuzz-XXXXXX", t && *t ? t : "/tmp");
        char *d = mkdtemp(tmpl);
        if (!d) {
            perror("fuzz: mkdtemp");
            abort();
        }
        fuzz_dir_path = strdup(d);
        atexit(fuzz_cleanup);
    }
    return fuzz_dir_path;
}

/* Writes data to <scratch>/name and returns the path (static buffer). */
static const char *fuzz_write(const char *name, const uint8_t *data, size_t size)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f)) {
        perror("fuzz: writing the input");
        abort();
    }
    return path;
}

static void fuzz_unlink(const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
    unlink(path);
}

/* Every renderer over every finding, output discarded. */
static void fuzz_render(const struct diag_sink *d)
{
    if (!fuzz_null && !(fuzz_null = fopen("/dev/null", "w")))
        abort();
    diag_render(d, fuzz_null, DIAG_TEXT, true);
    diag_render(d, fuzz_null, DIAG_JSON, false);
    diag_render(d, fuzz_null, DIAG_SARIF, false);
    (void)diag_exit_status(d);
}

static FILE *fuzz_devnull(void)
{
    if (!fuzz_null && !(fuzz_null = fopen("/dev/null", "w")))
        abort();
    return fuzz_null;
}

#endif
