# bash completion for kago and kago-vm (make install puts it in
# $(PREFIX)/share/bash-completion/completions/kago). Commands and flags are
# read from kago's own help (`kago --help`, `kago help CMD`), so they never
# drift from the binary; container ids come from `kago list -q`.

# The commands `kago --help` lists.
_kago_commands()
{
        "$1" --help 2>/dev/null | awk '/^Commands:/ { on = 1; next } /^$/ { on = 0 } on { print $1 }'
}

# The flags of one help text (`kago --help` for the global ones): every
# -x and --long word at the start of an option line, and those of the
# Usage line.
_kago_flags()
{
        "$@" 2>/dev/null | awk '
        /^  -/ { for (i = 1; i <= NF; i++) {
                        w = $i; sub(/,$/, "", w)
                        if (w !~ /^-/) break
                        print w } }
        /^Usage: kago [a-z]/ { u = $0; while (match(u, /-?-[a-z][-a-z]*/)) {
                        print substr(u, RSTART, RLENGTH); u = substr(u, RSTART + RLENGTH) } }' | sort -u
}

# Values of flags that take one; returns 1 for a flag that takes none.
_kago_value()
{
        local cmd=$1 flag=$2 cur=$3
        case $flag in
        --root|-b|--bundle|--cwd|--image-path|--work-path|--parent-path)
                COMPREPLY=($(compgen -d -- "$cur")) ;;
        --log|--pid-file|--console-socket|-p|--process|-r|--resources)
                COMPREPLY=($(compgen -f -- "$cur")) ;;
        --manage-cgroups-mode) COMPREPLY=($(compgen -W "soft full strict ignore props" -- "$cur")) ;;
        --empty-ns) COMPREPLY=($(compgen -W "network" -- "$cur")) ;;
        --log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
        --format) COMPREPLY=($(compgen -W "table json" -- "$cur")) ;;
        --log-level) COMPREPLY=($(compgen -W "error warning info debug" -- "$cur")) ;;
        --cgroup-manager) COMPREPLY=($(compgen -W "cgroupfs systemd disabled" -- "$cur")) ;;
        -t) [[ $cmd == pause || $cmd == resume ]] || return 1; COMPREPLY=() ;;
        --timeout|--interval|-e|--env|-u|--user|-g|--additional-gids|-c|--cap|\
        --preserve-fds|--process-label|--apparmor|--memory*|--cpu*|--pids-limit|--blkio-weight|\
        --page-server|--status-fd|--lsm-profile|--lsm-mount-context)
                COMPREPLY=() ;;
        *) return 1 ;;
        esac
        return 0
}

_kago()
{
        local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
        local kago=${COMP_WORDS[0]} cmd= i

        [[ $kago == */* && -x $kago ]] || kago=$(type -P kago) || return 0
        COMPREPLY=()
        for ((i = 1; i < COMP_CWORD; i++)); do
                case ${COMP_WORDS[i]} in
                --root|--log|--log-format|--log-level|--cgroup-manager) ((i++)) ;;
                -*) ;;
                *) cmd=${COMP_WORDS[i]}; break ;;
                esac
        done
        if ((COMP_CWORD > 1)) && _kago_value "$cmd" "$prev" "$cur"; then
                return 0
        fi
        if [[ -z $cmd ]]; then
                if [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W "$(_kago_flags "$kago" --help)" -- "$cur"))
                else
                        COMPREPLY=($(compgen -W "$(_kago_commands "$kago")" -- "$cur"))
                fi
                return 0
        fi
        if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "$(_kago_flags "$kago" help "$cmd") --help" -- "$cur"))
                return 0
        fi
        case $cmd in
        help) COMPREPLY=($(compgen -W "$(_kago_commands "$kago")" -- "$cur")) ;;
        spec|features|create|run) ;;
        *) COMPREPLY=($(compgen -W "$("$kago" list -q 2>/dev/null)" -- "$cur")) ;;
        esac
        return 0
}

complete -F _kago kago kago-vm
