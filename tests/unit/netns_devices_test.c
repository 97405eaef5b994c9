/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves the check of linux.netDevices at create: a network namespace of the
 * container's own is required, names are valid interface names and distinct
 * in the container, and each host link must exist (looked up by netlink,
 * which needs no privilege); every message names linux.netDevices["HOST"].
 * And that state.json keeps the moved devices across a write and a read. */
#include <fcntl.h>
#include <sys/stat.h>

#include "../../runtime/container/container.h"
#include "specs_test.h"

#define NET_NS "\"namespaces\": [{\"type\": \"network\"}]"

static void check_fails(const char *json, const char *want)
{
        struct kago_err err = { 0 };
        struct oci_spec *s = parse_ok(json);

        if (!s)
                return;
        CHECK(net_devices_check(s, &err) < 0);
        CHECK_STR(kago_err_text(&err), want);
        spec_free(s);
}

UNIT_TEST(none_is_fine_without_a_network_namespace)
{
        struct kago_err err = { 0 };
        struct oci_spec *s = parse_ok(LINUX("\"namespaces\": []"));

        CHECK(s && net_devices_check(s, &err) == 0);
        spec_free(s);
}

UNIT_TEST(needs_a_network_namespace)
{
        check_fails(LINUX("\"namespaces\": [{\"type\": \"pid\"}], \"netDevices\": {\"lo\": {}}"),
                    "config.json: linux.netDevices: the container has no network namespace of its "
                    "own (linux.namespaces has no \"network\" entry) to move links into");
}

UNIT_TEST(names_must_be_interface_names)
{
        check_fails(LINUX(NET_NS ", \"netDevices\": {\"lo\": {\"name\": \"a:b\"}}"),
                    "config.json: linux.netDevices[\"lo\"]: name: \"a:b\" is not a valid interface "
                    "name (1 to 15 characters, no '/', ':' or space)");
        check_fails(LINUX(NET_NS ", \"netDevices\": {\"0123456789abcdef\": {}}"),
                    "config.json: linux.netDevices[\"0123456789abcdef\"]: not a valid interface name "
                    "(1 to 15 characters, no '/', ':' or space)");
}

UNIT_TEST(names_must_be_distinct_in_the_container)
{
        check_fails(LINUX(NET_NS ", \"netDevices\": {\"lo\": {\"name\": \"net0\"}, \"eth9\": "
                                 "{\"name\": \"net0\"}}"),
                    "config.json: linux.netDevices[\"eth9\"]: name \"net0\" is also the name of "
                    "linux.netDevices[\"lo\"] in the container");
}

UNIT_TEST(host_link_must_exist)
{
        check_fails(LINUX(NET_NS ", \"netDevices\": {\"kgnosuch9\": {}}"),
                    "config.json: linux.netDevices[\"kgnosuch9\"]: no link of that name on the host");
}

UNIT_TEST(existing_host_link_passes)
{
        struct kago_err err = { 0 };
        struct oci_spec *s = parse_ok(LINUX(NET_NS ", \"netDevices\": {\"lo\": {\"name\": \"lo9\"}}"));

        CHECK(s && net_devices_check(s, &err) == 0);
        if (err.msg[0])
                fprintf(stderr, "  %s\n", kago_err_text(&err));
        spec_free(s);
}

UNIT_TEST(state_keeps_moved_devices)
{
        char dir[] = "/tmp/kago-unit-XXXXXX";
        struct kago_err err = { 0 };
        struct container_state st = { .id = xstrdup("c1") }, back = { 0 };

        CHECK(mkdtemp(dir) != NULL);
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        st.net_devices = xcalloc(5, sizeof *st.net_devices);
        st.net_devices[0] = xstrdup("eth9");
        st.net_devices[1] = xstrdup("net0");
        CHECK(store_write_state(fd, &st, &err) == 0);
        CHECK(store_read_state(fd, "c1", &back, &err) == 0);
        CHECK(back.net_devices && strv_length(back.net_devices) == 2);
        if (back.net_devices && strv_length(back.net_devices) == 2) {
                CHECK_STR(back.net_devices[0], "eth9");
                CHECK_STR(back.net_devices[1], "net0");
        }
        container_state_free(&back);
        free(TAKE_PTR(st.net_devices[1]));
        free(TAKE_PTR(st.net_devices[0])); /* none moved yet: an empty record, not none */
        CHECK(store_write_state(fd, &st, &err) == 0);
        CHECK(store_read_state(fd, "c1", &back, &err) == 0);
        CHECK(back.net_devices && back.net_devices[0] == NULL);
        container_state_free(&back);
        container_state_free(&st);
        unlinkat(fd, STATE_FILE, 0);
        close(fd);
        rmdir(dir);
}

UNIT_MAIN("netns_devices", UNIT(none_is_fine_without_a_network_namespace),
          UNIT(needs_a_network_namespace), UNIT(names_must_be_interface_names),
          UNIT(names_must_be_distinct_in_the_container), UNIT(host_link_must_exist),
          UNIT(existing_host_link_passes), UNIT(state_keeps_moved_devices))
