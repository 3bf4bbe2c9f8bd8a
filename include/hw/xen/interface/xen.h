/*
 * Xen public ABI numbers this project needs outside the store protocol:
 * special domain ids and the reserved guest-physical pages.
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

#define XEN_PAGE_SHIFT       12
#define XEN_PAGE_SIZE        (1UL << XEN_PAGE_SHIFT)

#endif
