#!/usr/bin/env bats
# Proves kago run --rootfs DIR: a directory tree runs without a bundle, its
# config built in memory from kago's default spec. --print-spec shows that
# config (the tree as root.path, writable, the command or /bin/sh, a
# terminal only when stdin is one); a run gives the command's output and
# exit status; --bind, --bind-ro, --tmpfs, --setenv, --chdir, --user,
# --hostname, --read-only and the resource limits are each seen from
# inside; --ephemeral leaves the tree byte-identical and no temp dir or
# mount behind; -M NAME is the container id that list, state, exec and kill
# use while it runs, with the tree as its bundle; --network-veth,
# --network-bridge and --annotation give it a link of kago's own (kago.net),
# removed with it; --save-bundle writes a
# bundle that kago run --bundle runs; every bad option fails naming the
# option and its value and leaves no state, mount or temp dir. With KVM
# (the test VM), --vm runs the same tree in a microVM: one boot.

load helpers
load container_helpers

setup() {
        _container_setup
        TREE="$BATS_TEST_TMPDIR/tree"
        cp -a "$BUSYBOX_ROOTFS" "$TREE"
        export TMPDIR="$BATS_TEST_TMPDIR/tmp"
        mkdir -p "$TMPDIR"
}

# A sorted listing of every entry of the tree with its type, mode, owner,
# size, mtime and content checksum.
tree_sum() {
        (cd "$1" && find . -printf '%p %y %m %U %G %s %T@ %l\n' | sort &&
                find . -type f -exec sha256sum {} + | sort)
}

# Nothing left by a failed run: no state, no temp dir, no mount of the tree.
assert_nothing_left() {
        [ -z "$(ls -A "$ROOT")" ] || { echo "left in --root: $(ls -A "$ROOT")" >&2; return 1; }
        [ -z "$(ls -A "$TMPDIR")" ] || { echo "left in TMPDIR: $(ls -A "$TMPDIR")" >&2; return 1; }
        if grep -q "$BATS_TEST_TMPDIR" /proc/mounts; then
                grep "$BATS_TEST_TMPDIR" /proc/mounts >&2
                return 1
        fi
}

@test "run --rootfs: --print-spec shows the config it would run" {
        requires root
        run kg run --rootfs "$TREE" -M web --read-only --hostname h1 -E A=1 --chdir /tmp \
                -u 1000:1001 --bind "$BATS_TEST_TMPDIR:/data" --bind-ro /etc:/hostetc --tmpfs /scratch \
                --memory 64M --cpus 1.5 --pids 99 --print-spec -- echo hi </dev/null
        [ "$status" -eq 0 ]
        spec=$output
        [ "$(jq -r .root.path <<<"$spec")" = "$TREE" ]
        [ "$(jq -r .root.readonly <<<"$spec")" = true ]
        [ "$(jq -c .process.args <<<"$spec")" = '["echo","hi"]' ]
        [ "$(jq -r '.process.terminal // false' <<<"$spec")" = false ]
        [ "$(jq -r .hostname <<<"$spec")" = h1 ]
        [ "$(jq -r .process.cwd <<<"$spec")" = /tmp ]
        [ "$(jq -c .process.user <<<"$spec")" = '{"uid":1000,"gid":1001}' ]
        jq -e '.process.env | index("A=1")' <<<"$spec"
        jq -e --arg s "$BATS_TEST_TMPDIR" '.mounts[] | select(.destination == "/data" and .source == $s and .type == "bind")' <<<"$spec"
        jq -e '.mounts[] | select(.destination == "/hostetc" and (.options | index("ro")))' <<<"$spec"
        jq -e '.mounts[] | select(.destination == "/scratch" and .type == "tmpfs")' <<<"$spec"
        [ "$(jq -r .linux.resources.memory.limit <<<"$spec")" = 67108864 ]
        [ "$(jq -r .linux.resources.cpu.quota <<<"$spec")" = 150000 ]
        [ "$(jq -r .linux.resources.cpu.period <<<"$spec")" = 100000 ]
        [ "$(jq -r .linux.resources.pids.limit <<<"$spec")" = 99 ]
        # The rest is kago spec's default: namespaces, masked paths, capabilities.
        mkdir "$BATS_TEST_TMPDIR/spec"
        "$KAGO" spec --bundle "$BATS_TEST_TMPDIR/spec"
        for f in .linux.namespaces .linux.maskedPaths .process.capabilities .process.rlimits; do
                [ "$(jq -c "$f" <<<"$spec")" = "$(jq -c "$f" "$BATS_TEST_TMPDIR/spec/config.json")" ]
        done
        # Without a command: /bin/sh; without -M: the tree's name and a suffix.
        run kg run --rootfs "$TREE" --print-spec </dev/null
        [ "$status" -eq 0 ]
        [ "$(jq -c .process.args <<<"$output")" = '["/bin/sh"]' ]
        [[ "$(jq -r .hostname <<<"$output")" == tree-?????? ]]
        [ "$(jq -r '.root.readonly // false' <<<"$output")" = false ]
        assert_nothing_left
}

@test "run --rootfs: a terminal on stdin gives the process a terminal" {
        requires root
        command -v script >/dev/null || skip "needs script(1)"
        out=$(script -qec "$KAGO --root $ROOT run --rootfs $TREE --print-spec" /dev/null | tr -d '\r\0')
        [ "$(jq -r .process.terminal <<<"$out")" = true ]
        # script's own stdin stays open (an EOF there would reach the pty)
        run script -qec "$KAGO --root $ROOT run --rootfs $TREE -- tty; echo rc=\$?" /dev/null \
                < <(exec sleep 120 2>/dev/null 3>&-)
        kill $! 2>/dev/null || true
        echo "$output" >&2
        [[ "$output" == *"/dev/pts/"* ]]
        [[ "$output" == *"rc=0"* ]]
}

@test "run --rootfs: the command's output and exit status" {
        requires root
        run kg run --rootfs "$TREE" -- sh -c 'echo out; echo err >&2; exit 7' </dev/null
        [ "$status" -eq 7 ]
        [[ "$output" == *out* && "$output" == *err* ]]
        # stdin is a pipe, not a terminal: the workload reads it and ends.
        out=$(echo piped | kg run --rootfs "$TREE" -- cat)
        [ "$out" = piped ]
        [ -z "$(ls -A "$ROOT")" ]
}

@test "run --rootfs: --bind, --bind-ro, --tmpfs, --setenv, --chdir, --user, --hostname seen inside" {
        requires root
        mkdir -p "$BATS_TEST_TMPDIR/rw" "$BATS_TEST_TMPDIR/ro"
        echo data >"$BATS_TEST_TMPDIR/ro/f"
        run kg run --rootfs "$TREE" --bind="$BATS_TEST_TMPDIR/rw:/rw" --bind-ro="$BATS_TEST_TMPDIR/ro:/ro" \
                --tmpfs=/scratch -E FOO=bar --setenv=PATH=/bin:/sbin --chdir=/ro --hostname=inside -- \
                sh -c 'echo w >/rw/written; cat f; (echo x >/ro/g) 2>/dev/null && echo ro-writable;
                       grep -q " /scratch tmpfs " /proc/mounts && echo tmpfs; echo "$FOO $PATH"; pwd; hostname' </dev/null
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$(cat "$BATS_TEST_TMPDIR/rw/written")" = w ]
        [ "${lines[0]}" = data ]
        [ "${lines[1]}" = tmpfs ]
        [ "${lines[2]}" = "bar /bin:/sbin" ]
        [ "${lines[3]}" = /ro ]
        [ "${lines[4]}" = inside ]
        [ ! -e "$BATS_TEST_TMPDIR/ro/g" ]
        run kg run --rootfs "$TREE" -u 1000:1001 -- sh -c 'id -u; id -g' </dev/null
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = 1000 ]
        [ "${lines[1]}" = 1001 ]
}

@test "run --rootfs: --read-only, and writable without it" {
        requires root
        run kg run --rootfs "$TREE" --read-only -- sh -c 'touch /x' </dev/null
        [ "$status" -ne 0 ]
        [[ "$output" == *"Read-only file system"* ]]
        [ ! -e "$TREE/x" ]
        run kg run --rootfs "$TREE" -- touch /x </dev/null
        [ "$status" -eq 0 ]
        [ -e "$TREE/x" ]
}

@test "run --rootfs: --pids and --memory reach the container's cgroup" {
        requires root
        run kg run --rootfs "$TREE" --pids=42 --memory=64M -- sh -c '
                cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max
                cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes' </dev/null
        echo "$output"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = 42 ]
        [ "${lines[1]}" = 67108864 ]
}

@test "run --rootfs: --ephemeral leaves the tree byte-identical and nothing behind" {
        requires root
        before=$(tree_sum "$TREE")
        run kg run --rootfs "$TREE" -x --bind="$BATS_TEST_TMPDIR/tmp:/newdir" -- sh -c '
                echo new >/new; echo changed >>/etc/passwd; rm /bin/ls; chmod 700 /; mkdir /d; cat /new' </dev/null
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = new ]
        [ "$(tree_sum "$TREE")" = "$before" ]
        assert_nothing_left
}

@test "run --rootfs: -M NAME is the container's id while it runs (list, state, exec, kill)" {
        requires root
        "$KAGO" --root "$ROOT" run --rootfs "$TREE" -M standalone -- sleep 1000 </dev/null \
                >"$BATS_TEST_TMPDIR/out" 2>&1 &
        runpid=$!
        wait_status standalone running
        kg list | grep -q '^standalone '
        [ "$(kg state standalone | jq -r .bundle)" = "$TREE" ]
        [ "$(kg exec standalone hostname)" = standalone ]
        kg kill standalone KILL
        wait "$runpid" || rc=$?
        [ "${rc:-0}" -eq $((128 + 9)) ]
        assert_gone standalone
}

@test "run --rootfs: -d runs detached under its name; delete removes it" {
        requires root
        run kgd run --rootfs "$TREE" -d -M detached -- sleep 1000
        [ "$status" -eq 0 ]
        [ "$(status_of detached)" = running ]
        kg delete --force detached
        assert_gone detached
}

@test "run --rootfs: --save-bundle writes a bundle that run --bundle runs" {
        requires root
        run kg run --rootfs "$TREE" -E SAVED=yes --save-bundle "$BATS_TEST_TMPDIR/b" -- sh -c 'echo $SAVED' </dev/null
        [ "$status" -eq 0 ]
        [ "$(jq -r .root.path "$BATS_TEST_TMPDIR/b/config.json")" = "$TREE" ]
        [ -z "$(ls -A "$ROOT")" ]
        run kg run --bundle "$BATS_TEST_TMPDIR/b" graduated </dev/null
        [ "$status" -eq 0 ]
        [ "$output" = yes ]
        # It never replaces a config.json.
        run kg run --rootfs "$TREE" --save-bundle "$BATS_TEST_TMPDIR/b" </dev/null
        [ "$status" -ne 0 ]
        [[ "$output" == *"config.json already exists"* ]]
}

@test "run --rootfs: bad options fail naming the option and value, leaving nothing" {
        requires root
        local t="$TREE"
        while IFS='|' read -r args want; do
                # shellcheck disable=SC2086
                run kg run $args </dev/null
                echo "$args -> $status: $output"
                [ "$status" -ne 0 ]
                [[ "$output" == *"$want"* ]]
                assert_nothing_left
        done <<EOT
--rootfs $BATS_TEST_TMPDIR/nope -- true|--rootfs "$BATS_TEST_TMPDIR/nope"
--rootfs $t --bind=/nonexistent:/x -- true|--bind "/nonexistent:/x"
--rootfs $t --bind-ro=/etc:relative -- true|--bind-ro "/etc:relative"
--rootfs $t --tmpfs=relative -- true|--tmpfs "relative"
--rootfs $t -u nobody -- true|--user "nobody"
--rootfs $t --memory=12q -- true|--memory "12q"
--rootfs $t --cpus=0 -- true|--cpus "0"
--rootfs $t --pids=-1 -- true|--pids "-1"
--rootfs $t -M a/b -- true|invalid container id "a/b"
--rootfs $t --vm-cpus=0 -- true|--vm-cpus "0"
--rootfs $t --vm-memory=1k -- true|--vm-memory "1k"
--rootfs $t --vm-kernel=/nonexistent -- true|--vm-kernel "/nonexistent"
--rootfs $t -E novalue -- true|--setenv "novalue"
--rootfs $t --chdir=relative -- true|--chdir "relative"
--rootfs $t --no-such-flag -- true|unknown flag: --no-such-flag
--rootfs $t -x -d -- true|--ephemeral and --detach
--rootfs $t -x -- /no/such/command|/no/such/command
--rootfs $t --annotation novalue -- true|--annotation "novalue"
--rootfs $t --network=tap:x -- true|annotation kago.net 'tap:x': expected none, loopback, veth
--rootfs $t --network-bridge=kxnobr -- true|annotation kago.net: bridge: link "kxnobr": No such device
--rootfs $t --network-veth --annotation kago.net.mtu=9 -- true|annotation kago.net.mtu '9': expected 68 to 65535
EOT
        # A name already taken: the running one is untouched, the new one leaves nothing.
        run kgd run --rootfs "$TREE" -d -M taken -- sleep 1000
        [ "$status" -eq 0 ]
        run kg run --rootfs "$TREE" -x -M taken -- true </dev/null
        [ "$status" -ne 0 ]
        [[ "$output" == *'"taken" already exists'* ]]
        [ -z "$(ls -A "$TMPDIR")" ]
        [ "$(status_of taken)" = running ]
}

@test "run --rootfs: --network-veth, --network-bridge and --annotation make the link kago.net asks for" {
        requires root
        run kg run --rootfs "$TREE" --network-bridge=br9 --annotation kago.net.address=10.232.9.2/24 \
                --annotation kago.net.mtu=1400 --network-veth --annotation kago.net.mtu=1300 --print-spec </dev/null
        [ "$status" -eq 0 ]
        [ "$(jq -c .annotations <<<"$output")" = '{"kago.net":"veth","kago.net.address":"10.232.9.2/24","kago.net.mtu":"1300"}' ]
        run kg run --rootfs "$TREE" --network-veth --annotation kago.net.address=10.232.9.2/24 \
                -- ip addr show eth0 </dev/null
        echo "$output" >&2
        [ "$status" -eq 0 ]
        [[ "$output" == *"inet 10.232.9.2/24"* ]]
        assert_nothing_left
        ! ip -o link show | grep -qE "kg[0-9a-f]{10}-0"
}

@test "run --rootfs --vm: the tree runs in a microVM" {
        requires root kvm
        kernel="${KAGO_VM_KERNEL:-${KAGO_CACHE:-/var/cache/kago}/kernel/vmlinux}"
        [ -r "$kernel" ] || skip "no guest kernel at $kernel (make kernel)"
        status=0
        timeout 600 "$KAGO" --root "$ROOT" run --rootfs "$TREE" --vm-kernel "$kernel" --vm-cpus 1 \
                --vm-memory 256M -M vm1 -- sh -c 'echo in-vm; exit 5' </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 || status=$?
        cat "$BATS_TEST_TMPDIR/out"
        [ "$status" -eq 5 ]
        grep -qx in-vm "$BATS_TEST_TMPDIR/out"
        assert_gone vm1
}
