#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make bench: run the database benchmark natively, the socket transport
# benchmark, then the database under callgrind (one dump per workload)
# for instructions per operation, then W4 again with N = 100000; then
# the ring benchmark (round trips against an eventfd ping-pong, device
# instructions per READ); print JSON lines and whether each target is met.
# Last, qemu-xenkvm with a Debian guest (scripts/bench-xenkvm.sh).
#
# Each callgrind line gives two figures per operation: instructions_per_op,
# everything the workload ran (harness included), and store_ir_per_op, the
# inclusive cost of the harness's calls into xs_impl_* alone, read from the
# call graph: a store call made by another store call is not counted twice,
# and callbacks the store makes are included.  (--toggle-collect=xs_impl_*
# gives the same figures but for nested calls: entering xs_impl_watch_depth
# from xs_impl_watch toggles collection off again.)
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

# Store instructions per operation (store_ir_per_op, N = 10000; W4-big is
# W4 at N = 100000): the figures before the transaction rewrite (the store
# of commit 9dc07d7).  Every workload's store cost must stay within 10% of
# these; they are compared only when N = 10000.
store_baseline="W1=1815.4 W2=795.5 TXREAD=2368.7 W3=312882.4 W4=7910.6
    W4-big=8266.7 W5=6983.1 W5U=999.5 WATCH-first=2785.7 WATCH-last=11010.3
    W6=8483.1 W7=192.8 W1T=1712.5"

"${PYTHON:-python3}" - "$out" "$n" "$big_n" "$store_baseline" <<'PY'
import glob, json, os, re, sys

out, n, big_n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
baseline = {k: float(v) for k, v in
            (kv.split("=") for kv in sys.argv[4].split())}
# Instructions per operation at -O2 (callgrind), from bench-workloads.
targets = {"W1": 2500, "W2": 1000, "W3": 200000, "W4": 12000,
           "W5": 8000, "W7": 500}

def runs(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.startswith("{")]

def store_cost(f):
    """(store, glist): the inclusive cost of the calls from the harness
    (functions of xs-bench.c) into xs_impl_*, and of the store's calls
    that build returned lists (g_list_prepend, g_strdup)."""
    names = {}
    def name(kind, v):
        # Compressed names: "(id) name" defines id, "(id)" refers to it.
        m = re.match(r"\((\d+)\)(?: (.*))?$", v)
        if not m:
            return v
        if m.group(2) is not None:
            names[kind, m.group(1)] = m.group(2)
        return names.get((kind, m.group(1)), "?")
    fl, caller_fl, cfn, pending = "", "", "", False
    store = glist = 0
    with open(f) as fh:
        for line in fh:
            if pending:
                pending = False
                cost = int(line.split()[1])
                if caller_fl.endswith("/xs-bench.c"):
                    if cfn.startswith("xs_impl_"):
                        store += cost
                elif "/hw/xen/xenstore/xenstore_impl" in caller_fl and \
                        cfn in ("g_list_prepend", "g_strdup"):
                    glist += cost
                continue
            key, eq, v = line.rstrip("\n").partition("=")
            if not eq:
                continue
            if key == "fl":
                fl = name("fl", v)
            elif key in ("fi", "fe", "cfi", "cfl"):
                name("fl", v)
            elif key == "fn":
                name("fn", v)
                caller_fl = fl
            elif key == "cfn":
                cfn = name("fn", v)
            elif key == "calls":
                pending = True
    return store, glist

def dumps(d):
    """workload name -> (instructions, store, glist), one per dump."""
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
            found[name] = (total,) + store_cost(f)
    return found

met = missed = 0
def verdict(ok):
    global met, missed
    if ok:
        met += 1
    else:
        missed += 1
    return ok

def emit(line):
    print(json.dumps(line, separators=(",", ":")))

store = {}      # workload -> store instructions per op

def report(d, size, only=None, suffix=""):
    ins = dumps(d)
    for r in runs(os.path.join(d, "run.json")):
        w = r["workload"]
        if w not in ins or (only and w not in only):
            continue
        total, st, gl = ins[w]
        key = w + suffix
        store[key] = round(st / r["ops"], 1)
        line = {"workload": w, "mode": "callgrind", "n": size,
                "ops": r["ops"], "instructions": total,
                "instructions_per_op": round(total / r["ops"], 1),
                "store_ir_per_op": store[key]}
        if w == "W3":
            line["glist_ir_per_op"] = round(gl / r["ops"], 1)
        if w in targets:
            line["target"] = targets[w]
            line["target_met"] = verdict(total / r["ops"] <= targets[w])
        if w == "W6":
            line["eagain"] = r["eagain"]
            line["target"] = "0 EAGAIN"
            line["target_met"] = verdict(r["eagain"] == 0)
        if key in baseline and n == 10000:
            line["store_baseline"] = baseline[key]
            line["store_within_10pct"] = verdict(
                store[key] <= 1.10 * baseline[key])
        emit(line)

report(os.path.join(out, "cg"), n)
report(os.path.join(out, "cg-big"), big_n, only={"W4"}, suffix="-big")

# Targets between workloads, on store instructions per operation.
def relative(name, value, target, ok, **extra):
    emit(dict({"workload": name, "mode": "callgrind", "n": n}, **extra,
              **{"store_ratio": round(value, 3), "target": target,
                 "target_met": verdict(ok)}))

if "TXREAD" in store and "W2" in store:
    r = store["TXREAD"] / store["W2"]
    relative("TXREAD", r, "<= 1.5 x W2", r <= 1.5, compared_with="W2")
if "W1T" in store and "W1" in store:
    r = store["W1T"] / store["W1"]
    relative("W1T", r, "<= 1.5 x W1", r <= 1.5, compared_with="W1")
if "WATCH-first" in store and "WATCH-last" in store:
    last, first = store["WATCH-last"], store["WATCH-first"]
    r = last / first
    relative("WATCH", r, "<= 1500 and last <= 1.1 x first batch",
             last <= 1500 and r <= 1.10, compared_with="WATCH-first",
             store_ir_per_op=last)
if "W4-big" in store and "W4" in store:
    r = store["W4-big"] / store["W4"]
    relative("W4", r, "N=100000 within 10% of N=10000", r <= 1.10,
             compared_with="W4 at N=10000", n_big=big_n)

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

# The machine: a Debian guest's boot to xenbus and its round trips
# (minutes when nested; BENCH_XENKVM=0 leaves it out).
if [ "${BENCH_XENKVM:-1}" != 0 ]; then
    echo "# qemu-xenkvm: Debian bookworm guest"
    scripts/bench-xenkvm.sh "$build" || status=1
fi
exit $status
