#!/usr/bin/env bats
# Proves linux.netDevices and the netns library: a host link with an address
# moves into the container's network namespace, renamed, and is seen there
# with its address; delete returns it to the host under its own name, with
# its address, also after the container has exited, and with a joined
# namespace (linux.namespaces path); a config naming a
# missing link, or a container without a network namespace of its own,
# fails clearly and leaves the link on the host; a create that fails after
# moving one link returns it. And netns/ itself (through a small driver)
# makes a veth pair with its peer straight in another namespace, sets MTU,
# MAC, addresses, a route and a bridge port. Needs root. Links and
# namespaces are this test's own (names from $N), removed in teardown.

load helpers
load container_helpers

setup() {
        _container_setup
        N="kn$(printf %04x $((RANDOM)))$BATS_TEST_NUMBER"
        bundle "$BATS_TEST_TMPDIR/b" sleep 4242
}

teardown() {
        _container_teardown
        local l
        for l in "${N}a" "${N}b" "${N}c" "${N}d" "${N}br"; do
                ip link del "$l" 2>/dev/null || true
        done
        ip netns del "${N}ns" 2>/dev/null || true
}

# A link $1 (a veth whose peer $2 stays on the host) with address $3.
host_link() {
        ip link add "$1" type veth peer name "$2"
        ip addr add "$3" dev "$1"
}

net_devices() {
        config "$BATS_TEST_TMPDIR/b" ".linux.netDevices = $1"
}

@test "netns: a netDevices link moves in renamed, keeps its address, and returns at delete" {
        host_link "${N}a" "${N}b" 10.231.77.2/24
        net_devices "{\"${N}a\": {\"name\": \"net9\"}}"
        kg create --bundle "$BATS_TEST_TMPDIR/b" c1
        if ip link show "${N}a" 2>/dev/null; then false; fi
        kg start c1
        run kg exec c1 ip addr show net9
        echo "$output" >&2
        [ "$status" -eq 0 ]
        [[ "$output" == *"inet 10.231.77.2/24"* ]]
        kg delete --force c1
        run ip addr show "${N}a"
        [ "$status" -eq 0 ]
        [[ "$output" == *"inet 10.231.77.2/24"* ]]
        ! ip link show net9 2>/dev/null
}

@test "netns: a link keeps its name when none is given, and returns after the container exited" {
        host_link "${N}a" "${N}b" 10.231.78.2/24
        bundle "$BATS_TEST_TMPDIR/b" sh -c "ip addr show ${N}a | grep -q 10.231.78.2/24"
        net_devices "{\"${N}a\": {}}"
        kg create --bundle "$BATS_TEST_TMPDIR/b" c2
        kg start c2
        wait_status c2 stopped
        [ "$(jq -r .status < <(kg state c2))" = stopped ]
        if ip link show "${N}a" 2>/dev/null; then false; fi
        kg delete c2
        ip addr show "${N}a" | grep -q "inet 10.231.78.2/24"
}

@test "netns: links move into a joined namespace (linux.namespaces path) and come back" {
        host_link "${N}a" "${N}b" 10.231.85.2/24
        ip netns add "${N}ns"
        net_devices "{\"${N}a\": {\"name\": \"net7\"}}"
        config "$BATS_TEST_TMPDIR/b" "(.linux.namespaces[] | select(.type == \"network\")).path = \"/run/netns/${N}ns\""
        kg create --bundle "$BATS_TEST_TMPDIR/b" c7
        ip -n "${N}ns" addr show net7 | grep -q "inet 10.231.85.2/24"
        kg delete --force c7
        ip addr show "${N}a" | grep -q "inet 10.231.85.2/24"
        ! ip -n "${N}ns" link show net7 2>/dev/null
}

@test "netns: a missing host link fails clearly and leaves nothing" {
        host_link "${N}a" "${N}b" 10.231.79.2/24
        net_devices "{\"${N}a\": {\"name\": \"net0\"}, \"${N}x\": {}}"
        run kg create --bundle "$BATS_TEST_TMPDIR/b" c3
        echo "$output" >&2
        [ "$status" -eq 1 ]
        [[ "$output" == *"linux.netDevices[\"${N}x\"]: no link of that name on the host"* ]]
        [ -z "$(ls "$ROOT")" ]
        ip addr show "${N}a" | grep -q "inet 10.231.79.2/24"
}

@test "netns: netDevices without a network namespace of the container's own fails clearly" {
        host_link "${N}a" "${N}b" 10.231.80.2/24
        net_devices "{\"${N}a\": {}}"
        config "$BATS_TEST_TMPDIR/b" '.linux.namespaces |= map(select(.type != "network"))'
        run kg create --bundle "$BATS_TEST_TMPDIR/b" c4
        echo "$output" >&2
        [ "$status" -eq 1 ]
        [[ "$output" == *"linux.netDevices: the container has no network namespace of its own"* ]]
        [ -z "$(ls "$ROOT")" ]
        ip addr show "${N}a" | grep -q "inet 10.231.80.2/24"
}

@test "netns: a bad interface name is refused before anything moves" {
        host_link "${N}a" "${N}b" 10.231.81.2/24
        net_devices "{\"${N}a\": {\"name\": \"a/b\"}}"
        run kg create --bundle "$BATS_TEST_TMPDIR/b" c5
        echo "$output" >&2
        [ "$status" -eq 1 ]
        [[ "$output" == *"linux.netDevices[\"${N}a\"]: name: \"a/b\" is not a valid interface name"* ]]
        ip link show "${N}a" >/dev/null
}

@test "netns: a create that fails after moving one link returns it" {
        host_link "${N}a" "${N}b" 10.231.82.2/24
        host_link "${N}c" "${N}d" 10.231.83.2/24
        # "lo" exists in every new namespace: the second move fails.
        net_devices "{\"${N}a\": {\"name\": \"net0\"}, \"${N}c\": {\"name\": \"lo\"}}"
        run kg create --bundle "$BATS_TEST_TMPDIR/b" c6
        echo "$output" >&2
        [ "$status" -eq 1 ]
        [[ "$output" == *"linux.netDevices[\"${N}c\"]: name: the container's network namespace already has a link \"lo\""* ]]
        [ -z "$(ls "$ROOT")" ]
        ip addr show "${N}a" | grep -q "inet 10.231.82.2/24"
        ip addr show "${N}c" | grep -q "inet 10.231.83.2/24"
}

@test "netns: the library makes a veth with its peer in a namespace, MTU, MAC, addresses, route, bridge port" {
        command -v cc >/dev/null || skip "no C compiler"
        local tool="$BATS_FILE_TMPDIR/netns_tool" ns="/run/netns/${N}ns"
        cc -std=gnu17 -D_GNU_SOURCE -o "$tool" "$KAGO_SRC/tests/unit/netns_tool.c" \
                "$KAGO_SRC"/netns/*.c "$KAGO_SRC"/base/*.c -lmnl -lyajl
        ip netns add "${N}ns"
        ip link add "${N}br" type bridge
        "$tool" veth "${N}a" eth0 "$ns"
        ip -n "${N}ns" link show eth0
        "$tool" mtu "${N}a" 1400
        "$tool" mac "${N}a" 02:42:ac:11:00:09
        "$tool" master "${N}a" "${N}br"
        "$tool" up "${N}a"
        run ip link show "${N}a"
        [[ "$output" == *"mtu 1400"* && "$output" == *"master ${N}br"* && "$output" == *"02:42:ac:11:00:09"* ]]
        "$tool" -n "$ns" up eth0
        "$tool" -n "$ns" addr eth0 10.231.84.2/24
        "$tool" -n "$ns" addr eth0 fd42:84::2/64
        "$tool" -n "$ns" route eth0 0.0.0.0/0 10.231.84.1
        ip -n "${N}ns" addr show eth0 | grep -q "inet 10.231.84.2/24"
        ip -n "${N}ns" addr show eth0 | grep -q "inet6 fd42:84::2/64"
        ip -n "${N}ns" route | grep -q "default via 10.231.84.1 dev eth0"
        run "$tool" -n "$ns" addr eth0 10.231.84.2/24
        [ "$status" -eq 1 ]
        [[ "$output" == *'link "eth0": add address 10.231.84.2/24: File exists'* ]]
        run "$tool" del "${N}zz"
        [[ "$output" == *"link \"${N}zz\": No such device"* ]]
        "$tool" del "${N}a"
        if ip -n "${N}ns" link show eth0 2>/dev/null; then false; fi
        [ "$("$tool" hostname web 3)" = "$("$tool" hostname web 3)" ]
        [ "$("$tool" hostname "$(printf 'x%.0s' {1..200})" 99 | wc -c)" -eq 16 ]
}
