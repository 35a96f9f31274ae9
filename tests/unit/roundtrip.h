/* tests/unit/roundtrip.h — model -> system.dtpb -> freestanding reader ->
 * the same facts. rt_compare() reads a blob back through the public reader
 * and checks every fact against the resolved model and the board (not
 * against the blob writer's own data structures), printing each mismatch.
 * Used by test_dtpb on hand-built systems and on every example. */
#ifndef DTPASS_TEST_ROUNDTRIP_H
#define DTPASS_TEST_ROUNDTRIP_H

#include <stdio.h>
#include <string.h>

#include "board/board.h"
#include "dtpass.h"
#include "dtpass/dtpb.h"

static unsigned rt_fail;

#define RT(cond, ...)                                                                        \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            if (rt_fail++ < 40) {                                                            \
                fprintf(stderr, "roundtrip: %s:%d: ", __FILE__, __LINE__);                   \
                fprintf(stderr, __VA_ARGS__);                                                \
                fputc('\n', stderr);                                                         \
            }                                                                                \
        }                                                                                    \
    } while (0)

/* A mapping of guest gi with this kind covers [ipa, ipa+size) -> pa. */
static bool rt_mapped(const struct dtpb *b, uint32_t gi, uint32_t kind, uint64_t ipa, uint64_t pa,
                      uint64_t size, uint32_t perm_mask, uint32_t perm, uint32_t ref)
{
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_MEMMAP); i++) {
        struct dtpb_memmap m;
        dtpb_memmap(b, i, &m);
        if (m.guest != gi || m.kind != kind || ipa < m.ipa || ipa - m.ipa > m.size ||
            size > m.size - (ipa - m.ipa))
            continue;
        if (m.pa + (ipa - m.ipa) != pa || (m.perm & perm_mask) != perm)
            continue;
        if (ref != DTPB_NONE && m.ref != ref)
            continue;
        return true;
    }
    return false;
}

/* Returns the number of mismatches. */
static unsigned rt_compare(const struct dtpass_ctx *ctx, const uint8_t *blob, size_t len)
{
    const struct system *s = &ctx->sys;
    const struct board *bd = &ctx->board;
    struct dtpb b;
    rt_fail = 0;
    int err = dtpb_open(&b, blob, len);
    RT(err == 0, "dtpb_open: %s", dtpb_strerror(err));
    if (err)
        return rt_fail;

    RT(dtpb_count(&b, DTPB_SEC_GUESTS) == s->guests.n, "guest count");
    uint32_t ndev = 0, nreg = 0, nirq = 0, nsid = 0;
    for (uint32_t gi = 0; gi < s->guests.n && gi < dtpb_count(&b, DTPB_SEC_GUESTS); gi++) {
        const struct sys_guest *g = &s->guests.v[gi];
        struct dtpb_guest bg;
        dtpb_guest(&b, gi, &bg);
        RT(!strcmp(dtpb_str(&b, bg.name), g->name), "guest %u name", gi);
        RT(bg.vmid == (g->has_vmid ? g->vmid : gi + 1), "guest %s vmid", g->name);
        RT(bg.ncpus == g->cpus.n, "guest %s ncpus", g->name);
        RT(!strcmp(dtpb_str(&b, bg.bootargs), g->bootargs ? g->bootargs : ""), "bootargs");
        RT(!!(bg.flags & DTPB_GUEST_KERNEL) == !!g->kernel.file, "kernel flag");
        if (g->kernel.file)
            RT(bg.kernel_ipa == g->kernel.load, "kernel load");
        if (g->ramdisk.file)
            RT(bg.ramdisk_ipa == g->ramdisk.load, "ramdisk load");
        for (uint32_t k = 0; k < g->cpus.n; k++) {
            struct dtpb_vcpu v;
            RT(dtpb_vcpu(&b, bg.first_vcpu + k, &v) == 0, "vcpu record");
            uint32_t pc = g->cpus.v[k].index;
            RT(v.guest == gi && v.vcpu == k && v.pcpu == pc, "guest %s vcpu %u", g->name, k);
            if (pc < bd->ncpus)
                RT(v.mpidr == bd->cpus[pc].mpidr, "guest %s vcpu %u mpidr", g->name, k);
        }
        for (size_t k = 0; k < g->memory.n; k++) {
            const struct sys_mem *m = &g->memory.v[k];
            uint64_t ipa = m->has_ipa ? m->ipa : m->base;
            RT(rt_mapped(&b, gi, DTPB_MAP_RAM, ipa, m->base, m->size, 0xf,
                         DTPB_PERM_R | DTPB_PERM_W | DTPB_PERM_X, DTPB_NONE),
               "guest %s RAM 0x%llx not mapped", g->name, (unsigned long long)m->base);
        }
        /* The DTB window lies in the first RAM region. */
        if (g->memory.n) {
            const struct sys_mem *m = &g->memory.v[0];
            uint64_t ipa = m->has_ipa ? m->ipa : m->base;
            RT(bg.dtb_ipa >= ipa && bg.dtb_ipa - ipa < m->size, "guest %s dtb ipa", g->name);
        }
        for (size_t d = 0; d < g->devices.n; d++, ndev++) {
            const struct sys_device *dev = &g->devices.v[d];
            struct dtpb_device bdv;
            RT(dtpb_device(&b, ndev, &bdv) == 0, "device record %u", ndev);
            RT(bdv.guest == gi, "device %u guest", ndev);
            const char *path = dev->ref.node ? dev->ref.node->path : dev->ref.text;
            RT(!strcmp(dtpb_str(&b, bdv.path), path), "device %u path %s", ndev, path);
            RT(!!(bdv.flags & DTPB_DEV_DMA) == dev->is_dma, "device %s dma", path);
            for (size_t k = 0; k < dev->regs.n; k++, nreg++) {
                const struct res_reg *r = &dev->regs.v[k];
                struct dtpb_devreg br;
                RT(dtpb_devreg(&b, nreg, &br) == 0, "devreg record");
                RT(br.device == ndev && br.pa == r->pa && br.size == r->size && br.ipa == r->ipa,
                   "device %s reg %zu", path, k);
                if (r->size)
                    RT(rt_mapped(&b, gi, DTPB_MAP_DEVICE, r->ipa, r->pa, r->size, 0xf,
                                 DTPB_PERM_R | DTPB_PERM_W | DTPB_PERM_DEVICE, ndev),
                       "device %s reg %zu not mapped", path, k);
            }
            for (size_t k = 0; k < dev->rirqs.n; k++, nirq++) {
                const struct res_irq *q = &dev->rirqs.v[k];
                struct dtpb_irq bq;
                RT(dtpb_irq(&b, nirq, &bq) == 0, "irq record");
                RT(bq.pintid == q->pintid && bq.vintid == q->vintid && bq.flags == q->flags &&
                       bq.guest == gi && bq.device == ndev,
                   "device %s irq %zu", path, k);
            }
            for (size_t k = 0; k < dev->rsids.n; k++) {
                const struct res_sid *r = &dev->rsids.v[k];
                uint32_t si = DTPB_NONE;
                for (uint32_t x = 0; x < bd->nsmmus; x++)
                    if (&bd->smmus[x] == r->smmu)
                        si = x;
                if (si == DTPB_NONE)
                    continue;
                struct dtpb_sid bs;
                RT(dtpb_sid(&b, nsid, &bs) == 0, "sid record");
                RT(bs.smmu == si && bs.sid == r->sid && bs.mask == r->mask &&
                       bs.count == (r->count ? r->count : 1) && bs.guest == gi &&
                       bs.device == ndev,
                   "device %s sid %zu", path, k);
                nsid++;
            }
        }
    }
    /* Then the devices the hypervisor keeps, with their board regs. */
    for (size_t i = 0; i < s->hyp_devices.n; i++) {
        const struct board_node *n = s->hyp_devices.v[i].node;
        if (!n)
            continue;
        struct dtpb_device bdv;
        RT(dtpb_device(&b, ndev, &bdv) == 0, "hypervisor device record");
        RT(bdv.guest == DTPB_NONE && !strcmp(dtpb_str(&b, bdv.path), n->path),
           "hypervisor device %s", n->path);
        for (uint32_t k = 0; k < n->nmmio; k++, nreg++) {
            struct dtpb_devreg br;
            RT(dtpb_devreg(&b, nreg, &br) == 0, "hypervisor devreg record");
            RT(br.device == ndev && br.pa == n->mmio[k].base && br.size == n->mmio[k].size,
               "hypervisor device %s reg %u", n->path, k);
        }
        ndev++;
    }
    RT(dtpb_count(&b, DTPB_SEC_DEVICES) == ndev, "device count");
    RT(dtpb_count(&b, DTPB_SEC_DEVREGS) == nreg, "devreg count");
    RT(dtpb_count(&b, DTPB_SEC_IRQS) == nirq, "irq count");
    RT(dtpb_count(&b, DTPB_SEC_SIDS) == nsid, "sid count");

    RT(dtpb_count(&b, DTPB_SEC_SMMUS) == bd->nsmmus, "smmu count");
    for (uint32_t i = 0; i < bd->nsmmus && i < dtpb_count(&b, DTPB_SEC_SMMUS); i++) {
        struct dtpb_smmu sm;
        dtpb_smmu(&b, i, &sm);
        RT(!strcmp(dtpb_str(&b, sm.name), bd->smmus[i].name), "smmu %u name", i);
        RT(sm.version == (bd->smmus[i].version == SMMU_V2 ? 2u : 3u), "smmu %u version", i);
        if (bd->smmus[i].node && bd->smmus[i].node->nmmio)
            RT(sm.reg_base == bd->smmus[i].node->mmio[0].base, "smmu %u registers", i);
    }

    RT(dtpb_count(&b, DTPB_SEC_SHARED) == s->shared.n, "shared count");
    uint32_t npeer = 0;
    for (uint32_t i = 0; i < s->shared.n && i < dtpb_count(&b, DTPB_SEC_SHARED); i++) {
        const struct sys_shared *sh = &s->shared.v[i];
        struct dtpb_shared bs;
        dtpb_shared(&b, i, &bs);
        RT(!strcmp(dtpb_str(&b, bs.name), sh->name) && bs.base == sh->base && bs.size == sh->size,
           "shared %s", sh->name);
        for (size_t k = 0; k < sh->peers.n; k++) {
            const struct sys_peer *pe = &sh->peers.v[k];
            if (pe->guest_index < 0)
                continue;
            struct dtpb_peer bp;
            RT(dtpb_peer(&b, npeer, &bp) == 0, "peer record");
            uint64_t ipa = pe->has_ipa ? pe->ipa : sh->base;
            RT(bp.shared == i && bp.guest == (uint32_t)pe->guest_index && bp.ipa == ipa &&
                   bp.access == (pe->access == SHM_RO ? 1u : 0u) &&
                   bp.doorbell == (pe->has_doorbell ? pe->doorbell + 32 : DTPB_NONE),
               "shared %s peer %zu", sh->name, k);
            RT(rt_mapped(&b, (uint32_t)pe->guest_index, DTPB_MAP_SHARED, ipa, sh->base, sh->size,
                         DTPB_PERM_W | DTPB_PERM_DEVICE,
                         pe->access == SHM_RW ? DTPB_PERM_W : 0, i),
               "shared %s window of peer %zu not mapped", sh->name, k);
            npeer++;
        }
    }
    RT(dtpb_count(&b, DTPB_SEC_PEERS) == npeer, "peer count");

    bool hv = false;
    for (uint32_t i = 0; i < dtpb_count(&b, DTPB_SEC_LOADMAP); i++) {
        struct dtpb_load l;
        dtpb_load(&b, i, &l);
        if (l.kind == DTPB_LOAD_HVDATA) {
            hv = true;
            RT(s->hyp_memory.n && l.pa == s->hyp_memory.v[0].base, "hvdata load address");
        }
    }
    RT(hv, "no hvdata in the load map");
    return rt_fail;
}

#endif
