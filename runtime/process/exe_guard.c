/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CVE-2019-5736 defence. A process in a container can reach the binary
 * of any kago process it can see through /proc/PID/exe (or run it through
 * "#!/proc/self/exe") and, once that process has exited, reopen it for
 * writing. kago therefore re-executes itself from a sealed memfd copy
 * before it creates, runs or enters a container: /proc/PID/exe of every
 * kago process a container can see is that copy, which cannot be written
 * (F_SEAL_WRITE) nor grown, shrunk or unsealed, and whose changes could
 * reach no other process anyway.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include "process.h"

#define EXE_GUARD_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

extern char **environ;

bool exe_guard_active(void)
{
        _cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return false;
        int seals = fcntl(fd, F_GET_SEALS);
        return seals >= 0 && (seals & EXE_GUARD_SEALS) == EXE_GUARD_SEALS;
}

static int exe_guard_memfd(void)
{
        int fd = memfd_create("kago", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

        if (fd < 0 && errno == EINVAL) /* kernels before 6.3 do not know MFD_EXEC */
                fd = memfd_create("kago", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        return fd;
}

/* A sealed memfd holding the bytes of /proc/self/exe. */
static int exe_guard_copy(struct kago_err *err)
{
        struct stat st;
        _cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

        if (src < 0)
                return kago_err_errno(err, errno, "open /proc/self/exe");
        if (fstat(src, &st) < 0)
                return kago_err_errno(err, errno, "stat /proc/self/exe");
        _cleanup_close_ int mfd = exe_guard_memfd();
        if (mfd < 0)
                return kago_err_errno(err, errno, "memfd_create for a copy of kago");
        for (off_t done = 0; done < st.st_size;) {
                ssize_t n = sendfile(mfd, src, NULL, (size_t)(st.st_size - done));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return kago_err_errno(err, n < 0 ? errno : EIO, "copy kago into a memfd");
                done += n;
        }
        if (fcntl(mfd, F_ADD_SEALS, EXE_GUARD_SEALS) < 0)
                return kago_err_errno(err, errno, "seal the memfd copy of kago");
        return TAKE_FD(mfd);
}

/* argv of this process, rebuilt from /proc/self/cmdline (NUL-separated). */
static char **exe_guard_argv(char **buf_out, struct kago_err *err)
{
        char *buf = NULL;
        size_t len = 0, n = 0;

        if (file_read_at(AT_FDCWD, "/proc/self/cmdline", 1 << 20, &buf, &len, err) < 0)
                return NULL;
        for (size_t i = 0; i < len; i++)
                n += buf[i] == '\0';
        char **argv = xcalloc(n + 1, sizeof *argv);
        size_t k = 0;
        for (size_t i = 0; i < len && k < n; i += strlen(buf + i) + 1)
                argv[k++] = buf + i;
        *buf_out = buf;
        return argv;
}

int exe_guard_ensure(struct kago_err *err)
{
        if (exe_guard_active())
                return 0;
        _cleanup_close_ int mfd = exe_guard_copy(err);
        if (mfd < 0)
                return kago_err_wrap(err, "guard the kago binary");
        _cleanup_free_ char *buf = NULL;
        _cleanup_free_ char **argv = exe_guard_argv(&buf, err);
        if (!argv)
                return kago_err_wrap(err, "guard the kago binary");
        fflush(NULL);
        fexecve(mfd, argv, environ);
        return kago_err_errno(err, errno, "guard the kago binary: execute the sealed copy");
}
