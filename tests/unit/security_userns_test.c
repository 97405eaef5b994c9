/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proves runtime/rootfs/userns.c on the real kernel: multi-range uid/gid maps land
 * in the namespace as written; a writer without CAP_SETGID gets setgroups
 * denied so its gid map is accepted; a bad map is an error naming the file;
 * an idmapped bind mount shows files owned by on-disk uid 0 as the mapped
 * host uid, and the idmap option errors name the mount; process.user's ids
 * must lie in the container's maps; an unprivileged caller's default state
 * root is under $XDG_RUNTIME_DIR.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../../runtime/rootfs/rootfs.h"
#include "../../runtime/process/process.h"
#include "unit.h"

/* Read file (in the user namespace nsfd, from a child) into out. */
static int read_in_userns(int nsfd, const char *file, char *out, size_t cap)
{
        int pfd[2], st = 0;

        if (pipe(pfd) < 0)
                return -1;
        pid_t pid = fork();
        if (pid == 0) {
                char *buf = NULL;
                size_t len;
                struct kago_err err = { 0 };
                if (setns(nsfd, CLONE_NEWUSER) < 0)
                        _exit(1);
                if (file_read_at(AT_FDCWD, file, 4096, &buf, &len, &err) < 0)
                        _exit(2);
                fd_write_all(pfd[1], buf, len);
                _exit(0);
        }
        close(pfd[1]);
        memset(out, 0, cap);
        fd_read_all(pfd[0], out, cap - 1);
        close(pfd[0]);
        waitpid(pid, &st, 0);
        return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

UNIT_TEST(format_map_has_one_line_per_range)
{
        struct oci_id_mapping m[] = { { 0, 100000, 1000 }, { 1000, 1000, 1 }, { 1001, 101001, 64535 } };
        _cleanup_free_ char *s = userns_format_map(m, 3);

        CHECK_STR(s, "0 100000 1000\n1000 1000 1\n1001 101001 64535\n");
}

UNIT_TEST(multi_range_maps_are_written)
{
        struct oci_id_mapping u[] = { { 0, 100000, 1000 }, { 1000, 5000, 1 } };
        struct oci_id_mapping g[] = { { 0, 200000, 65536 } };
        struct kago_err err = { 0 };
        char out[512];
        int nsfd = -1;

        CHECK(userns_open_mapped(u, 2, g, 1, &nsfd, &err) == 0);
        if (nsfd < 0) {
                fprintf(stderr, "  %s\n", kago_err_text(&err));
                return;
        }
        CHECK(read_in_userns(nsfd, "/proc/self/uid_map", out, sizeof out) == 0);
        CHECK_CONTAINS(out, "0     100000       1000");
        CHECK_CONTAINS(out, "1000       5000          1");
        CHECK(read_in_userns(nsfd, "/proc/self/gid_map", out, sizeof out) == 0);
        CHECK_CONTAINS(out, "0     200000      65536");
        CHECK(read_in_userns(nsfd, "/proc/self/setgroups", out, sizeof out) == 0);
        CHECK_CONTAINS(out, "allow"); /* root with CAP_SETGID leaves setgroups alone */
        close(nsfd);
}

UNIT_TEST(without_cap_setgid_setgroups_is_denied)
{
        pid_t pid = fork();
        int st = 0;

        if (pid == 0) {
                struct oci_id_mapping u[] = { { 0, 0, 1 } };
                struct oci_id_mapping g[] = { { 0, (uint32_t)getegid(), 1 } };
                struct kago_err err = { 0 };
                char out[64];
                int nsfd = -1;
                cap_t c = cap_get_proc();
                cap_value_t v = CAP_SETGID;
                cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_CLEAR);
                if (cap_set_proc(c) < 0)
                        _exit(10);
                cap_free(c);
                if (userns_open_mapped(u, 1, g, 1, &nsfd, &err) < 0) {
                        fprintf(stderr, "  %s\n", kago_err_text(&err));
                        _exit(11);
                }
                if (read_in_userns(nsfd, "/proc/self/setgroups", out, sizeof out) < 0)
                        _exit(12);
                _exit(strstr(out, "deny") ? 0 : 13);
        }
        waitpid(pid, &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

UNIT_TEST(bad_maps_are_errors_naming_the_file)
{
        struct oci_id_mapping overlap[] = { { 0, 100000, 10 }, { 5, 200000, 10 } };
        struct oci_id_mapping g[] = { { 0, 100000, 10 } };
        struct oci_id_mapping empty[] = { { 0, 100000, 0 } };
        struct kago_err err = { 0 };
        int nsfd = -1;

        CHECK(userns_open_mapped(overlap, 2, g, 1, &nsfd, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "linux.uidMappings: write /proc/");
        CHECK_CONTAINS(kago_err_text(&err), "/uid_map \"0 100000 10\"");
        CHECK_CONTAINS(kago_err_text(&err), "Invalid argument");
        CHECK(nsfd < 0);
        CHECK(userns_open_mapped(empty, 1, g, 1, &nsfd, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "linux.uidMappings[0].size: must be at least 1");
}

UNIT_TEST(idmap_options_are_recognised_and_checked)
{
        char *idmap[] = { "idmap", "rbind", NULL };
        char *ridmap[] = { "ridmap", NULL };
        char *plain[] = { "rbind", NULL };
        struct oci_mount m = { .destination = "/data", .source = "/tmp", .type = "bind",
                               .options = idmap, .options_len = 2 };
        struct oci_linux l = { 0 };
        struct kago_err err = { 0 };
        bool rec = false;
        int fd;

        CHECK(userns_mount_is_idmapped(&m, &rec) && rec);
        m.options = ridmap;
        m.options_len = 1;
        CHECK(userns_mount_is_idmapped(&m, &rec) && rec);
        m.options = plain;
        CHECK(!userns_mount_is_idmapped(&m, &rec));
        m.options = idmap;
        m.options_len = 2;
        CHECK(userns_open_idmapped_tree(&m, &l, &fd, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "mount /data: idmap without mappings uses the "
                                            "container's user namespace");
        m.type = "tmpfs";
        m.options = ridmap;
        m.options_len = 1;
        CHECK(userns_open_idmapped_tree(&m, &l, &fd, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "mount /data: idmapped mounts must be bind mounts");
}

/* In a private mount namespace: bind dir idmapped (0 -> 100000) onto target. */
static int idmap_child(const char *src, const char *dst, const struct oci_linux *l)
{
        struct kago_err err = { 0 };
        char *opts[] = { "idmap", NULL };
        struct oci_mount m = { .destination = "/t", .source = (char *)src, .type = "bind",
                               .options = opts, .options_len = 1 };
        struct stat st;
        int tree = -1;

        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return 10;
        if (userns_open_idmapped_tree(&m, l, &tree, &err) < 0) {
                fprintf(stderr, "  %s\n", kago_err_text(&err));
                return 11;
        }
        int target = open(dst, O_PATH | O_CLOEXEC);
        if (mount_attach_tree(tree, target, &err) < 0) {
                fprintf(stderr, "  %s\n", kago_err_text(&err));
                return 12;
        }
        _cleanup_free_ char *f = xasprintf("%s/file", dst);
        if (stat(f, &st) < 0)
                return 13;
        return st.st_uid == 100000 && st.st_gid == 100000 ? 0 : 14;
}

UNIT_TEST(idmapped_bind_shows_mapped_owner)
{
        char dir[] = "/tmp/kago-unit-XXXXXX";
        struct oci_id_mapping map[] = { { 0, 100000, 65536 } };
        struct oci_linux l = { .uid_mappings = map, .uid_mappings_len = 1, .gid_mappings = map,
                               .gid_mappings_len = 1 };
        int st = 0;

        CHECK(mkdtemp(dir) != NULL);
        _cleanup_free_ char *src = xasprintf("%s/src", dir), *dst = xasprintf("%s/dst", dir),
                            *file = xasprintf("%s/src/file", dir);
        CHECK(mkdir(src, 0755) == 0 && mkdir(dst, 0755) == 0);
        close(open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        pid_t pid = fork();
        if (pid == 0)
                _exit(idmap_child(src, dst, &l));
        waitpid(pid, &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        unlink(file);
        rmdir(src);
        rmdir(dst);
        rmdir(dir);
}

UNIT_TEST(process_user_must_be_in_the_maps)
{
        struct oci_id_mapping u[] = { { 0, 100000, 1000 } }, g[] = { { 0, 100000, 10 } };
        struct oci_namespace ns[] = { { .type = OCI_NS_USER } };
        struct oci_linux l = { .namespaces = ns, .namespaces_len = 1, .uid_mappings = u,
                               .uid_mappings_len = 1, .gid_mappings = g, .gid_mappings_len = 1 };
        uint32_t gids[] = { 3, 10 };
        struct oci_process p = { .user = { .uid = 999, .gid = 9 } };
        struct oci_spec spec = { .process = &p, .linux_cfg = &l };
        struct kago_err err = { 0 };

        CHECK(rootless_check_user(&spec, &err) == 0);
        p.user.uid = 1000;
        CHECK(rootless_check_user(&spec, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "process.user.uid: 1000 is not in linux.uidMappings");
        p.user.uid = 0;
        p.user.additional_gids = gids;
        p.user.additional_gids_len = 2;
        CHECK(rootless_check_user(&spec, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err),
                       "process.user.additionalGids[1]: 10 is not in linux.gidMappings");
        /* Without a user namespace of its own, the host's ids: nothing to check. */
        l.namespaces_len = 0;
        CHECK(rootless_check_user(&spec, &err) == 0);
}

UNIT_TEST(default_root_follows_xdg_runtime_dir_when_unprivileged)
{
        int st = 0;

        setenv("XDG_RUNTIME_DIR", "/run/user/4242", 1);
        _cleanup_free_ char *as_root = rootless_default_root();
        CHECK_STR(as_root, geteuid() == 0 ? KAGO_DEFAULT_ROOT : "/run/user/4242/kago");
        pid_t pid = fork();
        if (pid == 0) {
                if (setresuid(65534, 65534, 65534) < 0 && geteuid() == 0)
                        _exit(10);
                char *r = rootless_default_root();
                _exit(strcmp(r, "/run/user/4242/kago") == 0 && rootless_active() ? 0 : 11);
        }
        waitpid(pid, &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        unsetenv("XDG_RUNTIME_DIR");
}

UNIT_MAIN("security_userns", UNIT(format_map_has_one_line_per_range),
          UNIT(multi_range_maps_are_written), UNIT(without_cap_setgid_setgroups_is_denied),
          UNIT(bad_maps_are_errors_naming_the_file), UNIT(idmap_options_are_recognised_and_checked),
          UNIT(idmapped_bind_shows_mapped_owner), UNIT(process_user_must_be_in_the_maps),
          UNIT(default_root_follows_xdg_runtime_dir_when_unprivileged))
