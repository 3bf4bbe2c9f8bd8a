/*
 * qemu-xenstored's state file: the store stream of the guest's store in
 * one checksummed file, replaced atomically.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/bytestream.h"
#include "xs-state-file.h"
#include "trace.h"

/*
 * Layout, numbers little-endian:
 *   "QXSSTATE", u32 version, u32 guest domid,
 *   u32 length + the store stream (xs_impl_serialize),
 *   32 bytes: SHA-256 of everything before them.
 * The checksum lets a damaged file be refused as such, before any of it
 * is interpreted; the store stream is then checked by its own loader.
 * Version 1 held the event channel and ring device states instead.
 */
#define XS_STATE_MAGIC "QXSSTATE"
#define XS_STATE_MAGIC_LEN 8
#define XS_STATE_VERSION 2
#define XS_STATE_DIGEST_LEN 32
#define XS_STATE_HEADER_LEN (XS_STATE_MAGIC_LEN + 4 + 4)

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

GByteArray *xs_state_file_contents(XenstoreImplState *store,
                                   unsigned int domid)
{
    g_autoptr(GByteArray) stream = xs_impl_serialize(store);
    GByteArray *b = g_byte_array_new();
    uint8_t digest[XS_STATE_DIGEST_LEN];

    bs_put_bytes(b, XS_STATE_MAGIC, XS_STATE_MAGIC_LEN);
    bs_put_le32(b, XS_STATE_VERSION);
    bs_put_le32(b, domid);
    bs_put_blob(b, stream->data, stream->len);
    sha256(b->data, b->len, digest);
    bs_put_bytes(b, digest, sizeof(digest));
    return b;
}

bool xs_state_file_save(const char *path, XenstoreImplState *store,
                        unsigned int domid, Error **errp)
{
    g_autoptr(GByteArray) b = xs_state_file_contents(store, domid);
    g_autoptr(GError) gerr = NULL;

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

/*
 * Everything but loading the store stream: the magic, the checksum,
 * the header and the framing.  On success @stream points into @data.
 */
static bool state_file_check(const char *path, const uint8_t *data,
                             size_t len, unsigned int domid,
                             const uint8_t **stream, uint32_t *stream_len,
                             Error **errp)
{
    uint8_t digest[XS_STATE_DIGEST_LEN];
    uint32_t version, file_domid;
    ByteReader r;

    br_init(&r, data, len, false);
    if (!br_expect(&r, XS_STATE_MAGIC, XS_STATE_MAGIC_LEN)) {
        error_setg(errp, "%s is not a qemu-xenstored state file", path);
        return false;
    }
    if (len < XS_STATE_HEADER_LEN + XS_STATE_DIGEST_LEN) {
        error_setg(errp, "%s: state file truncated", path);
        return false;
    }
    /* The reader stops where the checksum starts. */
    r.len = len - XS_STATE_DIGEST_LEN;
    sha256(data, r.len, digest);
    if (memcmp(digest, data + r.len, XS_STATE_DIGEST_LEN)) {
        error_setg(errp, "%s: state file corrupt or truncated "
                   "(checksum mismatch)", path);
        return false;
    }
    /* Both are there: the length was checked above. */
    br_u32(&r, &version);
    br_u32(&r, &file_domid);
    if (version != XS_STATE_VERSION) {
        error_setg(errp, "%s: unknown state file version %u (this "
                   "qemu-xenstored reads version %u)", path, version,
                   XS_STATE_VERSION);
        return false;
    }
    if (file_domid != domid) {
        error_setg(errp, "%s: state of domain %u, not of domain %u", path,
                   file_domid, domid);
        return false;
    }
    if (!br_blob(&r, br_remaining(&r), stream, stream_len) ||
        br_remaining(&r)) {
        error_setg(errp, "%s: malformed state file (the store stream's "
                   "length does not match the file)", path);
        return false;
    }
    return true;
}

bool xs_state_file_load_contents(const char *path, const uint8_t *data,
                                 size_t len, XenstoreImplState *store,
                                 unsigned int domid,
                                 xs_impl_watch_fn *watch_fn,
                                 void *watch_opaque, Error **errp)
{
    const uint8_t *stream;
    uint32_t stream_len;

    if (!state_file_check(path, data, len, domid, &stream, &stream_len,
                          errp)) {
        return false;
    }
    if (!xs_impl_load(store, stream, stream_len, domid, watch_fn,
                      watch_opaque, errp)) {
        error_prepend(errp, "%s: bad store state: ", path);
        return false;
    }
    return true;
}

bool xs_state_file_load(const char *path, XenstoreImplState *store,
                        unsigned int domid, xs_impl_watch_fn *watch_fn,
                        void *watch_opaque, Error **errp)
{
    g_autofree gchar *contents = NULL;
    g_autoptr(GError) gerr = NULL;
    size_t len;

    if (!g_file_get_contents(path, &contents, &len, &gerr)) {
        error_setg(errp, "cannot read the state: %s", gerr->message);
        return false;
    }
    if (!xs_state_file_load_contents(path, (const uint8_t *)contents, len,
                                     store, domid, watch_fn, watch_opaque,
                                     errp)) {
        return false;
    }
    trace_xenstored_load(path, len);
    return true;
}
