/*
 * qemu-xenstored: holds the store of one emulated Xen guest and serves
 * it to Xen's own tools on a Unix socket, as xenstored does on a Xen
 * host.  The command line and the wiring only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <signal.h>
#include <glib-unix.h>
#include "qemu/cutils.h"
#include "qemu/main-loop.h"
#include "qemu/trace-control.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/special_pages.h"
#include "hw/xen/xenstore_home.h"
#include "xs-socket-server.h"
#include "xs-state-file.h"
#include "trace.h"

/* Where the socket goes when nothing else says (make run uses it too). */
#define XS_DEFAULT_SOCKET CONFIG_BUILD_DIR "/run/qemu-xenstored.sock"
#define XS_DEFAULT_MEMORY_MIB 128
/*
 * What store/port and store/ring-ref say: the port a guest's fresh event
 * channel table gives first, and the ring's special PFN, as a VMM that
 * attaches the guest would hand them out.
 */
#define XS_STORE_PORT 1
#define XS_STORE_RING_REF XEN_XENSTORE_PFN

typedef struct XsdOptions {
    char *socket;
    int domid;
    char *name;
    char *memory;
    char **trace;
    char **quota;
    char *save;
    char *load;
    gboolean version;
} XsdOptions;

typedef struct Xsd {
    XsdOptions opt;
    char *socket_path;
    uint64_t memory_kib;
    XenstoreImplState *store;
    XsSocketServer *srv;
    bool quit;
} Xsd;

/* --socket, else $XENSTORED_PATH, else $XENSTORED_RUNDIR/socket, else ours. */
static char *choose_socket_path(const char *given)
{
    const char *env;
    g_autofree char *path = NULL;

    if (given) {
        path = g_strdup(given);
    } else if ((env = g_getenv("XENSTORED_PATH")) && *env) {
        path = g_strdup(env);
    } else if ((env = g_getenv("XENSTORED_RUNDIR")) && *env) {
        path = g_build_filename(env, "socket", NULL);
    } else {
        g_autofree char *dir = g_path_get_dirname(XS_DEFAULT_SOCKET);

        /* Ours to create; a missing directory fails at bind, named. */
        g_mkdir_with_parents(dir, 0700);
        path = g_strdup(XS_DEFAULT_SOCKET);
    }
    /* The line printed for the tools must work from any directory. */
    return g_canonicalize_filename(path, NULL);
}

/* "512" (MiB), or with a K, M or G suffix; at least 1 MiB. */
static bool parse_memory(const char *arg, uint64_t *kib, Error **errp)
{
    const char *end;
    uint64_t n, shift = 10;     /* KiB per unit: MiB */

    if (qemu_strtou64(arg, &end, 10, &n) < 0) {
        goto bad;
    }
    if (*end) {
        switch (g_ascii_toupper(*end)) {
        case 'K':
            shift = 0;
            break;
        case 'M':
            shift = 10;
            break;
        case 'G':
            shift = 20;
            break;
        default:
            goto bad;
        }
        if (end[1] && g_ascii_strcasecmp(end + 1, "iB") &&
            g_ascii_strcasecmp(end + 1, "B")) {
            goto bad;
        }
    }
    if (n > (UINT64_MAX >> 20) || (n << shift) < 1024) {
        goto bad;
    }
    *kib = n << shift;
    return true;
bad:
    error_setg(errp, "--memory '%s': want a size of at least 1 MiB "
               "(MiB, or with a K, M or G suffix)", arg);
    return false;
}

/* One --quota name=value, applied to the defaults of every domain. */
static bool apply_quota(XenstoreImplState *impl, const char *arg,
                        Error **errp)
{
    const char *eq = strchr(arg, '=');
    g_autofree char *name = NULL;
    unsigned int value;
    int q;

    if (!eq) {
        error_setg(errp, "--quota '%s': want name=value", arg);
        return false;
    }
    name = g_strndup(arg, eq - arg);
    q = xs_quota_from_name(name);
    if (q < 0) {
        g_autoptr(GString) known = g_string_new(NULL);

        for (int i = 0; i < XS_QUOTA__MAX; i++) {
            g_string_append_printf(known, "%s%s", i ? ", " : "",
                                   xs_quota_name(i));
        }
        error_setg(errp, "--quota: unknown quota '%s' (known: %s)", name,
                   known->str);
        return false;
    }
    if (qemu_strtoui(eq + 1, NULL, 10, &value) < 0) {
        error_setg(errp, "--quota %s: '%s' is not a number", name, eq + 1);
        return false;
    }
    if (xs_impl_set_quota(impl, XS_QUOTA_DEFAULT_DOMID, q, value)) {
        error_setg(errp, "--quota %s=%u refused", name, value);
        return false;
    }
    return true;
}

static bool parse_options(Xsd *d, int argc, char **argv, Error **errp)
{
    XsdOptions *o = &d->opt;
    GOptionEntry entries[] = {
        { "socket", 's', 0, G_OPTION_ARG_FILENAME, &o->socket,
          "Listen on PATH (default: $XENSTORED_PATH, else "
          "$XENSTORED_RUNDIR/socket, else " XS_DEFAULT_SOCKET ")", "PATH" },
        { "domid", 'd', 0, G_OPTION_ARG_INT, &o->domid,
          "The guest's domain id (default 1)", "N" },
        { "name", 'n', 0, G_OPTION_ARG_STRING, &o->name,
          "The guest's name (default \"guest\")", "NAME" },
        { "memory", 'm', 0, G_OPTION_ARG_STRING, &o->memory,
          "The guest's memory, for memory/target (default 128M)", "SIZE" },
        { "trace", 'T', 0, G_OPTION_ARG_STRING_ARRAY, &o->trace,
          "Turn on trace events matching PATTERN (repeatable)", "PATTERN" },
        { "quota", 'q', 0, G_OPTION_ARG_STRING_ARRAY, &o->quota,
          "Set a default quota of the guests (repeatable)", "NAME=VALUE" },
        { "save", 0, 0, G_OPTION_ARG_FILENAME, &o->save,
          "Save the state to FILE on exit and on SIGUSR1", "FILE" },
        { "load", 0, 0, G_OPTION_ARG_FILENAME, &o->load,
          "Start from the state saved in FILE", "FILE" },
        { "version", 'V', 0, G_OPTION_ARG_NONE, &o->version,
          "Print the version and exit", NULL },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx =
        g_option_context_new("- XenStore of an emulated Xen guest, "
                             "on a Unix socket");
    g_autoptr(GError) gerr = NULL;

    o->domid = 1;
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Xen's tools reach the store through XENSTORED_PATH, e.g.\n"
        "  XENSTORED_PATH=/path/to/socket xenstore-ls -p\n"
        "Quota names: nodes, node-size, watches, transactions, "
        "permissions,\n  path-max, transaction-nodes, outstanding.\n"
        "See qemu-xenstored(1).");
    if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
        error_setg(errp, "%s (see --help)", gerr->message);
        return false;
    }
    if (argc > 1) {
        error_setg(errp, "unexpected argument '%s' (see --help)", argv[1]);
        return false;
    }
    if (o->version) {
        return true;
    }
    if (o->domid < 1 || o->domid >= DOMID_FIRST_RESERVED) {
        error_setg(errp, "--domid %d: want 1 to %d", o->domid,
                   DOMID_FIRST_RESERVED - 1);
        return false;
    }
    d->memory_kib = (uint64_t)XS_DEFAULT_MEMORY_MIB << 10;
    if (o->memory && !parse_memory(o->memory, &d->memory_kib, errp)) {
        return false;
    }
    for (char **t = o->trace; t && *t; t++) {
        if (trace_enable_events(*t) == 0) {
            error_setg(errp, "--trace '%s' matches no trace event", *t);
            return false;
        }
    }
    d->socket_path = choose_socket_path(o->socket);
    return true;
}

static void options_free(XsdOptions *o)
{
    g_free(o->socket);
    g_free(o->name);
    g_free(o->memory);
    g_strfreev(o->trace);
    g_strfreev(o->quota);
    g_free(o->save);
    g_free(o->load);
}

/* Saving needs a directory to put the temporary file in: check early. */
static bool check_save_dir(const char *file, Error **errp)
{
    g_autofree char *dir = g_path_get_dirname(file);

    if (access(dir, W_OK | X_OK) < 0) {
        error_setg_errno(errp, errno, "--save %s: cannot write in %s", file,
                         dir);
        return false;
    }
    return true;
}

static gboolean on_quit_signal(gpointer opaque)
{
    Xsd *d = opaque;

    trace_xenstored_signal("quit");
    d->quit = true;
    return G_SOURCE_CONTINUE;
}

static gboolean on_save_signal(gpointer opaque)
{
    Xsd *d = opaque;
    Error *err = NULL;

    trace_xenstored_signal("save");
    if (d->opt.save && !xs_state_file_save(d->opt.save, d->store,
                                           d->opt.domid, &err)) {
        error_report_err(err);
    }
    return G_SOURCE_CONTINUE;
}

/*
 * No guest is attached: events of the guest's watches (restored from a
 * state file) have nowhere to go.
 */
static void drop_guest_event(void *opaque, const char *path,
                             const char *token)
{
}

/* The guest's home as a VMM's device would make it, and its arrival. */
static bool create_guest(Xsd *d, Error **errp)
{
    unsigned int domid = d->opt.domid;
    int err;

    err = xs_home_create(d->store, domid, d->opt.name ? d->opt.name : "guest",
                         d->memory_kib);
    if (!err) {
        err = xs_home_publish_store(d->store, domid, XS_STORE_PORT,
                                    XS_STORE_RING_REF);
    }
    if (err) {
        error_setg(errp, "creating the guest's nodes: %s", g_strerror(err));
        return false;
    }
    xs_impl_introduce_domain(d->store, domid);
    return true;
}

/* The store, with the guest's default nodes or the loaded state; quotas. */
static bool start_store(Xsd *d, Error **errp)
{
    d->store = xs_impl_create(d->opt.domid);
    if (d->opt.load) {
        if (!xs_state_file_load(d->opt.load, d->store, d->opt.domid,
                                drop_guest_event, NULL, errp)) {
            return false;
        }
        /*
         * Transactions that host clients had open when the state was
         * saved came with it, but their connections did not: end them.
         * (Domain 0's watches are never saved; nothing else is dom0's.)
         */
        xs_impl_reset_watches(d->store, DOMID_QEMU);
    } else if (!create_guest(d, errp)) {
        return false;
    }
    for (char **q = d->opt.quota; q && *q; q++) {
        if (!apply_quota(d->store, *q, errp)) {
            return false;
        }
    }
    return true;
}

/* The one line that tells how to point Xen's tools at us. */
static void print_ready_line(const char *path)
{
    g_autofree char *quoted = NULL;

    for (const char *p = path; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("/._-+,:@%", *p)) {
            quoted = g_shell_quote(path);
            break;
        }
    }
    printf("XENSTORED_PATH=%s xenstore-ls\n", quoted ? quoted : path);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    Xsd d = { 0 };
    Error *err = NULL;
    guint sig_ids[3] = { 0 };
    int ret = 1;

    g_set_prgname("qemu-xenstored");
    trace_init_from_env();
    if (!parse_options(&d, argc, argv, &err)) {
        goto out;
    }
    if (d.opt.version) {
        printf("qemu-xenstored %s\n", QEMU_XS_VERSION);
        ret = 0;
        goto out;
    }
    if (d.opt.save && !check_save_dir(d.opt.save, &err)) {
        goto out;
    }
    /* A client that goes away mid-reply is an error return, not a kill. */
    signal(SIGPIPE, SIG_IGN);
    if (!start_store(&d, &err)) {
        goto out;
    }
    d.srv = xs_socket_server_new(d.store, d.socket_path, &err);
    if (!d.srv) {
        goto out;
    }
    /* GLib turns the signals into main-loop events: no async handlers. */
    sig_ids[0] = g_unix_signal_add(SIGINT, on_quit_signal, &d);
    sig_ids[1] = g_unix_signal_add(SIGTERM, on_quit_signal, &d);
    sig_ids[2] = g_unix_signal_add(SIGUSR1, on_save_signal, &d);
    print_ready_line(d.socket_path);

    while (!d.quit) {
        main_loop_wait(false);
    }

    /* Clients first: their transactions end, so the state is settled. */
    xs_socket_server_free(d.srv);
    d.srv = NULL;
    ret = 0;
    if (d.opt.save && !xs_state_file_save(d.opt.save, d.store, d.opt.domid,
                                          &err)) {
        ret = 1;
    }

out:
    for (size_t i = 0; i < ARRAY_SIZE(sig_ids); i++) {
        if (sig_ids[i]) {
            g_source_remove(sig_ids[i]);
        }
    }
    if (err) {
        error_report_err(err);
    }
    xs_socket_server_free(d.srv);
    xs_impl_destroy(d.store);
    g_free(d.socket_path);
    options_free(&d.opt);
    return ret;
}
