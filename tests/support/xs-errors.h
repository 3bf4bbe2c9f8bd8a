/*
 * XenStore error names for tests, on top of the codec's own table
 * (xs_error_name / xs_error_from_name): what a test prints for a return
 * code, whether a code is in the table, and the errno of an error reply.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_SUPPORT_XS_ERRORS_H
#define TESTS_SUPPORT_XS_ERRORS_H

/* Whether err is 0 or an errno of the XenStore error table. */
bool xt_errno_known(int err);

/*
 * A name to print for a store's return code: "OK" for 0, the table's
 * name for one of its errnos, "(unknown errno)" otherwise.
 */
const char *xt_errname(int err);

/*
 * The errno an XS_ERROR payload names, or 0 unless it is exactly a name
 * of the table and its NUL (len bytes, the NUL included).
 */
int xt_error_payload_errno(const void *payload, size_t len);

#endif
