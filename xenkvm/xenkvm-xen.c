/*
 * The Xen interface of the qemu-xenkvm machine: the hypercall
 * dispatcher's operations on this VM, event delivery through KVM (the
 * guest's pending and mask bits live in its shared_info page, which
 * KVM's Xen support writes), the grant table frames, and the
 * xen-xenstore device with its HVM parameters.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <errno.h>
#include "machine-int.h"
#include "sysemu/kvm-xen.h"
#include "hw/i386/kvm/xen_evtchn.h"
#include "hw/xen/interface/hvm.h"
#include "hw/xen/interface/sched.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xen_gnttab_backend.h"

/* Guest memory for the dispatcher: RAM only. */
static void *xk_translate(void *opaque, uint64_t gpa, uint64_t len)
{
    XenKVMMachine *m = opaque;

    if (gpa > m->cfg.ram_size || len > m->cfg.ram_size - gpa) {
        return NULL;
    }
    return m->ram + gpa;
}

/* A hypercall argument: contiguous in guest-physical memory. */
static void *xk_translate_arg(void *opaque, uint32_t vcpu, uint64_t va,
                              uint64_t len)
{
    XenKVMMachine *m = opaque;
    uint64_t first, last;

    if (!len || vcpu != 0 || !kvm_vcpu_translate(m->cpu, va, &first) ||
        !kvm_vcpu_translate(m->cpu, va + len - 1, &last) ||
        last - first != len - 1) {
        return NULL;
    }
    return xk_translate(m, first, len);
}

static int xk_map_shared_info(void *opaque, uint64_t gfn)
{
    XenKVMMachine *m = opaque;
    g_autoptr(Error) err = NULL;

    /* vcpu_info[0] lives at the start of shared_info until moved. */
    if (!kvm_xen_set_shared_info(m->kvm, gfn, &err) ||
        !kvm_xen_vcpu_set_info(m->cpu, gfn << XEN_PAGE_SHIFT, &err)) {
        return -EINVAL;
    }
    m->shinfo_gfn = gfn;
    return 0;
}

static int xk_map_grant_frame(void *opaque, uint32_t idx, uint64_t gfn)
{
    XenKVMMachine *m = opaque;
    g_autoptr(Error) err = NULL;
    uint64_t gpa = gfn << XEN_PAGE_SHIFT;

    /* A page over RAM would need the RAM slot split: not offered. */
    if (gpa < m->cfg.ram_size) {
        return -EINVAL;
    }
    return xen_gnttab_map_frame(m->gt, idx, gpa, &err) ? 0 : -EINVAL;
}

static int xk_register_vcpu_info(void *opaque, uint32_t vcpu, uint64_t gpa)
{
    XenKVMMachine *m = opaque;
    g_autoptr(Error) err = NULL;

    if (vcpu != 0 || !kvm_xen_vcpu_set_info(m->cpu, gpa, &err)) {
        return -EINVAL;
    }
    return 0;
}

static int xk_set_upcall_vector(void *opaque, uint32_t vcpu, uint8_t vec)
{
    XenKVMMachine *m = opaque;
    g_autoptr(Error) err = NULL;

    if (vcpu != 0 ||
        !kvm_xen_vcpu_set_upcall_vector(m->cpu, vec, &err)) {
        return -EINVAL;
    }
    return 0;
}

/*
 * The global callback vector is not EOI'd by the guest and plain KVM
 * cannot inject it with an in-kernel LAPIC: the guest is offered the
 * per-vCPU vector (CPUID) and uses that; this one is refused.
 */
static int xk_set_callback_vector(void *opaque, uint8_t vector)
{
    return vector ? -ENOSYS : 0;
}

static int xk_set_long_mode(void *opaque)
{
    XenKVMMachine *m = opaque;
    g_autoptr(Error) err = NULL;

    return kvm_xen_set_long_mode(m->kvm, true, &err) ? 0 : -EINVAL;
}

static int xk_shutdown(void *opaque, uint32_t reason)
{
    XenKVMMachine *m = opaque;

    switch (reason) {
    case SHUTDOWN_poweroff:
        xk_request_stop(m, XK_POWEROFF, "the guest powered off");
        break;
    case SHUTDOWN_reboot:
        xk_request_stop(m, XK_REBOOT, "the guest rebooted");
        break;
    default:
        xk_request_stop(m, XK_CRASH, "the guest crashed");
        break;
    }
    return 0;
}

static const XenHcallOps xk_hcall_ops = {
    .map_shared_info = xk_map_shared_info,
    .map_grant_frame = xk_map_grant_frame,
    .register_vcpu_info = xk_register_vcpu_info,
    .set_upcall_vector = xk_set_upcall_vector,
    .set_callback_vector = xk_set_callback_vector,
    .set_long_mode = xk_set_long_mode,
    .shutdown = xk_shutdown,
};

uint64_t xk_xen_hypercall(XenKVMMachine *m, const KVMXenHcall *hc)
{
    XenHcall call = {
        .input = hc->input, .longmode = hc->longmode, .cpl = hc->cpl,
    };

    memcpy(call.params, hc->params, sizeof(call.params));
    return (uint64_t)xen_hcall_dispatch(m->xh, 0, &call);
}

/* An event for a guest port: KVM sets the bit and injects the vector. */
static void xk_evtchn_raise(void *opaque, evtchn_port_t port)
{
    XenKVMMachine *m = opaque;
    g_autoptr(Error) err = NULL;

    /* Before the guest mapped shared_info there is nowhere to put it. */
    if (m->shinfo_gfn != UINT64_MAX) {
        kvm_xen_evtchn_send(m->kvm, port, 0, &err);
    }
}

/*
 * EVTCHNOP_unmask: the guest found the port pending while unmasking it
 * (Linux calls it only then on HVM).  Clear the mask; a pending event is
 * delivered again by clearing and re-raising its bit, which also sets
 * the selector and upcall flag in vcpu_info.  The only vCPU is in this
 * hypercall, and other senders hold the lock: no one races the two steps.
 */
static void xk_evtchn_unmask(void *opaque, evtchn_port_t port)
{
    XenKVMMachine *m = opaque;
    uint64_t *pending, *mask, bit = 1ULL << (port % 64);
    uint8_t *shinfo;

    if (m->shinfo_gfn == UINT64_MAX ||
        !(shinfo = xk_translate(m, m->shinfo_gfn << XEN_PAGE_SHIFT,
                                XEN_PAGE_SIZE))) {
        return;
    }
    pending = (uint64_t *)(shinfo + XEN_SHINFO_EVTCHN_PENDING) + port / 64;
    mask = (uint64_t *)(shinfo + XEN_SHINFO_EVTCHN_MASK) + port / 64;
    __atomic_fetch_and(mask, ~bit, __ATOMIC_SEQ_CST);
    if (__atomic_fetch_and(pending, ~bit, __ATOMIC_SEQ_CST) & bit) {
        xk_evtchn_raise(m, port);
    }
}

bool xk_xen_init(XenKVMMachine *m, Error **errp)
{
    XenHcallConfig hc = {
        .domid = m->cfg.domid, .xen_version = m->cfg.xen_version,
        .nr_vcpus = 1, .gnttab_frames = XEN_GNTTAB_NR_FRAMES,
        /* Grant frames go in the PCI window above RAM: all of 4 GiB. */
        .max_gfn = 1ULL << (32 - XEN_PAGE_SHIFT),
        .mem = {
            .translate = xk_translate, .translate_arg = xk_translate_arg,
            .opaque = m,
        },
        .ops = &xk_hcall_ops, .opaque = m,
    };
    XenXenstoreConfig xc = {
        .domid = m->cfg.domid, .name = m->cfg.name,
        .memory_kib = m->cfg.ram_size >> 10, .kvm = m->kvm,
    };

    m->shinfo_gfn = UINT64_MAX;
    if (!xen_evtchn_create(m->cfg.domid, errp)) {
        return false;
    }
    xen_evtchn_set_guest_delivery(xk_evtchn_raise, xk_evtchn_unmask, m);
    m->xh = xen_hcall_new(&hc, errp);
    m->gt = m->xh ? xen_gnttab_new(m->kvm, errp) : NULL;
    m->xs = m->gt ? xen_xenstore_realize(&xc, errp) : NULL;
    if (!m->xs) {
        return false;
    }
    /* PV backends map the guest's grants through this table. */
    xen_gnttab_set_backend(m->gt, xk_translate, m);
    /* The live store, for Xen's tools on the host: qemu-xenstored's code. */
    if (m->cfg.xenstore_socket) {
        m->xs_server = xs_socket_server_new(xen_xenstore_impl(m->xs),
                                            m->cfg.xenstore_socket, errp);
        if (!m->xs_server) {
            error_prepend(errp, "-xenstore-socket: ");
            return false;
        }
    }
    return true;
}

/*
 * Boot or reboot: the guest's Xen state goes (shared_info, vCPU info,
 * upcall vector, ports, grant frames) and the store device reconnects
 * with a fresh ring and port, published in the HVM parameters.
 */
bool xk_xen_reset(XenKVMMachine *m, Error **errp)
{
    g_autoptr(Error) ignored = NULL;

    if (m->shinfo_gfn != UINT64_MAX) {
        kvm_xen_clear_shared_info(m->kvm, &ignored);
        kvm_xen_vcpu_set_info(m->cpu, UINT64_MAX, &ignored);
        kvm_xen_vcpu_set_upcall_vector(m->cpu, 0, &ignored);
    }
    m->shinfo_gfn = UINT64_MAX;
    xen_hcall_reset(m->xh);
    xen_gnttab_reset(m->gt);
    xen_evtchn_reset();
    if (!xen_xenstore_reset(m->xs, errp)) {
        return false;
    }
    xen_hcall_set_param(m->xh, HVM_PARAM_STORE_PFN,
                        xen_xenstore_pfn(m->xs));
    xen_hcall_set_param(m->xh, HVM_PARAM_STORE_EVTCHN,
                        xen_xenstore_guest_port(m->xs));
    return true;
}

void xk_xen_fini(XenKVMMachine *m)
{
    xs_socket_server_free(m->xs_server);
    xen_gnttab_set_backend(NULL, NULL, NULL);
    if (m->xs) {
        xen_xenstore_unrealize(m->xs);
    }
    xen_gnttab_free(m->gt);
    xen_hcall_free(m->xh);
    xen_evtchn_destroy();
}
