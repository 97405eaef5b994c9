/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process.capabilities with libcap: names to bit masks (in the parent, so a
 * bad name or a capability this host cannot give fails before anything
 * starts), then in the child: bounding set, keep-caps across the user
 * switch, effective/permitted/inheritable, ambient.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "process.h"

static void cap_freep(cap_t *c)
{
        if (*c)
                cap_free(*c);
}
#define _cleanup_cap_ __attribute__((cleanup(cap_freep)))

int caps_from_name(const char *name)
{
        cap_value_t v;
        const char *bare = str_has_prefix(name, "CAP_") ? name + 4 : name;

        if (!*bare || isdigit((unsigned char)*bare))
                return -1;
        _cleanup_free_ char *full = xasprintf("CAP_%s", bare);
        if (cap_from_name(full, &v) < 0 || v < 0 || v > 63)
                return -1;
        return v;
}

const char *caps_name(int cap)
{
        static char buf[64];

        if (cap < 0 || cap > 63)
                return NULL;
        char *n = cap_to_name(cap);
        if (!n)
                return NULL;
        if (isdigit((unsigned char)n[0])) { /* libcap's name for an unknown number */
                cap_free(n);
                return NULL;
        }
        size_t i = 0;
        for (; i < sizeof buf - 1 && n[i]; i++)
                buf[i] = (char)toupper((unsigned char)n[i]);
        buf[i] = '\0';
        cap_free(n);
        return buf;
}

/* A name we cannot give: an error, or with `lenient` a warning and the name
 * is left out (see caps_from_config). */
static int caps_unknown(const char *set, size_t i, const char *name, const char *why,
                        bool lenient, struct kago_err *err)
{
        if (!lenient)
                return kago_err_set(err, "process.capabilities.%s[%zu]: %s \"%s\"", set, i, why,
                                    name);
        log_warning("process.capabilities.%s[%zu]: %s \"%s\": ignored", set, i, why, name);
        return 0;
}

static int caps_mask(char **names, size_t n, const char *set, bool lenient, uint64_t *mask,
                     struct kago_err *err)
{
        *mask = 0;
        for (size_t i = 0; i < n; i++) {
                int c = caps_from_name(names[i]);
                if (c < 0 || !str_has_prefix(names[i], "CAP_")) {
                        if (caps_unknown(set, i, names[i], "unknown capability", lenient, err) < 0)
                                return -1;
                        continue;
                }
                if (lenient && c >= cap_max_bits()) {
                        caps_unknown(set, i, names[i], "capability unknown to this kernel", lenient,
                                     err);
                        continue;
                }
                *mask |= 1ull << c;
        }
        return 0;
}

/* The rules of capset(2) and PR_CAP_AMBIENT_RAISE, checked before anything starts. */
static int caps_check_subset(uint64_t sub, const char *subname, uint64_t super,
                             const char *supername, struct kago_err *err)
{
        uint64_t extra = sub & ~super;

        if (!extra)
                return 0;
        int c = __builtin_ctzll(extra);
        return kago_err_set(err, "process.capabilities.%s: %s is not in the %s set", subname,
                            caps_name(c) ? caps_name(c) : "?", supername);
}

static int caps_check_subsets(const struct kago_caps *c, struct kago_err *err)
{
        if (caps_check_subset(c->effective, "effective", c->permitted, "permitted", err) < 0 ||
            caps_check_subset(c->ambient, "ambient", c->permitted, "permitted", err) < 0 ||
            caps_check_subset(c->ambient, "ambient", c->inheritable, "inheritable", err) < 0)
                return -1;
        return 0;
}

static int caps_masks(const struct oci_capabilities *spec, bool lenient, struct kago_caps *out,
                      struct kago_err *err)
{
        *out = (struct kago_caps){ 0 };
        if (!spec)
                return 0;
        out->set = true;
        if (caps_mask(spec->bounding, spec->bounding_len, "bounding", lenient, &out->bounding,
                      err) < 0 ||
            caps_mask(spec->effective, spec->effective_len, "effective", lenient, &out->effective,
                      err) < 0 ||
            caps_mask(spec->inheritable, spec->inheritable_len, "inheritable", lenient,
                      &out->inheritable, err) < 0 ||
            caps_mask(spec->permitted, spec->permitted_len, "permitted", lenient, &out->permitted,
                      err) < 0 ||
            caps_mask(spec->ambient, spec->ambient_len, "ambient", lenient, &out->ambient, err) < 0)
                return -1;
        return caps_check_subsets(out, err);
}

int caps_from_spec(const struct oci_capabilities *spec, struct kago_caps *out, struct kago_err *err)
{
        return caps_masks(spec, false, out, err);
}

/* runtime-spec 1.1.0 made it a rule: a capability that cannot be mapped to
 * the kernel or granted "MUST be logged as a warning" and runtimes "SHOULD
 * NOT fail" (runc and crun warn). Before 1.1.0 the spec allowed only the
 * names of capabilities(7), so a 1.0.x config naming another is invalid:
 * kago keeps refusing it there, and a typo is caught before anything starts
 * instead of leaving the workload silently without a capability it asked
 * for. (runc warns whatever the version.) */
static bool caps_unknown_warns(const char *oci_version)
{
        unsigned major = 0, minor = 0;

        if (!oci_version || sscanf(oci_version, "%u.%u", &major, &minor) != 2)
                return false;
        return major > 1 || (major == 1 && minor >= 1);
}

int caps_from_config(const char *oci_version, const struct oci_capabilities *spec,
                     struct kago_caps *out, struct kago_err *err)
{
        return caps_masks(spec, caps_unknown_warns(oci_version), out, err);
}

int caps_add_name(struct kago_caps *caps, const char *name, struct kago_err *err)
{
        int c = caps_from_name(name);

        if (c < 0)
                return kago_err_set(err, "unknown capability \"%s\"", name);
        uint64_t bit = 1ull << c;
        caps->set = true;
        caps->bounding |= bit;
        caps->effective |= bit;
        caps->inheritable |= bit;
        caps->permitted |= bit;
        caps->ambient |= bit;
        return 0;
}

static int caps_check_set(uint64_t mask, const char *set, struct kago_err *err)
{
        int max = cap_max_bits();

        for (int c = 0; c < 64; c++) {
                if (!(mask & (1ull << c)))
                        continue;
                const char *name = caps_name(c);
                if (c >= max)
                        return kago_err_set(err, "process.capabilities.%s: %s is unknown to this "
                                                 "kernel (it knows %d capabilities)",
                                            set, name ? name : "?", max);
                if (cap_get_bound(c) != 1)
                        return kago_err_set(err, "process.capabilities.%s: %s is not in this "
                                                 "host's capability bounding set, so no process "
                                                 "kago starts can have it: drop it from the config",
                                            set, name ? name : "?");
        }
        return 0;
}

int caps_check_host(const struct kago_caps *caps, struct kago_err *err)
{
        if (!caps->set)
                return 0;
        if (caps_check_set(caps->bounding, "bounding", err) < 0 ||
            caps_check_set(caps->effective, "effective", err) < 0 ||
            caps_check_set(caps->inheritable, "inheritable", err) < 0 ||
            caps_check_set(caps->permitted, "permitted", err) < 0 ||
            caps_check_set(caps->ambient, "ambient", err) < 0)
                return -1;
        return 0;
}

int caps_drop_bounding(const struct kago_caps *caps, struct kago_err *err)
{
        int max = cap_max_bits();

        if (!caps->set)
                return 0;
        for (int c = 0; c < max; c++) {
                if (caps->bounding & (1ull << c) || cap_get_bound(c) != 1)
                        continue;
                if (cap_drop_bound(c) < 0)
                        return kago_err_errno(err, errno, "drop %s from the bounding set",
                                              caps_name(c) ? caps_name(c) : "?");
        }
        return 0;
}

int caps_keep_on_setuid(bool keep, struct kago_err *err)
{
        if (prctl(PR_SET_KEEPCAPS, keep ? 1 : 0, 0, 0, 0) < 0)
                return kago_err_errno(err, errno, "prctl(PR_SET_KEEPCAPS, %d)", keep);
        return 0;
}

static int caps_fill(cap_t c, cap_flag_t flag, uint64_t mask, struct kago_err *err)
{
        for (int v = 0; v < 64; v++) {
                if (!(mask & (1ull << v)))
                        continue;
                cap_value_t cv = v;
                if (cap_set_flag(c, flag, 1, &cv, CAP_SET) < 0)
                        return kago_err_errno(err, errno, "cap_set_flag %s", caps_name(v));
        }
        return 0;
}

/* Which capabilities of want this process cannot take (not permitted). */
static int caps_explain_eperm(uint64_t want, struct kago_err *err)
{
        _cleanup_cap_ cap_t cur = cap_get_proc();
        char names[512] = "";
        size_t off = 0;

        for (int v = 0; cur && v < 64; v++) {
                cap_flag_value_t has = CAP_CLEAR;
                if (!(want & (1ull << v)) || cap_get_flag(cur, v, CAP_PERMITTED, &has) < 0 ||
                    has == CAP_SET)
                        continue;
                off += (size_t)snprintf(names + off, sizeof names - off, "%s%s",
                                        off ? ", " : "", caps_name(v) ? caps_name(v) : "?");
                if (off >= sizeof names)
                        break;
        }
        return kago_err_errno(err, EPERM, "set the capabilities: this process does not hold %s",
                              names[0] ? names : "them");
}

static int caps_apply_ambient(uint64_t ambient, struct kago_err *err)
{
        if (cap_reset_ambient() < 0 && errno != EINVAL)
                return kago_err_errno(err, errno, "clear the ambient capabilities");
        for (int v = 0; v < 64; v++) {
                if (!(ambient & (1ull << v)))
                        continue;
                if (cap_set_ambient(v, CAP_SET) < 0)
                        return kago_err_errno(err, errno, "raise ambient %s (it must be in the "
                                                          "permitted and inheritable sets)",
                                              caps_name(v));
        }
        return 0;
}

int caps_apply(const struct kago_caps *caps, struct kago_err *err)
{
        if (!caps->set)
                return 0;
        _cleanup_cap_ cap_t c = cap_init();
        if (!c)
                return kago_err_errno(err, errno, "cap_init");
        if (caps_fill(c, CAP_EFFECTIVE, caps->effective, err) < 0 ||
            caps_fill(c, CAP_PERMITTED, caps->permitted, err) < 0 ||
            caps_fill(c, CAP_INHERITABLE, caps->inheritable, err) < 0)
                return -1;
        if (cap_set_proc(c) < 0) {
                if (errno == EPERM)
                        return caps_explain_eperm(caps->permitted, err);
                return kago_err_errno(err, errno, "set the capabilities");
        }
        return caps_apply_ambient(caps->ambient, err);
}
