# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared by the shell functional tests (sourced): TAP output, a private
# temporary directory, qemu-xenstored servers that are always killed at
# exit, and bounded waits instead of fixed sleeps.
#
# QEMU_XENSTORED names the program (meson's test environment sets it).

set -u
: "${QEMU_XENSTORED:?QEMU_XENSTORED must name the qemu-xenstored binary}"
export LC_ALL=C

T=$(mktemp -d "${TMPDIR:-/tmp}/xsd-test.XXXXXX") || exit 1
server_pids=""
tap_n=0
tap_failed=0

cleanup() {
    for p in $server_pids; do
        kill -KILL "$p" 2>/dev/null
    done
    wait 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() {
    tap_n=$((tap_n + 1))
    tap_failed=$((tap_failed + 1))
    echo "not ok $tap_n - $*"
}

# check DESCRIPTION COMMAND...: one test point, passing if COMMAND does.
check() {
    local desc=$1
    shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# check_eq DESCRIPTION GOT WANT
check_eq() {
    if [ "$2" = "$3" ]; then
        ok "$1"
    else
        not_ok "$1"
        printf '#   got:  %s\n#   want: %s\n' "$2" "$3" | sed '3,$s/^/#   /'
    fi
}

# check_fails DESCRIPTION COMMAND...: passes if COMMAND exits non-zero.
check_fails() {
    local desc=$1
    shift
    if "$@"; then not_ok "$desc"; else ok "$desc"; fi
}

finish() {
    echo "1..$tap_n"
    [ "$tap_failed" -eq 0 ]
    exit $?
}

# wait_for SECONDS COMMAND...: poll COMMAND until it succeeds, at most
# SECONDS.  The readiness check is the point; the interval only paces it.
wait_for() {
    local deadline=$(( $(date +%s%N) / 1000000 + $1 * 1000 ))
    shift
    until "$@"; do
        if [ $(( $(date +%s%N) / 1000000 )) -ge "$deadline" ]; then
            return 1
        fi
        sleep 0.02
    done
}

# Has process $1 exited (gone, or a zombie waiting for us)?
exited() {
    [ ! -e "/proc/$1/stat" ] ||
        [ "$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

# start_server NAME SOCKET [ARGS...]: run qemu-xenstored in the
# background with output in $T/NAME.out and $T/NAME.err; wait until it
# said it is listening.  Sets $server_pid.  Fails if it did not start.
start_server() {
    local name=$1 sock=$2
    shift 2
    "$QEMU_XENSTORED" --socket "$sock" "$@" \
        >"$T/$name.out" 2>"$T/$name.err" &
    server_pid=$!
    server_pids="$server_pids $server_pid"
    if ! wait_for 20 grep -q '^XENSTORED_PATH=' "$T/$name.out"; then
        echo "# $name did not start:" >&2
        sed 's/^/# /' "$T/$name.err" >&2
        return 1
    fi
    [ -S "$sock" ]
}

# stop_server PID [SIGNAL]: signal it (TERM by default), wait at most
# 20 s for it to exit; returns its exit status (or 124 on timeout).
stop_server() {
    kill "-${2:-TERM}" "$1" 2>/dev/null
    if ! wait_for 20 exited "$1"; then
        kill -KILL "$1" 2>/dev/null
        wait "$1" 2>/dev/null
        return 124
    fi
    wait "$1"
}

# xs TOOL ARGS...: one of Xen's tools, bounded in time.
xs() {
    timeout 20 "$@"
}
