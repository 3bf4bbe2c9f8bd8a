#!/bin/bash
# Runs the KVM test programs on a host without /dev/kvm: boots a Debian
# kernel under QEMU's software emulation (TCG) with an AMD SVM CPU, loads
# kvm_amd inside that guest and runs each program there with --tap.
#
# SPDX-License-Identifier: GPL-2.0-or-later
#
# usage: kvm-in-tcg.sh [--cache DIR] TEST-PROGRAM...
#
# Prints TAP. Exits 0 when every test inside the guest passed, 77 when
# QEMU, busybox or a kernel with kvm-amd cannot be had here, 1 otherwise.
# A test that skips inside the guest counts as failed: there, KVM is
# supposed to work.
#
# Environment:
#   KVM_TCG_CPU          QEMU -cpu model (default "max"; "EPYC" and
#                        "qemu64,+svm,+npt" work too)
#   KVM_TCG_KVM_AMD_OPTS options for kvm-amd.ko (default none: nested=1,
#                        npt when the CPU has it; "npt=0" forces shadow
#                        paging)
#   KVM_TCG_TIMEOUT      seconds the guest may run (default 480)
#   KVM_TCG_KERNEL_DIR   a directory with vmlinuz and modules/ laid out as
#                        in the cache, instead of a Debian package
#   QEMU_TRACE           passed to the test programs inside the guest
set -u

cache="${XDG_CACHE_HOME:-$HOME/.cache}/qemu-xenstore/kvm-tcg"
if [ "${1:-}" = "--cache" ]; then
    cache=$2
    shift 2
fi
if [ $# -eq 0 ]; then
    echo "usage: $0 [--cache DIR] TEST-PROGRAM..." >&2
    exit 2
fi

cpu=${KVM_TCG_CPU:-max}
kvm_amd_opts=${KVM_TCG_KVM_AMD_OPTS:-}
guest_timeout=${KVM_TCG_TIMEOUT:-480}
# Debian kernel packages to try, smallest first; both build kvm-amd.
kernel_metapkgs="linux-image-cloud-amd64 linux-image-amd64"

work=$(mktemp -d "${TMPDIR:-/tmp}/kvm-tcg.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
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

    command -v qemu-system-x86_64 >/dev/null 2>&1 ||
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

# The versioned kernel package a metapackage currently stands for.
kernel_pkg_of() {
    apt-cache depends "$1" 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -1
}

download_into() { # directory, package
    (cd "$1" && apt-get download "$2") >"$work/download.log" 2>&1
}

# Download package $1 and lay out $cache/$1/{vmlinuz,modules/,load-order}.
kernel_fetch() {
    local pkg=$1 dest="$cache/$1" dl="$work/dl" tree="$work/tree" deb

    rm -rf "$dl" "$tree" "$dest.new"
    mkdir -p "$dl" "$tree" "$dest.new/modules" || return 1
    log "downloading $pkg"
    download_into "$dl" "$pkg" || { apt_update_once &&
        download_into "$dl" "$pkg"; } || return 1
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
    if ! command -v apt-get >/dev/null 2>&1 ||
        ! command -v dpkg-deb >/dev/null 2>&1; then
        skip "no apt-get/dpkg-deb to fetch a Debian kernel" \
            "(or set KVM_TCG_KERNEL_DIR)"
    fi
    for meta in $kernel_metapkgs; do
        pkg=$(kernel_pkg_of "$meta")
        if [ -z "$pkg" ]; then
            apt_update_once
            pkg=$(kernel_pkg_of "$meta")
        fi
        [ -n "$pkg" ] || continue
        kdir="$cache/$pkg"
        [ -f "$kdir/load-order" ] && return
        kernel_fetch "$pkg" && return
        log "could not use $pkg: $(tail -1 "$work/download.log" 2>/dev/null)"
    done
    # No package index or no network: use any kernel cached before.
    for kdir in "$cache"/linux-image-*; do
        [ -f "$kdir/load-order" ] && return
    done
    skip "no Debian kernel package with kvm-amd could be downloaded"
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
}

# --- boot and report ----------------------------------------------------

boot() {
    local rc

    timeout --foreground -k 5 "$guest_timeout" qemu-system-x86_64 \
        -accel tcg -cpu "$cpu" -m 1G -smp 1 \
        -nodefaults -no-user-config -display none -no-reboot \
        -serial "file:$work/console.log" \
        -kernel "$kdir/vmlinuz" -initrd "$work/initrd.gz" \
        -append "console=ttyS0 loglevel=1 panic=-1" \
        </dev/null >"$work/qemu.log" 2>&1 &
    boot_pid=$!
    wait "$boot_pid"
    rc=$?
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
need_tools
find_kernel
modules=$(paste -sd ' ' "$kdir/load-order")
[ -n "$kvm_amd_opts" ] && modules="$modules (kvm_amd $kvm_amd_opts)"
log "kernel $(cat "$kdir/package" 2>/dev/null || echo "$kdir")," \
    "cpu $cpu, modules $modules"
build_initramfs || exit 1
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
