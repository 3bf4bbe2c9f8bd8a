/*
 * The guest's Xen hypercalls: one table row per hypercall, one per
 * sub-op, each handler checking a copy of its argument before acting.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/interface/event_channel.h"
#include "hw/xen/interface/grant_table.h"
#include "hw/xen/interface/hvm.h"
#include "hw/xen/interface/memory.h"
#include "hw/xen/interface/sched.h"
#include "hw/xen/interface/vcpu.h"
#include "hw/xen/interface/version.h"
#include "hw/i386/kvm/xen_evtchn.h"
#include "hw/i386/kvm/xen_hypercalls.h"
#include "trace.h"

/* The guest gets Xen's errno values, which are the host's here. */
QEMU_BUILD_BUG_ON(EPERM != 1 || ENOENT != 2 || ESRCH != 3);
QEMU_BUILD_BUG_ON(EFAULT != 14 || EEXIST != 17 || EINVAL != 22);
QEMU_BUILD_BUG_ON(ENOSPC != 28 || ENOSYS != 38);

/* The argument structs as a 64-bit guest lays them out. */
QEMU_BUILD_BUG_ON(sizeof(struct xen_add_to_physmap) != 24);
QEMU_BUILD_BUG_ON(sizeof(struct xen_hvm_param) != 16);
QEMU_BUILD_BUG_ON(sizeof(struct xen_hvm_evtchn_upcall_vector) != 8);
QEMU_BUILD_BUG_ON(sizeof(struct vcpu_register_vcpu_info) != 16);
QEMU_BUILD_BUG_ON(sizeof(struct evtchn_status) != 24);
QEMU_BUILD_BUG_ON(sizeof(struct evtchn_bind_interdomain) != 12);
QEMU_BUILD_BUG_ON(sizeof(struct gnttab_query_size) != 16);

/* Vectors below this are exceptions, never an upcall. */
#define MIN_VECTOR 0x10

/* Features of XENVER_get_features submap 0: no pvclock, no PIRQs. */
#define FEATURES_0 (1U << XENFEAT_writable_page_tables | \
                    1U << XENFEAT_writable_descriptor_tables | \
                    1U << XENFEAT_auto_translated_physmap | \
                    1U << XENFEAT_hvm_callback_vector)

typedef struct XenHcallVcpu {
    uint64_t vcpu_info_gpa;     /* XEN_HCALL_NO_GPA: not registered */
    uint8_t upcall_vector;      /* 0: none */
} XenHcallVcpu;

struct XenHypercalls {
    XenHcallConfig cfg;
    bool long_mode_set;
    uint64_t params[HVM_NR_PARAMS];
    XenHcallVcpu vcpus[XEN_HCALL_MAX_VCPUS];
};

/* One call in progress. */
typedef struct XenHcallCtx {
    XenHypercalls *xh;
    uint32_t vcpu;
    const XenHcall *call;
} XenHcallCtx;

typedef int64_t XenSubOpFn(XenHcallCtx *c, void *arg);

/* When the argument is copied back to the guest. */
typedef enum XenArgOut {
    ARG_IN,                     /* never */
    ARG_OUT_OK,                 /* when the handler returns >= 0 */
    ARG_OUT_ALWAYS,             /* whatever it returns */
} XenArgOut;

/* A sub-op: fn NULL means known and left out (-ENOSYS). */
typedef struct XenSubOp {
    uint32_t cmd;
    const char *name;
    size_t arg_size;
    XenArgOut out;
    XenSubOpFn *fn;
} XenSubOp;

/* A hypercall: the sub-op is params[0], its argument params[arg]. */
typedef struct XenHcallRow {
    uint32_t nr;
    const char *name;
    unsigned arg;
    bool count_one;             /* params[2] is a count that must be 1 */
    const XenSubOp *ops;
    size_t nr_ops;
} XenHcallRow;

#define ARG_BUF_SIZE 64

/* Helpers for the handlers */

static bool is_ram(XenHypercalls *xh, uint64_t gpa, uint64_t len)
{
    return xh->cfg.mem.translate(xh->cfg.mem.opaque, gpa, len) != NULL;
}

static bool gfn_is_ram(XenHypercalls *xh, uint64_t gfn)
{
    return gfn < xh->cfg.max_gfn &&
           is_ram(xh, gfn << XEN_PAGE_SHIFT, XEN_PAGE_SIZE);
}

/* The guest names itself as DOMID_SELF or its domid; dom0 is not its. */
static int check_own_dom(XenHypercalls *xh, domid_t dom)
{
    if (dom == DOMID_SELF || dom == xh->cfg.domid) {
        return 0;
    }
    return dom == DOMID_QEMU ? -EPERM : -ESRCH;
}

#define OPS(xh) ((xh)->cfg.ops)
#define CALL_OP(xh, fn, ...) \
    (OPS(xh)->fn ? OPS(xh)->fn((xh)->cfg.opaque, __VA_ARGS__) : -ENOSYS)

/* xen_version */

static int64_t xenver_version(XenHcallCtx *c, void *arg)
{
    return c->xh->cfg.xen_version;
}

static int64_t xenver_get_features(XenHcallCtx *c, void *arg)
{
    struct xen_feature_info *fi = arg;

    if (fi->submap_idx >= XENFEAT_NR_SUBMAPS) {
        return -EINVAL;
    }
    fi->submap = FEATURES_0;
    return 0;
}

/* memory_op */

static int64_t xenmem_add_to_physmap(XenHcallCtx *c, void *arg)
{
    struct xen_add_to_physmap *xatp = arg;
    XenHypercalls *xh = c->xh;
    int err = check_own_dom(xh, xatp->domid);

    if (err) {
        return err;
    }
    if (xatp->gpfn >= xh->cfg.max_gfn) {
        return -EINVAL;
    }
    switch (xatp->space) {
    case XENMAPSPACE_shared_info:
        if (xatp->idx || !gfn_is_ram(xh, xatp->gpfn)) {
            return -EINVAL;
        }
        return CALL_OP(xh, map_shared_info, xatp->gpfn);
    case XENMAPSPACE_grant_table:
        /* v1 has no status frames. */
        if (xatp->idx >= xh->cfg.gnttab_frames) {
            return -EINVAL;
        }
        return CALL_OP(xh, map_grant_frame, xatp->idx, xatp->gpfn);
    default:
        trace_xen_hcall_unimplemented("add_to_physmap space", xatp->space);
        return -ENOSYS;
    }
}

/* hvm_op */

static bool any_upcall_vector(XenHypercalls *xh)
{
    for (uint32_t i = 0; i < xh->cfg.nr_vcpus; i++) {
        if (xh->vcpus[i].upcall_vector) {
            return true;
        }
    }
    return false;
}

/*
 * HVM_PARAM_CALLBACK_IRQ.  Only vector callbacks can be delivered; GSI 1
 * while a per-vCPU vector is set is Linux saying "no legacy callback"
 * (it needs set_param to succeed), so it is recorded and ignored.
 */
static int set_callback_irq(XenHypercalls *xh, uint64_t value)
{
    uint64_t type = value >> HVM_PARAM_CALLBACK_IRQ_TYPE_SHIFT;
    uint64_t via = value & ((1ULL << HVM_PARAM_CALLBACK_IRQ_TYPE_SHIFT) - 1);
    int err;

    if (value == 0) {
        err = CALL_OP(xh, set_callback_vector, 0);
    } else if (type == HVM_PARAM_CALLBACK_TYPE_GSI && via == 1 &&
               any_upcall_vector(xh)) {
        err = 0;
    } else if (type == HVM_PARAM_CALLBACK_TYPE_VECTOR &&
               via >= MIN_VECTOR && via <= UINT8_MAX) {
        err = CALL_OP(xh, set_callback_vector, via);
    } else {
        err = -EINVAL;
    }
    trace_xen_hcall_callback_irq(value, err);
    if (!err) {
        xh->params[HVM_PARAM_CALLBACK_IRQ] = value;
    }
    return err;
}

/* A parameter of the guest's own domain that exists: 0, or the error. */
static int check_param(XenHcallCtx *c, const struct xen_hvm_param *hp)
{
    int err = check_own_dom(c->xh, hp->domid);

    if (err) {
        return err;
    }
    return hp->index < HVM_NR_PARAMS ? 0 : -EINVAL;
}

static int64_t hvmop_set_param(XenHcallCtx *c, void *arg)
{
    struct xen_hvm_param *hp = arg;
    int err = check_param(c, hp);

    if (err) {
        return err;
    }
    /* The rest belong to the toolstack, i.e. the machine. */
    if (hp->index != HVM_PARAM_CALLBACK_IRQ) {
        return -EPERM;
    }
    return set_callback_irq(c->xh, hp->value);
}

static int64_t hvmop_get_param(XenHcallCtx *c, void *arg)
{
    struct xen_hvm_param *hp = arg;
    int err = check_param(c, hp);

    if (err) {
        return err;
    }
    hp->value = c->xh->params[hp->index];
    return 0;
}

static int64_t hvmop_set_upcall_vector(XenHcallCtx *c, void *arg)
{
    struct xen_hvm_evtchn_upcall_vector *uv = arg;
    XenHypercalls *xh = c->xh;
    int err;

    if (uv->vcpu >= xh->cfg.nr_vcpus) {
        return -ENOENT;
    }
    if (uv->vector < MIN_VECTOR) {
        return -EINVAL;
    }
    err = CALL_OP(xh, set_upcall_vector, uv->vcpu, uv->vector);
    if (!err) {
        xh->vcpus[uv->vcpu].upcall_vector = uv->vector;
    }
    return err;
}

/* vcpu_op(cmd, vcpuid, arg) */

static int64_t vcpuop_register_vcpu_info(XenHcallCtx *c, void *arg)
{
    struct vcpu_register_vcpu_info *ri = arg;
    XenHypercalls *xh = c->xh;
    uint64_t target = c->call->params[1];
    uint64_t gpa;
    int err;

    if (target >= xh->cfg.nr_vcpus) {
        return -ENOENT;
    }
    if (ri->rsvd || ri->offset > XEN_PAGE_SIZE - XEN_VCPU_INFO_SIZE ||
        !gfn_is_ram(xh, ri->mfn)) {
        return -EINVAL;
    }
    if (xh->vcpus[target].vcpu_info_gpa != XEN_HCALL_NO_GPA) {
        return -EINVAL;
    }
    gpa = (ri->mfn << XEN_PAGE_SHIFT) + ri->offset;
    err = CALL_OP(xh, register_vcpu_info, target, gpa);
    if (!err) {
        xh->vcpus[target].vcpu_info_gpa = gpa;
    }
    return err;
}

/* event_channel_op: the port table is xen_evtchn's. */

/* Each sub-op hands the copied argument to the port table's own call. */
#define EVTCHNOP_FORWARD(name)                                          \
    static int64_t evtchnop_##name(XenHcallCtx *c, void *arg)           \
    {                                                                   \
        return xen_evtchn_##name##_op(arg);                             \
    }

EVTCHNOP_FORWARD(bind_interdomain)
EVTCHNOP_FORWARD(bind_virq)
EVTCHNOP_FORWARD(close)
EVTCHNOP_FORWARD(send)
EVTCHNOP_FORWARD(status)
EVTCHNOP_FORWARD(alloc_unbound)
EVTCHNOP_FORWARD(bind_ipi)
EVTCHNOP_FORWARD(bind_vcpu)
EVTCHNOP_FORWARD(unmask)

/* grant_table_op(cmd, uop, count) */

static int64_t gnttabop_query_size(XenHcallCtx *c, void *arg)
{
    struct gnttab_query_size *qs = arg;
    XenHypercalls *xh = c->xh;

    /* A bad domain is reported in the struct, the call succeeds. */
    if (check_own_dom(xh, qs->dom)) {
        qs->status = GNTST_bad_domain;
        return 0;
    }
    qs->nr_frames = xh->cfg.gnttab_frames;
    qs->max_nr_frames = xh->cfg.gnttab_frames;
    qs->status = GNTST_okay;
    return 0;
}

static int64_t gnttabop_set_version(XenHcallCtx *c, void *arg)
{
    struct gnttab_set_version *sv = arg;
    uint32_t asked = sv->version;

    /* The version in use goes back whatever happens. */
    sv->version = 1;
    if (asked == 1) {
        return 0;
    }
    /* v2: as a Xen that has it disabled. */
    return asked == 2 ? -ENOSYS : -EINVAL;
}

/* sched_op */

static int64_t schedop_shutdown(XenHcallCtx *c, void *arg)
{
    struct sched_shutdown *ss = arg;

    switch (ss->reason) {
    case SHUTDOWN_poweroff:
    case SHUTDOWN_reboot:
    case SHUTDOWN_crash:
        return CALL_OP(c->xh, shutdown, ss->reason);
    case SHUTDOWN_suspend:
    case SHUTDOWN_watchdog:
    case SHUTDOWN_soft_reset:
        trace_xen_hcall_unimplemented("shutdown reason", ss->reason);
        return -ENOSYS;
    default:
        return -EINVAL;
    }
}

/* The tables */

#define SUBOP(cmd, argtype, out, fn) \
    { cmd, #cmd, sizeof(argtype), out, fn }
#define SUBOP_NOARG(cmd, fn)    { cmd, #cmd, 0, ARG_IN, fn }
#define SUBOP_LEFT_OUT(cmd)     { cmd, #cmd, 0, ARG_IN, NULL }

static const XenSubOp xen_version_ops[] = {
    SUBOP_NOARG(XENVER_version, xenver_version),
    SUBOP(XENVER_get_features, struct xen_feature_info, ARG_OUT_OK,
          xenver_get_features),
};

static const XenSubOp memory_ops[] = {
    SUBOP(XENMEM_add_to_physmap, struct xen_add_to_physmap, ARG_IN,
          xenmem_add_to_physmap),
};

static const XenSubOp hvm_ops[] = {
    SUBOP(HVMOP_set_param, struct xen_hvm_param, ARG_IN, hvmop_set_param),
    SUBOP(HVMOP_get_param, struct xen_hvm_param, ARG_OUT_OK,
          hvmop_get_param),
    SUBOP_LEFT_OUT(HVMOP_pagetable_dying),
    SUBOP(HVMOP_set_evtchn_upcall_vector,
          struct xen_hvm_evtchn_upcall_vector, ARG_IN,
          hvmop_set_upcall_vector),
};

static const XenSubOp vcpu_ops[] = {
    SUBOP(VCPUOP_register_vcpu_info, struct vcpu_register_vcpu_info,
          ARG_IN, vcpuop_register_vcpu_info),
};

static const XenSubOp evtchn_ops[] = {
    SUBOP(EVTCHNOP_bind_interdomain, struct evtchn_bind_interdomain,
          ARG_OUT_OK, evtchnop_bind_interdomain),
    SUBOP(EVTCHNOP_bind_virq, struct evtchn_bind_virq, ARG_OUT_OK,
          evtchnop_bind_virq),
    SUBOP(EVTCHNOP_close, struct evtchn_close, ARG_IN, evtchnop_close),
    SUBOP(EVTCHNOP_send, struct evtchn_send, ARG_IN, evtchnop_send),
    SUBOP(EVTCHNOP_status, struct evtchn_status, ARG_OUT_OK,
          evtchnop_status),
    SUBOP(EVTCHNOP_alloc_unbound, struct evtchn_alloc_unbound, ARG_OUT_OK,
          evtchnop_alloc_unbound),
    SUBOP(EVTCHNOP_bind_ipi, struct evtchn_bind_ipi, ARG_OUT_OK,
          evtchnop_bind_ipi),
    SUBOP(EVTCHNOP_bind_vcpu, struct evtchn_bind_vcpu, ARG_IN,
          evtchnop_bind_vcpu),
    SUBOP(EVTCHNOP_unmask, struct evtchn_unmask, ARG_IN, evtchnop_unmask),
    /* No FIFO ABI: the guest falls back to 2-level. */
    SUBOP_LEFT_OUT(EVTCHNOP_init_control),
};

static const XenSubOp gnttab_ops[] = {
    SUBOP(GNTTABOP_query_size, struct gnttab_query_size, ARG_OUT_OK,
          gnttabop_query_size),
    SUBOP(GNTTABOP_set_version, struct gnttab_set_version, ARG_OUT_ALWAYS,
          gnttabop_set_version),
};

static const XenSubOp sched_ops[] = {
    SUBOP(SCHEDOP_shutdown, struct sched_shutdown, ARG_IN,
          schedop_shutdown),
};

#define HCALL(nr, arg, count_one, ops) \
    { nr, #nr + sizeof("__HYPERVISOR_") - 1, arg, count_one, ops, \
      ARRAY_SIZE(ops) }

static const XenHcallRow hcalls[] = {
    HCALL(__HYPERVISOR_memory_op, 1, false, memory_ops),
    HCALL(__HYPERVISOR_xen_version, 1, false, xen_version_ops),
    HCALL(__HYPERVISOR_grant_table_op, 1, true, gnttab_ops),
    HCALL(__HYPERVISOR_vcpu_op, 2, false, vcpu_ops),
    HCALL(__HYPERVISOR_sched_op, 1, false, sched_ops),
    HCALL(__HYPERVISOR_event_channel_op, 1, false, evtchn_ops),
    HCALL(__HYPERVISOR_hvm_op, 1, false, hvm_ops),
};

/* The dispatcher */

static const XenHcallRow *find_hcall(uint64_t nr)
{
    for (size_t i = 0; i < ARRAY_SIZE(hcalls); i++) {
        if (hcalls[i].nr == nr) {
            return &hcalls[i];
        }
    }
    return NULL;
}

static const XenSubOp *find_subop(const XenHcallRow *row, uint64_t cmd)
{
    for (size_t i = 0; i < row->nr_ops; i++) {
        if (row->ops[i].cmd == cmd) {
            return &row->ops[i];
        }
    }
    return NULL;
}

static int64_t run_subop(XenHcallCtx *c, const XenHcallRow *row,
                         const XenSubOp *op)
{
    uint64_t buf[ARG_BUF_SIZE / sizeof(uint64_t)] = { 0 };
    uint64_t gpa = c->call->params[row->arg];
    void *host = NULL;
    int64_t ret;

    g_assert(op->arg_size <= sizeof(buf));
    if (row->count_one && c->call->params[2] != 1) {
        return -EINVAL;
    }
    if (op->arg_size) {
        const XenGuestMem *mem = &c->xh->cfg.mem;

        host = mem->translate_arg ?
               mem->translate_arg(mem->opaque, c->vcpu, gpa, op->arg_size) :
               mem->translate(mem->opaque, gpa, op->arg_size);
        if (!host) {
            return -EFAULT;
        }
        /* One copy: the guest may change its memory meanwhile. */
        memcpy(buf, host, op->arg_size);
    }
    ret = op->fn(c, buf);
    if (host && (op->out == ARG_OUT_ALWAYS ||
                 (op->out == ARG_OUT_OK && ret >= 0))) {
        memcpy(host, buf, op->arg_size);
    }
    return ret;
}

int64_t xen_hcall_dispatch(XenHypercalls *xh, uint32_t vcpu,
                           const XenHcall *call)
{
    XenHcallCtx c = { .xh = xh, .vcpu = vcpu, .call = call };
    const XenHcallRow *row;
    const XenSubOp *op;
    uint64_t cmd = call->params[0];
    int64_t ret;

    /* Only the guest kernel makes hypercalls. */
    if (call->cpl) {
        trace_xen_hcall_refused(vcpu, call->input, "cpl > 0");
        return -EPERM;
    }
    if (!call->longmode) {
        trace_xen_hcall_refused(vcpu, call->input, "32-bit guest");
        return -ENOSYS;
    }
    if (!xh->long_mode_set && OPS(xh)->set_long_mode) {
        int err = OPS(xh)->set_long_mode(xh->cfg.opaque);

        trace_xen_hcall_long_mode(err);
        xh->long_mode_set = !err;
    }
    row = find_hcall(call->input);
    if (!row) {
        trace_xen_hcall_unknown(vcpu, call->input);
        return -ENOSYS;
    }
    op = find_subop(row, cmd);
    if (!op) {
        trace_xen_hcall_unknown_op(vcpu, row->name, cmd);
        return -ENOSYS;
    }
    if (!op->fn) {
        trace_xen_hcall_unimplemented(op->name, cmd);
        return -ENOSYS;
    }
    ret = run_subop(&c, row, op);
    trace_xen_hcall(vcpu, row->name, op->name, ret);
    return ret;
}

/* Set-up and state */

XenHypercalls *xen_hcall_new(const XenHcallConfig *cfg, Error **errp)
{
    XenHypercalls *xh;

    if (!cfg->nr_vcpus || cfg->nr_vcpus > XEN_HCALL_MAX_VCPUS) {
        error_setg(errp, "%u vCPUs: 1 to %u are supported", cfg->nr_vcpus,
                   XEN_HCALL_MAX_VCPUS);
        return NULL;
    }
    if (cfg->domid == DOMID_QEMU || cfg->domid >= DOMID_FIRST_RESERVED) {
        error_setg(errp, "invalid guest domain id %u", cfg->domid);
        return NULL;
    }
    if (!cfg->mem.translate || !cfg->ops || !cfg->max_gfn) {
        error_setg(errp, "no guest memory or machine operations");
        return NULL;
    }
    xh = g_new0(XenHypercalls, 1);
    xh->cfg = *cfg;
    xen_hcall_reset(xh);
    return xh;
}

void xen_hcall_free(XenHypercalls *xh)
{
    g_free(xh);
}

void xen_hcall_reset(XenHypercalls *xh)
{
    for (uint32_t i = 0; i < XEN_HCALL_MAX_VCPUS; i++) {
        xh->vcpus[i].vcpu_info_gpa = XEN_HCALL_NO_GPA;
        xh->vcpus[i].upcall_vector = 0;
    }
    xh->params[HVM_PARAM_CALLBACK_IRQ] = 0;
    xh->long_mode_set = false;
}

bool xen_hcall_set_param(XenHypercalls *xh, uint32_t index, uint64_t value)
{
    if (index >= HVM_NR_PARAMS) {
        return false;
    }
    xh->params[index] = value;
    return true;
}

uint64_t xen_hcall_get_param(XenHypercalls *xh, uint32_t index)
{
    return index < HVM_NR_PARAMS ? xh->params[index] : 0;
}

uint8_t xen_hcall_upcall_vector(XenHypercalls *xh, uint32_t vcpu)
{
    return vcpu < XEN_HCALL_MAX_VCPUS ? xh->vcpus[vcpu].upcall_vector : 0;
}

uint64_t xen_hcall_vcpu_info_gpa(XenHypercalls *xh, uint32_t vcpu)
{
    return vcpu < XEN_HCALL_MAX_VCPUS ? xh->vcpus[vcpu].vcpu_info_gpa
                                      : XEN_HCALL_NO_GPA;
}

uint64_t xen_hcall_callback_param(XenHypercalls *xh)
{
    return xh->params[HVM_PARAM_CALLBACK_IRQ];
}
