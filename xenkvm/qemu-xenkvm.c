/*
 * qemu-xenkvm: boots a Linux kernel as a Xen HVM guest on KVM's own Xen
 * support.  main only: xenkvm-options.c parses the command line, the
 * machine does the rest.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <errno.h>
#include <signal.h>
#include <termios.h>
#include "xenkvm/machine.h"
#include "xenkvm/xenkvm-options.h"
#include "sysemu/kvm.h"
#include "sysemu/kvm-xen.h"
#include "qemu/trace-control.h"

#define PROG XENKVM_PROG

static struct termios saved_tty;
static bool tty_saved;

static void terminal_restore(void)
{
    if (tty_saved) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
    }
}

/* Killed by ^C or a signal: the terminal still comes back. */
static void terminal_signal(int sig)
{
    terminal_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

/*
 * Keys go to the guest as typed (its shell echoes and edits), except
 * that ^C still stops qemu-xenkvm: ISIG stays on.
 */
static void terminal_raw(void)
{
    struct termios t;

    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty) < 0) {
        return;
    }
    tty_saved = true;
    atexit(terminal_restore);
    signal(SIGINT, terminal_signal);
    signal(SIGTERM, terminal_signal);
    signal(SIGHUP, terminal_signal);
    t = saved_tty;
    t.c_iflag &= ~(ICRNL | IXON | INLCR | IGNCR);
    t.c_lflag &= ~(ICANON | ECHO | IEXTEN);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

int main(int argc, char **argv)
{
    XenKVMOptions o;
    g_autoptr(Error) err = NULL;
    XenKVMConfig cfg = { 0 };
    XenKVMMachine *m;
    const char *why = NULL;
    XenKVMStatus status;
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
        .serial = serial, .serial_input = serial == stdout,
        .xen_version = o.xen_version,
        .initrd = o.initrd, .domid = o.domid, .name = o.name,
        .xenstore_socket = o.xenstore_socket, .no_reboot = o.no_reboot,
        .nr_disks = o.nr_drives, .nr_consoles = o.nr_consoles,
    };
    for (unsigned i = 0; i < o.nr_drives; i++) {
        cfg.disks[i].file = o.drives[i].file;
        cfg.disks[i].readonly = o.drives[i].readonly;
    }
    for (unsigned i = 0; i < o.nr_consoles; i++) {
        cfg.consoles[i] = xenkvm_options_chardev(&o, o.consoles[i]);
    }
    m = xenkvm_machine_new(&cfg, &err);
    if (m && cfg.serial_input) {
        terminal_raw();
    }
    if (!m) {
        fprintf(stderr, PROG ": %s\n", error_get_pretty(err));
        return 1;
    }
    /* As QEMU: 0 for a poweroff, or a reboot under -no-reboot. */
    status = xenkvm_machine_run(m, &why);
    rc = status == XENKVM_POWEROFF || status == XENKVM_REBOOT ? 0 : 1;
    fprintf(stderr, PROG ": %s\n", why);
    xenkvm_machine_free(m);
    if (serial && serial != stdout) {
        fclose(serial);
    }
    xenkvm_options_free(&o);
    return rc;
}
