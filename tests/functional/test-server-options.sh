#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# qemu-xenstored's command line and socket rules: --help, --version, bad
# options, how the socket path is chosen, its mode, never clobbering a
# live server, replacing a stale file, clean exit on signals, --quota,
# --trace, and a protocol violation closing only that client.
. "$(dirname "$0")/functional-lib.sh"

raw() { timeout 20 "${XS_RAW:?XS_RAW must name the xs-raw helper}" "$@"; }
XS_GET_QUOTA=25

# --help and --version
timeout 20 "$QEMU_XENSTORED" --help >"$T/help.out"
check_eq "--help exits 0" $? 0
check "--help lists the options" \
    grep -q -- '--socket=PATH' "$T/help.out"
check "--help names the tools' variable" grep -q XENSTORED_PATH "$T/help.out"
check "--version prints a version" \
    grep -qx 'qemu-xenstored [0-9][0-9.]*' <("$QEMU_XENSTORED" --version)

# The manual page documents every option --help lists, and renders.
man_page=$(dirname "$0")/../../docs/system/qemu-xenstored.1
for opt in $(grep -o -- '--[a-z][a-z-]*' "$T/help.out" | sort -u); do
    check "the manual page documents $opt" \
        grep -qF -- "\\-\\-${opt#--}" "$man_page"
done
if command -v groff >/dev/null 2>&1; then
    check_eq "the manual page renders without warnings" \
        "$(groff -man -Tutf8 -ww -z "$man_page" 2>&1)" ""
fi

# Bad command lines: an error naming the problem, exit 1, no socket.
bad() { # DESCRIPTION EXPECTED-MESSAGE ARGS...
    local desc=$1 msg=$2
    shift 2
    timeout 20 "$QEMU_XENSTORED" --socket "$T/bad.sock" "$@" \
        >/dev/null 2>"$T/bad.err"
    local status=$?
    if [ "$status" -eq 1 ] && grep -q -- "$msg" "$T/bad.err" &&
       [ ! -e "$T/bad.sock" ]; then
        ok "$desc"
    else
        not_ok "$desc (status $status)"
        sed 's/^/#   /' "$T/bad.err"
    fi
}
bad "unknown quota name" "unknown quota 'bogus'" --quota bogus=1
bad "quota value not a number" "'ten' is not a number" --quota nodes=ten
bad "quota value negative" "is not a number" --quota nodes=-1
bad "quota without a value" "want name=value" --quota nodes
bad "domid 0 is the host" "want 1 to" --domid 0
bad "domid in the reserved range" "want 1 to" --domid 32752
bad "memory below 1 MiB" "--memory '512K'" --memory 512K
bad "memory not a size" "--memory 'lots'" --memory lots
bad "trace pattern matching nothing" "matches no trace event" \
    --trace 'no_such_event_*'
bad "unknown option" "see --help" --frobnicate
bad "stray argument" "unexpected argument 'extra'" extra
bad "--load of a missing file" "cannot read the state" --load "$T/none"
bad "--save into a missing directory" "cannot write in" \
    --save "$T/no/such/dir/state"
bad "a socket path longer than a socket address holds" "must have 1 to" \
    --socket "$T/$(head -c 120 /dev/zero | tr '\0' s)"
bad "a socket in a missing directory" "cannot bind" \
    --socket "$T/no/such/dir/sock"

# Where the socket goes: --socket, else $XENSTORED_PATH, else
# $XENSTORED_RUNDIR/socket.
mkdir "$T/rundir"
run_until_ready() { # NAME DIR ENV-SETTINGS... -- ARGS...
    local name=$1 dir=$2 envs=()
    shift 2
    while [ "$1" != -- ]; do
        envs+=("$1")
        shift
    done
    shift
    (cd "$dir" && exec env "${envs[@]}" "$QEMU_XENSTORED" "$@") \
        >"$T/$name.out" 2>"$T/$name.err" &
    server_pid=$!
    server_pids="$server_pids $server_pid"
    wait_for 20 grep -q '^XENSTORED_PATH=' "$T/$name.out"
}
run_until_ready env1 / XENSTORED_PATH="$T/from-env.sock" \
    XENSTORED_RUNDIR="$T/rundir" --
check_eq "\$XENSTORED_PATH is used, before \$XENSTORED_RUNDIR" \
    "$(cat "$T/env1.out")" "XENSTORED_PATH=$T/from-env.sock xenstore-ls"
check "  and the socket is there" test -S "$T/from-env.sock"
stop_server "$server_pid"
run_until_ready env2 / -u XENSTORED_PATH XENSTORED_RUNDIR="$T/rundir" --
check_eq "else \$XENSTORED_RUNDIR/socket" \
    "$(cat "$T/env2.out")" "XENSTORED_PATH=$T/rundir/socket xenstore-ls"
stop_server "$server_pid"
run_until_ready env3 / XENSTORED_PATH="$T/from-env.sock" -- \
    --socket "$T/opt.sock"
check_eq "--socket wins over the environment" \
    "$(cat "$T/env3.out")" "XENSTORED_PATH=$T/opt.sock xenstore-ls"
stop_server "$server_pid"
run_until_ready rel "$T" -- --socket rel.sock
check_eq "a relative --socket is printed absolute" \
    "$(cat "$T/rel.out")" "XENSTORED_PATH=$T/rel.sock xenstore-ls"
stop_server "$server_pid"
check "the default socket is under the build directory" \
    grep -q '/run/qemu-xenstored.sock' "$T/help.out"

# Mode 0600 whatever the umask.
sock=$T/main.sock
export XENSTORED_PATH=$sock
old_umask=$(umask)
umask 000
start_server main "$sock"
main_pid=$server_pid
umask "$old_umask"
check_eq "the socket has mode 0600 even with umask 000" \
    "$(stat -c %a "$sock")" 600
check "the tools reach it" xs xenstore-write /alive yes

# A live server is never clobbered.
"$QEMU_XENSTORED" --socket "$sock" >"$T/second.out" 2>"$T/second.err" &
second=$!
server_pids="$server_pids $second"
wait_for 20 exited "$second"
wait "$second"
check_eq "a second server on a live socket exits 1" $? 1
check "  saying why" grep -q "another server is listening on $sock" \
    "$T/second.err"
check_eq "  and the first still answers" "$(xs xenstore-read /alive)" yes

# A protocol violation closes that connection only.
check_eq "a header with len > 4096 gets the connection closed" \
    "$(raw "$sock" --oversized)" closed
check_eq "  and the server still answers" "$(xs xenstore-read /alive)" yes

# A server killed without cleanup leaves a stale file: it is replaced.
stop_server "$main_pid" KILL
check "SIGKILL leaves the socket file behind" test -S "$sock"
start_server stale "$sock"
check "a new server replaces the stale socket" test -S "$sock"
check_fails "  and the old node is gone (a fresh store)" \
    xs xenstore-exists /alive
stop_server "$server_pid" INT
check_eq "SIGINT: exit status 0" $? 0
check_fails "SIGINT: the socket file is removed" test -e "$sock"

# Something that is not a socket is left alone.
echo precious >"$T/file"
bad "a regular file at the socket path is refused" \
    "exists and is not a socket" --socket "$T/file"
check_eq "  and left alone" "$(cat "$T/file")" precious

# --quota sets the defaults every guest gets; GET_QUOTA shows them.
start_server quota "$sock" --quota nodes=77 --quota outstanding=9
check_eq "--quota nodes=77" "$(raw "$sock" $XS_GET_QUOTA nodes)" "25 77|"
check_eq "--quota outstanding=9" \
    "$(raw "$sock" $XS_GET_QUOTA outstanding)" "25 9|"
check_eq "a quota not given keeps its default" \
    "$(raw "$sock" $XS_GET_QUOTA watches)" "25 128|"
check_eq "the guest domain gets the default" \
    "$(raw "$sock" $XS_GET_QUOTA 1 nodes)" "25 77|"
stop_server "$server_pid"

# --trace turns on the server's trace points (on stderr).
start_server trace "$sock" --trace 'xenstored_*'
xs xenstore-read /local/domain/1/name >/dev/null
raw "$sock" --oversized >/dev/null
stop_server "$server_pid"
check "--trace: listen is traced" grep -q 'xenstored_listen' "$T/trace.err"
check "--trace: accept is traced" grep -q 'xenstored_accept' "$T/trace.err"
check "--trace: close is traced" grep -q 'xenstored_close' "$T/trace.err"
check "--trace: a protocol error is traced" \
    grep -q 'xenstored_protocol_error' "$T/trace.err"
check_fails "--trace: other events stay off" \
    grep -q 'xenstore_impl_read' "$T/trace.err"
finish
