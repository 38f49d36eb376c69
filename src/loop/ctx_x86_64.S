/*
 * ctx_x86_64.S — task context switch for x86-64 (System V ABI).
 *
 * A context is just a saved stack pointer: eddy__ctx_switch pushes the
 * callee-saved registers (rbp rbx r12-r15) and the two pieces of FPU control
 * state a C function must preserve (MXCSR, x87 control word), stores rsp,
 * loads the other context's rsp and pops the same layout.  Caller-saved
 * registers need no saving: the switch is an ordinary function call.  That
 * is ~20 instructions instead of ucontext's signal-mask syscall.
 *
 * Frame at a saved rsp (low to high):
 *   [mxcsr:4 fpucw:2 pad:2] r15 r14 r13 r12 rbx rbp return-address
 */
    .text

/* void eddy__ctx_switch(struct eddy__ctx *from, struct eddy__ctx *to) */
    .globl eddy__ctx_switch
    .type eddy__ctx_switch, @function
eddy__ctx_switch:
    .cfi_startproc
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq (%rsi), %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .cfi_endproc
    .size eddy__ctx_switch, .-eddy__ctx_switch

/* First code a new context runs: `ret` of the switch lands here with fn in
 * r13 and arg in r12.  rsp is 16-byte aligned here, so after the call fn
 * sees the ABI's alignment.  fn never returns. */
    .type eddy__ctx_entry, @function
eddy__ctx_entry:
    .cfi_startproc
    .cfi_undefined rip
    movq %r12, %rdi
    callq *%r13
    ud2
    .cfi_endproc
    .size eddy__ctx_entry, .-eddy__ctx_entry

/* void eddy__ctx_make(struct eddy__ctx *c, void *lo, size_t size,
 *                     void (*fn)(void *), void *arg)
 * Writes the frame eddy__ctx_switch pops: zeroed registers except r12/r13,
 * the current MXCSR/x87 CW, and eddy__ctx_entry as the return address. */
    .globl eddy__ctx_make
    .type eddy__ctx_make, @function
eddy__ctx_make:
    .cfi_startproc
    leaq (%rsi,%rdx), %rax
    andq $-16, %rax          /* top, 16-aligned */
    subq $16, %rax           /* rsp at eddy__ctx_entry (aligned) */
    leaq eddy__ctx_entry(%rip), %r9
    movq %r9, -8(%rax)       /* return address */
    movq $0, -16(%rax)       /* rbp: ends frame-pointer walks */
    movq $0, -24(%rax)       /* rbx */
    movq %r8, -32(%rax)      /* r12 = arg */
    movq %rcx, -40(%rax)     /* r13 = fn */
    movq $0, -48(%rax)       /* r14 */
    movq $0, -56(%rax)       /* r15 */
    subq $64, %rax
    movq $0, (%rax)
    stmxcsr (%rax)
    fnstcw 4(%rax)
    movq %rax, (%rdi)
    ret
    .cfi_endproc
    .size eddy__ctx_make, .-eddy__ctx_make

/* The loop's own context needs no storage beyond struct eddy__ctx. */
    .globl eddy__ctx_main_init
    .type eddy__ctx_main_init, @function
eddy__ctx_main_init:
    xorl %eax, %eax
    ret
    .size eddy__ctx_main_init, .-eddy__ctx_main_init

    .globl eddy__ctx_main_fini
    .type eddy__ctx_main_fini, @function
eddy__ctx_main_fini:
    ret
    .size eddy__ctx_main_fini, .-eddy__ctx_main_fini

    .section .note.GNU-stack,"",@progbits
