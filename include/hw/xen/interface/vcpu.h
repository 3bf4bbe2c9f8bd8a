/*
 * vcpu_op sub-ops and the vcpu_info registration argument (Xen public
 * ABI).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_XEN_INTERFACE_VCPU_H
#define HW_XEN_INTERFACE_VCPU_H

#define VCPUOP_initialise                   0
#define VCPUOP_up                           1
#define VCPUOP_down                         2
#define VCPUOP_is_up                        3
#define VCPUOP_get_runstate_info            4
#define VCPUOP_register_runstate_memory_area 5
#define VCPUOP_set_periodic_timer           6
#define VCPUOP_stop_periodic_timer          7
#define VCPUOP_set_singleshot_timer         8
#define VCPUOP_stop_singleshot_timer        9
#define VCPUOP_register_vcpu_info           10
#define VCPUOP_register_vcpu_time_memory_area 13

/* The vCPU's vcpu_info at offset in guest frame mfn; rsvd must be 0. */
struct vcpu_register_vcpu_info {
    uint64_t mfn;
    uint32_t offset;
    uint32_t rsvd;
};

/* Bytes of one vcpu_info (64-bit layout). */
#define XEN_VCPU_INFO_SIZE                  64

#endif
