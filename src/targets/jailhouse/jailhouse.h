/* targets/jailhouse/jailhouse.h — the Jailhouse target (docs/jailhouse.md):
 * the configurations dtpass derives from a checked system (map.c), in
 * Jailhouse's layout (layout.def, layout.h), written as binary .cell files
 * and as C source (format.c). */
#ifndef DTPASS_JAILHOUSE_H
#define DTPASS_JAILHOUSE_H

#include <stdbool.h>

#include "dtpass.h"
#include "targets/jailhouse/layout.h"
#include "targets/target.h"

/* The target's entry in the registry (targets/registry.c). */
extern const struct hv_target jailhouse_target;

/* A memory region with the comment the C writer puts before it. */
struct jh_region {
    struct jh_memory m;
    const char *what; /* static, or owned by the cell's strings */
};

struct jh_pcidev {
    struct jh_pci_device d;
    const char *what;
};

/* One cell: the descriptor and its arrays, in the order the format has
 * them (CPU set, memory regions, irqchips, PCI devices, stream IDs; dtpass
 * writes no cache regions, PIO regions or PCI capabilities). */
struct jh_cell {
    char *file;       /* output base name: "<guest>" or, for the root, "<system>" */
    uint32_t guest;   /* model index */
    bool root;
    struct jh_cell_desc desc;
    VEC(uint64_t) cpus;
    VEC(struct jh_region) mem;
    VEC(struct jh_irqchip) irqchips;
    VEC(struct jh_pcidev) pci;
    VEC(uint32_t) sids;   /* SMMUv3: the ID; MMU-500: id | mask_out << 16 */
    bool mmu500;          /* how sids are written (the union's member) */
    VEC(char *) strings;  /* comments built for this cell */
};

struct jh_config {
    struct jh_system sys;   /* header; sys.root_cell is cells[root].desc */
    struct jh_cell *cells;  /* model order */
    size_t ncells;
    uint32_t root;
    const char *source;     /* the system file's base name, for the C comments */
};

/* map.c: the configurations of a checked system; reports what Jailhouse
 * cannot express (jailhouse-* check ids, unless quiet: the target's check
 * has reported them already) and returns -1 then. */
int jh_map(struct dtpass_ctx *ctx, struct jh_config *cfg, bool quiet);
void jh_config_free(struct jh_config *cfg);

/* format.c: the binary configuration (the system configuration with its
 * root cell when c->root, else a cell configuration) and the same as C. */
void jh_write_binary(const struct jh_config *cfg, const struct jh_cell *c, struct strbuf *out);
void jh_write_c(const struct jh_config *cfg, const struct jh_cell *c, struct strbuf *out);


#endif
