/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Closing every fd a process inherited except a chosen few. */
#include <errno.h>
#include <linux/close_range.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base.h"

static int int_compare(const void *a, const void *b)
{
        int x = *(const int *)a, y = *(const int *)b;
        return (x > y) - (x < y);
}

int fd_close_all_except(int *keep, size_t n, struct kago_err *err)
{
        unsigned next = 3; /* 0-2 always stay */

        qsort(keep, n, sizeof *keep, int_compare);
        for (size_t i = 0; i < n; i++) {
                if (keep[i] < (int)next)
                        continue; /* -1, 0-2 or a duplicate */
                if ((unsigned)keep[i] > next &&
                    syscall(SYS_close_range, next, (unsigned)keep[i] - 1, 0) < 0)
                        return kago_err_errno(err, errno, "close fds %u-%d", next, keep[i] - 1);
                next = (unsigned)keep[i] + 1;
        }
        if (syscall(SYS_close_range, next, ~0U, 0) < 0)
                return kago_err_errno(err, errno, "close fds from %u", next);
        return 0;
}
