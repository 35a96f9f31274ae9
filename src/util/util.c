/* util/util.c — allocation, vectors' helpers, strbuf, checked arithmetic,
 * the number syntax, the string hash map and path helpers. */
#include "util/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void out_of_memory(void)
{
    fputs("dtpass: fatal: out of memory\n", stderr);
    exit(2);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

/* A vector starts at about 64 bytes (one 24-byte element: 2), so the
 * many one-element vectors of a big system stay small. */
void *vec_grow_(void *v, size_t *cap, size_t want, size_t elsize)
{
    size_t c = *cap ? *cap * 2 : (elsize < 64 ? 64 / elsize : 1);
    while (c < want)
        c *= 2;
    size_t bytes;
    if (__builtin_mul_overflow(c, elsize, &bytes))
        out_of_memory();
    *cap = c;
    return xrealloc(v, bytes);
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

bool str_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

size_t edit_distance(const char *a, const char *b, size_t cap)
{
    size_t la = strlen(a), lb = strlen(b);
    if ((la > lb ? la - lb : lb - la) > cap)
        return cap + 1;
    size_t *row = xmalloc((lb + 1) * sizeof(*row));
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0], best = row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t v = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < v)
                v = up + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            row[j] = v;
            diag = up;
            if (v < best)
                best = v;
        }
        if (best > cap) { /* every continuation is at least this far */
            free(row);
            return cap + 1;
        }
    }
    size_t r = row[lb];
    free(row);
    return r > cap ? cap + 1 : r;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    struct strbuf sb;
    sb_init(&sb);
    sb_vprintf(&sb, fmt, ap);
    return sb_take(&sb);
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}

/* ---- strbuf ---- */

void sb_init(struct strbuf *sb)
{
    sb->cap = 64;
    sb->len = 0;
    sb->s = xmalloc(sb->cap);
    sb->s[0] = '\0';
}

void sb_free(struct strbuf *sb)
{
    free(sb->s);
    sb->s = NULL;
    sb->len = sb->cap = 0;
}

static void sb_reserve(struct strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 <= sb->cap)
        return;
    size_t c = sb->cap ? sb->cap : 64;
    while (c < sb->len + extra + 1)
        c *= 2;
    sb->s = xrealloc(sb->s, c);
    sb->cap = c;
}

void sb_putn(struct strbuf *sb, const char *s, size_t n)
{
    sb_reserve(sb, n);
    memcpy(sb->s + sb->len, s, n);
    sb->len += n;
    sb->s[sb->len] = '\0';
}

void sb_putc(struct strbuf *sb, char c)
{
    sb_putn(sb, &c, 1);
}

void sb_puts(struct strbuf *sb, const char *s)
{
    sb_putn(sb, s, strlen(s));
}

void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return;
    sb_reserve(sb, (size_t)n);
    vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(sb, fmt, ap);
    va_end(ap);
}

void sb_json_str(struct strbuf *sb, const char *s)
{
    sb_putc(sb, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': sb_puts(sb, "\\\""); break;
        case '\\': sb_puts(sb, "\\\\"); break;
        case '\n': sb_puts(sb, "\\n"); break;
        case '\t': sb_puts(sb, "\\t"); break;
        case '\r': sb_puts(sb, "\\r"); break;
        default:
            if (*p < 0x20)
                sb_printf(sb, "\\u%04x", *p);
            else
                sb_putc(sb, (char)*p);
        }
    }
    sb_putc(sb, '"');
}

char *sb_take(struct strbuf *sb)
{
    char *s = sb->s;
    sb->s = NULL;
    sb->len = sb->cap = 0;
    return s;
}

/* ---- checked arithmetic ---- */

bool u64_add(uint64_t a, uint64_t b, uint64_t *r)
{
    uint64_t t;
    if (__builtin_add_overflow(a, b, &t))
        return false;
    *r = t;
    return true;
}

bool u64_mul(uint64_t a, uint64_t b, uint64_t *r)
{
    uint64_t t;
    if (__builtin_mul_overflow(a, b, &t))
        return false;
    *r = t;
    return true;
}

bool range_end(uint64_t base, uint64_t size, uint64_t *last)
{
    if (size == 0 || base + (size - 1) < base)
        return false;
    *last = base + (size - 1);
    return true;
}

bool ranges_overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
    /* Compare last addresses so ranges ending at 2^64 do not wrap. */
    return a <= b + (bs - 1) && b <= a + (as - 1);
}

/* ---- numbers ---- */

const char *parse_u64(const char *s, size_t len, bool allow_suffix, uint64_t *out)
{
    unsigned base = 10;
    size_t i = 0;
    uint64_t v = 0;
    bool digit_seen = false, last_underscore = false;

    if (len == 0)
        return "empty number";
    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    } else if (len > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
        base = 2;
        i = 2;
    }
    for (; i < len; i++) {
        char c = s[i];
        unsigned d;
        if (c == '_') {
            if (!digit_seen || last_underscore)
                return "misplaced '_' in number";
            last_underscore = true;
            continue;
        }
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            break;
        if (d >= base)
            return base == 2 ? "invalid binary digit" : "invalid digit in number";
        if (!u64_mul(v, base, &v) || !u64_add(v, d, &v))
            return "number does not fit in 64 bits";
        digit_seen = true;
        last_underscore = false;
    }
    if (!digit_seen)
        return "not a number";
    if (last_underscore)
        return "misplaced '_' in number";
    if (i < len) {
        unsigned shift;
        if (!allow_suffix || i + 1 != len)
            return allow_suffix ? "invalid size (expected digits and one of K M G T)"
                                : "invalid number";
        switch (s[i]) {
        case 'K': shift = 10; break;
        case 'M': shift = 20; break;
        case 'G': shift = 30; break;
        case 'T': shift = 40; break;
        default: return "invalid size suffix (expected K, M, G or T)";
        }
        if (v > (UINT64_MAX >> shift))
            return "size does not fit in 64 bits";
        v <<= shift;
    }
    *out = v;
    return NULL;
}

void format_size(char *buf, size_t bufsz, uint64_t size)
{
    static const char suffix[] = "KMGT";
    int unit = -1;
    uint64_t v = size;
    while (v && (v & 1023) == 0 && unit < 3) {
        v >>= 10;
        unit++;
    }
    if (size == 0)
        snprintf(buf, bufsz, "0");
    else if (unit < 0)
        snprintf(buf, bufsz, "0x%llx", (unsigned long long)size);
    else
        snprintf(buf, bufsz, "%llu%c", (unsigned long long)v, suffix[unit]);
}

/* ---- hash map (open addressing, linear probing) ---- */

uint32_t str_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

void strmap_init(struct strmap *m)
{
    m->slots = NULL;
    m->n = m->cap = 0;
}

void strmap_free(struct strmap *m)
{
    free(m->slots);
    strmap_init(m);
}

static struct strmap_slot *strmap_find(const struct strmap *m, const char *key, uint32_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct strmap_slot *sl = &m->slots[i];
        if (!sl->key || (sl->hash == h && !strcmp(sl->key, key)))
            return sl;
    }
}

void *strmap_put(struct strmap *m, const char *key, void *val)
{
    if ((m->n + 1) * 4 > m->cap * 3) {
        struct strmap old = *m;
        m->cap = old.cap ? old.cap * 2 : 64;
        m->slots = xcalloc(m->cap, sizeof(*m->slots));
        m->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i].key) {
                *strmap_find(m, old.slots[i].key, old.slots[i].hash) = old.slots[i];
                m->n++;
            }
        free(old.slots);
    }
    uint32_t h = str_hash(key, strlen(key));
    struct strmap_slot *sl = strmap_find(m, key, h);
    void *prev = sl->key ? sl->val : NULL;
    if (!sl->key)
        m->n++;
    sl->key = key;
    sl->val = val;
    sl->hash = h;
    return prev;
}

void *strmap_get(const struct strmap *m, const char *key)
{
    if (!m->cap)
        return NULL;
    struct strmap_slot *sl = strmap_find(m, key, str_hash(key, strlen(key)));
    return sl->key ? sl->val : NULL;
}

/* ---- files and paths ---- */

/* A regular file is read at its size in one buffer (a 13 MiB board costs
 * 13 MiB, not the 16 a doubling buffer would); pipes and files that grow
 * while read go through the doubling buffer. */
char *read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        return NULL;
    struct strbuf sb;
    struct stat st = {0};
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
        if (f != stdin)
            fclose(f);
        errno = EFBIG;
        return NULL;
    }
    sb_init(&sb);
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        sb.cap = (size_t)st.st_size + 1;
        sb.s = xrealloc(sb.s, sb.cap);
    }
    errno = 0;
    for (;;) {
        if (sb.len + 1 == sb.cap) { /* full: grow only if there is more */
            int ch = getc(f);
            if (ch == EOF)
                break;
            sb_reserve(&sb, 65536);
            sb.s[sb.len++] = (char)ch;
        }
        size_t room = sb.cap - 1 - sb.len;
        if (room > max + 1 - sb.len)
            room = max + 1 - sb.len;
        size_t n = room ? fread(sb.s + sb.len, 1, room, f) : 0;
        sb.len += n;
        if (sb.len > max) {
            sb_free(&sb);
            if (f != stdin)
                fclose(f);
            errno = EFBIG;
            return NULL;
        }
        if (n == 0)
            break;
    }
    sb.s[sb.len] = '\0';
    int err = ferror(f) ? (errno ? errno : EIO) : 0; /* keep EISDIR and the like */
    if (f != stdin)
        fclose(f);
    if (err) {
        sb_free(&sb);
        errno = err;
        return NULL;
    }
    if (len)
        *len = sb.len;
    return sb_take(&sb);
}

char *path_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

char *path_join(const char *dir, const char *rel)
{
    if (rel[0] == '/' || !strcmp(dir, "."))
        return xstrdup(rel);
    return xasprintf("%s/%s", dir, rel);
}
