/* dtpb/reader.c — the freestanding system.dtpb reader (include/dtpass/
 * dtpb.h, docs/dtpb.md). Compiles with -ffreestanding -nostdlib: no libc
 * call, no allocation, no global mutable state. dtpb_open() validates the
 * whole blob once — header, CRC-32, section table, every record's strings
 * and cross references — so the getters afterwards only bounds-check the
 * record index. Every read goes through get16/32/64 on an offset already
 * proven to lie inside the blob. */
#include "dtpass/dtpb.h"

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)rd16(p) | ((uint32_t)rd16(p + 2) << 16); }
static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32); }

uint32_t dtpb_crc32(uint32_t crc, const void *data, size_t len)
{
    /* Four bits at a time: the reflected polynomial 0xEDB88320 applied to
     * each nibble value (entry 8 is the polynomial itself), a table small
     * enough for any loader. */
    static const uint32_t nibble[16] = {
        0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu, 0x76dc4190u, 0x6b6b51f4u,
        0x4db26158u, 0x5005713cu, 0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
        0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu};
    const uint8_t *p = data;
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ nibble[crc & 15u];
        crc = (crc >> 4) ^ nibble[crc & 15u];
    }
    return ~crc;
}

const char *dtpb_strerror(int err)
{
    switch (err) {
    case 0: return "success";
    case DTPB_ERR_TRUNCATED: return "blob truncated";
    case DTPB_ERR_BADMAGIC: return "not a dtpb blob (bad magic)";
    case DTPB_ERR_BADVERSION: return "unsupported major version";
    case DTPB_ERR_BADHEADER: return "invalid header";
    case DTPB_ERR_BADCRC: return "CRC-32 mismatch";
    case DTPB_ERR_BADSECTAB: return "invalid section table";
    case DTPB_ERR_BADSECTION: return "section out of bounds, misaligned or overlapping";
    case DTPB_ERR_BADENTSIZE: return "record size too small";
    case DTPB_ERR_DUPSECTION: return "duplicate section";
    case DTPB_ERR_MISSING: return "required section missing";
    case DTPB_ERR_BADSTRINGS: return "invalid string table";
    case DTPB_ERR_BADSTRREF: return "string reference out of range";
    case DTPB_ERR_BADREF: return "record reference out of range";
    case DTPB_ERR_BADVALUE: return "field value out of range";
    case DTPB_ERR_RANGE: return "record index out of range";
    case DTPB_ERR_BADARG: return "invalid argument";
    default: return "unknown error";
    }
}

static const uint32_t min_entsize[DTPB_SEC_MAX + 1] = {
    [DTPB_SEC_STRINGS] = 1,
    [DTPB_SEC_GUESTS] = DTPB_ENT_GUEST,
    [DTPB_SEC_VCPUS] = DTPB_ENT_VCPU,
    [DTPB_SEC_MEMMAP] = DTPB_ENT_MEMMAP,
    [DTPB_SEC_DEVICES] = DTPB_ENT_DEVICE,
    [DTPB_SEC_DEVREGS] = DTPB_ENT_DEVREG,
    [DTPB_SEC_IRQS] = DTPB_ENT_IRQ,
    [DTPB_SEC_SIDS] = DTPB_ENT_SID,
    [DTPB_SEC_SMMUS] = DTPB_ENT_SMMU,
    [DTPB_SEC_SMRS] = DTPB_ENT_SMR,
    [DTPB_SEC_CBS] = DTPB_ENT_CB,
    [DTPB_SEC_SHARED] = DTPB_ENT_SHARED,
    [DTPB_SEC_PEERS] = DTPB_ENT_PEER,
    [DTPB_SEC_LOADMAP] = DTPB_ENT_LOAD,
};

uint32_t dtpb_count(const struct dtpb *b, unsigned section)
{
    if (!b || section == 0 || section > DTPB_SEC_MAX)
        return 0;
    return b->sec[section].count;
}

const char *dtpb_str(const struct dtpb *b, uint32_t off)
{
    const struct dtpb_section *s = &b->sec[DTPB_SEC_STRINGS];
    if (off >= s->count)
        return "";
    return (const char *)b->data + s->off + off;
}

/* The record i of a section, or NULL. */
static const uint8_t *rec(const struct dtpb *b, unsigned sec, uint32_t i)
{
    if (!b || i >= b->sec[sec].count)
        return 0;
    return b->data + b->sec[sec].off + (size_t)i * b->sec[sec].entsize;
}

#define GETTER(fn, sec, type, body)                                                  \
    int fn(const struct dtpb *b, uint32_t i, type *o)                                \
    {                                                                                \
        const uint8_t *p = rec(b, sec, i);                                           \
        if (!o)                                                                      \
            return DTPB_ERR_BADARG;                                                  \
        if (!p)                                                                      \
            return DTPB_ERR_RANGE;                                                   \
        body;                                                                        \
        return 0;                                                                    \
    }

GETTER(dtpb_guest, DTPB_SEC_GUESTS, struct dtpb_guest, {
    o->name = rd32(p); o->vmid = rd32(p + 4); o->ncpus = rd32(p + 8); o->first_vcpu = rd32(p + 12);
    o->s2_root = rd64(p + 16); o->vtcr = rd64(p + 24); o->s2_size = rd64(p + 32);
    o->kernel_ipa = rd64(p + 40); o->ramdisk_ipa = rd64(p + 48); o->dtb_ipa = rd64(p + 56);
    o->flags = rd32(p + 64); o->start_level = rd32(p + 68); o->bootargs = rd32(p + 72);
})
GETTER(dtpb_vcpu, DTPB_SEC_VCPUS, struct dtpb_vcpu, {
    o->guest = rd32(p); o->vcpu = rd32(p + 4); o->pcpu = rd32(p + 8); o->mpidr = rd64(p + 16);
})
GETTER(dtpb_memmap, DTPB_SEC_MEMMAP, struct dtpb_memmap, {
    o->guest = rd32(p); o->kind = rd32(p + 4); o->ipa = rd64(p + 8); o->pa = rd64(p + 16);
    o->size = rd64(p + 24); o->perm = rd32(p + 32); o->ref = rd32(p + 36);
})
GETTER(dtpb_device, DTPB_SEC_DEVICES, struct dtpb_device, {
    o->guest = rd32(p); o->path = rd32(p + 4); o->flags = rd32(p + 8);
})
GETTER(dtpb_devreg, DTPB_SEC_DEVREGS, struct dtpb_devreg, {
    o->device = rd32(p); o->pa = rd64(p + 8); o->size = rd64(p + 16); o->ipa = rd64(p + 24);
})
GETTER(dtpb_irq, DTPB_SEC_IRQS, struct dtpb_irq, {
    o->pintid = rd32(p); o->guest = rd32(p + 4); o->vintid = rd32(p + 8); o->flags = rd32(p + 12);
    o->device = rd32(p + 16);
})
GETTER(dtpb_sid, DTPB_SEC_SIDS, struct dtpb_sid, {
    o->smmu = rd32(p); o->sid = rd32(p + 4); o->mask = rd32(p + 8); o->count = rd32(p + 12);
    o->guest = rd32(p + 16); o->device = rd32(p + 20);
})
GETTER(dtpb_smmu, DTPB_SEC_SMMUS, struct dtpb_smmu, {
    o->name = rd32(p); o->path = rd32(p + 4); o->version = rd32(p + 8); o->sid_bits = rd32(p + 12);
    o->reg_base = rd64(p + 16); o->reg_size = rd64(p + 24); o->table_pa = rd64(p + 32);
    o->table_size = rd64(p + 40); o->strtab_base = rd64(p + 48); o->strtab_base_cfg = rd32(p + 56);
    o->cr0 = rd32(p + 60); o->cr1 = rd32(p + 64); o->cr2 = rd32(p + 68);
    o->nsmrs_max = rd32(p + 72); o->ncbs_max = rd32(p + 76);
})
GETTER(dtpb_smr, DTPB_SEC_SMRS, struct dtpb_smr, {
    o->smmu = rd32(p); o->index = rd32(p + 4); o->smr = rd32(p + 8); o->s2cr = rd32(p + 12);
    o->guest = rd32(p + 16); o->cb = rd32(p + 20);
})
GETTER(dtpb_cb, DTPB_SEC_CBS, struct dtpb_cb, {
    o->smmu = rd32(p); o->index = rd32(p + 4); o->guest = rd32(p + 8); o->cbar = rd32(p + 12);
    o->cba2r = rd32(p + 16); o->tcr = rd32(p + 20); o->sctlr = rd32(p + 24); o->vmid = rd32(p + 28);
    o->ttbr0 = rd64(p + 32);
})
GETTER(dtpb_shared, DTPB_SEC_SHARED, struct dtpb_shared, {
    o->name = rd32(p); o->base = rd64(p + 8); o->size = rd64(p + 16);
})
GETTER(dtpb_peer, DTPB_SEC_PEERS, struct dtpb_peer, {
    o->shared = rd32(p); o->guest = rd32(p + 4); o->access = rd32(p + 8); o->doorbell = rd32(p + 12);
    o->ipa = rd64(p + 16);
})
GETTER(dtpb_load, DTPB_SEC_LOADMAP, struct dtpb_load, {
    o->kind = rd32(p); o->guest = rd32(p + 4); o->file = rd32(p + 8); o->pa = rd64(p + 16);
    o->ipa = rd64(p + 24); o->size = rd64(p + 32);
})

/* ------------------------------------------------------------------ */
/* validation */

static int str_ok(const struct dtpb *b, uint32_t off)
{
    return off < b->sec[DTPB_SEC_STRINGS].count;
}
static int idx_ok(const struct dtpb *b, unsigned sec, uint32_t i) { return i < b->sec[sec].count; }
static int opt_ok(const struct dtpb *b, unsigned sec, uint32_t i)
{
    return i == DTPB_NONE || i < b->sec[sec].count;
}

#define CHECK_STR(x) do { if (!str_ok(b, (x))) return DTPB_ERR_BADSTRREF; } while (0)
#define CHECK_IDX(sec, x) do { if (!idx_ok(b, (sec), (x))) return DTPB_ERR_BADREF; } while (0)
#define CHECK_OPT(sec, x) do { if (!opt_ok(b, (sec), (x))) return DTPB_ERR_BADREF; } while (0)
#define CHECK_VAL(c) do { if (!(c)) return DTPB_ERR_BADVALUE; } while (0)

static int validate_records(const struct dtpb *b)
{
    uint32_t i;
    for (i = 0; i < dtpb_count(b, DTPB_SEC_GUESTS); i++) {
        struct dtpb_guest g;
        dtpb_guest(b, i, &g);
        CHECK_STR(g.name);
        CHECK_STR(g.bootargs);
        if (g.first_vcpu > b->sec[DTPB_SEC_VCPUS].count ||
            g.ncpus > b->sec[DTPB_SEC_VCPUS].count - g.first_vcpu)
            return DTPB_ERR_BADREF;
        /* Its vCPU records are its own, numbered 0..ncpus-1 (each record
         * is checked once over all guests: the ranges cannot overlap). */
        for (uint32_t k = 0; k < g.ncpus; k++) {
            struct dtpb_vcpu v;
            dtpb_vcpu(b, g.first_vcpu + k, &v);
            if (v.guest != i || v.vcpu != k)
                return DTPB_ERR_BADREF;
        }
        CHECK_VAL(g.start_level <= 3);
    }
    for (i = 0; i < dtpb_count(b, DTPB_SEC_VCPUS); i++) {
        struct dtpb_vcpu v;
        dtpb_vcpu(b, i, &v);
        CHECK_IDX(DTPB_SEC_GUESTS, v.guest);
    }
    for (i = 0; i < dtpb_count(b, DTPB_SEC_MEMMAP); i++) {
        struct dtpb_memmap m;
        dtpb_memmap(b, i, &m);
        CHECK_IDX(DTPB_SEC_GUESTS, m.guest);
        CHECK_VAL(m.kind >= DTPB_MAP_RAM && m.kind <= DTPB_MAP_DEVICE);
        CHECK_VAL(m.size != 0 && m.ipa + m.size > m.ipa && m.pa + m.size > m.pa);
        if (m.kind == DTPB_MAP_DEVICE)
            CHECK_IDX(DTPB_SEC_DEVICES, m.ref);
        else if (m.kind == DTPB_MAP_SHARED)
            CHECK_IDX(DTPB_SEC_SHARED, m.ref);
        else if (m.ref != DTPB_NONE)
            return DTPB_ERR_BADREF;
    }
    for (i = 0; i < dtpb_count(b, DTPB_SEC_DEVICES); i++) {
        struct dtpb_device d;
        dtpb_device(b, i, &d);
        CHECK_OPT(DTPB_SEC_GUESTS, d.guest); /* DTPB_NONE: kept by the hypervisor */
        CHECK_STR(d.path);
    }
    for (i = 0; i < dtpb_count(b, DTPB_SEC_DEVREGS); i++) {
        struct dtpb_devreg r;
        dtpb_devreg(b, i, &r);
        CHECK_IDX(DTPB_SEC_DEVICES, r.device);
    }
    for (i = 0; i < dtpb_count(b, DTPB_SEC_IRQS); i++) {
        struct dtpb_irq q;
        dtpb_irq(b, i, &q);
        CHECK_IDX(DTPB_SEC_GUESTS, q.guest);
        CHECK_OPT(DTPB_SEC_DEVICES, q.device);
    }
    for (i = 0; i < dtpb_count(b, DTPB_SEC_SIDS); i++) {
        struct dtpb_sid s;
        dtpb_sid(b, i, &s);
        CHECK_IDX(DTPB_SEC_SMMUS, s.smmu);
        CHECK_IDX(DTPB_SEC_GUESTS, s.guest);
        CHECK_OPT(DTPB_SEC_DEVICES, s.device);
    }
    for (i = 0; i < dtpb_count(b, DTPB_SEC_SMMUS); i++) {
        struct dtpb_smmu s;
        dtpb_smmu(b, i, &s);
        CHECK_STR(s.name);
        CHECK_STR(s.path);
        CHECK_VAL(s.version == 2 || s.version == 3);
        CHECK_VAL(s.sid_bits <= 32);
    }
    for (i = 0; i < dtpb_count(b, DTPB_SEC_SMRS); i++) {
        struct dtpb_smr s;
        dtpb_smr(b, i, &s);
        CHECK_IDX(DTPB_SEC_SMMUS, s.smmu);
        CHECK_IDX(DTPB_SEC_GUESTS, s.guest);
    }
    for (i = 0; i < dtpb_count(b, DTPB_SEC_CBS); i++) {
        struct dtpb_cb c;
        dtpb_cb(b, i, &c);
        CHECK_IDX(DTPB_SEC_SMMUS, c.smmu);
        CHECK_IDX(DTPB_SEC_GUESTS, c.guest);
    }
    for (i = 0; i < dtpb_count(b, DTPB_SEC_SHARED); i++) {
        struct dtpb_shared s;
        dtpb_shared(b, i, &s);
        CHECK_STR(s.name);
    }
    for (i = 0; i < dtpb_count(b, DTPB_SEC_PEERS); i++) {
        struct dtpb_peer p;
        dtpb_peer(b, i, &p);
        CHECK_IDX(DTPB_SEC_SHARED, p.shared);
        CHECK_IDX(DTPB_SEC_GUESTS, p.guest);
        CHECK_VAL(p.access <= 1);
    }
    for (i = 0; i < dtpb_count(b, DTPB_SEC_LOADMAP); i++) {
        struct dtpb_load l;
        dtpb_load(b, i, &l);
        CHECK_VAL(l.kind >= DTPB_LOAD_HVDATA && l.kind <= DTPB_LOAD_RAMDISK);
        CHECK_OPT(DTPB_SEC_GUESTS, l.guest);
        CHECK_STR(l.file);
    }
    return 0;
}

static void zero(struct dtpb *b)
{
    uint8_t *p = (uint8_t *)b;
    for (size_t i = 0; i < sizeof(*b); i++)
        p[i] = 0;
}

static int open_blob(struct dtpb *b, const void *data, size_t len)
{
    const uint8_t *d = data;
    if (!b || !data)
        return DTPB_ERR_BADARG;
    zero(b);
    if (len < DTPB_HEADER_SIZE)
        return DTPB_ERR_TRUNCATED;
    if (d[0] != DTPB_MAGIC0 || d[1] != DTPB_MAGIC1 || d[2] != DTPB_MAGIC2 || d[3] != DTPB_MAGIC3)
        return DTPB_ERR_BADMAGIC;
    uint16_t major = rd16(d + DTPB_H_MAJOR), minor = rd16(d + DTPB_H_MINOR);
    if (major != DTPB_VERSION_MAJOR)
        return DTPB_ERR_BADVERSION;
    uint32_t total = rd32(d + DTPB_H_TOTAL);
    if (total > len)
        return DTPB_ERR_TRUNCATED;
    uint32_t hsize = rd32(d + DTPB_H_HSIZE);
    if (total < DTPB_HEADER_SIZE || hsize < DTPB_HEADER_SIZE || hsize > total || (hsize & 7) ||
        (total & 7) || rd32(d + DTPB_H_FLAGS) != 0)
        return DTPB_ERR_BADHEADER;
    /* CRC over the whole blob with the CRC field read as zero. */
    static const uint8_t zeros[4] = {0, 0, 0, 0};
    uint32_t crc = dtpb_crc32(0, d, DTPB_H_CRC);
    crc = dtpb_crc32(crc, zeros, 4);
    crc = dtpb_crc32(crc, d + DTPB_H_CRC + 4, total - DTPB_H_CRC - 4);
    if (crc != rd32(d + DTPB_H_CRC))
        return DTPB_ERR_BADCRC;

    uint32_t nsec = rd32(d + DTPB_H_NSEC), secoff = rd32(d + DTPB_H_SECOFF);
    if (nsec > DTPB_MAX_SECTIONS || secoff < hsize || (secoff & 7) || secoff > total ||
        (uint64_t)nsec * DTPB_SECENT_SIZE > total - secoff)
        return DTPB_ERR_BADSECTAB;
    uint64_t tab_end = secoff + (uint64_t)nsec * DTPB_SECENT_SIZE;

    /* Sections: in bounds, 8-aligned, after the section table, in
     * increasing offset order without overlap (which makes overlap a linear
     * check). Unknown ids are skipped (a later minor version's). */
    uint64_t prev_end = tab_end;
    for (uint32_t i = 0; i < nsec; i++) {
        const uint8_t *e = d + secoff + (size_t)i * DTPB_SECENT_SIZE;
        uint32_t id = rd32(e), off = rd32(e + 4), count = rd32(e + 8), ent = rd32(e + 12);
        uint64_t bytes = (uint64_t)count * ent;
        if ((off & 7) || off < prev_end || off > total || bytes > total - off)
            return DTPB_ERR_BADSECTION;
        prev_end = off + bytes;
        if (id == 0 || id > DTPB_SEC_MAX)
            continue;
        if (b->sec[id].entsize)
            return DTPB_ERR_DUPSECTION;
        if (ent < min_entsize[id] || (id == DTPB_SEC_STRINGS && ent != 1))
            return DTPB_ERR_BADENTSIZE;
        b->sec[id].off = off;
        b->sec[id].count = count;
        b->sec[id].entsize = ent;
    }
    if (!b->sec[DTPB_SEC_STRINGS].entsize || !b->sec[DTPB_SEC_GUESTS].entsize ||
        !b->sec[DTPB_SEC_LOADMAP].entsize) {
        zero(b);
        return DTPB_ERR_MISSING;
    }
    const struct dtpb_section *st = &b->sec[DTPB_SEC_STRINGS];
    if (st->count == 0 || d[st->off] != 0 || d[st->off + st->count - 1] != 0) {
        zero(b);
        return DTPB_ERR_BADSTRINGS;
    }
    b->data = d;
    b->size = total;
    b->major = major;
    b->minor = minor;
    int err = validate_records(b);
    if (err)
        zero(b);
    return err;
}

int dtpb_open(struct dtpb *b, const void *data, size_t len)
{
    int err = open_blob(b, data, len);
    if (err && b)
        zero(b); /* nothing of a rejected blob is visible */
    return err;
}
