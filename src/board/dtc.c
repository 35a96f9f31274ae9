/* board/dtc.c — DTS boards: runs the real C preprocessor (when the source
 * has #include, the way the Linux kernel builds its DTBs) and the real dtc,
 * with argv vectors (no shell), in a private temporary directory. dtc's
 * error messages become board-invalid findings at their file:line, and the
 * dependency files of cpp (-MD) and dtc (-d) name every file read, for -M.
 *
 * dtc runs once on the success path. The DTS position of each node (for
 * "board node ... is defined here" and board findings at file:line) needs a
 * second dtc run (-T, annotated DTS output), so it is made only when a
 * diagnostic first asks for a position (board_lazy_positions): a clean
 * build pays for one dtc run, a build with findings gets the same positions
 * as before.
 *
 * $DTPASS_DTC and $DTPASS_CPP override the programs (default: dtc and cpp
 * from PATH). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "board/internal.h"

extern char **environ;

#define DTS_MAX_SIZE (64u << 20)
#define LOG_MAX_SIZE (4u << 20)
/* dtc or cpp running longer than this is killed (a 100k-node DTS takes
 * ~5 s of CPU). */
#define TOOL_TIMEOUT_S 300
/* Node positions (a second dtc run) for DTS boards up to this size. */
#define POSITIONS_MAX_INPUT (1u << 20)

/* The deadline in seconds ($DTPASS_TOOL_TIMEOUT overrides, for tests). */
static long tool_timeout(void)
{
    const char *e = getenv("DTPASS_TOOL_TIMEOUT");
    long v = e ? strtol(e, NULL, 10) : 0;
    return v > 0 ? v : TOOL_TIMEOUT_S;
}

/* Runs argv[0] (PATH search) with stdout and stderr to files; returns the
 * exit status, or -1 (errno; ETIMEDOUT after the deadline) when it could
 * not run. */
static int run(char *const argv[], const char *out, const char *err)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc) {
        errno = rc;
        return -1;
    }
    /* A hostile source can make dtc read forever (/include/ "/dev/zero"):
     * the child gets a deadline, then SIGKILL. */
    int st = 0;
    struct timespec start, now, nap = {0, 1000000};
    clock_gettime(CLOCK_MONOTONIC, &start);
#ifdef SYS_pidfd_open
    /* A pidfd becomes readable the moment the child exits: no polling
     * latency (dtc on a small board takes a few ms). Without one (older
     * kernels), the sleeping loop below. */
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pfd >= 0) {
        struct pollfd pl = {.fd = pfd, .events = POLLIN};
        long left_ms = tool_timeout() * 1000L;
        while (left_ms > 0) {
            int r = poll(&pl, 1, left_ms > 1000 ? 1000 : (int)left_ms);
            if (r > 0)
                break;
            if (r < 0 && errno != EINTR)
                break;
            clock_gettime(CLOCK_MONOTONIC, &now);
            left_ms = tool_timeout() * 1000L - ((now.tv_sec - start.tv_sec) * 1000L +
                                                (now.tv_nsec - start.tv_nsec) / 1000000L);
        }
        close(pfd);
    }
#endif
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR)
            return -1;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= tool_timeout()) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
            errno = ETIMEDOUT;
            return -1;
        }
        nanosleep(&nap, NULL);
        if (nap.tv_nsec < 32000000)
            nap.tv_nsec *= 2; /* 1, 2, 4 ... 32 ms: quick tools return quickly */
    }
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* The source has a preprocessor #include (at the start of a line, after
 * blanks): dtc's own /include/ needs no cpp. */
static bool needs_cpp(const char *text)
{
    for (const char *p = text; p && *p;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '#') {
            p++;
            while (*p == ' ' || *p == '\t')
                p++;
            if (!strncmp(p, "include", 7) || !strncmp(p, "define", 6) || !strncmp(p, "if", 2))
                return true;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return false;
}

static void add_input(struct board *b, const char *path)
{
    for (size_t i = 0; i < b->inputs.n; i++)
        if (!strcmp(b->inputs.v[i], path))
            return;
    VEC_PUSH(&b->inputs, xstrdup(path));
}

/* Make-style dependency file: "target: dep dep \\\n dep". Every
 * prerequisite except our own temporaries is an input. */
static void read_depfile(struct board *b, const char *depfile, const char *tmpdir)
{
    size_t len;
    char *text = read_file(depfile, LOG_MAX_SIZE, &len);
    if (!text)
        return;
    char *p = strchr(text, ':');
    if (!p) {
        free(text);
        return;
    }
    p++;
    struct strbuf tok;
    sb_init(&tok);
    size_t tl = strlen(tmpdir);
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || (*p == '\\' && p[1] == '\n'))
            p += (*p == '\\') ? 2 : 1;
        if (!*p)
            break;
        sb_free(&tok);
        sb_init(&tok);
        while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
            if (*p == '\\' && (p[1] == ' ' || p[1] == '#' || p[1] == '\\')) {
                sb_putc(&tok, p[1]);
                p += 2;
                continue;
            }
            if (*p == '\\' && p[1] == '\n')
                break;
            sb_putc(&tok, *p++);
        }
        /* A later rule's target ("x:"): never a file we read. */
        if (tok.len && tok.s[tok.len - 1] == ':')
            continue;
        if (tok.len && strncmp(tok.s, tmpdir, tl) != 0)
            add_input(b, tok.s);
    }
    sb_free(&tok);
    free(text);
}

typedef VEC(const char *) argvec;

/* A preprocessor or compiler command line: the program, its fixed
 * options, the board's own directory then every -I directory as include
 * paths (each after incflag: dtc's "-i", cpp's "-I"), then the tail
 * (output and input). */
static void tool_argv(argvec *argv, const char *prog, const char *const *fixed, size_t nfixed,
                      const char *incflag, const char *boarddir, const char *const *incdirs,
                      size_t nincdirs, const char *const *tail, size_t ntail)
{
    argv->n = 0;
    VEC_PUSH(argv, prog);
    for (size_t i = 0; i < nfixed; i++)
        VEC_PUSH(argv, fixed[i]);
    VEC_PUSH(argv, incflag);
    VEC_PUSH(argv, boarddir);
    for (size_t i = 0; i < nincdirs; i++) {
        VEC_PUSH(argv, incflag);
        VEC_PUSH(argv, incdirs[i]);
    }
    for (size_t i = 0; i < ntail; i++)
        VEC_PUSH(argv, tail[i]);
    VEC_PUSH(argv, NULL);
}

/* One dtc command line: its fixed options, the include paths, the input. */
static void dtc_argv(argvec *argv, const char *const *incdirs, size_t nincdirs, const char *prog,
                     const char *const *fixed, size_t nfixed, const char *boarddir,
                     const char *input)
{
    tool_argv(argv, prog, fixed, nfixed, "-i", boarddir, incdirs, nincdirs, &input, 1);
}

/* The cpp command line: DTS conventions (no standard includes, no
 * predefined macros, __DTS__), the include paths, a dependency file, the
 * output file, the input. */
static void cpp_argv(argvec *argv, const char *const *incdirs, size_t nincdirs, const char *prog,
                     const char *boarddir, const char *depfile, const char *out, const char *input)
{
    static const char *const fixed[] = {"-nostdinc", "-undef", "-D__DTS__", "-x", "assembler-with-cpp"};
    const char *tail[] = {"-MD", "-MF", depfile, "-MT", "board", "-o", out, input};
    tool_argv(argv, prog, fixed, ARRAY_SIZE(fixed), "-I", boarddir, incdirs, nincdirs, tail,
              ARRAY_SIZE(tail));
}

static const char *prog_env(const char *var, const char *dflt)
{
    const char *p = getenv(var);
    return p && *p ? p : dflt;
}

static const char *parse_dtc_pos(struct bload *c, const char *s, struct srcpos *pos)
{
    for (const char *q = s; (q = strchr(q, ':')) != NULL; q++) {
        const char *r = q + 1;
        if (*r < '0' || *r > '9')
            continue;
        unsigned long line = strtoul(r, (char **)&r, 10), col = 0;
        if (*r == '.') /* dtc: FILE:LINE.COL-LINE.COL: */
            col = strtoul(r + 1, (char **)&r, 10);
        else if (*r == ':' && r[1] >= '0' && r[1] <= '9') /* cpp: FILE:LINE:COL: */
            col = strtoul(r + 1, (char **)&r, 10);
        while (*r && *r != ':' && *r != ' ')
            r++; /* "-5.12" range end */
        if ((*r != ':' && *r != ' ') || line == 0 || line > UINT32_MAX)
            continue; /* dtc's "Error: FILE:L.C-C syntax error" has no colon */
        char *file = xstrndup(s, (size_t)(q - s));
        pos->file = diag_intern(c->d, file);
        pos->line = (uint32_t)line;
        pos->col = (uint32_t)(col > UINT32_MAX ? 0 : col);
        free(file);
        r++;
        while (*r == ' ')
            r++;
        return r;
    }
    return NULL;
}

/* Lends the text of a file dtc complained about to the sink, so the
 * diagnostic can quote the line. */
static void add_source_once(struct diag_sink *d, const char *file)
{
    if (strmap_get(&d->sources, file))
        return;
    size_t len;
    char *text = read_file(file, DTS_MAX_SIZE, &len);
    if (text) {
        diag_add_source(d, file, text, len);
        free(text);
    }
}

/* Every line dtc (or cpp) printed on stderr, as findings. */
static void report_log(struct bload *c, const char *log, const char *tool, const char *tmpfile,
                       const char *board)
{
    size_t len, reported = 0;
    char *text = read_file(log, LOG_MAX_SIZE, &len);
    if (!text)
        return;
    const char *summary = NULL;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (!*line)
            continue;
        const char *msg = line;
        if (!strncmp(msg, "Error: ", 7))
            msg += 7;
        else if (!strncmp(msg, "Warning: ", 9))
            msg += 9;
        struct srcpos pos = {.file = c->b->file};
        const char *rest = parse_dtc_pos(c, msg, &pos);
        if (!rest) {
            /* "ERROR: Input tree has errors" and friends: keep the last one
             * in case nothing else explains the failure. */
            summary = line;
            continue;
        }
        if (tmpfile && pos.file && !strcmp(pos.file, tmpfile))
            pos.file = c->b->file; /* cpp output without line markers */
        add_source_once(c->d, pos.file);
        diag_report(c->d, CK_BOARD_INVALID, pos, "%s: %s", tool, rest);
        reported++;
    }
    if (!reported)
        diag_report(c->d, CK_BOARD_INVALID, (struct srcpos){.file = c->b->file}, "%s failed on %s%s%s", tool,
                    board, summary ? ": " : "", summary ? summary : "");
    free(text);
}

static const char *tmp_root(void)
{
    const char *t = getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

/* What the on-demand positions run needs: the board as given and how it was
 * compiled (the include directories are copied: the options need not
 * outlive loading). */
struct dts_positions {
    char *file;
    char **incdirs;
    size_t nincdirs;
    bool cpp;
    bool ready;              /* the tree is built: positions may be asked for */
    bool tried;              /* the dtc -T run was made (successful or not) */
    struct diag_sink *d;     /* interns file names, takes quoted sources; it
                                outlives every diagnostic made on the board */
    struct srcpos *src;      /* per node index, or NULL */
};

void board_positions_free(struct dts_positions *p)
{
    if (!p)
        return;
    free(p->file);
    for (size_t i = 0; i < p->nincdirs; i++)
        free(p->incdirs[i]);
    free(p->incdirs);
    free(p->src);
    free(p);
}

/* A private temporary directory, or NULL (errno set). */
static char *make_tmpdir(void)
{
    char *dir = xasprintf("%s/dtpass-XXXXXX", tmp_root());
    if (!mkdtemp(dir)) {
        free(dir);
        return NULL;
    }
    return dir;
}

int board_compile_dts(struct bload *c, const char *file, void **blob, size_t *size)
{
    struct board *b = c->b;
    size_t len;
    char *text = read_file(file, DTS_MAX_SIZE, &len);
    if (!text) {
        diag_fatal(c->d, NOPOS, "cannot read board %s: %s", file, strerror(errno));
        return -1;
    }
    bool cpp = needs_cpp(text);
    size_t in_size = len;
    free(text);

    char *dir = make_tmpdir();
    if (!dir) {
        diag_fatal(c->d, NOPOS, "cannot create a temporary directory in %s: %s", tmp_root(), strerror(errno));
        return -1;
    }
    char *pp = xasprintf("%s/board.pp.dts", dir), *dtb = xasprintf("%s/board.dtb", dir);
    char *cppdep = xasprintf("%s/cpp.d", dir), *dtcdep = xasprintf("%s/dtc.d", dir);
    char *log = xasprintf("%s/stderr", dir);
    char *boarddir = path_dirname(file);
    const char *dtc_prog = prog_env("DTPASS_DTC", "dtc"), *cpp_prog = prog_env("DTPASS_CPP", "cpp");
    argvec argv = {0};
    int rc = -1;
    const char *input = file;

    if (cpp) {
        cpp_argv(&argv, c->opt->incdirs, c->opt->nincdirs, cpp_prog, boarddir, cppdep, pp, file);
        int st = run((char *const *)argv.v, NULL, log);
        if (st < 0) {
            if (errno == ETIMEDOUT)
                board_invalid(c, NULL, "%s did not finish within %ld s on %s", cpp_prog, tool_timeout(), file);
            else
                diag_fatal(c->d, NOPOS, "cannot run %s: %s", cpp_prog, strerror(errno));
            goto out;
        }
        if (st != 0) {
            report_log(c, log, "cpp", NULL, file);
            goto out;
        }
        read_depfile(b, cppdep, dir);
        input = pp;
        struct stat st_pp;
        if (stat(pp, &st_pp) == 0)
            in_size = (size_t)st_pp.st_size; /* what dtc will parse */
    }

    const char *fixed[] = {"-@", "-q", "-I", "dts", "-O", "dtb", "-d", dtcdep, "-o", dtb};
    dtc_argv(&argv, c->opt->incdirs, c->opt->nincdirs, dtc_prog, fixed, ARRAY_SIZE(fixed), boarddir, input);
    int st = run((char *const *)argv.v, NULL, log);
    if (st < 0) {
        if (errno == ETIMEDOUT)
            board_invalid(c, NULL, "%s did not finish within %ld s on %s", dtc_prog, tool_timeout(), file);
        else
            diag_fatal(c->d, NOPOS, "cannot run %s: %s (install device-tree-compiler)", dtc_prog,
                       strerror(errno));
        goto out;
    }
    if (st != 0) {
        report_log(c, log, "dtc", pp, file);
        goto out;
    }
    read_depfile(b, dtcdep, dir);
    *blob = read_file(dtb, DTS_MAX_SIZE, size);
    if (!*blob) {
        diag_fatal(c->d, NOPOS, "cannot read the blob dtc wrote: %s", strerror(errno));
        goto out;
    }
    rc = 0;

    /* Node positions come from a second dtc run, made when a diagnostic
     * first needs one, and only for boards of hand-written size. */
    if (in_size <= POSITIONS_MAX_INPUT) {
        struct dts_positions *p = xcalloc(1, sizeof(*p));
        p->file = xstrdup(file);
        p->cpp = cpp;
        p->d = c->d;
        p->nincdirs = c->opt->nincdirs;
        p->incdirs = xcalloc(p->nincdirs ? p->nincdirs : 1, sizeof(*p->incdirs));
        for (size_t i = 0; i < p->nincdirs; i++)
            p->incdirs[i] = xstrdup(c->opt->incdirs[i]);
        board_positions_free(c->s->positions);
        c->s->positions = p;
    }

out:
    unlink(pp);
    unlink(dtb);
    unlink(cppdep);
    unlink(dtcdep);
    unlink(log);
    rmdir(dir);
    free(pp);
    free(dtb);
    free(cppdep);
    free(dtcdep);
    free(log);
    free(dir);
    free(boarddir);
    VEC_FREE(&argv);
    return rc;
}

/* The annotated DTS of the board (dtc -T -O dts, through cpp as when it was
 * compiled), or NULL when a tool fails (then no node has a position). */
static char *annotate(const struct dts_positions *p)
{
    char *dir = make_tmpdir();
    if (!dir)
        return NULL;
    char *pp = xasprintf("%s/board.pp.dts", dir), *cppdep = xasprintf("%s/cpp.d", dir);
    char *log = xasprintf("%s/stderr", dir), *annfile = xasprintf("%s/annotated.dts", dir);
    char *boarddir = path_dirname(p->file);
    const char *const *inc = (const char *const *)p->incdirs;
    argvec argv = {0};
    char *text = NULL;
    const char *input = p->file;
    if (p->cpp) {
        cpp_argv(&argv, inc, p->nincdirs, prog_env("DTPASS_CPP", "cpp"), boarddir, cppdep, pp, p->file);
        if (run((char *const *)argv.v, NULL, log) != 0)
            goto out;
        input = pp;
    }
    const char *ann[] = {"-@", "-q", "-T", "-I", "dts", "-O", "dts", "-o", annfile};
    dtc_argv(&argv, inc, p->nincdirs, prog_env("DTPASS_DTC", "dtc"), ann, ARRAY_SIZE(ann), boarddir, input);
    size_t alen;
    if (run((char *const *)argv.v, NULL, log) == 0)
        text = read_file(annfile, DTS_MAX_SIZE, &alen);
out:
    unlink(pp);
    unlink(cppdep);
    unlink(log);
    unlink(annfile);
    rmdir(dir);
    free(pp);
    free(cppdep);
    free(log);
    free(annfile);
    free(dir);
    free(boarddir);
    VEC_FREE(&argv);
    return text;
}

/* The file dtc names in an annotation: dtc shortens the main file to its
 * base name; included files are as found. */
static const char *position_file(const struct board *b, const struct dts_positions *p, const char *name,
                                 struct strmap *cache)
{
    const char *hit = strmap_get(cache, name);
    if (hit)
        return hit;
    const char *board = b->file, *slash = strrchr(board, '/');
    const char *base = slash ? slash + 1 : board;
    char *path = NULL;
    if (!strcmp(name, base) || !strcmp(name, board)) {
        path = xstrdup(board);
    } else if (name[0] == '/' || access(name, F_OK) == 0) {
        path = xstrdup(name);
    } else {
        char *dir = path_dirname(board);
        path = path_join(dir, name);
        free(dir);
        for (size_t i = 0; access(path, F_OK) != 0 && i < p->nincdirs; i++) {
            free(path);
            path = path_join(p->incdirs[i], name);
        }
        if (access(path, F_OK) != 0) {
            free(path);
            path = xstrdup(name);
        }
    }
    const char *interned = diag_intern(p->d, path);
    add_source_once(p->d, interned); /* findings on board nodes quote their line */
    free(path);
    strmap_put(cache, name, (void *)interned); /* name lives in the text, which outlives the map */
    return interned;
}

/* Per node (blob order = DTS order) its file:line from the annotated DTS,
 * or NULL when the text is not the tree that was loaded. */
static struct srcpos *parse_positions(const struct board *b, const struct dts_positions *p, char *text)
{
    struct strmap cache;
    strmap_init(&cache);
    struct srcpos *src = xcalloc(b->nnodes ? b->nnodes : 1, sizeof(*src));
    uint32_t i = 0;
    bool ok = true;
    for (char *line = text, *next; line && *line && ok; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        /* A line ending in "{" (before dtc's position comment, if any)
         * opens a node; property lines end in ";". Generated nodes
         * (__symbols__) have no comment but still count. */
        char *cm = strstr(line, " /* ");
        char *stop = cm ? cm : line + strlen(line);
        while (stop > line && (stop[-1] == ' ' || stop[-1] == '\t' || stop[-1] == '\r'))
            stop--;
        if (stop == line || stop[-1] != '{')
            continue;
        if (i >= b->nnodes) {
            ok = false;
            break;
        }
        if (cm) {
            char *pos = cm + 4, *end = pos + strcspn(pos, ", *");
            char *colon = NULL;
            for (char *q = pos; q < end; q++)
                if (*q == ':')
                    colon = q;
            if (colon) {
                *colon = '\0';
                src[i].file = position_file(b, p, pos, &cache);
                src[i].line = (uint32_t)strtoul(colon + 1, NULL, 10);
            }
        }
        i++;
    }
    if (!ok || i != b->nnodes) { /* not the tree we loaded: trust no position */
        free(src);
        src = NULL;
    }
    strmap_free(&cache);
    return src;
}

void board_apply_positions(struct bload *c)
{
    if (c->s->positions)
        c->s->positions->ready = true;
}

const struct srcpos *board_lazy_positions(const struct board *b)
{
    struct dts_positions *p = b->store ? b->store->positions : NULL;
    if (!p || !p->ready)
        return NULL;
    if (!p->tried) { /* one attempt: a failing dtc -T is not retried per finding */
        p->tried = true;
        char *text = annotate(p);
        if (text)
            p->src = parse_positions(b, p, text);
        free(text);
    }
    return p->src;
}
