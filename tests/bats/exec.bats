#!/usr/bin/env bats
# Proves kago exec: the process joins every namespace, the cgroup and the root
# of the container; the foreground exits with its status (128+N on a signal);
# each flag (--env, --cwd, --user, --additional-gids, --cap, --no-new-privs,
# --process, --detach, --pid-file, --preserve-fds, --tty with
# --console-socket, --ignore-paused) does what it says; the container's
# seccomp, capabilities, rlimits and no_new_privs apply to it; and the bad
# cases (missing, stopped or paused container, unknown capability, bad user,
# no command, an LSM this host lacks) fail clearly and leave nothing running.

load helpers
load container_helpers

# A running container "$1" (sleep) from bundle dir $2 (default: b).
start_sleeper() {
        local id=$1 dir=${2:-$BATS_TEST_TMPDIR/b}
        [ -f "$dir/config.json" ] || bundle "$dir" sleep 1000
        kgd run -d --bundle "$dir" "$id" >/dev/null
        wait_status "$id" running
}

@test "exec: joins the container's namespaces, cgroup and root" {
        requires root
        start_sleeper e1
        run kg exec e1 sh -c 'for n in pid net ipc uts mnt cgroup; do
                [ "$(readlink /proc/self/ns/$n)" = "$(readlink /proc/1/ns/$n)" ] || echo "differs: $n"; done
                [ "$(cat /proc/self/cgroup)" = "$(cat /proc/1/cgroup)" ] || echo "cgroup differs"
                ls /bin/busybox >/dev/null && echo root-ok; echo pid=$$'
        [ "$status" -eq 0 ]
        [[ "$output" != *differs* ]]
        [[ "$output" == *root-ok* ]]
        # The container has its own pid namespace: the exec process's pid there is small.
        [[ "$output" =~ pid=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -lt 100 ]
}

@test "exec: exits with the process's status, 128+N when killed by signal N" {
        requires root
        start_sleeper e2
        run kg exec e2 sh -c 'exit 42'
        [ "$status" -eq 42 ]
        run kg exec e2 sh -c 'kill -USR2 $$'
        [ "$status" -eq $((128 + 12)) ]
}

@test "exec: --env, --cwd, --user, --additional-gids" {
        requires root
        start_sleeper e3
        run kg exec --env FOO=bar --env TERM=dumb --cwd /tmp --user 1000:1001 \
                --additional-gids 5 -g 6,7 e3 sh -c 'echo "$FOO $TERM $(pwd) $(id -u) $(id -g) $(id -G)"'
        [ "$status" -eq 0 ]
        [ "$output" = "bar dumb /tmp 1000 1001 1001 5 6 7" ]
}

@test "exec: the container's capabilities, plus --cap; no_new_privs from the config or --no-new-privs" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        config "$BATS_TEST_TMPDIR/b" '.process.noNewPrivileges = false'
        start_sleeper e4
        run kg exec e4 grep -E '^(CapEff|NoNewPrivs)' /proc/self/status
        [ "$status" -eq 0 ]
        [[ "$output" == *"CapEff:	0000000020000420"* ]]
        [[ "$output" == *"NoNewPrivs:	0"* ]]
        run kg exec --cap CAP_SYS_ADMIN --cap NET_ADMIN --no-new-privs e4 grep -E '^(CapEff|CapAmb|NoNewPrivs)' /proc/self/status
        [ "$status" -eq 0 ]
        [[ "$output" == *"CapEff:	0000000020201420"* ]]
        [[ "$output" == *"CapAmb:	0000000000201000"* ]]
        [[ "$output" == *"NoNewPrivs:	1"* ]]
}

@test "exec: the container's seccomp filter and rlimits apply" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        config "$BATS_TEST_TMPDIR/b" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
                syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 122}]}
                | .process.rlimits = [{type: "RLIMIT_NOFILE", soft: 321, hard: 654}]'
        start_sleeper e5
        run kg exec e5 sh -c 'grep Seccomp: /proc/self/status; ulimit -n; ulimit -Hn; mkdir /tmp/d; echo rc=$?'
        [[ "$output" == *"Seccomp:	2"* ]]
        [[ "$output" == *321* ]]
        [[ "$output" == *654* ]]
        [[ "$output" == *"Disk quota exceeded"* ]]
        [[ "$output" == *rc=1* ]]
}

@test "exec: --process FILE, its capabilities and rlimits from the container when absent" {
        requires root
        start_sleeper e6
        cat >"$BATS_TEST_TMPDIR/p.json" <<'EOF'
{"args": ["sh", "-c", "echo $X; pwd; id -u; grep CapEff /proc/self/status; ulimit -n"],
 "env": ["X=from-file", "PATH=/bin"], "cwd": "/etc", "user": {"uid": 7, "gid": 7}}
EOF
        run kg exec --process "$BATS_TEST_TMPDIR/p.json" e6
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = from-file ]
        [ "${lines[1]}" = /etc ]
        [ "${lines[2]}" = 7 ]
        [[ "${lines[3]}" == *0000000000000000* ]] # uid 7 without ambient capabilities
        [ "${lines[4]}" = 1024 ]                  # the container's RLIMIT_NOFILE
        run kg exec --process "$BATS_TEST_TMPDIR/p.json" e6 echo extra
        [ "$status" -eq 255 ]
        [[ "$output" == *"give the command in the file"* ]]
        echo '{"args": []' >"$BATS_TEST_TMPDIR/bad.json"
        run kg exec --process "$BATS_TEST_TMPDIR/bad.json" e6
        [ "$status" -eq 255 ]
        [[ "$output" == *"--process"*"bad.json"* ]]
}

@test "exec: --detach with --pid-file returns while the process runs in the container" {
        requires root
        start_sleeper e7
        run kgd exec -d --pid-file "$BATS_TEST_TMPDIR/pid" e7 sleep 321
        [ "$status" -eq 0 ]
        pid=$(cat "$BATS_TEST_TMPDIR/pid")
        [ "$(cat /proc/$pid/cmdline | tr '\0' ' ')" = "sleep 321 " ]
        [ "$(readlink /proc/$pid/ns/pid)" = "$(readlink /proc/$(kg state e7 | jq .pid)/ns/pid)" ]
        kg ps --format json e7 | jq -e --argjson p "$pid" 'index($p) != null'
}

@test "exec: --preserve-fds passes fds to the process" {
        requires root
        start_sleeper e8
        echo passed-through >"$BATS_TEST_TMPDIR/f"
        run kg exec --preserve-fds 1 e8 sh -c 'cat <&3' 3<"$BATS_TEST_TMPDIR/f"
        [ "$status" -eq 0 ]
        [ "$output" = passed-through ]
        run kg exec --preserve-fds 500 e8 true
        [ "$status" -eq 1 ]
        [[ "$output" == *"--preserve-fds 500: fd "*" is not open"* ]]
}

@test "exec: --tty with --console-socket gives the process a pty" {
        requires root
        start_sleeper e9
        sock=$(mktemp -u /tmp/kago-console.XXXXXX)
        /usr/bin/python3 "$KAGO_SRC/tests/fixtures/console-socket.py" "$sock" "$BATS_TEST_TMPDIR/tty" &
        rpid=$!
        for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
        run kgd exec -t -d --console-socket "$sock" e9 sh
        [ "$status" -eq 0 ]
        wait "$rpid"
        rm -f "$sock"
        [[ "$(cat "$BATS_TEST_TMPDIR/tty.name")" == /dev/pts/* ]]
        grep -q hello-42 "$BATS_TEST_TMPDIR/tty"
        run kg exec -t -d e9 sh
        [ "$status" -eq 1 ]
        [[ "$output" == *"--tty with --detach needs --console-socket"* ]]
}

@test "exec: a paused container refuses exec unless --ignore-paused" {
        requires root
        start_sleeper e10
        kg pause e10 || skip "pause needs a cgroup2 freezer here"
        run kg exec e10 true
        [ "$status" -eq 255 ]
        [[ "$output" == *'container "e10" is paused: resume it, or pass --ignore-paused'* ]]
        # Joined to the frozen cgroup, the process freezes too: detach.
        run kgd exec -d --ignore-paused --pid-file "$BATS_TEST_TMPDIR/pid" e10 sh -c 'echo ran >/tmp/ran'
        [ "$status" -eq 0 ]
        kg resume e10
        run kg exec e10 sh -c 'for i in $(seq 50); do [ -f /tmp/ran ] && break; sleep 0.1; done; cat /tmp/ran'
        [ "$output" = ran ]
}

@test "exec: --ignore-paused --detach reports failures the process meets after its setup" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        # Executable for root only: uid 1000 passes the lookup (made as root)
        # but may not exec it once it has switched user.
        printf '#!/bin/sh\necho secret\n' >"$BATS_TEST_TMPDIR/secret"
        config "$BATS_TEST_TMPDIR/b" ".mounts += [{destination: \"/secret\", type: \"bind\",
                source: \"$BATS_TEST_TMPDIR/secret\", options: [\"bind\", \"ro\"]}]"
        chmod 0700 "$BATS_TEST_TMPDIR/secret"
        start_sleeper e13
        run kg exec --user 1000 e13 /secret
        [ "$status" -ne 0 ]
        kg pause e13 || skip "pause needs a cgroup2 freezer here"
        run kgd exec -d --ignore-paused --user 1000 --pid-file "$BATS_TEST_TMPDIR/pid" e13 /secret
        [ "$status" -eq 255 ]
        [[ "$output" == *'exec in container "e13": exec /secret as uid 1000: Permission denied'* ]]
        [ ! -e "$BATS_TEST_TMPDIR/pid" ]
        # Not a command, and an unknown one: clear errors too.
        run kgd exec -d --ignore-paused e13 /no/such/command
        [ "$status" -eq 255 ]
        [[ "$output" == *"process.args[0]: /no/such/command"* ]]
        # A pid file that cannot be written: an error, and the process is gone.
        run kgd exec -d --ignore-paused --pid-file /nonexistent/pid e13 sleep 777
        [ "$status" -eq 255 ]
        [[ "$output" == *"--pid-file"*"/nonexistent/pid"* ]]
        # Nothing of the failed execs is left in the container.
        kg resume e13
        run kg ps --format json e13
        [ "$(jq length <<<"$output")" -eq 1 ] || { kg exec e13 ps -o pid,stat,args; false; }
        # A good one still runs once resumed.
        kg pause e13
        run kgd exec -d --ignore-paused e13 sh -c 'echo ok >/tmp/ok'
        [ "$status" -eq 0 ]
        kg resume e13
        run kg exec e13 sh -c 'for i in $(seq 50); do [ -f /tmp/ok ] && break; sleep 0.1; done; cat /tmp/ok'
        [ "$output" = ok ]
}

@test "exec: missing and stopped containers, bad flags, no command" {
        requires root
        run kg exec nosuch true
        [ "$status" -eq 255 ]
        [[ "$output" == *'container "nosuch" does not exist'* ]]
        bundle "$BATS_TEST_TMPDIR/b" true
        kgd run -d --keep --bundle "$BATS_TEST_TMPDIR/b" e11 >/dev/null
        wait_status e11 stopped
        run kg exec e11 true
        [ "$status" -eq 255 ]
        [[ "$output" == *"is not running"* ]]
        start_sleeper e12 "$BATS_TEST_TMPDIR/b2"
        run kg exec --cap CAP_FLY e12 true
        [ "$status" -eq 255 ]
        [[ "$output" == *'unknown capability "CAP_FLY"'* ]]
        run kg exec --user root e12 true
        [ "$status" -eq 255 ]
        [[ "$output" == *'--user: "root" is not uid[:gid]'* ]]
        run kg exec e12
        [ "$status" -eq 255 ]
        [[ "$output" == *"no command"* ]]
        run kg exec --env NOEQUALS e12 true
        [ "$status" -eq 1 ]
        [[ "$output" == *'--env: "NOEQUALS" is not KEY=VALUE'* ]]
        run kg exec e12 /no/such/binary
        [ "$status" -eq 255 ]
        [[ "$output" == *"/no/such/binary"* ]]
        run kg exec --cap CAP_SYS_RESOURCE e12 true
        if ! grep -q '^CapBnd:.*' /proc/self/status || [ $(( 0x$(awk '/^CapBnd/{print $2}' /proc/self/status) >> 24 & 1 )) -eq 0 ]; then
                [ "$status" -eq 255 ]
                [[ "$output" == *"CAP_SYS_RESOURCE is not in this host's capability bounding set"* ]]
        fi
        if [ ! -e /sys/kernel/security/apparmor ]; then
                run kg exec --apparmor some-profile e12 true
                [ "$status" -eq 255 ]
                [[ "$output" == *'"some-profile": AppArmor is not enabled on this host'* ]]
        fi
        # Nothing of the failed attempts is left in the container.
        [ "$(kg ps --format json e12 | jq length)" -eq 1 ]
}

@test "exec: runs from a sealed copy of kago" {
        requires root
        start_sleeper e13
        run kgd exec -d --pid-file "$BATS_TEST_TMPDIR/pid" e13 sleep 100
        [ "$status" -eq 0 ]
        # The exec'd workload is busybox, not kago; kago itself ran from a memfd:
        # its parent (our kago exec) is gone, so check a foreground one instead.
        "$KAGO" --root "$ROOT" exec e13 sleep 5 &
        epid=$!
        for i in $(seq 50); do
                exe=$(readlink /proc/$epid/exe 2>/dev/null || true)
                [[ "$exe" == *memfd:kago* ]] && break
                sleep 0.1
        done
        kill $epid 2>/dev/null || true
        wait $epid || true
        [[ "$exe" == *memfd:kago* ]]
}
