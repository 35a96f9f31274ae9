/* board/internal.h — what the board's source files share and nobody else
 * sees: the arena that owns every derived array, per-node scratch data used
 * while loading, and the loading steps in the order board_load() calls them. */
#ifndef DTPASS_BOARD_INTERNAL_H
#define DTPASS_BOARD_INTERNAL_H

#include <stdarg.h>

#include "board/board.h"

/* Everything derived from the blob (paths, mmio, irqs, sids, deps) lives
 * in the store's arena until board_free(), which drops the blocks at once. */
#include "util/arena.h"

#define CELLS_ABSENT UINT32_MAX

/* A compatible pattern, a fnmatch(3) glob, with what its match needs
 * decided once at load: nearly every pattern is literal text with one or
 * two '*', so its literal head and tail reject most strings at once. */
struct class_pattern {
    const char *glob;
    uint32_t len;   /* strlen(glob) */
    uint32_t head;  /* literal bytes before the first '*' (len if none) */
    uint32_t tail;  /* literal bytes after the last '*' (0 if none) */
    uint32_t stars; /* number of '*' */
    bool fnmatch;   /* has '?', '[' or '\\': fnmatch(3) decides */
};

/* One device-class entry (schemas/device-classes.yaml or --classes). */
struct dev_class {
    const char *name;
    bool dma_master;
    VEC(struct class_pattern) patterns;
};

struct board_store {
    struct arena arena;
    struct board_node *node_array; /* b->nodes[i] == &node_array[i] */
    /* Own #address-cells / #size-cells / #interrupt-cells of each node
     * (CELLS_ABSENT when the property is missing), by node index. */
    uint32_t *acells, *scells, *icells;
    /* Memo of the interrupt parent (Linux of_irq_find_parent rules). */
    struct board_node **irq_parent;
    uint8_t *irq_parent_state; /* 0 unknown, 1 in progress, 2 done */
    VEC(struct dev_class) classes; /* user classes first, then built-in */
    struct strmap class_cache;     /* compatible string -> matched class + 1 (or a miss marker) */
    VEC(char *) owned;             /* strings owned by the store (class data) */
    struct dts_positions *positions; /* a DTS board's node positions, made on demand (dtc.c) */
};

struct dts_positions;

/* The loading context. */
struct bload {
    struct board *b;
    struct diag_sink *d;
    struct board_store *s;
    const struct board_options *opt;
    /* interrupt-map entries that nexus resolution may still visit: a
     * hostile board with a huge map and many specifiers is refused, not
     * walked for hours. */
    uint64_t nexus_budget;
};

/* A node-local defect: a board-invalid warning on n, remembered in
 * n->defect (the first one) so that using the node becomes an error. */
struct diag *node_defect(struct bload *c, struct board_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A board-invalid error: the board as a whole is unusable (board_load
 * fails). n may be NULL. */
struct diag *board_invalid(struct bload *c, const struct board_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* dtc.c: compiles a DTS with the real dtc (through cpp when it has
 * #include); on success *blob and *size hold the DTB (malloc'd). Records every
 * file read in b->inputs. */
int board_compile_dts(struct bload *c, const char *file, void **blob, size_t *size);

/* dtc.c: the tree is built; from now on board_node_pos may ask for the
 * positions of a DTS board. */
void board_apply_positions(struct bload *c);
/* dtc.c: per node its DTS position, from a dtc -T run made on the first
 * call (a memo in the store, not part of the model), or NULL. */
const struct srcpos *board_lazy_positions(const struct board *b);
void board_positions_free(struct dts_positions *p);

/* derive.c: everything from the DT rules, after the tree is built. */
void board_derive(struct bload *c);

/* classes.c: loads the built-in and user device-class data; then marks
 * DMA masters. */
int board_classes_load(struct bload *c);
void board_classes_free(struct board_store *s);
/* The class matching one of n's compatible strings (in their order), and
 * the string that matched; NULL when none. */
const struct dev_class *board_class_match(struct bload *c, const struct board_node *n,
                                          const char **matched);

/* Whether a string-list property (absent: false) contains s. */
bool prop_list_has(const struct board_prop *p, const char *s);
/* Cell i of a property (big-endian; the caller checks the length). */
static inline uint32_t prop_cell(const struct board_prop *p, uint32_t i)
{
    return get_be32(p->val + 4 * (size_t)i);
}

#endif
