/*
 * Tests of the guest CPUID table qemu-xenkvm builds: KVM's identity
 * leaves gone, Xen's signature, version, MSR and flags leaves present.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xenkvm/xen-cpuid.h"

static const KVMCpuidEntry *find(const KVMCpuidEntry *e, unsigned n,
                                 uint32_t fn)
{
    for (unsigned i = 0; i < n; i++) {
        if (e[i].function == fn) {
            return &e[i];
        }
    }
    return NULL;
}

static unsigned count(const KVMCpuidEntry *e, unsigned n, uint32_t fn)
{
    unsigned c = 0;

    for (unsigned i = 0; i < n; i++) {
        c += e[i].function == fn;
    }
    return c;
}

/* A small KVM-like table: leaves 0, 1, 7 and KVM's own at 0x40000000. */
static const KVMCpuidEntry kvm_like[] = {
    { .function = 0, .eax = 0xd, .ebx = 0x68747541 },
    { .function = 1, .eax = 0x800f12, .ecx = 0x1234 },
    { .function = 7, .flags = KVM_CPUID_FLAG_INDEX, .ebx = 0x99 },
    { .function = 0x40000000, .eax = 0x40000001, .ebx = 0x4b4d564b },
    { .function = 0x40000001, .eax = 0xffff },
    { .function = 0x40000100, .eax = 0x40000101 },
    { .function = 0x80000000, .eax = 0x80000021 },
};

static void test_kvm_leaves_dropped(void)
{
    unsigned n;
    g_autofree KVMCpuidEntry *t =
        xen_cpuid_build(kvm_like, G_N_ELEMENTS(kvm_like), 0x40011, 0, &n);

    g_assert_cmpuint(n, ==, 4 + XEN_CPUID_LEAVES);
    g_assert_cmpuint(count(t, n, 0x40000000), ==, 1);
    g_assert_null(find(t, n, 0x40000100));
    g_assert_cmphex(find(t, n, 0x40000001)->eax, ==, 0x40011);
    /* Other leaves copied as they were, hypervisor bit added. */
    g_assert_cmphex(find(t, n, 0)->ebx, ==, 0x68747541);
    g_assert_cmphex(find(t, n, 7)->ebx, ==, 0x99);
    g_assert_cmphex(find(t, n, 7)->flags, ==, KVM_CPUID_FLAG_INDEX);
    g_assert_cmphex(find(t, n, 0x80000000)->eax, ==, 0x80000021);
    g_assert_cmphex(find(t, n, 1)->ecx, ==, 0x1234 | CPUID_1_ECX_HYPERVISOR);
}

static void test_xen_leaves(void)
{
    unsigned n;
    g_autofree KVMCpuidEntry *t =
        xen_cpuid_build(kvm_like, G_N_ELEMENTS(kvm_like), 0x40011, 3, &n);
    const KVMCpuidEntry *e = find(t, n, 0x40000000);
    char sig[13];

    g_assert_nonnull(e);
    g_assert_cmphex(e->eax, ==, 0x40000004);
    memcpy(sig, &e->ebx, 4);
    memcpy(sig + 4, &e->ecx, 4);
    memcpy(sig + 8, &e->edx, 4);
    sig[12] = 0;
    g_assert_cmpstr(sig, ==, "XenVMMXenVMM");
    e = find(t, n, 0x40000002);
    g_assert_cmphex(e->eax, ==, 1);
    g_assert_cmphex(e->ebx, ==, 0x40000000);
    g_assert_nonnull(find(t, n, 0x40000003));
    e = find(t, n, 0x40000004);
    g_assert_cmphex(e->eax, ==,
                    XEN_CPUID_VCPU_ID_PRESENT | XEN_CPUID_UPCALL_VECTOR);
    g_assert_cmpuint(e->ebx, ==, 3);
}

static void test_old_version_no_upcall_vector(void)
{
    unsigned n;
    g_autofree KVMCpuidEntry *t = xen_cpuid_build(NULL, 0, 0x4000a, 0, &n);

    g_assert_cmpuint(n, ==, XEN_CPUID_LEAVES);
    g_assert_cmphex(find(t, n, 0x40000004)->eax, ==,
                    XEN_CPUID_VCPU_ID_PRESENT);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xen-cpuid/kvm-leaves-dropped", test_kvm_leaves_dropped);
    g_test_add_func("/xen-cpuid/xen-leaves", test_xen_leaves);
    g_test_add_func("/xen-cpuid/old-version",
                    test_old_version_no_upcall_vector);
    return g_test_run();
}
