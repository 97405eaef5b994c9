/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves linux.resources, in config.json and standalone (update --resources):
 * every controller read, set-versus-absent kept apart, ranges enforced. */
#include "specs_test.h"

UNIT_TEST(resources_full_fixture)
{
        size_t len = 0;
        _cleanup_free_ char *buf = read_fixture("fixtures/configs/resources-full.json", &len);
        struct kago_err err = { 0 };
        struct oci_spec *s = NULL;

        CHECK(buf && spec_parse(buf, len, "config.json", &s, &err) == 0);
        if (!s || !s->linux_cfg || !s->linux_cfg->resources)
                return;
        const struct oci_linux_resources *r = s->linux_cfg->resources;
        CHECK(r->devices_len == 3 && !r->devices[0].allow && r->devices[1].allow);
        CHECK(r->devices[1].major.set && r->devices[1].major.value == 8 && !r->devices[2].major.set);
        CHECK_STR(r->devices[0].access, "rwm");
        CHECK(r->devices[0].type == NULL);
        const struct oci_memory *m = r->memory;
        CHECK(m && m->limit.value == 268435456 && m->swap.set && m->swap.value == -1);
        CHECK(m && m->swappiness.value == 60 && m->disable_oom_killer.set && !m->disable_oom_killer.value);
        CHECK(m && m->check_before_update.value && m->kernel_tcp.value == 16777216);
        const struct oci_cpu *c = r->cpu;
        CHECK(c && c->shares.value == 1024 && c->quota.value == -1 && c->burst.value == 10000);
        CHECK(c && c->realtime_runtime.value == 950000 && c->idle.set && c->idle.value == 0);
        CHECK_STR(c ? c->cpus : NULL, "0-1");
        const struct oci_block_io *b = r->block_io;
        CHECK(b && b->weight.value == 500 && b->weight_device_len == 2 && !b->weight_device[1].leaf_weight.set);
        CHECK(b && b->throttle_read_bps_device_len == 1 && b->throttle_read_bps_device[0].rate == 104857600);
        CHECK(b && b->throttle_write_iops_device[0].rate == 500);
        CHECK(r->hugepage_limits_len == 2 && r->hugepage_limits[1].limit == 0);
        CHECK_STR(r->hugepage_limits[0].page_size, "2MB");
        CHECK(r->network && r->network->class_id.value == 1048577 && r->network->priorities_len == 2);
        CHECK(r->pids && r->pids->limit == 32771);
        CHECK(r->rdma_len == 2 && r->rdma[1].hca_objects.value == 1000 && !r->rdma[1].hca_handles.set);
        CHECK_STR(r->rdma[0].device, "mlx5_1");
        CHECK(r->unified_len == 3);
        CHECK_STR(r->unified[0].key, "io.max");
        CHECK_STR(r->unified[0].value, "8:0 rbps=1048576");
        spec_free(s);
}

UNIT_TEST(zero_is_not_absent)
{
        struct oci_spec *s = parse_ok(RESOURCES("\"memory\": {\"limit\": 0}, \"cpu\": {}"));

        CHECK(s && s->linux_cfg->resources->memory->limit.set);
        CHECK(s && s->linux_cfg->resources->memory->limit.value == 0);
        CHECK(s && !s->linux_cfg->resources->memory->swap.set);
        CHECK(s && s->linux_cfg->resources->cpu && !s->linux_cfg->resources->cpu->shares.set);
        CHECK(s && !s->linux_cfg->resources->pids && !s->linux_cfg->resources->block_io);
        spec_free(s);
}

UNIT_TEST(memory_limits_type_and_range)
{
        CHECK_PARSE_ERROR(RESOURCES("\"memory\": {\"limit\": \"1G\"}"),
                          "config.json: linux.resources.memory.limit: expected integer, got string \"1G\"");
        CHECK_PARSE_ERROR(RESOURCES("\"memory\": {\"limit\": -2}"),
                          "config.json: linux.resources.memory.limit: -2 is out of range (-1 to 9223372036854775807)");
        CHECK_PARSE_ERROR(RESOURCES("\"memory\": {\"swap\": 9223372036854775808}"),
                          "config.json: linux.resources.memory.swap: 9223372036854775808 is out of range (-1 to 9223372036854775807)");
        CHECK_PARSE_ERROR(RESOURCES("\"memory\": {\"swappiness\": 101}"),
                          "config.json: linux.resources.memory.swappiness: 101 is out of range (0 to 100)");
        CHECK_PARSE_ERROR(RESOURCES("\"memory\": {\"limit\": 1.5e9}"),
                          "config.json: linux.resources.memory.limit: expected integer, got number 1.5e9");
        CHECK_PARSE_ERROR(RESOURCES("\"memory\": {\"disableOOMKiller\": \"true\"}"),
                          "config.json: linux.resources.memory.disableOOMKiller: expected boolean, got string \"true\"");
        struct oci_spec *s = parse_ok(RESOURCES("\"memory\": {\"limit\": 9223372036854775807, \"swap\": -1}"));
        CHECK(s && s->linux_cfg->resources->memory->limit.value == INT64_MAX);
        spec_free(s);
}

UNIT_TEST(other_controllers_errors)
{
        CHECK_PARSE_ERROR(RESOURCES("\"cpu\": {\"quota\": -5}"),
                          "config.json: linux.resources.cpu.quota: -5 is out of range (-1 to 9223372036854775807)");
        CHECK_PARSE_ERROR(RESOURCES("\"cpu\": {\"shares\": -1}"),
                          "config.json: linux.resources.cpu.shares: -1 is out of range (0 to 18446744073709551615)");
        CHECK_PARSE_ERROR(RESOURCES("\"cpu\": {\"idle\": 2}"),
                          "config.json: linux.resources.cpu.idle: 2 is out of range (0 to 1)");
        CHECK_PARSE_ERROR(RESOURCES("\"pids\": {}"),
                          "config.json: linux.resources.pids.limit: required when linux.resources.pids is present");
        CHECK_PARSE_ERROR(RESOURCES("\"blockIO\": {\"weight\": 65536}"),
                          "config.json: linux.resources.blockIO.weight: 65536 is out of range (0 to 65535)");
        CHECK_PARSE_ERROR(RESOURCES("\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": 8, \"rate\": 1}]}"),
                          "config.json: linux.resources.blockIO.throttleReadBpsDevice[0].minor: required");
        CHECK_PARSE_ERROR(RESOURCES("\"hugepageLimits\": [{\"pageSize\": \"2M\", \"limit\": 1}]"),
                          "config.json: linux.resources.hugepageLimits[0].pageSize: \"2M\" is not a page size such as \"2MB\"");
        CHECK_PARSE_ERROR(RESOURCES("\"hugepageLimits\": [{\"pageSize\": \"02MB\", \"limit\": 1}]"),
                          "config.json: linux.resources.hugepageLimits[0].pageSize: \"02MB\" is not a page size such as \"2MB\"");
        CHECK_PARSE_ERROR(RESOURCES("\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]"),
                          "config.json: linux.resources.devices[0].access: \"rwx\" is not a combination of r, w and m");
        CHECK_PARSE_ERROR(RESOURCES("\"devices\": [{\"allow\": true, \"type\": \"p\"}]"),
                          "config.json: linux.resources.devices[0].type: unknown device type \"p\" (expected a, b or c)");
        CHECK_PARSE_ERROR(RESOURCES("\"devices\": [{\"access\": \"r\"}]"),
                          "config.json: linux.resources.devices[0].allow: required");
        CHECK_PARSE_ERROR(RESOURCES("\"rdma\": {\"mlx5_1\": {\"hcaHandles\": -1}}"),
                          "config.json: linux.resources.rdma[\"mlx5_1\"].hcaHandles: -1 is out of range (0 to 4294967295)");
        CHECK_PARSE_ERROR(RESOURCES("\"unified\": {\"memory.max\": 5}"),
                          "config.json: linux.resources.unified[\"memory.max\"]: expected string, got integer 5");
        CHECK_PARSE_ERROR(RESOURCES("\"network\": {\"priorities\": [{\"name\": \"eth0\"}]}"),
                          "config.json: linux.resources.network.priorities[0].priority: required");
}

UNIT_TEST(standalone_resources_document)
{
        static const char doc[] = "{\"memory\": {\"limit\": 104857600, \"swap\": -1}, \"pids\": {\"limit\": 64},"
                                  " \"cpu\": {\"quota\": 20000, \"period\": 100000}}";
        struct kago_err err = { 0 };
        struct oci_linux_resources *r = NULL, *q = NULL;

        CHECK(spec_parse_resources(doc, strlen(doc), "-", &r, &err) == 0);
        CHECK(r && r->memory->limit.value == 104857600 && r->pids->limit == 64 && !r->block_io);
        char *json = r ? spec_resources_emit(r) : NULL;
        CHECK(json && spec_parse_resources(json, strlen(json), "emitted", &q, &err) == 0);
        CHECK(r && q && spec_resources_equal(r, q));
        free(json);
        spec_resources_free(r);
        spec_resources_free(q);
        r = NULL;
        CHECK(spec_parse_resources("{\"pids\": {\"limit\": \"64\"}}", 25, "resources.json", &r, &err) < 0);
        CHECK(r == NULL);
        CHECK_STR(kago_err_text(&err), "resources.json: pids.limit: expected integer, got string \"64\"");
}

UNIT_MAIN("specs_resources", UNIT(resources_full_fixture), UNIT(zero_is_not_absent),
          UNIT(memory_limits_type_and_range), UNIT(other_controllers_errors),
          UNIT(standalone_resources_document))
