/*
 * Test support: XenStore guest programs over the xen-xenstore device's
 * ring page, and the VMM that serves them (doorbell -> EVTCHNOP_send,
 * main loop on every sync exit, upcalls counted), for any vCPU.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "hw/xen/interface/io/xs_wire.h"
#include "hw/i386/kvm/xen_evtchn.h"
#include "hw/i386/kvm/xen_xenstore_test.h"
#include "xenstore-guest.h"

#define RING_REQ        (XS_GUEST_RING + 0)
#define RING_RSP        (XS_GUEST_RING + 1024)
#define RING_REQ_CONS   (XS_GUEST_RING + 2048)
#define RING_REQ_PROD   (XS_GUEST_RING + 2052)
#define RING_RSP_CONS   (XS_GUEST_RING + 2056)
#define RING_RSP_PROD   (XS_GUEST_RING + 2060)
#define RING_FEATURES   (XS_GUEST_RING + 2064)
#define RING_CONNECTION (XS_GUEST_RING + 2068)
#define RING_ERROR      (XS_GUEST_RING + 2072)
#define RING_EVTCHN     (XS_GUEST_RING + 2076)
#define RESULT(off)     (XS_GUEST_RESULT + (off))
#define SCRATCH         RESULT(XS_RESULT_SCRATCH)

/* ---- guest code ---- */

/* Write len bytes at guest address addr, a word at a time. */
static void emit_bytes(GuestCode *c, uint32_t addr, const uint8_t *p,
                       size_t len)
{
    size_t i = 0;

    for (; i + 4 <= len; i += 4) {
        guest_store32_imm(c, addr + i, p[i] | p[i + 1] << 8 |
                          p[i + 2] << 16 | (uint32_t)p[i + 3] << 24);
    }
    for (; i < len; i++) {
        guest_store8_imm(c, addr + i, p[i]);
    }
}

/* Spin (with sync exits) until [addr] != value. */
static void emit_wait_change(GuestCode *c, uint32_t addr, uint32_t value)
{
    guest_mov_imm32(c, GUEST_EBX, value);
    guest_wait_change32(c, addr, GUEST_EBX, XS_GUEST_SYNC);
}

static void emit_report(GuestCode *c, uint32_t dst, uint32_t src)
{
    guest_load32(c, GUEST_EAX, src);
    guest_store32(c, dst, GUEST_EAX);
}

/* The guest's reconnection: connection = RECONNECT, kick, wait for 0. */
static void emit_reconnect(GuestCode *c)
{
    guest_store32_imm(c, RING_CONNECTION, XENSTORE_RECONNECT);
    guest_out8(c, XS_GUEST_DOORBELL);
    emit_wait_change(c, RING_CONNECTION, XENSTORE_RECONNECT);
}

/* From a ring with all indexes 0: one XS_READ and its reply. */
static void emit_read(GuestCode *c, const char *path, uint32_t req_id)
{
    size_t plen = strlen(path) + 1;
    struct xsd_sockmsg hdr = {
        .type = XS_READ, .req_id = req_id, .tx_id = 0, .len = plen,
    };

    /* Header and payload, then the index that publishes them. */
    emit_bytes(c, RING_REQ, (const uint8_t *)&hdr, sizeof(hdr));
    emit_bytes(c, RING_REQ + sizeof(hdr), (const uint8_t *)path, plen);
    guest_store32_imm(c, RING_REQ_PROD, sizeof(hdr) + plen);
    guest_out8(c, XS_GUEST_DOORBELL);
    emit_wait_change(c, RING_RSP_PROD, 0);
    emit_report(c, RESULT(XS_RESULT_RSP_PROD), RING_RSP_PROD);
    emit_report(c, RESULT(XS_RESULT_REQ_CONS), RING_REQ_CONS);
    guest_copy(c, RESULT(XS_RESULT_REPLY), RING_RSP, XS_RESULT_REPLY_LEN);
    /* Consumed: rsp_cons = the rsp_prod the guest saw. */
    emit_report(c, RING_RSP_CONS, RESULT(XS_RESULT_RSP_PROD));
}

void xs_guest_read_program(GuestCode *c, const char *path, uint32_t req_id)
{
    guest_code_init(c, XS_GUEST_CODE_BASE);
    emit_read(c, path, req_id);
    guest_hlt(c);
}

void xs_guest_features_program(GuestCode *c)
{
    guest_code_init(c, XS_GUEST_CODE_BASE);
    emit_report(c, RESULT(XS_RESULT_FEATURES), RING_FEATURES);
    emit_report(c, RESULT(XS_RESULT_EVTCHN), RING_EVTCHN);
    guest_hlt(c);
}

/* ---- the VMM ---- */

typedef struct XsGuestVmm {
    XsGuestVcpu *v;
    XenXenstoreState *s;
    evtchn_port_t guest_port;
    unsigned int doorbells;     /* doorbell events turned into sends */
    unsigned int upcalls;       /* notifications of the guest */
    unsigned int syncs;
} XsGuestVmm;

/* The guest's doorbell: what its EVTCHNOP_send hypercall would do. */
static void vmm_doorbell(void *opaque)
{
    XsGuestVmm *m = opaque;
    struct evtchn_send send = { .port = m->guest_port };
    uint64_t count;

    g_assert_cmpint(read(m->v->doorbell_fd, &count, sizeof(count)), ==,
                    sizeof(count));
    g_assert_cmpint(xen_evtchn_send_op(&send), ==, 0);
    m->doorbells++;
}

/* Delivered to the vCPU; its handler clears the pending bit. */
static void vmm_upcall(void *opaque, evtchn_port_t port)
{
    XsGuestVmm *m = opaque;

    g_assert_cmpuint(port, ==, m->guest_port);
    m->upcalls++;
    g_assert_cmpint(xen_evtchn_clear_port_pending(port), ==, 0);
}

static void vmm_sync(void *opaque)
{
    XsGuestVmm *m = opaque;

    m->syncs++;
    main_loop_wait(true);
}

static void vmm_start(XsGuestVmm *m, XsGuestVcpu *v)
{
    XenXenstoreConfig cfg = {
        .domid = 1, .name = "guest", .memory_kib = 1024, .kvm = v->kvm,
    };

    memset(m, 0, sizeof(*m));
    m->v = v;
    g_assert_true(xen_evtchn_create(1, &error_abort));
    m->s = xen_xenstore_realize(&cfg, &error_abort);
    g_assert_true(xen_xenstore_reset(m->s, &error_abort));
    if (!v->kvm) {
        v->map_page(v->vcpu, xen_xenstore_pfn(m->s) << XEN_PAGE_SHIFT,
                    xen_xenstore_ring(m->s));
    }
    m->guest_port = xen_xenstore_guest_port(m->s);
    g_assert_cmpuint(m->guest_port, !=, 0);
    /* Start from a quiet port: count only what the guest's work causes. */
    g_assert_cmpint(xen_evtchn_clear_port_pending(m->guest_port), ==, 0);
    xen_evtchn_set_upcall(vmm_upcall, m);
    qemu_set_fd_handler(v->doorbell_fd, vmm_doorbell, NULL, m);
}

static void vmm_run(XsGuestVmm *m, GuestCode *c)
{
    XsGuestVcpu *v = m->v;
    KVMVCPUExit exit;
    int ret;

    g_assert_true(v->load(v->vcpu, c, &error_abort));
    guest_code_free(c);
    ret = v->run_until_hlt(v->vcpu, XS_GUEST_SYNC, vmm_sync, m, &exit);
    g_assert_cmpint(ret, ==, 0);
    if (exit.kind != KVM_VCPU_EXIT_HLT) {
        g_error("guest stopped with %s (reason %u detail 0x%" PRIx64 ")",
                kvm_vcpu_exit_name(exit.kind), exit.reason, exit.detail);
    }
}

static void vmm_stop(XsGuestVmm *m)
{
    qemu_set_fd_handler(m->v->doorbell_fd, NULL, NULL, NULL);
    xen_evtchn_set_upcall(NULL, NULL);
    xen_xenstore_unrealize(m->s);
    xen_evtchn_destroy();
}

static uint32_t result_word(XsGuestVcpu *v, uint32_t off)
{
    uint32_t w;

    memcpy(&w, v->ram + XS_GUEST_RESULT + off, sizeof(w));
    return w;
}

/* The guest saw exactly one reply, of this type and payload, and ate it. */
static void check_reply(XsGuestVmm *m, uint32_t type, uint32_t req_id,
                        const void *payload, uint32_t len)
{
    struct xenstore_domain_interface *xs = xen_xenstore_ring(m->s);
    const uint8_t *reply = m->v->ram + XS_GUEST_RESULT + XS_RESULT_REPLY;
    struct xsd_sockmsg hdr;

    memcpy(&hdr, reply, sizeof(hdr));
    g_assert_cmpuint(hdr.type, ==, type);
    g_assert_cmphex(hdr.req_id, ==, req_id);
    g_assert_cmpuint(hdr.tx_id, ==, 0);
    g_assert_cmpuint(hdr.len, ==, len);
    g_assert_cmpmem(reply + sizeof(hdr), len, payload, len);
    g_assert_cmpuint(result_word(m->v, XS_RESULT_RSP_PROD), ==,
                     sizeof(hdr) + len);
    g_assert_cmpuint(xs->rsp_prod, ==, sizeof(hdr) + len);
    g_assert_cmpuint(xs->rsp_cons, ==, sizeof(hdr) + len);
    /* The device was told by the doorbell and answered with an upcall. */
    g_assert_cmpuint(m->doorbells, >=, 1);
    g_assert_cmpuint(m->upcalls, >=, 1);
}

void xs_guest_test_read(XsGuestVcpu *v)
{
    XsGuestVmm m;
    GuestCode c;

    vmm_start(&m, v);
    xs_guest_read_program(&c, "domid", 0x1234);
    vmm_run(&m, &c);
    check_reply(&m, XS_READ, 0x1234, "1", 1);
    g_assert_cmpuint(result_word(v, XS_RESULT_REQ_CONS), ==,
                     sizeof(struct xsd_sockmsg) + strlen("domid") + 1);
    vmm_stop(&m);
}

void xs_guest_test_features(XsGuestVcpu *v)
{
    XsGuestVmm m;
    GuestCode c;

    vmm_start(&m, v);
    xs_guest_features_program(&c);
    vmm_run(&m, &c);
    g_assert_cmphex(result_word(v, XS_RESULT_FEATURES), ==,
                    XENSTORE_SERVER_FEATURE_RECONNECTION |
                    XENSTORE_SERVER_FEATURE_ERROR |
                    XENSTORE_SERVER_FEATURE_WATCHDEPTH);
    g_assert_cmpuint(result_word(v, XS_RESULT_FEATURES), ==, 7);
    g_assert_cmpuint(result_word(v, XS_RESULT_EVTCHN), ==, m.guest_port);
    vmm_stop(&m);
}

void xs_guest_test_reconnect(XsGuestVcpu *v)
{
    XsGuestVmm m;
    GuestCode c;

    vmm_start(&m, v);
    guest_code_init(&c, XS_GUEST_CODE_BASE);
    /*
     * Four bytes of a DIRECTORY header; wait until the device has taken
     * them.  Kept, they would turn the READ below into a DIRECTORY.
     */
    guest_store32_imm(&c, RING_REQ, XS_DIRECTORY);
    guest_store32_imm(&c, RING_REQ_PROD, 4);
    guest_out8(&c, XS_GUEST_DOORBELL);
    emit_wait_change(&c, RING_REQ_CONS, 0);
    emit_report(&c, SCRATCH, RING_REQ_CONS);
    emit_reconnect(&c);
    emit_read(&c, "name", 0x77);
    guest_hlt(&c);
    vmm_run(&m, &c);
    g_assert_cmpuint(result_word(v, XS_RESULT_SCRATCH), ==, 4);
    check_reply(&m, XS_READ, 0x77, "guest", 5);
    g_assert_cmpuint(result_word(v, XS_RESULT_REQ_CONS), ==,
                     sizeof(struct xsd_sockmsg) + strlen("name") + 1);
    vmm_stop(&m);
}

void xs_guest_test_ring_error(XsGuestVcpu *v)
{
    XsGuestVmm m;
    GuestCode c;

    vmm_start(&m, v);
    guest_code_init(&c, XS_GUEST_CODE_BASE);
    /* req_prod - req_cons = 4096: a corrupt ring. */
    guest_store32_imm(&c, RING_REQ_PROD, 4096);
    guest_out8(&c, XS_GUEST_DOORBELL);
    emit_wait_change(&c, RING_ERROR, XENSTORE_ERROR_NONE);
    emit_report(&c, RESULT(XS_RESULT_ERROR), RING_ERROR);
    emit_reconnect(&c);
    emit_read(&c, "domid", 0x99);
    emit_report(&c, SCRATCH, RING_ERROR);
    guest_hlt(&c);
    vmm_run(&m, &c);
    g_assert_cmpuint(result_word(v, XS_RESULT_ERROR), ==,
                     XENSTORE_ERROR_RINGIDX);
    check_reply(&m, XS_READ, 0x99, "1", 1);
    g_assert_cmpuint(result_word(v, XS_RESULT_SCRATCH), ==,
                     XENSTORE_ERROR_NONE);
    vmm_stop(&m);
}

const XsGuestTest xs_guest_tests[] = {
    { "read", xs_guest_test_read },
    { "server-features", xs_guest_test_features },
    { "reconnect", xs_guest_test_reconnect },
    { "ring-error", xs_guest_test_ring_error },
};
const size_t xs_guest_nr_tests = G_N_ELEMENTS(xs_guest_tests);
