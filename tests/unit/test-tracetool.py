#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The trace generator accepts well-formed trace-events lines and rejects
# malformed ones (so a bad line fails the build).  Output: TAP.
# usage: test-tracetool.py path/to/tracetool.py

import contextlib
import importlib.util
import io
import os
import sys
import tempfile

CASES = [
    ('ok', 'plain event', 'ev_a(int x, const char *p) "x %d p %s"'),
    ('ok', 'void arguments', 'ev_b(void) "nothing"'),
    ('ok', 'PRI macro in format', 'ev_c(uint64_t g) "gen %" PRIu64 " done"'),
    ('ok', 'disable property', 'disable ev_d(int x) "x %d"'),
    ('ok', 'comments and blank lines', '# comment\n\n'),
    ('fail', 'missing format', 'ev_e(int x)'),
    ('fail', 'unquoted format', 'ev_f(int x) x %d'),
    ('fail', 'empty argument list', 'ev_g() "x"'),
    ('fail', 'argument without a name', 'ev_h(int) "x"'),
    ('fail', 'unknown property', 'fast ev_i(int x) "x %d"'),
    ('fail', 'upper-case name', 'Ev_j(int x) "x %d"'),
    ('fail', 'stray token in format', 'ev_k(int x) "x" junk "y"'),
    ('fail', 'duplicate event', 'ev_l(int x) "x"\nev_l(int x) "x"'),
]


def load_tracetool(path):
    spec = importlib.util.spec_from_file_location('tracetool', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generate(tracetool, text, tmp):
    """Run the generator on text; 'ok' if it wrote both files."""
    src = os.path.join(tmp, 'trace-events')
    with open(src, 'w', encoding='utf-8') as f:
        f.write(text + '\n')
    argv = ['tracetool', '--group', 't', src,
            os.path.join(tmp, 't.h'), os.path.join(tmp, 't.c')]
    saved = sys.argv
    sys.argv = argv
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            tracetool.main()
        return 'ok'
    except SystemExit as e:
        return 'ok' if e.code in (0, None) else 'fail'
    finally:
        sys.argv = saved


def main():
    tracetool = load_tracetool(sys.argv[1])
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for n, (want, what, text) in enumerate(CASES, 1):
            got = generate(tracetool, text, tmp)
            if got == want:
                print('ok %d - %s' % (n, what))
            else:
                print('not ok %d - %s (expected %s, got %s)'
                      % (n, what, want, got))
                failed = True
    print('1..%d' % len(CASES))
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
