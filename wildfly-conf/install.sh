#!/bin/sh
# Prepares a WildFly installation for Tollgate, offline (the server need not run):
#   1. the SQLite JDBC driver as a JBoss module (taken from the WAR, so versions match),
#   2. the driver and the TollgateDS datasource (tollgate-sqlite.cli),
#   3. realm users in the ApplicationRealm with the roles tollgate-admin / tollgate-viewer.
#   usage: sh wildfly-conf/install.sh path/to/tollgate.war "$JBOSS_HOME" [admin-password] [viewer-password]
# Idempotent: running it again leaves an installed server as it is.
set -eu
war=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
home=$2
admin_pass=${3:-admin-pass}
viewer_pass=${4:-viewer-pass}
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$war" ] || { echo "no WAR at $1" >&2; exit 1; }
[ -f "$home/bin/jboss-cli.sh" ] || { echo "$home is not a WildFly home (no bin/jboss-cli.sh)" >&2; exit 1; }

if [ ! -d "$home/modules/org/xerial/sqlite/main" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && jar xf "$war" WEB-INF/lib)
  jar=$(ls "$tmp"/WEB-INF/lib/sqlite-jdbc-*.jar | head -n 1)
  sh "$home/bin/jboss-cli.sh" --command="module add --name=org.xerial.sqlite --resources=$jar --dependencies=java.sql,java.logging,org.slf4j"
  echo "added module org.xerial.sqlite ($(basename "$jar"))"
fi

sh "$home/bin/jboss-cli.sh" --file="$here/tollgate-sqlite.cli"
echo "driver sqlite and datasource TollgateDS are in standalone.xml"

add_user() { # user password role
  if grep -q "^$1=" "$home/standalone/configuration/application-users.properties"; then
    echo "user $1 exists"
  else
    sh "$home/bin/add-user.sh" -a -s -u "$1" -p "$2" -g "$3"
    echo "added user $1 with role $3"
  fi
}
add_user tg-admin "$admin_pass" tollgate-admin
add_user tg-viewer "$viewer_pass" tollgate-viewer
