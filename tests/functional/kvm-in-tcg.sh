#!/bin/bash
# Runs the KVM test programs on a host without /dev/kvm: boots a Debian
# kernel under QEMU's software emulation (TCG) with an AMD SVM CPU, loads
# kvm_amd inside that guest (L1) and runs each program there with --tap.
#
# SPDX-License-Identifier: GPL-2.0-or-later
#
# usage: kvm-in-tcg.sh [--trixie] [--cache DIR] TEST-PROGRAM...
#
# By default L1 runs the kernel of the host's own Debian release (its
# KVM has no Xen support on bookworm) under the host's QEMU. --trixie
# boots Debian trixie's cloud kernel instead, whose KVM has Xen support
# (KVM_CAP_XEN_HVM), under trixie's QEMU: both fetched through a private
# apt configuration, unpacked and never installed.
#
# Prints TAP. Exits 0 when every test inside the guest passed, 77 when
# QEMU, busybox or a kernel with kvm-amd cannot be had here, 1 otherwise.
# A test that skips inside the guest counts as failed: there, KVM is
# supposed to work.
#
# Caches (kept between runs; --cache DIR replaces the one of the mode):
#   ${XDG_CACHE_HOME:-~/.cache}/qemu-xenstore/kvm-tcg   the host's kernel
#   ${XDG_CACHE_HOME:-~/.cache}/qemu-xenstore/trixie    trixie's apt lists,
#                                kernel and QEMU (see KVM_TCG_QEMU)
#
# Environment:
#   KVM_TCG_QEMU         the QEMU that runs L1: "host" (qemu-system-x86_64
#                        on PATH), "trixie" (trixie's, unpacked in the
#                        cache and run with its own libraries) or a path;
#                        default "host", with --trixie "trixie" (the host's
#                        when trixie's cannot be had)
#   KVM_TCG_CPU          QEMU -cpu model (default "max"; "EPYC" and
#                        "qemu64,+svm,+npt" work too)
#   KVM_TCG_MEM          L1 memory (default 1G)
#   KVM_TCG_KVM_AMD_OPTS options for kvm-amd.ko (default none: nested=1,
#                        npt when the CPU has it; "npt=0" forces shadow
#                        paging)
#   KVM_TCG_TIMEOUT      seconds the guest may run (default 480)
#   KVM_TCG_KERNEL_DIR   a directory with vmlinuz and modules/ laid out as
#                        in the cache, instead of a Debian package
#   KVM_TCG_EXTRA_INITRD a (compressed) cpio archive appended to the
#                        guest's initramfs: more files for L1, such as an
#                        L2 kernel
#   KVM_TCG_INTERACTIVE  1: L1's console (with the test program's output
#                        and input) on this terminal, a second L1 serial
#                        port on a pty QEMU names, no time limit, no TAP
#                        report (make run)
#   KVM_TCG_CONSOLE      also copy L1's console there as it runs (to
#                        follow a long run with tail -f)
#   DEBIAN_MIRROR        where trixie's packages come from (default
#                        http://deb.debian.org/debian)
#   QEMU_TRACE           passed to the test programs inside the guest
set -u

. "$(dirname "${BASH_SOURCE[0]}")/debian-pkgs.sh" || exit 2

usage() {
    echo "usage: $0 [--trixie] [--cache DIR] TEST-PROGRAM..." >&2
    exit 2
}

cache_base="${XDG_CACHE_HOME:-$HOME/.cache}/qemu-xenstore"
trixie_cache="$cache_base/trixie"
release=host
cache="$cache_base/kvm-tcg"
qemu_choice=${KVM_TCG_QEMU:-}
while [ $# -gt 0 ]; do
    case "$1" in
    --trixie)
        release=trixie
        cache=$trixie_cache
        shift
        ;;
    --cache)
        [ $# -ge 2 ] || usage
        cache=$2
        [ $release = trixie ] && trixie_cache=$2
        shift 2
        ;;
    -*)
        usage
        ;;
    *)
        break
        ;;
    esac
done
[ $# -gt 0 ] || usage
if [ -z "$qemu_choice" ]; then
    if [ $release = trixie ]; then qemu_choice=auto; else qemu_choice=host; fi
fi

cpu=${KVM_TCG_CPU:-max}
mem=${KVM_TCG_MEM:-1G}
kvm_amd_opts=${KVM_TCG_KVM_AMD_OPTS:-}
guest_timeout=${KVM_TCG_TIMEOUT:-480}
# Debian kernel packages to try, smallest first; both build kvm-amd.
kernel_metapkgs="linux-image-cloud-amd64 linux-image-amd64"
qemu_cmd=()

work=$(mktemp -d "${TMPDIR:-/tmp}/kvm-tcg.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
deb_log="$work/download.log"
# QEMU must not outlive us: it stays in our process group (timeout
# --foreground), which a test harness giving up signals as a whole, and a
# signal to this script alone is passed on.
boot_pid=""
trap '[ -n "$boot_pid" ] && kill "$boot_pid" 2>/dev/null; exit 143' TERM INT

skip() {
    echo "1..0 # SKIP $*"
    echo "kvm-in-tcg: skipped: $*" >&2
    exit 77
}

log() { echo "# $*"; }

is_root() { [ "$(id -u)" = 0 ]; }

apt_updated=no
apt_update_once() {
    [ $apt_updated = yes ] && return 0
    apt_updated=yes
    is_root && command -v apt-get >/dev/null 2>&1 &&
        apt-get update -qq >/dev/null 2>&1
}

# Install Debian packages when root and apt-get is there; else fail.
apt_install() {
    is_root && command -v apt-get >/dev/null 2>&1 || return 1
    log "installing $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "$@" >"$work/apt.log" 2>&1 && return 0
    apt_update_once &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends "$@" >"$work/apt.log" 2>&1
}

need_tools() {
    local missing=""

    [ "${qemu_cmd[0]}" = qemu-system-x86_64 ] &&
        ! command -v qemu-system-x86_64 >/dev/null 2>&1 &&
        missing="$missing qemu-system-x86"
    command -v busybox >/dev/null 2>&1 || missing="$missing busybox-static"
    command -v ldd >/dev/null 2>&1 || missing="$missing libc-bin"
    command -v gzip >/dev/null 2>&1 || missing="$missing gzip"
    [ -z "$missing" ] && return 0
    apt_install $missing ||
        skip "missing$missing (install them, or run as root)"
}

# --- kernel and modules -------------------------------------------------

# The module file called $2 (dashes and underscores are the same) under $1.
module_file() {
    local name=$2 alt
    alt=$(echo "$name" | tr _ -)
    name=$(echo "$name" | tr - _)
    find "$1" \( -name "$name.ko*" -o -name "$alt.ko*" \) -print -quit
}

# Field $2 of the .modinfo of module file $1 (uncompressed).
module_field() {
    tr '\0' '\n' <"$1" | sed -n "s/^$2=//p" | head -1
}

# Uncompressed copy of module $1 as $2.
module_copy() {
    case "$1" in
    *.ko) cp "$1" "$2" ;;
    *.ko.xz) xz -dc "$1" >"$2" ;;
    *.ko.zst) zstd -qdc "$1" >"$2" ;;
    *.ko.gz) gzip -dc "$1" >"$2" ;;
    *) return 1 ;;
    esac
}

# Put module $2 and what it depends on, from tree $1, into $3/modules in
# load order (dependencies first), listed in $3/load-order.
module_add() {
    local tree=$1 name=$2 out=$3 file dep tmp

    grep -qx "$name" "$out/load-order" 2>/dev/null && return 0
    file=$(module_file "$tree" "$name")
    [ -n "$file" ] || { echo "module $name not in the package" >&2; return 1; }
    tmp="$out/modules/$name.ko"
    module_copy "$file" "$tmp" || return 1
    for dep in $(module_field "$tmp" depends | tr , ' '); do
        module_add "$tree" "$dep" "$out" || return 1
    done
    echo "$name" >>"$out/load-order"
}

# Download package $1 and lay out $cache/$1/{vmlinuz,modules/,load-order}.
kernel_fetch() {
    local pkg=$1 dest="$cache/$1" dl="$work/dl" tree="$work/tree" deb

    rm -rf "$dl" "$tree" "$dest.new"
    mkdir -p "$dl" "$tree" "$dest.new/modules" || return 1
    log "downloading $pkg"
    deb_download "$dl" "$pkg" || return 1
    deb=$(ls "$dl"/*.deb 2>/dev/null | head -1)
    [ -n "$deb" ] || return 1
    dpkg-deb --fsys-tarfile "$deb" |
        tar -x -C "$tree" --wildcards './boot/vmlinuz-*' './lib/modules/*' \
            './usr/lib/modules/*' 2>/dev/null
    cp "$tree"/boot/vmlinuz-* "$dest.new/vmlinuz" 2>/dev/null || return 1
    module_add "$tree" kvm_amd "$dest.new" || return 1
    echo "$pkg" >"$dest.new/package"
    rm -rf "$dest" "$dl" "$tree"
    mv "$dest.new" "$dest"
    # Kernels the archive has since replaced are not needed any more.
    find "$cache" -mindepth 1 -maxdepth 1 -name 'linux-image-*' \
        ! -name "$pkg" -exec rm -rf {} +
}

# Sets kdir to a directory with vmlinuz, modules/ and load-order.
find_kernel() {
    local meta pkg

    if [ -n "${KVM_TCG_KERNEL_DIR:-}" ]; then
        kdir=$KVM_TCG_KERNEL_DIR
        [ -f "$kdir/vmlinuz" ] && [ -f "$kdir/load-order" ] ||
            skip "KVM_TCG_KERNEL_DIR=$kdir has no vmlinuz or load-order"
        return
    fi
    deb_have_apt || skip "no apt-get/dpkg-deb to fetch a Debian kernel" \
        "(or set KVM_TCG_KERNEL_DIR)"
    deb_use_release "$release" "$cache/apt" ||
        skip "cannot make a private apt configuration in $cache/apt"
    deb_update_if_old 7
    for meta in $kernel_metapkgs; do
        pkg=$(deb_depends_on "$meta" 'linux-image-[0-9].*')
        if [ -z "$pkg" ]; then
            deb_update
            pkg=$(deb_depends_on "$meta" 'linux-image-[0-9].*')
        fi
        [ -n "$pkg" ] || continue
        kdir="$cache/$pkg"
        [ -f "$kdir/load-order" ] && return
        kernel_fetch "$pkg" && return
        log "could not use $pkg: $(deb_error)"
    done
    # No package index or no network: use any kernel cached before.
    for kdir in "$cache"/linux-image-*; do
        [ -f "$kdir/load-order" ] && return
    done
    skip "no Debian $release kernel package with kvm-amd could be" \
        "downloaded"
}

# --- the QEMU that runs L1 ------------------------------------------------

# Sets qemu_cmd to trixie's qemu-system-x86_64 unpacked in directory $1,
# run by its own dynamic loader with its own libraries and firmware.
qemu_cmd_in() {
    local r=$1 ld bin="$1/usr/bin/qemu-system-x86_64"
    local libs="$1/usr/lib/x86_64-linux-gnu:$1/lib/x86_64-linux-gnu"

    for ld in "$r/usr/lib64/ld-linux-x86-64.so.2" \
              "$r/lib64/ld-linux-x86-64.so.2"; do
        [ -e "$ld" ] && break
    done
    [ -e "$ld" ] && [ -x "$bin" ] || return 1
    "$ld" --library-path "$libs" "$bin" --version >/dev/null \
        2>>"$deb_log" || return 1
    qemu_cmd=("$ld" --library-path "$libs" "$bin"
        -L "$r/usr/share/qemu" -L "$r/usr/share/seabios")
    # QEMU would look for loadable modules in the host's directory.
    export QEMU_MODULE_DIR="$r/usr/lib/x86_64-linux-gnu/qemu"
}

# Trixie's qemu-system-x86 and every library it needs, unpacked (not
# installed) into $trixie_cache/qemu-VERSION; sets qemu_cmd.
trixie_qemu() {
    local ver dest dl="$work/qemu-debs" pkgs

    deb_use_release trixie "$trixie_cache/apt" || return 1
    deb_update_if_old 7
    ver=$(deb_version qemu-system-x86 | sed "s/^[0-9]*://")
    dest="$trixie_cache/qemu-$ver"
    if [ -n "$ver" ] && ! qemu_cmd_in "$dest"; then
        log "downloading trixie's qemu-system-x86 $ver and its libraries"
        rm -rf "$dl" "$dest" "$dest.new"
        mapfile -t pkgs < <(deb_closure qemu-system-x86)
        [ ${#pkgs[@]} -gt 0 ] && mkdir -p "$dl" "$dest.new" &&
            deb_download "$dl" "${pkgs[@]}" &&
            deb_extract_all "$dl" "$dest.new" &&
            mv "$dest.new" "$dest" &&
            find "$trixie_cache" -mindepth 1 -maxdepth 1 -name 'qemu-*' \
                ! -name "qemu-$ver" -exec rm -rf {} +
        rm -rf "$dl" "$dest.new"
    fi
    qemu_cmd_in "$dest" && return 0
    # No package index or no network: use any QEMU unpacked before.
    for dest in "$trixie_cache"/qemu-*; do
        qemu_cmd_in "$dest" && return 0
    done
    return 1
}

# Sets qemu_cmd as KVM_TCG_QEMU says.
find_qemu() {
    case "$qemu_choice" in
    host)
        qemu_cmd=(qemu-system-x86_64)
        ;;
    trixie)
        deb_lock "$trixie_cache"
        trixie_qemu || skip "trixie's qemu-system-x86 could not be had:" \
            "$(deb_error)"
        deb_unlock
        ;;
    auto)
        deb_lock "$trixie_cache"
        if ! trixie_qemu; then
            log "trixie's QEMU could not be had, using the host's:" \
                "$(deb_error)"
            qemu_cmd=(qemu-system-x86_64)
        fi
        deb_unlock
        ;;
    */*)
        [ -x "$qemu_choice" ] || skip "KVM_TCG_QEMU=$qemu_choice: no program"
        qemu_cmd=("$qemu_choice")
        ;;
    *)
        echo "KVM_TCG_QEMU=$qemu_choice: host, trixie or a path" >&2
        exit 2
        ;;
    esac
}

# --- initramfs ------------------------------------------------------------

# Copy ELF file $1 to $root/$2 with the shared libraries it needs.
add_elf() {
    local lib

    mkdir -p "$root/$(dirname "$2")"
    cp -L "$1" "$root/$2" || return 1
    for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*'); do
        [ -e "$root$lib" ] && continue
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib" || return 1
    done
}

build_initramfs() {
    local t name m opts

    root="$work/root"
    mkdir -p "$root"/{bin,dev,proc,sys,tmp,tests,modules}
    add_elf "$(command -v busybox)" bin/busybox ||
        { echo "cannot copy busybox" >&2; return 1; }
    for t in "${tests[@]}"; do
        add_elf "$t" "tests/$(basename "$t")" ||
            { echo "cannot copy $t" >&2; return 1; }
    done
    cp "$kdir"/modules/*.ko "$root/modules/"
    {
        cat <<'EOF'
#!/bin/busybox sh
# Guest side of kvm-in-tcg.sh: load KVM, run the tests, power off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
cd /tmp
flags=$(grep -o -w -E "svm|npt|nrip_save" /proc/cpuinfo | sort -u)
echo "KVMTCG-CPUFLAGS" $flags
EOF
        while read -r m; do
            opts=""
            [ "$m" = kvm_amd ] && opts=$kvm_amd_opts
            echo "insmod /modules/$m.ko $opts 2>&1"
        done <"$kdir/load-order"
        cat <<'EOF'
for p in nested npt; do
    echo "KVMTCG-PARAM $p=$(cat /sys/module/kvm_amd/parameters/$p)"
done
dmesg | grep -i -E "kvm|svm" | sed "s/^/KVMTCG-DMESG /"
if [ -c /dev/kvm ]; then echo KVMTCG-KVM yes; else echo KVMTCG-KVM no; fi
EOF
        printf 'export QEMU_TRACE=%q\n' "${QEMU_TRACE:-}"
        for t in "${tests[@]}"; do
            name=$(basename "$t")
            echo "echo KVMTCG-BEGIN $name"
            echo "/tests/$name --tap 2>&1"
            echo "echo KVMTCG-EXIT $name \$?"
        done
        echo 'echo KVMTCG-DONE'
        echo 'poweroff -f'
    } >"$root/init"
    chmod +x "$root/init"
    (cd "$root" && find . | busybox cpio -o -H newc -R 0:0 2>/dev/null |
        gzip -1) >"$work/initrd.gz"
    # Archives appended to an initramfs add to (or replace) its files.
    if [ -n "${KVM_TCG_EXTRA_INITRD:-}" ]; then
        cat "$KVM_TCG_EXTRA_INITRD" >>"$work/initrd.gz" || return 1
    fi
}

# --- boot and report ----------------------------------------------------

boot() {
    local rc

    timeout --foreground -k 5 "$guest_timeout" "${qemu_cmd[@]}" \
        -accel tcg -cpu "$cpu" -m "$mem" -smp 1 \
        -nodefaults -no-user-config -display none -no-reboot \
        -serial "file:$work/console.log" \
        -kernel "$kdir/vmlinuz" -initrd "$work/initrd.gz" \
        -append "console=ttyS0 loglevel=1 panic=-1" \
        </dev/null >"$work/qemu.log" 2>&1 &
    boot_pid=$!
    if [ -n "${KVM_TCG_CONSOLE:-}" ]; then
        tail -F "$work/console.log" >"$KVM_TCG_CONSOLE" 2>/dev/null &
        tail_pid=$!
    fi
    wait "$boot_pid"
    rc=$?
    [ -n "${tail_pid:-}" ] && kill "$tail_pid" 2>/dev/null
    boot_pid=""
    return $rc
}

# Turn the console log into TAP on stdout; exit status 0 iff all passed.
report() {
    tr -d '\r' <"$work/console.log" | awk -v qemu_rc="$1" '
    function emit(ok, what) {
        n++
        if (!ok) bad++
        printf "%s %d - %s\n", ok ? "ok" : "not ok", n, what
    }
    function rest() { sub(/^[^ ]* */, ""); return $0 }
    /^KVMTCG-CPUFLAGS/ { print "# guest cpu flags: " rest(); next }
    /^KVMTCG-PARAM/ { print "# kvm_amd " $2; next }
    /^KVMTCG-DMESG/ { print "# dmesg: " rest(); next }
    /^KVMTCG-KVM/ { emit($2 == "yes", "/dev/kvm in the guest"); next }
    /^KVMTCG-BEGIN/ { prog = $2; inside = 1; results = 0; plan = -1; next }
    /^KVMTCG-EXIT/ {
        inside = 0
        if (plan >= 0 && results != plan)
            print "# " prog ": " results " results for a plan of " plan
        emit($3 == 0 && (plan < 0 || results == plan),
             prog " exited with status " $3)
        next
    }
    /^KVMTCG-DONE/ { done = 1; next }
    inside && /^1\.\.[0-9]+/ {
        plan = substr($1, 4) + 0
        print "# " prog ": " $0
        next
    }
    inside && /^(not )?ok [0-9]+/ {
        results++
        ok = ($1 == "ok")
        line = $0
        sub(/^(not )?ok [0-9]+ *-? */, "", line)
        if (ok && line ~ /# SKIP/) {
            reason = line
            sub(/^.*# SKIP */, "", reason)
            sub(/ *# SKIP.*$/, "", line)
            emit(0, prog " " line " (skipped in the guest: " reason ")")
        } else {
            emit(ok, prog " " line)
        }
        next
    }
    inside { print "# " prog ": " $0; next }
    /Kernel panic|BUG:|Oops|insmod:/ { print "# console: " $0 }
    END {
        if (!done) {
            emit(0, "guest finished (qemu exit status " qemu_rc ")")
        }
        printf "1..%d\n", n
        exit (bad > 0 || !done)
    }'
}

tests=("$@")
for t in "${tests[@]}"; do
    [ -x "$t" ] || { echo "not a test program: $t" >&2; exit 2; }
done
find_qemu
need_tools
deb_lock "$cache"
find_kernel
deb_unlock
modules=$(paste -sd ' ' "$kdir/load-order")
[ -n "$kvm_amd_opts" ] && modules="$modules (kvm_amd $kvm_amd_opts)"
log "kernel $(cat "$kdir/package" 2>/dev/null || echo "$kdir")," \
    "cpu $cpu, modules $modules"
log "L1 $("${qemu_cmd[@]}" --version 2>/dev/null | head -1)"
build_initramfs || exit 1
if [ -n "${KVM_TCG_INTERACTIVE:-}" ]; then
    # ^A x leaves QEMU; the pty is for a second shell in L1.
    "${qemu_cmd[@]}" -accel tcg -cpu "$cpu" -m "$mem" -smp 1 \
        -nodefaults -no-user-config -display none -no-reboot \
        -serial mon:stdio -serial pty \
        -kernel "$kdir/vmlinuz" -initrd "$work/initrd.gz" \
        -append "console=ttyS0 loglevel=1 panic=-1"
    exit $?
fi
start=$(date +%s)
boot
qemu_rc=$?
log "guest ran $(($(date +%s) - start)) s"
if [ ! -s "$work/console.log" ]; then
    sed 's/^/# qemu: /' "$work/qemu.log"
fi
report "$qemu_rc"
status=$?
if [ $status -ne 0 ]; then
    echo "# last lines of the guest console:"
    tr -d '\r' <"$work/console.log" | tail -30 | sed 's/^/#   /'
fi
exit $status
