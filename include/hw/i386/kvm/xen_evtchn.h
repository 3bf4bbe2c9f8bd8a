/*
 * Emulated Xen event channels of the one guest domain: its port table
 * (2-level ABI), the EVTCHNOP_* operations the guest calls, and the
 * backend handles through which the VMM's devices use their own ends.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_XEN_EVTCHN_H
#define HW_XEN_EVTCHN_H

#include "qemu/error.h"
#include "hw/xen/interface/event_channel.h"

/*
 * Set-up.  There is one event channel state per process, for the guest
 * domain guest_domid (1 .. DOMID_FIRST_RESERVED - 1; the VMM itself is
 * DOMID_QEMU).  Destroying it frees every port; backend handles that are
 * still open stay valid but unbound, and their calls fail with -ENODEV
 * until they are closed.
 */
bool xen_evtchn_create(domid_t guest_domid, Error **errp);
void xen_evtchn_destroy(void);

/*
 * Machine reset: closes every guest port and clears every pending and
 * mask bit.  Backend ports stay with their handles, unbound from the
 * guest (see xen_be_evtchn_bind_interdomain).
 */
void xen_evtchn_reset(void);

/*
 * How many vCPUs the guest has (1 .. XEN_EVTCHN_MAX_VCPUS; 1 after
 * create).  bind_ipi, bind_virq and bind_vcpu refuse other vCPU ids.
 */
#define XEN_EVTCHN_MAX_VCPUS 32
bool xen_evtchn_set_nr_vcpus(uint32_t nr_vcpus);

/*
 * Called when a guest port becomes pending while unmasked, and when a
 * pending port is unmasked: the point where a vCPU would get its upcall
 * (evtchn_upcall_pending and the vector).  NULL removes the hook.
 */
typedef void XenEvtchnUpcallFn(void *opaque, evtchn_port_t port);
void xen_evtchn_set_upcall(XenEvtchnUpcallFn *fn, void *opaque);

/*
 * For a guest whose pending and mask bits live in its shared_info page,
 * kept there by KVM's Xen support, not in this table: every event for a
 * guest port goes to raise() (which sets the bit and delivers, as
 * KVM_XEN_HVM_EVTCHN_SEND does), and EVTCHNOP_unmask goes to unmask()
 * (which clears the mask bit and redelivers a pending port).  The table's
 * own pending and mask bits stay clear.  NULL raise() goes back to the
 * table's bits and xen_evtchn_set_upcall().
 */
void xen_evtchn_set_guest_delivery(XenEvtchnUpcallFn *raise,
                                   XenEvtchnUpcallFn *unmask, void *opaque);

/*
 * The guest's hypercalls, as Xen defines them (hw/xen/interface/
 * event_channel.h): 0 or -errno, OUT fields filled in on success.
 * Ports are 1 .. EVTCHN_2L_NR_CHANNELS - 1.  The guest may name itself as
 * DOMID_SELF or by its domid; an interdomain peer is the guest itself
 * (loopback) or DOMID_QEMU (a backend port of the VMM).
 *   -EINVAL  a port out of range, or not in the state the call needs
 *   -ESRCH   a domain that does not exist here
 *   -EPERM   a domain the guest may not act for (DOMID_QEMU)
 *   -ENOSPC  no free port left
 *   -ENOENT  a vCPU the guest does not have
 *   -EEXIST  a VIRQ already bound on that vCPU
 *   -ENOSYS  no event channel state was created
 * bind_virq: a global VIRQ must be bound on vCPU 0 (-EINVAL otherwise);
 * bind_vcpu moves unbound, interdomain and global VIRQ ports (IPI and
 * per-vCPU VIRQ ports: -EINVAL).  Sending on an IPI port makes it
 * pending; on a VIRQ port it is -EINVAL.  The vCPU of a port is in
 * status.vcpu; the save stream keeps it for IPI and VIRQ ports only
 * (others are on vCPU 0 after a load).
 * bind_interdomain leaves the new local port pending, as Xen does, so
 * that nothing the peer sent while unbound is lost.
 */
int xen_evtchn_alloc_unbound_op(struct evtchn_alloc_unbound *alloc);
int xen_evtchn_bind_interdomain_op(struct evtchn_bind_interdomain *bind);
int xen_evtchn_send_op(struct evtchn_send *send);
int xen_evtchn_close_op(struct evtchn_close *close);
int xen_evtchn_status_op(struct evtchn_status *status);
int xen_evtchn_unmask_op(struct evtchn_unmask *unmask);
int xen_evtchn_bind_ipi_op(struct evtchn_bind_ipi *ipi);
int xen_evtchn_bind_virq_op(struct evtchn_bind_virq *virq);
int xen_evtchn_bind_vcpu_op(struct evtchn_bind_vcpu *vcpu);

/*
 * The pending and mask bits of a guest port, as the guest sees them in
 * shared_info.  The guest clears pending bits and sets or clears mask
 * bits itself; these are that access.  0 or -EINVAL.
 */
int xen_evtchn_get_port_bits(evtchn_port_t port, bool *pending,
                             bool *masked);
int xen_evtchn_clear_port_pending(evtchn_port_t port);
int xen_evtchn_set_port_mask(evtchn_port_t port, bool masked);

/*
 * Save/load of the whole port table (guest ports with their bits, and
 * backend port numbers with the guest port each is bound to) in a
 * versioned binary format.  The loading side must have been created with
 * the same guest domid.  Corrupt or inconsistent input is refused with
 * an error saying what is wrong, and leaves the current state untouched.
 * After a load every open backend handle is unbound; the loaded backend
 * ports wait for their device to take them back
 * (xen_be_evtchn_bind_interdomain with the guest port, or
 * xen_be_evtchn_reclaim with the backend port).
 */
GByteArray *xen_evtchn_save(void);
bool xen_evtchn_load(const uint8_t *data, size_t len, Error **errp);

/*
 * Backend handles (the VMM's side, shaped like libxenevtchn).  A handle
 * owns at most one backend port, numbered in the VMM's own port space
 * and stable for the life of the handle: when the guest closes its end,
 * the backend port stays with the handle, unbound, and the guest can
 * bind to it again with EVTCHNOP_bind_interdomain(DOMID_QEMU, port),
 * or the handle can be bound again to a new unbound guest port; either
 * way its number does not change.
 */
typedef struct XenEvtchnBeHandle XenEvtchnBeHandle;

/* A new handle with its eventfd, or NULL (errno set). */
XenEvtchnBeHandle *xen_be_evtchn_open(void);

/*
 * Bind the handle to guest_port of domain domid (the guest's), which
 * must be unbound with remote DOMID_QEMU; or, after a load, be bound to a
 * backend port no handle has taken yet (which this handle takes).
 * Returns the backend port, or -EINVAL (bad port or state), -ESRCH (not
 * the guest's domid), -EBUSY (the handle is bound to another live guest
 * port), -ENOSPC, -ENODEV.
 */
int xen_be_evtchn_bind_interdomain(XenEvtchnBeHandle *h, uint32_t domid,
                                   evtchn_port_t guest_port);

/*
 * After a load: take back be_port, which no handle owns.  0, or -EINVAL
 * (no such loaded port, or it is owned), -EBUSY (h owns a port).
 */
int xen_be_evtchn_reclaim(XenEvtchnBeHandle *h, evtchn_port_t be_port);
/* What xen_be_evtchn_reclaim() would return, taking nothing. */
int xen_be_evtchn_check_reclaim(XenEvtchnBeHandle *h,
                                evtchn_port_t be_port);

/*
 * Give up the backend port: the guest's end, if bound, becomes unbound
 * with remote DOMID_QEMU (as when a peer closes in Xen).  0 or -EINVAL.
 */
int xen_be_evtchn_unbind(XenEvtchnBeHandle *h, evtchn_port_t be_port);

/* Unbind (if bound), close the eventfd and free h.  NULL is allowed. */
int xen_be_evtchn_close(XenEvtchnBeHandle *h);

/* The eventfd the main loop watches; readable when a port is pending. */
int xen_be_evtchn_fd(XenEvtchnBeHandle *h);

/*
 * Mark the guest's end of be_port pending (upcall if unmasked).  0, or
 * -EINVAL (not this handle's port), -ENOTCONN (the guest has closed its
 * end), -ENODEV.
 */
int xen_be_evtchn_notify(XenEvtchnBeHandle *h, evtchn_port_t be_port);

/*
 * Consume the eventfd's signal and return the handle's port if the
 * guest has sent on it since it was last returned and unmasked, else 0.
 * A returned port is masked: further sends are held until
 * xen_be_evtchn_unmask(), which signals the eventfd again if one came.
 */
int xen_be_evtchn_pending(XenEvtchnBeHandle *h);
int xen_be_evtchn_unmask(XenEvtchnBeHandle *h, evtchn_port_t be_port);

#endif
