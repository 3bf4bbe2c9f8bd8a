#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make bench's machine figures: boots Debian bookworm's kernel as a Xen
# guest on qemu-xenkvm through tests/functional/test-xenkvm-guests.sh (on
# the host's KVM where it has Xen support, else in the nested L1) and
# prints, as JSON lines: the seconds from qemu-xenkvm's start to the
# guest's first XenStore write through its xenbus (its init writes as
# soon as xenbus is up), and the guest program's XS_READ round trips per
# second through /dev/xen/xenbus (2000 reads of a 32-byte node), and
# the guest's dd of 64 MiB with direct I/O to and from a PV disk (xvdc).
#
# usage: scripts/bench-xenkvm.sh [builddir]
set -u
cd "$(dirname "$0")/.."
build=${1:-build}
xenkvm=$build/xenkvm/qemu-xenkvm
[ -x "$xenkvm" ] || { echo "bench: $xenkvm not built" >&2; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if "$build/tests/functional/kvm-xen-caps" --tap 2>/dev/null |
        grep -q '^ok .*/kvm-xen/vm-config$'; then
    nested=false
    XENKVM_DIRECT=1 tests/functional/test-xenkvm-guests.sh bookworm \
        "$xenkvm" >"$out" 2>&1
else
    nested=true
    tests/functional/test-xenkvm-guests.sh bookworm "$xenkvm" >"$out" 2>&1
fi
rc=$?
kernel=$(sed -n 's/^# guest kernel //p' "$out" | head -1)
python3 - "$out" "$nested" "$kernel" "$rc" <<'PY'
import json, re, sys
path, nested, kernel, rc = sys.argv[1], sys.argv[2] == "true", sys.argv[3], int(sys.argv[4])
boot, rtt, dd = None, None, []
for line in open(path, errors="replace"):
    m = re.search(r"xenkvm-bench: boot-to-xenbus-s ([0-9.]+)", line)
    if m:
        boot = float(m.group(1))
    m = re.search(r"xenkvm-bench: xktest-rtt: (\{.*\})", line)
    if m:
        rtt = json.loads(m.group(1))
    m = re.search(r"xenkvm-bench: xktest-dd: (\{.*\})", line)
    if m:
        dd.append(json.loads(m.group(1)))
common = {"nested": nested, "guest_kernel": kernel}
if boot is None or rtt is None:
    print(json.dumps({"workload": "XENKVM", "error": "no figures",
                      "test_status": rc, **common}, separators=(",", ":")))
    sys.exit(1)
print(json.dumps({"workload": "XENKVM-BOOT", "seconds_to_xenbus": boot,
                  **common}, separators=(",", ":")))
print(json.dumps({"workload": "XENKVM-XS-READ", "reads": rtt["reads"],
                  "seconds": rtt["seconds"],
                  "round_trips_per_sec": rtt["reads_per_sec"], **common},
                 separators=(",", ":")))
for d in dd:
    print(json.dumps({"workload": "XENKVM-XVD-DD-" + d["op"].upper(),
                      "mib": d["mib"], "direct_io": True,
                      "mib_per_sec": d["mib_per_s"], **common},
                     separators=(",", ":")))
if len(dd) != 2:
    sys.exit(1)
PY
