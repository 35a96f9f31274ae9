/* board/board.h — the board: a live tree read from a DTB (or a DTS through
 * the real dtc) and everything dtpass derives from it with the standard DT
 * rules: CPUs, RAM, the GIC, SMMUs, and per node its MMIO as CPU physical
 * ranges, its interrupts as INTIDs, its stream IDs, its phandle dependencies
 * and whether it is a DMA master.
 *
 * The tree is read once into arrays (nodes in depth-first order, which is the
 * blob's order); lookups by path, label, alias and phandle are hash maps, so
 * loading is linear in the size of the blob. Nothing here modifies the blob. */
#ifndef DTPASS_BOARD_H
#define DTPASS_BOARD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "diag/diag.h"
#include "util/util.h"

struct board;
struct board_node;

/* A property, read from the blob when asked for (the board keeps no copy
 * of its properties: the blob is their store). Absent: name == NULL. */
struct board_prop {
    const char *name;
    const uint8_t *val; /* big-endian cells, inside the board's blob */
    uint32_t len;
    uint32_t next;      /* private: where the following property is */
};

/* A CPU physical address range. */
struct board_range {
    uint64_t base, size;
};

/* Node indices in the derived records are 27-bit (a board of more nodes is
 * refused at load: it would need gigabytes before that). */
#define BOARD_MAX_NODES (1u << 27)

struct board_irq {
    struct board_node *parent; /* the interrupt controller of the specifier */
    uint32_t intid;            /* GIC: SPI n -> n+32, PPI n -> n+16; else the first cell */
    uint32_t flags;            /* GIC: the third (trigger) cell; else the second cell or 0 */
    /* As written in the node: the controller its interrupt-parent (or
     * interrupts-extended entry) names — a nexus when the line is routed
     * through an interrupt-map — and that specifier's cells, inside the blob.
     * from_map: a PCI host's INTx line from its own interrupt-map (cells
     * NULL). The carving rewrites from these, never re-decoding. */
    uint32_t cells_off; /* offset in the blob (board_irq_cells); its length is
                         * named's #interrupt-cells */
    uint32_t named : 27; /* node index (board_irq_named) */
    uint32_t gic : 1;    /* parent is the GIC: intid is an INTID */
    uint32_t from_map : 1;
};

/* A set of stream IDs on one SMMU. `iommus` entries give count = 1; SMMUv2
 * two-cell specifiers give a mask (a SID s matches when
 * (s & ~mask) == (sid & ~mask)); `iommu-map` entries give a range of count
 * IDs starting at sid, for requester IDs from rid_base. */
struct board_sid {
    struct board_node *smmu;
    uint32_t sid, mask, count;
    bool from_map;     /* from iommu-map (PCI) rather than iommus */
    uint32_t rid_base; /* iommu-map only */
    uint32_t map_mask; /* iommu-map only: iommu-map-mask applied to a RID
                        * before the lookup (0xffffffff when absent) */
};

/* The binding table (derive.c): every phandle-bearing property dtpass
 * knows, as data. The checks and the guest-tree carving read it through
 * board_ref_rule() and the decoded n->deps; nobody else decodes phandles. */
enum board_ref_kind {
    BREF_ARGS,    /* phandle + the provider's `cells` arguments, repeated */
    BREF_LIST,    /* phandles only */
    BREF_FIXED,   /* phandle + `fixed` cells, repeated (gpio-ranges) */
    BREF_PINCTRL, /* pin configuration nodes: the provider is the pin controller */
    BREF_NVMEM,   /* nvmem cell nodes: the provider is the nvmem device */
    BREF_MSI,     /* phandle + optional #msi-cells */
    BREF_LINK,    /* an OF graph link: the provider is the device of the remote endpoint */
    BREF_IRQ,     /* interrupt-parent, interrupts-extended, interrupt-map: the interrupt rules */
    BREF_IOMMU,   /* iommus, iommu-map: the IOMMU rules */
    BREF_MEMORY,  /* memory-region: reserved memory, not a device */
    BREF_IDMAP,   /* msi-map: (id-base, phandle, out-base, length) entries, as Linux's of_map_id */
};

struct board_ref_rule {
    const char *name;  /* exact name; "-suffix" (a pattern); "pinctrl-N"; or the name itself
                        * for the general #<name>-cells rule */
    const char *cells; /* the provider's cells property (ARGS, MSI), else NULL */
    uint32_t fixed;    /* BREF_FIXED: cells after each phandle */
    const char *names; /* companion property naming each entry ("clock-names"), or NULL */
    enum board_ref_kind kind;
    bool lenient;      /* matched by a pattern: a value that does not decode is not a reference */
};

/* The rule of a property name, or NULL when the table has none (counts such
 * as nr-gpios, snps,nr-gpios, ngpios and #...-cells are never references).
 * Pattern matches return a pointer into a static table too. */
const struct board_ref_rule *board_ref_rule(const char *name);
/* The general Linux rule for a name the table does not know: "foos" or
 * "foo" names a list of (phandle, args) when the phandle's node declares
 * `#foo-cells`. Writes that cells property name into buf (size >= 2 +
 * strlen(name) + 7) and returns buf, or NULL when the name cannot have one. */
const char *board_ref_general_cells(const char *name, char *buf, size_t size);

struct board_dep {
    const char *prop; /* the referencing property: "clocks", "pinctrl-0", "vmmc-supply" ... */
    /* The device the reference needs, by index (board_dep_provider), and the
     * node the phandle names (board_dep_target): a pin group, an nvmem
     * cell, an endpoint; the provider itself for most rules. Indices and
     * bit fields keep a dep at 16 bytes: a 100k-node board has some 300k. */
    uint32_t provider;
    uint32_t target : 27;
    uint32_t kind : 4;        /* enum board_ref_kind of the rule (BREF_ARGS for the general rule) */
    uint32_t undecodable : 1; /* the property matched a rule but does not decode: target is
                               * a node one of its cells could name (each such node is listed) */
};

struct board_node {
    const struct board *board; /* the board the node belongs to */
    const char *name; /* "serial@9000000"; "" for the root */
    const char *path; /* "/pl011@9000000" */
    struct board_node *parent, *first_child, *next_sibling;
    const char *compatible; /* first compatible string, or NULL */

    /* Derived from the DT rules. */
    struct board_range *mmio; /* every reg entry, translated to CPU physical */
    struct board_irq *irqs;
    struct board_sid *sids;
    struct board_dep *deps;
    const char *dma_reason;  /* "iommus", "dma-coherent", "device class usb (snps,dwc3)" ... */
    /* The first DT rule this node breaks (bad cells, an untranslatable reg,
     * an interrupt or IOMMU specifier that does not decode...), or NULL.
     * Node-local defects are board-invalid *warnings* at load time — real
     * vendor DTBs carry a few in nodes nobody assigns — and resolve turns
     * them into errors when the system uses the node. */
    const char *defect;
    uint32_t nmmio, nirqs, nsids, ndeps;
    uint32_t nirq_specs; /* specifiers in interrupts / interrupts-extended, decoded or not */

    uint32_t index;   /* position in board.nodes (depth-first, blob order) */
    uint32_t prop_off; /* private: the node's first property in the blob's structure block */
    uint32_t phandle; /* 0 when none */
    int depth;
    bool disabled;           /* status is neither absent, "okay" nor "ok" */
    bool dma_master;
    bool resource_free;      /* no reg and no interrupts: copied freely as a provider */
    bool interrupt_controller;
    bool has_resets;         /* `resets` present */
    bool has_power_domains;  /* `power-domains` present */
    bool pci_host;           /* device_type = "pci" */
    bool untranslatable;     /* a reg could not be translated (reported) */
};

struct board_cpu {
    struct board_node *node;
    uint64_t mpidr;
};

enum smmu_version { SMMU_V2 = 2, SMMU_V3 = 3 };

struct board_smmu {
    struct board_node *node;
    enum smmu_version version;
    uint32_t iommu_cells;
    const char *name; /* output name: the node name with '@' -> '-' ("smmuv3-9050000") */
};

struct board_gic {
    struct board_node *node; /* NULL when the board has none */
    int version;             /* 2 or 3 */
};

struct board {
    const char *file;   /* as given (interned in the diag sink) */
    bool from_dts;
    void *fdt;          /* the blob, owned */
    size_t fdt_size;
    const uint8_t *dt_struct;  /* its structure block */
    const char *dt_strings;    /* its strings block */
    struct board_node *root;
    struct board_node **nodes;
    uint32_t nnodes;
    struct board_cpu *cpus; /* /cpus/cpu@* in blob order: index = physical CPU number */
    uint32_t ncpus;
    struct board_range *ram; /* /memory reg minus no-map reserved memory, sorted */
    uint32_t nram;
    struct board_range *nomap; /* no-map reserved regions, sorted */
    uint32_t nnomap;
    /* The blob header's /memreserve/ entries (firmware, spin tables): RAM
     * the OS maps but must not use; sorted, zero-size entries dropped. */
    struct board_range *memrsv;
    uint32_t nmemrsv;
    struct board_gic gic;
    struct board_node *timer; /* the architected timer node, or NULL */
    struct board_smmu *smmus;
    uint32_t nsmmus;
    VEC(char *) inputs; /* every file read (board, files dtc/cpp opened): for -M */

    /* lookups */
    struct pathmap { uint32_t *slots; size_t cap; } by_path; /* node index + 1 by path hash */
    struct strmap by_label, by_alias;
    /* Property names -> their offset in the strings block, when every
     * property names its string by one offset (dtc's blobs): a lookup
     * then compares offsets, not strings. */
    struct strmap prop_names;
    bool names_unique;
    struct board_node **by_phandle_sorted; /* sorted by phandle, for bsearch */
    uint32_t nphandles;

    /* Per node, by index; NULL when the board has none: the DTS position
     * (board_node_pos) and the first label from __symbols__
     * (board_node_label). */
    struct srcpos *src;
    const char **labels;

    const char *model;               /* root `model`, or NULL */
    struct board_store *store;       /* private to src/board (arena, scratch) */
};

struct board_options {
    const char *const *incdirs; /* -I for dtc and cpp */
    size_t nincdirs;
    const char *classes_file;   /* extra device-class data, or NULL */
};

/* Reads a board (DTS via dtc, DTB via libfdt after fdt_check_full). Problems
 * are reported to d (board-invalid, or fatal for I/O); returns 0 when the
 * board is usable, -1 otherwise. */
int board_load(struct board *b, const char *file, const struct board_options *opt,
               struct diag_sink *d);
void board_free(struct board *b);

/* "/abs/path", "&label" or "alias" -> node, or NULL. */
struct board_node *board_lookup(const struct board *b, const char *ref);
struct board_node *board_by_phandle(const struct board *b, uint32_t phandle);
/* A property of n (name NULL when absent), and the iteration over all of
 * a node's properties in blob order:
 *   for (struct board_prop p = board_prop_first(n); p.name; p = board_prop_next(n, p)) */
struct board_prop board_prop(const struct board_node *n, const char *name);
bool board_has_prop(const struct board_node *n, const char *name);
struct board_prop board_prop_first(const struct board_node *n);
struct board_prop board_prop_next(const struct board_node *n, struct board_prop p);
/* A 4-byte property as u32. */
bool board_prop_u32(const struct board_node *n, const char *name, uint32_t *out);
/* A NUL-terminated string property, or NULL. */
const char *board_prop_str(const struct board_node *n, const char *name);
/* Whether a string-list property contains s. */
bool board_prop_has_str(const struct board_node *n, const char *name, const char *s);
/* The SMMU entry of a node, or NULL when it is not an SMMU. */
const struct board_smmu *board_smmu_of(const struct board *b, const struct board_node *n);
/* Nodes that describe the machine rather than a device (root, CPUs,
 * memory, PSCI, chosen, aliases, reserved memory, the GIC and what is below
 * it, the timer): dtpass writes its own for every guest, so a guest cannot
 * be given one. */
bool board_machine_node(const struct board *b, const struct board_node *n);
/* Whether n is the GIC or an MSI frame of it (a GICv3 ITS, a GICv2m frame:
 * the GIC's children). A guest gets a virtual GIC without them, so an
 * `msi-parent`/`msi-map` naming one is IOMMU-style wiring the hypervisor
 * keeps; one naming any other MSI controller (a TI INTA) is a dependency. */
bool board_gic_msi(const struct board *b, const struct board_node *n);
/* A bus address (ac cells of bus's child space; hi: phys.hi of a 3-cell
 * PCI address, else 0) as a CPU physical address, through every `ranges`
 * up to the root (the same walk that gave every n->mmio). */
bool board_translate(const struct board *b, const struct board_node *bus, uint32_t ac, uint64_t addr,
                     uint32_t hi, uint64_t *out);
/* A specifier of the board's GIC (ncells cells) as an INTID and its
 * trigger cell; false when it does not decode. */
bool board_gic_spec(const struct board *b, const uint8_t *cells, uint32_t ncells, uint32_t *intid,
                    uint32_t *flags);
/* #address-cells / #size-cells of bus for its children (DT spec
 * defaults 2 and 1 when absent). */
uint32_t board_addr_cells(const struct board_node *bus);
uint32_t board_size_cells(const struct board_node *bus);
/* Whether n is a bus: `compatible` of simple-bus, simple-pm-bus,
 * simple-mfd, isa, arm,amba-bus ..., or no compatible at all with `ranges`. */
bool board_is_bus(const struct board_node *n);
/* Whether one compatible string is a generic bus (simple-bus, simple-pm-bus,
 * simple-mfd, isa, arm,amba-bus, syscon-bus): the list board_is_bus uses. */
bool board_bus_compatible(const char *compat);
/* Whether n has resources of its own: MMIO, interrupts, mailboxes. */
bool board_has_resources(const struct board_node *n);
/* The node that holds the resources a copy of n would need: n itself, or
 * the nearest ancestor below the first bus (an ancestor with `ranges`, or
 * the root) that has resources of its own (a TI-SCI controller above its
 * clock provider) or is a device addressed on a bus of its own (a
 * compatible and a reg: an I2C GPIO expander). NULL when n and those ancestors are resource-free: n can
 * be copied into a guest with its containers. */
const struct board_node *board_resource_holder(const struct board_node *n);
/* When n's parent is a device (board_is_bus false, compatible, resources
 * of its own), that parent; else NULL. A child of a device is not
 * assignable alone (dev-parent). */
const struct board_node *board_device_parent(const struct board_node *n);

/* Nodes whose reg is memory, not device registers: the root, /memory*,
 * device_type "memory", whatever is below /reserved-memory or /cpus. */
bool board_memory_node(const struct board *b, const struct board_node *n);
static inline struct board_node *board_dep_provider(const struct board_node *n, const struct board_dep *e)
{
    return n->board->nodes[e->provider];
}
static inline struct board_node *board_dep_target(const struct board_node *n, const struct board_dep *e)
{
    return n->board->nodes[e->target];
}
static inline struct board_node *board_irq_named(const struct board_node *n, const struct board_irq *i)
{
    return n->board->nodes[i->named];
}
static inline const uint8_t *board_irq_cells(const struct board_node *n, const struct board_irq *i)
{
    return (const uint8_t *)n->board->fdt + i->cells_off;
}

/* The DTS file:line of a node (NOPOS when unknown: a DTB board). */
struct srcpos board_node_pos(const struct board_node *n);
/* The node's first label (from __symbols__), or NULL. */
const char *board_node_label(const struct board_node *n);
/* The CPU index of an MPIDR, or -1. */
int board_cpu_index(const struct board *b, uint64_t mpidr);

/* One entry of a phandle + #<cells> property: the provider node and its
 * argument cells (big-endian, inside the board's blob). */
struct board_spec {
    struct board_node *provider;
    const uint8_t *cells;
    uint32_t ncells;
};
/* The entries of n's `resets`, `power-domains` (any phandle + #<cells>
 * property of the binding table): returns how many there are and stores
 * the first max of them in out (max 0 only counts). */
uint32_t board_specifiers(const struct board_node *n, const char *prop, struct board_spec *out,
                          uint32_t max);
/* Cell k of a specifier. */
static inline uint32_t board_spec_cell(const struct board_spec *s, uint32_t k)
{
    const uint8_t *c = s->cells + 4 * k;
    return (uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 | (uint32_t)c[2] << 8 | c[3];
}

/* `dtpass board`: what the board offers, as text or one JSON document
 * (docs/board-json.md). */
void board_describe(const struct board *b, FILE *out, bool json);

#endif
