/*
 * XenStore wire codec: decodes one request payload by message type, calls
 * the database as the session's domain and encodes the one reply.  Every
 * byte of a request is hostile; every outcome is a well-framed reply.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_wire.h"
#include "hw/xen/xenstore_control.h"
#include "trace.h"

/* The error names of the XenStore ABI, in its table order. */
static const struct {
    int err;
    const char *name;
} xs_error_table[] = {
    { EINVAL, "EINVAL" },
    { EACCES, "EACCES" },
    { EEXIST, "EEXIST" },
    { EISDIR, "EISDIR" },
    { ENOENT, "ENOENT" },
    { ENOMEM, "ENOMEM" },
    { ENOSPC, "ENOSPC" },
    { EIO, "EIO" },
    { ENOTEMPTY, "ENOTEMPTY" },
    { ENOSYS, "ENOSYS" },
    { EROFS, "EROFS" },
    { EBUSY, "EBUSY" },
    { EAGAIN, "EAGAIN" },
    { EISCONN, "EISCONN" },
    { E2BIG, "E2BIG" },
    { EPERM, "EPERM" },
};

const char *xs_error_name(int err)
{
    for (size_t i = 0; i < ARRAY_SIZE(xs_error_table); i++) {
        if (xs_error_table[i].err == err) {
            return xs_error_table[i].name;
        }
    }
    return "EIO";
}

int xs_error_from_name(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(xs_error_table); i++) {
        if (!strcmp(xs_error_table[i].name, name)) {
            return xs_error_table[i].err;
        }
    }
    return 0;
}

/* One request being handled; the handlers fill @rsp with the payload. */
typedef struct XsRequest {
    XsWireSession *sess;
    const struct xsd_sockmsg *hdr;
    const char *payload;
    size_t len;
    GByteArray *rsp;            /* the output: the reply is appended */
    guint rsp_start;            /* where the reply payload begins in it */
} XsRequest;

/*
 * Handlers return 0 (the reply payload appended to r->rsp) or a positive
 * errno (whatever they appended is dropped).
 */
typedef int (*XsHandler)(XsRequest *r);

/* Only privileged domains may send it; others get EACCES. */
#define XS_OP_PRIV 0x1
/* Runs inside the header's transaction, which the session must own. */
#define XS_OP_TX   0x2

typedef struct XsWireOp {
    const char *name;
    XsHandler fn;
    unsigned int flags;
} XsWireOp;

/*
 * Split the payload into its NUL-terminated strings, storing the first
 * @max of them in @v.  Returns how many there are in all.  Bytes after
 * the last NUL are a "tail": allowed only with @allow_tail, else the
 * return value is -1 (EINVAL for the caller).
 */
static int split_strings(XsRequest *r, const char **v, int max,
                         bool allow_tail)
{
    const char *p = r->payload;
    const char *end = r->payload + r->len;
    int n = 0;

    while (p < end) {
        const char *nul = memchr(p, '\0', end - p);

        if (!nul) {
            return allow_tail ? n : -1;
        }
        if (n < max) {
            v[n] = p;
        }
        n++;
        p = nul + 1;
    }
    return n;
}

/*
 * At most @max NUL-terminated strings, the whole payload, all of them in
 * @v: how many, or -1 when there are more or a tail.
 */
static int split_args(XsRequest *r, const char **v, int max)
{
    int n = split_strings(r, v, max, false);

    return n > max ? -1 : n;
}

/* Exactly one NUL-terminated string, the whole payload: a path argument. */
static int one_string(XsRequest *r, const char **s)
{
    return split_strings(r, s, 1, false) == 1 ? 0 : EINVAL;
}

static bool is_privileged(XsRequest *r)
{
    return xs_impl_is_privileged(r->sess->store, r->sess->dom_id);
}

static void rsp_string(XsRequest *r, const char *s)
{
    g_byte_array_append(r->rsp, (const guint8 *)s, strlen(s) + 1);
}

static void rsp_printf(XsRequest *r, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
static void rsp_printf(XsRequest *r, const char *fmt, ...)
{
    g_autofree char *s = NULL;
    va_list ap;

    va_start(ap, fmt);
    s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    rsp_string(r, s);
}

/*
 * The one way a handler replies "OK\0": return ok_unless(r, err), which
 * passes @err through and appends the OK on 0.
 */
static int ok_unless(XsRequest *r, int err)
{
    if (!err) {
        rsp_string(r, "OK");
    }
    return err;
}

/* Each string of @list followed by its NUL. */
static void rsp_string_list(XsRequest *r, GList *list)
{
    for (GList *l = list; l; l = l->next) {
        rsp_string(r, l->data);
    }
}

static uint32_t req_tx(XsRequest *r)
{
    return r->hdr->tx_id;
}

/* --- Node operations --- */

static int xs_wire_read(XsRequest *r)
{
    const char *path;
    int err = one_string(r, &path);

    if (err) {
        return err;
    }
    trace_xenstore_read(req_tx(r), path);
    return xs_impl_read(r->sess->store, r->sess->dom_id, req_tx(r), path,
                        r->rsp);
}

/* Each name with its NUL, straight into the reply. */
static bool rsp_append_name(void *opaque, const char *name)
{
    XsRequest *r = opaque;

    rsp_string(r, name);
    /* Past the payload limit the reply becomes E2BIG anyway: stop. */
    return r->rsp->len - r->rsp_start <= XENSTORE_PAYLOAD_MAX;
}

static int xs_wire_directory(XsRequest *r)
{
    const char *path;
    int err = one_string(r, &path);

    if (err) {
        return err;
    }
    trace_xenstore_directory(req_tx(r), path);
    return xs_impl_directory_foreach(r->sess->store, r->sess->dom_id,
                                     req_tx(r), path, NULL, rsp_append_name,
                                     r);
}

/* Walking the listing for one DIRECTORY_PART reply. */
typedef struct XsDirPart {
    uint64_t gencnt;            /* set before the first name comes */
    GByteArray *names;          /* what goes after the generation */
    size_t offset;              /* where the reply starts in the listing */
    size_t pos;                 /* listing bytes walked so far */
    bool full;                  /* the next name did not fit */
} XsDirPart;

static bool dir_part_name(void *opaque, const char *name)
{
    XsDirPart *dp = opaque;
    size_t n = strlen(name) + 1, skip = 0, gen_len;

    if (dp->pos + n <= dp->offset) {
        dp->pos += n;
        return true;
    }
    if (dp->pos < dp->offset) {
        skip = dp->offset - dp->pos;    /* the listing changed meanwhile */
    }
    dp->pos += n;
    gen_len = snprintf(NULL, 0, "%" PRIu64, dp->gencnt) + 1;
    /* Keep a byte for the final empty string of the last part. */
    if (gen_len + dp->names->len + (n - skip) + 1 > XENSTORE_PAYLOAD_MAX) {
        dp->full = true;
        return false;
    }
    g_byte_array_append(dp->names, (const guint8 *)name + skip, n - skip);
    return true;
}

/*
 * The listing is every child name followed by its NUL, concatenated; the
 * offset is a byte offset into it.  One reply carries the generation,
 * then the whole names that fit from the offset on, then (on the last
 * part only) an empty string.  A byte is always kept free for that empty
 * string, as Xen's daemon does, so a part that ends short of it is never
 * mistaken for the last one.  An offset inside a name (only possible when
 * the listing changed, which the new generation tells the client) is
 * served from that byte on; an offset at or past the end gets the empty
 * string alone.
 */
static int xs_wire_directory_part(XsRequest *r)
{
    g_autoptr(GByteArray) names = g_byte_array_new();
    XsDirPart dp = { .names = names };
    const char *v[2];
    unsigned int offset;
    int err;

    if (split_strings(r, v, 2, false) != 2 ||
        !xs_parse_u32(v[1], &offset)) {
        return EINVAL;
    }
    trace_xenstore_directory_part(req_tx(r), v[0], offset);
    dp.offset = offset;
    err = xs_impl_directory_foreach(r->sess->store, r->sess->dom_id,
                                    req_tx(r), v[0], &dp.gencnt,
                                    dir_part_name, &dp);
    if (err) {
        return err;
    }
    rsp_printf(r, "%" PRIu64, dp.gencnt);
    g_byte_array_append(r->rsp, names->data, names->len);
    if (!dp.full) {
        rsp_string(r, "");
    }
    return 0;
}

static int xs_wire_get_perms(XsRequest *r)
{
    GList *perms = NULL;
    const char *path;
    int err = one_string(r, &path);

    if (err) {
        return err;
    }
    trace_xenstore_get_perms(req_tx(r), path);
    err = xs_impl_get_perms(r->sess->store, r->sess->dom_id, req_tx(r),
                            path, &perms);
    if (!err) {
        rsp_string_list(r, perms);
    }
    g_list_free_full(perms, g_free);
    return err;
}

/* "path\0perm\0perm\0..."; bytes after the last NUL are ignored. */
static int xs_wire_set_perms(XsRequest *r)
{
    const char *end = r->payload + r->len;
    const char *path = r->payload;
    const char *p;
    GList *perms = NULL;
    unsigned int n = 0;
    int err;

    p = memchr(path, '\0', r->len);
    if (!p) {
        return EINVAL;
    }
    for (p++; p < end;) {
        const char *nul = memchr(p, '\0', end - p);

        if (!nul) {
            break;
        }
        perms = g_list_prepend(perms, (char *)p);
        n++;
        p = nul + 1;
    }
    perms = g_list_reverse(perms);
    trace_xenstore_set_perms(req_tx(r), path, n);
    err = xs_impl_set_perms(r->sess->store, r->sess->dom_id, req_tx(r),
                            path, perms);
    g_list_free(perms);
    return ok_unless(r, err);
}

/* "path\0value": the value is every byte after the first NUL. */
static int xs_wire_write(XsRequest *r)
{
    const char *nul = memchr(r->payload, '\0', r->len);
    g_autoptr(GByteArray) value = NULL;
    size_t plen;
    int err;

    if (!nul) {
        return EINVAL;
    }
    plen = nul - r->payload + 1;
    value = g_byte_array_sized_new(r->len - plen);
    g_byte_array_append(value, (const guint8 *)nul + 1, r->len - plen);
    trace_xenstore_write(req_tx(r), r->payload, value->len);
    err = xs_impl_write(r->sess->store, r->sess->dom_id, req_tx(r),
                        r->payload, value);
    return ok_unless(r, err);
}

static int xs_wire_mkdir(XsRequest *r)
{
    const char *path;
    int err = one_string(r, &path);

    if (err) {
        return err;
    }
    trace_xenstore_mkdir(req_tx(r), path);
    err = xs_impl_mkdir(r->sess->store, r->sess->dom_id, req_tx(r), path);
    return ok_unless(r, err);
}

static int xs_wire_rm(XsRequest *r)
{
    const char *path;
    int err = one_string(r, &path);

    if (err) {
        return err;
    }
    trace_xenstore_rm(req_tx(r), path);
    err = xs_impl_rm(r->sess->store, r->sess->dom_id, req_tx(r), path);
    return ok_unless(r, err);
}

/* --- Watches --- */

/*
 * "wpath\0token\0" and, when the domain has the WATCHDEPTH feature, an
 * optional "depth\0".  An empty third string (the old reserved field) or
 * bytes after the last NUL mean no depth limit.
 */
static int xs_wire_watch(XsRequest *r)
{
    XsWireSession *sess = r->sess;
    const char *v[3];
    int n = split_strings(r, v, 3, true);
    int depth = -1;
    int err;

    if (n < 2) {
        return EINVAL;
    }
    if (n >= 3 && v[2][0] &&
        (xs_impl_get_features(sess->store, sess->dom_id) &
         XENSTORE_SERVER_FEATURE_WATCHDEPTH)) {
        unsigned int d;

        if (!xs_parse_u32(v[2], &d) || d > INT_MAX) {
            return EINVAL;
        }
        depth = d;
    }
    trace_xenstore_watch(v[0], v[1], depth);
    if (depth < 0) {
        err = xs_impl_watch(sess->store, sess->dom_id, v[0], v[1],
                            sess->watch_fn, sess->watch_opaque);
    } else {
        err = xs_impl_watch_depth(sess->store, sess->dom_id, v[0], v[1],
                                  depth, sess->watch_fn, sess->watch_opaque);
    }
    return ok_unless(r, err);
}

static int xs_wire_unwatch(XsRequest *r)
{
    XsWireSession *sess = r->sess;
    const char *v[2];

    if (split_strings(r, v, 2, true) < 2) {
        return EINVAL;
    }
    trace_xenstore_unwatch(v[0], v[1]);
    return ok_unless(r, xs_impl_unwatch(sess->store, sess->dom_id, v[0],
                                        v[1], sess->watch_fn,
                                        sess->watch_opaque));
}

static int xs_wire_reset_watches(XsRequest *r)
{
    if (!r->len || r->payload[r->len - 1]) {
        return EINVAL;
    }
    trace_xenstore_reset_watches(r->sess->dom_id, r->sess->domain_wide);
    xs_wire_session_reset(r->sess);
    return ok_unless(r, 0);
}

/* --- Transactions --- */

/* The payload is a reserved (empty) string and is not looked at. */
static int xs_wire_transaction_start(XsRequest *r)
{
    xs_transaction_t tx = XBT_NULL;
    int err;

    if (req_tx(r) != XBT_NULL) {
        return EBUSY;
    }
    err = xs_impl_transaction_start(r->sess->store, r->sess->dom_id, &tx);
    if (err) {
        return err;
    }
    trace_xenstore_transaction_start(tx);
    g_hash_table_add(r->sess->transactions, GUINT_TO_POINTER(tx));
    rsp_printf(r, "%u", tx);
    return 0;
}

static int xs_wire_transaction_end(XsRequest *r)
{
    const char *arg;
    bool commit;
    int err;

    /* tx 0 is never in the set: it is refused like any unknown id. */
    if (req_tx(r) == XBT_NULL) {
        return ENOENT;
    }
    if (one_string(r, &arg) ||
        (strcmp(arg, "T") && strcmp(arg, "F"))) {
        return EINVAL;
    }
    commit = arg[0] == 'T';
    trace_xenstore_transaction_end(req_tx(r), commit);
    g_hash_table_remove(r->sess->transactions, GUINT_TO_POINTER(req_tx(r)));
    err = xs_impl_transaction_end(r->sess->store, r->sess->dom_id,
                                  req_tx(r), commit);
    return ok_unless(r, err);
}

/* --- Domains --- */

static int xs_wire_get_domain_path(XsRequest *r)
{
    const char *arg;
    unsigned int domid;

    if (one_string(r, &arg) || !xs_parse_domid(arg, &domid)) {
        return EINVAL;
    }
    trace_xenstore_get_domain_path(domid);
    rsp_printf(r, "/local/domain/%u", domid);
    return 0;
}

/* The single "domid\0" argument of RELEASE, RESUME, IS_DOMAIN_INTRODUCED. */
static int domid_arg(XsRequest *r, unsigned int *domid)
{
    const char *arg;

    if (one_string(r, &arg) || !xs_parse_domid(arg, domid)) {
        return EINVAL;
    }
    return 0;
}

/*
 * "domid\0gfn\0evtchn\0" (a reserved field may follow).  This process
 * reaches guest rings only through the xen-xenstore device, so the page
 * and port are checked but not mapped: the call marks the domain as
 * introduced in the store, which fires @introduceDomain.
 */
static int xs_wire_introduce(XsRequest *r)
{
    const char *v[3];
    unsigned int domid, evtchn;
    uint64_t gfn;

    if (split_strings(r, v, 3, true) < 3 ||
        !xs_parse_domid(v[0], &domid) ||
        qemu_strtou64(v[1], NULL, 10, &gfn) ||
        !xs_parse_u32(v[2], &evtchn)) {
        return EINVAL;
    }
    trace_xenstore_introduce(domid, gfn, evtchn);
    return ok_unless(r, xs_impl_introduce_domain(r->sess->store, domid));
}

static int xs_wire_release(XsRequest *r)
{
    unsigned int domid;
    int err = domid_arg(r, &domid);

    if (err) {
        return err;
    }
    trace_xenstore_release(domid);
    return ok_unless(r, xs_impl_release_domain(r->sess->store, domid));
}

static int xs_wire_is_domain_introduced(XsRequest *r)
{
    unsigned int domid;
    int err = domid_arg(r, &domid);

    if (err) {
        return err;
    }
    trace_xenstore_is_domain_introduced(domid);
    rsp_string(r, xs_impl_is_domain_introduced(r->sess->store, domid) ?
               "T" : "F");
    return 0;
}

/*
 * Xen uses RESUME to re-arm @releaseDomain after a domain was shut down
 * and restarted.  The store fires @releaseDomain on every release, so
 * there is nothing to re-arm: the domain must merely be known.
 */
static int xs_wire_resume(XsRequest *r)
{
    unsigned int domid;
    int err = domid_arg(r, &domid);

    if (err) {
        return err;
    }
    trace_xenstore_resume(domid);
    return ok_unless(r, xs_impl_resume_domain(r->sess->store, domid));
}

/* "domid\0tdomid\0": tdomid may be DOMID_INVALID to clear the target. */
static int xs_wire_set_target(XsRequest *r)
{
    const char *v[2];
    unsigned int domid, target;

    if (split_strings(r, v, 2, false) != 2 || !xs_parse_domid(v[0], &domid) ||
        !xs_parse_u32(v[1], &target) ||
        (target >= DOMID_FIRST_RESERVED && target != DOMID_INVALID)) {
        return EINVAL;
    }
    trace_xenstore_wire_set_target(domid, target);
    return ok_unless(r, xs_impl_set_target(r->sess->store, domid,
                                           target));
}

/* --- Features and quotas --- */

/*
 * "" or "domid\0".  Without a domid the caller's own domain is meant.
 * An unprivileged caller may ask only about itself.
 */
static int xs_wire_get_feature(XsRequest *r)
{
    const char *v[1];
    int n = split_args(r, v, 1);
    unsigned int domid = r->sess->dom_id;

    if (n < 0) {
        return EINVAL;
    }
    if (n == 1 && v[0][0] && !xs_parse_domid(v[0], &domid)) {
        return EINVAL;
    }
    if (domid != r->sess->dom_id && !is_privileged(r)) {
        return EACCES;
    }
    trace_xenstore_get_feature(domid);
    rsp_printf(r, "%u", xs_impl_get_features(r->sess->store, domid));
    return 0;
}

static int xs_wire_set_feature(XsRequest *r)
{
    const char *v[2];
    unsigned int domid, features;

    if (split_strings(r, v, 2, false) != 2 || !xs_parse_domid(v[0], &domid) ||
        !xs_parse_u32(v[1], &features)) {
        return EINVAL;
    }
    trace_xenstore_set_feature(domid, features);
    return ok_unless(r, xs_impl_set_features(r->sess->store, domid,
                                             features));
}

/*
 * The quota and CONTROL requests: the codec splits their strings, the
 * text is xenstore_control.c's.
 */
static int xs_wire_get_quota(XsRequest *r)
{
    const char *v[2];
    int n = split_args(r, v, 2);

    return n < 0 ? EINVAL : xs_control_get_quota(r->sess->store,
                                                 r->sess->dom_id, v, n,
                                                 r->rsp);
}

static int xs_wire_set_quota(XsRequest *r)
{
    const char *v[3];
    int n = split_args(r, v, 3);

    return ok_unless(r, n < 0 ? EINVAL :
                     xs_control_set_quota(r->sess->store, v, n));
}

static int xs_wire_control(XsRequest *r)
{
    const char *v[3];
    int n = split_args(r, v, 3);

    return n < 0 ? EINVAL : xs_control_run(r->sess->store, v, n,
                                               r->rsp);
}

static const XsWireOp xs_wire_ops[XS_TYPE_COUNT] = {
    [XS_CONTROL] = { "CONTROL", xs_wire_control, XS_OP_PRIV },
    [XS_DIRECTORY] = { "DIRECTORY", xs_wire_directory, XS_OP_TX },
    [XS_READ] = { "READ", xs_wire_read, XS_OP_TX },
    [XS_GET_PERMS] = { "GET_PERMS", xs_wire_get_perms, XS_OP_TX },
    [XS_WATCH] = { "WATCH", xs_wire_watch, 0 },
    [XS_UNWATCH] = { "UNWATCH", xs_wire_unwatch, 0 },
    [XS_TRANSACTION_START] = { "TRANSACTION_START",
                               xs_wire_transaction_start, 0 },
    [XS_TRANSACTION_END] = { "TRANSACTION_END", xs_wire_transaction_end,
                             XS_OP_TX },
    [XS_INTRODUCE] = { "INTRODUCE", xs_wire_introduce, XS_OP_PRIV },
    [XS_RELEASE] = { "RELEASE", xs_wire_release, XS_OP_PRIV },
    [XS_GET_DOMAIN_PATH] = { "GET_DOMAIN_PATH", xs_wire_get_domain_path, 0 },
    [XS_WRITE] = { "WRITE", xs_wire_write, XS_OP_TX },
    [XS_MKDIR] = { "MKDIR", xs_wire_mkdir, XS_OP_TX },
    [XS_RM] = { "RM", xs_wire_rm, XS_OP_TX },
    [XS_SET_PERMS] = { "SET_PERMS", xs_wire_set_perms, XS_OP_TX },
    [XS_WATCH_EVENT] = { "WATCH_EVENT", NULL, 0 },
    [XS_ERROR] = { "ERROR", NULL, 0 },
    [XS_IS_DOMAIN_INTRODUCED] = { "IS_DOMAIN_INTRODUCED",
                                  xs_wire_is_domain_introduced, XS_OP_PRIV },
    [XS_RESUME] = { "RESUME", xs_wire_resume, XS_OP_PRIV },
    [XS_SET_TARGET] = { "SET_TARGET", xs_wire_set_target, XS_OP_PRIV },
    [20] = { "RESTRICT", NULL, 0 },
    [XS_RESET_WATCHES] = { "RESET_WATCHES", xs_wire_reset_watches, 0 },
    [XS_DIRECTORY_PART] = { "DIRECTORY_PART", xs_wire_directory_part,
                            XS_OP_TX },
    [XS_GET_FEATURE] = { "GET_FEATURE", xs_wire_get_feature, 0 },
    [XS_SET_FEATURE] = { "SET_FEATURE", xs_wire_set_feature, XS_OP_PRIV },
    [XS_GET_QUOTA] = { "GET_QUOTA", xs_wire_get_quota, 0 },
    [XS_SET_QUOTA] = { "SET_QUOTA", xs_wire_set_quota, XS_OP_PRIV },
};

const char *xs_wire_type_name(uint32_t type)
{
    if (type < XS_TYPE_COUNT && xs_wire_ops[type].name) {
        return xs_wire_ops[type].name;
    }
    return "UNKNOWN";
}

static void append_msg(GByteArray *out, uint32_t type, uint32_t req_id,
                       uint32_t tx_id, const void *payload, uint32_t len)
{
    struct xsd_sockmsg hdr = {
        .type = type, .req_id = req_id, .tx_id = tx_id, .len = len,
    };

    g_byte_array_append(out, (const guint8 *)&hdr, sizeof(hdr));
    g_byte_array_append(out, payload, len);
}

/* Run the checks every type shares, then the type's handler. */
static int dispatch(XsRequest *r)
{
    XsWireSession *sess = r->sess;
    uint32_t type = r->hdr->type;
    const XsWireOp *op;

    if (type >= XS_TYPE_COUNT || !xs_wire_ops[type].fn) {
        return ENOSYS;
    }
    op = &xs_wire_ops[type];
    /* The transports never pass more; a direct caller gets an error. */
    if (r->len > XENSTORE_PAYLOAD_MAX) {
        return EINVAL;
    }
    if ((op->flags & XS_OP_PRIV) && !is_privileged(r)) {
        return EACCES;
    }
    if ((op->flags & XS_OP_TX) && r->hdr->tx_id != XBT_NULL &&
        !g_hash_table_contains(sess->transactions,
                               GUINT_TO_POINTER(r->hdr->tx_id))) {
        return ENOENT;
    }
    return op->fn(r);
}

void xs_wire_handle_request(XsWireSession *sess,
                            const struct xsd_sockmsg *req,
                            const uint8_t *payload, GByteArray *reply)
{
    guint start = reply->len;
    XsRequest r = {
        .sess = sess,
        .hdr = req,
        /* Handlers search the payload; never hand them NULL. */
        .payload = payload ? (const char *)payload : "",
        .len = req->len,
        .rsp = reply,
        .rsp_start = start + sizeof(struct xsd_sockmsg),
    };
    struct xsd_sockmsg hdr = {
        .type = req->type, .req_id = req->req_id, .tx_id = req->tx_id,
    };
    int err;

    trace_xenstore_request(sess->dom_id, xs_wire_type_name(req->type),
                           req->req_id, req->tx_id, req->len);
    /* The payload goes straight after a header filled in at the end. */
    g_byte_array_set_size(reply, r.rsp_start);
    err = (!payload && req->len) ? EINVAL : dispatch(&r);
    hdr.len = reply->len - r.rsp_start;
    if (!err && hdr.len > XENSTORE_PAYLOAD_MAX) {
        err = E2BIG;
    }
    if (err) {
        const char *name = xs_error_name(err);

        trace_xenstore_error(sess->dom_id, xs_wire_type_name(req->type),
                             req->req_id, name);
        g_byte_array_set_size(reply, start);
        append_msg(reply, XS_ERROR, req->req_id, req->tx_id, name,
                   strlen(name) + 1);
        return;
    }
    memcpy(reply->data + start, &hdr, sizeof(hdr));
}

size_t xs_wire_event_payload_len(const char *path, const char *token)
{
    return strlen(path) + 1 + strlen(token) + 1;
}

bool xs_wire_encode_event(GByteArray *out, const char *path,
                          const char *token)
{
    size_t plen = strlen(path) + 1;
    size_t len = xs_wire_event_payload_len(path, token);
    struct xsd_sockmsg hdr = {
        .type = XS_WATCH_EVENT, .req_id = 0, .tx_id = 0, .len = len,
    };

    if (len > XENSTORE_PAYLOAD_MAX) {
        return false;
    }
    g_byte_array_append(out, (const guint8 *)&hdr, sizeof(hdr));
    g_byte_array_append(out, (const guint8 *)path, plen);
    g_byte_array_append(out, (const guint8 *)token, len - plen);
    return true;
}

/* --- Sessions --- */

void xs_wire_session_init(XsWireSession *sess, XenstoreImplState *store,
                          unsigned int dom_id, bool domain_wide,
                          xs_impl_watch_fn *watch_fn, void *watch_opaque)
{
    *sess = (XsWireSession) {
        .store = store,
        .dom_id = dom_id,
        .domain_wide = domain_wide,
        .watch_fn = watch_fn,
        .watch_opaque = watch_opaque,
        .transactions = g_hash_table_new(NULL, NULL),
    };
}

/* Drop what this session itself registered: its watches, its transactions. */
static void session_drop_own(XsWireSession *sess)
{
    GHashTableIter it;
    gpointer key;

    xs_impl_unwatch_all(sess->store, sess->dom_id, sess->watch_fn,
                        sess->watch_opaque);
    g_hash_table_iter_init(&it, sess->transactions);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        /* ENOENT is fine: the store may have ended it (release_domain). */
        xs_impl_transaction_end(sess->store, sess->dom_id,
                                GPOINTER_TO_UINT(key), false);
    }
    g_hash_table_remove_all(sess->transactions);
}

void xs_wire_session_reset(XsWireSession *sess)
{
    /*
     * A privileged domain always has other connections (socket clients,
     * backends): never reset it as a whole, whatever the session says.
     */
    if (sess->domain_wide && sess->dom_id != DOMID_QEMU &&
        !xs_impl_is_privileged(sess->store, sess->dom_id)) {
        xs_impl_reset_watches(sess->store, sess->dom_id);
        g_hash_table_remove_all(sess->transactions);
    } else {
        session_drop_own(sess);
    }
}

void xs_wire_session_destroy(XsWireSession *sess)
{
    if (!sess->transactions) {
        return;
    }
    session_drop_own(sess);
    g_hash_table_destroy(sess->transactions);
    sess->transactions = NULL;
}
