/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proves runtime/process/capabilities.c and the user switch of security.c: names map
 * to bits and bad names are errors naming them; a capability missing from the
 * host's bounding set is refused up front; the whole sequence (bounding set,
 * keep caps across setuid, e/p/i, ambient, no_new_privs) leaves exactly the
 * configured sets in /proc/self/status of a non-root process.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/capability.h>
#include <sys/wait.h>

#include "../../runtime/process/process.h"
#include "unit.h"

static struct oci_process *parse_process(const char *json)
{
        struct oci_process *p = NULL;
        struct kago_err err = { 0 };

        if (spec_parse_process(json, strlen(json), "process.json", &p, &err) < 0)
                fprintf(stderr, "  parse: %s\n", kago_err_text(&err));
        return p;
}

UNIT_TEST(names_map_to_bits)
{
        struct kago_err err = { 0 };
        struct kago_caps c;
        struct oci_process *p = parse_process(
                "{\"args\":[\"x\"],\"cwd\":\"/\",\"capabilities\":{"
                "\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\",\"CAP_CHECKPOINT_RESTORE\"],"
                "\"effective\":[\"CAP_KILL\"],\"permitted\":[\"CAP_KILL\",\"CAP_CHOWN\"],"
                "\"inheritable\":[\"CAP_KILL\"],\"ambient\":[\"CAP_KILL\"]}}");

        CHECK(p != NULL);
        if (!p)
                return;
        CHECK(caps_from_spec(p->capabilities, &c, &err) == 0);
        CHECK(c.set);
        CHECK(c.bounding == ((1ull << CAP_CHOWN) | (1ull << CAP_KILL) | (1ull << 40)));
        CHECK(c.effective == (1ull << CAP_KILL));
        CHECK(c.permitted == ((1ull << CAP_KILL) | (1ull << CAP_CHOWN)));
        CHECK(c.ambient == (1ull << CAP_KILL));
        CHECK_STR(caps_name(CAP_NET_ADMIN), "CAP_NET_ADMIN");
        CHECK(caps_from_name("NET_ADMIN") == CAP_NET_ADMIN);
        CHECK(caps_from_name("12") < 0);
        CHECK(caps_from_spec(NULL, &c, &err) == 0 && !c.set);
        spec_process_free(p);
}

UNIT_TEST(bad_names_and_sets_are_errors)
{
        struct kago_err err = { 0 };
        struct kago_caps c;
        struct oci_capabilities caps = { 0 };
        char *eff[] = { "CAP_KILL", "CAP_FOO", NULL };
        char *num[] = { "12", NULL };
        char *lower[] = { "cap_kill", NULL };
        char *kill[] = { "CAP_KILL", NULL };

        caps.effective = eff;
        caps.effective_len = 2;
        CHECK(caps_from_spec(&caps, &c, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err),
                       "process.capabilities.effective[1]: unknown capability \"CAP_FOO\"");
        caps.effective = num;
        caps.effective_len = 1;
        CHECK(caps_from_spec(&caps, &c, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "unknown capability \"12\"");
        caps.effective = lower;
        CHECK(caps_from_spec(&caps, &c, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "unknown capability \"cap_kill\"");
        /* effective without permitted: capset(2) would refuse it later. */
        caps.effective = kill;
        CHECK(caps_from_spec(&caps, &c, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err),
                       "process.capabilities.effective: CAP_KILL is not in the permitted set");
        /* ambient needs permitted and inheritable. */
        caps.effective = NULL;
        caps.effective_len = 0;
        caps.ambient = kill;
        caps.ambient_len = 1;
        caps.permitted = kill;
        caps.permitted_len = 1;
        CHECK(caps_from_spec(&caps, &c, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "ambient: CAP_KILL is not in the inheritable set");
        CHECK(caps_add_name(&c, "CAP_NOPE", &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "unknown capability \"CAP_NOPE\"");
}

/* In a child that lost CAP_SYS_BOOT from its bounding set (as this sandbox
 * lost CAP_SYS_RESOURCE), asking for it is an error naming it. */
UNIT_TEST(capability_missing_from_host_bounding_set_is_refused)
{
        pid_t pid = fork();
        int st = 0;

        if (pid == 0) {
                struct kago_err err = { 0 };
                struct kago_caps c = { .set = true, .permitted = 1ull << CAP_SYS_BOOT };
                if (cap_drop_bound(CAP_SYS_BOOT) < 0)
                        _exit(10);
                if (caps_check_host(&c, &err) == 0)
                        _exit(11);
                if (!strstr(kago_err_text(&err), "process.capabilities.permitted: CAP_SYS_BOOT is "
                                                 "not in this host's capability bounding set"))
                        _exit(12);
                c.permitted = 1ull << CAP_KILL;
                _exit(caps_check_host(&c, &err) == 0 ? 0 : 13);
        }
        waitpid(pid, &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static uint64_t status_mask(const char *status, const char *key)
{
        const char *p = strstr(status, key);

        return p ? strtoull(p + strlen(key), NULL, 16) : ~0ull;
}

/* The full sequence as a non-root user: the sets are exactly what was asked. */
UNIT_TEST(finish_sets_every_set_for_a_non_root_user)
{
        int pfd[2];
        pid_t pid;
        int st = 0;

        CHECK(pipe(pfd) == 0);
        pid = fork();
        if (pid == 0) {
                struct kago_err err = { 0 };
                struct kago_security s = { .no_new_privs = true };
                struct oci_user u = { .uid = 1000, .gid = 1000 };
                uint64_t want = (1ull << CAP_KILL) | (1ull << CAP_NET_BIND_SERVICE);
                int lfd;
                s.caps = (struct kago_caps){ .set = true, .bounding = want | (1ull << CAP_CHOWN),
                                             .effective = want, .permitted = want,
                                             .inheritable = 1ull << CAP_NET_BIND_SERVICE,
                                             .ambient = 1ull << CAP_NET_BIND_SERVICE };
                if (security_finish(&s, &u, &lfd, &err) < 0) {
                        dprintf(pfd[1], "error %s", kago_err_text(&err));
                        _exit(1);
                }
                char *buf = NULL;
                size_t len;
                if (file_read_at(AT_FDCWD, "/proc/self/status", 1 << 16, &buf, &len, &err) < 0)
                        _exit(2);
                fd_write_all(pfd[1], buf, len);
                free(buf);
                _exit(0);
        }
        close(pfd[1]);
        char out[8192] = { 0 };
        fd_read_all(pfd[0], out, sizeof out - 1);
        close(pfd[0]);
        waitpid(pid, &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                fprintf(stderr, "  child: %s\n", out);
                return;
        }
        uint64_t want = (1ull << CAP_KILL) | (1ull << CAP_NET_BIND_SERVICE);
        CHECK(status_mask(out, "CapEff:\t") == want);
        CHECK(status_mask(out, "CapPrm:\t") == want);
        CHECK(status_mask(out, "CapInh:\t") == (1ull << CAP_NET_BIND_SERVICE));
        CHECK(status_mask(out, "CapAmb:\t") == (1ull << CAP_NET_BIND_SERVICE));
        CHECK(status_mask(out, "CapBnd:\t") == (want | (1ull << CAP_CHOWN)));
        CHECK_CONTAINS(out, "NoNewPrivs:\t1");
        CHECK_CONTAINS(out, "Uid:\t1000\t1000\t1000\t1000");
        CHECK_CONTAINS(out, "Gid:\t1000\t1000\t1000\t1000");
}

/* Without keep-caps the user switch empties the permitted set: the error says
 * which capabilities the process does not hold. */
UNIT_TEST(apply_without_permitted_caps_explains_eperm)
{
        pid_t pid = fork();
        int st = 0;

        if (pid == 0) {
                struct kago_err err = { 0 };
                struct kago_caps c = { .set = true, .effective = 1ull << CAP_KILL,
                                       .permitted = 1ull << CAP_KILL };
                if (setresuid(1000, 1000, 1000) < 0)
                        _exit(10);
                if (caps_apply(&c, &err) == 0)
                        _exit(11);
                _exit(strstr(kago_err_text(&err), "this process does not hold CAP_KILL") ? 0 : 12);
        }
        waitpid(pid, &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

UNIT_TEST(prepare_checks_before_anything_runs)
{
        struct kago_err err = { 0 };
        struct kago_security s;
        struct oci_process *p = parse_process(
                "{\"args\":[\"x\"],\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_KILL\"]},"
                "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":5}]}");

        CHECK(p != NULL);
        if (!p)
                return;
        p->rlimits[0].soft = 10; /* the parser refuses this; a --process file built in code may not */
        CHECK(security_prepare(NULL, p, &s, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "process.rlimits[0]: RLIMIT_NOFILE soft limit 10 is "
                                            "above the hard limit 5");
        security_release(&s);
        p->rlimits[0].soft = 1;
        CHECK(security_prepare(NULL, p, &s, &err) == 0);
        CHECK(s.caps.set && s.caps.bounding == (1ull << CAP_KILL));
        security_release(&s);
        if (!proc_apparmor_enabled()) {
                p->apparmor_profile = xstrdup("kago-test");
                CHECK(security_prepare(NULL, p, &s, &err) < 0);
                CHECK_CONTAINS(kago_err_text(&err), "process.apparmorProfile \"kago-test\": "
                                                    "AppArmor is not enabled on this host");
                security_release(&s);
        }
        spec_process_free(p);
}

UNIT_MAIN("security_caps", UNIT(names_map_to_bits), UNIT(bad_names_and_sets_are_errors),
          UNIT(capability_missing_from_host_bounding_set_is_refused),
          UNIT(finish_sets_every_set_for_a_non_root_user),
          UNIT(apply_without_permitted_caps_explains_eperm),
          UNIT(prepare_checks_before_anything_runs))
