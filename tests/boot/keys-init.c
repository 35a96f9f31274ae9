/* tests/boot/keys-init.c — the whole userspace of the "keys" boot case: load
 * Debian's gpio_keys module (built as a module, so the kernel alone cannot
 * probe gpio-keys) and exit, which ends the boot with a panic the suite
 * waits for. No libc: two system calls, the aarch64 Linux ABI. */
static long sys(long n, long a, long b, long c)
{
    register long x8 __asm__("x8") = n, x0 __asm__("x0") = a, x1 __asm__("x1") = b, x2 __asm__("x2") = c;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
}

void _start(void)
{
    long fd = sys(56 /* openat */, -100 /* AT_FDCWD */, (long)"/gpio_keys.ko", 0);
    if (fd >= 0)
        sys(273 /* finit_module */, fd, (long)"", 0);
    sys(93 /* exit */, 0, 0, 0);
    for (;;)
        ;
}
