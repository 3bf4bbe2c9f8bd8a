/*
 * A guest's home in the store: the nodes every emulated guest finds
 * under /local/domain/<domid> (spec section 9), and the store/ nodes that
 * name its ring page and event channel.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_home.h"

/* Set by domain 0; the guest may read them (they inherit the home's). */
static const char *const home_dom0_nodes[][2] = {
    { "control/platform-feature-xs_reset_watches", "1" },
    { "control/platform-feature-multiprocessor-suspend", "1" },
    { "platform/acpi", "1" },
    { "platform/acpi_s3", "1" },
    { "platform/acpi_s4", "1" },
    { "platform/acpi_laptop_slate", "0" },
};

/* Written by domain 0, then given to the guest. */
static const char *const home_guest_nodes[][2] = {
    { "attr", "" }, { "control/shutdown", "" },
    { "control/feature-poweroff", "1" }, { "control/feature-reboot", "1" },
    { "control/feature-suspend", "1" }, { "control/feature-s3", "1" },
    { "control/feature-s4", "1" }, { "data", "" }, { "device", "" },
    { "drivers", "" }, { "error", "" }, { "feature", "" },
};

/* Write @value at @rel below the guest's home, as domain 0. */
static int home_write(XenstoreImplState *s, unsigned int domid,
                      const char *rel, const char *value)
{
    g_autofree char *path = g_strdup_printf("/local/domain/%u/%s", domid,
                                            rel);
    g_autoptr(GByteArray) data = g_byte_array_new();

    g_byte_array_append(data, (const uint8_t *)value, strlen(value));
    return xs_impl_write(s, DOMID_QEMU, XBT_NULL, path, data);
}

/* Make the guest the owner of @rel below its home (no one else reads). */
static int home_give_to_guest(XenstoreImplState *s, unsigned int domid,
                              const char *rel)
{
    g_autofree char *path = g_strdup_printf("/local/domain/%u/%s", domid,
                                            rel);
    g_autofree char *perm = xs_perm_as_string(XS_PERM_NONE, domid);
    GList *perms = g_list_append(NULL, perm);
    int err = xs_impl_set_perms(s, DOMID_QEMU, XBT_NULL, path, perms);

    g_list_free(perms);
    return err;
}

int xs_home_create(XenstoreImplState *s, unsigned int domid,
                   const char *name, uint64_t memory_kib)
{
    g_autofree char *home = g_strdup_printf("/local/domain/%u", domid);
    g_autofree char *domid_str = g_strdup_printf("%u", domid);
    g_autofree char *memory = g_strdup_printf("%" PRIu64, memory_kib);
    g_autofree char *owner = xs_perm_as_string(XS_PERM_NONE, DOMID_QEMU);
    g_autofree char *reader = xs_perm_as_string(XS_PERM_READ, domid);
    GList *perms = g_list_append(g_list_append(NULL, owner), reader);
    int err;

    /* The home: owned by dom0, readable by the guest; children inherit. */
    err = xs_impl_mkdir(s, DOMID_QEMU, XBT_NULL, home);
    if (!err) {
        err = xs_impl_set_perms(s, DOMID_QEMU, XBT_NULL, home, perms);
    }
    g_list_free(perms);
    err = err ? err : home_write(s, domid, "domid", domid_str);
    err = err ? err : home_write(s, domid, "name", name);
    err = err ? err : home_write(s, domid, "memory/target", memory);
    for (size_t i = 0; !err && i < ARRAY_SIZE(home_dom0_nodes); i++) {
        err = home_write(s, domid, home_dom0_nodes[i][0],
                         home_dom0_nodes[i][1]);
    }
    for (size_t i = 0; !err && i < ARRAY_SIZE(home_guest_nodes); i++) {
        err = home_write(s, domid, home_guest_nodes[i][0],
                         home_guest_nodes[i][1]);
        err = err ? err : home_give_to_guest(s, domid,
                                             home_guest_nodes[i][0]);
    }
    return err;
}

int xs_home_publish_store(XenstoreImplState *s, unsigned int domid,
                          unsigned int port, uint64_t ring_ref)
{
    g_autofree char *port_str = g_strdup_printf("%u", port);
    g_autofree char *ring_ref_str = g_strdup_printf("%" PRIu64, ring_ref);
    int err = home_write(s, domid, "store/port", port_str);

    return err ? err : home_write(s, domid, "store/ring-ref", ring_ref_str);
}
