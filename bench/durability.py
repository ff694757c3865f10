#!/usr/bin/env python3
"""The cost of the journal: two Tollgates on real Tomcats side by side, one with
persistence.durability journaled (each record written to the journal before its answer ends, fsync
every 5 ms, or BENCH_JOURNAL_SYNC) and one buffered (records in memory until their batch), against the same nginx upstream.
Runs are interleaved: each round runs every scenario against both, alternating who goes first, and
the report shows medians and the ratio journaled / buffered. Both instances check that every request
they completed is recorded exactly once. Started by `sh bench/run.sh durability`.
"""
import json
import os
import shutil
import sqlite3

import bench

MODES = ("journaled", "buffered")


def main():
    args = bench.path_args("tomcat", "war", "work")
    duration, rounds, high, warmup = bench.settings()
    procs = bench.Processes()
    try:
        upstream = bench.setup_nginx(args.work, procs)
        gateways = {}
        for mode in MODES:
            home = os.path.join(args.work, "tomcat-" + mode)
            if not os.path.exists(home):
                shutil.copytree(args.tomcat, home)
            sync = os.environ.get("BENCH_JOURNAL_SYNC", "5ms")  # persistence.journal-sync of the journaled one
            port, pid, db = bench.setup_tomcat(home, args.war, args.work, upstream, procs, name="tollgate-" + mode,
                                               extra=f"persistence: {{durability: {mode}, journal-sync: {sync}}}\n")
            gateways[mode] = {"port": port, "pid": pid, "db": db, "completed": 0, "bound": 0}
        scenarios = [("non-stream", "json", 1), ("non-stream", "json", high), ("stream", "sse", 1), ("stream", "sse", high)]

        def call(mode, kind, c, length):
            stream = kind == "sse"
            body = {"model": "bench-stream" if stream else "bench-json", "stream": stream,
                    "messages": [{"role": "user", "content": bench.PROMPT}]}
            r = bench.wrk(f"http://127.0.0.1:{gateways[mode]['port']}/tollgate/v1/chat/completions", json.dumps(body),
                          {"Authorization": f"Bearer {bench.CLIENT_KEY}"}, c, length)
            gateways[mode]["completed"] += r["completed"]
            gateways[mode]["bound"] += c
            return r

        for mode in MODES:
            for _, kind, c in scenarios:
                call(mode, kind, c, warmup)
        results = {}
        for rnd in range(rounds):
            for label, kind, c in scenarios:
                for mode in (MODES if rnd % 2 == 0 else MODES[::-1]):
                    r = call(mode, kind, c, duration)
                    results.setdefault((label, c, mode), []).append(r)
                    print(f"round {rnd + 1} {label:10} c={c:<4} {mode:9} {r['rps']:9.0f} req/s  p50 {r['p50']} ms  "
                          f"p99 {r['p99']} ms  non-2xx {r['non2xx']}", flush=True)
        checks = {}
        for mode, g in gateways.items():
            bench.wait_recorded(g["port"])
            with sqlite3.connect(g["db"]) as conn:
                recorded, distinct = conn.execute("SELECT COUNT(*), COUNT(DISTINCT id) FROM usage_records").fetchone()
            checks[mode] = (recorded, g["completed"], recorded == distinct
                            and g["completed"] <= recorded <= g["completed"] + g["bound"])
        report(results, scenarios, checks, duration, rounds, sync)
        return 0 if all(ok for _, _, ok in checks.values()) else 1
    finally:
        procs.stop_all()


def report(results, scenarios, checks, duration, rounds, sync):
    lines = [f"# Tollgate durability: journaled vs buffered, {bench.stamp_utc()}", "",
             bench.machine_line(), f"{rounds} interleaved rounds of {duration} per run; medians; journal-sync {sync}.", "",
             "| scenario | figure | journaled | buffered | journaled / buffered |", "|---|---|---|---|---|"]
    for label, _, c in scenarios:
        j, b = results[(label, c, "journaled")], results[(label, c, "buffered")]
        if c == 1:
            for key in ("p50", "p99"):
                jm, bm = bench.med(j, key), bench.med(b, key)
                lines.append(f"| {label}, c=1 | latency {key} (ms) | {bench.fmt(jm, 3)} | {bench.fmt(bm, 3)} | "
                             f"{bench.fmt(jm / bm if bm else None)}× |")
        else:
            jm, bm = bench.med(j, "rps"), bench.med(b, "rps")
            lines.append(f"| {label}, c={c} | throughput (req/s) | {jm:,.0f} | {bm:,.0f} | {jm / bm:.3f}× |")
    lines += ["", "Record check (every completed request recorded exactly once):"]
    for mode, (recorded, completed, ok) in checks.items():
        lines.append(f"- {mode}: {recorded:,} records for {completed:,} completed requests: {'PASS' if ok else 'FAIL'}")
    bench.save_report("durability", "\n".join(lines) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
