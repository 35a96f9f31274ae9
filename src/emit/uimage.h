/* emit/uimage.h — U-Boot's legacy image format ("uImage"), the container the
 * `source` command runs a boot script from (docs/xen.md, "boot.scr"). */
#ifndef DTPASS_UIMAGE_H
#define DTPASS_UIMAGE_H

#include <stddef.h>

#include "util/util.h"

/* The size of the legacy header. */
#define UIMAGE_HEADER_SIZE 64u

/* Appends to `out` the script image of `script` (len bytes) as
 * `mkimage -A arm64 -T script -C none` makes it with SOURCE_DATE_EPOCH=0:
 * the 64-byte header (timestamp 0, no name), the length list of the one
 * file (its length, then 0) and the script. Returns 0, or -1 when the
 * script is too large for the format's 32-bit sizes. */
int uimage_script(struct strbuf *out, const char *script, size_t len);

#endif
