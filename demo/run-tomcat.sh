#!/bin/sh
# Runs the demo: the WAR in a real Tomcat unpacked by Maven, in the foreground, so the mvn command
# that started it ends when Tomcat does (Ctrl-C, or the JVM dying) and its log is this terminal.
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
exec sh "$home/bin/catalina.sh" run
