#!/usr/bin/env bats
# Proves kago's other boot paths (vm.bats boots an ELF vmlinux at its 64-bit
# entry, startup_64, with a zero page kago writes): the same vmlinux entered
# through its Xen PVH note (kago.vm.pvh), here with the 9P shared root, and
# the 64-bit bzImage protocol: kago's own guest kernel given as a bzImage
# runs a workload, and Debian's stock kernel (linux-image-amd64, the one the
# test VM boots) gets through kago's zero page, e820 and 64-bit entry to
# kago's guest init. The stock kernel cannot go further: its virtio drivers
# are modules and it has no virtio-mmio command-line devices, so the init
# finds no shared root and kago says so. The kernel's boot_params (sysfs)
# tell who built them: 0xb0 from the kernel's PVH entry code, 0xff
# (undefined) from a zero page kago wrote.
# Three nested boots.

bats_require_minimum_version 1.5.0

load helpers
load container_helpers

setup_file() {
        _container_setup_file
        export KAGO_VM_KERNEL="${KAGO_VM_KERNEL:-${KAGO_CACHE:-/var/cache/kago}/kernel/vmlinux}"
}

# type_of_loader, byte 0x210 of the kernel's boot_params.
LOADER='dd if=/sys/kernel/boot_params/data bs=1 skip=528 count=1 2>/dev/null | od -An -tx1 | tr -d " "'

@test "vm kernels: a vmlinux entered through its PVH note, with the 9P shared root" {
        requires root kvm
        [ -r "$KAGO_VM_KERNEL" ] || skip "no guest kernel at $KAGO_VM_KERNEL (make kernel)"
        bundle "$BATS_TEST_TMPDIR/b" sh -c "echo loader=\$($LOADER); grep -o ' / 9p ' /proc/mounts; echo by-9p >/tmp/pvh-9p"
        config "$BATS_TEST_TMPDIR/b" '.annotations = {"run.oci.handler": "microvm", "kago.vm.pvh": "true", "kago.vm.rootfs": "9p"}'
        rootfs=$(jq -r .root.path "$BATS_TEST_TMPDIR/b/config.json")
        rm -f "$rootfs/tmp/pvh-9p"
        run kg run --bundle "$BATS_TEST_TMPDIR/b" k0
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"loader=b0"* ]] # written by the kernel's own PVH entry code
        [[ "$output" == *" / 9p "* ]]
        [ "$(cat "$rootfs/tmp/pvh-9p")" = by-9p ]
        assert_gone k0
}

@test "vm kernels: kago's guest kernel as a bzImage runs the workload" {
        requires root kvm
        local bz
        bz="$(dirname "$(readlink -f "$KAGO_VM_KERNEL")")/bzImage"
        [ -r "$bz" ] || skip "no bzImage beside $KAGO_VM_KERNEL (make kernel)"
        bundle "$BATS_TEST_TMPDIR/b" sh -c "echo booted \$(uname -r) loader=\$($LOADER); exit 5"
        config "$BATS_TEST_TMPDIR/b" ".vm = {\"kernel\": {\"path\": \"$bz\"}}"
        run kg run --bundle "$BATS_TEST_TMPDIR/b" k1
        echo "$output"
        [ "$status" -eq 5 ]
        [[ "$output" == *"booted 6.1."* ]]
        [[ "$output" == *"loader=ff"* ]] # undefined: kago has no boot-loader id of its own
        assert_gone k1
}

# Debian's bzImage: in the test VM, the one of the running kernel, from the
# package tests/vm/artefacts.sh unpacked (the kago.moddir= boot parameter
# names its modules); elsewhere any unpacked in the cache.
stock_bzimage() {
        local moddir
        moddir=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^kago\.moddir=//p')
        if [ -n "$moddir" ] && [ -r "${moddir%/lib/modules}/boot/vmlinuz-$(uname -r)" ]; then
                echo "${moddir%/lib/modules}/boot/vmlinuz-$(uname -r)"
                return
        fi
        ls "${KAGO_CACHE:-/var/cache/kago}"/testvm/linux-image-*/root/boot/vmlinuz-* 2>/dev/null | head -n1
}

@test "vm kernels: Debian's stock bzImage boots to kago's guest init" {
        requires root kvm
        local bz
        bz=$(stock_bzimage)
        [ -n "$bz" ] || skip "no Debian kernel package unpacked here (tests/vm/artefacts.sh makes one)"
        bundle "$BATS_TEST_TMPDIR/b" true
        config "$BATS_TEST_TMPDIR/b" ".vm = {\"kernel\": {\"path\": \"$bz\"}} | .annotations[\"kago.vm.serial\"] = \"true\""
        run -127 kg run --bundle "$BATS_TEST_TMPDIR/b" k2
        echo "$output" | tail -n 30
        # The kernel's own log (serial console) shows the 64-bit entry worked
        # and the kernel ran kago's init from the in-memory initramfs ...
        [[ "$output" == *"Linux version ${bz##*/vmlinuz-}"* ]]
        [[ "$output" == *"Run /init as init process"* ]]
        # ... which reports that it has no shared root to mount (exit 127,
        # the status of a workload that could not be started).
        [[ "$output" == *"guest init could not start the workload"* ]]
        assert_gone k2
}
