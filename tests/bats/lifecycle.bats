#!/usr/bin/env bats
# Proves the container lifecycle on a busybox bundle: create leaves init
# waiting (created, pid-file written), start runs the workload, state follows
# the live process (stopped when init dies unannounced), delete removes state
# and cgroup, and list/ps show what runs.

load helpers
load container_helpers

@test "lifecycle: create, state, start, kill, delete" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        run kgd create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" c1
        [ "$status" -eq 0 ]
        pid=$(cat "$BATS_TEST_TMPDIR/pid")
        [ -d "/proc/$pid" ]
        run kg state c1
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r .status)" = created ]
        [ "$(echo "$output" | jq -r .pid)" = "$pid" ]
        [ "$(echo "$output" | jq -r .id)" = c1 ]
        [ "$(echo "$output" | jq -r .bundle)" = "$BATS_TEST_TMPDIR/b" ]
        [ "$(echo "$output" | jq -r .ociVersion)" = 1.3.0 ]
        [ "$(echo "$output" | jq -r .owner)" = root ]
        [ "$(echo "$output" | jq -r .rootfs)" = "$BUSYBOX_ROOTFS" ]
        [ "$(echo "$output" | jq -r .created)" != null ]
        # The workload has not run yet: init is kago itself, waiting.
        [ "$(cat /proc/$pid/comm)" != sleep ]
        run kg start c1
        [ "$status" -eq 0 ]
        [ "$(status_of c1)" = running ]
        # start returns once init is released; the exec follows at once.
        for i in $(seq 50); do [ "$(cat /proc/$pid/comm)" = sleep ] && break; sleep 0.1; done
        [ "$(cat /proc/$pid/comm)" = sleep ]
        # Where the host has a cgroup2 mount, init lives in the container's cgroup.
        cg=$(jq -r .cgroupPath "$ROOT/c1/state.json")
        if [ "$cg" != null ]; then
                grep -qx "$pid" /sys/fs/cgroup/unified"$cg"/cgroup.procs 2>/dev/null ||
                        grep -qx "$pid" /sys/fs/cgroup"$cg"/cgroup.procs
        fi
        run kg kill c1 KILL
        [ "$status" -eq 0 ]
        wait_status c1 stopped
        [ "$(kg state c1 | jq -r .pid)" = 0 ]
        run kg delete c1
        [ "$status" -eq 0 ]
        assert_gone c1
        run kg state c1
        [ "$status" -eq 1 ]
        [[ "$output" == *'container "c1" does not exist'* ]]
}

@test "lifecycle: start twice fails, a stopped container cannot start" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        kgd create --bundle "$BATS_TEST_TMPDIR/b" c2
        kg start c2
        wait_status c2 stopped
        run kg start c2
        [ "$status" -eq 1 ]
        [[ "$output" == *'container "c2" is stopped'* ]]
}

@test "lifecycle: a container whose init dies unannounced is stopped" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        kgd create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" c3
        kg start c3
        kill -9 "$(cat "$BATS_TEST_TMPDIR/pid")"
        wait_status c3 stopped
        run kg kill c3
        [ "$status" -eq 1 ]
        [[ "$output" == *"container not running"* ]]
        kg delete c3
        assert_gone c3
}

@test "lifecycle: state trusts the start time, not a reused pid" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        kgd create --bundle "$BATS_TEST_TMPDIR/b" c4
        kg start c4
        wait_status c4 stopped
        # Point the record at a live process with another start time (our shell).
        jq --argjson pid $$ '.pid = $pid' "$ROOT/c4/state.json" >"$ROOT/c4/s" && mv "$ROOT/c4/s" "$ROOT/c4/state.json"
        [ "$(status_of c4)" = stopped ]
        run kg kill c4 KILL
        [ "$status" -eq 1 ]
        [[ "$output" == *"container not running"* ]]
}

@test "lifecycle: delete refuses a running container without --force" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        kgd create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" c5
        kg start c5
        run kg delete c5
        [ "$status" -eq 1 ]
        [[ "$output" == *'container "c5" is running'* ]]
        [ "$(status_of c5)" = running ]
        run kg delete --force c5
        [ "$status" -eq 0 ]
        assert_gone c5
        assert_dead "$(cat "$BATS_TEST_TMPDIR/pid")"
}

@test "lifecycle: delete of a created container kills init without --force" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        kgd create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" c6
        kg delete c6
        assert_gone c6
        assert_dead "$(cat "$BATS_TEST_TMPDIR/pid")"
}

@test "lifecycle: every command on a missing id says it does not exist" {
        for cmd in start state delete "kill" ps; do
                run kg $cmd nosuch
                [ "$status" -eq 1 ]
                [[ "$output" == *'container "nosuch" does not exist'* ]]
        done
}

@test "lifecycle: list shows containers as a table, ids, and JSON" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        kgd create --bundle "$BATS_TEST_TMPDIR/b" la
        kgd create --bundle "$BATS_TEST_TMPDIR/b" lb
        kg start lb
        run kg list
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == ID*PID*STATUS*BUNDLE*CREATED*OWNER ]]
        [[ "${lines[1]}" == la*created*root ]]
        [[ "${lines[2]}" == lb*running* ]]
        run kg list -q
        [ "$output" = "$(printf 'la\nlb')" ]
        run kg list --format json
        [ "$(echo "$output" | jq -r '.[0].id + " " + .[0].status + " " + .[1].id + " " + .[1].status')" = "la created lb running" ]
        run kg list --format yaml
        [ "$status" -eq 1 ]
        [[ "$output" == *'unknown format "yaml"'* ]]
}

@test "lifecycle: ps lists the container's processes (table and JSON)" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'sleep 1000 & exec sleep 1001'
        kgd create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" p1
        kg start p1
        sleep 0.5
        run kg ps --format json p1
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq length)" -eq 2 ]
        echo "$output" | jq -e --argjson p "$(cat "$BATS_TEST_TMPDIR/pid")" 'index($p) != null'
        run kg ps p1
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == *PID* ]]
        [[ "$output" == *"sleep 1000"* ]]
        [[ "$output" == *"sleep 1001"* ]]
        [ "${#lines[@]}" -eq 3 ]
        run kg ps p1 -- -o pid,comm
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == *PID*COMMAND* ]]
        [ "${#lines[@]}" -eq 3 ]
}

@test "lifecycle: ids are validated" {
        for id in ../x a/b .hidden -x "" "$(printf 'a%.0s' {1..256})"; do
                run kg state "$id"
                [ "$status" -eq 1 ]
        done
        run kgd create --bundle /nonexistent ../x
        [ "$status" -eq 1 ]
        [[ "$output" == *'invalid container id "../x"'* ]]
        run kgd create --bundle /nonexistent 'a b'
        [[ "$output" == *"character ' ' not allowed"* ]]
        [ -z "$(ls "$ROOT")" ]
}

@test "lifecycle: create twice with one id fails and keeps the first" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        kgd create --bundle "$BATS_TEST_TMPDIR/b" d1
        run kgd create --bundle "$BATS_TEST_TMPDIR/b" d1
        [ "$status" -eq 1 ]
        [[ "$output" == *'container "d1" already exists'* ]]
        [ "$(status_of d1)" = created ]
}

@test "lifecycle: 20 containers created, started, killed, deleted in parallel leave nothing" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        one() {
                kgd create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/p$1" "par$1" &&
                        kg start "par$1" && kg kill "par$1" KILL &&
                        wait_status "par$1" stopped 60 && kg delete "par$1"
        }
        pids=()
        for i in $(seq 1 20); do
                one "$i" >"$BATS_TEST_TMPDIR/log$i" 2>&1 &
                pids+=($!)
        done
        fails=0
        for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
        cat "$BATS_TEST_TMPDIR"/log* >&2
        [ "$fails" -eq 0 ]
        [ -z "$(ls "$ROOT")" ]
        for i in $(seq 1 20); do
                assert_gone "par$i"
                assert_dead "$(cat "$BATS_TEST_TMPDIR/p$i")"
        done
        # No mount of the bundle left in our namespace.
        ! grep -q "$BUSYBOX_ROOTFS" /proc/self/mountinfo
}

@test "lifecycle: delete removes what an interrupted create left behind" {
        requires root
        mkdir "$ROOT/half"
        run kg delete half
        [ "$status" -eq 0 ]
        [[ "$output" == *"interrupted create"* ]]
        [ ! -e "$ROOT/half" ]
}

@test "lifecycle: concurrent commands on one id serialize (one start wins)" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        kgd create --bundle "$BATS_TEST_TMPDIR/b" one
        # (wait by pid: a bare wait would wait for bats' own timeout too)
        local pids=()
        for i in 1 2 3 4; do
                (rc=0; kg start one >"$BATS_TEST_TMPDIR/start$i" 2>&1 || rc=$?; echo $rc >>"$BATS_TEST_TMPDIR/start$i") &
                pids+=($!)
        done
        wait "${pids[@]}"
        [ "$(tail -qn1 "$BATS_TEST_TMPDIR"/start? | grep -c '^0$')" -eq 1 ]
        [ "$(tail -qn1 "$BATS_TEST_TMPDIR"/start? | grep -c '^1$')" -eq 3 ]
        [ "$(grep -l 'only a created container can be started' "$BATS_TEST_TMPDIR"/start? | wc -l)" -eq 3 ]
        [ "$(status_of one)" = running ]
        # Two deletes race: one removes, the other finds nothing, which for
        # --force is success (as runc).
        (rc=0; kg delete -f one 2>"$BATS_TEST_TMPDIR/d1.err" || rc=$?; echo $rc >"$BATS_TEST_TMPDIR/d1") &
        pids=($!)
        (rc=0; kg delete -f one 2>"$BATS_TEST_TMPDIR/d2.err" || rc=$?; echo $rc >"$BATS_TEST_TMPDIR/d2") &
        pids+=($!)
        wait "${pids[@]}"
        cat "$BATS_TEST_TMPDIR"/d?.err
        [ "$(cat "$BATS_TEST_TMPDIR/d1" "$BATS_TEST_TMPDIR/d2" | sort | tr '\n' ' ')" = "0 0 " ]
        assert_gone one
}
