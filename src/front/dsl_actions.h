/* front/dsl_actions.h — the semantic actions of grammar/dtpass.y, defined in
 * front/dsl.c. Each takes ownership of the strings it is given. */
#ifndef DTPASS_DSL_ACTIONS_H
#define DTPASS_DSL_ACTIONS_H

#include "front/dsl_internal.h"

enum dsl_smmu_param { DSL_SID_BITS, DSL_SMRS, DSL_CONTEXT_BANKS };
enum dsl_image { DSL_KERNEL, DSL_RAMDISK };

void dsl_version(struct dsl_state *st, const dsl_loc *loc);
void dsl_no_version(struct dsl_state *st);
void dsl_board(struct dsl_state *st, char *file, const dsl_loc *loc);
void dsl_include(struct dsl_state *st, char *file, const dsl_loc *loc);
void dsl_const(struct dsl_state *st, char *name, const dsl_loc *loc, struct dsl_val v);
void dsl_close_all(struct dsl_state *st);

void dsl_ipa_bits(struct dsl_state *st, struct dsl_val v, const dsl_loc *kw);
void dsl_pa_bits(struct dsl_state *st, struct dsl_val v, const dsl_loc *kw);
void dsl_smmu_begin(struct dsl_state *st, char *ref, const dsl_loc *kw, const dsl_loc *loc);
void dsl_smmu_param(struct dsl_state *st, enum dsl_smmu_param which, struct dsl_val v,
                    const dsl_loc *kw);
void dsl_smmu_end(struct dsl_state *st);

void dsl_hyp_memory(struct dsl_state *st, struct dsl_val base, struct dsl_val size,
                    const dsl_loc *kw);
void dsl_hyp_device(struct dsl_state *st, char *ref, const dsl_loc *loc);
void dsl_hyp_root_cell(struct dsl_state *st, char *guest, const dsl_loc *loc);
void dsl_qnx_version(struct dsl_state *st, char *text, const dsl_loc *kw, const dsl_loc *loc);

void dsl_guest_begin(struct dsl_state *st, char *name, const dsl_loc *kw, const dsl_loc *loc);
void dsl_guest_end(struct dsl_state *st);
void dsl_vmid(struct dsl_state *st, struct dsl_val v, const dsl_loc *kw);
void dsl_cpu(struct dsl_state *st, struct dsl_val v);
void dsl_guest_memory(struct dsl_state *st, struct dsl_val base, struct dsl_val size,
                      const struct dsl_val *ipa, const dsl_loc *kw);
void dsl_bootargs(struct dsl_state *st, char *s, const dsl_loc *kw);
void dsl_stdout(struct dsl_state *st, char *ref, const dsl_loc *loc);
void dsl_image(struct dsl_state *st, enum dsl_image which, char *file, struct dsl_val load,
               const dsl_loc *kw);

void dsl_dev_begin(struct dsl_state *st, char *ref, const dsl_loc *loc);
void dsl_dev_end(struct dsl_state *st);
void dsl_dev_ipa(struct dsl_state *st, struct dsl_val v, const dsl_loc *kw);
void dsl_dev_irq(struct dsl_state *st, struct dsl_val phys, struct dsl_val virt);
void dsl_dev_dma(struct dsl_state *st, bool dma, const dsl_loc *kw);
void dsl_dev_sid(struct dsl_state *st, struct dsl_val v, const dsl_loc *loc);
void dsl_dev_smmu(struct dsl_state *st, char *ref, const dsl_loc *loc);
void dsl_dev_drop(struct dsl_state *st, char *prop, const dsl_loc *loc);
void dsl_dev_unsafe(struct dsl_state *st, char *reason, const dsl_loc *kw, const dsl_loc *loc);

void dsl_shared_begin(struct dsl_state *st, char *name, const dsl_loc *kw, const dsl_loc *loc,
                      struct dsl_val base, struct dsl_val size);
void dsl_shared_end(struct dsl_state *st);
void dsl_peer_begin(struct dsl_state *st, char *guest, const dsl_loc *loc);
void dsl_peer_access(struct dsl_state *st, int access, const dsl_loc *loc);
void dsl_peer_ipa(struct dsl_state *st, struct dsl_val v, const dsl_loc *kw);
void dsl_peer_doorbell(struct dsl_state *st, struct dsl_val v, const dsl_loc *kw);
void dsl_peer_end(struct dsl_state *st);

/* The parser's syntax error report (grammar/dtpass.y): the unexpected
 * token's name, its text when it is an identifier, the expected tokens. */
void dsl_syntax_error(struct dsl_state *st, const dsl_loc *loc, const char *unexpected,
                      const char *ident, const char *const *expected, size_t nexpected,
                      bool partial);
/* yyget_text, declared here because the scanner header needs the parser's. */
char *yyget_text(void *scanner);

struct dsl_val dsl_val_num(uint64_t n, const dsl_loc *loc);
struct dsl_val dsl_val_const(struct dsl_state *st, char *name, const dsl_loc *loc);
struct dsl_val dsl_val_bin(struct dsl_state *st, int op, struct dsl_val a, struct dsl_val b,
                           const dsl_loc *oploc);

#endif
