/*
 * hvm_op sub-ops, HVM parameters and the callback-via encoding (Xen
 * public ABI).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_XEN_INTERFACE_HVM_H
#define HW_XEN_INTERFACE_HVM_H

#include "hw/xen/interface/xen.h"

#define HVMOP_set_param                 0
#define HVMOP_get_param                 1
#define HVMOP_pagetable_dying           9
#define HVMOP_get_time                  10
#define HVMOP_set_evtchn_upcall_vector  23

/* IN domid, index; IN (set) or OUT (get) value. */
struct xen_hvm_param {
    domid_t domid;
    uint32_t index;
    uint64_t value;
};

/* IN vcpu, vector: the per-vCPU upcall, through the local APIC. */
struct xen_hvm_evtchn_upcall_vector {
    uint32_t vcpu;
    uint8_t vector;
};

#define HVM_PARAM_CALLBACK_IRQ          0
#define HVM_PARAM_STORE_PFN             1
#define HVM_PARAM_STORE_EVTCHN          2
#define HVM_PARAM_PAE_ENABLED           4
#define HVM_PARAM_IOREQ_PFN             5
#define HVM_PARAM_BUFIOREQ_PFN          6
#define HVM_PARAM_TIMER_MODE            10
#define HVM_PARAM_HPET_ENABLED          11
#define HVM_PARAM_CONSOLE_PFN           17
#define HVM_PARAM_CONSOLE_EVTCHN        18
#define HVM_NR_PARAMS                   39

/*
 * HVM_PARAM_CALLBACK_IRQ: the type in bits 63:56, then the GSI, the PCI
 * INTx, or the vector in bits 7:0.
 */
#define HVM_PARAM_CALLBACK_IRQ_TYPE_SHIFT   56
#define HVM_PARAM_CALLBACK_TYPE_GSI         0
#define HVM_PARAM_CALLBACK_TYPE_PCI_INTX    1
#define HVM_PARAM_CALLBACK_TYPE_VECTOR      2

#endif
