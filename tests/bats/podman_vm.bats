#!/usr/bin/env bats
# podman (with conmon) runs a microVM container through kago-vm as its OCI
# runtime, and execs into it: podman exec (conmon runs `kago-vm exec
# --detach --pid-file`, adopts the stand-in and reports its status), with
# its environment, working directory and user flags, and exec -t through
# the console socket; podman's container checkpoint and restore, with
# --export and --import (kago's own snapshot of the VM). Needs KVM: it runs in the test VM, with podman's own
# root, runroot and tmpdir under this suite's directory and nothing left at
# the end (no podman container, no kago state, no libpod cgroup).

bats_require_minimum_version 1.5.0
load helpers

IMG=localhost/kago-busybox:1

pmv() {
        timeout 300 podman --root "$PMV_DIR/root" --runroot "$PMV_DIR/runroot" --tmpdir "$PMV_DIR/tmp" \
                --storage-driver vfs --cgroup-manager cgroupfs --events-backend file \
                --conmon /usr/bin/conmon --runtime "$KAGO_SRC/kago-vm" "$@"
}

setup_file() {
        export KAGO_VM_KERNEL="${KAGO_VM_KERNEL:-${KAGO_CACHE:-/var/cache/kago}/kernel/vmlinux}"
        [ "$(id -u)" = 0 ] && _has_kvm && [ -r "$KAGO_VM_KERNEL" ] && command -v podman >/dev/null || return 0
        export PMV_DIR
        PMV_DIR=$(mktemp -d /tmp/kago-pmv.XXXXXX)
        "$KAGO_SRC/tests/bundle.sh" "$PMV_DIR/bundle" true >/dev/null
        tar -C "$PMV_DIR/bundle/rootfs" -cf "$PMV_DIR/rootfs.tar" .
        pmv import -q "$PMV_DIR/rootfs.tar" "$IMG" >/dev/null
}

teardown_file() {
        [ -n "${PMV_DIR:-}" ] || return 0
        pmv rm -a -f -t 0 >/dev/null 2>&1 || true
        pmv rmi -a -f >/dev/null 2>&1 || true
        rm -rf "$PMV_DIR"
}

@test "podman: exec and exec -t into a kago-vm container" {
        requires root kvm
        [ -r "$KAGO_VM_KERNEL" ] || skip "no guest kernel at $KAGO_VM_KERNEL (make kernel)"
        command -v podman >/dev/null || skip "podman is not installed"
        pmv run -d --name pv1 --network none --pull never --ulimit nofile=1024:1024 \
                --ulimit nproc=4096:4096 "$IMG" sh -c 'echo guest-up; exec sleep 1000'
        for i in $(seq 600); do pmv logs pv1 2>/dev/null | grep -q guest-up && break; sleep 0.2; done
        pmv logs pv1 | grep -q guest-up
        run pmv exec pv1 sh -c 'grep -o rdinit=/init /proc/cmdline; exit 5'
        [ "$status" -eq 5 ]
        [ "$output" = rdinit=/init ]
        run pmv exec -e A=b -w /tmp -u 65534 pv1 sh -c 'echo $A; pwd; id -u'
        [ "$status" -eq 0 ]
        [ "$output" = "b
/tmp
65534" ]
        run pmv exec -t pv1 sh -c '[ -t 0 ] && [ -t 1 ] && echo on-a-tty'
        [ "$status" -eq 0 ]
        [[ "$output" == *on-a-tty* ]]
        run -127 pmv exec pv1 no-such-command
        local id
        id=$(pmv inspect --format '{{.Id}}' pv1)
        pmv rm -f -t 0 pv1
        [ -z "$(pmv ps -aq)" ]
        [ ! -e "/run/kago/$id" ]
        for cg in /sys/fs/cgroup/libpod_parent/libpod-*; do
                [ ! -d "$cg" ] || { echo "cgroup $cg left behind" >&2; false; }
        done
}

@test "podman: a kago-vm container on podman's bridge network pings its gateway and talks TCP with a container beside it" {
        requires root kvm
        [ -r "$KAGO_VM_KERNEL" ] || skip "no guest kernel at $KAGO_VM_KERNEL (make kernel)"
        command -v podman >/dev/null || skip "podman is not installed"
        modprobe tun 2>/dev/null || true
        # A plain container beside it (kago as a container runtime), same network.
        timeout 300 podman --root "$PMV_DIR/root" --runroot "$PMV_DIR/runroot" --tmpdir "$PMV_DIR/tmp" \
                --storage-driver vfs --cgroup-manager cgroupfs --events-backend file \
                --conmon /usr/bin/conmon --runtime "$KAGO_SRC/kago" run -d --name pn1 --network bridge \
                --pull never "$IMG" sh -c 'echo from-the-container | nc -l -p 7002; exec sleep 1000'
        pmv run -d --name pn2 --network bridge --cap-add NET_RAW --pull never "$IMG" sh -c \
                'ip addr show eth0; gw=$(ip route | awk "/^default/ { print \$3 }");
                 ping -c 2 -W 10 "$gw" && echo PING-OK; echo from-the-guest | nc -l -p 7001; exec sleep 1000'
        local i vip cip
        for i in $(seq 600); do pmv logs pn2 2>/dev/null | grep -q PING-OK && break; sleep 0.2; done
        pmv logs pn2 >&2
        pmv logs pn2 | grep -q PING-OK
        vip=$(pmv inspect --format '{{.NetworkSettings.IPAddress}}' pn2)
        cip=$(pmv inspect --format '{{.NetworkSettings.IPAddress}}' pn1)
        pmv logs pn2 | grep -q "inet $vip/"
        pmv logs pn2 | grep -qi "link/ether $(pmv inspect --format '{{.NetworkSettings.MacAddress}}' pn2)"
        run pmv exec pn1 sh -c "for i in \$(seq 50); do nc -w 5 $vip 7001 2>/dev/null && exit 0; sleep 0.2; done; exit 1"
        [ "$status" -eq 0 ]
        [ "$output" = from-the-guest ]
        run pmv exec pn2 sh -c "for i in \$(seq 50); do nc -w 5 $cip 7002 2>/dev/null && exit 0; sleep 0.2; done; exit 1"
        [ "$status" -eq 0 ]
        [ "$output" = from-the-container ]
        pmv rm -f -t 0 pn2 pn1
        [ -z "$(pmv ps -aq)" ]
}

# podman's checkpoint needs CRIU installed (it checks for it), though kago
# snapshots a microVM itself.
@test "podman: container checkpoint and restore of a kago-vm container continue the guest's workload, twice over, and --export/--import" {
        requires root kvm criu
        [ -r "$KAGO_VM_KERNEL" ] || skip "no guest kernel at $KAGO_VM_KERNEL (make kernel)"
        command -v podman >/dev/null || skip "podman is not installed"
        pmv run -d --name pc --network none --pull never "$IMG" \
                sh -c 'i=0; while :; do i=$((i+1)); echo $i >/n; sleep 0.1; done'
        local n=0 round i
        for round in 1 2; do
                for i in $(seq 300); do
                        [ "$(pmv exec pc cat /n 2>/dev/null || echo 0)" -gt $((n + 3)) ] && break
                        sleep 0.2
                done
                run pmv container checkpoint pc
                [ "$status" -eq 0 ] || { echo "$output"; false; }
                [ "$(pmv inspect --format '{{.State.Status}}' pc)" = exited ]
                run pmv container restore pc
                [ "$status" -eq 0 ] || { echo "$output"; false; }
                [ "$(pmv inspect --format '{{.State.Status}}' pc)" = running ]
                i=$(pmv exec pc cat /n)
                [ "$i" -gt $((n + 3)) ] # from where it was, not from 0
                n=$i
        done
        # --export, then --import as a new container.
        run pmv container checkpoint --export "$BATS_TEST_TMPDIR/pc.tar.gz" pc
        [ "$status" -eq 0 ] || { echo "$output"; false; }
        pmv rm -f -t 0 pc
        run pmv container restore --import "$BATS_TEST_TMPDIR/pc.tar.gz" --name pc2
        [ "$status" -eq 0 ] || { echo "$output"; false; }
        [ "$(pmv inspect --format '{{.State.Status}}' pc2)" = running ]
        [ "$(pmv exec pc2 cat /n)" -gt "$n" ]
        local id
        id=$(pmv inspect --format '{{.Id}}' pc2)
        pmv rm -f -t 0 pc2
        [ ! -e "/run/kago/$id" ]
}
