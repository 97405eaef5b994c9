#!/usr/bin/env bats
# Proves the CLI basics: version lines, help, and usage errors that name the
# bad word and exit 1.

load helpers

@test "cli: --version prints kago version, spec and commit" {
        run "$KAGO" --version
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" =~ ^kago\ version\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
        [ "${lines[1]}" = "spec: 1.3.0" ]
        [[ "${lines[2]}" =~ ^commit:\  ]]
}

@test "cli: --help and help list the commands" {
        run "$KAGO" --help
        [ "$status" -eq 0 ]
        [[ "$output" == *"Commands:"* ]]
        [[ "$output" == *"help "* ]]
        run "$KAGO" help
        [ "$status" -eq 0 ]
        [[ "$output" == *"Commands:"* ]]
}

@test "cli: help COMMAND shows that command's usage" {
        run "$KAGO" help help
        [ "$status" -eq 0 ]
        [[ "$output" == *"Usage: kago help"* ]]
}

@test "cli: unknown command is a usage error naming it" {
        run "$KAGO" frobnicate
        [ "$status" -eq 1 ]
        [[ "$output" == *'unknown command "frobnicate"'* ]]
}

@test "cli: unknown global flag is a usage error naming it" {
        run "$KAGO" --frob help
        [ "$status" -eq 1 ]
        [[ "$output" == *"unknown flag: --frob"* ]]
}

@test "cli: global flag without its value says it needs an argument" {
        run "$KAGO" --root
        [ "$status" -eq 1 ]
        [[ "$output" == *"flag needs an argument: --root"* ]]
}

@test "cli: help for an unknown command is an error" {
        run "$KAGO" help frobnicate
        [ "$status" -eq 1 ]
        [[ "$output" == *'unknown command "frobnicate"'* ]]
}

@test "cli: bad --log-format value is named" {
        run "$KAGO" --log-format yaml help
        [ "$status" -eq 1 ]
        [[ "$output" == *'unknown format "yaml"'* ]]
}
