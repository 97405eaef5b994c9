/* SPDX-License-Identifier: GPL-2.0-or-later */
/* process.rlimits with prlimit(2); EPERM says which hard limit could not rise. */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include "process.h"

int proc_rlimit_resource(const char *name)
{
        static const struct {
                const char *name;
                int resource;
        } table[] = {
                { "RLIMIT_AS", RLIMIT_AS },             { "RLIMIT_CORE", RLIMIT_CORE },
                { "RLIMIT_CPU", RLIMIT_CPU },           { "RLIMIT_DATA", RLIMIT_DATA },
                { "RLIMIT_FSIZE", RLIMIT_FSIZE },       { "RLIMIT_LOCKS", RLIMIT_LOCKS },
                { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },   { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
                { "RLIMIT_NICE", RLIMIT_NICE },         { "RLIMIT_NOFILE", RLIMIT_NOFILE },
                { "RLIMIT_NPROC", RLIMIT_NPROC },       { "RLIMIT_RSS", RLIMIT_RSS },
                { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },     { "RLIMIT_RTTIME", RLIMIT_RTTIME },
                { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
        };

        for (size_t i = 0; i < ARRAY_SIZE(table); i++)
                if (strcmp(table[i].name, name) == 0)
                        return table[i].resource;
        return -1;
}

static int proc_set_rlimit(pid_t pid, const struct oci_rlimit *r, size_t i, struct kago_err *err)
{
        int res = proc_rlimit_resource(r->type ? r->type : "");
        struct rlimit old = { 0 }, lim = { .rlim_cur = r->soft, .rlim_max = r->hard };

        if (res < 0)
                return kago_err_set(err, "process.rlimits[%zu].type: unknown limit \"%s\"", i,
                                    r->type ? r->type : "");
        if (r->soft > r->hard)
                return kago_err_set(err, "process.rlimits[%zu]: %s soft limit %llu is above the "
                                         "hard limit %llu", i, r->type,
                                    (unsigned long long)r->soft, (unsigned long long)r->hard);
        prlimit(pid, res, NULL, &old);
        if (prlimit(pid, res, &lim, NULL) == 0)
                return 0;
        if (errno == EPERM)
                return kago_err_errno(err, EPERM, "process.rlimits[%zu]: %s: raising the hard limit "
                                                  "from %llu to %llu needs CAP_SYS_RESOURCE, which "
                                                  "kago does not hold here", i, r->type,
                                      (unsigned long long)old.rlim_max,
                                      (unsigned long long)r->hard);
        return kago_err_errno(err, errno, "process.rlimits[%zu]: set %s to %llu/%llu%s", i,
                              r->type, (unsigned long long)r->soft, (unsigned long long)r->hard,
                              errno == EINVAL && res == RLIMIT_NOFILE
                                      ? " (above fs.nr_open?)" : "");
}

int proc_set_rlimits(pid_t pid, const struct oci_rlimit *r, size_t n, struct kago_err *err)
{
        for (size_t i = 0; i < n; i++)
                if (proc_set_rlimit(pid, &r[i], i, err) < 0)
                        return -1;
        return 0;
}
