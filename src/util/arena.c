/* util/arena.c — the bump allocator of util/arena.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/util.h"

struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    max_align_t data[];
};

void *arena_alloc(struct arena *a, size_t n)
{
    if (n == 0)
        return NULL;
    if (n > SIZE_MAX - 64)
        n = SIZE_MAX; /* xmalloc reports it */
    n = (n + 7) & ~(size_t)7; /* 8: the widest member of anything stored here */
    struct arena_block *blk = a->head;
    size_t block = a->block ? a->block : (256u << 10);
    if (!blk || blk->cap - blk->used < n) {
        size_t cap = n > block ? n : block;
        blk = xmalloc(sizeof(*blk) + cap);
        blk->used = 0;
        blk->cap = cap;
        /* A big allocation goes behind the current block so the current
         * block's free space is not wasted. */
        if (a->head && n > block) {
            blk->next = a->head->next;
            a->head->next = blk;
        } else {
            blk->next = a->head;
            a->head = blk;
        }
    }
    void *p = (char *)blk->data + blk->used;
    blk->used += n;
    memset(p, 0, n);
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = arena_alloc(a, n);
    memcpy(p, s, n);
    return p;
}

void arena_free(struct arena *a)
{
    struct arena_block *blk = a->head;
    while (blk) {
        struct arena_block *next = blk->next;
        free(blk);
        blk = next;
    }
    a->head = NULL;
}
