#!/bin/sh
# One command for the whole benchmark: installs what a fresh machine lacks (nginx, wrk, the Portkey
# gateway from npm), builds the WAR, sets up a real Tomcat the way tomcat-conf/ says, and runs
# bench.py. Options go through the environment: BENCH_DURATION (default 10s per run),
# BENCH_ROUNDS (default 2), BENCH_CONCURRENCY (default 64), BENCH_WARMUP (default 10s per scenario
# and gateway, so the JIT has compiled the hot path). Results: bench/results/.
set -eu
cd "$(dirname "$0")/.."
need=""
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need="$need nginx-light"
command -v wrk >/dev/null 2>&1 || need="$need wrk"
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
if [ ! -d "$work/apache-tomcat-$tomcat_version" ]; then
  mvn -q -B dependency:get -Dartifact=org.apache.tomcat:tomcat:"$tomcat_version":zip -Dtransitive=false
  # Maven 3.8 colours even -q -B output; strip the escape codes
  repo=$(mvn -q -B help:evaluate -Dexpression=settings.localRepository -DforceStdout | sed 's/\x1b\[[0-9;]*m//g')
  (cd "$work" && jar xf "$repo/org/apache/tomcat/tomcat/$tomcat_version/tomcat-$tomcat_version.zip")
fi
exec python3 bench/bench.py --tomcat "$work/apache-tomcat-$tomcat_version" --war target/tollgate.war \
  --portkey "$work/portkey/node_modules/@portkey-ai/gateway/build/start-server.js" --work "$work"
