/* tests/io-fault.c — an LD_PRELOAD library that makes one system call of
 * dtpass fail, as a full disk or a dying one would, for tests/suite-io.sh
 * and tests/suite-atomic.sh. DTPASS_FAULT=CALL:N makes the Nth call of CALL
 * fail: write (on files, not stdout/stderr; ENOSPC), fsync, rename,
 * renameat2, linkat, mkdir (EIO). DTPASS_FAULT=CALL:N:EINVAL (or EPERM)
 * fails it with that errno instead, as a file system lacking the operation
 * would. Built by the suites with the system's cc:
 *   cc -shared -fPIC -o io-fault.so tests/io-fault.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int hit(const char *call)
{
    static long count;
    const char *f = getenv("DTPASS_FAULT");
    size_t n = strlen(call);
    if (!f || strncmp(f, call, n) || f[n] != ':')
        return 0;
    return ++count == atol(f + n + 1);
}

/* The errno to fail with: the third field, else the call's own. */
static int fault_errno(int dflt)
{
    const char *f = getenv("DTPASS_FAULT");
    const char *e = f ? strchr(f, ':') : NULL;
    e = e ? strchr(e + 1, ':') : NULL;
    if (!e)
        return dflt;
    if (!strcmp(e + 1, "EINVAL"))
        return EINVAL;
    if (!strcmp(e + 1, "EPERM"))
        return EPERM;
    return dflt;
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t write(int fd, const void *buf, size_t len)
{
    if (fd > 2 && hit("write")) {
        errno = ENOSPC;
        return -1;
    }
    return NEXT(write)(fd, buf, len);
}

int fsync(int fd)
{
    if (hit("fsync")) {
        errno = EIO;
        return -1;
    }
    return NEXT(fsync)(fd);
}

int rename(const char *a, const char *b)
{
    if (hit("rename")) {
        errno = EIO;
        return -1;
    }
    return NEXT(rename)(a, b);
}

int renameat2(int da, const char *a, int db, const char *b, unsigned flags)
{
    if (hit("renameat2")) {
        errno = fault_errno(EIO);
        return -1;
    }
    return NEXT(renameat2)(da, a, db, b, flags);
}

int linkat(int da, const char *a, int db, const char *b, int flags)
{
    if (hit("linkat")) {
        errno = fault_errno(EIO);
        return -1;
    }
    return NEXT(linkat)(da, a, db, b, flags);
}

int mkdir(const char *p, mode_t m)
{
    if (hit("mkdir")) {
        errno = EIO;
        return -1;
    }
    return NEXT(mkdir)(p, m);
}
