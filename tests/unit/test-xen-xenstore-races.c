/*
 * Transaction races through the xen-xenstore device's real ring: domain
 * 0, on a backend handle, changes the store while the simulated guest
 * (xs-guest.c) is inside a transaction.  The guest's commit fails with
 * EAGAIN when the change touched what it used, and commits otherwise.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xen_backend_ops.h"
#include "hw/i386/kvm/xen_evtchn.h"
#include "hw/i386/kvm/xen_xenstore.h"
#include "xs-world.h"

#define HOME "/local/domain/1"

static const XenstoreBackendOps *ops = &emu_xenstore_backend_ops;

/* The guest on the ring, and domain 0 on a second connection. */
typedef struct Race {
    World w;
    qemu_xs_handle *dom0;
    GPtrArray *events;          /* paths domain 0's watch on "/" saw */
} Race;

static void record_cb(void *opaque, const char *path)
{
    GPtrArray *events = opaque;

    g_ptr_array_add(events, g_strdup(path));
}

static void race_up(Race *r)
{
    world_up(&r->w);
    r->dom0 = ops->open(&error_abort);
    g_assert_nonnull(r->dom0);
    r->events = g_ptr_array_new_with_free_func(g_free);
    g_assert_nonnull(ops->watch(r->dom0, "/", record_cb, r->events));
    xs_guest_run();
    /* The watch fired once when set. */
    g_assert_cmpuint(r->events->len, ==, 1);
    g_ptr_array_set_size(r->events, 0);
}

static void race_down(Race *r)
{
    ops->close(r->dom0);
    g_ptr_array_free(r->events, true);
    world_down(&r->w);
}

/* ---- domain 0's side: its handle, outside any transaction ---- */

static void dom0_put(Race *r, const char *path, const char *value)
{
    g_assert_true(ops->write(r->dom0, XBT_NULL, path, value, strlen(value)));
}

/* perms as "n0,r1" */
static void dom0_set_perms(Race *r, const char *path, const char *perms)
{
    g_auto(GStrv) list = g_strsplit(perms, ",", -1);

    g_assert_true(ops->set_perms(r->dom0, XBT_NULL, path, list,
                                 g_strv_length(list)));
}

static void dom0_rm(Race *r, const char *path)
{
    g_assert_true(ops->destroy(r->dom0, XBT_NULL, path));
}

static void assert_value(Race *r, const char *path, const char *want)
{
    unsigned int len = 0;
    g_autofree char *v = ops->read(r->dom0, XBT_NULL, path, &len);

    g_assert_nonnull(v);
    g_assert_cmpmem(v, len, want, strlen(want));
}

static void assert_perms(Race *r, const char *path, const char *want)
{
    g_auto(GStrv) perms = ops->get_perms(r->dom0, XBT_NULL, path, NULL);
    g_autofree char *got = NULL;

    g_assert_nonnull(perms);
    got = g_strjoinv(",", perms);
    g_assert_cmpstr(got, ==, want);
}

static void assert_children(Race *r, const char *path, const char *want)
{
    g_auto(GStrv) names = ops->directory(r->dom0, XBT_NULL, path, NULL);
    g_autofree char *got = NULL;

    g_assert_nonnull(names);
    got = g_strjoinv(",", names);
    g_assert_cmpstr(got, ==, want);
}

static void assert_absent(Race *r, const char *path)
{
    unsigned int len;
    g_autofree char *v = NULL;

    errno = 0;
    v = ops->read(r->dom0, XBT_NULL, path, &len);
    g_assert_null(v);
    g_assert_cmpint(errno, ==, ENOENT);
}

/* Every node below path, one line each: "path perms value". */
static void dump_node(Race *r, const char *path, GString *out)
{
    unsigned int len = 0;
    g_autofree char *v = ops->read(r->dom0, XBT_NULL, path, &len);
    g_auto(GStrv) perms = ops->get_perms(r->dom0, XBT_NULL, path, NULL);
    g_auto(GStrv) names = ops->directory(r->dom0, XBT_NULL, path, NULL);
    g_autofree char *joined = NULL;
    g_autofree char *escaped = NULL;

    g_assert_nonnull(v);
    g_assert_nonnull(perms);
    g_assert_nonnull(names);
    joined = g_strjoinv(",", perms);
    escaped = g_strescape(v, NULL);
    g_assert_cmpuint(strlen(v), ==, len);
    g_string_append_printf(out, "%s %s \"%s\"\n", path, joined, escaped);
    for (char **n = names; *n; n++) {
        g_autofree char *child = g_strcmp0(path, "/") ?
            g_strdup_printf("%s/%s", path, *n) : g_strdup_printf("/%s", *n);

        dump_node(r, child, out);
    }
}

static char *dump_store(Race *r)
{
    GString *out = g_string_new("");

    dump_node(r, "/", out);
    return g_string_free(out, false);
}

/* ---- the guest's side: requests on the ring ---- */

/* "a" "\0" "b" ... as one payload of C strings, each with its NUL. */
static GByteArray *strings(const char *const *s)
{
    GByteArray *b = g_byte_array_new();

    for (; *s; s++) {
        g_byte_array_append(b, (const uint8_t *)*s, strlen(*s) + 1);
    }
    return b;
}

static void guest_ok(Race *r, uint32_t type, uint32_t tx,
                     const char *const *args)
{
    g_autoptr(GByteArray) p = strings(args);
    g_autoptr(XsGuestMsg) m = xs_guest_call(&r->w.g, type, tx, p->data,
                                            p->len);

    xs_guest_assert_reply(m, type, "OK", 3);
}

/*
 * TRANSACTION_END "T" answers EAGAIN: nothing applied (the store is as
 * domain 0 left it, no watch fired), and the id is gone.
 */
static void commit_rejected(Race *r, uint32_t tx)
{
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autoptr(XsGuestMsg) m = NULL;

    xs_guest_run();
    g_ptr_array_set_size(r->events, 0);
    before = dump_store(r);
    m = XS_GUEST_CALL(&r->w.g, XS_TRANSACTION_END, tx, "T\0");
    xs_guest_assert_error(m, "EAGAIN");
    xs_guest_run();
    after = dump_store(r);
    g_assert_cmpstr(after, ==, before);
    g_assert_cmpuint(r->events->len, ==, 0);
    g_assert_cmpint(xs_guest_tx_end(&r->w.g, tx, true), ==, ENOENT);
}

/* ---- the races ---- */

/*
 * a. The guest creates data/x (relative path); domain 0 creates the same
 * node first, its own (n0).
 */
static void test_created_by_dom0(void)
{
    Race r;
    uint32_t tx;
    g_autofree char *own = NULL;

    race_up(&r);
    tx = xs_guest_tx_start(&r.w.g);
    xs_guest_write_str(&r.w.g, tx, "data/x", "guest");
    dom0_put(&r, HOME "/data/x", "dom0");
    dom0_set_perms(&r, HOME "/data/x", "n0");
    /* The transaction still sees its own node. */
    own = xs_guest_read_str(&r.w.g, tx, "data/x");
    g_assert_cmpstr(own, ==, "guest");
    commit_rejected(&r, tx);
    assert_value(&r, HOME "/data/x", "dom0");
    assert_perms(&r, HOME "/data/x", "n0");
    assert_children(&r, HOME "/data/x", "");
    assert_children(&r, HOME "/data", "x");
    race_down(&r);
}

/*
 * b. The guest gives a node it owns to itself with b1; domain 0 takes
 * the node over meanwhile (n0,r1).
 */
static void test_set_perms_taken_over(void)
{
    Race r;
    uint32_t tx;

    race_up(&r);
    xs_guest_write_str(&r.w.g, 0, "data/b", "mine");
    tx = xs_guest_tx_start(&r.w.g);
    guest_ok(&r, XS_SET_PERMS, tx,
             (const char *const[]){ "data/b", "b1", NULL });
    dom0_set_perms(&r, HOME "/data/b", "n0,r1");
    commit_rejected(&r, tx);
    assert_perms(&r, HOME "/data/b", "n0,r1");
    assert_value(&r, HOME "/data/b", "mine");
    assert_children(&r, HOME "/data/b", "");
    race_down(&r);
}

/*
 * c. The guest removes a node it owns; domain 0 takes it over (n0) and
 * adds a child meanwhile.
 */
static void test_rm_taken_over(void)
{
    Race r;
    uint32_t tx;

    race_up(&r);
    xs_guest_write_str(&r.w.g, 0, "data/c", "mine");
    tx = xs_guest_tx_start(&r.w.g);
    guest_ok(&r, XS_RM, tx, (const char *const[]){ "data/c", NULL });
    dom0_set_perms(&r, HOME "/data/c", "n0");
    dom0_put(&r, HOME "/data/c/kid", "k");
    commit_rejected(&r, tx);
    assert_value(&r, HOME "/data/c", "mine");
    assert_perms(&r, HOME "/data/c", "n0");
    assert_children(&r, HOME "/data/c", "kid");
    assert_value(&r, HOME "/data/c/kid", "k");
    assert_perms(&r, HOME "/data/c/kid", "n0");
    race_down(&r);
}

/*
 * d. The guest creates drivers/new; domain 0 locks drivers (n0,r1)
 * meanwhile, so the guest could no longer create below it.
 */
static void test_parent_locked(void)
{
    Race r;
    uint32_t tx;

    race_up(&r);
    assert_perms(&r, HOME "/drivers", "n1");
    tx = xs_guest_tx_start(&r.w.g);
    xs_guest_write_str(&r.w.g, tx, "drivers/new", "v");
    dom0_set_perms(&r, HOME "/drivers", "n0,r1");
    commit_rejected(&r, tx);
    assert_absent(&r, HOME "/drivers/new");
    assert_children(&r, HOME "/drivers", "");
    assert_perms(&r, HOME "/drivers", "n0,r1");
    assert_value(&r, HOME "/drivers", "");
    race_down(&r);
}

/*
 * e. The guest creates data/z; domain 0 removes the guest's whole home
 * meanwhile, as at domain teardown.  Nothing of it comes back.
 */
static void test_home_removed(void)
{
    Race r;
    uint32_t tx;
    g_auto(GStrv) domains = NULL;

    race_up(&r);
    tx = xs_guest_tx_start(&r.w.g);
    xs_guest_write_str(&r.w.g, tx, "data/z", "v");
    dom0_rm(&r, HOME);
    commit_rejected(&r, tx);
    assert_absent(&r, HOME);
    assert_absent(&r, HOME "/data");
    assert_absent(&r, HOME "/data/z");
    domains = ops->directory(r.dom0, XBT_NULL, "/local/domain", NULL);
    g_assert_nonnull(domains);
    g_assert_false(g_strv_contains((const char *const *)domains, "1"));
    race_down(&r);
}

/* ---- controls ---- */

/*
 * Domain 0 changes an existing node the transaction never used and
 * creates one elsewhere: the commit answers OK, its write is there, and
 * one watch event goes out for it.
 */
static void test_unrelated_commits(void)
{
    Race r;
    uint32_t tx;
    g_autofree char *seen = NULL;

    race_up(&r);
    tx = xs_guest_tx_start(&r.w.g);
    xs_guest_write_str(&r.w.g, tx, "data/ok", "v");
    dom0_put(&r, HOME "/memory/target", "262144");
    dom0_put(&r, "/tool/unrelated", "u");
    xs_guest_run();
    g_ptr_array_set_size(r.events, 0);
    g_assert_cmpint(xs_guest_tx_end(&r.w.g, tx, true), ==, 0);
    xs_guest_run();
    g_assert_cmpuint(r.events->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(r.events, 0), ==, HOME "/data/ok");
    assert_value(&r, HOME "/data/ok", "v");
    assert_perms(&r, HOME "/data/ok", "n1");
    assert_value(&r, HOME "/memory/target", "262144");
    assert_value(&r, "/tool/unrelated", "u");
    seen = xs_guest_read_str(&r.w.g, 0, "data/ok");
    g_assert_cmpstr(seen, ==, "v");
    race_down(&r);
}

/*
 * Domain 0 creates a sibling in the directory where the transaction
 * creates a node: the listing was never read, so both stay.
 */
static void test_sibling_commits(void)
{
    Race r;
    uint32_t tx;

    race_up(&r);
    tx = xs_guest_tx_start(&r.w.g);
    xs_guest_write_str(&r.w.g, tx, "data/mine", "g");
    dom0_put(&r, HOME "/data/theirs", "d");
    g_assert_cmpint(xs_guest_tx_end(&r.w.g, tx, true), ==, 0);
    assert_value(&r, HOME "/data/mine", "g");
    assert_value(&r, HOME "/data/theirs", "d");
    assert_children(&r, HOME "/data", "mine,theirs");
    race_down(&r);
}

/*
 * The snapshot on the ring: a node read twice in the transaction gives
 * the value at its start both times, though domain 0 changed it between;
 * the commit is EAGAIN and domain 0's value stays.
 */
static void test_repeated_read(void)
{
    Race r;
    uint32_t tx;
    g_autofree char *first = NULL;
    g_autofree char *again = NULL;
    g_autofree char *outside = NULL;

    race_up(&r);
    xs_guest_write_str(&r.w.g, 0, "data/n", "a");
    tx = xs_guest_tx_start(&r.w.g);
    first = xs_guest_read_str(&r.w.g, tx, "data/n");
    g_assert_cmpstr(first, ==, "a");
    dom0_put(&r, HOME "/data/n", "b");
    again = xs_guest_read_str(&r.w.g, tx, "data/n");
    g_assert_cmpstr(again, ==, "a");
    outside = xs_guest_read_str(&r.w.g, 0, "data/n");
    g_assert_cmpstr(outside, ==, "b");
    commit_rejected(&r, tx);
    assert_value(&r, HOME "/data/n", "b");
    race_down(&r);
}

/*
 * The same for a node domain 0 creates after the start: the guest's
 * reads in the transaction answer ENOENT before and after, and its
 * commit is EAGAIN.
 */
static void test_read_created_since(void)
{
    Race r;
    uint32_t tx;
    g_autoptr(XsGuestMsg) first = NULL;
    g_autoptr(XsGuestMsg) again = NULL;

    race_up(&r);
    tx = xs_guest_tx_start(&r.w.g);
    first = XS_GUEST_CALL(&r.w.g, XS_READ, tx, "data/late\0");
    xs_guest_assert_error(first, "ENOENT");
    dom0_put(&r, HOME "/data/late", "b");
    again = XS_GUEST_CALL(&r.w.g, XS_READ, tx, "data/late\0");
    xs_guest_assert_error(again, "ENOENT");
    commit_rejected(&r, tx);
    assert_value(&r, HOME "/data/late", "b");
    race_down(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xen-xenstore/race/created-by-dom0",
                    test_created_by_dom0);
    g_test_add_func("/xen-xenstore/race/set-perms-taken-over",
                    test_set_perms_taken_over);
    g_test_add_func("/xen-xenstore/race/rm-taken-over", test_rm_taken_over);
    g_test_add_func("/xen-xenstore/race/parent-locked", test_parent_locked);
    g_test_add_func("/xen-xenstore/race/home-removed", test_home_removed);
    g_test_add_func("/xen-xenstore/race/repeated-read", test_repeated_read);
    g_test_add_func("/xen-xenstore/race/read-created-since",
                    test_read_created_since);
    g_test_add_func("/xen-xenstore/race/unrelated-commits",
                    test_unrelated_commits);
    g_test_add_func("/xen-xenstore/race/sibling-commits",
                    test_sibling_commits);
    return g_test_run();
}
