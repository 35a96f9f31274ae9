/* tests/fuzz/fuzz_boardgen.c — libFuzzer target: the board reader's DT
 * rules on structurally valid trees. Random bytes rarely survive
 * fdt_check_full, so `board` mostly fuzzes the blob checks; here the bytes
 * are a program that builds a DTB with libfdt's sequential-write API — open
 * a node (from a table of names real boards use), close it, add a property
 * (from a table of the properties derive.c interprets, with cells biased to
 * small numbers and phandles that exist) — so every input is a valid blob
 * and the fuzzer explores address translation, interrupt parents and maps,
 * IOMMU specifiers, phandle dependencies, device classes, RAM and reserved
 * memory, CPUs, the GIC and SMMUs, then `dtpass board` text and JSON. */
#include <libfdt.h>

#include "fuzz_board.h"

struct in {
    const uint8_t *p;
    size_t n;
};

static unsigned u8(struct in *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static uint32_t u32(struct in *in)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = v << 8 | u8(in);
    return v;
}

/* A cell: mostly small numbers (cell counts, indices, phandles 1..8), some
 * addresses, some anything. */
static uint32_t cell(struct in *in)
{
    unsigned k = u8(in);
    if (k < 160)
        return k % 9;
    if (k < 200)
        return (uint32_t)(k - 160) << 12;
    if (k < 230)
        return (uint32_t)(k - 200) * 0x1000000u;
    return u32(in);
}

static const char *const node_names[] = {
    "cpus", "cpu@0", "cpu@1", "cpu@100", "memory@40000000", "memory", "reserved-memory",
    "region@48000000", "soc", "bus@f0000000", "axi", "intc@8000000", "interrupt-controller@a00000",
    "smmu@9050000", "iommu@fd800000", "dev@1000", "dev@2000", "serial@9000000", "ethernet@ff0e0000",
    "usb@fe200000", "timer", "aliases", "__symbols__", "chosen", "pcie@10000000", "clk", "psci",
    "gpio@9030000", "mmc@ff160000", "dma-controller@fd500000", "pinctrl@ff180000", "regulator",
};

enum kind { CELLS, STRING, EMPTY };
static const struct { const char *name; enum kind kind; } props[] = {
    {"reg", CELLS}, {"ranges", CELLS}, {"dma-ranges", CELLS}, {"#address-cells", CELLS},
    {"#size-cells", CELLS}, {"#interrupt-cells", CELLS}, {"interrupts", CELLS},
    {"interrupt-parent", CELLS}, {"interrupts-extended", CELLS}, {"interrupt-controller", EMPTY},
    {"interrupt-map", CELLS}, {"interrupt-map-mask", CELLS}, {"iommus", CELLS},
    {"#iommu-cells", CELLS}, {"iommu-map", CELLS}, {"iommu-map-mask", CELLS},
    {"compatible", STRING}, {"status", STRING}, {"phandle", CELLS}, {"clocks", CELLS},
    {"#clock-cells", CELLS}, {"resets", CELLS}, {"#reset-cells", CELLS}, {"power-domains", CELLS},
    {"#power-domain-cells", CELLS}, {"pinctrl-0", CELLS}, {"dmas", CELLS}, {"#dma-cells", CELLS},
    {"dma-coherent", EMPTY}, {"device_type", STRING}, {"msi-parent", CELLS},
    {"memory-region", CELLS}, {"no-map", EMPTY}, {"vmmc-supply", CELLS}, {"reset-gpios", CELLS},
    {"#gpio-cells", CELLS}, {"mboxes", CELLS}, {"#mbox-cells", CELLS}, {"phys", CELLS},
    {"#phy-cells", CELLS}, {"nvmem-cells", CELLS}, {"interconnects", CELLS},
    {"#interconnect-cells", CELLS}, {"model", STRING}, {"serial0", STRING}, {"uart0", STRING},
    {"bus-range", CELLS}, {"linux,phandle", CELLS},
};

static const char *const strings[] = {
    "arm,gic-v3", "arm,gic-400", "arm,cortex-a15-gic", "arm,smmu-v3", "arm,mmu-500",
    "arm,smmu-v2", "qcom,smmu-500", "simple-bus", "arm,armv8-timer", "fixed-clock",
    "regulator-fixed", "snps,dwc3", "cdns,zynqmp-gem", "arm,pl011", "arm,cortex-a53",
    "pci-host-ecam-generic", "okay", "disabled", "ok", "fail", "memory", "cpu", "pci",
    "/soc/dev@1000", "/serial@9000000", "/", "", "arm,psci-1.0", "shared-dma-pool",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { BUF = 1 << 18, MAX_DEPTH = 8, MAX_CELLS = 24 };
    static uint8_t buf[BUF];
    struct in in = {data, size};
    if (fdt_create(buf, BUF) || fdt_finish_reservemap(buf) || fdt_begin_node(buf, ""))
        return 0;
    /* Give the root the usual cells so most inputs translate something. */
    fdt_property_u32(buf, "#address-cells", 2);
    fdt_property_u32(buf, "#size-cells", 2);
    int depth = 0, err = 0;
    while (in.n && !err) {
        unsigned op = u8(&in) % 8;
        if (op == 0 && depth < MAX_DEPTH) {
            err = fdt_begin_node(buf, node_names[u8(&in) % ARRAY_SIZE(node_names)]);
            depth += !err;
        } else if (op == 1 && depth > 0) {
            err = fdt_end_node(buf);
            depth--;
        } else {
            unsigned k = u8(&in) % ARRAY_SIZE(props);
            if (props[k].kind == EMPTY) {
                err = fdt_property(buf, props[k].name, NULL, 0);
            } else if (props[k].kind == STRING) {
                const char *s = strings[u8(&in) % ARRAY_SIZE(strings)];
                err = fdt_property(buf, props[k].name, s, strlen(s) + 1);
            } else {
                fdt32_t cells[MAX_CELLS];
                unsigned n = u8(&in) % (MAX_CELLS + 1);
                for (unsigned i = 0; i < n; i++)
                    cells[i] = cpu_to_fdt32(cell(&in));
                err = fdt_property(buf, props[k].name, cells, n * sizeof(fdt32_t));
            }
        }
    }
    if (err)
        return 0; /* out of buffer: the input is too long to matter */
    while (depth-- > 0)
        if (fdt_end_node(buf))
            return 0;
    if (fdt_end_node(buf) || fdt_finish(buf))
        return 0;

    fuzz_board_blob("gen.dtb", buf, fdt_totalsize(buf));
    return 0;
}
