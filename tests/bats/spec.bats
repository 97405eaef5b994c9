#!/usr/bin/env bats
# Proves `kago spec`: it writes a default config.json that is valid against
# the runtime-spec v1.3.0 schema (rootful and --rootless), that kago parses
# back, and it refuses to replace an existing config or write to a missing
# bundle. Also checks the fixture configs against the schema (the unit test
# specs_schema_test checks kago's re-emission of each, state and features).

load helpers

VALIDATE="$KAGO_SRC/tests/fixtures/schema/validate.py"

@test "spec: writes a schema-valid default config.json in the current directory" {
        cd "$(scratch)"
        run "$KAGO" spec
        [ "$status" -eq 0 ]
        [ -f config.json ]
        run "$VALIDATE" config config.json
        echo "$output"
        [ "$status" -eq 0 ]
        run python3 -c 'import json,sys; c=json.load(open("config.json")); print(c["ociVersion"], c["process"]["args"][0], c["root"]["path"], " ".join(n["type"] for n in c["linux"]["namespaces"]))'
        [ "$output" = "1.3.0 sh rootfs pid network ipc uts mount cgroup" ]
}

@test "spec: --bundle DIR writes DIR/config.json with mode 0644" {
        local b="$(scratch)/bundle"
        umask 022
        mkdir "$b"
        run "$KAGO" spec --bundle "$b"
        [ "$status" -eq 0 ]
        [ "$(stat -c %a "$b/config.json")" = 644 ]
        run "$KAGO" spec -b "$b/"
        [ "$status" -eq 1 ]
}

@test "spec: --rootless maps the caller to root in a user namespace and keeps the host network" {
        cd "$(scratch)"
        run "$KAGO" spec --rootless
        [ "$status" -eq 0 ]
        run "$VALIDATE" config config.json
        echo "$output"
        [ "$status" -eq 0 ]
        run python3 -c 'import json; c=json.load(open("config.json")); l=c["linux"]; t=[n["type"] for n in l["namespaces"]]; print("user" in t, "network" in t, l["uidMappings"][0]["hostID"], l["gidMappings"][0]["hostID"], l["uidMappings"][0]["size"])'
        [ "$output" = "True False $(id -u) $(id -g) 1" ]
}

@test "spec: refuses to replace an existing config.json and leaves it untouched" {
        cd "$(scratch)"
        echo '{"mine": true}' > config.json
        run "$KAGO" spec
        [ "$status" -eq 1 ]
        [[ "$output" == *"config.json already exists: remove it first"* ]]
        [ "$(cat config.json)" = '{"mine": true}' ]
}

@test "spec: a missing bundle directory is an error naming it, and nothing is created" {
        run "$KAGO" spec --bundle "$(scratch)/nope"
        [ "$status" -eq 1 ]
        [[ "$output" == *"bundle $(scratch)/nope: No such file or directory"* ]]
        [ ! -e "$(scratch)/nope" ]
}

@test "spec: usage errors name the flag or word" {
        run "$KAGO" spec --bogus
        [ "$status" -eq 1 ]
        [[ "$output" == *"unknown flag: --bogus"* ]]
        run "$KAGO" spec --bundle
        [ "$status" -eq 1 ]
        [[ "$output" == *"flag needs an argument"* ]]
        run "$KAGO" spec extra
        [ "$status" -eq 1 ]
        [[ "$output" == *'unexpected argument "extra"'* ]]
        run "$KAGO" spec --help
        [ "$status" -eq 0 ]
        [[ "$output" == *"Usage: kago spec [--bundle DIR] [--rootless]"* ]]
}

@test "spec: the fixture configs are schema-valid" {
        local f out=()
        for f in "$KAGO_SRC"/tests/fixtures/configs/*.json; do
                # unknown-fields.json holds nulls and non-Linux objects on purpose
                [ "$(basename "$f")" = unknown-fields.json ] && continue
                out+=("$f")
        done
        [ "${#out[@]}" -ge 12 ]
        run "$VALIDATE" config "${out[@]}"
        echo "$output"
        [ "$status" -eq 0 ]
}

@test "spec: the schema check itself rejects an invalid config" {
        cd "$(scratch)"
        echo '{"ociVersion": "1.0.0", "process": {"args": ["sh"]}}' > bad.json
        run "$VALIDATE" config bad.json
        [ "$status" -eq 1 ]
        [[ "$output" == *"'cwd' is a required property"* ]]
}
