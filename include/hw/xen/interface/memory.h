/*
 * memory_op sub-op numbers and the add_to_physmap argument (Xen public
 * ABI, 64-bit guest layout).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_XEN_INTERFACE_MEMORY_H
#define HW_XEN_INTERFACE_MEMORY_H

#include "hw/xen/interface/xen.h"

#define XENMEM_increase_reservation     0
#define XENMEM_decrease_reservation     1
#define XENMEM_populate_physmap         6
#define XENMEM_add_to_physmap           7

#define XENMAPSPACE_shared_info         0
#define XENMAPSPACE_grant_table         1
#define XENMAPSPACE_gmfn                2
#define XENMAPSPACE_gmfn_range          3
#define XENMAPSPACE_gmfn_foreign        4
#define XENMAPSPACE_dev_mmio            5

/* In idx of XENMAPSPACE_grant_table: a status frame (v2 only). */
#define XENMAPIDX_grant_table_status    0x80000000U

/* Place page idx of space at guest frame gpfn. */
struct xen_add_to_physmap {
    domid_t domid;
    uint16_t size;              /* gmfn_range only */
    uint32_t space;
    uint64_t idx;
    uint64_t gpfn;
};

#endif
