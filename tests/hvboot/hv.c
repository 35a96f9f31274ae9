/* tests/hvboot/hv.c — a test hypervisor that runs dtpass's stage-2 tables
 * on QEMU's MMU (tests/suite-hvboot.sh). It is built freestanding for
 * AArch64 together with the blob reader (src/dtpb/reader.c), reads
 * system.dtpb (loaded at BLOB_PA), and for every guest: points VTTBR_EL2 /
 * VTCR_EL2 at the guest's tables in hvdata.bin (loaded at its load-map
 * address), copies a small guest program into the guest's RAM and runs it
 * at EL1. The guest stores a magic value through its first RAM mapping,
 * through its first shared window, writes to its UART if it has the PL011,
 * and loads from an IPA the guest does not own. The hypervisor checks, with
 * its own MMU off (physical addresses), that the stores landed at the
 * physical addresses the blob promises, that a store to a read-only window
 * took a stage-2 permission fault and changed nothing, and that the foreign
 * IPA took a stage-2 translation fault at exactly that IPA.
 *
 * At boot it enables QEMU's SMMUv3 (-M virt,iommu=smmuv3) with the blob's
 * STRTAB_BASE, STRTAB_BASE_CFG, CR1, CR2 and CR0 and a command queue of its
 * own. Then it reboots guest 0 the way docs/dtpb.md's reboot sequence says,
 * from the quiesce plan (sections 15, 16): every STE of the guest's streams
 * is switched to abort and the SMMU told (CMD_CFGI_STE per stream, then
 * CMD_TLBI_S12_VMALL and CMD_SYNC; each command must be consumed without a
 * CMDQ or global error), its RAM is scrubbed, and the hypervisor checks
 * that those streams now abort in the table the SMMU reads, that every
 * other guest's STE is byte-for-byte what it was at boot and that the other
 * guests' memory still holds what they wrote. It restores the guest's STEs
 * from their boot copy (with CMD_CFGI_STE again) and runs the guest again,
 * then runs the other guests again on the state they kept. No DMA is
 * driven: QEMU's virt SMMUv3 fronts only PCIe, and the model in QEMU 7.2
 * (Debian 12) rejects every stage-2 STE (C_BAD_STE), so a PCI master such
 * as QEMU's edu device could not show the difference between a guest's
 * STE and an aborting one; QEMU 8.1 added stage 2.
 * Prints "hv: PASS" or "hv: FAIL ..." on the PL011 and powers off. */
#include <stddef.h>
#include <stdint.h>

#include "dtpass/dtpb.h"

#define UART_PA 0x09000000ul
#define BLOB_PA 0x43f00000ul
#define BLOB_MAX 0x00100000ul
#define GUEST_CODE_OFF 0x2000ul
#define MAGIC_OFF 0x1000ul

extern const uint8_t guest_code[], guest_code_end[];
uint64_t run_guest(uint64_t entry, const uint64_t args[6]);

/* Written by the trap path in start.S. */
uint64_t saved_sp, guest_x4, fault_count, fault_esr, fault_hpfar;
static int failures;

void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *a = d;
    const uint8_t *b = s;
    while (n--)
        *a++ = *b++;
    return d;
}
void *memset(void *d, int c, size_t n)
{
    uint8_t *a = d;
    while (n--)
        *a++ = (uint8_t)c;
    return d;
}

static void putc_(char c)
{
    *(volatile uint32_t *)UART_PA = (uint32_t)(uint8_t)c;
}
static void puts_(const char *s)
{
    while (*s)
        putc_(*s++);
}
static void hex(uint64_t v)
{
    puts_("0x");
    int started = 0;
    for (int i = 60; i >= 0; i -= 4) {
        unsigned d = (v >> i) & 0xf;
        if (d || started || i == 0) {
            putc_((char)(d < 10 ? '0' + d : 'a' + d - 10));
            started = 1;
        }
    }
}

static void fail(const char *guest, const char *what, uint64_t v)
{
    puts_("hv: FAIL ");
    puts_(guest);
    puts_(": ");
    puts_(what);
    putc_(' ');
    hex(v);
    putc_('\n');
    failures++;
}

void hv_unexpected(uint64_t esr, uint64_t elr, uint64_t far);
void hv_unexpected(uint64_t esr, uint64_t elr, uint64_t far)
{
    puts_("hv: FAIL unexpected exception esr ");
    hex(esr);
    puts_(" elr ");
    hex(elr);
    puts_(" far ");
    hex(far);
    putc_('\n');
    puts_("hv: done\n");
    register uint64_t x0 __asm__("x0") = 0x84000008;
    __asm__ volatile("smc #0" : : "r"(x0));
}

static uint64_t rd64(uint64_t pa) { return *(volatile uint64_t *)pa; }
static void wr64(uint64_t pa, uint64_t v) { *(volatile uint64_t *)pa = v; }

static uint64_t guest_magic(uint32_t gi)
{
    return 0x5a5a000000000000ull | ((uint64_t)gi << 32) | 0x1234;
}

static int find_map(const struct dtpb *b, uint32_t gi, uint32_t kind, struct dtpb_memmap *out)
{
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_MEMMAP); i++) {
        dtpb_memmap(b, i, out);
        if (out->guest == gi && out->kind == kind)
            return 1;
    }
    return 0;
}

static int owns_ipa(const struct dtpb *b, uint32_t gi, uint64_t ipa)
{
    struct dtpb_memmap m;
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_MEMMAP); i++) {
        dtpb_memmap(b, i, &m);
        if (m.guest == gi && ipa >= m.ipa && ipa - m.ipa < m.size)
            return 1;
    }
    return 0;
}

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* The UART data register IPA if the guest has the PL011, else 0. */
static uint64_t guest_uart(const struct dtpb *b, uint32_t gi)
{
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_DEVREGS); i++) {
        struct dtpb_devreg r;
        struct dtpb_device d;
        dtpb_devreg(b, i, &r);
        dtpb_device(b, r.device, &d);
        if (d.guest == gi && streq(dtpb_str(b, d.path), "/pl011@9000000"))
            return r.ipa;
    }
    return 0;
}

static void run_one(const struct dtpb *b, uint32_t gi)
{
    struct dtpb_guest g;
    struct dtpb_memmap ram, shm, other;
    dtpb_guest(b, gi, &g);
    const char *name = dtpb_str(b, g.name);
    if (!find_map(b, gi, DTPB_MAP_RAM, &ram)) {
        fail(name, "no RAM mapping", 0);
        return;
    }
    int has_shm = find_map(b, gi, DTPB_MAP_SHARED, &shm);
    uint64_t magic = guest_magic(gi);
    uint64_t shm_before = has_shm ? rd64(shm.pa) : 0;

    /* A foreign IPA: the physical address of another guest's mapping (RAM,
     * window or device), where this guest has nothing. */
    uint64_t probe = 0;
    for (uint32_t k = 0; k < dtpb_count(b, DTPB_SEC_MEMMAP) && !probe; k++) {
        dtpb_memmap(b, k, &other);
        if (other.guest != gi && !owns_ipa(b, gi, other.pa))
            probe = other.pa;
    }

    memcpy((void *)(ram.pa + GUEST_CODE_OFF), guest_code,
           (size_t)(guest_code_end - guest_code));
    wr64(ram.pa + MAGIC_OFF, 0);
    __asm__ volatile("dsb sy; ic iallu; dsb sy; isb" ::: "memory");

    uint64_t vttbr = g.s2_root | ((uint64_t)(g.vmid & 0xff) << 48);
    __asm__ volatile("msr vtcr_el2, %0; msr vttbr_el2, %1; isb" : : "r"(g.vtcr), "r"(vttbr));
    /* HCR_EL2: VM (stage 2 on), RW (EL1 is AArch64). */
    __asm__ volatile("msr hcr_el2, %0; isb" : : "r"((1ull << 31) | 1ull));
    /* SCTLR_EL1: RES1 bits, MMU and caches off: guest VA = IPA. */
    __asm__ volatile("msr sctlr_el1, %0; isb" : : "r"(0x30d00800ull));
    __asm__ volatile("tlbi vmalls12e1; dsb sy; isb" ::: "memory");

    fault_count = 0;
    fault_esr = 0;
    fault_hpfar = 0;
    uint64_t args[6] = {ram.ipa + MAGIC_OFF, 0, guest_uart(b, gi), magic, 0,
                        has_shm ? shm.ipa : 0};
    uint64_t expected_faults = 0;

    /* Run 1: RAM, UART, shared window. */
    run_guest(ram.ipa + GUEST_CODE_OFF, args);
    if (rd64(ram.pa + MAGIC_OFF) != magic)
        fail(name, "RAM store did not reach PA", ram.pa + MAGIC_OFF);
    if (guest_x4 != magic)
        fail(name, "RAM load returned", guest_x4);
    if (has_shm) {
        if (shm.perm & DTPB_PERM_W) {
            if (rd64(shm.pa) != magic)
                fail(name, "shared store did not reach PA", shm.pa);
        } else {
            expected_faults = 1;
            /* DFSC 0b0011xx: permission fault; HPFAR holds the IPA page. */
            if (fault_count != 1 || ((fault_esr & 0x3c) != 0x0c) ||
                ((fault_hpfar >> 4) << 12) != shm.ipa)
                fail(name, "read-only window store: esr", fault_esr);
            if (rd64(shm.pa) != shm_before)
                fail(name, "read-only window changed at PA", shm.pa);
        }
    }
    if (fault_count != expected_faults)
        fail(name, "unexpected stage-2 faults", fault_count);

    /* Run 2: the foreign IPA must take a translation fault at that IPA. */
    if (probe) {
        fault_count = 0;
        uint64_t args2[6] = {ram.ipa + MAGIC_OFF, probe, 0, magic, 0, 0};
        run_guest(ram.ipa + GUEST_CODE_OFF, args2);
        /* DFSC 0b0001xx: translation fault. */
        if (fault_count != 1 || (fault_esr & 0x3c) != 0x04 ||
            ((fault_hpfar >> 4) << 12) != (probe & ~0xfffull))
            fail(name, "foreign IPA did not fault: esr", fault_esr);
    }
    puts_("hv: guest ");
    puts_(name);
    puts_(" ram ");
    hex(ram.ipa);
    puts_("->");
    hex(ram.pa);
    if (has_shm) {
        puts_(shm.perm & DTPB_PERM_W ? " shared-rw " : " shared-ro ");
        hex(shm.ipa);
    }
    if (probe) {
        puts_(" foreign ");
        hex(probe);
    }
    puts_(" checked\n");
}

/* ---- the SMMUv3 itself (IHI 0070): enabled with the blob's register
 * values, then told about every STE the plan changes ---- */

#define SMMU_CR0 0x20
#define SMMU_CR0ACK 0x24
#define SMMU_CR1 0x28
#define SMMU_CR2 0x2c
#define SMMU_GERROR 0x60
#define SMMU_GERRORN 0x64
#define SMMU_STRTAB_BASE 0x80
#define SMMU_STRTAB_BASE_CFG 0x88
#define SMMU_CMDQ_BASE 0x90
#define SMMU_CMDQ_PROD 0x98
#define SMMU_CMDQ_CONS 0x9c
#define SMMU_EVTQ_BASE 0xa0
#define SMMU_EVTQ_PROD 0x100a8
#define SMMU_EVTQ_CONS 0x100ac
#define CMDQ_LOG2 3u /* 8 commands of 16 bytes */
#define CMD_CFGI_STE 0x03u
#define CMD_TLBI_S12_VMALL 0x28u
#define CMD_SYNC 0x46u

static uint64_t cmdq[2u << CMDQ_LOG2] __attribute__((aligned(256)));
static uint64_t evtq[4u << CMDQ_LOG2] __attribute__((aligned(256)));
static uint32_t cmdq_prod;

static uint32_t rd32(uint64_t pa) { return *(volatile uint32_t *)pa; }
static void wr32(uint64_t pa, uint32_t v) { *(volatile uint32_t *)pa = v; }

static int smmu_v3(const struct dtpb *b, struct dtpb_smmu *out)
{
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_SMMUS); i++)
        if (dtpb_smmu(b, i, out) == 0 && out->version == 3)
            return 1;
    return 0;
}

/* Boot: queues, then the blob's CR1, CR2, STRTAB_BASE(_CFG), then CR0. */
static void smmu_enable(const struct dtpb_smmu *s)
{
    uint64_t r = s->reg_base;
    wr32(r + SMMU_CR0, 0);
    for (int i = 0; i < 1000000 && rd32(r + SMMU_CR0ACK); i++)
        ;
    *(volatile uint64_t *)(r + SMMU_CMDQ_BASE) = (uint64_t)(uintptr_t)cmdq | CMDQ_LOG2;
    wr32(r + SMMU_CMDQ_PROD, 0);
    wr32(r + SMMU_CMDQ_CONS, 0);
    *(volatile uint64_t *)(r + SMMU_EVTQ_BASE) = (uint64_t)(uintptr_t)evtq | CMDQ_LOG2;
    wr32(r + SMMU_EVTQ_PROD, 0);
    wr32(r + SMMU_EVTQ_CONS, 0);
    wr32(r + SMMU_CR1, s->cr1);
    wr32(r + SMMU_CR2, s->cr2);
    *(volatile uint64_t *)(r + SMMU_STRTAB_BASE) = s->strtab_base;
    wr32(r + SMMU_STRTAB_BASE_CFG, s->strtab_base_cfg);
    __asm__ volatile("dsb sy" ::: "memory");
    wr32(r + SMMU_CR0, s->cr0);
    int i = 0;
    while (rd32(r + SMMU_CR0ACK) != s->cr0 && ++i < 1000000)
        ;
    if (rd32(r + SMMU_CR0ACK) != s->cr0)
        fail("smmu", "CR0ACK never matched CR0", rd32(r + SMMU_CR0ACK));
    puts_("hv: smmu ");
    hex(r);
    puts_(" enabled: CR0ACK ");
    hex(rd32(r + SMMU_CR0ACK));
    putc_('\n');
}

/* One command, waited for: CONS catches up with PROD, no CMDQ error. */
static void smmu_cmd(const struct dtpb_smmu *s, uint64_t w0, uint64_t w1)
{
    uint64_t r = s->reg_base;
    uint32_t idx = cmdq_prod & ((1u << CMDQ_LOG2) - 1);
    cmdq[2 * idx] = w0;
    cmdq[2 * idx + 1] = w1;
    __asm__ volatile("dsb sy" ::: "memory");
    cmdq_prod = (cmdq_prod + 1) & ((2u << CMDQ_LOG2) - 1); /* index + wrap bit */
    wr32(r + SMMU_CMDQ_PROD, cmdq_prod);
    int i = 0;
    while ((rd32(r + SMMU_CMDQ_CONS) & ((2u << CMDQ_LOG2) - 1)) != cmdq_prod && ++i < 1000000)
        ;
    uint32_t cons = rd32(r + SMMU_CMDQ_CONS);
    if ((cons & ((2u << CMDQ_LOG2) - 1)) != cmdq_prod || ((cons >> 24) & 0x7f))
        fail("smmu", "command not consumed cleanly: CMDQ_CONS", cons);
    if (rd32(r + SMMU_GERROR) != rd32(r + SMMU_GERRORN))
        fail("smmu", "global error: GERROR", rd32(r + SMMU_GERROR));
}

static void smmu_cfgi_ste(const struct dtpb_smmu *s, uint32_t sid)
{
    smmu_cmd(s, CMD_CFGI_STE | ((uint64_t)sid << 32), 1 /* leaf */);
}

static void smmu_sync_vmid(const struct dtpb_smmu *s, uint32_t vmid)
{
    smmu_cmd(s, CMD_TLBI_S12_VMALL | ((uint64_t)(vmid & 0xffff) << 32), 0);
    smmu_cmd(s, CMD_SYNC, 0);
}

/* ---- the simulated reboot ---- */

#define MAX_STREAMS 64
/* The boot value of every assigned STE, to check the others are left alone
 * and to restore the rebooted guest's. */
static struct {
    uint32_t smmu, sid, guest;
    uint64_t ste[8];
} boot_ste[MAX_STREAMS];
static uint32_t nboot_ste;

/* The STE address of sid (linear or 2-level table), or 0 when the lookup
 * itself aborts. */
static uint64_t ste_addr(const struct dtpb_smmu *s, uint32_t sid)
{
    uint32_t cfg = s->strtab_base_cfg;
    unsigned fmt = (cfg >> 16) & 3, split = (cfg >> 6) & 0x1f, log2size = cfg & 0x3f;
    uint64_t base = s->strtab_base & 0x000fffffffffffc0ull;
    if (log2size < 32 && (sid >> log2size))
        return 0;
    if (fmt == 0)
        return base + (uint64_t)sid * 64;
    uint64_t d = rd64(base + (uint64_t)(sid >> split) * 8);
    unsigned span = d & 0x1f;
    uint32_t idx = sid & ((1u << split) - 1);
    if (span == 0 || span > split + 1 || (idx >> (span - 1)))
        return 0;
    return (d & 0x000fffffffffffc0ull) + (uint64_t)idx * 64;
}

static void snapshot_stes(const struct dtpb *b)
{
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_SIDS); i++) {
        struct dtpb_sid s;
        struct dtpb_smmu m;
        dtpb_sid(b, i, &s);
        dtpb_smmu(b, s.smmu, &m);
        for (uint32_t k = 0; m.version == 3 && k < s.count; k++) {
            uint64_t a = ste_addr(&m, s.sid + k);
            if (!a)
                continue;
            if (nboot_ste == MAX_STREAMS) {
                fail("boot", "more streams than the test keeps", MAX_STREAMS);
                return;
            }
            boot_ste[nboot_ste].smmu = s.smmu;
            boot_ste[nboot_ste].sid = s.sid + k;
            boot_ste[nboot_ste].guest = s.guest;
            for (int w = 0; w < 8; w++)
                boot_ste[nboot_ste].ste[w] = rd64(a + 8 * (uint64_t)w);
            nboot_ste++;
        }
    }
}

/* Performs guest gi's quiesce plan; returns the number of STEs aborted. */
static uint32_t quiesce_guest(const struct dtpb *b, uint32_t gi, uint64_t *scrubbed)
{
    struct dtpb_guest g;
    dtpb_guest(b, gi, &g);
    const char *name = dtpb_str(b, g.name);
    uint32_t aborted = 0, last_kind = 0;
    *scrubbed = 0;
    for (uint32_t i = 0; i < dtpb_count(b, DTPB_SEC_QUIESCE); i++) {
        struct dtpb_qstep q;
        struct dtpb_smmu m;
        dtpb_qstep(b, i, &q);
        if (q.guest != gi)
            continue;
        if (q.kind < last_kind)
            fail(name, "plan out of order at step", i);
        last_kind = q.kind;
        switch (q.kind) {
        case DTPB_Q_ABORT_STE:
            /* V=1, Config=0b000 (abort), then CMD_CFGI_STE for it; after
             * the guest's streams, TLBI by VMID and CMD_SYNC. */
            dtpb_smmu(b, q.smmu, &m);
            for (uint32_t k = 0; k < q.count; k++) {
                uint64_t a = ste_addr(&m, q.sid + k);
                if (!a)
                    continue;
                for (int w = 7; w >= 1; w--)
                    wr64(a + 8 * (uint64_t)w, 0);
                wr64(a, 1);
                __asm__ volatile("dsb sy" ::: "memory");
                smmu_cfgi_ste(&m, q.sid + k);
                aborted++;
            }
            smmu_sync_vmid(&m, g.vmid);
            break;
        case DTPB_Q_SCRUB:
            for (uint32_t k = 0; k < dtpb_count(b, DTPB_SEC_MEMMAP); k++) {
                struct dtpb_memmap r;
                dtpb_memmap(b, k, &r);
                if (r.guest != gi || r.kind != DTPB_MAP_RAM)
                    continue;
                for (uint64_t o = 0; o < r.size; o += 8)
                    wr64(r.pa + o, 0);
                *scrubbed += r.size;
            }
            break;
        default:
            /* resets, power domains, SMMUv2: not on this board */
            fail(name, "quiesce step this test cannot perform", q.kind);
            break;
        }
    }
    __asm__ volatile("dsb sy" ::: "memory");
    return aborted;
}

/* After guest gi's plan: its streams abort, everyone else's are as at boot. */
static void check_streams(const struct dtpb *b, uint32_t gi, const char *name)
{
    for (uint32_t i = 0; i < nboot_ste; i++) {
        struct dtpb_smmu m;
        dtpb_smmu(b, boot_ste[i].smmu, &m);
        uint64_t a = ste_addr(&m, boot_ste[i].sid);
        uint64_t w0 = a ? rd64(a) : 0;
        if (boot_ste[i].guest == gi) {
            if (!a || (w0 & 1) != 1 || ((w0 >> 1) & 7) != 0)
                fail(name, "stream still translates after the plan: sid", boot_ste[i].sid);
            continue;
        }
        for (int w = 0; w < 8; w++)
            if (rd64(a + 8 * (uint64_t)w) != boot_ste[i].ste[w])
                fail(name, "another guest's STE changed: sid", boot_ste[i].sid);
    }
}

static void restore_streams(uint32_t gi, const struct dtpb *b)
{
    for (uint32_t i = 0; i < nboot_ste; i++) {
        struct dtpb_smmu m;
        if (boot_ste[i].guest != gi)
            continue;
        dtpb_smmu(b, boot_ste[i].smmu, &m);
        uint64_t a = ste_addr(&m, boot_ste[i].sid);
        for (int w = 7; w >= 0; w--) /* dword 0 (V) last */
            wr64(a + 8 * (uint64_t)w, boot_ste[i].ste[w]);
        __asm__ volatile("dsb sy" ::: "memory");
        smmu_cfgi_ste(&m, boot_ste[i].sid);
        smmu_cmd(&m, CMD_SYNC, 0);
    }
}

static void reboot(const struct dtpb *b, uint32_t gi)
{
    struct dtpb_guest g;
    struct dtpb_memmap ram;
    dtpb_guest(b, gi, &g);
    const char *name = dtpb_str(b, g.name);
    uint64_t scrubbed;
    uint32_t aborted = quiesce_guest(b, gi, &scrubbed);
    check_streams(b, gi, name);
    if (find_map(b, gi, DTPB_MAP_RAM, &ram) && rd64(ram.pa + MAGIC_OFF) != 0)
        fail(name, "RAM not scrubbed at PA", ram.pa + MAGIC_OFF);
    if (!aborted)
        fail(name, "no stream aborted", 0);
    for (uint32_t o = 0; o < dtpb_count(b, DTPB_SEC_GUESTS); o++) {
        struct dtpb_memmap r;
        if (o != gi && find_map(b, o, DTPB_MAP_RAM, &r) && rd64(r.pa + MAGIC_OFF) != guest_magic(o))
            fail(name, "reboot touched another guest's RAM at PA", r.pa + MAGIC_OFF);
    }
    puts_("hv: reboot ");
    puts_(name);
    puts_(": ");
    hex(aborted);
    puts_(" streams aborted, ");
    hex(scrubbed);
    puts_(" bytes scrubbed, other guests' streams and memory unchanged\n");
    restore_streams(gi, b);
}

void hv_main(void);
void hv_main(void)
{
    puts_("hv: start\n");
    struct dtpb b;
    uint32_t total = *(volatile uint32_t *)(BLOB_PA + 8);
    int err = dtpb_open(&b, (const void *)BLOB_PA, total <= BLOB_MAX ? total : BLOB_MAX);
    if (err) {
        puts_("hv: FAIL dtpb_open: ");
        puts_(dtpb_strerror(err));
        putc_('\n');
        puts_("hv: done\n");
        return;
    }
    struct dtpb_smmu sm;
    if (smmu_v3(&b, &sm))
        smmu_enable(&sm);
    snapshot_stes(&b);
    uint32_t n = dtpb_count(&b, DTPB_SEC_GUESTS);
    for (uint32_t gi = 0; gi < n; gi++)
        run_one(&b, gi);
    /* Guest 0 reboots; the others keep their state and run on. */
    if (n >= 2) {
        reboot(&b, 0);
        run_one(&b, 0);
        for (uint32_t gi = 1; gi < n; gi++)
            run_one(&b, gi);
    }
    puts_(failures ? "hv: FAIL\n" : "hv: PASS\n");
    puts_("hv: done\n");
}
