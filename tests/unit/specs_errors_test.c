/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves the parser's handling of bad and hostile input: syntax errors with
 * line and column, the size/depth/array/value caps, NUL and invalid UTF-8,
 * and spec_load_bundle's errors. Nothing may leak (ASan/LSan). */
#include <sys/stat.h>

#include "specs_test.h"

UNIT_TEST(syntax_errors_give_line_and_column)
{
        CHECK_PARSE_ERROR("{\"ociVersion\": \"1.0.0\",\n  \"process\": {\"cwd\": \"/\",,}}",
                          "config.json: line 2 column 27: parse error: invalid object key (must be a string)");
        CHECK_PARSE_ERROR("{\"ociVersion\": \"1.0.0\"\n\n  \"root\": {}}",
                          "config.json: line 3 column 5: parse error: after key and value, inside map, I expect ',' or '}'");
        CHECK_PARSE_ERROR("{\"ociVersion\": \"1.0.0\"", "config.json: line 1 column 23: parse error: premature EOF");
        CHECK_PARSE_ERROR("", "config.json: line 1 column 1: parse error: premature EOF");
        CHECK_PARSE_ERROR("{\"ociVersion\": \"1.0.0\"} {}",
                          "config.json: line 1 column 26: parse error: trailing garbage");
        CHECK_PARSE_ERROR("{\"ociVersion\": '1.0.0'}",
                          "config.json: line 1 column 17: lexical error: invalid char in json text.");
        CHECK_PARSE_ERROR("[]", "config.json: (top level): expected object, got array");
        CHECK_PARSE_ERROR("\"x\"", "config.json: (top level): expected object, got string \"x\"");
}

UNIT_TEST(strings_must_be_utf8_without_nul)
{
        CHECK_PARSE_ERROR("{\"ociVersion\": \"1.0.0\", \"hostname\": \"a\\u0000b\"}",
                          "config.json: line 1 column 47: string contains a NUL character (\\u0000)");
        CHECK_PARSE_ERROR("{\"ociVersion\": \"1.0.0\", \"a\\u0000\": 1}",
                          "config.json: line 1 column 34: object key contains a NUL character (\\u0000)");
        CHECK_PARSE_ERROR("{\"ociVersion\": \"1.0.0\", \"hostname\": \"\xff\xfe\"}",
                          "config.json: line 1 column 39: lexical error: invalid bytes in UTF8 string.");
        struct oci_spec *s = parse_ok("{\"ociVersion\": \"1.0.0\", \"hostname\": \"\\u00e9t\\u00e9 \\ud83d\\ude00\"}");
        CHECK_STR(s ? s->hostname : NULL, "\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80");
        spec_free(s);
}

UNIT_TEST(values_in_messages_are_escaped_and_shortened)
{
        CHECK_PARSE_ERROR(CONFIG("\"root\": {\"path\": \"r\", \"readonly\": \"a\\nb\\\"c\\\\\"}"),
                          "config.json: root.readonly: expected boolean, got string \"a\\x0ab\\\"c\\\\\"");
        CHECK_PARSE_ERROR(LINUX("\"rootfsPropagation\": \"0123456789012345678901234567890123456789"
                                "0123456789012345678901234567890123456789\""),
                          "config.json: linux.rootfsPropagation: unknown value \"01234567890123456789012345678901"
                          "2345678901234567890123456789012345678901...\" (expected one of: private, shared, slave, unbindable, "
                          "rprivate, rshared, rslave, runbindable)");
}

UNIT_TEST(numbers_beyond_64_bits_are_range_errors)
{
        CHECK_PARSE_ERROR(RESOURCES("\"pids\": {\"limit\": 99999999999999999999999999}"),
                          "config.json: linux.resources.pids.limit: 99999999999999999999999999 is out of range "
                          "(-1 to 9223372036854775807)");
        CHECK_PARSE_ERROR(RESOURCES("\"pids\": {\"limit\": -9223372036854775809}"),
                          "config.json: linux.resources.pids.limit: -9223372036854775809 is out of range "
                          "(-1 to 9223372036854775807)");
        CHECK_PARSE_ERROR(RESOURCES("\"pids\": {\"limit\": 1e400}"),
                          "config.json: linux.resources.pids.limit: expected integer, got number 1e400");
        struct oci_spec *s = parse_ok(LINUX("\"timeOffsets\": {\"boottime\": {\"secs\": -9223372036854775808}}"));
        CHECK(s && s->linux_cfg->time_offsets->boottime.secs == INT64_MIN);
        spec_free(s);
}

/* {"ociVersion": "1.0.0", "x": [[[...]]]} with depth nested arrays. */
static char *nested(size_t depth)
{
        size_t prefix = strlen("{\"ociVersion\": \"1.0.0\", \"x\": ");
        char *buf = xmalloc(prefix + 2 * depth + 2);
        memcpy(buf, "{\"ociVersion\": \"1.0.0\", \"x\": ", prefix);
        memset(buf + prefix, '[', depth);
        memset(buf + prefix + depth, ']', depth);
        strcpy(buf + prefix + 2 * depth, "}");
        return buf;
}

UNIT_TEST(nesting_is_capped)
{
        _cleanup_free_ char *ok = nested(SPEC_MAX_DEPTH - 1);
        _cleanup_free_ char *deep = nested(SPEC_MAX_DEPTH);
        _cleanup_free_ char *hostile = nested(1000000);

        struct oci_spec *s = parse_ok(ok);
        CHECK(s != NULL);
        spec_free(s);
        CHECK_PARSE_ERROR(deep, "config.json: line 1 column 94: nesting deeper than 64 levels");
        CHECK_PARSE_ERROR(hostile, "config.json: line 1 column 94: nesting deeper than 64 levels");
}

/* A config whose annotations (or an unknown array) have n members. */
static char *wide(size_t n, bool object)
{
        size_t cap = 64 + n * 24, len = 0;
        char *buf = xmalloc(cap);

        len += (size_t)snprintf(buf, cap, "{\"ociVersion\": \"1.0.0\", \"%s\": %c",
                                object ? "annotations" : "x", object ? '{' : '[');
        for (size_t i = 0; i < n; i++)
                len += (size_t)(object ? snprintf(buf + len, cap - len, "%s\"k%zu\": \"v\"", i ? "," : "", i)
                                       : snprintf(buf + len, cap - len, "%s0", i ? "," : ""));
        snprintf(buf + len, cap - len, "%c}", object ? '}' : ']');
        return buf;
}

UNIT_TEST(array_and_object_sizes_are_capped)
{
        _cleanup_free_ char *max_array = wide(SPEC_MAX_ARRAY_LEN, false);
        _cleanup_free_ char *big_array = wide(SPEC_MAX_ARRAY_LEN + 1, false);
        _cleanup_free_ char *max_map = wide(SPEC_MAX_ARRAY_LEN, true);
        _cleanup_free_ char *big_map = wide(SPEC_MAX_ARRAY_LEN + 1, true);
        struct kago_err err = { 0 };
        struct oci_spec *s = NULL;

        s = parse_ok(max_array);
        spec_free(s);
        s = parse_ok(max_map);
        CHECK(s && s->annotations_len == SPEC_MAX_ARRAY_LEN);
        spec_free(s);
        s = NULL;
        CHECK(spec_parse(big_array, strlen(big_array), "config.json", &s, &err) < 0 && !s);
        CHECK_CONTAINS(kago_err_text(&err), ": array has more than 65536 elements");
        CHECK(spec_parse(big_map, strlen(big_map), "config.json", &s, &err) < 0 && !s);
        CHECK_CONTAINS(kago_err_text(&err), ": object has more than 65536 members");
        CHECK(str_has_prefix(err.msg, "config.json: line 1 column "));
}

UNIT_TEST(total_values_are_capped)
{
        /* 20 arrays of 60000 zeros: each array under its cap, the whole over 1 Mi values */
        size_t cap = 20 * (60000 * 2 + 16) + 64, len = 0;
        _cleanup_free_ char *buf = xmalloc(cap);
        struct kago_err err = { 0 };
        struct oci_spec *s = NULL;

        len += (size_t)snprintf(buf, cap, "{\"ociVersion\": \"1.0.0\"");
        for (int a = 0; a < 20; a++) {
                len += (size_t)snprintf(buf + len, cap - len, ", \"x%d\": [0", a);
                for (int i = 1; i < 60000; i++) {
                        buf[len++] = ',';
                        buf[len++] = '0';
                }
                buf[len++] = ']';
        }
        buf[len++] = '}';
        CHECK(spec_parse(buf, len, "config.json", &s, &err) < 0 && !s);
        CHECK_CONTAINS(kago_err_text(&err), ": more than 1048576 values in one document");
}

UNIT_TEST(file_size_is_capped)
{
        size_t len = SPEC_MAX_FILE_SIZE + 1;
        _cleanup_free_ char *buf = xmalloc(len);
        struct kago_err err = { 0 };
        struct oci_spec *s = NULL;

        memset(buf, ' ', len);
        memcpy(buf, "{\"ociVersion\": \"1.0.0\"}", 23);
        CHECK(spec_parse(buf, len, "config.json", &s, &err) < 0 && !s);
        CHECK_STR(kago_err_text(&err), "config.json: larger than the limit of 8388608 bytes (8 MiB)");
        CHECK(spec_parse(buf, len - 1, "config.json", &s, &err) == 0 && s);
        spec_free(s);
}

UNIT_TEST(load_bundle_reads_config_json)
{
        char dir[] = "/tmp/kago-specs-XXXXXX";
        struct kago_err err = { 0 };
        struct oci_spec *s = NULL;

        CHECK(mkdtemp(dir) != NULL);
        CHECK(spec_load_bundle(dir, &s, &err) < 0 && !s);
        _cleanup_free_ char *missing = xasprintf("config.json: open %s/config.json: No such file or directory", dir);
        CHECK_STR(kago_err_text(&err), missing);
        int dfd = open(dir, O_DIRECTORY | O_RDONLY);
        CHECK(file_write_atomic_at(dfd, "config.json", "{\"ociVersion\": \"1.2.0\", \"hostname\": 5}", 38, 0644, &err) == 0);
        CHECK(spec_load_bundle(dir, &s, &err) < 0 && !s);
        CHECK_STR(kago_err_text(&err), "config.json: hostname: expected string, got integer 5");
        CHECK(file_write_atomic_at(dfd, "config.json", "{\"ociVersion\": \"1.2.0\", \"hostname\": \"h\"}", 40, 0644, &err) == 0);
        CHECK(spec_load_bundle(dir, &s, &err) == 0 && s);
        CHECK_STR(s ? s->hostname : NULL, "h");
        spec_free(s);
        unlinkat(dfd, "config.json", 0);
        close(dfd);
        rmdir(dir);
}

UNIT_MAIN("specs_errors", UNIT(syntax_errors_give_line_and_column), UNIT(strings_must_be_utf8_without_nul),
          UNIT(values_in_messages_are_escaped_and_shortened), UNIT(numbers_beyond_64_bits_are_range_errors), UNIT(nesting_is_capped),
          UNIT(array_and_object_sizes_are_capped), UNIT(total_values_are_capped),
          UNIT(file_size_is_capped), UNIT(load_bundle_reads_config_json))
