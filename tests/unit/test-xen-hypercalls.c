/*
 * Tests of the hypercall dispatcher on a host buffer as guest RAM, with
 * machine operations that record what they were asked: every row, its
 * errors, and the calls a Debian guest makes at boot, in order.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/special_pages.h"
#include "hw/xen/interface/event_channel.h"
#include "hw/xen/interface/grant_table.h"
#include "hw/xen/interface/hvm.h"
#include "hw/xen/interface/memory.h"
#include "hw/xen/interface/sched.h"
#include "hw/xen/interface/vcpu.h"
#include "hw/xen/interface/version.h"
#include "hw/i386/kvm/xen_evtchn.h"
#include "hw/i386/kvm/xen_hypercalls.h"

#define GUEST_DOMID     1
#define RAM_PAGES       64
#define RAM_SIZE        (RAM_PAGES * XEN_PAGE_SIZE)
#define MAX_GFN         0x100000        /* 4 GiB of guest frames */
#define ARG_GPA         0x2000          /* where the tests put arguments */
#define SHINFO_GFN      0x10
#define GNT_GFN         0xf0000         /* in the platform device's BAR */
#define NR_VCPUS        2
#define UPCALL_VECTOR   0xf3

/* What the fake machine was asked, and what it answers. */
typedef struct FakeMachine {
    uint64_t shinfo_gfn;
    uint64_t gnt_gfn[4];
    uint64_t vcpu_info[NR_VCPUS];
    uint8_t upcall[NR_VCPUS];
    int callback_vector;        /* -1: never set */
    int long_mode_calls;
    int shutdown_reason;        /* -1: none */
    int fail;                   /* returned by every op when non-zero */
} FakeMachine;

static uint8_t *ram;
static FakeMachine fm;
static XenHypercalls *xh;
static const XenHcallOps *test_ops;

static void *fake_translate(void *opaque, uint64_t gpa, uint64_t len)
{
    if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa) {
        return NULL;
    }
    return ram + gpa;
}

static int fake_map_shared_info(void *opaque, uint64_t gfn)
{
    FakeMachine *m = opaque;

    if (!m->fail) {
        m->shinfo_gfn = gfn;
    }
    return m->fail;
}

static int fake_map_grant_frame(void *opaque, uint32_t idx, uint64_t gfn)
{
    FakeMachine *m = opaque;

    g_assert_cmpuint(idx, <, ARRAY_SIZE(m->gnt_gfn));
    if (!m->fail) {
        m->gnt_gfn[idx] = gfn;
    }
    return m->fail;
}

static int fake_register_vcpu_info(void *opaque, uint32_t vcpu,
                                   uint64_t gpa)
{
    FakeMachine *m = opaque;

    g_assert_cmpuint(vcpu, <, NR_VCPUS);
    if (!m->fail) {
        m->vcpu_info[vcpu] = gpa;
    }
    return m->fail;
}

static int fake_set_upcall_vector(void *opaque, uint32_t vcpu,
                                  uint8_t vector)
{
    FakeMachine *m = opaque;

    g_assert_cmpuint(vcpu, <, NR_VCPUS);
    if (!m->fail) {
        m->upcall[vcpu] = vector;
    }
    return m->fail;
}

static int fake_set_callback_vector(void *opaque, uint8_t vector)
{
    FakeMachine *m = opaque;

    if (!m->fail) {
        m->callback_vector = vector;
    }
    return m->fail;
}

static int fake_set_long_mode(void *opaque)
{
    FakeMachine *m = opaque;

    m->long_mode_calls++;
    return 0;
}

static int fake_shutdown(void *opaque, uint32_t reason)
{
    FakeMachine *m = opaque;

    if (!m->fail) {
        m->shutdown_reason = reason;
    }
    return m->fail;
}

static const XenHcallOps fake_ops = {
    .map_shared_info = fake_map_shared_info,
    .map_grant_frame = fake_map_grant_frame,
    .register_vcpu_info = fake_register_vcpu_info,
    .set_upcall_vector = fake_set_upcall_vector,
    .set_callback_vector = fake_set_callback_vector,
    .set_long_mode = fake_set_long_mode,
    .shutdown = fake_shutdown,
};

static const XenHcallOps no_ops;

static XenHcallConfig config(void)
{
    return (XenHcallConfig) {
        .domid = GUEST_DOMID,
        .xen_version = 0x40011,
        .nr_vcpus = NR_VCPUS,
        .gnttab_frames = 1,
        .max_gfn = MAX_GFN,
        .mem = { .translate = fake_translate },
        .ops = test_ops,
        .opaque = &fm,
    };
}

static void setup_with(const XenHcallOps *ops)
{
    XenHcallConfig cfg;

    ram = g_malloc0(RAM_SIZE);
    memset(&fm, 0, sizeof(fm));
    fm.callback_vector = -1;
    fm.shutdown_reason = -1;
    test_ops = ops;
    cfg = config();
    xh = xen_hcall_new(&cfg, &error_abort);
    xen_evtchn_create(GUEST_DOMID, &error_abort);
    g_assert_true(xen_evtchn_set_nr_vcpus(NR_VCPUS));
    /* What the machine sets up before the guest runs. */
    g_assert_true(xen_hcall_set_param(xh, HVM_PARAM_STORE_PFN,
                                      XEN_SPECIAL_PFN(XENSTORE)));
    g_assert_true(xen_hcall_set_param(xh, HVM_PARAM_STORE_EVTCHN, 1));
}

static void setup(void)
{
    setup_with(&fake_ops);
}

static void teardown(void)
{
    xen_hcall_free(xh);
    xen_evtchn_destroy();
    g_free(ram);
    xh = NULL;
}

static int64_t hcall3(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    XenHcall call = {
        .input = nr, .params = { a0, a1, a2 }, .longmode = true,
    };

    return xen_hcall_dispatch(xh, 0, &call);
}

static int64_t hcall(uint64_t nr, uint64_t cmd, uint64_t arg)
{
    return hcall3(nr, cmd, arg, 0);
}

/* Put an argument at ARG_GPA, call, and read it back. */
#define CALL(nr, cmd, s) \
    call_with(nr, cmd, &(s), sizeof(s), ARG_GPA)

static int64_t call_with(uint64_t nr, uint64_t cmd, void *arg, size_t len,
                         uint64_t gpa)
{
    int64_t ret;

    memcpy(ram + gpa, arg, len);
    ret = hcall(nr, cmd, gpa);
    memcpy(arg, ram + gpa, len);
    return ret;
}

static int64_t evtchn(uint32_t cmd, void *arg, size_t len)
{
    return call_with(__HYPERVISOR_event_channel_op, cmd, arg, len, ARG_GPA);
}

static int64_t hvm_param(uint32_t cmd, domid_t dom, uint32_t index,
                         uint64_t *value)
{
    struct xen_hvm_param hp = { .domid = dom, .index = index,
                                .value = *value };
    int64_t ret = CALL(__HYPERVISOR_hvm_op, cmd, hp);

    *value = hp.value;
    return ret;
}

static int64_t add_to_physmap(domid_t dom, uint32_t space, uint64_t idx,
                              uint64_t gpfn)
{
    struct xen_add_to_physmap xatp = {
        .domid = dom, .space = space, .idx = idx, .gpfn = gpfn,
    };

    return CALL(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, xatp);
}

static int64_t upcall_vector(uint32_t vcpu, uint8_t vector)
{
    struct xen_hvm_evtchn_upcall_vector uv = {
        .vcpu = vcpu, .vector = vector,
    };

    return CALL(__HYPERVISOR_hvm_op, HVMOP_set_evtchn_upcall_vector, uv);
}

static int64_t register_vcpu_info(uint32_t vcpu, uint64_t mfn,
                                  uint32_t offset, uint32_t rsvd)
{
    struct vcpu_register_vcpu_info ri = {
        .mfn = mfn, .offset = offset, .rsvd = rsvd,
    };

    memcpy(ram + ARG_GPA, &ri, sizeof(ri));
    return hcall3(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, vcpu,
                  ARG_GPA);
}

static int64_t gnttab(uint32_t cmd, void *arg, size_t len, uint64_t count)
{
    int64_t ret;

    memcpy(ram + ARG_GPA, arg, len);
    ret = hcall3(__HYPERVISOR_grant_table_op, cmd, ARG_GPA, count);
    memcpy(arg, ram + ARG_GPA, len);
    return ret;
}

static int64_t shutdown(uint32_t reason)
{
    struct sched_shutdown ss = { .reason = reason };

    return CALL(__HYPERVISOR_sched_op, SCHEDOP_shutdown, ss);
}

static void test_bad_config(void)
{
    XenHcallConfig cfg;
    Error *err = NULL;

    test_ops = &fake_ops;
    cfg = config();
    cfg.nr_vcpus = 0;
    g_assert_null(xen_hcall_new(&cfg, &err));
    error_free_or_abort(&err);
    cfg = config();
    cfg.nr_vcpus = XEN_HCALL_MAX_VCPUS + 1;
    g_assert_null(xen_hcall_new(&cfg, &err));
    error_free_or_abort(&err);
    cfg = config();
    cfg.domid = DOMID_SELF;
    g_assert_null(xen_hcall_new(&cfg, &err));
    error_free_or_abort(&err);
    cfg = config();
    cfg.mem.translate = NULL;
    g_assert_null(xen_hcall_new(&cfg, &err));
    error_free_or_abort(&err);
}

/* Not in the table, or from where no hypercall may come: refused. */
static void test_unknown(void)
{
    XenHcall call = { .input = __HYPERVISOR_xen_version, .longmode = true };

    setup();
    g_assert_cmpint(hcall(0, 0, 0), ==, -ENOSYS);
    g_assert_cmpint(hcall(__HYPERVISOR_console_io, 0, 0), ==, -ENOSYS);
    g_assert_cmpint(hcall(__HYPERVISOR_physdev_op, 0, 0), ==, -ENOSYS);
    g_assert_cmpint(hcall(__HYPERVISOR_set_timer_op, 0, 0), ==, -ENOSYS);
    g_assert_cmpint(hcall(__HYPERVISOR_vm_assist, 0, 0), ==, -ENOSYS);
    g_assert_cmpint(hcall(UINT64_MAX, 0, 0), ==, -ENOSYS);
    g_assert_cmpint(hcall(__HYPERVISOR_xen_version | (1ULL << 32), 0, 0),
                    ==, -ENOSYS);
    /* Unknown sub-ops of every multiplexed hypercall. */
    g_assert_cmpint(hcall(__HYPERVISOR_xen_version, XENVER_extraversion,
                          ARG_GPA), ==, -ENOSYS);
    g_assert_cmpint(hcall(__HYPERVISOR_xen_version, XENVER_build_id,
                          ARG_GPA), ==, -ENOSYS);
    g_assert_cmpint(hcall(__HYPERVISOR_memory_op,
                          XENMEM_decrease_reservation, ARG_GPA), ==,
                    -ENOSYS);
    g_assert_cmpint(hcall(__HYPERVISOR_hvm_op, HVMOP_pagetable_dying,
                          ARG_GPA), ==, -ENOSYS);
    g_assert_cmpint(hcall(__HYPERVISOR_hvm_op, HVMOP_get_time, ARG_GPA),
                    ==, -ENOSYS);
    g_assert_cmpint(hcall3(__HYPERVISOR_vcpu_op,
                           VCPUOP_stop_periodic_timer, 0, 0), ==, -ENOSYS);
    g_assert_cmpint(hcall(__HYPERVISOR_event_channel_op,
                          EVTCHNOP_init_control, ARG_GPA), ==, -ENOSYS);
    g_assert_cmpint(hcall(__HYPERVISOR_event_channel_op, EVTCHNOP_reset,
                          ARG_GPA), ==, -ENOSYS);
    g_assert_cmpint(hcall(__HYPERVISOR_event_channel_op,
                          EVTCHNOP_bind_pirq, ARG_GPA), ==, -ENOSYS);
    g_assert_cmpint(hcall3(__HYPERVISOR_grant_table_op,
                           GNTTABOP_setup_table, ARG_GPA, 1), ==, -ENOSYS);
    g_assert_cmpint(hcall(__HYPERVISOR_sched_op, SCHEDOP_yield, 0), ==,
                    -ENOSYS);
    g_assert_cmpint(hcall(__HYPERVISOR_sched_op, SCHEDOP_shutdown |
                          (1ULL << 32), ARG_GPA), ==, -ENOSYS);

    /* Long mode was set once, at the first hypercall. */
    g_assert_cmpint(fm.long_mode_calls, ==, 1);

    /* User space may not call; a 32-bit guest is not supported. */
    call.params[0] = XENVER_version;
    call.cpl = 3;
    g_assert_cmpint(xen_hcall_dispatch(xh, 0, &call), ==, -EPERM);
    call.cpl = 0;
    call.longmode = false;
    g_assert_cmpint(xen_hcall_dispatch(xh, 0, &call), ==, -ENOSYS);
    call.longmode = true;
    g_assert_cmpint(xen_hcall_dispatch(xh, 0, &call), ==, 0x40011);
    teardown();
}

static void test_xen_version(void)
{
    struct xen_feature_info fi = { .submap_idx = 0, .submap = 0xdead };
    uint32_t want = 1U << XENFEAT_writable_page_tables |
                    1U << XENFEAT_writable_descriptor_tables |
                    1U << XENFEAT_auto_translated_physmap |
                    1U << XENFEAT_hvm_callback_vector;

    setup();
    g_assert_cmpint(hcall(__HYPERVISOR_xen_version, XENVER_version, 0), ==,
                    0x40011);
    g_assert_cmpint(CALL(__HYPERVISOR_xen_version, XENVER_get_features,
                         fi), ==, 0);
    g_assert_cmphex(fi.submap, ==, want);
    g_assert_false(fi.submap & (1U << XENFEAT_hvm_safe_pvclock));
    g_assert_false(fi.submap & (1U << XENFEAT_hvm_pirqs));
    g_assert_false(fi.submap & (1U << XENFEAT_supervisor_mode_kernel));

    fi = (struct xen_feature_info) { .submap_idx = 1, .submap = 7 };
    g_assert_cmpint(CALL(__HYPERVISOR_xen_version, XENVER_get_features,
                         fi), ==, -EINVAL);
    g_assert_cmpuint(fi.submap, ==, 7);
    /* The argument outside RAM, or running off its end. */
    g_assert_cmpint(hcall(__HYPERVISOR_xen_version, XENVER_get_features,
                          RAM_SIZE), ==, -EFAULT);
    g_assert_cmpint(hcall(__HYPERVISOR_xen_version, XENVER_get_features,
                          RAM_SIZE - 4), ==, -EFAULT);
    g_assert_cmpint(hcall(__HYPERVISOR_xen_version, XENVER_get_features,
                          UINT64_MAX - 3), ==, -EFAULT);
    fi = (struct xen_feature_info) { 0 };
    g_assert_cmpint(call_with(__HYPERVISOR_xen_version, XENVER_get_features,
                              &fi, sizeof(fi), RAM_SIZE - 8), ==, 0);
    g_assert_cmphex(fi.submap, ==, want);
    teardown();
}

static void test_add_to_physmap(void)
{
    setup();
    g_assert_cmpint(add_to_physmap(DOMID_SELF, XENMAPSPACE_shared_info, 0,
                                   SHINFO_GFN), ==, 0);
    g_assert_cmphex(fm.shinfo_gfn, ==, SHINFO_GFN);
    g_assert_cmpint(add_to_physmap(GUEST_DOMID, XENMAPSPACE_shared_info, 0,
                                   SHINFO_GFN + 1), ==, 0);
    g_assert_cmphex(fm.shinfo_gfn, ==, SHINFO_GFN + 1);
    /* shared_info is one page, in guest RAM. */
    g_assert_cmpint(add_to_physmap(DOMID_SELF, XENMAPSPACE_shared_info, 1,
                                   SHINFO_GFN), ==, -EINVAL);
    g_assert_cmpint(add_to_physmap(DOMID_SELF, XENMAPSPACE_shared_info, 0,
                                   RAM_PAGES), ==, -EINVAL);
    g_assert_cmpint(add_to_physmap(DOMID_SELF, XENMAPSPACE_shared_info, 0,
                                   MAX_GFN), ==, -EINVAL);
    g_assert_cmpint(add_to_physmap(DOMID_SELF, XENMAPSPACE_shared_info, 0,
                                   UINT64_MAX), ==, -EINVAL);
    /* Only for itself. */
    g_assert_cmpint(add_to_physmap(DOMID_QEMU, XENMAPSPACE_shared_info, 0,
                                   SHINFO_GFN), ==, -EPERM);
    g_assert_cmpint(add_to_physmap(7, XENMAPSPACE_shared_info, 0,
                                   SHINFO_GFN), ==, -ESRCH);
    g_assert_cmphex(fm.shinfo_gfn, ==, SHINFO_GFN + 1);

    /* Grant frames go anywhere below max_gfn, v1 frames only. */
    g_assert_cmpint(add_to_physmap(DOMID_SELF, XENMAPSPACE_grant_table, 0,
                                   GNT_GFN), ==, 0);
    g_assert_cmphex(fm.gnt_gfn[0], ==, GNT_GFN);
    g_assert_cmpint(add_to_physmap(DOMID_SELF, XENMAPSPACE_grant_table, 1,
                                   GNT_GFN + 1), ==, -EINVAL);
    g_assert_cmpint(add_to_physmap(DOMID_SELF, XENMAPSPACE_grant_table,
                                   XENMAPIDX_grant_table_status, GNT_GFN),
                    ==, -EINVAL);
    g_assert_cmpint(add_to_physmap(DOMID_SELF, XENMAPSPACE_grant_table, 0,
                                   MAX_GFN), ==, -EINVAL);
    /* Other spaces are not implemented. */
    g_assert_cmpint(add_to_physmap(DOMID_SELF, XENMAPSPACE_gmfn, 0, 1), ==,
                    -ENOSYS);
    g_assert_cmpint(add_to_physmap(DOMID_SELF, XENMAPSPACE_dev_mmio, 0, 1),
                    ==, -ENOSYS);
    g_assert_cmpint(add_to_physmap(DOMID_SELF, 0xffffffff, 0, 1), ==,
                    -ENOSYS);
    /* The machine's failure is the guest's result. */
    fm.fail = -EBUSY;
    g_assert_cmpint(add_to_physmap(DOMID_SELF, XENMAPSPACE_shared_info, 0,
                                   SHINFO_GFN), ==, -EBUSY);
    g_assert_cmpint(hcall(__HYPERVISOR_memory_op, XENMEM_add_to_physmap,
                          RAM_SIZE - 8), ==, -EFAULT);
    teardown();

    /* A machine without the operation. */
    setup_with(&no_ops);
    g_assert_cmpint(add_to_physmap(DOMID_SELF, XENMAPSPACE_shared_info, 0,
                                   SHINFO_GFN), ==, -ENOSYS);
    teardown();
}

static void test_hvm_params(void)
{
    uint64_t v = 0;

    setup();
    xen_hcall_set_param(xh, HVM_PARAM_CONSOLE_PFN, XEN_SPECIAL_PFN(CONSOLE));
    xen_hcall_set_param(xh, HVM_PARAM_CONSOLE_EVTCHN, 2);
    g_assert_false(xen_hcall_set_param(xh, HVM_NR_PARAMS, 1));
    g_assert_cmpint(hvm_param(HVMOP_get_param, DOMID_SELF,
                              HVM_PARAM_STORE_PFN, &v), ==, 0);
    g_assert_cmphex(v, ==, 0xfeff9);
    g_assert_cmpint(hvm_param(HVMOP_get_param, GUEST_DOMID,
                              HVM_PARAM_STORE_EVTCHN, &v), ==, 0);
    g_assert_cmpuint(v, ==, 1);
    g_assert_cmpint(hvm_param(HVMOP_get_param, DOMID_SELF,
                              HVM_PARAM_CONSOLE_PFN, &v), ==, 0);
    g_assert_cmphex(v, ==, 0xfeff8);
    g_assert_cmpint(hvm_param(HVMOP_get_param, DOMID_SELF,
                              HVM_PARAM_CONSOLE_EVTCHN, &v), ==, 0);
    g_assert_cmpuint(v, ==, 2);
    v = 99;
    g_assert_cmpint(hvm_param(HVMOP_get_param, DOMID_SELF,
                              HVM_PARAM_HPET_ENABLED, &v), ==, 0);
    g_assert_cmpuint(v, ==, 0);

    /* Bad index or domain: the value is not touched. */
    v = 99;
    g_assert_cmpint(hvm_param(HVMOP_get_param, DOMID_SELF, HVM_NR_PARAMS,
                              &v), ==, -EINVAL);
    g_assert_cmpint(hvm_param(HVMOP_get_param, DOMID_SELF, UINT32_MAX,
                              &v), ==, -EINVAL);
    g_assert_cmpint(hvm_param(HVMOP_get_param, DOMID_QEMU,
                              HVM_PARAM_STORE_PFN, &v), ==, -EPERM);
    g_assert_cmpint(hvm_param(HVMOP_get_param, 9, HVM_PARAM_STORE_PFN, &v),
                    ==, -ESRCH);
    g_assert_cmpuint(v, ==, 99);
    g_assert_cmpint(hcall(__HYPERVISOR_hvm_op, HVMOP_get_param,
                          RAM_SIZE - 15), ==, -EFAULT);

    /* The guest may set the callback only. */
    v = 0x1000;
    g_assert_cmpint(hvm_param(HVMOP_set_param, DOMID_SELF,
                              HVM_PARAM_STORE_PFN, &v), ==, -EPERM);
    g_assert_cmpint(hvm_param(HVMOP_set_param, DOMID_SELF,
                              HVM_PARAM_STORE_EVTCHN, &v), ==, -EPERM);
    g_assert_cmpint(hvm_param(HVMOP_set_param, DOMID_SELF, HVM_NR_PARAMS,
                              &v), ==, -EINVAL);
    g_assert_cmpint(hvm_param(HVMOP_set_param, DOMID_QEMU,
                              HVM_PARAM_CALLBACK_IRQ, &v), ==, -EPERM);
    g_assert_cmphex(xen_hcall_get_param(xh, HVM_PARAM_STORE_PFN), ==,
                    0xfeff9);
    teardown();
}

static void test_callback_irq(void)
{
    uint64_t v, vec = (2ULL << 56) | UPCALL_VECTOR;

    setup();
    /* GSI 1 is only accepted (and ignored) with a per-vCPU vector. */
    v = 1;
    g_assert_cmpint(hvm_param(HVMOP_set_param, DOMID_SELF,
                              HVM_PARAM_CALLBACK_IRQ, &v), ==, -EINVAL);
    g_assert_cmpint(upcall_vector(NR_VCPUS, UPCALL_VECTOR), ==, -ENOENT);
    g_assert_cmpint(upcall_vector(0, 0x0f), ==, -EINVAL);
    g_assert_cmpuint(xen_hcall_upcall_vector(xh, 0), ==, 0);
    g_assert_cmpint(upcall_vector(0, UPCALL_VECTOR), ==, 0);
    g_assert_cmphex(fm.upcall[0], ==, UPCALL_VECTOR);
    g_assert_cmphex(xen_hcall_upcall_vector(xh, 0), ==, UPCALL_VECTOR);
    g_assert_cmpint(hvm_param(HVMOP_set_param, DOMID_SELF,
                              HVM_PARAM_CALLBACK_IRQ, &v), ==, 0);
    g_assert_cmpint(fm.callback_vector, ==, -1);
    g_assert_cmphex(xen_hcall_callback_param(xh), ==, 1);
    v = 0;
    g_assert_cmpint(hvm_param(HVMOP_get_param, DOMID_SELF,
                              HVM_PARAM_CALLBACK_IRQ, &v), ==, 0);
    g_assert_cmpuint(v, ==, 1);

    /* Other GSIs, PCI INTx and unknown types cannot be delivered. */
    v = 5;
    g_assert_cmpint(hvm_param(HVMOP_set_param, DOMID_SELF,
                              HVM_PARAM_CALLBACK_IRQ, &v), ==, -EINVAL);
    v = (1ULL << 56) | (3 << 11);
    g_assert_cmpint(hvm_param(HVMOP_set_param, DOMID_SELF,
                              HVM_PARAM_CALLBACK_IRQ, &v), ==, -EINVAL);
    v = (3ULL << 56) | UPCALL_VECTOR;
    g_assert_cmpint(hvm_param(HVMOP_set_param, DOMID_SELF,
                              HVM_PARAM_CALLBACK_IRQ, &v), ==, -EINVAL);
    /* The vector type: a real vector in bits 7:0 and nothing else. */
    v = (2ULL << 56) | 0x0f;
    g_assert_cmpint(hvm_param(HVMOP_set_param, DOMID_SELF,
                              HVM_PARAM_CALLBACK_IRQ, &v), ==, -EINVAL);
    v = (2ULL << 56) | 0x1f3;
    g_assert_cmpint(hvm_param(HVMOP_set_param, DOMID_SELF,
                              HVM_PARAM_CALLBACK_IRQ, &v), ==, -EINVAL);
    g_assert_cmpint(fm.callback_vector, ==, -1);
    g_assert_cmphex(xen_hcall_callback_param(xh), ==, 1);
    v = vec;
    g_assert_cmpint(hvm_param(HVMOP_set_param, DOMID_SELF,
                              HVM_PARAM_CALLBACK_IRQ, &v), ==, 0);
    g_assert_cmpint(fm.callback_vector, ==, UPCALL_VECTOR);
    g_assert_cmphex(xen_hcall_callback_param(xh), ==, vec);
    /* 0 turns it off. */
    v = 0;
    g_assert_cmpint(hvm_param(HVMOP_set_param, DOMID_SELF,
                              HVM_PARAM_CALLBACK_IRQ, &v), ==, 0);
    g_assert_cmpint(fm.callback_vector, ==, 0);
    /* Reset forgets the vectors: GSI 1 is refused again. */
    xen_hcall_reset(xh);
    g_assert_cmpuint(xen_hcall_upcall_vector(xh, 0), ==, 0);
    v = 1;
    g_assert_cmpint(hvm_param(HVMOP_set_param, DOMID_SELF,
                              HVM_PARAM_CALLBACK_IRQ, &v), ==, -EINVAL);
    g_assert_cmpint(fm.long_mode_calls, ==, 2);
    fm.fail = -EIO;
    g_assert_cmpint(upcall_vector(1, UPCALL_VECTOR), ==, -EIO);
    g_assert_cmpuint(xen_hcall_upcall_vector(xh, 1), ==, 0);
    teardown();
}

static void test_vcpu_info(void)
{
    uint64_t mfn = SHINFO_GFN + 2;

    setup();
    g_assert_cmpint(register_vcpu_info(0, mfn, 0x40, 0), ==, 0);
    g_assert_cmphex(fm.vcpu_info[0], ==, (mfn << 12) + 0x40);
    g_assert_cmphex(xen_hcall_vcpu_info_gpa(xh, 0), ==, (mfn << 12) + 0x40);
    /* Once only. */
    g_assert_cmpint(register_vcpu_info(0, mfn, 0x80, 0), ==, -EINVAL);
    g_assert_cmphex(fm.vcpu_info[0], ==, (mfn << 12) + 0x40);
    /* Bad vCPU, offset, reserved field or frame. */
    g_assert_cmpint(register_vcpu_info(NR_VCPUS, mfn, 0, 0), ==, -ENOENT);
    g_assert_cmpint(register_vcpu_info(UINT32_MAX, mfn, 0, 0), ==, -ENOENT);
    g_assert_cmpint(register_vcpu_info(1, mfn, XEN_PAGE_SIZE - 63, 0), ==,
                    -EINVAL);
    g_assert_cmpint(register_vcpu_info(1, mfn, UINT32_MAX, 0), ==, -EINVAL);
    g_assert_cmpint(register_vcpu_info(1, mfn, 0, 1), ==, -EINVAL);
    g_assert_cmpint(register_vcpu_info(1, RAM_PAGES, 0, 0), ==, -EINVAL);
    g_assert_cmpint(register_vcpu_info(1, 1ULL << 52, 0, 0), ==, -EINVAL);
    g_assert_cmpint(register_vcpu_info(1, UINT64_MAX, 0, 0), ==, -EINVAL);
    g_assert_cmphex(xen_hcall_vcpu_info_gpa(xh, 1), ==, XEN_HCALL_NO_GPA);
    g_assert_cmpint(register_vcpu_info(1, mfn, XEN_PAGE_SIZE - 64, 0), ==,
                    0);
    g_assert_cmphex(fm.vcpu_info[1], ==, (mfn << 12) + 4032);
    g_assert_cmpint(hcall3(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info,
                           0, RAM_SIZE), ==, -EFAULT);
    /* After a reset the guest registers again. */
    xen_hcall_reset(xh);
    g_assert_cmphex(xen_hcall_vcpu_info_gpa(xh, 0), ==, XEN_HCALL_NO_GPA);
    g_assert_cmpint(register_vcpu_info(0, mfn, 0, 0), ==, 0);
    teardown();
}

/* Every event channel row, its results in guest memory, its errors. */
static void test_evtchn(void)
{
    struct evtchn_alloc_unbound au = { .dom = DOMID_SELF,
                                       .remote_dom = DOMID_SELF };
    struct evtchn_bind_interdomain bi = { .remote_dom = DOMID_SELF };
    struct evtchn_bind_ipi ipi = { .vcpu = 1 };
    struct evtchn_bind_virq bv = { .virq = VIRQ_DEBUG, .vcpu = 1 };
    struct evtchn_bind_vcpu bc;
    struct evtchn_status st = { .dom = DOMID_SELF };
    struct evtchn_send send;
    struct evtchn_unmask um;
    struct evtchn_close cl;
    bool pending, masked;
    uint32_t raw;

    setup();
    g_assert_cmpint(evtchn(EVTCHNOP_alloc_unbound, &au, sizeof(au)), ==, 0);
    g_assert_cmpuint(au.port, ==, 1);
    /* The port is where a 64-bit guest reads it: offset 4. */
    memcpy(&raw, ram + ARG_GPA + 4, 4);
    g_assert_cmpuint(raw, ==, 1);
    bi.remote_port = au.port;
    g_assert_cmpint(evtchn(EVTCHNOP_bind_interdomain, &bi, sizeof(bi)), ==,
                    0);
    g_assert_cmpuint(bi.local_port, ==, 2);
    memcpy(&raw, ram + ARG_GPA + 8, 4);
    g_assert_cmpuint(raw, ==, 2);
    xen_evtchn_clear_port_pending(2);
    send.port = 2;
    g_assert_cmpint(evtchn(EVTCHNOP_send, &send, sizeof(send)), ==, 0);
    g_assert_cmpint(xen_evtchn_get_port_bits(1, &pending, &masked), ==, 0);
    g_assert_true(pending);
    st.port = 1;
    g_assert_cmpint(evtchn(EVTCHNOP_status, &st, sizeof(st)), ==, 0);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_interdomain);
    g_assert_cmpuint(st.u.interdomain.port, ==, 2);
    g_assert_cmpint(evtchn(EVTCHNOP_bind_ipi, &ipi, sizeof(ipi)), ==, 0);
    g_assert_cmpuint(ipi.port, ==, 3);
    g_assert_cmpint(evtchn(EVTCHNOP_bind_virq, &bv, sizeof(bv)), ==, 0);
    g_assert_cmpuint(bv.port, ==, 4);
    st.port = 4;
    g_assert_cmpint(evtchn(EVTCHNOP_status, &st, sizeof(st)), ==, 0);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_virq);
    g_assert_cmpuint(st.vcpu, ==, 1);
    g_assert_cmpuint(st.u.virq, ==, VIRQ_DEBUG);
    bc = (struct evtchn_bind_vcpu) { .port = 1, .vcpu = 1 };
    g_assert_cmpint(evtchn(EVTCHNOP_bind_vcpu, &bc, sizeof(bc)), ==, 0);
    xen_evtchn_set_port_mask(1, true);
    um.port = 1;
    g_assert_cmpint(evtchn(EVTCHNOP_unmask, &um, sizeof(um)), ==, 0);
    g_assert_cmpint(xen_evtchn_get_port_bits(1, &pending, &masked), ==, 0);
    g_assert_false(masked);
    cl.port = 3;
    g_assert_cmpint(evtchn(EVTCHNOP_close, &cl, sizeof(cl)), ==, 0);

    /* Errors: ports, vCPUs, domains, and arguments outside RAM. */
    g_assert_cmpint(evtchn(EVTCHNOP_close, &cl, sizeof(cl)), ==, -EINVAL);
    send.port = EVTCHN_2L_NR_CHANNELS;
    g_assert_cmpint(evtchn(EVTCHNOP_send, &send, sizeof(send)), ==,
                    -EINVAL);
    um.port = 0;
    g_assert_cmpint(evtchn(EVTCHNOP_unmask, &um, sizeof(um)), ==, -EINVAL);
    ipi.vcpu = NR_VCPUS;
    g_assert_cmpint(evtchn(EVTCHNOP_bind_ipi, &ipi, sizeof(ipi)), ==,
                    -ENOENT);
    g_assert_cmpint(evtchn(EVTCHNOP_bind_virq, &bv, sizeof(bv)), ==,
                    -EEXIST);
    bv.virq = NR_VIRQS;
    g_assert_cmpint(evtchn(EVTCHNOP_bind_virq, &bv, sizeof(bv)), ==,
                    -EINVAL);
    bc.vcpu = NR_VCPUS;
    g_assert_cmpint(evtchn(EVTCHNOP_bind_vcpu, &bc, sizeof(bc)), ==,
                    -ENOENT);
    bc = (struct evtchn_bind_vcpu) { .port = 4, .vcpu = 0 };
    g_assert_cmpint(evtchn(EVTCHNOP_bind_vcpu, &bc, sizeof(bc)), ==,
                    -EINVAL);
    au.dom = DOMID_QEMU;
    g_assert_cmpint(evtchn(EVTCHNOP_alloc_unbound, &au, sizeof(au)), ==,
                    -EPERM);
    bi.remote_port = 999;
    g_assert_cmpint(evtchn(EVTCHNOP_bind_interdomain, &bi, sizeof(bi)), ==,
                    -EINVAL);
    st.port = EVTCHN_2L_NR_CHANNELS;
    g_assert_cmpint(evtchn(EVTCHNOP_status, &st, sizeof(st)), ==, -EINVAL);
    g_assert_cmpint(hcall(__HYPERVISOR_event_channel_op, EVTCHNOP_status,
                          RAM_SIZE - 20), ==, -EFAULT);
    g_assert_cmpint(hcall(__HYPERVISOR_event_channel_op, EVTCHNOP_send,
                          RAM_SIZE), ==, -EFAULT);
    teardown();
}

static void test_gnttab(void)
{
    struct gnttab_query_size qs = { .dom = DOMID_SELF };
    struct gnttab_set_version sv = { .version = 1 };

    setup();
    g_assert_cmpint(gnttab(GNTTABOP_query_size, &qs, sizeof(qs), 1), ==, 0);
    g_assert_cmpuint(qs.nr_frames, ==, 1);
    g_assert_cmpuint(qs.max_nr_frames, ==, 1);
    g_assert_cmpint(qs.status, ==, GNTST_okay);
    qs = (struct gnttab_query_size) { .dom = 9 };
    g_assert_cmpint(gnttab(GNTTABOP_query_size, &qs, sizeof(qs), 1), ==, 0);
    g_assert_cmpint(qs.status, ==, GNTST_bad_domain);
    g_assert_cmpuint(qs.nr_frames, ==, 0);
    /* count must be 1, and is checked first. */
    g_assert_cmpint(gnttab(GNTTABOP_query_size, &qs, sizeof(qs), 0), ==,
                    -EINVAL);
    g_assert_cmpint(gnttab(GNTTABOP_query_size, &qs, sizeof(qs), 2), ==,
                    -EINVAL);
    g_assert_cmpint(hcall3(__HYPERVISOR_grant_table_op, GNTTABOP_query_size,
                           RAM_SIZE, 2), ==, -EINVAL);
    g_assert_cmpint(hcall3(__HYPERVISOR_grant_table_op, GNTTABOP_query_size,
                           RAM_SIZE, 1), ==, -EFAULT);

    g_assert_cmpint(gnttab(GNTTABOP_set_version, &sv, sizeof(sv), 1), ==,
                    0);
    g_assert_cmpuint(sv.version, ==, 1);
    sv.version = 2;
    g_assert_cmpint(gnttab(GNTTABOP_set_version, &sv, sizeof(sv), 1), ==,
                    -ENOSYS);
    g_assert_cmpuint(sv.version, ==, 1);
    sv.version = 3;
    g_assert_cmpint(gnttab(GNTTABOP_set_version, &sv, sizeof(sv), 1), ==,
                    -EINVAL);
    g_assert_cmpuint(sv.version, ==, 1);
    g_assert_cmpint(gnttab(GNTTABOP_set_version, &sv, sizeof(sv), 5), ==,
                    -EINVAL);
    teardown();
}

static void test_shutdown(void)
{
    setup();
    g_assert_cmpint(shutdown(SHUTDOWN_poweroff), ==, 0);
    g_assert_cmpint(fm.shutdown_reason, ==, SHUTDOWN_poweroff);
    g_assert_cmpint(shutdown(SHUTDOWN_reboot), ==, 0);
    g_assert_cmpint(fm.shutdown_reason, ==, SHUTDOWN_reboot);
    g_assert_cmpint(shutdown(SHUTDOWN_crash), ==, 0);
    g_assert_cmpint(fm.shutdown_reason, ==, SHUTDOWN_crash);
    fm.shutdown_reason = -1;
    g_assert_cmpint(shutdown(SHUTDOWN_suspend), ==, -ENOSYS);
    g_assert_cmpint(shutdown(SHUTDOWN_watchdog), ==, -ENOSYS);
    g_assert_cmpint(shutdown(SHUTDOWN_soft_reset), ==, -ENOSYS);
    g_assert_cmpint(shutdown(SHUTDOWN_MAX + 1), ==, -EINVAL);
    g_assert_cmpint(shutdown(UINT32_MAX), ==, -EINVAL);
    g_assert_cmpint(fm.shutdown_reason, ==, -1);
    g_assert_cmpint(hcall(__HYPERVISOR_sched_op, SCHEDOP_shutdown,
                          RAM_SIZE - 2), ==, -EFAULT);
    teardown();
}

/*
 * What Debian's 6.1 kernel does, in order (boot, SMP, console, xenbus,
 * platform PCI, a frontend, panic), with the values it relies on.
 */
static void test_debian_boot(void)
{
    struct xen_feature_info fi = { 0 };
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    struct evtchn_bind_virq bv = { .virq = VIRQ_DEBUG, .vcpu = 0 };
    struct evtchn_unmask um;
    struct evtchn_bind_vcpu bc;
    struct gnttab_query_size qs = { .dom = DOMID_SELF };
    struct gnttab_set_version sv = { .version = 1 };
    struct evtchn_alloc_unbound au = { .dom = DOMID_SELF,
                                       .remote_dom = DOMID_QEMU };
    struct evtchn_send send;
    struct evtchn_close cl;
    evtchn_port_t store_port;
    uint64_t v;

    setup();
    /* The machine's store port: guest port 1, unbound to dom0. */
    g_assert_cmpint(xen_evtchn_alloc_unbound_op(&au), ==, 0);
    store_port = au.port;
    g_assert_cmpuint(store_port, ==, 1);

    g_assert_cmpint(CALL(__HYPERVISOR_xen_version, XENVER_get_features,
                         fi), ==, 0);
    g_assert_true(fi.submap & (1U << XENFEAT_auto_translated_physmap));
    g_assert_true(fi.submap & (1U << XENFEAT_hvm_callback_vector));
    g_assert_cmpint(fm.long_mode_calls, ==, 1);
    g_assert_cmpint(add_to_physmap(DOMID_SELF, XENMAPSPACE_shared_info, 0,
                                   SHINFO_GFN), ==, 0);
    g_assert_cmpint(hcall(__HYPERVISOR_hvm_op, HVMOP_pagetable_dying,
                          ARG_GPA), <, 0);
    g_assert_cmpint(register_vcpu_info(0, SHINFO_GFN + 1, 0x20, 0), ==, 0);
    g_assert_cmpint(hcall(__HYPERVISOR_event_channel_op,
                          EVTCHNOP_init_control, ARG_GPA), ==, -ENOSYS);
    g_assert_cmpint(upcall_vector(0, UPCALL_VECTOR), ==, 0);
    v = 1;
    g_assert_cmpint(hvm_param(HVMOP_set_param, DOMID_SELF,
                              HVM_PARAM_CALLBACK_IRQ, &v), ==, 0);
    for (int i = 0; i < 3; i++) {
        g_assert_cmpint(evtchn(EVTCHNOP_bind_ipi, &ipi, sizeof(ipi)), ==, 0);
        g_assert_cmpuint(ipi.port, ==, 2 + i);
    }
    g_assert_cmpint(evtchn(EVTCHNOP_bind_virq, &bv, sizeof(bv)), ==, 0);
    g_assert_cmpuint(bv.port, ==, 5);
    /* No hvc0: both console parameters read 0. */
    v = 1;
    g_assert_cmpint(hvm_param(HVMOP_get_param, DOMID_SELF,
                              HVM_PARAM_CONSOLE_EVTCHN, &v), ==, 0);
    g_assert_cmpuint(v, ==, 0);
    g_assert_cmpint(hvm_param(HVMOP_get_param, DOMID_SELF,
                              HVM_PARAM_CONSOLE_PFN, &v), ==, 0);
    g_assert_cmpuint(v, ==, 0);
    g_assert_cmpint(hvm_param(HVMOP_get_param, DOMID_SELF,
                              HVM_PARAM_STORE_EVTCHN, &v), ==, 0);
    g_assert_cmpuint(v, ==, store_port);
    g_assert_cmpint(hvm_param(HVMOP_get_param, DOMID_SELF,
                              HVM_PARAM_STORE_PFN, &v), ==, 0);
    g_assert_cmphex(v, ==, 0xfeff9);
    um.port = store_port;
    g_assert_cmpint(evtchn(EVTCHNOP_unmask, &um, sizeof(um)), ==, 0);
    bc = (struct evtchn_bind_vcpu) { .port = store_port, .vcpu = 0 };
    g_assert_cmpint(evtchn(EVTCHNOP_bind_vcpu, &bc, sizeof(bc)), ==, 0);
    /* Platform PCI: grant table v1, its frame in BAR1. */
    g_assert_cmpint(gnttab(GNTTABOP_query_size, &qs, sizeof(qs), 1), ==, 0);
    g_assert_cmpint(qs.status, ==, GNTST_okay);
    g_assert_cmpuint(qs.max_nr_frames, >=, 1);
    g_assert_cmpint(gnttab(GNTTABOP_set_version, &sv, sizeof(sv), 1), ==,
                    0);
    for (uint32_t i = 0; i < qs.nr_frames; i++) {
        g_assert_cmpint(add_to_physmap(DOMID_SELF, XENMAPSPACE_grant_table,
                                       i, GNT_GFN + i), ==, 0);
    }
    /* A frontend's channel to the backend, an event, teardown. */
    au = (struct evtchn_alloc_unbound) { .dom = DOMID_SELF,
                                         .remote_dom = DOMID_QEMU };
    g_assert_cmpint(evtchn(EVTCHNOP_alloc_unbound, &au, sizeof(au)), ==, 0);
    g_assert_cmpuint(au.port, ==, 6);
    send.port = au.port;
    g_assert_cmpint(evtchn(EVTCHNOP_send, &send, sizeof(send)), ==, 0);
    cl.port = au.port;
    g_assert_cmpint(evtchn(EVTCHNOP_close, &cl, sizeof(cl)), ==, 0);
    g_assert_cmpint(shutdown(SHUTDOWN_crash), ==, 0);

    /* What the machine was asked to do. */
    g_assert_cmphex(fm.shinfo_gfn, ==, SHINFO_GFN);
    g_assert_cmphex(fm.vcpu_info[0], ==, ((SHINFO_GFN + 1) << 12) + 0x20);
    g_assert_cmphex(fm.upcall[0], ==, UPCALL_VECTOR);
    g_assert_cmpint(fm.callback_vector, ==, -1);
    g_assert_cmphex(fm.gnt_gfn[0], ==, GNT_GFN);
    g_assert_cmpint(fm.shutdown_reason, ==, SHUTDOWN_crash);
    g_assert_cmpint(fm.long_mode_calls, ==, 1);
    teardown();
}

/* Arguments at a virtual address: translate_arg, not translate. */
#define ARG_VA 0xffff888000002000ULL

static void *va_translate_arg(void *opaque, uint32_t vcpu, uint64_t va,
                              uint64_t len)
{
    g_assert_cmpuint(vcpu, ==, 1);
    if (va < ARG_VA || va - ARG_VA + len > 0x1000) {
        return NULL;
    }
    return ram + ARG_GPA + (va - ARG_VA);
}

static void test_virtual_args(void)
{
    XenHcallConfig cfg;
    XenHcall call = {
        .input = __HYPERVISOR_xen_version, .longmode = true,
        .params = { XENVER_get_features, ARG_VA },
    };
    struct xen_feature_info *fi = NULL;

    setup();
    cfg = config();
    cfg.mem.translate_arg = va_translate_arg;
    xen_hcall_free(xh);
    xh = xen_hcall_new(&cfg, &error_abort);
    fi = (struct xen_feature_info *)(ram + ARG_GPA);
    fi->submap_idx = 0;
    g_assert_cmpint(xen_hcall_dispatch(xh, 1, &call), ==, 0);
    g_assert_true(fi->submap & (1U << XENFEAT_auto_translated_physmap));
    /* The same number as a guest-physical address is not mapped. */
    call.params[1] = ARG_GPA;
    g_assert_cmpint(xen_hcall_dispatch(xh, 1, &call), ==, -EFAULT);
    teardown();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xen-hcall/bad-config", test_bad_config);
    g_test_add_func("/xen-hcall/unknown", test_unknown);
    g_test_add_func("/xen-hcall/xen-version", test_xen_version);
    g_test_add_func("/xen-hcall/add-to-physmap", test_add_to_physmap);
    g_test_add_func("/xen-hcall/hvm-params", test_hvm_params);
    g_test_add_func("/xen-hcall/callback-irq", test_callback_irq);
    g_test_add_func("/xen-hcall/vcpu-info", test_vcpu_info);
    g_test_add_func("/xen-hcall/evtchn", test_evtchn);
    g_test_add_func("/xen-hcall/gnttab", test_gnttab);
    g_test_add_func("/xen-hcall/shutdown", test_shutdown);
    g_test_add_func("/xen-hcall/debian-boot", test_debian_boot);
    g_test_add_func("/xen-hcall/virtual-args", test_virtual_args);
    return g_test_run();
}
