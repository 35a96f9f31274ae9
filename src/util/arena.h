/* util/arena.h — a bump allocator: many small allocations that live and
 * die together (a board's derived arrays, one guest tree's names and
 * rewritten values), freed at once by arena_free(). */
#ifndef DTPASS_UTIL_ARENA_H
#define DTPASS_UTIL_ARENA_H

#include <stddef.h>

struct arena_block;
struct arena {
    struct arena_block *head;
    /* Size of a block; 0 means 256 KiB. Small for arenas that stay small
     * (a guest tree), so many of them do not hold much unused memory. */
    size_t block;
};

/* n bytes, zeroed, 8-aligned; NULL only for n == 0. Out of memory is an
 * internal error, as for xmalloc. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
void arena_free(struct arena *a);

#endif
