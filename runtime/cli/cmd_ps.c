/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kago ps [--format table|json] ID [PS-ARGS...]: the container's processes;
 * table runs ps(1) (default "-ef") and keeps the header and the container's
 * lines, unless the backend has a view of its own (a microVM's guest); json
 * is always the host pids in the container's cgroup, which engines take
 * for host processes. */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <sys/wait.h>

#include "cli.h"

static const struct option ps_options[] = {
        { "format", required_argument, NULL, 'f' },
        { NULL, 0, NULL, 0 },
};

static bool pid_in(pid_t pid, const pid_t *pids, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (pids[i] == pid)
                        return true;
        return false;
}

/* The column of "PID" in ps's header line. */
static int pid_column(const char *header)
{
        _cleanup_free_ char *copy = xstrdup(header);
        char *save = NULL;
        int col = 0;

        for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save), col++)
                if (strcmp(w, "PID") == 0)
                        return col;
        return -1;
}

static pid_t line_pid(const char *line, int col)
{
        _cleanup_free_ char *copy = xstrdup(line);
        char *save = NULL, *w = strtok_r(copy, " \t\n", &save);

        for (int i = 0; w && i < col; i++)
                w = strtok_r(NULL, " \t\n", &save);
        int64_t pid;
        return w && str_to_i64(w, 1, INT32_MAX, &pid) == 0 ? (pid_t)pid : -1;
}

static int ps_filter(FILE *in, const pid_t *pids, size_t n, struct kago_err *err)
{
        char *line = NULL;
        size_t cap = 0;
        int col = -1;

        if (getline(&line, &cap, in) < 0) {
                free(line);
                return kago_err_set(err, "ps printed nothing");
        }
        col = pid_column(line);
        if (col < 0) {
                free(line);
                return kago_err_set(err, "ps: no PID column in its output (add -o pid,...)");
        }
        fputs(line, stdout);
        while (getline(&line, &cap, in) >= 0)
                if (pid_in(line_pid(line, col), pids, n))
                        fputs(line, stdout);
        free(line);
        return 0;
}

static int ps_table(char **ps_args, int n_args, const pid_t *pids, size_t n, struct kago_err *err)
{
        int fds[2];
        char **argv = xcalloc((size_t)n_args + 3, sizeof *argv);

        argv[0] = "ps";
        if (n_args == 0)
                argv[1] = "-ef";
        for (int i = 0; i < n_args; i++)
                argv[i + 1] = ps_args[i];
        if (pipe(fds) < 0) {
                free(argv);
                return kago_err_errno(err, errno, "pipe");
        }
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
                dup2(fds[1], 1);
                close(fds[0]);
                close(fds[1]);
                execvp("ps", argv);
                dprintf(2, "kago: exec ps: %s\n", strerror(errno));
                _exit(127);
        }
        free(argv);
        close(fds[1]);
        if (pid < 0) {
                close(fds[0]);
                return kago_err_errno(err, errno, "fork");
        }
        FILE *in = fdopen(fds[0], "r");
        int rc = ps_filter(in, pids, n, err);
        fclose(in);
        int status;
        waitpid(pid, &status, 0);
        if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
                return kago_err_set(err, "ps exited with status %d", WEXITSTATUS(status));
        return rc;
}

static void ps_json(const pid_t *pids, size_t n)
{
        fputc('[', stdout);
        for (size_t i = 0; i < n; i++)
                printf("%s%d", i ? "," : "", (int)pids[i]);
        fputs("]\n", stdout);
}

static int ps_parse(int argc, char **argv, bool *json, struct kago_err *err)
{
        int opt;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, "+:f:", ps_options, NULL)) != -1) {
                if (opt != 'f')
                        return cli_bad_option(err, "ps", opt, argv);
                if (strcmp(optarg, "json") != 0 && strcmp(optarg, "table") != 0)
                        return cli_usage_error(err, "ps", "--format: unknown format \"%s\" "
                                                          "(table or json)", optarg);
                *json = strcmp(optarg, "json") == 0;
        }
        if (optind >= argc)
                return cli_usage_error(err, "ps", "missing container id");
        return 0;
}

int cmd_ps(KAGO_COMMAND_ARGS)
{
        _cleanup_close_ int rootfd = -1, dirfd = -1;
        _cleanup_free_ pid_t *pids = NULL;
        struct container_state st = { 0 };
        bool json = false;
        size_t n = 0;

        if (ps_parse(argc, argv, &json, err) < 0)
                return -1;
        const char *id = argv[optind];
        int first_arg = optind + 1 + (optind + 1 < argc && strcmp(argv[optind + 1], "--") == 0);
        if (store_open_root(g->root, &rootfd, err) < 0 || store_open(rootfd, id, &dirfd, err) < 0 ||
            store_read_state(dirfd, id, &st, err) < 0)
                return -1;
        /* A stopped container has no processes: an empty list, exit 0, as
         * runc does (runc prints "null" for json; kago an empty array). */
        const struct kago_backend *b = backend_of_state(&st);
        enum container_status s = container_status_get(dirfd, &st);
        char **ps_args = argv + first_arg;
        int n_args = argc - first_arg, rc = 0;
        if (s != STATUS_STOPPED && !json && b->ps_table)
                rc = s == STATUS_RUNNING
                             ? b->ps_table(&st, dirfd, ps_args, n_args, err)
                             : kago_err_set(err, "ps: container \"%s\" is %s: only a running "
                                                 "%s answers", id, container_status_name(s), b->name);
        else if (s != STATUS_STOPPED && container_pids(&st, &pids, &n, err) < 0)
                rc = -1;
        else if (json)
                ps_json(pids, n);
        else
                rc = ps_table(ps_args, n_args, pids, n, err);
        container_state_free(&st);
        return rc;
}
