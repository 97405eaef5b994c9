#!/usr/bin/env bats
# Proves that a container's `cgroup` mount shows its own cgroups and nothing
# of the other containers': from inside a container, another running
# container's cgroup directory is not visible in any hierarchy, while the
# container's own cgroup files are (its cgroup.procs lists its processes),
# with and without a cgroup namespace. On a v1/hybrid host the mount is a
# tmpfs with the host's hierarchy names (symlinks such as cpu -> cpu,cpuacct
# included), read-only by default and writable with "rw"; the host's own
# cgroup mounts are left exactly as they were.

load helpers
load container_helpers

host_is_v2() {
        [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]
}

# Start a container named other that sleeps, then run ours with $1 as script.
with_other() {
        bundle "$BATS_TEST_TMPDIR/o" sleep 300
        kgd run -d --bundle "$BATS_TEST_TMPDIR/o" other >/dev/null
        wait_status other running
        ls -d /sys/fs/cgroup/unified/kago/other /sys/fs/cgroup/kago/other 2>/dev/null | grep -q . ||
                skip "kago made no cgroup for the container here"
        bundle "$BATS_TEST_TMPDIR/b" sh -c "$1"
}

CHECKS='find /sys/fs/cgroup -name other | sed "s/^/SEEN /"
        find /sys/fs/cgroup -maxdepth 2 -name kago | sed "s/^/SEEN /"
        for f in /sys/fs/cgroup/unified/cgroup.procs /sys/fs/cgroup/cgroup.procs; do
                [ -e $f ] && grep -qx $$ $f && echo "OWN $f"
        done
        echo done'

@test "cgroup mount: another container's cgroup is not visible, the container's own files are" {
        requires root
        with_other "$CHECKS"
        run kg run --bundle "$BATS_TEST_TMPDIR/b" me </dev/null
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" != *SEEN* ]]
        [[ "$output" == *"OWN /sys/fs/cgroup/"*cgroup.procs* ]]
        [[ "$output" == *done* ]]
}

@test "cgroup mount: the same without a cgroup namespace" {
        requires root
        with_other "$CHECKS"
        config "$BATS_TEST_TMPDIR/b" '.linux.namespaces |= map(select(.type != "cgroup"))'
        run kg run --bundle "$BATS_TEST_TMPDIR/b" me </dev/null
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" != *SEEN* ]]
        [[ "$output" == *"OWN /sys/fs/cgroup/"*cgroup.procs* ]]
}

@test "cgroup mount: v1/hybrid: a tmpfs with the host's names and symlinks, read-only unless rw" {
        requires root
        host_is_v2 && skip "the host is cgroup v2: one cgroup2 mount, no tmpfs"
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'ls /sys/fs/cgroup | tr "\n" " "; echo
                for l in /sys/fs/cgroup/*; do [ -L $l ] && echo "LINK ${l##*/} $(readlink $l)"; done
                grep " /sys/fs/cgroup " /proc/mounts; touch /sys/fs/cgroup/x 2>&1; true'
        run kg run --bundle "$BATS_TEST_TMPDIR/b" ro </dev/null
        echo "$output"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "$(ls /sys/fs/cgroup | tr '\n' ' ')" ]
        for l in /sys/fs/cgroup/*; do
                [ -L "$l" ] || continue
                [[ "$output" == *"LINK ${l##*/} $(readlink "$l")"* ]]
        done
        [[ "$output" == *"tmpfs /sys/fs/cgroup tmpfs ro,"* ]]
        [[ "$output" == *"Read-only file system"* ]]
        config "$BATS_TEST_TMPDIR/b" '.mounts |= map(if .type == "cgroup" then .options = ["rw", "nosuid", "nodev", "noexec"] else . end)'
        run kg run --bundle "$BATS_TEST_TMPDIR/b" rw </dev/null
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"tmpfs /sys/fs/cgroup tmpfs rw,"* ]]
}

@test "cgroup mount: the host's cgroup mounts are left as they were" {
        requires root
        before=$(grep cgroup /proc/self/mountinfo)
        bundle "$BATS_TEST_TMPDIR/b" true
        run kg run --bundle "$BATS_TEST_TMPDIR/b" h1 </dev/null
        [ "$status" -eq 0 ]
        config "$BATS_TEST_TMPDIR/b" '.linux.namespaces |= map(select(.type != "cgroup"))'
        run kg run --bundle "$BATS_TEST_TMPDIR/b" h2 </dev/null
        [ "$status" -eq 0 ]
        [ "$(grep cgroup /proc/self/mountinfo)" = "$before" ]
}
