/* emit/blob.c — system.dtpb, the hypervisor configuration blob
 * (include/dtpass/dtpb.h, docs/dtpb.md): a 32-byte header, a section table
 * and one section per kind of fact, each a packed array of fixed-size
 * little-endian records serialised field by field. The CRC-32 covers the
 * whole blob with the CRC field read as zero. Facts come from the resolved
 * model and from the placement (table addresses, register values). Each
 * section is built at its final size and the pieces go to the file one
 * after the other: the blob is never in memory as one buffer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dtpass/dtpb.h"
#include "emit/emit.h"
#include "emit/tables.h"

struct section {
    uint32_t id, entsize, count;
    VEC(uint8_t) data;
};

#define MAX_ENT 80u /* the largest record */
_Static_assert(DTPB_ENT_GUEST <= MAX_ENT && DTPB_ENT_VCPU <= MAX_ENT && DTPB_ENT_MEMMAP <= MAX_ENT &&
                   DTPB_ENT_DEVICE <= MAX_ENT && DTPB_ENT_DEVREG <= MAX_ENT &&
                   DTPB_ENT_IRQ <= MAX_ENT && DTPB_ENT_SID <= MAX_ENT && DTPB_ENT_SMMU <= MAX_ENT &&
                   DTPB_ENT_SMR <= MAX_ENT && DTPB_ENT_CB <= MAX_ENT &&
                   DTPB_ENT_SHARED <= MAX_ENT && DTPB_ENT_PEER <= MAX_ENT &&
                   DTPB_ENT_LOAD <= MAX_ENT,
               "a record larger than the first pass's scratch");

/* fill() runs twice: a first pass only counts the records of each section
 * and bounds the string bytes, so the second writes into buffers of their
 * final size (no doubling vectors, and string keys that never move). */
struct writer {
    bool sizing;        /* the first pass */
    size_t str_bound;   /* first pass: every string's bytes, duplicates included */
    uint8_t scratch[MAX_ENT]; /* first pass: the record being "written" */
    struct section sec[DTPB_SEC_MAX + 1];
    struct strmap strs; /* string (in the strings section) -> offset + 1 */
};

static uint8_t *new_rec(struct writer *w, unsigned id)
{
    struct section *s = &w->sec[id];
    s->count++;
    if (w->sizing)
        return w->scratch;
    VEC_GROW(&s->data, s->data.n + s->entsize);
    uint8_t *r = s->data.v + s->data.n;
    memset(r, 0, s->entsize);
    s->data.n += s->entsize;
    return r;
}

static uint32_t str(struct writer *w, const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s) + 1;
    if (w->sizing) {
        w->str_bound += n;
        return 0;
    }
    void *v = strmap_get(&w->strs, s);
    if (v)
        return (uint32_t)((uintptr_t)v - 1);
    struct section *st = &w->sec[DTPB_SEC_STRINGS];
    uint32_t off = (uint32_t)st->data.n;
    VEC_GROW(&st->data, st->data.n + n); /* within the first pass's bound: never moves */
    memcpy(st->data.v + st->data.n, s, n);
    st->data.n += n;
    st->count = (uint32_t)st->data.n;
    strmap_put(&w->strs, (const char *)st->data.v + off, (void *)(uintptr_t)(off + 1));
    return off;
}

static uint32_t smmu_index(const struct board *b, const struct board_smmu *s)
{
    for (uint32_t i = 0; i < b->nsmmus; i++)
        if (&b->smmus[i] == s)
            return i;
    return DTPB_NONE;
}

/* PA of a guest IPA through its RAM maps, or ~0. */
static uint64_t ipa_to_pa(const struct guest_place *gp, uint64_t ipa)
{
    for (size_t i = 0; i < gp->maps.n; i++) {
        const struct s2_map *m = &gp->maps.v[i];
        if (m->kind == MAP_RAM && ipa >= m->ipa && ipa - m->ipa < m->size)
            return m->pa + (ipa - m->ipa);
    }
    return ~0ull;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void fill(struct writer *w, const struct dtpass_ctx *ctx)
{
    const struct system *s = &ctx->sys;
    const struct board *b = &ctx->board;
    const struct placement *p = ctx->place;
    static const uint32_t ent[DTPB_SEC_MAX + 1] = {
        [DTPB_SEC_STRINGS] = 1, [DTPB_SEC_GUESTS] = DTPB_ENT_GUEST,
        [DTPB_SEC_VCPUS] = DTPB_ENT_VCPU, [DTPB_SEC_MEMMAP] = DTPB_ENT_MEMMAP,
        [DTPB_SEC_DEVICES] = DTPB_ENT_DEVICE, [DTPB_SEC_DEVREGS] = DTPB_ENT_DEVREG,
        [DTPB_SEC_IRQS] = DTPB_ENT_IRQ, [DTPB_SEC_SIDS] = DTPB_ENT_SID,
        [DTPB_SEC_SMMUS] = DTPB_ENT_SMMU, [DTPB_SEC_SMRS] = DTPB_ENT_SMR,
        [DTPB_SEC_CBS] = DTPB_ENT_CB, [DTPB_SEC_SHARED] = DTPB_ENT_SHARED,
        [DTPB_SEC_PEERS] = DTPB_ENT_PEER, [DTPB_SEC_LOADMAP] = DTPB_ENT_LOAD,
    };
    for (unsigned i = 1; i <= DTPB_SEC_MAX; i++) {
        w->sec[i].id = i;
        w->sec[i].entsize = ent[i];
    }
    str(w, ""); /* offset 0: the empty string */

    uint32_t vcpu = 0;
    for (size_t gi = 0; gi < p->nguests; gi++) {
        const struct guest_place *gp = &p->guests[gi];
        const struct sys_guest *g = gp->g;
        uint8_t *r = new_rec(w, DTPB_SEC_GUESTS);
        put_le32(r, str(w, g->name));
        put_le32(r + 4, gp->vmid);
        put_le32(r + 8, (uint32_t)g->cpus.n);
        put_le32(r + 12, vcpu);
        put_le64(r + 16, gp->pa);
        put_le64(r + 24, gp->vtcr);
        put_le64(r + 32, gp->size);
        put_le64(r + 40, g->kernel.file ? g->kernel.load : 0);
        put_le64(r + 48, g->ramdisk.file ? g->ramdisk.load : 0);
        put_le64(r + 56, gp->dtb_ipa);
        put_le32(r + 64, (g->kernel.file ? DTPB_GUEST_KERNEL : 0) |
                             (g->ramdisk.file ? DTPB_GUEST_RAMDISK : 0));
        put_le32(r + 68, (uint32_t)gp->start_level);
        put_le32(r + 72, str(w, g->bootargs));
        for (size_t k = 0; k < g->cpus.n; k++, vcpu++) {
            uint8_t *v = new_rec(w, DTPB_SEC_VCPUS);
            uint32_t pc = g->cpus.v[k].index;
            put_le32(v, (uint32_t)gi);
            put_le32(v + 4, (uint32_t)k);
            put_le32(v + 8, pc);
            put_le64(v + 16, pc < b->ncpus ? b->cpus[pc].mpidr : 0);
        }
        for (size_t k = 0; k < gp->maps.n; k++) {
            const struct s2_map *m = &gp->maps.v[k];
            uint8_t *v = new_rec(w, DTPB_SEC_MEMMAP);
            put_le32(v, (uint32_t)gi);
            put_le32(v + 4, (uint32_t)m->kind);
            put_le64(v + 8, m->ipa);
            put_le64(v + 16, m->pa);
            put_le64(v + 24, m->size);
            put_le32(v + 32, m->perm);
            put_le32(v + 36, m->ref);
        }
    }
    for (size_t d = 0; d < p->devices.n; d++) {
        const struct dev_place *dp = &p->devices.v[d];
        const struct sys_device *dev = dp->dev;
        uint8_t *r = new_rec(w, DTPB_SEC_DEVICES);
        put_le32(r, dp->guest);
        put_le32(r + 4, str(w, dev->ref.node ? dev->ref.node->path : dev->ref.text));
        put_le32(r + 8, dev->is_dma ? DTPB_DEV_DMA : 0);
        for (size_t k = 0; k < dev->regs.n; k++) {
            uint8_t *v = new_rec(w, DTPB_SEC_DEVREGS);
            put_le32(v, (uint32_t)d);
            put_le64(v + 8, dev->regs.v[k].pa);
            put_le64(v + 16, dev->regs.v[k].size);
            put_le64(v + 24, dev->regs.v[k].ipa);
        }
        for (size_t k = 0; k < dev->rirqs.n; k++) {
            uint8_t *v = new_rec(w, DTPB_SEC_IRQS);
            put_le32(v, dev->rirqs.v[k].pintid);
            put_le32(v + 4, dp->guest);
            put_le32(v + 8, dev->rirqs.v[k].vintid);
            put_le32(v + 12, dev->rirqs.v[k].flags);
            put_le32(v + 16, (uint32_t)d);
        }
        for (size_t k = 0; k < dev->rsids.n; k++) {
            const struct res_sid *rs = &dev->rsids.v[k];
            uint32_t si = smmu_index(b, rs->smmu);
            if (si == DTPB_NONE)
                continue;
            uint8_t *v = new_rec(w, DTPB_SEC_SIDS);
            put_le32(v, si);
            put_le32(v + 4, rs->sid);
            put_le32(v + 8, rs->mask);
            put_le32(v + 12, rs->count ? rs->count : 1);
            put_le32(v + 16, dp->guest);
            put_le32(v + 20, (uint32_t)d);
        }
    }
    /* Devices the hypervisor keeps (its console...): guest DTPB_NONE, regs
     * at their physical addresses, nothing mapped or routed. */
    uint32_t ndev = (uint32_t)p->devices.n;
    for (size_t i = 0; i < s->hyp_devices.n; i++) {
        const struct board_node *n = s->hyp_devices.v[i].node;
        if (!n)
            continue;
        uint8_t *r = new_rec(w, DTPB_SEC_DEVICES);
        put_le32(r, DTPB_NONE);
        put_le32(r + 4, str(w, n->path));
        put_le32(r + 8, n->dma_master ? DTPB_DEV_DMA : 0);
        for (uint32_t k = 0; k < n->nmmio; k++) {
            uint8_t *v = new_rec(w, DTPB_SEC_DEVREGS);
            put_le32(v, ndev);
            put_le64(v + 8, n->mmio[k].base);
            put_le64(v + 16, n->mmio[k].size);
            put_le64(v + 24, n->mmio[k].base);
        }
        ndev++;
    }
    for (size_t i = 0; i < p->nsmmus; i++) {
        const struct smmu_place *sp = &p->smmus[i];
        uint8_t *r = new_rec(w, DTPB_SEC_SMMUS);
        put_le32(r, str(w, sp->smmu->name));
        put_le32(r + 4, str(w, sp->smmu->node ? sp->smmu->node->path : ""));
        put_le32(r + 8, (uint32_t)sp->version);
        put_le32(r + 12, sp->sid_bits);
        put_le64(r + 16, sp->reg_base);
        put_le64(r + 24, sp->reg_size);
        put_le64(r + 32, sp->version == 3 ? sp->span_pa : 0);
        put_le64(r + 40, sp->version == 3 ? sp->span_size : 0);
        put_le64(r + 48, sp->strtab_base);
        put_le32(r + 56, sp->strtab_base_cfg);
        put_le32(r + 60, sp->cr0);
        put_le32(r + 64, sp->cr1);
        put_le32(r + 68, sp->cr2);
        put_le32(r + 72, sp->nsmrs_max);
        put_le32(r + 76, sp->ncbs_max);
        for (size_t k = 0; k < sp->smrs.n; k++) {
            const struct smr_place *smr = &sp->smrs.v[k];
            uint8_t *v = new_rec(w, DTPB_SEC_SMRS);
            put_le32(v, (uint32_t)i);
            put_le32(v + 4, (uint32_t)k);
            put_le32(v + 8, smmuv2_smr_value(smr));
            put_le32(v + 12, smmuv2_s2cr_value(smr));
            put_le32(v + 16, smr->guest);
            put_le32(v + 20, smr->cb);
        }
        for (size_t k = 0; k < sp->cbs.n; k++) {
            const struct cb_place *cb = &sp->cbs.v[k];
            uint8_t *v = new_rec(w, DTPB_SEC_CBS);
            put_le32(v, (uint32_t)i);
            put_le32(v + 4, (uint32_t)k);
            put_le32(v + 8, cb->guest);
            put_le32(v + 12, cb->cbar);
            put_le32(v + 16, cb->cba2r);
            put_le32(v + 20, cb->tcr);
            put_le32(v + 24, cb->sctlr);
            put_le32(v + 28, cb->vmid);
            put_le64(v + 32, cb->ttbr0);
        }
    }
    for (size_t i = 0; i < s->shared.n; i++) {
        const struct sys_shared *sh = &s->shared.v[i];
        uint8_t *r = new_rec(w, DTPB_SEC_SHARED);
        put_le32(r, str(w, sh->name));
        put_le64(r + 8, sh->base);
        put_le64(r + 16, sh->size);
        for (size_t k = 0; k < sh->peers.n; k++) {
            const struct sys_peer *pe = &sh->peers.v[k];
            if (pe->guest_index < 0 || (size_t)pe->guest_index >= p->nguests)
                continue;
            uint8_t *v = new_rec(w, DTPB_SEC_PEERS);
            put_le32(v, (uint32_t)i);
            put_le32(v + 4, (uint32_t)pe->guest_index);
            put_le32(v + 8, pe->access == SHM_RO ? 1 : 0);
            put_le32(v + 12, pe->has_doorbell ? pe->doorbell + 32 : DTPB_NONE);
            put_le64(v + 16, pe->has_ipa ? pe->ipa : sh->base);
        }
    }
    uint8_t *r = new_rec(w, DTPB_SEC_LOADMAP);
    put_le32(r, DTPB_LOAD_HVDATA);
    put_le32(r + 4, DTPB_NONE);
    put_le32(r + 8, str(w, "hvdata.bin"));
    put_le64(r + 16, p->load_pa);
    put_le64(r + 32, p->size);
    for (size_t gi = 0; gi < p->nguests; gi++) {
        const struct guest_place *gp = &p->guests[gi];
        const struct sys_guest *g = gp->g;
        char *dtb = xasprintf("%s.dtb", g->name);
        r = new_rec(w, DTPB_SEC_LOADMAP);
        put_le32(r, DTPB_LOAD_DTB);
        put_le32(r + 4, (uint32_t)gi);
        put_le32(r + 8, str(w, dtb));
        put_le64(r + 16, gp->dtb_pa);
        put_le64(r + 24, gp->dtb_ipa);
        put_le64(r + 32, gp->dtb_size);
        free(dtb);
        const struct sys_image *img[2] = {&g->kernel, &g->ramdisk};
        for (int k = 0; k < 2; k++) {
            if (!img[k]->file)
                continue;
            r = new_rec(w, DTPB_SEC_LOADMAP);
            put_le32(r, k ? DTPB_LOAD_RAMDISK : DTPB_LOAD_KERNEL);
            put_le32(r + 4, (uint32_t)gi);
            put_le32(r + 8, str(w, base_name(img[k]->file)));
            put_le64(r + 16, ipa_to_pa(gp, img[k]->load));
            put_le64(r + 24, img[k]->load);
        }
    }
}

static size_t align8(size_t v) { return (v + 7) & ~(size_t)7; }

/* The blob in pieces: header and section table, then each section at its
 * 8-aligned offset. Nothing else is copied: emit_blob streams the pieces
 * to the file, blob_serialise gathers them in one buffer. */
struct blob {
    struct writer w;
    uint8_t head[DTPB_HEADER_SIZE + DTPB_SEC_MAX * DTPB_SECENT_SIZE];
    size_t offs[DTPB_SEC_MAX + 1];
    size_t total;
};

typedef int (*put_fn)(void *arg, const void *data, size_t len);

static int blob_put(const struct blob *b, put_fn put, void *arg)
{
    static const uint8_t zero[8];
    size_t off = sizeof(b->head);
    if (put(arg, b->head, sizeof(b->head)))
        return -1;
    for (unsigned i = 1; i <= DTPB_SEC_MAX; i++) {
        const struct section *s = &b->w.sec[i];
        if (put(arg, zero, b->offs[i] - off) || put(arg, s->data.v, s->data.n))
            return -1;
        off = b->offs[i] + s->data.n;
    }
    return put(arg, zero, b->total - off);
}

static int put_crc(void *arg, const void *data, size_t len)
{
    uint32_t *crc = arg;
    *crc = dtpb_crc32(*crc, data, len);
    return 0;
}

static void blob_build(struct blob *b, const struct dtpass_ctx *ctx)
{
    memset(b, 0, sizeof(*b));
    struct writer *w = &b->w;
    w->sizing = true;
    fill(w, ctx);
    w->sizing = false;
    for (unsigned i = 1; i <= DTPB_SEC_MAX; i++) {
        struct section *s = &w->sec[i];
        s->data.cap = i == DTPB_SEC_STRINGS ? w->str_bound : (size_t)s->count * s->entsize;
        s->data.v = s->data.cap ? xmalloc(s->data.cap) : NULL; /* exact: VEC_GROW rounds up */
        s->count = 0;
    }
    strmap_init(&w->strs);
    fill(w, ctx);
    strmap_free(&w->strs);

    size_t off = sizeof(b->head);
    for (unsigned i = 1; i <= DTPB_SEC_MAX; i++) {
        off = align8(off);
        b->offs[i] = off;
        off += w->sec[i].data.n;
    }
    b->total = align8(off);
    uint8_t *h = b->head;
    memcpy(h, "DTPB", 4);
    put_le16(h + DTPB_H_MAJOR, DTPB_VERSION_MAJOR);
    put_le16(h + DTPB_H_MINOR, DTPB_VERSION_MINOR);
    put_le32(h + DTPB_H_TOTAL, (uint32_t)b->total);
    put_le32(h + DTPB_H_HSIZE, DTPB_HEADER_SIZE);
    put_le32(h + DTPB_H_NSEC, DTPB_SEC_MAX);
    put_le32(h + DTPB_H_SECOFF, DTPB_HEADER_SIZE);
    put_le32(h + DTPB_H_FLAGS, 0);
    for (unsigned i = 1; i <= DTPB_SEC_MAX; i++) {
        uint8_t *e = h + DTPB_HEADER_SIZE + (i - 1) * DTPB_SECENT_SIZE;
        put_le32(e, i);
        put_le32(e + 4, (uint32_t)b->offs[i]);
        put_le32(e + 8, w->sec[i].count);
        put_le32(e + 12, w->sec[i].entsize);
    }
    uint32_t crc = 0; /* over the whole blob, the CRC field still zero */
    blob_put(b, put_crc, &crc);
    put_le32(h + DTPB_H_CRC, crc);
}

static void blob_free(struct blob *b)
{
    for (unsigned i = 1; i <= DTPB_SEC_MAX; i++)
        VEC_FREE(&b->w.sec[i].data);
}

static int put_mem(void *arg, const void *data, size_t len)
{
    uint8_t **p = arg;
    if (len)
        memcpy(*p, data, len);
    *p += len;
    return 0;
}

size_t blob_serialise(const struct dtpass_ctx *ctx, uint8_t **out)
{
    struct blob *b = xmalloc(sizeof(*b));
    blob_build(b, ctx);
    uint8_t *buf = xmalloc(b->total), *p = buf;
    blob_put(b, put_mem, &p);
    size_t total = b->total;
    blob_free(b);
    free(b);
    *out = buf;
    return total;
}

static int put_file(void *arg, const void *data, size_t len)
{
    return len ? emit_write(arg, data, len) : 0;
}

int emit_blob(struct dtpass_ctx *ctx)
{
    if (!ctx->place) {
        diag_fatal(&ctx->diag, NOPOS, "internal error: tables were not placed");
        return -1;
    }
    struct blob *b = xmalloc(sizeof(*b));
    blob_build(b, ctx);
    int rc = -1;
    struct emit_out e;
    if (b->total > UINT32_MAX)
        diag_fatal(&ctx->diag, NOPOS, "system.dtpb would exceed 4 GiB");
    else if (emit_open(ctx, &e, "system.dtpb") == 0) {
        blob_put(b, put_file, &e);
        rc = emit_close(&e);
    }
    blob_free(b);
    free(b);
    return rc;
}
