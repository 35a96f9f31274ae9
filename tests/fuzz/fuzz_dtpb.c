/* tests/fuzz/fuzz_dtpb.c — libFuzzer target: the freestanding .dtpb reader
 * (include/dtpass/dtpb.h) on raw bytes, then every getter on every record of
 * an accepted blob, then `dtpass dump` (text and JSON) on the same bytes.
 * The blob is CRC-protected, so random mutations would almost never get past
 * the CRC check: each input is tried as given and once more with its CRC
 * field recomputed (over total_size bytes, the field read as zero), which
 * lets the fuzzer reach the section and record validation. */
#include <fcntl.h>

#include "dtpass.h"
#include "dtpass/dtpb.h"
#include "emit/emit.h"
#include "fuzz_common.h"

static void walk(const struct dtpb *b)
{
    union {
        struct dtpb_guest g;
        struct dtpb_vcpu v;
        struct dtpb_memmap m;
        struct dtpb_device d;
        struct dtpb_devreg r;
        struct dtpb_irq i;
        struct dtpb_sid s;
        struct dtpb_smmu u;
        struct dtpb_smr smr;
        struct dtpb_cb cb;
        struct dtpb_shared sh;
        struct dtpb_peer p;
        struct dtpb_load l;
        struct dtpb_qstep q;
        struct dtpb_qcell c;
    } o;
    volatile size_t sink = 0;
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_GUESTS); i++)
        if (dtpb_guest(b, i, &o.g) == 0)
            sink += strlen(dtpb_str(b, o.g.name)) + strlen(dtpb_str(b, o.g.bootargs));
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_VCPUS); i++)
        (void)dtpb_vcpu(b, i, &o.v);
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_MEMMAP); i++)
        (void)dtpb_memmap(b, i, &o.m);
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_DEVICES); i++)
        if (dtpb_device(b, i, &o.d) == 0)
            sink += strlen(dtpb_str(b, o.d.path));
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_DEVREGS); i++)
        (void)dtpb_devreg(b, i, &o.r);
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_IRQS); i++)
        (void)dtpb_irq(b, i, &o.i);
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_SIDS); i++)
        (void)dtpb_sid(b, i, &o.s);
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_SMMUS); i++)
        if (dtpb_smmu(b, i, &o.u) == 0)
            sink += strlen(dtpb_str(b, o.u.name)) + strlen(dtpb_str(b, o.u.path));
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_SMRS); i++)
        (void)dtpb_smr(b, i, &o.smr);
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_CBS); i++)
        (void)dtpb_cb(b, i, &o.cb);
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_SHARED); i++)
        if (dtpb_shared(b, i, &o.sh) == 0)
            sink += strlen(dtpb_str(b, o.sh.name));
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_PEERS); i++)
        (void)dtpb_peer(b, i, &o.p);
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_LOADMAP); i++)
        if (dtpb_load(b, i, &o.l) == 0)
            sink += strlen(dtpb_str(b, o.l.file));
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_QUIESCE); i++)
        if (dtpb_qstep(b, i, &o.q) == 0) {
            sink += strlen(dtpb_str(b, o.q.provider));
            struct dtpb_qcell c;
            for (uint32_t k = 0; k < o.q.ncells; k++) /* dtpb_open proved the range */
                if (dtpb_qcell(b, o.q.first_cell + k, &c) != 0)
                    __builtin_trap();
        }
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_QCELLS); i++)
        (void)dtpb_qcell(b, i, &o.c);
    /* out-of-range indices must be refused, not read */
    (void)dtpb_guest(b, UINT32_MAX, &o.g);
    (void)dtpb_str(b, UINT32_MAX);
    (void)sink;
}

static void try_blob(const uint8_t *data, size_t size)
{
    struct dtpb b;
    int rc = dtpb_open(&b, data, size);
    (void)dtpb_strerror(rc);
    if (rc == 0)
        walk(&b);
}

static void dump(const char *path, bool json)
{
    struct dtpass_ctx ctx = {0};
    diag_init(&ctx.diag);
    ctx.opt.command = "dump";
    ctx.opt.input = path;
    ctx.opt.json = json;
    dump_file(&ctx);
    fuzz_render(&ctx.diag);
    diag_free(&ctx.diag);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        /* dump prints on stdout: keep the fuzzer's console readable */
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            fflush(stdout);
            dup2(fd, 1);
            close(fd);
        }
        init = 1;
    }
    try_blob(data, size);

    uint8_t *fixed = NULL;
    if (size >= DTPB_HEADER_SIZE) {
        fixed = xmalloc(size);
        memcpy(fixed, data, size);
        uint32_t total = get_le32(fixed + DTPB_H_TOTAL);
        if (total >= DTPB_HEADER_SIZE && total <= size) {
            static const uint8_t zeros[4];
            uint32_t crc = dtpb_crc32(0, fixed, DTPB_H_CRC);
            crc = dtpb_crc32(crc, zeros, 4);
            crc = dtpb_crc32(crc, fixed + DTPB_H_CRC + 4, total - DTPB_H_CRC - 4);
            put_le32(fixed + DTPB_H_CRC, crc);
            try_blob(fixed, size);
            /* the blob cut at total_size, as a loader would pass it (its own
             * allocation, so ASan sees a read past total_size) */
            uint8_t *cut = xmalloc(total);
            memcpy(cut, fixed, total);
            try_blob(cut, total);
            free(cut);
        }
    }
    const char *path = fuzz_write("in.dtpb", fixed ? fixed : data, size);
    dump(path, false);
    dump(path, true);
    free(fixed);
    return 0;
}
