#!/usr/bin/env bats
# Proves the OCI hooks: all six kinds run in order, at the right step and in
# the right namespace, with the state JSON on stdin and their own args and
# env; a failing or timed-out create-time hook fails create and leaves
# nothing; failing poststart/poststop hooks are logged, not fatal.

load helpers
load container_helpers

# A hook command line that appends "NAME STATUS PID-SEEN ARG1 $HOOKVAR" to LOG.
hook() { # NAME LOG [SHELL]
        local sh=${3:-/bin/sh}
        jq -n --arg name "$1" --arg log "$2" --arg sh "$sh" '{path: $sh, args: ["sh", "-c",
                "s=$(cat); st=$(echo \"$s\" | tr -d \"\\n\\t \" | sed -e \"s/.*\\\"status\\\":\\\"\\([a-z]*\\)\\\".*/\\1/\"); echo \"$0 $st $1 $HOOKVAR\" >> \($log)",
                $name, "arg1"], env: ["HOOKVAR=envok"]}'
}

hooks_bundle() {
        local b=$1
        mkdir -p "$BATS_TEST_TMPDIR/log"
        bundle "$b" sleep 1000
        local host_log="$BATS_TEST_TMPDIR/log/hooks" ctr_log=/hooklog/hooks
        config "$b" ".mounts += [{destination: \"/hooklog\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/log\", options: [\"rbind\"]}]
          | .hooks = {
            prestart: [$(hook prestart "$host_log")],
            createRuntime: [$(hook createRuntime "$host_log")],
            createContainer: [$(hook createContainer "$host_log")],
            startContainer: [$(hook startContainer "$ctr_log")],
            poststart: [$(hook poststart "$host_log")],
            poststop: [$(hook poststop "$host_log")]}"
}

@test "hooks: all six kinds run in order with state on stdin, args and env" {
        requires root
        hooks_bundle "$BATS_TEST_TMPDIR/b"
        kgd create --bundle "$BATS_TEST_TMPDIR/b" h1
        run cat "$BATS_TEST_TMPDIR/log/hooks"
        [ "${lines[0]}" = "prestart creating arg1 envok" ]
        [ "${lines[1]}" = "createRuntime creating arg1 envok" ]
        [ "${lines[2]}" = "createContainer creating arg1 envok" ]
        [ "${#lines[@]}" -eq 3 ]
        kg start h1
        sleep 0.3
        run cat "$BATS_TEST_TMPDIR/log/hooks"
        [ "${lines[3]}" = "startContainer created arg1 envok" ]
        [ "${lines[4]}" = "poststart running arg1 envok" ]
        kg delete --force h1
        run cat "$BATS_TEST_TMPDIR/log/hooks"
        [ "${lines[5]}" = "poststop stopped arg1 envok" ]
        [ "${#lines[@]}" -eq 6 ]
}

@test "hooks: startContainer runs inside the container (its path is the container's)" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        mkdir -p "$BATS_TEST_TMPDIR/log"
        # /bin/hostname exists only as busybox's applet inside the container:
        # the output names the container's UTS namespace.
        config "$BATS_TEST_TMPDIR/b" ".mounts += [{destination: \"/hooklog\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/log\", options: [\"rbind\"]}]
          | .hostname = \"inside\"
          | .hooks.startContainer = [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"hostname > /hooklog/where\"]}]"
        run kg run --bundle "$BATS_TEST_TMPDIR/b" h2
        [ "$status" -eq 0 ]
        [ "$(cat "$BATS_TEST_TMPDIR/log/where")" = inside ]
}

@test "hooks: a failing prestart, createRuntime or createContainer hook fails create and leaves nothing" {
        requires root
        for kind in prestart createRuntime createContainer; do
                bundle "$BATS_TEST_TMPDIR/b" sleep 4343
                config "$BATS_TEST_TMPDIR/b" ".hooks.$kind = [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"exit 3\"]}]"
                run kgd create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" "f-$kind"
                [ "$status" -eq 1 ]
                [[ "$output" == *"$kind hook 0: hook /bin/sh exited with status 3"* ]]
                assert_gone "f-$kind"
                [ ! -e "$BATS_TEST_TMPDIR/pid" ]
                if pgrep -f "sleep 4343" | grep -q .; then false; fi
        done
}

@test "hooks: a hook past its timeout is killed and fails create" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        config "$BATS_TEST_TMPDIR/b" '.hooks.createRuntime = [{path: "/bin/sleep", args: ["sleep", "30"], timeout: 1}]'
        start=$SECONDS
        run kgd create --bundle "$BATS_TEST_TMPDIR/b" t1
        [ "$status" -eq 1 ]
        [[ "$output" == *"hook /bin/sleep timed out after 1 s"* ]]
        [ $((SECONDS - start)) -lt 10 ]
        assert_gone t1
}

@test "hooks: failing poststart and poststop hooks are logged, the lifecycle goes on" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        config "$BATS_TEST_TMPDIR/b" '.hooks.poststart = [{path: "/bin/false"}] | .hooks.poststop = [{path: "/bin/false"}]'
        kgd create --bundle "$BATS_TEST_TMPDIR/b" p1
        run kg start p1
        [ "$status" -eq 0 ]
        [[ "$output" == *"poststart hook 0: hook /bin/false exited with status 1"* ]]
        [ "$(status_of p1)" = running ]
        run kg delete --force p1
        [ "$status" -eq 0 ]
        [[ "$output" == *"poststop hook 0: hook /bin/false exited with status 1"* ]]
        assert_gone p1
}
