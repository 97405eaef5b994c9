#!/usr/bin/env bats
# Proves the conmon contract (design.md §4): create with --pid-file and
# --console-socket exits 0 once init exists, the pid file names it, the pty
# master arrives over SCM_RIGHTS with the pty name as data, and typing into
# it reaches the container's shell and its answer comes back; plus
# consoleSize, --no-new-keyring and --no-pivot as conmon passes them.

load helpers
load container_helpers

@test "conmon: create with --pid-file and --console-socket, then talk through the pty" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sh
        config "$BATS_TEST_TMPDIR/b" '.process.terminal = true | .process.consoleSize = {height: 33, width: 111}'
        sock=$(mktemp -u /tmp/kago-console.XXXXXX)
        /usr/bin/python3 "$KAGO_SRC/tests/fixtures/console-socket.py" "$sock" "$BATS_TEST_TMPDIR/tty" &
        rpid=$!
        for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
        run kgd create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" \
                --console-socket "$sock" --no-new-keyring co1
        [ "$status" -eq 0 ]
        pid=$(cat "$BATS_TEST_TMPDIR/pid")
        [ "$(kg state co1 | jq .pid)" = "$pid" ]
        kg start co1
        wait "$rpid"
        rm -f "$sock"
        [[ "$(cat "$BATS_TEST_TMPDIR/tty.name")" == /dev/pts/* ]]
        grep -q hello-42 "$BATS_TEST_TMPDIR/tty"
        wait_status co1 stopped
        kg delete co1
}

@test "conmon: the container's terminal has consoleSize and is its controlling tty" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'stty size > /hostdir/size; [ -t 0 ] && echo tty >> /hostdir/size; sh'
        mkdir -p "$BATS_TEST_TMPDIR/h"
        config "$BATS_TEST_TMPDIR/b" ".process.terminal = true | .process.consoleSize = {height: 33, width: 111}
          | .mounts += [{destination: \"/hostdir\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/h\", options: [\"bind\"]}]"
        sock=$(mktemp -u /tmp/kago-console.XXXXXX)
        /usr/bin/python3 "$KAGO_SRC/tests/fixtures/console-socket.py" "$sock" "$BATS_TEST_TMPDIR/tty" &
        rpid=$!
        for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
        kgd create --bundle "$BATS_TEST_TMPDIR/b" --console-socket "$sock" co2
        kg start co2
        wait "$rpid"
        rm -f "$sock"
        [ "$(head -n1 "$BATS_TEST_TMPDIR/h/size")" = "33 111" ]
        [ "$(sed -n 2p "$BATS_TEST_TMPDIR/h/size")" = tty ]
}

@test "conmon: --no-pivot runs the container with a chroot" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'cat /proc/self/mountinfo | wc -l; echo ok'
        run kg run --no-pivot --bundle "$BATS_TEST_TMPDIR/b" co3
        [ "$status" -eq 0 ]
        [ "${lines[1]}" = ok ]
}

@test "conmon: without --no-new-keyring the container gets a session keyring of its own" {
        requires root
        [ -r /proc/keys ] || skip "no /proc/keys (kernel without CONFIG_KEYS)"
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        kgd create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" co4
        grep -q " _ses.co4:" /proc/keys
        kgd create --bundle "$BATS_TEST_TMPDIR/b" --no-new-keyring co5
        ! grep -q " _ses.co5:" /proc/keys
}
