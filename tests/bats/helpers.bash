# Shared bats helpers for every kago suite: load with `load helpers`.
#
# requires FEATURE...  skips the test, printing why, when this environment lacks
#                      FEATURE: cgroup2 (v2 controllers), kvm, criu, systemd,
#                      userns, root. Suites needing these run in the test VM
#                      (tests/vm/run), where they are all present.

# The source tree, found from this file so suites in subfolders work too.
KAGO_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KAGO="${KAGO:-$KAGO_SRC/kago}"

# No test waits forever: one that hangs (a wedged VM, a lost wakeup) fails
# after this many seconds and the suite goes on. The slowest test takes
# about 75 s in the test VM.
BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-300}

_has_cgroup2() {
        local c=/sys/fs/cgroup/cgroup.controllers
        [ -r "$c" ] || return 1
        local want
        for want in cpu memory pids io cpuset; do
                grep -qw "$want" "$c" || return 1
        done
}

# Hardware-assisted KVM only: a /dev/kvm backed by kvm_pvm (this host's) runs
# only PVM-enabled guest kernels, so it does not count.
_has_kvm() {
        [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
                { [ -d /sys/module/kvm_amd ] || [ -d /sys/module/kvm_intel ]; }
}

_has_criu() {
        command -v criu >/dev/null 2>&1 && criu check >/dev/null 2>&1
}

_has_systemd() {
        [ -d /run/systemd/system ] && [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]
}

_has_userns() {
        unshare --user --map-root-user true >/dev/null 2>&1
}

requires() {
        local f
        for f in "$@"; do
                case "$f" in
                cgroup2) _has_cgroup2 || skip "needs cgroup v2 with cpu, memory, pids, io, cpuset controllers (host is cgroup v1/hybrid)" ;;
                kvm) _has_kvm || skip "needs hardware KVM (kvm_amd or kvm_intel with /dev/kvm)" ;;
                criu) _has_criu || skip "needs a working CRIU ('criu check' fails here)" ;;
                systemd) _has_systemd || skip "needs systemd as PID 1" ;;
                userns) _has_userns || skip "needs unprivileged user namespaces" ;;
                root) [ "$(id -u)" = 0 ] || skip "needs root" ;;
                *) echo "requires: unknown feature '$f'" >&2; return 1 ;;
                esac
        done
}

# Whether this runs inside kago's test VM (tests/vm shares its results
# directory there): code runs 10-30x slower, so loops scale down.
in_test_vm() {
        [ -e /run/kago-vm ]
}

# A scratch directory removed after each test (bats' own BATS_TEST_TMPDIR).
scratch() {
        echo "$BATS_TEST_TMPDIR"
}
