/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves every document kago emits is valid against the runtime-spec
 * v1.3.0 JSON schemas (python3-jsonschema, tests/fixtures/schema/): the
 * re-emission of each fixture config, the default configs, a state of each
 * status in the schema, and the features document. */
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "specs_test.h"

static char scratch[] = "/tmp/kago-specs-schema-XXXXXX";

static char *write_doc(const char *name, const char *json)
{
        struct kago_err err = { 0 };
        char *path = xasprintf("%s/%s", scratch, name);

        if (file_write_atomic_at(AT_FDCWD, path, json, strlen(json), 0644, &err) < 0) {
                fprintf(stderr, "  %s\n", kago_err_text(&err));
                unit_failed_checks++;
        }
        return path;
}

/* Run validate.py KIND on every file in paths; true when all are valid.
 * Its report of each problem goes to stdout unless quiet. */
static bool schema_check(const char *kind, char **paths, size_t n, bool quiet)
{
        _cleanup_free_ char *script = specs_test_path("fixtures/schema/validate.py");
        char **argv = xcalloc(n + 4, sizeof *argv);

        argv[0] = "python3";
        argv[1] = script;
        argv[2] = (char *)kind;
        memcpy(argv + 3, paths, n * sizeof *paths);
        pid_t pid = fork();
        if (pid == 0) {
                if (quiet)
                        dup2(open("/dev/null", O_WRONLY), STDOUT_FILENO);
                execvp("python3", argv);
                _exit(127);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        free(argv);
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool schema_valid(const char *kind, char **paths, size_t n)
{
        return schema_check(kind, paths, n, false);
}

static void free_paths(char **paths, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                unlink(paths[i]);
                free(paths[i]);
        }
}

UNIT_TEST(emitted_configs_are_schema_valid)
{
        _cleanup_free_ char *dir = specs_test_path("fixtures/configs");
        char *paths[64];
        size_t n = 0;
        DIR *d = opendir(dir);

        for (struct dirent *e; d && (e = readdir(d)) && n < 60;) {
                if (e->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *rel = xasprintf("fixtures/configs/%s", e->d_name);
                size_t len = 0;
                _cleanup_free_ char *buf = read_fixture(rel, &len);
                struct oci_spec *s = NULL;
                struct kago_err err = { 0 };
                if (!buf || spec_parse(buf, len, e->d_name, &s, &err) < 0)
                        continue;
                _cleanup_free_ char *json = spec_emit(s);
                paths[n++] = write_doc(e->d_name, json);
                spec_free(s);
        }
        if (d)
                closedir(d);
        _cleanup_free_ char *def = spec_emit_default(false, 0, 0);
        _cleanup_free_ char *rootless = spec_emit_default(true, 1000, 1000);
        paths[n++] = write_doc("default.json", def);
        paths[n++] = write_doc("rootless.json", rootless);
        CHECK(n >= 15);
        CHECK(schema_valid("config", paths, n));
        free_paths(paths, n);
}

UNIT_TEST(state_and_features_are_schema_valid)
{
        static const char *const statuses[] = { "creating", "created", "running", "stopped" };
        struct oci_kv ann[] = { { "k", "v" } };
        char *paths[8];
        size_t n = 0;

        for (size_t i = 0; i < ARRAY_SIZE(statuses); i++) {
                struct oci_state st = { .oci_version = "1.3.0", .id = "c", .status = (char *)statuses[i],
                                        .pid = (int)i, .bundle = "/b", .annotations = ann,
                                        .annotations_len = 1, .rootfs = "/b/rootfs",
                                        .created = "2026-11-26T15:00:00Z", .owner = "root" };
                _cleanup_free_ char *json = state_emit(&st);
                _cleanup_free_ char *name = xasprintf("state-%s.json", statuses[i]);
                paths[n++] = write_doc(name, json);
        }
        CHECK(schema_valid("state", paths, n));
        free_paths(paths, n);
        _cleanup_free_ char *features = features_emit();
        paths[0] = write_doc("features.json", features);
        CHECK(schema_valid("features", paths, 1));
        free_paths(paths, 1);
}

UNIT_TEST(the_check_can_fail)
{
        char *path = write_doc("bad.json", "{\"ociVersion\": \"1.0.0\", \"process\": {\"args\": [\"sh\"]}}");

        CHECK(!schema_check("config", &path, 1, true));
        free_paths(&path, 1);
}

int main(void)
{
        static const struct unit_test tests[] = { UNIT(emitted_configs_are_schema_valid),
                                                  UNIT(state_and_features_are_schema_valid),
                                                  UNIT(the_check_can_fail) };
        if (!mkdtemp(scratch)) {
                perror("mkdtemp");
                return 1;
        }
        int rc = unit_run("specs_schema", tests, ARRAY_SIZE(tests));
        rmdir(scratch);
        return rc;
}
