/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proves how kago exec builds its process (runtime/cli/exec_build.c): the
 * container's process with the command and flags applied (--env replaces a
 * variable or adds it, --user, --additional-gids, --cap in every set,
 * --no-new-privs, --tty, --apparmor, --process-label), --process FILE as it
 * is with the container's capabilities and rlimits when the file has none,
 * and the errors for a bad user, an unknown capability, a missing command or
 * both a file and a command.
 */
#include <fcntl.h>
#include <sys/capability.h>

#include "../../runtime/cli/cli.h"
#include "unit.h"

static struct oci_spec *container(void)
{
        static const char *json =
                "{\"ociVersion\":\"1.0.0\",\"process\":{\"args\":[\"sleep\",\"1\"],\"cwd\":\"/\","
                "\"env\":[\"PATH=/bin\",\"TERM=xterm\"],\"user\":{\"uid\":0,\"gid\":0},"
                "\"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"effective\":[\"CAP_KILL\"],"
                "\"permitted\":[\"CAP_KILL\"]},\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
                "\"soft\":100,\"hard\":200}],\"noNewPrivileges\":false}}";
        struct oci_spec *s = NULL;
        struct kago_err err = { 0 };

        if (spec_parse(json, strlen(json), "config.json", &s, &err) < 0)
                fprintf(stderr, "  %s\n", kago_err_text(&err));
        return s;
}

UNIT_TEST(flags_apply_to_the_containers_process)
{
        struct oci_spec *s = container();
        char *args[] = { "sh", "-c", "true", NULL };
        char *env[] = { "TERM=dumb", "NEW=1", NULL };
        char *caps[] = { "NET_ADMIN", "CAP_KILL", NULL };
        uint32_t gids[] = { 5, 6 };
        struct exec_opts o = { .args = args, .args_len = 3, .env = env, .env_len = 2,
                               .caps = caps, .caps_len = 2, .gids = gids, .gids_len = 2,
                               .user = "1000:1001", .cwd = "/tmp", .no_new_privs = true,
                               .tty = true, .apparmor = "prof", .process_label = "lbl" };
        struct oci_process *p = NULL;
        struct kago_err err = { 0 };
        struct kago_caps c;

        CHECK(s != NULL);
        if (!s)
                return;
        CHECK(exec_build_process(&o, s, &p, &err) == 0);
        if (!p) {
                spec_free(s);
                return;
        }
        CHECK(p->args_len == 3 && strcmp(p->args[2], "true") == 0 && p->args[3] == NULL);
        CHECK(p->env_len == 3);
        CHECK_STR(p->env[1], "TERM=dumb");
        CHECK_STR(p->env[2], "NEW=1");
        CHECK_STR(p->cwd, "/tmp");
        CHECK(p->user.uid == 1000 && p->user.gid == 1001);
        CHECK(p->user.additional_gids_len == 2 && p->user.additional_gids[1] == 6);
        CHECK(p->no_new_privileges && p->terminal);
        CHECK_STR(p->apparmor_profile, "prof");
        CHECK_STR(p->selinux_label, "lbl");
        CHECK(caps_from_spec(p->capabilities, &c, &err) == 0);
        uint64_t want = (1ull << CAP_KILL) | (1ull << CAP_NET_ADMIN);
        CHECK(c.bounding == want && c.effective == want && c.permitted == want);
        CHECK(c.ambient == want && c.inheritable == want);
        CHECK(p->rlimits_len == 1 && p->rlimits[0].hard == 200); /* the container's */
        spec_process_free(p);
        spec_free(s);
}

UNIT_TEST(process_file_keeps_its_own_and_inherits_the_rest)
{
        char path[] = "/tmp/kago-unit-proc-XXXXXX";
        int fd = mkstemp(path);
        const char *json = "{\"args\":[\"id\"],\"cwd\":\"/etc\",\"user\":{\"uid\":7,\"gid\":7}}";
        struct oci_spec *s = container();
        struct exec_opts o = { .process_file = path };
        struct oci_process *p = NULL;
        struct kago_err err = { 0 };

        CHECK(fd >= 0 && write(fd, json, strlen(json)) == (ssize_t)strlen(json));
        close(fd);
        CHECK(s && exec_build_process(&o, s, &p, &err) == 0);
        if (p) {
                CHECK_STR(p->args[0], "id");
                CHECK_STR(p->cwd, "/etc");
                CHECK(p->user.uid == 7);
                CHECK(p->capabilities && p->capabilities->bounding_len == 1);
                CHECK(p->rlimits_len == 1 && p->rlimits[0].soft == 100);
                CHECK(!p->no_new_privileges);
                spec_process_free(p);
        }
        char *args[] = { "x", NULL };
        o.args = args;
        o.args_len = 1;
        CHECK(exec_build_process(&o, s, &p, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "give the command in the file");
        unlink(path);
        o = (struct exec_opts){ .process_file = path };
        CHECK(exec_build_process(&o, s, &p, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "--process");
        CHECK_CONTAINS(kago_err_text(&err), "No such file or directory");
        spec_free(s);
}

UNIT_TEST(bad_flags_are_errors)
{
        struct oci_spec *s = container();
        char *args[] = { "true", NULL };
        char *caps[] = { "CAP_NOPE", NULL };
        struct exec_opts o = { .args = args, .args_len = 1, .user = "root" };
        struct oci_process *p = NULL;
        struct kago_err err = { 0 };

        CHECK(s != NULL);
        if (!s)
                return;
        CHECK(exec_build_process(&o, s, &p, &err) < 0 && !p);
        CHECK_CONTAINS(kago_err_text(&err), "--user: \"root\" is not uid[:gid]");
        o.user = "1:x";
        CHECK(exec_build_process(&o, s, &p, &err) < 0);
        o.user = NULL;
        o.caps = caps;
        o.caps_len = 1;
        CHECK(exec_build_process(&o, s, &p, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "--cap: unknown capability \"CAP_NOPE\"");
        o = (struct exec_opts){ 0 };
        CHECK(exec_build_process(&o, s, &p, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "no command");
        spec_free(s);
}

UNIT_TEST(namespace_flags_of_ourselves_are_empty)
{
        struct kago_err err = { 0 };
        int flags = -1;

        CHECK(exec_ns_flags(getpid(), &flags, &err) == 0);
        CHECK(flags == 0);
        CHECK(exec_ns_flags(999999999, &flags, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "/proc/999999999/ns/");
}

UNIT_MAIN("security_exec", UNIT(flags_apply_to_the_containers_process),
          UNIT(process_file_keeps_its_own_and_inherits_the_rest), UNIT(bad_flags_are_errors),
          UNIT(namespace_flags_of_ourselves_are_empty))
