#!/usr/bin/env bats
# Proves what the cgroups module does for a container: every linux.resources
# limit lands in its cgroup file, translated as runc and crun do; the limits
# hold for real (a fork loop stops at pids.max, a busy loop under cpu.max 10%
# is throttled, io.max slows a dd to a loop device, a device outside the
# allow-list gives EPERM); cgroupsPath placement and the cgroup namespace;
# and on a host without the controllers, a requested limit fails clearly and
# leaves nothing, while --cgroup-manager disabled runs without limits; values
# that ask for nothing (pids.limit 0, memory.limit -1, cpu.shares 1024) never
# fail create. The v1 driver has its own suite: cgroup_v1.bats.

load helpers
load container_helpers
load cgroup_helpers

@test "cgroups: every resource in config.json lands in its cgroup file" {
        requires root cgroup2
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        config "$BATS_TEST_TMPDIR/b" '.linux.resources = {
                "memory": {"limit": 134217728, "reservation": 67108864, "swap": 201326592},
                "cpu": {"shares": 512, "quota": 25000, "period": 100000, "burst": 5000, "cpus": "0", "mems": "0"},
                "pids": {"limit": 99},
                "blockIO": {"weight": 500},
                "hugepageLimits": [{"pageSize": "2MB", "limit": 6291456}],
                "unified": {"memory.high": "100000000"}}'
        kgd create --bundle "$BATS_TEST_TMPDIR/b" r1
        [ "$(cg_file r1 memory.max)" = 134217728 ]
        [ "$(cg_file r1 memory.low)" = 67108864 ]
        [ "$(cg_file r1 memory.swap.max)" = 67108864 ]
        [ "$(cg_file r1 cpu.weight)" = 20 ]
        [ "$(cg_file r1 cpu.max)" = "25000 100000" ]
        [ "$(cg_file r1 cpu.max.burst)" = 5000 ]
        [ "$(cg_file r1 cpuset.cpus)" = 0 ]
        [ "$(cg_file r1 pids.max)" = 99 ]
        [ "$(cg_file r1 hugetlb.2MB.max)" = 6291456 ]
        [ "$(cg_file r1 memory.high)" = 99999744 ] || [ "$(cg_file r1 memory.high)" = 100000000 ]
        if [ -e "$(cgroup_dir_of r1)/io.bfq.weight" ]; then
                grep -q 'default 500' "$(cgroup_dir_of r1)/io.bfq.weight"
        else
                grep -q 'default 4950' "$(cgroup_dir_of r1)/io.weight"
        fi
        # The default place: /kago/ID.
        [ "$(jq -r .cgroupPath "$ROOT/r1/state.json")" = /kago/r1 ]
        kg delete --force r1
        assert_gone r1
}

@test "cgroups: a fork loop stops at pids.max" {
        requires root cgroup2
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'n=0; while [ $n -lt 60 ]; do sleep 1000 & n=$((n+1)); done; sleep 1000'
        config "$BATS_TEST_TMPDIR/b" '.linux.resources = {"pids": {"limit": 16}}'
        kgd create --bundle "$BATS_TEST_TMPDIR/b" r2
        kg start r2
        for i in $(seq 300); do [ "$(awk '$1 == "max" {print $2}' "$(cgroup_dir_of r2)/pids.events")" -gt 0 ] && break; sleep 0.1; done
        [ "$(awk '$1 == "max" {print $2}' "$(cgroup_dir_of r2)/pids.events")" -gt 0 ]
        [ "$(cg_file r2 pids.current)" -le 16 ]
}

@test "cgroups: a busy loop under cpu.max 10% is throttled" {
        requires root cgroup2
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'while :; do :; done'
        config "$BATS_TEST_TMPDIR/b" '.linux.resources = {"cpu": {"quota": 10000, "period": 100000}}'
        kgd create --bundle "$BATS_TEST_TMPDIR/b" r3
        kg start r3
        sleep 3
        throttled=$(awk '$1 == "nr_throttled" {print $2}' "$(cgroup_dir_of r3)/cpu.stat")
        periods=$(awk '$1 == "nr_periods" {print $2}' "$(cgroup_dir_of r3)/cpu.stat")
        usage=$(awk '$1 == "usage_usec" {print $2}' "$(cgroup_dir_of r3)/cpu.stat")
        echo "throttled $throttled of $periods periods, usage $usage us"
        [ "$throttled" -gt 5 ]
        # Far from the 100% of one CPU an unthrottled loop takes (10% plus
        # the slack of emulated timers).
        [ "$usage" -le $(( periods * 20000 )) ]
}

@test "cgroups: io.max throttles a dd to a loop device" {
        requires root cgroup2
        [ -e /dev/loop-control ] || modprobe loop
        truncate -s 64M "$BATS_TEST_TMPDIR/disk"
        loop=$(losetup --find --show "$BATS_TEST_TMPDIR/disk")
        majmin=$(lsblk -dno MAJ:MIN "$loop" | tr -d ' ')
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'sleep 1; s=$(date +%s); dd if=/dev/zero of=/disk bs=64k count=64 oflag=direct 2>/dev/null; e=$(date +%s); echo $((e - s)) >/out/secs'
        mkdir -p "$BATS_TEST_TMPDIR/out"
        config "$BATS_TEST_TMPDIR/b" ".mounts += [{\"destination\":\"/disk\",\"type\":\"bind\",\"source\":\"$loop\",\"options\":[\"bind\"]},
                {\"destination\":\"/out\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR/out\",\"options\":[\"bind\"]}]
                | .linux.resources = {\"devices\":[{\"allow\":true,\"type\":\"b\",\"major\":${majmin%:*},\"minor\":${majmin#*:},\"access\":\"rw\"}],
                   \"blockIO\":{\"throttleWriteBpsDevice\":[{\"major\":${majmin%:*},\"minor\":${majmin#*:},\"rate\":1048576}]}}"
        kgd create --bundle "$BATS_TEST_TMPDIR/b" r4
        grep -q "^$majmin .*wbps=1048576" "$(cgroup_dir_of r4)/io.max"
        kg start r4
        for i in $(seq 600); do [ -s "$BATS_TEST_TMPDIR/out/secs" ] && break; sleep 0.1; done
        kg delete --force r4
        losetup -d "$loop"
        # 4 MiB at 1 MiB/s: about 4 s (a few more under emulation), never the instant an unthrottled dd takes.
        secs=$(cat "$BATS_TEST_TMPDIR/out/secs")
        echo "4 MiB took $secs s"
        [ "$secs" -ge 3 ]
}

# /dev/fuse: opening it needs no capability, so EPERM can only come from the
# cgroup's device filter.
@test "cgroups: a device outside the allow-list cannot be opened, an allowed one can" {
        requires root
        [ -e /dev/fuse ] || modprobe fuse
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'head -c1 /dev/zero >/dev/null && echo zero-ok; exec 3</fuse'
        config "$BATS_TEST_TMPDIR/b" '.mounts += [{"destination":"/fuse","type":"bind","source":"/dev/fuse","options":["bind"]}]'
        run kg run --bundle "$BATS_TEST_TMPDIR/b" d1
        echo "$output"
        [[ "$output" == *zero-ok* ]]
        [[ "$output" == *"can't open /fuse: Operation not permitted"* ]]
        # Allowed for reading: opens for reading, not for writing.
        config "$BATS_TEST_TMPDIR/b" '.process.args = ["sh", "-c", "exec 3</fuse && echo fuse-read-ok; exec 4>/fuse"]
                | .linux.resources = {"devices": [{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "r"}]}'
        run kg run --bundle "$BATS_TEST_TMPDIR/b" d2
        echo "$output"
        [[ "$output" == *fuse-read-ok* ]]
        [[ "$output" == *"can't create /fuse: Operation not permitted"* ]] || [[ "$output" == *"can't open /fuse: Operation not permitted"* ]]
}

@test "cgroups: linux.resources.devices applies to the nodes linux.devices creates, as written (runc)" {
        requires root
        [ -e /dev/fuse ] || modprobe fuse
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'ls /dev/fuse && exec 3</dev/fuse && echo fuse-ok'
        # The default rules deny every device but the standard ones: the node
        # is made, opening it is refused, as with runc.
        config "$BATS_TEST_TMPDIR/b" '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]'
        run kg run --bundle "$BATS_TEST_TMPDIR/b" d4
        echo "$output"
        [[ "$output" == */dev/fuse* ]]
        [[ "$output" != *fuse-ok* ]]
        [[ "$output" == *"Operation not permitted"* ]]
        if command -v runc >/dev/null; then
                cp -a "$BUSYBOX_ROOTFS" "$BATS_TEST_TMPDIR/b/rootfs"
                config "$BATS_TEST_TMPDIR/b" '.root.path = "rootfs"'
                run runc --root "$BATS_TEST_TMPDIR/runc" run --bundle "$BATS_TEST_TMPDIR/b" d4r </dev/null
                [[ "$output" != *fuse-ok* ]]
        fi
        # With the allow rule an engine sends along (podman --device), it opens.
        config "$BATS_TEST_TMPDIR/b" '.linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rwm"}]'
        run kg run --bundle "$BATS_TEST_TMPDIR/b" d5
        [[ "$output" == *fuse-ok* ]]
}

@test "cgroups: linux.devices fileMode with the file-type bits (podman's 8630) makes a 0666 node; bits of another type are refused" {
        requires root
        [ -e /dev/fuse ] || modprobe fuse
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'stat -c "%F %a" /dev/fuse; exec 3</dev/fuse && echo fuse-ok'
        # What podman --device /dev/fuse sends: the node and its allow rule.
        config "$BATS_TEST_TMPDIR/b" '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 8630}]
          | .linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rwm"}]'
        run kg run --bundle "$BATS_TEST_TMPDIR/b" d5
        echo "$output"
        [[ "$output" == *"character special file 666"* ]]
        [[ "$output" == *fuse-ok* ]]
        # S_IFBLK bits on a "c" device contradict its type.
        config "$BATS_TEST_TMPDIR/b" '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 25014}]'
        run kgd create --bundle "$BATS_TEST_TMPDIR/b" d6
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *'linux.devices[0].fileMode: 25014 (060666) has the file-type bits of a block device, but type is "c"'* ]]
        assert_gone d6
}

@test "cgroups: cgroupsPath places the container; the root and .. are refused" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        config "$BATS_TEST_TMPDIR/b" '.linux.cgroupsPath = "/kago-bats/place-'$$'"'
        kgd create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" c1
        [ "$(jq -r .cgroupPath "$ROOT/c1/state.json")" = "/kago-bats/place-$$" ]
        grep -qx "0::/kago-bats/place-$$" "/proc/$(cat "$BATS_TEST_TMPDIR/pid")/cgroup"
        kg delete --force c1
        [ ! -e "$(cgroup_root)/kago-bats/place-$$" ]
        rmdir "$(cgroup_root)/kago-bats" 2>/dev/null || true
        config "$BATS_TEST_TMPDIR/b" '.linux.cgroupsPath = "/"'
        run kgd create --bundle "$BATS_TEST_TMPDIR/b" c2
        [ "$status" -eq 1 ]
        [[ "$output" == *'linux.cgroupsPath "/": names the root cgroup'* ]]
        config "$BATS_TEST_TMPDIR/b" '.linux.cgroupsPath = "/a/../../b"'
        run kgd create --bundle "$BATS_TEST_TMPDIR/b" c3
        [ "$status" -eq 1 ]
        [[ "$output" == *'"..'*'is not allowed'* ]]
        [ ! -e "$ROOT/c3" ]
}

@test "cgroups: in its cgroup namespace the container sees its cgroup as / and only its subtree" {
        requires root cgroup2
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'cat /proc/self/cgroup; cat /sys/fs/cgroup/cgroup.procs | wc -l; echo 1 >/sys/fs/cgroup/cgroup.freeze || echo read-only'
        run kg run --bundle "$BATS_TEST_TMPDIR/b" n1
        echo "$output"
        [[ "$output" == *'0::/'* ]]
        [[ "$output" != *'0::/kago'* ]]
        [[ "$output" == *read-only* ]]
}

@test "cgroups: without the controller a limit fails clearly and leaves nothing" {
        requires root
        # rdma: a controller this host offers in no hierarchy (cgroup2 or v1).
        grep -qw rdma "$(cgroup_root)/cgroup.controllers" && skip "this host has the rdma controller in cgroup2"
        grep -q ' - cgroup .*[,]rdma\b' /proc/self/mountinfo && skip "this host has a cgroup v1 rdma hierarchy"
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        config "$BATS_TEST_TMPDIR/b" '.linux.resources = {"rdma": {"mlx5_0": {"hcaHandles": 3}}}'
        run kgd create --bundle "$BATS_TEST_TMPDIR/b" h1
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *'linux.resources.rdma'*'needs the cgroup v2 rdma controller'* ]]
        [[ "$output" == *'--cgroup-manager disabled'* ]]
        assert_gone h1
        # disabled: runs without limits, and says so.
        "$KAGO" --root "$ROOT" --cgroup-manager disabled create --bundle "$BATS_TEST_TMPDIR/b" h2 \
                </dev/null >"$BATS_TEST_TMPDIR/h2.out" 2>&1
        grep -q 'linux.resources ignored' "$BATS_TEST_TMPDIR/h2.out"
        [ "$(status_of h2)" = created ]
        kg delete --force h2
}

@test "cgroups: values that ask for nothing never fail create, on any host (pids 0/-1, memory -1, cpu.shares 1024)" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        for r in '{"pids": {"limit": 0}}' '{"pids": {"limit": -1}}' '{"memory": {"limit": -1, "swap": -1}}' \
                 '{"cpu": {"shares": 1024}}' '{"cpu": {"shares": 1024, "quota": -1, "period": 100000}}' \
                 '{"memory": {"limit": -1}, "cpu": {"shares": 1024}, "pids": {"limit": 0}}'; do
                config "$BATS_TEST_TMPDIR/b" ".linux.resources = $r"
                run kg run --bundle "$BATS_TEST_TMPDIR/b" dflt
                echo "$r: $status $output"
                [ "$status" -eq 0 ]
                # ... and without any cgroup at all.
                run "$KAGO" --root "$ROOT" --cgroup-manager disabled run --bundle "$BATS_TEST_TMPDIR/b" dflt2
                [ "$status" -eq 0 ]
                [[ "$output" != *'linux.resources ignored'* ]]
        done
}
