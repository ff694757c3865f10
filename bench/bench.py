#!/usr/bin/env python3
"""Tollgate benchmark: Tollgate on a real Tomcat, the Portkey gateway and the upstream called
directly, side by side on one machine, against nginx serving fixed OpenAI answers.

Started by bench/run.sh, which installs and builds what this needs. Runs are interleaved (every
round runs each scenario against each target in turn) so drift hits all alike; the table reports
the median over rounds. See bench/README.md for what each figure means.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CLIENT_KEY = "sk-bench-client"
PROMPT = "Say something for the benchmark."


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except Exception as e:  # the target is not up yet
        return None, str(e)


def wait_for(url, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        status, body = http_get(url)
        if status == 200:
            return body
        time.sleep(0.5)
    sys.exit(f"bench: {url} did not come up within {seconds}s")


class Processes:
    def __init__(self):
        self.procs = []

    def start(self, name, cmd, env=None, log=None):
        out = open(log, "w") if log else subprocess.DEVNULL
        p = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT)
        self.procs.append((name, p))
        return p

    def stop_all(self):
        for _, p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()


def setup_nginx(work, procs):
    ports = {"json": free_port(), "sse": free_port(), "otlp": free_port()}
    for kind, fixture in (("json", "chat.json"), ("sse", "chat.sse")):
        target = os.path.join(work, f"www-{kind}", "v1", "chat")
        os.makedirs(target, exist_ok=True)
        shutil.copy(os.path.join(HERE, "fixtures", fixture), os.path.join(target, "completions"))
    start_nginx(work, procs, "nginx", {"@JSON_PORT@": ports["json"], "@SSE_PORT@": ports["sse"],
                                       "@OTLP_PORT@": ports["otlp"]})
    return ports


def start_nginx(work, procs, name, ports):
    """An nginx process from bench/<name>.conf.template, its @PORT@ placeholders filled in."""
    conf = open(os.path.join(HERE, name + ".conf.template")).read().replace("@WORK@", os.path.abspath(work))
    for placeholder, port in ports.items():
        conf = conf.replace(placeholder, str(port))
    path = os.path.join(work, name + ".conf")
    open(path, "w").write(conf)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    procs.start(name, [nginx, "-c", os.path.abspath(path), "-g", "daemon off;"])
    time.sleep(1)


def setup_proxy(work, procs, upstream):
    """nginx as a bare reverse proxy to the upstream, in a process of its own: its ports by kind."""
    ports = {"json": free_port(), "sse": free_port()}
    start_nginx(work, procs, "nginx-proxy", {"@PROXY_JSON_PORT@": ports["json"], "@PROXY_SSE_PORT@": ports["sse"],
                                             "@JSON_PORT@": upstream["json"], "@SSE_PORT@": upstream["sse"]})
    return ports


def setup_tomcat(home, war, work, upstream, procs, kinds=("json", "sse"), name="tollgate-bench", extra="",
                 connector="", jvm=""):
    """Tomcat configured the way tomcat-conf/README.md says, with the production defaults (plus
    the config lines in extra; name tells the config file and log of one instance from another's;
    connector: attributes added to the HTTP connector, for a run that needs more than its defaults;
    jvm: options added to the JVM's, such as a trust store for an HTTPS upstream)."""
    http, shutdown = free_port(), free_port()
    subprocess.run(["sh", os.path.join(ROOT, "tomcat-conf", "install-lib.sh"), war, home], check=True,
                   stdout=subprocess.DEVNULL)
    os.makedirs(os.path.join(home, "conf", "Catalina", "localhost"), exist_ok=True)
    shutil.copy(os.path.join(ROOT, "tomcat-conf", "Catalina", "localhost", "tollgate.xml"),
                os.path.join(home, "conf", "Catalina", "localhost", "tollgate.xml"))
    data = os.path.join(home, "data", "tollgate")
    shutil.rmtree(data, ignore_errors=True)
    os.makedirs(data)
    dist = os.path.join(home, "conf", "server.xml.dist")
    if not os.path.exists(dist):
        shutil.copy(os.path.join(home, "conf", "server.xml"), dist)
    server = open(dist).read().replace('port="8080"', f'port="{http}" {connector}').replace('port="8005"', f'port="{shutdown}"')
    open(os.path.join(home, "conf", "server.xml"), "w").write(server)
    shutil.rmtree(os.path.join(home, "webapps", "tollgate"), ignore_errors=True)
    # the upstream's answers as static files: Tomcat's own latency, the floor under any web app in it
    floor = os.path.join(home, "webapps", "ROOT", "bench-floor")
    os.makedirs(floor, exist_ok=True)
    for fixture in ("chat.json", "chat.sse"):
        shutil.copy(os.path.join(HERE, "fixtures", fixture), os.path.join(floor, fixture))
    shutil.copy(war, os.path.join(home, "webapps", "tollgate.war"))
    config = os.path.join(os.path.abspath(work), name + ".yaml")
    open(config, "w").write("# benchmark config: production defaults (SQLite via the JNDI pool, recorder and metering on)\n"
                            + gateway_config(upstream, kinds) + extra)
    opts = f"-Dtollgate.config={config} -Xms512m -Xmx512m {jvm}".rstrip()
    if os.environ.get("BENCH_JFR"):  # a flight recording of the whole run, for profiles (bench/README.md)
        opts += f" -XX:StartFlightRecording=filename={os.path.abspath(os.environ['BENCH_JFR'].replace('{name}', name))},settings=profile,dumponexit=true"
    env = {"CATALINA_HOME": os.path.abspath(home), "CATALINA_BASE": os.path.abspath(home), "CATALINA_OPTS": opts}
    p = procs.start(name, ["sh", os.path.join(home, "bin", "catalina.sh"), "run"], env,
                    log=os.path.join(work, name + ".log"))
    wait_for(f"http://127.0.0.1:{http}/tollgate/_qs/health")
    return http, p.pid, os.path.join(data, "tollgate.db")


def gateway_config(upstream, kinds):
    """The config lines every benchmarked gateway shares: the client key and the nginx upstreams
    (each a port on loopback, or a whole base URL)."""
    alias = {"json": "bench-json", "sse": "bench-stream", "slow": "bench-slow"}

    def base(k):
        return upstream[k] if isinstance(upstream[k], str) else f"http://127.0.0.1:{upstream[k]}/v1"
    return f"api-keys: [{CLIENT_KEY}]\nopenai-compatibility:\n" + "".join(
        f"  - name: nginx-{k}\n    base-url: {base(k)}\n    api-key: sk-upstream\n"
        f"    models: [{{id: bench-model, alias: {alias[k]}}}]\n" for k in kinds)


def setup_portkey(script, work, procs):
    port = free_port()
    node = shutil.which("node")
    # Portkey 1.15.2 cannot stream on Node's fetch without this preload (bench/portkey-streams.cjs)
    p = procs.start("portkey", [node, "--require", os.path.join(HERE, "portkey-streams.cjs"),
                                os.path.basename(script), f"--port={port}"],
                    log=os.path.join(work, "portkey.log"))
    os.chdir(ROOT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return port, p.pid
        except OSError:
            time.sleep(0.5)
    sys.exit("bench: the Portkey gateway did not start")


def wrk(url, body, headers, connections, duration):
    threads = 1 if connections == 1 else 2
    env = {**os.environ, "BENCH_BODY": body, "BENCH_HEADERS": "|".join(f"{k}: {v}" for k, v in headers.items())}
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}", "--latency",
                          "-s", os.path.join(HERE, "wrk-post.lua"), url], env=env, capture_output=True, text=True).stdout
    return parse_wrk(out)


def parse_wrk(out):
    def ms(value, unit):
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    pct = {p: ms(v, u) for p, v, u in re.findall(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)", out, re.M)}
    completed = int(re.search(r"(\d+) requests in", out).group(1)) if "requests in" in out else 0
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    kinds = dict(zip(("connect", "read", "write", "timeout"), (int(x) for x in errors.groups()))) if errors else {}
    return {"rps": float(rps.group(1)) if rps else 0.0, "p50": pct.get("50"), "p99": pct.get("99"),
            "completed": completed, "non2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": sum(kinds.values()), "socket_error_kinds": kinds}


def http_client(url, body, duration):
    """The JDK HttpClient alone against the same URL, one caller (HttpClientFloor.java)."""
    out = subprocess.run(["java", os.path.join(HERE, "HttpClientFloor.java"), url, duration.rstrip("s")],
                         env={**os.environ, "BENCH_BODY": body}, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("bench: HttpClientFloor failed: " + out.stderr[-2000:])
    return {**json.loads(out.stdout.strip().splitlines()[-1]), "non2xx": 0, "socket_errors": 0}


def overhead_ms(url, body, headers, n=500):
    """Tollgate's own account of its time (x-tollgate-overhead-ms: in the gateway, outside the
    upstream call, up to the moment the answer's headers leave) over n sequential calls."""
    values = []
    for _ in range(n):
        req = urllib.request.Request(url, data=body.encode(), headers={**headers, "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            r.read()
            values.append(float(r.headers["x-tollgate-overhead-ms"]))
    values.sort()
    return {"p50": values[len(values) // 2], "p99": values[int(0.99 * (len(values) - 1))], "n": n}


def memory(pid):
    status = open(f"/proc/{pid}/status").read()
    kb = lambda key: int(re.search(rf"{key}:\s+(\d+) kB", status).group(1))
    return {"peak_rss_mb": kb("VmHWM") / 1024, "rss_mb": kb("VmRSS") / 1024}


def heap_after_gc(pid):
    jcmd = shutil.which("jcmd")
    if not jcmd:
        return None
    subprocess.run([jcmd, str(pid), "GC.run"], capture_output=True)
    info = subprocess.run([jcmd, str(pid), "GC.heap_info"], capture_output=True, text=True).stdout
    used = re.search(r"used (\d+)K", info)
    return int(used.group(1)) / 1024 if used else None


def wait_recorded(port, seconds=60):
    """Waits until the instance's recorder has written everything it holds."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if '"queue_depth":0' in http_get(f"http://127.0.0.1:{port}/tollgate/_qs/health")[1]:
            return
        time.sleep(0.5)


def stamp_utc():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def machine_line():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    return (f"Machine: {os.cpu_count()} cores ({cpu}), "
            f"{round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB, "
            f"{platform.system()} {platform.release()}; load generator, gateways and upstream share it.")


def save_report(prefix, text):
    """Prints a results table and keeps it as results/<prefix><UTC time>.md and results/<prefix>latest.md."""
    print("\n" + text)
    out = os.path.join(HERE, "results")
    os.makedirs(out, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H%M")
    name = prefix + "-" if prefix else ""
    open(os.path.join(out, f"{name}{stamp}.md"), "w").write(text)
    open(os.path.join(out, f"{name}latest.md"), "w").write(text)


def path_args(*names):
    """The command line's required --name PATH options, as absolute paths (attributes by name)."""
    a = argparse.ArgumentParser()
    for name in names:
        a.add_argument("--" + name, required=True)
    args = a.parse_args()
    for name in names:
        setattr(args, name, os.path.abspath(getattr(args, name)))
    return args


def settings():
    """The run's length, rounds, high concurrency and warm-up, from the environment (bench/run.sh)."""
    return (os.environ.get("BENCH_DURATION", "10s"), int(os.environ.get("BENCH_ROUNDS", "2")),
            int(os.environ.get("BENCH_CONCURRENCY", "64")), os.environ.get("BENCH_WARMUP", "10s"))


def main():
    args = path_args("tomcat", "war", "portkey", "work")
    duration, rounds, high, warmup = settings()

    procs = Processes()
    try:
        upstream = setup_nginx(args.work, procs)
        proxy = setup_proxy(args.work, procs, upstream)
        tc_port, tc_pid, db = setup_tomcat(args.tomcat, os.path.abspath(args.war), args.work, upstream, procs)
        os.chdir(os.path.dirname(os.path.abspath(args.portkey)))
        pk_port, pk_pid = setup_portkey(os.path.abspath(args.portkey), os.path.abspath(args.work), procs)

        def target(name, kind):
            stream = kind == "sse"
            body = {"model": "bench-model", "messages": [{"role": "user", "content": PROMPT}], "stream": stream}
            if name == "direct":
                return f"http://127.0.0.1:{upstream[kind]}/v1/chat/completions", body, {"Authorization": "Bearer sk-upstream"}
            if name == "nginx":
                return f"http://127.0.0.1:{proxy[kind]}/v1/chat/completions", body, {"Authorization": "Bearer sk-upstream"}
            if name == "tollgate":
                body["model"] = "bench-stream" if stream else "bench-json"
                return f"http://127.0.0.1:{tc_port}/tollgate/v1/chat/completions", body, {"Authorization": f"Bearer {CLIENT_KEY}"}
            return (f"http://127.0.0.1:{pk_port}/v1/chat/completions", body,
                    {"Authorization": "Bearer sk-upstream", "x-portkey-provider": "openai",
                     "x-portkey-custom-host": f"http://127.0.0.1:{upstream[kind]}/v1"})

        targets = ["direct", "nginx", "tollgate", "portkey"]
        scenarios = [("non-stream", "json", 1), ("non-stream", "json", high), ("stream", "sse", 1), ("stream", "sse", high)]
        tollgate_completed = 0
        tollgate_runs = []
        for name in ("tollgate", "portkey"):  # warm up the JIT and the pools (BENCH_WARMUP per scenario)
            for _, kind, c in scenarios:
                url, body, headers = target(name, kind)
                r = wrk(url, json.dumps(body), headers, c, warmup)
                if name == "tollgate":
                    tollgate_completed += r["completed"]
                    tollgate_runs.append(c)
        results = {}
        for rnd in range(rounds):
            for label, kind, c in scenarios:
                order = targets[rnd % len(targets):] + targets[:rnd % len(targets)]
                for name in order:
                    url, body, headers = target(name, kind)
                    r = wrk(url, json.dumps(body), headers, c, duration)
                    results.setdefault((label, c, name), []).append(r)
                    if name == "tollgate":
                        tollgate_completed += r["completed"]
                        tollgate_runs.append(c)
                    print(f"round {rnd + 1} {label:10} c={c:<4} {name:8} {r['rps']:9.0f} req/s  "
                          f"p50 {r['p50']} ms  p99 {r['p99']} ms  non-2xx {r['non2xx']}", flush=True)
                if c == 1:  # the floors: what Tomcat and the JDK HttpClient cost alone, in the same round
                    url, body, _ = target("direct", kind)
                    for name, r in (("tomcat-file", lambda: wrk(f"http://127.0.0.1:{tc_port}/bench-floor/chat.{kind}",
                                                                json.dumps(body), {}, 1, duration)),
                                    ("httpclient", lambda: http_client(url, json.dumps(body), duration))):
                        r = r()
                        results.setdefault((label, c, name), []).append(r)
                        print(f"round {rnd + 1} {label:10} c=1    {name:11} p50 {r['p50']} ms  p99 {r['p99']} ms", flush=True)

        overhead = {}
        for label, kind, _ in scenarios[::2]:
            url, body, headers = target("tollgate", kind)
            overhead[label] = overhead_ms(url, json.dumps(body), headers)
            tollgate_completed += overhead[label]["n"]
        mem = {"tollgate": memory(tc_pid), "portkey": memory(pk_pid)}
        mem["tollgate"]["heap_after_gc_mb"] = heap_after_gc(tc_pid)

        # every request Tollgate saw must be in the database exactly once
        wait_recorded(tc_port)
        with sqlite3.connect(db) as conn:
            recorded = conn.execute("SELECT COUNT(*) FROM usage_records").fetchone()[0]
            distinct = conn.execute("SELECT COUNT(DISTINCT id) FROM usage_records").fetchone()[0]
            by_status = dict(conn.execute("SELECT status, COUNT(*) FROM usage_records GROUP BY status").fetchall())
        in_flight_bound = sum(tollgate_runs)
        check_ok = distinct == recorded and tollgate_completed <= recorded <= tollgate_completed + in_flight_bound
        write_report(results, scenarios, mem, overhead, recorded, by_status, tollgate_completed, in_flight_bound,
                     check_ok, duration, rounds)
        return 0 if check_ok else 1
    finally:
        procs.stop_all()


def med(runs, key):
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=2):
    return "—" if v is None else f"{v:,.{digits}f}"


def signed(v):
    """Milliseconds added, with their sign: a floor can measure faster than direct by noise."""
    return "—" if v is None else f"{v:+,.3f}"


def ratio(a, b):
    return "—" if not a or not b else f"{a / b:.2f}×"


def write_report(results, scenarios, mem, overhead, recorded, by_status, completed, bound, ok, duration, rounds):
    lines = [f"# Benchmark results — {stamp_utc()}", "", machine_line(),
             "",
             f"Each figure is the median of {rounds} interleaved runs of {duration}.", "",
             "| scenario | concurrency | figure | direct | nginx proxy | Tollgate | Portkey | Tollgate vs direct "
             "| Tollgate vs nginx proxy | Tollgate vs Portkey |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for label, _, c in scenarios:
        d, n, t, p = (results[(label, c, name)] for name in ("direct", "nginx", "tollgate", "portkey"))
        p_failed = sum(r["non2xx"] for r in p) > 0
        pk = lambda key: None if p_failed else med(p, key)
        if c == 1:
            for key in ("p50", "p99"):
                added = None if med(t, key) is None else med(t, key) - med(d, key)
                added_ng = med(n, key) - med(d, key)
                added_pk = None if pk(key) is None else pk(key) - med(d, key)
                lines.append(f"| {label} | 1 | latency {key} (ms) | {fmt(med(d, key), 3)} | {fmt(med(n, key), 3)} "
                             f"({signed(added_ng)}) | {fmt(med(t, key), 3)} | "
                             f"{fmt(pk(key), 3) if not p_failed else 'failed'} | {signed(added)} ms added | "
                             f"{ratio(added, added_ng) + ' of its added latency' if added_ng > 0 else '—'} | "
                             f"{ratio(added, added_pk) + ' of its added latency' if added_pk else '—'} |")
        lines.append(f"| {label} | {c} | throughput (req/s) | {fmt(med(d, 'rps'), 0)} | {fmt(med(n, 'rps'), 0)} | "
                     f"{fmt(med(t, 'rps'), 0)} | {fmt(pk('rps'), 0) if not p_failed else 'failed'} | "
                     f"{ratio(med(t, 'rps'), med(d, 'rps'))} | {ratio(med(t, 'rps'), med(n, 'rps'))} | "
                     f"{ratio(med(t, 'rps'), pk('rps'))} |")
        bad_t = sum(r["non2xx"] + r["socket_errors"] for r in t)
        bad_n = sum(r["non2xx"] + r["socket_errors"] for r in n)
        if bad_t or bad_n:
            lines.append(f"| {label} | {c} | errors | | {bad_n} | {bad_t} | | | | |")
    lines += ["", "Where the added latency at c=1 comes from: the two parts Tollgate is built on, each alone "
              "in the same rounds, as latency added over direct (median of the rounds). Tomcat: the upstream's "
              "answer served by Tomcat as a static file. JDK HttpClient: the client set up as Tollgate's, "
              "calling the upstream from one thread (`HttpClientFloor.java`).", "",
              "| scenario | figure | Tomcat alone | JDK HttpClient alone | both floors | Tollgate |", "|---|---|---|---|---|---|"]
    for label, _, c in scenarios:
        if c != 1:
            continue
        d = results[(label, 1, "direct")]
        for key in ("p50", "p99"):
            added = {n: med(results[(label, 1, n)], key) - med(d, key) for n in ("tomcat-file", "httpclient", "tollgate")}
            lines.append(f"| {label} | added {key} (ms) | {signed(added['tomcat-file'])} | {signed(added['httpclient'])} | "
                         f"{signed(added['tomcat-file'] + added['httpclient'])} | {signed(added['tollgate'])} |")
    lines += ["", "Tollgate's own overhead as it reports it (`x-tollgate-overhead-ms`), over "
              f"{next(iter(overhead.values()))['n']} sequential calls each: "
              + "; ".join(f"{k}: p50 {v['p50']:.3f} ms, p99 {v['p99']:.3f} ms" for k, v in overhead.items()) + "."]
    lines += ["", "| memory | peak RSS (MiB) | RSS at end (MiB) | heap after GC (MiB) |", "|---|---|---|---|",
              f"| Tollgate (Tomcat JVM, -Xmx512m) | {fmt(mem['tollgate']['peak_rss_mb'], 0)} | "
              f"{fmt(mem['tollgate']['rss_mb'], 0)} | {fmt(mem['tollgate']['heap_after_gc_mb'], 1)} |",
              f"| Portkey (node) | {fmt(mem['portkey']['peak_rss_mb'], 0)} | {fmt(mem['portkey']['rss_mb'], 0)} | — |", "",
              f"Record check: Tollgate completed {completed} requests (warm-up included) and recorded {recorded} "
              f"(by status: {by_status}); up to {bound} more may be requests wrk cut off when each run ended, "
              f"which are recorded too. No duplicates. **{'PASS' if ok else 'FAIL'}**", ""]
    save_report("", "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
