/* grammar/dtpass.y — the DSL grammar (docs/dsl.md has the EBNF and the
 * rationale). A pure bison parser with locations; every action hands its
 * values to a dsl_* helper in front/dsl.c, which builds the same model as
 * the YAML front end. Block heads ("guest NAME {") are their own rules so an
 * object is opened before its body is parsed and no semantic value is owned
 * twice during error recovery. `error` productions at statement level (top
 * level and inside every block) resynchronise on ';' or '}', so one run
 * reports several syntax errors. */
%define api.pure full
%locations
%define parse.error custom
%define api.location.type {dsl_loc}
%param {yyscan_t scanner}
%parse-param {struct dsl_state *st}

%code requires {
#include "front/dsl_internal.h"
#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif
}

%code provides {
int yylex(YYSTYPE *yylval_param, YYLTYPE *yylloc_param, yyscan_t yyscanner);
void yyerror(YYLTYPE *loc, yyscan_t scanner, struct dsl_state *st, const char *msg);
}

%code {
#include "front/dsl_actions.h"
}

%union {
    uint64_t num;
    char *str;
    struct dsl_val val;
    int access;
}

%token T_VERSION "/dtpass-v1/"
%token T_BOARD "board" T_INCLUDE "include" T_CONST "const"
%token T_PLATFORM "platform" T_IPA_BITS "ipa-bits" T_PA_BITS "pa-bits"
%token T_SMMU "smmu" T_SID_BITS "sid-bits" T_SMRS "smrs" T_CONTEXT_BANKS "context-banks"
%token T_HYPERVISOR "hypervisor" T_MEMORY "memory" T_DEVICE "device" T_QNX_VERSION "qnx-version"
%token T_ROOT_CELL "root-cell"
%token T_GUEST "guest" T_VMID "vmid" T_CPUS "cpus" T_AT "at" T_IPA "ipa" T_IRQ "irq"
%token T_DMA "dma" T_STREAM_IDS "stream-ids" T_DROP "drop" T_UNSAFE "unsafe-no-iommu"
%token T_BOOTARGS "bootargs" T_STDOUT "stdout" T_KERNEL "kernel" T_RAMDISK "ramdisk"
%token T_SHARED "shared" T_RW "rw" T_RO "ro" T_DOORBELL "doorbell"
%token T_TRUE "true" T_FALSE "false"
%token T_ARROW "->" T_SHL "<<"
%token <num> T_NUMBER "number"
%token <str> T_IDENT "identifier" T_LABEL "label" T_STRING "string"

%type <str> ref name propname
%type <val> expr
%type <access> access

%destructor { free($$); } <str>

%left '|'
%left T_SHL
%left '+' '-'
%left '*'

%%

/* The version tag starts a file; only the top file must have it. */
file:
    T_VERSION ';' stmts                 { dsl_version(st, &@1); }
    | stmts                             { dsl_no_version(st); }
    ;

stmts:
    %empty
    | stmts stmt
    ;

stmt:
    ';'
    | T_BOARD T_STRING ';'              { dsl_board(st, $2, &@2); }
    | T_INCLUDE T_STRING ';'            { dsl_include(st, $2, &@2); }
    | T_CONST T_IDENT '=' expr ';'      { dsl_const(st, $2, &@2, $4); }
    | T_PLATFORM '{' plat_stmts '}'
    | T_HYPERVISOR '{' hyp_stmts '}'
    | guest_head guest_stmts '}'        { dsl_guest_end(st); }
    | shared_head peer_stmts '}'        { dsl_shared_end(st); }
    | error ';'                         { yyerrok; }
    | error '}'                         { yyerrok; dsl_close_all(st); }
    ;

/* --- platform ---------------------------------------------------------- */

plat_stmts:
    %empty
    | plat_stmts plat_stmt
    ;

plat_stmt:
    ';'
    | T_IPA_BITS expr ';'               { dsl_ipa_bits(st, $2, &@1); }
    | T_PA_BITS expr ';'                { dsl_pa_bits(st, $2, &@1); }
    | T_SMMU ref ';'                    { dsl_smmu_begin(st, $2, &@1, &@2); dsl_smmu_end(st); }
    | smmu_head smmu_stmts '}'          { dsl_smmu_end(st); }
    | error ';'                         { yyerrok; }
    ;

smmu_head:
    T_SMMU ref '{'                      { dsl_smmu_begin(st, $2, &@1, &@2); }
    ;

smmu_stmts:
    %empty
    | smmu_stmts smmu_stmt
    ;

smmu_stmt:
    ';'
    | T_SID_BITS expr ';'               { dsl_smmu_param(st, DSL_SID_BITS, $2, &@1); }
    | T_SMRS expr ';'                   { dsl_smmu_param(st, DSL_SMRS, $2, &@1); }
    | T_CONTEXT_BANKS expr ';'          { dsl_smmu_param(st, DSL_CONTEXT_BANKS, $2, &@1); }
    | error ';'                         { yyerrok; }
    ;

/* --- hypervisor -------------------------------------------------------- */

hyp_stmts:
    %empty
    | hyp_stmts hyp_stmt
    ;

hyp_stmt:
    ';'
    | T_MEMORY expr expr ';'            { dsl_hyp_memory(st, $2, $3, &@1); }
    | T_DEVICE ref ';'                  { dsl_hyp_device(st, $2, &@2); }
    | T_ROOT_CELL name ';'              { dsl_hyp_root_cell(st, $2, &@2); }
    | T_QNX_VERSION T_STRING ';'        { dsl_qnx_version(st, $2, &@1, &@2); }
    | error ';'                         { yyerrok; }
    ;

/* --- guests ------------------------------------------------------------ */

guest_head:
    T_GUEST name '{'                    { dsl_guest_begin(st, $2, &@1, &@2); }
    ;

guest_stmts:
    %empty
    | guest_stmts guest_stmt
    ;

guest_stmt:
    ';'
    | T_VMID expr ';'                   { dsl_vmid(st, $2, &@1); }
    | T_CPUS cpu_list ';'
    | T_MEMORY expr expr ';'            { dsl_guest_memory(st, $2, $3, NULL, &@1); }
    | T_MEMORY expr expr T_AT expr ';'  { dsl_guest_memory(st, $2, $3, &$5, &@1); }
    | T_DEVICE ref ';'                  { dsl_dev_begin(st, $2, &@2); dsl_dev_end(st); }
    | dev_head dev_stmts '}'            { dsl_dev_end(st); }
    | T_BOOTARGS T_STRING ';'           { dsl_bootargs(st, $2, &@1); }
    | T_STDOUT ref ';'                  { dsl_stdout(st, $2, &@2); }
    | T_KERNEL T_STRING T_AT expr ';'   { dsl_image(st, DSL_KERNEL, $2, $4, &@1); }
    | T_RAMDISK T_STRING T_AT expr ';'  { dsl_image(st, DSL_RAMDISK, $2, $4, &@1); }
    | error ';'                         { yyerrok; }
    ;

cpu_list:
    expr                                { dsl_cpu(st, $1); }
    | cpu_list ',' expr                 { dsl_cpu(st, $3); }
    ;

dev_head:
    T_DEVICE ref '{'                    { dsl_dev_begin(st, $2, &@2); }
    ;

dev_stmts:
    %empty
    | dev_stmts dev_stmt
    ;

dev_stmt:
    ';'
    | T_IPA expr ';'                    { dsl_dev_ipa(st, $2, &@1); }
    | T_IRQ irq_list ';'
    | T_DMA T_TRUE ';'                  { dsl_dev_dma(st, true, &@1); }
    | T_DMA T_FALSE ';'                 { dsl_dev_dma(st, false, &@1); }
    | T_STREAM_IDS sid_list ';'
    | T_SMMU ref ';'                    { dsl_dev_smmu(st, $2, &@2); }
    | T_DROP drop_list ';'
    | T_UNSAFE T_STRING ';'             { dsl_dev_unsafe(st, $2, &@1, &@2); }
    | error ';'                         { yyerrok; }
    ;

irq_list:
    expr T_ARROW expr                   { dsl_dev_irq(st, $1, $3); }
    | irq_list ',' expr T_ARROW expr    { dsl_dev_irq(st, $3, $5); }
    ;

sid_list:
    expr                                { dsl_dev_sid(st, $1, &@1); }
    | sid_list ',' expr                 { dsl_dev_sid(st, $3, &@3); }
    ;

drop_list:
    propname                            { dsl_dev_drop(st, $1, &@1); }
    | drop_list ',' propname            { dsl_dev_drop(st, $3, &@3); }
    ;

/* --- shared regions ---------------------------------------------------- */

shared_head:
    T_SHARED name expr expr '{'         { dsl_shared_begin(st, $2, &@1, &@2, $3, $4); }
    ;

peer_stmts:
    %empty
    | peer_stmts peer_stmt
    ;

peer_stmt:
    ';'
    | peer_head peer_opts ';'           { dsl_peer_end(st); }
    | error ';'                         { yyerrok; }
    ;

peer_head:
    name                                { dsl_peer_begin(st, $1, &@1); }
    ;

peer_opts:
    %empty
    | peer_opts peer_opt
    ;

peer_opt:
    access                              { dsl_peer_access(st, $1, &@1); }
    | T_AT expr                         { dsl_peer_ipa(st, $2, &@1); }
    | T_DOORBELL expr                   { dsl_peer_doorbell(st, $2, &@1); }
    ;

access:
    T_RW                                { $$ = SHM_RW; }
    | T_RO                              { $$ = SHM_RO; }
    ;

/* --- values ------------------------------------------------------------ */

name:
    T_IDENT
    | T_STRING
    ;

propname:
    T_IDENT
    | T_STRING
    ;

ref:
    T_STRING
    | T_LABEL
    | T_IDENT
    ;

expr:
    T_NUMBER                            { $$ = dsl_val_num($1, &@1); }
    | T_IDENT                           { $$ = dsl_val_const(st, $1, &@1); }
    | '(' expr ')'                      { $$ = $2; $$.loc = @$; }
    | expr '+' expr                     { $$ = dsl_val_bin(st, '+', $1, $3, &@2); $$.loc = @$; }
    | expr '-' expr                     { $$ = dsl_val_bin(st, '-', $1, $3, &@2); $$.loc = @$; }
    | expr '*' expr                     { $$ = dsl_val_bin(st, '*', $1, $3, &@2); $$.loc = @$; }
    | expr T_SHL expr                   { $$ = dsl_val_bin(st, '<', $1, $3, &@2); $$.loc = @$; }
    | expr '|' expr                     { $$ = dsl_val_bin(st, '|', $1, $3, &@2); $$.loc = @$; }
    ;

%%

/* "unexpected X, expecting Y". Bison's own detailed message drops the
 * expected list when it is longer than four. A statement missing its ';' is
 * the most common mistake: when ';' can follow but '}' cannot, the parser is
 * inside a statement (the rest are operators continuing an expression), so
 * the message says "expecting ';'" as gcc does. At a statement start both
 * can follow and the list would only be noise. */
static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner, struct dsl_state *st)
{
    yysymbol_kind_t exp[YYNTOKENS];
    int n = yypcontext_expected_tokens(ctx, exp, YYNTOKENS);
    yysymbol_kind_t tok = yypcontext_token(ctx);
    const char *names[4];
    size_t k = 0;
    if (n > 0 && n <= 4) {
        for (int i = 0; i < n; i++)
            names[k++] = yysymbol_name(exp[i]);
    } else {
        bool semi = false, brace = false;
        for (int i = 0; i < n; i++) {
            semi |= !strcmp(yysymbol_name(exp[i]), "';'");
            brace |= !strcmp(yysymbol_name(exp[i]), "'}'");
        }
        if (semi && !brace)
            names[k++] = "';'";
    }
    dsl_syntax_error(st, yypcontext_location(ctx), yysymbol_name(tok),
                     tok == YYSYMBOL_T_IDENT ? yyget_text(scanner) : NULL, names, k, false);
    return 0;
}
