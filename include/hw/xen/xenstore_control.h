/*
 * The text requests of XenStore: CONTROL commands and the quota names
 * and values of GET_QUOTA / SET_QUOTA, on the arguments the wire codec
 * has split out of a payload; and the decimal numbers requests carry.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_XENSTORE_CONTROL_H
#define QEMU_XENSTORE_CONTROL_H

#include "hw/xen/xenstore_impl.h"

/* A decimal unsigned 32-bit number, the whole string. */
bool xs_parse_u32(const char *s, unsigned int *val);

/* A real domain id in decimal: below the reserved DOMID_ values. */
bool xs_parse_domid(const char *s, unsigned int *domid);

/*
 * Each call takes the request's @argc NUL-terminated strings @argv, as
 * sent by domain @caller, and returns 0 or a positive errno (EINVAL for
 * arguments it does not take).  Those with @out append the reply
 * payload to it on success.
 */

/*
 * GET_QUOTA: no argument lists the quota names; "name" reads the
 * default; "domid", "name" one domain's value.  An unprivileged caller
 * may read the names, the defaults and its own domain's values only
 * (EACCES).
 */
int xs_control_get_quota(XenstoreImplState *store, unsigned int caller,
                         const char *const *argv, int argc,
                         GByteArray *out);

/* SET_QUOTA: "name", "value" sets the default; "domid" first, one domain's. */
int xs_control_set_quota(XenstoreImplState *store, const char *const *argv,
                         int argc);

/*
 * CONTROL: "help" lists the commands; "quota" prints the default
 * quotas, "quota", "domid" one domain's and the nodes it owns, "quota",
 * "name", "value" sets a default.  The reply is text and a NUL.
 */
int xs_control_run(XenstoreImplState *store, const char *const *argv,
                   int argc, GByteArray *out);

#endif
