/*
 * qemu-xenkvm: boots a Linux kernel as a Xen HVM guest on KVM's own Xen
 * support.  Options are spelt as QEMU's; this file only parses them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <errno.h>
#include "xenkvm/machine.h"
#include "sysemu/kvm.h"
#include "sysemu/kvm-xen.h"

#define PROG "qemu-xenkvm"
#define DEFAULT_RAM_MIB 512
#define XEN_VERSION_4_17 0x40011

typedef struct Options {
    const char *kernel;
    const char *append;
    uint64_t ram_size;
    const char *serial;         /* "stdio" or "file:PATH" */
} Options;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: " PROG " -kernel BZIMAGE [options]\n"
            "  -kernel BZIMAGE   the Linux kernel to boot\n"
            "  -append CMDLINE   its command line\n"
            "  -m SIZE           RAM in MiB, or with a suffix M or G"
            " (default %d)\n"
            "  -nographic        no display: COM1 on stdio\n"
            "  -serial stdio|file:PATH  where COM1's output goes\n"
            "  -h, -help         this text\n", DEFAULT_RAM_MIB);
}

/* "512", "512M", "1G" → bytes; false on anything else. */
static bool parse_size(const char *s, uint64_t *bytes)
{
    char *end;
    guint64 v;
    unsigned shift = 20;

    errno = 0;
    if (!g_ascii_isdigit(*s)) {
        return false;
    }
    v = g_ascii_strtoull(s, &end, 10);
    if (errno) {
        return false;
    }
    if (*end == 'M' || *end == 'm') {
        end++;
    } else if (*end == 'G' || *end == 'g') {
        shift = 30;
        end++;
    }
    if (*end || v == 0 || v > (UINT64_MAX >> shift)) {
        return false;
    }
    *bytes = v << shift;
    return true;
}

/* 0: parsed; 1: help printed; -1: error printed. */
static int parse_options(int argc, char **argv, Options *o)
{
    o->ram_size = (uint64_t)DEFAULT_RAM_MIB << 20;
    o->serial = "stdio";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;

        /* QEMU takes both -opt and --opt. */
        if (a[0] == '-' && a[1] == '-') {
            a++;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "-help")) {
            usage(stdout);
            return 1;
        }
        if (!strcmp(a, "-nographic")) {
            o->serial = "stdio";
            continue;
        }
        if (strcmp(a, "-kernel") && strcmp(a, "-append") &&
            strcmp(a, "-m") && strcmp(a, "-serial")) {
            fprintf(stderr, PROG ": unknown option '%s' (try -help)\n",
                    argv[i]);
            return -1;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, PROG ": option '%s' needs an argument\n",
                    argv[i]);
            return -1;
        }
        val = argv[++i];
        if (!strcmp(a, "-kernel")) {
            o->kernel = val;
        } else if (!strcmp(a, "-append")) {
            o->append = val;
        } else if (!strcmp(a, "-m")) {
            if (!parse_size(val, &o->ram_size)) {
                fprintf(stderr, PROG ": -m '%s': not a size in MiB"
                        " (e.g. 512, 512M, 1G)\n", val);
                return -1;
            }
        } else if (strcmp(val, "stdio") &&
                   (strncmp(val, "file:", 5) || !val[5])) {
            fprintf(stderr, PROG ": -serial '%s': stdio and file:PATH"
                    " are supported\n", val);
            return -1;
        } else {
            o->serial = val;
        }
    }
    if (!o->kernel) {
        fprintf(stderr, PROG ": no kernel: -kernel BZIMAGE is needed\n");
        return -1;
    }
    if (o->ram_size > KVM_RAM_LIMIT) {
        fprintf(stderr, PROG ": -m: at most %llu MiB are supported\n",
                KVM_RAM_LIMIT >> 20);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    Options o = { 0 };
    g_autoptr(Error) err = NULL;
    XenKVMConfig cfg = { 0 };
    XenKVMMachine *m;
    const char *why = NULL;
    FILE *serial = stdout;
    int rc;

    rc = parse_options(argc, argv, &o);
    if (rc) {
        return rc > 0 ? 0 : 1;
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
    if (!strncmp(o.serial, "file:", 5)) {
        serial = fopen(o.serial + 5, "w");
        if (!serial) {
            fprintf(stderr, PROG ": -serial %s: %s\n", o.serial,
                    g_strerror(errno));
            return 1;
        }
    }
    cfg = (XenKVMConfig) {
        .ram_size = o.ram_size, .kernel = o.kernel, .cmdline = o.append,
        .serial = serial, .serial_input = serial == stdout,
        .xen_version = XEN_VERSION_4_17,
    };
    m = xenkvm_machine_new(&cfg, &err);
    if (!m) {
        fprintf(stderr, PROG ": %s\n", error_get_pretty(err));
        return 1;
    }
    /* 0 only for a clean poweroff, as QEMU's exit status. */
    rc = xenkvm_machine_run(m, &why) == XENKVM_POWEROFF ? 0 : 1;
    fprintf(stderr, PROG ": %s\n", why);
    xenkvm_machine_free(m);
    if (serial != stdout) {
        fclose(serial);
    }
    return rc;
}
