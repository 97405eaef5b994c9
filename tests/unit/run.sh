#!/bin/bash
# Runs each unit-test binary (built with ASan+UBSan) and totals the results.
set -u
passed=0 failed=0
for bin in "$@"; do
        out=$(ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 "$bin" 2>&1)
        rc=$?
        echo "$out" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$'
        line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n1)
        p=$(echo "$line" | awk '{print $1}') f=$(echo "$line" | awk '{print $3}')
        if [ -z "$line" ] || { [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; }; then
                echo "FAIL $(basename "$bin"): exited $rc without a result line (crash or sanitizer report)"
                f=$(( ${f:-0} + 1 ))
        fi
        passed=$((passed + ${p:-0})) failed=$((failed + ${f:-0}))
done
echo "unit: $passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
