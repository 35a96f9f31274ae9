/* diag/render.c — the three faces of the findings: gcc-style text with the
 * source line and a caret, one JSON document (docs/diagnostics.md), and
 * SARIF 2.1.0 for code-scanning services. */
#include <string.h>

#include "diag/diag.h"

#ifndef DTPASS_DOCS_URL
#define DTPASS_DOCS_URL "https://dtpass.dev/docs/checks.md"
#endif
#define TOOL_VERSION "0.1.0"

static const char *sev_name(enum severity s)
{
    switch (s) {
    case SEV_ERROR: return "error";
    case SEV_WARNING: return "warning";
    case SEV_NOTE: return "note";
    default: return "none";
    }
}

/* ---- text ---- */

static const char *sev_color(enum severity s)
{
    switch (s) {
    case SEV_ERROR: return "\033[1;31m";
    case SEV_WARNING: return "\033[1;35m";
    default: return "\033[1;36m";
    }
}

/* The start of every line of each quoted source, built the first time a
 * finding quotes that file: 100k findings in a 4 MiB file cost one pass
 * over it, not one pass per finding. */
struct line_index {
    const char *text;
    VEC(uint32_t) starts; /* offset of line l + 1 at index l */
};

struct quoter {
    const struct diag_sink *s;
    struct strmap files; /* file name -> struct line_index */
};

static void quoter_free(struct quoter *q)
{
    for (size_t i = 0; i < q->files.cap; i++)
        if (q->files.slots[i].key) {
            struct line_index *li = q->files.slots[i].val;
            VEC_FREE(&li->starts);
            free(li);
        }
    strmap_free(&q->files);
}

/* Line `line` (1-based) of a source: its start and length, or NULL. */
static const char *source_line(struct quoter *q, const char *file, uint32_t line, size_t *len)
{
    struct line_index *li = strmap_get(&q->files, file);
    if (!li) {
        const char *text = strmap_get(&q->s->sources, file);
        if (!text)
            return NULL;
        li = xcalloc(1, sizeof(*li));
        li->text = text;
        VEC_PUSH(&li->starts, 0);
        for (const char *p = text; (p = strchr(p, '\n')) != NULL && p[1]; p++)
            VEC_PUSH(&li->starts, (uint32_t)(p + 1 - text));
        strmap_put(&q->files, file, li);
    }
    if (line == 0 || line > li->starts.n)
        return NULL;
    const char *p = li->text + li->starts.v[line - 1];
    const char *e = strchr(p, '\n');
    *len = e ? (size_t)(e - p) : strlen(p);
    return p;
}

static void put_pos(FILE *out, struct srcpos pos, bool color)
{
    if (!pos.file)
        fputs("dtpass", out);
    else if (!pos.line)
        fputs(pos.file, out);
    else if (!pos.col)
        fprintf(out, "%s:%u", pos.file, pos.line);
    else
        fprintf(out, "%s:%u:%u", pos.file, pos.line, pos.col);
    fputs(color ? ":\033[0m " : ": ", out);
}

/* A quoted line is cut to this many bytes (at a character boundary). */
#define QUOTE_MAX 240

static void put_quote(struct quoter *q, FILE *out, struct srcpos pos, bool color)
{
    if (!pos.file || !pos.line)
        return;
    size_t len;
    const char *line = source_line(q, pos.file, pos.line, &len);
    if (!line)
        return;
    size_t shown = len;
    if (shown > QUOTE_MAX) {
        shown = QUOTE_MAX;
        while (shown > 0 && ((unsigned char)line[shown] & 0xc0) == 0x80)
            shown--;
    }
    fprintf(out, "%5u | %.*s%s\n      | ", pos.line, (int)shown, line, shown < len ? " ..." : "");
    len = shown;
    /* Columns count characters: one pad per UTF-8 character (continuation
     * bytes 10xxxxxx add none), a tab for a tab so the caret lines up. */
    uint32_t c = 1;
    if (!pos.col) { /* a line without a column (a DTS node): its first word */
        uint32_t lead = 0;
        while (lead < len && (line[lead] == ' ' || line[lead] == '\t'))
            lead++;
        pos.col = lead + 1;
    }
    for (size_t b = 0; c < pos.col && b < len; b++) {
        unsigned char ch = (unsigned char)line[b];
        if ((ch & 0xc0) == 0x80)
            continue;
        fputc(ch == '\t' ? '\t' : ' ', out);
        c++;
    }
    fputs(color ? "\033[1;32m^\033[0m\n" : "^\n", out);
}

void diag_render_text(const struct diag_sink *s, FILE *out, bool color)
{
    struct quoter q = {.s = s};
    strmap_init(&q.files);
    for (size_t i = 0; i < s->diags.n; i++) {
        const struct diag *d = s->diags.v[i];
        if (s->quiet && d->sev != SEV_ERROR)
            continue;
        if (color)
            fputs("\033[1m", out);
        put_pos(out, d->pos, color);
        if (color)
            fprintf(out, "%s%s:\033[0m ", sev_color(d->sev), sev_name(d->sev));
        else
            fprintf(out, "%s: ", sev_name(d->sev));
        fputs(d->msg, out);
        if (d->check)
            fprintf(out, " [%s]", d->check);
        fputc('\n', out);
        put_quote(&q, out, d->pos, color);
        for (size_t n = 0; n < d->nodes.n; n++) {
            /* A node that a positioned note names (its DTS line) needs no
             * line of its own. */
            bool shown = false;
            for (size_t k = 0; k < d->notes.n && !shown; k++)
                shown = d->notes.v[k].pos.file && d->notes.v[k].node &&
                        !strcmp(d->notes.v[k].node, d->nodes.v[n]);
            if (!shown)
                fprintf(out, "%snote:%s board node %s\n", color ? "\033[1;36m" : "",
                        color ? "\033[0m" : "", d->nodes.v[n]);
        }
        for (size_t n = 0; n < d->notes.n; n++) {
            const struct diag_note *no = &d->notes.v[n];
            if (no->pos.file) {
                if (color)
                    fputs("\033[1m", out);
                put_pos(out, no->pos, color);
            }
            fprintf(out, "%snote:%s %s", color ? "\033[1;36m" : "", color ? "\033[0m" : "",
                    no->msg);
            if (no->node && !strstr(no->msg, no->node))
                fprintf(out, " (%s)", no->node);
            fputc('\n', out);
            put_quote(&q, out, no->pos, color);
        }
        if (d->fix)
            fprintf(out, "%sfix:%s %s\n", color ? "\033[1;32m" : "", color ? "\033[0m" : "",
                    d->fix);
    }
    if (s->nerrors + s->nfatal || (!s->quiet && s->nwarnings))
        fprintf(out, "%zu error%s, %zu warning%s\n", s->nerrors + s->nfatal,
                s->nerrors + s->nfatal == 1 ? "" : "s", s->nwarnings,
                s->nwarnings == 1 ? "" : "s");
    quoter_free(&q);
}

/* ---- JSON ---- */

static void json_pos(struct strbuf *sb, struct srcpos pos)
{
    sb_puts(sb, "{\"file\":");
    if (pos.file)
        sb_json_str(sb, pos.file);
    else
        sb_puts(sb, "null");
    sb_printf(sb, ",\"line\":%u,\"column\":%u}", pos.line, pos.col);
}

void diag_render_json(const struct diag_sink *s, FILE *out)
{
    struct strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, "{\"tool\":\"dtpass\",\"version\":\"" TOOL_VERSION "\",\"findings\":[");
    for (size_t i = 0; i < s->diags.n; i++) {
        const struct diag *d = s->diags.v[i];
        sb_puts(&sb, i ? ",\n{" : "\n{");
        sb_printf(&sb, "\"severity\":\"%s\",\"check\":", sev_name(d->sev));
        if (d->check)
            sb_json_str(&sb, d->check);
        else
            sb_puts(&sb, "null");
        sb_puts(&sb, ",\"message\":");
        sb_json_str(&sb, d->msg);
        sb_puts(&sb, ",\"location\":");
        json_pos(&sb, d->pos);
        sb_puts(&sb, ",\"nodes\":[");
        for (size_t n = 0; n < d->nodes.n; n++) {
            if (n)
                sb_putc(&sb, ',');
            sb_json_str(&sb, d->nodes.v[n]);
        }
        sb_puts(&sb, "],\"notes\":[");
        for (size_t n = 0; n < d->notes.n; n++) {
            const struct diag_note *no = &d->notes.v[n];
            sb_puts(&sb, n ? ",{\"message\":" : "{\"message\":");
            sb_json_str(&sb, no->msg);
            sb_puts(&sb, ",\"location\":");
            json_pos(&sb, no->pos);
            sb_puts(&sb, ",\"node\":");
            if (no->node)
                sb_json_str(&sb, no->node);
            else
                sb_puts(&sb, "null");
            sb_putc(&sb, '}');
        }
        sb_puts(&sb, "],\"fix\":");
        if (d->fix)
            sb_json_str(&sb, d->fix);
        else
            sb_puts(&sb, "null");
        sb_putc(&sb, '}');
    }
    sb_printf(&sb, "\n],\"errors\":%zu,\"warnings\":%zu}\n", s->nerrors + s->nfatal,
              s->nwarnings);
    fputs(sb.s, out);
    sb_free(&sb);
}

/* ---- SARIF 2.1.0 ---- */

static void sarif_level(struct strbuf *sb, enum severity sev)
{
    sb_puts(sb, sev == SEV_ERROR ? "\"error\"" : sev == SEV_WARNING ? "\"warning\"" : "\"note\"");
}

/* A file name as a URI reference (RFC 3986): unreserved characters and '/'
 * stay, everything else is percent-encoded byte by byte, so names with
 * spaces, '#' or non-ASCII characters stay valid. Relative names stay
 * relative: code-scanning services resolve them against the checkout. */
static void sarif_uri(struct strbuf *sb, const char *file)
{
    static const char hex[] = "0123456789ABCDEF";
    struct strbuf u;
    sb_init(&u);
    for (const unsigned char *p = (const unsigned char *)file; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p)) {
            sb_putc(&u, (char)*p);
        } else {
            sb_putc(&u, '%');
            sb_putc(&u, hex[*p >> 4]);
            sb_putc(&u, hex[*p & 15]);
        }
    }
    sb_json_str(sb, u.s);
    sb_free(&u);
}

static void sarif_location(struct strbuf *sb, struct srcpos pos, const char *node,
                           const char *msg)
{
    bool first = true;
    sb_putc(sb, '{');
    if (pos.file) {
        sb_puts(sb, "\"physicalLocation\":{\"artifactLocation\":{\"uri\":");
        sarif_uri(sb, pos.file);
        sb_putc(sb, '}');
        if (pos.line) {
            sb_printf(sb, ",\"region\":{\"startLine\":%u", pos.line);
            if (pos.col)
                sb_printf(sb, ",\"startColumn\":%u", pos.col);
            sb_putc(sb, '}');
        }
        sb_putc(sb, '}');
        first = false;
    }
    if (node) {
        sb_puts(sb, first ? "" : ",");
        sb_puts(sb, "\"logicalLocations\":[{\"fullyQualifiedName\":");
        sb_json_str(sb, node);
        sb_puts(sb, ",\"kind\":\"element\"}]");
        first = false;
    }
    if (msg) {
        sb_puts(sb, first ? "" : ",");
        sb_puts(sb, "\"message\":{\"text\":");
        sb_json_str(sb, msg);
        sb_putc(sb, '}');
    }
    sb_putc(sb, '}');
}

void diag_render_sarif(const struct diag_sink *s, FILE *out)
{
    struct strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, "{\"$schema\":\"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/"
                 "schemas/sarif-schema-2.1.0.json\","
                 "\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"dtpass\","
                 "\"version\":\"" TOOL_VERSION "\",\"informationUri\":\"" DTPASS_DOCS_URL "\","
                 "\"rules\":[");
    for (size_t i = 0; i < check_table_len; i++) {
        const struct check_info *c = &check_table[i];
        sb_puts(&sb, i ? ",\n{\"id\":" : "\n{\"id\":");
        sb_json_str(&sb, c->id);
        sb_puts(&sb, ",\"shortDescription\":{\"text\":");
        sb_json_str(&sb, c->summary);
        sb_puts(&sb, "},\"fullDescription\":{\"text\":");
        sb_json_str(&sb, c->help);
        sb_printf(&sb, "},\"helpUri\":\"%s#%s\",\"help\":{\"text\":", DTPASS_DOCS_URL, c->id);
        char *help = xasprintf("%s See %s#%s", c->help, DTPASS_DOCS_URL, c->id);
        sb_json_str(&sb, help);
        free(help);
        sb_puts(&sb, "},\"defaultConfiguration\":{\"level\":");
        sarif_level(&sb, c->sev == SEV_OFF ? SEV_NOTE : c->sev);
        if (c->sev == SEV_OFF)
            sb_puts(&sb, ",\"enabled\":false");
        sb_puts(&sb, "},\"properties\":{\"tags\":[\"isolation\"]}}");
    }
    sb_puts(&sb, "\n]}},\"results\":[");
    size_t nres = 0;
    for (size_t i = 0; i < s->diags.n; i++) {
        const struct diag *d = s->diags.v[i];
        if (!d->check)
            continue;
        const struct check_info *ci = check_lookup(d->check);
        sb_puts(&sb, nres++ ? ",\n{\"ruleId\":" : "\n{\"ruleId\":");
        sb_json_str(&sb, d->check);
        sb_printf(&sb, ",\"ruleIndex\":%zu,\"level\":", ci ? (size_t)(ci - check_table) : 0);
        sarif_level(&sb, d->sev);
        sb_puts(&sb, ",\"message\":{\"text\":");
        if (d->fix) {
            char *m = xasprintf("%s (fix: %s)", d->msg, d->fix);
            sb_json_str(&sb, m);
            free(m);
        } else {
            sb_json_str(&sb, d->msg);
        }
        sb_puts(&sb, "},\"locations\":[");
        sarif_location(&sb, d->pos, d->nodes.n ? d->nodes.v[0] : NULL, NULL);
        sb_puts(&sb, "]");
        /* A stable identity across runs (check + message: the message holds
         * the addresses and names), so services track a finding when the
         * file around it moves. */
        uint32_t h1 = str_hash(d->check, strlen(d->check)), h2 = str_hash(d->msg, strlen(d->msg));
        sb_printf(&sb, ",\"partialFingerprints\":{\"dtpassFinding/v1\":\"%08x%08x\"}", h1, h2);
        if (d->fix) {
            sb_puts(&sb, ",\"properties\":{\"fix\":");
            sb_json_str(&sb, d->fix);
            sb_putc(&sb, '}');
        }
        if (d->notes.n || d->nodes.n > 1) {
            size_t id = 0;
            sb_puts(&sb, ",\"relatedLocations\":[");
            for (size_t n = 1; n < d->nodes.n; n++) {
                sb_puts(&sb, id ? "," : "");
                sb_printf(&sb, "{\"id\":%zu,", id++);
                struct strbuf loc;
                sb_init(&loc);
                sarif_location(&loc, NOPOS, d->nodes.v[n], "board node");
                sb_puts(&sb, loc.s + 1);
                sb_free(&loc);
            }
            for (size_t n = 0; n < d->notes.n; n++) {
                const struct diag_note *no = &d->notes.v[n];
                sb_puts(&sb, id ? "," : "");
                sb_printf(&sb, "{\"id\":%zu,", id++);
                struct strbuf loc;
                sb_init(&loc);
                sarif_location(&loc, no->pos, no->node, no->msg);
                sb_puts(&sb, loc.s + 1);
                sb_free(&loc);
            }
            sb_puts(&sb, "]");
        }
        sb_putc(&sb, '}');
    }
    sb_printf(&sb, "\n],\"columnKind\":\"unicodeCodePoints\",\"invocations\":[{\"executionSuccessful\":%s",
              s->nfatal ? "false" : "true");
    if (s->nfatal) {
        size_t n = 0;
        sb_puts(&sb, ",\"toolExecutionNotifications\":[");
        for (size_t i = 0; i < s->diags.n; i++) {
            const struct diag *d = s->diags.v[i];
            if (d->check)
                continue;
            sb_puts(&sb, n++ ? ",{\"level\":\"error\",\"message\":{\"text\":"
                             : "{\"level\":\"error\",\"message\":{\"text\":");
            sb_json_str(&sb, d->msg);
            sb_puts(&sb, "}");
            if (d->pos.file) {
                sb_puts(&sb, ",\"locations\":[");
                sarif_location(&sb, d->pos, NULL, NULL);
                sb_puts(&sb, "]");
            }
            sb_puts(&sb, "}");
        }
        sb_puts(&sb, "]");
    }
    sb_puts(&sb, "}]}]}\n");
    fputs(sb.s, out);
    sb_free(&sb);
}
