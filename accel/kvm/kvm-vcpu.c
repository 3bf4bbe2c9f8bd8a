/*
 * KVM vCPUs: creation, the simple start-up modes (real mode, flat 32-bit
 * protected mode and 64-bit mode, set with KVM_SET_SREGS) and the run loop,
 * which hands Xen hypercall exits to a handler when one is set.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>
#include "kvm-internal.h"
#include "trace.h"

KVMVCPU *kvm_vcpu_new(KVMState *s, unsigned int id, Error **errp)
{
    KVMVCPU *cpu;
    int fd = ioctl(s->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
    void *run;

    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot create vCPU %u", id);
        return NULL;
    }
    run = mmap(NULL, s->vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
               fd, 0);
    if (run == MAP_FAILED) {
        error_setg_errno(errp, errno, "cannot map vCPU %u run area", id);
        close(fd);
        return NULL;
    }
    cpu = g_new0(KVMVCPU, 1);
    cpu->s = s;
    cpu->id = id;
    cpu->fd = fd;
    cpu->run = run;
    if (!kvm_vcpu_save_reset_state(cpu, errp)) {
        kvm_vcpu_free(cpu);
        return NULL;
    }
    trace_kvm_vcpu_new(id, fd);
    return cpu;
}

void kvm_vcpu_free(KVMVCPU *cpu)
{
    if (!cpu) {
        return;
    }
    munmap(cpu->run, cpu->s->vcpu_mmap_size);
    close(cpu->fd);
    g_free(cpu);
}

uint32_t kvm_vcpu_tsc_khz(KVMVCPU *cpu)
{
    int khz = ioctl(cpu->fd, KVM_GET_TSC_KHZ);

    return khz > 0 ? khz : 0;
}

static bool kvm_vcpu_start_at(KVMVCPU *cpu, struct kvm_sregs *sregs,
                              uint64_t ip, uint64_t sp, Error **errp)
{
    struct kvm_regs regs = {
        .rflags = 2,            /* bit 1 is always set */
        .rip = ip,
        .rsp = sp,
    };

    if (ioctl(cpu->fd, KVM_SET_SREGS, sregs) < 0) {
        error_setg_errno(errp, errno, "KVM_SET_SREGS failed");
        return false;
    }
    if (ioctl(cpu->fd, KVM_SET_REGS, &regs) < 0) {
        error_setg_errno(errp, errno, "KVM_SET_REGS failed");
        return false;
    }
    return true;
}

bool kvm_vcpu_set_real_mode(KVMVCPU *cpu, uint16_t ip, Error **errp)
{
    struct kvm_sregs sregs;

    if (ioctl(cpu->fd, KVM_GET_SREGS, &sregs) < 0) {
        error_setg_errno(errp, errno, "KVM_GET_SREGS failed");
        return false;
    }
    /* The reset state runs at 0xffff0; start in the first 64 KiB. */
    sregs.cs.base = 0;
    sregs.cs.selector = 0;
    sregs.cr0 &= ~1ULL;
    trace_kvm_vcpu_set_mode(cpu->id, "real", ip);
    return kvm_vcpu_start_at(cpu, &sregs, ip, 0, errp);
}

bool kvm_vcpu_set_flat32(KVMVCPU *cpu, uint32_t eip, uint32_t esp,
                         Error **errp)
{
    struct kvm_sregs sregs;
    struct kvm_segment code = {
        .base = 0, .limit = 0xffffffff, .selector = 0x08,
        .type = 11,             /* execute/read, accessed */
        .present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
    };
    struct kvm_segment data = code;

    if (ioctl(cpu->fd, KVM_GET_SREGS, &sregs) < 0) {
        error_setg_errno(errp, errno, "KVM_GET_SREGS failed");
        return false;
    }
    data.selector = 0x10;
    data.type = 3;              /* read/write, accessed */
    /* Segment caches are loaded directly: no descriptor table needed. */
    sregs.cs = code;
    sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
    sregs.cr0 |= 1;             /* PE; paging stays off */
    trace_kvm_vcpu_set_mode(cpu->id, "flat32", eip);
    return kvm_vcpu_start_at(cpu, &sregs, eip, esp, errp);
}

/*
 * Give the vCPU the CPUID KVM supports (which includes PAE and long
 * mode): KVM refuses EFER.LME for a vCPU whose CPUID lacks it.
 */
static bool kvm_vcpu_set_supported_cpuid(KVMVCPU *cpu, Error **errp)
{
    g_autofree struct kvm_cpuid2 *cpuid = NULL;
    int nent = 64;

    for (;;) {
        cpuid = g_malloc0(sizeof(*cpuid) +
                          nent * sizeof(struct kvm_cpuid_entry2));
        cpuid->nent = nent;
        if (ioctl(cpu->s->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0) {
            break;
        }
        if (errno != E2BIG || nent >= 4096) {
            error_setg_errno(errp, errno, "KVM_GET_SUPPORTED_CPUID failed");
            return false;
        }
        nent *= 2;
        g_free(cpuid);
    }
    if (ioctl(cpu->fd, KVM_SET_CPUID2, cpuid) < 0) {
        error_setg_errno(errp, errno, "KVM_SET_CPUID2 failed");
        return false;
    }
    return true;
}

bool kvm_vcpu_set_long64(KVMVCPU *cpu, uint64_t rip, uint64_t rsp,
                         uint64_t cr3, Error **errp)
{
    struct kvm_sregs sregs;
    struct kvm_segment code = {
        .base = 0, .limit = 0xffffffff, .selector = 0x08,
        .type = 11,             /* execute/read, accessed */
        .present = 1, .dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1,
    };
    struct kvm_segment data = code;

    /* A CPUID the caller chose stays (KVM refuses changes after a run). */
    if (!cpu->cpuid_set && !kvm_vcpu_set_supported_cpuid(cpu, errp)) {
        return false;
    }
    if (ioctl(cpu->fd, KVM_GET_SREGS, &sregs) < 0) {
        error_setg_errno(errp, errno, "KVM_GET_SREGS failed");
        return false;
    }
    data.selector = 0x10;
    data.type = 3;              /* read/write, accessed */
    data.l = 0;
    data.db = 1;
    sregs.cs = code;
    sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
    sregs.cr3 = cr3;
    sregs.cr4 |= 1 << 5;                    /* PAE */
    sregs.efer |= (1 << 8) | (1 << 10);     /* LME, LMA */
    sregs.cr0 |= (1U << 31) | 1;            /* PG, PE */
    trace_kvm_vcpu_set_mode(cpu->id, "long64", rip);
    return kvm_vcpu_start_at(cpu, &sregs, rip, rsp, errp);
}

int kvm_vcpu_run(KVMVCPU *cpu, KVMVCPUExit *exit)
{
    struct kvm_run *run = cpu->run;
    int ret;

again:
    do {
        ret = ioctl(cpu->fd, KVM_RUN, 0);
    } while (ret < 0 && (errno == EINTR || errno == EAGAIN));
    if (ret < 0) {
        ret = -errno;
        trace_kvm_vcpu_run_failed(cpu->id, ret);
        return ret;
    }
    memset(exit, 0, sizeof(*exit));
    exit->reason = run->exit_reason;
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        exit->kind = KVM_VCPU_EXIT_IO;
        exit->io.port = run->io.port;
        exit->io.size = run->io.size;
        exit->io.is_write = run->io.direction == KVM_EXIT_IO_OUT;
        exit->io.count = run->io.count;
        exit->io.data = (uint8_t *)run + run->io.data_offset;
        break;
    case KVM_EXIT_HLT:
        exit->kind = KVM_VCPU_EXIT_HLT;
        break;
    case KVM_EXIT_MMIO:
        exit->kind = KVM_VCPU_EXIT_MMIO;
        exit->mmio.addr = run->mmio.phys_addr;
        exit->mmio.len = run->mmio.len;
        exit->mmio.is_write = run->mmio.is_write;
        exit->mmio.data = run->mmio.data;
        break;
    case KVM_EXIT_SHUTDOWN:
        exit->kind = KVM_VCPU_EXIT_SHUTDOWN;
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        exit->kind = KVM_VCPU_EXIT_INTERNAL_ERROR;
        exit->detail = run->internal.suberror;
        break;
    case KVM_EXIT_FAIL_ENTRY:
        exit->kind = KVM_VCPU_EXIT_FAIL_ENTRY;
        exit->detail = run->fail_entry.hardware_entry_failure_reason;
        break;
    case KVM_EXIT_XEN:
        if (!kvm_xen_exit_decode(cpu, exit)) {
            exit->kind = KVM_VCPU_EXIT_OTHER;
            exit->detail = run->xen.type;
            break;
        }
        if (cpu->xen_handler) {
            /* The handler's answer goes back in; the guest runs on. */
            *exit->xen.result = cpu->xen_handler(cpu, &exit->xen.hcall,
                                                 cpu->xen_opaque);
            trace_kvm_vcpu_xen_hcall_handled(cpu->id,
                                             exit->xen.hcall.input,
                                             *exit->xen.result);
            goto again;
        }
        break;
    default:
        exit->kind = KVM_VCPU_EXIT_OTHER;
        break;
    }
    trace_kvm_vcpu_exit(cpu->id, kvm_vcpu_exit_name(exit->kind),
                        exit->reason);
    return 0;
}

const char *kvm_vcpu_exit_name(KVMVCPUExitKind kind)
{
    static const char *const names[] = {
        [KVM_VCPU_EXIT_IO] = "io",
        [KVM_VCPU_EXIT_HLT] = "hlt",
        [KVM_VCPU_EXIT_MMIO] = "mmio",
        [KVM_VCPU_EXIT_SHUTDOWN] = "shutdown",
        [KVM_VCPU_EXIT_INTERNAL_ERROR] = "internal-error",
        [KVM_VCPU_EXIT_FAIL_ENTRY] = "fail-entry",
        [KVM_VCPU_EXIT_XEN_HCALL] = "xen-hcall",
        [KVM_VCPU_EXIT_OTHER] = "other",
    };

    return (unsigned)kind < ARRAY_SIZE(names) ? names[kind] : "unknown";
}
