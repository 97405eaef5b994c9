/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Is the recorded init process still the same live process? Pids get reused,
 * so a pid is only trusted together with its start time; signals go through a
 * pidfd checked against that start time. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>

#include "container.h"

/* /proc/PID/stat: "pid (comm) S ppid ..."; comm may hold spaces and ')'. */
static int stat_parse(const char *buf, char *state, uint64_t *start_time)
{
        const char *p = strrchr(buf, ')');
        if (!p || p[1] != ' ')
                return -1;
        *state = p[2];
        p += 2;
        /* After ')': field 3 is the state; start time is field 22. */
        for (int field = 3; field < 22; field++) {
                p = strchr(p, ' ');
                if (!p)
                        return -1;
                p++;
        }
        char *end;
        *start_time = strtoull(p, &end, 10);
        return end == p ? -1 : 0;
}

int proc_start_time(pid_t pid, uint64_t *start_time)
{
        char path[64], buf[1024], state;

        if (pid <= 0) {
                errno = ESRCH;
                return -1;
        }
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                errno = ESRCH;
                return -1;
        }
        ssize_t n = fd_read_all(fd, buf, sizeof buf - 1);
        if (n <= 0) {
                errno = ESRCH;
                return -1;
        }
        buf[n] = '\0';
        if (stat_parse(buf, &state, start_time) < 0 || state == 'Z' || state == 'X') {
                errno = ESRCH;
                return -1;
        }
        return 0;
}

bool proc_is_alive(pid_t pid, uint64_t start_time)
{
        uint64_t now;
        return proc_start_time(pid, &now) == 0 && now == start_time;
}

int proc_open_pidfd(pid_t pid, uint64_t start_time)
{
        int fd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (fd < 0)
                return -1;
        /* The pidfd pins the process: if the start time still matches now,
         * the pidfd refers to the recorded process. */
        if (!proc_is_alive(pid, start_time)) {
                close(fd);
                errno = ESRCH;
                return -1;
        }
        return fd;
}
