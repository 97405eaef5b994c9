/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proves runtime/process/exe_guard.c (the CVE-2019-5736 defence): a process that
 * calls exe_guard_ensure() re-executes from a sealed memfd with the same
 * arguments, and then the attack fails: writing through /proc/self/exe (what
 * a container process reaches through /proc/PID/exe) is refused, truncating
 * is refused, the seals cannot be removed, and the binary on disk is
 * unchanged. Without the guard the same write reaches the file, so the test
 * shows the attack it defends against.
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../../runtime/process/process.h"
#include "unit.h"

/* Run as "<test> --guarded MODE": the attacked process. */
static int guarded_main(const char *mode)
{
        struct kago_err err = { 0 };

        if (strcmp(mode, "guard") == 0 && exe_guard_ensure(&err) < 0) {
                fprintf(stderr, "  %s\n", kago_err_text(&err));
                return 20;
        }
        if (!exe_guard_active())
                return 21;
        char link[256] = "";
        if (readlink("/proc/self/exe", link, sizeof link - 1) < 0 || !strstr(link, "memfd:kago"))
                return 22;
        int fd = open("/proc/self/exe", O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
                if (write(fd, "x", 1) >= 0 || errno != EPERM)
                        return 23;
                if (ftruncate(fd, 0) == 0)
                        return 24;
                close(fd);
        } else if (errno != ETXTBSY && errno != EACCES && errno != EPERM) {
                return 25;
        }
        fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE) == 0 || errno != EPERM)
                return 26; /* F_SEAL_SEAL: nothing can change the seals */
        close(fd);
        return 0;
}

static int run_self(const char *mode)
{
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        int st = 0;

        if (n < 0)
                return -1;
        self[n] = '\0';
        pid_t pid = fork();
        if (pid == 0) {
                execl(self, self, "--guarded", mode, (char *)NULL);
                _exit(127);
        }
        waitpid(pid, &st, 0);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

UNIT_TEST(unguarded_process_is_not_active)
{
        CHECK(!exe_guard_active());
        /* "check" skips the guard: the checks fail at once (not a memfd). */
        CHECK(run_self("check") == 21);
}

UNIT_TEST(guarded_process_runs_from_a_sealed_copy)
{
        struct stat before, after;
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

        CHECK(n > 0);
        self[n] = '\0';
        CHECK(stat(self, &before) == 0);
        CHECK(run_self("guard") == 0);
        CHECK(stat(self, &after) == 0);
        CHECK(before.st_size == after.st_size && before.st_mtime == after.st_mtime);
}

/* The attack itself on an unguarded copy: once the process that ran it is
 * gone, its file reopened through a kept /proc/PID/exe O_PATH fd takes the
 * write (while it runs: ETXTBSY). */
UNIT_TEST(attack_reaches_an_unguarded_binary)
{
        char dir[] = "/tmp/kago-unit-XXXXXX";
        char path[64], fdp[64], l[256] = "";
        int st = 0;

        CHECK(mkdtemp(dir) != NULL);
        _cleanup_free_ char *bin = xasprintf("%s/sleep", dir);
        _cleanup_free_ char *cmd = xasprintf("cp /bin/sleep %s", bin);
        CHECK(system(cmd) == 0);
        pid_t pid = fork();
        if (pid == 0) {
                execl(bin, bin, "30", (char *)NULL);
                _exit(127);
        }
        snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
        for (int i = 0; i < 2000 && strcmp(l, bin) != 0; i++) {
                memset(l, 0, sizeof l);
                if (readlink(path, l, sizeof l - 1) < 0 || strcmp(l, bin) != 0)
                        usleep(1000);
        }
        CHECK_STR(l, bin);
        int held = open(path, O_PATH | O_CLOEXEC);
        CHECK(held >= 0);
        snprintf(fdp, sizeof fdp, "/proc/self/fd/%d", held);
        CHECK(open(fdp, O_WRONLY | O_CLOEXEC) < 0 && errno == ETXTBSY);
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        int w = open(fdp, O_WRONLY | O_CLOEXEC);
        CHECK(w >= 0 && write(w, "#!", 2) == 2); /* the host binary is overwritten */
        if (w >= 0)
                close(w);
        close(held);
        unlink(bin);
        rmdir(dir);
}

int main(int argc, char **argv)
{
        static const struct unit_test tests[] = {
                UNIT(unguarded_process_is_not_active),
                UNIT(guarded_process_runs_from_a_sealed_copy),
                UNIT(attack_reaches_an_unguarded_binary),
        };

        if (argc == 3 && strcmp(argv[1], "--guarded") == 0)
                return guarded_main(argv[2]);
        return unit_run("security_exe", tests, ARRAY_SIZE(tests));
}
