/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A failed CRIU request explained: the log's first errors and a hint. */
#include <string.h>

#include "criu.h"

#define LOG_READ_MAX (8 << 20)
#define ERRORS_SHOWN 4

/* Causes CRIU's log shows, and what to do about each. */
static const struct {
        const char *needle, *hint;
} hints[] = {
        { "io_uring", "the workload uses io_uring, which CRIU cannot checkpoint" },
        { "rseq", "CRIU cannot handle the workload's rseq registration on this kernel; run the "
                  "workload with GLIBC_TUNABLES=glibc.pthread.rseq=0" },
        { "soft-dirty", "the kernel has no soft-dirty memory tracking "
                        "(CONFIG_MEM_SOFT_DIRTY), which --pre-dump and --parent-path need" },
        { "Dirty tracking", "the kernel has no soft-dirty memory tracking "
                            "(CONFIG_MEM_SOFT_DIRTY), which --pre-dump and --parent-path need" },
        { "cgroup", "a cgroup could not be dumped or restored: try "
                    "--manage-cgroups-mode ignore" },
        { "External socket", "the workload holds a unix socket to outside the container: "
                             "--ext-unix-sk" },
        { "TCP connection", "the workload has TCP connections: --tcp-established" },
        { "Connected TCP", "the workload has TCP connections: --tcp-established" },
        { "tty", "the workload holds a terminal from outside the container: --shell-job" },
        { "Can't open file", "a file the workload had open is missing or changed in the "
                             "container's root" },
};

static const char *hint_for(const char *line)
{
        for (size_t i = 0; i < ARRAY_SIZE(hints); i++)
                if (strstr(line, hints[i].needle))
                        return hints[i].hint;
        return NULL;
}

/* Copies of up to ERRORS_SHOWN "Error" lines of log, joined with "; ". */
static char *first_errors(char *log, const char **hint)
{
        char *out = xstrdup(""), *save = NULL;
        int shown = 0;

        for (char *line = strtok_r(log, "\n", &save); line && shown < ERRORS_SHOWN;
             line = strtok_r(NULL, "\n", &save)) {
                char *e = strstr(line, "Error");
                if (!e)
                        continue;
                if (!*hint)
                        *hint = hint_for(e);
                char *joined = xasprintf("%s%s%s", out, shown ? "; " : "", e);
                free(out);
                out = joined;
                shown++;
        }
        return out;
}

void criu_explain_failure(int work_dirfd, const char *log_name, const char *log_path,
                          const struct criu_result *res, struct kago_err *err)
{
        _cleanup_free_ char *log = NULL, *errors = NULL;
        struct kago_err ignored = { 0 };
        const char *hint = NULL;
        size_t len;

        if (file_read_at(work_dirfd, log_name, LOG_READ_MAX, &log, &len, &ignored) == 0)
                errors = first_errors(log, &hint);
        const char *what = errors && *errors ? errors
                           : res->cr_errmsg    ? res->cr_errmsg
                                               : "no error in its log";
        if (res->cr_errno)
                kago_err_set(err, "criu failed (%s): %s%s%s (log: %s)", strerror(res->cr_errno),
                             what, hint ? "; hint: " : "", hint ? hint : "", log_path);
        else
                kago_err_set(err, "criu failed: %s%s%s (log: %s)", what, hint ? "; hint: " : "",
                             hint ? hint : "", log_path);
}
