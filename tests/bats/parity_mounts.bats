#!/usr/bin/env bats
# Proves that kago behaves as runc does where mounts and namespaces are
# concerned, step by step against runc where it is installed:
#   - with --no-pivot, a process of the container cannot mount a fresh procfs
#     in a user and pid namespace of its own (which would undo maskedPaths):
#     the host's proc and sysfs mounts are detached before the root moves;
#   - hostname is set in a uts namespace joined by path;
#   - a process.cwd missing from a read-only root is made before the root
#     becomes read-only;
#   - proc and sysfs are mounted on directories only, never through a symlink;
#   - a tmpfs /dev with "ro" is filled (pts, shm, nodes) before it turns read-only;
#   - with a user namespace, bind sources are opened with the host's rights
#     (kago create clones them), so a source the container's root could not
#     reach is mounted;
#   - a config without a mount namespace runs chrooted into root.path; kago
#     mounts nothing in the host's namespace (runc 1.1.5 binds the rootfs
#     there, fails, and leaves the bind): what needs a mount is refused,
#     naming the field.

load helpers
load container_helpers

setup() {
        _container_setup
        RUNC_ROOT="$BATS_TEST_TMPDIR/runc"
}

teardown() {
        _container_teardown
        [ -n "${NS_HOLDER:-}" ] && kill "$NS_HOLDER" 2>/dev/null || true
}

# A bundle of its own rootfs copy (runc refuses a shared one through a symlink).
own_bundle() { # DIR ARG...
        local dir=$1
        shift
        bundle "$dir" "$@"
        cp -a "$BUSYBOX_ROOTFS" "$dir/rootfs"
        config "$dir" '.root.path = "rootfs"'
}

# runc's outcome of the same bundle: "ok" or "failed" (skips when absent).
runc_outcome() { # BUNDLE ARGS...
        local b=$1
        shift
        if runc --root "$RUNC_ROOT" run "$@" --bundle "$b" "runc-$RANDOM" </dev/null >/dev/null 2>&1; then
                echo ok
        else
                echo failed
        fi
}

@test "parity: --no-pivot leaves no procfs that a user namespace could mount again" {
        local b="$BATS_TEST_TMPDIR/b" caps='["CAP_SYS_ADMIN","CAP_SETUID","CAP_SETGID","CAP_SETFCAP"]'
        own_bundle "$b" sh -c 'unshare -mrpf mount -t proc none /proc && echo MOUNTED'
        config "$b" ".process.capabilities.bounding += $caps | .process.capabilities.effective += $caps |
                     .process.capabilities.permitted += $caps"
        run kg run --no-pivot --bundle "$b" np
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" != *MOUNTED* ]]
        # Without --no-pivot the same is refused too (the old root is gone).
        run kg run --bundle "$b" p
        [ "$status" -ne 0 ]
        [[ "$output" != *MOUNTED* ]]
        # The container's own /proc is still there and masked.
        config "$b" '.process.args = ["sh", "-c", "cat /proc/1/comm; cat /proc/keys /proc/timer_list 2>/dev/null | wc -c"]'
        run kg run --no-pivot --bundle "$b" np2
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = sh ]
        [ "${lines[1]}" = 0 ]
        if command -v runc >/dev/null; then
                config "$b" '.process.args = ["sh", "-c", "unshare -mrpf mount -t proc none /proc"]'
                [ "$(runc_outcome "$b" --no-pivot)" = failed ]
        fi
}

@test "parity: hostname is set in a uts namespace joined by path" {
        local b="$BATS_TEST_TMPDIR/b"
        unshare --uts sleep 600 &
        NS_HOLDER=$!
        sleep 0.3
        bundle "$b" hostname
        config "$b" ".hostname = \"joined\" |
                     (.linux.namespaces[] | select(.type == \"uts\")).path = \"/proc/$NS_HOLDER/ns/uts\""
        run kg run --bundle "$b" h
        [ "$status" -eq 0 ]
        [ "$output" = joined ]
        [ "$(nsenter -t "$NS_HOLDER" -u hostname)" = joined ]
        [ "$(hostname)" != joined ]
        if command -v runc >/dev/null; then
                own_bundle "$b" hostname
                config "$b" ".hostname = \"joined\" |
                     (.linux.namespaces[] | select(.type == \"uts\")).path = \"/proc/$NS_HOLDER/ns/uts\""
                [ "$(runc_outcome "$b")" = ok ]
        fi
}

@test "parity: a missing process.cwd is made before root.readonly applies" {
        local b="$BATS_TEST_TMPDIR/b"
        own_bundle "$b" pwd
        config "$b" '.root.readonly = true | .process.cwd = "/made/here"'
        run kg run --bundle "$b" ro
        [ "$status" -eq 0 ]
        [ "$output" = /made/here ]
        run touch "$b/rootfs/made/here/x"
        [ "$status" -eq 0 ]
        if command -v runc >/dev/null; then
                config "$b" '.process.cwd = "/made/by/runc"'
                [ "$(runc_outcome "$b")" = ok ]
        fi
}

@test "parity: proc is never mounted through a symlink in the rootfs (/proc -> /)" {
        local b="$BATS_TEST_TMPDIR/b"
        own_bundle "$b" ls /
        rmdir "$b/rootfs/proc"
        ln -s / "$b/rootfs/proc"
        run kg run --bundle "$b" ps
        [ "$status" -eq 1 ]
        [[ "$output" == *"mounts[0] (/proc): proc must be mounted on a directory, and /proc in the rootfs is a symlink"* ]]
        [ -z "$(kg list -q)" ]
        if grep -qs "$b/rootfs" /proc/self/mountinfo; then false; fi
        if command -v runc >/dev/null; then
                [ "$(runc_outcome "$b")" = failed ]
        fi
}

@test "parity: a read-only /dev tmpfs gets its nodes and pts first, then becomes read-only" {
        local b="$BATS_TEST_TMPDIR/b"
        own_bundle "$b" sh -c 'ls /dev/pts/ptmx /dev/null /dev/shm >/dev/null && echo nodes-ok; touch /dev/x'
        config "$b" '(.mounts[] | select(.destination == "/dev")).options += ["ro"]'
        run kg run --bundle "$b" dro
        echo "$output"
        [[ "$output" == *nodes-ok* ]]
        [[ "$output" == *"/dev/x: Read-only file system"* ]]
        if command -v runc >/dev/null; then
                config "$b" '.process.args = ["ls", "/dev/null"]'
                [ "$(runc_outcome "$b")" = ok ]
        fi
}

@test "parity: in a user namespace, a bind source under a directory the container's root cannot traverse is mounted" {
        requires root userns
        local b priv
        priv=$(mktemp -d /tmp/kago-priv.XXXXXX) # 0700, owned by the host's root
        b=$(mktemp -d /tmp/kago-userns.XXXXXX)
        chmod 755 "$b"
        mkdir -m 755 "$priv/data"
        echo secret-ok >"$priv/data/f"
        own_bundle "$b" cat /data/f
        chown -R 100000:100000 "$b/rootfs"
        config "$b" ".linux.namespaces += [{type: \"user\"}]
                | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
                | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
                | .mounts |= map(select(.type != \"sysfs\" and .type != \"cgroup\" and .type != \"mqueue\"))
                | .mounts += [{destination: \"/data\", type: \"bind\", source: \"$priv/data\", options: [\"rbind\", \"ro\"]}]"
        run kg run --bundle "$b" un
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = secret-ok ]
        # Mounted read-only as asked.
        config "$b" '.process.args = ["touch", "/data/g"]'
        run kg run --bundle "$b" un2
        [ "$status" -ne 0 ]
        [[ "$output" == *"Read-only file system"* ]]
        if command -v runc >/dev/null; then
                config "$b" '.process.args = ["cat", "/data/f"]'
                [ "$(runc_outcome "$b")" = ok ]
        fi
        rm -rf "$priv" "$b"
}

@test "parity: without a mount namespace the process runs chrooted into root.path, and kago mounts nothing" {
        local b="$BATS_TEST_TMPDIR/b"
        own_bundle "$b" sh -c 'ls /etc/passwd && ls /proc | wc -l'
        config "$b" 'del(.linux.namespaces[] | select(.type == "mount")) | .mounts = []
                     | del(.linux.maskedPaths, .linux.readonlyPaths)'
        run kg run --bundle "$b" nomnt
        echo "$output"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = /etc/passwd ]
        [ "${lines[1]}" = 0 ] # nothing mounted on the rootfs's /proc
        if grep -qs "$b/rootfs" /proc/self/mountinfo; then false; fi
        # runc 1.1.5 is not run here: it binds the rootfs onto itself in the
        # host's mount namespace, then fails ("open /proc/self/fd"), and the
        # bind stays on the host.
}

@test "parity: with a cgroup namespace, the container's cgroups are its roots in every hierarchy" {
        requires root
        local b="$BATS_TEST_TMPDIR/b"
        own_bundle "$b" cat /proc/self/cgroup
        run kg run --bundle "$b" cgns
        echo "$output"
        [ "$status" -eq 0 ]
        # "N:controllers:/" on every line: kago's own cgroup is not the root.
        [ -z "$(grep -v ':/$' <<<"$output")" ]
        if command -v runc >/dev/null; then
                local mine=$output
                run runc --root "$RUNC_ROOT" run --bundle "$b" cgns-runc </dev/null
                [ "$output" = "$mine" ]
        fi
}
