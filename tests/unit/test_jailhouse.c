/* Unit tests for targets/jailhouse/format.c: the descriptors expanded from
 * layout.def have the published sizes, the binary writer stores each field
 * little-endian at its published offset (offsets written out here from
 * cell-config.h, independently of the table), and the C writer spells
 * flags with Jailhouse's names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "targets/jailhouse/jailhouse.h"

static void test_jailhouse_sizes(void **state)
{
    (void)state;
    assert_int_equal(jh_struct_console.size, 32);
    assert_int_equal(jh_struct_memory.size, 32);
    assert_int_equal(jh_struct_irqchip.size, 32);
    assert_int_equal(jh_struct_pci_device.size, 56);
    assert_int_equal(jh_struct_iommu.size, 28);
    assert_int_equal(jh_struct_sid_v3.size, 4);
    assert_int_equal(jh_struct_sid_mmu500.size, 4);
    assert_int_equal(jh_struct_cell_desc.size, 132);
    assert_int_equal(jh_struct_system.size, 488);
}

static uint64_t le(const char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | (uint8_t)p[i];
    return v;
}

static struct jh_cell one_cell(void)
{
    struct jh_cell c = {0};
    memcpy(c.desc.signature, "JHCLL", 5);
    c.desc.architecture = 2;
    c.desc.revision = 14;
    strcpy(c.desc.name, "rtos");
    c.desc.flags = 1;
    c.desc.cpu_set_size = 8;
    c.desc.num_memory_regions = 1;
    c.desc.num_stream_ids = 1;
    c.desc.vpci_irq_base = 0x65;
    c.desc.cpu_reset_address = 0x40000000;
    c.desc.console.address = 0x9000000;
    c.desc.console.type = 3;
    VEC_PUSH(&c.cpus, 0xc);
    struct jh_region r = {{0x68000000, 0x40000000, 0x8000000, 0x47}, "RAM"};
    VEC_PUSH(&c.mem, r);
    VEC_PUSH(&c.sids, 0x2a1);
    return c;
}

static void free_cell(struct jh_cell *c)
{
    VEC_FREE(&c->cpus);
    VEC_FREE(&c->mem);
    VEC_FREE(&c->sids);
}

static void test_jailhouse_cell_bytes(void **state)
{
    (void)state;
    struct jh_config cfg = {0};
    struct jh_cell c = one_cell();
    struct strbuf sb;
    sb_init(&sb);
    jh_write_binary(&cfg, &c, &sb);
    assert_int_equal(sb.len, 132 + 8 + 32 + 4);
    const char *p = sb.s;
    assert_memory_equal(p, "JHCLL", 5);
    assert_int_equal(le(p + 5, 1), 2);           /* architecture */
    assert_int_equal(le(p + 6, 2), 14);          /* revision */
    assert_string_equal(p + 8, "rtos");          /* name[32] */
    assert_int_equal(le(p + 44, 4), 1);          /* flags, after id at 40 */
    assert_int_equal(le(p + 48, 4), 8);          /* cpu_set_size */
    assert_int_equal(le(p + 52, 4), 1);          /* num_memory_regions */
    assert_int_equal(le(p + 76, 4), 1);          /* num_stream_ids */
    assert_int_equal(le(p + 80, 4), 0x65);       /* vpci_irq_base */
    assert_int_equal(le(p + 84, 8), 0x40000000); /* cpu_reset_address */
    assert_int_equal(le(p + 100, 8), 0x9000000); /* console.address */
    assert_int_equal(le(p + 112, 2), 3);         /* console.type */
    assert_int_equal(le(p + 132, 8), 0xc);       /* the CPU set */
    assert_int_equal(le(p + 140, 8), 0x68000000);
    assert_int_equal(le(p + 148, 8), 0x40000000);
    assert_int_equal(le(p + 156, 8), 0x8000000);
    assert_int_equal(le(p + 164, 8), 0x47);
    assert_int_equal(le(p + 172, 4), 0x2a1);     /* stream ID */
    sb_free(&sb);
    free_cell(&c);
}

static void test_jailhouse_c_source(void **state)
{
    (void)state;
    struct jh_config cfg = {.source = "x.yaml"};
    struct jh_cell c = one_cell();
    c.file = (char *)"rtos";
    c.mem.v[0].m.flags |= 0x10000 | 0x200000; /* IO_8 and a bit without a name */
    struct strbuf sb;
    sb_init(&sb);
    jh_write_c(&cfg, &c, &sb);
    assert_non_null(strstr(sb.s, ".signature = JAILHOUSE_CELL_DESC_SIGNATURE,"));
    assert_non_null(strstr(sb.s, ".flags = JAILHOUSE_CELL_PASSIVE_COMMREG,"));
    assert_non_null(strstr(sb.s, ".flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE | "
                                 "JAILHOUSE_MEM_EXECUTE | JAILHOUSE_MEM_LOADABLE | "
                                 "JAILHOUSE_MEM_IO_8 | 0x200000,"));
    assert_non_null(strstr(sb.s, ".vpci_irq_base = 133 - 32,"));
    assert_non_null(strstr(sb.s, ".type = JAILHOUSE_CON_TYPE_PL011,"));
    assert_non_null(strstr(sb.s, ".cpu_set_size = sizeof(config.cpus),"));
    assert_non_null(strstr(sb.s, "union jailhouse_stream_id stream_ids[1];"));
    assert_null(strstr(sb.s, ".num_irqchips")); /* zero fields are left out */
    sb_free(&sb);
    free_cell(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jailhouse_sizes),
        cmocka_unit_test(test_jailhouse_cell_bytes),
        cmocka_unit_test(test_jailhouse_c_source),
    };
    return cmocka_run_group_tests_name("jailhouse", tests, NULL, NULL);
}
