/* emit/output.c — how every emitter hands over a file: staged under the
 * output directory, written only when the whole build succeeds; whole
 * (emit_file) or in pieces (emit_open .. emit_close). */
#include <errno.h>
#include <string.h>

#include "emit/emit.h"

static int io_failed(struct emit_out *e)
{
    diag_fatal(&e->ctx->diag, NOPOS, "cannot write %s: %s", e->path, strerror(errno));
    return -1;
}

int emit_open(struct dtpass_ctx *ctx, struct emit_out *e, const char *name)
{
    e->ctx = ctx;
    e->path = path_join(ctx->opt.outdir ? ctx->opt.outdir : "out", name);
    if (outputs_open(&ctx->out, e->path, &e->f)) {
        io_failed(e);
        free(e->path);
        e->path = NULL;
        return -1;
    }
    return 0;
}

int emit_write(struct emit_out *e, const void *data, size_t len)
{
    if (e->f.err)
        return -1; /* already reported */
    return outputs_write(&e->f, data, len) ? io_failed(e) : 0;
}

int emit_zeros(struct emit_out *e, uint64_t len)
{
    static const unsigned char zero[4096];
    while (len) {
        size_t n = len < sizeof(zero) ? (size_t)len : sizeof(zero);
        if (emit_write(e, zero, n))
            return -1;
        len -= n;
    }
    return 0;
}

int emit_close(struct emit_out *e)
{
    bool reported = e->f.err != 0;
    int rc = outputs_close(&e->f);
    if (rc && !reported)
        io_failed(e);
    free(e->path);
    e->path = NULL;
    return rc ? -1 : 0;
}

int emit_file(struct dtpass_ctx *ctx, const char *name, const void *data, size_t len)
{
    struct emit_out e;
    if (emit_open(ctx, &e, name))
        return -1;
    emit_write(&e, data, len);
    return emit_close(&e);
}

static int emit_ext(struct dtpass_ctx *ctx, const char *base, const char *ext, const void *data,
                    size_t len)
{
    char *name = xasprintf("%s.%s", base, ext);
    int rc = emit_file(ctx, name, data, len);
    free(name);
    return rc;
}

int emit_dt_pair(struct dtpass_ctx *ctx, const char *base, const void *dtb, size_t len,
                 const struct strbuf *dts)
{
    if (dtb && emit_ext(ctx, base, "dtb", dtb, len))
        return -1;
    if (dts && emit_ext(ctx, base, "dts", dts->s ? dts->s : "", dts->len))
        return -1;
    return 0;
}
