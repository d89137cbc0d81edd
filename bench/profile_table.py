#!/usr/bin/env python3
"""Per-op table of a profile written by `rali bench clip|train --profile FILE` (libtorch's legacy profiler, Chrome
trace; on a GPU with the JNI of tools/build_djl_jni.sh each op carries args.cuda_us) or by the PyTorch reference
benches' --profile (torch.profiler / Kineto). Needs only the standard library.

    bench/profile_table.py TRACE.json [--top 25] [--against OTHER.json]

Prints the span of the trace, the CPU time inside top-level ops (the rest of the span is the caller's own time:
Java, JNI, the interpreter), the GPU time (ours: the top-level ops' CUDA event time; Kineto: the kernels' busy time,
overlaps merged), and the ops by self time: what an op took minus what the ops it called took. With --against, a
second table puts both traces' self time per op side by side (calls and ms), largest difference first: ours against
PyTorch's for the same step. Profiled times are inflated by the profiler itself (libtorch's legacy profiler more
than torch.profiler): compare op counts and the kernels' GPU time, not small CPU times.
"""
import argparse
import collections
import json
import sys


def load(path):
    try:
        with open(path) as f:
            data = json.load(f)
        events = data["traceEvents"] if isinstance(data, dict) else data
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"{path}: not a Chrome trace ({e})")
    return [e for e in events if e.get("ph") == "X" and "dur" in e]


def nest(events):
    """Self time per event (dur minus direct children's dur, per thread) and which events are top level."""
    by_tid = collections.defaultdict(list)
    for e in events:
        by_tid[e.get("tid")].append(e)
    top = []
    for evs in by_tid.values():
        evs.sort(key=lambda e: (float(e["ts"]), -float(e["dur"])))
        stack = []
        for e in evs:
            ts, end = float(e["ts"]), float(e["ts"]) + float(e["dur"])
            while stack and float(stack[-1]["ts"]) + float(stack[-1]["dur"]) <= ts:
                stack.pop()
            e["_self"] = float(e["dur"])
            e["_self_cuda"] = cuda(e)
            if stack:
                stack[-1]["_self"] -= float(e["dur"])
                stack[-1]["_self_cuda"] -= cuda(e)
            else:
                top.append(e)
            if end > ts:
                stack.append(e)
    return top


def cuda(e):
    return float((e.get("args") or {}).get("cuda_us", 0) or 0)


def busy(intervals):
    total, cur_s, cur_e = 0.0, None, None
    for s, e in sorted(intervals):
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    return total + ((cur_e - cur_s) if cur_e is not None else 0.0)


def split(events):
    """(ops, kernels, kineto): a Kineto trace's CPU ops and GPU kernels; every event of a legacy trace is an op."""
    cat = lambda e: str(e.get("cat", "")).lower()  # PyTorch 2.x: cpu_op / kernel; 1.13: Operator / Kernel
    if any(cat(e) in ("cpu_op", "operator", "kernel") for e in events):
        return ([e for e in events if cat(e) in ("cpu_op", "operator")],
                [e for e in events if cat(e) == "kernel"], True)
    return events, [], False


def self_times(path):
    """Call count and self CPU time (ms) per op name."""
    ops = split(load(path))[0]
    nest(ops)
    rows = collections.defaultdict(lambda: [0, 0.0])
    for e in ops:
        rows[e["name"]][0] += 1
        rows[e["name"]][1] += e["_self"] / 1e3
    return rows


def compare(a, b, top):
    ra, rb = self_times(a), self_times(b)
    names = sorted(set(ra) | set(rb), key=lambda n: -abs(ra[n][1] - rb[n][1]))
    print(f"self CPU per op: {a} (A) against {b} (B), largest difference first")
    print(f"  {'op':<44} {'A calls':>8} {'A ms':>9} {'B calls':>8} {'B ms':>9}")
    for n in names[:top]:
        print(f"  {n[:44]:<44} {ra[n][0]:>8} {ra[n][1]:>9.3f} {rb[n][0]:>8} {rb[n][1]:>9.3f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--against", metavar="OTHER", help="a second trace to compare op by op")
    a = ap.parse_args()
    if a.against:
        compare(a.trace, a.against, a.top)
        return
    events = load(a.trace)
    ops, kernels, kineto = split(events)
    if not ops:
        sys.exit(f"{a.trace}: no op events")
    top = nest(ops)
    t0 = min(float(e["ts"]) for e in events)
    t1 = max(float(e["ts"]) + float(e["dur"]) for e in events)
    span = (t1 - t0) / 1e3
    top_cpu = sum(float(e["dur"]) for e in top) / 1e3
    if kineto:
        gpu = busy([(float(k["ts"]), float(k["ts"]) + float(k["dur"])) for k in kernels]) / 1e3
        gpu_note = f"{len(kernels)} kernels"
    else:
        gpu = sum(cuda(e) for e in top) / 1e3
        gpu_note = "top-level ops' CUDA event time" if gpu else "no CUDA times in this trace"
    print(f"{a.trace}: {'Kineto' if kineto else 'libtorch legacy'} trace, {len(ops)} ops ({len(top)} top level)")
    print(f"  span {span:.2f} ms; CPU in top-level ops {top_cpu:.2f} ms ({100 * top_cpu / span:.0f}%); "
          f"GPU {gpu:.2f} ms ({gpu_note})")
    rows = collections.defaultdict(lambda: [0, 0.0, 0.0])
    for e in ops:
        r = rows[e["name"]]
        r[0] += 1
        r[1] += e["_self"]
        r[2] += e["_self_cuda"]
    if kineto:  # kernel time per kernel name instead of per op
        krows = collections.defaultdict(lambda: [0, 0.0])
        for k in kernels:
            krows[k["name"]][0] += 1
            krows[k["name"]][1] += float(k["dur"])
    key = (lambda kv: -kv[1][2]) if gpu and not kineto else (lambda kv: -kv[1][1])
    print(f"  {'op':<44} {'calls':>6} {'self CPU ms':>12} {'self CUDA ms':>13}")
    for name, (n, s, c) in sorted(rows.items(), key=key)[:a.top]:
        print(f"  {name[:44]:<44} {n:>6} {s / 1e3:>12.3f} {c / 1e3:>13.3f}")
    if kineto and kernels:
        print(f"  {'kernel':<70} {'calls':>6} {'ms':>9}")
        for name, (n, s) in sorted(krows.items(), key=lambda kv: -kv[1][1])[:a.top]:
            print(f"  {name[:70]:<70} {n:>6} {s / 1e3:>9.3f}")


if __name__ == "__main__":
    main()
