/* emit/report.c — report.html (target `report`): one self-contained page
 * for the desk. An SVG physical memory map (every owner's RAM, shared
 * regions and device MMIO, coloured by owner, overlaps between owners
 * marked), one IPA map per guest, tables of devices, interrupts and
 * stream IDs, and per guest how each DMA master is stopped on a reboot
 * (the quiesce plan, lower/quiesce.h). Address spaces are sparse, so a map draws the ranges in
 * address order with a height that grows with the logarithm of the size,
 * and a break where addresses are skipped; the numbers are always printed. */
#include <stdlib.h>
#include <string.h>

#include "board/board.h"
#include "emit/emit.h"
#include "lower/place.h"
#include "lower/quiesce.h"

struct span {
    uint64_t base, size, ipa; /* ipa == base on the physical map */
    const char *owner;        /* guest name, "hypervisor", "shared" */
    int color;                /* owner index into the palette */
    const char *what;         /* "RAM", device path, shared region name */
    bool conflict;
};

typedef VEC(struct span) span_vec;

static const char *const palette[] = {
    "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2",
    "#edc948", "#ff9da7", "#9c755f", "#bab0ac", "#e15759",
};
#define HV_COLOR 8
#define SHM_COLOR 5

static void html_escape(struct strbuf *sb, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': sb_puts(sb, "&lt;"); break;
        case '>': sb_puts(sb, "&gt;"); break;
        case '&': sb_puts(sb, "&amp;"); break;
        case '"': sb_puts(sb, "&quot;"); break;
        default: sb_putc(sb, *s);
        }
    }
}

static int cmp_span(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    if (x->base != y->base)
        return x->base < y->base ? -1 : 1;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    return strcmp(x->what, y->what);
}

/* A guest's map is ordered by guest address. */
static int cmp_span_ipa(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    if (x->ipa != y->ipa)
        return x->ipa < y->ipa ? -1 : 1;
    return cmp_span(a, b);
}

/* Sorted by base: a span overlapping any earlier span of another owner is a
 * conflict (sweep keeping the furthest end seen and its owner). */
static void mark_conflicts(struct span *s, size_t n)
{
    uint64_t end = 0;
    size_t far = 0;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        uint64_t last = s[i].base + (s[i].size - 1);
        if (any && s[i].base <= end && strcmp(s[far].owner, s[i].owner)) {
            s[i].conflict = true;
            s[far].conflict = true;
        }
        if (!any || last > end) {
            end = last;
            far = i;
            any = true;
        }
    }
}

static unsigned log_height(uint64_t size)
{
    unsigned h = 14;
    while (size > 4096 && h < 60) {
        size >>= 2;
        h += 2;
    }
    return h;
}

static void svg_map(struct strbuf *sb, const char *title, struct span *s, size_t n, bool ipa)
{
    unsigned y = 30, width = 760;
    struct strbuf body;
    sb_init(&body);
    for (size_t i = 0; i < n; i++) {
        uint64_t a = ipa ? s[i].ipa : s[i].base;
        if (i && a > (ipa ? s[i - 1].ipa : s[i - 1].base) + s[i - 1].size) {
            sb_printf(&body, "<text x=\"170\" y=\"%u\" class=\"gap\">&#8942;</text>\n", y + 9);
            y += 14;
        }
        unsigned h = log_height(s[i].size);
        char sz[32];
        format_size(sz, sizeof sz, s[i].size);
        sb_printf(&body,
                  "<rect x=\"160\" y=\"%u\" width=\"220\" height=\"%u\" fill=\"%s\" "
                  "stroke=\"%s\" stroke-width=\"%s\"><title>",
                  y, h - 2, palette[s[i].color % ARRAY_SIZE(palette)],
                  s[i].conflict ? "#d00" : "#333", s[i].conflict ? "3" : "0.5");
        html_escape(&body, s[i].what);
        sb_printf(&body, "</title></rect>\n<text x=\"150\" y=\"%u\" class=\"addr\">0x%llx</text>\n",
                  y + 10, (unsigned long long)a);
        sb_printf(&body, "<text x=\"390\" y=\"%u\">%s%s ", y + 10, s[i].conflict ? "&#9888; " : "",
                  sz);
        html_escape(&body, s[i].owner);
        sb_puts(&body, ": ");
        html_escape(&body, s[i].what);
        if (ipa && s[i].ipa != s[i].base)
            sb_printf(&body, " (PA 0x%llx)", (unsigned long long)s[i].base);
        sb_puts(&body, "</text>\n");
        y += h;
    }
    sb_puts(sb, "<h2>");
    html_escape(sb, title);
    sb_printf(sb, "</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\">\n",
              width, y + 10);
    sb_puts(sb, body.s);
    sb_puts(sb, "</svg>\n");
    sb_free(&body);
}

static struct span *add_span(span_vec *v, uint64_t base, uint64_t size, uint64_t ipa,
                             const char *owner, int color, const char *what)
{
    struct span *s = VEC_ADD(v);
    *s = (struct span){base, size ? size : 1, ipa, owner, color, what, false};
    return s;
}

/* Per guest, its DMA masters and how each is stopped before the guest's
 * memory is reused: the plan's steps, in their order. */
static void quiesce_tables(struct strbuf *sb, const struct dtpass_ctx *ctx)
{
    const struct quiesce_plan *q = ctx->quiesce;
    const struct placement *p = ctx->place;
    if (!q || !p)
        return;
    sb_puts(sb, "<h2>Guest reboot: stopping DMA</h2>\n<p>Before a guest's memory is scrubbed "
                "and reused, the hypervisor performs these steps in order (system.dtpb section "
                "15): block at the SMMU, then reset / power off, then scrub.</p>\n");
    for (size_t g = 0; g < q->nguests; g++) {
        const struct qs_guest *qg = &q->guests[g];
        const char *name = p->guests[g].g->name;
        sb_puts(sb, "<h3 id=\"quiesce-");
        html_escape(sb, name);
        sb_puts(sb, "\">");
        html_escape(sb, name);
        sb_printf(sb, ": %zu DMA master%s, %zu not stoppable</h3>\n", qg->nmasters,
                  qg->nmasters == 1 ? "" : "s", qg->nhazards);
        sb_puts(sb, "<table><tr><th>step</th><th>device</th><th>how</th></tr>\n");
        for (size_t i = qg->first; i < qg->first + qg->n; i++) {
            const struct qs_step *st = &q->steps.v[i];
            sb_printf(sb, "<tr><td>%zu</td><td>", i - qg->first + 1);
            if (st->dev)
                html_escape(sb, st->dev->ref.node ? st->dev->ref.node->path : st->dev->ref.text);
            sb_puts(sb, "</td><td>");
            switch (st->kind) {
            case QS_ABORT_STE:
                sb_puts(sb, "SMMU: abort-ste ");
                html_escape(sb, p->smmus[st->smmu].smmu->name);
                sb_printf(sb, " stream IDs 0x%x..0x%x", st->sid, st->sid + st->count - 1);
                break;
            case QS_FAULT_S2CR:
                sb_puts(sb, "SMMU: fault-s2cr ");
                html_escape(sb, p->smmus[st->smmu].smmu->name);
                sb_printf(sb, " S2CR%u", st->sid);
                break;
            case QS_RESET:
            case QS_POWER_OFF:
                sb_puts(sb, qs_kind_name(st->kind));
                sb_putc(sb, ' ');
                html_escape(sb, st->provider->path);
                sb_puts(sb, " &lt;");
                for (uint32_t k = 0; k < st->ncells; k++)
                    sb_printf(sb, "%s0x%x", k ? " " : "", q->cells.v[st->first_cell + k]);
                sb_puts(sb, "&gt;, held by ");
                if (st->holder == QS_HOLDER_HYP)
                    sb_puts(sb, "the hypervisor");
                else if (st->holder == QS_HOLDER_NOBODY)
                    sb_puts(sb, "no one");
                else
                    html_escape(sb, p->guests[st->holder].g->name);
                break;
            case QS_HAZARD:
                sb_puts(sb, "<b>not stoppable</b>: no SMMU stream, no reset line, no power domain "
                            "(dma-reset)");
                break;
            case QS_SCRUB:
                sb_puts(sb, "scrub the guest's RAM, then restart it");
                break;
            }
            sb_puts(sb, "</td></tr>\n");
        }
        sb_puts(sb, "</table>\n");
    }
}

int emit_report(struct dtpass_ctx *ctx)
{
    const struct system *sys = &ctx->sys;
    span_vec phys = {0};
    struct strbuf sb;
    sb_init(&sb);

    for (size_t i = 0; i < sys->hyp_memory.n; i++)
        add_span(&phys, sys->hyp_memory.v[i].base, sys->hyp_memory.v[i].size,
                 sys->hyp_memory.v[i].base, "hypervisor", HV_COLOR, "hypervisor memory");
    for (size_t i = 0; i < sys->hyp_devices.n; i++) {
        const struct board_node *n = sys->hyp_devices.v[i].node;
        for (uint32_t r = 0; n && r < n->nmmio; r++)
            add_span(&phys, n->mmio[r].base, n->mmio[r].size, n->mmio[r].base, "hypervisor",
                     HV_COLOR, n->path);
    }
    for (size_t i = 0; i < sys->shared.n; i++)
        add_span(&phys, sys->shared.v[i].base, sys->shared.v[i].size, sys->shared.v[i].base,
                 "shared", SHM_COLOR, sys->shared.v[i].name);
    for (size_t g = 0; g < sys->guests.n; g++) {
        const struct sys_guest *gu = &sys->guests.v[g];
        for (size_t m = 0; m < gu->memory.n; m++)
            add_span(&phys, gu->memory.v[m].base, gu->memory.v[m].size, gu->memory.v[m].base,
                     gu->name, (int)g, "RAM");
        for (size_t d = 0; d < gu->devices.n; d++)
            for (size_t r = 0; r < gu->devices.v[d].regs.n; r++) {
                const struct res_reg *rr = &gu->devices.v[d].regs.v[r];
                add_span(&phys, rr->pa, rr->size, rr->pa, gu->name, (int)g,
                         gu->devices.v[d].ref.node ? gu->devices.v[d].ref.node->path
                                                   : gu->devices.v[d].ref.text);
            }
    }
    if (phys.n)
        qsort(phys.v, phys.n, sizeof(*phys.v), cmp_span);
    mark_conflicts(phys.v, phys.n);

    sb_puts(&sb, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>dtpass report</title>\n"
                 "<style>body{font-family:sans-serif;margin:2em}svg text{font-size:11px;"
                 "font-family:monospace}svg .addr{text-anchor:end}svg .gap{font-size:14px}"
                 "table{border-collapse:collapse;margin-bottom:2em}td,th{border:1px solid #ccc;"
                 "padding:2px 8px;font-family:monospace;font-size:12px}th{background:#eee}"
                 ".sw{display:inline-block;width:12px;height:12px;margin-right:4px}</style>\n"
                 "</head><body>\n<h1>dtpass report: ");
    html_escape(&sb, sys->file ? sys->file : "system");
    sb_puts(&sb, "</h1>\n<p>Board: ");
    html_escape(&sb, ctx->board.file ? ctx->board.file : "?");
    sb_printf(&sb, "; ipa-bits %u, pa-bits %u. Owners: ", sys->ipa_bits, sys->pa_bits);
    for (size_t g = 0; g < sys->guests.n; g++) {
        sb_printf(&sb, "<span class=\"sw\" style=\"background:%s\"></span>",
                  palette[g % ARRAY_SIZE(palette)]);
        html_escape(&sb, sys->guests.v[g].name);
        sb_puts(&sb, " ");
    }
    sb_printf(&sb, "<span class=\"sw\" style=\"background:%s\"></span>hypervisor "
                   "<span class=\"sw\" style=\"background:%s\"></span>shared</p>\n",
              palette[HV_COLOR], palette[SHM_COLOR]);
    svg_map(&sb, "Physical memory map", phys.v, phys.n, false);

    for (size_t g = 0; g < sys->guests.n; g++) {
        const struct sys_guest *gu = &sys->guests.v[g];
        span_vec ipa = {0};
        for (size_t m = 0; m < gu->memory.n; m++)
            add_span(&ipa, gu->memory.v[m].base, gu->memory.v[m].size, gu->memory.v[m].ipa,
                     gu->name, (int)g, "RAM");
        for (size_t s = 0; s < sys->shared.n; s++)
            for (size_t p = 0; p < sys->shared.v[s].peers.n; p++) {
                const struct sys_peer *pe = &sys->shared.v[s].peers.v[p];
                if (pe->guest_index == (int)g)
                    add_span(&ipa, sys->shared.v[s].base, sys->shared.v[s].size,
                             pe->has_ipa ? pe->ipa : sys->shared.v[s].base,
                             pe->access == SHM_RO ? "shared (ro)" : "shared (rw)", SHM_COLOR,
                             sys->shared.v[s].name);
            }
        for (size_t d = 0; d < gu->devices.n; d++)
            for (size_t r = 0; r < gu->devices.v[d].regs.n; r++) {
                const struct res_reg *rr = &gu->devices.v[d].regs.v[r];
                add_span(&ipa, rr->pa, rr->size, rr->ipa, "device", (int)g,
                         gu->devices.v[d].ref.node ? gu->devices.v[d].ref.node->path
                                                   : gu->devices.v[d].ref.text);
            }
        if (ipa.n)
            qsort(ipa.v, ipa.n, sizeof(*ipa.v), cmp_span_ipa);
        char *title = xasprintf("Guest %s (VMID %u, %zu vCPU%s): IPA map", gu->name, gu->vmid,
                                gu->cpus.n, gu->cpus.n == 1 ? "" : "s");
        svg_map(&sb, title, ipa.v, ipa.n, true);
        free(title);
        VEC_FREE(&ipa);
    }

    sb_puts(&sb, "<h2>Devices</h2>\n<table><tr><th>guest</th><th>device</th><th>PA</th>"
                 "<th>IPA</th><th>size</th><th>DMA</th></tr>\n");
    for (size_t g = 0; g < sys->guests.n; g++)
        for (size_t d = 0; d < sys->guests.v[g].devices.n; d++) {
            const struct sys_device *dev = &sys->guests.v[g].devices.v[d];
            for (size_t r = 0; r < dev->regs.n || r == 0; r++) {
                sb_puts(&sb, "<tr><td>");
                html_escape(&sb, sys->guests.v[g].name);
                sb_puts(&sb, "</td><td>");
                html_escape(&sb, dev->ref.node ? dev->ref.node->path : dev->ref.text);
                if (r < dev->regs.n)
                    sb_printf(&sb, "</td><td>0x%llx</td><td>0x%llx</td><td>0x%llx",
                              (unsigned long long)dev->regs.v[r].pa,
                              (unsigned long long)dev->regs.v[r].ipa,
                              (unsigned long long)dev->regs.v[r].size);
                else
                    sb_puts(&sb, "</td><td></td><td></td><td>");
                sb_puts(&sb, "</td><td>");
                if (dev->is_dma)
                    html_escape(&sb, dev->dma_reason ? dev->dma_reason : "yes");
                sb_puts(&sb, "</td></tr>\n");
                if (!dev->regs.n)
                    break;
            }
        }
    sb_puts(&sb, "</table>\n<h2>Interrupts</h2>\n<table><tr><th>guest</th><th>device</th>"
                 "<th>physical INTID</th><th>virtual INTID</th><th>flags</th></tr>\n");
    for (size_t g = 0; g < sys->guests.n; g++) {
        for (size_t d = 0; d < sys->guests.v[g].devices.n; d++) {
            const struct sys_device *dev = &sys->guests.v[g].devices.v[d];
            for (size_t i = 0; i < dev->rirqs.n; i++) {
                sb_puts(&sb, "<tr><td>");
                html_escape(&sb, sys->guests.v[g].name);
                sb_puts(&sb, "</td><td>");
                html_escape(&sb, dev->ref.node ? dev->ref.node->path : dev->ref.text);
                sb_printf(&sb, "</td><td>%u</td><td>%u</td><td>0x%x</td></tr>\n",
                          dev->rirqs.v[i].pintid, dev->rirqs.v[i].vintid, dev->rirqs.v[i].flags);
            }
        }
        for (size_t s = 0; s < sys->shared.n; s++)
            for (size_t p = 0; p < sys->shared.v[s].peers.n; p++) {
                const struct sys_peer *pe = &sys->shared.v[s].peers.v[p];
                if (pe->guest_index != (int)g || !pe->has_doorbell)
                    continue;
                sb_puts(&sb, "<tr><td>");
                html_escape(&sb, sys->guests.v[g].name);
                sb_puts(&sb, "</td><td>doorbell ");
                html_escape(&sb, sys->shared.v[s].name);
                sb_printf(&sb, "</td><td>(virtual)</td><td>%u</td><td>0x4</td></tr>\n",
                          pe->doorbell + 32);
            }
    }
    sb_puts(&sb, "</table>\n<h2>Stream IDs</h2>\n<table><tr><th>guest</th><th>device</th>"
                 "<th>SMMU</th><th>SID</th><th>mask</th><th>count</th></tr>\n");
    for (size_t g = 0; g < sys->guests.n; g++)
        for (size_t d = 0; d < sys->guests.v[g].devices.n; d++) {
            const struct sys_device *dev = &sys->guests.v[g].devices.v[d];
            for (size_t i = 0; i < dev->rsids.n; i++) {
                const struct res_sid *rs = &dev->rsids.v[i];
                sb_puts(&sb, "<tr><td>");
                html_escape(&sb, sys->guests.v[g].name);
                sb_puts(&sb, "</td><td>");
                html_escape(&sb, dev->ref.node ? dev->ref.node->path : dev->ref.text);
                sb_puts(&sb, "</td><td>");
                html_escape(&sb, rs->smmu && rs->smmu->name ? rs->smmu->name : "?");
                sb_printf(&sb, "</td><td>0x%x</td><td>0x%x</td><td>%u</td></tr>\n", rs->sid,
                          rs->mask, rs->count);
            }
        }
    sb_puts(&sb, "</table>\n");
    quiesce_tables(&sb, ctx);
    sb_puts(&sb, "</body></html>\n");

    int rc = emit_file(ctx, "report.html", sb.s, sb.len);
    sb_free(&sb);
    VEC_FREE(&phys);
    return rc;
}
