/* emit/output.c — how every emitter hands over a file: staged under the
 * output directory, written only when the whole build succeeds. */
#include <errno.h>
#include <string.h>

#include "emit/emit.h"

int emit_file(struct dtpass_ctx *ctx, const char *name, const void *data, size_t len)
{
    char *path = path_join(ctx->opt.outdir ? ctx->opt.outdir : "out", name);
    int rc = outputs_add(&ctx->out, path, data, len);
    if (rc)
        diag_fatal(&ctx->diag, NOPOS, "cannot write %s: %s", path, strerror(errno));
    free(path);
    return rc ? -1 : 0;
}
