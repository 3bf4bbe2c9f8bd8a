/*
 * The world of the xen-xenstore device tests: the device on its event
 * channels with a booted simulated guest (xs-guest.c), and the steps and
 * checks both device test programs share (migration, ring faults).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_SUPPORT_XS_WORLD_H
#define TESTS_SUPPORT_XS_WORLD_H

#include "hw/xen/interface/event_channel.h"
#include "hw/i386/kvm/xen_xenstore.h"
#include "hw/xen/xenstore_impl.h"
#include "xs-guest.h"

#define GUEST_DOMID 1
#define GUEST_NAME "guest-one"
#define GUEST_MEMORY_KIB 524288

typedef struct World {
    XenXenstoreState *s;
    XsGuest g;
} World;

/* The guest's configuration: one device per machine is made from it. */
extern const XenXenstoreConfig world_cfg;

/* Event channels and a realized device, not reset (the guest not up). */
XenXenstoreState *world_device(void);
/* A booted guest: device realized and reset, frontend attached. */
void world_up(World *w);
/* Everything torn down; asserts nothing is left registered. */
void world_down(World *w);
/* Save, destroy, rebuild and load both device and event channels. */
void world_migrate(World *w);
XenstoreImplState *world_store(World *w);
struct xenstore_domain_interface *world_ring(World *w);

/* Domain 0's view of the store, as a backend or the toolstack. */
void dom0_write(World *w, const char *path, const char *value);
/* A new string, or NULL if the node cannot be read. */
char *dom0_read(World *w, const char *path);

/* EVTCHNOP_status of a port of the guest; ports not closed. */
struct evtchn_status port_status(evtchn_port_t port);
unsigned int guest_ports_in_use(void);

/* The guest asks for a reconnection and waits for it. */
void guest_reconnect(World *w);
/* The ring stays in error: whatever the guest does, nothing is served. */
void assert_stopped(World *w, uint32_t error);
/* A session with a watch and an open transaction, to be lost. */
uint32_t busy_session(World *w);

typedef enum RingFault {
    FAULT_REQ_IDX,              /* req_prod - req_cons > ring size */
    FAULT_RSP_IDX,              /* rsp_cons beyond rsp_prod */
    FAULT_PROTO,                /* len > XENSTORE_PAYLOAD_MAX */
} RingFault;

/* Make the guest break the ring that way; returns the error expected. */
uint32_t inject_fault(World *w, RingFault f);

/* A backend watch callback counting its calls in *(unsigned int *)opaque. */
void count_cb(void *opaque, const char *path);

#endif
