#!/bin/sh
# The read benchmark: /_qs/metrics (query and JSON) over a SQLite file seeded with 10 million usage
# records over 90 days through the recorder's own write path (rollups kept as records land).
# Needs only a JDK and Maven. Seeding takes minutes once; a second run reuses the file.
#   sh bench/metrics.sh [records] [database file]     (defaults: 10000000 bench/.work/metrics.db)
set -eu
cd "$(dirname "$0")/.."
mvn -q -B test-compile
exec mvn -q -B exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
  -Dexec.args="-Xmx1g -cp %classpath dev.tollgate.bench.MetricsReadBenchmark ${1:-10000000} ${2:-bench/.work/metrics.db}"
