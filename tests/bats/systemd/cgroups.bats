#!/usr/bin/env bats
# Proves the systemd cgroup driver (--systemd-cgroup, --cgroup-manager
# systemd) with a real systemd as PID 1 (the test VM under tests/vm/run
# --systemd): the container runs in a transient scope with Delegate=yes
# named from cgroupsPath "slice:prefix:name", org.systemd.property.*
# annotations reach the unit, limits land in the scope's cgroup, pause works
# there, and delete removes the scope.

load ../helpers
load ../container_helpers
load ../cgroup_helpers

ksd() {
        "$KAGO" --root "$ROOT" --systemd-cgroup "$@"
}

unit_prop() {
        systemctl show -p "$2" --value "$1"
}

@test "systemd: the container's scope exists with Delegate=yes while it runs, gone after delete" {
        requires root systemd
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        config "$BATS_TEST_TMPDIR/b" '.linux.cgroupsPath = "system.slice:kago:sd1"
                | .annotations["org.systemd.property.TimeoutStopUSec"] = "uint64 7000000"
                | .linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 30}}'
        ksd create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" sd1 </dev/null >/dev/null 2>&1
        ksd start sd1
        [ "$(unit_prop kago-sd1.scope ActiveState)" = active ]
        [ "$(unit_prop kago-sd1.scope Delegate)" = yes ]
        [ "$(unit_prop kago-sd1.scope TimeoutStopUSec)" = 7s ]
        [ "$(jq -r .cgroupPath "$ROOT/sd1/state.json")" = /system.slice/kago-sd1.scope ]
        grep -qx '0::/system.slice/kago-sd1.scope' "/proc/$(cat "$BATS_TEST_TMPDIR/pid")/cgroup"
        [ "$(cg_file sd1 memory.max)" = 67108864 ]
        [ "$(cg_file sd1 pids.max)" = 30 ]
        ksd pause sd1
        [ "$(status_of sd1)" = paused ]
        ksd resume sd1
        [ "$(status_of sd1)" = running ]
        ksd delete --force sd1
        [ "$(unit_prop kago-sd1.scope ActiveState)" != active ]
        [ ! -d /sys/fs/cgroup/system.slice/kago-sd1.scope ]
        assert_gone sd1
}

@test "systemd: a bad cgroupsPath or property fails clearly and leaves no scope" {
        requires root systemd
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        config "$BATS_TEST_TMPDIR/b" '.linux.cgroupsPath = "/not/a/slice/form"'
        run ksd create --bundle "$BATS_TEST_TMPDIR/b" sd2 </dev/null
        [ "$status" -eq 1 ]
        [[ "$output" == *'expects "slice:prefix:name"'* ]]
        assert_gone sd2
        config "$BATS_TEST_TMPDIR/b" '.linux.cgroupsPath = "system.slice:kago:sd3"
                | .annotations["org.systemd.property.Bad-Name"] = "1"'
        run ksd create --bundle "$BATS_TEST_TMPDIR/b" sd3 </dev/null
        [ "$status" -eq 1 ]
        [[ "$output" == *'"Bad-Name" is not a unit property name'* ]]
        assert_gone sd3
        [ "$(unit_prop kago-sd3.scope ActiveState)" != active ]
}

@test "systemd: a container that exited by itself is deleted cleanly (systemd removed its scope)" {
        requires root systemd
        bundle "$BATS_TEST_TMPDIR/b" true
        config "$BATS_TEST_TMPDIR/b" '.linux.cgroupsPath = "system.slice:kago:sd4"'
        ksd create --bundle "$BATS_TEST_TMPDIR/b" sd4 </dev/null >/dev/null 2>&1
        ksd start sd4
        wait_status sd4 stopped
        run ksd delete sd4
        echo "$output"
        [ "$status" -eq 0 ]
        assert_gone sd4
        [ "$(unit_prop kago-sd4.scope ActiveState)" != active ]
}
