/*
 * ctx_aarch64.S — task context switch for AArch64 (AAPCS64).
 *
 * Same scheme as ctx_x86_64.S: a context is a saved sp; the switch stores
 * the callee-saved registers x19-x28, fp (x29), lr (x30), the low halves of
 * v8-v15 (d8-d15) and FPCR on the stack, swaps sp and restores.  Checked
 * with the loop tests cross-built by aarch64-linux-gnu-gcc and run under
 * qemu-aarch64 (user mode); not yet on real hardware.
 *
 * Frame at a saved sp (low to high, 176 bytes, 16-aligned):
 *   x19 x20 x21 x22 x23 x24 x25 x26 x27 x28 x29 x30 d8..d15 fpcr pad
 */
    .text

/* void eddy__ctx_switch(struct eddy__ctx *from, struct eddy__ctx *to) */
    .globl eddy__ctx_switch
    .type eddy__ctx_switch, %function
eddy__ctx_switch:
    sub sp, sp, #176
    stp x19, x20, [sp, #0]
    stp x21, x22, [sp, #16]
    stp x23, x24, [sp, #32]
    stp x25, x26, [sp, #48]
    stp x27, x28, [sp, #64]
    stp x29, x30, [sp, #80]
    stp d8, d9, [sp, #96]
    stp d10, d11, [sp, #112]
    stp d12, d13, [sp, #128]
    stp d14, d15, [sp, #144]
    mrs x9, fpcr
    str x9, [sp, #160]
    mov x9, sp
    str x9, [x0]
    ldr x9, [x1]
    mov sp, x9
    ldp x19, x20, [sp, #0]
    ldp x21, x22, [sp, #16]
    ldp x23, x24, [sp, #32]
    ldp x25, x26, [sp, #48]
    ldp x27, x28, [sp, #64]
    ldp x29, x30, [sp, #80]
    ldp d8, d9, [sp, #96]
    ldp d10, d11, [sp, #112]
    ldp d12, d13, [sp, #128]
    ldp d14, d15, [sp, #144]
    ldr x9, [sp, #160]
    msr fpcr, x9
    add sp, sp, #176
    ret
    .size eddy__ctx_switch, .-eddy__ctx_switch

/* First code of a new context: fn in x19, arg in x20.  fn never returns. */
    .type eddy__ctx_entry, %function
eddy__ctx_entry:
    mov x0, x20
    blr x19
    brk #0
    .size eddy__ctx_entry, .-eddy__ctx_entry

/* void eddy__ctx_make(struct eddy__ctx *c, void *lo, size_t size,
 *                     void (*fn)(void *), void *arg)
 * x0=c x1=lo x2=size x3=fn x4=arg */
    .globl eddy__ctx_make
    .type eddy__ctx_make, %function
eddy__ctx_make:
    add x9, x1, x2
    and x9, x9, #~15          /* top, 16-aligned */
    sub x9, x9, #176
    mov x10, #0
    mov x11, #0
    stp x3, x4, [x9, #0]      /* x19 = fn, x20 = arg */
    stp x10, x11, [x9, #16]
    stp x10, x11, [x9, #32]
    stp x10, x11, [x9, #48]
    stp x10, x11, [x9, #64]
    adr x12, eddy__ctx_entry
    stp x10, x12, [x9, #80]   /* x29 = 0 (ends frame walks), x30 = entry */
    stp x10, x11, [x9, #96]
    stp x10, x11, [x9, #112]
    stp x10, x11, [x9, #128]
    stp x10, x11, [x9, #144]
    mrs x12, fpcr
    stp x12, x11, [x9, #160]
    str x9, [x0]
    ret
    .size eddy__ctx_make, .-eddy__ctx_make

    .globl eddy__ctx_main_init
    .type eddy__ctx_main_init, %function
eddy__ctx_main_init:
    mov w0, #0
    ret
    .size eddy__ctx_main_init, .-eddy__ctx_main_init

    .globl eddy__ctx_main_fini
    .type eddy__ctx_main_fini, %function
eddy__ctx_main_fini:
    ret
    .size eddy__ctx_main_fini, .-eddy__ctx_main_fini

    .section .note.GNU-stack,"",%progbits
