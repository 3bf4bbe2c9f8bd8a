/*
 * qemu-xenkvm's command line: QEMU's option names and QEMU's
 * "implied[,key=value]" spelling where QEMU has it, checked value by
 * value so that every refusal is one line naming the culprit.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <errno.h>
#include <sys/un.h>
#include "qemu/trace-control.h"
#include "sysemu/kvm.h"
#include "hw/xen/interface/xen.h"
#include "xenkvm/xenkvm-options.h"

/* Longest piece of a user's value echoed back in an error message. */
#define ECHO_MAX 64
/* Sub-options a single option may carry (QEMU's key=value lists). */
#define KEYS_MAX 4

void xenkvm_usage(FILE *f)
{
    fprintf(f,
        "usage: " XENKVM_PROG " -kernel BZIMAGE [options]\n"
        "  -kernel BZIMAGE        the Linux kernel to boot (required)\n"
        "  -initrd FILE           its initial ramdisk\n"
        "  -append CMDLINE        its command line\n"
        "  -m [size=]SIZE         RAM in MiB, or with a suffix M or G"
        " (default %d)\n"
        "  -smp [cpus=]1          vCPUs: only 1 is supported\n"
        "  -accel kvm[,xen-version=VER]  Xen version the guest sees,"
        " major<<16|minor\n"
        "                         (hex 0x... or decimal; default 0x%x)\n"
        "  -xen-domid N           the guest's domain id, 1 to %u"
        " (default %d)\n"
        "  -name [guest=]NAME     the guest's name\n"
        "  -xenstore-socket PATH  serve the guest's XenStore on PATH\n"
        "  -nographic             no display: COM1 on stdio\n"
        "  -serial stdio|file:PATH|none  where COM1's output goes\n"
        "  -no-reboot             exit when the guest reboots\n"
        "  -trace [enable=]PATTERN  turn on trace events (repeatable)\n"
        "  -drive file=IMG,if=xen,format=raw[,readonly=on]  a disk"
        " (xvda, xvdb, ...)\n"
        "  -chardev stdio|file|socket|null,id=ID[,path=P][,server=on,"
        "wait=off]\n"
        "                         a character backend\n"
        "  -device xen-console,chardev=ID  a Xen console: the first is"
        " hvc0\n"
        "  -h, -help              this text\n"
        "  -version               the version\n",
        XENKVM_DEFAULT_RAM_MIB, XENKVM_DEFAULT_XEN_VERSION,
        DOMID_FIRST_RESERVED - 1, XENKVM_DEFAULT_DOMID);
}

void xenkvm_print_version(FILE *f)
{
    fprintf(f, XENKVM_PROG " %s\n", QEMU_XS_VERSION);
}

/*
 * A user's value as it may appear in a one-line message: control bytes
 * escaped (a newline in it must not split the line), and cut short.
 */
static char *echo(const char *s)
{
    g_autofree char *cut = g_strndup(s, ECHO_MAX);
    g_autofree char *esc = g_strescape(cut, NULL);

    return strlen(s) > ECHO_MAX ? g_strconcat(esc, "...", NULL)
                                : g_steal_pointer(&esc);
}

/* All of s in base 10 or 16, no sign, no space: strtoull takes both. */
static bool parse_number(const char *s, int base, uint64_t *v)
{
    const char *digits = base == 16 ? "0123456789abcdefABCDEF"
                                    : "0123456789";
    size_t n = strspn(s, digits);
    char *end;

    if (n == 0 || s[n]) {
        return false;
    }
    errno = 0;
    *v = g_ascii_strtoull(s, &end, base);
    return errno == 0 && *end == 0;
}

/*
 * QEMU's "value[,key=value]..." lists: keys[0] is the implied key of a
 * first piece without '='.  Fills vals (parallel to keys, NULL when
 * absent, freed by the caller) or fails naming the piece at fault.
 */
static bool split_keys(const char *opt, const char *val,
                       const char *const *keys, char **vals, Error **errp)
{
    g_auto(GStrv) parts = g_strsplit(val, ",", -1);

    for (int i = 0; parts[i]; i++) {
        char *eq = strchr(parts[i], '=');
        const char *key = keys[0];
        const char *v = parts[i];
        int k;

        if (eq) {
            *eq = 0;
            key = parts[i];
            v = eq + 1;
        } else if (i > 0) {
            g_autofree char *e = echo(parts[i]);

            error_setg(errp, "%s: '%s' is not key=value", opt, e);
            return false;
        }
        for (k = 0; keys[k] && strcmp(keys[k], key); k++) {
        }
        if (!keys[k]) {
            g_autofree char *e = echo(key);

            error_setg(errp, "%s: unknown sub-option '%s'", opt, e);
            return false;
        }
        if (vals[k]) {
            error_setg(errp, "%s: sub-option '%s' given twice", opt, key);
            return false;
        }
        if (!*v) {
            error_setg(errp, "%s: sub-option '%s' has no value", opt, key);
            return false;
        }
        vals[k] = g_strdup(v);
    }
    return true;
}

static void free_vals(char **vals)
{
    for (int i = 0; i < KEYS_MAX; i++) {
        g_free(vals[i]);
    }
}

/* A value given twice must say the same both times. */
static bool set_string(const char *opt, const char **slot, const char *val,
                       Error **errp)
{
    if (*slot && strcmp(*slot, val)) {
        g_autofree char *a = echo(*slot);
        g_autofree char *b = echo(val);

        error_setg(errp, "%s given twice: '%s' and '%s'", opt, a, b);
        return false;
    }
    *slot = val;
    return true;
}

static bool set_u64(const char *opt, uint64_t *slot, uint64_t v,
                    Error **errp)
{
    if (*slot && *slot != v) {
        error_setg(errp, "%s given twice with different values", opt);
        return false;
    }
    *slot = v;
    return true;
}

static bool opt_path(const char *opt, const char **slot, const char *val,
                     Error **errp)
{
    if (!*val) {
        error_setg(errp, "%s: the file name is empty", opt);
        return false;
    }
    return set_string(opt, slot, val, errp);
}

/* "512", "512M", "1G" (MiB without a suffix, as QEMU's -m). */
static bool opt_m(XenKVMOptions *o, const char *opt, const char *val,
                  Error **errp)
{
    static const char *const keys[] = { "size", NULL };
    char *vals[KEYS_MAX] = { 0 };
    g_autofree char *e = echo(val);
    g_autofree char *num = NULL;
    unsigned shift = 20;
    uint64_t v;
    size_t n;
    bool ok = false;

    if (!split_keys(opt, val, keys, vals, errp)) {
        goto out;
    }
    if (!vals[0]) {
        error_setg(errp, "%s '%s': no size", opt, e);
        goto out;
    }
    n = strlen(vals[0]);
    if (n && strchr("mMgG", vals[0][n - 1])) {
        shift = g_ascii_tolower(vals[0][n - 1]) == 'g' ? 30 : 20;
        n--;
    }
    num = g_strndup(vals[0], n);
    if (!parse_number(num, 10, &v)) {
        /* Digits too many for 64 bits are a size, just far too big. */
        if (n && strspn(num, "0123456789") == n) {
            goto too_big;
        }
        error_setg(errp, "%s '%s': not a size in MiB (e.g. 512, 512M, 1G)",
                   opt, e);
        goto out;
    }
    if (v > (KVM_RAM_LIMIT >> shift)) {
        goto too_big;
    }
    v <<= shift;
    if (v < ((uint64_t)XENKVM_MIN_RAM_MIB << 20)) {
        error_setg(errp, "%s '%s': at least %d MiB are needed", opt, e,
                   XENKVM_MIN_RAM_MIB);
        goto out;
    }
    ok = set_u64(opt, &o->ram_size, v, errp);
    goto out;

too_big:
    error_setg(errp, "%s '%s': at most %llu MiB are supported", opt, e,
               KVM_RAM_LIMIT >> 20);
out:
    free_vals(vals);
    return ok;
}

static bool opt_smp(XenKVMOptions *o, const char *opt, const char *val,
                    Error **errp)
{
    static const char *const keys[] = { "cpus", NULL };
    char *vals[KEYS_MAX] = { 0 };
    uint64_t n;
    bool ok = false;

    if (!split_keys(opt, val, keys, vals, errp)) {
        goto out;
    }
    if (!vals[0] || !parse_number(vals[0], 10, &n)) {
        g_autofree char *e = echo(val);

        error_setg(errp, "%s '%s': not a number of vCPUs", opt, e);
        goto out;
    }
    if (n != 1) {
        error_setg(errp, "%s %s: only 1 vCPU is supported", opt, vals[0]);
        goto out;
    }
    o->smp = 1;
    ok = true;
out:
    free_vals(vals);
    return ok;
}

/* kvm[,xen-version=VER]: the only accelerator, Xen's version on it. */
static bool opt_accel(XenKVMOptions *o, const char *opt, const char *val,
                      Error **errp)
{
    static const char *const keys[] = { "accel", "xen-version", NULL };
    char *vals[KEYS_MAX] = { 0 };
    uint64_t ver = XENKVM_DEFAULT_XEN_VERSION;
    bool ok = false;

    if (!split_keys(opt, val, keys, vals, errp)) {
        goto out;
    }
    if (!vals[0] || strcmp(vals[0], "kvm")) {
        g_autofree char *e = echo(vals[0] ? vals[0] : val);

        error_setg(errp, "%s '%s': only kvm is supported", opt, e);
        goto out;
    }
    if (vals[1]) {
        const char *s = vals[1];
        bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');

        if (!parse_number(hex ? s + 2 : s, hex ? 16 : 10, &ver) ||
            ver < XENKVM_MIN_XEN_VERSION || ver > XENKVM_MAX_XEN_VERSION) {
            g_autofree char *e = echo(s);

            error_setg(errp, "%s: xen-version '%s': want major<<16|minor "
                       "from 0x%x (4.6) to 0x%x", opt, e,
                       XENKVM_MIN_XEN_VERSION, XENKVM_MAX_XEN_VERSION);
            goto out;
        }
    }
    if (o->xen_version && o->xen_version != ver) {
        error_setg(errp, "%s given twice with different xen-version", opt);
        goto out;
    }
    o->xen_version = ver;
    ok = true;
out:
    free_vals(vals);
    return ok;
}

static bool opt_domid(XenKVMOptions *o, const char *opt, const char *val,
                      Error **errp)
{
    uint64_t d;

    if (!parse_number(val, 10, &d) || d < 1 ||
        d >= DOMID_FIRST_RESERVED) {
        g_autofree char *e = echo(val);

        /* 0 is dom0, the host's; from 0x7ff0 up Xen reserves them. */
        error_setg(errp, "%s '%s': want 1 to %u", opt, e,
                   DOMID_FIRST_RESERVED - 1);
        return false;
    }
    if (o->domid && o->domid != d) {
        error_setg(errp, "%s given twice with different values", opt);
        return false;
    }
    o->domid = d;
    return true;
}

/* The name ends up in XenStore and in messages: one printable line. */
static bool opt_name(XenKVMOptions *o, const char *opt, const char *val,
                     Error **errp)
{
    static const char *const keys[] = { "guest", NULL };
    char *vals[KEYS_MAX] = { 0 };
    const char *name;
    bool ok = false;

    if (!split_keys(opt, val, keys, vals, errp)) {
        goto out;
    }
    if (!vals[0]) {
        error_setg(errp, "%s: no guest name", opt);
        goto out;
    }
    if (strlen(vals[0]) > XENKVM_NAME_MAX) {
        error_setg(errp, "%s: the name is longer than %d bytes", opt,
                   XENKVM_NAME_MAX);
        goto out;
    }
    if (!g_utf8_validate(vals[0], -1, NULL)) {
        error_setg(errp, "%s: the name is not UTF-8", opt);
        goto out;
    }
    for (const char *p = vals[0]; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            error_setg(errp, "%s: the name has a control character", opt);
            goto out;
        }
    }
    /*
     * The struct's strings live in argv; with guest= the only key, the
     * name is always the tail of the value.
     */
    name = val + strlen(val) - strlen(vals[0]);
    if (strcmp(name, vals[0])) {
        error_setg(errp, "%s: give the name alone or as guest=NAME", opt);
        goto out;
    }
    ok = set_string(opt, &o->name, name, errp);
out:
    free_vals(vals);
    return ok;
}

static bool opt_serial(XenKVMOptions *o, const char *opt, const char *val,
                       Error **errp)
{
    if (strcmp(val, "stdio") && strcmp(val, "none") &&
        (strncmp(val, "file:", 5) || !val[5])) {
        g_autofree char *e = echo(val);

        error_setg(errp, "%s '%s': stdio and file:PATH are supported, "
                   "or none", opt, e);
        return false;
    }
    return set_string(opt, &o->serial, val, errp);
}

static bool opt_xenstore_socket(XenKVMOptions *o, const char *opt,
                                const char *val, Error **errp)
{
    struct sockaddr_un sun;

    /* A Unix socket's path must fit sun_path with its NUL. */
    if (strlen(val) >= sizeof(sun.sun_path)) {
        error_setg(errp, "%s: the path is longer than %zu bytes", opt,
                   sizeof(sun.sun_path) - 1);
        return false;
    }
    return opt_path(opt, &o->xenstore_socket, val, errp);
}

static bool on_off(const char *opt, const char *key, const char *v,
                   bool *out, Error **errp)
{
    if (!strcmp(v, "on")) {
        *out = true;
    } else if (!strcmp(v, "off")) {
        *out = false;
    } else {
        g_autofree char *e = echo(v);

        error_setg(errp, "%s: %s='%s': on or off", opt, key, e);
        return false;
    }
    return true;
}

/* file=IMG,if=xen,format=raw[,readonly=on|off] */
static bool opt_drive(XenKVMOptions *o, const char *opt, const char *val,
                      Error **errp)
{
    static const char *const keys[] = {
        "file", "if", "format", "readonly", NULL,
    };
    char *vals[KEYS_MAX] = { NULL };
    XenKVMDrive *d;
    bool ro = false, ok = false;

    G_STATIC_ASSERT(G_N_ELEMENTS(keys) - 1 <= KEYS_MAX);
    if (!split_keys(opt, val, keys, vals, errp)) {
        goto out;
    }
    if (!vals[0]) {
        error_setg(errp, "%s: file= is needed", opt);
        goto out;
    }
    if (!vals[1] || strcmp(vals[1], "xen")) {
        error_setg(errp, "%s: only if=xen is supported (a Xen PV disk)",
                   opt);
        goto out;
    }
    if (vals[2] && strcmp(vals[2], "raw")) {
        g_autofree char *e = echo(vals[2]);

        error_setg(errp, "%s: format '%s': only raw is supported", opt, e);
        goto out;
    }
    if (vals[3] && !on_off(opt, "readonly", vals[3], &ro, errp)) {
        goto out;
    }
    if (o->nr_drives == XENKVM_MAX_DRIVES) {
        error_setg(errp, "%s: at most %d disks", opt, XENKVM_MAX_DRIVES);
        goto out;
    }
    d = &o->drives[o->nr_drives++];
    d->file = g_steal_pointer(&vals[0]);
    d->readonly = ro;
    ok = true;
out:
    free_vals(vals);
    return ok;
}

/* BACKEND,id=ID,...: the id here, the rest when the machine starts. */
static bool opt_chardev(XenKVMOptions *o, const char *opt, const char *val,
                        Error **errp)
{
    g_auto(GStrv) parts = g_strsplit(val, ",", -1);
    const char *id = NULL;

    for (int i = 1; parts[i]; i++) {
        if (g_str_has_prefix(parts[i], "id=")) {
            id = parts[i] + 3;
        }
    }
    if (!parts[0] || !*parts[0] || strchr(parts[0], '=')) {
        error_setg(errp, "%s: the backend comes first (stdio, file, "
                   "socket, null)", opt);
        return false;
    }
    if (!id || !*id) {
        error_setg(errp, "%s: id= is needed", opt);
        return false;
    }
    if (xenkvm_options_chardev(o, id)) {
        g_autofree char *e = echo(id);

        error_setg(errp, "%s: id '%s' given twice", opt, e);
        return false;
    }
    if (o->nr_chardevs == XENKVM_MAX_CHARDEVS) {
        error_setg(errp, "%s: at most %d", opt, XENKVM_MAX_CHARDEVS);
        return false;
    }
    o->chardevs[o->nr_chardevs].id = g_strdup(id);
    o->chardevs[o->nr_chardevs].spec = g_strdup(val);
    o->nr_chardevs++;
    return true;
}

/* xen-console,chardev=ID: the only device this machine has. */
static bool opt_device(XenKVMOptions *o, const char *opt, const char *val,
                       Error **errp)
{
    static const char *const keys[] = { "driver", "chardev", NULL };
    char *vals[KEYS_MAX] = { NULL };
    bool ok = false;

    if (!split_keys(opt, val, keys, vals, errp)) {
        goto out;
    }
    if (!vals[0] || strcmp(vals[0], "xen-console")) {
        g_autofree char *e = echo(vals[0] ? vals[0] : "");

        error_setg(errp, "%s '%s': only xen-console is supported", opt, e);
        goto out;
    }
    if (!vals[1]) {
        error_setg(errp, "%s: xen-console needs chardev=ID", opt);
        goto out;
    }
    if (o->nr_consoles == XENKVM_MAX_CONSOLES) {
        error_setg(errp, "%s: at most %d consoles", opt,
                   XENKVM_MAX_CONSOLES);
        goto out;
    }
    /* The id must name a -chardev; checked once all options are read. */
    o->consoles[o->nr_consoles++] = g_intern_string(vals[1]);
    ok = true;
out:
    free_vals(vals);
    return ok;
}

const char *xenkvm_options_chardev(const XenKVMOptions *o, const char *id)
{
    for (unsigned i = 0; i < o->nr_chardevs; i++) {
        if (!strcmp(o->chardevs[i].id, id)) {
            return o->chardevs[i].spec;
        }
    }
    return NULL;
}

void xenkvm_options_free(XenKVMOptions *o)
{
    for (unsigned i = 0; i < o->nr_drives; i++) {
        g_free(o->drives[i].file);
    }
    for (unsigned i = 0; i < o->nr_chardevs; i++) {
        g_free(o->chardevs[i].id);
        g_free(o->chardevs[i].spec);
    }
    o->nr_drives = o->nr_chardevs = o->nr_consoles = 0;
}

/* [enable=]PATTERN; QEMU's events=FILE and file=FILE are not here. */
static bool opt_trace(const char *opt, const char *val, Error **errp)
{
    const char *pat = val;

    if (g_str_has_prefix(val, "enable=")) {
        pat = val + strlen("enable=");
    } else if (strchr(val, '=')) {
        g_autofree char *e = echo(val);

        error_setg(errp, "%s '%s': only PATTERN and enable=PATTERN are "
                   "supported", opt, e);
        return false;
    }
    if (!*pat || trace_enable_events(pat) == 0) {
        g_autofree char *e = echo(pat);

        error_setg(errp, "%s '%s' matches no trace event", opt, e);
        return false;
    }
    return true;
}

typedef enum OptId {
    OPT_HELP, OPT_VERSION, OPT_NOGRAPHIC, OPT_NO_REBOOT,
    /* Those below take an argument. */
    OPT_KERNEL, OPT_INITRD, OPT_APPEND, OPT_M, OPT_SMP, OPT_ACCEL,
    OPT_DOMID, OPT_NAME, OPT_SERIAL, OPT_XENSTORE_SOCKET, OPT_TRACE,
    OPT_DRIVE, OPT_CHARDEV, OPT_DEVICE,
} OptId;

static const struct {
    const char *name;
    OptId id;
} opt_table[] = {
    { "-h", OPT_HELP }, { "-help", OPT_HELP },
    { "-version", OPT_VERSION },
    { "-nographic", OPT_NOGRAPHIC },
    { "-no-reboot", OPT_NO_REBOOT },
    { "-kernel", OPT_KERNEL }, { "-initrd", OPT_INITRD },
    { "-append", OPT_APPEND }, { "-m", OPT_M }, { "-smp", OPT_SMP },
    { "-accel", OPT_ACCEL }, { "-xen-domid", OPT_DOMID },
    { "-name", OPT_NAME }, { "-serial", OPT_SERIAL },
    { "-xenstore-socket", OPT_XENSTORE_SOCKET }, { "-trace", OPT_TRACE },
    { "-drive", OPT_DRIVE }, { "-chardev", OPT_CHARDEV },
    { "-device", OPT_DEVICE },
};

static bool apply(XenKVMOptions *o, OptId id, const char *opt,
                  const char *val, Error **errp)
{
    switch (id) {
    case OPT_KERNEL:
        return opt_path(opt, &o->kernel, val, errp);
    case OPT_INITRD:
        return opt_path(opt, &o->initrd, val, errp);
    case OPT_APPEND:
        return set_string(opt, &o->append, val, errp);
    case OPT_M:
        return opt_m(o, opt, val, errp);
    case OPT_SMP:
        return opt_smp(o, opt, val, errp);
    case OPT_ACCEL:
        return opt_accel(o, opt, val, errp);
    case OPT_DOMID:
        return opt_domid(o, opt, val, errp);
    case OPT_NAME:
        return opt_name(o, opt, val, errp);
    case OPT_SERIAL:
        return opt_serial(o, opt, val, errp);
    case OPT_XENSTORE_SOCKET:
        return opt_xenstore_socket(o, opt, val, errp);
    case OPT_TRACE:
        return opt_trace(opt, val, errp);
    case OPT_DRIVE:
        return opt_drive(o, opt, val, errp);
    case OPT_CHARDEV:
        return opt_chardev(o, opt, val, errp);
    case OPT_DEVICE:
        return opt_device(o, opt, val, errp);
    default:
        g_assert_not_reached();
    }
}

static int parse_all(int argc, char **argv, XenKVMOptions *o, Error **errp);

int xenkvm_parse_options(int argc, char **argv, XenKVMOptions *o,
                         Error **errp)
{
    int ret;

    memset(o, 0, sizeof(*o));
    ret = parse_all(argc, argv, o, errp);
    if (ret < 0) {
        xenkvm_options_free(o);
    }
    return ret;
}

static int parse_all(int argc, char **argv, XenKVMOptions *o, Error **errp)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        size_t k;

        /* QEMU takes both -opt and --opt. */
        if (a[0] == '-' && a[1] == '-') {
            a++;
        }
        for (k = 0; k < G_N_ELEMENTS(opt_table); k++) {
            if (!strcmp(a, opt_table[k].name)) {
                break;
            }
        }
        if (k == G_N_ELEMENTS(opt_table)) {
            g_autofree char *e = echo(argv[i]);

            if (argv[i][0] == '-') {
                error_setg(errp, "unknown option '%s' (try -help)", e);
            } else {
                error_setg(errp, "unexpected argument '%s' (try -help)", e);
            }
            return -1;
        }
        switch (opt_table[k].id) {
        case OPT_HELP:
            o->want_help = true;
            return 1;
        case OPT_VERSION:
            o->want_version = true;
            return 1;
        case OPT_NOGRAPHIC:
            o->nographic = true;
            continue;
        case OPT_NO_REBOOT:
            o->no_reboot = true;
            continue;
        default:
            break;
        }
        if (i + 1 >= argc) {
            g_autofree char *e = echo(argv[i]);

            error_setg(errp, "option '%s' needs an argument", e);
            return -1;
        }
        if (!apply(o, opt_table[k].id, a, argv[++i], errp)) {
            return -1;
        }
    }
    if (!o->kernel) {
        error_setg(errp, "no kernel: -kernel BZIMAGE is needed");
        return -1;
    }
    for (unsigned c = 0; c < o->nr_consoles; c++) {
        if (!xenkvm_options_chardev(o, o->consoles[c])) {
            g_autofree char *e = echo(o->consoles[c]);

            error_setg(errp, "-device xen-console: no -chardev with id "
                       "'%s'", e);
            return -1;
        }
    }
    /* Defaults last, so that a repeat could tell "unset" from a value. */
    if (!o->ram_size) {
        o->ram_size = (uint64_t)XENKVM_DEFAULT_RAM_MIB << 20;
    }
    if (!o->serial) {
        o->serial = "stdio";
    }
    if (!o->xen_version) {
        o->xen_version = XENKVM_DEFAULT_XEN_VERSION;
    }
    if (!o->domid) {
        o->domid = XENKVM_DEFAULT_DOMID;
    }
    o->smp = 1;
    return 0;
}
