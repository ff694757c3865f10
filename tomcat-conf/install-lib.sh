#!/bin/sh
# Copies the jars Tomcat's lib/ needs for tollgate.xml's pool out of the WAR itself, so their
# versions are exactly those the WAR was built and tested with. Needs only a JDK (for `jar`).
# A PostgreSQL instance also needs the driver, which the WAR does not carry: name its jar third.
#   usage: sh tomcat-conf/install-lib.sh path/to/tollgate.war "$CATALINA_BASE" [postgresql-42.x.jar]
set -eu
war=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
lib="$2/lib"
[ -f "$war" ] || { echo "no WAR at $1" >&2; exit 1; }
[ -d "$lib" ] || { echo "no lib/ folder in $2 (is it CATALINA_BASE?)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && jar xf "$war" WEB-INF/lib)
for name in sqlite-jdbc commons-dbcp2 commons-pool2 commons-logging; do
  found=$(ls "$tmp/WEB-INF/lib/$name"-*.jar 2>/dev/null | head -n 1)
  [ -n "$found" ] || { echo "$name is not in the WAR" >&2; exit 1; }
  rm -f "$lib/$name"-*.jar
  cp "$found" "$lib/"
  echo "installed $(basename "$found") into $lib"
done
if [ $# -ge 3 ]; then
  [ -f "$3" ] || { echo "no PostgreSQL driver jar at $3" >&2; exit 1; }
  rm -f "$lib"/postgresql-*.jar
  cp "$3" "$lib/"
  echo "installed $(basename "$3") into $lib"
fi
