/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves the process object, in config.json and standalone (exec --process):
 * every field read, and type, range and consistency errors. */
#include "specs_test.h"

UNIT_TEST(full_process_fixture)
{
        size_t len = 0;
        _cleanup_free_ char *buf = read_fixture("fixtures/configs/process-full.json", &len);
        struct kago_err err = { 0 };
        struct oci_spec *s = NULL;

        CHECK(buf && spec_parse(buf, len, "config.json", &s, &err) == 0);
        if (!s || !s->process)
                return;
        const struct oci_process *p = s->process;
        CHECK(p->terminal && p->console_size && p->console_size->height == 25 && p->console_size->width == 80);
        CHECK(p->user.uid == 1000 && p->user.gid == 1000 && p->user.umask.set && p->user.umask.value == 23);
        CHECK(p->user.additional_gids_len == 3 && p->user.additional_gids[2] == 1001);
        CHECK(p->args_len == 2 && p->args[2] == NULL);
        CHECK_STR(p->args[0], "/usr/bin/top");
        CHECK(p->env_len == 3 && p->env[3] == NULL);
        CHECK_STR(p->cwd, "/home/user");
        CHECK(p->capabilities && p->capabilities->bounding_len == 2 && p->capabilities->ambient_len == 1);
        CHECK(p->capabilities->inheritable && p->capabilities->inheritable_len == 0);
        CHECK(p->rlimits_len == 3 && p->rlimits[1].hard == UINT64_MAX && p->rlimits[1].soft == 0);
        CHECK_STR(p->rlimits[1].type, "RLIMIT_CORE");
        CHECK(p->no_new_privileges);
        CHECK_STR(p->apparmor_profile, "kago-default");
        CHECK(p->oom_score_adj.set && p->oom_score_adj.value == 500);
        CHECK_STR(p->selinux_label, "system_u:system_r:container_t:s0:c1,c2");
        CHECK(p->io_priority && p->io_priority->class == OCI_IOPRIO_CLASS_BE && p->io_priority->priority.value == 4);
        CHECK(p->scheduler && p->scheduler->flags_len == 1 && p->scheduler->deadline.value == 30000000);
        CHECK_STR(p->scheduler->policy, "SCHED_DEADLINE");
        CHECK(p->exec_cpu_affinity);
        CHECK_STR(p->exec_cpu_affinity->final, "0-3,7");
        spec_free(s);
}

UNIT_TEST(absent_optional_fields_are_unset)
{
        struct oci_spec *s = parse_ok(PROCESS(""));

        CHECK(s && s->process);
        if (s && s->process) {
                const struct oci_process *p = s->process;
                CHECK(!p->terminal && !p->console_size && !p->capabilities && !p->rlimits);
                CHECK(!p->oom_score_adj.set && !p->user.umask.set && p->user.uid == 0);
                CHECK(p->env == NULL && p->env_len == 0);
        }
        spec_free(s);
        s = parse_ok(PROCESS(", \"oomScoreAdj\": 0, \"user\": {\"umask\": 0}"));
        CHECK(s && s->process->oom_score_adj.set && s->process->oom_score_adj.value == 0);
        CHECK(s && s->process->user.umask.set && s->process->user.umask.value == 0);
        spec_free(s);
}

UNIT_TEST(args_and_cwd_are_required)
{
        CHECK_PARSE_ERROR(CONFIG("\"process\": {\"cwd\": \"/\"}"),
                          "config.json: process.args: required when process is present");
        CHECK_PARSE_ERROR(CONFIG("\"process\": {\"cwd\": \"/\", \"args\": []}"),
                          "config.json: process.args: must have at least one element");
        CHECK_PARSE_ERROR(CONFIG("\"process\": {\"args\": [\"sh\"]}"),
                          "config.json: process.cwd: required when process is present");
        CHECK_PARSE_ERROR(CONFIG("\"process\": {\"args\": [\"sh\"], \"cwd\": \"tmp\"}"),
                          "config.json: process.cwd: \"tmp\" is not an absolute path");
        CHECK_PARSE_ERROR(CONFIG("\"process\": {\"args\": \"sh -c true\", \"cwd\": \"/\"}"),
                          "config.json: process.args: expected array, got string \"sh -c true\"");
}

UNIT_TEST(user_ids_are_range_checked)
{
        CHECK_PARSE_ERROR(PROCESS(", \"user\": {\"uid\": 1099511627776}"),
                          "config.json: process.user.uid: 1099511627776 is out of range (0 to 4294967295)");
        CHECK_PARSE_ERROR(PROCESS(", \"user\": {\"gid\": -1}"),
                          "config.json: process.user.gid: -1 is out of range (0 to 4294967295)");
        CHECK_PARSE_ERROR(PROCESS(", \"user\": {\"uid\": 1.5}"),
                          "config.json: process.user.uid: expected integer, got number 1.5");
        CHECK_PARSE_ERROR(PROCESS(", \"user\": {\"uid\": 1e3}"),
                          "config.json: process.user.uid: expected integer, got number 1e3");
        CHECK_PARSE_ERROR(PROCESS(", \"user\": {\"umask\": 512}"),
                          "config.json: process.user.umask: 512 is out of range (0 to 511)");
        CHECK_PARSE_ERROR(PROCESS(", \"user\": {\"additionalGids\": [1, \"2\"]}"),
                          "config.json: process.user.additionalGids[1]: expected integer, got string \"2\"");
        struct oci_spec *s = parse_ok(PROCESS(", \"user\": {\"uid\": 4294967295, \"gid\": -0}"));
        CHECK(s && s->process->user.uid == 4294967295U && s->process->user.gid == 0);
        spec_free(s);
}

UNIT_TEST(capabilities_rlimits_and_scheduling_errors)
{
        CHECK_PARSE_ERROR(PROCESS(", \"capabilities\": {\"effective\": [\"CAP_KILL\", \"KILL\"]}"),
                          "config.json: process.capabilities.effective[1]: \"KILL\" is not a CAP_* name");
        CHECK_PARSE_ERROR(PROCESS(", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1}]"),
                          "config.json: process.rlimits[0].hard: required");
        CHECK_PARSE_ERROR(PROCESS(", \"rlimits\": [{\"type\": \"NOFILE\", \"soft\": 1, \"hard\": 1}]"),
                          "config.json: process.rlimits[0].type: \"NOFILE\" is not a RLIMIT_* name");
        CHECK_PARSE_ERROR(PROCESS(", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 2, \"hard\": 1}]"),
                          "config.json: process.rlimits[0]: soft limit 2 is above the hard limit 1");
        CHECK_PARSE_ERROR(PROCESS(", \"rlimits\": [{\"type\": \"RLIMIT_NPROC\", \"soft\": 1, \"hard\": 1},"
                                  "{\"type\": \"RLIMIT_NPROC\", \"soft\": 1, \"hard\": 1}]"),
                          "config.json: process.rlimits: duplicate rlimit RLIMIT_NPROC");
        CHECK_PARSE_ERROR(PROCESS(", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 18446744073709551616}]"),
                          "config.json: process.rlimits[0].hard: 18446744073709551616 is out of range (0 to 18446744073709551615)");
        CHECK_PARSE_ERROR(PROCESS(", \"oomScoreAdj\": 1001"),
                          "config.json: process.oomScoreAdj: 1001 is out of range (-1000 to 1000)");
        CHECK_PARSE_ERROR(PROCESS(", \"ioPriority\": {\"class\": \"IOPRIO_CLASS_NONE\"}"),
                          "config.json: process.ioPriority.class: unknown value \"IOPRIO_CLASS_NONE\" "
                          "(expected one of: IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE)");
        CHECK_PARSE_ERROR(PROCESS(", \"ioPriority\": {\"priority\": 1}"),
                          "config.json: process.ioPriority.class: required when process.ioPriority is present");
        CHECK_PARSE_ERROR(PROCESS(", \"scheduler\": {\"policy\": \"SCHED_FIFO\", \"flags\": [\"SCHED_FLAG_X\"]}"),
                          "config.json: process.scheduler.flags[0]: unknown value \"SCHED_FLAG_X\" (expected one of: "
                          "SCHED_FLAG_RESET_ON_FORK, SCHED_FLAG_RECLAIM, SCHED_FLAG_DL_OVERRUN, SCHED_FLAG_KEEP_POLICY, "
                          "SCHED_FLAG_KEEP_PARAMS, SCHED_FLAG_UTIL_CLAMP_MIN, SCHED_FLAG_UTIL_CLAMP_MAX)");
        CHECK_PARSE_ERROR(PROCESS(", \"consoleSize\": {\"height\": 25}"),
                          "config.json: process.consoleSize.width: required when process.consoleSize is present");
        CHECK_PARSE_ERROR(PROCESS(", \"execCPUAffinity\": {\"initial\": \"0-3;4\"}"),
                          "config.json: process.execCPUAffinity.initial: \"0-3;4\" is not a CPU list such as \"0-3,7\"");
        CHECK_PARSE_ERROR(PROCESS(", \"terminal\": 1"),
                          "config.json: process.terminal: expected boolean, got integer 1");
}

UNIT_TEST(standalone_process_document)
{
        static const char doc[] = "{\"args\": [\"/bin/ls\", \"-l\"], \"cwd\": \"/tmp\", \"env\": [\"A=1\"],"
                                  " \"user\": {\"uid\": 5}, \"terminal\": true}";
        struct kago_err err = { 0 };
        struct oci_process *p = NULL;

        CHECK(spec_parse_process(doc, strlen(doc), "process.json", &p, &err) == 0);
        CHECK(p && p->args_len == 2 && p->user.uid == 5 && p->terminal);
        char *json = p ? spec_process_emit(p) : NULL;
        struct oci_process *q = NULL;
        CHECK(json && spec_parse_process(json, strlen(json), "emitted", &q, &err) == 0);
        CHECK(p && q && spec_process_equal(p, q));
        free(json);
        spec_process_free(p);
        spec_process_free(q);
        p = NULL;
        CHECK(spec_parse_process("{\"cwd\": \"/\"}", 12, "process.json", &p, &err) < 0 && !p);
        CHECK_STR(kago_err_text(&err), "process.json: args: required");
        CHECK(spec_parse_process("[1]", 3, "/tmp/p.json", &p, &err) < 0);
        CHECK_STR(kago_err_text(&err), "/tmp/p.json: (top level): expected object, got array");
}

UNIT_MAIN("specs_process", UNIT(full_process_fixture), UNIT(absent_optional_fields_are_unset),
          UNIT(args_and_cwd_are_required), UNIT(user_ids_are_range_checked),
          UNIT(capabilities_rlimits_and_scheduling_errors), UNIT(standalone_process_document))
