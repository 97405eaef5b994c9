#!/usr/bin/env bats
# Proves kago run --rootfs DIR --boot (systemd-nspawn -b): the tree's own
# systemd runs as PID 1 with container=kago, a private /run and /tmp and its
# own writable cgroup tree, and finishes booting; kago exec reaches it; a
# reboot from inside starts the container again under the same name; SIGTERM
# to the foreground kago halts it cleanly (exit 0) and nothing is left
# behind. --boot with --vm, with --user, or on a tree without an init is
# refused naming why, leaving nothing.

load helpers
load container_helpers

setup() {
        _container_setup
        TREE="$BATS_TEST_TMPDIR/tree"
}

pid_of() {
        kg state "$1" | jq -r .pid
}

@test "run --boot: --print-spec shows systemd as PID 1 with what it needs" {
        systemd_tree "$TREE"
        run "$KAGO" run --rootfs "$TREE" --boot --bind-ro=/usr --print-spec -- --log-level=info
        [ "$status" -eq 0 ]
        [ "$(jq -c .process.args <<<"$output")" = '["/usr/lib/systemd/systemd","--log-level=info"]' ]
        jq -e '.process.env | index("container=kago")' <<<"$output"
        jq -e '.process.noNewPrivileges | not' <<<"$output"
        jq -e '.process.capabilities.bounding | index("CAP_SYS_ADMIN") and index("CAP_SYS_BOOT")' <<<"$output"
        jq -e '[.mounts[].destination] | index("/run") and index("/tmp")' <<<"$output"
        jq -e '.mounts[] | select(.destination == "/sys/fs/cgroup") | .options | index("ro") | not' <<<"$output"
        jq -e '.annotations["org.systemd.property.KillSignal"] == "int32 \($rt)"' --argjson rt $(($(kill -l RTMIN) + 3)) <<<"$output"
}

@test "run --boot: systemd boots, kago exec reaches it, reboot restarts, SIGTERM halts with nothing left" {
        requires root
        systemd_tree "$TREE"
        boot_bg sd1 "$TREE"
        wait_status sd1 running 120
        wait_booted sd1
        [ "$(kg exec sd1 systemd-detect-virt)" = kago ] || [ "$(kg exec sd1 systemd-detect-virt)" = container-other ]
        [ "$(kg exec sd1 cat /proc/1/cmdline | tr '\0' ' ')" = "/usr/lib/systemd/systemd " ]
        kg exec sd1 sh -c 'findmnt -no FSTYPE /run; findmnt -no FSTYPE /tmp' | grep -c tmpfs | grep -qx 2
        first=$(pid_of sd1)
        # SIGINT is Ctrl-Alt-Del to systemd: it reboots, and kago starts the tree again.
        kg kill sd1 INT
        for ((i = 0; i < 1200; i++)); do
                p=$(pid_of sd1 2>/dev/null) && [ -n "$p" ] && [ "$p" != "$first" ] && break
                sleep 0.1
        done
        [ -n "$p" ] && [ "$p" != "$first" ]
        wait_status sd1 running 120
        wait_booted sd1
        kill -TERM "$BOOT_PID"
        wait "$BOOT_SHELL"
        cat "$BATS_TEST_TMPDIR/sd1.out"
        [ "$(cat "$BATS_TEST_TMPDIR/sd1.rc")" = 0 ]
        assert_gone sd1
        [ -z "$(ls -A "$TREE/run")" ] && [ -z "$(ls -A "$TREE/tmp")" ]
}

@test "run --boot: bad combinations and a tree without an init are refused, leaving nothing" {
        systemd_tree "$TREE"
        kg_status run --rootfs "$TREE" --boot --vm -M sdbad1
        [ "$status" -ne 0 ]
        [[ "$output" == *"--boot and --vm: a microVM's PID 1 is kago's guest init"* ]]
        kg_status run --rootfs "$TREE" --boot -u 1000 -M sdbad2
        [ "$status" -ne 0 ]
        [[ "$output" == *"--boot and --user: the tree's init runs as root"* ]]
        kg_status run --rootfs "$TREE" --boot -M sdbad3
        [ "$status" -ne 0 ]
        [[ "$output" == *"--boot: $TREE has no init to boot (looked for /usr/lib/systemd/systemd, /lib/systemd/systemd and /sbin/init"* ]]
        for id in sdbad1 sdbad2 sdbad3; do
                assert_gone "$id"
        done
}
