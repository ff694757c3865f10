#!/usr/bin/env python3
"""The soak (issue 7): Tollgate on a real Tomcat under non-streaming and streaming load at
BENCH_CONCURRENCY for BENCH_SOAK seconds (default 600) after BENCH_SOAK_WARMUP seconds (default
360) of the same load, RSS and heap sampled after every 30 s slice, so growth from metering or
recording would show as a rising line. The warm-up is shown but not judged: until the JIT has
compiled the hot path and the young generation has cycled through the whole heap, RSS grows
for reasons that stop by themselves. Started by `sh bench/run.sh soak`; see bench/README.md.
"""
import collections
import json
import os
import sqlite3
import sys
import time

import bench

SLICE_S = 30


def main():
    args = bench.path_args("tomcat", "war", "work")
    _, _, high, _ = bench.settings()
    total = int(os.environ.get("BENCH_SOAK", "600"))
    warmup = int(os.environ.get("BENCH_SOAK_WARMUP", "360"))
    procs = bench.Processes()
    try:
        upstream = bench.setup_nginx(args.work, procs)
        port, pid, db = bench.setup_tomcat(args.tomcat, args.war, args.work, upstream, procs)
        headers = {"Authorization": f"Bearer {bench.CLIENT_KEY}"}
        url = f"http://127.0.0.1:{port}/tollgate/v1/chat/completions"
        samples, completed, runs = [], 0, 0
        errors = collections.Counter()  # by kind: wrk's socket errors and non-2xx answers
        t0 = time.time()
        while time.time() - t0 < warmup + total:
            stream = runs % 2 == 1  # alternate slices: non-streaming, streaming
            body = {"model": "bench-stream" if stream else "bench-json", "stream": stream,
                    "messages": [{"role": "user", "content": bench.PROMPT}]}
            r = bench.wrk(url, json.dumps(body), headers, high, f"{SLICE_S}s")
            completed += r["completed"]
            errors.update({**r["socket_error_kinds"], "non-2xx": r["non2xx"]})
            runs += 1
            m = bench.memory(pid)
            elapsed = round(time.time() - t0)
            samples.append((elapsed, "stream" if stream else "non-stream", r["rps"], m["rss_mb"],
                            bench.heap_after_gc(pid) if runs % 4 == 0 else None, elapsed <= warmup))
            print(f"{samples[-1][0]:5d} s {samples[-1][1]:10} {r['rps']:8.0f} req/s  RSS {m['rss_mb']:.0f} MiB", flush=True)
        bench.wait_recorded(port)
        with sqlite3.connect(db) as conn:
            recorded, distinct = conn.execute("SELECT COUNT(*), COUNT(DISTINCT id) FROM usage_records").fetchone()
        ok = recorded == distinct and completed <= recorded <= completed + runs * high
        write_report(samples, high, warmup, completed, recorded, runs * high, errors, ok)
        return 0 if ok else 1
    finally:
        procs.stop_all()


def describe(errors):
    """The error count, by kind when there are any: '0', or '1 (timeout 1)'."""
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(errors.items()) if n)
    return f"{sum(errors.values())}" + (f" ({kinds})" if kinds else "")


def write_report(samples, high, warmup, completed, recorded, bound, errors, ok):
    judged = [s for s in samples if not s[5]]
    first = [s[3] for s in judged[:4]]
    last = [s[3] for s in judged[-4:]]
    growth = (sum(last) / len(last) - sum(first) / len(first)) if first and last else 0
    span = judged[-1][0] - judged[0][0] if judged else 0
    lines = [f"# Soak — {bench.stamp_utc()}", "", bench.machine_line(), "",
             f"Tollgate on Tomcat (-Xms512m -Xmx512m), wrk at c={high} for {samples[-1][0]} s in {SLICE_S} s slices, "
             f"non-streaming and streaming in turn, the first {warmup} s a warm-up; RSS after every slice, heap "
             "after a full GC every fourth.", "",
             "| time (s) | slice | req/s | RSS (MiB) | heap after GC (MiB) |", "|---|---|---|---|---|"]
    for t, kind, rps, rss, heap, warming in samples:
        lines.append(f"| {t} | {kind}{' (warm-up)' if warming else ''} | {rps:,.0f} | {rss:.0f} | {bench.fmt(heap, 1)} |")
    lines += ["", f"RSS over the {span} s after the warm-up: the last four samples average {growth:+.1f} MiB against "
              f"the first four. Errors: {describe(errors)}.", "",
              f"Record check: {completed} requests completed, {recorded} records, none duplicated; up to {bound} more "
              f"may be requests wrk cut off at the end of a slice. **{'PASS' if ok else 'FAIL'}**", ""]
    bench.save_report("soak", "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
