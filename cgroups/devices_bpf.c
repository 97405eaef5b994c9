/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The device allow-list as an eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE).
 *
 * The kernel calls it with struct bpf_cgroup_dev_ctx: access_type =
 * (access << 16) | type, major, minor; it returns 1 to allow, 0 to deny.
 * Rules are checked newest first, so the last matching rule wins, as in the
 * OCI devices list. An allow rule matches when it grants every requested
 * access, a deny rule when it denies any of them. kago always starts the
 * list with "deny all", so the program ends at that rule.
 */
#include <linux/bpf.h>
#include <string.h>

#include "internal.h"

/* Registers: r1 = ctx, r2 = type, r3 = access, r4 = major, r5 = minor. */
enum { R0, R1, R2, R3, R4, R5 };

#define ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)
#define MAX_RULE_INSNS 8

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
        return (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
}

static struct bpf_insn ld_u32(uint8_t dst, int16_t off)
{
        return insn(BPF_LDX | BPF_MEM | BPF_W, dst, R1, off, 0);
}

static struct bpf_insn alu32_imm(uint8_t op, uint8_t dst, int32_t imm)
{
        return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}

static struct bpf_insn mov32_reg(uint8_t dst, uint8_t src)
{
        return insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0);
}

/* A forward jump whose offset is patched when the rule's length is known. */
static struct bpf_insn jmp_imm(uint8_t op, uint8_t dst, int32_t imm)
{
        return insn(BPF_JMP | op | BPF_K, dst, 0, 0, imm);
}

static struct bpf_insn mov64_imm(uint8_t dst, int32_t imm)
{
        return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}

static struct bpf_insn exit_insn(void)
{
        return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static int access_bits(const char *access)
{
        int bits = 0;

        for (const char *c = access; *c; c++)
                bits |= *c == 'r' ? BPF_DEVCG_ACC_READ : *c == 'w' ? BPF_DEVCG_ACC_WRITE
                      : *c == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
        return bits ? bits : ACC_ALL;
}

static bool rule_matches_all(const struct cgroup_device_rule *r)
{
        return r->type == 'a' && r->major < 0 && r->minor < 0 && access_bits(r->access) == ACC_ALL;
}

/* One rule's block into out (at most MAX_RULE_INSNS); returns its length.
 * Every conditional jump skips to the end of the block. */
static size_t emit_rule(const struct cgroup_device_rule *r, struct bpf_insn *out)
{
        size_t n = 0;
        int acc = access_bits(r->access);

        if (r->type != 'a')
                out[n++] = jmp_imm(BPF_JNE, R2, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
        if (acc != ACC_ALL) {
                out[n++] = mov32_reg(R1, R3);
                if (r->allow) {
                        out[n++] = alu32_imm(BPF_AND, R1, ~acc & ACC_ALL);
                        out[n++] = jmp_imm(BPF_JNE, R1, 0);
                } else {
                        out[n++] = alu32_imm(BPF_AND, R1, acc);
                        out[n++] = jmp_imm(BPF_JEQ, R1, 0);
                }
        }
        if (r->major >= 0)
                out[n++] = jmp_imm(BPF_JNE, R4, (int32_t)r->major);
        if (r->minor >= 0)
                out[n++] = jmp_imm(BPF_JNE, R5, (int32_t)r->minor);
        out[n++] = mov64_imm(R0, r->allow ? 1 : 0);
        out[n++] = exit_insn();
        for (size_t i = 0; i < n; i++)
                if (BPF_CLASS(out[i].code) == BPF_JMP && BPF_OP(out[i].code) != BPF_EXIT)
                        out[i].off = (int16_t)(n - i - 1);
        return n;
}

int cg_device_rule_check(const struct cgroup_device_rule *r, size_t index, struct kago_err *err)
{
        if (r->type != 'a' && r->type != 'b' && r->type != 'c')
                return kago_err_set(err, "linux.resources.devices[%zu].type: \"%c\" is not a, b or c",
                                    index, r->type);
        if (r->major < -1 || r->major > UINT32_MAX / 2)
                return kago_err_set(err, "linux.resources.devices[%zu].major: %lld out of range",
                                    index, (long long)r->major);
        if (r->minor < -1 || r->minor > UINT32_MAX / 2)
                return kago_err_set(err, "linux.resources.devices[%zu].minor: %lld out of range",
                                    index, (long long)r->minor);
        if (strspn(r->access, "rwm") != strlen(r->access))
                return kago_err_set(err, "linux.resources.devices[%zu].access: \"%s\" is not a subset "
                                         "of \"rwm\"", index, r->access);
        return 0;
}

int cg_devices_program(const struct cgroup_device_rule *rules, size_t n, struct bpf_insn **insns,
                       size_t *n_insns, struct kago_err *err)
{
        _cleanup_free_ struct bpf_insn *p = xcalloc(6 + (n + 1) * MAX_RULE_INSNS, sizeof *p);
        size_t len = 0;
        bool ended = false;

        for (size_t i = 0; i < n; i++)
                if (cg_device_rule_check(&rules[i], i, err) < 0)
                        return -1;
        p[len++] = ld_u32(R2, 0);
        p[len++] = alu32_imm(BPF_AND, R2, 0xffff);
        p[len++] = ld_u32(R3, 0);
        p[len++] = alu32_imm(BPF_RSH, R3, 16);
        p[len++] = ld_u32(R4, 4);
        p[len++] = ld_u32(R5, 8);
        /* Newest rule first; a rule matching everything ends the program
         * (the verifier refuses unreachable instructions after it). */
        for (size_t i = n; i-- > 0 && !ended;) {
                len += emit_rule(&rules[i], p + len);
                ended = rule_matches_all(&rules[i]);
        }
        if (!ended) {
                p[len++] = mov64_imm(R0, 0);
                p[len++] = exit_insn();
        }
        *insns = TAKE_PTR(p);
        *n_insns = len;
        return 0;
}

/* Always allowed, as every OCI runtime does: mknod of any node (the runtime
 * creates /dev), and the standard character devices. */
static const struct cgroup_device_rule standard_devices[] = {
        { true, 'c', -1, -1, "m" },  { true, 'b', -1, -1, "m" },
        { true, 'c', 1, 3, "rwm" },  /* null */
        { true, 'c', 1, 5, "rwm" },  /* zero */
        { true, 'c', 1, 7, "rwm" },  /* full */
        { true, 'c', 1, 8, "rwm" },  /* random */
        { true, 'c', 1, 9, "rwm" },  /* urandom */
        { true, 'c', 5, 0, "rwm" },  /* tty */
        { true, 'c', 5, 1, "rwm" },  /* console */
        { true, 'c', 5, 2, "rwm" },  /* ptmx */
        { true, 'c', 136, -1, "rwm" }, /* pts */
};

void cg_devices_rules(const struct cg_plan *p, const struct cgroup_device_rule *extra,
                      size_t n_extra, struct cgroup_device_rule **out, size_t *n)
{
        size_t total = 1 + p->n_dev + ARRAY_SIZE(standard_devices) + n_extra, k = 0;
        struct cgroup_device_rule *r = xcalloc(total, sizeof *r);

        r[k++] = (struct cgroup_device_rule){ false, 'a', -1, -1, "rwm" };
        for (size_t i = 0; i < p->n_dev; i++)
                r[k++] = p->dev[i];
        for (size_t i = 0; i < ARRAY_SIZE(standard_devices); i++)
                r[k++] = standard_devices[i];
        for (size_t i = 0; i < n_extra; i++)
                r[k++] = extra[i];
        *out = r;
        *n = k;
}
