#!/usr/bin/env bats
# Proves microVM disks (virtio-blk): a raw ext4 vm.image is the guest's root
# (the workload runs from it, what it writes is in the image afterwards, read
# back with debugfs on the host; root.readonly makes the disk read-only);
# kago.vm.disk.N images appear as /dev/vdX in order and are mounted by the
# guest through the config's mounts (the host leaves those mounts alone); a
# :ro disk refuses writes in the guest, down to the block device. A vm.image
# in another format is refused at create with the qemu-img conversion, a
# missing image or a bad disk annotation is an error naming it, and none of
# them leaves anything behind. The VMM does the guest's disk I/O in the
# container's cgroup: io.max (blockIO.throttleReadBpsDevice) on a loop
# device given as a disk bounds a guest dd to the limit. Images are built by
# the test with mkfs.ext4 -d from the busybox tree. Four boots.

load helpers
load container_helpers

setup_file() {
        _container_setup_file
        export KAGO_VM_KERNEL="${KAGO_VM_KERNEL:-${KAGO_CACHE:-/var/cache/kago}/kernel/vmlinux}"
}

# An ext4 image FILE of SIZE holding the tree DIR (empty: an empty filesystem).
ext4_image() {
        local file=$1 size=$2 dir=${3:-}
        rm -f "$file"
        mkfs.ext4 -q -F ${dir:+-d "$dir"} "$file" "$size"
}

# Prints file PATH of the ext4 image FILE (debugfs reads it without mounting).
image_cat() {
        debugfs -R "cat $2" "$1" 2>/dev/null
}

# A bundle with an empty root directory whose VM boots from the image FILE.
image_bundle() {
        local dir=$1 image=$2
        shift 2
        bundle "$dir" "$@"
        mkdir -p "$dir/empty-root"
        config "$dir" '.root.path = "empty-root" |
                .vm = {"kernel": {"path": env.KAGO_VM_KERNEL}, "image": {"path": "'"$image"'", "format": "raw"}}'
}

@test "vm disk: a vm.image that is not raw is refused at create with the conversion, leaving nothing behind" {
        requires root
        image_bundle "$BATS_TEST_TMPDIR/b" disk.qcow2 true
        config "$BATS_TEST_TMPDIR/b" '.vm.image.format = "qcow2"'
        run kg run --bundle "$BATS_TEST_TMPDIR/b" d1
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *"vm.image.format 'qcow2': kago boots raw images only; convert it first: qemu-img convert -O raw disk.qcow2 disk.qcow2.raw"* ]]
        assert_gone d1
        config "$BATS_TEST_TMPDIR/b" '.vm.image.format = "vmdk2"'
        run kg run --bundle "$BATS_TEST_TMPDIR/b" d1
        [ "$status" -eq 1 ]
        [[ "$output" == *"vm.image.format"*"vmdk2"* ]]
        assert_gone d1
}

@test "vm disk: a missing image or a bad kago.vm.disk annotation is an error naming it, leaving nothing behind" {
        requires root
        requires_vm_kernel
        image_bundle "$BATS_TEST_TMPDIR/b" missing.img true
        kg_status run --bundle "$BATS_TEST_TMPDIR/b" d2
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *"vm.image $BATS_TEST_TMPDIR/b/missing.img: No such file or directory"* ]]
        assert_gone d2
        bundle "$BATS_TEST_TMPDIR/c" true
        config "$BATS_TEST_TMPDIR/c" '.annotations["kago.vm.disk.0"] = "/nonexistent/d.img:ro"'
        kg_status run --vm --bundle "$BATS_TEST_TMPDIR/c" d2
        [ "$status" -ne 0 ]
        [[ "$output" == *"kago.vm.disk.0 /nonexistent/d.img: No such file or directory"* ]]
        assert_gone d2
        config "$BATS_TEST_TMPDIR/c" '.annotations = {"kago.vm.disk.7": "x.img"}'
        kg_status run --vm --bundle "$BATS_TEST_TMPDIR/c" d2
        [ "$status" -eq 1 ]
        [[ "$output" == *"annotation kago.vm.disk.7: unknown; disks are kago.vm.disk.0 to kago.vm.disk.3"* ]]
        assert_gone d2
}

@test "vm disk: a raw ext4 vm.image is the guest's root; writes land in the image; root.readonly makes it read-only" {
        requires root kvm
        requires_vm_kernel
        local img="$BATS_TEST_TMPDIR/b/root.img"
        mkdir -p "$BATS_TEST_TMPDIR/b"
        ext4_image "$img" 64M "$BUSYBOX_ROOTFS"
        image_bundle "$BATS_TEST_TMPDIR/b" root.img sh -c 'grep " / " /proc/mounts; cat /sys/block/vda/serial; echo; echo from-guest >/written; ls /bin/busybox'
        run kg run --bundle "$BATS_TEST_TMPDIR/b" d3
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"/dev/vda / ext4 rw"* ]]
        [[ "$output" == *"kago-disk-0"* ]]
        [[ "$output" == *"/bin/busybox"* ]]
        [ -z "$(ls -A "$BATS_TEST_TMPDIR/b/empty-root" | grep -v -e dev -e proc -e sys)" ] || ls -la "$BATS_TEST_TMPDIR/b/empty-root"
        [ "$(image_cat "$img" /written)" = from-guest ]
        assert_gone d3

        config "$BATS_TEST_TMPDIR/b" '.root.readonly = true | .process.args = ["sh", "-c", "grep \" / \" /proc/mounts; cat /sys/block/vda/ro; touch /other && echo touched; exit 0"]'
        local before
        before=$(sha256sum <"$img")
        run kg run --bundle "$BATS_TEST_TMPDIR/b" d3
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"/dev/vda / ext4 ro"* ]]
        [[ "$output" == *"Read-only file system"* ]]
        [[ "$output" != *touched* ]]
        [ "$(sha256sum <"$img")" = "$before" ]
        assert_gone d3
}

@test "vm disk: kago.vm.disk.N are /dev/vdX mounted by the guest through mounts; a :ro disk refuses writes" {
        requires root kvm
        requires_vm_kernel
        local data="$BATS_TEST_TMPDIR/data.img" ro="$BATS_TEST_TMPDIR/ro.img"
        mkdir -p "$BATS_TEST_TMPDIR/seed"
        echo seeded >"$BATS_TEST_TMPDIR/seed/hello"
        ext4_image "$data" 16M "$BATS_TEST_TMPDIR/seed"
        ext4_image "$ro" 16M "$BATS_TEST_TMPDIR/seed"
        local before
        before=$(sha256sum <"$ro")
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'cat /data/hello; echo new-data >/data/new; sync
                cat /sys/block/vda/serial; echo; cat /sys/block/vdb/serial; echo; cat /sys/block/vdb/ro
                cat /ro/hello; touch /ro/x && echo ro-touched
                dd if=/dev/zero of=/dev/vdb bs=512 count=1 && echo ro-written; exit 0'
        config "$BATS_TEST_TMPDIR/b" '.annotations["kago.vm.disk.0"] = "'"$data"'" |
                .annotations["kago.vm.disk.1"] = "'"$ro"':ro" |
                .mounts += [{"destination": "/data", "type": "ext4", "source": "/dev/vda", "options": ["noatime"]},
                            {"destination": "/ro", "type": "ext4", "source": "/dev/vdb", "options": ["ro"]}]'
        run kg run --vm --bundle "$BATS_TEST_TMPDIR/b" d4
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$(grep -c '^seeded$' <<<"$output")" -eq 2 ]
        [[ "$output" == *"kago-disk-0"*"kago-disk-1"* ]]
        grep -qx 1 <<<"$output" # /sys/block/vdb/ro
        [[ "$output" == *"Read-only file system"* ]]
        [[ "$output" != *ro-touched* && "$output" != *ro-written* ]]
        [ "$(image_cat "$data" /new)" = new-data ]
        [ "$(sha256sum <"$ro")" = "$before" ]
        # the host made neither mount: the bundle's rootfs has no /data or /ro
        [ ! -e "$BUSYBOX_ROOTFS/data/hello" ]
        assert_gone d4
}

@test "vm disk: the VMM reads the disk inside the container's cgroup: io.max bounds a guest dd" {
        requires root kvm cgroup2
        requires_vm_kernel
        [ -e /dev/loop-control ] || modprobe loop
        truncate -s 64M "$BATS_TEST_TMPDIR/disk"
        local loop majmin
        loop=$(losetup --find --show "$BATS_TEST_TMPDIR/disk")
        majmin=$(lsblk -dno MAJ:MIN "$loop" | tr -d ' ')
        # 16 MiB read at 4 MiB/s, timed by the guest around the dd alone
        bundle "$BATS_TEST_TMPDIR/b" sh -c 't() { cut -d" " -f1 /proc/uptime; }; a=$(t)
                dd if=/dev/vda of=/dev/null bs=1M count=16 iflag=direct 2>/dev/null || exit 9
                b=$(t); echo "read-seconds $a $b"'
        config "$BATS_TEST_TMPDIR/b" ".annotations[\"kago.vm.disk.0\"] = \"$loop\"
                | .linux.resources = {\"devices\":[{\"allow\":true,\"type\":\"b\",\"major\":${majmin%:*},\"minor\":${majmin#*:},\"access\":\"rw\"}],
                   \"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":${majmin%:*},\"minor\":${majmin#*:},\"rate\":4194304}]}}"
        run kg run --vm --bundle "$BATS_TEST_TMPDIR/b" d5
        losetup -d "$loop"
        echo "$output"
        [ "$status" -eq 0 ]
        local secs
        secs=$(awk '/^read-seconds/ { printf "%.1f", $3 - $2 }' <<<"$output")
        echo "16 MiB at 4 MiB/s took $secs s in the guest"
        # 4 s at the limit: no faster than 20 % under it; emulation may only slow it down
        awk -v s="$secs" 'BEGIN { exit !(s >= 3.2 && s <= 8) }'
        assert_gone d5
}
