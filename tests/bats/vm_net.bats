#!/usr/bin/env bats
# Proves microVM networking (virtio-net): the guest's NIC is the container's
# interface, as kago.net (or an engine) made it: same name, MAC, MTU,
# IPv4 and IPv6 addresses and default route; the guest pings the bridge's address by a
# name from the container's /etc/hosts, a container on the same bridge
# reaches a TCP port the guest serves and the guest reaches one it serves,
# the exec'd process sees the same network, 3 MB cross it intact, a
# kago.net bandwidth limit holds for the guest's traffic, and pause parks the
# NIC with the vCPUs (no answer while paused, answers after resume), and a
# checkpointed VM restored on its bridge answers and talks TCP again; restored
# where its interface has another MAC or address, the guest takes them and
# announces itself (the peer's neighbour entry follows). Delete
# leaves no link behind; in a namespace the engine keeps, it takes the
# redirects off, and a create refused there (too many interfaces) leaves
# the namespace as it was. Needs root and
# KVM: it runs in the test VM. Bridges and addresses are this test's own
# (names from $N, 10.233.0.0/16), removed in teardown.

load helpers
load container_helpers
load net_helpers

setup_file() {
        _container_setup_file
        modprobe tun 2>/dev/null || true # a host without udev has no /dev/net/tun before
        export KAGO_VM_KERNEL="${KAGO_VM_KERNEL:-${KAGO_CACHE:-/var/cache/kago}/kernel/vmlinux}"
}

setup() {
        _container_setup
        N="kv$(printf %04x $((RANDOM)))$BATS_TEST_NUMBER"
}

teardown() {
        _container_teardown
        ip link del "${N}br" 2>/dev/null || true
        ip netns del "${N}ns" 2>/dev/null || true
}

# Container $1 from bundle dir $2 with annotations $3 (a JSON object) and a
# hosts file naming the bridge; microVM when $4 is "vm".
net_bundle() {
        local id=$1 dir=$2 ann=$3 mode=$4
        shift 4
        bundle "$dir" "$@"
        printf '127.0.0.1 localhost\n10.233.1.1 bridge-host\n' >"$dir/hosts"
        config "$dir" ".annotations = $ann | .mounts += [{\"destination\": \"/etc/hosts\",
                \"type\": \"bind\", \"source\": \"$dir/hosts\", \"options\": [\"bind\", \"ro\"]}]"
        # ping's raw socket needs CAP_NET_RAW, which the default set lacks.
        config "$dir" '.process.capabilities |= with_entries(select(.key != "ambient") |
                .value += ["CAP_NET_RAW"])'
        [ "$mode" = vm ] && config "$dir" '.vm = {"kernel": {"path": env.KAGO_VM_KERNEL}}'
        true
}

needs_vm() {
        requires root kvm
        [ -r "$KAGO_VM_KERNEL" ] || skip "no guest kernel at $KAGO_VM_KERNEL (make kernel)"
}

# A container $1 on ${N}br with addresses $2, sleeping.
bridge_container() {
        net_bundle "$1" "$BATS_TEST_TMPDIR/$1" "{\"kago.net\": \"bridge:${N}br\",
                \"kago.net.address\": \"$2\"}" container sleep 4242
        kg run -d --bundle "$BATS_TEST_TMPDIR/$1" "$1"
}

# Wait (up to 300 s) until file $1 holds a line matching $2.
wait_line() {
        local i
        for i in $(seq 1500); do
                grep -q "$2" "$1" 2>/dev/null && return 0
                sleep 0.2
        done
        echo "no '$2' in $1:" >&2
        cat "$1" >&2
        return 1
}

@test "vm net: the guest's NIC is the container's link; ping by /etc/hosts name, TCP both ways, exec" {
        needs_vm
        bridge_up "${N}br" 10.233.1.1/24
        bridge_container "${N}c" 10.233.1.3/24,fd33::3/64
        net_bundle "${N}v" "$BATS_TEST_TMPDIR/v" "{\"kago.net\": \"bridge:${N}br\",
                \"kago.net.address\": \"10.233.1.2/24,fd33::2/64\", \"kago.net.gateway\": \"10.233.1.1\",
                \"kago.net.mac\": \"02:33:00:00:01:02\", \"kago.net.mtu\": \"1400\"}" vm \
                sh -c 'ip addr show eth0; ip route; ping -c 2 -W 10 bridge-host && echo PING-OK;
                       echo from-the-guest | nc -l -p 7001; echo SERVED; exec sleep 4242'
        kg run -d --bundle "$BATS_TEST_TMPDIR/v" "${N}v" >"$BATS_TEST_TMPDIR/v.out" 2>&1 ||
                { cat "$BATS_TEST_TMPDIR/v.out" >&2; false; }
        wait_line "$BATS_TEST_TMPDIR/v.out" "PING-OK"
        cat "$BATS_TEST_TMPDIR/v.out" >&2
        grep -q "mtu 1400" "$BATS_TEST_TMPDIR/v.out"
        grep -q "link/ether 02:33:00:00:01:02" "$BATS_TEST_TMPDIR/v.out"
        grep -q "inet 10.233.1.2/24" "$BATS_TEST_TMPDIR/v.out"
        grep -q "default via 10.233.1.1 dev eth0" "$BATS_TEST_TMPDIR/v.out"
        grep -q "inet6 fd33::2/64" "$BATS_TEST_TMPDIR/v.out"
        kg exec "${N}c" ping -c 1 -W 20 fd33::2
        # A container on the bridge reaches the guest's port, then the guest reaches its.
        run kg exec "${N}c" sh -c 'for i in $(seq 50); do nc -w 5 10.233.1.2 7001 2>/dev/null && exit 0; sleep 0.2; done; exit 1'
        [ "$status" -eq 0 ]
        [ "$output" = from-the-guest ]
        wait_line "$BATS_TEST_TMPDIR/v.out" "SERVED"
        timeout 120 "$KAGO" --root "$ROOT" exec "${N}c" sh -c 'echo from-the-container | nc -l -p 7002' &
        run kg exec "${N}v" sh -c 'for i in $(seq 100); do nc -w 5 10.233.1.3 7002 2>/dev/null && exit 0; sleep 0.2; done; exit 1'
        echo "guest's nc: $status: $output" >&2
        [ "$status" -eq 0 ]
        [ "$output" = from-the-container ]
        host=$(kg state "${N}v" | jq -r '.annotations["kago.net.host-link"]')
        ip link show "$host" >/dev/null
        kg delete --force "${N}v"
        run ip link show "$host"
        [ "$status" -ne 0 ]
        kg delete --force "${N}c"
}

# The microVM container $1 on ${N}br with address $2 and the annotations of
# the JSON members $3, sleeping; returns once the guest runs (kago exec works).
vm_sleeper() {
        net_bundle "$1" "$BATS_TEST_TMPDIR/$1" "{\"kago.net\": \"bridge:${N}br\",
                \"kago.net.address\": \"$2\"${3:+, $3}}" vm sleep 4242
        kg run -d --bundle "$BATS_TEST_TMPDIR/$1" "$1" >"$BATS_TEST_TMPDIR/$1.out" 2>&1 ||
                { cat "$BATS_TEST_TMPDIR/$1.out" >&2; false; }
        local i
        for i in $(seq 300); do kg exec "$1" true 2>/dev/null && return 0; sleep 0.5; done
        return 1
}

@test "vm net: bulk TCP crosses intact, a kago.net egress limit holds, pause parks the NIC" {
        needs_vm
        bridge_up "${N}br" 10.233.2.1/24
        bridge_container "${N}c" 10.233.2.3/24
        vm_sleeper "${N}v" 10.233.2.2/24
        read -r got secs < <(transfer "${N}v" 10.233.2.3 3000000 "${N}c")
        [ "$got" = 3000000 ]
        echo "3 MB without a limit: $secs s" >&2
        kg exec "${N}c" ping -c 1 -W 10 10.233.2.2
        kg pause "${N}v"
        run kg exec "${N}c" ping -c 2 -W 2 10.233.2.2
        [ "$status" -ne 0 ] # the guest's NIC takes nothing in while it is paused
        kg resume "${N}v"
        kg exec "${N}c" ping -c 1 -W 20 10.233.2.2
        kg delete --force "${N}v"
        if [ "$(echo "$secs > 5" | bc -l)" = 1 ]; then
                skip "3 MB take $secs s without a limit here: too slow to measure 2 Mbit/s"
        fi
        vm_sleeper "${N}w" 10.233.2.4/24 '"kago.net.egress-rate": "2M"'
        read -r got secs < <(transfer "${N}w" 10.233.2.3 3000000 "${N}c")
        [ "$got" = 3000000 ]
        check_rate "$secs" 3000000 2000000
}

@test "vm net: a checkpointed and restored microVM answers on its bridge again, exec and TCP included; restored elsewhere it takes the new MAC and address and announces them" {
        needs_vm
        bridge_up "${N}br" 10.233.3.1/24
        bridge_container "${N}c" 10.233.3.3/24
        vm_sleeper "${N}v" 10.233.3.2/24 '"kago.net.mac": "02:33:00:00:03:02"'
        kg exec "${N}c" ping -c 1 -W 10 10.233.3.2
        kg checkpoint --image-path "$BATS_TEST_TMPDIR/img" "${N}v"
        [ ! -e "$ROOT/${N}v" ]
        run kg exec "${N}c" ping -c 1 -W 2 10.233.3.2
        [ "$status" -ne 0 ] # saved and gone
        kg restore -d --image-path "$BATS_TEST_TMPDIR/img" --bundle "$BATS_TEST_TMPDIR/${N}v" "${N}v" \
                </dev/null >"$BATS_TEST_TMPDIR/r.out" 2>&1 || { cat "$BATS_TEST_TMPDIR/r.out" >&2; false; }
        # The NIC's rings and the tap's redirects come back with the guest.
        kg exec "${N}c" ping -c 1 -W 20 10.233.3.2
        read -r got secs < <(transfer "${N}v" 10.233.3.3 1000000 "${N}c")
        [ "$got" = 1000000 ]
        kg exec "${N}c" ip neigh show 10.233.3.2 | grep -q "02:33:00:00:03:02"

        # Restored where its interface has another MAC: the guest takes it and
        # announces itself, so the peer's neighbour entry follows at once,
        # without asking (gratuitous ARP).
        kg checkpoint --image-path "$BATS_TEST_TMPDIR/img2" "${N}v"
        restore_as "${N}w" "$BATS_TEST_TMPDIR/img2" 10.233.3.2/24 02:33:00:00:03:05
        kg exec "${N}w" ip -o link show eth0 | grep -q "link/ether 02:33:00:00:03:05"
        local i
        for i in $(seq 50); do
                kg exec "${N}c" ip neigh show 10.233.3.2 | grep -q "02:33:00:00:03:05" && break
                sleep 0.2
        done
        kg exec "${N}c" ip neigh show 10.233.3.2 | grep -q "02:33:00:00:03:05"

        # Restored under another address: the old one and its routes go.
        kg checkpoint --image-path "$BATS_TEST_TMPDIR/img3" "${N}w"
        restore_as "${N}x" "$BATS_TEST_TMPDIR/img3" 10.233.3.4/24 02:33:00:00:03:04
        kg exec "${N}x" ip -o addr show eth0 >"$BATS_TEST_TMPDIR/addr"
        grep -q "inet 10.233.3.4/24" "$BATS_TEST_TMPDIR/addr"
        ! grep -q "10.233.3.2" "$BATS_TEST_TMPDIR/addr" || { cat "$BATS_TEST_TMPDIR/addr"; false; }
        kg exec "${N}c" ping -c 1 -W 20 10.233.3.4
        read -r got secs < <(transfer "${N}x" 10.233.3.3 100000 "${N}c")
        [ "$got" = 100000 ]
        kg delete --force "${N}x"
        kg delete --force "${N}c"
}

# Restore image $2 as microVM $1 on ${N}br with address $3 and MAC $4.
restore_as() {
        net_bundle "$1" "$BATS_TEST_TMPDIR/$1" "{\"kago.net\": \"bridge:${N}br\",
                \"kago.net.address\": \"$3\", \"kago.net.mac\": \"$4\"}" vm sleep 4242
        kg restore -d --image-path "$2" --bundle "$BATS_TEST_TMPDIR/$1" "$1" </dev/null \
                >"$BATS_TEST_TMPDIR/$1.out" 2>&1 || { cat "$BATS_TEST_TMPDIR/$1.out" >&2; false; }
}

@test "vm net: in a namespace the engine keeps, a refused create and delete leave its interfaces as they were" {
        needs_vm
        local ns="${N}ns" i
        ip netns add "$ns"
        for i in 0 1 2 3 4; do
                ip link add "${N}h$i" type veth peer name "eth$i" netns "$ns"
                ip -n "$ns" link set "eth$i" up
        done
        bundle "$BATS_TEST_TMPDIR/v" sleep 4242
        config "$BATS_TEST_TMPDIR/v" '.vm = {"kernel": {"path": env.KAGO_VM_KERNEL}} |
                .linux.namespaces |= map(if .type == "network" then .path = "/var/run/netns/'"$ns"'" else . end)'
        kg_status run -d --bundle "$BATS_TEST_TMPDIR/v" "${N}v"
        [ "$status" -ne 0 ]
        [[ "$output" == *"more than 4 network interfaces in the container's network namespace (interface eth4)"* ]]
        [ -z "$(ip -n "$ns" -o link show | grep kagotap)" ]
        [ -z "$(tc -n "$ns" qdisc show | grep ingress)" ]
        [ ! -e "$ROOT/${N}v" ]
        for i in 2 3 4; do ip -n "$ns" link del "eth$i"; done
        kg run -d --bundle "$BATS_TEST_TMPDIR/v" "${N}v"
        tc -n "$ns" qdisc show dev eth0 | grep -q ingress
        tc -n "$ns" qdisc show dev eth1 | grep -q ingress
        kg delete --force "${N}v"
        [ -z "$(tc -n "$ns" qdisc show | grep ingress)" ]
        [ -z "$(ip -n "$ns" -o link show | grep kagotap)" ]
}
