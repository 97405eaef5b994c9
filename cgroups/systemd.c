/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The systemd driver: the container's processes live in a transient scope
 * made with StartTransientUnit over sd-bus, Delegate=yes so kago (and the
 * container) may manage the cgroup below it; limits are then written into
 * the scope's cgroup like with cgroupfs. cgroupsPath is "slice:prefix:name".
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "internal.h"
#include "sd_bus_lib.h"

#define JOB_TIMEOUT_USEC (30ull * 1000000ull)
#define PROPERTY_PREFIX "org.systemd.property."

static bool unit_name_valid(const char *s)
{
        if (!*s || strlen(s) > 200)
                return false;
        for (const char *c = s; *c; c++)
                if (!isalnum((unsigned char)*c) && !strchr(":-_.\\@", *c))
                        return false;
        return true;
}

int cg_systemd_parse_path(const char *cgroups_path, const char *id, char **slice, char **unit,
                          struct kago_err *err)
{
        if (!cgroups_path || !*cgroups_path) {
                *slice = xstrdup("system.slice");
                *unit = xasprintf("kago-%s.scope", id);
                return 0;
        }
        const char *c1 = strchr(cgroups_path, ':');
        const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c1 || !c2 || strchr(c2 + 1, ':'))
                return kago_err_set(err, "linux.cgroupsPath \"%s\": the systemd driver expects "
                                         "\"slice:prefix:name\"", cgroups_path);
        _cleanup_free_ char *s = cg_strndup(cgroups_path, (size_t)(c1 - cgroups_path));
        _cleanup_free_ char *prefix = cg_strndup(c1 + 1, (size_t)(c2 - c1 - 1));
        const char *name = c2 + 1;
        if (!*s) {
                free(s);
                s = xstrdup("system.slice");
        }
        if (!unit_name_valid(s) || strlen(s) < 7 || strcmp(s + strlen(s) - 6, ".slice") != 0)
                return kago_err_set(err, "linux.cgroupsPath \"%s\": \"%s\" is not a slice name "
                                         "(like machine.slice)", cgroups_path, s);
        if (!unit_name_valid(name))
                return kago_err_set(err, "linux.cgroupsPath \"%s\": \"%s\" is not a valid unit name",
                                    cgroups_path, name);
        *unit = *prefix ? xasprintf("%s-%s.scope", prefix, name) : xasprintf("%s.scope", name);
        if (!unit_name_valid(*unit)) {
                free(TAKE_PTR(*unit));
                return kago_err_set(err, "linux.cgroupsPath \"%s\": prefix \"%s\" is not valid in a "
                                         "unit name", cgroups_path, prefix);
        }
        *slice = TAKE_PTR(s);
        return 0;
}

int cg_systemd_slice_path(const char *slice, char **out, struct kago_err *err)
{
        char buf[4096] = "";
        size_t len = strlen(slice);

        if (len < 7 || strcmp(slice + len - 6, ".slice") != 0 || strchr(slice, '/'))
                return kago_err_set(err, "\"%s\" is not a slice name", slice);
        if (strcmp(slice, "-.slice") == 0) {
                *out = xstrdup("");
                return 0;
        }
        /* Each dash-separated prefix is a parent slice: a-b.slice is in a.slice. */
        const char *stem_end = slice + len - 6;
        for (const char *p = slice; p <= stem_end; p++) {
                if (p != stem_end && *p != '-')
                        continue;
                if (p == slice || p[-1] == '-' || (p != stem_end && p + 1 == stem_end))
                        return kago_err_set(err, "\"%s\" is not a valid slice name", slice);
                size_t used = strlen(buf);
                snprintf(buf + used, sizeof buf - used, "/%.*s.slice", (int)(p - slice), slice);
        }
        *out = xstrdup(buf);
        return 0;
}

/* An annotation value as a D-Bus variant: true/false, "uint64 N" style
 * typed numbers, a bare number (uint64), else a string ('quotes' dropped). */
static int append_property_value(sd_bus_message *m, const char *v)
{
        uint64_t u;
        int64_t i;

        if (!strcmp(v, "true") || !strcmp(v, "false"))
                return sd_bus_lib.message_append(m, "v", "b", (int)!strcmp(v, "true"));
        if (sscanf(v, "uint64 %" SCNu64, &u) == 1)
                return sd_bus_lib.message_append(m, "v", "t", u);
        if (sscanf(v, "uint32 %" SCNu64, &u) == 1)
                return sd_bus_lib.message_append(m, "v", "u", (uint32_t)u);
        if (sscanf(v, "int64 %" SCNd64, &i) == 1)
                return sd_bus_lib.message_append(m, "v", "x", i);
        if (sscanf(v, "int32 %" SCNd64, &i) == 1)
                return sd_bus_lib.message_append(m, "v", "i", (int32_t)i);
        if (str_to_i64(v, 0, INT64_MAX, &i) == 0)
                return sd_bus_lib.message_append(m, "v", "t", (uint64_t)i);
        size_t len = strlen(v);
        if (len >= 2 && (v[0] == '\'' || v[0] == '"') && v[len - 1] == v[0]) {
                _cleanup_free_ char *s = cg_strndup(v + 1, len - 2);
                return sd_bus_lib.message_append(m, "v", "s", s);
        }
        return sd_bus_lib.message_append(m, "v", "s", v);
}

static const char *property_name(const char *key)
{
        return str_has_prefix(key, PROPERTY_PREFIX) ? key + strlen(PROPERTY_PREFIX) : key;
}

/* Property names are plain words ("MemoryAccounting"); checked before any
 * D-Bus traffic so a typo fails the same way everywhere. */
static int check_properties(char *const *props, struct kago_err *err)
{
        for (size_t i = 0; props && props[i]; i += 2) {
                const char *name = property_name(props[i]);
                if (!props[i + 1])
                        return kago_err_set(err, "annotation %s: no value", props[i]);
                if (!*name || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") !=
                                      strlen(name))
                        return kago_err_set(err, "annotation %s: \"%s\" is not a unit property name",
                                            props[i], name);
        }
        return 0;
}

static int append_properties(sd_bus_message *m, const char *slice, const char *unit, pid_t pid,
                             char *const *props, struct kago_err *err)
{
        int r = sd_bus_lib.message_open_container(m, 'a', "(sv)");
        if (r >= 0)
                r = sd_bus_lib.message_append(m, "(sv)(sv)(sv)(sv)(sv)", "Description", "s", unit, "Slice",
                                          "s", slice, "Delegate", "b", 1, "DefaultDependencies", "b", 0,
                                          "PIDs", "au", 1, (uint32_t)pid);
        for (size_t i = 0; r >= 0 && props && props[i] && props[i + 1]; i += 2) {
                r = sd_bus_lib.message_open_container(m, 'r', "sv");
                if (r >= 0)
                        r = sd_bus_lib.message_append(m, "s", property_name(props[i]));
                if (r >= 0)
                        r = append_property_value(m, props[i + 1]);
                if (r >= 0)
                        r = sd_bus_lib.message_close_container(m);
        }
        if (r >= 0)
                r = sd_bus_lib.message_close_container(m);
        if (r < 0)
                return kago_err_errno(err, -r, "build the properties of %s", unit);
        return 0;
}

struct job_wait {
        const char *path;
        char *result;
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
        struct job_wait *w = userdata;
        const char *path = NULL, *unit = NULL, *result = NULL;
        uint32_t id;

        (void)e;
        if (sd_bus_lib.message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        if (w->path && path && !strcmp(path, w->path))
                w->result = xstrdup(result ? result : "");
        return 0;
}

/* Wait for the job at path to finish; its result must be "done". */
static int wait_job(sd_bus *bus, struct job_wait *w, const char *what, struct kago_err *err)
{
        for (uint64_t waited = 0; !w->result;) {
                int r = sd_bus_lib.process(bus, NULL);
                if (r < 0)
                        return kago_err_errno(err, -r, "%s: D-Bus", what);
                if (r > 0)
                        continue;
                if (waited >= JOB_TIMEOUT_USEC)
                        return kago_err_set(err, "%s: systemd job %s did not finish in 30 s", what, w->path);
                r = sd_bus_lib.wait(bus, 100000);
                if (r < 0 && r != -EINTR)
                        return kago_err_errno(err, -r, "%s: D-Bus", what);
                waited += 100000;
        }
        if (strcmp(w->result, "done") != 0)
                return kago_err_set(err, "%s: systemd job ended with \"%s\"", what, w->result);
        return 0;
}

static int bus_open(sd_bus **bus, sd_bus_slot **slot, struct job_wait *w, struct kago_err *err)
{
        if (sd_bus_lib_load(err) < 0)
                return kago_err_wrap(err, "systemd cgroup driver");
        int r = sd_bus_lib.open_system(bus);

        if (r < 0)
                return kago_err_errno(err, -r, "connect to the systemd system bus (is systemd running?)");
        r = sd_bus_lib.match_signal(*bus, slot, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                "org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed, w);
        if (r < 0)
                return kago_err_errno(err, -r, "subscribe to systemd's JobRemoved");
        return 0;
}

/* Also after a failed bus_open (bus NULL: libsystemd may not be loaded). */
static void bus_close(sd_bus *bus, sd_bus_slot *slot, sd_bus_message *m, struct job_wait *w)
{
        if (bus) {
                sd_bus_lib.message_unref(m);
                sd_bus_lib.slot_unref(slot);
                sd_bus_lib.flush_close_unref(bus);
        }
        free(w->result);
}

/* Call method on the manager with the message built so far; wait for its job. */
static int call_job(sd_bus *bus, sd_bus_message *m, struct job_wait *w, const char *what,
                    struct kago_err *err)
{
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        const char *job = NULL;

        int r = sd_bus_lib.call(bus, m, 0, &e, &reply);
        if (r < 0) {
                kago_err_set(err, "%s: %s", what, e.message ? e.message : strerror(-r));
                err->errnum = 0;
                bool missing = e.name && !strcmp(e.name, "org.freedesktop.systemd1.NoSuchUnit");
                sd_bus_lib.error_free(&e);
                return missing ? -2 : -1;
        }
        r = sd_bus_lib.message_read(reply, "o", &job);
        w->path = job;
        if (r >= 0)
                r = wait_job(bus, w, what, err);
        else
                kago_err_errno(err, -r, "%s: read the job path", what);
        sd_bus_lib.message_unref(reply);
        return r < 0 ? -1 : 0;
}

int cg_systemd_start_scope(const char *slice, const char *unit, pid_t pid, char *const *properties,
                           struct kago_err *err)
{
        sd_bus *bus = NULL;
        sd_bus_slot *slot = NULL;
        sd_bus_message *m = NULL;
        struct job_wait w = { 0 };
        _cleanup_free_ char *what = xasprintf("start systemd scope %s in %s", unit, slice);
        int rc = check_properties(properties, err);

        if (rc == 0)
                rc = bus_open(&bus, &slot, &w, err);

        if (rc == 0) {
                int r = sd_bus_lib.message_new_method_call(bus, &m, "org.freedesktop.systemd1",
                                                       "/org/freedesktop/systemd1",
                                                       "org.freedesktop.systemd1.Manager",
                                                       "StartTransientUnit");
                if (r >= 0)
                        r = sd_bus_lib.message_append(m, "ss", unit, "fail");
                rc = r < 0 ? kago_err_errno(err, -r, "%s", what) : 0;
        }
        if (rc == 0)
                rc = append_properties(m, slice, unit, pid, properties, err);
        if (rc == 0) {
                int r = sd_bus_lib.message_append(m, "a(sa(sv))", 0);
                rc = r < 0 ? kago_err_errno(err, -r, "%s", what) : call_job(bus, m, &w, what, err);
        }
        bus_close(bus, slot, m, &w);
        return rc < 0 ? -1 : 0;
}

int cg_systemd_stop_scope(const char *unit, struct kago_err *err)
{
        sd_bus *bus = NULL;
        sd_bus_slot *slot = NULL;
        sd_bus_message *m = NULL;
        struct job_wait w = { 0 };
        _cleanup_free_ char *what = xasprintf("stop systemd scope %s", unit);
        int rc = bus_open(&bus, &slot, &w, err);

        if (rc == 0) {
                int r = sd_bus_lib.message_new_method_call(bus, &m, "org.freedesktop.systemd1",
                                                       "/org/freedesktop/systemd1",
                                                       "org.freedesktop.systemd1.Manager", "StopUnit");
                if (r >= 0)
                        r = sd_bus_lib.message_append(m, "ss", unit, "replace");
                rc = r < 0 ? kago_err_errno(err, -r, "%s", what) : call_job(bus, m, &w, what, err);
        }
        bus_close(bus, slot, m, &w);
        /* Already gone (it stops by itself once empty): that is the goal. */
        if (rc == -2) {
                kago_err_clear(err);
                return 0;
        }
        return rc < 0 ? -1 : 0;
}
