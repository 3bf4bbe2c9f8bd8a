#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest kit's XenStore client (tests/guest/xs-guest-prog.c) on the
# host, against qemu-xenstored's socket instead of /dev/xen/xenbus: every
# command, a watch fired by Xen's xenstore-write, load commands with a
# concurrent client, and replies from a broken server it must reject.
. "$(dirname "$0")/functional-lib.sh"
: "${XS_GUEST_PROG:?XS_GUEST_PROG must name xs-guest-prog}"

sock=$T/xenstored.sock
export XENSTORED_PATH=$sock
g() { timeout 20 "$XS_GUEST_PROG" --socket "$sock" "$@"; }
gq() { g "$@" >/dev/null 2>&1; }

if ! start_server main "$sock" --domid 3 --name vm3; then
    not_ok "qemu-xenstored starts"
    finish
fi
ok "qemu-xenstored starts"

# read / write / ls / mkdir / rm
check "write" g write /t/a hello
check_eq "read" "$(g read /t/a)" hello
check_eq "Xen's xenstore-read agrees" "$(xs xenstore-read /t/a)" hello
check_eq "read of a node Xen's tool wrote" "$(xs xenstore-write /t/b 'x y' &&
    g read /t/b)" "x y"
check_eq "read of a missing node" "$(g read /t/none)" "error: ENOENT"
check_fails "which exits non-zero" gq read /t/none
check "mkdir" g mkdir /t/d
check_eq "ls" "$(g ls /t)" "a
b
d"
check_eq "ls of an empty directory" "$(g ls /t/d)" ""
check "rm" g rm /t/b
check_eq "ls after rm" "$(g ls /t | tr '\n' ' ')" "a d "
check_fails "xenstore-exists: it is gone" xs xenstore-exists /t/b
check_eq "rm of a missing node" "$(g rm /t/b/c)" "error: ENOENT"

# setperms / getperms
check "setperms" g setperms /t/a n0 r3 w5
check_eq "getperms" "$(g getperms /t/a)" "n0 r3 w5"
check_eq "xenstore-ls -p agrees" \
    "$(xs xenstore-ls -p /t | grep '^a ' | sed 's/.*(\(.*\))/\1/')" n0,r3,w5
check_eq "setperms with a bad permission" "$(g setperms /t/a q7)" \
    "error: EINVAL"
check_eq "getperms of the guest's home" "$(g getperms /local/domain/3)" \
    "n0 r3"

# a transaction
check_eq "txn-test" "$(g txn-test /t/txn)" ok
check "its nodes are there after" xs xenstore-exists /t/txn/a /t/txn/b
check_eq "txn-test again (nodes exist already)" "$(g txn-test /t/txn)" ok

# watch, fired by another client
g watch /w tok 20 >"$T/watch.out" 2>&1 &
watch_pid=$!
if wait_for 20 grep -qx "watching /w" "$T/watch.out"; then
    ok "watch is set (initial event skipped)"
else
    not_ok "watch is set (initial event skipped)"
fi
xs xenstore-write /other 1 /w/x/y 2 >/dev/null
wait "$watch_pid"
check_eq "watch exits 0 on the event" "$?" 0
check_eq "it names the changed path and the token" \
    "$(sed 1d "$T/watch.out")" "event /w/x/y tok"
g watch /quiet tok 1 >"$T/watch2.out" 2>&1 &
watch_pid=$!
wait_for 20 grep -qx "watching /quiet" "$T/watch2.out"
xs xenstore-write /quietly 1 >/dev/null
wait "$watch_pid"
check_eq "watch times out (exit 1) without an event below it" "$?" 1
check_eq "and says so" "$(sed 1d "$T/watch2.out")" timeout

# load
rtt=$(g rtt 1000 /t/rtt)
check "rtt 1000 prints its JSON line" grep -qE \
    '^\{"reads":1000,"seconds":[0-9.]+,"reads_per_sec":[0-9.]+\}$' <<<"$rtt"
echo "# $rtt"
check_eq "rtt left a 32-byte value" "$(g read /t/rtt | wc -c)" 33

g spam 2 /t/spam >"$T/spam.out" 2>&1 &
spam_pid=$!
sleep 0.5
check_eq "a concurrent xenstore-read is served during spam" \
    "$(xs xenstore-read /local/domain/3/name)" vm3
check "spam was still running then" test ! -s "$T/spam.out"
wait "$spam_pid"
check_eq "spam exits 0" "$?" 0
check "spam prints its counts, no errors" grep -qE \
    '^\{"seconds":[0-9.]+,"requests":([0-9]+),"replies":\1,"errors":0\}$' \
    "$T/spam.out"
echo "# $(cat "$T/spam.out")"

# A broken server: each reply below must be refused (exit 3), not used.
bad_server() { # MODE: serve one connection on $T/bad.sock, wrongly
    python3 - "$T/bad.sock" "$1" <<'PY' &
import socket, struct, sys
path, mode = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(1)
c, _ = s.accept()
typ, req, tx, ln = struct.unpack("<4I", c.recv(16))
c.recv(ln)
if mode == "long":
    c.sendall(struct.pack("<4I", typ, req, tx, 5000) + b"x" * 5000)
elif mode == "req_id":
    c.sendall(struct.pack("<4I", typ, req + 1, tx, 3) + b"hi\0")
elif mode == "type":
    c.sendall(struct.pack("<4I", 1, req, tx, 3) + b"hi\0")
elif mode == "error":
    c.sendall(struct.pack("<4I", 16, req, tx, 4) + b"a b\0")
elif mode == "cut":
    c.sendall(struct.pack("<4I", typ, req, tx, 100) + b"short")
c.close()
PY
    server_pids="$server_pids $!"
    wait_for 20 test -S "$T/bad.sock"
}
for mode in long req_id type error cut; do
    rm -f "$T/bad.sock"
    bad_server $mode
    timeout 20 "$XS_GUEST_PROG" --socket "$T/bad.sock" read /x \
        >"$T/bad.out" 2>&1
    rc=$?
    check_eq "broken reply ($mode) is a protocol error" \
        "$rc $(head -1 "$T/bad.out" | cut -c1-40 | cut -d: -f1-2)" "3 error: protocol"
done

check_fails "an unknown command is a usage error" gq frobnicate /x
finish
