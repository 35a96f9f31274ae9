/* front/front_util.h — what the YAML and DSL front ends share beyond the
 * model: the value ranges both enforce (docs/yaml.md lists them), the
 * syntax of node references and property names, and "did you mean". */
#ifndef DTPASS_FRONT_UTIL_H
#define DTPASS_FRONT_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "diag/diag.h"

#define FRONT_MAX_FILE (16u << 20) /* a system file (or one DSL include) */
#define FRONT_IPA_BITS_MIN 32
#define FRONT_IPA_BITS_MAX 48
#define FRONT_PA_BITS_MIN 32
#define FRONT_PA_BITS_MAX 52
#define FRONT_VMID_MIN 1
#define FRONT_VMID_MAX 65535
#define FRONT_CPU_MAX 65535
/* SPI numbers in irq remaps and doorbells: a sanity bound only; the GIC's
 * real range (0..987) is the `virq-conflict` check's business. */
#define FRONT_SPI_MAX 65535

/* The candidate closest to word (edit distance <= max(1, len/3)), or NULL. */
const char *front_closest(const char *word, const char *const *cands, size_t n);

/* A node reference: "/abs/path", "&label" or an alias name. Reports
 * `schema` at pos and returns false when text is none of them. */
bool front_valid_ref(struct diag_sink *d, struct srcpos pos, const char *text, size_t len,
                     const char *what);
/* A DT property name ([0-9a-zA-Z,._+?#-], 1..255 chars). Reports `schema`. */
bool front_valid_propname(struct diag_sink *d, struct srcpos pos, const char *text, size_t len);

#endif
