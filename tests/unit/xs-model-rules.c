/*
 * The rules the XenStore reference model applies (see xs-model-rules.h):
 * path syntax and limits, who may do what to a node, the syntax of
 * permission entries and what a node costs against node-size.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-model-rules.h"

/* ---- paths ---- */

bool is_privileged(unsigned int dom)
{
    return dom == 0;
}

char *parent_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash == path ? g_strdup("/") : g_strndup(path, slash - path);
}

/* Is a an ancestor of (or equal to) b? */
bool path_covers(const char *a, const char *b)
{
    size_t la = strlen(a);

    if (!strcmp(a, "/")) {
        return b[0] == '/';
    }
    return !strncmp(a, b, la) && (b[la] == '\0' || b[la] == '/');
}

bool path_strictly_inside(const char *inner, const char *outer)
{
    size_t lo = strlen(outer);

    return !strncmp(inner, outer, lo) && inner[lo] == '/';
}

unsigned int path_depth(const char *p)
{
    unsigned int n = 0;

    if (p[0] != '/' || !p[1]) {
        return 0;
    }
    for (; *p; p++) {
        n += *p == '/';
    }
    return n;
}

static bool path_byte_ok(unsigned char c)
{
    return g_ascii_isalnum(c) || c == '-' || c == '/' || c == '_' ||
           c == '@';
}

/* Bytes counted against the relative limits: after /local/domain/<N>/. */
static size_t rel_part_len(const char *canon)
{
    static const char prefix[] = "/local/domain/";
    const char *p;

    if (strncmp(canon, prefix, strlen(prefix))) {
        return strlen(canon);
    }
    p = canon + strlen(prefix);
    if (!g_ascii_isdigit(*p)) {
        return strlen(canon);
    }
    while (g_ascii_isdigit(*p)) {
        p++;
    }
    return *p == '/' ? strlen(p + 1) : strlen(canon);
}

/*
 * The spec's path rules (section 2 and the decided semantics): returns
 * the canonical form in *canon and how many bytes a relative watch strips.
 */
int model_resolve(Model *m, unsigned int dom, const char *path,
                  bool allow_special, char **canon, size_t *rel_off)
{
    g_autofree char *c = NULL;
    size_t len;

    *canon = NULL;
    *rel_off = 0;
    if (!path || !*path) {
        return EINVAL;
    }
    if (path[0] == '@') {
        if (!allow_special || !path[1]) {
            return EINVAL;
        }
        c = g_strdup(path);
    } else if (path[0] == '/') {
        c = g_strdup(path);
    } else {
        c = g_strdup_printf("/local/domain/%u/%s", dom, path);
        *rel_off = strlen(c) - strlen(path);
    }
    len = strlen(c);
    for (size_t i = 0; i < len; i++) {
        if (!path_byte_ok(c[i]) || (c[i] == '/' && c[i + 1] == '/')) {
            return EINVAL;
        }
    }
    if (len > 1 && c[len - 1] == '/') {
        return EINVAL;
    }
    if (len > 3072 || rel_part_len(c) > 2048) {
        return EINVAL;
    }
    if (!is_privileged(dom) &&
        rel_part_len(c) > m->quota[dom][XS_QUOTA_PATH_MAX]) {
        return E2BIG;
    }
    *canon = g_steal_pointer(&c);
    return 0;
}

/* ---- permissions ---- */

static unsigned int perm_of(Model *m, const MPerms *p, unsigned int dom)
{
    if (is_privileged(dom) || p->e[0].dom == dom ||
        (dom < MODEL_NDOMS && m->target[dom] != DOMID_INVALID &&
         p->e[0].dom == m->target[dom])) {
        return XS_PERM_BOTH;
    }
    for (unsigned int i = 1; i < p->n; i++) {
        if (p->e[i].dom == dom) {
            return p->e[i].perm;
        }
    }
    return p->e[0].perm;
}

bool can_read(Model *m, const MPerms *p, unsigned int dom)
{
    return perm_of(m, p, dom) & XS_PERM_READ;
}

bool can_write(Model *m, const MPerms *p, unsigned int dom)
{
    return perm_of(m, p, dom) & XS_PERM_WRITE;
}

MPerms perms_for_new_node(const MPerms *parent, unsigned int dom)
{
    MPerms p = *parent;

    if (!is_privileged(dom)) {
        p.e[0].dom = dom;
    }
    return p;
}

char *perm_string(uint8_t perm, unsigned int dom)
{
    return g_strdup_printf("%c%u", "nrwb"[perm & 3], dom);
}

/* "r1": letter n/r/w/b, 1-5 decimal digits, a domid below 0x7FF0. */
static bool parse_perm(const char *s, uint8_t *perm, unsigned int *dom)
{
    const char *letters = "nrwb";
    const char *pos = s[0] ? strchr(letters, s[0]) : NULL;
    size_t ndigits = strlen(s + (s[0] != 0));
    unsigned long v;

    if (!pos || ndigits < 1 || ndigits > 5) {
        return false;
    }
    for (const char *d = s + 1; *d; d++) {
        if (!g_ascii_isdigit(*d)) {
            return false;
        }
    }
    v = strtoul(s + 1, NULL, 10);
    if (v >= DOMID_FIRST_RESERVED) {
        return false;
    }
    *perm = pos - letters;
    *dom = v;
    return true;
}

bool parse_perm_list(GList *list, MPerms *out)
{
    out->n = 0;
    if (!list) {
        return false;
    }
    for (GList *l = list; l; l = l->next) {
        g_assert(out->n < MODEL_MAX_PERMS);
        if (!parse_perm(l->data, &out->e[out->n].perm,
                        &out->e[out->n].dom)) {
            return false;
        }
        out->n++;
    }
    return true;
}

uint32_t node_size(const MPerms *p, size_t value_len, size_t child_bytes)
{
    return 16 + 8 * p->n + value_len + child_bytes;
}
