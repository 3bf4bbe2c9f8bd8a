/*
 * The XenStore database's access layer: domains (privilege, targets,
 * quotas, features), permission lists and the permission decision, and
 * the path rules.  Everything above it asks here who may do what.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xenstore_access.h"

static const unsigned int xs_default_quotas[XS_QUOTA__MAX] = {
    [XS_QUOTA_NODES] = 1000,
    [XS_QUOTA_NODE_SIZE] = 2048,
    [XS_QUOTA_WATCHES] = 128,
    [XS_QUOTA_TRANSACTIONS] = 10,
    [XS_QUOTA_PERMS] = 5,
    [XS_QUOTA_PATH_MAX] = XENSTORE_REL_PATH_MAX,
    [XS_QUOTA_TX_NODES] = 1024,
    [XS_QUOTA_WATCH_EVENTS] = 1024,
};

static const char *const xs_quota_names[XS_QUOTA__MAX] = {
    [XS_QUOTA_NODES] = "nodes",
    [XS_QUOTA_NODE_SIZE] = "node-size",
    [XS_QUOTA_WATCHES] = "watches",
    [XS_QUOTA_TRANSACTIONS] = "transactions",
    [XS_QUOTA_PERMS] = "permissions",
    [XS_QUOTA_PATH_MAX] = "path-max",
    [XS_QUOTA_TX_NODES] = "transaction-nodes",
    [XS_QUOTA_WATCH_EVENTS] = "outstanding",
};

/* Bytes allowed in a path: A-Z a-z 0-9 - / _ @ ; '/' has its own class. */
#define XS_CHAR_OTHER 1
#define XS_CHAR_SLASH 2
static const uint8_t xs_path_char[256] = {
    ['-'] = XS_CHAR_OTHER, ['_'] = XS_CHAR_OTHER, ['@'] = XS_CHAR_OTHER,
    ['0' ... '9'] = XS_CHAR_OTHER, ['A' ... 'Z'] = XS_CHAR_OTHER,
    ['a' ... 'z'] = XS_CHAR_OTHER, ['/'] = XS_CHAR_SLASH,
};


XsDomain *xs_domain(XsAccess *a, unsigned int domid, bool create)
{
    XsDomain *d = a->last_domain;

    if (d && d->domid == domid) {
        return d;
    }
    d = g_hash_table_lookup(a->domains, GUINT_TO_POINTER(domid));
    if (!d && create) {
        d = g_new0(XsDomain, 1);
        d->domid = domid;
        d->target = DOMID_INVALID;
        d->privileged = (domid == DOMID_QEMU);
        g_hash_table_insert(a->domains, GUINT_TO_POINTER(domid), d);
    }
    if (d) {
        a->last_domain = d;
    }
    return d;
}

bool xs_is_privileged(XsAccess *a, unsigned int domid)
{
    XsDomain *d = xs_domain(a, domid, false);

    return d ? d->privileged : domid == DOMID_QEMU;
}

unsigned int xs_quota(XsAccess *a, unsigned int domid, XsQuota q)
{
    XsDomain *d = xs_domain(a, domid, false);

    if (d && (d->quota_set & (1u << q))) {
        return d->quota[q];
    }
    return a->default_quota[q];
}

const char *xs_quota_name(XsQuota q)
{
    return q < XS_QUOTA__MAX ? xs_quota_names[q] : NULL;
}

int xs_quota_from_name(const char *name)
{
    for (int q = 0; q < XS_QUOTA__MAX; q++) {
        if (g_str_equal(name, xs_quota_names[q])) {
            return q;
        }
    }
    return -1;
}

/* ---- permissions ---- */

XsPerms *xs_perms_ref(XsPerms *p)
{
    p->refcnt++;
    return p;
}

void xs_perms_unref(XsPerms *p)
{
    if (p && --p->refcnt == 0) {
        g_free(p);
    }
}

XsPerms *xs_perms_new(unsigned int n)
{
    XsPerms *p = g_malloc(sizeof(XsPerms) + n * sizeof(XsPermEntry));

    p->refcnt = 1;
    p->n = n;
    return p;
}

unsigned int xs_perm_for(XsAccess *a, const XsPerms *p,
                         unsigned int domid)
{
    XsDomain *d;

    if (p->e[0].domid == domid) {
        return XS_PERM_BOTH;
    }
    d = xs_domain(a, domid, false);
    if (d ? d->privileged : domid == DOMID_QEMU) {
        return XS_PERM_BOTH;
    }
    if (d && d->target != DOMID_INVALID && p->e[0].domid == d->target) {
        return XS_PERM_BOTH;
    }
    for (unsigned int i = 1; i < p->n; i++) {
        if (p->e[i].domid == domid) {
            return p->e[i].perm;
        }
    }
    return p->e[0].perm;
}

/* The list a new node gets: its parent's, owned by an unprivileged maker. */
XsPerms *xs_perms_for_new_node(XsAccess *a, XsPerms *parent,
                               unsigned int domid)
{
    XsPerms *p;

    if (parent->e[0].domid == domid || xs_is_privileged(a, domid)) {
        return xs_perms_ref(parent);
    }
    p = xs_perms_new(parent->n);
    memcpy(p->e, parent->e, parent->n * sizeof(XsPermEntry));
    p->e[0].domid = domid;
    return p;
}

bool xs_perms_equal(const XsPerms *a, const XsPerms *b)
{
    if (a->n != b->n) {
        return false;
    }
    for (unsigned int i = 0; i < a->n; i++) {
        if (a->e[i].domid != b->e[i].domid || a->e[i].perm != b->e[i].perm) {
            return false;
        }
    }
    return true;
}

char *xs_perm_as_string(unsigned int perm, unsigned int domid)
{
    char letter;

    switch (perm & XS_PERM_BOTH) {
    case XS_PERM_READ:
        letter = 'r';
        break;
    case XS_PERM_WRITE:
        letter = 'w';
        break;
    case XS_PERM_BOTH:
        letter = 'b';
        break;
    default:
        letter = 'n';
        break;
    }
    return g_strdup_printf("%c%u", letter, domid);
}

/* Parse "r1", "n0": a letter, then a domid below DOMID_FIRST_RESERVED. */
bool xs_perm_parse(const char *str, XsPermEntry *e)
{
    unsigned long domid = 0;
    const char *p = str + 1;

    switch (str[0]) {
    case 'n':
        e->perm = XS_PERM_NONE;
        break;
    case 'r':
        e->perm = XS_PERM_READ;
        break;
    case 'w':
        e->perm = XS_PERM_WRITE;
        break;
    case 'b':
        e->perm = XS_PERM_BOTH;
        break;
    default:
        return false;
    }
    if (!*p || strlen(p) > 5) {
        return false;
    }
    for (; *p; p++) {
        if (*p < '0' || *p > '9') {
            return false;
        }
        domid = domid * 10 + (*p - '0');
    }
    if (domid >= DOMID_FIRST_RESERVED) {
        return false;
    }
    e->domid = domid;
    return true;
}

GList *xs_perms_to_list(const XsPerms *p)
{
    GList *list = NULL;

    for (unsigned int i = p->n; i-- > 0;) {
        list = g_list_prepend(list, xs_perm_as_string(p->e[i].perm,
                                                      p->e[i].domid));
    }
    return list;
}

XsPerms *xs_perms_from_list(GList *list)
{
    unsigned int n = g_list_length(list);
    XsPerms *p;
    unsigned int i = 0;

    if (n == 0) {
        return NULL;
    }
    p = xs_perms_new(n);
    for (GList *l = list; l; l = l->next, i++) {
        if (!l->data || !xs_perm_parse(l->data, &p->e[i])) {
            g_free(p);
            return NULL;
        }
    }
    return p;
}

uint32_t xs_node_size(const XsPerms *p, uint32_t value_len,
                      uint32_t children_bytes)
{
    return 16 + 8 * p->n + value_len + children_bytes;
}

void xs_account_node(XsAccess *a, const XsPerms *p, int delta)
{
    XsDomain *d = xs_domain(a, p->e[0].domid, true);

    d->nr_nodes += delta;
}

/*
 * The quota checks for creating new_nodes nodes below an existing
 * ancestor whose size becomes anc_size_after, the last of them of size
 * leaf_size.  pending_created counts nodes an open transaction of the
 * caller already creates.
 */
int xs_check_create(XsAccess *a, unsigned int dom_id,
                    const XsPerms *anc_perms, uint32_t anc_size_after,
                    unsigned int new_nodes, unsigned int pending_created,
                    uint32_t leaf_size)
{
    unsigned int limit;
    XsDomain *d;

    if (xs_is_privileged(a, dom_id)) {
        return 0;
    }
    limit = xs_quota(a, dom_id, XS_QUOTA_NODE_SIZE);
    if (anc_size_after > limit || leaf_size > limit) {
        return E2BIG;
    }
    d = xs_domain(a, dom_id, false);
    if ((d ? d->nr_nodes : 0) + pending_created + new_nodes >
        xs_quota(a, dom_id, XS_QUOTA_NODES)) {
        return ENOSPC;
    }
    (void)anc_perms;
    return 0;
}

/* ---- paths ---- */

/* "/local/domain/<dom_id>": on the path of every relative request. */
static size_t xs_format_home(char *buf, unsigned int dom_id)
{
    static const char prefix[] = "/local/domain/";
    char digits[10];
    size_t n = 0, len = sizeof(prefix) - 1;

    do {
        digits[n++] = '0' + dom_id % 10;
        dom_id /= 10;
    } while (dom_id);
    memcpy(buf, prefix, len);
    while (n) {
        buf[len++] = digits[--n];
    }
    buf[len] = '\0';
    return len;
}

/* Length of the part of a canonical path that counts against path-max. */
static size_t xs_path_rel_len(const char *path, size_t len)
{
    static const char prefix[] = "/local/domain/";
    const char *p;

    if (len <= sizeof(prefix) || memcmp(path, prefix, sizeof(prefix) - 1)) {
        return len;
    }
    p = path + sizeof(prefix) - 1;
    if (*p < '0' || *p > '9') {
        return len;
    }
    while (*p >= '0' && *p <= '9') {
        p++;
    }
    if (*p != '/') {
        return len;
    }
    return len - (p + 1 - path);
}

/*
 * Check a path as given by dom_id and put its canonical absolute form in
 * out.  Special (@) paths are accepted only with allow_special.
 */
int xs_path_check(XsAccess *a, unsigned int dom_id,
                  const char *path, bool allow_special, XsPath *out)
{
    size_t off = 0, len, rel_len;
    uint8_t prev;

    out->special = false;
    out->rel_off = 0;
    if (!path || !path[0]) {
        return EINVAL;
    }
    len = strlen(path);
    if (len > XENSTORE_ABS_PATH_MAX) {
        return EINVAL;
    }
    if (path[0] == '@') {
        if (!allow_special || !path[1]) {
            return EINVAL;
        }
        out->special = true;
    } else if (path[0] != '/') {
        off = xs_format_home(out->buf, dom_id);
        out->buf[off++] = '/';
        out->rel_off = off;
        if (off + len > XENSTORE_ABS_PATH_MAX) {
            return EINVAL;
        }
    }
    /* One pass: every byte allowed, no empty component. */
    prev = off ? XS_CHAR_SLASH : 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t cls = xs_path_char[(unsigned char)path[i]];

        if (!cls || (cls & prev & XS_CHAR_SLASH)) {
            return EINVAL;
        }
        prev = cls;
    }
    if (prev == XS_CHAR_SLASH && off + len > 1) {
        return EINVAL;
    }
    memcpy(out->buf + off, path, len + 1);
    out->len = off + len;
    rel_len = out->special ? out->len : xs_path_rel_len(out->buf, out->len);
    out->rel_len = rel_len;
    return rel_len > XENSTORE_REL_PATH_MAX ? EINVAL : 0;
}

int xs_path_resolve(XsAccess *a, unsigned int dom_id,
                    const char *path, bool allow_special, XsPath *out)
{
    int err = xs_path_check(a, dom_id, path, allow_special, out);

    /* Below the smallest path-max ever set, no quota can apply. */
    if (!err && out->rel_len > a->min_path_quota &&
        !xs_is_privileged(a, dom_id) &&
        out->rel_len > xs_quota(a, dom_id, XS_QUOTA_PATH_MAX)) {
        return E2BIG;
    }
    return err;
}

int xs_missing_error_perms(XsAccess *a, unsigned int dom_id,
                           const XsPerms *anc_perms)
{
    return (xs_perm_for(a, anc_perms, dom_id) & XS_PERM_READ) ?
           ENOENT : EACCES;
}

/*
 * May dom_id give node (with perms cur) the list new?  Ownership is
 * needed, and privilege to hand the node to another owner.
 */
int xs_check_set_perms(XsAccess *a, unsigned int dom_id,
                       const XsPerms *cur, const XsPerms *new)
{
    XsDomain *d;
    bool owner;

    if (xs_is_privileged(a, dom_id)) {
        return 0;
    }
    d = xs_domain(a, dom_id, false);
    owner = cur->e[0].domid == dom_id ||
            (d && d->target != DOMID_INVALID && cur->e[0].domid == d->target);
    if (!owner) {
        return EACCES;
    }
    if (new->e[0].domid != cur->e[0].domid) {
        return EPERM;
    }
    if (new->n > xs_quota(a, dom_id, XS_QUOTA_PERMS)) {
        return ENOSPC;
    }
    return 0;
}

/* ---- create / destroy ---- */

XsPerms *xs_perms_dom0_none(void)
{
    XsPerms *p = xs_perms_new(1);

    p->e[0].domid = DOMID_QEMU;
    p->e[0].perm = XS_PERM_NONE;
    return p;
}

void xs_access_init(XsAccess *a)
{
    a->domains = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    a->last_domain = NULL;
    memcpy(a->default_quota, xs_default_quotas, sizeof(a->default_quota));
    a->min_path_quota = a->default_quota[XS_QUOTA_PATH_MAX];
}

void xs_access_destroy(XsAccess *a)
{
    g_hash_table_destroy(a->domains);
}
