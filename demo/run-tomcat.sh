#!/bin/sh
# Runs the demo: the WAR in a real Tomcat unpacked by Maven, tied to the mvn command that started it:
# its log is this terminal, the command ends when Tomcat does (its JVM dying included), and Tomcat
# stops when the command does (Ctrl-C, a signal, or the mvn process killed outright).
#   usage: run-tomcat.sh CATALINA_HOME WAR HTTP_PORT CONFIG_FILE
# Tomcat's shutdown port is off (-1): nothing listens but the HTTP port.
set -eu
home=$1 war=$2 port=$3 config=$4
[ -f "$config" ] || { echo "run-tomcat.sh: no config file at $config (-Dtollgate.config=...)" >&2; exit 2; }
config=$(cd "$(dirname "$config")" && pwd)/$(basename "$config")
[ -f "$home/conf/server.xml.dist" ] || cp "$home/conf/server.xml" "$home/conf/server.xml.dist"
sed -e "s/port=\"8080\"/port=\"$port\"/" -e "s/port=\"8005\"/port=\"-1\"/" \
  "$home/conf/server.xml.dist" > "$home/conf/server.xml"
# the demo realm: an admin and a viewer, password "tollgate" (tomcat-conf/tomcat-users.xml for real ones)
cat > "$home/conf/tomcat-users.xml" <<USERS
<?xml version="1.0" encoding="UTF-8"?>
<tomcat-users xmlns="http://tomcat.apache.org/xml" version="1.0">
  <role rolename="tollgate-admin"/>
  <role rolename="tollgate-viewer"/>
  <user username="tg-admin" password="tollgate" roles="tollgate-admin"/>
  <user username="tg-viewer" password="tollgate" roles="tollgate-viewer"/>
</tomcat-users>
USERS
rm -rf "$home/webapps/"*
cp "$war" "$home/webapps/tollgate.war"
CATALINA_HOME=$home CATALINA_BASE=$home
CATALINA_OPTS="${CATALINA_OPTS:-} -Dtollgate.config=$config -Dtollgate.public-url=http://localhost:$port/tollgate"
export CATALINA_HOME CATALINA_BASE CATALINA_OPTS
echo "tollgate demo: Tomcat at $home, http://localhost:$port/tollgate, config $config (edits are applied live)"
parent=$PPID
sh "$home/bin/catalina.sh" run &
tomcat=$!   # catalina.sh run execs the JVM: this is Tomcat's own pid
stop() {
  kill "$tomcat" 2>/dev/null || true   # TERM: Tomcat shuts down in order, the recorder flushed first
  wait "$tomcat" || true
  exit 0
}
trap stop INT TERM HUP
while kill -0 "$tomcat" 2>/dev/null; do
  kill -0 "$parent" 2>/dev/null || stop   # mvn is gone without a word (kill -9): Tomcat goes too
  sleep 1
done
wait "$tomcat"   # Tomcat ended by itself: its status is the command's
