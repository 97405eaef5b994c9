#!/usr/bin/env bats
# Proves that a linux.seccomp profile under which no process could start or
# end is refused with a message naming linux.seccomp, before anything runs,
# instead of killing init with a fault (exit 139, no word): a deny-everything
# profile, one that denies execve only (by errno and by killing), one that
# denies only the exits; and that `kago create` of such a container leaves
# nothing behind, while a profile that denies other calls still runs.

load helpers
load container_helpers

deny_all='{defaultAction: "SCMP_ACT_ERRNO", syscalls: []}'

run_b() {
        run kg run --bundle "$BATS_TEST_TMPDIR/b" "$1" </dev/null
}

@test "seccomp errors: a deny-everything profile is refused with a message, not a crash" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        config "$BATS_TEST_TMPDIR/b" ".linux.seccomp = $deny_all"
        run_b s1
        echo "$output"
        [ "$status" -ne 0 ]
        [ "$status" -ne 139 ]
        [[ "$output" == *"linux.seccomp denies execve"* ]]
        [[ "$output" == *"could not start"* ]]
        assert_gone s1
}

@test "seccomp errors: deny-everything with noNewPrivileges false, and with defaultErrnoRet" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        config "$BATS_TEST_TMPDIR/b" ".process.noNewPrivileges = false | .linux.seccomp = $deny_all"
        run_b s2
        [ "$status" -ne 0 ] && [ "$status" -ne 139 ]
        [[ "$output" == *"linux.seccomp denies execve"* ]]
        config "$BATS_TEST_TMPDIR/b" '.linux.seccomp.defaultErrnoRet = 13'
        run_b s3
        [ "$status" -ne 0 ] && [ "$status" -ne 139 ]
        [[ "$output" == *"linux.seccomp denies execve"* ]]
}

@test "seccomp errors: execve denied alone, by errno or by killing, is named" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        config "$BATS_TEST_TMPDIR/b" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
                syscalls: [{names: ["execve", "execveat"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}'
        run_b s4
        [ "$status" -ne 0 ]
        [[ "$output" == *"linux.seccomp denies execve (it fails with Operation not permitted)"* ]]
        config "$BATS_TEST_TMPDIR/b" '.linux.seccomp.syscalls[0].action = "SCMP_ACT_KILL_PROCESS"'
        run_b s5
        [ "$status" -ne 0 ] && [ "$status" -ne 159 ]
        [[ "$output" == *"linux.seccomp denies execve (the filter kills the caller)"* ]]
}

@test "seccomp errors: a profile that denies exit_group and exit is named" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        config "$BATS_TEST_TMPDIR/b" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
                syscalls: [{names: ["exit_group", "exit"], action: "SCMP_ACT_ERRNO"}]}'
        run_b s6
        [ "$status" -ne 0 ] && [ "$status" -ne 139 ]
        [[ "$output" == *"linux.seccomp denies exit_group and exit"* ]]
}

@test "seccomp errors: create refuses it too and leaves nothing; other denials still run" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        config "$BATS_TEST_TMPDIR/b" ".linux.seccomp = $deny_all"
        run kgd create --bundle "$BATS_TEST_TMPDIR/b" s7
        [ "$status" -ne 0 ]
        [[ "$output" == *"linux.seccomp denies execve"* ]]
        assert_gone s7
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'mkdir /tmp/x || echo denied'
        config "$BATS_TEST_TMPDIR/b" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
                syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO"}]}'
        run_b s8
        [ "$status" -eq 0 ]
        [[ "$output" == *denied* ]]
}
