#!/usr/bin/env bats
# Proves the checkpoint image's manifest checks (kago-checkpoint.json, which
# kago checkpoint writes; checkpoint.bats proves that in the test VM):
# kago restore --check prints every check as a table and fails naming what
# failed; a plain restore runs the same checks first and refuses an image
# from another format major, mode, architecture or CPU vendor, or a
# manifest that is not JSON, before anything is created. An image without a
# manifest (runc's) is left to CRIU. Needs no CRIU: the CRIU row says what
# kago features says.

load helpers
load container_helpers

setup() {
        _container_setup
        IMG="$BATS_TEST_TMPDIR/img"
        B="$BATS_TEST_TMPDIR/b"
        mkdir -p "$IMG"
        bundle "$B" true
        criu_ok=$("$KAGO" features | jq -r '.annotations["kago.checkpoint.enabled"]')
}

# A manifest as this host's kago writes it, edited by the jq expression $1.
manifest() {
        jq -n --arg arch "$(uname -m)" --arg vendor "$(awk -F': ' '/^vendor_id/ {print $2; exit}' /proc/cpuinfo)" \
                '{format: "kago-checkpoint", version: "1.0", mode: "container", kagoVersion: "0.1.0",
                  arch: $arch, cpuVendor: $vendor, id: "c1"} | '"${1:-.}" >"$IMG/kago-checkpoint.json"
}

row() { # CHECK RESULT: the table has that row
        grep -Eq "^$1 +$2 " <<<"$output" || { echo "no row '$1 $2' in:"; echo "$output"; false; }
}

@test "restore --check: a manifest of this host passes every row but CRIU's, which follows kago features" {
        [ "$(uname -m)" = x86_64 ] || skip "the CPU vendor row reads x86's /proc/cpuinfo"
        manifest
        kg_status restore --check --image-path "$IMG" --bundle "$B" r1
        row manifest ok
        row format ok
        row mode ok
        row arch ok
        row "cpu vendor" ok
        if [ "$criu_ok" = true ]; then
                row criu ok
                [ "$status" -eq 0 ]
        else
                row criu FAIL
                [ "$status" -ne 0 ]
                [[ "$output" == *"restore --check: 1 of 6 checks failed for image $IMG"* ]]
        fi
        assert_gone r1
}

@test "restore --check: an image without a manifest (runc's) is left to CRIU" {
        kg_status restore --check --image-path "$IMG" --bundle "$B" r1
        row manifest ok
        [[ "$output" == *"none (an image from runc, or CRIU's own)"* ]]
        ! grep -q '^format' <<<"$output" || false
}

@test "restore: another format major, mode, arch or CPU vendor, or a manifest that is not JSON, is refused before anything is made" {
        manifest '.version = "2.0"'
        kg_status restore --image-path "$IMG" --bundle "$B" r1
        [ "$status" -ne 0 ]
        [[ "$output" == *"--image-path $IMG: format: version 2.0: this kago reads 1.x"* ]]
        assert_gone r1
        manifest '.version = "1.7" | .newField = 1'
        kg_status restore --check --image-path "$IMG" --bundle "$B" r1
        row format ok
        manifest '.mode = "microvm"'
        kg_status restore --image-path "$IMG" --bundle "$B" r1
        [[ "$output" == *"mode: a microvm image cannot restore as a container: the bundle's config chooses the mode"* ]]
        assert_gone r1
        manifest '.arch = "riscv64"'
        kg_status restore --check --image-path "$IMG" --bundle "$B" r1
        [ "$status" -ne 0 ]
        row arch FAIL
        manifest '.cpuVendor = "OtherVendor"'
        kg_status restore --image-path "$IMG" --bundle "$B" r1
        [[ "$output" == *"cpu vendor: image OtherVendor, host "* ]]
        assert_gone r1
        printf '{"format": "kago-checkpoint", "vers' >"$IMG/kago-checkpoint.json"
        kg_status restore --image-path "$IMG" --bundle "$B" r1
        [ "$status" -ne 0 ]
        [[ "$output" == *"manifest: kago-checkpoint.json is not a JSON object"* ]]
        assert_gone r1
        kg_status restore --check --image-path "$BATS_TEST_TMPDIR/none" --bundle "$B" r1
        [ "$status" -ne 0 ]
        row image FAIL
        [[ "$output" == *"image        FAIL   No such file or directory"* ]]
        [ ! -e "$BATS_TEST_TMPDIR/none" ]
}
