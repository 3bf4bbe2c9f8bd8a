/*
 * qemu-xenstored's state file: the device and event channel states in
 * one checksummed file, replaced atomically.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/i386/kvm/xen_evtchn.h"
#include "xs-state-file.h"
#include "trace.h"

/*
 * Layout, numbers little-endian:
 *   "QXSSTATE", u32 version, u32 guest domid,
 *   u32 length + the event channel state (xen_evtchn_save),
 *   u32 length + the device state (xen_xenstore_save),
 *   32 bytes: SHA-256 of everything before them.
 * The checksum lets a damaged file be refused as such, before any of it
 * is interpreted; each part is then checked again by its own loader.
 */
#define XS_STATE_MAGIC "QXSSTATE"
#define XS_STATE_MAGIC_LEN 8
#define XS_STATE_VERSION 1
#define XS_STATE_DIGEST_LEN 32
#define XS_STATE_HEADER_LEN (XS_STATE_MAGIC_LEN + 4 + 4)

static void put_le32(GByteArray *b, uint32_t v)
{
    uint32_t le = GUINT32_TO_LE(v);

    g_byte_array_append(b, (const guint8 *)&le, 4);
}

static void put_part(GByteArray *b, GByteArray *part)
{
    put_le32(b, part->len);
    g_byte_array_append(b, part->data, part->len);
    g_byte_array_unref(part);
}

static void sha256(const uint8_t *data, size_t len,
                   uint8_t digest[XS_STATE_DIGEST_LEN])
{
    GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
    gsize dlen = XS_STATE_DIGEST_LEN;

    g_checksum_update(ck, data, len);
    g_checksum_get_digest(ck, digest, &dlen);
    g_assert(dlen == XS_STATE_DIGEST_LEN);
    g_checksum_free(ck);
}

bool xs_state_file_save(const char *path, XenXenstoreState *s,
                        Error **errp)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    g_autoptr(GError) gerr = NULL;
    uint8_t digest[XS_STATE_DIGEST_LEN];

    g_byte_array_append(b, (const guint8 *)XS_STATE_MAGIC,
                        XS_STATE_MAGIC_LEN);
    put_le32(b, XS_STATE_VERSION);
    put_le32(b, xen_xenstore_domid(s));
    put_part(b, xen_evtchn_save());
    put_part(b, xen_xenstore_save(s));
    sha256(b->data, b->len, digest);
    g_byte_array_append(b, digest, sizeof(digest));

    /* Temporary file in the same directory, fsync, rename over @path. */
    if (!g_file_set_contents_full(path, (const gchar *)b->data, b->len,
                                  G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                  &gerr)) {
        error_setg(errp, "cannot save the state: %s", gerr->message);
        return false;
    }
    trace_xenstored_save(path, b->len);
    return true;
}

static uint32_t get_le32(const uint8_t *p)
{
    uint32_t le;

    memcpy(&le, p, 4);
    return GUINT32_FROM_LE(le);
}

/* A length-prefixed part at *off; false if it runs past @end. */
static bool get_part(const uint8_t *data, size_t end, size_t *off,
                     const uint8_t **part, uint32_t *len)
{
    if (end - *off < 4) {
        return false;
    }
    *len = get_le32(data + *off);
    *off += 4;
    if (end - *off < *len) {
        return false;
    }
    *part = data + *off;
    *off += *len;
    return true;
}

bool xs_state_file_load(const char *path, XenXenstoreState *s,
                        Error **errp)
{
    g_autofree gchar *contents = NULL;
    g_autoptr(GError) gerr = NULL;
    uint8_t digest[XS_STATE_DIGEST_LEN];
    const uint8_t *data, *evtchn, *device;
    uint32_t evtchn_len, device_len, domid;
    size_t len, end, off = XS_STATE_HEADER_LEN;
    int ret;

    if (!g_file_get_contents(path, &contents, &len, &gerr)) {
        error_setg(errp, "cannot read the state: %s", gerr->message);
        return false;
    }
    data = (const uint8_t *)contents;
    if (len < XS_STATE_MAGIC_LEN ||
        memcmp(data, XS_STATE_MAGIC, XS_STATE_MAGIC_LEN)) {
        error_setg(errp, "%s is not a qemu-xenstored state file", path);
        return false;
    }
    if (len < XS_STATE_HEADER_LEN + XS_STATE_DIGEST_LEN) {
        error_setg(errp, "%s: state file truncated", path);
        return false;
    }
    end = len - XS_STATE_DIGEST_LEN;
    sha256(data, end, digest);
    if (memcmp(digest, data + end, XS_STATE_DIGEST_LEN)) {
        error_setg(errp, "%s: state file corrupt or truncated "
                   "(checksum mismatch)", path);
        return false;
    }
    if (get_le32(data + XS_STATE_MAGIC_LEN) != XS_STATE_VERSION) {
        error_setg(errp, "%s: unknown state file version %u", path,
                   get_le32(data + XS_STATE_MAGIC_LEN));
        return false;
    }
    domid = get_le32(data + XS_STATE_MAGIC_LEN + 4);
    if (domid != xen_xenstore_domid(s)) {
        error_setg(errp, "%s: state of domain %u, not of domain %u", path,
                   domid, xen_xenstore_domid(s));
        return false;
    }
    if (!get_part(data, end, &off, &evtchn, &evtchn_len) ||
        !get_part(data, end, &off, &device, &device_len) || off != end) {
        error_setg(errp, "%s: malformed state file", path);
        return false;
    }
    /* The device takes its ports back from the loaded table: first. */
    ret = xen_evtchn_load(evtchn, evtchn_len);
    if (ret < 0) {
        error_setg(errp, "%s: bad event channel state: %s", path,
                   g_strerror(-ret));
        return false;
    }
    if (!xen_xenstore_load(s, device, device_len, errp)) {
        error_prepend(errp, "%s: ", path);
        return false;
    }
    trace_xenstored_load(path, len);
    return true;
}
