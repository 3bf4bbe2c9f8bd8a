/*
 * KVM's Xen HVM support for the VMM: the host check, the VM's Xen
 * configuration and attributes, per-vCPU attributes, event channel
 * delivery, and the decoding of hypercall exits for the run loop.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include "kvm-internal.h"
#include "trace.h"

/*
 * Numbers from Linux's include/uapi/linux/kvm.h (and Documentation/
 * virt/kvm/api.rst), for system headers that predate them.
 */
#ifndef KVM_CAP_XEN_HVM
#error "KVM's Xen interface needs x86 KVM headers (KVM_CAP_XEN_HVM)"
#endif
#ifndef KVM_XEN_HVM_CONFIG_EVTCHN_SEND
#define KVM_XEN_HVM_CONFIG_EVTCHN_SEND (1 << 5)
#endif
#ifndef KVM_XEN_HVM_EVTCHN_SEND
#define KVM_XEN_HVM_EVTCHN_SEND \
    _IOW(KVMIO, 0xd0, struct kvm_irq_routing_xen_evtchn)
#endif
#ifndef KVM_XEN_VCPU_ATTR_TYPE_VCPU_ID
#define KVM_XEN_VCPU_ATTR_TYPE_VCPU_ID 0x6
#endif
#ifndef KVM_XEN_VCPU_ATTR_TYPE_UPCALL_VECTOR
#define KVM_XEN_VCPU_ATTR_TYPE_UPCALL_VECTOR 0x8
#endif
/* "no page": uapi KVM_XEN_INVALID_GFN / KVM_XEN_INVALID_GPA, all ones */
#ifndef KVM_XEN_INVALID_GFN
#define KVM_XEN_INVALID_GFN ((uint64_t)-1)
#endif
#ifndef KVM_IRQ_ROUTING_XEN_EVTCHN_PRIO_2LEVEL
#define KVM_IRQ_ROUTING_XEN_EVTCHN_PRIO_2LEVEL ((uint32_t)-1)
#endif

static const struct {
    int bit;
    const char *name;
} kvm_xen_needed[] = {
    { KVM_XEN_HVM_CONFIG_HYPERCALL_MSR, "HYPERCALL_MSR" },
    { KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL, "INTERCEPT_HCALL" },
    { KVM_XEN_HVM_CONFIG_SHARED_INFO, "SHARED_INFO" },
    { KVM_XEN_HVM_CONFIG_EVTCHN_SEND, "EVTCHN_SEND" },
};

bool kvm_xen_check_host(int *caps, Error **errp)
{
    g_autoptr(GString) missing = g_string_new(NULL);
    int fd, c;

    if (caps) {
        *caps = 0;
    }
    fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "no usable /dev/kvm");
        return false;
    }
    c = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_XEN_HVM);
    close(fd);
    trace_kvm_xen_check_host(c);
    if (c < 0) {
        error_setg_errno(errp, errno, "KVM_CHECK_EXTENSION(KVM_CAP_XEN_HVM)"
                         " failed");
        return false;
    }
    if (caps) {
        *caps = c;
    }
    if (c == 0) {
        error_setg(errp, "KVM has no Xen support (KVM_CAP_XEN_HVM = 0): "
                   "it needs a host kernel built with CONFIG_KVM_XEN, "
                   "e.g. Debian trixie's, or the nested mode");
        return false;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(kvm_xen_needed); i++) {
        if (!(c & kvm_xen_needed[i].bit)) {
            g_string_append_printf(missing, "%s%s", missing->len ? " " : "",
                                   kvm_xen_needed[i].name);
        }
    }
    if (missing->len) {
        error_setg(errp, "KVM_CAP_XEN_HVM = 0x%x lacks %s", c,
                   missing->str);
        return false;
    }
    return true;
}

bool kvm_xen_enable(KVMState *s, Error **errp)
{
    struct kvm_xen_hvm_config cfg = {
        /* Blob fields stay 0: they are refused with INTERCEPT_HCALL. */
        .flags = KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL |
                 KVM_XEN_HVM_CONFIG_EVTCHN_SEND,
        /* Non-zero even without a hypercall page: 0 disables traps. */
        .msr = KVM_XEN_HYPERCALL_MSR,
    };
    int ret = ioctl(s->vm_fd, KVM_XEN_HVM_CONFIG, &cfg);

    trace_kvm_xen_enable(cfg.msr, cfg.flags, ret < 0 ? errno : 0);
    if (ret < 0) {
        error_setg_errno(errp, errno, "KVM_XEN_HVM_CONFIG (msr 0x%x, "
                         "flags 0x%x) failed", cfg.msr, cfg.flags);
        return false;
    }
    return true;
}

static bool kvm_xen_vm_attr(KVMState *s, bool set,
                            struct kvm_xen_hvm_attr *attr, const char *what,
                            Error **errp)
{
    int ret = ioctl(s->vm_fd, set ? KVM_XEN_HVM_SET_ATTR
                                  : KVM_XEN_HVM_GET_ATTR, attr);

    trace_kvm_xen_vm_attr(set ? "set" : "get", what, ret < 0 ? errno : 0);
    if (ret < 0) {
        error_setg_errno(errp, errno, "KVM_XEN_HVM_%s_ATTR(%s) failed",
                         set ? "SET" : "GET", what);
        return false;
    }
    return true;
}

bool kvm_xen_set_long_mode(KVMState *s, bool on, Error **errp)
{
    struct kvm_xen_hvm_attr attr = {
        .type = KVM_XEN_ATTR_TYPE_LONG_MODE,
        .u.long_mode = on,
    };

    return kvm_xen_vm_attr(s, true, &attr, "LONG_MODE", errp);
}

bool kvm_xen_get_long_mode(KVMState *s, bool *on, Error **errp)
{
    struct kvm_xen_hvm_attr attr = { .type = KVM_XEN_ATTR_TYPE_LONG_MODE };

    if (!kvm_xen_vm_attr(s, false, &attr, "LONG_MODE", errp)) {
        return false;
    }
    *on = attr.u.long_mode;
    return true;
}

bool kvm_xen_set_shared_info(KVMState *s, uint64_t gfn, Error **errp)
{
    struct kvm_xen_hvm_attr attr = {
        .type = KVM_XEN_ATTR_TYPE_SHARED_INFO,
        .u.shared_info.gfn = gfn,
    };

    trace_kvm_xen_shared_info(gfn);
    return kvm_xen_vm_attr(s, true, &attr, "SHARED_INFO", errp);
}

bool kvm_xen_clear_shared_info(KVMState *s, Error **errp)
{
    return kvm_xen_set_shared_info(s, KVM_XEN_INVALID_GFN, errp);
}

bool kvm_xen_get_shared_info(KVMState *s, uint64_t *gfn, Error **errp)
{
    struct kvm_xen_hvm_attr attr = { .type = KVM_XEN_ATTR_TYPE_SHARED_INFO };

    if (!kvm_xen_vm_attr(s, false, &attr, "SHARED_INFO", errp)) {
        return false;
    }
    *gfn = attr.u.shared_info.gfn == KVM_XEN_INVALID_GFN
           ? KVM_XEN_NO_GFN : attr.u.shared_info.gfn;
    return true;
}

static bool kvm_xen_vcpu_attr(KVMVCPU *cpu, struct kvm_xen_vcpu_attr *attr,
                              const char *what, uint64_t value,
                              Error **errp)
{
    int ret = ioctl(cpu->fd, KVM_XEN_VCPU_SET_ATTR, attr);

    trace_kvm_xen_vcpu_attr(cpu->id, what, value, ret < 0 ? errno : 0);
    if (ret < 0) {
        error_setg_errno(errp, errno, "KVM_XEN_VCPU_SET_ATTR(%s = 0x%"
                         PRIx64 ") on vCPU %u failed", what, value, cpu->id);
        return false;
    }
    return true;
}

bool kvm_xen_vcpu_set_info(KVMVCPU *cpu, uint64_t gpa, Error **errp)
{
    struct kvm_xen_vcpu_attr attr = {
        .type = KVM_XEN_VCPU_ATTR_TYPE_VCPU_INFO,
        .u.gpa = gpa,
    };

    return kvm_xen_vcpu_attr(cpu, &attr, "VCPU_INFO", gpa, errp);
}

bool kvm_xen_vcpu_set_id(KVMVCPU *cpu, uint32_t xen_id, Error **errp)
{
    struct kvm_xen_vcpu_attr attr = {
        .type = KVM_XEN_VCPU_ATTR_TYPE_VCPU_ID,
        .u.vcpu_id = xen_id,
    };

    return kvm_xen_vcpu_attr(cpu, &attr, "VCPU_ID", xen_id, errp);
}

bool kvm_xen_vcpu_set_upcall_vector(KVMVCPU *cpu, uint8_t vector,
                                    Error **errp)
{
    struct kvm_xen_vcpu_attr attr = {
        .type = KVM_XEN_VCPU_ATTR_TYPE_UPCALL_VECTOR,
        .u.vector = vector,
    };

    return kvm_xen_vcpu_attr(cpu, &attr, "UPCALL_VECTOR", vector, errp);
}

bool kvm_xen_evtchn_send(KVMState *s, uint32_t port, uint32_t vcpu,
                         Error **errp)
{
    struct kvm_irq_routing_xen_evtchn ev = {
        .port = port,
        .vcpu = vcpu,
        .priority = KVM_IRQ_ROUTING_XEN_EVTCHN_PRIO_2LEVEL,
    };
    int ret = ioctl(s->vm_fd, KVM_XEN_HVM_EVTCHN_SEND, &ev);

    trace_kvm_xen_evtchn_send(port, vcpu, ret < 0 ? errno : 0);
    if (ret < 0) {
        error_setg_errno(errp, errno, "KVM_XEN_HVM_EVTCHN_SEND(port %u, "
                         "vCPU %u) failed", port, vcpu);
        return false;
    }
    return true;
}

void kvm_vcpu_set_xen_handler(KVMVCPU *cpu, KVMXenHcallFn *fn, void *opaque)
{
    cpu->xen_handler = fn;
    cpu->xen_opaque = opaque;
}

bool kvm_xen_exit_decode(KVMVCPU *cpu, KVMVCPUExit *exit)
{
    struct kvm_xen_exit *x = &cpu->run->xen;
    KVMXenHcall *h = &exit->xen.hcall;

    if (x->type != KVM_EXIT_XEN_HCALL) {
        trace_kvm_xen_exit_unknown(cpu->id, x->type);
        return false;
    }
    exit->kind = KVM_VCPU_EXIT_XEN_HCALL;
    h->input = x->u.hcall.input;
    for (int i = 0; i < 6; i++) {
        h->params[i] = x->u.hcall.params[i];
    }
    h->longmode = x->u.hcall.longmode;
    h->cpl = x->u.hcall.cpl;
    exit->xen.result = (uint64_t *)&x->u.hcall.result;
    trace_kvm_xen_hcall(cpu->id, h->input, h->params[0], h->params[1],
                        h->params[2], h->longmode, h->cpl);
    return true;
}
