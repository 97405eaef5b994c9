#!/usr/bin/env bats
# Proves make install: under DESTDIR with PREFIX=/usr it puts a kago that
# runs, the kago-vm link to it, a man page for kago and for every command
# `kago --help` lists (made from kago's own help, so `man kago-CMD` says what
# `kago help CMD` says, and man renders each without a warning), and a bash
# completion that completes commands and flags from kago's help.

load helpers

setup_file() {
        export DEST="$BATS_FILE_TMPDIR/dest"
        make -s -C "$KAGO_SRC" install DESTDIR="$DEST" PREFIX=/usr >"$BATS_FILE_TMPDIR/make.log" 2>&1 ||
                { cat "$BATS_FILE_TMPDIR/make.log" >&3; return 1; }
}

commands() {
        "$DEST/usr/bin/kago" --help | awk '/^Commands:/ { on = 1; next } /^$/ { on = 0 } on { print $1 }'
}

@test "install: the binary runs and kago-vm links to it" {
        run "$DEST/usr/bin/kago" --version
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == "kago version "* ]]
        [ -L "$DEST/usr/bin/kago-vm" ]
        [ "$(readlink "$DEST/usr/bin/kago-vm")" = kago ]
        run "$DEST/usr/bin/kago-vm" --version
        [ "$status" -eq 0 ]
}

@test "install: a man page per command, each from the command's own help" {
        local man1="$DEST/usr/share/man/man1" c n=0
        [ -f "$man1/kago.1" ]
        for c in $(commands); do
                [ -f "$man1/kago-$c.1" ] || { echo "no man page for $c" >&2; return 1; }
                # NAME carries the summary `kago help CMD` prints.
                summary=$("$DEST/usr/bin/kago" help "$c" | sed -n "1s/^kago $c: //p")
                grep -qF -- "$(printf '%s' "$summary" | sed 's/-/\\-/g')" "$man1/kago-$c.1"
                n=$((n + 1))
        done
        [ "$n" -ge 15 ]
        [ "$(ls "$man1" | wc -l)" -eq $((n + 1)) ]
}

@test "install: man renders the pages without a warning" {
        command -v man >/dev/null || skip "needs man (man-db)"
        run env MANWIDTH=80 man --warnings -l "$DEST/usr/share/man/man1/kago-run.1"
        echo "$output" >&2
        [ "$status" -eq 0 ]
        [[ "$output" == *"kago-run - create and start a container"* ]]
        [[ "$output" == *"--console-socket SOCK"* ]]
        [ "$(MANWIDTH=80 man --warnings -l "$DEST/usr/share/man/man1/kago.1" 2>&1 >/dev/null)" = "" ]
}

@test "install: bash completion completes commands and flags from kago's help" {
        local comp="$DEST/usr/share/bash-completion/completions/kago"
        [ -f "$comp" ]
        run bash -c '
                source "$1" || exit 9
                PATH=$2:$PATH
                t() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _kago; echo "${COMPREPLY[*]}"; }
                t kago st
                t kago run --det
                t kago --root /x kill --a
                t kago help upd' bash "$comp" "$DEST/usr/bin"
        echo "$output" >&2
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "start state" ]
        [ "${lines[1]}" = "--detach" ]
        [ "${lines[2]}" = "--all" ]
        [ "${lines[3]}" = "update" ]
}
