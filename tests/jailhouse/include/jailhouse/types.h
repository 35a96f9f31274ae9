/* tests/jailhouse/include/jailhouse/types.h — the integer types Jailhouse's
 * configuration sources use, for compiling dtpass's generated <name>.c in
 * the test suite without Jailhouse's tree (tests/suite-jailhouse.sh). */
#ifndef DTPASS_TEST_JAILHOUSE_TYPES_H
#define DTPASS_TEST_JAILHOUSE_TYPES_H
#include <stdint.h>
typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef uint64_t __u64;
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif
