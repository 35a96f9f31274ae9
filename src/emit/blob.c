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
#include "lower/quiesce.h"

struct section {
    uint32_t id, entsize, count;
    VEC(uint8_t) data;
};

/* The largest record of the field tables (the first pass's scratch). */
enum { MAX_ENT = 80 };
#define FITS_(ID, rec, REC, title) \
    _Static_assert(DTPB_ENT_##REC <= MAX_ENT, "a record larger than the first pass's scratch");
DTPB_SECTIONS(FITS_)
#undef FITS_

/* One encoder per record, field by field from its table in dtpb.h:
 * put_<rec>(r, &o) writes o at r (reserved bytes stay as new_rec zeroed
 * them). */
#define put4 put_le32
#define put8 put_le64
#define PUT_F_(name, off, width, check, arg, doc) put##width(r + (off), o->name);
#define PUT_R_(off, width)
#define ENCODER_(ID, rec, REC, title)                                                \
    static void put_##rec(uint8_t *r, const struct dtpb_##rec *o)                    \
    {                                                                                \
        DTPB_##REC##_FIELDS(PUT_F_, PUT_R_)                                          \
    }
DTPB_SECTIONS(ENCODER_)
#undef ENCODER_

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

/* Each record is filled as its reader-side struct, in the order its
 * strings are interned (the string table's order is part of the output),
 * then encoded by its table. */
static void fill(struct writer *w, const struct dtpass_ctx *ctx)
{
    const struct system *s = &ctx->sys;
    const struct board *b = &ctx->board;
    const struct placement *p = ctx->place;
#define ENT_(ID, rec, REC, title) [DTPB_SEC_##ID] = DTPB_ENT_##REC,
    static const uint32_t ent[DTPB_SEC_MAX + 1] = {[DTPB_SEC_STRINGS] = 1, DTPB_SECTIONS(ENT_)};
#undef ENT_
    for (unsigned i = 1; i <= DTPB_SEC_MAX; i++) {
        w->sec[i].id = i;
        w->sec[i].entsize = ent[i];
    }
    str(w, ""); /* offset 0: the empty string */

    uint32_t vcpu = 0;
    for (size_t gi = 0; gi < p->nguests; gi++) {
        const struct guest_place *gp = &p->guests[gi];
        const struct sys_guest *g = gp->g;
        struct dtpb_guest o = {0};
        o.name = str(w, g->name);
        o.vmid = gp->vmid;
        o.ncpus = (uint32_t)g->cpus.n;
        o.first_vcpu = vcpu;
        o.s2_root = gp->pa;
        o.vtcr = gp->vtcr;
        o.s2_size = gp->size;
        o.kernel_ipa = g->kernel.file ? g->kernel.load : 0;
        o.ramdisk_ipa = g->ramdisk.file ? g->ramdisk.load : 0;
        o.dtb_ipa = gp->dtb_ipa;
        o.flags = (g->kernel.file ? DTPB_GUEST_KERNEL : 0) | (g->ramdisk.file ? DTPB_GUEST_RAMDISK : 0);
        o.start_level = (uint32_t)gp->start_level;
        o.bootargs = str(w, g->bootargs);
        put_guest(new_rec(w, DTPB_SEC_GUESTS), &o);
        for (size_t k = 0; k < g->cpus.n; k++, vcpu++) {
            uint32_t pc = g->cpus.v[k].index;
            struct dtpb_vcpu v = {.guest = (uint32_t)gi, .vcpu = (uint32_t)k, .pcpu = pc,
                                  .mpidr = pc < b->ncpus ? b->cpus[pc].mpidr : 0};
            put_vcpu(new_rec(w, DTPB_SEC_VCPUS), &v);
        }
        for (size_t k = 0; k < gp->maps.n; k++) {
            const struct s2_map *m = &gp->maps.v[k];
            struct dtpb_memmap v = {.guest = (uint32_t)gi, .kind = (uint32_t)m->kind,
                                    .ipa = m->ipa, .pa = m->pa, .size = m->size,
                                    .perm = m->perm, .ref = m->ref};
            put_memmap(new_rec(w, DTPB_SEC_MEMMAP), &v);
        }
    }
    for (size_t d = 0; d < p->devices.n; d++) {
        const struct dev_place *dp = &p->devices.v[d];
        const struct sys_device *dev = dp->dev;
        struct dtpb_device o = {.guest = dp->guest, .flags = dev->is_dma ? DTPB_DEV_DMA : 0};
        o.path = str(w, dev->ref.node ? dev->ref.node->path : dev->ref.text);
        put_device(new_rec(w, DTPB_SEC_DEVICES), &o);
        for (size_t k = 0; k < dev->regs.n; k++) {
            struct dtpb_devreg v = {.device = (uint32_t)d, .pa = dev->regs.v[k].pa,
                                    .size = dev->regs.v[k].size, .ipa = dev->regs.v[k].ipa};
            put_devreg(new_rec(w, DTPB_SEC_DEVREGS), &v);
        }
        for (size_t k = 0; k < dev->rirqs.n; k++) {
            struct dtpb_irq v = {.pintid = dev->rirqs.v[k].pintid, .guest = dp->guest,
                                 .vintid = dev->rirqs.v[k].vintid,
                                 .flags = dev->rirqs.v[k].flags, .device = (uint32_t)d};
            put_irq(new_rec(w, DTPB_SEC_IRQS), &v);
        }
        for (size_t k = 0; k < dev->rsids.n; k++) {
            const struct res_sid *rs = &dev->rsids.v[k];
            uint32_t si = smmu_index(b, rs->smmu);
            if (si == DTPB_NONE)
                continue;
            struct dtpb_sid v = {.smmu = si, .sid = rs->sid, .mask = rs->mask,
                                 .count = rs->count ? rs->count : 1, .guest = dp->guest,
                                 .device = (uint32_t)d};
            put_sid(new_rec(w, DTPB_SEC_SIDS), &v);
        }
    }
    /* Devices the hypervisor keeps (its console...): guest DTPB_NONE, regs
     * at their physical addresses, nothing mapped or routed. */
    uint32_t ndev = (uint32_t)p->devices.n;
    for (size_t i = 0; i < s->hyp_devices.n; i++) {
        const struct board_node *n = s->hyp_devices.v[i].node;
        if (!n)
            continue;
        struct dtpb_device o = {.guest = DTPB_NONE, .flags = n->dma_master ? DTPB_DEV_DMA : 0};
        o.path = str(w, n->path);
        put_device(new_rec(w, DTPB_SEC_DEVICES), &o);
        for (uint32_t k = 0; k < n->nmmio; k++) {
            struct dtpb_devreg v = {.device = ndev, .pa = n->mmio[k].base,
                                    .size = n->mmio[k].size, .ipa = n->mmio[k].base};
            put_devreg(new_rec(w, DTPB_SEC_DEVREGS), &v);
        }
        ndev++;
    }
    for (size_t i = 0; i < p->nsmmus; i++) {
        const struct smmu_place *sp = &p->smmus[i];
        struct dtpb_smmu o = {0};
        o.name = str(w, sp->smmu->name);
        o.path = str(w, sp->smmu->node ? sp->smmu->node->path : "");
        o.version = (uint32_t)sp->version;
        o.sid_bits = sp->sid_bits;
        o.reg_base = sp->reg_base;
        o.reg_size = sp->reg_size;
        o.table_pa = sp->version == 3 ? sp->span_pa : 0;
        o.table_size = sp->version == 3 ? sp->span_size : 0;
        o.strtab_base = sp->strtab_base;
        o.strtab_base_cfg = sp->strtab_base_cfg;
        o.cr0 = sp->cr0;
        o.cr1 = sp->cr1;
        o.cr2 = sp->cr2;
        o.nsmrs_max = sp->nsmrs_max;
        o.ncbs_max = sp->ncbs_max;
        put_smmu(new_rec(w, DTPB_SEC_SMMUS), &o);
        for (size_t k = 0; k < sp->smrs.n; k++) {
            const struct smr_place *smr = &sp->smrs.v[k];
            struct dtpb_smr v = {.smmu = (uint32_t)i, .index = (uint32_t)k,
                                 .smr = smmuv2_smr_value(smr), .s2cr = smmuv2_s2cr_value(smr),
                                 .guest = smr->guest, .cb = smr->cb};
            put_smr(new_rec(w, DTPB_SEC_SMRS), &v);
        }
        for (size_t k = 0; k < sp->cbs.n; k++) {
            const struct cb_place *cb = &sp->cbs.v[k];
            struct dtpb_cb v = {.smmu = (uint32_t)i, .index = (uint32_t)k, .guest = cb->guest,
                                .cbar = cb->cbar, .cba2r = cb->cba2r, .tcr = cb->tcr,
                                .sctlr = cb->sctlr, .vmid = cb->vmid, .ttbr0 = cb->ttbr0};
            put_cb(new_rec(w, DTPB_SEC_CBS), &v);
        }
    }
    for (size_t i = 0; i < s->shared.n; i++) {
        const struct sys_shared *sh = &s->shared.v[i];
        struct dtpb_shared o = {.base = sh->base, .size = sh->size};
        o.name = str(w, sh->name);
        put_shared(new_rec(w, DTPB_SEC_SHARED), &o);
        for (size_t k = 0; k < sh->peers.n; k++) {
            const struct sys_peer *pe = &sh->peers.v[k];
            if (pe->guest_index < 0 || (size_t)pe->guest_index >= p->nguests)
                continue;
            struct dtpb_peer v = {.shared = (uint32_t)i, .guest = (uint32_t)pe->guest_index,
                                  .access = pe->access == SHM_RO ? 1 : 0,
                                  .doorbell = pe->has_doorbell ? pe->doorbell + 32 : DTPB_NONE,
                                  .ipa = pe->has_ipa ? pe->ipa : sh->base};
            put_peer(new_rec(w, DTPB_SEC_PEERS), &v);
        }
    }
    struct dtpb_load l = {.kind = DTPB_LOAD_HVDATA, .guest = DTPB_NONE, .pa = p->load_pa,
                          .size = p->size};
    l.file = str(w, "hvdata.bin");
    put_load(new_rec(w, DTPB_SEC_LOADMAP), &l);
    for (size_t gi = 0; gi < p->nguests; gi++) {
        const struct guest_place *gp = &p->guests[gi];
        const struct sys_guest *g = gp->g;
        char *dtb = xasprintf("%s.dtb", g->name);
        l = (struct dtpb_load){.kind = DTPB_LOAD_DTB, .guest = (uint32_t)gi, .pa = gp->dtb_pa,
                               .ipa = gp->dtb_ipa, .size = gp->dtb_size};
        l.file = str(w, dtb);
        put_load(new_rec(w, DTPB_SEC_LOADMAP), &l);
        free(dtb);
        const struct sys_image *img[2] = {&g->kernel, &g->ramdisk};
        for (int k = 0; k < 2; k++) {
            if (!img[k]->file)
                continue;
            l = (struct dtpb_load){.kind = k ? DTPB_LOAD_RAMDISK : DTPB_LOAD_KERNEL,
                                   .guest = (uint32_t)gi, .pa = ipa_to_pa(gp, img[k]->load),
                                   .ipa = img[k]->load};
            l.file = str(w, base_name(img[k]->file));
            put_load(new_rec(w, DTPB_SEC_LOADMAP), &l);
        }
    }
    const struct quiesce_plan *q = ctx->quiesce;
    for (size_t i = 0; q && i < q->steps.n; i++) {
        const struct qs_step *st = &q->steps.v[i];
        bool line = st->kind == QS_RESET || st->kind == QS_POWER_OFF;
        struct dtpb_qstep o = {.guest = st->guest, .kind = (uint32_t)st->kind,
                               .device = st->device, .smmu = st->smmu, .sid = st->sid,
                               .count = st->count, .holder = line ? st->holder : DTPB_NONE,
                               .reg_base = st->reg_base, .reg_size = st->reg_size,
                               .first_cell = st->first_cell, .ncells = st->ncells};
        o.provider = str(w, line ? st->provider->path : "");
        put_qstep(new_rec(w, DTPB_SEC_QUIESCE), &o);
    }
    for (size_t i = 0; q && i < q->cells.n; i++)
        put_qcell(new_rec(w, DTPB_SEC_QCELLS), &(struct dtpb_qcell){.value = q->cells.v[i]});
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
    if (!ctx->place || !ctx->quiesce) {
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
