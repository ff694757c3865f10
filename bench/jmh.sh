#!/bin/sh
# JMH microbenchmarks of the hot paths (src/test/java/dev/tollgate/bench): SSE framing, usage
# extraction from a stream, request and response translation. Needs only a JDK and Maven.
# Arguments go to JMH (default: 1 fork, 3 warm-up and 5 measured iterations of 1 s each), e.g.
#   sh bench/jmh.sh -f 2 -i 10      sh bench/jmh.sh translation
set -eu
cd "$(dirname "$0")/.."
args=${*:-"-f 1 -wi 3 -i 5 -w 1s -r 1s"}
mvn -q -B test-compile
exec mvn -q -B exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
  -Dexec.args="-cp %classpath org.openjdk.jmh.Main $args"
