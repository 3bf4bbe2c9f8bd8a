/*
 * qemu-xenkvm: boots a Linux kernel as a Xen HVM guest on KVM's own Xen
 * support.  main only: xenkvm-options.c parses the command line, the
 * machine does the rest.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <errno.h>
#include "xenkvm/machine.h"
#include "xenkvm/xenkvm-options.h"
#include "sysemu/kvm.h"
#include "sysemu/kvm-xen.h"
#include "qemu/trace-control.h"

#define PROG XENKVM_PROG

int main(int argc, char **argv)
{
    XenKVMOptions o;
    g_autoptr(Error) err = NULL;
    XenKVMConfig cfg = { 0 };
    XenKVMMachine *m;
    const char *why = NULL;
    FILE *serial = stdout;
    int rc;

    /* $QEMU_TRACE first, so that -trace can refine it. */
    trace_init_from_env();
    rc = xenkvm_parse_options(argc, argv, &o, &err);
    if (rc < 0) {
        fprintf(stderr, PROG ": %s\n", error_get_pretty(err));
        return 1;
    }
    if (rc > 0) {
        if (o.want_help) {
            xenkvm_usage(stdout);
        } else {
            xenkvm_print_version(stdout);
        }
        return 0;
    }
    if (!kvm_available(&err)) {
        fprintf(stderr, PROG ": KVM is not available: %s\n",
                error_get_pretty(err));
        return 1;
    }
    if (!kvm_xen_check_host(NULL, &err)) {
        /* The message names what is missing. */
        fprintf(stderr, PROG ": %s\n", error_get_pretty(err));
        return 1;
    }
    if (!strcmp(o.serial, "none")) {
        serial = NULL;
    } else if (!strncmp(o.serial, "file:", 5)) {
        serial = fopen(o.serial + 5, "w");
        if (!serial) {
            fprintf(stderr, PROG ": -serial %s: %s\n", o.serial,
                    g_strerror(errno));
            return 1;
        }
    }
    cfg = (XenKVMConfig) {
        .ram_size = o.ram_size, .kernel = o.kernel, .cmdline = o.append,
        .serial = serial, .xen_version = o.xen_version,
        .initrd = o.initrd, .domid = o.domid, .name = o.name,
        .xenstore_socket = o.xenstore_socket, .no_reboot = o.no_reboot,
    };
    m = xenkvm_machine_new(&cfg, &err);
    if (!m) {
        fprintf(stderr, PROG ": %s\n", error_get_pretty(err));
        return 1;
    }
    rc = 0;
    if (xenkvm_machine_run(m, &why, &err)) {
        fprintf(stderr, PROG ": %s\n", why);
    } else {
        fprintf(stderr, PROG ": %s\n", error_get_pretty(err));
        rc = 1;
    }
    xenkvm_machine_free(m);
    if (serial && serial != stdout) {
        fclose(serial);
    }
    return rc;
}
