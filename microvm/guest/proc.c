/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the guest's /proc tells kago about it. The process list for kago ps:
 * one line per process, "PID PPID UID COMMAND", the command line with its
 * words separated by spaces ([name] when it has none); kernel threads
 * (kthreadd and its children) are left out, as they are of no container.
 * The figures for kago events --stats: "KEY VALUE" lines of memory (bytes),
 * CPU time (USER_HZ ticks) and the number of tasks (threads, the kernel's
 * included).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest.h"

static ssize_t read_file(const char *path, char *buf, size_t cap)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        ssize_t n = read(fd, buf, cap - 1);
        close(fd);
        if (n >= 0)
                buf[n] = 0;
        return n;
}

/* ppid and name from /proc/PID/stat: "pid (name) state ppid ...". */
static int stat_fields(const char *pid, int *ppid, char *name, size_t cap)
{
        char path[300], buf[512];
        snprintf(path, sizeof path, "/proc/%s/stat", pid);
        if (read_file(path, buf, sizeof buf) <= 0)
                return -1;
        char *open = strchr(buf, '('), *close = strrchr(buf, ')');
        if (!open || !close || close < open)
                return -1;
        snprintf(name, cap, "%.*s", (int)(close - open - 1), open + 1);
        if (close[1] != ' ' || !close[2] || close[3] != ' ')
                return -1;
        char *end;
        *ppid = (int)strtol(close + 4, &end, 10); /* past ") S " */
        return end != close + 4 ? 0 : -1;
}

static long uid_of(const char *pid)
{
        char path[300], buf[2048];
        snprintf(path, sizeof path, "/proc/%s/status", pid);
        if (read_file(path, buf, sizeof buf) <= 0)
                return -1;
        const char *u = strstr(buf, "\nUid:");
        return u ? strtol(u + 5, NULL, 10) : -1;
}

static void command_line(const char *pid, const char *name, char *out, size_t cap)
{
        char path[300];
        snprintf(path, sizeof path, "/proc/%s/cmdline", pid);
        ssize_t n = read_file(path, out, cap);
        if (n <= 0) {
                snprintf(out, cap, "[%s]", name);
                return;
        }
        while (n > 0 && out[n - 1] == 0)
                n--;
        for (ssize_t i = 0; i < n; i++)
                if (out[i] == 0)
                        out[i] = ' ';
        out[n] = 0;
}

void process_list(int fd, uint16_t session)
{
        DIR *d = opendir("/proc");
        if (!d)
                return;
        static char chunk[16384];
        size_t len = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                int ppid;
                char name[64], cmd[1024], line[1200];
                if (de->d_name[0] < '0' || de->d_name[0] > '9' ||
                    stat_fields(de->d_name, &ppid, name, sizeof name) < 0 ||
                    strcmp(de->d_name, "2") == 0 || ppid == 2)
                        continue;
                command_line(de->d_name, name, cmd, sizeof cmd);
                int n = snprintf(line, sizeof line, "%s %d %ld %s\n", de->d_name, ppid,
                                 uid_of(de->d_name), cmd);
                if (n <= 0)
                        continue;
                if (len + (size_t)n > sizeof chunk) {
                        agent_send(fd, KAGO_AGENT_STDOUT, session, chunk, (uint32_t)len);
                        len = 0;
                }
                memcpy(chunk + len, line, (size_t)n);
                len += (size_t)n;
        }
        closedir(d);
        if (len)
                agent_send(fd, KAGO_AGENT_STDOUT, session, chunk, (uint32_t)len);
}

/* The number after key in text (0 when it is not there). */
static unsigned long long field(const char *text, const char *key)
{
        const char *p = strstr(text, key);
        return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

void guest_stats(int fd, uint16_t session)
{
        static char mem[4096], cpu[512], load[128];
        char out[512];
        if (read_file("/proc/meminfo", mem, sizeof mem) <= 0 ||
            read_file("/proc/stat", cpu, sizeof cpu) <= 0 || read_file("/proc/loadavg", load, sizeof load) <= 0)
                return;
        unsigned long long t[8] = { 0 };
        char *p = cpu + 3; /* "cpu  user nice system idle iowait irq softirq steal" */
        for (int i = 0; i < 8; i++)
                t[i] = strtoull(p, &p, 10);
        int n = snprintf(out, sizeof out,
                         "memory_total %llu\nmemory_free %llu\nmemory_available %llu\n"
                         "cpu_user %llu\ncpu_system %llu\ncpu_idle %llu\ntasks %llu\n",
                         field(mem, "MemTotal:") * 1024, field(mem, "MemFree:") * 1024,
                         field(mem, "MemAvailable:") * 1024, t[0] + t[1], t[2] + t[5] + t[6],
                         t[3] + t[4], field(load, "/")); /* "0.00 0.01 0.00 RUNNING/TASKS LAST" */
        if (n > 0)
                agent_send(fd, KAGO_AGENT_STDOUT, session, out, (uint32_t)n);
}
