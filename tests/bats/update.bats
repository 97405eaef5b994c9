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

# The huge page sizes this host's kernel offers, as cgroup file names use
# them ("2MB", "1GB", "64KB"), one per line (none when it offers none).
hugepage_sizes() {
        local d kb
        for d in /sys/kernel/mm/hugepages/hugepages-*kB; do
                [ -d "$d" ] || continue
                kb=${d##*/hugepages-}
                kb=${kb%kB}
                if ((kb % 1048576 == 0)); then echo "$((kb / 1048576))GB"
                elif ((kb % 1024 == 0)); then echo "$((kb / 1024))MB"
                else echo "${kb}KB"; fi
        done
}

# Bytes in N pages of SIZE ("2MB" -> 2097152 * N).
pages_bytes() {
        local size=$1 n=$2 num=${1%[KMG]B}
        case "$size" in
        *KB) echo $((num * 1024 * n)) ;;
        *MB) echo $((num * 1048576 * n)) ;;
        *GB) echo $((num * 1073741824 * n)) ;;
        esac
}

@test "update: hugetlb limits live, and a rejected unified value rolls them back" {
        requires root
        grep -qw hugetlb "$(cgroup_root)/cgroup.controllers" || skip "no hugetlb controller in cgroup v2 here"
        size=$(hugepage_sizes | head -n 1)
        [ -n "$size" ] || skip "this kernel offers no huge page size (/sys/kernel/mm/hugepages is empty)"
        two=$(pages_bytes "$size" 2)
        four=$(pages_bytes "$size" 4)
        running u4
        echo "{\"hugepageLimits\":[{\"pageSize\":\"$size\",\"limit\":$two}]}" | kg update -r - u4
        [ "$(cg_file u4 "hugetlb.$size.max")" = "$two" ]
        # The same file again through unified, with a value the kernel
        # refuses: the hugepageLimits write before it is put back.
        run kg update -r - u4 <<<"{\"hugepageLimits\":[{\"pageSize\":\"$size\",\"limit\":$four}],\"unified\":{\"hugetlb.$size.max\":\"lots\"}}"
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *"linux.resources.unified[\"hugetlb.$size.max\"]: write "*'Invalid argument'* ]]
        [ "$(cg_file u4 "hugetlb.$size.max")" = "$two" ]
}

@test "update: a limit whose controller the host lacks fails naming it" {
        requires root
        # rdma: a controller this host offers in no hierarchy (cgroup2 or v1).
        grep -qw rdma "$(cgroup_root)/cgroup.controllers" && skip "this host has the rdma controller in cgroup2"
        grep -q ' - cgroup .*[,]rdma\b' /proc/self/mountinfo && skip "this host has a cgroup v1 rdma hierarchy"
        running u5
        run kg update -r - u5 <<<'{"rdma": {"mlx5_0": {"hcaHandles": 3}}}'
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *'linux.resources.rdma'*'needs the cgroup v2 rdma controller, which this host does not offer'* ]]
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
