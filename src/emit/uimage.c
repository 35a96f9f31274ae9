/* emit/uimage.c — U-Boot's legacy image ("uImage") for a boot script.
 *
 * The format is U-Boot's public interface (include/image.h, struct
 * legacy_img_hdr; written by its mkimage tool): a 64-byte header, every
 * field big-endian —
 *   0 magic 0x27051956   4 CRC-32 of the header (with this field 0)
 *   8 creation time      12 data size          16 load address   20 entry
 *   24 CRC-32 of the data 28 OS   29 architecture   30 type   31 compression
 *   32 name, 32 bytes, NUL-padded
 * — then the data. For a script (type 6, IH_TYPE_SCRIPT) the data is a
 * "multi-file" payload: a list of 32-bit big-endian lengths ended by 0, then
 * the files, each but the last padded to 4 bytes. U-Boot's `source` checks
 * both CRCs and runs the first file. The CRC is CRC-32 (IEEE 802.3), the
 * same function the .dtpb blob uses.
 *
 * The timestamp is always 0, so the image depends on the script alone
 * (SPEC: deterministic output); it is byte-identical to what
 * `SOURCE_DATE_EPOCH=0 mkimage -A arm64 -T script -C none -d FILE` writes,
 * which tests/suite-xen-uboot.sh checks. */
#include "emit/uimage.h"

#include <stdint.h>
#include <string.h>

#include "dtpass/dtpb.h"

#define IH_MAGIC 0x27051956u
#define IH_OS_LINUX 5u    /* what mkimage writes without -O */
#define IH_ARCH_ARM64 22u /* -A arm64 */
#define IH_TYPE_SCRIPT 6u /* -T script */
#define IH_COMP_NONE 0u   /* -C none */

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

int uimage_script(struct strbuf *out, const char *script, size_t len)
{
    /* The data: the length list (this one file, then the terminating 0)
     * and the script, unpadded as the last file. */
    if (len > UINT32_MAX - 8)
        return -1;
    uint8_t list[8];
    be32(list, (uint32_t)len);
    be32(list + 4, 0);
    uint32_t dcrc = dtpb_crc32(dtpb_crc32(0, list, sizeof(list)), script, len);

    uint8_t h[UIMAGE_HEADER_SIZE];
    memset(h, 0, sizeof(h)); /* CRC, time, load, entry and name are 0 */
    be32(h, IH_MAGIC);
    be32(h + 12, (uint32_t)(len + sizeof(list)));
    be32(h + 24, dcrc);
    h[28] = IH_OS_LINUX;
    h[29] = IH_ARCH_ARM64;
    h[30] = IH_TYPE_SCRIPT;
    h[31] = IH_COMP_NONE;
    be32(h + 4, dtpb_crc32(0, h, sizeof(h)));

    sb_putn(out, (const char *)h, sizeof(h));
    sb_putn(out, (const char *)list, sizeof(list));
    sb_putn(out, script, len);
    return 0;
}
