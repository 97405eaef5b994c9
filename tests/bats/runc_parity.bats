#!/usr/bin/env bats
# Proves that kago behaves as runc does where engines, test suites and people
# depend on it (issue 19 and the error wording of issues 11 and 20): each test
# runs the same step on the same bundle against kago and, where runc is
# installed, against runc, and compares what comes out (exit code, the
# process's view, the words engines match). Where the runtime-spec says
# otherwise than runc, kago follows the spec and the test says so.

load helpers
load container_helpers

setup() {
        ROOT="$BATS_TEST_TMPDIR/root"
        RUNC_ROOT="$BATS_TEST_TMPDIR/runc"
        mkdir -p "$ROOT" "$RUNC_ROOT"
}

teardown() {
        local id
        if command -v runc >/dev/null; then
                for id in $(runc --root "$RUNC_ROOT" list -q 2>/dev/null); do
                        runc --root "$RUNC_ROOT" delete --force "$id" >/dev/null 2>&1 || true
                done
        fi
        for id in $("$KAGO" --root "$ROOT" list -q 2>/dev/null); do
                "$KAGO" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
        done
}

have_runc() {
        command -v runc >/dev/null
}

# A bundle in DIR with a rootfs of its own (tests edit its /etc), running ARG...
own_bundle() {
        local dir=$1
        shift
        bundle "$dir" "$@"
        cp -a "$BUSYBOX_ROOTFS" "$dir/rootfs"
        config "$dir" '.root.path = "rootfs"'
}

# Runs `RUNTIME --root R ARGS...` for kago (always) and runc (when installed),
# with stdin from /dev/null; sets KAGO_RC/KAGO_OUT and RUNC_RC/RUNC_OUT
# (RUNC_RC empty without runc) and prints both for the test's log.
on_both() {
        KAGO_OUT=$("$KAGO" --root "$ROOT" "$@" </dev/null 2>&1) && KAGO_RC=0 || KAGO_RC=$?
        RUNC_RC='' RUNC_OUT=''
        if have_runc; then
                RUNC_OUT=$(runc --root "$RUNC_ROOT" "$@" </dev/null 2>&1) && RUNC_RC=0 || RUNC_RC=$?
                echo "== runc $* (exit $RUNC_RC)"; echo "$RUNC_OUT"
        fi
        echo "== kago $* (exit $KAGO_RC)"; echo "$KAGO_OUT"
}

# Both exited RC (runc only when installed).
both_exit() {
        [ "$KAGO_RC" -eq "$1" ]
        [ -z "$RUNC_RC" ] || [ "$RUNC_RC" -eq "$1" ]
}

# Both printed the same (runc only when installed).
same_output() {
        [ -z "$RUNC_RC" ] || [ "$KAGO_OUT" = "$RUNC_OUT" ]
}

@test "parity 19.15: rootfsPropagation rprivate, rslave, rshared and runbindable are accepted" {
        requires root
        local b="$BATS_TEST_TMPDIR/b" p
        for p in rprivate rslave rshared private slave shared; do
                bundle "$b" sh -c 'echo ok'
                config "$b" ".linux.rootfsPropagation = \"$p\""
                on_both run --bundle "$b" "prop-$p"
                both_exit 0
                [ "$KAGO_OUT" = ok ]
                same_output
        done
        # The spec lists (r)unbindable as valid; runc 1.1.5 makes / unbindable
        # before it binds the rootfs and then fails ("flags: 0x5000: invalid
        # argument"). kago follows the spec: the root becomes unbindable once
        # it is the container's, and the container runs.
        for p in runbindable unbindable; do
                bundle "$b" sh -c 'echo ok'
                config "$b" ".linux.rootfsPropagation = \"$p\""
                on_both run --bundle "$b" "prop-$p"
                [ "$KAGO_RC" -eq 0 ]
                [ "$KAGO_OUT" = ok ]
        done
}

# Runs args[0] ARG in a fresh bundle on both runtimes.
run_exe() {
        local b="$BATS_TEST_TMPDIR/exe"
        bundle "$b" "$1"
        on_both run --bundle "$b" "exe-$2"
        both_exit 1
}

@test "parity 11.4/20.7: a failed start is worded as docker matches it (127: not found, 126: permission denied)" {
        requires root
        run_exe no-such-program 1
        [[ "$KAGO_OUT" == *'exec: "no-such-program": executable file not found in $PATH'* ]]
        [ -z "$RUNC_RC" ] || [[ "$RUNC_OUT" == *'executable file not found in $PATH'* ]]
        run_exe /bin/no-such-program 2
        [[ "$KAGO_OUT" == *'process.args[0]: /bin/no-such-program: no such file or directory'* ]]
        [ -z "$RUNC_RC" ] || [[ "$RUNC_OUT" == *'no such file or directory'* ]]
        run_exe /etc/passwd 3
        [[ "$KAGO_OUT" == *'process.args[0]: /etc/passwd: permission denied'* ]]
        [ -z "$RUNC_RC" ] || [[ "$RUNC_OUT" == *'permission denied'* ]]
        # A directory: permission denied, as execve and runc say (not a stale ENOENT).
        run_exe /tmp 4
        [[ "$KAGO_OUT" == *'process.args[0]: /tmp: permission denied'* ]]
        [ -z "$RUNC_RC" ] || [[ "$RUNC_OUT" == *'permission denied'* ]]
}

# `run -d` of bundle DIR as ID on both runtimes; stdio to a file (a pipe the
# container holds would block the test).
start_both() {
        local dir=$1 id=$2 log="$BATS_TEST_TMPDIR/start.log"
        "$KAGO" --root "$ROOT" run -d --bundle "$dir" "$id" </dev/null >>"$log" 2>&1 &&
                { ! have_runc || runc --root "$RUNC_ROOT" run -d --bundle "$dir" "$id" </dev/null >>"$log" 2>&1; } ||
                { cat "$log"; return 1; }
}

# A rootfs whose passwd gives root /root and uid 1000 /home/tester.
passwd_bundle() {
        own_bundle "$@"
        echo 'root:x:0:0:root:/root:/bin/sh' >"$1/rootfs/etc/passwd"
        echo 'tester:x:1000:1000::/home/tester:/bin/sh' >>"$1/rootfs/etc/passwd"
}

@test "parity 19.11: HOME comes from the container's /etc/passwd for process.user (run and exec), else /" {
        requires root
        local b="$BATS_TEST_TMPDIR/b"
        passwd_bundle "$b" sh -c 'echo "$HOME"'
        on_both run --bundle "$b" h1
        both_exit 0; [ "$KAGO_OUT" = /root ]; same_output
        config "$b" '.process.user = {"uid": 1000, "gid": 1000}'
        on_both run --bundle "$b" h2
        both_exit 0; [ "$KAGO_OUT" = /home/tester ]; same_output
        config "$b" '.process.user = {"uid": 4242, "gid": 4242}'
        on_both run --bundle "$b" h3
        both_exit 0; [ "$KAGO_OUT" = / ]; same_output
        # The config's own HOME wins.
        config "$b" '.process.env += ["HOME=/mine"]'
        on_both run --bundle "$b" h4
        both_exit 0; [ "$KAGO_OUT" = /mine ]; same_output

        passwd_bundle "$b" sleep 300
        start_both "$b" h5
        on_both exec h5 sh -c 'echo "$HOME"'
        both_exit 0; [ "$KAGO_OUT" = /root ]; same_output
        on_both exec --user 1000:1000 h5 sh -c 'echo "$HOME"'
        both_exit 0; [ "$KAGO_OUT" = /home/tester ]; same_output
        on_both exec --user 4242 --env HOME=/set h5 sh -c 'echo "$HOME"'
        both_exit 0; [ "$KAGO_OUT" = /set ]; same_output
}

# A console-socket receiver on $SOCK recording the terminal to $TTY_OUT.
console_listen() {
        SOCK=$(mktemp -u /tmp/kago-console.XXXXXX)
        TTY_OUT="$BATS_TEST_TMPDIR/tty.$1"
        TIMEOUT=20 /usr/bin/python3 "$KAGO_SRC/tests/fixtures/console-socket.py" "$SOCK" "$TTY_OUT" --record "" &
        RECEIVER=$!
        local i
        for i in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
}

# What the terminal showed until the process closed it.
console_seen() {
        local i
        for i in $(seq 250); do kill -0 "$RECEIVER" 2>/dev/null || break; sleep 0.1; done
        rm -f "$SOCK"
        tr -d '\r' <"$TTY_OUT"
}

# Owner of the process's terminal, from `RUNTIME ARGS... --console-socket S ...`
# with the console socket placed by the caller as the word CONSOLE.
pty_owner() {
        local a args=()
        console_listen "$1"
        shift
        for a in "$@"; do
                if [ "$a" = CONSOLE ]; then args+=(--console-socket "$SOCK"); else args+=("$a"); fi
        done
        "${args[@]}" </dev/null >>"$BATS_TEST_TMPDIR/pty.log" 2>&1 || { cat "$BATS_TEST_TMPDIR/pty.log"; return 1; }
        console_seen | grep -o 'owner=[0-9]*:[0-9]*'
}

@test "parity 19.4: the pty of process.terminal belongs to process.user (run and exec), group tty from devpts" {
        requires root
        local b="$BATS_TEST_TMPDIR/b" probe='echo "owner=$(stat -c %u:%g "$(tty)")"'
        bundle "$b" sh -c "$probe"
        config "$b" '.process.terminal = true | .process.user = {"uid": 1000, "gid": 1000}'
        run pty_owner k1 "$KAGO" --root "$ROOT" run -d CONSOLE --bundle "$b" t1
        echo "kago run: $output"
        [ "$output" = owner=1000:5 ]
        if have_runc; then
                run pty_owner r1 runc --root "$RUNC_ROOT" run -d CONSOLE --bundle "$b" t1
                echo "runc run: $output"
                [ "$output" = owner=1000:5 ]
        fi

        bundle "$b" sleep 300
        start_both "$b" t2
        run pty_owner k2 "$KAGO" --root "$ROOT" exec -t -d CONSOLE --user 1000:1000 t2 sh -c "$probe"
        echo "kago exec: $output"
        [ "$output" = owner=1000:5 ]
        if have_runc; then
                run pty_owner r2 runc --root "$RUNC_ROOT" exec -t -d CONSOLE --user 1000:1000 t2 sh -c "$probe"
                echo "runc exec: $output"
                [ "$output" = owner=1000:5 ]
        fi
}

@test "parity 20.7: an env entry without = is refused, naming process.env[N]" {
        requires root
        local b="$BATS_TEST_TMPDIR/b"
        bundle "$b" true
        config "$b" '.process.env = ["PATH=/bin", "NOEQUALS"]'
        on_both run --bundle "$b" env1
        both_exit 1
        [[ "$KAGO_OUT" == *'process.env[1]: "NOEQUALS" is not NAME=VALUE'* ]]
        [ -z "$RUNC_RC" ] || [[ "$RUNC_OUT" == *NOEQUALS* ]]
        config "$b" '.process.env = ["=x"]'
        on_both run --bundle "$b" env2
        both_exit 1
        [[ "$KAGO_OUT" == *'process.env[0]: "=x" has an empty variable name'* ]]
}

@test "parity 20.7: --console-socket with process.terminal false is refused (create, run, exec)" {
        requires root
        local b="$BATS_TEST_TMPDIR/b" sock="$BATS_TEST_TMPDIR/none.sock"
        bundle "$b" true
        on_both create --console-socket "$sock" --bundle "$b" cs1
        both_exit 1
        [[ "$KAGO_OUT" == *"--console-socket $sock: process.terminal is false"* ]]
        [ -z "$RUNC_RC" ] || [[ "$RUNC_OUT" == *"cannot use console socket"* ]]
        [ -z "$("$KAGO" --root "$ROOT" list -q)" ]
        on_both run --console-socket "$sock" --bundle "$b" cs2
        both_exit 1
        [[ "$KAGO_OUT" == *"process.terminal is false"* ]]
        bundle "$b" sleep 300
        start_both "$b" cs3
        # runc refuses it too, with exit 255 (a failure of the runtime); kago
        # refuses the flags before it looks at the container: a usage error.
        on_both exec --console-socket "$sock" cs3 true
        [ "$KAGO_RC" -eq 1 ]
        [ -z "$RUNC_RC" ] || [ "$RUNC_RC" -ne 0 ]
        [[ "$KAGO_OUT" == *"--console-socket without --tty"* ]]
}

@test "parity 20.7: exec --cwd with a relative path says it is not absolute" {
        requires root
        local b="$BATS_TEST_TMPDIR/b"
        bundle "$b" sleep 300
        start_both "$b" cwd1
        on_both exec --cwd tmp cwd1 pwd
        [ "$KAGO_RC" -ne 0 ]
        [[ "$KAGO_OUT" == *'--cwd: "tmp" is not an absolute path'* ]]
        on_both exec --cwd /tmp cwd1 pwd
        both_exit 0; [ "$KAGO_OUT" = /tmp ]; same_output
}

@test "parity cli: exec exits 255 when the runtime fails, the process's own status otherwise" {
        requires root
        local b="$BATS_TEST_TMPDIR/b"
        bundle "$b" sleep 300
        start_both "$b" x1
        on_both exec x1 sh -c 'exit 3'
        both_exit 3
        on_both exec --pid-file /nonexistent/dir/pid x1 true
        both_exit 255
        on_both exec no-such-container true
        both_exit 255
        [[ "$KAGO_OUT" == *'does not exist'* ]]
        on_both exec x1 /no/such/binary
        both_exit 255
        "$KAGO" --root "$ROOT" pause x1 2>/dev/null || skip "pause needs a cgroup freezer here"
        on_both exec x1 true
        [ "$KAGO_RC" -eq 255 ]
        [[ "$KAGO_OUT" == *'is paused'* ]]
        "$KAGO" --root "$ROOT" resume x1
}

@test "parity cli: ps on a stopped container exits 0 with no processes" {
        requires root
        local b="$BATS_TEST_TMPDIR/b"
        bundle "$b" true
        start_both "$b" p1
        wait_status p1 stopped
        on_both ps --format json p1
        both_exit 0
        # runc prints "null"; kago prints the empty array engines decode.
        [ "$KAGO_OUT" = '[]' ]
        [ -z "$RUNC_RC" ] || [ "$(jq length <<<"$RUNC_OUT")" = 0 ]
        on_both ps p1
        both_exit 0
        [ "$(wc -l <<<"$KAGO_OUT")" -eq 1 ] # the header alone
        [[ "$KAGO_OUT" == *PID* ]]
}

# The directory of ID's cgroup on this host (its cgroup2 path).
cgroup_dir_of() {
        local pid path mnt
        pid=$("$KAGO" --root "$ROOT" state "$1" | jq -r .pid)
        path=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
        mnt=$(findmnt -n -t cgroup2 -o TARGET | head -1)
        echo "$mnt$path"
}

@test "parity cli: exec --cgroup runs the process in an existing sub-cgroup; a missing one is an error naming the flag" {
        requires root
        local b="$BATS_TEST_TMPDIR/b" dir
        bundle "$b" sleep 300
        start_both "$b" g1
        # Both refuse a sub-cgroup that does not exist, as a runtime failure.
        on_both exec --cgroup nosuch g1 true
        both_exit 255
        [[ "$KAGO_OUT" == *'--cgroup nosuch'* ]]
        dir=$(cgroup_dir_of g1)
        [ -d "$dir" ] || skip "the container has no cgroup2 directory here"
        mkdir "$dir/sub"
        run "$KAGO" --root "$ROOT" exec --cgroup sub g1 cat /proc/self/cgroup
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"0::"*/sub* ]]
        run "$KAGO" --root "$ROOT" exec --cgroup ../escape g1 true
        [ "$status" -eq 1 ]
        [[ "$output" == *'--cgroup: "../escape" is not a path inside'* ]]
}

@test "parity cli: --debug writes its lines in the --log-format given" {
        requires root
        local b="$BATS_TEST_TMPDIR/b" line n=0
        bundle "$b" true
        KAGO_OUT=$("$KAGO" --root "$ROOT" --debug --log-format json state nosuch 2>&1) || true
        RUNC_OUT=''
        ! have_runc || RUNC_OUT=$(runc --root "$RUNC_ROOT" --debug --log-format json state nosuch 2>&1) || true
        echo "$KAGO_OUT"; echo "$RUNC_OUT"
        while IFS= read -r line; do
                [ -n "$line" ] || continue
                jq -e '.level and .msg and .time' <<<"$line" >/dev/null
                [ "$(jq -r .level <<<"$line")" != debug ] || n=$((n + 1))
        done <<<"$KAGO_OUT"
        [ "$n" -ge 1 ]
        [ "$(jq -r 'select(.level == "error") | .msg' <<<"$KAGO_OUT")" = 'container "nosuch" does not exist' ]
        if [ -n "$RUNC_OUT" ]; then
                while IFS= read -r line; do
                        [ -z "$line" ] || jq -e '.level and .msg' <<<"$line" >/dev/null
                done <<<"$RUNC_OUT"
        fi
        # Into a --log file, the same JSON lines.
        "$KAGO" --root "$ROOT" --debug --log "$BATS_TEST_TMPDIR/log.json" --log-format json run --bundle "$b" d1 </dev/null
        jq -e 'select(.level == "debug")' "$BATS_TEST_TMPDIR/log.json" >/dev/null
        # Text: each debug line says it is one.
        run "$KAGO" --root "$ROOT" --debug state nosuch
        [[ "$output" == *"kago: debug: "* ]]
}

# Hooks of every kind that record their working directory in $2.RT.KIND
# (startContainer resolves in the container: the busybox sh, into /start.cwd).
hooks_recording_cwd() {
        local rt=$1 out=$2 kind hooks='{}'
        for kind in prestart createRuntime createContainer poststart poststop; do
                hooks=$(jq -c --arg k "$kind" --arg f "$out.$rt.$kind" \
                        '.[$k] = [{"path": "/bin/sh", "args": ["sh", "-c", "pwd >\($f)"]}]' <<<"$hooks")
        done
        jq -c '.startContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "pwd >/start.cwd"]}]' <<<"$hooks"
}

# The spec says where each hook runs (namespaces), not in which directory:
# kago follows runc. startContainer: the spec asks only that it run in the
# container namespace (it does: it resolves /bin/sh and writes /start.cwd
# inside the container). runc 1.1 runs it after switching to process.user
# and under seccomp only when noNewPrivileges is false; kago runs it in the
# container's namespaces before its security sequence, which the spec allows.
@test "parity 19.9: each hook runs in runc's working directory: createContainer in the container's root, the runtime namespace's hooks in the bundle, startContainer in process.cwd" {
        requires root
        local b="$BATS_TEST_TMPDIR/b" out="$BATS_TEST_TMPDIR/cwd" rt kind rootfs
        own_bundle "$b" true
        config "$b" '.process.cwd = "/tmp"'
        for rt in kago runc; do
                [ $rt = kago ] || have_runc || continue
                config "$b" ".hooks = $(hooks_recording_cwd $rt "$out")"
                rm -f "$b/rootfs/start.cwd"
                # Started from elsewhere than the bundle: runc's hooks still run there.
                if [ $rt = kago ]; then
                        (cd / && "$KAGO" --root "$ROOT" run --bundle "$b" h1 </dev/null)
                else
                        (cd / && runc --root "$RUNC_ROOT" run --bundle "$b" h1 </dev/null)
                fi
                cp "$b/rootfs/start.cwd" "$out.$rt.startContainer"
        done
        rootfs=$(realpath "$b/rootfs")
        for kind in prestart createRuntime createContainer startContainer poststart poststop; do
                echo "$kind: kago $(cat "$out.kago.$kind") runc $(cat "$out.runc.$kind" 2>/dev/null)"
        done
        [ "$(cat "$out.kago.createContainer")" = "$rootfs" ]
        [ "$(cat "$out.kago.startContainer")" = /tmp ]
        for kind in prestart createRuntime poststart poststop; do
                [ "$(cat "$out.kago.$kind")" = "$(realpath "$b")" ]
        done
        if have_runc; then
                for kind in prestart createRuntime createContainer startContainer poststart poststop; do
                        [ "$(cat "$out.kago.$kind")" = "$(cat "$out.runc.$kind")" ]
                done
        fi
}

@test "parity 19.12: an unknown capability warns and is left out for ociVersion >= 1.1.0, and is refused for 1.0.x" {
        requires root
        local b="$BATS_TEST_TMPDIR/b"
        bundle "$b" sh -c 'grep CapBnd /proc/self/status'
        config "$b" '.ociVersion = "1.1.0" | .process.capabilities.bounding += ["CAP_NOT_A_CAP"] |
                     .process.capabilities.permitted += ["CAP_NOT_A_CAP"]'
        on_both run --bundle "$b" c1
        both_exit 0
        [[ "$KAGO_OUT" == *'process.capabilities.bounding['*']: unknown capability "CAP_NOT_A_CAP": ignored'* ]]
        [ -z "$RUNC_RC" ] || [[ "$RUNC_OUT" == *CAP_NOT_A_CAP* ]] # runc warns too
        [ -z "$RUNC_RC" ] || [ "$(grep CapBnd <<<"$KAGO_OUT")" = "$(grep CapBnd <<<"$RUNC_OUT")" ]
        # Before 1.1.0 the spec allows only capabilities(7) names: kago refuses
        # the config (runc 1.1.5 warns whatever the version).
        config "$b" '.ociVersion = "1.0.2-dev"'
        on_both run --bundle "$b" c2
        [ "$KAGO_RC" -eq 1 ]
        [[ "$KAGO_OUT" == *'process.capabilities.bounding['*']: unknown capability "CAP_NOT_A_CAP"'* ]]
        [[ "$KAGO_OUT" != *ignored* ]]
}

@test "parity cli: list --format json is one compact line, keys in runc's order" {
        requires root
        local b="$BATS_TEST_TMPDIR/b"
        own_bundle "$b" sleep 1000
        start_both "$b" lj
        on_both list --format json
        both_exit 0
        [ "$(wc -l <<<"$KAGO_OUT")" -eq 1 ]
        [ "$(jq -c 'map(keys_unsorted)' <<<"$KAGO_OUT")" = \
          '[["ociVersion","id","pid","status","bundle","rootfs","created","owner"]]' ]
        [ -z "$RUNC_RC" ] || [ "$(jq -c 'map(keys_unsorted)' <<<"$RUNC_OUT")" = "$(jq -c 'map(keys_unsorted)' <<<"$KAGO_OUT")" ]
        [ "$(jq -r '.[0].status' <<<"$KAGO_OUT")" = running ]
        # None: kago prints an empty array where runc 1.1.5 prints null.
        on_both delete --force lj
        on_both list --format json
        [ "$KAGO_OUT" = "[]" ]
        [ -z "$RUNC_RC" ] || [ "$RUNC_OUT" = null ] || [ "$RUNC_OUT" = "[]" ]
}

@test "parity cli: a network namespace of the container's own has lo up, as runc gives it; a joined one is left as it is" {
        requires root
        local b="$BATS_TEST_TMPDIR/b"
        bundle "$b" sh -c 'ip -o link show lo | grep -o "<[^>]*>"'
        on_both run --bundle "$b" lo1
        both_exit 0
        same_output
        [ "$KAGO_OUT" = "<LOOPBACK,UP,LOWER_UP>" ]
        # a namespace the container joins (here one whose lo is down) stays as it is
        unshare -n sleep 60 &
        local holder=$!
        sleep 0.2
        config "$b" "(.linux.namespaces[] | select(.type == \"network\")) += {\"path\": \"/proc/$holder/ns/net\"}"
        run kg run --bundle "$b" lo2
        kill "$holder"
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = "<LOOPBACK>" ]
}
