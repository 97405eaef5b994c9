#!/usr/bin/env bats
# Proves kago's second boot protocol, the 64-bit bzImage path (the fast PVH
# path is what vm.bats boots): kago's own guest kernel given as a bzImage runs
# a workload, and Debian's stock kernel (linux-image-amd64, the one the test
# VM boots) gets through kago's zero page, e820 and 64-bit entry to kago's
# guest init. The stock kernel cannot go further: its virtio drivers are
# modules and it has no virtio-mmio command-line devices, so the init finds
# no shared root and kago says so. Two nested boots.

load helpers
load container_helpers

setup_file() {
        _container_setup_file
        export KAGO_VM_KERNEL="${KAGO_VM_KERNEL:-${KAGO_CACHE:-/var/cache/kago}/kernel/vmlinux}"
}

@test "vm kernels: kago's guest kernel as a bzImage runs the workload" {
        requires root kvm
        local bz
        bz="$(dirname "$(readlink -f "$KAGO_VM_KERNEL")")/bzImage"
        [ -r "$bz" ] || skip "no bzImage beside $KAGO_VM_KERNEL (make kernel)"
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'echo "booted $(uname -r)"; exit 5'
        config "$BATS_TEST_TMPDIR/b" ".vm = {\"kernel\": {\"path\": \"$bz\"}}"
        run kg run --bundle "$BATS_TEST_TMPDIR/b" k1
        echo "$output"
        [ "$status" -eq 5 ]
        [[ "$output" == *"booted 6.1."* ]]
        assert_gone k1
}

@test "vm kernels: Debian's stock bzImage boots to kago's guest init" {
        requires root kvm
        local bz
        bz=$(ls "${KAGO_CACHE:-/var/cache/kago}"/testvm/linux-image-*/root/boot/vmlinuz-* 2>/dev/null | head -n1)
        [ -n "$bz" ] || skip "no Debian kernel package in the test VM cache (tests/vm/artefacts.sh)"
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
