/* tests/unit/fixture.h — hand-built systems for the table and blob tests:
 * a struct system with its "resolved" fields filled as resolve/ would, and
 * a minimal struct board (CPUs, SMMU nodes with their register frames),
 * so placement, tables and the blob are tested without the front ends or
 * the board reader. Everything is heap-allocated and freed by fx_free(). */
#ifndef DTPASS_TEST_FIXTURE_H
#define DTPASS_TEST_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "board/board.h"
#include "dtpass.h"
#include "lower/lower.h"
#include "lower/place.h"
#include "lower/quiesce.h"
#include "model/model.h"
#include "resolve/resolve.h"

struct fx {
    struct dtpass_ctx ctx;
    struct board_node nodes[8];
    struct board_range mmio[8];
    struct board_smmu smmus[2];
    struct board_cpu cpus[4];
};

static struct sys_guest *fx_guest(struct fx *f, const char *name, uint32_t vmid)
{
    struct sys_guest *g = VEC_ADD(&f->ctx.sys.guests);
    g->name = xstrdup(name);
    g->vmid = vmid;
    g->has_vmid = true;
    return g;
}

static void fx_cpu(struct sys_guest *g, uint32_t idx)
{
    struct sys_cpu *c = VEC_ADD(&g->cpus);
    c->index = idx;
}

static void fx_mem(struct sys_guest *g, uint64_t base, uint64_t size, uint64_t ipa)
{
    struct sys_mem *m = VEC_ADD(&g->memory);
    m->base = base;
    m->size = size;
    m->ipa = ipa;
    m->has_ipa = ipa != base;
}

static struct sys_device *fx_dev(struct fx *f, struct sys_guest *g, int node)
{
    struct sys_device *d = VEC_ADD(&g->devices);
    d->ref.text = xstrdup(f->nodes[node].path);
    d->ref.node = &f->nodes[node];
    d->dma = -1;
    d->is_dma = true;
    return d;
}

static void fx_reg(struct sys_device *d, uint64_t pa, uint64_t size, uint64_t ipa)
{
    struct res_reg *r = VEC_ADD(&d->regs);
    r->pa = pa;
    r->size = size;
    r->ipa = ipa;
}

static void fx_sid(struct sys_device *d, const struct board_smmu *s, uint32_t sid, uint32_t mask,
                   uint32_t count)
{
    struct res_sid *r = VEC_ADD(&d->rsids);
    r->smmu = s;
    r->sid = sid;
    r->mask = mask;
    r->count = count;
}

static void fx_irq(struct sys_device *d, uint32_t p, uint32_t v)
{
    struct res_irq *q = VEC_ADD(&d->rirqs);
    q->pintid = p;
    q->vintid = v;
    q->flags = 4;
}

static void fx_node(struct fx *f, int i, const char *path, uint64_t base, uint64_t size)
{
    f->nodes[i].path = path;
    f->nodes[i].name = strrchr(path, '/') + 1;
    f->mmio[i].base = base;
    f->mmio[i].size = size;
    f->nodes[i].mmio = &f->mmio[i];
    f->nodes[i].nmmio = 1;
}

/* The common board: 4 CPUs; node 0 the SMMU (v3 or v2), 1..3 devices. */
static void fx_board(struct fx *f, int smmu_version)
{
    struct board *b = &f->ctx.board;
    for (int i = 0; i < 4; i++)
        f->cpus[i].mpidr = (uint64_t)i;
    b->cpus = f->cpus;
    b->ncpus = 4;
    if (smmu_version == 3)
        fx_node(f, 0, "/smmuv3@9050000", 0x9050000, 0x20000);
    else
        fx_node(f, 0, "/smmu@fd800000", 0xfd800000, 0x20000);
    fx_node(f, 1, "/ethernet@9000000", 0x9000000, 0x2000);
    fx_node(f, 2, "/dma@9100000", 0x9100000, 0x1000);
    fx_node(f, 3, "/mmc@9200000", 0x9200000, 0x1000);
    f->smmus[0].node = &f->nodes[0];
    f->smmus[0].version = smmu_version == 3 ? SMMU_V3 : SMMU_V2;
    f->smmus[0].iommu_cells = smmu_version == 3 ? 1 : 2;
    f->smmus[0].name = smmu_version == 3 ? "smmuv3-9050000" : "smmu-fd800000";
    b->smmus = f->smmus;
    b->nsmmus = 1;
}

static void fx_hyp(struct fx *f, uint64_t base, uint64_t size)
{
    struct sys_mem *m = VEC_ADD(&f->ctx.sys.hyp_memory);
    m->base = base;
    m->size = size;
    m->ipa = base;
}

static struct sys_shared *fx_shared(struct fx *f, const char *name, uint64_t base, uint64_t size)
{
    struct sys_shared *s = VEC_ADD(&f->ctx.sys.shared);
    s->name = xstrdup(name);
    s->base = base;
    s->size = size;
    return s;
}

static void fx_peer(struct fx *f, struct sys_shared *s, int guest, uint64_t ipa, bool ro,
                    int doorbell)
{
    struct sys_peer *p = VEC_ADD(&s->peers);
    p->guest = xstrdup(f->ctx.sys.guests.v[guest].name);
    p->guest_index = guest;
    p->ipa = ipa;
    p->has_ipa = true;
    p->access = ro ? SHM_RO : SHM_RW;
    if (doorbell >= 0) {
        p->doorbell = (uint32_t)doorbell;
        p->has_doorbell = true;
    }
}

static void fx_init(struct fx *f, int smmu_version)
{
    memset(f, 0, sizeof(*f));
    diag_init(&f->ctx.diag);
    system_init(&f->ctx.sys);
    f->ctx.sys.file = "fixture.yaml";
    f->ctx.opt.outdir = "out";
    fx_board(f, smmu_version);
}

/* Two guests on an SMMUv3 (16 sid bits: 2-level table), 1 GiB of RAM at a
 * 1 GiB aligned IPA (one block), a shared region RW for one peer and RO
 * for the other, devices with two regs in one page. */
static void fx_smmuv3_system(struct fx *f)
{
    fx_init(f, 3);
    struct system *s = &f->ctx.sys;
    fx_hyp(f, 0x40000000, 64 << 20);
    struct sys_guest *linux_g = fx_guest(f, "linux", 1);
    fx_cpu(linux_g, 0);
    fx_cpu(linux_g, 1);
    fx_mem(linux_g, 0x48000000, 512ull << 20, 0x48000000);
    fx_mem(linux_g, 0x880000000ull, 1ull << 30, 0x80000000);
    linux_g->bootargs = xstrdup("console=ttyAMA0");
    linux_g->kernel.file = xstrdup("images/Image");
    linux_g->kernel.load = 0x48200000;
    struct sys_device *eth = fx_dev(f, linux_g, 1);
    fx_reg(eth, 0x9000000, 0x1000, 0x9000000);
    fx_reg(eth, 0x9001000, 0x100, 0x9001000);
    fx_reg(eth, 0x9001100, 0x100, 0x9001100);
    fx_sid(eth, &f->smmus[0], 0x10, 0, 1);
    fx_sid(eth, &f->smmus[0], 0x100, 0, 0x100); /* iommu-map range */
    fx_irq(eth, 48, 48);
    fx_irq(eth, 49, 60);
    struct sys_guest *rtos = fx_guest(f, "rtos", 2);
    fx_cpu(rtos, 2);
    fx_mem(rtos, 0x70000000, 64ull << 20, 0x0);
    struct sys_device *dma = fx_dev(f, rtos, 2);
    fx_reg(dma, 0x9100000, 0x1000, 0x10000000);
    fx_sid(dma, &f->smmus[0], 0x11, 0, 1);
    fx_sid(dma, &f->smmus[0], 0x300, 0, 1);
    fx_irq(dma, 80, 40);
    struct sys_ref *hd = VEC_ADD(&s->hyp_devices); /* the hypervisor's own device */
    hd->text = xstrdup(f->nodes[3].path);
    hd->node = &f->nodes[3];
    struct sys_shared *sh = fx_shared(f, "ivc0", 0x74000000, 2ull << 20);
    fx_peer(f, sh, 0, 0x70000000, false, 48);
    fx_peer(f, sh, 1, 0x20000000, true, -1);
}

/* An MMU-500 (15 sid bits) with contiguous runs, a board mask and a
 * foreign SID in the middle of a run. */
static void fx_smmuv2_system(struct fx *f)
{
    fx_init(f, 2);
    fx_hyp(f, 0x40000000, 16 << 20);
    struct sys_guest *linux_g = fx_guest(f, "linux", 1);
    fx_cpu(linux_g, 0);
    fx_mem(linux_g, 0x48000000, 256ull << 20, 0x48000000);
    struct sys_device *eth = fx_dev(f, linux_g, 1);
    fx_reg(eth, 0x9000000, 0x2000, 0x9000000);
    for (uint32_t s = 0x860; s <= 0x863; s++)
        fx_sid(eth, &f->smmus[0], s, 0, 1);
    fx_sid(eth, &f->smmus[0], 0x865, 0, 1);
    fx_sid(eth, &f->smmus[0], 0x866, 0, 1);
    fx_sid(eth, &f->smmus[0], 0x867, 0, 1);
    fx_sid(eth, &f->smmus[0], 0x870, 0x400, 1); /* {0x870, 0xc70} */
    struct sys_guest *rtos = fx_guest(f, "rtos", 300); /* a 16-bit VMID */
    fx_cpu(rtos, 1);
    fx_mem(rtos, 0x60000000, 32ull << 20, 0x0);
    struct sys_device *mmc = fx_dev(f, rtos, 3);
    fx_reg(mmc, 0x9200000, 0x1000, 0x9200000);
    fx_sid(mmc, &f->smmus[0], 0x864, 0, 1);
    fx_sid(mmc, &f->smmus[0], 0x100, 0, 1);
}

/* Places a hand-built system: the SMMU limits resolve would fill, then
 * lower_place. */
__attribute__((unused)) static int fx_place(struct fx *f)
{
    resolve_smmu_limits(&f->ctx.sys, &f->ctx.board);
    return lower_place(&f->ctx);
}

static void fx_free(struct fx *f)
{
    place_free(f->ctx.place);
    f->ctx.place = NULL;
    quiesce_free(f->ctx.quiesce);
    f->ctx.quiesce = NULL;
    system_free(&f->ctx.sys);
    diag_free(&f->ctx.diag);
    outputs_abort(&f->ctx.out);
}

/* True when a finding of check id was reported. */
__attribute__((unused)) static bool fx_reported(const struct fx *f, const char *id)
{
    for (size_t i = 0; i < f->ctx.diag.diags.n; i++)
        if (f->ctx.diag.diags.v[i]->check && !strcmp(f->ctx.diag.diags.v[i]->check, id))
            return true;
    return false;
}

#endif
