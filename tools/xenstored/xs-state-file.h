/*
 * qemu-xenstored's state file: the xen-xenstore device and the event
 * channel state of its guest in one checksummed file, written so that a
 * crash leaves either the old file or the new one, never half of one.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef XS_STATE_FILE_H
#define XS_STATE_FILE_H

#include "qemu/error.h"
#include "hw/i386/kvm/xen_xenstore.h"

/* Write a temporary file beside @path (mode 0600), then rename it. */
bool xs_state_file_save(const char *path, XenXenstoreState *s,
                        Error **errp);

/*
 * Load a file xs_state_file_save() wrote, for the same guest domid,
 * into a freshly realized device (before any client is served).  A
 * corrupt, truncated or foreign file fails with a message saying which;
 * the device and event channels may then be half loaded, so the caller
 * must not carry on with them.
 */
bool xs_state_file_load(const char *path, XenXenstoreState *s,
                        Error **errp);

#endif
