/* Unit tests for util/: numbers and sizes, checked arithmetic, the hash
 * map, vectors, strbuf and staged outputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

static uint64_t num(const char *s, bool suffix)
{
    uint64_t v = 0;
    const char *err = parse_u64(s, strlen(s), suffix, &v);
    assert_null(err);
    return v;
}

static const char *num_err(const char *s, bool suffix)
{
    uint64_t v = 0;
    return parse_u64(s, strlen(s), suffix, &v);
}

static void test_util_numbers(void **state)
{
    (void)state;
    assert_int_equal(num("0", false), 0);
    assert_int_equal(num("4096", false), 4096);
    assert_int_equal(num("0x1000", false), 0x1000);
    assert_int_equal(num("0XfF", false), 0xff);
    assert_int_equal(num("0b101", false), 5);
    assert_int_equal(num("0x8000_0000", false), 0x80000000u);
    assert_int_equal(num("1_000_000", false), 1000000);
    assert_int_equal(num("18446744073709551615", false), UINT64_MAX);
    assert_int_equal(num("0xffffffffffffffff", false), UINT64_MAX);
}

static void test_util_sizes(void **state)
{
    (void)state;
    assert_int_equal(num("4K", true), 4096);
    assert_int_equal(num("512M", true), 512ull << 20);
    assert_int_equal(num("2G", true), 2ull << 30);
    assert_int_equal(num("1T", true), 1ull << 40);
    assert_int_equal(num("0x10M", true), 16ull << 20);
    assert_int_equal(num("16777215T", true), 16777215ull << 40);
}

static void test_util_number_errors(void **state)
{
    (void)state;
    assert_non_null(num_err("", false));
    assert_non_null(num_err("x", false));
    assert_non_null(num_err("0x", false));
    assert_non_null(num_err("12a", false));
    assert_non_null(num_err("0b102", false));
    assert_non_null(num_err("_1", false));
    assert_non_null(num_err("1__0", false));
    assert_non_null(num_err("1_", false));
    assert_non_null(num_err("4K", false));         /* suffix not allowed */
    assert_non_null(num_err("4k", true));          /* lowercase is not a suffix */
    assert_non_null(num_err("4KB", true));
    assert_non_null(num_err("18446744073709551616", false));
    assert_non_null(num_err("0x10000000000000000", false));
    assert_non_null(num_err("16777216T", true));   /* 2^64 */
    assert_string_equal(num_err("99999999999999999999", false), "number does not fit in 64 bits");
}

static void test_util_checked_arith(void **state)
{
    (void)state;
    uint64_t r = 7, last;
    assert_true(u64_add(1, 2, &r));
    assert_int_equal(r, 3);
    assert_false(u64_add(UINT64_MAX, 1, &r));
    assert_int_equal(r, 3); /* untouched */
    assert_false(u64_mul(1ull << 32, 1ull << 32, &r));
    assert_true(range_end(0x1000, 0x1000, &last));
    assert_int_equal(last, 0x1fff);
    assert_true(range_end(UINT64_MAX, 1, &last));
    assert_false(range_end(UINT64_MAX, 2, &last));
    assert_false(range_end(0, 0, &last));
    assert_true(ranges_overlap(0x1000, 0x1000, 0x1fff, 1));
    assert_false(ranges_overlap(0x1000, 0x1000, 0x2000, 1));
    assert_true(ranges_overlap(0xfffffffffffff000ull, 0x1000, 0xffffffffffffffffull, 1));
}

static void test_util_strmap(void **state)
{
    (void)state;
    struct strmap m;
    char keys[2000][16];
    strmap_init(&m);
    for (int i = 0; i < 2000; i++) {
        snprintf(keys[i], sizeof keys[i], "k%d", i);
        assert_null(strmap_put(&m, keys[i], &keys[i]));
    }
    for (int i = 0; i < 2000; i++)
        assert_ptr_equal(strmap_get(&m, keys[i]), &keys[i]);
    assert_null(strmap_get(&m, "absent"));
    assert_ptr_equal(strmap_put(&m, "k5", NULL), &keys[5]);
    assert_int_equal(m.n, 2000);
    strmap_free(&m);
}

static void test_util_vec_strbuf(void **state)
{
    (void)state;
    VEC(int) v = {0};
    for (int i = 0; i < 1000; i++)
        VEC_PUSH(&v, i);
    int *z = VEC_ADD(&v);
    assert_int_equal(*z, 0);
    assert_int_equal(v.n, 1001);
    assert_int_equal(v.v[999], 999);
    VEC_FREE(&v);

    struct strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "%s=%d", "a", 1);
    sb_json_str(&sb, "q\"\\\n\x01");
    assert_string_equal(sb.s, "a=1\"q\\\"\\\\\\n\\u0001\"");
    sb_free(&sb);

    char buf[32];
    format_size(buf, sizeof buf, 512ull << 20);
    assert_string_equal(buf, "512M");
    format_size(buf, sizeof buf, 0x1234);
    assert_string_equal(buf, "0x1234");
}

/* dir/sub holds exactly n entries (no temporaries left behind); then the
 * whole test directory goes. */
static void assert_files_then_remove(const char *dir, const char *sub, int n)
{
    char *cmd = xasprintf("test $(ls %s/%s | wc -l) -eq %d", dir, sub, n);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    cmd = xasprintf("rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

/* read_file: a regular file at its size (empty, exact, one byte over the
 * limit refused before reading), and a stream without a size (/dev/zero)
 * cut at the limit. */
static void test_util_read_file(void **state)
{
    (void)state;
    char path[] = "/tmp/dtpass-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = 99;
    char *t = read_file(path, 10, &len);
    assert_non_null(t);
    assert_int_equal(len, 0);
    assert_string_equal(t, "");
    free(t);
    assert_int_equal(write(fd, "0123456789", 10), 10);
    close(fd);
    t = read_file(path, 10, &len);
    assert_int_equal(len, 10);
    assert_string_equal(t, "0123456789");
    free(t);
    errno = 0;
    assert_null(read_file(path, 9, &len));
    assert_int_equal(errno, EFBIG);
    unlink(path);
    errno = 0;
    assert_null(read_file("/dev/zero", 100000, &len));
    assert_int_equal(errno, EFBIG);
    errno = 0;
    assert_null(read_file("/nonexistent/x", 10, &len));
    assert_int_equal(errno, ENOENT);
}

static void test_util_outputs_atomic(void **state)
{
    (void)state;
    char dir[] = "/tmp/dtpass-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/sub/a.txt", dir);
    struct outputs o;

    /* A committed build writes the file. */
    outputs_init(&o);
    assert_int_equal(outputs_add(&o, path, "good", 4), 0);
    assert_int_equal(outputs_commit(&o, NULL, 0, NULL, 0), 0);
    size_t len;
    char *text = read_file(path, 100, &len);
    assert_string_equal(text, "good");
    free(text);

    /* An aborted build leaves it untouched and no temporaries behind. */
    outputs_init(&o);
    assert_int_equal(outputs_add(&o, path, "bad", 3), 0);
    outputs_abort(&o);
    text = read_file(path, 100, &len);
    assert_string_equal(text, "good");
    free(text);
    assert_files_then_remove(dir, "sub", 1);
    free(path);
}

/* With an output directory: the set switches whole (an output of the
 * previous set that the new one lacks goes, a file dtpass did not write
 * stays, the manifest lists the set), and an output that is an input is
 * refused before anything changes. */
static void test_util_outputs_set(void **state)
{
    (void)state;
    char dir[] = "/tmp/dtpass-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *out = xasprintf("%s/out", dir), *a = xasprintf("%s/a.dtb", out),
         *b = xasprintf("%s/xen/b.dtb", out), *mine = xasprintf("%s/mine.txt", out);
    struct outputs o;
    outputs_init(&o);
    o.dir = out;
    assert_int_equal(outputs_add(&o, a, "A1", 2), 0);
    assert_int_equal(outputs_add(&o, b, "B1", 2), 0);
    assert_int_equal(outputs_commit(&o, NULL, 0, NULL, 0), 0);
    outputs_abort(&o);
    FILE *f = fopen(mine, "w");
    assert_non_null(f);
    fputs("mine", f);
    fclose(f);

    /* a.dtb is an input of the next build: refused, nothing changes. */
    char *inputs[] = {a};
    outputs_init(&o);
    o.dir = out;
    assert_int_equal(outputs_add(&o, a, "A2", 2), 0);
    assert_int_not_equal(outputs_commit(&o, inputs, 1, NULL, 0), 0);
    assert_non_null(o.msg);
    assert_non_null(strstr(o.msg, "is the input"));
    outputs_abort(&o);
    size_t len;
    char *t = read_file(a, 10, &len);
    assert_string_equal(t, "A1");
    free(t);

    /* Only a.dtb now: xen/b.dtb goes with its directory, mine.txt stays. */
    outputs_init(&o);
    o.dir = out;
    assert_int_equal(outputs_add(&o, a, "A3", 2), 0);
    assert_int_equal(outputs_commit(&o, NULL, 0, NULL, 0), 0);
    outputs_abort(&o);
    t = read_file(a, 10, &len);
    assert_string_equal(t, "A3");
    free(t);
    t = read_file(mine, 10, &len);
    assert_string_equal(t, "mine");
    free(t);
    char *xen = xasprintf("%s/xen", out), *man = xasprintf("%s/.dtpass-outputs", out);
    struct stat st;
    assert_int_not_equal(stat(xen, &st), 0);
    t = read_file(man, 100, &len);
    assert_string_equal(t, "a.dtb\n");
    free(t);
    assert_files_then_remove(dir, "out", 2); /* a.dtb, mine.txt (ls hides the manifest) */
    free(xen), free(man), free(out), free(a), free(b), free(mine);
}

/* A file written in pieces is exactly their concatenation, across the
 * buffer boundary and with pieces larger than the buffer; a build that
 * commits with a file still open fails and leaves the old outputs. */
static void test_util_outputs_stream(void **state)
{
    (void)state;
    char dir[] = "/tmp/dtpass-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/s.bin", dir);
    size_t total = 3 * OUTFILE_BUF + 12345;
    unsigned char *want = xmalloc(total);
    for (size_t i = 0; i < total; i++)
        want[i] = (unsigned char)(i * 7 + i / 251);
    struct outputs o;
    struct outfile f;
    outputs_init(&o);
    assert_int_equal(outputs_open(&o, path, &f), 0);
    size_t at = 0, piece = 1;
    while (at < total) { /* 1, 2, 4, ... bytes: small, then over OUTFILE_BUF */
        size_t n = piece < total - at ? piece : total - at;
        assert_int_equal(outputs_write(&f, want + at, n), 0);
        at += n;
        piece *= 2;
    }
    assert_int_equal(outputs_write(&f, want, 0), 0);
    assert_int_equal(outputs_close(&f), 0);
    assert_int_equal(outputs_commit(&o, NULL, 0, NULL, 0), 0);
    size_t len;
    char *got = read_file(path, total + 1, &len);
    assert_int_equal(len, total);
    assert_memory_equal(got, want, total);
    free(got);

    outputs_init(&o);
    assert_int_equal(outputs_open(&o, path, &f), 0);
    assert_int_equal(outputs_write(&f, "new", 3), 0);
    assert_int_not_equal(outputs_commit(&o, NULL, 0, NULL, 0), 0); /* still open: not a finished build */
    outputs_abort(&o); /* frees the message */
    free(f.buf);
    got = read_file(path, total + 1, &len);
    assert_int_equal(len, total);
    free(got);
    assert_files_then_remove(dir, ".", 1);
    free(want);
    free(path);
}

static void test_util_paths(void **state)
{
    (void)state;
    char *d = path_dirname("a/b/c.yaml");
    assert_string_equal(d, "a/b");
    char *j = path_join(d, "board.dts");
    assert_string_equal(j, "a/b/board.dts");
    free(j);
    j = path_join(d, "/abs.dtb");
    assert_string_equal(j, "/abs.dtb");
    free(j);
    free(d);
    d = path_dirname("c.yaml");
    assert_string_equal(d, ".");
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_util_numbers),
        cmocka_unit_test(test_util_sizes),
        cmocka_unit_test(test_util_number_errors),
        cmocka_unit_test(test_util_checked_arith),
        cmocka_unit_test(test_util_strmap),
        cmocka_unit_test(test_util_vec_strbuf),
        cmocka_unit_test(test_util_read_file),
        cmocka_unit_test(test_util_outputs_atomic),
        cmocka_unit_test(test_util_outputs_stream),
        cmocka_unit_test(test_util_outputs_set),
        cmocka_unit_test(test_util_paths),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
