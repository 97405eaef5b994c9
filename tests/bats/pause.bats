#!/usr/bin/env bats
# Proves pause and resume: a paused container makes no progress (a counter
# stops) and resumes where it was; state says paused; a pause that cannot
# complete gives up after --timeout and leaves the container running; kill,
# kill --all and delete --force work on a paused container; bad requests
# fail with a clear message. Runs on the host (hybrid: cgroup2 freezer at
# /sys/fs/cgroup/unified) and in the test VM.

load helpers
load container_helpers
load cgroup_helpers

@test "pause: a paused container makes no progress; resume restarts it" {
        requires root
        counter_bundle "$BATS_TEST_TMPDIR/b"
        kgd create --bundle "$BATS_TEST_TMPDIR/b" p1
        kg start p1
        wait_count_above "$BATS_TEST_TMPDIR/b/count" 3
        run kg pause p1
        [ "$status" -eq 0 ]
        [ "$(status_of p1)" = paused ]
        a=$(count_of "$BATS_TEST_TMPDIR/b/count")
        sleep 1
        b=$(count_of "$BATS_TEST_TMPDIR/b/count")
        [ "$a" = "$b" ]
        # The cgroup says frozen.
        grep -qx 'frozen 1' "$(cgroup_dir_of p1)/cgroup.events"
        run kg resume p1
        [ "$status" -eq 0 ]
        [ "$(status_of p1)" = running ]
        wait_count_above "$BATS_TEST_TMPDIR/b/count" "$b"
}

@test "pause: pausing twice, resuming a running one, and unknown ids fail clearly" {
        requires root
        counter_bundle "$BATS_TEST_TMPDIR/b"
        kgd create --bundle "$BATS_TEST_TMPDIR/b" p2
        run kg pause p2
        [ "$status" -eq 1 ]
        [[ "$output" == *'container "p2" is not running (it is created)'* ]]
        kg start p2
        run kg resume p2
        [ "$status" -eq 1 ]
        [[ "$output" == *'container "p2" is not paused (it is running)'* ]]
        kg pause p2
        run kg pause p2
        [ "$status" -eq 1 ]
        [[ "$output" == *'container "p2" is already paused'* ]]
        run kg pause nosuch
        [ "$status" -eq 1 ]
        [[ "$output" == *'container "nosuch" does not exist'* ]]
        run kg pause --timeout soon p2
        [ "$status" -eq 1 ]
        [[ "$output" == *'--timeout: "soon" is not a duration'* ]]
}

@test "pause: kill, kill --all and delete --force work on a paused container" {
        requires root
        counter_bundle "$BATS_TEST_TMPDIR/b"
        kgd create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" p3
        kg start p3
        kg pause p3
        run kg kill p3 KILL
        [ "$status" -eq 0 ]
        wait_status p3 stopped
        kg delete p3
        assert_gone p3

        counter_bundle "$BATS_TEST_TMPDIR/c"
        kgd create --bundle "$BATS_TEST_TMPDIR/c" p4
        kg start p4
        kg pause p4
        run kg kill --all p4 KILL
        [ "$status" -eq 0 ]
        wait_status p4 stopped

        counter_bundle "$BATS_TEST_TMPDIR/d"
        kgd create --bundle "$BATS_TEST_TMPDIR/d" --pid-file "$BATS_TEST_TMPDIR/pid5" p5
        kg start p5
        kg pause p5
        pid=$(cat "$BATS_TEST_TMPDIR/pid5")
        run kg delete --force p5
        [ "$status" -eq 0 ]
        assert_gone p5
        assert_dead "$pid"
}

# A process waiting on a FUSE server that never answers cannot be frozen:
# the "server" is /dev/fuse opened here (fd 7) and never read.
@test "pause: a pause that cannot complete times out and leaves the container running" {
        requires root
        [ -e /dev/fuse ] || modprobe fuse
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'mkdir -p /stall; while [ ! -e /stall/go ]; do sleep 0.05; done; stat /stall/x; sleep 1000'
        kgd create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" p6
        kg start p6
        pid=$(cat "$BATS_TEST_TMPDIR/pid")
        for i in $(seq 100); do nsenter -t "$pid" -m test -d /stall && break; sleep 0.1; done
        exec 7<>/dev/fuse
        nsenter -t "$pid" -m mount -t fuse -o fd=7,rootmode=40000,user_id=0,group_id=0 kago-stall /stall
        # The lookup of /stall/go now waits for the server forever.
        sleep 0.5
        run kg pause --timeout 1s p6
        exec 7>&-
        [ "$status" -eq 1 ]
        [[ "$output" == *'timed out after 1000 ms waiting for "frozen 1"'* ]]
        [[ "$output" == *'(thawed again)'* ]]
        [ "$(status_of p6)" = running ]
        grep -qx 'frozen 0' "$(cgroup_dir_of p6)/cgroup.events"
        kg delete --force p6
        assert_gone p6
}

@test "pause: a container without a cgroup cannot be paused, and says why" {
        requires root
        counter_bundle "$BATS_TEST_TMPDIR/b"
        "$KAGO" --root "$ROOT" --cgroup-manager disabled create --bundle "$BATS_TEST_TMPDIR/b" p7 </dev/null >/dev/null 2>&1
        kg start p7
        run kg pause p7
        [ "$status" -eq 1 ]
        [[ "$output" == *'container "p7" has no cgroup (created with --cgroup-manager disabled'* ]]
}

# The same freeze holds a microVM: the VMM (vCPU threads included) is the
# container's process, so freezing the cgroup stops the guest. Progress is
# the guest workload's ticks on its stdout.
use_vm_kernel() {
        export KAGO_VM_KERNEL="${KAGO_VM_KERNEL:-${KAGO_CACHE:-/var/cache/kago}/kernel/vmlinux}"
        [ -r "$KAGO_VM_KERNEL" ] || skip "no guest kernel at $KAGO_VM_KERNEL (make kernel)"
}

@test "pause: a microVM container pauses and resumes like a container" {
        requires root kvm
        use_vm_kernel
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'i=0; while :; do i=$((i+1)); echo tick$i; sleep 0.2; done'
        config "$BATS_TEST_TMPDIR/b" '.annotations["run.oci.handler"] = "microvm"'
        kgd create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" p8
        kg start p8
        # The container's stdout is kgd's ctr.out.new.
        ticks() { grep -c '^tick' "$BATS_TEST_TMPDIR/ctr.out.new" || true; }
        for i in $(seq 900); do [ "$(ticks)" -gt 2 ] && break; sleep 0.2; done
        [ "$(ticks)" -gt 2 ]
        kg pause p8
        [ "$(status_of p8)" = paused ]
        grep -qx 'frozen 1' "$(cgroup_dir_of p8)/cgroup.events"
        sleep 1
        a=$(ticks)
        sleep 3
        [ "$(ticks)" = "$a" ]
        kg resume p8
        for i in $(seq 300); do [ "$(ticks)" -gt "$a" ] && break; sleep 0.2; done
        [ "$(ticks)" -gt "$a" ]
        kg delete --force p8
        assert_gone p8
}

# A pause the guest survives: kago pause parks the vCPUs out of the guest
# before the freeze (the VMM's main thread reads kago-vm-parked meanwhile),
# and resume has each tell KVM the guest was stopped (KVM_KVMCLOCK_CTRL, in
# the VMM's debug log) before it enters again. 60 s paused is three times the
# guest kernel's soft lockup threshold; its kernel log (the serial console,
# kgd's file here) must stay free of lockup and RCU stall reports, and its
# clock must keep the host's.
@test "pause: a microVM paused for 60 s resumes with no stall in its kernel log and its clock right" {
        requires root kvm
        use_vm_kernel
        local b=$BATS_TEST_TMPDIR/b out=$BATS_TEST_TMPDIR/ctr.out.new
        # Each tick forks, so RCU grace periods are always under way.
        bundle "$b" sh -c 'i=0; while :; do i=$((i+1)); echo "tick$i $(date +%s)"; sleep 0.2; done'
        config "$b" '.annotations["run.oci.handler"] = "microvm" | .annotations["kago.vm.serial"] = "true"'
        kgd --log "$BATS_TEST_TMPDIR/log" --debug create --bundle "$b" --pid-file "$BATS_TEST_TMPDIR/pid" p9
        kg start p9
        local vmm
        vmm=$(cat "$BATS_TEST_TMPDIR/pid")
        ticks() { grep -c '^tick' "$out" || true; }
        # Host time less the guest's, at the latest tick.
        clock_gap() { echo $(($(date +%s) - $(grep '^tick' "$out" | tail -n1 | cut -d' ' -f2))); }
        for i in $(seq 900); do [ "$(ticks)" -gt 5 ] && break; sleep 0.2; done
        [ "$(ticks)" -gt 5 ]
        local gap_before
        gap_before=$(clock_gap)
        kg pause p9
        [ "$(cat "/proc/$vmm/comm")" = kago-vm-parked ]
        sleep 60
        kg resume p9
        local a
        a=$(ticks)
        for i in $(seq 300); do [ "$(ticks)" -gt $((a + 10)) ] && break; sleep 0.2; done
        [ "$(ticks)" -gt $((a + 10)) ]
        [ "$(cat "/proc/$vmm/comm")" != kago-vm-parked ]
        grep 'vCPU 0: the guest was told it was paused (KVM_KVMCLOCK_CTRL)' "$BATS_TEST_TMPDIR/log"
        local gap_after
        gap_after=$(clock_gap)
        echo "host - guest clock: ${gap_before}s before, ${gap_after}s after the pause"
        [ $((gap_after - gap_before)) -le 2 ] && [ $((gap_before - gap_after)) -le 2 ]
        run grep -E 'soft lockup|rcu.*stall' "$out"
        [ "$status" -eq 1 ] || { echo "the guest took the pause for a lockup: $output"; false; }
        kg delete --force p9
        assert_gone p9
}
