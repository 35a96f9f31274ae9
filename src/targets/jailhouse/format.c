/* targets/jailhouse/format.c — writes Jailhouse configurations: the binary
 * .cell files the hypervisor and its driver load, and the same
 * configuration as C in the style of Jailhouse's configs/arm64 sources. Both
 * walk the field descriptors expanded from layout.def, so the two can only
 * disagree if the C compiler lays out Jailhouse's packed structures
 * differently from the published header — which is what
 * tests/suite-jailhouse.sh checks by compiling the C and comparing bytes. */
#include <inttypes.h>

#include "targets/jailhouse/jailhouse.h"

/* --- the descriptors ---------------------------------------------------- */

#define JH_STRUCT(s, csize, ctype)                                                        \
    static const char jh_ctype_##s[] = ctype;                                             \
    static const struct jh_field jh_fields_##s[] = {
#define JH_U(s, f, w, kind) {#f, JF_U, w, 1, offsetof(struct jh_##s, f), NULL, JK_##kind},
#define JH_A(s, f, w, n, kind) {#f, JF_A, w, n, offsetof(struct jh_##s, f), NULL, JK_##kind},
#define JH_C(s, f, n) {#f, JF_C, 1, n, offsetof(struct jh_##s, f), NULL, JK_DEC},
#define JH_T(s, f, sub) {#f, JF_T, 0, 1, offsetof(struct jh_##s, f), &jh_struct_##sub, JK_DEC},
#define JH_TA(s, f, sub, n) {#f, JF_TA, 0, n, offsetof(struct jh_##s, f), &jh_struct_##sub, JK_DEC},
#define JH_PAD(s, f, n) {#f, JF_PAD, 1, n, 0, NULL, JK_DEC},
#define JH_END(s)                                                                         \
    };                                                                                    \
    const struct jh_struct jh_struct_##s = {#s, jh_ctype_##s, jh_fields_##s,              \
                                            ARRAY_SIZE(jh_fields_##s), JH_SIZE_##s,       \
                                            sizeof(struct jh_##s)};
#include "targets/jailhouse/layout.def"
#undef JH_STRUCT
#undef JH_U
#undef JH_A
#undef JH_C
#undef JH_T
#undef JH_TA
#undef JH_PAD
#undef JH_END

struct jh_named {
    enum jh_kind kind;
    const char *name;
    uint64_t value;
};
#define JH_STRUCT(s, csize, ctype)
#define JH_U(s, f, w, kind)
#define JH_A(s, f, w, n, kind)
#define JH_C(s, f, n)
#define JH_T(s, f, sub)
#define JH_TA(s, f, sub, n)
#define JH_PAD(s, f, n)
#define JH_END(s)
#define JH_K(kind, name, value) {JK_##kind, #name, (value)},
static const struct jh_named named[] = {
#include "targets/jailhouse/layout.def"
};
#undef JH_K
#define JH_SIG(name, text) {#name, text},
static const struct {
    const char *name, *text;
} signatures[] = {
#include "targets/jailhouse/layout.def"
};
#undef JH_SIG
#undef JH_STRUCT
#undef JH_U
#undef JH_A
#undef JH_C
#undef JH_T
#undef JH_TA
#undef JH_PAD
#undef JH_END

/* --- binary ------------------------------------------------------------- */

static uint64_t host_get(const void *p, uint32_t w)
{
    switch (w) {
    case 1: return *(const uint8_t *)p;
    case 2: return *(const uint16_t *)p;
    case 4: return *(const uint32_t *)p;
    default: return *(const uint64_t *)p;
    }
}

static void put_val(uint8_t *p, uint64_t v, uint32_t w)
{
    switch (w) {
    case 1: p[0] = (uint8_t)v; break;
    case 2: put_le16(p, (uint16_t)v); break;
    case 4: put_le32(p, (uint32_t)v); break;
    default: put_le64(p, v); break;
    }
}

/* Stores one structure at p (s->size bytes), field by field. */
static void put_struct(uint8_t *p, const struct jh_struct *s, const void *host)
{
    const uint8_t *h = host;
    for (size_t i = 0; i < s->nfields; i++) {
        const struct jh_field *f = &s->fields[i];
        switch (f->type) {
        case JF_U:
        case JF_A:
            for (uint32_t k = 0; k < f->count; k++, p += f->width)
                put_val(p, host_get(h + f->off + (size_t)k * f->width, f->width), f->width);
            break;
        case JF_C:
            for (uint32_t k = 0; k < f->count; k++)
                *p++ = (uint8_t)((const char *)(h + f->off))[k];
            break;
        case JF_T:
        case JF_TA:
            for (uint32_t k = 0; k < f->count; k++, p += f->sub->size)
                put_struct(p, f->sub, h + f->off + (size_t)k * f->sub->hsize);
            break;
        case JF_PAD:
            memset(p, 0, f->count);
            p += f->count;
            break;
        }
    }
}

static void sb_struct(struct strbuf *out, const struct jh_struct *s, const void *host)
{
    uint8_t buf[JH_SIZE_system];
    _Static_assert((int)JH_SIZE_system >= (int)JH_SIZE_cell_desc && (int)JH_SIZE_system >= (int)JH_SIZE_pci_device,
                   "the system structure is the largest");
    put_struct(buf, s, host);
    sb_putn(out, (const char *)buf, s->size);
}

static void sb_u64(struct strbuf *out, uint64_t v)
{
    uint8_t b[8];
    put_le64(b, v);
    sb_putn(out, (const char *)b, sizeof(b));
}

/* The arrays that follow a cell descriptor, in the format's order. */
static void put_arrays(const struct jh_cell *c, struct strbuf *out)
{
    for (size_t i = 0; i < c->cpus.n; i++)
        sb_u64(out, c->cpus.v[i]);
    for (size_t i = 0; i < c->mem.n; i++)
        sb_struct(out, &jh_struct_memory, &c->mem.v[i].m);
    for (size_t i = 0; i < c->irqchips.n; i++)
        sb_struct(out, &jh_struct_irqchip, &c->irqchips.v[i]);
    for (size_t i = 0; i < c->pci.n; i++)
        sb_struct(out, &jh_struct_pci_device, &c->pci.v[i].d);
    for (size_t i = 0; i < c->sids.n; i++) {
        if (c->mmu500) {
            struct jh_sid_mmu500 s = {{(uint16_t)c->sids.v[i], (uint16_t)(c->sids.v[i] >> 16)}};
            sb_struct(out, &jh_struct_sid_mmu500, &s);
        } else {
            struct jh_sid_v3 s = {c->sids.v[i]};
            sb_struct(out, &jh_struct_sid_v3, &s);
        }
    }
}

void jh_write_binary(const struct jh_config *cfg, const struct jh_cell *c, struct strbuf *out)
{
    if (c->root)
        sb_struct(out, &jh_struct_system, &cfg->sys);
    else
        sb_struct(out, &jh_struct_cell_desc, &c->desc);
    put_arrays(c, out);
}

/* --- C source ----------------------------------------------------------- */

static bool all_zero(const struct jh_struct *s, const void *host)
{
    uint8_t buf[JH_SIZE_system];
    put_struct(buf, s, host);
    for (size_t i = 0; i < s->size; i++)
        if (buf[i])
            return false;
    return true;
}

static void indent(struct strbuf *sb, int n)
{
    for (int i = 0; i < n; i++)
        sb_putc(sb, '\t');
}

static void put_value(struct strbuf *sb, enum jh_kind kind, uint64_t v)
{
    switch (kind) {
    case JK_DEC: sb_printf(sb, "%" PRIu64, v); return;
    case JK_HEX32: sb_printf(sb, "0x%08" PRIx64, v); return;
    case JK_BDF:
        if ((v & ~(uint64_t)0xf8) == 0)
            sb_printf(sb, "%" PRIu64 " << 3", v >> 3);
        else
            sb_printf(sb, "0x%" PRIx64, v);
        return;
    case JK_SIZEOF_CPUS: sb_puts(sb, "sizeof(config.cpus)"); return;
    case JK_COUNT_MEM: sb_puts(sb, "ARRAY_SIZE(config.mem_regions)"); return;
    case JK_COUNT_IRQCHIPS: sb_puts(sb, "ARRAY_SIZE(config.irqchips)"); return;
    case JK_COUNT_PCI: sb_puts(sb, "ARRAY_SIZE(config.pci_devices)"); return;
    case JK_COUNT_SIDS: sb_puts(sb, "ARRAY_SIZE(config.stream_ids)"); return;
    case JK_VPCI_BASE: sb_printf(sb, "%" PRIu64 " - 32", v + 32); return;
    case JK_HEX: sb_printf(sb, "0x%" PRIx64, v); return;
    case JK_CELL_FLAGS:
    case JK_SYS_FLAGS:
    case JK_MEM_FLAGS:
    case JK_CON_FLAGS: {
        /* Flags: the OR of their names; bits without a name in hex. */
        bool first = true;
        for (size_t i = 0; i < ARRAY_SIZE(named); i++)
            if (named[i].kind == kind && named[i].value && (v & named[i].value) == named[i].value) {
                sb_printf(sb, "%s%s", first ? "" : " | ", named[i].name);
                v &= ~named[i].value;
                first = false;
            }
        if (v || first)
            sb_printf(sb, "%s0x%" PRIx64, first ? "" : " | ", v);
        return;
    }
    default:
        for (size_t i = 0; i < ARRAY_SIZE(named); i++)
            if (named[i].kind == kind && named[i].value == v) {
                sb_puts(sb, named[i].name);
                return;
            }
        sb_printf(sb, "0x%" PRIx64, v);
        return;
    }
}

static void put_c_struct(struct strbuf *sb, const struct jh_struct *s, const void *host, int ind);

static void put_c_element(struct strbuf *sb, const struct jh_struct *s, const void *host, int ind,
                          const char *what)
{
    indent(sb, ind);
    if (what)
        sb_printf(sb, "/* %s */ ", what);
    if (all_zero(s, host)) {
        sb_puts(sb, "{ 0 },\n");
        return;
    }
    sb_puts(sb, "{\n");
    put_c_struct(sb, s, host, ind + 1);
    indent(sb, ind);
    sb_puts(sb, "},\n");
}

/* The fields of one structure that are not zero, as designated
 * initialisers (what a C initialiser leaves out is zero). */
static void put_c_struct(struct strbuf *sb, const struct jh_struct *s, const void *host, int ind)
{
    const uint8_t *h = host;
    for (size_t i = 0; i < s->nfields; i++) {
        const struct jh_field *f = &s->fields[i];
        const uint8_t *p = h + f->off;
        switch (f->type) {
        case JF_U: {
            uint64_t v = host_get(p, f->width);
            if (!v)
                break;
            indent(sb, ind);
            sb_printf(sb, ".%s = ", f->name);
            put_value(sb, f->kind, v);
            sb_puts(sb, ",\n");
            break;
        }
        case JF_A: {
            bool any = false;
            for (uint32_t k = 0; k < f->count; k++)
                any |= host_get(p + (size_t)k * f->width, f->width) != 0;
            if (!any)
                break;
            indent(sb, ind);
            sb_printf(sb, ".%s = {\n", f->name);
            indent(sb, ind + 1);
            for (uint32_t k = 0; k < f->count; k++) {
                put_value(sb, f->kind, host_get(p + (size_t)k * f->width, f->width));
                sb_puts(sb, k + 1 < f->count ? ", " : ",\n");
            }
            indent(sb, ind);
            sb_puts(sb, "},\n");
            break;
        }
        case JF_C: {
            const char *str = (const char *)p;
            size_t len = strnlen(str, f->count);
            if (!len)
                break;
            indent(sb, ind);
            sb_printf(sb, ".%s = ", f->name);
            const char *macro = NULL;
            for (size_t k = 0; k < ARRAY_SIZE(signatures); k++)
                if (len == strlen(signatures[k].text) && !memcmp(str, signatures[k].text, len))
                    macro = signatures[k].name;
            if (macro) {
                sb_puts(sb, macro);
            } else {
                /* Names are [a-z][a-z0-9_-]*: nothing to escape. */
                sb_putc(sb, '"');
                sb_putn(sb, str, len);
                sb_putc(sb, '"');
            }
            sb_puts(sb, ",\n");
            break;
        }
        case JF_T:
            if (all_zero(f->sub, p))
                break;
            indent(sb, ind);
            sb_printf(sb, ".%s = {\n", f->name);
            put_c_struct(sb, f->sub, p, ind + 1);
            indent(sb, ind);
            sb_puts(sb, "},\n");
            break;
        case JF_TA: {
            uint32_t last = 0; /* elements up to the last one that is not zero */
            for (uint32_t k = 0; k < f->count; k++)
                if (!all_zero(f->sub, p + (size_t)k * f->sub->hsize))
                    last = k + 1;
            if (!last)
                break;
            indent(sb, ind);
            sb_printf(sb, ".%s = {\n", f->name);
            for (uint32_t k = 0; k < last; k++)
                put_c_element(sb, f->sub, p + (size_t)k * f->sub->hsize, ind + 1, NULL);
            indent(sb, ind);
            sb_puts(sb, "},\n");
            break;
        }
        case JF_PAD:
            break;
        }
    }
}

void jh_write_c(const struct jh_config *cfg, const struct jh_cell *c, struct strbuf *sb)
{
    const char *name = c->desc.name;
    sb_printf(sb,
              "/*\n"
              " * Jailhouse %s configuration of cell \"%s\", generated by dtpass from %s\n"
              " * (docs/jailhouse.md). It builds in Jailhouse's tree like its own\n"
              " * configs/arm64/ sources and compiles to the same bytes as %s.cell.\n"
              " */\n\n"
              "#include <jailhouse/types.h>\n"
              "#include <jailhouse/cell-config.h>\n\n"
              "struct {\n",
              c->root ? "system" : "cell", name, cfg->source, c->file);
    sb_printf(sb, "\t%s %s;\n", c->root ? jh_struct_system.ctype : jh_struct_cell_desc.ctype,
              c->root ? "header" : "cell");
    sb_printf(sb, "\t__u64 cpus[%zu];\n", c->cpus.n);
    if (c->mem.n)
        sb_printf(sb, "\t%s mem_regions[%zu];\n", jh_struct_memory.ctype, c->mem.n);
    if (c->irqchips.n)
        sb_printf(sb, "\t%s irqchips[%zu];\n", jh_struct_irqchip.ctype, c->irqchips.n);
    if (c->pci.n)
        sb_printf(sb, "\t%s pci_devices[%zu];\n", jh_struct_pci_device.ctype, c->pci.n);
    if (c->sids.n)
        sb_printf(sb, "\t%s stream_ids[%zu];\n", jh_struct_sid_v3.ctype, c->sids.n);
    sb_puts(sb, "} __attribute__((packed)) config = {\n");

    if (c->root) {
        sb_puts(sb, "\t.header = {\n");
        put_c_struct(sb, &jh_struct_system, &cfg->sys, 2);
    } else {
        sb_puts(sb, "\t.cell = {\n");
        put_c_struct(sb, &jh_struct_cell_desc, &c->desc, 2);
    }
    sb_puts(sb, "\t},\n\n\t.cpus = {\n");
    for (size_t i = 0; i < c->cpus.n; i++)
        sb_printf(sb, "\t\t0x%016" PRIx64 ",\n", c->cpus.v[i]);
    sb_puts(sb, "\t},\n");
    if (c->mem.n) {
        sb_puts(sb, "\n\t.mem_regions = {\n");
        for (size_t i = 0; i < c->mem.n; i++)
            put_c_element(sb, &jh_struct_memory, &c->mem.v[i].m, 2, c->mem.v[i].what);
        sb_puts(sb, "\t},\n");
    }
    if (c->irqchips.n) {
        sb_puts(sb, "\n\t.irqchips = {\n");
        for (size_t i = 0; i < c->irqchips.n; i++)
            put_c_element(sb, &jh_struct_irqchip, &c->irqchips.v[i], 2, "GIC");
        sb_puts(sb, "\t},\n");
    }
    if (c->pci.n) {
        sb_puts(sb, "\n\t.pci_devices = {\n");
        for (size_t i = 0; i < c->pci.n; i++)
            put_c_element(sb, &jh_struct_pci_device, &c->pci.v[i].d, 2, c->pci.v[i].what);
        sb_puts(sb, "\t},\n");
    }
    if (c->sids.n) {
        sb_puts(sb, "\n\t.stream_ids = {\n");
        for (size_t i = 0; i < c->sids.n; i++) {
            if (c->mmu500) {
                struct jh_sid_mmu500 s = {{(uint16_t)c->sids.v[i], (uint16_t)(c->sids.v[i] >> 16)}};
                put_c_element(sb, &jh_struct_sid_mmu500, &s, 2, NULL);
            } else {
                struct jh_sid_v3 s = {c->sids.v[i]};
                put_c_element(sb, &jh_struct_sid_v3, &s, 2, NULL);
            }
        }
        sb_puts(sb, "\t},\n");
    }
    sb_puts(sb, "};\n");
}
