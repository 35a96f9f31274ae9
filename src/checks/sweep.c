/* checks/sweep.c — the two algorithms the overlap checks share: the
 * sort-and-sweep over closed intervals with owners (memory, IPA maps, MMIO
 * pages) and stream-ID set intersection (exact IDs, iommu-map ranges,
 * SMMUv2 ID/mask patterns). Pure functions; tests/unit/test_checks.c. */
#include "checks/internal.h"

static int ival_cmp(const void *pa, const void *pb)
{
    const struct ck_ival *a = pa, *b = pb;
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    if (a->hi != b->hi)
        return a->hi < b->hi ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->owner != b->owner)
        return a->owner < b->owner ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static bool same_owner(const struct ck_ival *a, const struct ck_ival *b)
{
    return a->kind == b->kind && a->owner == b->owner;
}

/* After sorting by start, an interval conflicts with an earlier one iff the
 * earlier intervals of other owners reach it. Keeping the furthest-reaching
 * interval (top1) and the furthest-reaching one whose owner differs from
 * top1's (top2) answers that in O(1): if top1 has another owner it is the
 * best witness, otherwise top2 is. */
size_t ck_sweep(struct ck_ival *v, size_t n, ck_pair_fn fn, void *arg)
{
    size_t calls = 0;
    const struct ck_ival *top1 = NULL, *top2 = NULL;
    ck_sort(v, n, sizeof(*v), ival_cmp);
    for (size_t i = 0; i < n; i++) {
        const struct ck_ival *x = &v[i];
        const struct ck_ival *w = NULL;
        if (top1 && top1->hi >= x->lo && !same_owner(top1, x))
            w = top1;
        else if (top2 && top2->hi >= x->lo && !same_owner(top2, x))
            w = top2;
        if (w) {
            fn(arg, w, x);
            calls++;
        }
        if (!top1 || x->hi > top1->hi) {
            if (top1 && !same_owner(top1, x))
                top2 = top1;
            top1 = x;
        } else if (!same_owner(top1, x) && (!top2 || x->hi > top2->hi)) {
            top2 = x;
        }
    }
    return calls;
}

/* A range with a mask makes no sense in a DT; treat it conservatively as
 * the range spanning every ID it could mean. */
static struct ck_sidset normalise(struct ck_sidset s)
{
    if (s.count > 1 && s.mask) {
        uint64_t lo = s.sid & ~s.mask, hi = (uint64_t)(s.sid | s.mask) + s.count - 1;
        s.sid = (uint32_t)lo;
        s.count = (uint32_t)(hi - lo + 1 > UINT32_MAX ? UINT32_MAX : hi - lo + 1);
        s.mask = 0;
    }
    if (s.count == 0)
        s.count = 1;
    return s;
}

uint64_t ck_sid_lo(struct ck_sidset s)
{
    s = normalise(s);
    return s.mask ? (uint64_t)(s.sid & ~s.mask) : s.sid;
}

uint64_t ck_sid_hi(struct ck_sidset s)
{
    s = normalise(s);
    return s.mask ? (uint64_t)(s.sid | s.mask) : (uint64_t)s.sid + s.count - 1;
}

/* Fixed bits (outside mask) must equal the pattern's; free bits are
 * anything. Find the highest fixed bit where lo disagrees: if lo has 0
 * where 1 is needed, set it and take the smallest tail; if lo has 1 where 0
 * is needed, carry into the lowest free 0 bit above it. */
uint64_t ck_sid_next_match(uint64_t lo, uint32_t pat, uint32_t mask)
{
    const uint64_t free_bits = mask; /* bits 32..63 are fixed at 0 */
    const uint64_t fixed = pat & ~(uint64_t)mask;
    uint64_t diff = (lo ^ fixed) & ~free_bits;
    if (!diff)
        return lo;
    int p = 63 - __builtin_clzll(diff);
    uint64_t below_p = (1ull << p) - 1;
    if (fixed & (1ull << p)) /* lo has 0, need 1 */
        return (lo & ~(below_p | (1ull << p))) | (1ull << p) | (fixed & below_p);
    for (int q = p + 1; q < 64; q++) {
        uint64_t bit = 1ull << q;
        if ((free_bits & bit) && !(lo & bit)) {
            uint64_t below_q = bit - 1;
            return (lo & ~(below_q | bit)) | bit | (fixed & below_q);
        }
    }
    return UINT64_MAX;
}

bool ck_sid_intersect(struct ck_sidset a, struct ck_sidset b)
{
    a = normalise(a);
    b = normalise(b);
    if (!a.mask && !b.mask) /* two ranges */
        return ck_sid_lo(a) <= ck_sid_hi(b) && ck_sid_lo(b) <= ck_sid_hi(a);
    if (a.mask && b.mask) {
        uint32_t care = ~(a.mask | b.mask);
        return (a.sid & care) == (b.sid & care);
    }
    if (a.mask) { /* b is the range */
        struct ck_sidset t = a;
        a = b;
        b = t;
    }
    uint64_t v = ck_sid_next_match(a.sid, b.sid, b.mask);
    return v != UINT64_MAX && v <= ck_sid_hi(a);
}
