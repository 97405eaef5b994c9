#!/usr/bin/env bats
# Proves kago checkpoint and kago restore of microVMs (kago's own snapshot,
# no CRIU): a counter in the guest continues from where it was, with the
# files it holds open on the shared root, one written and one read
# (virtio-fs tables restored), and its
# disk, which a restore refuses once it has changed since; the memory image
# is sparse (and read in whole with --prefault); --leave-running keeps the
# VM running, and three clones restored from one image run at once, each
# drawing different random numbers (the guest is reseeded on restore); a
# second restore of one image takes --clone, and a clone whose config names
# a hostname gets it. kago restore --check lists the VM's checks (state
# file, vCPUs and RAM, memory file, CPUID, TSC, kernel, disks;
# kago-checkpoint.json names the VM too). Refused with the reason, and
# leaving nothing behind: a restore whose config makes another VM (memory)
# or names another kernel, an image whose guest saw CPUID features this
# host lacks (edited in), a truncated memory image, a flipped byte in the
# state file, CRIU's flags, a paused microVM, a checkpoint while a kago exec
# session runs in the guest. Needs KVM: runs in the test VM. Each boot is
# costly under nested KVM: two boots.

load helpers
load container_helpers

setup_file() {
        _container_setup_file
        export KAGO_VM_KERNEL="${KAGO_VM_KERNEL:-${KAGO_CACHE:-/var/cache/kago}/kernel/vmlinux}"
}

# The log holds 1, 2, 3, ... with no gap and no restart.
assert_log_sequential() {
        awk 'NR != $1 { print "line " NR " holds " $1; bad = 1 } END { exit bad }' "$1"
}

# A microVM counting into DIR/count/log through fd 3, opened for writing
# before the loop, and copying DIR/count/in (1, 2, 3, ...) to
# DIR/count/read a line a round, read through fd 4, opened before the loop.
vm_counter_bundle() { # DIR
        counter_bundle "$1"
        seq 100000 >"$1/count/in"
        config "$1" '.annotations["run.oci.handler"] = "microvm" | .process.args = ["sh", "-c",
                "exec 3>>/count/log 4</count/in; i=0; while :; do i=$((i+1)); echo $i >/count/n; echo $i >&3; read -r l <&4 && echo $l >>/count/read; sleep 0.1; done"]'
}

# A microVM that logs a counter and a random number ("I HEX") to /out/log
# and the counter to /out/n, every 0.2 s.
rand_bundle() { # DIR OUT_DIR
        bundle "$1" sh -c 'i=0; while :; do i=$((i+1)); echo "$i $(head -c 16 /dev/urandom | od -An -tx1 | tr -d " \n")" >>/out/log; hostname >/out/host.new; mv /out/host.new /out/host; echo $i >/out/n; sleep 0.2; done'
        mkdir -p "$2"
        config "$1" ".annotations[\"run.oci.handler\"] = \"microvm\" | .mounts += [{\"destination\":\"/out\",\"type\":\"bind\",\"source\":\"$2\",\"options\":[\"rbind\"]}]"
}

@test "vm checkpoint/restore: a counter continues where it was, with its open file; the memory image is sparse" {
        requires root kvm
        requires_vm_kernel
        local b=$BATS_TEST_TMPDIR/b img=$BATS_TEST_TMPDIR/img
        vm_counter_bundle "$b"
        truncate -s 1M "$b/disk.img" # a disk the guest sees as /dev/vda
        config "$b" '.annotations["kago.vm.disk.0"] = "disk.img"'
        kgd run -d --bundle "$b" v1
        wait_count_above "$b/count" 3
        run kg checkpoint --image-path "$img" v1
        [ "$status" -eq 0 ] || { echo "$output"; false; }
        assert_gone v1
        jq -e '.mode == "microvm" and .id == "v1" and .vm.vcpus == 1 and .vm.memory == 134217728 and
                (.vm.kernel | startswith("build-id ")) and .vm.tscKhz > 0 and .vm.cpuidLeaves > 0' \
                "$img/kago-checkpoint.json" || { cat "$img/kago-checkpoint.json"; false; }
        [ -s "$img/vm-state.img" ]
        # 128 MiB of guest RAM, most of it never written: holes.
        [ "$(stat -c %s "$img/vm-memory.img")" -eq $((128 << 20)) ]
        [ "$(du -k "$img/vm-memory.img" | cut -f1)" -lt $((96 << 10)) ]
        local n
        n=$(count_of "$b/count")
        sleep 1
        [ "$(count_of "$b/count")" -eq "$n" ] # the guest runs no more

        run kg restore --check --image-path "$img" --bundle "$b" v2
        [ "$status" -eq 0 ] || { echo "$output"; false; }
        echo "$output"
        # The manifest's rows, then the VM's: the state file, vCPUs and RAM,
        # the memory file, CPUID, TSC, kernel, disks.
        [ "$(grep -c ' ok ' <<<"$output")" -eq 12 ]
        [[ "$output" == *"disks        ok     1 as they were at the checkpoint"* ]]
        [[ "$output" == *"kernel       ok     image build-id "* ]]
        run kgd restore -d --prefault --image-path "$img" --bundle "$b" v2
        [ "$status" -eq 0 ] || { echo "$output"; false; }
        [ "$(status_of v2)" = running ]
        wait_count_above "$b/count" $((n + 3))
        # The same guest process, through the fds it opened before, one
        # written and one read: no restart, no gap.
        assert_log_sequential "$b/count/log"
        assert_log_sequential "$b/count/read"
        [ "$(wc -l <"$b/count/read")" -ge $((n + 3)) ]
        # Checkpointed again into the directory it was restored from: its
        # memory file is replaced, not truncated under the running VM.
        run kg checkpoint --leave-running --image-path "$img" v2
        [ "$status" -eq 0 ] || { echo "$output"; false; }
        n=$(count_of "$b/count")
        wait_count_above "$b/count" $((n + 3))
        assert_log_sequential "$b/count/log"
        [ ! -e "$img/vm-memory.img.new" ] && [ ! -e "$img/kago-restored" ]
        kg delete --force v2
        assert_gone v2
        # A disk written since the checkpoint does not match the guest's memory.
        printf x | dd of="$b/disk.img" bs=1 seek=4096 conv=notrunc status=none
        run kgd restore -d --clone --image-path "$img" --bundle "$b" v3
        [ "$status" -ne 0 ]
        [[ "$output" == *"disks: disk 0 (/dev/vda) changed since the checkpoint"* ]]
        assert_gone v3
}

@test "vm checkpoint: --leave-running keeps the VM; three clones of its image run at once with their own random numbers" {
        requires root kvm
        requires_vm_kernel
        local img=$BATS_TEST_TMPDIR/img i
        rand_bundle "$BATS_TEST_TMPDIR/b0" "$BATS_TEST_TMPDIR/o0"
        kgd run -d --bundle "$BATS_TEST_TMPDIR/b0" r0
        wait_count_above "$BATS_TEST_TMPDIR/o0" 2
        run kg checkpoint --leave-running --image-path "$img" r0
        [ "$status" -eq 0 ] || { echo "$output"; false; }
        [ "$(status_of r0)" = running ]
        local n0
        n0=$(count_of "$BATS_TEST_TMPDIR/o0")
        wait_count_above "$BATS_TEST_TMPDIR/o0" $((n0 + 2)) # it runs on
        for i in 1 2 3; do
                rand_bundle "$BATS_TEST_TMPDIR/b$i" "$BATS_TEST_TMPDIR/o$i"
        done
        config "$BATS_TEST_TMPDIR/b3" '.hostname = "clone3"'
        run kgd restore -d --image-path "$img" --bundle "$BATS_TEST_TMPDIR/b1" r1
        [ "$status" -eq 0 ] || { echo "$output"; false; }
        # A second restore of one image is an identical clone: it takes --clone.
        run kgd restore -d --image-path "$img" --bundle "$BATS_TEST_TMPDIR/b2" r2
        [ "$status" -ne 0 ]
        [[ "$output" == *'was restored before, as "r1": another restore makes an identical clone of it; say --clone'* ]]
        assert_gone r2
        for i in 2 3; do
                run kgd restore -d --clone --image-path "$img" --bundle "$BATS_TEST_TMPDIR/b$i" "r$i"
                [ "$status" -eq 0 ] || { echo "$output"; false; }
        done
        for i in 1 2 3; do
                wait_count_above "$BATS_TEST_TMPDIR/o$i" $((n0 + 3))
                [ "$(status_of "r$i")" = running ]
        done
        # The same draw (the same counter value, after the restore) differs
        # in each: the original and the three clones.
        local k draws
        k=$(for i in 0 1 2 3; do tail -n1 "$BATS_TEST_TMPDIR/o$i/log" | cut -d' ' -f1; done | sort -n | head -n1)
        [ "$k" -gt "$((n0 + 2))" ]
        draws=$(for i in 0 1 2 3; do awk -v k="$k" '$1 == k && length($2) == 32 { print $2 }' "$BATS_TEST_TMPDIR/o$i/log"; done)
        echo "draw $k: $draws"
        [ "$(sort -u <<<"$draws" | wc -l)" -eq 4 ]
        # The clone whose config names a hostname has it; the others keep the image's.
        [ "$(cat "$BATS_TEST_TMPDIR/o3/host")" = clone3 ]
        local h0 h1
        h0=$(cat "$BATS_TEST_TMPDIR/o0/host") h1=$(cat "$BATS_TEST_TMPDIR/o1/host")
        [ "$h1" = "$h0" ] || { echo "hostname: clone 1 \"$h1\", image \"$h0\""; false; }
        # Each clone's log goes on from the image's: no restart.
        for i in 1 2 3; do
                [ "$(head -n1 "$BATS_TEST_TMPDIR/o$i/log" | cut -d' ' -f1)" -le "$((n0 + 1))" ]
        done

        # Refused with the reason, each leaving nothing behind.
        rand_bundle "$BATS_TEST_TMPDIR/big" "$BATS_TEST_TMPDIR/obig"
        config "$BATS_TEST_TMPDIR/big" '.annotations["kago.vm.memory"] = "256M"'
        run kgd restore -d --image-path "$img" --bundle "$BATS_TEST_TMPDIR/big" bad
        [ "$status" -ne 0 ]
        [[ "$output" == *"vm: image 1 vCPUs and 128 MiB, config 1 vCPUs and 256 MiB"* ]]
        assert_gone bad
        local other="${KAGO_VM_KERNEL%/*}/bzImage"
        if [ -r "$other" ]; then # another kernel than the one the guest booted
                config "$BATS_TEST_TMPDIR/big" ".annotations[\"kago.vm.memory\"] = \"128M\" | .vm = {\"kernel\": {\"path\": \"$other\"}}"
                run kg restore --check --image-path "$img" --bundle "$BATS_TEST_TMPDIR/big" bad
                [ "$status" -ne 0 ]
                [[ "$output" == *"kernel       FAIL   image build-id "*", config crc32 "* ]]
                assert_gone bad
        fi

        local broken=$BATS_TEST_TMPDIR/broken
        cp -r "$img" "$broken"
        truncate -s 1M "$broken/vm-memory.img"
        run kgd restore -d --image-path "$broken" --bundle "$BATS_TEST_TMPDIR/b1" bad
        [ "$status" -ne 0 ]
        [[ "$output" == *"memory file: 1048576 bytes, the VM has 134217728"* ]]
        assert_gone bad

        cp "$img/vm-memory.img" "$broken/vm-memory.img"
        # A byte of the first vCPU's registers (tag "VCPU" little endian, a
        # 24-byte section header, then the payload).
        local at
        at=$(grep -obUa UPCV "$broken/vm-state.img" | head -1 | cut -d: -f1)
        printf '\xff' | dd of="$broken/vm-state.img" bs=1 seek=$((at + 24 + 64)) conv=notrunc status=none
        run kgd restore -d --image-path "$broken" --bundle "$BATS_TEST_TMPDIR/b1" bad
        [ "$status" -ne 0 ]
        [[ "$output" == *"CRC mismatch"* ]]
        assert_gone bad

        # CPUID features the guest saw that this host lacks: leaf 7's feature
        # registers all set in the state file, its CRC made right again.
        cp "$img/vm-memory.img" "$broken/vm-memory.img"
        cp "$img/vm-state.img" "$broken/vm-state.img"
        python3 - "$broken/vm-state.img" <<'PY'
import struct, sys, zlib
path = sys.argv[1]
b = bytearray(open(path, "rb").read())
off = 16
while off < len(b):
    tag, ver, flags, length, crc, _ = struct.unpack_from("<IHHQII", b, off)
    data = off + 24
    if tag == 0x43505549:  # the CPUID the guest saw
        for e in range(data, data + length, 40):
            fn, idx = struct.unpack_from("<II", b, e)
            if (fn, idx) == (7, 0):
                struct.pack_into("<III", b, e + 16, 0xffffffff, 0xffffffff, 0xffffffff)
        struct.pack_into("<I", b, off + 16, zlib.crc32(bytes(b[data:data + length])))
    off = data + (length + 7) // 8 * 8
open(path, "wb").write(b)
PY
        run kg restore --check --image-path "$broken" --bundle "$BATS_TEST_TMPDIR/b1" bad
        [ "$status" -ne 0 ]
        [[ "$output" == *"cpuid        FAIL   "*" the guest saw this host's KVM lacks: leaf 0x7.0 "* ]]
        run kgd restore -d --clone --image-path "$broken" --bundle "$BATS_TEST_TMPDIR/b1" bad
        [ "$status" -ne 0 ]
        [[ "$output" == *"cpuid: "*" the guest saw this host's KVM lacks: leaf 0x7.0 "* ]]
        assert_gone bad

        run kg checkpoint --pre-dump --image-path "$BATS_TEST_TMPDIR/pre" r1
        [ "$status" -ne 0 ]
        [[ "$output" == *"--pre-dump is CRIU's"* ]]
        [ "$(status_of r1)" = running ]

        kg pause r1
        run kg checkpoint --image-path "$BATS_TEST_TMPDIR/paused" r1
        [ "$status" -ne 0 ]
        [[ "$output" == *'container "r1" is paused: its VMM is frozen with it; resume it first'* ]]
        kg resume r1

        kg exec -d r1 sleep 1000 </dev/null >/dev/null 2>&1
        run kg checkpoint --image-path "$BATS_TEST_TMPDIR/busy" r1
        [ "$status" -ne 0 ]
        [[ "$output" == *"1 kago exec session runs in the microVM"* ]]
        [ "$(status_of r1)" = running ]
        for i in 0 1 2 3; do
                kg delete --force "r$i"
                assert_gone "r$i"
        done
}
