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

/* The version's record size of each section, from the section table. */
#define ENTSIZE_(ID, rec, REC, title) [DTPB_SEC_##ID] = DTPB_ENT_##REC,
static const uint32_t min_entsize[DTPB_SEC_MAX + 1] = {
    [DTPB_SEC_STRINGS] = 1,
    DTPB_SECTIONS(ENTSIZE_)
};
#undef ENTSIZE_

/* Each field table tiles its record: the widths add up to the record size
 * (the unit test checks the offsets run without a gap). */
#define WIDTH_F_(name, off, width, check, arg, doc) + (width)
#define WIDTH_R_(off, width) + (width)
#define TILES_(ID, rec, REC, title) \
    _Static_assert(0 DTPB_##REC##_FIELDS(WIDTH_F_, WIDTH_R_) == DTPB_ENT_##REC, \
                   "DTPB_" #REC "_FIELDS does not tile DTPB_ENT_" #REC);
DTPB_SECTIONS(TILES_)
#undef TILES_

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
static const uint8_t *record(const struct dtpb *b, unsigned sec, uint32_t i)
{
    if (!b || i >= b->sec[sec].count)
        return 0;
    return b->data + b->sec[sec].off + (size_t)i * b->sec[sec].entsize;
}

/* The getters, one per section, field by field from its table. */
#define rd4 rd32
#define rd8 rd64
#define GET_F_(name, off, width, check, arg, doc) o->name = rd##width(p + (off));
#define GET_R_(off, width)
#define GETTER_(ID, rec, REC, title)                                                 \
    int dtpb_##rec(const struct dtpb *b, uint32_t i, struct dtpb_##rec *o)           \
    {                                                                                \
        const uint8_t *p = record(b, DTPB_SEC_##ID, i);                                 \
        if (!o)                                                                      \
            return DTPB_ERR_BADARG;                                                  \
        if (!p)                                                                      \
            return DTPB_ERR_RANGE;                                                   \
        DTPB_##REC##_FIELDS(GET_F_, GET_R_)                                          \
        return 0;                                                                    \
    }
DTPB_SECTIONS(GETTER_)
#undef GETTER_

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

/* What each field table's check column asks of a field (dtpb.h). */
#define CHECK_VAL(arg, v) (void)0;
#define CHECK_STR(arg, v) if (!str_ok(b, (v))) return DTPB_ERR_BADSTRREF;
#define CHECK_IDX(arg, v) if (!idx_ok(b, DTPB_SEC_##arg, (v))) return DTPB_ERR_BADREF;
#define CHECK_OPT(arg, v) if (!opt_ok(b, DTPB_SEC_##arg, (v))) return DTPB_ERR_BADREF;
#define CHECK_IN(arg, v) CHECK_IN_(v, UNPAREN_ arg)
#define UNPAREN_(lo, hi) lo, hi
#define CHECK_IN_(...) CHECK_IN2_(__VA_ARGS__)
#define CHECK_IN2_(v, lo, hi) if ((uint64_t)(v) < (lo) || (uint64_t)(v) > (hi)) return DTPB_ERR_BADVALUE;
#define CHECK_F_(name, off, width, check, arg, doc) CHECK_##check(arg, o->name)
#define CHECK_R_(off, width)
#define FIELD_CHECKS_(ID, rec, REC, title)                                           \
    static int check_##rec(const struct dtpb *b, const struct dtpb_##rec *o)         \
    {                                                                                \
        (void)b, (void)o; /* a table of VAL fields only checks nothing */            \
        DTPB_##REC##_FIELDS(CHECK_F_, CHECK_R_)                                      \
        return 0;                                                                    \
    }
DTPB_SECTIONS(FIELD_CHECKS_)
#undef FIELD_CHECKS_

/* The relations a field's own check cannot express. */
static int check_guest_vcpus(const struct dtpb *b, uint32_t i, const struct dtpb_guest *g)
{
    if (g->first_vcpu > b->sec[DTPB_SEC_VCPUS].count ||
        g->ncpus > b->sec[DTPB_SEC_VCPUS].count - g->first_vcpu)
        return DTPB_ERR_BADREF;
    /* Its vCPU records are its own, numbered 0..ncpus-1 (each record is
     * checked once over all guests: the ranges cannot overlap). */
    for (uint32_t k = 0; k < g->ncpus; k++) {
        struct dtpb_vcpu v;
        dtpb_vcpu(b, g->first_vcpu + k, &v);
        if (v.guest != i || v.vcpu != k)
            return DTPB_ERR_BADREF;
    }
    return 0;
}

static int check_memmap_ref(const struct dtpb *b, const struct dtpb_memmap *m)
{
    if (m->size == 0 || m->ipa + m->size <= m->ipa || m->pa + m->size <= m->pa)
        return DTPB_ERR_BADVALUE;
    if (m->kind == DTPB_MAP_DEVICE)
        return idx_ok(b, DTPB_SEC_DEVICES, m->ref) ? 0 : DTPB_ERR_BADREF;
    if (m->kind == DTPB_MAP_SHARED)
        return idx_ok(b, DTPB_SEC_SHARED, m->ref) ? 0 : DTPB_ERR_BADREF;
    return m->ref == DTPB_NONE ? 0 : DTPB_ERR_BADREF;
}

/* A quiesce step's fields fit its kind: the device is the guest's own, the
 * SMMU of a stream step has the step's version and holds the IDs, the
 * cells of every step are in section 16. */
static int check_qstep_kind(const struct dtpb *b, const struct dtpb_qstep *q)
{
    struct dtpb_device d;
    struct dtpb_smmu m;
    /* The cells lie inside section 16 whatever the kind: a loader may walk
     * first_cell..+ncells of any step (only kinds 3, 4 have cells; the
     * others carry 0, 0, which fits). */
    uint32_t ncell = b->sec[DTPB_SEC_QCELLS].count;
    if (q->first_cell > ncell || q->ncells > ncell - q->first_cell)
        return DTPB_ERR_BADREF;
    if (q->kind == DTPB_Q_SCRUB)
        return q->device == DTPB_NONE && q->smmu == DTPB_NONE ? 0 : DTPB_ERR_BADREF;
    if (q->device == DTPB_NONE)
        return DTPB_ERR_BADREF;
    dtpb_device(b, q->device, &d);
    if (d.guest != q->guest)
        return DTPB_ERR_BADREF;
    if (q->kind == DTPB_Q_ABORT_STE || q->kind == DTPB_Q_FAULT_S2CR) {
        if (q->smmu == DTPB_NONE)
            return DTPB_ERR_BADREF;
        dtpb_smmu(b, q->smmu, &m);
        if (m.version != (q->kind == DTPB_Q_ABORT_STE ? 3u : 2u))
            return DTPB_ERR_BADREF;
        if (q->kind == DTPB_Q_FAULT_S2CR)
            return q->count == 1 && q->sid < m.nsmrs_max ? 0 : DTPB_ERR_BADVALUE;
        uint64_t end = (uint64_t)q->sid + q->count;
        return q->count && (m.sid_bits >= 32 || end <= (1ull << m.sid_bits)) ? 0 : DTPB_ERR_BADVALUE;
    }
    if (q->smmu != DTPB_NONE)
        return DTPB_ERR_BADREF;
    if (q->kind == DTPB_Q_RESET || q->kind == DTPB_Q_POWER_OFF) {
        if (q->provider == 0) /* the empty string: no provider named */
            return DTPB_ERR_BADREF;
        if (q->holder != DTPB_HOLDER_HYP && q->holder != DTPB_HOLDER_NOBODY &&
            !idx_ok(b, DTPB_SEC_GUESTS, q->holder))
            return DTPB_ERR_BADREF;
    }
    return 0;
}

/* The steps are sorted by (guest, kind), so a hypervisor can run a guest's
 * in record order, and each guest has exactly one scrub step, its last. */
static int check_quiesce(const struct dtpb *b)
{
    uint32_t n = dtpb_count(b, DTPB_SEC_QUIESCE), scrubs = 0;
    struct dtpb_qstep q, prev = {0};
    if (!b->sec[DTPB_SEC_QUIESCE].entsize)
        return 0; /* a 1.0 blob: no plan */
    for (uint32_t i = 0; i < n; i++, prev = q) {
        int err;
        dtpb_qstep(b, i, &q);
        if ((err = check_qstep_kind(b, &q)) != 0)
            return err;
        if (i && (q.guest < prev.guest || (q.guest == prev.guest && q.kind < prev.kind)))
            return DTPB_ERR_BADVALUE;
        if (i && q.guest == prev.guest && prev.kind == DTPB_Q_SCRUB)
            return DTPB_ERR_BADVALUE; /* a second scrub, or a step after it */
        scrubs += q.kind == DTPB_Q_SCRUB;
    }
    return scrubs == dtpb_count(b, DTPB_SEC_GUESTS) ? 0 : DTPB_ERR_BADVALUE;
}

/* Every record of every section by its fields' checks, then the relations
 * (which may follow the indexes the first pass proved). */
static int validate_records(const struct dtpb *b)
{
    int err;
#define VALIDATE_(ID, rec, REC, title)                                               \
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_##ID); i++) {                    \
        struct dtpb_##rec o;                                                         \
        dtpb_##rec(b, i, &o);                                                        \
        if ((err = check_##rec(b, &o)) != 0)                                         \
            return err;                                                              \
    }
    DTPB_SECTIONS(VALIDATE_)
#undef VALIDATE_
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_GUESTS); i++) {
        struct dtpb_guest g;
        dtpb_guest(b, i, &g);
        if ((err = check_guest_vcpus(b, i, &g)) != 0)
            return err;
    }
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_MEMMAP); i++) {
        struct dtpb_memmap m;
        dtpb_memmap(b, i, &m);
        if ((err = check_memmap_ref(b, &m)) != 0)
            return err;
    }
    return check_quiesce(b);
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
