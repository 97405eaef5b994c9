#!/usr/bin/env bats
# Proves kago run: the foreground run exits with the workload's status
# (128+N when killed by signal N), forwards signals to the container,
# deletes the container afterwards unless --keep; --detach returns once
# the container runs; the container sees its own namespaces.

load helpers
load container_helpers

@test "run: exits with the workload's status and removes the container" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'echo out; echo err >&2; exit 7'
        run kg run --bundle "$BATS_TEST_TMPDIR/b" r1
        [ "$status" -eq 7 ]
        [[ "$output" == *out* ]]
        [[ "$output" == *err* ]]
        assert_gone r1
}

@test "run: a workload killed by a signal gives 128+signal" {
        requires root
        # A child shell can die of SIGUSR1 (pid 1 ignores signals it has no handler for).
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'sh -c "kill -USR1 \$\$"; exit $?'
        run kg run --bundle "$BATS_TEST_TMPDIR/b" r2
        [ "$status" -eq $((128 + 10)) ]
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        "$KAGO" --root "$ROOT" run --bundle "$BATS_TEST_TMPDIR/b" r2b </dev/null >/dev/null 2>&1 &
        runpid=$!
        wait_status r2b running
        kg kill r2b KILL
        wait "$runpid" || rc=$?
        [ "${rc:-0}" -eq $((128 + 9)) ]
}

@test "run: signals to kago reach the container" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'trap "echo got-term; exit 3" TERM; echo ready; while :; do sleep 0.1; done'
        "$KAGO" --root "$ROOT" run --bundle "$BATS_TEST_TMPDIR/b" r3 >"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null &
        runpid=$!
        for i in $(seq 100); do grep -q ready "$BATS_TEST_TMPDIR/out" && break; sleep 0.1; done
        kill -TERM "$runpid"
        wait "$runpid" || rc=$?
        [ "${rc:-0}" -eq 3 ]
        grep -q got-term "$BATS_TEST_TMPDIR/out"
        assert_gone r3
}

@test "run: --keep leaves the stopped container for delete" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        run kg run --keep --bundle "$BATS_TEST_TMPDIR/b" r4
        [ "$status" -eq 0 ]
        [ "$(status_of r4)" = stopped ]
        kg delete r4
        assert_gone r4
}

@test "run: --detach returns with the container running" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        run kgd run -d --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" r5
        [ "$status" -eq 0 ]
        [ "$(status_of r5)" = running ]
        [ "$(cat /proc/"$(cat "$BATS_TEST_TMPDIR/pid")"/comm)" = sleep ]
}

@test "run: the container has its own pid, uts, ipc, mount and cgroup namespaces" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'echo pid=$$; hostname; for n in uts ipc mnt cgroup; do readlink /proc/self/ns/$n; done'
        run kg run --bundle "$BATS_TEST_TMPDIR/b" r6
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "pid=1" ]
        [ "${lines[1]}" = kago ]
        [ "${lines[2]}" != "$(readlink /proc/self/ns/uts)" ]
        [ "${lines[3]}" != "$(readlink /proc/self/ns/ipc)" ]
        [ "${lines[4]}" != "$(readlink /proc/self/ns/mnt)" ]
        [ "${lines[5]}" != "$(readlink /proc/self/ns/cgroup)" ]
}

@test "run: --help and bad flags" {
        run kg run --help
        [ "$status" -eq 0 ]
        [[ "$output" == *"--detach"* ]]
        [[ "$output" == *"--console-socket"* ]]
        run kg run --frob x
        [ "$status" -eq 1 ]
        [[ "$output" == *"unknown flag: --frob"* ]]
        run kg create --detach x
        [ "$status" -eq 1 ]
        [[ "$output" == *"unknown flag: --detach"* ]]
        run kg run
        [ "$status" -eq 1 ]
        [[ "$output" == *"missing container id"* ]]
}

@test "run: in the foreground with process.terminal, kago proxies the pty and its size" {
        requires root
        command -v script >/dev/null || skip "needs script(1) from util-linux for a terminal"
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'tty; stty size; exit 5'
        config "$BATS_TEST_TMPDIR/b" '.process.terminal = true'
        run script -qec "stty cols 77 rows 22; $KAGO --root $ROOT run --bundle $BATS_TEST_TMPDIR/b t1; echo rc=\$?" /dev/null
        echo "$output" >&2
        [[ "$output" == *"/dev/pts/"* ]]
        [[ "$output" == *"22 77"* ]]
        [[ "$output" == *"rc=5"* ]]
        assert_gone t1
}

@test "run: process.terminal with no terminal on stdin fails at once and says how to fix it" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'echo started; sleep 1000'
        config "$BATS_TEST_TMPDIR/b" '.process.terminal = true'
        # Not a terminal: /dev/null, as from a script; runc fails here too.
        run timeout 20 "$KAGO" --root "$ROOT" run --bundle "$BATS_TEST_TMPDIR/b" t2 </dev/null
        echo "$output" >&2
        [ "$status" -eq 1 ]
        [[ "$output" == *"process.terminal is true but stdin is not a terminal"* ]]
        [[ "$output" == *"--console-socket"* ]]
        [[ "$output" == *"process.terminal to false"* ]]
        [[ "$output" != *started* ]]
        assert_gone t2
        # The same config still runs without a terminal once process.terminal is false.
        config "$BATS_TEST_TMPDIR/b" '.process.terminal = false | .process.args = ["sh", "-c", "echo started"]'
        run timeout 20 "$KAGO" --root "$ROOT" run --bundle "$BATS_TEST_TMPDIR/b" t2 </dev/null
        [ "$status" -eq 0 ]
        [[ "$output" == *started* ]]
}
