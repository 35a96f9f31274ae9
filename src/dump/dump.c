/* dump/dump.c — `dtpass dump FILE [--json]`: decodes what dtpass emits for
 * the hypervisor (docs/dtpb.md, docs/tables.md):
 *   - a system.dtpb blob (recognised by its magic), through the
 *     freestanding reader, so dump never trusts what the reader rejects;
 *   - an SMMUv2 programming list (magic "DTS2");
 *   - hvdata.bin, smmu-<name>.bin and s2-<guest>.bin, which have no magic:
 *     they are decoded with the facts of the system.dtpb in the same
 *     directory (load address, stream-table format, stage-2 roots). Without
 *     that blob, a file whose size is a multiple of 64 is decoded as a
 *     linear SMMUv3 stream table.
 * Every input is hostile: all offsets are checked against the file. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dtpass/dtpb.h"
#include "dump/dump.h"
#include "emit/tables.h"

#define DUMP_MAX (1ull << 30)

struct out {
    FILE *f;
    bool json;
    bool first; /* JSON: no comma before the next array element */
};

/* ------------------------------------------------------------------ */
/* the blob */

static void js(FILE *f, const char *s)
{
    struct strbuf sb;
    sb_init(&sb);
    sb_json_str(&sb, s);
    fputs(sb.s, f);
    sb_free(&sb);
}

static const char *kind_name(uint32_t k)
{
    return k == DTPB_MAP_RAM ? "ram" : k == DTPB_MAP_SHARED ? "shared" : "device";
}

static const char *load_name(uint32_t k)
{
    static const char *const n[] = {"?", "hvdata", "dtb", "kernel", "ramdisk"};
    return k < ARRAY_SIZE(n) ? n[k] : "?";
}

static void perm_str(uint32_t perm, char buf[8])
{
    buf[0] = perm & DTPB_PERM_R ? 'r' : '-';
    buf[1] = perm & DTPB_PERM_W ? 'w' : '-';
    buf[2] = perm & DTPB_PERM_X ? 'x' : '-';
    buf[3] = 0;
    if (perm & DTPB_PERM_DEVICE)
        strcat(buf, " dev");
}

/* One decoder for both forms. The blob is walked once, in a plan of
 * sections and their children (a guest's vCPUs, a device's registers...);
 * each record is printed by one function that knows its text line and its
 * JSON object side by side. The plan differs between the forms only in
 * where two sections appear: text lists a guest's memory map under the
 * guest and the streams after the SMMUs, JSON has "memory" after "guests"
 * and "streams" before "smmus" (both kept as they were). */

struct rec_ctx {
    struct out *o;
    const struct dtpb *b;
    const char *sep; /* JSON: before the next key of the current object */
};

static void ju(struct rec_ctx *c, const char *name, uint64_t v)
{
    fprintf(c->o->f, "%s\"%s\":%" PRIu64, c->sep, name, v);
    c->sep = ",";
}

static void jstr(struct rec_ctx *c, const char *name, const char *v)
{
    fprintf(c->o->f, "%s\"%s\":", c->sep, name);
    js(c->o->f, v);
    c->sep = ",";
}

/* A record's numeric JSON fields, in order: one row of a table per field. */
struct jfield {
    const char *name;
    uint64_t v;
};

static void jrow(struct rec_ctx *c, const struct jfield *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ju(c, f[i].name, f[i].v);
}

#define JROW(c, ...)                                                                               \
    jrow(c, (const struct jfield[]){__VA_ARGS__},                                                  \
         sizeof((const struct jfield[]){__VA_ARGS__}) / sizeof(struct jfield))

static const char *guest_name(const struct dtpb *b, uint32_t i)
{
    struct dtpb_guest g;
    return dtpb_guest(b, i, &g) == 0 ? dtpb_str(b, g.name) : "";
}

static void put_guest(struct rec_ctx *c, uint32_t i)
{
    const struct dtpb *b = c->b;
    FILE *f = c->o->f;
    struct dtpb_guest g;
    dtpb_guest(b, i, &g);
    if (!c->o->json) {
        fprintf(f, "guest %u %s: vmid %u, %u vcpus, s2 root 0x%" PRIx64 " (%" PRIu64
                   " bytes, start level %u), vtcr 0x%" PRIx64 ", dtb ipa 0x%" PRIx64 "\n",
                i, dtpb_str(b, g.name), g.vmid, g.ncpus, g.s2_root, g.s2_size, g.start_level,
                g.vtcr, g.dtb_ipa);
        if (g.flags & DTPB_GUEST_KERNEL)
            fprintf(f, "  kernel at ipa 0x%" PRIx64 "\n", g.kernel_ipa);
        if (g.flags & DTPB_GUEST_RAMDISK)
            fprintf(f, "  ramdisk at ipa 0x%" PRIx64 "\n", g.ramdisk_ipa);
        if (*dtpb_str(b, g.bootargs))
            fprintf(f, "  bootargs \"%s\"\n", dtpb_str(b, g.bootargs));
        return;
    }
    jstr(c, "name", dtpb_str(b, g.name));
    JROW(c, {"vmid", g.vmid}, {"ncpus", g.ncpus}, {"s2_root", g.s2_root}, {"s2_size", g.s2_size},
         {"start_level", g.start_level}, {"vtcr", g.vtcr}, {"dtb_ipa", g.dtb_ipa});
    if (g.flags & DTPB_GUEST_KERNEL)
        ju(c, "kernel_ipa", g.kernel_ipa);
    if (g.flags & DTPB_GUEST_RAMDISK)
        ju(c, "ramdisk_ipa", g.ramdisk_ipa);
    jstr(c, "bootargs", dtpb_str(b, g.bootargs));
}

static void put_vcpu(struct rec_ctx *c, uint32_t i)
{
    struct dtpb_vcpu v;
    dtpb_vcpu(c->b, i, &v);
    if (c->o->json)
        fprintf(c->o->f, "\"vcpu\":%u,\"cpu\":%u,\"mpidr\":%" PRIu64, v.vcpu, v.pcpu, v.mpidr);
    else
        fprintf(c->o->f, "  vcpu %u -> cpu %u (mpidr 0x%" PRIx64 ")\n", v.vcpu, v.pcpu, v.mpidr);
}

static void put_memmap(struct rec_ctx *c, uint32_t i)
{
    struct dtpb_memmap m;
    dtpb_memmap(c->b, i, &m);
    if (!c->o->json) {
        char perm[8];
        perm_str(m.perm, perm);
        fprintf(c->o->f, "  map ipa 0x%" PRIx64 " -> pa 0x%" PRIx64 " size 0x%" PRIx64 " %s %s\n",
                m.ipa, m.pa, m.size, kind_name(m.kind), perm);
        return;
    }
    ju(c, "guest", m.guest);
    jstr(c, "kind", kind_name(m.kind));
    JROW(c, {"ipa", m.ipa}, {"pa", m.pa}, {"size", m.size}, {"perm", m.perm});
}

static void put_device(struct rec_ctx *c, uint32_t i)
{
    struct dtpb_device d;
    dtpb_device(c->b, i, &d);
    if (!c->o->json) {
        fprintf(c->o->f, "device %u %s -> %s%s\n", i, dtpb_str(c->b, d.path),
                d.guest == DTPB_NONE ? "hypervisor" : guest_name(c->b, d.guest),
                d.flags & DTPB_DEV_DMA ? " (dma)" : "");
        return;
    }
    if (d.guest != DTPB_NONE)
        ju(c, "guest", d.guest);
    else
        fputs("\"hypervisor\":true", c->o->f), c->sep = ",";
    jstr(c, "path", dtpb_str(c->b, d.path));
    fprintf(c->o->f, ",\"dma\":%s", d.flags & DTPB_DEV_DMA ? "true" : "false");
}

static void put_devreg(struct rec_ctx *c, uint32_t i)
{
    struct dtpb_devreg r;
    dtpb_devreg(c->b, i, &r);
    if (c->o->json)
        fprintf(c->o->f, "\"pa\":%" PRIu64 ",\"size\":%" PRIu64 ",\"ipa\":%" PRIu64, r.pa, r.size,
                r.ipa);
    else
        fprintf(c->o->f, "  reg pa 0x%" PRIx64 " size 0x%" PRIx64 " ipa 0x%" PRIx64 "\n", r.pa,
                r.size, r.ipa);
}

static void put_irq(struct rec_ctx *c, uint32_t i)
{
    struct dtpb_irq q;
    dtpb_irq(c->b, i, &q);
    if (c->o->json)
        fprintf(c->o->f, "\"intid\":%u,\"guest\":%u,\"virq\":%u,\"flags\":%u", q.pintid, q.guest,
                q.vintid, q.flags);
    else
        fprintf(c->o->f, "irq %u -> %s virq %u flags 0x%x\n", q.pintid, guest_name(c->b, q.guest),
                q.vintid, q.flags);
}

static void put_sid(struct rec_ctx *c, uint32_t i)
{
    struct dtpb_sid s;
    struct dtpb_smmu m;
    dtpb_sid(c->b, i, &s);
    if (c->o->json) {
        fprintf(c->o->f, "\"smmu\":%u,\"sid\":%u,\"mask\":%u,\"count\":%u,\"guest\":%u", s.smmu,
                s.sid, s.mask, s.count, s.guest);
        return;
    }
    dtpb_smmu(c->b, s.smmu, &m);
    fprintf(c->o->f, "stream %s sid 0x%x mask 0x%x count %u -> %s\n", dtpb_str(c->b, m.name),
            s.sid, s.mask, s.count, guest_name(c->b, s.guest));
}

static void put_smmu(struct rec_ctx *c, uint32_t i)
{
    const struct dtpb *b = c->b;
    FILE *f = c->o->f;
    struct dtpb_smmu s;
    dtpb_smmu(b, i, &s);
    if (!c->o->json) {
        fprintf(f, "smmu %u %s (%s): SMMUv%u, %u sid bits, registers 0x%" PRIx64 "\n", i,
                dtpb_str(b, s.name), dtpb_str(b, s.path), s.version, s.sid_bits, s.reg_base);
        if (s.version == 3)
            fprintf(f, "  stream table 0x%" PRIx64 " (%" PRIu64 " bytes) STRTAB_BASE 0x%" PRIx64
                       " STRTAB_BASE_CFG 0x%x CR0 0x%x CR1 0x%x CR2 0x%x\n",
                    s.table_pa, s.table_size, s.strtab_base, s.strtab_base_cfg, s.cr0, s.cr1,
                    s.cr2);
        else
            fprintf(f, "  sCR0 0x%x\n", s.cr0);
        return;
    }
    jstr(c, "name", dtpb_str(b, s.name));
    jstr(c, "path", dtpb_str(b, s.path));
    JROW(c, {"version", s.version}, {"sid_bits", s.sid_bits}, {"reg_base", s.reg_base},
         {"table_pa", s.table_pa}, {"table_size", s.table_size}, {"strtab_base", s.strtab_base},
         {"strtab_base_cfg", s.strtab_base_cfg}, {"cr0", s.cr0}, {"cr1", s.cr1}, {"cr2", s.cr2});
}

static void put_smr(struct rec_ctx *c, uint32_t i)
{
    struct dtpb_smr r;
    dtpb_smr(c->b, i, &r);
    if (c->o->json)
        fprintf(c->o->f, "\"index\":%u,\"smr\":%u,\"s2cr\":%u,\"cb\":%u,\"guest\":%u", r.index,
                r.smr, r.s2cr, r.cb, r.guest);
    else
        fprintf(c->o->f, "  SMR%u 0x%08x S2CR%u 0x%08x (context bank %u)\n", r.index, r.smr,
                r.index, r.s2cr, r.cb);
}

static void put_cb(struct rec_ctx *c, uint32_t i)
{
    struct dtpb_cb k;
    dtpb_cb(c->b, i, &k);
    if (c->o->json)
        fprintf(c->o->f, "\"index\":%u,\"guest\":%u,\"vmid\":%u,\"cbar\":%u,\"cba2r\":%u,"
                         "\"tcr\":%u,\"sctlr\":%u,\"ttbr0\":%" PRIu64,
                k.index, k.guest, k.vmid, k.cbar, k.cba2r, k.tcr, k.sctlr, k.ttbr0);
    else
        fprintf(c->o->f, "  CB%u vmid %u CBAR 0x%x CBA2R 0x%x TCR 0x%x SCTLR 0x%x TTBR0 0x%" PRIx64
                         "\n", k.index, k.vmid, k.cbar, k.cba2r, k.tcr, k.sctlr, k.ttbr0);
}

static void put_shared(struct rec_ctx *c, uint32_t i)
{
    struct dtpb_shared s;
    dtpb_shared(c->b, i, &s);
    if (!c->o->json) {
        fprintf(c->o->f, "shared %s pa 0x%" PRIx64 " size 0x%" PRIx64 "\n", dtpb_str(c->b, s.name),
                s.base, s.size);
        return;
    }
    jstr(c, "name", dtpb_str(c->b, s.name));
    ju(c, "base", s.base);
    ju(c, "size", s.size);
}

static void put_peer(struct rec_ctx *c, uint32_t i)
{
    struct dtpb_peer p;
    dtpb_peer(c->b, i, &p);
    if (c->o->json) {
        fprintf(c->o->f, "\"guest\":%u,\"access\":\"%s\",\"ipa\":%" PRIu64, p.guest,
                p.access ? "ro" : "rw", p.ipa);
        if (p.doorbell != DTPB_NONE)
            fprintf(c->o->f, ",\"doorbell\":%u", p.doorbell);
        return;
    }
    fprintf(c->o->f, "  peer %s %s at ipa 0x%" PRIx64, guest_name(c->b, p.guest),
            p.access ? "ro" : "rw", p.ipa);
    if (p.doorbell != DTPB_NONE)
        fprintf(c->o->f, " doorbell intid %u", p.doorbell);
    fputc('\n', c->o->f);
}

static void put_load(struct rec_ctx *c, uint32_t i)
{
    struct dtpb_load l;
    dtpb_load(c->b, i, &l);
    if (c->o->json) {
        jstr(c, "kind", load_name(l.kind));
        jstr(c, "file", dtpb_str(c->b, l.file));
        if (l.guest != DTPB_NONE)
            ju(c, "guest", l.guest);
        JROW(c, {"pa", l.pa}, {"ipa", l.ipa}, {"size", l.size});
        return;
    }
    fprintf(c->o->f, "load %s %s at pa 0x%" PRIx64, load_name(l.kind), dtpb_str(c->b, l.file),
            l.pa);
    if (l.kind != DTPB_LOAD_HVDATA)
        fprintf(c->o->f, " (ipa 0x%" PRIx64 ")", l.ipa);
    if (l.size)
        fprintf(c->o->f, " size 0x%" PRIx64, l.size);
    fputc('\n', c->o->f);
}

static const char *qstep_name(uint32_t k)
{
    static const char *const n[] = {"?", "abort-ste", "fault-s2cr", "reset", "power-off", "hazard",
                                    "scrub"};
    return k < ARRAY_SIZE(n) ? n[k] : "?";
}

/* A quiesce step: one line / object, its specifier cells inline. */
static void put_qstep(struct rec_ctx *c, uint32_t i)
{
    const struct dtpb *b = c->b;
    FILE *f = c->o->f;
    struct dtpb_qstep q;
    struct dtpb_device d = {0};
    struct dtpb_smmu m = {0};
    dtpb_qstep(b, i, &q);
    if (q.device != DTPB_NONE)
        dtpb_device(b, q.device, &d);
    if (q.smmu != DTPB_NONE)
        dtpb_smmu(b, q.smmu, &m);
    bool line = q.kind == DTPB_Q_RESET || q.kind == DTPB_Q_POWER_OFF;
    const char *holder = q.holder == DTPB_HOLDER_HYP      ? "hypervisor"
                         : q.holder == DTPB_HOLDER_NOBODY ? "no one"
                                                          : guest_name(b, q.holder);
    if (c->o->json) {
        ju(c, "guest", q.guest);
        jstr(c, "step", qstep_name(q.kind));
        if (q.device != DTPB_NONE)
            ju(c, "device", q.device), jstr(c, "path", dtpb_str(b, d.path));
        if (q.smmu != DTPB_NONE)
            ju(c, "smmu", q.smmu), ju(c, q.kind == DTPB_Q_ABORT_STE ? "sid" : "s2cr", q.sid),
                ju(c, "count", q.count);
        if (line) {
            jstr(c, "provider", dtpb_str(b, q.provider));
            if (q.holder == DTPB_HOLDER_HYP || q.holder == DTPB_HOLDER_NOBODY)
                jstr(c, "holder", holder);
            else
                ju(c, "holder", q.holder);
            ju(c, "reg_base", q.reg_base);
            ju(c, "reg_size", q.reg_size);
            fputs(",\"cells\":[", f);
            for (uint32_t k = 0; k < q.ncells; k++) {
                struct dtpb_qcell v;
                dtpb_qcell(b, q.first_cell + k, &v);
                fprintf(f, "%s%u", k ? "," : "", v.value);
            }
            fputc(']', f);
        }
        return;
    }
    fprintf(f, "quiesce %s %s", guest_name(b, q.guest), qstep_name(q.kind));
    switch (q.kind) {
    case DTPB_Q_ABORT_STE:
        fprintf(f, " %s: %s sid 0x%x count %u -> abort\n", dtpb_str(b, d.path), dtpb_str(b, m.name),
                q.sid, q.count);
        break;
    case DTPB_Q_FAULT_S2CR:
        fprintf(f, " %s: %s S2CR%u -> fault\n", dtpb_str(b, d.path), dtpb_str(b, m.name), q.sid);
        break;
    case DTPB_Q_RESET:
    case DTPB_Q_POWER_OFF:
        fprintf(f, " %s: %s <", dtpb_str(b, d.path), dtpb_str(b, q.provider));
        for (uint32_t k = 0; k < q.ncells; k++) {
            struct dtpb_qcell v;
            dtpb_qcell(b, q.first_cell + k, &v);
            fprintf(f, "%s0x%x", k ? " " : "", v.value);
        }
        if (q.reg_size)
            fprintf(f, ">, registers 0x%" PRIx64 " size 0x%" PRIx64 ", held by %s\n", q.reg_base,
                    q.reg_size, holder);
        else
            fprintf(f, ">, no registers of its own (a firmware interface), held by %s\n", holder);
        break;
    case DTPB_Q_HAZARD:
        fprintf(f, " %s: no SMMU stream, no reset line, no power domain: nothing stops its DMA\n",
                dtpb_str(b, d.path));
        break;
    default:
        fputs(": its RAM may now be scrubbed and reused\n", f);
        break;
    }
}

/* Whether record k of a child section belongs to record i of its parent. */
static bool child_of(const struct dtpb *b, unsigned sec, uint32_t k, uint32_t i)
{
    switch (sec) {
    case DTPB_SEC_MEMMAP: { struct dtpb_memmap r; dtpb_memmap(b, k, &r); return r.guest == i; }
    case DTPB_SEC_DEVREGS: { struct dtpb_devreg r; dtpb_devreg(b, k, &r); return r.device == i; }
    case DTPB_SEC_SMRS: { struct dtpb_smr r; dtpb_smr(b, k, &r); return r.smmu == i; }
    case DTPB_SEC_CBS: { struct dtpb_cb r; dtpb_cb(b, k, &r); return r.smmu == i; }
    case DTPB_SEC_PEERS: { struct dtpb_peer r; dtpb_peer(b, k, &r); return r.shared == i; }
    default: return false;
    }
}

/* A section in the plan: its records' printer, its JSON key, and the
 * sections listed under each of its records. */
struct view {
    unsigned sec;
    const char *key;
    void (*put)(struct rec_ctx *c, uint32_t i);
    const struct view *kids;
};

static const struct view no_kids[] = {{0}};
static const struct view guest_text_kids[] = {
    {DTPB_SEC_VCPUS, "vcpus", put_vcpu, NULL}, {DTPB_SEC_MEMMAP, "memory", put_memmap, NULL}, {0}};
static const struct view guest_json_kids[] = {{DTPB_SEC_VCPUS, "vcpus", put_vcpu, NULL}, {0}};
static const struct view device_kids[] = {{DTPB_SEC_DEVREGS, "regs", put_devreg, NULL}, {0}};
static const struct view smmu_kids[] = {{DTPB_SEC_SMRS, "smrs", put_smr, NULL},
                                        {DTPB_SEC_CBS, "context_banks", put_cb, NULL}, {0}};
static const struct view shared_kids[] = {{DTPB_SEC_PEERS, "peers", put_peer, NULL}, {0}};

static const struct view text_plan[] = {
    {DTPB_SEC_GUESTS, "guests", put_guest, guest_text_kids},
    {DTPB_SEC_DEVICES, "devices", put_device, device_kids},
    {DTPB_SEC_IRQS, "irqs", put_irq, no_kids},
    {DTPB_SEC_SMMUS, "smmus", put_smmu, smmu_kids},
    {DTPB_SEC_SIDS, "streams", put_sid, no_kids},
    {DTPB_SEC_SHARED, "shared", put_shared, shared_kids},
    {DTPB_SEC_LOADMAP, "load", put_load, no_kids},
    {DTPB_SEC_QUIESCE, "quiesce", put_qstep, no_kids},
    {0}};
static const struct view json_plan[] = {
    {DTPB_SEC_GUESTS, "guests", put_guest, guest_json_kids},
    {DTPB_SEC_MEMMAP, "memory", put_memmap, no_kids},
    {DTPB_SEC_DEVICES, "devices", put_device, device_kids},
    {DTPB_SEC_IRQS, "irqs", put_irq, no_kids},
    {DTPB_SEC_SIDS, "streams", put_sid, no_kids},
    {DTPB_SEC_SMMUS, "smmus", put_smmu, smmu_kids},
    {DTPB_SEC_SHARED, "shared", put_shared, shared_kids},
    {DTPB_SEC_LOADMAP, "load", put_load, no_kids},
    {DTPB_SEC_QUIESCE, "quiesce", put_qstep, no_kids},
    {0}};

/* Prints record i of v (and, unless top-level, the JSON separator before
 * it), then each child section's records, then closes its JSON object. */
static void put_record(struct rec_ctx *c, const struct view *v, uint32_t i, bool first)
{
    FILE *f = c->o->f;
    if (c->o->json)
        fputs(first ? "{" : ",{", f);
    c->sep = "";
    v->put(c, i);
    for (const struct view *k = v->kids; k && k->sec; k++) {
        if (c->o->json)
            fprintf(f, ",\"%s\":[", k->key);
        bool kfirst = true;
        if (k->sec == DTPB_SEC_VCPUS) {
            /* a guest's vCPUs are its range of records (dtpb_open proved it) */
            struct dtpb_guest g;
            dtpb_guest(c->b, i, &g);
            for (uint32_t n = 0; n < g.ncpus; n++, kfirst = false)
                put_record(c, k, g.first_vcpu + n, kfirst);
        } else {
            for (uint32_t n = 0; n < dtpb_count(c->b, k->sec); n++)
                if (child_of(c->b, k->sec, n, i)) {
                    put_record(c, k, n, kfirst);
                    kfirst = false;
                }
        }
        if (c->o->json)
            fputc(']', f);
    }
    if (c->o->json)
        fputc('}', f);
}

static void dump_blob(const struct dtpb *b, struct out *o)
{
    struct rec_ctx c = {.o = o, .b = b, .sep = ""};
    if (o->json)
        fprintf(o->f, "{\"format\":\"dtpb\",\"version\":\"%u.%u\",\"size\":%u", b->major,
                b->minor, b->size);
    else
        fprintf(o->f, "system.dtpb version %u.%u, %u bytes\n", b->major, b->minor, b->size);
    for (const struct view *v = o->json ? json_plan : text_plan; v->sec; v++) {
        if (o->json)
            fprintf(o->f, ",\"%s\":[", v->key);
        for (uint32_t i = 0; i < dtpb_count(b, v->sec); i++)
            put_record(&c, v, i, i == 0);
        if (o->json)
            fputc(']', o->f);
    }
    if (o->json)
        fputs("}\n", o->f);
}

/* ------------------------------------------------------------------ */
/* tables, decoded from a memory image [pa, pa + len) */

struct image {
    const uint8_t *data;
    uint64_t pa, len;
};

static bool img_read64(const struct image *im, uint64_t pa, uint64_t *v)
{
    if (pa < im->pa || pa - im->pa > im->len || im->len - (pa - im->pa) < 8)
        return false;
    *v = get_le64(im->data + (pa - im->pa));
    return true;
}

static void item_begin(struct out *o)
{
    if (o->json) {
        fputs(o->first ? "" : ",", o->f);
        o->first = false;
    }
}

/* Non-aborting STEs are printed as runs of consecutive stream IDs with the
 * same decoded content (an iommu-map of 65536 IDs is one line); aborting
 * STEs are only counted. */
struct ste_run {
    bool open;
    uint64_t lo, hi;
    unsigned v, cfg;
    uint64_t w2, w3;
};

static void ste_flush(struct out *o, struct ste_run *r)
{
    if (!r->open)
        return;
    r->open = false;
    const char *what = !r->v ? "invalid" : r->cfg == STE_CONFIG_S2 ? "s2-translate"
                      : r->cfg == STE_CONFIG_BYPASS ? "bypass" : "other";
    uint64_t w2 = r->w2, w3 = r->w3;
    item_begin(o);
    if (o->json) {
        fprintf(o->f, "{\"sid\":%" PRIu64 ",\"count\":%" PRIu64 ",\"config\":\"%s\"", r->lo,
                r->hi - r->lo + 1, what);
        if (r->v)
            fprintf(o->f, ",\"vmid\":%u,\"vtcr\":%" PRIu64 ",\"s2ttb\":%" PRIu64,
                    (unsigned)(w2 & 0xffff), (w2 >> 32) & 0x7ffff, (uint64_t)(w3 & STE3_S2TTB_MASK));
        fputc('}', o->f);
        return;
    }
    if (r->lo == r->hi)
        fprintf(o->f, "  sid 0x%" PRIx64 ": ", r->lo);
    else
        fprintf(o->f, "  sids 0x%" PRIx64 "..0x%" PRIx64 ": ", r->lo, r->hi);
    if (!r->v)
        fputs("invalid (V=0: terminated)\n", o->f);
    else
        fprintf(o->f, "%s vmid %u vtcr 0x%" PRIx64 " s2ttb 0x%" PRIx64 "%s%s\n", what,
                (unsigned)(w2 & 0xffff), (w2 >> 32) & 0x7ffff, (uint64_t)(w3 & STE3_S2TTB_MASK),
                w2 & STE2_S2AA64 ? " aa64" : "", w2 & STE2_S2R ? " s2r" : "");
}

static void dump_ste(struct out *o, struct ste_run *r, const struct image *im, uint64_t pa,
                     uint64_t sid, uint64_t *naborts)
{
    uint64_t w0 = 0, w2 = 0, w3 = 0;
    if (!img_read64(im, pa, &w0) || !img_read64(im, pa + 16, &w2) || !img_read64(im, pa + 24, &w3))
        return;
    unsigned v = w0 & 1, cfg = (unsigned)(w0 >> 1) & 7;
    if (v && cfg == STE_CONFIG_ABORT) {
        (*naborts)++;
        return;
    }
    if (!v)
        w2 = w3 = 0, cfg = 0;
    if (r->open && r->hi + 1 == sid && r->v == v && r->cfg == cfg && r->w2 == w2 && r->w3 == w3) {
        r->hi = sid;
        return;
    }
    ste_flush(o, r);
    *r = (struct ste_run){.open = true, .lo = sid, .hi = sid, .v = v, .cfg = cfg, .w2 = w2, .w3 = w3};
}

static void dump_strtab(struct out *o, const struct image *im, const char *name, uint64_t base,
                        uint32_t cfg)
{
    unsigned fmt = (cfg >> 16) & 3, split = (cfg >> 6) & 0x1f, log2size = cfg & 0x3f;
    uint64_t naborts = 0, nl2 = 0;
    /* Every STE of a well-formed table is read once; aliasing L1
     * descriptors of a hostile file would multiply that, so bound it. */
    uint64_t budget = (im->len / STE_SIZE + 1) * 4;
    struct ste_run run = {0};
    if (log2size > 32)
        log2size = 32;
    if (o->json) {
        fputs(o->first ? "" : ",", o->f);
        fputs("{\"kind\":\"stream-table\",\"smmu\":", o->f);
        js(o->f, name);
        fprintf(o->f, ",\"base\":%" PRIu64 ",\"format\":\"%s\",\"sid_bits\":%u,\"streams\":[",
                base, fmt ? "2-level" : "linear", log2size);
        o->first = true;
    } else {
        fprintf(o->f, "%s: stream table at 0x%" PRIx64 ": %s, %u sid bits\n", name, base,
                fmt ? "2-level" : "linear", log2size);
    }
    if (fmt == 0) {
        uint64_t n = 1ull << log2size;
        for (uint64_t s = 0; s < n && budget; s++, budget--) {
            if (base + s * STE_SIZE + STE_SIZE > im->pa + im->len)
                break;
            dump_ste(o, &run, im, base + s * STE_SIZE, s, &naborts);
        }
    } else {
        if (split == 0 || split > log2size)
            split = STRTAB_SPLIT;
        uint64_t nl1 = 1ull << (log2size - split);
        for (uint64_t i = 0; i < nl1 && budget; i++, budget--) {
            uint64_t d;
            if (!img_read64(im, base + i * 8, &d))
                break;
            unsigned span = d & 0x1f;
            if (span == 0) {
                naborts += 1ull << split;
                continue;
            }
            nl2++;
            uint64_t l2 = d & L1STD_L2PTR_MASK, n = 1ull << (span - 1);
            if (span - 1 > split)
                n = 1ull << split;
            for (uint64_t s = 0; s < n && budget; s++, budget--)
                dump_ste(o, &run, im, l2 + s * STE_SIZE, (i << split) + s, &naborts);
        }
    }
    ste_flush(o, &run);
    if (o->json) {
        fprintf(o->f, "],\"l2_tables\":%" PRIu64 ",\"aborting\":%" PRIu64 "%s}", nl2, naborts,
                budget ? "" : ",\"truncated\":true");
        o->first = false;
    } else {
        if (fmt)
            fprintf(o->f, "  %" PRIu64 " L2 tables; ", nl2);
        else
            fputs("  ", o->f);
        fprintf(o->f, "every other stream aborts (%" PRIu64 ")\n", naborts);
        if (!budget)
            fputs("  (stopped: the table references more STEs than the file holds)\n", o->f);
    }
}

struct s2walk {
    struct out *o;
    const struct image *im;
    /* the current run of contiguous leaves, printed when it breaks */
    uint64_t ipa, pa, size, attrs;
    uint64_t budget; /* descriptors left to visit: hostile tables may alias */
};

static void s2_flush(struct s2walk *w)
{
    if (!w->size)
        return;
    uint64_t a = w->attrs;
    unsigned memattr = (a >> 2) & 0xf, ap = (a >> 6) & 3;
    bool dev = (memattr >> 2) == 0, xn = (a >> 53) & 2;
    item_begin(w->o);
    if (w->o->json)
        fprintf(w->o->f, "{\"ipa\":%" PRIu64 ",\"pa\":%" PRIu64 ",\"size\":%" PRIu64
                         ",\"memattr\":%u,\"s2ap\":%u,\"xn\":%s}",
                w->ipa, w->pa, w->size, memattr, ap, xn ? "true" : "false");
    else
        fprintf(w->o->f, "  ipa 0x%" PRIx64 " -> pa 0x%" PRIx64 " size 0x%" PRIx64 " %s %s%s\n",
                w->ipa, w->pa, w->size, dev ? "device" : "normal",
                ap == 3 ? "rw" : ap == 1 ? "ro" : ap == 2 ? "wo" : "none", xn ? " xn" : "");
    w->size = 0;
}

static void s2_leaf(struct s2walk *w, uint64_t ipa, uint64_t pa, uint64_t size, uint64_t attrs)
{
    if (w->size && w->ipa + w->size == ipa && w->pa + w->size == pa && w->attrs == attrs) {
        w->size += size;
        return;
    }
    s2_flush(w);
    w->ipa = ipa;
    w->pa = pa;
    w->size = size;
    w->attrs = attrs;
}

static void s2_table(struct s2walk *w, uint64_t pa, uint64_t nent, int level, uint64_t ipa_base)
{
    unsigned shift = 12 + 9 * (unsigned)(3 - level);
    for (uint64_t i = 0; i < nent; i++) {
        uint64_t d;
        if (!w->budget || !img_read64(w->im, pa + i * 8, &d))
            return;
        w->budget--;
        if (!(d & 1))
            continue;
        uint64_t ipa = ipa_base + (i << shift);
        uint64_t attrs = d & ~S2_OA_MASK & ~3ull;
        if (level == 3 || !(d & 2)) {
            if (level == 3 && !(d & 2))
                continue; /* reserved at level 3 */
            if (level == 0)
                continue; /* no level-0 blocks with 4 KiB granule */
            s2_leaf(w, ipa, d & S2_OA_MASK & ~((1ull << shift) - 1), 1ull << shift, attrs);
        } else {
            s2_table(w, d & S2_OA_MASK, 512, level + 1, ipa);
        }
    }
}

static void dump_s2(struct out *o, const struct image *im, const char *name, uint64_t root,
                    uint64_t vtcr)
{
    unsigned t0sz = vtcr & 0x3f, sl0 = (vtcr >> 6) & 3;
    int level = sl0 > 2 ? 0 : 2 - (int)sl0;
    unsigned ipa_bits = t0sz > 48 || t0sz < 16 ? 48 : 64 - t0sz;
    unsigned shift = 12 + 9 * (unsigned)(3 - level);
    uint64_t nent = ipa_bits > shift ? 1ull << (ipa_bits - shift) : 1;
    if (nent > 512 * 16)
        nent = 512 * 16;
    if (o->json) {
        fputs(o->first ? "" : ",", o->f);
        fputs("{\"kind\":\"stage2\",\"guest\":", o->f);
        js(o->f, name);
        fprintf(o->f, ",\"root\":%" PRIu64 ",\"ipa_bits\":%u,\"start_level\":%d,\"mappings\":[",
                root, ipa_bits, level);
        o->first = true;
    } else {
        fprintf(o->f, "stage-2 tables of %s: root 0x%" PRIx64 ", %u-bit IPA, start level %d\n",
                name, root, ipa_bits, level);
    }
    /* Each table of the image is visited at most once in a well-formed
     * image; aliasing tables would multiply the walk, so it is bounded. */
    struct s2walk w = {.o = o, .im = im, .budget = (im->len / 8 + 1) * 4};
    s2_table(&w, root, nent, level, 0);
    s2_flush(&w);
    if (o->json) {
        fprintf(o->f, "]%s}", w.budget ? "" : ",\"truncated\":true");
        o->first = false;
    } else if (!w.budget) {
        fputs("  (stopped: the tables reference more descriptors than the file holds)\n", o->f);
    }
}

/* ------------------------------------------------------------------ */

static void dump_s2pl(struct out *o, const uint8_t *d, size_t n)
{
    uint32_t count = get_le32(d + 8);
    static const char *const space[] = {"GR0", "GR1", "CB"};
    if ((n - S2PL_HEADER) / S2PL_RECORD < count)
        count = (uint32_t)((n - S2PL_HEADER) / S2PL_RECORD);
    if (o->json)
        fputs("{\"format\":\"smmuv2-program\",\"records\":[", o->f);
    else
        fprintf(o->f, "SMMUv2 programming list, %u records\n", count);
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *r = d + S2PL_HEADER + (size_t)i * S2PL_RECORD;
        unsigned sp = get_le16(r), idx = get_le16(r + 2);
        uint32_t off = get_le32(r + 4);
        uint64_t val = get_le64(r + 8);
        const char *sn = sp < 3 ? space[sp] : "?";
        if (o->json)
            fprintf(o->f, "%s{\"space\":\"%s\",\"index\":%u,\"offset\":%u,\"value\":%" PRIu64 "}",
                    i ? "," : "", sn, idx, off, val);
        else if (sp == S2PL_CB)
            fprintf(o->f, "  CB%u+0x%03x = 0x%" PRIx64 "\n", idx, off, val);
        else
            fprintf(o->f, "  %s+0x%03x = 0x%" PRIx64 "\n", sn, off, val);
    }
    if (o->json)
        fputs("]}\n", o->f);
}

static char *sibling_blob(const char *file)
{
    char *dir = path_dirname(file);
    char *p = path_join(dir, "system.dtpb");
    free(dir);
    return p;
}

static int dump_tables(struct dtpass_ctx *ctx, struct out *o, const char *file, const uint8_t *d,
                       size_t n)
{
    const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    char *bpath = sibling_blob(file);
    size_t blen = 0;
    uint8_t *bdata = (uint8_t *)read_file(bpath, DUMP_MAX, &blen);
    struct dtpb b;
    int rc = -1;
    if (bdata && dtpb_open(&b, bdata, blen) == 0) {
        struct dtpb_load hv = {0};
        for (uint32_t i = 0; i < dtpb_count(&b, DTPB_SEC_LOADMAP); i++) {
            struct dtpb_load l;
            dtpb_load(&b, i, &l);
            if (l.kind == DTPB_LOAD_HVDATA)
                hv = l;
        }
        if (o->json)
            fprintf(o->f, "{\"file\":"), js(o->f, base), fputs(",\"tables\":[", o->f);
        if (!strcmp(base, "hvdata.bin")) {
            struct image im = {d, hv.pa, n};
            if (!o->json)
                fprintf(o->f, "hvdata.bin: %zu bytes at 0x%" PRIx64 "\n", n, hv.pa);
            for (uint32_t i = 0; i < dtpb_count(&b, DTPB_SEC_SMMUS); i++) {
                struct dtpb_smmu s;
                dtpb_smmu(&b, i, &s);
                if (s.version == 3)
                    dump_strtab(o, &im, dtpb_str(&b, s.name), s.table_pa, s.strtab_base_cfg);
            }
            for (uint32_t i = 0; i < dtpb_count(&b, DTPB_SEC_GUESTS); i++) {
                struct dtpb_guest g;
                dtpb_guest(&b, i, &g);
                dump_s2(o, &im, dtpb_str(&b, g.name), g.s2_root, g.vtcr);
            }
            rc = 0;
        } else {
            for (uint32_t i = 0; i < dtpb_count(&b, DTPB_SEC_SMMUS) && rc; i++) {
                struct dtpb_smmu s;
                dtpb_smmu(&b, i, &s);
                char *want = xasprintf("smmu-%s.bin", dtpb_str(&b, s.name));
                if (!strcmp(base, want) && s.version == 3) {
                    struct image im = {d, s.table_pa, n};
                    dump_strtab(o, &im, dtpb_str(&b, s.name), s.table_pa, s.strtab_base_cfg);
                    rc = 0;
                }
                free(want);
            }
            for (uint32_t i = 0; i < dtpb_count(&b, DTPB_SEC_GUESTS) && rc; i++) {
                struct dtpb_guest g;
                dtpb_guest(&b, i, &g);
                char *want = xasprintf("s2-%s.bin", dtpb_str(&b, g.name));
                if (!strcmp(base, want)) {
                    struct image im = {d, g.s2_root, n};
                    dump_s2(o, &im, dtpb_str(&b, g.name), g.s2_root, g.vtcr);
                    rc = 0;
                }
                free(want);
            }
        }
        if (o->json)
            fputs("]}\n", o->f);
    }
    bool needs_blob = !strcmp(base, "hvdata.bin") || !strncmp(base, "s2-", 3);
    if (rc && !needs_blob && n % STE_SIZE == 0 && n) {
        /* No blob to say what it is: a linear stream table at address 0. */
        unsigned bits = 0;
        while (((uint64_t)STE_SIZE << bits) < n)
            bits++;
        struct image im = {d, 0, n};
        if (o->json)
            fprintf(o->f, "{\"file\":"), js(o->f, base), fputs(",\"tables\":[", o->f);
        dump_strtab(o, &im, base, 0, bits);
        if (o->json)
            fputs("]}\n", o->f);
        rc = 0;
    }
    if (rc && needs_blob && !bdata)
        diag_fatal(&ctx->diag, NOPOS, "%s: decoding it needs the system.dtpb of the same build "
                   "beside it (%s: %s)", file, bpath, strerror(errno));
    else if (rc)
        diag_fatal(&ctx->diag, NOPOS,
                   "%s: not a system.dtpb, an SMMUv2 programming list, or a table file named in "
                   "a valid %s", file, bpath);
    free(bdata);
    free(bpath);
    return rc;
}

int dump_file(struct dtpass_ctx *ctx)
{
    const char *file = ctx->opt.input;
    size_t n = 0;
    uint8_t *d = (uint8_t *)read_file(file, DUMP_MAX, &n);
    if (!d) {
        diag_fatal(&ctx->diag, NOPOS, "cannot read %s: %s", file, strerror(errno));
        return -1;
    }
    struct out o = {.f = stdout, .json = ctx->opt.json, .first = true};
    int rc = 0;
    if (n >= 4 && !memcmp(d, "DTPB", 4)) {
        struct dtpb b;
        int err = dtpb_open(&b, d, n);
        if (err) {
            diag_fatal(&ctx->diag, NOPOS, "%s: invalid dtpb blob: %s (error %d)", file,
                       dtpb_strerror(err), err);
            rc = -1;
        } else {
            dump_blob(&b, &o);
        }
    } else if (n >= S2PL_HEADER && !memcmp(d, S2PL_MAGIC, 4)) {
        dump_s2pl(&o, d, n);
    } else {
        rc = dump_tables(ctx, &o, file, d, n);
    }
    free(d);
    return rc;
}
