/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proves the systemd driver against a real systemd (the test VM booted with
 * tests/vm/run --systemd): the container's process lands in a transient
 * scope with Delegate=yes, unit properties from annotations reach systemd,
 * limits are written into the scope's cgroup, and destroy removes the scope.
 * Without systemd as PID 1 (the host) there is nothing to talk to: the test
 * says so and checks only that the driver fails clearly.
 */
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../../cgroups/internal.h"
#include "../../specs/specs.h"
#include "unit.h"

static bool have_systemd(void)
{
        struct stat st;

        return stat("/run/systemd/system", &st) == 0;
}

/* `systemctl show -p PROP --value UNIT`, first line. */
static char *unit_property(const char *unit, const char *prop)
{
        char *cmd = xasprintf("systemctl show -p %s --value %s 2>/dev/null", prop, unit);
        FILE *f = popen(cmd, "r");
        char buf[256] = "";

        free(cmd);
        if (f) {
                if (!fgets(buf, sizeof buf, f))
                        buf[0] = '\0';
                pclose(f);
        }
        buf[strcspn(buf, "\n")] = '\0';
        return xstrdup(buf);
}

static pid_t sleeper(void)
{
        pid_t pid = fork();

        if (pid == 0)
                for (;;)
                        pause();
        return pid;
}

UNIT_TEST(scope_with_delegate_lives_and_goes)
{
        struct kago_err err = { 0 };
        struct oci_linux_resources *r = NULL;
        const char *json = "{\"pids\":{\"limit\":20}}";
        char *const props[] = { "org.systemd.property.CollectMode", "'inactive-or-failed'",
                                "org.systemd.property.TimeoutStopUSec", "uint64 5000000", NULL };
        struct cgroup *cg = NULL;
        pid_t child = sleeper();
        char *id = xasprintf("unit%d", (int)getpid());
        char *path = xasprintf("system.slice:kago:%s", id);
        char *unit = xasprintf("kago-%s.scope", id);
        struct cgroup_config cfg = { .driver = CGROUP_DRIVER_SYSTEMD, .id = id, .cgroups_path = path,
                                     .systemd_properties = props };

        CHECK(spec_parse_resources(json, strlen(json), "r.json", &r, &err) == 0);
        cfg.resources = r;
        CHECK(cgroup_create(&cfg, child, &cg, &err) == 0);
        if (!cg) {
                fprintf(stderr, "  %s\n", kago_err_text(&err));
        } else {
                char *s = unit_property(unit, "ActiveState");
                CHECK_STR(s, "active");
                free(s);
                s = unit_property(unit, "Delegate");
                CHECK_STR(s, "yes");
                free(s);
                s = unit_property(unit, "TimeoutStopUSec");
                CHECK_STR(s, "5s");
                free(s);
                CHECK(str_has_prefix(cgroup_path(cg), "/system.slice/"));
                CHECK_CONTAINS(cgroup_path(cg), unit);
                uint64_t v = 0;
                CHECK(cg_read_u64(cg->dirfd, "pids.max", &v, &err) == 0 && v == 20);
                char *mine = NULL;
                CHECK(cg_pid_cgroup(child, &mine, &err) == 0);
                CHECK_STR(mine, cgroup_path(cg));
                free(mine);
                CHECK(cgroup_destroy(cg, &err) == 0);
                s = unit_property(unit, "ActiveState");
                CHECK(strcmp(s, "active") != 0);
                free(s);
                struct stat st;
                CHECK(stat(cgroup_dir(cg), &st) < 0);
                cgroup_free(cg);
        }
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        spec_resources_free(r);
        free(id);
        free(path);
        free(unit);
}

UNIT_TEST(bad_property_name_is_refused_before_systemd_sees_it)
{
        struct kago_err err = { 0 };
        char *const props[] = { "org.systemd.property.Bad-Name", "1", NULL };
        struct cgroup *cg = NULL;
        pid_t child = sleeper();
        struct cgroup_config cfg = { .driver = CGROUP_DRIVER_SYSTEMD, .id = "badprop",
                                     .systemd_properties = props };

        CHECK(cgroup_create(&cfg, child, &cg, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "\"Bad-Name\" is not a unit property name");
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
}

int main(void)
{
        static const struct unit_test all[] = {
                UNIT(scope_with_delegate_lives_and_goes),
                UNIT(bad_property_name_is_refused_before_systemd_sees_it),
        };

        if (!have_systemd()) {
                struct kago_err err = { 0 };
                printf("  systemd is not PID 1 here: only the error paths run "
                       "(the rest runs under tests/vm/run --systemd)\n");
                /* No bus: the error says so. */
                CHECK(cg_systemd_start_scope("system.slice", "kago-x.scope", getpid(), NULL, &err) < 0);
                CHECK_CONTAINS(kago_err_text(&err), "systemd system bus");
                return unit_run("cgroups_systemd", all + 1, 1) || unit_failed_checks;
        }
        return unit_run("cgroups_systemd", all, ARRAY_SIZE(all));
}
