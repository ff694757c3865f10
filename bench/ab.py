#!/usr/bin/env python3
"""What one setting costs: two Tollgates on real Tomcats side by side, the same but for it, against
the same nginx upstream. Runs are interleaved: each round runs every scenario against both,
alternating who goes first, and the report shows medians and the ratio of the first to the second.
Both instances check that every request they completed is recorded exactly once. After each run the
bench waits until the instance has written what the run left waiting (its usage records and request
log), so a writer that fell behind does not slow the next run; the report shows how long that took,
and the sustained rate: the run's calls over the time until they were all written.

- `sh bench/run.sh durability`: persistence.durability journaled (each record written to the journal
  before its answer ends, fsync every 5 ms, or BENCH_JOURNAL_SYNC) vs buffered (records in memory
  until their batch).
- `sh bench/run.sh logs`: the request log on (every call's request and answer stored and indexed for
  search) vs off; the logs-on instance also reports how many calls it logged and dropped.
- `sh bench/run.sh limits`: the client key under per-key limits and a budget (never reached) vs none.
- `sh bench/run.sh otel`: OpenTelemetry on (every call traced, metrics exported to an OTLP sink) vs off.
- `BENCH_BASELINE_WAR=old.war sh bench/run.sh build`: this build's WAR vs another one (an earlier
  commit's `target/tollgate.war`), same settings: what a change to the code costs or gains, in one run.
"""
import json
import os
import shutil
import sqlite3
import time

import bench

SYNC = os.environ.get("BENCH_JOURNAL_SYNC", "5ms")  # persistence.journal-sync of the journaled one
PRICES = "model-prices: {bench-model: {input: 1, output: 2}}\n"  # the same in both limits modes
COMPARISONS = {
    "durability": {"title": "durability: journaled vs buffered", "note": f"journal-sync {SYNC}",
                   "modes": {"journaled": f"persistence: {{durability: journaled, journal-sync: {SYNC}}}\n",
                             "buffered": "persistence: {durability: buffered}\n"}},
    "logs": {"title": "the request log: on vs off", "note": "logs on: every call stored and indexed (FTS5)",
             "modes": {"logs-on": "logs: {enabled: true}\n", "logs-off": "logs: {enabled: false}\n"}},
    "limits": {"title": "a key with limits vs without",
               "note": "limits on: every call admitted through per-key requests, tokens and budget windows "
                       "(high enough never to refuse), and settled after",
               "modes": {"limits-on": PRICES + "limits: {per-key: {requests-per-minute: 1000000000, "
                                      "tokens-per-minute: 1000000000000, budget-usd-per-day: 1000000}}\n",
                         "limits-off": PRICES}},
    "otel": {"title": "OpenTelemetry: on vs off",
             "note": "on: a span per call and per attempt, every call sampled, and the metrics, exported over "
                     "OTLP/HTTP every 5 s to a sink (nginx answering 200)",
             "modes": {"otel-on": "otel: {endpoint: 'http://127.0.0.1:@OTLP_PORT@', sampling: 1.0, "
                                  "metric-interval: 5s}\n",
                       "otel-off": ""}},
    "build": {"title": "this build vs a baseline build",
              "note": "the same settings; the baseline is BENCH_BASELINE_WAR",
              "modes": {"this-build": "", "baseline": ""}},
}


def main():
    args = bench.path_args("tomcat", "war", "work")
    comparison = os.environ.get("BENCH_COMPARE", "durability")
    spec = COMPARISONS[comparison]
    MODES = tuple(spec["modes"])
    duration, rounds, high, warmup = bench.settings()
    procs = bench.Processes()
    try:
        upstream = bench.setup_nginx(args.work, procs)
        gateways = {}
        for mode in MODES:
            home = os.path.join(args.work, "tomcat-" + mode)
            if not os.path.exists(home):
                shutil.copytree(args.tomcat, home)
            extra = spec["modes"][mode].replace("@OTLP_PORT@", str(upstream["otlp"]))
            war = os.environ["BENCH_BASELINE_WAR"] if mode == "baseline" else args.war
            port, pid, db = bench.setup_tomcat(home, war, args.work, upstream, procs, name="tollgate-" + mode,
                                               extra=extra)
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
            r["drain"] = drain(gateways[mode]["port"])
            # the run's calls over the time until they were all written: what the setting sustains
            r["sustained"] = r["completed"] / (r["completed"] / r["rps"] + r["drain"]) if r["rps"] else 0
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
                          f"p99 {r['p99']} ms  non-2xx {r['non2xx']}  drained in {r['drain']:.1f} s", flush=True)
        checks = {}
        for mode, g in gateways.items():
            bench.wait_recorded(g["port"])
            with sqlite3.connect(g["db"]) as conn:
                recorded, distinct = conn.execute("SELECT COUNT(*), COUNT(DISTINCT id) FROM usage_records").fetchone()
            checks[mode] = (recorded, g["completed"], recorded == distinct
                            and g["completed"] <= recorded <= g["completed"] + g["bound"], logged(g["port"]))
        report(comparison, spec, MODES, results, scenarios, checks, duration, rounds)
        return 0 if all(ok for _, _, ok, _ in checks.values()) else 1
    finally:
        procs.stop_all()


def drain(port, seconds=120):
    """Seconds until the instance has written everything the run left waiting (usage records and, when
    on, the request log), so no run pays for the one before it; the figure is the writers' lag."""
    start = time.time()
    while time.time() - start < seconds:
        status, body = bench.http_get(f"http://127.0.0.1:{port}/tollgate/_qs/health")
        health = json.loads(body) if status is not None else {}
        logs = health.get("logs") or {}
        if health.get("queue_depth", 0) == 0 and logs.get("calls_waiting", 0) == 0:
            break
        time.sleep(0.1)
    waited = time.time() - start
    time.sleep(0.3)  # a batch in hand when the queue emptied
    return waited


def logged(port):
    """The request log's counters from health, when it is on."""
    status, body = bench.http_get(f"http://127.0.0.1:{port}/tollgate/_qs/health")
    return json.loads(body).get("logs") if status is not None else None


def report(comparison, spec, modes, results, scenarios, checks, duration, rounds):
    a, b = modes
    lines = [f"# Tollgate {spec['title']}, {bench.stamp_utc()}", "",
             bench.machine_line(), f"{rounds} interleaved rounds of {duration} per run; medians; {spec['note']}.", "",
             f"| scenario | figure | {a} | {b} | {a} / {b} |", "|---|---|---|---|---|"]
    for label, _, c in scenarios:
        j, k = results[(label, c, a)], results[(label, c, b)]
        if c == 1:
            for key in ("p50", "p99"):
                jm, km = bench.med(j, key), bench.med(k, key)
                lines.append(f"| {label}, c=1 | latency {key} (ms) | {bench.fmt(jm, 3)} | {bench.fmt(km, 3)} | "
                             f"{bench.fmt(jm / km if km else None)}× |")
        else:
            jm, km = bench.med(j, "rps"), bench.med(k, "rps")
            lines.append(f"| {label}, c={c} | throughput (req/s) | {jm:,.0f} | {km:,.0f} | {jm / km:.3f}× |")
            jd, kd = bench.med(j, "drain"), bench.med(k, "drain")
            lines.append(f"| {label}, c={c} | writing after the run ended (s) | {jd:.1f} | {kd:.1f} | |")
            js, ks = bench.med(j, "sustained"), bench.med(k, "sustained")
            lines.append(f"| {label}, c={c} | sustained: calls / time until all written (req/s) | {js:,.0f} | "
                         f"{ks:,.0f} | {js / ks:.3f}× |")
    lines += ["", "Record check (every completed request recorded exactly once):"]
    for mode, (recorded, completed, ok, logs) in checks.items():
        line = f"- {mode}: {recorded:,} records for {completed:,} completed requests: {'PASS' if ok else 'FAIL'}"
        if logs:
            line += f"; request log: {logs['written']:,} calls logged, {logs['dropped']:,} dropped"
        lines.append(line)
    bench.save_report(comparison, "\n".join(lines) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
