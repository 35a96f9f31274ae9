/* model/model.c — owns the system model's lifetime (init/free), the name
 * rule, the checks both front ends share once a file is parsed (duplicate
 * names, default VMIDs) and the stable text dump used by the model-equality
 * tests (`dtpass check --dump-model`).
 *
 * The dump never prints positions or file names of the system file, so the
 * same system written in YAML and in the DSL dumps byte-identically. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "board/board.h"
#include "model/model.h"

void system_init(struct system *s)
{
    memset(s, 0, sizeof(*s));
    s->version = 0;
    s->ipa_bits = MODEL_DEFAULT_IPA_BITS;
    s->pa_bits = MODEL_DEFAULT_PA_BITS;
}

static void ref_free(struct sys_ref *r)
{
    free(r->text);
    r->text = NULL;
}

static void device_free(struct sys_device *d)
{
    ref_free(&d->ref);
    VEC_FREE(&d->irqs);
    VEC_FREE(&d->stream_ids);
    ref_free(&d->smmu);
    for (size_t i = 0; i < d->drop.n; i++)
        free(d->drop.v[i]);
    VEC_FREE(&d->drop);
    free(d->unsafe_no_iommu);
    VEC_FREE(&d->regs);
    VEC_FREE(&d->rirqs);
    VEC_FREE(&d->rsids);
}

static void guest_free(struct sys_guest *g)
{
    free(g->name);
    VEC_FREE(&g->cpus);
    VEC_FREE(&g->memory);
    for (size_t i = 0; i < g->devices.n; i++)
        device_free(&g->devices.v[i]);
    VEC_FREE(&g->devices);
    free(g->bootargs);
    ref_free(&g->stdout_ref);
    free(g->kernel.file);
    free(g->ramdisk.file);
}

void system_free(struct system *s)
{
    free(s->board);
    for (size_t i = 0; i < s->smmus.n; i++)
        ref_free(&s->smmus.v[i].node);
    VEC_FREE(&s->smmus);
    VEC_FREE(&s->hyp_memory);
    for (size_t i = 0; i < s->hyp_devices.n; i++)
        ref_free(&s->hyp_devices.v[i]);
    VEC_FREE(&s->hyp_devices);
    free(s->root_cell);
    for (size_t i = 0; i < s->guests.n; i++)
        guest_free(&s->guests.v[i]);
    VEC_FREE(&s->guests);
    for (size_t i = 0; i < s->shared.n; i++) {
        struct sys_shared *sh = &s->shared.v[i];
        free(sh->name);
        for (size_t j = 0; j < sh->peers.n; j++)
            free(sh->peers.v[j].guest);
        VEC_FREE(&sh->peers);
    }
    VEC_FREE(&s->shared);
    for (size_t i = 0; i < s->inputs.n; i++)
        free(s->inputs.v[i]);
    VEC_FREE(&s->inputs);
    free(s->smmu_limits);
    memset(s, 0, sizeof(*s));
}

bool model_qnx_version(const char *text, uint32_t *out)
{
    if (text && !strcmp(text, "7.1")) {
        *out = MODEL_QNX_7_1;
        return true;
    }
    if (text && !strcmp(text, "8.0")) {
        *out = MODEL_QNX_8_0;
        return true;
    }
    return false;
}

bool model_valid_name(const char *name)
{
    if (!name || !(name[0] >= 'a' && name[0] <= 'z'))
        return false;
    size_t i;
    for (i = 1; name[i]; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
        if (i >= 32)
            return false;
    }
    return true;
}

static int irqmap_cmp(const void *a, const void *b)
{
    const struct sys_irqmap *x = *(const struct sys_irqmap *const *)a;
    const struct sys_irqmap *y = *(const struct sys_irqmap *const *)b;
    if (x->phys != y->phys)
        return x->phys < y->phys ? -1 : 1;
    /* ties by position so the later one is reported */
    if (x->pos.line != y->pos.line)
        return x->pos.line < y->pos.line ? -1 : 1;
    return x->pos.col < y->pos.col ? -1 : x->pos.col > y->pos.col;
}

/* One remap per physical SPI: sort pointers and compare neighbours. */
static void check_irq_dups(struct sys_device *dev, struct diag_sink *d)
{
    if (dev->irqs.n < 2)
        return;
    const struct sys_irqmap **v = xmalloc(dev->irqs.n * sizeof(*v));
    for (size_t i = 0; i < dev->irqs.n; i++)
        v[i] = &dev->irqs.v[i];
    qsort(v, dev->irqs.n, sizeof(*v), irqmap_cmp);
    for (size_t i = 1; i < dev->irqs.n; i++)
        if (v[i]->phys == v[i - 1]->phys) {
            struct diag *dg = diag_report(d, "schema", v[i]->pos,
                                          "physical SPI %" PRIu32 " is remapped twice", v[i]->phys);
            diag_note(dg, v[i - 1]->pos, NULL, "first remapped here");
        }
    free(v);
}

/* Both front ends call this after a parse: the rules that span several
 * objects and do not depend on the board. Names are unique among guests and
 * among shared regions (hash maps: linear). Default VMIDs are filled here so
 * both syntaxes give the same model. */
void model_finish(struct system *s, struct diag_sink *d)
{
    struct strmap seen;
    strmap_init(&seen);
    for (size_t i = 0; i < s->guests.n; i++) {
        struct sys_guest *g = &s->guests.v[i];
        if (!g->has_vmid)
            g->vmid = (uint32_t)(i + 1);
        if (!g->name)
            continue;
        struct sys_guest *prev = strmap_put(&seen, g->name, g);
        if (prev) {
            strmap_put(&seen, g->name, prev);
            struct diag *dg = diag_report(d, "schema", g->name_pos,
                                          "guest name '%s' is used twice", g->name);
            diag_note(dg, prev->name_pos, NULL, "first used here");
        }
    }
    if (s->root_cell && !strmap_get(&seen, s->root_cell))
        diag_report(d, "ref-unknown", s->root_cell_pos, "root-cell '%s' is not a guest",
                    s->root_cell);
    strmap_free(&seen);
    strmap_init(&seen);
    for (size_t i = 0; i < s->shared.n; i++) {
        struct sys_shared *sh = &s->shared.v[i];
        if (!sh->name)
            continue;
        struct sys_shared *prev = strmap_put(&seen, sh->name, sh);
        if (prev) {
            strmap_put(&seen, sh->name, prev);
            struct diag *dg = diag_report(d, "schema", sh->pos,
                                          "shared region name '%s' is used twice", sh->name);
            diag_note(dg, prev->pos, NULL, "first used here");
        }
        for (size_t j = 0; j < sh->peers.n; j++)
            if (!sh->peers.v[j].has_ipa)
                sh->peers.v[j].ipa = sh->base;
    }
    strmap_free(&seen);
    for (size_t i = 0; i < s->guests.n; i++) {
        struct sys_guest *g = &s->guests.v[i];
        for (size_t j = 0; j < g->memory.n; j++)
            if (!g->memory.v[j].has_ipa)
                g->memory.v[j].ipa = g->memory.v[j].base;
        for (size_t j = 0; j < g->devices.n; j++) {
            struct sys_device *dev = &g->devices.v[j];
            check_irq_dups(dev, d);
            if (dev->stream_ids.n && !dev->smmu.text)
                diag_report(d, "schema", dev->sids_pos,
                            "stream-ids needs `smmu:` naming the SMMU they belong to");
        }
    }
}

/* --- dump --------------------------------------------------------------- */

/* Strings are quoted with C escapes so the dump is one line per item. */
static void put_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\x%02x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static void dump_ref(FILE *out, const struct sys_ref *r, bool resolved)
{
    put_str(out, r->text ? r->text : "");
    if (resolved)
        fprintf(out, " -> %s", r->node ? r->node->path : "?");
}

static void dump_mem(FILE *out, const char *indent, const struct sys_mem *m)
{
    fprintf(out, "%smemory base 0x%" PRIx64 " size 0x%" PRIx64 " ipa 0x%" PRIx64 "\n", indent,
            m->base, m->size, m->ipa);
}

static void dump_device(FILE *out, const struct sys_device *d, bool resolved)
{
    fputs("  device ", out);
    dump_ref(out, &d->ref, resolved);
    fputc('\n', out);
    if (d->has_ipa)
        fprintf(out, "    ipa 0x%" PRIx64 "\n", d->ipa);
    for (size_t i = 0; i < d->irqs.n; i++)
        fprintf(out, "    irq %" PRIu32 " -> %" PRIu32 "\n", d->irqs.v[i].phys, d->irqs.v[i].virt);
    if (d->dma >= 0)
        fprintf(out, "    dma %s\n", d->dma ? "true" : "false");
    if (d->stream_ids.n) {
        fputs("    stream-ids", out);
        for (size_t i = 0; i < d->stream_ids.n; i++)
            fprintf(out, " 0x%" PRIx32, d->stream_ids.v[i]);
        fputc('\n', out);
    }
    if (d->smmu.text) {
        fputs("    smmu ", out);
        dump_ref(out, &d->smmu, resolved);
        fputc('\n', out);
    }
    for (size_t i = 0; i < d->drop.n; i++) {
        fputs("    drop ", out);
        put_str(out, d->drop.v[i]);
        fputc('\n', out);
    }
    if (d->unsafe_no_iommu) {
        fputs("    unsafe-no-iommu ", out);
        put_str(out, d->unsafe_no_iommu);
        fputc('\n', out);
    }
    if (!resolved)
        return;
    for (size_t i = 0; i < d->regs.n; i++)
        fprintf(out, "    = reg pa 0x%" PRIx64 " size 0x%" PRIx64 " ipa 0x%" PRIx64 "\n",
                d->regs.v[i].pa, d->regs.v[i].size, d->regs.v[i].ipa);
    for (size_t i = 0; i < d->rirqs.n; i++)
        fprintf(out, "    = irq pintid %" PRIu32 " vintid %" PRIu32 " flags 0x%" PRIx32 "\n",
                d->rirqs.v[i].pintid, d->rirqs.v[i].vintid, d->rirqs.v[i].flags);
    for (size_t i = 0; i < d->rsids.n; i++)
        fprintf(out, "    = sid %s 0x%" PRIx32 " mask 0x%" PRIx32 " count %" PRIu32 "\n",
                d->rsids.v[i].smmu && d->rsids.v[i].smmu->node ? d->rsids.v[i].smmu->node->path : "?",
                d->rsids.v[i].sid, d->rsids.v[i].mask, d->rsids.v[i].count);
    fprintf(out, "    = dma %s", d->is_dma ? "true" : "false");
    if (d->dma_reason) {
        fputc(' ', out);
        put_str(out, d->dma_reason);
    }
    fputc('\n', out);
}

static void dump_image(FILE *out, const char *what, const struct sys_image *im)
{
    if (!im->file)
        return;
    fprintf(out, "  %s ", what);
    put_str(out, im->file);
    fprintf(out, " load 0x%" PRIx64 "\n", im->load);
}

void model_dump(const struct system *s, FILE *out, bool resolved)
{
    fprintf(out, "dtpass %" PRIu32 "\n", s->version);
    if (s->board) {
        fputs("board ", out);
        put_str(out, s->board);
        fputc('\n', out);
    }
    fprintf(out, "platform ipa-bits %" PRIu32 " pa-bits %" PRIu32 "\n", s->ipa_bits, s->pa_bits);
    for (size_t i = 0; i < s->smmus.n; i++) {
        const struct sys_smmu_param *p = &s->smmus.v[i];
        fputs("  smmu ", out);
        dump_ref(out, &p->node, resolved);
        if (p->has_sid_bits)
            fprintf(out, " sid-bits %" PRIu32, p->sid_bits);
        if (p->has_smrs)
            fprintf(out, " smrs %" PRIu32, p->smrs);
        if (p->has_context_banks)
            fprintf(out, " context-banks %" PRIu32, p->context_banks);
        fputc('\n', out);
    }
    fputs("hypervisor\n", out);
    for (size_t i = 0; i < s->hyp_memory.n; i++)
        fprintf(out, "  memory base 0x%" PRIx64 " size 0x%" PRIx64 "\n", s->hyp_memory.v[i].base,
                s->hyp_memory.v[i].size);
    for (size_t i = 0; i < s->hyp_devices.n; i++) {
        fputs("  device ", out);
        dump_ref(out, &s->hyp_devices.v[i], resolved);
        fputc('\n', out);
    }
    if (s->root_cell)
        fprintf(out, "  root-cell %s\n", s->root_cell);
    if (s->qnx_version != MODEL_QNX_UNSET)
        fprintf(out, "  qnx-version %u.%u\n", s->qnx_version / 100, s->qnx_version % 100 / 10);
    for (size_t i = 0; i < s->guests.n; i++) {
        const struct sys_guest *g = &s->guests.v[i];
        fputs("guest ", out);
        put_str(out, g->name ? g->name : "");
        fprintf(out, " vmid %" PRIu32 "\n", g->vmid);
        if (g->cpus.n) {
            fputs("  cpus", out);
            for (size_t j = 0; j < g->cpus.n; j++)
                fprintf(out, " %" PRIu32, g->cpus.v[j].index);
            fputc('\n', out);
        }
        for (size_t j = 0; j < g->memory.n; j++)
            dump_mem(out, "  ", &g->memory.v[j]);
        for (size_t j = 0; j < g->devices.n; j++)
            dump_device(out, &g->devices.v[j], resolved);
        if (g->bootargs) {
            fputs("  bootargs ", out);
            put_str(out, g->bootargs);
            fputc('\n', out);
        }
        if (g->stdout_ref.text) {
            fputs("  stdout ", out);
            dump_ref(out, &g->stdout_ref, resolved);
            fputc('\n', out);
        }
        dump_image(out, "kernel", &g->kernel);
        dump_image(out, "ramdisk", &g->ramdisk);
    }
    for (size_t i = 0; i < s->shared.n; i++) {
        const struct sys_shared *sh = &s->shared.v[i];
        fputs("shared ", out);
        put_str(out, sh->name ? sh->name : "");
        fprintf(out, " base 0x%" PRIx64 " size 0x%" PRIx64 "\n", sh->base, sh->size);
        for (size_t j = 0; j < sh->peers.n; j++) {
            const struct sys_peer *p = &sh->peers.v[j];
            fputs("  peer ", out);
            put_str(out, p->guest ? p->guest : "");
            fprintf(out, " %s ipa 0x%" PRIx64, p->access == SHM_RO ? "ro" : "rw", p->ipa);
            if (p->has_doorbell)
                fprintf(out, " doorbell %" PRIu32, p->doorbell);
            if (resolved)
                fprintf(out, " = guest %d", p->guest_index);
            fputc('\n', out);
        }
    }
}
