/* checks/units.h — the board's assignable units: the smallest sets of
 * devices that must have one owner, why, and what each needs (units.c).
 * `dtpass board --groups` prints them; `dtpass init` writes a system from
 * them. They need only the board. */
#ifndef DTPASS_CHECKS_UNITS_H
#define DTPASS_CHECKS_UNITS_H

#include "board/board.h"

enum unit_why_kind {
    UNIT_PAGE, /* value: a 4 KiB MMIO page both use */
    UNIT_IRQ,  /* value: the INTID of a shared peripheral interrupt */
    UNIT_SID,  /* value: a stream ID both match on `where` (the SMMU) */
    UNIT_PCI,  /* value: the requester ID iommu-map-mask folds them to, below `where` */
};

/* Why x and y are in one unit. y may be the GIC or an SMMU (the
 * hypervisor's). */
struct unit_reason {
    enum unit_why_kind kind;
    const struct board_node *x, *y;
    uint64_t value;
    const struct board_node *where;
};

/* A provider a unit references (`prop` of `from`, a node of the unit). */
struct unit_need {
    const struct board_node *node;
    const struct board_node *from;
    const char *prop;
    uint32_t unit; /* the unit holding node (needs), or UINT32_MAX */
};

struct unit {
    uint32_t id; /* position in units.v */
    VEC(const struct board_node *) devices; /* in board order; each with its subtree */
    VEC(struct unit_reason) why;            /* one reason per join: a spanning tree */
    VEC(struct unit_need) needs;            /* providers with resources: give them too, or drop */
    VEC(struct unit_need) comes;            /* resource-free providers: copied along */
    bool hypervisor;                        /* shares a page, line or stream with the GIC or an SMMU */
    bool dma;                               /* a DMA master is in it */
    bool smmu, reset, power_domain;         /* what can stop its DMA */
};

struct units {
    struct unit *v;
    size_t n;
};

int board_units(const struct board *b, struct units *out);
void units_free(struct units *u);

#endif
