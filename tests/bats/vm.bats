#!/usr/bin/env bats
# Proves kago's microVM backend (kago run --vm): the workload runs in a KVM
# guest booted by kago's own VMM on the guest kernel from `make kernel`, with
# the bundle's rootfs shared live (a file written in the guest is in the
# bundle), stdout and stderr kept apart, stdin passed in, env/cwd/user
# applied, the workload's exit status (3, 137) as kago's, kill -TERM reaching
# the workload, and --pid-file naming the VMM inside the container's cgroup.
# Bad input (no KVM, missing kernel, a VM size that does not fit) fails
# before anything boots and leaves nothing behind. Each boot is costly under
# nested KVM: three boots in all.

load helpers
load container_helpers

setup_file() {
        _container_setup_file
        export KAGO_VM_KERNEL="${KAGO_VM_KERNEL:-${KAGO_CACHE:-/var/cache/kago}/kernel/vmlinux}"
}

# A bundle whose VM boots: the busybox bundle plus /dev/kvm allowed by the
# device rules (cgroup v2 only: elsewhere there are no device rules to pass).
vm_bundle() {
        bundle "$@"
        _has_cgroup2 || return 0
        config "$1" '.linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 232, "access": "rwm"}]'
}

requires_vm_kernel() {
        [ -r "$KAGO_VM_KERNEL" ] || skip "no guest kernel at $KAGO_VM_KERNEL (make kernel)"
}

@test "vm: a missing kernel is a clear error and leaves nothing behind" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        config "$BATS_TEST_TMPDIR/b" '.vm = {"kernel": {"path": "/nonexistent/vmlinux"}}'
        run kg run --bundle "$BATS_TEST_TMPDIR/b" v1
        [ "$status" -eq 1 ]
        [[ "$output" == *"vm.kernel.path /nonexistent/vmlinux: No such file or directory"* ]]
        assert_gone v1
}

@test "vm: a VM size that does not fit is refused before create" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        config "$BATS_TEST_TMPDIR/b" '.annotations["kago.vm.memory"] = "1M"'
        run kg run --vm --bundle "$BATS_TEST_TMPDIR/b" v2
        [ "$status" -eq 1 ]
        [[ "$output" == *"kago.vm.memory"*"must be 32 MiB"* ]]
        assert_gone v2
        config "$BATS_TEST_TMPDIR/b" '.annotations = {"kago.vm.cpus": "0"}'
        run kg run --vm --bundle "$BATS_TEST_TMPDIR/b" v2
        [ "$status" -eq 1 ]
        [[ "$output" == *"kago.vm.cpus '0'"* ]]
        config "$BATS_TEST_TMPDIR/b" '.annotations = {} | .linux.resources.memory = {"limit": 16777216}'
        run kg run --vm --bundle "$BATS_TEST_TMPDIR/b" v2
        [ "$status" -eq 1 ]
        [[ "$output" == *"too small for a VM"* ]]
        assert_gone v2
}

@test "vm: without usable KVM, run --vm names /dev/kvm and leaves nothing behind" {
        requires root
        ! _has_kvm || skip "this host has KVM (the no-KVM error is checked where it is absent)"
        requires_vm_kernel
        bundle "$BATS_TEST_TMPDIR/b" true
        run kg run --vm --bundle "$BATS_TEST_TMPDIR/b" v3
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *"microvm backend: open /dev/kvm"* || "$output" == *"microVM: KVM_"* ]]
        assert_gone v3
}

@test "vm: run --vm: stdout/stderr apart, stdin, env/cwd/user, exit status, rootfs shared live" {
        requires root kvm
        requires_vm_kernel
        vm_bundle "$BATS_TEST_TMPDIR/b" sh -c 'read line; echo "got $line"; echo "to-stderr" >&2; echo "FOO=$FOO cwd=$(pwd) uid=$(id -u) gid=$(id -g) groups=$(id -G)"; echo written-in-guest >/tmp/from-guest; exit 3'
        config "$BATS_TEST_TMPDIR/b" '.process.env += ["FOO=bar"] | .process.cwd = "/tmp" | .process.user = {"uid": 1000, "gid": 1000, "additionalGids": [2000]}'
        rootfs=$(jq -r .root.path "$BATS_TEST_TMPDIR/b/config.json")
        rm -f "$rootfs/tmp/from-guest"
        echo hello | kg run --vm --bundle "$BATS_TEST_TMPDIR/b" v4 >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || rc=$?
        echo "stdout: $(cat "$BATS_TEST_TMPDIR/out")"
        echo "stderr: $(cat "$BATS_TEST_TMPDIR/err")"
        [ "${rc:-0}" -eq 3 ]
        grep -qx "got hello" "$BATS_TEST_TMPDIR/out"
        grep -qx "FOO=bar cwd=/tmp uid=1000 gid=1000 groups=1000 2000" "$BATS_TEST_TMPDIR/out"
        ! grep -q to-stderr "$BATS_TEST_TMPDIR/out"
        grep -qx to-stderr "$BATS_TEST_TMPDIR/err"
        [ "$(cat "$rootfs/tmp/from-guest")" = written-in-guest ]
        assert_gone v4
}

@test "vm: a workload killed by SIGKILL in the guest gives 137" {
        requires root kvm
        requires_vm_kernel
        vm_bundle "$BATS_TEST_TMPDIR/b" sh -c 'kill -9 $$'
        run kg run --vm --bundle "$BATS_TEST_TMPDIR/b" v5
        [ "$status" -eq 137 ]
        assert_gone v5
}

@test "vm: create/start/kill -TERM: the pid file is the VMM, in the container's cgroup; TERM reaches the workload" {
        requires root kvm
        requires_vm_kernel
        vm_bundle "$BATS_TEST_TMPDIR/b" sh -c 'trap "echo got-term; exit 7" TERM; echo ready; while :; do sleep 0.2; done'
        config "$BATS_TEST_TMPDIR/b" '.annotations["run.oci.handler"] = "microvm"'
        out="$BATS_TEST_TMPDIR/vm.out"
        kg create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" v6 </dev/null >"$out" 2>&1
        pid=$(cat "$BATS_TEST_TMPDIR/pid")
        [ "$(status_of v6)" = created ]
        kg start v6
        [ "$(status_of v6)" = running ]
        # the pid holds the KVM VM (it is the VMM) and sits in the container's cgroup
        for i in $(seq 100); do ls -l /proc/$pid/fd 2>/dev/null | grep -q 'anon_inode:kvm-vm' && break; sleep 0.2; done
        ls -l /proc/$pid/fd | grep -q 'anon_inode:kvm-vm'
        grep -q "v6" "/proc/$pid/cgroup"
        for i in $(seq 600); do grep -q ready "$out" && break; sleep 0.2; done
        cat "$out"
        grep -q ready "$out"
        kg kill v6 TERM
        wait_status v6 stopped 60
        cat "$out"
        grep -q got-term "$out"
        kg delete v6
        assert_gone v6
        assert_dead "$pid"
}
