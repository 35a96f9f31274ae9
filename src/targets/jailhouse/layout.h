/* targets/jailhouse/layout.h — Jailhouse's configuration structures as
 * host structures and as field descriptors, both expanded from the one
 * field table in layout.def (X-macros). The host structures are never
 * written out as they are: format.c walks the descriptors and stores every
 * field little-endian at the offset Jailhouse's packed layout gives it. */
#ifndef DTPASS_JH_LAYOUT_H
#define DTPASS_JH_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#define JH_TYPE_1 uint8_t
#define JH_TYPE_2 uint16_t
#define JH_TYPE_4 uint32_t
#define JH_TYPE_8 uint64_t
#define JH_TYPE(w) JH_TYPE_##w

/* How the C writer prints a value. */
enum jh_kind {
    JK_HEX, JK_DEC, JK_HEX32, JK_BDF,
    JK_ARCH, JK_REVISION, JK_CELL_FLAGS, JK_SYS_FLAGS, JK_MEM_FLAGS, JK_CON_TYPE, JK_CON_FLAGS,
    JK_IOMMU_TYPE, JK_PCI_TYPE, JK_SHMEM_PROTO,
    /* counts Jailhouse's configs write as sizeof/ARRAY_SIZE of the arrays */
    JK_SIZEOF_CPUS, JK_COUNT_MEM, JK_COUNT_IRQCHIPS, JK_COUNT_PCI, JK_COUNT_SIDS,
    JK_VPCI_BASE,
};

/* --- host structures --- */
#define JH_STRUCT(s, csize, ctype) struct jh_##s {
#define JH_U(s, f, w, kind) JH_TYPE(w) f;
#define JH_A(s, f, w, n, kind) JH_TYPE(w) f[n];
#define JH_C(s, f, n) char f[n];
#define JH_T(s, f, sub) struct jh_##sub f;
#define JH_TA(s, f, sub, n) struct jh_##sub f[n];
#define JH_PAD(s, f, n)
#define JH_END(s) };
#include "targets/jailhouse/layout.def"
#undef JH_STRUCT
#undef JH_U
#undef JH_A
#undef JH_C
#undef JH_T
#undef JH_TA
#undef JH_PAD
#undef JH_END

/* --- serialized sizes, checked against the published ones --- */
#define JH_STRUCT(s, csize, ctype) enum { JH_SIZE_##s = 0
#define JH_U(s, f, w, kind) + (w)
#define JH_A(s, f, w, n, kind) + (w) * (n)
#define JH_C(s, f, n) + (n)
#define JH_T(s, f, sub) + JH_SIZE_##sub
#define JH_TA(s, f, sub, n) + JH_SIZE_##sub * (n)
#define JH_PAD(s, f, n) + (n)
#define JH_END(s) };
#include "targets/jailhouse/layout.def"
#undef JH_STRUCT
#undef JH_U
#undef JH_A
#undef JH_C
#undef JH_T
#undef JH_TA
#undef JH_PAD
#undef JH_END

#define JH_STRUCT(s, csize, ctype) _Static_assert(JH_SIZE_##s == (csize), "layout of " #s);
#define JH_U(s, f, w, kind)
#define JH_A(s, f, w, n, kind)
#define JH_C(s, f, n)
#define JH_T(s, f, sub)
#define JH_TA(s, f, sub, n)
#define JH_PAD(s, f, n)
#define JH_END(s)
#include "targets/jailhouse/layout.def"
#undef JH_STRUCT
#undef JH_U
#undef JH_A
#undef JH_C
#undef JH_T
#undef JH_TA
#undef JH_PAD
#undef JH_END

/* --- named values --- */
#define JH_STRUCT(s, csize, ctype)
#define JH_U(s, f, w, kind)
#define JH_A(s, f, w, n, kind)
#define JH_C(s, f, n)
#define JH_T(s, f, sub)
#define JH_TA(s, f, sub, n)
#define JH_PAD(s, f, n)
#define JH_END(s)
#define JH_K(kind, name, value) static const uint64_t name = (value);
#include "targets/jailhouse/layout.def"
#undef JH_K
#define JH_SIG(name, text) static const char name[] = text;
#include "targets/jailhouse/layout.def"
#undef JH_SIG
#undef JH_STRUCT
#undef JH_U
#undef JH_A
#undef JH_C
#undef JH_T
#undef JH_TA
#undef JH_PAD
#undef JH_END

/* --- field descriptors (format.c) --- */
enum jh_ftype { JF_U, JF_A, JF_C, JF_T, JF_TA, JF_PAD };
struct jh_struct;
struct jh_field {
    const char *name;
    enum jh_ftype type;
    uint32_t width, count; /* JF_U/JF_A: bytes per value; JF_A/JF_C/JF_TA/JF_PAD: count */
    size_t off;            /* in the host structure */
    const struct jh_struct *sub;
    enum jh_kind kind;
};
struct jh_struct {
    const char *name, *ctype;
    const struct jh_field *fields;
    size_t nfields;
    size_t size;  /* serialized (packed) */
    size_t hsize; /* host sizeof */
};
#define JH_DECL(s) extern const struct jh_struct jh_struct_##s;
JH_DECL(console)
JH_DECL(memory)
JH_DECL(irqchip)
JH_DECL(pci_device)
JH_DECL(iommu)
JH_DECL(mmu500_sid)
JH_DECL(sid_v3)
JH_DECL(sid_mmu500)
JH_DECL(cell_desc)
JH_DECL(arm_info)
JH_DECL(platform_info)
JH_DECL(system)
#undef JH_DECL

#endif
