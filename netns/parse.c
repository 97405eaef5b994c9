/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The textual values a network setting is written in: addresses with and
 * without a prefix length, MAC addresses, bit rates. Each refusal says what
 * was expected. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netns.h"

int netns_parse_ip(const char *text, int *family, uint8_t out[16], struct kago_err *err)
{
        memset(out, 0, 16);
        if (inet_pton(AF_INET, text, out) == 1)
                *family = AF_INET;
        else if (inet_pton(AF_INET6, text, out) == 1)
                *family = AF_INET6;
        else
                return kago_err_set(err, "'%s' is not an IPv4 or IPv6 address", text);
        return 0;
}

int netns_parse_cidr(const char *text, struct netns_addr *a, struct kago_err *err)
{
        _cleanup_free_ char *ip = xstrdup(text);
        char *slash = strchr(ip, '/');
        int64_t len;

        memset(a, 0, sizeof *a);
        if (!slash)
                return kago_err_set(err, "'%s': expected ADDRESS/PREFIX (10.0.0.2/24, fd00::2/64)",
                                    text);
        *slash = '\0';
        if (netns_parse_ip(ip, &a->family, a->local, err) < 0)
                return kago_err_wrap(err, "'%s'", text);
        int max = a->family == AF_INET ? 32 : 128;
        if (str_to_i64(slash + 1, 0, max, &len) < 0)
                return kago_err_set(err, "'%s': prefix length '%s' is not 0 to %d", text, slash + 1,
                                    max);
        a->prefixlen = (uint8_t)len;
        memcpy(a->peer, a->local, sizeof a->local);
        return 0;
}

int netns_parse_mac(const char *text, uint8_t mac[6], struct kago_err *err)
{
        unsigned v[6];
        char end;

        if (strlen(text) != 17 || sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2],
                                         &v[3], &v[4], &v[5], &end) != 6)
                return kago_err_set(err, "'%s': expected a MAC address such as 02:42:ac:11:00:02",
                                    text);
        for (int i = 0; i < 6; i++)
                mac[i] = (uint8_t)v[i];
        if (mac[0] & 1)
                return kago_err_set(err,
                                    "'%s' is a multicast address: a link needs a unicast "
                                    "one (the first byte even)",
                                    text);
        if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
                return kago_err_set(err, "'%s': the all-zero address is no link's", text);
        return 0;
}

/* Powers of 1000, as tc and the CNI bandwidth plugin count bits. */
static uint64_t bit_unit(const char *u)
{
        static const struct {
                const char *name;
                uint64_t factor;
        } units[] = {{"", 1}, {"k", 1000}, {"m", 1000000}, {"g", 1000000000}};

        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
                if (strcasecmp(u, units[i].name) == 0)
                        return units[i].factor;
        return 0;
}

int netns_parse_bits(const char *text, uint64_t *bits, struct kago_err *err)
{
        char *end;

        errno = 0;
        unsigned long long n = isdigit((unsigned char)text[0]) ? strtoull(text, &end, 10) : 0;
        uint64_t factor = isdigit((unsigned char)text[0]) && errno == 0 ? bit_unit(end) : 0;
        if (factor == 0 || n == 0 || n > UINT64_MAX / factor)
                return kago_err_set(err,
                                    "'%s': expected a count of bits above 0, with an optional "
                                    "unit k, M or G (powers of 1000): 10M",
                                    text);
        *bits = n * factor;
        return 0;
}
