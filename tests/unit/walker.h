/* tests/unit/walker.h — a test-side model of the hardware that reads what
 * dtpass emits for the hypervisor, written from the architecture's rules
 * and independent of the emitters' code (it shares only the public blob
 * reader, include/dtpass/dtpb.h):
 *
 *   - a VMSAv8-64 stage-2 walker (4 KiB granule): start level from
 *     VTCR.SL0, IPA width from VTCR.T0SZ, concatenated root tables, table /
 *     block / page descriptors, level-0 blocks are faults;
 *   - an SMMUv3 stream-table lookup (linear or 2-level from
 *     STRTAB_BASE_CFG, L1 Span, 64-byte STEs) and STE decoding;
 *   - SMMUv2 stream matching over the SMR list.
 *
 * walk_all() checks the tables in hvdata.bin against the facts of
 * system.dtpb: every mapping translates (every page of small ones, first,
 * last and pseudo-random pages of big ones) with the expected attributes,
 * every valid leaf lies inside a declared mapping (so every other IPA
 * faults) and the leaves cover exactly the mappings; every assigned SID's
 * STE translates with its guest's VMID, VTCR and root, every other SID
 * aborts; on SMMUv2 every assigned SID matches exactly one SMR whose
 * context bank belongs to its guest and every other SID matches none.
 * walk_quiesce() applies each guest's quiesce plan (system.dtpb section 15)
 * to a copy of the stream tables and checks the guest's streams abort and
 * everyone else's are untouched.
 * Failures are counted and printed, so one run reports every problem. */
#ifndef DTPASS_TEST_WALKER_H
#define DTPASS_TEST_WALKER_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtpass/dtpb.h"

struct wk {
    const uint8_t *img;
    uint64_t pa, len;
    const struct dtpb *b;
    unsigned failures;
    unsigned long checks;
};

#define WK_FAIL(w, ...)                                                                  \
    do {                                                                                 \
        if ((w)->failures++ < 40) {                                                      \
            fprintf(stderr, "walker: ");                                                 \
            fprintf(stderr, __VA_ARGS__);                                                \
            fputc('\n', stderr);                                                         \
        }                                                                                \
    } while (0)

static uint64_t wk_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* Reads the 64-bit word at physical address pa; false outside the image
 * (the hardware would read whatever memory is there: a bug either way). */
static bool wk_read(struct wk *w, uint64_t pa, uint64_t *v)
{
    if (pa < w->pa || pa - w->pa > w->len - 8 || w->len < 8 || (pa & 7))
        return false;
    *v = wk_le64(w->img + (pa - w->pa));
    return true;
}

struct wk_xlat {
    uint64_t pa;     /* output address */
    uint64_t attrs;  /* leaf descriptor attribute bits */
    uint64_t bsize;  /* size of the leaf */
    int level;
};

/* Stage-2 translation of ipa. Returns 0, or -1 for a translation fault,
 * -2 for a walk outside the image. */
static int wk_s2(struct wk *w, uint64_t root, uint64_t vtcr, uint64_t ipa, struct wk_xlat *x)
{
    unsigned t0sz = vtcr & 0x3f, sl0 = (vtcr >> 6) & 3, tg0 = (vtcr >> 14) & 3;
    if (tg0 != 0 || sl0 > 2)
        return -1;
    int level = 2 - (int)sl0; /* 4 KiB granule: SL0 0 -> L2, 1 -> L1, 2 -> L0 */
    unsigned ipa_bits = 64 - t0sz;
    if (ipa_bits < 64 && (ipa >> ipa_bits))
        return -1;
    unsigned shift = 12 + 9 * (3 - level);
    /* The root: concatenated tables, indexed by all IPA bits above shift. */
    uint64_t idx = ipa >> shift;
    uint64_t table = root;
    for (;;) {
        uint64_t d;
        if (!wk_read(w, table + idx * 8, &d))
            return -2;
        if (!(d & 1))
            return -1;
        if (level < 3 && (d & 2)) {
            table = d & 0x0000fffffffff000ull;
            level++;
            shift -= 9;
            idx = (ipa >> shift) & 511;
            continue;
        }
        if (level == 0 || (level == 3 && !(d & 2)))
            return -1; /* no level-0 blocks; level-3 0b01 is reserved */
        uint64_t bsize = 1ull << shift;
        x->pa = (d & 0x0000fffffffff000ull & ~(bsize - 1)) | (ipa & (bsize - 1));
        x->attrs = d & ~0x0000fffffffff000ull & ~3ull;
        x->bsize = bsize;
        x->level = level;
        return 0;
    }
}

/* The attribute bits a mapping must have: AF, MemAttr, S2AP, SH, XN. */
static uint64_t wk_expected_attrs(const struct dtpb_memmap *m)
{
    uint64_t a = 1ull << 10; /* AF */
    if (m->kind == DTPB_MAP_DEVICE)
        a |= 0x1ull << 2; /* MemAttr 0b0001 Device-nGnRE */
    else
        a |= (0xfull << 2) | (3ull << 8); /* Normal WB/WB, inner shareable */
    a |= (uint64_t)((m->perm & DTPB_PERM_W) ? 3 : 1) << 6;
    if (!(m->perm & DTPB_PERM_X))
        a |= 2ull << 53;
    return a;
}

static void wk_probe(struct wk *w, const struct dtpb_guest *g, const struct dtpb_memmap *m,
                     uint64_t off)
{
    struct wk_xlat x;
    w->checks++;
    int rc = wk_s2(w, g->s2_root, g->vtcr, m->ipa + off, &x);
    if (rc) {
        WK_FAIL(w, "guest %s: ipa 0x%" PRIx64 " does not translate (%d)", dtpb_str(w->b, g->name),
                m->ipa + off, rc);
        return;
    }
    if (x.pa != m->pa + off)
        WK_FAIL(w, "guest %s: ipa 0x%" PRIx64 " -> 0x%" PRIx64 ", expected 0x%" PRIx64,
                dtpb_str(w->b, g->name), m->ipa + off, x.pa, m->pa + off);
    uint64_t want = wk_expected_attrs(m);
    if (x.attrs != want)
        WK_FAIL(w, "guest %s: ipa 0x%" PRIx64 " attributes 0x%" PRIx64 ", expected 0x%" PRIx64,
                dtpb_str(w->b, g->name), m->ipa + off, x.attrs, want);
}

static bool wk_inside_any(const struct dtpb *b, uint32_t gi, uint64_t ipa)
{
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_MEMMAP); i++) {
        struct dtpb_memmap m;
        dtpb_memmap(b, i, &m);
        if (m.guest == gi && ipa >= m.ipa && ipa - m.ipa < m.size)
            return true;
    }
    return false;
}

/* Every valid leaf of the tables: inside a mapping with the right output. */
struct wk_leafscan {
    struct wk *w;
    uint32_t gi;
    const struct dtpb_guest *g;
    uint64_t mapped; /* bytes covered by leaves */
    unsigned long depth;
};

static void wk_leaves(struct wk_leafscan *s, uint64_t table, uint64_t nent, int level,
                      uint64_t ipa_base)
{
    struct wk *w = s->w;
    unsigned shift = 12 + 9 * (3 - level);
    for (uint64_t i = 0; i < nent; i++) {
        uint64_t d;
        if (!wk_read(w, table + i * 8, &d)) {
            WK_FAIL(w, "guest %s: table at 0x%" PRIx64 " outside hvdata",
                    dtpb_str(w->b, s->g->name), table);
            return;
        }
        if (!(d & 1))
            continue;
        uint64_t ipa = ipa_base + (i << shift);
        if (level < 3 && (d & 2)) {
            wk_leaves(s, d & 0x0000fffffffff000ull, 512, level + 1, ipa);
            continue;
        }
        if (level == 0 || (level == 3 && !(d & 2))) {
            WK_FAIL(w, "guest %s: invalid descriptor 0x%" PRIx64 " at level %d",
                    dtpb_str(w->b, s->g->name), d, level);
            continue;
        }
        uint64_t size = 1ull << shift, oa = d & 0x0000fffffffff000ull;
        /* The whole leaf must lie in one mapping of this guest that sends
         * it to oa. */
        bool ok = false;
        for (uint32_t k = 0; k < dtpb_count(w->b, DTPB_SEC_MEMMAP) && !ok; k++) {
            struct dtpb_memmap m;
            dtpb_memmap(w->b, k, &m);
            if (m.guest != s->gi || ipa < m.ipa || ipa - m.ipa > m.size - size || size > m.size)
                continue;
            ok = oa == m.pa + (ipa - m.ipa) && (d & ~0x0000fffffffff000ull & ~3ull) ==
                                                    wk_expected_attrs(&m);
        }
        if (!ok)
            WK_FAIL(w, "guest %s: leaf ipa 0x%" PRIx64 " size 0x%" PRIx64 " -> 0x%" PRIx64
                       " is not a declared mapping", dtpb_str(w->b, s->g->name), ipa, size, oa);
        s->mapped += size;
        w->checks++;
    }
}

static int wk_cmp_u64pair(const void *a, const void *b)
{
    const uint64_t *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

static void wk_guest(struct wk *w, uint32_t gi)
{
    const struct dtpb *b = w->b;
    struct dtpb_guest g;
    dtpb_guest(b, gi, &g);
    uint32_t nmap = dtpb_count(b, DTPB_SEC_MEMMAP);
    uint64_t *iv = calloc((size_t)nmap * 2 + 2, sizeof(uint64_t));
    size_t niv = 0;
    uint64_t seed = 0x9e3779b97f4a7c15ull ^ gi;
    for (uint32_t i = 0; i < nmap; i++) {
        struct dtpb_memmap m;
        dtpb_memmap(b, i, &m);
        if (m.guest != gi)
            continue;
        iv[niv * 2] = m.ipa;
        iv[niv * 2 + 1] = m.ipa + m.size;
        niv++;
        uint64_t pages = m.size >> 12;
        if (pages <= 64) {
            for (uint64_t p = 0; p < pages; p++)
                wk_probe(w, &g, &m, p << 12);
        } else {
            wk_probe(w, &g, &m, 0);
            wk_probe(w, &g, &m, m.size - 4096);
            wk_probe(w, &g, &m, m.size - 8);
            for (int k = 0; k < 48; k++) {
                seed = seed * 6364136223846793005ull + 1442695040888963407ull;
                wk_probe(w, &g, &m, ((seed >> 11) % pages) << 12 | ((seed >> 3) & 0xff8));
            }
        }
        /* Just outside: faults unless another mapping is there. */
        uint64_t out[2] = {m.ipa - 4096, m.ipa + m.size};
        for (int k = 0; k < 2; k++) {
            struct wk_xlat x;
            if ((k == 0 && m.ipa < 4096) || wk_inside_any(b, gi, out[k]))
                continue;
            w->checks++;
            if (wk_s2(w, g.s2_root, g.vtcr, out[k], &x) != -1)
                WK_FAIL(w, "guest %s: ipa 0x%" PRIx64 " outside every mapping translates",
                        dtpb_str(b, g.name), out[k]);
        }
    }
    /* Every leaf inside a mapping, and the leaves cover the mappings'
     * union exactly (leaves of one tree never overlap). */
    struct wk_leafscan s = {.w = w, .gi = gi, .g = &g};
    unsigned t0sz = g.vtcr & 0x3f, sl0 = (g.vtcr >> 6) & 3;
    int level = 2 - (int)sl0;
    unsigned shift = 12 + 9 * (3 - level);
    uint64_t nent = 1ull << (64 - t0sz - shift);
    wk_leaves(&s, g.s2_root, nent, level, 0);
    qsort(iv, niv, 2 * sizeof(uint64_t), wk_cmp_u64pair);
    uint64_t total = 0, cs = 0, ce = 0;
    for (size_t i = 0; i < niv; i++) {
        uint64_t a = iv[i * 2], e = iv[i * 2 + 1];
        if (i && a <= ce) {
            if (e > ce)
                ce = e;
            continue;
        }
        total += ce - cs;
        cs = a;
        ce = e;
    }
    total += ce - cs;
    if (s.mapped != total)
        WK_FAIL(w, "guest %s: tables map 0x%" PRIx64 " bytes, the mappings cover 0x%" PRIx64,
                dtpb_str(b, g.name), s.mapped, total);
    free(iv);
}

/* The guest owning sid on SMMU si per the SIDS section, or -1. */
static int wk_sid_owner(const struct dtpb *b, uint32_t si, uint32_t sid)
{
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_SIDS); i++) {
        struct dtpb_sid s;
        dtpb_sid(b, i, &s);
        if (s.smmu != si)
            continue;
        uint32_t count = s.count ? s.count : 1;
        uint32_t base = s.sid & ~s.mask;
        uint32_t x = sid & ~s.mask;
        /* matches a masked ID, or within [sid, sid + count) */
        if (s.mask ? x == base : (sid >= s.sid && sid - s.sid < count))
            return (int)s.guest;
    }
    return -1;
}

/* The STE address of sid, or 0 when the lookup itself aborts. */
static uint64_t wk_ste_addr(struct wk *w, const struct dtpb_smmu *s, uint32_t sid)
{
    uint32_t cfg = s->strtab_base_cfg;
    unsigned fmt = (cfg >> 16) & 3, split = (cfg >> 6) & 0x1f, log2size = cfg & 0x3f;
    uint64_t base = s->strtab_base & 0x000fffffffffffc0ull;
    if (log2size < 32 && (sid >> log2size))
        return 0; /* out of range: C_BAD_STREAMID */
    if (fmt == 0)
        return base + (uint64_t)sid * 64;
    uint64_t d;
    if (!wk_read(w, base + (uint64_t)(sid >> split) * 8, &d)) {
        WK_FAIL(w, "L1 descriptor of sid 0x%x outside hvdata", sid);
        return 0;
    }
    unsigned span = d & 0x1f;
    if (span == 0)
        return 0; /* invalid L1 descriptor: terminated */
    uint32_t idx = sid & ((1u << split) - 1);
    if (span > split + 1 || (idx >> (span - 1)))
        return 0;
    return (d & 0x000fffffffffffc0ull) + (uint64_t)idx * 64;
}

static void wk_smmuv3(struct wk *w, uint32_t si, const struct dtpb_smmu *s)
{
    const struct dtpb *b = w->b;
    if ((s->strtab_base & 0x000fffffffffffc0ull) != s->table_pa || !((s->strtab_base >> 62) & 1))
        WK_FAIL(w, "%s: STRTAB_BASE 0x%" PRIx64 " does not point at the table 0x%" PRIx64,
                dtpb_str(b, s->name), s->strtab_base, s->table_pa);
    if ((s->strtab_base_cfg & 0x3f) != s->sid_bits)
        WK_FAIL(w, "%s: LOG2SIZE %u != sid-bits %u", dtpb_str(b, s->name),
                s->strtab_base_cfg & 0x3f, s->sid_bits);
    unsigned fmt = (s->strtab_base_cfg >> 16) & 3;
    if ((fmt == 0) != ((64ull << s->sid_bits) <= 65536))
        WK_FAIL(w, "%s: format %u for %u sid bits", dtpb_str(b, s->name), fmt, s->sid_bits);
    uint64_t n = s->sid_bits >= 20 ? 1ull << 20 : 1ull << s->sid_bits;
    for (uint64_t sid = 0; sid < n; sid++) {
        int owner = wk_sid_owner(b, si, (uint32_t)sid);
        uint64_t a = wk_ste_addr(w, s, (uint32_t)sid);
        w->checks++;
        uint64_t w0 = 0, w2 = 0, w3 = 0;
        if (a && (!wk_read(w, a, &w0) || !wk_read(w, a + 16, &w2) || !wk_read(w, a + 24, &w3))) {
            WK_FAIL(w, "%s: STE of sid 0x%" PRIx64 " outside hvdata", dtpb_str(b, s->name), sid);
            continue;
        }
        unsigned v = w0 & 1, config = (w0 >> 1) & 7;
        if (owner < 0) {
            /* Aborts: no STE reached, or a valid STE with Config abort. */
            if (a && !(v && config == 0))
                WK_FAIL(w, "%s: unassigned sid 0x%" PRIx64 " does not abort (V=%u Config=%u)",
                        dtpb_str(b, s->name), sid, v, config);
            continue;
        }
        struct dtpb_guest g;
        dtpb_guest(b, (uint32_t)owner, &g);
        if (!a || !v || config != 6) {
            WK_FAIL(w, "%s: sid 0x%" PRIx64 " of %s is not stage-2 translated",
                    dtpb_str(b, s->name), sid, dtpb_str(b, g.name));
            continue;
        }
        if ((w2 & 0xffff) != g.vmid || ((w2 >> 32) & 0x7ffff) != (g.vtcr & 0x7ffff) ||
            !((w2 >> 51) & 1) || !((w2 >> 58) & 1) ||
            (w3 & 0x000ffffffffffff0ull) != g.s2_root)
            WK_FAIL(w, "%s: sid 0x%" PRIx64 " STE (vmid %u vtcr 0x%" PRIx64 " s2ttb 0x%" PRIx64
                       ") does not match guest %s", dtpb_str(b, s->name), sid,
                    (unsigned)(w2 & 0xffff), (w2 >> 32) & 0x7ffff, w3, dtpb_str(b, g.name));
        /* The SMMU walks the same tables: translate the guest's first page. */
        if (dtpb_count(b, DTPB_SEC_MEMMAP)) {
            struct wk_xlat x;
            struct dtpb_memmap m;
            for (uint32_t k = 0; k < dtpb_count(b, DTPB_SEC_MEMMAP); k++) {
                dtpb_memmap(b, k, &m);
                if (m.guest != (uint32_t)owner)
                    continue;
                uint64_t vtcr = (w2 >> 32) & 0x7ffff;
                if (wk_s2(w, w3 & 0x000ffffffffffff0ull, vtcr, m.ipa, &x) || x.pa != m.pa)
                    WK_FAIL(w, "%s: sid 0x%" PRIx64 " does not translate 0x%" PRIx64,
                            dtpb_str(b, s->name), sid, m.ipa);
                break;
            }
        }
    }
}

static void wk_smmuv2(struct wk *w, uint32_t si, const struct dtpb_smmu *s)
{
    const struct dtpb *b = w->b;
    if (!((s->cr0 >> 10) & 1) || (s->cr0 & 1))
        WK_FAIL(w, "%s: sCR0 0x%x must have USFCFG=1, CLIENTPD=0", dtpb_str(b, s->name), s->cr0);
    uint64_t n = 1ull << (s->sid_bits > 16 ? 16 : s->sid_bits);
    for (uint64_t sid = 0; sid < n; sid++) {
        int owner = wk_sid_owner(b, si, (uint32_t)sid);
        unsigned matches = 0;
        struct dtpb_smr hit = {0};
        for (uint32_t k = 0; k < dtpb_count(b, DTPB_SEC_SMRS); k++) {
            struct dtpb_smr r;
            dtpb_smr(b, k, &r);
            if (r.smmu != si || !(r.smr >> 31))
                continue;
            uint32_t id = r.smr & 0x7fff, mask = (r.smr >> 16) & 0x7fff;
            if (((uint32_t)sid & ~mask) == (id & ~mask)) {
                matches++;
                hit = r;
            }
        }
        w->checks++;
        if (owner < 0) {
            if (matches)
                WK_FAIL(w, "%s: unassigned sid 0x%" PRIx64 " matches %u SMRs", dtpb_str(b, s->name),
                        sid, matches);
            continue;
        }
        if (matches != 1) {
            WK_FAIL(w, "%s: sid 0x%" PRIx64 " matches %u SMRs", dtpb_str(b, s->name), sid, matches);
            continue;
        }
        struct dtpb_guest g;
        dtpb_guest(b, (uint32_t)owner, &g);
        if (((hit.s2cr >> 16) & 3) != 0) {
            WK_FAIL(w, "%s: S2CR of sid 0x%" PRIx64 " is not translate", dtpb_str(b, s->name), sid);
            continue;
        }
        uint32_t cbn = hit.s2cr & 0xff;
        bool found = false;
        for (uint32_t k = 0; k < dtpb_count(b, DTPB_SEC_CBS); k++) {
            struct dtpb_cb c;
            dtpb_cb(b, k, &c);
            if (c.smmu != si || c.index != cbn)
                continue;
            found = true;
            uint32_t vmid = (c.cba2r & 1) && c.vmid > 0xff ? c.cba2r >> 16 : c.cbar & 0xff;
            if (vmid != g.vmid || ((c.cbar >> 16) & 3) != 0 || c.ttbr0 != g.s2_root ||
                (c.tcr & 0x7ffff) != (g.vtcr & 0x7ffff) || !(c.sctlr & 1) || !(c.cba2r & 1))
                WK_FAIL(w, "%s: context bank %u does not translate for guest %s",
                        dtpb_str(b, s->name), cbn, dtpb_str(b, g.name));
        }
        if (!found)
            WK_FAIL(w, "%s: sid 0x%" PRIx64 " points at missing context bank %u",
                    dtpb_str(b, s->name), sid, cbn);
    }
}

/* Checks everything; returns the number of failures. */
static unsigned walk_all(const struct dtpb *b, const uint8_t *hv, size_t hvlen,
                         unsigned long *checks)
{
    struct wk w = {.img = hv, .len = hvlen, .b = b};
    bool have = false;
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_LOADMAP); i++) {
        struct dtpb_load l;
        dtpb_load(b, i, &l);
        if (l.kind == DTPB_LOAD_HVDATA) {
            w.pa = l.pa;
            have = true;
            if (l.size != hvlen)
                WK_FAIL(&w, "hvdata.bin is %zu bytes, the load map says %" PRIu64, hvlen, l.size);
        }
    }
    if (!have)
        WK_FAIL(&w, "no hvdata entry in the load map");
    for (uint32_t gi = 0; gi < dtpb_count(b, DTPB_SEC_GUESTS); gi++)
        wk_guest(&w, gi);
    for (uint32_t si = 0; si < dtpb_count(b, DTPB_SEC_SMMUS); si++) {
        struct dtpb_smmu s;
        dtpb_smmu(b, si, &s);
        if (s.version == 3)
            wk_smmuv3(&w, si, &s);
        else
            wk_smmuv2(&w, si, &s);
    }
    if (checks)
        *checks = w.checks;
    return w.failures;
}

/* ---- the quiesce plan's SMMU part, applied ---- */

/* What sid on SMMU si does: 0 aborts / faults, 1 translates, with the
 * 64-byte STE (v3) or the matching SMR's S2CR (v2, from s2cr[]) in *cfg. */
static int wk_stream_state(struct wk *w, uint32_t si, const struct dtpb_smmu *s,
                           const uint32_t *s2cr, uint32_t sid, uint8_t cfg[64])
{
    const struct dtpb *b = w->b;
    memset(cfg, 0, 64);
    if (s->version == 3) {
        uint64_t a = wk_ste_addr(w, s, sid);
        if (!a || a < w->pa || a - w->pa > w->len - 64)
            return 0;
        memcpy(cfg, w->img + (a - w->pa), 64);
        uint64_t w0 = wk_le64(cfg);
        return (w0 & 1) && ((w0 >> 1) & 7) != 0;
    }
    for (uint32_t k = 0; k < dtpb_count(b, DTPB_SEC_SMRS); k++) {
        struct dtpb_smr r;
        dtpb_smr(b, k, &r);
        uint32_t id = r.smr & 0x7fff, mask = (r.smr >> 16) & 0x7fff;
        if (r.smmu != si || !(r.smr >> 31) || (sid & ~mask) != (id & ~mask))
            continue;
        memcpy(cfg, &s2cr[k], 4);
        return ((s2cr[k] >> 16) & 3) != 2; /* TYPE 0b10: fault */
    }
    return 0; /* no match: sCR0.USFCFG faults it */
}

/* For each guest: applies its quiesce steps of kinds 1 and 2 to a copy of
 * the stream tables (STEs -> V=1 Config=abort, S2CRs -> TYPE=fault) as a
 * hypervisor would, then looks every stream ID of every SMMU up again:
 * each of that guest's streams must abort, every other stream must be
 * exactly as before (same STE bytes, same S2CR). Returns failures. */
static unsigned walk_quiesce(const struct dtpb *b, const uint8_t *hv, size_t hvlen,
                             unsigned long *checks)
{
    struct wk w = {.img = hv, .len = hvlen, .b = b};
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_LOADMAP); i++) {
        struct dtpb_load l;
        dtpb_load(b, i, &l);
        if (l.kind == DTPB_LOAD_HVDATA)
            w.pa = l.pa;
    }
    uint32_t nsmr = dtpb_count(b, DTPB_SEC_SMRS);
    uint32_t *s2cr = calloc(nsmr + 1, sizeof(*s2cr)), *s2cr_q = calloc(nsmr + 1, sizeof(*s2cr));
    uint8_t *copy = malloc(hvlen ? hvlen : 1);
    for (uint32_t k = 0; k < nsmr; k++) {
        struct dtpb_smr r;
        dtpb_smr(b, k, &r);
        s2cr[k] = r.s2cr;
    }
    for (uint32_t gq = 0; gq < dtpb_count(b, DTPB_SEC_GUESTS); gq++) {
        struct dtpb_guest g;
        dtpb_guest(b, gq, &g);
        memcpy(copy, hv, hvlen);
        memcpy(s2cr_q, s2cr, (nsmr + 1) * sizeof(*s2cr));
        struct wk wq = w;
        wq.img = copy;
        for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_QUIESCE); i++) {
            struct dtpb_qstep q;
            struct dtpb_smmu s;
            dtpb_qstep(b, i, &q);
            if (q.guest != gq || (q.kind != DTPB_Q_ABORT_STE && q.kind != DTPB_Q_FAULT_S2CR))
                continue;
            dtpb_smmu(b, q.smmu, &s);
            if (q.kind == DTPB_Q_FAULT_S2CR) {
                for (uint32_t k = 0; k < nsmr; k++) {
                    struct dtpb_smr r;
                    dtpb_smr(b, k, &r);
                    if (r.smmu == q.smmu && r.index == q.sid)
                        s2cr_q[k] = (s2cr_q[k] & ~(3u << 16)) | (2u << 16);
                }
                continue;
            }
            for (uint64_t sid = q.sid; sid < (uint64_t)q.sid + q.count; sid++) {
                uint64_t a = wk_ste_addr(&w, &s, (uint32_t)sid);
                if (a && a >= w.pa && a - w.pa <= hvlen - 64) {
                    memset(copy + (a - w.pa), 0, 64);
                    copy[a - w.pa] = 1; /* V=1, Config=0b000: abort */
                }
            }
        }
        for (uint32_t si = 0; si < dtpb_count(b, DTPB_SEC_SMMUS); si++) {
            struct dtpb_smmu s;
            dtpb_smmu(b, si, &s);
            unsigned bits = s.version == 3 ? (s.sid_bits > 20 ? 20 : s.sid_bits)
                                           : (s.sid_bits > 16 ? 16 : s.sid_bits);
            for (uint64_t sid = 0; sid < (1ull << bits); sid++) {
                int owner = wk_sid_owner(b, si, (uint32_t)sid);
                uint8_t before[64], after[64];
                int was = wk_stream_state(&w, si, &s, s2cr, (uint32_t)sid, before);
                int now = wk_stream_state(&wq, si, &s, s2cr_q, (uint32_t)sid, after);
                w.checks++;
                if (owner == (int)gq) {
                    if (now)
                        WK_FAIL(&w, "quiesce %s: %s sid 0x%" PRIx64 " still translates",
                                dtpb_str(b, g.name), dtpb_str(b, s.name), sid);
                    if (!was)
                        WK_FAIL(&w, "quiesce %s: %s sid 0x%" PRIx64 " did not translate before",
                                dtpb_str(b, g.name), dtpb_str(b, s.name), sid);
                } else if (was != now || memcmp(before, after, 64)) {
                    WK_FAIL(&w, "quiesce %s: %s sid 0x%" PRIx64 " of another owner changed",
                            dtpb_str(b, g.name), dtpb_str(b, s.name), sid);
                }
            }
        }
        if (wq.failures)
            w.failures += wq.failures;
    }
    free(copy);
    free(s2cr);
    free(s2cr_q);
    if (checks)
        *checks += w.checks;
    return w.failures;
}

#endif
