/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VMM's own memory around boot. Kernel and initrd images are mapped,
 * not read into the heap: they are copied into guest RAM once and unmapped,
 * so their pages never count as the VMM's. Once the guest is loaded, what
 * only the loading needed goes back: the pages of the embedded guest init
 * (file pages of kago's own image, read once into the initramfs) and the
 * heap malloc keeps free.
 */
#include <errno.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm.h"

int image_map(int fd, const char *what, size_t max, struct image_map *out, struct kago_err *err)
{
        struct stat st;
        *out = (struct image_map){ 0 };
        if (fstat(fd, &st) < 0)
                return kago_err_errno(err, errno, "stat %s", what);
        if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > max)
                return kago_err_set(err, "%s: not a regular file of 1 byte to %zu MiB", what,
                                    max >> 20);
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED)
                return kago_err_errno(err, errno, "map %s", what);
        out->data = p;
        out->len = (size_t)st.st_size;
        return 0;
}

void image_unmap(struct image_map *m)
{
        if (m->data)
                munmap(m->data, m->len);
        *m = (struct image_map){ 0 };
}

/* The whole pages inside the embedded guest init: dropping them loses
 * nothing (a later read faults them in again from kago's image). */
static void release_guest_init(void)
{
        uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
        uintptr_t start = ((uintptr_t)microvm_guest_init + page - 1) & ~(page - 1);
        uintptr_t end = (uintptr_t)microvm_guest_init_end & ~(page - 1);
        if (end > start)
                madvise((void *)start, end - start, MADV_DONTNEED);
}

void vmm_release_boot_memory(void)
{
        release_guest_init();
        malloc_trim(0);
}
