/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging: text lines or one JSON object per line, as engines parse them:
 * {"level":"error","msg":"...","time":"RFC3339"}. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>

#include "base.h"

static struct {
        FILE *file; /* NULL: stderr */
        enum kago_log_format format;
        enum kago_log_level level;
} logger = { NULL, KAGO_LOG_TEXT, KAGO_LOG_WARNING };

static const char *const level_names[] = { "error", "warning", "info", "debug" };

int kago_log_parse_level(const char *name, enum kago_log_level *level)
{
        for (size_t i = 0; i < ARRAY_SIZE(level_names); i++) {
                if (strcmp(name, level_names[i]) == 0) {
                        *level = (enum kago_log_level)i;
                        return 0;
                }
        }
        if (strcmp(name, "warn") == 0) {
                *level = KAGO_LOG_WARNING;
                return 0;
        }
        return -1;
}

int kago_log_open(const char *path, enum kago_log_format format, enum kago_log_level level,
                  struct kago_err *err)
{
        logger.format = format;
        logger.level = level;
        if (!path)
                return 0;
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd < 0)
                return kago_err_errno(err, errno, "open log file %s", path);
        logger.file = fdopen(fd, "a");
        if (!logger.file) {
                close(fd);
                return kago_err_errno(err, errno, "open log file %s", path);
        }
        setvbuf(logger.file, NULL, _IOLBF, 0);
        return 0;
}

void kago_log_close(void)
{
        if (logger.file)
                fclose(logger.file);
        logger.file = NULL;
}

int kago_log_fd(void)
{
        return logger.file ? fileno(logger.file) : -1;
}

bool kago_log_to_file(void)
{
        return logger.file != NULL;
}

void json_fputs_escaped(FILE *f, const char *s)
{
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        fprintf(f, "\\%c", *p);
                else if (*p == '\n')
                        fputs("\\n", f);
                else if (*p == '\t')
                        fputs("\\t", f);
                else if (*p < 0x20)
                        fprintf(f, "\\u%04x", *p);
                else
                        fputc(*p, f);
        }
        fputc('"', f);
}

static void log_time_rfc3339(char *buf, size_t len)
{
        struct timespec ts;
        struct tm tm;

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, len - n, ".%09ldZ", ts.tv_nsec);
}

static void log_write_json(FILE *f, enum kago_log_level level, const char *msg)
{
        char when[64];

        log_time_rfc3339(when, sizeof when);
        fprintf(f, "{\"level\":\"%s\",\"msg\":", level_names[level]);
        json_fputs_escaped(f, msg);
        fprintf(f, ",\"time\":\"%s\"}\n", when);
}

void kago_log(enum kago_log_level level, const char *fmt, ...)
{
        char msg[4096];
        va_list ap;
        int saved = errno;

        if (level > logger.level)
                return;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        FILE *f = logger.file ? logger.file : stderr;
        if (logger.format == KAGO_LOG_JSON)
                log_write_json(f, level, msg);
        else if (logger.file) {
                char when[64];
                log_time_rfc3339(when, sizeof when);
                fprintf(f, "%s %s: %s\n", when, level_names[level], msg);
        } else if (level == KAGO_LOG_INFO || level == KAGO_LOG_DEBUG)
                fprintf(f, "kago: %s: %s\n", level_names[level], msg); /* --debug's lines */
        else
                fprintf(f, "kago: %s\n", msg);
        fflush(f);
        errno = saved;
}
