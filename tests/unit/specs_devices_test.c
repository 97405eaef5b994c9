/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves linux.devices[].fileMode takes what engines send: the permission
 * bits alone or with the file-type bits of the device's own type (podman's
 * 8630 = 0o20666), and still refuses type bits that contradict "type" and
 * values above 0o177777. */
#include <sys/stat.h>

#include "specs_test.h"

#define DEVICE(type, mode)                                                                         \
        LINUX("\"devices\": [{\"type\": \"" type "\", \"path\": \"/dev/x\", \"major\": 10, "        \
              "\"minor\": 229, \"fileMode\": " mode "}]")

static void check_mode_accepted(const char *json, uint32_t want)
{
        struct oci_spec *s = parse_ok(json);

        CHECK(s && s->linux_cfg && s->linux_cfg->devices_len == 1);
        if (s && s->linux_cfg && s->linux_cfg->devices_len == 1)
                CHECK(s->linux_cfg->devices[0].file_mode.set &&
                      s->linux_cfg->devices[0].file_mode.value == want);
        spec_free(s);
}

UNIT_TEST(file_mode_with_type_bits_accepted)
{
        check_mode_accepted(DEVICE("c", "8630"), S_IFCHR | 0666); /* podman, runc's specconv */
        check_mode_accepted(DEVICE("u", "8630"), S_IFCHR | 0666);
        check_mode_accepted(DEVICE("b", "25008"), S_IFBLK | 0660);
        check_mode_accepted(DEVICE("p", "4516"), S_IFIFO | 0644);
        check_mode_accepted(DEVICE("c", "438"), 0666);
        check_mode_accepted(DEVICE("c", "4095"), 07777);
        check_mode_accepted(DEVICE("c", "0"), 0);
}

UNIT_TEST(file_mode_contradicting_type_refused)
{
        CHECK_PARSE_ERROR(DEVICE("c", "25014"),
                          "config.json: linux.devices[0].fileMode: 25014 (060666) has the file-type bits of a "
                          "block device, but type is \"c\" (give the permission bits alone, e.g. 0666 = 438)");
        CHECK_PARSE_ERROR(DEVICE("b", "8630"),
                          "config.json: linux.devices[0].fileMode: 8630 (020666) has the file-type bits of a "
                          "character device, but type is \"b\" (give the permission bits alone, e.g. 0666 = 438)");
        CHECK_PARSE_ERROR(DEVICE("c", "33206"),
                          "config.json: linux.devices[0].fileMode: 33206 (0100666) has the file-type bits of a "
                          "regular file, but type is \"c\" (give the permission bits alone, e.g. 0666 = 438)");
        CHECK_PARSE_ERROR(DEVICE("p", "16877"),
                          "config.json: linux.devices[0].fileMode: 16877 (040755) has the file-type bits of a "
                          "directory, but type is \"p\" (give the permission bits alone, e.g. 0666 = 438)");
}

UNIT_TEST(file_mode_out_of_range_refused)
{
        CHECK_PARSE_ERROR(DEVICE("c", "65536"),
                          "config.json: linux.devices[0].fileMode: 65536 is out of range (0 to 65535)");
        CHECK_PARSE_ERROR(DEVICE("c", "-1"),
                          "config.json: linux.devices[0].fileMode: -1 is out of range (0 to 65535)");
}

UNIT_MAIN("specs_devices", UNIT(file_mode_with_type_bits_accepted), UNIT(file_mode_contradicting_type_refused),
          UNIT(file_mode_out_of_range_refused))
