/*
 * The guest-physical area where an emulated Xen guest finds its special
 * pages (console and XenStore rings), and the HVM parameters naming them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_XEN_SPECIAL_PAGES_H
#define HW_XEN_SPECIAL_PAGES_H

#include "hw/xen/interface/xen.h"

/*
 * Eight pages just below 0xff000000 (the top 16 MiB, where firmware
 * lives): guest RAM stays below XEN_SPECIAL_AREA_ADDR.
 */
#define XEN_SPECIAL_AREA_ADDR   0xfeff8000ULL
#define XEN_SPECIAL_AREA_PAGES  8
#define XEN_SPECIAL_AREA_SIZE   (XEN_SPECIAL_AREA_PAGES * XEN_PAGE_SIZE)

#define XEN_SPECIAL_PFN_BASE    (XEN_SPECIAL_AREA_ADDR >> XEN_PAGE_SHIFT)
#define XEN_SPECIALPAGE_CONSOLE 0
#define XEN_SPECIALPAGE_XENSTORE 1
#define XEN_SPECIAL_PFN(page)   (XEN_SPECIAL_PFN_BASE + XEN_SPECIALPAGE_##page)

/* XEN_SPECIAL_PFN(CONSOLE) == 0xfeff8, XEN_SPECIAL_PFN(XENSTORE) == 0xfeff9 */
#define XEN_CONSOLE_PFN         XEN_SPECIAL_PFN(CONSOLE)
#define XEN_XENSTORE_PFN        XEN_SPECIAL_PFN(XENSTORE)

/* HVM parameters through which the guest learns them (HVMOP_get_param). */
#define HVM_PARAM_STORE_PFN     1
#define HVM_PARAM_STORE_EVTCHN  2
#define HVM_PARAM_CONSOLE_PFN   17
#define HVM_PARAM_CONSOLE_EVTCHN 18

#endif
