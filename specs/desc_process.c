/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tables for the process object: user, capabilities, rlimits, scheduling. */
#include <string.h>

#include "desc.h"

static const struct desc_field console_size_fields[] = {
        F_INT(struct oci_console_size, "height", height, DN_U64, DF_REQUIRED),
        F_INT(struct oci_console_size, "width", width, DN_U64, DF_REQUIRED),
};
static DESC_TYPE(desc_console_size, struct oci_console_size, console_size_fields, NULL);

static const struct desc_field user_fields[] = {
        F_INT(struct oci_user, "uid", uid, DN_U32, 0),
        F_INT(struct oci_user, "gid", gid, DN_U32, 0),
        F_OPT_INT_RANGE(struct oci_user, "umask", umask, DN_U32, 0, 0777),
        F_U32V(struct oci_user, "additionalGids", additional_gids),
        F_STR(struct oci_user, "username", username),
};
static DESC_TYPE(desc_user, struct oci_user, user_fields, NULL);

/* s is prefix followed by [A-Z0-9_]+. */
static bool name_ok(const char *s, const char *prefix)
{
        size_t plen = strlen(prefix);

        if (strncmp(s, prefix, plen) != 0 || s[plen] == '\0')
                return false;
        for (s += plen; *s; s++)
                if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
                        return false;
        return true;
}

/* Every name in v is a prefix* name. */
static int check_names(char *const *v, size_t n, const char *prefix, const char *key,
                       struct json_path *path, struct kago_err *err)
{
        for (size_t i = 0; i < n; i++)
                if (!name_ok(v[i], prefix)) {
                        json_path_push_key(path, key);
                        json_path_push_index(path, i);
                        return json_path_error(err, path, "\"%.64s\" is not a %s* name", v[i], prefix);
                }
        return 0;
}

static const struct desc_field capabilities_fields[] = {
        F_STRV(struct oci_capabilities, "bounding", bounding),
        F_STRV(struct oci_capabilities, "effective", effective),
        F_STRV(struct oci_capabilities, "inheritable", inheritable),
        F_STRV(struct oci_capabilities, "permitted", permitted),
        F_STRV(struct oci_capabilities, "ambient", ambient),
};

static int capabilities_check(const void *obj, struct json_path *path, struct kago_err *err)
{
        const struct oci_capabilities *c = obj;

        if (check_names(c->bounding, c->bounding_len, "CAP_", "bounding", path, err) < 0 ||
            check_names(c->effective, c->effective_len, "CAP_", "effective", path, err) < 0 ||
            check_names(c->inheritable, c->inheritable_len, "CAP_", "inheritable", path, err) < 0 ||
            check_names(c->permitted, c->permitted_len, "CAP_", "permitted", path, err) < 0 ||
            check_names(c->ambient, c->ambient_len, "CAP_", "ambient", path, err) < 0)
                return -1;
        return 0;
}
static DESC_TYPE(desc_capabilities, struct oci_capabilities, capabilities_fields,
                 capabilities_check);

static const struct desc_field rlimit_fields[] = {
        F_STR_REQ(struct oci_rlimit, "type", type),
        F_INT(struct oci_rlimit, "hard", hard, DN_U64, DF_REQUIRED),
        F_INT(struct oci_rlimit, "soft", soft, DN_U64, DF_REQUIRED),
};

static int rlimit_check(const void *obj, struct json_path *path, struct kago_err *err)
{
        const struct oci_rlimit *r = obj;

        if (!name_ok(r->type, "RLIMIT_")) {
                json_path_push_key(path, "type");
                return json_path_error(err, path, "\"%.64s\" is not a RLIMIT_* name", r->type);
        }
        if (r->soft > r->hard)
                return json_path_error(err, path, "soft limit %llu is above the hard limit %llu",
                                       (unsigned long long)r->soft, (unsigned long long)r->hard);
        return 0;
}
static DESC_TYPE(desc_rlimit, struct oci_rlimit, rlimit_fields, rlimit_check);

static const struct desc_field io_priority_fields[] = {
        F_ENUM(struct oci_io_priority, "class", class, oci_ioprio_class_names, DF_REQUIRED),
        F_OPT_INT_RANGE(struct oci_io_priority, "priority", priority, DN_I32, 0, 7),
};
static DESC_TYPE(desc_io_priority, struct oci_io_priority, io_priority_fields, NULL);

static const struct desc_field scheduler_fields[] = {
        F_STR_ONE_OF(struct oci_scheduler, "policy", policy, oci_sched_policy_names, DF_REQUIRED),
        F_OPT_INT_RANGE(struct oci_scheduler, "nice", nice, DN_I32, -20, 19),
        F_OPT_INT(struct oci_scheduler, "priority", priority, DN_I32),
        F_STRV_FL(struct oci_scheduler, "flags", flags, oci_sched_flag_names, 0),
        F_OPT_INT(struct oci_scheduler, "runtime", runtime, DN_U64),
        F_OPT_INT(struct oci_scheduler, "deadline", deadline, DN_U64),
        F_OPT_INT(struct oci_scheduler, "period", period, DN_U64),
};
static DESC_TYPE(desc_scheduler, struct oci_scheduler, scheduler_fields, NULL);

/* "^[0-9, -]*$", as the schema says. */
static int check_cpu_list(const char *s, const char *key, struct json_path *path,
                          struct kago_err *err)
{
        if (s && s[strspn(s, "0123456789, -")] != '\0') {
                json_path_push_key(path, key);
                return json_path_error(err, path, "\"%.64s\" is not a CPU list such as \"0-3,7\"", s);
        }
        return 0;
}

static const struct desc_field exec_cpu_affinity_fields[] = {
        F_STR(struct oci_exec_cpu_affinity, "initial", initial),
        F_STR(struct oci_exec_cpu_affinity, "final", final),
};

static int exec_cpu_affinity_check(const void *obj, struct json_path *path, struct kago_err *err)
{
        const struct oci_exec_cpu_affinity *a = obj;

        if (check_cpu_list(a->initial, "initial", path, err) < 0 ||
            check_cpu_list(a->final, "final", path, err) < 0)
                return -1;
        return 0;
}
static DESC_TYPE(desc_exec_cpu_affinity, struct oci_exec_cpu_affinity, exec_cpu_affinity_fields,
                 exec_cpu_affinity_check);

static const struct desc_field process_fields[] = {
        F_BOOL(struct oci_process, "terminal", terminal),
        F_OBJ(struct oci_process, "consoleSize", console_size, desc_console_size, 0),
        F_EMBED(struct oci_process, "user", user, desc_user),
        F_STRV_FL(struct oci_process, "args", args, NULL, DF_REQUIRED | DF_NONEMPTY),
        F_STR(struct oci_process, "commandLine", command_line),
        F_STRV(struct oci_process, "env", env),
        F_STR_REQ(struct oci_process, "cwd", cwd),
        F_OBJ(struct oci_process, "capabilities", capabilities, desc_capabilities, 0),
        F_ARRAY(struct oci_process, "rlimits", rlimits, desc_rlimit, 0),
        F_BOOL(struct oci_process, "noNewPrivileges", no_new_privileges),
        F_STR(struct oci_process, "apparmorProfile", apparmor_profile),
        F_OPT_INT_RANGE(struct oci_process, "oomScoreAdj", oom_score_adj, DN_I32, -1000, 1000),
        F_STR(struct oci_process, "selinuxLabel", selinux_label),
        F_OBJ(struct oci_process, "ioPriority", io_priority, desc_io_priority, 0),
        F_OBJ(struct oci_process, "scheduler", scheduler, desc_scheduler, 0),
        F_OBJ(struct oci_process, "execCPUAffinity", exec_cpu_affinity, desc_exec_cpu_affinity, 0),
};

/* The spec: "If rlimits contains duplicated entries with same type, the
 * runtime MUST generate an error". */
static int check_rlimit_duplicates(const struct oci_process *p, struct json_path *path,
                                   struct kago_err *err)
{
        _cleanup_free_ const char **types = xcalloc(p->rlimits_len + 1, sizeof *types);

        for (size_t i = 0; i < p->rlimits_len; i++)
                types[i] = p->rlimits[i].type;
        const char *dup = desc_duplicate(types, p->rlimits_len);
        if (dup) {
                json_path_push_key(path, "rlimits");
                return json_path_error(err, path, "duplicate rlimit %s", dup);
        }
        return 0;
}

/* Every entry NAME=VALUE with a name, as runc and crun insist (execve would
 * pass "FOO" on, and no shell could read it). */
static int check_env(const struct oci_process *p, struct json_path *path, struct kago_err *err)
{
        for (size_t i = 0; i < p->env_len; i++) {
                const char *eq = strchr(p->env[i], '=');
                if (eq && eq != p->env[i])
                        continue;
                json_path_push_key(path, "env");
                json_path_push_index(path, i);
                return json_path_error(err, path, eq ? "\"%.64s\" has an empty variable name"
                                                     : "\"%.64s\" is not NAME=VALUE (no \"=\")",
                                       p->env[i]);
        }
        return 0;
}

static int process_check(const void *obj, struct json_path *path, struct kago_err *err)
{
        const struct oci_process *p = obj;

        if (check_env(p, path, err) < 0)
                return -1;

        if (p->cwd[0] != '/') {
                json_path_push_key(path, "cwd");
                return json_path_error(err, path, "\"%.64s\" is not an absolute path", p->cwd);
        }
        return check_rlimit_duplicates(p, path, err);
}
DESC_TYPE(desc_process, struct oci_process, process_fields, process_check);
