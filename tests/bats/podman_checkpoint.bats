#!/usr/bin/env bats
# podman's container checkpoint and restore with kago as the runtime (conmon
# calls kago checkpoint and kago restore): a counter continues after restore,
# --leave-running keeps it, --export/--import moves it through a tarball
# into a new container. Needs a working CRIU: runs in the test VM. podman has
# a root of its own under this suite's directory, as in clients.bats.

load helpers
load ../clients/helpers

COUNTER='i=0; while :; do i=$((i+1)); echo $i >/tmp/n; sleep 0.1; done'

setup_file() {
        [ "$(id -u)" = 0 ] && _has_criu && command -v podman >/dev/null || return 0
        export CLIENTS_DIR RT=kago
        CLIENTS_DIR=$(mktemp -d /tmp/kago-podman.XXXXXX)
        "$KAGO_SRC/tests/bundle.sh" "$CLIENTS_DIR/bundle" true >/dev/null
        tar -C "$CLIENTS_DIR/bundle/rootfs" -cf "$CLIENTS_DIR/rootfs.tar" .
        mkdir -p "$CLIENTS_DIR/podman-kago"
        pm import -q "$CLIENTS_DIR/rootfs.tar" localhost/kago-busybox:1 >/dev/null
}

teardown_file() {
        [ -n "${CLIENTS_DIR:-}" ] || return 0
        pm rm -a -f -t 0 >/dev/null 2>&1 || true
        pm rmi -a -f >/dev/null 2>&1 || true
        rm -rf "$CLIENTS_DIR"
}

setup() {
        requires root criu cgroup2
        command -v podman >/dev/null || skip "needs podman (make deps installs it)"
}

teardown() {
        [ -n "${CLIENTS_DIR:-}" ] || return 0
        pm rm -a -f -t 0 >/dev/null 2>&1 || true
}

count_in() {
        pm exec "$1" cat /tmp/n
}

wait_count_in_above() {
        local name=$1 min=$2 i
        for ((i = 0; i < 300; i++)); do
                [ "$(count_in "$name" 2>/dev/null || echo 0)" -gt "$min" ] && return 0
                sleep 0.2
        done
        echo "counter of $name at $(count_in "$name" 2>&1), wanted above $min" >&2
        return 1
}

@test "podman: container checkpoint and restore with kago continue the workload" {
        pm_run run -d --name ck localhost/kago-busybox:1 sh -c "$COUNTER" >/dev/null
        wait_count_in_above ck 3
        run pm container checkpoint ck
        [ "$status" -eq 0 ] || { echo "$output"; false; }
        [ "$(pm inspect --format '{{.State.Status}}' ck)" = exited ]
        run pm container restore ck
        [ "$status" -eq 0 ] || { echo "$output"; false; }
        [ "$(pm inspect --format '{{.State.Status}}' ck)" = running ]
        local n
        n=$(count_in ck)
        [ "$n" -gt 3 ]
        wait_count_in_above ck $((n + 2))
}

@test "podman: checkpoint --leave-running, then --export and restore --import as a new container" {
        pm_run run -d --name ex localhost/kago-busybox:1 sh -c "$COUNTER" >/dev/null
        wait_count_in_above ex 3
        pm container checkpoint --leave-running ex >/dev/null
        [ "$(pm inspect --format '{{.State.Status}}' ex)" = running ]
        pm container checkpoint --export "$BATS_TEST_TMPDIR/ex.tar.gz" ex >/dev/null
        [ -s "$BATS_TEST_TMPDIR/ex.tar.gz" ]
        pm rm -f ex >/dev/null
        run pm container restore --import "$BATS_TEST_TMPDIR/ex.tar.gz" --name ex2
        [ "$status" -eq 0 ] || { echo "$output"; false; }
        [ "$(pm inspect --format '{{.State.Status}}' ex2)" = running ]
        local n
        n=$(count_in ex2)
        [ "$n" -gt 3 ]
        wait_count_in_above ex2 $((n + 2))
}
