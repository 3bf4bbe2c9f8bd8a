/*
 * Event-channel operations as a guest issues them, one call each, for
 * the tests of the port table: the structs filled, the op called.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_EVTCHN_OPS_H
#define TESTS_EVTCHN_OPS_H

#include "hw/i386/kvm/xen_evtchn.h"

/* A new port for remote (asserted to succeed). */
evtchn_port_t alloc_unbound(domid_t remote);
int send_port(evtchn_port_t port);
int close_port(evtchn_port_t port);
int unmask_port(evtchn_port_t port);

#endif
