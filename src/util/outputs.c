/* util/outputs.c — the output set of a build, switched as one: one build at
 * a time per output directory (an flock on DIR/.dtpass-lock), every output
 * staged in a private directory beside DIR, no output allowed to be an input
 * (by device and inode), and a commit that exchanges the staging directory
 * with DIR in one renameat2(RENAME_EXCHANGE) after carrying over what dtpass
 * did not write. Where that exchange is impossible (DIR is the working
 * directory or a mount point, the file system lacks the flag) the staged
 * files are renamed into DIR one by one. docs/integration.md states what a
 * reader and a crash can see in each case; tests/suite-atomic.sh and
 * tests/suite-io.sh prove it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

#define LOCK_NAME ".dtpass-lock"
#define MANIFEST ".dtpass-outputs" /* what the set in DIR is: one path per line, sorted */
#define STAGE_TAG ".dtpass-new." /* staging dirs: ".<DIR name>.dtpass-new.X" beside, or inside DIR */

void outputs_init(struct outputs *o)
{
    memset(o, 0, sizeof(*o));
    o->lock_fd = -1;
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

static int set_msg(struct outputs *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char buf[1024];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    free(o->msg);
    o->msg = xstrdup(buf);
    return -1;
}

/* renameat2() (glibc 2.28, Linux 3.15): a kernel without it answers
 * ENOSYS, a file system without RENAME_EXCHANGE EINVAL: the fallback. */
static int exchange(const char *a, const char *b)
{
    return renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
}

static bool is_fallback_errno(int e)
{
    return e == EINVAL || e == ENOSYS || e == EOPNOTSUPP || e == ENOTSUP || e == EBUSY ||
           e == EXDEV || e == EPERM || e == EMLINK;
}

/* Removes name under dirfd and, for a directory, all it holds. */
static void remove_tree(int dirfd, const char *name)
{
    if (!unlinkat(dirfd, name, 0) || errno == ENOENT)
        return;
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            remove_tree(fd, e->d_name);
    closedir(d);
    unlinkat(dirfd, name, AT_REMOVEDIR);
}

static void remove_path(const char *path)
{
    remove_tree(AT_FDCWD, path);
}

/* Leftovers of builds that were killed: staging directories (ours to
 * remove, as we hold the lock) beside DIR and inside it. */
static void remove_leftovers(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    size_t n = strlen(prefix);
    struct dirent *e;
    while ((e = readdir(d)))
        if (!strncmp(e->d_name, prefix, n))
            remove_tree(dirfd(d), e->d_name);
    closedir(d);
}

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* The lock: an flock on DIR/.dtpass-lock, released by the kernel when the
 * holder exits, however it exits. The holder removes the file as its last
 * act (so DIR keeps no trace of dtpass), and the exchange carries it over
 * by hard link, so after getting the lock a build checks that the path
 * still names the file it locked, and starts again when not. */
static int take_lock(struct outputs *o, const char *dir)
{
    for (int tries = 0; tries < 1000; tries++) {
        struct stat st;
        bool existed = stat(dir, &st) == 0;
        if (!existed) {
            int rc = mkdir_p(dir);
            if (rc)
                return set_msg(o, "cannot create the output directory %s: %s", dir, strerror(-rc));
            if (stat(dir, &st))
                return set_msg(o, "cannot create the output directory %s: %s", dir, strerror(errno));
        }
        if (!S_ISDIR(st.st_mode))
            return set_msg(o, "cannot write the outputs in %s: %s", dir, strerror(ENOTDIR));
        char *lock = xasprintf("%s/%s", dir, LOCK_NAME);
        int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0) {
            set_msg(o, "cannot create the lock file %s: %s", lock, strerror(errno));
            free(lock);
            return -1;
        }
        int rc;
        while ((rc = flock(fd, LOCK_EX | (o->no_wait ? LOCK_NB : 0))) && errno == EINTR)
            ;
        if (rc) {
            int e = errno;
            close(fd);
            if (e == EWOULDBLOCK)
                set_msg(o, "another dtpass build is writing %s (it holds %s); without --no-wait "
                           "this build would wait for it", dir, lock);
            else
                set_msg(o, "cannot lock %s: %s", lock, strerror(e));
            free(lock);
            return -1;
        }
        struct stat held, now;
        if (fstat(fd, &held) == 0 && stat(lock, &now) == 0 && same_file(&held, &now)) {
            free(lock);
            o->lock_fd = fd;
            /* Missing on the first try: this build made it, and removes it
             * again if it fails (rmdir, so only while it is empty). */
            o->created = !existed && tries == 0;
            return 0;
        }
        free(lock);
        close(fd);
    }
    return set_msg(o, "cannot lock the output directory %s: its lock file keeps changing", dir);
}

static char *base_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return xstrdup(s && s[1] ? s + 1 : p);
}

int outputs_begin(struct outputs *o)
{
    if (o->state)
        return o->state > 0 ? 0 : -1;
    if (!o->dir) { /* no output directory: each file beside its destination */
        o->state = 1;
        return 0;
    }
    o->state = -1;
    const char *dir = o->dir;
    if (take_lock(o, dir))
        return -1;
    char resolved[PATH_MAX];
    if (!realpath(dir, resolved))
        return set_msg(o, "cannot resolve the output directory %s: %s", dir, strerror(errno));
    o->real = xstrdup(resolved);
    char *parent = path_dirname(o->real), *base = base_of(o->real);

    /* Exchanging DIR would leave a process whose working directory is DIR
     * (or below it) in the removed old directory, and a mount point cannot
     * be renamed: those are written in place. */
    char cwd[PATH_MAX];
    size_t n = strlen(o->real);
    struct stat sd, sp;
    if (!strcmp(o->real, "/") ||
        (getcwd(cwd, sizeof(cwd)) && !strncmp(cwd, o->real, n) && (cwd[n] == '\0' || cwd[n] == '/')) ||
        stat(o->real, &sd) || stat(parent, &sp) || sd.st_dev != sp.st_dev)
        o->in_place = true;

    char *prefix = xasprintf(".%s%s", base, STAGE_TAG);
    remove_leftovers(parent, prefix);
    remove_leftovers(o->real, STAGE_TAG);
    if (!o->in_place) {
        o->stage = xasprintf("%s/%sXXXXXX", parent, prefix);
        if (!mkdtemp(o->stage)) {
            free(o->stage);
            o->stage = NULL;
            o->in_place = true; /* e.g. DIR writable, its parent not */
        }
    }
    if (o->in_place) {
        o->stage = xasprintf("%s/%sXXXXXX", o->real, STAGE_TAG);
        if (!mkdtemp(o->stage)) {
            int e = errno;
            free(o->stage);
            o->stage = NULL;
            free(prefix), free(parent), free(base);
            return set_msg(o, "cannot write the outputs in %s: %s", dir, strerror(e));
        }
    }
    free(prefix), free(parent), free(base);
    o->state = 1;
    return 0;
}

/* Only plain components: no "", ".", ".." (which could leave DIR), and
 * none of dtpass's own names at the top. */
static bool plain_rel(const char *rel)
{
    char *copy = xstrdup(rel), *save = NULL;
    bool plain = rel[0] && rel[0] != '/' && rel[strlen(rel) - 1] != '/' && !strstr(rel, "//");
    for (char *c = strtok_r(copy, "/", &save); c && plain; c = strtok_r(NULL, "/", &save))
        if (!strcmp(c, ".") || !strcmp(c, ".."))
            plain = false;
    free(copy);
    return plain && strcmp(rel, LOCK_NAME) && strncmp(rel, STAGE_TAG, strlen(STAGE_TAG));
}

/* The path of an output below the output directory ("xen/host.dtb"), or
 * NULL for a file elsewhere. Emitters name outputs DIR/NAME, so the textual
 * prefix is the rule; another spelling of a path inside DIR (a depfile given
 * as ./out/x.d) is found through its resolved directory. */
static char *rel_path(const struct outputs *o, const char *path)
{
    if (!o->dir)
        return NULL;
    const char *dir = o->dir;
    size_t n = strlen(dir);
    const char *r = NULL;
    if (!strcmp(dir, ".") && path[0] != '/')
        r = path;
    else if (!strncmp(path, dir, n) && path[n] == '/')
        r = path + n + 1;
    char *rel = NULL;
    if (r) {
        rel = xstrdup(r);
    } else {
        char *pd = path_dirname(path), resolved[PATH_MAX];
        size_t m = strlen(o->real);
        if (realpath(pd, resolved) && !strncmp(resolved, o->real, m) &&
            (resolved[m] == '\0' || resolved[m] == '/')) {
            char *b = base_of(path);
            rel = resolved[m] ? xasprintf("%s/%s", resolved + m + 1, b) : xstrdup(b);
            free(b);
        }
        free(pd);
    }
    if (!rel)
        return NULL;
    if (!plain_rel(rel)) {
        free(rel);
        return NULL;
    }
    return rel;
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

static int open_outside(const char *path, char **tmpp)
{
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
    if (fd < 0)
        free(tmp);
    else
        *tmpp = tmp;
    return fd;
}

int outputs_open(struct outputs *o, const char *path, struct outfile *f)
{
    memset(f, 0, sizeof(*f));
    if (outputs_begin(o)) {
        errno = EIO;
        return -1;
    }
    char *rel = rel_path(o, path), *tmp = NULL;
    int fd;
    if (rel) {
        tmp = xasprintf("%s/%s", o->stage, rel);
        /* O_EXCL: a path staged twice would be two emitters' bug. */
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 && errno == ENOENT) { /* its directory (xen/) is new: make it */
            char *d = path_dirname(tmp);
            int rc = mkdir_p(d);
            free(d);
            fd = rc ? (errno = -rc, -1) : open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        }
        if (fd < 0) {
            free(tmp);
            free(rel);
            return -1;
        }
    } else if ((fd = open_outside(path, &tmp)) < 0) {
        return -1;
    }
    /* Registered now, so outputs_abort removes it whatever happens next. */
    struct staged *st = VEC_ADD(&o->files);
    st->final = xstrdup(path);
    st->tmp = tmp;
    st->rel = rel;
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
    /* Writeback starts now; outputs_commit waits for it (sync_staged). */
    if (!f->err && (flush(f) || fchmod(st->fd, 0644)))
        fail(f);
    if (!f->err)
        sync_file_range(st->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
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

/* ---------------------------------------------------------------- commit */

struct ident {
    dev_t dev;
    ino_t ino;
    const char *path;
};

static int cmp_ident(const void *a, const void *b)
{
    const struct ident *x = a, *y = b;
    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* The input whose file `path` is (following symlinks), or NULL. */
static const char *input_at(const struct ident *in, size_t n, const char *path)
{
    struct stat st;
    if (!n || stat(path, &st))
        return NULL;
    struct ident key = {st.st_dev, st.st_ino, NULL};
    const struct ident *hit = bsearch(&key, in, n, sizeof(*in), cmp_ident);
    return hit ? hit->path : NULL;
}

struct names {
    char **v;
    size_t n;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool in_names(const struct names *l, const char *s)
{
    return l->n && bsearch(&s, l->v, l->n, sizeof(*l->v), cmp_str);
}

/* The paths below DIR of the new set, sorted (they point into o->files). */
static struct names new_names(const struct outputs *o)
{
    struct names l = {xcalloc(o->files.n + 1, sizeof(char *)), 0};
    for (size_t i = 0; i < o->files.n; i++)
        if (o->files.v[i].rel)
            l.v[l.n++] = o->files.v[i].rel;
    qsort(l.v, l.n, sizeof(*l.v), cmp_str);
    return l;
}

/* No output, and no directory between DIR and an output, may be a file the
 * build read: replacing it would destroy an input (or, through a symlink,
 * make the next build read this build's output as its input). Nor may an
 * output of the previous set that this build drops. */
static int check_inputs(struct outputs *o, char *const *a, size_t na, char *const *b, size_t nb,
                        const struct names *old)
{
    struct ident *in = xcalloc(na + nb + 1, sizeof(*in));
    size_t n = 0;
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < (l ? nb : na); i++) {
            const char *p = l ? b[i] : a[i];
            struct stat st;
            if (!stat(p, &st))
                in[n++] = (struct ident){st.st_dev, st.st_ino, p};
        }
    qsort(in, n, sizeof(*in), cmp_ident);
    const char *dir = o->dir ? o->dir : "out";
    const char *hit = o->real ? input_at(in, n, o->real) : NULL;
    int rc = 0;
    if (hit)
        rc = set_msg(o, "the output directory %s is the input %s; nothing was written", dir, hit);
    for (size_t i = 0; i < o->files.n && !rc; i++) {
        const struct staged *st = &o->files.v[i];
        if ((hit = input_at(in, n, st->final))) {
            rc = set_msg(o, "the output %s is the input %s (the same file); nothing was written",
                         st->final, hit);
            break;
        }
        if (!st->rel)
            continue;
        char *p = xasprintf("%s/%s", o->real, st->rel);
        for (char *s = p + strlen(o->real) + 1; (s = strchr(s, '/')); s++) {
            *s = '\0';
            if ((hit = input_at(in, n, p)))
                rc = set_msg(o, "the output directory %s%s is the input %s; nothing was written",
                             dir, p + strlen(o->real), hit);
            *s = '/';
            if (rc)
                break;
        }
        free(p);
    }
    struct names now = new_names(o);
    for (size_t i = 0; i < old->n && !rc; i++) {
        if (in_names(&now, old->v[i]))
            continue;
        char *p = xasprintf("%s/%s", o->real, old->v[i]);
        if ((hit = input_at(in, n, p)))
            rc = set_msg(o, "the input %s is %s/%s, an output of the previous build that this "
                            "build would remove; nothing was written", hit, dir, old->v[i]);
        free(p);
    }
    free(now.v);
    free(in);
    return rc;
}

/* Carries what DIR holds and the staging directory lacks over into it:
 * files (any non-directory) by hard link, so they keep their inode and a
 * writer holding them open writes into the new set's copy; directories
 * recreated (same permissions) and filled the same way. An entry both hold
 * is the new output's, unless one is a directory and the other not: then
 * the build fails before switching. Returns 0, -1 (message set) or, where
 * the file system refuses hard links, 1: use the per-file fallback. */
static int carry_over(struct outputs *o, int dfd, int sfd, const char *rel, const struct names *old,
                      size_t *seen)
{
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        close(sfd);
        return set_msg(o, "cannot read %s/%s: %s", o->real, rel, strerror(errno));
    }
    int rc = 0;
    struct dirent *e;
    errno = 0;
    while (!rc && (e = readdir(d))) {
        const char *name = e->d_name;
        if (!strcmp(name, ".") || !strcmp(name, "..") || (!*rel && !strncmp(name, STAGE_TAG, strlen(STAGE_TAG))))
            continue;
        char *sub = *rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);
        struct stat ds, ss;
        size_t below = 0;
        ++*seen;
        if (fstatat(dirfd(d), name, &ds, AT_SYMLINK_NOFOLLOW)) {
            if (errno != ENOENT) /* gone since readdir: nothing to carry */
                rc = set_msg(o, "cannot read %s/%s: %s", o->real, sub, strerror(errno));
        } else if (fstatat(sfd, name, &ss, AT_SYMLINK_NOFOLLOW) == 0) {
            bool dd = S_ISDIR(ds.st_mode), sdir = S_ISDIR(ss.st_mode);
            if (dd != sdir)
                rc = set_msg(o, "cannot write the outputs in %s: %s/%s: %s", o->dir ? o->dir : "out",
                             o->dir ? o->dir : "out", sub, strerror(dd ? EISDIR : ENOTDIR));
            else if (dd)
                rc = carry_over(o, openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_CLOEXEC),
                                openat(sfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC), sub, old,
                                &below);
        } else if (!S_ISDIR(ds.st_mode) && in_names(old, sub)) {
            /* an output of the previous set that this one does not have */
        } else if (S_ISDIR(ds.st_mode)) {
            if (mkdirat(sfd, name, 0700))
                rc = set_msg(o, "cannot carry %s/%s over: %s", o->real, sub, strerror(errno));
            else {
                int nfd = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (nfd >= 0)
                    fchmod(nfd, ds.st_mode & 07777);
                rc = carry_over(o, openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_CLOEXEC), nfd,
                                sub, old, &below);
                /* A directory that held only old outputs (xen/ of a build
                 * without that target now) goes with them. */
                if (!rc && below)
                    unlinkat(sfd, name, AT_REMOVEDIR);
            }
        } else if (linkat(dirfd(d), name, sfd, name, 0)) {
            int err = errno;
            rc = is_fallback_errno(err) ? 1
                 : set_msg(o, "cannot carry %s/%s over: %s", o->real, sub, strerror(err));
        }
        free(sub);
        errno = 0;
    }
    if (!rc && errno)
        rc = set_msg(o, "cannot read %s/%s: %s", o->real, rel, strerror(errno));
    closedir(d);
    close(sfd); /* sync_tree syncs the staging directories, these among them */
    return rc;
}

/* fsync every directory of the staging tree: the new entries must be on the
 * disk before the exchange publishes them. */
static int sync_tree(int fd)
{
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_type == DT_DIR && strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (sub < 0 || sync_tree(sub))
                rc = -1;
        }
    if (fsync(dirfd(d)))
        rc = -1;
    closedir(d);
    return rc;
}

static int sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Entries created in DIR by someone else between carry_over reading it
 * and the exchange are in the old directory now: move them across (not the
 * old outputs that the new set dropped on purpose). */
static void rescue_late(int ofd, int nfd, const struct names *old)
{
    DIR *d = fdopendir(ofd);
    if (!d) {
        close(ofd);
        return;
    }
    struct dirent *e;
    struct stat st;
    bool moved = false;
    while ((e = readdir(d)))
        if (e->d_type != DT_DIR && !in_names(old, e->d_name) &&
            fstatat(nfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) && errno == ENOENT &&
            !renameat(dirfd(d), e->d_name, nfd, e->d_name))
            moved = true;
    closedir(d);
    if (moved)
        fsync(nfd);
}

/* The fallback: staged files renamed into DIR one by one, then the outputs
 * of the previous set that this one lacks removed. */
static int commit_per_file(struct outputs *o, const struct names *old)
{
    const char *dir = o->dir ? o->dir : "out";
    /* A destination rename() cannot replace (a directory), or a file where
     * a directory is needed, would stop the renames half way: refuse first. */
    for (size_t i = 0; i < o->files.n; i++) {
        const struct staged *st = &o->files.v[i];
        if (!st->rel)
            continue;
        char *p = xasprintf("%s/%s", o->real, st->rel);
        struct stat s;
        int err = 0;
        if (lstat(p, &s) == 0 && S_ISDIR(s.st_mode))
            err = EISDIR;
        for (char *c = p + strlen(o->real) + 1; !err && (c = strchr(c, '/')); c++) {
            *c = '\0';
            if (stat(p, &s) == 0 && !S_ISDIR(s.st_mode))
                err = ENOTDIR;
            *c = '/';
        }
        if (err) {
            set_msg(o, "cannot write the outputs in %s: %s/%s: %s", dir, dir, st->rel, strerror(err));
            free(p);
            return -1;
        }
        free(p);
    }
    char *pending = NULL; /* emitters write a directory's files together: sync each once, after them */
    for (size_t i = 0; i < o->files.n; i++) {
        struct staged *st = &o->files.v[i];
        if (!st->rel)
            continue;
        char *p = xasprintf("%s/%s", o->real, st->rel), *pd = path_dirname(p);
        int rc = mkdir_p(pd);
        if (rc || rename(st->tmp, p)) {
            set_msg(o, "cannot write the outputs in %s: %s: %s (the outputs are now partly new)",
                    dir, st->final, strerror(rc ? -rc : errno));
            free(p), free(pd), free(pending);
            return -1;
        }
        if (pending && strcmp(pending, pd))
            sync_dir(pending); /* done with that directory */
        if (!pending || strcmp(pending, pd)) {
            free(pending);
            pending = pd;
        } else {
            free(pd);
        }
        free(p);
    }
    if (pending)
        sync_dir(pending);
    free(pending);
    struct names now = new_names(o);
    for (size_t i = 0; i < old->n; i++) {
        if (in_names(&now, old->v[i]))
            continue;
        char *p = xasprintf("%s/%s", o->real, old->v[i]);
        struct stat st;
        if (lstat(p, &st) == 0 && !S_ISDIR(st.st_mode) && unlink(p) == 0)
            for (char *c = strrchr(p, '/'); c && c > p + strlen(o->real); c = strrchr(p, '/')) {
                *c = '\0';
                if (rmdir(p)) /* directories the old outputs leave empty */
                    break;
            }
        free(p);
    }
    free(now.v);
    return 0;
}

/* The previous set, from its manifest (none: every file is kept). */
static struct names read_manifest(const struct outputs *o)
{
    struct names l = {NULL, 0};
    char *p = xasprintf("%s/%s", o->real, MANIFEST);
    size_t len;
    char *text = read_file(p, 64u << 20, &len);
    free(p);
    if (!text)
        return l;
    size_t cap = 1;
    for (size_t i = 0; i < len; i++)
        cap += text[i] == '\n';
    l.v = xcalloc(cap, sizeof(char *));
    char *save = NULL;
    /* An entry that could name something outside DIR is no output of ours. */
    for (char *t = strtok_r(text, "\n", &save); t && l.n < cap; t = strtok_r(NULL, "\n", &save))
        if (plain_rel(t))
            l.v[l.n++] = xstrdup(t);
    free(text);
    qsort(l.v, l.n, sizeof(*l.v), cmp_str);
    return l;
}

/* The new set's manifest, staged with it (not listed in itself). */
static int stage_manifest(struct outputs *o)
{
    struct names now = new_names(o);
    struct strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < now.n; i++)
        sb_printf(&sb, "%s\n", now.v[i]);
    free(now.v);
    char *path = path_join(o->dir, MANIFEST);
    int rc = outputs_add(o, path, sb.s ? sb.s : "", sb.len);
    free(path);
    sb_free(&sb);
    return rc;
}

static int commit_exchange(struct outputs *o, const struct names *old)
{
    const char *dir = o->dir ? o->dir : "out";
    struct stat ds;
    int dfd = open(o->real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int sfd = open(o->stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || sfd < 0 || fstat(dfd, &ds)) {
        int e = errno;
        if (dfd >= 0)
            close(dfd);
        if (sfd >= 0)
            close(sfd);
        return set_msg(o, "cannot write the outputs in %s: %s", dir, strerror(e));
    }
    fchmod(sfd, ds.st_mode & 07777); /* the new DIR keeps the old one's permissions */
    size_t seen = 0;
    int rc = carry_over(o, dfd, sfd, "", old, &seen);
    if (rc)
        return rc; /* 1: the fallback */
    if (sync_tree(open(o->stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC)))
        return set_msg(o, "cannot write the outputs in %s: %s", dir, strerror(errno));
    if (exchange(o->stage, o->real)) {
        int e = errno;
        if (is_fallback_errno(e))
            return 1;
        return set_msg(o, "cannot write the outputs in %s: %s", dir, strerror(e));
    }
    /* The switch is durable once the parent directory is. */
    char *parent = path_dirname(o->real);
    int prc = sync_dir(parent);
    free(parent);
    int ofd = open(o->stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int nfd = open(o->real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (ofd >= 0 && nfd >= 0)
        rescue_late(ofd, nfd, old);
    else if (ofd >= 0)
        close(ofd);
    if (nfd >= 0)
        close(nfd);
    remove_path(o->stage); /* the old set */
    free(o->stage);
    o->stage = NULL;
    if (prc)
        return set_msg(o, "the outputs in %s are switched, but syncing its directory failed: %s",
                       dir, strerror(errno));
    return 0;
}

/* Every staged file on the disk before the switch publishes it, or a power
 * loss could publish empty files. Done here, after the last file, rather
 * than at each close: the first fsync commits the file system's journal
 * for all of them, and the others find their data already written (on a
 * 768-file build this is most of the cost of syncing). */
static int sync_staged(struct outputs *o)
{
    for (size_t i = 0; i < o->files.n; i++) {
        const struct staged *st = &o->files.v[i];
        int fd = open(st->tmp, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fsync(fd)) {
            int e = errno;
            if (fd >= 0)
                close(fd);
            return set_msg(o, "cannot write %s: %s", st->final, strerror(e));
        }
        close(fd);
    }
    return 0;
}

int outputs_commit(struct outputs *o, char *const *inputs_a, size_t na, char *const *inputs_b,
                   size_t nb)
{
    /* A file left open or failed is a build that did not succeed. */
    for (size_t i = 0; i < o->files.n; i++)
        if (o->files.v[i].fd >= 0 || o->files.v[i].bad) {
            outputs_abort(o);
            return set_msg(o, "cannot write the outputs in %s: %s", o->dir ? o->dir : "out",
                           strerror(EIO));
        }
    if (o->state <= 0) { /* nothing was staged */
        outputs_abort(o);
        return 0;
    }
    struct names old = {NULL, 0};
    if (o->stage)
        old = read_manifest(o);
    int rc = check_inputs(o, inputs_a, na, inputs_b, nb, &old);
    if (!rc && o->stage && stage_manifest(o))
        rc = set_msg(o, "cannot write the outputs in %s: %s", o->dir, strerror(errno));
    if (!rc)
        rc = sync_staged(o);
    if (!rc && o->stage) {
        rc = o->in_place ? 1 : commit_exchange(o, &old);
        if (rc == 1)
            rc = commit_per_file(o, &old);
    }
    for (size_t i = 0; i < old.n; i++)
        free(old.v[i]);
    free(old.v);
    /* Files outside DIR (a depfile elsewhere) follow the switch. */
    for (size_t i = 0; i < o->files.n && !rc; i++) {
        struct staged *st = &o->files.v[i];
        if (st->rel)
            continue;
        if (rename(st->tmp, st->final)) {
            rc = set_msg(o, "cannot write %s: %s", st->final, strerror(errno));
            break;
        }
        free(st->tmp); /* in place: nothing left to remove */
        st->tmp = NULL;
        char *pd = path_dirname(st->final);
        sync_dir(pd);
        free(pd);
    }
    if (!rc)
        o->created = false; /* DIR holds the outputs now: keep it */
    char *msg = o->msg;
    o->msg = NULL;
    outputs_abort(o); /* frees; removes whatever was not switched */
    o->msg = msg;
    return rc ? -1 : 0;
}

void outputs_abort(struct outputs *o)
{
    for (size_t i = 0; i < o->files.n; i++) {
        struct staged *st = &o->files.v[i];
        if (st->fd >= 0)
            close(st->fd);
        if (st->tmp && !st->rel)
            unlink(st->tmp);
        free(st->tmp);
        free(st->rel);
        free(st->final);
    }
    VEC_FREE(&o->files);
    if (o->stage) {
        remove_path(o->stage);
        free(o->stage);
        o->stage = NULL;
    }
    /* The lock file goes while we hold it (a build waiting for it then
     * starts over), and a directory this build made and did not fill goes
     * too (rmdir fails, keeping it, if another program put a file in it). */
    if (o->lock_fd >= 0) {
        char *lock = xasprintf("%s/%s", o->real ? o->real : o->dir, LOCK_NAME);
        unlink(lock);
        free(lock);
        if (o->created)
            rmdir(o->real ? o->real : o->dir);
        o->created = false;
        close(o->lock_fd);
        o->lock_fd = -1;
    }
    free(o->real);
    o->real = NULL;
    free(o->msg);
    o->msg = NULL;
    if (o->state > 0)
        o->state = 0;
}

/* A file written whole (`dtpass init -o`): a temporary beside it, written and
 * fsynced, then link()ed to the name — which fails with EEXIST when the name
 * exists, so no existing file is ever replaced, even by a race — and the
 * temporary unlinked. */
int write_new_file(const char *path, const void *data, size_t len)
{
    char *dir = path_dirname(path);
    size_t n = strlen(dir) + 32;
    char *tmp = xmalloc(n);
    snprintf(tmp, n, "%s/.dtpass-new-XXXXXX", dir);
    free(dir);
    int fd = mkstemp(tmp), rc = -1, err = 0;
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        p += w;
        left -= (size_t)w;
    }
    mode_t mask = umask(0); /* mkstemp makes 0600; the file gets what open() would give */
    umask(mask);
    if (left || fchmod(fd, 0666 & ~mask) || fsync(fd))
        err = errno ? errno : EIO;
    if (close(fd) && !err)
        err = errno;
    if (!err && link(tmp, path) == 0)
        rc = 0;
    else if (!err)
        err = errno;
    unlink(tmp);
    free(tmp);
    if (rc)
        errno = err;
    return rc;
}
