#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Builds the Xen guest test kit of a Debian release: that release's cloud
# kernel (vmlinuz) and an initramfs (initrd.img) with busybox, Xen's
# xenstore tools, the xenfs and xen-blkfront modules, our static
# xs-guest-prog and tests/guest/init. See docs/devel/guest-kit.md.
#
# usage: scripts/make-guest-kit.sh bookworm|trixie
#
# Prints the kit's directory,
#   ${XDG_CACHE_HOME:-~/.cache}/qemu-xenstore/guests/RELEASE
# A kit whose stamp (kernel package version, host package versions, a
# hash of the kit's sources) still matches is reused; with no network,
# an existing kit is reused as is. Nothing is installed on the host and
# its apt configuration is not touched (tests/functional/debian-pkgs.sh).
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
. "$src/tests/functional/debian-pkgs.sh"

release=${1:-}
case "$release" in
bookworm | trixie) ;;
*)
    echo "usage: $0 bookworm|trixie" >&2
    exit 2
    ;;
esac

base=${XDG_CACHE_HOME:-$HOME/.cache}/qemu-xenstore/guests
out=$base/$release
aptdir=$base/apt-$release
debdir=$aptdir/debs
# Modules the guest loads if the kernel has them as modules: xenfs for
# /proc/xen (the xenbus device), xen-blkfront for disk tests.
modules="xenfs xen-blkfront"
xs_tools="xenstore xenstore-read xenstore-write xenstore-ls xenstore-list
    xenstore-rm xenstore-exists xenstore-chmod xenstore-watch"

die() {
    echo "make-guest-kit: $*" >&2
    exit 1
}

# --- host tools ---------------------------------------------------------

busybox=$(command -v busybox) || die "no busybox (apt-get install busybox-static)"
# A dynamic busybox would need libraries the kit does not carry.
ldd "$busybox" >/dev/null 2>&1 &&
    die "$busybox is not static (apt-get install busybox-static)"
[ -x /usr/bin/xenstore ] || die "no /usr/bin/xenstore (apt-get install xenstore-utils)"
for t in cc ldd gzip sha256sum dpkg-query; do
    command -v "$t" >/dev/null 2>&1 || die "no $t"
done
deb_have_apt || die "no apt-get/dpkg-deb to fetch the kernel"

# --- what the kit is made of -------------------------------------------

sources_hash() {
    (cd "$src" && sha256sum scripts/make-guest-kit.sh tests/guest/init \
        tests/guest/xs-guest-prog.c include/hw/xen/interface/io/xs_wire.h \
        tests/guest/xktest/*.sh) | sha256sum | cut -c1-16
}

host_versions() {
    dpkg-query -W -f '${Package}=${Version} ' busybox-static \
        xenstore-utils libc6 2>/dev/null
}

mkdir -p "$base" || exit 1
deb_lock "$aptdir" || die "cannot lock $aptdir"
deb_log=$base/fetch-$release.log
: >"$deb_log"
deb_use_release "$release" "$aptdir" || die "cannot set up apt in $aptdir"
deb_update_if_old 7
# The metapackage names the versioned package of the day.
pattern='linux-image-[0-9][^ ]*-cloud-amd64(-unsigned)?'
pkg=$(deb_depends_on linux-image-cloud-amd64 "$pattern")
if [ -z "$pkg" ]; then
    deb_update
    pkg=$(deb_depends_on linux-image-cloud-amd64 "$pattern")
fi
if [ -z "$pkg" ]; then
    # Offline with no package lists: a kit built before still serves.
    if [ -f "$out/stamp" ] && [ -f "$out/initrd.img" ]; then
        echo "make-guest-kit: offline, reusing $out" >&2
        echo "$out"
        exit 0
    fi
    die "no $release cloud kernel package: $(deb_error)"
fi
version=$(deb_version "$pkg")
stamp="kernel=$pkg=$version sources=$(sources_hash) host=$(host_versions)"
if [ -f "$out/vmlinuz" ] && [ -f "$out/initrd.img" ] &&
    [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "$out"
    exit 0
fi

work=$(mktemp -d "$base/build-$release.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
root=$work/root

# --- the kernel package -------------------------------------------------

# Kept between runs, so changing only the init script does not download.
deb=$(ls "$debdir/${pkg}_"*.deb 2>/dev/null | head -1)
if [ -z "$deb" ] || ! dpkg-deb -f "$deb" Version 2>/dev/null |
    grep -qxF "$version"; then
    rm -rf "$debdir"
    mkdir -p "$debdir" || exit 1
    echo "make-guest-kit: downloading $pkg $version" >&2
    deb_download "$debdir" "$pkg" || die "cannot fetch $pkg: $(deb_error)"
    deb=$(ls "$debdir/${pkg}_"*.deb 2>/dev/null | head -1)
    [ -n "$deb" ] || die "no .deb for $pkg in $debdir"
fi
mkdir -p "$work/kernel" || exit 1
dpkg-deb --fsys-tarfile "$deb" |
    tar -x -C "$work/kernel" --wildcards './boot/vmlinuz-*' \
        './lib/modules/*' './usr/lib/modules/*' 2>/dev/null
moddir=$(ls -d "$work"/kernel/lib/modules/*/ \
    "$work"/kernel/usr/lib/modules/*/ 2>/dev/null | head -1)
[ -n "$moddir" ] && [ -f "$moddir/modules.builtin" ] ||
    die "$pkg has no modules.builtin"
kver=$(basename "$moddir")
[ -f "$work/kernel/boot/vmlinuz-$kver" ] || die "$pkg has no vmlinuz-$kver"

# --- kernel modules -----------------------------------------------------

# Debian's package has no modules.dep (depmod makes it on installation):
# each module's dependencies come from its own .modinfo "depends=".
mkdir -p "$root/lib/modules" || exit 1
: >"$root/lib/modules/load-order"

# The file of module $1 (dashes and underscores alike) in the package.
module_file() {
    local a=${1//_/-} b=${1//-/_}
    find "$moddir" \( -name "$a.ko*" -o -name "$b.ko*" \) -print -quit
}

is_builtin() {
    local a=${1//_/-} b=${1//-/_}
    grep -qE "(^|/)($a|$b)\.ko$" "$moddir/modules.builtin"
}

# Copy module $1 into the initramfs after the modules it depends on,
# uncompressed for busybox insmod, and list it in load order.
add_module() {
    local name=${1//-/_} file ko dep

    grep -qxF "$name.ko" "$root/lib/modules/load-order" && return 0
    # A dependency may be built in after all: nothing to load then.
    is_builtin "$name" && return 0
    file=$(module_file "$name")
    [ -n "$file" ] || { echo "no module $name in $pkg" >&2; return 1; }
    ko=$root/lib/modules/$name.ko
    case "$file" in
    *.ko) cp "$file" "$ko" ;;
    *.ko.xz) xz -dc "$file" >"$ko" ;;
    *.ko.zst) zstd -qdc "$file" >"$ko" ;;
    *.ko.gz) gzip -dc "$file" >"$ko" ;;
    *) false ;;
    esac || return 1
    for dep in $(tr '\0' '\n' <"$ko" | sed -n 's/^depends=//p' |
        head -1 | tr , ' '); do
        add_module "$dep" || return 1
    done
    echo "$name.ko" >>"$root/lib/modules/load-order"
}

for m in $modules; do
    if is_builtin "$m"; then
        echo "$m" >>"$root/lib/modules/builtin"
    else
        add_module "$m" || die "cannot copy module $m"
    fi
done

# --- programs -------------------------------------------------------------

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root,etc,xktest} ||
    exit 1
cp "$busybox" "$root/bin/busybox" || exit 1
# Applet links where busybox expects them, not replacing real files.
"$busybox" --list-full | while read -r applet; do
    [ -e "$root/$applet" ] || [ -L "$root/$applet" ] ||
        ln -s /bin/busybox "$root/$applet"
done

# xenstore-utils: one program choosing its command by argv[0].
cp /usr/bin/xenstore "$root/usr/bin/xenstore" || exit 1
for t in $xs_tools; do
    [ "$t" = xenstore ] || ln -s xenstore "$root/usr/bin/$t"
done
# Its libraries and the dynamic loader, at the paths ldd names.
for lib in $(ldd /usr/bin/xenstore | grep -oE '(^|[[:space:]])/[^ ]+'); do
    mkdir -p "$root$(dirname "$lib")" &&
        cp -L "$lib" "$root$lib" || die "cannot copy $lib"
done

cc -static -O2 -Wall -I"$src/include" -o "$root/bin/xs-guest-prog" \
    "$src/tests/guest/xs-guest-prog.c" || die "cannot build xs-guest-prog"
strip "$root/bin/xs-guest-prog" 2>/dev/null

install -m 755 "$src/tests/guest/init" "$root/init" || exit 1
install -m 755 "$src"/tests/guest/xktest/*.sh "$root/xktest/" || exit 1
echo "$kver" >"$root/etc/xk-kernel-release"

# --- the archive ------------------------------------------------------------

# One newc entry for /dev/console, which the kernel opens for /init
# before anything is mounted; made here since mknod needs root.
console_entry() {
    # magic, ino, mode (char device 0600), uid, gid, nlink, mtime, size,
    # dev major/minor, rdev 5:1, name size (with NUL), check
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        1000000 $((0020600)) 0 0 1 0 0 0 0 5 1 12 0
    # 110-byte header + 12-byte name = 122: pad to 124
    printf 'dev/console\0\0\0'
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        0 0 0 0 1 0 0 0 0 0 0 11 0
    # 110 + 11 = 121: pad to 124
    printf 'TRAILER!!!\0\0\0\0'
}

(
    cd "$root" && find . -mindepth 1 | sed 's|^\./||' | sort |
        "$busybox" cpio -o -H newc -R 0:0 2>/dev/null
    console_entry
) | gzip -9 >"$work/initrd.img" || die "cannot make the initramfs"

mkdir -p "$work/kit" || exit 1
mv "$work/initrd.img" "$work/kit/initrd.img" &&
    cp "$work/kernel/boot/vmlinuz-$kver" "$work/kit/vmlinuz" &&
    echo "$kver" >"$work/kit/kernel-release" &&
    echo "$stamp" >"$work/kit/stamp" || exit 1
rm -rf "$out"
mv "$work/kit" "$out" || exit 1
deb_unlock
echo "$out"
