#!/usr/bin/env bats
# Proves kago checkpoint and kago restore of containers (CRIU): a counter
# continues from where it was, in its new cgroup, with the file it held open;
# with --tcp-established a TCP connection inside the container carries on;
# --leave-running keeps the original and the image restores as a clone on
# new bind-mount sources; runc's images restore under kago and kago's under
# runc; a foreground restore returns the workload's status; bad requests and
# CRIU failures are clear errors that leave nothing behind. Needs a working
# CRIU and cgroup v2: runs in the test VM (CRIU fails on the host's kernel).

load helpers
load container_helpers

# The log holds 1, 2, 3, ... with no gap and no restart.
assert_log_sequential() {
        awk 'NR != $1 { print "line " NR " holds " $1; bad = 1 } END { exit bad }' "$1"
}

# Containers get pipes for stdio, as engines give them (conmon, containerd
# shims): a file of the host's (kgd's /dev/null) is outside the container's
# mounts, which CRIU cannot dump; descriptors.json carries pipes.
kg_piped() {
        kg "$@" < <(exec 3>&- -a kago-ckpt-stdio sleep 900) > >(exec 3>&- -a kago-ckpt-stdio cat >/dev/null) 2>&1 3>&-
}

teardown() {
        _container_teardown
        pkill -f kago-ckpt-stdio || true
}

start_counter() { # ID BUNDLE
        kg_piped run -d --bundle "$2" "$1"
        wait_count_above "$2/count" 3
}

@test "checkpoint/restore: a counter continues where it was, in its new cgroup, with its open file" {
        requires root criu cgroup2
        local b=$BATS_TEST_TMPDIR/b img=$BATS_TEST_TMPDIR/img work=$BATS_TEST_TMPDIR/work
        counter_bundle "$b"
        start_counter c1 "$b"
        run kg checkpoint --image-path "$img" --work-path "$work" c1
        [ "$status" -eq 0 ] || { echo "$output"; cat "$work/dump.log" | tail -20; false; }
        assert_gone c1
        [ -s "$work/dump.log" ] && [ -s "$img/inventory.img" ]
        jq -e 'type == "array" and length == 3' "$img/descriptors.json"
        jq -e '.format == "kago-checkpoint" and .version == "1.0" and .mode == "container" and .id == "c1"' \
                "$img/kago-checkpoint.json"
        run kg restore --check --image-path "$img" --bundle "$b" c2
        [ "$status" -eq 0 ] || { echo "$output"; false; }
        [ "$(grep -c ' ok ' <<<"$output")" -eq 6 ]
        local n
        n=$(count_of "$b/count")
        sleep 0.5
        [ "$(count_of "$b/count")" -eq "$n" ] # nothing runs any more

        run kgd restore -d --image-path "$img" --work-path "$work" --bundle "$b" \
                --pid-file "$BATS_TEST_TMPDIR/pid" c2
        [ "$status" -eq 0 ] || { echo "$output"; grep -v 'was trapped\|Expecting exit\|is going to execute' "$work/restore.log" | head -60; false; }
        [ "$(status_of c2)" = running ]
        [ "$(count_of "$b/count")" -ge "$n" ]
        wait_count_above "$b/count" $((n + 3))
        local pid
        pid=$(cat "$BATS_TEST_TMPDIR/pid")
        [ "$(kg state c2 | jq -r .pid)" = "$pid" ]
        grep -qx '0::/kago/c2' "/proc/$pid/cgroup"
        kg delete --force c2
        assert_gone c2
        assert_log_sequential "$b/count/log"
}

@test "checkpoint/restore --tcp-established: a TCP connection inside the container carries on" {
        requires root criu cgroup2
        local b=$BATS_TEST_TMPDIR/b img=$BATS_TEST_TMPDIR/img work=$BATS_TEST_TMPDIR/work
        # a sender counts into a TCP connection over lo; the receiver logs what arrives
        counter_bundle "$b"
        config "$b" '.process.args = ["sh", "-c", "sleep 100000 | nc -l -p 7000 >>/count/log & until netstat -ltn | grep -q :7000; do sleep 0.1; done; i=0; while :; do i=$((i+1)); echo $i >/count/n; echo $i; sleep 0.1; done | nc 127.0.0.1 7000"]'
        start_counter t1 "$b"
        # an established connection is refused without the flag, with the hint, and runs on
        run kg checkpoint --image-path "$img" --work-path "$work" t1
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *"--tcp-established"* ]]
        [ "$(status_of t1)" = running ]
        rm -rf "$img" "$work"
        run kg checkpoint --tcp-established --image-path "$img" --work-path "$work" t1
        [ "$status" -eq 0 ] || { echo "$output"; tail -20 "$work/dump.log"; false; }
        local n
        n=$(count_of "$b/count")
        run kgd restore -d --tcp-established --image-path "$img" --work-path "$work" --bundle "$b" t2
        [ "$status" -eq 0 ] || { echo "$output"; grep -i error "$work/restore.log" | head -20; false; }
        wait_count_above "$b/count" $((n + 5))
        # what was sent after the restore arrived on the same connection, with no gap
        sleep 0.5
        kg delete --force t2
        assert_log_sequential "$b/count/log"
        [ "$(wc -l <"$b/count/log")" -gt $((n + 3)) ]
}

@test "checkpoint --leave-running: the original runs on; the image restores as a clone on new bind sources" {
        requires root criu cgroup2
        local b=$BATS_TEST_TMPDIR/b b2=$BATS_TEST_TMPDIR/b2 img=$BATS_TEST_TMPDIR/img
        counter_bundle "$b"
        start_counter c1 "$b"
        kg checkpoint --leave-running --image-path "$img" c1
        [ "$(status_of c1)" = running ]
        local n
        n=$(count_of "$b/count")
        wait_count_above "$b/count" $((n + 2))

        # The clone's /count comes from b2/count: a copy of the log it holds open.
        counter_bundle "$b2"
        cp "$b/count/log" "$b2/count/log"
        kgd restore -d --image-path "$img" --bundle "$b2" c2
        wait_count_above "$b2/count" "$n"
        [ "$(status_of c1)" = running ] && [ "$(status_of c2)" = running ]
        [ "$(kg state c1 | jq -r .pid)" != "$(kg state c2 | jq -r .pid)" ]
}

@test "restore in the foreground runs the prestart and createRuntime hooks, waits, returns the status" {
        requires root criu cgroup2
        local b=$BATS_TEST_TMPDIR/b img=$BATS_TEST_TMPDIR/img log=$BATS_TEST_TMPDIR/hooks
        bundle "$b" sh -c 'i=0; while [ $i -lt 30 ]; do i=$((i+1)); sleep 0.1; done; exit 7'
        local hook="{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"jq -c '[.id, .pid > 0]' >>$log\"]}"
        config "$b" ".hooks = {\"prestart\": [$hook], \"createRuntime\": [$hook]}"
        kg_piped run -d --bundle "$b" f1
        kg checkpoint --image-path "$img" f1
        run kg restore --image-path "$img" --bundle "$b" f2 </dev/null
        [ "$status" -eq 7 ]
        assert_gone f2
        [ "$(grep -c '\["f2",true\]' "$log")" -eq 2 ]
}

@test "checkpoint/restore: images move between runc and kago both ways" {
        requires root criu cgroup2
        command -v runc >/dev/null || skip "needs runc (make deps installs it)"
        local b=$BATS_TEST_TMPDIR/b img1=$BATS_TEST_TMPDIR/img1 img2=$BATS_TEST_TMPDIR/img2
        local rroot=$BATS_TEST_TMPDIR/runc
        counter_bundle "$b"
        (cd "$b" && kg() { runc --root "$rroot" "$@"; } && kg_piped run -d r1)
        wait_count_above "$b/count" 3
        runc --root "$rroot" checkpoint --image-path "$img1" r1
        local n
        n=$(count_of "$b/count")
        kg_piped restore -d --image-path "$img1" --bundle "$b" k1
        wait_count_above "$b/count" $((n + 2))

        kg checkpoint --image-path "$img2" k1
        n=$(count_of "$b/count")
        (cd "$b" && runc --root "$rroot" restore -d --image-path "$img2" r2 </dev/null >/dev/null 2>&1)
        wait_count_above "$b/count" $((n + 2))
        runc --root "$rroot" delete --force r2
        assert_log_sequential "$b/count/log"
}

@test "checkpoint/restore: bad requests are clear errors and leave nothing behind" {
        requires root
        local b=$BATS_TEST_TMPDIR/b img=$BATS_TEST_TMPDIR/img
        run kg checkpoint nosuch
        [ "$status" -ne 0 ] && [[ "$output" == *'container "nosuch" does not exist'* ]]
        run kg checkpoint --manage-cgroups-mode loose x
        [ "$status" -ne 0 ] && [[ "$output" == *'--manage-cgroups-mode "loose": want soft'* ]]
        run kg checkpoint --pre-dump --lazy-pages x
        [ "$status" -ne 0 ] && [[ "$output" == *'choose one'* ]]
        run kg checkpoint --empty-ns ipc x
        [ "$status" -ne 0 ] && [[ "$output" == *'--empty-ns "ipc"'* ]]

        bundle "$b" sleep 60
        kgd create --bundle "$b" made
        run kg checkpoint --image-path "$img" made
        [ "$status" -ne 0 ] && [[ "$output" == *'is created: only a running or paused container'* ]]
        [ "$(status_of made)" = created ]

        mkdir -p "$BATS_TEST_TMPDIR/empty"
        run kg restore -d --image-path "$BATS_TEST_TMPDIR/empty" --bundle "$b" r1
        [ "$status" -ne 0 ] && [[ "$output" == *'descriptors.json'* ]]
        assert_gone r1
        run kg restore -d --image-path "$BATS_TEST_TMPDIR/nowhere" --bundle "$b" r1
        [ "$status" -ne 0 ] && [[ "$output" == *"--image-path $BATS_TEST_TMPDIR/nowhere"* ]]
        assert_gone r1
        run kg restore -d --prefault --image-path "$BATS_TEST_TMPDIR/empty" --bundle "$b" r1
        [ "$status" -ne 0 ] && [[ "$output" == *"--prefault is for a microVM's image"* ]]
        assert_gone r1
        run kg restore -d --clone --image-path "$BATS_TEST_TMPDIR/empty" --bundle "$b" r1
        [ "$status" -ne 0 ] && [[ "$output" == *"--clone is for a microVM's image"* ]]
        assert_gone r1
        run kg restore -d --image-path "$BATS_TEST_TMPDIR/empty" --bundle "$b" made
        [ "$status" -ne 0 ] && [[ "$output" == *'already exists'* ]]
        [ "$(status_of made)" = created ]
}

@test "restore: a CRIU failure names its first errors, a hint and the log, and leaves nothing" {
        requires root criu cgroup2
        local b=$BATS_TEST_TMPDIR/b b2=$BATS_TEST_TMPDIR/b2 img=$BATS_TEST_TMPDIR/img
        counter_bundle "$b"
        start_counter c1 "$b"
        kg checkpoint --image-path "$img" c1
        # The new bind source lacks the log the workload held open.
        counter_bundle "$b2"
        run kg restore -d --image-path "$img" --bundle "$b2" c2
        [ "$status" -ne 0 ]
        [[ "$output" == *'criu failed'*'Error ('* ]]
        [[ "$output" == *"(log: $img/restore.log)"* ]]
        assert_gone c2
        if pgrep -f 'exec 3>>/count/log' >/dev/null; then false; fi
        [ "$(count_of "$b2/count")" = 0 ]
}

@test "checkpoint: CRIU missing is named, before anything is touched" {
        requires root
        local b=$BATS_TEST_TMPDIR/b img=$BATS_TEST_TMPDIR/img
        bundle "$b" sleep 60
        kgd run -d --bundle "$b" m1
        KAGO_CRIU=/nonexistent/criu run kg checkpoint --image-path "$img" m1
        [ "$status" -ne 0 ] && [[ "$output" == *'cannot run /nonexistent/criu: CRIU is not installed'* ]]
        [ "$(status_of m1)" = running ]
}

@test "checkpoint --pre-dump, then --parent-path (absolute, kept relative): the dump builds on it" {
        requires root criu cgroup2
        criu check --feature mem_dirty_track >/dev/null 2>&1 ||
                skip "needs soft-dirty memory tracking (CONFIG_MEM_SOFT_DIRTY)"
        local b=$BATS_TEST_TMPDIR/b pre=$BATS_TEST_TMPDIR/pre img=$BATS_TEST_TMPDIR/img
        counter_bundle "$b"
        start_counter c1 "$b"
        kg checkpoint --pre-dump --image-path "$pre" c1
        [ "$(status_of c1)" = running ]
        [ ! -e "$pre/descriptors.json" ] && ls "$pre"/pages-*.img >/dev/null
        kg checkpoint --parent-path "$pre" --image-path "$img" c1
        assert_gone c1
        [ "$(readlink "$img/parent")" = ../pre ]
        local n
        n=$(count_of "$b/count")
        kg_piped restore -d --image-path "$img" --bundle "$b" c2
        wait_count_above "$b/count" $((n + 2))
        assert_log_sequential "$b/count/log"
}

@test "features: kago.checkpoint.enabled says whether CRIU works here" {
        local want=false
        _has_criu && want=true
        [ "$(kg features | jq -r '.annotations["kago.checkpoint.enabled"]')" = "$want" ]
}

@test "delete after a restore killed midway detaches its criu-root bind and keeps what is under it" {
        requires root
        local b=$BATS_TEST_TMPDIR/b tree=$BATS_TEST_TMPDIR/tree
        bundle "$b" sleep 60
        kgd create --bundle "$b" k1
        mkdir -p "$tree" "$ROOT/k1/criu-root"
        echo keep >"$tree/marker"
        mount --bind "$tree" "$ROOT/k1/criu-root"
        kg delete --force k1
        assert_gone k1
        [ "$(cat "$tree/marker")" = keep ]
        ! grep -q " $ROOT/k1/criu-root " /proc/self/mountinfo
}

@test "checkpoint/restore with a terminal: the restored shell's pty master reaches the new console socket" {
        requires root criu cgroup2
        local b=$BATS_TEST_TMPDIR/b img=$BATS_TEST_TMPDIR/img t=$BATS_TEST_TMPDIR
        bundle "$b" sh
        config "$b" '.process.terminal = true'
        # The first console sets a variable in the shell's memory, then holds
        # the terminal until the checkpoint ends the container.
        TIMEOUT=120 /usr/bin/python3 "$KAGO_SRC/tests/fixtures/console-socket.py" "$t/s1" "$t/o1" \
                --record 'x=41
' 3>&- &
        local rec1=$!
        while [ ! -S "$t/s1" ]; do sleep 0.1; done
        kgd run -d --console-socket "$t/s1" --bundle "$b" t1
        for ((i = 0; i < 100; i++)); do grep -q 'x=41' "$t/o1" 2>/dev/null && break; sleep 0.1; done
        sleep 1
        kg checkpoint --image-path "$img" t1
        wait "$rec1" || true
        # The restored shell still knows x and answers on the new terminal.
        TIMEOUT=120 /usr/bin/python3 "$KAGO_SRC/tests/fixtures/console-socket.py" "$t/s2" "$t/o2" \
                --record 'echo hello-$((x+1)); exit
' 3>&- &
        local rec2=$!
        while [ ! -S "$t/s2" ]; do sleep 0.1; done
        kgd restore -d --console-socket "$t/s2" --image-path "$img" --bundle "$b" t2 ||
                { echo "restore: exit $?"; tail -n 20 "$img/restore.log"; false; }
        wait "$rec2"
        grep -q 'hello-42' "$t/o2"
}
