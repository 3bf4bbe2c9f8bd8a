/*
 * KVM tests of the xen-xenstore device (skipped where /dev/kvm is
 * missing or cannot create a VM): a real vCPU talks XenStore through the
 * ring page the device maps at the XenStore PFN, rings its doorbell
 * (an ioeventfd the VMM turns into EVTCHNOP_send) and reads the reply.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/trace-control.h"
#include "kvm-guest.h"
#include "xenstore-guest.h"

static bool kvm_vcpu_load(void *vcpu, GuestCode *code, Error **errp)
{
    return kvm_guest_load(vcpu, code, errp);
}

static int kvm_vcpu_run_until_hlt(void *vcpu, uint16_t sync_port,
                                  void (*fn)(void *opaque), void *opaque,
                                  KVMVCPUExit *exit)
{
    return kvm_guest_run_until_hlt(vcpu, sync_port, fn, opaque, exit);
}

/* Run test on a KVM vCPU, or mark it skipped and say why. */
static void run_on_kvm(gconstpointer data)
{
    const XsGuestTest *test = data;
    g_autoptr(Error) err = NULL;
    XsGuestVcpu v;
    KVMGuest *g;

    if (!kvm_available(&err)) {
        g_autofree char *msg = g_strdup_printf(
            "KVM not usable here (%s): the same guest programs run on the "
            "software vCPU in test-xen-xenstore-guest",
            error_get_pretty(err));

        g_test_skip(msg);
        return;
    }
    g = kvm_guest_new(KVM_GUEST_RAM_SIZE, XS_GUEST_DOORBELL, &error_abort);
    v = (XsGuestVcpu) {
        .ram = g->ram, .ram_size = g->ram_size,
        .doorbell_fd = g->doorbell_fd, .kvm = g->kvm,
        .load = kvm_vcpu_load, .run_until_hlt = kvm_vcpu_run_until_hlt,
        .vcpu = g,
    };
    test->fn(&v);
    kvm_guest_free(g);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    trace_init_from_env();
    for (size_t i = 0; i < xs_guest_nr_tests; i++) {
        g_autofree char *path = g_strdup_printf("/xen-xenstore/kvm/%s",
                                                xs_guest_tests[i].name);

        g_test_add_data_func(path, &xs_guest_tests[i], run_on_kvm);
    }
    return g_test_run();
}
