#!/usr/bin/env bats
# Proves kago kill: signals by number, by name with or without SIG (as
# CRI-O sends them), --all/-a to every process of the container, TERM by
# default, clear errors for a bad signal, a stopped or a missing container.

load helpers
load container_helpers

# A container whose init traps USR1/USR2/HUP into /hostdir/got (init ignores
# signals it has no handler for, so the traps prove delivery).
trap_bundle() {
        mkdir -p "$BATS_TEST_TMPDIR/h"
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'for s in USR1 USR2 HUP; do trap "echo $s >> /hostdir/got" $s; done; touch /hostdir/ready; while :; do sleep 0.1; done'
        config "$BATS_TEST_TMPDIR/b" ".mounts += [{destination: \"/hostdir\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/h\", options: [\"bind\"]}]"
        kgd create --bundle "$BATS_TEST_TMPDIR/b" "$1"
        kg start "$1"
        for i in $(seq 100); do [ -e "$BATS_TEST_TMPDIR/h/ready" ] && break; sleep 0.1; done
}

got_lines() {
        local want=$1 i
        for i in $(seq 50); do
                [ "$(wc -l <"$BATS_TEST_TMPDIR/h/got" 2>/dev/null)" -ge "$want" ] && return 0
                sleep 0.1
        done
        return 1
}

@test "kill: signal names with and without SIG, any case, and numbers" {
        requires root
        trap_bundle k1
        kg kill k1 USR1
        got_lines 1
        kg kill k1 SIGUSR2
        got_lines 2
        kg kill k1 1
        got_lines 3
        kg kill k1 sigusr1
        got_lines 4
        [ "$(cat "$BATS_TEST_TMPDIR/h/got" | tr '\n' ' ')" = "USR1 USR2 HUP USR1 " ]
        kg kill k1 KILL
        wait_status k1 stopped
}

@test "kill: TERM by default" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
        kgd create --bundle "$BATS_TEST_TMPDIR/b" k2
        kg start k2
        sleep 0.3
        kg kill k2
        wait_status k2 stopped
}

@test "kill: --all and -a reach every process of the container" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'sleep 4401 & sleep 4402 & trap "" TERM; while :; do sleep 0.1; done'
        kgd create --bundle "$BATS_TEST_TMPDIR/b" k3
        kg start k3
        # Anchored: the shell's own command line holds "sleep 4401" too.
        for i in $(seq 50); do pgrep -f "^sleep 4402$" >/dev/null && break; sleep 0.1; done
        pgrep -f "^sleep 4401$" >/dev/null
        kg kill --all k3 TERM
        for i in $(seq 50); do pgrep -f "^sleep 440[12]$" >/dev/null || break; sleep 0.1; done
        if pgrep -f "^sleep 440[12]$"; then false; fi
        [ "$(status_of k3)" = running ]
        kg kill -a k3 KILL
        wait_status k3 stopped
}

@test "kill: bad signals, stopped and missing containers" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        kgd create --bundle "$BATS_TEST_TMPDIR/b" k4
        run kg kill k4 NOSUCH
        [ "$status" -eq 1 ]
        [[ "$output" == *'invalid signal "NOSUCH"'* ]]
        # Signal 0 is a liveness probe (issue 19): accepted, it signals nothing.
        run kg kill k4 0
        [ "$status" -eq 0 ]
        run kg kill k4 999
        [ "$status" -eq 1 ]
        [[ "$output" == *'invalid signal "999"'* ]]
        kg start k4
        wait_status k4 stopped
        run kg kill k4 KILL
        [ "$status" -eq 1 ]
        [[ "$output" == *"container not running"* ]]
        run kg kill nosuch KILL
        [ "$status" -eq 1 ]
        [[ "$output" == *'container "nosuch" does not exist'* ]]
        run kg kill
        [ "$status" -eq 1 ]
        [[ "$output" == *"missing container id"* ]]
        run kg kill --frob k4
        [ "$status" -eq 1 ]
        [[ "$output" == *"unknown flag: --frob"* ]]
}
