/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal unit-test harness: each *_test.c defines TESTS with UNIT_TEST()
 * functions; CHECK() records a failure with file:line and carries on.
 * The program prints one line per test and "N passed, N failed".
 */
#ifndef KAGO_UNIT_H
#define KAGO_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failed_checks;

#define CHECK(cond)                                                                                \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
                        unit_failed_checks++;                                                      \
                }                                                                                  \
        } while (0)

#define CHECK_STR(a, b)                                                                            \
        do {                                                                                       \
                const char *_a = (a), *_b = (b);                                                   \
                if (!_a || !_b || strcmp(_a, _b) != 0) {                                           \
                        fprintf(stderr, "  %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__,         \
                                _a ? _a : "(null)", _b ? _b : "(null)");                           \
                        unit_failed_checks++;                                                      \
                }                                                                                  \
        } while (0)

/* CHECK that haystack contains needle. */
#define CHECK_CONTAINS(haystack, needle)                                                           \
        do {                                                                                       \
                const char *_h = (haystack), *_n = (needle);                                       \
                if (!_h || !strstr(_h, _n)) {                                                      \
                        fprintf(stderr, "  %s:%d: \"%s\" does not contain \"%s\"\n", __FILE__,     \
                                __LINE__, _h ? _h : "(null)", _n);                                 \
                        unit_failed_checks++;                                                      \
                }                                                                                  \
        } while (0)

struct unit_test {
        const char *name;
        void (*fn)(void);
};

#define UNIT_TEST(name) static void name(void)
#define UNIT(name) { #name, name }

static inline int unit_run(const char *suite, const struct unit_test *tests, size_t n)
{
        int passed = 0, failed = 0;

        for (size_t i = 0; i < n; i++) {
                int before = unit_failed_checks;
                tests[i].fn();
                int ok = unit_failed_checks == before;
                printf("%s %s.%s\n", ok ? "ok  " : "FAIL", suite, tests[i].name);
                ok ? passed++ : failed++;
        }
        printf("%d passed, %d failed\n", passed, failed);
        return failed ? 1 : 0;
}

#define UNIT_MAIN(suite, ...)                                                                      \
        int main(void)                                                                             \
        {                                                                                          \
                static const struct unit_test tests[] = { __VA_ARGS__ };                           \
                return unit_run(suite, tests, sizeof tests / sizeof tests[0]);                     \
        }

#endif
