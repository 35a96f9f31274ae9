/* board/describe.c — `dtpass board FILE [--json]`: what the board offers,
 * to write a system from. Text for people; one JSON document for tools,
 * whose shape is documented in docs/board-json.md and kept stable (new
 * keys may be added; none is renamed or removed). Output depends only on
 * the board: nodes in blob order, no hash-map iteration. */
#include <string.h>

#include "board/internal.h"

static const char *hex(char *buf, size_t n, uint64_t v)
{
    snprintf(buf, n, "0x%llx", (unsigned long long)v);
    return buf;
}

/* Nodes listed as devices: anything with MMIO, interrupts or stream IDs,
 * except RAM and reserved memory (listed on their own). */
static bool is_device(const struct board *b, const struct board_node *n)
{
    if (!n->nmmio && !n->nirqs && !n->nsids && !n->defect)
        return false;
    const struct board_node *top = n;
    while (top->parent && top->parent != b->root)
        top = top->parent;
    const char *dt = board_prop_str(n, "device_type");
    if (dt && !strcmp(dt, "memory") && n->parent == b->root)
        return false;
    return strcmp(top->name, "reserved-memory") != 0;
}

bool board_memory_node(const struct board *b, const struct board_node *n)
{
    if (n == b->root)
        return true;
    if (!strncmp(n->name, "memory", 6) && (n->name[6] == '\0' || n->name[6] == '@'))
        return true;
    struct board_prop dt = board_prop(n, "device_type");
    if (dt.name && dt.len >= 6 && !memcmp(dt.val, "memory", 6))
        return true;
    for (const struct board_node *p = n->parent; p; p = p->parent)
        if (!strcmp(p->name, "reserved-memory") || !strcmp(p->name, "cpus"))
            return true;
    return false;
}

static const char *irq_kind(const struct board_irq *q)
{
    if (!q->gic)
        return "other";
    if (q->intid < 16)
        return "sgi";
    if (q->intid < 32)
        return "ppi";
    if (q->intid < 1020)
        return "spi";
    if (q->intid >= 1056 && q->intid < 1120)
        return "eppi";
    return "espi";
}

static const char *trigger(uint32_t flags)
{
    switch (flags & 0xf) {
    case 1: return "edge-rising";
    case 2: return "edge-falling";
    case 3: return "edge-both";
    case 4: return "level-high";
    case 8: return "level-low";
    default: return "none";
    }
}

/* ---- JSON ---- */

static void json_range(struct strbuf *sb, const struct board_range *r)
{
    sb_printf(sb, "{\"base\": \"0x%llx\", \"size\": \"0x%llx\"}", (unsigned long long)r->base,
              (unsigned long long)r->size);
}

static void json_ranges(struct strbuf *sb, const struct board_range *r, uint32_t n)
{
    sb_puts(sb, "[");
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            sb_puts(sb, ", ");
        json_range(sb, &r[i]);
    }
    sb_puts(sb, "]");
}

static void json_str_or_null(struct strbuf *sb, const char *s)
{
    if (s)
        sb_json_str(sb, s);
    else
        sb_puts(sb, "null");
}

static void json_compat(struct strbuf *sb, const struct board_node *n)
{
    struct board_prop p = board_prop(n, "compatible");
    sb_puts(sb, "[");
    if (p.name && n->compatible) {
        const char *v = (const char *)p.val, *end = v + p.len;
        for (bool first = true; v < end; v += strlen(v) + 1, first = false) {
            if (!first)
                sb_puts(sb, ", ");
            sb_json_str(sb, v);
        }
    }
    sb_puts(sb, "]");
}

static void describe_json(const struct board *b, FILE *out)
{
    struct strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, "{\n  \"dtpass_board\": 1,\n  \"board\": ");
    sb_json_str(&sb, b->file ? b->file : "");
    sb_printf(&sb, ",\n  \"format\": \"%s\",\n  \"model\": ", b->from_dts ? "dts" : "dtb");
    json_str_or_null(&sb, b->model);
    sb_puts(&sb, ",\n  \"compatible\": ");
    json_compat(&sb, b->root);
    sb_printf(&sb, ",\n  \"nodes\": %u", b->nnodes);

    sb_puts(&sb, ",\n  \"cpus\": [");
    for (uint32_t i = 0; i < b->ncpus; i++) {
        const struct board_cpu *cpu = &b->cpus[i];
        sb_printf(&sb, "%s\n    {\"index\": %u, \"mpidr\": \"0x%llx\", \"path\": ", i ? "," : "", i,
                  (unsigned long long)cpu->mpidr);
        sb_json_str(&sb, cpu->node->path);
        sb_puts(&sb, ", \"compatible\": ");
        json_str_or_null(&sb, cpu->node->compatible);
        sb_printf(&sb, ", \"status\": \"%s\"}", cpu->node->disabled ? "disabled" : "okay");
    }
    sb_puts(&sb, b->ncpus ? "\n  ]" : "]");
    sb_puts(&sb, ",\n  \"ram\": ");
    json_ranges(&sb, b->ram, b->nram);
    sb_puts(&sb, ",\n  \"reserved_nomap\": ");
    json_ranges(&sb, b->nomap, b->nnomap);
    sb_puts(&sb, ",\n  \"memreserve\": ");
    json_ranges(&sb, b->memrsv, b->nmemrsv);
    /* Every /reserved-memory region, mapped or not: what firmware and
     * drivers claim, to keep guests out of. */
    sb_puts(&sb, ",\n  \"reserved\": [");
    const struct board_node *rm = board_lookup(b, "/reserved-memory");
    bool rfirst = true;
    for (const struct board_node *r = rm ? rm->first_child : NULL; r; r = r->next_sibling)
        for (uint32_t k = 0; k < r->nmmio; k++) {
            sb_puts(&sb, rfirst ? "\n    {\"path\": " : ",\n    {\"path\": ");
            rfirst = false;
            sb_json_str(&sb, r->path);
            sb_printf(&sb, ", \"base\": \"0x%llx\", \"size\": \"0x%llx\", \"no_map\": %s, \"status\": \"%s\"}",
                      (unsigned long long)r->mmio[k].base, (unsigned long long)r->mmio[k].size,
                      board_has_prop(r, "no-map") ? "true" : "false", r->disabled ? "disabled" : "okay");
        }
    sb_puts(&sb, rfirst ? "]" : "\n  ]");
    sb_puts(&sb, ",\n  \"gic\": ");
    if (b->gic.node) {
        sb_puts(&sb, "{\"path\": ");
        sb_json_str(&sb, b->gic.node->path);
        sb_printf(&sb, ", \"version\": %d, \"mmio\": ", b->gic.version);
        json_ranges(&sb, b->gic.node->mmio, b->gic.node->nmmio);
        sb_puts(&sb, "}");
    } else {
        sb_puts(&sb, "null");
    }
    sb_puts(&sb, ",\n  \"timer\": ");
    json_str_or_null(&sb, b->timer ? b->timer->path : NULL);

    sb_puts(&sb, ",\n  \"smmus\": [");
    for (uint32_t i = 0; i < b->nsmmus; i++) {
        const struct board_smmu *s = &b->smmus[i];
        sb_printf(&sb, "%s\n    {\"path\": ", i ? "," : "");
        sb_json_str(&sb, s->node->path);
        sb_puts(&sb, ", \"name\": ");
        sb_json_str(&sb, s->name);
        sb_printf(&sb, ", \"version\": %d, \"iommu_cells\": %u, \"mmio\": ", (int)s->version, s->iommu_cells);
        json_ranges(&sb, s->node->mmio, s->node->nmmio);
        sb_printf(&sb, ", \"status\": \"%s\"}", s->node->disabled ? "disabled" : "okay");
    }
    sb_puts(&sb, b->nsmmus ? "\n  ]" : "]");

    sb_puts(&sb, ",\n  \"devices\": [");
    bool first = true;
    for (uint32_t i = 0; i < b->nnodes; i++) {
        const struct board_node *n = b->nodes[i];
        if (!is_device(b, n))
            continue;
        sb_puts(&sb, first ? "\n    {\"path\": " : ",\n    {\"path\": ");
        first = false;
        sb_json_str(&sb, n->path);
        sb_puts(&sb, ", \"compatible\": ");
        json_compat(&sb, n);
        sb_puts(&sb, ", \"label\": ");
        json_str_or_null(&sb, board_node_label(n));
        sb_printf(&sb, ", \"status\": \"%s\"", n->disabled ? "disabled" : "okay");
        sb_puts(&sb, ", \"defect\": ");
        json_str_or_null(&sb, n->defect);
        sb_puts(&sb, ",\n     \"mmio\": ");
        json_ranges(&sb, n->mmio, n->nmmio);
        sb_puts(&sb, ",\n     \"irqs\": [");
        for (uint32_t k = 0; k < n->nirqs; k++) {
            const struct board_irq *q = &n->irqs[k];
            sb_printf(&sb, "%s{\"intid\": %u, \"type\": \"%s\", \"flags\": %u, \"trigger\": \"%s\", \"gic\": %s, "
                           "\"parent\": ",
                      k ? ", " : "", q->intid, irq_kind(q), q->flags, q->gic ? trigger(q->flags) : "none",
                      q->gic ? "true" : "false");
            json_str_or_null(&sb, q->parent ? q->parent->path : NULL);
            sb_puts(&sb, "}");
        }
        sb_puts(&sb, "],\n     \"stream_ids\": [");
        for (uint32_t k = 0; k < n->nsids; k++) {
            const struct board_sid *s = &n->sids[k];
            const struct board_smmu *sm = board_smmu_of(b, s->smmu);
            sb_printf(&sb, "%s{\"smmu\": ", k ? ", " : "");
            sb_json_str(&sb, sm ? sm->name : s->smmu->path);
            sb_puts(&sb, ", \"smmu_path\": ");
            sb_json_str(&sb, s->smmu->path);
            sb_printf(&sb, ", \"sid\": \"0x%x\", \"mask\": \"0x%x\", \"count\": %u", s->sid, s->mask, s->count);
            if (s->from_map)
                sb_printf(&sb, ", \"rid_base\": \"0x%x\", \"rid_mask\": \"0x%x\"", s->rid_base, s->map_mask);
            sb_puts(&sb, "}");
        }
        sb_printf(&sb, "],\n     \"dma\": {\"master\": %s, \"reason\": ", n->dma_master ? "true" : "false");
        json_str_or_null(&sb, n->dma_reason);
        sb_printf(&sb, "}, \"has_resets\": %s, \"has_power_domains\": %s", n->has_resets ? "true" : "false",
                  n->has_power_domains ? "true" : "false");
        if (n->pci_host)
            sb_puts(&sb, ", \"pci_host\": true");
        if (n->interrupt_controller)
            sb_puts(&sb, ", \"interrupt_controller\": true");
        sb_puts(&sb, ",\n     \"deps\": [");
        for (uint32_t k = 0; k < n->ndeps; k++) {
            sb_puts(&sb, k ? ", {\"prop\": " : "{\"prop\": ");
            sb_json_str(&sb, n->deps[k].prop);
            sb_puts(&sb, ", \"provider\": ");
            sb_json_str(&sb, board_dep_provider(n, &n->deps[k])->path);
            sb_printf(&sb, ", \"resource_free\": %s}", board_dep_provider(n, &n->deps[k])->resource_free ? "true" : "false");
        }
        sb_puts(&sb, "]}");
        if (sb.len > (1u << 20)) { /* keep memory flat on 100k-node boards */
            fwrite(sb.s, 1, sb.len, out);
            sb.len = 0;
            sb.s[0] = '\0';
        }
    }
    sb_puts(&sb, first ? "]\n}\n" : "\n  ]\n}\n");
    fwrite(sb.s, 1, sb.len, out);
    sb_free(&sb);
}

/* ---- text ---- */

static void text_ranges(FILE *out, const struct board_range *r, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        char sz[32];
        format_size(sz, sizeof(sz), r[i].size);
        fprintf(out, "%s0x%llx+%s", i ? ", " : "", (unsigned long long)r[i].base, sz);
    }
}

static void describe_text(const struct board *b, FILE *out)
{
    char buf[32];
    fprintf(out, "board: %s (%s, %u nodes)\n", b->file ? b->file : "", b->from_dts ? "dts" : "dtb", b->nnodes);
    if (b->model)
        fprintf(out, "model: %s\n", b->model);
    if (b->root->compatible)
        fprintf(out, "compatible: %s\n", b->root->compatible);
    fprintf(out, "cpus: %u\n", b->ncpus);
    for (uint32_t i = 0; i < b->ncpus; i++)
        fprintf(out, "  %-3u mpidr %-10s %s%s\n", i, hex(buf, sizeof(buf), b->cpus[i].mpidr), b->cpus[i].node->path,
                b->cpus[i].node->disabled ? " (disabled)" : "");
    fprintf(out, "ram: ");
    text_ranges(out, b->ram, b->nram);
    fprintf(out, b->nram ? "\n" : "none\n");
    if (b->nnomap) {
        fprintf(out, "reserved (no-map): ");
        text_ranges(out, b->nomap, b->nnomap);
        fprintf(out, "\n");
    }
    if (b->nmemrsv) {
        fprintf(out, "memreserve: ");
        text_ranges(out, b->memrsv, b->nmemrsv);
        fprintf(out, "\n");
    }
    if (b->gic.node)
        fprintf(out, "gic: %s (GICv%d)\n", b->gic.node->path, b->gic.version);
    else
        fprintf(out, "gic: none\n");
    if (b->timer)
        fprintf(out, "timer: %s\n", b->timer->path);
    fprintf(out, "smmus: %u\n", b->nsmmus);
    for (uint32_t i = 0; i < b->nsmmus; i++)
        fprintf(out, "  %-20s SMMUv%d  #iommu-cells %u  %s%s\n", b->smmus[i].name, (int)b->smmus[i].version,
                b->smmus[i].iommu_cells, b->smmus[i].node->path, b->smmus[i].node->disabled ? " (disabled)" : "");
    fprintf(out, "devices:\n");
    for (uint32_t i = 0; i < b->nnodes; i++) {
        const struct board_node *n = b->nodes[i];
        if (!is_device(b, n))
            continue;
        fprintf(out, "  %s", n->path);
        if (board_node_label(n))
            fprintf(out, " (&%s)", board_node_label(n));
        if (n->compatible)
            fprintf(out, "  %s", n->compatible);
        if (n->disabled)
            fprintf(out, "  [disabled]");
        fprintf(out, "\n");
        if (n->nmmio) {
            fprintf(out, "    mmio: ");
            text_ranges(out, n->mmio, n->nmmio);
            fprintf(out, "\n");
        }
        if (n->nirqs) {
            fprintf(out, "    irqs:");
            for (uint32_t k = 0; k < n->nirqs; k++) {
                const struct board_irq *q = &n->irqs[k];
                if (q->gic)
                    fprintf(out, " %u(%s,%s)", q->intid, irq_kind(q), trigger(q->flags));
                else
                    fprintf(out, " %s:%u", q->parent ? q->parent->path : "?", q->intid);
            }
            fprintf(out, "\n");
        }
        if (n->nsids) {
            fprintf(out, "    stream-ids:");
            for (uint32_t k = 0; k < n->nsids; k++) {
                const struct board_sid *s = &n->sids[k];
                const struct board_smmu *sm = board_smmu_of(b, s->smmu);
                fprintf(out, " %s:0x%x", sm ? sm->name : s->smmu->path, s->sid);
                if (s->mask)
                    fprintf(out, "/mask 0x%x", s->mask);
                if (s->from_map)
                    fprintf(out, "(+%u for RID 0x%x)", s->count, s->rid_base);
            }
            fprintf(out, "\n");
        }
        if (n->defect)
            fprintf(out, "    defect: %s\n", n->defect);
        if (n->dma_master)
            fprintf(out, "    dma master: %s\n", n->dma_reason);
        if (n->ndeps) {
            fprintf(out, "    deps:");
            for (uint32_t k = 0; k < n->ndeps; k++)
                fprintf(out, " %s=%s%s", n->deps[k].prop, board_dep_provider(n, &n->deps[k])->path,
                        board_dep_provider(n, &n->deps[k])->resource_free ? "(free)" : "");
            fprintf(out, "\n");
        }
    }
}

void board_describe(const struct board *b, FILE *out, bool json)
{
    if (json)
        describe_json(b, out);
    else
        describe_text(b, out);
}
