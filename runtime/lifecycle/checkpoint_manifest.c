/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kago-checkpoint.json: the manifest kago writes into every checkpoint image
 * it makes, whatever the mode, and the compatibility checks restore runs
 * on it before anything is created. The format's major version changes
 * only when an older kago could not read the image; a reader takes any
 * minor version of its major one and ignores fields it does not know. An
 * image without a manifest (runc's, or a pre-dump of another tool) is
 * left to CRIU's own checks.
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "lifecycle.h"

#define MANIFEST_FILE "kago-checkpoint.json"
#define MANIFEST_FORMAT "kago-checkpoint"
#define MANIFEST_MAJOR 1
#define MANIFEST_MINOR 0
#define MANIFEST_MAX (64 * 1024)

/* What identifies this host's CPU and architecture in a manifest. */
struct host_id {
        char arch[65];
        char vendor[13]; /* CPUID leaf 0: "GenuineIntel", "AuthenticAMD"; "" elsewhere */
};

static void host_id_get(struct host_id *h)
{
        struct utsname u;
        unsigned a = 0, b = 0, c = 0, d = 0;

        memset(h, 0, sizeof *h);
        if (uname(&u) == 0)
                snprintf(h->arch, sizeof h->arch, "%s", u.machine);
        if (__get_cpuid(0, &a, &b, &c, &d)) {
                memcpy(h->vendor, &b, 4);
                memcpy(h->vendor + 4, &d, 4);
                memcpy(h->vendor + 8, &c, 4);
        }
}

int checkpoint_manifest_write(const char *image_path, const char *mode, const char *id,
                              const char *extra, struct kago_err *err)
{
        struct host_id h;
        _cleanup_free_ char *json = NULL, *created = time_now_rfc3339();
        size_t len = 0;
        FILE *f = open_memstream(&json, &len);

        if (!f)
                return kago_err_errno(err, errno, "checkpoint: build %s", MANIFEST_FILE);
        host_id_get(&h);
        fprintf(f, "{\"format\":\"%s\",\"version\":\"%d.%d\",\"mode\":\"%s\",\"kagoVersion\":\"%s\","
                   "\"arch\":", MANIFEST_FORMAT, MANIFEST_MAJOR, MANIFEST_MINOR, mode, KAGO_VERSION);
        json_fputs_escaped(f, h.arch);
        fputs(",\"cpuVendor\":", f);
        json_fputs_escaped(f, h.vendor);
        if (extra)
                fprintf(f, ",%s", extra);
        fputs(",\"id\":", f);
        json_fputs_escaped(f, id);
        fprintf(f, ",\"created\":\"%s\"}\n", created);
        if (fclose(f) != 0)
                return kago_err_errno(err, errno, "checkpoint: build %s", MANIFEST_FILE);
        _cleanup_close_ int dirfd = open(image_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
                return kago_err_errno(err, errno, "checkpoint: image path %s", image_path);
        if (file_write_atomic_at(dirfd, MANIFEST_FILE, json, len, 0600, err) < 0)
                return kago_err_wrap(err, "checkpoint: %s/%s", image_path, MANIFEST_FILE);
        return 0;
}

/* ---- the checks ------------------------------------------------------ */

static void row(struct restore_checks *r, const char *name, bool ok, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static void row(struct restore_checks *r, const char *name, bool ok, const char *fmt, ...)
{
        va_list ap;
        struct restore_check *c = &r->v[r->n++];

        c->name = name;
        c->ok = ok;
        va_start(ap, fmt);
        vsnprintf(c->detail, sizeof c->detail, fmt, ap);
        va_end(ap);
}

static const char *field(yajl_val doc, const char *name)
{
        const char *path[] = { name, NULL };
        yajl_val v = yajl_tree_get(doc, path, yajl_t_string);
        return v ? YAJL_GET_STRING(v) : NULL;
}

/* The manifest's own rows: format and version, mode, architecture, CPU vendor. */
static void check_fields(yajl_val doc, const char *mode, struct restore_checks *r)
{
        const char *format = field(doc, "format"), *version = field(doc, "version");
        const char *got_mode = field(doc, "mode"), *arch = field(doc, "arch");
        const char *vendor = field(doc, "cpuVendor"), *writer = field(doc, "kagoVersion");
        unsigned major = 0, minor = 0;
        struct host_id h;

        host_id_get(&h);
        if (!format || strcmp(format, MANIFEST_FORMAT) != 0)
                row(r, "format", false, "format is \"%s\", not \"%s\"", format ? format : "(none)",
                    MANIFEST_FORMAT);
        else if (!version || sscanf(version, "%u.%u", &major, &minor) != 2 || major != MANIFEST_MAJOR)
                row(r, "format", false, "version %s: this kago reads %d.x", version ? version : "(none)",
                    MANIFEST_MAJOR);
        else
                row(r, "format", true, "%s %s, written by kago %s", format, version,
                    writer ? writer : "?");
        if (!got_mode || strcmp(got_mode, mode) != 0)
                row(r, "mode", false, "a %s image cannot restore as a %s: the bundle's config "
                                      "chooses the mode", got_mode ? got_mode : "(none)", mode);
        else
                row(r, "mode", true, "%s", mode);
        row(r, "arch", arch && strcmp(arch, h.arch) == 0, "image %s, host %s", arch ? arch : "(none)",
            h.arch);
        row(r, "cpu vendor", vendor && strcmp(vendor, h.vendor) == 0, "image %s, host %s",
            vendor && *vendor ? vendor : "(none)", *h.vendor ? h.vendor : "(none)");
}

static void check_manifest(int dirfd, const char *mode, struct restore_checks *r)
{
        _cleanup_free_ char *raw = NULL;
        struct kago_err why = { 0 };
        char errbuf[256] = "";

        if (file_read_at(dirfd, MANIFEST_FILE, MANIFEST_MAX, &raw, NULL, &why) < 0) {
                if (why.errnum == ENOENT)
                        row(r, "manifest", true, "none (an image from runc, or CRIU's own): CRIU checks it");
                else
                        row(r, "manifest", false, "%s", why.msg);
                return;
        }
        yajl_val doc = yajl_tree_parse(raw, errbuf, sizeof errbuf);
        if (!doc || !YAJL_IS_OBJECT(doc)) {
                errbuf[strcspn(errbuf, "\n")] = '\0';
                row(r, "manifest", false, "%s is not a JSON object%s%s", MANIFEST_FILE,
                    *errbuf ? ": " : "", errbuf);
                yajl_tree_free(doc);
                return;
        }
        row(r, "manifest", true, "%s", MANIFEST_FILE);
        check_fields(doc, mode, r);
        yajl_tree_free(doc);
}

void restore_checks_run(const char *image_path, const char *mode, bool criu,
                        struct restore_checks *r)
{
        _cleanup_close_ int dirfd = open(image_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        r->n = 0;
        if (dirfd < 0)
                row(r, "image", false, "%s", strerror(errno));
        else
                check_manifest(dirfd, mode, r);
        if (criu) {
                bool usable = criu_usable();
                row(r, "criu", usable, "%s", usable ? "criu check passes"
                                                    : "criu is missing or fails its check here");
        }
}

int restore_checks_verdict(const struct restore_checks *r, const char *image_path,
                           struct kago_err *err)
{
        for (size_t i = 0; i < r->n; i++)
                if (!r->v[i].ok)
                        return kago_err_set(err, "--image-path %s: %s: %s (kago restore --check "
                                                 "lists every check)", image_path, r->v[i].name,
                                            r->v[i].detail);
        return 0;
}
