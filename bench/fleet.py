#!/usr/bin/env python3
"""Fleet benchmark: one and two Tollgate instances (real Tomcats set up from
tomcat-conf/postgresql/) sharing one real PostgreSQL, behind an nginx load balancer, against the
same nginx fake upstream as bench.py. Started by `sh bench/run.sh fleet`.

Two kinds of caller: a config api-key (no limits: the database sees only the batched recorder)
and an issued key with a limit far away (admitted from quota slices: about one ledger transaction
per instance per second). Last, a key whose requests-per-minute limit the run reaches: the records
say how many calls the two instances let through against it (never more than the limit). Runs are interleaved; the table reports the median over rounds, and the
record check counts the rows in PostgreSQL against the requests wrk completed.
"""
import atexit
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import (CLIENT_KEY, HERE, PROMPT, ROOT, Processes, fmt, free_port, gateway_config, http_get, med, path_args,  # noqa: E402
                   save_report, settings, setup_nginx, stamp_utc, wait_for, wait_recorded, wrk)

ADMIN = "Basic " + base64.b64encode(b"tg-admin:admin-pass").decode()
# A key whose limit the last run reaches: what the fleet lets through against it, from the records.
# The run is shorter than the limit's minute, so the window does not slide meanwhile.
CAP = int(os.environ.get("BENCH_FLEET_CAP", "5000"))
CAP_RUN = "20s"


def as_postgres(cmd):
    return (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []) + cmd


def setup_postgres(work, procs):
    bins = sorted(d for d in os.listdir("/usr/lib/postgresql") if os.path.exists(f"/usr/lib/postgresql/{d}/bin/initdb"))
    if not bins:
        sys.exit("bench: PostgreSQL is not installed (apt-get install postgresql)")
    bin_dir = f"/usr/lib/postgresql/{bins[-1]}/bin"
    data = tempfile.mkdtemp(prefix="tollgate-bench-pg")  # the postgres user must reach it: not under a private home
    atexit.register(shutil.rmtree, data, True)
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "postgres:postgres", data], check=True)
    subprocess.run(as_postgres([f"{bin_dir}/initdb", "-D", f"{data}/data", "-U", "tollgate", "--auth=trust",
                                "-E", "UTF8", "--no-instructions"]), check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    procs.start("postgres", as_postgres([f"{bin_dir}/postgres", "-D", f"{data}/data", "-p", str(port), "-k", data,
                                         "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"]),
                log=os.path.join(work, "postgres.log"))
    deadline = time.time() + 60
    while subprocess.run(as_postgres([f"{bin_dir}/pg_isready", "-h", "127.0.0.1", "-p", str(port)]),
                         stdout=subprocess.DEVNULL).returncode != 0:
        if time.time() > deadline:
            sys.exit("bench: PostgreSQL did not start")
        time.sleep(0.3)
    return port, bin_dir


def setup_instance(home, war, driver, work, name, pg_port, upstream, procs):
    """A CATALINA_BASE of its own, set up as tomcat-conf/README.md says for PostgreSQL."""
    base = os.path.join(work, f"fleet-{name}")
    shutil.rmtree(base, ignore_errors=True)
    for d in ("conf/Catalina/localhost", "lib", "logs", "temp", "work", "webapps"):
        os.makedirs(os.path.join(base, d))
    for f in ("web.xml", "catalina.properties", "logging.properties", "context.xml"):
        shutil.copy(os.path.join(home, "conf", f), os.path.join(base, "conf", f))
    dist = os.path.join(home, "conf", "server.xml.dist")
    server = open(dist if os.path.exists(dist) else os.path.join(home, "conf", "server.xml")).read()
    http = free_port()
    open(os.path.join(base, "conf", "server.xml"), "w").write(
        server.replace('port="8080"', f'port="{http}"').replace('port="8005"', 'port="-1"'))
    shutil.copy(os.path.join(ROOT, "tomcat-conf", "tomcat-users.xml"), os.path.join(base, "conf"))
    with open(os.path.join(base, "conf", "catalina.properties"), "a") as props:  # as tomcat-conf/postgresql/ says
        props.write(f"\ntollgate.db.url=jdbc:postgresql://127.0.0.1:{pg_port}/postgres\n"
                    "tollgate.db.user=tollgate\ntollgate.db.password=\n")
    shutil.copy(os.path.join(ROOT, "tomcat-conf", "postgresql", "Catalina", "localhost", "tollgate.xml"),
                os.path.join(base, "conf", "Catalina", "localhost", "tollgate.xml"))
    subprocess.run(["sh", os.path.join(ROOT, "tomcat-conf", "install-lib.sh"), war, base, driver], check=True,
                   stdout=subprocess.DEVNULL)
    shutil.copy(war, os.path.join(base, "webapps", "tollgate.war"))
    config = os.path.join(base, "tollgate.yaml")
    open(config, "w").write(f"instance-id: bench-{name}\n" + gateway_config(upstream, ("json",)))
    env = {"CATALINA_HOME": home, "CATALINA_BASE": base,
           "CATALINA_OPTS": f"-Dtollgate.config={config} -Xms512m -Xmx512m"}
    procs.start(f"tomcat-{name}", ["sh", os.path.join(home, "bin", "catalina.sh"), "run"], env,
                log=os.path.join(base, "logs", "console.log"))
    return http


def setup_balancer(work, name, ports, procs):
    port = free_port()
    servers = "".join(f"server 127.0.0.1:{p};" for p in ports)
    conf = os.path.join(work, f"lb-{name}.conf")
    open(conf, "w").write(f"""worker_processes 1;
pid {work}/lb-{name}.pid;
error_log {work}/lb-{name}-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    upstream fleet {{ {servers} keepalive 128; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{ proxy_pass http://fleet; proxy_http_version 1.1; proxy_set_header Connection ""; }}
    }}
}}
""")
    procs.start(f"lb-{name}", [shutil.which("nginx") or "/usr/sbin/nginx", "-c", conf, "-g", "daemon off;"])
    time.sleep(0.5)
    return port


def request(url, method="GET", body=None):
    req = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": ADMIN, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read().decode() or "{}")


def psql(bin_dir, pg_port, sql):
    return subprocess.run(as_postgres([f"{bin_dir}/psql", "-h", "127.0.0.1", "-p", str(pg_port), "-U", "tollgate",
                                       "-d", "postgres", "-tAc", sql]),
                          capture_output=True, text=True, check=True).stdout.strip()


def count_admitted(bin_dir, pg_port, key_id):
    """Calls of the capped key let through its limit, as the records say (a refused call is recorded too)."""
    return int(psql(bin_dir, pg_port, f"SELECT COUNT(*) FROM usage_records WHERE key_id = '{key_id}' AND admitted = 1"))


def count_records(bin_dir, pg_port):
    total, distinct = psql(bin_dir, pg_port, "SELECT COUNT(*), COUNT(DISTINCT id) FROM usage_records").split("|")
    return int(total), int(distinct)


def main():
    args = path_args("tomcat", "war", "driver", "work")
    home, war, driver, work = args.tomcat, args.war, args.driver, args.work
    duration, rounds, high, warmup = settings()
    procs = Processes()
    try:
        upstream = setup_nginx(work, procs)
        pg_port, bin_dir = setup_postgres(work, procs)
        a_port = setup_instance(home, war, driver, work, "a", pg_port, upstream, procs)
        wait_for(f"http://127.0.0.1:{a_port}/tollgate/_qs/health")  # the first migrates alone
        b_port = setup_instance(home, war, driver, work, "b", pg_port, upstream, procs)
        wait_for(f"http://127.0.0.1:{b_port}/tollgate/_qs/health")
        balancers = {1: setup_balancer(work, "one", [a_port], procs), 2: setup_balancer(work, "two", [a_port, b_port], procs)}
        admin = f"http://127.0.0.1:{a_port}/tollgate/admin/"
        request(admin + "users", "POST", {"id": "bench", "name": "Bench"})
        issued = request(admin + "users/bench/keys", "POST", {"name": "limited"})
        request(admin + f"keys/{issued['id']}/limits", "PUT", {"requests_per_day": 1_000_000_000})
        callers = {"config key": CLIENT_KEY, "limited key": issued["key"]}
        body = json.dumps({"model": "bench-json", "messages": [{"role": "user", "content": PROMPT}]})
        completed, cut_bound = 0, 0

        def run(instances, caller, length):
            nonlocal completed, cut_bound
            url = f"http://127.0.0.1:{balancers[instances]}/tollgate/v1/chat/completions"
            r = wrk(url, body, {"Authorization": f"Bearer {callers[caller]}"}, high, length)
            completed += r["completed"]
            cut_bound += high
            return r

        for caller in callers:
            for instances in (1, 2):
                run(instances, caller, warmup)
        results = {}
        for rnd in range(rounds):
            for caller in callers:
                for instances in ((1, 2) if rnd % 2 == 0 else (2, 1)):
                    r = run(instances, caller, duration)
                    results.setdefault((caller, instances), []).append(r)
                    print(f"round {rnd + 1} {caller:12} {instances} instance(s) {r['rps']:9.0f} req/s  "
                          f"p50 {r['p50']} ms  p99 {r['p99']} ms  non-2xx {r['non2xx']}", flush=True)
        capped = request(admin + "users/bench/keys", "POST", {"name": "capped"})
        request(admin + f"keys/{capped['id']}/limits", "PUT", {"requests_per_minute": CAP})
        time.sleep(11)  # the other instance re-reads limits every 10 s; until then it would not know this one
        url = f"http://127.0.0.1:{balancers[2]}/tollgate/v1/chat/completions"
        cap_run = wrk(url, body, {"Authorization": f"Bearer {capped['key']}"}, high, CAP_RUN)
        completed += cap_run["completed"]
        cut_bound += high
        print(f"capped key ({CAP} a minute), 2 instances, {CAP_RUN}: {cap_run['completed']} calls, "
              f"{cap_run['non2xx']} refused", flush=True)
        for port in (a_port, b_port):
            wait_recorded(port)
        recorded, distinct = count_records(bin_dir, pg_port)
        admitted = count_admitted(bin_dir, pg_port, capped["id"])
        ok = distinct == recorded and completed <= recorded <= completed + cut_bound and admitted <= CAP
        write_report(results, callers, recorded, completed, cut_bound, ok, duration, rounds, high,
                     (admitted, cap_run))
        return 0 if ok else 1
    finally:
        procs.stop_all()


def write_report(results, callers, recorded, completed, bound, ok, duration, rounds, high, capped):
    lines = [f"# Fleet benchmark — {stamp_utc()}", "",
             f"{os.cpu_count()} cores shared by wrk, nginx (upstream and balancer), PostgreSQL and the Tomcats. "
             f"Non-streaming at c={high}; median of {rounds} interleaved runs of {duration}.", "",
             "| caller | 1 instance (req/s) | 2 instances (req/s) | scale | p99 1 → 2 (ms) | errors |", "|---|---|---|---|---|---|"]
    for caller in callers:
        one, two = results[(caller, 1)], results[(caller, 2)]
        errors = sum(r["non2xx"] + r["socket_errors"] for r in one + two)
        lines.append(f"| {caller} | {fmt(med(one, 'rps'), 0)} | {fmt(med(two, 'rps'), 0)} | "
                     f"{med(two, 'rps') / med(one, 'rps'):.2f}× | {fmt(med(one, 'p99'))} → {fmt(med(two, 'p99'))} | {errors} |")
    admitted, cap_run = capped
    lines += ["", f"Capped key, {CAP:,} requests a minute, driven at c={high} through both instances for {CAP_RUN}: "
                  f"{cap_run['completed']:,} calls, **{admitted:,} admitted** ({(admitted - CAP) / CAP * 100:+.2f} % against "
                  f"the limit), {cap_run['non2xx']:,} refused with 429."]
    lines += ["", f"Record check: {completed} requests completed (warm-up included), {recorded} records in PostgreSQL, "
                  f"none duplicated; up to {bound} more may be requests wrk cut off at the end of a run. "
                  f"**{'PASS' if ok else 'FAIL'}**", ""]
    save_report("fleet", "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
