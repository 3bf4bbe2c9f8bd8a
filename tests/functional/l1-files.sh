# Shell function (sourced, not run) that gathers host programs with their
# shared libraries into a directory tree for the nested L1's initramfs
# (kvm-in-tcg.sh's KVM_TCG_EXTRA_INITRD): the libraries keep the host's
# paths, so the programs run there as they do here.
#
# SPDX-License-Identifier: GPL-2.0-or-later

# l1_add_prog ROOT PATH NAME: PATH as ROOT/xenkvm/bin/NAME, its libraries
# under ROOT at their own paths.
l1_add_prog() {
    local root=$1 lib
    mkdir -p "$root/xenkvm/bin" || return 1
    cp -L "$2" "$root/xenkvm/bin/$3" || return 1
    for lib in $(ldd "$2" 2>/dev/null | grep -o '/[^ ]*'); do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib" || return 1
    done
}
