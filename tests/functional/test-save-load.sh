#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# qemu-xenstored --save / --load: the tools see the same tree, with the
# same permissions, after a restart; SIGUSR1 saves while running; the
# file is replaced atomically; damaged or foreign files are refused.
. "$(dirname "$0")/functional-lib.sh"

sock=$T/xenstored.sock
state=$T/state/xenstore.state
export XENSTORED_PATH=$sock
mkdir "$T/state"

# A tree with values, odd permissions, the guest's nodes changed.
start_server first "$sock" --save "$state" --domid 4 --name saved-vm \
    --trace 'xenstored_save'
xs xenstore-write /tool/a 1 /tool/b/c "two words" /local/domain/4/data/x y
xs xenstore-chmod /tool/a n4 r0 w7
xs xenstore-chmod /tool/b b2
xs xenstore-rm /local/domain/4/error
xs xenstore-ls -p / >"$T/before.ls"
check "the tree was built" grep -q '^  c = "two words"' "$T/before.ls"
stop_server "$server_pid"
check_eq "exit with --save: status 0" $? 0
check "the save is traced" grep -q "xenstored_save path $state" \
    "$T/first.err"
check "the state file was written" test -s "$state"
check_eq "  owner-only" "$(stat -c %a "$state")" 600
check_eq "  and no temporary file is left beside it" \
    "$(ls "$T/state")" xenstore.state

start_server second "$sock" --load "$state" --domid 4 --trace 'xenstored_load'
check "--load is traced" grep -q "xenstored_load path $state" "$T/second.err"
xs xenstore-ls -p / >"$T/after.ls"
check "--load: xenstore-ls -p shows the same tree and permissions" \
    cmp -s "$T/before.ls" "$T/after.ls"
if ! cmp -s "$T/before.ls" "$T/after.ls"; then
    diff "$T/before.ls" "$T/after.ls" | sed 's/^/#   /'
fi
check_eq "  the loaded guest name" \
    "$(xs xenstore-read /local/domain/4/name)" saved-vm
check_fails "  a removed node stays removed" \
    xs xenstore-exists /local/domain/4/error
check "  and the store takes writes" xs xenstore-write /tool/new z
stop_server "$server_pid"

# Quotas given with --load replace the loaded ones.
start_server quota "$sock" --load "$state" --domid 4 --quota nodes=55
check_eq "--quota with --load: the command line wins" \
    "$("$XS_RAW" "$sock" 25 nodes)" "25 55|"
check_eq "  the others keep their loaded values" \
    "$("$XS_RAW" "$sock" 25 watches)" "25 128|"
stop_server "$server_pid"

# SIGUSR1 saves a running server; a later crash does not lose that.
start_server third "$sock" --load "$state" --domid 4 --save "$T/usr1.state"
xs xenstore-write /after/usr1 saved
kill -USR1 "$server_pid"
check "SIGUSR1 writes the state" wait_for 20 test -s "$T/usr1.state"
xs xenstore-write /after/crash lost
stop_server "$server_pid" KILL
start_server fourth "$sock" --load "$T/usr1.state" --domid 4
check_eq "the SIGUSR1 state has what was written before it" \
    "$(xs xenstore-read /after/usr1)" saved
check_fails "  and not what came after" xs xenstore-exists /after/crash
check_fails "  nor what the earlier run wrote after its save" \
    xs xenstore-exists /tool/new
stop_server "$server_pid"

# Refused: an error naming the problem, exit 1, nothing served.
refused() { # DESCRIPTION EXPECTED-MESSAGE FILE [ARGS...]
    local desc=$1 msg=$2 file=$3
    shift 3
    timeout 20 "$QEMU_XENSTORED" --socket "$sock" --load "$file" "$@" \
        >/dev/null 2>"$T/refused.err"
    local status=$?
    if [ "$status" -eq 1 ] && grep -q -- "$msg" "$T/refused.err" &&
       [ ! -e "$sock" ]; then
        ok "$desc"
    else
        not_ok "$desc (status $status)"
        sed 's/^/#   /' "$T/refused.err"
    fi
}
size=$(stat -c %s "$state")
cp "$state" "$T/flipped"
printf '\x5a' | dd of="$T/flipped" bs=1 seek=$((size / 2)) conv=notrunc \
    status=none
refused "a flipped byte is refused" "checksum mismatch" "$T/flipped" \
    --domid 4
head -c $((size - 100)) "$state" >"$T/truncated"
refused "a truncated file is refused" "corrupt or truncated" \
    "$T/truncated" --domid 4
head -c 20 "$state" >"$T/stub"
refused "a file cut inside its header is refused" "truncated" "$T/stub" \
    --domid 4
echo "not a state" >"$T/text"
refused "a file of something else is refused" \
    "is not a qemu-xenstored state file" "$T/text" --domid 4
# Damage behind a valid checksum: refused by what reads that field.
reseal() { # IN OUT OFFSET BYTE: put BYTE (printf format) at OFFSET of
           # the body, recompute the checksum
    local body=$(( $(stat -c %s "$1") - 32 )) digest
    head -c "$body" "$1" >"$2"
    printf "$4" | dd of="$2" bs=1 seek="$3" conv=notrunc status=none
    digest=$(sha256sum "$2" | cut -c1-64 | sed 's/../\\x&/g')
    printf "$digest" >>"$2"
}
# The store stream starts behind the 16-byte header and its length.
reseal "$state" "$T/bad-store" 20 '#'
refused "a damaged store stream is refused" "bad store state" \
    "$T/bad-store" --domid 4
reseal "$state" "$T/version-1" 8 '\x01'
refused "a state file of version 1 is refused" \
    "unknown state file version 1" "$T/version-1" --domid 4
refused "another guest's state is refused" \
    "state of domain 4, not of domain 5" "$state" --domid 5
finish
