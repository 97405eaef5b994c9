# Helpers of the network suites (net.bats, vm_net.bats): a bridge, a timed
# TCP transfer between two containers, a rate check.

bridge_up() { # NAME ADDRESS
        ip link add "$1" type bridge
        [ -z "${2:-}" ] || ip addr add "$2" dev "$1"
        ip link set "$1" up
}

# Send $3 bytes from container $1 to address $2 (a listener in container $4);
# prints the bytes received and the seconds the sender took (timed inside
# it, so that kago exec's own start, slow in a microVM under emulation, is
# not counted).
transfer() {
        local from=$1 to_ip=$2 bytes=$3 to=$4 port=$((5000 + RANDOM % 1000))
        timeout 60 "$KAGO" --root "$ROOT" exec "$to" nc -l -p "$port" -e sh -c 'wc -c >&2' \
                2>"$BATS_TEST_TMPDIR/received" &
        local listener=$!
        local i
        for i in $(seq 50); do
                kg exec "$to" netstat -tln | grep -q ":$port " && break
                sleep 0.1
        done
        local t0 t1
        read -r t0 t1 < <(kg exec "$from" sh -c "a=\$(cut -d' ' -f1 /proc/uptime)
                dd if=/dev/zero bs=1000 count=$((bytes / 1000)) 2>/dev/null | nc -w 10 $to_ip $port
                echo \$a \$(cut -d' ' -f1 /proc/uptime)")
        wait "$listener" || true
        echo "$(tr -d ' ' <"$BATS_TEST_TMPDIR/received") $(echo "$t1 - $t0" | bc)"
}

# Whether MEASURED_SECONDS for BYTES is within 15 % of RATE_BITS per second.
check_rate() { # MEASURED_SECONDS BYTES RATE_BITS
        local want
        want=$(echo "$2 * 8 / $3" | bc -l)
        echo "took $1 s, $want s at the limit" >&2
        [ "$(echo "$1 >= $want * 0.85 && $1 <= $want * 1.15" | bc -l)" = 1 ]
}

