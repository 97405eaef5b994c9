#!/usr/bin/env bats
# Proves that process.cwd cannot lead out of the container (the "leaky
# vessels" pattern): a cwd of /proc/self/fd/N or /proc/1/fd/N, for every fd
# number 3..64 (a subset in the test VM), is refused by `kago run`, by
# `kago create` (+ start) and by `kago exec`, and nothing runs with a cwd on
# the host. The init that
# `kago create` leaves waiting for start holds no fd but 0-2 and the exec
# fifo: nothing of the host (state root, cgroup directory) is reachable from
# the container through /proc/1/fd. The microVM backend's VMM runs as that
# same init and refuses the same cwds before it boots anything.

load helpers
load container_helpers

MARKER=/tmp/kago-cwd-escape

setup() {
        _container_setup
        rm -f "$MARKER"
}

teardown() {
        _container_teardown
        rm -f "$MARKER"
}

# The workload writes $MARKER through ".." from its cwd: on the host's /tmp
# only when the cwd is outside the container.
escape_bundle() {
        bundle "$1" sh -c "readlink /proc/self/cwd; echo escaped > ../../../../../../../..$MARKER"
}

# Fails unless the last command was refused because of process.cwd.
assert_cwd_refused() { # WHAT
        if [ "$status" -eq 0 ] || [[ "$output" != *"process.cwd"* ]]; then
                echo "$1: status $status, output: $output" >&2
                return 1
        fi
        [ ! -e "$MARKER" ] || { echo "$1: escaped to the host ($MARKER written)" >&2; return 1; }
}

# For every fd number 3..64 and both links to it, set the bundle's cwd to the
# link and call CHECK LINK N (sed, not jq: this runs 124 times). In the test
# VM, 20x slower, fds 3..12 and 60..64: the host run covers every number,
# and the refusal does not depend on it (magic links are refused as such).
each_magic_cwd() { # JSON-FILE CHECK
        local json=$1 check=$2 n link fds
        fds=$(seq 3 64)
        in_test_vm && fds="$(seq 3 12) $(seq 60 64)"
        for n in $fds; do
                for link in /proc/self/fd/$n /proc/1/fd/$n; do
                        sed -i "s|\"cwd\": \"[^\"]*\"|\"cwd\": \"$link\"|" "$json"
                        "$check" "$link" "$n"
                done
        done
}

run_refused() { # LINK N
        run kg run --bundle "$BATS_TEST_TMPDIR/b" "r$2"
        assert_cwd_refused "run, cwd $1"
}

create_refused() { # LINK N
        run kgd create --bundle "$BATS_TEST_TMPDIR/b" "c$2"
        assert_cwd_refused "create, cwd $1"
        # Nothing was created that start could run.
        run kg start "c$2"
        [ "$status" -ne 0 ]
}

@test "cwd: /proc/self/fd/N and /proc/1/fd/N are refused by kago run, for every N in 3..64" {
        escape_bundle "$BATS_TEST_TMPDIR/b"
        each_magic_cwd "$BATS_TEST_TMPDIR/b/config.json" run_refused
        run kg list -q
        [ -z "$output" ]
}

@test "cwd: /proc/self/fd/N and /proc/1/fd/N are refused by kago create + start, for every N in 3..64" {
        escape_bundle "$BATS_TEST_TMPDIR/b"
        each_magic_cwd "$BATS_TEST_TMPDIR/b/config.json" create_refused
        [ ! -e "$MARKER" ]
}

@test "cwd: a cwd inside the container still works, and a missing one is made" {
        local b="$BATS_TEST_TMPDIR/b"
        bundle "$b" sh -c 'pwd; readlink /proc/self/cwd'
        config "$b" '.process.cwd = "/tmp/new/dir"'
        run kg run --bundle "$b" ok1
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = /tmp/new/dir ]
        [ "${lines[1]}" = /tmp/new/dir ]
        # A symlink in the rootfs resolves inside the root, never on the host.
        ln -s ../../../../.. "$BUSYBOX_ROOTFS/tmp/up"
        config "$b" '.process.cwd = "/tmp/up"'
        run kg run --bundle "$b" ok2
        rm "$BUSYBOX_ROOTFS/tmp/up"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = / ] || [ "${lines[1]}" = / ]
}

@test "cwd: the init waiting for start holds only stdio and the exec fifo" {
        local b="$BATS_TEST_TMPDIR/b" pid fd target
        bundle "$b" true
        # A leaked fd of the caller's (a host directory) is not passed on.
        kgd create --bundle "$b" fds 7</ 9<"$BATS_TEST_TMPDIR"
        pid=$(kg state fds | jq .pid)
        for fd in /proc/"$pid"/fd/*; do
                target=$(readlink "$fd")
                case "${fd##*/}:$target" in
                0:* | 1:* | 2:*) ;;
                *:"$ROOT/fds/exec.fifo") ;;
                *) echo "init holds fd ${fd##*/} -> $target" >&2; return 1 ;;
                esac
        done
}

exec_refused() { # LINK N
        run kg exec --process "$BATS_TEST_TMPDIR/p.json" ex
        assert_cwd_refused "exec, cwd $1"
}

@test "cwd: kago exec refuses /proc/self/fd/N and /proc/1/fd/N as the process's cwd, for every N in 3..64" {
        bundle "$BATS_TEST_TMPDIR/b" sleep 600
        kgd run -d --bundle "$BATS_TEST_TMPDIR/b" ex
        jq -n --arg m "$MARKER" '{cwd: "/", args: ["sh", "-c", "echo escaped > ../../../../../../../..\($m)"],
                                  env: ["PATH=/bin"], user: {uid: 0, gid: 0}}' >"$BATS_TEST_TMPDIR/p.json"
        each_magic_cwd "$BATS_TEST_TMPDIR/p.json" exec_refused
        # --cwd on the command line: relative paths are refused as before.
        run kg exec --cwd proc ex true
        [ "$status" -ne 0 ]
}

vm_run_refused() { # LINK N
        run kg run --vm --bundle "$BATS_TEST_TMPDIR/b" "v$2"
        assert_cwd_refused "run --vm, cwd $1"
}

@test "cwd: the microVM backend refuses /proc/self/fd/N and /proc/1/fd/N, for every N in 3..64, before it boots" {
        requires kvm
        escape_bundle "$BATS_TEST_TMPDIR/b"
        each_magic_cwd "$BATS_TEST_TMPDIR/b/config.json" vm_run_refused
}
