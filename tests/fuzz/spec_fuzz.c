/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the specs parser: every input is parsed as a
 * config.json, a process, a resources document, a state and a features
 * document. Whatever parses must emit, parse back and compare equal;
 * anything else must fail with a message. Crashes, leaks and sanitizer
 * reports are findings; each one is kept in tests/fuzz/regressions/.
 */
#include <string.h>

#include "../../specs/specs.h"

#define ROUND_TRIP(TYPE, PARSE, EMIT, EQUAL, FREE)                                                 \
        do {                                                                                       \
                TYPE *a = NULL, *b = NULL;                                                         \
                struct kago_err err = { 0 };                                                       \
                if (PARSE((const char *)data, size, "fuzz.json", &a, &err) < 0) {                  \
                        if (err.msg[0] == '\0')                                                    \
                                __builtin_trap(); /* a failure must say why */                     \
                        break;                                                                     \
                }                                                                                  \
                char *json = EMIT(a);                                                              \
                if (PARSE(json, strlen(json), "emitted.json", &b, &err) < 0 || !EQUAL(a, b))       \
                        __builtin_trap(); /* what kago writes, kago must read back */              \
                free(json);                                                                        \
                FREE(a);                                                                           \
                FREE(b);                                                                           \
        } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        ROUND_TRIP(struct oci_spec, spec_parse, spec_emit, spec_equal, spec_free);
        ROUND_TRIP(struct oci_process, spec_parse_process, spec_process_emit, spec_process_equal,
                   spec_process_free);
        ROUND_TRIP(struct oci_linux_resources, spec_parse_resources, spec_resources_emit,
                   spec_resources_equal, spec_resources_free);
        ROUND_TRIP(struct oci_state, state_parse, state_emit, state_equal, state_free);
        ROUND_TRIP(struct oci_features, features_parse, features_emit_struct, features_equal,
                   features_free);
        return 0;
}
