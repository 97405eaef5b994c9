#!/bin/bash
# make check: the one test command. Installs what is missing, builds kago
# (gcc, plus a clang compile of every source), holds it to its size budget
# (make size), runs the C unit tests under ASan+UBSan, the bats suites on the
# host, then the same suites inside the test VM. Prints passed/failed/skipped
# per environment with every skip's reason, and ends with "N passed, N
# failed". Fails when any test fails or when a test was skipped in both
# environments.
set -uo pipefail
cd "$(dirname "$0")/.."
results=$(mktemp -d /tmp/kago-check.XXXXXX)
trap 'rm -rf "$results"' EXIT
total_pass=0 total_fail=0 status=0 stopped=()

step() { printf '\n==> %s  (at %ds)\n' "$*" "$SECONDS"; }
die() { echo "check: $*" >&2; exit 1; }

step "deps"
make -s deps || die "make deps failed"
step "build (gcc) and compile check (clang)"
make -s -j2 all || die "build failed"
make -s -j2 clang-check || die "clang compile failed"
step "binary size"
make -s --no-print-directory size || die "make size: kago is over its size budget (above)"
for t in $(make -s --no-print-directory prereq-targets 2>/dev/null); do
        step "make $t"
        make -s "$t" || die "make $t failed"
done

step "unit tests (ASan+UBSan)"
make -s -j2 unit | tee "$results/unit.txt"
read -r up uf < <(awk '/^unit: /{print $2, $4}' "$results/unit.txt")
total_pass=$((total_pass + ${up:-0})) total_fail=$((total_fail + ${uf:-1}))
[ -n "${up:-}" ] || echo "check: unit tests printed no result line" >&2

# Run bats suites, keeping the TAP stream for the summary.
envs=() reruns=()
run_bats() { # ENV SUITE_DIRS -- CMD...
        local env=$1 dirs=$2
        shift 3
        envs+=("$env")
        step "bats suites: $env"
        # shellcheck disable=SC2086
        "$@" bats --tap --timing $dirs 2>&1 | tee "$results/$env.timed"
        echo "${PIPESTATUS[0]}" >"$results/$env.rc"
        # The summary compares test names across environments: without times.
        sed -E 's/ in [0-9]+ms( # skip|$)/\1/' "$results/$env.timed" >"$results/$env.tap"
}

slowest() { # ENV: the five tests that took longest there
        sed -nE 's/^(not )?ok [0-9]+ (.*) in ([0-9]+)ms( # skip.*)?$/\3\t\2/p' "$results/$1.timed" |
                sort -rn | head -n5 | awk -F'\t' '{ printf "    slowest: %5.1fs %s\n", $1 / 1000, $2 }'
}

# Suites in tests/bats/systemd/ need systemd as PID 1: the host runs them (and
# says why they skip), the test VM runs them a second time booted with systemd.
systemd_dir=
compgen -G "tests/bats/systemd/*.bats" >/dev/null && systemd_dir=tests/bats/systemd
vm_timeout=${KAGO_VM_TIMEOUT:-3000}
# A test VM whose suite prints nothing for 7 minutes is stuck (no test may
# take longer than bats' 300 s timeout): it is killed, as is one whose kernel
# stopped (tests/vm/run). That, or a guest that ends without the suite's
# status (its kernel died), makes tests/vm/run exit 125, and the suites it
# did not finish run again in a new VM, up to three times; the results of
# those it finished stand.
export KAGO_VM_STALL=${KAGO_VM_STALL:-420}

# Of the suite files $2 (in order), print those the TAP stream of ENV $1 did
# not finish; the result lines of those it did are added to $results/$1.done.
unfinished_suites() { # ENV SUITES
        local ran f n upto=0 left=()
        ran=$(grep -cE '^(not )?ok [0-9]+ ' "$results/$1.timed")
        for f in $2; do
                n=$(bats --count "$f")
                if [ ${#left[@]} -eq 0 ] && [ $((upto + n)) -le "$ran" ]; then
                        upto=$((upto + n))
                else
                        left+=("$f")
                fi
        done
        grep -E '^(not )?ok [0-9]+ ' "$results/$1.timed" | head -n "$upto" >>"$results/$1.done"
        echo "${left[*]}"
}

run_vm_bats() { # ENV SUITES -- CMD...: at most four test VMs
        local env=$1 suites=$2 planned rerun
        planned=$(bats --count $suites)
        : >"$results/$env.done"
        run_bats "$@"
        shift 3
        for rerun in 1 2 3; do
                [ "$(cat "$results/$env.rc")" = 125 ] || break
                suites=$(unfinished_suites "$env" "$suites")
                echo "check: the test VM stalled or died (above); what it did not finish runs" \
                        "again in a new one: $suites" >&2
                reruns+=("$env")
                unset 'envs[-1]'
                run_bats "$env" "$suites" -- "$@"
        done
        [ -s "$results/$env.done" ] || return 0
        { # the summary reads one stream: the plan of all, the finished, the last run
                echo "1..$planned"
                cat "$results/$env.done"
                grep -vE '^1\.\.[0-9]+$' "$results/$env.timed"
        } >"$results/$env.all"
        mv "$results/$env.all" "$results/$env.timed"
        sed -E 's/ in [0-9]+ms( # skip|$)/\1/' "$results/$env.timed" >"$results/$env.tap"
}
run_bats host "tests/bats $systemd_dir" -- env
# The microVM suites get a test VM of their own: the emulated nested KVM is
# what can stall (tests/vm/stage2 avoids the known cause), and a rerun then
# repeats only them.
kvm_suites=$(ls tests/bats/vm*.bats tests/bats/podman_vm.bats | tr '\n' ' ')
other_suites=$(ls tests/bats/*.bats | grep -vxF -f <(ls $kvm_suites) | tr '\n' ' ')
run_vm_bats testvm "$other_suites" -- tests/vm/run --timeout "$vm_timeout"
run_vm_bats testvm-kvm "$kvm_suites" -- tests/vm/run --timeout "$vm_timeout"
[ -n "$systemd_dir" ] &&
        run_vm_bats testvm-systemd "$systemd_dir" -- tests/vm/run --systemd --timeout "$vm_timeout"

summarize() { # ENV
        local tap="$results/$1.tap" p f s
        p=$(grep -cE '^ok [0-9]+ ' "$tap" | tr -d '\n')
        s=$(grep -cE '^ok [0-9]+ .* # skip' "$tap" | tr -d '\n')
        f=$(grep -cE '^not ok [0-9]+ ' "$tap" | tr -d '\n')
        p=$((p - s))
        local planned ran
        planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$tap" | head -n1)
        ran=$((p + s + f))
        if [ -z "$planned" ] || [ "$ran" -lt "$planned" ]; then
                echo "  $1: bats stopped early (ran $ran of ${planned:-?} tests, exit $(cat "$results/$1.rc"))"
                f=$((f + ${planned:-1} - ran))
                stopped+=("$1")
        fi
        echo "  $1: $p passed, $f failed, $s skipped"
        grep -E '^ok [0-9]+ .* # skip' "$tap" | sed -E 's/^ok [0-9]+ (.*) # skip ?(.*)$/    skipped: \1 — \2/'
        slowest "$1"
        total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
}

step "summary"
echo "  unit: ${up:-0} passed, ${uf:-?} failed, 0 skipped"
for env in "${envs[@]}"; do summarize "$env"; done

# A test skipped in every environment that ran it never ran at all.
test_lines() { # ENV: "name<TAB>ran|skipped" for each test
        sed -nE 's/^(not )?ok [0-9]+ (.*) # skip.*$/\2\tskipped/p; t; s/^(not )?ok [0-9]+ (.*)$/\2\tran/p' \
                "$results/$1.tap"
}
never=$(for env in "${envs[@]}"; do test_lines "$env"; done |
        awk -F'\t' '{ seen[$1] = 1 } $2 == "ran" { ran[$1] = 1 } END { for (t in seen) if (!ran[t]) print t }' | sort)
if [ -n "$never" ]; then
        n_never=$(echo "$never" | wc -l)
        echo "  skipped in every environment (counted as failures): $n_never"
        echo "$never" | head -n 20 | sed 's/^/    /'
        [ "$n_never" -le 20 ] || echo "    … and $((n_never - 20)) more"
        total_fail=$((total_fail + n_never))
fi
# Last, where it is seen first: why an environment's suites ended early.
for env in "${stopped[@]}"; do
        echo "  $env ended early; its last lines that were not test results:"
        grep -vE '^(not )?ok [0-9]+ |^#|^1\.\.[0-9]+$' "$results/$env.timed" | tail -n 25 | sed 's/^/    /'
done
for env in "${envs[@]}"; do
        sed -nE 's/^not ok [0-9]+ (.*)$/    failed in '"$env"': \1/p' "$results/$env.tap"
done
[ ${#reruns[@]} -eq 0 ] || echo "  a test VM stalled or died, and its suites ran again, for: ${reruns[*]}"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] || status=1
exit $status
