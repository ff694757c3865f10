#!/bin/sh
# Applies the Tomcat settings Tollgate's limits rely on to a CATALINA_BASE (tomcat-conf/README.md,
# "Hostile clients and secrets in logs"). Safe to run again. Usage: sh harden.sh "$CATALINA_BASE"
set -eu
base="$1"
server="$base/conf/server.xml"
logging="$base/conf/logging.properties"

# 1. A refused request's unread body is never waited for: the connection closes instead. Without
#    this, Tomcat holds a thread reading the rest of a refused body (up to 2 MB by default), and a
#    client sending one byte every few seconds keeps it for hours.
if ! grep -q 'maxSwallowSize=' "$server"; then
  sed -i 's|<Connector port="\([^"]*\)" protocol="HTTP/1.1"|<Connector port="\1" protocol="HTTP/1.1" maxSwallowSize="0"|' "$server"
fi

# 2. The access log names the method, path and protocol but never the query string, where a
#    Gemini client may carry its key (?key=...).
sed -i 's|pattern="%h %l %u %t &quot;%r&quot; %s %b"|pattern="%h %l %u %t \&quot;%m %U %H\&quot; %s %b"|' "$server"

# 3. Tomcat logs the first malformed request header line it rejects, value included (a key sent
#    with a NUL byte in it, say): its HTTP parser logs at WARNING and above only.
if ! grep -q '^org.apache.coyote.http11.Http11Processor.level' "$logging"; then
  printf '\n# Tollgate: never log rejected header lines (they may hold client keys)\norg.apache.coyote.http11.Http11Processor.level = WARNING\n' >> "$logging"
fi
echo "tollgate: $base hardened (maxSwallowSize=0, access log without query strings, no header lines in logs)"
