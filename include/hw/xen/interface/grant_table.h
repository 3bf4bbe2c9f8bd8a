/*
 * Grant table v1 entries and the references reserved for the toolstack
 * (Xen public ABI).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_XEN_INTERFACE_GRANT_TABLE_H
#define HW_XEN_INTERFACE_GRANT_TABLE_H

#include "hw/xen/interface/xen.h"

typedef uint32_t grant_ref_t;

/* One entry: the granting domain lets domid access frame, per flags. */
struct grant_entry_v1 {
    uint16_t flags;
    domid_t domid;
    uint32_t frame;
};

/* The type of a grant, in the low two bits of flags. */
#define GTF_invalid             0
#define GTF_permit_access       1
#define GTF_accept_transfer     2
#define GTF_transitive          3
#define GTF_type_mask           3
/* Further flags of an access grant. */
#define GTF_readonly            (1U << 2)
#define GTF_reading             (1U << 3)
#define GTF_writing             (1U << 4)

/* GNTTABOP_* (grant_table_op(cmd, uop, count)). */
#define GNTTABOP_setup_table        2
#define GNTTABOP_query_size         6
#define GNTTABOP_set_version        8
#define GNTTABOP_get_version        10

/* Status codes in the struct (the call itself returns 0). */
#define GNTST_okay                  0
#define GNTST_bad_domain            (-1)

/* IN dom; OUT nr_frames, max_nr_frames, status. */
struct gnttab_query_size {
    domid_t dom;
    uint32_t nr_frames;
    uint32_t max_nr_frames;
    int16_t status;
};

/* IN version (1 or 2); OUT the version in use. */
struct gnttab_set_version {
    uint32_t version;
};

/* Entries the toolstack fills in before the guest starts. */
#define GNTTAB_RESERVED_CONSOLE     0
#define GNTTAB_RESERVED_XENSTORE    1
#define GNTTAB_NR_RESERVED_ENTRIES  8

#endif
