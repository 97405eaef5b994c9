#!/bin/bash
# make check: the one test command. Installs what is missing, builds kago
# (gcc, plus a clang compile of every source), runs the C unit tests under
# ASan+UBSan, the bats suites on the host, then the same suites inside the
# test VM. Prints passed/failed/skipped per environment with every skip's
# reason, and ends with "N passed, N failed". Fails when any test fails or
# when a test was skipped in both environments.
set -uo pipefail
cd "$(dirname "$0")/.."
results=$(mktemp -d /tmp/kago-check.XXXXXX)
trap 'rm -rf "$results"' EXIT
total_pass=0 total_fail=0 status=0

step() { printf '\n==> %s\n' "$*"; }
die() { echo "check: $*" >&2; exit 1; }

step "deps"
make -s deps || die "make deps failed"
step "build (gcc) and compile check (clang)"
make -s -j2 all || die "build failed"
make -s -j2 clang-check || die "clang compile failed"
for t in $(make -s --no-print-directory prereq-targets 2>/dev/null); do
        step "make $t"
        make -s "$t" || die "make $t failed"
done

step "unit tests (ASan+UBSan)"
make -s -j2 unit | tee "$results/unit.txt"
read -r up uf < <(awk '/^unit: /{print $2, $4}' "$results/unit.txt")
total_pass=$((total_pass + ${up:-0})) total_fail=$((total_fail + ${uf:-1}))
[ -n "${up:-}" ] || echo "check: unit tests printed no result line" >&2

# Run the bats suites, keeping the TAP stream for the summary.
run_bats() { # ENV CMD...
        local env=$1
        shift
        step "bats suites: $env"
        "$@" bats --tap tests/bats 2>&1 | tee "$results/$env.tap"
        echo "${PIPESTATUS[0]}" >"$results/$env.rc"
}

run_bats host env
run_bats testvm tests/vm/run --timeout "${KAGO_VM_TIMEOUT:-3000}"

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
        fi
        echo "  $1: $p passed, $f failed, $s skipped"
        grep -E '^ok [0-9]+ .* # skip' "$tap" | sed -E 's/^ok [0-9]+ (.*) # skip ?(.*)$/    skipped: \1 — \2/'
        total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
}

step "summary"
echo "  unit: ${up:-0} passed, ${uf:-?} failed, 0 skipped"
summarize host
summarize testvm
skipped_names() { grep -E '^ok [0-9]+ .* # skip' "$1" | sed -E 's/^ok [0-9]+ (.*) # skip.*$/\1/' | sort -u; }
both=$(comm -12 <(skipped_names "$results/host.tap") <(skipped_names "$results/testvm.tap"))
if [ -n "$both" ]; then
        echo "  skipped in both environments (counted as failures):"
        echo "$both" | sed 's/^/    /'
        total_fail=$((total_fail + $(echo "$both" | wc -l)))
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] || status=1
exit $status
