/* checks/internal.h — what the check families share: the check context
 * (who owns which board node, built once per run), the reporting helpers
 * that count findings for the prerequisite logic, the interval sweep every
 * overlap check uses, and stream-ID matching. Nothing here changes the model
 * or the board. */
#ifndef DTPASS_CHECKS_INTERNAL_H
#define DTPASS_CHECKS_INTERNAL_H

#include "checks/checks.h"

#define CK_PAGE ((uint64_t)0x1000)

/* Owners: the hypervisor, each guest, each shared region. */
#define OWNER_NONE UINT32_MAX
#define OWNER_HYP 0u
static inline uint32_t owner_guest(size_t g) { return (uint32_t)g + 1; }

struct ck {
    struct dtpass_ctx *ctx;
    const struct system *sys;
    const struct board *b;
    struct diag_sink *d;
    size_t found; /* problems the running check found (reported or not) */

    /* Ownership of board nodes, by node index: the first owner that claims a
     * node wins (a second claim is dev-owner's finding, and every other
     * check sees the node once, so one mistake is reported once). */
    uint32_t *owner;
    const struct sys_ref **owner_ref;     /* the winning claim as written */
    const struct sys_device **owner_dev; /* the guest's entry, NULL for the hypervisor */
};

/* An owner for messages: "guest linux", "the hypervisor" (in buf). */
const char *ck_owner_str(const struct ck *c, uint32_t owner, char *buf, size_t len);
/* The guest name of an owner ("the hypervisor" for OWNER_HYP). */
const char *ck_owner_name(const struct ck *c, uint32_t owner);

/* Reports a finding of the running check and counts it (even when the
 * check is disabled, so prerequisites still work). */
struct diag *ck_report_sev(struct ck *c, enum check_id id, enum severity sev, struct srcpos pos,
                           const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A finding at the check's own severity (ck_report_sev caps sev at it). */
#define ck_report(c, id, pos, ...) ck_report_sev(c, id, SEV_ERROR, pos, __VA_ARGS__)
/* Attaches a board node: its path, and its DTS position when known. */
void ck_node(struct diag *d, const struct board_node *n);
/* A note at a system-file position about a board node (n may be NULL). */
void ck_note(struct diag *d, struct srcpos pos, const struct board_node *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The SMMU's stream-ID width (resolved: struct smmu_limits). */
uint32_t ck_sid_bits(const struct ck *c, const struct board_smmu *smmu);

/* qsort, except that empty arrays (NULL vectors) are fine. */
static inline void ck_sort(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(v, n, size, cmp);
}

/* --- interval sweep ------------------------------------------------------ */

/* A closed interval [lo, hi] with an owner. Two intervals conflict when
 * they intersect and their (kind, owner) differ. idx is the caller's. */
struct ck_ival {
    uint64_t lo, hi;
    uint64_t owner;
    uint32_t kind;
    uint32_t idx;
};
typedef void (*ck_pair_fn)(void *arg, const struct ck_ival *earlier, const struct ck_ival *later);

/* Sorts v and calls fn once for every interval that intersects an
 * earlier-starting interval of a different owner (paired with one of them):
 * O(n log n), and every conflicting interval is reported once. Returns the
 * number of calls. */
size_t ck_sweep(struct ck_ival *v, size_t n, ck_pair_fn fn, void *arg);

/* --- stream IDs ------------------------------------------------------------ */

/* A set of stream IDs on one SMMU: sid..sid+count-1 (mask 0), or the SMMUv2
 * pattern (sid, mask): every s with (s & ~mask) == (sid & ~mask). */
struct ck_sidset {
    uint32_t sid, mask, count;
};
/* Smallest stream ID in the set and largest (for range checks and sweeps). */
uint64_t ck_sid_lo(struct ck_sidset s);
uint64_t ck_sid_hi(struct ck_sidset s);
/* Some stream ID belongs to both sets. SMMUv2 rule for two patterns: they
 * match a common ID iff (a.sid & ~(a.mask|b.mask)) == (b.sid & ~(a.mask|b.mask)). */
bool ck_sid_intersect(struct ck_sidset a, struct ck_sidset b);
/* Smallest v >= lo with (v & ~mask) == (pat & ~mask), or UINT64_MAX. */
uint64_t ck_sid_next_match(uint64_t lo, uint32_t pat, uint32_t mask);

/* --- what owners share ------------------------------------------------------
 * The collectors the isolation checks and the assignable units (units.c)
 * have in common: each reads c->owner (and the implicit owners: the GIC and
 * the SMMUs are the hypervisor's), so a check finds resources shared by
 * different owners, and units.c, which makes every device its own owner,
 * finds the devices that cannot be split. */

/* MMIO pages: one interval per reg entry of an owned node, widened to 4 KiB
 * pages, with idx its position in *nodes. Returns the interval count. */
size_t ck_page_ivals(const struct ck *c, struct ck_ival **iv, const struct board_node ***nodes);

/* Shared peripheral interrupts (INTID >= 32) of owned nodes, sorted by
 * (INTID, owner, node). */
struct ck_irq_use {
    uint32_t intid;
    uint32_t owner;
    const struct board_node *node;
};
size_t ck_irq_uses(const struct ck *c, struct ck_irq_use **out);

/* One stream-ID set of an owned device on one SMMU. */
struct ck_sid_use {
    uint32_t smmu; /* index in board.smmus */
    struct ck_sidset set;
    uint64_t lo, hi;
    uint32_t owner;
    const struct board_node *node;
    struct srcpos pos;
    uint32_t order;
};
size_t ck_collect_sids(const struct ck *c, struct ck_sid_use **out);
/* Calls fn for sets of different owners that match a common stream on one
 * SMMU, x the later set: for each set the first such earlier set, or
 * (every) each of them. Sorts u. */
typedef void (*ck_sid_pair_fn)(void *arg, const struct ck_sid_use *x, const struct ck_sid_use *y);
void ck_sid_sweep(struct ck_sid_use *u, size_t n, bool every, ck_sid_pair_fn fn, void *arg);

/* PCI endpoints below a host bridge whose iommu-map-mask folds requester
 * IDs, sorted by (bridge, masked RID, owner, node); whole[bridge index] is
 * the bridge itself when owned (it stands for every RID). */
struct ck_pci_use {
    uint32_t bridge; /* node index */
    uint32_t rid;    /* masked */
    uint32_t owner;
    const struct board_node *node;
};
const struct board_sid *ck_pci_aliasing_map(const struct board_node *p);
size_t ck_pci_uses(const struct ck *c, struct ck_pci_use **out, const struct board_node ***whole);

/* --- the families -------------------------------------------------------- */

int check_align(struct ck *c);
int check_range_wrap(struct ck *c);
int check_mem_not_ram(struct ck *c);
int check_mem_overlap(struct ck *c);
int check_ipa_overlap(struct ck *c);
int check_dev_owner(struct ck *c);
int check_mmio_page_shared(struct ck *c);
int check_mmio_in_ram(struct ck *c);
int check_irq_owner(struct ck *c);
int check_virq_conflict(struct ck *c);
int check_sid_owner(struct ck *c);
int check_sid_range(struct ck *c);
int check_dma_no_iommu(struct ck *c);
int check_dma_reset(struct ck *c);
int check_quiesce_shared(struct ck *c);
int check_dep_unowned(struct ck *c);
int check_dev_parent(struct ck *c);
int check_bus_reduced(struct ck *c);
int check_irq_parent(struct ck *c);
int check_cpu_owner(struct ck *c);
int check_vmid(struct ck *c);
int check_shm_peer(struct ck *c);
int check_status_disabled(struct ck *c);

/* The function table (registry.c), indexed by enum check_id (fn is NULL
 * for the ids other stages report): a check runs after its prerequisites
 * and is skipped when one of them found a problem. */
struct check_def {
    int (*fn)(struct ck *c);
    uint64_t prereqs; /* CK_BIT() set */
};
extern const struct check_def check_defs[CK_COUNT];
/* The isolation checks in the order checks_run() runs them. */
extern const enum check_id check_order[];
extern const size_t check_order_len;

/* Builds the ownership tables; frees them. */
void ck_init(struct ck *c, struct dtpass_ctx *ctx);
void ck_free(struct ck *c);

/* VMIDs: 8 bits, see docs/checks.md#vmid. */
#define CK_VMID_MAX 255u
/* Largest SPI number a GIC can have: INTID 1019. */
#define CK_SPI_MAX 987u

#endif
