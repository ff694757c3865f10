#!/bin/sh
# One command for the whole benchmark: installs what a fresh machine lacks (nginx, wrk, the Portkey
# gateway from npm), builds the WAR, sets up a real Tomcat the way tomcat-conf/ says, and runs
# bench.py. Options go through the environment: BENCH_DURATION (default 10s per run),
# BENCH_ROUNDS (default 2), BENCH_CONCURRENCY (default 64), BENCH_WARMUP (default 10s per scenario
# and gateway, so the JIT has compiled the hot path). Results: bench/results/.
#   sh bench/run.sh         Tollgate vs Portkey vs direct (bench.py)
#   sh bench/run.sh fleet   one vs two Tollgate instances on one PostgreSQL (fleet.py)
#   sh bench/run.sh streams 2,000 concurrent 10-second streams: stalls, threads, records (slow_streams.py)
#   sh bench/run.sh soak    10 minutes of load, RSS sampled every 30 s (soak.py; BENCH_SOAK seconds)
#   sh bench/run.sh durability  the journal's cost: journaled vs buffered Tollgate side by side (ab.py)
#   sh bench/run.sh logs        the request log's cost: logs on vs off, side by side (ab.py)
#   sh bench/run.sh limits      a key with limits vs without (ab.py)
#   sh bench/run.sh otel        OpenTelemetry on vs off (ab.py)
#   sh bench/metrics.sh     /_qs/metrics over 10 million records (needs only a JDK and Maven)
set -eu
mode=${1:-single}
cd "$(dirname "$0")/.."
need=""
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need="$need nginx-light"
command -v wrk >/dev/null 2>&1 || need="$need wrk"
# the streams run makes a certificate for its HTTPS upstream
command -v openssl >/dev/null 2>&1 || need="$need openssl"
[ "$mode" != fleet ] || [ -d /usr/lib/postgresql ] || need="$need postgresql"
if [ -n "$need" ]; then
  apt-get update -q >/dev/null && apt-get install -y -q $need >/dev/null
fi
work=bench/.work
mkdir -p "$work"
if [ ! -f "$work/portkey/node_modules/@portkey-ai/gateway/build/start-server.js" ]; then
  mkdir -p "$work/portkey"
  (cd "$work/portkey" && npm init -y >/dev/null && npm install --no-audit --no-fund @portkey-ai/gateway@1.15.2 >/dev/null)
fi
mvn -q -B package -DskipTests
tomcat_version=$(sed -n 's:.*<tomcat.version>\(.*\)</tomcat.version>.*:\1:p' pom.xml)
# Maven 3.8 colours even -q -B output; strip the escape codes
repo=$(mvn -q -B help:evaluate -Dexpression=settings.localRepository -DforceStdout | sed 's/\x1b\[[0-9;]*m//g')
if [ ! -d "$work/apache-tomcat-$tomcat_version" ]; then
  mvn -q -B dependency:get -Dartifact=org.apache.tomcat:tomcat:"$tomcat_version":zip -Dtransitive=false
  (cd "$work" && jar xf "$repo/org/apache/tomcat/tomcat/$tomcat_version/tomcat-$tomcat_version.zip")
fi
if [ "$mode" = fleet ]; then
  pg_version=$(grep -A1 '<artifactId>postgresql</artifactId>' pom.xml | sed -n 's:.*<version>\(.*\)</version>.*:\1:p' | head -n 1)
  mvn -q -B dependency:get -Dartifact=org.postgresql:postgresql:"$pg_version" -Dtransitive=false
  exec python3 bench/fleet.py --tomcat "$work/apache-tomcat-$tomcat_version" --war target/tollgate.war \
    --driver "$repo/org/postgresql/postgresql/$pg_version/postgresql-$pg_version.jar" --work "$work"
fi
case "$mode" in
  streams) exec python3 bench/slow_streams.py --tomcat "$work/apache-tomcat-$tomcat_version" --war target/tollgate.war --work "$work" ;;
  soak) exec python3 bench/soak.py --tomcat "$work/apache-tomcat-$tomcat_version" --war target/tollgate.war --work "$work" ;;
  durability|logs|limits|otel|build) export BENCH_COMPARE="$mode"; exec python3 bench/ab.py --tomcat "$work/apache-tomcat-$tomcat_version" --war target/tollgate.war --work "$work" ;;
esac
exec python3 bench/bench.py --tomcat "$work/apache-tomcat-$tomcat_version" --war target/tollgate.war \
  --portkey "$work/portkey/node_modules/@portkey-ai/gateway/build/start-server.js" --work "$work"
