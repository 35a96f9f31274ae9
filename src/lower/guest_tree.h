/* lower/guest_tree.h — the per-guest device tree as an in-memory tree
 * (nodes, properties, phandles), carved from the board by guest_tree.c and
 * serialised by emit/guest_dt.c (DTS and DTB from the same tree).
 *
 * The carving steps are separate functions so other outputs can reuse the
 * same lowering (Xen passthrough fragments: the same reg/IRQ rewrites, the
 * same provider copying, the same dropped properties, but a different
 * parent node and a different GIC phandle). The rules are documented in
 * docs/guest-dt.md. */
#ifndef DTPASS_GUEST_TREE_H
#define DTPASS_GUEST_TREE_H

#include <stdbool.h>
#include <stdint.h>

#include "dtpass.h"

struct arena;

struct gt_prop {
    const char *name;   /* board string, static, or tree arena */
    const uint8_t *val; /* big-endian bytes: the board's blob or tree arena */
    uint32_t len;
};

/* How a node came to be; also its sort class among siblings. */
enum gt_kind {
    GT_SYNTH = 0,     /* made by dtpass: /cpus, /psci, /memory, the vGIC ... */
    GT_BUS = 1,       /* a board address bus above a device: kept as on the board
                       * (board_bus) or re-created as an identity-mapped simple-bus */
    GT_CONTAINER = 2, /* a board ancestor without `ranges`, copied (no resources) */
    GT_DEVICE = 3,    /* an assigned device (or a node of its subtree) */
    GT_PROVIDER = 4,  /* a resource-free provider copied for a reference */
};

struct gt_node {
    char *name; /* "serial@9000000"; "" for the root (tree arena) */
    struct gt_node *parent;
    VEC(struct gt_prop) props;
    VEC(struct gt_node *) children;
    const struct board_node *bn; /* board counterpart, or NULL */
    enum gt_kind kind;
    uint32_t order;   /* sort key among siblings: synthesized nodes first in
                       * creation order, board nodes in board order */
    uint32_t phandle; /* 0 when none */
    bool scanned;     /* phandle references already processed */
    bool irq_pending, map_pending; /* interrupts / interrupt-map still to rewrite */
    bool board_bus;   /* GT_BUS copied as on the board (gt_build_guest: identity placement) */
    uint32_t irq_slot; /* where the interrupt properties go among props */
};

/* Where and how devices are placed (guest DT vs. Xen passthrough). */
struct gt_options {
    /* Interrupt parent of every rewritten GIC interrupt: the vGIC's phandle. */
    uint32_t gic_phandle;
    /* NULL: devices and providers mirror their board path (buses re-created).
     * Else: every device and provider goes directly under this node. */
    struct gt_node *flat_parent;
};

struct guest_tree {
    const struct sys_guest *g;
    uint32_t guest_index;
    struct gt_node *root;
    struct gt_options opt;
    uint32_t next_phandle; /* for nodes without a board phandle */
    struct strmap by_board_path; /* board path -> gt_node (board nodes placed) */
    struct strmap names;         /* "<parent>/<name>" of every node: unique names */
    /* pintid -> vintid of every interrupt routed to this guest, sorted. */
    struct gt_irqmap { uint32_t pintid, vintid; } *irqmap;
    size_t nirqmap;
    /* CPU physical windows of the guest's devices (resolved regs), sorted. */
    struct board_range *pawin;
    size_t npawin;
    VEC(struct gt_node *) pending; /* nodes whose references are not scanned yet */
    /* Address buses are copied as on the board (name, compatible, cells,
     * ranges) and device regs kept as written, rather than re-created as
     * 2+2-cell identity simple-buses: every device of the guest sits at its
     * board address (docs/guest-dt.md). Set by gt_build_guest. */
    bool board_buses;
    /* What could not be carried as the board has it ("<board path>: why"):
     * a non-empty list fails the build (emit_guest_dt), never a silent loss. */
    VEC(char *) lost;
    struct arena *arena;
    uint32_t nsynth; /* creation counter for synthesized nodes' order */
};

/* Owner of every assigned board node (guest index, or GT_OWNER_HYP), shared
 * by all guests' carving. */
#define GT_OWNER_HYP UINT32_MAX
struct gt_owners {
    struct strmap by_path; /* board path -> (owner + 1) cast to a pointer */
};
void gt_owners_build(struct gt_owners *o, const struct dtpass_ctx *ctx);
void gt_owners_free(struct gt_owners *o);

/* --- tree building blocks --- */
struct guest_tree *gt_new(const struct dtpass_ctx *ctx, uint32_t guest_index);
void gt_free(struct guest_tree *t);
void *gt_alloc(struct guest_tree *t, size_t n);
char *gt_strdup(struct guest_tree *t, const char *s);
struct gt_node *gt_node_add(struct guest_tree *t, struct gt_node *parent, const char *name,
                            enum gt_kind kind, const struct board_node *bn);
/* Sets (replaces, or appends) a property; val is copied into the tree. */
void gt_prop_set(struct guest_tree *t, struct gt_node *n, const char *name, const void *val,
                 uint32_t len);
void gt_prop_cells(struct guest_tree *t, struct gt_node *n, const char *name,
                   const uint32_t *cells, size_t ncells);
void gt_prop_str(struct guest_tree *t, struct gt_node *n, const char *name, const char *s);
void gt_prop_empty(struct guest_tree *t, struct gt_node *n, const char *name);
const struct gt_prop *gt_prop_get(const struct gt_node *n, const char *name);
bool gt_prop_del(struct gt_node *n, const char *name);
/* A node's path in the guest tree (allocated). */
char *gt_path(const struct gt_node *n);
/* Detaches n from its parent and frees it (and its subtree). */
void gt_node_remove(struct gt_node *n);
/* Stable order: sorts every node's children by (kind class, order). */
void gt_sort(struct gt_node *n);

/* --- carving (reusable) --- */

/* Copies one assigned device (and its subtree, minus nodes owned by others)
 * into the tree: under opt.flat_parent, or at its board path with its
 * ancestor buses re-created. reg is rewritten to IPAs from the resolved
 * regs, interrupts to the vGIC with remapped numbers, iommus/iommu-map/
 * msi-parent and the `drop:` properties removed. Phandle references are
 * scanned later by gt_copy_providers(). Returns the new node. */
struct gt_node *gt_copy_device(const struct dtpass_ctx *ctx, struct guest_tree *t,
                               const struct gt_owners *owners, const struct sys_device *dev);

/* Follows every phandle reference of the nodes copied so far (the board's
 * decoded n->deps): references to nodes in the tree stay; resource-free
 * providers (fixed clocks, fixed regulators ...) are copied with their
 * containers, with their own references, transitively; any other reference
 * is recorded in t->lost and fails the build. Board phandle values are kept
 * (docs/guest-dt.md). */
void gt_copy_providers(const struct dtpass_ctx *ctx, struct guest_tree *t,
                       const struct gt_owners *owners);

/* Which cells of a property of guest node n are phandles (isph[i] for cell
 * i; the property's length is a multiple of 4). Knows the board's binding table
 * (board_ref_rule and the general rule), interrupt-parent, interrupts-extended and
 * interrupt-map; providers are looked up in the guest tree with
 * lookup(phandle). Returns false when the property holds no phandles or
 * cannot be parsed. */
bool gt_prop_phandles(const struct gt_node *n, const struct gt_prop *p,
                      const struct gt_node *(*lookup)(void *arg, uint32_t phandle), void *arg,
                      bool *isph);

/* Rewrites one GIC interrupt (INTID) to the guest's number. */
uint32_t gt_map_intid(const struct guest_tree *t, uint32_t pintid);

/* The whole guest DT (SPEC §5) for guest i. */
struct guest_tree *gt_build_guest(const struct dtpass_ctx *ctx, const struct gt_owners *owners,
                                  uint32_t guest_index);

/* What a hypervisor target changes in the guest DT. shared_peer, when set,
 * replaces the generic /reserved-memory window and dtpass,shmem node of
 * each shared-region window of the guest (called in IPA order; QNX adds its
 * qvm,guest_shm device there); t->opt.gic_phandle is the interrupt parent. */
struct gt_hooks {
    void (*shared_peer)(void *arg, struct guest_tree *t, const struct sys_shared *s,
                        const struct sys_peer *p);
    void *arg;
};
struct guest_tree *gt_build_guest_hooked(const struct dtpass_ctx *ctx, const struct gt_owners *owners,
                                         uint32_t guest_index, const struct gt_hooks *hooks);

#endif
