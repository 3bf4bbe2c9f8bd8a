# Shell functions (sourced, not run) that fetch Debian packages of any
# release into a cache and unpack them, without installing anything and
# without touching the host's apt configuration.
#
# SPDX-License-Identifier: GPL-2.0-or-later
#
# deb_use_release RELEASE DIR picks where packages come from: "host" is
# the host's own apt sources (updated only when running as root); any
# other name is that Debian release through a private apt configuration
# in DIR (sources.list, package lists, apt's cache), which works without
# root. The other functions then use it. Their diagnostics go to the file
# $deb_log. Environment: DEBIAN_MIRROR (default
# http://deb.debian.org/debian).

deb_log=/dev/null
deb_release=host
deb_dir=""
deb_apt_opts=()
deb_updated=no

deb_use_release() { # release, directory for its private configuration
    local keyring=/usr/share/keyrings/debian-archive-keyring.gpg opt=""
    local d=$2

    # Lists refreshed in this run stay so for the same configuration.
    [ "$1" = "$deb_release" ] && [ "$d" = "$deb_dir" ] || deb_updated=no
    deb_release=$1
    deb_dir=$d
    deb_apt_opts=()
    [ "$1" = host ] && return 0
    mkdir -p "$d/lists/partial" "$d/cache/archives/partial" || return 1
    [ -f "$keyring" ] && opt="[signed-by=$keyring] "
    echo "deb $opt${DEBIAN_MIRROR:-http://deb.debian.org/debian} $1 main" \
        >"$d/sources.list"
    [ -f "$d/status" ] || : >"$d/status"
    # An empty dpkg status: the host's installed packages play no part.
    # The host may disable apt's binary cache; ours is private, keep it.
    deb_apt_opts=(-o "Dir::Etc::sourcelist=$d/sources.list"
        -o Dir::Etc::sourceparts=/dev/null
        -o Dir::Etc::preferences=/dev/null
        -o Dir::Etc::preferencesparts=/dev/null
        -o "Dir::State::Lists=$d/lists"
        -o "Dir::State::status=$d/status"
        -o "Dir::Cache=$d/cache"
        -o Dir::Cache::pkgcache=pkgcache.bin
        -o Dir::Cache::srcpkgcache=)
}

deb_have_apt() {
    command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1
}

# Refresh the package lists, at most once per run.
deb_update() {
    [ $deb_updated = yes ] && return 0
    deb_updated=yes
    deb_have_apt || return 1
    [ $deb_release != host ] || [ "$(id -u)" = 0 ] || return 1
    apt-get "${deb_apt_opts[@]}" -q update >>"$deb_log" 2>&1
}

# Refresh the private lists when missing or older than $1 days; keep
# old lists when that fails (offline).
deb_update_if_old() {
    local fresh

    [ $deb_release = host ] && return 0
    fresh=$(find "$deb_dir/lists" -maxdepth 1 -name '*_Packages*' \
        -mtime "-$1" 2>/dev/null)
    [ -n "$fresh" ] || deb_update
}

deb_cache_cmd() { apt-cache "${deb_apt_opts[@]}" "$@" 2>>"$deb_log"; }

# The first package matching $2 (an extended regex) that package $1
# depends on: the versioned package a metapackage stands for.
deb_depends_on() {
    deb_cache_cmd depends "$1" |
        sed -n 's/^ *Depends: \([^ <>]*\)$/\1/p' | grep -E -m1 "^($2)\$"
}

# The version apt would fetch of package $1.
deb_version() {
    deb_cache_cmd policy "$1" | sed -n 's/^ *Candidate: //p' |
        grep -v -x '(none)'
}

# Every package an installation of $1 (without recommends) pulls into an
# empty system, itself included: what its programs need to run.
deb_closure() {
    apt-get "${deb_apt_opts[@]}" -s install --no-install-recommends "$@" \
        2>>"$deb_log" | sed -n 's/^Inst \([^ ]*\) .*/\1/p'
}

# Download packages $2... into directory $1, refreshing the lists once
# if that fails (the archive has moved on).
deb_download() {
    local dir=$1

    shift
    deb_have_apt || return 1
    (cd "$dir" && apt-get "${deb_apt_opts[@]}" -q download "$@") \
        >>"$deb_log" 2>&1 && return 0
    deb_update &&
        (cd "$dir" && apt-get "${deb_apt_opts[@]}" -q download "$@") \
            >>"$deb_log" 2>&1
}

# Unpack every .deb in directory $1 into directory $2.
deb_extract_all() {
    local deb

    for deb in "$1"/*.deb; do
        [ -f "$deb" ] || return 1
        dpkg-deb -x "$deb" "$2" 2>>"$deb_log" || return 1
    done
}

# The first error in $deb_log, else its last line: why a fetch failed.
deb_error() {
    grep -m1 -E '^(E:|W: Failed to fetch)' "$deb_log" 2>/dev/null ||
        tail -1 "$deb_log" 2>/dev/null
}

# Serialise filling cache directory $1 between concurrent runs (file
# descriptor 9); deb_unlock ends it.
deb_lock() {
    mkdir -p "$1" || return 1
    command -v flock >/dev/null 2>&1 || return 0
    exec 9>"$1/.lock" && flock -w 900 9
}

deb_unlock() { exec 9>&-; }
