#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make bench: run the database benchmark natively, the socket transport
# benchmark, then the database under callgrind (one dump per workload)
# for instructions per operation, then W4 again with N = 100000; then
# the ring benchmark (round trips against an eventfd ping-pong, device
# instructions per READ); print JSON lines and whether each target is met.
#
# usage: scripts/bench.sh [builddir]    (BENCH_N=... sizes the first runs;
#        BENCH_ANNOTATE=1 also prints callgrind_annotate's top functions
#        per workload)
set -u
cd "$(dirname "$0")/.."
build=${1:-build}
bench=$build/tests/bench/xs-bench
ring_bench=$build/tests/bench/xen-xenstore-ring-bench
n=${BENCH_N:-10000}
big_n=100000
out=$build/bench-out

[ -x "$bench" ] || { echo "bench: $bench not built (run make)" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/cg" "$out/cg-big"

echo "# native, N=$n"
"$bench" --n "$n" | tee "$out/native.json" || {
    echo "bench: native run failed" >&2; exit 1; }

# The socket transport: libxenstore round trips against a bare socket
# ping-pong between the same two processes (needs libxen-dev to build).
if [ -x "$build/tests/bench/xenstored-bench" ]; then
    echo "# socket transport"
    scripts/bench-xenstored.sh "$build" | tee "$out/transport.json" || {
        echo "bench: transport run failed" >&2; exit 1; }
else
    echo "# socket transport: not built (libxen-dev missing)"
fi

if ! command -v valgrind >/dev/null 2>&1; then
    echo "bench: valgrind not found: no instruction counts" >&2
    echo "(scripts/install-deps.sh check installs it)" >&2
    exit 1
fi

# Each workload zeroes the counters and dumps them at its end, so dump k
# holds exactly one workload; the JSON lines of the run give its ops.
run_callgrind() { # dir, bench args...
    local dir=$1
    shift
    valgrind --tool=callgrind --dump-instr=no \
        --callgrind-out-file="$dir/callgrind.out.%p" \
        "$bench" "$@" >"$dir/run.json" 2>"$dir/valgrind.log" || {
        tail -20 "$dir/valgrind.log" >&2
        echo "bench: callgrind run failed: $*" >&2
        exit 1
    }
}
echo "# callgrind, N=$n and W4 with N=$big_n"
run_callgrind "$out/cg" --n "$n"
run_callgrind "$out/cg-big" --n "$big_n" --only W4

# The ring benchmark runs its own callgrind pass (--callgrind).
echo "# ring: XS_READ round trips and device instructions per READ"
"$ring_bench" --round-trips 20000 --rounds 3 --callgrind 5000 \
    >"$out/ring.json" || { echo "bench: ring run failed" >&2; exit 1; }

"${PYTHON:-python3}" - "$out" "$n" "$big_n" <<'PY'
import glob, json, os, re, sys

out, n, big_n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
# Instructions per operation at -O2 (callgrind), from bench-workloads.
targets = {"W1": 2500, "W2": 1000, "W3": 200000, "W4": 12000,
           "W5": 8000, "W7": 500}

def runs(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.startswith("{")]

def dumps(d):
    """workload name -> instructions, from the per-dump totals."""
    found = {}
    for f in glob.glob(os.path.join(d, "callgrind.out.*.*")):
        name = total = None
        with open(f) as fh:
            for line in fh:
                m = re.match(r"desc: Trigger: Client Request: (\S+)", line)
                if m:
                    name = m.group(1)
                m = re.match(r"(summary|totals): (\d+)", line)
                if m:
                    total = int(m.group(2))
        if name and total is not None:
            found[name] = total
    return found

met = missed = 0
def verdict(ok):
    global met, missed
    if ok:
        met += 1
    else:
        missed += 1
    return ok

def report(d, size, only=None):
    ins = dumps(d)
    for r in runs(os.path.join(d, "run.json")):
        w = r["workload"]
        if "phase" in r or w not in ins or (only and w not in only):
            continue
        line = {"workload": w, "mode": "callgrind", "n": size,
                "ops": r["ops"], "instructions": ins[w],
                "instructions_per_op": round(ins[w] / r["ops"], 1)}
        if w in targets:
            line["target"] = targets[w]
            line["target_met"] = verdict(ins[w] / r["ops"] <= targets[w])
        if w == "W6":
            line["eagain"] = r["eagain"]
            line["target"] = "0 EAGAIN"
            line["target_met"] = verdict(r["eagain"] == 0)
        print(json.dumps(line, separators=(",", ":")))

report(os.path.join(out, "cg"), n)
report(os.path.join(out, "cg-big"), big_n, only={"W4"})
for r in runs(os.path.join(out, "native.json")):
    if r["workload"] == "MEM":
        ok = verdict(r["bytes_per_node"] <= 150)
        print(json.dumps({"workload": "MEM", "mode": "native", "n": n,
                          "bytes_per_node": r["bytes_per_node"],
                          "target": 150, "target_met": ok},
                         separators=(",", ":")))
# The ring benchmark's summary lines (not its per-round ones) judge
# their own targets.
for r in runs(os.path.join(out, "ring.json")):
    if "workload" in r:
        if "target_met" in r:
            verdict(r["target_met"])
        print(json.dumps(r, separators=(",", ":")))
print(json.dumps({"targets_met": met, "targets_missed": missed},
                 separators=(",", ":")))
PY
status=$?

if [ -n "${BENCH_ANNOTATE:-}" ] && command -v callgrind_annotate >/dev/null
then
    # Self cost per function; the frames below main() carry every dump.
    for f in "$out"/cg/callgrind.out.*.* "$out"/cg-big/callgrind.out.*.*; do
        w=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
        echo "# callgrind_annotate: $w ($f)"
        callgrind_annotate --inclusive=no --threshold=100 "$f" 2>/dev/null |
            grep -E '^ *[0-9,]+ \(' |
            grep -v -E 'PROGRAM TOTALS|below main|libc_start|ld-linux' |
            head -15 | sed -E 's/ \[[^]]*\]$//'
    done
fi
echo "# callgrind files: $out"
exit $status
