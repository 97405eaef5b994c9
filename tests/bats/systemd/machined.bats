#!/usr/bin/env bats
# Proves systemd-machined registration (annotation kago.machined=true, kago
# run --register): with systemd as PID 1 (the test VM under tests/vm/run
# --systemd) and the systemd cgroup driver, a container and a microVM are
# machines that machinectl lists with their class, shows with their leader
# and root, terminates and kills; delete, and delete --force after the
# leader was killed, leave no machine. A --boot tree (systemd as PID 1)
# gives machinectl shell and login, and machinectl reboot and poweroff
# reach its systemd. Without the systemd driver, or with a bad value, create
# is refused naming the annotation and leaves nothing behind.

load ../helpers
load ../container_helpers

ksd() {
        "$KAGO" --root "$ROOT" --systemd-cgroup "$@"
}

machine_listed() { # NAME [CLASS]
        machinectl list --no-legend 2>/dev/null | grep -Eq "^$1 +${2:-[a-z]+} +kago"
}

# machinectl terminate $1 stops the container (within $2 s, default 20);
# kago delete then leaves neither machine nor container.
terminate_and_delete() {
        machinectl terminate "$1"
        wait_status "$1" stopped "${2:-20}"
        ksd delete "$1"
        ! machine_listed "$1" || false
        assert_gone "$1"
}

# A registered machine $1 from bundle dir $2 (cgroupsPath in system.slice).
registered() {
        config "$2" '.linux.cgroupsPath = "system.slice:kago:'"$1"'" | .annotations["kago.machined"] = "true"'
        ksd run -d --bundle "$2" "$1" >"$BATS_TEST_TMPDIR/$1.out" 2>&1 ||
                { cat "$BATS_TEST_TMPDIR/$1.out" >&2; false; }
}

@test "machined: without the systemd driver, or with a bad value, create is refused and leaves nothing" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        config "$BATS_TEST_TMPDIR/b" '.annotations["kago.machined"] = "true"'
        kg_status run --bundle "$BATS_TEST_TMPDIR/b" mr1
        [ "$status" -ne 0 ]
        [[ "$output" == *"annotation kago.machined: systemd-machined registers the systemd unit the container runs in: use the systemd cgroup driver (kago --systemd-cgroup)"* ]]
        assert_gone mr1
        config "$BATS_TEST_TMPDIR/b" '.annotations["kago.machined"] = "maybe"'
        kg_status run --bundle "$BATS_TEST_TMPDIR/b" mr2
        [ "$status" -ne 0 ]
        [[ "$output" == *"annotation kago.machined 'maybe': must be true or false"* ]]
        assert_gone mr2
        kg_status run --rootfs "$BUSYBOX_ROOTFS" --register -M mr3 -- true
        [ "$status" -ne 0 ]
        [[ "$output" == *"use the systemd cgroup driver"* ]]
        assert_gone mr3
}

@test "machined: a registered container is listed, shown and terminated; delete leaves no machine" {
        requires root systemd
        command -v machinectl >/dev/null || skip "no machinectl (systemd-container)"
        # As PID 1 of its namespace the workload must handle SIGTERM itself,
        # or terminate waits out systemd's stop timeout before SIGKILL.
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'trap "exit 0" TERM; sleep 1000 & wait'
        registered mc1 "$BATS_TEST_TMPDIR/b"
        machine_listed mc1 container
        pid=$(jq -r .pid "$ROOT/mc1/state.json")
        machinectl status mc1 --no-pager | grep -q "Leader: $pid"
        machinectl status mc1 --no-pager | grep -q "Root: $BUSYBOX_ROOTFS"
        terminate_and_delete mc1
        # a leader killed behind kago's back (SIGKILL through machinectl kill):
        # delete --force leaves no machine either
        registered mc2 "$BATS_TEST_TMPDIR/b"
        machine_listed mc2 container
        machinectl kill --kill-whom=leader --signal=KILL mc2
        wait_status mc2 stopped
        ksd delete --force mc2
        ! machine_listed mc2 || false
        assert_gone mc2
}

@test "machined: a registered microVM is a machine of class vm led by its VMM" {
        requires root systemd kvm
        command -v machinectl >/dev/null || skip "no machinectl (systemd-container)"
        export KAGO_VM_KERNEL="${KAGO_VM_KERNEL:-${KAGO_CACHE:-/var/cache/kago}/kernel/vmlinux}"
        [ -r "$KAGO_VM_KERNEL" ] || skip "no guest kernel at $KAGO_VM_KERNEL (make kernel)"
        bundle "$BATS_TEST_TMPDIR/v" sleep 1000
        config "$BATS_TEST_TMPDIR/v" '.vm = {"kernel": {"path": env.KAGO_VM_KERNEL}}'
        registered mv1 "$BATS_TEST_TMPDIR/v"
        machine_listed mv1 vm
        machinectl status mv1 --no-pager | grep -q "Leader: $(jq -r .pid "$ROOT/mv1/state.json")"
        terminate_and_delete mv1 60
}

@test "machined: a standalone tree (kago run --rootfs) registers, with its address, as a container and as a microVM" {
        requires root systemd
        command -v machinectl >/dev/null || skip "no machinectl (systemd-container)"
        ksd run -d --rootfs "$BUSYBOX_ROOTFS" --register -M ms1 --network-veth \
                --annotation kago.net.address=10.77.0.2/24 -- sh -c 'trap "exit 0" TERM; sleep 1000 & wait' \
                </dev/null >"$BATS_TEST_TMPDIR/ms1.out" 2>&1 || { cat "$BATS_TEST_TMPDIR/ms1.out" >&2; false; }
        machine_listed ms1 container
        machinectl status ms1 --no-pager | grep -q "Root: $BUSYBOX_ROOTFS"
        machinectl status ms1 --no-pager | grep -q "Address: 10.77.0.2"
        terminate_and_delete ms1
        export KAGO_VM_KERNEL="${KAGO_VM_KERNEL:-${KAGO_CACHE:-/var/cache/kago}/kernel/vmlinux}"
        _has_kvm && [ -r "$KAGO_VM_KERNEL" ] || skip "no KVM or no guest kernel for the microVM half"
        ksd run -d --rootfs "$BUSYBOX_ROOTFS" --register -M ms2 --vm --vm-kernel "$KAGO_VM_KERNEL" \
                -- sleep 1000 </dev/null >"$BATS_TEST_TMPDIR/ms2.out" 2>&1 ||
                { cat "$BATS_TEST_TMPDIR/ms2.out" >&2; false; }
        machine_listed ms2 vm
        terminate_and_delete ms2 60
}

# The leader machined records for machine $1.
leader_of() {
        machinectl show "$1" -p Leader --value 2>/dev/null
}

# A registered --boot container $1 (a tree from systemd_tree) whose systemd
# finished booting, run in the foreground in the background (boot_bg).
booted_machine() {
        systemd_tree "$BATS_TEST_TMPDIR/t"
        BOOT_GLOBAL=--systemd-cgroup boot_bg "$1" "$BATS_TEST_TMPDIR/t" --register
        wait_status "$1" running 300
        wait_booted "$1"
        machine_listed "$1" container
}

# The foreground kago of booted_machine $1 exited 0 (its systemd halted or
# powered off, not SIGKILLed), and neither machine nor container remains.
shut_down_cleanly() {
        wait "$BOOT_SHELL"
        [ "$(cat "$BATS_TEST_TMPDIR/$1.rc")" = 0 ] || { cat "$BATS_TEST_TMPDIR/$1.out" >&2; false; }
        ! machine_listed "$1" || false
        assert_gone "$1"
}

@test "machined: a --boot container gives machinectl shell and login; reboot and poweroff reach its systemd" {
        requires root systemd
        command -v machinectl >/dev/null || skip "no machinectl (systemd-container)"
        booted_machine mb1
        # status reads the OS from the tree's os-release
        machinectl status mb1 --no-pager | grep -q "OS: $(. /usr/lib/os-release && echo "$PRETTY_NAME")"
        out=$(timeout 300 machinectl shell mb1 /bin/sh -c 'echo "shell in $(cat /proc/1/comm)"' </dev/null 2>&1) || true
        [[ "$out" == *"shell in systemd"* ]] || { echo "$out" >&2; false; }
        out=$(sleep 30 | timeout 120 machinectl login mb1 2>&1) || true
        [[ "$out" == *"login:"* ]] || { echo "$out" >&2; false; }
        # reboot: systemd restarts the machine, kago runs the tree again and
        # registers it anew, led by the new init.
        first=$(leader_of mb1)
        machinectl reboot mb1
        for ((i = 0; i < 3000; i++)); do
                l=$(leader_of mb1) && [ -n "$l" ] && [ "$l" != "$first" ] && break
                sleep 0.1
        done
        [ -n "$l" ] && [ "$l" != "$first" ]
        [ "$l" = "$(jq -r .pid "$ROOT/mb1/state.json")" ]
        wait_booted mb1
        machinectl poweroff mb1
        shut_down_cleanly mb1
}

@test "machined: terminate halts a --boot container's systemd cleanly (SIGRTMIN+3)" {
        requires root systemd
        command -v machinectl >/dev/null || skip "no machinectl (systemd-container)"
        booted_machine mb2
        unit=$(machinectl show mb2 -p Unit --value)
        [ "$(systemctl show "$unit" -p KillSignal --value)" = "$(($(kill -l RTMIN) + 3))" ]
        machinectl terminate mb2
        shut_down_cleanly mb2
}
