/* desk/groups.c — `dtpass board FILE --groups [--json]`: the assignable
 * units of checks/units.c, as text for people and as one JSON document for
 * tools (docs/board-json.md, schemas/board-groups.schema.json). Output
 * depends only on the board: units in board order of their first device. */
#include <inttypes.h>
#include <string.h>

#include "desk/desk.h"

static const char *const kind_name[] = {
    [UNIT_PAGE] = "page", [UNIT_IRQ] = "irq", [UNIT_SID] = "stream-id", [UNIT_PCI] = "pci-rid",
};

/* The reason in words: "share the 4 KiB page 0x9000000". */
static void reason_text(struct strbuf *sb, const struct unit_reason *r)
{
    switch (r->kind) {
    case UNIT_PAGE:
        sb_printf(sb, "share the 4 KiB page 0x%" PRIx64, r->value);
        break;
    case UNIT_IRQ:
        sb_printf(sb, "share the interrupt line SPI %" PRIu64 " (INTID %" PRIu64 ")", r->value - 32,
                  r->value);
        break;
    case UNIT_SID:
        sb_printf(sb, "match stream ID 0x%" PRIx64 " on %s", r->value, r->where->path);
        break;
    case UNIT_PCI:
        sb_printf(sb, "have requester IDs that iommu-map-mask of %s folds to 0x%" PRIx64,
                  r->where->path, r->value);
        break;
    }
}

const char *unit_protection(const struct unit *u, char *buf, size_t len)
{
    if (!u->smmu && !u->reset && !u->power_domain)
        return "nothing can stop its DMA";
    snprintf(buf, len, "stoppable by%s%s%s", u->smmu ? " SMMU stream" : "",
             u->reset ? (u->smmu ? ", reset" : " reset") : "",
             u->power_domain ? (u->smmu || u->reset ? ", power domain" : " power domain") : "");
    return buf;
}

void unit_describe(struct strbuf *sb, const struct unit *u, const char *indent)
{
    char buf[96];
    if (u->hypervisor)
        sb_printf(sb, "%skept by the hypervisor: it shares hardware with the GIC or an SMMU\n",
                  indent);
    if (u->dma)
        sb_printf(sb, "%sDMA master, %s\n", indent, unit_protection(u, buf, sizeof(buf)));
    for (size_t k = 0; k < u->why.n; k++) {
        const struct unit_reason *r = &u->why.v[k];
        sb_printf(sb, "%stogether: %s and %s ", indent, r->x->path, r->y->path);
        reason_text(sb, r);
        sb_puts(sb, "\n");
    }
    for (size_t k = 0; k < u->needs.n; k++) {
        const struct unit_need *nd = &u->needs.v[k];
        sb_printf(sb, "%sneeds: %s (%s of %s): ", indent, nd->node->path, nd->prop, nd->from->path);
        if (nd->unit != UINT32_MAX)
            sb_printf(sb, "give unit %" PRIu32 " to the same guest, or drop %s\n", nd->unit,
                      nd->prop);
        else
            sb_printf(sb, "it is no assignable unit: drop %s\n", nd->prop);
    }
    for (size_t k = 0; k < u->comes.n; k++)
        sb_printf(sb, "%scomes along: %s (%s of %s)\n", indent, u->comes.v[k].node->path,
                  u->comes.v[k].prop, u->comes.v[k].from->path);
}

static void json_needs(struct strbuf *sb, const char *key, const struct unit_need *v, size_t n)
{
    sb_printf(sb, ", \"%s\": [", key);
    for (size_t k = 0; k < n; k++) {
        sb_puts(sb, k ? ", {\"node\": " : "{\"node\": ");
        sb_json_str(sb, v[k].node->path);
        sb_puts(sb, ", \"from\": ");
        sb_json_str(sb, v[k].from->path);
        sb_puts(sb, ", \"property\": ");
        sb_json_str(sb, v[k].prop);
        if (v[k].unit != UINT32_MAX)
            sb_printf(sb, ", \"unit\": %" PRIu32 "}", v[k].unit);
        else
            sb_puts(sb, ", \"unit\": null}");
    }
    sb_puts(sb, "]");
}

static void groups_json(const struct board *b, const struct units *us, struct strbuf *sb)
{
    sb_puts(sb, "{\n  \"dtpass_board_groups\": 1,\n  \"board\": ");
    sb_json_str(sb, b->file ? b->file : "");
    sb_puts(sb, ",\n  \"units\": [");
    for (size_t i = 0; i < us->n; i++) {
        const struct unit *u = &us->v[i];
        sb_printf(sb, "%s\n    {\"id\": %" PRIu32 ", \"devices\": [", i ? "," : "", u->id);
        for (size_t k = 0; k < u->devices.n; k++) {
            if (k)
                sb_puts(sb, ", ");
            sb_json_str(sb, u->devices.v[k]->path);
        }
        sb_printf(sb, "], \"hypervisor\": %s, \"dma\": %s, \"stoppable\": "
                      "{\"smmu\": %s, \"reset\": %s, \"power_domain\": %s}, \"together\": [",
                  u->hypervisor ? "true" : "false", u->dma ? "true" : "false",
                  u->smmu ? "true" : "false", u->reset ? "true" : "false",
                  u->power_domain ? "true" : "false");
        for (size_t k = 0; k < u->why.n; k++) {
            const struct unit_reason *r = &u->why.v[k];
            sb_printf(sb, "%s{\"kind\": \"%s\", \"value\": \"0x%" PRIx64 "\", \"devices\": [",
                      k ? ", " : "", kind_name[r->kind], r->value);
            sb_json_str(sb, r->x->path);
            sb_puts(sb, ", ");
            sb_json_str(sb, r->y->path);
            sb_puts(sb, "], \"where\": ");
            if (r->where)
                sb_json_str(sb, r->where->path);
            else
                sb_puts(sb, "null");
            sb_puts(sb, "}");
        }
        sb_puts(sb, "]");
        json_needs(sb, "needs", u->needs.v, u->needs.n);
        json_needs(sb, "comes_along", u->comes.v, u->comes.n);
        sb_puts(sb, "}");
    }
    sb_puts(sb, us->n ? "\n  ]\n}\n" : "]\n}\n");
}

static void groups_text(const struct board *b, const struct units *us, struct strbuf *sb)
{
    size_t hyp = 0;
    for (size_t i = 0; i < us->n; i++)
        hyp += us->v[i].hypervisor;
    sb_printf(sb, "%s: %zu assignable units", b->file ? b->file : "board", us->n - hyp);
    if (hyp)
        sb_printf(sb, ", %zu kept by the hypervisor", hyp);
    sb_puts(sb, "\n");
    for (size_t i = 0; i < us->n; i++) {
        const struct unit *u = &us->v[i];
        sb_printf(sb, "\nunit %" PRIu32 ":", u->id);
        for (size_t k = 0; k < u->devices.n; k++)
            sb_printf(sb, " %s", u->devices.v[k]->path);
        sb_puts(sb, "\n");
        unit_describe(sb, u, "  ");
    }
}

void desk_groups(const struct board *b, FILE *out, bool json)
{
    struct units us;
    board_units(b, &us);
    struct strbuf sb;
    sb_init(&sb);
    if (json)
        groups_json(b, &us, &sb);
    else
        groups_text(b, &us, &sb);
    fwrite(sb.s, 1, sb.len, out);
    sb_free(&sb);
    units_free(&us);
}
