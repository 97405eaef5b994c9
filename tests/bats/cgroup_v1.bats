#!/usr/bin/env bats
# Proves the cgroup v1 driver on a host whose controllers live in v1
# hierarchies (hybrid: /sys/fs/cgroup/{memory,pids,cpu,cpuacct,freezer,...}
# beside a cgroup2 mount): the container gets its cgroupsPath in every
# mounted v1 hierarchy and its process in each, with the device allow-list
# in the v1 devices hierarchy; memory, pids and cpu limits
# land in the v1 files and hold for real (a fork loop stops at pids.max, an
# allocation beyond memory.limit_in_bytes is OOM-killed); update changes them
# live and rolls back what the kernel refuses; a paused container makes no
# progress and delete --force of it leaves nothing; stats come from the v1
# files; values that ask for nothing never fail; delete removes the
# directory from every hierarchy.
# Skips with the reason on a host without v1 hierarchies (the test VM is
# pure cgroup v2, where cgroups.bats covers the same ground).

load helpers
load container_helpers
load cgroup_helpers

# The mount point of the v1 hierarchy that has controller $1.
v1_mount() {
        awk -v c="$1" '$0 ~ / - cgroup / { n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $5; exit } }' /proc/self/mountinfo
}

requires_v1() {
        local c
        for c in "$@"; do
                [ -n "$(v1_mount "$c")" ] || skip "needs the cgroup v1 $c hierarchy (this host has none mounted: pure cgroup v2)"
        done
}

# The content of FILE in container ID's directory of v1 controller CTRL.
v1_file() {
        cat "$(v1_mount "$2")$(jq -r .cgroupPath "$ROOT/$1/state.json")/$3"
}

@test "cgroup v1: the container is placed in every v1 hierarchy, with its limits in the v1 files" {
        requires root
        requires_v1 memory pids cpu
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        config "$BATS_TEST_TMPDIR/b" '.linux.cgroupsPath = "/kago-bats-v1/place-'$$'"
                | .linux.resources = {"memory": {"limit": 67108864, "reservation": 33554432},
                                      "cpu": {"shares": 512, "quota": 20000, "period": 100000},
                                      "pids": {"limit": 42}}'
        kgd create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" v1a
        pid=$(cat "$BATS_TEST_TMPDIR/pid")
        cat "/proc/$pid/cgroup"
        for c in memory pids cpu cpuacct freezer devices blkio cpuset; do
                [ -z "$(v1_mount $c)" ] && continue
                grep -Eq "^[0-9]+:([a-z_,]*,)?$c(,[a-z_,]*)?:/kago-bats-v1/place-$$\$" "/proc/$pid/cgroup"
        done
        [ "$(v1_file v1a memory memory.limit_in_bytes)" = 67108864 ]
        [ "$(v1_file v1a memory memory.soft_limit_in_bytes)" = 33554432 ]
        [ "$(v1_file v1a pids pids.max)" = 42 ]
        [ "$(v1_file v1a cpu cpu.shares)" = 512 ]
        [ "$(v1_file v1a cpu cpu.cfs_period_us)" = 100000 ]
        [ "$(v1_file v1a cpu cpu.cfs_quota_us)" = 20000 ]
        # The device allow-list in the v1 devices hierarchy too: no "a *:*
        # rwm", /dev/null (c 1:3) allowed.
        if [ -n "$(v1_mount devices)" ]; then
                v1_file v1a devices devices.list
                if v1_file v1a devices devices.list | grep -qx 'a \*:\* rwm'; then false; fi
                v1_file v1a devices devices.list | grep -qx 'c 1:3 rwm'
        fi
        kg delete --force v1a
        for c in memory pids cpu cpuacct freezer devices blkio cpuset; do
                m=$(v1_mount $c)
                [ -z "$m" ] || [ ! -e "$m/kago-bats-v1/place-$$" ] || { echo "left behind in $c" >&2; false; }
                rmdir "$m/kago-bats-v1" 2>/dev/null || true
        done
        rmdir "$(cgroup_root)/kago-bats-v1" 2>/dev/null || true
        assert_gone v1a
}

@test "cgroup v1: a fork loop stops at pids.max; memory beyond the limit is OOM-killed" {
        requires root
        requires_v1 memory pids
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'n=0; while [ $n -lt 60 ]; do sleep 1000 & n=$((n+1)); done; sleep 1000'
        config "$BATS_TEST_TMPDIR/b" '.linux.resources = {"pids": {"limit": 16}}'
        kgd create --bundle "$BATS_TEST_TMPDIR/b" v1p
        kg start v1p
        for i in $(seq 300); do [ "$(v1_file v1p pids pids.events | awk '$1 == "max" {print $2}')" -gt 0 ] && break; sleep 0.1; done
        [ "$(v1_file v1p pids pids.events | awk '$1 == "max" {print $2}')" -gt 0 ]
        [ "$(v1_file v1p pids pids.current)" -le 16 ]
        # 64 MiB of zeros into a shell variable, under a 16 MiB limit (no swap).
        bundle "$BATS_TEST_TMPDIR/m" sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived ${#x}'
        config "$BATS_TEST_TMPDIR/m" '.linux.resources = {"memory": {"limit": 16777216, "swap": 16777216}}'
        run kg run --bundle "$BATS_TEST_TMPDIR/m" v1m
        echo "status $status: $output"
        [[ "$output" != *survived* ]]
        [ "$status" -eq 137 ]
}

@test "cgroup v1: update changes memory, pids and cpu live; a rejected value rolls back" {
        requires root
        requires_v1 memory pids cpu
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        config "$BATS_TEST_TMPDIR/b" '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 50}}'
        kgd create --bundle "$BATS_TEST_TMPDIR/b" v1u
        kg update --memory 134217728 --memory-swap 268435456 --pids-limit 60 --cpu-share 256 --cpu-quota 50000 v1u
        [ "$(v1_file v1u memory memory.limit_in_bytes)" = 134217728 ]
        if [ -e "$(v1_mount memory)$(jq -r .cgroupPath "$ROOT/v1u/state.json")/memory.memsw.limit_in_bytes" ]; then
                [ "$(v1_file v1u memory memory.memsw.limit_in_bytes)" = 268435456 ]
        fi
        [ "$(v1_file v1u pids pids.max)" = 60 ]
        [ "$(v1_file v1u cpu cpu.shares)" = 256 ]
        [ "$(v1_file v1u cpu cpu.cfs_quota_us)" = 50000 ]
        # A quota below the kernel's 1 ms minimum is refused; the pids limit
        # written before it in the same update is put back.
        run kg update --pids-limit 70 --cpu-quota 10 v1u
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *cpu.cfs_quota_us* ]]
        [ "$(v1_file v1u pids pids.max)" = 60 ]
        [ "$(v1_file v1u cpu cpu.cfs_quota_us)" = 50000 ]
}

@test "cgroup v1: pause and resume hold a container placed in the v1 hierarchies; delete --force of a paused one" {
        requires root
        requires_v1 freezer memory
        mkdir -p "$BATS_TEST_TMPDIR/count"
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'i=0; while :; do i=$((i+1)); echo $i >/count/n; sleep 0.05; done'
        config "$BATS_TEST_TMPDIR/b" ".mounts += [{\"destination\":\"/count\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR/count\",\"options\":[\"rbind\"]}]
                | .linux.resources = {\"memory\": {\"limit\": 67108864}}"
        kgd create --bundle "$BATS_TEST_TMPDIR/b" v1f
        kg start v1f
        for ((i = 0; i < 100; i++)); do [ "$(count_of "$BATS_TEST_TMPDIR/count")" -gt 3 ] && break; sleep 0.1; done
        kg pause v1f
        [ "$(status_of v1f)" = paused ]
        # A hybrid host freezes through cgroup2 (its freezer lets SIGKILL
        # through); the v1 freezer (proved in cgroups_live) is for hosts
        # without cgroup2.
        if [ -e "$(cgroup_dir_of v1f)/cgroup.freeze" ]; then
                grep -qx 'frozen 1' "$(cgroup_dir_of v1f)/cgroup.events"
                [ "$(v1_file v1f freezer freezer.state)" = THAWED ]
        else
                [ "$(v1_file v1f freezer freezer.state)" = FROZEN ]
        fi
        a=$(count_of "$BATS_TEST_TMPDIR/count")
        sleep 0.5
        [ "$(count_of "$BATS_TEST_TMPDIR/count")" = "$a" ]
        kg resume v1f
        [ "$(status_of v1f)" = running ]
        for ((i = 0; i < 100; i++)); do [ "$(count_of "$BATS_TEST_TMPDIR/count")" -gt "$a" ] && break; sleep 0.1; done
        [ "$(count_of "$BATS_TEST_TMPDIR/count")" -gt "$a" ]
        kg pause v1f
        kg delete --force v1f
        assert_gone v1f
        [ ! -e "$(v1_mount memory)/kago/v1f" ]
        [ ! -e "$(v1_mount freezer)/kago/v1f" ]
}

@test "cgroup v1: stats come from the v1 files (an idle sleep shows its own small figures)" {
        requires root
        requires_v1 memory pids cpuacct
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        config "$BATS_TEST_TMPDIR/b" '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 30}}'
        kgd create --bundle "$BATS_TEST_TMPDIR/b" v1s
        kg start v1s
        run kg events --stats v1s
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$(jq .data.memory.usage.limit <<<"$output")" = 67108864 ]
        usage=$(jq .data.memory.usage.usage <<<"$output")
        [ "$usage" -gt 0 ] && [ "$usage" -lt 16777216 ]
        [ "$(jq .data.pids.current <<<"$output")" = 1 ]
        [ "$(jq .data.pids.limit <<<"$output")" = 30 ]
        # Well under a second of CPU, not the host's figures.
        [ "$(jq .data.cpu.usage.total <<<"$output")" -lt 1000000000 ]
}

@test "cgroup v1: values that ask for nothing never fail create (pids 0 and -1, memory -1, shares 1024)" {
        requires root
        requires_v1 memory
        bundle "$BATS_TEST_TMPDIR/b" true
        for r in '{"pids": {"limit": 0}}' '{"pids": {"limit": -1}}' '{"memory": {"limit": -1, "swap": -1}}' \
                 '{"cpu": {"shares": 1024, "quota": -1, "period": 100000}}' '{"cpu": {"cpus": "", "mems": ""}}'; do
                config "$BATS_TEST_TMPDIR/b" ".linux.resources = $r"
                run kg run --bundle "$BATS_TEST_TMPDIR/b" v1d
                echo "$r: $status $output"
                [ "$status" -eq 0 ]
        done
}

# A host with v1 hierarchies and no cgroup2, made for this test only: a
# private mount namespace without the cgroup2 mount (the host's own mounts
# are not touched).
v1_only() {
        unshare --mount --propagation private sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null || umount /sys/fs/cgroup/unified; exec "$@"' sh "$@"
}

@test "cgroup v1: a host without cgroup2 — placement, limits, pause and resume through freezer.state, stats, update" {
        requires root
        requires_v1 freezer memory pids
        grep -q ' /sys/fs/cgroup/unified .* - cgroup2 ' /proc/self/mountinfo || skip "needs a hybrid host (cgroup2 at /sys/fs/cgroup/unified) to hide cgroup2 from"
        mkdir -p "$BATS_TEST_TMPDIR/count"
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'i=0; while :; do i=$((i+1)); echo $i >/count/n; sleep 0.05; done'
        config "$BATS_TEST_TMPDIR/b" ".mounts += [{\"destination\":\"/count\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR/count\",\"options\":[\"rbind\"]}]
                | .linux.resources = {\"memory\": {\"limit\": 33554432}, \"pids\": {\"limit\": 20}}"
        v1_only "$KAGO" --root "$ROOT" create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" v1o \
                </dev/null >"$BATS_TEST_TMPDIR/v1o.out" 2>&1
        pid=$(cat "$BATS_TEST_TMPDIR/pid")
        grep -q ":pids:/kago/v1o\$" "/proc/$pid/cgroup"
        grep -q ":freezer:/kago/v1o\$" "/proc/$pid/cgroup"
        [ "$(v1_file v1o memory memory.limit_in_bytes)" = 33554432 ]
        v1_only "$KAGO" --root "$ROOT" start v1o
        for ((i = 0; i < 100; i++)); do [ "$(count_of "$BATS_TEST_TMPDIR/count")" -gt 3 ] && break; sleep 0.1; done
        v1_only "$KAGO" --root "$ROOT" pause v1o
        [ "$(v1_file v1o freezer freezer.state)" = FROZEN ]
        [ "$(v1_only "$KAGO" --root "$ROOT" state v1o | jq -r .status)" = paused ]
        a=$(count_of "$BATS_TEST_TMPDIR/count")
        sleep 0.5
        [ "$(count_of "$BATS_TEST_TMPDIR/count")" = "$a" ]
        v1_only "$KAGO" --root "$ROOT" resume v1o
        [ "$(v1_file v1o freezer freezer.state)" = THAWED ]
        for ((i = 0; i < 100; i++)); do [ "$(count_of "$BATS_TEST_TMPDIR/count")" -gt "$a" ] && break; sleep 0.1; done
        [ "$(count_of "$BATS_TEST_TMPDIR/count")" -gt "$a" ]
        run v1_only "$KAGO" --root "$ROOT" events --stats v1o
        echo "$output"
        [ "$(jq .data.memory.usage.limit <<<"$output")" = 33554432 ]
        [ "$(jq .data.pids.limit <<<"$output")" = 20 ]
        v1_only "$KAGO" --root "$ROOT" update --pids-limit 30 v1o
        [ "$(v1_file v1o pids pids.max)" = 30 ]
        # The runtime's kill/delete check the init's cgroup2 line, which a
        # v1-only host does not set: end the container by its pid here.
        kill -9 "$pid"
        for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        v1_only "$KAGO" --root "$ROOT" delete --force v1o
        for c in memory pids freezer cpu; do
                m=$(v1_mount $c)
                [ -z "$m" ] || [ ! -e "$m/kago/v1o" ] || { echo "left behind in $c" >&2; false; }
        done
}
