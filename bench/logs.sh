#!/bin/sh
# The request log at scale: generated multi-turn conversations written through the log's own write
# path, each documented query form timed over them, bytes stored per call. SQLite by default;
# "postgresql" or "both" also start Debian's PostgreSQL in a temporary folder (apt-get install postgresql).
# Needs only a JDK and Maven. Writes bench/results/log-search-<date>.md.
#   sh bench/logs.sh [calls] [sqlite|postgresql|both] [reuse]    (defaults: 1000000 sqlite)
# "reuse" keeps the generated stores in bench/.work and times the queries again over them.
set -eu
cd "$(dirname "$0")/.."
mvn -q -B -o test-compile 2>/dev/null || mvn -q -B test-compile
exec mvn -q -B exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
  -Dexec.args="-Xmx2g -cp %classpath dev.tollgate.logs.LogSearchBenchmark ${1:-1000000} ${2:-sqlite} ${3:-fresh}"
