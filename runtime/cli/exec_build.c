/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process kago exec runs: --process FILE as it is (what it leaves out —
 * capabilities, rlimits — comes from the container), or the container's own
 * process with the command and the flags (--env, --cwd, --user,
 * --additional-gids, --cap, --no-new-privs, --tty, --apparmor,
 * --process-label) applied, as runc does.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "cli.h"

static void strv_free(char **v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

static void strv_push(char ***v, size_t *n, const char *s)
{
        *v = xrealloc(*v, (*n + 2) * sizeof **v);
        (*v)[(*n)++] = xstrdup(s);
        (*v)[*n] = NULL;
}

static bool strv_contains(char **v, size_t n, const char *s)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i], s) == 0)
                        return true;
        return false;
}

/* KEY=VALUE replaces an existing KEY, else is appended. */
static void env_set(struct oci_process *p, const char *kv)
{
        size_t klen = strcspn(kv, "=");

        for (size_t i = 0; i < p->env_len; i++)
                if (strncmp(p->env[i], kv, klen) == 0 && p->env[i][klen] == '=') {
                        free(p->env[i]);
                        p->env[i] = xstrdup(kv);
                        return;
                }
        strv_push(&p->env, &p->env_len, kv);
}

static int parse_user(const char *s, struct oci_user *u, struct kago_err *err)
{
        _cleanup_free_ char *copy = xstrdup(s);
        char *colon = strchr(copy, ':');
        int64_t uid, gid = 0;

        if (colon)
                *colon = '\0';
        if (str_to_i64(copy, 0, UINT32_MAX - 1, &uid) < 0 ||
            (colon && str_to_i64(colon + 1, 0, UINT32_MAX - 1, &gid) < 0))
                return kago_err_set(err, "--user: \"%s\" is not uid[:gid] (numbers: kago does not "
                                         "read the container's /etc/passwd)", s);
        u->uid = (uint32_t)uid;
        u->gid = (uint32_t)gid;
        return 0;
}

static void add_cap(struct oci_process *p, const char *name)
{
        if (!p->capabilities)
                p->capabilities = xcalloc(1, sizeof *p->capabilities);
        struct oci_capabilities *c = p->capabilities;
        char ***sets[] = { &c->bounding, &c->effective, &c->inheritable, &c->permitted,
                           &c->ambient };
        size_t *lens[] = { &c->bounding_len, &c->effective_len, &c->inheritable_len,
                           &c->permitted_len, &c->ambient_len };

        for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
                if (!strv_contains(*sets[i], *lens[i], name))
                        strv_push(sets[i], lens[i], name);
}

/* A deep copy of the container's process, through its JSON. */
static int copy_process(const struct oci_process *p, struct oci_process **out, struct kago_err *err)
{
        _cleanup_free_ char *json = spec_process_emit(p);

        if (spec_parse_process(json, strlen(json), "config.json: process", out, err) < 0)
                return -1;
        return 0;
}

static void set_str(char **field, const char *value)
{
        free(*field);
        *field = xstrdup(value);
}

static int apply_flags(const struct exec_opts *o, struct oci_process *p, struct kago_err *err)
{
        strv_free(p->args, p->args_len);
        p->args = NULL;
        p->args_len = 0;
        for (size_t i = 0; i < o->args_len; i++)
                strv_push(&p->args, &p->args_len, o->args[i]);
        for (size_t i = 0; i < o->env_len; i++) {
                if (strchr(o->env[i], '=') == NULL || o->env[i][0] == '=')
                        return kago_err_set(err, "--env: \"%s\" is not NAME=VALUE", o->env[i]);
                env_set(p, o->env[i]);
        }
        if (o->cwd && o->cwd[0] != '/')
                return kago_err_set(err, "--cwd: \"%s\" is not an absolute path", o->cwd);
        if (o->cwd)
                set_str(&p->cwd, o->cwd);
        if (o->user && parse_user(o->user, &p->user, err) < 0)
                return -1;
        if (o->gids_len) {
                free(p->user.additional_gids);
                p->user.additional_gids = xcalloc(o->gids_len, sizeof(uint32_t));
                memcpy(p->user.additional_gids, o->gids, o->gids_len * sizeof(uint32_t));
                p->user.additional_gids_len = o->gids_len;
        }
        for (size_t i = 0; i < o->caps_len; i++) {
                int c = caps_from_name(o->caps[i]);
                if (c < 0)
                        return kago_err_set(err, "--cap: unknown capability \"%s\"", o->caps[i]);
                add_cap(p, caps_name(c));
        }
        p->no_new_privileges |= o->no_new_privs;
        p->terminal = o->tty;
        if (o->apparmor)
                set_str(&p->apparmor_profile, o->apparmor);
        if (o->process_label)
                set_str(&p->selinux_label, o->process_label);
        return 0;
}

static int read_process_file(const char *path, struct oci_process **out, struct kago_err *err)
{
        _cleanup_free_ char *buf = NULL;
        size_t len;

        if (file_read_at(AT_FDCWD, path, SPEC_MAX_FILE_SIZE, &buf, &len, err) < 0 ||
            spec_parse_process(buf, len, path, out, err) < 0)
                return kago_err_wrap(err, "--process");
        return 0;
}

/* What the file leaves out comes from the container (capabilities, rlimits). */
static int inherit_from_container(struct oci_process *p, const struct oci_process *c,
                                  struct kago_err *err)
{
        struct oci_process *copy = NULL;

        if (!p || !c)
                return 0;
        bool caps = !p->capabilities && c->capabilities;
        bool rlimits = !p->rlimits_len && c->rlimits_len;
        if (!caps && !rlimits)
                return 0;
        if (copy_process(c, &copy, err) < 0 || !copy)
                return -1;
        if (caps)
                p->capabilities = TAKE_PTR(copy->capabilities);
        if (rlimits) {
                free(p->rlimits); /* an empty array */
                p->rlimits = TAKE_PTR(copy->rlimits);
                p->rlimits_len = copy->rlimits_len;
                copy->rlimits_len = 0;
        }
        spec_process_free(copy);
        return 0;
}

int exec_build_process(const struct exec_opts *o, const struct oci_spec *spec,
                       struct oci_process **out, struct kago_err *err)
{
        struct oci_process *p = NULL;

        *out = NULL;
        if (o->process_file) {
                if (o->args_len)
                        return kago_err_set(err, "--process %s: give the command in the file, "
                                                 "not after the container id", o->process_file);
                if (read_process_file(o->process_file, &p, err) < 0 ||
                    inherit_from_container(p, spec->process, err) < 0) {
                        spec_process_free(p);
                        return -1;
                }
                *out = p;
                return 0;
        }
        if (!o->args_len)
                return kago_err_set(err, "no command: give one after the container id, or "
                                         "--process FILE");
        if (!spec->process)
                return kago_err_set(err, "the container's config has no process to start from: "
                                         "use --process FILE");
        if (copy_process(spec->process, &p, err) < 0)
                return -1;
        if (apply_flags(o, p, err) < 0) {
                spec_process_free(p);
                return -1;
        }
        *out = p;
        return 0;
}
