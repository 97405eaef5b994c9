#!/usr/bin/env bats
# Proves kago update: limits change live in the cgroup (memory.max, cpu.max,
# pids.max, cpu.weight from runc's flags; a --resources file or stdin), the
# saved config records them, and an update the kernel rejects changes
# nothing; bad flags, files and values fail with a message naming them.

load helpers
load container_helpers
load cgroup_helpers

running() {
        bundle "$BATS_TEST_TMPDIR/$1" sleep 1000
        kgd create --bundle "$BATS_TEST_TMPDIR/$1" "$1" >/dev/null
        kg start "$1"
}

@test "update: runc's flags change memory.max, cpu.max, pids.max and cpu.weight live" {
        requires root cgroup2
        running u1
        run kg update --memory 64m --memory-swap 128m --cpu-quota 20000 --cpu-period 100000 \
                --pids-limit 50 --cpu-shares 1024 --memory-reservation 32m u1
        [ "$status" -eq 0 ]
        [ "$(cg_file u1 memory.max)" = 67108864 ]
        [ "$(cg_file u1 memory.swap.max)" = 67108864 ]
        [ "$(cg_file u1 memory.low)" = 33554432 ]
        [ "$(cg_file u1 cpu.max)" = "20000 100000" ]
        [ "$(cg_file u1 pids.max)" = 50 ]
        [ "$(cg_file u1 cpu.weight)" = 39 ]
        # The saved config says so too.
        [ "$(jq .linux.resources.memory.limit "$ROOT/u1/config.json")" = 67108864 ]
        [ "$(jq .linux.resources.pids.limit "$ROOT/u1/config.json")" = 50 ]
        # Only the period: the quota stays.
        kg update --cpu-period 50000 u1
        [ "$(cg_file u1 cpu.max)" = "20000 50000" ]
        kg update --memory -1 --pids-limit -1 u1
        [ "$(cg_file u1 memory.max)" = max ]
        [ "$(cg_file u1 pids.max)" = max ]
}

@test "update: --resources from a file and from stdin" {
        requires root cgroup2
        running u2
        echo '{"memory":{"limit":50000000},"cpu":{"quota":30000,"period":100000}}' >"$BATS_TEST_TMPDIR/r.json"
        kg update --resources "$BATS_TEST_TMPDIR/r.json" u2
        [ "$(cg_file u2 memory.max)" = 49999872 ] || [ "$(cg_file u2 memory.max)" = 50000000 ]
        [ "$(cg_file u2 cpu.max)" = "30000 100000" ]
        echo '{"pids":{"limit":7}}' | kg update --resources - u2
        [ "$(cg_file u2 pids.max)" = 7 ]
        # Flags override the file.
        kg update --resources "$BATS_TEST_TMPDIR/r.json" --cpu-quota 40000 u2
        [ "$(cg_file u2 cpu.max)" = "40000 100000" ]
}

@test "update: a value the kernel rejects changes nothing" {
        requires root cgroup2
        running u3
        kg update --memory 64m --cpu-quota 50000 u3
        # memory.max is written before cpu.max; the kernel refuses a quota under 1 ms.
        run kg update --memory 32m --cpu-quota 500 u3
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *'linux.resources.cpu.quota: write '*'/cpu.max = "500": Invalid argument'* ]]
        [[ "$output" == *'(limits unchanged)'* ]]
        [ "$(cg_file u3 memory.max)" = 67108864 ]
        [ "$(cg_file u3 cpu.max)" = "50000 100000" ]
        [ "$(jq .linux.resources.memory.limit "$ROOT/u3/config.json")" = 67108864 ]
}

@test "update: hugetlb limits live, and a rejected unified value rolls them back" {
        requires root
        grep -qw hugetlb "$(cgroup_root)/cgroup.controllers" || skip "no hugetlb controller in cgroup v2 here"
        running u4
        echo '{"hugepageLimits":[{"pageSize":"2MB","limit":4194304}]}' | kg update -r - u4
        [ "$(cg_file u4 hugetlb.2MB.max)" = 4194304 ]
        run kg update -r - u4 <<<'{"hugepageLimits":[{"pageSize":"2MB","limit":8388608}],"unified":{"hugetlb.1GB.max":"lots"}}'
        [ "$status" -eq 1 ]
        [[ "$output" == *'linux.resources.unified["hugetlb.1GB.max"]: write '*'Invalid argument'* ]]
        [ "$(cg_file u4 hugetlb.2MB.max)" = 4194304 ]
}

@test "update: a limit whose controller the host lacks fails naming it" {
        requires root
        grep -qw memory "$(cgroup_root)/cgroup.controllers" && skip "memory controller present (covered above)"
        running u5
        run kg update --memory 64m u5
        [ "$status" -eq 1 ]
        [[ "$output" == *'linux.resources.memory.limit: needs the cgroup v2 memory controller, which this host does not offer'* ]]
}

@test "update: bad flags, values, files and states fail clearly" {
        requires root
        running u6
        run kg update u6
        [ "$status" -eq 1 ]
        [[ "$output" == *'nothing to update'* ]]
        run kg update --memory lots u6
        [ "$status" -eq 1 ]
        [[ "$output" == *'--memory: "lots" is not a valid value'* ]]
        run kg update --blkio-weight 5 u6
        [ "$status" -eq 1 ]
        [[ "$output" == *'--blkio-weight: "5" is not a valid value'* ]]
        run kg update --bogus 1 u6
        [ "$status" -eq 1 ]
        [[ "$output" == *'--bogus'* ]]
        run kg update --resources "$BATS_TEST_TMPDIR/missing.json" u6
        [ "$status" -eq 1 ]
        [[ "$output" == *'missing.json'*'No such file'* ]]
        echo '{"memory":{"limit":"1G"}}' >"$BATS_TEST_TMPDIR/bad.json"
        run kg update --resources "$BATS_TEST_TMPDIR/bad.json" u6
        [ "$status" -eq 1 ]
        [[ "$output" == *'bad.json: memory.limit'* ]]
        run kg update --memory 1m nosuch
        [ "$status" -eq 1 ]
        [[ "$output" == *'container "nosuch" does not exist'* ]]
        kg kill u6 KILL
        wait_status u6 stopped
        run kg update --pids-limit 5 u6
        [ "$status" -eq 1 ]
        [[ "$output" == *'container "u6" is stopped: nothing to update'* ]]
}
