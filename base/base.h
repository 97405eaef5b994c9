/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * base: what every kago module shares — the error type, cleanup helpers,
 * logging and safe file helpers. Depends on nothing else in kago.
 */
#ifndef KAGO_BASE_H
#define KAGO_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

/* ---- errors ---------------------------------------------------------- */

#define KAGO_ERR_MSG_MAX 2048

/* An error: the errno that caused it (0 when none) and a message that says
 * what failed, on which path or field, and why. */
struct kago_err {
        int errnum;
        char msg[KAGO_ERR_MSG_MAX];
};

/* Fill err with a message; returns -1 so callers can `return kago_err_set(...)`. */
int kago_err_set(struct kago_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same, recording errnum; the rendered text gets ": strerror(errnum)". */
int kago_err_errno(struct kago_err *err, int errnum, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Prefix context to an existing error: "ctx: old message"; returns -1. */
int kago_err_wrap(struct kago_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The full text, "message: strerror" when errnum is set; valid until err changes. */
const char *kago_err_text(struct kago_err *err);
void kago_err_clear(struct kago_err *err);

/* ---- cleanup helpers ------------------------------------------------- */

static inline void kago_freep(void *p)
{
        free(*(void **)p);
}
static inline void kago_closep(int *fd)
{
        if (*fd >= 0)
                close(*fd);
}
static inline void kago_fclosep(FILE **f)
{
        if (*f)
                fclose(*f);
}
static inline void kago_strvfreep(char ***v)
{
        if (*v) {
                for (char **p = *v; *p; p++)
                        free(*p);
                free(*v);
        }
}

#define _cleanup_free_ __attribute__((cleanup(kago_freep)))
#define _cleanup_close_ __attribute__((cleanup(kago_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(kago_fclosep)))
#define _cleanup_strv_ __attribute__((cleanup(kago_strvfreep)))

/* Hand ownership out of a cleanup variable. */
#define TAKE_PTR(p)                                                                                \
        ({                                                                                         \
                __typeof__(p) _p = (p);                                                            \
                (p) = NULL;                                                                        \
                _p;                                                                                \
        })
#define TAKE_FD(fd)                                                                                \
        ({                                                                                         \
                int _fd = (fd);                                                                    \
                (fd) = -1;                                                                         \
                _fd;                                                                               \
        })

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that cannot fail quietly: abort only on OOM, never on bad input. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- logging --------------------------------------------------------- */

enum kago_log_level { KAGO_LOG_ERROR, KAGO_LOG_WARNING, KAGO_LOG_INFO, KAGO_LOG_DEBUG };
enum kago_log_format { KAGO_LOG_TEXT, KAGO_LOG_JSON };

/* Send log lines to path (NULL: stderr) in format, dropping those above level. */
int kago_log_open(const char *path, enum kago_log_format format, enum kago_log_level level,
                  struct kago_err *err);
void kago_log_close(void);
/* The log file's fd, or -1 when logging to stderr. */
int kago_log_fd(void);
int kago_log_parse_level(const char *name, enum kago_log_level *level);
void kago_log(enum kago_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whether an error also goes to stderr (text) besides the log file. */
bool kago_log_to_file(void);

#define log_error(...) kago_log(KAGO_LOG_ERROR, __VA_ARGS__)
#define log_warning(...) kago_log(KAGO_LOG_WARNING, __VA_ARGS__)
#define log_info(...) kago_log(KAGO_LOG_INFO, __VA_ARGS__)
#define log_debug(...) kago_log(KAGO_LOG_DEBUG, __VA_ARGS__)

/* Write s as a JSON string literal (quotes included) to f. */
void json_fputs_escaped(FILE *f, const char *s);

/* ---- files ----------------------------------------------------------- */

/* Read a whole file (at most max bytes, else an error naming the cap) into a
 * NUL-terminated buffer. dirfd may be AT_FDCWD. */
int file_read_at(int dirfd, const char *path, size_t max, char **out, size_t *len,
                 struct kago_err *err);
/* Write buf to an existing file (cgroup and proc files): one write, no create. */
int file_write_at(int dirfd, const char *path, const char *buf, size_t len, struct kago_err *err);
/* Replace path atomically: write a temp file beside it, fsync, rename. */
int file_write_atomic_at(int dirfd, const char *path, const char *buf, size_t len, mode_t mode,
                         struct kago_err *err);
/* mkdir -p with mode for every created component. */
int dir_make_parents(const char *path, mode_t mode, struct kago_err *err);
/* Write all of buf to fd, retrying on EINTR and short writes. */
int fd_write_all(int fd, const void *buf, size_t len);
/* Read up to len bytes, retrying on EINTR and short reads; returns bytes read or -1. */
ssize_t fd_read_all(int fd, void *buf, size_t len);
/* Close every fd from 3 up except those in keep (sorted in place; -1 entries
 * and 0-2 are ignored). */
int fd_close_all_except(int *keep, size_t n, struct kago_err *err);

/* ---- paths inside a root (root_path.c) ----------------------------- */

/* Paths taken inside rootfd as if it were "/" (openat2 RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS): symlinks and ".." stay inside the root, magic
 * links are refused; without openat2 every call fails (ENOSYS), never
 * falling back to an unconfined open. */

/* openat2 of path inside rootfd with flags (O_CLOEXEC added) and mode (for
 * O_CREAT and O_TMPFILE); an fd, or -1 with errno. */
int root_openat2(int rootfd, const char *path, int flags, mode_t mode);
/* The same, with an error that names path. */
int root_open(int rootfd, const char *path, int flags, int *fd, struct kago_err *err);
/* mkdir -p inside rootfd; *fd (when not NULL) is an O_PATH fd of the directory. */
int root_mkdir_p(int rootfd, const char *path, mode_t mode, int *fd, struct kago_err *err);
/* An O_PATH fd of a mount point at path (when fd is not NULL), made (directory
 * or empty file) when missing. */
int root_make_target(int rootfd, const char *path, bool dir, int *fd, struct kago_err *err);
/* chdir to path resolved inside the current root, then check that the
 * kernel sees the new cwd under that root. */
int root_chdir(const char *path, struct kago_err *err);
/* "/proc/self/fd/N" for fd, usable as a path to mount on. */
void root_fd_path(int fd, char buf[static 32]);

/* ---- fd passing (fd_pass.c) ------------------------------------------ */

/* The most fds one message carries (the kernel's SCM_MAX_FD). */
#define FD_PASS_MAX 253

/* Send len (>= 1) bytes of data with n fds (SCM_RIGHTS) in one message; the
 * fds stay open here. */
int fd_send(int sock, const int *fds, size_t n, const void *data, size_t len, struct kago_err *err);
/* Receive one message: up to cap bytes into data, up to max fds (close-on-exec)
 * into fds, their count in *nfds. Returns the bytes received (0 at EOF) or -1;
 * more fds than max is an error, and closes them all. */
ssize_t fd_recv(int sock, int *fds, size_t max, size_t *nfds, void *data, size_t cap,
                struct kago_err *err);

/* ---- strings --------------------------------------------------------- */

bool str_has_prefix(const char *s, const char *prefix);
/* Parse a whole decimal integer in [min, max]; -1 on junk or out of range. */
int str_to_i64(const char *s, int64_t min, int64_t max, int64_t *out);
/* kago's one size grammar (kago update --memory, kago run --memory and
 * --vm-memory, kago.vm.memory): a decimal count of bytes, or one with a
 * unit k, m, g or t (powers of 1024, any case, "b" or "ib" may follow:
 * 512M, 1g, 2GiB); a negative count takes no unit. The bytes must be in
 * [min, max]; -1 on junk, overflow or out of range. */
int str_to_size(const char *s, int64_t min, int64_t max, int64_t *out);
size_t strv_length(char *const *v);

#endif
