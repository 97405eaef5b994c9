#!/usr/bin/env bats
# Proves kago events: --stats prints one JSON object in runc's layout with
# cpu, memory, pids, blkio and hugetlb figures read from the cgroup; the
# stream prints stats every --interval and ends when the container stops;
# an OOM kill is reported as an oom event as it happens (test VM: needs the
# memory controller); bad requests fail clearly.

load helpers
load container_helpers
load cgroup_helpers

@test "events --stats: one JSON object with the cgroup's figures" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 1000'
        kgd create --bundle "$BATS_TEST_TMPDIR/b" e1
        kg start e1
        sleep 1
        run kg events --stats e1
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | wc -l)" -eq 1 ]
        [ "$(echo "$output" | jq -r .type)" = stats ]
        [ "$(echo "$output" | jq -r .id)" = e1 ]
        # CPU time in ns, as in the cgroup's cpu.stat (µs).
        total=$(echo "$output" | jq .data.cpu.usage.total)
        [ "$total" -gt 0 ]
        usec=$(awk '$1 == "usage_usec" {print $2}' "$(cgroup_dir_of e1)/cpu.stat")
        [ "$total" -le $((usec * 1000)) ]
        echo "$output" | jq -e '.data.memory.usage | has("limit") and has("usage")'
        echo "$output" | jq -e '.data.memory.event_count | has("oom_kill")'
        echo "$output" | jq -e '.data.pids | has("current") and has("limit")'
        echo "$output" | jq -e '.data.blkio | has("ioServiceBytesRecursive")'
        echo "$output" | jq -e '.data.hugetlb | type == "object"'
}

@test "events --stats: memory and pids figures match the cgroup" {
        requires root cgroup2
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        config "$BATS_TEST_TMPDIR/b" '.linux.resources = {"memory":{"limit":104857600},"pids":{"limit":40}}'
        kgd create --bundle "$BATS_TEST_TMPDIR/b" e2
        kg start e2
        run kg events --stats e2
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq .data.memory.usage.limit)" = 104857600 ]
        [ "$(echo "$output" | jq .data.memory.usage.usage)" -gt 0 ]
        [ "$(echo "$output" | jq .data.pids.limit)" = 40 ]
        [ "$(echo "$output" | jq .data.pids.current)" -ge 1 ]
}

@test "events: streams stats every interval and ends when the container stops" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        kgd create --bundle "$BATS_TEST_TMPDIR/b" e3
        kg start e3
        "$KAGO" --root "$ROOT" events --interval 300ms e3 >"$BATS_TEST_TMPDIR/events" 2>&1 &
        ev=$!
        for i in $(seq 1200); do [ "$(grep -c '"type":"stats"' "$BATS_TEST_TMPDIR/events")" -ge 3 ] && break; sleep 0.1; done
        [ "$(grep -c '"type":"stats"' "$BATS_TEST_TMPDIR/events")" -ge 3 ]
        kg kill e3 KILL
        # The stream ends by itself once the container's processes are gone.
        for i in $(seq 600); do kill -0 "$ev" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$ev" 2>/dev/null; then false; fi
        wait "$ev"
        ! grep -q '"type":"oom"' "$BATS_TEST_TMPDIR/events"
}

@test "events: an OOM kill is reported the moment it happens" {
        requires root cgroup2
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'sleep 2; dd if=/dev/zero of=/dev/null bs=96M count=1; sleep 1000'
        config "$BATS_TEST_TMPDIR/b" '.linux.resources = {"memory":{"limit":33554432,"swap":33554432}}'
        kgd create --bundle "$BATS_TEST_TMPDIR/b" e4
        kg start e4
        "$KAGO" --root "$ROOT" events --interval 60s e4 >"$BATS_TEST_TMPDIR/events" 2>&1 &
        ev=$!
        for i in $(seq 600); do grep -q '"type":"oom"' "$BATS_TEST_TMPDIR/events" && break; sleep 0.1; done
        kill "$ev"
        grep -qx '{"type":"oom","id":"e4"}' "$BATS_TEST_TMPDIR/events"
        # Reported on the OOM, not at the next 60 s tick: one stats line only.
        [ "$(grep -c '"type":"stats"' "$BATS_TEST_TMPDIR/events")" -eq 1 ]
        [ "$(kg events --stats e4 | jq .data.memory.event_count.oom_kill)" -ge 1 ]
}

@test "events: bad interval, unknown and stopped containers fail clearly" {
        requires root
        run kg events --interval soon x
        [ "$status" -eq 1 ]
        [[ "$output" == *'--interval: "soon" is not a duration'* ]]
        run kg events nosuch
        [ "$status" -eq 1 ]
        [[ "$output" == *'container "nosuch" does not exist'* ]]
        bundle "$BATS_TEST_TMPDIR/b" true
        kgd create --bundle "$BATS_TEST_TMPDIR/b" e5
        kg start e5
        wait_status e5 stopped
        run kg events --stats e5
        [ "$status" -eq 1 ]
        [[ "$output" == *'container "e5" is not running (it is stopped)'* ]]
}
