#!/usr/bin/env bats
# Proves the test environments: the test VM has cgroup v2 with the controllers
# kago needs, a working /dev/kvm (API version 12) and a freezable cgroup; the
# host skips these with the reason. Also shows the kernel each run used.

load helpers

@test "environment: report kernel and cgroup layout" {
        echo "# kernel $(uname -r); cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null || echo none)" >&3
        [ -n "$(uname -r)" ]
}

@test "environment: cgroup v2 has cpu, memory, pids, io, cpuset" {
        requires cgroup2
        for c in cpu memory pids io cpuset; do
                grep -qw "$c" /sys/fs/cgroup/cgroup.controllers
        done
}

@test "environment: /dev/kvm opens and KVM_GET_API_VERSION is 12" {
        requires kvm
        run python3 -c 'import fcntl, os; fd = os.open("/dev/kvm", os.O_RDWR); print(fcntl.ioctl(fd, 0xAE00))'
        [ "$status" -eq 0 ]
        [ "$output" = 12 ]
}

@test "environment: a cgroup can be frozen" {
        requires cgroup2
        cg=/sys/fs/cgroup/kago-env-test.$$
        mkdir "$cg"
        sleep 60 &
        pid=$!
        echo "$pid" >"$cg/cgroup.procs"
        echo 1 >"$cg/cgroup.freeze"
        for _ in $(seq 100); do grep -q '^frozen 1' "$cg/cgroup.events" && break; sleep 0.1; done
        frozen=$(grep '^frozen' "$cg/cgroup.events")
        kill -KILL "$pid"
        wait "$pid" || true
        echo 0 >"$cg/cgroup.freeze"
        for _ in $(seq 50); do rmdir "$cg" 2>/dev/null && break; sleep 0.1; done
        [ "$frozen" = "frozen 1" ]
}
