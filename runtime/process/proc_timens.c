/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.timeOffsets: a new time namespace whose offsets are written before
 * any process enters it. unshare(CLONE_NEWTIME) leaves the caller outside;
 * its next execve (or child) enters the namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>

#include "process.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static size_t timens_line(char *buf, size_t cap, const char *clock,
                          const struct oci_time_offset *o)
{
        if (!o->set)
                return 0;
        return (size_t)snprintf(buf, cap, "%s %lld %u\n", clock, (long long)o->secs, o->nanosecs);
}

int proc_enter_time_offsets(const struct oci_time_offsets *t, struct kago_err *err)
{
        char buf[128];
        size_t n = 0;

        if (t->monotonic.nanosecs >= 1000000000u || t->boottime.nanosecs >= 1000000000u)
                return kago_err_set(err, "linux.timeOffsets: nanosecs must be below 1000000000");
        n += timens_line(buf + n, sizeof buf - n, "monotonic", &t->monotonic);
        n += timens_line(buf + n, sizeof buf - n, "boottime", &t->boottime);
        if (unshare(CLONE_NEWTIME) < 0)
                return kago_err_errno(err, errno, "linux.timeOffsets: unshare(CLONE_NEWTIME)%s",
                                      errno == EINVAL ? " (this kernel has no time namespaces, "
                                                        "Linux 5.6)" : "");
        if (n == 0)
                return 0;
        _cleanup_close_ int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return kago_err_errno(err, errno, "open /proc/self/timens_offsets");
        if (write(fd, buf, n) != (ssize_t)n)
                return kago_err_errno(err, errno, "linux.timeOffsets: write \"%.*s\"",
                                      (int)n - 1, buf);
        return 0;
}
