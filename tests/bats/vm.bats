#!/usr/bin/env bats
# Proves kago's microVM backend (kago run --vm): the workload runs in a KVM
# guest booted by kago's own VMM on the guest kernel from `make kernel`, with
# the bundle's rootfs shared live (a file written in the guest is in the
# bundle), stdout and stderr kept apart, stdin passed in, env/cwd/user
# applied, the workload's exit status (3, 137) as kago's, kill -TERM reaching
# the workload, and --pid-file naming the VMM inside the container's cgroup,
# every one of whose threads runs under a seccomp allowlist of its own.
# kago itself gives a VM container /dev/kvm (the node, owned by the VMM's
# user, and the device-cgroup rule): no bundle here allows it by hand.
# process.terminal with --console-socket gives the guest workload a tty whose
# output comes back through the pty; vm.kernel.initrd is unpacked before
# kago's own initramfs; more than 3 GiB of guest RAM reaches the guest above
# 4 GiB. Faults end cleanly with a message that names them: a guest kernel
# panic (reset), a guest that never gets ready (the boot timeout), the VMM
# killed from the host. Bad input (no KVM, missing kernel or initrd, a VM
# size or boot timeout that does not fit) fails before anything boots and
# leaves nothing behind. The shared root is virtio-fs (kago.vm.rootfs, whose
# bad values are refused before create): the guest reads and writes the
# bundle's files through it. Each boot is costly under nested KVM: nine
# boots in all.

load helpers
load container_helpers

setup_file() {
        _container_setup_file
        export KAGO_VM_KERNEL="${KAGO_VM_KERNEL:-${KAGO_CACHE:-/var/cache/kago}/kernel/vmlinux}"
}

# A bundle whose VM boots: the busybox bundle as it is, with the default
# device rules (deny all but the standard nodes): kago adds /dev/kvm itself.
vm_bundle() {
        bundle "$@"
}

# Fails when FILE has a line matching PATTERN (a bare `! grep` cannot fail a
# bats test: errexit ignores negated commands).
refute_grep() {
        if grep -q -- "$1" "$2"; then
                echo "unexpected '$1' in $2" >&2
                return 1
        fi
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

@test "vm: a missing vm.kernel.initrd is a clear error and leaves nothing behind" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        # The initrd is opened right after the kernel, before /dev/kvm: any
        # readable file does as the kernel here.
        : >"$BATS_TEST_TMPDIR/b/vmlinux"
        config "$BATS_TEST_TMPDIR/b" '.vm = {"kernel": {"path": "vmlinux", "initrd": "/nonexistent/initrd.img"}}'
        run kg run --bundle "$BATS_TEST_TMPDIR/b" v7
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *"vm.kernel.initrd /nonexistent/initrd.img: No such file or directory"* ]]
        assert_gone v7
}

@test "vm: a bad kago.vm.boot-timeout is refused before create" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        for bad in abc 0 -5 3600001 10s; do
                config "$BATS_TEST_TMPDIR/b" ".annotations[\"kago.vm.boot-timeout\"] = \"$bad\""
                run kg run --vm --bundle "$BATS_TEST_TMPDIR/b" v8
                echo "$bad: $output"
                [ "$status" -eq 1 ]
                [[ "$output" == *"annotation kago.vm.boot-timeout '$bad': expected 1 to 3600000 (ms)"* ]]
                assert_gone v8
        done
}

@test "vm: a yes/no kago.vm.* annotation that is neither is refused before create" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        for key in kago.vm.serial kago.vm.pvh; do
                config "$BATS_TEST_TMPDIR/b" ".annotations = {\"$key\": \"yes\"}"
                run kg run --vm --bundle "$BATS_TEST_TMPDIR/b" v8
                echo "$key: $output"
                [ "$status" -eq 1 ]
                [[ "$output" == *"annotation $key 'yes': expected true or false"* ]]
                assert_gone v8
        done
}

@test "vm: without usable KVM, run --vm names KVM as the cause and leaves nothing behind" {
        requires root
        ! _has_kvm || skip "this host has KVM (the no-KVM error is checked where it is absent)"
        requires_vm_kernel
        bundle "$BATS_TEST_TMPDIR/b" true
        # No /dev/kvm: create fails (1). A /dev/kvm that cannot run this guest
        # (a KVM for other guests, such as kvm_pvm) fails once the VM runs,
        # after start, which ends the container's init with 127.
        kg_status run --vm --bundle "$BATS_TEST_TMPDIR/b" v3
        echo "$output"
        [ "$status" -eq 1 ] || [ "$status" -eq 127 ]
        [[ "$output" == *"microvm backend: open /dev/kvm"* || "$output" == *"microVM: KVM_"* ||
                "$output" == *"microVM: vCPU 0: KVM internal error"* ]]
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
        refute_grep to-stderr "$BATS_TEST_TMPDIR/out"
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

@test "vm: create/start/kill -TERM: the pid file is the VMM, in the container's cgroup, its threads confined; TERM reaches the workload" {
        requires root kvm
        requires_vm_kernel
        vm_bundle "$BATS_TEST_TMPDIR/b" sh -c 'trap "echo got-term; exit 7" TERM; echo ready; while :; do sleep 0.2; done'
        config "$BATS_TEST_TMPDIR/b" '.annotations["run.oci.handler"] = "microvm" | del(.linux.seccomp)'
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
        # no seccomp profile in the config: every VMM thread runs under its
        # own allowlist all the same (docs/vmm-seccomp.md), vCPU and host loop
        local task
        for task in /proc/$pid/task/*; do
                grep -H '^Seccomp:' "$task/status"
                grep -q '^Seccomp:[[:space:]]*2' "$task/status"
        done
        [ "$(ls /proc/$pid/task | wc -l)" -ge 2 ]
        kg kill v6 TERM
        wait_status v6 stopped 60
        cat "$out"
        grep -q got-term "$out"
        kg delete v6
        assert_gone v6
        assert_dead "$pid"
}

@test "vm: terminal mode: the guest workload has a tty, its output comes through the pty, its status is kept" {
        requires root kvm
        requires_vm_kernel
        vm_bundle "$BATS_TEST_TMPDIR/b" sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo stdin-and-stdout-are-ttys; read line; echo "got $line"; exit 4'
        config "$BATS_TEST_TMPDIR/b" '.process.terminal = true'
        sock=$(mktemp -u /tmp/kago-console.XXXXXX)
        python3 "$KAGO_SRC/tests/fixtures/console-socket.py" "$sock" "$BATS_TEST_TMPDIR/tty" --record $'typed-in\r' &
        rpid=$!
        for i in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
        kg run --vm --console-socket "$sock" --bundle "$BATS_TEST_TMPDIR/b" v9 </dev/null || rc=$?
        wait "$rpid" || rrc=$?
        rm -f "$sock"
        cat -v "$BATS_TEST_TMPDIR/tty"
        [ "${rc:-0}" -eq 4 ]
        [ "${rrc:-0}" -eq 0 ]
        [[ "$(cat "$BATS_TEST_TMPDIR/tty.name")" == /dev/pts/* ]]
        grep -q '^/dev/' "$BATS_TEST_TMPDIR/tty"
        refute_grep 'not a tty' "$BATS_TEST_TMPDIR/tty"
        grep -q stdin-and-stdout-are-ttys "$BATS_TEST_TMPDIR/tty"
        grep -q "got typed-in" "$BATS_TEST_TMPDIR/tty"
        assert_gone v9
}

@test "vm: vm.kernel.initrd is unpacked before kago's initramfs" {
        requires root kvm
        requires_vm_kernel
        command -v cpio >/dev/null || skip "needs cpio to build an initrd"
        vm_bundle "$BATS_TEST_TMPDIR/b" sh -c 'echo workload-ran; exit 6'
        # The user's initrd brings busybox and /user-init, which the kernel
        # runs (rdinit=) and which hands over to kago's /init. Its own /init
        # must lose to kago's, which comes later in the archive.
        rd="$BATS_TEST_TMPDIR/rd"
        mkdir -p "$rd/bin"
        cp /bin/busybox "$rd/bin/busybox"
        printf '#!/bin/busybox sh\necho user-initrd-ran\nexec /init\n' >"$rd/user-init"
        printf '#!/bin/busybox sh\necho user-initrd-init-ran\nexit 1\n' >"$rd/init"
        chmod 755 "$rd/user-init" "$rd/init"
        (cd "$rd" && find . | cpio -o -H newc --quiet | gzip) >"$BATS_TEST_TMPDIR/b/initrd.gz"
        config "$BATS_TEST_TMPDIR/b" ".vm = {kernel: {path: \"$KAGO_VM_KERNEL\", initrd: \"initrd.gz\", parameters: [\"rdinit=/user-init\"]}}
          | .annotations[\"kago.vm.serial\"] = \"1\""
        kg run --bundle "$BATS_TEST_TMPDIR/b" v10 >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" </dev/null || rc=$?
        echo "stdout: $(cat "$BATS_TEST_TMPDIR/out")"
        echo "stderr (serial console): $(tail -n 20 "$BATS_TEST_TMPDIR/err")"
        [ "${rc:-0}" -eq 6 ]
        grep -qx workload-ran "$BATS_TEST_TMPDIR/out"
        grep -q user-initrd-ran "$BATS_TEST_TMPDIR/err"
        refute_grep user-initrd-init-ran "$BATS_TEST_TMPDIR/err"
        assert_gone v10
}

@test "vm: a guest kernel panic ends the VM with an error naming it, and leaves nothing behind" {
        requires root kvm
        requires_vm_kernel
        # No init to run: the kernel panics, and with kago's panic=-1 resets.
        vm_bundle "$BATS_TEST_TMPDIR/b" true
        config "$BATS_TEST_TMPDIR/b" ".vm = {kernel: {path: \"$KAGO_VM_KERNEL\", parameters: [\"rdinit=/nonexistent\"]}}"
        kg_status run --bundle "$BATS_TEST_TMPDIR/b" v11
        echo "$output"
        # a failure after start ends the container's init with 127, as a
        # workload that cannot be executed does (a hang would give 124)
        [ "$status" -eq 127 ]
        [[ "$output" == *"microVM: guest kernel reset before the workload started (kernel panic or reboot"* ]]
        assert_gone v11
}

@test "vm: a guest that never gets ready is ended by kago.vm.boot-timeout, leaving nothing behind" {
        requires root kvm
        requires_vm_kernel
        # No init in the initramfs: the kernel waits rootdelay (600 s) for a
        # root device, sleeping. (A panicked kernel spinning with interrupts
        # off would do too, but under the test VM's emulated nested KVM such
        # a guest can hold its host CPU.)
        vm_bundle "$BATS_TEST_TMPDIR/b" true
        config "$BATS_TEST_TMPDIR/b" ".vm = {kernel: {path: \"$KAGO_VM_KERNEL\", parameters: [\"rdinit=/nonexistent\", \"rootdelay=600\"]}}
          | .annotations[\"kago.vm.boot-timeout\"] = \"8000\""
        SECONDS=0
        kg_status run --bundle "$BATS_TEST_TMPDIR/b" v12
        echo "$output (after ${SECONDS}s)"
        [ "$status" -eq 127 ]
        [[ "$output" == *"microVM: guest did not start the workload within the 8000 ms boot timeout"* ]]
        [ "$SECONDS" -ge 8 ]
        assert_gone v12
}

@test "vm: 3.5 GiB of guest RAM reaches the guest; /dev/kvm is the VMM user's; the VMM killed: stopped, delete cleans up" {
        requires root kvm
        requires_vm_kernel
        vm_bundle "$BATS_TEST_TMPDIR/b" sh -c 'grep MemTotal /proc/meminfo; echo ready; while :; do sleep 1; done'
        # a config that denies /dev/kvm outright still gets its VM: kago's rule comes last
        config "$BATS_TEST_TMPDIR/b" '.annotations = {"run.oci.handler": "microvm", "kago.vm.memory": "3584M"}
          | .process.user = {"uid": 1000, "gid": 1000}
          | .linux.resources.devices += [{"allow": false, "type": "c", "major": 10, "minor": 232, "access": "rwm"}]'
        out="$BATS_TEST_TMPDIR/vm.out"
        kg create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" v13 </dev/null >"$out" 2>&1
        pid=$(cat "$BATS_TEST_TMPDIR/pid")
        # the node kago made, in the container's /dev, for the VMM's user
        [ "$(stat -c '%F %t:%T %u:%g %a' "/proc/$pid/root/dev/kvm")" = "character special file a:e8 1000:1000 600" ]
        kg start v13
        for i in $(seq 600); do grep -q ready "$out" && break; sleep 0.2; done
        cat "$out"
        grep -q ready "$out"
        # the VMM runs as process.user
        [ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = 1000 ]
        kib=$(awk '/^MemTotal:/ {print $2}' "$out")
        echo "guest MemTotal: $kib kB"
        [ "$kib" -gt $((3 * 1024 * 1024)) ]
        [ "$kib" -le $((3584 * 1024)) ]
        # the container's device rules allow /dev/kvm, and still do after an
        # update replaces them (a process in its cgroup opens the node; one
        # that is not allowed, /dev/kmsg, shows the rules are in force)
        if _has_cgroup2; then
                cg=/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
                probe() { sh -c 'echo $$ >"$1/cgroup.procs" && exec 3<>"$2"' probe "$cg" "$1"; }
                probe "/proc/$pid/root/dev/kvm"
                if probe /dev/kmsg; then echo "/dev/kmsg opened: no device rules" >&2; false; fi
                echo '{"devices": [{"allow": false, "access": "rwm"}]}' | kg update --resources - v13
                probe "/proc/$pid/root/dev/kvm"
        fi
        kill -KILL "$pid"
        wait_status v13 stopped 60
        kg delete v13
        assert_gone v13
        assert_dead "$pid"
}

@test "vm: a bad kago.vm.rootfs is refused before create, naming the annotation and the value" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        config "$BATS_TEST_TMPDIR/b" '.annotations["kago.vm.rootfs"] = "nfs"'
        run kg run --vm --bundle "$BATS_TEST_TMPDIR/b" v14
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *"annotation kago.vm.rootfs 'nfs': expected 9p or virtiofs"* ]]
        assert_gone v14
}

@test "vm: kago.vm.rootfs=virtiofs and 9p: the guest's root is shared, every kind of file operation reaches the bundle rootfs" {
        requires root kvm
        requires_vm_kernel
        # besides reads and writes, the calls the file servers make under the
        # VMM's seccomp allowlist: access, links, modes, times, sizes, fifos, statfs
        vm_bundle "$BATS_TEST_TMPDIR/b" sh -c 'grep " / " /proc/mounts; cat /etc/vfs-in; mkdir -p /tmp/vfs-d; echo written-over-virtiofs >/tmp/vfs-d/new; mv /tmp/vfs-d/new /tmp/vfs-out; rmdir /tmp/vfs-d; ls /tmp/vfs-out; cat /tmp/vfs-out; dd if=/bin/busybox of=/tmp/vfs-copy bs=65536 2>/dev/null
                test -x /bin/busybox && echo access-ok; ln -s vfs-out /tmp/vfs-link; readlink /tmp/vfs-link
                cp /tmp/vfs-out /tmp/vfs-t; ln /tmp/vfs-t /tmp/vfs-hard; chmod 600 /tmp/vfs-hard; truncate -s 5 /tmp/vfs-hard
                touch -d "2020-01-02 03:04:05" /tmp/vfs-hard; cat /tmp/vfs-t; echo; mkfifo /tmp/vfs-fifo; df / >/dev/null && echo statfs-ok; sync
                stat -c "%a %Y" /tmp/vfs-t; rm /tmp/vfs-link /tmp/vfs-hard /tmp/vfs-t /tmp/vfs-fifo; echo done'
        rootfs=$(jq -r .root.path "$BATS_TEST_TMPDIR/b/config.json")
        local fs
        for fs in virtiofs 9p; do
                config "$BATS_TEST_TMPDIR/b" ".annotations[\"kago.vm.rootfs\"] = \"$fs\""
                rm -rf "$rootfs/tmp/vfs-out" "$rootfs/tmp/vfs-d" "$rootfs/tmp/vfs-copy"
                echo read-from-host >"$rootfs/etc/vfs-in"
                run kg run --vm --bundle "$BATS_TEST_TMPDIR/b" v15
                echo "$output"
                rm -f "$rootfs/etc/vfs-in"
                [ "$status" -eq 0 ]
                [[ "$output" == *"kagoroot / $fs"* ]]
                [[ "$output" == *"read-from-host"* ]]
                [[ "$output" == *"written-over-virtiofs"* ]]
                [[ "$output" == *access-ok*vfs-out*writt*statfs-ok*"600 1577934245"*done* ]]
                [ "$(cat "$rootfs/tmp/vfs-out")" = written-over-virtiofs ]
                [ ! -e "$rootfs/tmp/vfs-d" ] && [ ! -e "$rootfs/tmp/vfs-t" ] && [ ! -e "$rootfs/tmp/vfs-fifo" ]
                cmp "$rootfs/bin/busybox" "$rootfs/tmp/vfs-copy"
                rm -f "$rootfs/tmp/vfs-out" "$rootfs/tmp/vfs-copy"
                assert_gone v15
        done
}
