/*
 * Test support: guest programs that talk XenStore through the real ring
 * page and event channel of the xen-xenstore device, and the VMM side
 * that serves them, written once for any vCPU: a KVM vCPU (where
 * /dev/kvm works) or the software one of guest-interp.h (everywhere).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_XENSTORE_GUEST_H
#define TESTS_XENSTORE_GUEST_H

#include "sysemu/kvm.h"
#include "hw/xen/special_pages.h"
#include "guest-code.h"

#define XS_GUEST_CODE_BASE  0x1000
#define XS_GUEST_RESULT     0x2000  /* where the guest reports to the VMM */
#define XS_GUEST_DOORBELL   0xf0    /* out: EVTCHNOP_send on the store port */
#define XS_GUEST_SYNC       0xf1    /* out: let the VMM run its main loop */
#define XS_GUEST_RING       ((uint32_t)(XEN_XENSTORE_PFN << XEN_PAGE_SHIFT))

/* The guest's report at XS_GUEST_RESULT (little-endian words). */
#define XS_RESULT_RSP_PROD   0   /* rsp_prod when the reply was seen */
#define XS_RESULT_REQ_CONS   4   /* req_cons then */
#define XS_RESULT_FEATURES   8   /* server_features */
#define XS_RESULT_EVTCHN     12  /* evtchn_port */
#define XS_RESULT_ERROR      16  /* error, where a program reads it */
#define XS_RESULT_SCRATCH    20  /* a program's own extra report */
#define XS_RESULT_REPLY      32  /* the first XS_RESULT_REPLY_LEN rsp bytes */
#define XS_RESULT_REPLY_LEN  64

/* A vCPU with RAM at GPA 0 and the doorbell on XS_GUEST_DOORBELL. */
typedef struct XsGuestVcpu {
    uint8_t *ram;
    uint64_t ram_size;
    int doorbell_fd;            /* signalled by the guest's doorbell out */
    KVMState *kvm;              /* the VM the device maps into, or NULL */
    /* Map the device's ring page, when kvm is NULL (no memory slots). */
    void (*map_page)(void *vcpu, uint64_t gpa, void *page);
    bool (*load)(void *vcpu, GuestCode *code, Error **errp);
    int (*run_until_hlt)(void *vcpu, uint16_t sync_port,
                         void (*fn)(void *opaque), void *opaque,
                         KVMVCPUExit *exit);
    void *vcpu;
} XsGuestVcpu;

/*
 * The programs, for listings and the tests below.  Each starts at
 * XS_GUEST_CODE_BASE and expects the ring as a reset leaves it.
 */
/*
 * One XS_READ of path (req_id), written into req[] from index 0; doorbell;
 * wait until rsp_prod moves; report rsp_prod, req_cons and the reply;
 * consume it (rsp_cons = rsp_prod); hlt.
 */
void xs_guest_read_program(GuestCode *c, const char *path, uint32_t req_id);
/* Report server_features and evtchn_port; hlt. */
void xs_guest_features_program(GuestCode *c);

/*
 * The tests, each on a fresh event channel state and device:
 * read: XS_READ "domid" is answered "1" through the page;
 * features: the guest sees server_features 7 and its store port;
 * reconnect: a half-sent request, then connection = RECONNECT: the
 *   device drops it and a new XS_READ works from index 0;
 * ring-error: a req_prod 4096 past req_cons gives error RINGIDX, the
 *   guest reconnects and is served again.
 */
void xs_guest_test_read(XsGuestVcpu *v);
void xs_guest_test_features(XsGuestVcpu *v);
void xs_guest_test_reconnect(XsGuestVcpu *v);
void xs_guest_test_ring_error(XsGuestVcpu *v);

/* All of them, named, for test programs to register on their vCPU. */
typedef struct XsGuestTest {
    const char *name;
    void (*fn)(XsGuestVcpu *v);
} XsGuestTest;
extern const XsGuestTest xs_guest_tests[];
extern const size_t xs_guest_nr_tests;

#endif
