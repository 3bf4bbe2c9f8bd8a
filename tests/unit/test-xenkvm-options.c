/*
 * Tests of qemu-xenkvm's command line parser: every option with good
 * and bad values, the limits on each side, repeats, and that refusals
 * are one line with nothing of the program's name in them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <sys/un.h>
#include "qemu/trace-control.h"
#include "sysemu/kvm.h"
#include "xenkvm/xenkvm-options.h"

#define MiB (1024ULL * 1024)

/* An event of the test's own, so -trace has something to match. */
static bool test_event_state;
static TraceEvent test_events[] = {
    { "xenkvm_options_test_event", &test_event_state },
    { NULL, NULL },
};

/* Parses "prog" + the NULL-terminated args; the error, if any, freed. */
static int parse_v(XenKVMOptions *o, char **err_msg, const char *first,
                   va_list ap)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    Error *err = NULL;
    int rc;

    g_ptr_array_add(argv, (char *)"qemu-xenkvm");
    for (const char *a = first; a; a = va_arg(ap, const char *)) {
        g_ptr_array_add(argv, (char *)a);
    }
    g_ptr_array_add(argv, NULL);
    rc = xenkvm_parse_options(argv->len - 1, (char **)argv->pdata, o, &err);
    if (rc < 0) {
        g_assert_nonnull(err);
        *err_msg = g_strdup(error_get_pretty(err));
        error_free(err);
    } else {
        g_assert_null(err);
        *err_msg = NULL;
    }
    return rc;
}

static void expect_ok(XenKVMOptions *o, const char *first, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;
    int rc;

    va_start(ap, first);
    rc = parse_v(o, &msg, first, ap);
    va_end(ap);
    if (rc != 0) {
        g_error("refused: %s", msg);
    }
}

/* A refusal whose one-line message holds want. */
static void expect_err(const char *want, const char *first, ...)
{
    g_autofree char *msg = NULL;
    XenKVMOptions o;
    va_list ap;
    int rc;

    va_start(ap, first);
    rc = parse_v(&o, &msg, first, ap);
    va_end(ap);
    g_assert_cmpint(rc, ==, -1);
    if (!strstr(msg, want)) {
        g_error("\"%s\" lacks \"%s\"", msg, want);
    }
    g_assert_null(strchr(msg, '\n'));
    g_assert_null(strstr(msg, "qemu-xenkvm:"));
}

static void test_defaults(void)
{
    XenKVMOptions o;

    expect_ok(&o, "-kernel", "bz", NULL);
    g_assert_cmpstr(o.kernel, ==, "bz");
    g_assert_null(o.initrd);
    g_assert_null(o.append);
    g_assert_cmphex(o.ram_size, ==, 512 * MiB);
    g_assert_cmpstr(o.serial, ==, "stdio");
    g_assert_false(o.nographic);
    g_assert_cmphex(o.xen_version, ==, 0x40011);
    g_assert_cmpuint(o.domid, ==, 1);
    g_assert_null(o.name);
    g_assert_null(o.xenstore_socket);
    g_assert_false(o.no_reboot);
    g_assert_cmpuint(o.smp, ==, 1);
    g_assert_false(o.want_help);
    g_assert_false(o.want_version);
}

static void test_all_options(void)
{
    XenKVMOptions o;

    expect_ok(&o, "-kernel", "bz", "--initrd", "rd.img",
              "-append", "console=ttyS0 quiet", "-m", "1G", "-smp", "1",
              "-accel", "kvm,xen-version=0x40010", "-xen-domid", "7",
              "-name", "guest=deb", "-xenstore-socket", "/tmp/xs.sock",
              "-nographic", "-serial", "file:/tmp/com1", "--no-reboot",
              NULL);
    g_assert_cmpstr(o.kernel, ==, "bz");
    g_assert_cmpstr(o.initrd, ==, "rd.img");
    g_assert_cmpstr(o.append, ==, "console=ttyS0 quiet");
    g_assert_cmphex(o.ram_size, ==, 1024 * MiB);
    g_assert_cmpuint(o.smp, ==, 1);
    g_assert_cmphex(o.xen_version, ==, 0x40010);
    g_assert_cmpuint(o.domid, ==, 7);
    g_assert_cmpstr(o.name, ==, "deb");
    g_assert_cmpstr(o.xenstore_socket, ==, "/tmp/xs.sock");
    g_assert_true(o.nographic);
    g_assert_cmpstr(o.serial, ==, "file:/tmp/com1");
    g_assert_true(o.no_reboot);
}

static void test_help_version(void)
{
    XenKVMOptions o;
    g_autofree char *msg = NULL;
    const char *help[] = { "qemu-xenkvm", "--help", "-bogus", NULL };
    const char *h[] = { "qemu-xenkvm", "-h", NULL };
    const char *ver[] = { "qemu-xenkvm", "-version", NULL };

    /* -help wins over what follows it, and needs no -kernel. */
    g_assert_cmpint(xenkvm_parse_options(3, (char **)help, &o, NULL), ==, 1);
    g_assert_true(o.want_help);
    g_assert_cmpint(xenkvm_parse_options(2, (char **)h, &o, NULL), ==, 1);
    g_assert_true(o.want_help);
    g_assert_cmpint(xenkvm_parse_options(2, (char **)ver, &o, NULL), ==, 1);
    g_assert_true(o.want_version);
    g_assert_false(o.want_help);
}

static void test_bad_syntax(void)
{
    expect_err("no kernel: -kernel BZIMAGE is needed", NULL);
    expect_err("unknown option '-bogus'", "-bogus", NULL);
    expect_err("unknown option '---kernel'", "---kernel", "k", NULL);
    expect_err("unexpected argument ''", "", NULL);
    expect_err("unexpected argument 'disk.img'", "-kernel", "k",
               "disk.img", NULL);
    expect_err("option '-kernel' needs an argument", "-kernel", NULL);
    expect_err("option '--initrd' needs an argument", "-kernel", "k",
               "--initrd", NULL);
    expect_err("option '-m' needs an argument", "-kernel", "k", "-m", NULL);
    expect_err("-kernel: the file name is empty", "-kernel", "", NULL);
    expect_err("-initrd: the file name is empty", "-kernel", "k",
               "-initrd", "", NULL);
    /* A control byte in an echoed value is escaped: still one line. */
    expect_err("unknown option '-a\\nb'", "-a\nb", NULL);
}

static void test_repeats(void)
{
    XenKVMOptions o;

    /* The same value twice is fine; two different ones are not. */
    expect_ok(&o, "-kernel", "k", "-kernel", "k", "-m", "512",
              "-m", "512M", "-xen-domid", "3", "-xen-domid", "3",
              "-accel", "kvm", "-accel", "kvm,xen-version=0x40011", NULL);
    g_assert_cmphex(o.ram_size, ==, 512 * MiB);
    expect_err("-kernel given twice: 'a' and 'b'", "-kernel", "a",
               "-kernel", "b", NULL);
    expect_err("-initrd given twice", "-kernel", "k", "-initrd", "a",
               "-initrd", "b", NULL);
    expect_err("-append given twice", "-kernel", "k", "-append", "a",
               "-append", "b", NULL);
    expect_err("-m given twice with different values", "-kernel", "k",
               "-m", "512", "-m", "1G", NULL);
    expect_err("-serial given twice", "-kernel", "k", "-serial", "stdio",
               "-serial", "none", NULL);
    expect_err("-xen-domid given twice", "-kernel", "k", "-xen-domid", "2",
               "-xen-domid", "3", NULL);
    expect_err("-accel given twice with different xen-version", "-kernel",
               "k", "-accel", "kvm,xen-version=0x40010", "-accel", "kvm",
               NULL);
    expect_err("-name given twice", "-kernel", "k", "-name", "a",
               "-name", "guest=b", NULL);
}

static void test_memory(void)
{
    XenKVMOptions o;

    expect_ok(&o, "-kernel", "k", "-m", "16", NULL);
    g_assert_cmphex(o.ram_size, ==, 16 * MiB);
    expect_ok(&o, "-kernel", "k", "-m", "256m", NULL);
    g_assert_cmphex(o.ram_size, ==, 256 * MiB);
    expect_ok(&o, "-kernel", "k", "-m", "size=2g", NULL);
    g_assert_cmphex(o.ram_size, ==, 2048 * MiB);
    expect_ok(&o, "-kernel", "k", "-m", "4079", NULL);
    g_assert_cmphex(o.ram_size, ==, KVM_RAM_LIMIT & ~(MiB - 1));

    expect_err("-m '0': at least 16 MiB", "-kernel", "k", "-m", "0", NULL);
    expect_err("-m '15': at least 16 MiB", "-kernel", "k", "-m", "15", NULL);
    expect_err("-m '4080': at most 4079 MiB", "-kernel", "k", "-m", "4080",
               NULL);
    expect_err("-m '4G': at most 4079 MiB", "-kernel", "k", "-m", "4G",
               NULL);
    expect_err("at most 4079 MiB", "-kernel", "k", "-m",
               "99999999999999999999999999", NULL);
    expect_err("at most 4079 MiB", "-kernel", "k", "-m",
               "18446744073709551615G", NULL);
    expect_err("-m '12x': not a size", "-kernel", "k", "-m", "12x", NULL);
    expect_err("-m 'M': not a size", "-kernel", "k", "-m", "M", NULL);
    expect_err("-m '-1': not a size", "-kernel", "k", "-m", "-1", NULL);
    expect_err("-m ' 512': not a size", "-kernel", "k", "-m", " 512", NULL);
    expect_err("-m '512K': not a size", "-kernel", "k", "-m", "512K", NULL);
    expect_err("-m '0x100': not a size", "-kernel", "k", "-m", "0x100",
               NULL);
    expect_err("-m '': no size", "-kernel", "k", "-m", "", NULL);
    expect_err("-m: unknown sub-option 'slots'", "-kernel", "k", "-m",
               "512,slots=2", NULL);
    expect_err("-m: sub-option 'size' has no value", "-kernel", "k", "-m",
               "size=", NULL);
}

static void test_smp(void)
{
    XenKVMOptions o;

    expect_ok(&o, "-kernel", "k", "-smp", "1", NULL);
    expect_ok(&o, "-kernel", "k", "-smp", "cpus=1", NULL);
    g_assert_cmpuint(o.smp, ==, 1);
    expect_err("-smp 2: only 1 vCPU is supported", "-kernel", "k",
               "-smp", "2", NULL);
    expect_err("-smp 0: only 1 vCPU is supported", "-kernel", "k",
               "-smp", "0", NULL);
    expect_err("only 1 vCPU is supported", "-kernel", "k",
               "-smp", "cpus=4", NULL);
    expect_err("-smp 'two': not a number of vCPUs", "-kernel", "k",
               "-smp", "two", NULL);
    expect_err("not a number of vCPUs", "-kernel", "k",
               "-smp", "99999999999999999999999", NULL);
    expect_err("-smp: unknown sub-option 'cores'", "-kernel", "k",
               "-smp", "1,cores=1", NULL);
}

static void test_accel(void)
{
    XenKVMOptions o;

    expect_ok(&o, "-kernel", "k", "-accel", "kvm", NULL);
    g_assert_cmphex(o.xen_version, ==, 0x40011);
    expect_ok(&o, "-kernel", "k", "-accel", "kvm,xen-version=0x40006",
              NULL);
    g_assert_cmphex(o.xen_version, ==, 0x40006);
    expect_ok(&o, "-kernel", "k", "-accel", "kvm,xen-version=262161", NULL);
    g_assert_cmphex(o.xen_version, ==, 0x40011);
    expect_ok(&o, "-kernel", "k", "-accel", "accel=kvm,xen-version=0XFFFFFF",
              NULL);
    g_assert_cmphex(o.xen_version, ==, 0xffffff);

    expect_err("-accel 'tcg': only kvm is supported", "-kernel", "k",
               "-accel", "tcg", NULL);
    expect_err("-accel 'xen-version=0x40011': only kvm", "-kernel", "k",
               "-accel", "xen-version=0x40011", NULL);
    expect_err("xen-version '0x40005': want", "-kernel", "k",
               "-accel", "kvm,xen-version=0x40005", NULL);
    expect_err("xen-version '0x1000000'", "-kernel", "k",
               "-accel", "kvm,xen-version=0x1000000", NULL);
    expect_err("xen-version '0xffffffffffffffffff'", "-kernel", "k",
               "-accel", "kvm,xen-version=0xffffffffffffffffff", NULL);
    expect_err("xen-version '4.17'", "-kernel", "k",
               "-accel", "kvm,xen-version=4.17", NULL);
    expect_err("xen-version '0x'", "-kernel", "k",
               "-accel", "kvm,xen-version=0x", NULL);
    expect_err("xen-version '0x0x40011'", "-kernel", "k",
               "-accel", "kvm,xen-version=0x0x40011", NULL);
    expect_err("xen-version '-262161'", "-kernel", "k",
               "-accel", "kvm,xen-version=-262161", NULL);
    expect_err("-accel: unknown sub-option 'kernel-irqchip'", "-kernel",
               "k", "-accel", "kvm,kernel-irqchip=on", NULL);
    expect_err("-accel: sub-option 'xen-version' given twice", "-kernel",
               "k", "-accel", "kvm,xen-version=0x40011,xen-version=0x40011",
               NULL);
    expect_err("-accel: 'x' is not key=value", "-kernel", "k",
               "-accel", "kvm,x", NULL);
}

static void test_domid(void)
{
    XenKVMOptions o;

    expect_ok(&o, "-kernel", "k", "-xen-domid", "1", NULL);
    g_assert_cmpuint(o.domid, ==, 1);
    expect_ok(&o, "-kernel", "k", "-xen-domid", "32751", NULL);
    g_assert_cmpuint(o.domid, ==, 32751);
    expect_err("-xen-domid '0': want 1 to 32751", "-kernel", "k",
               "-xen-domid", "0", NULL);
    expect_err("-xen-domid '32752': want 1 to 32751", "-kernel", "k",
               "-xen-domid", "32752", NULL);
    expect_err("-xen-domid '4294967297'", "-kernel", "k",
               "-xen-domid", "4294967297", NULL);
    expect_err("-xen-domid '0x10'", "-kernel", "k",
               "-xen-domid", "0x10", NULL);
    expect_err("-xen-domid '-1'", "-kernel", "k", "-xen-domid", "-1", NULL);
}

static void test_name(void)
{
    XenKVMOptions o;
    g_autofree char *longest = g_strnfill(128, 'n');
    g_autofree char *too_long = g_strnfill(129, 'n');

    expect_ok(&o, "-kernel", "k", "-name", "debian", NULL);
    g_assert_cmpstr(o.name, ==, "debian");
    expect_ok(&o, "-kernel", "k", "-name", "guest=my guest", NULL);
    g_assert_cmpstr(o.name, ==, "my guest");
    expect_ok(&o, "-kernel", "k", "-name", "g\xc3\xa4st", NULL);
    expect_ok(&o, "-kernel", "k", "-name", longest, NULL);
    g_assert_cmpuint(strlen(o.name), ==, 128);

    expect_err("-name: the name is longer than 128 bytes", "-kernel", "k",
               "-name", too_long, NULL);
    expect_err("-name: the name has a control character", "-kernel", "k",
               "-name", "a\nb", NULL);
    expect_err("control character", "-kernel", "k", "-name", "a\x7f", NULL);
    expect_err("control character", "-kernel", "k", "-name", "\t", NULL);
    expect_err("-name: the name is not UTF-8", "-kernel", "k",
               "-name", "a\xff", NULL);
    expect_err("-name: no guest name", "-kernel", "k", "-name", "", NULL);
    expect_err("-name: sub-option 'guest' has no value", "-kernel", "k",
               "-name", "guest=", NULL);
    expect_err("-name: unknown sub-option 'debug-threads'", "-kernel", "k",
               "-name", "x,debug-threads=on", NULL);
    expect_err("-name: sub-option 'guest' given twice", "-kernel", "k",
               "-name", "a,guest=b", NULL);
}

static void test_serial(void)
{
    XenKVMOptions o;

    expect_ok(&o, "-kernel", "k", "-serial", "none", NULL);
    g_assert_cmpstr(o.serial, ==, "none");
    expect_ok(&o, "-kernel", "k", "-serial", "stdio", "-nographic", NULL);
    g_assert_cmpstr(o.serial, ==, "stdio");
    expect_ok(&o, "-kernel", "k", "-serial", "file:out", NULL);
    g_assert_cmpstr(o.serial, ==, "file:out");
    expect_err("-serial 'tcp::4444': stdio and file:PATH", "-kernel", "k",
               "-serial", "tcp::4444", NULL);
    expect_err("-serial 'file:'", "-kernel", "k", "-serial", "file:", NULL);
    expect_err("-serial ''", "-kernel", "k", "-serial", "", NULL);
}

static void test_xenstore_socket(void)
{
    XenKVMOptions o;
    struct sockaddr_un sun;
    g_autofree char *longest = g_strnfill(sizeof(sun.sun_path) - 1, 's');
    g_autofree char *too_long = g_strnfill(sizeof(sun.sun_path), 's');

    expect_ok(&o, "-kernel", "k", "-xenstore-socket", longest, NULL);
    g_assert_cmpstr(o.xenstore_socket, ==, longest);
    expect_err("-xenstore-socket: the path is longer than", "-kernel", "k",
               "-xenstore-socket", too_long, NULL);
    expect_err("-xenstore-socket: the file name is empty", "-kernel", "k",
               "-xenstore-socket", "", NULL);
}

static void test_trace(void)
{
    XenKVMOptions o;

    test_event_state = false;
    expect_ok(&o, "-kernel", "k", "-trace", "xenkvm_options_test_*", NULL);
    g_assert_true(test_event_state);
    expect_ok(&o, "-kernel", "k", "-trace", "-xenkvm_options_test_event",
              NULL);
    g_assert_false(test_event_state);
    expect_ok(&o, "-kernel", "k", "-trace",
              "enable=xenkvm_options_test_event", "--trace",
              "xenkvm_options_test_event", NULL);
    g_assert_true(test_event_state);

    expect_err("-trace 'no_such_event_*' matches no trace event", "-kernel",
               "k", "-trace", "no_such_event_*", NULL);
    expect_err("-trace '' matches no trace event", "-kernel", "k",
               "-trace", "enable=", NULL);
    expect_err("-trace 'events=list': only PATTERN and enable=PATTERN",
               "-kernel", "k", "-trace", "events=list", NULL);
}

static void test_pv_devices(void)
{
    XenKVMOptions o;

    expect_ok(&o, "-kernel", "k",
              "-drive", "file=a.img,if=xen,format=raw",
              "-drive", "file=b.img,if=xen,readonly=on",
              "-chardev", "socket,id=c1,path=/tmp/c1.sock,server=on,wait=off",
              "-chardev", "stdio,id=out",
              "-device", "xen-console,chardev=out",
              "-device", "driver=xen-console,chardev=c1", NULL);
    g_assert_cmpuint(o.nr_drives, ==, 2);
    g_assert_cmpstr(o.drives[0].file, ==, "a.img");
    g_assert_false(o.drives[0].readonly);
    g_assert_cmpstr(o.drives[1].file, ==, "b.img");
    g_assert_true(o.drives[1].readonly);
    g_assert_cmpuint(o.nr_chardevs, ==, 2);
    g_assert_cmpstr(xenkvm_options_chardev(&o, "c1"), ==,
                    "socket,id=c1,path=/tmp/c1.sock,server=on,wait=off");
    g_assert_cmpstr(xenkvm_options_chardev(&o, "out"), ==, "stdio,id=out");
    g_assert_null(xenkvm_options_chardev(&o, "nope"));
    g_assert_cmpuint(o.nr_consoles, ==, 2);
    g_assert_cmpstr(o.consoles[0], ==, "out");
    g_assert_cmpstr(o.consoles[1], ==, "c1");
    xenkvm_options_free(&o);

    expect_err("file= is needed", "-kernel", "k", "-drive", "if=xen", NULL);
    expect_err("only if=xen", "-kernel", "k", "-drive", "file=a", NULL);
    expect_err("only if=xen", "-kernel", "k", "-drive",
               "file=a,if=ide", NULL);
    expect_err("only raw", "-kernel", "k", "-drive",
               "file=a,if=xen,format=qcow2", NULL);
    expect_err("on or off", "-kernel", "k", "-drive",
               "file=a,if=xen,readonly=yes", NULL);
    expect_err("unknown sub-option 'cache'", "-kernel", "k", "-drive",
               "file=a,if=xen,cache=none", NULL);
    expect_err("at most 4 disks", "-kernel", "k",
               "-drive", "file=a,if=xen", "-drive", "file=b,if=xen",
               "-drive", "file=c,if=xen", "-drive", "file=d,if=xen",
               "-drive", "file=e,if=xen", NULL);
    expect_err("id= is needed", "-kernel", "k", "-chardev", "stdio", NULL);
    expect_err("backend comes first", "-kernel", "k", "-chardev",
               "id=x", NULL);
    expect_err("given twice", "-kernel", "k", "-chardev", "stdio,id=x",
               "-chardev", "null,id=x", NULL);
    expect_err("only xen-console", "-kernel", "k", "-device",
               "virtio-blk,chardev=x", NULL);
    expect_err("needs chardev=ID", "-kernel", "k", "-device",
               "xen-console", NULL);
    expect_err("no -chardev with id 'ghost'", "-kernel", "k", "-device",
               "xen-console,chardev=ghost", NULL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    trace_event_register_group(test_events);
    g_test_add_func("/xenkvm-options/defaults", test_defaults);
    g_test_add_func("/xenkvm-options/all-options", test_all_options);
    g_test_add_func("/xenkvm-options/help-version", test_help_version);
    g_test_add_func("/xenkvm-options/bad-syntax", test_bad_syntax);
    g_test_add_func("/xenkvm-options/repeats", test_repeats);
    g_test_add_func("/xenkvm-options/memory", test_memory);
    g_test_add_func("/xenkvm-options/smp", test_smp);
    g_test_add_func("/xenkvm-options/accel", test_accel);
    g_test_add_func("/xenkvm-options/domid", test_domid);
    g_test_add_func("/xenkvm-options/name", test_name);
    g_test_add_func("/xenkvm-options/serial", test_serial);
    g_test_add_func("/xenkvm-options/xenstore-socket",
                    test_xenstore_socket);
    g_test_add_func("/xenkvm-options/trace", test_trace);
    g_test_add_func("/xenkvm-options/pv-devices", test_pv_devices);
    return g_test_run();
}
