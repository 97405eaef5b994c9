/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runtime/: container ids, signal names, mount options, the state store
 * (atomic state file round trip, locks, listing, removal), process liveness
 * by start time, the checks before a signal reaches a recorded init, and
 * the exec fifo handshake, and whether a container has or asks for a cgroup. */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../../runtime/lifecycle/lifecycle.h"
#include "../../runtime/rootfs/rootfs.h"
#include "unit.h"

UNIT_TEST(ids_are_validated)
{
        struct kago_err err = { 0 };
        char long_id[CONTAINER_ID_MAX + 2];

        CHECK(container_id_validate("web-1_a.b+c", &err) == 0);
        CHECK(container_id_validate("a..b", &err) == 0);
        CHECK(container_id_validate("", &err) < 0);
        CHECK(container_id_validate("..", &err) < 0);
        CHECK(container_id_validate(".x", &err) < 0);
        CHECK(container_id_validate("-x", &err) < 0);
        CHECK(container_id_validate("a/b", &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "character '/' not allowed");
        memset(long_id, 'a', sizeof long_id - 1);
        long_id[sizeof long_id - 1] = '\0';
        CHECK(container_id_validate(long_id, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "at most 255");
}

UNIT_TEST(signals_by_name_and_number)
{
        struct kago_err err = { 0 };
        int s = 0;

        CHECK(signal_parse("KILL", &s, &err) == 0 && s == SIGKILL);
        CHECK(signal_parse("SIGTERM", &s, &err) == 0 && s == SIGTERM);
        CHECK(signal_parse("sigusr1", &s, &err) == 0 && s == SIGUSR1);
        CHECK(signal_parse("9", &s, &err) == 0 && s == 9);
        CHECK(signal_parse("RTMIN+2", &s, &err) == 0 && s == SIGRTMIN + 2);
        CHECK(signal_parse("SIGRTMAX-1", &s, &err) == 0 && s == SIGRTMAX - 1);
        CHECK(signal_parse("0", &s, &err) == 0 && s == 0); /* a liveness probe */
        CHECK(signal_parse("65", &s, &err) < 0);
        CHECK(signal_parse("NOPE", &s, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "invalid signal \"NOPE\"");
        CHECK(signal_parse("RTMIN-1", &s, &err) < 0);
}

UNIT_TEST(mount_options_split_into_flags_and_data)
{
        char *opts[] = { "nosuid", "ro", "bind", "rslave", "mode=755", "rw", "size=1k",
                         "rnoexec", "rnoatime", "tmpcopyup" };
        struct mount_opts o;
        struct kago_err err = { 0 };

        CHECK(mount_opts_parse(opts, ARRAY_SIZE(opts), &o, &err) == 0);
        CHECK(o.flags & MS_NOSUID);
        CHECK(!(o.flags & MS_RDONLY)); /* rw after ro wins */
        CHECK(o.clear & MS_RDONLY);
        CHECK(o.bind && !o.recursive);
        CHECK(o.propagation == (MS_SLAVE | MS_REC));
        CHECK(o.attr_set & MOUNT_ATTR_NOEXEC);
        CHECK((o.attr_set & MOUNT_ATTR__ATIME) == MOUNT_ATTR_NOATIME);
        CHECK(o.attr_clr & MOUNT_ATTR__ATIME);
        CHECK(o.tmpcopyup);
        CHECK_STR(o.data, "mode=755,size=1k");
        mount_opts_free(&o);

        /* idmap/ridmap are no flag nor data: rootfs_mount.c makes an idmapped bind. */
        char *idmap[] = { "rbind", "idmap", "ridmap" };
        CHECK(mount_opts_parse(idmap, 3, &o, &err) == 0);
        CHECK(o.bind && o.recursive && !o.data);
        mount_opts_free(&o);
}

static char *make_root(void)
{
        char tmpl[] = "/tmp/kago-unit-store.XXXXXX";
        char *dir = mkdtemp(tmpl);
        return dir ? xasprintf("%s/root", dir) : NULL;
}

UNIT_TEST(state_round_trips_through_the_store)
{
        _cleanup_free_ char *root = make_root();
        struct kago_err err = { 0 };
        int rootfd = -1, dirfd = -1, dirfd2 = -1;
        struct container_state st = { .id = "c1", .pid = 1234, .start_time = 987654321ULL,
                                      .bundle = "/b \"quoted\"", .rootfs = "/b/rootfs",
                                      .created = "2026-11-26T00:00:00Z", .owner = 0,
                                      .cgroup_path = "/kago/c1", .cgroup_driver = "cgroupfs",
                                      .own_pidns = true, .creating = true };
        struct container_state back = { 0 };

        CHECK(root && store_open_root(root, &rootfd, &err) == 0);
        CHECK(store_create_dir(rootfd, "c1", &dirfd, &err) == 0);
        CHECK(store_create_dir(rootfd, "c1", &dirfd2, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "container \"c1\" already exists");
        CHECK(store_write_state(dirfd, &st, &err) == 0);
        CHECK(store_read_state(dirfd, "c1", &back, &err) == 0);
        CHECK(back.pid == 1234 && back.start_time == 987654321ULL && back.own_pidns);
        CHECK(back.creating);
        CHECK_STR(back.bundle, "/b \"quoted\"");
        CHECK_STR(back.cgroup_path, "/kago/c1");
        CHECK_STR(back.cgroup_driver, "cgroupfs");
        container_state_free(&back);
        /* The lock is held: a second locker would block; a non-blocking try fails. */
        int probe = openat(rootfd, "c1", O_RDONLY | O_DIRECTORY);
        CHECK(probe >= 0 && flock(probe, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK);
        close(probe);
        char **ids = NULL;
        CHECK(store_list_ids(rootfd, &ids, &err) == 0 && ids && ids[0] && !ids[1]);
        CHECK_STR(ids ? ids[0] : NULL, "c1");
        kago_strvfreep(&ids);
        close(dirfd);
        CHECK(store_remove(rootfd, "c1", &err) == 0);
        CHECK(store_open_locked(rootfd, "c1", &dirfd, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "container \"c1\" does not exist");
        close(rootfd);
        rmdir(root);
        *strrchr(root, '/') = '\0';
        rmdir(root);
}

UNIT_TEST(liveness_needs_the_recorded_start_time)
{
        uint64_t t = 0;
        pid_t child = fork();

        if (child == 0) {
                pause();
                _exit(0);
        }
        CHECK(proc_start_time(child, &t) == 0 && t > 0);
        CHECK(proc_is_alive(child, t));
        CHECK(!proc_is_alive(child, t + 1));
        int pfd = proc_open_pidfd(child, t + 1);
        CHECK(pfd < 0);
        pfd = proc_open_pidfd(child, t);
        CHECK(pfd >= 0);
        if (pfd >= 0)
                close(pfd);
        kill(child, SIGKILL);
        /* A zombie is not alive. */
        usleep(100000);
        CHECK(!proc_is_alive(child, t));
        waitpid(child, NULL, 0);
        CHECK(!proc_is_alive(child, t));
}

/* The 0:: line of /proc/self/cgroup, or NULL without cgroup2. */
static char *own_cgroup(void)
{
        _cleanup_free_ char *buf = NULL;
        struct kago_err err = { 0 };

        if (file_read_at(AT_FDCWD, "/proc/self/cgroup", 1 << 16, &buf, NULL, &err) < 0)
                return NULL;
        char *l = strstr(buf, "0::");
        return l && (l == buf || l[-1] == '\n') ? strndup(l + 3, strcspn(l + 3, "\n")) : NULL;
}

static int open_init_as(pid_t pid, const char *cgroup, bool own_pidns, struct kago_err *err)
{
        struct container_state st = { .id = "c", .pid = pid, .cgroup_path = (char *)cgroup,
                                      .own_pidns = own_pidns };
        int pfd = -1;

        if (proc_start_time(pid, &st.start_time) < 0)
                st.start_time = 1;
        if (container_open_init(&st, &pfd, err) < 0)
                return -1;
        if (pfd >= 0)
                close(pfd);
        return pfd >= 0 ? 1 : 0;
}

UNIT_TEST(signals_reach_only_the_containers_init)
{
        struct kago_err err = { 0 };
        _cleanup_free_ char *cg = own_cgroup();
        pid_t child = fork();

        if (child == 0) {
                pause();
                _exit(0);
        }
        CHECK(open_init_as(1, NULL, false, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "names pid 1");
        CHECK(open_init_as(getpid(), NULL, false, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "kago or one of its ancestors");
        CHECK(open_init_as(getppid(), NULL, false, &err) < 0);
        CHECK(open_init_as(child, "/no/such/cgroup", false, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "not in the container's /no/such/cgroup");
        if (cg)
                CHECK(open_init_as(child, cg, false, &err) == 1);
        CHECK(open_init_as(child, NULL, true, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "not the init of a pid namespace");
        CHECK(open_init_as(child, NULL, false, &err) == 1);
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        CHECK(open_init_as(child, NULL, false, &err) == 0); /* gone */
}

UNIT_TEST(exec_fifo_hands_over_one_byte)
{
        _cleanup_free_ char *root = make_root();
        struct kago_err err = { 0 };
        int rootfd = -1, dirfd = -1, fifo = -1;

        CHECK(root && store_open_root(root, &rootfd, &err) == 0);
        CHECK(store_create_dir(rootfd, "f", &dirfd, &err) == 0);
        /* No init holds the fifo: start says so instead of blocking. */
        CHECK(exec_fifo_make(dirfd, &err) == 0 && exec_fifo_exists(dirfd));
        CHECK(exec_fifo_release(dirfd, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "init process is gone");
        CHECK(exec_fifo_open_for_init(dirfd, &fifo, &err) == 0);
        /* A stand-in init: waits for the byte, then "execs" (closes the fifo). */
        pid_t init = fork();
        if (init == 0) {
                struct kago_err e = { 0 };
                _exit(exec_fifo_wait(fifo, &e) == 0 ? 0 : 1);
        }
        close(fifo);
        CHECK(exec_fifo_release(dirfd, &err) == 0);
        CHECK(!exec_fifo_exists(dirfd));
        int status = -1;
        waitpid(init, &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        close(dirfd);
        CHECK(store_remove(rootfd, "f", &err) == 0);
        close(rootfd);
        rmdir(root);
        *strrchr(root, '/') = '\0';
        rmdir(root);
}

UNIT_TEST(cgroup_recorded_and_asked_for)
{
        struct container_state st = { 0 };
        struct oci_linux_resources r = { 0 };
        struct oci_pids pids = { .limit = 10 };
        struct oci_linux l = { 0 };
        struct oci_spec spec = { 0 };

        CHECK(!container_has_cgroup(&st));
        st.cgroup_path = "";
        CHECK(!container_has_cgroup(&st));
        st.cgroup_path = "/kago/web";
        CHECK(container_has_cgroup(&st));
        CHECK(!container_cgroup_asks_limits(&spec, true)); /* no linux object */
        spec.linux_cfg = &l;
        CHECK(!container_cgroup_asks_limits(&spec, true)); /* no resources */
        l.resources = &r;
        CHECK(!container_cgroup_asks_limits(&spec, true));
        r.pids = &pids;
        CHECK(container_cgroup_asks_limits(&spec, false));
}

static bool check_ok(const struct restore_checks *r, const char *name)
{
        for (size_t i = 0; i < r->n; i++)
                if (strcmp(r->v[i].name, name) == 0)
                        return r->v[i].ok;
        return false;
}

/* What checkpoint writes, restore accepts in the same mode and no other;
 * a minor version and unknown fields are read, another major is not. */
UNIT_TEST(checkpoint_manifest_round_trip)
{
        char tmpl[] = "/tmp/kago-manifest-XXXXXX";
        char *dir = mkdtemp(tmpl);
        struct kago_err err = { 0 };
        struct restore_checks r;

        CHECK(dir != NULL);
        CHECK(checkpoint_manifest_write(dir, "container", "c\"1", "\"vm\":{\"vcpus\":2}", &err) ==
              0);
        restore_checks_run(dir, "container", false, &r);
        CHECK(r.n == 5);
        CHECK(restore_checks_verdict(&r, dir, &err) == 0);
        restore_checks_run(dir, "microvm", false, &r);
        CHECK(!check_ok(&r, "mode") && check_ok(&r, "format"));
        CHECK(restore_checks_verdict(&r, dir, &err) < 0 && strstr(err.msg, "mode: a container image"));

        _cleanup_free_ char *path = xasprintf("%s/kago-checkpoint.json", dir), *raw = NULL;
        CHECK(file_read_at(AT_FDCWD, path, 4096, &raw, NULL, &err) == 0);
        CHECK(strstr(raw, "\"id\":\"c\\\"1\"") != NULL);
        CHECK(strstr(raw, ",\"vm\":{\"vcpus\":2},\"id\"") != NULL); /* the mode's own members */
        char *v = strstr(raw, "\"1.0\"");
        CHECK(v != NULL);
        v[3] = '9'; /* 1.9 */
        CHECK(file_write_atomic_at(AT_FDCWD, path, raw, strlen(raw), 0600, &err) == 0);
        restore_checks_run(dir, "container", false, &r);
        CHECK(check_ok(&r, "format"));
        v[1] = '2'; /* 2.9 */
        CHECK(file_write_atomic_at(AT_FDCWD, path, raw, strlen(raw), 0600, &err) == 0);
        restore_checks_run(dir, "container", false, &r);
        CHECK(!check_ok(&r, "format"));
        unlink(path);
        restore_checks_run(dir, "container", false, &r);
        CHECK(r.n == 1 && check_ok(&r, "manifest"));
        rmdir(dir);
}

UNIT_MAIN("runtime_lifecycle", UNIT(ids_are_validated), UNIT(signals_by_name_and_number),
          UNIT(mount_options_split_into_flags_and_data), UNIT(state_round_trips_through_the_store),
          UNIT(liveness_needs_the_recorded_start_time), UNIT(signals_reach_only_the_containers_init),
          UNIT(exec_fifo_hands_over_one_byte), UNIT(cgroup_recorded_and_asked_for),
          UNIT(checkpoint_manifest_round_trip))
