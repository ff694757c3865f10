#!/usr/bin/env python3
"""Many slow streams at once (issue 7): N clients each receive a 10-second OpenAI stream, through
Tollgate on a real Tomcat and straight from the upstream, counting stalls, Tomcat's threads and
the records written. Started by `sh bench/run.sh streams`; see bench/README.md.

The upstream is a small asyncio server here, in a process of its own: it answers like a model does,
headers and the first event after BENCH_SLOW_TTFB seconds (default 1), then the 22 events of
fixtures/chat.sse spread evenly over the rest of the stream's BENCH_STREAM_SECONDS (10 s at 2,000). Tollgate reaches it the way it reaches a
provider, over HTTPS with HTTP/2, through nginx terminating TLS in front of it (nginx-h2.conf.template):
many streams on few connections, as with every provider's API. A stall is a stream whose events came
more than STALL_S apart (the upstream's own gap is under half a second) or that did not end
with [DONE].
"""
import asyncio
import json
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

import bench

STREAMS = int(os.environ.get("BENCH_STREAMS", "2000"))
# opening 10,000 streams takes longer than 2,000: the ramp grows with them (1,000 a second at least),
# and each stream lasts twice the ramp, so all of them are open together for a while
RAMP = float(os.environ.get("BENCH_STREAM_RAMP", str(max(5, STREAMS // 1000))))
SECONDS = float(os.environ.get("BENCH_STREAM_SECONDS", str(max(10, 2 * RAMP))))
TTFB = float(os.environ.get("BENCH_SLOW_TTFB", "1"))
STALL_S = 2.0
# Tomcat's NIO connector holds 8,192 connections by default; a bench run with more streams raises it
# (the product keeps Tomcat's default: an operator sizes it for their own load)
MAX_CONNECTIONS = STREAMS + 1000
UPSTREAM_LAGS = GC_LOG = None  # set in main
# an open request costs Tomcat about 100 KB of buffers (bench/README.md): the heap grows with the
# streams, where the other runs keep 512 MiB
HEAP_MB = max(512, 256 + STREAMS // 5)


LAG_TICK_S = 0.05
LAG_NOTED_S = 0.25  # a loop this late is noted: an eighth of a stall


async def watch_lag(noted):
    """Notes (wall-clock end, seconds late) each time this process's event loop woke a tick more than
    LAG_NOTED_S late: a loop that late delays every stream it serves, whatever the gateway does."""
    while True:
        before = time.monotonic()
        await asyncio.sleep(LAG_TICK_S)
        late = time.monotonic() - before - LAG_TICK_S
        if late > LAG_NOTED_S:
            noted(time.time(), late)


def events():
    text = open(os.path.join(bench.HERE, "fixtures", "chat.sse"), "rb").read()
    return [e + b"\n\n" for e in text.split(b"\n\n") if e.strip()]


async def upstream_handler(reader, writer, chunks):
    """One HTTP/1.1 request, answered as a slow model answers: chunked SSE, one event at a time."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next((int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")), 0)
        await reader.readexactly(length)
        await asyncio.sleep(TTFB)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n"
                     b"connection: close\r\n\r\n")
        gap = (SECONDS - TTFB) / (len(chunks) - 1)
        for i, c in enumerate(chunks):
            if i:
                await asyncio.sleep(gap)
            writer.write(b"%x\r\n%s\r\n" % (len(c), c))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


def serve_upstream(port):
    """The slow upstream, run as `slow_streams.py --upstream PORT` in a process of its own: the
    clients' loop cannot slow it, and its sockets do not count against the clients' descriptors."""
    chunks = events()

    lag_file = os.environ.get("BENCH_LAG_FILE")

    def noted(end, late):
        if lag_file:
            with open(lag_file, "a") as f:
                f.write(f"{end:.3f} {late:.3f}\n")

    async def serve():
        asyncio.get_running_loop().create_task(watch_lag(noted))
        server = await asyncio.start_server(lambda r, w: upstream_handler(r, w, chunks), "127.0.0.1", port,
                                            backlog=4096)
        async with server:
            await server.serve_forever()
    asyncio.run(serve())


def start_upstream(work, procs):
    """The slow upstream's process, and nginx in front of it speaking HTTPS with HTTP/2 with a
    certificate made for this run: (plain port, HTTPS base URL, JVM options that trust it)."""
    slow, h2 = bench.free_port(), bench.free_port()
    lags = os.path.join(os.path.abspath(work), "upstream-lag.txt")
    if os.path.exists(lags):
        os.remove(lags)
    procs.start("slow-upstream", [sys.executable, os.path.abspath(__file__), "--upstream", str(slow)],
                {"BENCH_LAG_FILE": lags})
    cert, key, trust = (os.path.join(os.path.abspath(work), f) for f in ("h2-cert.pem", "h2-key.pem", "h2-trust.p12"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if os.path.exists(trust):
        os.remove(trust)
    subprocess.run(["keytool", "-importcert", "-noprompt", "-alias", "h2", "-file", cert, "-keystore", trust,
                    "-storetype", "PKCS12", "-storepass", "changeit"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    bench.start_nginx(work, procs, "nginx-h2", {"@H2_PORT@": h2, "@SLOW_PORT@": slow})
    jvm = f"-Djavax.net.ssl.trustStore={trust} -Djavax.net.ssl.trustStoreType=PKCS12 " \
          f"-Djavax.net.ssl.trustStorePassword=changeit"
    return slow, f"https://127.0.0.1:{h2}/v1", jvm


async def one_stream(port, path, headers, body, out):
    """Opens one stream; adds (status, events seen, longest gap between events in s, ended with [DONE],
    seconds to the first event, wall-clock time the longest gap ended) to out."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
        req = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\nConnection: close\r\n"
               + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode() + body
        writer.write(req)
        await writer.drain()
        start = time.monotonic()
        status, seen, first, last, gap, done, tail, gap_end = None, 0, None, None, 0.0, False, b"", None
        while True:
            data = await reader.read(65536)
            if not data:
                break
            now = time.monotonic()
            if status is None:
                status = int(data.split(b" ", 2)[1])
            text = tail + data
            n = text.count(b"data:")
            if n:
                if first is None:
                    first = now - start
                elif now - last > gap:
                    gap, gap_end = now - last, time.time()
                last = now
                seen += n
            done = done or b"[DONE]" in text
            tail = text[-8:]
        writer.close()
        out.append((status, seen, gap, done, first, gap_end))
    except OSError:
        out.append((None, 0, 0.0, False, None, None))


async def many(port, path, headers, body, launched, lags):
    out = []
    tasks = []
    watch = asyncio.create_task(watch_lag(lambda end, late: lags.append((end, late))))
    for i in range(STREAMS):
        tasks.append(asyncio.create_task(one_stream(port, path, headers, body, out)))
        # a fixed sleep each, not a schedule: a loop busy with open streams sleeps late and the ramp
        # stretches, the clients' own back-pressure (on a schedule, 10,000 opened at 1,000 a second
        # on two shared cores broke the gateway's HTTP/2 connection upstream: bench/README.md)
        await asyncio.sleep(RAMP / STREAMS)
    launched.set()
    await asyncio.gather(*tasks)
    watch.cancel()
    return out


def open_streams(port):
    return json.loads(bench.http_get(f"http://127.0.0.1:{port}/tollgate/_qs/health")[1])["open_streams"]


OWNERS = (("Tollgate", ("dev.tollgate.",)), ("the JDK HttpClient", ("jdk.internal.net.http.", "java.net.http.")),
          ("Tomcat's objects", ("org.apache.",)), ("arrays", ("[",)))


def heap_owners(pid):
    """Live bytes by whose classes they are, from jcmd's class histogram (after the full GC just run).
    Arrays cannot be told apart by owner here: bench/heap_arrays.py reads them from a heap dump."""
    if not shutil.which("jcmd"):
        return None
    out = subprocess.run(["jcmd", str(pid), "GC.class_histogram"], capture_output=True, text=True).stdout
    owners = {}
    for m in re.finditer(r"^\s*\d+:\s+\d+\s+(\d+)\s+(\S+)", out, re.M):
        owner = next((o for o, prefixes in OWNERS if m.group(2).startswith(prefixes)), "other JDK objects")
        owners[owner] = owners.get(owner, 0) + int(m.group(1))
    return owners


def threads_of(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def thread_names(pid):
    """How many threads of each kind (their names without numbers), from /proc: no JVM tooling needed."""
    names = {}
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            name = open(f"/proc/{pid}/task/{task}/comm").read().strip()
        except OSError:
            continue
        kind = re.sub(r"[-#]?\d+", "", name) or name
        names[kind] = names.get(kind, 0) + 1
    return dict(sorted(names.items(), key=lambda kv: -kv[1]))


def run_streams(name, port, path, headers, pid=None):
    # the client asks for the usage chunk, as the OpenAI SDKs do when told to: without it the gateway
    # withholds the usage chunk it asked the upstream for, and the client hears nothing for two of
    # the upstream's gaps before [DONE], which runs before 2026-12-04 20:40 counted as stalls
    body = json.dumps({"model": "bench-slow" if pid else "bench-model", "stream": True,
                       "stream_options": {"include_usage": True},
                       "messages": [{"role": "user", "content": bench.PROMPT}]}).encode()
    peak = {"threads": threads_of(pid) if pid else None}
    before = peak["threads"]
    stop = threading.Event()

    def sample():
        while not stop.wait(0.2):
            n = threads_of(pid)
            if n > peak["threads"]:
                peak["threads"], peak["names"] = n, thread_names(pid)
    if pid:
        threading.Thread(target=sample, daemon=True).start()
    plateau = {}
    launched = threading.Event()
    if pid and name != "warm-up" and os.environ.get("BENCH_PLATEAU", "1") == "1":
        # a second after the last stream was opened (and its first event due): what the open ones hold,
        # after a full GC; on a stretched ramp the first streams may have ended by then, so it is
        # divided by the streams open when measured, not by all of them
        def measure_plateau():
            launched.wait()
            if not stop.wait(TTFB + 1):
                before = open_streams(port)
                plateau["heap_mb"] = bench.heap_after_gc(pid)
                plateau["owners"] = heap_owners(pid)
                plateau["rss_mb"] = bench.memory(pid)["rss_mb"]
                # streams opening or ending while the heap was read: count them as half there
                plateau["open"] = (before + open_streams(port)) / 2
                if os.environ.get("BENCH_HEAP_DUMP"):  # the live heap itself, for bench/heap_arrays.py
                    subprocess.run(["jcmd", str(pid), "GC.heap_dump", os.path.abspath(os.environ["BENCH_HEAP_DUMP"])],
                                   stdout=subprocess.DEVNULL)
        threading.Thread(target=measure_plateau, daemon=True).start()
    t0 = time.monotonic()
    client_lags = []
    results = asyncio.run(many(port, path, headers, body, launched, client_lags))
    wall = time.monotonic() - t0
    stop.set()
    ok = [r for r in results if r[0] == 200 and r[3]]
    stalls = [r for r in results if r[0] != 200 or not r[3] or r[2] > STALL_S or r[4] > TTFB + STALL_S]
    # what kind of stall: a stream may be late to start and also stall later; each kind counts it once
    kinds = {"unfinished": sum(1 for r in results if r[0] != 200 or not r[3]),
             "first event late": sum(1 for r in results if r[4] is not None and r[4] > TTFB + STALL_S),
             "gap between events": sum(1 for r in results if r[2] > STALL_S)}
    gaps = sorted(r[2] for r in ok)
    firsts = sorted(r[4] for r in ok)
    row = {"name": name, "streams": len(results), "completed": len(ok), "stalls": len(stalls),
           "max_gap_s": gaps[-1] if gaps else None, "p99_gap_s": gaps[int(0.99 * (len(gaps) - 1))] if gaps else None,
           "first_p99_s": firsts[int(0.99 * (len(firsts) - 1))] if firsts else None,
           "wall_s": wall, "threads_before": before, "threads_peak": peak["threads"], "names": peak.get("names"),
           "statuses": sorted({r[0] for r in results}, key=str), "plateau": plateau, "kinds": kinds,
           "causes": stall_causes([r for r in results if r[2] > STALL_S], client_lags)}
    print(f"{name:8} {row['completed']}/{row['streams']} complete, {row['stalls']} stalls, longest gap "
          f"{row['max_gap_s']} s {kinds}, threads {before} -> {peak['threads']}, {wall:.1f} s", flush=True)
    print(f"         gaps over {STALL_S:g} s, by what was late while they lasted: {row['causes']}", flush=True)
    return row


CAUSE_S = 1.0  # a delay this long inside a gap accounts for most of a stall (the events' own gap is ~0.4 s)


def stall_causes(gapped, client_lags):
    """Each stream whose events came more than STALL_S apart, put down to what was late during its
    longest gap by CAUSE_S or more: the clients' event loop (this process), the upstream's event loop
    (its process notes its lateness in BENCH_LAG_FILE), or a garbage-collection pause of Tomcat's JVM
    (its GC log); or none of them, which leaves the gateway's own path."""
    sources = {"clients' loop late": client_lags, "upstream's loop late": read_pairs(UPSTREAM_LAGS),
               "Tomcat GC pause": gc_pauses(GC_LOG)}
    counts = {name: 0 for name in sources}
    counts["none of these"] = 0
    for r in gapped:
        end, start = r[5], r[5] - r[2]
        hit = [name for name, delays in sources.items()
               if any(d >= CAUSE_S and e - d < end and e > start for e, d in delays)]
        for name in hit:
            counts[name] += 1
        if not hit:
            counts["none of these"] += 1
    counts["longest delay (s)"] = {name: round(max((d for _, d in delays), default=0.0), 2)
                                   for name, delays in sources.items()}
    return counts


def read_pairs(path):
    """(wall-clock end, seconds) pairs, one a line."""
    if not path or not os.path.exists(path):
        return []
    return [tuple(float(x) for x in line.split()) for line in open(path) if line.strip()]


def gc_pauses(path):
    """(wall-clock end, seconds) of each pause in a JVM log written with -Xlog:gc:file=...:timemillis."""
    if not path or not os.path.exists(path):
        return []
    pauses = []
    for m in re.finditer(r"^\[(\d+)ms\].*Pause.* ([\d.]+)ms$", open(path).read(), re.M):
        pauses.append((int(m.group(1)) / 1000.0, float(m.group(2)) / 1000.0))
    return pauses


def main():
    global STREAMS
    args = bench.path_args("tomcat", "war", "work")
    # each stream is a socket here, one in the upstream's process, one in nginx's and one in Tomcat's
    # (its upstream side is multiplexed over HTTP/2): raise the bench's file-descriptor limit (root
    # may raise the hard limit too, outside a container), which Tomcat and nginx inherit
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(hard, STREAMS + 4096)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    procs = bench.Processes()
    try:
        global UPSTREAM_LAGS, GC_LOG
        slow, https, jvm = start_upstream(args.work, procs)
        UPSTREAM_LAGS = os.path.join(os.path.abspath(args.work), "upstream-lag.txt")
        GC_LOG = os.path.join(os.path.abspath(args.work), "tomcat-gc.log")
        if os.path.exists(GC_LOG):
            os.remove(GC_LOG)
        tc_port, tc_pid, db = bench.setup_tomcat(args.tomcat, args.war, args.work, {"slow": https}, procs, ("slow",),
                                                 connector=f'maxConnections="{MAX_CONNECTIONS}"',
                                                 jvm=f"{jvm} -Xms{HEAP_MB}m -Xmx{HEAP_MB}m "
                                                     f"-Xlog:gc:file={GC_LOG}:timemillis")
        headers = {"Authorization": f"Bearer {bench.CLIENT_KEY}"}
        # a short warm-up so the first streams do not pay for class loading
        total, STREAMS = STREAMS, 50
        run_streams("warm-up", tc_port, "/tollgate/v1/chat/completions", headers, tc_pid)
        STREAMS = total
        idle = {"heap_mb": bench.heap_after_gc(tc_pid), "owners": heap_owners(tc_pid),
                "rss_mb": bench.memory(tc_pid)["rss_mb"]}
        direct = run_streams("direct", slow, "/v1/chat/completions", {"Authorization": "Bearer sk-upstream"})
        tollgate = run_streams("tollgate", tc_port, "/tollgate/v1/chat/completions", headers, tc_pid)
        mem = bench.memory(tc_pid)
        bench.wait_recorded(tc_port)
        with sqlite3.connect(db) as conn:
            recorded = dict(conn.execute("SELECT status, COUNT(*) FROM usage_records GROUP BY status").fetchall())
            distinct = conn.execute("SELECT COUNT(DISTINCT id) = COUNT(*) FROM usage_records").fetchone()[0]
        sent = tollgate["streams"] + 50
        check = distinct == 1 and sum(recorded.values()) == sent and recorded.get(200, 0) == \
            tollgate["completed"] + 50
        write_report(direct, tollgate, mem, idle, recorded, sent, check)
        return 0 if check and tollgate["stalls"] == 0 else 1
    finally:
        procs.stop_all()


def write_report(direct, tollgate, mem, idle, recorded, sent, check):
    lines = [f"# Slow streams — {bench.stamp_utc()}", "", bench.machine_line(), "",
             f"{STREAMS} clients, each one stream of 22 events over {SECONDS:g} s (first byte after {TTFB:g} s), "
             f"opened over {RAMP:g} s. A stall: events more than {STALL_S:g} s apart, the first event more than "
             f"{STALL_S:g} s late, or no [DONE].", "",
             "| target | streams | complete | stalls | longest gap between events (s) | p99 gap (s) | p99 first event (s) "
             "| wall (s) | threads before → peak |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in (direct, tollgate):
        threads = "—" if r["threads_before"] is None else f"{r['threads_before']} → {r['threads_peak']}"
        lines.append(f"| {r['name']} | {r['streams']} | {r['completed']} | {r['stalls']} | {bench.fmt(r['max_gap_s'])} | "
                     f"{bench.fmt(r['p99_gap_s'])} | {bench.fmt(r['first_p99_s'])} | {r['wall_s']:.1f} | {threads} |")
    lines += ["", f"Stalls by kind, Tollgate: {tollgate['kinds']}; direct: {direct['kinds']}.",
              "", f"Gaps over {STALL_S:g} s by what was late by {CAUSE_S:g} s or more while they lasted (a stream may "
              f"count under several), Tollgate: {tollgate['causes']}; direct: {direct['causes']}.",
              "", f"Tollgate's threads at the peak, by name: {tollgate['names']}", "",
              f"Tollgate's Tomcat: peak RSS {mem['peak_rss_mb']:.0f} MiB, RSS at end {mem['rss_mb']:.0f} MiB.", "",
              per_stream(idle, tollgate["plateau"]), "",
              f"Record check: {sent} streams sent through Tollgate (50 of them warm-up), records by status {recorded}, "
              f"none duplicated: **{'PASS' if check else 'FAIL'}**", ""]
    bench.save_report("streams", "\n".join(lines))


def per_stream(idle, plateau):
    """Memory an open stream holds: the heap live after a full GC and the process's RSS, with every
    stream open, less the same when none was, divided by the streams open then."""
    n = plateau.get("open")
    if not n or plateau.get("heap_mb") is None or idle.get("heap_mb") is None:
        return "Memory per open stream: not measured (BENCH_PLATEAU=0, no jcmd, or the streams ended before the plateau)."
    heap = (plateau["heap_mb"] - idle["heap_mb"]) * 1024 / n
    rss = (plateau["rss_mb"] - idle["rss_mb"]) * 1024 / n
    text = (f"Memory per open stream, with {n:,.0f} open: **{heap:.1f} KB of live heap** (after a full GC: "
            f"{idle['heap_mb']:.0f} → {plateau['heap_mb']:.0f} MiB) and {rss:.1f} KB of RSS "
            f"({idle['rss_mb']:.0f} → {plateau['rss_mb']:.0f} MiB; the heap's RSS grows up to -Xmx whatever lives in it).")
    if plateau.get("owners") and idle.get("owners"):
        shares = ", ".join(f"{o}: {(plateau['owners'].get(o, 0) - idle['owners'].get(o, 0)) / 1024 / n:.1f} KB"
                           for o in [o for o, _ in OWNERS] + ["other JDK objects"])
        text += f" Of the live heap, per stream, by whose classes it is: {shares}."
    return text


if __name__ == "__main__" and sys.argv[1:2] == ["--upstream"]:
    serve_upstream(int(sys.argv[2]))
elif __name__ == "__main__":
    sys.exit(main())
