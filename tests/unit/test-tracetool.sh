#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The trace generator accepts well-formed trace-events lines and fails on
# malformed ones (so a bad line fails the build).  Output: TAP.
python=$1
tracetool=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
n=0
fail=0

check() { # expect(ok|fail) description line
    n=$((n + 1))
    printf '%s\n' "$3" > "$dir/trace-events"
    if "$python" "$tracetool" --group t "$dir/trace-events" "$dir/t.h" \
        "$dir/t.c" 2>/dev/null; then got=ok; else got=fail; fi
    if [ "$got" = "$1" ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2 (expected $1, got $got)"
        fail=1
    fi
}

check ok "plain event" 'ev_a(int x, const char *p) "x %d p %s"'
check ok "void arguments" 'ev_b(void) "nothing"'
check ok "PRI macro in format" 'ev_c(uint64_t g) "gen %" PRIu64 " done"'
check ok "disable property" 'disable ev_d(int x) "x %d"'
check ok "comments and blank lines" '# comment'
check fail "missing format" 'ev_e(int x)'
check fail "unquoted format" 'ev_f(int x) x %d'
check fail "empty argument list" 'ev_g() "x"'
check fail "argument without a name" 'ev_h(int) "x"'
check fail "unknown property" 'fast ev_i(int x) "x %d"'
check fail "upper-case name" 'Ev_j(int x) "x %d"'
check fail "stray token in format" 'ev_k(int x) "x" junk "y"'
check fail "duplicate event" 'ev_l(int x) "x"
ev_l(int x) "x"'
echo "1..$n"
exit $fail
