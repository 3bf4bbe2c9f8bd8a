/*
 * Probe for KVM's Xen support, the base of the Xen HVM VMM: the bits of
 * KVM_CAP_XEN_HVM it needs, and a VM that accepts a Xen configuration.
 * Skipped, with the reason, where /dev/kvm has no (or too little) of it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include "sysemu/kvm.h"

/*
 * KVM_CAP_XEN_HVM flags and attribute types, numbered as in Linux's
 * include/uapi/linux/kvm.h, for system headers older than that.
 */
#ifndef KVM_CAP_XEN_HVM
#define KVM_CAP_XEN_HVM 38
#endif
#ifndef KVM_XEN_HVM_CONFIG_HYPERCALL_MSR
#define KVM_XEN_HVM_CONFIG_HYPERCALL_MSR (1 << 0)
#endif
#ifndef KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL
#define KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL (1 << 1)
#endif
#ifndef KVM_XEN_HVM_CONFIG_SHARED_INFO
#define KVM_XEN_HVM_CONFIG_SHARED_INFO (1 << 2)
#endif
#ifndef KVM_XEN_HVM_CONFIG_RUNSTATE
#define KVM_XEN_HVM_CONFIG_RUNSTATE (1 << 3)
#endif
#ifndef KVM_XEN_HVM_CONFIG_EVTCHN_2LEVEL
#define KVM_XEN_HVM_CONFIG_EVTCHN_2LEVEL (1 << 4)
#endif
#ifndef KVM_XEN_HVM_CONFIG_EVTCHN_SEND
#define KVM_XEN_HVM_CONFIG_EVTCHN_SEND (1 << 5)
#endif
#ifndef KVM_XEN_HVM_CONFIG_RUNSTATE_UPDATE_FLAG
#define KVM_XEN_HVM_CONFIG_RUNSTATE_UPDATE_FLAG (1 << 6)
#endif
#ifndef KVM_XEN_HVM_CONFIG_PVCLOCK_TSC_UNSTABLE
#define KVM_XEN_HVM_CONFIG_PVCLOCK_TSC_UNSTABLE (1 << 7)
#endif
#ifndef KVM_XEN_HVM_CONFIG_SHARED_INFO_HVA
#define KVM_XEN_HVM_CONFIG_SHARED_INFO_HVA (1 << 8)
#endif
#ifndef KVM_XEN_ATTR_TYPE_LONG_MODE
#define KVM_XEN_ATTR_TYPE_LONG_MODE 0x0
#endif

/* What the VMM relies on (hypercalls reach it, events go in-kernel). */
#define XEN_CAPS_NEEDED (KVM_XEN_HVM_CONFIG_HYPERCALL_MSR | \
                         KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL | \
                         KVM_XEN_HVM_CONFIG_SHARED_INFO | \
                         KVM_XEN_HVM_CONFIG_EVTCHN_SEND)

/* Any MSR number but 0 turns KVM's hypercall interception on. */
#define XEN_HYPERCALL_MSR 0x40000000

static const struct {
    int bit;
    const char *name;
} xen_cap_names[] = {
    { KVM_XEN_HVM_CONFIG_HYPERCALL_MSR, "HYPERCALL_MSR" },
    { KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL, "INTERCEPT_HCALL" },
    { KVM_XEN_HVM_CONFIG_SHARED_INFO, "SHARED_INFO" },
    { KVM_XEN_HVM_CONFIG_RUNSTATE, "RUNSTATE" },
    { KVM_XEN_HVM_CONFIG_EVTCHN_2LEVEL, "EVTCHN_2LEVEL" },
    { KVM_XEN_HVM_CONFIG_EVTCHN_SEND, "EVTCHN_SEND" },
    { KVM_XEN_HVM_CONFIG_RUNSTATE_UPDATE_FLAG, "RUNSTATE_UPDATE_FLAG" },
    { KVM_XEN_HVM_CONFIG_PVCLOCK_TSC_UNSTABLE, "PVCLOCK_TSC_UNSTABLE" },
    { KVM_XEN_HVM_CONFIG_SHARED_INFO_HVA, "SHARED_INFO_HVA" },
};

/* "A B C" for the flags set in caps, unknown ones in hex. */
static char *xen_caps_str(int caps)
{
    GString *s = g_string_new(NULL);
    int rest = caps;

    for (size_t i = 0; i < G_N_ELEMENTS(xen_cap_names); i++) {
        if (caps & xen_cap_names[i].bit) {
            g_string_append_printf(s, "%s%s", s->len ? " " : "",
                                   xen_cap_names[i].name);
            rest &= ~xen_cap_names[i].bit;
        }
    }
    if (rest) {
        g_string_append_printf(s, "%s0x%x", s->len ? " " : "", rest);
    }
    return g_string_free(s, FALSE);
}

/*
 * KVM_CAP_XEN_HVM of /dev/kvm, or -1 with *why set when it cannot be
 * asked or lacks what the VMM needs.
 */
static int xen_caps(char **why)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    int caps, missing;

    if (fd < 0) {
        *why = g_strdup_printf("cannot open /dev/kvm: %s",
                               g_strerror(errno));
        return -1;
    }
    caps = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_XEN_HVM);
    close(fd);
    if (caps < 0) {
        *why = g_strdup_printf("KVM_CHECK_EXTENSION failed: %s",
                               g_strerror(errno));
        return -1;
    }
    if (caps == 0) {
        *why = g_strdup("this KVM has no Xen support "
                        "(KVM_CAP_XEN_HVM = 0)");
        return -1;
    }
    missing = XEN_CAPS_NEEDED & ~caps;
    if (missing) {
        g_autofree char *names = xen_caps_str(missing);

        *why = g_strdup_printf("KVM_CAP_XEN_HVM = 0x%x lacks %s",
                               caps, names);
        return -1;
    }
    return caps;
}

static void test_caps(void)
{
    g_autofree char *why = NULL;
    g_autofree char *names = NULL;
    int caps = xen_caps(&why);

    if (caps < 0) {
        g_test_skip(why);
        return;
    }
    names = xen_caps_str(caps);
    g_test_message("KVM_CAP_XEN_HVM = %d (0x%x): %s", caps, caps, names);
    g_assert_cmphex(caps & XEN_CAPS_NEEDED, ==, XEN_CAPS_NEEDED);
}

static void test_vm_config(void)
{
    g_autofree char *why = NULL;
    g_autoptr(Error) err = NULL;
    struct kvm_xen_hvm_config cfg = {
        .flags = KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL |
                 KVM_XEN_HVM_CONFIG_EVTCHN_SEND,
        .msr = XEN_HYPERCALL_MSR,
    };
    struct kvm_xen_hvm_attr attr = {
        .type = KVM_XEN_ATTR_TYPE_LONG_MODE,
        .u.long_mode = 1,
    };
    KVMState *s;
    int vm_fd;

    if (xen_caps(&why) < 0) {
        g_test_skip(why);
        return;
    }
    s = kvm_vm_new(&err);
    if (!s) {
        g_autofree char *msg = g_strdup_printf("KVM not usable here: %s",
                                               error_get_pretty(err));
        g_test_skip(msg);
        return;
    }
    vm_fd = kvm_vm_fd(s);
    if (ioctl(vm_fd, KVM_XEN_HVM_CONFIG, &cfg) < 0) {
        g_error("KVM_XEN_HVM_CONFIG msr 0x%x flags 0x%x: %s",
                cfg.msr, cfg.flags, g_strerror(errno));
    }
    if (ioctl(vm_fd, KVM_XEN_HVM_SET_ATTR, &attr) < 0) {
        g_error("KVM_XEN_HVM_SET_ATTR LONG_MODE=1: %s", g_strerror(errno));
    }
    memset(&attr, 0, sizeof(attr));
    attr.type = KVM_XEN_ATTR_TYPE_LONG_MODE;
    if (ioctl(vm_fd, KVM_XEN_HVM_GET_ATTR, &attr) < 0) {
        g_error("KVM_XEN_HVM_GET_ATTR LONG_MODE: %s", g_strerror(errno));
    }
    g_assert_cmpint(attr.u.long_mode, ==, 1);
    g_test_message("VM configured: hypercall MSR 0x%x, flags 0x%x, "
                   "long mode on", cfg.msr, cfg.flags);
    kvm_vm_free(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/kvm-xen/caps", test_caps);
    g_test_add_func("/kvm-xen/vm-config", test_vm_config);
    return g_test_run();
}
