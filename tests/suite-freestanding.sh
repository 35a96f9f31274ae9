#!/bin/sh
# tests/suite-freestanding.sh — proves the blob reader (src/dtpb/*.c) is
# freestanding, as include/dtpass/dtpb.h promises a hypervisor: it compiles
# with -ffreestanding -nostdlib -fno-builtin, its only undefined symbols may
# be memcpy/memset, and it links with -nostdlib against a stub providing just
# those two and an entry point.
. "$(dirname "$0")/lib.sh"
CC=${CC:-cc}

FLAGS="-std=c11 -O2 -Wall -Wextra -Werror -ffreestanding -nostdlib -fno-builtin -fno-stack-protector -Iinclude"
objs=""
for c in src/dtpb/*.c; do
    o=$tmp/$(basename "$c" .c).o
    if $CC $FLAGS -c "$c" -o "$o" 2>"$tmp/log"; then
        ok "$c compiles freestanding"
        objs="$objs $o"
    else
        notok "$c does not compile freestanding"; sed 's/^/    /' "$tmp/log"
    fi
done
undef=$(nm -u $objs 2>/dev/null | awk '{print $NF}' | grep -v -x -e memcpy -e memset -e '' | sort -u)
if [ -z "$undef" ]; then ok "no undefined symbols besides memcpy/memset"; else notok "undefined symbols: $undef"; fi

cat >"$tmp/stub.c" <<'C'
#include <stddef.h>
#include "dtpass/dtpb.h"
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *a = d; const unsigned char *b = s;
    while (n--) *a++ = *b++;
    return d;
}
void *memset(void *d, int c, size_t n)
{
    unsigned char *a = d;
    while (n--) *a++ = (unsigned char)c;
    return d;
}
int entry(const void *blob, size_t len);
int entry(const void *blob, size_t len)
{
    struct dtpb b;
    struct dtpb_guest g;
    int err = dtpb_open(&b, blob, len);
    if (err)
        return err;
    return dtpb_guest(&b, 0, &g) ? -1 : (int)g.vmid + (int)*dtpb_str(&b, g.name);
}
C
if $CC $FLAGS -c "$tmp/stub.c" -o "$tmp/stub.o" 2>"$tmp/log" &&
   $CC $FLAGS -static -Wl,-e,entry -o "$tmp/linked" "$tmp/stub.o" $objs 2>>"$tmp/log"; then
    ok "links with -nostdlib against memcpy/memset only"
else
    notok "does not link with -nostdlib"; sed 's/^/    /' "$tmp/log"
fi
[ "$fails" -eq 0 ]
