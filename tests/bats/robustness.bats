#!/usr/bin/env bats
# Proves that kago leaves nothing behind and never signals a stranger:
# - `create` and `run` SIGKILLed at random points, then `delete --force`,
#   leave no process, no cgroup directory in any hierarchy, no mount and no
#   state (a create killed mid-way records its cgroup and init's pid first,
#   and its init dies with it until the state is committed);
# - a container whose state.json is missing or corrupt is reported by `list`
#   and removed by `delete --force` with everything it ran (plain `delete`
#   refuses while its cgroup still holds processes);
# - a state file naming the host's pid 1, an ancestor of kago, or a process
#   outside the container's cgroup makes kill and delete refuse before
#   anything is signalled;
# - `delete --force` of a container that does not exist succeeds (as runc),
#   and `kill ID 0` probes liveness.

load helpers
load container_helpers

setup() {
        ROOT="$BATS_TEST_TMPDIR/root"
        mkdir -p "$ROOT"
        # Ids (and the workload's argument) unique to this test run, so the
        # checks below see only what this file made.
        PFX="rb$$t${BATS_TEST_NUMBER}x"
        MARK="$$${BATS_TEST_NUMBER}7"
}

teardown() {
        # What a failing test may leave waiting: the hook's loop, our stranger.
        touch "$BATS_TEST_TMPDIR/go"
        [ -z "${STRANGER:-}" ] || kill "$STRANGER" 2>/dev/null || true
        local id
        for id in $(kg list -q 2>/dev/null); do
                kg delete --force "$id" >/dev/null 2>&1 || true
        done
}

# Non-zombie processes in a cgroup named PFX* or running the workload MARK.
leftover_procs() {
        local p state
        for p in $(grep -l "/kago/$PFX" /proc/[0-9]*/cgroup 2>/dev/null | cut -d/ -f3) \
                $(pgrep -f "^sleep $MARK\$"); do
                state=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) || continue
                [ -n "$state" ] && [ "$state" != Z ] || continue
                echo "$p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
        done
}

# Nothing of any container named PFX*: process, cgroup (any hierarchy),
# mount of the rootfs in any namespace, state directory.
assert_nothing_left() {
        local procs cgs
        procs=$(leftover_procs)
        [ -z "$procs" ] || { echo "processes left: $procs" >&2; return 1; }
        cgs=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "$PFX*" 2>/dev/null)
        [ -z "$cgs" ] || { echo "cgroups left: $cgs" >&2; return 1; }
        # The rootfs is this file's own: mounted nowhere, in no namespace.
        ! grep -qs "$BUSYBOX_ROOTFS" /proc/[0-9]*/mountinfo || { echo "mount left" >&2; return 1; }
        [ -z "$(ls "$ROOT")" ] || { echo "state left: $(ls "$ROOT")" >&2; return 1; }
}

# Milliseconds one `kago CMD` takes here until the container runs (or is
# created), the quickest of three: the state is made at about a third of
# that and committed at about two thirds; the kills below land from 10% to
# 100% of it.
calibrate() {
        local cmd=$1 t0 t best=600 i
        for i in 1 2 3; do
                t0=$(date +%s%N)
                if [ "$cmd" = run ]; then
                        "$KAGO" --root "$ROOT" run --detach --bundle "$BATS_TEST_TMPDIR/b" "${PFX}cal" </dev/null >/dev/null 2>&1 3>&-
                else
                        "$KAGO" --root "$ROOT" create --bundle "$BATS_TEST_TMPDIR/b" "${PFX}cal" </dev/null >/dev/null 2>&1 3>&-
                fi
                t=$((($(date +%s%N) - t0) / 1000000))
                kg delete --force "${PFX}cal"
                [ "$t" -ge "$best" ] || best=$t
        done
        echo $((best < 20 ? 20 : best))
}

# N times: start `kago CMD`, SIGKILL it after a random delay, delete --force.
kill_at_random() {
        local cmd=$1 n=$2 span lo i id pid r mid=0
        bundle "$BATS_TEST_TMPDIR/b" sleep "$MARK"
        span=$(calibrate "$cmd")
        lo=$((span / 10))
        span=$((span * 9 / 10))
        for ((i = 0; i < n; i++)); do
                id="$PFX$i"
                # A simple command: $! is kago itself, not a subshell.
                "$KAGO" --root "$ROOT" "$cmd" --bundle "$BATS_TEST_TMPDIR/b" "$id" </dev/null >/dev/null 2>&1 3>&- &
                pid=$!
                r=$((lo + RANDOM % span))
                sleep "$(printf '%d.%03d' $((r / 1000)) $((r % 1000)))"
                kill -9 "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
                [ "$(jq -r .creating "$ROOT/$id/state.json" 2>/dev/null)" != true ] || mid=$((mid + 1))
                run kg delete --force "$id"
                [ "$status" -eq 0 ] || { echo "delete --force $id: $output" >&2; return 1; }
        done
        echo "# $cmd: $mid of $n kills landed before the state was committed" >&3
        assert_nothing_left
}

# Fewer rounds in the test VM, where each takes 20 times as long.
@test "robustness: create SIGKILLed at random points, then delete --force, leaves nothing" {
        requires root
        kill_at_random create "$(in_test_vm && echo 10 || echo 30)"
}

@test "robustness: run SIGKILLed at random points, then delete --force, leaves nothing" {
        requires root
        kill_at_random run "$(in_test_vm && echo 6 || echo 20)"
}

@test "robustness: a create killed in its hooks left its cgroup and pid recorded; init died with it" {
        requires root
        local b="$BATS_TEST_TMPDIR/b" go="$BATS_TEST_TMPDIR/go" pid cpid
        bundle "$b" sleep "$MARK"
        config "$b" ".hooks.createRuntime = [{path: \"/bin/sh\", args: [\"sh\", \"-c\",
                \"while [ ! -e $go ]; do sleep 0.05; done\"]}]"
        "$KAGO" --root "$ROOT" create --bundle "$b" "${PFX}h" </dev/null >/dev/null 2>&1 3>&- &
        cpid=$!
        for i in $(seq 100); do
                [ "$(jq -r .pid "$ROOT/${PFX}h/state.json" 2>/dev/null)" -gt 0 ] 2>/dev/null && break
                sleep 0.1
        done
        [ "$(status_of "${PFX}h")" = creating ]
        [ "$(jq -r .creating "$ROOT/${PFX}h/state.json")" = true ]
        pid=$(jq -r .pid "$ROOT/${PFX}h/state.json")
        [ "$pid" -gt 0 ]
        [ "$(jq -r .cgroupPath "$ROOT/${PFX}h/state.json")" != null ] || [ ! -d /sys/fs/cgroup/unified ]
        kill -9 "$cpid"
        wait "$cpid" || true
        touch "$go"
        for i in $(seq 50); do assert_dead "$pid" 2>/dev/null && break; sleep 0.1; done
        assert_dead "$pid"
        run kg delete "${PFX}h"
        [ "$status" -eq 0 ]
        assert_nothing_left
}

@test "robustness: a missing state.json is reported, refused by delete, cleaned by delete --force" {
        requires root
        local pid
        bundle "$BATS_TEST_TMPDIR/b" sleep "$MARK"
        kgd run --detach --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" "${PFX}m"
        pid=$(cat "$BATS_TEST_TMPDIR/pid")
        rm "$ROOT/${PFX}m/state.json"
        run kg list
        [ "$status" -eq 0 ]
        [[ "$output" == *"container \"${PFX}m\": no state.json"* ]]
        run kg delete "${PFX}m"
        [ "$status" -eq 1 ]
        [[ "$output" == *"still holds processes"* ]]
        [ -d "/proc/$pid" ]
        run kg delete --force "${PFX}m"
        [ "$status" -eq 0 ]
        assert_dead "$pid"
        assert_nothing_left
}

@test "robustness: a corrupt state.json is reported by list and cleaned by delete --force" {
        requires root
        local pid
        bundle "$BATS_TEST_TMPDIR/b" sleep "$MARK"
        kgd run --detach --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" "${PFX}c"
        pid=$(cat "$BATS_TEST_TMPDIR/pid")
        printf '{"id": "%s", "pid": ' "${PFX}c" >"$ROOT/${PFX}c/state.json"
        run kg list
        [ "$status" -eq 0 ]
        [[ "$output" == *"container \"${PFX}c\": corrupt state.json"* ]]
        run kg delete --force "${PFX}c"
        [ "$status" -eq 0 ]
        assert_dead "$pid"
        assert_nothing_left
}

# Rewrite the state of ID to name PID (with its real start time); extra jq.
forge_state() {
        local id=$1 pid=$2 extra=${3:-.}
        jq -c --argjson p "$pid" --arg s "$(awk '{print $22}' "/proc/$pid/stat")" \
                ".pid = \$p | .startTime = \$s | $extra" "$BATS_TEST_TMPDIR/state.saved" >"$ROOT/$id/state.json"
}

# kill and delete --force of ID must refuse with MSG. Signal 0 goes first: if
# it were not refused, no real signal is tried.
assert_refused() {
        local id=$1 msg=$2 args
        for args in "kill $id 0" "kill $id TERM" "kill --all $id KILL" "delete --force $id"; do
                run kg $args
                [ "$status" -eq 1 ] || { echo "kago $args was not refused: $output" >&2; return 1; }
                [[ "$output" == *"$msg"*"refusing to signal it"* ]] || { echo "$output" >&2; return 1; }
        done
}

@test "robustness: a state naming pid 1, an ancestor of kago or a stranger is refused before any signal" {
        requires root
        local pid
        bundle "$BATS_TEST_TMPDIR/b" sleep "$MARK"
        kgd create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" "${PFX}p"
        pid=$(cat "$BATS_TEST_TMPDIR/pid")
        cp "$ROOT/${PFX}p/state.json" "$BATS_TEST_TMPDIR/state.saved"
        forge_state "${PFX}p" 1
        assert_refused "${PFX}p" "names pid 1"
        forge_state "${PFX}p" 1 '.cgroupPath = null'
        assert_refused "${PFX}p" "names pid 1"
        # bats itself runs kago: an ancestor.
        forge_state "${PFX}p" $$
        assert_refused "${PFX}p" "kago or one of its ancestors"
        # A process of ours outside the container's cgroup (and pid namespace).
        sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
        STRANGER=$!
        forge_state "${PFX}p" "$STRANGER"
        run kg kill "${PFX}p" 0
        [ "$status" -eq 1 ]
        [[ "$output" == *"not in the container's"* ]]
        forge_state "${PFX}p" "$STRANGER" '.cgroupPath = null'
        run kg kill "${PFX}p" 0
        [ "$status" -eq 1 ]
        [[ "$output" == *"not the init of a pid namespace"* ]]
        run kg delete --force "${PFX}p"
        [ "$status" -eq 1 ]
        [ -d "/proc/$STRANGER" ]
        kill "$STRANGER"
        # Nothing was signalled: the container's own init still waits.
        [ -d "/proc/$pid" ]
        cp "$BATS_TEST_TMPDIR/state.saved" "$ROOT/${PFX}p/state.json"
        kg delete --force "${PFX}p"
        assert_dead "$pid"
        assert_nothing_left
}

@test "robustness: delete --force of a container that does not exist succeeds; delete does not" {
        run kg delete --force nosuch
        [ "$status" -eq 0 ]
        [ -z "$output" ]
        run kg delete nosuch
        [ "$status" -eq 1 ]
        [[ "$output" == *'container "nosuch" does not exist'* ]]
}

@test "robustness: kill ID 0 succeeds while the container lives, fails once it is gone" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sleep "$MARK"
        kgd run --detach --bundle "$BATS_TEST_TMPDIR/b" "${PFX}k"
        run kg kill "${PFX}k" 0
        [ "$status" -eq 0 ]
        [ "$(status_of "${PFX}k")" = running ]
        kg kill "${PFX}k" KILL
        wait_status "${PFX}k" stopped
        run kg kill "${PFX}k" 0
        [ "$status" -eq 1 ]
        [[ "$output" == *"not running"* ]]
        kg delete "${PFX}k"
        assert_nothing_left
}
