#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Xen's own command-line tools (Debian's xenstore-utils) against
# qemu-xenstored through XENSTORED_PATH: write, read, ls -p, chmod,
# exists, list, rm, and xenstore-watch seeing another client's writes.
. "$(dirname "$0")/functional-lib.sh"

sock=$T/xenstored.sock
export XENSTORED_PATH=$sock

if ! start_server main "$sock" --domid 3 --name vm3 --memory 1G; then
    not_ok "qemu-xenstored starts"
    finish
fi
ok "qemu-xenstored starts"
check_eq "it prints how to point the tools at it" \
    "$(cat "$T/main.out")" "XENSTORED_PATH=$sock xenstore-ls"

# The guest's default nodes, from --domid, --name and --memory.
check_eq "guest name" "$(xs xenstore-read /local/domain/3/name)" vm3
check_eq "guest domid" "$(xs xenstore-read /local/domain/3/domid)" 3
check_eq "guest memory/target in KiB" \
    "$(xs xenstore-read /local/domain/3/memory/target)" 1048576
check_eq "the guest owns its device directory" \
    "$(xs xenstore-ls -p /local/domain/3 | grep '^device ' |
       sed 's/.*(\(.*\))/\1/')" n3

# write / read
check "write two nodes" xs xenstore-write /t/a hello /t/b "two words"
check_eq "read one" "$(xs xenstore-read /t/a)" hello
check_eq "read two at once" "$(xs xenstore-read /t/a /t/b)" \
    "hello
two words"
long=$(head -c 3000 /dev/zero | tr '\0' x)
check "write a 3000-byte value" xs xenstore-write /t/long "$long"
check_eq "read it back whole" "$(xs xenstore-read /t/long)" "$long"
check_fails "read of a missing node fails" xs xenstore-read /t/missing
check_fails "write to an invalid path fails" xs xenstore-write '/t/bad path' x

# list / ls -p
check_eq "list children in order" "$(xs xenstore-list /t)" "a
b
long"
check "ls -p shows values and permissions" \
    grep -qx 'a = "hello"[ .]*(n0)' <(xs xenstore-ls -p /t)

# chmod
check "chmod to owner 0, r for 5, w for 6" \
    xs xenstore-chmod /t/a n0 r5 w6
check_eq "ls -p shows the new permissions" \
    "$(xs xenstore-ls -p /t | grep '^a ' | sed 's/.*(\(.*\))/\1/')" n0,r5,w6
check "chmod -r applies to a subtree" xs xenstore-chmod -r /t b0
check_eq "every node of the subtree changed" \
    "$(xs xenstore-ls -p /t | sed 's/.*(\(.*\))/\1/' | sort -u)" b0
check_fails "chmod with a bad permission fails" xs xenstore-chmod /t/a z9

# exists
check "exists: a present node" xs xenstore-exists /t/a
check_fails "exists: a missing node" xs xenstore-exists /t/nope

# rm
check "rm a node" xs xenstore-rm /t/a
check_fails "it is gone" xs xenstore-exists /t/a
check_eq "its sibling stays" "$(xs xenstore-list /t)" "b
long"
check "rm a subtree" xs xenstore-rm /t
check_fails "the subtree is gone" xs xenstore-exists /t/b

# xenstore-watch sees the writes of another client.  The watch prints
# its path once registered; wait for that, then change things.
xs xenstore-watch -n 5 /w >"$T/watch.out" 2>"$T/watch.err" &
watch_pid=$!
if wait_for 20 grep -qx /w "$T/watch.out"; then
    ok "xenstore-watch registers (initial event)"
else
    not_ok "xenstore-watch registers (initial event)"
fi
xs xenstore-write /w/a 1 >/dev/null
xs xenstore-write /w/b/c 2 >/dev/null
xs xenstore-write /other 3 >/dev/null
xs xenstore-rm /w/a >/dev/null
xs xenstore-chmod /w/b n0 >/dev/null
if wait_for 20 exited "$watch_pid"; then
    wait "$watch_pid"
    check_eq "xenstore-watch exits after its 5 events" $? 0
else
    not_ok "xenstore-watch exits after its 5 events"
fi
check_eq "events: initial, each write, rm and chmod under /w, in order" \
    "$(cat "$T/watch.out")" "/w
/w/a
/w/b/c
/w/a
/w/b"

# The server is still fine and exits cleanly, removing its socket.
stop_server "$server_pid"
check_eq "SIGTERM: exit status 0" $? 0
check_fails "the socket file is removed" test -e "$sock"
finish
