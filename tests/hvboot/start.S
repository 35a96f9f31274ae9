/* tests/hvboot/start.S — entry, trap vectors and guest switch of the test
 * hypervisor (hv.c). QEMU starts the ELF at EL2 (virtualization=on). Traps
 * from a guest: a data abort (EC 0x24) is logged and the faulting
 * instruction skipped; HVC (EC 0x16) ends the guest's run and returns from
 * run_guest(). The guest code only uses x0-x8, so x9-x10 are free here. */
    .section .text.start, "ax"
    .global _start
_start:
    ldr x0, =stack_top
    mov sp, x0
    adr x0, vectors
    msr vbar_el2, x0
    isb
    bl hv_main
    /* PSCI SYSTEM_OFF (QEMU emulates PSCI; the conduit at EL2 is SMC). */
    ldr x0, =0x84000008
    smc #0
1:  wfi
    b 1b

/* uint64_t run_guest(uint64_t entry, const uint64_t args[6]) */
    .global run_guest
run_guest:
    stp x29, x30, [sp, #-96]!
    stp x19, x20, [sp, #16]
    stp x21, x22, [sp, #32]
    stp x23, x24, [sp, #48]
    stp x25, x26, [sp, #64]
    stp x27, x28, [sp, #80]
    ldr x9, =saved_sp
    mov x10, sp
    str x10, [x9]
    msr elr_el2, x0
    mov x10, #0x3c5             /* EL1h, DAIF masked */
    msr spsr_el2, x10
    ldp x2, x3, [x1, #16]
    ldp x4, x5, [x1, #32]
    ldp x0, x1, [x1]
    isb
    eret

guest_exit:                     /* from the HVC trap */
    ldr x9, =guest_x4
    str x4, [x9]
    ldr x9, =saved_sp
    ldr x10, [x9]
    mov sp, x10
    ldp x19, x20, [sp, #16]
    ldp x21, x22, [sp, #32]
    ldp x23, x24, [sp, #48]
    ldp x25, x26, [sp, #64]
    ldp x27, x28, [sp, #80]
    ldp x29, x30, [sp], #96
    mov x0, #0
    ret

lower_sync:
    mrs x9, esr_el2
    lsr x10, x9, #26
    cmp x10, #0x16
    b.eq guest_exit
    cmp x10, #0x24
    b.ne unexpected
    /* log {esr, hpfar} and skip the instruction */
    ldr x9, =fault_count
    ldr x10, [x9]
    add x10, x10, #1
    str x10, [x9]
    ldr x9, =fault_esr
    mrs x10, esr_el2
    str x10, [x9]
    ldr x9, =fault_hpfar
    mrs x10, hpfar_el2
    str x10, [x9]
    mrs x10, elr_el2
    add x10, x10, #4
    msr elr_el2, x10
    eret

unexpected:
    mrs x0, esr_el2
    mrs x1, elr_el2
    mrs x2, far_el2
    bl hv_unexpected
2:  b 2b

    .balign 2048
vectors:
    .rept 8                     /* current EL: nothing is expected */
    .balign 128
    b unexpected
    .endr
    .balign 128                 /* lower EL, AArch64, synchronous */
    b lower_sync
    .rept 7
    .balign 128
    b unexpected
    .endr

/* The guest: position independent, copied into guest RAM by hv.c.
 *   x0 RAM IPA to store x3 at (read back into x4)
 *   x1 IPA to probe (expected to fault), or 0
 *   x2 UART data register IPA, or 0
 *   x3 a magic value
 *   x5 shared-window IPA to store x3 at, or 0 */
    .global guest_code, guest_code_end
guest_code:
    str x3, [x0]
    ldr x4, [x0]
    cbz x2, 1f
    mov w6, #'G'
    str w6, [x2]
    mov w6, #'\n'
    str w6, [x2]
1:  cbz x5, 2f
    str x3, [x5]
2:  cbz x1, 3f
    ldr x7, [x1]
3:  hvc #0
    b 3b
guest_code_end:
