/* dump/dump.h — `dtpass dump FILE [--json]`: the decoder of what dtpass
 * emits. A stage of its own, not an emitter: it reads files (through the
 * freestanding dtpb reader for a .dtpb) and writes only to stdout. */
#ifndef DTPASS_DUMP_H
#define DTPASS_DUMP_H

#include "dtpass.h"

/* Decodes ctx->opt.input: a .dtpb, a stream table or an hvdata image. */
int dump_file(struct dtpass_ctx *ctx);

#endif
