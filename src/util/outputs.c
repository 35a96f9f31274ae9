/* util/outputs.c — staged output files: a build writes every output to a
 * temporary file beside its destination and renames them all into place only
 * when the whole build succeeded, so a failed build leaves the previous
 * outputs untouched and a reader never sees a half-written file. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

void outputs_init(struct outputs *o)
{
    memset(o, 0, sizeof(*o));
}

int mkdir_p(const char *path)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) && errno != EEXIST) {
            int e = errno;
            free(p);
            return -e;
        }
        *s = '/';
    }
    int rc = 0;
    if (mkdir(p, 0777) && errno != EEXIST)
        rc = -errno;
    free(p);
    return rc;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int outputs_open(struct outputs *o, const char *path, struct outfile *f)
{
    memset(f, 0, sizeof(*f));
    char *tmp = xasprintf("%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0 && errno == ENOENT) { /* the directory is missing: make it, once */
        char *dir = path_dirname(path);
        int rc = mkdir_p(dir);
        free(dir);
        if (rc) {
            free(tmp);
            errno = -rc;
            return -1;
        }
        strcpy(tmp + strlen(tmp) - 6, "XXXXXX");
        fd = mkstemp(tmp);
    }
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    /* Registered now, so outputs_abort removes it whatever happens next. */
    struct staged *st = VEC_ADD(&o->files);
    st->final = xstrdup(path);
    st->tmp = tmp;
    st->fd = fd;
    st->bad = false;
    f->o = o;
    f->idx = o->files.n - 1;
    f->buf = xmalloc(OUTFILE_BUF);
    return 0;
}

static int flush(struct outfile *f)
{
    if (f->n && write_all(f->o->files.v[f->idx].fd, f->buf, f->n))
        return -1;
    f->n = 0;
    return 0;
}

static int fail(struct outfile *f)
{
    if (!f->err)
        f->err = errno ? errno : EIO;
    f->o->files.v[f->idx].bad = true;
    errno = f->err;
    return -1;
}

int outputs_write(struct outfile *f, const void *data, size_t len)
{
    if (f->err) {
        errno = f->err;
        return -1;
    }
    if (!len)
        return 0;
    if (len < OUTFILE_BUF - f->n) {
        memcpy(f->buf + f->n, data, len);
        f->n += len;
        return 0;
    }
    if (flush(f))
        return fail(f);
    if (len >= OUTFILE_BUF) {
        if (write_all(f->o->files.v[f->idx].fd, data, len))
            return fail(f);
        return 0;
    }
    memcpy(f->buf, data, len);
    f->n = len;
    return 0;
}

int outputs_close(struct outfile *f)
{
    struct staged *st = &f->o->files.v[f->idx];
    if (!f->err && (flush(f) || fchmod(st->fd, 0644)))
        fail(f);
    if (close(st->fd) && !f->err)
        fail(f);
    st->fd = -1;
    free(f->buf);
    f->buf = NULL;
    if (f->err) {
        st->bad = true;
        errno = f->err;
        return -1;
    }
    return 0;
}

int outputs_add(struct outputs *o, const char *path, const void *data, size_t len)
{
    struct outfile f;
    if (outputs_open(o, path, &f))
        return -1;
    outputs_write(&f, data, len);
    return outputs_close(&f);
}

int outputs_commit(struct outputs *o)
{
    int rc = 0;
    /* A file left open or failed is a build that did not succeed. */
    for (size_t i = 0; i < o->files.n; i++) {
        if (o->files.v[i].fd >= 0 || o->files.v[i].bad) {
            outputs_abort(o);
            errno = EIO;
            return -1;
        }
    }
    /* A destination rename() cannot replace (a directory) would fail half
     * way and leave old and new outputs mixed: refuse before renaming any. */
    for (size_t i = 0; i < o->files.n; i++) {
        struct stat st;
        if (lstat(o->files.v[i].final, &st) == 0 && S_ISDIR(st.st_mode)) {
            outputs_abort(o);
            errno = EISDIR;
            return -1;
        }
    }
    for (size_t i = 0; i < o->files.n; i++) {
        struct staged *st = &o->files.v[i];
        if (rc)
            break;
        if (rename(st->tmp, st->final)) {
            rc = -1;
        } else {
            free(st->tmp); /* in place: nothing left to remove */
            st->tmp = NULL;
        }
    }
    int e = errno;
    outputs_abort(o); /* frees; removes whatever was not renamed */
    errno = e;
    return rc;
}

void outputs_abort(struct outputs *o)
{
    for (size_t i = 0; i < o->files.n; i++) {
        if (o->files.v[i].fd >= 0)
            close(o->files.v[i].fd);
        if (o->files.v[i].tmp) {
            unlink(o->files.v[i].tmp);
            free(o->files.v[i].tmp);
        }
        free(o->files.v[i].final);
    }
    VEC_FREE(&o->files);
}
