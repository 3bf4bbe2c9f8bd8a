/*
 * Xen public ABI numbers this project needs outside the store protocol:
 * hypercall numbers, special domain ids and the page size.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_XEN_INTERFACE_XEN_H
#define HW_XEN_INTERFACE_XEN_H

typedef uint16_t domid_t;

#define DOMID_FIRST_RESERVED 0x7FF0U
#define DOMID_SELF           0x7FF0U
#define DOMID_IO             0x7FF1U
#define DOMID_XEN            0x7FF2U
#define DOMID_COW            0x7FF3U
#define DOMID_INVALID        0x7FF4U
#define DOMID_ANY            0x7FF5U
#define DOMID_IDLE           0x7FFFU

/* The VMM plays the privileged domain. */
#define DOMID_QEMU           0

/* Hypercall numbers (RAX). */
#define __HYPERVISOR_memory_op          12
#define __HYPERVISOR_set_timer_op       15
#define __HYPERVISOR_xen_version        17
#define __HYPERVISOR_console_io         18
#define __HYPERVISOR_grant_table_op     20
#define __HYPERVISOR_vm_assist          21
#define __HYPERVISOR_vcpu_op            24
#define __HYPERVISOR_sched_op           29
#define __HYPERVISOR_event_channel_op   32
#define __HYPERVISOR_physdev_op         33
#define __HYPERVISOR_hvm_op             34

#define XEN_PAGE_SHIFT       12
#define XEN_PAGE_SIZE        (1UL << XEN_PAGE_SHIFT)

/*
 * shared_info layout (64-bit guest): 32 legacy vcpu_info slots of 64
 * bytes, then the 2-level evtchn_pending and evtchn_mask bitmaps of 64
 * unsigned longs each.
 */
#define XEN_LEGACY_MAX_VCPUS        32
#define XEN_VCPU_INFO_SIZE          64
#define XEN_SHINFO_EVTCHN_PENDING   (XEN_LEGACY_MAX_VCPUS * XEN_VCPU_INFO_SIZE)
#define XEN_SHINFO_EVTCHN_MASK      (XEN_SHINFO_EVTCHN_PENDING + 64 * 8)

#endif
