/*
 * The guest's Xen hypercalls: a dispatcher from a decoded call to a
 * table of handlers, over an interface to guest memory and a set of
 * callbacks for the effects only the machine can perform.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_XEN_HYPERCALLS_H
#define HW_XEN_HYPERCALLS_H

#include "qemu/error.h"
#include "hw/xen/interface/xen.h"

/* A hypercall as the vCPU made it (KVM_EXIT_XEN, 64-bit ABI). */
typedef struct XenHcall {
    uint64_t input;             /* hypercall number */
    uint64_t params[6];         /* RDI RSI RDX R10 R8 R9 */
    bool longmode;
    uint8_t cpl;
} XenHcall;

/*
 * Guest RAM.  translate() gives the host address of [gpa, gpa + len)
 * if all of it is guest RAM, else NULL; nothing else reaches memory.
 */
typedef struct XenGuestMem {
    void *(*translate)(void *opaque, uint64_t gpa, uint64_t len);
    /*
     * Hypercall arguments are at guest virtual addresses: when set, the
     * host address of [va, va + len) through vCPU vcpu's page tables
     * (NULL if unmapped or not RAM).  Unset: arguments are taken as
     * guest-physical and go through translate().
     */
    void *(*translate_arg)(void *opaque, uint32_t vcpu, uint64_t va,
                           uint64_t len);
    void *opaque;
} XenGuestMem;

/*
 * What the machine does for the dispatcher.  Each returns 0 or a
 * negative errno, which the guest gets as the result.  NULL callbacks
 * make the calls that need them fail with -ENOSYS.
 */
typedef struct XenHcallOps {
    /* XENMEM_add_to_physmap(shared_info): gfn is guest RAM. */
    int (*map_shared_info)(void *opaque, uint64_t gfn);
    /* XENMEM_add_to_physmap(grant_table): frame idx at gfn. */
    int (*map_grant_frame)(void *opaque, uint32_t idx, uint64_t gfn);
    /* VCPUOP_register_vcpu_info: 64 bytes of RAM at gpa. */
    int (*register_vcpu_info)(void *opaque, uint32_t vcpu, uint64_t gpa);
    /* HVMOP_set_evtchn_upcall_vector. */
    int (*set_upcall_vector)(void *opaque, uint32_t vcpu, uint8_t vector);
    /* HVM_PARAM_CALLBACK_IRQ of the vector type (0: callback off). */
    int (*set_callback_vector)(void *opaque, uint8_t vector);
    /* Once, at the first hypercall: the guest runs in 64-bit mode. */
    int (*set_long_mode)(void *opaque);
    /* SCHEDOP_shutdown: SHUTDOWN_poweroff, _reboot or _crash. */
    int (*shutdown)(void *opaque, uint32_t reason);
} XenHcallOps;

typedef struct XenHcallConfig {
    domid_t domid;              /* the guest's */
    uint32_t xen_version;       /* major << 16 | minor, e.g. 0x40011 */
    uint32_t nr_vcpus;          /* 1 .. XEN_HCALL_MAX_VCPUS */
    uint32_t gnttab_frames;     /* grant table frames (v1) */
    uint64_t max_gfn;           /* guest frames are below this */
    XenGuestMem mem;
    const XenHcallOps *ops;
    void *opaque;               /* passed to the ops */
} XenHcallConfig;

#define XEN_HCALL_MAX_VCPUS 32

typedef struct XenHypercalls XenHypercalls;

/* NULL (errp set) on a bad config.  Event channels are xen_evtchn's. */
XenHypercalls *xen_hcall_new(const XenHcallConfig *cfg, Error **errp);
void xen_hcall_free(XenHypercalls *xh);

/*
 * Machine reset: per-vCPU registrations and the callback are forgotten,
 * the parameters the machine set are kept.
 */
void xen_hcall_reset(XenHypercalls *xh);

/*
 * HVM parameters as the machine sets them (STORE_PFN, STORE_EVTCHN,
 * CONSOLE_PFN, CONSOLE_EVTCHN): what HVMOP_get_param answers.  False
 * for an index beyond HVM_NR_PARAMS.
 */
bool xen_hcall_set_param(XenHypercalls *xh, uint32_t index, uint64_t value);
uint64_t xen_hcall_get_param(XenHypercalls *xh, uint32_t index);

/*
 * Run one hypercall from vCPU vcpu: the value for the guest's RAX, 0 or
 * more on success, a negative Xen errno (-ENOSYS for what is not
 * implemented, -EFAULT for arguments outside guest RAM) on failure.
 */
int64_t xen_hcall_dispatch(XenHypercalls *xh, uint32_t vcpu,
                           const XenHcall *call);

/* What the guest asked for, for the machine and tests. */
uint8_t xen_hcall_upcall_vector(XenHypercalls *xh, uint32_t vcpu);
uint64_t xen_hcall_vcpu_info_gpa(XenHypercalls *xh, uint32_t vcpu);
/* HVM_PARAM_CALLBACK_IRQ as the guest last set it (kept if ignored). */
uint64_t xen_hcall_callback_param(XenHypercalls *xh);

#define XEN_HCALL_NO_GPA UINT64_MAX

#endif
