/* util/util.h — the small toolbox every stage uses: allocation that never
 * returns NULL, growable vectors, a string buffer, checked address
 * arithmetic, the number/size syntax shared by both front ends, a string
 * hash map, and staged (atomic) output files. */
#ifndef DTPASS_UTIL_H
#define DTPASS_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation: out of memory is an internal error (exit 2), never NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Growable vector: a struct with `T *v; size_t n, cap;`.
 *   struct { int *v; size_t n, cap; } ints = {0};
 *   VEC_PUSH(&ints, 42); */
#define VEC(T) struct { T *v; size_t n, cap; }
void *vec_grow_(void *v, size_t *cap, size_t want, size_t elsize);
#define VEC_GROW(vec, want)                                                   \
    ((want) > (vec)->cap                                                      \
         ? (void)((vec)->v = vec_grow_((vec)->v, &(vec)->cap, (want), sizeof(*(vec)->v))) \
         : (void)0)
#define VEC_PUSH(vec, x)                                                      \
    do {                                                                      \
        VEC_GROW(vec, (vec)->n + 1);                                          \
        (vec)->v[(vec)->n++] = (x);                                           \
    } while (0)
/* Pointer to a new zeroed element at the end. */
#define VEC_ADD(vec) (VEC_GROW(vec, (vec)->n + 1),                            \
                      memset(&(vec)->v[(vec)->n], 0, sizeof(*(vec)->v)),      \
                      &(vec)->v[(vec)->n++])
#define VEC_FREE(vec) do { free((vec)->v); (vec)->v = NULL; (vec)->n = (vec)->cap = 0; } while (0)

/* String buffer, always NUL-terminated. */
struct strbuf {
    char *s;
    size_t len, cap;
};
void sb_init(struct strbuf *sb);
void sb_free(struct strbuf *sb);
void sb_putc(struct strbuf *sb, char c);
void sb_puts(struct strbuf *sb, const char *s);
void sb_putn(struct strbuf *sb, const char *s, size_t n);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
/* Appends s as a JSON string literal (quotes included). */
void sb_json_str(struct strbuf *sb, const char *s);
/* Takes ownership of the buffer; sb is reset. */
char *sb_take(struct strbuf *sb);

/* Checked arithmetic: false on overflow (result untouched). */
bool u64_add(uint64_t a, uint64_t b, uint64_t *r);
bool u64_mul(uint64_t a, uint64_t b, uint64_t *r);
/* The last address of [base, base+size): false when size is 0 or it wraps. */
bool range_end(uint64_t base, uint64_t size, uint64_t *last);
/* [a, a+as) and [b, b+bs) intersect (sizes > 0, no wrap assumed checked). */
bool ranges_overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs);
static inline bool is_aligned(uint64_t v, uint64_t a) { return (v & (a - 1)) == 0; }

/* Number syntax of both front ends: decimal, 0x hex, 0b binary, `_`
 * separators between digits, and with allow_suffix a size suffix K M G T
 * (powers of 1024). Returns NULL on success or a static message naming the
 * problem ("number does not fit in 64 bits", ...). */
const char *parse_u64(const char *s, size_t len, bool allow_suffix, uint64_t *out);
/* Formats a size the way users write it: 512M, 2G, 4K, else hex. */
void format_size(char *buf, size_t bufsz, uint64_t size);

/* Hash map from NUL-terminated string to pointer; keys are not copied.
 * Insertion order is not kept: never iterate it to produce output. */
struct strmap {
    struct strmap_slot { const char *key; void *val; uint32_t hash; } *slots;
    size_t n, cap;
};
void strmap_init(struct strmap *m);
void strmap_free(struct strmap *m);
/* Returns the previous value for key, or NULL. */
void *strmap_put(struct strmap *m, const char *key, void *val);
void *strmap_get(const struct strmap *m, const char *key);
uint32_t str_hash(const char *s, size_t len);

/* Whole-file reading with a size cap; NULL and errno on failure (EFBIG when
 * over the cap). The buffer is NUL-terminated. */
char *read_file(const char *path, size_t max, size_t *len);

/* Directory part of a path ("." when none); the result is allocated. */
char *path_dirname(const char *path);
/* Joins dir and rel unless rel is absolute. */
char *path_join(const char *dir, const char *rel);

/* Staged outputs, switched as one set (docs/integration.md, "Outputs switch
 * as one set"). outputs_begin() takes the output directory's lock and makes a
 * private staging directory; every file under the output directory is
 * written there, files elsewhere (a depfile outside it) to a temporary beside
 * their destination. outputs_commit() refuses an output that is one of the
 * build's inputs, carries what dtpass did not write over into the staging
 * directory and exchanges it with the output directory in one rename;
 * outputs_abort() removes everything staged, leaving the previous outputs
 * untouched. */
struct outputs {
    /* fd >= 0 while the file is being written; bad once a write failed;
     * rel: its path below the output directory, NULL for a file outside it. */
    VEC(struct staged { char *final; char *tmp; char *rel; int fd; bool bad; }) files;
    const char *dir;   /* -o as given (NULL: "out"); set before outputs_begin */
    bool no_wait;      /* --no-wait: fail instead of waiting for another build */
    /* Set by outputs_begin. */
    int state;         /* 0 not begun, 1 begun, -1 failed */
    int lock_fd;       /* DIR/.dtpass-lock, flock(LOCK_EX) until outputs_abort */
    char *real;        /* the output directory, resolved (realpath) */
    char *stage;       /* the staging directory */
    bool in_place;     /* staging inside DIR and renaming file by file (no exchange) */
    bool created;      /* DIR did not exist before this build */
    char *msg;         /* what failed, a whole sentence for the diagnostic */
};
/* One output written in pieces: outputs_open, outputs_write..., then
 * outputs_close. Writes go through a buffer of OUTFILE_BUF bytes, so a
 * stream of small pieces costs few system calls; pieces of at least that
 * size go straight to the file. */
#define OUTFILE_BUF (64u * 1024u)
struct outfile {
    struct outputs *o;
    size_t idx;          /* its entry in o->files */
    int err;             /* errno of the first failure, 0 while all is well */
    size_t n;            /* bytes waiting in buf */
    unsigned char *buf;
};
void outputs_init(struct outputs *o);
/* Writes data as the future content of path (directories are created):
 * outputs_open + outputs_write + outputs_close. */
int outputs_add(struct outputs *o, const char *path, const void *data, size_t len);
/* Each returns 0, or -1 with errno set. A failure is sticky: later writes
 * return -1 and outputs_close reports it (with the first errno) and
 * releases the file all the same; the temporary is removed by
 * outputs_abort, and outputs_commit refuses a set holding a failed or
 * unclosed file. */
int outputs_open(struct outputs *o, const char *path, struct outfile *f);
int outputs_write(struct outfile *f, const void *data, size_t len);
int outputs_close(struct outfile *f);
/* Locks the output directory (waiting for another build unless no_wait),
 * removes what killed builds left and makes the staging directory; called by
 * the first outputs_open when not before. 0, or -1 with o->msg. */
int outputs_begin(struct outputs *o);
/* Switches the staged set in, after checking that no output path (nor a
 * directory on the way to one) is a file of the inputs lists, compared by
 * device and inode. 0, or -1 with o->msg (freed by outputs_abort); then
 * nothing has changed, except in the per-file fallback (docs/integration.md). */
int outputs_commit(struct outputs *o, char *const *inputs_a, size_t na, char *const *inputs_b,
                   size_t nb);
void outputs_abort(struct outputs *o);
/* Creates path with data in one step, never replacing an existing file
 * (EEXIST); 0, or -1 with errno. */
int write_new_file(const char *path, const void *data, size_t len);
/* Creates a directory and its parents; 0 or -errno. */
int mkdir_p(const char *path);

/* Little-endian stores for serialisers (never memcpy host structs). */
static inline void put_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void put_le32(uint8_t *p, uint32_t v) { put_le16(p, (uint16_t)v); put_le16(p + 2, (uint16_t)(v >> 16)); }
static inline void put_le64(uint8_t *p, uint64_t v) { put_le32(p, (uint32_t)v); put_le32(p + 4, (uint32_t)(v >> 32)); }
static inline uint16_t get_le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t get_le32(const uint8_t *p) { return (uint32_t)get_le16(p) | ((uint32_t)get_le16(p + 2) << 16); }
static inline uint64_t get_le64(const uint8_t *p) { return (uint64_t)get_le32(p) | ((uint64_t)get_le32(p + 4) << 32); }
static inline uint32_t get_be32(const void *v) { const uint8_t *p = v; return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]; }

#endif
