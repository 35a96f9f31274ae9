/* targets/qnx/qnx.c — target `qnx`: the system compiled for the QNX
 * Hypervisor (docs/qnx.md), one qvm process per guest. Owns, in DIR/qnx/:
 *   <guest>.qvmconf   the VM configuration: system, ram, cpu (pinned), load,
 *                     fdt load, cmdline, pass loc / pass intr per passed
 *                     register page run and interrupt, vdev shmem per
 *                     shared-region peer; every line after a comment naming
 *                     the board node (or the system-file item) it comes from
 *   <guest>.dtb/.dts  the guest tree (docs/guest-dt.md) with a qvm,guest_shm
 *                     device per shared-region window in place of the
 *                     generic reserved-memory window
 *   host.txt          what the QNX host must do: the qvm commands, the
 *                     devices it must not drive, the DMA masters and stream
 *                     IDs its SMMU manager must confine, the reboot hazard
 *
 * Only syntax QNX documents is written; docs/qnx.md cites the page of every
 * option. What the documented syntax cannot say is a finding, never a
 * guess: qnx-inexpressible (error) where the VM would differ from the
 * system, qnx-unenforced (warning) where QNX decides itself (it allocates
 * guest RAM and shared memory from the host: no PA is honoured).
 *
 * Numbering: `pass intr gic:N` takes the guest's INTID (QNX's own example
 * passes an SPI 112 device as gic:144); `=vector` is the host vector, which
 * for the first PIC is its INTID (the hostvector default is 0). vCPU i runs
 * on physical CPU cpus[i], numbered as the board's /cpus (the numbering a
 * QNX startup derives from the same tree). */
#include <stdlib.h>
#include <string.h>

#include "emit/emit.h"
#include "emit/guest_dt.h"
#include "lower/guest_tree.h"
#include "targets/qnx/qnx.h"

#define QNX_PAGE 0x1000ull
#define QNX_SPI_BASE 32u

static const char *version_name(uint32_t v)
{
    return v == MODEL_QNX_7_1 ? "7.1" : "8.0";
}

static uint32_t qnx_version(const struct system *s)
{
    return s->qnx_version == MODEL_QNX_UNSET ? MODEL_QNX_8_0 : s->qnx_version;
}

/* ------------------------------------------------------- register runs */

/* One register region of a guest, widened to whole pages. */
struct qpiece {
    uint64_t pa, ipa, len;
    const struct sys_device *dev;
    uint32_t reg;
};

/* A run of pages passed with one `pass loc` line: contiguous in PA and in
 * IPA; pieces[first .. first+n) are the regions it covers. */
struct qrun {
    uint64_t pa, ipa, len;
    size_t first, n;
};

struct qguest {
    VEC(struct qpiece) pieces; /* sorted by pa */
    VEC(struct qrun) runs;
};

static int piece_cmp(const void *a, const void *b)
{
    const struct qpiece *x = a, *y = b;
    if (x->pa != y->pa)
        return x->pa < y->pa ? -1 : 1;
    return x->ipa < y->ipa ? -1 : x->ipa > y->ipa;
}

/* The page runs of guest g. With `report`, what `pass loc` cannot say is
 * reported (qnx-inexpressible): a region at another offset within its page
 * in the guest than on the board, and one board page at two guest
 * addresses. Returns false when something could not be expressed. */
static bool guest_runs(struct dtpass_ctx *ctx, uint32_t gi, struct qguest *q, bool report)
{
    const struct sys_guest *g = &ctx->sys.guests.v[gi];
    bool ok = true;
    for (size_t d = 0; d < g->devices.n; d++) {
        const struct sys_device *dev = &g->devices.v[d];
        for (size_t i = 0; dev->ref.node && i < dev->regs.n; i++) {
            const struct res_reg *r = &dev->regs.v[i];
            uint64_t off = r->pa & (QNX_PAGE - 1), last, end;
            if (!r->size)
                continue;
            if ((r->ipa & (QNX_PAGE - 1)) != off || !range_end(r->pa, r->size, &last) ||
                !u64_add(last | (QNX_PAGE - 1), 1, &end)) {
                if (report)
                    diag_report(&ctx->diag, CK_QNX_INEXPRESSIBLE, dev->ref.pos,
                                "`pass loc` maps whole host pages: register region %zu of %s "
                                "(PA 0x%llx) would sit at guest address 0x%llx, another offset "
                                "within its page",
                                i, dev->ref.node->path, (unsigned long long)r->pa,
                                (unsigned long long)r->ipa);
                ok = false;
                continue;
            }
            struct qpiece *p = VEC_ADD(&q->pieces);
            p->pa = r->pa - off;
            p->ipa = r->ipa - off;
            p->len = end - p->pa;
            p->dev = dev;
            p->reg = (uint32_t)i;
        }
    }
    if (q->pieces.n > 1)
        qsort(q->pieces.v, q->pieces.n, sizeof(*q->pieces.v), piece_cmp);
    for (size_t i = 0; i < q->pieces.n; i++) {
        const struct qpiece *p = &q->pieces.v[i];
        struct qrun *cur = q->runs.n ? &q->runs.v[q->runs.n - 1] : NULL;
        if (cur && p->pa <= cur->pa + cur->len) {
            bool same_delta = p->ipa - p->pa == cur->ipa - cur->pa;
            if (same_delta) {
                uint64_t end = p->pa + p->len;
                if (end > cur->pa + cur->len)
                    cur->len = end - cur->pa;
                cur->n++;
                continue;
            }
            if (p->pa < cur->pa + cur->len) {
                /* A page of two regions of this guest at two guest
                 * addresses: one `pass loc` per host page cannot do it. */
                const struct qpiece *o = &q->pieces.v[cur->first];
                if (report) {
                    struct diag *dg = diag_report(
                        &ctx->diag, CK_QNX_INEXPRESSIBLE, p->dev->ref.pos,
                        "host page 0x%llx of %s would appear at two guest addresses "
                        "(0x%llx and 0x%llx, with %s): `pass loc` maps a host page once",
                        (unsigned long long)p->pa, p->dev->ref.node->path,
                        (unsigned long long)p->ipa,
                        (unsigned long long)(o->ipa + (p->pa - o->pa)), o->dev->ref.node->path);
                    diag_note(dg, o->dev->ref.pos, o->dev->ref.node->path, "%s is assigned here",
                              o->dev->ref.node->path);
                }
                ok = false;
                continue;
            }
        }
        struct qrun *r = VEC_ADD(&q->runs);
        r->pa = p->pa;
        r->ipa = p->ipa;
        r->len = p->len;
        r->first = i;
        r->n = 1;
    }
    return ok;
}

static void qguest_free(struct qguest *q)
{
    VEC_FREE(&q->pieces);
    VEC_FREE(&q->runs);
}

/* The INTID of a peer's doorbell (a guest SPI number in the model). */
static uint32_t doorbell_intid(const struct sys_peer *p)
{
    return QNX_SPI_BASE + p->doorbell;
}

/* A shared-region window of one guest. */
struct qpeer {
    const struct sys_shared *s;
    const struct sys_peer *p;
};

/* The windows of guest gi, in system order (the caller frees v). */
static size_t guest_peers(const struct system *sys, uint32_t gi, struct qpeer **v)
{
    size_t n = 0;
    for (size_t s = 0; s < sys->shared.n; s++)
        n += sys->shared.v[s].peers.n;
    *v = xcalloc(n ? n : 1, sizeof(**v));
    n = 0;
    for (size_t s = 0; s < sys->shared.n; s++)
        for (size_t k = 0; k < sys->shared.v[s].peers.n; k++)
            if (sys->shared.v[s].peers.v[k].guest_index == (int)gi)
                (*v)[n++] = (struct qpeer){&sys->shared.v[s], &sys->shared.v[s].peers.v[k]};
    return n;
}

/* ----------------------------------------------------------------- checks */

/* A `load` path: qvm splits `[address,]filepath` at the comma and the line
 * at white space; '#' starts a comment. */
static bool path_expressible(const char *f)
{
    for (const char *c = f; *c; c++)
        if (*c == ',' || *c == '#' || *c == '"' || (unsigned char)*c <= ' ')
            return false;
    return *f != '\0';
}

/* `cmdline` takes one double-quoted string; QNX documents no escape. */
static bool cmdline_expressible(const char *s)
{
    for (const char *c = s; *c; c++)
        if (*c == '"' || *c == '\\' || (unsigned char)*c < ' ')
            return false;
    return true;
}

static void check_guest(struct dtpass_ctx *ctx, uint32_t gi)
{
    const struct system *sys = &ctx->sys;
    const struct sys_guest *g = &sys->guests.v[gi];
    struct diag_sink *d = &ctx->diag;

    for (size_t m = 0; m < g->memory.n; m++) {
        const struct sys_mem *mem = &g->memory.v[m];
        struct diag *dg = diag_report(
            d, CK_QNX_UNENFORCED, mem->pos,
            "QNX allocates guest '%s' RAM from the host itself: `ram 0x%llx,...` places it at "
            "that guest address, but physical address 0x%llx is not used",
            g->name, (unsigned long long)mem->ipa, (unsigned long long)mem->base);
        diag_note(dg, NOPOS, NULL,
                  "RAM that appears contiguous to the guest is unlikely to be contiguous in "
                  "host-physical memory (QNX, `ram`)");
    }
    if (!g->kernel.file)
        diag_report(d, CK_QNX_UNENFORCED, g->pos,
                    "guest '%s' has no kernel, so its VM configuration has no `load` line: "
                    "add the guest image's (or give `boot: kernel: { file, load }`)",
                    g->name);
    else if (!path_expressible(g->kernel.file))
        diag_report(d, CK_QNX_INEXPRESSIBLE, g->kernel.pos,
                    "the kernel path '%s' cannot be written in `load address,filepath`: it "
                    "contains a comma, '#', a quote or white space",
                    g->kernel.file);
    if (g->ramdisk.file)
        diag_report(d, CK_QNX_UNENFORCED, g->ramdisk.pos,
                    "the ramdisk of guest '%s' is not written: the QNX pages dtpass cites name "
                    "no blob type for an initial ramdisk; load it as your QNX release "
                    "documents",
                    g->name);
    if (g->bootargs && !cmdline_expressible(g->bootargs))
        diag_report(d, CK_QNX_INEXPRESSIBLE, g->bootargs_pos,
                    "`cmdline` takes one double-quoted string and QNX documents no escape: "
                    "the bootargs of guest '%s' contain a quote, backslash or control "
                    "character",
                    g->name);

    struct qguest q = {0};
    guest_runs(ctx, gi, &q, true);

    /* The interrupts `pass intr` would carry, and the doorbells of the
     * `vdev shmem` lines, as guest INTIDs: each exactly once. */
    for (size_t k = 0; k < g->devices.n; k++) {
        const struct sys_device *dev = &g->devices.v[k];
        for (size_t i = 0; i < dev->rirqs.n; i++)
            if (dev->rirqs.v[i].pintid < QNX_SPI_BASE)
                diag_report(d, CK_QNX_INEXPRESSIBLE, dev->ref.pos,
                            "%s uses the private interrupt INTID %u: `pass intr` passes "
                            "shared peripheral interrupts only",
                            dev->ref.node->path, dev->rirqs.v[i].pintid);
        if (dev->ref.node && dev->ref.node->pci_host)
            diag_report(d, CK_QNX_UNENFORCED, dev->ref.pos,
                        "%s is a PCI host bridge: its windows and INTx are passed, but MSIs "
                        "need the host's ITS, which no qvm line passes",
                        dev->ref.node->path);
        if (dev->is_dma && dev->rsids.n)
            diag_report(d, CK_QNX_UNENFORCED, dev->ref.pos,
                        "%s is a DMA master: no qvm line confines its DMA; the host's SMMU "
                        "manager must confine its stream IDs to guest '%s' (qnx/host.txt)",
                        dev->ref.node->path, g->name);
    }

    struct qpeer *pv;
    size_t np = guest_peers(sys, gi, &pv);
    for (size_t w = 0; w < np; w++) {
        const struct sys_shared *s = pv[w].s;
        const struct sys_peer *p = pv[w].p;
        struct srcpos dbpos = p->doorbell_pos.line ? p->doorbell_pos : p->pos;
        if (!p->has_doorbell) {
            diag_report(d, CK_QNX_INEXPRESSIBLE, p->pos,
                        "`vdev shmem` is a memory-mapped device only with both `loc` and "
                        "`intr`: give guest '%s' a doorbell for shared region '%s'",
                        g->name, s->name);
            continue;
        }
        if (p->access == SHM_RO)
            diag_report(d, CK_QNX_UNENFORCED, p->pos,
                        "guest '%s' gets shared region '%s' read-write: `vdev shmem` has no "
                        "documented option for read-only access",
                        g->name, s->name);
        /* The factory page is the first page of the peer's window. */
        uint64_t fp = p->ipa;
        for (size_t r = 0; r < q.runs.n; r++) {
            const struct qrun *run = &q.runs.v[r];
            if (fp >= run->ipa && fp - run->ipa < run->len) {
                const struct qpiece *pc = &q.pieces.v[run->first];
                struct diag *dg = diag_report(
                    d, CK_QNX_VDEV_COLLIDE, p->pos,
                    "the `vdev shmem` factory page of '%s' at guest address 0x%llx falls in "
                    "the pages `pass loc` gives guest '%s' for %s",
                    s->name, (unsigned long long)fp, g->name, pc->dev->ref.node->path);
                diag_note(dg, pc->dev->ref.pos, pc->dev->ref.node->path, "assigned here");
            }
        }
        for (size_t m = 0; m < g->memory.n; m++) {
            const struct sys_mem *mem = &g->memory.v[m];
            if (fp >= mem->ipa && fp - mem->ipa < mem->size)
                diag_report(d, CK_QNX_VDEV_COLLIDE, p->pos,
                            "the `vdev shmem` factory page of '%s' at guest address 0x%llx "
                            "falls in the RAM of guest '%s'",
                            s->name, (unsigned long long)fp, g->name);
        }
        uint32_t db = doorbell_intid(p);
        for (size_t k = 0; k < g->devices.n; k++) {
            const struct sys_device *dev = &g->devices.v[k];
            for (size_t i = 0; i < dev->rirqs.n; i++)
                if (dev->rirqs.v[i].vintid == db) {
                    struct diag *dg = diag_report(
                        d, CK_QNX_VDEV_COLLIDE, dbpos,
                        "the doorbell of '%s' (`intr gic:%u`) is the interrupt `pass intr "
                        "gic:%u` gives guest '%s' for %s",
                        s->name, db, db, g->name, dev->ref.node->path);
                    diag_note(dg, dev->ref.pos, dev->ref.node->path, "assigned here");
                }
        }
        for (size_t e = 0; e < w; e++)
            if (pv[e].p->has_doorbell && doorbell_intid(pv[e].p) == db)
                diag_report(d, CK_QNX_VDEV_COLLIDE, dbpos,
                            "the doorbells of '%s' and '%s' in guest '%s' are both `intr gic:%u`",
                            pv[e].s->name, s->name, g->name, db);
    }
    free(pv);
    qguest_free(&q);
}

/* The target's checks (targets/target.h); also `dtpass check --target qnx`. */
static void qnx_check(struct dtpass_ctx *ctx)
{
    const struct system *sys = &ctx->sys;
    for (size_t gi = 0; gi < sys->guests.n; gi++)
        check_guest(ctx, (uint32_t)gi);
    for (size_t s = 0; s < sys->shared.n; s++)
        diag_report(&ctx->diag, CK_QNX_UNENFORCED, sys->shared.v[s].pos,
                    "qvm creates shared region '%s' from host memory (`create`): physical "
                    "address 0x%llx is not used, and each guest finds the region where qvm "
                    "maps it (the factory page tells), not in the rest of its window",
                    sys->shared.v[s].name, (unsigned long long)sys->shared.v[s].base);
}

/* ------------------------------------------------------------ the emitter */

static const char *hex(char *buf, size_t n, uint64_t v)
{
    snprintf(buf, n, "0x%llx", (unsigned long long)v);
    return buf;
}

static void put_header(struct strbuf *sb, const struct system *sys, const char *what)
{
    sb_printf(sb,
              "# %s: generated by dtpass " DTPASS_VERSION " for QNX SDP %s "
              "(hypervisor: qnx-version). Edit only the paths.\n",
              what, version_name(qnx_version(sys)));
}

/* A host.txt section with nothing in it says so. */
static void section_end(struct strbuf *sb, size_t before)
{
    if (sb->len == before)
        sb_puts(sb, "(none)\n");
}

static void write_qvmconf(struct dtpass_ctx *ctx, uint32_t gi, const struct qguest *q,
                          struct strbuf *sb)
{
    const struct system *sys = &ctx->sys;
    const struct board *b = &ctx->board;
    const struct sys_guest *g = &sys->guests.v[gi];
    char a[24], l[24], h[24];
    char *what = xasprintf("qnx/%s.qvmconf", g->name);
    put_header(sb, sys, what);
    free(what);
    sb_puts(sb, "# Syntax: the QNX Hypervisor User's Guide, VM Configuration Reference "
                "(docs/qnx.md cites each option).\n");
    sb_printf(sb, "\n# VM of guest %s\nsystem %s\n", g->name, g->name);

    for (size_t m = 0; m < g->memory.n; m++) {
        const struct sys_mem *mem = &g->memory.v[m];
        sb_printf(sb, "# guest %s memory[%zu]: %s bytes of board RAM (written for PA %s; QNX "
                      "picks the host pages)\n",
                  g->name, m, hex(l, sizeof l, mem->size), hex(h, sizeof h, mem->base));
        sb_printf(sb, "ram %s,%s\n", hex(a, sizeof a, mem->ipa), hex(l, sizeof l, mem->size));
    }
    bool v71 = qnx_version(sys) == MODEL_QNX_7_1;
    for (size_t c = 0; c < g->cpus.n; c++) {
        uint32_t pc = g->cpus.v[c].index;
        const char *path = pc < b->ncpus ? b->cpus[pc].node->path : "?";
        sb_printf(sb, "# vCPU %zu pinned to physical CPU %u (%s)\n", c, pc, path);
        if (v71)
            sb_printf(sb, "cpu runmask %u\n", pc);
        else
            sb_printf(sb, "cpu cluster _cpu-%u\n", pc);
    }
    if (g->kernel.file)
        sb_printf(sb, "# kernel (guest %s boot: kernel)\nload %s,%s\n", g->name,
                  hex(a, sizeof a, g->kernel.load), g->kernel.file);
    sb_printf(sb, "# device tree of guest %s (qnx/%s.dtb)\nfdt load %s.dtb\n", g->name, g->name,
              g->name);
    if (g->bootargs)
        sb_printf(sb, "# command line (guest %s bootargs)\ncmdline \"%s\"\n", g->name,
                  g->bootargs);

    for (size_t r = 0; r < q->runs.n; r++) {
        const struct qrun *run = &q->runs.v[r];
        sb_puts(sb, "#");
        for (size_t i = 0; i < run->n; i++) {
            const struct qpiece *p = &q->pieces.v[run->first + i];
            sb_printf(sb, "%s %s reg[%u]", i ? "," : "", p->dev->ref.node->path, p->reg);
        }
        sb_putc(sb, '\n');
        sb_printf(sb, "pass loc mem:%s,%s,rw=%s\n", hex(a, sizeof a, run->ipa),
                  hex(l, sizeof l, run->len), hex(h, sizeof h, run->pa));
    }

    /* One line per guest INTID (a line shared by two devices is one route). */
    VEC(uint32_t) seen = {0};
    for (size_t k = 0; k < g->devices.n; k++) {
        const struct sys_device *dev = &g->devices.v[k];
        for (size_t i = 0; i < dev->rirqs.n; i++) {
            const struct res_irq *ri = &dev->rirqs.v[i];
            bool dup = false;
            for (size_t s = 0; s < seen.n && !dup; s++)
                dup = seen.v[s] == ri->vintid;
            if (dup)
                continue;
            VEC_PUSH(&seen, ri->vintid);
            sb_printf(sb, "# %s interrupt: host SPI %u (INTID %u)", dev->ref.node->path,
                      ri->pintid - QNX_SPI_BASE, ri->pintid);
            if (ri->vintid != ri->pintid)
                sb_printf(sb, " as guest SPI %u (INTID %u)", ri->vintid - QNX_SPI_BASE,
                          ri->vintid);
            sb_putc(sb, '\n');
            if (ri->vintid != ri->pintid)
                sb_printf(sb, "pass intr gic:%u=%u\n", ri->vintid, ri->pintid);
            else
                sb_printf(sb, "pass intr gic:%u\n", ri->vintid);
        }
    }
    VEC_FREE(&seen);

    struct qpeer *pv;
    size_t np = guest_peers(sys, gi, &pv);
    for (size_t w = 0; w < np; w++) {
        const struct sys_shared *s = pv[w].s;
        const struct sys_peer *p = pv[w].p;
        sb_printf(sb, "# shared region %s (%s bytes, %s) with", s->name,
                  hex(l, sizeof l, s->size), p->access == SHM_RO ? "read-only in the system, read-write under QNX" : "read-write");
        for (size_t k = 0; k < s->peers.n; k++)
            if (&s->peers.v[k] != p)
                sb_printf(sb, " %s", s->peers.v[k].guest);
        sb_printf(sb, "; factory page at the start of the window at %s\n",
                  hex(a, sizeof a, p->ipa));
        sb_printf(sb, "vdev shmem\n    create %s,%s\n    allow %s\n    loc %s\n"
                      "    intr gic:%u\n    name %s\n",
                  s->name, hex(l, sizeof l, s->size), s->name, hex(a, sizeof a, p->ipa),
                  doorbell_intid(p), s->name);
    }
    free(pv);
}

/* The qvm,guest_shm device a Linux guest binds for a `vdev shmem`: reg is
 * the factory page, interrupts the doorbell (gt_hooks). */
static void shm_node(void *arg, struct guest_tree *t, const struct sys_shared *s,
                     const struct sys_peer *p)
{
    (void)arg;
    if (!p->has_doorbell)
        return; /* qnx-inexpressible: the build stopped before this */
    char name[64];
    snprintf(name, sizeof name, "guest-shm@%llx", (unsigned long long)p->ipa);
    struct gt_node *n = gt_node_add(t, t->root, name, GT_SYNTH, NULL);
    gt_prop_str(t, n, "compatible", "qvm,guest_shm");
    uint32_t reg[] = {(uint32_t)(p->ipa >> 32), (uint32_t)p->ipa, 0, (uint32_t)QNX_PAGE};
    gt_prop_cells(t, n, "reg", reg, 4);
    gt_prop_cells(t, n, "interrupt-parent", &t->opt.gic_phandle, 1);
    uint32_t ints[] = {0, p->doorbell, 4};
    gt_prop_cells(t, n, "interrupts", ints, 3);
    (void)s;
}

static int emit_tree(struct dtpass_ctx *ctx, uint32_t gi)
{
    const char *name = ctx->sys.guests.v[gi].name;
    struct gt_hooks hooks = {.shared_peer = shm_node};
    struct guest_tree *t = gt_build_guest_hooked(ctx, ctx->owners, gi, &hooks);
    char *base = xasprintf("qnx/%s", name);
    int rc = gt_emit(ctx, t, base, T_DTB | T_DTS, "qnx: ");
    free(base);
    gt_free(t);
    return rc;
}

static void write_host(struct dtpass_ctx *ctx, struct strbuf *sb)
{
    const struct system *sys = &ctx->sys;
    char a[24];
    put_header(sb, sys, "qnx/host.txt");
    sb_puts(sb, "# What the QNX host must do for this system (docs/qnx.md, \"The host\").\n"
                "\n[start] one qvm process per VM, its configuration given with @:\n");
    for (size_t g = 0; g < sys->guests.n; g++)
        sb_printf(sb, "qvm @%s.qvmconf\n", sys->guests.v[g].name);

    sb_puts(sb, "\n[do-not-drive] board devices passed through: start no host driver for "
                "them (the guest owns their registers and interrupts):\n");
    size_t mark = sb->len;
    for (size_t g = 0; g < sys->guests.n; g++)
        for (size_t d = 0; d < sys->guests.v[g].devices.n; d++) {
            const struct sys_device *dev = &sys->guests.v[g].devices.v[d];
            if (dev->ref.node)
                sb_printf(sb, "%s %s\n", sys->guests.v[g].name, dev->ref.node->path);
        }
    section_end(sb, mark);

    sb_puts(sb, "\n[dma-confine] DMA masters and the stream IDs the host's SMMU manager must "
                "confine to their VM's memory:\n");
    mark = sb->len;
    for (size_t g = 0; g < sys->guests.n; g++)
        for (size_t d = 0; d < sys->guests.v[g].devices.n; d++) {
            const struct sys_device *dev = &sys->guests.v[g].devices.v[d];
            if (!dev->ref.node || !dev->is_dma)
                continue;
            if (!dev->rsids.n)
                sb_printf(sb, "%s %s no-smmu-stream (%s)\n", sys->guests.v[g].name,
                          dev->ref.node->path,
                          dev->unsafe_no_iommu ? "accepted: unsafe-no-iommu" : "no IOMMU");
            for (size_t i = 0; i < dev->rsids.n; i++) {
                const struct res_sid *r = &dev->rsids.v[i];
                sb_printf(sb, "%s %s smmu %s (SMMUv%d) stream %s", sys->guests.v[g].name,
                          dev->ref.node->path, r->smmu->node->path, r->smmu->version,
                          hex(a, sizeof a, r->sid));
                if (r->mask)
                    sb_printf(sb, " mask %s", hex(a, sizeof a, r->mask));
                if (r->count > 1)
                    sb_printf(sb, " count %u", r->count);
                sb_putc(sb, '\n');
            }
        }
    section_end(sb, mark);

    sb_puts(sb, "\n[reboot-hazard] DMA masters with no resets, no power-domains and no SMMU "
                "stream (check dma-reset): nothing stops them when their guest crashes or "
                "reboots, so do not hand that guest's memory to anyone before a board "
                "reset:\n");
    mark = sb->len;
    for (size_t g = 0; g < sys->guests.n; g++)
        for (size_t d = 0; d < sys->guests.v[g].devices.n; d++) {
            const struct sys_device *dev = &sys->guests.v[g].devices.v[d];
            const struct board_node *n = dev->ref.node;
            if (n && dev->is_dma && !dev->rsids.n && !n->has_resets && !n->has_power_domains)
                sb_printf(sb, "%s %s\n", sys->guests.v[g].name, n->path);
        }
    section_end(sb, mark);

    sb_puts(sb, "\n[quiesce] before a guest's memory is reused after it stops: first switch "
                "its streams above to abort at the SMMU, then reset or power off its DMA "
                "masters, then scrub its memory:\n");
    mark = sb->len;
    for (size_t g = 0; g < sys->guests.n; g++)
        for (size_t d = 0; d < sys->guests.v[g].devices.n; d++) {
            const struct sys_device *dev = &sys->guests.v[g].devices.v[d];
            const struct board_node *n = dev->ref.node;
            if (!n || !dev->is_dma)
                continue;
            sb_printf(sb, "%s %s:%s%s%s%s\n", sys->guests.v[g].name, n->path,
                      dev->rsids.n ? " smmu-abort" : "", n->has_resets ? " reset" : "",
                      n->has_power_domains ? " power-off" : "",
                      !dev->rsids.n && !n->has_resets && !n->has_power_domains ? " none" : "");
        }
    section_end(sb, mark);
}

static int qnx_emit(struct dtpass_ctx *ctx)
{
    const struct system *sys = &ctx->sys;
    if (!ctx->owners) {
        diag_fatal(&ctx->diag, NOPOS, "internal error: the qnx target's guest trees were not "
                                      "prepared");
        return -1;
    }
    int rc = 0;
    for (size_t g = 0; !rc && g < sys->guests.n; g++) {
        struct qguest q = {0};
        if (!guest_runs(ctx, (uint32_t)g, &q, false)) {
            diag_fatal(&ctx->diag, NOPOS, "internal error: qnx checks did not run");
            qguest_free(&q);
            return -1;
        }
        struct strbuf sb;
        sb_init(&sb);
        write_qvmconf(ctx, (uint32_t)g, &q, &sb);
        char *file = xasprintf("qnx/%s.qvmconf", sys->guests.v[g].name);
        rc = emit_file(ctx, file, sb.s, sb.len);
        free(file);
        sb_free(&sb);
        qguest_free(&q);
        if (!rc)
            rc = emit_tree(ctx, (uint32_t)g);
    }
    if (!rc) {
        struct strbuf sb;
        sb_init(&sb);
        write_host(ctx, &sb);
        rc = emit_file(ctx, "qnx/host.txt", sb.s, sb.len);
        sb_free(&sb);
    }
    return rc || diag_errors(&ctx->diag) ? -1 : 0;
}

static const char *const qnx_outputs[] = {
    "<guest>.qvmconf", "<guest>.dtb", "<guest>.dts", "host.txt", NULL,
};

const struct hv_target qnx_target = {
    .name = "qnx",
    .summary = "QNX Hypervisor: one qvmconf and guest DTB per VM, host notes (docs/qnx.md)",
    .outdir = "qnx",
    .outputs = qnx_outputs,
    .needs = HV_NEEDS_GUEST_TREES,
    .check = qnx_check,
    .emit = qnx_emit,
};
